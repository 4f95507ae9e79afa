//! Web integration tests, compiled into one binary. Each test builds the real router on a fresh
//! store (SQLite temp file, or its own PostgreSQL database) and drives it in-process.

mod util;

mod authz;
mod bad_input;
mod console_crisis;
mod crisis;
mod flows;
mod kolaborasi;
mod multinode;
mod privacy;
mod register_console;
mod register_public;
