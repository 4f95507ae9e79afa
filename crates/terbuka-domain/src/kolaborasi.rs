//! *Kolaborasi*: needs, pledges and deliveries of aid on a public ledger.
//!
//! Four life-cycles, each an explicit table: organisations (verified by an officer before they
//! may post), needs, pledges and deliveries. A need's progress (open → partly pledged → fully
//! pledged → delivered → verified) is derived from its tally of quantities, so it can never
//! disagree with the pledges and deliveries behind it; the table says which events may happen in
//! which state. The quantity rules (no pledge beyond what is still needed unless the posting
//! organisation allows it, no delivery beyond what was pledged) and the duplicate-aid guard are
//! pure functions here; the store applies them inside one transaction.

use crate::model::coded_enum;
use crate::validate::{clean, optional_text, parse_date, text, truthy, valid_email, valid_nik, valid_phone, FieldErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

coded_enum! {
    /// Who an organisation is.
    OrgKind {
        /// A work unit of the public body itself.
        UnitPemda = "unit_pemda",
        Kelurahan = "kelurahan",
        RtRw = "rt_rw",
        Komunitas = "komunitas",
        Perusahaan = "perusahaan",
        RumahSakit = "rumah_sakit",
        Lainnya = "lainnya",
    }
}

coded_enum! {
    OrgState {
        /// Registered, waiting in the moderation queue; cannot post needs.
        Pending = "pending",
        /// Checked by an officer; may post needs; its posts carry the verified badge and date.
        Verified = "verified",
        Rejected = "rejected",
        /// Verification withdrawn; its open needs stay visible but take no new pledges.
        Suspended = "suspended",
    }
}

coded_enum! {
    OrgEvent {
        Verify = "verify",
        Reject = "reject",
        Suspend = "suspend",
        Reinstate = "reinstate",
    }
}

/// A transition that the table does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not allowed in state {state}")]
pub struct Forbidden {
    pub state: &'static str,
    pub event: &'static str,
}

fn forbidden(state: &'static str, event: &'static str) -> Forbidden {
    Forbidden { state, event }
}

/// The organisation life-cycle. A rejected organisation may be verified after it corrects its
/// registration (the officer decides again); nothing else is allowed.
pub fn org_transition(state: OrgState, event: OrgEvent) -> Result<OrgState, Forbidden> {
    use OrgEvent as E;
    use OrgState as S;
    match (state, event) {
        (S::Pending | S::Rejected, E::Verify) => Ok(S::Verified),
        (S::Pending, E::Reject) => Ok(S::Rejected),
        (S::Verified, E::Suspend) => Ok(S::Suspended),
        (S::Suspended, E::Reinstate) => Ok(S::Verified),
        _ => Err(forbidden(state.as_str(), event.as_str())),
    }
}

coded_enum! {
    NeedState {
        Open = "open",
        PartlyPledged = "partly_pledged",
        FullyPledged = "fully_pledged",
        /// Deliveries cover the need; waiting for the posting organisation to confirm receipt.
        Delivered = "delivered",
        /// The posting organisation confirmed receipt of the whole quantity.
        Verified = "verified",
        /// `until` passed before the need was covered; unfulfilled pledges were released.
        Expired = "expired",
        /// Withdrawn by the posting organisation; pledges were released.
        Cancelled = "cancelled",
        /// Taken down by a moderator; the page shows the public note instead of the need.
        TakenDown = "taken_down",
    }
}

impl NeedState {
    /// States in which the need takes pledges (subject to the quantity rule).
    pub fn takes_pledges(self) -> bool {
        matches!(self, NeedState::Open | NeedState::PartlyPledged | NeedState::FullyPledged)
    }
    /// States that no further pledge, delivery or expiry changes.
    pub fn is_closed(self) -> bool {
        matches!(self, NeedState::Verified | NeedState::Expired | NeedState::Cancelled | NeedState::TakenDown)
    }
}

coded_enum! {
    NeedEvent {
        Pledge = "pledge",
        /// A pledge expired or was cancelled; its undelivered quantity returns to the need.
        PledgeReleased = "pledge_released",
        DeliveryRecorded = "delivery_recorded",
        DeliveryConfirmed = "delivery_confirmed",
        /// The posting organisation disputes a delivery (or a moderator rejects it).
        DeliveryDisputed = "delivery_disputed",
        Expire = "expire",
        Cancel = "cancel",
        TakeDown = "take_down",
        Reinstate = "reinstate",
    }
}

/// The quantities behind a need's progress, in the need's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    pub quantity: i64,
    /// Committed by pledges: the whole quantity of active and fulfilled pledges, and the
    /// delivered part of expired or cancelled ones.
    pub pledged: i64,
    /// Delivered by pledgers (recorded, confirmed or disputed deliveries; not rejected ones).
    pub delivered: i64,
    /// Confirmed as received by the posting organisation.
    pub confirmed: i64,
}

impl Tally {
    /// What is still needed (never negative).
    pub fn remaining(&self) -> i64 {
        (self.quantity - self.pledged).max(0)
    }
    /// The progress state these quantities mean.
    pub fn progress(&self) -> NeedState {
        if self.confirmed >= self.quantity {
            NeedState::Verified
        } else if self.delivered >= self.quantity {
            NeedState::Delivered
        } else if self.pledged >= self.quantity {
            NeedState::FullyPledged
        } else if self.pledged > 0 {
            NeedState::PartlyPledged
        } else {
            NeedState::Open
        }
    }
}

/// The need life-cycle. `after` is the tally once the event's quantities are applied; progress
/// states follow it, the other states are explicit.
pub fn need_transition(state: NeedState, event: NeedEvent, after: &Tally) -> Result<NeedState, Forbidden> {
    use NeedEvent as E;
    use NeedState as S;
    let active = matches!(state, S::PartlyPledged | S::FullyPledged | S::Delivered);
    let next = match (state, event) {
        (S::Open | S::PartlyPledged | S::FullyPledged, E::Pledge) => after.progress(),
        (_, E::PledgeReleased) if active => after.progress(),
        // Releasing the pledges of a need that was closed leaves it closed.
        (S::Expired | S::Cancelled | S::TakenDown, E::PledgeReleased) => state,
        // A verified need may still hold an extra pledge (over-pledging allowed) that is
        // released later; it stays verified.
        (S::Verified, E::PledgeReleased) => state,
        // Deliveries recorded before a need closed can still be confirmed or their dispute
        // decided: disputes are never stranded. The need stays closed.
        (S::Expired | S::Cancelled | S::TakenDown, E::DeliveryConfirmed | E::DeliveryDisputed) => state,
        (_, E::DeliveryRecorded | E::DeliveryConfirmed | E::DeliveryDisputed) if active => after.progress(),
        (S::Open | S::PartlyPledged | S::FullyPledged, E::Expire | E::Cancel) => {
            if event == E::Expire {
                S::Expired
            } else {
                S::Cancelled
            }
        }
        (S::Open | S::PartlyPledged | S::FullyPledged | S::Delivered | S::Verified | S::Expired, E::TakeDown) => S::TakenDown,
        (S::TakenDown, E::Reinstate) => after.progress(),
        _ => return Err(forbidden(state.as_str(), event.as_str())),
    };
    Ok(next)
}

coded_enum! {
    PledgeState {
        /// Promised; not yet wholly delivered.
        Active = "active",
        /// Wholly delivered.
        Fulfilled = "fulfilled",
        /// Not delivered by its date; the undelivered quantity went back to the need.
        Expired = "expired",
        /// Cancelled by the pledger, or released because the need closed.
        Cancelled = "cancelled",
    }
}

coded_enum! {
    PledgeEvent {
        /// A delivery was recorded (or a rejected one taken back); progress follows quantities.
        Deliver = "deliver",
        /// A disputed delivery was rejected; the pledge is owed again.
        DeliveryRejected = "delivery_rejected",
        Expire = "expire",
        Cancel = "cancel",
    }
}

/// The pledge life-cycle. `delivered`/`quantity` are the pledge's figures after the event.
pub fn pledge_transition(state: PledgeState, event: PledgeEvent, delivered: i64, quantity: i64) -> Result<PledgeState, Forbidden> {
    use PledgeEvent as E;
    use PledgeState as S;
    let progress = if delivered >= quantity { S::Fulfilled } else { S::Active };
    match (state, event) {
        (S::Active, E::Deliver) => Ok(progress),
        (S::Active | S::Fulfilled, E::DeliveryRejected) => Ok(progress),
        // An expired or cancelled pledge keeps what it delivered; a rejected delivery lowers it.
        (S::Expired | S::Cancelled, E::DeliveryRejected) => Ok(state),
        (S::Active, E::Expire) => Ok(S::Expired),
        (S::Active, E::Cancel) => Ok(S::Cancelled),
        _ => Err(forbidden(state.as_str(), event.as_str())),
    }
}

coded_enum! {
    DeliveryState {
        /// Recorded by the pledger, with proof; waiting for the posting organisation.
        Recorded = "recorded",
        /// The posting organisation confirmed receipt.
        Confirmed = "confirmed",
        /// The posting organisation says it did not arrive as recorded; a moderator decides.
        Disputed = "disputed",
        /// A moderator found the dispute right: the delivery does not count.
        Rejected = "rejected",
    }
}

coded_enum! {
    DeliveryEvent {
        Confirm = "confirm",
        Dispute = "dispute",
        /// Moderator: the delivery happened after all.
        ResolveAccept = "resolve_accept",
        /// Moderator: the delivery did not happen as recorded.
        ResolveReject = "resolve_reject",
    }
}

/// The delivery life-cycle. Disputes are never dropped: a disputed delivery stays on the ledger
/// until a moderator resolves it, and the resolution stays too.
pub fn delivery_transition(state: DeliveryState, event: DeliveryEvent) -> Result<DeliveryState, Forbidden> {
    use DeliveryEvent as E;
    use DeliveryState as S;
    match (state, event) {
        (S::Recorded, E::Confirm) => Ok(S::Confirmed),
        (S::Recorded, E::Dispute) => Ok(S::Disputed),
        (S::Disputed, E::ResolveAccept) => Ok(S::Confirmed),
        (S::Disputed, E::ResolveReject) => Ok(S::Rejected),
        _ => Err(forbidden(state.as_str(), event.as_str())),
    }
}

/// Why a pledge is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PledgeRefusal {
    #[error("the need no longer takes pledges")]
    Closed,
    #[error("the need's period has ended")]
    PastUntil,
    #[error("only {remaining} is still needed")]
    OverPledge { remaining: i64 },
    #[error("the posting organisation is not verified")]
    OrgNotVerified,
}

impl PledgeRefusal {
    pub fn code(self) -> &'static str {
        match self {
            PledgeRefusal::Closed => "err.aid_need_closed",
            PledgeRefusal::PastUntil => "err.aid_need_past_until",
            PledgeRefusal::OverPledge { .. } => "err.aid_over_pledge",
            PledgeRefusal::OrgNotVerified => "err.aid_org_not_verified",
        }
    }
}

/// Whether a pledge of `quantity` may be taken now. Evaluated inside the transaction that saves
/// the pledge, against the tally as it is there, so concurrent pledges cannot overshoot.
pub fn check_pledge(
    state: NeedState,
    org: OrgState,
    tally: &Tally,
    until: NaiveDate,
    today: NaiveDate,
    quantity: i64,
    allow_over: bool,
) -> Result<(), PledgeRefusal> {
    if org != OrgState::Verified {
        return Err(PledgeRefusal::OrgNotVerified);
    }
    if !state.takes_pledges() {
        return Err(PledgeRefusal::Closed);
    }
    if today > until {
        return Err(PledgeRefusal::PastUntil);
    }
    if !allow_over && quantity > tally.remaining() {
        return Err(PledgeRefusal::OverPledge { remaining: tally.remaining() });
    }
    Ok(())
}

/// A pledge not wholly delivered by its date expires the day after.
pub fn pledge_expired(deliver_by: NaiveDate, today: NaiveDate) -> bool {
    today > deliver_by
}

/// A need expires the day after `until` if it is not yet covered by deliveries.
pub fn need_expired(state: NeedState, until: NaiveDate, today: NaiveDate) -> bool {
    today > until && matches!(state, NeedState::Open | NeedState::PartlyPledged | NeedState::FullyPledged)
}

/// One beneficiary list's place in time and kind, for the duplicate-aid guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AidWindow {
    pub need: i64,
    pub item_type: i64,
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl AidWindow {
    /// Same kind of aid in an overlapping period, from another need.
    pub fn clashes_with(&self, other: &AidWindow) -> bool {
        self.need != other.need && self.item_type == other.item_type && self.from <= other.until && other.from <= self.until
    }
}

/// A household (by keyed hash) that already appears on another need's list for the same kind of
/// aid in an overlapping period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateFlag {
    pub household: String,
    pub other_need: i64,
}

/// The duplicate-aid guard: which households of `mine` already appear on a clashing list.
/// `others` are (window, household hashes) of the other lists; the result is sorted and has one
/// flag per (household, other need).
pub fn duplicate_flags(window: &AidWindow, mine: &[String], others: &[(AidWindow, Vec<String>)]) -> Vec<DuplicateFlag> {
    let mine: HashSet<&String> = mine.iter().collect();
    let mut flags = BTreeMap::new();
    for (w, households) in others {
        if !window.clashes_with(w) {
            continue;
        }
        for h in households {
            if mine.contains(h) {
                flags.insert((h.clone(), w.need), ());
            }
        }
    }
    flags.into_keys().map(|(household, other_need)| DuplicateFlag { household, other_need }).collect()
}

/// One row of a beneficiary list: the person's NIK and the household's family-card number (No.
/// KK). The caller hashes both with a secret key at once; the plain values are never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Beneficiary {
    pub nik: String,
    pub household: String,
}

impl std::fmt::Debug for Beneficiary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Beneficiary(..)")
    }
}

/// A problem in one row of a beneficiary list (1-based line numbers, header = line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: usize,
    pub column: &'static str,
    pub code: &'static str,
}

pub const MAX_BENEFICIARIES: usize = 20_000;

/// Reads a beneficiary list (rows of cells, first row the header with `nik` and `no_kk`/`kk`/
/// `household` columns). Every problem is reported; a list with any problem is refused whole.
/// Problems never quote the values, so they can be shown and logged.
pub fn parse_beneficiaries(rows: &[Vec<String>]) -> Result<Vec<Beneficiary>, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let Some(header) = rows.first() else {
        return Err(vec![RowProblem { line: 1, column: "nik", code: "err.aid_list_empty" }]);
    };
    let find = |names: &[&str]| {
        header.iter().position(|h| {
            let h = h.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-', '.'], "_");
            names.contains(&h.as_str())
        })
    };
    let nik_col = find(&["nik"]);
    let kk_col = find(&["no_kk", "nokk", "kk", "nomor_kk", "household"]);
    if nik_col.is_none() {
        problems.push(RowProblem { line: 1, column: "nik", code: "err.aid_list_missing_column" });
    }
    if kk_col.is_none() {
        problems.push(RowProblem { line: 1, column: "no_kk", code: "err.aid_list_missing_column" });
    }
    let (Some(nik_col), Some(kk_col)) = (nik_col, kk_col) else {
        return Err(problems);
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = i + 1;
        let nik: String = row.get(nik_col).map(|s| s.trim().replace([' ', '\''], "")).unwrap_or_default();
        let kk: String = row.get(kk_col).map(|s| s.trim().replace([' ', '\''], "")).unwrap_or_default();
        let mut ok = true;
        if !valid_nik(&nik) {
            problems.push(RowProblem { line, column: "nik", code: if nik.is_empty() { "err.required" } else { "err.nik_format" } });
            ok = false;
        }
        if kk.len() != 16 || !kk.bytes().all(|b| b.is_ascii_digit()) {
            problems.push(RowProblem { line, column: "no_kk", code: if kk.is_empty() { "err.required" } else { "err.kk_format" } });
            ok = false;
        }
        if ok && !seen.insert(nik.clone()) {
            problems.push(RowProblem { line, column: "nik", code: "err.aid_list_duplicate" });
            ok = false;
        }
        if ok {
            out.push(Beneficiary { nik, household: kk });
        }
    }
    if out.len() > MAX_BENEFICIARIES {
        problems.push(RowProblem { line: rows.len(), column: "nik", code: "err.aid_list_too_long" });
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(RowProblem { line: 2, column: "nik", code: "err.aid_list_empty" });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The largest quantity one need or pledge may carry: cash aid is counted in rupiah, so the cap is
/// Rp 1 miliar; it still stops a runaway typo (an extra row of zeros).
pub const MAX_QUANTITY: i64 = 1_000_000_000;

fn quantity(e: &mut FieldErrors, field: &'static str, raw: &Option<String>) -> i64 {
    match clean(raw).map(|s| s.replace(['.', ' '], "")) {
        None => {
            e.add(field, "err.required");
            0
        }
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n <= 0 => {
                e.add(field, "err.quantity_positive");
                0
            }
            Ok(n) if n > MAX_QUANTITY => {
                e.add(field, "err.quantity_too_large");
                0
            }
            Ok(n) => n,
            Err(_) => {
                e.add(field, "err.quantity_number");
                0
            }
        },
    }
}

fn optional_count(e: &mut FieldErrors, field: &'static str, raw: &Option<String>) -> Option<i64> {
    clean(raw).and_then(|_| {
        let n = quantity(e, field, raw);
        (n > 0).then_some(n)
    })
}

/// Contact: an e-mail address or a phone number (at least one).
fn contact(
    e: &mut FieldErrors,
    email_field: &'static str,
    phone_field: &'static str,
    email: &Option<String>,
    phone: &Option<String>,
) -> (Option<String>, Option<String>) {
    let email = clean(email).map(|s| valid_email(&s).ok_or(()));
    let phone = clean(phone).map(|s| valid_phone(&s).ok_or(()));
    if matches!(email, Some(Err(()))) {
        e.add(email_field, "err.email_format");
    }
    if matches!(phone, Some(Err(()))) {
        e.add(phone_field, "err.phone_format");
    }
    if email.is_none() && phone.is_none() {
        e.add(email_field, "err.contact_required");
    }
    (email.and_then(Result::ok), phone.and_then(Result::ok))
}

/// The organisation registration form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawOrg {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub description: Option<String>,
    /// Region code (any level) where the organisation works.
    pub region: Option<String>,
    pub address: Option<String>,
    /// Shown on the organisation's posts.
    pub public_email: Option<String>,
    pub public_phone: Option<String>,
    /// The person registering: private, seen by officers only.
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSubmission {
    pub name: String,
    pub kind: OrgKind,
    pub description: Option<String>,
    pub region: String,
    pub address: Option<String>,
    pub public_email: Option<String>,
    pub public_phone: Option<String>,
}

/// The private part of a registration (sealed before it is stored).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgContact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl std::fmt::Debug for OrgContact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OrgContact(..)")
    }
}

impl RawOrg {
    /// `region_ok` says whether a region code exists.
    pub fn validate(&self, region_ok: impl Fn(&str) -> bool) -> Result<(OrgSubmission, OrgContact), FieldErrors> {
        let mut e = FieldErrors::default();
        let name = text(&mut e, "name", &self.name, 3, 200);
        let kind = match clean(&self.kind) {
            None => {
                e.add("kind", "err.required");
                OrgKind::Lainnya
            }
            Some(k) => OrgKind::parse(&k).unwrap_or_else(|| {
                e.add("kind", "err.choice");
                OrgKind::Lainnya
            }),
        };
        let description = optional_text(&mut e, "description", &self.description, 10, 2000);
        let region = match clean(&self.region) {
            None => {
                e.add("region", "err.required");
                String::new()
            }
            Some(r) if !region_ok(&r) => {
                e.add("region", "err.region_unknown");
                String::new()
            }
            Some(r) => r,
        };
        let address = optional_text(&mut e, "address", &self.address, 5, 500);
        let (public_email, public_phone) = contact(&mut e, "public_email", "public_phone", &self.public_email, &self.public_phone);
        let contact_name = text(&mut e, "contact_name", &self.contact_name, 3, 200);
        let (c_email, c_phone) = {
            let mut ce = FieldErrors::default();
            let r = contact(&mut ce, "contact_email", "contact_phone", &self.contact_email, &self.contact_phone);
            e.0.extend(ce.0);
            r
        };
        e.into_result(|| {
            (
                OrgSubmission { name, kind, description, region, address, public_email, public_phone },
                OrgContact { name: contact_name, email: c_email, phone: c_phone },
            )
        })
    }
}

/// The need form (posted by a verified organisation).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawNeed {
    pub title: Option<String>,
    /// Catalogue item type code.
    pub item_type: Option<String>,
    pub description: Option<String>,
    pub quantity: Option<String>,
    /// Kelurahan code.
    pub region: Option<String>,
    /// RW number, optional (1-3 digits).
    pub rw: Option<String>,
    pub households: Option<String>,
    pub people: Option<String>,
    pub until: Option<String>,
    /// Checkbox: pledges may exceed what is still needed.
    pub allow_over_pledge: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedSubmission {
    pub title: String,
    pub item_type: String,
    pub description: Option<String>,
    pub quantity: i64,
    pub region: String,
    pub rw: Option<String>,
    pub households: Option<i64>,
    pub people: Option<i64>,
    pub until: NaiveDate,
    pub allow_over_pledge: bool,
}

/// How far ahead a need may run.
pub const MAX_NEED_DAYS: i64 = 366;

impl RawNeed {
    /// `item_ok` checks a catalogue code, `kelurahan_ok` a kelurahan code.
    pub fn validate(&self, today: NaiveDate, item_ok: impl Fn(&str) -> bool, kelurahan_ok: impl Fn(&str) -> bool) -> Result<NeedSubmission, FieldErrors> {
        let mut e = FieldErrors::default();
        let title = text(&mut e, "title", &self.title, 5, 200);
        let item_type = match clean(&self.item_type) {
            None => {
                e.add("item_type", "err.required");
                String::new()
            }
            Some(c) if !item_ok(&c) => {
                e.add("item_type", "err.choice");
                String::new()
            }
            Some(c) => c,
        };
        let description = optional_text(&mut e, "description", &self.description, 10, 3000);
        let quantity = quantity(&mut e, "quantity", &self.quantity);
        let region = match clean(&self.region) {
            None => {
                e.add("region", "err.required");
                String::new()
            }
            Some(r) if !kelurahan_ok(&r) => {
                e.add("region", "err.kelurahan_unknown");
                String::new()
            }
            Some(r) => r,
        };
        let rw = clean(&self.rw).and_then(|s| {
            let digits = s.trim_start_matches(|c: char| c.is_alphabetic() || c == ' ').trim();
            match digits.parse::<u16>() {
                Ok(n) if (1..=999).contains(&n) => Some(format!("{n:03}")),
                _ => {
                    e.add("rw", "err.rw_format");
                    None
                }
            }
        });
        let households = optional_count(&mut e, "households", &self.households);
        let people = optional_count(&mut e, "people", &self.people);
        let until = parse_date(&mut e, "until", &self.until);
        if let Some(u) = until {
            if u < today {
                e.add("until", "err.date_in_past");
            } else if (u - today).num_days() > MAX_NEED_DAYS {
                e.add("until", "err.date_too_far");
            }
        }
        let allow_over_pledge = truthy(&self.allow_over_pledge);
        e.into_result(|| NeedSubmission {
            title,
            item_type,
            description,
            quantity,
            region,
            rw,
            households,
            people,
            until: until.unwrap_or(today),
            allow_over_pledge,
        })
    }
}

/// The pledge form (anyone).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawPledge {
    pub quantity: Option<String>,
    /// Private.
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Checkbox: show `public_name` on the ledger.
    pub show_name: Option<String>,
    pub public_name: Option<String>,
    /// Defaults to the need's `until`.
    pub deliver_by: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PledgeSubmission {
    pub quantity: i64,
    pub public_name: Option<String>,
    pub deliver_by: NaiveDate,
    pub note: Option<String>,
}

/// The pledger's private details (sealed before they are stored).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PledgerContact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl std::fmt::Debug for PledgerContact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PledgerContact(..)")
    }
}

impl RawPledge {
    pub fn validate(&self, today: NaiveDate, need_until: NaiveDate) -> Result<(PledgeSubmission, PledgerContact), FieldErrors> {
        let mut e = FieldErrors::default();
        let quantity = quantity(&mut e, "quantity", &self.quantity);
        let name = text(&mut e, "name", &self.name, 2, 200);
        let (email, phone) = contact(&mut e, "email", "phone", &self.email, &self.phone);
        let public_name = if truthy(&self.show_name) {
            let n = text(&mut e, "public_name", &self.public_name, 2, 120);
            (!n.is_empty()).then_some(n)
        } else {
            None
        };
        let deliver_by = match clean(&self.deliver_by) {
            None => need_until,
            Some(_) => match parse_date(&mut e, "deliver_by", &self.deliver_by) {
                Some(d) if d < today => {
                    e.add("deliver_by", "err.date_in_past");
                    need_until
                }
                Some(d) if d > need_until => {
                    e.add("deliver_by", "err.aid_after_until");
                    need_until
                }
                Some(d) => d,
                None => need_until,
            },
        };
        let note = optional_text(&mut e, "note", &self.note, 1, 1000);
        e.into_result(|| (PledgeSubmission { quantity, public_name, deliver_by, note }, PledgerContact { name, email, phone }))
    }
}

/// The delivery form (the pledger, through the pledge's private link).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawDelivery {
    pub quantity: Option<String>,
    pub delivered_on: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverySubmission {
    pub quantity: i64,
    pub delivered_on: NaiveDate,
    pub note: Option<String>,
}

impl RawDelivery {
    /// `outstanding` is what the pledge still owes; `pledged_on` the pledge date.
    pub fn validate(&self, today: NaiveDate, pledged_on: NaiveDate, outstanding: i64) -> Result<DeliverySubmission, FieldErrors> {
        let mut e = FieldErrors::default();
        let quantity = quantity(&mut e, "quantity", &self.quantity);
        if quantity > outstanding {
            e.add("quantity", "err.aid_over_delivery");
        }
        let delivered_on = match clean(&self.delivered_on) {
            None => today,
            Some(_) => parse_date(&mut e, "delivered_on", &self.delivered_on).unwrap_or(today),
        };
        if delivered_on > today {
            e.add("delivered_on", "err.date_in_future");
        } else if delivered_on < pledged_on {
            e.add("delivered_on", "err.aid_before_pledge");
        }
        let note = optional_text(&mut e, "note", &self.note, 1, 1000);
        e.into_result(|| DeliverySubmission { quantity, delivered_on, note })
    }
}

coded_enum! {
    /// Why someone reports a need to the moderators.
    ReportReason {
        /// Looks fraudulent or the organisation is not who it says.
        Fraud = "fraud",
        /// Already covered elsewhere or posted twice.
        Duplicate = "duplicate",
        /// Contains someone's personal data.
        PersonalData = "personal_data",
        /// Offensive or unrelated content.
        Inappropriate = "inappropriate",
        Other = "other",
    }
}

/// The "report this need" form (anyone, anonymous).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawReport {
    pub reason: Option<String>,
    pub detail: Option<String>,
}

impl RawReport {
    pub fn validate(&self) -> Result<(ReportReason, Option<String>), FieldErrors> {
        let mut e = FieldErrors::default();
        let reason = match clean(&self.reason) {
            None => {
                e.add("reason", "err.required");
                ReportReason::Other
            }
            Some(r) => ReportReason::parse(&r).unwrap_or_else(|| {
                e.add("reason", "err.choice");
                ReportReason::Other
            }),
        };
        let detail = optional_text(&mut e, "detail", &self.detail, 5, 2000);
        if reason == ReportReason::Other && detail.is_none() && e.get("detail").is_none() {
            e.add("detail", "err.required");
        }
        e.into_result(|| (reason, detail))
    }
}

#[cfg(test)]
mod tests;
