//! The API over HTTP, in-process: a request's life from a citizen's app to the Atasan PPID,
//! and every way a client can get the input wrong (always a JSON error, never plain text).

use crate::AppState;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::sync::Arc;
use terbuka_app::crypto::PiiKey;
use terbuka_app::{App, Config};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::validate::RawOfficer;
use terbuka_domain::{Role, UnitKind};
use terbuka_store::testing::TestStore;
use terbuka_store::NewUnit;
use tower::ServiceExt;

const PASSWORD: &str = "kata-sandi-uji-2026";

struct T {
    app: Arc<App>,
    router: Router,
    health: i64,
    _store: TestStore,
}

async fn setup() -> T {
    setup_with(|_| {}).await
}

async fn setup_with(adjust: impl FnOnce(&mut Config)) -> T {
    let store = terbuka_store::testing::sqlite().await;
    let mut config = Config::default();
    adjust(&mut config);
    config.server.public_url = "http://terbuka.test".into();
    config.jobs.enabled = false;
    let key = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
    let app = Arc::new(App::new(Arc::new(store.store.clone()), config, key));
    app.seed_calendar().await.unwrap();
    let unit = |code: &str, kind, parent| {
        let app = app.clone();
        let code = code.to_string();
        async move {
            let audit = NewAuditEntry { actor: "system:test".into(), action: "unit.add".into(), subject: format!("unit:{code}"), detail: "{}".into() };
            app.store
                .insert_unit(NewUnit { code: code.clone(), name: format!("Unit {code}"), name_en: format!("Unit {code} (en)"), kind, parent }, audit)
                .await
                .unwrap()
        }
    };
    let utama_unit = unit("ppid-utama", UnitKind::Utama, None).await;
    let health = unit("dinkes", UnitKind::Pelaksana, Some(utama_unit)).await;
    for (username, role, unit) in [
        ("admin", Role::Admin, None),
        ("utama", Role::PpidUtama, Some(utama_unit)),
        ("dinkes", Role::PpidPelaksana, Some(health)),
        ("atasan", Role::AtasanPpid, None),
    ] {
        let raw = RawOfficer {
            username: Some(username.into()),
            display_name: Some(format!("Petugas {username}")),
            email: Some(format!("{username}@ppid.example.go.id")),
            role: Some(role.as_str().into()),
            unit: unit.map(|u: i64| u.to_string()),
            password: Some(PASSWORD.into()),
        };
        app.add_officer(None, &raw, chrono::Utc::now()).await.unwrap();
    }
    let router = crate::router(AppState::new(app.clone()));
    T { app, router, health, _store: store }
}

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("not JSON ({e}, status {}): {}", self.status, String::from_utf8_lossy(&self.bytes)))
    }
    fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or("").to_string()
    }
}

impl T {
    async fn send(&self, method: Method, path: &str, bearer: Option<&str>, content_type: Option<&str>, body: impl Into<Body>) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        let res = self.router.clone().oneshot(b.body(body.into()).unwrap()).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp { status, headers, bytes }
    }
    async fn get(&self, path: &str, bearer: Option<&str>) -> Resp {
        self.send(Method::GET, path, bearer, None, Body::empty()).await
    }
    async fn json(&self, method: Method, path: &str, bearer: Option<&str>, body: Value) -> Resp {
        self.send(method, path, bearer, Some("application/json"), body.to_string()).await
    }
    async fn login(&self, username: &str) -> String {
        let r = self.json(Method::POST, "/api/v1/session", None, json!({"username": username, "password": PASSWORD})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
        r.json()["token"].as_str().unwrap().to_string()
    }
}

fn request_body() -> Value {
    json!({
        "requester_kind": "individual",
        "name": "Siti Aminah",
        "id_number": "3171014501900001",
        "address": "Jl. Kebon Sirih No. 1, Jakarta Pusat",
        "phone": "081234567890",
        "email": "siti@example.com",
        "subject": "Data kasus demam berdarah per kecamatan 2025",
        "details": "Jumlah kasus DBD per kecamatan per bulan sepanjang 2025.",
        "purpose": "Penelitian kesehatan masyarakat",
        "obtain": ["soft_copy", "view"],
        "delivery": "email",
        "identity_scan": {"filename": "ktp.pdf", "content_type": "application/pdf", "data_base64": "JVBERi0xLjQKJSVFT0YK"}
    })
}

#[tokio::test]
async fn a_request_through_the_api() {
    let t = setup().await;
    let index = t.get("/api/v1", None).await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.json()["endpoints"].as_array().unwrap().len() > 20);

    // Submit.
    let r = t.json(Method::POST, "/api/v1/requests", None, request_body()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let receipt = r.json();
    let reg_no = receipt["reg_no"].as_str().unwrap().to_string();
    let token = receipt["tracking_token"].as_str().unwrap().to_string();
    assert_eq!(receipt["tracking_url"], format!("http://terbuka.test/lacak/{token}"));
    assert!(receipt["notice_due"].is_string() && receipt.get("id").is_none());

    // The register shows it, without anything personal.
    let list = t.get("/api/v1/requests?q=demam", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["total"], 1);
    let text = String::from_utf8_lossy(&list.bytes).to_string();
    assert!(!text.contains("Siti Aminah") && !text.contains("3171014501900001") && !text.contains("Penelitian"));
    let detail = t.get(&format!("/api/v1/requests/{reg_no}"), None).await;
    assert_eq!(detail.json()["state"], "registered");
    assert_eq!(t.get("/api/v1/requests/abc", None).await.code(), "err.not_found");

    // Officers: 401 without a token; the inbox and the route.
    let r = t.get("/api/v1/officer/inbox", None).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNAUTHORIZED, "err.unauthenticated"));
    assert!(r.headers.contains_key(header::WWW_AUTHENTICATE));
    assert_eq!(t.get("/api/v1/officer/inbox", Some("not-a-real-token-but-long-enough")).await.status, StatusCode::UNAUTHORIZED);
    let utama = t.login("utama").await;
    let inbox = t.get("/api/v1/officer/inbox", Some(&utama)).await.json();
    let id = inbox["items"][0]["id"].as_i64().unwrap();
    assert_eq!(inbox["items"][0]["reg_no"], reg_no.as_str());
    let r = t.json(Method::POST, &format!("/api/v1/officer/requests/{id}/route"), Some(&utama), json!({"unit": t.health})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    assert_eq!(r.json()["state"], "in_process");
    assert_eq!(r.json()["identity"]["id_number"], "3171014501900001");
    let r = t.json(Method::POST, &format!("/api/v1/officer/requests/{id}/route"), Some(&utama), json!({"unit": "dinkes"})).await;
    assert_eq!((r.status, r.json()["error"]["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unit")));

    // The unit refuses on ground h.
    let dinkes = t.login("dinkes").await;
    let r = t
        .json(
            Method::POST,
            &format!("/api/v1/officer/requests/{id}/answer"),
            Some(&dinkes),
            json!({
                "outcome": "refused_exempt",
                "text": "Permohonan ditolak karena memuat rekam medis pribadi.",
                "exemption_ground": "h",
                "consequence_test": "Membuka rekam medis per pasien melanggar rahasia pribadi (Pasal 17 huruf h).",
                "atasan_approval": "ND-12/PPID/2026"
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    assert_eq!(r.json()["state"], "refused");

    // The citizen objects (grounds as a list) and sees the keberatan on the tracking view.
    let r = t
        .json(
            Method::POST,
            &format!("/api/v1/tracking/{token}/objections"),
            None,
            json!({"grounds": ["a"], "summary": "Data agregat per kecamatan tidak memuat rahasia pribadi."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    assert_eq!(r.json()["state"], "under_objection");
    assert_eq!(r.json()["objections"][0]["grounds"][0], "a");

    // The Atasan PPID rejects it.
    let atasan = t.login("atasan").await;
    let list = t.get("/api/v1/officer/objections", Some(&atasan)).await.json();
    let oid = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["request"]["reg_no"], reg_no.as_str());
    let r = t.json(Method::POST, &format!("/api/v1/officer/objections/{oid}/reject"), Some(&atasan), json!({"reasons": "pendek"})).await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "reasons");
    assert_eq!(t.json(Method::POST, &format!("/api/v1/officer/objections/{oid}/explode"), Some(&atasan), json!({})).await.status, StatusCode::NOT_FOUND);
    let r = t
        .json(
            Method::POST,
            &format!("/api/v1/officer/objections/{oid}/reject"),
            Some(&atasan),
            json!({"reasons": "Data yang diminta memuat identitas pasien per alamat."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    assert_eq!(r.json()["state"], "rejected");
    // The Atasan may not route (the use case decides).
    let r = t.json(Method::POST, &format!("/api/v1/officer/requests/{id}/route"), Some(&atasan), json!({"unit": t.health})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Tracking, stats, audit, units, calendar.
    let tr = t.get(&format!("/api/v1/tracking/{token}"), None).await.json();
    assert_eq!(tr["state"], "closed");
    assert!(tr.get("identity").is_none());
    let stats = t.get("/api/v1/stats", None).await.json();
    assert_eq!(stats["overall"]["received"], 1);
    assert_eq!(stats["per_unit"][0]["unit"]["code"], "dinkes");
    let head = t.get("/api/v1/audit/head", None).await.json();
    assert_eq!(head["count"].as_i64().unwrap(), t.app.audit_head().await.unwrap().count);
    assert_eq!(t.get("/api/v1/units?lang=en", None).await.json()[1]["name"], "Unit dinkes (en)");
    let due = t.get("/api/v1/calendar/due?from=2026-03-17&n=1", None).await.json();
    assert_eq!(due["due"], "2026-03-25");
    let due = t.get("/api/v1/calendar/due?from=2026-03-17&n=1&owner=body", None).await.json();
    assert_eq!(due["due"], "2026-03-18");
    let bad = t.get("/api/v1/calendar/due?from=x&n=401&owner=me&lang=en", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["fields"].as_array().unwrap().len(), 3);

    // Admin: officers and the calendar.
    let admin = t.login("admin").await;
    let r = t.json(Method::POST, "/api/v1/officer/officers", Some(&admin), json!({"username": "baru", "display_name": "Petugas Baru", "email": "baru@ppid.example.go.id", "role": "ppid_pelaksana", "unit": t.health, "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let new_id = r.json()["id"].as_i64().unwrap();
    let r = t.json(Method::POST, &format!("/api/v1/officer/officers/{new_id}/active"), Some(&admin), json!({"active": false})).await;
    assert_eq!(r.json()["active"], false);
    let r = t.json(Method::POST, "/api/v1/officer/calendar", Some(&admin), json!({"date": "2030-06-03", "kind": "holiday", "name": "Libur uji"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    assert_eq!(
        t.get("/api/v1/officer/calendar?year=2030", Some(&admin)).await.json().as_array().unwrap().iter().filter(|d| d["date"] == "2030-06-03").count(),
        1
    );
    let r = t.send(Method::DELETE, "/api/v1/officer/calendar?date=2030-06-03&kind=holiday", Some(&admin), None, Body::empty()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    // Sign out: the token no longer works.
    assert_eq!(t.send(Method::DELETE, "/api/v1/session", Some(&admin), None, Body::empty()).await.status, StatusCode::NO_CONTENT);
    assert_eq!(t.get("/api/v1/session", Some(&admin)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_mistake_is_a_json_error() {
    let t = setup().await;
    let post = |ct: Option<&'static str>, body: &'static str| t.send(Method::POST, "/api/v1/requests", None, ct, body);
    let r = post(Some("application/x-www-form-urlencoded"), "name=x").await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "err.unsupported_media"));
    let r = post(None, "{}").await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = post(Some("application/json"), "{\"name\": ").await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::BAD_REQUEST, "err.bad_request"));
    let r = post(Some("application/json"), "[1, 2]").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = post(Some("application/json; charset=utf-8"), "{\"name\": {\"first\": \"Siti\"}, \"id_number\": \"12\"}").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "err.invalid");
    let fields = r.json()["error"]["fields"].as_array().unwrap().clone();
    assert!(fields.iter().any(|f| f["field"] == "name"), "{fields:?}");
    // Field problems from validation, all at once, in English on request.
    let r = t.send(Method::POST, "/api/v1/requests?lang=en", None, Some("application/json"), "{\"id_number\": \"12\"}").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.json()["error"]["fields"].as_array().unwrap().clone();
    assert!(fields.len() >= 8);
    assert!(fields.iter().any(|f| f["field"] == "id_number" && f["message"].as_str().unwrap().contains("16 digits")));
    // A bad identity scan is named.
    let mut body = request_body();
    body["identity_scan"]["data_base64"] = json!("%%%");
    let r = t.json(Method::POST, "/api/v1/requests", None, body).await;
    assert_eq!(r.json()["error"]["fields"][0]["field"], "identity_scan");

    // Paths.
    for path in [
        "/api/v1/nothing-here",
        "/api/v1/documents/abc",
        "/api/v1/documents/999",
        "/api/v1/tracking/short",
        "/api/v1/requests/PMH-2026-99999",
        "/api/v1/officer/requests/%FF",
    ] {
        let r = t.get(path, None).await;
        assert!(r.status == StatusCode::NOT_FOUND || r.status == StatusCode::UNAUTHORIZED, "{path}: {}", r.status);
        assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"), "{path}");
        r.json();
    }
    let utama = t.login("utama").await;
    for path in ["/api/v1/officer/requests/abc", "/api/v1/officer/requests/-1", "/api/v1/officer/requests/99999"] {
        assert_eq!(t.get(path, Some(&utama)).await.code(), "err.not_found", "{path}");
    }
    let r = t.send(Method::PUT, "/api/v1/requests", None, None, Body::empty()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers.contains_key(header::ALLOW));
    r.json();
    // Only `/api/v1` is the index. (`/api/v1/` reaches the pages' fallback, outside this router.)
    assert_eq!(t.get("/api/v1/", None).await.status, StatusCode::NOT_FOUND);

    // Login failures are JSON too, and counted.
    let r = t.json(Method::POST, "/api/v1/session", None, json!({"username": "utama", "password": "salah"})).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::UNAUTHORIZED, "err.login_failed"));
    let r = t.json(Method::POST, "/api/v1/session", None, json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for _ in 0..10 {
        t.json(Method::POST, "/api/v1/session", None, json!({"username": "dinkes", "password": "salah"})).await;
    }
    let r = t.json(Method::POST, "/api/v1/session", None, json!({"username": "dinkes", "password": PASSWORD})).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::TOO_MANY_REQUESTS, "err.too_many_attempts"));
}

#[tokio::test]
async fn an_oversized_body_is_a_json_413() {
    let t = setup_with(|c| c.uploads.max_document_bytes = 1).await;
    let body = json!({"subject": "x".repeat(1_200_000)}).to_string();
    let r = t.send(Method::POST, "/api/v1/requests", None, Some("application/json"), body).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "err.payload_too_large"));
}

#[tokio::test]
async fn a_desk_request_granted_with_a_fee_and_a_published_document() {
    let t = setup().await;
    let dinkes = t.login("dinkes").await;
    let mut body = request_body();
    body["channel"] = json!("desk");
    body["received_on"] = json!(chrono::Utc::now().date_naive().to_string());
    let r = t.json(Method::POST, "/api/v1/officer/requests", Some(&dinkes), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let id = r.json()["id"].as_i64().unwrap();
    let token = r.json()["tracking_token"].as_str().unwrap().to_string();
    let reg_no = r.json()["reg_no"].as_str().unwrap().to_string();
    let view = t.get(&format!("/api/v1/officer/requests/{id}"), Some(&dinkes)).await.json();
    assert_eq!((view["state"].as_str(), view["channel"].as_str()), (Some("in_process"), Some("desk")));

    let pdf = "JVBERi0xLjQKMSAwIG9iajw8Pj5lbmRvYmoKdHJhaWxlcjw8Pj4KJSVFT0Y=";
    let r = t
        .json(
            Method::POST,
            &format!("/api/v1/officer/requests/{id}/answer"),
            Some(&dinkes),
            json!({
                "outcome": "granted_full",
                "text": "Data terlampir; biaya salinan cetak Rp 15.000.",
                "fee": 15000,
                "documents": [{"filename": "dbd-2025.pdf", "content_type": "application/pdf", "data_base64": pdf, "publish": true}]
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    assert_eq!(r.json()["fee"], 15000);
    // Actions without parameters may be sent bare.
    let r = t.send(Method::POST, &format!("/api/v1/officer/requests/{id}/fee"), Some(&dinkes), None, Body::empty()).await;
    assert_eq!(r.json()["state"], "awaiting_payment");
    let r = t.json(Method::POST, &format!("/api/v1/officer/requests/{id}/deliver"), Some(&dinkes), json!({})).await;
    assert_eq!(r.json()["state"], "delivered");

    // The released document is public now, and reachable through the tracking link too.
    let detail = t.get(&format!("/api/v1/requests/{reg_no}"), None).await.json();
    let doc = detail["documents"][0]["id"].as_i64().unwrap();
    let file = t.get(&format!("/api/v1/documents/{doc}"), None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.bytes.starts_with(b"%PDF-"));
    assert_eq!(t.get(&format!("/api/v1/tracking/{token}/documents/{doc}"), None).await.status, StatusCode::OK);
    // The identity scan never is.
    let scan = view["documents"].as_array().unwrap().iter().find(|d| d["kind"] == "identity_scan").unwrap()["id"].as_i64().unwrap();
    assert_eq!(t.get(&format!("/api/v1/documents/{scan}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get(&format!("/api/v1/tracking/{token}/documents/{scan}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get(&format!("/api/v1/officer/documents/{scan}"), Some(&dinkes)).await.status, StatusCode::OK);

    // Withdrawing a delivered request is refused as a JSON 409.
    let r = t.send(Method::POST, &format!("/api/v1/tracking/{token}/withdraw"), None, None, Body::empty()).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::CONFLICT, "err.transition_not_allowed"));
}
