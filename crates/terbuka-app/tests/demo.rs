//! The demo seed on a fresh SQLite store: it replays a believable history through the real use
//! cases, shows every state a demo should show, keeps the audit chain intact, and runs only once.

use chrono::{DateTime, TimeZone, Utc};
use std::collections::HashSet;
use std::sync::Arc;
use terbuka_app::crypto::PiiKey;
use terbuka_app::demo::{demo_logins, seed_if_empty};
use terbuka_app::{App, Config};
use terbuka_domain::calendar::wib_date;
use terbuka_domain::objection::ObjectionState;
use terbuka_domain::request::RequestState;
use terbuka_domain::{Outcome, Role};
use terbuka_store::{RequestFilter, StoredRequest};

async fn app() -> (App, terbuka_store::testing::TestStore) {
    let ts = terbuka_store::testing::sqlite().await;
    let app = App::new(Arc::new(ts.store.clone()), Config::default(), PiiKey::from_base64(&PiiKey::generate_base64()).unwrap());
    (app, ts)
}

async fn all_requests(app: &App) -> Vec<StoredRequest> {
    let mut out = Vec::new();
    loop {
        let page = app.store.list_requests(&RequestFilter { limit: 500, offset: out.len() as i64, ..Default::default() }).await.unwrap();
        let n = page.items.len();
        out.extend(page.items);
        if n < 500 {
            return out;
        }
    }
}

async fn seed_and_check(now: DateTime<Utc>, n: usize) {
    let (app, _ts) = app().await;
    let started = std::time::Instant::now();
    let summary = seed_if_empty(&app, now, n).await.expect("demo seed").expect("fresh store is seeded");
    eprintln!("seeded {n} requests in {:?}: {summary:?}", started.elapsed());

    assert!(summary.units >= 7, "{summary:?}");
    assert_eq!(summary.requests, n);
    assert!(summary.objections >= 6, "{summary:?}");
    let units = app.units().await.unwrap();
    assert_eq!(units.len(), summary.units);
    assert_eq!(app.list_officers(None).await.unwrap().len(), summary.officers);

    let requests = all_requests(&app).await;
    assert_eq!(requests.len(), n);
    let states: HashSet<RequestState> = requests.iter().map(|r| r.clock.state).collect();
    let outcomes: HashSet<Outcome> = requests.iter().filter_map(|r| r.clock.outcome).collect();
    for wanted in [
        RequestState::Registered,
        RequestState::InProcess,
        RequestState::Extended,
        RequestState::Delivered,
        RequestState::Refused,
        RequestState::NotHeld,
        RequestState::Withdrawn,
        RequestState::Closed,
        RequestState::UnderObjection,
    ] {
        assert!(states.contains(&wanted), "no request is {wanted}; states: {states:?}");
    }
    assert!(states.contains(&RequestState::Granted) || states.contains(&RequestState::AwaitingPayment) || states.contains(&RequestState::Delivered));
    for wanted in Outcome::ALL {
        assert!(outcomes.contains(wanted), "no notice with outcome {wanted}; outcomes: {outcomes:?}");
    }

    // Deadlines are what they should be relative to `now`.
    let today = wib_date(now);
    assert!(requests.iter().any(|r| r.clock.is_overdue(today)), "an overdue open request");
    assert!(requests.iter().all(|r| r.received_at < now && r.updated_at <= now));
    assert!(requests.iter().any(|r| r.fee > 0), "a request with a copying fee");
    assert!(requests.iter().any(|r| r.clock.extended && r.clock.notice_day.is_some()), "an extended request answered");
    assert!(requests.iter().any(|r| r.clock.answered_late() == Some(true)), "a late answer");
    assert!(requests.iter().any(|r| r.channel != terbuka_domain::Channel::Web), "a desk or post registration");

    let objections = app.store.list_objections(false).await.unwrap();
    assert_eq!(objections.len(), summary.objections);
    let ostates: HashSet<ObjectionState> = objections.iter().map(|o| o.clock.state).collect();
    assert!(ostates.contains(&ObjectionState::DisputeRegistered) || ostates.contains(&ObjectionState::DisputeFiled), "{ostates:?}");
    assert!(ostates.iter().any(|s| s.awaiting_response()), "an open keberatan: {ostates:?}");
    assert!(ostates.contains(&ObjectionState::Upheld) || ostates.contains(&ObjectionState::Rejected), "{ostates:?}");

    // Released documents are public for granted requests.
    let delivered = requests
        .iter()
        .find(|r| {
            r.clock.state == RequestState::Delivered
                && r.clock.outcome == Some(Outcome::GrantedFull)
                && r.obtain.contains(&terbuka_domain::ObtainMethod::SoftCopy)
        })
        .expect("a delivered soft copy");
    let (_, docs, _) = app.public_request(&delivered.reg_no).await.unwrap();
    assert!(!docs.is_empty(), "released documents of {}", delivered.reg_no);

    // Every demo account can sign in.
    for login in demo_logins() {
        let (officer, _, _) = app.login(login.username, login.password, "127.0.0.1", now).await.unwrap_or_else(|e| panic!("{}: {e}", login.username));
        assert_eq!(officer.role, login.role);
        if login.role == Role::PpidPelaksana {
            let unit = units.iter().find(|u| Some(u.id) == officer.unit).unwrap();
            assert_eq!(Some(unit.code.as_str()), login.unit_code);
        }
    }

    assert!(app.verify_audit().await.unwrap().is_ok());
    assert!(seed_if_empty(&app, now, n).await.unwrap().is_none(), "a second seed does nothing");
    assert_eq!(all_requests(&app).await.len(), n);
}

/// The seed can run in a spawned task (e.g. at server start).
#[tokio::test]
async fn seed_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let (app, _ts) = app().await;
    let app = Arc::new(app);
    let task = tokio::spawn({
        let app = app.clone();
        async move { seed_if_empty(&app, Utc::now(), 3).await.map(|s| s.map(|s| s.requests)) }
    });
    assert_eq!(task.await.unwrap().unwrap(), Some(3));
    assert_send(&seed_if_empty(&app, Utc::now(), 1));
}

#[tokio::test]
async fn demo_seed_shows_every_state_and_runs_once() {
    // A Wednesday, 10:00 WIB.
    seed_and_check(Utc.with_ymd_and_hms(2026, 5, 20, 3, 0, 0).unwrap(), 120).await;
}

#[tokio::test]
async fn demo_seed_right_after_lebaran_on_a_sunday_evening() {
    // Sunday 29 March 2026, 20:00 WIB, just after the Idul Fitri holidays and cuti bersama.
    seed_and_check(Utc.with_ymd_and_hms(2026, 3, 29, 13, 0, 0).unwrap(), 120).await;
}

/// The full default seed, as `terbuka demo` runs it today.
#[tokio::test]
async fn demo_seed_300_now() {
    seed_and_check(Utc::now(), 300).await;
}
