//! The crisis information channel: Covid-19, floods and whatever comes next, by region.
//!
//! A dataset is described by a **definition file** (TOML), not by code ([`definition`]): its
//! measures (kind, unit, whether cumulative, new in the period or a snapshot, how they aggregate
//! up the region hierarchy), the level it is reported at, its time grain, derived measures with
//! their formulas ([`formula`]), the indicators computed from them ([`indicators`]) and the
//! Indonesian and English texts that explain each one. Two definitions ship with the crate:
//! [`COVID19_DEFINITION`] and [`FLOODS_DEFINITION`].
//!
//! Data arrives as rows (CSV or JSON turned into cells by the caller) and is checked whole by
//! [`ingest::validate_rows`]: every problem is reported by line, column and reason, and a file
//! with any problem yields no observation at all. Each accepted upload becomes an immutable
//! *release* (a complete snapshot of the dataset, see [`ingest::merge`]); [`diff::diff`] says,
//! deterministically, what changed from the previous release, and [`diff::release_digest`] names
//! a release by its content. A release is stored as its [`codec::ChangeSet`] (the diff plus the
//! notes it set or cleared) and read back by replaying change sets into a [`codec::Snapshot`].
//! [`aggregate::roll_up`] sums (or takes the max, min or
//! population-weighted mean of) kelurahan values up to kecamatan, kota and province, and
//! reconciles them with totals reported directly at those levels.
//!
//! **Gaps are explicit.** A [`Series`] is a map from date to value: a day that was not reported
//! is absent, never zero, and every indicator that needs a day that is absent is absent too.
//!
//! Everything here is pure: no I/O, no clock. Populations, the region hierarchy and the previous
//! release are passed in.

pub mod aggregate;
pub mod codec;
pub mod definition;
pub mod diff;
pub mod formula;
pub mod indicators;
pub mod ingest;
pub mod linelist;

pub use aggregate::{population_up, roll_up, Aggregated, Reconciliation, Rollup};
pub use codec::{ApplyError, ChangeSet, CodecError, NoteChange, Snapshot};
pub use definition::{Aggregate, Definition, DefinitionError, DefinitionErrors, Derived, Grain, Indicator, Measure, MeasureKind, Temporal, Text};
pub use diff::{diff, release_digest, summarize, Change, ChangeKind, DiffSummary};
pub use indicators::IndicatorKind;
pub use ingest::{levels_of, merge, records_to_rows, validate_rows, validate_rows_after, validate_rows_against, RowProblem};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The Covid-19 definition shipped with Terbuka (kelurahan, daily).
pub const COVID19_DEFINITION: &str = include_str!("definitions/covid19.toml");
/// The floods definition shipped with Terbuka (kelurahan, daily; water gates by their kelurahan).
pub const FLOODS_DEFINITION: &str = include_str!("definitions/floods.toml");

/// A time series: one value per date. A date that is not in the map was not reported (missing),
/// which is different from a reported zero.
pub type Series = BTreeMap<NaiveDate, f64>;

/// One reported value: a measure of a region on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Kemendagri region code, dotted (`31.71.01.1001`).
    pub region: String,
    /// The day reported (for weekly datasets, the Monday that starts the ISO week).
    pub date: NaiveDate,
    /// The measure's id from the definition.
    pub measure: String,
    pub value: f64,
    /// The row's correction note, if it had one (required when a cumulative value goes down).
    /// Notes travel with the release but are not compared by [`diff::diff`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Observation {
    pub fn new(region: &str, date: NaiveDate, measure: &str, value: f64) -> Observation {
        Observation { region: region.to_string(), date, measure: measure.to_string(), value, note: None }
    }
}

/// The series of one measure of one region, taken from a set of observations.
pub fn series_of(observations: &[Observation], region: &str, measure: &str) -> Series {
    observations.iter().filter(|o| o.region == region && o.measure == measure).map(|o| (o.date, o.value)).collect()
}

/// Every measure's series for one region, keyed by measure id (the input of
/// [`Definition::evaluate`]).
pub fn region_series(observations: &[Observation], region: &str) -> BTreeMap<String, Series> {
    let mut out: BTreeMap<String, Series> = BTreeMap::new();
    for o in observations.iter().filter(|o| o.region == region) {
        out.entry(o.measure.clone()).or_default().insert(o.date, o.value);
    }
    out
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::region::Regions;

    pub const JAKARTA_REGIONS: &str = include_str!("../../../terbuka-app/data/jakarta-regions.csv");

    pub fn jakarta() -> Regions {
        Regions::parse_csv(JAKARTA_REGIONS).unwrap()
    }

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A series from `(date, value)` pairs.
    pub fn series(points: &[(&str, f64)]) -> Series {
        points.iter().map(|(day, v)| (d(day), *v)).collect()
    }

    /// A series of consecutive days starting at `start`; `None` leaves a gap.
    pub fn days(start: &str, values: &[Option<f64>]) -> Series {
        let start = d(start);
        values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (start + chrono::Duration::days(i as i64), v))).collect()
    }

    /// Splits a small CSV text into cells (no quoting: the test files do not need it).
    pub fn cells(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let mut lines = csv.lines().map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
        let header = lines.next().unwrap_or_default();
        (header, lines.collect())
    }

    pub fn assert_close(got: f64, want: f64) {
        assert!((got - want).abs() < 1e-9, "got {got}, want {want}");
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn series_helpers_keep_gaps() {
        let obs = vec![
            Observation::new("31.71", d("2021-07-01"), "confirmed", 10.0),
            Observation::new("31.71", d("2021-07-03"), "confirmed", 12.0),
            Observation::new("31.72", d("2021-07-01"), "confirmed", 99.0),
            Observation::new("31.71", d("2021-07-01"), "deaths", 1.0),
        ];
        let s = series_of(&obs, "31.71", "confirmed");
        assert_eq!(s, series(&[("2021-07-01", 10.0), ("2021-07-03", 12.0)]));
        assert_eq!(s.get(&d("2021-07-02")), None, "an unreported day is missing, not zero");
        let all = region_series(&obs, "31.71");
        assert_eq!(all.keys().collect::<Vec<_>>(), ["confirmed", "deaths"]);
    }

    #[test]
    fn the_shipped_definitions_load() {
        assert_eq!(Definition::parse(COVID19_DEFINITION).unwrap().id, "covid19");
        assert_eq!(Definition::parse(FLOODS_DEFINITION).unwrap().id, "floods");
    }
}
