//! Bounded XLSX reading shared by `extract` and `table`.
//!
//! Cells are streamed with calamine's cell reader instead of `worksheet_range`, because a range is a
//! dense rectangle: two cells at A1 and XFD1048576 would make calamine allocate 17 billion cells.
//! Here only the cells actually present are kept, with limits on their count and column index.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{DataRef, ExcelDateTime, Reader, Xlsx};

use crate::ziputil::{self, ZipProblem};

/// Cells beyond this column (0-based index) are ignored.
pub(crate) const MAX_COLUMNS: u32 = 1024;
/// Most non-empty cells read from one workbook.
pub(crate) const MAX_CELLS: usize = 2_000_000;

#[derive(Debug)]
pub(crate) enum SheetProblem {
    Corrupt(String),
    TooLarge(String),
    /// More rows than the caller's `max_rows`.
    TooManyRows,
}

impl From<ZipProblem> for SheetProblem {
    fn from(p: ZipProblem) -> Self {
        match p {
            ZipProblem::Corrupt(s) => SheetProblem::Corrupt(s),
            ZipProblem::TooLarge(s) => SheetProblem::TooLarge(s),
        }
    }
}

pub(crate) struct Sheet {
    pub name: String,
    /// Non-blank rows in sheet order; each row starts at the leftmost used column of the sheet and
    /// ends at its own last non-empty cell.
    pub rows: Vec<Vec<String>>,
}

/// Reads the first sheet (`first_only`) or all sheets. `max_rows` bounds the non-blank rows of each
/// sheet (exceeding it is [`SheetProblem::TooManyRows`]).
pub(crate) fn read_xlsx(bytes: &[u8], first_only: bool, max_rows: usize) -> Result<Vec<Sheet>, SheetProblem> {
    ziputil::check_bounded(bytes)?;
    match catch_unwind(AssertUnwindSafe(|| read_inner(bytes, first_only, max_rows))) {
        Ok(r) => r,
        Err(_) => Err(SheetProblem::Corrupt("the spreadsheet parser crashed on this file".into())),
    }
}

fn read_inner(bytes: &[u8], first_only: bool, max_rows: usize) -> Result<Vec<Sheet>, SheetProblem> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| SheetProblem::Corrupt(e.to_string()))?;
    let mut names = workbook.sheet_names();
    if first_only {
        names.truncate(1);
    }
    let mut sheets = Vec::new();
    let mut cells_seen = 0usize;
    for name in names {
        let mut reader = workbook.worksheet_cells_reader(&name).map_err(|e| SheetProblem::Corrupt(e.to_string()))?;
        let mut rows: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
        while let Some(cell) = reader.next_cell().map_err(|e| SheetProblem::Corrupt(e.to_string()))? {
            let (row, col) = cell.get_position();
            if col >= MAX_COLUMNS {
                continue;
            }
            let text = render(cell.get_value());
            if text.trim().is_empty() {
                continue;
            }
            cells_seen += 1;
            if cells_seen > MAX_CELLS {
                return Err(SheetProblem::TooLarge(format!("more than {MAX_CELLS} cells")));
            }
            let is_new_row = !rows.contains_key(&row);
            if is_new_row && rows.len() >= max_rows {
                return Err(SheetProblem::TooManyRows);
            }
            rows.entry(row).or_default().insert(col, text);
        }
        drop(reader);
        let min_col = rows.values().filter_map(|r| r.keys().next().copied()).min().unwrap_or(0);
        let rows = rows
            .into_values()
            .map(|cells| {
                let last = cells.keys().next_back().copied().unwrap_or(min_col);
                let mut row = vec![String::new(); (last - min_col + 1) as usize];
                for (col, text) in cells {
                    row[(col - min_col) as usize] = text;
                }
                row
            })
            .collect();
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

/// Renders a cell as the text a person sees: integers without `.0`, dates as `YYYY-MM-DD`
/// (`YYYY-MM-DD HH:MM:SS` with a time of day), booleans as `TRUE` / `FALSE`, errors as `#DIV/0!`...
pub(crate) fn render(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => format_number(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) => format_datetime(dt),
        DataRef::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Integers without a decimal part; other numbers rounded to 15 significant digits (what Excel
/// shows), trailing zeros removed.
pub(crate) fn format_number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let abs = f.abs();
    if !(1e-5..1e15).contains(&abs) {
        return f.to_string();
    }
    let int_digits = abs.log10().floor() as i32 + 1;
    let decimals = (15 - int_digits).clamp(0, 20) as usize;
    let s = format!("{f:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

fn format_datetime(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        let total = (dt.as_f64() * 86_400.0).round() as i64;
        let (sign, total) = if total < 0 { ("-", -total) } else { ("", total) };
        return format!("{sign}{}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60);
    }
    match dt.as_datetime() {
        Some(ndt) => {
            let time = ndt.time();
            if time == chrono::NaiveTime::MIN {
                ndt.format("%Y-%m-%d").to_string()
            } else if dt.as_f64() < 1.0 {
                // A time of day alone.
                ndt.format("%H:%M:%S").to_string()
            } else {
                ndt.format("%Y-%m-%d %H:%M:%S").to_string()
            }
        }
        None => format_number(dt.as_f64()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(format_number(42.0), "42");
        assert_eq!(format_number(-3.0), "-3");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(1234.5), "1234.5");
        assert_eq!(format_number(1e20), "100000000000000000000");
        assert_eq!(format_number(0.0), "0");
    }
}
