//! The JSON API under `/api/v1`: everything the pages do, for mobile apps and data users
//! (documented in `docs/API.md`).
//!
//! Handlers are thin: read the input with the extractors in [`extract`] (which answer every
//! problem as a JSON [`ApiError`]), call one `App` use case, and serialize a `views` type. The
//! public half serializes only `views::Public*` and `views::TrackingView`; officers authenticate
//! with `Authorization: Bearer <token>` from `POST /api/v1/session`.

pub mod crisis;
pub mod extract;
pub mod kolaborasi;
pub mod officer;
pub mod public;
pub mod register;

use crate::http::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::header::{HeaderValue, CACHE_CONTROL};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use extract::Cx;
use serde::Serialize;
use terbuka_app::AppError;
use tower_http::set_header::SetResponseHeaderLayer;

/// Who may call an endpoint.
#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Public,
    /// The holder of a request's tracking token (the token is in the path).
    Token,
    /// A signed-in officer (`Authorization: Bearer`); the use case decides what each role may do.
    Officer,
}

#[derive(Serialize)]
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const fn ep(method: &'static str, path: &'static str, access: Access) -> Endpoint {
    Endpoint { method, path, access }
}

/// Every endpoint, as listed by `GET /api/v1` (paths relative to `/api/v1`).
pub const ENDPOINTS: &[Endpoint] = &[
    ep("GET", "/", Access::Public),
    ep("POST", "/requests", Access::Public),
    ep("GET", "/requests", Access::Public),
    ep("GET", "/requests/{reg_no}", Access::Public),
    ep("GET", "/documents/{id}", Access::Public),
    ep("GET", "/tracking/{token}", Access::Token),
    ep("POST", "/tracking/{token}/objections", Access::Token),
    ep("POST", "/tracking/{token}/withdraw", Access::Token),
    ep("GET", "/tracking/{token}/documents/{id}", Access::Token),
    ep("GET", "/stats", Access::Public),
    ep("GET", "/units", Access::Public),
    ep("GET", "/audit/head", Access::Public),
    ep("GET", "/calendar/due", Access::Public),
    ep("POST", "/session", Access::Public),
    ep("GET", "/session", Access::Officer),
    ep("DELETE", "/session", Access::Officer),
    ep("GET", "/officer/inbox", Access::Officer),
    ep("POST", "/officer/requests", Access::Officer),
    ep("GET", "/officer/requests/{id}", Access::Officer),
    ep("POST", "/officer/requests/{id}/route", Access::Officer),
    ep("POST", "/officer/requests/{id}/extend", Access::Officer),
    ep("POST", "/officer/requests/{id}/answer", Access::Officer),
    ep("POST", "/officer/requests/{id}/documents", Access::Officer),
    ep("POST", "/officer/requests/{id}/fee", Access::Officer),
    ep("POST", "/officer/requests/{id}/deliver", Access::Officer),
    ep("GET", "/officer/documents/{id}", Access::Officer),
    ep("GET", "/officer/objections", Access::Officer),
    ep("POST", "/officer/objections/{id}/{step}", Access::Officer),
    ep("GET", "/officer/officers", Access::Officer),
    ep("POST", "/officer/officers", Access::Officer),
    ep("POST", "/officer/officers/{id}/active", Access::Officer),
    ep("GET", "/officer/calendar", Access::Officer),
    ep("POST", "/officer/calendar", Access::Officer),
    ep("DELETE", "/officer/calendar", Access::Officer),
    ep("GET", "/informasi", Access::Public),
    ep("GET", "/informasi/{id}", Access::Public),
    ep("GET", "/informasi/{id}/berkas", Access::Public),
    ep("GET", "/dik", Access::Public),
    ep("GET", "/search", Access::Public),
    ep("GET", "/kolaborasi/needs", Access::Public),
    ep("GET", "/kolaborasi/needs/{id}", Access::Public),
    ep("POST", "/kolaborasi/needs/{id}/pledges", Access::Public),
    ep("POST", "/kolaborasi/needs/{id}/reports", Access::Public),
    ep("GET", "/kolaborasi/ledger", Access::Public),
    ep("GET", "/kolaborasi/item-types", Access::Public),
    ep("GET", "/crisis", Access::Public),
    ep("GET", "/crisis/{slug}", Access::Public),
    ep("GET", "/crisis/{slug}/releases", Access::Public),
    ep("GET", "/crisis/{slug}/releases/{seq}/changes", Access::Public),
    ep("GET", "/crisis/{slug}/observations", Access::Public),
];

#[derive(Serialize)]
pub struct Index {
    pub name: &'static str,
    pub version: &'static str,
    pub body: String,
    pub lang: &'static str,
    pub endpoints: &'static [Endpoint],
}

async fn index(State(s): State<AppState>, cx: Cx) -> Json<Index> {
    Json(Index { name: "Terbuka", version: env!("CARGO_PKG_VERSION"), body: s.app.config.body.name.clone(), lang: cx.lang.as_str(), endpoints: ENDPOINTS })
}

async fn not_found(cx: Cx) -> ApiError {
    ApiError::new(AppError::NotFound, cx.lang)
}

async fn method_not_allowed(cx: Cx) -> ApiError {
    ApiError::with(StatusCode::METHOD_NOT_ALLOWED, "err.bad_request", cx.lang)
}

pub fn routes() -> Router<AppState> {
    use officer as o;
    use public as p;
    Router::new()
        .merge(register::routes())
        .merge(kolaborasi::routes())
        .merge(crisis::routes())
        .route("/", get(index))
        .route("/requests", get(p::register).post(p::submit))
        .route("/requests/{reg_no}", get(p::register_detail))
        .route("/documents/{id}", get(p::document))
        .route("/tracking/{token}", get(p::tracking))
        .route("/tracking/{token}/objections", post(p::file_objection))
        .route("/tracking/{token}/withdraw", post(p::withdraw))
        .route("/tracking/{token}/documents/{id}", get(p::tracking_document))
        .route("/stats", get(p::stats))
        .route("/units", get(p::units))
        .route("/audit/head", get(p::audit_head))
        .route("/calendar/due", get(p::calendar_due))
        .route("/session", get(o::whoami).post(o::login).delete(o::logout))
        .route("/officer/inbox", get(o::inbox))
        .route("/officer/requests", post(o::register_paper))
        .route("/officer/requests/{id}", get(o::request))
        .route("/officer/requests/{id}/route", post(o::route))
        .route("/officer/requests/{id}/extend", post(o::extend))
        .route("/officer/requests/{id}/answer", post(o::answer))
        .route("/officer/requests/{id}/documents", post(o::attach))
        .route("/officer/requests/{id}/fee", post(o::notify_fee))
        .route("/officer/requests/{id}/deliver", post(o::deliver))
        .route("/officer/documents/{id}", get(o::document))
        .route("/officer/objections", get(o::objections))
        .route("/officer/objections/{id}/{step}", post(o::objection_step))
        .route("/officer/officers", get(o::officers).post(o::add_officer))
        .route("/officer/officers/{id}/active", post(o::set_active))
        .route("/officer/calendar", get(o::calendar).post(o::add_day).delete(o::remove_day))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        // Tracking views and officer data must not sit in shared caches (downloads set their own).
        .layer(SetResponseHeaderLayer::if_not_present(CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod index_tests {
    use super::*;

    #[test]
    fn the_index_lists_each_route_once() {
        let mut seen = std::collections::HashSet::new();
        for e in ENDPOINTS {
            assert!(seen.insert((e.method, e.path)), "{} {} listed twice", e.method, e.path);
        }
    }
}
