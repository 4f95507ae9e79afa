//! Turning raw input into values that cannot be wrong.
//!
//! Web forms and the JSON API both deserialize into the `Raw*` structs (all strings, all
//! optional) and call `validate()`, which returns either a typed value or every problem at once as
//! [`FieldErrors`]: a field name plus a message code looked up in the translation catalogs.

use crate::model::{DeliveryMethod, ObjectionGround, ObtainMethod, RequesterKind};
use crate::model::{ExemptionGround, Outcome};
use crate::request::{Exemption, Notice};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// One problem with one field; `code` is a catalog key such as `err.nik_format`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, code: &'static str) {
        self.0.push(FieldError { field, code });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.code)
    }
    pub(crate) fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

/// Trims and collapses an optional string; empty becomes `None`.
pub(crate) fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn length_ok(s: &str, min: usize, max: usize) -> bool {
    let n = s.chars().count();
    n >= min && n <= max
}

/// Requires a text of `min..=max` characters without control characters.
pub(crate) fn text(errors: &mut FieldErrors, field: &'static str, raw: &Option<String>, min: usize, max: usize) -> String {
    match clean(raw) {
        None => {
            errors.add(field, "err.required");
            String::new()
        }
        Some(s) if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') => {
            errors.add(field, "err.control_chars");
            String::new()
        }
        Some(s) if !length_ok(&s, min, max) => {
            errors.add(field, if s.chars().count() < min { "err.too_short" } else { "err.too_long" });
            String::new()
        }
        Some(s) => s,
    }
}

pub(crate) fn optional_text(errors: &mut FieldErrors, field: &'static str, raw: &Option<String>, min: usize, max: usize) -> Option<String> {
    clean(raw).and_then(|_| {
        let s = text(errors, field, raw, min, max);
        (!s.is_empty()).then_some(s)
    })
}

/// A 16-digit NIK whose embedded fields are plausible: province code 11-94, birth day 1-31
/// (40 is added for women), month 1-12.
pub fn valid_nik(nik: &str) -> bool {
    if nik.len() != 16 || !nik.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let num = |a: usize, b: usize| nik[a..b].parse::<u32>().unwrap_or(0);
    let province = num(0, 2);
    let day = num(6, 8);
    let month = num(8, 10);
    let day = if day > 40 { day - 40 } else { day };
    (11..=94).contains(&province) && (1..=31).contains(&day) && (1..=12).contains(&month)
}

/// A normalised e-mail address, or `None` if it does not look like one.
pub fn valid_email(s: &str) -> Option<String> {
    let s = s.trim();
    let (local, domain) = s.split_once('@')?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 253
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
        && !domain.contains('@');
    ok.then(|| s.to_lowercase())
}

/// A phone number as digits with an optional leading `+`, 8-15 digits.
pub fn valid_phone(s: &str) -> Option<String> {
    let s = s.trim();
    let plus = s.starts_with('+');
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let only_allowed = s.chars().all(|c| c.is_ascii_digit() || " -+().".contains(c));
    (only_allowed && (8..=15).contains(&digits.len())).then(|| if plus { format!("+{digits}") } else { digits })
}

/// The request form as typed (web form or JSON).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawRequest {
    pub requester_kind: Option<String>,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub occupation: Option<String>,
    /// "on"/"true" when a proxy files with a special power of attorney.
    pub via_proxy: Option<String>,
    pub proxy_name: Option<String>,
    pub proxy_letter: Option<String>,
    pub subject: Option<String>,
    pub details: Option<String>,
    pub purpose: Option<String>,
    /// Comma-separated or repeated `view`, `soft_copy`, `hard_copy`.
    pub obtain: Option<String>,
    pub delivery: Option<String>,
    pub display_name: Option<String>,
    /// Desk/post registrations only: the real date of receipt.
    pub received_on: Option<String>,
    /// Desk/post registrations only: `desk`, `post` or `email`.
    pub channel: Option<String>,
}

/// The requester's identity: personal data, encrypted at rest and shown only to officers who may.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequesterIdentity {
    pub kind: RequesterKind,
    pub name: String,
    /// NIK for individuals and groups, the Kemenkumham decree number for legal entities.
    pub id_number: String,
    pub address: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub occupation: Option<String>,
    pub proxy_name: Option<String>,
    pub proxy_letter: Option<String>,
}

/// A valid request, ready to register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSubmission {
    pub identity: RequesterIdentity,
    /// Short public title of the information requested (shown in the public register).
    pub subject: String,
    /// Full details of the information requested (*rincian informasi*).
    pub details: String,
    /// Purpose of use (*tujuan penggunaan*): never public.
    pub purpose: String,
    pub obtain: Vec<ObtainMethod>,
    pub delivery: DeliveryMethod,
    /// Optional public display name chosen by the requester.
    pub display_name: Option<String>,
}

pub(crate) fn truthy(s: &Option<String>) -> bool {
    matches!(clean(s).as_deref(), Some("on" | "true" | "1" | "yes"))
}

impl RawRequest {
    pub fn validate(&self) -> Result<RequestSubmission, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = match clean(&self.requester_kind).as_deref().and_then(RequesterKind::parse) {
            Some(k) => k,
            None => {
                e.add("requester_kind", "err.choose_one");
                RequesterKind::Individual
            }
        };
        let name = text(&mut e, "name", &self.name, 2, 120);
        let id_number = match clean(&self.id_number) {
            None => {
                e.add("id_number", "err.required");
                String::new()
            }
            Some(raw) => {
                let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                match kind {
                    RequesterKind::LegalEntity => {
                        if length_ok(&raw, 5, 100) && !raw.chars().any(char::is_control) {
                            raw
                        } else {
                            e.add("id_number", "err.entity_decree");
                            String::new()
                        }
                    }
                    _ => {
                        if valid_nik(&compact) {
                            compact
                        } else {
                            e.add("id_number", "err.nik_format");
                            String::new()
                        }
                    }
                }
            }
        };
        let address = text(&mut e, "address", &self.address, 5, 500);
        let phone = clean(&self.phone).and_then(|p| {
            let v = valid_phone(&p);
            if v.is_none() {
                e.add("phone", "err.phone_format");
            }
            v
        });
        let email = clean(&self.email).and_then(|m| {
            let v = valid_email(&m);
            if v.is_none() {
                e.add("email", "err.email_format");
            }
            v
        });
        if clean(&self.phone).is_none() && clean(&self.email).is_none() {
            e.add("email", "err.contact_required");
        }
        let occupation = optional_text(&mut e, "occupation", &self.occupation, 2, 100);
        let (proxy_name, proxy_letter) = if truthy(&self.via_proxy) || kind == RequesterKind::Group {
            (Some(text(&mut e, "proxy_name", &self.proxy_name, 2, 120)), Some(text(&mut e, "proxy_letter", &self.proxy_letter, 3, 120)))
        } else {
            (None, None)
        };
        let subject = text(&mut e, "subject", &self.subject, 5, 200);
        let details = text(&mut e, "details", &self.details, 10, 5000);
        let purpose = text(&mut e, "purpose", &self.purpose, 5, 2000);
        let mut obtain = Vec::new();
        match clean(&self.obtain) {
            None => e.add("obtain", "err.choose_at_least_one"),
            Some(s) => {
                for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    match ObtainMethod::parse(part) {
                        Some(m) if !obtain.contains(&m) => obtain.push(m),
                        Some(_) => {}
                        None => {
                            e.add("obtain", "err.choose_one");
                            break;
                        }
                    }
                }
                if obtain.is_empty() && e.get("obtain").is_none() {
                    e.add("obtain", "err.choose_at_least_one");
                }
            }
        }
        obtain.sort();
        let delivery = match clean(&self.delivery).as_deref().and_then(DeliveryMethod::parse) {
            Some(d) => d,
            None => {
                e.add("delivery", "err.choose_one");
                DeliveryMethod::Pickup
            }
        };
        if delivery == DeliveryMethod::Email && clean(&self.email).is_none() {
            e.add("email", "err.email_for_delivery");
        }
        let display_name = optional_text(&mut e, "display_name", &self.display_name, 2, 60);
        e.into_result(|| RequestSubmission {
            identity: RequesterIdentity { kind, name, id_number, address, phone, email, occupation, proxy_name, proxy_letter },
            subject,
            details,
            purpose,
            obtain,
            delivery,
            display_name,
        })
    }

    /// For desk and post registrations: the channel and real date of receipt, which may not lie
    /// in the future nor more than a year back.
    pub fn validate_paper(&self, today: NaiveDate) -> Result<(crate::model::Channel, NaiveDate), FieldErrors> {
        use crate::model::Channel;
        let mut e = FieldErrors::default();
        let channel = match clean(&self.channel).as_deref().and_then(Channel::parse) {
            Some(c) if c != Channel::Web => c,
            _ => {
                e.add("channel", "err.choose_one");
                Channel::Desk
            }
        };
        let date = parse_date(&mut e, "received_on", &self.received_on);
        if let Some(d) = date {
            if d > today {
                e.add("received_on", "err.date_in_future");
            } else if (today - d).num_days() > 366 {
                e.add("received_on", "err.date_too_old");
            }
        }
        e.into_result(|| (channel, date.unwrap_or(today)))
    }
}

pub(crate) fn parse_date(e: &mut FieldErrors, field: &'static str, raw: &Option<String>) -> Option<NaiveDate> {
    match clean(raw) {
        None => {
            e.add(field, "err.required");
            None
        }
        Some(s) => match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                e.add(field, "err.date_format");
                None
            }
        },
    }
}

/// The keberatan form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawObjection {
    /// Comma-separated ground letters a-g.
    pub grounds: Option<String>,
    /// The case summary (*kasus posisi*).
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionSubmission {
    pub grounds: Vec<ObjectionGround>,
    pub summary: String,
}

impl RawObjection {
    pub fn validate(&self) -> Result<ObjectionSubmission, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut grounds = Vec::new();
        for part in clean(&self.grounds).unwrap_or_default().split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match ObjectionGround::parse(part) {
                Some(g) if !grounds.contains(&g) => grounds.push(g),
                Some(_) => {}
                None => {
                    e.add("grounds", "err.choose_one");
                    break;
                }
            }
        }
        if grounds.is_empty() && e.get("grounds").is_none() {
            e.add("grounds", "err.choose_at_least_one");
        }
        grounds.sort();
        let summary = text(&mut e, "summary", &self.summary, 10, 5000);
        e.into_result(|| ObjectionSubmission { grounds, summary })
    }
}

/// The officer's answer form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawNotice {
    pub outcome: Option<String>,
    pub text: Option<String>,
    pub exemption_ground: Option<String>,
    pub consequence_test: Option<String>,
    pub atasan_approval: Option<String>,
    pub holder: Option<String>,
    pub expected_date: Option<String>,
    pub fee: Option<String>,
}

impl RawNotice {
    pub fn validate(&self) -> Result<Notice, FieldErrors> {
        let mut e = FieldErrors::default();
        let outcome = clean(&self.outcome).as_deref().and_then(Outcome::parse);
        if outcome.is_none() {
            e.add("outcome", "err.choose_one");
        }
        let text_v = text(&mut e, "text", &self.text, 10, 10_000);
        let needs_exemption = matches!(outcome, Some(Outcome::RefusedExempt | Outcome::GrantedPartial));
        let exemption = if needs_exemption {
            let ground = clean(&self.exemption_ground).as_deref().and_then(ExemptionGround::parse);
            if ground.is_none() {
                e.add("exemption_ground", "err.choose_one");
            }
            let test = text(&mut e, "consequence_test", &self.consequence_test, 20, 10_000);
            let approval = text(&mut e, "atasan_approval", &self.atasan_approval, 3, 200);
            ground.map(|g| Exemption { ground: g, consequence_test: test, atasan_approval: approval })
        } else {
            None
        };
        let holder = if outcome == Some(Outcome::NotHeld) { optional_text(&mut e, "holder", &self.holder, 3, 200) } else { None };
        let expected_date = if outcome == Some(Outcome::NotYetDocumented) { parse_date(&mut e, "expected_date", &self.expected_date) } else { None };
        let fee = match clean(&self.fee) {
            None => 0,
            Some(s) => match s.replace(['.', ' '], "").parse::<i64>() {
                Ok(v) if (0..=100_000_000).contains(&v) => v,
                _ => {
                    e.add("fee", "err.fee");
                    0
                }
            },
        };
        if fee > 0 && !matches!(outcome, Some(Outcome::GrantedFull | Outcome::GrantedPartial)) {
            e.add("fee", "err.fee_only_granted");
        }
        e.into_result(|| Notice { outcome: outcome.unwrap_or(Outcome::GrantedFull), text: text_v, exemption, holder, expected_date, fee })
    }
}

/// A free-text reason (extension, rejection), `min..=5000` characters.
pub fn reason(field: &'static str, raw: &Option<String>, min: usize) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::default();
    let s = text(&mut e, field, raw, min, 5000);
    e.into_result(|| s)
}

/// A required date field.
pub fn date_field(field: &'static str, raw: &Option<String>) -> Result<NaiveDate, FieldErrors> {
    let mut e = FieldErrors::default();
    let d = parse_date(&mut e, field, raw);
    e.into_result(|| d.unwrap_or_default())
}

/// Officer account form (admin).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawOfficer {
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub unit: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerSubmission {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: crate::model::Role,
    pub unit: Option<i64>,
    pub password: String,
}

impl RawOfficer {
    pub fn validate(&self) -> Result<OfficerSubmission, FieldErrors> {
        use crate::model::Role;
        let mut e = FieldErrors::default();
        let username = match clean(&self.username) {
            Some(u) if length_ok(&u, 3, 40) && u.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) => u.to_lowercase(),
            Some(_) => {
                e.add("username", "err.username_format");
                String::new()
            }
            None => {
                e.add("username", "err.required");
                String::new()
            }
        };
        let display_name = text(&mut e, "display_name", &self.display_name, 2, 120);
        let email = match clean(&self.email).map(|m| valid_email(&m)) {
            Some(Some(m)) => m,
            Some(None) => {
                e.add("email", "err.email_format");
                String::new()
            }
            None => {
                e.add("email", "err.required");
                String::new()
            }
        };
        let role = clean(&self.role).as_deref().and_then(Role::parse);
        if role.is_none() {
            e.add("role", "err.choose_one");
        }
        let unit = match clean(&self.unit) {
            None => None,
            Some(s) => match s.parse::<i64>() {
                Ok(v) if v > 0 => Some(v),
                _ => {
                    e.add("unit", "err.choose_one");
                    None
                }
            },
        };
        if role == Some(Role::PpidPelaksana) && unit.is_none() && e.get("unit").is_none() {
            e.add("unit", "err.unit_required");
        }
        let password = match clean(&self.password) {
            Some(p) if p.chars().count() >= 12 && p.chars().count() <= 200 => p,
            Some(_) => {
                e.add("password", "err.password_length");
                String::new()
            }
            None => {
                e.add("password", "err.required");
                String::new()
            }
        };
        e.into_result(|| OfficerSubmission { username, display_name, email, role: role.unwrap_or(Role::PpidPelaksana), unit, password })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> RawRequest {
        RawRequest {
            requester_kind: Some("individual".into()),
            name: Some("Siti Aminah".into()),
            id_number: Some("3171014501900001".into()),
            address: Some("Jl. Kebon Sirih No. 1, Jakarta Pusat".into()),
            phone: Some("0812-3456-7890".into()),
            email: Some("Siti@Example.ID".into()),
            occupation: Some("Peneliti".into()),
            subject: Some("Anggaran penanganan banjir 2025".into()),
            details: Some("Rincian realisasi anggaran penanganan banjir per kecamatan tahun 2025.".into()),
            purpose: Some("Penelitian kebijakan".into()),
            obtain: Some("soft_copy,view".into()),
            delivery: Some("email".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_request_validates_and_normalises() {
        let s = good().validate().unwrap();
        assert_eq!(s.identity.email.as_deref(), Some("siti@example.id"));
        assert_eq!(s.identity.phone.as_deref(), Some("081234567890"));
        assert_eq!(s.obtain, vec![ObtainMethod::View, ObtainMethod::SoftCopy]);
        assert_eq!(s.delivery, DeliveryMethod::Email);
    }

    fn errors_of(r: RawRequest) -> FieldErrors {
        r.validate().unwrap_err()
    }

    #[test]
    fn every_field_reports_its_problem() {
        let e = errors_of(RawRequest::default());
        for f in ["requester_kind", "name", "id_number", "address", "email", "subject", "details", "purpose", "obtain", "delivery"] {
            assert!(e.get(f).is_some(), "missing error for {f}: {e:?}");
        }
        let e = errors_of(RawRequest { id_number: Some("1234".into()), ..good() });
        assert_eq!(e.get("id_number"), Some("err.nik_format"));
        let e = errors_of(RawRequest { email: Some("not-an-email".into()), ..good() });
        assert_eq!(e.get("email"), Some("err.email_format"));
        let e = errors_of(RawRequest { phone: Some("12ab".into()), ..good() });
        assert_eq!(e.get("phone"), Some("err.phone_format"));
        let e = errors_of(RawRequest { email: None, delivery: Some("email".into()), ..good() });
        assert_eq!(e.get("email"), Some("err.email_for_delivery"));
        let e = errors_of(RawRequest { email: None, phone: None, delivery: Some("pickup".into()), ..good() });
        assert_eq!(e.get("email"), Some("err.contact_required"));
        let e = errors_of(RawRequest { obtain: Some("telepati".into()), ..good() });
        assert_eq!(e.get("obtain"), Some("err.choose_one"));
        let e = errors_of(RawRequest { subject: Some("x".repeat(201)), ..good() });
        assert_eq!(e.get("subject"), Some("err.too_long"));
        let e = errors_of(RawRequest { name: Some("A\u{0}B".into()), ..good() });
        assert_eq!(e.get("name"), Some("err.control_chars"));
        let e = errors_of(RawRequest { via_proxy: Some("on".into()), ..good() });
        assert_eq!(e.get("proxy_letter"), Some("err.required"));
    }

    #[test]
    fn legal_entities_give_a_decree_number() {
        let r = RawRequest { requester_kind: Some("legal_entity".into()), id_number: Some("AHU-0012345.AH.01.04.Tahun 2020".into()), ..good() };
        assert!(r.validate().is_ok());
    }

    #[test]
    fn nik_structure() {
        assert!(valid_nik("3171014501900001"));
        assert!(valid_nik("3171010501900001"));
        assert!(!valid_nik("0071014501900001")); // province 00
        assert!(!valid_nik("3171019901900001")); // day 99
        assert!(!valid_nik("3171014513900001")); // month 13
        assert!(!valid_nik("317101450190000"));
        assert!(!valid_nik("31710145019000０1"));
    }

    #[test]
    fn paper_receipt_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let r = RawRequest { channel: Some("post".into()), received_on: Some("2026-11-20".into()), ..good() };
        assert!(r.validate_paper(today).is_ok());
        let r = RawRequest { channel: Some("post".into()), received_on: Some("2026-12-20".into()), ..good() };
        assert_eq!(r.validate_paper(today).unwrap_err().get("received_on"), Some("err.date_in_future"));
        let r = RawRequest { channel: Some("web".into()), received_on: Some("20-11-2026".into()), ..good() };
        let e = r.validate_paper(today).unwrap_err();
        assert_eq!(e.get("channel"), Some("err.choose_one"));
        assert_eq!(e.get("received_on"), Some("err.date_format"));
    }

    #[test]
    fn notices_and_objections() {
        let n = RawNotice { outcome: Some("refused_exempt".into()), text: Some("Permohonan ditolak karena dikecualikan.".into()), ..Default::default() };
        let e = n.validate().unwrap_err();
        assert_eq!(e.get("exemption_ground"), Some("err.choose_one"));
        assert_eq!(e.get("consequence_test"), Some("err.required"));
        let n = RawNotice {
            outcome: Some("granted_full".into()),
            text: Some("Informasi terlampir pada surat ini.".into()),
            fee: Some("15.000".into()),
            ..Default::default()
        };
        assert_eq!(n.validate().unwrap().fee, 15000);
        let o = RawObjection { grounds: Some("a,c,a".into()), summary: Some("Permohonan saya tidak dijawab.".into()) };
        assert_eq!(o.validate().unwrap().grounds, vec![ObjectionGround::A, ObjectionGround::C]);
        let o = RawObjection { grounds: Some("z".into()), summary: None };
        let e = o.validate().unwrap_err();
        assert_eq!(e.get("grounds"), Some("err.choose_one"));
        assert_eq!(e.get("summary"), Some("err.required"));
    }

    #[test]
    fn officer_form() {
        let o = RawOfficer {
            username: Some("Budi.S".into()),
            display_name: Some("Budi".into()),
            email: Some("budi@jakarta.go.id".into()),
            role: Some("ppid_pelaksana".into()),
            unit: None,
            password: Some("short".into()),
        };
        let e = o.validate().unwrap_err();
        assert_eq!(e.get("unit"), Some("err.unit_required"));
        assert_eq!(e.get("password"), Some("err.password_length"));
    }
}

/// The DIP item form, the JSON API body and one row of a bulk import (all strings).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawItem {
    pub title: Option<String>,
    pub summary: Option<String>,
    /// A unit id or code; resolved by the caller's lookup.
    pub unit: Option<String>,
    pub official: Option<String>,
    pub produced_on: Option<String>,
    pub produced_place: Option<String>,
    pub period: Option<String>,
    /// Comma-separated: `softcopy`, `hardcopy`.
    pub formats: Option<String>,
    /// `permanen`/`permanent`, or a number of years (`5`, `5 tahun`, `5 years`).
    pub retention: Option<String>,
    pub how_to_obtain: Option<String>,
    pub category: Option<String>,
    pub cadence_months: Option<String>,
    pub exemption_ground: Option<String>,
    pub legal_basis: Option<String>,
    pub withheld: Option<String>,
    pub consequence: Option<String>,
    pub public_interest: Option<String>,
    pub approval_ref: Option<String>,
    pub decided_on: Option<String>,
    pub exempt_until: Option<String>,
    pub category_after: Option<String>,
}

/// The columns of a DIP table (download and bulk import), in order: the field name used by
/// [`RawItem`] and the Indonesian header. Import accepts either spelling, in any order and case.
pub const ITEM_COLUMNS: &[(&str, &str)] = &[
    ("title", "judul"),
    ("summary", "ringkasan_isi"),
    ("unit", "unit"),
    ("official", "penanggung_jawab"),
    ("produced_on", "waktu_pembuatan"),
    ("produced_place", "tempat_pembuatan"),
    ("period", "periode"),
    ("formats", "bentuk_informasi"),
    ("retention", "jangka_waktu_penyimpanan"),
    ("how_to_obtain", "cara_memperoleh"),
    ("category", "kategori"),
    ("cadence_months", "pembaruan_bulan"),
    ("exemption_ground", "dasar_pengecualian"),
    ("legal_basis", "dasar_hukum"),
    ("withheld", "informasi_dikecualikan"),
    ("consequence", "konsekuensi"),
    ("public_interest", "kepentingan_publik"),
    ("approval_ref", "persetujuan_atasan"),
    ("decided_on", "tanggal_penetapan"),
    ("exempt_until", "dikecualikan_sampai"),
    ("category_after", "kategori_setelah"),
];

impl RawItem {
    /// Maps a header (either spelling, case and spaces ignored) to its field name.
    pub fn column(header: &str) -> Option<&'static str> {
        let h = header.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-'], "_");
        ITEM_COLUMNS.iter().find(|(f, id)| *f == h || *id == h).map(|(f, _)| *f)
    }

    /// Builds a raw item from one table row given the mapped columns (`None` = ignored column).
    pub fn from_row(columns: &[Option<&'static str>], row: &[String]) -> RawItem {
        let mut r = RawItem::default();
        for (col, value) in columns.iter().zip(row) {
            let v = Some(value.clone());
            match col {
                Some("title") => r.title = v,
                Some("summary") => r.summary = v,
                Some("unit") => r.unit = v,
                Some("official") => r.official = v,
                Some("produced_on") => r.produced_on = v,
                Some("produced_place") => r.produced_place = v,
                Some("period") => r.period = v,
                Some("formats") => r.formats = v,
                Some("retention") => r.retention = v,
                Some("how_to_obtain") => r.how_to_obtain = v,
                Some("category") => r.category = v,
                Some("cadence_months") => r.cadence_months = v,
                Some("exemption_ground") => r.exemption_ground = v,
                Some("legal_basis") => r.legal_basis = v,
                Some("withheld") => r.withheld = v,
                Some("consequence") => r.consequence = v,
                Some("public_interest") => r.public_interest = v,
                Some("approval_ref") => r.approval_ref = v,
                Some("decided_on") => r.decided_on = v,
                Some("exempt_until") => r.exempt_until = v,
                Some("category_after") => r.category_after = v,
                _ => {}
            }
        }
        r
    }

    /// The raw form of stored fields (to prefill the edit form and to export).
    pub fn from_fields(f: &crate::dip::ItemFields, unit_code: &str) -> RawItem {
        use crate::dip::RetentionKind;
        let mut formats = Vec::new();
        if f.softcopy {
            formats.push("softcopy");
        }
        if f.hardcopy {
            formats.push("hardcopy");
        }
        let ex = f.exemption.as_ref();
        RawItem {
            title: Some(f.title.clone()),
            summary: Some(f.summary.clone()),
            unit: Some(unit_code.to_string()),
            official: Some(f.official.clone()),
            produced_on: Some(f.produced_on.to_string()),
            produced_place: Some(f.produced_place.clone()),
            period: Some(f.period.clone()),
            formats: Some(formats.join(",")),
            retention: Some(match f.retention {
                RetentionKind::Permanent => "permanen".to_string(),
                RetentionKind::Years => format!("{} tahun", f.retention_years.unwrap_or(0)),
            }),
            how_to_obtain: Some(f.how_to_obtain.clone()),
            category: Some(f.category.as_str().to_string()),
            cadence_months: f.cadence_months.map(|m| m.to_string()),
            exemption_ground: ex.map(|e| e.ground.as_str().to_string()),
            legal_basis: ex.map(|e| e.legal_basis.clone()),
            withheld: ex.map(|e| e.withheld.clone()),
            consequence: ex.map(|e| e.consequence.clone()),
            public_interest: ex.map(|e| e.public_interest.clone()),
            approval_ref: ex.map(|e| e.approval_ref.clone()),
            decided_on: ex.map(|e| e.decided_on.to_string()),
            exempt_until: ex.and_then(|e| e.until.map(|d| d.to_string())),
            category_after: ex.map(|e| e.category_after.as_str().to_string()),
        }
    }

    /// Validates every field at once. `unit_lookup` resolves a unit id or code; `today` is the
    /// WIB date (production dates may not lie in the future; exemption periods are bounded).
    pub fn validate(&self, today: NaiveDate, unit_lookup: impl Fn(&str) -> Option<crate::model::UnitId>) -> Result<crate::dip::ItemFields, FieldErrors> {
        use crate::dip::{ground_is_time_limited, Category, ExemptionRecord, ItemFields, RetentionKind, MAX_CADENCE_MONTHS, MAX_EXEMPTION_YEARS};
        let mut e = FieldErrors::default();
        let title = text(&mut e, "title", &self.title, 3, 300);
        let summary = text(&mut e, "summary", &self.summary, 10, 5000);
        let unit = match clean(&self.unit) {
            None => {
                e.add("unit", "err.unit_required");
                0
            }
            Some(u) => unit_lookup(&u).unwrap_or_else(|| {
                e.add("unit", "err.unit_unknown");
                0
            }),
        };
        let official = text(&mut e, "official", &self.official, 3, 200);
        let produced_on = parse_date(&mut e, "produced_on", &self.produced_on);
        if let Some(d) = produced_on {
            if d > today {
                e.add("produced_on", "err.date_in_future");
            } else if d.year() < 1945 {
                e.add("produced_on", "err.date_too_old");
            }
        }
        let produced_place = optional_text(&mut e, "produced_place", &self.produced_place, 2, 200).unwrap_or_default();
        let period = optional_text(&mut e, "period", &self.period, 2, 100).unwrap_or_default();
        let (mut softcopy, mut hardcopy) = (false, false);
        match clean(&self.formats) {
            None => e.add("formats", "err.choose_at_least_one"),
            Some(s) => {
                for part in s.split([',', ';', '/']).map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()) {
                    match part.replace([' ', '-', '_'], "").as_str() {
                        "softcopy" | "soft" | "elektronik" | "digital" => softcopy = true,
                        "hardcopy" | "hard" | "cetak" | "tercetak" => hardcopy = true,
                        _ => {
                            e.add("formats", "err.choose_one");
                            break;
                        }
                    }
                }
                if !softcopy && !hardcopy && e.get("formats").is_none() {
                    e.add("formats", "err.choose_at_least_one");
                }
            }
        }
        let (retention, retention_years) = match clean(&self.retention).map(|s| s.to_lowercase()) {
            None => {
                e.add("retention", "err.required");
                (RetentionKind::Permanent, None)
            }
            Some(s) if matches!(s.as_str(), "permanen" | "permanent") => (RetentionKind::Permanent, None),
            Some(s) => {
                let n = s.trim_end_matches("tahun").trim_end_matches("years").trim_end_matches("year").trim();
                match n.parse::<u32>() {
                    Ok(y) if (1..=100).contains(&y) => (RetentionKind::Years, Some(y)),
                    _ => {
                        e.add("retention", "err.retention_format");
                        (RetentionKind::Permanent, None)
                    }
                }
            }
        };
        let how_to_obtain = text(&mut e, "how_to_obtain", &self.how_to_obtain, 3, 1000);
        let category = match clean(&self.category).and_then(|c| parse_category(&c)) {
            Some(c) => c,
            None => {
                e.add("category", "err.choose_one");
                Category::SetiapSaat
            }
        };
        let cadence_months = match clean(&self.cadence_months) {
            None => (category == Category::Berkala).then_some(MAX_CADENCE_MONTHS),
            Some(s) => match s.parse::<u32>() {
                Ok(m) if (1..=MAX_CADENCE_MONTHS).contains(&m) && category == Category::Berkala => Some(m),
                Ok(_) if category != Category::Berkala => {
                    e.add("cadence_months", "err.cadence_only_berkala");
                    None
                }
                _ => {
                    e.add("cadence_months", "err.cadence_range");
                    None
                }
            },
        };
        let exemption = if category == Category::Dikecualikan {
            let ground = match clean(&self.exemption_ground).map(|s| s.to_lowercase()) {
                Some(g) => match ExemptionGround::parse(g.trim_start_matches("pasal 17 ").trim_start_matches("huruf ").trim()) {
                    Some(g) => Some(g),
                    None => {
                        e.add("exemption_ground", "err.choose_one");
                        None
                    }
                },
                None => {
                    e.add("exemption_ground", "err.required");
                    None
                }
            };
            let legal_basis = text(&mut e, "legal_basis", &self.legal_basis, 5, 500);
            let withheld = text(&mut e, "withheld", &self.withheld, 5, 2000);
            let consequence = text(&mut e, "consequence", &self.consequence, 10, 5000);
            let public_interest = text(&mut e, "public_interest", &self.public_interest, 10, 5000);
            let approval_ref = text(&mut e, "approval_ref", &self.approval_ref, 3, 200);
            let decided_on = parse_date(&mut e, "decided_on", &self.decided_on);
            if decided_on.is_some_and(|d| d > today) {
                e.add("decided_on", "err.date_in_future");
            }
            let until = match clean(&self.exempt_until) {
                None => {
                    if ground.is_some_and(ground_is_time_limited) {
                        e.add("exempt_until", "err.exempt_until_required");
                    }
                    None
                }
                Some(_) => parse_date(&mut e, "exempt_until", &self.exempt_until),
            };
            if let (Some(u), Some(d)) = (until, decided_on) {
                if u < d {
                    e.add("exempt_until", "err.exempt_until_before_decision");
                } else if d.checked_add_months(chrono::Months::new(12 * MAX_EXEMPTION_YEARS)).is_some_and(|max| u > max) {
                    e.add("exempt_until", "err.exempt_until_too_long");
                }
            }
            let category_after = match clean(&self.category_after).and_then(|c| parse_category(&c)) {
                None if clean(&self.category_after).is_none() => Category::SetiapSaat,
                Some(c) if c != Category::Dikecualikan => c,
                _ => {
                    e.add("category_after", "err.choose_one");
                    Category::SetiapSaat
                }
            };
            ground.zip(decided_on).map(|(ground, decided_on)| ExemptionRecord {
                ground,
                legal_basis,
                withheld,
                consequence,
                public_interest,
                approval_ref,
                decided_on,
                until,
                category_after,
            })
        } else {
            None
        };
        let produced_on = produced_on.unwrap_or(today);
        e.into_result(|| ItemFields {
            title,
            summary,
            unit,
            official,
            produced_on,
            produced_place,
            period,
            softcopy,
            hardcopy,
            retention,
            retention_years,
            how_to_obtain,
            category,
            cadence_months,
            exemption,
        })
    }
}

/// Accepts the code or the usual spellings (`serta-merta`, `setiap saat`, `dikecualikan`).
fn parse_category(s: &str) -> Option<crate::dip::Category> {
    let k = s.trim().to_lowercase().replace([' ', '-'], "_");
    let k = k.trim_start_matches("informasi_").trim_start_matches("tersedia_");
    crate::dip::Category::parse(k).or(match k {
        "periodic" => Some(crate::dip::Category::Berkala),
        "immediate" => Some(crate::dip::Category::SertaMerta),
        "any_time" | "on_request" => Some(crate::dip::Category::SetiapSaat),
        "exempt" => Some(crate::dip::Category::Dikecualikan),
        _ => None,
    })
}

#[cfg(test)]
mod item_tests {
    use super::*;
    use crate::dip::{Category, RetentionKind};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }
    fn lookup(s: &str) -> Option<i64> {
        match s {
            "dinkes" | "3" => Some(3),
            _ => None,
        }
    }
    fn good() -> RawItem {
        RawItem {
            title: Some("Laporan Keuangan 2025".into()),
            summary: Some("Laporan realisasi anggaran Dinas Kesehatan tahun 2025".into()),
            unit: Some("dinkes".into()),
            official: Some("Kepala Dinas Kesehatan".into()),
            produced_on: Some("2026-01-10".into()),
            formats: Some("softcopy, hardcopy".into()),
            retention: Some("5 tahun".into()),
            how_to_obtain: Some("Unduh di laman ini".into()),
            category: Some("berkala".into()),
            ..Default::default()
        }
    }

    #[test]
    fn valid_item() {
        let f = good().validate(today(), lookup).unwrap();
        assert_eq!((f.unit, f.softcopy, f.hardcopy), (3, true, true));
        assert_eq!((f.retention, f.retention_years), (RetentionKind::Years, Some(5)));
        assert_eq!(f.cadence_months, Some(6));
        assert_eq!(f.category, Category::Berkala);
        let back = RawItem::from_fields(&f, "dinkes").validate(today(), lookup).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn every_problem_at_once() {
        let raw = RawItem {
            category: Some("rahasia".into()),
            formats: Some("papirus".into()),
            retention: Some("selamanya".into()),
            unit: Some("x".into()),
            ..Default::default()
        };
        let e = raw.validate(today(), lookup).unwrap_err();
        for (field, code) in [
            ("title", "err.required"),
            ("summary", "err.required"),
            ("unit", "err.unit_unknown"),
            ("official", "err.required"),
            ("produced_on", "err.required"),
            ("formats", "err.choose_one"),
            ("retention", "err.retention_format"),
            ("how_to_obtain", "err.required"),
            ("category", "err.choose_one"),
        ] {
            assert_eq!(e.get(field), Some(code), "{field}: {e:?}");
        }
    }

    #[test]
    fn exempt_items_need_the_consequence_test() {
        let mut raw = good();
        raw.category = Some("dikecualikan".into());
        let e = raw.validate(today(), lookup).unwrap_err();
        for f in ["exemption_ground", "legal_basis", "withheld", "consequence", "public_interest", "approval_ref", "decided_on"] {
            assert!(e.get(f).is_some(), "{f}");
        }
        raw.exemption_ground = Some("a".into());
        raw.legal_basis = Some("UU 14/2008 Pasal 17 huruf a".into());
        raw.withheld = Some("Identitas pelapor".into());
        raw.consequence = Some("Membahayakan keselamatan pelapor".into());
        raw.public_interest = Some("Kepentingan publik lebih kecil".into());
        raw.approval_ref = Some("SK-01/2026".into());
        raw.decided_on = Some("2026-02-01".into());
        // Ground a is time-limited: an end date is required, within 30 years.
        assert_eq!(raw.validate(today(), lookup).unwrap_err().get("exempt_until"), Some("err.exempt_until_required"));
        raw.exempt_until = Some("2057-01-01".into());
        assert_eq!(raw.validate(today(), lookup).unwrap_err().get("exempt_until"), Some("err.exempt_until_too_long"));
        raw.exempt_until = Some("2026-01-01".into());
        assert_eq!(raw.validate(today(), lookup).unwrap_err().get("exempt_until"), Some("err.exempt_until_before_decision"));
        raw.exempt_until = Some("2030-12-31".into());
        raw.cadence_months = Some("3".into());
        assert_eq!(raw.validate(today(), lookup).unwrap_err().get("cadence_months"), Some("err.cadence_only_berkala"));
        raw.cadence_months = None;
        let f = raw.validate(today(), lookup).unwrap();
        let ex = f.exemption.unwrap();
        assert_eq!(ex.until, NaiveDate::from_ymd_opt(2030, 12, 31));
        assert_eq!(ex.category_after, Category::SetiapSaat);
        // Ground h has no fixed end.
        raw.exemption_ground = Some("h".into());
        raw.exempt_until = None;
        assert!(raw.validate(today(), lookup).unwrap().exemption.unwrap().until.is_none());
        raw.category_after = Some("dikecualikan".into());
        assert_eq!(raw.validate(today(), lookup).unwrap_err().get("category_after"), Some("err.choose_one"));
    }

    #[test]
    fn import_columns_in_either_language() {
        assert_eq!(RawItem::column("Judul"), Some("title"));
        assert_eq!(RawItem::column("\u{feff}ringkasan isi"), Some("summary"));
        assert_eq!(RawItem::column("Cara-Memperoleh"), Some("how_to_obtain"));
        assert_eq!(RawItem::column("exempt_until"), Some("exempt_until"));
        assert_eq!(RawItem::column("warna"), None);
        let cols = vec![Some("title"), None, Some("category")];
        let r = RawItem::from_row(&cols, &["A".into(), "ignored".into(), "serta-merta".into()]);
        assert_eq!((r.title.as_deref(), r.category.as_deref()), (Some("A"), Some("serta-merta")));
        assert_eq!(parse_category("serta-merta"), Some(Category::SertaMerta));
        assert_eq!(parse_category("Informasi Tersedia Setiap Saat"), Some(Category::SetiapSaat));
    }

    #[test]
    fn bad_values() {
        let mut raw = good();
        raw.produced_on = Some("2030-01-01".into());
        raw.cadence_months = Some("7".into());
        raw.retention = Some("0 tahun".into());
        raw.formats = Some(" , ".into());
        let e = raw.validate(today(), lookup).unwrap_err();
        assert_eq!(e.get("produced_on"), Some("err.date_in_future"));
        assert_eq!(e.get("cadence_months"), Some("err.cadence_range"));
        assert_eq!(e.get("retention"), Some("err.retention_format"));
        assert_eq!(e.get("formats"), Some("err.choose_at_least_one"));
    }
}
