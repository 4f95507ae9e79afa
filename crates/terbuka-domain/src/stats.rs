//! Service statistics (UU KIP Pasal 12; kip-rules §5.1 "service details"), computed from facts.

use crate::model::{Outcome, UnitId};
use crate::objection::ObjectionState;
use serde::Serialize;
use std::collections::BTreeMap;

/// What statistics need to know about one request.
#[derive(Debug, Clone)]
pub struct RequestFact {
    pub unit: Option<UnitId>,
    pub year: i32,
    pub outcome: Option<Outcome>,
    /// Working days from day 0 to the written notice, if given.
    pub days_to_notice: Option<u32>,
    pub on_time: Option<bool>,
    pub extended: bool,
    pub withdrawn: bool,
    pub objection: Option<ObjectionState>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Stats {
    pub received: u64,
    pub answered: u64,
    pub answered_on_time: u64,
    /// Percentage of answered requests answered on time (0-100), if any were answered.
    pub on_time_percent: Option<f64>,
    pub extended: u64,
    pub withdrawn: u64,
    /// Median working days from receipt to written notice.
    pub median_days: Option<f64>,
    pub outcomes: BTreeMap<&'static str, u64>,
    pub objections: u64,
    pub objection_results: BTreeMap<&'static str, u64>,
}

pub fn median(values: &mut [u32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] as f64 } else { (values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0 })
}

pub fn compute<'a>(facts: impl IntoIterator<Item = &'a RequestFact>) -> Stats {
    let mut s = Stats::default();
    let mut days = Vec::new();
    for f in facts {
        s.received += 1;
        if let Some(o) = f.outcome {
            s.answered += 1;
            *s.outcomes.entry(o.as_str()).or_default() += 1;
        }
        if f.on_time == Some(true) {
            s.answered_on_time += 1;
        }
        if let Some(d) = f.days_to_notice {
            days.push(d);
        }
        s.extended += f.extended as u64;
        s.withdrawn += f.withdrawn as u64;
        if let Some(o) = f.objection {
            s.objections += 1;
            *s.objection_results.entry(o.as_str()).or_default() += 1;
        }
    }
    s.median_days = median(&mut days);
    s.on_time_percent = (s.answered > 0).then(|| (s.answered_on_time as f64 * 1000.0 / s.answered as f64).round() / 10.0);
    s
}

/// Statistics overall and per unit.
pub fn by_unit(facts: &[RequestFact]) -> (Stats, BTreeMap<Option<UnitId>, Stats>) {
    let overall = compute(facts);
    let mut groups: BTreeMap<Option<UnitId>, Vec<&RequestFact>> = BTreeMap::new();
    for f in facts {
        groups.entry(f.unit).or_default().push(f);
    }
    let per = groups.into_iter().map(|(u, fs)| (u, compute(fs))).collect();
    (overall, per)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(unit: i64, outcome: Option<Outcome>, days: Option<u32>, on_time: Option<bool>) -> RequestFact {
        RequestFact { unit: Some(unit), year: 2026, outcome, days_to_notice: days, on_time, extended: false, withdrawn: false, objection: None }
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5.0));
        assert_eq!(median(&mut [9, 1, 4]), Some(4.0));
        assert_eq!(median(&mut [1, 2, 3, 10]), Some(2.5));
    }

    #[test]
    fn counts_per_unit_and_overall() {
        let mut facts = vec![
            fact(1, Some(Outcome::GrantedFull), Some(3), Some(true)),
            fact(1, Some(Outcome::RefusedExempt), Some(12), Some(false)),
            fact(2, None, None, None),
        ];
        facts[1].objection = Some(ObjectionState::Rejected);
        let (all, per) = by_unit(&facts);
        assert_eq!(all.received, 3);
        assert_eq!(all.answered, 2);
        assert_eq!(all.answered_on_time, 1);
        assert_eq!(all.on_time_percent, Some(50.0));
        assert_eq!(all.median_days, Some(7.5));
        assert_eq!(all.outcomes.get("refused_exempt"), Some(&1));
        assert_eq!(all.objection_results.get("rejected"), Some(&1));
        assert_eq!(per[&Some(1)].received, 2);
        assert_eq!(per[&Some(2)].answered, 0);
        assert_eq!(per[&Some(2)].on_time_percent, None);
    }
}
