//! The officers' side of kolaborasi: the moderation queue (organisations waiting for
//! verification, reported needs, disputed deliveries), an organisation's verification, a need's
//! moderation (take down with a public note, reinstate, dismiss reports, decide disputes, see
//! proofs), beneficiary lists and the aid catalogue. Every action is checked by `authz::can`
//! inside the use case.

use super::kolaborasi::{errors_map, private_file};
use super::PagePath;
use crate::http::ctx::Ctx;
use crate::http::form::FormData;
use crate::http::{render, Page, PageError};
use crate::kolaborasi_views::{self as kv, PublicNeed};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::Utc;
use minijinja::context;
use terbuka_app::kolaborasi::{BeneficiaryError, BeneficiaryOutcome};
use terbuka_app::AppError;
use terbuka_domain::authz::{can, Action};
use terbuka_domain::kolaborasi::{OrgEvent, OrgState};
use terbuka_files::table;

pub const TEMPLATES: &[(&str, &str)] = crate::templates!("console/kolaborasi/queue.html", "console/kolaborasi/org.html", "console/kolaborasi/need.html");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/konsol/kolaborasi", get(queue))
        .route("/konsol/kolaborasi/katalog", post(save_item_type))
        .route("/konsol/kolaborasi/organisasi/{id}", get(org))
        .route("/konsol/kolaborasi/organisasi/{id}/putuskan", post(decide_org))
        .route("/konsol/kolaborasi/kebutuhan/{id}", get(need))
        .route("/konsol/kolaborasi/kebutuhan/{id}/moderasi", post(moderate_need))
        .route("/konsol/kolaborasi/kebutuhan/{id}/penerima", post(upload_beneficiaries))
        .route("/konsol/kolaborasi/pengiriman/{id}/putuskan", post(resolve_dispute))
        .route("/konsol/kolaborasi/bukti/{id}", get(proof))
}

fn item_code(types: &[terbuka_store::AidItemType], id: i64) -> String {
    types.iter().find(|t| t.id == id).map(|t| t.code.clone()).unwrap_or_default()
}

async fn queue_page(s: &AppState, ctx: &Ctx, message: Option<String>) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    let q = s.app.moderation_queue(&actor).await.map_err(|e| ctx.err(e))?;
    let orgs = s.app.orgs(&actor, &[OrgState::Verified, OrgState::Suspended, OrgState::Rejected]).await.map_err(|e| ctx.err(e))?;
    let types = s.app.aid_item_types().await.map_err(|e| ctx.err(e))?;
    let pending: Vec<_> = q.pending_orgs.iter().map(kv::PublicOrg::of).collect();
    let reports: Vec<_> = q
        .reports
        .iter()
        .map(|(r, n)| context! { id => r.id, need_id => r.need, title => n.as_ref().map(|n| n.title.clone()), reason => r.reason.as_str(), detail => r.detail.clone(), at => r.created_at.to_rfc3339() })
        .collect();
    let disputes: Vec<_> = q
        .disputes
        .iter()
        .map(|(d, n)| context! { d => kv::PublicDelivery::of(d), need_id => d.need, title => n.as_ref().map(|n| n.title.clone()), reason => d.dispute_reason.clone() })
        .collect();
    let orgs: Vec<_> = orgs.iter().map(kv::PublicOrg::of).collect();
    let (status, html) = render(
        ctx,
        "console/kolaborasi/queue.html",
        context! { nav => super::console::console_nav(&actor), pending => pending, reports => reports, disputes => disputes, orgs => orgs, types => types.iter().map(|t| context! { code => t.code.clone(), name_id => t.name_id.clone(), name_en => t.name_en.clone(), unit_id => t.unit_id.clone(), unit_en => t.unit_en.clone(), active => t.active }).collect::<Vec<_>>(), message => message },
    );
    Ok((status, html))
}

pub async fn queue(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Page, PageError> {
    queue_page(&s, &ctx, None).await
}

pub async fn save_item_type(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let active = form.get("active").is_some();
    match s.app.save_item_type(&actor, &form.get("code"), &form.get("name_id"), &form.get("name_en"), &form.get("unit_id"), &form.get("unit_en"), active).await
    {
        Ok(_) => Ok(Redirect::to("/konsol/kolaborasi#katalog").into_response()),
        Err(AppError::Invalid(e)) => {
            let msg = errors_map(ctx.lang, &e).into_iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join(" · ");
            let (_, html) = queue_page(&s, &ctx, Some(msg)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(ctx.err(e)),
    }
}

async fn org_page(s: &AppState, ctx: &Ctx, id: i64, error: Option<String>) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    let (org, contact) = s.app.org_for_officer(&actor, id).await.map_err(|e| ctx.err(e))?;
    let events: Vec<&str> = OrgEvent::ALL.iter().filter(|e| terbuka_domain::kolaborasi::org_transition(org.state, **e).is_ok()).map(|e| e.as_str()).collect();
    let needs = s.app.needs(&terbuka_store::NeedFilter { org: Some(id), ..Default::default() }).await.map_err(|e| ctx.err(e))?;
    let types = s.app.aid_item_types().await.map_err(|e| ctx.err(e))?;
    let needs: Vec<_> = needs.items.iter().map(|n| PublicNeed::of(n, &item_code(&types, n.item_type), &s.app.regions)).collect();
    let region = s.app.regions.get(&org.region).map(|r| r.name.clone()).unwrap_or_default();
    let (status, html) = render(
        ctx,
        "console/kolaborasi/org.html",
        context! {
            nav => super::console::console_nav(&actor), org => kv::PublicOrg::of(&org), description => org.description.clone(), address => org.address.clone(), region_name => region, state_note => org.state_note.clone(),
            contact_name => contact.name, contact_email => contact.email, contact_phone => contact.phone, events => events, needs => needs, error => error,
            registered => org.created_at.to_rfc3339(),
        },
    );
    Ok((if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { status }, html))
}

pub async fn org(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>) -> Result<Page, PageError> {
    org_page(&s, &ctx, id, None).await
}

pub async fn decide_org(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let Some(event) = form.get("event").as_deref().and_then(OrgEvent::parse) else {
        return Ok(org_page(&s, &ctx, id, Some(crate::http::render::tr(ctx.lang, "err.choice"))).await?.into_response());
    };
    match s.app.decide_org(&actor, id, event, &form.get("note"), Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/konsol/kolaborasi/organisasi/{id}")).into_response()),
        Err(AppError::Invalid(e)) => Ok(org_page(&s, &ctx, id, errors_map(ctx.lang, &e).into_values().next()).await?.into_response()),
        Err(AppError::Rejected(code)) => Ok(org_page(&s, &ctx, id, Some(crate::http::render::tr(ctx.lang, code))).await?.into_response()),
        Err(e) => Err(ctx.err(e)),
    }
}

async fn need_page(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
    outcome: Option<&BeneficiaryOutcome>,
    row_errors: Vec<minijinja::Value>,
) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    if !can(&actor, Action::ModerateAid, None) && !can(&actor, Action::ManageBeneficiaries, None) {
        return Err(ctx.err(AppError::Forbidden));
    }
    let d = s.app.need_detail(id).await.map_err(|e| ctx.err(e))?;
    let view = kv::PublicNeedPage::of(&d, &s.app.regions);
    let deliveries: Vec<_> =
        d.deliveries.iter().map(|x| context! { d => kv::PublicDelivery::of(x), has_proof => x.proof.is_some(), reason => x.dispute_reason.clone() }).collect();
    let reports = if can(&actor, Action::ModerateAid, None) {
        s.app.store.list_reports(false).await.map_err(|e| ctx.err(e.into()))?.into_iter().filter(|r| r.need == id).collect()
    } else {
        vec![]
    };
    let reports: Vec<_> = reports.iter().map(|r| context! { reason => r.reason.as_str(), detail => r.detail.clone(), open => r.open, note => r.resolution_note.clone(), at => r.created_at.to_rfc3339() }).collect();
    let list = if can(&actor, Action::ManageBeneficiaries, None) { s.app.beneficiary_list(&actor, id).await.map_err(|e| ctx.err(e))? } else { None };
    let list = list.map(|l| context! { rows => l.rows, households => l.households, flagged => l.flagged, at => l.uploaded_at.to_rfc3339() });
    let (status, html) = render(
        ctx,
        "console/kolaborasi/need.html",
        context! {
            nav => super::console::console_nav(&actor), v => view, deliveries => deliveries, reports => reports, list => list, outcome => outcome, row_errors => row_errors, error => error,
            may_moderate => can(&actor, Action::ModerateAid, None), may_beneficiaries => can(&actor, Action::ManageBeneficiaries, None),
        },
    );
    let failed = error.is_some() || !row_errors.is_empty();
    Ok((if failed { StatusCode::UNPROCESSABLE_ENTITY } else { status }, html))
}

pub async fn need(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>) -> Result<Page, PageError> {
    need_page(&s, &ctx, id, None, None, vec![]).await
}

/// `action` = `take_down` | `reinstate` | `dismiss`, with a `note`.
pub async fn moderate_need(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(id): PagePath<i64>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let note = form.get("note");
    let now = Utc::now();
    let result = match form.get("action").as_deref() {
        Some("take_down") => s.app.take_down(&actor, id, &note, now).await,
        Some("reinstate") => s.app.reinstate_need(&actor, id, &note, now).await,
        Some("dismiss") => s.app.dismiss_reports(&actor, id, &note, now).await,
        _ => Err(AppError::field("action", "err.choice")),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/konsol/kolaborasi/kebutuhan/{id}")).into_response()),
        Err(AppError::Invalid(e)) => Ok(need_page(&s, &ctx, id, errors_map(ctx.lang, &e).into_values().next(), None, vec![]).await?.into_response()),
        Err(AppError::Rejected(code)) => Ok(need_page(&s, &ctx, id, Some(crate::http::render::tr(ctx.lang, code)), None, vec![]).await?.into_response()),
        Err(e) => Err(ctx.err(e)),
    }
}

pub async fn resolve_dispute(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(id): PagePath<i64>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let accept = match form.get("decision").as_deref() {
        Some("accept") => true,
        Some("reject") => false,
        _ => return Err(PageError::with(StatusCode::UNPROCESSABLE_ENTITY, "err.choice", ctx.lang)),
    };
    match s.app.resolve_dispute(&actor, id, accept, &form.get("note"), Utc::now()).await {
        Ok(n) => Ok(Redirect::to(&format!("/konsol/kolaborasi/kebutuhan/{}", n.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            let need = s.app.store.delivery(id).await.map_err(|e| ctx.err(e.into()))?.map(|d| d.need).ok_or_else(|| ctx.err(AppError::NotFound))?;
            Ok(need_page(&s, &ctx, need, errors_map(ctx.lang, &e).into_values().next(), None, vec![]).await?.into_response())
        }
        Err(e) => Err(ctx.err(e)),
    }
}

pub async fn upload_beneficiaries(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(id): PagePath<i64>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    if !can(&actor, Action::ManageBeneficiaries, None) {
        return Err(ctx.err(AppError::Forbidden));
    }
    let Some(file) = form.file("file") else {
        return Ok(need_page(&s, &ctx, id, Some(crate::http::render::tr(ctx.lang, "err.required")), None, vec![]).await?.into_response());
    };
    let t = match table::read_table(&file.filename, &file.data) {
        Ok(t) => t,
        Err(e) => return Ok(need_page(&s, &ctx, id, Some(e.message(ctx.lang.as_str())), None, vec![]).await?.into_response()),
    };
    let mut rows = vec![t.headers.clone()];
    rows.extend(t.rows);
    match s.app.upload_beneficiaries(&actor, id, &rows, Utc::now()).await {
        Ok(outcome) => Ok(need_page(&s, &ctx, id, None, Some(&outcome), vec![]).await?.into_response()),
        Err(BeneficiaryError::Rows(problems)) => {
            let rows: Vec<_> =
                problems.iter().map(|p| context! { line => p.line, column => p.column, message => crate::http::render::tr(ctx.lang, p.code) }).collect();
            Ok(need_page(&s, &ctx, id, None, None, rows).await?.into_response())
        }
        Err(BeneficiaryError::App(AppError::Rejected(code))) => {
            Ok(need_page(&s, &ctx, id, Some(crate::http::render::tr(ctx.lang, code)), None, vec![]).await?.into_response())
        }
        Err(BeneficiaryError::App(e)) => Err(ctx.err(e)),
    }
}

pub async fn proof(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let (proof, data) = s.app.delivery_proof(None, Some(&actor), id).await.map_err(|e| ctx.err(e))?;
    Ok(private_file(&proof, data))
}
