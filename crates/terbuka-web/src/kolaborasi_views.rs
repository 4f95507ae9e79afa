//! What of kolaborasi may leave the server publicly: the privacy boundary of the aid ledger.
//!
//! Public pages, the public API and the downloads serialise only these structs. None has a field
//! that can hold a pledger's name or contact, an organisation's contact person, a dispute
//! reason (the organisation's own words, which may name people), a proof file, or anything of a
//! beneficiary list. A pledger's name appears only as the `public_name` they opted in to.

use serde::Serialize;
use terbuka_app::kolaborasi::NeedDetail;
use terbuka_domain::kolaborasi::{DeliveryState, NeedState};
use terbuka_domain::region::{RegionLevel, Regions};
use terbuka_store::{AidItemType, NeedEventRow, StoredDelivery, StoredNeed, StoredOrg, StoredPledge};

#[derive(Debug, Clone, Serialize)]
pub struct PublicOrg {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub state: String,
    pub verified: bool,
    /// Date of the (latest) verification: the badge shown on everything the organisation posts.
    pub verified_on: Option<String>,
    pub public_email: Option<String>,
    pub public_phone: Option<String>,
    pub region: String,
}

impl PublicOrg {
    pub fn of(o: &StoredOrg) -> PublicOrg {
        PublicOrg {
            id: o.id,
            name: o.name.clone(),
            kind: o.kind.as_str().into(),
            state: o.state.as_str().into(),
            verified: o.state == terbuka_domain::kolaborasi::OrgState::Verified,
            verified_on: o.verified_at.map(|t| terbuka_domain::calendar::wib_date(t).to_string()),
            public_email: o.public_email.clone(),
            public_phone: o.public_phone.clone(),
            region: o.region.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicRegion {
    pub kelurahan_code: String,
    pub kelurahan: String,
    pub kecamatan: String,
    pub kota: String,
}

pub fn region_of(regions: &Regions, code: &str) -> PublicRegion {
    let name = |level| regions.ancestor_at(code, level).map(|r| r.short_name.clone()).unwrap_or_default();
    PublicRegion {
        kelurahan_code: code.to_string(),
        kelurahan: name(RegionLevel::Kelurahan),
        kecamatan: name(RegionLevel::Kecamatan),
        kota: name(RegionLevel::KotaKab),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicItemType {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub unit_id: String,
    pub unit_en: String,
}

impl PublicItemType {
    pub fn of(t: &AidItemType) -> PublicItemType {
        PublicItemType { code: t.code.clone(), name_id: t.name_id.clone(), name_en: t.name_en.clone(), unit_id: t.unit_id.clone(), unit_en: t.unit_en.clone() }
    }
}

/// A need in lists, the API and downloads.
#[derive(Debug, Clone, Serialize)]
pub struct PublicNeed {
    pub id: i64,
    pub title: String,
    /// Withheld (empty) when the need was taken down: the take-down note stands in its place.
    pub description: Option<String>,
    pub item_type: String,
    pub quantity: i64,
    pub pledged: i64,
    pub delivered: i64,
    pub confirmed: i64,
    pub remaining: i64,
    pub region: PublicRegion,
    pub rw: Option<String>,
    pub households: Option<i64>,
    pub people: Option<i64>,
    pub until: String,
    pub allow_over_pledge: bool,
    pub state: String,
    pub takedown_note: Option<String>,
    pub org_id: i64,
    pub posted_on: String,
    pub updated_at: String,
}

impl PublicNeed {
    pub fn of(n: &StoredNeed, item_code: &str, regions: &Regions) -> PublicNeed {
        let down = n.state == NeedState::TakenDown;
        PublicNeed {
            id: n.id,
            title: n.title.clone(),
            description: if down { None } else { n.description.clone() },
            item_type: item_code.to_string(),
            quantity: n.quantity,
            pledged: n.tally.pledged,
            delivered: n.tally.delivered,
            confirmed: n.tally.confirmed,
            remaining: n.tally.remaining(),
            region: region_of(regions, &n.region),
            rw: n.rw.clone(),
            households: n.households,
            people: n.people,
            until: n.until.to_string(),
            allow_over_pledge: n.allow_over_pledge,
            state: n.state.as_str().into(),
            takedown_note: n.takedown_note.clone(),
            org_id: n.org,
            posted_on: terbuka_domain::calendar::wib_date(n.created_at).to_string(),
            updated_at: n.updated_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicPledge {
    pub id: i64,
    pub quantity: i64,
    pub delivered: i64,
    pub state: String,
    /// Only when the pledger opted in; otherwise `null` ("anonymous donor").
    pub donor: Option<String>,
    pub pledged_on: String,
    pub deliver_by: String,
}

impl PublicPledge {
    pub fn of(p: &StoredPledge) -> PublicPledge {
        PublicPledge {
            id: p.id,
            quantity: p.quantity,
            delivered: p.delivered,
            state: p.state.as_str().into(),
            donor: p.public_name.clone(),
            pledged_on: terbuka_domain::calendar::wib_date(p.created_at).to_string(),
            deliver_by: p.deliver_by.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicDelivery {
    pub id: i64,
    pub pledge_id: i64,
    pub quantity: i64,
    pub delivered_on: String,
    pub state: String,
    /// That a proof was given, and its SHA-256 (tamper evidence); the file itself is not public.
    pub proof_sha256: Option<String>,
    /// A moderator's public note when a dispute was decided.
    pub resolution_note: Option<String>,
}

impl PublicDelivery {
    pub fn of(d: &StoredDelivery) -> PublicDelivery {
        PublicDelivery {
            id: d.id,
            pledge_id: d.pledge,
            quantity: d.quantity,
            delivered_on: d.delivered_on.to_string(),
            state: d.state.as_str().into(),
            proof_sha256: d.proof.as_ref().map(|p| p.sha256.clone()),
            resolution_note: if matches!(d.state, DeliveryState::Confirmed | DeliveryState::Rejected) { d.resolution_note.clone() } else { None },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicEvent {
    pub at: String,
    pub event: String,
    /// A role (`org`, `donor`, `officer`, `system`), never a person.
    pub actor: String,
    pub quantity: Option<i64>,
    pub note: Option<String>,
}

impl PublicEvent {
    pub fn of(e: &NeedEventRow) -> PublicEvent {
        PublicEvent { at: e.at.to_rfc3339(), event: e.event.clone(), actor: e.actor_kind.clone(), quantity: e.quantity, note: e.note.clone() }
    }
}

/// A need's public page and `/api/v1/kolaborasi/needs/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct PublicNeedPage {
    pub need: PublicNeed,
    pub item: PublicItemType,
    pub org: PublicOrg,
    pub pledges: Vec<PublicPledge>,
    pub deliveries: Vec<PublicDelivery>,
    pub history: Vec<PublicEvent>,
    pub takes_pledges: bool,
}

impl PublicNeedPage {
    pub fn of(d: &NeedDetail, regions: &Regions) -> PublicNeedPage {
        let down = d.need.state == NeedState::TakenDown;
        PublicNeedPage {
            need: PublicNeed::of(&d.need, &d.item_type.code, regions),
            item: PublicItemType::of(&d.item_type),
            org: PublicOrg::of(&d.org),
            // A taken-down need shows only the note and its history.
            pledges: if down { vec![] } else { d.pledges.iter().map(PublicPledge::of).collect() },
            deliveries: if down { vec![] } else { d.deliveries.iter().map(PublicDelivery::of).collect() },
            history: d.events.iter().map(PublicEvent::of).collect(),
            takes_pledges: d.need.state.takes_pledges() && d.org.state == terbuka_domain::kolaborasi::OrgState::Verified,
        }
    }
}
