//! Server-rendered pages. `public` is what anyone can use; `console` is the officers' side.

pub mod console;
pub mod console_crisis;
pub mod console_kolaborasi;
pub mod console_register;
pub mod crisis;
pub mod kolaborasi;
pub mod public;
pub mod register;

use crate::http::{Ctx, PageError};
use axum::extract::{FromRequestParts, Path};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use terbuka_app::AppError;
use terbuka_store::Document;

/// Path parameters of a page. A segment that does not parse (`/dokumen/abc`,
/// `/konsol/permohonan/99999999999999999999`) is the "not found" page in the user's language,
/// never axum's plain-text 400.
pub struct PagePath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PagePath<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(t)) => Ok(PagePath(t)),
            Err(_) => Err(PageError::new(AppError::NotFound, parts.extensions.get::<Ctx>().map(|c| c.lang).unwrap_or_default())),
        }
    }
}

/// Sends a stored file as a download that browsers will not sniff or render inline.
pub fn download(d: Document) -> Response {
    let name: String = d.meta.filename.chars().filter(|c| c.is_ascii_alphanumeric() || "._- ".contains(*c)).collect();
    (
        [
            (CONTENT_TYPE, d.meta.content_type.clone()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (CACHE_CONTROL, "private, no-store".to_string()),
        ],
        d.data,
    )
        .into_response()
}

/// Lenient query parameters: a value that does not parse is ignored rather than refused.
pub struct Params(pub HashMap<String, String>);

impl Params {
    /// The trimmed value, without control characters (no filter needs them, and PostgreSQL
    /// refuses a NUL byte in a search).
    pub fn str(&self, k: &str) -> Option<String> {
        self.0.get(k).map(|s| s.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string()).filter(|s| !s.is_empty() && s.len() <= 200)
    }
    pub fn int(&self, k: &str) -> Option<i64> {
        self.str(k).and_then(|s| s.parse().ok())
    }
    pub fn page(&self) -> i64 {
        self.int("page").filter(|p| *p >= 1 && *p <= 100_000).unwrap_or(1)
    }
}
