//! The kolaborasi part of the storage contract: every scenario runs against SQLite and PostgreSQL
//! (PostgreSQL needs `TERBUKA_TEST_POSTGRES_URL`; without it the tests fail, never skip).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::Mutex;
use terbuka_domain::audit::{verify, ChainHead, NewAuditEntry};
use terbuka_domain::kolaborasi::{DeliveryState, NeedState, OrgKind, OrgState, PledgeState, ReportReason, Tally};
use terbuka_domain::Role;
use terbuka_store::*;

type R<T = ()> = terbuka_store::Result<T>;

macro_rules! contract {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = terbuka_store::testing::sqlite().await;
                super::$name(&t.store).await.expect(concat!(stringify!($name), " on SQLite"));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = terbuka_store::testing::postgres().await;
                super::$name(&t.store).await.expect(concat!(stringify!($name), " on PostgreSQL"));
            }
        }
    };
    (shared $name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = terbuka_store::testing::sqlite().await;
                super::$name(t.store.clone()).await.expect(concat!(stringify!($name), " on SQLite"));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = terbuka_store::testing::postgres().await;
                super::$name(t.store.clone()).await.expect(concat!(stringify!($name), " on PostgreSQL"));
            }
        }
    };
}

contract!(orgs_and_verification);
contract!(needs_and_pledges);
contract!(shared concurrent_pledges);
contract!(deliveries_and_disputes);
contract!(need_filters_and_due_dates);
contract!(reports_beneficiaries_and_catalogue);
contract!(pledge_rate_count);

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

fn mail(key: &str, at: DateTime<Utc>) -> NewMail {
    NewMail { dedup_key: key.into(), to_enc: vec![1, 0, 255], subject: format!("Subjek {key}"), body_enc: vec![9, 0, 128], created_at: at }
}

async fn verify_chain(s: &dyn Store) -> R<ChainHead> {
    let entries = s.audit_entries().await?;
    let head = s.audit_head().await?;
    let verified = verify(&entries, &head).unwrap_or_else(|e| panic!("audit chain does not verify: {e}"));
    assert_eq!(verified, head);
    assert_eq!(entries.len() as i64, head.count);
    Ok(head)
}

async fn mail_keys(s: &dyn Store) -> R<Vec<String>> {
    let mut keys: Vec<String> = s.claim_mails(t("2030-01-01T00:00:00Z"), 1, 100).await?.into_iter().map(|m| m.dedup_key).collect();
    keys.sort();
    Ok(keys)
}

#[track_caller]
fn assert_refused<T: std::fmt::Debug>(r: R<T>, code: &str) {
    match r {
        Err(StoreError::Refused(c)) if c == code => {}
        other => panic!("expected Refused({code}), got {other:?}"),
    }
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

async fn officer(s: &dyn Store, username: &str) -> R<i64> {
    let o = NewOfficer {
        username: username.into(),
        display_name: format!("Petugas {username}"),
        email: format!("{username}@example.go.id"),
        role: Role::PetugasSosial,
        unit: None,
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1${username}"),
        created_at: t("2026-01-01T00:00:00Z"),
    };
    s.insert_officer(o, audit("officer.create", username)).await
}

fn new_org(name: &str, token: &str, state: OrgState, verified_by: Option<i64>, at: &str) -> NewOrg {
    NewOrg {
        name: name.into(),
        kind: OrgKind::Komunitas,
        description: Some(format!("Tentang {name}")),
        region: "31.71.01.1001".into(),
        address: Some("Jl. Merdeka 1".into()),
        public_email: Some(format!("{token}@example.org")),
        public_phone: None,
        contact_enc: [b"sealed:".as_slice(), token.as_bytes(), &[0, 255, 7]].concat(),
        token_hash: token.into(),
        state,
        verified_by,
        at: t(at),
    }
}

/// A verified organisation (by a fresh officer the first time).
async fn verified_org(s: &dyn Store, token: &str) -> R<StoredOrg> {
    let by = match s.officer_by_username("verifier").await? {
        Some(o) => o.id,
        None => officer(s, "verifier").await?,
    };
    s.insert_org(new_org(&format!("Org {token}"), token, OrgState::Verified, Some(by), "2026-02-01T00:00:00Z"), vec![], audit("org.register", "org:{id}")).await
}

async fn item_type(s: &dyn Store, code: &str) -> R<i64> {
    Ok(s.aid_item_types().await?.into_iter().find(|i| i.code == code).expect("seeded item type").id)
}

#[allow(clippy::too_many_arguments)]
fn new_need(org: i64, item: i64, title: &str, quantity: i64, region: &str, until: &str, allow_over: bool, at: &str) -> NewNeed {
    NewNeed {
        org,
        item_type: item,
        title: title.into(),
        description: Some(format!("Keterangan {title}")),
        quantity,
        region: region.into(),
        rw: Some("RW 03".into()),
        households: Some(12),
        people: None,
        until: d(until),
        allow_over_pledge: allow_over,
        at: t(at),
    }
}

/// A write that changes nothing but the version.
fn base(snap: &NeedSnapshot, at: DateTime<Utc>) -> NeedWrite {
    NeedWrite {
        state: snap.need.state,
        tally: snap.need.tally,
        takedown_note: None,
        new_pledge: None,
        pledge_updates: vec![],
        new_delivery: None,
        delivery_updates: vec![],
        events: vec![],
        close_reports: None,
        mails: vec![],
        audit: audit("need.change", &format!("need:{}", snap.need.id)),
        at,
    }
}

fn new_pledge(quantity: i64, token: &str, contact: &str, deliver_by: &str, public_name: Option<&str>) -> NewPledge {
    NewPledge {
        quantity,
        public_name: public_name.map(str::to_string),
        contact_enc: [b"sealed:".as_slice(), contact.as_bytes(), &[0]].concat(),
        contact_hash: contact.into(),
        token_hash: token.into(),
        deliver_by: d(deliver_by),
        note: None,
    }
}

/// The write of a pledge, without checking the quantity rule.
fn pledge_write(snap: &NeedSnapshot, p: NewPledge, at: DateTime<Utc>) -> NeedWrite {
    let mut w = base(snap, at);
    w.tally.pledged += p.quantity;
    w.state = w.tally.progress();
    w.events.push(NewNeedEvent { event: "pledge".into(), actor_kind: "donor", pledge: Some(Ref::New), delivery: None, quantity: Some(p.quantity), note: None });
    w.mails.push(mail(&format!("pledge:{}", p.token_hash), at));
    w.audit = audit("aid.pledge", "pledge:{pledge}");
    w.new_pledge = Some(p);
    w
}

/// Pledges through a decider that applies the quantity rule.
async fn pledge(s: &dyn Store, need: i64, p: NewPledge, at: &str) -> R<NeedSaved> {
    let at = t(at);
    let decide = move |snap: &NeedSnapshot| {
        if !snap.need.allow_over_pledge && snap.need.tally.pledged + p.quantity > snap.need.quantity {
            return Err("err.aid_over_pledge");
        }
        Ok(pledge_write(snap, p.clone(), at))
    };
    s.change_need(need, false, &decide).await
}

// ---------------------------------------------------------------------------------------------
// 1. Organisations
// ---------------------------------------------------------------------------------------------

async fn orgs_and_verification(s: &dyn Store) -> R {
    let ofc = officer(s, "sosial").await?;
    let a_new = new_org("Dapur Umum Cikini", "tok-a", OrgState::Pending, None, "2026-02-01T01:00:00Z");
    let a = s.insert_org(a_new.clone(), vec![mail("org:a:registered", t("2026-02-01T01:00:00Z"))], audit("org.register", "org:{id}")).await?;
    let b = s.insert_org(new_org("Karang Taruna", "tok-b", OrgState::Pending, None, "2026-02-01T02:00:00Z"), vec![], audit("org.register", "org:{id}")).await?;
    let c =
        s.insert_org(new_org("Kelurahan Cikini", "tok-c", OrgState::Verified, Some(ofc), "2026-02-01T03:00:00Z"), vec![], audit("org.add", "org:{id}")).await?;

    assert_eq!((a.name.as_str(), a.kind, a.state, a.version), ("Dapur Umum Cikini", OrgKind::Komunitas, OrgState::Pending, 1));
    assert_eq!((&a.description, &a.region, &a.address), (&a_new.description, &a_new.region, &a_new.address));
    assert_eq!((&a.public_email, &a.public_phone), (&a_new.public_email, &None));
    assert_eq!(a.contact_enc, a_new.contact_enc, "sealed contact round-trips byte for byte");
    assert_eq!((a.verified_at, a.verified_by, &a.state_note), (None, None, &None));
    assert_eq!((a.created_at, a.updated_at), (t("2026-02-01T01:00:00Z"), t("2026-02-01T01:00:00Z")));
    assert_eq!((c.state, c.verified_at, c.verified_by), (OrgState::Verified, Some(t("2026-02-01T03:00:00Z")), Some(ofc)));
    let entries = s.audit_entries().await?;
    assert_eq!(entries.last().map(|e| e.subject.clone()), Some(format!("org:{}", c.id)), "the audit subject names the new organisation");

    assert_eq!(s.org_by_token("tok-b").await?.map(|o| o.id), Some(b.id));
    assert!(s.org_by_token("tok-x").await?.is_none());
    assert_eq!(s.org(a.id).await?.map(|o| o.name), Some("Dapur Umum Cikini".to_string()));
    assert!(s.org(9999).await?.is_none());

    // A second registration with the same token is refused and leaves no trace.
    let head = s.audit_head().await?;
    assert_conflict(
        s.insert_org(new_org("Copy", "tok-a", OrgState::Pending, None, "2026-02-01T04:00:00Z"), vec![], audit("org.register", "org")).await,
        "token",
    );
    assert_eq!(s.audit_head().await?, head);

    let ids = |orgs: Vec<StoredOrg>| orgs.into_iter().map(|o| o.id).collect::<Vec<_>>();
    assert_eq!(ids(s.list_orgs(&[OrgState::Pending]).await?), [b.id, a.id], "newest first");
    assert_eq!(ids(s.list_orgs(&[]).await?), [c.id, b.id, a.id]);
    assert_eq!(ids(s.list_orgs(&[OrgState::Verified, OrgState::Pending]).await?), [c.id, b.id, a.id]);
    assert!(s.list_orgs(&[OrgState::Suspended]).await?.is_empty());

    // Verify A.
    let at = t("2026-02-02T05:00:00Z");
    let verify_a = OrgDecision {
        state: OrgState::Verified,
        note: Some("dokumen lengkap".into()),
        verified: Some((at, ofc)),
        at,
        mails: vec![mail("org:a:verified", at)],
        audit: audit("org.verify", &format!("org:{}", a.id)),
    };
    let a2 = s.decide_org(a.id, 1, verify_a).await?;
    assert_eq!((a2.state, a2.version, a2.verified_at, a2.verified_by), (OrgState::Verified, 2, Some(at), Some(ofc)));
    assert_eq!((a2.state_note.as_deref(), a2.updated_at, a2.created_at), (Some("dokumen lengkap"), at, a.created_at));

    // A decision taken on the stale version is refused: nothing changes, no mail, no audit.
    let head = s.audit_head().await?;
    let reject = OrgDecision {
        state: OrgState::Rejected,
        note: Some("palsu".into()),
        verified: None,
        at: t("2026-02-02T06:00:00Z"),
        mails: vec![mail("org:a:rejected", t("2026-02-02T06:00:00Z"))],
        audit: audit("org.reject", "org"),
    };
    assert_conflict(s.decide_org(a.id, 1, reject.clone()).await, "stale version");
    let now = s.org(a.id).await?.expect("a");
    assert_eq!((now.state, now.version, now.state_note.as_deref()), (OrgState::Verified, 2, Some("dokumen lengkap")));
    assert_eq!(s.audit_head().await?, head);
    assert_not_found(s.decide_org(9999, 1, reject).await, "unknown organisation");

    // Suspending keeps the verification date (no `verified` in the decision).
    let sus_at = t("2026-02-03T00:00:00Z");
    let suspend = OrgDecision { state: OrgState::Suspended, note: None, verified: None, at: sus_at, mails: vec![], audit: audit("org.suspend", "org") };
    let a3 = s.decide_org(a.id, 2, suspend).await?;
    assert_eq!((a3.state, a3.version, a3.verified_at, a3.verified_by, a3.state_note), (OrgState::Suspended, 3, Some(at), Some(ofc), None));
    assert_eq!(ids(s.list_orgs(&[OrgState::Suspended]).await?), [a.id]);

    assert_eq!(mail_keys(s).await?, ["org:a:registered", "org:a:verified"]);
    let head = verify_chain(s).await?;
    assert_eq!(head.count, 1 + 3 + 2, "officer, three organisations, two decisions");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. Needs and pledges
// ---------------------------------------------------------------------------------------------

async fn needs_and_pledges(s: &dyn Store) -> R {
    let org = verified_org(s, "tok-org").await?;
    let sembako = item_type(s, "sembako").await?;
    let n = s
        .insert_need(
            new_need(org.id, sembako, "Sembako RW 03", 10, "31.71.01.1001", "2026-03-31", false, "2026-03-01T01:00:00Z"),
            audit("aid.need", "need:{id}"),
        )
        .await?;
    assert_eq!((n.org, n.item_type, n.title.as_str(), n.quantity, n.state, n.version), (org.id, sembako, "Sembako RW 03", 10, NeedState::Open, 1));
    assert_eq!(n.tally, Tally { quantity: 10, pledged: 0, delivered: 0, confirmed: 0 });
    assert_eq!((n.until, n.allow_over_pledge, n.rw.as_deref(), n.households, n.people), (d("2026-03-31"), false, Some("RW 03"), Some(12), None));
    assert_eq!((n.created_at, n.updated_at, &n.takedown_note), (t("2026-03-01T01:00:00Z"), t("2026-03-01T01:00:00Z"), &None));
    assert_eq!(s.audit_entries().await?.last().map(|e| e.subject.clone()), Some(format!("need:{}", n.id)));
    let events = s.need_events(n.id).await?;
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].event.as_str(), events[0].actor_kind.as_str(), events[0].quantity, events[0].at), ("posted", "org", Some(10), n.created_at));

    // A pledge of 4.
    let saved = pledge(s, n.id, new_pledge(4, "p-1", "c-1", "2026-03-20", Some("Toko Makmur")), "2026-03-02T01:00:00Z").await?;
    let p1 = saved.pledge.expect("a new pledge id");
    assert_eq!(saved.delivery, None);
    assert_eq!((saved.need.state, saved.need.tally.pledged, saved.need.version), (NeedState::PartlyPledged, 4, 2));
    assert_eq!(saved.need.updated_at, t("2026-03-02T01:00:00Z"));
    assert_eq!(s.need(n.id).await?.map(|x| (x.state, x.tally, x.version)), Some((NeedState::PartlyPledged, saved.need.tally, 2)));
    let pledges = s.pledges_of(n.id).await?;
    assert_eq!(pledges.len(), 1);
    let p = &pledges[0];
    assert_eq!((p.id, p.need, p.quantity, p.delivered, p.state), (p1, n.id, 4, 0, PledgeState::Active));
    assert_eq!((p.public_name.as_deref(), p.deliver_by, p.created_at), (Some("Toko Makmur"), d("2026-03-20"), t("2026-03-02T01:00:00Z")));
    assert_eq!(p.contact_enc, new_pledge(4, "p-1", "c-1", "2026-03-20", None).contact_enc);
    assert_eq!(s.pledge_by_token("p-1").await?.map(|p| p.id), Some(p1));
    assert_eq!(s.pledge(p1).await?.map(|p| p.quantity), Some(4));
    let events = s.need_events(n.id).await?;
    assert_eq!(events.len(), 2);
    assert_eq!((events[1].event.as_str(), events[1].actor_kind.as_str()), ("pledge", "donor"));
    assert_eq!((events[1].pledge, events[1].delivery, events[1].quantity), (Some(p1), None, Some(4)), "Ref::New resolves to the new pledge");
    assert_eq!(s.audit_entries().await?.last().map(|e| e.subject.clone()), Some(format!("pledge:{p1}")));

    // The decider refuses 7 (only 6 remain): nothing is saved.
    let head = s.audit_head().await?;
    assert_refused(pledge(s, n.id, new_pledge(7, "p-2", "c-2", "2026-03-20", None), "2026-03-02T02:00:00Z").await, "err.aid_over_pledge");
    assert_eq!(s.need(n.id).await?.map(|x| (x.version, x.tally.pledged)), Some((2, 4)));
    assert_eq!(s.pledges_of(n.id).await?.len(), 1);
    assert_eq!(s.need_events(n.id).await?.len(), 2);
    assert_eq!(s.audit_head().await?, head);

    // A decider that forgets the rule: the store refuses anyway.
    let careless = |snap: &NeedSnapshot| Ok(pledge_write(snap, new_pledge(7, "p-3", "c-3", "2026-03-20", None), t("2026-03-02T03:00:00Z")));
    assert_refused(s.change_need(n.id, false, &careless).await, "err.aid_over_pledge");
    assert!(s.pledge_by_token("p-3").await?.is_none());
    assert_eq!(s.need(n.id).await?.map(|x| (x.version, x.tally.pledged, x.state)), Some((2, 4, NeedState::PartlyPledged)));
    assert_eq!(s.need_events(n.id).await?.len(), 2);
    assert_eq!(s.audit_head().await?, head);
    assert_eq!(mail_keys(s).await?, ["pledge:p-1"], "a refused write queues no mail");

    // Exactly the rest is fine.
    let saved = pledge(s, n.id, new_pledge(6, "p-4", "c-4", "2026-03-20", None), "2026-03-02T04:00:00Z").await?;
    assert_eq!((saved.need.state, saved.need.tally.pledged, saved.need.version), (NeedState::FullyPledged, 10, 3));

    // A need that allows over-pledging takes more than its quantity.
    let m =
        s.insert_need(new_need(org.id, sembako, "Air", 5, "31.71.01.1001", "2026-03-31", true, "2026-03-01T02:00:00Z"), audit("aid.need", "need:{id}")).await?;
    let saved = s
        .change_need(m.id, false, &|snap: &NeedSnapshot| Ok(pledge_write(snap, new_pledge(7, "p-5", "c-5", "2026-03-20", None), t("2026-03-02T05:00:00Z"))))
        .await?;
    assert_eq!((saved.need.tally.pledged, saved.need.tally.remaining(), saved.need.state), (7, 0, NeedState::FullyPledged));

    // Take-down note: `Some(Some)` sets it, `None` keeps it, `Some(None)` clears it.
    let take_down = |snap: &NeedSnapshot| {
        let mut w = base(snap, t("2026-03-03T00:00:00Z"));
        w.state = NeedState::TakenDown;
        w.takedown_note = Some(Some("melanggar ketentuan".into()));
        w.events.push(NewNeedEvent {
            event: "take_down".into(),
            actor_kind: "officer",
            pledge: None,
            delivery: None,
            quantity: None,
            note: Some("melanggar".into()),
        });
        Ok(w)
    };
    let saved = s.change_need(m.id, false, &take_down).await?;
    assert_eq!((saved.need.state, saved.need.takedown_note.as_deref()), (NeedState::TakenDown, Some("melanggar ketentuan")));
    let saved = s.change_need(m.id, false, &|snap: &NeedSnapshot| Ok(base(snap, t("2026-03-03T01:00:00Z")))).await?;
    assert_eq!(saved.need.takedown_note.as_deref(), Some("melanggar ketentuan"));
    let reinstate = |snap: &NeedSnapshot| {
        let mut w = base(snap, t("2026-03-03T02:00:00Z"));
        w.state = snap.need.tally.progress();
        w.takedown_note = Some(None);
        Ok(w)
    };
    let saved = s.change_need(m.id, false, &reinstate).await?;
    assert_eq!((saved.need.state, saved.need.takedown_note, saved.need.version), (NeedState::FullyPledged, None, 5));
    let ev = s.need_events(m.id).await?;
    assert_eq!(
        ev.iter().map(|e| (e.event.as_str(), e.note.as_deref())).collect::<Vec<_>>(),
        [("posted", None), ("pledge", None), ("take_down", Some("melanggar"))]
    );

    assert_not_found(pledge(s, 9999, new_pledge(1, "p-6", "c-6", "2026-03-20", None), "2026-03-02T05:00:00Z").await, "unknown need");
    verify_chain(s).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Concurrent pledges for the last units
// ---------------------------------------------------------------------------------------------

async fn concurrent_pledges(s: SqlStore) -> R {
    let org = verified_org(&s, "tok-org").await?;
    let sembako = item_type(&s, "sembako").await?;
    let n = s
        .insert_need(
            new_need(org.id, sembako, "Seratus paket", 100, "31.71.01.1001", "2026-03-31", false, "2026-03-01T01:00:00Z"),
            audit("aid.need", "need:{id}"),
        )
        .await?;
    let head = s.audit_head().await?;

    let need_id = n.id;
    let mut tasks = Vec::new();
    for task in 0..16i64 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut refused) = (0, 0);
            for attempt in 0..10 {
                let token = format!("p-{task}-{attempt}");
                let at = t("2026-03-02T00:00:00Z") + Duration::milliseconds(task * 10 + attempt);
                let decide = move |snap: &NeedSnapshot| {
                    if snap.need.tally.pledged + 1 > snap.need.quantity {
                        return Err("err.aid_over_pledge");
                    }
                    Ok(pledge_write(snap, new_pledge(1, &token, &format!("c-{task}"), "2026-03-20", None), at))
                };
                match s.change_need(need_id, false, &decide).await {
                    Ok(_) => ok += 1,
                    Err(StoreError::Refused("err.aid_over_pledge")) => refused += 1,
                    Err(e) => return Err(e),
                }
            }
            Ok::<_, StoreError>((ok, refused))
        }));
    }
    let (mut ok, mut refused) = (0, 0);
    for task in tasks {
        let (o, r) = task.await.expect("task did not panic")?;
        ok += o;
        refused += r;
    }
    assert_eq!((ok, refused), (100, 60));
    let need = s.need(n.id).await?.expect("need");
    assert_eq!((need.tally.pledged, need.state, need.version), (100, NeedState::FullyPledged, 101));
    let pledges = s.pledges_of(n.id).await?;
    assert_eq!(pledges.len(), 100);
    let sum: i64 =
        sqlx::Row::try_get(&sqlx::query("SELECT CAST(SUM(quantity) AS BIGINT) FROM aid_pledges WHERE need_id = $1").bind(n.id).fetch_one(s.pool()).await?, 0)?;
    assert_eq!(sum, 100);
    let events = s.need_events(n.id).await?;
    assert_eq!(events.len(), 101);
    let mut referenced: Vec<i64> = events.iter().filter_map(|e| e.pledge).collect();
    referenced.sort();
    assert_eq!(referenced, pledges.iter().map(|p| p.id).collect::<Vec<_>>(), "each pledge event names its own pledge");
    let after = verify_chain(&s).await?;
    assert_eq!(after.count, head.count + 100, "one audit entry per saved pledge, none for refusals");
    assert_eq!(s.outbox_counts().await?, (100, 0));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 4. Deliveries and disputes
// ---------------------------------------------------------------------------------------------

async fn deliveries_and_disputes(s: &dyn Store) -> R {
    let org = verified_org(s, "tok-org").await?;
    let sembako = item_type(s, "sembako").await?;
    let n = s
        .insert_need(new_need(org.id, sembako, "Sembako", 10, "31.71.01.1001", "2026-03-31", false, "2026-03-01T01:00:00Z"), audit("aid.need", "need:{id}"))
        .await?;
    let other = s
        .insert_need(new_need(org.id, sembako, "Lain", 10, "31.71.01.1001", "2026-03-31", false, "2026-03-01T02:00:00Z"), audit("aid.need", "need:{id}"))
        .await?;
    let p1 = pledge(s, n.id, new_pledge(6, "p-1", "c-1", "2026-03-20", None), "2026-03-02T01:00:00Z").await?.pledge.expect("p1");
    let p2 = pledge(s, n.id, new_pledge(4, "p-2", "c-2", "2026-03-20", None), "2026-03-02T02:00:00Z").await?.pledge.expect("p2");
    let foreign = pledge(s, other.id, new_pledge(1, "p-3", "c-3", "2026-03-20", None), "2026-03-02T03:00:00Z").await?.pledge.expect("p3");

    // Without children the snapshot has none.
    let seen: Mutex<Option<NeedSnapshot>> = Mutex::new(None);
    let look = |snap: &NeedSnapshot| {
        *seen.lock().expect("lock") = Some(snap.clone());
        Ok(base(snap, t("2026-03-03T00:00:00Z")))
    };
    s.change_need(n.id, false, &look).await?;
    {
        let snap = seen.lock().expect("lock").take().expect("decider ran");
        assert!(snap.pledges.is_empty() && snap.deliveries.is_empty());
        assert_eq!((snap.org.id, snap.need.id, snap.need.tally.pledged), (org.id, n.id, 10));
    }

    // Record a delivery of 6 for p1, with proof.
    let proof = ProofFile { key: "aid/ab/abcd".into(), sha256: "abcd".into(), filename: "foto.jpg".into(), content_type: "image/jpeg".into(), size: 1234 };
    let at = t("2026-03-04T00:00:00Z");
    let record = |snap: &NeedSnapshot| {
        *seen.lock().expect("lock") = Some(snap.clone());
        let mut w = base(snap, at);
        w.tally.delivered += 6;
        w.state = w.tally.progress();
        w.new_delivery = Some(NewDelivery { pledge: p1, quantity: 6, delivered_on: d("2026-03-03"), note: Some("diantar".into()), proof: Some(proof.clone()) });
        w.pledge_updates.push(PledgeUpdate { id: p1, state: PledgeState::Fulfilled, delivered: 6 });
        w.events.push(NewNeedEvent {
            event: "delivery_recorded".into(),
            actor_kind: "donor",
            pledge: Some(Ref::Existing(p1)),
            delivery: Some(Ref::New),
            quantity: Some(6),
            note: None,
        });
        w.audit = audit("aid.deliver", "delivery:{delivery}");
        Ok(w)
    };
    let saved = s.change_need(n.id, true, &record).await?;
    let d1 = saved.delivery.expect("delivery id");
    assert_eq!(saved.pledge, None);
    assert_eq!((saved.need.tally.delivered, saved.need.state), (6, NeedState::FullyPledged));
    {
        let snap = seen.lock().expect("lock").take().expect("decider ran");
        assert_eq!(snap.pledges.iter().map(|p| (p.id, p.quantity, p.state)).collect::<Vec<_>>(), [(p1, 6, PledgeState::Active), (p2, 4, PledgeState::Active)]);
        assert!(snap.deliveries.is_empty());
    }
    let del = s.delivery(d1).await?.expect("delivery");
    assert_eq!((del.pledge, del.need, del.quantity, del.delivered_on, del.note.as_deref()), (p1, n.id, 6, d("2026-03-03"), Some("diantar")));
    assert_eq!((del.state, del.proof.as_ref(), &del.dispute_reason, del.created_at), (DeliveryState::Recorded, Some(&proof), &None, at));
    assert_eq!(s.pledge(p1).await?.map(|p| (p.state, p.delivered, p.updated_at)), Some((PledgeState::Fulfilled, 6, at)));
    assert_eq!(s.pledge(p2).await?.map(|p| (p.state, p.delivered)), Some((PledgeState::Active, 0)), "other pledges untouched");
    let ev = s.need_events(n.id).await?;
    let last = ev.last().expect("event");
    assert_eq!((last.event.as_str(), last.pledge, last.delivery, last.quantity), ("delivery_recorded", Some(p1), Some(d1), Some(6)));
    assert_eq!(s.audit_entries().await?.last().map(|e| e.subject.clone()), Some(format!("delivery:{d1}")));
    assert_eq!(s.deliveries_in(DeliveryState::Recorded).await?.iter().map(|d| d.id).collect::<Vec<_>>(), [d1]);

    // The organisation disputes it; the snapshot shows the delivery and the fulfilled pledge.
    let dispute = |snap: &NeedSnapshot| {
        *seen.lock().expect("lock") = Some(snap.clone());
        let mut w = base(snap, t("2026-03-05T00:00:00Z"));
        w.delivery_updates.push(DeliveryUpdate { id: d1, state: DeliveryState::Disputed, dispute_reason: Some("tidak sampai".into()), resolution_note: None });
        w.events.push(NewNeedEvent {
            event: "delivery_disputed".into(),
            actor_kind: "org",
            pledge: None,
            delivery: Some(Ref::Existing(d1)),
            quantity: None,
            note: None,
        });
        Ok(w)
    };
    s.change_need(n.id, true, &dispute).await?;
    {
        let snap = seen.lock().expect("lock").take().expect("decider ran");
        assert_eq!(snap.deliveries.iter().map(|d| (d.id, d.state, d.proof.is_some())).collect::<Vec<_>>(), [(d1, DeliveryState::Recorded, true)]);
        assert_eq!(
            snap.pledges.iter().map(|p| (p.id, p.state, p.delivered)).collect::<Vec<_>>(),
            [(p1, PledgeState::Fulfilled, 6), (p2, PledgeState::Active, 0)]
        );
    }
    let disputed = s.deliveries_in(DeliveryState::Disputed).await?;
    assert_eq!(disputed.iter().map(|d| (d.id, d.dispute_reason.as_deref())).collect::<Vec<_>>(), [(d1, Some("tidak sampai"))]);
    assert!(s.deliveries_in(DeliveryState::Recorded).await?.is_empty());

    // A moderator rejects it: the dispute reason stays, the resolution is added, p1 is owed again.
    let resolve = |snap: &NeedSnapshot| {
        let mut w = base(snap, t("2026-03-06T00:00:00Z"));
        w.tally.delivered -= 6;
        w.state = w.tally.progress();
        w.delivery_updates.push(DeliveryUpdate {
            id: d1,
            state: DeliveryState::Rejected,
            dispute_reason: None,
            resolution_note: Some("tidak terbukti".into()),
        });
        w.pledge_updates.push(PledgeUpdate { id: p1, state: PledgeState::Active, delivered: 0 });
        Ok(w)
    };
    let saved = s.change_need(n.id, true, &resolve).await?;
    assert_eq!(saved.need.tally.delivered, 0);
    let del = s.delivery(d1).await?.expect("delivery");
    assert_eq!(
        (del.state, del.dispute_reason.as_deref(), del.resolution_note.as_deref()),
        (DeliveryState::Rejected, Some("tidak sampai"), Some("tidak terbukti"))
    );
    assert_eq!(del.updated_at, t("2026-03-06T00:00:00Z"));
    assert_eq!(s.deliveries_of(n.id).await?.iter().map(|d| d.id).collect::<Vec<_>>(), [d1]);
    assert!(s.deliveries_in(DeliveryState::Disputed).await?.is_empty());
    assert_eq!(s.pledge(p1).await?.map(|p| (p.state, p.delivered)), Some((PledgeState::Active, 0)));

    // Children of another need, or a reference to nothing, save nothing.
    let head = s.audit_head().await?;
    let version = s.need(n.id).await?.expect("need").version;
    let foreign_delivery = |snap: &NeedSnapshot| {
        let mut w = base(snap, t("2026-03-07T00:00:00Z"));
        w.new_delivery = Some(NewDelivery { pledge: foreign, quantity: 1, delivered_on: d("2026-03-07"), note: None, proof: None });
        Ok(w)
    };
    assert_not_found(s.change_need(n.id, false, &foreign_delivery).await, "delivery for another need's pledge");
    let foreign_update = |snap: &NeedSnapshot| {
        let mut w = base(snap, t("2026-03-07T00:00:00Z"));
        w.pledge_updates.push(PledgeUpdate { id: foreign, state: PledgeState::Cancelled, delivered: 0 });
        Ok(w)
    };
    assert_not_found(s.change_need(n.id, false, &foreign_update).await, "update of another need's pledge");
    let dangling = |snap: &NeedSnapshot| {
        let mut w = base(snap, t("2026-03-07T00:00:00Z"));
        w.events.push(NewNeedEvent { event: "x".into(), actor_kind: "system", pledge: None, delivery: Some(Ref::New), quantity: None, note: None });
        Ok(w)
    };
    assert!(s.change_need(n.id, false, &dangling).await.is_err(), "Ref::New without a new delivery");
    assert_eq!(s.pledge(foreign).await?.map(|p| p.state), Some(PledgeState::Active));
    assert_eq!(s.need(n.id).await?.map(|n| n.version), Some(version));
    assert_eq!(s.deliveries_of(n.id).await?.len(), 1);
    assert_eq!(s.audit_head().await?, head);
    verify_chain(s).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 5. Filters and due dates
// ---------------------------------------------------------------------------------------------

async fn need_filters_and_due_dates(s: &dyn Store) -> R {
    let o1 = verified_org(s, "tok-1").await?;
    let o2 = verified_org(s, "tok-2").await?;
    let (t1, t2) = (item_type(s, "sembako").await?, item_type(s, "masker").await?);
    let need = |org, item, title: &str, region: &str, until: &str, at: &str| new_need(org, item, title, 10, region, until, false, at);
    let a = audit("aid.need", "need:{id}");
    let n1 = s.insert_need(need(o1.id, t1, "n1", "31.71.01.1001", "2026-03-10", "2026-03-01T01:00:00Z"), a.clone()).await?.id;
    let n2 = s.insert_need(need(o1.id, t2, "n2", "31.71.02.1002", "2026-03-20", "2026-03-01T02:00:00Z"), a.clone()).await?.id;
    let n3 = s.insert_need(need(o2.id, t1, "n3", "31.72.01.1001", "2026-03-01", "2026-03-01T03:00:00Z"), a.clone()).await?.id;
    let n4 = s.insert_need(need(o2.id, t2, "n4", "32.01.01.2001", "2026-03-15", "2026-03-01T04:00:00Z"), a.clone()).await?.id;

    // n2 gets three pledges (one later cancelled); n3 is cancelled.
    let pa = pledge(s, n2, new_pledge(2, "pa", "c", "2026-03-05", None), "2026-03-02T01:00:00Z").await?.pledge.expect("pa");
    let pb = pledge(s, n2, new_pledge(3, "pb", "c", "2026-03-08", None), "2026-03-02T02:00:00Z").await?.pledge.expect("pb");
    let pc = pledge(s, n2, new_pledge(1, "pc", "c", "2026-03-01", None), "2026-03-02T03:00:00Z").await?.pledge.expect("pc");
    let cancel_pc = |snap: &NeedSnapshot| {
        let mut w = base(snap, t("2026-03-02T04:00:00Z"));
        w.tally.pledged -= 1;
        w.pledge_updates.push(PledgeUpdate { id: pc, state: PledgeState::Cancelled, delivered: 0 });
        Ok(w)
    };
    s.change_need(n2, false, &cancel_pc).await?;
    let cancel = |snap: &NeedSnapshot| {
        let mut w = base(snap, t("2026-03-02T05:00:00Z"));
        w.state = NeedState::Cancelled;
        Ok(w)
    };
    s.change_need(n3, false, &cancel).await?;
    assert_eq!(s.need(n2).await?.map(|n| (n.state, n.tally.pledged)), Some((NeedState::PartlyPledged, 5)));

    let list = |f: NeedFilter| async move {
        let page = s.list_needs(&f).await?;
        Ok::<_, StoreError>((page.items.into_iter().map(|n| n.id).collect::<Vec<_>>(), page.total))
    };
    let all = NeedFilter::default();
    assert_eq!(list(all.clone()).await?, (vec![n4, n3, n2, n1], 4), "newest first, no limit");
    assert_eq!(list(NeedFilter { states: vec![NeedState::Open], ..all.clone() }).await?, (vec![n4, n1], 2));
    assert_eq!(list(NeedFilter { states: vec![NeedState::Open, NeedState::PartlyPledged], ..all.clone() }).await?, (vec![n4, n2, n1], 3));
    assert_eq!(list(NeedFilter { states: vec![NeedState::Cancelled], ..all.clone() }).await?, (vec![n3], 1));

    let region = |r: &str| NeedFilter { region: Some(r.into()), ..Default::default() };
    assert_eq!(list(region("31")).await?.0, [n3, n2, n1]);
    assert_eq!(list(region("31.71")).await?.0, [n2, n1]);
    assert_eq!(list(region("31.71.01")).await?.0, [n1]);
    assert_eq!(list(region("31.71.01.1001")).await?.0, [n1], "a kelurahan matches itself");
    assert_eq!(list(region("31.7")).await?, (vec![], 0), "a prefix that is not a whole region matches nothing");
    assert_eq!(list(region("31.71.01.100")).await?.0, Vec::<i64>::new());
    assert_eq!(list(region("31_71")).await?.0, Vec::<i64>::new(), "LIKE wildcards are literal");
    assert_eq!(list(region("32")).await?.0, [n4]);

    assert_eq!(list(NeedFilter { item_type: Some(t1), ..all.clone() }).await?.0, [n3, n1]);
    assert_eq!(list(NeedFilter { org: Some(o2.id), ..all.clone() }).await?.0, [n4, n3]);
    assert_eq!(list(NeedFilter { org: Some(o1.id), item_type: Some(t1), ..all.clone() }).await?.0, [n1]);
    assert_eq!(list(NeedFilter { org: Some(o1.id), region: Some("31.72".into()), ..all.clone() }).await?, (vec![], 0));

    // Paging: the total counts every match.
    assert_eq!(list(NeedFilter { limit: 2, ..all.clone() }).await?, (vec![n4, n3], 4));
    assert_eq!(list(NeedFilter { limit: 2, offset: 2, ..all.clone() }).await?, (vec![n2, n1], 4));
    assert_eq!(list(NeedFilter { limit: 0, offset: 3, ..all.clone() }).await?, (vec![n1], 4));
    assert_eq!(list(NeedFilter { limit: 5, offset: 10, ..all.clone() }).await?, (vec![], 4));
    assert_eq!(list(NeedFilter { states: vec![NeedState::Open], limit: 1, offset: 1, ..all.clone() }).await?, (vec![n1], 2));

    // `until` before today: still-open needs only, never the day itself.
    assert_eq!(s.needs_past_until(d("2026-03-10")).await?, Vec::<i64>::new(), "n1 runs through its last day");
    assert_eq!(s.needs_past_until(d("2026-03-11")).await?, [n1]);
    assert_eq!(s.needs_past_until(d("2026-03-16")).await?, [n1, n4]);
    assert_eq!(s.needs_past_until(d("2026-03-21")).await?, [n1, n2, n4], "the cancelled n3 never");

    // Active pledges whose deliver_by is before today; the cancelled pc never.
    assert_eq!(s.pledges_past_due(d("2026-03-05")).await?, Vec::<(i64, i64)>::new(), "deliver_by today is not past due");
    assert_eq!(s.pledges_past_due(d("2026-03-06")).await?, [(n2, pa)]);
    assert_eq!(s.pledges_past_due(d("2026-03-09")).await?, [(n2, pa), (n2, pb)]);
    verify_chain(s).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 6. Reports, beneficiary lists and the catalogue
// ---------------------------------------------------------------------------------------------

async fn reports_beneficiaries_and_catalogue(s: &dyn Store) -> R {
    // The catalogue: ten seeded entries, sembako first.
    let types = s.aid_item_types().await?;
    assert_eq!(types.len(), 10);
    assert_eq!((types[0].code.as_str(), types[0].name_id.as_str(), types[0].unit_en.as_str(), types[0].active), ("sembako", "Paket sembako", "parcels", true));
    assert!(types.windows(2).all(|w| w[0].id < w[1].id), "ordered by id");
    let wheelchair = AidItemType {
        id: 0,
        code: "kursi_roda".into(),
        name_id: "Kursi roda".into(),
        name_en: "Wheelchairs".into(),
        unit_id: "buah".into(),
        unit_en: "pieces".into(),
        active: true,
    };
    let kr = s.upsert_aid_item_type(wheelchair.clone(), audit("aid.item_type", "item_type:{id}")).await?;
    let types = s.aid_item_types().await?;
    assert_eq!(types.len(), 11);
    assert_eq!(types.last(), Some(&AidItemType { id: kr, ..wheelchair }));
    let sembako = types[0].clone();
    let changed = AidItemType { id: 0, name_id: "Paket sembako keluarga".into(), unit_en: "family parcels".into(), active: false, ..sembako.clone() };
    assert_eq!(s.upsert_aid_item_type(changed.clone(), audit("aid.item_type", "item_type:{id}")).await?, sembako.id, "same code, same entry");
    let types = s.aid_item_types().await?;
    assert_eq!(types.len(), 11);
    assert_eq!(types[0], AidItemType { id: sembako.id, ..changed });
    assert_eq!(s.audit_entries().await?.last().map(|e| e.subject.clone()), Some(format!("item_type:{}", sembako.id)));

    let org = verified_org(s, "tok-org").await?;
    let ofc = s.officer_by_username("verifier").await?.expect("officer").id;
    let (t1, t2) = (sembako.id, item_type(s, "masker").await?);
    let a = audit("aid.need", "need:{id}");
    let na = s.insert_need(new_need(org.id, t1, "A", 10, "31.71.01.1001", "2026-03-31", false, "2026-03-01T01:00:00Z"), a.clone()).await?.id;
    let nb = s.insert_need(new_need(org.id, t1, "B", 10, "31.71.01.1001", "2026-04-30", false, "2026-03-01T02:00:00Z"), a.clone()).await?.id;
    let nc = s.insert_need(new_need(org.id, t2, "C", 10, "31.71.01.1001", "2026-03-31", false, "2026-03-01T03:00:00Z"), a.clone()).await?.id;

    // Reports: newest first; closing them through a need write closes that need's only.
    let report = |need, reason, at: &str| NewReport { need, reason, detail: Some(format!("detail {at}")), at: t(at) };
    let r1 = s.insert_report(report(na, ReportReason::Fraud, "2026-03-02T01:00:00Z"), audit("aid.report", "report:{id}")).await?;
    let r2 = s.insert_report(report(na, ReportReason::Duplicate, "2026-03-02T02:00:00Z"), audit("aid.report", "report:{id}")).await?;
    let r3 = s.insert_report(report(nb, ReportReason::Other, "2026-03-02T03:00:00Z"), audit("aid.report", "report:{id}")).await?;
    let open = s.list_reports(true).await?;
    assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), [r3, r2, r1]);
    let first = open.iter().find(|r| r.id == r1).expect("r1");
    assert_eq!((first.need, first.reason, first.detail.as_deref(), first.open), (na, ReportReason::Fraud, Some("detail 2026-03-02T01:00:00Z"), true));
    assert_eq!((first.created_at, first.resolved_at, &first.resolution_note), (t("2026-03-02T01:00:00Z"), None, &None));
    let close_at = t("2026-03-03T00:00:00Z");
    let close = |snap: &NeedSnapshot| {
        let mut w = base(snap, close_at);
        w.close_reports = Some("sudah ditinjau".into());
        Ok(w)
    };
    s.change_need(na, false, &close).await?;
    assert_eq!(s.list_reports(true).await?.iter().map(|r| r.id).collect::<Vec<_>>(), [r3]);
    let all = s.list_reports(false).await?;
    assert_eq!(all.iter().map(|r| (r.id, r.open)).collect::<Vec<_>>(), [(r3, true), (r2, false), (r1, false)]);
    for r in all.iter().filter(|r| r.need == na) {
        assert_eq!((r.resolution_note.as_deref(), r.resolved_at), (Some("sudah ditinjau"), Some(close_at)));
    }
    assert_eq!((all[0].resolution_note.as_deref(), all[0].resolved_at), (None, None));

    // Beneficiary lists: A and B overlap in March for the same item type; C is another type.
    let list = |need, item, from: &str, until: &str, entries: &[(&str, &str)], flagged, at: &str| NewBeneficiaryList {
        need,
        item_type: item,
        window_from: d(from),
        window_until: d(until),
        uploaded_by: ofc,
        entries: entries.iter().map(|(p, h)| (p.to_string(), h.to_string())).collect(),
        flagged,
        at: t(at),
    };
    let la = s
        .save_beneficiaries(
            list(na, t1, "2026-03-01", "2026-03-31", &[("p1", "h1"), ("p2", "h1"), ("p3", "h2")], 0, "2026-03-04T01:00:00Z"),
            audit("aid.list", "list:{id}"),
        )
        .await?;
    let lb = s
        .save_beneficiaries(list(nb, t1, "2026-03-15", "2026-04-15", &[("p4", "h3"), ("p1", "h1")], 1, "2026-03-04T02:00:00Z"), audit("aid.list", "list:{id}"))
        .await?;
    s.save_beneficiaries(list(nc, t2, "2026-03-01", "2026-03-31", &[("p9", "h9")], 0, "2026-03-04T03:00:00Z"), audit("aid.list", "list:{id}")).await?;
    assert_eq!(
        s.beneficiary_list(na).await?,
        Some(BeneficiaryListMeta { id: la, need: na, uploaded_by: ofc, uploaded_at: t("2026-03-04T01:00:00Z"), rows: 3, households: 2, flagged: 0 })
    );
    assert_eq!(s.beneficiary_list(nb).await?.map(|m| (m.id, m.rows, m.households, m.flagged)), Some((lb, 2, 2, 1)));

    let other = |need, from: &str, until: &str, households: &[&str]| OtherList {
        need,
        item_type: t1,
        window_from: d(from),
        window_until: d(until),
        households: households.iter().map(|h| h.to_string()).collect(),
    };
    assert_eq!(s.overlapping_lists(t1, d("2026-03-01"), d("2026-03-31"), na).await?, [other(nb, "2026-03-15", "2026-04-15", &["h1", "h3"])]);
    assert_eq!(
        s.overlapping_lists(t1, d("2026-03-15"), d("2026-04-15"), nb).await?,
        [other(na, "2026-03-01", "2026-03-31", &["h1", "h2"])],
        "households once each"
    );
    assert_eq!(s.overlapping_lists(t1, d("2026-04-15"), d("2026-04-30"), na).await?.len(), 1, "touching on the last day overlaps");
    assert!(s.overlapping_lists(t1, d("2026-04-16"), d("2026-05-31"), 0).await?.is_empty());
    assert!(s.overlapping_lists(t1, d("2026-02-01"), d("2026-02-28"), 0).await?.is_empty());
    assert_eq!(
        s.overlapping_lists(t2, d("2026-03-10"), d("2026-03-10"), 0).await?.iter().map(|l| (l.need, l.item_type, l.households.clone())).collect::<Vec<_>>(),
        [(nc, t2, vec!["h9".to_string()])]
    );

    // A new list for A replaces its hashes; the old list keeps only its metadata.
    let la2 =
        s.save_beneficiaries(list(na, t1, "2026-03-01", "2026-03-31", &[("p5", "h5")], 2, "2026-03-05T01:00:00Z"), audit("aid.list", "list:{id}")).await?;
    assert_ne!(la2, la);
    assert_eq!(s.overlapping_lists(t1, d("2026-03-15"), d("2026-04-15"), nb).await?, [other(na, "2026-03-01", "2026-03-31", &["h5"])]);
    assert_eq!(
        s.beneficiary_list(na).await?,
        Some(BeneficiaryListMeta { id: la2, need: na, uploaded_by: ofc, uploaded_at: t("2026-03-05T01:00:00Z"), rows: 1, households: 1, flagged: 2 })
    );
    assert_eq!(s.overlapping_lists(t1, d("2026-03-01"), d("2026-03-31"), na).await?, [other(nb, "2026-03-15", "2026-04-15", &["h1", "h3"])], "B is unchanged");

    // A list naming a person twice is refused as a whole.
    let head = s.audit_head().await?;
    assert_conflict(
        s.save_beneficiaries(list(na, t1, "2026-03-01", "2026-03-31", &[("p6", "h6"), ("p6", "h7")], 0, "2026-03-06T01:00:00Z"), audit("aid.list", "list"))
            .await,
        "duplicate person",
    );
    assert_eq!(s.beneficiary_list(na).await?.map(|m| m.id), Some(la2));
    assert_eq!(s.audit_head().await?, head);

    // A large list goes in several statements.
    let many: Vec<(String, String)> = (0..1203).map(|i| (format!("person-{i:05}"), format!("house-{:05}", i / 3))).collect();
    let big = NewBeneficiaryList { entries: many, ..list(nc, t2, "2026-03-01", "2026-03-31", &[], 0, "2026-03-06T02:00:00Z") };
    s.save_beneficiaries(big, audit("aid.list", "list:{id}")).await?;
    assert_eq!(s.beneficiary_list(nc).await?.map(|m| (m.rows, m.households)), Some((1203, 401)));
    let seen = s.overlapping_lists(t2, d("2026-03-01"), d("2026-03-31"), 0).await?;
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].households.len(), seen[0].households.first().map(String::as_str)), (401, Some("house-00000")));
    assert!(s.beneficiary_list(9999).await?.is_none());
    verify_chain(s).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 7. The per-contact count behind the pledge rate limit
// ---------------------------------------------------------------------------------------------

async fn pledge_rate_count(s: &dyn Store) -> R {
    let org = verified_org(s, "tok-org").await?;
    let sembako = item_type(s, "sembako").await?;
    let n = s
        .insert_need(new_need(org.id, sembako, "Banyak", 100, "31.71.01.1001", "2026-03-31", false, "2026-03-01T01:00:00Z"), audit("aid.need", "need:{id}"))
        .await?
        .id;
    for (i, (contact, at)) in
        [("c1", "2026-03-02T01:00:00Z"), ("c1", "2026-03-02T02:00:00Z"), ("c2", "2026-03-02T02:00:00Z"), ("c1", "2026-03-02T03:00:00Z")].iter().enumerate()
    {
        let name = (i % 2 == 0).then(|| format!("Donatur {i}"));
        pledge(s, n, new_pledge(1, &format!("p-{i}"), contact, "2026-03-20", name.as_deref()), at).await?;
    }
    assert_eq!(s.pledges_by_contact_since("c1", t("2026-03-02T00:00:00Z")).await?, 3);
    assert_eq!(s.pledges_by_contact_since("c1", t("2026-03-02T02:00:00Z")).await?, 2, "since is inclusive");
    assert_eq!(s.pledges_by_contact_since("c1", t("2026-03-02T02:00:00.000001Z")).await?, 1);
    assert_eq!(s.pledges_by_contact_since("c1", t("2026-03-02T03:00:01Z")).await?, 0);
    assert_eq!(s.pledges_by_contact_since("c2", t("2026-03-01T00:00:00Z")).await?, 1);
    assert_eq!(s.pledges_by_contact_since("c3", t("2026-03-01T00:00:00Z")).await?, 0);

    // Only opted-in names appear on the ledger by donor.
    let named = s.named_pledges().await?;
    assert_eq!(named.iter().map(|p| p.public_name.clone().unwrap_or_default()).collect::<Vec<_>>(), ["Donatur 0", "Donatur 2"]);
    assert!(named.windows(2).all(|w| w[0].id < w[1].id));
    Ok(())
}
