//! The `terbuka` binary: wiring only. Every command reads the typed configuration, opens the
//! store, builds the [`App`] and hands over to the web server, the jobs or a use case.

use anyhow::{bail, Context};
use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use terbuka_app::mail::Mailer;
use terbuka_app::{App, Config};
use terbuka_domain::calendar::{Calendar, CutiBersama};
use terbuka_domain::validate::RawOfficer;
use terbuka_store::SqlStore;

#[derive(Parser)]
#[command(name = "terbuka", version, about = "Terbuka: an open public-information service (UU 14/2008) for Indonesian public bodies")]
struct Cli {
    /// Configuration file (TOML). Settings can also come from TERBUKA_* environment variables.
    #[arg(long, global = true, env = "TERBUKA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server and background jobs.
    Serve,
    /// Run the platform on http://127.0.0.1:8080 with an embedded SQLite demo body (seeded once).
    Demo {
        /// How many demo requests to generate on first run.
        #[arg(long, default_value_t = 300)]
        requests: usize,
        /// Seed only, do not start the server.
        #[arg(long)]
        no_serve: bool,
        /// Days of generated crisis data (Covid-19 history) to publish on first run.
        #[arg(long, default_value_t = DEMO_CRISIS_DAYS)]
        crisis_days: usize,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage officer accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the hash-chained audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Working-day calendar tools.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Indonesian text tools (the analyzer the search uses).
    Text {
        #[command(subcommand)]
        command: TextCommand,
    },
    /// Full-text search index tools.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// The crisis information channel (covid19, banjir): upload data, list releases, show diffs.
    Crisis {
        #[command(subcommand)]
        command: CrisisCommand,
    },
}

#[derive(Subcommand)]
enum CrisisCommand {
    /// Check a CSV, XLSX or JSON file against the dataset's definition and store it as the next
    /// release (all or nothing). Exits with status 2, listing every problem, if it does not pass.
    Ingest {
        /// The dataset: covid19 or banjir (created from the shipped definitions if missing).
        slug: String,
        file: PathBuf,
        /// The release note (why this release: a new day, a correction, …).
        #[arg(long)]
        note: Option<String>,
        /// Upload as this officer (admin or ppid_utama); otherwise as the command line.
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: Option<String>,
    },
    /// Count a case line list (CSV: tanggal, kelurahan, status[, umur, jenis_kelamin]; one row
    /// per case) into kelurahan × day figures and store them as the next release. The list itself
    /// is never stored. Exits with status 2, listing the problems, if a row does not pass.
    Linelist {
        /// The dataset (its definition must have confirmed, recovered and deaths: covid19).
        slug: String,
        file: PathBuf,
        /// The export date (YYYY-MM-DD): rows after it are refused; statuses hold on that day.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: Option<String>,
    },
    /// List a dataset's releases, newest first.
    Releases { slug: String },
    /// What a release changed from the one before, one JSON object per line.
    Diff { slug: String, seq: i64 },
    /// Replace every region's population (for per-100 000 indicators) with a CSV or XLSX file
    /// with columns region, population, year, source (all or nothing; exit status 2 listing every
    /// problem).
    Populations { file: PathBuf },
}

#[derive(Subcommand)]
enum TextCommand {
    /// Read words one per line on stdin; write their stems (Sastrawi rules) one per line.
    Stem,
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild this node's index from the database (stop `serve` on this node first: the index
    /// folder has one writer).
    Reindex,
    /// Search from the command line (public results only, as on /cari).
    Query {
        /// The query, as typed on the search page.
        text: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an officer. The password is read from TERBUKA_NEW_PASSWORD or the first line of stdin.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// admin, ppid_utama, ppid_pelaksana or atasan_ppid.
        #[arg(long)]
        role: String,
        /// The unit's code (required for ppid_pelaksana).
        #[arg(long)]
        unit: Option<String>,
    },
    /// List officers.
    List,
    /// Disable an officer (ends their sessions).
    Disable { username: String },
    /// Enable a disabled officer.
    Enable { username: String },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the whole chain; exits with status 1 naming the first broken entry.
    Verify,
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Print the date of the N-th working day after DATE (DATE itself not counted; weekends,
    /// national holidays and cuti bersama are not working days).
    Due {
        /// YYYY-MM-DD
        date: String,
        n: u32,
        /// Use the calendar shipped with the binary instead of the configured database.
        #[arg(long)]
        bundled: bool,
    },
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).init();
}

async fn open(config: &Config) -> anyhow::Result<Arc<App>> {
    if config.database.url.is_empty() {
        std::fs::create_dir_all(&config.data_dir).with_context(|| format!("cannot create data folder {}", config.data_dir.display()))?;
    }
    let store = SqlStore::connect(&config.database_url(), config.database.max_connections).await.context("cannot open the database")?;
    let key = config.pii_key().context("cannot load the personal-data key")?;
    let app = Arc::new(App::new(Arc::new(store), config.clone(), key));
    if app.days_off().await?.is_empty() {
        let n = app.seed_calendar().await?;
        tracing::info!("calendar seeded with {n} national holidays and cuti bersama days");
    }
    Ok(app)
}

/// Days of generated crisis data the demo publishes (about two years).
const DEMO_CRISIS_DAYS: usize = 730;

async fn serve(app: Arc<App>) -> anyhow::Result<()> {
    open_search(&app).await?;
    // The shipped crisis datasets (Covid-19, floods) exist on every node that serves.
    app.ensure_crisis_datasets(Utc::now()).await.map_err(|e| anyhow::anyhow!("crisis datasets: {e}"))?;
    if app.config.jobs.enabled {
        let mailer = Mailer::from_config(&app.config)?;
        tracing::info!("background jobs on; mail goes to {}", mailer.describe());
        tokio::spawn(terbuka_app::jobs::run(app.clone(), mailer));
    }
    let bind = app.config.server.bind.clone();
    let router = terbuka_web::router(terbuka_web::AppState::new(app));
    let listener = tokio::net::TcpListener::bind(&bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!("Terbuka is listening on http://{bind}");
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("TERBUKA_NEW_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn app_error(e: terbuka_app::AppError, app: &App) -> anyhow::Error {
    match &e {
        terbuka_app::AppError::Invalid(fields) => {
            let lines: Vec<String> = fields.0.iter().map(|f| format!("{}: {}", f.field, app.i18n.t(terbuka_domain::Lang::En, f.code))).collect();
            anyhow::anyhow!("invalid input:\n  {}", lines.join("\n  "))
        }
        _ => anyhow::anyhow!("{}", app.i18n.t(terbuka_domain::Lang::En, e.code())),
    }
}

/// Opens this node's on-disk index and brings it up to date (rebuilding it when new or reset).
async fn open_search(app: &App) -> anyhow::Result<()> {
    let dir = app.config.search_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create search folder {}", dir.display()))?;
    let index = terbuka_search::SearchIndex::open(&dir).with_context(|| format!("cannot open the search index in {}", dir.display()))?;
    app.use_search_index(index);
    let n = app.sync_search().await.map_err(|e| app_error(e, app))?;
    tracing::info!("search index in {} is up to date ({n} documents updated)", dir.display());
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Text { command: TextCommand::Stem } = cli.command {
        // No configuration, database or logging: a pure filter from stdin to stdout.
        let stdin = std::io::stdin().lock();
        let stdout = std::io::BufWriter::new(std::io::stdout().lock());
        return terbuka_text::stem_lines(stdin, stdout).context("stemming stdin");
    }
    init_logging();
    let mut config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => serve(open(&config).await?).await,
        Command::Demo { requests, no_serve, crisis_days } => {
            if config.database.url.is_empty() && cli.config.is_none() {
                // The demo is always the embedded default.
                config.data_dir = std::env::var("TERBUKA_DATA_DIR").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from("data"));
            }
            let app = open(&config).await?;
            match terbuka_app::demo::seed_if_empty(&app, Utc::now(), requests).await? {
                Some(s) => println!(
                    "Demo data created: {} units, {} officers, {} requests, {} objections, {} register items, {} aid organisations, {} aid needs.",
                    s.units, s.officers, s.requests, s.objections, s.items, s.aid_orgs, s.aid_needs
                ),
                None => println!("Demo data already present in {}; reusing it.", config.database_url()),
            }
            // The crisis channel's generated data (the last days of a simulated Covid-19 history
            // and a flood season). Published before serving: one upload is one write transaction,
            // which on SQLite would hold back every other write (sign-ins included) meanwhile.
            let started = std::time::Instant::now();
            let made = terbuka_app::demo_crisis::seed(&app, Utc::now(), crisis_days).await?;
            if made > 0 {
                println!("Crisis channel: {made} demo releases published (generated data) in {:.1} s.", started.elapsed().as_secs_f64());
            }
            println!("\nDemo officer logins (password for each):");
            for l in terbuka_app::demo::demo_logins() {
                println!("  {:<22} {:<24} {}{}", l.username, l.password, l.role.as_str(), l.unit_code.map(|u| format!(" ({u})")).unwrap_or_default());
            }
            println!("\nMail is written to {}/outbox-mail unless mail.smtp_host is set.", config.data_dir.display());
            println!("Open http://{} in a browser. Stop with Ctrl-C.\n", config.server.bind);
            if no_serve {
                return Ok(());
            }
            serve(app).await
        }
        Command::Migrate => {
            let _app = open(&config).await?;
            println!("Database is up to date ({}).", config.database_url().split("://").next().unwrap_or(""));
            Ok(())
        }
        Command::User { command } => {
            let app = open(&config).await?;
            match command {
                UserCommand::Add { username, name, email, role, unit } => {
                    let unit_id = match unit {
                        Some(code) => {
                            Some(app.units().await?.into_iter().find(|u| u.code == code).map(|u| u.id).with_context(|| format!("no unit with code {code:?}"))?)
                        }
                        None => None,
                    };
                    let raw = RawOfficer {
                        username: Some(username.clone()),
                        display_name: Some(name),
                        email: Some(email),
                        role: Some(role),
                        unit: unit_id.map(|u| u.to_string()),
                        password: Some(read_password()?),
                    };
                    let id = app.add_officer(None, &raw, Utc::now()).await.map_err(|e| app_error(e, &app))?;
                    println!("Officer {username} added (id {id}).");
                }
                UserCommand::List => {
                    let units = app.units().await?;
                    for o in app.list_officers(None).await? {
                        let unit = o.unit.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.code.as_str()).unwrap_or("-");
                        println!("{:<22} {:<16} {:<20} {}", o.username, o.role.as_str(), unit, if o.active { "active" } else { "disabled" });
                    }
                }
                UserCommand::Disable { username } => set_active(&app, &username, false).await?,
                UserCommand::Enable { username } => set_active(&app, &username, true).await?,
            }
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let app = open(&config).await?;
            match app.verify_audit().await.map_err(|e| app_error(e, &app))? {
                Ok(head) => {
                    println!("OK: {} entries, chain head {}", head.count, head.hash);
                    Ok(())
                }
                Err(e) => {
                    eprintln!("AUDIT CHAIN BROKEN: {e}");
                    std::process::exit(1);
                }
            }
        }
        Command::Calendar { command: CalendarCommand::Due { date, n, bundled } } => {
            let from = NaiveDate::parse_from_str(&date, "%Y-%m-%d").with_context(|| format!("{date:?} is not a date in YYYY-MM-DD form"))?;
            if n > 10_000 {
                bail!("N must be at most 10000");
            }
            let use_db = !bundled && (!config.database.url.is_empty() || config.data_dir.join("terbuka.db").exists());
            let calendar = if use_db {
                Calendar::new(open(&config).await?.days_off().await?)
            } else {
                Calendar::new(Calendar::parse_csv(terbuka_app::service::BUNDLED_HOLIDAYS).map_err(anyhow::Error::msg)?)
            };
            println!("{}", calendar.add_working_days(from, n, CutiBersama::NonWorking));
            Ok(())
        }
        Command::Text { .. } => unreachable!("handled before the configuration is read"),
        Command::Search { command } => {
            let app = open(&config).await?;
            let dir = app.config.search_dir();
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create search folder {}", dir.display()))?;
            let index = terbuka_search::SearchIndex::open(&dir)
                .with_context(|| format!("cannot open the search index in {} (is `serve` running on this node?)", dir.display()))?;
            app.use_search_index(index);
            match command {
                SearchCommand::Reindex => {
                    let bar = indicatif::ProgressBar::new(0);
                    bar.set_style(
                        indicatif::ProgressStyle::with_template("{spinner} reindexing [{bar:40}] {pos}/{len} documents ({elapsed})")
                            .expect("progress template")
                            .progress_chars("=> "),
                    );
                    let started = std::time::Instant::now();
                    let n = app
                        .reindex(&mut |done, total| {
                            bar.set_length(total);
                            bar.set_position(done);
                        })
                        .await
                        .map_err(|e| app_error(e, &app))?;
                    bar.finish_and_clear();
                    println!("Search index rebuilt in {}: {n} public documents in {:.1} s.", dir.display(), started.elapsed().as_secs_f64());
                }
                SearchCommand::Query { text } => {
                    app.sync_search().await.map_err(|e| app_error(e, &app))?;
                    let q = terbuka_search::SearchQuery { text, page: 1, per_page: 10, ..Default::default() };
                    let r = app.search(&q).map_err(|e| app_error(e, &app))?;
                    println!("{} results{}", r.total, if r.fuzzy { " (typo-tolerant)" } else { "" });
                    for h in r.hits {
                        println!("{:<8} {}  {}", h.kind.as_str(), h.url, h.title_html.replace("<mark>", "").replace("</mark>", ""));
                    }
                    if let Some(s) = r.suggestion {
                        println!("Did you mean: {s}");
                    }
                }
            }
            Ok(())
        }
        Command::Crisis { command } => crisis(open(&config).await?, command).await,
    }
}

async fn set_active(app: &App, username: &str, active: bool) -> anyhow::Result<()> {
    let o = app.store.officer_by_username(username).await?.with_context(|| format!("no officer {username:?}"))?;
    app.set_officer_active(None, o.id, active).await.map_err(|e| app_error(e, app))?;
    println!("Officer {username} {}.", if active { "enabled" } else { "disabled" });
    Ok(())
}

/// Lists an upload's problems (Indonesian first, with their codes) and exits with status 2.
fn exit_with_problems(app: &App, problems: &[terbuka_domain::crisis::RowProblem], file: &std::path::Path) -> ! {
    use terbuka_domain::Lang;
    let t = |key| app.i18n.t(Lang::Id, key);
    eprintln!("{}", t("crisis.problems"));
    for p in problems {
        let column = if p.column.is_empty() { String::new() } else { format!(", {} {}", t("crisis.column"), p.column) };
        if p.line == 0 {
            // A problem of figures computed from the file (a line list's counts), not of a line.
            eprintln!("  {}: {} ({})", p.column, t(p.code), p.code);
        } else {
            eprintln!("  {} {}{column}: {} ({})", t("crisis.line"), p.line, t(p.code), p.code);
        }
    }
    eprintln!("{} problem(s) in {}; nothing was saved.", problems.len(), file.display());
    std::process::exit(2);
}

/// A spinner with a message and the elapsed time, for the crisis uploads.
fn spinner(message: String) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("progress template"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar.set_message(message);
    bar
}

/// The officer a command acts as (`--as USERNAME`), or the command line itself.
async fn cli_actor(app: &App, as_user: Option<String>) -> anyhow::Result<Option<terbuka_domain::authz::Actor>> {
    let Some(username) = as_user else { return Ok(None) };
    let o = app.store.officer_by_username(&username).await?.with_context(|| format!("no officer {username:?}"))?;
    if !o.active {
        bail!("officer {username:?} is disabled");
    }
    Ok(Some(terbuka_domain::authz::Actor { officer: o.id, role: o.role, unit: o.unit }))
}

async fn crisis(app: Arc<App>, command: CrisisCommand) -> anyhow::Result<()> {
    use terbuka_app::crisis::{IngestError, IngestStage};
    app.ensure_crisis_datasets(Utc::now()).await.map_err(|e| app_error(e, &app))?;
    match command {
        CrisisCommand::Ingest { slug, file, note, as_user } => {
            let actor = cli_actor(&app, as_user).await?;
            let filename = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let bar = spinner(format!("reading {}", file.display()));
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let result = app
                .crisis_ingest(actor.as_ref(), &slug, &filename, &bytes, note.as_deref(), Utc::now(), &mut |stage| match stage {
                    IngestStage::Reading => bar.set_message(format!("reading {filename}")),
                    IngestStage::Validating { rows } => bar.set_message(format!("validating {rows} rows")),
                    IngestStage::Saving { observations, changes } => bar.set_message(format!("saving the release ({observations} values, {changes} changes)")),
                })
                .await;
            bar.finish_and_clear();
            match result {
                Ok(s) => {
                    println!(
                        "Release {} of {} saved: {} values uploaded, {} in the release; {} added, {} changed, {} removed.\nDigest {}",
                        s.seq, s.dataset, s.uploaded, s.rows, s.added, s.changed, s.removed, s.digest
                    );
                    Ok(())
                }
                Err(IngestError::Rows(problems)) => exit_with_problems(&app, &problems, &file),
                Err(IngestError::App(e)) => Err(app_error(e, &app)),
            }
        }
        CrisisCommand::Linelist { slug, file, as_of, note, as_user } => {
            let actor = cli_actor(&app, as_user).await?;
            let filename = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let bar = spinner(format!("reading {}", file.display()));
            let started = std::time::Instant::now();
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let result = app
                .crisis_ingest_linelist(actor.as_ref(), &slug, &filename, bytes, note.as_deref(), as_of, Utc::now(), &mut |stage| match stage {
                    IngestStage::Reading => bar.set_message(format!("counting the cases of {filename}")),
                    IngestStage::Validating { rows } => bar.set_message(format!("checking {rows} kelurahan-day rows")),
                    IngestStage::Saving { observations, changes } => bar.set_message(format!("saving the release ({observations} values, {changes} changes)")),
                })
                .await;
            bar.finish_and_clear();
            match result {
                Ok(s) => {
                    println!(
                        "Release {} of {} saved from the line list in {:.1} s: {} values counted, {} in the release; {} added, {} changed, {} removed.\nDigest {}",
                        s.seq,
                        s.dataset,
                        started.elapsed().as_secs_f64(),
                        s.uploaded,
                        s.rows,
                        s.added,
                        s.changed,
                        s.removed,
                        s.digest
                    );
                    Ok(())
                }
                Err(IngestError::Rows(problems)) => exit_with_problems(&app, &problems, &file),
                Err(IngestError::App(e)) => Err(app_error(e, &app)),
            }
        }
        CrisisCommand::Populations { file } => {
            let filename = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            match app.set_crisis_populations(None, &filename, &bytes, Utc::now()).await {
                Ok(n) => {
                    println!("Populations replaced: {n} regions.");
                    Ok(())
                }
                Err(IngestError::Rows(problems)) => exit_with_problems(&app, &problems, &file),
                Err(IngestError::App(e)) => Err(app_error(e, &app)),
            }
        }
        CrisisCommand::Releases { slug } => {
            let releases = app.crisis_releases(&slug).await.map_err(|e| app_error(e, &app))?;
            if releases.is_empty() {
                println!("{slug} has no release yet.");
            }
            for r in releases {
                println!(
                    "{:>4}  {}  {:<12} {:>9} values  +{} ~{} -{}  {}  {}",
                    r.seq,
                    r.created_at.format("%Y-%m-%d %H:%M"),
                    r.actor,
                    r.rows,
                    r.added,
                    r.changed,
                    r.removed,
                    &r.digest[..12.min(r.digest.len())],
                    r.note.unwrap_or_default()
                );
            }
            Ok(())
        }
        CrisisCommand::Diff { slug, seq } => {
            let (_, changes) = app.crisis_release_diff(&slug, seq).await.map_err(|e| app_error(e, &app))?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for c in &changes {
                use std::io::Write;
                writeln!(out, "{}", terbuka_app::crisis::json_line(c))?;
            }
            Ok(())
        }
    }
}
