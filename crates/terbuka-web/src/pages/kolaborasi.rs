//! Public kolaborasi pages: the list of needs (with "check my area"), a need's page with the
//! pledge and report forms, the pledger's private page (record a delivery, cancel), organisation
//! registration and its private management page (post needs, confirm or dispute deliveries), and
//! the public ledger with its CSV/JSON downloads.
//!
//! Private pages are reached by a secret link (`/kolaborasi/janji/{token}`,
//! `/kolaborasi/org/{token}`), like a requester's tracking link: no account needed.

use super::register::attachment;
use super::{PagePath, Params};
use crate::http::ctx::Ctx;
use crate::http::form::FormData;
use crate::http::{render, Page, PageError};
use crate::kolaborasi_views::{self as kv, PublicNeed, PublicNeedPage, PublicOrg};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::Utc;
use minijinja::context;
use std::collections::{BTreeMap, HashMap};
use terbuka_app::kolaborasi::{Ledger, LedgerRow};
use terbuka_app::AppError;
use terbuka_domain::kolaborasi::{NeedState, OrgKind, RawDelivery, RawNeed, RawOrg, RawPledge, RawReport, ReportReason};
use terbuka_domain::region::RegionLevel;
use terbuka_domain::validate::FieldErrors;
use terbuka_domain::Lang;
use terbuka_files::table;
use terbuka_store::{AidItemType, NeedFilter};

pub const TEMPLATES: &[(&str, &str)] = crate::templates!(
    "kolaborasi/macros.html",
    "kolaborasi/list.html",
    "kolaborasi/need.html",
    "kolaborasi/done.html",
    "kolaborasi/pledge.html",
    "kolaborasi/org_form.html",
    "kolaborasi/org.html",
    "kolaborasi/ledger.html",
);

pub const PER_PAGE: i64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kolaborasi", get(list))
        .route("/kolaborasi/kebutuhan.csv", get(needs_csv))
        .route("/kolaborasi/kebutuhan.json", get(needs_json))
        .route("/kolaborasi/kebutuhan/{id}", get(need))
        .route("/kolaborasi/kebutuhan/{id}/janji", post(pledge))
        .route("/kolaborasi/kebutuhan/{id}/laporkan", post(report))
        .route("/kolaborasi/janji/{token}", get(pledge_page))
        .route("/kolaborasi/janji/{token}/kirim", post(deliver))
        .route("/kolaborasi/janji/{token}/batal", post(cancel_pledge))
        .route("/kolaborasi/organisasi/daftar", get(org_form).post(org_register))
        .route("/kolaborasi/org/{token}", get(org_page))
        .route("/kolaborasi/org/{token}/kebutuhan", post(org_post_need))
        .route("/kolaborasi/org/{token}/kebutuhan/{id}/batal", post(org_cancel_need))
        .route("/kolaborasi/org/{token}/kebutuhan/{id}/pengiriman/{delivery}", post(org_delivery))
        .route("/kolaborasi/org/{token}/bukti/{delivery}", get(org_proof))
        .route("/kolaborasi/ledger", get(ledger))
        .route("/kolaborasi/ledger.csv", get(ledger_csv))
        .route("/kolaborasi/ledger.json", get(ledger_json))
}

pub(crate) fn errors_map(lang: Lang, e: &FieldErrors) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in &e.0 {
        out.entry(f.field.to_string()).or_insert_with(|| crate::http::render::tr(lang, f.code));
    }
    out
}

/// Item types and kelurahan for forms and filters.
async fn choices(s: &AppState, ctx: &Ctx) -> Result<(Vec<AidItemType>, minijinja::Value), PageError> {
    let types = s.app.aid_item_types().await.map_err(|e| ctx.err(e))?;
    let kel: Vec<_> = s
        .app
        .regions
        .at_level(RegionLevel::Kelurahan)
        .map(|r| {
            let kota = s.app.regions.ancestor_at(&r.code, RegionLevel::KotaKab).map(|k| k.short_name.clone()).unwrap_or_default();
            let kec = s.app.regions.ancestor_at(&r.code, RegionLevel::Kecamatan).map(|k| k.short_name.clone()).unwrap_or_default();
            context! { code => r.code.clone(), label => format!("{} — {}, {}", r.short_name, kec, kota) }
        })
        .collect();
    Ok((types, minijinja::Value::from_serialize(&kel)))
}

fn type_views(types: &[AidItemType]) -> Vec<kv::PublicItemType> {
    types.iter().filter(|t| t.active).map(kv::PublicItemType::of).collect()
}

fn item_code(types: &[AidItemType], id: i64) -> String {
    types.iter().find(|t| t.id == id).map(|t| t.code.clone()).unwrap_or_default()
}

/// Filters of the list, the downloads and the API. Unknown values are ignored on pages.
pub(crate) struct ListQuery {
    pub filter: NeedFilter,
    pub region: Option<String>,
    pub item: Option<String>,
    pub state: String,
}

pub(crate) fn list_query(p: &Params, types: &[AidItemType], regions: &terbuka_domain::region::Regions, e: &mut FieldErrors) -> ListQuery {
    let mut filter = NeedFilter::default();
    let region = p.str("wilayah").or_else(|| p.str("region"));
    if let Some(r) = &region {
        if regions.get(r).is_some() {
            filter.region = Some(r.clone());
        } else {
            e.add("region", "err.region_unknown");
        }
    }
    let item = p.str("jenis").or_else(|| p.str("item_type"));
    if let Some(code) = &item {
        match types.iter().find(|t| &t.code == code) {
            Some(t) => filter.item_type = Some(t.id),
            None => e.add("item_type", "err.choice"),
        }
    }
    let state = p.str("status").or_else(|| p.str("state")).unwrap_or_else(|| "aktif".into());
    filter.states = match state.as_str() {
        "aktif" | "active" => vec![NeedState::Open, NeedState::PartlyPledged, NeedState::FullyPledged, NeedState::Delivered],
        "terbuka" | "open" => vec![NeedState::Open, NeedState::PartlyPledged],
        "semua" | "all" => NeedState::ALL.iter().copied().filter(|s| *s != NeedState::TakenDown).collect(),
        other => match NeedState::parse(other) {
            Some(s) => vec![s],
            None => {
                e.add("state", "err.choice");
                vec![NeedState::Open, NeedState::PartlyPledged, NeedState::FullyPledged, NeedState::Delivered]
            }
        },
    };
    ListQuery { filter, region, item, state }
}

pub async fn list(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let p = Params(q);
    let (types, _) = choices(&s, &ctx).await?;
    let mut ignored = FieldErrors::default();
    let mut lq = list_query(&p, &types, &s.app.regions, &mut ignored);
    let page = p.page();
    lq.filter.offset = (page - 1) * PER_PAGE;
    lq.filter.limit = PER_PAGE;
    let needs = s.app.needs(&lq.filter).await.map_err(|e| ctx.err(e))?;
    // Every need carries its organisation's verified badge and date.
    let orgs: HashMap<i64, PublicOrg> = s.app.store.list_orgs(&[]).await.map_err(|e| ctx.err(e.into()))?.iter().map(|o| (o.id, PublicOrg::of(o))).collect();
    let views: Vec<_> = needs
        .items
        .iter()
        .map(|n| context! { n => PublicNeed::of(n, &item_code(&types, n.item_type), &s.app.regions), org => orgs.get(&n.org).cloned() })
        .collect();
    // "Check my area": kelurahan whose name or postal code matches, with their open needs.
    let area_q = p.str("kelurahan");
    let area: Vec<_> = match &area_q {
        None => vec![],
        Some(q) => s.app.regions.find_kelurahan(q, 8).into_iter().map(|r| kv::region_of(&s.app.regions, &r.code)).collect(),
    };
    let kota: Vec<_> = s.app.regions.at_level(RegionLevel::KotaKab).map(|r| context! { code => r.code.clone(), name => r.short_name.clone() }).collect();
    let pages = (needs.total + PER_PAGE - 1) / PER_PAGE;
    let base = format!(
        "/kolaborasi?status={}{}{}",
        lq.state,
        lq.region.as_ref().map(|r| format!("&wilayah={r}")).unwrap_or_default(),
        lq.item.as_ref().map(|r| format!("&jenis={r}")).unwrap_or_default()
    );
    Ok(render(
        &ctx,
        "kolaborasi/list.html",
        context! {
            needs => views, total => needs.total, page => page, pages => pages, base => base,
            types => type_views(&types), kota => kota, region => lq.region, item => lq.item, state => lq.state,
            area_q => area_q, area => area,
            states => NeedState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        },
    ))
}

async fn need_page(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    pledge_v: Option<(&RawPledge, &FieldErrors)>,
    report_v: Option<(&RawReport, &FieldErrors)>,
    message: Option<String>,
) -> Result<Page, PageError> {
    let detail = s.app.need_detail(id).await.map_err(|e| ctx.err(e))?;
    // Organisations that were never verified have no public needs (they cannot post any).
    if detail.org.verified_at.is_none() {
        return Err(ctx.err(AppError::NotFound));
    }
    let view = PublicNeedPage::of(&detail, &s.app.regions);
    let (pv, pe) = pledge_v.map(|(r, e)| (serde_json::to_value(r).unwrap_or_default(), errors_map(ctx.lang, e))).unwrap_or_default();
    let (rv, re) = report_v.map(|(r, e)| (serde_json::to_value(r).unwrap_or_default(), errors_map(ctx.lang, e))).unwrap_or_default();
    let status = if message.is_some() || !pe.is_empty() || !re.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (_, html) = render(
        ctx,
        "kolaborasi/need.html",
        context! {
            v => view, pv => pv, pe => pe, rv => rv, re => re, message => message,
            reasons => ReportReason::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        },
    );
    Ok((status, html))
}

pub async fn need(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>) -> Result<Page, PageError> {
    need_page(&s, &ctx, id, None, None, None).await
}

pub async fn pledge(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let raw: RawPledge = form.to_raw();
    match s.app.pledge(id, &raw, &ctx.client, Utc::now()).await {
        Ok((saved, token)) => {
            let link = format!("{}/kolaborasi/janji/{token}", s.app.config.server.public_url.trim_end_matches('/'));
            Ok(render(&ctx, "kolaborasi/done.html", context! { kind => "pledge", seg => "janji", token => token, link => link, need_id => saved.need.id, title => saved.need.title, emailed => raw.email.as_deref().is_some_and(|e| !e.trim().is_empty()) })
                .into_response())
        }
        Err(AppError::Invalid(e)) => Ok(need_page(&s, &ctx, id, Some((&raw, &e)), None, None).await?.into_response()),
        Err(AppError::Rejected(code)) => {
            let status = if code == "err.aid_rate_limited" { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::UNPROCESSABLE_ENTITY };
            let (_, html) = need_page(&s, &ctx, id, Some((&raw, &FieldErrors::default())), None, Some(crate::http::render::tr(ctx.lang, code))).await?;
            Ok((status, html).into_response())
        }
        Err(e) => Err(ctx.err(e)),
    }
}

pub async fn report(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let raw: RawReport = form.to_raw();
    match s.app.report_need(id, &raw, Utc::now()).await {
        Ok(_) => Ok(render(&ctx, "kolaborasi/done.html", context! { kind => "report", need_id => id }).into_response()),
        Err(AppError::Invalid(e)) => Ok(need_page(&s, &ctx, id, None, Some((&raw, &e)), None).await?.into_response()),
        Err(e) => Err(ctx.err(e)),
    }
}

async fn pledge_view(s: &AppState, ctx: &Ctx, token: &str, dv: Option<(&RawDelivery, &FieldErrors)>) -> Result<Page, PageError> {
    let d = s.app.pledge_by_token(token).await.map_err(|e| ctx.err(e))?;
    let need = PublicNeedPage::of(&d.need, &s.app.regions);
    let (v, errors) = dv.map(|(r, e)| (serde_json::to_value(r).unwrap_or_default(), errors_map(ctx.lang, e))).unwrap_or_default();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let deliveries: Vec<_> = d.need.deliveries.iter().filter(|x| x.pledge == d.pledge.id).map(kv::PublicDelivery::of).collect();
    let (_, html) = render(
        ctx,
        "kolaborasi/pledge.html",
        context! {
            token => token, p => kv::PublicPledge::of(&d.pledge), name => d.contact.name, email => d.contact.email, phone => d.contact.phone,
            outstanding => d.pledge.quantity - d.pledge.delivered, need => need, deliveries => deliveries, v => v, errors => errors,
            today => terbuka_domain::calendar::wib_date(Utc::now()).to_string(),
        },
    );
    Ok((status, html))
}

pub async fn pledge_page(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(token): PagePath<String>) -> Result<Page, PageError> {
    pledge_view(&s, &ctx, &token, None).await
}

pub async fn deliver(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(token): PagePath<String>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let raw: RawDelivery = form.to_raw();
    match s.app.record_delivery(&token, &raw, form.file("proof"), Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/kolaborasi/janji/{token}")).into_response()),
        Err(AppError::Invalid(e)) => Ok(pledge_view(&s, &ctx, &token, Some((&raw, &e))).await?.into_response()),
        Err(e) => Err(ctx.err(e)),
    }
}

pub async fn cancel_pledge(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(token): PagePath<String>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    s.app.cancel_pledge(&token, Utc::now()).await.map_err(|e| ctx.err(e))?;
    Ok(Redirect::to(&format!("/kolaborasi/janji/{token}")).into_response())
}

fn org_form_page(s: &AppState, ctx: &Ctx, raw: &RawOrg, e: Option<&FieldErrors>) -> Page {
    let regions: Vec<_> = s
        .app
        .regions
        .at_level(RegionLevel::Kelurahan)
        .chain(s.app.regions.at_level(RegionLevel::Kecamatan))
        .chain(s.app.regions.at_level(RegionLevel::KotaKab))
        .map(|r| context! { code => r.code.clone(), label => format!("{} ({})", r.name, r.code) })
        .collect();
    let errors = e.map(|e| errors_map(ctx.lang, e)).unwrap_or_default();
    let (status, html) = render(
        ctx,
        "kolaborasi/org_form.html",
        context! { v => serde_json::to_value(raw).unwrap_or_default(), errors => errors, kinds => OrgKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(), regions => regions },
    );
    (if e.is_some() && status == StatusCode::OK { StatusCode::UNPROCESSABLE_ENTITY } else { status }, html)
}

pub async fn org_form(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Page {
    org_form_page(&s, &ctx, &RawOrg::default(), None)
}

pub async fn org_register(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let raw: RawOrg = form.to_raw();
    match s.app.register_org(&raw, Utc::now()).await {
        Ok((org, token)) => {
            let link = format!("{}/kolaborasi/org/{token}", s.app.config.server.public_url.trim_end_matches('/'));
            Ok(render(&ctx, "kolaborasi/done.html", context! { kind => "org", seg => "org", token => token, link => link, title => org.name }).into_response())
        }
        Err(AppError::Invalid(e)) => Ok(org_form_page(&s, &ctx, &raw, Some(&e)).into_response()),
        Err(e) => Err(ctx.err(e)),
    }
}

async fn org_view(s: &AppState, ctx: &Ctx, token: &str, nv: Option<(&RawNeed, &FieldErrors)>, message: Option<String>) -> Result<Page, PageError> {
    let (org, needs) = s.app.org_needs(token).await.map_err(|e| ctx.err(e))?;
    let (types, kel) = choices(s, ctx).await?;
    let mut rows = Vec::new();
    for n in &needs {
        let detail = s.app.need_detail(n.id).await.map_err(|e| ctx.err(e))?;
        let deliveries: Vec<_> = detail
            .deliveries
            .iter()
            .map(|d| context! { d => kv::PublicDelivery::of(d), has_proof => d.proof.is_some(), dispute_reason => d.dispute_reason.clone() })
            .collect();
        rows.push(context! { n => PublicNeed::of(n, &item_code(&types, n.item_type), &s.app.regions), deliveries => deliveries, may_cancel => n.state.takes_pledges() });
    }
    let (v, errors) = nv.map(|(r, e)| (serde_json::to_value(r).unwrap_or_default(), errors_map(ctx.lang, e))).unwrap_or_default();
    let status = if errors.is_empty() && message.is_none() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let (_, html) = render(
        ctx,
        "kolaborasi/org.html",
        context! {
            token => token, org => PublicOrg::of(&org), state_note => org.state_note.clone(), needs => rows, types => type_views(&types), kelurahan => kel,
            v => v, errors => errors, message => message, today => terbuka_domain::calendar::wib_date(Utc::now()).to_string(),
        },
    );
    Ok((status, html))
}

pub async fn org_page(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(token): PagePath<String>) -> Result<Page, PageError> {
    org_view(&s, &ctx, &token, None, None).await
}

pub async fn org_post_need(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(token): PagePath<String>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let raw: RawNeed = form.to_raw();
    match s.app.post_need(&token, &raw, Utc::now()).await {
        Ok(n) => Ok(Redirect::to(&format!("/kolaborasi/kebutuhan/{}", n.id)).into_response()),
        Err(AppError::Invalid(e)) => Ok(org_view(&s, &ctx, &token, Some((&raw, &e)), None).await?.into_response()),
        Err(AppError::Rejected(code)) => {
            Ok(org_view(&s, &ctx, &token, Some((&raw, &FieldErrors::default())), Some(crate::http::render::tr(ctx.lang, code))).await?.into_response())
        }
        Err(e) => Err(ctx.err(e)),
    }
}

pub async fn org_cancel_need(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((token, id)): PagePath<(String, i64)>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    match s.app.cancel_need(&token, id, &form.get("reason"), Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/kolaborasi/org/{token}")).into_response()),
        Err(AppError::Invalid(e)) => {
            Ok(org_view(&s, &ctx, &token, None, Some(errors_map(ctx.lang, &e).into_values().next().unwrap_or_default())).await?.into_response())
        }
        Err(e) => Err(ctx.err(e)),
    }
}

/// Confirm (`action=confirm`) or dispute (`action=dispute`, with `reason`) a delivery.
pub async fn org_delivery(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((token, id, delivery)): PagePath<(String, i64, i64)>,
    form: FormData,
) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let now = Utc::now();
    let result = match form.get("action").as_deref() {
        Some("confirm") => s.app.confirm_delivery(&token, id, delivery, now).await,
        Some("dispute") => s.app.dispute_delivery(&token, id, delivery, &form.get("reason"), now).await,
        _ => Err(AppError::field("action", "err.choice")),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/kolaborasi/org/{token}")).into_response()),
        Err(AppError::Invalid(e)) => {
            Ok(org_view(&s, &ctx, &token, None, Some(errors_map(ctx.lang, &e).into_values().next().unwrap_or_default())).await?.into_response())
        }
        Err(e) => Err(ctx.err(e)),
    }
}

pub async fn org_proof(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath((token, delivery)): PagePath<(String, i64)>,
) -> Result<Response, PageError> {
    let (proof, data) = s.app.delivery_proof(Some(&token), None, delivery).await.map_err(|e| ctx.err(e))?;
    Ok(private_file(&proof, data))
}

/// A proof file: never cached, never rendered inline.
pub(crate) fn private_file(proof: &terbuka_store::ProofFile, data: Vec<u8>) -> Response {
    use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
    let name: String = proof.filename.chars().filter(|c| c.is_ascii_alphanumeric() || "._- ".contains(*c)).collect();
    (
        [
            (CONTENT_TYPE, proof.content_type.clone()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", if name.trim().is_empty() { "bukti".into() } else { name })),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response()
}

// ------------------------------------------------------------------ downloads and the ledger

const NEED_COLUMNS: &[&str] = &[
    "id",
    "judul",
    "jenis",
    "jumlah",
    "dijanjikan",
    "terkirim",
    "diterima",
    "sisa",
    "status",
    "kelurahan_kode",
    "kelurahan",
    "kecamatan",
    "kota",
    "rw",
    "kk",
    "jiwa",
    "sampai",
    "dipasang",
    "organisasi_id",
];

fn need_row(n: &PublicNeed) -> Vec<String> {
    let o = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
    vec![
        n.id.to_string(),
        n.title.clone(),
        n.item_type.clone(),
        n.quantity.to_string(),
        n.pledged.to_string(),
        n.delivered.to_string(),
        n.confirmed.to_string(),
        n.remaining.to_string(),
        n.state.clone(),
        n.region.kelurahan_code.clone(),
        n.region.kelurahan.clone(),
        n.region.kecamatan.clone(),
        n.region.kota.clone(),
        n.rw.clone().unwrap_or_default(),
        o(n.households),
        o(n.people),
        n.until.clone(),
        n.posted_on.clone(),
        n.org_id.to_string(),
    ]
}

/// Every need matching the filters (all states but taken-down by default), for downloads.
pub(crate) async fn all_needs(s: &AppState, p: &Params) -> Result<Vec<PublicNeed>, (AppError, FieldErrors)> {
    let types = s.app.aid_item_types().await.map_err(|e| (e, FieldErrors::default()))?;
    let mut e = FieldErrors::default();
    let mut p2 = p.0.clone();
    p2.entry("status".into()).or_insert_with(|| "semua".into());
    let lq = list_query(&Params(p2), &types, &s.app.regions, &mut e);
    if !e.is_empty() {
        return Err((AppError::Invalid(e.clone()), e));
    }
    let needs = s.app.needs(&lq.filter).await.map_err(|e| (e, FieldErrors::default()))?;
    Ok(needs.items.iter().map(|n| PublicNeed::of(n, &item_code(&types, n.item_type), &s.app.regions)).collect())
}

pub async fn needs_csv(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Response, PageError> {
    let needs = all_needs(&s, &Params(q)).await.map_err(|(e, _)| ctx.err(e))?;
    let rows: Vec<Vec<String>> = needs.iter().map(need_row).collect();
    Ok(attachment("text/csv; charset=utf-8", "kolaborasi-kebutuhan.csv", table::write_csv(NEED_COLUMNS, &rows)))
}

pub async fn needs_json(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Response, PageError> {
    let needs = all_needs(&s, &Params(q)).await.map_err(|(e, _)| ctx.err(e))?;
    Ok(axum::Json(serde_json::json!({ "needs": needs, "generated_at": Utc::now().to_rfc3339() })).into_response())
}

fn ledger_rows<'a>(l: &'a Ledger, by: &str) -> Option<&'a [LedgerRow]> {
    Some(match by {
        "kota" => &l.by_kota,
        "kecamatan" => &l.by_kecamatan,
        "kelurahan" => &l.by_kelurahan,
        "jenis" | "item" => &l.by_item,
        "donatur" | "donor" => &l.by_donor,
        "tanpa_nama" | "unnamed" => &l.unnamed,
        _ => return None,
    })
}

pub async fn ledger(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Page, PageError> {
    let l = s.app.ledger().await.map_err(|e| ctx.err(e))?;
    let types = s.app.aid_item_types().await.map_err(|e| ctx.err(e))?;
    let svg = needs_map(&l, &s.app.regions, ctx.lang);
    Ok(render(&ctx, "kolaborasi/ledger.html", context! { l => l, types => type_views(&types), map => minijinja::Value::from_safe_string(svg) }))
}

/// The kelurahan map of the ledger: no needs, needs all met or closed, 1–2 open, 3 or more open.
fn needs_map(l: &Ledger, regions: &terbuka_domain::region::Regions, lang: Lang) -> String {
    let tr = |k: &str| crate::http::render::tr(lang, k);
    let fills = l
        .by_kelurahan
        .iter()
        .map(|r| {
            let class = match r.needs_open {
                0 => "m1",
                1 | 2 => "m2",
                _ => "m3",
            };
            let title =
                format!("{} {}, {} {}", r.needs_open, tr("kolaborasi.ledger.open").to_lowercase(), r.needs_met, tr("kolaborasi.ledger.met").to_lowercase());
            (r.key.clone(), crate::map::Fill { class, title })
        })
        .collect();
    crate::map::svg(
        &crate::map::for_regions(regions, terbuka_domain::region::RegionLevel::Kelurahan),
        &fills,
        &tr("kolaborasi.ledger.map_label"),
        "/kolaborasi?status=semua&wilayah=",
    )
}

pub async fn ledger_csv(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Response, PageError> {
    let by = Params(q).str("by").unwrap_or_else(|| "kelurahan".into());
    let l = s.app.ledger().await.map_err(|e| ctx.err(e))?;
    let rows = ledger_rows(&l, &by).ok_or_else(|| ctx.err(AppError::field("by", "err.choice")))?;
    let headers = ["kunci", "nama", "jenis", "kebutuhan", "terbuka", "terpenuhi", "tutup_tidak_terpenuhi", "jumlah", "dijanjikan", "terkirim", "diterima"];
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.key.clone(),
                r.label.clone(),
                r.item_type.clone().unwrap_or_default(),
                r.needs.to_string(),
                r.needs_open.to_string(),
                r.needs_met.to_string(),
                r.needs_closed_unmet.to_string(),
                r.quantity.to_string(),
                r.pledged.to_string(),
                r.delivered.to_string(),
                r.confirmed.to_string(),
            ]
        })
        .collect();
    Ok(attachment("text/csv; charset=utf-8", &format!("kolaborasi-ledger-{by}.csv"), table::write_csv(&headers, &data)))
}

pub async fn ledger_json(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Response, PageError> {
    let l = s.app.ledger().await.map_err(|e| ctx.err(e))?;
    Ok(axum::Json(l).into_response())
}
