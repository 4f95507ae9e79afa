//! The application's error type. `thiserror` here, `anyhow` only in the binary and jobs.
//!
//! Every variant that is the user's fault carries a message code from the translation catalogs;
//! `Internal` is logged once by the web layer and shown as a plain 500 with no detail.

use terbuka_domain::validate::FieldErrors;
use terbuka_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input did not validate; every field's problem is listed.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Not signed in (or the session ended).
    #[error("not signed in")]
    Unauthenticated,
    /// Signed in but not allowed.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The action is not possible now; the code names why (`err.*`).
    #[error("not possible: {0}")]
    Rejected(&'static str),
    /// Someone else changed the record first.
    #[error("conflict")]
    Conflict,
    /// Too many failed logins.
    #[error("too many attempts")]
    TooManyAttempts,
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(_) => AppError::Conflict,
            StoreError::Refused(code) => AppError::Rejected(code),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl AppError {
    /// A single-field validation error.
    pub fn field(field: &'static str, code: &'static str) -> Self {
        let mut e = FieldErrors::default();
        e.add(field, code);
        AppError::Invalid(e)
    }

    /// The catalog key of the message shown to the user.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "err.invalid",
            AppError::Unauthenticated => "err.unauthenticated",
            AppError::Forbidden => "err.forbidden",
            AppError::NotFound => "err.not_found",
            AppError::Rejected(code) => code,
            AppError::Conflict => "err.conflict",
            AppError::TooManyAttempts => "err.too_many_attempts",
            AppError::Internal(_) => "err.internal",
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
