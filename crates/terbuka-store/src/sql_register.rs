//! The register tables: items, their versions and files, and the search change log.
//!
//! Every write here goes through `begin_write` (the audit-chain lock), so the `search_changes`
//! sequence is assigned in commit order on both backends: a node that has applied every change
//! up to `seq` never misses a lower one committed later.

use crate::sql::{bind_all, date_str, parse_ts, ts, Bind, SqlStore};
use crate::types::*;
use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use terbuka_domain::dip::{ItemFields, ItemState};

const ITEM_COLUMNS: &str = "id, state, fields_json, formats, publish_at, published_at, withdrawn_at, withdrawn_reason, content_updated_on, source_document_id, version, created_at, updated_at";
const FILE_COLUMNS: &str = "id, item_id, slot, revision, item_version, blob_key, filename, content_type, size, sha256, created_at, superseded_at, removed";

fn opt_ts(r: &AnyRow, col: &str) -> Result<Option<DateTime<Utc>>> {
    r.try_get::<Option<String>, _>(col)?.map(|s| parse_ts(&s, col)).transpose()
}

fn fields_from(json: &str) -> Result<ItemFields> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt("info_items.fields_json".into()))
}

fn fields_json(f: &ItemFields) -> String {
    serde_json::to_string(f).expect("item fields serialize")
}

fn item_from_row(r: &AnyRow) -> Result<StoredItem> {
    let state: String = r.try_get("state")?;
    Ok(StoredItem {
        id: r.try_get("id")?,
        state: ItemState::parse(&state).ok_or_else(|| StoreError::Corrupt("info_items.state".into()))?,
        fields: fields_from(&r.try_get::<String, _>("fields_json")?)?,
        formats: r.try_get("formats")?,
        publish_at: opt_ts(r, "publish_at")?,
        published_at: opt_ts(r, "published_at")?,
        withdrawn_at: opt_ts(r, "withdrawn_at")?,
        withdrawn_reason: r.try_get("withdrawn_reason")?,
        content_updated_on: crate::types::parse_date(&r.try_get::<String, _>("content_updated_on")?, "info_items.content_updated_on")?,
        source_document: r.try_get("source_document_id")?,
        version: r.try_get("version")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?, "info_items.created_at")?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?, "info_items.updated_at")?,
    })
}

fn file_from_row(r: &AnyRow) -> Result<InfoFile> {
    Ok(InfoFile {
        id: r.try_get("id")?,
        item: r.try_get("item_id")?,
        slot: r.try_get("slot")?,
        revision: r.try_get("revision")?,
        item_version: r.try_get("item_version")?,
        blob_key: r.try_get("blob_key")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?, "info_files.created_at")?,
        superseded_at: opt_ts(r, "superseded_at")?,
        removed: r.try_get::<i64, _>("removed")? != 0,
    })
}

/// The search-document key of a register item.
pub fn item_key(id: i64) -> String {
    format!("info:{id}")
}

/// The search-document key of a request in the public register.
pub fn request_key(reg_no: &str) -> String {
    format!("request:{reg_no}")
}

pub(crate) async fn log_change(tx: &mut Transaction<'static, Any>, key: &str, at: DateTime<Utc>) -> Result<()> {
    sqlx::query("INSERT INTO search_changes (doc_key, at) VALUES ($1, $2)").bind(key).bind(ts(at)).execute(&mut **tx).await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    tx: &mut Transaction<'static, Any>,
    item: i64,
    version: i64,
    state: ItemState,
    fields: &ItemFields,
    action: &str,
    note: Option<&str>,
    w: &ItemWrite,
) -> Result<()> {
    sqlx::query("INSERT INTO info_versions (item_id, version, at, actor, action, state, fields_json, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(item)
        .bind(version)
        .bind(ts(w.at))
        .bind(&w.actor)
        .bind(action)
        .bind(state.as_str())
        .bind(fields_json(fields))
        .bind(note.map(str::to_string))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn insert_file(
    tx: &mut Transaction<'static, Any>,
    item: i64,
    slot: i64,
    revision: i64,
    item_version: i64,
    f: &NewInfoFile,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO info_files (item_id, slot, revision, item_version, blob_key, filename, content_type, size, sha256, text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(item)
    .bind(slot)
    .bind(revision)
    .bind(item_version)
    .bind(&f.blob_key)
    .bind(&f.filename)
    .bind(&f.content_type)
    .bind(f.size)
    .bind(&f.sha256)
    .bind(&f.text)
    .bind(ts(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Recomputes the `formats` column from the current files.
async fn refresh_formats(tx: &mut Transaction<'static, Any>, item: i64) -> Result<()> {
    let rows =
        sqlx::query("SELECT content_type FROM info_files WHERE item_id = $1 AND superseded_at IS NULL ORDER BY slot").bind(item).fetch_all(&mut **tx).await?;
    let mut labels: Vec<&'static str> = Vec::new();
    for r in &rows {
        let l = format_label(&r.try_get::<String, _>(0)?);
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    sqlx::query("UPDATE info_items SET formats = $1 WHERE id = $2").bind(labels.join(",")).bind(item).execute(&mut **tx).await?;
    Ok(())
}

/// The short format label of a content type, as shown in facets.
pub fn format_label(content_type: &str) -> &'static str {
    match content_type.split(';').next().unwrap_or("").trim() {
        "application/pdf" => "PDF",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "DOCX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "XLSX",
        "text/csv" => "CSV",
        "text/plain" => "TXT",
        "image/png" => "PNG",
        "image/jpeg" => "JPEG",
        _ => "Other",
    }
}

impl SqlStore {
    async fn insert_item_tx(tx: &mut Transaction<'static, Any>, item: &NewItem, w: &ItemWrite) -> Result<i64> {
        let f = &item.fields;
        let published_at = (item.state == ItemState::Published).then(|| ts(w.at));
        let row = sqlx::query(
            "INSERT INTO info_items (unit_id, state, category, title, year, fields_json, publish_at, published_at, content_updated_on, exempt_until, source_document_id, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12) RETURNING id",
        )
        .bind(f.unit)
        .bind(item.state.as_str())
        .bind(f.category.as_str())
        .bind(&f.title)
        .bind(f.year() as i64)
        .bind(fields_json(f))
        .bind(item.publish_at.map(ts))
        .bind(published_at)
        .bind(date_str(terbuka_domain::calendar::wib_date(w.at)))
        .bind(f.exemption.as_ref().and_then(|e| e.until).map(date_str))
        .bind(item.source_document)
        .bind(ts(w.at))
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| crate::sql::conflict_on_unique(e, "info item"))?;
        let id: i64 = row.try_get(0)?;
        insert_version(tx, id, 1, item.state, f, &item.action, item.note.as_deref(), w).await?;
        for (i, file) in item.files.iter().enumerate() {
            insert_file(tx, id, i as i64 + 1, 1, 1, file, w.at).await?;
        }
        refresh_formats(tx, id).await?;
        log_change(tx, &item_key(id), w.at).await?;
        Ok(id)
    }

    pub(crate) async fn reg_insert_items(&self, items: Vec<NewItem>, w: ItemWrite) -> Result<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(items.len());
        for item in &items {
            ids.push(Self::insert_item_tx(&mut tx, item, &w).await?);
        }
        let mut audit = w.audit.clone();
        if ids.len() == 1 {
            audit.subject = audit.subject.replace("{id}", &ids[0].to_string());
        }
        Self::append_in(&mut tx, w.at, &audit).await?;
        tx.commit().await?;
        Ok(ids)
    }

    pub(crate) async fn reg_update_item(&self, id: i64, expected_version: i64, c: ItemChange, w: ItemWrite) -> Result<StoredItem> {
        let mut tx = self.begin_write().await?;
        let cur = sqlx::query("SELECT version, state, published_at, withdrawn_at FROM info_items WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let version: i64 = cur.try_get("version")?;
        if version != expected_version {
            return Err(StoreError::Conflict("item changed since it was read".into()));
        }
        let old_state = ItemState::parse(&cur.try_get::<String, _>("state")?).ok_or_else(|| StoreError::Corrupt("info_items.state".into()))?;
        let new_version = version + 1;
        let mut published_at: Option<String> = cur.try_get("published_at")?;
        if c.state == ItemState::Published && old_state != ItemState::Published {
            published_at = Some(ts(w.at));
        }
        let mut withdrawn_at: Option<String> = cur.try_get("withdrawn_at")?;
        if c.state == ItemState::Withdrawn && old_state != ItemState::Withdrawn {
            withdrawn_at = Some(ts(w.at));
        }
        let f = &c.fields;
        let content_changed = c.content_changed || !c.add_files.is_empty() || !c.replace_files.is_empty();
        let mut sql = String::from(
            "UPDATE info_items SET unit_id = $1, state = $2, category = $3, title = $4, year = $5, fields_json = $6, publish_at = $7, published_at = $8, withdrawn_at = $9, withdrawn_reason = $10, exempt_until = $11, version = $12, updated_at = $13",
        );
        if content_changed {
            sql.push_str(", content_updated_on = $15");
        }
        sql.push_str(" WHERE id = $14");
        let mut q = sqlx::query(&sql)
            .bind(f.unit)
            .bind(c.state.as_str())
            .bind(f.category.as_str())
            .bind(&f.title)
            .bind(f.year() as i64)
            .bind(fields_json(f))
            .bind(c.publish_at.map(ts))
            .bind(published_at)
            .bind(withdrawn_at)
            .bind(c.withdrawn_reason.clone())
            .bind(f.exemption.as_ref().and_then(|e| e.until).map(date_str))
            .bind(new_version)
            .bind(ts(w.at))
            .bind(id);
        if content_changed {
            q = q.bind(date_str(terbuka_domain::calendar::wib_date(w.at)));
        }
        q.execute(&mut *tx).await?;
        insert_version(&mut tx, id, new_version, c.state, f, &c.action, c.note.as_deref(), &w).await?;
        if !c.add_files.is_empty() {
            let max: Option<i64> = sqlx::query("SELECT MAX(slot) FROM info_files WHERE item_id = $1").bind(id).fetch_one(&mut *tx).await?.try_get(0)?;
            let mut slot = max.unwrap_or(0);
            for file in &c.add_files {
                slot += 1;
                insert_file(&mut tx, id, slot, 1, new_version, file, w.at).await?;
            }
        }
        for (slot, file) in &c.replace_files {
            let cur = sqlx::query("SELECT MAX(revision) FROM info_files WHERE item_id = $1 AND slot = $2 AND superseded_at IS NULL")
                .bind(id)
                .bind(*slot)
                .fetch_one(&mut *tx)
                .await?;
            let rev: Option<i64> = cur.try_get(0)?;
            let rev = rev.ok_or(StoreError::NotFound)?;
            sqlx::query("UPDATE info_files SET superseded_at = $1 WHERE item_id = $2 AND slot = $3 AND superseded_at IS NULL")
                .bind(ts(w.at))
                .bind(id)
                .bind(*slot)
                .execute(&mut *tx)
                .await?;
            insert_file(&mut tx, id, *slot, rev + 1, new_version, file, w.at).await?;
        }
        for slot in &c.remove_slots {
            let r = sqlx::query("UPDATE info_files SET superseded_at = $1, removed = 1 WHERE item_id = $2 AND slot = $3 AND superseded_at IS NULL")
                .bind(ts(w.at))
                .bind(id)
                .bind(*slot)
                .execute(&mut *tx)
                .await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        }
        refresh_formats(&mut tx, id).await?;
        log_change(&mut tx, &item_key(id), w.at).await?;
        Self::append_in(&mut tx, w.at, &w.audit).await?;
        tx.commit().await?;
        self.reg_item(id).await?.ok_or(StoreError::NotFound)
    }

    pub(crate) async fn reg_item(&self, id: i64) -> Result<Option<StoredItem>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM info_items WHERE id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.as_ref().map(item_from_row).transpose()
    }

    pub(crate) async fn reg_item_by_source(&self, document: i64) -> Result<Option<StoredItem>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM info_items WHERE source_document_id = $1");
        sqlx::query(&sql).bind(document).fetch_optional(self.pool()).await?.as_ref().map(item_from_row).transpose()
    }

    pub(crate) async fn reg_list_items(&self, f: &ItemFilter) -> Result<Page<StoredItem>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        if let Some(u) = f.unit {
            binds.push(Bind::Int(u));
            clauses.push(format!("unit_id = ${}", binds.len()));
        }
        for (col, values) in
            [("state", f.states.iter().map(|s| s.as_str()).collect::<Vec<_>>()), ("category", f.categories.iter().map(|c| c.as_str()).collect())]
        {
            if !values.is_empty() {
                let mut ph = Vec::new();
                for v in values {
                    binds.push(Bind::Text(v.to_string()));
                    ph.push(format!("${}", binds.len()));
                }
                clauses.push(format!("{col} IN ({})", ph.join(", ")));
            }
        }
        if let Some(y) = f.year {
            binds.push(Bind::Int(y as i64));
            clauses.push(format!("year = ${}", binds.len()));
        }
        if let Some(fmt) = f.format.as_deref().filter(|s| !s.is_empty()) {
            // Labels are a closed set of short words; match them as whole comma-separated items.
            binds.push(Bind::Text(format!(",{fmt},")));
            clauses.push(format!("(',' || formats || ',') LIKE ('%' || ${} || '%')", binds.len()));
        }
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let escaped = t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            binds.push(Bind::Text(format!("%{escaped}%")));
            clauses.push(format!("LOWER(title) LIKE LOWER(${}) ESCAPE '\\'", binds.len()));
        }
        let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        let order = match f.order {
            ItemOrder::Updated => "updated_at DESC, id DESC",
            ItemOrder::Title => "title ASC, id ASC",
        };
        let limit = f.limit.clamp(1, 100_000);
        let offset = f.offset.max(0);
        let list_sql = format!("SELECT {ITEM_COLUMNS} FROM info_items {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
        let count_sql = format!("SELECT COUNT(*) FROM info_items {where_sql}");
        let rows = bind_all(sqlx::query(&list_sql), &binds).fetch_all(self.pool()).await?;
        let total: i64 = bind_all(sqlx::query(&count_sql), &binds).fetch_one(self.pool()).await?.try_get(0)?;
        Ok(Page { items: rows.iter().map(item_from_row).collect::<Result<_>>()?, total })
    }

    pub(crate) async fn reg_item_facets(&self, states: &[ItemState]) -> Result<ItemFacets> {
        let ph: Vec<String> = (1..=states.len()).map(|i| format!("${i}")).collect();
        let where_sql = if states.is_empty() { String::new() } else { format!("WHERE state IN ({})", ph.join(", ")) };
        let binds: Vec<Bind> = states.iter().map(|s| Bind::Text(s.as_str().to_string())).collect();
        let years =
            bind_all(sqlx::query(&format!("SELECT DISTINCT year FROM info_items {where_sql} ORDER BY year DESC")), &binds).fetch_all(self.pool()).await?;
        let formats = bind_all(sqlx::query(&format!("SELECT DISTINCT formats FROM info_items {where_sql}")), &binds).fetch_all(self.pool()).await?;
        let mut fs: Vec<String> = Vec::new();
        for r in &formats {
            for l in r.try_get::<String, _>(0)?.split(',').filter(|s| !s.is_empty()) {
                if !fs.iter().any(|x| x == l) {
                    fs.push(l.to_string());
                }
            }
        }
        fs.sort();
        Ok(ItemFacets { years: years.iter().map(|r| r.try_get::<i64, _>(0).map(|y| y as i32)).collect::<std::result::Result<_, _>>()?, formats: fs })
    }

    pub(crate) async fn reg_item_versions(&self, id: i64) -> Result<Vec<ItemVersion>> {
        let rows = sqlx::query("SELECT item_id, version, at, actor, action, state, fields_json, note FROM info_versions WHERE item_id = $1 ORDER BY version")
            .bind(id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ItemVersion {
                    item: r.try_get("item_id")?,
                    version: r.try_get("version")?,
                    at: parse_ts(&r.try_get::<String, _>("at")?, "info_versions.at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    state: ItemState::parse(&r.try_get::<String, _>("state")?).ok_or_else(|| StoreError::Corrupt("info_versions.state".into()))?,
                    fields: fields_from(&r.try_get::<String, _>("fields_json")?)?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    pub(crate) async fn reg_item_files(&self, id: i64) -> Result<Vec<InfoFile>> {
        let sql = format!("SELECT {FILE_COLUMNS} FROM info_files WHERE item_id = $1 ORDER BY slot, revision");
        sqlx::query(&sql).bind(id).fetch_all(self.pool()).await?.iter().map(file_from_row).collect()
    }

    pub(crate) async fn reg_info_file(&self, file_id: i64) -> Result<Option<InfoFile>> {
        let sql = format!("SELECT {FILE_COLUMNS} FROM info_files WHERE id = $1");
        sqlx::query(&sql).bind(file_id).fetch_optional(self.pool()).await?.as_ref().map(file_from_row).transpose()
    }

    pub(crate) async fn reg_current_file_texts(&self, id: i64) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT text FROM info_files WHERE item_id = $1 AND superseded_at IS NULL ORDER BY slot").bind(id).fetch_all(self.pool()).await?;
        rows.iter().map(|r| r.try_get::<String, _>(0).map_err(StoreError::from)).collect()
    }

    pub(crate) async fn reg_items_due(&self, now: DateTime<Utc>, today: NaiveDate) -> Result<(Vec<i64>, Vec<i64>)> {
        let publish =
            sqlx::query("SELECT id FROM info_items WHERE state = 'scheduled' AND publish_at <= $1 ORDER BY id").bind(ts(now)).fetch_all(self.pool()).await?;
        let ended = sqlx::query("SELECT id FROM info_items WHERE category = 'dikecualikan' AND exempt_until IS NOT NULL AND exempt_until < $1 ORDER BY id")
            .bind(date_str(today))
            .fetch_all(self.pool())
            .await?;
        let ids = |rows: Vec<AnyRow>| rows.iter().map(|r| r.try_get::<i64, _>(0).map_err(StoreError::from)).collect::<Result<Vec<i64>>>();
        Ok((ids(publish)?, ids(ended)?))
    }

    pub(crate) async fn reg_changes_after(&self, seq: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        let rows =
            sqlx::query("SELECT seq, doc_key FROM search_changes WHERE seq > $1 ORDER BY seq LIMIT $2").bind(seq).bind(limit).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?))).collect()
    }

    pub(crate) async fn reg_change_head(&self) -> Result<i64> {
        let r = sqlx::query("SELECT MAX(seq) FROM search_changes").fetch_one(self.pool()).await?;
        Ok(r.try_get::<Option<i64>, _>(0)?.unwrap_or(0))
    }

    pub(crate) async fn reg_touch_search(&self, keys: Vec<String>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = Utc::now();
        for k in &keys {
            log_change(&mut tx, k, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
