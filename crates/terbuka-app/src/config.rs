//! Typed configuration, loaded once at start-up: defaults, then an optional TOML file, then
//! `TERBUKA_<SECTION>_<KEY>` environment variables (e.g. `TERBUKA_DATABASE_URL`,
//! `TERBUKA_SERVER_BIND`, `TERBUKA_MAIL_SMTP_HOST`). Every key is documented in
//! `terbuka.example.toml` at the repository root. No file is needed for the embedded default.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use terbuka_domain::calendar::DeadlinePolicy;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Folder for the SQLite file, the generated PII key and mail written to files.
    pub data_dir: PathBuf,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub security: SecurityConfig,
    pub mail: MailConfig,
    pub body: BodyConfig,
    pub deadlines: DeadlinePolicy,
    pub jobs: JobsConfig,
    pub uploads: UploadConfig,
    pub files: FilesConfig,
    pub search: SearchConfig,
    pub kolaborasi: KolaborasiConfig,
}

/// Kolaborasi (aid needs, pledges, deliveries).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KolaborasiConfig {
    /// A regions CSV (columns of `jakarta-regions.csv`); empty means the bundled DKI Jakarta file.
    pub regions_file: String,
    /// Pledges one e-mail address or phone number may make per hour (all nodes together).
    pub pledges_per_contact_per_hour: i64,
    /// Pledges one network address may make per hour on one node.
    pub pledges_per_client_per_hour: u32,
    /// Largest delivery proof (photo or document) in bytes.
    pub max_proof_bytes: usize,
}

impl Default for KolaborasiConfig {
    fn default() -> Self {
        KolaborasiConfig { regions_file: String::new(), pledges_per_contact_per_hour: 5, pledges_per_client_per_hour: 30, max_proof_bytes: 5 * 1024 * 1024 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: String,
    /// The address citizens use; tracking links in e-mails start with it.
    pub public_url: String,
    /// Mark cookies `Secure` (on by default when `public_url` is https).
    pub secure_cookies: Option<bool>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path` (embedded default) or `postgres://user@host/db` (several app nodes).
    /// Empty means `sqlite://<data_dir>/terbuka.db`.
    pub url: String,
    pub max_connections: u32,
}

/// The URL may hold a password: never print it.
impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.url.split("://").next().unwrap_or("");
        f.debug_struct("DatabaseConfig").field("scheme", &scheme).field("max_connections", &self.max_connections).finish()
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Base64 of 32 random bytes sealing personal data at rest. When empty, the key in
    /// `<data_dir>/pii.key` is used, generated on first start (fine for one node; give every node
    /// the same key explicitly when they share PostgreSQL).
    pub pii_key: String,
    pub session_hours: i64,
    pub login_max_failures: u32,
    pub login_window_minutes: i64,
}

impl std::fmt::Debug for SecurityConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityConfig").field("pii_key", &"<redacted>").field("session_hours", &self.session_hours).finish_non_exhaustive()
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// SMTP server; when empty, mail is written as `.eml` files to `<data_dir>/outbox-mail`.
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_security: String,
    pub smtp_username: String,
    pub smtp_password: String,
    pub from: String,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BodyConfig {
    /// The public body's name as shown on every page.
    pub name: String,
    /// The Komisi Informasi competent for disputes (kip-rules §4.4).
    pub komisi_informasi: String,
    pub komisi_informasi_address: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsConfig {
    /// Run background jobs (reminders, closing, mail delivery) in this process.
    pub enabled: bool,
    pub reminder_interval_secs: u64,
    pub outbox_interval_secs: u64,
}

/// Where register files are kept: a local folder (default) or an S3-compatible bucket.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilesConfig {
    /// `local` or `s3`.
    pub backend: String,
    /// Local folder; empty means `<data_dir>/files`.
    pub local_dir: String,
    pub s3_bucket: String,
    /// Empty for AWS; e.g. `http://127.0.0.1:9000` for MinIO (path-style requests).
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
    pub s3_allow_http: bool,
}

/// The secret key may be set: never print it.
impl std::fmt::Debug for FilesConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilesConfig").field("backend", &self.backend).field("local_dir", &self.local_dir).field("s3_bucket", &self.s3_bucket).finish()
    }
}

/// The full-text index: each node keeps its own, derived from the database.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Index folder; empty means `<data_dir>/search`.
    pub dir: String,
    /// How often a node applies changes made on other nodes.
    pub sync_interval_ms: u64,
}

impl Default for FilesConfig {
    fn default() -> Self {
        FilesConfig {
            backend: "local".into(),
            local_dir: String::new(),
            s3_bucket: String::new(),
            s3_endpoint: String::new(),
            s3_region: "us-east-1".into(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            s3_allow_http: false,
        }
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig { dir: String::new(), sync_interval_ms: 1000 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UploadConfig {
    pub max_identity_scan_bytes: usize,
    pub max_document_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            server: ServerConfig::default(),
            database: DatabaseConfig::default(),
            security: SecurityConfig::default(),
            mail: MailConfig::default(),
            body: BodyConfig::default(),
            deadlines: DeadlinePolicy::default(),
            jobs: JobsConfig::default(),
            uploads: UploadConfig::default(),
            files: FilesConfig::default(),
            search: SearchConfig::default(),
            kolaborasi: KolaborasiConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { bind: "127.0.0.1:8080".into(), public_url: "http://127.0.0.1:8080".into(), secure_cookies: None }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig { url: String::new(), max_connections: 16 }
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig { pii_key: String::new(), session_hours: 12, login_max_failures: 5, login_window_minutes: 15 }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp_host: String::new(),
            smtp_port: 25,
            smtp_security: "none".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            from: "PPID <ppid@localhost>".into(),
        }
    }
}

impl Default for BodyConfig {
    fn default() -> Self {
        BodyConfig {
            name: "Pemerintah Provinsi DKI Jakarta".into(),
            komisi_informasi: "Komisi Informasi Provinsi DKI Jakarta".into(),
            komisi_informasi_address: "Jl. Medan Merdeka Selatan No. 8-9, Jakarta Pusat".into(),
        }
    }
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig { enabled: true, reminder_interval_secs: 300, outbox_interval_secs: 5 }
    }
}

impl Default for UploadConfig {
    fn default() -> Self {
        UploadConfig { max_identity_scan_bytes: 2 * 1024 * 1024, max_document_bytes: 20 * 1024 * 1024 }
    }
}

impl Config {
    /// Defaults, then `file` (if given), then the process environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let text = match file {
            Some(p) => Some(std::fs::read_to_string(p).with_context(|| format!("cannot read config file {}", p.display()))?),
            None => None,
        };
        Self::from_sources(text.as_deref(), std::env::vars())
    }

    /// The layering itself, testable without touching the process environment.
    pub fn from_sources(file: Option<&str>, env: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Config> {
        let mut value = toml::Value::try_from(Config::default())?;
        if let Some(text) = file {
            let file_value: toml::Value = toml::from_str(text).context("config file is not valid TOML")?;
            merge(&mut value, file_value);
        }
        let table = value.as_table_mut().expect("config is a table");
        for (name, raw) in env {
            let Some(rest) = name.strip_prefix("TERBUKA_") else { continue };
            let rest = rest.to_lowercase();
            if rest == "data_dir" {
                table.insert("data_dir".into(), toml::Value::String(raw));
                continue;
            }
            let Some((section, key)) = ["server", "database", "security", "mail", "body", "deadlines", "jobs", "uploads", "files", "search"]
                .iter()
                .find_map(|s| rest.strip_prefix(&format!("{s}_")).map(|k| (*s, k.to_string())))
            else {
                continue; // Not a configuration variable (e.g. TERBUKA_TEST_POSTGRES_URL).
            };
            let section_table = table.get_mut(section).and_then(|v| v.as_table_mut()).expect("section exists");
            let typed = match section_table.get(&key) {
                Some(toml::Value::Integer(_)) => toml::Value::Integer(raw.trim().parse().with_context(|| format!("{name} must be a whole number"))?),
                Some(toml::Value::Boolean(_)) => toml::Value::Boolean(matches!(raw.trim(), "1" | "true" | "yes" | "on")),
                Some(_) | None if key == "secure_cookies" => toml::Value::Boolean(matches!(raw.trim(), "1" | "true" | "yes" | "on")),
                Some(_) => toml::Value::String(raw),
                None => bail!("{name} is not a known setting (see terbuka.example.toml)"),
            };
            section_table.insert(key, typed);
        }
        let config: Config = value.try_into().context("invalid configuration")?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        if !self.database.url.is_empty() {
            terbuka_store::backend_of(&self.database.url).map_err(anyhow::Error::msg)?;
        }
        if !matches!(self.mail.smtp_security.as_str(), "none" | "starttls" | "tls") {
            bail!("mail.smtp_security must be none, starttls or tls");
        }
        if !matches!(self.files.backend.as_str(), "local" | "s3") {
            bail!("files.backend must be local or s3");
        }
        if self.files.backend == "s3" && self.files.s3_bucket.is_empty() {
            bail!("files.s3_bucket is required when files.backend = \"s3\"");
        }
        if self.deadlines.office_open >= self.deadlines.office_close {
            bail!("deadlines.office_open must be before deadlines.office_close");
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("terbuka.db").display())
        } else {
            self.database.url.clone()
        }
    }

    /// The object store of register files.
    pub fn blob_config(&self) -> terbuka_files::blobs::BlobConfig {
        use terbuka_files::blobs::BlobConfig;
        if self.files.backend == "s3" {
            let f = &self.files;
            BlobConfig::S3 {
                bucket: f.s3_bucket.clone(),
                endpoint: (!f.s3_endpoint.is_empty()).then(|| f.s3_endpoint.clone()),
                region: f.s3_region.clone(),
                access_key_id: f.s3_access_key_id.clone(),
                secret_access_key: f.s3_secret_access_key.clone(),
                allow_http: f.s3_allow_http,
            }
        } else if self.files.local_dir.is_empty() {
            BlobConfig::Local { root: self.data_dir.join("files") }
        } else {
            BlobConfig::Local { root: PathBuf::from(&self.files.local_dir) }
        }
    }

    /// The folder of this node's search index.
    pub fn search_dir(&self) -> PathBuf {
        if self.search.dir.is_empty() {
            self.data_dir.join("search")
        } else {
            PathBuf::from(&self.search.dir)
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.server.secure_cookies.unwrap_or_else(|| self.server.public_url.starts_with("https://"))
    }

    /// The PII key from configuration, or from `<data_dir>/pii.key`, generating it on first use.
    pub fn pii_key(&self) -> anyhow::Result<crate::crypto::PiiKey> {
        if !self.security.pii_key.is_empty() {
            return crate::crypto::PiiKey::from_base64(&self.security.pii_key);
        }
        let path = self.data_dir.join("pii.key");
        if !path.exists() {
            std::fs::create_dir_all(&self.data_dir)?;
            write_private(&path, &crate::crypto::PiiKey::generate_base64())?;
        }
        crate::crypto::PiiKey::from_base64(&std::fs::read_to_string(&path)?)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    Ok(std::fs::write(path, text)?)
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_table() && v.is_table() => merge(existing, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_file_then_environment() {
        let c = Config::from_sources(None, vec![]).unwrap();
        assert_eq!(c.server.bind, "127.0.0.1:8080");
        assert!(c.database_url().starts_with("sqlite://"));
        let file = "[server]\nbind = \"0.0.0.0:9000\"\n[jobs]\noutbox_interval_secs = 9\n";
        let c = Config::from_sources(Some(file), vec![]).unwrap();
        assert_eq!(c.server.bind, "0.0.0.0:9000");
        assert_eq!(c.jobs.outbox_interval_secs, 9);
        let env = vec![
            ("TERBUKA_SERVER_BIND".to_string(), "127.0.0.1:7000".to_string()),
            ("TERBUKA_JOBS_ENABLED".to_string(), "false".to_string()),
            ("TERBUKA_MAIL_SMTP_PORT".to_string(), "2525".to_string()),
            ("TERBUKA_TEST_POSTGRES_URL".to_string(), "ignored".to_string()),
            ("TERBUKA_DEADLINES_CUTI_BERSAMA_BODY".to_string(), "non_working".to_string()),
        ];
        let c = Config::from_sources(Some(file), env).unwrap();
        assert_eq!(c.server.bind, "127.0.0.1:7000");
        assert!(!c.jobs.enabled);
        assert_eq!(c.mail.smtp_port, 2525);
        assert_eq!(c.deadlines.cuti_bersama_body, terbuka_domain::calendar::CutiBersama::NonWorking);
    }

    #[test]
    fn bad_configuration_is_refused_clearly() {
        assert!(Config::from_sources(Some("[server]\nbnd = 1\n"), vec![]).is_err());
        assert!(Config::from_sources(None, vec![("TERBUKA_SERVER_NOPE".into(), "x".into())]).is_err());
        assert!(Config::from_sources(None, vec![("TERBUKA_MAIL_SMTP_PORT".into(), "abc".into())]).is_err());
        let e = Config::from_sources(None, vec![("TERBUKA_DATABASE_URL".into(), "mysql://root@x/db".into())]).unwrap_err();
        assert!(format!("{e:#}").contains("unsupported database URL"));
    }
}

#[cfg(test)]
mod example_file {
    /// The documented sample must load and equal the defaults, so it never goes stale.
    #[test]
    fn example_config_is_the_defaults() {
        let text = include_str!("../../../terbuka.example.toml");
        let from_file = super::Config::from_sources(Some(text), vec![]).unwrap();
        let defaults = super::Config::default();
        assert_eq!(toml::Value::try_from(&from_file).unwrap(), toml::Value::try_from(&defaults).unwrap());
    }
}
