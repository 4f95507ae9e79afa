//! Text out of documents, for full-text search; content-type sniffing.
//!
//! The format is detected from the content (magic bytes, ZIP entry names); the file name's extension
//! is only a hint for text formats (CSV vs plain text vs HTML) and for damaged containers.
//! Hostile input must never panic, hang or exhaust memory: PDF parsing runs on its own thread under
//! `catch_unwind` and a time limit, ZIP entries are inflated with a size cap, and the output is capped
//! at [`MAX_TEXT_BYTES`].

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::sheet::{self, SheetProblem};
use crate::ziputil::{self, ZipProblem};

/// Most bytes of text returned by [`extract_text`] (cut at a character boundary).
pub const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;
/// Time allowed to the PDF parser before [`ExtractError::Timeout`].
pub const PDF_TIME_LIMIT: Duration = Duration::from_secs(30);

pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV: &str = "text/csv";
pub const TXT: &str = "text/plain";
pub const HTML: &str = "text/html";
pub const PNG: &str = "image/png";
pub const JPEG: &str = "image/jpeg";
pub const GIF: &str = "image/gif";
pub const WEBP: &str = "image/webp";
pub const OCTET_STREAM: &str = "application/octet-stream";

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file claims (by content or extension) to be `format` but cannot be read.
    #[error("corrupt {format} file: {detail}")]
    Corrupt { format: &'static str, detail: String },
    /// Over a safety limit (zip bomb, too many cells...).
    #[error("{format} file too large to index: {detail}")]
    TooLarge { format: &'static str, detail: String },
    /// The parser did not finish within [`PDF_TIME_LIMIT`].
    #[error("text extraction from {format} took too long")]
    Timeout { format: &'static str },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pdf,
    Docx,
    Xlsx,
    Csv,
    Text,
    Html,
    Png,
    Jpeg,
    Gif,
    Webp,
    Binary,
}

fn extension(filename: &str) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

fn detect(filename: &str, bytes: &[u8]) -> Kind {
    let ext = extension(filename);
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Kind::Pdf;
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Kind::Png;
    }
    if bytes.starts_with(b"\xFF\xD8\xFF") {
        return Kind::Jpeg;
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Kind::Gif;
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Kind::Webp;
    }
    if ziputil::is_zip(bytes) {
        return match ziputil::names(bytes) {
            Some(names) if names.iter().any(|n| n == "word/document.xml") => Kind::Docx,
            Some(names) if names.iter().any(|n| n == "xl/workbook.xml") => Kind::Xlsx,
            Some(_) => Kind::Binary,
            // A damaged archive: trust the extension so that the caller hears "corrupt DOCX".
            None => match ext.as_str() {
                "docx" => Kind::Docx,
                "xlsx" => Kind::Xlsx,
                _ => Kind::Binary,
            },
        };
    }
    if decode_text(bytes).is_some() {
        if matches!(ext.as_str(), "html" | "htm" | "xhtml") || looks_like_html(bytes) {
            return Kind::Html;
        }
        if matches!(ext.as_str(), "csv" | "tsv") {
            return Kind::Csv;
        }
        return Kind::Text;
    }
    Kind::Binary
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let head = String::from_utf8_lossy(head).trim_start_matches('\u{feff}').trim_start().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// Decodes text: UTF-8 (with or without BOM), UTF-16 with a BOM, or — when the bytes look like text
/// (no NUL, few control characters) — lossy UTF-8. `None` for binary data.
pub(crate) fn decode_text(bytes: &[u8]) -> Option<String> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Some(decode_utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Some(decode_utf16(rest, u16::from_be_bytes));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return None;
    }
    let control = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)).count();
    if control * 20 > sample.len() {
        return None;
    }
    Some(String::from_utf8_lossy(bytes).into_owned())
}

fn decode_utf16(bytes: &[u8], f: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| f([c[0], c[1]]));
    char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

/// The content type of a file, detected from its bytes (the extension only decides between CSV and
/// plain text, and names damaged DOCX/XLSX). Unknown → `application/octet-stream`.
pub fn sniff_content_type(filename: &str, bytes: &[u8]) -> &'static str {
    match detect(filename, bytes) {
        Kind::Pdf => PDF,
        Kind::Docx => DOCX,
        Kind::Xlsx => XLSX,
        Kind::Csv => CSV,
        Kind::Text => TXT,
        Kind::Html => HTML,
        Kind::Png => PNG,
        Kind::Jpeg => JPEG,
        Kind::Gif => GIF,
        Kind::Webp => WEBP,
        Kind::Binary => OCTET_STREAM,
    }
}

/// A short label for a content type, for lists and badges: "PDF", "DOCX", "XLSX", "CSV", "TXT",
/// "HTML", "PNG", "JPEG", "GIF", "WEBP", otherwise "Other". Parameters (`; charset=...`) are ignored.
pub fn format_label(content_type: &str) -> &'static str {
    let base = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match base.as_str() {
        PDF => "PDF",
        DOCX => "DOCX",
        XLSX => "XLSX",
        CSV => "CSV",
        TXT => "TXT",
        HTML => "HTML",
        PNG => "PNG",
        JPEG | "image/jpg" => "JPEG",
        GIF => "GIF",
        WEBP => "WEBP",
        _ => "Other",
    }
}

/// Extracts searchable text. `Ok(None)` when the format carries no text (images, unknown binary) or
/// when the document contains no text (e.g. a scanned PDF). Whitespace is normalised: runs of blanks
/// become one space (one tab if the run had a tab, as between spreadsheet cells), lines are trimmed,
/// at most one empty line in a row. Never panics; output capped at [`MAX_TEXT_BYTES`].
pub fn extract_text(filename: &str, bytes: &[u8]) -> Result<Option<String>, ExtractError> {
    let raw = match detect(filename, bytes) {
        Kind::Pdf => pdf_text(bytes)?,
        Kind::Docx => docx_text(bytes)?,
        Kind::Xlsx => xlsx_text(bytes)?,
        Kind::Csv | Kind::Text => decode_text(bytes).unwrap_or_default(),
        Kind::Html => html_text(&decode_text(bytes).unwrap_or_default()),
        Kind::Png | Kind::Jpeg | Kind::Gif | Kind::Webp | Kind::Binary => return Ok(None),
    };
    let text = normalise(&raw, MAX_TEXT_BYTES);
    Ok(if text.is_empty() { None } else { Some(text) })
}

fn pdf_text(bytes: &[u8]) -> Result<String, ExtractError> {
    let data = bytes.to_vec();
    let (tx, rx) = mpsc::channel();
    // Own thread: a big stack for deeply nested objects, and a time limit. If the parser loops
    // forever the thread is abandoned (it cannot be killed) but the caller gets its answer.
    let spawned = std::thread::Builder::new().name("pdf-extract".into()).stack_size(64 * 1024 * 1024).spawn(move || {
        let result = catch_unwind(AssertUnwindSafe(|| pdf_extract::extract_text_from_mem(&data)));
        let _ = tx.send(result.map(|r| r.map_err(|e| e.to_string())));
    });
    if let Err(e) = spawned {
        return Err(ExtractError::Corrupt { format: "PDF", detail: format!("cannot start parser thread: {e}") });
    }
    match rx.recv_timeout(PDF_TIME_LIMIT) {
        Ok(Ok(Ok(text))) => Ok(text),
        Ok(Ok(Err(detail))) => Err(ExtractError::Corrupt { format: "PDF", detail }),
        Ok(Err(_panic)) => Err(ExtractError::Corrupt { format: "PDF", detail: "the PDF parser crashed on this file".into() }),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(ExtractError::Timeout { format: "PDF" }),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(ExtractError::Corrupt { format: "PDF", detail: "the PDF parser stopped".into() }),
    }
}

fn zip_err(format: &'static str) -> impl Fn(ZipProblem) -> ExtractError {
    move |p| match p {
        ZipProblem::Corrupt(detail) => ExtractError::Corrupt { format, detail },
        ZipProblem::TooLarge(detail) => ExtractError::TooLarge { format, detail },
    }
}

fn docx_text(bytes: &[u8]) -> Result<String, ExtractError> {
    let mut archive = ziputil::open(bytes).map_err(zip_err("DOCX"))?;
    let xml = ziputil::read_entry(&mut archive, "word/document.xml")
        .map_err(zip_err("DOCX"))?
        .ok_or_else(|| ExtractError::Corrupt { format: "DOCX", detail: "no word/document.xml".into() })?;
    wordml_text(&xml).map_err(|detail| ExtractError::Corrupt { format: "DOCX", detail })
}

/// Text of WordprocessingML: `w:t` runs, paragraphs → newlines, `w:tab` → tab, `w:br` → newline.
/// Deleted text (`w:delText`) and field codes (`w:instrText`) are left out.
pub(crate) fn wordml_text(xml: &[u8]) -> Result<String, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = false;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => out.push('\n'),
                "tc" => out.push('\t'),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" | "p" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r.xml10_content()) {
                    out.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
        if out.len() > MAX_TEXT_BYTES * 2 {
            break;
        }
    }
    Ok(out)
}

fn xlsx_text(bytes: &[u8]) -> Result<String, ExtractError> {
    let sheets = sheet::read_xlsx(bytes, false, usize::MAX).map_err(|p| match p {
        SheetProblem::Corrupt(detail) => ExtractError::Corrupt { format: "XLSX", detail },
        SheetProblem::TooLarge(detail) => ExtractError::TooLarge { format: "XLSX", detail },
        SheetProblem::TooManyRows => ExtractError::TooLarge { format: "XLSX", detail: "too many rows".into() },
    })?;
    let mut out = String::new();
    for sheet in sheets {
        if sheet.rows.is_empty() {
            continue;
        }
        out.push_str(&sheet.name);
        out.push('\n');
        for row in &sheet.rows {
            out.push_str(&row.join("\t"));
            out.push('\n');
            if out.len() > MAX_TEXT_BYTES * 2 {
                return Ok(out);
            }
        }
        out.push('\n');
    }
    Ok(out)
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "title",
    "hr",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "nav",
    "main",
    "aside",
    "figcaption",
    "caption",
];

/// Strips tags from HTML: no `<script>`, `<style>`, comments; block elements → newlines, cells → tabs;
/// common entities decoded.
pub(crate) fn html_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase(); // same byte offsets as `html`
    let mut out = String::with_capacity(html.len() / 2);
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i = lower[i..].find("-->").map_or(html.len(), |p| i + p + 3);
        } else if rest.starts_with('<') {
            let tag_end = rest.find('>').map_or(html.len(), |p| i + p);
            let end = (tag_end + 1).min(html.len());
            let tag = &lower[i + 1..tag_end];
            let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if !tag.starts_with('/') && (name == "script" || name == "style") {
                let close = format!("</{name}");
                i = lower[end..].find(&close).map_or(html.len(), |p| end + p);
                continue;
            }
            if BLOCK_TAGS.contains(&name.as_str()) {
                // One line break per block boundary, however many tags meet there.
                let kept = out.trim_end_matches([' ', '\t']).len();
                out.truncate(kept);
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
            } else if name == "td" || name == "th" {
                out.push('\t');
            } else {
                out.push(' ');
            }
            i = end;
        } else if rest.starts_with('&') {
            let semi = rest.as_bytes()[..rest.len().min(12)].iter().position(|&b| b == b';');
            let decoded = semi.and_then(|p| html_entity(&rest[1..p]).map(|c| (c, p + 1)));
            match decoded {
                Some((c, len)) => {
                    out.push(c);
                    i += len;
                }
                None => {
                    out.push('&');
                    i += 1;
                }
            }
        } else {
            let next = rest.find(['<', '&']).unwrap_or(rest.len());
            out.push_str(&rest[..next]);
            i += next;
        }
    }
    out
}

fn html_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "deg" => '°',
        _ => return None,
    })
}

/// Whitespace normalisation and the size cap (see [`extract_text`]).
pub(crate) fn normalise(raw: &str, cap: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(cap));
    let mut blank_lines = 0usize;
    let unified = raw.replace("\r\n", "\n");
    for line in unified.split(['\n', '\r', '\u{0c}', '\u{2028}', '\u{2029}', '\u{0b}', '\u{85}']) {
        let mut cleaned = String::with_capacity(line.len());
        let mut pending: Option<char> = None; // a whitespace run waiting to be written
        for c in line.chars() {
            if c == '\t' {
                pending = Some('\t');
            } else if c.is_whitespace() {
                pending = Some(pending.unwrap_or(' '));
            } else if c.is_control() || matches!(c, '\u{feff}' | '\u{200b}' | '\u{ad}') {
                continue;
            } else {
                if let Some(ws) = pending.take() {
                    if !cleaned.is_empty() {
                        cleaned.push(ws);
                    }
                }
                cleaned.push(c);
            }
        }
        if cleaned.is_empty() {
            blank_lines += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_lines > 0 { "\n\n" } else { "\n" });
        }
        blank_lines = 0;
        out.push_str(&cleaned);
        if out.len() >= cap {
            let mut end = cap;
            while !out.is_char_boundary(end) {
                end -= 1;
            }
            out.truncate(end);
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_whitespace() {
        assert_eq!(normalise("  a   b \t c  \r\n\r\n\r\n\n  d\u{a0}\u{a0}e \n", 100), "a b\tc\n\nd e");
        assert_eq!(normalise("x\ny", 100), "x\ny");
        assert_eq!(normalise("\u{feff}zero\u{200b}width", 100), "zerowidth");
        assert_eq!(normalise(" \n\t\n ", 100), "");
    }

    #[test]
    fn cap_respects_char_boundaries() {
        let s = "é".repeat(100);
        let out = normalise(&s, 51);
        assert_eq!(out.len(), 50);
        assert!(out.chars().all(|c| c == 'é'));
    }

    #[test]
    fn html_stripping() {
        let html = "<!DOCTYPE html><html><head><title>Judul</title><style>p{color:red}</style><script>var x='<p>';</script></head>\
                    <body><!-- note --><h1>Daftar&nbsp;Informasi</h1><p>Anggaran &amp; Realisasi &#8211; 2024 &lt;final&gt;</p>\
                    <table><tr><td>a</td><td>b</td></tr></table>&unknown; x</body></html>";
        let text = normalise(&html_text(html), 1000);
        assert_eq!(text, "Judul\nDaftar Informasi\nAnggaran & Realisasi – 2024 <final>\na\tb\n&unknown; x");
        // Unterminated constructs do not loop or panic.
        for bad in ["<", "<é", "&é", "<é>", "<script", "<!--", "&", "&#xFFFFFFFF;", "<p", "a<b", "<script>never closed", "&#;"] {
            let _ = html_text(bad);
        }
    }

    #[test]
    fn wordml() {
        let xml = br#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>Halo</w:t></w:r><w:r><w:t xml:space="preserve"> dunia &amp; </w:t></w:r><w:r><w:tab/><w:t>&#233;</w:t></w:r></w:p>
            <w:p><w:r><w:delText>hapus</w:delText><w:t>kedua</w:t><w:br/><w:t>ketiga</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(normalise(&wordml_text(xml).unwrap(), 1000), "Halo dunia &\té\nkedua\nketiga");
        assert!(wordml_text(b"<w:p><w:t>unclosed</w:x>").is_err());
    }

    #[test]
    fn labels() {
        assert_eq!(format_label("application/pdf"), "PDF");
        assert_eq!(format_label("text/csv; charset=utf-8"), "CSV");
        assert_eq!(format_label(DOCX), "DOCX");
        assert_eq!(format_label(XLSX), "XLSX");
        assert_eq!(format_label("text/plain"), "TXT");
        assert_eq!(format_label("IMAGE/PNG"), "PNG");
        assert_eq!(format_label("image/jpeg"), "JPEG");
        assert_eq!(format_label("application/zip"), "Other");
        assert_eq!(format_label(""), "Other");
    }

    #[test]
    fn extensions() {
        assert_eq!(extension("a/b/Data.CSV"), "csv");
        assert_eq!(extension(".bashrc"), "");
        assert_eq!(extension("noext"), "");
        assert_eq!(extension("c:\\x\\y.tar.gz"), "gz");
    }
}
