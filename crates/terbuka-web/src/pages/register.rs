//! Public pages of the information register (DIP/DIK) and search: `/informasi` (browse the DIP),
//! `/informasi/{id}` (an item, as much of it as its visibility allows), `/informasi/berkas/{id}`
//! (a file), `/informasi/dik` (the list of exempt information), the DIP as CSV/XLSX, an Atom feed,
//! and `/cari` (one search over the DIP, its files and the request register).
//!
//! Query parameters are read once here (shared with the API): the pages ignore a value that does
//! not parse, the API answers it with a 422 naming the parameter.

use super::{PagePath, Params};
use crate::http::ctx::Ctx;
use crate::http::{render, Page, PageError};
use crate::register_views::{self as rv, PublicItemPage};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use chrono::{DateTime, SecondsFormat, Utc};
use minijinja::context;
use std::collections::HashMap;
use terbuka_app::{App, AppError};
use terbuka_domain::calendar::wib_date;
use terbuka_domain::dip::{Category, ItemState};
use terbuka_domain::request::RequestState;
use terbuka_domain::validate::FieldErrors;
use terbuka_domain::Lang;
use terbuka_files::table;
use terbuka_search::{DocKind, SearchQuery};
use terbuka_store::{ItemFilter, ItemOrder, Unit};

/// Templates of these pages (`templates!("register/x.html", ...)`).
pub const TEMPLATES: &[(&str, &str)] =
    crate::templates!("register/list.html", "register/item.html", "register/dik.html", "register/search.html", "register/macros.html");

/// Items per page on the register pages and in the API.
pub const PER_PAGE: i64 = 20;
/// Search results per page on `/cari` (the API takes `per_page`, 1–100).
pub const SEARCH_PER_PAGE: u32 = 20;
/// Entries in the Atom feed.
pub const FEED_ENTRIES: i64 = 50;
/// Longest search text taken (characters); longer input is cut on the page, refused by the API.
pub const MAX_QUERY_CHARS: usize = 300;
const MAX_PAGE: i64 = 100_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/informasi", get(list))
        .route("/informasi/dik", get(dik))
        .route("/informasi/dip.csv", get(dip_csv))
        .route("/informasi/dip.xlsx", get(dip_xlsx))
        .route("/informasi/feed.atom", get(feed))
        .route("/informasi/berkas/{file_id}", get(file))
        .route("/informasi/{id}", get(item))
        .route("/cari", get(search))
}

// ------------------------------------------------------------------------------------ input

/// The names of the query parameters: Indonesian on the pages, English in the API.
#[derive(Clone, Copy)]
pub struct Names {
    pub kind: &'static str,
    pub category: &'static str,
    pub year: &'static str,
}

pub const PAGE_NAMES: Names = Names { kind: "jenis", category: "kategori", year: "tahun" };
pub const API_NAMES: Names = Names { kind: "kind", category: "category", year: "year" };

/// A raw parameter without control characters, trimmed; `None` when absent or empty.
fn raw(p: &Params, k: &str) -> Option<String> {
    p.0.get(k).map(|s| s.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string()).filter(|s| !s.is_empty())
}

fn page_of(p: &Params, e: &mut FieldErrors) -> i64 {
    match raw(p, "page") {
        None => 1,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                e.add("page", "err.bad_request");
                1
            }
        },
    }
}

fn year_of(p: &Params, name: &'static str, e: &mut FieldErrors) -> Option<i32> {
    let s = raw(p, name)?;
    match s.parse::<i32>() {
        Ok(y) if (1900..=2100).contains(&y) => Some(y),
        _ => {
            e.add(name, "dip.err.year");
            None
        }
    }
}

fn unit_of<'a>(p: &Params, units: &'a [Unit], e: &mut FieldErrors) -> Option<&'a Unit> {
    let s = raw(p, "unit")?;
    let u = units.iter().find(|u| u.id.to_string() == s || u.code.eq_ignore_ascii_case(&s));
    if u.is_none() {
        e.add("unit", "err.choose_one");
    }
    u
}

fn format_of(p: &Params, e: &mut FieldErrors) -> Option<String> {
    let s = raw(p, "format")?;
    if s.len() <= 10 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Some(s.to_ascii_uppercase())
    } else {
        e.add("format", "err.choose_one");
        None
    }
}

fn text_of(p: &Params, e: &mut FieldErrors) -> Option<String> {
    let s = raw(p, "q")?;
    if s.chars().count() > MAX_QUERY_CHARS {
        e.add("q", "err.too_long");
        return Some(s.chars().take(MAX_QUERY_CHARS).collect::<String>().trim().to_string());
    }
    Some(s)
}

/// The filters of the DIP list.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub category: Option<Category>,
    pub unit: Option<Unit>,
    pub year: Option<i32>,
    pub format: Option<String>,
    pub q: Option<String>,
    pub page: i64,
}

impl ListQuery {
    pub fn filter(&self) -> ItemFilter {
        ItemFilter {
            unit: self.unit.as_ref().map(|u| u.id),
            states: vec![ItemState::Published],
            categories: self.category.into_iter().collect(),
            year: self.year,
            format: self.format.clone(),
            text: self.q.clone(),
            order: ItemOrder::Updated,
            limit: PER_PAGE,
            offset: (self.page - 1) * PER_PAGE,
        }
    }
}

/// Reads the DIP list filters. Only the open categories can be chosen (the DIK has its own list).
pub fn list_query(p: &Params, units: &[Unit], names: Names) -> (ListQuery, FieldErrors) {
    let mut e = FieldErrors::default();
    let category = raw(p, names.category).and_then(|s| {
        let c = Category::parse(&s).filter(|c| !c.is_exempt());
        if c.is_none() {
            e.add(names.category, "err.choose_one");
        }
        c
    });
    let q = ListQuery {
        category,
        unit: unit_of(p, units, &mut e).cloned(),
        year: year_of(p, names.year, &mut e),
        format: format_of(p, &mut e),
        q: text_of(p, &mut e),
        page: page_of(p, &mut e),
    };
    (q, e)
}

/// What to search for.
#[derive(Clone, Debug, Default)]
pub struct SearchInput {
    pub q: String,
    pub kind: Option<&'static str>,
    pub category: Option<String>,
    pub unit: Option<String>,
    pub year: Option<i32>,
    pub format: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

impl SearchInput {
    pub fn has_filters(&self) -> bool {
        self.kind.is_some() || self.category.is_some() || self.unit.is_some() || self.year.is_some() || self.format.is_some()
    }
}

pub fn search_input(p: &Params, units: &[Unit], names: Names, per_page_param: bool) -> (SearchInput, FieldErrors) {
    let mut e = FieldErrors::default();
    let kind = raw(p, names.kind).and_then(|s| match s.as_str() {
        "info" => Some("info"),
        "request" => Some("request"),
        _ => {
            e.add(names.kind, "err.choose_one");
            None
        }
    });
    let category = raw(p, names.category).and_then(|s| {
        if Category::parse(&s).is_some_and(|c| !c.is_exempt()) || RequestState::parse(&s).is_some() {
            Some(s)
        } else {
            e.add(names.category, "err.choose_one");
            None
        }
    });
    let per_page = if per_page_param {
        match raw(p, "per_page") {
            None => 10,
            Some(s) => match s.parse::<u32>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => {
                    e.add("per_page", "dip.err.per_page");
                    10
                }
            },
        }
    } else {
        SEARCH_PER_PAGE
    };
    let input = SearchInput {
        q: text_of(p, &mut e).unwrap_or_default(),
        kind,
        category,
        unit: unit_of(p, units, &mut e).map(|u| u.code.clone()),
        year: year_of(p, names.year, &mut e),
        format: format_of(p, &mut e),
        page: page_of(p, &mut e) as u32,
        per_page,
    };
    (input, e)
}

/// Runs a search and turns the result into the public view (labels in `lang`).
pub fn run_search(app: &App, input: &SearchInput, units: &[Unit], lang: Lang) -> Result<rv::SearchView, AppError> {
    let q = SearchQuery {
        text: input.q.clone(),
        kind: input.kind.and_then(DocKind::parse),
        category: input.category.clone(),
        unit: input.unit.clone(),
        year: input.year,
        format: input.format.clone(),
        page: input.page.max(1),
        per_page: input.per_page.clamp(1, 100),
    };
    let r = app.search(&q)?;
    let fv = |list: &[(String, u64)], label: &dyn Fn(&str) -> String| -> Vec<rv::FacetValue> {
        list.iter().map(|(v, n)| rv::FacetValue { value: v.clone(), label: label(v), count: *n }).collect()
    };
    let facets = rv::SearchFacets {
        kind: fv(&r.facets.kind, &|v| rv::kind_label(v, lang)),
        category: fv(&r.facets.category, &|v| rv::category_label(v, lang)),
        unit: fv(&r.facets.unit, &|v| rv::unit_label(units, v, lang)),
        year: fv(&r.facets.year, &|v| v.to_string()),
        format: fv(&r.facets.format, &|v| v.to_string()),
    };
    let hits = r
        .hits
        .iter()
        .map(|h| rv::SearchHitView {
            kind: h.kind.as_str(),
            title_html: h.title_html.clone(),
            snippet_html: h.snippet_html.clone(),
            url: h.url.clone(),
            unit: rv::unit_by_code(units, &h.unit_code).and_then(|u| crate::views::unit_ref(units, Some(u.id), lang)),
            category: h.category.clone(),
            category_label: rv::category_label(&h.category, lang),
            year: h.year,
            format: h.format.clone(),
        })
        .collect();
    let per_page = q.per_page as u64;
    Ok(rv::SearchView {
        q: input.q.clone(),
        total: r.total,
        total_is_lower_bound: r.total_is_lower_bound,
        facets_partial: r.facets_partial,
        page: q.page,
        per_page: q.per_page,
        pages: r.total.div_ceil(per_page).max(1),
        hits,
        facets,
        suggestion: r.suggestion.clone(),
        fuzzy: r.fuzzy,
        relaxed: r.relaxed,
    })
}

// ----------------------------------------------------------------------------------- helpers

/// A query string from pairs, leaving out empty values.
fn qs(pairs: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (*k, v.as_str())).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

fn unit_name(u: &Unit, lang: Lang) -> String {
    if lang == Lang::En {
        u.name_en.clone()
    } else {
        u.name.clone()
    }
}

fn units_for_select(units: &[Unit], lang: Lang) -> Vec<minijinja::Value> {
    units.iter().map(|u| context! { id => u.id, code => u.code.clone(), name => unit_name(u, lang) }).collect()
}

fn pages(total: i64) -> i64 {
    ((total + PER_PAGE - 1) / PER_PAGE).max(1)
}

/// A file sent as a download that browsers will not sniff or render inline.
pub fn attachment(content_type: &str, filename: &str, data: Vec<u8>) -> Response {
    let name: String = filename.chars().filter(|c| c.is_ascii_alphanumeric() || "._- ".contains(*c)).collect();
    let name = if name.trim().is_empty() { "berkas".to_string() } else { name };
    (
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (CACHE_CONTROL, "no-cache".to_string()),
        ],
        data,
    )
        .into_response()
}

// ------------------------------------------------------------------------------------- pages

pub async fn list(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let p = Params(q);
    let now = Utc::now();
    let units = s.app.store.list_units().await.map_err(|e| ctx.err(e.into()))?;
    // The page ignores a filter it cannot read (the API names it).
    let (lq, _) = list_query(&p, &units, PAGE_NAMES);
    let page = s.app.public_items(lq.filter()).await.map_err(|e| ctx.err(e))?;
    let today = wib_date(now);
    let items: Vec<_> = page.items.iter().filter_map(|it| rv::public_item(it, &units, today, ctx.lang)).collect();
    let facets = s.app.store.item_facets(&[ItemState::Published]).await.map_err(|e| ctx.err(e.into()))?;
    let counts = s.app.register_counts(now).await.map_err(|e| ctx.err(e))?;
    let overall = counts.iter().find(|(u, _)| u.is_none()).map(|(_, c)| c.clone()).unwrap_or_default();
    let f = context! {
        kategori => lq.category.map(|c| c.as_str()),
        unit => lq.unit.as_ref().map(|u| u.id),
        tahun => lq.year,
        format => lq.format.clone(),
        q => lq.q.clone(),
    };
    let base_pairs = |cat: Option<&str>| {
        vec![
            ("q", lq.q.clone().unwrap_or_default()),
            ("kategori", cat.unwrap_or("").to_string()),
            ("unit", lq.unit.as_ref().map(|u| u.id.to_string()).unwrap_or_default()),
            ("tahun", lq.year.map(|y| y.to_string()).unwrap_or_default()),
            ("format", lq.format.clone().unwrap_or_default()),
        ]
    };
    let tabs: Vec<_> = std::iter::once((None, overall.berkala + overall.serta_merta + overall.setiap_saat))
        .chain([
            (Some(Category::Berkala), overall.berkala),
            (Some(Category::SertaMerta), overall.serta_merta),
            (Some(Category::SetiapSaat), overall.setiap_saat),
        ])
        .map(|(c, n)| {
            context! {
                code => c.map(|c| c.as_str()),
                count => n,
                href => format!("?{}", qs(&base_pairs(c.map(|c| c.as_str())))),
                current => c == lq.category,
            }
        })
        .collect();
    let pager_base = format!("?{}", qs(&base_pairs(lq.category.map(|c| c.as_str()))));
    Ok(render(
        &ctx,
        "register/list.html",
        context! {
            items => items,
            total => page.total,
            page => lq.page,
            pages => pages(page.total),
            pager_base => pager_base,
            units => units_for_select(&units, ctx.lang),
            years => facets.years,
            formats => facets.formats,
            categories => Category::OPEN.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            tabs => tabs,
            f => f,
            stale => overall.stale,
            dik_count => overall.dikecualikan,
        },
    ))
}

pub async fn item(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>) -> Result<Page, PageError> {
    let now = Utc::now();
    let detail = s.app.public_item(id, now).await.map_err(|e| ctx.err(e))?.ok_or_else(|| ctx.err(AppError::NotFound))?;
    let units = s.app.store.list_units().await.map_err(|e| ctx.err(e.into()))?;
    let view = rv::item_page(&detail, &units, wib_date(now), ctx.lang).ok_or_else(|| ctx.err(AppError::NotFound))?;
    let title = match &view {
        PublicItemPage::Full(d) => d.item.title.clone(),
        PublicItemPage::ListedExempt(x) => x.title.clone(),
        PublicItemPage::WithdrawnNotice(w) => w.title.clone(),
    };
    Ok(render(&ctx, "register/item.html", context! { p => view, title => title }))
}

pub async fn file(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>) -> Result<Response, PageError> {
    let (f, data) = s.app.public_file(id).await.map_err(|e| ctx.err(e))?.ok_or_else(|| ctx.err(AppError::NotFound))?;
    Ok(attachment(&f.content_type, &f.filename, data))
}

pub async fn dik(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let p = Params(q);
    let page = p.page();
    let units = s.app.store.list_units().await.map_err(|e| ctx.err(e.into()))?;
    let filter =
        ItemFilter { categories: vec![Category::Dikecualikan], order: ItemOrder::Title, limit: PER_PAGE, offset: (page - 1) * PER_PAGE, ..Default::default() };
    let list = s.app.public_items(filter).await.map_err(|e| ctx.err(e))?;
    let items: Vec<_> = list.items.iter().filter_map(|it| rv::exempt_listing(it, &units, ctx.lang)).collect();
    Ok(render(&ctx, "register/dik.html", context! { items => items, total => list.total, page => page, pages => pages(list.total) }))
}

async fn dip_table(s: &AppState, ctx: &Ctx) -> Result<(Vec<String>, Vec<Vec<String>>), PageError> {
    s.app.dip_table(ctx.lang).await.map_err(|e| ctx.err(e))
}

pub async fn dip_csv(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Response, PageError> {
    let (headers, rows) = dip_table(&s, &ctx).await?;
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    Ok(attachment("text/csv; charset=utf-8", "dip.csv", table::write_csv(&h, &rows)))
}

pub async fn dip_xlsx(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Response, PageError> {
    let (headers, rows) = dip_table(&s, &ctx).await?;
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    Ok(attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "dip.xlsx", table::write_xlsx("DIP", &h, &rows)))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The Atom 1.0 feed of the most recently updated public DIP items.
pub async fn feed(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Response, PageError> {
    let now = Utc::now();
    let filter = ItemFilter { order: ItemOrder::Updated, limit: FEED_ENTRIES, ..Default::default() };
    let items = s.app.public_items(filter).await.map_err(|e| ctx.err(e))?;
    let units = s.app.store.list_units().await.map_err(|e| ctx.err(e.into()))?;
    let today = wib_date(now);
    let views: Vec<_> = items.items.iter().filter_map(|it| rv::public_item(it, &units, today, ctx.lang)).collect();
    let base = s.app.config.server.public_url.trim_end_matches('/').to_string();
    let x = rv::xml_escape;
    let updated = views.iter().map(|v| v.updated_at).max().unwrap_or(now);
    let title = format!("{} — {}", crate::http::render::tr(ctx.lang, "dip.list.title"), s.app.config.body.name);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("<title>{}</title>\n", x(&title)));
    out.push_str(&format!("<id>{}</id>\n", x(&format!("{base}/informasi/feed.atom"))));
    out.push_str(&format!("<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", x(&format!("{base}/informasi/feed.atom"))));
    out.push_str(&format!("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", x(&format!("{base}/informasi"))));
    out.push_str(&format!("<updated>{}</updated>\n", rfc3339(updated)));
    out.push_str(&format!("<author><name>{}</name></author>\n", x(&s.app.config.body.name)));
    for v in &views {
        let url = format!("{base}{}", v.url);
        let summary: String = v.summary.chars().take(1000).collect();
        out.push_str("<entry>\n");
        out.push_str(&format!("<title>{}</title>\n", x(&v.title)));
        out.push_str(&format!("<id>{}</id>\n", x(&url)));
        out.push_str(&format!("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", x(&url)));
        out.push_str(&format!("<updated>{}</updated>\n", rfc3339(v.updated_at)));
        if let Some(p) = v.published_at {
            out.push_str(&format!("<published>{}</published>\n", rfc3339(p)));
        }
        out.push_str(&format!(
            "<category term=\"{}\" label=\"{}\"/>\n",
            v.category,
            x(&crate::http::render::tr(ctx.lang, &format!("dip.category.{}", v.category)))
        ));
        out.push_str(&format!("<summary type=\"text\">{}</summary>\n", x(&summary)));
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    Ok(([(CONTENT_TYPE, "application/atom+xml; charset=utf-8"), (CACHE_CONTROL, "public, max-age=300")], out).into_response())
}

pub async fn search(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let p = Params(q);
    let units = s.app.store.list_units().await.map_err(|e| ctx.err(e.into()))?;
    let (input, _) = search_input(&p, &units, PAGE_NAMES, false);
    let pairs = |skip: &str| -> Vec<(&'static str, String)> {
        [
            ("q", input.q.clone()),
            ("jenis", input.kind.unwrap_or("").to_string()),
            ("kategori", input.category.clone().unwrap_or_default()),
            ("unit", input.unit.clone().unwrap_or_default()),
            ("tahun", input.year.map(|y| y.to_string()).unwrap_or_default()),
            ("format", input.format.clone().unwrap_or_default()),
        ]
        .into_iter()
        .filter(|(k, _)| *k != skip)
        .collect()
    };
    let empty = input.q.is_empty() && !input.has_filters();
    let view = if empty { None } else { Some(run_search(&s.app, &input, &units, ctx.lang).map_err(|e| ctx.err(e))?) };
    // Facet links keep every other parameter and go back to page 1; the current value unsets.
    let facet_links = |name: &'static str, values: &[rv::FacetValue], current: Option<String>| -> Vec<minijinja::Value> {
        values
            .iter()
            .map(|v| {
                let selected = current.as_deref() == Some(v.value.as_str());
                let mut pr = pairs(name);
                if !selected {
                    pr.push((name, v.value.clone()));
                }
                context! { label => v.label.clone(), count => v.count, selected => selected, href => format!("?{}", qs(&pr)) }
            })
            .collect()
    };
    let facets = view.as_ref().map(|v| {
        vec![
            context! { name => "jenis", title => "dip.search.facet_kind", values => facet_links("jenis", &v.facets.kind, input.kind.map(str::to_string)) },
            context! { name => "kategori", title => "dip.search.facet_category", values => facet_links("kategori", &v.facets.category, input.category.clone()) },
            context! { name => "unit", title => "dip.search.facet_unit", values => facet_links("unit", &v.facets.unit, input.unit.clone()) },
            context! { name => "tahun", title => "dip.search.facet_year", values => facet_links("tahun", &v.facets.year, input.year.map(|y| y.to_string())) },
            context! { name => "format", title => "dip.search.facet_format", values => facet_links("format", &v.facets.format, input.format.clone()) },
        ]
    });
    let suggestion_href = view.as_ref().and_then(|v| v.suggestion.clone()).map(|sug| {
        let mut pr = pairs("q");
        pr.insert(0, ("q", sug));
        format!("?{}", qs(&pr))
    });
    let pager_base = format!("?{}", qs(&pairs("")));
    Ok(render(
        &ctx,
        "register/search.html",
        context! {
            q => input.q.clone(),
            empty => empty,
            r => view,
            facets => facets,
            suggestion_href => suggestion_href,
            pager_base => pager_base,
            page => input.page,
            clear_href => format!("?{}", qs(&[("q", input.q.clone())])),
            filtered => input.has_filters(),
            count_cap => terbuka_search::COUNT_CAP,
        },
    ))
}
