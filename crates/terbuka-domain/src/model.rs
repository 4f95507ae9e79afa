//! The vocabulary of the service: identifiers and the closed sets of values the law defines.
//!
//! Every enum here has a stable snake_case code (`as_str`/`parse`) used in storage, the API and
//! the translation catalogs (`enum.<type>.<code>`), so a code never changes meaning.

use serde::{Deserialize, Serialize};

pub type UnitId = i64;
pub type OfficerId = i64;
pub type RequestId = i64;
pub type ObjectionId = i64;
pub type DocumentId = i64;

/// Declares a closed enum with stable string codes.
macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use coded_enum;

coded_enum! {
    /// Officer roles (kip-rules §1). Requesters have no account.
    Role {
        Admin = "admin",
        PpidUtama = "ppid_utama",
        PpidPelaksana = "ppid_pelaksana",
        AtasanPpid = "atasan_ppid",
        /// A social-affairs officer (*petugas dinas sosial*): verifies organisations, moderates
        /// the kolaborasi ledger and is the only role that handles beneficiary lists.
        PetugasSosial = "petugas_sosial",
    }
}

coded_enum! {
    /// Whether a unit is the body-level PPID or a work unit with a PPID Pelaksana.
    UnitKind {
        Utama = "utama",
        Pelaksana = "pelaksana",
    }
}

coded_enum! {
    /// Who the requester is (UU KIP Pasal 1 angka 12).
    RequesterKind {
        Individual = "individual",
        LegalEntity = "legal_entity",
        Group = "group",
    }
}

coded_enum! {
    /// How the request reached the body (kip-rules §3.1).
    Channel {
        Web = "web",
        Desk = "desk",
        Post = "post",
        Email = "email",
    }
}

coded_enum! {
    /// How the requester wants to obtain the information (*cara memperoleh*).
    ObtainMethod {
        /// See, read, listen or take notes.
        View = "view",
        /// A soft copy.
        SoftCopy = "soft_copy",
        /// A hard copy.
        HardCopy = "hard_copy",
    }
}

coded_enum! {
    /// How a copy is sent (*cara mengirimkan*).
    DeliveryMethod {
        Pickup = "pickup",
        Courier = "courier",
        Post = "post",
        Fax = "fax",
        Email = "email",
    }
}

coded_enum! {
    /// The statutory outcome of the written notice (kip-rules §3.5).
    Outcome {
        GrantedFull = "granted_full",
        GrantedPartial = "granted_partial",
        RefusedExempt = "refused_exempt",
        /// Not held by this body; when the holder is named this is a forwarding.
        NotHeld = "not_held",
        NotYetDocumented = "not_yet_documented",
    }
}

coded_enum! {
    /// UU KIP Pasal 17 exemption grounds, plus "another Law" (letter j).
    ExemptionGround {
        A = "a", B = "b", C = "c", D = "d", E = "e", F = "f", G = "g", H = "h", I = "i", J = "j",
    }
}

coded_enum! {
    /// Keberatan grounds, UU KIP Pasal 35(1) letters a-g (kip-rules §4.1).
    ObjectionGround {
        /// Refusal on a Pasal 17 exemption.
        A = "a",
        /// Periodic information not provided.
        B = "b",
        /// Request not answered.
        C = "c",
        /// Answered other than as asked.
        D = "d",
        /// Request not fulfilled.
        E = "e",
        /// Unreasonable fees.
        F = "f",
        /// Delivered later than the Law allows.
        G = "g",
    }
}

coded_enum! {
    /// Display language. Indonesian first.
    Lang {
        Id = "id",
        En = "en",
    }
}

#[allow(clippy::derivable_impls)] // The enum is declared by a macro that cannot take `#[default]`.
impl Default for Lang {
    fn default() -> Self {
        Lang::Id
    }
}

/// Formats a registration number: `PREFIX-YYYY-NNNNN` (five digits, more when a year passes
/// 99 999). Requests use `PMH`, keberatan `KBR`. The year is the WIB year of receipt and the
/// number restarts every year.
pub fn registration_number(prefix: &str, year: i32, seq: i64) -> String {
    format!("{prefix}-{year}-{seq:05}")
}

pub const REQUEST_PREFIX: &str = "PMH";
pub const OBJECTION_PREFIX: &str = "KBR";

/// Parses a registration number back into its parts; `None` if it is not one.
pub fn parse_registration_number(s: &str) -> Option<(&str, i32, i64)> {
    let mut parts = s.split('-');
    let prefix = parts.next()?;
    let year = parts.next()?;
    let seq = parts.next()?;
    if parts.next().is_some() || year.len() != 4 || seq.len() < 5 {
        return None;
    }
    if !matches!(prefix, REQUEST_PREFIX | OBJECTION_PREFIX) {
        return None;
    }
    Some((prefix, year.parse().ok()?, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(*o));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn registration_numbers() {
        assert_eq!(registration_number("PMH", 2026, 42), "PMH-2026-00042");
        assert_eq!(registration_number("PMH", 2026, 123456), "PMH-2026-123456");
        assert_eq!(parse_registration_number("PMH-2026-00042"), Some(("PMH", 2026, 42)));
        assert_eq!(parse_registration_number("KBR-2026-00001"), Some(("KBR", 2026, 1)));
        assert_eq!(parse_registration_number("XYZ-2026-00001"), None);
        assert_eq!(parse_registration_number("PMH-26-00001"), None);
        assert_eq!(parse_registration_number("PMH-2026-1"), None);
    }
}
