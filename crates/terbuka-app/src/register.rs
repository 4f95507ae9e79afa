//! Use cases of the public information register (DIP/DIK) and of search.
//!
//! Files go to the object store (content-addressed keys, never overwritten, so every revision
//! stays downloadable) before the one store transaction that records them; a failed transaction
//! leaves at most an unreferenced blob, never a half-saved item.
//!
//! The search index is derived from the database: every write logs the changed document's key
//! in `search_changes`, and [`App::sync_search`] (after each local write and every second in the
//! jobs, on every node) applies the log past the index's cursor. Only public content is ever
//! given to the index: [`App::search_doc`] returns `None` for anything not fully public, which
//! deletes it from the index. Exempt items, drafts, withdrawn items and their files are never
//! indexed.

use crate::error::{AppError, AppResult};
use crate::service::{audit_entry, officer_label, safe_filename, sniff_document, App, Upload};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;
use terbuka_domain::authz::{can, Action, Actor};
use terbuka_domain::calendar::wib_date;
use terbuka_domain::dip::{self, Category, ItemEvent, ItemFields, ItemState, Visibility};
use terbuka_domain::request::RequestState;
use terbuka_domain::validate::{FieldErrors, RawItem, ITEM_COLUMNS};
use terbuka_domain::{Role, UnitId};
use terbuka_search::{DocKind, SearchDoc, SearchIndex, SearchQuery, SearchResults};
use terbuka_store::*;

/// What the officer wants done with a new item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Draft,
    Publish,
    Schedule(DateTime<Utc>),
}

/// One problem in one row of a bulk import. `line` is the spreadsheet line (header = 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: usize,
    pub field: String,
    pub code: String,
}

/// The outcome of a bulk import: either every row saved, or the problems (nothing saved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ImportOutcome {
    Saved { ids: Vec<i64> },
    Rejected { errors: Vec<RowError> },
}

/// An item with what the console shows next to it.
#[derive(Debug, Clone)]
pub struct ItemDetail {
    pub item: StoredItem,
    pub unit: Option<Unit>,
    pub files: Vec<InfoFile>,
    pub versions: Vec<ItemVersion>,
    pub visibility: Visibility,
    pub next_update_due: Option<NaiveDate>,
    pub stale: bool,
    pub may_manage: bool,
}

/// Counts per unit for the register statistics (and the monev evidence later).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegisterCounts {
    pub berkala: i64,
    pub serta_merta: i64,
    pub setiap_saat: i64,
    pub dikecualikan: i64,
    pub withdrawn: i64,
    pub drafts: i64,
    /// Published periodic items past their refresh date.
    pub stale: i64,
}

/// Parses a `datetime-local` value (`YYYY-MM-DDTHH:MM`) as WIB (UTC+7).
pub fn parse_wib_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")).ok()?;
    let wib = chrono::FixedOffset::east_opt(7 * 3600)?;
    wib.from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
}

fn item_audit(actor: &Actor, action: &str, id: Option<i64>, detail: serde_json::Value) -> terbuka_domain::audit::NewAuditEntry {
    audit_entry(&officer_label(actor), action, id.map(|i| format!("info:{i}")).unwrap_or_else(|| "info:{id}".into()), detail)
}

/// Object-store key of a file: content-addressed, so a revision is never overwritten.
fn blob_key(sha256: &str) -> String {
    format!("dip/{}/{}", &sha256[..2], sha256)
}

impl App {
    /// Bulk writers (the demo seeder) skip the per-write sync and call `sync_search` once.
    pub fn defer_search(&self, on: bool) {
        self.defer_search.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// The search index this node serves from.
    pub fn search_index(&self) -> SearchIndex {
        self.search.read().expect("search lock").clone()
    }

    /// Switches this node to an index on disk (used by `serve`; tests keep the in-memory one).
    pub fn use_search_index(&self, index: SearchIndex) {
        *self.search.write().expect("search lock") = index;
    }

    fn unit_lookup<'a>(units: &'a [Unit]) -> impl Fn(&str) -> Option<UnitId> + 'a {
        move |s: &str| {
            let s = s.trim();
            units.iter().find(|u| u.code.eq_ignore_ascii_case(s) || u.id.to_string() == s || u.name.eq_ignore_ascii_case(s)).map(|u| u.id)
        }
    }

    /// Checks, stores in the object store and extracts the text of uploaded files.
    async fn store_uploads(&self, uploads: Vec<Upload>) -> AppResult<Vec<NewInfoFile>> {
        let mut out = Vec::new();
        for u in uploads.into_iter().filter(|u| !u.data.is_empty()) {
            if u.data.len() > self.config.uploads.max_document_bytes {
                return Err(AppError::field("files", "err.file_too_large"));
            }
            let Some(ct) = sniff_document(&u.filename, &u.data) else {
                return Err(AppError::field("files", "err.file_type_document"));
            };
            let sha = crate::crypto::sha256_hex(&u.data);
            let filename = safe_filename(&u.filename);
            let data = u.data;
            let (text, data) = {
                let name = filename.clone();
                tokio::task::spawn_blocking(move || {
                    let t = terbuka_files::extract::extract_text(&name, &data).ok().flatten().unwrap_or_default();
                    (t, data)
                })
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("text extraction task: {e}")))?
            };
            let size = data.len() as i64;
            let key = blob_key(&sha);
            self.blobs.put(&key, data).await.map_err(|e| AppError::Internal(anyhow::anyhow!("object store: {e}")))?;
            out.push(NewInfoFile { blob_key: key, filename, content_type: ct.split(';').next().unwrap_or(ct).to_string(), size, sha256: sha, text });
        }
        Ok(out)
    }

    fn check_manage(actor: &Actor, unit: UnitId) -> AppResult<()> {
        if can(actor, Action::ManageInfo, Some(unit)) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    fn item_write(actor: &Actor, now: DateTime<Utc>, audit: terbuka_domain::audit::NewAuditEntry) -> ItemWrite {
        ItemWrite { at: now, actor: officer_label(actor), audit }
    }

    /// Creates an item (draft, published now or scheduled) with its files.
    pub async fn create_item(&self, actor: &Actor, raw: &RawItem, intent: Intent, uploads: Vec<Upload>, now: DateTime<Utc>) -> AppResult<StoredItem> {
        if !can(actor, Action::UseConsole, None) {
            return Err(AppError::Forbidden);
        }
        let units = self.store.list_units().await?;
        let fields = raw.validate(wib_date(now), Self::unit_lookup(&units))?;
        Self::check_manage(actor, fields.unit)?;
        let (state, publish_at) = match intent {
            Intent::Draft => (ItemState::Draft, None),
            Intent::Publish => (ItemState::Published, None),
            Intent::Schedule(at) if at <= now => return Err(AppError::field("publish_at", "err.publish_at_past")),
            Intent::Schedule(at) => (ItemState::Scheduled, Some(at)),
        };
        let files = self.store_uploads(uploads).await?;
        let audit =
            item_audit(actor, "info.create", None, serde_json::json!({"state": state.as_str(), "category": fields.category.as_str(), "files": files.len()}));
        let item = NewItem { state, fields, publish_at, source_document: None, files, action: "create".into(), note: None };
        let ids = self.store.insert_items(vec![item], Self::item_write(actor, now, audit)).await?;
        self.after_register_write().await;
        self.store.item(ids[0]).await?.ok_or(AppError::NotFound)
    }

    async fn load_item_for(&self, actor: &Actor, id: i64, action: Action) -> AppResult<StoredItem> {
        let item = self.store.item(id).await?.ok_or(AppError::NotFound)?;
        if !can(actor, action, Some(item.fields.unit)) {
            // Officers of other units learn nothing about the item, not even that it exists.
            return Err(if can(actor, Action::ViewInfo, Some(item.fields.unit)) { AppError::Forbidden } else { AppError::NotFound });
        }
        Ok(item)
    }

    /// Edits the register fields; the previous version stays in the history.
    pub async fn edit_item(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        raw: &RawItem,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> AppResult<StoredItem> {
        let item = self.load_item_for(actor, id, Action::ManageInfo).await?;
        let units = self.store.list_units().await?;
        let fields = raw.validate(wib_date(now), Self::unit_lookup(&units))?;
        Self::check_manage(actor, fields.unit)?;
        let changed = dip::changed_fields(&item.fields, &fields);
        if changed.is_empty() {
            return Ok(item);
        }
        let content_changed = changed.iter().any(|f| !matches!(*f, "unit" | "category" | "exemption" | "cadence_months"));
        let audit = item_audit(actor, "info.edit", Some(id), serde_json::json!({"fields": changed}));
        let change = ItemChange {
            state: item.state,
            fields,
            publish_at: item.publish_at,
            withdrawn_reason: item.withdrawn_reason.clone(),
            content_changed,
            add_files: vec![],
            replace_files: vec![],
            remove_slots: vec![],
            action: "edit".into(),
            note: clean_note(note),
        };
        let out = self.store.update_item(id, expected_version, change, Self::item_write(actor, now, audit)).await?;
        self.after_register_write().await;
        Ok(out)
    }

    /// Publish, schedule, unschedule, withdraw (with a reason) or restore an item.
    #[allow(clippy::too_many_arguments)] // each argument is one field of the officer's form
    pub async fn item_event(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        event: ItemEvent,
        publish_at: Option<DateTime<Utc>>,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> AppResult<StoredItem> {
        if event == ItemEvent::ScheduleDue {
            return Err(AppError::Rejected("err.transition_not_allowed"));
        }
        let mut errors = FieldErrors::default();
        let reason = clean_note(reason);
        if event == ItemEvent::Withdraw && reason.as_ref().is_none_or(|r| r.chars().count() < 10) {
            errors.add("reason", if reason.is_none() { "err.required" } else { "err.too_short" });
        }
        if event == ItemEvent::Schedule {
            match publish_at {
                None => errors.add("publish_at", "err.required"),
                Some(t) if t <= now => errors.add("publish_at", "err.publish_at_past"),
                _ => {}
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let item = self.load_item_for(actor, id, Action::ManageInfo).await?;
        let next = dip::transition(item.state, event).map_err(|_| AppError::Rejected("err.transition_not_allowed"))?;
        let audit = item_audit(actor, &format!("info.{}", event.as_str()), Some(id), serde_json::json!({"from": item.state.as_str(), "to": next.as_str()}));
        let change = ItemChange {
            state: next,
            fields: item.fields.clone(),
            publish_at: if next == ItemState::Scheduled { publish_at } else { None },
            withdrawn_reason: if event == ItemEvent::Withdraw { reason.clone() } else { item.withdrawn_reason.clone() },
            content_changed: false,
            add_files: vec![],
            replace_files: vec![],
            remove_slots: vec![],
            action: event.as_str().into(),
            note: reason,
        };
        let out = self.store.update_item(id, expected_version, change, Self::item_write(actor, now, audit)).await?;
        self.after_register_write().await;
        Ok(out)
    }

    /// Adds files, replaces one (by slot) or removes one; every revision stays in the history.
    #[allow(clippy::too_many_arguments)] // each argument is one field of the officer's form
    pub async fn change_files(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        add: Vec<Upload>,
        replace: Option<(i64, Upload)>,
        remove: Option<i64>,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> AppResult<StoredItem> {
        let item = self.load_item_for(actor, id, Action::ManageInfo).await?;
        let files = self.store.item_files(id).await?;
        let current = |slot: i64| files.iter().any(|f| f.slot == slot && f.is_current());
        if replace.as_ref().is_some_and(|(s, _)| !current(*s)) || remove.is_some_and(|s| !current(s)) {
            return Err(AppError::NotFound);
        }
        let add_files = self.store_uploads(add).await?;
        let mut replace_files = Vec::new();
        if let Some((slot, up)) = replace {
            let stored = self.store_uploads(vec![up]).await?;
            let Some(f) = stored.into_iter().next() else {
                return Err(AppError::field("files", "err.required"));
            };
            replace_files.push((slot, f));
        }
        if add_files.is_empty() && replace_files.is_empty() && remove.is_none() {
            return Err(AppError::field("files", "err.required"));
        }
        let action = if !replace_files.is_empty() {
            "replace_file"
        } else if remove.is_some() {
            "remove_file"
        } else {
            "attach"
        };
        let names: Vec<String> = add_files.iter().chain(replace_files.iter().map(|(_, f)| f)).map(|f| f.filename.clone()).collect();
        let audit = item_audit(actor, &format!("info.{action}"), Some(id), serde_json::json!({"files": names}));
        let mut note = clean_note(note);
        if note.is_none() && !names.is_empty() {
            note = Some(names.join(", "));
        }
        let change = ItemChange {
            state: item.state,
            fields: item.fields.clone(),
            publish_at: item.publish_at,
            withdrawn_reason: item.withdrawn_reason.clone(),
            content_changed: true,
            add_files,
            replace_files,
            remove_slots: remove.into_iter().collect(),
            action: action.into(),
            note,
        };
        let out = self.store.update_item(id, expected_version, change, Self::item_write(actor, now, audit)).await?;
        self.after_register_write().await;
        Ok(out)
    }

    /// Bulk import of an existing DIP from CSV or XLSX: every row is checked and either all rows
    /// are saved in one transaction or none is, with every problem listed by line and column.
    pub async fn import_items(&self, actor: &Actor, upload: &Upload, publish: bool, now: DateTime<Utc>) -> AppResult<ImportOutcome> {
        if !can(actor, Action::UseConsole, None) || !(can(actor, Action::ManageInfo, actor.unit) || actor.role == Role::PpidUtama) {
            return Err(AppError::Forbidden);
        }
        if upload.data.is_empty() {
            return Err(AppError::field("file", "err.required"));
        }
        if upload.data.len() > self.config.uploads.max_document_bytes {
            return Err(AppError::field("file", "err.file_too_large"));
        }
        let table = terbuka_files::table::read_table(&upload.filename, &upload.data).map_err(|e| AppError::field("file", e.code()))?;
        let columns: Vec<Option<&'static str>> = table.headers.iter().map(|h| RawItem::column(h)).collect();
        let mut errors = Vec::new();
        for (h, c) in table.headers.iter().zip(&columns) {
            if c.is_none() && !h.trim().is_empty() && !matches!(h.trim().to_lowercase().as_str(), "no" | "nomor" | "number" | "tautan" | "link") {
                errors.push(RowError { line: 1, field: h.chars().take(60).collect(), code: "err.import_unknown_column".into() });
            }
        }
        if !columns.contains(&Some("title")) {
            errors.push(RowError { line: 1, field: "title".into(), code: "err.import_missing_column".into() });
        }
        let units = self.store.list_units().await?;
        let today = wib_date(now);
        let mut items = Vec::new();
        for (i, row) in table.rows.iter().enumerate() {
            let line = i + 2;
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let raw = RawItem::from_row(&columns, row);
            match raw.validate(today, Self::unit_lookup(&units)) {
                Err(fe) => errors.extend(fe.0.iter().map(|e| RowError { line, field: e.field.into(), code: e.code.into() })),
                Ok(fields) if !can(actor, Action::ManageInfo, Some(fields.unit)) => {
                    errors.push(RowError { line, field: "unit".into(), code: "err.unit_forbidden".into() })
                }
                Ok(fields) => {
                    let state = if publish { ItemState::Published } else { ItemState::Draft };
                    items.push(NewItem {
                        state,
                        fields,
                        publish_at: None,
                        source_document: None,
                        files: vec![],
                        action: "import".into(),
                        note: Some(safe_filename(&upload.filename)),
                    })
                }
            }
        }
        if items.is_empty() && errors.is_empty() {
            errors.push(RowError { line: 2, field: "title".into(), code: "err.table.empty".into() });
        }
        if !errors.is_empty() {
            return Ok(ImportOutcome::Rejected { errors });
        }
        let audit =
            item_audit(actor, "info.import", None, serde_json::json!({"rows": items.len(), "publish": publish, "file": safe_filename(&upload.filename)}));
        let mut audit = audit;
        audit.subject = "register".into();
        let ids = self.store.insert_items(items, Self::item_write(actor, now, audit)).await?;
        self.after_register_write().await;
        Ok(ImportOutcome::Saved { ids })
    }

    /// Promotes a document released with a granted request into the register, published, in one
    /// step (the officer can edit it afterwards). A document is promoted at most once.
    pub async fn promote_document(&self, actor: &Actor, document_id: i64, now: DateTime<Utc>) -> AppResult<StoredItem> {
        let doc = self.store.document(document_id).await?.ok_or(AppError::NotFound)?;
        let req = self.store.request(doc.meta.request).await?.ok_or(AppError::NotFound)?;
        let unit = req.clock.unit.ok_or(AppError::Rejected("err.promote_not_released"))?;
        if !can(actor, Action::HandleRequest, Some(unit)) {
            return Err(AppError::NotFound);
        }
        Self::check_manage(actor, unit)?;
        let released_state = matches!(req.clock.state, RequestState::Granted | RequestState::Delivered | RequestState::Closed);
        if doc.meta.kind != DocumentKind::Released || !released_state {
            return Err(AppError::Rejected("err.promote_not_released"));
        }
        if let Some(existing) = self.store.item_by_source(document_id).await? {
            return Ok(existing);
        }
        let officer = self.store.officer(actor.officer).await?.map(|o| o.display_name).unwrap_or_default();
        let produced_on = req.clock.notice_day.unwrap_or(wib_date(now));
        let summary = format!("Informasi yang telah diberikan atas permohonan {}: {}", req.reg_no, req.subject);
        let fields = ItemFields {
            title: req.subject.chars().take(300).collect(),
            summary: summary.chars().take(5000).collect(),
            unit,
            official: if officer.chars().count() >= 3 { officer } else { "PPID".into() },
            produced_on,
            produced_place: String::new(),
            period: String::new(),
            softcopy: true,
            hardcopy: false,
            retention: dip::RetentionKind::Years,
            retention_years: Some(5),
            how_to_obtain: "Unduh langsung dari laman ini.".into(),
            category: Category::SetiapSaat,
            cadence_months: None,
            exemption: None,
        };
        let files =
            self.store_uploads(vec![Upload { filename: doc.meta.filename.clone(), content_type: doc.meta.content_type.clone(), data: doc.data }]).await?;
        let audit = item_audit(actor, "info.promote", None, serde_json::json!({"request": req.reg_no, "document": document_id}));
        let item = NewItem {
            state: ItemState::Published,
            fields,
            publish_at: None,
            source_document: Some(document_id),
            files,
            action: "promote".into(),
            note: Some(req.reg_no.clone()),
        };
        let ids = match self.store.insert_items(vec![item], Self::item_write(actor, now, audit)).await {
            Ok(ids) => ids,
            // Two officers promoting at once: the second gets the first one's item.
            Err(StoreError::Conflict(_)) => return self.store.item_by_source(document_id).await?.ok_or(AppError::Conflict),
            Err(e) => return Err(e.into()),
        };
        self.after_register_write().await;
        self.store.item(ids[0]).await?.ok_or(AppError::NotFound)
    }

    /// The console list, scoped to what the officer may see.
    pub async fn officer_items(&self, actor: &Actor, mut filter: ItemFilter) -> AppResult<Page<StoredItem>> {
        if !can(actor, Action::UseConsole, None) {
            return Err(AppError::Forbidden);
        }
        let everywhere = can(actor, Action::ViewInfo, None) || (actor.role == Role::AtasanPpid && actor.unit.is_none());
        if !everywhere {
            match actor.unit {
                Some(u) if can(actor, Action::ViewInfo, Some(u)) => filter.unit = Some(u),
                _ => return Err(AppError::Forbidden),
            }
        }
        Ok(self.store.list_items(&filter).await?)
    }

    /// One item with its files and history, for the console.
    pub async fn officer_item(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> AppResult<ItemDetail> {
        let item = self.load_item_for(actor, id, Action::ViewInfo).await?;
        let may_manage = can(actor, Action::ManageInfo, Some(item.fields.unit));
        self.detail(item, may_manage, now).await
    }

    async fn detail(&self, item: StoredItem, may_manage: bool, now: DateTime<Utc>) -> AppResult<ItemDetail> {
        let units = self.store.list_units().await?;
        let files = self.store.item_files(item.id).await?;
        let versions = self.store.item_versions(item.id).await?;
        let today = wib_date(now);
        Ok(ItemDetail {
            unit: units.into_iter().find(|u| u.id == item.fields.unit),
            next_update_due: dip::next_update_due(&item.fields, item.content_updated_on),
            stale: dip::is_stale(&item.fields, item.state, item.content_updated_on, today),
            visibility: dip::visibility(item.state, item.fields.category),
            files,
            versions,
            may_manage,
            item,
        })
    }

    /// A public item page: `None` when the public may not know it exists (drafts, scheduled).
    /// The caller must render only what `visibility` allows (see `terbuka-web`'s views).
    pub async fn public_item(&self, id: i64, now: DateTime<Utc>) -> AppResult<Option<ItemDetail>> {
        let Some(item) = self.store.item(id).await? else { return Ok(None) };
        match dip::visibility(item.state, item.fields.category) {
            Visibility::Hidden => Ok(None),
            _ => Ok(Some(self.detail(item, false, now).await?)),
        }
    }

    /// A file of a fully public item (any revision, so replaced files stay available; removed
    /// files are not served). Exempt, withdrawn, draft items: `None`.
    pub async fn public_file(&self, file_id: i64) -> AppResult<Option<(InfoFile, Vec<u8>)>> {
        let Some(f) = self.store.info_file(file_id).await? else { return Ok(None) };
        let Some(item) = self.store.item(f.item).await? else { return Ok(None) };
        if dip::visibility(item.state, item.fields.category) != Visibility::Full || f.removed {
            return Ok(None);
        }
        let data = self.blobs.get(&f.blob_key).await.map_err(|e| AppError::Internal(anyhow::anyhow!("object store: {e}")))?;
        Ok(Some((f, data)))
    }

    /// A file for an officer who may view the item (drafts and exempt items included).
    pub async fn officer_file(&self, actor: &Actor, file_id: i64) -> AppResult<(InfoFile, Vec<u8>)> {
        let f = self.store.info_file(file_id).await?.ok_or(AppError::NotFound)?;
        self.load_item_for(actor, f.item, Action::ViewInfo).await?;
        let data = self.blobs.get(&f.blob_key).await.map_err(|e| AppError::Internal(anyhow::anyhow!("object store: {e}")))?;
        Ok((f, data))
    }

    /// Published items for the public register pages. `category` = dikecualikan lists the DIK.
    pub async fn public_items(&self, mut filter: ItemFilter) -> AppResult<Page<StoredItem>> {
        filter.states = vec![ItemState::Published];
        if filter.categories.is_empty() {
            filter.categories = Category::OPEN.to_vec();
        }
        Ok(self.store.list_items(&filter).await?)
    }

    /// Every published, non-exempt item (the DIP table and its downloads), by title.
    pub async fn dip_items(&self) -> AppResult<Vec<StoredItem>> {
        self.all_items(ItemFilter { states: vec![ItemState::Published], categories: Category::OPEN.to_vec(), order: ItemOrder::Title, ..Default::default() })
            .await
    }

    /// Items in pages of 1 000 (the store caps a page).
    pub async fn all_items(&self, mut filter: ItemFilter) -> AppResult<Vec<StoredItem>> {
        let mut out = Vec::new();
        filter.limit = 1000;
        filter.offset = 0;
        loop {
            let page = self.store.list_items(&filter).await?;
            let n = page.items.len() as i64;
            out.extend(page.items);
            if n < filter.limit {
                return Ok(out);
            }
            filter.offset += n;
        }
    }

    /// The DIP as a table (public columns only), for CSV/XLSX downloads.
    pub async fn dip_table(&self, lang: terbuka_domain::Lang) -> AppResult<(Vec<String>, Vec<Vec<String>>)> {
        let units = self.store.list_units().await?;
        let en = lang == terbuka_domain::Lang::En;
        let headers: Vec<String> = if en {
            [
                "no",
                "title",
                "summary",
                "unit",
                "official",
                "produced_on",
                "produced_place",
                "period",
                "formats",
                "retention",
                "category",
                "how_to_obtain",
                "files",
                "link",
            ]
        } else {
            [
                "no",
                "judul",
                "ringkasan_isi",
                "unit",
                "penanggung_jawab",
                "waktu_pembuatan",
                "tempat_pembuatan",
                "periode",
                "bentuk_informasi",
                "jangka_waktu_penyimpanan",
                "kategori",
                "cara_memperoleh",
                "berkas",
                "tautan",
            ]
        }
        .iter()
        .map(|s| s.to_string())
        .collect();
        let base = self.config.server.public_url.trim_end_matches('/').to_string();
        let rows = self
            .dip_items()
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, it)| {
                let f = &it.fields;
                let raw = RawItem::from_fields(
                    f,
                    &units.iter().find(|u| u.id == f.unit).map(|u| if en { u.name_en.clone() } else { u.name.clone() }).unwrap_or_default(),
                );
                vec![
                    (i + 1).to_string(),
                    f.title.clone(),
                    f.summary.clone(),
                    raw.unit.unwrap_or_default(),
                    f.official.clone(),
                    f.produced_on.to_string(),
                    f.produced_place.clone(),
                    f.period.clone(),
                    raw.formats.unwrap_or_default(),
                    raw.retention.unwrap_or_default(),
                    f.category.as_str().to_string(),
                    f.how_to_obtain.clone(),
                    it.formats.clone(),
                    format!("{base}/informasi/{}", it.id),
                ]
            })
            .collect();
        Ok((headers, rows))
    }

    /// The officer's export in the import format (round-trips through [`App::import_items`]),
    /// exemption columns included, for the units the officer may see.
    pub async fn export_items(&self, actor: &Actor) -> AppResult<(Vec<String>, Vec<Vec<String>>)> {
        let units = self.store.list_units().await?;
        let mut filter = ItemFilter { order: ItemOrder::Title, limit: 1000, ..Default::default() };
        let mut rows = Vec::new();
        loop {
            let page = self.officer_items(actor, filter.clone()).await?;
            let n = page.items.len() as i64;
            for it in page.items {
                let code = units.iter().find(|u| u.id == it.fields.unit).map(|u| u.code.clone()).unwrap_or_default();
                let raw = serde_json::to_value(RawItem::from_fields(&it.fields, &code)).map_err(anyhow::Error::from)?;
                rows.push(ITEM_COLUMNS.iter().map(|(f, _)| raw.get(*f).and_then(|v| v.as_str()).unwrap_or("").to_string()).collect());
            }
            if n < filter.limit {
                break;
            }
            filter.offset += n;
        }
        Ok((ITEM_COLUMNS.iter().map(|(_, id)| id.to_string()).collect(), rows))
    }

    /// Counts per unit (`None` = whole body) for statistics and the console dashboard.
    pub async fn register_counts(&self, now: DateTime<Utc>) -> AppResult<Vec<(Option<UnitId>, RegisterCounts)>> {
        let today = wib_date(now);
        let items = self.all_items(ItemFilter::default()).await?;
        let mut per: std::collections::BTreeMap<Option<UnitId>, RegisterCounts> = Default::default();
        for it in &items {
            for key in [None, Some(it.fields.unit)] {
                let c = per.entry(key).or_default();
                match it.state {
                    ItemState::Draft | ItemState::Scheduled => c.drafts += 1,
                    ItemState::Withdrawn => c.withdrawn += 1,
                    ItemState::Published => match it.fields.category {
                        Category::Berkala => c.berkala += 1,
                        Category::SertaMerta => c.serta_merta += 1,
                        Category::SetiapSaat => c.setiap_saat += 1,
                        Category::Dikecualikan => c.dikecualikan += 1,
                    },
                }
                if dip::is_stale(&it.fields, it.state, it.content_updated_on, today) {
                    c.stale += 1;
                }
            }
        }
        per.entry(None).or_default();
        Ok(per.into_iter().collect())
    }

    /// Published periodic items past their refresh date (for the officer flags and reminders).
    pub async fn stale_items(&self, unit: Option<UnitId>, now: DateTime<Utc>) -> AppResult<Vec<(StoredItem, NaiveDate)>> {
        let today = wib_date(now);
        let items = self.all_items(ItemFilter { unit, states: vec![ItemState::Published], categories: vec![Category::Berkala], ..Default::default() }).await?;
        Ok(items
            .into_iter()
            .filter(|it| dip::is_stale(&it.fields, it.state, it.content_updated_on, today))
            .filter_map(|it| dip::next_update_due(&it.fields, it.content_updated_on).map(|d| (it, d)))
            .collect())
    }

    /// Jobs: publishes scheduled items that are due and opens items whose exemption period
    /// ended. Returns (published, opened). Idempotent: a second run finds nothing to do.
    pub async fn run_register_schedule(&self, now: DateTime<Utc>) -> AppResult<(u64, u64)> {
        let (due, ended) = self.store.items_due(now, wib_date(now)).await?;
        let (mut published, mut opened) = (0, 0);
        for id in due {
            let Some(item) = self.store.item(id).await? else { continue };
            if !dip::schedule_due(item.state, item.publish_at, now) {
                continue;
            }
            let audit = audit_entry("system", "info.schedule_due", format!("info:{id}"), serde_json::json!({}));
            let change = ItemChange {
                state: ItemState::Published,
                fields: item.fields.clone(),
                publish_at: None,
                withdrawn_reason: None,
                content_changed: false,
                add_files: vec![],
                replace_files: vec![],
                remove_slots: vec![],
                action: "schedule_due".into(),
                note: None,
            };
            match self.store.update_item(id, item.version, change, ItemWrite { at: now, actor: "system".into(), audit }).await {
                Ok(_) => published += 1,
                Err(StoreError::Conflict(_)) => {} // another node did it
                Err(e) => return Err(e.into()),
            }
        }
        for id in ended {
            let Some(item) = self.store.item(id).await? else { continue };
            let Some(ex) = item.fields.exemption.as_ref() else { continue };
            if ex.holds_on(wib_date(now)) {
                continue;
            }
            let Some(fields) = dip::end_exemption(&item.fields) else { continue };
            let audit = audit_entry("system", "info.exemption_ended", format!("info:{id}"), serde_json::json!({"until": ex.until}));
            let change = ItemChange {
                state: item.state,
                fields,
                publish_at: item.publish_at,
                withdrawn_reason: item.withdrawn_reason.clone(),
                content_changed: false,
                add_files: vec![],
                replace_files: vec![],
                remove_slots: vec![],
                action: "exemption_ended".into(),
                note: ex.until.map(|u| u.to_string()),
            };
            match self.store.update_item(id, item.version, change, ItemWrite { at: now, actor: "system".into(), audit }).await {
                Ok(_) => opened += 1,
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if published + opened > 0 {
            self.after_register_write().await;
        }
        Ok((published, opened))
    }

    /// Jobs: mails the unit's PPID Pelaksana (and PPID Utama) about periodic items past their
    /// refresh date, once per item and due date.
    pub async fn remind_stale_items(&self, now: DateTime<Utc>) -> AppResult<u64> {
        let officers: Vec<_> = self.store.list_officers().await?.into_iter().filter(|o| o.active).collect();
        let mut mails = Vec::new();
        for (it, due) in self.stale_items(None, now).await? {
            let due_s = due.format("%d-%m-%Y").to_string();
            let title: String = it.fields.title.chars().take(120).collect();
            for o in officers.iter().filter(|o| (o.role == Role::PpidPelaksana && o.unit == Some(it.fields.unit)) || o.role == Role::PpidUtama) {
                mails.push(self.mail_to_officer(
                    format!("remind:dip_stale:{}:{}:{}", it.id, due, o.id),
                    &o.email,
                    "mail.dip_stale.subject",
                    "mail.dip_stale.body",
                    &[("title", &title), ("due", &due_s), ("id", &it.id.to_string())],
                    now,
                ));
            }
        }
        Ok(self.store.enqueue_mails(mails).await?)
    }

    // ---- search ----

    /// Full-text search over the public register and the public request register.
    pub fn search(&self, q: &SearchQuery) -> AppResult<SearchResults> {
        self.search_index().search(q).map_err(|e| AppError::Internal(anyhow::anyhow!("search: {e}")))
    }

    /// The search document of a key, or `None` when it is not (or no longer) public.
    pub async fn search_doc(&self, key: &str, units: &[Unit]) -> AppResult<Option<SearchDoc>> {
        if let Some(id) = key.strip_prefix("info:").and_then(|s| s.parse::<i64>().ok()) {
            let Some(item) = self.store.item(id).await? else { return Ok(None) };
            if dip::visibility(item.state, item.fields.category) != Visibility::Full {
                return Ok(None);
            }
            let texts = self.store.current_file_texts(id).await?;
            let f = &item.fields;
            let unit = units.iter().find(|u| u.id == f.unit);
            let body = [f.summary.as_str(), f.official.as_str(), f.period.as_str(), f.produced_place.as_str(), unit.map(|u| u.name.as_str()).unwrap_or("")]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join("\n");
            return Ok(Some(SearchDoc {
                key: key.to_string(),
                kind: DocKind::Info,
                title: f.title.clone(),
                body,
                attachments_text: texts.join("\n\n"),
                unit_code: unit.map(|u| u.code.clone()).unwrap_or_default(),
                category: f.category.as_str().to_string(),
                year: f.year(),
                format: item.formats.split(',').next().unwrap_or("").to_string(),
                url: format!("/informasi/{id}"),
                updated_unix: item.updated_at.timestamp(),
            }));
        }
        if let Some(reg_no) = key.strip_prefix("request:") {
            let Some(r) = self.store.request_by_reg_no(reg_no).await? else { return Ok(None) };
            // The request register's public face: number and subject only (see the web views).
            let unit = units.iter().find(|u| Some(u.id) == r.clock.unit);
            return Ok(Some(SearchDoc {
                key: key.to_string(),
                kind: DocKind::Request,
                title: r.subject.clone(),
                body: r.reg_no.clone(),
                attachments_text: String::new(),
                unit_code: unit.map(|u| u.code.clone()).unwrap_or_default(),
                category: r.clock.state.as_str().to_string(),
                year: r.clock.day0.year(),
                format: String::new(),
                url: format!("/register/{}", r.reg_no),
                updated_unix: r.updated_at.timestamp(),
            }));
        }
        Ok(None)
    }

    /// Applies the change log past this node's index cursor. Returns how many changes applied.
    /// A fresh index (cursor 0) on a database with history is rebuilt in full instead.
    pub async fn sync_search(&self) -> AppResult<u64> {
        let _guard = self.search_sync.lock().await;
        let index = self.search_index();
        let mut cursor = index.cursor();
        if cursor == 0 && self.store.search_change_head().await? > 0 {
            return self.reindex_locked(&index, &mut |_, _| {}).await;
        }
        // Units are read only when there is something to apply: an idle node's sync, run every
        // second, costs one query.
        let mut units: Option<Vec<Unit>> = None;
        let mut applied = 0;
        loop {
            let changes = self.store.search_changes_after(cursor, 500).await?;
            let Some(last) = changes.last().map(|c| c.0) else { break };
            if units.is_none() {
                units = Some(self.store.list_units().await?);
            }
            let units = units.as_deref().unwrap_or_default();
            let mut keys: Vec<String> = changes.into_iter().map(|c| c.1).collect();
            keys.sort();
            keys.dedup();
            let mut upserts = Vec::new();
            let mut deletes = Vec::new();
            for k in keys {
                match self.search_doc(&k, units).await? {
                    Some(d) => upserts.push(d),
                    None => deletes.push(k),
                }
            }
            applied += (upserts.len() + deletes.len()) as u64;
            index.apply(upserts, deletes, last).map_err(|e| AppError::Internal(anyhow::anyhow!("search index: {e}")))?;
            cursor = last;
        }
        Ok(applied)
    }

    /// Rebuilds the whole index from the database. `progress(done, total)`.
    pub async fn reindex(&self, progress: &mut (dyn FnMut(u64, u64) + Send)) -> AppResult<u64> {
        let _guard = self.search_sync.lock().await;
        let index = self.search_index();
        self.reindex_locked(&index, progress).await
    }

    async fn reindex_locked(&self, index: &SearchIndex, progress: &mut (dyn FnMut(u64, u64) + Send)) -> AppResult<u64> {
        // Read the head first: changes logged while we read are applied again by the next sync.
        let head = self.store.search_change_head().await?;
        let units = self.store.list_units().await?;
        let items = self.all_items(ItemFilter { states: vec![ItemState::Published], categories: Category::OPEN.to_vec(), ..Default::default() }).await?;
        let requests = self.all_requests(RequestFilter::default()).await?;
        let total = (items.len() + requests.len()) as u64;
        let mut docs = Vec::with_capacity(total as usize);
        let mut done = 0;
        for it in &items {
            if let Some(d) = self.search_doc(&item_key(it.id), &units).await? {
                docs.push(d);
            }
            done += 1;
            if done % 100 == 0 {
                progress(done, total);
            }
        }
        for r in &requests {
            if let Some(d) = self.search_doc(&request_key(&r.reg_no), &units).await? {
                docs.push(d);
            }
            done += 1;
            if done % 100 == 0 {
                progress(done, total);
            }
        }
        progress(total, total);
        let n = index.rebuild(docs.into_iter(), head, &mut |_| {}).map_err(|e| AppError::Internal(anyhow::anyhow!("search index: {e}")))?;
        Ok(n)
    }

    /// After a register write on this node: bring this node's index up to date at once, so the
    /// officer sees the change in search immediately (other nodes follow within a second).
    async fn after_register_write(&self) {
        if self.defer_search.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        if let Err(e) = self.sync_search().await {
            tracing::error!("search sync after write failed: {e}");
        }
    }
}

fn clean_note(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().chars().take(2000).collect::<String>()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wib_datetimes() {
        let t = parse_wib_datetime("2026-12-01T08:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-01T01:30:00+00:00");
        assert!(parse_wib_datetime("2026-13-01T08:30").is_none());
        assert!(parse_wib_datetime("besok").is_none());
    }

    #[test]
    fn blob_keys_are_content_addressed() {
        let sha = crate::crypto::sha256_hex(b"x");
        assert_eq!(blob_key(&sha), format!("dip/{}/{}", &sha[..2], sha));
    }
}
