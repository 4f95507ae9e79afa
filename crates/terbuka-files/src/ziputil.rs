//! Defensive helpers for the ZIP containers of DOCX / XLSX (zip bombs, huge archives).

use std::io::{Cursor, Read};

use zip::ZipArchive;

/// Most entries accepted in one archive.
pub(crate) const MAX_ENTRIES: usize = 10_000;
/// Largest uncompressed size of one entry.
pub(crate) const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;
/// Largest uncompressed size of the whole archive.
pub(crate) const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug)]
pub(crate) enum ZipProblem {
    /// Not a readable ZIP archive.
    Corrupt(String),
    /// Over one of the limits above.
    TooLarge(String),
}

pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

pub(crate) fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, ZipProblem> {
    let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| ZipProblem::Corrupt(e.to_string()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(ZipProblem::TooLarge(format!("{} entries", archive.len())));
    }
    Ok(archive)
}

/// Names of the entries (no decompression).
pub(crate) fn names(bytes: &[u8]) -> Option<Vec<String>> {
    let archive = open(bytes).ok()?;
    Some(archive.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect())
}

/// Reads one entry, refusing to inflate more than [`MAX_ENTRY_BYTES`] whatever the header claims.
/// `Ok(None)` when there is no such entry.
pub(crate) fn read_entry(archive: &mut ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<Vec<u8>>, ZipProblem> {
    let mut file = match archive.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(ZipProblem::Corrupt(e.to_string())),
    };
    if file.size() > MAX_ENTRY_BYTES {
        return Err(ZipProblem::TooLarge(format!("{name} is {} bytes uncompressed", file.size())));
    }
    let mut out = Vec::new();
    (&mut file).take(MAX_ENTRY_BYTES + 1).read_to_end(&mut out).map_err(|e| ZipProblem::Corrupt(format!("{name}: {e}")))?;
    if out.len() as u64 > MAX_ENTRY_BYTES {
        return Err(ZipProblem::TooLarge(format!("{name} inflates past {MAX_ENTRY_BYTES} bytes")));
    }
    Ok(Some(out))
}

/// Inflates every entry (bounded) to prove the archive is not a bomb before handing it to a parser
/// (calamine) that does not bound what it inflates. Costs at most [`MAX_TOTAL_BYTES`] of inflation.
pub(crate) fn check_bounded(bytes: &[u8]) -> Result<(), ZipProblem> {
    let mut archive = open(bytes)?;
    let mut total: u64 = 0;
    let mut sink = [0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| ZipProblem::Corrupt(e.to_string()))?;
        if file.size() > MAX_ENTRY_BYTES {
            return Err(ZipProblem::TooLarge(format!("{} is {} bytes uncompressed", file.name().unwrap_or_default(), file.size())));
        }
        let mut entry: u64 = 0;
        loop {
            let n = file.read(&mut sink).map_err(|e| ZipProblem::Corrupt(e.to_string()))?;
            if n == 0 {
                break;
            }
            entry += n as u64;
            total += n as u64;
            if entry > MAX_ENTRY_BYTES || total > MAX_TOTAL_BYTES {
                return Err(ZipProblem::TooLarge("archive inflates past the size limit".into()));
            }
        }
    }
    Ok(())
}
