//! Text extraction and content sniffing, on documents made by `samples` and on hostile input.

use std::io::{Cursor, Write};

use terbuka_files::extract::{self, MAX_TEXT_BYTES};
use terbuka_files::{extract_text, format_label, samples, sniff_content_type, ExtractError};

const PARAS: &[&str] = &[
    "Pejabat Pengelola Informasi dan Dokumentasi (PPID) wajib menyediakan informasi publik secara berkala.",
    "Laporan keuangan tahun anggaran 2024 tersedia untuk diunduh; biaya salinan Rp 0,00.",
    "Karakter khusus: (kurung) dan \\garis miring\\ serta 100% aman.",
];

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

#[test]
fn pdf_round_trip() {
    let bytes = samples::pdf("Daftar Informasi Publik 2024", PARAS);
    assert!(bytes.starts_with(b"%PDF-1.4"));
    assert_eq!(sniff_content_type("laporan.pdf", &bytes), "application/pdf");
    assert_eq!(sniff_content_type("no-extension", &bytes), "application/pdf");
    let text = extract_text("laporan.pdf", &bytes).unwrap().expect("text");
    assert!(text.starts_with("Daftar Informasi Publik 2024"), "{text}");
    for p in PARAS {
        assert!(words(&text).windows(words(p).len()).any(|w| w == words(p).as_slice()), "missing {p:?} in {text:?}");
    }
}

#[test]
fn pdf_multi_page_and_latin1() {
    let long: Vec<String> =
        (0..120).map(|i| format!("Paragraf nomor {i} tentang pengadaan barang dan jasa di lingkungan pemerintah daerah, dengan rincian panjang.")).collect();
    let paras: Vec<&str> = long.iter().map(String::as_str).collect();
    let bytes = samples::pdf("Rencana Kerja — Café «Dinas»", &paras);
    let pages = bytes.windows(b"/Type /Page ".len()).filter(|w| w == b"/Type /Page ").count();
    assert!(pages >= 3, "{pages} pages");
    let text = extract_text("rk.pdf", &bytes).unwrap().unwrap();
    assert!(text.contains("Café"), "{}", &text[..200]);
    assert!(text.contains("—"));
    for i in [0, 57, 119] {
        assert!(text.contains(&format!("Paragraf nomor {i} tentang")), "paragraph {i}");
    }
    // Non-WinAnsi characters become '?'.
    let text = extract_text("x.pdf", &samples::pdf("漢字 title", &[])).unwrap().unwrap();
    assert_eq!(text, "?? title");
}

#[test]
fn docx_round_trip() {
    let bytes = samples::docx("Surat Keputusan", &["Baris pertama & <kedua>", "Paragraf dua\nbaris baru", "Ümlaut é 漢字"]);
    assert_eq!(sniff_content_type("sk.docx", &bytes), extract::DOCX);
    assert_eq!(sniff_content_type("sk.bin", &bytes), extract::DOCX, "detected by content");
    let text = extract_text("sk.docx", &bytes).unwrap().unwrap();
    assert_eq!(text, "Surat Keputusan\nBaris pertama & <kedua>\nParagraf dua\nbaris baru\nÜmlaut é 漢字");
}

#[test]
fn xlsx_all_sheets() {
    let rows = vec![vec!["Anggaran".to_string(), "1500000".to_string()], vec!["Realisasi".to_string(), "=1+1".to_string()]];
    let bytes = samples::xlsx("Keuangan", &["Uraian", "Nilai"], &rows);
    assert_eq!(sniff_content_type("k.xlsx", &bytes), extract::XLSX);
    let text = extract_text("k.xlsx", &bytes).unwrap().unwrap();
    assert_eq!(text, "Keuangan\nUraian\tNilai\nAnggaran\t1500000\nRealisasi\t=1+1");

    // Several sheets, all extracted.
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("Satu").unwrap().write_string(0, 0, "alpha").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Dua").unwrap();
    ws.write_number(3, 2, 7.0).unwrap();
    ws.write_string(3, 3, "beta").unwrap();
    let text = extract_text("multi.xlsx", &wb.save_to_buffer().unwrap()).unwrap().unwrap();
    assert_eq!(text, "Satu\nalpha\n\nDua\n7\tbeta");
}

#[test]
fn plain_text_csv_html() {
    let csv = "\u{feff}nama;nilai\r\nBudi;  10\r\n".as_bytes();
    assert_eq!(sniff_content_type("data.csv", csv), "text/csv");
    assert_eq!(sniff_content_type("data.txt", csv), "text/plain");
    assert_eq!(extract_text("data.csv", csv).unwrap().unwrap(), "nama;nilai\nBudi; 10");

    let latin1 = b"caf\xe9 au lait";
    assert_eq!(sniff_content_type("x.txt", latin1), "text/plain");
    assert_eq!(extract_text("x.txt", latin1).unwrap().unwrap(), "caf\u{fffd} au lait");

    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("Halo dunia".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert_eq!(extract_text("u16.txt", &utf16).unwrap().unwrap(), "Halo dunia");

    let html = b"<!doctype html><html><body><p>Satu</p><script>alert(1)</script><p>Dua &amp; tiga</p></body></html>";
    assert_eq!(sniff_content_type("page", html), "text/html");
    assert_eq!(format_label(sniff_content_type("page", html)), "HTML");
    assert_eq!(extract_text("page.html", html).unwrap().unwrap(), "Satu\nDua & tiga");

    assert_eq!(extract_text("empty.txt", b"").unwrap(), None);
    assert_eq!(extract_text("blank.txt", b" \n\t \r\n").unwrap(), None);
}

#[test]
fn images_and_binaries_have_no_text() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let jpeg = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";
    let gif = b"GIF89a\x01\0\x01\0";
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 256) as u8).collect();
    assert_eq!(sniff_content_type("a.png", png), "image/png");
    assert_eq!(sniff_content_type("a.txt", png), "image/png", "content wins over extension");
    assert_eq!(sniff_content_type("a.jpg", jpeg), "image/jpeg");
    assert_eq!(sniff_content_type("a.gif", gif), "image/gif");
    assert_eq!(sniff_content_type("a.bin", &binary), "application/octet-stream");
    assert_eq!(format_label("application/octet-stream"), "Other");
    for (name, bytes) in [("a.png", &png[..]), ("a.jpg", &jpeg[..]), ("a.gif", &gif[..]), ("a.bin", &binary[..])] {
        assert_eq!(extract_text(name, bytes).unwrap(), None, "{name}");
    }
    // A plain ZIP that is neither DOCX nor XLSX.
    let zip = make_zip(&[("readme.txt", b"hello")]);
    assert_eq!(sniff_content_type("a.zip", &zip), "application/octet-stream");
    assert_eq!(extract_text("a.zip", &zip).unwrap(), None);
}

#[test]
fn labels_for_sniffed_types() {
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("a.pdf", samples::pdf("t", &[]), "PDF"),
        ("a.docx", samples::docx("t", &[]), "DOCX"),
        ("a.xlsx", samples::xlsx("s", &["h"], &[]), "XLSX"),
        ("a.csv", b"a,b\n1,2\n".to_vec(), "CSV"),
        ("a.txt", b"hello".to_vec(), "TXT"),
    ];
    for (name, bytes, label) in cases {
        assert_eq!(format_label(sniff_content_type(name, &bytes)), label, "{name}");
    }
}

#[test]
fn output_is_capped() {
    let big = "kata ".repeat(1_000_000); // 5 MB
    let text = extract_text("big.txt", big.as_bytes()).unwrap().unwrap();
    assert!(text.len() <= MAX_TEXT_BYTES);
    assert!(text.len() > MAX_TEXT_BYTES - 10);
}

fn make_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn zip_bomb_docx_is_refused() {
    // ~100 MB of spaces inside a <w:t>, compressing to ~100 KB.
    let mut xml = br#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>"#.to_vec();
    xml.resize(xml.len() + 100 * 1024 * 1024, b' ');
    xml.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    let bomb = make_zip(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", &xml)]);
    drop(xml);
    assert!(bomb.len() < 1024 * 1024);
    match extract_text("bomb.docx", &bomb) {
        Err(ExtractError::TooLarge { format: "DOCX", .. }) => {}
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn zip_bomb_xlsx_is_refused() {
    let good = samples::xlsx("s", &["h"], &[]);
    // Same workbook plus a huge extra entry.
    let mut archive = zip::ZipArchive::new(Cursor::new(&good[..])).unwrap();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        zip.raw_copy_file(archive.by_index(i).unwrap()).unwrap();
    }
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zip.start_file("xl/media/huge.bin", options).unwrap();
    let chunk = vec![0u8; 1024 * 1024];
    for _ in 0..300 {
        zip.write_all(&chunk).unwrap();
    }
    let bomb = zip.finish().unwrap().into_inner();
    assert!(matches!(extract_text("bomb.xlsx", &bomb), Err(ExtractError::TooLarge { format: "XLSX", .. })));
    assert!(terbuka_files::read_table("bomb.xlsx", &bomb).is_err());
}

#[test]
fn corrupt_documents_are_errors_not_panics() {
    let pdf = samples::pdf("Judul", PARAS);
    let docx = samples::docx("Judul", PARAS);
    let xlsx = samples::xlsx("s", &["a", "b"], &[vec!["1".into(), "2".into()]]);

    assert!(matches!(extract_text("t.pdf", &pdf[..pdf.len() / 2]), Err(ExtractError::Corrupt { format: "PDF", .. }) | Ok(_)));
    assert!(matches!(extract_text("g.pdf", b"%PDF-1.7\n garbage garbage"), Err(ExtractError::Corrupt { format: "PDF", .. })));
    assert!(matches!(extract_text("t.docx", &docx[..docx.len() / 2]), Err(ExtractError::Corrupt { format: "DOCX", .. })));
    assert!(matches!(extract_text("t.xlsx", &xlsx[..xlsx.len() / 2]), Err(ExtractError::Corrupt { format: "XLSX", .. })));
    let bad_xml = make_zip(&[("word/document.xml", b"<w:document><w:p><w:t>unclosed</w:x>")]);
    assert!(matches!(extract_text("bad.docx", &bad_xml), Err(ExtractError::Corrupt { format: "DOCX", .. })));
}

/// Deterministic mutation fuzzing: flipped bytes, truncations, spliced garbage. Whatever comes back,
/// nothing panics or hangs.
#[test]
fn mutated_documents_never_panic() {
    let seeds = [
        ("f.pdf", samples::pdf("Judul dokumen", PARAS)),
        ("f.docx", samples::docx("Judul dokumen", PARAS)),
        ("f.xlsx", samples::xlsx("s", &["a", "b"], &[vec!["1".into(), "dua".into()], vec!["3".into(), "empat".into()]])),
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (name, seed) in &seeds {
        for round in 0..60 {
            let mut bytes = seed.clone();
            match round % 3 {
                0 => {
                    for _ in 0..1 + next() % 8 {
                        let i = (next() as usize) % bytes.len();
                        bytes[i] = next() as u8;
                    }
                }
                1 => bytes.truncate((next() as usize) % bytes.len()),
                _ => {
                    let i = (next() as usize) % bytes.len();
                    let garbage: Vec<u8> = (0..64).map(|_| next() as u8).collect();
                    bytes.splice(i..i, garbage);
                }
            }
            let _ = extract_text(name, &bytes);
            let _ = sniff_content_type(name, &bytes);
            let _ = terbuka_files::read_table(name, &bytes);
        }
    }
}
