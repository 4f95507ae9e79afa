//! Generated demo data for the crisis channel: about two years of daily Covid-19 figures, a
//! flood history (rainy seasons and dry ones) and a population for every kelurahan, reproducible from a seed and internally consistent (every
//! cumulative series only grows, recovered + deaths never exceed confirmed, tests cover the
//! people tested, later vaccine doses never exceed earlier ones). The shape follows Jakarta's
//! three waves (early 2021, the Delta wave of mid-2021, Omicron early 2022) but the numbers are
//! **generated**: pages that show them must say so.
//!
//! The output is the upload format of `terbuka_domain::crisis::ingest` (a header row, then one
//! row per kelurahan and day), so the demo goes through the same validation as a real upload.

use crate::service::App;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use terbuka_domain::calendar::wib_date;
use terbuka_domain::region::{RegionLevel, Regions};

/// A generated population per kelurahan (8 000 – 60 000), reproducible from `seed`. The bundled
/// region file has no population; these are stand-ins for the demo and say so on the page.
pub fn populations(regions: &Regions, seed: u64) -> BTreeMap<String, u64> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x005e_ed0f_da7a);
    regions.at_level(RegionLevel::Kelurahan).map(|r| (r.code.clone(), rng.gen_range(8_000..=60_000u64))).collect()
}

/// The province's expected new cases on day `t` (days since the start): three waves on a low
/// baseline.
fn wave(t: f64) -> f64 {
    let bump = |centre: f64, width: f64, height: f64| height * (-((t - centre) / width).powi(2)).exp();
    30.0 + bump(320.0, 35.0, 2_500.0) + bump(480.0, 22.0, 12_000.0) + bump(700.0, 25.0, 9_000.0)
}

/// Test positivity on day `t`: higher when the wave is high.
fn positivity(t: f64) -> f64 {
    (0.04 + 0.25 * (wave(t) / 12_000.0)).min(0.35)
}

/// A logistic ramp from 0 to `top` centred on day `mid`.
fn ramp(t: f64, mid: f64, width: f64, top: f64) -> f64 {
    top / (1.0 + (-(t - mid) / width).exp())
}

/// Integer draw around `mean` (mean ± ~√mean), never negative.
fn draw(rng: &mut StdRng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    let sd = mean.sqrt();
    let v = mean + sd * (rng.gen::<f64>() + rng.gen::<f64>() + rng.gen::<f64>() - 1.5) * 2.0;
    v.round().max(0.0) as u64
}

pub const COVID_COLUMNS: &[&str] = &[
    "region",
    "date",
    "confirmed",
    "recovered",
    "deaths",
    "in_treatment",
    "self_isolation",
    "suspect",
    "probable",
    "pcr_tests",
    "antigen_tests",
    "people_tested",
    "vaccine_dose1",
    "vaccine_dose2",
    "vaccine_dose3",
];

/// Daily Covid-19 rows for every kelurahan from `start` for `days` days.
pub fn covid_rows(regions: &Regions, start: NaiveDate, days: usize, seed: u64) -> (Vec<String>, Vec<Vec<String>>) {
    let pop = populations(regions, seed);
    let total: u64 = pop.values().sum();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut rows = Vec::with_capacity(pop.len() * days);
    for (code, p) in &pop {
        let share = *p as f64 / total as f64;
        // Each kelurahan's curve is a little early or late and a little higher or lower.
        let shift = rng.gen_range(-6.0..6.0);
        let scale = rng.gen_range(0.7..1.3);
        let (mut confirmed, mut deaths, mut recovered) = (0u64, 0u64, 0u64);
        let (mut pcr, mut antigen, mut tested) = (0u64, 0u64, 0u64);
        let (mut d1, mut d2, mut d3) = (0u64, 0u64, 0u64);
        let (mut suspect, mut probable) = (0u64, 0u64);
        let mut new_by_day: Vec<u64> = Vec::with_capacity(days);
        for day in 0..days {
            let t = day as f64 + shift;
            let new = draw(&mut rng, wave(t) * share * scale);
            new_by_day.push(new);
            confirmed += new;
            // Outcomes 14 days after the case: about 1.7 % die (more in the Delta wave).
            if day >= 14 {
                let resolved = new_by_day[day - 14];
                let fatality = if (440.0..540.0).contains(&t) { 0.025 } else { 0.015 };
                let dead = ((resolved as f64) * fatality + rng.gen::<f64>()).floor() as u64;
                let dead = dead.min(resolved);
                deaths += dead;
                recovered += resolved - dead;
            }
            let active = confirmed - recovered - deaths;
            let in_treatment = (active as f64 * 0.3).round() as u64;
            let people_new = ((new as f64) / positivity(t)).round() as u64 + draw(&mut rng, 2.0);
            tested += people_new.max(new);
            let tests_new = people_new.max(new) + people_new / 5;
            let pcr_new = (tests_new as f64 * 0.6).round() as u64;
            pcr += pcr_new;
            antigen += tests_new - pcr_new;
            // Vaccination from about day 320, second doses a month later, boosters from day 670.
            let p = *p as f64;
            d1 = d1.max(ramp(t, 420.0, 30.0, p * 0.95).round() as u64);
            d2 = d2.max(ramp(t, 460.0, 30.0, p * 0.88).round().min(d1 as f64) as u64);
            d3 = d3.max(ramp(t, 700.0, 25.0, p * 0.40).round().min(d2 as f64) as u64);
            let date = start + Duration::days(day as i64);
            // Suspect and probable cases are counted cumulatively, as Jakarta reported them.
            suspect += draw(&mut rng, new as f64 * 0.4);
            probable += draw(&mut rng, new as f64 * 0.01);
            rows.push(
                [
                    code.clone(),
                    date.format("%Y-%m-%d").to_string(),
                    confirmed.to_string(),
                    recovered.to_string(),
                    deaths.to_string(),
                    in_treatment.to_string(),
                    (active - in_treatment).to_string(),
                    suspect.to_string(),
                    probable.to_string(),
                    pcr.to_string(),
                    antigen.to_string(),
                    tested.to_string(),
                    d1.to_string(),
                    d2.to_string(),
                    d3.to_string(),
                ]
                .to_vec(),
            );
        }
    }
    (COVID_COLUMNS.iter().map(|c| c.to_string()).collect(), rows)
}

pub const FLOOD_COLUMNS: &[&str] = &["region", "date", "flooded_rw", "flood_depth_max_cm", "evacuees", "evacuation_sites"];

/// Daily flood rows for `days` days from `start`: flood events in the rainy months (November to
/// March, about one every three weeks) that hit low-lying kelurahan (those of Jakarta Utara,
/// Timur and Barat more often); every kelurahan reports every day, zero when dry.
pub fn flood_rows(regions: &Regions, start: NaiveDate, days: usize, seed: u64) -> (Vec<String>, Vec<Vec<String>>) {
    use chrono::Datelike;
    let mut rng = StdRng::seed_from_u64(seed ^ 0xf100d);
    let mut events: Vec<(usize, f64)> = Vec::new();
    for day in 0..days {
        let month = (start + Duration::days(day as i64)).month();
        if matches!(month, 11 | 12 | 1 | 2 | 3) && rng.gen_bool(1.0 / 20.0) {
            events.push((day, rng.gen_range(0.3..1.0)));
        }
    }
    if events.is_empty() && days > 0 {
        // A short span in the dry season still shows one (early or late) flood.
        events.push((days / 2, rng.gen_range(0.3..1.0)));
    }
    let mut rows = Vec::new();
    for r in regions.at_level(RegionLevel::Kelurahan) {
        let prone = match r.parent.as_deref().and_then(|k| regions.get(k)).and_then(|k| k.parent.as_deref()) {
            Some("31.72") => 0.6,
            Some("31.75") | Some("31.73") => 0.45,
            Some("31.01") => 0.05,
            _ => 0.25,
        };
        let risk: f64 = rng.gen_range(0.0..1.0) * prone;
        for day in 0..days {
            let date = start + Duration::days(day as i64);
            // How hard the nearest event hits today (the water recedes over three days).
            let hit = events.iter().filter(|(d, _)| day >= *d && day < *d + 4).map(|(d, s)| s * (1.0 - (day - d) as f64 / 4.0)).fold(0.0f64, f64::max);
            let flooded = hit * risk > 0.12;
            let (rw, depth, evacuees, sites) = if flooded {
                let rw = 1 + (hit * risk * 12.0) as u64;
                let depth = (20.0 + hit * risk * 250.0).round() as u64;
                let evacuees = draw(&mut rng, rw as f64 * 60.0 * hit);
                let sites = 1 + evacuees / 300;
                (rw, depth, evacuees, sites)
            } else {
                (0, 0, 0, 0)
            };
            rows.push(vec![r.code.clone(), date.format("%Y-%m-%d").to_string(), rw.to_string(), depth.to_string(), evacuees.to_string(), sites.to_string()]);
        }
    }
    (FLOOD_COLUMNS.iter().map(|c| c.to_string()).collect(), rows)
}

/// The release note of generated data; pages that find "dibangkitkan"/"generated" in a note say
/// the data is generated.
pub const NOTE: &str = "Data contoh yang dibangkitkan untuk demo, bukan data resmi (generated demo data, not official figures).";
/// The source of the generated populations (visibly not real).
pub const POPULATION_SOURCE: &str = "Data contoh (dibangkitkan) / generated sample";
/// Covid-19 history length the generator simulates; the demo publishes its last `days`.
const HISTORY_DAYS: usize = 760;
/// Daily releases after the back-fill (the last of them corrects the one before).
const DAILY_RELEASES: usize = 5;
/// The longest flood history the demo publishes, in days (two rainy seasons and more).
const FLOOD_DAYS: usize = 730;
/// The kelurahan whose figures the demo's correction release revises (Gambir) and by how much.
const CORRECTED: &str = "31.71.01.1001";
const DOUBLE_COUNTED: u64 = 12;
/// The note of the corrected row.
pub const CORRECTION_NOTE: &str = "Koreksi: 12 kasus ganda dihapus (correction: 12 duplicate cases removed)";

/// When a release of data up to `last` is published: 09:00 WIB the day after, but never after `now`.
fn published(last: NaiveDate, now: DateTime<Utc>) -> DateTime<Utc> {
    let at = (last + Duration::days(1)).and_hms_opt(2, 0, 0).map(|t| t.and_utc()).unwrap_or(now);
    at.min(now)
}

/// The generated population of every kelurahan as an upload (columns region, population, year,
/// source), marked as generated.
pub fn population_csv(regions: &Regions, seed: u64, year: i32) -> Vec<u8> {
    let rows: Vec<Vec<String>> =
        populations(regions, seed).into_iter().map(|(code, p)| vec![code, p.to_string(), year.to_string(), POPULATION_SOURCE.to_string()]).collect();
    terbuka_files::table::write_csv(&["region", "population", "year", "source"], &rows)
}

/// The province's own daily totals of `columns`, as the health office reports them: the sum of
/// the kelurahan plus 0.6 % for cases whose kelurahan is unknown or outside Jakarta, so the
/// reconciliation view has a difference to show. Cumulative like their parts (never falling).
fn province_totals(header: &[String], rows: &[Vec<String>], columns: &[usize]) -> Vec<Vec<String>> {
    let mut sums: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in rows {
        let slot = sums.entry(r[1].clone()).or_insert_with(|| vec![0; columns.len()]);
        for (i, c) in columns.iter().enumerate() {
            slot[i] += r[*c].parse::<u64>().unwrap_or(0);
        }
    }
    sums.into_iter()
        .map(|(date, totals)| {
            let mut row = vec![String::new(); header.len()];
            row[0] = "31".to_string();
            row[1] = date;
            for (i, c) in columns.iter().enumerate() {
                row[*c] = (totals[i] + totals[i] * 6 / 1000).to_string();
            }
            row
        })
        .collect()
}

/// Publishes generated data for each shipped dataset that has no release yet, through the real
/// upload path, and the generated populations if there are none:
///
/// - Covid-19: the last `days` days of a simulated two-year history up to yesterday (WIB), as a
///   back-fill release up to six days ago, then one release a day. The fourth daily release
///   double-counts 12 cases in Gambir; the fifth corrects that day (a cumulative value revised,
///   with a correction note), so the public correction log shows a real correction.
/// - Floods: the last `min(days, 730)` days, rainy seasons and dry ones, one release.
///
/// Returns how many releases it made (0 when the data is already there).
pub async fn seed(app: &App, now: DateTime<Utc>, days: usize) -> anyhow::Result<usize> {
    app.ensure_crisis_datasets(now).await.map_err(|e| anyhow::anyhow!("crisis datasets: {e}"))?;
    let today = wib_date(now);
    let mut made = 0;
    let upload = |slug: &'static str, header: Vec<String>, rows: Vec<Vec<String>>, note: String, at: DateTime<Utc>| async move {
        let headers: Vec<&str> = header.iter().map(String::as_str).collect();
        let csv = terbuka_files::table::write_csv(&headers, &rows);
        app.crisis_ingest(None, slug, &format!("{slug}-demo.csv"), &csv, Some(&note), at, &mut |_| {}).await.map_err(|e| anyhow::anyhow!("demo {slug}: {e:?}"))
    };
    if app.crisis_populations().await.map_err(|e| anyhow::anyhow!("{e}"))?.is_empty() {
        let csv = population_csv(&app.regions, 2020, today.year());
        app.set_crisis_populations(None, "populasi-demo.csv", &csv, now).await.map_err(|e| anyhow::anyhow!("demo populations: {e:?}"))?;
    }
    if app.crisis_releases("covid19").await.map_err(|e| anyhow::anyhow!("{e}"))?.is_empty() {
        let days = days.clamp(1, HISTORY_DAYS);
        let dailies = DAILY_RELEASES.min(days - 1);
        let start = today - Duration::days(HISTORY_DAYS as i64);
        let (header, rows) = covid_rows(&app.regions, start, HISTORY_DAYS, 2020);
        let date_of = |i: usize| start + Duration::days(i as i64);
        // Rows are grouped by kelurahan, in date order: day `i` of each is `k[i]`.
        let span = |from: usize, to: usize| -> Vec<Vec<String>> { rows.chunks(HISTORY_DAYS).flat_map(|k| k[from..to].to_vec()).collect() };
        let first = HISTORY_DAYS - days;
        let backfill_end = HISTORY_DAYS - dailies;
        let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(0);
        let mut backfill = span(first, backfill_end);
        backfill.extend(province_totals(&header, &backfill, &[col("confirmed"), col("deaths")]));
        upload("covid19", header.clone(), backfill, NOTE.to_string(), published(date_of(backfill_end - 1), now)).await?;
        made += 1;
        let (confirmed, isolation) = (col("confirmed"), col("self_isolation"));
        let bump = |row: &mut Vec<String>| {
            for c in [confirmed, isolation] {
                let v: u64 = row[c].parse().unwrap_or(0);
                row[c] = (v + DOUBLE_COUNTED).to_string();
            }
        };
        for k in 0..dailies {
            let day = backfill_end + k;
            let mut rows = span(day, day + 1);
            let mut header = header.clone();
            let mut note = format!("Pembaruan harian {} (daily update). {NOTE}", date_of(day));
            if dailies >= 2 && k == dailies - 2 {
                // A double count slips in…
                if let Some(r) = rows.iter_mut().find(|r| r[0] == CORRECTED) {
                    bump(r);
                }
            }
            if dailies >= 2 && k == dailies - 1 {
                // …and is corrected the next day: the previous day's row again, with a note.
                header.push("note".into());
                rows.iter_mut().for_each(|r| r.push(String::new()));
                let mut fixed = span(day - 1, day).into_iter().find(|r| r[0] == CORRECTED).unwrap_or_default();
                if !fixed.is_empty() {
                    fixed.push(CORRECTION_NOTE.to_string());
                    rows.push(fixed);
                }
                note = format!("Pembaruan harian {} dengan koreksi data {} Gambir (daily update with a correction). {NOTE}", date_of(day), date_of(day - 1));
            }
            upload("covid19", header, rows, note, published(date_of(day), now)).await?;
            made += 1;
        }
    }
    if app.crisis_releases("banjir").await.map_err(|e| anyhow::anyhow!("{e}"))?.is_empty() {
        let n = days.clamp(1, FLOOD_DAYS);
        let (header, rows) = flood_rows(&app.regions, today - Duration::days(n as i64), n, 2020);
        upload("banjir", header, rows, NOTE.to_string(), published(today - Duration::days(1), now)).await?;
        made += 1;
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;
    use terbuka_domain::crisis::definition::Definition;
    use terbuka_domain::crisis::ingest::{levels_of, validate_rows};

    fn regions() -> Regions {
        Regions::parse_csv(crate::kolaborasi::BUNDLED_REGIONS).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn covid_rows_pass_the_real_validation_and_are_consistent() {
        let regions = regions();
        let days = 760;
        let (header, rows) = covid_rows(&regions, d("2020-03-02"), days, 7);
        assert_eq!(rows.len(), 267 * days);
        let def = Definition::parse(include_str!("../../terbuka-domain/src/crisis/definitions/covid19.toml")).expect("shipped definition");
        let obs = validate_rows(&def, levels_of(&regions), &header, &rows).unwrap_or_else(|p| panic!("{} problems, first {:?}", p.len(), &p[..p.len().min(3)]));
        assert_eq!(obs.len(), 267 * days * (header.len() - 2));
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let n = |r: &Vec<String>, c: &str| r[col(c)].parse::<u64>().unwrap();
        let mut province_peak = 0u64;
        for k in rows.chunks(days) {
            for w in k.windows(2) {
                for c in ["confirmed", "recovered", "deaths", "suspect", "probable", "people_tested", "pcr_tests", "vaccine_dose1", "vaccine_dose3"] {
                    assert!(n(&w[1], c) >= n(&w[0], c), "{c} goes down in {}", w[1][0]);
                }
            }
            for r in k {
                assert!(n(r, "recovered") + n(r, "deaths") <= n(r, "confirmed"));
                assert_eq!(n(r, "in_treatment") + n(r, "self_isolation"), n(r, "confirmed") - n(r, "recovered") - n(r, "deaths"));
                assert!(n(r, "people_tested") >= n(r, "confirmed"));
                assert!(n(r, "vaccine_dose3") <= n(r, "vaccine_dose2") && n(r, "vaccine_dose2") <= n(r, "vaccine_dose1"));
            }
            province_peak += n(&k[days - 1], "confirmed");
        }
        // Jakarta counted about 1.2 million cases by March 2022; the generator is in that range.
        assert!((500_000..3_000_000).contains(&province_peak), "total cases {province_peak}");
    }

    #[test]
    fn generation_is_reproducible() {
        let regions = regions();
        let a = covid_rows(&regions, d("2021-01-01"), 30, 1);
        let b = covid_rows(&regions, d("2021-01-01"), 30, 1);
        let c = covid_rows(&regions, d("2021-01-01"), 30, 2);
        assert_eq!(a, b);
        assert_ne!(a.1, c.1);
        assert_eq!(populations(&regions, 1), populations(&regions, 1));
    }

    #[test]
    fn flood_rows_pass_the_real_validation() {
        let regions = regions();
        let (header, rows) = flood_rows(&regions, d("2026-01-01"), 60, 3);
        let def = Definition::parse(include_str!("../../terbuka-domain/src/crisis/definitions/floods.toml")).expect("shipped definition");
        let obs = validate_rows(&def, levels_of(&regions), &header, &rows).unwrap_or_else(|p| panic!("{} problems, first {:?}", p.len(), &p[..p.len().min(3)]));
        assert_eq!(obs.len(), rows.len() * 4);
        let flooded = rows.iter().filter(|r| r[2] != "0").count();
        assert!(flooded > 50, "some kelurahan flood ({flooded} rows)");
        let utara = rows.iter().filter(|r| r[0].starts_with("31.72") && r[2] != "0").count();
        let selatan = rows.iter().filter(|r| r[0].starts_with("31.74") && r[2] != "0").count();
        assert!(utara > selatan, "the coast floods more often ({utara} vs {selatan})");
    }
}
