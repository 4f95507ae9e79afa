//! Public pages of the crisis information channel (issue #4): the datasets, a dataset's home for
//! the province (headline numbers rolled up from the latest release, the trend chart with its
//! data table, the kelurahan map, the kota and kecamatan comparison, the formulas, "check my
//! area"), the same for any region, and the releases with their public correction log and
//! downloads. No JavaScript: charts and maps are SVG rendered here (`crate::chart`,
//! `crate::map`), every chart has its numbers in a table next to it.
//!
//! Roll-ups are computed from the release's observations with `crisis::roll_up` and kept in a
//! small cache keyed by the release digest and definition hash (releases are immutable).

use super::register::attachment;
use super::{PagePath, Params};
use crate::http::ctx::Ctx;
use crate::http::render::tr;
use crate::http::{render, Page, PageError};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use chrono::{Duration, NaiveDate};
use minijinja::context;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use terbuka_app::AppError;
use terbuka_domain::crisis::{self, indicators, Change, Definition, Observation, Series, Temporal};
use terbuka_domain::region::{Region, RegionLevel, Regions};
use terbuka_domain::Lang;
use terbuka_files::table;
use terbuka_store::{ObservationFilter, StoredCrisisDataset, StoredCrisisRelease};

pub const TEMPLATES: &[(&str, &str)] =
    crate::templates!("crisis/macros.html", "crisis/list.html", "crisis/region.html", "crisis/releases.html", "crisis/release.html",);

/// Changes per page of the correction log.
pub const CHANGES_PER_PAGE: usize = 50;
/// Days in the data table under the chart.
pub const TABLE_DAYS: usize = 30;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/krisis", get(list))
        .route("/krisis/{slug}", get(home))
        .route("/krisis/{slug}/wilayah/{code}", get(region))
        .route("/krisis/{slug}/wilayah/{code}/{file}", get(region_series_download))
        .route("/krisis/{slug}/rilis", get(releases))
        .route("/krisis/{slug}/datapackage.json", get(datapackage_latest))
        .route("/krisis/{slug}/rekonsiliasi.csv", get(reconciliation_csv))
        .route("/krisis/{slug}/rekonsiliasi.json", get(reconciliation_json))
        .route("/krisis/{slug}/rilis/{seq}", get(release))
        .route("/krisis/{slug}/rilis/{seq}/{file}", get(release_changes_download))
}

// ------------------------------------------------------------------------------------ helpers

/// Whether a release note says the data is generated (demo data), which the pages then say.
pub fn is_generated(note: Option<&str>) -> bool {
    note.map(str::to_lowercase).is_some_and(|n| n.contains("generated") || n.contains("dibangkitkan"))
}

/// A number for people: thousands grouped, at most two decimals, in the page's language.
pub fn num(v: f64, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let (group, decimal) = if lang == Lang::En { (',', '.') } else { ('.', ',') };
    let r = (v.abs() * 100.0).round() / 100.0;
    let whole = r.trunc() as u64;
    let frac = ((r - r.trunc()) * 100.0).round() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    if frac > 0 {
        let f = format!("{frac:02}");
        out.push(decimal);
        out.push_str(f.trim_end_matches('0'));
    }
    if v < 0.0 && (whole > 0 || frac > 0) {
        format!("−{out}")
    } else {
        out
    }
}

/// A change with its sign (`+5`, `−3`, `0`).
pub fn signed(v: f64, lang: Lang) -> String {
    if v > 0.0 {
        format!("+{}", num(v, lang))
    } else {
        num(v, lang)
    }
}

/// Levenshtein distance (by characters).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The nearest of `names` to `given` if it is within 2 edits (ties: the first).
pub fn nearest<'a>(given: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given: String = given.chars().take(64).collect::<String>().to_lowercase();
    names.into_iter().map(|n| (levenshtein(&given, &n.to_lowercase()), n)).filter(|(d, _)| *d <= 2).min_by_key(|(d, _)| *d).map(|(_, n)| n)
}

/// A release number from a path segment: digits only, positive.
pub fn parse_seq(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|n| *n > 0)
}

/// A release as the pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseView {
    pub seq: i64,
    pub at: String,
    pub note: Option<String>,
    pub digest: String,
    pub rows: i64,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    pub generated: bool,
}

impl ReleaseView {
    pub fn of(r: &StoredCrisisRelease) -> ReleaseView {
        ReleaseView {
            seq: r.seq,
            at: r.created_at.to_rfc3339(),
            note: r.note.clone(),
            digest: r.digest.clone(),
            rows: r.rows,
            added: r.added,
            changed: r.changed,
            removed: r.removed,
            generated: is_generated(r.note.as_deref()),
        }
    }
}

/// The latest value of a derived measure or indicator of a region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatestValue {
    pub id: String,
    pub date: NaiveDate,
    pub value: f64,
}

/// Every region's series, reported at the dataset's level and rolled up above it, with what the
/// pages need besides: the reconciliation with directly reported totals, and the latest value
/// of every derived measure and indicator. Built once per release (and population table).
pub struct Cube {
    /// region → measure → series.
    pub series: HashMap<String, BTreeMap<String, Series>>,
    /// (region, measure) → (date, parts, expected) of the latest aggregated value.
    pub parts: HashMap<(String, String), (NaiveDate, usize, usize)>,
    /// region → the reconciliation of each measure on the latest date it was reported directly.
    pub reconciliation: HashMap<String, Vec<crisis::Reconciliation>>,
    /// region → the latest value of each derived measure and indicator, in definition order.
    pub computed: HashMap<String, Vec<LatestValue>>,
    /// The population of every region that has one (given, or summed from its parts).
    pub population: HashMap<String, f64>,
    /// Every reconciliation of the release (all dates), sorted by region, date and measure.
    pub reconciliation_all: Vec<crisis::Reconciliation>,
    /// Where the populations come from (`"source, year"`), for the page.
    pub population_sources: Vec<String>,
}

impl Cube {
    /// `population` holds the populations given per region (usually kelurahan); higher regions
    /// without one get the sum of their parts when every part has one.
    pub fn build(def: &Definition, regions: &Regions, observations: &[Observation], population: &HashMap<String, f64>) -> Cube {
        let mut pop: HashMap<String, f64> = population.iter().filter(|(_, p)| **p > 0.0).map(|(k, v)| (k.clone(), *v)).collect();
        for (code, p) in crisis::population_up(regions, def.level, |c| population.get(c).copied()) {
            pop.entry(code).or_insert(p);
        }
        let rollup = crisis::roll_up(def, regions, observations, |c| pop.get(c).copied());
        let mut series: HashMap<String, BTreeMap<String, Series>> = HashMap::new();
        for o in observations {
            if regions.get(&o.region).is_some_and(|r| r.level == def.level) {
                series.entry(o.region.clone()).or_default().entry(o.measure.clone()).or_default().insert(o.date, o.value);
            }
        }
        // Indicators over time use only complete aggregates: a cumulative sum missing one
        // kelurahan on one day looks like a fall (see `Rollup::complete_observations`).
        let mut complete: HashMap<String, BTreeMap<String, Series>> = HashMap::new();
        let mut parts: HashMap<(String, String), (NaiveDate, usize, usize)> = HashMap::new();
        for a in &rollup.values {
            series.entry(a.region.clone()).or_default().entry(a.measure.clone()).or_default().insert(a.date, a.value);
            if a.complete() {
                complete.entry(a.region.clone()).or_default().entry(a.measure.clone()).or_default().insert(a.date, a.value);
            }
            let slot = parts.entry((a.region.clone(), a.measure.clone())).or_insert((a.date, a.parts, a.expected));
            if a.date >= slot.0 {
                *slot = (a.date, a.parts, a.expected);
            }
        }
        let mut reconciliation: HashMap<String, Vec<crisis::Reconciliation>> = HashMap::new();
        for r in &rollup.reconciliation {
            let list = reconciliation.entry(r.region.clone()).or_default();
            match list.iter_mut().find(|x| x.measure == r.measure) {
                Some(x) if x.date < r.date => *x = r.clone(),
                Some(_) => {}
                None => list.push(r.clone()),
            }
        }
        for list in reconciliation.values_mut() {
            list.sort_by_key(|r| def.measures.iter().position(|m| m.id == r.measure).unwrap_or(usize::MAX));
        }
        let ids: Vec<&str> = def.derived.iter().map(|d| d.id.as_str()).chain(def.indicators.iter().map(|i| i.id.as_str())).collect();
        let mut computed: HashMap<String, Vec<LatestValue>> = HashMap::new();
        for (code, measures) in &series {
            let input = if regions.get(code).is_some_and(|r| r.level == def.level) { measures } else { complete.get(code).unwrap_or(measures) };
            let all = def.evaluate(input, pop.get(code).copied());
            let latest: Vec<LatestValue> = ids
                .iter()
                .filter_map(|id| all.get(*id).and_then(|s| s.iter().next_back()).map(|(d, v)| LatestValue { id: id.to_string(), date: *d, value: *v }))
                .collect();
            computed.insert(code.clone(), latest);
        }
        Cube { series, parts, reconciliation, computed, population: pop, reconciliation_all: rollup.reconciliation, population_sources: Vec::new() }
    }

    pub fn of(&self, region: &str, measure: &str) -> Option<&Series> {
        self.series.get(region).and_then(|m| m.get(measure))
    }

    /// The last date anything was reported for the region.
    pub fn latest(&self, region: &str) -> Option<NaiveDate> {
        self.series.get(region)?.values().filter_map(|s| s.keys().next_back().copied()).max()
    }

    /// The last value of a measure for the region, with its date.
    pub fn last(&self, region: &str, measure: &str) -> Option<(NaiveDate, f64)> {
        self.of(region, measure).and_then(|s| s.iter().next_back()).map(|(d, v)| (*d, *v))
    }
}

/// Recent roll-ups, keyed by definition hash and release digest, oldest first.
type CubeCache = Mutex<Vec<(String, Arc<Cube>)>>;

fn cache() -> &'static CubeCache {
    static C: OnceLock<CubeCache> = OnceLock::new();
    C.get_or_init(|| Mutex::new(Vec::new()))
}

/// The population table as a map, and a fingerprint of it for the cube cache key.
/// Also the sources with their years (`"BPS, 2020"`), for the page.
pub async fn populations(s: &AppState) -> Result<(HashMap<String, f64>, String, Vec<String>), AppError> {
    let rows = s.app.crisis_populations().await?;
    let mut hash = Sha256::new();
    let mut sources = std::collections::BTreeSet::new();
    for r in &rows {
        hash.update(format!("{}={};{};{}\n", r.region, r.population, r.year, r.source).as_bytes());
        sources.insert(format!("{}, {}", r.source, r.year));
    }
    let map = rows.into_iter().map(|r| (r.region, r.population as f64)).collect();
    Ok((map, hex::encode(&hash.finalize()[..8]), sources.into_iter().collect()))
}

/// The roll-up of a release, from the cache or computed (releases never change; the population
/// table may, so its fingerprint is part of the key).
pub async fn cube(s: &AppState, slug: &str, ds: &StoredCrisisDataset, def: &Definition, release: &StoredCrisisRelease) -> Result<Arc<Cube>, AppError> {
    let (population, fingerprint, sources) = populations(s).await?;
    let key = format!("{}:{}:{}", ds.definition_hash, release.digest, fingerprint);
    let cached = || cache().lock().unwrap_or_else(|e| e.into_inner()).iter().find(|(k, _)| *k == key).map(|(_, c)| c.clone());
    if let Some(c) = cached() {
        return Ok(c);
    }
    // One roll-up at a time: requests arriving while it is built wait for it instead of each
    // building their own (a two-year release takes seconds).
    static BUILDING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _building = BUILDING.lock().await;
    if let Some(c) = cached() {
        return Ok(c);
    }
    let (_, observations) = s.app.crisis_observations(slug, Some(release.seq), &ObservationFilter::default()).await?;
    // Seconds of CPU for a long release: off the async threads, so hot answers keep flowing.
    let (def, regions) = (def.clone(), s.app.regions.clone());
    let mut built = tokio::task::spawn_blocking(move || Cube::build(&def, &regions, &observations, &population))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the crisis roll-up failed: {e}")))?;
    built.population_sources = sources;
    let built = Arc::new(built);
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    c.retain(|(k, _)| *k != key);
    c.push((key, built.clone()));
    if c.len() > 4 {
        c.remove(0);
    }
    Ok(built)
}

/// The latest release of a dataset and its roll-up (`NotFound` when it has no release yet).
pub async fn latest_cube(s: &AppState, slug: &str, ds: &StoredCrisisDataset, def: &Definition) -> Result<(StoredCrisisRelease, Arc<Cube>), AppError> {
    let release = s.app.crisis_release(slug, None).await?;
    let cube = cube(s, slug, ds, def, &release).await?;
    Ok((release, cube))
}

/// The latest release, or `None` when the dataset has none yet.
async fn latest_release(s: &AppState, slug: &str) -> Result<Option<StoredCrisisRelease>, AppError> {
    Ok(s.app.crisis_releases(slug).await?.into_iter().next())
}

/// The measure whose daily new values the chart shows: the first cumulative one (else the first).
pub fn chart_measure(def: &Definition) -> Option<&crisis::Measure> {
    def.measures.iter().find(|m| m.temporal == Temporal::Cumulative).or_else(|| def.measures.first())
}

/// One day of the trend: the measure's value, new in the period and its 7-day average.
#[derive(Debug, Clone, Serialize)]
pub struct TrendRow {
    pub date: NaiveDate,
    pub value: Option<f64>,
    pub new: Option<f64>,
    pub avg7: Option<f64>,
}

/// The trend of a region: every period from the first to the last reported one (gaps kept).
pub fn trend(def: &Definition, cube: &Cube, region: &str) -> Vec<TrendRow> {
    let Some(m) = chart_measure(def) else { return vec![] };
    let empty = Series::new();
    let values = cube.of(region, &m.id).unwrap_or(&empty);
    let new = match m.temporal {
        Temporal::Cumulative => indicators::new_from_cumulative(values, def.grain),
        _ => values.clone(),
    };
    let avg7 = if def.grain.step_days() == 1 { indicators::trailing_avg7(&new) } else { Series::new() };
    let (Some(first), Some(last)) = (values.keys().next().copied(), values.keys().next_back().copied()) else { return vec![] };
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        out.push(TrendRow { date: d, value: values.get(&d).copied(), new: new.get(&d).copied(), avg7: avg7.get(&d).copied() });
        d += Duration::days(def.grain.step_days());
    }
    out
}

fn months(lang: Lang) -> Vec<String> {
    let mut m: Vec<String> = tr(lang, "crisis_pages.months").split(',').map(|s| s.trim().to_string()).collect();
    m.resize(12, String::new());
    m
}

fn chart_svg(def: &Definition, rows: &[TrendRow], lang: Lang) -> String {
    let Some(m) = chart_measure(def) else { return String::new() };
    let label = m.label.get(lang);
    let bars: Vec<(NaiveDate, Option<f64>)> = rows.iter().map(|r| (r.date, r.new)).collect();
    let line: Vec<(NaiveDate, Option<f64>)> = rows.iter().map(|r| (r.date, r.avg7)).collect();
    let new_label = format!("{} — {}", label, tr(lang, "crisis_pages.new"));
    let avg_label = tr(lang, "crisis_pages.avg7");
    let title = tf(lang, "crisis_pages.chart_title", &[("measure", label)]);
    let names = months(lang);
    let month_refs: [&str; 12] = std::array::from_fn(|i| names[i].as_str());
    crate::chart::svg(&crate::chart::Chart {
        title: &title,
        series: vec![
            crate::chart::Series { class: "s0", label: &new_label, points: &bars, style: crate::chart::Style::Bars },
            crate::chart::Series { class: "s1", label: &avg_label, points: &line, style: crate::chart::Style::Line },
        ],
        months: month_refs,
    })
}

fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(lang, key);
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// A headline: a measure's value on the region's latest date and how it changed.
#[derive(Debug, Clone, Serialize)]
struct Headline {
    id: String,
    label: String,
    unit: String,
    explain: String,
    value: Option<String>,
    raw: Option<f64>,
    d1: Option<String>,
    d7: Option<String>,
    parts: Option<usize>,
    expected: Option<usize>,
}

fn headlines(def: &Definition, cube: &Cube, code: &str, latest: NaiveDate, lang: Lang) -> Vec<Headline> {
    let step = Duration::days(def.grain.step_days());
    def.measures
        .iter()
        .filter(|m| cube.of(code, &m.id).is_some())
        .map(|m| {
            let s = cube.of(code, &m.id);
            let at = |d: NaiveDate| s.and_then(|s| s.get(&d)).copied();
            let v = at(latest);
            let d1 = v.zip(at(latest - step)).map(|(a, b)| signed(a - b, lang));
            let d7 = v.zip(at(latest - Duration::days(7))).map(|(a, b)| signed(a - b, lang));
            let parts = cube.parts.get(&(code.to_string(), m.id.clone())).filter(|p| p.0 == latest && p.1 != p.2);
            Headline {
                id: m.id.clone(),
                label: m.label.get(lang).to_string(),
                unit: m.unit.get(lang).to_string(),
                explain: m.explain.get(lang).to_string(),
                value: v.map(|v| num(v, lang)),
                raw: v,
                d1,
                d7,
                parts: parts.map(|p| p.1),
                expected: parts.map(|p| p.2),
            }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
struct CompareRow {
    code: String,
    name: String,
    values: Vec<String>,
}

/// The comparison table of `rows` regions, sorted by `sort` (a measure id) from high to low.
fn compare(columns: &[&crisis::Measure], cube: &Cube, rows: Vec<&Region>, sort: &str, lang: Lang) -> Vec<CompareRow> {
    let mut rows: Vec<(Option<f64>, CompareRow)> = rows
        .into_iter()
        .map(|r| {
            let key = cube.last(&r.code, sort).map(|x| x.1);
            let values = columns.iter().map(|m| cube.last(&r.code, &m.id).map(|x| num(x.1, lang)).unwrap_or_else(|| "–".into())).collect();
            (key, CompareRow { code: r.code.clone(), name: r.short_name.clone(), values })
        })
        .collect();
    rows.sort_by(|a, b| b.0.unwrap_or(f64::MIN).total_cmp(&a.0.unwrap_or(f64::MIN)).then_with(|| a.1.name.cmp(&b.1.name)));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// The map of the dataset's regions coloured by the latest value of `measure` (thirds by quantile).
fn map_svg(cube: &Cube, regions: &Regions, level: RegionLevel, slug: &str, measure: &crisis::Measure, lang: Lang) -> (String, Vec<String>) {
    let values: Vec<(String, NaiveDate, f64)> =
        regions.at_level(level).filter_map(|r| cube.last(&r.code, &measure.id).map(|(d, v)| (r.code.clone(), d, v))).collect();
    let mut sorted: Vec<f64> = values.iter().map(|v| v.2).collect();
    sorted.sort_by(f64::total_cmp);
    let q = |p: usize| sorted.get((sorted.len() * p / 3).min(sorted.len().saturating_sub(1))).copied().unwrap_or(0.0);
    let (q1, q2) = (q(1), q(2));
    let unit = measure.unit.get(lang);
    let fills: HashMap<String, crate::map::Fill> = values
        .iter()
        .map(|(code, date, v)| {
            let class = if *v <= q1 {
                "m1"
            } else if *v <= q2 {
                "m2"
            } else {
                "m3"
            };
            (code.clone(), crate::map::Fill { class, title: format!("{} {} ({})", num(*v, lang), unit, date.format("%d-%m-%Y")) })
        })
        .collect();
    let label = tf(lang, "crisis_pages.map_label", &[("measure", measure.label.get(lang))]);
    let svg = crate::map::svg(&crate::map::for_regions(regions, level), &fills, &label, &format!("/krisis/{slug}/wilayah/"));
    let legend = if values.is_empty() {
        vec![]
    } else {
        vec![
            tf(lang, "crisis_pages.legend_low", &[("value", &num(q1, lang))]),
            tf(lang, "crisis_pages.legend_mid", &[("low", &num(q1, lang)), ("high", &num(q2, lang))]),
            tf(lang, "crisis_pages.legend_high", &[("value", &num(q2, lang))]),
        ]
    };
    (svg, legend)
}

#[derive(Debug, Clone, Serialize)]
struct FormulaView {
    id: String,
    label: String,
    formula: String,
    explain: String,
    /// The region's latest value, with its unit and date (none when it cannot be computed).
    value: Option<String>,
    unit: String,
    date: Option<String>,
}

fn formulas(def: &Definition, latest: Option<&[LatestValue]>, lang: Lang) -> Vec<FormulaView> {
    let derived = def.derived.iter().map(|d| (d.id.as_str(), &d.label, &d.explain));
    let inds = def.indicators.iter().map(|i| (i.id.as_str(), &i.label, &i.explain));
    derived
        .chain(inds)
        .map(|(id, label, explain)| {
            let v = latest.and_then(|l| l.iter().find(|v| v.id == id));
            FormulaView {
                id: id.to_string(),
                label: label.get(lang).to_string(),
                formula: def.formula(id).map(|f| f.get(lang).to_string()).unwrap_or_default(),
                explain: explain.get(lang).to_string(),
                value: v.map(|v| num(v.value, lang)),
                unit: def.unit(id).map(|u| u.get(lang).to_string()).unwrap_or_default(),
                date: v.map(|v| v.date.to_string()),
            }
        })
        .collect()
}

/// One line of the reconciliation table.
#[derive(Debug, Clone, Serialize)]
struct ReconView {
    measure: String,
    date: String,
    reported: String,
    computed: String,
    difference: String,
    parts: usize,
    expected: usize,
}

fn reconciliation(def: &Definition, cube: &Cube, code: &str, lang: Lang) -> Vec<ReconView> {
    cube.reconciliation
        .get(code)
        .map(|list| {
            list.iter()
                .map(|r| ReconView {
                    measure: def.label(&r.measure).map(|l| l.get(lang).to_string()).unwrap_or_else(|| r.measure.clone()),
                    date: r.date.to_string(),
                    reported: num(r.reported, lang),
                    computed: r.computed.map(|v| num(v, lang)).unwrap_or_else(|| "–".into()),
                    difference: r.difference.map(|v| signed(v, lang)).unwrap_or_else(|| "–".into()),
                    parts: r.parts,
                    expected: r.expected,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn region_ref(r: &Region) -> minijinja::Value {
    context! { code => r.code.clone(), name => r.name.clone(), short_name => r.short_name.clone(), level => r.level.as_str() }
}

fn table_rows(rows: &[TrendRow], lang: Lang) -> Vec<minijinja::Value> {
    let f = |v: Option<f64>| v.map(|v| num(v, lang)).unwrap_or_else(|| "–".into());
    rows.iter().rev().take(TABLE_DAYS).map(|r| context! { date => r.date.to_string(), value => f(r.value), new => f(r.new), avg7 => f(r.avg7) }).collect()
}

// -------------------------------------------------------------------------------------- pages

pub async fn list(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Page, PageError> {
    let datasets = s.app.crisis_datasets().await.map_err(|e| ctx.err(e))?;
    let mut items = Vec::new();
    for ds in &datasets {
        let Ok(def) = Definition::parse(&ds.definition) else { continue };
        let latest = latest_release(&s, &ds.slug).await.map_err(|e| ctx.err(e))?;
        items.push(context! {
            slug => ds.slug.clone(),
            title => def.title.get(ctx.lang).to_string(),
            description => def.description.get(ctx.lang).to_string(),
            release => latest.as_ref().map(ReleaseView::of),
        });
    }
    Ok(render(&ctx, "crisis/list.html", context! { datasets => items }))
}

pub async fn home(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(slug): PagePath<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let province = s.app.regions.at_level(RegionLevel::Province).next().map(|r| r.code.clone()).ok_or_else(|| ctx.err(AppError::NotFound))?;
    let (page, release) = region_page(&s, &ctx, &slug, &province, true, &Params(q)).await?;
    let mut res = page.into_response();
    // The channel home is computed once per release and then served from memory (crate::hot).
    if let Some(r) = release {
        res.extensions_mut().insert(crate::hot::HotTag::of(slug, &r));
    }
    Ok(res)
}

pub async fn region(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((slug, code)): PagePath<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Page, PageError> {
    Ok(region_page(&s, &ctx, &slug, &code, false, &Params(q)).await?.0)
}

/// A region's page (the channel home when `home`), and the release it shows.
async fn region_page(s: &AppState, ctx: &Ctx, slug: &str, code: &str, home: bool, p: &Params) -> Result<(Page, Option<StoredCrisisRelease>), PageError> {
    let lang = ctx.lang;
    let (ds, def) = s.app.crisis_dataset(slug).await.map_err(|e| ctx.err(e))?;
    let region = s.app.regions.get(code).ok_or_else(|| ctx.err(AppError::NotFound))?;
    let lineage: Vec<_> = s.app.regions.lineage(code).into_iter().rev().map(region_ref).collect();
    let title = def.title.get(lang).to_string();
    // "Check my area".
    let area_q = p.str("kelurahan");
    let area: Vec<_> = area_q
        .as_deref()
        .map(|q| {
            s.app
                .regions
                .find_kelurahan(q, 8)
                .into_iter()
                .map(|r| {
                    let kec = s.app.regions.ancestor_at(&r.code, RegionLevel::Kecamatan).map(|k| k.short_name.clone()).unwrap_or_default();
                    let kota = s.app.regions.ancestor_at(&r.code, RegionLevel::KotaKab).map(|k| k.short_name.clone()).unwrap_or_default();
                    context! { code => r.code.clone(), name => r.short_name.clone(), kecamatan => kec, kota => kota }
                })
                .collect()
        })
        .unwrap_or_default();
    let base = context! {
        slug => slug, title => title, description => def.description.get(lang).to_string(), home => home,
        region => region_ref(region), lineage => lineage, area_q => area_q, area => area,
    };
    let Some(release) = latest_release(s, slug).await.map_err(|e| ctx.err(e))? else {
        return Ok((render(ctx, "crisis/region.html", context! { empty => true, formulas => formulas(&def, None, lang), ..base }), None));
    };
    let cube = cube(s, slug, &ds, &def, &release).await.map_err(|e| ctx.err(e))?;
    let latest = cube.latest(code);
    let heads = latest.map(|l| headlines(&def, &cube, code, l, lang)).unwrap_or_default();
    let rows = trend(&def, &cube, code);
    let chart = chart_svg(&def, &rows, lang);
    let cm = chart_measure(&def);
    let sort = p.str("urut").filter(|u| def.measure(u).is_some()).unwrap_or_else(|| def.measures[0].id.clone());
    let ukuran = p.str("ukuran").and_then(|u| def.measure(&u).cloned()).unwrap_or_else(|| def.measures[0].clone());
    // Columns: the measures reported for this region (all of them when none is).
    let mut columns: Vec<&crisis::Measure> = def.measures.iter().filter(|m| cube.of(code, &m.id).is_some()).collect();
    if columns.is_empty() {
        columns = def.measures.iter().collect();
    }
    let measures: Vec<_> = columns.iter().map(|m| context! { id => m.id.clone(), label => m.label.get(lang).to_string() }).collect();
    let (kota, kecamatan, children) = if home {
        let kota = compare(&columns, &cube, s.app.regions.at_level(RegionLevel::KotaKab).collect(), &sort, lang);
        let kec = compare(&columns, &cube, s.app.regions.at_level(RegionLevel::Kecamatan).collect(), &sort, lang);
        (kota, kec, vec![])
    } else {
        (vec![], vec![], compare(&columns, &cube, s.app.regions.children(code).collect(), &sort, lang))
    };
    // A choropleth from the shipped boundaries, or a grid map where none cover the regions.
    let (map, legend) = if home { map_svg(&cube, &s.app.regions, def.level, slug, &ukuran, lang) } else { (String::new(), vec![]) };
    let population = cube.population.get(code).map(|p| num(*p, lang));
    let page = render(
        ctx,
        "crisis/region.html",
        context! {
            empty => false,
            formulas => formulas(&def, cube.computed.get(code).map(Vec::as_slice), lang),
            reconciliation => reconciliation(&def, &cube, code, lang),
            population => population,
            population_sources => cube.population_sources.join("; "),
            release => ReleaseView::of(&release),
            latest => latest.map(|d| d.to_string()),
            headlines => heads,
            chart => minijinja::Value::from_safe_string(chart),
            chart_measure => cm.map(|m| m.label.get(lang).to_string()),
            chart_measure_id => cm.map(|m| m.id.clone()),
            table => table_rows(&rows, lang),
            measures => measures, sort => sort, ukuran => ukuran.id.clone(), ukuran_label => ukuran.label.get(lang).to_string(),
            kota => kota, kecamatan => kecamatan, children => children,
            map => if map.is_empty() { None } else { Some(minijinja::Value::from_safe_string(map)) }, legend => legend,
            ..base
        },
    );
    Ok((page, Some(release)))
}

/// `/krisis/{slug}/wilayah/{code}/tren.csv|json`: the chart's numbers for a region;
/// `banding.csv|json`: its comparison table.
pub async fn region_series_download(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((slug, code, file)): PagePath<(String, String, String)>,
) -> Result<Response, PageError> {
    let (json, compare) = match file.as_str() {
        "tren.csv" => (false, false),
        "tren.json" => (true, false),
        "banding.csv" => (false, true),
        "banding.json" => (true, true),
        _ => return Err(ctx.err(AppError::NotFound)),
    };
    let (ds, def) = s.app.crisis_dataset(&slug).await.map_err(|e| ctx.err(e))?;
    let Some(region) = s.app.regions.get(&code) else {
        return Err(ctx.err(AppError::NotFound));
    };
    let (release, cube) = latest_cube(&s, &slug, &ds, &def).await.map_err(|e| ctx.err(e))?;
    if compare {
        // The comparison table of the page: the region's parts (for the province, every kota and
        // kecamatan), each measure's latest value and its date.
        let rows: Vec<&Region> = if region.level == RegionLevel::Province {
            s.app.regions.at_level(RegionLevel::KotaKab).chain(s.app.regions.at_level(RegionLevel::Kecamatan)).collect()
        } else {
            s.app.regions.children(&code).collect()
        };
        let name = format!("krisis-{slug}-{}-banding", code.replace('.', ""));
        let ids: Vec<&str> = def.measures.iter().map(|m| m.id.as_str()).collect();
        if json {
            let items: Vec<_> = rows
                .iter()
                .map(|r| {
                    let values: serde_json::Map<String, serde_json::Value> =
                        ids.iter().filter_map(|m| cube.last(&r.code, m).map(|(d, v)| (m.to_string(), serde_json::json!({ "date": d, "value": v })))).collect();
                    serde_json::json!({ "code": r.code, "name": r.name, "level": r.level.as_str(), "latest": values })
                })
                .collect();
            let body = serde_json::json!({ "dataset": slug, "region": code, "release": release.seq, "digest": release.digest, "regions": items });
            return Ok(attachment("application/json", &format!("{name}.json"), serde_json::to_vec_pretty(&body).unwrap_or_default()));
        }
        let mut header = vec!["region", "name", "level", "date"];
        header.extend(ids.iter().copied());
        let data: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let date = cube.latest(&r.code).map(|d| d.to_string()).unwrap_or_default();
                let mut row = vec![r.code.clone(), r.name.clone(), r.level.as_str().to_string(), date];
                row.extend(ids.iter().map(|m| cube.last(&r.code, m).map(|(_, v)| v.to_string()).unwrap_or_default()));
                row
            })
            .collect();
        return Ok(attachment("text/csv; charset=utf-8", &format!("{name}.csv"), table::write_csv(&header, &data)));
    }
    let rows = trend(&def, &cube, &code);
    let measure = chart_measure(&def).map(|m| m.id.clone()).unwrap_or_default();
    let name = format!("krisis-{slug}-{}-tren", code.replace('.', ""));
    if json {
        let body = serde_json::json!({ "dataset": slug, "region": code, "measure": measure, "release": release.seq, "digest": release.digest, "rows": rows });
        return Ok(attachment("application/json", &format!("{name}.json"), serde_json::to_vec_pretty(&body).unwrap_or_default()));
    }
    let f = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let data: Vec<Vec<String>> = rows.iter().map(|r| vec![r.date.to_string(), f(r.value), f(r.new), f(r.avg7)]).collect();
    let value_col = measure.as_str();
    let new_col = format!("{measure}_new");
    let avg_col = format!("{measure}_new_avg7");
    Ok(attachment("text/csv; charset=utf-8", &format!("{name}.csv"), table::write_csv(&["date", value_col, &new_col, &avg_col], &data)))
}

pub async fn releases(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(slug): PagePath<String>) -> Result<Page, PageError> {
    let (_, def) = s.app.crisis_dataset(&slug).await.map_err(|e| ctx.err(e))?;
    let list = s.app.crisis_releases(&slug).await.map_err(|e| ctx.err(e))?;
    let views: Vec<ReleaseView> = list.iter().map(ReleaseView::of).collect();
    Ok(render(&ctx, "crisis/releases.html", context! { slug => slug, title => def.title.get(ctx.lang).to_string(), releases => views }))
}

/// One change as the correction log shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    pub region: String,
    pub region_name: String,
    pub date: NaiveDate,
    pub measure: String,
    pub kind: String,
    pub old: Option<f64>,
    pub new: Option<f64>,
    pub delta: Option<f64>,
}

impl ChangeView {
    pub fn of(c: &Change, regions: &Regions) -> ChangeView {
        ChangeView {
            region: c.region.clone(),
            region_name: regions.get(&c.region).map(|r| r.name.clone()).unwrap_or_default(),
            date: c.date,
            measure: c.measure.clone(),
            kind: c.kind.as_str().to_string(),
            old: c.old,
            new: c.new,
            delta: c.delta,
        }
    }
}

/// `/krisis/{slug}/rilis/{seq}` (the correction log), `{seq}.csv` and `{seq}.json` (the whole release).
pub async fn release(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((slug, seg)): PagePath<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = ctx.lang;
    let (stem, ext) = match seg.rsplit_once('.') {
        Some((stem, ext @ ("csv" | "json"))) => (stem, Some(ext)),
        Some(_) => return Err(ctx.err(AppError::NotFound)),
        None => (seg.as_str(), None),
    };
    let seq = parse_seq(stem).ok_or_else(|| ctx.err(AppError::NotFound))?;
    let (_, def) = s.app.crisis_dataset(&slug).await.map_err(|e| ctx.err(e))?;
    if let Some(ext) = ext {
        let (rel, obs) = s.app.crisis_observations(&slug, Some(seq), &ObservationFilter::default()).await.map_err(|e| ctx.err(e))?;
        let name = format!("krisis-{slug}-rilis-{seq}.{ext}");
        if ext == "json" {
            let body = serde_json::json!({ "dataset": slug, "release": ReleaseView::of(&rel), "observations": obs });
            return Ok(attachment("application/json", &name, serde_json::to_vec(&body).unwrap_or_default()));
        }
        let data: Vec<Vec<String>> = obs
            .iter()
            .map(|o| vec![o.region.clone(), o.date.to_string(), o.measure.clone(), o.value.to_string(), o.note.clone().unwrap_or_default()])
            .collect();
        return Ok(attachment("text/csv; charset=utf-8", &name, table::write_csv(&["region", "date", "measure", "value", "note"], &data)));
    }
    let (rel, changes) = s.app.crisis_release_diff(&slug, seq).await.map_err(|e| ctx.err(e))?;
    let p = Params(q);
    let total = changes.len();
    let pages = total.div_ceil(CHANGES_PER_PAGE).max(1);
    let page = (p.page() as usize).min(pages);
    let f = |v: Option<f64>| v.map(|v| num(v, lang)).unwrap_or_else(|| "–".into());
    let rows: Vec<_> = changes
        .iter()
        .skip((page - 1) * CHANGES_PER_PAGE)
        .take(CHANGES_PER_PAGE)
        .map(|c| {
            let v = ChangeView::of(c, &s.app.regions);
            context! {
                region => v.region, region_name => v.region_name, date => v.date.to_string(),
                measure => def.label(&c.measure).map(|l| l.get(lang).to_string()).unwrap_or_else(|| c.measure.clone()),
                kind => v.kind, old => f(c.old), new => f(c.new), delta => c.delta.map(|d| signed(d, lang)).unwrap_or_else(|| "–".into()),
            }
        })
        .collect();
    Ok(render(
        &ctx,
        "crisis/release.html",
        context! { slug => slug, title => def.title.get(lang).to_string(), release => ReleaseView::of(&rel), changes => rows, total => total, page => page, pages => pages },
    )
    .into_response())
}

/// `/krisis/{slug}/rilis/{seq}/perubahan.csv|json`: the diff of a release.
pub async fn release_changes_download(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((slug, seg, file)): PagePath<(String, String, String)>,
) -> Result<Response, PageError> {
    let seq = parse_seq(&seg).ok_or_else(|| ctx.err(AppError::NotFound))?;
    let json = match file.as_str() {
        "perubahan.csv" => false,
        "perubahan.json" => true,
        "datapackage.json" => return datapackage(&s, &ctx, &slug, Some(seq)).await,
        _ => return Err(ctx.err(AppError::NotFound)),
    };
    let (rel, changes) = s.app.crisis_release_diff(&slug, seq).await.map_err(|e| ctx.err(e))?;
    let views: Vec<ChangeView> = changes.iter().map(|c| ChangeView::of(c, &s.app.regions)).collect();
    let name = format!("krisis-{slug}-rilis-{seq}-perubahan");
    if json {
        let body = serde_json::json!({ "dataset": slug, "release": ReleaseView::of(&rel), "changes": views });
        return Ok(attachment("application/json", &format!("{name}.json"), serde_json::to_vec(&body).unwrap_or_default()));
    }
    let f = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let data: Vec<Vec<String>> = views
        .iter()
        .map(|c| vec![c.region.clone(), c.region_name.clone(), c.date.to_string(), c.measure.clone(), c.kind.clone(), f(c.old), f(c.new), f(c.delta)])
        .collect();
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("{name}.csv"),
        table::write_csv(&["region", "region_name", "date", "measure", "kind", "old", "new", "delta"], &data),
    ))
}

/// A Frictionless *tabular data package* descriptor (<https://specs.frictionlessdata.io/>) of
/// a release: its observations and its changes as CSV resources with their table schemas, the
/// dataset's measures with units and texts, and the release's digest. Resource paths are full
/// URLs of the release's files (`base` is the public address), so a downloaded descriptor still
/// works and the latest descriptor keeps pointing at the release it was made for.
pub fn datapackage_json(slug: &str, def: &Definition, release: &StoredCrisisRelease, base: &str) -> serde_json::Value {
    use serde_json::json;
    let seq = release.seq;
    let prefix = format!("{}/krisis/{slug}/rilis/", base.trim_end_matches('/'));
    let measure_ids: Vec<&str> = def.measures.iter().map(|m| m.id.as_str()).collect();
    let measures: Vec<_> = def
        .measures
        .iter()
        .map(|m| {
            json!({
                "id": m.id, "kind": m.kind.as_str(), "temporal": m.temporal.as_str(), "aggregate": m.aggregate.as_str(),
                "unit": { "id": m.unit.id, "en": m.unit.en }, "label": { "id": m.label.id, "en": m.label.en },
                "description": { "id": m.explain.id, "en": m.explain.en },
            })
        })
        .collect();
    json!({
        "profile": "tabular-data-package",
        "name": format!("terbuka-krisis-{slug}").replace('_', "-"),
        "title": def.title.id,
        "description": def.description.id,
        "version": format!("{seq}.0.0"),
        "created": release.created_at.to_rfc3339(),
        "keywords": ["krisis", slug, def.id],
        "terbuka": {
            "dataset": slug, "definition": def.id, "definition_version": def.version, "definition_hash": release.definition_hash,
            "release": seq, "digest": release.digest, "generated": is_generated(release.note.as_deref()),
            "level": def.level.as_str(), "grain": def.grain.as_str(), "measures": measures,
            "title_en": def.title.en, "description_en": def.description.en,
        },
        "resources": [
            {
                "name": "observations",
                "title": "Nilai per wilayah, tanggal dan ukuran / Values by region, date and measure",
                "path": format!("{prefix}{seq}.csv"),
                "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "schema": {
                    "fields": [
                        { "name": "region", "type": "string", "description": "Kode wilayah Kemendagri (bertitik) / Kemendagri region code (dotted)" },
                        { "name": "date", "type": "date", "format": "%Y-%m-%d" },
                        { "name": "measure", "type": "string", "constraints": { "enum": measure_ids } },
                        { "name": "value", "type": "number" },
                        { "name": "note", "type": "string", "description": "Catatan koreksi / correction note" },
                    ],
                    "primaryKey": ["region", "date", "measure"],
                },
            },
            {
                "name": "changes",
                "title": "Perubahan dari rilis sebelumnya / Changes from the previous release",
                "path": format!("{prefix}{seq}/perubahan.csv"),
                "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "schema": {
                    "fields": [
                        { "name": "region", "type": "string" },
                        { "name": "region_name", "type": "string" },
                        { "name": "date", "type": "date", "format": "%Y-%m-%d" },
                        { "name": "measure", "type": "string", "constraints": { "enum": measure_ids } },
                        { "name": "kind", "type": "string", "constraints": { "enum": ["added", "changed", "removed"] } },
                        { "name": "old", "type": "number" },
                        { "name": "new", "type": "number" },
                        { "name": "delta", "type": "number" },
                    ],
                    "primaryKey": ["region", "date", "measure"],
                },
            },
        ],
    })
}

async fn datapackage(s: &AppState, ctx: &Ctx, slug: &str, seq: Option<i64>) -> Result<Response, PageError> {
    let (_, def) = s.app.crisis_dataset(slug).await.map_err(|e| ctx.err(e))?;
    let release = s.app.crisis_release(slug, seq).await.map_err(|e| ctx.err(e))?;
    let body = datapackage_json(slug, &def, &release, &s.app.config.server.public_url);
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], serde_json::to_vec_pretty(&body).unwrap_or_default()).into_response())
}

/// `/krisis/{slug}/datapackage.json`: the descriptor of the latest release.
pub async fn datapackage_latest(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(slug): PagePath<String>) -> Result<Response, PageError> {
    datapackage(&s, &ctx, &slug, None).await
}

async fn reconciliation_rows(s: &AppState, ctx: &Ctx, slug: &str) -> Result<(StoredCrisisRelease, Vec<crisis::Reconciliation>), PageError> {
    let (ds, def) = s.app.crisis_dataset(slug).await.map_err(|e| ctx.err(e))?;
    let (release, cube) = latest_cube(s, slug, &ds, &def).await.map_err(|e| ctx.err(e))?;
    Ok((release, cube.reconciliation_all.clone()))
}

/// `/krisis/{slug}/rekonsiliasi.csv`: every directly reported total of the latest release next
/// to the sum of its parts.
pub async fn reconciliation_csv(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(slug): PagePath<String>) -> Result<Response, PageError> {
    let (release, rows) = reconciliation_rows(&s, &ctx, &slug).await?;
    let f = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.region.clone(),
                r.level.as_str().to_string(),
                r.date.to_string(),
                r.measure.clone(),
                r.reported.to_string(),
                f(r.computed),
                f(r.difference),
                r.parts.to_string(),
                r.expected.to_string(),
            ]
        })
        .collect();
    let name = format!("krisis-{slug}-rilis-{}-rekonsiliasi.csv", release.seq);
    Ok(attachment(
        "text/csv; charset=utf-8",
        &name,
        table::write_csv(&["region", "level", "date", "measure", "reported", "computed", "difference", "parts", "expected"], &data),
    ))
}

/// `/krisis/{slug}/rekonsiliasi.json`: the same as JSON.
pub async fn reconciliation_json(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(slug): PagePath<String>) -> Result<Response, PageError> {
    let (release, rows) = reconciliation_rows(&s, &ctx, &slug).await?;
    let body = serde_json::json!({ "dataset": slug, "release": ReleaseView::of(&release), "reconciliation": rows });
    Ok(attachment("application/json", &format!("krisis-{slug}-rilis-{}-rekonsiliasi.json", release.seq), serde_json::to_vec(&body).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names() {
        assert_eq!(num(1234567.0, Lang::Id), "1.234.567");
        assert_eq!(num(1234.5, Lang::En), "1,234.5");
        assert_eq!(num(-3.0, Lang::Id), "−3");
        assert_eq!(signed(5.0, Lang::Id), "+5");
        assert_eq!(signed(0.0, Lang::Id), "0");
        assert_eq!(levenshtein("confirmd", "confirmed"), 1);
        assert_eq!(nearest("confirmd", ["deaths", "confirmed"]), Some("confirmed"));
        assert_eq!(nearest("zzzzzzzz", ["deaths", "confirmed"]), None);
        assert_eq!(parse_seq("12"), Some(12));
        for bad in ["0", "-1", "1e3", "", "99999999999999999999", "+1"] {
            assert_eq!(parse_seq(bad), None, "{bad}");
        }
        assert!(is_generated(Some("Data contoh yang DIBANGKITKAN")));
        assert!(!is_generated(Some("Rilis harian")));
        assert!(!is_generated(None));
    }
}
