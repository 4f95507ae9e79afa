//! What a release changed: the public, machine-readable difference between two releases.
//!
//! Releases are immutable; each new one is published with its diff against the one before, so
//! anyone can see which values were added, which were revised (old, new and the difference)
//! and which were withdrawn. [`release_digest`] names a release by its content, so a copy can be
//! checked against the published one.

use super::Observation;
use crate::model::coded_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

coded_enum! {
    /// What happened to one value.
    ChangeKind {
        Added = "added",
        Changed = "changed",
        Removed = "removed",
    }
}

/// One value that differs between two releases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub region: String,
    pub date: NaiveDate,
    pub measure: String,
    pub kind: ChangeKind,
    /// The value in the previous release (none when added).
    pub old: Option<f64>,
    /// The value in the new release (none when removed).
    pub new: Option<f64>,
    /// `new − old`, for changed values only.
    pub delta: Option<f64>,
}

/// How many values a diff adds, changes and removes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
}

type Key<'a> = (&'a str, NaiveDate, &'a str);

fn index(observations: &[Observation]) -> BTreeMap<Key<'_>, f64> {
    // Releases hold one value per key; were one to hold two, the last would count.
    observations.iter().map(|o| ((o.region.as_str(), o.date, o.measure.as_str()), o.value)).collect()
}

/// The changes from `prev` to `next`, sorted by region, date and measure, whatever the order of
/// the inputs. Values are compared exactly (they come from the same text); notes are not
/// compared.
pub fn diff(prev: &[Observation], next: &[Observation]) -> Vec<Change> {
    let (a, b) = (index(prev), index(next));
    let mut keys: Vec<&Key> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (old, new) = (a.get(k).copied(), b.get(k).copied());
            let kind = match (old, new) {
                (None, Some(_)) => ChangeKind::Added,
                (Some(_), None) => ChangeKind::Removed,
                (Some(o), Some(n)) if o != n => ChangeKind::Changed,
                _ => return None,
            };
            let delta = match (old, new) {
                (Some(o), Some(n)) => Some(n - o),
                _ => None,
            };
            Some(Change { region: k.0.to_string(), date: k.1, measure: k.2.to_string(), kind, old, new, delta })
        })
        .collect()
}

/// Counts the changes of a diff by kind.
pub fn summarize(changes: &[Change]) -> DiffSummary {
    let mut s = DiffSummary::default();
    for c in changes {
        match c.kind {
            ChangeKind::Added => s.added += 1,
            ChangeKind::Changed => s.changed += 1,
            ChangeKind::Removed => s.removed += 1,
        }
    }
    s
}

/// The SHA-256 (hex) of a release's content: one line `region,date,measure,value` per value,
/// sorted, values in Rust's shortest round-trip form (`12`, `12.5`). The order of the input and
/// the notes do not matter.
pub fn release_digest(observations: &[Observation]) -> String {
    let mut hasher = Sha256::new();
    for ((region, date, measure), value) in index(observations) {
        hasher.update(format!("{region},{date},{measure},{value}\n").as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn obs(region: &str, date: &str, measure: &str, value: f64) -> Observation {
        Observation::new(region, d(date), measure, value)
    }

    fn change(region: &str, date: &str, measure: &str, kind: ChangeKind, old: Option<f64>, new: Option<f64>, delta: Option<f64>) -> Change {
        Change { region: region.into(), date: d(date), measure: measure.into(), kind, old, new, delta }
    }

    #[test]
    fn added_changed_removed_and_unchanged() {
        let prev = vec![
            obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0),
            obs("31.71.01.1001", "2021-07-01", "deaths", 2.0),
            obs("31.71.01.1002", "2021-07-01", "confirmed", 40.0),
            obs("31.71.01.1002", "2021-07-01", "deaths", 1.0),
        ];
        // Gambir's confirmed revised 100 → 97 (delta −3), Cideng's deaths withdrawn, a new day added;
        // Gambir's deaths and Cideng's confirmed unchanged. The input order is shuffled.
        let next = vec![
            obs("31.71.01.1001", "2021-07-02", "confirmed", 104.0),
            obs("31.71.01.1002", "2021-07-01", "confirmed", 40.0),
            obs("31.71.01.1001", "2021-07-01", "deaths", 2.0),
            obs("31.71.01.1001", "2021-07-01", "confirmed", 97.0),
        ];
        let got = diff(&prev, &next);
        assert_eq!(
            got,
            [
                change("31.71.01.1001", "2021-07-01", "confirmed", ChangeKind::Changed, Some(100.0), Some(97.0), Some(-3.0)),
                change("31.71.01.1001", "2021-07-02", "confirmed", ChangeKind::Added, None, Some(104.0), None),
                change("31.71.01.1002", "2021-07-01", "deaths", ChangeKind::Removed, Some(1.0), None, None),
            ]
        );
        assert_eq!(summarize(&got), DiffSummary { added: 1, changed: 1, removed: 1 });
    }

    #[test]
    fn deterministic_and_symmetric() {
        let a = vec![obs("31", "2021-07-02", "x", 1.0), obs("31", "2021-07-01", "x", 2.0), obs("31.71", "2021-07-01", "x", 5.0)];
        let b = vec![obs("31.71", "2021-07-01", "x", 5.5), obs("31", "2021-07-03", "x", 3.0)];
        let mut a_rev = a.clone();
        a_rev.reverse();
        assert_eq!(diff(&a, &b), diff(&a_rev, &b), "input order does not matter");
        // Going back undoes: what was added is removed, deltas change sign.
        let forth = diff(&a, &b);
        let back = diff(&b, &a);
        assert_eq!(forth.len(), back.len());
        for (f, r) in forth.iter().zip(&back) {
            assert_eq!((f.old, f.new), (r.new, r.old));
            assert_eq!(f.delta.map(|x| -x), r.delta);
        }
        // 31.71 5 → 5.5: delta 0.5
        assert_eq!(forth.iter().find(|c| c.region == "31.71").unwrap().delta, Some(0.5));
        assert!(diff(&a, &a).is_empty());
        assert!(diff(&[], &[]).is_empty());
        assert_eq!(summarize(&diff(&[], &a)), DiffSummary { added: 3, changed: 0, removed: 0 });
    }

    #[test]
    fn notes_are_not_changes() {
        let mut noted = obs("31", "2021-07-01", "confirmed", 10.0);
        noted.note = Some("koreksi".into());
        assert!(diff(&[obs("31", "2021-07-01", "confirmed", 10.0)], &[noted]).is_empty());
    }

    #[test]
    fn digest_names_the_content() {
        let a = vec![obs("31", "2021-07-01", "confirmed", 10.0), obs("31", "2021-07-02", "confirmed", 12.5)];
        let mut b = a.clone();
        b.reverse();
        b[0].note = Some("x".into());
        assert_eq!(release_digest(&a), release_digest(&b));
        assert_ne!(release_digest(&a), release_digest(&a[..1]));
        // The digest of nothing is the SHA-256 of the empty string.
        assert_eq!(release_digest(&[]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        // One value: sha256("31,2021-07-01,confirmed,10\n").
        let one = release_digest(&a[..1]);
        let want = hex::encode(Sha256::digest(b"31,2021-07-01,confirmed,10\n"));
        assert_eq!(one, want);
    }

    #[test]
    fn change_kind_codes() {
        for k in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(k.as_str()), Some(*k));
        }
    }
}
