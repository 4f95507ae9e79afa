//! `/api/v1/crisis/...`: the crisis channel as open data. The datasets, a dataset's definition
//! (measures, units, texts, indicators with their formulas), its releases, a release's changes
//! and the observations of a release with validated filters. Every filter problem is a 422 that
//! names the parameter (and, for an unknown measure or dataset, suggests the nearest valid name);
//! observations carry an `ETag` (release digest + query) and `Last-Modified` (release time) and
//! answer a matching `If-None-Match` with `304 Not Modified`. Read-only, CORS for GET.

use super::extract::{Cx, PathParams, QueryParams};
use crate::http::render::tr;
use crate::http::ApiError;
use crate::pages::crisis::{nearest, parse_seq, ChangeView, Cube, ReleaseView};
use crate::AppState;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH, LAST_MODIFIED};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use terbuka_app::AppError;
use terbuka_domain::crisis::{Definition, Text};
use terbuka_domain::Lang;
use terbuka_store::ObservationFilter;
use tower_http::cors::{Any, CorsLayer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/crisis", get(datasets))
        .route("/crisis/{slug}", get(dataset))
        .route("/crisis/{slug}/summary", get(summary))
        .route("/crisis/{slug}/releases", get(releases))
        .route("/crisis/{slug}/releases/{seq}/changes", get(changes))
        .route("/crisis/{slug}/observations", get(observations))
        .layer(CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::HEAD]).expose_headers([ETAG, LAST_MODIFIED]))
}

/// Largest `per_page` of the observations.
pub const MAX_PER_PAGE: usize = 5000;

struct Problem {
    field: &'static str,
    code: &'static str,
    suggestion: Option<String>,
}

/// A 422 naming each bad parameter, with the nearest valid name where there is one.
fn invalid(lang: Lang, problems: &[Problem]) -> Response {
    let fields: Vec<_> = problems
        .iter()
        .map(|p| {
            let mut message = tr(lang, p.code);
            if let Some(s) = &p.suggestion {
                message = format!("{message} {}", tr(lang, "crisis_pages.err.did_you_mean").replace("{name}", s));
            }
            serde_json::json!({ "field": p.field, "code": p.code, "message": message, "suggestion": p.suggestion })
        })
        .collect();
    let body = serde_json::json!({ "error": { "code": "err.invalid", "message": tr(lang, "err.invalid"), "fields": fields } });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// A 404 for an unknown dataset, suggesting the nearest existing slug.
async fn unknown_slug(s: &AppState, lang: Lang, slug: &str) -> Response {
    let slugs: Vec<String> = s.app.crisis_datasets().await.map(|d| d.into_iter().map(|d| d.slug).collect()).unwrap_or_default();
    let suggestion = nearest(slug, slugs.iter().map(String::as_str)).map(str::to_string);
    let mut message = tr(lang, "err.not_found");
    if let Some(n) = &suggestion {
        message = format!("{message} {}", tr(lang, "crisis_pages.err.did_you_mean").replace("{name}", n));
    }
    (StatusCode::NOT_FOUND, Json(serde_json::json!({ "error": { "code": "err.not_found", "message": message, "suggestion": suggestion } }))).into_response()
}

async fn load(s: &AppState, lang: Lang, slug: &str) -> Result<(terbuka_store::StoredCrisisDataset, Definition), Response> {
    match s.app.crisis_dataset(slug).await {
        Ok(x) => Ok(x),
        Err(AppError::NotFound) => Err(unknown_slug(s, lang, slug).await),
        Err(e) => Err(ApiError::new(e, lang).into_response()),
    }
}

#[derive(Serialize)]
pub struct DatasetItem {
    pub slug: String,
    pub title: Text,
    pub description: Text,
    pub definition_version: i64,
    pub latest_release: Option<ReleaseView>,
}

pub async fn datasets(State(s): State<AppState>, cx: Cx) -> Result<Json<Vec<DatasetItem>>, ApiError> {
    let list = s.app.crisis_datasets().await.map_err(|e| ApiError::new(e, cx.lang))?;
    let mut out = Vec::new();
    for ds in list {
        let Ok(def) = Definition::parse(&ds.definition) else { continue };
        let latest = s.app.crisis_releases(&ds.slug).await.map_err(|e| ApiError::new(e, cx.lang))?.into_iter().next();
        out.push(DatasetItem {
            slug: ds.slug,
            title: def.title,
            description: def.description,
            definition_version: ds.definition_version,
            latest_release: latest.as_ref().map(ReleaseView::of),
        });
    }
    Ok(Json(out))
}

#[derive(Serialize)]
pub struct FormulaText {
    pub id: String,
    pub label: Text,
    pub formula: Text,
}

pub async fn dataset(State(s): State<AppState>, cx: Cx, PathParams(slug): PathParams<String>) -> Response {
    let (ds, def) = match load(&s, cx.lang, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let formulas: Vec<FormulaText> = def
        .derived
        .iter()
        .map(|d| (&d.id, &d.label))
        .chain(def.indicators.iter().map(|i| (&i.id, &i.label)))
        .filter_map(|(id, label)| def.formula(id).map(|formula| FormulaText { id: id.clone(), label: label.clone(), formula }))
        .collect();
    Json(serde_json::json!({ "slug": ds.slug, "definition_hash": ds.definition_hash, "definition": def, "formulas": formulas })).into_response()
}

/// The headline numbers of the province and every kota/kabupaten in the latest release: each
/// measure's latest value with its change from the previous period and from a week before,
/// and the latest value of every derived measure and indicator. Computed once per release and
/// served from memory (see `crate::hot`); both languages' labels are in it.
pub fn summary_json(
    slug: &str,
    def: &Definition,
    cube: &Cube,
    regions: &terbuka_domain::region::Regions,
    release: &terbuka_store::StoredCrisisRelease,
) -> serde_json::Value {
    use terbuka_domain::region::RegionLevel;
    let step = chrono::Duration::days(def.grain.step_days());
    let week = chrono::Duration::days(7);
    let region_list = regions.at_level(RegionLevel::Province).chain(regions.at_level(RegionLevel::KotaKab));
    let items: Vec<_> = region_list
        .map(|r| {
            let latest = cube.latest(&r.code);
            let measures: serde_json::Map<String, serde_json::Value> = def
                .measures
                .iter()
                .filter_map(|m| {
                    let s = cube.of(&r.code, &m.id)?;
                    let day = latest?;
                    let v = *s.get(&day)?;
                    let d1 = s.get(&(day - step)).map(|p| v - p);
                    let d7 = s.get(&(day - week)).map(|p| v - p);
                    let parts =
                        cube.parts.get(&(r.code.clone(), m.id.clone())).filter(|p| p.0 == day).map(|p| serde_json::json!({ "parts": p.1, "expected": p.2 }));
                    Some((m.id.clone(), serde_json::json!({ "value": v, "change_previous": d1, "change_week": d7, "completeness": parts })))
                })
                .collect();
            let computed: serde_json::Map<String, serde_json::Value> = cube
                .computed
                .get(&r.code)
                .map(|l| l.iter().map(|v| (v.id.clone(), serde_json::json!({ "value": v.value, "date": v.date }))).collect())
                .unwrap_or_default();
            serde_json::json!({
                "code": r.code, "name": r.name, "level": r.level.as_str(), "date": latest,
                "population": cube.population.get(&r.code), "measures": measures, "indicators": computed,
            })
        })
        .collect();
    let labels: serde_json::Map<String, serde_json::Value> = def
        .measures
        .iter()
        .map(|m| (m.id.as_str(), &m.label, &m.unit))
        .chain(def.derived.iter().map(|d| (d.id.as_str(), &d.label, &d.unit)))
        .chain(def.indicators.iter().map(|i| (i.id.as_str(), &i.label, &i.unit)))
        .map(|(id, label, unit)| (id.to_string(), serde_json::json!({ "label": label, "unit": unit })))
        .collect();
    serde_json::json!({ "dataset": slug, "title": def.title, "release": ReleaseView::of(release), "labels": labels, "regions": items })
}

pub async fn summary(State(s): State<AppState>, cx: Cx, PathParams(slug): PathParams<String>) -> Response {
    let (ds, def) = match load(&s, cx.lang, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (release, cube) = match crate::pages::crisis::latest_cube(&s, &slug, &ds, &def).await {
        Ok(x) => x,
        Err(e) => return ApiError::new(e, cx.lang).into_response(),
    };
    let body = summary_json(&slug, &def, &cube, &s.app.regions, &release);
    let mut res = Json(body).into_response();
    res.extensions_mut().insert(crate::hot::HotTag::of(slug, &release));
    res
}

pub async fn releases(State(s): State<AppState>, cx: Cx, PathParams(slug): PathParams<String>) -> Response {
    if let Err(r) = load(&s, cx.lang, &slug).await {
        return r;
    }
    match s.app.crisis_releases(&slug).await {
        Ok(list) => Json(serde_json::json!({ "dataset": slug, "releases": list.iter().map(ReleaseView::of).collect::<Vec<_>>() })).into_response(),
        Err(e) => ApiError::new(e, cx.lang).into_response(),
    }
}

pub async fn changes(State(s): State<AppState>, cx: Cx, PathParams((slug, seq)): PathParams<(String, String)>) -> Response {
    if let Err(r) = load(&s, cx.lang, &slug).await {
        return r;
    }
    let Some(seq) = parse_seq(&seq) else { return ApiError::new(AppError::NotFound, cx.lang).into_response() };
    match s.app.crisis_release_diff(&slug, seq).await {
        Ok((rel, changes)) => {
            let views: Vec<ChangeView> = changes.iter().map(|c| ChangeView::of(c, &s.app.regions)).collect();
            Json(serde_json::json!({ "dataset": slug, "release": ReleaseView::of(&rel), "changes": views })).into_response()
        }
        Err(e) => ApiError::new(e, cx.lang).into_response(),
    }
}

fn date_param(v: Option<String>, field: &'static str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
    let v = v?;
    match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
        Ok(d) if v.len() == 10 => Some(d),
        _ => {
            problems.push(Problem { field, code: "crisis_pages.err.date", suggestion: None });
            None
        }
    }
}

fn count_param(v: Option<String>, field: &'static str, max: usize, default: usize, problems: &mut Vec<Problem>) -> usize {
    let Some(v) = v else { return default };
    match v.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) && v.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => {
            problems.push(Problem { field, code: "crisis_pages.err.count", suggestion: None });
            default
        }
    }
}

pub async fn observations(
    State(s): State<AppState>,
    cx: Cx,
    PathParams(slug): PathParams<String>,
    QueryParams(p): QueryParams,
    headers: HeaderMap,
) -> Response {
    let lang = cx.lang;
    let (_, def) = match load(&s, lang, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut problems = Vec::new();
    let mut filter = ObservationFilter::default();
    if let Some(r) = p.str("region") {
        if s.app.regions.get(&r).is_some() {
            filter.region = Some(r);
        } else {
            problems.push(Problem { field: "region", code: "crisis_pages.err.region", suggestion: None });
        }
    }
    filter.from = date_param(p.str("from"), "from", &mut problems);
    filter.until = date_param(p.str("until"), "until", &mut problems);
    if let (Some(a), Some(b)) = (filter.from, filter.until) {
        if a > b {
            problems.push(Problem { field: "until", code: "crisis_pages.err.until_before_from", suggestion: None });
        }
    }
    if let Some(m) = p.str("measure") {
        for name in m.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if def.measure(name).is_some() {
                filter.measures.push(name.to_string());
            } else {
                let suggestion = nearest(name, def.measures.iter().map(|m| m.id.as_str())).map(str::to_string);
                problems.push(Problem { field: "measure", code: "crisis_pages.err.measure", suggestion });
            }
        }
    }
    let seq = match p.str("release") {
        None => None,
        Some(v) => match parse_seq(&v) {
            Some(n) => Some(n),
            None => {
                problems.push(Problem { field: "release", code: "crisis_pages.err.count", suggestion: None });
                None
            }
        },
    };
    let page = count_param(p.str("page"), "page", 1_000_000, 1, &mut problems);
    let per_page = count_param(p.str("per_page"), "per_page", MAX_PER_PAGE, 1000, &mut problems);
    if !problems.is_empty() {
        return invalid(lang, &problems);
    }
    let release = match s.app.crisis_release(&slug, seq).await {
        Ok(r) => r,
        Err(e) => return ApiError::new(e, lang).into_response(),
    };
    // The validated query, in a fixed order: with the release digest it names the answer.
    let query = format!(
        "region={}&from={}&until={}&measure={}&release={}&page={page}&per_page={per_page}",
        filter.region.as_deref().unwrap_or(""),
        filter.from.map(|d| d.to_string()).unwrap_or_default(),
        filter.until.map(|d| d.to_string()).unwrap_or_default(),
        filter.measures.join(","),
        release.seq
    );
    let etag = format!("\"{}-{}\"", release.digest.chars().take(32).collect::<String>(), &hex::encode(Sha256::digest(query.as_bytes()))[..16]);
    let last_modified = release.created_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let cache_headers = |mut r: Response| {
        let h = r.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(ETAG, v);
        }
        if let Ok(v) = HeaderValue::from_str(&last_modified) {
            h.insert(LAST_MODIFIED, v);
        }
        h.insert(CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
        r
    };
    let matches = headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == etag);
    if matches {
        return cache_headers(StatusCode::NOT_MODIFIED.into_response());
    }
    let observations = match s.app.crisis_observations(&slug, Some(release.seq), &filter).await {
        Ok((_, o)) => o,
        Err(e) => return ApiError::new(e, lang).into_response(),
    };
    let total = observations.len();
    let items: Vec<_> = observations.into_iter().skip((page - 1).saturating_mul(per_page)).take(per_page).collect();
    let body = serde_json::json!({
        "dataset": slug,
        "release": ReleaseView::of(&release),
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": total.div_ceil(per_page).max(1),
        "observations": items,
    });
    cache_headers(Json(body).into_response())
}
