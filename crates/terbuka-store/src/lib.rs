//! Storage for Terbuka: one interface ([`Store`]) with two real backends, SQLite (the embedded
//! default: one file, WAL) and PostgreSQL (several app nodes sharing one database).
//!
//! Methods are named after what the service needs, not after tables. Every state change is one
//! transaction that also appends to the hash-chained audit log, so the log and the data can never
//! disagree. Each backend has its own `migrations/` folder; the SQL in [`sql`] is written in the
//! common subset of both dialects.
//!
//! This crate stores bytes it is given: personal data arrives already encrypted by `terbuka-app`.
//! It knows no HTTP and makes no decision the domain makes.

mod aid_types;
mod crisis_types;
mod sql;
mod sql_crisis;
mod sql_kolaborasi;
mod sql_register;
pub mod testing;
pub mod types;

pub use aid_types::*;
pub use crisis_types::*;
pub use sql::{backend_of, SqlStore};
pub use sql_register::{format_label, item_key, request_key};
pub use types::*;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use terbuka_domain::audit::{AuditEntry, ChainHead, NewAuditEntry};
use terbuka_domain::calendar::{DayOff, DayOffKind};
use terbuka_domain::dip::ItemState;
use terbuka_domain::{OfficerId, RequestId, UnitId};

/// The store's own small error set.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken (the string names it) or the row changed since it was read.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value no longer parses: the database was edited by hand.
    #[error("corrupt value in {0}")]
    Corrupt(String),
    /// A decision made inside a write refused it; the code names why (`err.*`). Nothing was saved.
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("database error: {0}")]
    Other(#[from] sqlx::Error),
}

/// Builds the mails of a new request from its registration number.
pub type MailsFor<'a> = &'a (dyn Fn(&str) -> Vec<NewMail> + Send + Sync);

pub type Result<T> = std::result::Result<T, StoreError>;

/// Which backend a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    // Organisation.
    async fn list_units(&self) -> Result<Vec<Unit>>;
    async fn insert_unit(&self, unit: NewUnit, audit: NewAuditEntry) -> Result<UnitId>;

    // Officers and sessions.
    async fn insert_officer(&self, officer: NewOfficer, audit: NewAuditEntry) -> Result<OfficerId>;
    async fn list_officers(&self) -> Result<Vec<Officer>>;
    async fn officer(&self, id: OfficerId) -> Result<Option<Officer>>;
    async fn officer_by_username(&self, username: &str) -> Result<Option<Officer>>;
    async fn set_officer_active(&self, id: OfficerId, active: bool, audit: NewAuditEntry) -> Result<()>;
    async fn insert_session(&self, session: Session) -> Result<()>;
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Ends every session of an officer (used when an account is disabled).
    async fn delete_sessions_of(&self, officer: OfficerId) -> Result<()>;

    // The working-day calendar.
    async fn list_days_off(&self) -> Result<Vec<DayOff>>;
    /// Adds a day off; `Conflict` if that date already has an entry of that name.
    async fn insert_day_off(&self, day: DayOff, audit: NewAuditEntry) -> Result<()>;
    async fn delete_day_off(&self, date: NaiveDate, kind: DayOffKind, audit: NewAuditEntry) -> Result<()>;
    /// Inserts the days not yet present; returns how many were new.
    async fn seed_days_off(&self, days: Vec<DayOff>, audit: NewAuditEntry) -> Result<u64>;

    // Requests.
    /// Registers a request: assigns the next registration number for `year`, stores the request,
    /// its documents, its first history event and its mails, and appends to the audit log, all in
    /// one transaction. `audit.subject` may contain `{reg_no}`, replaced by the number;
    /// `mails_for` builds the mails once the number is known (they are sealed, so the store
    /// cannot fill it in later).
    async fn insert_request(&self, req: NewRequest, write: Write, mails_for: MailsFor<'_>) -> Result<StoredRequest>;
    async fn request(&self, id: RequestId) -> Result<Option<StoredRequest>>;
    async fn request_by_reg_no(&self, reg_no: &str) -> Result<Option<StoredRequest>>;
    async fn request_by_token(&self, token_hash: &str) -> Result<Option<StoredRequest>>;
    /// Saves a request that moved, if it is still at `expected_version` (else `Conflict`),
    /// together with the objection change, documents, history event, mails and audit entry.
    async fn update_request(&self, req: &StoredRequest, expected_version: i64, objection: Option<ObjectionWrite>, write: Write) -> Result<StoredRequest>;
    async fn list_requests(&self, filter: &RequestFilter) -> Result<Page<StoredRequest>>;
    async fn request_years(&self) -> Result<Vec<i32>>;
    async fn request_events(&self, id: RequestId) -> Result<Vec<RequestEventRow>>;
    async fn documents(&self, id: RequestId) -> Result<Vec<DocumentMeta>>;
    async fn document(&self, id: i64) -> Result<Option<Document>>;

    // Objections.
    async fn objection(&self, id: i64) -> Result<Option<StoredObjection>>;
    async fn objections_of(&self, request: RequestId) -> Result<Vec<StoredObjection>>;
    async fn list_objections(&self, open_only: bool) -> Result<Vec<StoredObjection>>;

    // Audit.
    async fn append_audit(&self, entry: NewAuditEntry) -> Result<()>;
    async fn audit_head(&self) -> Result<ChainHead>;
    async fn audit_entries(&self) -> Result<Vec<AuditEntry>>;

    // Outbox (mail), idempotent by `dedup_key`.
    /// Queues mails; those whose `dedup_key` exists are skipped. Returns how many were new.
    async fn enqueue_mails(&self, mails: Vec<NewMail>) -> Result<u64>;
    /// Claims up to `limit` due mails for `lease` seconds, so two nodes never send the same one.
    async fn claim_mails(&self, now: DateTime<Utc>, lease_secs: i64, limit: i64) -> Result<Vec<QueuedMail>>;
    async fn mail_sent(&self, id: i64, now: DateTime<Utc>) -> Result<()>;
    async fn mail_failed(&self, id: i64, error: &str, retry_at: DateTime<Utc>) -> Result<()>;
    async fn outbox_counts(&self) -> Result<(i64, i64)>;

    // The public information register (DIP/DIK). Every write also logs the item's search key.
    /// Inserts items in one transaction: all or none (bulk import).
    async fn insert_items(&self, items: Vec<NewItem>, write: ItemWrite) -> Result<Vec<i64>>;
    /// Applies one change if the item is still at `expected_version`.
    async fn update_item(&self, id: i64, expected_version: i64, change: ItemChange, write: ItemWrite) -> Result<StoredItem>;
    async fn item(&self, id: i64) -> Result<Option<StoredItem>>;
    /// The item promoted from a request's released document, if any.
    async fn item_by_source(&self, document: i64) -> Result<Option<StoredItem>>;
    async fn list_items(&self, filter: &ItemFilter) -> Result<Page<StoredItem>>;
    /// Years and format labels of items in the given states (all states when empty).
    async fn item_facets(&self, states: &[ItemState]) -> Result<ItemFacets>;
    async fn item_versions(&self, id: i64) -> Result<Vec<ItemVersion>>;
    /// Every revision of every file of an item, current and superseded.
    async fn item_files(&self, id: i64) -> Result<Vec<InfoFile>>;
    async fn info_file(&self, file_id: i64) -> Result<Option<InfoFile>>;
    /// Extracted text of the item's current files.
    async fn current_file_texts(&self, id: i64) -> Result<Vec<String>>;
    /// Scheduled items due at `now`, and exempt items whose period ended before `today`.
    async fn items_due(&self, now: DateTime<Utc>, today: NaiveDate) -> Result<(Vec<i64>, Vec<i64>)>;

    // The search change log.
    /// Changes with a sequence number above `seq`, oldest first.
    async fn search_changes_after(&self, seq: i64, limit: i64) -> Result<Vec<(i64, String)>>;
    /// The highest sequence number logged so far (0 when none).
    async fn search_change_head(&self) -> Result<i64>;
    /// Logs keys as changed (e.g. when a unit's name changes the documents that show it).
    async fn touch_search(&self, keys: Vec<String>) -> Result<()>;

    // Kolaborasi. Every write appends to the audit log in the same transaction.
    async fn aid_item_types(&self) -> Result<Vec<AidItemType>>;
    /// Adds a catalogue entry, or updates the one with the same code.
    async fn upsert_aid_item_type(&self, item: AidItemType, audit: NewAuditEntry) -> Result<i64>;
    async fn insert_org(&self, org: NewOrg, mails: Vec<NewMail>, audit: NewAuditEntry) -> Result<StoredOrg>;
    async fn org(&self, id: i64) -> Result<Option<StoredOrg>>;
    async fn org_by_token(&self, token_hash: &str) -> Result<Option<StoredOrg>>;
    /// Organisations in the given states (all when empty), newest first.
    async fn list_orgs(&self, states: &[terbuka_domain::kolaborasi::OrgState]) -> Result<Vec<StoredOrg>>;
    /// Saves a verification decision if the organisation is still at `expected_version`.
    async fn decide_org(&self, id: i64, expected_version: i64, decision: OrgDecision) -> Result<StoredOrg>;
    /// Posts a need (its first history event `posted`).
    async fn insert_need(&self, need: NewNeed, audit: NewAuditEntry) -> Result<StoredNeed>;
    async fn need(&self, id: i64) -> Result<Option<StoredNeed>>;
    async fn list_needs(&self, filter: &NeedFilter) -> Result<Page<StoredNeed>>;
    async fn need_events(&self, need: i64) -> Result<Vec<NeedEventRow>>;
    /// Every change to a need after it is posted: takes the audit lock, reads the need (and,
    /// with `children`, its pledges and deliveries), asks `decide`, and saves what it returns.
    /// A refusal (`Err(code)`) saves nothing and comes back as `StoreError::Refused`.
    async fn change_need(&self, need: i64, children: bool, decide: NeedDecider<'_>) -> Result<NeedSaved>;
    /// `change_need` for a new pledge: the snapshot also counts, under the same lock, the pledges
    /// made with this contact hash since `since` (`NeedSnapshot::contact_recent`), so a rate limit
    /// holds against concurrent requests on every node.
    async fn change_need_for_contact(&self, need: i64, contact_hash: &str, since: DateTime<Utc>, decide: NeedDecider<'_>) -> Result<NeedSaved>;
    async fn pledges_of(&self, need: i64) -> Result<Vec<StoredPledge>>;
    async fn pledge(&self, id: i64) -> Result<Option<StoredPledge>>;
    async fn pledge_by_token(&self, token_hash: &str) -> Result<Option<StoredPledge>>;
    /// Pledges with an opted-in public name, for the ledger by donor.
    async fn named_pledges(&self) -> Result<Vec<StoredPledge>>;
    /// How many pledges a contact made since `since` (rate limit across nodes).
    async fn pledges_by_contact_since(&self, contact_hash: &str, since: DateTime<Utc>) -> Result<i64>;
    async fn deliveries_of(&self, need: i64) -> Result<Vec<StoredDelivery>>;
    async fn delivery(&self, id: i64) -> Result<Option<StoredDelivery>>;
    /// Deliveries in a state (the dispute queue).
    async fn deliveries_in(&self, state: terbuka_domain::kolaborasi::DeliveryState) -> Result<Vec<StoredDelivery>>;
    /// Active pledges whose `deliver_by` is before `today`, as (need, pledge).
    async fn pledges_past_due(&self, today: NaiveDate) -> Result<Vec<(i64, i64)>>;
    /// Needs still taking pledges whose `until` is before `today`.
    async fn needs_past_until(&self, today: NaiveDate) -> Result<Vec<i64>>;
    async fn insert_report(&self, report: NewReport, audit: NewAuditEntry) -> Result<i64>;
    async fn list_reports(&self, open_only: bool) -> Result<Vec<StoredReport>>;
    /// Replaces the need's current beneficiary list; returns the new list's id.
    async fn save_beneficiaries(&self, list: NewBeneficiaryList, audit: NewAuditEntry) -> Result<i64>;
    async fn beneficiary_list(&self, need: i64) -> Result<Option<BeneficiaryListMeta>>;
    /// The current lists of other needs for the same item type whose window overlaps.
    async fn overlapping_lists(&self, item_type: i64, from: NaiveDate, until: NaiveDate, except_need: i64) -> Result<Vec<OtherList>>;

    // Crisis channel. Releases are immutable: there is no method to change or delete one.
    /// Creates a dataset; `Conflict` if the slug is taken. `audit.subject` may contain `{id}`.
    async fn insert_crisis_dataset(&self, dataset: NewCrisisDataset, audit: NewAuditEntry) -> Result<StoredCrisisDataset>;
    /// Every dataset, oldest first.
    async fn crisis_datasets(&self) -> Result<Vec<StoredCrisisDataset>>;
    async fn crisis_dataset(&self, slug: &str) -> Result<Option<StoredCrisisDataset>>;
    /// Stores a release (its change set and the audit entry) in one transaction, as the
    /// dataset's next sequence number; `Conflict` (nothing saved) if the dataset's latest release
    /// is no longer `base_seq`. `audit.subject` may contain `{seq}` and `{id}`.
    async fn insert_crisis_release(&self, release: NewCrisisRelease, audit: NewAuditEntry) -> Result<StoredCrisisRelease>;
    /// The releases of a dataset, newest first.
    async fn crisis_releases(&self, dataset: i64) -> Result<Vec<StoredCrisisRelease>>;
    async fn crisis_release(&self, dataset: i64, seq: i64) -> Result<Option<StoredCrisisRelease>>;
    /// The change sets of a dataset's releases numbered `after + 1 ..= upto`, oldest first, with
    /// their releases (for a replay; `Corrupt` if one in the range is missing or damaged).
    async fn crisis_change_sets(&self, dataset: i64, after: i64, upto: i64) -> Result<Vec<(StoredCrisisRelease, terbuka_domain::crisis::ChangeSet)>>;
    /// A release's observations matching `filter`, sorted by region, date and measure: a full
    /// replay of the dataset's change sets up to the release, checked against its digest
    /// (`Corrupt` if it does not match). Slow for long histories: `App::crisis_observations`
    /// keeps the latest replay in memory.
    async fn crisis_observations(&self, release: i64, filter: &ObservationFilter) -> Result<Vec<terbuka_domain::crisis::Observation>>;
    /// What a release changed from the one before, sorted by region, date and measure.
    async fn crisis_changes(&self, release: i64) -> Result<Vec<terbuka_domain::crisis::Change>>;
    /// Every region's population, sorted by region code.
    async fn crisis_populations(&self) -> Result<Vec<CrisisPopulation>>;
    /// Replaces the whole population table with `rows` (and appends `audit`) in one transaction;
    /// `Conflict` (nothing saved) if a region is given twice. Returns how many rows were stored.
    async fn replace_crisis_populations(&self, rows: Vec<NewCrisisPopulation>, at: DateTime<Utc>, audit: NewAuditEntry) -> Result<usize>;
}
