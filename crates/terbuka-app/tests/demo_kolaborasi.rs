//! The kolaborasi part of the demo seed on a fresh SQLite store: enough organisations and needs,
//! every life-cycle state, tallies that agree with the pledges and deliveries behind them, the
//! moderation queue and the duplicate-aid guard showing something, private names kept off the
//! public name field, an intact audit chain, and a second seed that does nothing.

use chrono::{DateTime, TimeZone, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use terbuka_app::crypto::PiiKey;
use terbuka_app::demo::seed_if_empty;
use terbuka_app::{App, Config};
use terbuka_domain::calendar::wib_date;
use terbuka_domain::kolaborasi::{DeliveryState, NeedState, OrgState, PledgeState, PledgerContact};
use terbuka_domain::region::RegionLevel;
use terbuka_store::NeedFilter;

async fn seed_and_check(now: DateTime<Utc>) {
    let ts = terbuka_store::testing::sqlite().await;
    let blobs = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.files.local_dir = blobs.path().display().to_string();
    config.jobs.enabled = false;
    let app = App::new(Arc::new(ts.store.clone()), config, PiiKey::from_base64(&PiiKey::generate_base64()).unwrap());

    let started = std::time::Instant::now();
    let summary = seed_if_empty(&app, now, 20).await.expect("demo seed").expect("fresh store is seeded");
    eprintln!("seeded the demo (20 requests) in {:?}: {summary:?}", started.elapsed());
    assert!(summary.aid_orgs >= 40, "{summary:?}");
    assert!(summary.aid_needs >= 250, "{summary:?}");

    let orgs = app.store.list_orgs(OrgState::ALL).await.unwrap();
    assert_eq!(orgs.len(), summary.aid_orgs);
    let org_states: BTreeMap<OrgState, usize> = orgs.iter().fold(BTreeMap::new(), |mut m, o| {
        *m.entry(o.state).or_default() += 1;
        m
    });
    assert_eq!(org_states.get(&OrgState::Rejected), Some(&1), "{org_states:?}");
    assert_eq!(org_states.get(&OrgState::Suspended), Some(&1), "{org_states:?}");
    assert!(org_states.get(&OrgState::Pending).copied().unwrap_or(0) >= 2, "{org_states:?}");
    assert!(orgs
        .iter()
        .filter(|o| o.state != OrgState::Verified)
        .all(|o| o.state == OrgState::Pending || o.state_note.as_deref().is_some_and(|n| n.len() >= 10)));

    let needs = app.store.list_needs(&NeedFilter::default()).await.unwrap().items;
    assert_eq!(needs.len(), summary.aid_needs);
    let need_states: BTreeSet<NeedState> = needs.iter().map(|n| n.state).collect();
    for s in NeedState::ALL {
        assert!(need_states.contains(s), "no need is {s}");
    }
    // Spread over all six kota/kabupaten.
    let kota: BTreeSet<String> = needs.iter().filter_map(|n| app.regions.ancestor_at(&n.region, RegionLevel::KotaKab).map(|r| r.code.clone())).collect();
    assert_eq!(kota.len(), 6, "{kota:?}");
    // Needs still taking pledges run until today or later; the taken-down one has its note.
    let today = wib_date(now);
    assert!(needs.iter().filter(|n| n.state.takes_pledges()).all(|n| n.until >= today));
    assert!(needs.iter().filter(|n| n.state == NeedState::TakenDown).all(|n| n.takedown_note.is_some()));
    assert!(needs.iter().all(|n| n.created_at <= now && n.updated_at <= now));

    let mut pledge_states = BTreeSet::new();
    let mut delivery_states = BTreeSet::new();
    let (mut named, mut pledges_total) = (0, 0);
    let mut private_names = BTreeSet::new();
    let mut public_names = BTreeSet::new();
    for n in &needs {
        let pledges = app.store.pledges_of(n.id).await.unwrap();
        let deliveries = app.store.deliveries_of(n.id).await.unwrap();
        // The tally is what the pledges and deliveries behind it say.
        let pledged: i64 = pledges.iter().map(|p| if matches!(p.state, PledgeState::Active | PledgeState::Fulfilled) { p.quantity } else { p.delivered }).sum();
        let delivered: i64 = deliveries.iter().filter(|d| d.state != DeliveryState::Rejected).map(|d| d.quantity).sum();
        let confirmed: i64 = deliveries.iter().filter(|d| d.state == DeliveryState::Confirmed).map(|d| d.quantity).sum();
        assert_eq!((n.tally.pledged, n.tally.delivered, n.tally.confirmed), (pledged, delivered, confirmed), "tally of need {} ({})", n.id, n.state);
        if !n.allow_over_pledge {
            assert!(n.tally.pledged <= n.quantity, "need {} over-pledged", n.id);
        }
        for p in &pledges {
            assert!(p.created_at <= now);
            let contact: PledgerContact = app.key.open_json(&p.contact_enc).unwrap();
            private_names.insert(contact.name.clone());
            if let Some(name) = &p.public_name {
                named += 1;
                public_names.insert(name.clone());
                assert!(!name.contains(&contact.name), "a public name shows the private one");
            }
        }
        pledges_total += pledges.len();
        pledge_states.extend(pledges.iter().map(|p| p.state));
        delivery_states.extend(deliveries.iter().map(|d| d.state));
        assert!(deliveries.iter().all(|d| d.delivered_on <= today));
    }
    for s in PledgeState::ALL {
        assert!(pledge_states.contains(s), "no pledge is {s}");
    }
    for s in DeliveryState::ALL {
        assert!(delivery_states.contains(s), "no delivery is {s}");
    }
    assert!(pledges_total >= 400, "{pledges_total} pledges");
    let share = named as f64 / pledges_total as f64;
    assert!((0.35..0.65).contains(&share), "{named} of {pledges_total} pledges are named");
    assert!(public_names.is_disjoint(&private_names));

    // The moderation queue: a pending report, an open dispute, the organisations waiting.
    let officer = {
        let o = app.list_officers(None).await.unwrap().into_iter().find(|o| o.role == terbuka_domain::Role::PetugasSosial).expect("petugas sosial");
        terbuka_domain::authz::Actor { officer: o.id, role: o.role, unit: o.unit }
    };
    let queue = app.moderation_queue(&officer).await.unwrap();
    assert_eq!(queue.reports.len(), 1);
    assert_eq!(queue.disputes.len(), 1);
    assert_eq!(queue.pending_orgs.len(), org_states[&OrgState::Pending]);

    // Two beneficiary lists, the later one flagged by the duplicate-aid guard.
    let mut lists = Vec::new();
    for n in &needs {
        if let Some(meta) = app.beneficiary_list(&officer, n.id).await.unwrap() {
            lists.push(meta);
        }
    }
    assert_eq!(lists.len(), 2, "{lists:?}");
    assert!(lists.iter().any(|l| l.flagged > 0), "{lists:?}");

    // Ledger totals add up, and nothing private reached it.
    let ledger = app.ledger().await.unwrap();
    assert_eq!(ledger.taken_down, 1);
    assert!(ledger.by_donor.iter().all(|r| public_names.contains(&r.label)));

    assert!(app.verify_audit().await.unwrap().is_ok());
    assert!(app.store.claim_mails(now, 60, 100).await.unwrap().is_empty(), "the replayed mail is marked handled");

    assert!(seed_if_empty(&app, now, 20).await.unwrap().is_none(), "a second seed does nothing");
    assert_eq!(app.store.list_needs(&NeedFilter::default()).await.unwrap().items.len(), summary.aid_needs);
    assert_eq!(app.store.list_orgs(OrgState::ALL).await.unwrap().len(), summary.aid_orgs);
}

#[tokio::test]
async fn kolaborasi_demo_shows_every_state_and_runs_once() {
    // A Wednesday, 10:00 WIB.
    seed_and_check(Utc.with_ymd_and_hms(2026, 5, 20, 3, 0, 0).unwrap()).await;
}

#[tokio::test]
async fn kolaborasi_demo_just_after_midnight() {
    // 00:10 WIB on New Year's Day: "now" is in the small hours, right after the nightly job.
    seed_and_check(Utc.with_ymd_and_hms(2026, 12, 31, 17, 10, 0).unwrap()).await;
}
