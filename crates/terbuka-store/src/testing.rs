//! Fresh, isolated stores for tests: a SQLite file in a temporary folder, or a new PostgreSQL
//! database on the server named by `TERBUKA_TEST_POSTGRES_URL`. PostgreSQL tests fail loudly when
//! that variable is missing or the server cannot be reached: they never skip.

use crate::SqlStore;
use rand::Rng;
use sqlx::Connection;

/// A store plus whatever must live as long as it (the temporary folder).
pub struct TestStore {
    pub store: SqlStore,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// For PostgreSQL: (server URL, database name) to drop when the test ends.
    drop_db: Option<(String, String)>,
}

impl Drop for TestStore {
    /// Drops the test's PostgreSQL database so repeated runs do not fill the server.
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.drop_db.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                rt.block_on(async {
                    let mut admin = sqlx::AnyConnection::connect(&admin_url).await.ok()?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await.ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}

pub async fn sqlite() -> TestStore {
    sqlite_at(i64::MAX).await
}

/// A fresh SQLite store migrated only up to `version` (to test the migrations after it).
pub async fn sqlite_at(version: i64) -> TestStore {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("terbuka.db").display());
    let store = SqlStore::connect_migrated_to(&url, 8, version).await.expect("open SQLite store");
    TestStore { store, url, _dir: Some(dir), drop_db: None }
}

/// The server URL for PostgreSQL tests.
pub fn postgres_url() -> String {
    std::env::var("TERBUKA_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("TERBUKA_TEST_POSTGRES_URL is not set: PostgreSQL tests need a server (scripts/test sets it to postgres://postgres@127.0.0.1:5432/test)")
    })
}

/// A new, empty database on the test server, so every test has its own.
pub async fn postgres() -> TestStore {
    postgres_at(i64::MAX).await
}

/// [`postgres`] migrated only up to `version`.
pub async fn postgres_at(version: i64) -> TestStore {
    sqlx::any::install_default_drivers();
    let admin_url = postgres_url();
    let name = format!("terbuka_t_{:016x}", rand::thread_rng().gen::<u64>());
    let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap_or_else(|e| panic!("cannot reach PostgreSQL at TERBUKA_TEST_POSTGRES_URL: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create test database");
    let _ = admin.close().await;
    let url = replace_database(&admin_url, &name);
    let store = SqlStore::connect_migrated_to(&url, 8, version).await.expect("open PostgreSQL store");
    TestStore { store, url, _dir: None, drop_db: Some((admin_url, name)) }
}

/// Replaces the database name in a PostgreSQL URL.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}
