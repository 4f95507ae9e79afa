//! The rows the store reads and writes. API and page types live elsewhere (`terbuka-web`).

use chrono::{DateTime, NaiveDate, Utc};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::objection::ObjectionClock;
use terbuka_domain::request::{RequestClock, RequestState};
use terbuka_domain::{Channel, DeliveryMethod, ObtainMethod, OfficerId, RequestId, RequesterKind, Role, UnitId, UnitKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: UnitKind,
    pub parent: Option<UnitId>,
}

#[derive(Debug, Clone)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: UnitKind,
    pub parent: Option<UnitId>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Officer {
    pub id: OfficerId,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub unit: Option<UnitId>,
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// Never print password hashes or e-mail addresses in logs.
impl std::fmt::Debug for Officer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Officer")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("unit", &self.unit)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
pub struct NewOfficer {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub unit: Option<UnitId>,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub officer: OfficerId,
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A request to register.
#[derive(Clone)]
pub struct NewRequest {
    /// The WIB year of receipt; registration numbers restart every year.
    pub year: i32,
    pub token_hash: String,
    pub channel: Channel,
    pub requester_kind: RequesterKind,
    /// The encrypted [`terbuka_domain::validate::RequesterIdentity`].
    pub identity_enc: Vec<u8>,
    pub display_name: Option<String>,
    pub subject: String,
    pub details: String,
    pub purpose: String,
    pub obtain: Vec<ObtainMethod>,
    pub delivery: DeliveryMethod,
    pub received_at: DateTime<Utc>,
    pub clock: RequestClock,
}

/// A stored request.
#[derive(Clone)]
pub struct StoredRequest {
    pub id: RequestId,
    pub reg_no: String,
    pub token_hash: String,
    pub channel: Channel,
    pub requester_kind: RequesterKind,
    pub identity_enc: Vec<u8>,
    pub display_name: Option<String>,
    pub subject: String,
    pub details: String,
    pub purpose: String,
    pub obtain: Vec<ObtainMethod>,
    pub delivery: DeliveryMethod,
    pub received_at: DateTime<Utc>,
    pub clock: RequestClock,
    pub extension_reason: Option<String>,
    /// The written notice as JSON ([`terbuka_domain::request::Notice`]).
    pub notice_json: Option<String>,
    pub fee: i64,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// Debug output never shows personal data or the tracking-token hash.
impl std::fmt::Debug for StoredRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredRequest")
            .field("id", &self.id)
            .field("reg_no", &self.reg_no)
            .field("state", &self.clock.state)
            .field("unit", &self.clock.unit)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl StoredRequest {
    pub fn state(&self) -> RequestState {
        self.clock.state
    }
}

/// A history entry of a request (what the tracking page and the console show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestEventRow {
    pub at: DateTime<Utc>,
    /// `officer:<id>`, `requester` or `system`.
    pub actor: String,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    /// Text meant for the requester (extension reason, notice); never personal data.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A response document released to the requester and published in the public register
    /// once the request is granted.
    Released,
    /// A response document for the requester only (e.g. it names them); never public.
    Response,
    /// The requester's identity scan: personal data, encrypted, never public.
    IdentityScan,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Released => "released",
            DocumentKind::Response => "response",
            DocumentKind::IdentityScan => "identity_scan",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "released" => Some(DocumentKind::Released),
            "response" => Some(DocumentKind::Response),
            "identity_scan" => Some(DocumentKind::IdentityScan),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct NewDocument {
    pub kind: DocumentKind,
    pub filename: String,
    pub content_type: String,
    /// The bytes as stored (identity scans arrive encrypted).
    pub data: Vec<u8>,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMeta {
    pub id: i64,
    pub request: RequestId,
    pub kind: DocumentKind,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct Document {
    pub meta: DocumentMeta,
    pub data: Vec<u8>,
}

#[derive(Clone)]
pub struct NewObjection {
    pub year: i32,
    pub summary: String,
    pub filed_at: DateTime<Utc>,
    pub late: bool,
    pub clock: ObjectionClock,
}

#[derive(Debug, Clone)]
pub struct StoredObjection {
    pub id: i64,
    pub reg_no: String,
    pub request: RequestId,
    pub summary: String,
    pub filed_at: DateTime<Utc>,
    pub late: bool,
    pub clock: ObjectionClock,
    pub decision_text: Option<String>,
    pub decided_by: Option<OfficerId>,
    pub version: i64,
}

/// The objection part of a request change.
#[derive(Clone)]
pub enum ObjectionWrite {
    Insert(NewObjection),
    Update { objection: StoredObjection, expected_version: i64 },
}

/// A queued e-mail. Recipient and body are encrypted by the caller.
#[derive(Clone)]
pub struct NewMail {
    /// Makes queueing idempotent: a second mail with the same key is ignored.
    pub dedup_key: String,
    pub to_enc: Vec<u8>,
    pub subject: String,
    pub body_enc: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct QueuedMail {
    pub id: i64,
    pub dedup_key: String,
    pub to_enc: Vec<u8>,
    pub subject: String,
    pub body_enc: Vec<u8>,
    pub attempts: i64,
}

/// What goes with every state change, in the same transaction.
#[derive(Clone, Default)]
pub struct Write {
    pub at: Option<DateTime<Utc>>,
    pub actor: String,
    /// History event kind (e.g. `route`) and the note shown to the requester.
    pub event: Option<(String, Option<String>)>,
    pub documents: Vec<NewDocument>,
    pub mails: Vec<NewMail>,
    pub audit: Option<NewAuditEntry>,
}

/// How to list requests (officer inbox and public register).
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub unit: Option<UnitId>,
    /// Only requests not yet routed to a unit.
    pub unrouted: bool,
    pub states: Vec<RequestState>,
    /// WIB year of receipt.
    pub year: Option<i32>,
    /// Case-insensitive match on the public subject or the registration number.
    pub text: Option<String>,
    pub order: RequestOrder,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RequestOrder {
    /// Newest first (public register).
    #[default]
    Newest,
    /// Earliest notice deadline first (officer inbox).
    DueFirst,
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// A parsed date helper shared by both backends.
pub(crate) fn parse_date(s: &str, what: &str) -> crate::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| crate::StoreError::Corrupt(what.to_string()))
}

// ---- The public information register (DIP/DIK) ----

use terbuka_domain::dip::{Category, ItemFields, ItemState};

/// A register item as stored: its current fields and life-cycle facts.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredItem {
    pub id: i64,
    pub state: ItemState,
    pub fields: ItemFields,
    /// Comma-separated format labels of the current files (e.g. `PDF,XLSX`), for the facet.
    pub formats: String,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_reason: Option<String>,
    pub content_updated_on: NaiveDate,
    pub source_document: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A file to store with an item: the bytes are already in the object store under `blob_key`.
#[derive(Debug, Clone)]
pub struct NewInfoFile {
    pub blob_key: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Text extracted for search.
    pub text: String,
}

/// One revision of one file of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfoFile {
    pub id: i64,
    pub item: i64,
    pub slot: i64,
    pub revision: i64,
    pub item_version: i64,
    pub blob_key: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    /// When a later revision replaced it or it was removed; `None` for current files.
    pub superseded_at: Option<DateTime<Utc>>,
    pub removed: bool,
}

impl InfoFile {
    pub fn is_current(&self) -> bool {
        self.superseded_at.is_none()
    }
}

/// One entry of an item's public history.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemVersion {
    pub item: i64,
    pub version: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `create`, `edit`, `publish`, `schedule`, `unschedule`, `withdraw`, `restore`,
    /// `attach`, `replace_file`, `remove_file`, `exemption_ended`, `import`, `promote`.
    pub action: String,
    pub state: ItemState,
    pub fields: ItemFields,
    pub note: Option<String>,
}

/// A new item.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub state: ItemState,
    pub fields: ItemFields,
    pub publish_at: Option<DateTime<Utc>>,
    pub source_document: Option<i64>,
    pub files: Vec<NewInfoFile>,
    /// History action (`create`, `import`, `promote`) and note.
    pub action: String,
    pub note: Option<String>,
}

/// How an item changes in one write: new values (any of them may equal the old ones), files
/// added, replaced (by slot) or removed (by slot), and the history entry.
#[derive(Debug, Clone)]
pub struct ItemChange {
    pub state: ItemState,
    pub fields: ItemFields,
    pub publish_at: Option<DateTime<Utc>>,
    pub withdrawn_reason: Option<String>,
    /// Whether the content changed (resets the cadence clock of periodic items).
    pub content_changed: bool,
    pub add_files: Vec<NewInfoFile>,
    pub replace_files: Vec<(i64, NewInfoFile)>,
    pub remove_slots: Vec<i64>,
    pub action: String,
    pub note: Option<String>,
}

/// Who writes, when, and the audit entry of the write.
#[derive(Debug, Clone)]
pub struct ItemWrite {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub audit: NewAuditEntry,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ItemOrder {
    /// Most recently updated first (register browsing, feeds).
    #[default]
    Updated,
    /// By title (the DIP table).
    Title,
}

/// How to list register items.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub unit: Option<UnitId>,
    pub states: Vec<ItemState>,
    pub categories: Vec<Category>,
    pub year: Option<i32>,
    /// A format label among the item's files (`PDF`).
    pub format: Option<String>,
    /// Case-insensitive match on the title.
    pub text: Option<String>,
    pub order: ItemOrder,
    pub limit: i64,
    pub offset: i64,
}

/// Counts of one register facet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFacets {
    pub years: Vec<i32>,
    pub formats: Vec<String>,
}
