//! The officer console: the inbox, a request's file with its action forms, desk registration,
//! keberatan, officers and the working-day calendar.
//!
//! Handlers stay thin: every decision (who may do what, which transition is legal) is made by the
//! `terbuka_app::App` use cases. Action forms are shown only when the domain state machine would
//! accept the event and the view flags allow it; hiding them is a convenience, not a control.

use super::{download, PagePath, Params};
use crate::http::{render, Ctx, FormData, Page, PageError};
use crate::views;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::{Datelike, NaiveDate, Utc};
use minijinja::context;
use minijinja::value::Value;
use std::collections::{BTreeMap, HashMap};
use terbuka_app::AppError;
use terbuka_domain::authz::Actor;
use terbuka_domain::calendar::{wib_date, CutiBersama, DeadlineOwner, Deadlines};
use terbuka_domain::objection::{self, ObjectionClock, ObjectionEvent};
use terbuka_domain::request::{self, Notice, RequestEvent, RequestState};
use terbuka_domain::validate::{self, FieldErrors, RawNotice, RawOfficer, RawRequest};
use terbuka_domain::*;
use terbuka_store::{RequestEventRow, RequestFilter, RequestOrder, StoredRequest, Unit};

pub const PAGE_SIZE: i64 = 50;

/// The states the inbox shows unless asked otherwise: everything the body still has to act on.
const OPEN_STATES: &[RequestState] = &[
    RequestState::Registered,
    RequestState::InProcess,
    RequestState::Extended,
    RequestState::Granted,
    RequestState::AwaitingPayment,
    RequestState::UnderObjection,
];

/// Success messages a redirect may ask for with `?ok=<code>` (`console.ok.<code>`).
const OK_CODES: &[&str] =
    &["route", "extend", "answer", "attach", "fee", "deliver", "objection", "officer_added", "officer_enabled", "officer_disabled", "day_added", "day_removed"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/konsol", get(inbox))
        .route("/konsol/permohonan/{id}", get(request_detail))
        .route("/konsol/permohonan/{id}/{action}", post(request_action))
        .route("/konsol/permohonan-baru", get(new_request_form).post(new_request_submit))
        .route("/konsol/keberatan", get(objections))
        .route("/konsol/keberatan/{id}/{step}", post(objection_action))
        .route("/konsol/dokumen/{id}", get(document))
        .route("/konsol/petugas", get(officers).post(add_officer))
        .route("/konsol/petugas/{id}/{status}", post(set_officer_active))
        .route("/konsol/kalender", get(calendar).post(add_day_off))
        .route("/konsol/kalender/hapus", post(remove_day_off))
}

// ---------------------------------------------------------------- helpers

fn errors_map(ctx: &Ctx, e: &FieldErrors) -> HashMap<&'static str, String> {
    e.0.iter().map(|f| (f.field, crate::http::render::tr(ctx.lang, f.code))).collect()
}

fn enum_codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|x| f(*x)).collect()
}

fn today() -> NaiveDate {
    wib_date(Utc::now())
}

fn page_status() -> StatusCode {
    StatusCode::UNPROCESSABLE_ENTITY
}

/// A form that failed validation: which form, its messages, and what was typed.
struct Failed {
    form: String,
    errors: FieldErrors,
    values: BTreeMap<String, String>,
}

impl Failed {
    fn new(form: impl Into<String>, errors: FieldErrors, data: &FormData) -> Self {
        Failed { form: form.into(), errors, values: typed_values(data) }
    }
}

/// The text fields as typed (first value of each; never the CSRF token or a password).
fn typed_values(form: &FormData) -> BTreeMap<String, String> {
    form.fields.iter().filter(|(k, _)| !matches!(k.as_str(), "csrf_token" | "password")).map(|(k, v)| (k.clone(), v.join(","))).collect()
}

fn failed_ctx(ctx: &Ctx, failed: &Option<Failed>) -> (Option<String>, HashMap<&'static str, String>, BTreeMap<String, String>) {
    match failed {
        Some(f) => (Some(f.form.clone()), errors_map(ctx, &f.errors), f.values.clone()),
        None => (None, HashMap::new(), BTreeMap::new()),
    }
}

/// The success message named by `?ok=`, if it is one we know.
fn ok_message(p: &Params) -> Option<String> {
    p.str("ok").filter(|c| OK_CODES.contains(&c.as_str())).map(|c| format!("console.ok.{c}"))
}

fn checked(form: &FormData, name: &str) -> bool {
    matches!(form.get(name).as_deref().map(str::trim), Some("on" | "true" | "1" | "yes"))
}

fn unit_name(u: &Unit, lang: Lang) -> String {
    if lang == Lang::En {
        u.name_en.clone()
    } else {
        u.name.clone()
    }
}

fn unit_options(units: &[Unit], lang: Lang) -> Vec<Value> {
    units.iter().map(|u| context! { id => u.id, name => unit_name(u, lang) }).collect()
}

/// Whether the officer sees every unit's requests (the App decides; this only shapes the page).
fn sees_all_units(actor: &Actor) -> bool {
    actor.role == Role::PpidUtama || (actor.role == Role::AtasanPpid && actor.unit.is_none())
}

fn may_record_dispute(actor: &Actor) -> bool {
    matches!(actor.role, Role::PpidUtama | Role::AtasanPpid)
}

/// The console's own menu, by role (links only; every page checks again through the App).
/// The console menu (shared with the register's console pages).
pub(crate) fn console_nav(actor: &Actor) -> Vec<Value> {
    let mut nav = vec![("/konsol", "console.nav.inbox")];
    if matches!(actor.role, Role::PpidUtama | Role::PpidPelaksana) {
        nav.push(("/konsol/permohonan-baru", "console.nav.new_request"));
    }
    if matches!(actor.role, Role::PpidUtama | Role::AtasanPpid | Role::PpidPelaksana) {
        nav.push(("/konsol/keberatan", "console.nav.objections"));
        nav.push(("/konsol/informasi", "console_register.nav"));
    }
    if matches!(actor.role, Role::PpidUtama | Role::PetugasSosial) {
        nav.push(("/konsol/kolaborasi", "kolaborasi.console.nav"));
    }
    if terbuka_domain::authz::can(actor, terbuka_domain::authz::Action::ManageCrisisData, None) {
        nav.push(("/konsol/krisis", "console_crisis.nav"));
    }
    if actor.role == Role::Admin {
        nav.push(("/konsol/petugas", "console.nav.officers"));
    }
    nav.push(("/konsol/kalender", "console.nav.calendar"));
    nav.into_iter().map(|(href, key)| context! { href => href, key => key }).collect()
}

// ---------------------------------------------------------------- inbox

async fn inbox(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    let p = Params(q);
    let status = p.str("status");
    let states = match status.as_deref() {
        Some("all") => vec![],
        Some(code) => RequestState::parse(code).map(|s| vec![s]).unwrap_or_else(|| OPEN_STATES.to_vec()),
        None => OPEN_STATES.to_vec(),
    };
    let all_units = sees_all_units(&actor);
    let unit = if all_units { p.int("unit") } else { None };
    let unrouted = actor.role == Role::PpidUtama && p.str("unrouted").is_some();
    let filter = RequestFilter {
        unit,
        unrouted,
        states,
        year: None,
        text: p.str("q"),
        order: RequestOrder::DueFirst,
        limit: PAGE_SIZE,
        offset: (p.page() - 1) * PAGE_SIZE,
    };
    let page = s.app.inbox(&actor, filter).await.map_err(|e| ctx.err(e))?;
    let units = s.app.units().await.map_err(|e| ctx.err(e))?;
    let cal = s.app.calendar().await.map_err(|e| ctx.err(e))?;
    let dl = s.app.deadlines(&cal);
    let today = today();
    let (overdue, due_soon) = deadline_counts(&s, &actor, unit, &dl, today).await.map_err(|e| ctx.err(e))?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|r| context! { id => r.id, r => views::public_request(r, &units, &dl, today, ctx.lang), due_soon => r.clock.is_due_soon(today, &dl) })
        .collect();
    let pages = ((page.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let f = context! { status => status, q => p.str("q"), unit => unit, unrouted => unrouted };
    let base = format!(
        "/konsol?status={}&q={}&unit={}{}",
        urlencode(&p.str("status").unwrap_or_default()),
        urlencode(&p.str("q").unwrap_or_default()),
        unit.map(|u| u.to_string()).unwrap_or_default(),
        if unrouted { "&unrouted=1" } else { "" }
    );
    Ok(render(
        &ctx,
        "console/inbox.html",
        context! {
            nav => console_nav(&actor),
            items => items,
            total => page.total,
            page => p.page(),
            pages => pages,
            base => base,
            f => f,
            states => enum_codes(RequestState::ALL, RequestState::as_str),
            units => unit_options(&units, ctx.lang),
            all_units => all_units,
            may_filter_unrouted => actor.role == Role::PpidUtama,
            overdue => overdue,
            due_soon => due_soon,
            shows_requests => !matches!(actor.role, Role::Admin | Role::PetugasSosial),
        },
    ))
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).map(|x| x.trim_start_matches("v=").to_string()).unwrap_or_default()
}

/// How many of the officer's requests awaiting a notice are overdue or due soon. The inbox is
/// ordered by due date, so counting stops at the first request that is neither.
async fn deadline_counts(s: &AppState, actor: &Actor, unit: Option<UnitId>, dl: &Deadlines<'_>, today: NaiveDate) -> Result<(i64, i64), AppError> {
    const CHUNK: i64 = 200;
    let (mut overdue, mut soon, mut offset) = (0, 0, 0);
    loop {
        let filter = RequestFilter {
            unit,
            states: vec![RequestState::Registered, RequestState::InProcess, RequestState::Extended],
            order: RequestOrder::DueFirst,
            limit: CHUNK,
            offset,
            ..Default::default()
        };
        let page = s.app.inbox(actor, filter).await?;
        for r in &page.items {
            if r.clock.is_overdue(today) {
                overdue += 1;
            } else if r.clock.is_due_soon(today, dl) {
                soon += 1;
            } else {
                return Ok((overdue, soon));
            }
        }
        if (page.items.len() as i64) < CHUNK {
            return Ok((overdue, soon));
        }
        offset += CHUNK;
    }
}

// ---------------------------------------------------------------- one request

/// The request events the domain would accept now (so only possible actions get a form).
fn possible_actions(r: &StoredRequest, today: NaiveDate, dl: &Deadlines) -> Vec<&'static str> {
    let probe_notice = Notice { outcome: Outcome::GrantedFull, text: "probe notice text".into(), exemption: None, holder: None, expected_date: None, fee: 0 };
    let candidates = [
        ("route", RequestEvent::Route { unit: -1 }),
        ("extend", RequestEvent::Extend { reason: "probe extension reason".into() }),
        ("answer", RequestEvent::Answer(probe_notice)),
        ("fee", RequestEvent::NotifyFee),
        ("deliver", RequestEvent::Deliver),
    ];
    let mut out: Vec<&'static str> = candidates.iter().filter(|(_, e)| request::transition(&r.clock, e, today, r.fee, dl).is_ok()).map(|(n, _)| *n).collect();
    if r.clock.state != RequestState::Withdrawn {
        out.push("attach");
    }
    out
}

/// The keberatan steps the domain would accept now, split into the Atasan's decisions and the
/// recorded dispute steps.
fn possible_steps(c: &ObjectionClock, today: NaiveDate) -> (Vec<&'static str>, Vec<&'static str>) {
    use ObjectionEvent as E;
    let candidates = [
        E::StartReview,
        E::Settle,
        E::Uphold,
        E::Reject { reasons: "probe reasons of sufficient length".into() },
        E::FileDispute { ki_received: today },
        E::RegisterDispute,
        E::StartMediation,
        E::MediationAgreement,
        E::Adjudicate,
        E::AdjudicationDecision { received: today },
        E::FileSuit,
        E::CloseDispute,
    ];
    let ok: Vec<&E> = candidates.iter().filter(|e| objection::transition(c, e, today).is_ok()).collect();
    (ok.iter().filter(|e| e.is_decision()).map(|e| e.code()).collect(), ok.iter().filter(|e| !e.is_decision()).map(|e| e.code()).collect())
}

/// The history for officers: what happened, who acted (officer, requester or the system) and the
/// note (notice text, extension reason, unit, decision text; the grounds of a keberatan).
fn history(events: &[RequestEventRow]) -> Vec<Value> {
    events
        .iter()
        .map(|e| {
            let label = match e.kind.strip_prefix("objection.") {
                Some(step) => format!("console.step.{step}"),
                None => format!("event.{}", e.kind),
            };
            let by = if e.actor.starts_with("officer:") {
                "officer"
            } else if e.actor == "requester" {
                "requester"
            } else {
                "system"
            };
            let (note, grounds) = if e.kind == "file_objection" { (None, e.note.clone()) } else { (e.note.clone(), None) };
            context! {
                at => e.at.to_rfc3339(),
                label => label,
                note => note,
                grounds => grounds,
                by => by,
                to_state => e.to_state.clone(),
            }
        })
        .collect()
}

async fn request_page(s: &AppState, ctx: &Ctx, actor: &Actor, id: RequestId, ok: Option<String>, failed: Option<Failed>) -> Result<Page, PageError> {
    let now = Utc::now();
    let v = s.app.officer_view(actor, id, now).await.map_err(|e| ctx.err(e))?;
    let units = s.app.units().await.map_err(|e| ctx.err(e))?;
    let cal = s.app.calendar().await.map_err(|e| ctx.err(e))?;
    let dl = s.app.deadlines(&cal);
    let today = wib_date(now);
    let actions = possible_actions(&v.request, today, &dl);
    let steps: Vec<Value> = v
        .objections
        .iter()
        .map(|(o, _)| {
            let (decide, record) = possible_steps(&o.clock, today);
            context! { decide => if v.may_decide { decide } else { vec![] }, record => if may_record_dispute(actor) { record } else { vec![] } }
        })
        .collect();
    let history = history(&v.events);
    let view = views::officer_view(&v, &units, &dl, today, ctx.lang);
    let (failed_form, errors, typed) = failed_ctx(ctx, &failed);
    Ok(render(
        ctx,
        "console/request.html",
        context! {
            nav => console_nav(actor),
            r => view,
            history => history,
            actions => actions,
            steps => steps,
            units => unit_options(&units, ctx.lang),
            outcomes => enum_codes(Outcome::ALL, Outcome::as_str),
            exemption_grounds => enum_codes(ExemptionGround::ALL, ExemptionGround::as_str),
            failed => failed_form,
            errors => errors,
            v => typed,
            ok => ok,
            today => today.to_string(),
        },
    ))
}

async fn request_detail(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(id): PagePath<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    request_page(&s, &ctx, &actor, id, ok_message(&Params(q)), None).await
}

async fn request_action(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((id, action)): PagePath<(i64, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let now = Utc::now();
    let documents = || {
        let publish = checked(&form, "publish");
        form.all_files("document").into_iter().map(|u| (u, publish)).collect::<Vec<_>>()
    };
    let (code, result) = match action.as_str() {
        "route" => {
            let unit = form.get("unit").and_then(|u| u.trim().parse::<i64>().ok());
            let result = match unit {
                Some(unit) => s.app.route(&actor, id, unit, now).await,
                None => Err(AppError::field("unit", "err.choose_one")),
            };
            ("route", result)
        }
        "extend" => ("extend", s.app.extend(&actor, id, &form.get("reason"), now).await),
        "answer" => {
            let raw: RawNotice = form.to_raw();
            ("answer", s.app.answer(&actor, id, &raw, documents(), now).await)
        }
        "attach" => ("attach", s.app.attach_documents(&actor, id, documents(), now).await),
        "fee" => ("fee", s.app.notify_fee(&actor, id, now).await),
        "deliver" => ("deliver", s.app.deliver(&actor, id, now).await),
        _ => return Err(ctx.err(AppError::NotFound)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/konsol/permohonan/{id}?ok={code}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let page = request_page(&s, &ctx, &actor, id, None, Some(Failed::new(code, e, &form))).await?;
            Ok((page_status(), page).into_response())
        }
        Err(e) => Err(ctx.err(e)),
    }
}

async fn document(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    Ok(download(s.app.officer_document(&actor, id).await.map_err(|e| ctx.err(e))?))
}

// ---------------------------------------------------------------- desk and post registration

fn new_request_page(ctx: &Ctx, actor: &Actor, raw: &RawRequest, errors: Option<&FieldErrors>) -> Page {
    render(
        ctx,
        "console/new_request.html",
        context! {
            nav => console_nav(actor),
            v => raw,
            errors => errors.map(|e| errors_map(ctx, e)).unwrap_or_default(),
            kinds => enum_codes(RequesterKind::ALL, RequesterKind::as_str),
            obtains => enum_codes(ObtainMethod::ALL, ObtainMethod::as_str),
            deliveries => enum_codes(DeliveryMethod::ALL, DeliveryMethod::as_str),
            channels => Channel::ALL.iter().filter(|c| **c != Channel::Web).map(|c| c.as_str()).collect::<Vec<_>>(),
            obtain_chosen => raw.obtain.clone().unwrap_or_default().split(',').map(str::to_string).collect::<Vec<_>>(),
            today => today().to_string(),
        },
    )
}

async fn new_request_form(Extension(ctx): Extension<Ctx>) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    let raw =
        RawRequest { requester_kind: Some("individual".into()), channel: Some("desk".into()), received_on: Some(today().to_string()), ..Default::default() };
    Ok(new_request_page(&ctx, &actor, &raw, None))
}

async fn new_request_submit(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let raw: RawRequest = form.to_raw();
    match s.app.register_paper_request(&actor, &raw, form.file("identity_scan"), Utc::now()).await {
        Ok(sub) => {
            let link = format!("{}/lacak/{}", s.app.config.server.public_url.trim_end_matches('/'), sub.token);
            let ack = context! {
                id => sub.request.id,
                reg_no => sub.request.reg_no.clone(),
                link => link,
                token => sub.token,
                channel => sub.request.channel.as_str(),
                received_on => sub.request.clock.day0.to_string(),
                notice_due => sub.request.clock.notice_due.to_string(),
                emailed => raw.email.as_deref().map(|e| !e.trim().is_empty()).unwrap_or(false),
            };
            Ok(render(&ctx, "console/new_request.html", context! { nav => console_nav(&actor), ack => ack }).into_response())
        }
        Err(AppError::Invalid(e)) => Ok((page_status(), new_request_page(&ctx, &actor, &raw, Some(&e))).into_response()),
        Err(e) => Err(ctx.err(e)),
    }
}

// ---------------------------------------------------------------- keberatan

async fn objections_page(s: &AppState, ctx: &Ctx, actor: &Actor, all: bool, ok: Option<String>, failed: Option<Failed>) -> Result<Page, PageError> {
    let list = s.app.objections_for(actor, !all).await.map_err(|e| ctx.err(e))?;
    let cal = s.app.calendar().await.map_err(|e| ctx.err(e))?;
    let dl = s.app.deadlines(&cal);
    let today = today();
    let items: Vec<Value> = list
        .iter()
        .map(|(o, r)| {
            let d = terbuka_app::service::objection_deadlines(&o.clock, today, &dl);
            let (decide, record) = possible_steps(&o.clock, today);
            context! {
                o => views::objection_view(o, &d),
                request => context! { id => r.id, reg_no => r.reg_no.clone(), subject => r.subject.clone(), state => r.clock.state.as_str() },
                decide => if actor.role == Role::AtasanPpid { decide } else { vec![] },
                record => if may_record_dispute(actor) { record } else { vec![] },
            }
        })
        .collect();
    let (failed_form, errors, typed) = failed_ctx(ctx, &failed);
    Ok(render(
        ctx,
        "console/objections.html",
        context! {
            nav => console_nav(actor),
            items => items,
            all => all,
            failed => failed_form,
            errors => errors,
            v => typed,
            ok => ok,
            today => today.to_string(),
        },
    ))
}

async fn objections(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    let p = Params(q);
    objections_page(&s, &ctx, &actor, p.str("all").is_some(), ok_message(&p), None).await
}

/// Reads a keberatan step from its form; the text is the decision text kept with the response.
fn objection_event(step: &str, form: &FormData) -> Option<Result<(ObjectionEvent, Option<String>), FieldErrors>> {
    use ObjectionEvent as E;
    let optional_text = || -> Result<Option<String>, FieldErrors> {
        match form.get("text").filter(|t| !t.trim().is_empty()) {
            Some(t) => validate::reason("text", &Some(t), 1).map(Some),
            None => Ok(None),
        }
    };
    Some(match step {
        "start_review" => Ok((E::StartReview, None)),
        "settle" => optional_text().map(|t| (E::Settle, t)),
        "uphold" => optional_text().map(|t| (E::Uphold, t)),
        "reject" => validate::reason("reasons", &form.get("reasons"), 20).map(|r| (E::Reject { reasons: r.clone() }, Some(r))),
        "file_dispute" => validate::date_field("ki_received", &form.get("ki_received")).map(|d| (E::FileDispute { ki_received: d }, None)),
        "register_dispute" => Ok((E::RegisterDispute, None)),
        "start_mediation" => Ok((E::StartMediation, None)),
        "mediation_agreement" => Ok((E::MediationAgreement, None)),
        "adjudicate" => Ok((E::Adjudicate, None)),
        "adjudication_decision" => validate::date_field("received", &form.get("received")).map(|d| (E::AdjudicationDecision { received: d }, None)),
        "file_suit" => Ok((E::FileSuit, None)),
        "close_dispute" => Ok((E::CloseDispute, None)),
        _ => return None,
    })
}

async fn objection_action(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((id, step)): PagePath<(i64, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let Some(parsed) = objection_event(&step, &form) else {
        return Err(ctx.err(AppError::NotFound));
    };
    // Forms on a request's page send `request` so the officer returns there.
    let from_request = form.get("request").and_then(|r| r.trim().parse::<i64>().ok());
    let result = match parsed {
        Ok((event, text)) => s.app.objection_step(&actor, id, event, text, Utc::now()).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(o) if from_request.is_some() => Ok(Redirect::to(&format!("/konsol/permohonan/{}?ok=objection", o.request)).into_response()),
        Ok(_) => Ok(Redirect::to(&format!("/konsol/keberatan?ok=objection{}", if form.get("all").is_some() { "&all=1" } else { "" })).into_response()),
        Err(AppError::Invalid(e)) => {
            let failed = Failed::new(format!("obj-{id}-{step}"), e, &form);
            let page = match from_request {
                Some(rid) => request_page(&s, &ctx, &actor, rid, None, Some(failed)).await?,
                None => objections_page(&s, &ctx, &actor, form.get("all").is_some(), None, Some(failed)).await?,
            };
            Ok((page_status(), page).into_response())
        }
        Err(e) => Err(ctx.err(e)),
    }
}

// ---------------------------------------------------------------- officers

async fn officers_page(s: &AppState, ctx: &Ctx, actor: &Actor, ok: Option<String>, failed: Option<Failed>) -> Result<Page, PageError> {
    let list = s.app.list_officers(Some(actor)).await.map_err(|e| ctx.err(e))?;
    let units = s.app.units().await.map_err(|e| ctx.err(e))?;
    let rows: Vec<Value> = list
        .iter()
        .map(|o| {
            context! {
                id => o.id,
                username => o.username.clone(),
                display_name => o.display_name.clone(),
                email => o.email.clone(),
                role => o.role.as_str(),
                unit => units.iter().find(|u| Some(u.id) == o.unit).map(|u| unit_name(u, ctx.lang)),
                active => o.active,
                is_me => o.id == actor.officer,
            }
        })
        .collect();
    let (_, errors, typed) = failed_ctx(ctx, &failed);
    Ok(render(
        ctx,
        "console/officers.html",
        context! {
            nav => console_nav(actor),
            officers => rows,
            units => unit_options(&units, ctx.lang),
            roles => enum_codes(Role::ALL, Role::as_str),
            errors => errors,
            v => typed,
            ok => ok,
        },
    ))
}

async fn officers(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    officers_page(&s, &ctx, &actor, ok_message(&Params(q)), None).await
}

async fn add_officer(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let raw: RawOfficer = form.to_raw();
    match s.app.add_officer(Some(&actor), &raw, Utc::now()).await {
        Ok(_) => Ok(Redirect::to("/konsol/petugas?ok=officer_added").into_response()),
        Err(AppError::Invalid(e)) => Ok((page_status(), officers_page(&s, &ctx, &actor, None, Some(Failed::new("officer", e, &form))).await?).into_response()),
        Err(e) => Err(ctx.err(e)),
    }
}

async fn set_officer_active(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((id, status)): PagePath<(i64, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let active = match status.as_str() {
        "aktif" => true,
        "nonaktif" => false,
        _ => return Err(ctx.err(AppError::NotFound)),
    };
    s.app.set_officer_active(Some(&actor), id, active).await.map_err(|e| ctx.err(e))?;
    Ok(Redirect::to(if active { "/konsol/petugas?ok=officer_enabled" } else { "/konsol/petugas?ok=officer_disabled" }).into_response())
}

// ---------------------------------------------------------------- calendar

/// The "N-th working day after" check, from `?from=YYYY-MM-DD&n=10`.
fn deadline_check(p: &Params, dl: &Deadlines) -> Result<Option<Value>, FieldErrors> {
    let Some(from) = p.str("from") else { return Ok(None) };
    let mut e = FieldErrors::default();
    let date = validate::date_field("from", &Some(from)).map_err(|x| e.0.extend(x.0)).ok();
    let n = match p.str("n") {
        None => Some(10),
        Some(n) => n.parse::<u32>().ok().filter(|n| (1..=365).contains(n)),
    };
    if n.is_none() {
        e.add("n", "console.err.days");
    }
    let (Some(date), Some(n)) = (date, n) else { return Err(e) };
    let weekday = |d: NaiveDate| format!("console.weekday.{}", d.weekday().num_days_from_monday());
    let plain = dl.calendar.add_working_days(date, n, CutiBersama::NonWorking);
    let body = dl.due(date, n, DeadlineOwner::Body);
    let requester = dl.due(date, n, DeadlineOwner::Requester);
    Ok(Some(context! {
        from => date.to_string(),
        n => n,
        plain => plain.to_string(),
        plain_day => weekday(plain),
        body => body.to_string(),
        body_day => weekday(body),
        body_cuti => dl.cuti(DeadlineOwner::Body) == CutiBersama::Working,
        requester => requester.to_string(),
        requester_day => weekday(requester),
        requester_cuti => dl.cuti(DeadlineOwner::Requester) == CutiBersama::Working,
    }))
}

async fn calendar_page(s: &AppState, ctx: &Ctx, actor: &Actor, p: &Params, ok: Option<String>, failed: Option<Failed>) -> Result<Response, PageError> {
    let days = s.app.days_off().await.map_err(|e| ctx.err(e))?;
    let cal = s.app.calendar().await.map_err(|e| ctx.err(e))?;
    let dl = s.app.deadlines(&cal);
    let year = today().year();
    let years: Vec<Value> = [year, year + 1]
        .iter()
        .map(|y| {
            let list: Vec<Value> = days
                .iter()
                .filter(|d| d.date.year() == *y)
                .map(|d| {
                    context! {
                        date => d.date.to_string(),
                        weekday => format!("console.weekday.{}", d.date.weekday().num_days_from_monday()),
                        kind => d.kind.as_str(),
                        name => if ctx.lang == Lang::En { d.name_en.clone() } else { d.name.clone() },
                    }
                })
                .collect();
            context! { year => y, days => list }
        })
        .collect();
    let (check, check_errors) = match deadline_check(p, &dl) {
        Ok(c) => (c, None),
        Err(e) => (None, Some(e)),
    };
    let (failed_form, errors, typed) = failed_ctx(ctx, &failed);
    let status = if failed.is_some() || check_errors.is_some() { page_status() } else { StatusCode::OK };
    let html = render(
        ctx,
        "console/calendar.html",
        context! {
            nav => console_nav(actor),
            years => years,
            may_edit => actor.role == Role::Admin,
            kinds => ["holiday", "cuti_bersama"],
            check => check,
            check_errors => check_errors.map(|e| errors_map(ctx, &e)).unwrap_or_default(),
            q => context! { from => p.str("from").unwrap_or_else(|| today().to_string()), n => p.str("n").unwrap_or_else(|| "10".into()) },
            failed => failed_form,
            errors => errors,
            v => typed,
            ok => ok,
        },
    );
    Ok((status, html).into_response())
}

async fn calendar(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let p = Params(q);
    let ok = ok_message(&p);
    calendar_page(&s, &ctx, &actor, &p, ok, None).await
}

async fn add_day_off(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    match s.app.add_day_off(&actor, &form.get("date"), &form.get("kind"), &form.get("name"), &form.get("name_en")).await {
        Ok(()) => Ok(Redirect::to("/konsol/kalender?ok=day_added").into_response()),
        Err(AppError::Invalid(e)) => calendar_page(&s, &ctx, &actor, &Params(HashMap::new()), None, Some(Failed::new("add", e, &form))).await,
        Err(e) => Err(ctx.err(e)),
    }
}

async fn remove_day_off(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    match s.app.remove_day_off(&actor, &form.get("date"), &form.get("kind")).await {
        Ok(()) => Ok(Redirect::to("/konsol/kalender?ok=day_removed").into_response()),
        Err(AppError::Invalid(e)) => calendar_page(&s, &ctx, &actor, &Params(HashMap::new()), None, Some(Failed::new("remove", e, &form))).await,
        Err(e) => Err(ctx.err(e)),
    }
}

#[cfg(test)]
mod tests {
    //! The console pages in process: each page renders for the roles that use it, actions
    //! redirect, invalid input comes back as 422 with the message and the typed value.

    use axum::body::Body;
    use axum::http::{header, Method, Request, StatusCode};
    use http_body_util::BodyExt;
    use std::collections::HashMap;
    use std::sync::Arc;
    use terbuka_app::crypto::PiiKey;
    use terbuka_app::{App, Config};
    use terbuka_domain::audit::NewAuditEntry;
    use terbuka_domain::validate::{RawOfficer, RawRequest};
    use terbuka_domain::{Role, UnitKind};
    use terbuka_store::testing::TestStore;
    use terbuka_store::NewUnit;
    use tower::ServiceExt;

    const PASSWORD: &str = "kata-sandi-uji-2026";

    struct T {
        app: Arc<App>,
        router: axum::Router,
        health: i64,
        _store: TestStore,
    }

    struct Resp {
        status: StatusCode,
        location: String,
        body: String,
    }

    struct Client {
        router: axum::Router,
        cookies: HashMap<String, String>,
    }

    async fn setup() -> T {
        let store = terbuka_store::testing::sqlite().await;
        let mut config = Config::default();
        config.server.public_url = "http://terbuka.test".into();
        config.jobs.enabled = false;
        let key = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
        let app = Arc::new(App::new(Arc::new(store.store.clone()), config, key));
        app.seed_calendar().await.unwrap();
        let audit = |code: &str| NewAuditEntry { actor: "system:test".into(), action: "unit.add".into(), subject: format!("unit:{code}"), detail: "{}".into() };
        let utama_unit = app
            .store
            .insert_unit(
                NewUnit { code: "ppid-utama".into(), name: "PPID Utama".into(), name_en: "Main PPID".into(), kind: UnitKind::Utama, parent: None },
                audit("ppid-utama"),
            )
            .await
            .unwrap();
        let health = app
            .store
            .insert_unit(
                NewUnit {
                    code: "dinkes".into(),
                    name: "Dinas Kesehatan".into(),
                    name_en: "Health Agency".into(),
                    kind: UnitKind::Pelaksana,
                    parent: Some(utama_unit),
                },
                audit("dinkes"),
            )
            .await
            .unwrap();
        for (username, role, unit) in [
            ("admin", Role::Admin, None),
            ("utama", Role::PpidUtama, Some(utama_unit)),
            ("dinkes", Role::PpidPelaksana, Some(health)),
            ("atasan", Role::AtasanPpid, None),
        ] {
            let raw = RawOfficer {
                username: Some(username.into()),
                display_name: Some(format!("Petugas {username}")),
                email: Some(format!("{username}@ppid.example.go.id")),
                role: Some(role.as_str().into()),
                unit: unit.map(|u: i64| u.to_string()),
                password: Some(PASSWORD.into()),
            };
            app.add_officer(None, &raw, chrono::Utc::now()).await.unwrap();
        }
        let router = crate::router(crate::AppState::new(app.clone()));
        T { app, router, health, _store: store }
    }

    fn request_fields() -> Vec<(&'static str, String)> {
        vec![
            ("requester_kind", "individual".into()),
            ("name", "Siti Aminah".into()),
            ("id_number", "3171014501900001".into()),
            ("address", "Jl. Kebon Sirih No. 1, Jakarta Pusat".into()),
            ("phone", "081234567890".into()),
            ("email", "siti@example.com".into()),
            ("subject", "Data kasus demam berdarah per kecamatan 2025".into()),
            ("details", "Jumlah kasus DBD per kecamatan per bulan sepanjang 2025.".into()),
            ("purpose", "Penelitian kesehatan masyarakat".into()),
            ("obtain", "soft_copy".into()),
            ("delivery", "email".into()),
        ]
    }

    impl Client {
        async fn send(&mut self, method: Method, path: &str, content_type: Option<String>, body: Vec<u8>) -> Resp {
            let mut b = Request::builder().method(method).uri(path);
            let c: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            if !c.is_empty() {
                b = b.header(header::COOKIE, c.join("; "));
            }
            if let Some(ct) = content_type {
                b = b.header(header::CONTENT_TYPE, ct);
            }
            let res = self.router.clone().oneshot(b.body(Body::from(body)).unwrap()).await.unwrap();
            for v in res.headers().get_all(header::SET_COOKIE) {
                let s = v.to_str().unwrap();
                let kv = s.split(';').next().unwrap();
                if let Some((k, v)) = kv.split_once('=') {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
            let status = res.status();
            let location = res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
            let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
            Resp { status, location, body }
        }
        async fn get(&mut self, path: &str) -> Resp {
            self.send(Method::GET, path, None, vec![]).await
        }
        async fn csrf(&mut self) -> String {
            if !self.cookies.contains_key("csrf") {
                self.get("/privasi").await;
            }
            self.cookies["csrf"].clone()
        }
        async fn post(&mut self, path: &str, fields: &[(&str, String)]) -> Resp {
            let mut all = vec![("csrf_token", self.csrf().await)];
            all.extend(fields.iter().cloned());
            let body = serde_urlencoded::to_string(&all).unwrap();
            self.send(Method::POST, path, Some("application/x-www-form-urlencoded".into()), body.into_bytes()).await
        }
        async fn post_multipart(&mut self, path: &str, fields: &[(&str, String)], files: &[(&str, &str, &[u8])]) -> Resp {
            let boundary = "----console-test";
            let mut body: Vec<u8> = Vec::new();
            let token = self.csrf().await;
            let mut part = |headers: String, data: &[u8]| {
                body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
                body.extend_from_slice(data);
                body.extend_from_slice(b"\r\n");
            };
            part("Content-Disposition: form-data; name=\"csrf_token\"".into(), token.as_bytes());
            for (k, v) in fields {
                part(format!("Content-Disposition: form-data; name=\"{k}\""), v.as_bytes());
            }
            for (name, filename, data) in files {
                part(format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream"), data);
            }
            body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            self.send(Method::POST, path, Some(format!("multipart/form-data; boundary={boundary}")), body).await
        }
    }

    impl T {
        async fn officer(&self, username: &str) -> Client {
            let mut c = Client { router: self.router.clone(), cookies: HashMap::new() };
            let r = c.post("/masuk", &[("username", username.into()), ("password", PASSWORD.into())]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "login {username}: {}", r.body);
            c
        }
    }

    /// A page rendered without a template failure (which would show the internal-error text).
    fn rendered(r: &Resp, status: StatusCode) -> &str {
        assert_eq!(r.status, status, "{}", r.body);
        assert!(!r.body.contains("Terjadi kesalahan pada sistem kami"), "template failed: {}", r.body);
        assert!(!r.body.contains("console."), "a catalog key is missing: {}", r.body);
        &r.body
    }

    #[tokio::test]
    async fn a_request_through_the_console() {
        let t = setup().await;
        let mut anon = Client { router: t.router.clone(), cookies: HashMap::new() };
        assert_eq!(anon.get("/konsol").await.location, "/masuk");

        // The desk registers a request received on paper and gets the tracking link once.
        let mut utama = t.officer("utama").await;
        let form = utama.get("/konsol/permohonan-baru").await;
        rendered(&form, StatusCode::OK);
        let mut fields = request_fields();
        fields.push(("channel", "desk".into()));
        fields.push(("received_on", terbuka_domain::calendar::wib_date(chrono::Utc::now()).to_string()));
        let bad: Vec<_> = fields.iter().map(|(k, v)| (*k, if *k == "id_number" { "123".to_string() } else { v.clone() })).collect();
        let r = utama.post_multipart("/konsol/permohonan-baru", &bad, &[]).await;
        let html = rendered(&r, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("NIK harus 16 angka") && html.contains("Data kasus demam berdarah"), "message and typed values kept");
        let r = utama.post_multipart("/konsol/permohonan-baru", &fields, &[]).await;
        let html = rendered(&r, StatusCode::OK);
        assert!(html.contains("terbuka.test&#x2f;lacak&#x2f;"), "the tracking link is shown: {html}");
        let req = t.app.store.list_requests(&Default::default()).await.unwrap().items.remove(0);
        assert!(html.contains(&req.reg_no));

        // The inbox lists it; the detail page offers routing.
        let inbox = utama.get("/konsol").await;
        assert!(rendered(&inbox, StatusCode::OK).contains(&req.reg_no));
        assert!(rendered(&utama.get("/konsol?status=all&unrouted=1&q=demam").await, StatusCode::OK).contains(&req.reg_no));
        let detail = utama.get(&format!("/konsol/permohonan/{}", req.id)).await;
        let html = rendered(&detail, StatusCode::OK);
        assert!(html.contains("/route") && html.contains("3171014501900001"));
        let r = utama.post(&format!("/konsol/permohonan/{}/route", req.id), &[("unit", String::new())]).await;
        rendered(&r, StatusCode::UNPROCESSABLE_ENTITY);
        let r = utama.post(&format!("/konsol/permohonan/{}/route", req.id), &[("unit", t.health.to_string())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(rendered(&utama.get(&r.location).await, StatusCode::OK).contains("Permohonan telah diteruskan ke unit."));

        // The unit answers: first incompletely (422, values kept), then properly with a document.
        let mut dinkes = t.officer("dinkes").await;
        let html = dinkes.get(&format!("/konsol/permohonan/{}", req.id)).await;
        assert!(rendered(&html, StatusCode::OK).contains("/answer"));
        let r = dinkes
            .post_multipart(
                &format!("/konsol/permohonan/{}/answer", req.id),
                &[("outcome", "refused_exempt".into()), ("text", "Permohonan ditolak karena rekam medis.".into())],
                &[],
            )
            .await;
        let html = rendered(&r, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Permohonan ditolak karena rekam medis."), "the typed text is kept: {html}");
        assert!(html.contains("Uji konsekuensi: Wajib diisi."), "the summary names the field: {html}");
        let r = dinkes.post(&format!("/konsol/permohonan/{}/extend", req.id), &[("reason", "pendek".into())]).await;
        rendered(&r, StatusCode::UNPROCESSABLE_ENTITY);
        let csv: &[u8] = b"kecamatan,kasus\nMenteng,12\n";
        let r = dinkes
            .post_multipart(
                &format!("/konsol/permohonan/{}/answer", req.id),
                &[
                    ("outcome", "granted_full".into()),
                    ("text", "Informasi terlampir dalam berkas CSV.".into()),
                    ("fee", "15000".into()),
                    ("publish", "on".into()),
                ],
                &[("document", "dbd.csv", csv)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let html = dinkes.get(&format!("/konsol/permohonan/{}", req.id)).await;
        let html = rendered(&html, StatusCode::OK);
        assert!(html.contains("dbd.csv") && html.contains("/fee") && html.contains("/deliver"), "{html}");
        let r = dinkes.post(&format!("/konsol/permohonan/{}/fee", req.id), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = dinkes.post(&format!("/konsol/permohonan/{}/deliver", req.id), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let doc = t.app.store.documents(req.id).await.unwrap().remove(0);
        let r = dinkes.get(&format!("/konsol/dokumen/{}", doc.id)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Menteng"));
        // Another role may not act: the App says no.
        let mut atasan = t.officer("atasan").await;
        assert_eq!(atasan.post(&format!("/konsol/permohonan/{}/deliver", req.id), &[]).await.status, StatusCode::FORBIDDEN);
        // Without the CSRF token nothing happens.
        let r = dinkes.send(Method::POST, &format!("/konsol/permohonan/{}/deliver", req.id), Some("application/x-www-form-urlencoded".into()), vec![]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn objections_officers_and_calendar() {
        let t = setup().await;
        let raw = RawRequest {
            requester_kind: Some("individual".into()),
            name: Some("Siti Aminah".into()),
            id_number: Some("3171014501900001".into()),
            address: Some("Jl. Kebon Sirih No. 1, Jakarta Pusat".into()),
            email: Some("siti@example.com".into()),
            subject: Some("Data kasus demam berdarah 2025".into()),
            details: Some("Jumlah kasus DBD per kecamatan per bulan.".into()),
            purpose: Some("Penelitian".into()),
            obtain: Some("soft_copy".into()),
            delivery: Some("email".into()),
            ..Default::default()
        };
        let sub = t.app.submit_request(&raw, None, chrono::Utc::now()).await.unwrap();
        let objection = terbuka_domain::validate::RawObjection { grounds: Some("c".into()), summary: Some("Permohonan saya tidak ditanggapi.".into()) };
        t.app.file_objection(&sub.token, &objection, chrono::Utc::now()).await.unwrap();
        let o = t.app.store.objections_of(sub.request.id).await.unwrap().remove(0);

        let mut atasan = t.officer("atasan").await;
        let html = atasan.get("/konsol/keberatan").await;
        let html = rendered(&html, StatusCode::OK);
        assert!(html.contains(&o.reg_no) && html.contains("/reject") && html.contains("/settle"), "{html}");
        rendered(&atasan.get("/konsol/keberatan?all=1").await, StatusCode::OK);
        let r = atasan.post(&format!("/konsol/keberatan/{}/reject", o.id), &[("reasons", "terlalu pendek".into())]).await;
        let html = rendered(&r, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("terlalu pendek"));
        let r =
            atasan.post(&format!("/konsol/keberatan/{}/reject", o.id), &[("reasons", "terlalu pendek".into()), ("request", sub.request.id.to_string())]).await;
        rendered(&r, StatusCode::UNPROCESSABLE_ENTITY);
        let r = atasan.post(&format!("/konsol/keberatan/{}/file_dispute", o.id), &[("ki_received", "kemarin".into())]).await;
        rendered(&r, StatusCode::UNPROCESSABLE_ENTITY);
        let r = atasan.post(&format!("/konsol/keberatan/{}/nonsense", o.id), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = atasan
            .post(
                &format!("/konsol/keberatan/{}/reject", o.id),
                &[("reasons", "Permohonan telah dijawab dalam batas waktu yang sah.".into()), ("request", sub.request.id.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location.starts_with(&format!("/konsol/permohonan/{}", sub.request.id)));
        let html = atasan.get(&r.location).await;
        let html = rendered(&html, StatusCode::OK);
        assert!(html.contains("Permohonan telah dijawab dalam batas waktu yang sah."), "{html}");
        // Recording the dispute is offered once the keberatan counts as received: a keberatan
        // filed after 16:00 WIB counts from the next working day, so this depends on the hour the
        // test runs.
        let day0 = t.app.store.objection(o.id).await.unwrap().unwrap().clock.day0;
        let today = terbuka_domain::calendar::wib_date(chrono::Utc::now());
        assert_eq!(html.contains("/file_dispute"), day0 <= today, "day0 {day0}, today {today}: {html}");

        // Officers: admin only.
        let mut admin = t.officer("admin").await;
        rendered(&admin.get("/konsol").await, StatusCode::OK);
        let html = admin.get("/konsol/petugas").await;
        assert!(rendered(&html, StatusCode::OK).contains("dinkes@ppid.example.go.id"));
        assert_eq!(atasan.get("/konsol/petugas").await.status, StatusCode::FORBIDDEN);
        let r = admin
            .post(
                "/konsol/petugas",
                &[("username", "x".into()), ("display_name", "Budi Santoso".into()), ("role", "ppid_pelaksana".into()), ("password", "pendek".into())],
            )
            .await;
        let html = rendered(&r, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Budi Santoso") && !html.contains("value=\"pendek\""));
        let r = admin
            .post(
                "/konsol/petugas",
                &[
                    ("username", "budi".into()),
                    ("display_name", "Budi Santoso".into()),
                    ("email", "budi@ppid.example.go.id".into()),
                    ("role", "ppid_pelaksana".into()),
                    ("unit", t.health.to_string()),
                    ("password", PASSWORD.into()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let budi = t.app.store.officer_by_username("budi").await.unwrap().unwrap();
        let r = admin.post(&format!("/konsol/petugas/{}/nonaktif", budi.id), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!t.app.store.officer(budi.id).await.unwrap().unwrap().active);
        assert!(rendered(&admin.get(&r.location).await, StatusCode::OK).contains("dinonaktifkan"));

        // Calendar: everyone may look and check a deadline; only the admin edits.
        let html = atasan.get("/konsol/kalender?from=2026-12-21&n=10").await;
        let html = rendered(&html, StatusCode::OK);
        assert!(!html.contains("/konsol/kalender/hapus"));
        rendered(&atasan.get("/konsol/kalender?from=21-12-2026&n=0").await, StatusCode::UNPROCESSABLE_ENTITY);
        let year = terbuka_domain::calendar::wib_date(chrono::Utc::now()).format("%Y").to_string();
        let r = admin.post("/konsol/kalender", &[("date", format!("{year}-06-02")), ("kind", "holiday".into()), ("name", "x".into())]).await;
        rendered(&r, StatusCode::UNPROCESSABLE_ENTITY);
        let r = admin
            .post(
                "/konsol/kalender",
                &[("date", format!("{year}-06-02")), ("kind", "holiday".into()), ("name", "Libur uji".into()), ("name_en", "Test holiday".into())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let html = admin.get("/konsol/kalender?lang=en").await;
        assert!(rendered(&html, StatusCode::OK).contains("Test holiday"));
        let r = admin.post("/konsol/kalender/hapus", &[("date", format!("{year}-06-02")), ("kind", "holiday".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(atasan.post("/konsol/kalender/hapus", &[("date", format!("{year}-06-02")), ("kind", "holiday".into())]).await.status, StatusCode::FORBIDDEN);
    }
}
