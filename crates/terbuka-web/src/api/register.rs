//! `/api/v1` endpoints of the information register and search. Only `register_views` types leave
//! through here; a query value that does not parse is a 422 naming the parameter.

use super::extract::{id, Cx, OrApi, PathParams, QueryParams};
use crate::http::ApiError;
use crate::pages::register::{list_query, run_search, search_input, API_NAMES, PER_PAGE};
use crate::register_views::{self as rv, ExemptListing, PublicFiles, PublicItem, PublicItemPage, SearchView};
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::Serialize;
use terbuka_app::AppError;
use terbuka_domain::calendar::wib_date;
use terbuka_domain::dip::Category;
use terbuka_domain::validate::FieldErrors;
use terbuka_store::{ItemFilter, ItemOrder};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/informasi", get(list))
        .route("/informasi/{id}", get(item))
        .route("/informasi/{id}/berkas", get(files))
        .route("/dik", get(dik))
        .route("/search", get(search))
}

#[derive(Serialize)]
pub struct ItemList {
    pub items: Vec<PublicItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub per_page: i64,
}

#[derive(Serialize)]
pub struct DikList {
    pub items: Vec<ExemptListing>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub per_page: i64,
}

fn pages(total: i64) -> i64 {
    ((total + PER_PAGE - 1) / PER_PAGE).max(1)
}

fn checked(e: FieldErrors) -> Result<(), FieldErrors> {
    if e.is_empty() {
        Ok(())
    } else {
        Err(e)
    }
}

pub async fn list(State(s): State<AppState>, cx: Cx, QueryParams(p): QueryParams) -> Result<Json<ItemList>, ApiError> {
    let units = s.app.store.list_units().await.map_err(AppError::from).or_api(cx.lang)?;
    let (q, e) = list_query(&p, &units, API_NAMES);
    checked(e).or_api(cx.lang)?;
    let page = s.app.public_items(q.filter()).await.or_api(cx.lang)?;
    let today = wib_date(Utc::now());
    let items = page.items.iter().filter_map(|it| rv::public_item(it, &units, today, cx.lang)).collect();
    Ok(Json(ItemList { items, total: page.total, page: q.page, pages: pages(page.total), per_page: PER_PAGE }))
}

async fn item_page(s: &AppState, cx: &Cx, raw_id: &str) -> Result<PublicItemPage, ApiError> {
    let item_id = id(raw_id, cx.lang)?;
    let now = Utc::now();
    let detail = s.app.public_item(item_id, now).await.or_api(cx.lang)?.ok_or_else(|| ApiError::new(AppError::NotFound, cx.lang))?;
    let units = s.app.store.list_units().await.map_err(AppError::from).or_api(cx.lang)?;
    rv::item_page(&detail, &units, wib_date(now), cx.lang).ok_or_else(|| ApiError::new(AppError::NotFound, cx.lang))
}

pub async fn item(State(s): State<AppState>, cx: Cx, PathParams(raw_id): PathParams<String>) -> Result<Json<PublicItemPage>, ApiError> {
    Ok(Json(item_page(&s, &cx, &raw_id).await?))
}

/// The files of a fully public item; exempt and withdrawn items have none to show (404).
pub async fn files(State(s): State<AppState>, cx: Cx, PathParams(raw_id): PathParams<String>) -> Result<Json<PublicFiles>, ApiError> {
    match item_page(&s, &cx, &raw_id).await? {
        PublicItemPage::Full(d) => Ok(Json(d.files)),
        _ => Err(ApiError::new(AppError::NotFound, cx.lang)),
    }
}

pub async fn dik(State(s): State<AppState>, cx: Cx, QueryParams(p): QueryParams) -> Result<Json<DikList>, ApiError> {
    let mut e = FieldErrors::default();
    let page = match p.0.get("page").map(|s| s.trim()) {
        None | Some("") => 1,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => n,
            _ => {
                e.add("page", "err.bad_request");
                1
            }
        },
    };
    checked(e).or_api(cx.lang)?;
    let units = s.app.store.list_units().await.map_err(AppError::from).or_api(cx.lang)?;
    let filter =
        ItemFilter { categories: vec![Category::Dikecualikan], order: ItemOrder::Title, limit: PER_PAGE, offset: (page - 1) * PER_PAGE, ..Default::default() };
    let list = s.app.public_items(filter).await.or_api(cx.lang)?;
    let items = list.items.iter().filter_map(|it| rv::exempt_listing(it, &units, cx.lang)).collect();
    Ok(Json(DikList { items, total: list.total, page, pages: pages(list.total), per_page: PER_PAGE }))
}

pub async fn search(State(s): State<AppState>, cx: Cx, QueryParams(p): QueryParams) -> Result<Json<SearchView>, ApiError> {
    let units = s.app.store.list_units().await.map_err(AppError::from).or_api(cx.lang)?;
    let (input, e) = search_input(&p, &units, API_NAMES, true);
    checked(e).or_api(cx.lang)?;
    Ok(Json(run_search(&s.app, &input, &units, cx.lang).or_api(cx.lang)?))
}
