//! Pure rules of Terbuka's public-information service under UU 14/2008 (UU KIP).
//!
//! This crate is the legal heart of the platform and deliberately knows nothing about HTTP, SQL,
//! files, clocks or the network: every function takes the current time or the calendar as an
//! argument, so every rule can be tested with plain values. Nothing here may depend on tokio,
//! sqlx or axum (CI checks this with `cargo tree`).
//!
//! What lives here:
//! - [`calendar`]: the one working-day calendar (national holidays, cuti bersama) and the
//!   deadline policy on top of it (who owes a deadline, office hours in WIB).
//! - [`crisis`]: the crisis information channel (Covid-19, floods): TOML dataset definitions, row validation, release diffs, roll-up, indicators.
//! - [`dip`]: the public information register (DIP/DIK): categories, item life-cycle, exemption periods, cadence.
//! - [`kolaborasi`]: aid needs, pledges and deliveries: four life-cycles, the quantity rules and
//!   the duplicate-aid guard.
//! - [`region`]: the administrative region hierarchy (province to kelurahan).
//! - [`request`]: the *permohonan informasi* state machine (kip-rules §9.1).
//! - [`objection`]: the *keberatan* and dispute state machine (kip-rules §9.2).
//! - [`authz`]: who may do what, decided in one place.
//! - [`validate`]: turning raw form input into types that cannot hold bad values.
//! - [`audit`]: the hash chain of the append-only audit log.
//! - [`stats`]: service statistics computed from request facts.

pub mod audit;
pub mod authz;
pub mod calendar;
pub mod crisis;
pub mod dip;
pub mod kolaborasi;
pub mod model;
pub mod objection;
pub mod region;
pub mod request;
pub mod stats;
pub mod validate;

pub use model::*;
