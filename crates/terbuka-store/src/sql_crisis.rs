//! The crisis channel tables: datasets, immutable releases, their observations and their diffs.
//!
//! A release is written whole by [`SqlStore::cri_insert_release`]: under the audit-chain lock
//! it checks that no release was stored since the one the caller diffed against, assigns the next
//! sequence number, inserts the release, every observation and every change (multi-row INSERTs
//! in chunks) and appends the audit entry, in one transaction. The tables refuse UPDATE and
//! DELETE (triggers in the migration): a published release never changes.

use crate::crisis_types::*;
use crate::sql::{bind_all, conflict_on_unique, date_str, parse_ts, ts, Bind, SqlStore};
use crate::types::parse_date;
use crate::{Result, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::crisis::{Change, ChangeKind, Observation};

/// Rows per multi-row INSERT: one shared parameter plus at most 6 per row stays far below
/// SQLite's (32766) and PostgreSQL's (65535) parameter limits.
const CHUNK: usize = 500;

const DATASET_COLS: &str = "id, slug, definition, definition_version, definition_hash, created_at";
const RELEASE_COLS: &str = "id, dataset_id, seq, created_at, actor, note, digest, definition_hash, added, changed, removed, rows_count";

fn dataset_from_row(r: &AnyRow) -> Result<StoredCrisisDataset> {
    Ok(StoredCrisisDataset {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        definition: r.try_get("definition")?,
        definition_version: r.try_get("definition_version")?,
        definition_hash: r.try_get("definition_hash")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?, "crisis_datasets.created_at")?,
    })
}

fn release_from_row(r: &AnyRow) -> Result<StoredCrisisRelease> {
    Ok(StoredCrisisRelease {
        id: r.try_get("id")?,
        dataset: r.try_get("dataset_id")?,
        seq: r.try_get("seq")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?, "crisis_releases.created_at")?,
        actor: r.try_get("actor")?,
        note: r.try_get("note")?,
        digest: r.try_get("digest")?,
        definition_hash: r.try_get("definition_hash")?,
        added: r.try_get("added")?,
        changed: r.try_get("changed")?,
        removed: r.try_get("removed")?,
        rows: r.try_get("rows_count")?,
    })
}

/// Replaces `{key}` in an audit entry's subject and detail.
fn fill(audit: &mut NewAuditEntry, key: &str, value: i64) {
    let pat = format!("{{{key}}}");
    audit.subject = audit.subject.replace(&pat, &value.to_string());
    audit.detail = audit.detail.replace(&pat, &value.to_string());
}

/// `(${first}, ${first+1}, …)` groups of `width` parameters for `rows` rows, after the shared `$1`.
fn value_groups(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|i| {
            let first = 2 + i * width;
            let params: Vec<String> = (first..first + width).map(|p| format!("${p}")).collect();
            format!("($1, {})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn sort_key(o: &Observation) -> (&str, chrono::NaiveDate, &str) {
    (o.region.as_str(), o.date, o.measure.as_str())
}

impl SqlStore {
    pub(crate) async fn cri_insert_dataset(&self, d: NewCrisisDataset, mut audit: NewAuditEntry) -> Result<StoredCrisisDataset> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO crisis_datasets (slug, definition, definition_version, definition_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&d.slug)
        .bind(&d.definition)
        .bind(d.definition_version)
        .bind(&d.definition_hash)
        .bind(ts(d.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "dataset slug"))?;
        let id: i64 = row.try_get(0)?;
        fill(&mut audit, "id", id);
        Self::append_in(&mut tx, d.at, &audit).await?;
        tx.commit().await?;
        Ok(StoredCrisisDataset {
            id,
            slug: d.slug,
            definition: d.definition,
            definition_version: d.definition_version,
            definition_hash: d.definition_hash,
            created_at: parse_ts(&ts(d.at), "crisis_datasets.created_at")?,
        })
    }

    pub(crate) async fn cri_datasets(&self) -> Result<Vec<StoredCrisisDataset>> {
        let rows = sqlx::query(&format!("SELECT {DATASET_COLS} FROM crisis_datasets ORDER BY id")).fetch_all(self.pool()).await?;
        rows.iter().map(dataset_from_row).collect()
    }

    pub(crate) async fn cri_dataset(&self, slug: &str) -> Result<Option<StoredCrisisDataset>> {
        sqlx::query(&format!("SELECT {DATASET_COLS} FROM crisis_datasets WHERE slug = $1"))
            .bind(slug)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(dataset_from_row)
            .transpose()
    }

    pub(crate) async fn cri_insert_release(&self, r: NewCrisisRelease, mut audit: NewAuditEntry) -> Result<StoredCrisisRelease> {
        let mut tx = self.begin_write().await?;
        if sqlx::query("SELECT id FROM crisis_datasets WHERE id = $1").bind(r.dataset).fetch_optional(&mut *tx).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let head: i64 =
            sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM crisis_releases WHERE dataset_id = $1").bind(r.dataset).fetch_one(&mut *tx).await?.try_get(0)?;
        if head != r.base_seq {
            return Err(StoreError::Conflict(format!("release {head} of the dataset was stored since release {}", r.base_seq)));
        }
        let seq = head + 1;
        let count = |k: ChangeKind| r.changes.iter().filter(|c| c.kind == k).count() as i64;
        let (added, changed, removed) = (count(ChangeKind::Added), count(ChangeKind::Changed), count(ChangeKind::Removed));
        let rows = r.observations.len() as i64;
        let row = sqlx::query(
            "INSERT INTO crisis_releases (dataset_id, seq, created_at, actor, note, digest, definition_hash, added, changed, removed, rows_count) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(r.dataset)
        .bind(seq)
        .bind(ts(r.at))
        .bind(&r.actor)
        .bind(r.note.clone())
        .bind(&r.digest)
        .bind(&r.definition_hash)
        .bind(added)
        .bind(changed)
        .bind(removed)
        .bind(rows)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "release sequence number"))?;
        let id: i64 = row.try_get(0)?;
        for chunk in r.observations.chunks(CHUNK) {
            let sql = format!("INSERT INTO crisis_observations (release_id, region, date, measure, value, note) VALUES {}", value_groups(chunk.len(), 5));
            let mut q = sqlx::query(&sql).bind(id);
            for o in chunk {
                q = q.bind(o.region.as_str()).bind(date_str(o.date)).bind(o.measure.as_str()).bind(o.value).bind(o.note.as_deref());
            }
            q.execute(&mut *tx).await.map_err(|e| conflict_on_unique(e, "a value given twice"))?;
        }
        for chunk in r.changes.chunks(CHUNK) {
            // Absent old/new values are written as NULL by the SQL, never bound as NULL: sqlx's
            // `Any` driver binds a NULL f64 as PostgreSQL `real`, and a statement cached with that
            // type then refuses an f64 ("incorrect binary data format").
            let groups: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p = 2 + i * 6;
                    let (kind, old, new) = (p + 3, p + 4, p + 5);
                    format!(
                        "($1, ${p}, ${}, ${}, ${kind}, CASE WHEN ${kind} = 'added' THEN NULL ELSE ${old} END, CASE WHEN ${kind} = 'removed' THEN NULL ELSE ${new} END)",
                        p + 1,
                        p + 2
                    )
                })
                .collect();
            let sql = format!("INSERT INTO crisis_changes (release_id, region, date, measure, kind, old_value, new_value) VALUES {}", groups.join(", "));
            let mut q = sqlx::query(&sql).bind(id);
            for c in chunk {
                q = q
                    .bind(c.region.as_str())
                    .bind(date_str(c.date))
                    .bind(c.measure.as_str())
                    .bind(c.kind.as_str())
                    .bind(c.old.unwrap_or(0.0))
                    .bind(c.new.unwrap_or(0.0));
            }
            q.execute(&mut *tx).await.map_err(|e| conflict_on_unique(e, "a change given twice"))?;
        }
        fill(&mut audit, "seq", seq);
        fill(&mut audit, "id", id);
        Self::append_in(&mut tx, r.at, &audit).await?;
        tx.commit().await?;
        Ok(StoredCrisisRelease {
            id,
            dataset: r.dataset,
            seq,
            created_at: parse_ts(&ts(r.at), "crisis_releases.created_at")?,
            actor: r.actor,
            note: r.note,
            digest: r.digest,
            definition_hash: r.definition_hash,
            added,
            changed,
            removed,
            rows,
        })
    }

    pub(crate) async fn cri_releases(&self, dataset: i64) -> Result<Vec<StoredCrisisRelease>> {
        let rows = sqlx::query(&format!("SELECT {RELEASE_COLS} FROM crisis_releases WHERE dataset_id = $1 ORDER BY seq DESC"))
            .bind(dataset)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(release_from_row).collect()
    }

    pub(crate) async fn cri_release(&self, dataset: i64, seq: i64) -> Result<Option<StoredCrisisRelease>> {
        sqlx::query(&format!("SELECT {RELEASE_COLS} FROM crisis_releases WHERE dataset_id = $1 AND seq = $2"))
            .bind(dataset)
            .bind(seq)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(release_from_row)
            .transpose()
    }

    pub(crate) async fn cri_observations(&self, release: i64, filter: &ObservationFilter) -> Result<Vec<Observation>> {
        let mut sql = String::from("SELECT region, date, measure, value, note FROM crisis_observations WHERE release_id = $1");
        let mut binds = vec![Bind::Int(release)];
        let param = |binds: &mut Vec<Bind>, b: Bind| {
            binds.push(b);
            format!("${}", binds.len())
        };
        if let Some(region) = &filter.region {
            let exact = param(&mut binds, Bind::Text(region.clone()));
            let below = param(&mut binds, Bind::Text(format!("{}.%", like_literal(region))));
            sql.push_str(&format!(" AND (region = {exact} OR region LIKE {below} ESCAPE '\\')"));
        }
        if let Some(from) = filter.from {
            let p = param(&mut binds, Bind::Text(date_str(from)));
            sql.push_str(&format!(" AND date >= {p}"));
        }
        if let Some(until) = filter.until {
            let p = param(&mut binds, Bind::Text(date_str(until)));
            sql.push_str(&format!(" AND date <= {p}"));
        }
        if !filter.measures.is_empty() {
            let ps: Vec<String> = filter.measures.iter().map(|m| param(&mut binds, Bind::Text(m.clone()))).collect();
            sql.push_str(&format!(" AND measure IN ({})", ps.join(", ")));
        }
        let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(self.pool()).await?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(Observation {
                    region: r.try_get("region")?,
                    date: parse_date(&r.try_get::<String, _>("date")?, "crisis_observations.date")?,
                    measure: r.try_get("measure")?,
                    value: r.try_get("value")?,
                    note: r.try_get("note")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Sorted here, not in SQL: PostgreSQL's collation may not order codes byte by byte.
        out.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        Ok(out)
    }

    pub(crate) async fn cri_changes(&self, release: i64) -> Result<Vec<Change>> {
        let rows = sqlx::query("SELECT region, date, measure, kind, old_value, new_value FROM crisis_changes WHERE release_id = $1")
            .bind(release)
            .fetch_all(self.pool())
            .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                let kind = ChangeKind::parse(&r.try_get::<String, _>("kind")?).ok_or_else(|| StoreError::Corrupt("crisis_changes.kind".into()))?;
                let old: Option<f64> = r.try_get("old_value")?;
                let new: Option<f64> = r.try_get("new_value")?;
                let delta = match (kind, old, new) {
                    (ChangeKind::Changed, Some(o), Some(n)) => Some(n - o),
                    _ => None,
                };
                Ok(Change {
                    region: r.try_get("region")?,
                    date: parse_date(&r.try_get::<String, _>("date")?, "crisis_changes.date")?,
                    measure: r.try_get("measure")?,
                    kind,
                    old,
                    new,
                    delta,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| (a.region.as_str(), a.date, a.measure.as_str()).cmp(&(b.region.as_str(), b.date, b.measure.as_str())));
        Ok(out)
    }
}
