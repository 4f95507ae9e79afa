//! Kolaborasi end to end through `App`: organisations and their verification, needs, pledges
//! (quantity rule, rate limits, races), deliveries with proofs, disputes, the expiry job,
//! cancellation, moderation, who may do what, beneficiary lists kept only as keyed hashes, the
//! public ledger, and personal data that never leaves its seal. The flows that touch SQL run on
//! both SQLite and PostgreSQL (`TERBUKA_TEST_POSTGRES_URL`).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use terbuka_app::crypto::{sha256_hex, PiiKey};
use terbuka_app::kolaborasi::{BeneficiaryError, Ledger, LedgerRow};
use terbuka_app::service::Upload;
use terbuka_app::{App, AppError, Config};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::authz::{can, Action, Actor};
use terbuka_domain::calendar::{wib, wib_date};
use terbuka_domain::kolaborasi::{
    DeliveryState, NeedState, OrgEvent, OrgKind, OrgState, PledgeState, RawDelivery, RawNeed, RawOrg, RawPledge, RawReport, RowProblem, Tally,
};
use terbuka_domain::validate::RawOfficer;
use terbuka_domain::{Role, UnitKind};
use terbuka_store::testing::TestStore;
use terbuka_store::{NeedFilter, NeedSaved, NewUnit, StoredNeed, StoredOrg};

// ------------------------------------------------------------------ fixtures

const SITE: &str = "https://terbuka.example.go.id";
/// Kelurahan Cideng, Kecamatan Gambir, Jakarta Pusat.
const CIDENG: &str = "31.71.01.1002";
/// Kelurahan Pasar Baru, Kecamatan Sawah Besar, Jakarta Pusat.
const PASAR_BARU: &str = "31.71.02.1001";
/// Kelurahan Tebet Timur, Kecamatan Tebet, Jakarta Selatan.
const TEBET_TIMUR: &str = "31.74.01.1001";

/// An instant given in WIB (UTC+7).
fn wib_at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    wib().with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

/// Monday 2 March 2026, 10:00 WIB.
fn now() -> DateTime<Utc> {
    wib_at(2026, 3, 2, 10, 0)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn key() -> PiiKey {
    PiiKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap()
}

struct Env {
    app: Arc<App>,
    ts: TestStore,
    _blobs: tempfile::TempDir,
    admin: Actor,
    utama: Actor,
    pelaksana: Actor,
    atasan: Actor,
    atasan_body: Actor,
    sosial: Actor,
}

async fn env(ts: TestStore) -> Env {
    env_with(ts, |_| {}).await
}

/// An App on `ts` with two units and one officer of each role (real rows: decisions and lists
/// refer to them).
async fn env_with(ts: TestStore, tweak: impl FnOnce(&mut Config)) -> Env {
    let blobs = tempfile::tempdir().unwrap();
    let mut c = Config::default();
    c.files.local_dir = blobs.path().display().to_string();
    c.jobs.enabled = false;
    c.server.public_url = SITE.into();
    tweak(&mut c);
    let app = Arc::new(App::new(Arc::new(ts.store.clone()), c, key()));
    let audit = || NewAuditEntry { actor: "system:test".into(), action: "unit.add".into(), subject: "unit".into(), detail: "{}".into() };
    let utama_unit = app
        .store
        .insert_unit(NewUnit { code: "utama".into(), name: "PPID Utama".into(), name_en: "Main PPID".into(), kind: UnitKind::Utama, parent: None }, audit())
        .await
        .unwrap();
    let dinsos = app
        .store
        .insert_unit(
            NewUnit {
                code: "dinsos".into(),
                name: "Dinas Sosial".into(),
                name_en: "Social Affairs Office".into(),
                kind: UnitKind::Pelaksana,
                parent: Some(utama_unit),
            },
            audit(),
        )
        .await
        .unwrap();
    let mut actors = Vec::new();
    for (user, role, unit) in [
        ("admin", Role::Admin, None),
        ("utama", Role::PpidUtama, Some(utama_unit)),
        ("pelaksana", Role::PpidPelaksana, Some(dinsos)),
        ("atasan", Role::AtasanPpid, Some(dinsos)),
        ("atasanbadan", Role::AtasanPpid, None),
        ("sosial", Role::PetugasSosial, Some(dinsos)),
    ] {
        let raw = RawOfficer {
            username: Some(user.into()),
            display_name: Some(format!("Petugas {user}")),
            email: Some(format!("{user}@pemda.example.go.id")),
            role: Some(role.as_str().into()),
            unit: unit.map(|u| u.to_string()),
            password: Some("kata-sandi-uji-2026".into()),
        };
        let id = app.add_officer(None, &raw, now()).await.unwrap();
        actors.push(Actor { officer: id, role, unit });
    }
    drain_mails(&app).await;
    Env { app, ts, _blobs: blobs, admin: actors[0], utama: actors[1], pelaksana: actors[2], atasan: actors[3], atasan_body: actors[4], sosial: actors[5] }
}

fn raw_org(name: &str, contact_name: &str, contact_email: &str) -> RawOrg {
    RawOrg {
        name: Some(name.into()),
        kind: Some("komunitas".into()),
        description: Some("Dapur umum warga untuk korban banjir".into()),
        region: Some(CIDENG.into()),
        address: Some("Jl. Cideng Barat No. 5".into()),
        public_email: Some("posko@example.org".into()),
        public_phone: None,
        contact_name: Some(contact_name.into()),
        contact_email: Some(contact_email.into()),
        contact_phone: None,
    }
}

/// Registers an organisation and has the petugas sosial verify it.
async fn verified_org(e: &Env, name: &str) -> (StoredOrg, String) {
    let (org, token) = e.app.register_org(&raw_org(name, "Siti Rahmawati", "siti.kontak@example.org"), now()).await.unwrap();
    let org = e.app.decide_org(&e.sosial, org.id, OrgEvent::Verify, &None, now()).await.unwrap();
    assert_eq!(org.state, OrgState::Verified);
    (org, token)
}

fn raw_need(title: &str, item: &str, quantity: i64, region: &str, until: &str) -> RawNeed {
    RawNeed {
        title: Some(title.into()),
        item_type: Some(item.into()),
        description: Some("Untuk warga terdampak banjir di RW 03".into()),
        quantity: Some(quantity.to_string()),
        region: Some(region.into()),
        rw: Some("3".into()),
        households: Some("40".into()),
        people: Some("150".into()),
        until: Some(until.into()),
        allow_over_pledge: None,
    }
}

async fn post(e: &Env, token: &str, title: &str, item: &str, quantity: i64, region: &str, until: &str) -> StoredNeed {
    e.app.post_need(token, &raw_need(title, item, quantity, region, until), now()).await.unwrap()
}

fn raw_pledge(quantity: i64, name: &str, email: &str) -> RawPledge {
    RawPledge { quantity: Some(quantity.to_string()), name: Some(name.into()), email: Some(email.into()), ..Default::default() }
}

fn named_pledge(quantity: i64, name: &str, email: &str, public_name: &str) -> RawPledge {
    RawPledge { show_name: Some("on".into()), public_name: Some(public_name.into()), ..raw_pledge(quantity, name, email) }
}

/// A pledge that must succeed; returns what was saved and the pledge's private token.
async fn pledge(e: &Env, need: i64, raw: &RawPledge, client: &str, at: DateTime<Utc>) -> (NeedSaved, String) {
    e.app.pledge(need, raw, client, at).await.unwrap_or_else(|err| panic!("pledge refused: {err:?}"))
}

fn delivery(quantity: i64) -> RawDelivery {
    RawDelivery { quantity: Some(quantity.to_string()), delivered_on: None, note: None }
}

fn png() -> Upload {
    let mut data = b"\x89PNG\r\n\x1a\n".to_vec();
    data.extend_from_slice(b"\0\0\0\rIHDR foto serah terima bantuan");
    Upload { filename: "bukti kirim.png".into(), content_type: "image/png".into(), data }
}

fn tally(quantity: i64, pledged: i64, delivered: i64, confirmed: i64) -> Tally {
    Tally { quantity, pledged, delivered, confirmed }
}

/// The refusal code of an `AppError::Rejected`.
fn code(err: &AppError) -> &'static str {
    match err {
        AppError::Rejected(c) => c,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The (field, code) pairs of an `AppError::Invalid`.
fn fields(err: &AppError) -> Vec<(&'static str, &'static str)> {
    match err {
        AppError::Invalid(f) => f.0.iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn is_not_found(err: &AppError) -> bool {
    matches!(err, AppError::NotFound)
}

fn is_forbidden(err: &AppError) -> bool {
    matches!(err, AppError::Forbidden)
}

/// A queued mail, opened.
#[derive(Debug)]
struct Mail {
    key: String,
    to: String,
    subject: String,
    body: String,
}

/// Claims every queued mail (marking it sent) and opens it.
async fn drain_mails(app: &App) -> Vec<Mail> {
    let far = wib_at(2031, 1, 1, 0, 0);
    let mut out = Vec::new();
    loop {
        let batch = app.store.claim_mails(far, 60, 100).await.unwrap();
        if batch.is_empty() {
            return out;
        }
        for m in batch {
            app.store.mail_sent(m.id, far).await.unwrap();
            out.push(Mail {
                key: m.dedup_key,
                to: String::from_utf8(app.key.open(&m.to_enc).unwrap()).unwrap(),
                subject: m.subject,
                body: String::from_utf8(app.key.open(&m.body_enc).unwrap()).unwrap(),
            });
        }
    }
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

async fn need_of(e: &Env, id: i64) -> StoredNeed {
    e.app.store.need(id).await.unwrap().unwrap()
}

async fn event_names(e: &Env, need: i64) -> Vec<String> {
    e.app.store.need_events(need).await.unwrap().into_iter().map(|ev| ev.event).collect()
}

/// Every file of the SQLite database (main file, WAL, shared memory), concatenated.
fn sqlite_bytes(ts: &TestStore) -> Option<Vec<u8>> {
    let path = ts.url.strip_prefix("sqlite://")?;
    let dir = std::path::Path::new(path).parent().unwrap();
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            all.extend(std::fs::read(&p).unwrap());
        }
    }
    assert!(!all.is_empty(), "the SQLite database files are readable");
    Some(all)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Runs a scenario on a fresh SQLite store and on a fresh PostgreSQL database.
macro_rules! on_both_backends {
    ($scenario:ident, $sqlite:ident, $postgres:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $sqlite() {
            $scenario(terbuka_store::testing::sqlite().await).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $postgres() {
            $scenario(terbuka_store::testing::postgres().await).await;
        }
    };
}

// ------------------------------------------------------------------ 1. organisations

async fn organisations(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let head0 = app.store.audit_head().await.unwrap();

    // Bad input: every problem at once, nothing saved, nothing mailed.
    let bad = RawOrg {
        name: Some("AB".into()),
        kind: Some("alien".into()),
        region: Some("31.99".into()),
        public_email: Some("bukan-email".into()),
        ..Default::default()
    };
    let err = app.register_org(&bad, now()).await.unwrap_err();
    assert_eq!(
        fields(&err),
        vec![
            ("name", "err.too_short"),
            ("kind", "err.choice"),
            ("region", "err.region_unknown"),
            ("public_email", "err.email_format"),
            ("contact_name", "err.required"),
            ("contact_email", "err.contact_required"),
        ]
    );
    assert!(app.store.list_orgs(&[]).await.unwrap().is_empty());
    assert_eq!(app.store.audit_head().await.unwrap(), head0);
    assert!(drain_mails(app).await.is_empty());

    // A good registration waits for verification.
    let (org, token) = app.register_org(&raw_org("Posko Peduli Cideng", "Siti Rahmawati", "Siti.Kontak@Example.org"), now()).await.unwrap();
    assert_eq!(org.state, OrgState::Pending);
    assert_eq!(org.kind, OrgKind::Komunitas);
    assert_eq!(org.region, CIDENG);
    assert_eq!(org.public_email.as_deref(), Some("posko@example.org"));
    assert!(org.verified_at.is_none() && org.verified_by.is_none());
    assert_eq!(app.store.list_orgs(&[]).await.unwrap().len(), 1);
    assert_eq!(app.org_by_token(&token).await.unwrap().id, org.id);
    assert!(is_not_found(&app.org_by_token("token-yang-salah").await.unwrap_err()));
    assert!(is_not_found(&app.org_by_token("").await.unwrap_err()));
    assert!(is_not_found(&app.public_org(org.id).await.unwrap_err()), "an organisation never verified is not public");
    let (_, contact) = app.org_for_officer(&e.sosial, org.id).await.unwrap();
    assert_eq!((contact.name.as_str(), contact.email.as_deref()), ("Siti Rahmawati", Some("siti.kontak@example.org")));
    assert!(is_forbidden(&app.org_for_officer(&e.pelaksana, org.id).await.unwrap_err()));

    // Mails: the private link to the contact; a notice to every petugas sosial and PPID Utama.
    let mails = drain_mails(app).await;
    assert_eq!(
        sorted(mails.iter().map(|m| m.to.as_str()).collect()),
        vec!["siti.kontak@example.org", "sosial@pemda.example.go.id", "utama@pemda.example.go.id"],
        "{mails:?}"
    );
    let to_contact = mails.iter().find(|m| m.to == "siti.kontak@example.org").unwrap();
    assert!(to_contact.key.starts_with("aid-org-registered:"));
    assert!(to_contact.subject.contains("Posko Peduli Cideng"));
    assert!(to_contact.body.contains(&format!("{SITE}/kolaborasi/org/{token}")), "{}", to_contact.body);
    for m in mails.iter().filter(|m| m.to != "siti.kontak@example.org") {
        assert!(m.key.starts_with("aid-org-waiting:"), "{}", m.key);
        assert!(m.subject.contains("Posko Peduli Cideng"));
        assert!(!m.body.contains(&token), "officers never receive the organisation's private link");
    }

    // A pending organisation cannot post.
    let err = app.post_need(&token, &raw_need("Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-20"), now()).await.unwrap_err();
    assert_eq!(code(&err), "err.aid_org_not_verified");
    assert!(is_not_found(&app.post_need("bukan-token", &raw_need("Paket sembako", "sembako", 10, CIDENG, "2026-03-20"), now()).await.unwrap_err()));
    assert_eq!(app.needs(&NeedFilter::default()).await.unwrap().total, 0);

    // Rejecting needs a reason of at least 10 characters.
    let t1 = now() + Duration::hours(1);
    for (note, expected) in [(None, "err.required"), (Some("pendek".to_string()), "err.too_short")] {
        let err = app.decide_org(&e.sosial, org.id, OrgEvent::Reject, &note, t1).await.unwrap_err();
        assert_eq!(fields(&err), vec![("note", expected)]);
    }
    assert_eq!(app.store.org(org.id).await.unwrap().unwrap().state, OrgState::Pending);
    let rejected = app.decide_org(&e.sosial, org.id, OrgEvent::Reject, &Some("Nomor kontak posko tidak dapat dihubungi".into()), t1).await.unwrap();
    assert_eq!(rejected.state, OrgState::Rejected);
    assert_eq!(rejected.state_note.as_deref(), Some("Nomor kontak posko tidak dapat dihubungi"));
    assert_eq!(rejected.version, org.version + 1);
    assert!(rejected.verified_at.is_none());
    let long_note = Some("Catatan petugas yang cukup panjang".to_string());
    for event in [OrgEvent::Reject, OrgEvent::Suspend, OrgEvent::Reinstate] {
        let err = app.decide_org(&e.sosial, org.id, event, &long_note, t1).await.unwrap_err();
        assert_eq!(code(&err), "err.aid_not_now", "{event} on a rejected organisation");
    }
    assert_eq!(app.store.org(org.id).await.unwrap().unwrap().version, rejected.version, "refused decisions change nothing");

    // Verified after correcting its registration (by the PPID Utama this time).
    let t2 = now() + Duration::hours(2);
    let verified = app.decide_org(&e.utama, org.id, OrgEvent::Verify, &None, t2).await.unwrap();
    assert_eq!(verified.state, OrgState::Verified);
    assert_eq!(verified.verified_at, Some(t2));
    assert_eq!(verified.verified_by, Some(e.utama.officer));
    assert_eq!(verified.state_note, None);
    assert_eq!(app.public_org(org.id).await.unwrap().id, org.id);
    for event in [OrgEvent::Verify, OrgEvent::Reject, OrgEvent::Reinstate] {
        assert_eq!(code(&app.decide_org(&e.sosial, org.id, event, &long_note, t2).await.unwrap_err()), "err.aid_not_now", "{event} on a verified organisation");
    }
    // Verified, it posts.
    let need = app.post_need(&token, &raw_need("Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-20"), t2).await.unwrap();
    assert_eq!(need.org, org.id);

    // Suspension needs a reason; a suspended organisation cannot post.
    let t3 = now() + Duration::hours(3);
    assert_eq!(fields(&app.decide_org(&e.sosial, org.id, OrgEvent::Suspend, &None, t3).await.unwrap_err()), vec![("note", "err.required")]);
    let suspended = app.decide_org(&e.sosial, org.id, OrgEvent::Suspend, &Some("Laporan penyalahgunaan sedang diperiksa".into()), t3).await.unwrap();
    assert_eq!(suspended.state, OrgState::Suspended);
    assert_eq!(suspended.verified_at, Some(t2), "suspension keeps the verification date");
    assert_eq!(
        code(&app.post_need(&token, &raw_need("Paket sembako kedua", "sembako", 5, CIDENG, "2026-03-20"), t3).await.unwrap_err()),
        "err.aid_org_not_verified"
    );
    assert_eq!(app.need_detail(need.id).await.unwrap().need.id, need.id, "its needs stay visible");
    for event in [OrgEvent::Suspend, OrgEvent::Verify, OrgEvent::Reject] {
        assert_eq!(
            code(&app.decide_org(&e.sosial, org.id, event, &long_note, t3).await.unwrap_err()),
            "err.aid_not_now",
            "{event} on a suspended organisation"
        );
    }
    let t4 = now() + Duration::hours(4);
    let reinstated = app.decide_org(&e.sosial, org.id, OrgEvent::Reinstate, &None, t4).await.unwrap();
    assert_eq!(reinstated.state, OrgState::Verified);
    assert!(reinstated.verified_at.is_some());
    assert_eq!(reinstated.version, org.version + 4);

    // Each decision was mailed to the contact person, with the reason.
    let mails = drain_mails(app).await;
    let keys: Vec<String> = mails.iter().map(|m| m.key.clone()).collect();
    assert_eq!(
        keys,
        (2..=5).map(|v| format!("aid-org-decided:{}:{v}", org.id)).collect::<Vec<_>>(),
        "one mail per decision (reject, verify, suspend, reinstate)"
    );
    assert!(mails.iter().all(|m| m.to == "siti.kontak@example.org"));
    assert!(mails[0].body.contains("Nomor kontak posko tidak dapat dihubungi"));
    assert!(mails[0].subject.contains("Ditolak") && mails[0].subject.contains("Rejected"), "{}", mails[0].subject);
    assert!(mails[2].body.contains("Laporan penyalahgunaan sedang diperiksa"));

    // A second organisation, without a contact e-mail: its mail goes to the public address.
    let mut raw2 = raw_org("Karang Taruna Pasar Baru", "Andi Wijaya", "x@example.org");
    raw2.contact_email = None;
    raw2.contact_phone = Some("0812 3456 7890".into());
    raw2.region = Some("31.71.02".into());
    let (org2, _) = app.register_org(&raw2, now()).await.unwrap();
    let mails = drain_mails(app).await;
    assert_eq!(mails.iter().filter(|m| m.key.starts_with("aid-org-registered:")).map(|m| m.to.as_str()).collect::<Vec<_>>(), vec!["posko@example.org"]);
    assert_eq!(code(&app.decide_org(&e.sosial, org2.id, OrgEvent::Reinstate, &long_note, t4).await.unwrap_err()), "err.aid_not_now");
    assert_eq!(code(&app.decide_org(&e.sosial, org2.id, OrgEvent::Suspend, &long_note, t4).await.unwrap_err()), "err.aid_not_now");
    assert!(is_not_found(&app.decide_org(&e.sosial, 9_999, OrgEvent::Verify, &None, t4).await.unwrap_err()));

    // Listing by state.
    let ids = |v: Vec<StoredOrg>| v.into_iter().map(|o| o.id).collect::<Vec<_>>();
    assert_eq!(ids(app.orgs(&e.sosial, &[OrgState::Pending]).await.unwrap()), vec![org2.id]);
    assert_eq!(ids(app.orgs(&e.utama, &[OrgState::Verified]).await.unwrap()), vec![org.id]);
    assert_eq!(sorted(ids(app.orgs(&e.sosial, &[]).await.unwrap())), vec![org.id, org2.id]);

    // The audit chain holds every step and still verifies.
    let actions: Vec<String> = app.store.audit_entries().await.unwrap().into_iter().map(|a| a.action).filter(|a| a.starts_with("aid.")).collect();
    assert_eq!(
        actions,
        vec!["aid.org.register", "aid.org.reject", "aid.org.verify", "aid.need.post", "aid.org.suspend", "aid.org.reinstate", "aid.org.register"]
    );
    assert!(app.verify_audit().await.unwrap().is_ok());
}

on_both_backends!(organisations, organisations_sqlite, organisations_postgres);

// ------------------------------------------------------------------ 2. needs and pledges

async fn needs_and_pledges(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let (org, token) = verified_org(&e, "Posko Peduli Cideng").await;
    drain_mails(app).await;

    // Validation of the need form; nothing saved.
    let head = app.store.audit_head().await.unwrap();
    let cases: Vec<(RawNeed, (&str, &str))> = vec![
        (raw_need("Paket sembako warga", "sembako", 10, "31.71.01.9999", "2026-03-20"), ("region", "err.kelurahan_unknown")),
        (raw_need("Paket sembako warga", "sembako", 10, "31.71.01", "2026-03-20"), ("region", "err.kelurahan_unknown")),
        (raw_need("Paket sembako warga", "sembako", 10, "31.71", "2026-03-20"), ("region", "err.kelurahan_unknown")),
        (raw_need("Paket sembako warga", "emas_batangan", 10, CIDENG, "2026-03-20"), ("item_type", "err.choice")),
        (raw_need("Paket sembako warga", "sembako", 10, CIDENG, "2026-03-01"), ("until", "err.date_in_past")),
        (raw_need("Paket sembako warga", "sembako", 0, CIDENG, "2026-03-20"), ("quantity", "err.quantity_positive")),
    ];
    for (raw, expected) in cases {
        let err = app.post_need(&token, &raw, now()).await.unwrap_err();
        assert_eq!(fields(&err), vec![expected]);
    }
    // An inactive catalogue entry cannot be chosen.
    let terpal = app
        .save_item_type(
            &e.sosial,
            &Some("terpal".into()),
            &Some("Terpal".into()),
            &Some("Tarpaulins".into()),
            &Some("lembar".into()),
            &Some("sheets".into()),
            false,
        )
        .await
        .unwrap();
    assert!(app.aid_item_types().await.unwrap().iter().any(|t| t.id == terpal && !t.active));
    let err = app.post_need(&token, &raw_need("Terpal untuk pengungsi", "terpal", 10, CIDENG, "2026-03-20"), now()).await.unwrap_err();
    assert_eq!(fields(&err), vec![("item_type", "err.choice")]);
    assert_eq!(app.needs(&NeedFilter::default()).await.unwrap().total, 0);
    assert_eq!(app.store.audit_head().await.unwrap().count, head.count + 1, "only the catalogue change was logged");

    // A good need.
    let need = post(&e, &token, "Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-20").await;
    assert_eq!((need.state, need.tally), (NeedState::Open, tally(10, 0, 0, 0)));
    assert_eq!((need.org, need.rw.as_deref(), need.households, need.people, need.until), (org.id, Some("003"), Some(40), Some(150), day(2026, 3, 20)));
    assert_eq!(event_names(&e, need.id).await, vec!["posted"]);
    let (o, mine) = app.org_needs(&token).await.unwrap();
    assert_eq!((o.id, mine.iter().map(|n| n.id).collect::<Vec<_>>()), (org.id, vec![need.id]));
    assert!(is_not_found(&app.org_needs("bukan-token").await.unwrap_err()));
    assert!(is_not_found(&app.need_detail(9_999).await.unwrap_err()));

    // Pledges move it open → partly pledged → fully pledged.
    let t = now() + Duration::minutes(5);
    let (saved_a, token_a) = pledge(&e, need.id, &named_pledge(4, "Budi Santoso", "budi@example.org", "Keluarga Budi"), "10.0.0.1", t).await;
    assert_eq!((saved_a.need.state, saved_a.need.tally), (NeedState::PartlyPledged, tally(10, 4, 0, 0)));
    let pledge_a = saved_a.pledge.expect("the new pledge's id");

    // Over-pledging is refused and saves nothing.
    let head = app.store.audit_head().await.unwrap();
    let err = app.pledge(need.id, &raw_pledge(7, "Rina Marlina", "rina@example.org"), "10.0.0.2", t).await.unwrap_err();
    assert_eq!(code(&err), "err.aid_over_pledge");
    assert_eq!(app.store.pledges_of(need.id).await.unwrap().len(), 1);
    assert_eq!(app.store.audit_head().await.unwrap(), head);
    assert_eq!(need_of(&e, need.id).await.tally, tally(10, 4, 0, 0));

    // Not opted in: a public name given without the checkbox is not kept.
    let raw_b = RawPledge { public_name: Some("Nama Rahasia".into()), ..raw_pledge(6, "Rina Marlina", "rina@example.org") };
    let (saved_b, _) = pledge(&e, need.id, &raw_b, "10.0.0.2", t).await;
    assert_eq!((saved_b.need.state, saved_b.need.tally), (NeedState::FullyPledged, tally(10, 10, 0, 0)));
    let err = app.pledge(need.id, &raw_pledge(1, "Citra Dewi", "citra@example.org"), "10.0.0.3", t).await.unwrap_err();
    assert_eq!(code(&err), "err.aid_over_pledge", "a fully pledged need takes nothing more");
    let pledges = app.store.pledges_of(need.id).await.unwrap();
    assert_eq!(
        pledges.iter().map(|p| (p.quantity, p.state, p.public_name.as_deref())).collect::<Vec<_>>(),
        vec![(4, PledgeState::Active, Some("Keluarga Budi")), (6, PledgeState::Active, None)]
    );
    assert_eq!(pledges[0].deliver_by, day(2026, 3, 20), "deliver_by defaults to the need's until");
    assert_eq!(event_names(&e, need.id).await, vec!["posted", "pledge", "pledge"]);

    // Pledge form validation.
    let err = app.pledge(need.id, &raw_pledge(0, "Citra Dewi", "citra@example.org"), "10.0.0.3", t).await.unwrap_err();
    assert_eq!(fields(&err), vec![("quantity", "err.quantity_positive")]);
    let late = RawPledge { deliver_by: Some("2026-03-21".into()), ..raw_pledge(1, "Citra Dewi", "citra@example.org") };
    assert_eq!(fields(&app.pledge(need.id, &late, "10.0.0.3", t).await.unwrap_err()), vec![("deliver_by", "err.aid_after_until")]);
    assert!(is_not_found(&app.pledge(9_999, &raw_pledge(1, "Citra Dewi", "citra@example.org"), "10.0.0.3", t).await.unwrap_err()));

    // The private link shows the pledge with its pledger's contact.
    let detail = app.pledge_by_token(&token_a).await.unwrap();
    assert_eq!(detail.pledge.id, pledge_a);
    assert_eq!((detail.contact.name.as_str(), detail.contact.email.as_deref()), ("Budi Santoso", Some("budi@example.org")));
    assert_eq!(detail.pledge.public_name.as_deref(), Some("Keluarga Budi"));
    assert_eq!(detail.need.need.id, need.id);
    assert_eq!(detail.need.org.id, org.id);
    assert_eq!(detail.need.item_type.code, "sembako");
    assert_eq!(detail.need.pledges.len(), 2);
    assert!(is_not_found(&app.pledge_by_token("bukan-token").await.unwrap_err()));

    // Each pledger got the private link by mail.
    let mails = drain_mails(app).await;
    assert_eq!(sorted(mails.iter().map(|m| m.to.as_str()).collect()), vec!["budi@example.org", "rina@example.org"]);
    let to_budi = mails.iter().find(|m| m.to == "budi@example.org").unwrap();
    assert!(to_budi.key.starts_with("aid-pledge:"));
    assert!(to_budi.body.contains(&format!("{SITE}/kolaborasi/janji/{token_a}")), "{}", to_budi.body);
    assert!(to_budi.body.contains("2026-03-20"));

    // A need that allows over-pledging takes more than asked.
    let over = RawNeed { allow_over_pledge: Some("on".into()), ..raw_need("Air bersih untuk posko", "air_bersih", 5, CIDENG, "2026-03-20") };
    let over = app.post_need(&token, &over, now()).await.unwrap();
    assert!(over.allow_over_pledge);
    let (saved, _) = pledge(&e, over.id, &raw_pledge(8, "Dodi Pratama", "dodi@example.org"), "10.0.0.4", t).await;
    assert_eq!((saved.need.state, saved.need.tally), (NeedState::FullyPledged, tally(5, 8, 0, 0)));
    assert_eq!(saved.need.tally.remaining(), 0);
    let (saved, _) = pledge(&e, over.id, &raw_pledge(2, "Eka Putri", "eka@example.org"), "10.0.0.5", t).await;
    assert_eq!(saved.need.tally, tally(5, 10, 0, 0));

    // Cancelled, expired and taken-down needs take no pledges.
    let cancelled = post(&e, &token, "Selimut untuk pengungsi", "selimut", 10, CIDENG, "2026-03-20").await;
    app.cancel_need(&token, cancelled.id, &Some("Sudah tercukupi dari donatur lain".into()), t).await.unwrap();
    assert_eq!(code(&app.pledge(cancelled.id, &raw_pledge(1, "Fajar Nugroho", "fajar@example.org"), "10.0.0.6", t).await.unwrap_err()), "err.aid_need_closed");

    let short = post(&e, &token, "Masker untuk posko kesehatan", "masker", 10, CIDENG, "2026-03-03").await;
    let after = wib_at(2026, 3, 4, 9, 0);
    let err = app.pledge(short.id, &raw_pledge(1, "Fajar Nugroho", "fajar@example.org"), "10.0.0.6", after).await.unwrap_err();
    assert_eq!(code(&err), "err.aid_need_past_until", "past its date, before the job ran");
    assert_eq!(app.run_aid_schedule(after).await.unwrap(), (0, 1));
    assert_eq!(need_of(&e, short.id).await.state, NeedState::Expired);
    assert_eq!(code(&app.pledge(short.id, &raw_pledge(1, "Fajar Nugroho", "fajar@example.org"), "10.0.0.6", after).await.unwrap_err()), "err.aid_need_closed");

    let down = post(&e, &token, "Obat-obatan untuk posko", "obat", 10, CIDENG, "2026-03-20").await;
    app.take_down(&e.sosial, down.id, &Some("Kebutuhan ini terindikasi penipuan".into()), t).await.unwrap();
    assert!(is_not_found(&app.pledge(down.id, &raw_pledge(1, "Fajar Nugroho", "fajar@example.org"), "10.0.0.6", t).await.unwrap_err()));
    for id in [cancelled.id, short.id, down.id] {
        assert!(app.store.pledges_of(id).await.unwrap().is_empty());
    }

    // A suspended organisation's need stays visible but takes no pledges until reinstated.
    let (org2, token2) = verified_org(&e, "Posko Tebet Timur").await;
    let need2 = post(&e, &token2, "Paket sembako Tebet Timur", "sembako", 10, TEBET_TIMUR, "2026-03-20").await;
    app.decide_org(&e.sosial, org2.id, OrgEvent::Suspend, &Some("Laporan penyalahgunaan sedang diperiksa".into()), t).await.unwrap();
    let err = app.pledge(need2.id, &raw_pledge(1, "Gita Lestari", "gita@example.org"), "10.0.0.7", t).await.unwrap_err();
    assert_eq!(code(&err), "err.aid_org_not_verified");
    assert!(app.store.pledges_of(need2.id).await.unwrap().is_empty());
    assert_eq!(app.need_detail(need2.id).await.unwrap().need.state, NeedState::Open);
    app.decide_org(&e.sosial, org2.id, OrgEvent::Reinstate, &None, t).await.unwrap();
    let (saved, _) = pledge(&e, need2.id, &raw_pledge(1, "Gita Lestari", "gita@example.org"), "10.0.0.7", t).await;
    assert_eq!(saved.need.tally.pledged, 1);
}

on_both_backends!(needs_and_pledges, needs_and_pledges_sqlite, needs_and_pledges_postgres);

// ------------------------------------------------------------------ 3. rate limits

async fn rate_limits(ts: TestStore) {
    let e = env_with(ts, |c| {
        c.kolaborasi.pledges_per_contact_per_hour = 2;
        c.kolaborasi.pledges_per_client_per_hour = 3;
    })
    .await;
    let app = &e.app;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let need = post(&e, &token, "Air bersih untuk warga", "air_bersih", 1000, CIDENG, "2026-03-20").await;
    let t = now();

    // Per contact (all nodes: counted in the store), from different clients.
    pledge(&e, need.id, &raw_pledge(1, "Hana Wijaya", "hana@example.org"), "10.0.1.1", t).await;
    pledge(&e, need.id, &raw_pledge(1, "Hana Wijaya", "hana@example.org"), "10.0.1.2", t + Duration::minutes(1)).await;
    let head = app.store.audit_head().await.unwrap();
    let err = app.pledge(need.id, &raw_pledge(1, "Hana Wijaya", "hana@example.org"), "10.0.1.3", t + Duration::minutes(2)).await.unwrap_err();
    assert_eq!(code(&err), "err.aid_rate_limited");
    let err = app.pledge(need.id, &raw_pledge(1, "Hana Wijaya", "HANA@Example.org"), "10.0.1.4", t + Duration::minutes(2)).await.unwrap_err();
    assert_eq!(code(&err), "err.aid_rate_limited", "the address is compared normalised");
    assert_eq!(app.store.audit_head().await.unwrap(), head);
    assert_eq!(app.store.pledges_of(need.id).await.unwrap().len(), 2);
    pledge(&e, need.id, &raw_pledge(1, "Indra Kusuma", "indra@example.org"), "10.0.1.5", t + Duration::minutes(2)).await;
    // An hour after the first, one more is allowed again.
    pledge(&e, need.id, &raw_pledge(1, "Hana Wijaya", "hana@example.org"), "10.0.1.6", t + Duration::minutes(61)).await;

    // Per client address (this node), with different contacts.
    for i in 0..3 {
        pledge(&e, need.id, &raw_pledge(1, "Joko Susilo", &format!("joko{i}@example.org")), "10.0.2.1", t).await;
    }
    let err = app.pledge(need.id, &raw_pledge(1, "Joko Susilo", "joko9@example.org"), "10.0.2.1", t + Duration::minutes(1)).await.unwrap_err();
    assert_eq!(code(&err), "err.aid_rate_limited");
    pledge(&e, need.id, &raw_pledge(1, "Joko Susilo", "joko9@example.org"), "10.0.2.2", t + Duration::minutes(1)).await;
    pledge(&e, need.id, &raw_pledge(1, "Joko Susilo", "joko10@example.org"), "10.0.2.1", t + Duration::minutes(61)).await;
    assert_eq!(need_of(&e, need.id).await.tally.pledged, 9);
}

on_both_backends!(rate_limits, rate_limits_sqlite, rate_limits_postgres);

// ------------------------------------------------------------------ 4. deliveries and disputes

async fn deliveries(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let (org, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let (_, other_token) = verified_org(&e, "Posko Lain").await;
    let need = post(&e, &token, "Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-20").await;
    let (_, tok_a) = pledge(&e, need.id, &raw_pledge(6, "Budi Santoso", "budi@example.org"), "10.0.0.1", now()).await;
    let (saved, tok_b) = pledge(&e, need.id, &raw_pledge(4, "Rina Marlina", "rina@example.org"), "10.0.0.2", now()).await;
    assert_eq!(saved.need.state, NeedState::FullyPledged);
    drain_mails(app).await;
    let t1 = wib_at(2026, 3, 3, 9, 0);

    // More than pledged; a proof that is not a photo or PDF.
    assert_eq!(fields(&app.record_delivery(&tok_a, &delivery(7), None, t1).await.unwrap_err()), vec![("quantity", "err.aid_over_delivery")]);
    let gif = Upload { filename: "bukti.gif".into(), content_type: "image/png".into(), data: b"GIF89a\x01\x00\x01\x00".to_vec() };
    assert_eq!(fields(&app.record_delivery(&tok_a, &delivery(2), Some(gif), t1).await.unwrap_err()), vec![("proof", "err.file_type_proof")]);
    let future = RawDelivery { delivered_on: Some("2026-03-04".into()), ..delivery(2) };
    assert_eq!(fields(&app.record_delivery(&tok_a, &future, None, t1).await.unwrap_err()), vec![("delivered_on", "err.date_in_future")]);
    let before = RawDelivery { delivered_on: Some("2026-03-01".into()), ..delivery(2) };
    assert_eq!(fields(&app.record_delivery(&tok_a, &before, None, t1).await.unwrap_err()), vec![("delivered_on", "err.aid_before_pledge")]);
    assert!(is_not_found(&app.record_delivery("bukan-token", &delivery(1), None, t1).await.unwrap_err()));
    assert!(app.store.deliveries_of(need.id).await.unwrap().is_empty());
    assert_eq!(need_of(&e, need.id).await.tally, tally(10, 10, 0, 0));

    // A with a PNG proof: A's pledge fulfilled.
    let proof = png();
    let n = app.record_delivery(&tok_a, &delivery(6), Some(proof.clone()), t1).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::FullyPledged, tally(10, 10, 6, 0)));
    let ds = app.store.deliveries_of(need.id).await.unwrap();
    assert_eq!(ds.len(), 1);
    let d1 = ds[0].clone();
    assert_eq!((d1.quantity, d1.state, d1.delivered_on), (6, DeliveryState::Recorded, day(2026, 3, 3)));
    let pf = d1.proof.clone().expect("the proof is kept");
    assert_eq!((pf.content_type.as_str(), pf.size, pf.sha256.clone()), ("image/png", proof.data.len() as i64, sha256_hex(&proof.data)));
    let pa = app.pledge_by_token(&tok_a).await.unwrap().pledge;
    assert_eq!((pa.state, pa.delivered), (PledgeState::Fulfilled, 6));
    assert_eq!(code(&app.record_delivery(&tok_a, &delivery(1), None, t1).await.unwrap_err()), "err.aid_pledge_closed");

    // B without proof: the need is delivered.
    let n = app.record_delivery(&tok_b, &delivery(4), None, t1).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::Delivered, tally(10, 10, 10, 0)));
    let d2 = app.store.deliveries_of(need.id).await.unwrap()[1].clone();
    assert!(d2.proof.is_none());
    let mails = drain_mails(app).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails.iter().all(|m| m.to == "siti.kontak@example.org" && m.key.starts_with("aid-delivery:")));
    assert!(mails[0].body.contains(&format!("{SITE}/kolaborasi/kebutuhan/{}", need.id)));

    // The proof: to the posting organisation and to moderators, nobody else.
    let (meta, bytes) = app.delivery_proof(Some(&token), None, d1.id).await.unwrap();
    assert_eq!((meta, bytes), (pf.clone(), proof.data.clone()));
    for actor in [&e.sosial, &e.utama] {
        assert_eq!(app.delivery_proof(None, Some(actor), d1.id).await.unwrap().1, proof.data);
    }
    assert!(is_not_found(&app.delivery_proof(None, None, d1.id).await.unwrap_err()));
    assert!(is_forbidden(&app.delivery_proof(None, Some(&e.pelaksana), d1.id).await.unwrap_err()));
    assert!(is_forbidden(&app.delivery_proof(None, Some(&e.admin), d1.id).await.unwrap_err()));
    assert!(is_not_found(&app.delivery_proof(Some("bukan-token"), None, d1.id).await.unwrap_err()));
    assert!(is_not_found(&app.delivery_proof(Some(&other_token), None, d1.id).await.unwrap_err()), "another organisation's link");
    assert!(is_not_found(&app.delivery_proof(Some(&token), None, d2.id).await.unwrap_err()), "no proof recorded");
    assert!(is_not_found(&app.delivery_proof(Some(&token), None, 9_999).await.unwrap_err()));

    // Confirm A's; another organisation cannot.
    let t2 = wib_at(2026, 3, 4, 9, 0);
    assert!(is_not_found(&app.confirm_delivery(&other_token, need.id, d1.id, t2).await.unwrap_err()));
    let n = app.confirm_delivery(&token, need.id, d1.id, t2).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::Delivered, tally(10, 10, 10, 6)));
    assert_eq!(code(&app.confirm_delivery(&token, need.id, d1.id, t2).await.unwrap_err()), "err.aid_not_now");

    // Dispute B's (reason required, kept off the public history).
    assert_eq!(fields(&app.dispute_delivery(&token, need.id, d2.id, &Some("tidak ada".into()), t2).await.unwrap_err()), vec![("reason", "err.too_short")]);
    let reason = "Paket tidak pernah sampai ke posko kami";
    let n = app.dispute_delivery(&token, need.id, d2.id, &Some(reason.into()), t2).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::Delivered, tally(10, 10, 10, 6)), "a disputed delivery still counts until resolved");
    let d2s = app.store.delivery(d2.id).await.unwrap().unwrap();
    assert_eq!((d2s.state, d2s.dispute_reason.as_deref()), (DeliveryState::Disputed, Some(reason)));
    let ev = app.store.need_events(need.id).await.unwrap().pop().unwrap();
    assert_eq!((ev.event.as_str(), ev.actor_kind.as_str(), ev.delivery, ev.note.clone()), ("delivery_dispute", "org", Some(d2.id), None));
    assert_eq!(code(&app.confirm_delivery(&token, need.id, d2.id, t2).await.unwrap_err()), "err.aid_not_now");
    let q = app.moderation_queue(&e.sosial).await.unwrap();
    assert_eq!(q.disputes.iter().map(|(d, n)| (d.id, n.as_ref().map(|n| n.id))).collect::<Vec<_>>(), vec![(d2.id, Some(need.id))]);

    // The moderator rejects it: delivered goes down, B's pledge is owed again.
    let note = "Tidak ada bukti serah terima dari donatur";
    assert_eq!(fields(&app.resolve_dispute(&e.sosial, d2.id, false, &Some("singkat".into()), t2).await.unwrap_err()), vec![("note", "err.too_short")]);
    assert!(is_forbidden(&app.resolve_dispute(&e.pelaksana, d2.id, false, &Some(note.into()), t2).await.unwrap_err()));
    assert!(is_not_found(&app.resolve_dispute(&e.sosial, 9_999, false, &Some(note.into()), t2).await.unwrap_err()));
    let n = app.resolve_dispute(&e.sosial, d2.id, false, &Some(note.into()), t2).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::FullyPledged, tally(10, 10, 6, 6)));
    let pb = app.pledge_by_token(&tok_b).await.unwrap().pledge;
    assert_eq!((pb.state, pb.delivered), (PledgeState::Active, 0));
    let d2s = app.store.delivery(d2.id).await.unwrap().unwrap();
    assert_eq!((d2s.state, d2s.resolution_note.as_deref(), d2s.dispute_reason.as_deref()), (DeliveryState::Rejected, Some(note), Some(reason)));
    let ev = app.store.need_events(need.id).await.unwrap().pop().unwrap();
    assert_eq!((ev.event.as_str(), ev.actor_kind.as_str(), ev.note.as_deref()), ("delivery_resolve_reject", "officer", Some(note)));
    assert_eq!(code(&app.resolve_dispute(&e.sosial, d2.id, true, &Some(note.into()), t2).await.unwrap_err()), "err.aid_not_now");
    assert!(app.moderation_queue(&e.sosial).await.unwrap().disputes.is_empty());

    // B delivers again; disputed again; this time accepted → confirmed → need verified.
    let t3 = wib_at(2026, 3, 5, 9, 0);
    let n = app.record_delivery(&tok_b, &delivery(4), Some(png()), t3).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::Delivered, tally(10, 10, 10, 6)));
    let d3 = app.store.deliveries_of(need.id).await.unwrap()[2].clone();
    assert_eq!(d3.proof.as_ref().map(|p| p.key.clone()), Some(pf.key.clone()), "the same file is stored once, by its hash");
    app.dispute_delivery(&token, need.id, d3.id, &Some("Jumlah paket yang diterima kurang".into()), t3).await.unwrap();
    let n = app.resolve_dispute(&e.utama, d3.id, true, &Some("Foto serah terima menunjukkan empat paket".into()), t3).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::Verified, tally(10, 10, 10, 10)));
    assert_eq!(app.store.delivery(d3.id).await.unwrap().unwrap().state, DeliveryState::Confirmed);
    assert_eq!(
        event_names(&e, need.id).await,
        vec![
            "posted",
            "pledge",
            "pledge",
            "delivery",
            "delivery",
            "delivery_confirm",
            "delivery_dispute",
            "delivery_resolve_reject",
            "delivery",
            "delivery_dispute",
            "delivery_resolve_accept"
        ]
    );
    assert_eq!(n.org, org.id);
    assert!(app.verify_audit().await.unwrap().is_ok());
}

on_both_backends!(deliveries, deliveries_sqlite, deliveries_postgres);

// ------------------------------------------------------------------ 5. the expiry job

async fn expiry(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let n1 = post(&e, &token, "Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-12").await;
    let n2 = post(&e, &token, "Selimut untuk pengungsi", "selimut", 10, CIDENG, "2026-03-12").await;
    let n3 = post(&e, &token, "Masker untuk posko", "masker", 2, CIDENG, "2026-03-12").await;
    let by5 = |q: i64, name: &str, mail: &str| RawPledge { deliver_by: Some("2026-03-05".into()), ..raw_pledge(q, name, mail) };
    let (s1, _) = pledge(&e, n1.id, &by5(4, "Budi Santoso", "budi@example.org"), "10.0.0.1", now()).await;
    let (s2, tok2) = pledge(&e, n1.id, &by5(3, "Rina Marlina", "rina@example.org"), "10.0.0.2", now()).await;
    let (s3, _) = pledge(&e, n1.id, &raw_pledge(2, "Citra Dewi", "citra@example.org"), "10.0.0.3", now()).await;
    let (p1, p2, p3) = (s1.pledge.unwrap(), s2.pledge.unwrap(), s3.pledge.unwrap());
    let (_, tok4) = pledge(&e, n3.id, &raw_pledge(2, "Dodi Pratama", "dodi@example.org"), "10.0.0.4", now()).await;
    app.record_delivery(&tok2, &delivery(1), None, wib_at(2026, 3, 4, 9, 0)).await.unwrap();
    app.record_delivery(&tok4, &delivery(2), None, wib_at(2026, 3, 4, 9, 0)).await.unwrap();
    assert_eq!(need_of(&e, n1.id).await.tally, tally(10, 9, 1, 0));
    assert_eq!(need_of(&e, n3.id).await.state, NeedState::Delivered);
    drain_mails(app).await;

    // On the deliver-by day nothing expires; from the next WIB day, the two late pledges do.
    assert_eq!(app.run_aid_schedule(wib_at(2026, 3, 5, 23, 59)).await.unwrap(), (0, 0));
    let t = wib_at(2026, 3, 6, 0, 30);
    assert_eq!(wib_date(t), day(2026, 3, 6));
    assert_eq!(app.run_aid_schedule(t).await.unwrap(), (2, 0));
    let ps = app.store.pledges_of(n1.id).await.unwrap();
    assert_eq!(
        ps.iter().map(|p| (p.id, p.state, p.delivered)).collect::<Vec<_>>(),
        vec![(p1, PledgeState::Expired, 0), (p2, PledgeState::Expired, 1), (p3, PledgeState::Active, 0)]
    );
    let n = need_of(&e, n1.id).await;
    assert_eq!((n.state, n.tally), (NeedState::PartlyPledged, tally(10, 3, 1, 0)), "the delivered part of an expired pledge stays pledged");
    let evs = app.store.need_events(n1.id).await.unwrap();
    let expired: Vec<(Option<i64>, Option<i64>, &str)> =
        evs.iter().filter(|ev| ev.event == "pledge_expired").map(|ev| (ev.pledge, ev.quantity, ev.actor_kind.as_str())).collect();
    assert_eq!(expired, vec![(Some(p1), Some(4), "system"), (Some(p2), Some(2), "system")]);
    let mails = drain_mails(app).await;
    assert_eq!(
        sorted(mails.iter().map(|m| (m.key.clone(), m.to.clone())).collect()),
        sorted(vec![
            (format!("aid-pledge-expired:{p1}"), "budi@example.org".to_string()),
            (format!("aid-pledge-expired:{p2}"), "rina@example.org".to_string())
        ])
    );

    // Running again (on this or another node) changes nothing.
    let head = app.store.audit_head().await.unwrap();
    assert_eq!(app.run_aid_schedule(t).await.unwrap(), (0, 0));
    assert_eq!(app.run_aid_schedule(t + Duration::hours(3)).await.unwrap(), (0, 0));
    assert_eq!(app.store.audit_head().await.unwrap(), head);

    // The released quantity can be pledged again.
    let (saved, _) = pledge(&e, n1.id, &raw_pledge(7, "Eka Putri", "eka@example.org"), "10.0.0.5", t).await;
    assert_eq!((saved.need.state, saved.need.tally), (NeedState::FullyPledged, tally(10, 10, 1, 0)));
    let p5 = saved.pledge.unwrap();

    // After `until`: the remaining pledges expire and the needs not covered expire with them;
    // a delivered need does not.
    let t2 = wib_at(2026, 3, 13, 8, 0);
    assert_eq!(app.run_aid_schedule(t2).await.unwrap(), (2, 2));
    let n = need_of(&e, n1.id).await;
    assert_eq!((n.state, n.tally), (NeedState::Expired, tally(10, 1, 1, 0)));
    assert!(app.store.pledges_of(n1.id).await.unwrap().iter().filter(|p| p.id == p3 || p.id == p5).all(|p| p.state == PledgeState::Expired));
    assert_eq!(need_of(&e, n2.id).await.state, NeedState::Expired);
    assert_eq!(need_of(&e, n2.id).await.tally, tally(10, 0, 0, 0));
    assert_eq!(need_of(&e, n3.id).await.state, NeedState::Delivered);
    assert_eq!(event_names(&e, n2.id).await, vec!["posted", "expire"]);
    assert_eq!(event_names(&e, n1.id).await.last().map(String::as_str), Some("expire"));
    let head = app.store.audit_head().await.unwrap();
    assert_eq!(app.run_aid_schedule(t2).await.unwrap(), (0, 0));
    assert_eq!(app.run_aid_schedule(t2 + Duration::days(30)).await.unwrap(), (0, 0));
    assert_eq!(app.store.audit_head().await.unwrap(), head);
}

on_both_backends!(expiry, expiry_sqlite, expiry_postgres);

/// A dispute opened while a need was active must stay resolvable after the need expires
/// ("disputes are never dropped: a disputed delivery stays on the ledger until a moderator
/// resolves it"), and a recorded delivery must stay confirmable by the organisation.
async fn deliveries_of_a_closed_need(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let need = post(&e, &token, "Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-05").await;
    let (_, tok_a) = pledge(&e, need.id, &raw_pledge(3, "Budi Santoso", "budi@example.org"), "10.0.0.1", now()).await;
    let (_, tok_b) = pledge(&e, need.id, &raw_pledge(2, "Rina Marlina", "rina@example.org"), "10.0.0.2", now()).await;
    let t1 = wib_at(2026, 3, 3, 9, 0);
    app.record_delivery(&tok_a, &delivery(3), None, t1).await.unwrap();
    app.record_delivery(&tok_b, &delivery(1), None, t1).await.unwrap();
    let ds = app.store.deliveries_of(need.id).await.unwrap();
    let (da, db) = (ds[0].id, ds[1].id);
    app.dispute_delivery(&token, need.id, da, &Some("Paket tidak pernah sampai ke posko kami".into()), t1).await.unwrap();
    // Not covered by its date: it expires (B's undelivered unit is released).
    let t2 = wib_at(2026, 3, 6, 9, 0);
    assert_eq!(app.run_aid_schedule(t2).await.unwrap(), (1, 1));
    let n = need_of(&e, need.id).await;
    assert_eq!((n.state, n.tally), (NeedState::Expired, tally(10, 4, 4, 0)));
    assert_eq!(app.moderation_queue(&e.sosial).await.unwrap().disputes.len(), 1, "the dispute is still waiting");

    // The organisation confirms what it did receive, and the moderator resolves the dispute.
    let confirmed = app.confirm_delivery(&token, need.id, db, t2).await;
    let resolved = app.resolve_dispute(&e.sosial, da, false, &Some("Tidak ada bukti serah terima dari donatur".into()), t2).await;
    let still_disputed = app.moderation_queue(&e.sosial).await.unwrap().disputes.len();
    let outcome = |r: &Result<StoredNeed, AppError>| r.as_ref().map(|n| n.state).map_err(|e| e.code());
    assert_eq!(
        (outcome(&confirmed), outcome(&resolved), still_disputed),
        (Ok(NeedState::Expired), Ok(NeedState::Expired), 0),
        "(confirm, resolve, disputes left) on an expired need"
    );
    assert_eq!(confirmed.unwrap().tally.confirmed, 1);
    let t = resolved.unwrap().tally;
    assert_eq!((t.delivered, t.confirmed), (1, 1), "the rejected delivery no longer counts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_of_a_closed_need_stay_resolvable() {
    deliveries_of_a_closed_need(terbuka_store::testing::sqlite().await).await;
}

// ------------------------------------------------------------------ 6. cancellation

async fn cancellation(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let (_, other_token) = verified_org(&e, "Posko Lain").await;
    let need = post(&e, &token, "Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-20").await;
    let (s1, _) = pledge(&e, need.id, &raw_pledge(3, "Budi Santoso", "budi@example.org"), "10.0.0.1", now()).await;
    let by_phone = RawPledge { email: None, phone: Some("0812 1111 2222".into()), ..raw_pledge(2, "Rina Marlina", "") };
    let (s2, _) = pledge(&e, need.id, &by_phone, "10.0.0.2", now()).await;
    let (s3, tok3) = pledge(&e, need.id, &raw_pledge(4, "Citra Dewi", "citra@example.org"), "10.0.0.3", now()).await;
    let (s4, tok4) = pledge(&e, need.id, &raw_pledge(1, "Dodi Pratama", "dodi@example.org"), "10.0.0.4", now()).await;
    let (p1, p2, p3, p4) = (s1.pledge.unwrap(), s2.pledge.unwrap(), s3.pledge.unwrap(), s4.pledge.unwrap());
    let t1 = wib_at(2026, 3, 3, 9, 0);
    app.record_delivery(&tok3, &delivery(1), None, t1).await.unwrap();
    assert_eq!(need_of(&e, need.id).await.tally, tally(10, 10, 1, 0));
    drain_mails(app).await;

    // The pledger cancels through the private link.
    let n = app.cancel_pledge(&tok4, t1).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::PartlyPledged, tally(10, 9, 1, 0)));
    assert_eq!(app.store.pledge(p4).await.unwrap().unwrap().state, PledgeState::Cancelled);
    assert_eq!(code(&app.cancel_pledge(&tok4, t1).await.unwrap_err()), "err.aid_not_now");
    assert!(is_not_found(&app.cancel_pledge("bukan-token", t1).await.unwrap_err()));
    let ev = app.store.need_events(need.id).await.unwrap().pop().unwrap();
    assert_eq!((ev.event.as_str(), ev.pledge, ev.quantity), ("pledge_cancelled", Some(p4), Some(1)));

    // The organisation cancels the need: a reason, its own link only.
    assert_eq!(fields(&app.cancel_need(&token, need.id, &Some("abc".into()), t1).await.unwrap_err()), vec![("reason", "err.too_short")]);
    assert!(is_not_found(&app.cancel_need(&other_token, need.id, &Some("Sudah tercukupi".into()), t1).await.unwrap_err()));
    let reason = "Sudah tercukupi dari bantuan pemerintah";
    let n = app.cancel_need(&token, need.id, &Some(reason.into()), t1).await.unwrap();
    assert_eq!(n.state, NeedState::Cancelled);
    assert_eq!(n.tally, tally(10, 1, 1, 0), "only the delivered unit stays pledged");
    let ps = app.store.pledges_of(need.id).await.unwrap();
    assert_eq!(
        ps.iter().map(|p| (p.id, p.state, p.delivered)).collect::<Vec<_>>(),
        vec![(p1, PledgeState::Cancelled, 0), (p2, PledgeState::Cancelled, 0), (p3, PledgeState::Cancelled, 1), (p4, PledgeState::Cancelled, 0)]
    );
    let ev = app.store.need_events(need.id).await.unwrap().pop().unwrap();
    assert_eq!((ev.event.as_str(), ev.actor_kind.as_str(), ev.note.as_deref()), ("cancel", "org", Some(reason)));
    // Pledgers with an e-mail address are told (not the one who already cancelled, not the
    // one who gave only a phone number).
    let mails = drain_mails(app).await;
    assert_eq!(
        sorted(mails.iter().map(|m| (m.key.clone(), m.to.clone())).collect()),
        vec![(format!("aid-pledge-released:{p1}"), "budi@example.org".to_string()), (format!("aid-pledge-released:{p3}"), "citra@example.org".to_string())]
    );
    assert!(mails[0].subject.contains("Paket sembako untuk warga"));

    assert_eq!(code(&app.cancel_need(&token, need.id, &Some(reason.into()), t1).await.unwrap_err()), "err.aid_not_now");
    assert_eq!(code(&app.pledge(need.id, &raw_pledge(1, "Eka Putri", "eka@example.org"), "10.0.0.5", t1).await.unwrap_err()), "err.aid_need_closed");
    assert_eq!(code(&app.record_delivery(&tok3, &delivery(1), None, t1).await.unwrap_err()), "err.aid_pledge_closed");
    let audit = app.store.audit_entries().await.unwrap();
    let last = audit.last().unwrap();
    assert_eq!((last.action.as_str(), last.detail.as_str()), ("aid.need.cancel", r#"{"released_pledges":3}"#));
}

on_both_backends!(cancellation, cancellation_sqlite, cancellation_postgres);

// ------------------------------------------------------------------ 7. moderation

async fn moderation(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let (pending, _) = app.register_org(&raw_org("Organisasi Menunggu", "Andi Wijaya", "andi@example.org"), now()).await.unwrap();
    let need = post(&e, &token, "Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-20").await;
    let other = post(&e, &token, "Air bersih untuk warga", "air_bersih", 100, CIDENG, "2026-03-20").await;
    let (s1, tok1) = pledge(&e, need.id, &raw_pledge(3, "Budi Santoso", "budi@example.org"), "10.0.0.1", now()).await;
    let (s2, _) = pledge(&e, need.id, &raw_pledge(5, "Rina Marlina", "rina@example.org"), "10.0.0.2", now()).await;
    let t1 = wib_at(2026, 3, 3, 9, 0);
    app.record_delivery(&tok1, &delivery(3), None, t1).await.unwrap();
    let d = app.store.deliveries_of(need.id).await.unwrap()[0].id;
    app.dispute_delivery(&token, need.id, d, &Some("Jumlah paket yang diterima kurang".into()), t1).await.unwrap();
    drain_mails(app).await;

    // Reports: validation, then two good ones.
    let bad: Vec<(RawReport, Vec<(&str, &str)>)> = vec![
        (RawReport::default(), vec![("reason", "err.required"), ("detail", "err.required")]),
        (RawReport { reason: Some("bohong".into()), detail: Some("Tidak jelas".into()) }, vec![("reason", "err.choice")]),
        (RawReport { reason: Some("other".into()), detail: None }, vec![("detail", "err.required")]),
        (RawReport { reason: Some("fraud".into()), detail: Some("abc".into()) }, vec![("detail", "err.too_short")]),
    ];
    let head = app.store.audit_head().await.unwrap();
    for (raw, expected) in bad {
        assert_eq!(fields(&app.report_need(need.id, &raw, t1).await.unwrap_err()), expected);
    }
    assert!(is_not_found(&app.report_need(9_999, &RawReport { reason: Some("fraud".into()), detail: None }, t1).await.unwrap_err()));
    assert_eq!(app.store.audit_head().await.unwrap(), head);
    assert!(app.store.list_reports(false).await.unwrap().is_empty());
    let r1 = app.report_need(need.id, &RawReport { reason: Some("fraud".into()), detail: Some("Posko ini tidak ada di alamatnya".into()) }, t1).await.unwrap();
    let r2 = app.report_need(need.id, &RawReport { reason: Some("duplicate".into()), detail: None }, t1).await.unwrap();
    let r3 = app.report_need(other.id, &RawReport { reason: Some("other".into()), detail: Some("Judulnya menyesatkan".into()) }, t1).await.unwrap();

    // The queue: pending organisations, open reports with their needs, open disputes.
    let q = app.moderation_queue(&e.sosial).await.unwrap();
    assert_eq!(q.pending_orgs.iter().map(|o| o.id).collect::<Vec<_>>(), vec![pending.id]);
    assert_eq!(
        sorted(q.reports.iter().map(|(r, n)| (r.id, n.as_ref().map(|n| n.id))).collect()),
        vec![(r1, Some(need.id)), (r2, Some(need.id)), (r3, Some(other.id))]
    );
    assert_eq!(q.disputes.iter().map(|(x, _)| x.id).collect::<Vec<_>>(), vec![d]);

    // Taking down: a public note is required.
    assert_eq!(fields(&app.take_down(&e.sosial, need.id, &None, t1).await.unwrap_err()), vec![("note", "err.required")]);
    assert_eq!(fields(&app.take_down(&e.sosial, need.id, &Some("penipuan".into()), t1).await.unwrap_err()), vec![("note", "err.too_short")]);
    assert!(is_not_found(&app.take_down(&e.sosial, 9_999, &Some("Kebutuhan ini terindikasi penipuan".into()), t1).await.unwrap_err()));
    let note = "Kebutuhan ini terindikasi penipuan";
    let n = app.take_down(&e.sosial, need.id, &Some(note.into()), t1).await.unwrap();
    assert_eq!(n.state, NeedState::TakenDown);
    assert_eq!(n.takedown_note.as_deref(), Some(note));
    assert_eq!(n.tally, tally(10, 3, 3, 0), "the undelivered pledge is released, the delivered one stays");
    let ps = app.store.pledges_of(need.id).await.unwrap();
    assert_eq!(
        ps.iter().map(|p| (p.id, p.state)).collect::<Vec<_>>(),
        vec![(s1.pledge.unwrap(), PledgeState::Fulfilled), (s2.pledge.unwrap(), PledgeState::Cancelled)]
    );
    let reports = app.store.list_reports(false).await.unwrap();
    for r in reports.iter().filter(|r| r.need == need.id) {
        assert!(!r.open);
        assert_eq!(r.resolution_note.as_deref(), Some(note));
        assert!(r.resolved_at.is_some());
    }
    assert!(reports.iter().find(|r| r.id == r3).unwrap().open, "another need's report stays open");
    let mails = drain_mails(app).await;
    assert_eq!(
        mails.iter().map(|m| (m.key.clone(), m.to.clone())).collect::<Vec<_>>(),
        vec![(format!("aid-pledge-released:{}", s2.pledge.unwrap()), "rina@example.org".to_string())]
    );
    // Still shown (with the note), no longer reportable or pledgeable.
    let detail = app.need_detail(need.id).await.unwrap();
    assert_eq!(detail.need.takedown_note.as_deref(), Some(note));
    assert_eq!(detail.events.last().map(|ev| (ev.event.as_str(), ev.note.as_deref())), Some(("take_down", Some(note))));
    assert_eq!(code(&app.report_need(need.id, &RawReport { reason: Some("fraud".into()), detail: None }, t1).await.unwrap_err()), "err.aid_not_now");
    assert_eq!(code(&app.take_down(&e.sosial, need.id, &Some(note.into()), t1).await.unwrap_err()), "err.aid_not_now");
    let q = app.moderation_queue(&e.utama).await.unwrap();
    assert_eq!(q.reports.iter().map(|(r, _)| r.id).collect::<Vec<_>>(), vec![r3]);

    // Reinstated after review: progress again from its quantities, note cleared.
    assert_eq!(fields(&app.reinstate_need(&e.sosial, need.id, &Some("ok".into()), t1).await.unwrap_err()), vec![("note", "err.too_short")]);
    let n = app.reinstate_need(&e.sosial, need.id, &Some("Posko sudah dicek langsung oleh petugas".into()), t1).await.unwrap();
    assert_eq!((n.state, n.tally, n.takedown_note.clone()), (NeedState::PartlyPledged, tally(10, 3, 3, 0), None));
    assert_eq!(code(&app.reinstate_need(&e.sosial, need.id, &Some("Posko sudah dicek langsung".into()), t1).await.unwrap_err()), "err.aid_not_now");
    let (saved, _) = pledge(&e, need.id, &raw_pledge(7, "Citra Dewi", "citra@example.org"), "10.0.0.3", t1).await;
    assert_eq!(saved.need.state, NeedState::FullyPledged);

    // Dismissing reports closes them without touching the need.
    let before = need_of(&e, other.id).await;
    assert_eq!(fields(&app.dismiss_reports(&e.sosial, other.id, &Some("ok".into()), t1).await.unwrap_err()), vec![("note", "err.too_short")]);
    let n = app.dismiss_reports(&e.sosial, other.id, &Some("Judul sudah sesuai isi".into()), t1).await.unwrap();
    assert_eq!((n.state, n.tally, n.takedown_note.clone()), (before.state, before.tally, None));
    let r = app.store.list_reports(false).await.unwrap().into_iter().find(|r| r.id == r3).unwrap();
    assert_eq!((r.open, r.resolution_note.as_deref()), (false, Some("Judul sudah sesuai isi")));
    assert_eq!(event_names(&e, other.id).await, vec!["posted"], "dismissing adds nothing to the public history");
    let q = app.moderation_queue(&e.sosial).await.unwrap();
    assert!(q.reports.is_empty());
    assert_eq!(q.disputes.len(), 1, "the dispute waits for its own resolution");
}

on_both_backends!(moderation, moderation_sqlite, moderation_postgres);

// ------------------------------------------------------------------ 8. who may do what

async fn authorization(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let actors = [e.admin, e.utama, e.pelaksana, e.atasan, e.atasan_body, e.sosial];
    let rows = vec![vec!["nik".to_string(), "no_kk".to_string()], vec!["3171014506900001".to_string(), "3171010101200001".to_string()]];

    for (i, actor) in actors.iter().enumerate() {
        // What `can` says, and what the product rule says it must be.
        let verify = can(actor, Action::VerifyOrganisation, None);
        let moderate = can(actor, Action::ModerateAid, None);
        let beneficiaries = can(actor, Action::ManageBeneficiaries, None);
        let expected = match actor.role {
            Role::PpidUtama => (true, true, false),
            Role::PetugasSosial => (true, true, true),
            _ => (false, false, false),
        };
        assert_eq!((verify, moderate, beneficiaries), expected, "{}", actor.role);

        // Fresh things for this actor to act on.
        let (org, _) = app.register_org(&raw_org(&format!("Organisasi Uji {i}"), "Andi Wijaya", "andi@example.org"), now()).await.unwrap();
        let need = post(&e, &token, &format!("Paket sembako uji {i}"), "sembako", 2, CIDENG, "2026-03-20").await;
        let (_, ptok) = pledge(&e, need.id, &raw_pledge(2, "Budi Santoso", &format!("budi{i}@example.org")), &format!("10.9.0.{i}"), now()).await;
        app.record_delivery(&ptok, &delivery(2), None, now()).await.unwrap();
        let d = app.store.deliveries_of(need.id).await.unwrap()[0].id;
        app.dispute_delivery(&token, need.id, d, &Some("Paket tidak pernah sampai ke posko kami".into()), now()).await.unwrap();
        let head = app.store.audit_head().await.unwrap();
        let role = actor.role;
        let note = Some("Catatan moderator yang cukup panjang".to_string());

        let r = app.orgs(actor, &[]).await;
        if verify {
            assert!(r.unwrap().iter().any(|o| o.id == org.id), "{role}");
        } else {
            assert!(is_forbidden(&r.unwrap_err()), "{role} orgs");
        }
        let r = app.decide_org(actor, org.id, OrgEvent::Verify, &None, now()).await;
        if verify {
            let o = r.unwrap();
            assert_eq!((o.state, o.verified_by), (OrgState::Verified, Some(actor.officer)), "{role}");
        } else {
            assert!(is_forbidden(&r.unwrap_err()), "{role} decide_org");
        }
        let r = app.moderation_queue(actor).await;
        if moderate {
            assert!(r.unwrap().disputes.iter().any(|(x, _)| x.id == d), "{role}");
        } else {
            assert!(is_forbidden(&r.unwrap_err()), "{role} moderation_queue");
        }
        let code_ = Some(format!("uji_{i}"));
        let name = Some("Barang uji".to_string());
        let r = app.save_item_type(actor, &code_, &name, &name, &Some("buah".into()), &Some("pieces".into()), true).await;
        if moderate {
            let id = r.unwrap();
            assert!(app.aid_item_types().await.unwrap().iter().any(|t| t.id == id && t.code == format!("uji_{i}")), "{role}");
        } else {
            assert!(is_forbidden(&r.unwrap_err()), "{role} save_item_type");
        }
        let r = app.upload_beneficiaries(actor, need.id, &rows, now()).await;
        if beneficiaries {
            let out = r.unwrap();
            assert_eq!((out.rows, out.households), (1, 1), "{role}");
        } else {
            assert!(matches!(r.unwrap_err(), BeneficiaryError::App(AppError::Forbidden)), "{role} upload_beneficiaries");
        }
        let r = app.beneficiary_list(actor, need.id).await;
        if beneficiaries {
            assert_eq!(r.unwrap().map(|m| (m.rows, m.uploaded_by)), Some((1, actor.officer)), "{role}");
        } else {
            assert!(is_forbidden(&r.unwrap_err()), "{role} beneficiary_list");
        }
        let r = app.resolve_dispute(actor, d, true, &note, now()).await;
        if moderate {
            assert_eq!(r.unwrap().state, NeedState::Verified, "{role}");
        } else {
            assert!(is_forbidden(&r.unwrap_err()), "{role} resolve_dispute");
        }
        let r = app.take_down(actor, need.id, &note, now()).await;
        if moderate {
            assert_eq!(r.unwrap().state, NeedState::TakenDown, "{role}");
        } else {
            assert!(is_forbidden(&r.unwrap_err()), "{role} take_down");
        }
        if !(verify || moderate || beneficiaries) {
            assert_eq!(app.store.audit_head().await.unwrap(), head, "{role}: refused calls change nothing");
            assert_eq!(app.store.org(org.id).await.unwrap().unwrap().state, OrgState::Pending);
            assert_eq!(app.store.delivery(d).await.unwrap().unwrap().state, DeliveryState::Disputed);
            assert_eq!(need_of(&e, need.id).await.state, NeedState::Delivered);
        }
    }
}

on_both_backends!(authorization, authorization_sqlite, authorization_postgres);

// ------------------------------------------------------------------ 9. beneficiaries

fn nik(i: u32) -> String {
    format!("317101450690{i:04}")
}

fn kk(i: u32) -> String {
    format!("31710101012{i:05}")
}

fn list(rows: &[(String, String)]) -> Vec<Vec<String>> {
    let mut out = vec![vec!["nik".to_string(), "no_kk".to_string()]];
    out.extend(rows.iter().map(|(a, b)| vec![a.clone(), b.clone()]));
    out
}

async fn beneficiaries(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let a = post(&e, &token, "Paket sembako tahap satu", "sembako", 100, CIDENG, "2026-03-16").await;
    let b = e.app.post_need(&token, &raw_need("Paket sembako tahap dua", "sembako", 100, PASAR_BARU, "2026-03-23"), now() + Duration::days(1)).await.unwrap();
    let c = post(&e, &token, "Air bersih untuk warga", "air_bersih", 100, CIDENG, "2026-03-16").await;
    let d = e.app.post_need(&token, &raw_need("Paket sembako bulan April", "sembako", 100, CIDENG, "2026-04-15"), wib_at(2026, 4, 1, 9, 0)).await.unwrap();

    // Bad rows: every problem with its line and column, nothing stored.
    let bad = vec![
        vec!["nik".to_string(), "no_kk".to_string()],
        vec!["123".to_string(), kk(1)],
        vec![nik(2), String::new()],
        vec![nik(3), "31710101".to_string()],
        vec![nik(4), kk(4)],
        vec![nik(4), kk(4)],
        vec![String::new(), String::new()],
        vec![format!("'{}", nik(5)), format!(" {} ", kk(5))],
    ];
    let head = app.store.audit_head().await.unwrap();
    let problems = match app.upload_beneficiaries(&e.sosial, a.id, &bad, now()).await.unwrap_err() {
        BeneficiaryError::Rows(p) => p,
        other => panic!("expected row problems, got {other:?}"),
    };
    let p = |line: usize, column: &'static str, code: &'static str| RowProblem { line, column, code };
    assert_eq!(
        problems,
        vec![p(2, "nik", "err.nik_format"), p(3, "no_kk", "err.required"), p(4, "no_kk", "err.kk_format"), p(6, "nik", "err.aid_list_duplicate")]
    );
    let missing = vec![vec!["nama".to_string(), "nik".to_string()], vec!["Siti".to_string(), nik(1)]];
    match app.upload_beneficiaries(&e.sosial, a.id, &missing, now()).await.unwrap_err() {
        BeneficiaryError::Rows(p) => assert_eq!(p, vec![RowProblem { line: 1, column: "no_kk", code: "err.aid_list_missing_column" }]),
        other => panic!("expected row problems, got {other:?}"),
    }
    assert_eq!(app.beneficiary_list(&e.sosial, a.id).await.unwrap(), None);
    assert_eq!(app.store.audit_head().await.unwrap(), head);

    // List A: four people in three households.
    let list_a = vec![(nik(1), kk(1)), (nik(2), kk(1)), (nik(3), kk(2)), (nik(4), kk(3))];
    let out = app.upload_beneficiaries(&e.sosial, a.id, &list(&list_a), now()).await.unwrap();
    assert_eq!((out.rows, out.households, out.flags.len()), (4, 3, 0));
    let meta = app.beneficiary_list(&e.sosial, a.id).await.unwrap().unwrap();
    assert_eq!((meta.need, meta.rows, meta.households, meta.flagged, meta.uploaded_by), (a.id, 4, 3, 0, e.sosial.officer));

    // List B (same kind of aid, overlapping period) shares two households with A.
    let list_b = vec![(nik(11), kk(1)), (nik(3), kk(2)), (nik(12), kk(12))];
    let out = app.upload_beneficiaries(&e.sosial, b.id, &list(&list_b), now() + Duration::days(1)).await.unwrap();
    assert_eq!((out.rows, out.households), (3, 3));
    assert_eq!(out.flags.iter().map(|f| f.1).collect::<Vec<_>>(), vec![a.id, a.id], "{:?}", out.flags);
    for (pseudonym, _) in &out.flags {
        assert_eq!(pseudonym.len(), 10);
        assert!(pseudonym.bytes().all(|c| c.is_ascii_hexdigit()), "a pseudonym of the household hash: {pseudonym}");
        assert!(!kk(1).contains(pseudonym.as_str()) && !kk(2).contains(pseudonym.as_str()));
    }
    assert_ne!(out.flags[0].0, out.flags[1].0);
    assert_eq!(app.beneficiary_list(&e.sosial, b.id).await.unwrap().unwrap().flagged, 2);

    // Another kind of aid, or a period that does not overlap: no flags.
    let out = app.upload_beneficiaries(&e.sosial, c.id, &list(&list_a), now()).await.unwrap();
    assert!(out.flags.is_empty(), "{:?}", out.flags);
    let out = app.upload_beneficiaries(&e.sosial, d.id, &list(&list_a), wib_at(2026, 4, 1, 10, 0)).await.unwrap();
    assert!(out.flags.is_empty(), "{:?}", out.flags);

    // Replacing A's list: now B is the other list, the same two households are flagged.
    let out = app.upload_beneficiaries(&e.sosial, a.id, &list(&list_a), now() + Duration::days(2)).await.unwrap();
    assert_eq!(out.flags.iter().map(|f| f.1).collect::<Vec<_>>(), vec![b.id, b.id]);
    let meta2 = app.beneficiary_list(&e.sosial, a.id).await.unwrap().unwrap();
    assert_ne!(meta2.id, meta.id);
    assert_eq!((meta2.rows, meta2.flagged), (4, 2));

    // A cancelled need takes no list.
    app.cancel_need(&token, c.id, &Some("Sudah tercukupi dari donatur lain".into()), now()).await.unwrap();
    match app.upload_beneficiaries(&e.sosial, c.id, &list(&list_a), now()).await.unwrap_err() {
        BeneficiaryError::App(AppError::Rejected(refusal)) => assert_eq!(refusal, "err.aid_not_now"),
        other => panic!("expected a refusal, got {other:?}"),
    }

    // No NIK or family-card number anywhere: not in the audit log, not in the database files.
    let identifiers: Vec<String> = list_a.iter().chain(list_b.iter()).flat_map(|(n, k)| [n.clone(), k.clone()]).collect();
    let audit = app.store.audit_entries().await.unwrap();
    assert!(audit.iter().any(|a| a.action == "aid.beneficiaries.upload"));
    for entry in &audit {
        let text = format!("{} {} {} {}", entry.actor, entry.action, entry.subject, entry.detail);
        for id in &identifiers {
            assert!(!text.contains(id.as_str()), "audit entry {} holds an identifier", entry.seq);
        }
    }
    if let Some(bytes) = sqlite_bytes(&e.ts) {
        assert!(contains(&bytes, "Paket sembako tahap satu"), "the scan sees the stored data");
        for id in &identifiers {
            assert!(!contains(&bytes, id), "the database holds a beneficiary identifier in plain");
        }
    }
}

on_both_backends!(beneficiaries, beneficiaries_sqlite, beneficiaries_postgres);

// ------------------------------------------------------------------ 10. the public ledger

fn row<'a>(rows: &'a [LedgerRow], key: &str) -> &'a LedgerRow {
    rows.iter().find(|r| r.key == key).unwrap_or_else(|| panic!("no ledger row {key} in {rows:?}"))
}

async fn ledger(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let n1 = post(&e, &token, "Paket sembako Cideng", "sembako", 10, CIDENG, "2026-03-20").await;
    let n2 = post(&e, &token, "Paket sembako Pasar Baru", "sembako", 5, PASAR_BARU, "2026-03-20").await;
    let n3 = post(&e, &token, "Air bersih Tebet Timur", "air_bersih", 100, TEBET_TIMUR, "2026-03-20").await;
    let n4 = post(&e, &token, "Paket sembako yang diturunkan", "sembako", 7, CIDENG, "2026-03-20").await;
    let t = wib_at(2026, 3, 3, 9, 0);
    let (_, budi1) = pledge(&e, n1.id, &named_pledge(4, "Budi Santoso", "budi@example.org", "Keluarga Budi"), "10.0.0.1", now()).await;
    pledge(&e, n1.id, &raw_pledge(3, "Rina Marlina", "rina@example.org"), "10.0.0.2", now()).await;
    pledge(&e, n2.id, &named_pledge(2, "Budi Santoso", "budi2@example.org", "Keluarga Budi"), "10.0.0.3", now()).await;
    let hidden = RawPledge { public_name: Some("Nama Tidak Ditampilkan".into()), ..raw_pledge(1, "Citra Dewi", "citra@example.org") };
    pledge(&e, n2.id, &hidden, "10.0.0.4", now()).await;
    let (_, pt) = pledge(&e, n3.id, &named_pledge(100, "Direktur PT", "pt@example.org", "PT Air Jernih"), "10.0.0.5", now()).await;
    pledge(&e, n4.id, &named_pledge(3, "Dodi Pratama", "dodi@example.org", "Donatur Turun"), "10.0.0.6", now()).await;
    app.record_delivery(&budi1, &delivery(4), None, t).await.unwrap();
    let d = app.store.deliveries_of(n1.id).await.unwrap()[0].id;
    app.confirm_delivery(&token, n1.id, d, t).await.unwrap();
    app.record_delivery(&pt, &delivery(100), None, t).await.unwrap();
    let d = app.store.deliveries_of(n3.id).await.unwrap()[0].id;
    assert_eq!(app.confirm_delivery(&token, n3.id, d, t).await.unwrap().state, NeedState::Verified);
    app.take_down(&e.sosial, n4.id, &Some("Kebutuhan ini terindikasi penipuan".into()), t).await.unwrap();

    let l: Ledger = app.ledger().await.unwrap();
    assert_eq!(l.taken_down, 1);
    let counts = |r: &LedgerRow| (r.needs, r.needs_open, r.needs_met, r.needs_closed_unmet);
    assert_eq!(
        l.by_kota.iter().map(|r| (r.key.as_str(), r.label.as_str(), counts(r))).collect::<Vec<_>>(),
        vec![("31.71", "Jakarta Pusat", (2, 2, 0, 0)), ("31.74", "Jakarta Selatan", (1, 0, 1, 0))]
    );
    assert_eq!(
        l.by_kecamatan.iter().map(|r| (r.key.as_str(), r.label.as_str(), counts(r))).collect::<Vec<_>>(),
        vec![("31.71.01", "Gambir", (1, 1, 0, 0)), ("31.71.02", "Sawah Besar", (1, 1, 0, 0)), ("31.74.01", "Tebet", (1, 0, 1, 0))]
    );
    assert_eq!(
        l.by_kelurahan.iter().map(|r| (r.key.as_str(), r.label.as_str(), counts(r))).collect::<Vec<_>>(),
        vec![(CIDENG, "Cideng", (1, 1, 0, 0)), (PASAR_BARU, "Pasar Baru", (1, 1, 0, 0)), (TEBET_TIMUR, "Tebet Timur", (1, 0, 1, 0))]
    );
    let sembako = row(&l.by_item, "sembako");
    assert_eq!(
        (counts(sembako), sembako.quantity, sembako.pledged, sembako.delivered, sembako.confirmed),
        ((2, 2, 0, 0), 15, 10, 4, 4),
        "the taken-down need is left out"
    );
    let air = row(&l.by_item, "air_bersih");
    assert_eq!((counts(air), air.quantity, air.pledged, air.delivered, air.confirmed), ((1, 0, 1, 0), 100, 100, 100, 100));
    assert_eq!(l.by_item.len(), 2);

    // Donors: only opted-in names, largest first; the hidden name and the taken-down need's
    // donor do not appear.
    assert_eq!(
        l.by_donor.iter().map(|r| (r.label.as_str(), r.item_type.as_deref(), r.pledged, r.delivered)).collect::<Vec<_>>(),
        vec![("PT Air Jernih", Some("air_bersih"), 100, 100), ("Keluarga Budi", Some("sembako"), 6, 4)]
    );
    assert_eq!(row(&l.by_donor, "Keluarga Budi").needs, 2);
    let json = serde_json::to_string(&l).unwrap();
    for hidden in ["Nama Tidak Ditampilkan", "Donatur Turun", "Budi Santoso", "Rina Marlina", "budi@example.org"] {
        assert!(!json.contains(hidden), "{hidden} is on the public ledger");
    }
    // What unnamed donors gave, per item type.
    assert_eq!(l.unnamed.iter().map(|r| (r.key.as_str(), r.pledged, r.delivered)).collect::<Vec<_>>(), vec![("sembako", 4, 0), ("air_bersih", 0, 0)]);

    // The list of needs by region (a prefix of whole code segments).
    let in_region = |code: &str| NeedFilter { region: Some(code.into()), ..Default::default() };
    let ids = |p: terbuka_store::Page<StoredNeed>| sorted(p.items.into_iter().map(|n| n.id).collect::<Vec<_>>());
    assert_eq!(ids(app.needs(&in_region("31.71")).await.unwrap()), vec![n1.id, n2.id, n4.id]);
    assert_eq!(ids(app.needs(&in_region("31.74")).await.unwrap()), vec![n3.id]);
    assert_eq!(ids(app.needs(&in_region(CIDENG)).await.unwrap()), vec![n1.id, n4.id]);
    assert!(ids(app.needs(&in_region("31.7")).await.unwrap()).is_empty());
    let open_sembako = NeedFilter { states: vec![NeedState::PartlyPledged], ..Default::default() };
    assert_eq!(ids(app.needs(&open_sembako).await.unwrap()), vec![n1.id, n2.id]);
}

on_both_backends!(ledger, ledger_sqlite, ledger_postgres);

/// A donor row's `needs` counts needs (as every other ledger row does), not pledges.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ledger_counts_a_donors_needs_once() {
    let e = env(terbuka_store::testing::sqlite().await).await;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let n1 = post(&e, &token, "Paket sembako Cideng", "sembako", 10, CIDENG, "2026-03-20").await;
    pledge(&e, n1.id, &named_pledge(2, "Budi Santoso", "budi@example.org", "Keluarga Budi"), "10.0.0.1", now()).await;
    pledge(&e, n1.id, &named_pledge(3, "Budi Santoso", "budi@example.org", "Keluarga Budi"), "10.0.0.1", now()).await;
    let l = e.app.ledger().await.unwrap();
    let budi = row(&l.by_donor, "Keluarga Budi");
    assert_eq!(budi.pledged, 5);
    assert_eq!(budi.needs, 1, "two pledges on one need are one need");
}

/// Rejecting the delivery of a pledge the pledger has since cancelled takes its quantity out of
/// both `delivered` and `pledged` (the cancelled pledge kept only its delivered part).
async fn dispute_of_a_cancelled_pledge(ts: TestStore) {
    let e = env(ts).await;
    let app = &e.app;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let need = post(&e, &token, "Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-20").await;
    let (saved, tok) = pledge(&e, need.id, &raw_pledge(5, "Budi Santoso", "budi@example.org"), "10.0.0.1", now()).await;
    let t = wib_at(2026, 3, 3, 9, 0);
    app.record_delivery(&tok, &delivery(2), None, t).await.unwrap();
    let n = app.cancel_pledge(&tok, t).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::PartlyPledged, tally(10, 2, 2, 0)));
    let d = app.store.deliveries_of(need.id).await.unwrap()[0].id;
    // Another need of the same organisation cannot be used to reach this delivery.
    let other = post(&e, &token, "Selimut untuk pengungsi", "selimut", 10, CIDENG, "2026-03-20").await;
    let err = app.confirm_delivery(&token, other.id, d, t).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound | AppError::Rejected("err.not_found")), "{err:?}");
    assert_eq!(app.store.delivery(d).await.unwrap().unwrap().state, DeliveryState::Recorded);
    app.dispute_delivery(&token, need.id, d, &Some("Paket tidak pernah sampai ke posko kami".into()), t).await.unwrap();
    let n = app.resolve_dispute(&e.sosial, d, false, &Some("Tidak ada bukti serah terima dari donatur".into()), t).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::Open, tally(10, 0, 0, 0)));
    let p = app.store.pledge(saved.pledge.unwrap()).await.unwrap().unwrap();
    assert_eq!((p.state, p.delivered), (PledgeState::Cancelled, 0));
}

on_both_backends!(dispute_of_a_cancelled_pledge, dispute_of_a_cancelled_pledge_sqlite, dispute_of_a_cancelled_pledge_postgres);

/// On a need that allows over-pledging, pledges beyond the quantity may still be active when
/// the need becomes verified. They must not be stuck: the pledger can cancel, the job expires
/// them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn over_pledges_left_on_a_verified_need_can_still_close() {
    let e = env(terbuka_store::testing::sqlite().await).await;
    let app = &e.app;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let raw = RawNeed { allow_over_pledge: Some("on".into()), ..raw_need("Air bersih untuk posko", "air_bersih", 2, CIDENG, "2026-03-20") };
    let need = app.post_need(&token, &raw, now()).await.unwrap();
    let (_, tok_a) = pledge(&e, need.id, &raw_pledge(2, "Budi Santoso", "budi@example.org"), "10.0.0.1", now()).await;
    let late = RawPledge { deliver_by: Some("2026-03-05".into()), ..raw_pledge(1, "Rina Marlina", "rina@example.org") };
    let (sb, _) = pledge(&e, need.id, &late, "10.0.0.2", now()).await;
    let (_, tok_c) = pledge(&e, need.id, &raw_pledge(1, "Citra Dewi", "citra@example.org"), "10.0.0.3", now()).await;
    let t = wib_at(2026, 3, 3, 9, 0);
    app.record_delivery(&tok_a, &delivery(2), None, t).await.unwrap();
    let d = app.store.deliveries_of(need.id).await.unwrap()[0].id;
    let n = app.confirm_delivery(&token, need.id, d, t).await.unwrap();
    assert_eq!((n.state, n.tally), (NeedState::Verified, tally(2, 4, 2, 2)));

    let cancelled = app.cancel_pledge(&tok_c, t).await;
    let job = app.run_aid_schedule(wib_at(2026, 3, 6, 9, 0)).await.unwrap();
    let b = app.store.pledge(sb.pledge.unwrap()).await.unwrap().unwrap();
    let still_due = app.store.pledges_past_due(day(2026, 3, 6)).await.unwrap();
    assert_eq!(
        (cancelled.as_ref().map(|n| (n.state, n.tally.pledged)).map_err(|e| e.code()), job, b.state, still_due.len()),
        (Ok((NeedState::Verified, 3)), (1, 0), PledgeState::Expired, 0),
        "(cancel the extra pledge, expiry job counts, the late pledge's state, pledges left due)"
    );
}

/// The per-contact limit must hold when one contact fires many pledges at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contact_rate_limit_holds_under_concurrent_pledges() {
    let e = env(terbuka_store::testing::sqlite().await).await;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let need = post(&e, &token, "Air bersih untuk warga", "air_bersih", 1000, CIDENG, "2026-03-20").await;
    let limit = e.app.config.kolaborasi.pledges_per_contact_per_hour;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let app = e.app.clone();
            tokio::spawn(async move { app.pledge(need.id, &raw_pledge(1, "Hana Wijaya", "hana@example.org"), &format!("10.8.0.{i}"), now()).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(err) => assert_eq!(code(&err), "err.aid_rate_limited"),
        }
    }
    assert_eq!(ok, limit, "pledges accepted from one e-mail address within the hour");
    assert_eq!(e.app.store.pledges_of(need.id).await.unwrap().len() as i64, limit);
}

/// The per-client limit must hold when one client fires many pledges at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn client_rate_limit_holds_under_concurrent_pledges() {
    let e = env_with(terbuka_store::testing::sqlite().await, |c| c.kolaborasi.pledges_per_client_per_hour = 3).await;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let need = post(&e, &token, "Air bersih untuk warga", "air_bersih", 1000, CIDENG, "2026-03-20").await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let app = e.app.clone();
            tokio::spawn(async move { app.pledge(need.id, &raw_pledge(1, "Joko Susilo", &format!("joko{i}@example.org")), "10.8.1.1", now()).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(err) => assert_eq!(code(&err), "err.aid_rate_limited"),
        }
    }
    assert_eq!(ok, 3, "pledges accepted from one client address within the hour");
}

// ------------------------------------------------------------------ 11. privacy

/// Collects every tracing event and span field, as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "\n[span {}] ", span.metadata().name());
        span.record(&mut Fields(&mut out));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "\n[{}] ", event.metadata().target());
        event.record(&mut Fields(&mut out));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

const MARKERS: [&str; 6] = ["ZQXPRIVATE1", "zqxprivate2", "ZQXPRIVATE3", "zqxprivate4", "81277770001", "ZQXPRIVATE5"];

async fn privacy(ts: TestStore) {
    let capture = Capture::default();
    let guard = tracing::subscriber::set_default(capture.clone());
    let e = env(ts).await;
    let app = &e.app;
    // The organisation's contact person.
    let (org, token) = app.register_org(&raw_org("Posko Privasi Terjaga", "ZQXPRIVATE1 Kontak", "zqxprivate2@example.org"), now()).await.unwrap();
    app.decide_org(&e.sosial, org.id, OrgEvent::Verify, &None, now()).await.unwrap();
    let need = post(&e, &token, "Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-20").await;
    let other = post(&e, &token, "Selimut untuk pengungsi", "selimut", 10, CIDENG, "2026-03-20").await;
    // The pledgers: one named in public under another name, one by phone.
    let p = RawPledge { phone: Some("+62 812 7777 0001".into()), ..named_pledge(6, "ZQXPRIVATE3 Donatur", "zqxprivate4@example.org", "Hamba Allah") };
    let (_, tok) = pledge(&e, need.id, &p, "10.0.0.1", now()).await;
    let by_phone = RawPledge { email: None, phone: Some("0812-7777-0001".into()), ..raw_pledge(4, "ZQXPRIVATE5 Kedua", "") };
    let (_, tok2) = pledge(&e, need.id, &by_phone, "10.0.0.2", now()).await;
    let (_, tok3) = pledge(&e, other.id, &raw_pledge(2, "ZQXPRIVATE3 Donatur", "zqxprivate4@example.org"), "10.0.0.3", now()).await;
    let t = wib_at(2026, 3, 3, 9, 0);
    app.record_delivery(&tok, &delivery(4), Some(png()), t).await.unwrap();
    app.record_delivery(&tok, &delivery(2), None, t).await.unwrap();
    app.record_delivery(&tok2, &delivery(4), None, t).await.unwrap();
    let ds = app.store.deliveries_of(need.id).await.unwrap();
    app.confirm_delivery(&token, need.id, ds[0].id, t).await.unwrap();
    app.confirm_delivery(&token, need.id, ds[1].id, t).await.unwrap();
    app.dispute_delivery(&token, need.id, ds[2].id, &Some("Paket tidak pernah sampai ke posko kami".into()), t).await.unwrap();
    app.resolve_dispute(&e.sosial, ds[2].id, true, &Some("Foto serah terima menunjukkan empat paket".into()), t).await.unwrap();
    app.report_need(other.id, &RawReport { reason: Some("fraud".into()), detail: Some("Posko ini tidak ada di alamatnya".into()) }, t).await.unwrap();
    app.cancel_pledge(&tok3, t).await.unwrap();
    app.take_down(&e.sosial, other.id, &Some("Kebutuhan ini terindikasi penipuan".into()), t).await.unwrap();
    app.run_aid_schedule(wib_at(2026, 3, 25, 9, 0)).await.unwrap();
    assert_eq!(need_of(&e, need.id).await.state, NeedState::Verified);

    // The sealed data opens for those who may see it.
    let detail = app.pledge_by_token(&tok).await.unwrap();
    assert_eq!(
        (detail.contact.name.as_str(), detail.contact.email.as_deref(), detail.contact.phone.as_deref()),
        ("ZQXPRIVATE3 Donatur", Some("zqxprivate4@example.org"), Some("+6281277770001"))
    );
    assert_eq!(app.org_for_officer(&e.sosial, org.id).await.unwrap().1.name, "ZQXPRIVATE1 Kontak");

    // Nowhere else: the audit log, the public history, the ledger, mail subjects.
    for entry in app.store.audit_entries().await.unwrap() {
        let text = format!("{} {} {} {}", entry.actor, entry.action, entry.subject, entry.detail);
        for m in MARKERS {
            assert!(!text.to_lowercase().contains(&m.to_lowercase()), "audit entry {} ({}) holds {m}", entry.seq, entry.action);
        }
    }
    for id in [need.id, other.id] {
        for ev in app.store.need_events(id).await.unwrap() {
            let text = format!("{} {} {:?}", ev.event, ev.actor_kind, ev.note);
            for m in MARKERS {
                assert!(!text.to_lowercase().contains(&m.to_lowercase()), "need event {} holds {m}", ev.id);
            }
        }
    }
    let ledger = serde_json::to_string(&app.ledger().await.unwrap()).unwrap();
    assert!(ledger.contains("Hamba Allah"));
    for m in MARKERS {
        assert!(!ledger.to_lowercase().contains(&m.to_lowercase()), "the ledger holds {m}");
    }
    let mails = drain_mails(app).await;
    assert!(mails.iter().any(|m| m.to == "zqxprivate4@example.org"), "the pledger was mailed (sealed)");
    assert!(mails.iter().any(|m| m.to == "zqxprivate2@example.org"), "the contact person was mailed (sealed)");
    for m in &mails {
        for marker in MARKERS {
            assert!(!m.subject.to_lowercase().contains(&marker.to_lowercase()), "mail subject {} holds {marker}", m.key);
        }
    }

    // Nor in the database files: sealed.
    if let Some(bytes) = sqlite_bytes(&e.ts) {
        assert!(contains(&bytes, "Posko Privasi Terjaga"), "the scan sees the stored data");
        assert!(contains(&bytes, "Hamba Allah"), "the opted-in public name is stored in plain");
        for m in MARKERS {
            assert!(!contains(&bytes, m) && !contains(&bytes, &m.to_lowercase()) && !contains(&bytes, &m.to_uppercase()), "the database holds {m} in plain");
        }
    }

    // Nor in the logs.
    drop(guard);
    let logs = capture.0.lock().unwrap().clone();
    assert!(logs.contains("organisation registered"), "the capture sees the app's events: {logs}");
    for m in MARKERS {
        assert!(!logs.to_lowercase().contains(&m.to_lowercase()), "a log line holds {m}");
    }
}

on_both_backends!(privacy, privacy_sqlite, privacy_postgres);

// ------------------------------------------------------------------ 12. concurrency

async fn concurrent_pledges(ts: TestStore) {
    let e = env(ts).await;
    let (_, token) = verified_org(&e, "Posko Peduli Cideng").await;
    let need = post(&e, &token, "Paket sembako untuk warga", "sembako", 10, CIDENG, "2026-03-20").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let app = e.app.clone();
        let need_id = need.id;
        tasks.push(tokio::spawn(async move {
            let raw = raw_pledge(1, "Donatur Serentak", &format!("serentak{i}@example.org"));
            app.pledge(need_id, &raw, &format!("10.7.0.{i}"), now()).await
        }));
    }
    let (mut ok, mut refused) = (0, Vec::new());
    for task in tasks {
        match task.await.unwrap() {
            Ok((saved, _)) => {
                assert!(saved.need.tally.pledged <= 10);
                ok += 1;
            }
            Err(AppError::Rejected(c)) => refused.push(c),
            Err(other) => panic!("a racing pledge failed otherwise: {other:?}"),
        }
    }
    assert_eq!(ok, 10);
    assert_eq!(refused.len(), 10);
    assert!(refused.iter().all(|c| *c == "err.aid_over_pledge" || *c == "err.aid_need_closed"), "{refused:?}");
    let n = need_of(&e, need.id).await;
    assert_eq!((n.state, n.tally), (NeedState::FullyPledged, tally(10, 10, 0, 0)));
    let pledges = e.app.store.pledges_of(need.id).await.unwrap();
    assert_eq!(pledges.len(), 10);
    assert_eq!(pledges.iter().map(|p| p.quantity).sum::<i64>(), 10);
    assert_eq!(event_names(&e, need.id).await.iter().filter(|x| *x == "pledge").count(), 10);
    assert_eq!(e.app.store.audit_entries().await.unwrap().iter().filter(|a| a.action == "aid.pledge").count(), 10);
    assert!(e.app.verify_audit().await.unwrap().is_ok());
}

on_both_backends!(concurrent_pledges, concurrent_pledges_sqlite, concurrent_pledges_postgres);
