//! The storage contract: every scenario runs, unchanged, against both backends (SQLite and
//! PostgreSQL). A scenario is written once as `async fn name(s: &dyn Store)` (or, when it needs
//! to share the store between tasks, `async fn name(s: Arc<dyn Store>)`), and `contract!` turns
//! it into a `sqlite` and a `postgres` test.
//!
//! PostgreSQL tests need `TERBUKA_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`);
//! without it they fail, they never skip.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeSet;
use std::sync::Arc;
use terbuka_domain::audit::{verify, ChainHead, NewAuditEntry};
use terbuka_domain::calendar::{Calendar, DayOff, DayOffKind, DeadlinePolicy, Deadlines};
use terbuka_domain::objection::{ObjectionClock, ObjectionState};
use terbuka_domain::request::{RequestClock, RequestState};
use terbuka_domain::{Channel, DeliveryMethod, ObjectionGround, ObtainMethod, RequestId, RequesterKind, Role, UnitId, UnitKind};
use terbuka_store::{
    DocumentKind, NewDocument, NewMail, NewObjection, NewOfficer, NewRequest, NewUnit, ObjectionWrite, QueuedMail, RequestFilter, RequestOrder, Session, Store,
    StoreError, StoredObjection, StoredRequest, Unit, Write,
};

type R<T = ()> = terbuka_store::Result<T>;

/// Generates one test per backend for a scenario.
macro_rules! contract {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = terbuka_store::testing::sqlite().await;
                assert_eq!(terbuka_store::Store::backend(&t.store), terbuka_store::Backend::Sqlite);
                super::$name(&t.store).await.expect(concat!(stringify!($name), " on SQLite"));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = terbuka_store::testing::postgres().await;
                assert_eq!(terbuka_store::Store::backend(&t.store), terbuka_store::Backend::Postgres);
                super::$name(&t.store).await.expect(concat!(stringify!($name), " on PostgreSQL"));
            }
        }
    };
    (shared $name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = terbuka_store::testing::sqlite().await;
                let s: std::sync::Arc<dyn terbuka_store::Store> = std::sync::Arc::new(t.store.clone());
                super::$name(s).await.expect(concat!(stringify!($name), " on SQLite"));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = terbuka_store::testing::postgres().await;
                let s: std::sync::Arc<dyn terbuka_store::Store> = std::sync::Arc::new(t.store.clone());
                super::$name(s).await.expect(concat!(stringify!($name), " on PostgreSQL"));
            }
        }
    };
}

contract!(units_and_officers);
contract!(registration_numbers);
contract!(update_request_versioning);
contract!(stale_update_saves_nothing);
contract!(list_requests_filters);
contract!(list_requests_text_non_ascii);
contract!(list_requests_order_and_paging);
contract!(audit_chain);
contract!(shared concurrent_writes);
contract!(calendar);
contract!(sessions);
contract!(outbox);
contract!(documents);
contract!(objections);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("test timestamp").with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn audit(action: &str, subject: &str) -> NewAuditEntry {
    NewAuditEntry { actor: "system".into(), action: action.into(), subject: subject.into(), detail: "{}".into() }
}

fn registered_clock(day0: NaiveDate) -> RequestClock {
    let cal = Calendar::default();
    RequestClock::registered(day0, &Deadlines::new(&cal, DeadlinePolicy::default()))
}

fn objection_clock(grounds: Vec<ObjectionGround>, day0: NaiveDate) -> ObjectionClock {
    let cal = Calendar::default();
    ObjectionClock::registered(grounds, day0, &Deadlines::new(&cal, DeadlinePolicy::default()))
}

/// A plain web request received at 09:00 WIB on `day0`.
fn new_request(year: i32, token: &str, subject: &str, day0: &str) -> NewRequest {
    let day0 = d(day0);
    NewRequest {
        year,
        token_hash: token.into(),
        channel: Channel::Web,
        requester_kind: RequesterKind::Individual,
        identity_enc: format!("enc:{token}").into_bytes(),
        display_name: Some("Budi".into()),
        subject: subject.into(),
        details: format!("details of {subject}"),
        purpose: "penelitian".into(),
        obtain: vec![ObtainMethod::SoftCopy],
        delivery: DeliveryMethod::Email,
        received_at: day0.and_hms_opt(2, 0, 0).expect("time").and_utc(),
        clock: registered_clock(day0),
    }
}

/// The write that goes with a registration.
fn reg_write(at: DateTime<Utc>) -> Write {
    Write {
        at: Some(at),
        actor: "requester".into(),
        event: Some(("registered".into(), None)),
        documents: vec![],
        mails: vec![],
        audit: Some(NewAuditEntry { actor: "requester".into(), action: "request.register".into(), subject: "request:{reg_no}".into(), detail: "{}".into() }),
    }
}

/// A write by an officer with a history event and an audit entry.
fn officer_write(at: DateTime<Utc>, kind: &str, note: Option<&str>) -> Write {
    Write {
        at: Some(at),
        actor: "officer:1".into(),
        event: Some((kind.into(), note.map(str::to_string))),
        documents: vec![],
        mails: vec![],
        audit: Some(audit(&format!("request.{kind}"), "request")),
    }
}

fn new_unit(code: &str, kind: UnitKind, parent: Option<UnitId>) -> NewUnit {
    NewUnit { code: code.into(), name: format!("Unit {code}"), name_en: format!("Unit {code} (en)"), kind, parent }
}

fn new_officer(username: &str, role: Role, unit: Option<UnitId>) -> NewOfficer {
    NewOfficer {
        username: username.into(),
        display_name: format!("Petugas {username}"),
        email: format!("{username}@example.go.id"),
        role,
        unit,
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1${username}"),
        created_at: t("2026-01-02T03:04:05Z"),
    }
}

fn new_mail(key: &str, created_at: DateTime<Utc>) -> NewMail {
    NewMail {
        dedup_key: key.into(),
        to_enc: [b"to:".as_slice(), key.as_bytes(), &[0, 255, 1]].concat(),
        subject: format!("Subjek {key}"),
        body_enc: [key.as_bytes(), &[0u8, 128, 255, 7]].concat(),
        created_at,
    }
}

fn new_doc(kind: DocumentKind, name: &str, data: Vec<u8>) -> NewDocument {
    NewDocument { kind, filename: name.into(), content_type: "application/pdf".into(), sha256: format!("sha-of-{name}"), data }
}

fn new_objection(year: i32, summary: &str, day0: &str) -> NewObjection {
    let day0 = d(day0);
    NewObjection {
        year,
        summary: summary.into(),
        filed_at: day0.and_hms_opt(3, 30, 0).expect("time").and_utc(),
        late: false,
        clock: objection_clock(vec![ObjectionGround::C, ObjectionGround::G], day0),
    }
}

/// Bytes that are not UTF-8 and contain every byte value, NUL included.
fn binary_bytes(n: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..n)
        .map(|i| {
            if i < 256 {
                (255 - i) as u8
            } else {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            }
        })
        .collect()
}

/// `mails_for` of a registration that queues no mail of its own.
fn no_mails(_reg_no: &str) -> Vec<NewMail> {
    Vec::new()
}

fn sorted_keys(mails: &[QueuedMail]) -> Vec<String> {
    let mut keys: Vec<String> = mails.iter().map(|m| m.dedup_key.clone()).collect();
    keys.sort();
    keys
}

fn filter() -> RequestFilter {
    RequestFilter { limit: 100, ..Default::default() }
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(r: R<T>, what: &str) {
    match r {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what}: expected Conflict, got {other:?}"),
    }
}

#[track_caller]
fn assert_not_found<T: std::fmt::Debug>(r: R<T>, what: &str) {
    match r {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

async fn must_request(s: &dyn Store, id: RequestId) -> R<StoredRequest> {
    Ok(s.request(id).await?.expect("request exists"))
}

async fn verify_chain(s: &dyn Store) -> R<ChainHead> {
    let entries = s.audit_entries().await?;
    let head = s.audit_head().await?;
    let verified = verify(&entries, &head).unwrap_or_else(|e| panic!("audit chain does not verify: {e}"));
    assert_eq!(verified, head);
    assert_eq!(entries.len() as i64, head.count);
    Ok(head)
}

/// Every field of a stored request that came from `n`.
#[track_caller]
fn assert_request_matches(r: &StoredRequest, n: &NewRequest) {
    assert_eq!(r.token_hash, n.token_hash);
    assert_eq!(r.channel, n.channel);
    assert_eq!(r.requester_kind, n.requester_kind);
    assert_eq!(r.identity_enc, n.identity_enc, "identity_enc must round-trip byte for byte");
    assert_eq!(r.display_name, n.display_name);
    assert_eq!(r.subject, n.subject);
    assert_eq!(r.details, n.details);
    assert_eq!(r.purpose, n.purpose);
    assert_eq!(r.obtain, n.obtain);
    assert_eq!(r.delivery, n.delivery);
    assert_eq!(r.received_at, n.received_at);
    assert_eq!(r.clock, n.clock);
}

fn reg_nos(items: &[StoredRequest]) -> Vec<String> {
    items.iter().map(|r| r.reg_no.clone()).collect()
}

/// Every field of two stored objections (the type has no `PartialEq`).
#[track_caller]
fn assert_same_objection(a: &StoredObjection, b: &StoredObjection) {
    assert_eq!((a.id, &a.reg_no, a.request, &a.summary, a.filed_at, a.late), (b.id, &b.reg_no, b.request, &b.summary, b.filed_at, b.late));
    assert_eq!((&a.clock, &a.decision_text, a.decided_by, a.version), (&b.clock, &b.decision_text, b.decided_by, b.version));
}

// ---------------------------------------------------------------------------------------------
// 1. Units and officers
// ---------------------------------------------------------------------------------------------

async fn units_and_officers(s: &dyn Store) -> R {
    assert!(s.list_units().await?.is_empty());
    let utama = s.insert_unit(new_unit("PPID", UnitKind::Utama, None), audit("unit.create", "unit:PPID")).await?;
    let dinas = s.insert_unit(new_unit("DISDIK", UnitKind::Pelaksana, Some(utama)), audit("unit.create", "unit:DISDIK")).await?;
    assert_ne!(utama, dinas);
    let units = s.list_units().await?;
    assert_eq!(
        units,
        vec![
            Unit { id: utama, code: "PPID".into(), name: "Unit PPID".into(), name_en: "Unit PPID (en)".into(), kind: UnitKind::Utama, parent: None },
            Unit {
                id: dinas,
                code: "DISDIK".into(),
                name: "Unit DISDIK".into(),
                name_en: "Unit DISDIK (en)".into(),
                kind: UnitKind::Pelaksana,
                parent: Some(utama)
            },
        ]
    );
    let head = s.audit_head().await?;
    assert_conflict(s.insert_unit(new_unit("PPID", UnitKind::Pelaksana, None), audit("unit.create", "unit:PPID")).await, "duplicate unit code");
    assert_eq!(s.list_units().await?.len(), 2);
    assert_eq!(s.audit_head().await?, head, "a refused unit leaves no audit entry");

    // Officers: inserted out of alphabetical order, listed by username.
    let zaki = s.insert_officer(new_officer("zaki", Role::PpidPelaksana, Some(dinas)), audit("officer.create", "officer:zaki")).await?;
    let ani = s.insert_officer(new_officer("ani", Role::Admin, None), audit("officer.create", "officer:ani")).await?;
    let officers = s.list_officers().await?;
    assert_eq!(officers.iter().map(|o| o.username.as_str()).collect::<Vec<_>>(), ["ani", "zaki"]);

    let z = s.officer_by_username("zaki").await?.expect("zaki exists");
    let expected = new_officer("zaki", Role::PpidPelaksana, Some(dinas));
    assert_eq!(z.id, zaki);
    assert_eq!(z.display_name, expected.display_name);
    assert_eq!(z.email, expected.email);
    assert_eq!(z.role, Role::PpidPelaksana);
    assert_eq!(z.unit, Some(dinas));
    assert_eq!(z.password_hash, expected.password_hash);
    assert_eq!(z.created_at, expected.created_at);
    assert!(z.active, "new officers are active");
    assert_eq!(s.officer(zaki).await?.as_ref(), Some(&z));
    assert_eq!(s.officer(ani).await?.map(|o| (o.username, o.unit, o.role)), Some(("ani".to_string(), None, Role::Admin)));
    assert!(s.officer(999).await?.is_none());
    assert!(s.officer_by_username("nobody").await?.is_none());
    assert!(s.officer_by_username("ZAKI").await?.is_none(), "usernames are exact");

    let head = s.audit_head().await?;
    assert_conflict(s.insert_officer(new_officer("zaki", Role::Admin, None), audit("officer.create", "officer:zaki")).await, "duplicate username");
    assert_eq!(s.list_officers().await?.len(), 2);
    assert_eq!(s.audit_head().await?, head, "a refused officer leaves no audit entry");

    // Disabling an officer ends that officer's sessions, and only those.
    let now = t("2026-01-05T02:00:00Z");
    for (token, officer) in [("z1", zaki), ("z2", zaki), ("a1", ani)] {
        s.insert_session(Session { token_hash: token.into(), officer, csrf: format!("csrf-{token}"), created_at: now, expires_at: now + Duration::hours(8) })
            .await?;
    }
    assert!(s.session("z1", now).await?.is_some());
    s.set_officer_active(zaki, false, audit("officer.disable", "officer:zaki")).await?;
    assert!(!s.officer(zaki).await?.expect("zaki").active);
    assert!(s.session("z1", now).await?.is_none(), "sessions of a disabled officer end");
    assert!(s.session("z2", now).await?.is_none(), "sessions of a disabled officer end");
    assert!(s.session("a1", now).await?.is_some(), "other officers keep their sessions");
    s.set_officer_active(zaki, true, audit("officer.enable", "officer:zaki")).await?;
    assert!(s.officer(zaki).await?.expect("zaki").active);
    assert_not_found(s.set_officer_active(999, false, audit("officer.disable", "officer:999")).await, "disable unknown officer");

    let head = verify_chain(s).await?;
    assert_eq!(head.count, 2 + 2 + 2, "2 units, 2 officers, disable + enable");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. Registration numbers and request round-trip
// ---------------------------------------------------------------------------------------------

async fn registration_numbers(s: &dyn Store) -> R {
    let mut a = new_request(2026, "tok-a", "Anggaran 2026", "2026-01-05");
    a.identity_enc = binary_bytes(300);
    a.obtain = vec![ObtainMethod::HardCopy, ObtainMethod::View, ObtainMethod::SoftCopy];
    // Mails come from the write (known before the number) and from `mails_for` (built once the
    // number is assigned); both are queued in the registration's transaction.
    let mut mail_write = reg_write(t("2026-01-05T02:00:00Z"));
    mail_write.mails = vec![new_mail("notify-ppid:tok-a", t("2026-01-05T02:00:00Z"))];
    let seen = std::sync::Mutex::new(Vec::new());
    let mails_for = |reg_no: &str| {
        seen.lock().expect("lock").push(reg_no.to_string());
        vec![new_mail(&format!("ack:{reg_no}"), t("2026-01-05T02:00:00Z"))]
    };
    let ra = s.insert_request(a.clone(), mail_write, &mails_for).await?;
    assert_eq!(*seen.lock().expect("lock"), ["PMH-2026-00001"], "mails_for is called once, with the assigned number");

    let mut b = new_request(2026, "tok-b", "Data kemiskinan", "2026-01-06");
    b.obtain = vec![];
    b.display_name = None;
    b.channel = Channel::Post;
    b.requester_kind = RequesterKind::LegalEntity;
    b.delivery = DeliveryMethod::Courier;
    let rb = s.insert_request(b.clone(), reg_write(t("2026-01-06T02:00:00Z")), &no_mails).await?;

    let c = new_request(2025, "tok-c", "Laporan tahunan 2025", "2025-12-29");
    let rc = s.insert_request(c.clone(), reg_write(t("2025-12-29T02:00:00Z")), &no_mails).await?;

    assert_eq!(ra.reg_no, "PMH-2026-00001");
    assert_eq!(rb.reg_no, "PMH-2026-00002");
    assert_eq!(rc.reg_no, "PMH-2025-00001", "numbers restart every year");
    assert_eq!(BTreeSet::from([ra.id, rb.id, rc.id]).len(), 3);

    for (stored, new) in [(&ra, &a), (&rb, &b), (&rc, &c)] {
        assert_request_matches(stored, new);
        assert_eq!(stored.version, 1);
        assert_eq!(stored.fee, 0);
        assert_eq!(stored.extension_reason, None);
        assert_eq!(stored.notice_json, None);
        assert_eq!(stored.state(), RequestState::Registered);
    }
    assert!(rb.obtain.is_empty(), "an empty obtain list round-trips as empty");

    // Found by number, by token and by id, with the same content.
    let by_no = s.request_by_reg_no("PMH-2026-00002").await?.expect("by reg_no");
    assert_eq!(by_no.id, rb.id);
    assert_request_matches(&by_no, &b);
    let by_token = s.request_by_token("tok-a").await?.expect("by token");
    assert_eq!(by_token.reg_no, "PMH-2026-00001");
    assert_eq!(by_token.identity_enc, a.identity_enc);
    assert_eq!(by_token.obtain, vec![ObtainMethod::HardCopy, ObtainMethod::View, ObtainMethod::SoftCopy]);
    assert_eq!(s.request_by_token("tok-c").await?.map(|r| r.reg_no), Some("PMH-2025-00001".into()));
    assert_request_matches(&must_request(s, rc.id).await?, &c);
    assert!(s.request_by_reg_no("PMH-2026-00099").await?.is_none());
    assert!(s.request_by_reg_no("pmh-2026-00001").await?.is_none(), "lookup by number is exact");
    assert!(s.request_by_token("tok-zzz").await?.is_none());
    assert!(s.request(999_999).await?.is_none());

    // A second request with the same tracking token is refused, and burns no number.
    let head = s.audit_head().await?;
    let counts = s.outbox_counts().await?;
    let mut dup_write = reg_write(t("2026-01-07T02:00:00Z"));
    dup_write.mails = vec![new_mail("dup:write", t("2026-01-07T02:00:00Z"))];
    let dup_mails = |reg_no: &str| vec![new_mail(&format!("dup:{reg_no}"), t("2026-01-07T02:00:00Z"))];
    assert_conflict(s.insert_request(new_request(2026, "tok-a", "dup", "2026-01-07"), dup_write, &dup_mails).await, "duplicate token");
    assert_eq!(s.audit_head().await?, head);
    assert_eq!(s.outbox_counts().await?, counts, "a refused registration queues no mail");
    let rd = s.insert_request(new_request(2026, "tok-d", "Keempat", "2026-01-07"), reg_write(t("2026-01-07T02:00:00Z")), &no_mails).await?;
    assert_eq!(rd.reg_no, "PMH-2026-00003", "a refused registration leaves no gap in the numbers");

    // The first history event, the audit subject and the mail key carry the number.
    let events = s.request_events(ra.id).await?;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].at, t("2026-01-05T02:00:00Z"));
    assert_eq!(events[0].actor, "requester");
    assert_eq!(events[0].kind, "registered");
    assert_eq!(events[0].from_state, None);
    assert_eq!(events[0].to_state.as_deref(), Some("registered"));
    assert_eq!(events[0].note, None);
    let entries = s.audit_entries().await?;
    let subjects: Vec<&str> = entries.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects, ["request:PMH-2026-00001", "request:PMH-2026-00002", "request:PMH-2025-00001", "request:PMH-2026-00003"]);
    let mut mails: Vec<String> = s.claim_mails(t("2026-01-05T03:00:00Z"), 60, 10).await?.into_iter().map(|m| m.dedup_key).collect();
    mails.sort();
    assert_eq!(mails, ["ack:PMH-2026-00001", "notify-ppid:tok-a"]);

    assert_eq!(s.request_years().await?, vec![2026, 2025]);
    verify_chain(s).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. update_request: optimistic versioning and all-or-nothing writes
// ---------------------------------------------------------------------------------------------

async fn update_request_versioning(s: &dyn Store) -> R {
    let unit = s.insert_unit(new_unit("DISDIK", UnitKind::Pelaksana, None), audit("unit.create", "unit:DISDIK")).await?;
    let r = s.insert_request(new_request(2026, "tok", "Anggaran", "2026-01-05"), reg_write(t("2026-01-05T02:00:00Z")), &no_mails).await?;
    assert_eq!(r.version, 1);

    // Route it.
    let mut routed = r.clone();
    routed.clock.state = RequestState::InProcess;
    routed.clock.unit = Some(unit);
    let at = t("2026-01-06T03:00:00Z");
    let saved = s.update_request(&routed, 1, None, officer_write(at, "route", None)).await?;
    assert_eq!(saved.version, 2, "a successful update bumps the version");
    assert_eq!(saved.state(), RequestState::InProcess);
    assert_eq!(saved.clock.unit, Some(unit));
    assert_eq!(saved.updated_at, at);
    assert_eq!(saved.reg_no, r.reg_no);
    assert_eq!(must_request(s, r.id).await?.version, 2);

    // Extend it, with every optional column set.
    let mut extended = saved.clone();
    extended.clock.state = RequestState::Extended;
    extended.clock.extended = true;
    extended.clock.notice_due = d("2026-01-28");
    extended.clock.notice_day = Some(d("2026-01-20"));
    extended.clock.fee_day = Some(d("2026-01-21"));
    extended.clock.delivered_day = Some(d("2026-01-22"));
    extended.clock.outcome = Some(terbuka_domain::Outcome::GrantedPartial);
    extended.extension_reason = Some("Perlu konsultasi".into());
    extended.notice_json = Some("{\"outcome\":\"granted_partial\"}".into());
    extended.fee = 15_000;
    let saved = s.update_request(&extended, 2, None, officer_write(t("2026-01-07T03:00:00Z"), "extend", Some("Perlu konsultasi"))).await?;
    assert_eq!(saved.version, 3);
    let back = must_request(s, r.id).await?;
    assert_eq!(back.clock, extended.clock);
    assert_eq!(back.extension_reason.as_deref(), Some("Perlu konsultasi"));
    assert_eq!(back.notice_json, extended.notice_json);
    assert_eq!(back.fee, 15_000);
    assert_eq!(back.version, 3);

    // Re-using an old version is refused.
    let mut again = saved.clone();
    again.clock.state = RequestState::Withdrawn;
    assert_conflict(s.update_request(&again, 2, None, officer_write(t("2026-01-08T03:00:00Z"), "withdraw", None)).await, "stale version");
    assert_conflict(s.update_request(&again, 4, None, officer_write(t("2026-01-08T03:00:00Z"), "withdraw", None)).await, "future version");
    assert_eq!(must_request(s, r.id).await?.state(), RequestState::Extended);

    // The history records each move with its states and notes.
    let events = s.request_events(r.id).await?;
    let summary: Vec<_> = events.iter().map(|e| (e.kind.as_str(), e.from_state.as_deref(), e.to_state.as_deref(), e.note.as_deref())).collect();
    assert_eq!(
        summary,
        vec![
            ("registered", None, Some("registered"), None),
            ("route", Some("registered"), Some("in_process"), None),
            ("extend", Some("in_process"), Some("extended"), Some("Perlu konsultasi")),
        ]
    );
    assert_eq!(events[1].actor, "officer:1");
    assert_eq!(events[1].at, at);

    // An update without an event or audit entry still saves the request.
    let mut quiet = back.clone();
    quiet.fee = 20_000;
    let saved = s.update_request(&quiet, 3, None, Write { at: Some(t("2026-01-09T03:00:00Z")), actor: "system".into(), ..Default::default() }).await?;
    assert_eq!((saved.version, saved.fee), (4, 20_000));
    assert_eq!(s.request_events(r.id).await?.len(), 3);

    // Updating a request that does not exist.
    let mut ghost = saved.clone();
    ghost.id = 999_999;
    assert_not_found(s.update_request(&ghost, 1, None, officer_write(t("2026-01-09T03:00:00Z"), "route", None)).await, "unknown request");

    let head = verify_chain(s).await?;
    assert_eq!(head.count, 1 + 1 + 2, "unit, registration, route, extend");
    Ok(())
}

async fn stale_update_saves_nothing(s: &dyn Store) -> R {
    let r = s.insert_request(new_request(2026, "tok", "Anggaran", "2026-01-05"), reg_write(t("2026-01-05T02:00:00Z")), &no_mails).await?;
    let mut w = officer_write(t("2026-01-06T03:00:00Z"), "route", None);
    w.mails = vec![new_mail("route:1", t("2026-01-06T03:00:00Z"))];
    w.documents = vec![new_doc(DocumentKind::Response, "a.pdf", b"first".to_vec())];
    let mut moved = r.clone();
    moved.clock.state = RequestState::InProcess;
    let current = s.update_request(&moved, 1, None, w).await?;
    assert_eq!(current.version, 2);

    let events = s.request_events(r.id).await?;
    let docs = s.documents(r.id).await?;
    let counts = s.outbox_counts().await?;
    let head = s.audit_head().await?;
    assert_eq!(events.len(), 2);
    assert_eq!(docs.len(), 1);
    assert_eq!(counts, (1, 0));
    assert_eq!(head.count, 2);

    // Everything at once, but against the version that was read before the route.
    let mut stale = current.clone();
    stale.clock.state = RequestState::UnderObjection;
    stale.fee = 99;
    let write = Write {
        at: Some(t("2026-01-07T03:00:00Z")),
        actor: "requester".into(),
        event: Some(("objection".into(), Some("keberatan".into()))),
        documents: vec![new_doc(DocumentKind::IdentityScan, "ktp.bin", binary_bytes(1000))],
        mails: vec![new_mail("objection:1", t("2026-01-07T03:00:00Z")), new_mail("objection:2", t("2026-01-07T03:00:00Z"))],
        audit: Some(audit("objection.file", "objection")),
    };
    let result = s.update_request(&stale, 1, Some(ObjectionWrite::Insert(new_objection(2026, "Tidak dijawab", "2026-01-07"))), write.clone()).await;
    assert_conflict(result, "stale expected_version");

    let after = must_request(s, r.id).await?;
    assert_eq!(after.version, 2);
    assert_eq!(after.state(), RequestState::InProcess);
    assert_eq!(after.fee, 0);
    assert!(s.objections_of(r.id).await?.is_empty(), "no objection half-saved");
    assert!(s.list_objections(false).await?.is_empty(), "no objection half-saved");
    assert_eq!(s.request_events(r.id).await?, events, "no history event half-saved");
    assert_eq!(s.documents(r.id).await?, docs, "no document half-saved");
    assert_eq!(s.outbox_counts().await?, counts, "no mail half-saved");
    assert_eq!(s.audit_head().await?, head, "no audit entry half-saved");
    assert!(s.claim_mails(t("2026-02-01T00:00:00Z"), 60, 10).await?.iter().all(|m| m.dedup_key == "route:1"));

    // The same change at the right version goes through whole, and the objection number
    // consumed by nothing before is the first one.
    let saved = s.update_request(&stale, 2, Some(ObjectionWrite::Insert(new_objection(2026, "Tidak dijawab", "2026-01-07"))), write).await?;
    assert_eq!(saved.version, 3);
    assert_eq!(saved.state(), RequestState::UnderObjection);
    let objections = s.objections_of(r.id).await?;
    assert_eq!(objections.len(), 1);
    assert_eq!(objections[0].reg_no, "KBR-2026-00001");
    assert_eq!(s.request_events(r.id).await?.len(), 3);
    assert_eq!(s.documents(r.id).await?.len(), 2);
    assert_eq!(s.outbox_counts().await?, (3, 0));
    assert_eq!(verify_chain(s).await?.count, 3);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 4. list_requests
// ---------------------------------------------------------------------------------------------

struct Seed {
    token: &'static str,
    year: i32,
    subject: &'static str,
    day0: &'static str,
    received: &'static str,
    due: &'static str,
    state: RequestState,
    unit: Option<usize>,
}

/// Registers the seeds in order (so reg numbers follow it) and returns token -> reg_no.
async fn seed_requests(s: &dyn Store, seeds: &[Seed]) -> R<(Vec<UnitId>, std::collections::BTreeMap<&'static str, String>)> {
    let u1 = s.insert_unit(new_unit("U1", UnitKind::Pelaksana, None), audit("unit.create", "unit:U1")).await?;
    let u2 = s.insert_unit(new_unit("U2", UnitKind::Pelaksana, None), audit("unit.create", "unit:U2")).await?;
    let units = vec![u1, u2];
    let mut out = std::collections::BTreeMap::new();
    for seed in seeds {
        let mut n = new_request(seed.year, seed.token, seed.subject, seed.day0);
        n.received_at = t(seed.received);
        n.clock.notice_due = d(seed.due);
        n.clock.state = seed.state;
        n.clock.unit = seed.unit.map(|i| units[i]);
        let r = s.insert_request(n, reg_write(t(seed.received)), &no_mails).await?;
        assert_eq!(r.clock.unit, seed.unit.map(|i| units[i]));
        out.insert(seed.token, r.reg_no);
    }
    Ok((units, out))
}

fn filter_seeds() -> Vec<Seed> {
    use RequestState::*;
    let seed = |token, year, subject, day0, received, due, state, unit| Seed { token, year, subject, day0, received, due, state, unit };
    vec![
        seed("a", 2026, "Anggaran Dinas Pendidikan", "2026-01-05", "2026-01-05T02:00:00Z", "2026-01-19", Registered, None),
        seed("b", 2026, "Data 100% realisasi", "2026-01-06", "2026-01-06T02:00:00Z", "2026-01-20", InProcess, Some(0)),
        seed("c", 2026, "Kontrak_pengadaan jalan", "2026-01-07", "2026-01-07T02:00:00Z", "2026-01-21", InProcess, Some(1)),
        seed("d", 2026, "Kontrak pengadaan jembatan", "2026-01-08", "2026-01-08T02:00:00Z", "2026-01-22", Granted, Some(0)),
        seed("e", 2025, "ANGGARAN tahun lalu", "2025-12-22", "2025-12-22T02:00:00Z", "2026-01-06", Registered, None),
        seed("f", 2026, "Data 1000 realisasi", "2026-01-09", "2026-01-09T02:00:00Z", "2026-01-23", Registered, None),
        seed("g", 2026, "Berkas C:\\dokumen\\arsip", "2026-01-12", "2026-01-12T02:00:00Z", "2026-01-26", Extended, Some(1)),
    ]
}

async fn list_requests_filters(s: &dyn Store) -> R {
    let (units, no) = seed_requests(s, &filter_seeds()).await?;
    let (u1, u2) = (units[0], units[1]);
    // Returns the matching seed tokens, sorted, after checking total == items.len().
    let run = |f: RequestFilter| async move {
        let page = s.list_requests(&f).await?;
        assert_eq!(page.total, page.items.len() as i64, "total for {f:?}");
        let mut tokens: Vec<String> = page.items.iter().map(|r| r.token_hash.clone()).collect();
        tokens.sort();
        Ok::<_, StoreError>(tokens)
    };

    assert_eq!(run(filter()).await?, ["a", "b", "c", "d", "e", "f", "g"]);
    assert_eq!(run(RequestFilter { unit: Some(u1), ..filter() }).await?, ["b", "d"]);
    assert_eq!(run(RequestFilter { unit: Some(u2), ..filter() }).await?, ["c", "g"]);
    assert_eq!(run(RequestFilter { unit: Some(999), ..filter() }).await?, Vec::<String>::new());
    assert_eq!(run(RequestFilter { unrouted: true, ..filter() }).await?, ["a", "e", "f"]);
    assert_eq!(run(RequestFilter { states: vec![RequestState::InProcess], ..filter() }).await?, ["b", "c"]);
    assert_eq!(
        run(RequestFilter { states: vec![RequestState::InProcess, RequestState::Granted, RequestState::Extended], ..filter() }).await?,
        ["b", "c", "d", "g"]
    );
    assert_eq!(run(RequestFilter { states: vec![RequestState::Closed], ..filter() }).await?, Vec::<String>::new());
    assert_eq!(run(RequestFilter { year: Some(2025), ..filter() }).await?, ["e"]);
    assert_eq!(run(RequestFilter { year: Some(2026), ..filter() }).await?, ["a", "b", "c", "d", "f", "g"]);
    assert_eq!(run(RequestFilter { year: Some(2024), ..filter() }).await?, Vec::<String>::new());
    assert_eq!(run(RequestFilter { unit: Some(u1), states: vec![RequestState::Granted], ..filter() }).await?, ["d"]);
    assert_eq!(run(RequestFilter { unrouted: true, year: Some(2026), states: vec![RequestState::Registered], ..filter() }).await?, ["a", "f"]);

    // Text: case-insensitive on subject and number, trimmed, wildcards taken literally.
    let text = |q: &str| RequestFilter { text: Some(q.to_string()), ..filter() };
    assert_eq!(run(text("anggaran")).await?, ["a", "e"]);
    assert_eq!(run(text("ANGGARAN")).await?, ["a", "e"]);
    assert_eq!(run(text("  aNgGaRaN  ")).await?, ["a", "e"]);
    assert_eq!(run(text("pmh-2025")).await?, ["e"]);
    assert_eq!(run(text(&no["c"].to_lowercase())).await?, ["c"]);
    assert_eq!(run(text(&no["c"])).await?, ["c"]);
    assert_eq!(run(text("PMH-2026-0000")).await?, ["a", "b", "c", "d", "f", "g"]);
    assert_eq!(run(text("100%")).await?, ["b"], "% is a character, not a wildcard");
    assert_eq!(run(text("%")).await?, ["b"], "% is a character, not a wildcard");
    assert_eq!(run(text("data 10%0")).await?, Vec::<String>::new(), "% is a character, not a wildcard");
    assert_eq!(run(text("kontrak_p")).await?, ["c"], "_ is a character, not a wildcard");
    assert_eq!(run(text("_")).await?, ["c"], "_ is a character, not a wildcard");
    assert_eq!(run(text("kontrak pengadaan")).await?, ["d"]);
    assert_eq!(run(text("c:\\dokumen\\")).await?, ["g"], "backslash is a character");
    assert_eq!(run(text("\\")).await?, ["g"], "backslash is a character");
    assert_eq!(run(text("'")).await?, Vec::<String>::new(), "a quote is a character");
    assert_eq!(run(text("tidak ada")).await?, Vec::<String>::new());
    assert_eq!(run(text("   ")).await?, ["a", "b", "c", "d", "e", "f", "g"], "blank text does not filter");
    assert_eq!(run(RequestFilter { text: Some("realisasi".into()), unit: Some(u1), ..filter() }).await?, ["b"]);
    assert_eq!(run(RequestFilter { text: Some("kontrak".into()), year: Some(2026), states: vec![RequestState::Granted], ..filter() }).await?, ["d"]);
    Ok(())
}

/// A subject typed with non-ASCII capitals ("É") must at least be found by the same text. Full
/// Unicode case folding is not part of the contract: SQLite's LOWER folds ASCII only, so
/// "ékonomi" finds "ÉKONOMI" on PostgreSQL but not on SQLite.
async fn list_requests_text_non_ascii(s: &dyn Store) -> R {
    use RequestState::*;
    let seed = |token, subject| Seed {
        token,
        year: 2026,
        subject,
        day0: "2026-01-05",
        received: "2026-01-05T02:00:00Z",
        due: "2026-01-19",
        state: Registered,
        unit: None,
    };
    seed_requests(s, &[seed("x", "ÉKONOMI Kreatif Daerah"), seed("y", "Perda ekonomi desa"), seed("z", "Jalan Ñandú")]).await?;
    let run = |q: &'static str| async move {
        let page = s.list_requests(&RequestFilter { text: Some(q.into()), ..filter() }).await?;
        assert_eq!(page.total, page.items.len() as i64);
        let mut tokens: Vec<String> = page.items.iter().map(|r| r.token_hash.clone()).collect();
        tokens.sort();
        Ok::<_, StoreError>(tokens)
    };
    assert_eq!(run("ÉKONOMI").await?, ["x"], "the exact text of a subject finds it");
    assert_eq!(run("ÉKONOMI Kreatif").await?, ["x"]);
    assert_eq!(run("É").await?, ["x"]);
    assert_eq!(run("Ñandú").await?, ["z"]);
    assert_eq!(run("KREATIF").await?, ["x"], "ASCII letters are case-insensitive next to non-ASCII ones");
    assert_eq!(run("EKONOMI").await?, ["y"], "E and É are different letters");
    Ok(())
}

async fn list_requests_order_and_paging(s: &dyn Store) -> R {
    use RequestState::*;
    let seed = |token, received, due| Seed { token, year: 2026, subject: "Permohonan", day0: "2026-02-02", received, due, state: Registered, unit: None };
    // Registration order p, q, r, s, t; received order and due order both differ from it.
    let seeds = vec![
        seed("p", "2026-02-02T05:00:00Z", "2026-02-20"),
        seed("q", "2026-02-02T01:00:00Z", "2026-02-16"),
        seed("r", "2026-02-02T03:00:00Z", "2026-02-16"),
        seed("s", "2026-02-02T09:00:00Z", "2026-02-18"),
        seed("t", "2026-02-02T03:00:00Z", "2026-02-27"),
    ];
    seed_requests(s, &seeds).await?;
    let tokens = |items: &[StoredRequest]| items.iter().map(|r| r.token_hash.clone()).collect::<Vec<_>>();

    // Newest: received_at descending, the later registration first on a tie.
    let newest = s.list_requests(&RequestFilter { order: RequestOrder::Newest, ..filter() }).await?;
    assert_eq!(tokens(&newest.items), ["s", "p", "t", "r", "q"]);
    // DueFirst: earliest notice deadline first, the earlier registration first on a tie.
    let due = s.list_requests(&RequestFilter { order: RequestOrder::DueFirst, ..filter() }).await?;
    assert_eq!(tokens(&due.items), ["q", "r", "s", "p", "t"]);
    assert_eq!(reg_nos(&due.items)[0], "PMH-2026-00002");

    // Paging keeps the full total.
    let page = |limit, offset, order| RequestFilter { order, limit, offset, ..filter() };
    let p1 = s.list_requests(&page(2, 0, RequestOrder::DueFirst)).await?;
    let p2 = s.list_requests(&page(2, 2, RequestOrder::DueFirst)).await?;
    let p3 = s.list_requests(&page(2, 4, RequestOrder::DueFirst)).await?;
    let p4 = s.list_requests(&page(2, 6, RequestOrder::DueFirst)).await?;
    assert_eq!(tokens(&p1.items), ["q", "r"]);
    assert_eq!(tokens(&p2.items), ["s", "p"]);
    assert_eq!(tokens(&p3.items), ["t"]);
    assert!(p4.items.is_empty());
    for p in [&p1, &p2, &p3, &p4] {
        assert_eq!(p.total, 5);
    }
    let n2 = s.list_requests(&page(3, 1, RequestOrder::Newest)).await?;
    assert_eq!((tokens(&n2.items), n2.total), (vec!["p".to_string(), "t".into(), "r".into()], 5));

    // Paging combined with a filter counts the filtered set.
    let mut f = page(1, 1, RequestOrder::Newest);
    f.text = Some("permohonan".into());
    let filtered = s.list_requests(&f).await?;
    assert_eq!((tokens(&filtered.items), filtered.total), (vec!["p".to_string()], 5));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 5. Audit chain
// ---------------------------------------------------------------------------------------------

async fn audit_chain(s: &dyn Store) -> R {
    let empty = verify_chain(s).await?;
    assert_eq!(empty.count, 0);
    assert_eq!(empty.hash, terbuka_domain::audit::GENESIS);

    let unit = s.insert_unit(new_unit("PPID", UnitKind::Utama, None), audit("unit.create", "unit:PPID")).await?;
    let officer = s.insert_officer(new_officer("ani", Role::PpidUtama, Some(unit)), audit("officer.create", "officer:ani")).await?;
    s.seed_days_off(
        vec![DayOff { date: d("2026-01-01"), kind: DayOffKind::Holiday, name: "Tahun Baru".into(), name_en: "New Year".into() }],
        audit("calendar.seed", "calendar"),
    )
    .await?;
    let r = s.insert_request(new_request(2026, "tok", "Anggaran", "2026-01-05"), reg_write(t("2026-01-05T02:00:00Z")), &no_mails).await?;
    // Without an audit entry: nothing appended.
    let mut silent = reg_write(t("2026-01-05T02:00:00Z"));
    silent.audit = None;
    s.insert_request(new_request(2026, "tok2", "Tanpa audit", "2026-01-05"), silent, &no_mails).await?;
    let mut moved = r.clone();
    moved.clock.state = RequestState::InProcess;
    moved.clock.unit = Some(unit);
    s.update_request(&moved, 1, None, officer_write(t("2026-01-06T02:00:00Z"), "route", None)).await?;
    s.append_audit(NewAuditEntry {
        actor: format!("officer:{officer}"),
        action: "export.csv".into(),
        subject: "requests".into(),
        detail: "{\"rows\":2}".into(),
    })
    .await?;
    s.set_officer_active(officer, false, audit("officer.disable", "officer:ani")).await?;
    s.insert_day_off(
        DayOff { date: d("2026-03-20"), kind: DayOffKind::Holiday, name: "Nyepi".into(), name_en: "Day of Silence".into() },
        audit("calendar.add", "2026-03-20"),
    )
    .await?;
    s.delete_day_off(d("2026-03-20"), DayOffKind::Holiday, audit("calendar.delete", "2026-03-20")).await?;

    let head = verify_chain(s).await?;
    assert_eq!(head.count, 9);
    assert_ne!(head.hash, terbuka_domain::audit::GENESIS);
    let entries = s.audit_entries().await?;
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "unit.create",
            "officer.create",
            "calendar.seed",
            "request.register",
            "request.route",
            "export.csv",
            "officer.disable",
            "calendar.add",
            "calendar.delete"
        ]
    );
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=9).collect::<Vec<i64>>());
    assert_eq!(entries[5].actor, format!("officer:{officer}"));
    assert_eq!(entries[5].detail, "{\"rows\":2}");
    assert_eq!(entries[3].subject, "request:PMH-2026-00001");
    for e in &entries {
        assert!(DateTime::parse_from_rfc3339(&e.at).is_ok(), "audit time {:?} is RFC 3339", e.at);
    }

    // The verification really checks what is stored: a tampered copy fails.
    let mut tampered = entries.clone();
    tampered[2].detail = "{\"added\":0}".into();
    assert!(verify(&tampered, &head).is_err());
    assert!(verify(&entries[..8], &head).is_err());
    Ok(())
}

async fn concurrent_writes(s: Arc<dyn Store>) -> R {
    let before = s.insert_request(new_request(2026, "tok-0", "Sebelum", "2026-01-05"), reg_write(t("2026-01-05T01:00:00Z")), &no_mails).await?;
    assert_eq!(before.reg_no, "PMH-2026-00001");

    // 20 registrations at once: all succeed, with distinct consecutive numbers.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            let w = reg_write(t("2026-01-05T02:00:00Z") + Duration::seconds(i));
            let mails_for = |reg_no: &str| vec![new_mail(&format!("ack:{reg_no}"), t("2026-01-05T02:00:00Z"))];
            s.insert_request(new_request(2026, &format!("tok-{}", i + 1), &format!("Permohonan {i}"), "2026-01-05"), w, &mails_for).await
        }));
    }
    let mut numbers = BTreeSet::new();
    for task in tasks {
        let r = task.await.expect("task did not panic").expect("concurrent registration succeeds");
        assert!(numbers.insert(r.reg_no.clone()), "duplicate number {}", r.reg_no);
    }
    let expected: BTreeSet<String> = (2..=21).map(|n| format!("PMH-2026-{n:05}")).collect();
    assert_eq!(numbers, expected);
    let all = s.list_requests(&filter()).await?;
    assert_eq!(all.total, 21);
    assert_eq!(s.outbox_counts().await?, (20, 0), "each registration queued its own mail");
    let mut keys: Vec<String> = s.claim_mails(t("2026-01-06T00:00:00Z"), 60, 100).await?.into_iter().map(|m| m.dedup_key).collect();
    keys.sort();
    assert_eq!(keys, expected.iter().map(|n| format!("ack:{n}")).collect::<Vec<_>>(), "each mail carries its own request's number");
    let head = verify_chain(s.as_ref()).await?;
    assert_eq!(head.count, 21);
    let subjects: BTreeSet<String> = s.audit_entries().await?.into_iter().map(|e| e.subject).collect();
    assert_eq!(subjects.len(), 21, "every registration appended its own entry");

    // 10 officers move the same request at once from the same version: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let s = Arc::clone(&s);
        let mut moved = before.clone();
        moved.clock.state = RequestState::InProcess;
        moved.fee = i;
        tasks.push(tokio::spawn(async move { s.update_request(&moved, 1, None, officer_write(t("2026-01-06T02:00:00Z"), "route", None)).await }));
    }
    let mut won = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        match task.await.expect("task did not panic") {
            Ok(r) => won.push(r),
            Err(StoreError::Conflict(_)) => conflicts += 1,
            Err(e) => panic!("unexpected error from a racing update: {e:?}"),
        }
    }
    assert_eq!((won.len(), conflicts), (1, 9));
    let now = must_request(s.as_ref(), before.id).await?;
    assert_eq!(now.version, 2);
    assert_eq!(now.fee, won[0].fee);
    assert_eq!(s.request_events(before.id).await?.len(), 2, "only the winner wrote history");
    assert_eq!(verify_chain(s.as_ref()).await?.count, 22);

    // Mixed writers (plain audit appends and registrations) keep one unbroken chain.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                s.append_audit(audit("test.append", &format!("n{i}"))).await
            } else {
                s.insert_request(new_request(2027, &format!("late-{i}"), "Tahun depan", "2027-01-04"), reg_write(t("2027-01-04T02:00:00Z")), &no_mails)
                    .await
                    .map(|_| ())
            }
        }));
    }
    for task in tasks {
        task.await.expect("task did not panic")?;
    }
    assert_eq!(verify_chain(s.as_ref()).await?.count, 32);

    // Several senders (app nodes) claiming at once never get the same mail.
    let t0 = t("2026-03-01T00:00:00Z");
    let race: Vec<NewMail> = (0..30).map(|i| new_mail(&format!("race:{i:02}"), t0)).collect();
    assert_eq!(s.enqueue_mails(race).await?, 30);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move { s.claim_mails(t0, 300, 10).await }));
    }
    let mut claimed = Vec::new();
    for task in tasks {
        claimed.extend(task.await.expect("task did not panic")?.into_iter().map(|m| (m.id, m.dedup_key)));
    }
    // Whatever the racing claims left (a claim may come back short, never doubled) is claimed now.
    loop {
        let more = s.claim_mails(t0, 300, 100).await?;
        if more.is_empty() {
            break;
        }
        claimed.extend(more.into_iter().map(|m| (m.id, m.dedup_key)));
    }
    let ids: BTreeSet<i64> = claimed.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), claimed.len(), "a mail was claimed twice within its lease");
    let race_keys: BTreeSet<&str> = claimed.iter().map(|(_, k)| k.as_str()).filter(|k| k.starts_with("race:")).collect();
    assert_eq!(race_keys.len(), 30, "every mail is claimed exactly once");
    let y2027 = s.list_requests(&RequestFilter { year: Some(2027), ..filter() }).await?;
    let mut nos = reg_nos(&y2027.items);
    nos.sort();
    assert_eq!(nos, (1..=5).map(|n| format!("PMH-2027-{n:05}")).collect::<Vec<_>>());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 6. Calendar
// ---------------------------------------------------------------------------------------------

fn day_off(date: &str, kind: DayOffKind, name: &str) -> DayOff {
    DayOff { date: d(date), kind, name: name.into(), name_en: format!("{name} (en)") }
}

async fn calendar(s: &dyn Store) -> R {
    assert!(s.list_days_off().await?.is_empty());
    let seed = vec![
        day_off("2026-12-25", DayOffKind::Holiday, "Natal"),
        day_off("2026-03-20", DayOffKind::Holiday, "Idul Fitri"),
        day_off("2026-01-01", DayOffKind::Holiday, "Tahun Baru"),
        day_off("2026-03-23", DayOffKind::CutiBersama, "Cuti Idul Fitri"),
        // Two entries on one date, under different names.
        day_off("2026-03-20", DayOffKind::CutiBersama, "Cuti Bersama Nyepi"),
    ];
    assert_eq!(s.seed_days_off(seed.clone(), audit("calendar.seed", "calendar")).await?, 5);
    let head = s.audit_head().await?;
    assert_eq!(s.seed_days_off(seed.clone(), audit("calendar.seed", "calendar")).await?, 0, "seeding twice adds nothing");
    assert_eq!(s.audit_head().await?, head, "a seed that adds nothing leaves no audit entry");
    let mut more = seed.clone();
    more.push(day_off("2026-08-17", DayOffKind::Holiday, "Hari Kemerdekaan"));
    assert_eq!(s.seed_days_off(more, audit("calendar.seed", "calendar")).await?, 1, "only the new day counts");

    let expected = vec![
        day_off("2026-01-01", DayOffKind::Holiday, "Tahun Baru"),
        day_off("2026-03-20", DayOffKind::CutiBersama, "Cuti Bersama Nyepi"),
        day_off("2026-03-20", DayOffKind::Holiday, "Idul Fitri"),
        day_off("2026-03-23", DayOffKind::CutiBersama, "Cuti Idul Fitri"),
        day_off("2026-08-17", DayOffKind::Holiday, "Hari Kemerdekaan"),
        day_off("2026-12-25", DayOffKind::Holiday, "Natal"),
    ];
    assert_eq!(s.list_days_off().await?, expected, "days off are listed by date (then name), with every field");

    // Adding.
    let head = s.audit_head().await?;
    assert_conflict(s.insert_day_off(day_off("2026-12-25", DayOffKind::CutiBersama, "Natal"), audit("calendar.add", "2026-12-25")).await, "same date and name");
    assert_eq!(s.audit_head().await?, head, "a refused day leaves no audit entry");
    s.insert_day_off(day_off("2026-12-24", DayOffKind::CutiBersama, "Cuti Natal"), audit("calendar.add", "2026-12-24")).await?;
    s.insert_day_off(day_off("2026-02-17", DayOffKind::Holiday, "Imlek"), audit("calendar.add", "2026-02-17")).await?;
    let listed = s.list_days_off().await?;
    assert_eq!(listed.len(), 8);
    let dates: Vec<NaiveDate> = listed.iter().map(|x| x.date).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "list_days_off is sorted by date");
    assert_eq!(listed[1], day_off("2026-02-17", DayOffKind::Holiday, "Imlek"));

    // Deleting.
    assert_not_found(s.delete_day_off(d("2026-07-01"), DayOffKind::Holiday, audit("calendar.delete", "2026-07-01")).await, "unknown date");
    assert_not_found(s.delete_day_off(d("2026-12-24"), DayOffKind::Holiday, audit("calendar.delete", "2026-12-24")).await, "known date, other kind");
    s.delete_day_off(d("2026-12-24"), DayOffKind::CutiBersama, audit("calendar.delete", "2026-12-24")).await?;
    let listed = s.list_days_off().await?;
    assert_eq!(listed.len(), 7);
    assert!(!listed.iter().any(|x| x.date == d("2026-12-24")));
    assert_not_found(s.delete_day_off(d("2026-12-24"), DayOffKind::CutiBersama, audit("calendar.delete", "2026-12-24")).await, "already deleted");
    // The Calendar built from storage knows the days off.
    let cal = Calendar::new(s.list_days_off().await?);
    assert_eq!(cal.day_off(d("2026-03-20")), Some(DayOffKind::Holiday), "holiday wins over cuti bersama on the same date");
    assert_eq!(cal.day_off(d("2026-03-23")), Some(DayOffKind::CutiBersama));
    assert_eq!(cal.day_off(d("2026-03-24")), None);

    assert_eq!(verify_chain(s).await?.count, 1 + 1 + 2 + 1, "two seeds that added, two adds, one delete");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 7. Sessions
// ---------------------------------------------------------------------------------------------

async fn sessions(s: &dyn Store) -> R {
    let ani = s.insert_officer(new_officer("ani", Role::Admin, None), audit("officer.create", "officer:ani")).await?;
    let budi = s.insert_officer(new_officer("budi", Role::PpidUtama, None), audit("officer.create", "officer:budi")).await?;
    let now = t("2026-01-05T02:00:00Z");
    let live = Session {
        token_hash: "live".into(),
        officer: ani,
        csrf: "csrf-live".into(),
        created_at: now - Duration::hours(1),
        expires_at: now + Duration::hours(1),
    };
    let expired = Session {
        token_hash: "old".into(),
        officer: ani,
        csrf: "csrf-old".into(),
        created_at: now - Duration::hours(9),
        expires_at: now - Duration::seconds(1),
    };
    let other = Session { token_hash: "budi".into(), officer: budi, csrf: "csrf-budi".into(), created_at: now, expires_at: now + Duration::hours(8) };
    for x in [&live, &expired, &other] {
        s.insert_session(x.clone()).await?;
    }
    assert!(s.insert_session(live.clone()).await.is_err(), "a token hash is unique");

    assert_eq!(s.session("live", now).await?, Some(live.clone()), "a live session round-trips");
    assert_eq!(s.session("old", now).await?, None, "an expired session is not returned");
    assert_eq!(s.session("old", now - Duration::seconds(2)).await?.map(|x| x.token_hash), Some("old".into()), "it was live before it expired");
    assert_eq!(s.session("live", live.expires_at).await?, None, "a session ends at its expiry instant");
    assert_eq!(s.session("live", live.expires_at - Duration::microseconds(1)).await?.map(|x| x.officer), Some(ani));
    assert_eq!(s.session("nope", now).await?, None);

    s.delete_session("live").await?;
    assert_eq!(s.session("live", now).await?, None, "a deleted session is gone");
    s.delete_session("live").await?; // deleting twice is harmless
    assert_eq!(s.session("budi", now).await?, Some(other.clone()), "other sessions stay");

    s.insert_session(Session { token_hash: "budi2".into(), ..other.clone() }).await?;
    s.delete_sessions_of(budi).await?;
    assert_eq!(s.session("budi", now).await?, None);
    assert_eq!(s.session("budi2", now).await?, None);
    assert_eq!(s.session("old", now - Duration::seconds(2)).await?.map(|x| x.officer), Some(ani), "another officer's session stays");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 8. Outbox
// ---------------------------------------------------------------------------------------------

async fn outbox(s: &dyn Store) -> R {
    let t0 = t("2026-01-05T02:00:00Z");
    assert_eq!(s.outbox_counts().await?, (0, 0));
    let m1 = new_mail("m1", t0);
    let m2 = new_mail("m2", t0);
    assert_eq!(s.enqueue_mails(vec![m1.clone(), m2.clone(), NewMail { subject: "another".into(), ..m1.clone() }]).await?, 2, "a duplicate key counts once");
    assert_eq!(s.enqueue_mails(vec![m1.clone()]).await?, 0, "a known key is skipped");
    assert_eq!(s.enqueue_mails(vec![]).await?, 0);
    assert_eq!(s.outbox_counts().await?, (2, 0));
    // A mail created later is not due yet.
    assert_eq!(s.enqueue_mails(vec![new_mail("later", t0 + Duration::hours(1))]).await?, 1);

    assert!(s.claim_mails(t0 - Duration::seconds(1), 60, 10).await?.is_empty(), "nothing is due before it was created");
    // The order in which one claim returns its mails is not part of the contract.
    let claimed = s.claim_mails(t0, 60, 10).await?;
    assert_eq!(sorted_keys(&claimed), ["m1", "m2"]);
    let c1 = claimed.iter().find(|m| m.dedup_key == "m1").expect("m1 claimed");
    let c2 = claimed.iter().find(|m| m.dedup_key == "m2").expect("m2 claimed");
    assert_eq!(c1.to_enc, m1.to_enc, "recipient bytes round-trip");
    assert_eq!(c1.body_enc, m1.body_enc, "body bytes round-trip");
    assert_eq!(c1.subject, m1.subject, "the first mail of a key is the one kept");
    assert_eq!(c1.attempts, 1);
    assert_eq!((c2.to_enc.clone(), c2.attempts), (m2.to_enc.clone(), 1));
    let (id1, id2) = (c1.id, c2.id);
    assert_ne!(id1, id2);

    assert!(s.claim_mails(t0, 60, 10).await?.is_empty(), "claimed mails are leased");
    assert!(s.claim_mails(t0 + Duration::seconds(30), 60, 10).await?.is_empty(), "still leased");

    s.mail_sent(id2, t0 + Duration::seconds(5)).await?;
    assert_eq!(s.outbox_counts().await?, (3, 1));
    s.mail_failed(id1, "smtp: 421 try later", t0 + Duration::minutes(10)).await?;
    assert!(s.claim_mails(t0 + Duration::seconds(61), 60, 10).await?.is_empty(), "a failed mail waits for its retry time; a sent one never comes back");
    assert!(s.claim_mails(t0 + Duration::minutes(10) - Duration::seconds(1), 60, 10).await?.is_empty());
    let retry = s.claim_mails(t0 + Duration::minutes(10), 60, 10).await?;
    assert_eq!(retry.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), [(id1, 2)]);

    // A lease that runs out makes the mail claimable again (the sender crashed).
    let again = s.claim_mails(t0 + Duration::minutes(12), 60, 10).await?;
    assert_eq!(again.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), [(id1, 3)]);
    s.mail_sent(id1, t0 + Duration::minutes(12)).await?;
    assert_eq!(s.outbox_counts().await?, (3, 2));

    // The later mail, then the limit.
    let later = s.claim_mails(t0 + Duration::hours(1), 60, 10).await?;
    assert_eq!(sorted_keys(&later), ["later"]);
    s.mail_sent(later[0].id, t0 + Duration::hours(1)).await?;
    assert_eq!(s.outbox_counts().await?, (3, 3));
    assert!(s.claim_mails(t0 + Duration::days(30), 60, 10).await?.is_empty(), "sent mails are never claimed again");

    let batch: Vec<NewMail> = (0..5).map(|i| new_mail(&format!("b{i}"), t0)).collect();
    assert_eq!(s.enqueue_mails(batch).await?, 5);
    let first = s.claim_mails(t0 + Duration::days(1), 60, 2).await?;
    assert_eq!(sorted_keys(&first), ["b0", "b1"], "the oldest mails are claimed first");
    let rest = s.claim_mails(t0 + Duration::days(1), 60, 10).await?;
    assert_eq!(sorted_keys(&rest), ["b2", "b3", "b4"]);
    assert_eq!(s.outbox_counts().await?, (8, 3));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 9. Documents
// ---------------------------------------------------------------------------------------------

async fn documents(s: &dyn Store) -> R {
    let scan = binary_bytes(4096);
    let big = binary_bytes(1 << 20);
    let at = t("2026-01-05T02:00:00Z");
    let mut w = reg_write(at);
    w.documents = vec![
        NewDocument {
            kind: DocumentKind::IdentityScan,
            filename: "ktp.jpg.enc".into(),
            content_type: "application/octet-stream".into(),
            data: scan.clone(),
            sha256: "aa".repeat(32),
        },
        NewDocument { kind: DocumentKind::Response, filename: "kosong.txt".into(), content_type: "text/plain".into(), data: vec![], sha256: "e3".repeat(32) },
    ];
    let r = s.insert_request(new_request(2026, "tok", "Anggaran", "2026-01-05"), w, &no_mails).await?;
    let other = s.insert_request(new_request(2026, "tok2", "Lain", "2026-01-05"), reg_write(at), &no_mails).await?;

    let at2 = t("2026-01-10T04:00:00Z");
    let mut w2 = officer_write(at2, "deliver", None);
    w2.documents = vec![new_doc(DocumentKind::Released, "jawaban lengkap.pdf", big.clone())];
    let mut moved = r.clone();
    moved.clock.state = RequestState::Delivered;
    s.update_request(&moved, 1, None, w2).await?;

    let metas = s.documents(r.id).await?;
    assert_eq!(metas.len(), 3);
    let expected = [
        (DocumentKind::IdentityScan, "ktp.jpg.enc", "application/octet-stream", 4096, "aa".repeat(32), at, &scan),
        (DocumentKind::Response, "kosong.txt", "text/plain", 0, "e3".repeat(32), at, &vec![]),
        (DocumentKind::Released, "jawaban lengkap.pdf", "application/pdf", 1 << 20, "sha-of-jawaban lengkap.pdf".to_string(), at2, &big),
    ];
    for (m, (kind, name, ctype, size, sha, created, data)) in metas.iter().zip(expected) {
        assert_eq!(m.request, r.id);
        assert_eq!(m.kind, kind);
        assert_eq!(m.filename, name);
        assert_eq!(m.content_type, ctype);
        assert_eq!(m.size, size);
        assert_eq!(m.sha256, sha);
        assert_eq!(m.created_at, created);
        let doc = s.document(m.id).await?.expect("document exists");
        assert_eq!(&doc.meta, m, "document(id) has the same metadata as the listing");
        assert!(doc.data == *data, "bytes of {name} must come back identical ({} vs {} bytes)", doc.data.len(), data.len());
    }
    assert!(metas.windows(2).all(|w| w[0].id < w[1].id), "documents are listed in the order they were added");
    assert!(s.documents(other.id).await?.is_empty());
    assert!(s.documents(999_999).await?.is_empty());
    assert!(s.document(999_999).await?.is_none());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 10. Objections
// ---------------------------------------------------------------------------------------------

async fn objections(s: &dyn Store) -> R {
    let atasan = s.insert_officer(new_officer("atasan", Role::AtasanPpid, None), audit("officer.create", "officer:atasan")).await?;
    let r1 = s.insert_request(new_request(2026, "t1", "Satu", "2026-01-05"), reg_write(t("2026-01-05T02:00:00Z")), &no_mails).await?;
    let r2 = s.insert_request(new_request(2026, "t2", "Dua", "2026-01-05"), reg_write(t("2026-01-05T02:00:00Z")), &no_mails).await?;
    let r3 = s.insert_request(new_request(2026, "t3", "Tiga", "2026-01-05"), reg_write(t("2026-01-05T02:00:00Z")), &no_mails).await?;
    let file = |r: &StoredRequest| {
        let mut x = r.clone();
        x.clock.state = RequestState::UnderObjection;
        x
    };

    // Filing.
    let mut o1 = new_objection(2026, "Permohonan tidak dijawab", "2026-02-02");
    o1.late = true;
    let r1 = s.update_request(&file(&r1), 1, Some(ObjectionWrite::Insert(o1.clone())), officer_write(t("2026-02-02T03:00:00Z"), "objection", None)).await?;
    assert_eq!(r1.version, 2);
    assert_eq!(r1.state(), RequestState::UnderObjection);
    let list = s.objections_of(r1.id).await?;
    assert_eq!(list.len(), 1);
    let k1 = list[0].clone();
    assert_eq!(k1.reg_no, "KBR-2026-00001");
    assert_eq!(k1.request, r1.id);
    assert_eq!(k1.summary, o1.summary);
    assert_eq!(k1.filed_at, o1.filed_at);
    assert!(k1.late);
    assert_eq!(k1.clock, o1.clock);
    assert_eq!(k1.clock.grounds, vec![ObjectionGround::C, ObjectionGround::G]);
    assert_eq!((k1.decision_text.clone(), k1.decided_by, k1.version), (None, None, 1));
    assert_same_objection(&s.objection(k1.id).await?.expect("objection by id"), &k1);
    assert!(s.objection(999_999).await?.is_none());

    let r2 = s
        .update_request(
            &file(&r2),
            1,
            Some(ObjectionWrite::Insert(new_objection(2026, "Biaya tidak wajar", "2026-01-20"))),
            officer_write(t("2026-02-03T03:00:00Z"), "objection", None),
        )
        .await?;
    let r3 = s
        .update_request(
            &file(&r3),
            1,
            Some(ObjectionWrite::Insert(new_objection(2027, "Tahun depan", "2027-01-04"))),
            officer_write(t("2027-01-04T03:00:00Z"), "objection", None),
        )
        .await?;
    let k2 = s.objections_of(r2.id).await?.pop().expect("k2");
    let k3 = s.objections_of(r3.id).await?.pop().expect("k3");
    assert_eq!(k2.reg_no, "KBR-2026-00002");
    assert_eq!(k3.reg_no, "KBR-2027-00001", "objection numbers restart every year");
    assert!(s.objections_of(999_999).await?.is_empty());

    // A move to review with the right version.
    let mut review = k1.clone();
    review.clock.state = ObjectionState::InReview;
    let r1 = s
        .update_request(
            &r1,
            2,
            Some(ObjectionWrite::Update { objection: review.clone(), expected_version: 1 }),
            officer_write(t("2026-02-04T03:00:00Z"), "objection_review", None),
        )
        .await?;
    assert_eq!(r1.version, 3);
    let k1 = s.objection(k1.id).await?.expect("k1");
    assert_eq!((k1.clock.state, k1.version), (ObjectionState::InReview, 2));

    // A stale objection version: refused, and the request part of the same change is not saved.
    let events = s.request_events(r1.id).await?;
    let head = s.audit_head().await?;
    let mut decided = k1.clone();
    decided.clock.state = ObjectionState::Upheld;
    decided.clock.response_day = Some(d("2026-02-10"));
    decided.decision_text = Some("Informasi wajib diberikan".into());
    decided.decided_by = Some(atasan);
    let mut closed = r1.clone();
    closed.clock.state = RequestState::Granted;
    let mut w = officer_write(t("2026-02-10T03:00:00Z"), "objection_decided", Some("dikabulkan"));
    w.mails = vec![new_mail("decided:k1", t("2026-02-10T03:00:00Z"))];
    w.documents = vec![new_doc(DocumentKind::Response, "putusan.pdf", b"%PDF".to_vec())];
    assert_conflict(
        s.update_request(&closed, 3, Some(ObjectionWrite::Update { objection: decided.clone(), expected_version: 1 }), w.clone()).await,
        "stale objection version",
    );
    let still = must_request(s, r1.id).await?;
    assert_eq!((still.version, still.state()), (3, RequestState::UnderObjection), "the request part was rolled back");
    assert_eq!(s.objection(k1.id).await?.map(|o| (o.clock.state, o.version)), Some((ObjectionState::InReview, 2)));
    assert_eq!(s.request_events(r1.id).await?, events);
    assert!(s.documents(r1.id).await?.is_empty());
    assert_eq!(s.outbox_counts().await?, (0, 0));
    assert_eq!(s.audit_head().await?, head);

    // The same decision at the right version.
    let r1 = s.update_request(&closed, 3, Some(ObjectionWrite::Update { objection: decided.clone(), expected_version: 2 }), w).await?;
    assert_eq!((r1.version, r1.state()), (4, RequestState::Granted));
    let k1 = s.objection(k1.id).await?.expect("k1");
    assert_eq!(k1.version, 3);
    assert_eq!(k1.clock, decided.clock);
    assert_eq!(k1.decision_text.as_deref(), Some("Informasi wajib diberikan"));
    assert_eq!(k1.decided_by, Some(atasan));
    assert_eq!(k1.reg_no, "KBR-2026-00001", "an update keeps the number");
    assert_eq!(k1.summary, "Permohonan tidak dijawab");

    // Open objections: only registered and in review.
    let open = s.list_objections(true).await?;
    let open_nos: BTreeSet<&str> = open.iter().map(|o| o.reg_no.as_str()).collect();
    assert_eq!(open_nos, BTreeSet::from(["KBR-2026-00002", "KBR-2027-00001"]));
    assert!(open.iter().all(|o| o.clock.state.awaiting_response()));
    let mut in_review = k2.clone();
    in_review.clock.state = ObjectionState::InReview;
    s.update_request(
        &r2,
        2,
        Some(ObjectionWrite::Update { objection: in_review, expected_version: 1 }),
        officer_write(t("2026-02-05T03:00:00Z"), "objection_review", None),
    )
    .await?;
    let open: BTreeSet<String> = s.list_objections(true).await?.into_iter().map(|o| o.reg_no).collect();
    assert_eq!(open, BTreeSet::from(["KBR-2026-00002".to_string(), "KBR-2027-00001".to_string()]), "in_review is still open");
    let all = s.list_objections(false).await?;
    assert_eq!(all.len(), 3);
    assert_eq!(all.iter().map(|o| o.reg_no.as_str()).collect::<BTreeSet<_>>(), BTreeSet::from(["KBR-2026-00001", "KBR-2026-00002", "KBR-2027-00001"]));
    assert_eq!(all.iter().find(|o| o.id == k1.id).map(|o| o.clock.state), Some(ObjectionState::Upheld));
    assert_eq!(k3.request, r3.id);

    verify_chain(s).await?;
    Ok(())
}
