//! What leaves the server, kept apart from the store's rows. This module is the privacy
//! boundary: [`PublicRequest`] is the only shape in which a request appears on public pages and
//! in the public API, and it has no field that can hold personal data (no name, NIK, address,
//! contact, occupation, purpose or free-text details; only the requester's optional, self-chosen
//! display name).

use chrono::NaiveDate;
use serde::Serialize;
use terbuka_app::service::{ObjectionDeadlines, OfficerView, Tracking};
use terbuka_domain::calendar::Deadlines;
use terbuka_store::{DocumentMeta, RequestEventRow, StoredObjection, StoredRequest, Unit};

#[derive(Debug, Serialize)]
pub struct PublicRequest {
    pub reg_no: String,
    pub subject: String,
    pub unit: Option<UnitRef>,
    pub channel: &'static str,
    pub received_on: NaiveDate,
    pub notice_due: NaiveDate,
    pub state: &'static str,
    pub outcome: Option<&'static str>,
    pub extended: bool,
    pub notice_on: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    /// Working days from receipt to the written notice.
    pub days_taken: Option<u32>,
    pub on_time: Option<bool>,
    pub overdue: bool,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

pub fn unit_ref(units: &[Unit], id: Option<i64>, lang: terbuka_domain::Lang) -> Option<UnitRef> {
    let u = units.iter().find(|u| Some(u.id) == id)?;
    Some(UnitRef { id: u.id, code: u.code.clone(), name: if lang == terbuka_domain::Lang::En { u.name_en.clone() } else { u.name.clone() } })
}

pub fn public_request(r: &StoredRequest, units: &[Unit], dl: &Deadlines, today: NaiveDate, lang: terbuka_domain::Lang) -> PublicRequest {
    let c = &r.clock;
    PublicRequest {
        reg_no: r.reg_no.clone(),
        subject: r.subject.clone(),
        unit: unit_ref(units, c.unit, lang),
        channel: r.channel.as_str(),
        received_on: c.day0,
        notice_due: c.notice_due,
        state: c.state.as_str(),
        outcome: c.outcome.map(|o| o.as_str()),
        extended: c.extended,
        notice_on: c.notice_day,
        delivered_on: c.delivered_day,
        days_taken: c.notice_day.map(|d| dl.working_days_taken(c.day0, d)),
        on_time: c.answered_late().map(|l| !l),
        overdue: c.is_overdue(today),
        display_name: r.display_name.clone(),
    }
}

#[derive(Debug, Serialize)]
pub struct PublicDocument {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

pub fn public_document(d: &DocumentMeta) -> PublicDocument {
    PublicDocument { id: d.id, filename: d.filename.clone(), content_type: d.content_type.clone(), size: d.size, sha256: d.sha256.clone() }
}

/// A keberatan in public: number, grounds, state and dates; never the requester's case summary.
#[derive(Debug, Serialize)]
pub struct PublicObjection {
    pub reg_no: String,
    pub grounds: Vec<&'static str>,
    pub state: &'static str,
    pub filed_on: NaiveDate,
    pub response_due: NaiveDate,
    pub response_on: Option<NaiveDate>,
    pub late: bool,
}

pub fn public_objection(o: &StoredObjection) -> PublicObjection {
    PublicObjection {
        reg_no: o.reg_no.clone(),
        grounds: o.clock.grounds.iter().map(|g| g.as_str()).collect(),
        state: o.clock.state.as_str(),
        filed_on: o.clock.day0,
        response_due: o.clock.response_due,
        response_on: o.clock.response_day,
        late: o.late,
    }
}

/// Public detail: the exemption ground and the named holder are public; the notice text (which
/// is addressed to the requester) is not.
#[derive(Debug, Serialize)]
pub struct PublicRequestDetail {
    #[serde(flatten)]
    pub request: PublicRequest,
    pub exemption_ground: Option<&'static str>,
    pub holder: Option<String>,
    pub documents: Vec<PublicDocument>,
    pub objections: Vec<PublicObjection>,
}

#[derive(Debug, Serialize)]
pub struct EventView {
    pub at: String,
    pub kind: String,
    pub by_officer: bool,
    pub to_state: Option<String>,
    pub note: Option<String>,
}

pub fn event_view(e: &RequestEventRow) -> EventView {
    EventView { at: e.at.to_rfc3339(), kind: e.kind.clone(), by_officer: e.actor.starts_with("officer:"), to_state: e.to_state.clone(), note: e.note.clone() }
}

#[derive(Debug, Serialize)]
pub struct ObjectionView {
    pub id: i64,
    #[serde(flatten)]
    pub public: PublicObjection,
    pub summary: String,
    pub decision_text: Option<String>,
    pub deadlines: ObjectionDeadlines,
    pub may_deliberate: bool,
}

pub fn objection_view(o: &StoredObjection, d: &ObjectionDeadlines) -> ObjectionView {
    ObjectionView {
        id: o.id,
        public: public_objection(o),
        summary: o.summary.clone(),
        decision_text: o.decision_text.clone(),
        deadlines: d.clone(),
        may_deliberate: o.clock.may_deliberate(),
    }
}

/// What the requester sees through the private link (their own case, never their identity).
#[derive(Debug, Serialize)]
pub struct TrackingView {
    #[serde(flatten)]
    pub request: PublicRequest,
    pub extension_reason: Option<String>,
    pub notice: Option<terbuka_domain::request::Notice>,
    pub fee: i64,
    pub events: Vec<EventView>,
    pub documents: Vec<PublicDocument>,
    pub objections: Vec<ObjectionView>,
    pub objection_window_end: Option<NaiveDate>,
    pub can_withdraw: bool,
    pub can_object: bool,
}

pub fn tracking_view(t: &Tracking, units: &[Unit], dl: &Deadlines, today: NaiveDate, lang: terbuka_domain::Lang) -> TrackingView {
    TrackingView {
        request: public_request(&t.request, units, dl, today, lang),
        extension_reason: t.request.extension_reason.clone(),
        notice: t.notice.clone(),
        fee: t.request.fee,
        events: t.events.iter().map(event_view).collect(),
        documents: t.documents.iter().map(public_document).collect(),
        objections: t
            .objections
            .iter()
            .map(|o| {
                let d = t.deadlines.iter().find(|(id, _)| *id == o.id).map(|(_, d)| d.clone()).expect("deadlines for each objection");
                objection_view(o, &d)
            })
            .collect(),
        objection_window_end: t.objection_window_end,
        can_withdraw: t.can_withdraw,
        can_object: t.can_object,
    }
}

/// The officer's view; `identity` is present only for officers allowed to see personal data.
#[derive(Debug, Serialize)]
pub struct OfficerRequestView {
    pub id: i64,
    pub version: i64,
    #[serde(flatten)]
    pub request: PublicRequest,
    pub details: String,
    pub purpose: String,
    pub obtain: Vec<&'static str>,
    pub delivery: &'static str,
    pub requester_kind: &'static str,
    pub identity: Option<terbuka_domain::validate::RequesterIdentity>,
    pub extension_reason: Option<String>,
    pub notice: Option<terbuka_domain::request::Notice>,
    pub fee: i64,
    pub events: Vec<EventView>,
    pub documents: Vec<OfficerDocument>,
    pub objections: Vec<ObjectionView>,
    pub due_soon: bool,
    pub may_handle: bool,
    pub may_route: bool,
    pub may_decide: bool,
}

#[derive(Debug, Serialize)]
pub struct OfficerDocument {
    pub id: i64,
    pub kind: &'static str,
    pub filename: String,
    pub size: i64,
}

pub fn officer_view(v: &OfficerView, units: &[Unit], dl: &Deadlines, today: NaiveDate, lang: terbuka_domain::Lang) -> OfficerRequestView {
    let r = &v.request;
    OfficerRequestView {
        id: r.id,
        version: r.version,
        request: public_request(r, units, dl, today, lang),
        details: r.details.clone(),
        purpose: r.purpose.clone(),
        obtain: r.obtain.iter().map(|o| o.as_str()).collect(),
        delivery: r.delivery.as_str(),
        requester_kind: r.requester_kind.as_str(),
        identity: v.identity.clone(),
        extension_reason: r.extension_reason.clone(),
        notice: v.notice.clone(),
        fee: r.fee,
        events: v.events.iter().map(event_view).collect(),
        documents: v.documents.iter().map(|d| OfficerDocument { id: d.id, kind: d.kind.as_str(), filename: d.filename.clone(), size: d.size }).collect(),
        objections: v.objections.iter().map(|(o, d)| objection_view(o, d)).collect(),
        due_soon: v.due_soon,
        may_handle: v.may_handle,
        may_route: v.may_route,
        may_decide: v.may_decide,
    }
}
