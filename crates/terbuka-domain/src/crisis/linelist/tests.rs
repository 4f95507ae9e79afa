use super::*;
use crate::crisis::test_support::{d, jakarta};
use std::collections::BTreeMap;

const HEADER: &str = "tanggal,kelurahan,status,umur,jenis_kelamin\n";

/// Six cases in Gambir (31.71.01), counted by hand below.
const SMALL: &str = "tanggal,kelurahan,status,umur,jenis_kelamin
2021-07-01,31.71.01.1001,dirawat,34,L
2021-07-01,31.71.01.1001,sembuh,29,P
2021-07-01,31.71.01.1002,meninggal,80,L
2021-07-03,31.71.01.1001,isolasi_mandiri,,
2021-07-03,31.71.01.1001,sembuh,5,P
2021-07-02,31.71.01.1003,sembuh,41,
";

fn gambir() -> Options {
    Options { within: Some("31.71.01".to_string()), ..Options::default() }
}

fn counts(t: u32, i: u32, r: u32, m: u32) -> DayCounts {
    DayCounts { in_treatment: t, self_isolation: i, recovered: r, deaths: m }
}

fn problem(line: u64, column: &'static str, code: &'static str) -> LineListProblem {
    LineListProblem { line, column, code }
}

/// The problems of a refused list.
fn problems_of(text: &str, options: &Options) -> LineListErrors {
    match aggregate(text.as_bytes(), &jakarta(), options) {
        Ok(a) => panic!("accepted: {} rows", a.rows()),
        Err(e) => e,
    }
}

/// Every observation's value, keyed by (region, date, measure).
fn values(obs: &[Observation]) -> BTreeMap<(String, NaiveDate, String), f64> {
    obs.iter().map(|o| ((o.region.clone(), o.date, o.measure.clone()), o.value)).collect()
}

#[test]
fn counts_a_small_list_by_kelurahan_day_and_status() {
    let a = aggregate(SMALL.as_bytes(), &jakarta(), &gambir()).unwrap();
    assert_eq!(a.rows(), 6);
    assert_eq!(a.kelurahan().len(), 6, "Gambir has six kelurahan");
    assert_eq!((a.first_date(), a.last_date(), a.days()), (d("2021-07-01"), d("2021-07-03"), 3));
    assert_eq!(a.get("31.71.01.1001", d("2021-07-01")), Some(counts(1, 0, 1, 0)));
    assert_eq!(a.get("31.71.01.1001", d("2021-07-02")), Some(counts(0, 0, 0, 0)));
    assert_eq!(a.get("31.71.01.1001", d("2021-07-03")), Some(counts(0, 1, 1, 0)));
    assert_eq!(a.get("31.71.01.1002", d("2021-07-01")), Some(counts(0, 0, 0, 1)));
    assert_eq!(a.get("31.71.01.1003", d("2021-07-02")), Some(counts(0, 0, 1, 0)));
    assert_eq!(a.get("31.71.01.1001", d("2021-07-04")), None, "after the last date");
    assert_eq!(a.get("31.72.01.1001", d("2021-07-01")), None, "outside the scope");
    assert_eq!(a.get("31.71.01.1001", d("2021-07-01")).unwrap().confirmed(), 2);
    assert_eq!(a.groups(), 4);
    let cells: Vec<(&str, NaiveDate, u64)> = a.cells().map(|(k, day, c)| (k, day, c.confirmed())).collect();
    assert_eq!(
        cells,
        [
            ("31.71.01.1001", d("2021-07-01"), 2),
            ("31.71.01.1001", d("2021-07-03"), 2),
            ("31.71.01.1002", d("2021-07-01"), 1),
            ("31.71.01.1003", d("2021-07-02"), 1),
        ]
    );
    assert_eq!(a.totals(), counts(1, 1, 3, 1));
}

#[test]
fn observations_are_cumulative_for_every_kelurahan_on_every_day() {
    let a = aggregate(SMALL.as_bytes(), &jakarta(), &gambir()).unwrap();
    let obs = a.to_observations();
    assert_eq!(obs.len(), 6 * 3 * 3, "6 kelurahan × 3 days × 3 measures, no gap");
    let v = values(&obs);
    let series =
        |k: &str, m: &str| -> Vec<f64> { ["2021-07-01", "2021-07-02", "2021-07-03"].iter().map(|day| v[&(k.to_string(), d(day), m.to_string())]).collect() };
    assert_eq!(series("31.71.01.1001", "confirmed"), [2.0, 2.0, 4.0], "no case on the 2nd: same as the 1st");
    assert_eq!(series("31.71.01.1001", "recovered"), [1.0, 1.0, 2.0]);
    assert_eq!(series("31.71.01.1001", "deaths"), [0.0, 0.0, 0.0]);
    assert_eq!(series("31.71.01.1002", "confirmed"), [1.0, 1.0, 1.0]);
    assert_eq!(series("31.71.01.1002", "deaths"), [1.0, 1.0, 1.0]);
    assert_eq!(series("31.71.01.1003", "confirmed"), [0.0, 1.0, 1.0]);
    assert_eq!(series("31.71.01.1003", "recovered"), [0.0, 1.0, 1.0]);
    for k in ["31.71.01.1004", "31.71.01.1005", "31.71.01.1006"] {
        for m in ["confirmed", "recovered", "deaths"] {
            assert_eq!(series(k, m), [0.0, 0.0, 0.0], "{k} {m}: no case at all is zero");
        }
    }
    assert!(obs.iter().all(|o| o.note.is_none()));
    // The measures are the Covid-19 definition's.
    let def = crate::crisis::Definition::parse(crate::crisis::COVID19_DEFINITION).unwrap();
    assert!(obs.iter().all(|o| def.measure(&o.measure).is_some()));
}

#[test]
fn the_export_date_extends_the_series_and_gives_the_snapshot() {
    let options = Options { as_of: Some(d("2021-07-05")), ..gambir() };
    let a = aggregate(SMALL.as_bytes(), &jakarta(), &options).unwrap();
    assert_eq!((a.last_case_date(), a.last_date(), a.days()), (d("2021-07-03"), d("2021-07-05"), 5));
    let obs = a.to_observations();
    assert_eq!(obs.len(), 6 * (5 * 3 + 2));
    let v = values(&obs);
    let at = |k: &str, day: &str, m: &str| v.get(&(k.to_string(), d(day), m.to_string())).copied();
    assert_eq!(at("31.71.01.1001", "2021-07-05", "confirmed"), Some(4.0));
    assert_eq!(at("31.71.01.1001", "2021-07-05", "in_treatment"), Some(1.0));
    assert_eq!(at("31.71.01.1001", "2021-07-05", "self_isolation"), Some(1.0));
    assert_eq!(at("31.71.01.1001", "2021-07-03", "in_treatment"), None, "statuses are true on the export date only");
    assert_eq!(at("31.71.01.1006", "2021-07-05", "in_treatment"), Some(0.0));
    // Without an export date there is no snapshot.
    let plain = aggregate(SMALL.as_bytes(), &jakarta(), &gambir()).unwrap().to_observations();
    assert!(plain.iter().all(|o| o.measure != "in_treatment" && o.measure != "self_isolation"));
}

#[test]
fn the_whole_hierarchy_is_the_default_scope() {
    let a = aggregate(SMALL.as_bytes(), &jakarta(), &Options::default()).unwrap();
    assert_eq!(a.kelurahan().len(), 267);
    assert_eq!(a.to_observations().len(), 267 * 3 * 3);
}

#[test]
fn every_kind_of_bad_row_is_reported_by_line_and_column() {
    let text = "tanggal,kelurahan,status,umur,jenis_kelamin
2021-02-29,31.71.01.1001,dirawat,34,L
2021-07-01,31.71.01.9999,dirawat,34,L
2021-07-01,31.71.01,dirawat,34,L
2021-07-01,31.71.01.1001,positif,34,L
2021-07-01,31.71.01.1001,sembuh,121,L
2021-07-01,31.71.01.1001,sembuh,34,X
2021-07-01,31.71.01.1001,sembuh,34
,31.71.01.1001,sembuh,34,L
2021-07-01,\"31.71.01.1001,sembuh,34,L
1999-12-31,31.71.01.1001,sembuh,-1,L
2021-07-01,31.72.01.1001,sembuh,34,L
2021-07-01,31.71.01.1001,sembuh,34,L,extra
2021-07-01,31.71.01.1001,,34,L
2021-7-1,,sembuh,34,L
2021-07-01,\"31.71.01.1001\"x,sembuh,34,L
2021-07-01,31.71.01.1001,sembuh,34,L
";
    let e = problems_of(text, &gambir());
    let want = vec![
        problem(2, "tanggal", "err.linelist_date"),
        problem(3, "kelurahan", "err.linelist_region_unknown"),
        problem(4, "kelurahan", "err.linelist_region_level"),
        problem(5, "status", "err.linelist_status"),
        problem(6, "umur", "err.linelist_age"),
        problem(7, "jenis_kelamin", "err.linelist_sex"),
        problem(8, "", "err.linelist_field_count"),
        problem(9, "tanggal", "err.required"),
        problem(10, "kelurahan", "err.linelist_quote"),
        problem(11, "tanggal", "err.linelist_date_range"),
        problem(11, "umur", "err.linelist_age"),
        problem(12, "kelurahan", "err.linelist_region_scope"),
        problem(13, "", "err.linelist_field_count"),
        problem(14, "status", "err.required"),
        problem(15, "tanggal", "err.linelist_date"),
        problem(15, "kelurahan", "err.required"),
        problem(16, "kelurahan", "err.linelist_quote"),
    ];
    assert_eq!(e.problems, want);
    assert_eq!(e.total, want.len() as u64);
    for p in &e.problems {
        assert!(PROBLEM_CODES.contains(&p.code), "{} is listed for the catalogs", p.code);
    }
    // The same list with the whole hierarchy as scope: line 12 is fine then.
    let e = problems_of(text, &Options::default());
    assert!(!e.problems.iter().any(|p| p.line == 12));
    assert_eq!(e.total, want.len() as u64 - 1);
}

#[test]
fn one_bad_row_refuses_the_whole_file() {
    let mut text = SMALL.to_string();
    text.push_str("2021-07-04,31.71.01.1001,sembuh,34,perempuan\n");
    let e = problems_of(&text, &gambir());
    assert_eq!(e.problems, [problem(8, "jenis_kelamin", "err.linelist_sex")]);
    assert_eq!(e.total, 1);
    assert!(e.to_string().contains("1 problem"));
}

#[test]
fn the_problem_list_is_capped_but_every_problem_is_counted() {
    let mut text = HEADER.to_string();
    for _ in 0..50 {
        text.push_str("2021-07-01,31.71.01.1001,sembuh,200,L\n");
    }
    let options = Options { max_problems: 7, threads: 3, chunk_bytes: 100, ..Options::default() };
    let e = problems_of(&text, &options);
    assert_eq!(e.total, 50);
    assert_eq!(e.problems, (2..9).map(|line| problem(line, "umur", "err.linelist_age")).collect::<Vec<_>>());
}

#[test]
fn dates_after_the_export_or_too_far_apart_are_refused() {
    let options = Options { as_of: Some(d("2021-07-02")), ..gambir() };
    let e = problems_of(SMALL, &options);
    assert_eq!(e.problems, [problem(5, "tanggal", "err.linelist_date_future"), problem(6, "tanggal", "err.linelist_date_future")]);

    let options = Options { max_days: 2, ..gambir() };
    let e = problems_of(SMALL, &options);
    assert_eq!(e.problems, [problem(5, "tanggal", "err.linelist_date_span")], "named at the first row of the latest date");
    assert!(aggregate(SMALL.as_bytes(), &jakarta(), &Options { max_days: 3, ..gambir() }).is_ok());

    let options = Options { as_of: Some(d("1999-01-01")), ..gambir() };
    assert_eq!(problems_of(SMALL, &options).problems, [problem(0, "tanggal", "err.linelist_date_range")]);
}

#[test]
fn leap_days_and_month_ends_are_checked() {
    for (date, ok) in [
        ("2020-02-29", true),
        ("2021-02-29", false),
        ("2000-02-29", true),
        ("2099-12-31", true),
        ("2021-04-31", false),
        ("2021-13-01", false),
        ("2021-00-10", false),
        ("2021-01-00", false),
    ] {
        let text = format!("{HEADER}{date},31.71.01.1001,sembuh,,\n");
        let got = aggregate(text.as_bytes(), &jakarta(), &gambir());
        assert_eq!(got.is_ok(), ok, "{date}");
        if let Ok(a) = got {
            assert_eq!(a.first_date(), d(date));
        }
    }
    let e = problems_of(&format!("{HEADER}2100-01-01,31.71.01.1001,sembuh,,\n"), &gambir());
    assert_eq!(e.problems, [problem(2, "tanggal", "err.linelist_date_range")]);
}

#[test]
fn header_problems() {
    let e = problems_of("tanggal,kode,status\n2021-07-01,31.71.01.1001,sembuh\n", &gambir());
    assert_eq!(e.problems, [problem(1, "kelurahan", "err.linelist_missing_column")]);
    let e = problems_of("umur,umur\n", &gambir());
    assert_eq!(
        e.problems,
        [
            problem(1, "tanggal", "err.linelist_missing_column"),
            problem(1, "kelurahan", "err.linelist_missing_column"),
            problem(1, "status", "err.linelist_missing_column"),
            problem(1, "umur", "err.linelist_duplicate_column"),
        ]
    );
    let e = problems_of("tanggal,kelurahan,status,Status\n", &gambir());
    assert_eq!(e.problems, [problem(1, "status", "err.linelist_duplicate_column")]);
    let e = problems_of("tanggal,\"kelurahan,status\n", &gambir());
    assert_eq!(e.problems, [problem(1, "", "err.linelist_quote")]);
}

#[test]
fn empty_files_and_header_only_are_refused() {
    for text in ["", "\u{feff}", "\n\n", "  \r\n"] {
        assert_eq!(problems_of(text, &gambir()).problems, [problem(1, "", "err.linelist_empty")], "{text:?}");
    }
    for text in [HEADER, HEADER.trim_end(), "tanggal,kelurahan,status,umur,jenis_kelamin\r\n\r\n\n"] {
        assert_eq!(problems_of(text, &gambir()).problems, [problem(2, "", "err.linelist_empty")], "{text:?}");
    }
}

#[test]
fn bom_crlf_column_order_extra_columns_and_quotes_change_nothing() {
    let want = aggregate(SMALL.as_bytes(), &jakarta(), &gambir()).unwrap();
    // Columns reordered and renamed in case, an extra column, a BOM, CRLF, quotes of every kind,
    // spaces around values, a blank line, and no line end at the end.
    let text = "\u{feff}Jenis_Kelamin,\"STATUS\",id_kasus,Umur,Kelurahan,Tanggal\r
L,dirawat,\"A-1, \"\"first\"\"\",34,31.71.01.1001,2021-07-01\r
\"P\",Sembuh,A-2,29,\"31.71.01.1001\",\"2021-07-01\"\r
L, meninggal ,A-3,80,31.71.01.1002 ,2021-07-01\r
\r
,isolasi_mandiri,\"\",\"\",31.71.01.1001,2021-07-03\r
p,sembuh,\"A-5\r\",5,31.71.01.1001,2021-07-03\r
,sembuh,A-6,41,31.71.01.1003,\"2021-07-02\" ";
    let got = aggregate(text.as_bytes(), &jakarta(), &gambir());
    let got = match got {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(got, want);
}

#[test]
fn a_line_break_inside_a_quoted_field_is_refused() {
    let text = format!("{HEADER}2021-07-01,31.71.01.1001,sembuh,34,\"L\nP\"\n2021-07-01,31.71.01.1001,sembuh,34,L\n");
    let e = problems_of(&text, &gambir());
    assert_eq!(e.problems[0], problem(2, "jenis_kelamin", "err.linelist_quote"));
    // The rest of the broken field is read as a line of its own, and the next line is line 4.
    assert!(e.problems.iter().all(|p| p.line == 2 || p.line == 3), "{:?}", e.problems);
}

/// A tiny deterministic generator for the tests below (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A valid list of `n` rows over all of Jakarta in random layouts (quotes, CRLF, blank lines),
/// and the counts a plain reading of it gives: (kelurahan, date) → cases by status.
fn random_list(seed: u64, n: usize) -> (String, BTreeMap<(String, NaiveDate), [u32; 4]>) {
    let regions = jakarta();
    let codes: Vec<String> = regions.at_level(RegionLevel::Kelurahan).map(|r| r.code.clone()).collect();
    let mut rng = Rng(seed | 1);
    let mut text = String::from("tanggal,kelurahan,status,umur,jenis_kelamin\n");
    let mut want: BTreeMap<(String, NaiveDate), [u32; 4]> = BTreeMap::new();
    let start = d("2020-03-01");
    for _ in 0..n {
        let code = &codes[rng.below(codes.len())];
        let date = start + Days::new(rng.below(90) as u64);
        let status = rng.below(4);
        want.entry((code.clone(), date)).or_default()[status] += 1;
        let q = |rng: &mut Rng, v: &str| if rng.below(5) == 0 { format!("\"{v}\"") } else { v.to_string() };
        let age = if rng.below(10) == 0 { String::new() } else { rng.below(121).to_string() };
        let sex = ["L", "P", ""][rng.below(3)];
        let eol = if rng.below(4) == 0 { "\r\n" } else { "\n" };
        let row = [q(&mut rng, &date.to_string()), q(&mut rng, code), q(&mut rng, STATUSES[status]), q(&mut rng, &age), q(&mut rng, sex)];
        text.push_str(&row.join(","));
        text.push_str(eol);
        if rng.below(50) == 0 {
            text.push('\n');
        }
    }
    (text, want)
}

#[test]
fn agrees_with_a_plain_count_of_a_random_list() {
    let (text, want) = random_list(7, 3000);
    let a = aggregate(text.as_bytes(), &jakarta(), &Options::default()).unwrap();
    let got: BTreeMap<(String, NaiveDate), [u32; 4]> =
        a.cells().map(|(k, day, c)| ((k.to_string(), day), [c.in_treatment, c.self_isolation, c.recovered, c.deaths])).collect();
    assert_eq!(got, want);
    assert_eq!(a.rows(), 3000);
    assert_eq!(a.groups(), want.len());
}

#[test]
fn chunking_and_threads_change_nothing() {
    let (text, _) = random_list(11, 2000);
    let one = aggregate(text.as_bytes(), &jakarta(), &Options { threads: 1, ..Options::default() }).unwrap();
    for threads in [1, 2, 3, 8] {
        for chunk_bytes in [1, 7, 64, 1000, 1 << 20] {
            let options = Options { threads, chunk_bytes, ..Options::default() };
            assert_eq!(aggregate(text.as_bytes(), &jakarta(), &options).unwrap(), one, "{threads} threads, chunks of {chunk_bytes}");
        }
    }
}

#[test]
fn line_numbers_survive_chunking() {
    // A valid list, with bad rows put in at known lines.
    let (text, _) = random_list(13, 1500);
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let bad = [
        (40usize, "2021-07-01,31.71.01.1001,sembuh,999,L\n", "umur", "err.linelist_age"),
        (41, "2021-07-01,31.71.01.1001,x,,\n", "status", "err.linelist_status"),
    ];
    let more = [
        (700usize, "2021-07-01,\"31.71.01.1001,sembuh,,\r\n", "kelurahan", "err.linelist_quote"),
        (1200, "2021-07-01,3171011001,sembuh,,\n", "kelurahan", "err.linelist_region_unknown"),
    ];
    let mut expected = Vec::new();
    for (line, row, column, code) in bad.iter().chain(more.iter()) {
        // `line` is 1-based; the header is line 1.
        lines[line - 1] = row.to_string();
        expected.push(problem(*line as u64, column, code));
    }
    let text = lines.concat();
    for threads in [1, 2, 4] {
        for chunk_bytes in [0, 1, 50, 333, 4096] {
            let options = Options { threads, chunk_bytes, ..Options::default() };
            let e = problems_of(&text, &options);
            assert_eq!(e.problems, expected, "{threads} threads, chunks of {chunk_bytes}");
            assert_eq!(e.total, 4);
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let regions = jakarta();
    let mut rng = Rng(0x5eed);
    let alphabet = b"0123456789-.,\"\r\n abcLP\xEF\xBB\xBF\xff";
    let (valid, _) = random_list(17, 60);
    for round in 0..1500 {
        let bytes: Vec<u8> = if round % 2 == 0 {
            // Pure noise, sometimes behind a valid header.
            let n = rng.below(300);
            let mut b: Vec<u8> = if rng.below(2) == 0 { HEADER.as_bytes().to_vec() } else { Vec::new() };
            b.extend((0..n).map(|_| if rng.below(3) == 0 { rng.next() as u8 } else { alphabet[rng.below(alphabet.len())] }));
            b
        } else {
            // A valid list with a few bytes changed, dropped or cut.
            let mut b = valid.as_bytes().to_vec();
            for _ in 0..1 + rng.below(4) {
                if b.is_empty() {
                    break;
                }
                let i = rng.below(b.len());
                match rng.below(3) {
                    0 => b[i] = alphabet[rng.below(alphabet.len())],
                    1 => {
                        b.remove(i);
                    }
                    _ => b.truncate(i),
                }
            }
            b
        };
        let options = Options { threads: 1 + rng.below(3), chunk_bytes: rng.below(64), max_problems: rng.below(20), ..Options::default() };
        match aggregate(&bytes, &regions, &options) {
            Ok(a) => {
                assert_eq!(a.totals().confirmed(), a.rows());
                assert_eq!(a.to_observations().len(), 267 * a.days() * 3);
            }
            Err(e) => {
                assert!(e.total >= 1);
                assert!(e.problems.len() <= options.max_problems);
                assert!(e.problems.windows(2).all(|w| w[0].line <= w[1].line), "problems in file order");
            }
        }
    }
}

#[test]
fn pieces_of_any_size_give_the_same_answer() {
    let regions = jakarta();
    let (text, _) = random_list(19, 600);
    let with_bom = format!("\u{feff}{text}");
    // Three rows made bad, so the problems (and their line numbers) are compared too.
    let bad = text.replacen(",sembuh,", ",sembuh_,", 3);
    let options = Options { threads: 2, ..Options::default() };
    let mut rng = Rng(23);
    for input in [with_bom.as_str(), bad.as_str(), HEADER, HEADER.trim_end(), "", "\u{feff}"] {
        let whole = aggregate(input.as_bytes(), &regions, &options);
        if input.len() > 1000 {
            assert_eq!(whole.is_ok(), input == with_bom);
        }
        for piece in [1, 2, 3, 7, 64, 1000] {
            let mut reader = LineListReader::new(&regions, &options);
            for p in input.as_bytes().chunks(piece) {
                reader.push(p);
            }
            assert_eq!(reader.finish(), whole, "pieces of {piece} bytes");
        }
        // Random cuts, and empty pushes between them.
        let mut reader = LineListReader::new(&regions, &options);
        let mut rest = input.as_bytes();
        while !rest.is_empty() {
            let (now, later) = rest.split_at(rng.below(rest.len().min(200)) + 1);
            reader.push(now);
            reader.push(b"");
            rest = later;
        }
        assert_eq!(reader.finish(), whole, "random pieces");
    }
}

#[test]
fn age_and_sex_columns_are_optional() {
    let text = "kelurahan,tanggal,status\n31.71.01.1001,2021-07-01,sembuh\n31.71.01.1002,2021-07-02,meninggal\n";
    let a = aggregate(text.as_bytes(), &jakarta(), &gambir()).unwrap();
    assert_eq!(a.rows(), 2);
    assert_eq!(a.get("31.71.01.1002", d("2021-07-02")), Some(counts(0, 0, 0, 1)));
}
