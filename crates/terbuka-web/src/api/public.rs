//! The public half of the API: what anyone (a citizen's app, a journalist, a data user) may do
//! without an account. Only `views::Public*` and `views::TrackingView` leave through here.

use super::extract::{id, Cx, FromJson, JsonBody, JsonObject, Nothing, OrApi, PathParams, QueryParams};
use crate::http::ApiError;
use crate::pages::public::{public_detail, register_filter, PAGE_SIZE};
use crate::pages::{download, Params};
use crate::views::{self, PublicRequest, TrackingView, UnitRef};
use crate::AppState;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate, Utc};
use serde::Serialize;
use terbuka_app::service::{Submitted, Upload};
use terbuka_app::AppError;
use terbuka_domain::calendar::{wib_date, CutiBersama, DeadlineOwner};
use terbuka_domain::stats::Stats;
use terbuka_domain::validate::{date_field, FieldErrors, RawObjection, RawRequest};
use terbuka_domain::Lang;

/// The request form plus an optional identity scan (`identity_scan`), as a JSON object.
pub struct SubmitBody {
    pub raw: RawRequest,
    pub scan: Option<Upload>,
}

impl FromJson for SubmitBody {
    fn from_json(o: &mut JsonObject) -> Self {
        let scan = o.take("identity_scan").and_then(|v| o.file(v, "identity_scan")).map(|(u, _)| u);
        SubmitBody { raw: o.raw(), scan }
    }
}

/// What a requester must keep after submitting: the number and the private tracking token.
#[derive(Serialize)]
pub struct Receipt {
    /// Officers registering paper requests get the internal id too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub reg_no: String,
    pub tracking_token: String,
    pub tracking_url: String,
    pub received_on: NaiveDate,
    pub notice_due: NaiveDate,
}

pub fn receipt(s: &AppState, sub: &Submitted, with_id: bool) -> Receipt {
    let base = s.app.config.server.public_url.trim_end_matches('/');
    Receipt {
        id: with_id.then_some(sub.request.id),
        reg_no: sub.request.reg_no.clone(),
        tracking_token: sub.token.clone(),
        tracking_url: format!("{base}/lacak/{}", sub.token),
        received_on: sub.request.clock.day0,
        notice_due: sub.request.clock.notice_due,
    }
}

/// `201` with the receipt and a `Location` pointing at the request in the public register.
pub fn created_receipt(r: Receipt) -> Response {
    let location = format!("/api/v1/requests/{}", r.reg_no);
    (StatusCode::CREATED, [(LOCATION, location)], Json(r)).into_response()
}

pub async fn submit(State(s): State<AppState>, cx: Cx, JsonBody(b): JsonBody<SubmitBody>) -> Result<Response, ApiError> {
    let sub = s.app.submit_request(&b.raw, b.scan, Utc::now()).await.or_api(cx.lang)?;
    Ok(created_receipt(receipt(&s, &sub, false)))
}

#[derive(Serialize)]
pub struct RegisterPage {
    pub items: Vec<PublicRequest>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

pub fn pages(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

pub async fn register(State(s): State<AppState>, cx: Cx, QueryParams(p): QueryParams) -> Result<Json<RegisterPage>, ApiError> {
    let page = s.app.public_register(&register_filter(&p)).await.or_api(cx.lang)?;
    let units = s.app.units().await.or_api(cx.lang)?;
    let cal = s.app.calendar().await.or_api(cx.lang)?;
    let dl = s.app.deadlines(&cal);
    let today = wib_date(Utc::now());
    let items = page.items.iter().map(|r| views::public_request(r, &units, &dl, today, cx.lang)).collect();
    Ok(Json(RegisterPage { items, total: page.total, page: p.page(), pages: pages(page.total) }))
}

pub async fn register_detail(State(s): State<AppState>, cx: Cx, PathParams(reg_no): PathParams<String>) -> Result<Json<views::PublicRequestDetail>, ApiError> {
    Ok(Json(public_detail(&s, &reg_no, cx.lang).await.or_api(cx.lang)?))
}

pub async fn document(State(s): State<AppState>, cx: Cx, PathParams(doc): PathParams<String>) -> Result<Response, ApiError> {
    let doc = id(&doc, cx.lang)?;
    Ok(download(s.app.public_document(doc).await.or_api(cx.lang)?))
}

async fn tracking_view(s: &AppState, token: &str, lang: Lang) -> Result<TrackingView, AppError> {
    let now = Utc::now();
    let t = s.app.tracking(token, now).await?;
    let units = s.app.units().await?;
    let cal = s.app.calendar().await?;
    let dl = s.app.deadlines(&cal);
    Ok(views::tracking_view(&t, &units, &dl, wib_date(now), lang))
}

/// Tracking tokens are 43 URL-safe characters; anything else cannot be one.
fn token(raw: &str, lang: Lang) -> Result<&str, ApiError> {
    if (20..=200).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        Ok(raw)
    } else {
        Err(ApiError::new(AppError::NotFound, lang))
    }
}

pub async fn tracking(State(s): State<AppState>, cx: Cx, PathParams(t): PathParams<String>) -> Result<Json<TrackingView>, ApiError> {
    let t = token(&t, cx.lang)?;
    Ok(Json(tracking_view(&s, t, cx.lang).await.or_api(cx.lang)?))
}

pub async fn file_objection(
    State(s): State<AppState>,
    cx: Cx,
    PathParams(t): PathParams<String>,
    JsonBody(raw): JsonBody<RawObjection>,
) -> Result<Response, ApiError> {
    let t = token(&t, cx.lang)?;
    s.app.file_objection(t, &raw, Utc::now()).await.or_api(cx.lang)?;
    let view = tracking_view(&s, t, cx.lang).await.or_api(cx.lang)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn withdraw(
    State(s): State<AppState>,
    cx: Cx,
    PathParams(t): PathParams<String>,
    JsonBody(_): JsonBody<Nothing>,
) -> Result<Json<TrackingView>, ApiError> {
    let t = token(&t, cx.lang)?;
    s.app.withdraw(t, Utc::now()).await.or_api(cx.lang)?;
    Ok(Json(tracking_view(&s, t, cx.lang).await.or_api(cx.lang)?))
}

/// A response document for the holder of the tracking token (released or private).
pub async fn tracking_document(State(s): State<AppState>, cx: Cx, PathParams((t, doc)): PathParams<(String, String)>) -> Result<Response, ApiError> {
    let t = token(&t, cx.lang)?;
    let doc = id(&doc, cx.lang)?;
    Ok(download(s.app.requester_document(t, doc).await.or_api(cx.lang)?))
}

#[derive(Serialize)]
pub struct UnitStats {
    pub unit: Option<UnitRef>,
    #[serde(flatten)]
    pub stats: Stats,
}

#[derive(Serialize)]
pub struct StatsOut {
    pub year: Option<i32>,
    pub overall: Stats,
    pub per_unit: Vec<UnitStats>,
}

fn year(p: &Params) -> Option<i32> {
    p.int("year").filter(|y| (2000..=2100).contains(y)).map(|y| y as i32)
}

pub async fn stats(State(s): State<AppState>, cx: Cx, QueryParams(p): QueryParams) -> Result<Json<StatsOut>, ApiError> {
    let v = s.app.stats(year(&p)).await.or_api(cx.lang)?;
    let per_unit = v
        .per_unit
        .into_iter()
        .map(|(u, stats)| UnitStats { unit: u.map(|u| UnitRef { id: u.id, code: u.code, name: if cx.lang == Lang::En { u.name_en } else { u.name } }), stats })
        .collect();
    Ok(Json(StatsOut { year: v.year, overall: v.overall, per_unit }))
}

#[derive(Serialize)]
pub struct UnitOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub parent: Option<i64>,
}

pub async fn units(State(s): State<AppState>, cx: Cx) -> Result<Json<Vec<UnitOut>>, ApiError> {
    let units = s.app.units().await.or_api(cx.lang)?;
    Ok(Json(
        units
            .into_iter()
            .map(|u| UnitOut { id: u.id, code: u.code, name: if cx.lang == Lang::En { u.name_en } else { u.name }, kind: u.kind.as_str(), parent: u.parent })
            .collect(),
    ))
}

pub async fn audit_head(State(s): State<AppState>, cx: Cx) -> Result<Json<serde_json::Value>, ApiError> {
    let head = s.app.audit_head().await.or_api(cx.lang)?;
    Ok(Json(serde_json::json!({ "count": head.count, "hash": head.hash })))
}

/// Who owes a deadline for `GET /calendar/due`: `plain` is the bare calendar with cuti bersama
/// as days off (what `terbuka calendar due` prints); `body` and `requester` apply the policy.
#[derive(Clone, Copy, Debug)]
enum DueOwner {
    Plain,
    Body,
    Requester,
}

impl DueOwner {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "plain" => Some(DueOwner::Plain),
            "body" => Some(DueOwner::Body),
            "requester" => Some(DueOwner::Requester),
            _ => None,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            DueOwner::Plain => "plain",
            DueOwner::Body => "body",
            DueOwner::Requester => "requester",
        }
    }
}

/// The most working days `GET /calendar/due` counts.
pub const MAX_DUE_DAYS: u32 = 400;

#[derive(Serialize)]
pub struct DueOut {
    pub from: NaiveDate,
    pub n: u32,
    pub due: NaiveDate,
    pub owner: &'static str,
}

fn due_query(p: &Params) -> Result<(NaiveDate, u32, DueOwner), FieldErrors> {
    let mut e = FieldErrors::default();
    let from = match date_field("from", &p.str("from")) {
        // Keep the walk far from chrono's limits.
        Ok(d) if (1900..=2200).contains(&d.year()) => Some(d),
        Ok(_) => {
            e.add("from", "err.date_format");
            None
        }
        Err(x) => {
            e.0.extend(x.0);
            None
        }
    };
    let n = match p.str("n") {
        None => {
            e.add("n", "err.required");
            None
        }
        Some(s) => match s.parse::<u32>() {
            Ok(n) if n <= MAX_DUE_DAYS => Some(n),
            // No dedicated "0 to 400" message exists yet; the generic one says to check the input.
            _ => {
                e.add("n", "err.bad_request");
                None
            }
        },
    };
    let owner = match p.str("owner") {
        None => Some(DueOwner::Plain),
        Some(s) => {
            let o = DueOwner::parse(&s);
            if o.is_none() {
                e.add("owner", "err.choose_one");
            }
            o
        }
    };
    match (from, n, owner) {
        (Some(f), Some(n), Some(o)) if e.is_empty() => Ok((f, n, o)),
        _ => Err(e),
    }
}

pub async fn calendar_due(State(s): State<AppState>, cx: Cx, QueryParams(p): QueryParams) -> Result<Json<DueOut>, ApiError> {
    let (from, n, owner) = due_query(&p).or_api(cx.lang)?;
    let cal = s.app.calendar().await.or_api(cx.lang)?;
    let due = match owner {
        DueOwner::Plain => cal.add_working_days(from, n, CutiBersama::NonWorking),
        DueOwner::Body => s.app.deadlines(&cal).due(from, n, DeadlineOwner::Body),
        DueOwner::Requester => s.app.deadlines(&cal).due(from, n, DeadlineOwner::Requester),
    };
    Ok(Json(DueOut { from, n, due, owner: owner.as_str() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &[(&str, &str)]) -> Params {
        Params(q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn due_query_checks_every_field() {
        let (f, n, o) = due_query(&params(&[("from", "2026-11-02"), ("n", "10")])).unwrap();
        assert_eq!((f.to_string(), n, o.as_str()), ("2026-11-02".into(), 10, "plain"));
        let e = due_query(&params(&[("from", "02-11-2026"), ("n", "401"), ("owner", "king")])).unwrap_err();
        assert_eq!(e.get("from"), Some("err.date_format"));
        assert_eq!(e.get("n"), Some("err.bad_request"));
        assert_eq!(e.get("owner"), Some("err.choose_one"));
        let e = due_query(&params(&[("from", "262143-01-01"), ("n", "-1")])).unwrap_err();
        assert!(e.get("from").is_some() && e.get("n").is_some());
        assert_eq!(due_query(&params(&[])).unwrap_err().get("n"), Some("err.required"));
    }
}
