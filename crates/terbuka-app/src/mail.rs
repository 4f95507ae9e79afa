//! Sending mail from the outbox: over SMTP (lettre) when `mail.smtp_host` is set, otherwise as
//! `.eml` files in `<data_dir>/outbox-mail` so the embedded demo needs no mail server.

use crate::config::Config;
use anyhow::Context;
use lettre::message::{header::ContentType, Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;

pub enum Mailer {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
    Folder { dir: PathBuf, from: Mailbox },
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Mailer> {
        let from: Mailbox = config.mail.from.parse().context("mail.from is not a valid address")?;
        if config.mail.smtp_host.is_empty() {
            return Ok(Mailer::Folder { dir: config.data_dir.join("outbox-mail"), from });
        }
        let host = config.mail.smtp_host.as_str();
        let mut builder = match config.mail.smtp_security.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            _ => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        }
        .port(config.mail.smtp_port)
        .timeout(Some(std::time::Duration::from_secs(20)));
        if !config.mail.smtp_username.is_empty() {
            builder = builder.credentials(Credentials::new(config.mail.smtp_username.clone(), config.mail.smtp_password.clone()));
        }
        Ok(Mailer::Smtp { transport: builder.build(), from })
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { .. } => "SMTP".into(),
            Mailer::Folder { dir, .. } => format!("files in {}", dir.display()),
        }
    }

    /// Sends one plain-text message. `id` names the file in folder mode.
    pub async fn send(&self, id: &str, to: &str, subject: &str, body: &str) -> anyhow::Result<()> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Folder { from, .. } => from.clone(),
        };
        let to: Mailbox = to.parse().context("recipient address is invalid")?;
        let message = Message::builder().from(from).to(to).subject(subject).header(ContentType::TEXT_PLAIN).body(body.to_string())?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await?;
            }
            Mailer::Folder { dir, .. } => {
                tokio::fs::create_dir_all(dir).await?;
                let safe: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
                tokio::fs::write(dir.join(format!("{safe}.eml")), message.formatted()).await?;
            }
        }
        Ok(())
    }
}
