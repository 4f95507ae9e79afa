use super::*;
use crate::crisis::test_support::*;
use crate::crisis::{region_series, COVID19_DEFINITION, FLOODS_DEFINITION};

const DAY: &str = "2021-07-01";

fn covid() -> Definition {
    Definition::parse(COVID19_DEFINITION).unwrap()
}

fn obs(region: &str, measure: &str, value: f64) -> Observation {
    Observation::new(region, d(DAY), measure, value)
}

fn find<'a>(r: &'a Rollup, region: &str, measure: &str) -> Option<&'a Aggregated> {
    r.values.iter().find(|a| a.region == region && a.measure == measure)
}

#[test]
fn every_kelurahan_of_jakarta_sums_up() {
    let regions = jakarta();
    // One confirmed case in each of the 267 kelurahan.
    let all: Vec<Observation> = regions.at_level(RegionLevel::Kelurahan).map(|k| obs(&k.code, "confirmed", 1.0)).collect();
    assert_eq!(all.len(), 267);
    let r = roll_up(&covid(), &regions, &all, |_| None);
    // 1 province + 6 kota/kabupaten + 44 kecamatan.
    assert_eq!(r.values.len(), 51);
    let check = |region: &str, level: RegionLevel, n: usize| {
        let a = find(&r, region, "confirmed").unwrap();
        assert_eq!((a.level, a.value, a.parts, a.expected), (level, n as f64, n, n), "{region}");
        assert!(a.complete());
    };
    check("31", RegionLevel::Province, 267);
    // Kelurahan per kota in the file: 44 + 31 + 56 + 65 + 65 + 6 = 267.
    check("31.71", RegionLevel::KotaKab, 44); // Jakarta Pusat
    check("31.72", RegionLevel::KotaKab, 31); // Jakarta Utara
    check("31.73", RegionLevel::KotaKab, 56); // Jakarta Barat
    check("31.74", RegionLevel::KotaKab, 65); // Jakarta Selatan
    check("31.75", RegionLevel::KotaKab, 65); // Jakarta Timur
    check("31.01", RegionLevel::KotaKab, 6); // Kepulauan Seribu
    check("31.71.01", RegionLevel::Kecamatan, 6); // Gambir
    check("31.71.03", RegionLevel::Kecamatan, 8); // Kemayoran
    assert_eq!(r.complete_observations().len(), 51);
    assert!(r.reconciliation.is_empty(), "no totals were reported");
}

#[test]
fn partial_coverage_is_said_not_hidden() {
    let regions = jakarta();
    // Gambir 10, Cideng 5 (both in Kecamatan Gambir, Jakarta Pusat); a day later only Gambir.
    let mut o = vec![obs("31.71.01.1001", "confirmed", 10.0), obs("31.71.01.1002", "confirmed", 5.0)];
    o.push(Observation::new("31.71.01.1001", d("2021-07-02"), "confirmed", 12.0));
    let r = roll_up(&covid(), &regions, &o, |_| None);
    // Kecamatan Gambir: 10 + 5 = 15 from 2 of its 6 kelurahan; Jakarta Pusat 15 from 2 of 44;
    // the province 15 from 2 of 267.
    let kec = find(&r, "31.71.01", "confirmed").unwrap();
    assert_eq!((kec.value, kec.parts, kec.expected, kec.complete()), (15.0, 2, 6, false));
    assert_eq!((find(&r, "31.71", "confirmed").unwrap().parts, find(&r, "31.71", "confirmed").unwrap().expected), (2, 44));
    let prov: Vec<(NaiveDate, f64, usize)> = r.values.iter().filter(|a| a.region == "31").map(|a| (a.date, a.value, a.parts)).collect();
    // 2 Jul: Cideng did not report; its missing value is not taken as zero, the coverage says 1.
    assert_eq!(prov, [(d("2021-07-01"), 15.0, 2), (d("2021-07-02"), 12.0, 1)]);
    // Only the chain above the reporting kelurahan has values: 3 regions × 2 days.
    assert_eq!(r.values.len(), 6);
    assert_eq!(r.observations().len(), 6);
    assert!(r.complete_observations().is_empty(), "none of them is complete");
    // Sorted by region, date, measure.
    let keys: Vec<(&str, NaiveDate)> = r.values.iter().map(|a| (a.region.as_str(), a.date)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn floods_take_the_max_depth_and_the_worst_alert() {
    let regions = jakarta();
    let def = Definition::parse(FLOODS_DEFINITION).unwrap();
    let o = vec![
        // Manggarai and Manggarai Selatan (Kecamatan Tebet, Jakarta Selatan), Karet (Kecamatan
        // Setiabudi, Jakarta Selatan), Kampung Melayu (Jakarta Timur), Pluit (Jakarta Utara).
        obs("31.74.01.1007", "flood_depth_max_cm", 80.0),
        obs("31.74.01.1006", "flood_depth_max_cm", 120.0),
        obs("31.75.03.1001", "flood_depth_max_cm", 150.0),
        obs("31.74.01.1007", "water_gate_alert", 3.0),
        obs("31.74.01.1007", "water_gate_level_cm", 860.0),
        obs("31.74.02.1004", "water_gate_alert", 2.0),
        obs("31.72.01.1005", "water_gate_alert", 4.0),
        obs("31.74.01.1007", "evacuees", 300.0),
        obs("31.75.03.1001", "evacuees", 1200.0),
    ];
    let r = roll_up(&def, &regions, &o, |_| None);
    let v = |region: &str, measure: &str| find(&r, region, measure).map(|a| a.value);
    // Depth, max: Tebet max(80, 120) = 120; Jakarta Selatan 120; Jakarta Timur 150; DKI max(80, 120, 150) = 150.
    assert_eq!(v("31.74.01", "flood_depth_max_cm"), Some(120.0));
    assert_eq!(v("31.74", "flood_depth_max_cm"), Some(120.0));
    assert_eq!(v("31.75", "flood_depth_max_cm"), Some(150.0));
    assert_eq!(v("31", "flood_depth_max_cm"), Some(150.0));
    // Alert, min (Siaga 1 is the worst): Tebet 3; Setiabudi 2; Jakarta Selatan min(3, 2) = 2;
    // Jakarta Utara 4; DKI min(3, 2, 4) = 2.
    assert_eq!(v("31.74.01", "water_gate_alert"), Some(3.0));
    assert_eq!(v("31.74.02", "water_gate_alert"), Some(2.0));
    assert_eq!(v("31.74", "water_gate_alert"), Some(2.0));
    assert_eq!(v("31.72", "water_gate_alert"), Some(4.0));
    assert_eq!(v("31", "water_gate_alert"), Some(2.0));
    // Water levels of different gates are never combined.
    assert!(r.values.iter().all(|a| a.measure != "water_gate_level_cm"));
    // Evacuees, sum: 300 + 1200 = 1500 in DKI.
    assert_eq!(v("31", "evacuees"), Some(1500.0));
}

const COVERAGE: &str = r#"
id = "coverage"
level = "kelurahan"
totals = ["kecamatan"]
grain = "day"
title = { id = "Cakupan" }
[[measure]]
id = "coverage_pct"
kind = "quantity"
temporal = "rate"
aggregate = "mean_pop"
min = 0
max = 100
unit = { id = "%" }
label = { id = "Cakupan" }
explain = { id = "Persentase." }
"#;

#[test]
fn population_weighted_mean() {
    let regions = jakarta();
    let def = Definition::parse(COVERAGE).unwrap();
    let pop = |code: &str| match code {
        "31.71.01.1001" => Some(2_000.0),
        "31.71.01.1002" => Some(8_000.0),
        _ => None,
    };
    let o = vec![obs("31.71.01.1001", "coverage_pct", 50.0), obs("31.71.01.1002", "coverage_pct", 80.0)];
    let r = roll_up(&def, &regions, &o, pop);
    // (50 × 2 000 + 80 × 8 000) / (2 000 + 8 000) = (100 000 + 640 000) / 10 000 = 74
    // (the plain mean would be 65).
    assert_close(find(&r, "31.71.01", "coverage_pct").unwrap().value, 74.0);
    assert_close(find(&r, "31", "coverage_pct").unwrap().value, 74.0);
    // A part without a population gives no weighted mean at all rather than a wrong one.
    let o2 = vec![obs("31.71.01.1001", "coverage_pct", 50.0), obs("31.71.01.1003", "coverage_pct", 90.0)];
    assert!(roll_up(&def, &regions, &o2, pop).values.is_empty());
    // The reported kecamatan figure is reconciled with it: 70 − 74 = −4.
    let mut o3 = o.clone();
    o3.push(obs("31.71.01", "coverage_pct", 70.0));
    let rec = &roll_up(&def, &regions, &o3, pop).reconciliation;
    assert_eq!(rec.len(), 1);
    assert_close(rec[0].difference.unwrap(), -4.0);
}

#[test]
fn combine_rules() {
    let parts = [(3.0, Some(1.0)), (7.0, Some(3.0)), (5.0, Some(4.0))];
    assert_eq!(combine(Aggregate::Sum, &parts), Some(15.0)); // 3 + 7 + 5
    assert_eq!(combine(Aggregate::Max, &parts), Some(7.0));
    assert_eq!(combine(Aggregate::Min, &parts), Some(3.0));
    // (3×1 + 7×3 + 5×4) / (1 + 3 + 4) = (3 + 21 + 20) / 8 = 44 / 8 = 5.5
    assert_eq!(combine(Aggregate::MeanPop, &parts), Some(5.5));
    assert_eq!(combine(Aggregate::NotAggregated, &parts), None);
    assert_eq!(combine(Aggregate::Sum, &[]), None, "nothing reported is not zero");
    assert_eq!(combine(Aggregate::MeanPop, &[(1.0, Some(0.0))]), None);
}

#[test]
fn reconciles_totals_reported_directly() {
    let regions = jakarta();
    let o = vec![
        obs("31.71.01.1001", "confirmed", 10.0),
        obs("31.71.01.1002", "confirmed", 5.0),
        obs("31.72.01.1005", "confirmed", 7.0),
        obs("31.71.01.1001", "deaths", 1.0),
        // Jakarta Pusat's own total matches its parts: 10 + 5 = 15.
        obs("31.71", "confirmed", 15.0),
        // The province counts 30: 8 more than 10 + 5 + 7 = 22 (cases with no known kelurahan).
        obs("31", "confirmed", 30.0),
        // The province reports deaths: 3 − 1 = 2.
        obs("31", "deaths", 3.0),
        // A province total of a measure no kelurahan reported.
        obs("31", "recovered", 12.0),
        // A region outside the file is ignored.
        obs("99", "confirmed", 1.0),
    ];
    let r = roll_up(&covid(), &regions, &o, |_| None);
    type Row<'a> = (&'a str, &'a str, f64, Option<f64>, Option<f64>, usize, usize);
    let rec: Vec<Row> =
        r.reconciliation.iter().map(|x| (x.region.as_str(), x.measure.as_str(), x.reported, x.computed, x.difference, x.parts, x.expected)).collect();
    assert_eq!(
        rec,
        [
            ("31", "confirmed", 30.0, Some(22.0), Some(8.0), 3, 267),
            ("31", "deaths", 3.0, Some(1.0), Some(2.0), 1, 267),
            ("31", "recovered", 12.0, None, None, 0, 267),
            ("31.71", "confirmed", 15.0, Some(15.0), Some(0.0), 2, 44),
        ]
    );
    // Totals never feed the aggregates: the province's computed value is still 22.
    assert_eq!(find(&r, "31", "confirmed").unwrap().value, 22.0);
}

#[test]
fn derived_measures_are_recomputed_at_every_level() {
    let regions = jakarta();
    let def = covid();
    // active = confirmed − recovered − deaths; Gambir 100 − 80 − 2 = 18, Cideng 50 − 45 − 3 = 2.
    let o = vec![
        obs("31.71.01.1001", "confirmed", 100.0),
        obs("31.71.01.1001", "recovered", 80.0),
        obs("31.71.01.1001", "deaths", 2.0),
        obs("31.71.01.1002", "confirmed", 50.0),
        obs("31.71.01.1002", "recovered", 45.0),
        obs("31.71.01.1002", "deaths", 3.0),
    ];
    let up = roll_up(&def, &regions, &o, |_| None).observations();
    // Kecamatan Gambir: 150 − 125 − 5 = 20 = 18 + 2.
    let kec = def.evaluate(&region_series(&up, "31.71.01"), Some(50_000.0));
    assert_eq!(kec["active"][&d(DAY)], 20.0);
    // CFR of the kecamatan from the sums: 100 × 5 / 150 = 3.333… % (the mean of Gambir's 2 % and
    // Cideng's 6 % would wrongly be 4 %); active per 100 000: 20 × 100 000 / 50 000 = 40.
    assert_close(kec["cfr"][&d(DAY)], 100.0 * 5.0 / 150.0);
    assert_close(kec["active_per_100k"][&d(DAY)], 40.0);
}

#[test]
fn populations_roll_up_only_when_complete() {
    let regions = jakarta();
    // Every kelurahan 10 000 people except Duri Pulo (31.71.01.1006).
    let pop = |code: &str| (code != "31.71.01.1006").then_some(10_000.0);
    let p = population_up(&regions, RegionLevel::Kelurahan, pop);
    assert_eq!(p.get("31.71.01.1001"), Some(&10_000.0));
    assert_eq!(p.get("31.71.01"), None, "Gambir lacks one kelurahan");
    assert_eq!(p.get("31.71"), None);
    assert_eq!(p.get("31"), None);
    // Kemayoran: 8 kelurahan × 10 000 = 80 000; Jakarta Utara: 31 × 10 000 = 310 000.
    assert_eq!(p.get("31.71.03"), Some(&80_000.0));
    assert_eq!(p.get("31.72"), Some(&310_000.0));
    let all = population_up(&regions, RegionLevel::Kelurahan, |_| Some(1.0));
    assert_eq!(all.get("31"), Some(&267.0));
    assert_eq!(all.len(), 318, "every region of the file");
}
