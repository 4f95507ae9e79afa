//! `/api/v1` endpoints of the information register and search. (Being written.)

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
