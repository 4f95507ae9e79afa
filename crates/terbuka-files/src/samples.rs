//! Generates real, valid documents — for tests and for the demo seeder.
//!
//! * [`pdf`]: a hand-written PDF 1.4 (A4 pages, standard Helvetica fonts in WinAnsiEncoding, exact
//!   xref offsets), long text wrapped across lines and pages. Characters outside WinAnsi become `?`.
//! * [`docx`]: a minimal WordprocessingML package that Word and LibreOffice open.
//! * [`xlsx`]: a one-sheet workbook (see [`crate::table::write_xlsx`]).

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const PAGE_WIDTH: u32 = 595; // A4 in points
const PAGE_HEIGHT: u32 = 842;
const MARGIN: u32 = 50;
const BODY_SIZE: u32 = 11;
const BODY_LEADING: u32 = 14;
const BODY_CHARS: usize = 85; // fits 495 pt of 11 pt Helvetica for ordinary text
const TITLE_SIZE: u32 = 16;
const TITLE_LEADING: u32 = 20;
const TITLE_CHARS: usize = 50;

/// A valid PDF with `title` in bold and the paragraphs below it, wrapped across lines and A4 pages.
/// [`crate::extract::extract_text`] recovers the words.
pub fn pdf(title: &str, paragraphs: &[&str]) -> Vec<u8> {
    // Lay out lines: (font, size, y, text) per page.
    let mut pages: Vec<Vec<(&str, u32, u32, String)>> = vec![Vec::new()];
    let mut y = PAGE_HEIGHT - MARGIN;
    let mut place = |pages: &mut Vec<Vec<(&str, u32, u32, String)>>, font: &'static str, size: u32, leading: u32, text: String| {
        if y < MARGIN + leading {
            pages.push(Vec::new());
            y = PAGE_HEIGHT - MARGIN;
        }
        y -= leading;
        pages.last_mut().expect("at least one page").push((font, size, y, text));
    };
    for line in wrap(title, TITLE_CHARS) {
        place(&mut pages, "F2", TITLE_SIZE, TITLE_LEADING, line);
    }
    for paragraph in paragraphs {
        place(&mut pages, "F1", BODY_SIZE, BODY_LEADING / 2, String::new()); // paragraph gap
        for line in wrap(paragraph, BODY_CHARS) {
            place(&mut pages, "F1", BODY_SIZE, BODY_LEADING, line);
        }
    }

    // Objects 1..=4 are fixed; each page then takes two: the page and its content stream.
    let page_count = pages.len();
    let first_page_obj = 6;
    let mut objects: Vec<Vec<u8>> = Vec::new();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..page_count).map(|i| format!("{} 0 R", first_page_obj + 2 * i)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {page_count} >>", kids.join(" ")).into_bytes());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec());
    objects.push(format!("<< /Title {} /Producer (Terbuka) >>", utf16_hex_string(title)).into_bytes());
    for (i, lines) in pages.iter().enumerate() {
        let content_obj = first_page_obj + 2 * i + 1;
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content_obj} 0 R >>"
            )
            .into_bytes(),
        );
        let mut stream = Vec::new();
        for (font, size, y, text) in lines {
            if text.is_empty() {
                continue;
            }
            stream.extend_from_slice(format!("BT /{font} {size} Tf {MARGIN} {y} Td (").as_bytes());
            stream.extend_from_slice(&pdf_string_bytes(text));
            stream.extend_from_slice(b") Tj ET\n");
        }
        let mut obj = format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes();
        obj.extend_from_slice(&stream);
        obj.extend_from_slice(b"\nendstream");
        objects.push(obj);
    }

    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    let mut xref = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(xref, "{offset:010} 00000 n ");
    }
    let _ = write!(xref, "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref_at}\n%%EOF\n", objects.len() + 1);
    out.extend_from_slice(xref.as_bytes());
    out
}

/// Greedy word wrap at `width` characters; words longer than a line are split. Newlines in the
/// text start new lines.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for source_line in text.lines() {
        let mut line = String::new();
        let mut line_chars = 0;
        for word in source_line.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            while word.len() > width {
                if line_chars > 0 {
                    lines.push(std::mem::take(&mut line));
                    line_chars = 0;
                }
                lines.push(word.drain(..width).collect());
            }
            if line_chars > 0 && line_chars + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
                line_chars = 0;
            }
            if line_chars > 0 {
                line.push(' ');
                line_chars += 1;
            }
            line_chars += word.len();
            line.extend(word);
        }
        if line_chars > 0 {
            lines.push(line);
        }
    }
    lines
}

/// A PDF literal string body in WinAnsiEncoding: `( ) \` escaped, bytes ≥ 0x80 as octal escapes,
/// characters WinAnsi lacks as `?`.
fn pdf_string_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let b = win_ansi(c).unwrap_or(b'?');
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out
}

fn win_ansi(c: char) -> Option<u8> {
    let code = c as u32;
    match code {
        0x20..=0x7e | 0xa0..=0xff => Some(code as u8),
        0x09 => Some(b' '),
        _ => Some(match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8a,
            '‹' => 0x8b,
            'Œ' => 0x8c,
            'Ž' => 0x8e,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9a,
            '›' => 0x9b,
            'œ' => 0x9c,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            _ => return None,
        }),
    }
}

/// A PDF text string as UTF-16BE hex with BOM (any Unicode, used for /Info).
fn utf16_hex_string(text: &str) -> String {
    let mut s = String::from("<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(s, "{unit:04X}");
    }
    s.push('>');
    s
}

/// A minimal valid DOCX: `title` as a bold centred paragraph, then one paragraph per entry
/// (newlines inside an entry become line breaks).
pub fn docx(title: &str, paragraphs: &[&str]) -> Vec<u8> {
    let mut body = String::new();
    let _ = write!(body, r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="32"/></w:rPr>{}</w:r></w:p>"#, runs_text(title));
    for paragraph in paragraphs {
        let _ = write!(body, "<w:p><w:r>{}</w:r></w:p>", runs_text(paragraph));
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    );
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in [("[Content_Types].xml", content_types), ("_rels/.rels", rels), ("word/document.xml", document.as_str())] {
        // Writing to memory cannot fail.
        zip.start_file(name, options).expect("in-memory zip");
        zip.write_all(content.as_bytes()).expect("in-memory zip");
    }
    zip.finish().expect("in-memory zip").into_inner()
}

/// `<w:t>` runs for a text, with `<w:br/>` for newlines.
fn runs_text(text: &str) -> String {
    text.split('\n').map(|line| format!(r#"<w:t xml:space="preserve">{}</w:t>"#, xml_escape(line.trim_end_matches('\r')))).collect::<Vec<_>>().join("<w:br/>")
}

/// Escapes XML text and drops characters XML 1.0 forbids.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A one-sheet XLSX with a bold header row (same as [`crate::table::write_xlsx`]).
pub fn xlsx(sheet: &str, headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    crate::table::write_xlsx(sheet, headers, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping() {
        assert_eq!(wrap("satu dua tiga empat", 9), ["satu dua", "tiga", "empat"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb", 80), ["a", "b"]);
        assert!(wrap("   ", 10).is_empty());
        for line in wrap(&"kata ".repeat(500), BODY_CHARS) {
            assert!(line.chars().count() <= BODY_CHARS);
        }
    }

    #[test]
    fn pdf_strings() {
        assert_eq!(pdf_string_bytes(r"a(b)c\d"), br"a\(b\)c\\d".to_vec());
        assert_eq!(pdf_string_bytes("é€漢"), b"\\351\\200?".to_vec());
        assert_eq!(utf16_hex_string("Aé"), "<FEFF004100E9>");
    }

    #[test]
    fn pdf_xref_offsets_are_exact() {
        let bytes = pdf("Judul", &[&"Lorem ipsum dolor sit amet. ".repeat(400)]);
        // Latin-1 view: one char per byte, so char offsets equal byte offsets.
        let text: Vec<char> = bytes.iter().map(|&b| b as char).collect();
        let at = |offset: usize, pat: &str| text[offset..].iter().take(pat.len()).copied().eq(pat.chars());
        let s: String = text.iter().collect();
        let startxref: usize = s.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        assert!(at(startxref, "xref\n"));
        let tail: String = text[startxref..].iter().collect();
        let entries: Vec<&str> = tail.lines().skip(3).take_while(|l| !l.starts_with("trailer")).collect();
        assert!(entries.len() > 7, "several pages expected");
        for (i, entry) in entries.iter().enumerate() {
            assert_eq!(entry.len() + 1, 20, "xref entries are 20 bytes");
            let offset: usize = entry[..10].parse().unwrap();
            assert!(at(offset, &format!("{} 0 obj\n", i + 1)), "object {}", i + 1);
        }
        let count: usize = s.split("/Count ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(count >= 2, "long text spans pages");
        // Every content stream's /Length is exact.
        for part in s.split("<< /Length ").skip(1) {
            let (len, rest) = part.split_once(" >>\nstream\n").unwrap();
            let len: usize = len.parse().unwrap();
            let rest: Vec<char> = rest.chars().collect();
            assert!(rest[len..].iter().take(10).copied().eq("\nendstream".chars()));
        }
    }
}
