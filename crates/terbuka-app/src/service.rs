//! The use cases. [`App`] is the one documented state shared by the web layer, the jobs and the
//! command line.

use crate::config::Config;
use crate::crypto::{self, PiiKey};
use crate::error::{AppError, AppResult};
use crate::i18n::Catalogs;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use terbuka_domain::audit::{self, ChainError, ChainHead, NewAuditEntry};
use terbuka_domain::authz::{can, Action, Actor};
use terbuka_domain::calendar::{wib_date, Calendar, DayOff, DayOffKind, DeadlineOwner, Deadlines};
use terbuka_domain::objection::{self, ObjectionClock, ObjectionEvent, ObjectionState};
use terbuka_domain::request::{self, Notice, RequestClock, RequestEvent, RequestState};
use terbuka_domain::stats::{self, RequestFact, Stats};
use terbuka_domain::validate::{FieldErrors, ObjectionSubmission, RawNotice, RawObjection, RawOfficer, RawRequest, RequesterIdentity};
use terbuka_domain::*;
use terbuka_store::*;

/// A file received from a form.
#[derive(Clone)]
pub struct Upload {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A registered request and the tracking token the requester must keep (shown once, mailed once).
pub struct Submitted {
    pub request: StoredRequest,
    pub token: String,
}

/// What the requester sees through the private tracking link.
pub struct Tracking {
    pub request: StoredRequest,
    pub notice: Option<Notice>,
    pub events: Vec<RequestEventRow>,
    pub documents: Vec<DocumentMeta>,
    pub objections: Vec<StoredObjection>,
    pub overdue: bool,
    pub objection_window_end: Option<NaiveDate>,
    pub can_withdraw: bool,
    pub can_object: bool,
    pub deadlines: Vec<(ObjectionId, ObjectionDeadlines)>,
}

/// The clocks of one keberatan, for display.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectionDeadlines {
    pub response_due: NaiveDate,
    pub overdue: bool,
    pub dispute_due: NaiveDate,
    pub ki_start_due: Option<NaiveDate>,
    pub ki_finish_due: Option<NaiveDate>,
    pub court_due: Option<NaiveDate>,
}

/// A request as an officer sees it; `identity` only when the officer may see personal data.
pub struct OfficerView {
    pub request: StoredRequest,
    pub identity: Option<RequesterIdentity>,
    pub notice: Option<Notice>,
    pub events: Vec<RequestEventRow>,
    pub documents: Vec<DocumentMeta>,
    pub objections: Vec<(StoredObjection, ObjectionDeadlines)>,
    pub overdue: bool,
    pub due_soon: bool,
    pub may_handle: bool,
    pub may_route: bool,
    pub may_decide: bool,
}

#[derive(Debug, Clone)]
pub struct StatsView {
    pub year: Option<i32>,
    pub overall: Stats,
    pub per_unit: Vec<(Option<Unit>, Stats)>,
}

/// Failed logins per key (username and client address) within a window. Per node: each app
/// node limits on its own, which bounds guessing to `nodes × max` per window.
#[derive(Default)]
pub(crate) struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

impl LoginLimiter {
    pub(crate) fn blocked(&self, key: &str, now: DateTime<Utc>, window: Duration, max: u32) -> bool {
        let mut map = self.failures.lock().expect("limiter lock");
        let list = map.entry(key.to_string()).or_default();
        list.retain(|t| now - *t < window);
        list.len() as u32 >= max
    }
    /// Checks and records in one step (under the lock), so concurrent callers cannot all pass:
    /// `false` when `max` events already happened within `window`.
    pub(crate) fn try_take(&self, key: &str, now: DateTime<Utc>, window: Duration, max: u32) -> bool {
        let mut map = self.failures.lock().expect("limiter lock");
        // A public node sees many addresses: forget the quiet ones so memory stays bounded.
        if map.len() > 10_000 {
            map.retain(|_, list| list.iter().any(|t| now - *t < window));
        }
        let list = map.entry(key.to_string()).or_default();
        list.retain(|t| now - *t < window);
        if list.len() as u32 >= max {
            return false;
        }
        list.push(now);
        true
    }
    /// Gives back a slot taken by `try_take` for an attempt that then failed.
    pub(crate) fn give_back(&self, key: &str, at: DateTime<Utc>) {
        if let Some(list) = self.failures.lock().expect("limiter lock").get_mut(key) {
            if let Some(i) = list.iter().rposition(|t| *t == at) {
                list.remove(i);
            }
        }
    }
    pub(crate) fn fail(&self, key: &str, now: DateTime<Utc>) {
        self.failures.lock().expect("limiter lock").entry(key.to_string()).or_default().push(now);
    }
    fn clear(&self, key: &str) {
        self.failures.lock().expect("limiter lock").remove(key);
    }
}

pub struct App {
    pub store: Arc<dyn Store>,
    pub config: Config,
    pub key: PiiKey,
    pub i18n: Catalogs,
    /// Register files (local folder or S3-compatible bucket).
    pub blobs: terbuka_files::blobs::Blobs,
    /// This node's search index (in memory until `use_search_index` switches it to disk).
    pub(crate) search: RwLock<terbuka_search::SearchIndex>,
    pub(crate) search_sync: tokio::sync::Mutex<()>,
    pub(crate) defer_search: std::sync::atomic::AtomicBool,
    calendar: RwLock<Option<(Instant, Arc<Calendar>)>>,
    stats_cache: Mutex<HashMap<Option<i32>, (Instant, StatsView)>>,
    limiter: LoginLimiter,
    /// Pledges per client address on this node (kolaborasi abuse guard).
    pub(crate) pledge_limiter: LoginLimiter,
    /// The administrative regions (bundled DKI Jakarta unless configured).
    pub regions: Arc<terbuka_domain::region::Regions>,
    /// The latest replayed release of each crisis dataset (see `crisis.rs`).
    pub(crate) crisis_cache: crate::crisis::SnapshotCache,
}

/// How long a node trusts its cached calendar before reading it again (other nodes may edit it).
const CALENDAR_TTL_SECS: u64 = 30;
const STATS_TTL_SECS: u64 = 30;

pub(crate) fn officer_label(actor: &Actor) -> String {
    format!("officer:{}", actor.officer)
}

pub(crate) fn audit_entry(actor: &str, action: &str, subject: String, detail: serde_json::Value) -> NewAuditEntry {
    NewAuditEntry { actor: actor.to_string(), action: action.to_string(), subject, detail: detail.to_string() }
}

/// Accepted identity-scan types, checked by content, not by the name the browser sends.
fn sniff_scan(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Accepted response-document types (by content where the format has a signature).
pub(crate) fn sniff_document(filename: &str, data: &[u8]) -> Option<&'static str> {
    let lower = filename.to_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    let zip = data.starts_with(b"PK\x03\x04");
    match ext {
        "pdf" if data.starts_with(b"%PDF-") => Some("application/pdf"),
        "docx" if zip => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "xlsx" if zip => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "odt" if zip => Some("application/vnd.oasis.opendocument.text"),
        "ods" if zip => Some("application/vnd.oasis.opendocument.spreadsheet"),
        "zip" if zip => Some("application/zip"),
        "jpg" | "jpeg" if data.starts_with(&[0xFF, 0xD8, 0xFF]) => Some("image/jpeg"),
        "png" if data.starts_with(b"\x89PNG\r\n\x1a\n") => Some("image/png"),
        "csv" | "txt" if std::str::from_utf8(data).is_ok() => Some(if ext == "csv" { "text/csv; charset=utf-8" } else { "text/plain; charset=utf-8" }),
        _ => None,
    }
}

/// A file name safe to store and to send back in a header.
pub(crate) fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| c.is_alphanumeric() || "._- ".contains(*c)).take(120).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "dokumen".into()
    } else {
        cleaned
    }
}

impl App {
    /// Panics only if the configured object store cannot be set up (a local folder that cannot
    /// be created, an invalid S3 setting): the process cannot serve files without it.
    pub fn new(store: Arc<dyn Store>, config: Config, key: PiiKey) -> App {
        let blobs = terbuka_files::blobs::Blobs::new(&config.blob_config()).unwrap_or_else(|e| panic!("cannot set up the file store: {e}"));
        let search = terbuka_search::SearchIndex::in_memory().expect("an in-memory search index");
        let config_regions = config.kolaborasi.regions_file.clone();
        App {
            blobs,
            search: RwLock::new(search),
            search_sync: tokio::sync::Mutex::new(()),
            defer_search: std::sync::atomic::AtomicBool::new(false),
            store,
            config,
            key,
            i18n: Catalogs::load(),
            calendar: RwLock::new(None),
            stats_cache: Mutex::new(HashMap::new()),
            limiter: LoginLimiter::default(),
            pledge_limiter: LoginLimiter::default(),
            regions: Arc::new(crate::kolaborasi::load_regions(&config_regions).unwrap_or_else(|e| panic!("cannot read the regions file: {e}"))),
            crisis_cache: Default::default(),
        }
    }

    /// The working-day calendar (cached for a few seconds; edits on this node refresh it at once).
    pub async fn calendar(&self) -> AppResult<Arc<Calendar>> {
        if let Some((at, cal)) = self.calendar.read().expect("calendar lock").as_ref() {
            if at.elapsed().as_secs() < CALENDAR_TTL_SECS {
                return Ok(cal.clone());
            }
        }
        let cal = Arc::new(Calendar::new(self.store.list_days_off().await?));
        *self.calendar.write().expect("calendar lock") = Some((Instant::now(), cal.clone()));
        Ok(cal)
    }

    fn forget_calendar(&self) {
        *self.calendar.write().expect("calendar lock") = None;
        self.stats_cache.lock().expect("stats lock").clear();
    }

    pub fn deadlines<'a>(&self, cal: &'a Calendar) -> Deadlines<'a> {
        Deadlines::new(cal, self.config.deadlines)
    }

    fn tracking_url(&self, token: &str) -> String {
        format!("{}/lacak/{}", self.config.server.public_url.trim_end_matches('/'), token)
    }

    /// A bilingual message from the catalogs, Indonesian first.
    fn bilingual(&self, key: &str, vars: &[(&str, &str)]) -> String {
        let render = |lang| {
            let mut s = self.i18n.t(lang, key).to_string();
            for (k, v) in vars {
                s = s.replace(&format!("{{{k}}}"), v);
            }
            s
        };
        format!("{}\n\n---\n\n{}", render(Lang::Id), render(Lang::En))
    }

    pub(crate) fn mail(&self, dedup_key: String, to: &str, subject_key: &str, body_key: &str, vars: &[(&str, &str)], now: DateTime<Utc>) -> NewMail {
        let mut subject = format!("{} / {}", self.i18n.t(Lang::Id, subject_key), self.i18n.t(Lang::En, subject_key));
        for (k, v) in vars {
            subject = subject.replace(&format!("{{{k}}}"), v);
        }
        NewMail {
            dedup_key,
            to_enc: self.key.seal(to.as_bytes()),
            subject,
            body_enc: self.key.seal(self.bilingual(body_key, vars).as_bytes()),
            created_at: now,
        }
    }

    /// A mail to an officer (sealed like every other mail).
    pub fn mail_to_officer(&self, dedup_key: String, to: &str, subject_key: &str, body_key: &str, vars: &[(&str, &str)], now: DateTime<Utc>) -> NewMail {
        self.mail(dedup_key, to, subject_key, body_key, vars, now)
    }

    fn identity_of(&self, r: &StoredRequest) -> AppResult<RequesterIdentity> {
        Ok(self.key.open_json(&r.identity_enc)?)
    }

    /// Mails to the requester about a change, if they gave an e-mail address.
    fn status_mail(&self, r: &StoredRequest, next_state: RequestState, now: DateTime<Utc>) -> AppResult<Vec<NewMail>> {
        let identity = self.identity_of(r)?;
        let Some(email) = identity.email else { return Ok(vec![]) };
        let state_id = self.i18n.t(Lang::Id, &format!("enum.request_state.{next_state}")).to_string();
        let state_en = self.i18n.t(Lang::En, &format!("enum.request_state.{next_state}")).to_string();
        let state = format!("{state_id} / {state_en}");
        let base = self.config.server.public_url.trim_end_matches('/').to_string();
        Ok(vec![self.mail(
            format!("status:{}:{}", r.id, r.version + 1),
            &email,
            "mail.status.subject",
            "mail.status.body",
            &[("reg_no", &r.reg_no), ("state", &state), ("site", &base)],
            now,
        )])
    }

    async fn officers_where(&self, pred: impl Fn(&Officer) -> bool) -> AppResult<Vec<Officer>> {
        Ok(self.store.list_officers().await?.into_iter().filter(|o| o.active && pred(o)).collect())
    }

    fn check_scan(&self, scan: Option<Upload>) -> AppResult<Option<NewDocument>> {
        let Some(scan) = scan.filter(|s| !s.data.is_empty()) else { return Ok(None) };
        if scan.data.len() > self.config.uploads.max_identity_scan_bytes {
            return Err(AppError::field("identity_scan", "err.file_too_large"));
        }
        let Some(content_type) = sniff_scan(&scan.data) else {
            return Err(AppError::field("identity_scan", "err.file_type_scan"));
        };
        Ok(Some(NewDocument {
            kind: DocumentKind::IdentityScan,
            filename: safe_filename(&scan.filename),
            content_type: content_type.into(),
            sha256: crypto::sha256_hex(&scan.data),
            data: self.key.seal(&scan.data),
        }))
    }

    // ---------------------------------------------------------------- public side

    /// A citizen submits a request on the web (or through the API).
    pub async fn submit_request(&self, raw: &RawRequest, scan: Option<Upload>, now: DateTime<Utc>) -> AppResult<Submitted> {
        let (submission, scan) = match (raw.validate(), self.check_scan(scan)) {
            (Ok(s), Ok(scan)) => (s, scan),
            (Err(mut e), Err(AppError::Invalid(e2))) => {
                e.0.extend(e2.0);
                return Err(AppError::Invalid(e));
            }
            (Err(e), _) => return Err(AppError::Invalid(e)),
            (_, Err(e)) => return Err(e),
        };
        let cal = self.calendar().await?;
        let dl = self.deadlines(&cal);
        let day0 = dl.receipt_day(now);
        self.register(submission, scan, Channel::Web, now, day0, "requester".into(), &dl).await
    }

    /// An officer registers a request received at the desk or by post, with its real date.
    pub async fn register_paper_request(&self, actor: &Actor, raw: &RawRequest, scan: Option<Upload>, now: DateTime<Utc>) -> AppResult<Submitted> {
        if !can(actor, Action::RegisterPaperRequest, actor.unit) {
            return Err(AppError::Forbidden);
        }
        let today = wib_date(now);
        let (submission, paper, scan) = match (raw.validate(), raw.validate_paper(today), self.check_scan(scan)) {
            (Ok(s), Ok(p), Ok(scan)) => (s, p, scan),
            (a, b, c) => {
                let mut e = FieldErrors::default();
                if let Err(x) = a {
                    e.0.extend(x.0);
                }
                if let Err(x) = b {
                    e.0.extend(x.0);
                }
                match c {
                    Err(AppError::Invalid(x)) => e.0.extend(x.0),
                    Err(other) => return Err(other),
                    Ok(_) => {}
                }
                return Err(AppError::Invalid(e));
            }
        };
        let (channel, received_on) = paper;
        let cal = self.calendar().await?;
        let dl = self.deadlines(&cal);
        let day0 = dl.receipt_day_of_date(received_on);
        let mut submitted = self.register(submission, scan, channel, now, day0, officer_label(actor), &dl).await?;
        // A PPID Pelaksana registering at its own desk routes the request to its unit at once.
        if actor.role == Role::PpidPelaksana {
            if let Some(unit) = actor.unit {
                submitted.request = self.route(actor, submitted.request.id, unit, now).await?;
            }
        }
        Ok(submitted)
    }

    #[allow(clippy::too_many_arguments)]
    async fn register(
        &self,
        s: terbuka_domain::validate::RequestSubmission,
        scan: Option<NewDocument>,
        channel: Channel,
        now: DateTime<Utc>,
        day0: NaiveDate,
        actor: String,
        dl: &Deadlines<'_>,
    ) -> AppResult<Submitted> {
        let token = crypto::new_token();
        let clock = RequestClock::registered(day0, dl);
        let due = clock.notice_due.format("%d-%m-%Y").to_string();
        let link = self.tracking_url(&token);
        let requester_email = s.identity.email.clone();
        let utama = self.officers_where(|o| o.role == Role::PpidUtama).await?;
        let mails_for = |reg_no: &str| -> Vec<NewMail> {
            let mut mails = Vec::new();
            if let Some(email) = &requester_email {
                mails.push(self.mail(
                    format!("submitted:{reg_no}"),
                    email,
                    "mail.submitted.subject",
                    "mail.submitted.body",
                    &[("reg_no", reg_no), ("link", &link), ("due", &due)],
                    now,
                ));
            }
            for o in &utama {
                mails.push(self.mail(
                    format!("new:{reg_no}:{}", o.id),
                    &o.email,
                    "mail.new_request.subject",
                    "mail.new_request.body",
                    &[("reg_no", reg_no), ("due", &due)],
                    now,
                ));
            }
            mails
        };
        let year = day0.format("%Y").to_string().parse().unwrap_or(2026);
        let new = NewRequest {
            year,
            token_hash: crypto::token_hash(&token),
            channel,
            requester_kind: s.identity.kind,
            identity_enc: self.key.seal_json(&s.identity),
            display_name: s.display_name.clone(),
            subject: s.subject.clone(),
            details: s.details.clone(),
            purpose: s.purpose.clone(),
            obtain: s.obtain.clone(),
            delivery: s.delivery,
            received_at: now,
            clock,
        };
        let write = Write {
            at: Some(now),
            actor: actor.clone(),
            event: Some(("submit".into(), None)),
            documents: scan.into_iter().collect(),
            mails: vec![],
            audit: Some(audit_entry(
                &actor,
                "request.submit",
                "request:{reg_no}".into(),
                serde_json::json!({"channel": channel.as_str(), "day0": day0.to_string()}),
            )),
        };
        let request = self.store.insert_request(new, write, &mails_for).await?;
        tracing::debug!(reg_no = %request.reg_no, channel = channel.as_str(), "request registered");
        Ok(Submitted { request, token })
    }

    /// The requester's view through the tracking link.
    pub async fn tracking(&self, token: &str, now: DateTime<Utc>) -> AppResult<Tracking> {
        let r = self.store.request_by_token(&crypto::token_hash(token)).await?.ok_or(AppError::NotFound)?;
        let cal = self.calendar().await?;
        let dl = self.deadlines(&cal);
        let today = wib_date(now);
        let events = self.store.request_events(r.id).await?;
        let documents = self.store.documents(r.id).await?.into_iter().filter(|d| d.kind != DocumentKind::IdentityScan).collect();
        let objections = self.store.objections_of(r.id).await?;
        let deadlines = objections.iter().map(|o| (o.id, objection_deadlines(&o.clock, today, &dl))).collect();
        let notice = r.notice_json.as_deref().and_then(|j| serde_json::from_str(j).ok());
        Ok(Tracking {
            overdue: r.clock.is_overdue(today),
            objection_window_end: r.clock.objection_window_end(&dl),
            can_withdraw: r.clock.state.is_open(),
            can_object: !matches!(r.clock.state, RequestState::Withdrawn | RequestState::UnderObjection),
            notice,
            events,
            documents,
            objections,
            deadlines,
            request: r,
        })
    }

    /// The requester withdraws through the tracking link.
    pub async fn withdraw(&self, token: &str, now: DateTime<Utc>) -> AppResult<StoredRequest> {
        let r = self.store.request_by_token(&crypto::token_hash(token)).await?.ok_or(AppError::NotFound)?;
        self.apply(r, RequestEvent::Withdraw, "requester".into(), now, |_| {}, None, None, vec![]).await
    }

    /// The requester files a keberatan through the tracking link.
    pub async fn file_objection(&self, token: &str, raw: &RawObjection, now: DateTime<Utc>) -> AppResult<StoredRequest> {
        let ObjectionSubmission { grounds, summary } = raw.validate()?;
        let r = self.store.request_by_token(&crypto::token_hash(token)).await?.ok_or(AppError::NotFound)?;
        let cal = self.calendar().await?;
        let dl = self.deadlines(&cal);
        let day0 = dl.receipt_day(now);
        let late = r.clock.objection_late(&grounds, wib_date(now), &dl);
        let clock = ObjectionClock::registered(grounds.clone(), day0, &dl);
        let new = NewObjection { year: day0.format("%Y").to_string().parse().unwrap_or(2026), summary, filed_at: now, late, clock };
        let unit = r.clock.unit;
        let atasan = self.officers_where(|o| o.role == Role::AtasanPpid && (o.unit.is_none() || o.unit == unit)).await?;
        let grounds_txt: Vec<&str> = grounds.iter().map(|g| g.as_str()).collect();
        let grounds_txt = grounds_txt.join(", ");
        let mut mails: Vec<NewMail> = atasan
            .iter()
            .map(|o| {
                self.mail(
                    format!("objection:{}:{}", r.id, o.id),
                    &o.email,
                    "mail.new_objection.subject",
                    "mail.new_objection.body",
                    &[("reg_no", &r.reg_no), ("grounds", &grounds_txt)],
                    now,
                )
            })
            .collect();
        mails.extend(self.status_mail(&r, RequestState::UnderObjection, now)?);
        self.apply(r, RequestEvent::FileObjection, "requester".into(), now, |_| {}, Some(ObjectionWrite::Insert(new)), Some(grounds_txt), mails).await
    }

    /// The public register (never personal data: the web layer shows only public columns).
    pub async fn public_register(&self, filter: &RequestFilter) -> AppResult<Page<StoredRequest>> {
        Ok(self.store.list_requests(filter).await?)
    }

    /// One request in the public register with its released documents.
    pub async fn public_request(&self, reg_no: &str) -> AppResult<(StoredRequest, Vec<DocumentMeta>, Vec<StoredObjection>)> {
        let r = self.store.request_by_reg_no(reg_no).await?.ok_or(AppError::NotFound)?;
        let docs =
            if released_publicly(&r) { self.store.documents(r.id).await?.into_iter().filter(|d| d.kind == DocumentKind::Released).collect() } else { vec![] };
        let objections = self.store.objections_of(r.id).await?;
        Ok((r, docs, objections))
    }

    /// A released document, publicly downloadable once its request was granted.
    pub async fn public_document(&self, id: i64) -> AppResult<Document> {
        let d = self.store.document(id).await?.ok_or(AppError::NotFound)?;
        if d.meta.kind != DocumentKind::Released {
            return Err(AppError::NotFound);
        }
        let r = self.store.request(d.meta.request).await?.ok_or(AppError::NotFound)?;
        if !released_publicly(&r) {
            return Err(AppError::NotFound);
        }
        Ok(d)
    }

    /// A response document, for the requester holding the tracking link.
    pub async fn requester_document(&self, token: &str, id: i64) -> AppResult<Document> {
        let r = self.store.request_by_token(&crypto::token_hash(token)).await?.ok_or(AppError::NotFound)?;
        let d = self.store.document(id).await?.ok_or(AppError::NotFound)?;
        if d.meta.request != r.id || d.meta.kind == DocumentKind::IdentityScan {
            return Err(AppError::NotFound);
        }
        Ok(d)
    }

    /// Every request matching `filter`, read in pages of 500 (the filter's limit and offset are ignored).
    pub async fn all_requests(&self, mut filter: RequestFilter) -> AppResult<Vec<StoredRequest>> {
        const PAGE: i64 = 500;
        let mut out = Vec::new();
        filter.limit = PAGE;
        filter.offset = 0;
        loop {
            let page = self.store.list_requests(&filter).await?;
            let n = page.items.len() as i64;
            out.extend(page.items);
            if n < PAGE {
                return Ok(out);
            }
            filter.offset += PAGE;
        }
    }

    pub async fn units(&self) -> AppResult<Vec<Unit>> {
        Ok(self.store.list_units().await?)
    }

    /// Statistics overall and per unit, for one year or all years (cached briefly).
    pub async fn stats(&self, year: Option<i32>) -> AppResult<StatsView> {
        if let Some((at, v)) = self.stats_cache.lock().expect("stats lock").get(&year) {
            if at.elapsed().as_secs() < STATS_TTL_SECS {
                return Ok(v.clone());
            }
        }
        let cal = self.calendar().await?;
        let dl = self.deadlines(&cal);
        let mut facts = Vec::new();
        let mut objections: HashMap<RequestId, ObjectionState> = HashMap::new();
        for o in self.store.list_objections(false).await? {
            objections.insert(o.request, o.clock.state);
        }
        for r in self.all_requests(RequestFilter { year, ..Default::default() }).await? {
            let c = &r.clock;
            facts.push(RequestFact {
                unit: c.unit,
                year: c.day0.format("%Y").to_string().parse().unwrap_or(0),
                outcome: c.outcome,
                days_to_notice: c.notice_day.map(|d| dl.working_days_taken(c.day0, d)),
                on_time: c.answered_late().map(|late| !late),
                extended: c.extended,
                withdrawn: c.state == RequestState::Withdrawn,
                objection: objections.get(&r.id).copied(),
            });
        }
        let (overall, per) = stats::by_unit(&facts);
        let units = self.store.list_units().await?;
        let per_unit = per.into_iter().map(|(u, s)| (u.and_then(|id| units.iter().find(|x| x.id == id).cloned()), s)).collect();
        let view = StatsView { year, overall, per_unit };
        self.stats_cache.lock().expect("stats lock").insert(year, (Instant::now(), view.clone()));
        Ok(view)
    }

    pub async fn audit_head(&self) -> AppResult<ChainHead> {
        Ok(self.store.audit_head().await?)
    }

    /// Recomputes the whole chain. `Ok(Err(..))` names the first broken entry.
    pub async fn verify_audit(&self) -> AppResult<std::result::Result<ChainHead, ChainError>> {
        let entries = self.store.audit_entries().await?;
        let head = self.store.audit_head().await?;
        Ok(audit::verify(&entries, &head))
    }

    // ---------------------------------------------------------------- officers

    /// Signs an officer in. Failures are counted per username and per client address.
    pub async fn login(&self, username: &str, password: &str, client: &str, now: DateTime<Utc>) -> AppResult<(Officer, Session, String)> {
        let window = Duration::minutes(self.config.security.login_window_minutes);
        let max = self.config.security.login_max_failures;
        let user_key = format!("u:{}", username.trim().to_lowercase());
        let client_key = format!("c:{client}");
        if self.limiter.blocked(&user_key, now, window, max) || self.limiter.blocked(&client_key, now, window, max * 4) {
            return Err(AppError::TooManyAttempts);
        }
        // No username has control characters (they are validated), and PostgreSQL refuses a NUL
        // byte in the lookup: such a name is simply a failed sign-in.
        let officer = if username.chars().any(char::is_control) { None } else { self.store.officer_by_username(&username.trim().to_lowercase()).await? };
        let hash = officer.as_ref().map(|o| o.password_hash.as_str()).unwrap_or(crypto::dummy_password_hash());
        let ok = crypto::verify_password(password, hash);
        let officer = match officer {
            Some(o) if ok && o.active => o,
            _ => {
                self.limiter.fail(&user_key, now);
                self.limiter.fail(&client_key, now);
                tracing::warn!("failed login");
                return Err(AppError::field("password", "err.login_failed"));
            }
        };
        self.limiter.clear(&user_key);
        let token = crypto::new_token();
        let session = Session {
            token_hash: crypto::token_hash(&token),
            officer: officer.id,
            csrf: crypto::new_token(),
            created_at: now,
            expires_at: now + Duration::hours(self.config.security.session_hours),
        };
        self.store.insert_session(session.clone()).await?;
        self.store
            .append_audit(audit_entry(&format!("officer:{}", officer.id), "officer.login", format!("officer:{}", officer.username), serde_json::json!({})))
            .await?;
        Ok((officer, session, token))
    }

    /// The officer behind a session token, if the session is live and the account active.
    pub async fn session(&self, token: &str, now: DateTime<Utc>) -> AppResult<(Officer, Session)> {
        let s = self.store.session(&crypto::token_hash(token), now).await?.ok_or(AppError::Unauthenticated)?;
        let o = self.store.officer(s.officer).await?.ok_or(AppError::Unauthenticated)?;
        if !o.active {
            return Err(AppError::Unauthenticated);
        }
        Ok((o, s))
    }

    pub async fn logout(&self, token: &str) -> AppResult<()> {
        Ok(self.store.delete_session(&crypto::token_hash(token)).await?)
    }

    /// The officer's inbox: their unit's requests by due date (all units for PPID Utama and a
    /// body-level Atasan; unrouted ones first for the PPID Utama).
    pub async fn inbox(&self, actor: &Actor, mut filter: RequestFilter) -> AppResult<Page<StoredRequest>> {
        if !can(actor, Action::UseConsole, actor.unit) {
            return Err(AppError::Forbidden);
        }
        let all_units = can(actor, Action::ViewRequest, None);
        if !all_units {
            match actor.unit {
                Some(u) if can(actor, Action::ViewRequest, Some(u)) => filter.unit = Some(u),
                _ => return Ok(Page { items: vec![], total: 0 }),
            }
        }
        filter.order = RequestOrder::DueFirst;
        Ok(self.store.list_requests(&filter).await?)
    }

    pub async fn officer_view(&self, actor: &Actor, id: RequestId, now: DateTime<Utc>) -> AppResult<OfficerView> {
        let r = self.store.request(id).await?.ok_or(AppError::NotFound)?;
        if !can(actor, Action::ViewRequest, r.clock.unit) {
            return Err(AppError::Forbidden);
        }
        let identity = if can(actor, Action::ViewRequesterIdentity, r.clock.unit) { Some(self.identity_of(&r)?) } else { None };
        let cal = self.calendar().await?;
        let dl = self.deadlines(&cal);
        let today = wib_date(now);
        let events = self.store.request_events(r.id).await?;
        let mut documents = self.store.documents(r.id).await?;
        if identity.is_none() {
            documents.retain(|d| d.kind != DocumentKind::IdentityScan);
        }
        let objections = self
            .store
            .objections_of(r.id)
            .await?
            .into_iter()
            .map(|o| {
                let d = objection_deadlines(&o.clock, today, &dl);
                (o, d)
            })
            .collect();
        Ok(OfficerView {
            notice: r.notice_json.as_deref().and_then(|j| serde_json::from_str(j).ok()),
            overdue: r.clock.is_overdue(today),
            due_soon: r.clock.is_due_soon(today, &dl),
            may_handle: can(actor, Action::HandleRequest, r.clock.unit),
            may_route: can(actor, Action::RouteRequest, r.clock.unit),
            may_decide: can(actor, Action::DecideObjection, r.clock.unit),
            identity,
            events,
            documents,
            objections,
            request: r,
        })
    }

    /// A document for an officer; identity scans are decrypted only for those who may see them.
    pub async fn officer_document(&self, actor: &Actor, id: i64) -> AppResult<Document> {
        let mut d = self.store.document(id).await?.ok_or(AppError::NotFound)?;
        let r = self.store.request(d.meta.request).await?.ok_or(AppError::NotFound)?;
        if !can(actor, Action::ViewRequest, r.clock.unit) {
            return Err(AppError::Forbidden);
        }
        if d.meta.kind == DocumentKind::IdentityScan {
            if !can(actor, Action::ViewRequesterIdentity, r.clock.unit) {
                return Err(AppError::Forbidden);
            }
            d.data = self.key.open(&d.data)?;
        }
        Ok(d)
    }

    /// Runs one request event through the state machine and saves it with everything around it.
    #[allow(clippy::too_many_arguments)]
    async fn apply(
        &self,
        r: StoredRequest,
        event: RequestEvent,
        actor: String,
        now: DateTime<Utc>,
        mutate: impl FnOnce(&mut StoredRequest),
        objection: Option<ObjectionWrite>,
        note: Option<String>,
        mails: Vec<NewMail>,
    ) -> AppResult<StoredRequest> {
        self.apply_with_docs(r, event, actor, now, mutate, objection, note, mails, vec![]).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn apply_with_docs(
        &self,
        r: StoredRequest,
        event: RequestEvent,
        actor: String,
        now: DateTime<Utc>,
        mutate: impl FnOnce(&mut StoredRequest),
        objection: Option<ObjectionWrite>,
        note: Option<String>,
        mails: Vec<NewMail>,
        documents: Vec<NewDocument>,
    ) -> AppResult<StoredRequest> {
        let cal = self.calendar().await?;
        let dl = self.deadlines(&cal);
        let next = request::transition(&r.clock, &event, wib_date(now), r.fee, &dl).map_err(|e| AppError::Rejected(e.code()))?;
        let mut updated = r.clone();
        updated.clock = next;
        mutate(&mut updated);
        let detail = serde_json::json!({
            "from": r.clock.state.as_str(),
            "to": updated.clock.state.as_str(),
            "unit": updated.clock.unit,
            "notice_due": updated.clock.notice_due.to_string(),
        });
        let write = Write {
            at: Some(now),
            actor: actor.clone(),
            event: Some((event.code().to_string(), note)),
            documents,
            mails,
            audit: Some(audit_entry(&actor, &format!("request.{}", event.code()), format!("request:{}", r.reg_no), detail)),
        };
        let saved = self.store.update_request(&updated, r.version, objection, write).await?;
        self.stats_cache.lock().expect("stats lock").clear();
        tracing::debug!(reg_no = %saved.reg_no, event = event.code(), state = saved.clock.state.as_str(), "request moved");
        Ok(saved)
    }

    async fn load_for(&self, actor: &Actor, id: RequestId, action: Action) -> AppResult<StoredRequest> {
        let r = self.store.request(id).await?.ok_or(AppError::NotFound)?;
        if !can(actor, action, r.clock.unit) {
            return Err(AppError::Forbidden);
        }
        Ok(r)
    }

    pub async fn route(&self, actor: &Actor, id: RequestId, unit: UnitId, now: DateTime<Utc>) -> AppResult<StoredRequest> {
        let r = self.store.request(id).await?.ok_or(AppError::NotFound)?;
        // A PPID Pelaksana may route only what it registered at its own desk (handled above);
        // routing is otherwise the PPID Utama's.
        let allowed = can(actor, Action::RouteRequest, r.clock.unit)
            || (actor.role == Role::PpidPelaksana && r.clock.unit.is_none() && actor.unit == Some(unit) && r.channel != Channel::Web);
        if !allowed {
            return Err(AppError::Forbidden);
        }
        let units = self.store.list_units().await?;
        let Some(target) = units.iter().find(|u| u.id == unit) else {
            return Err(AppError::field("unit", "err.choose_one"));
        };
        let officers = self.officers_where(|o| o.role == Role::PpidPelaksana && o.unit == Some(unit)).await?;
        let mails = officers
            .iter()
            .map(|o| {
                self.mail(
                    format!("routed:{}:{}:{}", r.id, unit, o.id),
                    &o.email,
                    "mail.routed.subject",
                    "mail.routed.body",
                    &[("reg_no", &r.reg_no), ("due", &r.clock.notice_due.format("%d-%m-%Y").to_string())],
                    now,
                )
            })
            .collect();
        let note = Some(target.name.clone());
        self.apply(r, RequestEvent::Route { unit }, officer_label(actor), now, |_| {}, None, note, mails).await
    }

    pub async fn extend(&self, actor: &Actor, id: RequestId, reason: &Option<String>, now: DateTime<Utc>) -> AppResult<StoredRequest> {
        let reason = terbuka_domain::validate::reason("reason", reason, 10)?;
        let r = self.load_for(actor, id, Action::HandleRequest).await?;
        let mails = self.status_mail(&r, RequestState::Extended, now)?;
        let note = Some(reason.clone());
        self.apply(r, RequestEvent::Extend { reason: reason.clone() }, officer_label(actor), now, move |u| u.extension_reason = Some(reason), None, note, mails)
            .await
    }

    pub async fn answer(&self, actor: &Actor, id: RequestId, raw: &RawNotice, documents: Vec<(Upload, bool)>, now: DateTime<Utc>) -> AppResult<StoredRequest> {
        let notice = raw.validate()?;
        let docs = self.check_documents(documents)?;
        let r = self.load_for(actor, id, Action::HandleRequest).await?;
        let mails = self.status_mail(&r, notice.resulting_state(), now)?;
        let json = serde_json::to_string(&notice).map_err(anyhow::Error::from)?;
        let fee = notice.fee;
        let note = Some(notice.text.clone());
        self.apply_with_docs(
            r,
            RequestEvent::Answer(notice),
            officer_label(actor),
            now,
            move |u| {
                u.notice_json = Some(json);
                u.fee = fee;
            },
            None,
            note,
            mails,
            docs,
        )
        .await
    }

    fn check_documents(&self, documents: Vec<(Upload, bool)>) -> AppResult<Vec<NewDocument>> {
        let mut out = Vec::new();
        for (u, public) in documents.into_iter().filter(|(u, _)| !u.data.is_empty()) {
            if u.data.len() > self.config.uploads.max_document_bytes {
                return Err(AppError::field("document", "err.file_too_large"));
            }
            let Some(ct) = sniff_document(&u.filename, &u.data) else {
                return Err(AppError::field("document", "err.file_type_document"));
            };
            out.push(NewDocument {
                kind: if public { DocumentKind::Released } else { DocumentKind::Response },
                filename: safe_filename(&u.filename),
                content_type: ct.into(),
                sha256: crypto::sha256_hex(&u.data),
                data: u.data,
            });
        }
        Ok(out)
    }

    /// Attaches response documents without changing state (e.g. after the notice, before delivery).
    pub async fn attach_documents(&self, actor: &Actor, id: RequestId, documents: Vec<(Upload, bool)>, now: DateTime<Utc>) -> AppResult<StoredRequest> {
        let docs = self.check_documents(documents)?;
        if docs.is_empty() {
            return Err(AppError::field("document", "err.required"));
        }
        let r = self.load_for(actor, id, Action::HandleRequest).await?;
        if matches!(r.clock.state, RequestState::Withdrawn) {
            return Err(AppError::Rejected("err.transition_not_allowed"));
        }
        let names: Vec<String> = docs.iter().map(|d| d.filename.clone()).collect();
        let write = Write {
            at: Some(now),
            actor: officer_label(actor),
            event: Some(("attach".into(), Some(names.join(", ")))),
            documents: docs,
            mails: vec![],
            audit: Some(audit_entry(&officer_label(actor), "request.attach", format!("request:{}", r.reg_no), serde_json::json!({"files": names.len()}))),
        };
        Ok(self.store.update_request(&r, r.version, None, write).await?)
    }

    pub async fn notify_fee(&self, actor: &Actor, id: RequestId, now: DateTime<Utc>) -> AppResult<StoredRequest> {
        let r = self.load_for(actor, id, Action::HandleRequest).await?;
        let mails = self.status_mail(&r, RequestState::AwaitingPayment, now)?;
        let note = Some(format!("Rp {}", r.fee));
        self.apply(r, RequestEvent::NotifyFee, officer_label(actor), now, |_| {}, None, note, mails).await
    }

    pub async fn deliver(&self, actor: &Actor, id: RequestId, now: DateTime<Utc>) -> AppResult<StoredRequest> {
        let r = self.load_for(actor, id, Action::HandleRequest).await?;
        let mails = self.status_mail(&r, RequestState::Delivered, now)?;
        self.apply(r, RequestEvent::Deliver, officer_label(actor), now, |_| {}, None, None, mails).await
    }

    /// Keberatan visible to the officer, oldest response deadline first.
    pub async fn objections_for(&self, actor: &Actor, open_only: bool) -> AppResult<Vec<(StoredObjection, StoredRequest)>> {
        let mut out = Vec::new();
        for o in self.store.list_objections(open_only).await? {
            if let Some(r) = self.store.request(o.request).await? {
                if can(actor, Action::ViewObjection, r.clock.unit) {
                    out.push((o, r));
                }
            }
        }
        Ok(out)
    }

    /// An Atasan PPID decision or a recorded dispute step on a keberatan.
    pub async fn objection_step(
        &self,
        actor: &Actor,
        objection_id: i64,
        event: ObjectionEvent,
        text: Option<String>,
        now: DateTime<Utc>,
    ) -> AppResult<StoredObjection> {
        let o = self.store.objection(objection_id).await?.ok_or(AppError::NotFound)?;
        let r = self.store.request(o.request).await?.ok_or(AppError::NotFound)?;
        let action = if event.is_decision() { Action::DecideObjection } else { Action::RecordDispute };
        if !can(actor, action, r.clock.unit) {
            return Err(AppError::Forbidden);
        }
        let next = objection::transition(&o.clock, &event, wib_date(now)).map_err(|e| AppError::Rejected(e.code()))?;
        let mut updated = o.clone();
        updated.clock = next;
        let text = match (&event, text) {
            (ObjectionEvent::Reject { reasons }, None) => Some(reasons.clone()),
            (_, t) => t,
        };
        if matches!(event, ObjectionEvent::Settle | ObjectionEvent::Uphold | ObjectionEvent::Reject { .. }) {
            updated.decision_text = text.clone();
            updated.decided_by = Some(actor.officer);
        }
        let write_objection = ObjectionWrite::Update { objection: updated, expected_version: o.version };
        let note = text.clone();
        // The request concludes with the Atasan's response; if the keberatan went on to the
        // Komisi Informasi before any response, it concludes when the dispute closes.
        let concluded = match event {
            ObjectionEvent::Uphold => Some(true),
            ObjectionEvent::Settle | ObjectionEvent::Reject { .. } | ObjectionEvent::CloseDispute => Some(false),
            _ => None,
        };
        match concluded {
            Some(release) if r.clock.state == RequestState::UnderObjection => {
                let next_state = if release { RequestState::Granted } else { RequestState::Closed };
                let mails = self.status_mail(&r, next_state, now)?;
                self.apply(r, RequestEvent::ObjectionConcluded { release }, officer_label(actor), now, |_| {}, Some(write_objection), note, mails).await?;
            }
            _ => {
                let write = Write {
                    at: Some(now),
                    actor: officer_label(actor),
                    event: Some((format!("objection.{}", event.code()), note)),
                    documents: vec![],
                    mails: vec![],
                    audit: Some(audit_entry(
                        &officer_label(actor),
                        &format!("objection.{}", event.code()),
                        format!("objection:{}", o.reg_no),
                        serde_json::json!({"from": o.clock.state.as_str()}),
                    )),
                };
                self.store.update_request(&r, r.version, Some(write_objection), write).await?;
            }
        }
        self.store.objection(objection_id).await?.ok_or(AppError::NotFound)
    }

    // ---------------------------------------------------------------- administration

    /// Adds an officer. `actor` is `None` from the command line (the machine's operator).
    pub async fn add_officer(&self, actor: Option<&Actor>, raw: &RawOfficer, now: DateTime<Utc>) -> AppResult<OfficerId> {
        if let Some(a) = actor {
            if !can(a, Action::ManageOfficers, None) {
                return Err(AppError::Forbidden);
            }
        }
        let o = raw.validate()?;
        if let Some(u) = o.unit {
            if !self.store.list_units().await?.iter().any(|x| x.id == u) {
                return Err(AppError::field("unit", "err.choose_one"));
            }
        }
        let label = actor.map(officer_label).unwrap_or_else(|| "system:cli".into());
        let audit = audit_entry(&label, "officer.add", format!("officer:{}", o.username), serde_json::json!({"role": o.role.as_str(), "unit": o.unit}));
        let new = NewOfficer {
            username: o.username,
            display_name: o.display_name,
            email: o.email,
            role: o.role,
            unit: o.unit,
            password_hash: crypto::hash_password(&o.password)?,
            created_at: now,
        };
        match self.store.insert_officer(new, audit).await {
            Err(StoreError::Conflict(_)) => Err(AppError::field("username", "err.username_taken")),
            other => Ok(other?),
        }
    }

    pub async fn list_officers(&self, actor: Option<&Actor>) -> AppResult<Vec<Officer>> {
        if let Some(a) = actor {
            if !can(a, Action::ManageOfficers, None) {
                return Err(AppError::Forbidden);
            }
        }
        Ok(self.store.list_officers().await?)
    }

    pub async fn set_officer_active(&self, actor: Option<&Actor>, id: OfficerId, active: bool) -> AppResult<()> {
        let label = match actor {
            Some(a) if !can(a, Action::ManageOfficers, None) => return Err(AppError::Forbidden),
            Some(a) if a.officer == id && !active => return Err(AppError::Rejected("err.cannot_disable_self")),
            Some(a) => officer_label(a),
            None => "system:cli".into(),
        };
        let o = self.store.officer(id).await?.ok_or(AppError::NotFound)?;
        let audit = audit_entry(&label, if active { "officer.enable" } else { "officer.disable" }, format!("officer:{}", o.username), serde_json::json!({}));
        Ok(self.store.set_officer_active(id, active, audit).await?)
    }

    pub async fn days_off(&self) -> AppResult<Vec<DayOff>> {
        Ok(self.store.list_days_off().await?)
    }

    pub async fn add_day_off(
        &self,
        actor: &Actor,
        date: &Option<String>,
        kind: &Option<String>,
        name: &Option<String>,
        name_en: &Option<String>,
    ) -> AppResult<()> {
        if !can(actor, Action::EditCalendar, None) {
            return Err(AppError::Forbidden);
        }
        let mut e = FieldErrors::default();
        let d = terbuka_domain::validate::date_field("date", date).map_err(|x| e.0.extend(x.0)).ok();
        let k = kind.as_deref().and_then(DayOffKind::parse);
        if k.is_none() {
            e.add("kind", "err.choose_one");
        }
        let n = terbuka_domain::validate::reason("name", name, 3).map_err(|x| e.0.extend(x.0)).ok();
        let n_en = match name_en.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(_) => terbuka_domain::validate::reason("name_en", name_en, 3).map_err(|x| e.0.extend(x.0)).ok(),
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let (d, k, n) = (d.unwrap_or_default(), k.unwrap_or(DayOffKind::Holiday), n.unwrap_or_default());
        let audit = audit_entry(&officer_label(actor), "calendar.add", format!("day:{d}"), serde_json::json!({"kind": k.as_str(), "name": n}));
        let day = DayOff { date: d, kind: k, name_en: n_en.unwrap_or_else(|| n.clone()), name: n };
        match self.store.insert_day_off(day, audit).await {
            Err(StoreError::Conflict(_)) => return Err(AppError::field("date", "err.day_exists")),
            other => other?,
        }
        self.forget_calendar();
        Ok(())
    }

    pub async fn remove_day_off(&self, actor: &Actor, date: &Option<String>, kind: &Option<String>) -> AppResult<()> {
        if !can(actor, Action::EditCalendar, None) {
            return Err(AppError::Forbidden);
        }
        let d = terbuka_domain::validate::date_field("date", date)?;
        let k = kind.as_deref().and_then(DayOffKind::parse).ok_or_else(|| AppError::field("kind", "err.choose_one"))?;
        let audit = audit_entry(&officer_label(actor), "calendar.remove", format!("day:{d}"), serde_json::json!({"kind": k.as_str()}));
        self.store.delete_day_off(d, k, audit).await?;
        self.forget_calendar();
        Ok(())
    }
}

/// Released documents become public only once the request was granted.
pub fn released_publicly(r: &StoredRequest) -> bool {
    matches!(r.clock.outcome, Some(Outcome::GrantedFull | Outcome::GrantedPartial))
        || r.clock.state == RequestState::Granted
        || r.clock.state == RequestState::Delivered
}

pub fn objection_deadlines(c: &ObjectionClock, today: NaiveDate, dl: &Deadlines) -> ObjectionDeadlines {
    let ki = c.ki_deadlines(dl);
    ObjectionDeadlines {
        response_due: c.response_due,
        overdue: c.is_overdue(today),
        dispute_due: c.dispute_due(dl),
        ki_start_due: ki.map(|k| k.0),
        ki_finish_due: ki.map(|k| k.1),
        court_due: c.court_due(dl),
    }
}

/// Whether a deadline owed by the body is within the due-soon window (for the inbox flags).
pub fn due_soon(dl: &Deadlines, today: NaiveDate, due: NaiveDate) -> bool {
    dl.due_soon(today, due, DeadlineOwner::Body)
}

/// The national holidays and cuti bersama 2015-2030 shipped with the binary (from PyPI
/// `holidays` 0.109, MIT; see `crates/terbuka-app/data/LICENSES`).
pub const BUNDLED_HOLIDAYS: &str = include_str!("../data/id-holidays.csv");

impl App {
    /// Seeds the calendar with the bundled holidays; days already present (or edited by the
    /// admin) are left alone. Returns how many days were added.
    pub async fn seed_calendar(&self) -> anyhow::Result<u64> {
        let days = Calendar::parse_csv(BUNDLED_HOLIDAYS).map_err(anyhow::Error::msg)?;
        let audit = audit_entry("system", "calendar.seed", "calendar".into(), serde_json::json!({}));
        let n = self.store.seed_days_off(days, audit).await?;
        self.forget_calendar();
        Ok(n)
    }
}
