//! The HTTP face of Terbuka: server-rendered pages (Indonesian first, no JavaScript needed) and
//! the `/api/v1` JSON API for everything the pages do.
//!
//! Handlers are thin: they turn input into `terbuka_domain::validate` raw types, call one
//! `terbuka_app::App` use case, and render the result. Every route is declared in
//! [`routes::router`]. Nothing here decides a legal rule or talks SQL.

pub mod api;
pub mod chart;
pub mod hot;
pub mod http;
pub mod kolaborasi_views;
pub mod map;
pub mod pages;
pub mod register_views;
pub mod routes;
pub mod views;

pub use routes::router;

use std::sync::Arc;
use terbuka_app::App;

/// The state every handler receives.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    /// Answers rendered once per release and served from memory (see [`hot`]).
    pub hot: Arc<hot::HotCache>,
}

impl AppState {
    pub fn new(app: Arc<App>) -> AppState {
        AppState { app, hot: Arc::default() }
    }
}
