use super::*;
use crate::crisis::test_support::*;
use crate::crisis::{COVID19_DEFINITION, FLOODS_DEFINITION};

fn covid() -> Definition {
    Definition::parse(COVID19_DEFINITION).unwrap()
}

fn floods() -> Definition {
    Definition::parse(FLOODS_DEFINITION).unwrap()
}

fn check(def: &Definition, csv: &str) -> Result<Vec<Observation>, Vec<RowProblem>> {
    let regions = jakarta();
    let (header, rows) = cells(csv);
    validate_rows(def, levels_of(&regions), &header, &rows)
}

fn p(line: usize, column: &str, code: &'static str) -> RowProblem {
    RowProblem { line, column: column.to_string(), code }
}

fn obs(region: &str, date: &str, measure: &str, value: f64) -> Observation {
    Observation::new(region, d(date), measure, value)
}

#[test]
fn accepts_a_clean_upload() {
    // Gambir (31.71.01.1001) and Cideng (31.71.01.1002); the province total on one day.
    let csv = "\u{feff}Region,date,confirmed,recovered,deaths,in_treatment\n\
               31.71.01.1002,2021-07-02,120,60,3,\n\
               31.71.01.1001,2021-07-01,100,50,2,7\n\
               31,2021-07-01,900000,800000,15000,\n\
               ,,,,,\n";
    let got = check(&covid(), csv).unwrap();
    assert_eq!(
        got,
        [
            obs("31", "2021-07-01", "confirmed", 900000.0),
            obs("31", "2021-07-01", "deaths", 15000.0),
            obs("31", "2021-07-01", "recovered", 800000.0),
            obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0),
            obs("31.71.01.1001", "2021-07-01", "deaths", 2.0),
            obs("31.71.01.1001", "2021-07-01", "in_treatment", 7.0),
            obs("31.71.01.1001", "2021-07-01", "recovered", 50.0),
            obs("31.71.01.1002", "2021-07-02", "confirmed", 120.0),
            obs("31.71.01.1002", "2021-07-02", "deaths", 3.0),
            obs("31.71.01.1002", "2021-07-02", "recovered", 60.0),
        ],
        "sorted by region, date, measure; an empty cell is no observation; blank lines are skipped"
    );
}

#[test]
fn indonesian_column_names_and_notes() {
    let csv = "kode_wilayah,tanggal,catatan,confirmed\n\
               31.71.01.1001,2021-07-01,,100\n\
               31.71.01.1001,2021-07-02,koreksi data ganda,98\n";
    let got = check(&covid(), csv).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].note, None);
    assert_eq!(got[1].note.as_deref(), Some("koreksi data ganda"), "a correction note allows the decrease");
}

/// One malformed file with a problem of every kind: all are reported, with line and column,
/// and nothing is accepted.
#[test]
fn a_malformed_upload_yields_every_problem_and_no_observation() {
    let csv = "region,date,confirmed,deaths,active,colour,vaccine_dose1\n\
               31.71.01.1001,2021-07-01,100,2,,,10\n\
               31.99.99.9999,2021-07-01,5,0,,,\n\
               31.71.01,2021-07-01,5,0,,,\n\
               31.71.01.1001,2021-07-01,101,2,,,\n\
               31.71.01.1002,2021-07-01,-4,x,,,\n\
               31.71.01.1002,1 Juli 2021,4,1.5,,,\n\
               31.71.01.1003,2021-07-01,50,1,,,\n\
               31.71.01.1003,2021-07-02,45,1,,,3\n\
               ,2021-07-03,1,1,,,\n\
               31.71.01.1004,2021-02-30,1,1,,,\n\
               31.71.01.1005,2021-07-01,1,1,,,,,9\n";
    let got = check(&covid(), csv).unwrap_err();
    assert_eq!(
        got,
        [
            p(1, "active", "err.crisis_computed_column"),
            p(1, "colour", "err.crisis_unknown_column"),
            p(3, "region", "err.crisis_region_unknown"),
            p(4, "region", "err.crisis_region_level"),
            p(5, "date", "err.crisis_duplicate_row"),
            p(6, "confirmed", "err.crisis_negative"),
            p(6, "deaths", "err.crisis_number"),
            p(7, "date", "err.crisis_date"),
            p(7, "deaths", "err.crisis_not_whole"),
            p(9, "confirmed", "err.crisis_cumulative_decrease"),
            p(10, "region", "err.required"),
            p(11, "date", "err.crisis_date"),
            p(12, "", "err.crisis_extra_cells"),
        ]
    );
}

#[test]
fn header_problems() {
    let def = covid();
    assert_eq!(
        check(&def, "kode,confirmed,confirmed,Tanggal\n31.71.01.1001,1,1,2021-07-01\n").unwrap_err(),
        [p(1, "kode", "err.crisis_unknown_column"), p(1, "confirmed", "err.crisis_duplicate_column"), p(1, "region", "err.crisis_missing_column")]
    );
    assert_eq!(check(&def, "region,date,note\n31,2021-07-01,x\n").unwrap_err(), [p(1, "", "err.crisis_no_measure_column")]);
    assert_eq!(check(&def, "region,date,confirmed\n").unwrap_err(), [p(2, "", "err.crisis_empty")]);
    assert_eq!(check(&def, "").unwrap_err().len(), 4, "no region, no date, no measure, no rows");
    assert_eq!(
        check(&def, "region,tanggal,date,confirmed\n31,2021-07-01,2021-07-01,1\n").unwrap_err(),
        [p(1, "date", "err.crisis_duplicate_column")],
        "`tanggal` and `date` are the same column"
    );
    // An unnamed column (a spreadsheet's trailing comma) is ignored while its cells are empty.
    assert!(check(&def, "region,date,confirmed,\n31,2021-07-01,1,\n").is_ok());
    assert_eq!(check(&def, "region,date,confirmed,\n31,2021-07-01,1,7\n").unwrap_err(), [p(2, "", "err.crisis_unnamed_column")]);
}

#[test]
fn levels_accepted_by_the_definition() {
    let def = covid();
    // Covid: kelurahan, plus the kota and province totals; a kecamatan row is refused.
    assert!(check(&def, "region,date,confirmed\n31.71,2021-07-01,10\n").is_ok());
    assert!(check(&def, "region,date,confirmed\n31,2021-07-01,10\n").is_ok());
    assert_eq!(check(&def, "region,date,confirmed\n31.71.01,2021-07-01,10\n").unwrap_err(), [p(2, "region", "err.crisis_region_level")]);
    // Floods: kelurahan and province only.
    assert_eq!(check(&floods(), "region,date,evacuees\n31.71,2021-07-01,10\n").unwrap_err(), [p(2, "region", "err.crisis_region_level")]);
    // A closure works as well as a hierarchy.
    let (h, rows) = cells("region,date,confirmed\nX,2021-07-01,1\nY,2021-07-01,1\n");
    let got = validate_rows(&def, |c| (c == "X").then_some(RegionLevel::Kelurahan), &h, &rows).unwrap_err();
    assert_eq!(got, [p(3, "region", "err.crisis_region_unknown")]);
}

#[test]
fn values_within_the_measure_bounds() {
    let def = floods();
    let csv = "region,date,water_gate_alert,water_gate_level_cm,flood_depth_max_cm,flooded_rw\n\
               31.74.01.1007,2020-01-01,1,950.5,0,3\n\
               31.74.01.1007,2020-01-02,5,2100,,\n\
               31.74.01.1006,2020-01-02,0,-1,1000.1,2.5\n\
               31.74.01.1006,2020-01-03,2.5,12.25,,1.234\n";
    assert_eq!(
        check(&def, csv).unwrap_err(),
        [
            p(3, "water_gate_alert", "err.crisis_above_max"),
            p(3, "water_gate_level_cm", "err.crisis_above_max"),
            p(4, "water_gate_alert", "err.crisis_below_min"),
            p(4, "water_gate_level_cm", "err.crisis_below_min"),
            p(4, "flood_depth_max_cm", "err.crisis_above_max"),
            p(4, "flooded_rw", "err.crisis_not_whole"),
            p(5, "water_gate_alert", "err.crisis_not_whole"),
            p(5, "flooded_rw", "err.crisis_not_whole"),
        ]
    );
    let ok = check(&def, "region,date,water_gate_alert,water_gate_level_cm\n31.74.01.1007,2020-01-01,1,950.5\n").unwrap();
    assert_eq!(ok, [obs("31.74.01.1007", "2020-01-01", "water_gate_alert", 1.0), obs("31.74.01.1007", "2020-01-01", "water_gate_level_cm", 950.5)]);
}

#[test]
fn cumulative_values_must_not_go_down_without_a_note() {
    let def = covid();
    // Snapshots may go down; cumulative values may not, unless the row says why.
    let csv = "region,date,note,confirmed,in_treatment\n\
               31.71.01.1001,2021-07-01,,100,9\n\
               31.71.01.1001,2021-07-03,,99,4\n\
               31.71.01.1001,2021-07-04,,99,4\n\
               31.71.01.1002,2021-07-01,,10,\n\
               31.71.01.1002,2021-07-02,dobel,8,\n";
    assert_eq!(check(&def, csv).unwrap_err(), [p(3, "confirmed", "err.crisis_cumulative_decrease")], "compared with the previous reported date");

    // Against the current release: 5 Jul of the upload is below 4 Jul of the release.
    let regions = jakarta();
    let earlier = vec![obs("31.71.01.1001", "2021-07-04", "confirmed", 120.0), obs("31.71.01.1001", "2021-07-06", "confirmed", 130.0)];
    let (h, rows) = cells("region,date,confirmed\n31.71.01.1001,2021-07-05,110\n");
    assert_eq!(validate_rows_after(&def, levels_of(&regions), &h, &rows, &earlier).unwrap_err(), [p(2, "confirmed", "err.crisis_cumulative_decrease")]);
    // A back-filled day above the release's next day is to blame too: 5 Jul = 140 > 6 Jul = 130.
    let (h, rows) = cells("region,date,confirmed\n31.71.01.1001,2021-07-05,140\n");
    assert_eq!(validate_rows_after(&def, levels_of(&regions), &h, &rows, &earlier).unwrap_err(), [p(2, "confirmed", "err.crisis_cumulative_decrease")]);
    // 125 fits between 120 and 130.
    let (h, rows) = cells("region,date,confirmed\n31.71.01.1001,2021-07-05,125\n");
    assert_eq!(validate_rows_after(&def, levels_of(&regions), &h, &rows, &earlier).unwrap(), [obs("31.71.01.1001", "2021-07-05", "confirmed", 125.0)]);
    // Re-uploading a day replaces the release's value for it: 6 Jul = 118 is below 4 Jul = 120.
    let (h, rows) = cells("region,date,confirmed\n31.71.01.1001,2021-07-06,118\n");
    assert_eq!(validate_rows_after(&def, levels_of(&regions), &h, &rows, &earlier).unwrap_err().len(), 1);
}

#[test]
fn weekly_datasets_are_dated_by_monday() {
    let weekly = COVID19_DEFINITION
        .replace(r#"grain = "day""#, r#"grain = "week""#)
        .replace("kind = \"avg7\"", "kind = \"per_100k\"")
        .replace("kind = \"doubling_time\"", "kind = \"per_100k\"")
        .replace("kind = \"rt\"\ninputs = [\"confirmed_new\"]", "kind = \"per_100k\"\ninputs = [\"confirmed\"]");
    let def = Definition::parse(&weekly).unwrap();
    // 5 Jul 2021 was a Monday, 6 Jul a Tuesday.
    assert!(check(&def, "region,date,confirmed\n31.71.01.1001,2021-07-05,10\n").is_ok());
    assert_eq!(check(&def, "region,date,confirmed\n31.71.01.1001,2021-07-06,10\n").unwrap_err(), [p(2, "date", "err.crisis_week_start")]);
}

#[test]
fn dates_and_numbers_are_strict() {
    let def = covid();
    for bad in ["2021-7-1", "01/07/2021", "2021-07-01T00:00", "20210701"] {
        let csv = format!("region,date,confirmed\n31,{bad},1\n");
        assert_eq!(check(&def, &csv).unwrap_err(), [p(2, "date", "err.crisis_date")], "{bad}");
    }
    assert_eq!(parse_number("1234"), Some(1234.0));
    assert_eq!(parse_number("12.5"), Some(12.5));
    assert_eq!(parse_number("-3"), Some(-3.0));
    assert_eq!(parse_number("0.0"), Some(0.0));
    for bad in ["", "-", ".5", "5.", "1,5", "1 000", "1e3", "NaN", "inf", "+3", "--3", "0x10", "1.2.3"] {
        assert_eq!(parse_number(bad), None, "{bad}");
    }
}

#[test]
fn json_records_become_rows() {
    let rec = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    let records = vec![
        rec(&[("region", "31.71.01.1001"), ("date", "2021-07-01"), ("confirmed", "100")]),
        rec(&[("date", "2021-07-01"), ("region", "31.71.01.1002"), ("deaths", "1")]),
    ];
    let (header, rows) = records_to_rows(&records);
    assert_eq!(header, ["region", "date", "confirmed", "deaths"]);
    assert_eq!(rows, [vec!["31.71.01.1001", "2021-07-01", "100", ""], vec!["31.71.01.1002", "2021-07-01", "", "1"]]);
    let got = validate_rows(&covid(), levels_of(&jakarta()), &header, &rows).unwrap();
    assert_eq!(got, [obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0), obs("31.71.01.1002", "2021-07-01", "deaths", 1.0)]);
}

#[test]
fn merging_an_upload_into_the_current_release() {
    let current = vec![obs("31", "2021-07-01", "confirmed", 10.0), obs("31", "2021-07-02", "confirmed", 12.0)];
    let upload = vec![obs("31", "2021-07-02", "confirmed", 13.0), obs("31", "2021-07-03", "confirmed", 15.0)];
    assert_eq!(
        merge(&current, &upload),
        [obs("31", "2021-07-01", "confirmed", 10.0), obs("31", "2021-07-02", "confirmed", 13.0), obs("31", "2021-07-03", "confirmed", 15.0)]
    );
}

#[test]
fn every_problem_code_is_listed_for_translation() {
    let source = include_str!("../ingest.rs");
    let used: BTreeSet<&str> = source.split('"').filter(|s| s.starts_with("err.") && !s.contains(' ')).collect();
    let listed: BTreeSet<&str> = PROBLEM_CODES.iter().chain(POPULATION_PROBLEM_CODES).copied().collect();
    assert_eq!(used, listed);
    assert_eq!(listed.len(), PROBLEM_CODES.len() + POPULATION_PROBLEM_CODES.len(), "no code listed twice");
}

#[test]
fn long_unknown_headers_are_cut() {
    let long = "x".repeat(500);
    let got = check(&covid(), &format!("region,date,confirmed,{long}\n31,2021-07-01,1,\n")).unwrap_err();
    assert_eq!(got, [p(1, &"x".repeat(64), "err.crisis_unknown_column")]);
}

#[test]
fn validating_against_a_snapshot_equals_validating_against_observations() {
    let def = covid();
    let regions = jakarta();
    let earlier = vec![
        obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0),
        obs("31.71.01.1001", "2021-07-03", "confirmed", 120.0),
        obs("31.71.01.1002", "2021-07-01", "confirmed", 50.0),
    ];
    let snapshot = crate::crisis::Snapshot::from_observations(&earlier);
    for csv in [
        "region,date,confirmed\n31.71.01.1001,2021-07-02,90\n",
        "region,date,confirmed\n31.71.01.1001,2021-07-02,130\n",
        "region,date,confirmed,note\n31.71.01.1001,2021-07-02,130,koreksi\n31.71.01.1002,2021-07-02,49,\n",
        "region,date,confirmed\n31.71.01.1001,2021-07-04,121\n31.71.01.1002,2021-07-02,51\n",
    ] {
        let (h, rows) = cells(csv);
        let a = validate_rows_after(&def, levels_of(&regions), &h, &rows, &earlier);
        let b = validate_rows_against(&def, levels_of(&regions), &h, &rows, &snapshot);
        assert_eq!(a, b, "{csv}");
    }
    let (h, rows) = cells("region,date,confirmed\n31.71.01.1001,2021-07-02,90\n");
    assert_eq!(validate_rows_against(&def, levels_of(&regions), &h, &rows, &snapshot).unwrap_err(), [p(2, "confirmed", "err.crisis_cumulative_decrease")]);
}

fn populations(csv: &str) -> Result<Vec<Population>, Vec<RowProblem>> {
    let (h, rows) = cells(csv);
    let regions = jakarta();
    validate_populations(|c| regions.get(c).is_some(), &h, &rows)
}

#[test]
fn populations_are_checked_whole() {
    let good = populations("kode_wilayah,penduduk,tahun,sumber\n31.71.01.1002,21000,2024,BPS\n31.71.01.1001,15000,2023,Dukcapil DKI\n31.71,900000,2024,BPS\n")
        .unwrap();
    assert_eq!(
        good.iter().map(|p| (p.region.as_str(), p.population, p.year)).collect::<Vec<_>>(),
        [("31.71", 900000, 2024), ("31.71.01.1001", 15000, 2023), ("31.71.01.1002", 21000, 2024)]
    );
    assert_eq!(good[1].source, "Dukcapil DKI");
    let bad = populations(
        "region,population,year,source\n\
         31.99.99.9999,100,2024,BPS\n\
         31.71.01.1001,0,2024,BPS\n\
         31.71.01.1002,12.5,1899,BPS\n\
         31.71.01.1001,-3,2101,\n\
         31.71.01.1003,1.000,20x4,BPS\n",
    )
    .unwrap_err();
    assert_eq!(
        bad,
        [
            p(2, "region", "err.crisis_region_unknown"),
            p(3, "population", "err.crisis_population"),
            p(4, "population", "err.crisis_population"),
            p(4, "year", "err.crisis_year"),
            p(5, "region", "err.crisis_duplicate_region"),
            p(5, "population", "err.crisis_population"),
            p(5, "year", "err.crisis_year"),
            p(5, "source", "err.required"),
            p(6, "population", "err.crisis_population"),
            p(6, "year", "err.crisis_year"),
        ]
    );
    assert_eq!(
        populations("region,penduduk,warna\n31.71.01.1001,5,x\n").unwrap_err(),
        [p(1, "warna", "err.crisis_unknown_column"), p(1, "year", "err.crisis_missing_column"), p(1, "source", "err.crisis_missing_column")]
    );
    assert_eq!(populations("region,population,year,source\n").unwrap_err(), [p(2, "", "err.crisis_empty")]);
}
