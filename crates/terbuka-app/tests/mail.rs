//! Mail over real SMTP: each test starts its own aiosmtpd server (a separate Python process,
//! installed by scripts/test) that stores what it receives in a Maildir, and reads it back.

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use terbuka_app::crypto::PiiKey;
use terbuka_app::mail::Mailer;
use terbuka_app::{jobs, App, Config};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::authz::Actor;
use terbuka_domain::calendar::wib;
use terbuka_domain::validate::{RawOfficer, RawRequest};
use terbuka_domain::{Role, UnitKind};
use terbuka_store::NewUnit;

/// A running aiosmtpd; killed when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = tempfile::tempdir().unwrap();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 must be installed (scripts/test installs aiosmtpd)");
        let mut server = SmtpServer { child, port, maildir };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = server.child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                panic!("aiosmtpd exited ({status}); is it installed? (python3 -m pip install aiosmtpd)\n{err}");
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("aiosmtpd did not start listening on port {port}");
    }

    /// Every message received so far, as raw text.
    fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let dir: PathBuf = self.maildir.path().join("mail").join(sub);
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for e in entries.flatten() {
                    out.push(std::fs::read_to_string(e.path()).unwrap());
                }
            }
        }
        out
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn app_with_smtp(port: u16, store: terbuka_store::SqlStore) -> Arc<App> {
    let mut config = Config::default();
    config.mail.smtp_host = "127.0.0.1".into();
    config.mail.smtp_port = port;
    config.mail.from = "PPID Uji <ppid@example.go.id>".into();
    config.server.public_url = "https://ppid.example.go.id".into();
    Arc::new(App::new(Arc::new(store), config, key()))
}

fn key() -> PiiKey {
    // One fixed key for the tests, so a "restarted" App reads what the first one sealed.
    PiiKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap()
}

async fn org(app: &App) -> (i64, Actor, Actor) {
    app.seed_calendar().await.unwrap();
    let audit = || NewAuditEntry { actor: "system:test".into(), action: "unit.add".into(), subject: "unit".into(), detail: "{}".into() };
    let utama_unit = app
        .store
        .insert_unit(NewUnit { code: "utama".into(), name: "PPID Utama".into(), name_en: "Main PPID".into(), kind: UnitKind::Utama, parent: None }, audit())
        .await
        .unwrap();
    let unit = app
        .store
        .insert_unit(
            NewUnit {
                code: "dinkes".into(),
                name: "Dinas Kesehatan".into(),
                name_en: "Health Office".into(),
                kind: UnitKind::Pelaksana,
                parent: Some(utama_unit),
            },
            audit(),
        )
        .await
        .unwrap();
    let add = |u: &str, role: Role, unit: Option<i64>| RawOfficer {
        username: Some(u.into()),
        display_name: Some(u.into()),
        email: Some(format!("{u}@ppid.example.go.id")),
        role: Some(role.as_str().into()),
        unit: unit.map(|x| x.to_string()),
        password: Some("kata-sandi-uji-2026".into()),
    };
    let now = Utc::now();
    let utama = app.add_officer(None, &add("utama", Role::PpidUtama, Some(utama_unit)), now).await.unwrap();
    let dinkes = app.add_officer(None, &add("dinkes", Role::PpidPelaksana, Some(unit)), now).await.unwrap();
    (unit, Actor { officer: utama, role: Role::PpidUtama, unit: Some(utama_unit) }, Actor { officer: dinkes, role: Role::PpidPelaksana, unit: Some(unit) })
}

fn request(email: &str) -> RawRequest {
    RawRequest {
        requester_kind: Some("individual".into()),
        name: Some("Budi Santoso".into()),
        id_number: Some("3171010101900002".into()),
        address: Some("Jl. Merdeka No. 2, Jakarta".into()),
        email: Some(email.into()),
        subject: Some("Jadwal pengerukan kali 2026".into()),
        details: Some("Jadwal dan lokasi pengerukan kali di Jakarta Utara tahun 2026.".into()),
        purpose: Some("Liputan jurnalistik".into()),
        obtain: Some("soft_copy".into()),
        delivery: Some("email".into()),
        ..Default::default()
    }
}

fn wib_at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    wib().with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().with_timezone(&Utc)
}

fn mailbox_of<'a>(messages: &'a [String], to: &str) -> Vec<&'a String> {
    messages.iter().filter(|m| m.lines().any(|l| l.to_lowercase().starts_with("to:") && l.contains(to))).collect()
}

/// Lettre may fold and encode the body; decode quoted-printable soft breaks for searching.
fn plain(m: &str) -> String {
    m.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

#[tokio::test]
async fn submission_mails_the_private_tracking_link_over_smtp() {
    let smtp = SmtpServer::start();
    let ts = terbuka_store::testing::sqlite().await;
    let app = app_with_smtp(smtp.port, ts.store.clone()).await;
    org(&app).await;
    let sub = app.submit_request(&request("budi@example.com"), None, Utc::now()).await.unwrap();

    let mailer = Mailer::from_config(&app.config).unwrap();
    let (sent, failed) = jobs::deliver_mail(&app, &mailer, Utc::now()).await.unwrap();
    assert_eq!((sent, failed), (2, 0), "one mail to the requester, one to the PPID Utama");

    let messages = smtp.messages();
    let mine = mailbox_of(&messages, "budi@example.com");
    assert_eq!(mine.len(), 1, "{messages:?}");
    let body = plain(mine[0]);
    assert!(body.contains(&format!("https://ppid.example.go.id/lacak/{}", sub.token)), "tracking link in {body}");
    assert!(body.contains(&sub.request.reg_no));
    assert_eq!(mailbox_of(&messages, "utama@ppid.example.go.id").len(), 1);

    // Delivering again sends nothing twice.
    assert_eq!(jobs::deliver_mail(&app, &mailer, Utc::now()).await.unwrap(), (0, 0));
    assert_eq!(smtp.messages().len(), 2);
}

#[tokio::test]
async fn a_dead_smtp_server_delays_mail_without_losing_it() {
    let ts = terbuka_store::testing::sqlite().await;
    // Nothing listens on this port yet.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = app_with_smtp(port, ts.store.clone()).await;
    org(&app).await;
    app.submit_request(&request("ani@example.com"), None, Utc::now()).await.unwrap();
    let mailer = Mailer::from_config(&app.config).unwrap();
    let (sent, failed) = jobs::deliver_mail(&app, &mailer, Utc::now()).await.unwrap();
    assert_eq!(sent, 0);
    assert_eq!(failed, 2);
    assert_eq!(app.store.outbox_counts().await.unwrap(), (2, 0));
    // Not retried before the back-off ends.
    assert_eq!(jobs::deliver_mail(&app, &mailer, Utc::now()).await.unwrap(), (0, 0));
    // A server appears; after the back-off the mail goes out.
    let smtp = SmtpServer::start();
    let app2 = app_with_smtp(smtp.port, ts.store.clone()).await;
    let mailer2 = Mailer::from_config(&app2.config).unwrap();
    let later = Utc::now() + Duration::minutes(5);
    assert_eq!(jobs::deliver_mail(&app2, &mailer2, later).await.unwrap(), (2, 0));
    assert_eq!(mailbox_of(&smtp.messages(), "ani@example.com").len(), 1);
}

#[tokio::test]
async fn reminders_are_idempotent_and_survive_a_restart() {
    let smtp = SmtpServer::start();
    let ts = terbuka_store::testing::sqlite().await;
    let app = app_with_smtp(smtp.port, ts.store.clone()).await;
    let (unit, utama, _dinkes) = org(&app).await;

    // Received Monday 2026-11-02 09:00 WIB: notice due Monday 2026-11-16.
    let received = wib_at(2026, 11, 2, 9);
    let sub = app.submit_request(&request("citra@example.com"), None, received).await.unwrap();
    assert_eq!(sub.request.clock.notice_due.to_string(), "2026-11-16");
    app.route(&utama, sub.request.id, unit, received).await.unwrap();
    let mailer = Mailer::from_config(&app.config).unwrap();
    jobs::deliver_mail(&app, &mailer, received).await.unwrap();
    let before = smtp.messages().len();

    // A week before: nothing due.
    assert_eq!(jobs::reminders(&app, wib_at(2026, 11, 9, 9)).await.unwrap(), 0);
    // Thursday 12th is two working days before: one mail to the unit's officer.
    let thursday = wib_at(2026, 11, 12, 9);
    assert_eq!(jobs::reminders(&app, thursday).await.unwrap(), 1);
    assert_eq!(jobs::reminders(&app, thursday).await.unwrap(), 0, "running twice queues nothing");
    // A restarted node (new App on the same database) does not repeat it.
    let restarted = app_with_smtp(smtp.port, ts.store.clone()).await;
    assert_eq!(jobs::reminders(&restarted, wib_at(2026, 11, 13, 9)).await.unwrap(), 0);
    // Overdue on Tuesday 17th: the unit officer and the PPID Utama are told, once.
    let tuesday = wib_at(2026, 11, 17, 9);
    assert_eq!(jobs::reminders(&restarted, tuesday).await.unwrap(), 2);
    assert_eq!(jobs::reminders(&restarted, tuesday).await.unwrap(), 0);

    let (sent, failed) = jobs::deliver_mail(&restarted, &mailer, tuesday).await.unwrap();
    assert_eq!((sent, failed), (3, 0));
    let messages = smtp.messages();
    assert_eq!(messages.len(), before + 3);
    let to_unit = mailbox_of(&messages, "dinkes@ppid.example.go.id");
    assert_eq!(to_unit.len(), 3, "routed, due soon, overdue");
    assert!(to_unit.iter().any(|m| m.contains("TERLAMBAT")), "the overdue mail says so");
    let to_utama = mailbox_of(&messages, "utama@ppid.example.go.id");
    assert_eq!(to_utama.len(), 2, "new request, overdue");
}
