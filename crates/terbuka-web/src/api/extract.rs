//! The API's own extractors. Every one of them rejects with an [`ApiError`] (JSON, in the
//! caller's language), so no request ever gets one of axum's plain-text rejections:
//!
//! - [`Cx`]: the language and client address from the request context (never fails);
//! - [`JsonBody`]: an `application/json` body read into a [`FromJson`] type — a wrong content
//!   type is 415 `err.unsupported_media`, unreadable JSON 400 `err.bad_request`, and fields of
//!   the wrong type 422 with one message per field;
//! - [`PathParams`]: path parameters, where anything that does not parse is a 404;
//! - [`QueryParams`]: lenient query parameters ([`Params`]);
//! - [`Auth`]: the officer behind `Authorization: Bearer <token>` (401 otherwise).

use crate::http::ctx::Ctx;
use crate::http::ApiError;
use crate::pages::Params;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::Utc;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::convert::Infallible;
use terbuka_app::service::Upload;
use terbuka_app::AppError;
use terbuka_domain::authz::Actor;
use terbuka_domain::validate::FieldErrors;
use terbuka_domain::Lang;
use terbuka_store::Officer;

/// The message code for a JSON value of the wrong type (an object where text was expected,
/// undecodable base64, ...).
pub const WRONG_TYPE: &str = "err.bad_request";

/// `Result<T, AppError>` → `Result<T, ApiError>` in the caller's language.
pub trait OrApi<T> {
    fn or_api(self, lang: Lang) -> Result<T, ApiError>;
}

impl<T> OrApi<T> for Result<T, AppError> {
    fn or_api(self, lang: Lang) -> Result<T, ApiError> {
        self.map_err(|e| ApiError::new(e, lang))
    }
}

impl<T> OrApi<T> for Result<T, FieldErrors> {
    fn or_api(self, lang: Lang) -> Result<T, ApiError> {
        self.map_err(|e| ApiError::new(AppError::Invalid(e), lang))
    }
}

fn lang_in(ext: &axum::http::Extensions) -> Lang {
    ext.get::<Ctx>().map(|c| c.lang).unwrap_or_default()
}

/// What the API needs from the request context: the display language and the client key used
/// for login rate limiting (the peer IP, or `local`).
#[derive(Clone, Debug)]
pub struct Cx {
    pub lang: Lang,
    pub client: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Cx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(match parts.extensions.get::<Ctx>() {
            Some(c) => Cx { lang: c.lang, client: c.client.clone() },
            None => Cx {
                lang: Lang::default(),
                client: parts
                    .extensions
                    .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                    .map(|c| c.0.ip().to_string())
                    .unwrap_or_else(|| "local".into()),
            },
        })
    }
}

/// Path parameters; anything that does not even decode is a JSON 404. Ids are parsed by the
/// handler with [`id`], so `/requests/abc` is a 404 too.
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(t)) => Ok(PathParams(t)),
            Err(_) => Err(ApiError::new(AppError::NotFound, lang_in(&parts.extensions))),
        }
    }
}

/// A positive numeric id from a path segment, or a 404.
pub fn id(s: &str, lang: Lang) -> Result<i64, ApiError> {
    match s.parse::<i64>() {
        Ok(v) if v > 0 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(v),
        _ => Err(ApiError::new(AppError::NotFound, lang)),
    }
}

/// Lenient query parameters: unreadable ones are ignored, as on the pages.
pub struct QueryParams(pub Params);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
        Ok(QueryParams(Params(pairs.into_iter().collect())))
    }
}

pub fn truthy(v: Option<String>) -> bool {
    matches!(v.as_deref().map(str::to_lowercase).as_deref(), Some("1" | "true" | "on" | "yes"))
}

// ------------------------------------------------------------------------------------ bodies

/// A JSON object being read field by field. Type problems are collected as field errors.
pub struct JsonObject {
    map: Map<String, Value>,
    pub errors: FieldErrors,
}

impl JsonObject {
    pub fn new(map: Map<String, Value>) -> Self {
        JsonObject { map, errors: FieldErrors::default() }
    }

    /// Removes a field; `null` counts as absent.
    pub fn take(&mut self, name: &str) -> Option<Value> {
        self.map.remove(name).filter(|v| !v.is_null())
    }

    /// A text field; numbers and booleans are accepted as their text.
    pub fn text(&mut self, name: &'static str) -> Option<String> {
        match self.take(name)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                self.errors.add(name, WRONG_TYPE);
                None
            }
        }
    }

    /// A whole number, given as a JSON number or as digits in a string.
    pub fn int(&mut self, name: &'static str, bad: &'static str) -> Option<i64> {
        let v = match self.take(name)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if v.is_none() {
            self.errors.add(name, bad);
        }
        v
    }

    /// A yes/no field: `true`/`false`, or the same as text (`"true"`, `"1"`, `"on"`, ...).
    pub fn flag(&mut self, name: &'static str) -> Option<bool> {
        let v = match self.take(name)? {
            Value::Bool(b) => Some(b),
            Value::Number(n) => n.as_i64().filter(|n| *n == 0 || *n == 1).map(|n| n == 1),
            Value::String(s) => match s.trim().to_lowercase().as_str() {
                "true" | "1" | "on" | "yes" => Some(true),
                "false" | "0" | "off" | "no" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if v.is_none() {
            self.errors.add(name, "err.choose_one");
        }
        v
    }

    /// One of the all-text `validate::Raw*` forms. Each field may be a string, a number, a
    /// boolean, or a list of those (joined with commas, like repeated form fields), so
    /// `"grounds": ["a", "c"]` and `"grounds": "a,c"` mean the same.
    pub fn raw<T: DeserializeOwned + Default>(&mut self) -> T {
        let mut out = Map::new();
        for &field in introspect::fields_of::<T>() {
            let text = match self.take(field) {
                None => continue,
                Some(Value::Array(items)) => {
                    let parts: Option<Vec<String>> = items.iter().map(scalar_text).collect();
                    match parts {
                        Some(p) => p.join(","),
                        None => {
                            self.errors.add(field, WRONG_TYPE);
                            continue;
                        }
                    }
                }
                Some(v) => match scalar_text(&v) {
                    Some(s) => s,
                    None => {
                        self.errors.add(field, WRONG_TYPE);
                        continue;
                    }
                },
            };
            out.insert(field.to_string(), Value::String(text));
        }
        serde_json::from_value(Value::Object(out)).unwrap_or_else(|_| {
            self.errors.add("body", WRONG_TYPE);
            T::default()
        })
    }

    /// A file given as `{"filename", "content_type", "data_base64"}`; `publish` is read too
    /// (false when absent). Problems are reported under `field`.
    pub fn file(&mut self, v: Value, field: &'static str) -> Option<(Upload, bool)> {
        let Value::Object(mut m) = v else {
            self.errors.add(field, WRONG_TYPE);
            return None;
        };
        let mut text = |k: &str| m.remove(k).and_then(|v| v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string));
        let filename = text("filename").unwrap_or_else(|| "dokumen".into());
        let content_type = text("content_type").unwrap_or_else(|| "application/octet-stream".into());
        let publish = match m.remove("publish") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => b,
            Some(Value::String(s)) => truthy(Some(s)),
            Some(_) => {
                self.errors.add(field, WRONG_TYPE);
                return None;
            }
        };
        let data = match m.remove("data_base64") {
            Some(Value::String(s)) => match decode_base64(&s) {
                Some(d) => d,
                None => {
                    self.errors.add(field, WRONG_TYPE);
                    return None;
                }
            },
            None | Some(Value::Null) => {
                self.errors.add(field, "err.required");
                return None;
            }
            Some(_) => {
                self.errors.add(field, WRONG_TYPE);
                return None;
            }
        };
        Some((Upload { filename, content_type, data }, publish))
    }

    /// A list of files under `name` (a single file object is accepted as a list of one).
    pub fn files(&mut self, name: &'static str) -> Vec<(Upload, bool)> {
        let items = match self.take(name) {
            None => return vec![],
            Some(Value::Array(items)) => items,
            Some(v @ Value::Object(_)) => vec![v],
            Some(_) => {
                self.errors.add(name, WRONG_TYPE);
                return vec![];
            }
        };
        items.into_iter().filter_map(|v| self.file(v, name)).collect()
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    // Tolerate a `data:...;base64,` prefix and line breaks, as mobile toolkits produce them.
    let s = s.trim();
    let s = match s.strip_prefix("data:") {
        Some(rest) => rest.split_once(',').map(|(_, d)| d).unwrap_or(""),
        None => s,
    };
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(&compact).ok())
}

/// A body type the API accepts: read from a [`JsonObject`], recording problems in its errors.
pub trait FromJson: Sized {
    fn from_json(o: &mut JsonObject) -> Self;
}

macro_rules! raw_from_json {
    ($($t:ty),*) => {
        $(impl FromJson for $t {
            fn from_json(o: &mut JsonObject) -> Self {
                o.raw()
            }
        })*
    };
}
raw_from_json!(
    terbuka_domain::validate::RawRequest,
    terbuka_domain::validate::RawObjection,
    terbuka_domain::validate::RawNotice,
    terbuka_domain::validate::RawOfficer,
    terbuka_domain::kolaborasi::RawPledge,
    terbuka_domain::kolaborasi::RawReport
);

/// Any body at all is fine (an empty one, or a JSON object whose fields are ignored).
pub struct Nothing;

impl FromJson for Nothing {
    fn from_json(_: &mut JsonObject) -> Self {
        Nothing
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn declared_empty(headers: &HeaderMap) -> bool {
    headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).map(|v| v.trim() == "0").unwrap_or(false)
}

/// An `application/json` body (a JSON object) read into `T`. An empty body without a content
/// type counts as `{}`, so actions without parameters can be sent bare.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: FromJson> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = lang_in(req.extensions());
        let content_type = req.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap_or("?").to_string());
        let empty_declared = declared_empty(req.headers());
        if let Some(ct) = &content_type {
            if !is_json(ct) {
                return Err(ApiError::with(StatusCode::UNSUPPORTED_MEDIA_TYPE, "err.unsupported_media", lang));
            }
        }
        let bytes = if empty_declared {
            Bytes::new()
        } else {
            Bytes::from_request(req, state).await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::with(StatusCode::PAYLOAD_TOO_LARGE, "err.payload_too_large", lang)
                } else {
                    ApiError::with(StatusCode::BAD_REQUEST, "err.bad_request", lang)
                }
            })?
        };
        let map = if bytes.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            if content_type.is_none() {
                return Err(ApiError::with(StatusCode::UNSUPPORTED_MEDIA_TYPE, "err.unsupported_media", lang));
            }
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(m)) => m,
                // Valid JSON, but not an object: there are no fields to read.
                Ok(_) | Err(_) => return Err(ApiError::with(StatusCode::BAD_REQUEST, "err.bad_request", lang)),
            }
        };
        let mut o = JsonObject::new(map);
        let value = T::from_json(&mut o);
        if !o.errors.is_empty() {
            return Err(ApiError::new(AppError::Invalid(o.errors), lang));
        }
        Ok(JsonBody(value))
    }
}

// -------------------------------------------------------------------------------------- auth

/// The signed-in officer, from `Authorization: Bearer <token>` (a token from `POST /session`).
/// Cookies are ignored here: the API is never cookie-authenticated.
pub struct Auth {
    pub actor: Actor,
    pub officer: Officer,
    pub token: String,
}

/// A 401 with `WWW-Authenticate: Bearer`.
pub fn unauthenticated(lang: Lang) -> Response {
    let mut res = ApiError::new(AppError::Unauthenticated, lang).into_response();
    res.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"terbuka\""));
    res
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    let ok = scheme.eq_ignore_ascii_case("bearer")
        && (20..=200).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~+/=".contains(&b));
    ok.then(|| token.to_string())
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = lang_in(&parts.extensions);
        let Some(token) = bearer(&parts.headers) else {
            return Err(unauthenticated(lang));
        };
        match state.app.session(&token, Utc::now()).await {
            Ok((officer, _session)) => {
                let actor = Actor { officer: officer.id, role: officer.role, unit: officer.unit };
                Ok(Auth { actor, officer, token })
            }
            Err(AppError::Unauthenticated | AppError::NotFound) => Err(unauthenticated(lang)),
            Err(e) => Err(ApiError::new(e, lang).into_response()),
        }
    }
}

// -------------------------------------------------------------------------------- introspect

/// The field names of a `#[derive(Deserialize)]` struct, as serde itself declares them, so the
/// lenient reader above knows which keys to read and can name them in errors.
mod introspect {
    use serde::de::{self, Deserialize, Deserializer, Visitor};
    use std::fmt;

    #[derive(Debug)]
    struct Stop;

    impl fmt::Display for Stop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("field names read")
        }
    }

    impl std::error::Error for Stop {}

    impl de::Error for Stop {
        fn custom<T: fmt::Display>(_msg: T) -> Self {
            Stop
        }
    }

    struct Names(Option<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for &mut Names {
        type Error = Stop;

        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }

        fn deserialize_struct<V: Visitor<'de>>(self, _name: &'static str, fields: &'static [&'static str], _visitor: V) -> Result<V::Value, Stop> {
            self.0 = Some(fields);
            Err(Stop)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    pub fn fields_of<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
        let mut names = Names(None);
        let _ = T::deserialize(&mut names);
        names.0.unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terbuka_domain::validate::{RawObjection, RawRequest};

    #[test]
    fn raw_forms_are_read_leniently() {
        assert!(introspect::fields_of::<RawRequest>().contains(&"subject"));
        let v = serde_json::json!({"grounds": ["a", "c"], "summary": "Tidak dijawab sama sekali."});
        let mut o = JsonObject::new(v.as_object().unwrap().clone());
        let r: RawObjection = o.raw();
        assert_eq!(r.grounds.as_deref(), Some("a,c"));
        assert!(o.errors.is_empty());
        let v = serde_json::json!({"name": {"x": 1}, "obtain": ["view", 2], "fee": 15000, "via_proxy": true});
        let mut o = JsonObject::new(v.as_object().unwrap().clone());
        let r: RawRequest = o.raw();
        assert_eq!(o.errors.get("name"), Some(WRONG_TYPE));
        assert_eq!(r.obtain.as_deref(), Some("view,2"));
        assert_eq!(r.via_proxy.as_deref(), Some("true"));
    }

    #[test]
    fn files_and_bearer_tokens() {
        let v = serde_json::json!({"documents": [{"filename": "a.pdf", "data_base64": "JVBERi0=", "publish": true}, {"filename": "b"}]});
        let mut o = JsonObject::new(v.as_object().unwrap().clone());
        let files = o.files("documents");
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0.data, b"%PDF-");
        assert!(files[0].1);
        assert_eq!(o.errors.get("documents"), Some("err.required"));
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_static("bearer abcdefghijklmnopqrstuvwxyz"));
        assert_eq!(bearer(&h).as_deref(), Some("abcdefghijklmnopqrstuvwxyz"));
        h.insert(AUTHORIZATION, HeaderValue::from_static("Basic abcdefghijklmnopqrstuvwxyz"));
        assert_eq!(bearer(&h), None);
        assert!(id("12", Lang::Id).is_ok());
        assert!(id("+12", Lang::Id).is_err() && id("abc", Lang::Id).is_err() && id("0", Lang::Id).is_err());
    }
}
