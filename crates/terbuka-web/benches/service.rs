//! Service benchmark (not a timed test): durable request submissions per second on SQLite next to
//! raw SQLite inserts of the same rows with the same durability, in the same run, and the latency
//! of the public register under many concurrent keep-alive connections.
//!
//! Run: `cargo bench -p terbuka-web --bench service`. Knobs (environment):
//!
//! * `BENCH_N` (2000): submissions per submission line;
//! * `BENCH_SECS` (10): measured seconds of register load, after `BENCH_WARMUP_SECS` (2);
//! * `BENCH_CONNS` (64): concurrent HTTP/1.1 keep-alive connections;
//! * `BENCH_TASKS` (8): tasks of the concurrent submission line;
//! * `BENCH_REGISTER_ROWS` (3000): requests in the database the register is served from;
//! * `BENCH_DIR` (system temp folder): where the temporary SQLite files go (pick the disk you
//!   deploy on: every commit waits for its fsync);
//! * `BENCH_LOG` (unset): an env-filter such as `error` or `sqlx::query=debug` for the app's logs.
//!
//! Everything runs in one process. The load generator only talks to the server it started on
//! 127.0.0.1 and stops at a deadline or a request cap, whichever comes first.

use chrono::{SecondsFormat, Utc};
use sqlx::any::AnyArguments;
use sqlx::{Any, AnyPool, Row};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use terbuka_app::crypto::PiiKey;
use terbuka_app::{App, Config};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::validate::{RawOfficer, RawRequest};
use terbuka_domain::{Role, UnitKind};
use terbuka_store::{NewUnit, RequestFilter, RequestOrder, SqlStore, Store, StoredRequest};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PASSWORD: &str = "kata-sandi-bench-2026";
/// Rows per page of the public register (`terbuka_web::pages::public::PAGE_SIZE`).
const REGISTER_PAGE: usize = terbuka_web::pages::public::PAGE_SIZE as usize;
/// Hard cap on load-generator requests, whatever the duration.
const MAX_HTTP_REQUESTS: u64 = 5_000_000;
/// A request slower than this counts as an error and its connection is dropped.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

fn env_or<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

// ------------------------------------------------------------------------------ reporting

struct Line {
    what: String,
    count: usize,
    wall: Duration,
    lat: Vec<Duration>,
}

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

impl Line {
    fn per_sec(&self) -> f64 {
        self.count as f64 / self.wall.as_secs_f64()
    }
    fn mean(&self) -> Duration {
        if self.lat.is_empty() {
            return Duration::ZERO;
        }
        self.lat.iter().sum::<Duration>() / self.lat.len() as u32
    }
}

fn print_header(count: &str) {
    println!("{:<58} {:>6} {:>8} {:>9} {:>8} {:>8} {:>8}", "", count, "wall s", "per s", "mean ms", "p50 ms", "p99 ms");
}

fn print_line(l: &Line) {
    let mut sorted = l.lat.clone();
    sorted.sort();
    println!(
        "{:<58} {:>6} {:>8.2} {:>9.1} {:>8.3} {:>8.3} {:>8.3}",
        l.what,
        l.count,
        l.wall.as_secs_f64(),
        l.per_sec(),
        ms(l.mean()),
        ms(pct(&sorted, 0.50)),
        ms(pct(&sorted, 0.99))
    );
}

fn machine_line(dir: &Path, sqlite_version: &str) -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let fs = filesystem_of(dir).unwrap_or_else(|| "unknown fs".into());
    format!("machine: {cores} cores ({cpu}), {} {}; SQLite {sqlite_version}; db folder {} on {fs}", std::env::consts::OS, std::env::consts::ARCH, dir.display())
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

// ------------------------------------------------------------------------------ setup

async fn open_store(dir: &Path, file: &str) -> SqlStore {
    let url = format!("sqlite://{}", dir.join(file).display());
    // The binary's default pool size; connect() applies WAL, synchronous=FULL and the migrations.
    SqlStore::connect(&url, Config::default().database.max_connections).await.expect("open SQLite store")
}

async fn new_app(store: SqlStore) -> Arc<App> {
    let mut config = Config::default();
    config.server.public_url = "http://terbuka.bench".into();
    config.jobs.enabled = false;
    let key = PiiKey::from_base64(&PiiKey::generate_base64()).expect("key");
    let app = Arc::new(App::new(Arc::new(store), config, key));
    app.seed_calendar().await.expect("seed calendar");
    seed_org(&app).await;
    app
}

/// A small organisation: the PPID Utama (who gets a mail per new request), two work units.
async fn seed_org(app: &App) {
    let audit = |code: &str| NewAuditEntry { actor: "system:bench".into(), action: "unit.add".into(), subject: format!("unit:{code}"), detail: "{}".into() };
    let unit = |code: &str, name: &str, kind, parent| NewUnit { code: code.into(), name: name.into(), name_en: name.into(), kind, parent };
    let utama = app.store.insert_unit(unit("ppid-utama", "PPID Utama", UnitKind::Utama, None), audit("ppid-utama")).await.expect("unit");
    for (code, name) in [("dinkes", "Dinas Kesehatan"), ("dinsos", "Dinas Sosial")] {
        app.store.insert_unit(unit(code, name, UnitKind::Pelaksana, Some(utama)), audit(code)).await.expect("unit");
    }
    for (username, role, unit) in [("admin", Role::Admin, None), ("utama", Role::PpidUtama, Some(utama))] {
        let raw = RawOfficer {
            username: Some(username.into()),
            display_name: Some(format!("Petugas {username}")),
            email: Some(format!("{username}@ppid.example.go.id")),
            role: Some(role.as_str().into()),
            unit: unit.map(|u: i64| u.to_string()),
            password: Some(PASSWORD.into()),
        };
        app.add_officer(None, &raw, Utc::now()).await.expect("officer");
    }
}

const TOPICS: [&str; 5] = [
    "Anggaran penanganan banjir",
    "Data kasus demam berdarah per kecamatan",
    "Realisasi dana desa",
    "Daftar penerima bantuan sosial",
    "Izin mendirikan bangunan",
];

/// A valid web request, a little different for every `i` (subject, NIK, e-mail).
fn raw_request(i: usize) -> RawRequest {
    RawRequest {
        requester_kind: Some("individual".into()),
        name: Some("Siti Aminah".into()),
        id_number: Some(format!("317101450190{:04}", i % 10_000)),
        address: Some("Jl. Kebon Sirih No. 1, Jakarta Pusat".into()),
        phone: Some("081234567890".into()),
        email: Some(format!("warga{i}@example.com")),
        occupation: Some("Peneliti".into()),
        subject: Some(format!("{} tahun {} (no. {i})", TOPICS[i % TOPICS.len()], 2020 + i % 6)),
        details: Some(format!("Rincian per kecamatan per bulan untuk permohonan nomor {i}, dalam bentuk tabel.")),
        purpose: Some("Penelitian kebijakan publik".into()),
        obtain: Some("soft_copy".into()),
        delivery: Some("email".into()),
        ..Default::default()
    }
}

// ------------------------------------------------------------------------------ 1. submissions

async fn submit_sequential(app: &App, from: usize, n: usize) -> Line {
    let mut lat = Vec::with_capacity(n);
    let start = Instant::now();
    for i in from..from + n {
        let raw = raw_request(i);
        let t = Instant::now();
        app.submit_request(&raw, None, Utc::now()).await.expect("submission");
        lat.push(t.elapsed());
    }
    Line { what: String::new(), count: n, wall: start.elapsed(), lat }
}

async fn submit_concurrent(app: Arc<App>, from: usize, n: usize, tasks: usize) -> Line {
    let start = Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let app = app.clone();
        // Task t submits every tasks-th request, so the n rows are split evenly.
        let mine: Vec<usize> = (from..from + n).skip(t).step_by(tasks).collect();
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(mine.len());
            for i in mine {
                let raw = raw_request(i);
                let t = Instant::now();
                app.submit_request(&raw, None, Utc::now()).await.expect("submission");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::with_capacity(n);
    for h in handles {
        lat.extend(h.await.expect("task"));
    }
    Line { what: String::new(), count: n, wall: start.elapsed(), lat }
}

/// Every request of a store, oldest id first, through the public `Store` interface.
async fn all_requests(store: &dyn Store) -> Vec<StoredRequest> {
    let mut out = Vec::new();
    loop {
        let f = RequestFilter { order: RequestOrder::Newest, limit: 500, offset: out.len() as i64, ..Default::default() };
        let page = store.list_requests(&f).await.expect("list requests");
        if page.items.is_empty() {
            break;
        }
        out.extend(page.items);
    }
    out.sort_by_key(|r| r.id);
    out
}

// ------------------------------------------------------------------------------ 2. raw SQLite

fn ts(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The column values of one `requests` row, exactly as the store writes them.
struct RequestRow {
    id: i64,
    reg_no: String,
    token_hash: String,
    channel: &'static str,
    requester_kind: &'static str,
    identity_enc: Vec<u8>,
    display_name: Option<String>,
    subject: String,
    details: String,
    purpose: String,
    obtain: String,
    delivery: &'static str,
    received_at: String,
    day0: String,
    state: &'static str,
    unit_id: Option<i64>,
    notice_due: String,
    extended: i64,
    extension_reason: Option<String>,
    outcome: Option<&'static str>,
    notice_json: Option<String>,
    notice_day: Option<String>,
    fee: i64,
    fee_day: Option<String>,
    delivered_day: Option<String>,
    version: i64,
    updated_at: String,
}

impl RequestRow {
    fn of(r: &StoredRequest) -> RequestRow {
        let c = &r.clock;
        RequestRow {
            id: r.id,
            reg_no: r.reg_no.clone(),
            token_hash: r.token_hash.clone(),
            channel: r.channel.as_str(),
            requester_kind: r.requester_kind.as_str(),
            identity_enc: r.identity_enc.clone(),
            display_name: r.display_name.clone(),
            subject: r.subject.clone(),
            details: r.details.clone(),
            purpose: r.purpose.clone(),
            obtain: r.obtain.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(","),
            delivery: r.delivery.as_str(),
            received_at: ts(r.received_at),
            day0: day(c.day0),
            state: c.state.as_str(),
            unit_id: c.unit,
            notice_due: day(c.notice_due),
            extended: c.extended as i64,
            extension_reason: r.extension_reason.clone(),
            outcome: c.outcome.map(|o| o.as_str()),
            notice_json: r.notice_json.clone(),
            notice_day: c.notice_day.map(day),
            fee: r.fee,
            fee_day: c.fee_day.map(day),
            delivered_day: c.delivered_day.map(day),
            version: r.version,
            updated_at: ts(r.updated_at),
        }
    }

    fn insert(self) -> sqlx::query::Query<'static, Any, AnyArguments<'static>> {
        sqlx::query(
            "INSERT INTO requests (id, reg_no, token_hash, channel, requester_kind, identity_enc, display_name, subject, details, purpose, obtain, delivery, received_at, day0, state, unit_id, notice_due, extended, extension_reason, outcome, notice_json, notice_day, fee, fee_day, delivered_day, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)",
        )
        .bind(self.id)
        .bind(self.reg_no)
        .bind(self.token_hash)
        .bind(self.channel)
        .bind(self.requester_kind)
        .bind(self.identity_enc)
        .bind(self.display_name)
        .bind(self.subject)
        .bind(self.details)
        .bind(self.purpose)
        .bind(self.obtain)
        .bind(self.delivery)
        .bind(self.received_at)
        .bind(self.day0)
        .bind(self.state)
        .bind(self.unit_id)
        .bind(self.notice_due)
        .bind(self.extended)
        .bind(self.extension_reason)
        .bind(self.outcome)
        .bind(self.notice_json)
        .bind(self.notice_day)
        .bind(self.fee)
        .bind(self.fee_day)
        .bind(self.delivered_day)
        .bind(self.version)
        .bind(self.updated_at)
    }
}

/// The same rows, one `BEGIN; INSERT; COMMIT` each, sequentially, through the pool.
async fn raw_inserts(pool: &AnyPool, rows: Vec<RequestRow>) -> Line {
    let n = rows.len();
    let mut lat = Vec::with_capacity(n);
    let start = Instant::now();
    for row in rows {
        let t = Instant::now();
        let mut tx = pool.begin().await.expect("begin");
        row.insert().execute(&mut *tx).await.expect("insert request");
        tx.commit().await.expect("commit");
        lat.push(t.elapsed());
    }
    Line { what: String::new(), count: n, wall: start.elapsed(), lat }
}

/// An `outbox` row: dedup key, sealed recipient, subject, sealed body, created, next attempt.
type MailRow = (String, Vec<u8>, String, Vec<u8>, String, String);

/// Everything else one submission wrote, read back from the Terbuka database.
struct SideRows {
    event: (String, String, String, Option<String>, Option<String>, Option<String>),
    mails: Vec<MailRow>,
    audit: (i64, String, String, String, String, String, String, String),
}

async fn side_rows(pool: &AnyPool) -> HashMap<String, SideRows> {
    let reg_of_request: HashMap<i64, String> = sqlx::query("SELECT id, reg_no FROM requests")
        .fetch_all(pool)
        .await
        .expect("ids")
        .iter()
        .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)))
        .collect();
    let mut out: HashMap<String, SideRows> = HashMap::new();
    let audits = sqlx::query("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log WHERE action = 'request.submit' ORDER BY seq")
        .fetch_all(pool)
        .await
        .expect("audit");
    for a in &audits {
        let subject: String = a.get(4);
        let reg_no = subject.trim_start_matches("request:").to_string();
        let audit = (a.get(0), a.get(1), a.get(2), a.get(3), subject, a.get(5), a.get(6), a.get(7));
        out.insert(reg_no, SideRows { event: Default::default(), mails: vec![], audit });
    }
    for e in
        sqlx::query("SELECT request_id, at, actor, kind, from_state, to_state, note FROM request_events ORDER BY id").fetch_all(pool).await.expect("events")
    {
        let reg_no = &reg_of_request[&e.get::<i64, _>(0)];
        if let Some(s) = out.get_mut(reg_no) {
            s.event = (e.get(1), e.get(2), e.get(3), e.get(4), e.get(5), e.get(6));
        }
    }
    for m in
        sqlx::query("SELECT dedup_key, to_enc, subject, body_enc, created_at, next_attempt_at FROM outbox ORDER BY id").fetch_all(pool).await.expect("outbox")
    {
        let key: String = m.get(0);
        // `submitted:<reg_no>` and `new:<reg_no>:<officer>`.
        let reg_no = key.split(':').nth(1).unwrap_or_default().to_string();
        if let Some(s) = out.get_mut(&reg_no) {
            s.mails.push((key, m.get(1), m.get(2), m.get(3), m.get(4), m.get(5)));
        }
    }
    out
}

/// The whole write set of each submission (counter, request, event, mails, audit entry and
/// chain head), precomputed, one transaction each: what the SQL costs without the application.
async fn raw_full_writes(pool: &AnyPool, rows: Vec<RequestRow>, mut side: HashMap<String, SideRows>) -> Line {
    let counter = format!("PMH-{}", chrono::Datelike::year(&Utc::now()));
    sqlx::query("INSERT INTO counters (name, value) VALUES ($1, 0)").bind(counter.clone()).execute(pool).await.expect("counter");
    let work: Vec<(RequestRow, SideRows)> = rows
        .into_iter()
        .map(|r| {
            let s = side.remove(&r.reg_no).expect("side rows of every request");
            (r, s)
        })
        .collect();
    let n = work.len();
    let mut lat = Vec::with_capacity(n);
    let start = Instant::now();
    for (seq, (row, s)) in work.into_iter().enumerate() {
        let t = Instant::now();
        let id = row.id;
        let mut tx = pool.begin().await.expect("begin");
        sqlx::query("UPDATE counters SET value = $1 WHERE name = $2").bind(seq as i64 + 1).bind(counter.clone()).execute(&mut *tx).await.expect("counter");
        row.insert().execute(&mut *tx).await.expect("insert request");
        let (at, actor, kind, from, to, note) = s.event;
        sqlx::query("INSERT INTO request_events (request_id, at, actor, kind, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(at)
            .bind(actor)
            .bind(kind)
            .bind(from)
            .bind(to)
            .bind(note)
            .execute(&mut *tx)
            .await
            .expect("event");
        for (key, to_enc, subject, body_enc, created, next) in s.mails {
            sqlx::query("INSERT INTO outbox (dedup_key, to_enc, subject, body_enc, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(key)
                .bind(to_enc)
                .bind(subject)
                .bind(body_enc)
                .bind(created)
                .bind(next)
                .execute(&mut *tx)
                .await
                .expect("mail");
        }
        let (aseq, at, actor, action, subject, detail, prev, hash) = s.audit;
        sqlx::query("INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(aseq)
            .bind(at)
            .bind(actor)
            .bind(action)
            .bind(subject)
            .bind(detail)
            .bind(prev)
            .bind(hash.clone())
            .execute(&mut *tx)
            .await
            .expect("audit");
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1").bind(aseq).bind(hash).execute(&mut *tx).await.expect("head");
        tx.commit().await.expect("commit");
        lat.push(t.elapsed());
    }
    Line { what: String::new(), count: n, wall: start.elapsed(), lat }
}

/// Reference only: the one-row inserts on one connection with `synchronous = NORMAL` (in WAL
/// mode a commit then does not wait for fsync). Shows how much of a commit is the disk.
async fn raw_inserts_no_fsync(pool: &AnyPool, rows: Vec<RequestRow>) -> Line {
    let mut conn = pool.acquire().await.expect("connection");
    sqlx::raw_sql("PRAGMA synchronous = NORMAL").execute(&mut *conn).await.expect("pragma");
    let n = rows.len();
    let mut lat = Vec::with_capacity(n);
    let start = Instant::now();
    for row in rows {
        let t = Instant::now();
        let mut tx = sqlx::Connection::begin(&mut *conn).await.expect("begin");
        row.insert().execute(&mut *tx).await.expect("insert request");
        tx.commit().await.expect("commit");
        lat.push(t.elapsed());
    }
    let wall = start.elapsed();
    // Do not hand a non-durable connection back to the pool.
    let _ = conn.detach();
    Line { what: String::new(), count: n, wall, lat }
}

/// Times `n` calls of one piece of a submission on its own.
async fn time_piece<F, Fut>(n: usize, mut f: F) -> Line
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut lat = Vec::with_capacity(n);
    let start = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        f(i).await;
        lat.push(t.elapsed());
    }
    Line { what: String::new(), count: n, wall: start.elapsed(), lat }
}

// ------------------------------------------------------------------------------ 3. register load

/// A minimal HTTP/1.1 keep-alive client: GET only, Content-Length or chunked bodies.
struct Http {
    stream: TcpStream,
    buf: Vec<u8>,
    body: Vec<u8>,
}

struct Reply {
    status: u16,
    body_len: usize,
    close: bool,
    /// The body lists at least one request of the register (a link to `/register/PMH-…`).
    listing: bool,
}

/// What every register page with results contains; an error page rendered with status 200 does not.
const LISTING_MARKER: &[u8] = b"href=\"/register/PMH-";

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn bad(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.to_string())
}

impl Http {
    async fn connect(addr: SocketAddr) -> std::io::Result<Http> {
        assert!(addr.ip().is_loopback(), "the load generator only talks to 127.0.0.1");
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Http { stream, buf: Vec::with_capacity(64 * 1024), body: Vec::with_capacity(64 * 1024) })
    }

    async fn fill(&mut self) -> std::io::Result<()> {
        self.buf.reserve(32 * 1024);
        if self.stream.read_buf(&mut self.buf).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    /// Reads until `buf` holds a CRLF-terminated line; returns it (without CRLF) and drops it.
    async fn line(&mut self) -> std::io::Result<String> {
        loop {
            if let Some(p) = find(&self.buf, b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[..p]).into_owned();
                self.buf.drain(..p + 2);
                return Ok(line);
            }
            self.fill().await?;
        }
    }

    /// Moves the next `n` bytes to the body (`skip` more are read and dropped).
    async fn take(&mut self, n: usize, skip: usize) -> std::io::Result<()> {
        while self.buf.len() < n + skip {
            self.fill().await?;
        }
        self.body.extend_from_slice(&self.buf[..n]);
        self.buf.drain(..n + skip);
        Ok(())
    }

    async fn get(&mut self, path: &str) -> std::io::Result<Reply> {
        let req = format!("GET {path} HTTP/1.1\r\nHost: bench\r\nUser-Agent: terbuka-bench\r\nAccept: text/html\r\n\r\n");
        self.stream.write_all(req.as_bytes()).await?;
        let head_end = loop {
            if let Some(p) = find(&self.buf, b"\r\n\r\n") {
                break p + 4;
            }
            self.fill().await?;
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).into_owned();
        self.buf.drain(..head_end);
        self.body.clear();
        let mut lines = head.split("\r\n");
        let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).ok_or_else(|| bad("status line"))?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        for l in lines {
            if let Some((k, v)) = l.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
                match k.as_str() {
                    "content-length" => length = Some(v.parse::<usize>().map_err(|_| bad("content-length"))?),
                    "transfer-encoding" => chunked = v.contains("chunked"),
                    "connection" => close = v.contains("close"),
                    _ => {}
                }
            }
        }
        if chunked {
            loop {
                let size_line = self.line().await?;
                let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16).map_err(|_| bad("chunk size"))?;
                if size == 0 {
                    // Trailers, up to the empty line.
                    while !self.line().await?.is_empty() {}
                    break;
                }
                self.take(size, 2).await?;
            }
        } else if let Some(n) = length {
            self.take(n, 0).await?;
        } else {
            // No length: the body runs to the end of the connection.
            loop {
                match self.fill().await {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                    Err(e) => return Err(e),
                }
            }
            self.body.append(&mut self.buf);
            close = true;
        }
        Ok(Reply { status, body_len: self.body.len(), close, listing: find(&self.body, LISTING_MARKER).is_some() })
    }
}

const KINDS: [&str; 3] = ["/register", "/register?page=K", "/register?q=banjir"];

/// The page mix: 60 % first page, 30 % a later page, 10 % a search.
fn pick(i: u64, pages: u64) -> (usize, String) {
    match i % 10 {
        0..=5 => (0, "/register".into()),
        6..=8 => (1, format!("/register?page={}", 2 + (i / 10) % pages.saturating_sub(1).max(1))),
        _ => (2, "/register?q=banjir".into()),
    }
}

struct Sample {
    kind: usize,
    lat: Duration,
    /// Status 200 (and no I/O failure or timeout).
    ok: bool,
    /// Status 200 and the body is a real register listing.
    listing: bool,
    bytes: usize,
}

struct LoadResult {
    samples: Vec<Sample>,
    window: Duration,
    errors_io: u64,
    warmup_requests: u64,
}

async fn load(addr: SocketAddr, conns: usize, warmup: Duration, secs: Duration, pages: u64) -> LoadResult {
    let started = Instant::now();
    let measure_from = started + warmup;
    let end = measure_from + secs;
    let issued = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for c in 0..conns {
        let issued = issued.clone();
        handles.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let (mut io_errors, mut warm, mut last_done) = (0u64, 0u64, measure_from);
            let mut conn: Option<Http> = None;
            let mut i = c as u64;
            while Instant::now() < end && issued.fetch_add(1, Ordering::Relaxed) < MAX_HTTP_REQUESTS {
                let (kind, path) = pick(i, pages);
                i += conns as u64;
                let t = Instant::now();
                if conn.is_none() {
                    match tokio::time::timeout(HTTP_TIMEOUT, Http::connect(addr)).await {
                        Ok(Ok(h)) => conn = Some(h),
                        _ => {
                            io_errors += u64::from(t >= measure_from);
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    }
                }
                let h = conn.as_mut().expect("connected");
                let res = tokio::time::timeout(HTTP_TIMEOUT, h.get(&path)).await;
                let lat = t.elapsed();
                let (ok, listing, bytes) = match res {
                    Ok(Ok(r)) => {
                        if r.close {
                            conn = None;
                        }
                        (r.status == 200, r.status == 200 && r.listing, r.body_len)
                    }
                    _ => {
                        conn = None;
                        io_errors += u64::from(t >= measure_from);
                        (false, false, 0)
                    }
                };
                if t >= measure_from {
                    last_done = last_done.max(t + lat);
                    samples.push(Sample { kind, lat, ok, listing, bytes });
                } else {
                    warm += 1;
                }
            }
            (samples, io_errors, warm, last_done)
        }));
    }
    let mut out = LoadResult { samples: Vec::new(), window: Duration::ZERO, errors_io: 0, warmup_requests: 0 };
    let mut last = measure_from;
    for h in handles {
        let (s, e, w, l) = h.await.expect("load task");
        out.samples.extend(s);
        out.errors_io += e;
        out.warmup_requests += w;
        last = last.max(l);
    }
    out.window = last - measure_from;
    out
}

fn print_load(r: &LoadResult, conns: usize) {
    println!(
        "{:<34} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "", "requests", "req/s", "errors", "no-list", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms", "KiB"
    );
    let secs = r.window.as_secs_f64();
    let row = |name: &str, s: Vec<&Sample>| {
        let mut lat: Vec<Duration> = s.iter().map(|x| x.lat).collect();
        lat.sort();
        let errors = s.iter().filter(|x| !x.ok).count();
        let no_list = s.iter().filter(|x| x.ok && !x.listing).count();
        let mean = if lat.is_empty() { Duration::ZERO } else { lat.iter().sum::<Duration>() / lat.len() as u32 };
        let kib = s.iter().filter(|x| x.ok).map(|x| x.bytes).sum::<usize>() as f64 / s.iter().filter(|x| x.ok).count().max(1) as f64 / 1024.0;
        println!(
            "{:<34} {:>8} {:>8.1} {:>7} {:>8} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.1}",
            name,
            s.len(),
            s.len() as f64 / secs,
            errors,
            no_list,
            ms(pct(&lat, 0.50)),
            ms(pct(&lat, 0.90)),
            ms(pct(&lat, 0.99)),
            ms(lat.last().copied().unwrap_or_default()),
            ms(mean),
            kib
        );
    };
    row(&format!("all ({conns} connections)"), r.samples.iter().collect());
    for (k, name) in KINDS.iter().enumerate() {
        row(&format!("  {name}"), r.samples.iter().filter(|s| s.kind == k).collect());
    }
}

// ------------------------------------------------------------------------------ main

fn main() {
    // `BENCH_LOG=warn` (an env-filter) shows the application's own log lines; off by default.
    if let Ok(filter) = std::env::var("BENCH_LOG") {
        tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter)).with_writer(std::io::stderr).init();
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    rt.block_on(run());
}

async fn run() {
    let n: usize = env_or("BENCH_N", 2000).max(1);
    let secs: u64 = env_or("BENCH_SECS", 10).max(1);
    let warmup_secs: u64 = env_or("BENCH_WARMUP_SECS", 2);
    let conns: usize = env_or("BENCH_CONNS", 64).clamp(1, 1024);
    let tasks: usize = env_or("BENCH_TASKS", 8).clamp(1, 256);
    let register_rows: usize = env_or("BENCH_REGISTER_ROWS", 3000);
    let base = std::env::var("BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| std::env::temp_dir());
    let dir = tempfile::tempdir_in(&base).expect("temporary folder");

    let seq_store = open_store(dir.path(), "terbuka-seq.db").await;
    let version: String = sqlx::query("SELECT sqlite_version()").fetch_one(seq_store.pool()).await.expect("version").get(0);
    println!("Terbuka service benchmark");
    println!("{}", machine_line(dir.path(), &version));
    println!(
        "settings: BENCH_N={n} BENCH_TASKS={tasks} BENCH_SECS={secs} BENCH_WARMUP_SECS={warmup_secs} BENCH_CONNS={conns} BENCH_REGISTER_ROWS={register_rows}; SQLite WAL, synchronous=FULL, pool {}",
        Config::default().database.max_connections
    );
    println!();

    // 1. Terbuka submissions.
    let app = new_app(seq_store.clone()).await;
    let mut seq = submit_sequential(&app, 0, n).await;
    seq.what = "Terbuka submit_request, sequential".into();
    let conc_app = new_app(open_store(dir.path(), "terbuka-conc.db").await).await;
    let mut conc = submit_concurrent(conc_app.clone(), n, n, tasks).await;
    conc.what = format!("Terbuka submit_request, {tasks} concurrent tasks");

    // 2. Raw SQLite, same rows, same schema and pragmas, fresh files.
    let stored = all_requests(&seq_store).await;
    assert_eq!(stored.len(), n, "every submission is stored");
    let raw_store = open_store(dir.path(), "raw.db").await;
    let mut raw = raw_inserts(raw_store.pool(), stored.iter().map(RequestRow::of).collect()).await;
    raw.what = "raw SQLite INSERT requests, 1 row/tx, sequential".into();
    let side = side_rows(seq_store.pool()).await;
    let full_store = open_store(dir.path(), "raw-full.db").await;
    let mut full = raw_full_writes(full_store.pool(), stored.iter().map(RequestRow::of).collect(), side).await;
    full.what = "raw SQLite, whole write set of a submission, 1 tx".into();
    let nofsync_store = open_store(dir.path(), "raw-nofsync.db").await;
    let mut nofsync = raw_inserts_no_fsync(nofsync_store.pool(), stored.iter().map(RequestRow::of).collect()).await;
    nofsync.what = "(ref.) raw INSERT, 1 row/tx, synchronous=NORMAL".into();

    // Pieces of one submission, timed alone on the same store.
    let mut validate_seal = time_piece(n, |i| {
        let app = app.clone();
        async move {
            let s = raw_request(i).validate().expect("valid");
            std::hint::black_box(app.key.seal_json(&s.identity));
        }
    })
    .await;
    validate_seal.what = "  piece: validate form + seal identity (CPU)".into();
    let mut officers = time_piece(n, |_| {
        let app = app.clone();
        async move {
            std::hint::black_box(app.store.list_officers().await.expect("officers"));
        }
    })
    .await;
    officers.what = "  piece: list_officers (read before each tx)".into();
    let ids: Vec<i64> = stored.iter().map(|r| r.id).collect();
    let mut reread = time_piece(n, |i| {
        let (app, id) = (app.clone(), ids[i % ids.len()]);
        async move {
            std::hint::black_box(app.store.request(id).await.expect("request"));
        }
    })
    .await;
    reread.what = "  piece: request(id) (read back after commit)".into();

    println!("== 1-2. Durable submissions vs raw SQLite inserts of the same rows (same run) ==");
    print_header("rows");
    for l in [&seq, &conc, &raw, &full, &nofsync, &validate_seal, &officers, &reread] {
        print_line(l);
    }
    println!(
        "ratio Terbuka/raw (req/s):  sequential {:.3}   {tasks} tasks {:.3}   sequential vs whole-write-set replay {:.3}",
        seq.per_sec() / raw.per_sec(),
        conc.per_sec() / raw.per_sec(),
        seq.per_sec() / full.per_sec()
    );
    println!();
    drop(conc_app);

    // 3. The public register under load.
    if register_rows > n {
        // Topped up with more distinct requests (not timed).
        submit_sequential(&app, 2 * n, register_rows - n).await;
    }
    let all = all_requests(&seq_store).await;
    let rows = all.len();
    let banjir = all.iter().filter(|r| r.subject.to_lowercase().contains("banjir")).count();
    drop(all);
    let pages = rows.div_ceil(REGISTER_PAGE).max(1) as u64;

    // The store calls of one register page, timed alone (one at a time, no HTTP, no load).
    let reps = 200;
    let filter = |page: i64, text: Option<&str>| RequestFilter {
        order: RequestOrder::Newest,
        limit: REGISTER_PAGE as i64,
        offset: (page - 1) * REGISTER_PAGE as i64,
        text: text.map(str::to_string),
        ..Default::default()
    };
    let mut register_pieces = Vec::new();
    for (what, f) in [
        ("  piece: public_register page 1 (list + count)".to_string(), filter(1, None)),
        (format!("  piece: public_register page {}", pages / 2 + 1), filter(pages as i64 / 2 + 1, None)),
        ("  piece: public_register q=banjir".to_string(), filter(1, Some("banjir"))),
    ] {
        let mut l = time_piece(reps, |_| {
            let (app, f) = (app.clone(), f.clone());
            async move {
                std::hint::black_box(app.public_register(&f).await.expect("register"));
            }
        })
        .await;
        l.what = what;
        register_pieces.push(l);
    }
    let mut years = time_piece(reps, |_| {
        let app = app.clone();
        async move {
            std::hint::black_box(app.store.request_years().await.expect("years"));
        }
    })
    .await;
    years.what = "  piece: request_years".into();
    register_pieces.push(years);
    let mut units = time_piece(reps, |_| {
        let app = app.clone();
        async move {
            std::hint::black_box(app.units().await.expect("units"));
        }
    })
    .await;
    units.what = "  piece: units".into();
    register_pieces.push(units);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    let router = terbuka_web::router(terbuka_web::AppState::new(app.clone()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    // Check every kind of page once before loading.
    let mut probe = Http::connect(addr).await.expect("connect");
    for k in 0..KINDS.len() {
        let (_, path) = pick([0, 6, 9][k], pages);
        let r = probe.get(&path).await.expect("probe");
        if r.status != 200 || !r.listing {
            println!(
                "WARNING: GET {path} answered {} with {} bytes that are not a register listing: the figures below do not measure the real page (run with BENCH_LOG=error to see why)",
                r.status, r.body_len
            );
        }
    }
    drop(probe);
    // The load generator gets its own thread and single-threaded runtime; the server keeps the
    // multi-threaded one (both share the machine's cores).
    let result = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("client runtime");
        rt.block_on(load(addr, conns, Duration::from_secs(warmup_secs), Duration::from_secs(secs), pages))
    })
    .join()
    .expect("load generator");
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;

    println!(
        "== 3. Public register, {conns} concurrent keep-alive HTTP/1.1 connections, {secs} s after {warmup_secs} s warm-up ({} warm-up requests) ==",
        result.warmup_requests
    );
    println!("database: {rows} requests ({pages} register pages of {REGISTER_PAGE}; {banjir} match q=banjir); mix 60% /register, 30% /register?page=2..{pages}, 10% /register?q=banjir");
    print_load(&result, conns);
    println!(
        "errors = non-200, I/O failure or timeout ({} I/O); no-list = status 200 but the body lists no request (an error page); measured window {:.2} s",
        result.errors_io,
        result.window.as_secs_f64()
    );
    println!("store calls behind one register page, each timed alone on an idle server ({reps} calls each):");
    print_header("calls");
    for l in &register_pieces {
        print_line(l);
    }
}
