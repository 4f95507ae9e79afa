//! The test harness: a real `App` + router on a fresh store, a small demo organisation, and a
//! cookie-keeping client that fills in the CSRF token like a browser form would.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::sync::Arc;
use terbuka_app::crypto::PiiKey;
use terbuka_app::{App, Config};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::authz::Actor;
use terbuka_domain::validate::RawOfficer;
use terbuka_domain::{Role, UnitKind};
use terbuka_store::testing::TestStore;
use terbuka_store::NewUnit;
use tower::ServiceExt;

pub const PASSWORD: &str = "kata-sandi-uji-2026";

/// The officers of the test organisation.
#[derive(Clone, Copy, Debug)]
pub struct Org {
    pub utama_unit: i64,
    pub health: i64,
    pub social: i64,
    pub admin: Actor,
    pub utama: Actor,
    pub health_officer: Actor,
    pub social_officer: Actor,
    pub atasan: Actor,
}

pub struct TestApp {
    pub app: Arc<App>,
    pub router: Router,
    pub org: Org,
    pub store: TestStore,
}

pub fn test_config() -> Config {
    let mut c = Config::default();
    c.server.public_url = "http://terbuka.test".into();
    c.jobs.enabled = false;
    c
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        Self::on(terbuka_store::testing::sqlite().await, test_config()).await
    }

    pub async fn postgres() -> TestApp {
        Self::on(terbuka_store::testing::postgres().await, test_config()).await
    }

    pub async fn on(store: TestStore, config: Config) -> TestApp {
        let key = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
        let app = Arc::new(App::new(Arc::new(store.store.clone()), config, key));
        app.seed_calendar().await.unwrap();
        let org = seed_org(&app).await;
        let router = terbuka_web::router(terbuka_web::AppState::new(app.clone()));
        TestApp { app, router, org, store }
    }

    /// Another app node on the same database (same key), as in a multi-node deployment.
    pub fn node(&self) -> (Arc<App>, Router) {
        let app = Arc::new(App::new(self.app.store.clone(), self.app.config.clone(), self.app.key.clone()));
        let router = terbuka_web::router(terbuka_web::AppState::new(app.clone()));
        (app, router)
    }

    pub fn client(&self) -> Client {
        Client { router: self.router.clone(), cookies: HashMap::new(), bearer: None }
    }

    pub async fn officer_client(&self, username: &str) -> Client {
        let mut c = self.client();
        c.login(username, PASSWORD).await;
        c
    }
}

async fn unit(app: &App, code: &str, name: &str, kind: UnitKind, parent: Option<i64>) -> i64 {
    let audit = NewAuditEntry { actor: "system:test".into(), action: "unit.add".into(), subject: format!("unit:{code}"), detail: "{}".into() };
    app.store.insert_unit(NewUnit { code: code.into(), name: name.into(), name_en: format!("{name} (en)"), kind, parent }, audit).await.unwrap()
}

async fn officer(app: &App, username: &str, role: Role, unit: Option<i64>) -> Actor {
    let raw = RawOfficer {
        username: Some(username.into()),
        display_name: Some(format!("Petugas {username}")),
        email: Some(format!("{username}@ppid.example.go.id")),
        role: Some(role.as_str().into()),
        unit: unit.map(|u| u.to_string()),
        password: Some(PASSWORD.into()),
    };
    let id = app.add_officer(None, &raw, chrono::Utc::now()).await.unwrap();
    Actor { officer: id, role, unit }
}

pub async fn seed_org(app: &App) -> Org {
    let utama_unit = unit(app, "ppid-utama", "PPID Utama", UnitKind::Utama, None).await;
    let health = unit(app, "dinkes", "Dinas Kesehatan", UnitKind::Pelaksana, Some(utama_unit)).await;
    let social = unit(app, "dinsos", "Dinas Sosial", UnitKind::Pelaksana, Some(utama_unit)).await;
    Org {
        utama_unit,
        health,
        social,
        admin: officer(app, "admin", Role::Admin, None).await,
        utama: officer(app, "utama", Role::PpidUtama, Some(utama_unit)).await,
        health_officer: officer(app, "dinkes", Role::PpidPelaksana, Some(health)).await,
        social_officer: officer(app, "dinsos", Role::PpidPelaksana, Some(social)).await,
        atasan: officer(app, "atasan", Role::AtasanPpid, None).await,
    }
}

/// A valid request form, as a browser would send it.
pub fn request_fields() -> Vec<(&'static str, String)> {
    vec![
        ("requester_kind", "individual".into()),
        ("name", "Siti Aminah".into()),
        ("id_number", "3171014501900001".into()),
        ("address", "Jl. Kebon Sirih No. 1, Jakarta Pusat".into()),
        ("phone", "081234567890".into()),
        ("email", "siti@example.com".into()),
        ("occupation", "Peneliti".into()),
        ("subject", "Data kasus demam berdarah per kecamatan 2025".into()),
        ("details", "Jumlah kasus DBD per kecamatan per bulan sepanjang 2025.".into()),
        ("purpose", "Penelitian kesehatan masyarakat".into()),
        ("obtain", "soft_copy".into()),
        ("delivery", "email".into()),
    ]
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }
}

/// A browser-like client: keeps cookies, sends the CSRF token with forms.
#[derive(Clone)]
pub struct Client {
    pub router: Router,
    pub cookies: HashMap<String, String>,
    pub bearer: Option<String>,
}

impl Client {
    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap();
            if let Some((kv, _)) = s.split_once(';').or(Some((s, ""))) {
                if let Some((k, v)) = kv.split_once('=') {
                    if v.is_empty() || s.contains("Max-Age=0") {
                        self.cookies.remove(k);
                    } else {
                        self.cookies.insert(k.to_string(), v.to_string());
                    }
                }
            }
        }
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp { status, headers, bytes }
    }

    fn builder(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let c: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            b = b.header(header::COOKIE, c.join("; "));
        }
        if let Some(t) = &self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        b
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = self.builder(Method::GET, path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    pub async fn csrf(&mut self) -> String {
        if !self.cookies.contains_key("csrf") {
            self.get("/").await;
        }
        self.cookies["csrf"].clone()
    }

    /// Posts a URL-encoded form with the CSRF token added.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, String)]) -> Resp {
        let token = self.csrf().await;
        let mut all: Vec<(&str, String)> = vec![("csrf_token", token)];
        all.extend(fields.iter().cloned());
        self.post_form_raw(path, &all).await
    }

    /// Posts a URL-encoded form exactly as given (no CSRF token added).
    pub async fn post_form_raw(&mut self, path: &str, fields: &[(&str, String)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = self.builder(Method::POST, path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body)).unwrap();
        self.send(req).await
    }

    /// Posts a multipart form (fields and files) with the CSRF token added.
    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, String)], files: &[(&str, &str, &[u8])]) -> Resp {
        let token = self.csrf().await;
        let boundary = "----terbuka-test-boundary";
        let mut body: Vec<u8> = Vec::new();
        let mut part = |headers: String, data: &[u8]| {
            body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        };
        part("Content-Disposition: form-data; name=\"csrf_token\"".into(), token.as_bytes());
        for (k, v) in fields {
            part(format!("Content-Disposition: form-data; name=\"{k}\""), v.as_bytes());
        }
        for (name, filename, data) in files {
            part(format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream"), data);
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req =
            self.builder(Method::POST, path).header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}")).body(Body::from(body)).unwrap();
        self.send(req).await
    }

    pub async fn json(&mut self, method: Method, path: &str, body: serde_json::Value) -> Resp {
        let req = self.builder(method, path).header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).unwrap();
        self.send(req).await
    }

    pub async fn login(&mut self, username: &str, password: &str) {
        let r = self.post_form("/masuk", &[("username", username.into()), ("password", password.into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login as {username} failed: {}", r.text());
        assert!(self.cookies.contains_key("sid"));
    }
}

/// Pulls the tracking token out of an acknowledgement page.
pub fn token_from_ack(html: &str) -> String {
    let i = html.find("/lacak/").expect("ack page has a tracking link") + "/lacak/".len();
    html[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

pub fn reg_no_from(html: &str) -> String {
    let i = html.find("PMH-").expect("page shows a registration number");
    html[i..i + 14].to_string()
}
