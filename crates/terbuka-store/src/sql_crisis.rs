//! The crisis channel tables: datasets, immutable releases, each stored as its change set, and
//! populations.
//!
//! A release is written by [`SqlStore::cri_insert_release`]: under the audit-chain lock it checks
//! that no release was stored since the one the caller computed its change set against, assigns
//! the next sequence number, inserts the release row and one `crisis_change_sets` row (the
//! domain's compact encoding, `terbuka_domain::crisis::codec`) and appends the audit entry, in one
//! transaction. The tables refuse UPDATE and DELETE (triggers in the migrations): a published
//! release never changes. A release's observations are the replay of the change sets up to it,
//! checked against the release's digest ([`SqlStore::cri_replay`]); the app keeps the latest
//! replay in memory, so this is the slow path.
//!
//! Migration 6 converted the full copies of migration 5 into change sets ([`convert_v5`]).

use crate::crisis_types::*;
use crate::sql::{conflict_on_unique, parse_ts, ts, SqlStore};
use crate::types::parse_date;
use crate::{Result, StoreError};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::crisis::{release_digest, Change, ChangeKind, ChangeSet, Observation, Snapshot};

/// The change-set encoding written by this version (`crisis_change_sets.format`).
const FORMAT: i64 = 1;

/// Rows per multi-row INSERT of populations (4 parameters a row plus one shared).
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

fn decode(format: i64, payload: &[u8], release: i64) -> Result<ChangeSet> {
    if format != FORMAT {
        return Err(StoreError::Corrupt(format!("crisis_change_sets.format of release {release}")));
    }
    ChangeSet::decode(payload).map_err(|e| {
        tracing::error!(release, "stored crisis change set does not decode: {e}");
        StoreError::Corrupt(format!("crisis_change_sets.payload of release {release}"))
    })
}

/// Replays change sets onto `base`, each checked against what it replaces.
pub(crate) fn replay(base: Snapshot, sets: &[(StoredCrisisRelease, ChangeSet)]) -> Result<Snapshot> {
    let mut snapshot = base;
    for (release, set) in sets {
        snapshot = snapshot.apply(set).map_err(|e| {
            tracing::error!(release = release.id, seq = release.seq, "crisis change set does not apply: {e}");
            StoreError::Corrupt(format!("crisis release {} of dataset {} does not replay", release.seq, release.dataset))
        })?;
    }
    Ok(snapshot)
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
        // Encoding is pure CPU work: done before the write lock is taken.
        let payload = r.changes.encode();
        let summary = r.changes.summary();
        let (added, changed, removed) = (summary.added as i64, summary.changed as i64, summary.removed as i64);
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
        let id = Self::insert_release_row(&mut tx, &r, seq, (added, changed, removed)).await?;
        sqlx::query("INSERT INTO crisis_change_sets (release_id, format, payload) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(FORMAT)
            .bind(payload)
            .execute(&mut *tx)
            .await?;
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
            rows: r.rows,
        })
    }

    async fn insert_release_row(tx: &mut Transaction<'static, Any>, r: &NewCrisisRelease, seq: i64, counts: (i64, i64, i64)) -> Result<i64> {
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
        .bind(counts.0)
        .bind(counts.1)
        .bind(counts.2)
        .bind(r.rows)
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, "release sequence number"))?;
        Ok(row.try_get(0)?)
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

    pub(crate) async fn cri_release_by_id(&self, id: i64) -> Result<Option<StoredCrisisRelease>> {
        sqlx::query(&format!("SELECT {RELEASE_COLS} FROM crisis_releases WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(release_from_row)
            .transpose()
    }

    /// The change sets of the releases numbered `after + 1 ..= upto` of a dataset, oldest first.
    pub(crate) async fn cri_change_sets(&self, dataset: i64, after: i64, upto: i64) -> Result<Vec<(StoredCrisisRelease, ChangeSet)>> {
        let cols: String = RELEASE_COLS.split(", ").map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", ");
        let rows = sqlx::query(&format!(
            "SELECT {cols}, c.format, c.payload FROM crisis_releases r JOIN crisis_change_sets c ON c.release_id = r.id \
             WHERE r.dataset_id = $1 AND r.seq > $2 AND r.seq <= $3 ORDER BY r.seq"
        ))
        .bind(dataset)
        .bind(after)
        .bind(upto)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let release = release_from_row(row)?;
            let payload: Vec<u8> = row.try_get("payload")?;
            let set = decode(row.try_get("format")?, &payload, release.id)?;
            out.push((release, set));
        }
        // Every release in the range must be there: a gap would replay a different history.
        if out.iter().enumerate().any(|(i, (r, _))| r.seq != after + 1 + i as i64) {
            return Err(StoreError::Corrupt(format!("crisis releases of dataset {dataset}: a change set is missing")));
        }
        Ok(out)
    }

    /// A release's values, replayed from the first change set and checked against its digest.
    pub(crate) async fn cri_replay(&self, release: &StoredCrisisRelease) -> Result<Snapshot> {
        let sets = self.cri_change_sets(release.dataset, 0, release.seq).await?;
        if sets.len() as i64 != release.seq {
            return Err(StoreError::Corrupt(format!("crisis releases of dataset {}: a change set is missing", release.dataset)));
        }
        let snapshot = replay(Snapshot::default(), &sets)?;
        let digest = snapshot.digest();
        if digest != release.digest {
            tracing::error!(release = release.id, seq = release.seq, stored = %release.digest, replayed = %digest, "crisis release digest mismatch");
            return Err(StoreError::Corrupt(format!("crisis release {} of dataset {}: digest mismatch", release.seq, release.dataset)));
        }
        Ok(snapshot)
    }

    pub(crate) async fn cri_observations(&self, release: i64, filter: &ObservationFilter) -> Result<Vec<Observation>> {
        let Some(release) = self.cri_release_by_id(release).await? else {
            return Ok(Vec::new());
        };
        let snapshot = self.cri_replay(&release).await?;
        Ok(snapshot.select(filter.region.as_deref(), filter.from, filter.until, &filter.measures))
    }

    pub(crate) async fn cri_changes(&self, release: i64) -> Result<Vec<Change>> {
        let row = sqlx::query("SELECT format, payload FROM crisis_change_sets WHERE release_id = $1").bind(release).fetch_optional(self.pool()).await?;
        let Some(row) = row else {
            return Ok(Vec::new());
        };
        let payload: Vec<u8> = row.try_get("payload")?;
        Ok(decode(row.try_get("format")?, &payload, release)?.changes())
    }

    pub(crate) async fn cri_populations(&self) -> Result<Vec<CrisisPopulation>> {
        let rows = sqlx::query("SELECT region, population, year, source, updated_at FROM crisis_populations").fetch_all(self.pool()).await?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(CrisisPopulation {
                    region: r.try_get("region")?,
                    population: r.try_get("population")?,
                    year: i32::try_from(r.try_get::<i64, _>("year")?).map_err(|_| StoreError::Corrupt("crisis_populations.year".into()))?,
                    source: r.try_get("source")?,
                    updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?, "crisis_populations.updated_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Sorted here, not in SQL: PostgreSQL's collation may not order codes byte by byte.
        out.sort_by(|a, b| a.region.cmp(&b.region));
        Ok(out)
    }

    pub(crate) async fn cri_replace_populations(
        &self,
        rows: Vec<NewCrisisPopulation>,
        at: chrono::DateTime<chrono::Utc>,
        audit: NewAuditEntry,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM crisis_populations").execute(&mut *tx).await?;
        for chunk in rows.chunks(CHUNK) {
            let groups: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p = 2 + i * 4;
                    format!("(${p}, ${}, ${}, ${}, $1)", p + 1, p + 2, p + 3)
                })
                .collect();
            let sql = format!("INSERT INTO crisis_populations (region, population, year, source, updated_at) VALUES {}", groups.join(", "));
            let mut q = sqlx::query(&sql).bind(ts(at));
            for p in chunk {
                q = q.bind(p.region.as_str()).bind(p.population).bind(i64::from(p.year)).bind(p.source.as_str());
            }
            q.execute(&mut *tx).await.map_err(|e| conflict_on_unique(e, "a region given twice"))?;
        }
        Self::append_in(&mut tx, at, &audit).await?;
        tx.commit().await?;
        Ok(rows.len())
    }
}

/// Migration 6's step in Rust: turns every release of migration 5 (a full copy of its values in
/// `crisis_observations`, its diff in `crisis_changes`) into its change set, checking that the
/// copy matches the release's digest and the stored diff matches the copies, then drops the two
/// tables. Runs inside the migration's transaction: any mismatch refuses the whole migration and
/// leaves the database as it was.
pub(crate) async fn convert_v5(tx: &mut Transaction<'_, Any>) -> Result<usize> {
    let releases = sqlx::query("SELECT id, dataset_id, seq, digest FROM crisis_releases ORDER BY dataset_id, seq").fetch_all(&mut **tx).await?;
    let mut previous: Option<(i64, Vec<Observation>)> = None;
    let mut converted = 0;
    for r in &releases {
        let (id, dataset, seq, digest): (i64, i64, i64, String) = (r.try_get("id")?, r.try_get("dataset_id")?, r.try_get("seq")?, r.try_get("digest")?);
        let rows =
            sqlx::query("SELECT region, date, measure, value, note FROM crisis_observations WHERE release_id = $1").bind(id).fetch_all(&mut **tx).await?;
        let mut observations = rows
            .iter()
            .map(|o| {
                Ok(Observation {
                    region: o.try_get("region")?,
                    date: parse_date(&o.try_get::<String, _>("date")?, "crisis_observations.date")?,
                    measure: o.try_get("measure")?,
                    value: o.try_get("value")?,
                    note: o.try_get("note")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        observations.sort_by(|a, b| (a.region.as_str(), a.date, a.measure.as_str()).cmp(&(b.region.as_str(), b.date, b.measure.as_str())));
        if release_digest(&observations) != digest {
            return Err(StoreError::Corrupt(format!("migration 6: crisis release {seq} of dataset {dataset}: its values do not match its digest")));
        }
        let prev: &[Observation] = match &previous {
            Some((d, obs)) if *d == dataset => obs,
            _ => &[],
        };
        let set = ChangeSet::between(prev, &observations);
        let rows = sqlx::query("SELECT region, date, measure, kind, old_value, new_value FROM crisis_changes WHERE release_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
        let mut stored = rows
            .iter()
            .map(|c| {
                let kind = ChangeKind::parse(&c.try_get::<String, _>("kind")?).ok_or_else(|| StoreError::Corrupt("crisis_changes.kind".into()))?;
                let (old, new): (Option<f64>, Option<f64>) = (c.try_get("old_value")?, c.try_get("new_value")?);
                Ok(Change {
                    region: c.try_get("region")?,
                    date: parse_date(&c.try_get::<String, _>("date")?, "crisis_changes.date")?,
                    measure: c.try_get("measure")?,
                    kind,
                    old,
                    new,
                    delta: match (kind, old, new) {
                        (ChangeKind::Changed, Some(o), Some(n)) => Some(n - o),
                        _ => None,
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?;
        stored.sort_by(|a, b| (a.region.as_str(), a.date, a.measure.as_str()).cmp(&(b.region.as_str(), b.date, b.measure.as_str())));
        if set.changes() != stored {
            return Err(StoreError::Corrupt(format!("migration 6: crisis release {seq} of dataset {dataset}: its stored diff does not match its values")));
        }
        sqlx::query("INSERT INTO crisis_change_sets (release_id, format, payload) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(FORMAT)
            .bind(set.encode())
            .execute(&mut **tx)
            .await?;
        previous = Some((dataset, observations));
        converted += 1;
    }
    sqlx::raw_sql("DROP TABLE crisis_changes; DROP TABLE crisis_observations;").execute(&mut **tx).await?;
    if converted > 0 {
        tracing::info!("migration 6: {converted} crisis release(s) converted to change sets");
    }
    Ok(converted)
}
