//! No personal data on any public page, in the public API, in the logs, in the audit log, or in
//! the database file in clear: a request is seeded with unique markers in every personal field,
//! taken through its whole life, and then every public route is fetched and searched.

use crate::util::*;
use axum::http::StatusCode;
use chrono::Utc;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use terbuka_app::service::Upload;
use terbuka_domain::objection::ObjectionEvent;
use terbuka_domain::validate::{RawNotice, RawObjection, RawRequest};

const NAME: &str = "Namaunikzq Penanda";
const NIK: &str = "3171015507880123";
const ADDRESS: &str = "Jalan Alamatunikzq 77";
const PHONE: &str = "081299887766";
const EMAIL: &str = "emailunikzq@example.com";
const OCCUPATION: &str = "Pekerjaanunikzq";
const PROXY: &str = "Kuasaunikzq Wakil";
const PROXY_LETTER: &str = "SKunikzq-01";
const PURPOSE: &str = "Tujuanunikzq rahasia";
const DETAILS: &str = "Rincianunikzq data yang diminta";
const SCAN: &str = "Pindaianunikzq";
const SUMMARY: &str = "Kasusunikzq posisi keberatan";

/// Everything that must never be public.
const SECRETS: &[&str] = &[
    NAME,
    NIK,
    ADDRESS,
    PHONE,
    EMAIL,
    OCCUPATION,
    PROXY,
    PROXY_LETTER,
    PURPOSE,
    DETAILS,
    SCAN,
    SUMMARY,
    "Namaunikzq",
    "Alamatunikzq",
    "emailunikzq",
    "Tujuanunikzq",
    "Rincianunikzq",
    "Kasusunikzq",
];
/// What must not even be stored in clear (UU PDP: the identity and its scan).
const SEALED: &[&str] = &[NAME, NIK, ADDRESS, PHONE, EMAIL, PROXY, PROXY_LETTER, SCAN, "Namaunikzq", "emailunikzq"];

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures every log line of this test binary, at debug level.
fn logs() -> &'static LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = LogBuffer::default();
        let writer = buf.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .try_init();
        buf
    })
}

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{what} leaks {s:?}");
    }
}

#[tokio::test]
async fn personal_data_never_leaves_through_a_public_door() {
    let logs = logs();
    let t = TestApp::sqlite().await;
    let now = Utc::now();
    let raw = RawRequest {
        requester_kind: Some("group".into()),
        name: Some(NAME.into()),
        id_number: Some(NIK.into()),
        address: Some(ADDRESS.into()),
        phone: Some(PHONE.into()),
        email: Some(EMAIL.into()),
        occupation: Some(OCCUPATION.into()),
        via_proxy: Some("on".into()),
        proxy_name: Some(PROXY.into()),
        proxy_letter: Some(PROXY_LETTER.into()),
        subject: Some("Anggaran normalisasi kali 2026".into()),
        details: Some(DETAILS.into()),
        purpose: Some(PURPOSE.into()),
        obtain: Some("soft_copy".into()),
        delivery: Some("email".into()),
        display_name: Some("Warga Peduli Kali".into()),
        ..Default::default()
    };
    let mut scan = b"\x89PNG\r\n\x1a\n".to_vec();
    scan.extend_from_slice(SCAN.as_bytes());
    let sub = t.app.submit_request(&raw, Some(Upload { filename: "ktp.png".into(), content_type: "image/png".into(), data: scan }), now).await.unwrap();
    let id = sub.request.id;
    let reg_no = sub.request.reg_no.clone();
    let o = t.org;
    t.app.route(&o.utama, id, o.social, now).await.unwrap();
    let notice = RawNotice { outcome: Some("granted_full".into()), text: Some("Informasi terlampir dalam berkas CSV.".into()), ..Default::default() };
    let released = Upload { filename: "anggaran.csv".into(), content_type: "text/csv".into(), data: b"kecamatan,anggaran\nPenjaringan,1000000\n".to_vec() };
    t.app.answer(&o.social_officer, id, &notice, vec![(released, true)], now).await.unwrap();
    t.app.deliver(&o.social_officer, id, now).await.unwrap();
    t.app.file_objection(&sub.token, &RawObjection { grounds: Some("d".into()), summary: Some(SUMMARY.into()) }, now).await.unwrap();
    let objection = t.app.store.objections_of(id).await.unwrap().remove(0);
    t.app
        .objection_step(
            &o.atasan,
            objection.id,
            ObjectionEvent::Reject { reasons: "Informasi telah diberikan sesuai permohonan.".into() },
            Some("Informasi telah diberikan sesuai permohonan.".into()),
            now,
        )
        .await
        .unwrap();

    let docs = t.app.store.documents(id).await.unwrap();
    let scan_id = docs.iter().find(|d| d.kind.as_str() == "identity_scan").unwrap().id;
    let released_id = docs.iter().find(|d| d.kind.as_str() == "released").unwrap().id;

    // Every public route, pages and API, in both languages.
    let mut anon = t.client();
    let routes = [
        "/".to_string(),
        "/permohonan".into(),
        "/lacak".into(),
        "/register".into(),
        "/register?q=normalisasi".into(),
        "/register?status=closed".into(),
        format!("/register/{reg_no}"),
        "/statistik".into(),
        "/statistik?year=2026".into(),
        "/audit".into(),
        "/privasi".into(),
        "/masuk".into(),
        format!("/dokumen/{released_id}"),
        "/api/v1".into(),
        "/api/v1/requests".into(),
        "/api/v1/requests?q=normalisasi".into(),
        format!("/api/v1/requests/{reg_no}"),
        "/api/v1/stats".into(),
        "/api/v1/units".into(),
        "/api/v1/audit/head".into(),
        format!("/api/v1/documents/{released_id}"),
    ];
    let mut seen_reg_no = 0;
    for lang in ["", "lang=en"] {
        for route in &routes {
            let path = if lang.is_empty() {
                route.clone()
            } else if route.contains('?') {
                format!("{route}&{lang}")
            } else {
                format!("{route}?{lang}")
            };
            let r = anon.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
            let body = r.text();
            assert_clean(&path, &body, SECRETS);
            seen_reg_no += body.contains(&reg_no) as usize;
        }
    }
    assert!(seen_reg_no >= 8, "the request itself is public ({seen_reg_no} pages show it)");
    assert!(anon.get(&format!("/register/{reg_no}")).await.text().contains("Warga Peduli Kali"), "the chosen display name is public");

    // The identity scan is never downloadable publicly.
    assert_eq!(anon.get(&format!("/dokumen/{scan_id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(anon.get(&format!("/api/v1/documents/{scan_id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(anon.get(&format!("/lacak/{}/dokumen/{scan_id}", sub.token)).await.status, StatusCode::NOT_FOUND);

    // The private tracking page and API show the case, not the identity.
    let identity = [NAME, NIK, ADDRESS, PHONE, EMAIL, OCCUPATION, PROXY, PROXY_LETTER, PURPOSE, SCAN];
    let page = anon.get(&format!("/lacak/{}", sub.token)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_clean("tracking page", &page.text(), &identity);
    let api = anon.get(&format!("/api/v1/tracking/{}", sub.token)).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    assert_clean("tracking API", &api.text(), &identity);

    // The audit log carries no personal data.
    for e in t.app.store.audit_entries().await.unwrap() {
        assert_clean("audit log", &format!("{} {} {} {}", e.actor, e.action, e.subject, e.detail), SECRETS);
    }
    // Nor do the logs.
    let captured = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(captured.contains(&reg_no), "logging is on and names the request");
    assert_clean("logs", &captured, SECRETS);

    // At rest: the identity and the scan are sealed in the database file.
    let db = t.store.url.trim_start_matches("sqlite://").to_string();
    let mut bytes = std::fs::read(&db).unwrap();
    if let Ok(wal) = std::fs::read(format!("{db}-wal")) {
        bytes.extend(wal);
    }
    let at_rest = String::from_utf8_lossy(&bytes);
    assert!(at_rest.contains("Anggaran normalisasi kali"), "the file was read (public subject is in clear)");
    assert_clean("database file", &at_rest, SEALED);
}
