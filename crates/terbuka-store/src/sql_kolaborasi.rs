//! The kolaborasi tables: the aid catalogue, organisations, needs, pledges, deliveries, reports,
//! need history and beneficiary lists (keyed hashes only).
//!
//! Every write goes through `begin_write` (the audit-chain lock) and appends its audit entry in
//! the same transaction. A need changes only through [`SqlStore::kol_change_need`], which reads
//! the need after the lock is taken and lets the caller's decider choose what to save, so two
//! pledges racing for the last units of a need are decided one after the other on both backends.

use crate::aid_types::*;
use crate::sql::{bind_all, conflict_on_unique, date_str, parse_ts, ts, Bind, SqlStore};
use crate::types::{parse_date, NewMail, Page};
use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::kolaborasi::{DeliveryState, NeedState, OrgKind, OrgState, PledgeState, ReportReason, Tally};

/// Rows per multi-row INSERT of beneficiaries: 5 shared parameters plus 2 per row stays far below
/// SQLite's and PostgreSQL's parameter limits.
const BENEFICIARY_CHUNK: usize = 500;

macro_rules! org_cols {
    () => {
        "id, name, kind, description, region, address, public_email, public_phone, contact_enc, state, state_note, verified_at, verified_by, version, created_at, updated_at"
    };
}
macro_rules! need_cols {
    () => {
        "id, org_id, item_type_id, title, description, quantity, region, rw, households, people, until, allow_over_pledge, state, pledged, delivered, confirmed, takedown_note, version, created_at, updated_at"
    };
}
macro_rules! pledge_cols {
    () => {
        "id, need_id, quantity, delivered, state, public_name, contact_enc, deliver_by, note, created_at, updated_at"
    };
}
macro_rules! delivery_cols {
    () => {
        "id, pledge_id, need_id, quantity, delivered_on, note, state, proof_key, proof_sha256, proof_filename, proof_content_type, proof_size, dispute_reason, resolution_note, created_at, updated_at"
    };
}
macro_rules! report_cols {
    () => {
        "id, need_id, reason, detail, open, resolution_note, created_at, resolved_at"
    };
}
macro_rules! list_cols {
    () => {
        "id, need_id, uploaded_by, uploaded_at, rows_count, households, flagged"
    };
}

fn code<T>(r: &AnyRow, col: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T> {
    parse(&r.try_get::<String, _>(col)?).ok_or_else(|| StoreError::Corrupt(what.to_string()))
}

fn time(r: &AnyRow, col: &str, what: &str) -> Result<DateTime<Utc>> {
    parse_ts(&r.try_get::<String, _>(col)?, what)
}

fn opt_time(r: &AnyRow, col: &str, what: &str) -> Result<Option<DateTime<Utc>>> {
    r.try_get::<Option<String>, _>(col)?.map(|s| parse_ts(&s, what)).transpose()
}

fn date(r: &AnyRow, col: &str, what: &str) -> Result<NaiveDate> {
    parse_date(&r.try_get::<String, _>(col)?, what)
}

fn flag(r: &AnyRow, col: &str) -> Result<bool> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

fn ids(rows: &[AnyRow]) -> Result<Vec<i64>> {
    rows.iter().map(|r| r.try_get::<i64, _>(0).map_err(StoreError::from)).collect()
}

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Replaces `{key}` in an audit entry's subject and detail.
fn fill_audit(audit: &NewAuditEntry, key: &str, value: Option<i64>) -> NewAuditEntry {
    let mut a = audit.clone();
    if let Some(v) = value {
        let pat = format!("{{{key}}}");
        a.subject = a.subject.replace(&pat, &v.to_string());
        a.detail = a.detail.replace(&pat, &v.to_string());
    }
    a
}

fn item_type_from_row(r: &AnyRow) -> Result<AidItemType> {
    Ok(AidItemType {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name_id: r.try_get("name_id")?,
        name_en: r.try_get("name_en")?,
        unit_id: r.try_get("unit_id")?,
        unit_en: r.try_get("unit_en")?,
        active: flag(r, "active")?,
    })
}

fn org_from_row(r: &AnyRow) -> Result<StoredOrg> {
    Ok(StoredOrg {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: code(r, "kind", OrgKind::parse, "aid_orgs.kind")?,
        description: r.try_get("description")?,
        region: r.try_get("region")?,
        address: r.try_get("address")?,
        public_email: r.try_get("public_email")?,
        public_phone: r.try_get("public_phone")?,
        contact_enc: r.try_get("contact_enc")?,
        state: code(r, "state", OrgState::parse, "aid_orgs.state")?,
        state_note: r.try_get("state_note")?,
        verified_at: opt_time(r, "verified_at", "aid_orgs.verified_at")?,
        verified_by: r.try_get("verified_by")?,
        version: r.try_get("version")?,
        created_at: time(r, "created_at", "aid_orgs.created_at")?,
        updated_at: time(r, "updated_at", "aid_orgs.updated_at")?,
    })
}

fn need_from_row(r: &AnyRow) -> Result<StoredNeed> {
    let quantity: i64 = r.try_get("quantity")?;
    Ok(StoredNeed {
        id: r.try_get("id")?,
        org: r.try_get("org_id")?,
        item_type: r.try_get("item_type_id")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        quantity,
        region: r.try_get("region")?,
        rw: r.try_get("rw")?,
        households: r.try_get("households")?,
        people: r.try_get("people")?,
        until: date(r, "until", "aid_needs.until")?,
        allow_over_pledge: flag(r, "allow_over_pledge")?,
        state: code(r, "state", NeedState::parse, "aid_needs.state")?,
        tally: Tally { quantity, pledged: r.try_get("pledged")?, delivered: r.try_get("delivered")?, confirmed: r.try_get("confirmed")? },
        takedown_note: r.try_get("takedown_note")?,
        version: r.try_get("version")?,
        created_at: time(r, "created_at", "aid_needs.created_at")?,
        updated_at: time(r, "updated_at", "aid_needs.updated_at")?,
    })
}

fn pledge_from_row(r: &AnyRow) -> Result<StoredPledge> {
    Ok(StoredPledge {
        id: r.try_get("id")?,
        need: r.try_get("need_id")?,
        quantity: r.try_get("quantity")?,
        delivered: r.try_get("delivered")?,
        state: code(r, "state", PledgeState::parse, "aid_pledges.state")?,
        public_name: r.try_get("public_name")?,
        contact_enc: r.try_get("contact_enc")?,
        deliver_by: date(r, "deliver_by", "aid_pledges.deliver_by")?,
        note: r.try_get("note")?,
        created_at: time(r, "created_at", "aid_pledges.created_at")?,
        updated_at: time(r, "updated_at", "aid_pledges.updated_at")?,
    })
}

fn delivery_from_row(r: &AnyRow) -> Result<StoredDelivery> {
    let proof = match r.try_get::<Option<String>, _>("proof_key")? {
        None => None,
        Some(key) => Some(ProofFile {
            key,
            sha256: r.try_get::<Option<String>, _>("proof_sha256")?.ok_or_else(|| StoreError::Corrupt("aid_deliveries.proof_sha256".into()))?,
            filename: r.try_get::<Option<String>, _>("proof_filename")?.unwrap_or_default(),
            content_type: r.try_get::<Option<String>, _>("proof_content_type")?.unwrap_or_default(),
            size: r.try_get::<Option<i64>, _>("proof_size")?.unwrap_or(0),
        }),
    };
    Ok(StoredDelivery {
        id: r.try_get("id")?,
        pledge: r.try_get("pledge_id")?,
        need: r.try_get("need_id")?,
        quantity: r.try_get("quantity")?,
        delivered_on: date(r, "delivered_on", "aid_deliveries.delivered_on")?,
        note: r.try_get("note")?,
        state: code(r, "state", DeliveryState::parse, "aid_deliveries.state")?,
        proof,
        dispute_reason: r.try_get("dispute_reason")?,
        resolution_note: r.try_get("resolution_note")?,
        created_at: time(r, "created_at", "aid_deliveries.created_at")?,
        updated_at: time(r, "updated_at", "aid_deliveries.updated_at")?,
    })
}

fn report_from_row(r: &AnyRow) -> Result<StoredReport> {
    Ok(StoredReport {
        id: r.try_get("id")?,
        need: r.try_get("need_id")?,
        reason: code(r, "reason", ReportReason::parse, "aid_reports.reason")?,
        detail: r.try_get("detail")?,
        open: flag(r, "open")?,
        resolution_note: r.try_get("resolution_note")?,
        created_at: time(r, "created_at", "aid_reports.created_at")?,
        resolved_at: opt_time(r, "resolved_at", "aid_reports.resolved_at")?,
    })
}

fn list_meta_from_row(r: &AnyRow) -> Result<BeneficiaryListMeta> {
    Ok(BeneficiaryListMeta {
        id: r.try_get("id")?,
        need: r.try_get("need_id")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: time(r, "uploaded_at", "aid_beneficiary_lists.uploaded_at")?,
        rows: r.try_get("rows_count")?,
        households: r.try_get("households")?,
        flagged: r.try_get("flagged")?,
    })
}

async fn fetch_need<'e, E: sqlx::Executor<'e, Database = Any>>(e: E, id: i64) -> Result<Option<StoredNeed>> {
    sqlx::query(concat!("SELECT ", need_cols!(), " FROM aid_needs WHERE id = $1")).bind(id).fetch_optional(e).await?.as_ref().map(need_from_row).transpose()
}

async fn fetch_org<'e, E: sqlx::Executor<'e, Database = Any>>(e: E, id: i64) -> Result<Option<StoredOrg>> {
    sqlx::query(concat!("SELECT ", org_cols!(), " FROM aid_orgs WHERE id = $1")).bind(id).fetch_optional(e).await?.as_ref().map(org_from_row).transpose()
}

async fn fetch_pledges_of<'e, E: sqlx::Executor<'e, Database = Any>>(e: E, need: i64) -> Result<Vec<StoredPledge>> {
    sqlx::query(concat!("SELECT ", pledge_cols!(), " FROM aid_pledges WHERE need_id = $1 ORDER BY id"))
        .bind(need)
        .fetch_all(e)
        .await?
        .iter()
        .map(pledge_from_row)
        .collect()
}

async fn fetch_deliveries_of<'e, E: sqlx::Executor<'e, Database = Any>>(e: E, need: i64) -> Result<Vec<StoredDelivery>> {
    sqlx::query(concat!("SELECT ", delivery_cols!(), " FROM aid_deliveries WHERE need_id = $1 ORDER BY id"))
        .bind(need)
        .fetch_all(e)
        .await?
        .iter()
        .map(delivery_from_row)
        .collect()
}

/// Resolves an event's reference to a pledge or delivery: `New` is the one this write created.
fn resolve(r: Option<Ref>, created: Option<i64>, what: &str) -> Result<Option<i64>> {
    match r {
        None => Ok(None),
        Some(Ref::Existing(id)) => Ok(Some(id)),
        Some(Ref::New) => created.map(Some).ok_or_else(|| StoreError::Conflict(format!("an event refers to a new {what} the write does not create"))),
    }
}

impl SqlStore {
    pub(crate) async fn kol_aid_item_types(&self) -> Result<Vec<AidItemType>> {
        let rows = sqlx::query("SELECT id, code, name_id, name_en, unit_id, unit_en, active FROM aid_item_types ORDER BY id").fetch_all(self.pool()).await?;
        rows.iter().map(item_type_from_row).collect()
    }

    pub(crate) async fn kol_upsert_aid_item_type(&self, item: AidItemType, audit: NewAuditEntry) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO aid_item_types (code, name_id, name_en, unit_id, unit_en, active) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (code) DO UPDATE SET name_id = excluded.name_id, name_en = excluded.name_en, unit_id = excluded.unit_id, unit_en = excluded.unit_en, active = excluded.active \
             RETURNING id",
        )
        .bind(&item.code)
        .bind(&item.name_id)
        .bind(&item.name_en)
        .bind(&item.unit_id)
        .bind(&item.unit_en)
        .bind(item.active as i64)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        Self::append_in(&mut tx, Utc::now(), &fill_audit(&audit, "id", Some(id))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(crate) async fn kol_insert_org(&self, o: NewOrg, mails: Vec<NewMail>, audit: NewAuditEntry) -> Result<StoredOrg> {
        let mut tx = self.begin_write().await?;
        let verified_at = (o.state == OrgState::Verified).then(|| ts(o.at));
        let row = sqlx::query(
            "INSERT INTO aid_orgs (name, kind, description, region, address, public_email, public_phone, contact_enc, token_hash, state, verified_at, verified_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13) RETURNING id",
        )
        .bind(&o.name)
        .bind(o.kind.as_str())
        .bind(o.description.clone())
        .bind(&o.region)
        .bind(o.address.clone())
        .bind(o.public_email.clone())
        .bind(o.public_phone.clone())
        .bind(o.contact_enc.clone())
        .bind(&o.token_hash)
        .bind(o.state.as_str())
        .bind(verified_at)
        .bind(o.verified_by)
        .bind(ts(o.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "organisation token"))?;
        let id: i64 = row.try_get(0)?;
        Self::enqueue_tx(&mut tx, &mails).await?;
        Self::append_in(&mut tx, o.at, &fill_audit(&audit, "id", Some(id))).await?;
        let org = fetch_org(&mut *tx, id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(org)
    }

    pub(crate) async fn kol_org(&self, id: i64) -> Result<Option<StoredOrg>> {
        fetch_org(self.pool(), id).await
    }

    pub(crate) async fn kol_org_by_token(&self, token_hash: &str) -> Result<Option<StoredOrg>> {
        sqlx::query(concat!("SELECT ", org_cols!(), " FROM aid_orgs WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(org_from_row)
            .transpose()
    }

    pub(crate) async fn kol_list_orgs(&self, states: &[OrgState]) -> Result<Vec<StoredOrg>> {
        let where_sql = if states.is_empty() { String::new() } else { format!("WHERE state IN ({})", placeholders(1, states.len())) };
        let sql = format!("SELECT {} FROM aid_orgs {where_sql} ORDER BY created_at DESC, id DESC", org_cols!());
        let binds: Vec<Bind> = states.iter().map(|s| Bind::Text(s.as_str().to_string())).collect();
        bind_all(sqlx::query(&sql), &binds).fetch_all(self.pool()).await?.iter().map(org_from_row).collect()
    }

    pub(crate) async fn kol_decide_org(&self, id: i64, expected_version: i64, d: OrgDecision) -> Result<StoredOrg> {
        let mut tx = self.begin_write().await?;
        let mut sql = String::from("UPDATE aid_orgs SET state = $1, state_note = $2, version = version + 1, updated_at = $3");
        if d.verified.is_some() {
            sql.push_str(", verified_at = $6, verified_by = $7");
        }
        sql.push_str(" WHERE id = $4 AND version = $5");
        let mut q = sqlx::query(&sql).bind(d.state.as_str()).bind(d.note.clone()).bind(ts(d.at)).bind(id).bind(expected_version);
        if let Some((at, by)) = d.verified {
            q = q.bind(ts(at)).bind(by);
        }
        if q.execute(&mut *tx).await?.rows_affected() == 0 {
            let exists = sqlx::query("SELECT id FROM aid_orgs WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?.is_some();
            return Err(if exists { StoreError::Conflict("organisation changed since it was read".into()) } else { StoreError::NotFound });
        }
        Self::enqueue_tx(&mut tx, &d.mails).await?;
        Self::append_in(&mut tx, d.at, &d.audit).await?;
        let org = fetch_org(&mut *tx, id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(org)
    }

    pub(crate) async fn kol_insert_need(&self, n: NewNeed, audit: NewAuditEntry) -> Result<StoredNeed> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO aid_needs (org_id, item_type_id, title, description, quantity, region, rw, households, people, until, allow_over_pledge, state, pledged, delivered, confirmed, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, 0, 0, 1, $13, $13) RETURNING id",
        )
        .bind(n.org)
        .bind(n.item_type)
        .bind(&n.title)
        .bind(n.description.clone())
        .bind(n.quantity)
        .bind(&n.region)
        .bind(n.rw.clone())
        .bind(n.households)
        .bind(n.people)
        .bind(date_str(n.until))
        .bind(n.allow_over_pledge as i64)
        .bind(NeedState::Open.as_str())
        .bind(ts(n.at))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        sqlx::query("INSERT INTO aid_need_events (need_id, at, event, actor_kind, quantity) VALUES ($1, $2, 'posted', 'org', $3)")
            .bind(id)
            .bind(ts(n.at))
            .bind(n.quantity)
            .execute(&mut *tx)
            .await?;
        Self::append_in(&mut tx, n.at, &fill_audit(&audit, "id", Some(id))).await?;
        let need = fetch_need(&mut *tx, id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(need)
    }

    pub(crate) async fn kol_need(&self, id: i64) -> Result<Option<StoredNeed>> {
        fetch_need(self.pool(), id).await
    }

    pub(crate) async fn kol_list_needs(&self, f: &NeedFilter) -> Result<Page<StoredNeed>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        if !f.states.is_empty() {
            clauses.push(format!("state IN ({})", placeholders(binds.len() + 1, f.states.len())));
            binds.extend(f.states.iter().map(|s| Bind::Text(s.as_str().to_string())));
        }
        if let Some(r) = f.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            // The region itself, or anything inside it: `31.71` holds `31.71.01.1001`, but `31.7`
            // does not.
            let escaped = r.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            binds.push(Bind::Text(r.to_string()));
            binds.push(Bind::Text(format!("{escaped}.%")));
            clauses.push(format!("(region = ${} OR region LIKE ${} ESCAPE '\\')", binds.len() - 1, binds.len()));
        }
        if let Some(t) = f.item_type {
            binds.push(Bind::Int(t));
            clauses.push(format!("item_type_id = ${}", binds.len()));
        }
        if let Some(o) = f.org {
            binds.push(Bind::Int(o));
            clauses.push(format!("org_id = ${}", binds.len()));
        }
        let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        let offset = f.offset.max(0);
        // SQLite needs a LIMIT before an OFFSET; "no limit" is the largest one.
        let paging = match (f.limit.max(0), offset) {
            (0, 0) => String::new(),
            (0, o) => format!(" LIMIT {} OFFSET {o}", i64::MAX),
            (l, o) => format!(" LIMIT {l} OFFSET {o}"),
        };
        let list_sql = format!("SELECT {} FROM aid_needs {where_sql} ORDER BY created_at DESC, id DESC{paging}", need_cols!());
        let count_sql = format!("SELECT COUNT(*) FROM aid_needs {where_sql}");
        let rows = bind_all(sqlx::query(&list_sql), &binds).fetch_all(self.pool()).await?;
        let total: i64 = bind_all(sqlx::query(&count_sql), &binds).fetch_one(self.pool()).await?.try_get(0)?;
        Ok(Page { items: rows.iter().map(need_from_row).collect::<Result<_>>()?, total })
    }

    pub(crate) async fn kol_need_events(&self, need: i64) -> Result<Vec<NeedEventRow>> {
        let rows = sqlx::query(
            "SELECT id, need_id, at, event, actor_kind, pledge_id, delivery_id, quantity, note FROM aid_need_events WHERE need_id = $1 ORDER BY id",
        )
        .bind(need)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(NeedEventRow {
                    id: r.try_get("id")?,
                    need: r.try_get("need_id")?,
                    at: time(r, "at", "aid_need_events.at")?,
                    event: r.try_get("event")?,
                    actor_kind: r.try_get("actor_kind")?,
                    pledge: r.try_get("pledge_id")?,
                    delivery: r.try_get("delivery_id")?,
                    quantity: r.try_get("quantity")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    pub(crate) async fn kol_change_need(&self, id: i64, children: bool, contact: Option<(&str, DateTime<Utc>)>, decide: NeedDecider<'_>) -> Result<NeedSaved> {
        let mut tx = self.begin_write().await?;
        // Read under the lock: no other writer can change the need until this one commits.
        let need = fetch_need(&mut *tx, id).await?.ok_or(StoreError::NotFound)?;
        let org = fetch_org(&mut *tx, need.org).await?.ok_or_else(|| StoreError::Corrupt("aid_needs.org_id".into()))?;
        let (pledges, deliveries) =
            if children { (fetch_pledges_of(&mut *tx, id).await?, fetch_deliveries_of(&mut *tx, id).await?) } else { (Vec::new(), Vec::new()) };
        let contact_recent = match contact {
            None => 0,
            Some((hash, since)) => {
                let r = sqlx::query("SELECT COUNT(*) FROM aid_pledges WHERE contact_hash = $1 AND created_at >= $2")
                    .bind(hash)
                    .bind(ts(since))
                    .fetch_one(&mut *tx)
                    .await?;
                r.try_get(0)?
            }
        };
        let snapshot = NeedSnapshot { need, org, pledges, deliveries, contact_recent };
        let w = match decide(&snapshot) {
            Ok(w) => w,
            Err(code) => {
                tx.rollback().await?;
                return Err(StoreError::Refused(code));
            }
        };
        let at = ts(w.at);

        let mut sql = String::from("UPDATE aid_needs SET state = $1, pledged = $2, delivered = $3, confirmed = $4, version = version + 1, updated_at = $5");
        if w.takedown_note.is_some() {
            sql.push_str(", takedown_note = $8");
        }
        sql.push_str(" WHERE id = $6 AND version = $7 RETURNING quantity, pledged, allow_over_pledge");
        let mut q = sqlx::query(&sql)
            .bind(w.state.as_str())
            .bind(w.tally.pledged)
            .bind(w.tally.delivered)
            .bind(w.tally.confirmed)
            .bind(&at)
            .bind(id)
            .bind(snapshot.need.version);
        if let Some(note) = &w.takedown_note {
            q = q.bind(note.clone());
        }
        let saved = q.fetch_optional(&mut *tx).await?.ok_or_else(|| StoreError::Conflict("need changed since it was read".into()))?;
        // The quantity rule once more, on what the row now holds: whatever the decider did, a
        // need that does not allow it is never pledged beyond its quantity.
        let (quantity, pledged): (i64, i64) = (saved.try_get("quantity")?, saved.try_get("pledged")?);
        if saved.try_get::<i64, _>("allow_over_pledge")? == 0 && pledged > quantity {
            tx.rollback().await?;
            return Err(StoreError::Refused("err.aid_over_pledge"));
        }

        let mut new_pledge = None;
        if let Some(p) = &w.new_pledge {
            let row = sqlx::query(
                "INSERT INTO aid_pledges (need_id, quantity, delivered, state, public_name, contact_enc, contact_hash, token_hash, deliver_by, note, created_at, updated_at) \
                 VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            )
            .bind(id)
            .bind(p.quantity)
            .bind(PledgeState::Active.as_str())
            .bind(p.public_name.clone())
            .bind(p.contact_enc.clone())
            .bind(&p.contact_hash)
            .bind(&p.token_hash)
            .bind(date_str(p.deliver_by))
            .bind(p.note.clone())
            .bind(&at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, "pledge token"))?;
            new_pledge = Some(row.try_get::<i64, _>(0)?);
        }
        for u in &w.pledge_updates {
            let r = sqlx::query("UPDATE aid_pledges SET state = $1, delivered = $2, updated_at = $3 WHERE id = $4 AND need_id = $5")
                .bind(u.state.as_str())
                .bind(u.delivered)
                .bind(&at)
                .bind(u.id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        }
        let mut new_delivery = None;
        if let Some(d) = &w.new_delivery {
            let pledge_need: Option<i64> = sqlx::query("SELECT need_id FROM aid_pledges WHERE id = $1")
                .bind(d.pledge)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
            if pledge_need != Some(id) {
                return Err(StoreError::NotFound);
            }
            let proof = d.proof.as_ref();
            let row = sqlx::query(
                "INSERT INTO aid_deliveries (pledge_id, need_id, quantity, delivered_on, note, state, proof_key, proof_sha256, proof_filename, proof_content_type, proof_size, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
            )
            .bind(d.pledge)
            .bind(id)
            .bind(d.quantity)
            .bind(date_str(d.delivered_on))
            .bind(d.note.clone())
            .bind(DeliveryState::Recorded.as_str())
            .bind(proof.map(|p| p.key.clone()))
            .bind(proof.map(|p| p.sha256.clone()))
            .bind(proof.map(|p| p.filename.clone()))
            .bind(proof.map(|p| p.content_type.clone()))
            .bind(proof.map(|p| p.size))
            .bind(&at)
            .fetch_one(&mut *tx)
            .await?;
            new_delivery = Some(row.try_get::<i64, _>(0)?);
        }
        for u in &w.delivery_updates {
            let mut sql = String::from("UPDATE aid_deliveries SET state = $1, updated_at = $2");
            let mut n = 4;
            if u.dispute_reason.is_some() {
                n += 1;
                sql.push_str(&format!(", dispute_reason = ${n}"));
            }
            if u.resolution_note.is_some() {
                n += 1;
                sql.push_str(&format!(", resolution_note = ${n}"));
            }
            sql.push_str(" WHERE id = $3 AND need_id = $4");
            let mut q = sqlx::query(&sql).bind(u.state.as_str()).bind(&at).bind(u.id).bind(id);
            if let Some(reason) = &u.dispute_reason {
                q = q.bind(reason.clone());
            }
            if let Some(note) = &u.resolution_note {
                q = q.bind(note.clone());
            }
            if q.execute(&mut *tx).await?.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        }
        for e in &w.events {
            sqlx::query(
                "INSERT INTO aid_need_events (need_id, at, event, actor_kind, pledge_id, delivery_id, quantity, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(&at)
            .bind(&e.event)
            .bind(e.actor_kind)
            .bind(resolve(e.pledge, new_pledge, "pledge")?)
            .bind(resolve(e.delivery, new_delivery, "delivery")?)
            .bind(e.quantity)
            .bind(e.note.clone())
            .execute(&mut *tx)
            .await?;
        }
        if let Some(note) = &w.close_reports {
            sqlx::query("UPDATE aid_reports SET open = 0, resolution_note = $1, resolved_at = $2 WHERE need_id = $3 AND open = 1")
                .bind(note)
                .bind(&at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        Self::enqueue_tx(&mut tx, &w.mails).await?;
        let audit = fill_audit(&fill_audit(&w.audit, "pledge", new_pledge), "delivery", new_delivery);
        Self::append_in(&mut tx, w.at, &audit).await?;
        let need = fetch_need(&mut *tx, id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(NeedSaved { need, pledge: new_pledge, delivery: new_delivery })
    }

    pub(crate) async fn kol_pledges_of(&self, need: i64) -> Result<Vec<StoredPledge>> {
        fetch_pledges_of(self.pool(), need).await
    }

    pub(crate) async fn kol_pledge(&self, id: i64) -> Result<Option<StoredPledge>> {
        sqlx::query(concat!("SELECT ", pledge_cols!(), " FROM aid_pledges WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(pledge_from_row)
            .transpose()
    }

    pub(crate) async fn kol_pledge_by_token(&self, token_hash: &str) -> Result<Option<StoredPledge>> {
        sqlx::query(concat!("SELECT ", pledge_cols!(), " FROM aid_pledges WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(pledge_from_row)
            .transpose()
    }

    pub(crate) async fn kol_named_pledges(&self) -> Result<Vec<StoredPledge>> {
        sqlx::query(concat!("SELECT ", pledge_cols!(), " FROM aid_pledges WHERE public_name IS NOT NULL ORDER BY id"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(pledge_from_row)
            .collect()
    }

    pub(crate) async fn kol_pledges_by_contact_since(&self, contact_hash: &str, since: DateTime<Utc>) -> Result<i64> {
        let r = sqlx::query("SELECT COUNT(*) FROM aid_pledges WHERE contact_hash = $1 AND created_at >= $2")
            .bind(contact_hash)
            .bind(ts(since))
            .fetch_one(self.pool())
            .await?;
        Ok(r.try_get(0)?)
    }

    pub(crate) async fn kol_deliveries_of(&self, need: i64) -> Result<Vec<StoredDelivery>> {
        fetch_deliveries_of(self.pool(), need).await
    }

    pub(crate) async fn kol_delivery(&self, id: i64) -> Result<Option<StoredDelivery>> {
        sqlx::query(concat!("SELECT ", delivery_cols!(), " FROM aid_deliveries WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(delivery_from_row)
            .transpose()
    }

    pub(crate) async fn kol_deliveries_in(&self, state: DeliveryState) -> Result<Vec<StoredDelivery>> {
        sqlx::query(concat!("SELECT ", delivery_cols!(), " FROM aid_deliveries WHERE state = $1 ORDER BY id"))
            .bind(state.as_str())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(delivery_from_row)
            .collect()
    }

    pub(crate) async fn kol_pledges_past_due(&self, today: NaiveDate) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query("SELECT need_id, id FROM aid_pledges WHERE state = 'active' AND deliver_by < $1 ORDER BY need_id, id")
            .bind(date_str(today))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?))).collect()
    }

    pub(crate) async fn kol_needs_past_until(&self, today: NaiveDate) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT id FROM aid_needs WHERE state IN ('open', 'partly_pledged', 'fully_pledged') AND until < $1 ORDER BY id")
            .bind(date_str(today))
            .fetch_all(self.pool())
            .await?;
        ids(&rows)
    }

    pub(crate) async fn kol_insert_report(&self, r: NewReport, audit: NewAuditEntry) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("INSERT INTO aid_reports (need_id, reason, detail, open, created_at) VALUES ($1, $2, $3, 1, $4) RETURNING id")
            .bind(r.need)
            .bind(r.reason.as_str())
            .bind(r.detail.clone())
            .bind(ts(r.at))
            .fetch_one(&mut *tx)
            .await?;
        let id: i64 = row.try_get(0)?;
        Self::append_in(&mut tx, r.at, &fill_audit(&audit, "id", Some(id))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(crate) async fn kol_list_reports(&self, open_only: bool) -> Result<Vec<StoredReport>> {
        let sql = if open_only {
            concat!("SELECT ", report_cols!(), " FROM aid_reports WHERE open = 1 ORDER BY created_at DESC, id DESC")
        } else {
            concat!("SELECT ", report_cols!(), " FROM aid_reports ORDER BY created_at DESC, id DESC")
        };
        sqlx::query(sql).fetch_all(self.pool()).await?.iter().map(report_from_row).collect()
    }

    pub(crate) async fn kol_save_beneficiaries(&self, l: NewBeneficiaryList, audit: NewAuditEntry) -> Result<i64> {
        let households = l.entries.iter().map(|(_, h)| h.as_str()).collect::<BTreeSet<_>>().len() as i64;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE aid_beneficiary_lists SET current = 0 WHERE need_id = $1").bind(l.need).execute(&mut *tx).await?;
        let row = sqlx::query(
            "INSERT INTO aid_beneficiary_lists (need_id, uploaded_by, uploaded_at, rows_count, households, flagged, current) VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id",
        )
        .bind(l.need)
        .bind(l.uploaded_by)
        .bind(ts(l.at))
        .bind(l.entries.len() as i64)
        .bind(households)
        .bind(l.flagged)
        .fetch_one(&mut *tx)
        .await?;
        let list: i64 = row.try_get(0)?;
        // Only the current list's hashes are kept; older lists keep their metadata row.
        sqlx::query("DELETE FROM aid_beneficiaries WHERE need_id = $1").bind(l.need).execute(&mut *tx).await?;
        let (from, until) = (date_str(l.window_from), date_str(l.window_until));
        for chunk in l.entries.chunks(BENEFICIARY_CHUNK) {
            // $1..$5 are shared by every row of the statement.
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("($1, $2, $3, $4, $5, ${}, ${})", 6 + 2 * i, 7 + 2 * i)).collect();
            let sql = format!(
                "INSERT INTO aid_beneficiaries (list_id, need_id, item_type_id, window_from, window_until, person_hash, household_hash) VALUES {}",
                values.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(list).bind(l.need).bind(l.item_type).bind(&from).bind(&until);
            for (person, household) in chunk {
                q = q.bind(person).bind(household);
            }
            q.execute(&mut *tx).await.map_err(|e| conflict_on_unique(e, "a person listed twice"))?;
        }
        Self::append_in(&mut tx, l.at, &fill_audit(&audit, "id", Some(list))).await?;
        tx.commit().await?;
        Ok(list)
    }

    pub(crate) async fn kol_beneficiary_list(&self, need: i64) -> Result<Option<BeneficiaryListMeta>> {
        sqlx::query(concat!("SELECT ", list_cols!(), " FROM aid_beneficiary_lists WHERE need_id = $1 AND current = 1 ORDER BY id DESC LIMIT 1"))
            .bind(need)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(list_meta_from_row)
            .transpose()
    }

    pub(crate) async fn kol_overlapping_lists(&self, item_type: i64, from: NaiveDate, until: NaiveDate, except_need: i64) -> Result<Vec<OtherList>> {
        let rows = sqlx::query(
            "SELECT need_id, item_type_id, window_from, window_until, household_hash FROM aid_beneficiaries \
             WHERE item_type_id = $1 AND window_from <= $2 AND window_until >= $3 AND need_id <> $4 ORDER BY need_id",
        )
        .bind(item_type)
        .bind(date_str(until))
        .bind(date_str(from))
        .bind(except_need)
        .fetch_all(self.pool())
        .await?;
        let mut by_need: BTreeMap<i64, (OtherList, BTreeSet<String>)> = BTreeMap::new();
        for r in &rows {
            let need: i64 = r.try_get("need_id")?;
            let household: String = r.try_get("household_hash")?;
            let entry = match by_need.entry(need) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert((
                    OtherList {
                        need,
                        item_type: r.try_get("item_type_id")?,
                        window_from: date(r, "window_from", "aid_beneficiaries.window_from")?,
                        window_until: date(r, "window_until", "aid_beneficiaries.window_until")?,
                        households: Vec::new(),
                    },
                    BTreeSet::new(),
                )),
            };
            entry.1.insert(household);
        }
        Ok(by_need
            .into_values()
            .map(|(mut list, hs)| {
                list.households = hs.into_iter().collect();
                list
            })
            .collect())
    }
}
