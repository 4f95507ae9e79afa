//! The crisis channel's use cases end to end through `App`: a malformed upload changes nothing
//! and names every problem, a correction release produces the right diff while everything else
//! carries over, a cumulative decrease needs a note, a JSON upload equals the same CSV, and only
//! an Admin or the PPID Utama may upload. Releases are stored as change sets: several app nodes
//! on one database read each other's releases (each replays forward from its cache), a release
//! that does not replay to its digest is never served, and populations are replaced whole.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use terbuka_app::crisis::{IngestError, IngestStage, ReleaseSummary};
use terbuka_app::crypto::PiiKey;
use terbuka_app::{App, AppError, Config};
use terbuka_domain::authz::Actor;
use terbuka_domain::crisis::ingest::PROBLEM_CODES;
use terbuka_domain::crisis::{ChangeKind, Observation, RowProblem};
use terbuka_domain::{Lang, Role};
use terbuka_store::testing::TestStore;
use terbuka_store::ObservationFilter;

const GAMBIR: &str = "31.71.01.1001";
const CIDENG: &str = "31.71.01.1002";

struct Env {
    app: App,
    _store: TestStore,
    _blobs: tempfile::TempDir,
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn env() -> Env {
    let store = terbuka_store::testing::sqlite().await;
    let blobs = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.files.local_dir = blobs.path().display().to_string();
    config.jobs.enabled = false;
    let app = App::new(Arc::new(store.store.clone()), config, PiiKey::from_base64(&PiiKey::generate_base64()).unwrap());
    assert_eq!(app.ensure_crisis_datasets(t("2026-03-01T00:00:00Z")).await.unwrap(), 2);
    assert_eq!(app.ensure_crisis_datasets(t("2026-03-01T00:00:00Z")).await.unwrap(), 0, "idempotent");
    Env { app, _store: store, _blobs: blobs }
}

fn admin() -> Actor {
    Actor { officer: 1, role: Role::Admin, unit: None }
}

async fn ingest(app: &App, file: &str, body: &str, note: Option<&str>) -> Result<ReleaseSummary, IngestError> {
    app.crisis_ingest(Some(&admin()), "covid19", file, body.as_bytes(), note, t("2026-03-02T03:00:00Z"), &mut |_| {}).await
}

fn problems(r: Result<ReleaseSummary, IngestError>) -> Vec<(usize, String, &'static str)> {
    match r {
        Err(IngestError::Rows(p)) => p.into_iter().map(|RowProblem { line, column, code }| (line, column, code)).collect(),
        other => panic!("expected row problems, got {other:?}"),
    }
}

fn find<'a>(obs: &'a [Observation], region: &str, date: &str, measure: &str) -> Option<&'a Observation> {
    obs.iter().find(|o| o.region == region && o.date.to_string() == date && o.measure == measure)
}

const FIRST: &str = "\
region,date,confirmed,deaths,in_treatment
31.71.01.1001,2021-07-01,100,2,10
31.71.01.1001,2021-07-02,104,2,11
31.71.01.1002,2021-07-01,40,1,4
31.71.01.1002,2021-07-02,41,1,
";

#[tokio::test]
async fn a_malformed_upload_changes_nothing_and_names_every_problem() {
    let e = env().await;
    let audit_before = e.app.store.audit_head().await.unwrap().count;
    let bad = "\
kode_wilayah,tanggal,confirmed,deaths,active,warna
31.71.01.1001,2021-07-01,100,2,,
31.71.99.9999,2021-07-01,5,0,,
31.71.01,2021-07-01,5,0,,
31.71.01.1002,01/07/2021,5,0,,
31.71.01.1002,2021-07-02,1.234,-1,,
31.71.01.1001,2021-07-01,101,2,,
31.71.01.1003,2021-07-01,sepuluh,,,
";
    let got = problems(ingest(&e.app, "covid.csv", bad, None).await);
    let want: Vec<(usize, String, &str)> = vec![
        (1, "active".into(), "err.crisis_computed_column"),
        (1, "warna".into(), "err.crisis_unknown_column"),
        (3, "region".into(), "err.crisis_region_unknown"),
        (4, "region".into(), "err.crisis_region_level"),
        (5, "date".into(), "err.crisis_date"),
        (6, "confirmed".into(), "err.crisis_not_whole"),
        (6, "deaths".into(), "err.crisis_negative"),
        (7, "date".into(), "err.crisis_duplicate_row"),
        (8, "confirmed".into(), "err.crisis_number"),
    ];
    assert_eq!(got, want);
    assert!(e.app.crisis_releases("covid19").await.unwrap().is_empty(), "no release");
    assert_eq!(e.app.store.audit_head().await.unwrap().count, audit_before, "no audit entry");

    // A file that is not a table at all, or an empty one.
    match ingest(&e.app, "x.pdf", "%PDF-1.4 …", None).await {
        Err(IngestError::App(AppError::Invalid(f))) => assert_eq!(f.0[0].code, "err.table.unsupported"),
        other => panic!("{other:?}"),
    }
    assert_eq!(problems(ingest(&e.app, "x.csv", "region,date,confirmed\n", None).await), [(2, String::new(), "err.crisis_empty")]);
    match ingest(&e.app, "x.json", "{\"region\": 1}", None).await {
        Err(IngestError::App(AppError::Invalid(f))) => assert_eq!(f.0[0].code, "err.crisis_json"),
        other => panic!("{other:?}"),
    }
    assert!(e.app.crisis_releases("covid19").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_correction_release_diffs_against_the_one_before_and_carries_the_rest_over() {
    let e = env().await;
    let mut stages = Vec::new();
    let r1 = e
        .app
        .crisis_ingest(Some(&admin()), "covid19", "h1.csv", FIRST.as_bytes(), Some("Rilis awal"), t("2026-03-02T03:00:00Z"), &mut |s| stages.push(s))
        .await
        .unwrap();
    assert_eq!(
        stages,
        [IngestStage::Reading, IngestStage::Validating { rows: 4 }, IngestStage::Saving { observations: 11, changes: 11 }],
        "an empty cell is not a value"
    );
    assert_eq!((r1.seq, r1.uploaded, r1.rows, r1.added, r1.changed, r1.removed), (1, 11, 11, 11, 0, 0));

    // The correction: Gambir's 2 July confirmed revised up (104 → 106), a new day for Cideng
    // added; nothing else is in the file and everything else carries over.
    let correction = "\
region,date,confirmed
31.71.01.1001,2021-07-02,106
31.71.01.1002,2021-07-03,45
";
    let r2 = ingest(&e.app, "koreksi.csv", correction, Some("Koreksi data puskesmas")).await.unwrap();
    assert_eq!((r2.seq, r2.uploaded, r2.rows, r2.added, r2.changed, r2.removed), (2, 2, 12, 1, 1, 0));

    let (rel, changes) = e.app.crisis_release_diff("covid19", 2).await.unwrap();
    assert_eq!(rel.note.as_deref(), Some("Koreksi data puskesmas"));
    assert_eq!(rel.actor, "officer:1");
    assert_eq!(changes.len(), 2);
    let c = &changes[0];
    assert_eq!((c.region.as_str(), c.date.to_string(), c.measure.as_str(), c.kind), (GAMBIR, "2021-07-02".into(), "confirmed", ChangeKind::Changed));
    assert_eq!((c.old, c.new, c.delta), (Some(104.0), Some(106.0), Some(2.0)));
    let c = &changes[1];
    assert_eq!(
        (c.region.as_str(), c.date.to_string(), c.kind, c.old, c.new, c.delta),
        (CIDENG, "2021-07-03".into(), ChangeKind::Added, None, Some(45.0), None)
    );

    // Release 2 is the whole dataset; release 1 is unchanged.
    let (latest, obs2) = e.app.crisis_observations("covid19", None, &ObservationFilter::default()).await.unwrap();
    assert_eq!(latest.seq, 2);
    assert_eq!(obs2.len(), 12);
    assert_eq!(find(&obs2, GAMBIR, "2021-07-02", "confirmed").unwrap().value, 106.0);
    assert_eq!(find(&obs2, GAMBIR, "2021-07-01", "in_treatment").unwrap().value, 10.0, "carried over");
    assert_eq!(find(&obs2, CIDENG, "2021-07-02", "in_treatment"), None, "a gap stays a gap");
    let (_, obs1) = e.app.crisis_observations("covid19", Some(1), &ObservationFilter::default()).await.unwrap();
    assert_eq!(obs1.len(), 11);
    assert_eq!(find(&obs1, GAMBIR, "2021-07-02", "confirmed").unwrap().value, 104.0);
    assert_eq!(latest.digest, terbuka_domain::crisis::release_digest(&obs2));

    // Filters pass through.
    let only = ObservationFilter { region: Some(CIDENG.into()), measures: vec!["confirmed".into()], ..Default::default() };
    let (_, cideng) = e.app.crisis_observations("covid19", None, &only).await.unwrap();
    assert_eq!(cideng.iter().map(|o| o.value).collect::<Vec<_>>(), [40.0, 41.0, 45.0]);

    // Releases newest first; the same upload again changes nothing and is refused.
    assert_eq!(e.app.crisis_releases("covid19").await.unwrap().iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 1]);
    match ingest(&e.app, "koreksi.csv", correction, None).await {
        Err(IngestError::App(AppError::Rejected("err.crisis_unchanged"))) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(e.app.crisis_release_diff("covid19", 3).await, Err(AppError::NotFound)));
    assert!(matches!(e.app.crisis_releases("tidak-ada").await, Err(AppError::NotFound)));

    // Every release is in the audit chain.
    let audit = e.app.store.audit_entries().await.unwrap();
    let subjects: Vec<&str> = audit.iter().filter(|a| a.action == "crisis.release").map(|a| a.subject.as_str()).collect();
    assert_eq!(subjects, ["crisis:covid19:1", "crisis:covid19:2"]);
}

#[tokio::test]
async fn a_cumulative_decrease_needs_a_note() {
    let e = env().await;
    ingest(&e.app, "h1.csv", FIRST, None).await.unwrap();
    // Gambir's 2 July confirmed goes below 1 July's (100) without a note: refused, at that cell.
    let lower = "region,date,confirmed\n31.71.01.1001,2021-07-02,98\n";
    assert_eq!(problems(ingest(&e.app, "turun.csv", lower, None).await), [(2, "confirmed".to_string(), "err.crisis_cumulative_decrease")]);
    // A value of the current release that the upload puts below: the row to blame is the upload's.
    let earlier_higher = "region,date,confirmed\n31.71.01.1001,2021-07-01,110\n";
    assert_eq!(problems(ingest(&e.app, "naik.csv", earlier_higher, None).await), [(2, "confirmed".to_string(), "err.crisis_cumulative_decrease")]);
    assert_eq!(e.app.crisis_releases("covid19").await.unwrap().len(), 1);

    // With a correction note on the row it is accepted, the note travels with the value.
    let noted = "region,date,confirmed,catatan\n31.71.01.1001,2021-07-02,98,Duplikat kasus dihapus\n";
    let r = ingest(&e.app, "turun.csv", noted, Some("Koreksi duplikat")).await.unwrap();
    assert_eq!((r.seq, r.changed), (2, 1));
    let (_, changes) = e.app.crisis_release_diff("covid19", 2).await.unwrap();
    assert_eq!((changes[0].old, changes[0].new, changes[0].delta), (Some(104.0), Some(98.0), Some(-6.0)));
    let (_, obs) = e.app.crisis_observations("covid19", None, &ObservationFilter::default()).await.unwrap();
    assert_eq!(find(&obs, GAMBIR, "2021-07-02", "confirmed").unwrap().note.as_deref(), Some("Duplikat kasus dihapus"));
}

#[tokio::test]
async fn json_ingest_equals_csv_ingest() {
    let csv = env().await;
    let json = env().await;
    let a = ingest(&csv.app, "h1.csv", FIRST, None).await.unwrap();
    let records = r#"[
        {"region": "31.71.01.1001", "date": "2021-07-01", "confirmed": 100, "deaths": 2, "in_treatment": 10},
        {"region": "31.71.01.1001", "date": "2021-07-02", "confirmed": 104, "deaths": 2, "in_treatment": 11},
        {"region": "31.71.01.1002", "date": "2021-07-01", "confirmed": 40, "deaths": 1, "in_treatment": 4},
        {"region": "31.71.01.1002", "date": "2021-07-02", "confirmed": 41, "deaths": 1}
    ]"#;
    let b = json.app.crisis_ingest(Some(&admin()), "covid19", "h1.json", records.as_bytes(), None, t("2026-03-02T03:00:00Z"), &mut |_| {}).await.unwrap();
    assert_eq!(a, b);
    let all = ObservationFilter::default();
    assert_eq!(csv.app.crisis_observations("covid19", None, &all).await.unwrap().1, json.app.crisis_observations("covid19", None, &all).await.unwrap().1);

    // JSON problems are reported by record (line = record number + 1) and key.
    let bad =
        r#"[{"region": "31.71.01.1001", "date": "2021-07-03", "confirmed": "banyak"}, {"region": "31.71.01.1001", "date": "2021-07-04", "confirmed": true}]"#;
    let r = json.app.crisis_ingest(Some(&admin()), "covid19", "bad.json", bad.as_bytes(), None, t("2026-03-02T04:00:00Z"), &mut |_| {}).await;
    assert_eq!(problems(r), [(2, "confirmed".to_string(), "err.crisis_number"), (3, "confirmed".to_string(), "err.crisis_number")]);
}

#[tokio::test]
async fn only_admin_and_ppid_utama_upload_and_create_datasets() {
    let e = env().await;
    let now = t("2026-03-02T03:00:00Z");
    for role in [Role::PpidPelaksana, Role::AtasanPpid, Role::PetugasSosial] {
        let who = Actor { officer: 9, role, unit: Some(2) };
        let r = e.app.crisis_ingest(Some(&who), "covid19", "h1.csv", FIRST.as_bytes(), None, now, &mut |_| {}).await;
        assert!(matches!(r, Err(IngestError::App(AppError::Forbidden))), "{role:?}: {r:?}");
        assert!(matches!(e.app.create_crisis_dataset(Some(&who), "lain", terbuka_domain::crisis::FLOODS_DEFINITION, now).await, Err(AppError::Forbidden)));
    }
    let utama = Actor { officer: 2, role: Role::PpidUtama, unit: Some(1) };
    e.app.crisis_ingest(Some(&utama), "covid19", "h1.csv", FIRST.as_bytes(), None, now, &mut |_| {}).await.unwrap();
    // The command line (no actor) may too.
    e.app.crisis_ingest(None, "banjir", "b.csv", b"region,date,evacuees\n31.71.01.1001,2021-07-01,40\n", None, now, &mut |_| {}).await.unwrap();
    assert_eq!(e.app.crisis_release("banjir", None).await.unwrap().actor, "cli");

    // Creating datasets: a third one, a taken slug, a bad slug, a bad definition.
    let ds = e.app.create_crisis_dataset(Some(&utama), "banjir-rob", terbuka_domain::crisis::FLOODS_DEFINITION, now).await.unwrap();
    assert_eq!(ds.definition_hash, terbuka_app::crisis::definition_hash(terbuka_domain::crisis::FLOODS_DEFINITION));
    assert!(matches!(
        e.app.create_crisis_dataset(None, "banjir", terbuka_domain::crisis::FLOODS_DEFINITION, now).await,
        Err(AppError::Rejected("err.crisis_slug_taken"))
    ));
    assert!(matches!(e.app.create_crisis_dataset(None, "Banjir Rob", terbuka_domain::crisis::FLOODS_DEFINITION, now).await, Err(AppError::Invalid(_))));
    assert!(matches!(e.app.create_crisis_dataset(None, "kosong", "id = 1", now).await, Err(AppError::Invalid(_))));
    assert_eq!(e.app.crisis_datasets().await.unwrap().iter().map(|d| d.slug.as_str()).collect::<Vec<_>>(), ["covid19", "banjir", "banjir-rob"]);
}

#[test]
fn every_problem_code_has_a_message_in_both_languages() {
    let c = terbuka_app::i18n::Catalogs::load();
    let extra = [
        "err.crisis_json",
        "err.crisis_json_empty",
        "err.crisis_unchanged",
        "err.crisis_slug",
        "err.crisis_slug_taken",
        "err.crisis_definition",
        "err.crisis_linelist_dataset",
    ];
    let codes = PROBLEM_CODES.iter().chain(terbuka_domain::crisis::ingest::POPULATION_PROBLEM_CODES).chain(terbuka_domain::crisis::linelist::PROBLEM_CODES);
    for code in codes.chain(extra.iter()) {
        assert!(c.has(Lang::Id, code) && c.has(Lang::En, code), "{code} has no message");
    }
}

/// A back-fill longer than the register's 10 000-row import limit: the generated demo data for
/// every kelurahan over 40 days (10 680 rows) goes through the real upload path in one release.
#[tokio::test]
async fn a_long_back_fill_of_generated_data_is_one_release() {
    let e = env().await;
    let start = chrono::NaiveDate::from_ymd_opt(2021, 6, 1).unwrap();
    let (header, rows) = terbuka_app::demo_crisis::covid_rows(&e.app.regions, start, 40, 11);
    assert!(rows.len() > terbuka_files::table::MAX_ROWS);
    let headers: Vec<&str> = header.iter().map(String::as_str).collect();
    let csv = terbuka_files::table::write_csv(&headers, &rows);
    let summary = e
        .app
        .crisis_ingest(Some(&admin()), "covid19", "covid19-backfill.csv", &csv, Some("generated demo data"), t("2026-03-02T03:00:00Z"), &mut |_| {})
        .await
        .unwrap_or_else(|err| panic!("{err:?}"));
    let obs = e.app.crisis_observations("covid19", None, &ObservationFilter::default()).await.unwrap().1;
    assert_eq!(obs.len(), rows.len() * (header.len() - 2), "every value of every row is in the release ({summary:?})");
    assert_eq!(obs.len(), 267 * 40 * 13);
}

/// The demo's crisis data: a back-fill and daily releases (the last one a correction) of
/// Covid-19, one flood release and the populations, all marked as generated, published through
/// the real upload path, and not again on a second run.
#[tokio::test]
async fn the_demo_publishes_generated_releases_once() {
    let e = env().await;
    let now = t("2026-03-02T03:00:00Z");
    assert_eq!(terbuka_app::demo_crisis::seed(&e.app, now, 10).await.unwrap(), 7);
    assert_eq!(terbuka_app::demo_crisis::seed(&e.app, now, 10).await.unwrap(), 0, "a second run publishes nothing");
    for (slug, n) in [("covid19", 6), ("banjir", 1)] {
        let releases = e.app.crisis_releases(slug).await.unwrap();
        assert_eq!(releases.len(), n, "{slug}");
        for r in &releases {
            assert!(r.note.as_deref().unwrap_or_default().contains("dibangkitkan"), "{slug} {} is marked as generated", r.seq);
            assert!(r.created_at <= now);
        }
    }
    let releases = e.app.crisis_releases("covid19").await.unwrap();
    // Every kelurahan's 13 measures a day, and the province's own confirmed and deaths totals
    // for the 5 days of the back-fill (10 values).
    assert_eq!(
        releases.iter().map(|r| r.rows).collect::<Vec<_>>(),
        [267 * 10 * 13 + 10, 267 * 9 * 13 + 10, 267 * 8 * 13 + 10, 267 * 7 * 13 + 10, 267 * 6 * 13 + 10, 267 * 5 * 13 + 10]
    );
    let (_, covid) = e.app.crisis_observations("covid19", None, &ObservationFilter::default()).await.unwrap();
    assert_eq!(covid.len(), 267 * 10 * 13 + 10);
    // The province's own total counts 0.6 % more than its kelurahan (unknown domicile): the
    // reconciliation view has a difference to show.
    let day = covid.iter().filter(|o| o.region == "31").map(|o| o.date).max().unwrap();
    let parts: f64 = covid.iter().filter(|o| o.region.len() == 13 && o.date == day && o.measure == "confirmed").map(|o| o.value).sum();
    let total = covid.iter().find(|o| o.region == "31" && o.date == day && o.measure == "confirmed").unwrap().value;
    assert_eq!(total, parts + (parts * 6.0 / 1000.0).floor());
    // The window is the end of a long history: cumulative counts do not start from zero.
    let confirmed: f64 = covid.iter().filter(|o| o.measure == "confirmed" && o.region != "31").map(|o| o.value).sum();
    assert!(confirmed > 100_000.0, "cumulative confirmed {confirmed}");
    let last = covid.iter().map(|o| o.date).max().unwrap();
    assert_eq!(last, chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), "the last day is yesterday (WIB)");

    // The correction: release 6 revises Gambir's 28 February (double-counted in release 5) with
    // a note, and the corrected figures are consistent again.
    let (r6, changes) = e.app.crisis_release_diff("covid19", 6).await.unwrap();
    assert!(r6.note.as_deref().unwrap_or_default().contains("koreksi"));
    let revised: Vec<_> = changes.iter().filter(|c| c.kind == ChangeKind::Changed).collect();
    assert_eq!(revised.len(), 2, "confirmed and self_isolation");
    for c in &revised {
        assert_eq!((c.region.as_str(), c.date.to_string(), c.delta), (GAMBIR, "2026-02-28".to_string(), Some(-12.0)));
    }
    assert_eq!(changes.iter().filter(|c| c.kind == ChangeKind::Added).count(), 267 * 13);
    let fixed = find(&covid, GAMBIR, "2026-02-28", "confirmed").unwrap();
    assert_eq!(fixed.note.as_deref(), Some(terbuka_app::demo_crisis::CORRECTION_NOTE));
    let v = |m: &str| find(&covid, GAMBIR, "2026-02-28", m).unwrap().value;
    assert_eq!(v("in_treatment") + v("self_isolation"), v("confirmed") - v("recovered") - v("deaths"));
    let (_, before) = e.app.crisis_observations("covid19", Some(5), &ObservationFilter { region: Some(GAMBIR.into()), ..Default::default() }).await.unwrap();
    assert_eq!(find(&before, GAMBIR, "2026-02-28", "confirmed").unwrap().value, fixed.value + 12.0, "release 5 keeps the published error");

    // Flood season and populations.
    let (_, floods) = e.app.crisis_observations("banjir", None, &ObservationFilter::default()).await.unwrap();
    assert_eq!(floods.len(), 267 * 10 * 4);
    let pops = e.app.crisis_populations().await.unwrap();
    assert_eq!(pops.len(), 267);
    assert!(pops.iter().all(|p| p.source == terbuka_app::demo_crisis::POPULATION_SOURCE && p.year == 2026 && p.population >= 8_000));
}

/// Two app nodes on one database: each serves the other's releases (replaying forward from
/// what it holds) and builds on them.
#[tokio::test]
async fn nodes_read_and_extend_each_others_releases() {
    let e = env().await;
    let mut config = Config::default();
    config.files.local_dir = e._blobs.path().display().to_string();
    config.jobs.enabled = false;
    let other = App::new(e.app.store.clone(), config, PiiKey::from_base64(&PiiKey::generate_base64()).unwrap());
    ingest(&e.app, "h1.csv", FIRST, None).await.unwrap();
    let all = ObservationFilter::default();
    let (r1, a1) = other.crisis_observations("covid19", None, &all).await.unwrap();
    assert_eq!((r1.seq, a1.len()), (1, 11));
    ingest(&e.app, "h2.csv", "region,date,confirmed\n31.71.01.1001,2021-07-03,110\n", None).await.unwrap();
    let (r2, a2) = other.crisis_observations("covid19", None, &all).await.unwrap();
    assert_eq!((r2.seq, a2.len()), (2, 12), "the other node replays forward");
    assert_eq!(find(&a2, GAMBIR, "2021-07-03", "confirmed").unwrap().value, 110.0);
    // The other node uploads on top of release 2; the first node then sees release 3.
    let r3 = other
        .crisis_ingest(None, "covid19", "h3.csv", b"region,date,confirmed\n31.71.01.1002,2021-07-03,45\n", None, t("2026-03-02T05:00:00Z"), &mut |_| {})
        .await
        .unwrap();
    assert_eq!((r3.seq, r3.rows), (3, 13));
    let (latest, a3) = e.app.crisis_observations("covid19", None, &all).await.unwrap();
    assert_eq!((latest.seq, a3.len()), (3, 13));
    assert_eq!(latest.digest, terbuka_domain::crisis::release_digest(&a3));
    // Older releases are still served (replayed from the start).
    assert_eq!(e.app.crisis_observations("covid19", Some(1), &all).await.unwrap().1, a1);
    let (_, snapshot) = e.app.crisis_snapshot("covid19", Some(2)).await.unwrap();
    assert_eq!(snapshot.observations(), a2);
}

/// A release whose change sets do not replay to its digest is an internal error, never served.
#[tokio::test]
async fn a_release_that_does_not_replay_is_not_served() {
    let e = env().await;
    ingest(&e.app, "h1.csv", FIRST, None).await.unwrap();
    let (r1, current) = e.app.crisis_observations("covid19", None, &ObservationFilter::default()).await.unwrap();
    // A release written past the app (by hand, or a bug) with a digest that does not match.
    let mut next = current.clone();
    next[0].value += 1.0;
    let bad = terbuka_store::NewCrisisRelease {
        dataset: r1.dataset,
        base_seq: 1,
        at: t("2026-03-02T04:00:00Z"),
        actor: "cli".into(),
        note: None,
        digest: r1.digest.clone(),
        definition_hash: r1.definition_hash.clone(),
        rows: next.len() as i64,
        changes: terbuka_domain::crisis::ChangeSet::between(&current, &next),
    };
    let audit = terbuka_domain::audit::NewAuditEntry { actor: "cli".into(), action: "crisis.release".into(), subject: "x".into(), detail: "{}".into() };
    e.app.store.insert_crisis_release(bad, audit).await.unwrap();
    let fresh = {
        let mut config = Config::default();
        config.files.local_dir = e._blobs.path().display().to_string();
        App::new(e.app.store.clone(), config, PiiKey::from_base64(&PiiKey::generate_base64()).unwrap())
    };
    for app in [&e.app, &fresh] {
        assert!(matches!(app.crisis_observations("covid19", None, &ObservationFilter::default()).await, Err(AppError::Internal(_))));
        let r = app
            .crisis_ingest(
                Some(&admin()),
                "covid19",
                "h.csv",
                b"region,date,confirmed\n31.71.01.1001,2021-07-05,200\n",
                None,
                t("2026-03-02T05:00:00Z"),
                &mut |_| {},
            )
            .await;
        assert!(matches!(r, Err(IngestError::App(AppError::Internal(_)))), "nothing is built on it: {r:?}");
    }
    // Release 1 is still served.
    assert_eq!(e.app.crisis_observations("covid19", Some(1), &ObservationFilter::default()).await.unwrap().1, current);
}

const POPULATIONS: &str = "\
region,population,year,source
31.71.01.1001,15000,2024,BPS Jakarta Pusat dalam Angka 2024
31.71.01.1002,21000,2024,BPS Jakarta Pusat dalam Angka 2024
31.71,950000,2023,BPS
";

#[tokio::test]
async fn populations_are_checked_whole_and_replaced() {
    let e = env().await;
    let now = t("2026-03-02T03:00:00Z");
    assert!(e.app.crisis_populations().await.unwrap().is_empty());
    for role in [Role::PpidPelaksana, Role::AtasanPpid, Role::PetugasSosial] {
        let who = Actor { officer: 9, role, unit: Some(2) };
        let r = e.app.set_crisis_populations(Some(&who), "p.csv", POPULATIONS.as_bytes(), now).await;
        assert!(matches!(r, Err(IngestError::App(AppError::Forbidden))), "{role:?}");
    }
    let audit_before = e.app.store.audit_head().await.unwrap().count;
    let bad = "region,population,year,source\n31.71.99.9999,100,2024,BPS\n31.71.01.1001,1.500,2024,BPS\n31.71.01.1002,100,1850,BPS\n31.71.01.1001,100,2024,\n";
    let p = match e.app.set_crisis_populations(Some(&admin()), "p.csv", bad.as_bytes(), now).await {
        Err(IngestError::Rows(p)) => p.into_iter().map(|p| (p.line, p.column, p.code)).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        p,
        [
            (2, "region".to_string(), "err.crisis_region_unknown"),
            (3, "population".to_string(), "err.crisis_population"),
            (4, "year".to_string(), "err.crisis_year"),
            (5, "region".to_string(), "err.crisis_duplicate_region"),
            (5, "source".to_string(), "err.required"),
        ]
    );
    // Indonesian first: every code has a message.
    let c = terbuka_app::i18n::Catalogs::load();
    assert!(p.iter().all(|(_, _, code)| c.has(Lang::Id, code)));
    assert!(e.app.crisis_populations().await.unwrap().is_empty(), "nothing saved");
    assert_eq!(e.app.store.audit_head().await.unwrap().count, audit_before, "no audit entry");

    let utama = Actor { officer: 2, role: Role::PpidUtama, unit: Some(1) };
    assert_eq!(e.app.set_crisis_populations(Some(&utama), "p.csv", POPULATIONS.as_bytes(), now).await.unwrap(), 3);
    let got = e.app.crisis_populations().await.unwrap();
    assert_eq!(
        got[1],
        terbuka_app::crisis::PopulationRow { region: GAMBIR.into(), population: 15_000, year: 2024, source: "BPS Jakarta Pusat dalam Angka 2024".into() }
    );
    assert_eq!(got.iter().map(|p| p.region.as_str()).collect::<Vec<_>>(), ["31.71", GAMBIR, CIDENG]);
    // An XLSX upload replaces the whole table.
    let xlsx = terbuka_files::table::write_xlsx(
        "Penduduk",
        &["kode_wilayah", "penduduk", "tahun", "sumber"],
        &[vec![CIDENG.into(), "22000".into(), "2025".into(), "Dukcapil".into()]],
    );
    assert_eq!(e.app.set_crisis_populations(None, "p.xlsx", &xlsx, now).await.unwrap(), 1);
    assert_eq!(
        e.app.crisis_populations().await.unwrap(),
        [terbuka_app::crisis::PopulationRow { region: CIDENG.into(), population: 22_000, year: 2025, source: "Dukcapil".into() }]
    );
    let actions: Vec<String> = e.app.store.audit_entries().await.unwrap().into_iter().filter(|a| a.action == "crisis.populations").map(|a| a.actor).collect();
    assert_eq!(actions, ["officer:2", "cli"]);
    // Not a table at all.
    assert!(matches!(e.app.set_crisis_populations(None, "p.csv", b"", now).await, Err(IngestError::App(AppError::Invalid(_)))));
}

/// A case line list becomes a release of kelurahan × day figures (hand-counted here); a list with
/// a bad row changes nothing and names the row; a dataset without the case measures refuses it;
/// and no personal field (age, sex) reaches the stored release.
#[tokio::test]
async fn a_line_list_becomes_a_release_of_counts() {
    let e = env().await;
    let list = "tanggal,kelurahan,status,umur,jenis_kelamin\n\
                2021-07-01,31.71.01.1001,dirawat,34,L\n\
                2021-07-01,31.71.01.1001,sembuh,61,P\n\
                2021-07-02,31.71.01.1002,meninggal,87,P\n\
                2021-07-03,31.71.01.1001,isolasi_mandiri,29,L\n";
    let as_of = chrono::NaiveDate::from_ymd_opt(2021, 7, 3);
    let s = e
        .app
        .crisis_ingest_linelist(
            Some(&admin()),
            "covid19",
            "kasus.csv",
            list.as_bytes().to_vec(),
            Some("Daftar kasus"),
            as_of,
            t("2026-03-02T00:00:00Z"),
            &mut |_| {},
        )
        .await
        .unwrap();
    assert_eq!(s.seq, 1);
    let (_, obs) = e.app.crisis_observations("covid19", None, &ObservationFilter::default()).await.unwrap();
    let v =
        |region: &str, day: &str, measure: &str| obs.iter().find(|o| o.region == region && o.date.to_string() == day && o.measure == measure).map(|o| o.value);
    // Gambir: 2 cases on the 1st (one recovered), a third on the 3rd.
    assert_eq!(v("31.71.01.1001", "2021-07-01", "confirmed"), Some(2.0));
    assert_eq!(v("31.71.01.1001", "2021-07-02", "confirmed"), Some(2.0), "no case that day: the total carries");
    assert_eq!(v("31.71.01.1001", "2021-07-03", "confirmed"), Some(3.0));
    assert_eq!(v("31.71.01.1001", "2021-07-03", "recovered"), Some(1.0));
    assert_eq!(v("31.71.01.1001", "2021-07-03", "in_treatment"), Some(1.0), "statuses hold on the export date");
    assert_eq!(v("31.71.01.1001", "2021-07-03", "self_isolation"), Some(1.0));
    // Cideng: one death on the 2nd; every other kelurahan is present with zero.
    assert_eq!(v("31.71.01.1002", "2021-07-03", "deaths"), Some(1.0));
    assert_eq!(v("31.74.01.1001", "2021-07-03", "confirmed"), Some(0.0));
    assert_eq!(s.rows, obs.len() as i64);
    assert!(obs.iter().all(|o| ["confirmed", "recovered", "deaths", "in_treatment", "self_isolation"].contains(&o.measure.as_str())));

    // A bad row: nothing saved, the row named.
    let bad = "tanggal,kelurahan,status\n2021-07-04,31.71.01.1001,sembuh\n2021-07-04,31.71.01,sembuh\n";
    match e
        .app
        .crisis_ingest_linelist(Some(&admin()), "covid19", "kasus.csv", bad.as_bytes().to_vec(), None, None, t("2026-03-02T01:00:00Z"), &mut |_| {})
        .await
    {
        Err(IngestError::Rows(p)) => {
            assert_eq!(p.len(), 1);
            assert_eq!((p[0].line, p[0].column.as_str(), p[0].code), (3, "kelurahan", "err.linelist_region_level"));
        }
        other => panic!("expected row problems, got {other:?}"),
    }
    assert_eq!(e.app.crisis_releases("covid19").await.unwrap().len(), 1);
    // The floods dataset has no case measures; a health officer may not upload.
    assert!(matches!(
        e.app
            .crisis_ingest_linelist(Some(&admin()), "banjir", "kasus.csv", list.as_bytes().to_vec(), None, as_of, t("2026-03-02T02:00:00Z"), &mut |_| {})
            .await,
        Err(IngestError::App(AppError::Rejected("err.crisis_linelist_dataset")))
    ));
    let officer = Actor { officer: 99, role: terbuka_domain::Role::PpidPelaksana, unit: Some(1) };
    assert!(matches!(
        e.app
            .crisis_ingest_linelist(Some(&officer), "covid19", "kasus.csv", list.as_bytes().to_vec(), None, as_of, t("2026-03-02T03:00:00Z"), &mut |_| {})
            .await,
        Err(IngestError::App(AppError::Forbidden))
    ));
}
