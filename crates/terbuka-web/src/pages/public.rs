//! Public pages: the request form, tracking, the public register, statistics, the audit head.

use super::{download, PagePath, Params};
use crate::http::ctx::{set_cookie, Ctx, LANG_COOKIE, SESSION_COOKIE};
use crate::http::{render, FormData, Page, PageError};
use crate::views;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use chrono::Utc;
use minijinja::context;
use std::collections::HashMap;
use terbuka_app::AppError;
use terbuka_domain::calendar::wib_date;
use terbuka_domain::request::RequestState;
use terbuka_domain::validate::{FieldErrors, RawObjection, RawRequest};
use terbuka_domain::*;
use terbuka_store::{RequestFilter, RequestOrder};

pub const PAGE_SIZE: i64 = 20;

fn errors_map(ctx: &Ctx, e: &FieldErrors) -> HashMap<&'static str, String> {
    e.0.iter().map(|f| (f.field, crate::http::render::tr(ctx.lang, f.code))).collect()
}

fn enum_codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|x| f(*x)).collect()
}

pub async fn home(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Page, PageError> {
    let stats = s.app.stats(None).await.map_err(|e| ctx.err(e))?;
    Ok(render(&ctx, "home.html", context! { body => s.app.config.body.name.clone(), overall => stats.overall }))
}

fn request_form_page(ctx: &Ctx, raw: &RawRequest, errors: Option<&FieldErrors>) -> Page {
    render(
        ctx,
        "request_form.html",
        context! {
            v => raw,
            errors => errors.map(|e| errors_map(ctx, e)).unwrap_or_default(),
            kinds => enum_codes(RequesterKind::ALL, RequesterKind::as_str),
            obtains => enum_codes(ObtainMethod::ALL, ObtainMethod::as_str),
            deliveries => enum_codes(DeliveryMethod::ALL, DeliveryMethod::as_str),
            obtain_chosen => raw.obtain.clone().unwrap_or_default().split(',').map(str::to_string).collect::<Vec<_>>(),
        },
    )
}

pub async fn request_form(Extension(ctx): Extension<Ctx>) -> Page {
    request_form_page(&ctx, &RawRequest { requester_kind: Some("individual".into()), ..Default::default() }, None)
}

pub async fn submit_request(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let raw: RawRequest = form.to_raw();
    match s.app.submit_request(&raw, form.file("identity_scan"), Utc::now()).await {
        Ok(sub) => {
            let link = format!("{}/lacak/{}", s.app.config.server.public_url.trim_end_matches('/'), sub.token);
            Ok(render(
                &ctx,
                "request_ack.html",
                context! {
                    reg_no => sub.request.reg_no,
                    link => link,
                    token => sub.token,
                    notice_due => sub.request.clock.notice_due.to_string(),
                    received_on => sub.request.clock.day0.to_string(),
                    emailed => raw.email.as_deref().map(|e| !e.trim().is_empty()).unwrap_or(false),
                },
            )
            .into_response())
        }
        Err(AppError::Invalid(e)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, request_form_page(&ctx, &raw, Some(&e))).into_response()),
        Err(e) => Err(ctx.err(e)),
    }
}

pub async fn track_start(Extension(ctx): Extension<Ctx>) -> Page {
    render(&ctx, "track_start.html", context! {})
}

/// Accepts a pasted link or a bare token and opens its tracking page.
pub async fn track_lookup(Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let raw = form.get("token").unwrap_or_default();
    let token: String =
        raw.trim().trim_end_matches('/').rsplit('/').next().unwrap_or("").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    if token.len() < 20 {
        let mut e = FieldErrors::default();
        e.add("token", "err.not_found");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&ctx, "track_start.html", context! { errors => errors_map(&ctx, &e) })).into_response());
    }
    Ok(Redirect::to(&format!("/lacak/{token}")).into_response())
}

async fn track_page(
    s: &AppState,
    ctx: &Ctx,
    token: &str,
    objection_errors: Option<&FieldErrors>,
    objection_raw: Option<&RawObjection>,
) -> Result<Page, PageError> {
    let now = Utc::now();
    let t = s.app.tracking(token, now).await.map_err(|e| ctx.err(e))?;
    let units = s.app.units().await.map_err(|e| ctx.err(e))?;
    let cal = s.app.calendar().await.map_err(|e| ctx.err(e))?;
    let dl = s.app.deadlines(&cal);
    let view = views::tracking_view(&t, &units, &dl, wib_date(now), ctx.lang);
    Ok(render(
        ctx,
        "track.html",
        context! {
            token => token,
            r => view,
            grounds => enum_codes(ObjectionGround::ALL, ObjectionGround::as_str),
            errors => objection_errors.map(|e| errors_map(ctx, e)).unwrap_or_default(),
            ov => objection_raw,
            ki => s.app.config.body.komisi_informasi.clone(),
            ki_address => s.app.config.body.komisi_informasi_address.clone(),
        },
    ))
}

pub async fn track(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(token): PagePath<String>) -> Result<Page, PageError> {
    track_page(&s, &ctx, &token, None, None).await
}

pub async fn file_objection(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(token): PagePath<String>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let raw: RawObjection = form.to_raw();
    match s.app.file_objection(&token, &raw, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/lacak/{token}#keberatan")).into_response()),
        Err(AppError::Invalid(e)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, track_page(&s, &ctx, &token, Some(&e), Some(&raw)).await?).into_response()),
        Err(e) => Err(ctx.err(e)),
    }
}

pub async fn withdraw(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(token): PagePath<String>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    s.app.withdraw(&token, Utc::now()).await.map_err(|e| ctx.err(e))?;
    Ok(Redirect::to(&format!("/lacak/{token}")).into_response())
}

pub async fn track_document(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((token, id)): PagePath<(String, i64)>,
) -> Result<Response, PageError> {
    Ok(download(s.app.requester_document(&token, id).await.map_err(|e| ctx.err(e))?))
}

/// Reads the register filters from the query string (shared with the API).
pub fn register_filter(p: &Params) -> RequestFilter {
    RequestFilter {
        unit: p.int("unit"),
        states: p.str("status").and_then(|s| RequestState::parse(&s)).into_iter().collect(),
        year: p.int("year").filter(|y| (2000..=2100).contains(y)).map(|y| y as i32),
        text: p.str("q"),
        order: RequestOrder::Newest,
        limit: PAGE_SIZE,
        offset: (p.page() - 1) * PAGE_SIZE,
        unrouted: false,
    }
}

pub async fn register(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let p = Params(q);
    let filter = register_filter(&p);
    let page = s.app.public_register(&filter).await.map_err(|e| ctx.err(e))?;
    let units = s.app.units().await.map_err(|e| ctx.err(e))?;
    let cal = s.app.calendar().await.map_err(|e| ctx.err(e))?;
    let dl = s.app.deadlines(&cal);
    let today = wib_date(Utc::now());
    let items: Vec<_> = page.items.iter().map(|r| views::public_request(r, &units, &dl, today, ctx.lang)).collect();
    let years = s.app.store.request_years().await.map_err(|e| ctx.err(e.into()))?;
    let pages = ((page.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let unit_opts: Vec<_> =
        units.iter().map(|u| context! { id => u.id, name => if ctx.lang == Lang::En { u.name_en.clone() } else { u.name.clone() } }).collect();
    Ok(render(
        &ctx,
        "register.html",
        context! {
            items => items,
            total => page.total,
            page => p.page(),
            pages => pages,
            units => unit_opts,
            years => years,
            states => enum_codes(RequestState::ALL, RequestState::as_str),
            f => context! { unit => p.int("unit"), status => p.str("status"), year => p.int("year"), q => p.str("q") },
        },
    ))
}

pub async fn register_detail(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(reg_no): PagePath<String>) -> Result<Page, PageError> {
    let detail = public_detail(&s, &reg_no, ctx.lang).await.map_err(|e| ctx.err(e))?;
    Ok(render(&ctx, "register_detail.html", context! { r => detail }))
}

/// One request of the public register, shared with the API.
pub async fn public_detail(s: &AppState, reg_no: &str, lang: Lang) -> Result<views::PublicRequestDetail, AppError> {
    if parse_registration_number(reg_no).is_none() {
        return Err(AppError::NotFound);
    }
    let (r, docs, objections) = s.app.public_request(reg_no).await?;
    let units = s.app.units().await?;
    let cal = s.app.calendar().await?;
    let dl = s.app.deadlines(&cal);
    let notice: Option<terbuka_domain::request::Notice> = r.notice_json.as_deref().and_then(|j| serde_json::from_str(j).ok());
    Ok(views::PublicRequestDetail {
        request: views::public_request(&r, &units, &dl, wib_date(Utc::now()), lang),
        exemption_ground: notice.as_ref().and_then(|n| n.exemption.as_ref()).map(|e| e.ground.as_str()),
        holder: notice.and_then(|n| n.holder),
        documents: docs.iter().map(views::public_document).collect(),
        objections: objections.iter().map(views::public_objection).collect(),
    })
}

pub async fn public_document(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>) -> Result<Response, PageError> {
    Ok(download(s.app.public_document(id).await.map_err(|e| ctx.err(e))?))
}

pub async fn stats(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let p = Params(q);
    let year = p.int("year").filter(|y| (2000..=2100).contains(y)).map(|y| y as i32);
    let v = s.app.stats(year).await.map_err(|e| ctx.err(e))?;
    let years = s.app.store.request_years().await.map_err(|e| ctx.err(e.into()))?;
    let per_unit: Vec<_> = v
        .per_unit
        .iter()
        .map(|(u, st)| context! { name => u.as_ref().map(|u| if ctx.lang == Lang::En { u.name_en.clone() } else { u.name.clone() }), s => st })
        .collect();
    Ok(render(
        &ctx,
        "stats.html",
        context! { year => year, years => years, overall => v.overall, per_unit => per_unit, outcomes => enum_codes(Outcome::ALL, Outcome::as_str) },
    ))
}

pub async fn audit(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Page, PageError> {
    let head = s.app.audit_head().await.map_err(|e| ctx.err(e))?;
    Ok(render(&ctx, "audit.html", context! { count => head.count, hash => head.hash }))
}

pub async fn privacy(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Page {
    render(&ctx, "privacy.html", context! { body => s.app.config.body.name.clone() })
}

/// Switches the language and returns to the page the user was on (`?next=`, same site only).
pub async fn set_lang(Extension(ctx): Extension<Ctx>, PagePath(lang): PagePath<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let lang = Lang::parse(&lang).unwrap_or_default();
    let next = q.get("next").filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\')).cloned().unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&next).into_response();
    if let Ok(v) = set_cookie(LANG_COOKIE, lang.as_str(), Some(60 * 60 * 24 * 365), ctx.secure).parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

pub async fn login_form(Extension(ctx): Extension<Ctx>) -> Response {
    if ctx.signed_in.is_some() {
        return Redirect::to("/konsol").into_response();
    }
    render(&ctx, "login.html", context! {}).into_response()
}

pub async fn login(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let username = form.get("username").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    match s.app.login(&username, &password, &ctx.client, Utc::now()).await {
        Ok((_o, _session, token)) => {
            let mut res = Redirect::to("/konsol").into_response();
            let max_age = s.app.config.security.session_hours * 3600;
            if let Ok(v) = set_cookie(SESSION_COOKIE, &token, Some(max_age), ctx.secure).parse() {
                res.headers_mut().append(SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooManyAttempts)) => {
            let status = crate::http::error::status_of(&e);
            let message = crate::http::render::tr(
                ctx.lang,
                match &e {
                    AppError::TooManyAttempts => "err.too_many_attempts",
                    _ => "err.login_failed",
                },
            );
            Ok((status, render(&ctx, "login.html", context! { error => message, username => username })).into_response())
        }
        Err(e) => Err(ctx.err(e)),
    }
}

pub async fn logout(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    if let Some(si) = &ctx.signed_in {
        s.app.logout(&si.token).await.map_err(|e| ctx.err(e))?;
    }
    let mut res = Redirect::to("/").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", Some(0), ctx.secure).parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
    Ok(res)
}
