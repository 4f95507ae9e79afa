//! The SQL backend for both SQLite and PostgreSQL, through sqlx's `Any` driver.
//!
//! The two dialects differ only in their DDL (each has its own `migrations/` folder) and in how a
//! connection is prepared; every query below is in the common subset (`$n` parameters,
//! `RETURNING`, `ON CONFLICT DO NOTHING`). Writers serialise on the single `audit_head` row: every
//! audited transaction first updates it, which takes SQLite's write lock (waiting on
//! `busy_timeout`, never failing on a stale snapshot) and PostgreSQL's row lock (so app nodes
//! sharing one database append to one chain, in order).

use crate::types::*;
use crate::{parse_date, Backend, Result, Store, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row, Transaction};
use std::str::FromStr;
use terbuka_domain::audit::{entry_hash, AuditEntry, ChainHead, NewAuditEntry};
use terbuka_domain::calendar::{DayOff, DayOffKind};
use terbuka_domain::objection::{ObjectionClock, ObjectionState};
use terbuka_domain::request::{RequestClock, RequestState};
use terbuka_domain::*;

const MIGRATIONS_SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_register_indexes.sql")),
    (3, include_str!("../migrations/sqlite/0003_register.sql")),
    (4, include_str!("../migrations/sqlite/0004_kolaborasi.sql")),
    (5, include_str!("../migrations/sqlite/0005_crisis.sql")),
    (6, include_str!("../migrations/sqlite/0006_crisis_change_sets.sql")),
];
const MIGRATIONS_POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (2, include_str!("../migrations/postgres/0002_register_indexes.sql")),
    (3, include_str!("../migrations/postgres/0003_register.sql")),
    (4, include_str!("../migrations/postgres/0004_kolaborasi.sql")),
    (5, include_str!("../migrations/postgres/0005_crisis.sql")),
    (6, include_str!("../migrations/postgres/0006_crisis_change_sets.sql")),
];

#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore").field("backend", &self.backend).finish_non_exhaustive()
    }
}

/// Refuses URLs that are neither SQLite nor PostgreSQL, with a message that says what works.
pub fn backend_of(url: &str) -> std::result::Result<Backend, String> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(format!("unsupported database URL {:?}: use sqlite://path/to/file.db or postgres://user@host/db", url.split('@').next_back().unwrap_or("")))
    }
}

pub(crate) fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(crate) fn parse_ts(s: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).map_err(|_| StoreError::Corrupt(what.to_string()))
}

fn opt_date(s: Option<String>, what: &str) -> Result<Option<NaiveDate>> {
    s.map(|s| parse_date(&s, what)).transpose()
}

pub(crate) fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_code<T>(s: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T> {
    parse(s).ok_or_else(|| StoreError::Corrupt(what.to_string()))
}

pub(crate) fn conflict_on_unique(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what.to_string()),
        _ => StoreError::Other(e),
    }
}

/// A value bound to a dynamically built query.
pub(crate) enum Bind {
    Int(i64),
    Text(String),
}

pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Int(v) => q.bind(*v),
            Bind::Text(v) => q.bind(v.as_str()),
        };
    }
    q
}

const REQUEST_COLUMNS: &str = "id, reg_no, token_hash, channel, requester_kind, identity_enc, display_name, subject, details, purpose, obtain, delivery, received_at, day0, state, unit_id, notice_due, extended, extension_reason, outcome, notice_json, notice_day, fee, fee_day, delivered_day, version, updated_at";

fn request_from_row(r: &AnyRow) -> Result<StoredRequest> {
    let obtain: String = r.try_get("obtain")?;
    let obtain = obtain.split(',').filter(|s| !s.is_empty()).map(|s| parse_code(s, ObtainMethod::parse, "requests.obtain")).collect::<Result<Vec<_>>>()?;
    let outcome: Option<String> = r.try_get("outcome")?;
    Ok(StoredRequest {
        id: r.try_get("id")?,
        reg_no: r.try_get("reg_no")?,
        token_hash: r.try_get("token_hash")?,
        channel: parse_code(&r.try_get::<String, _>("channel")?, Channel::parse, "requests.channel")?,
        requester_kind: parse_code(&r.try_get::<String, _>("requester_kind")?, RequesterKind::parse, "requests.requester_kind")?,
        identity_enc: r.try_get("identity_enc")?,
        display_name: r.try_get("display_name")?,
        subject: r.try_get("subject")?,
        details: r.try_get("details")?,
        purpose: r.try_get("purpose")?,
        obtain,
        delivery: parse_code(&r.try_get::<String, _>("delivery")?, DeliveryMethod::parse, "requests.delivery")?,
        received_at: parse_ts(&r.try_get::<String, _>("received_at")?, "requests.received_at")?,
        clock: RequestClock {
            state: parse_code(&r.try_get::<String, _>("state")?, RequestState::parse, "requests.state")?,
            unit: r.try_get("unit_id")?,
            day0: parse_date(&r.try_get::<String, _>("day0")?, "requests.day0")?,
            notice_due: parse_date(&r.try_get::<String, _>("notice_due")?, "requests.notice_due")?,
            extended: r.try_get::<i64, _>("extended")? != 0,
            outcome: outcome.map(|o| parse_code(&o, Outcome::parse, "requests.outcome")).transpose()?,
            notice_day: opt_date(r.try_get("notice_day")?, "requests.notice_day")?,
            fee_day: opt_date(r.try_get("fee_day")?, "requests.fee_day")?,
            delivered_day: opt_date(r.try_get("delivered_day")?, "requests.delivered_day")?,
        },
        extension_reason: r.try_get("extension_reason")?,
        notice_json: r.try_get("notice_json")?,
        fee: r.try_get("fee")?,
        version: r.try_get("version")?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?, "requests.updated_at")?,
    })
}

const OBJECTION_COLUMNS: &str = "id, reg_no, request_id, grounds, summary, filed_at, day0, late, state, response_due, response_day, decision_text, decided_by, ki_received, decision_received, version";

fn objection_from_row(r: &AnyRow) -> Result<StoredObjection> {
    let grounds: String = r.try_get("grounds")?;
    let grounds =
        grounds.split(',').filter(|s| !s.is_empty()).map(|g| parse_code(g, ObjectionGround::parse, "objections.grounds")).collect::<Result<Vec<_>>>()?;
    Ok(StoredObjection {
        id: r.try_get("id")?,
        reg_no: r.try_get("reg_no")?,
        request: r.try_get("request_id")?,
        summary: r.try_get("summary")?,
        filed_at: parse_ts(&r.try_get::<String, _>("filed_at")?, "objections.filed_at")?,
        late: r.try_get::<i64, _>("late")? != 0,
        clock: ObjectionClock {
            state: parse_code(&r.try_get::<String, _>("state")?, ObjectionState::parse, "objections.state")?,
            grounds,
            day0: parse_date(&r.try_get::<String, _>("day0")?, "objections.day0")?,
            response_due: parse_date(&r.try_get::<String, _>("response_due")?, "objections.response_due")?,
            response_day: opt_date(r.try_get("response_day")?, "objections.response_day")?,
            ki_received: opt_date(r.try_get("ki_received")?, "objections.ki_received")?,
            decision_received: opt_date(r.try_get("decision_received")?, "objections.decision_received")?,
        },
        decision_text: r.try_get("decision_text")?,
        decided_by: r.try_get("decided_by")?,
        version: r.try_get("version")?,
    })
}

fn officer_from_row(r: &AnyRow) -> Result<Officer> {
    Ok(Officer {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        email: r.try_get("email")?,
        role: parse_code(&r.try_get::<String, _>("role")?, Role::parse, "officers.role")?,
        unit: r.try_get("unit_id")?,
        password_hash: r.try_get("password_hash")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?, "officers.created_at")?,
    })
}

fn document_meta_from_row(r: &AnyRow) -> Result<DocumentMeta> {
    Ok(DocumentMeta {
        id: r.try_get("id")?,
        request: r.try_get("request_id")?,
        kind: parse_code(&r.try_get::<String, _>("kind")?, DocumentKind::parse, "documents.kind")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?, "documents.created_at")?,
    })
}

impl SqlStore {
    /// Connects, prepares the database (WAL and durability for SQLite) and applies migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        Self::connect_migrated_to(url, max_connections, i64::MAX).await
    }

    /// [`SqlStore::connect`] applying migrations only up to `version` (tests of a migration start
    /// from the schema before it).
    pub async fn connect_migrated_to(url: &str, max_connections: u32, version: i64) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url).map_err(|m| StoreError::Other(sqlx::Error::Configuration(m.into())))?;
        let url = if backend == Backend::Sqlite && !url.contains("mode=") {
            format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
        } else {
            url.to_string()
        };
        let mut options = AnyPoolOptions::new().max_connections(max_connections);
        if backend == Backend::Sqlite {
            // Full durability: a submission acknowledged to a citizen survives a power cut.
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    use sqlx::Executor;
                    conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;").await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await?;
        if backend == Backend::Sqlite {
            sqlx::raw_sql("PRAGMA journal_mode = WAL;").execute(&pool).await?;
        }
        let store = SqlStore { pool, backend };
        store.migrate_to(version).await?;
        Ok(store)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies pending migrations, each in its own transaction. On PostgreSQL an advisory lock
    /// keeps two nodes starting together from migrating twice.
    pub async fn migrate(&self) -> Result<i64> {
        self.migrate_to(i64::MAX).await
    }

    /// [`SqlStore::migrate`] up to `version` only. Migration 6 has a step in Rust after its SQL
    /// (converting crisis releases to change sets), in the same transaction.
    pub async fn migrate_to(&self, upto: i64) -> Result<i64> {
        let migrations = match self.backend {
            Backend::Sqlite => MIGRATIONS_SQLITE,
            Backend::Postgres => MIGRATIONS_POSTGRES,
        };
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_lock(7346091)").execute(&mut *conn).await?;
        }
        let result = async {
            sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)").execute(&mut *conn).await?;
            let done: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>(0))
                .collect::<std::result::Result<_, _>>()?;
            let mut applied = 0;
            for (version, sql) in migrations {
                if done.contains(version) || *version > upto {
                    continue;
                }
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
                if *version == 6 {
                    crate::sql_crisis::convert_v5(&mut tx).await?;
                }
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                    .bind(*version)
                    .bind(ts(Utc::now()))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                applied += 1;
            }
            Ok::<i64, StoreError>(applied)
        }
        .await;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_unlock(7346091)").execute(&mut *conn).await?;
        }
        result
    }

    /// Starts a writing transaction and takes the chain lock (see the module docs).
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *tx).await?;
        Ok(tx)
    }

    /// Appends one audit entry inside `tx` (which must come from `begin_write`).
    pub(crate) async fn append_in(tx: &mut Transaction<'static, Any>, at: DateTime<Utc>, entry: &NewAuditEntry) -> Result<()> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await?;
        let prev_seq: i64 = head.try_get("seq")?;
        let prev_hash: String = head.try_get("hash")?;
        let seq = prev_seq + 1;
        let at = ts(at);
        let hash = entry_hash(&prev_hash, seq, &at, entry);
        sqlx::query("INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(seq)
            .bind(&at)
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.subject)
            .bind(&entry.detail)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1").bind(seq).bind(&hash).execute(&mut **tx).await?;
        Ok(())
    }

    async fn next_number(tx: &mut Transaction<'static, Any>, name: &str) -> Result<i64> {
        sqlx::query("INSERT INTO counters (name, value) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING").bind(name).execute(&mut **tx).await?;
        let row = sqlx::query("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value").bind(name).fetch_one(&mut **tx).await?;
        Ok(row.try_get(0)?)
    }

    async fn insert_documents(tx: &mut Transaction<'static, Any>, request: RequestId, docs: &[NewDocument], at: DateTime<Utc>) -> Result<()> {
        for d in docs {
            sqlx::query(
                "INSERT INTO documents (request_id, kind, filename, content_type, size, sha256, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(request)
            .bind(d.kind.as_str())
            .bind(&d.filename)
            .bind(&d.content_type)
            .bind(d.data.len() as i64)
            .bind(&d.sha256)
            .bind(d.data.clone())
            .bind(ts(at))
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_event(
        tx: &mut Transaction<'static, Any>,
        request: RequestId,
        at: DateTime<Utc>,
        actor: &str,
        kind: &str,
        from: Option<RequestState>,
        to: RequestState,
        note: Option<&str>,
    ) -> Result<()> {
        sqlx::query("INSERT INTO request_events (request_id, at, actor, kind, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(request)
            .bind(ts(at))
            .bind(actor)
            .bind(kind)
            .bind(from.map(|s| s.as_str().to_string()))
            .bind(to.as_str())
            .bind(note.map(str::to_string))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub(crate) async fn enqueue_tx(tx: &mut Transaction<'static, Any>, mails: &[NewMail]) -> Result<u64> {
        let mut n = 0;
        for m in mails {
            let r = sqlx::query("INSERT INTO outbox (dedup_key, to_enc, subject, body_enc, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (dedup_key) DO NOTHING")
                .bind(&m.dedup_key)
                .bind(m.to_enc.clone())
                .bind(&m.subject)
                .bind(m.body_enc.clone())
                .bind(ts(m.created_at))
                .execute(&mut **tx)
                .await?;
            n += r.rows_affected();
        }
        Ok(n)
    }

    async fn fetch_request(&self, clause: &str, value: String) -> Result<Option<StoredRequest>> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE {clause} = $1");
        sqlx::query(&sql).bind(value).fetch_optional(&self.pool).await?.as_ref().map(request_from_row).transpose()
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn list_units(&self) -> Result<Vec<Unit>> {
        let rows = sqlx::query("SELECT id, code, name, name_en, kind, parent_id FROM units ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Unit {
                    id: r.try_get("id")?,
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    name_en: r.try_get("name_en")?,
                    kind: parse_code(&r.try_get::<String, _>("kind")?, UnitKind::parse, "units.kind")?,
                    parent: r.try_get("parent_id")?,
                })
            })
            .collect()
    }

    async fn insert_unit(&self, unit: NewUnit, audit: NewAuditEntry) -> Result<UnitId> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("INSERT INTO units (code, name, name_en, kind, parent_id) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(&unit.code)
            .bind(&unit.name)
            .bind(&unit.name_en)
            .bind(unit.kind.as_str())
            .bind(unit.parent)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, "unit code"))?;
        Self::append_in(&mut tx, Utc::now(), &audit).await?;
        tx.commit().await?;
        Ok(row.try_get(0)?)
    }

    async fn insert_officer(&self, o: NewOfficer, audit: NewAuditEntry) -> Result<OfficerId> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("INSERT INTO officers (username, display_name, email, role, unit_id, password_hash, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id")
            .bind(&o.username)
            .bind(&o.display_name)
            .bind(&o.email)
            .bind(o.role.as_str())
            .bind(o.unit)
            .bind(&o.password_hash)
            .bind(ts(o.created_at))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, "username"))?;
        Self::append_in(&mut tx, o.created_at, &audit).await?;
        tx.commit().await?;
        Ok(row.try_get(0)?)
    }

    async fn list_officers(&self) -> Result<Vec<Officer>> {
        let rows = sqlx::query("SELECT * FROM officers ORDER BY username").fetch_all(&self.pool).await?;
        rows.iter().map(officer_from_row).collect()
    }

    async fn officer(&self, id: OfficerId) -> Result<Option<Officer>> {
        sqlx::query("SELECT * FROM officers WHERE id = $1").bind(id).fetch_optional(&self.pool).await?.as_ref().map(officer_from_row).transpose()
    }

    async fn officer_by_username(&self, username: &str) -> Result<Option<Officer>> {
        sqlx::query("SELECT * FROM officers WHERE username = $1").bind(username).fetch_optional(&self.pool).await?.as_ref().map(officer_from_row).transpose()
    }

    async fn set_officer_active(&self, id: OfficerId, active: bool, audit: NewAuditEntry) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("UPDATE officers SET active = $1 WHERE id = $2").bind(active as i64).bind(id).execute(&mut *tx).await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if !active {
            sqlx::query("DELETE FROM sessions WHERE officer_id = $1").bind(id).execute(&mut *tx).await?;
        }
        Self::append_in(&mut tx, Utc::now(), &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_session(&self, s: Session) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, officer_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&s.token_hash)
            .bind(s.officer)
            .bind(&s.csrf)
            .bind(ts(s.created_at))
            .bind(ts(s.expires_at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let row = sqlx::query("SELECT token_hash, officer_id, csrf, created_at, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(ts(now))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Session {
                token_hash: r.try_get("token_hash")?,
                officer: r.try_get("officer_id")?,
                csrf: r.try_get("csrf")?,
                created_at: parse_ts(&r.try_get::<String, _>("created_at")?, "sessions.created_at")?,
                expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?, "sessions.expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn delete_sessions_of(&self, officer: OfficerId) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE officer_id = $1").bind(officer).execute(&self.pool).await?;
        Ok(())
    }

    async fn list_days_off(&self) -> Result<Vec<DayOff>> {
        let rows = sqlx::query("SELECT date, kind, name, name_en FROM days_off ORDER BY date, name").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(DayOff {
                    date: parse_date(&r.try_get::<String, _>("date")?, "days_off.date")?,
                    kind: parse_code(&r.try_get::<String, _>("kind")?, DayOffKind::parse, "days_off.kind")?,
                    name: r.try_get("name")?,
                    name_en: r.try_get("name_en")?,
                })
            })
            .collect()
    }

    async fn insert_day_off(&self, d: DayOff, audit: NewAuditEntry) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("INSERT INTO days_off (date, kind, name, name_en) VALUES ($1, $2, $3, $4) ON CONFLICT (date, name) DO NOTHING")
            .bind(date_str(d.date))
            .bind(d.kind.as_str())
            .bind(&d.name)
            .bind(&d.name_en)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict("day off".into()));
        }
        Self::append_in(&mut tx, Utc::now(), &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_day_off(&self, date: NaiveDate, kind: DayOffKind, audit: NewAuditEntry) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("DELETE FROM days_off WHERE date = $1 AND kind = $2").bind(date_str(date)).bind(kind.as_str()).execute(&mut *tx).await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Self::append_in(&mut tx, Utc::now(), &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn seed_days_off(&self, days: Vec<DayOff>, audit: NewAuditEntry) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut n = 0;
        for d in &days {
            n += sqlx::query("INSERT INTO days_off (date, kind, name, name_en) VALUES ($1, $2, $3, $4) ON CONFLICT (date, name) DO NOTHING")
                .bind(date_str(d.date))
                .bind(d.kind.as_str())
                .bind(&d.name)
                .bind(&d.name_en)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        if n > 0 {
            let mut audit = audit;
            audit.detail = format!("{{\"added\":{n}}}");
            Self::append_in(&mut tx, Utc::now(), &audit).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    async fn insert_request(&self, req: NewRequest, write: Write, mails_for: crate::MailsFor<'_>) -> Result<StoredRequest> {
        let at = write.at.unwrap_or_else(Utc::now);
        let mut tx = self.begin_write().await?;
        let seq = Self::next_number(&mut tx, &format!("{REQUEST_PREFIX}-{}", req.year)).await?;
        let reg_no = registration_number(REQUEST_PREFIX, req.year, seq);
        let obtain: Vec<&str> = req.obtain.iter().map(|o| o.as_str()).collect();
        let c = &req.clock;
        let row = sqlx::query(
            "INSERT INTO requests (reg_no, token_hash, channel, requester_kind, identity_enc, display_name, subject, details, purpose, obtain, delivery, received_at, day0, state, unit_id, notice_due, extended, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
        )
        .bind(&reg_no)
        .bind(&req.token_hash)
        .bind(req.channel.as_str())
        .bind(req.requester_kind.as_str())
        .bind(req.identity_enc.clone())
        .bind(req.display_name.clone())
        .bind(&req.subject)
        .bind(&req.details)
        .bind(&req.purpose)
        .bind(obtain.join(","))
        .bind(req.delivery.as_str())
        .bind(ts(req.received_at))
        .bind(date_str(c.day0))
        .bind(c.state.as_str())
        .bind(c.unit)
        .bind(date_str(c.notice_due))
        .bind(c.extended as i64)
        .bind(ts(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "request"))?;
        let id: i64 = row.try_get(0)?;
        Self::insert_documents(&mut tx, id, &write.documents, at).await?;
        if let Some((kind, note)) = &write.event {
            Self::insert_event(&mut tx, id, at, &write.actor, kind, None, c.state, note.as_deref()).await?;
        }
        crate::sql_register::log_change(&mut tx, &crate::sql_register::request_key(&reg_no), at).await?;
        let mut mails = write.mails.clone();
        mails.extend(mails_for(&reg_no));
        Self::enqueue_tx(&mut tx, &mails).await?;
        if let Some(mut audit) = write.audit {
            audit.subject = audit.subject.replace("{reg_no}", &reg_no);
            Self::append_in(&mut tx, at, &audit).await?;
        }
        tx.commit().await?;
        self.request(id).await?.ok_or(StoreError::NotFound)
    }

    async fn request(&self, id: RequestId) -> Result<Option<StoredRequest>> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?.as_ref().map(request_from_row).transpose()
    }

    async fn request_by_reg_no(&self, reg_no: &str) -> Result<Option<StoredRequest>> {
        self.fetch_request("reg_no", reg_no.to_string()).await
    }

    async fn request_by_token(&self, token_hash: &str) -> Result<Option<StoredRequest>> {
        self.fetch_request("token_hash", token_hash.to_string()).await
    }

    async fn update_request(&self, req: &StoredRequest, expected_version: i64, objection: Option<ObjectionWrite>, write: Write) -> Result<StoredRequest> {
        let at = write.at.unwrap_or_else(Utc::now);
        let mut tx = self.begin_write().await?;
        let before =
            sqlx::query("SELECT state, version FROM requests WHERE id = $1").bind(req.id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
        let version: i64 = before.try_get("version")?;
        if version != expected_version {
            return Err(StoreError::Conflict("request changed since it was read".into()));
        }
        let from = RequestState::parse(&before.try_get::<String, _>("state")?);
        let c = &req.clock;
        sqlx::query(
            "UPDATE requests SET state = $1, unit_id = $2, notice_due = $3, extended = $4, extension_reason = $5, outcome = $6, notice_json = $7, notice_day = $8, fee = $9, fee_day = $10, delivered_day = $11, version = version + 1, updated_at = $12 WHERE id = $13",
        )
        .bind(c.state.as_str())
        .bind(c.unit)
        .bind(date_str(c.notice_due))
        .bind(c.extended as i64)
        .bind(req.extension_reason.clone())
        .bind(c.outcome.map(|o| o.as_str().to_string()))
        .bind(req.notice_json.clone())
        .bind(c.notice_day.map(date_str))
        .bind(req.fee)
        .bind(c.fee_day.map(date_str))
        .bind(c.delivered_day.map(date_str))
        .bind(ts(at))
        .bind(req.id)
        .execute(&mut *tx)
        .await?;
        match objection {
            None => {}
            Some(ObjectionWrite::Insert(o)) => {
                let seq = Self::next_number(&mut tx, &format!("{OBJECTION_PREFIX}-{}", o.year)).await?;
                let reg_no = registration_number(OBJECTION_PREFIX, o.year, seq);
                let grounds: Vec<&str> = o.clock.grounds.iter().map(|g| g.as_str()).collect();
                sqlx::query(
                    "INSERT INTO objections (reg_no, request_id, grounds, summary, filed_at, day0, late, state, response_due, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&reg_no)
                .bind(req.id)
                .bind(grounds.join(","))
                .bind(&o.summary)
                .bind(ts(o.filed_at))
                .bind(date_str(o.clock.day0))
                .bind(o.late as i64)
                .bind(o.clock.state.as_str())
                .bind(date_str(o.clock.response_due))
                .bind(ts(at))
                .execute(&mut *tx)
                .await?;
            }
            Some(ObjectionWrite::Update { objection: o, expected_version }) => {
                let c = &o.clock;
                let r = sqlx::query(
                    "UPDATE objections SET state = $1, response_day = $2, decision_text = $3, decided_by = $4, ki_received = $5, decision_received = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
                )
                .bind(c.state.as_str())
                .bind(c.response_day.map(date_str))
                .bind(o.decision_text.clone())
                .bind(o.decided_by)
                .bind(c.ki_received.map(date_str))
                .bind(c.decision_received.map(date_str))
                .bind(ts(at))
                .bind(o.id)
                .bind(expected_version)
                .execute(&mut *tx)
                .await?;
                if r.rows_affected() == 0 {
                    return Err(StoreError::Conflict("objection changed since it was read".into()));
                }
            }
        }
        Self::insert_documents(&mut tx, req.id, &write.documents, at).await?;
        crate::sql_register::log_change(&mut tx, &crate::sql_register::request_key(&req.reg_no), at).await?;
        if let Some((kind, note)) = &write.event {
            Self::insert_event(&mut tx, req.id, at, &write.actor, kind, from, c.state, note.as_deref()).await?;
        }
        Self::enqueue_tx(&mut tx, &write.mails).await?;
        if let Some(audit) = &write.audit {
            Self::append_in(&mut tx, at, audit).await?;
        }
        tx.commit().await?;
        self.request(req.id).await?.ok_or(StoreError::NotFound)
    }

    async fn list_requests(&self, f: &RequestFilter) -> Result<Page<StoredRequest>> {
        // Build the WHERE clause with numbered parameters; values are bound in the same order.
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        if let Some(u) = f.unit {
            binds.push(Bind::Int(u));
            clauses.push(format!("unit_id = ${}", binds.len()));
        }
        if f.unrouted {
            clauses.push("unit_id IS NULL".into());
        }
        if !f.states.is_empty() {
            let mut ph = Vec::new();
            for s in &f.states {
                binds.push(Bind::Text(s.as_str().to_string()));
                ph.push(format!("${}", binds.len()));
            }
            clauses.push(format!("state IN ({})", ph.join(", ")));
        }
        if let Some(y) = f.year {
            binds.push(Bind::Text(format!("{y:04}-01-01")));
            binds.push(Bind::Text(format!("{:04}-01-01", y + 1)));
            clauses.push(format!("day0 >= ${} AND day0 < ${}", binds.len() - 1, binds.len()));
        }
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            // Folded by the database's own LOWER on both sides: folding in Rust (Unicode) while
            // SQLite's LOWER folds ASCII only made any text with a non-ASCII capital match nothing.
            let escaped = t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            binds.push(Bind::Text(format!("%{escaped}%")));
            let n = binds.len();
            clauses.push(format!("(LOWER(subject) LIKE LOWER(${n}) ESCAPE '\\' OR LOWER(reg_no) LIKE LOWER(${n}) ESCAPE '\\')"));
        }
        let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        let order = match f.order {
            RequestOrder::Newest => "received_at DESC, id DESC",
            RequestOrder::DueFirst => "notice_due ASC, id ASC",
        };
        let limit = f.limit.clamp(1, 500);
        let offset = f.offset.max(0);
        let list_sql = format!("SELECT {REQUEST_COLUMNS} FROM requests {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
        let count_sql = format!("SELECT COUNT(*) FROM requests {where_sql}");
        let rows = bind_all(sqlx::query(&list_sql), &binds).fetch_all(&self.pool).await?;
        let total: i64 = bind_all(sqlx::query(&count_sql), &binds).fetch_one(&self.pool).await?.try_get(0)?;
        Ok(Page { items: rows.iter().map(request_from_row).collect::<Result<_>>()?, total })
    }

    async fn request_years(&self) -> Result<Vec<i32>> {
        let rows = sqlx::query("SELECT DISTINCT SUBSTR(day0, 1, 4) AS y FROM requests ORDER BY y DESC").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                r.try_get::<String, _>("y").map_err(StoreError::from).and_then(|y| i32::from_str(&y).map_err(|_| StoreError::Corrupt("requests.day0".into())))
            })
            .collect()
    }

    async fn request_events(&self, id: RequestId) -> Result<Vec<RequestEventRow>> {
        let rows = sqlx::query("SELECT at, actor, kind, from_state, to_state, note FROM request_events WHERE request_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RequestEventRow {
                    at: parse_ts(&r.try_get::<String, _>("at")?, "request_events.at")?,
                    actor: r.try_get("actor")?,
                    kind: r.try_get("kind")?,
                    from_state: r.try_get("from_state")?,
                    to_state: r.try_get("to_state")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    async fn documents(&self, id: RequestId) -> Result<Vec<DocumentMeta>> {
        let rows =
            sqlx::query("SELECT id, request_id, kind, filename, content_type, size, sha256, created_at FROM documents WHERE request_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(document_meta_from_row).collect()
    }

    async fn document(&self, id: i64) -> Result<Option<Document>> {
        let row = sqlx::query("SELECT id, request_id, kind, filename, content_type, size, sha256, created_at, data FROM documents WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(Document { meta: document_meta_from_row(&r)?, data: r.try_get("data")? })).transpose()
    }

    async fn objection(&self, id: i64) -> Result<Option<StoredObjection>> {
        let sql = format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?.as_ref().map(objection_from_row).transpose()
    }

    async fn objections_of(&self, request: RequestId) -> Result<Vec<StoredObjection>> {
        let sql = format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE request_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql).bind(request).fetch_all(&self.pool).await?;
        rows.iter().map(objection_from_row).collect()
    }

    async fn list_objections(&self, open_only: bool) -> Result<Vec<StoredObjection>> {
        let sql = if open_only {
            format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE state IN ('registered', 'in_review') ORDER BY response_due, id")
        } else {
            format!("SELECT {OBJECTION_COLUMNS} FROM objections ORDER BY id DESC")
        };
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(objection_from_row).collect()
    }

    async fn append_audit(&self, entry: NewAuditEntry) -> Result<()> {
        let mut tx = self.begin_write().await?;
        Self::append_in(&mut tx, Utc::now(), &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_head(&self) -> Result<ChainHead> {
        let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
        Ok(ChainHead { count: r.try_get("seq")?, hash: r.try_get("hash")? })
    }

    async fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    subject: r.try_get("subject")?,
                    detail: r.try_get("detail")?,
                    prev_hash: r.try_get("prev_hash")?,
                    hash: r.try_get("hash")?,
                })
            })
            .collect()
    }

    async fn enqueue_mails(&self, mails: Vec<NewMail>) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let n = Self::enqueue_tx(&mut tx, &mails).await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn claim_mails(&self, now: DateTime<Utc>, lease_secs: i64, limit: i64) -> Result<Vec<QueuedMail>> {
        let until = now + chrono::Duration::seconds(lease_secs);
        let rows = sqlx::query(&format!(
            "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY id LIMIT {}) AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $2) RETURNING id, dedup_key, to_enc, subject, body_enc, attempts",
            limit.clamp(1, 100)
        ))
        .bind(ts(until))
        .bind(ts(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QueuedMail {
                    id: r.try_get("id")?,
                    dedup_key: r.try_get("dedup_key")?,
                    to_enc: r.try_get("to_enc")?,
                    subject: r.try_get("subject")?,
                    body_enc: r.try_get("body_enc")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    async fn mail_sent(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = NULL WHERE id = $2").bind(ts(now)).bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn mail_failed(&self, id: i64, error: &str, retry_at: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE outbox SET claimed_until = NULL, last_error = $1, next_attempt_at = $2 WHERE id = $3")
            .bind(error)
            .bind(ts(retry_at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn outbox_counts(&self) -> Result<(i64, i64)> {
        let r = sqlx::query("SELECT COUNT(*) AS total, COUNT(sent_at) AS sent FROM outbox").fetch_one(&self.pool).await?;
        Ok((r.try_get("total")?, r.try_get("sent")?))
    }

    async fn insert_items(&self, items: Vec<NewItem>, write: ItemWrite) -> Result<Vec<i64>> {
        self.reg_insert_items(items, write).await
    }
    async fn update_item(&self, id: i64, expected_version: i64, change: ItemChange, write: ItemWrite) -> Result<StoredItem> {
        self.reg_update_item(id, expected_version, change, write).await
    }
    async fn item(&self, id: i64) -> Result<Option<StoredItem>> {
        self.reg_item(id).await
    }
    async fn item_by_source(&self, document: i64) -> Result<Option<StoredItem>> {
        self.reg_item_by_source(document).await
    }
    async fn list_items(&self, filter: &ItemFilter) -> Result<Page<StoredItem>> {
        self.reg_list_items(filter).await
    }
    async fn item_facets(&self, states: &[terbuka_domain::dip::ItemState]) -> Result<ItemFacets> {
        self.reg_item_facets(states).await
    }
    async fn item_versions(&self, id: i64) -> Result<Vec<ItemVersion>> {
        self.reg_item_versions(id).await
    }
    async fn item_files(&self, id: i64) -> Result<Vec<InfoFile>> {
        self.reg_item_files(id).await
    }
    async fn info_file(&self, file_id: i64) -> Result<Option<InfoFile>> {
        self.reg_info_file(file_id).await
    }
    async fn current_file_texts(&self, id: i64) -> Result<Vec<String>> {
        self.reg_current_file_texts(id).await
    }
    async fn items_due(&self, now: DateTime<Utc>, today: NaiveDate) -> Result<(Vec<i64>, Vec<i64>)> {
        self.reg_items_due(now, today).await
    }
    async fn search_changes_after(&self, seq: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        self.reg_changes_after(seq, limit).await
    }
    async fn search_change_head(&self) -> Result<i64> {
        self.reg_change_head().await
    }
    async fn touch_search(&self, keys: Vec<String>) -> Result<()> {
        self.reg_touch_search(keys).await
    }

    async fn aid_item_types(&self) -> Result<Vec<crate::AidItemType>> {
        self.kol_aid_item_types().await
    }
    async fn upsert_aid_item_type(&self, item: crate::AidItemType, audit: NewAuditEntry) -> Result<i64> {
        self.kol_upsert_aid_item_type(item, audit).await
    }
    async fn insert_org(&self, org: crate::NewOrg, mails: Vec<NewMail>, audit: NewAuditEntry) -> Result<crate::StoredOrg> {
        self.kol_insert_org(org, mails, audit).await
    }
    async fn org(&self, id: i64) -> Result<Option<crate::StoredOrg>> {
        self.kol_org(id).await
    }
    async fn org_by_token(&self, token_hash: &str) -> Result<Option<crate::StoredOrg>> {
        self.kol_org_by_token(token_hash).await
    }
    async fn list_orgs(&self, states: &[terbuka_domain::kolaborasi::OrgState]) -> Result<Vec<crate::StoredOrg>> {
        self.kol_list_orgs(states).await
    }
    async fn decide_org(&self, id: i64, expected_version: i64, decision: crate::OrgDecision) -> Result<crate::StoredOrg> {
        self.kol_decide_org(id, expected_version, decision).await
    }
    async fn insert_need(&self, need: crate::NewNeed, audit: NewAuditEntry) -> Result<crate::StoredNeed> {
        self.kol_insert_need(need, audit).await
    }
    async fn need(&self, id: i64) -> Result<Option<crate::StoredNeed>> {
        self.kol_need(id).await
    }
    async fn list_needs(&self, filter: &crate::NeedFilter) -> Result<Page<crate::StoredNeed>> {
        self.kol_list_needs(filter).await
    }
    async fn need_events(&self, need: i64) -> Result<Vec<crate::NeedEventRow>> {
        self.kol_need_events(need).await
    }
    async fn change_need(&self, need: i64, children: bool, decide: crate::NeedDecider<'_>) -> Result<crate::NeedSaved> {
        self.kol_change_need(need, children, None, decide).await
    }
    async fn change_need_for_contact(&self, need: i64, contact_hash: &str, since: DateTime<Utc>, decide: crate::NeedDecider<'_>) -> Result<crate::NeedSaved> {
        self.kol_change_need(need, false, Some((contact_hash, since)), decide).await
    }
    async fn pledges_of(&self, need: i64) -> Result<Vec<crate::StoredPledge>> {
        self.kol_pledges_of(need).await
    }
    async fn pledge(&self, id: i64) -> Result<Option<crate::StoredPledge>> {
        self.kol_pledge(id).await
    }
    async fn pledge_by_token(&self, token_hash: &str) -> Result<Option<crate::StoredPledge>> {
        self.kol_pledge_by_token(token_hash).await
    }
    async fn named_pledges(&self) -> Result<Vec<crate::StoredPledge>> {
        self.kol_named_pledges().await
    }
    async fn pledges_by_contact_since(&self, contact_hash: &str, since: DateTime<Utc>) -> Result<i64> {
        self.kol_pledges_by_contact_since(contact_hash, since).await
    }
    async fn deliveries_of(&self, need: i64) -> Result<Vec<crate::StoredDelivery>> {
        self.kol_deliveries_of(need).await
    }
    async fn delivery(&self, id: i64) -> Result<Option<crate::StoredDelivery>> {
        self.kol_delivery(id).await
    }
    async fn deliveries_in(&self, state: terbuka_domain::kolaborasi::DeliveryState) -> Result<Vec<crate::StoredDelivery>> {
        self.kol_deliveries_in(state).await
    }
    async fn pledges_past_due(&self, today: NaiveDate) -> Result<Vec<(i64, i64)>> {
        self.kol_pledges_past_due(today).await
    }
    async fn needs_past_until(&self, today: NaiveDate) -> Result<Vec<i64>> {
        self.kol_needs_past_until(today).await
    }
    async fn insert_report(&self, report: crate::NewReport, audit: NewAuditEntry) -> Result<i64> {
        self.kol_insert_report(report, audit).await
    }
    async fn list_reports(&self, open_only: bool) -> Result<Vec<crate::StoredReport>> {
        self.kol_list_reports(open_only).await
    }
    async fn save_beneficiaries(&self, list: crate::NewBeneficiaryList, audit: NewAuditEntry) -> Result<i64> {
        self.kol_save_beneficiaries(list, audit).await
    }
    async fn beneficiary_list(&self, need: i64) -> Result<Option<crate::BeneficiaryListMeta>> {
        self.kol_beneficiary_list(need).await
    }
    async fn overlapping_lists(&self, item_type: i64, from: NaiveDate, until: NaiveDate, except_need: i64) -> Result<Vec<crate::OtherList>> {
        self.kol_overlapping_lists(item_type, from, until, except_need).await
    }

    // Crisis channel.
    async fn insert_crisis_dataset(&self, dataset: crate::NewCrisisDataset, audit: NewAuditEntry) -> Result<crate::StoredCrisisDataset> {
        self.cri_insert_dataset(dataset, audit).await
    }
    async fn crisis_datasets(&self) -> Result<Vec<crate::StoredCrisisDataset>> {
        self.cri_datasets().await
    }
    async fn crisis_dataset(&self, slug: &str) -> Result<Option<crate::StoredCrisisDataset>> {
        self.cri_dataset(slug).await
    }
    async fn insert_crisis_release(&self, release: crate::NewCrisisRelease, audit: NewAuditEntry) -> Result<crate::StoredCrisisRelease> {
        self.cri_insert_release(release, audit).await
    }
    async fn crisis_releases(&self, dataset: i64) -> Result<Vec<crate::StoredCrisisRelease>> {
        self.cri_releases(dataset).await
    }
    async fn crisis_release(&self, dataset: i64, seq: i64) -> Result<Option<crate::StoredCrisisRelease>> {
        self.cri_release(dataset, seq).await
    }
    async fn crisis_observations(&self, release: i64, filter: &crate::ObservationFilter) -> Result<Vec<terbuka_domain::crisis::Observation>> {
        self.cri_observations(release, filter).await
    }
    async fn crisis_changes(&self, release: i64) -> Result<Vec<terbuka_domain::crisis::Change>> {
        self.cri_changes(release).await
    }
    async fn crisis_change_sets(&self, dataset: i64, after: i64, upto: i64) -> Result<Vec<(crate::StoredCrisisRelease, terbuka_domain::crisis::ChangeSet)>> {
        self.cri_change_sets(dataset, after, upto).await
    }
    async fn crisis_populations(&self) -> Result<Vec<crate::CrisisPopulation>> {
        self.cri_populations().await
    }
    async fn replace_crisis_populations(&self, rows: Vec<crate::NewCrisisPopulation>, at: DateTime<Utc>, audit: NewAuditEntry) -> Result<usize> {
        self.cri_replace_populations(rows, at, audit).await
    }
}
