//! Pledge benchmark (not a timed test): pledges per second when many people pledge at once on
//! one popular need, through the full `App::pledge` path, on SQLite and on PostgreSQL, with the
//! quantity rule checked after every run, next to raw SQL baselines in the same run.
//!
//! Run: `cargo bench -p terbuka-app --bench pledges -- [options]`. Options:
//!
//! * `--tasks 1,8,32,64`: concurrent tasks sharing one `App`, one run (fresh database) each;
//! * `--pledges 4000`: the need's quantity is three times this (pledges are 1..=5, mean 3), so
//!   the need runs out after about this many pledges and the last attempts are refused;
//! * `--quantity Q`: set the need's quantity directly instead;
//! * `--backends sqlite,postgres`: PostgreSQL needs `TERBUKA_TEST_POSTGRES_URL` (e.g.
//!   `postgres://postgres@127.0.0.1:5432/test`) and fails loudly without it;
//! * `--max-secs 120`: stop a run after this long even if the need is not exhausted;
//! * `--no-baseline`: skip the raw SQL lines.
//!
//! `BENCH_DIR` picks the folder of the temporary SQLite files (fsync cost depends on the disk).
//!
//! The rate limits (`pledges_per_contact_per_hour`, `pledges_per_client_per_hour`) are raised to
//! values no run reaches: every pledge has its own contact and client string anyway, and the
//! benchmark measures the write path, not the abuse guard.

use chrono::{Duration as Days, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use terbuka_app::crypto::PiiKey;
use terbuka_app::{App, AppError, Config};
use terbuka_domain::authz::Actor;
use terbuka_domain::calendar::wib_date;
use terbuka_domain::kolaborasi::{NeedState, OrgEvent, PledgeState, RawNeed, RawOrg, RawPledge};
use terbuka_domain::validate::RawOfficer;
use terbuka_domain::Role;
use terbuka_store::SqlStore;

/// Kelurahan Kampung Melayu, Jatinegara, Jakarta Timur.
const REGION: &str = "31.75.03.1005";

// ------------------------------------------------------------------------------ options

struct Opts {
    tasks: Vec<usize>,
    quantity: i64,
    backends: Vec<String>,
    max_secs: u64,
    baseline: bool,
}

fn opts() -> Opts {
    let mut o = Opts { tasks: vec![1, 8, 32, 64], quantity: 12_000, backends: vec!["sqlite".into(), "postgres".into()], max_secs: 120, baseline: true };
    let mut args = std::env::args().skip(1);
    let list = |v: Option<String>| v.unwrap_or_default().split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tasks" => o.tasks = list(args.next()).iter().filter_map(|s| s.parse().ok()).filter(|&n| n > 0).collect(),
            "--pledges" => o.quantity = args.next().and_then(|v| v.parse::<i64>().ok()).map(|n| n * 3).unwrap_or(o.quantity),
            "--quantity" => o.quantity = args.next().and_then(|v| v.parse().ok()).unwrap_or(o.quantity),
            "--backends" => o.backends = list(args.next()),
            "--max-secs" => o.max_secs = args.next().and_then(|v| v.parse().ok()).unwrap_or(o.max_secs),
            "--no-baseline" => o.baseline = false,
            // `cargo bench` passes `--bench`; anything else is a mistake worth seeing.
            "--bench" => {}
            other => eprintln!("ignoring unknown argument {other:?}"),
        }
    }
    o.quantity = o.quantity.clamp(10, terbuka_domain::kolaborasi::MAX_QUANTITY);
    if o.tasks.is_empty() {
        o.tasks = vec![1];
    }
    o
}

// ------------------------------------------------------------------------------ reporting

fn pct(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn machine_line(dir: &Path) -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let fs = filesystem_of(dir).unwrap_or_else(|| "unknown fs".into());
    format!("machine: {cores} cores ({cpu}), {} {}; SQLite files in {} on {fs}; {}", std::env::consts::OS, std::env::consts::ARCH, dir.display(), load())
}

/// The load averages, to tell whether something else was using the cores.
fn load() -> String {
    let l = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!("load average {}", l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// The file-system type of the longest mount point containing `dir` (Linux only).
fn filesystem_of(dir: &Path) -> Option<String> {
    let dir = dir.canonicalize().ok()?;
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (dev, mnt, ty) = (f.next()?, f.next()?, f.next()?);
            dir.starts_with(mnt).then(|| (mnt.len(), format!("{ty} ({dev} at {mnt})")))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, s)| s)
}

/// One measured line: successful operations, their latencies, and what was refused.
#[derive(Default)]
struct Run {
    label: String,
    ok: usize,
    quantity_ok: i64,
    lat_ok: Vec<Duration>,
    refusals: BTreeMap<String, usize>,
    errors: BTreeMap<String, usize>,
    wall: Duration,
    invariant: String,
}

fn print_header() {
    println!(
        "{:<52} {:>7} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8}  {:<28} invariant",
        "", "pledges", "wall s", "per s", "p50 ms", "p90 ms", "p99 ms", "max ms", "refused / errors"
    );
}

fn print_run(r: &Run) {
    let mut lat = r.lat_ok.clone();
    lat.sort();
    let refused: Vec<String> = r.refusals.iter().map(|(k, v)| format!("{v} {}", k.trim_start_matches("err.aid_"))).collect();
    let errors: Vec<String> = r.errors.iter().map(|(k, v)| format!("{v} ERR {k}")).collect();
    let refused = [refused, errors].concat().join(", ");
    println!(
        "{:<52} {:>7} {:>8.2} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2}  {:<28} {}",
        r.label,
        r.ok,
        r.wall.as_secs_f64(),
        r.ok as f64 / r.wall.as_secs_f64().max(1e-9),
        ms(pct(&lat, 0.50)),
        ms(pct(&lat, 0.90)),
        ms(pct(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default()),
        if refused.is_empty() { "-".to_string() } else { refused },
        r.invariant
    );
}

// ------------------------------------------------------------------------------ setup

/// A fresh store: a SQLite file in `dir`, or a new database on the PostgreSQL test server. Both
/// are opened with `SqlStore::connect` and the binary's default pool size, so the pragmas
/// (WAL, `synchronous = FULL`) and migrations are the production ones.
async fn open(backend: &str, dir: &Path, name: &str) -> (SqlStore, Option<terbuka_store::testing::TestStore>) {
    let pool = Config::default().database.max_connections;
    match backend {
        "sqlite" => {
            let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
            (SqlStore::connect(&url, pool).await.expect("open SQLite store"), None)
        }
        "postgres" => {
            // A new database (dropped at the end); fails loudly when the variable is not set.
            let ts = terbuka_store::testing::postgres().await;
            let store = SqlStore::connect(&ts.url, pool).await.expect("open PostgreSQL store");
            (store, Some(ts))
        }
        other => panic!("unknown backend {other:?} (sqlite or postgres)"),
    }
}

struct Setup {
    app: Arc<App>,
    need: i64,
    quantity: i64,
}

/// An `App` with one verified organisation and one need of `quantity` that does not accept
/// more than asked, plus a small warm-up need pledged a few times (not measured).
async fn setup(store: SqlStore, blobs: &Path, quantity: i64) -> Setup {
    let mut config = Config::default();
    config.server.public_url = "http://terbuka.bench".into();
    config.jobs.enabled = false;
    config.files.local_dir = blobs.display().to_string();
    config.kolaborasi.pledges_per_contact_per_hour = i64::MAX;
    config.kolaborasi.pledges_per_client_per_hour = u32::MAX;
    let key = PiiKey::from_base64(&PiiKey::generate_base64()).expect("key");
    let app = Arc::new(App::new(Arc::new(store), config, key));
    let now = Utc::now();
    let raw = RawOfficer {
        username: Some("sosial".into()),
        display_name: Some("Petugas Sosial".into()),
        email: Some("sosial@ppid.example.go.id".into()),
        role: Some(Role::PetugasSosial.as_str().into()),
        unit: None,
        password: Some("kata-sandi-bench-2026".into()),
    };
    let officer = app.add_officer(None, &raw, now).await.expect("officer");
    let sosial = Actor { officer, role: Role::PetugasSosial, unit: None };
    let org = RawOrg {
        name: Some("Posko Banjir RW 04 Kampung Melayu".into()),
        kind: Some("rt_rw".into()),
        region: Some(REGION.into()),
        public_email: Some("posko.rw04@example.org".into()),
        contact_name: Some("Ketua RW 04".into()),
        contact_email: Some("ketua.rw04@example.org".into()),
        ..Default::default()
    };
    let (org, token) = app.register_org(&org, now).await.expect("register organisation");
    app.decide_org(&sosial, org.id, OrgEvent::Verify, &None, now).await.expect("verify organisation");
    let until = (wib_date(now) + Days::days(30)).to_string();
    let need = |title: &str, q: i64| RawNeed {
        title: Some(title.into()),
        item_type: Some("makanan_siap_saji".into()),
        description: Some("Makanan siap saji untuk pengungsi banjir di posko RW 04.".into()),
        quantity: Some(q.to_string()),
        region: Some(REGION.into()),
        until: Some(until.clone()),
        ..Default::default()
    };
    let warm = app.post_need(&token, &need("Pemanasan: makanan siap saji", 1_000), now).await.expect("warm-up need");
    for i in 0..40 {
        app.pledge(warm.id, &pledge_form(1_000_000 + i, 1), &format!("warm-{i}"), Utc::now()).await.expect("warm-up pledge");
    }
    let popular = app.post_need(&token, &need("Makanan siap saji untuk 4.000 pengungsi banjir Kampung Melayu", quantity), now).await.expect("need");
    Setup { app, need: popular.id, quantity }
}

/// A valid pledge form with its own contact.
fn pledge_form(i: usize, quantity: i64) -> RawPledge {
    RawPledge {
        quantity: Some(quantity.to_string()),
        name: Some(format!("Donatur {i}")),
        email: Some(format!("donatur{i}@example.org")),
        show_name: i.is_multiple_of(2).then(|| "on".into()),
        public_name: i.is_multiple_of(2).then(|| format!("Toko {i}")),
        ..Default::default()
    }
}

// ------------------------------------------------------------------------------ the run

/// `tasks` tasks pledge 1..=5 each, one after another, until the need has nothing left (or the
/// deadline passes). Every attempt has its own contact and client string.
async fn pledge_run(s: &Setup, tasks: usize, max: Duration) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let (app, next, done, need) = (s.app.clone(), next.clone(), done.clone(), s.need);
        handles.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(t as u64 + 1);
            let mut r = Run::default();
            while !done.load(Ordering::Relaxed) && start.elapsed() < max {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let q = rng.gen_range(1..=5);
                let t0 = Instant::now();
                let res = app.pledge(need, &pledge_form(i, q), &format!("bench-{i}"), Utc::now()).await;
                let lat = t0.elapsed();
                match res {
                    Ok(_) => {
                        r.ok += 1;
                        r.quantity_ok += q;
                        r.lat_ok.push(lat);
                    }
                    Err(AppError::Rejected(code)) => {
                        *r.refusals.entry(code.to_string()).or_default() += 1;
                        // The need is exhausted when nothing is left; a refusal with something
                        // left only means this pledge was larger than the rest.
                        let n = app.store.need(need).await.expect("read need").expect("need exists");
                        if n.tally.remaining() == 0 || !n.state.takes_pledges() {
                            done.store(true, Ordering::Relaxed);
                        }
                    }
                    Err(e) => *r.errors.entry(format!("{e}")).or_default() += 1,
                }
            }
            r
        }));
    }
    let mut run = Run::default();
    for h in handles {
        let r = h.await.expect("pledge task");
        run.ok += r.ok;
        run.quantity_ok += r.quantity_ok;
        run.lat_ok.extend(r.lat_ok);
        for (k, v) in r.refusals {
            *run.refusals.entry(k).or_default() += v;
        }
        for (k, v) in r.errors {
            *run.errors.entry(k).or_default() += v;
        }
    }
    run.wall = start.elapsed();
    run.invariant = check(s, &run).await;
    run
}

/// After a run: the tally equals the sum of the pledges behind it and what the tasks were told
/// they pledged, never exceeds the quantity, the state follows, and the audit chain verifies.
async fn check(s: &Setup, run: &Run) -> String {
    let app = &s.app;
    let need = app.store.need(s.need).await.expect("read need").expect("need exists");
    let pledges = app.store.pledges_of(s.need).await.expect("pledges");
    let sum: i64 = pledges.iter().map(|p| if matches!(p.state, PledgeState::Active | PledgeState::Fulfilled) { p.quantity } else { p.delivered }).sum();
    let mut problems = Vec::new();
    if need.tally.pledged != sum {
        problems.push(format!("tally.pledged {} != sum of pledges {sum}", need.tally.pledged));
    }
    if need.tally.pledged != run.quantity_ok {
        problems.push(format!("tally.pledged {} != acknowledged {}", need.tally.pledged, run.quantity_ok));
    }
    if pledges.len() != run.ok {
        problems.push(format!("{} pledge rows != {} acknowledged", pledges.len(), run.ok));
    }
    if need.tally.pledged > need.quantity {
        problems.push(format!("over-pledged: {} > {}", need.tally.pledged, need.quantity));
    }
    let want = need.tally.progress();
    if need.state != want {
        problems.push(format!("state {} but the tally says {want}", need.state));
    }
    let exhausted = need.tally.pledged == s.quantity;
    if exhausted && need.state != NeedState::FullyPledged {
        problems.push(format!("exhausted but {}", need.state));
    }
    let audit = match app.verify_audit().await {
        Ok(Ok(head)) => format!("audit ok ({} entries)", head.count),
        Ok(Err(e)) => {
            problems.push(format!("audit chain broken: {e:?}"));
            String::new()
        }
        Err(e) => {
            problems.push(format!("audit check failed: {e}"));
            String::new()
        }
    };
    if problems.is_empty() {
        format!("OK: {}/{} pledged = sum of {} pledges, {}; {audit}", need.tally.pledged, need.quantity, pledges.len(), need.state)
    } else {
        format!("FAILED: {}", problems.join("; "))
    }
}

/// Single parts of a pledge, each timed alone on an idle `App` (after the 1-task run).
async fn pieces(s: &Setup) -> Vec<Run> {
    const N: usize = 300;
    let app = &s.app;
    let mut out = Vec::new();
    let mut time = |label: &str, lat: Vec<Duration>| {
        let wall = lat.iter().sum();
        out.push(Run { label: label.into(), ok: lat.len(), lat_ok: lat, wall, ..Default::default() });
    };
    let mut lat = Vec::with_capacity(N);
    for _ in 0..N {
        let t = Instant::now();
        app.store.need(s.need).await.expect("need");
        lat.push(t.elapsed());
    }
    time("  piece: need(id), read before the transaction", lat);
    let mut lat = Vec::with_capacity(N);
    for i in 0..N {
        let hash = app.key.keyed_hash("aid-contact", &format!("donatur{i}@example.org"));
        let t = Instant::now();
        app.store.pledges_by_contact_since(&hash, Utc::now() - Days::hours(1)).await.expect("count");
        lat.push(t.elapsed());
    }
    time("  piece: pledges_by_contact_since (rate limit)", lat);
    let mut lat = Vec::with_capacity(N);
    let refuse = |_: &terbuka_store::NeedSnapshot| -> Result<terbuka_store::NeedWrite, &'static str> { Err("err.aid_not_now") };
    for _ in 0..N {
        let t = Instant::now();
        let _ = app.store.change_need(s.need, false, &refuse).await;
        lat.push(t.elapsed());
    }
    time("  piece: change_need lock + reads, refused (rollback)", lat);
    out
}

// ------------------------------------------------------------------------------ raw baselines

/// Raw SQL on its own table, same pool kind and durability: `tasks` tasks run `n` transactions in
/// total. `conditional` is the least a correct pledge needs: add to the need's tally only if it
/// stays within the quantity, then insert the pledge row; otherwise a plain one-row insert.
async fn raw_run(pool: &AnyPool, postgres: bool, tasks: usize, n: usize, conditional: bool) -> Run {
    let ddl = if postgres {
        "CREATE TABLE bench_needs (id BIGINT PRIMARY KEY, quantity BIGINT NOT NULL, pledged BIGINT NOT NULL); \
         CREATE TABLE bench_pledges (id BIGSERIAL PRIMARY KEY, need_id BIGINT NOT NULL, quantity BIGINT NOT NULL, contact TEXT NOT NULL, created_at TEXT NOT NULL)"
    } else {
        "CREATE TABLE bench_needs (id INTEGER PRIMARY KEY, quantity INTEGER NOT NULL, pledged INTEGER NOT NULL); \
         CREATE TABLE bench_pledges (id INTEGER PRIMARY KEY, need_id INTEGER NOT NULL, quantity INTEGER NOT NULL, contact TEXT NOT NULL, created_at TEXT NOT NULL)"
    };
    sqlx::raw_sql("DROP TABLE IF EXISTS bench_pledges; DROP TABLE IF EXISTS bench_needs").execute(pool).await.expect("drop");
    sqlx::raw_sql(ddl).execute(pool).await.expect("create baseline tables");
    sqlx::query("INSERT INTO bench_needs (id, quantity, pledged) VALUES (1, $1, 0)").bind(i64::MAX / 2).execute(pool).await.expect("need row");
    let next = Arc::new(AtomicUsize::new(0));
    let lat = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let errors = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
    let start = Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let (pool, next, lat, errors) = (pool.clone(), next.clone(), lat.clone(), errors.clone());
        handles.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(t as u64 + 100);
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let q: i64 = rng.gen_range(1..=5);
                let t0 = Instant::now();
                let res: Result<(), sqlx::Error> = async {
                    let mut tx = pool.begin().await?;
                    if conditional {
                        let r = sqlx::query("UPDATE bench_needs SET pledged = pledged + $1 WHERE id = 1 AND pledged + $1 <= quantity")
                            .bind(q)
                            .execute(&mut *tx)
                            .await?;
                        if r.rows_affected() != 1 {
                            tx.rollback().await?;
                            return Ok(());
                        }
                    }
                    sqlx::query("INSERT INTO bench_pledges (need_id, quantity, contact, created_at) VALUES (1, $1, $2, $3)")
                        .bind(q)
                        .bind(format!("donatur{i}@example.org"))
                        .bind(Utc::now().to_rfc3339())
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await
                }
                .await;
                match res {
                    Ok(()) => mine.push(t0.elapsed()),
                    Err(e) => *errors.lock().expect("errors").entry(e.to_string()).or_default() += 1,
                }
            }
            lat.lock().expect("latencies").extend(mine);
        }));
    }
    for h in handles {
        h.await.expect("raw task");
    }
    let wall = start.elapsed();
    let lat = std::mem::take(&mut *lat.lock().expect("latencies"));
    let errors = std::mem::take(&mut *errors.lock().expect("errors"));
    let rows: i64 = sqlx::query("SELECT COUNT(*) FROM bench_pledges").fetch_one(pool).await.expect("count").get(0);
    Run { ok: lat.len(), lat_ok: lat, errors, wall, invariant: format!("{rows} rows"), ..Default::default() }
}

// ------------------------------------------------------------------------------ main

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    rt.block_on(run());
}

async fn run() {
    let o = opts();
    let base = std::env::var("BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| std::env::temp_dir());
    let dir = tempfile::tempdir_in(&base).expect("temporary folder");
    println!("Terbuka pledge benchmark: concurrent pledges on one popular need");
    println!("{}", machine_line(dir.path()));
    println!(
        "settings: need quantity {}, pledges of 1..=5 (uniform), tasks {:?}, backends {:?}, pool {} connections, max {} s per run; \
         rate limits raised out of reach (every pledge has its own contact and client string)",
        o.quantity,
        o.tasks,
        o.backends,
        Config::default().database.max_connections,
        o.max_secs
    );
    for backend in &o.backends {
        let probe = open(backend, dir.path(), &format!("{backend}-probe")).await;
        let version: String = sqlx::query(if backend == "postgres" { "SELECT version()" } else { "SELECT 'SQLite ' || sqlite_version()" })
            .fetch_one(probe.0.pool())
            .await
            .expect("version")
            .get(0);
        println!("\n== {backend}: {} ==", version.split(" on ").next().unwrap_or(&version));
        drop(probe);
        print_header();
        for &tasks in &o.tasks {
            let (store, keep) = open(backend, dir.path(), &format!("{backend}-{tasks}")).await;
            let blobs = dir.path().join(format!("blobs-{backend}-{tasks}"));
            let s = setup(store, &blobs, o.quantity).await;
            let mut r = pledge_run(&s, tasks, Duration::from_secs(o.max_secs)).await;
            r.label = format!("Terbuka pledge, {tasks} task{}", if tasks == 1 { "" } else { "s" });
            print_run(&r);
            if tasks == 1 {
                for p in pieces(&s).await {
                    print_run(&p);
                }
            }
            drop(s);
            drop(keep);
        }
        if o.baseline {
            let n = (o.quantity / 3) as usize;
            let (store, keep) = open(backend, dir.path(), &format!("{backend}-raw")).await;
            let postgres = backend == "postgres";
            let max_tasks = *o.tasks.iter().max().unwrap_or(&1);
            for (conditional, what) in [(false, "raw INSERT, 1 row/tx"), (true, "raw UPDATE tally if room + INSERT, 1 tx")] {
                for tasks in [1, max_tasks] {
                    let mut r = raw_run(store.pool(), postgres, tasks, n, conditional).await;
                    r.label = format!("{what}, {tasks} task{}", if tasks == 1 { "" } else { "s" });
                    print_run(&r);
                    if max_tasks == 1 {
                        break;
                    }
                }
            }
            drop(keep);
        }
    }
    println!("\nfinished; {}", load());
}
