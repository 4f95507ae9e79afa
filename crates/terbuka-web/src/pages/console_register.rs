//! Console pages of the information register: list, create, edit, files, life-cycle, import,
//! export, promotion of released documents. (Being written.)

use crate::AppState;
use axum::Router;

/// Templates of these pages (`templates!("register/x.html", ...)`).
pub const TEMPLATES: &[(&str, &str)] = &[];

pub fn routes() -> Router<AppState> {
    Router::new()
}
