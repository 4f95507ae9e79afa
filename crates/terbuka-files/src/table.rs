//! Tabular import (CSV / XLSX → [`Table`]) and export ([`write_csv`], [`write_xlsx`]) for the DIP.

use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use crate::sheet::{self, SheetProblem};
use crate::ziputil;

/// Most data rows (header excluded) that [`read_table`] accepts.
pub const MAX_ROWS: usize = 10_000;

/// A table read from a file.
///
/// * `headers`: the first non-blank row, each cell trimmed. Trailing columns that are empty in the
///   header *and* in every row are dropped (a trailing `;` in a CSV export, formatted-but-empty
///   spreadsheet columns).
/// * `rows`: the following non-blank rows (a row whose cells are all blank is skipped), each cell
///   trimmed. Rows are kept **raw**: they may be shorter or longer than `headers`. Use
///   [`Table::cell`] to read with padding.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The cell at (`row`, `col`), or `""` when the row is shorter.
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(col)).map_or("", String::as_str)
    }

    /// Index of the header equal to `name`, ignoring ASCII case and surrounding blanks.
    pub fn column(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name))
    }
}

/// Why a file could not be read as a table. [`TableError::code`] is a stable i18n key;
/// [`TableError::message`] gives ready-made text in Indonesian (`"id"`) or English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// No bytes, only blanks, or no non-blank row to serve as header.
    #[error("the file is empty or has no header row")]
    Empty,
    /// A CSV that is not UTF-8 (e.g. saved as ANSI/Windows-1252 by Excel).
    #[error("the CSV file is not UTF-8 encoded")]
    NotUtf8,
    /// Neither CSV nor XLSX; `format` names what it looks like ("PDF", "XLS", "ODS", "binary"...).
    #[error("unsupported file format: {format}")]
    Unsupported { format: &'static str },
    /// More than `limit` data rows.
    #[error("the file has more than {limit} data rows")]
    TooManyRows { limit: usize },
    /// A damaged file; `detail` is technical, for logs.
    #[error("the file is damaged or unreadable: {detail}")]
    Corrupt { detail: String },
}

impl TableError {
    /// Stable code for translations and API clients: `err.table.empty`, `err.table.not_utf8`,
    /// `err.table.unsupported`, `err.table.too_many_rows`, `err.table.corrupt`.
    pub fn code(&self) -> &'static str {
        match self {
            TableError::Empty => "err.table.empty",
            TableError::NotUtf8 => "err.table.not_utf8",
            TableError::Unsupported { .. } => "err.table.unsupported",
            TableError::TooManyRows { .. } => "err.table.too_many_rows",
            TableError::Corrupt { .. } => "err.table.corrupt",
        }
    }

    /// A message for people: Indonesian when `lang` starts with `id`, English otherwise. Never
    /// contains the technical detail of [`TableError::Corrupt`].
    pub fn message(&self, lang: &str) -> String {
        let id = lang.trim().to_ascii_lowercase().starts_with("id");
        match (self, id) {
            (TableError::Empty, true) => "Berkas kosong atau tidak memiliki baris judul kolom.".into(),
            (TableError::Empty, false) => "The file is empty or has no header row.".into(),
            (TableError::NotUtf8, true) => "Berkas CSV harus berenkode UTF-8. Simpan ulang dari Excel sebagai \"CSV UTF-8\".".into(),
            (TableError::NotUtf8, false) => "The CSV file must be UTF-8 encoded. Save it again from Excel as \"CSV UTF-8\".".into(),
            (TableError::Unsupported { format }, true) => format!("Format berkas ({format}) tidak didukung. Gunakan CSV atau XLSX."),
            (TableError::Unsupported { format }, false) => format!("Unsupported file format ({format}). Use CSV or XLSX."),
            (TableError::TooManyRows { limit }, true) => format!("Berkas berisi lebih dari {limit} baris data. Bagi menjadi beberapa berkas."),
            (TableError::TooManyRows { limit }, false) => format!("The file has more than {limit} data rows. Split it into several files."),
            (TableError::Corrupt { .. }, true) => "Berkas rusak atau tidak dapat dibaca.".into(),
            (TableError::Corrupt { .. }, false) => "The file is damaged or unreadable.".into(),
        }
    }
}

/// Reads a table from CSV or XLSX, detected by content (the extension only helps name a damaged
/// XLSX).
///
/// * CSV: UTF-8 with or without BOM (UTF-16 with BOM is accepted too); the delimiter is detected
///   among `,` `;` and tab from the header line (an Excel `sep=;` first line is honoured); RFC 4180
///   quoting, including newlines inside quoted fields.
/// * XLSX: the first sheet; integers without `.0`, other numbers to 15 significant digits, dates as
///   `YYYY-MM-DD` (with ` HH:MM:SS` when there is a time of day), formulas as their cached value.
///
/// See [`Table`] for blank rows, trimming and row lengths. More than [`MAX_ROWS`] data rows is an
/// error. Never panics on hostile input.
pub fn read_table(filename: &str, bytes: &[u8]) -> Result<Table, TableError> {
    read_table_limited(filename, bytes, MAX_ROWS)
}

/// [`read_table`] with another row limit, for uploads that are long by nature (a crisis
/// dataset's back-fill is a row per kelurahan and day: 267 × 365 ≈ 100 000 rows a year).
pub fn read_table_limited(filename: &str, bytes: &[u8], max_rows: usize) -> Result<Table, TableError> {
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if content.iter().all(u8::is_ascii_whitespace) {
        return Err(TableError::Empty);
    }
    if ziputil::is_zip(bytes) {
        return match ziputil::names(bytes) {
            Some(names) if names.iter().any(|n| n == "xl/workbook.xml") => read_xlsx(bytes, max_rows),
            Some(names) if names.iter().any(|n| n == "word/document.xml") => Err(TableError::Unsupported { format: "DOCX" }),
            Some(names) if names.iter().any(|n| n == "content.xml") => Err(TableError::Unsupported { format: "ODS/ODT" }),
            Some(_) => Err(TableError::Unsupported { format: "ZIP" }),
            None if filename.to_ascii_lowercase().ends_with(".xlsx") => Err(TableError::Corrupt { detail: "not a readable ZIP archive".into() }),
            None => Err(TableError::Unsupported { format: "ZIP" }),
        };
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(TableError::Unsupported { format: "XLS (Excel 97-2003)" });
    }
    let sniffed = crate::extract::sniff_content_type(filename, bytes);
    if let Some(format) = match sniffed {
        crate::extract::PDF => Some("PDF"),
        crate::extract::PNG => Some("PNG"),
        crate::extract::JPEG => Some("JPEG"),
        crate::extract::GIF => Some("GIF"),
        crate::extract::WEBP => Some("WEBP"),
        _ => None,
    } {
        return Err(TableError::Unsupported { format });
    }
    read_csv(filename, bytes, max_rows)
}

fn read_csv(filename: &str, bytes: &[u8], max_rows: usize) -> Result<Table, TableError> {
    let text: std::borrow::Cow<'_, str> = if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        crate::extract::decode_text(bytes).unwrap_or_default().into()
    } else {
        let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if content[..content.len().min(8192)].contains(&0) {
            return Err(TableError::Unsupported { format: "binary" });
        }
        std::str::from_utf8(content).map_err(|_| TableError::NotUtf8)?.into()
    };
    let text = text.trim_start_matches('\u{feff}');

    // Excel's "sep=;" hint line.
    let first_line = text.split('\n').next().unwrap_or("").trim_end_matches('\r');
    let (delimiter, body) = match first_line.strip_prefix("sep=").or_else(|| first_line.strip_prefix("SEP=")) {
        Some(d) if d.len() == 1 && d.is_ascii() => (d.as_bytes()[0], &text[first_line.len()..]),
        _ => (detect_delimiter(text, filename.to_ascii_lowercase().ends_with(".tsv")), text),
    };

    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(body.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| TableError::Corrupt { detail: e.to_string() })?;
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if headers.is_none() {
            headers = Some(cells);
            continue;
        }
        if rows.len() >= max_rows {
            return Err(TableError::TooManyRows { limit: max_rows });
        }
        rows.push(cells);
    }
    let headers = headers.ok_or(TableError::Empty)?;
    Ok(tidy(headers, rows))
}

/// Picks `,` `;` or tab: the most frequent outside quotes in the first record. Ties go to tab for a
/// `.tsv` file, otherwise to `,` then `;`.
fn detect_delimiter(text: &str, tsv: bool) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for c in text.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\n' if !in_quotes => break,
            ',' if !in_quotes => counts[0] += 1,
            ';' if !in_quotes => counts[1] += 1,
            '\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let mut best = if tsv { 2 } else { 0 };
    for i in 0..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<Table, TableError> {
    let sheets = sheet::read_xlsx(bytes, true, max_rows + 1).map_err(|p| match p {
        SheetProblem::Corrupt(detail) | SheetProblem::TooLarge(detail) => TableError::Corrupt { detail },
        SheetProblem::TooManyRows => TableError::TooManyRows { limit: max_rows },
    })?;
    let mut rows = sheets.into_iter().next().map(|s| s.rows).unwrap_or_default().into_iter();
    let trim = |row: Vec<String>| row.into_iter().map(|c| c.trim().to_string()).collect::<Vec<_>>();
    let headers = rows.next().map(trim).ok_or(TableError::Empty)?;
    Ok(tidy(headers, rows.map(trim).filter(|r| r.iter().any(|c| !c.is_empty())).collect()))
}

fn tidy(mut headers: Vec<String>, mut rows: Vec<Vec<String>>) -> Table {
    while headers.last().is_some_and(String::is_empty) {
        let idx = headers.len() - 1;
        if rows.iter().any(|r| r.get(idx).is_some_and(|c| !c.is_empty())) {
            break;
        }
        headers.pop();
    }
    for row in &mut rows {
        while row.len() > headers.len() && row.last().is_some_and(String::is_empty) {
            row.pop();
        }
    }
    Table { headers, rows }
}

/// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first) gets a
/// leading apostrophe; plain numbers such as `-12.5` or `+62` are left alone (never formulas).
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut parts = digits.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// CSV for download: UTF-8 with BOM (so Excel detects the encoding), comma-separated, RFC 4180
/// quoting, CRLF line ends, formula injection neutralised (see [`neutralise_formula`]) in headers
/// and cells. Rows are written as given (not padded).
pub fn write_csv(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer =
            csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).quote_style(csv::QuoteStyle::Necessary).flexible(true).from_writer(&mut out);
        // Writing to a Vec with `flexible` cannot fail.
        writer.write_record(headers.iter().map(|h| neutralise_formula(h).into_owned())).expect("in-memory CSV write");
        for row in rows {
            writer.write_record(row.iter().map(|c| neutralise_formula(c).into_owned())).expect("in-memory CSV write");
        }
        writer.flush().expect("in-memory CSV write");
    }
    out
}

/// Excel limits.
const XLSX_MAX_ROWS: usize = 1_048_576;
const XLSX_MAX_COLS: usize = 16_384;
const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// XLSX for download: one sheet named `sheet` (sanitised to Excel's rules), bold header row with a
/// bottom border, frozen header, autofilter, column widths fitted to content (8–60 characters).
/// Every cell is written as text, so nothing is ever evaluated as a formula. Cells are cut at Excel's
/// 32,767 characters and rows/columns beyond Excel's limits are dropped.
pub fn write_xlsx(sheet: &str, headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    let _ = worksheet.set_name(sanitise_sheet_name(sheet));
    let header_format = Format::new().set_bold().set_border_bottom(FormatBorder::Thin);

    let ncols = headers.len().max(rows.iter().map(Vec::len).max().unwrap_or(0)).min(XLSX_MAX_COLS);
    let mut widths = vec![0usize; ncols];
    let clip = |s: &str| -> String { s.chars().take(XLSX_MAX_CELL_CHARS).collect() };
    let width_of = |s: &str| s.lines().map(|l| l.chars().count()).max().unwrap_or(0);

    for (col, header) in headers.iter().take(ncols).enumerate() {
        widths[col] = widths[col].max(width_of(header) + 2);
        worksheet.write_string_with_format(0, col as u16, clip(header), &header_format).expect("cell within Excel limits");
    }
    for (r, row) in rows.iter().take(XLSX_MAX_ROWS - 1).enumerate() {
        for (col, cell) in row.iter().take(ncols).enumerate() {
            if cell.is_empty() {
                continue;
            }
            widths[col] = widths[col].max(width_of(cell));
            worksheet.write_string((r + 1) as u32, col as u16, clip(cell)).expect("cell within Excel limits");
        }
    }
    for (col, width) in widths.iter().enumerate() {
        worksheet.set_column_width(col as u16, (*width + 1).clamp(8, 60) as f64).expect("column within Excel limits");
    }
    if !headers.is_empty() {
        worksheet.set_freeze_panes(1, 0).expect("freeze within Excel limits");
        let last_row = rows.len().min(XLSX_MAX_ROWS - 1) as u32;
        worksheet.autofilter(0, 0, last_row, (headers.len().min(ncols) - 1) as u16).expect("autofilter within Excel limits");
    }
    workbook.save_to_buffer().expect("in-memory XLSX write")
}

/// Excel sheet names: 1–31 characters, none of `[ ] : * ? / \`, not starting or ending with `'`.
fn sanitise_sheet_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() { '_' } else { c }).take(31).collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim().to_string();
    if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") {
        "Sheet1".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter("a,b,c\n1;2;3;4;5", false), b',');
        assert_eq!(detect_delimiter("a;b;c\n1,2", false), b';');
        assert_eq!(detect_delimiter("a\tb\tc", false), b'\t');
        assert_eq!(detect_delimiter("\"x;y;z\",b\n", false), b',');
        assert_eq!(detect_delimiter("single", false), b',');
        assert_eq!(detect_delimiter("a\tb,c", false), b',');
        assert_eq!(detect_delimiter("a\tb,c", true), b'\t');
        assert_eq!(detect_delimiter("a;b;c,d", true), b';');
    }

    #[test]
    fn formula_neutralisation() {
        assert_eq!(neutralise_formula("=SUM(A1:A2)"), "'=SUM(A1:A2)");
        assert_eq!(neutralise_formula("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(neutralise_formula("-2+3"), "'-2+3");
        assert_eq!(neutralise_formula("@SUM(1)"), "'@SUM(1)");
        assert_eq!(neutralise_formula("\t=1"), "'\t=1");
        assert_eq!(neutralise_formula("-12.5"), "-12.5");
        assert_eq!(neutralise_formula("+62"), "+62");
        assert_eq!(neutralise_formula("Dinas = Kominfo"), "Dinas = Kominfo");
        assert_eq!(neutralise_formula("-"), "'-");
        assert_eq!(neutralise_formula("-1."), "'-1.");
    }

    #[test]
    fn sheet_names() {
        assert_eq!(sanitise_sheet_name("DIP 2024/2025"), "DIP 2024_2025");
        assert_eq!(sanitise_sheet_name(""), "Sheet1");
        assert_eq!(sanitise_sheet_name("'quoted'"), "quoted");
        assert_eq!(sanitise_sheet_name(&"x".repeat(40)).len(), 31);
    }

    #[test]
    fn error_codes_and_messages() {
        let errors = [
            TableError::Empty,
            TableError::NotUtf8,
            TableError::Unsupported { format: "PDF" },
            TableError::TooManyRows { limit: MAX_ROWS },
            TableError::Corrupt { detail: "secret path /x".into() },
        ];
        let codes: Vec<_> = errors.iter().map(TableError::code).collect();
        assert_eq!(codes, ["err.table.empty", "err.table.not_utf8", "err.table.unsupported", "err.table.too_many_rows", "err.table.corrupt"]);
        for e in &errors {
            assert_ne!(e.message("id"), e.message("en"));
            assert!(!e.message("id").contains("secret"));
        }
        assert!(errors[3].message("id-ID").contains("10000 baris"));
        assert!(errors[2].message("en").contains("PDF"));
    }

    #[test]
    fn cell_and_column_helpers() {
        let t = Table { headers: vec!["Judul".into(), " Tahun ".into()], rows: vec![vec!["a".into()]] };
        assert_eq!(t.cell(0, 0), "a");
        assert_eq!(t.cell(0, 1), "");
        assert_eq!(t.cell(5, 0), "");
        assert_eq!(t.column("tahun"), Some(1));
        assert_eq!(t.column("x"), None);
    }
}
