//! Case line lists: one row per case, turned into kelurahan × day figures without keeping a row.
//!
//! A health office exports its case line list as CSV. [`aggregate`] checks every row and counts
//! the cases per kelurahan, day and status; [`LineListAggregate::to_observations`] turns the
//! counts into the Covid-19 definition's measures at kelurahan level. **The line list itself is
//! never stored**: this module only reads the bytes it is given, keeps no row, no age and no sex,
//! and returns counts. The caller should drop the bytes once it has the aggregate, or better, feed
//! the file in pieces to a [`LineListReader`], which holds only the unfinished last line of a
//! piece and the counts, so a large upload never sits in memory whole.
//!
//! # The file
//!
//! UTF-8 CSV (a byte-order mark is tolerated), comma-separated, line ends `\n` or `\r\n`. The
//! first line is the header; columns are found by name (trimmed, case-insensitive), in any order;
//! columns with other names are ignored (but every row must have as many fields as the header).
//!
//! | column | required | value |
//! |---|---|---|
//! | `tanggal` | yes | date of confirmation, `YYYY-MM-DD`, years 2000–2099 |
//! | `kelurahan` | yes | Kemendagri kelurahan code, dotted (`31.71.01.1001`); only kelurahan-level codes |
//! | `status` | yes | `dirawat`, `isolasi_mandiri`, `sembuh` or `meninggal` (case-insensitive) |
//! | `umur` | no | age in whole years, `0`–`120`, or empty |
//! | `jenis_kelamin` | no | `L`, `P` or empty |
//!
//! Fields may be quoted as in RFC 4180 (`"31.71.01.1001"`, `""` for a quote inside a quoted
//! field). Spaces and tabs around a value are ignored. Blank lines are skipped. **A field may not
//! contain a line break**, quoted or not: no field of this shape needs one, and it lets the file
//! be cut at any line end and read in parallel. A quoted field still open at the end of its line
//! is reported as `err.linelist_quote`.
//!
//! # Checks
//!
//! Every row is checked; every problem is reported by line (the header is line 1), column and
//! reason code (`err.*`, see [`PROBLEM_CODES`]), never by quoting the value. The list of problems
//! is capped ([`Options::max_problems`]) but [`LineListErrors::total`] counts them all. A file with
//! any problem yields nothing (all or nothing).
//!
//! # What the figures mean
//!
//! The line list carries one date per case: the date of confirmation. A case's status is its
//! status when the list was exported. So, per kelurahan and day *d* from the first to the last
//! date of the list:
//!
//! - `confirmed` is the number of cases confirmed on or before *d* (a running total from zero:
//!   the list is taken to be a full export since records began);
//! - `recovered` and `deaths` are the number of those cases whose status at export is `sembuh` or
//!   `meninggal`. They are dated by **confirmation**, since the list has no date of recovery or
//!   death: a later export can raise the figure of an earlier day. This is said here and should be
//!   said wherever the figures are shown.
//!
//! Every kelurahan of the scope (every kelurahan of the hierarchy, or of [`Options::within`]) is
//! present on every day: the line list is the complete list of cases of its area, so a kelurahan
//! with no case on a day has the same cumulative figure as the day before, and one with no case
//! at all has zero. Restrict the scope with [`Options::within`] when the list covers less than the
//! hierarchy. With [`Options::as_of`] (the export date) the series run to that date, rows after it
//! are refused, and the snapshot measures `in_treatment` and `self_isolation` are given for that
//! one day (the statuses are true on the export date, not before).
//!
//! # Speed and memory
//!
//! The bytes are parsed in place (no allocation per row; fields found 8 bytes at a time, with a
//! fast path for a date or code of the usual width), kelurahan codes are looked up in an
//! open-addressing table keyed by the code's bytes, dates become day numbers through a table of
//! month starts, and counts go into dense arrays `[day][kelurahan][status]` of `u32`, allocated
//! 64 days at a time as rows need them and incremented in batches. Each piece is cut at line ends
//! into chunks read by `std::thread::scope` threads (`available_parallelism` by default), each
//! with its own arrays, merged at the end; line numbers are made global by counting the lines of
//! each chunk. The arrays take 16 bytes per kelurahan and day per thread (3 MB for Jakarta's 267
//! kelurahan over two years); for a national hierarchy (some 84 000 kelurahan and desa), restrict
//! the scope with [`Options::within`] to the province the list is about.

use super::Observation;
use crate::region::{RegionLevel, Regions};
use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The statuses of a case, in the order of [`DayCounts`] and of the count arrays.
pub const STATUSES: [&str; 4] = ["dirawat", "isolasi_mandiri", "sembuh", "meninggal"];

/// Every reason code [`aggregate`] reports, for the app's translation catalogs.
pub const PROBLEM_CODES: &[&str] = &[
    "err.linelist_empty",
    "err.linelist_missing_column",
    "err.linelist_duplicate_column",
    "err.linelist_quote",
    "err.linelist_field_count",
    "err.required",
    "err.linelist_date",
    "err.linelist_date_range",
    "err.linelist_date_future",
    "err.linelist_date_span",
    "err.linelist_region_unknown",
    "err.linelist_region_level",
    "err.linelist_region_scope",
    "err.linelist_status",
    "err.linelist_age",
    "err.linelist_sex",
];

/// The oldest age accepted.
pub const MAX_AGE: u32 = 120;

/// The most threads [`aggregate`] starts, whatever [`Options::threads`] says.
pub const MAX_THREADS: usize = 256;

/// Dates are accepted from this year...
const FIRST_YEAR: i32 = 2000;
/// ...to the end of this one.
const LAST_YEAR: i32 = 2099;
/// Days from 2000-01-01 to 2099-12-31, plus one.
const DAY_RANGE: usize = 36_525;
/// Days per block of a per-thread count array (blocks are allocated when a row needs them).
const BLOCK_DAYS: usize = 64;

/// How [`aggregate`] runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Threads to use; 0 means `std::thread::available_parallelism`. At most [`MAX_THREADS`].
    pub threads: usize,
    /// Size in bytes of the chunks the threads take (each ends at a line end); 0 cuts what one
    /// push brings into four chunks per thread (at least 256 KiB each). Small values are for tests.
    pub chunk_bytes: usize,
    /// How many problems to list (all are counted).
    pub max_problems: usize,
    /// Only kelurahan inside this region (a Kemendagri code of any level) are accepted, and the
    /// observations cover every kelurahan inside it. `None`: every kelurahan of the hierarchy.
    pub within: Option<String>,
    /// The export date: rows dated after it are refused, and the series run to it.
    pub as_of: Option<NaiveDate>,
    /// The most days from the first to the last date (inclusive).
    pub max_days: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options { threads: 0, chunk_bytes: 0, max_problems: 1000, within: None, as_of: None, max_days: 3660 }
    }
}

/// One problem: line (header = 1), column (`tanggal`, `kelurahan`, `status`, `umur`,
/// `jenis_kelamin`; empty for the row as a whole) and reason code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineListProblem {
    pub line: u64,
    pub column: &'static str,
    pub code: &'static str,
}

/// Why a line list was refused: the first problems, in file order, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineListErrors {
    pub problems: Vec<LineListProblem>,
    pub total: u64,
}

impl fmt::Display for LineListErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} problem(s) in the line list", self.total)?;
        for p in self.problems.iter().take(5) {
            write!(f, "; line {} {} {}", p.line, p.column, p.code)?;
        }
        Ok(())
    }
}

impl std::error::Error for LineListErrors {}

/// The cases of one kelurahan on one day (by date of confirmation), by status at export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DayCounts {
    pub in_treatment: u32,
    pub self_isolation: u32,
    pub recovered: u32,
    pub deaths: u32,
}

impl DayCounts {
    fn from_array(a: [u32; 4]) -> DayCounts {
        DayCounts { in_treatment: a[0], self_isolation: a[1], recovered: a[2], deaths: a[3] }
    }

    /// Every case, whatever its status (new confirmed cases).
    pub fn confirmed(&self) -> u64 {
        u64::from(self.in_treatment) + u64::from(self.self_isolation) + u64::from(self.recovered) + u64::from(self.deaths)
    }
}

/// A checked line list, as counts per kelurahan, day and status. Holds no row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineListAggregate {
    /// Kelurahan codes of the scope, ordered; the index is the first index of `counts`.
    kelurahan: Vec<String>,
    first: NaiveDate,
    /// Days from `first` to the last date (or `as_of`), inclusive.
    days: usize,
    /// The last date that has a row.
    last_row_date: NaiveDate,
    as_of: Option<NaiveDate>,
    /// `[kelurahan][day][status]`, flattened.
    counts: Vec<[u32; 4]>,
    rows: u64,
}

impl LineListAggregate {
    /// Rows (cases) read.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The first date of the series (the earliest confirmation).
    pub fn first_date(&self) -> NaiveDate {
        self.first
    }

    /// The last date of the series: the export date if one was given, else the latest confirmation.
    pub fn last_date(&self) -> NaiveDate {
        self.first + Days::new(self.days as u64 - 1)
    }

    /// The latest date of confirmation in the list.
    pub fn last_case_date(&self) -> NaiveDate {
        self.last_row_date
    }

    /// Days from the first to the last date, inclusive.
    pub fn days(&self) -> usize {
        self.days
    }

    /// The kelurahan codes of the scope, ordered.
    pub fn kelurahan(&self) -> &[String] {
        &self.kelurahan
    }

    /// The cases of a kelurahan on a day (`None` if either is outside the aggregate).
    pub fn get(&self, code: &str, date: NaiveDate) -> Option<DayCounts> {
        let k = self.kelurahan.binary_search_by(|c| c.as_str().cmp(code)).ok()?;
        let d = usize::try_from((date - self.first).num_days()).ok().filter(|d| *d < self.days)?;
        Some(DayCounts::from_array(self.counts[k * self.days + d]))
    }

    /// Every (kelurahan, day) with at least one case, ordered by kelurahan then day.
    pub fn cells(&self) -> impl Iterator<Item = (&str, NaiveDate, DayCounts)> + '_ {
        self.counts.iter().enumerate().filter(|(_, c)| c.iter().any(|n| *n > 0)).map(|(i, c)| {
            let (k, d) = (i / self.days, i % self.days);
            (self.kelurahan[k].as_str(), self.first + Days::new(d as u64), DayCounts::from_array(*c))
        })
    }

    /// How many (kelurahan, day) have at least one case.
    pub fn groups(&self) -> usize {
        self.counts.iter().filter(|c| c.iter().any(|n| *n > 0)).count()
    }

    /// Cases by status over the whole list.
    pub fn totals(&self) -> DayCounts {
        let mut t = [0u32; 4];
        for c in &self.counts {
            for (t, n) in t.iter_mut().zip(c) {
                *t = t.wrapping_add(*n);
            }
        }
        DayCounts::from_array(t)
    }

    /// The Covid-19 definition's measures at kelurahan level (see the module documentation):
    /// cumulative `confirmed`, `recovered` and `deaths` for every kelurahan of the scope on every
    /// day from the first to the last date, ordered by kelurahan, date, then measure; and, with
    /// an export date, `in_treatment` and `self_isolation` on that date.
    pub fn to_observations(&self) -> Vec<Observation> {
        let snapshot = self.as_of.is_some();
        let per_kelurahan = self.days * 3 + if snapshot { 2 } else { 0 };
        let mut out = Vec::with_capacity(self.kelurahan.len() * per_kelurahan);
        let dates: Vec<NaiveDate> = (0..self.days).map(|d| self.first + Days::new(d as u64)).collect();
        for (k, code) in self.kelurahan.iter().enumerate() {
            let (mut confirmed, mut recovered, mut deaths) = (0u64, 0u64, 0u64);
            let (mut treated, mut isolated) = (0u64, 0u64);
            for (d, date) in dates.iter().enumerate() {
                let c = self.counts[k * self.days + d];
                treated += u64::from(c[0]);
                isolated += u64::from(c[1]);
                recovered += u64::from(c[2]);
                deaths += u64::from(c[3]);
                confirmed += u64::from(c[0]) + u64::from(c[1]) + u64::from(c[2]) + u64::from(c[3]);
                out.push(Observation::new(code, *date, "confirmed", confirmed as f64));
                out.push(Observation::new(code, *date, "recovered", recovered as f64));
                out.push(Observation::new(code, *date, "deaths", deaths as f64));
            }
            if let (true, Some(last)) = (snapshot, dates.last()) {
                out.push(Observation::new(code, *last, "in_treatment", treated as f64));
                out.push(Observation::new(code, *last, "self_isolation", isolated as f64));
            }
        }
        out
    }
}

/// What a header column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Date,
    Kelurahan,
    Status,
    Age,
    Sex,
    Other,
}

impl Role {
    fn column(self) -> &'static str {
        match self {
            Role::Date => "tanggal",
            Role::Kelurahan => "kelurahan",
            Role::Status => "status",
            Role::Age => "umur",
            Role::Sex => "jenis_kelamin",
            Role::Other => "",
        }
    }
}

/// Checks a line list and counts its cases; see the module documentation. The same as pushing
/// all of `bytes` into a [`LineListReader`] and finishing it.
pub fn aggregate(bytes: &[u8], regions: &Regions, options: &Options) -> Result<LineListAggregate, LineListErrors> {
    let mut reader = LineListReader::new(regions, options);
    reader.push(bytes);
    reader.finish()
}

/// One problem, as the whole answer.
fn single(line: u64, column: &'static str, code: &'static str, max_problems: usize) -> LineListErrors {
    LineListErrors { problems: vec![LineListProblem { line, column, code }].into_iter().take(max_problems).collect(), total: 1 }
}

/// Reads a line list pushed in pieces of any size (cut anywhere, even inside a line or the
/// byte-order mark), so a large file never has to be in memory whole: the reader keeps only
/// the unfinished last line of a piece and the counts. Each push checks and counts the complete
/// lines it has, in parallel; [`LineListReader::finish`] gives the same answer as [`aggregate`]
/// on the whole file.
pub struct LineListReader<'r> {
    regions: &'r Regions,
    options: Options,
    /// Set once the header line is complete and good.
    parser: Option<Parser<'r>>,
    /// A problem that stops reading (header, options); later pushes are ignored.
    fatal: Option<LineListErrors>,
    /// The unfinished line carried to the next push (or the unfinished header).
    carry: Vec<u8>,
    /// The line number of the next line to parse.
    next_line: u64,
    problems: Vec<LineListProblem>,
    total: u64,
    rows: u64,
    /// (day, line) of the earliest and the latest date, first occurrence in file order.
    min: Option<(usize, u64)>,
    max: Option<(usize, u64)>,
}

/// What is known once the header is read: the shared context and the per-thread counts.
struct Parser<'r> {
    ctx: Ctx<'r>,
    accs: Vec<Accumulator>,
}

/// What the threads share.
struct Ctx<'r> {
    roles: Vec<Role>,
    codes: CodeTable,
    /// The kelurahan of the scope, ordered; index = the code table's index.
    scope: Vec<String>,
    calendar: MonthTable,
    regions: &'r Regions,
    within: Option<String>,
    as_of_day: Option<usize>,
    max_problems: usize,
    kelurahan: usize,
}

impl<'r> LineListReader<'r> {
    pub fn new(regions: &'r Regions, options: &Options) -> LineListReader<'r> {
        let mut reader = LineListReader {
            regions,
            options: options.clone(),
            parser: None,
            fatal: None,
            carry: Vec::new(),
            next_line: 2,
            problems: Vec::new(),
            total: 0,
            rows: 0,
            min: None,
            max: None,
        };
        if options.as_of.is_some_and(|d| !(FIRST_YEAR..=LAST_YEAR).contains(&d.year())) {
            reader.fatal = Some(single(0, "tanggal", "err.linelist_date_range", options.max_problems));
        }
        reader
    }

    /// Ends the carried line with `bytes` up to their first line end (taken off `bytes`) and
    /// returns it; with no line end in `bytes`, carries all of them and returns `None`.
    fn complete_line(&mut self, bytes: &mut &[u8]) -> Option<Vec<u8>> {
        match bytes.iter().position(|b| *b == b'\n') {
            None => {
                self.carry.extend_from_slice(bytes);
                None
            }
            Some(i) => {
                self.carry.extend_from_slice(&bytes[..=i]);
                *bytes = &bytes[i + 1..];
                Some(std::mem::take(&mut self.carry))
            }
        }
    }

    /// Checks and counts every complete line of `bytes` (with what was carried from the last
    /// push); keeps the unfinished end for the next push or [`LineListReader::finish`].
    pub fn push(&mut self, mut bytes: &[u8]) {
        if self.fatal.is_some() {
            return;
        }
        if self.parser.is_none() {
            let Some(header) = self.complete_line(&mut bytes) else { return };
            self.read_header(&header);
            if self.fatal.is_some() {
                return;
            }
        }
        if !self.carry.is_empty() {
            let Some(line) = self.complete_line(&mut bytes) else { return };
            self.parse(&line);
        }
        let cut = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        self.parse(&bytes[..cut]);
        self.carry.extend_from_slice(&bytes[cut..]);
    }

    /// Reads what is left and gives the counts, or every problem (capped) and their number.
    pub fn finish(mut self) -> Result<LineListAggregate, LineListErrors> {
        let max_problems = self.options.max_problems;
        if self.fatal.is_none() && self.parser.is_none() {
            // A header with no line end (or no header at all).
            let header = std::mem::take(&mut self.carry);
            self.read_header(&header);
        }
        if let Some(e) = self.fatal.take() {
            return Err(e);
        }
        let rest = std::mem::take(&mut self.carry);
        self.parse(&rest);
        let Some(parser) = self.parser else {
            return Err(single(1, "", "err.linelist_empty", max_problems));
        };
        if self.total == 0 && self.rows == 0 {
            return Err(single(2, "", "err.linelist_empty", max_problems));
        }
        let ctx = parser.ctx;
        let (mut problems, mut total) = (self.problems, self.total);
        if let (Some((lo, _)), Some((hi, hi_line))) = (self.min, self.max) {
            let last = ctx.as_of_day.unwrap_or(hi);
            if last - lo + 1 > self.options.max_days {
                total += 1;
                if problems.len() < max_problems {
                    // Problems are in file order; this one goes where its line is.
                    let at = problems.partition_point(|p| p.line <= hi_line);
                    problems.insert(at, LineListProblem { line: hi_line, column: "tanggal", code: "err.linelist_date_span" });
                }
            }
        }
        if total > 0 {
            return Err(LineListErrors { problems, total });
        }
        let (Some((lo, _)), Some((hi, _))) = (self.min, self.max) else {
            return Err(single(2, "", "err.linelist_empty", max_problems));
        };

        // Merge the per-thread arrays into [kelurahan][day][status].
        let last = ctx.as_of_day.unwrap_or(hi);
        let days = last - lo + 1;
        let k_n = ctx.kelurahan;
        let mut counts = vec![[0u32; 4]; k_n * days];
        for acc in &parser.accs {
            for (b, block) in acc.blocks.iter().enumerate() {
                let Some(block) = block else { continue };
                for i in 0..BLOCK_DAYS {
                    let day = b * BLOCK_DAYS + i;
                    if day < lo || day > hi {
                        continue;
                    }
                    let src = &block[i * k_n * 4..(i + 1) * k_n * 4];
                    for (k, src) in src.chunks_exact(4).enumerate() {
                        let dst = &mut counts[k * days + (day - lo)];
                        for (d, n) in dst.iter_mut().zip(src) {
                            *d = d.wrapping_add(*n);
                        }
                    }
                }
            }
        }
        Ok(LineListAggregate {
            first: ctx.calendar.date_of_day(lo),
            last_row_date: ctx.calendar.date_of_day(hi),
            kelurahan: ctx.scope,
            days,
            as_of: self.options.as_of,
            counts,
            rows: self.rows,
        })
    }

    /// Reads the header line (with its line end, if any) and sets up the parser, or a fatal problem.
    fn read_header(&mut self, header: &[u8]) {
        let max_problems = self.options.max_problems;
        let header = header.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(header);
        if header.iter().all(|b| b.is_ascii_whitespace()) {
            self.fatal = Some(single(1, "", "err.linelist_empty", max_problems));
            return;
        }
        let mut roles: Vec<Role> = Vec::new();
        let mut p = 0;
        loop {
            let Ok(f) = next_field(header, p) else {
                self.fatal = Some(single(1, "", "err.linelist_quote", max_problems));
                return;
            };
            let name = String::from_utf8_lossy(trim(&header[f.start..f.end])).to_lowercase();
            roles.push(match name.as_str() {
                "tanggal" => Role::Date,
                "kelurahan" => Role::Kelurahan,
                "status" => Role::Status,
                "umur" => Role::Age,
                "jenis_kelamin" => Role::Sex,
                _ => Role::Other,
            });
            if f.last {
                break;
            }
            p = f.next;
        }
        let mut problems = Vec::new();
        for role in [Role::Date, Role::Kelurahan, Role::Status, Role::Age, Role::Sex] {
            let n = roles.iter().filter(|r| **r == role).count();
            if n == 0 && matches!(role, Role::Date | Role::Kelurahan | Role::Status) {
                problems.push(LineListProblem { line: 1, column: role.column(), code: "err.linelist_missing_column" });
            } else if n > 1 {
                problems.push(LineListProblem { line: 1, column: role.column(), code: "err.linelist_duplicate_column" });
            }
        }
        if !problems.is_empty() {
            let total = problems.len() as u64;
            problems.truncate(max_problems);
            self.fatal = Some(LineListErrors { problems, total });
            return;
        }

        let regions = self.regions;
        let within = self.options.within.as_deref().map(str::trim);
        let scope: Vec<String> =
            regions.at_level(RegionLevel::Kelurahan).filter(|r| within.is_none_or(|w| regions.within(&r.code, w))).map(|r| r.code.clone()).collect();
        let codes = CodeTable::new(&scope);
        let calendar = MonthTable::new();
        let as_of_day = self.options.as_of.and_then(|d| calendar.day_of_date(d));
        let threads = match self.options.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n.min(MAX_THREADS),
        };
        let kelurahan = scope.len();
        self.parser = Some(Parser {
            ctx: Ctx { roles, codes, scope, calendar, regions, within: within.map(str::to_string), as_of_day, max_problems, kelurahan },
            accs: (0..threads).map(|_| Accumulator::new(kelurahan)).collect(),
        });
    }

    /// Checks and counts whole lines (`body` is empty or ends with a line end, except at the
    /// end of the file), in parallel over pieces cut at line ends.
    fn parse(&mut self, body: &[u8]) {
        let Some(parser) = self.parser.as_mut() else { return };
        if body.is_empty() {
            return;
        }
        let ctx = &parser.ctx;
        let threads = parser.accs.len().max(1);
        let chunk_bytes = match self.options.chunk_bytes {
            // A few chunks per thread, so that a thread the system holds back does not hold the
            // others: whoever is free takes the next chunk.
            0 => body.len().div_ceil(threads * 4).max(1 << 18),
            n => n,
        };
        let mut chunks = Vec::new();
        let mut start = 0;
        while start < body.len() {
            let target = (start + chunk_bytes).min(body.len());
            let end = match body[target..].iter().position(|b| *b == b'\n') {
                Some(i) if target < body.len() => target + i + 1,
                _ => body.len(),
            };
            // `target` may itself sit just after a line end; never make an empty chunk.
            let end = if target > start && body[target - 1] == b'\n' { target } else { end };
            chunks.push(start..end);
            start = end;
        }

        let next = AtomicUsize::new(0);
        let work = |acc: &mut Accumulator| {
            let mut reports = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(range) = chunks.get(i) else { break };
                reports.push((i, parse_chunk(&body[range.clone()], ctx, acc)));
            }
            reports
        };
        let used = threads.min(chunks.len());
        let mut reports: Vec<(usize, ChunkReport)> = if used <= 1 {
            parser.accs.first_mut().map(work).unwrap_or_default()
        } else {
            let work = &work;
            std::thread::scope(|s| {
                let handles: Vec<_> = parser.accs.iter_mut().take(used).map(|acc| s.spawn(move || work(acc))).collect();
                handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
            })
        };

        // Line numbers, problems and the date range, in file order.
        reports.sort_by_key(|(i, _)| *i);
        for (_, r) in &reports {
            let first_line = self.next_line;
            for p in &r.problems {
                if self.problems.len() < self.options.max_problems {
                    self.problems.push(LineListProblem { line: first_line + p.line, ..*p });
                }
            }
            self.total += r.total_problems;
            self.rows += r.rows;
            if let Some((day, line)) = r.min {
                if self.min.is_none_or(|(m, _)| day < m) {
                    self.min = Some((day, first_line + line));
                }
            }
            if let Some((day, line)) = r.max {
                if self.max.is_none_or(|(m, _)| day > m) {
                    self.max = Some((day, first_line + line));
                }
            }
            self.next_line += r.lines;
        }
    }
}

/// A thread's counts: blocks of [`BLOCK_DAYS`] days × kelurahan × 4 statuses, made on first use.
///
/// Rows land in random places of a few megabytes of counts, so each increment is likely a cache
/// miss. Increments are therefore queued and applied [`BATCH`] at a time in a tight loop, where
/// the processor overlaps the misses instead of waiting for each one between two rows' parsing.
struct Accumulator {
    blocks: Vec<Option<Box<[u32]>>>,
    block_len: usize,
    kelurahan: usize,
    /// (day, kelurahan × 4 + status) not yet counted.
    pending: Vec<(u32, u32)>,
}

/// Increments queued before they are applied.
const BATCH: usize = 256;

impl Accumulator {
    fn new(kelurahan: usize) -> Accumulator {
        Accumulator { blocks: vec![None; DAY_RANGE.div_ceil(BLOCK_DAYS)], block_len: BLOCK_DAYS * kelurahan * 4, kelurahan, pending: Vec::with_capacity(BATCH) }
    }

    #[inline]
    fn add(&mut self, day: usize, kelurahan: usize, status: usize) {
        // `day` < DAY_RANGE and `kelurahan` < the scope's size, which fits in u32 / 4.
        self.pending.push((day as u32, (kelurahan * 4 + status) as u32));
        if self.pending.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let (len, stride) = (self.block_len, self.kelurahan * 4);
        for &(day, cell) in &self.pending {
            let day = day as usize;
            let Some(slot) = self.blocks.get_mut(day / BLOCK_DAYS) else { continue };
            let block = slot.get_or_insert_with(|| vec![0u32; len].into_boxed_slice());
            if let Some(n) = block.get_mut((day % BLOCK_DAYS) * stride + cell as usize) {
                // A cell would need more than 4 billion rows (over 120 GB of CSV) to wrap.
                *n = n.wrapping_add(1);
            }
        }
        self.pending.clear();
    }
}

/// What one chunk found. Lines are counted from 0 at the chunk's first line.
struct ChunkReport {
    problems: Vec<LineListProblem>,
    total_problems: u64,
    lines: u64,
    rows: u64,
    min: Option<(usize, u64)>,
    max: Option<(usize, u64)>,
}

/// One field of a line: its value's bytes are `start..end` (inside the quotes if quoted).
struct Field {
    start: usize,
    end: usize,
    /// Where the next field starts (if `last` is false) or the next line starts (if true).
    next: usize,
    /// The field ended the line (at `\n` or at the end of the bytes).
    last: bool,
}

/// Reads the field starting at `p`. `Err` for a quoted field not closed on its line, or with
/// something other than a delimiter after its closing quote.
#[inline]
fn next_field(b: &[u8], p: usize) -> Result<Field, ()> {
    if b.get(p) == Some(&b'"') {
        let start = p + 1;
        let mut q = start;
        loop {
            match b.get(q) {
                None | Some(b'\n') => return Err(()),
                Some(b'"') if b.get(q + 1) == Some(&b'"') => q += 2,
                Some(b'"') => break,
                Some(_) => q += 1,
            }
        }
        let end = q;
        let mut after = q + 1;
        while matches!(b.get(after), Some(b' ' | b'\t')) {
            after += 1;
        }
        if b.get(after) == Some(&b'\r') && matches!(b.get(after + 1), None | Some(b'\n')) {
            after += 1;
        }
        match b.get(after) {
            None => Ok(Field { start, end, next: after, last: true }),
            Some(b'\n') => Ok(Field { start, end, next: after + 1, last: true }),
            Some(b',') => Ok(Field { start, end, next: after + 1, last: false }),
            Some(_) => Err(()),
        }
    } else {
        let mut q = skip_plain(b, p);
        while q < b.len() {
            let c = b[q];
            if c == b',' {
                return Ok(Field { start: p, end: q, next: q + 1, last: false });
            }
            if c == b'\n' {
                return Ok(Field { start: p, end: q, next: q + 1, last: true });
            }
            q += 1;
        }
        Ok(Field { start: p, end: q, next: q, last: true })
    }
}

/// From `p`, the position of the first `,` or `\n`, or a position at most 7 bytes before it
/// (or before the end), looking at 8 bytes at a time.
#[inline]
fn skip_plain(b: &[u8], mut p: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = b.get(p..p + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let w = u64::from_le_bytes(word);
        let (comma, newline) = (w ^ (ONES * u64::from(b',')), w ^ (ONES * u64::from(b'\n')));
        // The high bit of a byte is set where that byte was zero (and maybe above it, never below).
        let found = (comma.wrapping_sub(ONES) & !comma | newline.wrapping_sub(ONES) & !newline) & HIGHS;
        if found != 0 {
            return p + (found.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    p
}

/// The value without surrounding spaces, tabs and carriage returns.
#[inline]
fn trim(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r'] = v {
        v = rest;
    }
    v
}

/// Parses and counts the lines of one chunk into `acc`.
fn parse_chunk(b: &[u8], ctx: &Ctx<'_>, acc: &mut Accumulator) -> ChunkReport {
    let mut r = ChunkReport { problems: Vec::new(), total_problems: 0, lines: 0, rows: 0, min: None, max: None };
    let report = |r: &mut ChunkReport, line: u64, column: &'static str, code: &'static str| {
        r.total_problems += 1;
        if r.problems.len() < ctx.max_problems {
            r.problems.push(LineListProblem { line, column, code });
        }
    };
    let ncols = ctx.roles.len();
    let mut p = 0;
    while p < b.len() {
        let line = r.lines;
        r.lines += 1;
        // Blank lines (only spaces, tabs or a carriage return) are skipped.
        let mut q = p;
        while q < b.len() && matches!(b[q], b' ' | b'\t' | b'\r') {
            q += 1;
        }
        if q == b.len() || b[q] == b'\n' {
            p = q + 1;
            continue;
        }
        let (mut day, mut kel, mut status) = (usize::MAX, usize::MAX, usize::MAX);
        let mut ok = true;
        let mut field = 0;
        loop {
            // Fast path: a date or a code of the usual width, directly followed by a comma. A value
            // that reads as a valid date or a known code contains no delimiter, so the guess is
            // right whenever it succeeds; otherwise the field is read the general way below.
            match ctx.roles.get(field) {
                Some(Role::Date) if b.get(p + 10) == Some(&b',') => {
                    if let Ok(d) = ctx.calendar.day(&b[p..p + 10]) {
                        day = d;
                        field += 1;
                        p += 11;
                        continue;
                    }
                }
                Some(Role::Kelurahan) if ctx.codes.width > 0 && b.get(p + ctx.codes.width) == Some(&b',') => {
                    if let Some(k) = ctx.codes.get(&b[p..p + ctx.codes.width]) {
                        kel = k;
                        field += 1;
                        p += ctx.codes.width + 1;
                        continue;
                    }
                }
                _ => {}
            }
            let f = match next_field(b, p) {
                Ok(f) => f,
                Err(()) => {
                    report(&mut r, line, ctx.roles.get(field).map_or("", |r| r.column()), "err.linelist_quote");
                    ok = false;
                    // Skip to the next line.
                    p = b[p..].iter().position(|c| *c == b'\n').map_or(b.len(), |i| p + i + 1);
                    field = ncols;
                    break;
                }
            };
            if let Some(role) = ctx.roles.get(field) {
                let v = trim(&b[f.start..f.end]);
                let problem = match role {
                    Role::Date => match ctx.calendar.day(v) {
                        Ok(d) => {
                            day = d;
                            None
                        }
                        Err(code) => Some(code),
                    },
                    Role::Kelurahan => match ctx.codes.get(v) {
                        Some(k) => {
                            kel = k;
                            None
                        }
                        None => Some(ctx.region_problem(v)),
                    },
                    Role::Status => match status_of(v) {
                        Some(s) => {
                            status = s;
                            None
                        }
                        None if v.is_empty() => Some("err.required"),
                        None => Some("err.linelist_status"),
                    },
                    Role::Age => (!age_ok(v)).then_some("err.linelist_age"),
                    Role::Sex => (!matches!(v, [] | [b'L' | b'P' | b'l' | b'p'])).then_some("err.linelist_sex"),
                    Role::Other => None,
                };
                if let Some(code) = problem {
                    report(&mut r, line, role.column(), code);
                    ok = false;
                }
            }
            field += 1;
            p = f.next;
            if f.last {
                break;
            }
        }
        if field != ncols {
            report(&mut r, line, "", "err.linelist_field_count");
            ok = false;
        }
        if ok && day != usize::MAX {
            if let Some(limit) = ctx.as_of_day {
                if day > limit {
                    report(&mut r, line, "tanggal", "err.linelist_date_future");
                    continue;
                }
            }
            if r.min.is_none_or(|(m, _)| day < m) {
                r.min = Some((day, line));
            }
            if r.max.is_none_or(|(m, _)| day > m) {
                r.max = Some((day, line));
            }
            r.rows += 1;
            if r.total_problems == 0 {
                acc.add(day, kel, status);
            }
        }
    }
    acc.flush();
    r
}

impl Ctx<'_> {
    /// Why a code that is not in the table was refused (the slow path).
    fn region_problem(&self, v: &[u8]) -> &'static str {
        if v.is_empty() {
            return "err.required";
        }
        let Some(region) = std::str::from_utf8(v).ok().and_then(|code| self.regions.get(code)) else {
            return "err.linelist_region_unknown";
        };
        if region.level != RegionLevel::Kelurahan {
            "err.linelist_region_level"
        } else if self.within.as_deref().is_some_and(|w| !self.regions.within(&region.code, w)) {
            "err.linelist_region_scope"
        } else {
            // Not reached: every kelurahan of the scope is in the table.
            "err.linelist_region_unknown"
        }
    }
}

#[inline]
fn status_of(v: &[u8]) -> Option<usize> {
    let s = match v.len() {
        7 => 0,
        15 => 1,
        6 => 2,
        9 => 3,
        _ => return None,
    };
    v.eq_ignore_ascii_case(STATUSES[s].as_bytes()).then_some(s)
}

#[inline]
fn age_ok(v: &[u8]) -> bool {
    if v.is_empty() {
        return true;
    }
    if v.len() > 3 || !v.iter().all(u8::is_ascii_digit) {
        return false;
    }
    v.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')) <= MAX_AGE
}

/// Kelurahan codes → dense index, by open addressing on the code's bytes.
struct CodeTable {
    /// Power-of-two sized; `u32::MAX` marks an empty slot, else an index into `keys`.
    slots: Vec<u32>,
    keys: Vec<Key>,
    codes: Vec<Box<[u8]>>,
    shift: u32,
    /// The length of most codes (13 for `31.71.01.1001`), for the fast path of the parser.
    width: usize,
}

/// A code folded into two words: equal keys mean equal codes for codes up to 16 bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    a: u64,
    b: u64,
    len: usize,
}

impl Key {
    #[inline]
    fn of(v: &[u8]) -> Key {
        let len = v.len();
        let (a, b) = if len >= 8 {
            let mut a = [0u8; 8];
            let mut b = [0u8; 8];
            a.copy_from_slice(&v[..8]);
            b.copy_from_slice(&v[len - 8..]);
            (u64::from_le_bytes(a), u64::from_le_bytes(b))
        } else {
            let mut a = [0u8; 8];
            a[..len].copy_from_slice(v);
            (u64::from_le_bytes(a), 0)
        };
        Key { a, b, len }
    }

    #[inline]
    fn hash(&self) -> u64 {
        (self.a ^ self.b.rotate_left(29) ^ self.len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

impl CodeTable {
    fn new(codes: &[String]) -> CodeTable {
        let size = (codes.len() * 8).next_power_of_two().max(64);
        let shift = 64 - size.trailing_zeros();
        let mut lengths = std::collections::BTreeMap::<usize, usize>::new();
        for code in codes {
            *lengths.entry(code.len()).or_default() += 1;
        }
        let width = lengths.iter().max_by_key(|(_, n)| **n).map_or(0, |(len, _)| *len);
        let mut table = CodeTable { slots: vec![u32::MAX; size], keys: Vec::new(), codes: Vec::new(), shift, width };
        for code in codes {
            let key = Key::of(code.as_bytes());
            let mut i = (key.hash() >> shift) as usize;
            while table.slots[i] != u32::MAX {
                i = (i + 1) & (size - 1);
            }
            table.slots[i] = table.keys.len() as u32;
            table.keys.push(key);
            table.codes.push(code.as_bytes().into());
        }
        table
    }

    #[inline]
    fn get(&self, v: &[u8]) -> Option<usize> {
        let key = Key::of(v);
        let mask = self.slots.len() - 1;
        let mut i = (key.hash() >> self.shift) as usize;
        loop {
            let slot = *self.slots.get(i)?;
            if slot == u32::MAX {
                return None;
            }
            let idx = slot as usize;
            if self.keys.get(idx) == Some(&key) && (key.len <= 16 || self.codes.get(idx).is_some_and(|c| **c == *v)) {
                return Some(idx);
            }
            i = (i + 1) & mask;
        }
    }
}

/// Day numbers (days since 2000-01-01) of the first of each month, 2000–2099.
struct MonthTable {
    starts: Vec<u32>,
    lengths: Vec<u8>,
}

impl MonthTable {
    fn new() -> MonthTable {
        let mut starts = Vec::with_capacity(1200);
        let mut lengths = Vec::with_capacity(1200);
        let mut day = 0u32;
        for year in FIRST_YEAR..=LAST_YEAR {
            for month in 1..=12u32 {
                let len = match month {
                    2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                starts.push(day);
                lengths.push(len);
                day += u32::from(len);
            }
        }
        MonthTable { starts, lengths }
    }

    /// `YYYY-MM-DD` to a day number.
    #[inline]
    fn day(&self, v: &[u8]) -> Result<usize, &'static str> {
        let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = v else {
            return Err(if v.is_empty() { "err.required" } else { "err.linelist_date" });
        };
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1].map(|c| c.wrapping_sub(b'0'));
        if digits.iter().any(|d| *d > 9) {
            return Err("err.linelist_date");
        }
        let n = |i: usize| u32::from(digits[i]);
        let year = n(0) * 1000 + n(1) * 100 + n(2) * 10 + n(3);
        let (month, day) = (n(4) * 10 + n(5), n(6) * 10 + n(7));
        if !(1..=12).contains(&month) || day == 0 || day > 31 {
            return Err("err.linelist_date");
        }
        if !(FIRST_YEAR as u32..=LAST_YEAR as u32).contains(&year) {
            // A real date outside the years accepted, or no date at all (Feb 30 of 1999).
            let real = NaiveDate::from_ymd_opt(year as i32, month, day).is_some();
            return Err(if real { "err.linelist_date_range" } else { "err.linelist_date" });
        }
        let m = ((year - FIRST_YEAR as u32) * 12 + month - 1) as usize;
        match (self.starts.get(m), self.lengths.get(m)) {
            (Some(start), Some(len)) if day <= u32::from(*len) => Ok((start + day - 1) as usize),
            _ => Err("err.linelist_date"),
        }
    }

    fn day_of_date(&self, d: NaiveDate) -> Option<usize> {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
            return None;
        }
        let m = ((d.year() - FIRST_YEAR) * 12) as usize + d.month0() as usize;
        Some(self.starts[m] as usize + d.day0() as usize)
    }

    fn date_of_day(&self, day: usize) -> NaiveDate {
        // 2000-01-01 plus at most 36 524 days stays inside chrono's range.
        NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or_default() + Days::new(day as u64)
    }
}

#[cfg(test)]
mod tests;
