//! Form bodies, URL-encoded or multipart, read into one shape: text fields (a field sent
//! several times, like checkboxes, keeps every value) and uploaded files.

use crate::http::ctx::Ctx;
use crate::http::error::PageError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use terbuka_app::service::Upload;
use terbuka_domain::Lang;

#[derive(Default)]
pub struct FormData {
    pub fields: BTreeMap<String, Vec<String>>,
    pub files: BTreeMap<String, Vec<Upload>>,
}

impl FormData {
    pub fn get(&self, name: &str) -> Option<String> {
        self.fields.get(name).and_then(|v| v.first()).cloned()
    }

    /// The fields as a raw input struct; repeated values are joined with commas.
    pub fn to_raw<T: DeserializeOwned + Default>(&self) -> T {
        let map: serde_json::Map<String, serde_json::Value> = self.fields.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.join(",")))).collect();
        serde_json::from_value(serde_json::Value::Object(map)).unwrap_or_default()
    }

    /// The first file under `name`, if one was chosen.
    pub fn file(&self, name: &str) -> Option<Upload> {
        self.files.get(name).and_then(|v| v.iter().find(|u| !u.data.is_empty())).cloned()
    }

    pub fn all_files(&self, name: &str) -> Vec<Upload> {
        self.files.get(name).map(|v| v.iter().filter(|u| !u.data.is_empty()).cloned().collect()).unwrap_or_default()
    }

    /// Checks the double-submit CSRF token against the request context.
    pub fn check_csrf(&self, ctx: &Ctx) -> Result<(), PageError> {
        match self.get("csrf_token") {
            Some(t) if !ctx.csrf.is_empty() && constant_time_eq(t.as_bytes(), ctx.csrf.as_bytes()) => Ok(()),
            _ => Err(PageError::with(StatusCode::FORBIDDEN, "err.csrf", ctx.lang)),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn lang_of(req: &Request) -> Lang {
    req.extensions().get::<Ctx>().map(|c| c.lang).unwrap_or_default()
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&req);
        let ct = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_lowercase();
        let mut form = FormData::default();
        if ct.starts_with("multipart/form-data") {
            let mut mp = Multipart::from_request(req, state).await.map_err(|_| PageError::with(StatusCode::BAD_REQUEST, "err.bad_request", lang))?;
            loop {
                let field = match mp.next_field().await {
                    Ok(Some(f)) => f,
                    Ok(None) => break,
                    Err(e) => {
                        let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                        return Err(if too_large {
                            PageError::with(StatusCode::PAYLOAD_TOO_LARGE, "err.payload_too_large", lang)
                        } else {
                            PageError::with(StatusCode::BAD_REQUEST, "err.bad_request", lang)
                        });
                    }
                };
                let name = field.name().unwrap_or("").to_string();
                match field.file_name().map(str::to_string) {
                    Some(filename) => {
                        let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
                        let data = field.bytes().await.map_err(|_| PageError::with(StatusCode::PAYLOAD_TOO_LARGE, "err.payload_too_large", lang))?;
                        form.files.entry(name).or_default().push(Upload { filename, content_type, data: data.to_vec() });
                    }
                    None => {
                        // Strictly UTF-8: a lossy decoding would store the citizen's text mangled.
                        let bytes = field.bytes().await.map_err(|_| PageError::with(StatusCode::BAD_REQUEST, "err.bad_request", lang))?;
                        let text = String::from_utf8(bytes.to_vec()).map_err(|_| PageError::with(StatusCode::BAD_REQUEST, "err.bad_request", lang))?;
                        form.fields.entry(name).or_default().push(text);
                    }
                }
            }
        } else if ct.starts_with("application/x-www-form-urlencoded") || ct.is_empty() {
            let bytes =
                axum::body::Bytes::from_request(req, state).await.map_err(|_| PageError::with(StatusCode::PAYLOAD_TOO_LARGE, "err.payload_too_large", lang))?;
            let pairs = form_urlencoded_pairs(&bytes).ok_or_else(|| PageError::with(StatusCode::BAD_REQUEST, "err.bad_request", lang))?;
            for (k, v) in pairs {
                form.fields.entry(k).or_default().push(v);
            }
        } else {
            return Err(PageError::with(StatusCode::UNSUPPORTED_MEDIA_TYPE, "err.bad_request", lang));
        }
        Ok(form)
    }
}

/// The name/value pairs of a URL-encoded body, or `None` if a decoded name or value is not UTF-8
/// (browsers always send UTF-8; a lossy decoding would store the text mangled).
fn form_urlencoded_pairs(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    bytes
        .split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            Some((percent_decode(name)?, percent_decode(value)?))
        })
        .collect()
}

/// `+` is a space and `%XX` a byte; a `%` not followed by two hex digits stays as it is.
fn percent_decode(s: &[u8]) -> Option<String> {
    let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match (s[i], hex(s.get(i + 1)), hex(s.get(i + 2))) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
            (b'+', _, _) => out.push(b' '),
            (b, _, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_bodies_decode_strictly() {
        let pairs = form_urlencoded_pairs(b"a=1+2&b=%C3%A9t%C3%A9&c&d=50%&e=%zz&&grounds=a&grounds=c").unwrap();
        let expected = [("a", "1 2"), ("b", "été"), ("c", ""), ("d", "50%"), ("e", "%zz"), ("grounds", "a"), ("grounds", "c")];
        assert_eq!(pairs, expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>());
        assert_eq!(form_urlencoded_pairs(b""), Some(vec![]));
        assert_eq!(form_urlencoded_pairs(b"name=Siti%FF"), None);
        assert_eq!(form_urlencoded_pairs(b"name=Siti\xff"), None);
        assert_eq!(form_urlencoded_pairs(b"%C3%28=x"), None);
    }
}
