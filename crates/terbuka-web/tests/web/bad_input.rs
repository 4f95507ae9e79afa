//! Bad input on every form and endpoint: always a clear 4xx with a message per field (Indonesian
//! unless English was asked for), never a 500, and never anything half-saved. After each bad
//! submission the requests, keberatan, audit head, outbox, officers and calendar are counted again
//! and must not have moved.

use crate::util::*;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::Engine;
use chrono::Utc;
use serde_json::{json, Value};
use terbuka_app::service::Upload;
use terbuka_domain::validate::{RawNotice, RawObjection, RawRequest};
use terbuka_domain::Lang;
use terbuka_store::RequestFilter;

// ------------------------------------------------------------------------------------ helpers

/// Form fields as sent.
type Fields = Vec<(&'static str, String)>;

/// Everything a refused submission must leave as it was.
#[derive(Debug, PartialEq, Clone)]
struct Counts {
    requests: i64,
    objections: usize,
    audit: i64,
    outbox: (i64, i64),
    officers: usize,
    days_off: usize,
}

async fn counts(t: &TestApp) -> Counts {
    let s = &t.app.store;
    Counts {
        requests: s.list_requests(&RequestFilter::default()).await.unwrap().total,
        objections: s.list_objections(false).await.unwrap().len(),
        audit: s.audit_head().await.unwrap().count,
        outbox: s.outbox_counts().await.unwrap(),
        officers: s.list_officers().await.unwrap().len(),
        days_off: s.list_days_off().await.unwrap().len(),
    }
}

/// A request's own state: version, state, unit, documents, keberatan versions.
async fn request_state(t: &TestApp, id: i64) -> (i64, String, Option<i64>, usize, Vec<(i64, String)>) {
    let s = &t.app.store;
    let r = s.request(id).await.unwrap().unwrap();
    let docs = s.documents(id).await.unwrap().len();
    let objections = s.objections_of(id).await.unwrap().iter().map(|o| (o.version, o.clock.state.as_str().to_string())).collect();
    (r.version, r.clock.state.as_str().to_string(), r.clock.unit, docs, objections)
}

/// What minijinja's HTML auto-escaping makes of a message.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#x27;").replace('/', "&#x2f;")
}

/// The message for a catalog key, as it appears in a page.
fn msg(lang: Lang, key: &str) -> String {
    esc(&terbuka_web::http::render::tr(lang, key))
}

const ID: Lang = Lang::Id;
const EN: Lang = Lang::En;
const INTERNAL: &str = "Terjadi kesalahan pada sistem kami";

/// An error summary (`role="alert"`) or a message at the field (`class="err"`).
fn visible_message(body: &str) -> bool {
    body.contains("role=\"alert\"") || body.contains("class=\"err\"")
}

/// A page answered with `status`, showing every expected message, and no internal error.
#[track_caller]
fn page(r: &Resp, status: StatusCode, messages: &[String], what: &str) {
    let body = r.text();
    assert_eq!(r.status, status, "{what}: {}", body.chars().take(2000).collect::<String>());
    assert!(!body.contains(INTERNAL) && !body.contains("Something went wrong on our side"), "{what}: internal error page");
    assert!(visible_message(&body), "{what}: no visible error message");
    for m in messages {
        assert!(body.contains(m.as_str()), "{what}: message {m:?} missing in:\n{body}");
    }
}

/// A JSON error with `status` and `code`, a non-empty message, and the expected field codes.
#[track_caller]
fn api(r: &Resp, status: StatusCode, code: &str, fields: &[(&str, &str)], what: &str) -> Value {
    assert_eq!(r.status, status, "{what}: {}", r.text());
    let ct = r.headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{what}: content type {ct:?}");
    let v = r.json();
    assert_eq!(v["error"]["code"], json!(code), "{what}: {v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.trim().is_empty()), "{what}: empty message");
    for (field, fcode) in fields {
        let found = v["error"]["fields"].as_array().into_iter().flatten().find(|f| f["field"] == json!(field));
        let f = found.unwrap_or_else(|| panic!("{what}: no error for field {field}: {v}"));
        assert_eq!(f["code"], json!(fcode), "{what}: field {field}: {v}");
        assert!(f["message"].as_str().is_some_and(|m| !m.trim().is_empty()), "{what}: field {field} without message");
    }
    v
}

/// Sends exactly these bytes with this content type (and the client's cookies and token).
async fn raw(c: &mut Client, method: Method, path: &str, content_type: Option<&str>, body: Vec<u8>, headers: &[(&str, &str)]) -> Resp {
    let mut b = Request::builder().method(method).uri(path);
    if !c.cookies.is_empty() {
        let cookie: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        b = b.header(header::COOKIE, cookie.join("; "));
    }
    if let Some(t) = &c.bearer {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    c.send(b.body(Body::from(body)).unwrap()).await
}

fn fields() -> Fields {
    request_fields()
}

/// The valid form with some fields replaced (an empty value removes the field).
fn with(changes: &[(&'static str, &str)]) -> Fields {
    let mut f: Fields = fields().into_iter().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).collect();
    for (k, v) in changes {
        if !v.is_empty() {
            f.push((*k, v.to_string()));
        }
    }
    f
}

fn raw_request(subject: &str) -> RawRequest {
    RawRequest {
        requester_kind: Some("individual".into()),
        name: Some("Siti Aminah".into()),
        id_number: Some("3171014501900001".into()),
        address: Some("Jl. Kebon Sirih No. 1, Jakarta Pusat".into()),
        email: Some("siti@example.com".into()),
        subject: Some(subject.into()),
        details: Some("Jumlah kasus DBD per kecamatan per bulan sepanjang 2025.".into()),
        purpose: Some("Penelitian kesehatan masyarakat".into()),
        obtain: Some("soft_copy".into()),
        delivery: Some("email".into()),
        ..Default::default()
    }
}

/// A web request routed to the health office: (id, tracking token).
async fn routed(t: &TestApp, subject: &str) -> (i64, String) {
    let sub = t.app.submit_request(&raw_request(subject), None, Utc::now()).await.unwrap();
    t.app.route(&t.org.utama, sub.request.id, t.org.health, Utc::now()).await.unwrap();
    (sub.request.id, sub.token)
}

async fn api_client(t: &TestApp, username: &str) -> Client {
    let mut c = t.client();
    let r = c.json(Method::POST, "/api/v1/session", json!({"username": username, "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    c.bearer = Some(r.json()["token"].as_str().unwrap().to_string());
    c
}

const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode.";

// ------------------------------------------------------------------------ public request form

#[tokio::test]
async fn the_request_form_refuses_bad_input_and_saves_nothing() {
    let t = TestApp::sqlite().await;
    let mut c = t.client();
    let before = counts(&t).await;
    assert_eq!(terbuka_web::http::render::tr(ID, "err.required"), "Wajib diisi.", "Indonesian by default");

    // Empty: every required field says so, in Indonesian.
    let r = c.post_form("/permohonan", &[]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.required"), msg(ID, "err.choose_one"), msg(ID, "err.choose_at_least_one")], "empty form");
    for f in ["requester_kind", "name", "id_number", "address", "email", "subject", "details", "purpose", "obtain", "delivery"] {
        assert!(r.text().contains(&format!("href=\"#f-{f}\"")), "empty form: the summary names {f}");
    }
    // ... and in English when asked.
    let r = c.post_form("/permohonan?lang=en", &[]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &["Required.".into(), msg(EN, "err.choose_at_least_one")], "empty form, English");
    assert!(!r.text().contains("Wajib diisi."));

    // Every field invalid: one message per field.
    let bad = [
        ("requester_kind", "alien"),
        ("name", "x"),
        ("id_number", "123"),
        ("address", "abc"),
        ("phone", "telepon saya"),
        ("email", "bukan-email"),
        ("occupation", "x"),
        ("via_proxy", "on"),
        ("proxy_name", "y"),
        ("subject", "abc"),
        ("details", "pendek"),
        ("purpose", "abc"),
        ("obtain", "teleport"),
        ("delivery", "merpati"),
        ("display_name", "z"),
    ];
    let r = c.post_form("/permohonan", &bad.iter().map(|(k, v)| (*k, v.to_string())).collect::<Vec<_>>()).await;
    let expected: Vec<String> =
        ["err.choose_one", "err.too_short", "err.nik_format", "err.phone_format", "err.email_format", "err.required"].iter().map(|k| msg(ID, k)).collect();
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &expected, "every field invalid");
    for f in [
        "requester_kind",
        "name",
        "id_number",
        "address",
        "phone",
        "email",
        "occupation",
        "proxy_name",
        "proxy_letter",
        "subject",
        "details",
        "purpose",
        "obtain",
        "delivery",
        "display_name",
    ] {
        assert!(r.text().contains(&format!("href=\"#f-{f}\"")), "every field invalid: the summary names {f}");
    }
    // Typed values come back (so nothing has to be typed twice); the bad NIK too.
    assert!(r.text().contains("value=\"123\""));

    // Oversized fields (100k characters each).
    let huge = "a".repeat(100_000);
    let digits = "3".repeat(100_000);
    let r = c
        .post_form(
            "/permohonan",
            &with(&[
                ("name", &huge),
                ("address", &huge),
                ("occupation", &huge),
                ("subject", &huge),
                ("details", &huge),
                ("purpose", &huge),
                ("display_name", &huge),
                ("id_number", &digits),
                ("phone", &digits),
                ("email", &format!("{huge}@example.com")),
            ]),
        )
        .await;
    page(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg(ID, "err.too_long"), msg(ID, "err.nik_format"), msg(ID, "err.phone_format"), msg(ID, "err.email_format")],
        "oversized",
    );

    // Control characters.
    let r = c
        .post_form(
            "/permohonan",
            &with(&[("name", "Siti\u{1b}[31mAminah"), ("subject", "Data\u{0}kasus demam berdarah"), ("purpose", "Penelitian\u{7f}\u{8}")]),
        )
        .await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.control_chars")], "control characters");
    for f in ["name", "subject", "purpose"] {
        assert!(r.text().contains(&format!("id=\"e-{f}\"")), "control characters: {f} has its message");
    }

    // Invalid UTF-8 in a URL-encoded body, percent-encoded or raw: refused, not mangled into the record.
    let token = c.csrf().await;
    let valid = serde_urlencoded::to_string(with(&[("name", "")])).unwrap();
    for name in [b"Siti%FF%FEAminah".to_vec(), b"Siti\xff\xfeAminah".to_vec(), b"%C3%28".to_vec()] {
        let mut body = format!("csrf_token={token}&{valid}&name=").into_bytes();
        body.extend_from_slice(&name);
        let r = raw(&mut c, Method::POST, "/permohonan", Some("application/x-www-form-urlencoded"), body, &[]).await;
        page(&r, StatusCode::BAD_REQUEST, &[msg(ID, "err.bad_request")], "invalid UTF-8");
    }
    // The same in a multipart text field.
    let boundary = "b0undary";
    let mut body = Vec::new();
    for (k, v) in [("csrf_token", token.as_bytes().to_vec()), ("name", b"Siti\xffAminah".to_vec())]
        .into_iter()
        .chain(with(&[("name", "")]).into_iter().map(|(k, v)| (k, v.into_bytes())))
    {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n").as_bytes());
        body.extend_from_slice(&v);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let r = raw(&mut c, Method::POST, "/permohonan", Some(&format!("multipart/form-data; boundary={boundary}")), body, &[]).await;
    page(&r, StatusCode::BAD_REQUEST, &[msg(ID, "err.bad_request")], "invalid UTF-8 in multipart");

    // The identity scan: an executable or plain text named .jpg, and one over 2 MiB.
    for (what, data) in [("exe", EXE.to_vec()), ("text", b"ini bukan gambar KTP".to_vec())] {
        let r = c.post_multipart("/permohonan", &fields(), &[("identity_scan", "ktp.jpg", &data)]).await;
        page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.file_type_scan")], what);
        assert!(r.text().contains("value=\"Siti Aminah\""), "{what}: the typed name is kept");
    }
    let mut big = vec![0xFF, 0xD8, 0xFF, 0xE0];
    big.resize(2 * 1024 * 1024 + 1, 0);
    let r = c.post_multipart("/permohonan", &fields(), &[("identity_scan", "ktp.jpg", &big)]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.file_too_large")], "scan over 2 MiB");
    let r = c.post_multipart("/permohonan?lang=en", &with(&[("name", "")]), &[("identity_scan", "ktp.exe", EXE)]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(EN, "err.file_type_scan"), "Required.".into()], "scan and field errors together, English");

    // CSRF: missing, wrong, or no cookie at all.
    let r = c.post_form_raw("/permohonan", &fields()).await;
    page(&r, StatusCode::FORBIDDEN, &[msg(ID, "err.csrf")], "missing CSRF token");
    let mut wrong = vec![("csrf_token", "A".repeat(43))];
    wrong.extend(fields());
    let r = c.post_form_raw("/permohonan", &wrong).await;
    page(&r, StatusCode::FORBIDDEN, &[msg(ID, "err.csrf")], "wrong CSRF token");
    let mut fresh = t.client();
    let r = fresh.post_form_raw("/permohonan", &wrong).await;
    page(&r, StatusCode::FORBIDDEN, &[msg(ID, "err.csrf")], "no CSRF cookie");
    let r = c.post_form_raw("/permohonan?lang=en", &wrong).await;
    page(&r, StatusCode::FORBIDDEN, &[msg(EN, "err.csrf")], "wrong CSRF token, English");

    // Unsupported content types, and a multipart body that does not parse.
    for ct in ["application/json", "text/plain", "application/xml"] {
        let r = raw(&mut c, Method::POST, "/permohonan", Some(ct), b"{\"name\": \"Siti\"}".to_vec(), &[]).await;
        assert!(r.status.is_client_error(), "{ct}: {}", r.status);
        page(&r, r.status, &[], ct);
    }
    let r = raw(&mut c, Method::POST, "/permohonan", Some("multipart/form-data; boundary=xyz"), b"garbage without any boundary".to_vec(), &[]).await;
    assert!(r.status.is_client_error(), "broken multipart: {}", r.status);
    page(&r, r.status, &[msg(ID, "err.bad_request")], "broken multipart");
    let r = raw(&mut c, Method::POST, "/permohonan", Some("multipart/form-data"), b"no boundary at all".to_vec(), &[]).await;
    assert!(r.status.is_client_error(), "multipart without boundary: {}", r.status);

    // The typed values survive a 422.
    let r = c.post_form("/permohonan", &with(&[("id_number", "12345")])).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.nik_format")], "one bad field");
    let html = r.text();
    assert!(html.contains("value=\"Siti Aminah\"") && html.contains("Data kasus demam berdarah per kecamatan 2025"), "typed values kept");

    assert_eq!(counts(&t).await, before, "nothing was saved");
    assert_eq!(before.requests, 0);
}

// -------------------------------------------------------------------- tracking and keberatan

#[tokio::test]
async fn tracking_keberatan_and_withdrawal_refuse_bad_input() {
    let t = TestApp::sqlite().await;
    let (id, token) = routed(&t, "Data kasus demam berdarah 2025").await;
    let mut c = t.client();
    let before = counts(&t).await;
    let state = request_state(&t, id).await;

    // Tracking lookup with garbage.
    for garbage in ["", "   ", "<script>alert(1)</script>", "../../etc/passwd", "%00%00", "ééééééééééééééééééééééé"] {
        let r = c.post_form("/lacak", &[("token", garbage.to_string())]).await;
        page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.not_found")], garbage);
    }
    let r = c.post_form("/lacak?lang=en", &[("token", "x".into())]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(EN, "err.not_found")], "lookup, English");
    // Something token-shaped but unknown goes to a tracking page that says "not found".
    for guess in ["A".repeat(43), "http://terbuka.test/lacak/".to_string() + &"B".repeat(43), "C".repeat(5000)] {
        let r = c.post_form("/lacak", &[("token", guess.clone())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = c.get(&r.location()).await;
        page(&r, StatusCode::NOT_FOUND, &[msg(ID, "err.not_found")], "unknown token");
    }
    for path in [
        "/lacak/%00",
        "/lacak/..%2F..%2Fetc",
        "/lacak/x/dokumen/abc",
        "/lacak/x/dokumen/1",
        &format!("/lacak/{token}/dokumen/abc"),
        &format!("/lacak/{token}/dokumen/99999999999999999999999"),
    ] {
        let r = c.get(path).await;
        page(&r, StatusCode::NOT_FOUND, &[msg(ID, "err.not_found")], path);
    }

    // The keberatan form.
    let path = format!("/lacak/{token}/keberatan");
    let summary = "Permohonan saya tidak ditanggapi sama sekali.".to_string();
    let r = c.post_form(&path, &[("summary", summary.clone())]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.choose_at_least_one")], "no grounds");
    assert!(r.text().contains(&esc(&summary)), "the typed summary is kept");
    let r = c.post_form(&path, &[("grounds", "z".into()), ("summary", summary.clone())]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.choose_one")], "unknown ground z");
    let r = c.post_form(&path, &[("grounds", "a".into()), ("grounds", "z".into()), ("summary", summary.clone())]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.choose_one")], "a known and an unknown ground");
    let r = c.post_form(&path, &[("grounds", "a".into()), ("summary", "".into())]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.required")], "empty summary");
    let r = c.post_form(&path, &[("grounds", "a".into()), ("summary", "pendek".into())]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.too_short")], "short summary");
    let r = c.post_form(&format!("{path}?lang=en"), &[]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(EN, "err.choose_at_least_one"), "Required.".into()], "empty keberatan, English");
    let r = c.post_form_raw(&path, &[("grounds", "a".into()), ("summary", summary.clone())]).await;
    page(&r, StatusCode::FORBIDDEN, &[msg(ID, "err.csrf")], "keberatan without CSRF");
    let r = c.post_form(&format!("/lacak/{}/keberatan", "Z".repeat(43)), &[("grounds", "a".into()), ("summary", summary.clone())]).await;
    page(&r, StatusCode::NOT_FOUND, &[msg(ID, "err.not_found")], "keberatan on an unknown token");
    // The same through the API.
    let r = c.json(Method::POST, &format!("/api/v1/tracking/{token}/objections"), json!({"grounds": ["z"], "summary": ""})).await;
    api(&r, StatusCode::UNPROCESSABLE_ENTITY, "err.invalid", &[("grounds", "err.choose_one"), ("summary", "err.required")], "API keberatan");
    let r = c.json(Method::POST, &format!("/api/v1/tracking/{token}/objections"), json!({"grounds": {"a": true}, "summary": ["x", {"y": 1}]})).await;
    api(&r, StatusCode::UNPROCESSABLE_ENTITY, "err.invalid", &[("grounds", "err.bad_request"), ("summary", "err.bad_request")], "API keberatan, wrong types");
    let r = c.json(Method::POST, "/api/v1/tracking/short/objections", json!({"grounds": ["a"], "summary": summary})).await;
    api(&r, StatusCode::NOT_FOUND, "err.not_found", &[], "API keberatan, malformed token");
    assert_eq!(counts(&t).await, before, "no keberatan was saved");
    assert_eq!(request_state(&t, id).await, state);

    // Withdrawing twice: the second is a clear 409 and changes nothing.
    let r = c.post_form(&format!("/lacak/{token}/tarik"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let after_first = (counts(&t).await, request_state(&t, id).await);
    let r = c.post_form(&format!("/lacak/{token}/tarik"), &[]).await;
    page(&r, StatusCode::CONFLICT, &[msg(ID, "err.transition_not_allowed")], "withdraw twice");
    let r = c.post_form(&format!("/lacak/{token}/tarik?lang=en"), &[]).await;
    page(&r, StatusCode::CONFLICT, &[msg(EN, "err.transition_not_allowed")], "withdraw twice, English");
    let r = c.json(Method::POST, &format!("/api/v1/tracking/{token}/withdraw"), json!({})).await;
    api(&r, StatusCode::CONFLICT, "err.transition_not_allowed", &[], "API withdraw twice");
    let r = c.post_form(&format!("/lacak/{}/tarik", "Q".repeat(43)), &[]).await;
    page(&r, StatusCode::NOT_FOUND, &[msg(ID, "err.not_found")], "withdraw an unknown token");
    // A keberatan on a withdrawn request is refused too.
    let r = c.post_form(&path, &[("grounds", "a".into()), ("summary", summary.clone())]).await;
    page(&r, StatusCode::CONFLICT, &[msg(ID, "err.transition_not_allowed")], "keberatan after withdrawal");
    assert_eq!((counts(&t).await, request_state(&t, id).await), after_first, "nothing changed after the first withdrawal");
}

// ------------------------------------------------------------------------------------- login

#[tokio::test]
async fn sign_in_refuses_bad_input_and_limits_guessing() {
    sign_in(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn sign_in_refuses_bad_input_and_limits_guessing_on_postgres() {
    sign_in(TestApp::postgres().await).await;
}

async fn sign_in(t: TestApp) {
    let mut c = t.client();
    let before = counts(&t).await;

    let r = c.post_form("/masuk", &[]).await;
    assert!(matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::UNPROCESSABLE_ENTITY), "{}", r.status);
    page(&r, r.status, &[msg(ID, "err.login_failed")], "empty sign-in");
    let r = c.post_form("/masuk", &[("username", "".into()), ("password", "".into())]).await;
    page(&r, r.status, &[msg(ID, "err.login_failed")], "empty fields");
    let r = c.post_form("/masuk?lang=en", &[("username", "\u{0}\u{1}".into()), ("password", "x".repeat(100_000))]).await;
    page(&r, r.status, &[msg(EN, "err.login_failed")], "garbage sign-in, English");
    let r = c.post_form_raw("/masuk", &[("username", "admin".into()), ("password", PASSWORD.into())]).await;
    page(&r, StatusCode::FORBIDDEN, &[msg(ID, "err.csrf")], "sign-in without CSRF");
    assert!(!c.cookies.contains_key("sid"));

    // Five wrong passwords for one account, then the sixth attempt is refused outright, even with
    // the right password.
    for i in 0..5 {
        let r = c.post_form("/masuk", &[("username", "admin".into()), ("password", format!("salah-{i}"))]).await;
        assert!(matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::UNPROCESSABLE_ENTITY), "attempt {i}: {}", r.status);
        page(&r, r.status, &[msg(ID, "err.login_failed")], "wrong password");
        assert!(r.text().contains("value=\"admin\""), "the username is kept");
        assert!(!r.text().contains("salah-"), "the password is never echoed");
    }
    let r = c.post_form("/masuk", &[("username", "admin".into()), ("password", "salah-lagi".into())]).await;
    page(&r, StatusCode::TOO_MANY_REQUESTS, &[msg(ID, "err.too_many_attempts")], "sixth failure");
    let r = c.post_form("/masuk", &[("username", "ADMIN ".into()), ("password", PASSWORD.into())]).await;
    page(&r, StatusCode::TOO_MANY_REQUESTS, &[msg(ID, "err.too_many_attempts")], "the right password while blocked");
    assert!(!c.cookies.contains_key("sid"), "no session while blocked");

    // The API: the same rules as JSON.
    let r = c.json(Method::POST, "/api/v1/session", json!({})).await;
    api(&r, StatusCode::UNPROCESSABLE_ENTITY, "err.invalid", &[("username", "err.required"), ("password", "err.required")], "API empty sign-in");
    let r = c.json(Method::POST, "/api/v1/session", json!({"username": ["utama"], "password": {"p": 1}})).await;
    api(&r, StatusCode::UNPROCESSABLE_ENTITY, "err.invalid", &[("password", "err.bad_request")], "API sign-in, wrong types");
    for i in 0..5 {
        let r = c.json(Method::POST, "/api/v1/session", json!({"username": "utama", "password": format!("salah-{i}")})).await;
        api(&r, StatusCode::UNAUTHORIZED, "err.login_failed", &[], "API wrong password");
    }
    let r = c.json(Method::POST, "/api/v1/session", json!({"username": "utama", "password": PASSWORD})).await;
    api(&r, StatusCode::TOO_MANY_REQUESTS, "err.too_many_attempts", &[], "API sixth attempt");
    let r = raw(
        &mut c,
        Method::POST,
        "/api/v1/session",
        Some("application/json"),
        br#"{"username": "dinkes", "password": "salah"}"#.to_vec(),
        &[("accept-language", "en-GB,en;q=0.9")],
    )
    .await;
    let v = api(&r, StatusCode::UNAUTHORIZED, "err.login_failed", &[], "API wrong password, English");
    assert_eq!(v["error"]["message"], json!(terbuka_web::http::render::tr(EN, "err.login_failed")));

    // Failed sign-ins write nothing.
    assert_eq!(counts(&t).await, before);
}

// ------------------------------------------------------------------------------ console forms

#[tokio::test]
async fn console_request_actions_refuse_bad_input() {
    let t = TestApp::sqlite().await;
    let (id, _) = routed(&t, "Data kasus demam berdarah 2025").await;
    let mut utama = t.officer_client("utama").await;
    let mut dinkes = t.officer_client("dinkes").await;
    let base = format!("/konsol/permohonan/{id}");

    // Each bad submission: the expected status and messages, and nothing changed.
    macro_rules! refused {
        ($status:expr, $messages:expr, $what:expr, $send:expr) => {{
            let before = (counts(&t).await, request_state(&t, id).await);
            let r = $send;
            page(&r, $status, &$messages, $what);
            assert_eq!((counts(&t).await, request_state(&t, id).await), before, "{}: something changed", $what);
            r
        }};
    }

    // Routing.
    for unit in ["999999", "abc", "", "-1", "1e3", "99999999999999999999999", "0"] {
        refused!(
            StatusCode::UNPROCESSABLE_ENTITY,
            [msg(ID, "err.choose_one")],
            unit,
            utama.post_form(&format!("{base}/route"), &[("unit", unit.to_string())]).await
        );
    }
    let r = refused!(StatusCode::UNPROCESSABLE_ENTITY, [msg(ID, "err.choose_one")], "no unit", utama.post_form(&format!("{base}/route"), &[]).await);
    assert!(r.text().contains("id=\"e-route-unit\""), "the message sits at the field");
    refused!(
        StatusCode::CONFLICT,
        [msg(ID, "err.same_unit")],
        "route to the same unit",
        utama.post_form(&format!("{base}/route"), &[("unit", t.org.health.to_string())]).await
    );
    refused!(
        StatusCode::UNPROCESSABLE_ENTITY,
        [msg(EN, "err.choose_one")],
        "route, English",
        utama.post_form(&format!("{base}/route?lang=en"), &[("unit", "abc".into())]).await
    );

    // Extension: a short reason, then twice.
    for reason in ["", "pendek", "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}"] {
        refused!(
            StatusCode::UNPROCESSABLE_ENTITY,
            [msg(
                ID,
                if reason.is_empty() {
                    "err.required"
                } else if reason.starts_with('\u{0}') {
                    "err.control_chars"
                } else {
                    "err.too_short"
                }
            )],
            reason,
            dinkes.post_form(&format!("{base}/extend"), &[("reason", reason.to_string())]).await
        );
    }
    let r = dinkes.post_form(&format!("{base}/extend"), &[("reason", "Dokumen berada di arsip kecamatan.".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    refused!(
        StatusCode::CONFLICT,
        [msg(ID, "err.already_extended")],
        "extend twice",
        dinkes.post_form(&format!("{base}/extend"), &[("reason", "Dokumen berada di arsip kecamatan.".into())]).await
    );

    // Deliver and notify a fee before any answer.
    refused!(StatusCode::CONFLICT, [msg(ID, "err.transition_not_allowed")], "deliver before answer", dinkes.post_form(&format!("{base}/deliver"), &[]).await);
    refused!(StatusCode::CONFLICT, [msg(ID, "err.transition_not_allowed")], "fee before answer", dinkes.post_form(&format!("{base}/fee"), &[]).await);
    refused!(StatusCode::NOT_FOUND, [msg(ID, "err.not_found")], "unknown action", dinkes.post_form(&format!("{base}/hapus"), &[]).await);

    // The answer: each outcome without what it needs.
    let text = ("text", "Informasi terlampir dalam berkas CSV.".to_string());
    let cases: Vec<(&str, Fields, Vec<&str>)> = vec![
        ("nothing", vec![], vec!["err.choose_one", "err.required"]),
        ("unknown outcome", vec![("outcome", "maybe".into()), text.clone()], vec!["err.choose_one"]),
        ("granted_full without text", vec![("outcome", "granted_full".into())], vec!["err.required"]),
        ("granted_full, short text", vec![("outcome", "granted_full".into()), ("text", "ok".into())], vec!["err.too_short"]),
        ("granted_partial without exemption", vec![("outcome", "granted_partial".into()), text.clone()], vec!["err.choose_one", "err.required"]),
        ("refused_exempt without exemption", vec![("outcome", "refused_exempt".into()), text.clone()], vec!["err.choose_one", "err.required"]),
        (
            "refused_exempt, unknown ground, short test",
            vec![
                ("outcome", "refused_exempt".into()),
                text.clone(),
                ("exemption_ground", "z".into()),
                ("consequence_test", "singkat".into()),
                ("atasan_approval", "ND".into()),
            ],
            vec!["err.choose_one", "err.too_short"],
        ),
        ("not_held without text", vec![("outcome", "not_held".into())], vec!["err.required"]),
        (
            "granted_partial without approval",
            vec![
                ("outcome", "granted_partial".into()),
                text.clone(),
                ("exemption_ground", "h".into()),
                ("consequence_test", "Membuka rekam medis per pasien melanggar rahasia pribadi.".into()),
            ],
            vec!["err.required"],
        ),
        ("not_held, short holder", vec![("outcome", "not_held".into()), text.clone(), ("holder", "x".into())], vec!["err.too_short"]),
        ("not_yet_documented without date", vec![("outcome", "not_yet_documented".into()), text.clone()], vec!["err.required"]),
        (
            "not_yet_documented, bad date",
            vec![("outcome", "not_yet_documented".into()), text.clone(), ("expected_date", "2026-02-30".into())],
            vec!["err.date_format"],
        ),
        ("fee not a number", vec![("outcome", "granted_full".into()), text.clone(), ("fee", "gratis".into())], vec!["err.fee"]),
        ("negative fee", vec![("outcome", "granted_full".into()), text.clone(), ("fee", "-5".into())], vec!["err.fee"]),
        ("huge fee", vec![("outcome", "granted_full".into()), text.clone(), ("fee", "99999999999999999999999".into())], vec!["err.fee"]),
        ("fee on a refusal", vec![("outcome", "not_held".into()), text.clone(), ("fee", "15000".into())], vec!["err.fee_only_granted"]),
    ];
    for (what, fields, codes) in cases {
        let messages: Vec<String> = codes.iter().map(|k| msg(ID, k)).collect();
        let r = refused!(StatusCode::UNPROCESSABLE_ENTITY, messages, what, dinkes.post_multipart(&format!("{base}/answer"), &fields, &[]).await);
        assert!(
            r.text().contains("id=\"form-answer\"") && r.text().contains("aria-invalid=\"true\""),
            "{what}: the answer form is shown again, its bad field marked"
        );
    }
    // A document of the wrong type with the answer: nothing is saved, not even the notice.
    refused!(
        StatusCode::UNPROCESSABLE_ENTITY,
        [msg(ID, "err.file_type_document")],
        "answer with an executable",
        dinkes.post_multipart(&format!("{base}/answer"), &[("outcome", "granted_full".into()), text.clone()], &[("document", "laporan.pdf", EXE)]).await
    );

    // Attaching: no file, an empty file, the wrong type.
    refused!(StatusCode::UNPROCESSABLE_ENTITY, [msg(ID, "err.required")], "attach nothing", dinkes.post_multipart(&format!("{base}/attach"), &[], &[]).await);
    refused!(
        StatusCode::UNPROCESSABLE_ENTITY,
        [msg(ID, "err.required")],
        "attach an empty file",
        dinkes.post_multipart(&format!("{base}/attach"), &[], &[("document", "kosong.pdf", b"")]).await
    );
    refused!(
        StatusCode::UNPROCESSABLE_ENTITY,
        [msg(ID, "err.file_type_document")],
        "attach an executable",
        dinkes.post_multipart(&format!("{base}/attach"), &[], &[("document", "laporan.pdf", EXE)]).await
    );
    refused!(
        StatusCode::UNPROCESSABLE_ENTITY,
        [msg(ID, "err.file_type_document")],
        "attach a binary .csv",
        dinkes.post_multipart(&format!("{base}/attach"), &[], &[("document", "data.csv", b"\xff\xfe\x00binary")]).await
    );
    refused!(StatusCode::FORBIDDEN, [msg(ID, "err.csrf")], "attach without CSRF", dinkes.post_form_raw(&format!("{base}/attach"), &[]).await);

    // A grant without a fee: notifying a fee is refused.
    let r = dinkes.post_multipart(&format!("{base}/answer"), &[("outcome", "granted_full".into()), text.clone()], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    refused!(StatusCode::CONFLICT, [msg(ID, "err.no_fee")], "fee on a grant with no fee", dinkes.post_form(&format!("{base}/fee"), &[]).await);
    refused!(
        StatusCode::CONFLICT,
        [msg(ID, "err.transition_not_allowed")],
        "answer twice",
        dinkes.post_multipart(&format!("{base}/answer"), &[("outcome", "granted_full".into()), text.clone()], &[]).await
    );

    // Requests that do not exist, or ids that do not parse.
    for path in [
        "/konsol/permohonan/999999",
        "/konsol/permohonan/abc",
        "/konsol/permohonan/99999999999999999999999",
        "/konsol/permohonan/-1",
        "/konsol/dokumen/abc",
        "/konsol/dokumen/999999",
    ] {
        let r = utama.get(path).await;
        page(&r, StatusCode::NOT_FOUND, &[msg(ID, "err.not_found")], path);
    }
    for path in ["/konsol/permohonan/abc/route", "/konsol/permohonan/999999/route", "/konsol/permohonan/1.5/extend"] {
        let r = utama.post_form(path, &[("unit", t.org.social.to_string()), ("reason", "Dokumen berada di arsip kecamatan.".into())]).await;
        page(&r, StatusCode::NOT_FOUND, &[msg(ID, "err.not_found")], path);
    }
}

#[tokio::test]
async fn console_keberatan_steps_refuse_bad_input() {
    let t = TestApp::sqlite().await;
    let (id, token) = routed(&t, "Data kasus demam berdarah 2025").await;
    t.app
        .file_objection(&token, &RawObjection { grounds: Some("c".into()), summary: Some("Permohonan saya tidak ditanggapi.".into()) }, Utc::now())
        .await
        .unwrap();
    let oid = t.app.store.objections_of(id).await.unwrap().remove(0).id;
    let mut atasan = t.officer_client("atasan").await;

    let cases: Vec<(&str, String, Fields, StatusCode, Vec<String>)> = vec![
        ("short reasons", "reject".into(), vec![("reasons", "terlalu pendek".into())], StatusCode::UNPROCESSABLE_ENTITY, vec![msg(ID, "err.too_short")]),
        ("no reasons", "reject".into(), vec![], StatusCode::UNPROCESSABLE_ENTITY, vec![msg(ID, "err.required")]),
        (
            "short reasons from the request page",
            "reject".into(),
            vec![("reasons", "pendek".into()), ("request", id.to_string())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![msg(ID, "err.too_short")],
        ),
        (
            "bad dispute date",
            "file_dispute".into(),
            vec![("ki_received", "2026-02-30".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![msg(ID, "err.date_format")],
        ),
        ("no dispute date", "file_dispute".into(), vec![], StatusCode::UNPROCESSABLE_ENTITY, vec![msg(ID, "err.required")]),
        (
            "dispute date in words, from the request page",
            "file_dispute".into(),
            vec![("ki_received", "kemarin".into()), ("request", id.to_string())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![msg(ID, "err.date_format")],
        ),
        (
            "bad decision date",
            "adjudication_decision".into(),
            vec![("received", "31-12-2026".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![msg(ID, "err.date_format")],
        ),
        (
            "control characters in a decision text",
            "uphold".into(),
            vec![("text", "Dibuka\u{7}".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![msg(ID, "err.control_chars")],
        ),
        ("unknown step", "hapus_semua".into(), vec![], StatusCode::NOT_FOUND, vec![msg(ID, "err.not_found")]),
        ("a step the state does not allow", "register_dispute".into(), vec![], StatusCode::CONFLICT, vec![msg(ID, "err.transition_not_allowed")]),
        (
            "too early for the Komisi Informasi",
            "file_dispute".into(),
            vec![("ki_received", Utc::now().format("%Y-%m-%d").to_string())],
            StatusCode::CONFLICT,
            vec![],
        ),
    ];
    for (what, step, fields, status, messages) in cases {
        let before = (counts(&t).await, request_state(&t, id).await);
        let r = atasan.post_form(&format!("/konsol/keberatan/{oid}/{step}"), &fields).await;
        page(&r, status, &messages, what);
        assert_eq!((counts(&t).await, request_state(&t, id).await), before, "{what}: something changed");
    }
    let r = atasan.post_form(&format!("/konsol/keberatan/{oid}/reject?lang=en"), &[("reasons", "short".into())]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(EN, "err.too_short")], "short reasons, English");
    for path in ["/konsol/keberatan/abc/reject", "/konsol/keberatan/999999/reject", "/konsol/keberatan/99999999999999999999/start_review"] {
        let r = atasan.post_form(path, &[("reasons", "Permohonan telah dijawab dalam batas waktu yang sah.".into())]).await;
        page(&r, StatusCode::NOT_FOUND, &[msg(ID, "err.not_found")], path);
    }
    let r = atasan.post_form_raw(&format!("/konsol/keberatan/{oid}/start_review"), &[]).await;
    page(&r, StatusCode::FORBIDDEN, &[msg(ID, "err.csrf")], "step without CSRF");
    assert_eq!(t.app.store.objection(oid).await.unwrap().unwrap().clock.state.as_str(), "registered");
}

#[tokio::test]
async fn console_officers_and_calendar_refuse_bad_input() {
    let t = TestApp::sqlite().await;
    let mut admin = t.officer_client("admin").await;
    let good = |changes: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        let mut f: Vec<(&'static str, String)> = vec![
            ("username", "budi".into()),
            ("display_name", "Budi Santoso".into()),
            ("email", "budi@ppid.example.go.id".into()),
            ("role", "ppid_pelaksana".into()),
            ("unit", t.org.health.to_string()),
            ("password", PASSWORD.into()),
        ];
        for (k, v) in changes {
            f.retain(|(x, _)| x != k);
            f.push((*k, v.to_string()));
        }
        f
    };
    let cases: Vec<(&str, Fields, Vec<&str>)> = vec![
        ("empty", vec![], vec!["err.required", "err.choose_one"]),
        ("bad username", good(&[("username", "budi santoso!")]), vec!["err.username_format"]),
        ("short username", good(&[("username", "bu")]), vec!["err.username_format"]),
        ("bad email", good(&[("email", "bukan-email")]), vec!["err.email_format"]),
        ("bad role", good(&[("role", "raja")]), vec!["err.choose_one"]),
        ("short password", good(&[("password", "pendek")]), vec!["err.password_length"]),
        ("duplicate username", good(&[("username", "dinkes")]), vec!["err.username_taken"]),
        ("duplicate username, other case", good(&[("username", "DinKes")]), vec!["err.username_taken"]),
        ("unknown unit", good(&[("unit", "999999")]), vec!["err.choose_one"]),
        ("unit that is not a number", good(&[("unit", "abc")]), vec!["err.choose_one"]),
        ("pelaksana without unit", good(&[("unit", "")]), vec!["err.unit_required"]),
        ("control characters in the name", good(&[("display_name", "Budi\u{0}")]), vec!["err.control_chars"]),
        ("huge fields", good(&[("display_name", &"b".repeat(100_000)), ("password", &"p".repeat(100_000))]), vec!["err.too_long", "err.password_length"]),
    ];
    for (what, fields, codes) in cases {
        let before = counts(&t).await;
        let r = admin.post_form("/konsol/petugas", &fields).await;
        let messages: Vec<String> = codes.iter().map(|k| msg(ID, k)).collect();
        page(&r, StatusCode::UNPROCESSABLE_ENTITY, &messages, what);
        assert!(!r.text().contains(&format!("value=\"{PASSWORD}\"")), "{what}: the password is never echoed");
        assert_eq!(counts(&t).await, before, "{what}: something changed");
    }
    let r = admin.post_form("/konsol/petugas?lang=en", &good(&[("email", "x")])).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(EN, "err.email_format")], "officer, English");
    assert!(r.text().contains("value=\"Budi Santoso\""), "typed values kept");
    for (path, status) in [
        ("/konsol/petugas/abc/aktif", StatusCode::NOT_FOUND),
        ("/konsol/petugas/999999/aktif", StatusCode::NOT_FOUND),
        (&*format!("/konsol/petugas/{}/mungkin", t.org.health_officer.officer), StatusCode::NOT_FOUND),
        (&*format!("/konsol/petugas/{}/nonaktif", t.org.admin.officer), StatusCode::CONFLICT),
    ] {
        let before = counts(&t).await;
        let r = admin.post_form(path, &[]).await;
        page(&r, status, &[], path);
        assert_eq!(counts(&t).await, before, "{path}: something changed");
    }

    // The calendar.
    let cases: Vec<(&str, &str, Fields, StatusCode, Vec<&str>)> = vec![
        ("empty day", "/konsol/kalender", vec![], StatusCode::UNPROCESSABLE_ENTITY, vec!["err.required", "err.choose_one"]),
        (
            "bad date",
            "/konsol/kalender",
            vec![("date", "2026-13-01".into()), ("kind", "holiday".into()), ("name", "Libur uji".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["err.date_format"],
        ),
        (
            "30 February",
            "/konsol/kalender",
            vec![("date", "2026-02-30".into()), ("kind", "holiday".into()), ("name", "Libur uji".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["err.date_format"],
        ),
        (
            "bad kind",
            "/konsol/kalender",
            vec![("date", "2031-06-02".into()), ("kind", "pesta".into()), ("name", "Libur uji".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["err.choose_one"],
        ),
        (
            "short name",
            "/konsol/kalender",
            vec![("date", "2031-06-02".into()), ("kind", "holiday".into()), ("name", "x".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["err.too_short"],
        ),
        (
            "a day that exists",
            "/konsol/kalender",
            vec![("date", "2026-01-01".into()), ("kind", "holiday".into()), ("name", "Tahun Baru Masehi".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["err.day_exists"],
        ),
        (
            "delete an unknown day",
            "/konsol/kalender/hapus",
            vec![("date", "2033-01-05".into()), ("kind", "holiday".into())],
            StatusCode::NOT_FOUND,
            vec!["err.not_found"],
        ),
        (
            "delete with a bad date",
            "/konsol/kalender/hapus",
            vec![("date", "kemarin".into()), ("kind", "holiday".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["err.date_format"],
        ),
        (
            "delete with a bad kind",
            "/konsol/kalender/hapus",
            vec![("date", "2026-01-01".into()), ("kind", "x".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["err.choose_one"],
        ),
    ];
    for (what, path, fields, status, codes) in cases {
        let before = counts(&t).await;
        let r = admin.post_form(path, &fields).await;
        let messages: Vec<String> = codes.iter().map(|k| msg(ID, k)).collect();
        page(&r, status, &messages, what);
        assert_eq!(counts(&t).await, before, "{what}: something changed");
    }
    // The deadline check on the calendar page.
    for q in ["from=2026-02-30&n=10", "from=kemarin", "from=2026-11-02&n=-1", "from=2026-11-02&n=366", "from=2026-11-02&n=abc", "from=262143-01-01&n=10"] {
        let r = admin.get(&format!("/konsol/kalender?{q}")).await;
        page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[], q);
        assert!(r.text().contains("class=\"err\""), "{q}: the field says what is wrong");
    }
}

#[tokio::test]
async fn desk_registration_refuses_bad_input() {
    let t = TestApp::sqlite().await;
    let mut utama = t.officer_client("utama").await;
    let mut atasan = t.officer_client("atasan").await;
    let mut api_utama = api_client(&t, "utama").await;
    let today = terbuka_domain::calendar::wib_date(Utc::now());
    let desk = |changes: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        let mut f = with(changes);
        for (k, v) in [("channel", "desk".to_string()), ("received_on", today.to_string())] {
            if !changes.iter().any(|(c, _)| *c == k) {
                f.push((k, v));
            }
        }
        f.retain(|(_, v)| !v.is_empty());
        f
    };
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let long_ago = (today - chrono::Duration::days(400)).to_string();
    let cases: Vec<(&str, Fields, Vec<&str>)> = vec![
        ("empty", vec![], vec!["err.required", "err.choose_one"]),
        ("web is not a paper channel", desk(&[("channel", "web")]), vec!["err.choose_one"]),
        ("unknown channel", desk(&[("channel", "merpati")]), vec!["err.choose_one"]),
        ("no date of receipt", desk(&[("received_on", "")]), vec!["err.required"]),
        ("date of receipt in words", desk(&[("received_on", "kemarin")]), vec!["err.date_format"]),
        ("date of receipt tomorrow", desk(&[("received_on", &tomorrow)]), vec!["err.date_in_future"]),
        ("date of receipt long ago", desk(&[("received_on", &long_ago)]), vec!["err.date_too_old"]),
        ("bad NIK and bad date together", desk(&[("id_number", "123"), ("received_on", "2026-02-30")]), vec!["err.nik_format", "err.date_format"]),
    ];
    for (what, fields, codes) in cases {
        let before = counts(&t).await;
        let r = utama.post_multipart("/konsol/permohonan-baru", &fields, &[]).await;
        let messages: Vec<String> = codes.iter().map(|k| msg(ID, k)).collect();
        page(&r, StatusCode::UNPROCESSABLE_ENTITY, &messages, what);
        assert_eq!(counts(&t).await, before, "{what}: something changed");
    }
    let before = counts(&t).await;
    let r = utama.post_multipart("/konsol/permohonan-baru", &desk(&[]), &[("identity_scan", "ktp.pdf", EXE)]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.file_type_scan")], "desk scan of the wrong type");
    assert!(r.text().contains("value=\"Siti Aminah\""), "typed values kept");
    let r = utama.post_multipart("/konsol/permohonan-baru?lang=en", &desk(&[("received_on", &tomorrow)]), &[]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(EN, "err.date_in_future")], "desk, English");
    let r = utama.post_form_raw("/konsol/permohonan-baru", &desk(&[])).await;
    page(&r, StatusCode::FORBIDDEN, &[msg(ID, "err.csrf")], "desk without CSRF");
    // Roles that do not register requests are refused before anything is read.
    let r = atasan.post_multipart("/konsol/permohonan-baru", &desk(&[]), &[]).await;
    page(&r, StatusCode::FORBIDDEN, &[msg(ID, "err.forbidden")], "Atasan at the desk");
    // The same through the API.
    let r = api_utama.json(Method::POST, "/api/v1/officer/requests", json!({"channel": "web", "received_on": tomorrow, "id_number": "12"})).await;
    api(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "err.invalid",
        &[("channel", "err.choose_one"), ("received_on", "err.date_in_future"), ("id_number", "err.nik_format")],
        "API desk",
    );
    let r = api_utama.json(Method::POST, "/api/v1/officer/requests", json!([{"channel": "desk"}])).await;
    api(&r, StatusCode::BAD_REQUEST, "err.bad_request", &[], "API desk, array");
    assert_eq!(counts(&t).await, before, "nothing was registered");

    // Signing out needs the token too.
    let r = utama.post_form_raw("/keluar", &[]).await;
    page(&r, StatusCode::FORBIDDEN, &[msg(ID, "err.csrf")], "sign out without CSRF");
    assert_eq!(utama.get("/konsol").await.status, StatusCode::OK, "still signed in");
}

/// Pages follow the language the user chose (the `lang` cookie set by the switch), not only
/// `?lang=`.
#[tokio::test]
async fn messages_follow_the_chosen_language() {
    let t = TestApp::sqlite().await;
    let mut c = t.client();
    let r = c.get("/bahasa/en?next=/permohonan").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/permohonan".to_string()));
    let r = c.post_form("/permohonan", &with(&[("id_number", "12")])).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(EN, "err.nik_format")], "English by cookie");
    let r = c.post_form("/permohonan?lang=id", &with(&[("id_number", "12")])).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.nik_format")], "?lang=id wins over the cookie");
    let r = c.get("/dokumen/abc").await;
    page(&r, StatusCode::NOT_FOUND, &[msg(EN, "err.not_found")], "404 in English by cookie");
    assert_eq!(t.app.store.list_requests(&RequestFilter::default()).await.unwrap().total, 0);
}

// --------------------------------------------------------------------------------------- API

#[tokio::test]
async fn the_api_refuses_bad_input_as_json() {
    let t = TestApp::sqlite().await;
    let (id, token) = routed(&t, "Data kasus demam berdarah 2025").await;
    let mut anon = t.client();
    let mut utama = api_client(&t, "utama").await;
    let mut admin = api_client(&t, "admin").await;
    let before = counts(&t).await;
    let state = request_state(&t, id).await;
    let ok = json!({
        "requester_kind": "individual", "name": "Siti Aminah", "id_number": "3171014501900001",
        "address": "Jl. Kebon Sirih No. 1, Jakarta Pusat", "email": "siti@example.com",
        "subject": "Data kasus DBD per kecamatan 2025", "details": "Jumlah kasus DBD per kecamatan per bulan sepanjang 2025.",
        "purpose": "Penelitian kesehatan masyarakat", "obtain": ["soft_copy"], "delivery": "email"
    });

    // Content types and bodies that are not a JSON object.
    for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"] {
        let r = raw(&mut anon, Method::POST, "/api/v1/requests", Some(ct), ok.to_string().into_bytes(), &[]).await;
        api(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "err.unsupported_media", &[], ct);
    }
    let r = raw(&mut anon, Method::POST, "/api/v1/requests", None, ok.to_string().into_bytes(), &[]).await;
    api(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "err.unsupported_media", &[], "no content type");
    let r = raw(&mut anon, Method::POST, "/api/v1/requests", Some("text/plain"), b"x".to_vec(), &[("accept-language", "en")]).await;
    let v = api(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "err.unsupported_media", &[], "415, English");
    assert_eq!(v["error"]["message"], json!(terbuka_web::http::render::tr(EN, "err.unsupported_media")));
    for (what, body) in [
        ("malformed", b"{\"name\": ".to_vec()),
        ("trailing garbage", b"{} x".to_vec()),
        ("array", b"[1, 2, 3]".to_vec()),
        ("array of objects", format!("[{ok}]").into_bytes()),
        ("string", b"\"permohonan\"".to_vec()),
        ("number", b"42".to_vec()),
        ("null", b"null".to_vec()),
        ("invalid UTF-8", b"{\"name\": \"Siti \xff\"}".to_vec()),
        ("number out of range", b"{\"name\": 1e400}".to_vec()),
        ("deep nesting", ("[".repeat(10_000) + &"]".repeat(10_000)).into_bytes()),
    ] {
        let r = raw(&mut anon, Method::POST, "/api/v1/requests", Some("application/json"), body, &[]).await;
        api(&r, StatusCode::BAD_REQUEST, "err.bad_request", &[], what);
    }

    // Fields of the wrong JSON type, each named.
    let r = anon
        .json(
            Method::POST,
            "/api/v1/requests",
            json!({"requester_kind": {"x": 1}, "name": ["Siti", {"a": 1}], "id_number": 3171014501900001_i64, "address": null, "obtain": [["view"]], "delivery": true}),
        )
        .await;
    api(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "err.invalid",
        &[("requester_kind", "err.bad_request"), ("name", "err.bad_request"), ("obtain", "err.bad_request")],
        "wrong JSON types",
    );
    // Huge numbers and strings.
    let mut huge = ok.clone();
    huge["id_number"] = json!(1e300);
    huge["phone"] = json!(123456789012345678901234567890_f64);
    huge["details"] = json!("d".repeat(100_000));
    let r = anon.json(Method::POST, "/api/v1/requests", huge).await;
    api(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "err.invalid",
        &[("id_number", "err.nik_format"), ("phone", "err.phone_format"), ("details", "err.too_long")],
        "huge values",
    );
    // Every field wrong, in English by Accept-Language and by ?lang=en.
    let r = raw(&mut anon, Method::POST, "/api/v1/requests", Some("application/json"), b"{}".to_vec(), &[("accept-language", "en")]).await;
    let v = api(&r, StatusCode::UNPROCESSABLE_ENTITY, "err.invalid", &[("requester_kind", "err.choose_one"), ("name", "err.required")], "empty, English");
    assert!(v["error"]["fields"].as_array().unwrap().iter().any(|f| f["message"] == json!("Required.")), "{v}");
    let r = anon.json(Method::POST, "/api/v1/requests?lang=en", json!({"id_number": "12"})).await;
    let v = api(&r, StatusCode::UNPROCESSABLE_ENTITY, "err.invalid", &[("id_number", "err.nik_format")], "?lang=en");
    assert_eq!(v["error"]["message"], json!(terbuka_web::http::render::tr(EN, "err.invalid")));
    let r = anon.json(Method::POST, "/api/v1/requests", json!({})).await;
    let v = api(&r, StatusCode::UNPROCESSABLE_ENTITY, "err.invalid", &[("name", "err.required")], "empty, Indonesian");
    assert!(v["error"]["fields"].as_array().unwrap().iter().any(|f| f["message"] == json!("Wajib diisi.")), "{v}");
    // The identity scan as JSON: not an object, bad base64, the wrong type, too large.
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let mut big = vec![0xFF, 0xD8, 0xFF, 0xE0];
    big.resize(2 * 1024 * 1024 + 1, 0);
    for (what, scan, code) in [
        ("scan as text", json!("ktp.jpg"), "err.bad_request"),
        ("scan without data", json!({"filename": "ktp.jpg"}), "err.required"),
        ("scan with bad base64", json!({"filename": "ktp.jpg", "data_base64": "%%%not base64%%%"}), "err.bad_request"),
        ("scan that is an executable", json!({"filename": "ktp.jpg", "content_type": "image/jpeg", "data_base64": b64(EXE)}), "err.file_type_scan"),
        ("scan over 2 MiB", json!({"filename": "ktp.jpg", "data_base64": b64(&big)}), "err.file_too_large"),
    ] {
        let mut body = ok.clone();
        body["identity_scan"] = scan;
        let r = anon.json(Method::POST, "/api/v1/requests", body).await;
        api(&r, StatusCode::UNPROCESSABLE_ENTITY, "err.invalid", &[("identity_scan", code)], what);
    }

    // Unknown ids and paths: JSON 404s.
    for path in [
        "/api/v1/requests/PMH-1900-00001",
        "/api/v1/requests/PMH-2026-99999",
        "/api/v1/requests/xyz",
        "/api/v1/documents/abc",
        "/api/v1/documents/999999",
        "/api/v1/tracking/short",
        "/api/v1/tracking/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/api/v1/tracking/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/documents/abc",
        "/api/v1/nope",
        "/api/v1/requests/PMH-2026-00001/extra/segments",
        "/api/nope",
        "/api",
    ] {
        let r = anon.get(path).await;
        api(&r, StatusCode::NOT_FOUND, "err.not_found", &[], path);
    }
    for path in [
        "/api/v1/officer/requests/999999",
        "/api/v1/officer/requests/abc",
        "/api/v1/officer/requests/-1",
        "/api/v1/officer/requests/0",
        "/api/v1/officer/requests/99999999999999999999",
        "/api/v1/officer/documents/abc",
    ] {
        let r = utama.get(path).await;
        api(&r, StatusCode::NOT_FOUND, "err.not_found", &[], path);
    }
    let r = anon.json(Method::PUT, "/api/v1/requests", json!({})).await;
    api(&r, StatusCode::METHOD_NOT_ALLOWED, "err.bad_request", &[], "PUT");

    // calendar/due: every parameter checked.
    for (q, fields) in [
        ("n=-1&from=2026-11-02", vec![("n", "err.bad_request")]),
        ("n=401&from=2026-11-02", vec![("n", "err.bad_request")]),
        ("n=10&from=2026-02-30", vec![("from", "err.date_format")]),
        ("n=abc&from=kemarin&owner=raja", vec![("n", "err.bad_request"), ("from", "err.date_format"), ("owner", "err.choose_one")]),
        ("n=99999999999999999999&from=262143-12-31", vec![("n", "err.bad_request"), ("from", "err.date_format")]),
        ("", vec![("n", "err.required"), ("from", "err.required")]),
    ] {
        let r = anon.get(&format!("/api/v1/calendar/due?{q}")).await;
        api(&r, StatusCode::UNPROCESSABLE_ENTITY, "err.invalid", &fields, q);
    }

    // Officer actions with bad bodies.
    let base = format!("/api/v1/officer/requests/{id}");
    for (what, path, body, status, code, fields) in [
        ("route to an unknown unit", format!("{base}/route"), json!({"unit": 999999}), 422, "err.invalid", vec![("unit", "err.choose_one")]),
        ("route to \"abc\"", format!("{base}/route"), json!({"unit": "abc"}), 422, "err.invalid", vec![("unit", "err.choose_one")]),
        ("route without unit", format!("{base}/route"), json!({}), 422, "err.invalid", vec![("unit", "err.choose_one")]),
        ("route to a huge unit", format!("{base}/route"), json!({"unit": 1e300}), 422, "err.invalid", vec![("unit", "err.choose_one")]),
        ("route to a list", format!("{base}/route"), json!({"unit": [1, 2]}), 422, "err.invalid", vec![("unit", "err.choose_one")]),
        ("short extension reason", format!("{base}/extend"), json!({"reason": "pendek"}), 422, "err.invalid", vec![("reason", "err.too_short")]),
        ("extension reason as object", format!("{base}/extend"), json!({"reason": {"a": 1}}), 422, "err.invalid", vec![("reason", "err.bad_request")]),
        ("answer without anything", format!("{base}/answer"), json!({}), 422, "err.invalid", vec![("outcome", "err.choose_one"), ("text", "err.required")]),
        (
            "refusal without exemption",
            format!("{base}/answer"),
            json!({"outcome": "refused_exempt", "text": "Permohonan ditolak seluruhnya."}),
            422,
            "err.invalid",
            vec![("exemption_ground", "err.choose_one"), ("consequence_test", "err.required"), ("atasan_approval", "err.required")],
        ),
        (
            "huge fee",
            format!("{base}/answer"),
            json!({"outcome": "granted_full", "text": "Informasi terlampir.", "fee": 1e30}),
            422,
            "err.invalid",
            vec![("fee", "err.fee")],
        ),
        ("documents not a list", format!("{base}/documents"), json!({"documents": "dbd.csv"}), 422, "err.invalid", vec![("documents", "err.bad_request")]),
        ("no documents", format!("{base}/documents"), json!({}), 422, "err.invalid", vec![("document", "err.required")]),
        (
            "an executable document",
            format!("{base}/documents"),
            json!({"documents": [{"filename": "a.pdf", "data_base64": b64(EXE)}]}),
            422,
            "err.invalid",
            vec![("document", "err.file_type_document")],
        ),
        ("deliver before answer", format!("{base}/deliver"), json!({}), 409, "err.transition_not_allowed", vec![]),
        ("fee before answer", format!("{base}/fee"), json!({}), 409, "err.transition_not_allowed", vec![]),
        ("unknown objection step", "/api/v1/officer/objections/1/hapus".to_string(), json!({}), 404, "err.not_found", vec![]),
        ("objection that does not exist", "/api/v1/officer/objections/999999/start_review".to_string(), json!({}), 404, "err.not_found", vec![]),
        ("objection id abc", "/api/v1/officer/objections/abc/start_review".to_string(), json!({}), 404, "err.not_found", vec![]),
        (
            "bad dispute date",
            "/api/v1/officer/objections/1/file_dispute".to_string(),
            json!({"date": "2026-02-30"}),
            422,
            "err.invalid",
            vec![("date", "err.date_format")],
        ),
    ] {
        let before = (counts(&t).await, request_state(&t, id).await);
        let r = utama.json(Method::POST, &path, body).await;
        api(&r, StatusCode::from_u16(status).unwrap(), code, &fields, what);
        assert_eq!((counts(&t).await, request_state(&t, id).await), before, "{what}: something changed");
    }
    for (what, method, path, body, status, code, fields) in [
        (
            "officer without anything",
            Method::POST,
            "/api/v1/officer/officers",
            json!({}),
            422,
            "err.invalid",
            vec![("username", "err.required"), ("role", "err.choose_one")],
        ),
        (
            "duplicate officer",
            Method::POST,
            "/api/v1/officer/officers",
            json!({"username": "dinkes", "display_name": "Dinkes Lagi", "email": "dk@ppid.example.go.id", "role": "ppid_pelaksana", "unit": t.org.health, "password": PASSWORD}),
            422,
            "err.invalid",
            vec![("username", "err.username_taken")],
        ),
        (
            "officer with bad values",
            Method::POST,
            "/api/v1/officer/officers",
            json!({"username": "a b", "display_name": "B", "email": "x", "role": "raja", "unit": "abc", "password": "short"}),
            422,
            "err.invalid",
            vec![
                ("username", "err.username_format"),
                ("email", "err.email_format"),
                ("role", "err.choose_one"),
                ("unit", "err.choose_one"),
                ("password", "err.password_length"),
            ],
        ),
        (
            "active flag unreadable",
            Method::POST,
            "/api/v1/officer/officers/3/active",
            json!({"active": "mungkin"}),
            422,
            "err.invalid",
            vec![("active", "err.choose_one")],
        ),
        ("active flag missing", Method::POST, "/api/v1/officer/officers/3/active", json!({}), 422, "err.invalid", vec![("active", "err.required")]),
        ("unknown officer", Method::POST, "/api/v1/officer/officers/999999/active", json!({"active": false}), 404, "err.not_found", vec![]),
        ("officer id abc", Method::POST, "/api/v1/officer/officers/abc/active", json!({"active": false}), 404, "err.not_found", vec![]),
        (
            "day off with bad values",
            Method::POST,
            "/api/v1/officer/calendar",
            json!({"date": "2026-02-30", "kind": "pesta", "name": "x"}),
            422,
            "err.invalid",
            vec![("date", "err.date_format"), ("kind", "err.choose_one"), ("name", "err.too_short")],
        ),
        (
            "day off with wrong types",
            Method::POST,
            "/api/v1/officer/calendar",
            json!({"date": ["2026-06-02"], "kind": {"k": 1}}),
            422,
            "err.invalid",
            vec![("date", "err.bad_request")],
        ),
        ("delete an unknown day", Method::DELETE, "/api/v1/officer/calendar", json!({"date": "2033-01-05", "kind": "holiday"}), 404, "err.not_found", vec![]),
        (
            "delete with a bad date",
            Method::DELETE,
            "/api/v1/officer/calendar",
            json!({"date": "kemarin", "kind": "holiday"}),
            422,
            "err.invalid",
            vec![("date", "err.date_format")],
        ),
    ] {
        let before = counts(&t).await;
        let r = admin.json(method, path, body).await;
        api(&r, StatusCode::from_u16(status).unwrap(), code, &fields, what);
        assert_eq!(counts(&t).await, before, "{what}: something changed");
    }
    // Bearer tokens that are not tokens.
    for auth in ["Bearer", "Bearer ", "Bearer x", "Basic dXNlcjpwYXNz", "Bearer ../../../../etc/passwd/aaaaaaaaaaaa", &format!("Bearer {}", "a".repeat(5000))] {
        let r = raw(&mut anon, Method::GET, "/api/v1/officer/inbox", None, vec![], &[("authorization", auth)]).await;
        api(&r, StatusCode::UNAUTHORIZED, "err.unauthenticated", &[], auth);
    }

    assert_eq!(counts(&t).await, before, "nothing was saved");
    assert_eq!(request_state(&t, id).await, state);
    let _ = token;
}

// ------------------------------------------------------------------------------- path params

#[tokio::test]
async fn path_parameters_that_do_not_parse_are_404_pages() {
    let t = TestApp::sqlite().await;
    let mut anon = t.client();
    let mut utama = t.officer_client("utama").await;
    for path in [
        "/register/xyz",
        "/register/PMH-1900-00001",
        "/register/PMH-2026-99999",
        "/register/%00",
        "/dokumen/abc",
        "/dokumen/999999",
        "/dokumen/-1",
        "/dokumen/99999999999999999999",
        "/dokumen/1.0",
        "/lacak/abc/dokumen/abc",
        "/tidak-ada",
        "/konsol/tidak-ada",
        "/static/tidak-ada.css",
    ] {
        let r = anon.get(path).await;
        page(&r, StatusCode::NOT_FOUND, &[msg(ID, "err.not_found")], path);
        let r = anon.get(&format!("{path}?lang=en")).await;
        page(&r, StatusCode::NOT_FOUND, &[msg(EN, "err.not_found")], path);
    }
    // A page route called with a method it does not take: the error page, with `Allow`.
    let r = anon.get("/keluar").await;
    page(&r, StatusCode::METHOD_NOT_ALLOWED, &[msg(ID, "err.bad_request")], "GET /keluar");
    assert_eq!(r.headers.get(header::ALLOW).map(|v| v.to_str().unwrap()), Some("POST"));
    for path in ["/konsol/permohonan/abc", "/konsol/permohonan/%20", "/konsol/dokumen/abc", "/konsol/dokumen/1e3"] {
        let r = utama.get(path).await;
        page(&r, StatusCode::NOT_FOUND, &[msg(ID, "err.not_found")], path);
    }
}

// ------------------------------------------------------------------------------------- sweep

/// Every route, with an empty body and with garbage, as anonymous and as officers: never a 500,
/// and always something a person can read (a page with a message, a redirect, or a JSON message).
#[tokio::test]
async fn every_route_survives_empty_and_garbage_bodies() {
    sweep(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn every_route_survives_empty_and_garbage_bodies_on_postgres() {
    sweep(TestApp::postgres().await).await;
}

async fn sweep(t: TestApp) {
    let (id, token) = routed(&t, "Data kasus demam berdarah 2025").await;
    let sub = t.app.submit_request(&raw_request("Data banjir kelurahan 2025"), None, Utc::now()).await.unwrap();
    t.app.route(&t.org.utama, sub.request.id, t.org.social, Utc::now()).await.unwrap();
    let notice = RawNotice { outcome: Some("granted_full".into()), text: Some("Informasi terlampir dalam berkas CSV.".into()), ..Default::default() };
    let csv = Upload { filename: "data.csv".into(), content_type: "text/csv".into(), data: b"a,b\n1,2\n".to_vec() };
    t.app.answer(&t.org.social_officer, sub.request.id, &notice, vec![(csv, true)], Utc::now()).await.unwrap();
    let doc = t.app.store.documents(sub.request.id).await.unwrap().remove(0).id;
    t.app
        .file_objection(&sub.token, &RawObjection { grounds: Some("d".into()), summary: Some("Informasi yang diberikan tidak lengkap.".into()) }, Utc::now())
        .await
        .unwrap();
    let oid = t.app.store.objections_of(sub.request.id).await.unwrap().remove(0).id;
    let reg_no = t.app.store.request(id).await.unwrap().unwrap().reg_no;
    let officer = t.org.social_officer.officer;
    let x = "Z".repeat(43);

    let pages: Vec<(Method, String)> = [
        ("GET", "/".to_string()),
        ("GET", "/permohonan".into()),
        ("POST", "/permohonan".into()),
        ("GET", "/lacak".into()),
        ("POST", "/lacak".into()),
        ("GET", format!("/lacak/{token}")),
        ("GET", format!("/lacak/{x}")),
        ("POST", format!("/lacak/{token}/keberatan")),
        ("POST", format!("/lacak/{x}/keberatan")),
        ("POST", format!("/lacak/{x}/tarik")),
        ("GET", format!("/lacak/{}/dokumen/{doc}", sub.token)),
        ("GET", format!("/lacak/{token}/dokumen/abc")),
        ("GET", "/register".into()),
        ("GET", "/register?page=abc&year=99999999999999999999&unit=-1&status=%3Cscript%3E&q=%25%25%5C".into()),
        ("GET", "/register?q=%00%01&status=%00".into()),
        ("GET", format!("/register/{reg_no}")),
        ("GET", "/register/xyz".into()),
        ("GET", format!("/dokumen/{doc}")),
        ("GET", "/dokumen/abc".into()),
        ("GET", "/statistik".into()),
        ("GET", "/statistik?year=abc".into()),
        ("GET", "/audit".into()),
        ("GET", "/privasi".into()),
        ("GET", "/bahasa/xx?next=//evil.example".into()),
        ("GET", "/masuk".into()),
        ("POST", "/masuk".into()),
        ("POST", "/keluar".into()),
        ("GET", "/static/app.css".into()),
        ("GET", "/konsol".into()),
        ("GET", "/konsol?status=abc&page=-5&unit=x&q=%FF".into()),
        ("GET", "/konsol?q=%00".into()),
        ("GET", format!("/konsol/permohonan/{id}")),
        ("GET", "/konsol/permohonan/abc".into()),
        ("POST", format!("/konsol/permohonan/{id}/route")),
        ("POST", format!("/konsol/permohonan/{id}/extend")),
        ("POST", format!("/konsol/permohonan/{id}/answer")),
        ("POST", format!("/konsol/permohonan/{id}/attach")),
        ("POST", format!("/konsol/permohonan/{id}/fee")),
        ("POST", format!("/konsol/permohonan/{id}/deliver")),
        ("POST", format!("/konsol/permohonan/{id}/xyz")),
        ("POST", "/konsol/permohonan/abc/route".into()),
        ("GET", "/konsol/permohonan-baru".into()),
        ("POST", "/konsol/permohonan-baru".into()),
        ("GET", "/konsol/keberatan".into()),
        ("GET", "/konsol/keberatan?all=1".into()),
        ("POST", format!("/konsol/keberatan/{oid}/start_review")),
        ("POST", format!("/konsol/keberatan/{oid}/reject")),
        ("POST", format!("/konsol/keberatan/{oid}/file_dispute")),
        ("POST", format!("/konsol/keberatan/{oid}/adjudication_decision")),
        ("POST", format!("/konsol/keberatan/{oid}/xyz")),
        ("POST", "/konsol/keberatan/abc/reject".into()),
        ("GET", format!("/konsol/dokumen/{doc}")),
        ("GET", "/konsol/dokumen/abc".into()),
        ("GET", "/konsol/petugas".into()),
        ("POST", "/konsol/petugas".into()),
        ("POST", format!("/konsol/petugas/{officer}/aktif")),
        ("POST", format!("/konsol/petugas/{officer}/xyz")),
        ("POST", "/konsol/petugas/abc/aktif".into()),
        ("GET", "/konsol/kalender".into()),
        ("GET", "/konsol/kalender?from=2026-02-30&n=-1".into()),
        ("POST", "/konsol/kalender".into()),
        ("POST", "/konsol/kalender/hapus".into()),
    ]
    .into_iter()
    .map(|(m, p)| (Method::from_bytes(m.as_bytes()).unwrap(), p))
    .collect();
    let api_routes: Vec<(Method, String)> = [
        ("GET", "/api/v1".to_string()),
        ("GET", "/api/v1/".into()),
        ("POST", "/api/v1/requests".into()),
        ("GET", "/api/v1/requests".into()),
        ("GET", "/api/v1/requests?page=-1&year=abc&unit=%FF".into()),
        ("GET", "/api/v1/requests?q=%00".into()),
        ("GET", "/api/v1/officer/inbox?q=%00".into()),
        ("GET", format!("/api/v1/requests/{reg_no}")),
        ("GET", "/api/v1/requests/xyz".into()),
        ("GET", format!("/api/v1/documents/{doc}")),
        ("GET", "/api/v1/documents/abc".into()),
        ("GET", format!("/api/v1/tracking/{token}")),
        ("GET", "/api/v1/tracking/abc".into()),
        ("POST", format!("/api/v1/tracking/{token}/objections")),
        ("POST", format!("/api/v1/tracking/{x}/withdraw")),
        ("GET", format!("/api/v1/tracking/{}/documents/{doc}", sub.token)),
        ("GET", format!("/api/v1/tracking/{token}/documents/abc")),
        ("GET", "/api/v1/stats?year=abc".into()),
        ("GET", "/api/v1/units".into()),
        ("GET", "/api/v1/audit/head".into()),
        ("GET", "/api/v1/calendar/due".into()),
        ("GET", "/api/v1/calendar/due?from=2026-11-02&n=10&owner=body".into()),
        ("POST", "/api/v1/session".into()),
        ("GET", "/api/v1/session".into()),
        ("DELETE", "/api/v1/session".into()),
        ("GET", "/api/v1/officer/inbox?unrouted=maybe&page=abc".into()),
        ("POST", "/api/v1/officer/requests".into()),
        ("GET", format!("/api/v1/officer/requests/{id}")),
        ("GET", "/api/v1/officer/requests/abc".into()),
        ("POST", format!("/api/v1/officer/requests/{id}/route")),
        ("POST", format!("/api/v1/officer/requests/{id}/extend")),
        ("POST", format!("/api/v1/officer/requests/{id}/answer")),
        ("POST", format!("/api/v1/officer/requests/{id}/documents")),
        ("POST", format!("/api/v1/officer/requests/{id}/fee")),
        ("POST", format!("/api/v1/officer/requests/{id}/deliver")),
        ("GET", format!("/api/v1/officer/documents/{doc}")),
        ("GET", "/api/v1/officer/objections?all=1".into()),
        ("POST", format!("/api/v1/officer/objections/{oid}/start_review")),
        ("POST", format!("/api/v1/officer/objections/{oid}/file_dispute")),
        ("POST", format!("/api/v1/officer/objections/{oid}/xyz")),
        ("GET", "/api/v1/officer/officers".into()),
        ("POST", "/api/v1/officer/officers".into()),
        ("POST", format!("/api/v1/officer/officers/{officer}/active")),
        ("GET", "/api/v1/officer/calendar?year=abc".into()),
        ("POST", "/api/v1/officer/calendar".into()),
        ("DELETE", "/api/v1/officer/calendar".into()),
        ("GET", "/api/v1/tidak-ada".into()),
    ]
    .into_iter()
    .map(|(m, p)| (Method::from_bytes(m.as_bytes()).unwrap(), p))
    .collect();

    // Bodies: none at all, an empty form, garbage as a form, garbage as JSON, broken multipart.
    let bodies: Vec<(Option<&str>, Vec<u8>)> = vec![
        (None, vec![]),
        (Some("application/x-www-form-urlencoded"), vec![]),
        (Some("application/x-www-form-urlencoded"), b"\xff\xfe=%%%&&==&csrf_token=\x00".to_vec()),
        (Some("application/json"), b"{\"unit\": [1e400, {}], ".to_vec()),
        (Some("application/json"), b"{}".to_vec()),
        (Some("multipart/form-data; boundary=zz"), b"--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx".to_vec()),
        (Some("text/plain"), b"garbage \x00\x01\x02".to_vec()),
    ];

    let mut page_clients = vec![("anonymous", t.client()), ("utama", t.officer_client("utama").await), ("admin", t.officer_client("admin").await)];
    let mut api_clients = vec![("anonymous", t.client()), ("utama", api_client(&t, "utama").await), ("admin", api_client(&t, "admin").await)];
    let mut checked = 0;
    let mut failures = Vec::new();
    for (routes, clients, is_api) in [(&pages, &mut page_clients, false), (&api_routes, &mut api_clients, true)] {
        for (method, path) in routes.iter() {
            // Each route also with the other method, which it may not accept.
            let other = if *method == Method::GET { Method::POST } else { Method::GET };
            for m in [method.clone(), other] {
                for (who, c) in clients.iter_mut() {
                    for (ct, body) in &bodies {
                        if m == Method::GET && (ct.is_some() || !body.is_empty()) {
                            continue;
                        }
                        // Forms get a real CSRF token half of the time, so handlers run past it.
                        let mut body = body.clone();
                        if !is_api && ct == &Some("application/x-www-form-urlencoded") && body.is_empty() {
                            body = format!("csrf_token={}", c.csrf().await).into_bytes();
                        }
                        let r = raw(c, m.clone(), path, *ct, body, &[]).await;
                        checked += 1;
                        let what = format!("{m} {path} as {who} with {ct:?}");
                        if let Some(problem) = unreadable(&r, is_api) {
                            failures.push(format!("{what}: {problem}"));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} responses were not readable:\n{}", failures.len(), failures.join("\n"));
    assert!(checked > 1000, "{checked}");
    // Nothing the sweep sent corrupted the audit chain.
    t.app.verify_audit().await.unwrap().expect("the audit chain verifies");
}

/// Why a response would leave a person without an answer, if it would.
fn unreadable(r: &Resp, is_api: bool) -> Option<String> {
    if r.status.is_server_error() {
        return Some(format!("server error {}", r.status));
    }
    if r.status.is_redirection() {
        return r.location().is_empty().then(|| "redirect without Location".into());
    }
    if r.status.is_success() {
        return None;
    }
    if is_api {
        let v: Value = match serde_json::from_slice(&r.bytes) {
            Ok(v) => v,
            Err(_) => return Some(format!("{} is not JSON: {:?}", r.status, r.text())),
        };
        if v["error"]["message"].as_str().is_none_or(|m| m.trim().is_empty()) {
            return Some(format!("{} without error.message: {v}", r.status));
        }
    } else {
        let body = r.text();
        if !visible_message(&body) {
            return Some(format!("{} without a visible message: {:?}", r.status, body.chars().take(200).collect::<String>()));
        }
        if body.contains(INTERNAL) {
            return Some(format!("{} shows the internal error page", r.status));
        }
    }
    None
}

/// PostgreSQL refuses a NUL byte in text (SQLite stores it), so this runs on PostgreSQL: every
/// door a NUL could take to a query answers a clear 4xx or ignores it, never a 500.
#[tokio::test]
async fn nul_bytes_never_reach_postgres() {
    let t = TestApp::postgres().await;
    let (id, token) = routed(&t, "Data kasus demam berdarah 2025").await;
    let mut anon = t.client();
    let mut admin = t.officer_client("admin").await;
    let mut dinkes = t.officer_client("dinkes").await;
    let mut api_utama = api_client(&t, "utama").await;
    let mut api_admin = api_client(&t, "admin").await;
    let before = (counts(&t).await, request_state(&t, id).await);

    // Signing in with a NUL in the name is a failed sign-in.
    let r = anon.post_form("/masuk", &[("username", "ad\u{0}min".into()), ("password", PASSWORD.into())]).await;
    page(&r, r.status, &[msg(ID, "err.login_failed")], "page sign-in with NUL");
    assert!(r.status.is_client_error());
    let r = anon.json(Method::POST, "/api/v1/session", json!({"username": "ad\u{0}min", "password": PASSWORD})).await;
    api(&r, StatusCode::UNAUTHORIZED, "err.login_failed", &[], "API sign-in with NUL");
    // Searches ignore it.
    for path in ["/register?q=%00", "/register?q=demam%00&status=%00&unit=%00&year=%00", "/statistik?year=%00", "/api/v1/requests?q=%00"] {
        assert_eq!(anon.get(path).await.status, StatusCode::OK, "{path}");
    }
    let r = dinkes.get("/konsol?q=%00demam").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains(&format!("href=\"/konsol/permohonan/{id}\"")), "the search still finds the request");
    assert_eq!(api_utama.get("/api/v1/officer/inbox?q=%00").await.status, StatusCode::OK);
    // Free text is refused with a message at the field.
    let r = admin
        .post_form(
            "/konsol/kalender",
            &[("date", "2031-06-02".into()), ("kind", "holiday".into()), ("name", "Libur uji".into()), ("name_en", "Test\u{0}".into())],
        )
        .await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.control_chars")], "calendar name_en with NUL");
    let r = api_admin
        .json(Method::POST, "/api/v1/officer/calendar", json!({"date": "2031-06-03", "kind": "holiday", "name": "Libur uji", "name_en": "T\u{0}st"}))
        .await;
    api(&r, StatusCode::UNPROCESSABLE_ENTITY, "err.invalid", &[("name_en", "err.control_chars")], "API calendar name_en with NUL");
    let r = anon
        .post_form(
            "/permohonan",
            &with(&[("name", "Siti\u{0}"), ("email", "s\u{0}@x.id"), ("phone", "0812\u{0}34567"), ("obtain", "view\u{0}"), ("requester_kind", "\u{0}")]),
        )
        .await;
    page(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg(ID, "err.control_chars"), msg(ID, "err.email_format"), msg(ID, "err.phone_format")],
        "request form with NUL",
    );
    let r = anon.post_form(&format!("/lacak/{token}/keberatan"), &[("grounds", "a".into()), ("summary", "Tidak dijawab\u{0} sama sekali.".into())]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.control_chars")], "keberatan with NUL");
    let r = dinkes.post_form(&format!("/konsol/permohonan/{id}/extend"), &[("reason", "Dokumen\u{0} berada di arsip.".into())]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(ID, "err.control_chars")], "extension with NUL");
    assert_eq!((counts(&t).await, request_state(&t, id).await), before, "nothing was saved");
}
