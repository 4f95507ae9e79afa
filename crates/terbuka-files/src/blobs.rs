//! Blob storage through the `object_store` crate: a local folder or an S3-compatible bucket.
//!
//! Keys look like `dip/42/7/v3-<sha256>`. They are validated strictly (see [`validate_key`]) so that
//! the same key means the same object on every backend and can never escape the storage root.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Longest accepted key, in bytes (S3 allows 1024).
pub const MAX_KEY_LEN: usize = 1024;

/// Where blobs live.
#[derive(Clone, PartialEq, Eq)]
pub enum BlobConfig {
    /// A folder on the local disk; created by [`Blobs::new`] when missing.
    Local { root: PathBuf },
    /// An S3 or S3-compatible bucket (MinIO, Garage, Ceph, moto...). With an `endpoint`, requests are
    /// path-style (`endpoint/bucket/key`).
    S3 { bucket: String, endpoint: Option<String>, region: String, access_key_id: String, secret_access_key: String, allow_http: bool },
}

// Hand-written so that secrets never end up in logs.
impl fmt::Debug for BlobConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobConfig::Local { root } => f.debug_struct("Local").field("root", root).finish(),
            BlobConfig::S3 { bucket, endpoint, region, access_key_id: _, secret_access_key: _, allow_http } => f
                .debug_struct("S3")
                .field("bucket", bucket)
                .field("endpoint", endpoint)
                .field("region", region)
                .field("access_key_id", &"<redacted>")
                .field("secret_access_key", &"<redacted>")
                .field("allow_http", allow_http)
                .finish(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// No object under that key.
    #[error("blob not found: {key}")]
    NotFound { key: String },
    /// The key is not acceptable (empty, `..`, leading `/`, empty segment, odd characters...).
    #[error("bad blob key {key:?}: {reason}")]
    BadKey { key: String, reason: &'static str },
    /// The configuration could not be turned into a store.
    #[error("blob storage configuration: {0}")]
    Config(String),
    /// Any other failure of the backend (I/O, network, permissions...).
    #[error("blob storage {op} {key}: {source}")]
    Backend {
        op: &'static str,
        key: String,
        #[source]
        source: object_store::Error,
    },
}

/// A handle on the blob store; cheap to clone.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    description: String,
}

impl fmt::Debug for Blobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blobs").field("store", &self.description).finish()
    }
}

impl Blobs {
    /// Builds the store. For `Local`, creates the folder (and its parents) when missing.
    /// Does not contact S3: a wrong bucket or credentials show up on the first operation.
    pub fn new(cfg: &BlobConfig) -> Result<Blobs, BlobError> {
        match cfg {
            BlobConfig::Local { root } => {
                std::fs::create_dir_all(root).map_err(|e| BlobError::Config(format!("cannot create folder {}: {e}", root.display())))?;
                // `LocalFileSystem` writes to a temporary file and renames it into place, so a reader
                // never sees a half-written blob. Automatic cleanup removes emptied folders on delete.
                let store = LocalFileSystem::new_with_prefix(root)
                    .map_err(|e| BlobError::Config(format!("cannot use folder {}: {e}", root.display())))?
                    .with_automatic_cleanup(true);
                Ok(Blobs { store: Arc::new(store), description: format!("local folder {}", root.display()) })
            }
            BlobConfig::S3 { bucket, endpoint, region, access_key_id, secret_access_key, allow_http } => {
                if bucket.trim().is_empty() {
                    return Err(BlobError::Config("S3 bucket name is empty".into()));
                }
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key_id)
                    .with_secret_access_key(secret_access_key)
                    .with_allow_http(*allow_http);
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint).with_virtual_hosted_style_request(false);
                }
                let store = builder.build().map_err(|e| BlobError::Config(format!("S3: {e}")))?;
                let description = match endpoint {
                    Some(ep) => format!("s3 bucket {bucket} at {ep}"),
                    None => format!("s3 bucket {bucket} in region {region}"),
                };
                Ok(Blobs { store: Arc::new(store), description })
            }
        }
    }

    /// Stores `bytes` under `key`, replacing any previous object. Atomic on both backends: readers
    /// see either the old or the new content.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        let path = object_path(key)?;
        self.store.put(&path, PutPayload::from(bytes)).await.map_err(|e| backend("put", key, e))?;
        Ok(())
    }

    /// Reads the whole object. A missing object is [`BlobError::NotFound`].
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        let path = object_path(key)?;
        let result = self.store.get(&path).await.map_err(|e| backend("get", key, e))?;
        let bytes = result.bytes().await.map_err(|e| backend("get", key, e))?;
        Ok(bytes.to_vec())
    }

    /// Deletes the object. Deleting a missing object is not an error (idempotent, as on S3).
    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        let path = object_path(key)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(backend("delete", key, e)),
        }
    }

    /// Human description for logs and the admin page, e.g. `local folder /var/lib/terbuka/blobs` or
    /// `s3 bucket dip at http://127.0.0.1:9000`. Never contains credentials.
    pub fn describe(&self) -> String {
        self.description.clone()
    }
}

fn backend(op: &'static str, key: &str, e: object_store::Error) -> BlobError {
    match e {
        object_store::Error::NotFound { .. } => BlobError::NotFound { key: key.to_string() },
        source => BlobError::Backend { op, key: key.to_string(), source },
    }
}

fn object_path(key: &str) -> Result<ObjectPath, BlobError> {
    validate_key(key)?;
    ObjectPath::parse(key).map_err(|_| BlobError::BadKey { key: key.to_string(), reason: "not a valid object path" })
}

/// Checks a blob key: 1..=1024 bytes of `/`-separated segments; each segment non-empty, not `.` or
/// `..`, made only of ASCII letters, digits, `-`, `_`, `.`. No leading or trailing `/`.
pub fn validate_key(key: &str) -> Result<(), BlobError> {
    let bad = |reason: &'static str| Err(BlobError::BadKey { key: key.to_string(), reason });
    if key.is_empty() {
        return bad("empty key");
    }
    if key.len() > MAX_KEY_LEN {
        return bad("key too long");
    }
    if key.starts_with('/') {
        return bad("key starts with '/'");
    }
    for segment in key.split('/') {
        if segment.is_empty() {
            return bad("empty path segment");
        }
        if segment == "." || segment == ".." {
            return bad("'.' or '..' segment");
        }
        if !segment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
            return bad("only ASCII letters, digits, '-', '_' and '.' are allowed");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for ok in ["dip/42/7/v3-0123abcdef", "a", "a/b.c/d_e-f", "x/..y/z"] {
            assert!(validate_key(ok).is_ok(), "{ok}");
        }
        for bad in ["", "/dip/1", "dip//1", "dip/1/", "dip/../etc", "..", "./a", "dip/ä", "dip/a b", "a\\b", "a\0b"] {
            assert!(matches!(validate_key(bad), Err(BlobError::BadKey { .. })), "{bad:?}");
        }
        assert!(validate_key(&"a".repeat(MAX_KEY_LEN)).is_ok());
        assert!(validate_key(&"a".repeat(MAX_KEY_LEN + 1)).is_err());
    }

    #[test]
    fn debug_hides_secrets() {
        let cfg = BlobConfig::S3 {
            bucket: "b".into(),
            endpoint: Some("http://127.0.0.1:9".into()),
            region: "us-east-1".into(),
            access_key_id: "AKIDSECRET".into(),
            secret_access_key: "VERYSECRET".into(),
            allow_http: true,
        };
        let dbg = format!("{cfg:?}");
        assert!(!dbg.contains("SECRET"), "{dbg}");
        let blobs = Blobs::new(&cfg).unwrap();
        assert_eq!(blobs.describe(), "s3 bucket b at http://127.0.0.1:9");
        assert!(!format!("{blobs:?}").contains("SECRET"));
    }
}
