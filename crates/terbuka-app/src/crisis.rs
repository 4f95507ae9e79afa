//! Use cases of the crisis information channel: datasets, uploads (ingest), releases and
//! populations.
//!
//! A dataset is a slug (`covid19`, `banjir`) and a definition (TOML, see
//! `terbuka_domain::crisis::definition`). Each accepted upload becomes an immutable *release*:
//! the upload is read (CSV/XLSX through `terbuka_files::table`, or a JSON array of objects),
//! checked whole against the definition, the region hierarchy and the current release
//! (`crisis::validate_rows_against`: every problem by line, column and reason, nothing saved if
//! there is any), merged onto the current release (the upload replaces the values of the
//! region, date and measure it contains; everything else carries over) and stored as its
//! **change set** (`crisis::ChangeSet`: the diff plus the notes it sets or clears) with the
//! digest of the resulting release and its audit entry, in one store call that refuses if
//! another release was stored meanwhile.
//!
//! A release's observations are the replay of the change sets up to it (`crisis::Snapshot`),
//! checked against the release's stored digest: a mismatch is logged and is an internal error,
//! never served. Each node keeps the latest replayed release of each dataset in memory
//! ([`SnapshotCache`], keyed by release id and digest); it is only an optimisation: a node that
//! finds a newer release in the database replays forward from what it holds, so several nodes on
//! one PostgreSQL stay correct.
//!
//! Who may create datasets, upload and set populations: whoever the authorization table allows
//! `Action::ManageCrisisData` (an Admin or the PPID Utama), or the command line (`actor = None`). Reading releases, diffs, observations and populations is public (open data).

use crate::error::{AppError, AppResult};
use crate::service::{audit_entry, officer_label, App};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use terbuka_domain::authz::Actor;
use terbuka_domain::crisis::{self, Change, Definition, Observation, RowProblem, Snapshot};
use terbuka_store::{NewCrisisDataset, NewCrisisPopulation, NewCrisisRelease, ObservationFilter, StoreError, StoredCrisisDataset, StoredCrisisRelease};

/// The latest replayed release of each dataset on this node, by dataset id.
#[derive(Default)]
pub struct SnapshotCache(tokio::sync::Mutex<HashMap<i64, Cached>>);

struct Cached {
    release: i64,
    seq: i64,
    digest: String,
    snapshot: Arc<Snapshot>,
}

/// A region's population, as the public and the indicators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PopulationRow {
    pub region: String,
    pub population: u64,
    pub year: i32,
    pub source: String,
}

/// The longest population upload, in data rows (Indonesia has about 84 000 villages).
pub const MAX_POPULATION_ROWS: usize = 100_000;

fn internal(msg: String) -> AppError {
    tracing::error!("{msg}");
    AppError::Internal(anyhow::anyhow!(msg))
}

/// Runs CPU-heavy work (replays, digests, large selections) off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(anyhow::anyhow!("crisis worker failed: {e}")))
}

/// The definitions shipped with Terbuka, by the slug their dataset gets.
pub const SHIPPED: &[(&str, &str)] = &[("covid19", crisis::COVID19_DEFINITION), ("banjir", crisis::FLOODS_DEFINITION)];

/// The longest release note, in characters.
pub const MAX_RELEASE_NOTE: usize = 500;

/// Where an ingest is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestStage {
    /// Reading the file into rows.
    Reading,
    /// Checking `rows` data rows against the definition and the current release.
    Validating { rows: usize },
    /// Writing the release of `observations` values (the whole dataset) as its `changes` changes.
    Saving { observations: usize, changes: usize },
}

/// Why an upload was not stored.
#[derive(Debug)]
pub enum IngestError {
    /// The file has problems: every one, by line and column. Nothing was saved.
    Rows(Vec<RowProblem>),
    /// Anything else (not allowed, unknown dataset, unreadable file, nothing changed, …).
    App(AppError),
}

impl From<AppError> for IngestError {
    fn from(e: AppError) -> Self {
        IngestError::App(e)
    }
}

impl From<StoreError> for IngestError {
    fn from(e: StoreError) -> Self {
        IngestError::App(e.into())
    }
}

impl std::fmt::Display for IngestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IngestError::Rows(p) => write!(f, "the upload has {} problem(s)", p.len()),
            IngestError::App(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for IngestError {}

/// What an accepted upload produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseSummary {
    pub dataset: String,
    pub seq: i64,
    /// Values in the upload.
    pub uploaded: usize,
    /// Values in the release (the whole dataset).
    pub rows: i64,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    pub digest: String,
}

/// The longest CSV/XLSX upload, in data rows: a back-fill is a row per kelurahan and day
/// (267 × 365 ≈ 97 500 rows a year), so this allows about four years at once.
pub const MAX_UPLOAD_ROWS: usize = 400_000;

/// One value as a line of JSON (for JSON-lines output such as `terbuka crisis diff`).
pub fn json_line(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// SHA-256 (hex) of a definition's text.
pub fn definition_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn may_manage(actor: Option<&Actor>) -> AppResult<()> {
    match actor {
        None => Ok(()),
        Some(a) if terbuka_domain::authz::can(a, terbuka_domain::authz::Action::ManageCrisisData, None) => Ok(()),
        Some(_) => Err(AppError::Forbidden),
    }
}

/// A release note, trimmed (`None` when empty): at most [`MAX_RELEASE_NOTE`] characters, no
/// control characters but line breaks and tabs.
fn checked_note(note: Option<&str>) -> AppResult<Option<&str>> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = note {
        if n.chars().count() > MAX_RELEASE_NOTE {
            return Err(AppError::field("note", "err.too_long"));
        }
        if n.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            return Err(AppError::field("note", "err.control_chars"));
        }
    }
    Ok(note)
}

fn actor_label(actor: Option<&Actor>) -> String {
    actor.map(officer_label).unwrap_or_else(|| "cli".to_string())
}

fn valid_slug(slug: &str) -> bool {
    (1..=40).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && slug.as_bytes()[0].is_ascii_alphanumeric()
}

/// A JSON upload: an array of objects whose values are numbers, strings or null. Numbers keep
/// the text JSON wrote them in, so `12.5` is read exactly like the CSV cell `12.5`.
fn json_rows(bytes: &[u8]) -> AppResult<(Vec<String>, Vec<Vec<String>>)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| AppError::field("file", "err.crisis_json"))?;
    let serde_json::Value::Array(items) = value else {
        return Err(AppError::field("file", "err.crisis_json"));
    };
    let mut records = Vec::with_capacity(items.len());
    for item in items {
        let serde_json::Value::Object(map) = item else {
            return Err(AppError::field("file", "err.crisis_json"));
        };
        let record = map
            .into_iter()
            .map(|(k, v)| {
                let cell = match v {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s,
                    // Booleans, arrays and objects are kept as text: the check then names them
                    // as not a number (or not a date) in their row and column.
                    other => other.to_string(),
                };
                (k, cell)
            })
            .collect();
        records.push(record);
    }
    if records.is_empty() {
        return Err(AppError::field("file", "err.crisis_json_empty"));
    }
    Ok(crisis::records_to_rows(&records))
}

fn is_json(filename: &str, bytes: &[u8]) -> bool {
    let lower = filename.to_ascii_lowercase();
    if lower.ends_with(".json") {
        return true;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'[') && !lower.ends_with(".csv") && !lower.ends_with(".xlsx")
}

impl App {
    /// Creates a dataset from a definition. Admin or PPID Utama only (or the command line).
    pub async fn create_crisis_dataset(&self, actor: Option<&Actor>, slug: &str, definition: &str, now: DateTime<Utc>) -> AppResult<StoredCrisisDataset> {
        may_manage(actor)?;
        let slug = slug.trim();
        if !valid_slug(slug) {
            return Err(AppError::field("slug", "err.crisis_slug"));
        }
        let def = Definition::parse(definition).map_err(|e| {
            tracing::info!("crisis definition for {slug} refused: {e}");
            AppError::field("definition", "err.crisis_definition")
        })?;
        let dataset = NewCrisisDataset {
            slug: slug.to_string(),
            definition: definition.to_string(),
            definition_version: i64::from(def.version),
            definition_hash: definition_hash(definition),
            at: now,
        };
        let audit = audit_entry(
            &actor_label(actor),
            "crisis.dataset.create",
            format!("crisis:{slug}"),
            serde_json::json!({ "definition": def.id, "version": def.version, "hash": dataset.definition_hash }),
        );
        self.store.insert_crisis_dataset(dataset, audit).await.map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Rejected("err.crisis_slug_taken"),
            other => other.into(),
        })
    }

    /// Creates the datasets of the shipped definitions that do not exist yet; returns how many
    /// were created. Safe to run on several nodes at once.
    pub async fn ensure_crisis_datasets(&self, now: DateTime<Utc>) -> AppResult<usize> {
        let mut created = 0;
        for (slug, text) in SHIPPED {
            if self.store.crisis_dataset(slug).await?.is_some() {
                continue;
            }
            match self.create_crisis_dataset(None, slug, text, now).await {
                Ok(_) => created += 1,
                Err(AppError::Rejected("err.crisis_slug_taken")) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(created)
    }

    pub async fn crisis_datasets(&self) -> AppResult<Vec<StoredCrisisDataset>> {
        Ok(self.store.crisis_datasets().await?)
    }

    /// A dataset and its parsed definition.
    pub async fn crisis_dataset(&self, slug: &str) -> AppResult<(StoredCrisisDataset, Definition)> {
        let ds = self.store.crisis_dataset(slug).await?.ok_or(AppError::NotFound)?;
        let def = Definition::parse(&ds.definition).map_err(|e| AppError::Internal(anyhow::anyhow!("stored definition of {slug} no longer parses: {e}")))?;
        Ok((ds, def))
    }

    /// Checks an upload and, if it has no problem, stores the next release of the dataset. See
    /// the module documentation. `progress` is told each stage as it starts.
    #[allow(clippy::too_many_arguments)]
    pub async fn crisis_ingest(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        filename: &str,
        bytes: &[u8],
        note: Option<&str>,
        now: DateTime<Utc>,
        progress: &mut (dyn FnMut(IngestStage) + Send),
    ) -> Result<ReleaseSummary, IngestError> {
        may_manage(actor)?;
        let (ds, def) = self.crisis_dataset(slug).await?;
        let note = checked_note(note)?;

        progress(IngestStage::Reading);
        let (header, rows) = if is_json(filename, bytes) {
            json_rows(bytes)?
        } else {
            let table = terbuka_files::table::read_table_limited(filename, bytes, MAX_UPLOAD_ROWS).map_err(|e| AppError::field("file", e.code()))?;
            (table.headers, table.rows)
        };
        self.ingest_table(actor, ds, def, filename, header, rows, note, now, progress).await
    }

    /// Turns a case line list (one row per case, see `terbuka_domain::crisis::linelist`) into
    /// the dataset's kelurahan × day figures and stores them as the next release, like an
    /// upload of those figures. The line list itself — ages, sexes, one row per person — is
    /// never stored or logged: only the counts leave this function. The dataset must have the
    /// `confirmed`, `recovered` and `deaths` measures (the Covid-19 definition has). `as_of` is
    /// the export date (rows after it are refused; the series run to it). Problems of the file
    /// come by line; problems of the counted figures against the current release (a running
    /// total lower than an earlier release's for that day) come with line 0 and the kelurahan,
    /// date and measure as their column.
    #[allow(clippy::too_many_arguments)]
    pub async fn crisis_ingest_linelist(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        filename: &str,
        bytes: Vec<u8>,
        note: Option<&str>,
        as_of: Option<chrono::NaiveDate>,
        now: DateTime<Utc>,
        progress: &mut (dyn FnMut(IngestStage) + Send),
    ) -> Result<ReleaseSummary, IngestError> {
        may_manage(actor)?;
        let (ds, def) = self.crisis_dataset(slug).await?;
        let note = checked_note(note)?;
        if ["confirmed", "recovered", "deaths"].iter().any(|m| def.measure(m).is_none()) {
            return Err(AppError::Rejected("err.crisis_linelist_dataset").into());
        }
        progress(IngestStage::Reading);
        let regions = self.regions.clone();
        let aggregated = blocking(move || {
            let options = crisis::linelist::Options { as_of, ..Default::default() };
            crisis::linelist::aggregate(&bytes, &regions, &options).map(|a| a.to_observations())
        })
        .await?;
        let observations = aggregated.map_err(|e| {
            IngestError::Rows(
                e.problems
                    .into_iter()
                    .map(|p| RowProblem { line: usize::try_from(p.line).unwrap_or(usize::MAX), column: p.column.to_string(), code: p.code })
                    .collect(),
            )
        })?;
        // The counts as an upload of the dataset: a row per kelurahan and day.
        let measures: Vec<String> = ["confirmed", "recovered", "deaths", "in_treatment", "self_isolation"]
            .iter()
            .filter(|m| def.measure(m).is_some() && observations.iter().any(|o| o.measure == **m))
            .map(|m| m.to_string())
            .collect();
        let mut table: std::collections::BTreeMap<(String, chrono::NaiveDate), Vec<String>> = std::collections::BTreeMap::new();
        for o in observations {
            if let Some(i) = measures.iter().position(|m| *m == o.measure) {
                table.entry((o.region, o.date)).or_insert_with(|| vec![String::new(); measures.len()])[i] = o.value.to_string();
            }
        }
        let header: Vec<String> = ["region".to_string(), "date".to_string()].into_iter().chain(measures.iter().cloned()).collect();
        let keys: Vec<String> = table.keys().map(|(region, date)| format!("{region} {date}")).collect();
        let rows: Vec<Vec<String>> = table.into_iter().map(|((region, date), cells)| [region, date.to_string()].into_iter().chain(cells).collect()).collect();
        // A problem of the counted figures (a cumulative total below what an earlier release
        // says, say) has no line in the file: it is named by kelurahan, date and measure, line 0.
        self.ingest_table(actor, ds, def, filename, header, rows, note, now, progress).await.map_err(|e| match e {
            IngestError::Rows(problems) => IngestError::Rows(
                problems
                    .into_iter()
                    .map(|p| {
                        let at = p.line.checked_sub(2).and_then(|i| keys.get(i)).map(String::as_str).unwrap_or("");
                        RowProblem { line: 0, column: format!("{at} {}", p.column).trim().to_string(), code: p.code }
                    })
                    .collect(),
            ),
            other => other,
        })
    }

    /// Checks a table of the dataset's columns against the current release and stores the next
    /// release (the part of an upload after reading the file).
    #[allow(clippy::too_many_arguments)]
    async fn ingest_table(
        &self,
        actor: Option<&Actor>,
        ds: StoredCrisisDataset,
        def: Definition,
        filename: &str,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        note: Option<&str>,
        now: DateTime<Utc>,
        progress: &mut (dyn FnMut(IngestStage) + Send),
    ) -> Result<ReleaseSummary, IngestError> {
        let slug = ds.slug.clone();
        progress(IngestStage::Validating { rows: rows.len() });
        let latest = self.store.crisis_releases(ds.id).await?.into_iter().next();
        let current = match &latest {
            Some(r) => self.replayed(r).await?,
            None => Arc::new(Snapshot::default()),
        };
        let (regions, base) = (self.regions.clone(), current.clone());
        let (upload, set) = blocking(move || {
            let upload = crisis::validate_rows_against(&def, crisis::levels_of(&regions), &header, &rows, &base)?;
            let set = base.upload_changes(&upload);
            Ok::<_, Vec<RowProblem>>((upload.len(), set))
        })
        .await?
        .map_err(IngestError::Rows)?;
        if set.is_empty() {
            return Err(AppError::Rejected("err.crisis_unchanged").into());
        }

        let summary = set.summary();
        let base = current.clone();
        let set_for_apply = set.clone();
        let (next, digest) = blocking(move || {
            let next = base.apply(&set_for_apply).map_err(|e| format!("crisis upload does not apply to its own base: {e}"))?;
            let digest = next.digest();
            Ok::<_, String>((next, digest))
        })
        .await?
        .map_err(internal)?;
        progress(IngestStage::Saving { observations: next.len(), changes: set.len() });
        let audit = audit_entry(
            &actor_label(actor),
            "crisis.release",
            format!("crisis:{slug}:{{seq}}"),
            serde_json::json!({
                "file": filename.chars().take(120).collect::<String>(),
                "digest": digest,
                "uploaded": upload,
                "rows": next.len(),
                "added": summary.added,
                "changed": summary.changed,
                "removed": summary.removed,
            }),
        );
        let release = NewCrisisRelease {
            dataset: ds.id,
            base_seq: latest.as_ref().map_or(0, |r| r.seq),
            at: now,
            actor: actor_label(actor),
            note: note.map(str::to_string),
            digest: digest.clone(),
            definition_hash: ds.definition_hash.clone(),
            rows: next.len() as i64,
            changes: set,
        };
        let stored = self.store.insert_crisis_release(release, audit).await?;
        {
            let mut cache = self.crisis_cache.0.lock().await;
            if cache.get(&ds.id).is_none_or(|c| c.seq < stored.seq) {
                cache.insert(ds.id, Cached { release: stored.id, seq: stored.seq, digest, snapshot: Arc::new(next) });
            }
        }
        Ok(ReleaseSummary {
            dataset: ds.slug,
            seq: stored.seq,
            uploaded: upload,
            rows: stored.rows,
            added: stored.added,
            changed: stored.changed,
            removed: stored.removed,
            digest: stored.digest,
        })
    }

    /// A release's values: from this node's cache, by replaying forward from it, or by replaying
    /// every change set up to the release; checked against the stored digest.
    async fn replayed(&self, release: &StoredCrisisRelease) -> AppResult<Arc<Snapshot>> {
        let mut cache = self.crisis_cache.0.lock().await;
        let (base, after) = match cache.get(&release.dataset) {
            Some(c) if c.release == release.id && c.digest == release.digest => return Ok(c.snapshot.clone()),
            Some(c) if c.seq < release.seq => (c.snapshot.clone(), c.seq),
            Some(_) => {
                // An older release than the one kept: replayed from the start without holding
                // the cache (readers of the latest release must not wait for it), and not kept.
                drop(cache);
                return self.replay(Arc::new(Snapshot::default()), 0, release).await.map(Arc::new);
            }
            None => (Arc::new(Snapshot::default()), 0),
        };
        let snapshot = Arc::new(self.replay(base, after, release).await?);
        if cache.get(&release.dataset).is_none_or(|c| c.seq <= release.seq) {
            cache.insert(release.dataset, Cached { release: release.id, seq: release.seq, digest: release.digest.clone(), snapshot: snapshot.clone() });
        }
        Ok(snapshot)
    }

    /// Applies the change sets after release `after` up to `release` to `base` (the values of
    /// release `after`), off the async threads, and checks the result against the stored digest.
    async fn replay(&self, base: Arc<Snapshot>, after: i64, release: &StoredCrisisRelease) -> AppResult<Snapshot> {
        let sets = self.store.crisis_change_sets(release.dataset, after, release.seq).await?;
        if sets.len() as i64 != release.seq - after {
            return Err(internal(format!(
                "crisis release {} of dataset {}: change sets {}..={} incomplete",
                release.seq,
                release.dataset,
                after + 1,
                release.seq
            )));
        }
        let expected = release.digest.clone();
        let (dataset, seq) = (release.dataset, release.seq);
        blocking(move || {
            let mut snapshot = Arc::unwrap_or_clone(base);
            for (r, set) in &sets {
                snapshot = snapshot.apply(set).map_err(|e| format!("crisis release {} of dataset {dataset} does not replay: {e}", r.seq))?;
            }
            let digest = snapshot.digest();
            if digest != expected {
                return Err(format!("crisis release {seq} of dataset {dataset}: replayed digest {digest} differs from the stored {expected}"));
            }
            Ok(snapshot)
        })
        .await?
        .map_err(internal)
    }

    /// A release (the latest when `seq` is `None`) and all its values, replayed and checked (see
    /// the module documentation). Cheaper than [`App::crisis_observations`] for callers that
    /// look values up: nothing is copied.
    pub async fn crisis_snapshot(&self, slug: &str, seq: Option<i64>) -> AppResult<(StoredCrisisRelease, Arc<Snapshot>)> {
        let release = self.crisis_release(slug, seq).await?;
        let snapshot = self.replayed(&release).await?;
        Ok((release, snapshot))
    }

    /// Every region's population, sorted by region code.
    pub async fn crisis_populations(&self) -> AppResult<Vec<PopulationRow>> {
        Ok(self
            .store
            .crisis_populations()
            .await?
            .into_iter()
            .map(|p| PopulationRow { region: p.region, population: p.population.max(0) as u64, year: p.year, source: p.source })
            .collect())
    }

    /// Replaces every region's population with a CSV/XLSX upload (columns `region`,
    /// `population`, `year`, `source`), checked whole (`crisis::ingest::validate_populations`:
    /// every problem by line and column, nothing saved if there is any). Admin or PPID Utama
    /// only (or the command line). Returns how many regions were stored.
    pub async fn set_crisis_populations(&self, actor: Option<&Actor>, filename: &str, bytes: &[u8], now: DateTime<Utc>) -> Result<usize, IngestError> {
        may_manage(actor)?;
        let table = terbuka_files::table::read_table_limited(filename, bytes, MAX_POPULATION_ROWS).map_err(|e| AppError::field("file", e.code()))?;
        let rows = crisis::ingest::validate_populations(|code| self.regions.get(code).is_some(), &table.headers, &table.rows).map_err(IngestError::Rows)?;
        let audit = audit_entry(
            &actor_label(actor),
            "crisis.populations",
            "crisis:populations".to_string(),
            serde_json::json!({ "file": filename.chars().take(120).collect::<String>(), "rows": rows.len() }),
        );
        let rows: Vec<NewCrisisPopulation> =
            rows.into_iter().map(|p| NewCrisisPopulation { region: p.region, population: p.population as i64, year: p.year, source: p.source }).collect();
        Ok(self.store.replace_crisis_populations(rows, now, audit).await?)
    }

    /// The releases of a dataset, newest first.
    pub async fn crisis_releases(&self, slug: &str) -> AppResult<Vec<StoredCrisisRelease>> {
        let ds = self.store.crisis_dataset(slug).await?.ok_or(AppError::NotFound)?;
        Ok(self.store.crisis_releases(ds.id).await?)
    }

    /// A release (the latest when `seq` is `None`).
    pub async fn crisis_release(&self, slug: &str, seq: Option<i64>) -> AppResult<StoredCrisisRelease> {
        let ds = self.store.crisis_dataset(slug).await?.ok_or(AppError::NotFound)?;
        let release = match seq {
            Some(seq) => self.store.crisis_release(ds.id, seq).await?,
            None => self.store.crisis_releases(ds.id).await?.into_iter().next(),
        };
        release.ok_or(AppError::NotFound)
    }

    /// What a release changed from the one before (the public correction log).
    pub async fn crisis_release_diff(&self, slug: &str, seq: i64) -> AppResult<(StoredCrisisRelease, Vec<Change>)> {
        let release = self.crisis_release(slug, Some(seq)).await?;
        let changes = self.store.crisis_changes(release.id).await?;
        Ok((release, changes))
    }

    /// The observations of a release (the latest when `seq` is `None`) that match `filter`.
    pub async fn crisis_observations(&self, slug: &str, seq: Option<i64>, filter: &ObservationFilter) -> AppResult<(StoredCrisisRelease, Vec<Observation>)> {
        let release = self.crisis_release(slug, seq).await?;
        let snapshot = self.replayed(&release).await?;
        let filter = filter.clone();
        let observations = blocking(move || snapshot.select(filter.region.as_deref(), filter.from, filter.until, &filter.measures)).await?;
        Ok((release, observations))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["covid19", "banjir", "banjir-2027", "a"] {
            assert!(valid_slug(ok), "{ok}");
        }
        for bad in ["", "Covid19", "-x", "a b", "banjir/1", &"x".repeat(41)] {
            assert!(!valid_slug(bad), "{bad}");
        }
    }

    #[test]
    fn json_cells_are_text() {
        let (header, rows) = json_rows(br#"[{"region":"31.71.01.1001","date":"2021-07-01","confirmed":12,"positivity":12.5},{"region":"31.71.01.1002","date":"2021-07-01","confirmed":null}]"#).unwrap();
        let cell = |row: usize, col: &str| rows[row][header.iter().position(|h| h == col).unwrap()].as_str();
        assert_eq!(header.len(), 4);
        assert_eq!([cell(0, "region"), cell(0, "date"), cell(0, "confirmed"), cell(0, "positivity")], ["31.71.01.1001", "2021-07-01", "12", "12.5"]);
        assert_eq!([cell(1, "region"), cell(1, "confirmed"), cell(1, "positivity")], ["31.71.01.1002", "", ""]);
        for bad in [&b"{}"[..], b"[1]", b"not json", b"[]"] {
            assert!(json_rows(bad).is_err());
        }
        assert!(is_json("x.json", b"{}"));
        assert!(is_json("upload", b" [{}]"));
        assert!(!is_json("x.csv", b"[weird"));
    }

    #[test]
    fn shipped_definitions_parse() {
        for (slug, text) in SHIPPED {
            assert!(valid_slug(slug));
            Definition::parse(text).unwrap();
        }
    }
}
