//! Plumbing shared by pages and the API: request context (language, CSRF, signed-in officer),
//! form parsing, rendering, and the error type.

pub mod ctx;
pub mod error;
pub mod form;
pub mod render;

pub use ctx::Ctx;
pub use error::{ApiError, PageError};
pub use form::FormData;
pub use render::{render, Page};
