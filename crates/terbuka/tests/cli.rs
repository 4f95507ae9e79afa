//! The binary's commands, run as a newcomer or an operator would run them.

use std::path::Path;
use std::process::{Command, Output};

fn terbuka(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_terbuka"))
        .args(args)
        .env("TERBUKA_DATA_DIR", data)
        .env("RUST_LOG", "warn")
        .env_remove("TERBUKA_DATABASE_URL")
        .output()
        .expect("run terbuka")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn calendar_due_counts_the_plain_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let check = |date: &str, n: &str, expected: &str| {
        let o = terbuka(dir.path(), &["calendar", "due", date, n, "--bundled"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o).trim(), expected, "{n} working days after {date}");
    };
    // Nyepi, Idul Fitri and their cuti bersama 2026: 18-24 March are all days off.
    check("2026-03-17", "1", "2026-03-25");
    // Christmas 2025 (holiday + cuti bersama) and New Year 2026.
    check("2025-12-24", "10", "2026-01-12");
    // Friday to Monday, and 0 days is the date itself.
    check("2026-11-06", "1", "2026-11-09");
    check("2026-11-06", "0", "2026-11-06");
    // A year end with no decree yet (2030): only holidays count.
    check("2029-12-31", "1", "2030-01-02");

    let bad = terbuka(dir.path(), &["calendar", "due", "17-03-2026", "1", "--bundled"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("YYYY-MM-DD"), "{}", stderr(&bad));
    for cmd in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["calendar", "due", "--help"],
    ] {
        let o = terbuka(dir.path(), &cmd);
        assert!(o.status.success() && stdout(&o).contains("Usage"), "{cmd:?}: {}", stderr(&o));
    }
}

#[test]
fn demo_twice_users_and_audit_verify_catches_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let first = terbuka(dir.path(), &["demo", "--no-serve", "--requests", "25"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("Demo data created"), "{}", stdout(&first));
    assert!(stdout(&first).contains("ppid_utama"), "logins are printed");
    let second = terbuka(dir.path(), &["demo", "--no-serve"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stdout(&second).contains("already present"));

    // Officers from the command line.
    let add = Command::new(env!("CARGO_BIN_EXE_terbuka"))
        .args(["user", "add", "--username", "rina", "--name", "Rina Wati", "--email", "rina@ppid.example.go.id", "--role", "admin"])
        .env("TERBUKA_DATA_DIR", dir.path())
        .env("TERBUKA_NEW_PASSWORD", "sandi-rahasia-panjang")
        .output()
        .unwrap();
    assert!(add.status.success(), "{}", stderr(&add));
    let short = Command::new(env!("CARGO_BIN_EXE_terbuka"))
        .args(["user", "add", "--username", "x", "--name", "X", "--email", "bad", "--role", "root"])
        .env("TERBUKA_DATA_DIR", dir.path())
        .env("TERBUKA_NEW_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!short.status.success());
    assert!(stderr(&short).contains("username") && stderr(&short).contains("password"), "{}", stderr(&short));
    assert!(stdout(&terbuka(dir.path(), &["user", "list"])).contains("rina"));
    assert!(terbuka(dir.path(), &["user", "disable", "rina"]).status.success());
    assert!(stdout(&terbuka(dir.path(), &["user", "list"])).lines().any(|l| l.starts_with("rina") && l.contains("disabled")));

    // The intact chain verifies.
    let ok = terbuka(dir.path(), &["audit", "verify"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).starts_with("OK: "));

    let db = dir.path().join("terbuka.db");
    // Snapshot the database with its WAL, so each tampering starts from the same intact state.
    let files = ["terbuka.db", "terbuka.db-wal", "terbuka.db-shm"];
    let pristine: Vec<Option<Vec<u8>>> = files.iter().map(|f| std::fs::read(dir.path().join(f)).ok()).collect();
    let restore = || {
        for (f, content) in files.iter().zip(&pristine) {
            let p = dir.path().join(f);
            match content {
                Some(bytes) => std::fs::write(&p, bytes).unwrap(),
                None => {
                    let _ = std::fs::remove_file(&p);
                }
            }
        }
    };
    let rt = tokio_runtime();
    let tamper = |sql: &'static str| {
        restore();
        rt.block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        });
        let o = terbuka(dir.path(), &["audit", "verify"]);
        assert_eq!(o.status.code(), Some(1), "tampering not caught: {sql}\n{}", stdout(&o));
        stderr(&o)
    };
    assert!(tamper("UPDATE audit_log SET detail = '{\"forged\":true}' WHERE seq = 5").contains("edited"));
    assert!(tamper("DELETE FROM audit_log WHERE seq = 5").contains("deleted"));
    assert!(tamper("UPDATE audit_log SET seq = -1 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -1;")
        .contains("entry"));
    assert!(tamper("INSERT INTO audit_log SELECT seq + 1000, at, actor, action, 'request:forged', detail, prev_hash, hash FROM audit_log WHERE seq = 7")
        .contains("entry"));
    restore();
    assert!(terbuka(dir.path(), &["audit", "verify"]).status.success(), "the restored chain verifies again");
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}
