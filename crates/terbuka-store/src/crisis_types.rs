//! Row types of the crisis channel: datasets, releases (each stored as its change set),
//! populations.
//!
//! Change sets, observations and changes are the domain's own types ([`ChangeSet`],
//! `Observation`, `Change`): the store keeps a release's change set as the domain encodes it and
//! gives observations and changes back sorted by region, date and measure.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use terbuka_domain::crisis::ChangeSet;

/// A dataset to create: its slug and the definition (TOML) it is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCrisisDataset {
    pub slug: String,
    pub definition: String,
    pub definition_version: i64,
    /// SHA-256 (hex) of `definition`.
    pub definition_hash: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCrisisDataset {
    pub id: i64,
    pub slug: String,
    pub definition: String,
    pub definition_version: i64,
    pub definition_hash: String,
    pub created_at: DateTime<Utc>,
}

/// A release to store: what it changed from the release before (its change set) and what the
/// dataset then holds (`digest`, `rows`), computed by the caller from the replayed release.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCrisisRelease {
    pub dataset: i64,
    /// The sequence number of the release the change set was computed against (0 when there is
    /// none). If another release was stored since, the store refuses with `Conflict` and saves
    /// nothing.
    pub base_seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub note: Option<String>,
    /// `crisis::release_digest` of the release's observations (checked on every replay).
    pub digest: String,
    /// The definition's hash the upload was checked against.
    pub definition_hash: String,
    /// How many values the release holds (the whole dataset).
    pub rows: i64,
    pub changes: ChangeSet,
}

/// A stored release. `added`, `changed` and `removed` count its changes; `rows` its observations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCrisisRelease {
    pub id: i64,
    pub dataset: i64,
    pub seq: i64,
    pub created_at: DateTime<Utc>,
    pub actor: String,
    pub note: Option<String>,
    pub digest: String,
    pub definition_hash: String,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    pub rows: i64,
}

/// Which observations of a release to read; the default reads all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservationFilter {
    /// A region and everything under it: `31.71` matches `31.71` and `31.71.01.1001`, not `31.710`.
    pub region: Option<String>,
    /// First date, inclusive.
    pub from: Option<NaiveDate>,
    /// Last date, inclusive.
    pub until: Option<NaiveDate>,
    /// Only these measures (all when empty).
    pub measures: Vec<String>,
}

/// A region's population, as stored (see `Store::replace_crisis_populations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrisisPopulation {
    pub region: String,
    pub population: i64,
    pub year: i32,
    pub source: String,
    pub updated_at: DateTime<Utc>,
}

/// A population to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCrisisPopulation {
    pub region: String,
    pub population: i64,
    pub year: i32,
    pub source: String,
}
