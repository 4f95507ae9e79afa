//! The officers' half of the API, behind `Authorization: Bearer <token>`. Who may do what is
//! decided by the use cases (`authz::can`), never here; the requester's identity leaves only
//! inside `views::OfficerRequestView`, and only for officers allowed to see it.

use super::extract::{id, truthy, Auth, Cx, FromJson, JsonBody, JsonObject, Nothing, OrApi, PathParams, QueryParams};
use super::public::{created_receipt, pages, receipt, SubmitBody};
use crate::http::ApiError;
use crate::pages::download;
use crate::pages::public::register_filter;
use crate::views::{self, ObjectionView, OfficerRequestView, PublicRequest};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use terbuka_app::service::{objection_deadlines, Upload};
use terbuka_app::AppError;
use terbuka_domain::authz::Actor;
use terbuka_domain::calendar::{wib_date, DayOff};
use terbuka_domain::objection::ObjectionEvent;
use terbuka_domain::validate::{date_field, reason, FieldErrors, RawNotice, RawOfficer};
use terbuka_domain::Lang;
use terbuka_store::{StoredRequest, Unit};

// ------------------------------------------------------------------------------- session

pub struct LoginBody {
    username: String,
    password: String,
}

impl FromJson for LoginBody {
    fn from_json(o: &mut JsonObject) -> Self {
        let required = |o: &mut JsonObject, name: &'static str| {
            let v = o.text(name).unwrap_or_default();
            if v.trim().is_empty() && o.errors.get(name).is_none() {
                o.errors.add(name, "err.required");
            }
            v
        };
        let username = required(o, "username");
        let password = required(o, "password");
        LoginBody { username, password }
    }
}

#[derive(Serialize)]
pub struct OfficerOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub unit: Option<i64>,
}

#[derive(Serialize)]
pub struct SessionOut {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub officer: OfficerOut,
}

/// Signs in. Failures count against the username and the client address, as on the login page;
/// a wrong password is a 401 `err.login_failed`.
pub async fn login(State(s): State<AppState>, cx: Cx, JsonBody(b): JsonBody<LoginBody>) -> Result<Response, ApiError> {
    let (o, session, token) = match s.app.login(&b.username, &b.password, &cx.client, Utc::now()).await {
        Ok(v) => v,
        Err(AppError::Invalid(_)) => return Err(ApiError::with(StatusCode::UNAUTHORIZED, "err.login_failed", cx.lang)),
        Err(e) => return Err(ApiError::new(e, cx.lang)),
    };
    let officer = OfficerOut { id: o.id, username: o.username, display_name: o.display_name, role: o.role.as_str(), unit: o.unit };
    Ok((StatusCode::CREATED, Json(SessionOut { token, expires_at: session.expires_at, officer })).into_response())
}

/// The officer behind the token.
pub async fn whoami(auth: Auth) -> Json<OfficerOut> {
    let o = auth.officer;
    Json(OfficerOut { id: o.id, username: o.username, display_name: o.display_name, role: o.role.as_str(), unit: o.unit })
}

pub async fn logout(State(s): State<AppState>, cx: Cx, auth: Auth) -> Result<StatusCode, ApiError> {
    s.app.logout(&auth.token).await.or_api(cx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------------------------- requests

/// A request in a list: its id (for the officer routes), its public columns, and whether its
/// notice is due within two working days.
#[derive(Serialize)]
pub struct RequestItem {
    pub id: i64,
    #[serde(flatten)]
    pub request: PublicRequest,
    pub due_soon: bool,
}

#[derive(Serialize)]
pub struct InboxPage {
    pub items: Vec<RequestItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

fn request_item(r: &StoredRequest, units: &[Unit], dl: &terbuka_domain::calendar::Deadlines, today: chrono::NaiveDate, lang: Lang) -> RequestItem {
    RequestItem { id: r.id, request: views::public_request(r, units, dl, today, lang), due_soon: r.clock.is_due_soon(today, dl) }
}

pub async fn inbox(State(s): State<AppState>, cx: Cx, auth: Auth, QueryParams(p): QueryParams) -> Result<Json<InboxPage>, ApiError> {
    let mut filter = register_filter(&p);
    filter.unrouted = truthy(p.str("unrouted"));
    let page = s.app.inbox(&auth.actor, filter).await.or_api(cx.lang)?;
    let units = s.app.units().await.or_api(cx.lang)?;
    let cal = s.app.calendar().await.or_api(cx.lang)?;
    let dl = s.app.deadlines(&cal);
    let today = wib_date(Utc::now());
    let items = page.items.iter().map(|r| request_item(r, &units, &dl, today, cx.lang)).collect();
    Ok(Json(InboxPage { items, total: page.total, page: p.page(), pages: pages(page.total) }))
}

async fn officer_request(s: &AppState, actor: &Actor, id: i64, lang: Lang) -> Result<OfficerRequestView, AppError> {
    let now = Utc::now();
    let v = s.app.officer_view(actor, id, now).await?;
    let units = s.app.units().await?;
    let cal = s.app.calendar().await?;
    let dl = s.app.deadlines(&cal);
    Ok(views::officer_view(&v, &units, &dl, wib_date(now), lang))
}

/// The answer to a request action: the officer's view of the request as it now stands (or, if
/// the action moved it out of the officer's sight, its id and public columns).
async fn after_action(s: &AppState, actor: &Actor, r: &StoredRequest, lang: Lang) -> Result<Response, ApiError> {
    match officer_request(s, actor, r.id, lang).await {
        Ok(v) => Ok(Json(v).into_response()),
        Err(AppError::Forbidden) => {
            let units = s.app.units().await.or_api(lang)?;
            let cal = s.app.calendar().await.or_api(lang)?;
            let dl = s.app.deadlines(&cal);
            Ok(Json(request_item(r, &units, &dl, wib_date(Utc::now()), lang)).into_response())
        }
        Err(e) => Err(ApiError::new(e, lang)),
    }
}

pub async fn request(State(s): State<AppState>, cx: Cx, auth: Auth, PathParams(rid): PathParams<String>) -> Result<Json<OfficerRequestView>, ApiError> {
    let rid = id(&rid, cx.lang)?;
    Ok(Json(officer_request(&s, &auth.actor, rid, cx.lang).await.or_api(cx.lang)?))
}

/// A request received at the desk, by post or by e-mail, with its real date of receipt.
pub async fn register_paper(State(s): State<AppState>, cx: Cx, auth: Auth, JsonBody(b): JsonBody<SubmitBody>) -> Result<Response, ApiError> {
    let sub = s.app.register_paper_request(&auth.actor, &b.raw, b.scan, Utc::now()).await.or_api(cx.lang)?;
    Ok(created_receipt(receipt(&s, &sub, true)))
}

pub struct RouteBody {
    unit: i64,
}

impl FromJson for RouteBody {
    fn from_json(o: &mut JsonObject) -> Self {
        let unit = o.int("unit", "err.choose_one");
        if unit.is_none() && o.errors.get("unit").is_none() {
            o.errors.add("unit", "err.choose_one");
        }
        RouteBody { unit: unit.unwrap_or_default() }
    }
}

pub async fn route(
    State(s): State<AppState>,
    cx: Cx,
    auth: Auth,
    PathParams(rid): PathParams<String>,
    JsonBody(b): JsonBody<RouteBody>,
) -> Result<Response, ApiError> {
    let rid = id(&rid, cx.lang)?;
    let r = s.app.route(&auth.actor, rid, b.unit, Utc::now()).await.or_api(cx.lang)?;
    after_action(&s, &auth.actor, &r, cx.lang).await
}

pub struct ReasonBody {
    reason: Option<String>,
}

impl FromJson for ReasonBody {
    fn from_json(o: &mut JsonObject) -> Self {
        ReasonBody { reason: o.text("reason") }
    }
}

pub async fn extend(
    State(s): State<AppState>,
    cx: Cx,
    auth: Auth,
    PathParams(rid): PathParams<String>,
    JsonBody(b): JsonBody<ReasonBody>,
) -> Result<Response, ApiError> {
    let rid = id(&rid, cx.lang)?;
    let r = s.app.extend(&auth.actor, rid, &b.reason, Utc::now()).await.or_api(cx.lang)?;
    after_action(&s, &auth.actor, &r, cx.lang).await
}

/// The written notice (`validate::RawNotice`) with optional response documents; a document with
/// `"publish": true` is released to the public register once the request is granted.
pub struct AnswerBody {
    raw: RawNotice,
    documents: Vec<(Upload, bool)>,
}

impl FromJson for AnswerBody {
    fn from_json(o: &mut JsonObject) -> Self {
        let documents = o.files("documents");
        AnswerBody { raw: o.raw(), documents }
    }
}

pub async fn answer(
    State(s): State<AppState>,
    cx: Cx,
    auth: Auth,
    PathParams(rid): PathParams<String>,
    JsonBody(b): JsonBody<AnswerBody>,
) -> Result<Response, ApiError> {
    let rid = id(&rid, cx.lang)?;
    let r = s.app.answer(&auth.actor, rid, &b.raw, b.documents, Utc::now()).await.or_api(cx.lang)?;
    after_action(&s, &auth.actor, &r, cx.lang).await
}

pub struct DocumentsBody {
    documents: Vec<(Upload, bool)>,
}

impl FromJson for DocumentsBody {
    fn from_json(o: &mut JsonObject) -> Self {
        DocumentsBody { documents: o.files("documents") }
    }
}

/// Attaches response documents without changing the request's state.
pub async fn attach(
    State(s): State<AppState>,
    cx: Cx,
    auth: Auth,
    PathParams(rid): PathParams<String>,
    JsonBody(b): JsonBody<DocumentsBody>,
) -> Result<Response, ApiError> {
    let rid = id(&rid, cx.lang)?;
    let r = s.app.attach_documents(&auth.actor, rid, b.documents, Utc::now()).await.or_api(cx.lang)?;
    after_action(&s, &auth.actor, &r, cx.lang).await
}

pub async fn notify_fee(
    State(s): State<AppState>,
    cx: Cx,
    auth: Auth,
    PathParams(rid): PathParams<String>,
    JsonBody(_): JsonBody<Nothing>,
) -> Result<Response, ApiError> {
    let rid = id(&rid, cx.lang)?;
    let r = s.app.notify_fee(&auth.actor, rid, Utc::now()).await.or_api(cx.lang)?;
    after_action(&s, &auth.actor, &r, cx.lang).await
}

pub async fn deliver(
    State(s): State<AppState>,
    cx: Cx,
    auth: Auth,
    PathParams(rid): PathParams<String>,
    JsonBody(_): JsonBody<Nothing>,
) -> Result<Response, ApiError> {
    let rid = id(&rid, cx.lang)?;
    let r = s.app.deliver(&auth.actor, rid, Utc::now()).await.or_api(cx.lang)?;
    after_action(&s, &auth.actor, &r, cx.lang).await
}

/// A document of a request the officer may see (identity scans only for those who may see
/// personal data).
pub async fn document(State(s): State<AppState>, cx: Cx, auth: Auth, PathParams(doc): PathParams<String>) -> Result<Response, ApiError> {
    let doc = id(&doc, cx.lang)?;
    Ok(download(s.app.officer_document(&auth.actor, doc).await.or_api(cx.lang)?))
}

// ----------------------------------------------------------------------------- objections

/// A keberatan in the officer's list, with the request it is about.
#[derive(Serialize)]
pub struct ObjectionItem {
    #[serde(flatten)]
    pub objection: ObjectionView,
    pub request: RequestItem,
}

pub async fn objections(State(s): State<AppState>, cx: Cx, auth: Auth, QueryParams(p): QueryParams) -> Result<Json<Vec<ObjectionItem>>, ApiError> {
    let list = s.app.objections_for(&auth.actor, !truthy(p.str("all"))).await.or_api(cx.lang)?;
    let units = s.app.units().await.or_api(cx.lang)?;
    let cal = s.app.calendar().await.or_api(cx.lang)?;
    let dl = s.app.deadlines(&cal);
    let today = wib_date(Utc::now());
    Ok(Json(
        list.iter()
            .map(|(o, r)| ObjectionItem {
                objection: views::objection_view(o, &objection_deadlines(&o.clock, today, &dl)),
                request: request_item(r, &units, &dl, today, cx.lang),
            })
            .collect(),
    ))
}

/// `reasons` (a rejection's written reasons), `text` (the decision text or a note) and `date`
/// (when the Komisi Informasi received the application, or when its decision was received).
pub struct StepBody {
    reasons: Option<String>,
    text: Option<String>,
    date: Option<String>,
}

impl FromJson for StepBody {
    fn from_json(o: &mut JsonObject) -> Self {
        // `ki_received` and `received` are the console form's names for the same date.
        let date = o.text("date").or_else(|| o.text("ki_received")).or_else(|| o.text("received"));
        StepBody { reasons: o.text("reasons"), text: o.text("text"), date }
    }
}

/// The objection event named by `step`, with the text to record; `None` for an unknown step.
pub fn objection_event(step: &str, b: &StepBody) -> Option<Result<(ObjectionEvent, Option<String>), FieldErrors>> {
    let text = || -> Result<Option<String>, FieldErrors> {
        match b.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(_) => reason("text", &b.text, 1).map(Some),
        }
    };
    let with_text = |e: ObjectionEvent| Some(text().map(|t| (e, t)));
    let dated = |make: fn(chrono::NaiveDate) -> ObjectionEvent| Some(date_field("date", &b.date).and_then(|d| text().map(|t| (make(d), t))));
    match step {
        "start_review" => with_text(ObjectionEvent::StartReview),
        "settle" => with_text(ObjectionEvent::Settle),
        "uphold" => with_text(ObjectionEvent::Uphold),
        "reject" => {
            let reasons = if b.reasons.as_deref().map(str::trim).unwrap_or("").is_empty() { &b.text } else { &b.reasons };
            Some(reason("reasons", reasons, 20).and_then(|r| {
                let t = text()?.filter(|_| std::ptr::eq(reasons, &b.reasons)).unwrap_or_else(|| r.clone());
                Ok((ObjectionEvent::Reject { reasons: r }, Some(t)))
            }))
        }
        "file_dispute" => dated(|d| ObjectionEvent::FileDispute { ki_received: d }),
        "register_dispute" => with_text(ObjectionEvent::RegisterDispute),
        "start_mediation" => with_text(ObjectionEvent::StartMediation),
        "mediation_agreement" => with_text(ObjectionEvent::MediationAgreement),
        "adjudicate" => with_text(ObjectionEvent::Adjudicate),
        "adjudication_decision" => dated(|d| ObjectionEvent::AdjudicationDecision { received: d }),
        "file_suit" => with_text(ObjectionEvent::FileSuit),
        "close_dispute" => with_text(ObjectionEvent::CloseDispute),
        _ => None,
    }
}

pub async fn objection_step(
    State(s): State<AppState>,
    cx: Cx,
    auth: Auth,
    PathParams((oid, step)): PathParams<(String, String)>,
    JsonBody(b): JsonBody<StepBody>,
) -> Result<Json<ObjectionView>, ApiError> {
    let oid = id(&oid, cx.lang)?;
    let (event, text) = objection_event(&step, &b).ok_or_else(|| ApiError::new(AppError::NotFound, cx.lang))?.or_api(cx.lang)?;
    let now = Utc::now();
    let o = s.app.objection_step(&auth.actor, oid, event, text, now).await.or_api(cx.lang)?;
    let cal = s.app.calendar().await.or_api(cx.lang)?;
    let dl = s.app.deadlines(&cal);
    Ok(Json(views::objection_view(&o, &objection_deadlines(&o.clock, wib_date(now), &dl))))
}

// ------------------------------------------------------------------------- administration

#[derive(Serialize)]
pub struct OfficerAccount {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: &'static str,
    pub unit: Option<i64>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

pub async fn officers(State(s): State<AppState>, cx: Cx, auth: Auth) -> Result<Json<Vec<OfficerAccount>>, ApiError> {
    let list = s.app.list_officers(Some(&auth.actor)).await.or_api(cx.lang)?;
    Ok(Json(
        list.into_iter()
            .map(|o| OfficerAccount {
                id: o.id,
                username: o.username,
                display_name: o.display_name,
                email: o.email,
                role: o.role.as_str(),
                unit: o.unit,
                active: o.active,
                created_at: o.created_at,
            })
            .collect(),
    ))
}

pub async fn add_officer(State(s): State<AppState>, cx: Cx, auth: Auth, JsonBody(raw): JsonBody<RawOfficer>) -> Result<Response, ApiError> {
    let new_id = s.app.add_officer(Some(&auth.actor), &raw, Utc::now()).await.or_api(cx.lang)?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": new_id }))).into_response())
}

pub struct ActiveBody {
    active: bool,
}

impl FromJson for ActiveBody {
    fn from_json(o: &mut JsonObject) -> Self {
        let active = o.flag("active");
        if active.is_none() && o.errors.get("active").is_none() {
            o.errors.add("active", "err.required");
        }
        ActiveBody { active: active.unwrap_or(true) }
    }
}

pub async fn set_active(
    State(s): State<AppState>,
    cx: Cx,
    auth: Auth,
    PathParams(oid): PathParams<String>,
    JsonBody(b): JsonBody<ActiveBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let oid = id(&oid, cx.lang)?;
    s.app.set_officer_active(Some(&auth.actor), oid, b.active).await.or_api(cx.lang)?;
    Ok(Json(serde_json::json!({ "id": oid, "active": b.active })))
}

pub async fn calendar(State(s): State<AppState>, cx: Cx, _auth: Auth, QueryParams(p): QueryParams) -> Result<Json<Vec<DayOff>>, ApiError> {
    let year = p.int("year");
    let days = s.app.days_off().await.or_api(cx.lang)?;
    Ok(Json(days.into_iter().filter(|d| year.map(|y| chrono::Datelike::year(&d.date) as i64 == y).unwrap_or(true)).collect()))
}

/// A calendar entry: `date` (YYYY-MM-DD), `kind` (`holiday` or `cuti_bersama`), `name`, and
/// optionally `name_en`. Deleting needs only `date` and `kind` (also accepted as query
/// parameters).
pub struct DayBody {
    date: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    name_en: Option<String>,
}

impl FromJson for DayBody {
    fn from_json(o: &mut JsonObject) -> Self {
        DayBody { date: o.text("date"), kind: o.text("kind"), name: o.text("name"), name_en: o.text("name_en") }
    }
}

pub async fn add_day(State(s): State<AppState>, cx: Cx, auth: Auth, JsonBody(b): JsonBody<DayBody>) -> Result<Response, ApiError> {
    s.app.add_day_off(&auth.actor, &b.date, &b.kind, &b.name, &b.name_en).await.or_api(cx.lang)?;
    let out = serde_json::json!({ "date": b.date.as_deref().map(str::trim), "kind": b.kind.as_deref().map(str::trim) });
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

pub async fn remove_day(
    State(s): State<AppState>,
    cx: Cx,
    auth: Auth,
    QueryParams(p): QueryParams,
    JsonBody(b): JsonBody<DayBody>,
) -> Result<StatusCode, ApiError> {
    let date = b.date.or_else(|| p.str("date"));
    let kind = b.kind.or_else(|| p.str("kind"));
    s.app.remove_day_off(&auth.actor, &date, &kind).await.or_api(cx.lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(reasons: Option<&str>, text: Option<&str>, date: Option<&str>) -> StepBody {
        StepBody { reasons: reasons.map(Into::into), text: text.map(Into::into), date: date.map(Into::into) }
    }

    #[test]
    fn objection_steps_from_the_path() {
        assert!(objection_event("delete_everything", &body(None, None, None)).is_none());
        let (e, t) = objection_event("uphold", &body(None, Some("Informasi dibuka."), None)).unwrap().unwrap();
        assert_eq!((e, t.as_deref()), (ObjectionEvent::Uphold, Some("Informasi dibuka.")));
        let long = "Data memuat identitas pasien per alamat.";
        let (e, t) = objection_event("reject", &body(Some(long), None, None)).unwrap().unwrap();
        assert_eq!(e, ObjectionEvent::Reject { reasons: long.into() });
        assert_eq!(t.as_deref(), Some(long));
        // The reasons may come as `text` too.
        assert!(objection_event("reject", &body(None, Some(long), None)).unwrap().is_ok());
        let e = objection_event("reject", &body(Some("pendek"), None, None)).unwrap().unwrap_err();
        assert_eq!(e.get("reasons"), Some("err.too_short"));
        let e = objection_event("file_dispute", &body(None, None, Some("kemarin"))).unwrap().unwrap_err();
        assert_eq!(e.get("date"), Some("err.date_format"));
        let (e, _) = objection_event("adjudication_decision", &body(None, None, Some("2026-12-01"))).unwrap().unwrap();
        assert_eq!(e.code(), "adjudication_decision");
    }
}
