//! Row types of the crisis channel: datasets, releases, their observations and their diffs.
//!
//! Observations and changes are the domain's own types ([`Observation`], [`Change`]): the store
//! keeps them as they are given and gives them back sorted by region, date and measure.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use terbuka_domain::crisis::{Change, Observation};

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

/// A release to store: the dataset's complete set of observations after an upload, and the diff
/// from the release before.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCrisisRelease {
    pub dataset: i64,
    /// The sequence number of the release the diff was computed against (0 when there is none).
    /// If another release was stored since, the store refuses with `Conflict` and saves nothing.
    pub base_seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub note: Option<String>,
    /// `crisis::release_digest(&observations)`.
    pub digest: String,
    /// The definition's hash the upload was checked against.
    pub definition_hash: String,
    pub observations: Vec<Observation>,
    pub changes: Vec<Change>,
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
