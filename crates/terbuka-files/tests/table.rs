//! Tabular import / export.

use terbuka_files::table::{read_table_limited, MAX_ROWS};
use terbuka_files::{read_table, samples, write_csv, write_xlsx, Table, TableError};

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

#[test]
fn csv_with_bom_semicolon_quotes_newlines() {
    let csv = "\u{feff}Judul;Ringkasan;Tahun;\r\n\
               \"Laporan; Keuangan\";\"Baris satu\r\nbaris \"\"dua\"\"\";2024;\r\n\
               ;;;\r\n\
               \r\n  Renstra  ;Rencana;2025\r\n";
    let t = read_table("dip.csv", csv.as_bytes()).unwrap();
    assert_eq!(t.headers, strings(&["Judul", "Ringkasan", "Tahun"]), "trailing empty column dropped");
    assert_eq!(t.rows, vec![strings(&["Laporan; Keuangan", "Baris satu\r\nbaris \"dua\"", "2024"]), strings(&["Renstra", "Rencana", "2025"])]);
}

#[test]
fn csv_comma_tab_and_sep_hint() {
    let t = read_table("a.csv", b"a,b,c\n1,2,3\n4,5\n").unwrap();
    assert_eq!(t.headers, strings(&["a", "b", "c"]));
    assert_eq!(t.rows, vec![strings(&["1", "2", "3"]), strings(&["4", "5"])], "rows kept raw (short row not padded)");
    assert_eq!(t.cell(1, 2), "");

    let t = read_table("a.tsv", b"nama\tnilai, koma\nBudi\t1,5\n").unwrap();
    assert_eq!(t.headers, strings(&["nama", "nilai, koma"]));
    assert_eq!(t.rows, vec![strings(&["Budi", "1,5"])]);

    let t = read_table("excel.csv", b"sep=;\r\na,b;c\r\n1;2\r\n").unwrap();
    assert_eq!(t.headers, strings(&["a,b", "c"]));
    assert_eq!(t.rows, vec![strings(&["1", "2"])]);

    // Single column, no delimiter at all.
    let t = read_table("one.csv", b"judul\nsatu\ndua\n").unwrap();
    assert_eq!(t.headers, strings(&["judul"]));
    assert_eq!(t.rows.len(), 2);
}

#[test]
fn csv_utf16_with_bom() {
    let bytes: Vec<u8> = [0xFF, 0xFE].into_iter().chain("a;b\r\nç;2\r\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let t = read_table("u16.csv", &bytes).unwrap();
    assert_eq!(t.headers, strings(&["a", "b"]));
    assert_eq!(t.rows, vec![strings(&["ç", "2"])]);
}

#[test]
fn xlsx_written_then_read_back() {
    let headers = ["Nomor", "Judul Informasi", "Keterangan"];
    let rows = vec![
        strings(&["1", "Laporan Keuangan 2024", "Tersedia"]),
        strings(&["2", "=HYPERLINK(\"http://evil\")", "baris\nbaru"]),
        strings(&["3", "Ümlaut é 漢字", ""]),
        strings(&["4", "", "tanpa judul"]),
    ];
    let bytes = write_xlsx("DIP 2024", &headers, &rows);
    let t = read_table("dip.xlsx", &bytes).unwrap();
    assert_eq!(t.headers, strings(&headers));
    let mut expected = rows.clone();
    expected[2].pop(); // trailing empty cell is not stored
    assert_eq!(t.rows, expected);
    // samples::xlsx is the same writer.
    assert_eq!(read_table("s.xlsx", &samples::xlsx("s", &headers, &rows)).unwrap(), t);
}

#[test]
fn xlsx_numbers_dates_and_offset_ranges() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    // Table starts at B3.
    for (c, h) in ["Bilangan", "Desimal", "Tanggal", "Waktu", "Benar", "Rumus"].iter().enumerate() {
        ws.write_string(2, 1 + c as u16, *h).unwrap();
    }
    ws.write_number(3, 1, 42.0).unwrap();
    ws.write_number(3, 2, 3.25).unwrap();
    ws.write_datetime_with_format(3, 3, ExcelDateTime::from_ymd(2024, 3, 5).unwrap(), &date).unwrap();
    ws.write_datetime_with_format(3, 4, ExcelDateTime::from_ymd(2024, 12, 31).unwrap().and_hms(13, 45, 0).unwrap(), &datetime).unwrap();
    ws.write_boolean(3, 5, true).unwrap();
    ws.write_formula(3, 6, "=1+1").unwrap().set_formula_result(3, 6, "2");
    ws.write_number(4, 1, -1_234_567_890.0).unwrap();
    ws.write_number(4, 2, 0.1 + 0.2).unwrap();
    let t = read_table("angka.xlsx", &wb.save_to_buffer().unwrap()).unwrap();
    assert_eq!(t.headers, strings(&["Bilangan", "Desimal", "Tanggal", "Waktu", "Benar", "Rumus"]));
    assert_eq!(t.rows[0], strings(&["42", "3.25", "2024-03-05", "2024-12-31 13:45:00", "TRUE", "2"]));
    assert_eq!(t.rows[1], strings(&["-1234567890", "0.3"]));
}

#[test]
fn write_csv_format_and_formula_neutralisation() {
    let rows = vec![strings(&["=cmd|' /C calc'!A0", "+62 21 555", "-12.5", "@SUM(A1)"]), strings(&["koma, titik", "kutip \"ganda\"", "baris\nbaru", "biasa"])];
    let bytes = write_csv(&["Judul", "=Kepala", "Nilai", "Lain"], &rows);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert_eq!(
        text,
        "Judul,'=Kepala,Nilai,Lain\r\n\
         '=cmd|' /C calc'!A0,'+62 21 555,-12.5,'@SUM(A1)\r\n\
         \"koma, titik\",\"kutip \"\"ganda\"\"\",\"baris\nbaru\",biasa\r\n"
    );
    // And it reads back (neutralised cells keep their apostrophe).
    let t = read_table("export.csv", &bytes).unwrap();
    assert_eq!(t.headers, strings(&["Judul", "'=Kepala", "Nilai", "Lain"]));
    assert_eq!(t.rows[0], strings(&["'=cmd|' /C calc'!A0", "'+62 21 555", "-12.5", "'@SUM(A1)"]));
    assert_eq!(t.rows[1], rows[1]);
}

#[test]
fn empty_inputs() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b"   \r\n\n", b";;;\r\n;;\r\n", b",,,"] {
        assert_eq!(read_table("x.csv", bytes), Err(TableError::Empty), "{bytes:?}");
    }
    let header_only = read_table("h.csv", b"a;b\n").unwrap();
    assert_eq!(header_only, Table { headers: strings(&["a", "b"]), rows: vec![] });
    let empty_xlsx = write_xlsx("kosong", &[], &[]);
    assert_eq!(read_table("k.xlsx", &empty_xlsx), Err(TableError::Empty));
}

#[test]
fn not_utf8_unsupported_and_garbage() {
    assert_eq!(read_table("ansi.csv", b"nama;kota\nJos\xe9;Bogor\n"), Err(TableError::NotUtf8));
    assert_eq!(read_table("x.pdf", &samples::pdf("t", &["p"])), Err(TableError::Unsupported { format: "PDF" }));
    assert_eq!(read_table("x.docx", &samples::docx("t", &["p"])), Err(TableError::Unsupported { format: "DOCX" }));
    assert!(matches!(read_table("x.png", b"\x89PNG\r\n\x1a\n\0\0"), Err(TableError::Unsupported { .. })));
    assert!(matches!(read_table("old.xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0"), Err(TableError::Unsupported { .. })));

    let garbage: Vec<u8> = (0..10_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let err = read_table("garbage.csv", &garbage).unwrap_err();
    assert!(matches!(err, TableError::Unsupported { .. } | TableError::NotUtf8), "{err:?}");

    let xlsx = write_xlsx("s", &["a"], &[strings(&["1"])]);
    let truncated = read_table("t.xlsx", &xlsx[..xlsx.len() / 2]).unwrap_err();
    assert_eq!(truncated.code(), "err.table.corrupt");
    let mut broken = b"PK\x03\x04".to_vec();
    broken.extend_from_slice(&garbage);
    assert!(matches!(read_table("b.xlsx", &broken), Err(TableError::Corrupt { .. })));
}

#[test]
fn row_limit() {
    let mut csv = String::from("no;judul\n");
    for i in 0..MAX_ROWS {
        csv.push_str(&format!("{i};Dokumen {i}\n"));
    }
    assert_eq!(read_table("max.csv", csv.as_bytes()).unwrap().rows.len(), MAX_ROWS);
    csv.push_str("x;satu lagi\n");
    let err = read_table("over.csv", csv.as_bytes()).unwrap_err();
    assert_eq!(err, TableError::TooManyRows { limit: MAX_ROWS });
    assert_eq!(err.code(), "err.table.too_many_rows");

    let rows: Vec<Vec<String>> = (0..=MAX_ROWS).map(|i| vec![i.to_string()]).collect();
    let xlsx = write_xlsx("s", &["no"], &rows);
    assert_eq!(read_table("over.xlsx", &xlsx), Err(TableError::TooManyRows { limit: MAX_ROWS }));
    let xlsx = write_xlsx("s", &["no"], &rows[..MAX_ROWS]);
    assert_eq!(read_table("max.xlsx", &xlsx).unwrap().rows.len(), MAX_ROWS);
    // A longer limit for uploads that are long by nature (crisis back-fills); same formats.
    assert_eq!(read_table_limited("over.csv", csv.as_bytes(), 2 * MAX_ROWS).unwrap().rows.len(), MAX_ROWS + 1);
    let xlsx = write_xlsx("s", &["no"], &rows);
    assert_eq!(read_table_limited("over.xlsx", &xlsx, 2 * MAX_ROWS).unwrap().rows.len(), MAX_ROWS + 1);
    assert_eq!(read_table_limited("over.csv", csv.as_bytes(), 10).unwrap_err(), TableError::TooManyRows { limit: 10 });
}
