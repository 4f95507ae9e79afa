//! The crisis-channel part of the storage contract: every scenario runs against SQLite and
//! PostgreSQL (PostgreSQL needs `TERBUKA_TEST_POSTGRES_URL`; without it the tests fail, never skip).
//! Releases are stored as change sets and read back by replay; migration 6 converts releases
//! stored in the full-copy shape of migration 5.

use chrono::{DateTime, NaiveDate, Utc};
use terbuka_domain::audit::{verify, NewAuditEntry};
use terbuka_domain::crisis::{diff, release_digest, Change, ChangeKind, ChangeSet, Observation};
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
}

contract!(datasets_and_release_sequence);
contract!(releases_are_immutable);
contract!(a_failing_release_saves_nothing);
contract!(observation_filters);
contract!(diff_rows_round_trip);
contract!(notes_round_trip);
contract!(change_set_ranges);
contract!(a_release_that_does_not_replay_is_an_error);
contract!(populations_are_replaced_whole);

/// Migration 6 on a database holding releases in the shape of migration 5.
mod migration_from_full_copies {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let t = terbuka_store::testing::sqlite_at(5).await;
        super::from_v5(&t.store).await.expect("on SQLite");
        let bad = terbuka_store::testing::sqlite_at(5).await;
        super::from_v5_mismatch(&bad.store).await.expect("on SQLite");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let t = terbuka_store::testing::postgres_at(5).await;
        super::from_v5(&t.store).await.expect("on PostgreSQL");
        let bad = terbuka_store::testing::postgres_at(5).await;
        super::from_v5_mismatch(&bad.store).await.expect("on PostgreSQL");
    }
}

/// One connection, so the second release reuses the statement the first one prepared: an absent
/// old value then a present one at the same position (a NULL bound as the wrong type would make
/// PostgreSQL refuse the second).
mod absent_then_present_values_on_one_connection {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let t = terbuka_store::testing::sqlite().await;
        let one = terbuka_store::SqlStore::connect(&t.url, 1).await.expect("one connection");
        super::absent_then_present(&one).await.expect("on SQLite");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let t = terbuka_store::testing::postgres().await;
        let one = terbuka_store::SqlStore::connect(&t.url, 1).await.expect("one connection");
        super::absent_then_present(&one).await.expect("on PostgreSQL");
    }
}

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
    NewAuditEntry { actor: "admin".into(), action: action.into(), subject: subject.into(), detail: "{}".into() }
}

fn obs(region: &str, date: &str, measure: &str, value: f64) -> Observation {
    Observation::new(region, d(date), measure, value)
}

async fn dataset(s: &SqlStore, slug: &str) -> R<StoredCrisisDataset> {
    let def = format!("id = \"{slug}\"\nversion = 1\n");
    s.insert_crisis_dataset(
        NewCrisisDataset { slug: slug.into(), definition: def, definition_version: 1, definition_hash: format!("hash-{slug}"), at: t("2026-03-01T08:00:00Z") },
        audit("crisis.dataset.create", "crisis_dataset:{id}"),
    )
    .await
}

/// A release of `next` on top of `prev` (change set and digest computed as the app does).
fn release(ds: &StoredCrisisDataset, base_seq: i64, prev: &[Observation], next: Vec<Observation>, at: &str, note: Option<&str>) -> NewCrisisRelease {
    NewCrisisRelease {
        dataset: ds.id,
        base_seq,
        at: t(at),
        actor: "admin".into(),
        note: note.map(str::to_string),
        digest: release_digest(&next),
        definition_hash: ds.definition_hash.clone(),
        rows: next.len() as i64,
        changes: ChangeSet::between(prev, &next),
    }
}

fn rel_audit() -> NewAuditEntry {
    audit("crisis.release", "crisis_release:{seq}")
}

async fn chain_ok(s: &SqlStore) -> R<i64> {
    let entries = s.audit_entries().await?;
    let head = s.audit_head().await?;
    verify(&entries, &head).unwrap_or_else(|e| panic!("audit chain does not verify: {e}"));
    Ok(head.count)
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(r: R<T>, what: &str) {
    match r {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what}: expected Conflict, got {other:?}"),
    }
}

fn sorted(mut v: Vec<Observation>) -> Vec<Observation> {
    v.sort_by(|a, b| (&a.region, a.date, &a.measure).cmp(&(&b.region, b.date, &b.measure)));
    v
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

async fn datasets_and_release_sequence(s: &SqlStore) -> R {
    let covid = dataset(s, "covid19").await?;
    let banjir = dataset(s, "banjir").await?;
    assert_eq!(covid.slug, "covid19");
    assert_eq!(covid.created_at, t("2026-03-01T08:00:00Z"));
    assert_conflict(dataset(s, "covid19").await, "a slug is unique");
    assert_eq!(s.crisis_datasets().await?.iter().map(|d| d.slug.as_str()).collect::<Vec<_>>(), ["covid19", "banjir"]);
    assert_eq!(s.crisis_dataset("banjir").await?, Some(banjir.clone()));
    assert_eq!(s.crisis_dataset("tidak-ada").await?, None);

    // Release 1: values in any order, a fraction and a note survive the round trip.
    let mut noted = obs("31.71.01.1001", "2021-07-02", "confirmed", 104.0);
    noted.note = Some("Koreksi dari puskesmas".into());
    let v1 = vec![noted, obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0), obs("31.71.01.1002", "2021-07-01", "positivity", 12.5)];
    let r1 = s.insert_crisis_release(release(&covid, 0, &[], v1.clone(), "2026-03-02T01:00:00Z", Some("Rilis awal")), rel_audit()).await?;
    assert_eq!((r1.seq, r1.dataset, r1.rows, r1.added, r1.changed, r1.removed), (1, covid.id, 3, 3, 0, 0));
    assert_eq!(r1.note.as_deref(), Some("Rilis awal"));
    assert_eq!(r1.digest, release_digest(&v1));
    assert_eq!(s.crisis_observations(r1.id, &ObservationFilter::default()).await?, sorted(v1.clone()));

    // A release computed against an old base is refused; the other dataset counts on its own.
    let v2 = vec![obs("31.71.01.1001", "2021-07-01", "confirmed", 101.0)];
    let r2 = s.insert_crisis_release(release(&covid, 1, &v1, v2.clone(), "2026-03-03T01:00:00Z", None), rel_audit()).await?;
    assert_eq!((r2.seq, r2.rows, r2.added, r2.changed, r2.removed), (2, 1, 0, 1, 2));
    assert_conflict(s.insert_crisis_release(release(&covid, 1, &v1, v2.clone(), "2026-03-03T02:00:00Z", None), rel_audit()).await, "a stale base");
    assert_conflict(s.insert_crisis_release(release(&covid, 0, &[], v2.clone(), "2026-03-03T02:00:00Z", None), rel_audit()).await, "base 0 after releases");
    let b1 = s
        .insert_crisis_release(release(&banjir, 0, &[], vec![obs("31.71.01.1001", "2021-07-01", "evacuees", 40.0)], "2026-03-03T03:00:00Z", None), rel_audit())
        .await?;
    assert_eq!(b1.seq, 1);

    // Newest first; one release by number; unknown ones are absent.
    let list = s.crisis_releases(covid.id).await?;
    assert_eq!(list.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(list[1], r1);
    assert_eq!(s.crisis_release(covid.id, 2).await?, Some(r2.clone()));
    assert_eq!(s.crisis_release(covid.id, 3).await?, None);
    assert_eq!(s.crisis_release(banjir.id, 2).await?, None);
    // Release 1 is still what it was.
    assert_eq!(s.crisis_observations(r1.id, &ObservationFilter::default()).await?, sorted(v1));
    assert_eq!(s.crisis_observations(r2.id, &ObservationFilter::default()).await?, v2);

    // An unknown dataset.
    let ghost = StoredCrisisDataset { id: 9999, ..covid.clone() };
    match s.insert_crisis_release(release(&ghost, 0, &[], vec![], "2026-03-04T00:00:00Z", None), rel_audit()).await {
        Err(StoreError::NotFound) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }

    // Every write is in the audit chain, with its number filled in.
    assert_eq!(chain_ok(s).await?, 5);
    let subjects: Vec<String> = s.audit_entries().await?.into_iter().map(|e| e.subject).collect();
    assert_eq!(
        subjects,
        [
            format!("crisis_dataset:{}", covid.id),
            format!("crisis_dataset:{}", banjir.id),
            "crisis_release:1".into(),
            "crisis_release:2".into(),
            "crisis_release:1".into()
        ]
    );
    Ok(())
}

async fn releases_are_immutable(s: &SqlStore) -> R {
    let ds = dataset(s, "covid19").await?;
    let v = vec![obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0)];
    let r = s.insert_crisis_release(release(&ds, 0, &[], v.clone(), "2026-03-02T01:00:00Z", None), rel_audit()).await?;
    let id = r.id;
    for sql in [
        format!("UPDATE crisis_change_sets SET format = 2 WHERE release_id = {id}"),
        format!("DELETE FROM crisis_change_sets WHERE release_id = {id}"),
        format!("UPDATE crisis_releases SET note = 'x' WHERE id = {id}"),
        format!("DELETE FROM crisis_releases WHERE id = {id}"),
    ] {
        assert!(sqlx::query(&sql).execute(s.pool()).await.is_err(), "refused: {sql}");
    }
    assert_eq!(s.crisis_observations(id, &ObservationFilter::default()).await?, v);
    assert_eq!(s.crisis_changes(id).await?.len(), 1);
    assert_eq!(s.crisis_release(ds.id, 1).await?, Some(r));
    Ok(())
}

async fn a_failing_release_saves_nothing(s: &SqlStore) -> R {
    let ds = dataset(s, "covid19").await?;
    let start = d("2020-01-01");
    let good: Vec<Observation> = (0..1507).map(|i| Observation::new("31.71.01.1001", start + chrono::Duration::days(i), "confirmed", i as f64)).collect();
    let r = s.insert_crisis_release(release(&ds, 0, &[], good.clone(), "2026-03-02T02:00:00Z", None), rel_audit()).await?;
    let head = chain_ok(s).await?;
    // A release computed against a stale base: no release, no change set, no audit entry.
    let mut next = good.clone();
    next[3].value = 1.5;
    assert_conflict(s.insert_crisis_release(release(&ds, 0, &[], next.clone(), "2026-03-02T03:00:00Z", None), rel_audit()).await, "stale base");
    assert_eq!(s.crisis_releases(ds.id).await?.len(), 1, "no release");
    assert_eq!(chain_ok(s).await?, head, "no audit entry");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crisis_change_sets").fetch_one(s.pool()).await?;
    assert_eq!(n, 1, "no change set");
    // The number is not used up: the next good release is 2, with every value.
    let r2 = s.insert_crisis_release(release(&ds, 1, &good, next.clone(), "2026-03-02T04:00:00Z", None), rel_audit()).await?;
    assert_eq!((r2.seq, r2.rows, r2.added, r2.changed), (2, 1507, 0, 1));
    assert_eq!(s.crisis_observations(r2.id, &ObservationFilter::default()).await?, next);
    assert_eq!(s.crisis_observations(r.id, &ObservationFilter::default()).await?, good);
    assert_eq!(s.crisis_changes(r.id).await?.len(), 1507);
    assert_eq!(chain_ok(s).await?, head + 1);
    Ok(())
}

async fn observation_filters(s: &SqlStore) -> R {
    let ds = dataset(s, "covid19").await?;
    let mut v = Vec::new();
    for region in ["31", "31.71", "31.71.01.1001", "31.71.01.1002", "31.72.01.1001", "31.710"] {
        for day in ["2021-07-01", "2021-07-02", "2021-07-03"] {
            v.push(obs(region, day, "confirmed", 10.0));
            v.push(obs(region, day, "deaths", 1.0));
        }
    }
    let r = s.insert_crisis_release(release(&ds, 0, &[], v.clone(), "2026-03-02T01:00:00Z", None), rel_audit()).await?;
    let get = |f: ObservationFilter| async move { s.crisis_observations(r.id, &f).await };
    let regions = |v: &[Observation]| {
        let mut r: Vec<String> = v.iter().map(|o| o.region.clone()).collect();
        r.dedup();
        r
    };

    assert_eq!(get(ObservationFilter::default()).await?, sorted(v.clone()));
    let got = get(ObservationFilter { region: Some("31.71".into()), ..Default::default() }).await?;
    assert_eq!(regions(&got), ["31.71", "31.71.01.1001", "31.71.01.1002"], "a region and what is under it, not 31.710");
    assert_eq!(got.len(), 18);
    let got = get(ObservationFilter { region: Some("31.71.01.1001".into()), ..Default::default() }).await?;
    assert_eq!(regions(&got), ["31.71.01.1001"]);
    // LIKE wildcards in a prefix are taken literally.
    assert!(get(ObservationFilter { region: Some("31.7_".into()), ..Default::default() }).await?.is_empty());
    assert!(get(ObservationFilter { region: Some("%".into()), ..Default::default() }).await?.is_empty());

    let got = get(ObservationFilter { from: Some(d("2021-07-02")), ..Default::default() }).await?;
    assert!(got.iter().all(|o| o.date >= d("2021-07-02")) && got.len() == 24);
    let got = get(ObservationFilter { until: Some(d("2021-07-01")), ..Default::default() }).await?;
    assert!(got.iter().all(|o| o.date == d("2021-07-01")) && got.len() == 12);
    let got = get(ObservationFilter { measures: vec!["deaths".into()], ..Default::default() }).await?;
    assert!(got.iter().all(|o| o.measure == "deaths") && got.len() == 18);
    let got = get(ObservationFilter { measures: vec!["deaths".into(), "confirmed".into()], ..Default::default() }).await?;
    assert_eq!(got.len(), 36);

    // All together.
    let got =
        get(ObservationFilter { region: Some("31.72".into()), from: Some(d("2021-07-02")), until: Some(d("2021-07-02")), measures: vec!["confirmed".into()] })
            .await?;
    assert_eq!(got, [obs("31.72.01.1001", "2021-07-02", "confirmed", 10.0)]);
    Ok(())
}

async fn diff_rows_round_trip(s: &SqlStore) -> R {
    let ds = dataset(s, "covid19").await?;
    let v1 = vec![
        obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0),
        obs("31.71.01.1001", "2021-07-01", "deaths", 2.0),
        obs("31.71.01.1002", "2021-07-01", "confirmed", 40.0),
        obs("31.71.01.1002", "2021-07-01", "deaths", 1.0),
    ];
    let r1 = s.insert_crisis_release(release(&ds, 0, &[], v1.clone(), "2026-03-02T01:00:00Z", None), rel_audit()).await?;
    let v2 = vec![
        obs("31.71.01.1001", "2021-07-01", "confirmed", 97.5),
        obs("31.71.01.1001", "2021-07-01", "deaths", 2.0),
        obs("31.71.01.1001", "2021-07-02", "confirmed", 104.0),
        obs("31.71.01.1002", "2021-07-01", "confirmed", 40.0),
    ];
    let r2 = s.insert_crisis_release(release(&ds, 1, &v1, v2.clone(), "2026-03-03T01:00:00Z", Some("Koreksi Gambir")), rel_audit()).await?;
    assert_eq!((r2.added, r2.changed, r2.removed, r2.rows), (1, 1, 1, 4));
    let want: Vec<Change> = vec![
        Change {
            region: "31.71.01.1001".into(),
            date: d("2021-07-01"),
            measure: "confirmed".into(),
            kind: ChangeKind::Changed,
            old: Some(100.0),
            new: Some(97.5),
            delta: Some(-2.5),
        },
        Change {
            region: "31.71.01.1001".into(),
            date: d("2021-07-02"),
            measure: "confirmed".into(),
            kind: ChangeKind::Added,
            old: None,
            new: Some(104.0),
            delta: None,
        },
        Change {
            region: "31.71.01.1002".into(),
            date: d("2021-07-01"),
            measure: "deaths".into(),
            kind: ChangeKind::Removed,
            old: Some(1.0),
            new: None,
            delta: None,
        },
    ];
    assert_eq!(s.crisis_changes(r2.id).await?, want);
    assert_eq!(s.crisis_changes(r2.id).await?, diff(&v1, &v2), "the stored diff is the domain's diff");
    assert_eq!(s.crisis_changes(r1.id).await?.len(), 4, "the first release adds everything");
    assert!(s.crisis_changes(9999).await?.is_empty());
    Ok(())
}

async fn absent_then_present(s: &SqlStore) -> R {
    let ds = dataset(s, "covid19").await?;
    let v1 = vec![obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0)];
    s.insert_crisis_release(release(&ds, 0, &[], v1.clone(), "2026-03-02T01:00:00Z", None), rel_audit()).await?;
    let v2 = vec![obs("31.71.01.1001", "2021-07-01", "confirmed", 90.0)];
    let r2 = s.insert_crisis_release(release(&ds, 1, &v1, v2.clone(), "2026-03-02T02:00:00Z", Some("koreksi")), rel_audit()).await?;
    let r3 = s.insert_crisis_release(release(&ds, 2, &v2, vec![], "2026-03-02T03:00:00Z", Some("ditarik")), rel_audit()).await?;
    assert_eq!(s.crisis_changes(r2.id).await?, diff(&v1, &v2));
    assert_eq!(s.crisis_changes(r3.id).await?, diff(&v2, &[]));
    assert_eq!((r3.removed, r3.rows), (1, 0));
    Ok(())
}

async fn notes_round_trip(s: &SqlStore) -> R {
    let ds = dataset(s, "covid19").await?;
    let mut a = obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0);
    a.note = Some("Koreksi dari puskesmas".into());
    let v1 = vec![a.clone(), obs("31.71.01.1002", "2021-07-01", "confirmed", 40.0)];
    s.insert_crisis_release(release(&ds, 0, &[], v1.clone(), "2026-03-02T01:00:00Z", None), rel_audit()).await?;
    // Release 2 clears the first note (same value) and sets one on an unchanged value.
    let mut b = obs("31.71.01.1002", "2021-07-01", "confirmed", 40.0);
    b.note = Some("Dicek ulang".into());
    let v2 = vec![obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0), b];
    let r2 = s.insert_crisis_release(release(&ds, 1, &v1, v2.clone(), "2026-03-02T02:00:00Z", None), rel_audit()).await?;
    assert_eq!((r2.added, r2.changed, r2.removed), (0, 0, 0), "notes are not changes");
    assert_eq!(s.crisis_observations(r2.id, &ObservationFilter::default()).await?, v2);
    assert_eq!(s.crisis_observations(r2.id - 1, &ObservationFilter::default()).await?, sorted(v1));
    Ok(())
}

async fn change_set_ranges(s: &SqlStore) -> R {
    let ds = dataset(s, "covid19").await?;
    let mut prev: Vec<Observation> = Vec::new();
    for i in 1..=4 {
        let mut next = prev.clone();
        next.push(obs("31.71.01.1001", &format!("2021-07-0{i}"), "confirmed", f64::from(i) * 10.0));
        s.insert_crisis_release(release(&ds, i64::from(i) - 1, &prev, next.clone(), "2026-03-02T01:00:00Z", None), rel_audit()).await?;
        prev = next;
    }
    let sets = s.crisis_change_sets(ds.id, 1, 3).await?;
    assert_eq!(sets.iter().map(|(r, _)| r.seq).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(sets[1].1.changes(), diff(&prev[..2], &prev[..3]));
    assert_eq!(s.crisis_change_sets(ds.id, 0, 4).await?.len(), 4);
    assert!(s.crisis_change_sets(ds.id, 4, 9).await?.is_empty());
    Ok(())
}

async fn a_release_that_does_not_replay_is_an_error(s: &SqlStore) -> R {
    let ds = dataset(s, "covid19").await?;
    let v1 = vec![obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0)];
    let r1 = s.insert_crisis_release(release(&ds, 0, &[], v1.clone(), "2026-03-02T01:00:00Z", None), rel_audit()).await?;
    // A release whose digest does not match what its change sets replay to.
    let v2 = vec![obs("31.71.01.1001", "2021-07-01", "confirmed", 101.0)];
    let mut wrong = release(&ds, 1, &v1, v2.clone(), "2026-03-02T02:00:00Z", None);
    wrong.digest = release_digest(&v1);
    let r2 = s.insert_crisis_release(wrong, rel_audit()).await?;
    match s.crisis_observations(r2.id, &ObservationFilter::default()).await {
        Err(StoreError::Corrupt(what)) => assert!(what.contains("digest"), "{what}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // A change set that does not fit the release before (it changes a value that is not there).
    let mut stale = release(&ds, 2, &[], v2.clone(), "2026-03-02T03:00:00Z", None);
    stale.changes = ChangeSet::between(&[obs("31.72.01.1001", "2021-07-01", "confirmed", 5.0)], &[obs("31.72.01.1001", "2021-07-01", "confirmed", 6.0)]);
    let r3 = s.insert_crisis_release(stale, rel_audit()).await?;
    assert!(matches!(s.crisis_observations(r3.id, &ObservationFilter::default()).await, Err(StoreError::Corrupt(_))));
    // Damaged bytes (only possible by hand, past the immutability trigger).
    let disable = match s.backend() {
        Backend::Sqlite => "DROP TRIGGER crisis_change_sets_immutable_u",
        Backend::Postgres => "ALTER TABLE crisis_change_sets DISABLE TRIGGER crisis_change_sets_immutable",
    };
    sqlx::query(disable).execute(s.pool()).await?;
    sqlx::query("UPDATE crisis_change_sets SET payload = $1 WHERE release_id = $2").bind(b"TCS1garbage".to_vec()).bind(r1.id).execute(s.pool()).await?;
    assert!(matches!(s.crisis_observations(r1.id, &ObservationFilter::default()).await, Err(StoreError::Corrupt(_))));
    assert!(matches!(s.crisis_changes(r1.id).await, Err(StoreError::Corrupt(_))));
    Ok(())
}

async fn populations_are_replaced_whole(s: &SqlStore) -> R {
    assert!(s.crisis_populations().await?.is_empty());
    let p = |region: &str, population: i64, year: i32| NewCrisisPopulation { region: region.into(), population, year, source: "BPS".into() };
    let head = chain_ok(s).await?;
    let many: Vec<NewCrisisPopulation> = (0..1203).map(|i| p(&format!("31.71.{:02}.{:04}", i / 100, i), 1000 + i, 2024)).collect();
    assert_eq!(s.replace_crisis_populations(many, t("2026-03-02T01:00:00Z"), audit("crisis.populations", "crisis:populations")).await?, 1203);
    assert_eq!(s.crisis_populations().await?.len(), 1203);
    let two = vec![p("31.71.01.1002", 21_000, 2023), p("31.71.01.1001", 15_000, 2024)];
    assert_eq!(s.replace_crisis_populations(two, t("2026-03-03T01:00:00Z"), audit("crisis.populations", "crisis:populations")).await?, 2);
    let got = s.crisis_populations().await?;
    assert_eq!(
        got.iter().map(|x| (x.region.as_str(), x.population, x.year, x.source.as_str())).collect::<Vec<_>>(),
        [("31.71.01.1001", 15_000, 2024, "BPS"), ("31.71.01.1002", 21_000, 2023, "BPS")]
    );
    assert_eq!(got[0].updated_at, t("2026-03-03T01:00:00Z"));
    // A region given twice (past the first chunk) saves nothing.
    let mut dup: Vec<NewCrisisPopulation> = (0..700).map(|i| p(&format!("31.72.{:04}", i), 5, 2024)).collect();
    dup.push(p("31.72.0003", 6, 2024));
    assert_conflict(s.replace_crisis_populations(dup, t("2026-03-04T01:00:00Z"), audit("crisis.populations", "crisis:populations")).await, "duplicate region");
    assert_eq!(s.crisis_populations().await?, got, "nothing saved");
    assert_eq!(chain_ok(s).await?, head + 2);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Migration 6: releases stored as full copies (migration 5) become change sets
// ---------------------------------------------------------------------------------------------

fn lit(v: Option<f64>) -> String {
    v.map_or("NULL".to_string(), |v| format!("{v:?}"))
}

/// Writes a release the way the store of migration 5 did: the release row, every observation
/// and every change.
async fn insert_v5(s: &SqlStore, dataset: i64, seq: i64, prev: &[Observation], next: &[Observation], digest: &str) -> R<i64> {
    let changes = diff(prev, next);
    let count = |k: ChangeKind| changes.iter().filter(|c| c.kind == k).count() as i64;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO crisis_releases (dataset_id, seq, created_at, actor, note, digest, definition_hash, added, changed, removed, rows_count) \
         VALUES ($1, $2, $3, 'admin', NULL, $4, 'hash-covid19', $5, $6, $7, $8) RETURNING id",
    )
    .bind(dataset)
    .bind(seq)
    .bind(format!("2026-03-0{seq}T01:00:00.000000Z"))
    .bind(digest)
    .bind(count(ChangeKind::Added))
    .bind(count(ChangeKind::Changed))
    .bind(count(ChangeKind::Removed))
    .bind(next.len() as i64)
    .fetch_one(s.pool())
    .await?;
    for o in next {
        let note = o.note.as_ref().map_or("NULL".to_string(), |n| format!("'{n}'"));
        sqlx::query(&format!(
            "INSERT INTO crisis_observations (release_id, region, date, measure, value, note) VALUES ({id}, '{}', '{}', '{}', {}, {note})",
            o.region,
            o.date,
            o.measure,
            lit(Some(o.value))
        ))
        .execute(s.pool())
        .await?;
    }
    for c in &changes {
        sqlx::query(&format!(
            "INSERT INTO crisis_changes (release_id, region, date, measure, kind, old_value, new_value) VALUES ({id}, '{}', '{}', '{}', '{}', {}, {})",
            c.region,
            c.date,
            c.measure,
            c.kind.as_str(),
            lit(c.old),
            lit(c.new)
        ))
        .execute(s.pool())
        .await?;
    }
    Ok(id)
}

fn v5_history() -> Vec<Vec<Observation>> {
    let mut noted = obs("31.71.01.1001", "2021-07-02", "confirmed", 104.0);
    noted.note = Some("Koreksi dari puskesmas".into());
    let v1 = vec![obs("31.71.01.1001", "2021-07-01", "confirmed", 100.0), noted, obs("31.71.01.1002", "2021-07-01", "positivity", 12.5)];
    let v2 = vec![
        obs("31.71.01.1001", "2021-07-01", "confirmed", 97.5),
        obs("31.71.01.1001", "2021-07-02", "confirmed", 104.0),
        obs("31.71.01.1001", "2021-07-03", "confirmed", 110.0),
        obs("31.72.01.1001", "2021-07-01", "deaths", 3.0),
    ];
    let mut v3 = v2.clone();
    v3.push(obs("31", "2021-07-03", "confirmed", 5000.0));
    v3[2].value = 111.0;
    vec![v1, v2, v3]
}

async fn v5_dataset(s: &SqlStore) -> R<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO crisis_datasets (slug, definition, definition_version, definition_hash, created_at) \
         VALUES ('covid19', 'id = \"covid19\"', 1, 'hash-covid19', '2026-03-01T08:00:00.000000Z') RETURNING id",
    )
    .fetch_one(s.pool())
    .await?)
}

async fn from_v5(s: &SqlStore) -> R {
    let history = v5_history();
    let ds = v5_dataset(s).await?;
    let mut prev: Vec<Observation> = Vec::new();
    let mut ids = Vec::new();
    for (i, next) in history.iter().enumerate() {
        ids.push(insert_v5(s, ds, i as i64 + 1, &prev, next, &release_digest(next)).await?);
        prev = next.clone();
    }
    let before = s.crisis_releases(ds).await?;
    assert_eq!(s.migrate().await?, 1, "migration 6 applied");
    assert_eq!(s.crisis_releases(ds).await?, before, "the releases are kept as they were");
    let mut prev: Vec<Observation> = Vec::new();
    for (id, next) in ids.iter().zip(&history) {
        assert_eq!(s.crisis_observations(*id, &ObservationFilter::default()).await?, sorted(next.clone()), "release {id}: identical observations");
        assert_eq!(s.crisis_changes(*id).await?, diff(&prev, next), "release {id}: identical changes");
        prev = next.clone();
    }
    assert!(sqlx::query("SELECT COUNT(*) FROM crisis_observations").fetch_one(s.pool()).await.is_err(), "the full copies are gone");
    assert!(sqlx::query("SELECT COUNT(*) FROM crisis_changes").fetch_one(s.pool()).await.is_err(), "the diff rows are gone");
    // The next release goes on top of the converted ones.
    let covid = s.crisis_dataset("covid19").await?.expect("dataset");
    let mut v4 = prev.clone();
    v4.pop();
    let r4 = s.insert_crisis_release(release(&covid, 3, &prev, v4.clone(), "2026-03-05T01:00:00Z", None), rel_audit()).await?;
    assert_eq!((r4.seq, r4.removed), (4, 1));
    assert_eq!(s.crisis_observations(r4.id, &ObservationFilter::default()).await?, sorted(v4));
    assert_eq!(s.migrate().await?, 0, "nothing left to migrate");
    Ok(())
}

/// A release of migration 5 whose copy does not match its digest stops the migration, which then
/// changes nothing.
async fn from_v5_mismatch(s: &SqlStore) -> R {
    let history = v5_history();
    let ds = v5_dataset(s).await?;
    insert_v5(s, ds, 1, &[], &history[0], &release_digest(&history[0])).await?;
    insert_v5(s, ds, 2, &history[0], &history[1], &release_digest(&history[0])).await?;
    match s.migrate().await {
        Err(StoreError::Corrupt(what)) => assert!(what.contains("release 2"), "{what}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crisis_observations").fetch_one(s.pool()).await?;
    assert_eq!(n, 7, "the old tables are still there, untouched");
    let v: i64 = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(s.pool()).await?;
    assert_eq!(v, 5);
    assert!(sqlx::query("SELECT COUNT(*) FROM crisis_change_sets").fetch_one(s.pool()).await.is_err(), "no half-done migration");
    Ok(())
}
