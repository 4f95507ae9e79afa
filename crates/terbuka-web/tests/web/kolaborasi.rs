//! Kolaborasi over HTTP: the whole flow through the forms (register an organisation, verify it in
//! the console, post a need, pledge, deliver with proof, confirm), then every public page,
//! download and API answer is searched for the private markers; the console as a role matrix;
//! and hostile input on every route never gives a 5xx.

use crate::util::*;
use axum::http::{Method, StatusCode};
use terbuka_domain::validate::RawOfficer;
use terbuka_domain::Role;

const ORG_CONTACT: &str = "Kontakunikzq Pengurus";
const ORG_CONTACT_EMAIL: &str = "kontakunikzq@example.org";
const DONOR_NAME: &str = "Donaturunikzq Rahasia";
const DONOR_EMAIL: &str = "donaturunikzq@example.org";
const DONOR_PHONE: &str = "081377755511";
const DISPUTE: &str = "Sanggahunikzq kiriman kurang";
const PROOF_MARK: &[u8] = b"Buktiunikzq";
const SECRETS: &[&str] = &[ORG_CONTACT, ORG_CONTACT_EMAIL, DONOR_NAME, DONOR_EMAIL, DONOR_PHONE, DISPUTE, "Buktiunikzq", "Buktiunikzq.png"];

/// A tiny valid PNG with a marker in a text chunk (not a real image viewer's concern).
fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(PROOF_MARK);
    v
}

fn assert_clean(where_: &str, body: &str) {
    for s in SECRETS {
        assert!(!body.contains(s), "{where_} leaks {s:?}");
    }
}

async fn add_sosial(t: &TestApp) {
    let raw = RawOfficer {
        username: Some("sosial".into()),
        display_name: Some("Petugas Sosial".into()),
        email: Some("sosial@ppid.example.go.id".into()),
        role: Some(Role::PetugasSosial.as_str().into()),
        unit: None,
        password: Some(PASSWORD.into()),
    };
    t.app.add_officer(None, &raw, chrono::Utc::now()).await.unwrap();
}

fn link_token(html: &str, prefix: &str) -> String {
    let i = html.find(prefix).unwrap_or_else(|| panic!("page has a {prefix} link: {html}")) + prefix.len();
    html[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// Registers and verifies an organisation, posts one need; returns (org token, need id).
async fn org_with_need(t: &TestApp, quantity: i64) -> (String, i64) {
    let mut public = t.client();
    let r = public
        .post_form(
            "/kolaborasi/organisasi/daftar",
            &[
                ("name", "Karang Taruna RW 05 Cideng".into()),
                ("kind", "komunitas".into()),
                ("region", "31.71.01.1002".into()),
                ("public_phone", "021-555-0101".into()),
                ("contact_name", ORG_CONTACT.into()),
                ("contact_email", ORG_CONTACT_EMAIL.into()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let org_token = link_token(&r.text(), "/kolaborasi/org/");
    // Not yet verified: the need form is not offered and posting is refused.
    let r = public.get(&format!("/kolaborasi/org/{org_token}")).await;
    assert!(!r.text().contains("/kebutuhan\" method") && !r.text().contains("name=\"quantity\""));
    let orgs = t.app.store.list_orgs(&[]).await.unwrap();
    let org_id = orgs[0].id;
    let mut sosial = t.officer_client("sosial").await;
    let page = sosial.get(&format!("/konsol/kolaborasi/organisasi/{org_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(ORG_CONTACT), "the verifying officer sees the contact person");
    let r = sosial.post_form(&format!("/konsol/kolaborasi/organisasi/{org_id}/putuskan"), &[("event", "verify".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let until = (chrono::Utc::now() + chrono::Duration::days(20)).format("%Y-%m-%d").to_string();
    let r = public
        .post_form(
            &format!("/kolaborasi/org/{org_token}/kebutuhan"),
            &[
                ("title", "Paket sembako untuk warga isolasi mandiri".into()),
                ("item_type", "sembako".into()),
                ("quantity", quantity.to_string()),
                ("region", "31.71.01.1002".into()),
                ("rw", "5".into()),
                ("households", "40".into()),
                ("until", until),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    (org_token, id)
}

#[tokio::test]
async fn whole_flow_over_http_leaks_no_personal_data() {
    let t = TestApp::sqlite().await;
    add_sosial(&t).await;
    let (org_token, need) = org_with_need(&t, 50).await;
    let mut public = t.client();

    // Over-pledge: refused with the reason, nothing saved.
    let r = public
        .post_form(&format!("/kolaborasi/kebutuhan/{need}/janji"), &[("quantity", "51".into()), ("name", DONOR_NAME.into()), ("email", DONOR_EMAIL.into())])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("melebihi"), "the citizen is told why");
    assert!(t.app.store.pledges_of(need).await.unwrap().is_empty());
    // Bad input: every problem named, the typed values kept.
    let r = public
        .post_form(&format!("/kolaborasi/kebutuhan/{need}/janji"), &[("quantity", "lima".into()), ("name", "".into()), ("email", "bukan-email".into())])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("bukan-email") && r.text().contains("Tuliskan jumlah dengan angka"));

    // An anonymous pledge with private contact, and a named one.
    let r = public
        .post_form(
            &format!("/kolaborasi/kebutuhan/{need}/janji"),
            &[("quantity", "30".into()), ("name", DONOR_NAME.into()), ("email", DONOR_EMAIL.into()), ("phone", DONOR_PHONE.into())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let pledge_token = link_token(&r.text(), "/kolaborasi/janji/");
    let r = t
        .client()
        .post_form(
            &format!("/kolaborasi/kebutuhan/{need}/janji"),
            &[
                ("quantity", "20".into()),
                ("name", "Pemilik Toko".into()),
                ("phone", "081200000001".into()),
                ("show_name", "1".into()),
                ("public_name", "Toko Sumber Rejeki".into()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // The pledger records a delivery with a proof; the organisation confirms it.
    let r = public.get(&format!("/kolaborasi/janji/{pledge_token}")).await;
    assert!(r.text().contains(DONOR_NAME), "the pledger sees their own details on the private page");
    let r =
        public.post_multipart(&format!("/kolaborasi/janji/{pledge_token}/kirim"), &[("quantity", "30".into())], &[("proof", "Buktiunikzq.png", &png())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let deliveries = t.app.store.deliveries_of(need).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    let d = deliveries[0].id;
    let r = public.get(&format!("/kolaborasi/org/{org_token}/bukti/{d}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.bytes, png(), "the organisation gets the proof back");
    let r = public
        .post_form(&format!("/kolaborasi/org/{org_token}/kebutuhan/{need}/pengiriman/{d}"), &[("action", "dispute".into()), ("reason", DISPUTE.into())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut sosial = t.officer_client("sosial").await;
    let r = sosial.get(&format!("/konsol/kolaborasi/kebutuhan/{need}")).await;
    assert!(r.text().contains(DISPUTE), "the moderator reads the dispute");
    let r = sosial
        .post_form(
            &format!("/konsol/kolaborasi/pengiriman/{d}/putuskan"),
            &[("decision", "accept".into()), ("note", "Diperiksa di lokasi: paket lengkap diterima.".into())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    // Every public page, download and API answer.
    let mut anon = t.client();
    let paths = [
        "/kolaborasi".to_string(),
        "/kolaborasi?status=semua".into(),
        "/kolaborasi?kelurahan=cideng".into(),
        format!("/kolaborasi/kebutuhan/{need}"),
        "/kolaborasi/kebutuhan.csv".into(),
        "/kolaborasi/kebutuhan.json".into(),
        "/kolaborasi/ledger".into(),
        "/kolaborasi/ledger.json".into(),
        "/kolaborasi/ledger.csv?by=kelurahan".into(),
        "/kolaborasi/ledger.csv?by=donatur".into(),
        "/kolaborasi/ledger.csv?by=jenis".into(),
        "/api/v1/kolaborasi/needs".into(),
        format!("/api/v1/kolaborasi/needs/{need}"),
        "/api/v1/kolaborasi/ledger".into(),
        "/api/v1/kolaborasi/item-types".into(),
    ];
    for p in &paths {
        let r = anon.get(p).await;
        assert_eq!(r.status, StatusCode::OK, "{p}");
        assert_clean(p, &r.text());
    }
    let page = anon.get(&format!("/kolaborasi/kebutuhan/{need}")).await.text();
    assert!(page.contains("Toko Sumber Rejeki"), "an opted-in name is public");
    assert!(page.contains("Terverifikasi"), "the verified badge is shown");
    assert!(anon.get("/kolaborasi").await.text().contains("Terverifikasi"), "the list shows the badge on each need too");
    let api = anon.get(&format!("/api/v1/kolaborasi/needs/{need}")).await.json();
    assert_eq!(api["need"]["pledged"], 50);
    assert_eq!(api["need"]["confirmed"], 30);
    assert_eq!(api["deliveries"][0]["state"], "confirmed");
    assert!(api["deliveries"][0]["proof_sha256"].as_str().unwrap().len() == 64);
    // Open data is readable from other sites' scripts (GET only).
    let req =
        axum::http::Request::builder().uri("/api/v1/kolaborasi/needs").header("Origin", "https://data.example.org").body(axum::body::Body::empty()).unwrap();
    let r = anon.send(req).await;
    assert_eq!(r.headers.get("access-control-allow-origin").map(|v| v.to_str().unwrap()), Some("*"));
    let ledger = anon.get("/kolaborasi/ledger.csv?by=donatur").await.text();
    assert!(ledger.contains("Toko Sumber Rejeki"));
    // The audit log and the public history hold no personal data either.
    for e in t.app.store.audit_entries().await.unwrap() {
        assert_clean("audit log", &format!("{} {} {} {}", e.actor, e.action, e.subject, e.detail));
    }
    // Nor does the database file in clear (sealed contact data, hashes only).
    let path = t.store.url.trim_start_matches("sqlite://").to_string();
    let mut db = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        db.extend(wal);
    }
    let db = String::from_utf8_lossy(&db);
    for s in [ORG_CONTACT, ORG_CONTACT_EMAIL, DONOR_NAME, DONOR_EMAIL, DONOR_PHONE] {
        assert!(!db.contains(s), "database file holds {s:?} in clear");
    }
}

#[tokio::test]
async fn console_role_matrix() {
    let t = TestApp::sqlite().await;
    add_sosial(&t).await;
    let (_, need) = org_with_need(&t, 10).await;
    let org_id = t.app.store.list_orgs(&[]).await.unwrap()[0].id;
    // (username, may moderate/verify, may handle beneficiaries)
    let roles = [("admin", false, false), ("utama", true, false), ("dinkes", false, false), ("atasan", false, false), ("sosial", true, true)];
    let list = "nik,no_kk\n3171014506900001,3171010101090001\n";
    for (user, moderate, beneficiaries) in roles {
        let mut c = t.officer_client(user).await;
        let expect = |ok: bool| if ok { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(c.get("/konsol/kolaborasi").await.status, expect(moderate), "{user} queue");
        assert_eq!(c.get(&format!("/konsol/kolaborasi/organisasi/{org_id}")).await.status, expect(moderate), "{user} org");
        assert_eq!(c.get(&format!("/konsol/kolaborasi/kebutuhan/{need}")).await.status, expect(moderate || beneficiaries), "{user} need");
        let r =
            c.post_form(&format!("/konsol/kolaborasi/kebutuhan/{need}/moderasi"), &[("action", "dismiss".into()), ("note", "Tidak ada masalah.".into())]).await;
        assert_eq!(r.status, if moderate { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN }, "{user} moderate");
        let r = c.post_multipart(&format!("/konsol/kolaborasi/kebutuhan/{need}/penerima"), &[], &[("file", "penerima.csv", list.as_bytes())]).await;
        assert_eq!(r.status, if beneficiaries { StatusCode::OK } else { StatusCode::FORBIDDEN }, "{user} beneficiaries: {}", r.text());
        let r = c
            .post_form(
                "/konsol/kolaborasi/katalog",
                &[
                    ("code", format!("uji_{user}")),
                    ("name_id", "Uji".into()),
                    ("name_en", "Test".into()),
                    ("unit_id", "buah".into()),
                    ("unit_en", "pieces".into()),
                ],
            )
            .await;
        assert_eq!(r.status, if moderate { StatusCode::SEE_OTHER } else { StatusCode::FORBIDDEN }, "{user} catalogue");
    }
    // Signed out: the console sends to the sign-in page, never shows data.
    let r = t.client().get("/konsol/kolaborasi").await;
    assert!(r.status == StatusCode::UNAUTHORIZED || r.status == StatusCode::SEE_OTHER, "{}", r.status);
    // The beneficiary list was stored as hashes only.
    let meta = t.app.store.beneficiary_list(need).await.unwrap().expect("list saved");
    assert_eq!(meta.rows, 1);
}

#[tokio::test]
async fn hostile_input_never_gives_5xx() {
    let t = TestApp::sqlite().await;
    add_sosial(&t).await;
    let (org_token, need) = org_with_need(&t, 10).await;
    let mut c = t.client();
    let gets = [
        "/kolaborasi?wilayah=%00&jenis=%27;DROP&status=zzz&page=-1".to_string(),
        "/kolaborasi?page=99999999999999999999".into(),
        "/kolaborasi/kebutuhan/abc".into(),
        "/kolaborasi/kebutuhan/99999999999999999999".into(),
        "/kolaborasi/kebutuhan/-1".into(),
        "/kolaborasi/kebutuhan.csv?wilayah=99".into(),
        "/kolaborasi/ledger.csv?by=%3Cscript%3E".into(),
        "/kolaborasi/janji/nope".into(),
        "/kolaborasi/org/nope".into(),
        format!("/kolaborasi/org/{org_token}/bukti/999999"),
        "/api/v1/kolaborasi/needs?state=zzz".into(),
        "/api/v1/kolaborasi/needs?per_page=1000".into(),
        "/api/v1/kolaborasi/needs?region=3x".into(),
        "/api/v1/kolaborasi/needs/abc".into(),
        "/api/v1/kolaborasi/needs/0".into(),
    ];
    for p in &gets {
        let r = c.get(p).await;
        assert!(!r.status.is_server_error(), "{p} → {}", r.status);
        // Pages ignore filters that do not parse (and say nothing); everything else is a 4xx.
        let lenient_page = p.starts_with("/kolaborasi?");
        assert!(lenient_page && r.status == StatusCode::OK || r.status.is_client_error(), "{p} → {}", r.status);
    }
    let r = c.get("/api/v1/kolaborasi/needs?region=99.99").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("region"), "the API names the bad parameter");
    // Forms without CSRF are refused and save nothing.
    let r =
        c.post_form_raw(&format!("/kolaborasi/kebutuhan/{need}/janji"), &[("quantity", "1".into()), ("name", "A B".into()), ("email", "a@b.co".into())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Garbage forms on every route: 4xx with a message, nothing half-saved.
    let garbage: Vec<(&str, String)> = vec![
        ("quantity", "\u{0}".into()),
        ("name", "x".repeat(5000)),
        ("until", "2026-13-45".into()),
        ("region", "'; --".into()),
        ("reason", "".into()),
        ("action", "explode".into()),
    ];
    let posts = [
        format!("/kolaborasi/kebutuhan/{need}/janji"),
        format!("/kolaborasi/kebutuhan/{need}/laporkan"),
        "/kolaborasi/organisasi/daftar".into(),
        format!("/kolaborasi/org/{org_token}/kebutuhan"),
        format!("/kolaborasi/org/{org_token}/kebutuhan/{need}/batal"),
        format!("/kolaborasi/org/{org_token}/kebutuhan/{need}/pengiriman/1"),
        "/kolaborasi/janji/nope/kirim".into(),
        "/kolaborasi/janji/nope/batal".into(),
        "/kolaborasi/kebutuhan/abc/janji".into(),
    ];
    for p in &posts {
        let r = c.post_form(p, &garbage).await;
        assert!(r.status.is_client_error(), "{p} → {} {}", r.status, r.text());
    }
    assert_eq!(t.app.store.pledges_of(need).await.unwrap().len(), 0);
    assert_eq!(t.app.store.list_reports(false).await.unwrap().len(), 0);
    assert_eq!(t.app.store.list_orgs(&[]).await.unwrap().len(), 1);
    assert_eq!(t.app.store.list_needs(&Default::default()).await.unwrap().total, 1);
    // JSON API: wrong shapes are 4xx.
    for body in [serde_json::json!([]), serde_json::json!({"quantity": {"x": 1}}), serde_json::json!({"quantity": "1", "name": "A B"})] {
        let r = c.json(Method::POST, &format!("/api/v1/kolaborasi/needs/{need}/pledges"), body.clone()).await;
        assert!(r.status.is_client_error(), "{body} → {}", r.status);
    }
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/kolaborasi/needs/{need}/pledges"),
            serde_json::json!({"quantity": "2", "name": "Ani Lestari", "email": "ani@example.org"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(r.json()["private_link"].as_str().unwrap().contains("/kolaborasi/janji/"));
    // Officer console routes with bad ids or bad choices.
    let mut sosial = t.officer_client("sosial").await;
    for p in ["/konsol/kolaborasi/organisasi/abc", "/konsol/kolaborasi/kebutuhan/999999", "/konsol/kolaborasi/bukti/999999"] {
        let r = sosial.get(p).await;
        assert!(r.status.is_client_error(), "{p} → {}", r.status);
    }
    for (p, f) in [
        (format!("/konsol/kolaborasi/kebutuhan/{need}/moderasi"), vec![("action", "take_down".to_string()), ("note", "x".to_string())]),
        ("/konsol/kolaborasi/pengiriman/999999/putuskan".into(), vec![("decision", "accept".to_string()), ("note", "Catatan yang cukup panjang".to_string())]),
        ("/konsol/kolaborasi/pengiriman/1/putuskan".into(), vec![("decision", "maybe".to_string())]),
        ("/konsol/kolaborasi/organisasi/1/putuskan".into(), vec![("event", "reject".to_string()), ("note", "".to_string())]),
        ("/konsol/kolaborasi/katalog".into(), vec![("code", "BAD CODE!".to_string())]),
    ] {
        let r = sosial.post_form(&p, &f).await;
        assert!(r.status.is_client_error(), "{p} → {} {}", r.status, r.text());
    }
    let r = sosial.post_multipart(&format!("/konsol/kolaborasi/kebutuhan/{need}/penerima"), &[], &[("file", "x.pdf", b"%PDF-1.4 nope")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = sosial.post_multipart(&format!("/konsol/kolaborasi/kebutuhan/{need}/penerima"), &[], &[("file", "x.csv", b"nik,no_kk\n123,456\n")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("NIK harus 16 angka"), "row problems are listed");
    assert!(t.app.store.beneficiary_list(need).await.unwrap().is_none(), "a refused list stores nothing");
}
