//! Measures the crisis channel's storage on SQLite and (with `TERBUKA_TEST_POSTGRES_URL`)
//! PostgreSQL: the two-year back-fill of generated Covid-19 data for every kelurahan (one
//! release through the real upload path), one daily release on top, and the cold read (replay)
//! of the latest release by a fresh `App` (empty cache), as on a node that just started.
//!
//! `cargo run --release -p terbuka-app --example crisis_bench [days]` (default 730 days); also
//! times the demo's crisis seeding.

use chrono::{Duration, Utc};
use std::sync::Arc;
use std::time::Instant;
use terbuka_app::crypto::PiiKey;
use terbuka_app::{App, Config};
use terbuka_store::testing::TestStore;
use terbuka_store::ObservationFilter;

fn app(store: &TestStore, blobs: &std::path::Path) -> App {
    let mut config = Config::default();
    config.files.local_dir = blobs.display().to_string();
    config.jobs.enabled = false;
    App::new(Arc::new(store.store.clone()), config, PiiKey::from_base64(&PiiKey::generate_base64()).expect("key"))
}

async fn run(name: &str, store: TestStore, days: usize) -> anyhow::Result<()> {
    let blobs = tempfile::tempdir()?;
    let a = app(&store, blobs.path());
    let now = Utc::now();
    a.ensure_crisis_datasets(now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let start = terbuka_domain::calendar::wib_date(now) - Duration::days(days as i64 + 1);
    let (header, rows) = terbuka_app::demo_crisis::covid_rows(&a.regions, start, days + 1, 2020);
    let per_region = days + 1;
    let backfill: Vec<Vec<String>> = rows.chunks(per_region).flat_map(|k| k[..days].to_vec()).collect();
    let daily: Vec<Vec<String>> = rows.chunks(per_region).map(|k| k[days].clone()).collect();
    let headers: Vec<&str> = header.iter().map(String::as_str).collect();
    let csv = terbuka_files::table::write_csv(&headers, &backfill);
    let daily_csv = terbuka_files::table::write_csv(&headers, &daily);

    let mut stages: Vec<(&'static str, Instant)> = Vec::new();
    let t0 = Instant::now();
    let s = a
        .crisis_ingest(None, "covid19", "backfill.csv", &csv, Some("bench"), now, &mut |st| {
            stages.push((
                match st {
                    terbuka_app::crisis::IngestStage::Reading => "read",
                    terbuka_app::crisis::IngestStage::Validating { .. } => "validate+diff+digest",
                    terbuka_app::crisis::IngestStage::Saving { .. } => "encode+write",
                },
                Instant::now(),
            ))
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let total = t0.elapsed();
    let write_start = stages.iter().find(|s| s.0 == "encode+write").map(|s| s.1).unwrap_or(t0);
    let size: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM crisis_change_sets").fetch_one(store.store.pool()).await?;
    println!(
        "{name}: back-fill of {} values ({} rows, {days} days): {:.2} s in all, of which encode + write {:.2} s; change set {:.1} MB",
        s.rows,
        backfill.len(),
        total.as_secs_f64(),
        write_start.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );
    let t1 = Instant::now();
    let d = a.crisis_ingest(None, "covid19", "daily.csv", &daily_csv, Some("bench"), now, &mut |_| {}).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!("{name}: daily release ({} values added, cache warm): {:.2} s", d.added, t1.elapsed().as_secs_f64());

    let cold = app(&store, blobs.path());
    let t2 = Instant::now();
    let (_, snapshot) = cold.crisis_snapshot("covid19", None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{name}: cold read (replay of 2 change sets + digest check) of {} values: {:.2} s", snapshot.len(), t2.elapsed().as_secs_f64());
    let t3 = Instant::now();
    let (_, obs) = cold.crisis_observations("covid19", None, &ObservationFilter::default()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{name}: warm read of every observation as Vec<Observation> ({}): {:.2} s", obs.len(), t3.elapsed().as_secs_f64());
    let t4 = Instant::now();
    let filtered = cold
        .crisis_observations("covid19", None, &ObservationFilter { region: Some("31.71.01.1001".into()), ..Default::default() })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{name}: warm read of one kelurahan ({} values): {:.3} s", filtered.1.len(), t4.elapsed().as_secs_f64());
    let t5 = Instant::now();
    let n = store.store.crisis_observations(d_release(&cold).await?, &ObservationFilter::default()).await?.len();
    println!("{name}: Store::crisis_observations (uncached full replay) of {n} values: {:.2} s", t5.elapsed().as_secs_f64());
    Ok(())
}

async fn d_release(a: &App) -> anyhow::Result<i64> {
    Ok(a.crisis_release("covid19", None).await.map_err(|e| anyhow::anyhow!("{e}"))?.id)
}

use terbuka_store::Store;

/// The demo's crisis seeding (`terbuka demo` publishes it before serving).
async fn demo(name: &str, store: TestStore, days: usize) -> anyhow::Result<()> {
    let blobs = tempfile::tempdir()?;
    let a = app(&store, blobs.path());
    let t = Instant::now();
    let made = terbuka_app::demo_crisis::seed(&a, Utc::now(), days).await?;
    println!("{name}: demo_crisis::seed({days}) published {made} releases in {:.2} s", t.elapsed().as_secs_f64());
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let days: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(730);
    run("SQLite", terbuka_store::testing::sqlite().await, days).await?;
    demo("SQLite", terbuka_store::testing::sqlite().await, days).await?;
    if std::env::var("TERBUKA_TEST_POSTGRES_URL").is_ok() {
        run("PostgreSQL", terbuka_store::testing::postgres().await, days).await?;
        demo("PostgreSQL", terbuka_store::testing::postgres().await, days).await?;
    }
    Ok(())
}
