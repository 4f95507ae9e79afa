//! Public pages of the information register (DIP/DIK) and search. (Being written.)

use crate::AppState;
use axum::Router;

/// Templates of these pages (`templates!("register/x.html", ...)`).
pub const TEMPLATES: &[(&str, &str)] = &[];

pub fn routes() -> Router<AppState> {
    Router::new()
}
