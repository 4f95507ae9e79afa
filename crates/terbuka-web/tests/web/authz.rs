//! The authorization matrix, proven over HTTP: every role × action × own/other unit, through both
//! doors — the console pages (cookie session + CSRF token) and the JSON API (bearer token from
//! `POST /api/v1/session`).
//!
//! The expectations are written out by hand from `terbuka_domain::authz::can`:
//!
//! - Admin: manages officers and the calendar; never sees a request.
//! - PPID Utama: sees, routes and handles every unit's requests and records dispute steps; never
//!   decides a keberatan, never manages officers or the calendar.
//! - PPID Pelaksana: sees and handles only its own unit's requests ("own" is dinkes, the unit the
//!   request is routed to; "other" is dinsos); never routes a web request, never decides.
//! - Atasan PPID (body level): sees every request and the requester, decides keberatan and
//!   records dispute steps; never handles a request.
//! - Anonymous: pages send to the sign-in page (303 `/masuk`), the API answers 401.
//!
//! A refused action answers 403 (or 303/401) and changes nothing: the request's version, state
//! and unit, its documents and keberatan, the officers, the calendar, the outbox and the audit
//! head are compared before and after. Every cell gets its own fresh request, so an allowed
//! action in one cell can never make another cell pass or fail.

use crate::util::*;
use axum::http::{Method, StatusCode};
use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;
use terbuka_app::service::Upload;
use terbuka_domain::calendar::wib_date;
use terbuka_domain::objection::ObjectionEvent;
use terbuka_domain::validate::{RawNotice, RawObjection, RawRequest};

const NIK: &str = "3171014501900001";
const SCAN: &[u8] = b"\x89PNG\r\n\x1a\nisi-pindaian-ktp-uji-otorisasi";
const CSV: &[u8] = b"kecamatan,kasus\nMenteng,12\n";

/// Who knocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Who {
    Anon,
    Admin,
    Utama,
    /// PPID Pelaksana of the request's unit (dinkes).
    Own,
    /// PPID Pelaksana of another unit (dinsos).
    Other,
    /// The body-level Atasan PPID.
    Atasan,
}

const EVERYONE: [Who; 6] = [Who::Anon, Who::Admin, Who::Utama, Who::Own, Who::Other, Who::Atasan];

impl Who {
    fn username(self) -> Option<&'static str> {
        match self {
            Who::Anon => None,
            Who::Admin => Some("admin"),
            Who::Utama => Some("utama"),
            Who::Own => Some("dinkes"),
            Who::Other => Some("dinsos"),
            Who::Atasan => Some("atasan"),
        }
    }
}

/// What is tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    /// The inbox lists the request.
    Inbox,
    /// The request's file opens.
    Detail,
    /// The requester's identity (the NIK) is shown.
    Identity,
    /// Route to another unit.
    Route,
    Extend,
    Answer,
    /// Attach a response document.
    Attach,
    Deliver,
    /// Atasan decision: start reviewing a keberatan.
    StartReview,
    /// Atasan decision: reject a keberatan with reasons.
    Reject,
    /// A recorded step of the dispute at the Komisi Informasi (`register_dispute`).
    DisputeStep,
    ListOfficers,
    AddOfficer,
    /// Add a day off to the working-day calendar.
    AddDayOff,
    /// Download the requester's identity scan.
    IdentityScan,
}

const ACTIONS: usize = 15;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Door {
    Page,
    Api,
}

/// What a cell must show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exp {
    /// Allowed: the action takes effect, or the read shows the request / the NIK / the file.
    Yes,
    /// The page answers 200 but the request is not in it (an inbox that is not theirs).
    Hidden,
    /// 403 and nothing changes.
    No,
    /// Not signed in: 303 to `/masuk` on pages, 401 on the API; nothing changes.
    SignIn,
}

use Act::*;
use Exp::*;
use Who::*;

/// The whole matrix, one cell per line: (action, who, expected). Each line is checked through
/// the pages and through the API.
#[rustfmt::skip]
const MATRIX: &[(Act, Who, Exp)] = &[
    (Inbox,        Anon,   SignIn),
    (Inbox,        Admin,  Hidden),
    (Inbox,        Utama,  Yes),
    (Inbox,        Own,    Yes),
    (Inbox,        Other,  Hidden),
    (Inbox,        Atasan, Yes),

    (Detail,       Anon,   SignIn),
    (Detail,       Admin,  No),
    (Detail,       Utama,  Yes),
    (Detail,       Own,    Yes),
    (Detail,       Other,  No),
    (Detail,       Atasan, Yes),

    (Identity,     Anon,   SignIn),
    (Identity,     Admin,  No),
    (Identity,     Utama,  Yes),
    (Identity,     Own,    Yes),
    (Identity,     Other,  No),
    (Identity,     Atasan, Yes),

    (Route,        Anon,   SignIn),
    (Route,        Admin,  No),
    (Route,        Utama,  Yes),
    (Route,        Own,    No),
    (Route,        Other,  No),
    (Route,        Atasan, No),

    (Extend,       Anon,   SignIn),
    (Extend,       Admin,  No),
    (Extend,       Utama,  Yes),
    (Extend,       Own,    Yes),
    (Extend,       Other,  No),
    (Extend,       Atasan, No),

    (Answer,       Anon,   SignIn),
    (Answer,       Admin,  No),
    (Answer,       Utama,  Yes),
    (Answer,       Own,    Yes),
    (Answer,       Other,  No),
    (Answer,       Atasan, No),

    (Attach,       Anon,   SignIn),
    (Attach,       Admin,  No),
    (Attach,       Utama,  Yes),
    (Attach,       Own,    Yes),
    (Attach,       Other,  No),
    (Attach,       Atasan, No),

    (Deliver,      Anon,   SignIn),
    (Deliver,      Admin,  No),
    (Deliver,      Utama,  Yes),
    (Deliver,      Own,    Yes),
    (Deliver,      Other,  No),
    (Deliver,      Atasan, No),

    (StartReview,  Anon,   SignIn),
    (StartReview,  Admin,  No),
    (StartReview,  Utama,  No),
    (StartReview,  Own,    No),
    (StartReview,  Other,  No),
    (StartReview,  Atasan, Yes),

    (Reject,       Anon,   SignIn),
    (Reject,       Admin,  No),
    (Reject,       Utama,  No),
    (Reject,       Own,    No),
    (Reject,       Other,  No),
    (Reject,       Atasan, Yes),

    (DisputeStep,  Anon,   SignIn),
    (DisputeStep,  Admin,  No),
    (DisputeStep,  Utama,  Yes),
    (DisputeStep,  Own,    No),
    (DisputeStep,  Other,  No),
    (DisputeStep,  Atasan, Yes),

    (ListOfficers, Anon,   SignIn),
    (ListOfficers, Admin,  Yes),
    (ListOfficers, Utama,  No),
    (ListOfficers, Own,    No),
    (ListOfficers, Other,  No),
    (ListOfficers, Atasan, No),

    (AddOfficer,   Anon,   SignIn),
    (AddOfficer,   Admin,  Yes),
    (AddOfficer,   Utama,  No),
    (AddOfficer,   Own,    No),
    (AddOfficer,   Other,  No),
    (AddOfficer,   Atasan, No),

    (AddDayOff,    Anon,   SignIn),
    (AddDayOff,    Admin,  Yes),
    (AddDayOff,    Utama,  No),
    (AddDayOff,    Own,    No),
    (AddDayOff,    Other,  No),
    (AddDayOff,    Atasan, No),

    (IdentityScan, Anon,   SignIn),
    (IdentityScan, Admin,  No),
    (IdentityScan, Utama,  Yes),
    (IdentityScan, Own,    Yes),
    (IdentityScan, Other,  No),
    (IdentityScan, Atasan, Yes),
];

impl Act {
    fn mutates(self) -> bool {
        !matches!(self, Inbox | Detail | Identity | ListOfficers | IdentityScan)
    }

    /// How far the fresh request of a cell has come before the action is tried.
    fn stage(self) -> Stage {
        match self {
            Deliver => Stage::Granted,
            StartReview | Reject => Stage::Objected,
            DisputeStep => Stage::Disputed,
            _ => Stage::Routed,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Stage {
    /// Submitted on the web with an identity scan and routed to the health office.
    Routed,
    /// ... and granted in full by the health office.
    Granted,
    /// ... and under a keberatan (registered).
    Objected,
    /// ... the keberatan rejected and taken to the Komisi Informasi (dispute filed).
    Disputed,
}

struct Fixture {
    id: i64,
    reg_no: String,
    scan: i64,
    objection: Option<i64>,
}

/// A fixed working-day morning in the past (Tuesday 4 February 2025, 09:00 WIB), for keberatan
/// steps whose dates must lie between the filing and today whatever day the tests run on.
fn past_morning() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-02-04T02:00:00Z").unwrap().with_timezone(&Utc)
}

async fn fixture(t: &TestApp, stage: Stage, n: usize) -> Fixture {
    let now = Utc::now();
    let raw = RawRequest {
        requester_kind: Some("individual".into()),
        name: Some("Siti Aminah".into()),
        id_number: Some(NIK.into()),
        address: Some("Jl. Kebon Sirih No. 1, Jakarta Pusat".into()),
        email: Some("siti@example.com".into()),
        subject: Some(format!("Data kasus demam berdarah sel {n}")),
        details: Some("Jumlah kasus DBD per kecamatan per bulan sepanjang 2025.".into()),
        purpose: Some("Penelitian kesehatan masyarakat".into()),
        obtain: Some("soft_copy".into()),
        delivery: Some("email".into()),
        ..Default::default()
    };
    let scan = Upload { filename: "ktp.png".into(), content_type: "image/png".into(), data: SCAN.to_vec() };
    let sub = t.app.submit_request(&raw, Some(scan), now).await.unwrap();
    let id = sub.request.id;
    let o = t.org;
    t.app.route(&o.utama, id, o.health, now).await.unwrap();
    let mut objection = None;
    match stage {
        Stage::Routed => {}
        Stage::Granted => {
            let notice = RawNotice { outcome: Some("granted_full".into()), text: Some("Informasi terlampir dalam berkas CSV.".into()), ..Default::default() };
            t.app.answer(&o.health_officer, id, &notice, vec![], now).await.unwrap();
        }
        Stage::Objected | Stage::Disputed => {
            let at = if matches!(stage, Stage::Disputed) { past_morning() } else { now };
            let raw = RawObjection { grounds: Some("c".into()), summary: Some("Permohonan saya tidak ditanggapi sama sekali.".into()) };
            t.app.file_objection(&sub.token, &raw, at).await.unwrap();
            let oid = t.app.store.objections_of(id).await.unwrap().remove(0).id;
            if matches!(stage, Stage::Disputed) {
                let reasons = "Permohonan telah dijawab dalam batas waktu yang sah.".to_string();
                t.app.objection_step(&o.atasan, oid, ObjectionEvent::Reject { reasons: reasons.clone() }, Some(reasons), at).await.unwrap();
                t.app.objection_step(&o.atasan, oid, ObjectionEvent::FileDispute { ki_received: wib_date(at) }, None, at).await.unwrap();
            }
            objection = Some(oid);
        }
    }
    let scan = t.app.store.documents(id).await.unwrap().iter().find(|d| d.kind.as_str() == "identity_scan").expect("the scan is stored").id;
    Fixture { id, reg_no: sub.request.reg_no, scan, objection }
}

/// Everything a refused action must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    audit: i64,
    request: (i64, String, Option<i64>),
    documents: usize,
    objections: Vec<(i64, i64, String)>,
    officers: usize,
    days_off: usize,
    outbox: i64,
}

async fn snapshot(t: &TestApp, id: i64) -> Snapshot {
    let s = &t.app.store;
    let r = s.request(id).await.unwrap().unwrap();
    Snapshot {
        audit: s.audit_head().await.unwrap().count,
        request: (r.version, r.clock.state.as_str().to_string(), r.clock.unit),
        documents: s.documents(id).await.unwrap().len(),
        objections: s.objections_of(id).await.unwrap().iter().map(|o| (o.id, o.version, o.clock.state.as_str().to_string())).collect(),
        officers: s.list_officers().await.unwrap().len(),
        days_off: s.list_days_off().await.unwrap().len(),
        outbox: s.outbox_counts().await.unwrap().0,
    }
}

/// One signed-in client per role for the door (anonymous: no session, no token).
async fn clients(t: &TestApp, door: Door) -> HashMap<Who, Client> {
    let mut out = HashMap::new();
    for who in EVERYONE {
        let mut c = t.client();
        if let Some(username) = who.username() {
            match door {
                Door::Page => c.login(username, PASSWORD).await,
                Door::Api => {
                    let r = c.json(Method::POST, "/api/v1/session", json!({"username": username, "password": PASSWORD})).await;
                    assert_eq!(r.status, StatusCode::CREATED, "API sign-in as {username}: {}", r.text());
                    c.bearer = Some(r.json()["token"].as_str().unwrap().to_string());
                }
            }
        }
        out.insert(who, c);
    }
    out
}

fn form(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// The day off an allowed cell adds (unique per cell, clear of the bundled calendar).
fn day_off(n: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2032, 3, 1).unwrap() + Duration::days(n as i64)
}

const EXTENSION: &str = "Dokumen berada di arsip kecamatan dan perlu dihimpun.";
const NOTICE: &str = "Informasi terlampir dalam berkas CSV.";
const REASONS: &str = "Data yang diminta memuat identitas pasien per alamat.";

/// Performs `act` on the fixture through `door`.
async fn perform(t: &TestApp, c: &mut Client, door: Door, act: Act, fx: &Fixture, n: usize) -> Resp {
    let id = fx.id;
    let oid = fx.objection.unwrap_or(0);
    let social = t.org.social.to_string();
    let health = t.org.health.to_string();
    let username = format!("baru{n}");
    let email = format!("baru{n}@ppid.example.go.id");
    let date = day_off(n).to_string();
    let day_name = format!("Libur uji {n}");
    match door {
        Door::Page => match act {
            Inbox => c.get(&format!("/konsol?q={}", fx.reg_no)).await,
            Detail | Identity => c.get(&format!("/konsol/permohonan/{id}")).await,
            Route => c.post_form(&format!("/konsol/permohonan/{id}/route"), &form(&[("unit", &social)])).await,
            Extend => c.post_form(&format!("/konsol/permohonan/{id}/extend"), &form(&[("reason", EXTENSION)])).await,
            Answer => c.post_multipart(&format!("/konsol/permohonan/{id}/answer"), &form(&[("outcome", "granted_full"), ("text", NOTICE)]), &[]).await,
            Attach => c.post_multipart(&format!("/konsol/permohonan/{id}/attach"), &[], &[("document", "dbd.csv", CSV)]).await,
            Deliver => c.post_form(&format!("/konsol/permohonan/{id}/deliver"), &[]).await,
            StartReview => c.post_form(&format!("/konsol/keberatan/{oid}/start_review"), &[]).await,
            Reject => c.post_form(&format!("/konsol/keberatan/{oid}/reject"), &form(&[("reasons", REASONS)])).await,
            DisputeStep => c.post_form(&format!("/konsol/keberatan/{oid}/register_dispute"), &[]).await,
            ListOfficers => c.get("/konsol/petugas").await,
            AddOfficer => {
                let fields = form(&[
                    ("username", &username),
                    ("display_name", "Petugas Baru"),
                    ("email", &email),
                    ("role", "ppid_pelaksana"),
                    ("unit", &health),
                    ("password", PASSWORD),
                ]);
                c.post_form("/konsol/petugas", &fields).await
            }
            AddDayOff => c.post_form("/konsol/kalender", &form(&[("date", &date), ("kind", "holiday"), ("name", &day_name)])).await,
            IdentityScan => c.get(&format!("/konsol/dokumen/{}", fx.scan)).await,
        },
        Door::Api => {
            let base = format!("/api/v1/officer/requests/{id}");
            let step = |s: &str| format!("/api/v1/officer/objections/{oid}/{s}");
            match act {
                Inbox => c.get(&format!("/api/v1/officer/inbox?q={}", fx.reg_no)).await,
                Detail | Identity => c.get(&base).await,
                Route => c.json(Method::POST, &format!("{base}/route"), json!({"unit": t.org.social})).await,
                Extend => c.json(Method::POST, &format!("{base}/extend"), json!({"reason": EXTENSION})).await,
                Answer => c.json(Method::POST, &format!("{base}/answer"), json!({"outcome": "granted_full", "text": NOTICE})).await,
                Attach => {
                    let doc = json!({"filename": "dbd.csv", "content_type": "text/csv", "data_base64": base64::engine::general_purpose::STANDARD.encode(CSV)});
                    c.json(Method::POST, &format!("{base}/documents"), json!({"documents": [doc]})).await
                }
                Deliver => c.json(Method::POST, &format!("{base}/deliver"), json!({})).await,
                StartReview => c.json(Method::POST, &step("start_review"), json!({})).await,
                Reject => c.json(Method::POST, &step("reject"), json!({"reasons": REASONS})).await,
                DisputeStep => c.json(Method::POST, &step("register_dispute"), json!({})).await,
                ListOfficers => c.get("/api/v1/officer/officers").await,
                AddOfficer => {
                    let body = json!({"username": username, "display_name": "Petugas Baru", "email": email, "role": "ppid_pelaksana", "unit": t.org.health, "password": PASSWORD});
                    c.json(Method::POST, "/api/v1/officer/officers", body).await
                }
                AddDayOff => c.json(Method::POST, "/api/v1/officer/calendar", json!({"date": date, "kind": "holiday", "name": day_name})).await,
                IdentityScan => c.get(&format!("/api/v1/officer/documents/{}", fx.scan)).await,
            }
        }
    }
}

fn api_code(r: &Resp) -> String {
    r.json()["error"]["code"].as_str().unwrap_or_default().to_string()
}

/// Checks one cell; returns a description of what went wrong, if anything.
#[allow(clippy::too_many_arguments)]
async fn check(t: &TestApp, door: Door, act: Act, who: Who, exp: Exp, r: &Resp, fx: &Fixture, before: &Snapshot, n: usize) -> Result<(), String> {
    let cell = format!("{act:?} × {who:?} via {door:?} (expected {exp:?})");
    let fail = |what: &str| Err(format!("{cell}: {what}; got {} {}", r.status, r.text().chars().take(300).collect::<String>()));
    let after = snapshot(t, fx.id).await;
    let body = r.text();
    if (exp != Yes || !act.mutates()) && after != *before {
        return Err(format!("{cell}: something changed: {before:?} → {after:?}"));
    }
    match exp {
        SignIn => {
            let ok = match door {
                Door::Page => r.status == StatusCode::SEE_OTHER && r.location() == "/masuk",
                Door::Api => r.status == StatusCode::UNAUTHORIZED && api_code(r) == "err.unauthenticated",
            };
            if !ok {
                return fail("not sent to sign in");
            }
        }
        No => {
            if r.status != StatusCode::FORBIDDEN {
                return fail("not 403");
            }
            let message_ok = match door {
                Door::Page => body.contains("Anda tidak berwenang melakukan tindakan ini."),
                Door::Api => api_code(r) == "err.forbidden" && r.json()["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            };
            if !message_ok {
                return fail("403 without the forbidden message");
            }
            if body.contains(NIK) || r.bytes.windows(SCAN.len()).any(|w| w == SCAN) {
                return fail("a refusal leaks the requester's identity");
            }
        }
        Hidden => {
            if r.status != StatusCode::OK {
                return fail("not 200");
            }
            if listed(door, r, fx) {
                return fail("the request is listed");
            }
        }
        Yes => match act {
            Inbox => {
                if r.status != StatusCode::OK || !listed(door, r, fx) {
                    return fail("the request is not listed");
                }
            }
            Detail => {
                let ok = r.status == StatusCode::OK
                    && match door {
                        Door::Page => body.contains(&fx.reg_no) && body.contains("<h1"),
                        Door::Api => r.json()["id"] == json!(fx.id) && r.json()["reg_no"] == json!(fx.reg_no),
                    };
                if !ok {
                    return fail("the request's file did not open");
                }
            }
            Identity => {
                let ok = r.status == StatusCode::OK
                    && match door {
                        Door::Page => body.contains(NIK),
                        Door::Api => r.json()["identity"]["id_number"] == json!(NIK),
                    };
                if !ok {
                    return fail("the NIK is not shown");
                }
            }
            ListOfficers => {
                if r.status != StatusCode::OK || !body.contains("dinsos@ppid.example.go.id") {
                    return fail("the officers are not listed");
                }
            }
            IdentityScan => {
                if r.status != StatusCode::OK || r.bytes != SCAN {
                    return fail("the scan was not downloaded");
                }
            }
            _ => {
                let status_ok = match door {
                    Door::Page => r.status == StatusCode::SEE_OTHER && r.location().contains("?ok="),
                    Door::Api => r.status == StatusCode::OK || r.status == StatusCode::CREATED,
                };
                if !status_ok {
                    return fail("the action did not succeed");
                }
                if after.audit <= before.audit {
                    return fail("no audit entry");
                }
                let req = t.app.store.request(fx.id).await.unwrap().unwrap();
                let objection_state = || after.objections.first().map(|o| o.2.clone()).unwrap_or_default();
                let effect = match act {
                    Route => req.clock.unit == Some(t.org.social),
                    Extend => req.clock.state.as_str() == "extended",
                    Answer => req.clock.state.as_str() == "granted",
                    Attach => after.documents == before.documents + 1,
                    Deliver => req.clock.state.as_str() == "delivered",
                    StartReview => objection_state() == "in_review",
                    Reject => objection_state() == "rejected" && req.clock.state.as_str() == "closed",
                    DisputeStep => objection_state() == "dispute_registered",
                    AddOfficer => after.officers == before.officers + 1 && t.app.store.officer_by_username(&format!("baru{n}")).await.unwrap().is_some(),
                    AddDayOff => after.days_off == before.days_off + 1,
                    _ => unreachable!(),
                };
                if !effect {
                    return fail("the action had no effect");
                }
            }
        },
    }
    Ok(())
}

fn listed(door: Door, r: &Resp, fx: &Fixture) -> bool {
    match door {
        Door::Page => r.text().contains(&format!("href=\"/konsol/permohonan/{}\"", fx.id)),
        Door::Api => r.json()["items"].as_array().is_some_and(|items| items.iter().any(|i| i["id"] == json!(fx.id) && i["reg_no"] == json!(fx.reg_no))),
    }
}

/// Runs the whole matrix through one door; returns how many cells were checked.
async fn run(t: TestApp, door: Door) -> usize {
    let mut clients = clients(&t, door).await;
    let mut failures = Vec::new();
    let mut cells = 0;
    for (n, (act, who, exp)) in MATRIX.iter().copied().enumerate() {
        let fx = fixture(&t, act.stage(), n).await;
        let before = snapshot(&t, fx.id).await;
        let c = clients.get_mut(&who).unwrap();
        let r = perform(&t, c, door, act, &fx, n).await;
        if r.status.is_server_error() {
            failures.push(format!("{act:?} × {who:?} via {door:?}: server error {}", r.status));
        } else if let Err(e) = check(&t, door, act, who, exp, &r, &fx, &before, n).await {
            failures.push(e);
        }
        cells += 1;
    }
    assert!(failures.is_empty(), "{} of {cells} cells failed:\n{}", failures.len(), failures.join("\n"));
    // The audit chain survived all of it.
    t.app.verify_audit().await.unwrap().expect("the audit chain verifies");
    cells
}

/// The table is complete: every action has exactly one line per actor.
#[test]
fn the_matrix_is_complete() {
    let mut seen: Vec<(Act, Who)> = Vec::new();
    for (act, who, _) in MATRIX {
        assert!(!seen.contains(&(*act, *who)), "{act:?} × {who:?} is listed twice");
        seen.push((*act, *who));
    }
    for (act, _, _) in MATRIX {
        for who in EVERYONE {
            assert!(seen.contains(&(*act, who)), "{act:?} × {who:?} is missing");
        }
    }
    // Anonymous is always sent to sign in; nobody else ever is.
    for (act, who, exp) in MATRIX {
        assert_eq!(*who == Anon, *exp == SignIn, "{act:?} × {who:?}");
    }
    assert_eq!(MATRIX.len(), ACTIONS * EVERYONE.len());
    assert_eq!(MATRIX.len(), 90);
}

#[tokio::test]
async fn the_authorization_matrix_through_the_console_pages() {
    let cells = run(TestApp::sqlite().await, Door::Page).await;
    assert_eq!(cells, 90, "15 actions × 6 actors");
}

#[tokio::test]
async fn the_authorization_matrix_through_the_api() {
    let cells = run(TestApp::sqlite().await, Door::Api).await;
    assert_eq!(cells, 90, "15 actions × 6 actors");
}

/// The same matrix on PostgreSQL, through both doors.
#[tokio::test]
async fn the_authorization_matrix_on_postgres() {
    let cells = run(TestApp::postgres().await, Door::Page).await + run(TestApp::postgres().await, Door::Api).await;
    assert_eq!(cells, 180, "15 actions × 6 actors × 2 doors");
}

/// The JSON shape the refusals share, so a client can tell "not signed in" from "not allowed".
#[tokio::test]
async fn refusals_are_json_on_the_api_and_pages_on_the_console() {
    let t = TestApp::sqlite().await;
    let fx = fixture(&t, Stage::Routed, 0).await;
    let mut anon = t.client();
    let r = anon.get(&format!("/api/v1/officer/requests/{}", fx.id)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.headers.get("www-authenticate").is_some(), "401 names the scheme");
    let v: Value = r.json();
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    // A cookie session does not open the API, and a bearer token does not open the pages.
    let mut cookie = t.officer_client("utama").await;
    assert_eq!(cookie.get(&format!("/api/v1/officer/requests/{}", fx.id)).await.status, StatusCode::UNAUTHORIZED);
    let mut bearer = t.client();
    let r = bearer.json(Method::POST, "/api/v1/session", json!({"username": "utama", "password": PASSWORD})).await;
    bearer.bearer = Some(r.json()["token"].as_str().unwrap().to_string());
    let r = bearer.get(&format!("/konsol/permohonan/{}", fx.id)).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/masuk".to_string()));
    // English on request.
    let mut dinsos = t.officer_client("dinsos").await;
    let r = dinsos.get(&format!("/konsol/permohonan/{}?lang=en", fx.id)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("You are not allowed to do this."), "{}", r.text());
}
