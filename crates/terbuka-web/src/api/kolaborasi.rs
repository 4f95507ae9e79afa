//! `/api/v1/kolaborasi/...`: needs (with region, kind and status filters and paging), one need
//! with its public pledges, deliveries and history, the ledger, the catalogue, and pledging and
//! reporting by JSON. Only `kolaborasi_views` types leave through here.

use super::extract::{id, Cx, JsonBody, OrApi, PathParams, QueryParams};
use crate::http::ApiError;
use crate::kolaborasi_views::{PublicItemType, PublicNeed, PublicNeedPage};
use crate::pages::kolaborasi::list_query;
use crate::AppState;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Serialize;
use terbuka_app::kolaborasi::Ledger;
use terbuka_app::AppError;
use terbuka_domain::kolaborasi::{RawPledge, RawReport};
use terbuka_domain::validate::FieldErrors;
use tower_http::cors::{Any, CorsLayer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kolaborasi/needs", get(needs))
        .route("/kolaborasi/needs/{id}", get(need))
        .route("/kolaborasi/needs/{id}/pledges", post(pledge))
        .route("/kolaborasi/needs/{id}/reports", post(report))
        .route("/kolaborasi/ledger", get(ledger))
        .route("/kolaborasi/item-types", get(item_types))
        // Open data: any web page may read it (no cookies are involved). Only GET: a page on
        // another site cannot post pledges through a visitor's browser.
        .layer(CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::HEAD]))
}

#[derive(Serialize)]
pub struct NeedList {
    pub needs: Vec<PublicNeed>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub per_page: i64,
}

pub async fn needs(State(s): State<AppState>, cx: Cx, QueryParams(p): QueryParams) -> Result<Json<NeedList>, ApiError> {
    let types = s.app.aid_item_types().await.or_api(cx.lang)?;
    let mut e = FieldErrors::default();
    let mut lq = list_query(&p, &types, &s.app.regions, &mut e);
    let page = match p.str("page") {
        None => 1,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => n,
            _ => {
                e.add("page", "err.bad_request");
                1
            }
        },
    };
    let per_page = match p.str("per_page") {
        None => 20,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                e.add("per_page", "err.bad_request");
                20
            }
        },
    };
    if !e.is_empty() {
        return Err(ApiError::new(AppError::Invalid(e), cx.lang));
    }
    lq.filter.offset = (page - 1) * per_page;
    lq.filter.limit = per_page;
    let list = s.app.needs(&lq.filter).await.or_api(cx.lang)?;
    let code = |id: i64| types.iter().find(|t| t.id == id).map(|t| t.code.clone()).unwrap_or_default();
    Ok(Json(NeedList {
        needs: list.items.iter().map(|n| PublicNeed::of(n, &code(n.item_type), &s.app.regions)).collect(),
        total: list.total,
        page,
        pages: ((list.total + per_page - 1) / per_page).max(1),
        per_page,
    }))
}

pub async fn need(State(s): State<AppState>, cx: Cx, PathParams(raw): PathParams<String>) -> Result<Json<PublicNeedPage>, ApiError> {
    let d = s.app.need_detail(id(&raw, cx.lang)?).await.or_api(cx.lang)?;
    if d.org.verified_at.is_none() {
        return Err(ApiError::new(AppError::NotFound, cx.lang));
    }
    Ok(Json(PublicNeedPage::of(&d, &s.app.regions)))
}

/// The pledge receipt: the private link is returned once, to the pledger.
#[derive(Serialize)]
pub struct PledgeReceipt {
    pub need: PublicNeed,
    pub pledge_id: Option<i64>,
    pub private_link: String,
}

pub async fn pledge(State(s): State<AppState>, cx: Cx, PathParams(raw): PathParams<String>, JsonBody(body): JsonBody<RawPledge>) -> Result<Response, ApiError> {
    let need_id = id(&raw, cx.lang)?;
    let (saved, token) = s.app.pledge(need_id, &body, &cx.client, Utc::now()).await.map_err(|e| match e {
        AppError::Rejected("err.aid_rate_limited") => ApiError::with(StatusCode::TOO_MANY_REQUESTS, "err.aid_rate_limited", cx.lang),
        other => ApiError::new(other, cx.lang),
    })?;
    let types = s.app.aid_item_types().await.or_api(cx.lang)?;
    let code = types.iter().find(|t| t.id == saved.need.item_type).map(|t| t.code.clone()).unwrap_or_default();
    let receipt = PledgeReceipt {
        need: PublicNeed::of(&saved.need, &code, &s.app.regions),
        pledge_id: saved.pledge,
        private_link: format!("{}/kolaborasi/janji/{token}", s.app.config.server.public_url.trim_end_matches('/')),
    };
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

pub async fn report(State(s): State<AppState>, cx: Cx, PathParams(raw): PathParams<String>, JsonBody(body): JsonBody<RawReport>) -> Result<Response, ApiError> {
    let need_id = id(&raw, cx.lang)?;
    let report = s.app.report_need(need_id, &body, Utc::now()).await.or_api(cx.lang)?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "report_id": report }))).into_response())
}

pub async fn ledger(State(s): State<AppState>, cx: Cx) -> Result<Json<Ledger>, ApiError> {
    Ok(Json(s.app.ledger().await.or_api(cx.lang)?))
}

pub async fn item_types(State(s): State<AppState>, cx: Cx) -> Result<Json<Vec<PublicItemType>>, ApiError> {
    let types = s.app.aid_item_types().await.or_api(cx.lang)?;
    Ok(Json(types.iter().filter(|t| t.active).map(PublicItemType::of).collect()))
}
