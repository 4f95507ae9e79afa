//! The crisis-channel part of the storage contract: every scenario runs against SQLite and
//! PostgreSQL (PostgreSQL needs `TERBUKA_TEST_POSTGRES_URL`; without it the tests fail, never skip).

use chrono::{DateTime, NaiveDate, Utc};
use terbuka_domain::audit::{verify, NewAuditEntry};
use terbuka_domain::crisis::{diff, release_digest, Change, ChangeKind, Observation};
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

/// A release of `next` on top of `prev` (diff and digest computed as the app does).
fn release(ds: &StoredCrisisDataset, base_seq: i64, prev: &[Observation], next: Vec<Observation>, at: &str, note: Option<&str>) -> NewCrisisRelease {
    NewCrisisRelease {
        dataset: ds.id,
        base_seq,
        at: t(at),
        actor: "admin".into(),
        note: note.map(str::to_string),
        digest: release_digest(&next),
        definition_hash: ds.definition_hash.clone(),
        changes: diff(prev, &next),
        observations: next,
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
        format!("UPDATE crisis_observations SET value = 1 WHERE release_id = {id}"),
        format!("DELETE FROM crisis_observations WHERE release_id = {id}"),
        format!("UPDATE crisis_releases SET note = 'x' WHERE id = {id}"),
        format!("DELETE FROM crisis_releases WHERE id = {id}"),
        format!("UPDATE crisis_changes SET new_value = 1 WHERE release_id = {id}"),
        format!("DELETE FROM crisis_changes WHERE release_id = {id}"),
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
    let head = chain_ok(s).await?;
    // 1,507 values (four statements); the 1,301st repeats the 5th, so the third statement fails
    // after two were executed.
    let start = d("2020-01-01");
    let mut v: Vec<Observation> = (0..1507).map(|i| Observation::new("31.71.01.1001", start + chrono::Duration::days(i), "confirmed", i as f64)).collect();
    v[1300] = v[4].clone();
    let bad = release(&ds, 0, &[], v.clone(), "2026-03-02T01:00:00Z", None);
    assert_conflict(s.insert_crisis_release(bad, rel_audit()).await, "a value given twice");
    assert!(s.crisis_releases(ds.id).await?.is_empty(), "no release");
    assert_eq!(chain_ok(s).await?, head, "no audit entry");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crisis_observations").fetch_one(s.pool()).await?;
    assert_eq!(n, 0, "no observation");

    // Same with a bad change row after good observations.
    let good: Vec<Observation> = (0..1507).map(|i| Observation::new("31.71.01.1001", start + chrono::Duration::days(i), "confirmed", i as f64)).collect();
    let mut bad = release(&ds, 0, &[], good.clone(), "2026-03-02T01:00:00Z", None);
    let dup = bad.changes[700].clone();
    bad.changes.push(dup);
    assert_conflict(s.insert_crisis_release(bad, rel_audit()).await, "a change given twice");
    assert!(s.crisis_releases(ds.id).await?.is_empty(), "no release");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crisis_changes").fetch_one(s.pool()).await?;
    assert_eq!(n, 0, "no change");

    // The number is not used up: the next good release is 1, with every value.
    let r = s.insert_crisis_release(release(&ds, 0, &[], good.clone(), "2026-03-02T02:00:00Z", None), rel_audit()).await?;
    assert_eq!((r.seq, r.rows, r.added), (1, 1507, 1507));
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
