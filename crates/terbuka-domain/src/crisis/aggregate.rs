//! Rolling values up the region hierarchy, and reconciling with totals reported directly.
//!
//! Values reported at the dataset's level (kelurahan for both shipped datasets) are combined
//! for every kecamatan, kota and the province that contains them, by each measure's rule:
//! `sum`, `max`, `min`, `mean_pop` (weighted by population) or `none` (not rolled up). Every
//! aggregate is computed from the reported parts directly, never from other aggregates, and
//! says how many parts it was computed from out of how many there are: a kelurahan that did
//! not report is missing, not zero, so "15 from 2 of 6 kelurahan" is not presented as the
//! kecamatan's total without saying so.
//!
//! Where a higher level is also reported directly (the province's own total, say), the
//! [`Reconciliation`] shows both numbers and the difference. Derived measures and indicators
//! are not rolled up: they are recomputed from the rolled-up measures
//! ([`Rollup::observations`], then [`super::Definition::evaluate`]).

use super::definition::{Aggregate, Definition};
use super::Observation;
use crate::region::{RegionLevel, Regions};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// A measure of a region above the reported level, computed from its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregated {
    pub region: String,
    pub level: RegionLevel,
    pub date: NaiveDate,
    pub measure: String,
    pub value: f64,
    /// How many regions of the reported level inside this one reported the measure that day.
    pub parts: usize,
    /// How many regions of the reported level lie inside this one.
    pub expected: usize,
}

impl Aggregated {
    /// Whether every part reported.
    pub fn complete(&self) -> bool {
        self.parts == self.expected
    }
}

/// A total reported directly for a higher region, next to the one computed from its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    pub region: String,
    pub level: RegionLevel,
    pub date: NaiveDate,
    pub measure: String,
    pub reported: f64,
    /// None when no part reported (or, for `mean_pop`, a part has no population).
    pub computed: Option<f64>,
    /// `reported − computed`: positive when the total counts more than its parts (cases whose
    /// kelurahan is unknown, say).
    pub difference: Option<f64>,
    pub parts: usize,
    pub expected: usize,
}

/// The result of [`roll_up`], each list sorted by region, date and measure.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rollup {
    pub values: Vec<Aggregated>,
    pub reconciliation: Vec<Reconciliation>,
}

impl Rollup {
    /// The aggregated values as observations, to evaluate derived measures and indicators of
    /// higher regions.
    pub fn observations(&self) -> Vec<Observation> {
        self.values.iter().map(|a| Observation::new(&a.region, a.date, &a.measure, a.value)).collect()
    }

    /// Only the aggregates every part reported to, as observations. Indicators over time should
    /// use these: a cumulative sum missing one kelurahan on one day looks like a fall, and
    /// `daily_new` would turn it into negative new cases.
    pub fn complete_observations(&self) -> Vec<Observation> {
        self.values.iter().filter(|a| a.complete()).map(|a| Observation::new(&a.region, a.date, &a.measure, a.value)).collect()
    }
}

/// Combines values by a rule; `None` when there is nothing to combine or, for `mean_pop`, when a
/// part has no positive population.
pub fn combine(rule: Aggregate, parts: &[(f64, Option<f64>)]) -> Option<f64> {
    if parts.is_empty() {
        return None;
    }
    let values = parts.iter().map(|(v, _)| *v);
    match rule {
        Aggregate::Sum => Some(values.sum()),
        Aggregate::Max => values.reduce(f64::max),
        Aggregate::Min => values.reduce(f64::min),
        Aggregate::MeanPop => {
            let mut weighted = 0.0;
            let mut people = 0.0;
            for (v, p) in parts {
                let p = p.filter(|p| *p > 0.0)?;
                weighted += v * p;
                people += p;
            }
            Some(weighted / people)
        }
        Aggregate::NotAggregated => None,
    }
}

/// Rolls the observations of the dataset's level up to every containing region and reconciles
/// the totals reported at higher levels. Observations of regions not in `regions` are ignored
/// (validation refuses them). `population` gives a region's population (only `mean_pop` uses
/// it).
pub fn roll_up(def: &Definition, regions: &Regions, observations: &[Observation], population: impl Fn(&str) -> Option<f64>) -> Rollup {
    // How many regions of the reported level each higher region holds.
    let mut expected: BTreeMap<&str, usize> = BTreeMap::new();
    for leaf in regions.at_level(def.level) {
        for up in regions.lineage(&leaf.code).into_iter().skip(1) {
            *expected.entry(up.code.as_str()).or_default() += 1;
        }
    }
    let rule = |measure: &str| def.measure(measure).map(|m| m.aggregate).filter(|a| *a != Aggregate::NotAggregated);

    // (region, date, measure) → parts (value, population of the part).
    type Parts = Vec<(f64, Option<f64>)>;
    let mut buckets: BTreeMap<(&str, NaiveDate, &str), Parts> = BTreeMap::new();
    for o in observations {
        let Some(region) = regions.get(&o.region) else { continue };
        if region.level != def.level || rule(&o.measure).is_none() {
            continue;
        }
        let pop = population(&region.code);
        for up in regions.lineage(&region.code).into_iter().skip(1) {
            buckets.entry((up.code.as_str(), o.date, o.measure.as_str())).or_default().push((o.value, pop));
        }
    }

    let level_of = |code: &str| regions.get(code).map(|r| r.level);
    let mut values = Vec::new();
    for ((region, date, measure), parts) in &buckets {
        let (Some(rule), Some(level)) = (rule(measure), level_of(region)) else { continue };
        if let Some(value) = combine(rule, parts) {
            let expected = expected.get(region).copied().unwrap_or_default();
            values.push(Aggregated { region: region.to_string(), level, date: *date, measure: measure.to_string(), value, parts: parts.len(), expected });
        }
    }

    let mut reconciliation = Vec::new();
    for o in observations {
        let Some(region) = regions.get(&o.region) else { continue };
        let Some(rule) = rule(&o.measure) else { continue };
        if (region.level as u8) >= (def.level as u8) {
            continue;
        }
        let parts = buckets.get(&(region.code.as_str(), o.date, o.measure.as_str()));
        let computed = parts.and_then(|p| combine(rule, p));
        reconciliation.push(Reconciliation {
            region: region.code.clone(),
            level: region.level,
            date: o.date,
            measure: o.measure.clone(),
            reported: o.value,
            computed,
            difference: computed.map(|c| o.value - c),
            parts: parts.map_or(0, Vec::len),
            expected: expected.get(region.code.as_str()).copied().unwrap_or_default(),
        });
    }
    reconciliation.sort_by(|a, b| (&a.region, a.date, &a.measure).cmp(&(&b.region, b.date, &b.measure)));
    Rollup { values, reconciliation }
}

/// Populations of every region from those of the regions at `level`: a higher region's is the
/// sum of its parts', given only when every part has one (a partial sum would inflate every
/// per-100 000 figure of that region).
pub fn population_up(regions: &Regions, level: RegionLevel, population: impl Fn(&str) -> Option<f64>) -> BTreeMap<String, f64> {
    let mut sums: BTreeMap<String, Option<f64>> = BTreeMap::new();
    for leaf in regions.at_level(level) {
        let p = population(&leaf.code).filter(|p| *p > 0.0);
        for r in regions.lineage(&leaf.code) {
            let slot = sums.entry(r.code.clone()).or_insert(Some(0.0));
            *slot = match (*slot, p) {
                (Some(total), Some(p)) => Some(total + p),
                _ => None,
            };
        }
    }
    sums.into_iter().filter_map(|(code, p)| p.map(|p| (code, p))).collect()
}

#[cfg(test)]
mod tests;
