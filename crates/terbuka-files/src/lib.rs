//! File formats and blob storage for the public information register (DIP).
//!
//! This crate knows nothing of HTTP or SQL; the application layer calls it.
//!
//! * [`blobs`] — object storage (local folder or S3-compatible) behind one small API.
//! * [`extract`] — text out of documents (PDF, DOCX, XLSX, CSV, TXT, HTML) for full-text search,
//!   plus content-type sniffing.
//! * [`samples`] — generates real, valid PDF / DOCX / XLSX documents (tests and demo seeding).
//! * [`table`] — tabular import (CSV / XLSX) and export (CSV / XLSX) for the DIP.

pub mod blobs;
pub mod extract;
pub mod samples;
pub mod table;

mod sheet;
mod ziputil;

pub use blobs::{BlobConfig, BlobError, Blobs};
pub use extract::{extract_text, format_label, sniff_content_type, ExtractError};
pub use table::{read_table, write_csv, write_xlsx, Table, TableError};
