//! Background jobs. Each is idempotent and keeps its progress in the database, so running it
//! twice, on two nodes, or after a restart never sends a mail twice or skips one:
//! - [`reminders`] queues mails to officers about notices due within 2 working days or overdue,
//!   and keberatan responses likewise, each with a dedup key naming the request and its deadline;
//! - [`close_expired`] closes requests whose objection window passed;
//! - [`deliver_mail`] sends queued mails, claiming each with a lease so nodes do not collide;
//! - the register jobs publish scheduled items, open items whose exemption ended, and remind
//!   officers of periodic items past their refresh date (`App::run_register_schedule`,
//!   `App::remind_stale_items`);
//! - the kolaborasi job expires pledges not delivered in time and needs past their date
//!   (`App::run_aid_schedule`);
//! - the search sync applies the change log to this node's index (`App::sync_search`).

use crate::mail::Mailer;
use crate::service::App;
use chrono::{DateTime, Duration, Utc};
use terbuka_domain::calendar::{wib_date, DeadlineOwner};
use terbuka_domain::request::{RequestEvent, RequestState};
use terbuka_domain::Role;
use terbuka_store::{NewMail, RequestFilter, RequestOrder, Write};

/// Queues reminder mails; returns how many new mails were queued.
pub async fn reminders(app: &App, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let cal = app.calendar().await?;
    let dl = app.deadlines(&cal);
    let today = wib_date(now);
    let officers: Vec<_> = app.store.list_officers().await?.into_iter().filter(|o| o.active).collect();
    let mut mails: Vec<NewMail> = Vec::new();
    let open = app
        .all_requests(RequestFilter {
            states: vec![RequestState::Registered, RequestState::InProcess, RequestState::Extended, RequestState::Granted],
            order: RequestOrder::DueFirst,
            ..Default::default()
        })
        .await?;
    for r in open {
        let overdue = r.clock.is_overdue(today);
        if !overdue && !r.clock.is_due_soon(today, &dl) {
            continue;
        }
        let kind = if overdue { "overdue" } else { "due_soon" };
        let due = r.clock.notice_due.format("%d-%m-%Y").to_string();
        for o in officers.iter().filter(|o| match r.clock.unit {
            None => o.role == Role::PpidUtama,
            Some(u) => (o.role == Role::PpidPelaksana && o.unit == Some(u)) || (overdue && o.role == Role::PpidUtama),
        }) {
            mails.push(app.mail_to_officer(
                format!("remind:{kind}:{}:{}:{}", r.reg_no, r.clock.notice_due, o.id),
                &o.email,
                &format!("mail.{kind}.subject"),
                &format!("mail.{kind}.body"),
                &[("reg_no", &r.reg_no), ("due", &due)],
                now,
            ));
        }
    }
    for o in app.store.list_objections(true).await? {
        let overdue = o.clock.is_overdue(today);
        if !overdue && !dl.due_soon(today, o.clock.response_due, DeadlineOwner::Body) {
            continue;
        }
        let unit = app.store.request(o.request).await?.and_then(|r| r.clock.unit);
        let kind = if overdue { "objection_overdue" } else { "objection_due_soon" };
        let due = o.clock.response_due.format("%d-%m-%Y").to_string();
        for a in officers.iter().filter(|a| a.role == Role::AtasanPpid && (a.unit.is_none() || a.unit == unit)) {
            mails.push(app.mail_to_officer(
                format!("remind:{kind}:{}:{}:{}", o.reg_no, o.clock.response_due, a.id),
                &a.email,
                &format!("mail.{kind}.subject"),
                &format!("mail.{kind}.body"),
                &[("reg_no", &o.reg_no), ("due", &due)],
                now,
            ));
        }
    }
    Ok(app.store.enqueue_mails(mails).await?)
}

/// Closes decided requests whose 30-working-day objection window has passed.
pub async fn close_expired(app: &App, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let cal = app.calendar().await?;
    let dl = app.deadlines(&cal);
    let today = wib_date(now);
    // Collect every candidate first: closing one moves it out of the filter.
    let candidates = app
        .all_requests(RequestFilter {
            states: vec![RequestState::Delivered, RequestState::Refused, RequestState::NotHeld, RequestState::NotYetDocumented],
            order: RequestOrder::DueFirst,
            ..Default::default()
        })
        .await?;
    let mut closed = 0;
    for r in candidates {
        let Ok(next) = terbuka_domain::request::transition(&r.clock, &RequestEvent::Close, today, r.fee, &dl) else { continue };
        let mut updated = r.clone();
        updated.clock = next;
        let write = Write {
            at: Some(now),
            actor: "system".into(),
            event: Some(("close".into(), None)),
            audit: Some(terbuka_domain::audit::NewAuditEntry {
                actor: "system".into(),
                action: "request.close".into(),
                subject: format!("request:{}", r.reg_no),
                detail: serde_json::json!({"from": r.clock.state.as_str()}).to_string(),
            }),
            ..Default::default()
        };
        match app.store.update_request(&updated, r.version, None, write).await {
            Ok(_) => closed += 1,
            // Another node closed it first: fine.
            Err(terbuka_store::StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(closed)
}

/// Sends due mails; returns (sent, failed).
pub async fn deliver_mail(app: &App, mailer: &Mailer, now: DateTime<Utc>) -> anyhow::Result<(u64, u64)> {
    let batch = app.store.claim_mails(now, 120, 20).await?;
    let (mut sent, mut failed) = (0, 0);
    for m in batch {
        let result = async {
            let to = String::from_utf8(app.key.open(&m.to_enc)?)?;
            let body = String::from_utf8(app.key.open(&m.body_enc)?)?;
            mailer.send(&m.dedup_key, &to, &m.subject, &body).await
        }
        .await;
        match result {
            Ok(()) => {
                app.store.mail_sent(m.id, Utc::now()).await?;
                sent += 1;
            }
            Err(e) => {
                // Back off: 1, 2, 4 ... minutes, at most a day. The error names no recipient.
                let wait = Duration::minutes(1i64 << m.attempts.clamp(0, 10)).min(Duration::days(1));
                tracing::warn!(mail = m.id, attempts = m.attempts, "mail delivery failed: {e:#}");
                app.store.mail_failed(m.id, &format!("{e:#}"), now + wait).await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Runs the jobs forever at the configured intervals (spawned by `terbuka serve`).
pub async fn run(app: std::sync::Arc<App>, mailer: Mailer) {
    let mut reminder_tick = tokio::time::interval(std::time::Duration::from_secs(app.config.jobs.reminder_interval_secs.max(1)));
    let mut mail_tick = tokio::time::interval(std::time::Duration::from_secs(app.config.jobs.outbox_interval_secs.max(1)));
    let mut search_tick = tokio::time::interval(std::time::Duration::from_millis(app.config.search.sync_interval_ms.max(100)));
    search_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut schedule_tick = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        tokio::select! {
            _ = reminder_tick.tick() => {
                let now = Utc::now();
                if let Err(e) = reminders(&app, now).await { tracing::error!("reminder job failed: {e:#}"); }
                if let Err(e) = close_expired(&app, now).await { tracing::error!("closing job failed: {e:#}"); }
                if let Err(e) = app.remind_stale_items(now).await { tracing::error!("register reminder job failed: {e}"); }
            }
            _ = schedule_tick.tick() => {
                if let Err(e) = app.run_register_schedule(Utc::now()).await { tracing::error!("register schedule job failed: {e}"); }
                if let Err(e) = app.run_aid_schedule(Utc::now()).await { tracing::error!("kolaborasi expiry job failed: {e}"); }
            }
            _ = search_tick.tick() => {
                if let Err(e) = app.sync_search().await { tracing::error!("search sync failed: {e}"); }
            }
            _ = mail_tick.tick() => {
                if let Err(e) = deliver_mail(&app, &mailer, Utc::now()).await { tracing::error!("mail job failed: {e:#}"); }
            }
        }
    }
}
