//! Console pages of the information register (DIP/DIK): the officer's list, the create form,
//! one item with its files, version history and action forms, bulk import and export, and the
//! promotion of a document released with a granted request.
//!
//! Like the rest of the console, handlers stay thin: `terbuka_app::App` decides who may do what
//! (an officer of another unit gets "not found") and which life-cycle step is legal. Forms are
//! shown only for what `dip::transition` would accept and the item's `may_manage` flag allows;
//! hiding them is a convenience, not a control. Every POST carries the CSRF token; a form that
//! does not validate comes back with status 422, its messages at the fields and what was typed.

use super::{PagePath, Params};
use crate::http::render::tr;
use crate::http::{render, Ctx, FormData, Page, PageError};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::{DateTime, NaiveDate, Utc};
use minijinja::context;
use minijinja::value::Value;
use std::collections::{BTreeMap, HashMap};
use terbuka_app::register::{parse_wib_datetime, ImportOutcome, Intent, RowError};
use terbuka_app::service::Upload;
use terbuka_app::AppError;
use terbuka_domain::authz::{can, Action, Actor};
use terbuka_domain::calendar::{wib, wib_date};
use terbuka_domain::dip::{self, Category, ItemEvent, ItemFields, ItemState};
use terbuka_domain::validate::{FieldErrors, RawItem, ITEM_COLUMNS};
use terbuka_domain::{ExemptionGround, Lang, Role};
use terbuka_store::{InfoFile, ItemFilter, ItemOrder, StoredItem, Unit};

/// Templates of these pages.
pub const TEMPLATES: &[(&str, &str)] = crate::templates!(
    "console/register/macros.html",
    "console/register/list.html",
    "console/register/new.html",
    "console/register/detail.html",
    "console/register/import.html",
);

pub const PAGE_SIZE: i64 = 50;

/// Success messages a redirect may ask for with `?ok=<code>` (`console_register.ok.<code>`).
const OK_CODES: &[&str] = &["created", "edited", "unchanged", "publish", "schedule", "unschedule", "withdraw", "restore", "files", "promoted", "imported"];

/// The life-cycle steps an officer may ask for (the scheduler's `schedule_due` is not one).
const EVENTS: &[ItemEvent] = &[ItemEvent::Publish, ItemEvent::Schedule, ItemEvent::Unschedule, ItemEvent::Withdraw, ItemEvent::Restore];

/// The longest note or reason kept (the use cases cut there too).
const MAX_NOTE_CHARS: usize = 2000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/konsol/informasi", get(list))
        .route("/konsol/informasi/baru", get(new_form).post(create))
        .route("/konsol/informasi/impor", get(import_form).post(import))
        .route("/konsol/informasi/templat.csv", get(template_csv))
        .route("/konsol/informasi/ekspor.csv", get(export_csv))
        .route("/konsol/informasi/ekspor.xlsx", get(export_xlsx))
        .route("/konsol/informasi/berkas/{file_id}", get(file_download))
        .route("/konsol/informasi/{id}", get(detail))
        .route("/konsol/informasi/{id}/ubah", post(edit))
        .route("/konsol/informasi/{id}/aksi", post(event))
        .route("/konsol/informasi/{id}/berkas", post(files))
        .route("/konsol/dokumen/{id}/jadikan-informasi", post(promote))
}

// ---------------------------------------------------------------- helpers

/// The first message of each field, in the user's language.
fn errors_map(lang: Lang, e: &FieldErrors) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in &e.0 {
        out.entry(f.field.to_string()).or_insert_with(|| tr(lang, f.code));
    }
    out
}

/// The text fields as typed (repeated values joined with commas; never the CSRF token).
fn typed_values(form: &FormData) -> BTreeMap<String, String> {
    form.fields.iter().filter(|(k, _)| k.as_str() != "csrf_token").map(|(k, v)| (k.clone(), v.join(","))).collect()
}

/// A raw item as the form's values.
fn raw_values(raw: &RawItem) -> BTreeMap<String, String> {
    match serde_json::to_value(raw) {
        Ok(serde_json::Value::Object(m)) => m.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect(),
        _ => BTreeMap::new(),
    }
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

/// Same resolution as the use cases: a unit's code, id or name.
fn unit_lookup(units: &[Unit], s: &str) -> Option<i64> {
    let s = s.trim();
    units.iter().find(|u| u.code.eq_ignore_ascii_case(s) || u.id.to_string() == s || u.name.eq_ignore_ascii_case(s)).map(|u| u.id)
}

/// Whether the officer sees every unit's items (the App decides; this only shapes the page).
fn sees_all_units(actor: &Actor) -> bool {
    actor.role == Role::PpidUtama || (actor.role == Role::AtasanPpid && actor.unit.is_none())
}

/// Whether the officer may create and import items at all (PPID Utama, PPID Pelaksana).
fn may_create(actor: &Actor) -> bool {
    can(actor, Action::ManageInfo, actor.unit)
}

/// The units an officer may file an item under, as form options (value = unit code).
fn unit_options(units: &[Unit], actor: &Actor, lang: Lang) -> Vec<Value> {
    units
        .iter()
        .filter(|u| can(actor, Action::ManageInfo, Some(u.id)))
        .map(|u| context! { id => u.id, code => u.code.clone(), name => unit_name(u, lang) })
        .collect()
}

/// The console menu, by role (as on the other console pages), with the register's entry.
use super::console::console_nav;

fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|x| f(*x)).collect()
}

/// The choice lists every item form needs.
fn choices() -> Value {
    context! {
        categories => codes(Category::ALL, Category::as_str),
        open_categories => codes(Category::OPEN, Category::as_str),
        grounds => codes(ExemptionGround::ALL, ExemptionGround::as_str),
        formats => ["softcopy", "hardcopy"],
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).map(|x| x.trim_start_matches("v=").to_string()).unwrap_or_default()
}

/// The success message named by `?ok=`, if it is one we know.
fn ok_message(p: &Params) -> Option<String> {
    p.str("ok").filter(|c| OK_CODES.contains(&c.as_str())).map(|c| format!("console_register.ok.{c}"))
}

/// A `datetime-local` value in WIB.
fn wib_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&wib()).format("%Y-%m-%dT%H:%M").to_string()
}

/// The `version` hidden field: absent or not a number is a malformed form (400).
fn version_of(form: &FormData, ctx: &Ctx) -> Result<i64, PageError> {
    form.get("version").and_then(|v| v.trim().parse::<i64>().ok()).ok_or_else(|| PageError::with(StatusCode::BAD_REQUEST, "err.bad_request", ctx.lang))
}

/// An optional note or reason: no control characters except line breaks and tabs (PostgreSQL
/// refuses NUL), at most [`MAX_NOTE_CHARS`].
fn note_field(errors: &mut FieldErrors, field: &'static str, value: Option<String>) -> Option<String> {
    let v = value?;
    if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        errors.add(field, "err.control_chars");
        return None;
    }
    if v.chars().count() > MAX_NOTE_CHARS {
        errors.add(field, "err.too_long");
        return None;
    }
    Some(v)
}

/// The publication time of a schedule: required, `YYYY-MM-DDTHH:MM` in WIB, in the future.
fn publish_at_field(errors: &mut FieldErrors, form: &FormData, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match form.get("publish_at").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        None => {
            errors.add("publish_at", "err.required");
            None
        }
        Some(s) => match parse_wib_datetime(&s) {
            None => {
                errors.add("publish_at", "err.datetime_format");
                None
            }
            Some(t) if t <= now => {
                errors.add("publish_at", "err.publish_at_past");
                None
            }
            Some(t) => Some(t),
        },
    }
}

fn attachment(content_type: &str, filename: &str, data: Vec<u8>) -> Response {
    let name: String = filename.chars().filter(|c| c.is_ascii_alphanumeric() || "._- ".contains(*c)).collect();
    let name = if name.trim().is_empty() { "berkas".to_string() } else { name };
    (
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response()
}

fn unprocessable(page: Page) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

// ---------------------------------------------------------------- how an item is shown

fn date_dmy(s: &str) -> String {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map(|d| d.format("%d-%m-%Y").to_string()).unwrap_or_else(|_| s.to_string())
}

/// The register fields of an item for people: (field, label, value), in the column order of the
/// import table, empty values left out. Used for the current item and for each version.
fn display_fields(f: &ItemFields, units: &[Unit], lang: Lang) -> Vec<(String, String, String)> {
    let unit = units.iter().find(|u| u.id == f.unit);
    let raw = raw_values(&RawItem::from_fields(f, unit.map(|u| u.code.as_str()).unwrap_or("")));
    let mut out = Vec::new();
    for (name, _) in ITEM_COLUMNS {
        let v = raw.get(*name).cloned().unwrap_or_default();
        if v.is_empty() {
            continue;
        }
        let shown = match *name {
            "unit" => unit.map(|u| unit_name(u, lang)).unwrap_or(v),
            "category" | "category_after" => tr(lang, &format!("console_register.category.{v}")),
            "formats" => v.split(',').map(|x| tr(lang, &format!("console_register.format.{}", x.trim()))).collect::<Vec<_>>().join(", "),
            "exemption_ground" => tr(lang, &format!("enum.exemption_ground.{v}")),
            "produced_on" | "decided_on" | "exempt_until" => date_dmy(&v),
            "retention" if v == "permanen" => tr(lang, "console_register.retention_permanent"),
            "retention" => tr(lang, "console_register.retention_years").replace("{n}", v.trim_end_matches(" tahun")),
            _ => v,
        };
        out.push((name.to_string(), tr(lang, &format!("console_register.field.{name}")), shown));
    }
    out
}

fn fields_value(rows: &[(String, String, String)]) -> Vec<Value> {
    rows.iter().map(|(name, label, value)| context! { name => name, label => label, value => value }).collect()
}

/// What changed between two versions' fields: (label, before, after).
fn diff(before: &[(String, String, String)], after: &[(String, String, String)]) -> Vec<Value> {
    let find = |rows: &[(String, String, String)], n: &str| rows.iter().find(|r| r.0 == n).map(|r| (r.1.clone(), r.2.clone()));
    let mut out = Vec::new();
    for (name, _) in ITEM_COLUMNS {
        let (a, b) = (find(before, name), find(after, name));
        if a.as_ref().map(|x| &x.1) != b.as_ref().map(|x| &x.1) {
            let label = b.as_ref().or(a.as_ref()).map(|x| x.0.clone()).unwrap_or_default();
            out.push(context! { label => label, before => a.map(|x| x.1), after => b.map(|x| x.1) });
        }
    }
    out
}

fn item_row(it: &StoredItem, units: &[Unit], lang: Lang, today: NaiveDate) -> Value {
    context! {
        id => it.id,
        title => it.fields.title.clone(),
        state => it.state.as_str(),
        category => it.fields.category.as_str(),
        exempt => it.fields.category.is_exempt(),
        unit => units.iter().find(|u| u.id == it.fields.unit).map(|u| unit_name(u, lang)),
        updated_at => it.updated_at.to_rfc3339(),
        publish_at => it.publish_at.map(|t| t.to_rfc3339()),
        stale => dip::is_stale(&it.fields, it.state, it.content_updated_on, today),
        next_update_due => dip::next_update_due(&it.fields, it.content_updated_on).map(|d| d.to_string()),
        formats => it.formats.clone(),
    }
}

fn file_value(f: &InfoFile) -> Value {
    context! {
        id => f.id,
        slot => f.slot,
        revision => f.revision,
        filename => f.filename.clone(),
        content_type => f.content_type.clone(),
        size => f.size,
        sha256 => f.sha256.clone(),
        created_at => f.created_at.to_rfc3339(),
        superseded_at => f.superseded_at.map(|t| t.to_rfc3339()),
        removed => f.removed,
        current => f.is_current(),
    }
}

/// The files by slot: the current revision (if any) and every revision, newest first.
fn slots(files: &[InfoFile]) -> Vec<Value> {
    let mut by_slot: BTreeMap<i64, Vec<&InfoFile>> = BTreeMap::new();
    for f in files {
        by_slot.entry(f.slot).or_default().push(f);
    }
    by_slot
        .into_iter()
        .map(|(slot, mut revs)| {
            revs.sort_by_key(|f| std::cmp::Reverse(f.revision));
            let current = revs.iter().find(|f| f.is_current()).map(|f| file_value(f));
            context! { slot => slot, current => current, revisions => revs.iter().map(|f| file_value(f)).collect::<Vec<_>>() }
        })
        .collect()
}

// ---------------------------------------------------------------- list

async fn list(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    let p = Params(q);
    let now = Utc::now();
    let today = wib_date(now);
    let state = p.str("state").and_then(|c| ItemState::parse(&c));
    let category = p.str("category").and_then(|c| Category::parse(&c));
    let all_units = sees_all_units(&actor);
    let unit = if all_units { p.int("unit") } else { None };
    let stale_only = p.str("stale").is_some();
    let text = p.str("q");
    let filter = ItemFilter {
        unit,
        states: state.into_iter().collect(),
        categories: category.into_iter().collect(),
        text: text.clone(),
        order: ItemOrder::Updated,
        limit: PAGE_SIZE,
        offset: (p.page() - 1) * PAGE_SIZE,
        ..Default::default()
    };
    // The App scopes the list to what the officer may see (and refuses those who may see none).
    let page = s.app.officer_items(&actor, filter).await.map_err(|e| ctx.err(e))?;
    let units = s.app.units().await.map_err(|e| ctx.err(e))?;
    let stale = s.app.stale_items(if all_units { unit } else { actor.unit }, now).await.map_err(|e| ctx.err(e))?;
    let (items, total): (Vec<Value>, i64) = if stale_only {
        (stale.iter().map(|(it, _)| item_row(it, &units, ctx.lang, today)).collect(), stale.len() as i64)
    } else {
        (page.items.iter().map(|it| item_row(it, &units, ctx.lang, today)).collect(), page.total)
    };
    let pages = if stale_only { 1 } else { ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1) };
    let base = format!(
        "/konsol/informasi?state={}&category={}&unit={}&q={}",
        state.map(|s| s.as_str()).unwrap_or(""),
        category.map(|c| c.as_str()).unwrap_or(""),
        unit.map(|u| u.to_string()).unwrap_or_default(),
        urlencode(&text.clone().unwrap_or_default()),
    );
    let n = p.int("n").filter(|n| *n >= 0);
    Ok(render(
        &ctx,
        "console/register/list.html",
        context! {
            nav => console_nav(&actor),
            items => items,
            total => total,
            stale_count => stale.len(),
            stale_only => stale_only,
            page => p.page(),
            pages => pages,
            base => base,
            f => context! { state => state.map(|s| s.as_str()), category => category.map(|c| c.as_str()), unit => unit, q => text },
            states => codes(ItemState::ALL, ItemState::as_str),
            categories => codes(Category::ALL, Category::as_str),
            units => units.iter().map(|u| context! { id => u.id, name => unit_name(u, ctx.lang) }).collect::<Vec<_>>(),
            all_units => all_units,
            may_create => may_create(&actor),
            ok => ok_message(&p),
            n => n,
        },
    ))
}

// ---------------------------------------------------------------- create

fn new_page(ctx: &Ctx, actor: &Actor, units: &[Unit], vals: BTreeMap<String, String>, errors: BTreeMap<String, String>) -> Page {
    let chosen: Vec<String> = vals.get("formats").map(|f| f.split(',').map(|x| x.trim().to_string()).collect()).unwrap_or_default();
    render(
        ctx,
        "console/register/new.html",
        context! {
            nav => console_nav(actor),
            vals => vals,
            errs => errors,
            chosen_formats => chosen,
            units => unit_options(units, actor, ctx.lang),
            c => choices(),
            intents => ["draft", "publish", "schedule"],
        },
    )
}

async fn new_form(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    if !may_create(&actor) {
        return Err(ctx.err(AppError::Forbidden));
    }
    let units = s.app.units().await.map_err(|e| ctx.err(e))?;
    let mut vals = BTreeMap::new();
    if actor.role == Role::PpidPelaksana {
        if let Some(u) = units.iter().find(|u| Some(u.id) == actor.unit) {
            vals.insert("unit".to_string(), u.code.clone());
        }
    }
    vals.insert("produced_on".into(), wib_date(Utc::now()).to_string());
    vals.insert("formats".into(), "softcopy".into());
    vals.insert("intent".into(), "draft".into());
    Ok(new_page(&ctx, &actor, &units, vals, BTreeMap::new()))
}

/// Reads the intent radio (and the publication time of a schedule).
fn intent_field(errors: &mut FieldErrors, form: &FormData, now: DateTime<Utc>) -> Option<Intent> {
    match form.get("intent").as_deref().map(str::trim) {
        Some("draft") => Some(Intent::Draft),
        Some("publish") => Some(Intent::Publish),
        Some("schedule") => publish_at_field(errors, form, now).map(Intent::Schedule),
        _ => {
            errors.add("intent", "err.choose_one");
            None
        }
    }
}

async fn create(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    if !may_create(&actor) {
        return Err(ctx.err(AppError::Forbidden));
    }
    let now = Utc::now();
    let raw: RawItem = form.to_raw();
    let units = s.app.units().await.map_err(|e| ctx.err(e))?;
    let mut errors = FieldErrors::default();
    let intent = intent_field(&mut errors, &form, now);
    let result = match intent {
        Some(intent) if errors.is_empty() => s.app.create_item(&actor, &raw, intent, form.all_files("files"), now).await,
        _ => {
            // Every problem at once: the item's own fields are checked too.
            if let Err(e) = raw.validate(wib_date(now), |u| unit_lookup(&units, u)) {
                errors.0.splice(0..0, e.0);
            }
            Err(AppError::Invalid(errors))
        }
    };
    match result {
        Ok(item) => Ok(Redirect::to(&format!("/konsol/informasi/{}?ok=created", item.id)).into_response()),
        Err(AppError::Invalid(e)) => Ok(unprocessable(new_page(&ctx, &actor, &units, typed_values(&form), errors_map(ctx.lang, &e)))),
        Err(e) => Err(ctx.err(e)),
    }
}

// ---------------------------------------------------------------- one item

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

async fn detail_page(s: &AppState, ctx: &Ctx, actor: &Actor, id: i64, ok: Option<String>, failed: Option<Failed>) -> Result<Page, PageError> {
    let now = Utc::now();
    let d = s.app.officer_item(actor, id, now).await.map_err(|e| ctx.err(e))?;
    let units = s.app.units().await.map_err(|e| ctx.err(e))?;
    let lang = ctx.lang;
    let it = &d.item;
    let unit_code = d.unit.as_ref().map(|u| u.code.clone()).unwrap_or_default();
    let events: Vec<&str> = if d.may_manage { EVENTS.iter().filter(|e| dip::transition(it.state, **e).is_ok()).map(|e| e.as_str()).collect() } else { vec![] };
    let (failed_form, errors, typed) = match failed {
        Some(f) => (Some(f.form), errors_map(lang, &f.errors), f.values),
        None => (None, BTreeMap::new(), BTreeMap::new()),
    };
    let edit_vals = if failed_form.as_deref() == Some("edit") { typed.clone() } else { raw_values(&RawItem::from_fields(&it.fields, &unit_code)) };
    let chosen: Vec<String> = edit_vals.get("formats").map(|f| f.split(',').map(|x| x.trim().to_string()).collect()).unwrap_or_default();
    let mut versions = d.versions.clone();
    versions.sort_by_key(|v| v.version);
    let mut previous: Option<Vec<(String, String, String)>> = None;
    let mut history = Vec::new();
    for v in &versions {
        let shown = display_fields(&v.fields, &units, lang);
        let changes = previous.as_ref().map(|p| diff(p, &shown)).unwrap_or_default();
        let (by, me) = match v.actor.strip_prefix("officer:") {
            Some(n) => ("officer", n == actor.officer.to_string()),
            None => ("system", false),
        };
        history.push(context! {
            version => v.version,
            at => v.at.to_rfc3339(),
            action => v.action.clone(),
            state => v.state.as_str(),
            note => v.note.clone(),
            by => by,
            me => me,
            changes => changes,
            first => previous.is_none(),
            fields => fields_value(&shown),
        });
        previous = Some(shown);
    }
    history.reverse();
    let item = context! {
        id => it.id,
        title => it.fields.title.clone(),
        state => it.state.as_str(),
        category => it.fields.category.as_str(),
        exempt => it.fields.category.is_exempt(),
        unit => d.unit.as_ref().map(|u| unit_name(u, lang)),
        version => it.version,
        publish_at => it.publish_at.map(|t| t.to_rfc3339()),
        published_at => it.published_at.map(|t| t.to_rfc3339()),
        withdrawn_at => it.withdrawn_at.map(|t| t.to_rfc3339()),
        withdrawn_reason => it.withdrawn_reason.clone(),
        content_updated_on => it.content_updated_on.to_string(),
        source_document => it.source_document,
        created_at => it.created_at.to_rfc3339(),
        updated_at => it.updated_at.to_rfc3339(),
        fields => fields_value(&display_fields(&it.fields, &units, lang)),
        public => matches!(d.visibility, dip::Visibility::Full | dip::Visibility::ListedExempt | dip::Visibility::WithdrawnNotice),
        visibility => match d.visibility {
            dip::Visibility::Hidden => "hidden",
            dip::Visibility::WithdrawnNotice => "withdrawn_notice",
            dip::Visibility::ListedExempt => "listed_exempt",
            dip::Visibility::Full => "full",
        },
        stale => d.stale,
        next_update_due => d.next_update_due.map(|x| x.to_string()),
        may_manage => d.may_manage,
    };
    Ok(render(
        ctx,
        "console/register/detail.html",
        context! {
            nav => console_nav(actor),
            item => item,
            slots => slots(&d.files),
            history => history,
            events => events,
            failed => failed_form,
            errors => errors,
            v => typed,
            edit_vals => edit_vals,
            chosen_formats => chosen,
            units => unit_options(&units, actor, lang),
            c => choices(),
            ok => ok,
            min_publish_at => wib_local(now),
        },
    ))
}

async fn detail(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    PagePath(id): PagePath<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    detail_page(&s, &ctx, &actor, id, ok_message(&Params(q)), None).await
}

/// After a POST on an item: back to it with a message, or the page again (422) with the form.
async fn answer(
    s: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    result: Result<&'static str, AppError>,
    failed: impl FnOnce(FieldErrors) -> Failed,
) -> Result<Response, PageError> {
    match result {
        Ok(code) => Ok(Redirect::to(&format!("/konsol/informasi/{id}?ok={code}")).into_response()),
        Err(AppError::Invalid(e)) => Ok(unprocessable(detail_page(s, ctx, actor, id, None, Some(failed(e))).await?)),
        Err(e) => Err(ctx.err(e)),
    }
}

async fn edit(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let version = version_of(&form, &ctx)?;
    let raw: RawItem = form.to_raw();
    let mut errors = FieldErrors::default();
    let note = note_field(&mut errors, "note", form.get("note"));
    let result = if errors.is_empty() {
        s.app.edit_item(&actor, id, version, &raw, note, Utc::now()).await.map(|it| if it.version == version { "unchanged" } else { "edited" })
    } else {
        Err(AppError::Invalid(errors))
    };
    answer(&s, &ctx, &actor, id, result, |e| Failed::new("edit", e, &form)).await
}

async fn event(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let version = version_of(&form, &ctx)?;
    let now = Utc::now();
    let Some(ev) = form.get("event").and_then(|e| EVENTS.iter().find(|x| x.as_str() == e.trim()).copied()) else {
        return Err(PageError::with(StatusCode::BAD_REQUEST, "err.bad_request", ctx.lang));
    };
    let mut errors = FieldErrors::default();
    let publish_at = if ev == ItemEvent::Schedule { publish_at_field(&mut errors, &form, now) } else { None };
    let reason = if ev == ItemEvent::Withdraw { note_field(&mut errors, "reason", form.get("reason")) } else { None };
    let result = if errors.is_empty() {
        s.app.item_event(&actor, id, version, ev, publish_at, reason, now).await.map(|_| ev.as_str())
    } else {
        Err(AppError::Invalid(errors))
    };
    answer(&s, &ctx, &actor, id, result, |e| Failed::new(format!("event-{}", ev.as_str()), e, &form)).await
}

async fn files(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let version = version_of(&form, &ctx)?;
    let bad_request = || PageError::with(StatusCode::BAD_REQUEST, "err.bad_request", ctx.lang);
    let slot = form.get("slot").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).map(|s| s.parse::<i64>().map_err(|_| bad_request())).transpose()?;
    let mut errors = FieldErrors::default();
    let note = note_field(&mut errors, "note", form.get("note"));
    let op = form.get("op").unwrap_or_default();
    let (form_name, add, replace, remove) = match (op.trim(), slot) {
        ("add", _) => ("files-add".to_string(), form.all_files("files"), None, None),
        ("replace", Some(slot)) => {
            let up = form.file("file").unwrap_or(Upload { filename: String::new(), content_type: String::new(), data: vec![] });
            (format!("files-replace-{slot}"), vec![], Some((slot, up)), None)
        }
        ("remove", Some(slot)) => (format!("files-remove-{slot}"), vec![], None, Some(slot)),
        _ => return Err(bad_request()),
    };
    let result = if errors.is_empty() {
        s.app.change_files(&actor, id, version, add, replace, remove, note, Utc::now()).await.map(|_| "files")
    } else {
        Err(AppError::Invalid(errors))
    };
    answer(&s, &ctx, &actor, id, result, |e| Failed::new(form_name, e, &form)).await
}

async fn file_download(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(file_id): PagePath<i64>) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let (f, data) = s.app.officer_file(&actor, file_id).await.map_err(|e| ctx.err(e))?;
    Ok(attachment(&f.content_type, &f.filename, data))
}

// ---------------------------------------------------------------- import and export

fn import_page(ctx: &Ctx, actor: &Actor, publish: bool, file_error: Option<String>, rows: Option<&[RowError]>) -> Page {
    let lang = ctx.lang;
    let rows: Option<Vec<Value>> = rows.map(|rows| {
        rows.iter()
            .map(|e| {
                let column = match ITEM_COLUMNS.iter().find(|(f, _)| *f == e.field) {
                    Some((f, id)) => (if lang == Lang::En { *f } else { *id }).to_string(),
                    None => e.field.clone(),
                };
                let label = ITEM_COLUMNS.iter().any(|(f, _)| *f == e.field).then(|| tr(lang, &format!("console_register.field.{}", e.field)));
                context! { line => e.line, column => column, label => label, message => tr(lang, &e.code) }
            })
            .collect()
    });
    render(ctx, "console/register/import.html", context! { nav => console_nav(actor), publish => publish, file_error => file_error, rows => rows })
}

async fn import_form(Extension(ctx): Extension<Ctx>) -> Result<Page, PageError> {
    let actor = ctx.actor()?;
    if !may_create(&actor) {
        return Err(ctx.err(AppError::Forbidden));
    }
    Ok(import_page(&ctx, &actor, false, None, None))
}

async fn import(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    if !may_create(&actor) {
        return Err(ctx.err(AppError::Forbidden));
    }
    let publish = checked(&form, "publish");
    let upload = form.file("file").unwrap_or(Upload { filename: String::new(), content_type: String::new(), data: vec![] });
    match s.app.import_items(&actor, &upload, publish, Utc::now()).await {
        Ok(ImportOutcome::Saved { ids }) => Ok(Redirect::to(&format!("/konsol/informasi?ok=imported&n={}", ids.len())).into_response()),
        Ok(ImportOutcome::Rejected { errors }) => Ok(unprocessable(import_page(&ctx, &actor, publish, None, Some(&errors)))),
        Err(AppError::Invalid(e)) => {
            let msg = e.0.first().map(|f| tr(ctx.lang, f.code));
            Ok(unprocessable(import_page(&ctx, &actor, publish, msg, None)))
        }
        Err(e) => Err(ctx.err(e)),
    }
}

/// The import table with its Indonesian headers and one example row.
async fn template_csv(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let units = s.app.units().await.map_err(|e| ctx.err(e))?;
    let unit = units
        .iter()
        .find(|u| Some(u.id) == actor.unit && can(&actor, Action::ManageInfo, Some(u.id)))
        .or_else(|| units.iter().find(|u| u.parent.is_some()))
        .or(units.first())
        .map(|u| u.code.clone())
        .unwrap_or_default();
    let example = |field: &str| -> String {
        match field {
            "title" => "Laporan Realisasi Anggaran 2025".into(),
            "summary" => "Laporan realisasi anggaran pendapatan dan belanja tahun anggaran 2025.".into(),
            "unit" => unit.clone(),
            "official" => "Kepala Bagian Keuangan".into(),
            "produced_on" => "2025-12-31".into(),
            "produced_place" => "Jakarta".into(),
            "period" => "Tahun 2025".into(),
            "formats" => "softcopy,hardcopy".into(),
            "retention" => "5 tahun".into(),
            "how_to_obtain" => "Unduh langsung dari laman ini atau minta salinan cetak di meja layanan PPID.".into(),
            "category" => "berkala".into(),
            "cadence_months" => "6".into(),
            _ => String::new(),
        }
    };
    let headers: Vec<&str> = ITEM_COLUMNS.iter().map(|(_, id)| *id).collect();
    let row: Vec<String> = ITEM_COLUMNS.iter().map(|(f, _)| example(f)).collect();
    let csv = terbuka_files::table::write_csv(&headers, &[row]);
    Ok(attachment("text/csv; charset=utf-8", "templat-informasi.csv", csv))
}

async fn export_csv(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let (headers, rows) = s.app.export_items(&actor).await.map_err(|e| ctx.err(e))?;
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    Ok(attachment("text/csv; charset=utf-8", "informasi.csv", terbuka_files::table::write_csv(&headers, &rows)))
}

async fn export_xlsx(State(s): State<AppState>, Extension(ctx): Extension<Ctx>) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let (headers, rows) = s.app.export_items(&actor).await.map_err(|e| ctx.err(e))?;
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let data = terbuka_files::table::write_xlsx("DIP", &headers, &rows);
    Ok(attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "informasi.xlsx", data))
}

// ---------------------------------------------------------------- promotion

/// Promotes a document released with a granted request (from the request's page) and opens the
/// new item; a document already promoted opens its item.
async fn promote(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(id): PagePath<i64>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = ctx.actor()?;
    let item = s.app.promote_document(&actor, id, Utc::now()).await.map_err(|e| ctx.err(e))?;
    Ok(Redirect::to(&format!("/konsol/informasi/{}?ok=promoted", item.id)).into_response())
}
