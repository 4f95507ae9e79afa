//! Hot answers: the crisis channel's home page and its summary JSON are rendered once per
//! release and then served from memory.
//!
//! During a crisis nearly every visitor asks for the same two things — the channel's home page
//! and the headline numbers — and they change only when a release is published. So the first
//! anonymous request after a release is rendered as usual; the handler marks its answer with a
//! [`HotTag`] (the dataset and the release digest it was built from), and [`hot_layer`] keeps the
//! bytes (and a gzip copy made once) for every later request. A hot answer is served without
//! touching the database, the session store or the template engine.
//!
//! **Freshness across nodes.** Releases may be published on another node. Every entry is
//! re-checked against the store's latest release at most once per [`RECHECK`] (by one request;
//! the others keep being served the current bytes meanwhile). When the digest differs, that one
//! request renders the new release while everyone else still gets the previous answer, so a new
//! release never sends a crowd of visitors into the (seconds-long) roll-up at once. An answer is
//! therefore about one second, plus one rendering, older than the database.
//!
//! **What is never cached.** Only `GET`/`HEAD` of the listed paths, without a query string (or
//! with only `lang=`), and only for requests without a session cookie: a signed-in officer's page
//! shows their name and sign-out form, so it is always rendered. Answers other than `200` are
//! never kept. The cache lives in [`crate::AppState`], so two apps in one process never share it.

use crate::http::ctx::{cookie, LANG_COOKIE, SESSION_COOKIE};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use terbuka_domain::Lang;

/// How often an entry is re-checked against the latest release in the store.
pub const RECHECK: Duration = Duration::from_secs(1);

/// The largest answer kept (the home page with its kelurahan map is about 200 KB).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Put into a response's extensions by a handler whose answer may be served from memory: the
/// dataset and the release the answer was computed from.
#[derive(Debug, Clone)]
pub struct HotTag {
    pub slug: String,
    pub digest: String,
    pub released_at: DateTime<Utc>,
}

impl HotTag {
    /// The tag of an answer computed from `release` of dataset `slug`.
    pub fn of(slug: String, release: &terbuka_store::StoredCrisisRelease) -> HotTag {
        HotTag { slug, digest: release.digest.clone(), released_at: release.created_at }
    }
}

/// Which hot answer a request asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HotKey {
    pub path: String,
    pub lang: Lang,
}

struct Entry {
    slug: String,
    digest: String,
    body: Bytes,
    gzip: Bytes,
    content_type: HeaderValue,
    etag: HeaderValue,
    etag_gzip: HeaderValue,
    last_modified: HeaderValue,
    checked: Mutex<Instant>,
    rechecking: AtomicBool,
}

/// The answers kept in memory, by path and language.
pub struct HotCache {
    entries: RwLock<HashMap<HotKey, Arc<Entry>>>,
    recheck: Duration,
}

impl Default for HotCache {
    fn default() -> Self {
        HotCache::with_recheck(RECHECK)
    }
}

impl HotCache {
    /// A cache whose entries are re-checked against the store every `recheck` (tests use zero:
    /// every request re-checks, so a new release shows at once).
    pub fn with_recheck(recheck: Duration) -> HotCache {
        HotCache { entries: RwLock::default(), recheck }
    }

    /// How many answers are kept.
    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, key: &HotKey) -> Option<Arc<Entry>> {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }

    fn put(&self, key: HotKey, entry: Entry) {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).insert(key, Arc::new(entry));
    }
}

/// The dataset slug of a path whose answer may be kept: `/krisis/{slug}` (the channel home) and
/// `/api/v1/crisis/{slug}/summary`.
pub fn hot_slug(path: &str) -> Option<&str> {
    let slug = if let Some(rest) = path.strip_prefix("/krisis/") { rest } else { path.strip_prefix("/api/v1/crisis/")?.strip_suffix("/summary")? };
    (!slug.is_empty() && slug.len() <= 40 && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')).then_some(slug)
}

/// The key of a request that may be answered from memory, or `None` when it must be rendered.
pub fn hot_key(method: &Method, path: &str, query: Option<&str>, headers: &HeaderMap) -> Option<HotKey> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    hot_slug(path)?;
    if cookie(headers, SESSION_COOKIE).is_some() {
        return None;
    }
    let mut lang = cookie(headers, LANG_COOKIE).as_deref().and_then(Lang::parse).unwrap_or(Lang::Id);
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        // Only a language choice keeps a request hot; anything else is a different view.
        lang = q.strip_prefix("lang=").and_then(Lang::parse)?;
    }
    // The JSON summary has both languages in it; one entry serves everyone.
    if path.starts_with("/api/") {
        lang = Lang::Id;
    }
    Some(HotKey { path: path.to_string(), lang })
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|enc| {
        let mut parts = enc.trim().split(';');
        let name = parts.next().unwrap_or("").trim();
        let refused = parts.any(|p| matches!(p.trim().replace(' ', "").as_str(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

fn gzip(bytes: &[u8]) -> Option<Bytes> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 4), flate2::Compression::best());
    enc.write_all(bytes).ok()?;
    enc.finish().ok().map(Bytes::from)
}

fn answer(entry: &Entry, req_headers: &HeaderMap, head: bool) -> Response {
    let gz = accepts_gzip(req_headers) && !entry.gzip.is_empty();
    let etag = if gz { &entry.etag_gzip } else { &entry.etag };
    let not_modified = req_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == etag.to_str().unwrap_or("")));
    let mut res = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else if head {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(if gz { entry.gzip.clone() } else { entry.body.clone() }))
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, entry.content_type.clone());
    h.insert(header::ETAG, etag.clone());
    h.insert(header::LAST_MODIFIED, entry.last_modified.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=30"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding, Cookie"));
    if gz {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    if head && !not_modified {
        let len = if gz { entry.gzip.len() } else { entry.body.len() };
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    res
}

/// Whether the entry still shows the dataset's latest release. Errors keep the entry (the store
/// is briefly unavailable: the last good answer is better than none) and are logged.
async fn still_current(state: &AppState, entry: &Entry) -> bool {
    match state.app.crisis_release(&entry.slug, None).await {
        Ok(latest) => latest.digest == entry.digest,
        Err(terbuka_app::AppError::NotFound) => false,
        Err(e) => {
            tracing::warn!(slug = %entry.slug, "cannot re-check a hot answer: {}", e.code());
            true
        }
    }
}

/// Clears an entry's `rechecking` flag when the request that set it ends, however it ends (a
/// client that goes away mid-render must not leave the flag set).
struct Busy(Arc<Entry>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.rechecking.store(false, Ordering::Release);
    }
}

/// The middleware: answers hot requests from memory, keeps tagged answers.
pub async fn hot_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(key) = hot_key(req.method(), req.uri().path(), req.uri().query(), req.headers()) else {
        return next.run(req).await;
    };
    let head = req.method() == Method::HEAD;
    // While set, the entry being re-checked (or replaced) is served to everyone else.
    let mut _busy: Option<Busy> = None;
    if let Some(entry) = state.hot.get(&key) {
        let due = entry.checked.lock().map(|t| t.elapsed() >= state.hot.recheck).unwrap_or(true);
        if !due {
            return answer(&entry, req.headers(), head);
        }
        if entry.rechecking.swap(true, Ordering::AcqRel) {
            // Another request is re-checking or rendering the new release: serve what we have.
            return answer(&entry, req.headers(), head);
        }
        let busy = Busy(entry.clone());
        if still_current(&state, &entry).await {
            if let Ok(mut t) = entry.checked.lock() {
                *t = Instant::now();
            }
            return answer(&entry, req.headers(), head);
        }
        // A new release: this request renders it, the others keep getting the previous answer
        // until the new one is stored (or this request ends without one).
        _busy = Some(busy);
    }
    let req_headers = req.headers().clone();
    let res = next.run(req).await;
    let Some(tag) = res.extensions().get::<HotTag>().cloned() else { return res };
    if res.status() != StatusCode::OK || res.headers().contains_key(header::CONTENT_ENCODING) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE).cloned().unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let tag_base = format!("{}-{}", &tag.digest[..tag.digest.len().min(20)], key.lang.as_str());
    let etag = HeaderValue::from_str(&format!("\"{tag_base}\"")).unwrap_or(HeaderValue::from_static("\"x\""));
    let etag_gzip = HeaderValue::from_str(&format!("\"{tag_base}-gz\"")).unwrap_or(HeaderValue::from_static("\"x-gz\""));
    let last_modified = HeaderValue::from_str(&tag.released_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).unwrap_or(HeaderValue::from_static(""));
    let entry = Entry {
        slug: tag.slug,
        digest: tag.digest,
        gzip: gzip(&bytes).unwrap_or_default(),
        body: bytes,
        content_type,
        etag,
        etag_gzip,
        last_modified,
        checked: Mutex::new(Instant::now()),
        rechecking: AtomicBool::new(false),
    };
    let res = answer(&entry, &req_headers, head);
    state.hot.put(key, entry);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(header::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn which_requests_are_hot() {
        let none = HeaderMap::new();
        assert_eq!(hot_slug("/krisis/covid19"), Some("covid19"));
        assert_eq!(hot_slug("/api/v1/crisis/banjir/summary"), Some("banjir"));
        for cold in ["/krisis", "/krisis/", "/krisis/covid19/rilis", "/krisis/Covid", "/api/v1/crisis/covid19", "/api/v1/crisis//summary"] {
            assert_eq!(hot_slug(cold), None, "{cold}");
        }
        let key = hot_key(&Method::GET, "/krisis/covid19", None, &none).unwrap();
        assert_eq!(key.lang, Lang::Id);
        assert_eq!(hot_key(&Method::GET, "/krisis/covid19", Some("lang=en"), &none).unwrap().lang, Lang::En);
        assert_eq!(hot_key(&Method::GET, "/krisis/covid19", None, &headers(&[("cookie", "lang=en; csrf=abc")])).unwrap().lang, Lang::En);
        assert!(hot_key(&Method::HEAD, "/krisis/covid19", Some(""), &none).is_some());
        // Other views, signed-in officers and writes are always rendered.
        assert!(hot_key(&Method::GET, "/krisis/covid19", Some("urut=deaths"), &none).is_none());
        assert!(hot_key(&Method::GET, "/krisis/covid19", Some("lang=xx"), &none).is_none());
        assert!(hot_key(&Method::GET, "/krisis/covid19", None, &headers(&[("cookie", "sid=secret")])).is_none());
        assert!(hot_key(&Method::POST, "/krisis/covid19", None, &none).is_none());
        // The JSON summary is one entry whatever the language.
        assert_eq!(hot_key(&Method::GET, "/api/v1/crisis/covid19/summary", Some("lang=en"), &none).unwrap().lang, Lang::Id);
    }

    #[test]
    fn gzip_negotiation() {
        assert!(accepts_gzip(&headers(&[("accept-encoding", "gzip, deflate, br")])));
        assert!(accepts_gzip(&headers(&[("accept-encoding", "br;q=1.0, gzip;q=0.8")])));
        assert!(accepts_gzip(&headers(&[("accept-encoding", "*")])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "gzip;q=0")])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "br")])));
        assert!(!accepts_gzip(&HeaderMap::new()));
        let packed = gzip(&b"abc".repeat(1000)).unwrap();
        assert!(packed.len() < 200);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&packed[..]), &mut out).unwrap();
        assert_eq!(out, b"abc".repeat(1000));
    }
}
