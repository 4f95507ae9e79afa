//! Terbuka's use cases: what the platform does, written once for the web pages, the JSON API,
//! the background jobs and the command line.
//!
//! Each use case parses nothing (that is `terbuka_domain::validate`), renders nothing (that is
//! `terbuka-web`) and decides no legal rule itself (that is `terbuka_domain`): it loads what it
//! needs from the [`terbuka_store::Store`], asks the domain, encrypts personal data, and saves the
//! result with its history, mails and audit entry in one store call.

pub mod config;
pub mod crisis;
pub mod crypto;
pub mod demo;
pub mod demo_crisis;
pub mod demo_kolaborasi;
pub mod demo_register;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod kolaborasi;
pub mod mail;
pub mod register;
pub mod service;

pub use config::Config;
pub use error::AppError;
pub use service::App;
