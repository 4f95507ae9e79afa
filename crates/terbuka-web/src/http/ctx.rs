//! The per-request context, built once by [`context_layer`]: the display language, the CSRF
//! token, the client address, and the signed-in officer (from the `sid` cookie).
//!
//! CSRF uses the double-submit pattern: a random `csrf` cookie (HttpOnly, SameSite=Strict) whose
//! value every state-changing form must echo in its `csrf_token` field. The JSON API is not
//! cookie-authenticated (it uses `Authorization: Bearer`) and only accepts `application/json`,
//! which browsers cannot send cross-site without CORS, so it needs no token.

use crate::http::error::PageError;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use terbuka_app::crypto;
use terbuka_app::AppError;
use terbuka_domain::authz::Actor;
use terbuka_domain::Lang;
use terbuka_store::Officer;

pub const SESSION_COOKIE: &str = "sid";
pub const CSRF_COOKIE: &str = "csrf";
pub const LANG_COOKIE: &str = "lang";

#[derive(Clone)]
pub struct SignedIn {
    pub officer: Officer,
    pub actor: Actor,
    pub token: String,
}

#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    pub signed_in: Option<SignedIn>,
    pub path: String,
    pub query: String,
    pub secure: bool,
    /// The peer address (for login rate limiting); `local` when unknown (in-process tests).
    pub client: String,
}

impl Ctx {
    /// The signed-in officer, or the error that sends them to the sign-in page.
    pub fn officer(&self) -> Result<&SignedIn, PageError> {
        self.signed_in.as_ref().ok_or_else(|| PageError::new(AppError::Unauthenticated, self.lang))
    }

    pub fn actor(&self) -> Result<Actor, PageError> {
        Ok(self.officer()?.actor)
    }

    pub fn err(&self, e: AppError) -> PageError {
        PageError::new(e, self.lang)
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A cookie that scripts cannot read and other sites cannot send.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// `?lang=` first, then the `lang` cookie (set by the language switch). Pages are Indonesian
/// unless the user chose English; the JSON API also honours `Accept-Language`.
fn lang_from(headers: &HeaderMap, query: &str, api: bool) -> Lang {
    for pair in query.split('&') {
        if let Some(v) = pair.strip_prefix("lang=") {
            if let Some(l) = Lang::parse(v) {
                return l;
            }
        }
    }
    if let Some(l) = cookie(headers, LANG_COOKIE).as_deref().and_then(Lang::parse) {
        return l;
    }
    if !api {
        return Lang::Id;
    }
    let accept = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let first = accept.split(',').next().unwrap_or("").trim().to_lowercase();
    if first.starts_with("en") {
        Lang::En
    } else {
        Lang::Id
    }
}

/// Builds the [`Ctx`] and sets the CSRF cookie when the browser has none yet.
pub async fn context_layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let query = req.uri().query().unwrap_or("").to_string();
    let lang = lang_from(&headers, &query, req.uri().path().starts_with("/api/"));
    let existing_csrf = cookie(&headers, CSRF_COOKIE).filter(|c| c.len() >= 32 && c.len() <= 64);
    let csrf = existing_csrf.clone().unwrap_or_else(crypto::new_token);
    let mut signed_in = None;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Ok((officer, _session)) = state.app.session(&token, Utc::now()).await {
            let actor = Actor { officer: officer.id, role: officer.role, unit: officer.unit };
            signed_in = Some(SignedIn { officer, actor, token });
        }
    }
    let secure = state.app.config.secure_cookies();
    let client = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "local".into());
    let ctx = Ctx { lang, csrf: csrf.clone(), signed_in, path: req.uri().path().to_string(), query, secure, client };
    req.extensions_mut().insert(ctx);
    let mut res = next.run(req).await;
    if existing_csrf.is_none() {
        if let Ok(v) = set_cookie(CSRF_COOKIE, &csrf, None, secure).parse() {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
    res
}
