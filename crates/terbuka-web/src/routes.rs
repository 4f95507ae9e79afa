//! Every route of the platform, in one table.

use crate::http::ctx::context_layer;
use crate::pages::{console, console_crisis, console_kolaborasi, console_register, crisis, kolaborasi, public, register};
use crate::{api, AppState};
use axum::extract::DefaultBodyLimit;
use axum::http::header::{self, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{middleware, Router};
use tower_http::set_header::SetResponseHeaderLayer;

const CSS: &str = include_str!("../static/app.css");

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")], CSS)
}

/// Unknown paths: a JSON error under /api, the HTML page elsewhere.
async fn not_found(axum::Extension(ctx): axum::Extension<crate::http::Ctx>) -> axum::response::Response {
    if ctx.path.starts_with("/api/") || ctx.path == "/api" {
        crate::http::ApiError::new(terbuka_app::AppError::NotFound, ctx.lang).into_response()
    } else {
        ctx.err(terbuka_app::AppError::NotFound).into_response()
    }
}

/// A page route called with a method it does not take (a bookmarked form action, say): the error
/// page in the user's language, not an empty 405.
async fn method_not_allowed(axum::Extension(ctx): axum::Extension<crate::http::Ctx>) -> crate::http::PageError {
    crate::http::PageError::with(axum::http::StatusCode::METHOD_NOT_ALLOWED, "err.bad_request", ctx.lang)
}

pub fn router(state: AppState) -> Router {
    let max_body = state.app.config.uploads.max_document_bytes * 5 + 1024 * 1024;
    let pages = Router::new()
        .route("/", get(public::home))
        .route("/permohonan", get(public::request_form).post(public::submit_request))
        .route("/lacak", get(public::track_start).post(public::track_lookup))
        .route("/lacak/{token}", get(public::track))
        .route("/lacak/{token}/keberatan", post(public::file_objection))
        .route("/lacak/{token}/tarik", post(public::withdraw))
        .route("/lacak/{token}/dokumen/{id}", get(public::track_document))
        .route("/register", get(public::register))
        .route("/register/{reg_no}", get(public::register_detail))
        .route("/dokumen/{id}", get(public::public_document))
        .route("/statistik", get(public::stats))
        .route("/audit", get(public::audit))
        .route("/privasi", get(public::privacy))
        .route("/bahasa/{lang}", get(public::set_lang))
        .route("/masuk", get(public::login_form).post(public::login))
        .route("/keluar", post(public::logout))
        .route("/static/app.css", get(css))
        .merge(console::routes())
        .merge(register::routes())
        .merge(console_register::routes())
        .merge(kolaborasi::routes())
        .merge(console_kolaborasi::routes())
        .merge(crisis::routes())
        .merge(console_crisis::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .merge(pages)
        .nest("/api/v1", api::routes())
        .layer(middleware::from_fn_with_state(state.clone(), context_layer))
        // Outside the context layer: a hot answer needs no session, CSRF cookie or rendering.
        .layer(middleware::from_fn_with_state(state.clone(), crate::hot::hot_layer))
        .layer(DefaultBodyLimit::max(max_body))
        // Tracking links carry a secret token: never leak it through the Referer header.
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}
