//! Checking an upload of crisis data, whole.
//!
//! An upload is a table: a header row naming the columns, then one row per region and date. The
//! columns are `region` (or `kode_wilayah`: the Kemendagri code), `date` (or `tanggal`:
//! `YYYY-MM-DD`), optionally `note` (or `catatan`: a correction note), and one column per
//! measure of the definition, in any order. An empty cell is a value not reported (missing), not
//! zero. CSV files are split into cells by the caller (`terbuka-files`); JSON arrays of objects
//! become a table with [`records_to_rows`].
//!
//! [`validate_rows`] reports every problem by line (the header is line 1), column and message
//! code (`err.crisis_*`, translated by the app), and accepts the upload only if there is none:
//! all or nothing. Numbers are plain (`1234`, `12.5`, `-3`): no thousands separators, since
//! `1.234` means 1234 in Indonesian and 1.234 in English; a count written `1.234` is refused as
//! not whole rather than guessed.

use super::codec::Snapshot;
use super::definition::{Definition, Grain, MeasureKind, Temporal};
use super::Observation;
use crate::region::{RegionLevel, Regions};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A problem in one row of an upload (1-based line numbers, header = line 1). Problems name the
/// column, never quote the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: usize,
    /// The column's name as the definition knows it (`region`, `date`, `note`, a measure id), or
    /// the header text of an unknown column; empty for the row as a whole.
    pub column: String,
    pub code: &'static str,
}

/// Every message code [`validate_rows`] reports, for the app's translation catalogs.
pub const PROBLEM_CODES: &[&str] = &[
    "err.crisis_computed_column",
    "err.crisis_unknown_column",
    "err.crisis_duplicate_column",
    "err.crisis_missing_column",
    "err.crisis_no_measure_column",
    "err.crisis_empty",
    "err.crisis_too_many_rows",
    "err.crisis_extra_cells",
    "err.crisis_unnamed_column",
    "err.required",
    "err.crisis_region_unknown",
    "err.crisis_region_level",
    "err.crisis_week_start",
    "err.crisis_date",
    "err.too_long",
    "err.control_chars",
    "err.crisis_duplicate_row",
    "err.crisis_number",
    "err.crisis_not_whole",
    "err.crisis_negative",
    "err.crisis_below_min",
    "err.crisis_above_max",
    "err.crisis_cumulative_decrease",
];

/// The most data rows one upload may have (267 kelurahan × 10 years of days is under a million).
pub const MAX_ROWS: usize = 1_000_000;

/// The longest correction note, in characters.
pub const MAX_NOTE: usize = 500;

/// What a header cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Region,
    Date,
    Note,
    Measure(usize),
    /// Unnamed (an empty header cell, as spreadsheets leave at the end): ignored if its cells are.
    Blank,
    /// Refused: already reported on the header line.
    Refused,
}

/// The region level of a code, from the hierarchy (for [`validate_rows`]).
pub fn levels_of(regions: &Regions) -> impl Fn(&str) -> Option<RegionLevel> + '_ {
    |code| regions.get(code).map(|r| r.level)
}

/// Reads a number written plainly: optional `-`, digits, optional `.` and digits.
pub fn parse_number(s: &str) -> Option<f64> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    s.parse().ok()
}

/// Turns records (a JSON array of objects, each a list of `(key, value)` pairs with numbers
/// already written as text) into a header and rows: the header is every key in order of first
/// appearance, and a key a record lacks is an empty cell.
pub fn records_to_rows(records: &[Vec<(String, String)>]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = Vec::new();
    for r in records {
        for (k, _) in r {
            if !header.contains(k) {
                header.push(k.clone());
            }
        }
    }
    let rows = records.iter().map(|r| header.iter().map(|h| r.iter().find(|(k, _)| k == h).map(|(_, v)| v.clone()).unwrap_or_default()).collect()).collect();
    (header, rows)
}

/// Checks an upload against the definition; see the module documentation. `region_level`
/// gives the level of a known region code ([`levels_of`] for a [`Regions`]).
pub fn validate_rows(
    def: &Definition,
    region_level: impl Fn(&str) -> Option<RegionLevel>,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<Observation>, Vec<RowProblem>> {
    validate_rows_after(def, region_level, header, rows, &[])
}

/// [`validate_rows`] for an upload that extends `earlier` (the current release): a cumulative
/// value must also not go below the value `earlier` has for the date before it, and a value of
/// `earlier` must not go below one uploaded for the date before it.
pub fn validate_rows_after(
    def: &Definition,
    region_level: impl Fn(&str) -> Option<RegionLevel>,
    header: &[String],
    rows: &[Vec<String>],
    earlier: &[Observation],
) -> Result<Vec<Observation>, Vec<RowProblem>> {
    let mut runs: HashMap<(&str, &str), Vec<(NaiveDate, f64)>> = HashMap::new();
    for o in earlier {
        runs.entry((&o.region, &o.measure)).or_default().push((o.date, o.value));
    }
    validate(def, region_level, header, rows, &|region: &str, measure: &str| runs.get(&(region, measure)).cloned().unwrap_or_default())
}

/// [`validate_rows_after`] for an upload that extends the release `earlier` holds (as replayed
/// from the store), without turning it into observations.
pub fn validate_rows_against(
    def: &Definition,
    region_level: impl Fn(&str) -> Option<RegionLevel>,
    header: &[String],
    rows: &[Vec<String>],
    earlier: &Snapshot,
) -> Result<Vec<Observation>, Vec<RowProblem>> {
    validate(def, region_level, header, rows, &|region: &str, measure: &str| earlier.series(region, measure))
}

/// The earlier values of one region's measure, by date.
type EarlierRun<'a> = &'a dyn Fn(&str, &str) -> Vec<(NaiveDate, f64)>;

fn validate(
    def: &Definition,
    region_level: impl Fn(&str) -> Option<RegionLevel>,
    header: &[String],
    rows: &[Vec<String>],
    earlier: EarlierRun<'_>,
) -> Result<Vec<Observation>, Vec<RowProblem>> {
    // (line, column position, problem): sorted at the end so problems read top to bottom.
    let mut problems: Vec<(usize, usize, RowProblem)> = Vec::new();
    let mut report = |line: usize, pos: usize, column: &str, code: &'static str| {
        problems.push((line, pos, RowProblem { line, column: column.to_string(), code }));
    };

    // The header.
    let mut cols = Vec::with_capacity(header.len());
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (pos, h) in header.iter().enumerate() {
        // Header texts are echoed in problems: at most 64 characters of them.
        let name: String = h.trim().trim_start_matches('\u{feff}').trim().to_lowercase().chars().take(64).collect();
        let col = match name.as_str() {
            "" => Col::Blank,
            "region" | "kode_wilayah" => Col::Region,
            "date" | "tanggal" => Col::Date,
            "note" | "catatan" => Col::Note,
            _ => match def.measures.iter().position(|m| m.id == name) {
                Some(i) => Col::Measure(i),
                None if def.derived(&name).is_some() || def.indicator(&name).is_some() => {
                    report(1, pos, &name, "err.crisis_computed_column");
                    Col::Refused
                }
                None => {
                    report(1, pos, &name, "err.crisis_unknown_column");
                    Col::Refused
                }
            },
        };
        let canonical = match col {
            Col::Region => "region".to_string(),
            Col::Date => "date".to_string(),
            Col::Note => "note".to_string(),
            Col::Measure(i) => def.measures[i].id.clone(),
            _ => name.clone(),
        };
        let col = if matches!(col, Col::Region | Col::Date | Col::Note | Col::Measure(_)) && !taken.insert(canonical.clone()) {
            report(1, pos, &canonical, "err.crisis_duplicate_column");
            Col::Refused
        } else {
            col
        };
        cols.push(col);
    }
    let find = |c: Col| cols.iter().position(|x| *x == c);
    let (region_col, date_col, note_col) = (find(Col::Region), find(Col::Date), find(Col::Note));
    if region_col.is_none() {
        report(1, usize::MAX, "region", "err.crisis_missing_column");
    }
    if date_col.is_none() {
        report(1, usize::MAX, "date", "err.crisis_missing_column");
    }
    if !cols.iter().any(|c| matches!(c, Col::Measure(_))) {
        report(1, usize::MAX, "", "err.crisis_no_measure_column");
    }
    let data: Vec<(usize, &Vec<String>)> = rows.iter().enumerate().map(|(i, r)| (i + 2, r)).filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty())).collect();
    if data.is_empty() {
        report(2, 0, "", "err.crisis_empty");
    }
    if data.len() > MAX_ROWS {
        report(MAX_ROWS + 2, 0, "", "err.crisis_too_many_rows");
    }
    let (Some(region_col), Some(date_col)) = (region_col, date_col) else {
        return Err(finish(problems));
    };
    if data.len() > MAX_ROWS {
        return Err(finish(problems));
    }

    // The rows. Values are kept with their line for the cumulative check.
    struct Value {
        line: usize,
        pos: usize,
        noted: bool,
    }
    let mut values: Vec<(Observation, Value)> = Vec::new();
    let mut seen_rows: HashMap<(String, NaiveDate), usize> = HashMap::new();
    for (line, row) in data {
        let cell = |pos: usize| row.get(pos).map(|s| s.trim()).unwrap_or("");
        if row.len() > header.len() && row[header.len()..].iter().any(|c| !c.trim().is_empty()) {
            report(line, header.len(), "", "err.crisis_extra_cells");
        }
        for (pos, col) in cols.iter().enumerate() {
            if *col == Col::Blank && !cell(pos).is_empty() {
                report(line, pos, "", "err.crisis_unnamed_column");
            }
        }
        let mut row_ok = true;
        let code = cell(region_col);
        if code.is_empty() {
            report(line, region_col, "region", "err.required");
            row_ok = false;
        } else {
            match region_level(code) {
                None => {
                    report(line, region_col, "region", "err.crisis_region_unknown");
                    row_ok = false;
                }
                Some(level) if !def.accepts_level(level) => {
                    report(line, region_col, "region", "err.crisis_region_level");
                    row_ok = false;
                }
                Some(_) => {}
            }
        }
        let raw_date = cell(date_col);
        let date = if raw_date.is_empty() {
            report(line, date_col, "date", "err.required");
            None
        } else {
            match NaiveDate::parse_from_str(raw_date, "%Y-%m-%d") {
                Ok(d) if raw_date.len() == 10 => {
                    if def.grain == Grain::Week && d.weekday() != Weekday::Mon {
                        report(line, date_col, "date", "err.crisis_week_start");
                        None
                    } else {
                        Some(d)
                    }
                }
                _ => {
                    report(line, date_col, "date", "err.crisis_date");
                    None
                }
            }
        };
        let note = note_col.map(cell).filter(|n| !n.is_empty());
        if let (Some(pos), Some(n)) = (note_col, note) {
            if n.chars().count() > MAX_NOTE || n.chars().any(|c| c.is_control()) {
                report(line, pos, "note", if n.chars().count() > MAX_NOTE { "err.too_long" } else { "err.control_chars" });
            }
        }
        if let (true, Some(date)) = (row_ok, date) {
            if seen_rows.insert((code.to_string(), date), line).is_some() {
                report(line, date_col, "date", "err.crisis_duplicate_row");
                continue;
            }
        }
        for (pos, col) in cols.iter().enumerate() {
            let Col::Measure(i) = *col else { continue };
            let m = &def.measures[i];
            let raw = cell(pos);
            if raw.is_empty() {
                continue;
            }
            let Some(v) = parse_number(raw) else {
                report(line, pos, &m.id, "err.crisis_number");
                continue;
            };
            let whole = matches!(m.kind, MeasureKind::Count | MeasureKind::Ordinal);
            let problem = if whole && v.fract() != 0.0 {
                Some("err.crisis_not_whole")
            } else if m.kind == MeasureKind::Count && v < 0.0 {
                Some("err.crisis_negative")
            } else if m.min.is_some_and(|min| v < min) {
                Some("err.crisis_below_min")
            } else if m.max.is_some_and(|max| v > max) {
                Some("err.crisis_above_max")
            } else {
                None
            };
            match problem {
                Some(problem) => report(line, pos, &m.id, problem),
                None => {
                    if let (true, Some(date)) = (row_ok, date) {
                        let o = Observation { region: code.to_string(), date, measure: m.id.clone(), value: v, note: note.map(str::to_string) };
                        values.push((o, Value { line, pos, noted: note.is_some() }));
                    }
                }
            }
        }
    }

    // Cumulative measures must not go down from one reported date to the next, unless the row
    // that makes them go down carries a correction note.
    type Point = (f64, Option<(usize, usize, bool)>);
    let mut runs: BTreeMap<(&str, &str), BTreeMap<NaiveDate, Point>> = BTreeMap::new();
    let cumulative = |id: &str| def.measure(id).is_some_and(|m| m.temporal == Temporal::Cumulative);
    let touched: BTreeSet<(&str, &str)> = values.iter().filter(|(o, _)| cumulative(&o.measure)).map(|(o, _)| (o.region.as_str(), o.measure.as_str())).collect();
    for (region, measure) in touched {
        let run = runs.entry((region, measure)).or_default();
        for (date, value) in earlier(region, measure) {
            run.insert(date, (value, None));
        }
    }
    for (o, v) in values.iter().filter(|(o, _)| cumulative(&o.measure)) {
        runs.entry((&o.region, &o.measure)).or_default().insert(o.date, (o.value, Some((v.line, v.pos, v.noted))));
    }
    for ((_, measure), run) in &runs {
        let points: Vec<&Point> = run.values().collect();
        for pair in points.windows(2) {
            let (&(before, prev), &(after, cur)) = (pair[0], pair[1]);
            if after >= before {
                continue;
            }
            // The uploaded row is to blame: the later one if it was uploaded, else the earlier.
            if let Some((line, pos, noted)) = cur.or(prev) {
                if !noted {
                    report(line, pos, measure, "err.crisis_cumulative_decrease");
                }
            }
        }
    }

    if !problems.is_empty() {
        return Err(finish(problems));
    }
    let mut out: Vec<Observation> = values.into_iter().map(|(o, _)| o).collect();
    out.sort_by(|a, b| (&a.region, a.date, &a.measure).cmp(&(&b.region, b.date, &b.measure)));
    Ok(out)
}

fn finish(mut problems: Vec<(usize, usize, RowProblem)>) -> Vec<RowProblem> {
    problems.sort_by_key(|(line, pos, _)| (*line, *pos));
    problems.dedup_by(|a, b| a.2 == b.2);
    problems.into_iter().map(|(_, _, p)| p).collect()
}

/// One region's population, from a population upload ([`validate_populations`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Population {
    pub region: String,
    pub population: u64,
    pub year: i32,
    pub source: String,
}

/// Every message code [`validate_populations`] reports (besides those it shares with
/// [`validate_rows`]).
pub const POPULATION_PROBLEM_CODES: &[&str] = &["err.crisis_population", "err.crisis_year", "err.crisis_duplicate_region"];

/// The largest population one region may have.
pub const MAX_POPULATION: u64 = 1_000_000_000;

/// The longest population source, in characters.
pub const MAX_SOURCE: usize = 300;

/// Checks a population upload whole: columns `region` (or `kode_wilayah`), `population` (or
/// `penduduk`), `year` (or `tahun`) and `source` (or `sumber`), one row per region. Every problem
/// is reported by line and column (unknown region, a population that is not a positive whole
/// number, a year outside 1900–2100, a region given twice, an empty source); any problem refuses
/// the whole upload. `known` says whether a region code exists.
pub fn validate_populations(known: impl Fn(&str) -> bool, header: &[String], rows: &[Vec<String>]) -> Result<Vec<Population>, Vec<RowProblem>> {
    let mut problems: Vec<(usize, usize, RowProblem)> = Vec::new();
    let mut report = |line: usize, pos: usize, column: &str, code: &'static str| {
        problems.push((line, pos, RowProblem { line, column: column.to_string(), code }));
    };
    const COLUMNS: [&str; 4] = ["region", "population", "year", "source"];
    let mut at: [Option<usize>; 4] = [None; 4];
    let mut blank = Vec::new();
    for (pos, h) in header.iter().enumerate() {
        let name: String = h.trim().trim_start_matches('\u{feff}').trim().to_lowercase().chars().take(64).collect();
        let which = match name.as_str() {
            "" => {
                blank.push(pos);
                continue;
            }
            "region" | "kode_wilayah" => 0,
            "population" | "penduduk" | "jumlah_penduduk" => 1,
            "year" | "tahun" => 2,
            "source" | "sumber" => 3,
            _ => {
                report(1, pos, &name, "err.crisis_unknown_column");
                continue;
            }
        };
        if at[which].is_some() {
            report(1, pos, COLUMNS[which], "err.crisis_duplicate_column");
        } else {
            at[which] = Some(pos);
        }
    }
    for (which, name) in COLUMNS.iter().enumerate() {
        if at[which].is_none() {
            report(1, usize::MAX, name, "err.crisis_missing_column");
        }
    }
    let data: Vec<(usize, &Vec<String>)> = rows.iter().enumerate().map(|(i, r)| (i + 2, r)).filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty())).collect();
    if data.is_empty() {
        report(2, 0, "", "err.crisis_empty");
    }
    let [Some(rc), Some(pc), Some(yc), Some(sc)] = at else {
        return Err(finish(problems));
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(data.len());
    for (line, row) in data {
        let cell = |pos: usize| row.get(pos).map(|s| s.trim()).unwrap_or("");
        if row.len() > header.len() && row[header.len()..].iter().any(|c| !c.trim().is_empty()) {
            report(line, header.len(), "", "err.crisis_extra_cells");
        }
        for &pos in &blank {
            if !cell(pos).is_empty() {
                report(line, pos, "", "err.crisis_unnamed_column");
            }
        }
        let region = cell(rc);
        let region_ok = if region.is_empty() {
            report(line, rc, "region", "err.required");
            false
        } else if !known(region) {
            report(line, rc, "region", "err.crisis_region_unknown");
            false
        } else if seen.insert(region.to_string(), line).is_some() {
            report(line, rc, "region", "err.crisis_duplicate_region");
            false
        } else {
            true
        };
        let raw = cell(pc);
        let population = if raw.is_empty() {
            report(line, pc, "population", "err.required");
            None
        } else {
            match raw.parse::<u64>() {
                Ok(n) if raw.bytes().all(|b| b.is_ascii_digit()) && (1..=MAX_POPULATION).contains(&n) => Some(n),
                _ => {
                    report(line, pc, "population", "err.crisis_population");
                    None
                }
            }
        };
        let raw = cell(yc);
        let year = if raw.is_empty() {
            report(line, yc, "year", "err.required");
            None
        } else {
            match raw.parse::<i32>() {
                Ok(y) if raw.bytes().all(|b| b.is_ascii_digit()) && (1900..=2100).contains(&y) => Some(y),
                _ => {
                    report(line, yc, "year", "err.crisis_year");
                    None
                }
            }
        };
        let source = cell(sc);
        let source_ok = if source.is_empty() {
            report(line, sc, "source", "err.required");
            false
        } else if source.chars().count() > MAX_SOURCE {
            report(line, sc, "source", "err.too_long");
            false
        } else if source.chars().any(char::is_control) {
            report(line, sc, "source", "err.control_chars");
            false
        } else {
            true
        };
        if let (true, Some(population), Some(year), true) = (region_ok, population, year, source_ok) {
            out.push(Population { region: region.to_string(), population, year, source: source.to_string() });
        }
    }
    if !problems.is_empty() {
        return Err(finish(problems));
    }
    out.sort_by(|a, b| a.region.cmp(&b.region));
    Ok(out)
}

/// The next release when an upload adds to the current one: the uploaded values replace those
/// of the same region, date and measure, everything else is kept. (An upload that replaces the
/// whole dataset is itself the next release.) Sorted like [`validate_rows`]' output.
pub fn merge(current: &[Observation], upload: &[Observation]) -> Vec<Observation> {
    let mut all: BTreeMap<(String, NaiveDate, String), Observation> = BTreeMap::new();
    for o in current.iter().chain(upload) {
        all.insert((o.region.clone(), o.date, o.measure.clone()), o.clone());
    }
    all.into_values().collect()
}

#[cfg(test)]
mod tests;
