//! Use cases of *kolaborasi*: organisations, needs, pledges, deliveries, moderation, the
//! duplicate-aid guard and the public ledger.
//!
//! Every change to a need goes through [`Store::change_need`] with a decider closure: the store
//! takes the audit lock, reads the need as it is, and the closure applies the domain rules
//! (`check_pledge`, the life-cycle tables) to that state. So two people pledging at once on the
//! last units of a popular need cannot both succeed, on SQLite or across PostgreSQL nodes.
//!
//! Personal data: an organisation's contact person and a pledger's name and contact are sealed
//! (XChaCha20-Poly1305) before they reach the store; a pledger's contact is also kept as a keyed
//! hash for the rate limit; beneficiary lists are kept only as keyed hashes of the NIK and family
//! card number. Delivery proofs are seen by the posting organisation and moderators, never
//! published: the public ledger shows that a proof exists and its SHA-256.

use crate::crypto::{new_token, sha256_hex, token_hash};
use crate::error::{AppError, AppResult};
use crate::service::{audit_entry, officer_label, safe_filename, App, Upload};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use terbuka_domain::authz::{can, Action, Actor};
use terbuka_domain::calendar::wib_date;
use terbuka_domain::kolaborasi::*;
use terbuka_domain::region::{RegionLevel, Regions};
use terbuka_domain::validate::FieldErrors;
use terbuka_domain::Role;
use terbuka_store::*;

/// The bundled region file (DKI Jakarta, Kepmendagri 2025; ODbL, see `data/README.md`).
pub const BUNDLED_REGIONS: &str = include_str!("../data/jakarta-regions.csv");

/// Reads the configured regions file, or the bundled one when `path` is empty.
pub fn load_regions(path: &str) -> anyhow::Result<Regions> {
    let text = if path.trim().is_empty() { BUNDLED_REGIONS.to_string() } else { std::fs::read_to_string(path)? };
    Regions::parse_csv(&text).map_err(|e| anyhow::anyhow!(e))
}

/// A change of a need that sets its state and tally and nothing else; each use case adds what
/// it changes with struct-update syntax (`NeedWrite { events, ..need_write(…) }`).
fn need_write(state: NeedState, tally: Tally, audit: terbuka_domain::audit::NewAuditEntry, at: DateTime<Utc>) -> NeedWrite {
    NeedWrite {
        state,
        tally,
        takedown_note: None,
        new_pledge: None,
        pledge_updates: vec![],
        new_delivery: None,
        delivery_updates: vec![],
        events: vec![],
        close_reports: None,
        mails: vec![],
        audit,
        at,
    }
}

/// Hash purposes: a change here makes every stored hash unmatchable, so never change them.
const HASH_NIK: &str = "aid-nik";
const HASH_KK: &str = "aid-kk";
const HASH_CONTACT: &str = "aid-contact";

fn refused(code: &'static str) -> AppError {
    AppError::Rejected(code)
}

fn forbidden_transition(_: Forbidden) -> &'static str {
    "err.aid_not_now"
}

/// A need with what its pages show next to it.
#[derive(Debug, Clone)]
pub struct NeedDetail {
    pub need: StoredNeed,
    pub org: StoredOrg,
    pub item_type: AidItemType,
    pub pledges: Vec<StoredPledge>,
    pub deliveries: Vec<StoredDelivery>,
    pub events: Vec<NeedEventRow>,
}

/// A pledge as its pledger sees it through the private link.
#[derive(Debug, Clone)]
pub struct PledgeDetail {
    pub pledge: StoredPledge,
    pub contact: PledgerContact,
    pub need: NeedDetail,
}

/// The result of uploading a beneficiary list: counts and flags, never an identifier.
#[derive(Debug, Clone, Serialize)]
pub struct BeneficiaryOutcome {
    pub rows: usize,
    pub households: usize,
    /// Households found on another need's list for the same kind of aid in an overlapping
    /// period: a short pseudonym of the household hash and the other need.
    pub flags: Vec<(String, i64)>,
}

/// What the moderation queue holds.
#[derive(Debug, Clone)]
pub struct ModerationQueue {
    pub pending_orgs: Vec<StoredOrg>,
    pub reports: Vec<(StoredReport, Option<StoredNeed>)>,
    pub disputes: Vec<(StoredDelivery, Option<StoredNeed>)>,
}

/// One row of the public ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LedgerRow {
    pub key: String,
    pub label: String,
    /// For rows by item type or donor: the item type's code (quantities are in its unit).
    pub item_type: Option<String>,
    pub needs: i64,
    pub needs_open: i64,
    pub needs_met: i64,
    pub needs_closed_unmet: i64,
    pub quantity: i64,
    pub pledged: i64,
    pub delivered: i64,
    pub confirmed: i64,
}

impl LedgerRow {
    fn add_need(&mut self, n: &StoredNeed) {
        self.needs += 1;
        match n.state {
            NeedState::Open | NeedState::PartlyPledged | NeedState::FullyPledged => self.needs_open += 1,
            NeedState::Delivered | NeedState::Verified => self.needs_met += 1,
            _ => self.needs_closed_unmet += 1,
        }
        self.quantity += n.quantity;
        self.pledged += n.tally.pledged;
        self.delivered += n.tally.delivered;
        self.confirmed += n.tally.confirmed;
    }
}

/// The public ledger: totals by region level, item type and (opted-in) donor.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Ledger {
    pub by_kota: Vec<LedgerRow>,
    pub by_kecamatan: Vec<LedgerRow>,
    pub by_kelurahan: Vec<LedgerRow>,
    pub by_item: Vec<LedgerRow>,
    pub by_donor: Vec<LedgerRow>,
    /// Quantities pledged by donors who did not opt in to be named, per item type.
    pub unnamed: Vec<LedgerRow>,
    pub taken_down: i64,
}

/// What a pledge counts against its need: the whole quantity while it is active or fulfilled,
/// only what it delivered once it expired or was cancelled.
fn committed(state: PledgeState, quantity: i64, delivered: i64) -> i64 {
    match state {
        PledgeState::Active | PledgeState::Fulfilled => quantity,
        PledgeState::Expired | PledgeState::Cancelled => delivered,
    }
}

fn today(now: DateTime<Utc>) -> NaiveDate {
    wib_date(now)
}

impl App {
    fn actor_allowed(&self, actor: &Actor, action: Action) -> AppResult<()> {
        if can(actor, action, None) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    fn site(&self) -> String {
        self.config.server.public_url.trim_end_matches('/').to_string()
    }

    pub async fn aid_item_types(&self) -> AppResult<Vec<AidItemType>> {
        Ok(self.store.aid_item_types().await?)
    }

    async fn item_type_by_id(&self, id: i64) -> AppResult<AidItemType> {
        self.store
            .aid_item_types()
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("need refers to missing item type {id}")))
    }

    fn org_contact(&self, org: &StoredOrg) -> AppResult<OrgContact> {
        Ok(self.key.open_json(&org.contact_enc)?)
    }

    fn pledger_contact(&self, p: &StoredPledge) -> AppResult<PledgerContact> {
        Ok(self.key.open_json(&p.contact_enc)?)
    }

    /// Where mail for an organisation goes: its contact person, else its public address.
    fn org_mail_to(&self, org: &StoredOrg) -> AppResult<Option<String>> {
        Ok(self.org_contact(org)?.email.or_else(|| org.public_email.clone()))
    }

    async fn aid_officer_mails(&self, dedup: &str, subject: &str, body: &str, vars: &[(&str, &str)], now: DateTime<Utc>) -> AppResult<Vec<NewMail>> {
        let officers = self.store.list_officers().await?;
        Ok(officers
            .iter()
            .filter(|o| o.active && matches!(o.role, Role::PetugasSosial | Role::PpidUtama))
            .map(|o| self.mail_to_officer(format!("{dedup}:officer:{}", o.id), &o.email, subject, body, vars, now))
            .collect())
    }

    // ------------------------------------------------------------ organisations

    /// Anyone registers an organisation; it waits for an officer's verification. Returns the
    /// organisation and the private management link's token (also mailed to the contact).
    pub async fn register_org(&self, raw: &RawOrg, now: DateTime<Utc>) -> AppResult<(StoredOrg, String)> {
        let regions = self.regions.clone();
        let (sub, contact) = raw.validate(|code| regions.get(code).is_some())?;
        let token = new_token();
        let link = format!("{}/kolaborasi/org/{token}", self.site());
        let mut mails = Vec::new();
        if let Some(to) = contact.email.as_deref().or(sub.public_email.as_deref()) {
            mails.push(self.mail(
                format!("aid-org-registered:{}", token_hash(&token)),
                to,
                "mail.aid_org_registered.subject",
                "mail.aid_org_registered.body",
                &[("name", &sub.name), ("link", &link)],
                now,
            ));
        }
        mails.extend(
            self.aid_officer_mails(
                &format!("aid-org-waiting:{}", token_hash(&token)),
                "mail.aid_org_waiting.subject",
                "mail.aid_org_waiting.body",
                &[("name", &sub.name), ("site", &self.site())],
                now,
            )
            .await?,
        );
        let org = NewOrg {
            name: sub.name,
            kind: sub.kind,
            description: sub.description,
            region: sub.region,
            address: sub.address,
            public_email: sub.public_email,
            public_phone: sub.public_phone,
            contact_enc: self.key.seal_json(&contact),
            token_hash: token_hash(&token),
            state: OrgState::Pending,
            verified_by: None,
            at: now,
        };
        let audit = audit_entry("public", "aid.org.register", "org:{id}".into(), serde_json::json!({ "kind": org.kind.as_str(), "region": org.region }));
        let saved = self.store.insert_org(org, mails, audit).await?;
        tracing::info!(org = saved.id, "organisation registered");
        Ok((saved, token))
    }

    /// The organisation behind a private management link.
    pub async fn org_by_token(&self, token: &str) -> AppResult<StoredOrg> {
        self.store.org_by_token(&token_hash(token)).await?.ok_or(AppError::NotFound)
    }

    pub async fn public_org(&self, id: i64) -> AppResult<StoredOrg> {
        let org = self.store.org(id).await?.ok_or(AppError::NotFound)?;
        // Organisations that were never verified are not public.
        if org.verified_at.is_none() {
            return Err(AppError::NotFound);
        }
        Ok(org)
    }

    pub async fn orgs(&self, actor: &Actor, states: &[OrgState]) -> AppResult<Vec<StoredOrg>> {
        self.actor_allowed(actor, Action::VerifyOrganisation)?;
        Ok(self.store.list_orgs(states).await?)
    }

    /// An organisation with its contact person, for officers who verify.
    pub async fn org_for_officer(&self, actor: &Actor, id: i64) -> AppResult<(StoredOrg, OrgContact)> {
        self.actor_allowed(actor, Action::VerifyOrganisation)?;
        let org = self.store.org(id).await?.ok_or(AppError::NotFound)?;
        let contact = self.org_contact(&org)?;
        Ok((org, contact))
    }

    /// Verify, reject, suspend or reinstate. Rejecting and suspending need a reason, which the
    /// organisation is told.
    pub async fn decide_org(&self, actor: &Actor, id: i64, event: OrgEvent, note: &Option<String>, now: DateTime<Utc>) -> AppResult<StoredOrg> {
        self.actor_allowed(actor, Action::VerifyOrganisation)?;
        let org = self.store.org(id).await?.ok_or(AppError::NotFound)?;
        let next = org_transition(org.state, event).map_err(|_| refused("err.aid_not_now"))?;
        let note = match event {
            OrgEvent::Reject | OrgEvent::Suspend => Some(terbuka_domain::validate::reason("note", note, 10)?),
            _ => note.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
        };
        let state_id = self.i18n.t(terbuka_domain::Lang::Id, &format!("enum.org_state.{next}")).to_string();
        let state_en = self.i18n.t(terbuka_domain::Lang::En, &format!("enum.org_state.{next}")).to_string();
        let mut mails = Vec::new();
        if let Some(to) = self.org_mail_to(&org)? {
            let state = format!("{state_id} / {state_en}");
            let n = note.clone().unwrap_or_default();
            mails.push(self.mail(
                format!("aid-org-decided:{}:{}", org.id, org.version + 1),
                &to,
                "mail.aid_org_decided.subject",
                "mail.aid_org_decided.body",
                &[("name", &org.name), ("state", &state), ("note", &n)],
                now,
            ));
        }
        let decision = OrgDecision {
            state: next,
            note: note.clone(),
            verified: (next == OrgState::Verified).then_some((now, actor.officer)),
            at: now,
            mails,
            audit: audit_entry(&officer_label(actor), &format!("aid.org.{event}"), format!("org:{id}"), serde_json::json!({ "state": next.as_str() })),
        };
        Ok(self.store.decide_org(id, org.version, decision).await?)
    }

    // ------------------------------------------------------------ needs

    /// A verified organisation posts a need through its management link.
    pub async fn post_need(&self, org_token: &str, raw: &RawNeed, now: DateTime<Utc>) -> AppResult<StoredNeed> {
        let org = self.org_by_token(org_token).await?;
        if org.state != OrgState::Verified {
            return Err(refused("err.aid_org_not_verified"));
        }
        let types = self.store.aid_item_types().await?;
        let regions = self.regions.clone();
        let sub =
            raw.validate(today(now), |c| types.iter().any(|t| t.code == c && t.active), |r| regions.get(r).is_some_and(|r| r.level == RegionLevel::Kelurahan))?;
        let item = types.iter().find(|t| t.code == sub.item_type).expect("validated item type");
        let need = NewNeed {
            org: org.id,
            item_type: item.id,
            title: sub.title,
            description: sub.description,
            quantity: sub.quantity,
            region: sub.region,
            rw: sub.rw,
            households: sub.households,
            people: sub.people,
            until: sub.until,
            allow_over_pledge: sub.allow_over_pledge,
            at: now,
        };
        let audit = audit_entry(
            &format!("org:{}", org.id),
            "aid.need.post",
            "need:{id}".into(),
            serde_json::json!({ "item_type": item.code, "quantity": need.quantity, "region": need.region }),
        );
        Ok(self.store.insert_need(need, audit).await?)
    }

    /// A need as the public sees it (taken-down needs too: the page shows the public note).
    pub async fn need_detail(&self, id: i64) -> AppResult<NeedDetail> {
        let need = self.store.need(id).await?.ok_or(AppError::NotFound)?;
        let org = self.store.org(need.org).await?.ok_or(AppError::NotFound)?;
        let item_type = self.item_type_by_id(need.item_type).await?;
        let pledges = self.store.pledges_of(id).await?;
        let deliveries = self.store.deliveries_of(id).await?;
        let events = self.store.need_events(id).await?;
        Ok(NeedDetail { need, org, item_type, pledges, deliveries, events })
    }

    pub async fn needs(&self, filter: &NeedFilter) -> AppResult<Page<StoredNeed>> {
        Ok(self.store.list_needs(filter).await?)
    }

    /// Needs of the organisation behind a management link.
    pub async fn org_needs(&self, org_token: &str) -> AppResult<(StoredOrg, Vec<StoredNeed>)> {
        let org = self.org_by_token(org_token).await?;
        let needs = self.store.list_needs(&NeedFilter { org: Some(org.id), ..Default::default() }).await?.items;
        Ok((org, needs))
    }

    async fn org_need(&self, org_token: &str, need_id: i64) -> AppResult<(StoredOrg, StoredNeed)> {
        let org = self.org_by_token(org_token).await?;
        let need = self.store.need(need_id).await?.filter(|n| n.org == org.id).ok_or(AppError::NotFound)?;
        Ok((org, need))
    }

    /// Mails telling pledgers that their pledge was released (need cancelled or taken down).
    fn release_mails(&self, snap: &NeedSnapshot, released: &[i64], now: DateTime<Utc>) -> Vec<NewMail> {
        snap.pledges
            .iter()
            .filter(|p| released.contains(&p.id))
            .filter_map(|p| self.pledger_contact(p).ok().and_then(|c| c.email).map(|e| (p.id, e)))
            .map(|(id, e)| {
                self.mail(
                    format!("aid-pledge-released:{id}"),
                    &e,
                    "mail.aid_pledge_released.subject",
                    "mail.aid_pledge_released.body",
                    &[("title", &snap.need.title)],
                    now,
                )
            })
            .collect()
    }

    /// Releases every active pledge of a need that closes: the undelivered part leaves the tally.
    fn release_all(snap: &NeedSnapshot, event: PledgeEvent) -> (Vec<PledgeUpdate>, Tally, Vec<i64>) {
        let mut tally = snap.need.tally;
        let mut updates = Vec::new();
        let mut ids = Vec::new();
        for p in snap.pledges.iter().filter(|p| p.state == PledgeState::Active) {
            if let Ok(state) = pledge_transition(p.state, event, p.delivered, p.quantity) {
                tally.pledged -= p.quantity - p.delivered;
                updates.push(PledgeUpdate { id: p.id, state, delivered: p.delivered });
                ids.push(p.id);
            }
        }
        (updates, tally, ids)
    }

    /// The posting organisation cancels its need; active pledges are released and told.
    pub async fn cancel_need(&self, org_token: &str, need_id: i64, reason: &Option<String>, now: DateTime<Utc>) -> AppResult<StoredNeed> {
        let (org, _) = self.org_need(org_token, need_id).await?;
        let reason = terbuka_domain::validate::reason("reason", reason, 5)?;
        let decide = |snap: &NeedSnapshot| {
            let (updates, tally, ids) = Self::release_all(snap, PledgeEvent::Cancel);
            let state = need_transition(snap.need.state, NeedEvent::Cancel, &tally).map_err(forbidden_transition)?;
            Ok(NeedWrite {
                pledge_updates: updates,
                events: vec![NewNeedEvent {
                    event: "cancel".into(),
                    actor_kind: "org",
                    pledge: None,
                    delivery: None,
                    quantity: None,
                    note: Some(reason.clone()),
                }],
                mails: self.release_mails(snap, &ids, now),
                ..need_write(
                    state,
                    tally,
                    audit_entry(&format!("org:{}", org.id), "aid.need.cancel", format!("need:{need_id}"), serde_json::json!({ "released_pledges": ids.len() })),
                    now,
                )
            })
        };
        Ok(self.store.change_need(need_id, true, &decide).await?.need)
    }

    // ------------------------------------------------------------ pledges

    /// Anyone pledges all or part of a need. Returns the saved need, the pledge id and the
    /// pledge's private link token. Refusals: validation (422), rate limits, the quantity rule.
    pub async fn pledge(&self, need_id: i64, raw: &RawPledge, client: &str, now: DateTime<Utc>) -> AppResult<(NeedSaved, String)> {
        let need = self.store.need(need_id).await?.ok_or(AppError::NotFound)?;
        if need.state == NeedState::TakenDown {
            return Err(AppError::NotFound);
        }
        let (sub, contact) = raw.validate(today(now), need.until)?;
        let contact_key = contact.email.clone().or_else(|| contact.phone.clone()).unwrap_or_default();
        let contact_hash = self.key.keyed_hash(HASH_CONTACT, &contact_key);
        let cfg = &self.config.kolaborasi;
        let hour = Duration::hours(1);
        let contact_limit = cfg.pledges_per_contact_per_hour;
        // Per client on this node: checked and counted in one step, given back if the pledge
        // fails. Per contact across nodes: counted inside the pledge's transaction (below).
        let client_key = format!("client:{client}");
        if !self.pledge_limiter.try_take(&client_key, now, hour, cfg.pledges_per_client_per_hour) {
            return Err(refused("err.aid_rate_limited"));
        }
        let token = new_token();
        let link = format!("{}/kolaborasi/janji/{token}", self.site());
        let mail = contact.email.as_deref().map(|to| {
            self.mail(
                format!("aid-pledge:{}", token_hash(&token)),
                to,
                "mail.aid_pledge.subject",
                "mail.aid_pledge.body",
                &[("title", &need.title), ("quantity", &sub.quantity.to_string()), ("deliver_by", &sub.deliver_by.to_string()), ("link", &link)],
                now,
            )
        });
        let pledge = NewPledge {
            quantity: sub.quantity,
            public_name: sub.public_name.clone(),
            contact_enc: self.key.seal_json(&contact),
            contact_hash,
            token_hash: token_hash(&token),
            deliver_by: sub.deliver_by,
            note: sub.note.clone(),
        };
        let day = today(now);
        let decide = |snap: &NeedSnapshot| {
            if snap.contact_recent >= contact_limit {
                return Err("err.aid_rate_limited");
            }
            let n = &snap.need;
            check_pledge(n.state, snap.org.state, &n.tally, n.until, day, sub.quantity, n.allow_over_pledge).map_err(PledgeRefusal::code)?;
            let tally = Tally { pledged: n.tally.pledged + sub.quantity, ..n.tally };
            let state = need_transition(n.state, NeedEvent::Pledge, &tally).map_err(forbidden_transition)?;
            Ok(NeedWrite {
                new_pledge: Some(pledge.clone()),
                events: vec![NewNeedEvent {
                    event: "pledge".into(),
                    actor_kind: "donor",
                    pledge: Some(Ref::New),
                    delivery: None,
                    quantity: Some(sub.quantity),
                    note: None,
                }],
                mails: mail.clone().into_iter().collect(),
                ..need_write(
                    state,
                    tally,
                    audit_entry("public", "aid.pledge", format!("need:{need_id}"), serde_json::json!({ "quantity": sub.quantity, "pledged": tally.pledged })),
                    now,
                )
            })
        };
        let contact_hash = pledge.contact_hash.clone();
        match self.store.change_need_for_contact(need_id, &contact_hash, now - hour, &decide).await {
            Ok(saved) => Ok((saved, token)),
            Err(e) => {
                self.pledge_limiter.give_back(&client_key, now);
                Err(e.into())
            }
        }
    }

    pub async fn pledge_by_token(&self, token: &str) -> AppResult<PledgeDetail> {
        let pledge = self.store.pledge_by_token(&token_hash(token)).await?.ok_or(AppError::NotFound)?;
        let contact = self.pledger_contact(&pledge)?;
        let need = self.need_detail(pledge.need).await?;
        Ok(PledgeDetail { pledge, contact, need })
    }

    /// The pledger cancels what is not yet delivered.
    pub async fn cancel_pledge(&self, token: &str, now: DateTime<Utc>) -> AppResult<StoredNeed> {
        let pledge = self.store.pledge_by_token(&token_hash(token)).await?.ok_or(AppError::NotFound)?;
        let pid = pledge.id;
        let decide = |snap: &NeedSnapshot| {
            let p = snap.pledges.iter().find(|p| p.id == pid).ok_or("err.not_found")?;
            let state = pledge_transition(p.state, PledgeEvent::Cancel, p.delivered, p.quantity).map_err(forbidden_transition)?;
            let released = p.quantity - p.delivered;
            let tally = Tally { pledged: snap.need.tally.pledged - released, ..snap.need.tally };
            let need_state = need_transition(snap.need.state, NeedEvent::PledgeReleased, &tally).map_err(forbidden_transition)?;
            Ok(NeedWrite {
                pledge_updates: vec![PledgeUpdate { id: pid, state, delivered: p.delivered }],
                events: vec![NewNeedEvent {
                    event: "pledge_cancelled".into(),
                    actor_kind: "donor",
                    pledge: Some(Ref::Existing(pid)),
                    delivery: None,
                    quantity: Some(released),
                    note: None,
                }],
                ..need_write(
                    need_state,
                    tally,
                    audit_entry("public", "aid.pledge.cancel", format!("need:{}", snap.need.id), serde_json::json!({ "pledge": pid, "released": released })),
                    now,
                )
            })
        };
        Ok(self.store.change_need(pledge.need, true, &decide).await?.need)
    }

    // ------------------------------------------------------------ deliveries

    fn check_proof(&self, proof: Option<Upload>) -> AppResult<Option<(Upload, &'static str)>> {
        let Some(p) = proof.filter(|p| !p.data.is_empty()) else { return Ok(None) };
        if p.data.len() > self.config.kolaborasi.max_proof_bytes {
            return Err(AppError::field("proof", "err.file_too_large"));
        }
        let ct = if p.data.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "image/jpeg"
        } else if p.data.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if p.data.starts_with(b"%PDF-") {
            "application/pdf"
        } else {
            return Err(AppError::field("proof", "err.file_type_proof"));
        };
        Ok(Some((p, ct)))
    }

    /// The pledger records a delivery (with an optional proof photo or document).
    pub async fn record_delivery(&self, token: &str, raw: &RawDelivery, proof: Option<Upload>, now: DateTime<Utc>) -> AppResult<StoredNeed> {
        let pledge = self.store.pledge_by_token(&token_hash(token)).await?.ok_or(AppError::NotFound)?;
        if pledge.state != PledgeState::Active {
            return Err(refused("err.aid_pledge_closed"));
        }
        let sub = raw.validate(today(now), wib_date(pledge.created_at), pledge.quantity - pledge.delivered)?;
        let proof = self.check_proof(proof)?;
        let proof_file = match proof {
            None => None,
            Some((p, ct)) => {
                let sha = sha256_hex(&p.data);
                let key = format!("aid-proof/{sha}");
                let size = p.data.len() as i64;
                self.blobs.put(&key, p.data).await.map_err(|e| AppError::Internal(anyhow::anyhow!("object store: {e}")))?;
                Some(ProofFile { key, sha256: sha, filename: safe_filename(&p.filename), content_type: ct.into(), size })
            }
        };
        let need = self.store.need(pledge.need).await?.ok_or(AppError::NotFound)?;
        let org = self.store.org(need.org).await?.ok_or(AppError::NotFound)?;
        let mail = self.org_mail_to(&org)?.map(|to| {
            let link_hint = format!("{}/kolaborasi/kebutuhan/{}", self.site(), need.id);
            self.mail(
                format!("aid-delivery:{}:{}:{}", pledge.id, pledge.delivered + sub.quantity, now.timestamp()),
                &to,
                "mail.aid_delivery.subject",
                "mail.aid_delivery.body",
                &[("title", &need.title), ("quantity", &sub.quantity.to_string()), ("link", &link_hint)],
                now,
            )
        });
        let pid = pledge.id;
        let decide = |snap: &NeedSnapshot| {
            let p = snap.pledges.iter().find(|p| p.id == pid).ok_or("err.not_found")?;
            if sub.quantity > p.quantity - p.delivered {
                return Err("err.aid_over_delivery");
            }
            let delivered = p.delivered + sub.quantity;
            let pstate = pledge_transition(p.state, PledgeEvent::Deliver, delivered, p.quantity).map_err(|_| "err.aid_pledge_closed")?;
            let tally = Tally { delivered: snap.need.tally.delivered + sub.quantity, ..snap.need.tally };
            let state = need_transition(snap.need.state, NeedEvent::DeliveryRecorded, &tally).map_err(forbidden_transition)?;
            Ok(NeedWrite {
                pledge_updates: vec![PledgeUpdate { id: pid, state: pstate, delivered }],
                new_delivery: Some(NewDelivery {
                    pledge: pid,
                    quantity: sub.quantity,
                    delivered_on: sub.delivered_on,
                    note: sub.note.clone(),
                    proof: proof_file.clone(),
                }),
                events: vec![NewNeedEvent {
                    event: "delivery".into(),
                    actor_kind: "donor",
                    pledge: Some(Ref::Existing(pid)),
                    delivery: Some(Ref::New),
                    quantity: Some(sub.quantity),
                    note: None,
                }],
                mails: mail.clone().into_iter().collect(),
                ..need_write(
                    state,
                    tally,
                    audit_entry(
                        "public",
                        "aid.delivery.record",
                        format!("need:{}", snap.need.id),
                        serde_json::json!({ "pledge": pid, "quantity": sub.quantity, "proof_sha256": proof_file.as_ref().map(|p| p.sha256.clone()) }),
                    ),
                    now,
                )
            })
        };
        Ok(self.store.change_need(pledge.need, true, &decide).await?.need)
    }

    /// A delivery step by the posting organisation (confirm, dispute) or a moderator (resolve).
    async fn delivery_step(
        &self,
        need_id: i64,
        delivery_id: i64,
        event: DeliveryEvent,
        note: Option<String>,
        actor: (&str, &'static str),
        now: DateTime<Utc>,
    ) -> AppResult<StoredNeed> {
        let decide = |snap: &NeedSnapshot| {
            let d = snap.deliveries.iter().find(|d| d.id == delivery_id).ok_or("err.not_found")?;
            let dstate = delivery_transition(d.state, event).map_err(forbidden_transition)?;
            let mut tally = snap.need.tally;
            let mut pledge_updates = vec![];
            let need_event = match dstate {
                DeliveryState::Confirmed => {
                    tally.confirmed += d.quantity;
                    NeedEvent::DeliveryConfirmed
                }
                DeliveryState::Rejected => {
                    tally.delivered -= d.quantity;
                    let p = snap.pledges.iter().find(|p| p.id == d.pledge).ok_or("err.not_found")?;
                    let delivered = p.delivered - d.quantity;
                    let mut pstate = pledge_transition(p.state, PledgeEvent::DeliveryRejected, delivered, p.quantity).map_err(forbidden_transition)?;
                    // On a need that has closed, a pledge owed again cannot be delivered any
                    // more: it closes the way the need did.
                    if pstate == PledgeState::Active && snap.need.state.is_closed() {
                        let close = if snap.need.state == NeedState::Expired { PledgeEvent::Expire } else { PledgeEvent::Cancel };
                        pstate = pledge_transition(pstate, close, delivered, p.quantity).map_err(forbidden_transition)?;
                    }
                    tally.pledged += committed(pstate, p.quantity, delivered) - committed(p.state, p.quantity, p.delivered);
                    pledge_updates.push(PledgeUpdate { id: p.id, state: pstate, delivered });
                    NeedEvent::DeliveryDisputed
                }
                _ => NeedEvent::DeliveryDisputed,
            };
            let state = need_transition(snap.need.state, need_event, &tally).map_err(forbidden_transition)?;
            let (dispute_reason, resolution_note) = match event {
                DeliveryEvent::Dispute => (note.clone(), None),
                DeliveryEvent::ResolveAccept | DeliveryEvent::ResolveReject => (None, note.clone()),
                DeliveryEvent::Confirm => (None, None),
            };
            // The dispute reason is the organisation's own words and may name people: it stays
            // off the public history, which records only that a dispute happened. A moderator's
            // resolution note is written for the public.
            let public_note = if event == DeliveryEvent::Dispute { None } else { resolution_note.clone() };
            Ok(NeedWrite {
                pledge_updates,
                delivery_updates: vec![DeliveryUpdate { id: delivery_id, state: dstate, dispute_reason, resolution_note }],
                events: vec![NewNeedEvent {
                    event: format!("delivery_{event}"),
                    actor_kind: actor.1,
                    pledge: Some(Ref::Existing(d.pledge)),
                    delivery: Some(Ref::Existing(delivery_id)),
                    quantity: Some(d.quantity),
                    note: public_note,
                }],
                ..need_write(
                    state,
                    tally,
                    audit_entry(actor.0, &format!("aid.delivery.{event}"), format!("need:{need_id}"), serde_json::json!({ "delivery": delivery_id })),
                    now,
                )
            })
        };
        Ok(self.store.change_need(need_id, true, &decide).await?.need)
    }

    /// The posting organisation confirms it received a delivery.
    pub async fn confirm_delivery(&self, org_token: &str, need_id: i64, delivery_id: i64, now: DateTime<Utc>) -> AppResult<StoredNeed> {
        let (org, _) = self.org_need(org_token, need_id).await?;
        self.delivery_step(need_id, delivery_id, DeliveryEvent::Confirm, None, (&format!("org:{}", org.id), "org"), now).await
    }

    /// The posting organisation disputes a delivery (reason required); a moderator decides.
    pub async fn dispute_delivery(
        &self,
        org_token: &str,
        need_id: i64,
        delivery_id: i64,
        reason: &Option<String>,
        now: DateTime<Utc>,
    ) -> AppResult<StoredNeed> {
        let (org, _) = self.org_need(org_token, need_id).await?;
        let reason = terbuka_domain::validate::reason("reason", reason, 10)?;
        self.delivery_step(need_id, delivery_id, DeliveryEvent::Dispute, Some(reason), (&format!("org:{}", org.id), "org"), now).await
    }

    /// A moderator resolves a dispute; the note is public.
    pub async fn resolve_dispute(&self, actor: &Actor, delivery_id: i64, accept: bool, note: &Option<String>, now: DateTime<Utc>) -> AppResult<StoredNeed> {
        self.actor_allowed(actor, Action::ModerateAid)?;
        let note = terbuka_domain::validate::reason("note", note, 10)?;
        let d = self.store.delivery(delivery_id).await?.ok_or(AppError::NotFound)?;
        let event = if accept { DeliveryEvent::ResolveAccept } else { DeliveryEvent::ResolveReject };
        self.delivery_step(d.need, delivery_id, event, Some(note), (&officer_label(actor), "officer"), now).await
    }

    /// A delivery proof, for the posting organisation (by its link) or a moderator.
    pub async fn delivery_proof(&self, org_token: Option<&str>, actor: Option<&Actor>, delivery_id: i64) -> AppResult<(ProofFile, Vec<u8>)> {
        let d = self.store.delivery(delivery_id).await?.ok_or(AppError::NotFound)?;
        match (org_token, actor) {
            (Some(t), _) => {
                self.org_need(t, d.need).await?;
            }
            (None, Some(a)) => self.actor_allowed(a, Action::ModerateAid)?,
            (None, None) => return Err(AppError::NotFound),
        }
        let proof = d.proof.ok_or(AppError::NotFound)?;
        let data = self.blobs.get(&proof.key).await.map_err(|e| AppError::Internal(anyhow::anyhow!("object store: {e}")))?;
        Ok((proof, data))
    }

    // ------------------------------------------------------------ moderation

    /// Anyone reports a need to the moderators (anonymous).
    pub async fn report_need(&self, need_id: i64, raw: &RawReport, now: DateTime<Utc>) -> AppResult<i64> {
        let need = self.store.need(need_id).await?.ok_or(AppError::NotFound)?;
        if need.state == NeedState::TakenDown {
            return Err(refused("err.aid_not_now"));
        }
        let (reason, detail) = raw.validate()?;
        let audit = audit_entry("public", "aid.need.report", format!("need:{need_id}"), serde_json::json!({ "reason": reason.as_str() }));
        Ok(self.store.insert_report(NewReport { need: need_id, reason, detail, at: now }, audit).await?)
    }

    pub async fn moderation_queue(&self, actor: &Actor) -> AppResult<ModerationQueue> {
        self.actor_allowed(actor, Action::ModerateAid)?;
        let pending_orgs = self.store.list_orgs(&[OrgState::Pending]).await?;
        let mut reports = Vec::new();
        for r in self.store.list_reports(true).await? {
            let n = self.store.need(r.need).await?;
            reports.push((r, n));
        }
        let mut disputes = Vec::new();
        for d in self.store.deliveries_in(DeliveryState::Disputed).await? {
            let n = self.store.need(d.need).await?;
            disputes.push((d, n));
        }
        Ok(ModerationQueue { pending_orgs, reports, disputes })
    }

    /// Takes a need down with a public note; active pledges are released; reports are closed.
    pub async fn take_down(&self, actor: &Actor, need_id: i64, note: &Option<String>, now: DateTime<Utc>) -> AppResult<StoredNeed> {
        self.actor_allowed(actor, Action::ModerateAid)?;
        let note = terbuka_domain::validate::reason("note", note, 10)?;
        let decide = |snap: &NeedSnapshot| {
            let (updates, tally, ids) = Self::release_all(snap, PledgeEvent::Cancel);
            let state = need_transition(snap.need.state, NeedEvent::TakeDown, &tally).map_err(forbidden_transition)?;
            Ok(NeedWrite {
                takedown_note: Some(Some(note.clone())),
                pledge_updates: updates,
                events: vec![NewNeedEvent {
                    event: "take_down".into(),
                    actor_kind: "officer",
                    pledge: None,
                    delivery: None,
                    quantity: None,
                    note: Some(note.clone()),
                }],
                close_reports: Some(note.clone()),
                mails: self.release_mails(snap, &ids, now),
                ..need_write(
                    state,
                    tally,
                    audit_entry(&officer_label(actor), "aid.need.take_down", format!("need:{need_id}"), serde_json::json!({ "released_pledges": ids.len() })),
                    now,
                )
            })
        };
        Ok(self.store.change_need(need_id, true, &decide).await?.need)
    }

    /// Puts a taken-down need back (after review); it takes pledges again if still in time.
    pub async fn reinstate_need(&self, actor: &Actor, need_id: i64, note: &Option<String>, now: DateTime<Utc>) -> AppResult<StoredNeed> {
        self.actor_allowed(actor, Action::ModerateAid)?;
        let note = terbuka_domain::validate::reason("note", note, 10)?;
        let decide = |snap: &NeedSnapshot| {
            let state = need_transition(snap.need.state, NeedEvent::Reinstate, &snap.need.tally).map_err(forbidden_transition)?;
            Ok(NeedWrite {
                takedown_note: Some(None),
                events: vec![NewNeedEvent {
                    event: "reinstate".into(),
                    actor_kind: "officer",
                    pledge: None,
                    delivery: None,
                    quantity: None,
                    note: Some(note.clone()),
                }],
                ..need_write(
                    state,
                    snap.need.tally,
                    audit_entry(&officer_label(actor), "aid.need.reinstate", format!("need:{need_id}"), serde_json::json!({})),
                    now,
                )
            })
        };
        Ok(self.store.change_need(need_id, false, &decide).await?.need)
    }

    /// Closes a need's open reports without taking it down (the note is kept with the reports).
    pub async fn dismiss_reports(&self, actor: &Actor, need_id: i64, note: &Option<String>, now: DateTime<Utc>) -> AppResult<StoredNeed> {
        self.actor_allowed(actor, Action::ModerateAid)?;
        let note = terbuka_domain::validate::reason("note", note, 5)?;
        let decide = |snap: &NeedSnapshot| {
            Ok(NeedWrite {
                close_reports: Some(note.clone()),
                ..need_write(
                    snap.need.state,
                    snap.need.tally,
                    audit_entry(&officer_label(actor), "aid.need.reports_dismissed", format!("need:{need_id}"), serde_json::json!({})),
                    now,
                )
            })
        };
        Ok(self.store.change_need(need_id, false, &decide).await?.need)
    }

    /// Adds or edits a catalogue entry.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_item_type(
        &self,
        actor: &Actor,
        code: &Option<String>,
        name_id: &Option<String>,
        name_en: &Option<String>,
        unit_id: &Option<String>,
        unit_en: &Option<String>,
        active: bool,
    ) -> AppResult<i64> {
        self.actor_allowed(actor, Action::ModerateAid)?;
        let mut e = FieldErrors::default();
        let code = code.as_deref().map(str::trim).unwrap_or_default().to_lowercase();
        if code.len() < 2 || code.len() > 40 || !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            e.add("code", "err.code_format");
        }
        let mut req = |field: &'static str, v: &Option<String>| {
            let s = v.as_deref().map(str::trim).unwrap_or_default().to_string();
            if s.is_empty() || s.chars().count() > 80 {
                e.add(field, if s.is_empty() { "err.required" } else { "err.too_long" });
            }
            s
        };
        let item = AidItemType {
            id: 0,
            code,
            name_id: req("name_id", name_id),
            name_en: req("name_en", name_en),
            unit_id: req("unit_id", unit_id),
            unit_en: req("unit_en", unit_en),
            active,
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let audit = audit_entry(&officer_label(actor), "aid.catalogue.save", format!("item_type:{}", item.code), serde_json::json!({ "active": active }));
        Ok(self.store.upsert_aid_item_type(item, audit).await?)
    }

    // ------------------------------------------------------------ beneficiaries

    /// Uploads a need's beneficiary list (rows of a CSV/XLSX sheet). Only keyed hashes are
    /// stored; the answer lists households already helped with the same kind of aid in an
    /// overlapping period by another need, as short pseudonyms.
    pub async fn upload_beneficiaries(
        &self,
        actor: &Actor,
        need_id: i64,
        rows: &[Vec<String>],
        now: DateTime<Utc>,
    ) -> std::result::Result<BeneficiaryOutcome, BeneficiaryError> {
        self.actor_allowed(actor, Action::ManageBeneficiaries)?;
        let need = self.store.need(need_id).await?.ok_or(AppError::NotFound)?;
        if need.state == NeedState::TakenDown || need.state == NeedState::Cancelled {
            return Err(refused("err.aid_not_now").into());
        }
        let list = parse_beneficiaries(rows).map_err(BeneficiaryError::Rows)?;
        let entries: Vec<(String, String)> = list.iter().map(|b| (self.key.keyed_hash(HASH_NIK, &b.nik), self.key.keyed_hash(HASH_KK, &b.household))).collect();
        drop(list);
        let window = AidWindow { need: need.id, item_type: need.item_type, from: wib_date(need.created_at), until: need.until };
        let others: Vec<(AidWindow, Vec<String>)> = self
            .store
            .overlapping_lists(need.item_type, window.from, window.until, need.id)
            .await?
            .into_iter()
            .map(|o| (AidWindow { need: o.need, item_type: o.item_type, from: o.window_from, until: o.window_until }, o.households))
            .collect();
        let households: Vec<String> = entries.iter().map(|e| e.1.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let flags = duplicate_flags(&window, &households, &others);
        let flagged = flags.iter().map(|f| &f.household).collect::<BTreeSet<_>>().len();
        let rows_n = entries.len();
        let list = NewBeneficiaryList {
            need: need.id,
            item_type: need.item_type,
            window_from: window.from,
            window_until: window.until,
            uploaded_by: actor.officer,
            entries,
            flagged: flagged as i64,
            at: now,
        };
        let audit = audit_entry(
            &officer_label(actor),
            "aid.beneficiaries.upload",
            format!("need:{need_id}"),
            serde_json::json!({ "rows": rows_n, "households": households.len(), "flagged": flagged }),
        );
        self.store.save_beneficiaries(list, audit).await.map_err(AppError::from)?;
        Ok(BeneficiaryOutcome {
            rows: rows_n,
            households: households.len(),
            flags: flags.into_iter().map(|f| (f.household[..10].to_string(), f.other_need)).collect(),
        })
    }

    pub async fn beneficiary_list(&self, actor: &Actor, need_id: i64) -> AppResult<Option<BeneficiaryListMeta>> {
        self.actor_allowed(actor, Action::ManageBeneficiaries)?;
        Ok(self.store.beneficiary_list(need_id).await?)
    }

    // ------------------------------------------------------------ jobs

    /// Expires pledges not delivered in time (their quantity returns to the need) and needs past
    /// their date. Idempotent; safe on several nodes at once (each change re-checks the state
    /// inside its transaction). Returns (pledges expired, needs expired).
    pub async fn run_aid_schedule(&self, now: DateTime<Utc>) -> AppResult<(usize, usize)> {
        let day = today(now);
        let mut pledges = 0;
        for (need_id, pid) in self.store.pledges_past_due(day).await? {
            let decide = |snap: &NeedSnapshot| {
                let p = snap.pledges.iter().find(|p| p.id == pid).ok_or("err.not_found")?;
                if !pledge_expired(p.deliver_by, day) {
                    return Err("err.aid_not_now");
                }
                let state = pledge_transition(p.state, PledgeEvent::Expire, p.delivered, p.quantity).map_err(forbidden_transition)?;
                let released = p.quantity - p.delivered;
                let tally = Tally { pledged: snap.need.tally.pledged - released, ..snap.need.tally };
                let need_state = need_transition(snap.need.state, NeedEvent::PledgeReleased, &tally).map_err(forbidden_transition)?;
                let mails = self
                    .pledger_contact(p)
                    .ok()
                    .and_then(|c| c.email)
                    .map(|e| {
                        self.mail(
                            format!("aid-pledge-expired:{pid}"),
                            &e,
                            "mail.aid_pledge_expired.subject",
                            "mail.aid_pledge_expired.body",
                            &[("title", &snap.need.title)],
                            now,
                        )
                    })
                    .into_iter()
                    .collect();
                Ok(NeedWrite {
                    pledge_updates: vec![PledgeUpdate { id: pid, state, delivered: p.delivered }],
                    events: vec![NewNeedEvent {
                        event: "pledge_expired".into(),
                        actor_kind: "system",
                        pledge: Some(Ref::Existing(pid)),
                        delivery: None,
                        quantity: Some(released),
                        note: None,
                    }],
                    mails,
                    ..need_write(
                        need_state,
                        tally,
                        audit_entry(
                            "system",
                            "aid.pledge.expire",
                            format!("need:{}", snap.need.id),
                            serde_json::json!({ "pledge": pid, "released": released }),
                        ),
                        now,
                    )
                })
            };
            match self.store.change_need(need_id, true, &decide).await {
                Ok(_) => pledges += 1,
                Err(StoreError::Refused(_)) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let mut needs = 0;
        for need_id in self.store.needs_past_until(day).await? {
            let decide = |snap: &NeedSnapshot| {
                if !need_expired(snap.need.state, snap.need.until, day) {
                    return Err("err.aid_not_now");
                }
                let (updates, tally, ids) = Self::release_all(snap, PledgeEvent::Expire);
                let state = need_transition(snap.need.state, NeedEvent::Expire, &tally).map_err(forbidden_transition)?;
                Ok(NeedWrite {
                    pledge_updates: updates,
                    events: vec![NewNeedEvent { event: "expire".into(), actor_kind: "system", pledge: None, delivery: None, quantity: None, note: None }],
                    ..need_write(
                        state,
                        tally,
                        audit_entry("system", "aid.need.expire", format!("need:{}", snap.need.id), serde_json::json!({ "released_pledges": ids.len() })),
                        now,
                    )
                })
            };
            match self.store.change_need(need_id, true, &decide).await {
                Ok(_) => needs += 1,
                Err(StoreError::Refused(_)) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if pledges + needs > 0 {
            tracing::info!(pledges, needs, "kolaborasi: expired");
        }
        Ok((pledges, needs))
    }

    // ------------------------------------------------------------ the public ledger

    /// Totals by kota, kecamatan, kelurahan, item type and opted-in donor. Taken-down needs are
    /// counted apart and left out of the totals.
    pub async fn ledger(&self) -> AppResult<Ledger> {
        let needs = self.store.list_needs(&NeedFilter::default()).await?.items;
        let types: BTreeMap<i64, AidItemType> = self.store.aid_item_types().await?.into_iter().map(|t| (t.id, t)).collect();
        let mut ledger = Ledger::default();
        let mut kota: BTreeMap<String, LedgerRow> = BTreeMap::new();
        let mut kec: BTreeMap<String, LedgerRow> = BTreeMap::new();
        let mut kel: BTreeMap<String, LedgerRow> = BTreeMap::new();
        let mut item: BTreeMap<i64, LedgerRow> = BTreeMap::new();
        let region_row = |map: &mut BTreeMap<String, LedgerRow>, code: &str, n: &StoredNeed, level: RegionLevel| {
            if let Some(r) = self.regions.ancestor_at(code, level) {
                let row = map.entry(r.code.clone()).or_insert_with(|| LedgerRow { key: r.code.clone(), label: r.short_name.clone(), ..Default::default() });
                row.needs += 1;
                match n.state {
                    NeedState::Open | NeedState::PartlyPledged | NeedState::FullyPledged => row.needs_open += 1,
                    NeedState::Delivered | NeedState::Verified => row.needs_met += 1,
                    _ => row.needs_closed_unmet += 1,
                }
            }
        };
        for n in &needs {
            if n.state == NeedState::TakenDown {
                ledger.taken_down += 1;
                continue;
            }
            region_row(&mut kota, &n.region, n, RegionLevel::KotaKab);
            region_row(&mut kec, &n.region, n, RegionLevel::Kecamatan);
            region_row(&mut kel, &n.region, n, RegionLevel::Kelurahan);
            let t = types.get(&n.item_type);
            item.entry(n.item_type)
                .or_insert_with(|| LedgerRow {
                    key: t.map(|t| t.code.clone()).unwrap_or_default(),
                    label: t.map(|t| t.name_id.clone()).unwrap_or_default(),
                    item_type: t.map(|t| t.code.clone()),
                    ..Default::default()
                })
                .add_need(n);
        }
        let live: BTreeMap<i64, &StoredNeed> = needs.iter().filter(|n| n.state != NeedState::TakenDown).map(|n| (n.id, n)).collect();
        let mut donors: BTreeMap<(String, i64), LedgerRow> = BTreeMap::new();
        let mut named_by_item: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        let mut donor_needs: BTreeSet<(String, i64, i64)> = BTreeSet::new();
        for p in self.store.named_pledges().await? {
            let (Some(name), Some(n)) = (p.public_name.clone(), live.get(&p.need)) else { continue };
            let committed = committed(p.state, p.quantity, p.delivered);
            let t = types.get(&n.item_type);
            let row = donors.entry((name.clone(), n.item_type)).or_insert_with(|| LedgerRow {
                key: name.clone(),
                label: name.clone(),
                item_type: t.map(|t| t.code.clone()),
                ..Default::default()
            });
            // A donor's row counts the needs they helped, once each, like every other row.
            if donor_needs.insert((name.clone(), n.item_type, n.id)) {
                row.needs += 1;
            }
            row.pledged += committed;
            row.delivered += p.delivered;
            let e = named_by_item.entry(n.item_type).or_default();
            e.0 += committed;
            e.1 += p.delivered;
        }
        ledger.unnamed = item
            .values()
            .filter_map(|row| {
                let id = types.values().find(|t| Some(&t.code) == row.item_type.as_ref())?.id;
                let (p, d) = named_by_item.get(&id).copied().unwrap_or_default();
                Some(LedgerRow {
                    key: row.key.clone(),
                    label: row.label.clone(),
                    item_type: row.item_type.clone(),
                    pledged: row.pledged - p,
                    delivered: row.delivered - d,
                    ..Default::default()
                })
            })
            .collect();
        ledger.by_kota = kota.into_values().collect();
        ledger.by_kecamatan = kec.into_values().collect();
        ledger.by_kelurahan = kel.into_values().collect();
        ledger.by_item = item.into_values().collect();
        let mut by_donor: Vec<LedgerRow> = donors.into_values().collect();
        // Quantities are only comparable within one kind of aid (cash is in rupiah).
        by_donor.sort_by(|a, b| a.item_type.cmp(&b.item_type).then_with(|| b.pledged.cmp(&a.pledged)).then_with(|| a.label.cmp(&b.label)));
        ledger.by_donor = by_donor;
        Ok(ledger)
    }
}

/// A beneficiary upload either fails as a whole use case or row by row.
#[derive(Debug)]
pub enum BeneficiaryError {
    App(AppError),
    Rows(Vec<RowProblem>),
}

impl From<AppError> for BeneficiaryError {
    fn from(e: AppError) -> Self {
        BeneficiaryError::App(e)
    }
}

impl From<StoreError> for BeneficiaryError {
    fn from(e: StoreError) -> Self {
        BeneficiaryError::App(e.into())
    }
}
