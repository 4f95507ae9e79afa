//! Row types of the kolaborasi tables.
//!
//! Personal data (an organisation's contact person, a pledger's name and contact) arrives sealed
//! (`*_enc`); beneficiaries arrive as keyed hashes. Nothing here can hold a NIK.

use crate::types::NewMail;
use chrono::{DateTime, NaiveDate, Utc};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::kolaborasi::{DeliveryState, NeedState, OrgKind, OrgState, PledgeState, ReportReason, Tally};
use terbuka_domain::OfficerId;

/// An entry of the editable aid catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AidItemType {
    pub id: i64,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub unit_id: String,
    pub unit_en: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewOrg {
    pub name: String,
    pub kind: OrgKind,
    pub description: Option<String>,
    pub region: String,
    pub address: Option<String>,
    pub public_email: Option<String>,
    pub public_phone: Option<String>,
    pub contact_enc: Vec<u8>,
    pub token_hash: String,
    pub state: OrgState,
    pub verified_by: Option<OfficerId>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct StoredOrg {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub description: Option<String>,
    pub region: String,
    pub address: Option<String>,
    pub public_email: Option<String>,
    pub public_phone: Option<String>,
    pub contact_enc: Vec<u8>,
    pub state: OrgState,
    pub state_note: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<OfficerId>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An organisation's verification decision.
#[derive(Clone)]
pub struct OrgDecision {
    pub state: OrgState,
    pub note: Option<String>,
    /// Set when the organisation becomes verified.
    pub verified: Option<(DateTime<Utc>, OfficerId)>,
    pub at: DateTime<Utc>,
    pub mails: Vec<NewMail>,
    pub audit: NewAuditEntry,
}

#[derive(Debug, Clone)]
pub struct NewNeed {
    pub org: i64,
    pub item_type: i64,
    pub title: String,
    pub description: Option<String>,
    pub quantity: i64,
    pub region: String,
    pub rw: Option<String>,
    pub households: Option<i64>,
    pub people: Option<i64>,
    pub until: NaiveDate,
    pub allow_over_pledge: bool,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct StoredNeed {
    pub id: i64,
    pub org: i64,
    pub item_type: i64,
    pub title: String,
    pub description: Option<String>,
    pub quantity: i64,
    pub region: String,
    pub rw: Option<String>,
    pub households: Option<i64>,
    pub people: Option<i64>,
    pub until: NaiveDate,
    pub allow_over_pledge: bool,
    pub state: NeedState,
    pub tally: Tally,
    pub takedown_note: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewPledge {
    pub quantity: i64,
    pub public_name: Option<String>,
    pub contact_enc: Vec<u8>,
    pub contact_hash: String,
    pub token_hash: String,
    pub deliver_by: NaiveDate,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StoredPledge {
    pub id: i64,
    pub need: i64,
    pub quantity: i64,
    pub delivered: i64,
    pub state: PledgeState,
    pub public_name: Option<String>,
    pub contact_enc: Vec<u8>,
    pub deliver_by: NaiveDate,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A delivery's proof file, already in the object store under its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofFile {
    pub key: String,
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub pledge: i64,
    pub quantity: i64,
    pub delivered_on: NaiveDate,
    pub note: Option<String>,
    pub proof: Option<ProofFile>,
}

#[derive(Debug, Clone)]
pub struct StoredDelivery {
    pub id: i64,
    pub pledge: i64,
    pub need: i64,
    pub quantity: i64,
    pub delivered_on: NaiveDate,
    pub note: Option<String>,
    pub state: DeliveryState,
    pub proof: Option<ProofFile>,
    pub dispute_reason: Option<String>,
    pub resolution_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Refers to a pledge or delivery in a [`NeedWrite`]: an existing one, or the one the write
/// creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    Existing(i64),
    New,
}

/// One line of a need's public history. `actor_kind` is a role (`org`, `donor`, `officer`,
/// `system`), never a person.
#[derive(Debug, Clone)]
pub struct NewNeedEvent {
    pub event: String,
    pub actor_kind: &'static str,
    pub pledge: Option<Ref>,
    pub delivery: Option<Ref>,
    pub quantity: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedEventRow {
    pub id: i64,
    pub need: i64,
    pub at: DateTime<Utc>,
    pub event: String,
    pub actor_kind: String,
    pub pledge: Option<i64>,
    pub delivery: Option<i64>,
    pub quantity: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PledgeUpdate {
    pub id: i64,
    pub state: PledgeState,
    pub delivered: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryUpdate {
    pub id: i64,
    pub state: DeliveryState,
    /// `Some` replaces the stored value.
    pub dispute_reason: Option<String>,
    pub resolution_note: Option<String>,
}

/// What the store holds of a need at the moment a write is decided, read inside the write's
/// transaction after the audit lock is taken (so no other writer can change it meanwhile).
#[derive(Debug, Clone)]
pub struct NeedSnapshot {
    pub need: StoredNeed,
    pub org: StoredOrg,
    /// Empty unless the write asked for the need's pledges and deliveries.
    pub pledges: Vec<StoredPledge>,
    pub deliveries: Vec<StoredDelivery>,
    /// Pledges made with the contact given to `change_need_for_contact` within its window (0
    /// otherwise).
    pub contact_recent: i64,
}

/// Everything one change to a need saves, in one transaction.
#[derive(Clone)]
pub struct NeedWrite {
    pub state: NeedState,
    pub tally: Tally,
    /// `Some` sets the public take-down note (`Some(None)` clears it).
    pub takedown_note: Option<Option<String>>,
    pub new_pledge: Option<NewPledge>,
    pub pledge_updates: Vec<PledgeUpdate>,
    pub new_delivery: Option<NewDelivery>,
    pub delivery_updates: Vec<DeliveryUpdate>,
    pub events: Vec<NewNeedEvent>,
    /// Closes the need's open reports with this resolution note.
    pub close_reports: Option<String>,
    pub mails: Vec<NewMail>,
    pub audit: NewAuditEntry,
    pub at: DateTime<Utc>,
}

/// Mails show only their dedup keys: [`NewMail`] carries sealed contents and has no `Debug`.
fn mail_keys(mails: &[NewMail]) -> Vec<&str> {
    mails.iter().map(|m| m.dedup_key.as_str()).collect()
}

impl std::fmt::Debug for OrgDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgDecision")
            .field("state", &self.state)
            .field("note", &self.note)
            .field("verified", &self.verified)
            .field("at", &self.at)
            .field("mails", &mail_keys(&self.mails))
            .field("audit", &self.audit)
            .finish()
    }
}

impl std::fmt::Debug for NeedWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeedWrite")
            .field("state", &self.state)
            .field("tally", &self.tally)
            .field("takedown_note", &self.takedown_note)
            .field("new_pledge", &self.new_pledge)
            .field("pledge_updates", &self.pledge_updates)
            .field("new_delivery", &self.new_delivery)
            .field("delivery_updates", &self.delivery_updates)
            .field("events", &self.events)
            .field("close_reports", &self.close_reports)
            .field("mails", &mail_keys(&self.mails))
            .field("audit", &self.audit)
            .field("at", &self.at)
            .finish()
    }
}

/// Decides a need write from what the store holds; `Err` carries a message code (`err.*`) and
/// saves nothing.
pub type NeedDecider<'a> = &'a (dyn Fn(&NeedSnapshot) -> std::result::Result<NeedWrite, &'static str> + Send + Sync);

/// What a need write saved.
#[derive(Debug, Clone)]
pub struct NeedSaved {
    pub need: StoredNeed,
    pub pledge: Option<i64>,
    pub delivery: Option<i64>,
}

/// How to list needs (public list, API, console, ledger).
#[derive(Debug, Clone, Default)]
pub struct NeedFilter {
    /// Empty = every state.
    pub states: Vec<NeedState>,
    /// A region code: the need's kelurahan is this region or lies inside it (prefix match).
    pub region: Option<String>,
    pub item_type: Option<i64>,
    pub org: Option<i64>,
    pub offset: i64,
    /// 0 = no limit.
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct NewReport {
    pub need: i64,
    pub reason: ReportReason,
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct StoredReport {
    pub id: i64,
    pub need: i64,
    pub reason: ReportReason,
    pub detail: Option<String>,
    pub open: bool,
    pub resolution_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A beneficiary list as keyed hashes, replacing the need's current list.
#[derive(Debug, Clone)]
pub struct NewBeneficiaryList {
    pub need: i64,
    pub item_type: i64,
    pub window_from: NaiveDate,
    pub window_until: NaiveDate,
    pub uploaded_by: OfficerId,
    /// (person hash, household hash).
    pub entries: Vec<(String, String)>,
    pub flagged: i64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeneficiaryListMeta {
    pub id: i64,
    pub need: i64,
    pub uploaded_by: OfficerId,
    pub uploaded_at: DateTime<Utc>,
    pub rows: i64,
    pub households: i64,
    pub flagged: i64,
}

/// Another need's current list, as the duplicate-aid guard sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherList {
    pub need: i64,
    pub item_type: i64,
    pub window_from: NaiveDate,
    pub window_until: NaiveDate,
    pub households: Vec<String>,
}
