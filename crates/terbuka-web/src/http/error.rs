//! One error type for pages and one for the API. The user's faults become a clear 4xx with a
//! message from the catalogs; unexpected faults are logged once and answered with a plain 500
//! that shows no internals.

use crate::http::render::{render_error, tr};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Serialize;
use terbuka_app::AppError;
use terbuka_domain::validate::FieldErrors;
use terbuka_domain::Lang;

/// The HTTP status of each error kind.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Rejected(_) | AppError::Conflict => StatusCode::CONFLICT,
        AppError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn log_internal(e: &AppError) {
    if let AppError::Internal(inner) = e {
        tracing::error!("internal error: {inner:#}");
    }
}

/// An error on a page: rendered as an HTML page in the user's language.
pub struct PageError {
    pub error: AppError,
    pub lang: Lang,
    /// A message code that overrides the error's own (e.g. `err.csrf`).
    pub code: Option<&'static str>,
    pub status: Option<StatusCode>,
}

impl PageError {
    pub fn new(error: AppError, lang: Lang) -> Self {
        PageError { error, lang, code: None, status: None }
    }
    pub fn with(status: StatusCode, code: &'static str, lang: Lang) -> Self {
        PageError { error: AppError::Rejected(code), lang, code: Some(code), status: Some(status) }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log_internal(&self.error);
        if matches!(self.error, AppError::Unauthenticated) {
            return Redirect::to("/masuk").into_response();
        }
        let status = self.status.unwrap_or_else(|| status_of(&self.error));
        let code = self.code.unwrap_or_else(|| self.error.code());
        let fields = match &self.error {
            AppError::Invalid(f) => f.0.iter().map(|e| (e.field.to_string(), tr(self.lang, e.code))).collect(),
            _ => vec![],
        };
        (status, render_error(self.lang, status.as_u16(), &tr(self.lang, code), &fields)).into_response()
    }
}

#[derive(Serialize)]
pub struct ApiFieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
pub struct ApiErrorBody {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ApiFieldError>,
}

/// An error from the API: `{"error": {"code", "message", "fields": [...]}}`.
pub struct ApiError {
    pub error: AppError,
    pub lang: Lang,
    pub code: Option<&'static str>,
    pub status: Option<StatusCode>,
}

impl ApiError {
    pub fn new(error: AppError, lang: Lang) -> Self {
        ApiError { error, lang, code: None, status: None }
    }
    pub fn with(status: StatusCode, code: &'static str, lang: Lang) -> Self {
        ApiError { error: AppError::Rejected(code), lang, code: Some(code), status: Some(status) }
    }
}

pub fn field_errors(lang: Lang, f: &FieldErrors) -> Vec<ApiFieldError> {
    f.0.iter().map(|e| ApiFieldError { field: e.field, code: e.code, message: tr(lang, e.code) }).collect()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_internal(&self.error);
        let status = self.status.unwrap_or_else(|| status_of(&self.error));
        let code = self.code.unwrap_or_else(|| self.error.code());
        let fields = match &self.error {
            AppError::Invalid(f) => field_errors(self.lang, f),
            _ => vec![],
        };
        let body = ApiErrorBody { code, message: tr(self.lang, code), fields };
        (status, Json(serde_json::json!({ "error": body }))).into_response()
    }
}
