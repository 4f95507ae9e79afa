//! Compact releases: a release is stored as its **change set** (what it changed from the release
//! before, and which correction notes it set or cleared), and a release's observations are the
//! replay of every change set up to it.
//!
//! [`ChangeSet`] holds the changes with region and measure dictionaries (indices instead of
//! strings) and encodes to a small binary ([`ChangeSet::encode`]: dictionaries, then one row per
//! change with the date as a delta from the row before and whole values as deltas from the same
//! measure's previous value in the region, all deflated). [`Snapshot`] is the replayed state:
//! every value of a release in a flat sorted vector (24 bytes a value), with
//! [`Snapshot::apply`] checking each change against what it replaces (an added value must be
//! new, a changed or removed one must have the old value the change names), so a replay that
//! does not add up is an error, never a silently different release. [`Snapshot::digest`] is
//! [`super::diff::release_digest`] of the snapshot's observations, computed without building them.
//!
//! Everything here is pure (flate2 only compresses bytes in memory).

use super::diff::{Change, ChangeKind, DiffSummary};
use super::Observation;
use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{Read, Write as _};

/// The first bytes of an encoded change set (format 1).
const MAGIC: &[u8; 4] = b"TCS1";
/// The largest decoded body accepted (far above any real release: 10 M values take ~60 MB).
const MAX_BODY: u64 = 1 << 30;

/// A correction note a release set (`Some`) or cleared (`None`) on one of its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteChange {
    pub region: String,
    pub date: NaiveDate,
    pub measure: String,
    pub note: Option<String>,
}

/// Why bytes are not a change set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid crisis change set: {0}")]
pub struct CodecError(pub &'static str);

/// Why a change set does not apply to a snapshot (the stored history does not add up).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("change set does not apply: {what} at {region},{date},{measure}")]
pub struct ApplyError {
    pub what: &'static str,
    pub region: String,
    pub date: NaiveDate,
    pub measure: String,
}

/// A value's place: indices into the region and measure dictionaries (both sorted, so the
/// order of keys is the order of `(region, date, measure)` as text) and the day number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Key {
    region: u32,
    day: i32,
    measure: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Row {
    key: Key,
    kind: ChangeKind,
    old: Option<f64>,
    new: Option<f64>,
}

fn day_of(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

fn date_of(day: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day)
}

fn date_at(day: i32) -> NaiveDate {
    // Days only ever come from dates (or are checked on decode), so this always succeeds.
    date_of(day).unwrap_or_default()
}

fn index_of(dict: &[String], s: &str) -> Option<u32> {
    dict.binary_search_by(|x| x.as_str().cmp(s)).ok().map(|i| i as u32)
}

/// One release's changes and note changes, compactly. Build it with [`ChangeSet::between`],
/// [`ChangeSet::from_changes`] or [`Snapshot::upload_changes`]; store it with
/// [`ChangeSet::encode`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeSet {
    regions: Vec<String>,
    measures: Vec<String>,
    rows: Vec<Row>,
    notes: Vec<(Key, Option<String>)>,
}

/// A change by text: region, date, measure, kind, old and new value.
type TextRow<'a> = (&'a str, NaiveDate, &'a str, ChangeKind, Option<f64>, Option<f64>);

/// Collects changes by text and interns them into a [`ChangeSet`].
#[derive(Default)]
struct Builder<'a> {
    rows: Vec<TextRow<'a>>,
    notes: Vec<(&'a str, NaiveDate, &'a str, Option<String>)>,
}

impl Builder<'_> {
    fn build(self) -> ChangeSet {
        let regions: Vec<String> =
            self.rows.iter().map(|r| r.0).chain(self.notes.iter().map(|n| n.0)).collect::<BTreeSet<_>>().into_iter().map(str::to_string).collect();
        let measures: Vec<String> =
            self.rows.iter().map(|r| r.2).chain(self.notes.iter().map(|n| n.2)).collect::<BTreeSet<_>>().into_iter().map(str::to_string).collect();
        let key = |region: &str, date: NaiveDate, measure: &str| Key {
            region: index_of(&regions, region).unwrap_or(0),
            day: day_of(date),
            measure: index_of(&measures, measure).unwrap_or(0),
        };
        let mut rows: Vec<Row> = self.rows.iter().map(|&(r, d, m, kind, old, new)| Row { key: key(r, d, m), kind, old, new }).collect();
        rows.sort_by_key(|r| r.key);
        rows.dedup_by_key(|r| r.key);
        let mut notes: Vec<(Key, Option<String>)> = self.notes.into_iter().map(|(r, d, m, n)| (key(r, d, m), n)).collect();
        notes.sort_by_key(|n| n.0);
        notes.dedup_by_key(|n| n.0);
        ChangeSet { regions, measures, rows, notes }
    }
}

fn note_index(observations: &[Observation]) -> BTreeMap<(&str, NaiveDate, &str), Option<&str>> {
    observations.iter().map(|o| ((o.region.as_str(), o.date, o.measure.as_str()), o.note.as_deref())).collect()
}

impl ChangeSet {
    /// The change set that turns the release `prev` into `next`: [`super::diff::diff`] plus the
    /// notes `next` sets or clears on its values.
    pub fn between(prev: &[Observation], next: &[Observation]) -> ChangeSet {
        let changes = super::diff::diff(prev, next);
        let (a, b) = (note_index(prev), note_index(next));
        let notes: Vec<NoteChange> = b
            .iter()
            .filter(|(k, n)| a.get(*k).copied().flatten() != **n)
            .map(|(k, n)| NoteChange { region: k.0.to_string(), date: k.1, measure: k.2.to_string(), note: n.map(str::to_string) })
            .collect();
        ChangeSet::from_changes(&changes, &notes)
    }

    /// A change set from changes and note changes given as text (any order; a key given twice
    /// counts once).
    pub fn from_changes(changes: &[Change], notes: &[NoteChange]) -> ChangeSet {
        let mut b = Builder::default();
        for c in changes {
            b.rows.push((&c.region, c.date, &c.measure, c.kind, c.old, c.new));
        }
        for n in notes {
            b.notes.push((&n.region, n.date, &n.measure, n.note.clone()));
        }
        b.build()
    }

    /// How many values the set adds, changes or removes.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Counts the changes by kind.
    pub fn summary(&self) -> DiffSummary {
        let mut s = DiffSummary::default();
        for r in &self.rows {
            match r.kind {
                ChangeKind::Added => s.added += 1,
                ChangeKind::Changed => s.changed += 1,
                ChangeKind::Removed => s.removed += 1,
            }
        }
        s
    }

    /// The changes as [`super::diff::diff`] gives them: sorted by region, date and measure, with
    /// the delta of changed values.
    pub fn changes(&self) -> Vec<Change> {
        self.rows
            .iter()
            .map(|r| Change {
                region: self.regions[r.key.region as usize].clone(),
                date: date_at(r.key.day),
                measure: self.measures[r.key.measure as usize].clone(),
                kind: r.kind,
                old: r.old,
                new: r.new,
                delta: match (r.kind, r.old, r.new) {
                    (ChangeKind::Changed, Some(o), Some(n)) => Some(n - o),
                    _ => None,
                },
            })
            .collect()
    }

    /// The note changes, sorted by region, date and measure.
    pub fn notes(&self) -> Vec<NoteChange> {
        self.notes
            .iter()
            .map(|(k, n)| NoteChange {
                region: self.regions[k.region as usize].clone(),
                date: date_at(k.day),
                measure: self.measures[k.measure as usize].clone(),
                note: n.clone(),
            })
            .collect()
    }

    /// The compact binary form (see the module documentation).
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(16 + self.rows.len() * 6);
        for dict in [&self.regions, &self.measures] {
            put_varint(&mut body, dict.len() as u64);
            for s in dict {
                put_varint(&mut body, s.len() as u64);
                body.extend_from_slice(s.as_bytes());
            }
        }
        put_varint(&mut body, self.rows.len() as u64);
        let mut prev_key = Key { region: 0, day: 0, measure: 0 };
        let mut prev_values = vec![0i64; self.measures.len()];
        for r in &self.rows {
            if r.key.region != prev_key.region {
                prev_values.iter_mut().for_each(|v| *v = 0);
            }
            put_varint(&mut body, u64::from(r.key.region - prev_key.region));
            put_varint(&mut body, zigzag(i64::from(r.key.day) - i64::from(prev_key.day)));
            put_varint(&mut body, u64::from(r.key.measure));
            let kind = match r.kind {
                ChangeKind::Added => 0u8,
                ChangeKind::Changed => 1,
                ChangeKind::Removed => 2,
            };
            let (old_tag, new_tag) = (value_tag(r.old), value_tag(r.new));
            body.push(kind | (old_tag << 2) | (new_tag << 4));
            let prev = &mut prev_values[r.key.measure as usize];
            for (tag, v) in [(old_tag, r.old), (new_tag, r.new)] {
                match (tag, v) {
                    (1, Some(v)) => {
                        let i = v as i64;
                        put_varint(&mut body, zigzag(i - *prev));
                        *prev = i;
                    }
                    (2, Some(v)) => body.extend_from_slice(&v.to_bits().to_le_bytes()),
                    _ => {}
                }
            }
            prev_key = r.key;
        }
        put_varint(&mut body, self.notes.len() as u64);
        for (k, n) in &self.notes {
            put_varint(&mut body, u64::from(k.region));
            put_varint(&mut body, zigzag(i64::from(k.day)));
            put_varint(&mut body, u64::from(k.measure));
            match n {
                None => body.push(0),
                Some(n) => {
                    body.push(1);
                    put_varint(&mut body, n.len() as u64);
                    body.extend_from_slice(n.as_bytes());
                }
            }
        }
        let mut out = MAGIC.to_vec();
        let mut z = flate2::write::DeflateEncoder::new(out.split_off(4), flate2::Compression::new(6));
        // Writing to a Vec cannot fail.
        let _ = z.write_all(&body);
        let compressed = z.finish().unwrap_or_default();
        out.extend_from_slice(&compressed);
        out
    }

    /// Reads [`ChangeSet::encode`]'s output back; checks every index, every length and that the
    /// rows are in order, so damaged bytes are an error, never a different change set.
    pub fn decode(bytes: &[u8]) -> Result<ChangeSet, CodecError> {
        let compressed = bytes.strip_prefix(MAGIC.as_slice()).ok_or(CodecError("unknown format"))?;
        let mut body = Vec::new();
        flate2::read::DeflateDecoder::new(compressed).take(MAX_BODY).read_to_end(&mut body).map_err(|_| CodecError("damaged compression"))?;
        let mut r = Reader { buf: &body, pos: 0 };
        let mut dicts: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        for dict in dicts.iter_mut() {
            let n = r.count(1)?;
            for _ in 0..n {
                let len = r.count(1)?;
                let s = std::str::from_utf8(r.bytes(len)?).map_err(|_| CodecError("name not UTF-8"))?.to_string();
                if dict.last().is_some_and(|last| *last >= s) {
                    return Err(CodecError("dictionary out of order"));
                }
                dict.push(s);
            }
        }
        let [regions, measures] = dicts;
        let n = r.count(4)?;
        let mut rows = Vec::with_capacity(n);
        let mut prev_key: Option<Key> = None;
        let mut at = Key { region: 0, day: 0, measure: 0 };
        let mut prev_values = vec![0i64; measures.len()];
        for _ in 0..n {
            let region = u64::from(at.region) + r.varint()?;
            let day = i64::from(at.day) + unzigzag(r.varint()?);
            let measure = r.varint()?;
            if region >= regions.len() as u64 || measure >= measures.len() as u64 {
                return Err(CodecError("index out of range"));
            }
            let day = i32::try_from(day).ok().filter(|d| date_of(*d).is_some()).ok_or(CodecError("date out of range"))?;
            let key = Key { region: region as u32, day, measure: measure as u32 };
            if key.region != at.region {
                prev_values.iter_mut().for_each(|v| *v = 0);
            }
            if prev_key.is_some_and(|p| p >= key) {
                return Err(CodecError("rows out of order"));
            }
            let tag = r.byte()?;
            let kind = match tag & 3 {
                0 => ChangeKind::Added,
                1 => ChangeKind::Changed,
                2 => ChangeKind::Removed,
                _ => return Err(CodecError("unknown change kind")),
            };
            let prev = &mut prev_values[key.measure as usize];
            let mut value = |t: u8| -> Result<Option<f64>, CodecError> {
                match t {
                    0 => Ok(None),
                    1 => {
                        let i = prev.checked_add(unzigzag(r.varint()?)).ok_or(CodecError("value out of range"))?;
                        *prev = i;
                        Ok(Some(i as f64))
                    }
                    2 => {
                        let b = r.bytes(8)?;
                        let mut a = [0u8; 8];
                        a.copy_from_slice(b);
                        Ok(Some(f64::from_bits(u64::from_le_bytes(a))))
                    }
                    _ => Err(CodecError("unknown value tag")),
                }
            };
            let old = value((tag >> 2) & 3)?;
            let new = value((tag >> 4) & 3)?;
            let shape_ok = match kind {
                ChangeKind::Added => old.is_none() && new.is_some(),
                ChangeKind::Changed => old.is_some() && new.is_some(),
                ChangeKind::Removed => old.is_some() && new.is_none(),
            };
            if !shape_ok || tag >> 6 != 0 {
                return Err(CodecError("change without its values"));
            }
            rows.push(Row { key, kind, old, new });
            prev_key = Some(key);
            at = key;
        }
        let n = r.count(4)?;
        let mut notes = Vec::with_capacity(n);
        let mut prev_note: Option<Key> = None;
        for _ in 0..n {
            let region = r.varint()?;
            let day = unzigzag(r.varint()?);
            let measure = r.varint()?;
            if region >= regions.len() as u64 || measure >= measures.len() as u64 {
                return Err(CodecError("index out of range"));
            }
            let day = i32::try_from(day).ok().filter(|d| date_of(*d).is_some()).ok_or(CodecError("date out of range"))?;
            let key = Key { region: region as u32, day, measure: measure as u32 };
            if prev_note.is_some_and(|p| p >= key) {
                return Err(CodecError("notes out of order"));
            }
            let note = match r.byte()? {
                0 => None,
                1 => {
                    let len = r.count(1)?;
                    Some(std::str::from_utf8(r.bytes(len)?).map_err(|_| CodecError("note not UTF-8"))?.to_string())
                }
                _ => return Err(CodecError("unknown note tag")),
            };
            notes.push((key, note));
            prev_note = Some(key);
        }
        if r.pos != body.len() {
            return Err(CodecError("trailing bytes"));
        }
        Ok(ChangeSet { regions, measures, rows, notes })
    }
}

/// 0 none, 1 a whole number (as a delta), 2 the raw bits (fractions, huge values, −0).
fn value_tag(v: Option<f64>) -> u8 {
    match v {
        None => 0,
        Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 && !(v == 0.0 && v.is_sign_negative()) => 1,
        Some(_) => 2,
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, CodecError> {
        let b = *self.buf.get(self.pos).ok_or(CodecError("truncated"))?;
        self.pos += 1;
        Ok(b)
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.buf.len()).ok_or(CodecError("truncated"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn varint(&mut self) -> Result<u64, CodecError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(CodecError("varint too long"))
    }

    /// A count of items each taking at least `min_bytes`: no more than the bytes left allow.
    fn count(&mut self, min_bytes: usize) -> Result<usize, CodecError> {
        let n = self.varint()?;
        let left = (self.buf.len() - self.pos) as u64;
        if n > left / min_bytes as u64 {
            return Err(CodecError("count beyond the data"));
        }
        Ok(n as usize)
    }
}

/// The values (and notes) of one release, replayed from change sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    regions: Vec<String>,
    measures: Vec<String>,
    cells: Vec<(Key, f64)>,
    notes: BTreeMap<Key, String>,
}

/// Merges a sorted dictionary with new names; returns it and, if it changed, the new index of
/// every old one.
fn union(dict: &[String], more: &[String]) -> (Vec<String>, Option<Vec<u32>>) {
    if more.iter().all(|s| index_of(dict, s).is_some()) {
        return (dict.to_vec(), None);
    }
    let all: Vec<String> = dict.iter().chain(more).cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let remap = dict.iter().map(|s| index_of(&all, s).unwrap_or(0)).collect();
    (all, Some(remap))
}

fn failure(regions: &[String], measures: &[String], what: &'static str, k: Key) -> ApplyError {
    ApplyError { what, region: regions[k.region as usize].clone(), date: date_at(k.day), measure: measures[k.measure as usize].clone() }
}

impl Snapshot {
    /// The snapshot holding exactly `observations` (the last of a key given twice counts).
    pub fn from_observations(observations: &[Observation]) -> Snapshot {
        // Applying "everything added" to the empty snapshot cannot fail.
        Snapshot::default().apply(&ChangeSet::between(&[], observations)).unwrap_or_default()
    }

    /// How many values the release has.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    fn find(&self, region: &str, date: NaiveDate, measure: &str) -> Option<Key> {
        Some(Key { region: index_of(&self.regions, region)?, day: day_of(date), measure: index_of(&self.measures, measure)? })
    }

    fn position(&self, key: Key) -> Result<usize, usize> {
        self.cells.binary_search_by_key(&key, |c| c.0)
    }

    /// One value, if the release has it.
    pub fn get(&self, region: &str, date: NaiveDate, measure: &str) -> Option<f64> {
        let key = self.find(region, date, measure)?;
        self.position(key).ok().map(|i| self.cells[i].1)
    }

    /// The range of cells of one region.
    fn region_range(&self, region: u32) -> std::ops::Range<usize> {
        let start = self.cells.partition_point(|c| c.0.region < region);
        let end = self.cells.partition_point(|c| c.0.region <= region);
        start..end
    }

    /// One measure of one region, by date.
    pub fn series(&self, region: &str, measure: &str) -> Vec<(NaiveDate, f64)> {
        let (Some(r), Some(m)) = (index_of(&self.regions, region), index_of(&self.measures, measure)) else {
            return Vec::new();
        };
        self.cells[self.region_range(r)].iter().filter(|c| c.0.measure == m).map(|c| (date_at(c.0.day), c.1)).collect()
    }

    fn observation(&self, key: Key, value: f64) -> Observation {
        Observation {
            region: self.regions[key.region as usize].clone(),
            date: date_at(key.day),
            measure: self.measures[key.measure as usize].clone(),
            value,
            note: self.notes.get(&key).cloned(),
        }
    }

    /// The observations of a region and everything under it (`31.71` matches `31.71` and
    /// `31.71.01.1001`, not `31.710`), between two dates (inclusive), of some measures (all when
    /// empty); every filter is optional. Sorted by region, date and measure.
    pub fn select(&self, region: Option<&str>, from: Option<NaiveDate>, until: Option<NaiveDate>, measures: &[String]) -> Vec<Observation> {
        let region_ok: Vec<bool> = self
            .regions
            .iter()
            .map(|r| match region {
                None => true,
                Some(p) => r == p || r.strip_prefix(p).is_some_and(|rest| rest.starts_with('.')),
            })
            .collect();
        let measure_ok: Vec<bool> = self.measures.iter().map(|m| measures.is_empty() || measures.contains(m)).collect();
        let (from, until) = (from.map(day_of).unwrap_or(i32::MIN), until.map(day_of).unwrap_or(i32::MAX));
        self.cells
            .iter()
            .filter(|(k, _)| region_ok[k.region as usize] && measure_ok[k.measure as usize] && k.day >= from && k.day <= until)
            .map(|(k, v)| self.observation(*k, *v))
            .collect()
    }

    /// Every observation, sorted by region, date and measure.
    pub fn observations(&self) -> Vec<Observation> {
        self.select(None, None, None, &[])
    }

    /// The next snapshot: this one with `set` applied. Every change is checked against what it
    /// replaces; a change set that does not fit (a value added twice, a changed or removed value
    /// whose old value differs) is an error.
    pub fn apply(&self, set: &ChangeSet) -> Result<Snapshot, ApplyError> {
        let (regions, region_remap) = union(&self.regions, &set.regions);
        let (measures, measure_remap) = union(&self.measures, &set.measures);
        let remap_key = |k: Key| Key {
            region: region_remap.as_ref().map_or(k.region, |m| m[k.region as usize]),
            day: k.day,
            measure: measure_remap.as_ref().map_or(k.measure, |m| m[k.measure as usize]),
        };
        let set_region: Vec<u32> = set.regions.iter().map(|s| index_of(&regions, s).unwrap_or(0)).collect();
        let set_measure: Vec<u32> = set.measures.iter().map(|s| index_of(&measures, s).unwrap_or(0)).collect();
        let set_key = |k: Key| Key { region: set_region[k.region as usize], day: k.day, measure: set_measure[k.measure as usize] };
        let fail = |what: &'static str, k: Key| failure(&regions, &measures, what, k);

        let mut cells: Vec<(Key, f64)> = Vec::with_capacity(self.cells.len() + set.rows.len());
        let mut notes: BTreeMap<Key, String> = self.notes.iter().map(|(k, n)| (remap_key(*k), n.clone())).collect();
        let mut old = self.cells.iter().map(|(k, v)| (remap_key(*k), *v)).peekable();
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || a == b;
        for row in &set.rows {
            let key = set_key(row.key);
            while let Some(&(k, v)) = old.peek() {
                if k >= key {
                    break;
                }
                cells.push((k, v));
                old.next();
            }
            let current = old.peek().filter(|(k, _)| *k == key).map(|(_, v)| *v);
            match (row.kind, current) {
                (ChangeKind::Added, None) => cells.push((key, row.new.unwrap_or_default())),
                (ChangeKind::Added, Some(_)) => return Err(fail("added value already present", key)),
                (ChangeKind::Changed, Some(v)) if row.old.is_some_and(|o| same(o, v)) => {
                    cells.push((key, row.new.unwrap_or_default()));
                    old.next();
                }
                (ChangeKind::Removed, Some(v)) if row.old.is_some_and(|o| same(o, v)) => {
                    notes.remove(&key);
                    old.next();
                }
                (_, None) => return Err(fail("changed or removed value absent", key)),
                (_, Some(_)) => return Err(fail("old value differs", key)),
            }
        }
        cells.extend(old);
        let mut next = Snapshot { regions: regions.clone(), measures: measures.clone(), cells, notes };
        for (k, n) in &set.notes {
            let key = set_key(*k);
            match n {
                Some(n) => {
                    if next.position(key).is_err() {
                        return Err(failure(&regions, &measures, "note on an absent value", key));
                    }
                    next.notes.insert(key, n.clone());
                }
                None => {
                    next.notes.remove(&key);
                }
            }
        }
        Ok(next)
    }

    /// What an upload changes when it is merged onto this release (see
    /// [`super::ingest::merge`]): the values it adds or revises and the notes it sets or
    /// clears. `ChangeSet::between(current, merge(current, upload))`, without building either.
    pub fn upload_changes(&self, upload: &[Observation]) -> ChangeSet {
        let mut b = Builder::default();
        for o in upload {
            let key = self.find(&o.region, o.date, &o.measure);
            let current = key.and_then(|k| self.position(k).ok().map(|i| self.cells[i].1));
            match current {
                None => b.rows.push((&o.region, o.date, &o.measure, ChangeKind::Added, None, Some(o.value))),
                Some(v) if v != o.value => b.rows.push((&o.region, o.date, &o.measure, ChangeKind::Changed, Some(v), Some(o.value))),
                Some(_) => {}
            }
            let current_note = key.and_then(|k| self.notes.get(&k)).map(String::as_str);
            if current_note != o.note.as_deref() {
                b.notes.push((&o.region, o.date, &o.measure, o.note.clone()));
            }
        }
        b.build()
    }

    /// [`super::diff::release_digest`] of this release's observations.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        let mut dates: HashMap<i32, String> = HashMap::new();
        let mut line = String::with_capacity(1 << 16);
        for (k, v) in &self.cells {
            let date = dates.entry(k.day).or_insert_with(|| date_at(k.day).to_string());
            line.push_str(&self.regions[k.region as usize]);
            line.push(',');
            line.push_str(date);
            line.push(',');
            line.push_str(&self.measures[k.measure as usize]);
            line.push(',');
            if value_tag(Some(*v)) == 1 {
                let _ = write!(line, "{}", *v as i64);
            } else {
                let _ = write!(line, "{v}");
            }
            line.push('\n');
            if line.len() > (1 << 16) - 256 {
                hasher.update(line.as_bytes());
                line.clear();
            }
        }
        hasher.update(line.as_bytes());
        hex::encode(hasher.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::super::diff::{diff, release_digest};
    use super::super::ingest::merge;
    use super::super::test_support::*;
    use super::*;

    fn obs(region: &str, date: &str, measure: &str, value: f64) -> Observation {
        Observation::new(region, d(date), measure, value)
    }

    fn noted(mut o: Observation, n: &str) -> Observation {
        o.note = Some(n.into());
        o
    }

    fn sample() -> (Vec<Observation>, Vec<Observation>) {
        let prev = vec![
            obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0),
            noted(obs("31.71.01.1001", "2021-07-01", "deaths", 2.0), "catatan lama"),
            obs("31.71.01.1002", "2021-07-01", "confirmed", 40.0),
            obs("31.71.01.1002", "2021-07-01", "deaths", 1.0),
            obs("31.71.01.1002", "2021-07-02", "positivity", 12.5),
        ];
        let next = vec![
            noted(obs("31.71.01.1001", "2021-07-01", "confirmed", 97.0), "koreksi puskesmas"),
            obs("31.71.01.1001", "2021-07-01", "deaths", 2.0),
            obs("31.71.01.1001", "2021-07-02", "confirmed", 104.0),
            obs("31.71.01.1002", "2021-07-01", "confirmed", 40.0),
            obs("31.71.01.1002", "2021-07-02", "positivity", -0.0),
            obs("31", "2021-07-02", "evacuees", 1e300),
            obs("31.72.01.1001", "1999-12-31", "confirmed", -5.0),
        ];
        (prev, next)
    }

    #[test]
    fn round_trip_and_replay_give_the_release_back() {
        let (prev, next) = sample();
        let first = ChangeSet::between(&[], &prev);
        let second = ChangeSet::between(&prev, &next);
        assert_eq!(second.changes(), diff(&prev, &next), "the change set holds the domain's diff");
        assert_eq!(second.summary(), super::super::diff::summarize(&diff(&prev, &next)));
        for set in [&first, &second, &ChangeSet::default()] {
            let bytes = set.encode();
            assert_eq!(&ChangeSet::decode(&bytes).unwrap(), set);
        }
        // Notes: one set (a new value keeps its note), one cleared, one set on a changed value.
        let notes = second.notes();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].note.as_deref(), Some("koreksi puskesmas"));
        assert_eq!((notes[1].measure.as_str(), notes[1].note.as_deref()), ("deaths", None));

        let s1 = Snapshot::default().apply(&ChangeSet::decode(&first.encode()).unwrap()).unwrap();
        assert_eq!(s1.observations(), merge(&[], &prev));
        assert_eq!(s1.digest(), release_digest(&prev));
        let s2 = s1.apply(&ChangeSet::decode(&second.encode()).unwrap()).unwrap();
        let mut want = next.clone();
        want.sort_by(|a, b| (&a.region, a.date, &a.measure).cmp(&(&b.region, b.date, &b.measure)));
        assert_eq!(s2.observations(), want, "values, notes and new regions replayed");
        assert_eq!(s2.digest(), release_digest(&next), "−0, 1e300 and fractions keep their digest");
        assert_eq!(s2.get("31.71.01.1001", d("2021-07-01"), "confirmed"), Some(97.0));
        assert_eq!(s2.get("31.71.01.1002", d("2021-07-01"), "deaths"), None);
        assert_eq!(s2.series("31.71.01.1001", "confirmed"), vec![(d("2021-07-01"), 97.0), (d("2021-07-02"), 104.0)]);
        assert_eq!(Snapshot::default().digest(), release_digest(&[]));
    }

    #[test]
    fn a_change_set_that_does_not_fit_is_refused() {
        let (prev, next) = sample();
        let second = ChangeSet::between(&prev, &next);
        // Applied to the wrong base: the old values do not match.
        let err = Snapshot::default().apply(&second).unwrap_err();
        assert_eq!(err.what, "changed or removed value absent");
        let s1 = Snapshot::from_observations(&prev);
        let twice = s1.apply(&ChangeSet::between(&[], &prev)).unwrap_err();
        assert_eq!(twice.what, "added value already present");
        let mut other = prev.clone();
        other[0].value = 99.0;
        assert_eq!(Snapshot::from_observations(&other).apply(&second).unwrap_err().what, "old value differs");
    }

    #[test]
    fn upload_changes_equal_the_diff_of_the_merge() {
        let (prev, _) = sample();
        let upload = vec![
            obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0),
            noted(obs("31.71.01.1001", "2021-07-01", "deaths", 3.0), "revisi"),
            obs("31.71.01.1002", "2021-07-03", "confirmed", 44.0),
            obs("31.73.01.1001", "2021-07-03", "aaa", 1.0),
        ];
        let s = Snapshot::from_observations(&prev);
        let set = s.upload_changes(&upload);
        let merged = merge(&prev, &upload);
        assert_eq!(set, ChangeSet::between(&prev, &merged));
        let next = s.apply(&set).unwrap();
        assert_eq!(next.observations(), merged);
        assert_eq!(next.digest(), release_digest(&merged));
        assert!(s.upload_changes(&prev).is_empty());
    }

    #[test]
    fn select_filters_like_the_store_did() {
        let mut v = Vec::new();
        for region in ["31", "31.71", "31.71.01.1001", "31.710"] {
            for day in ["2021-07-01", "2021-07-02"] {
                v.push(obs(region, day, "confirmed", 1.0));
                v.push(obs(region, day, "deaths", 1.0));
            }
        }
        let s = Snapshot::from_observations(&v);
        let got = s.select(Some("31.71"), None, None, &[]);
        assert_eq!(got.len(), 8);
        assert!(got.iter().all(|o| o.region == "31.71" || o.region == "31.71.01.1001"));
        assert!(s.select(Some("31.7"), None, None, &[]).is_empty());
        let got = s.select(None, Some(d("2021-07-02")), Some(d("2021-07-02")), &["deaths".to_string()]);
        assert_eq!(got.len(), 4);
        assert_eq!(s.select(None, None, None, &[]), merge(&[], &v));
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let (prev, next) = sample();
        let bytes = ChangeSet::between(&prev, &next).encode();
        assert!(ChangeSet::decode(b"").is_err());
        assert!(ChangeSet::decode(b"XXXX").is_err());
        assert!(ChangeSet::decode(&bytes[..bytes.len() - 3]).is_err());
        // Every truncation and many single-byte corruptions either fail or decode to something
        // (never panic).
        for cut in 0..bytes.len() {
            let _ = ChangeSet::decode(&bytes[..cut]);
        }
        for i in 4..bytes.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= flip;
                let _ = ChangeSet::decode(&b);
            }
        }
        // A body that deflates fine but says nonsense.
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&[1, 200, 1, b'x']).unwrap();
        let mut bad = MAGIC.to_vec();
        bad.extend(z.finish().unwrap());
        assert!(ChangeSet::decode(&bad).is_err());
    }

    #[test]
    fn a_long_series_is_small() {
        // 267 regions × 100 days × 13 measures (the demo has 730 days: see the app benchmarks).
        let mut v = Vec::new();
        let start = d("2020-03-01");
        for r in 0..267 {
            for day in 0..100i64 {
                for m in 0..13 {
                    v.push(Observation::new(
                        &format!("31.71.{r:02}.1001"),
                        start + chrono::Duration::days(day),
                        &format!("m{m:02}"),
                        (day * (m + 1) + r) as f64,
                    ));
                }
            }
        }
        let set = ChangeSet::between(&[], &v);
        let bytes = set.encode();
        assert!(bytes.len() < v.len() / 2, "{} bytes for {} values", bytes.len(), v.len());
        let back = ChangeSet::decode(&bytes).unwrap();
        let s = Snapshot::default().apply(&back).unwrap();
        assert_eq!(s.len(), v.len());
        assert_eq!(s.digest(), release_digest(&v));
    }
}
