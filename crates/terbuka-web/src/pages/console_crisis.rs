//! Console pages of the crisis information channel: the datasets with their latest release, the
//! upload form of each dataset (CSV, XLSX or JSON, all or nothing, every problem listed by line
//! and column), a template CSV per dataset, and the form that creates a dataset from a definition
//! (live at `/krisis/{slug}` at once, no restart).
//!
//! Only officers allowed `Action::ManageCrisisData` (Admin, PPID Utama) get these pages; others
//! get the 403 page, anonymous visitors the sign-in redirect. The use cases in
//! `terbuka_app::crisis` check the role again and do the work; the handlers here only read the
//! form, check the definition with `Definition::parse` to show every problem it has, and render.

use super::PagePath;
use crate::http::render::tr;
use crate::http::{render, Ctx, FormData, Page, PageError};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use chrono::Utc;
use minijinja::context;
use minijinja::value::Value;
use std::collections::{BTreeMap, HashMap};
use terbuka_app::crisis::{IngestError, ReleaseSummary};
use terbuka_app::AppError;
use terbuka_domain::authz::{can, Action, Actor};
use terbuka_domain::crisis::formula::FormulaError;
use terbuka_domain::crisis::{Definition, DefinitionError, Grain, RowProblem, COVID19_DEFINITION, FLOODS_DEFINITION};
use terbuka_domain::Lang;

/// Templates of these pages.
pub const TEMPLATES: &[(&str, &str)] =
    crate::templates!("console/crisis/macros.html", "console/crisis/list.html", "console/crisis/upload.html", "console/crisis/new.html");

/// The most upload problems listed on the page; the rest are counted.
pub const MAX_PROBLEMS_SHOWN: usize = 500;

/// The longest definition accepted from the form, in bytes (the shipped ones are under 20 KiB).
pub const MAX_DEFINITION_BYTES: usize = 256 * 1024;

/// Slugs the console cannot serve as a dataset: they are console paths of their own.
const RESERVED_SLUGS: &[&str] = &["baru", "contoh"];

/// The example definitions offered for download: (file name, text).
const EXAMPLES: &[(&str, &str)] = &[("contoh-covid19.toml", COVID19_DEFINITION), ("contoh-banjir.toml", FLOODS_DEFINITION)];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/konsol/krisis", get(list))
        .route("/konsol/krisis/baru", get(new_form).post(create))
        .route("/konsol/krisis/contoh/{file}", get(example))
        .route("/konsol/krisis/{slug}/unggah", get(upload_form).post(upload))
        .route("/konsol/krisis/{slug}/templat.csv", get(template_csv))
}

// ---------------------------------------------------------------- helpers

/// The signed-in officer, if they may manage crisis data (403 page otherwise; anonymous visitors
/// are sent to the sign-in page).
fn manager(ctx: &Ctx) -> Result<Actor, PageError> {
    let actor = ctx.actor()?;
    if !can(&actor, Action::ManageCrisisData, None) {
        return Err(ctx.err(AppError::Forbidden));
    }
    Ok(actor)
}

/// The same shape the use case accepts (lower-case letters, digits, `-`, `_`; at most 40; starts
/// with a letter or digit). Checked here too so that a malformed path never reaches the store and
/// the form can show every problem at once; the use case checks again.
fn slug_shape(slug: &str) -> bool {
    (1..=40).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && slug.as_bytes()[0].is_ascii_alphanumeric()
}

/// A message with `{name}` placeholders filled.
fn fill(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let mut s = tr(lang, key);
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

fn attachment(content_type: &str, filename: &str, data: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response()
}

/// The dataset and its definition, or the "not found" page (a malformed slug never reaches the
/// store).
async fn dataset(s: &AppState, ctx: &Ctx, slug: &str) -> Result<Definition, PageError> {
    if !slug_shape(slug) {
        return Err(ctx.err(AppError::NotFound));
    }
    let (_, def) = s.app.crisis_dataset(slug).await.map_err(|e| ctx.err(e))?;
    Ok(def)
}

// ---------------------------------------------------------------- definition problems

/// "measure `x`" and friends, as the definition check names an entry, in the user's language.
fn what_text(lang: Lang, what: &str) -> String {
    for (prefix, key) in [("measure ", "measure"), ("derived ", "derived"), ("indicator ", "indicator")] {
        if let Some(rest) = what.strip_prefix(prefix) {
            return format!("{} {rest}", tr(lang, &format!("console_crisis.def.what_{key}")));
        }
    }
    if what == "definition" {
        return tr(lang, "console_crisis.def.what_definition");
    }
    what.to_string()
}

fn formula_problem(lang: Lang, e: &FormulaError) -> String {
    match e {
        FormulaError::Empty => tr(lang, "console_crisis.def.formula_empty"),
        FormulaError::Unexpected { found, at } => fill(lang, "console_crisis.def.formula_unexpected", &[("found", found.clone()), ("at", at.to_string())]),
        FormulaError::UnexpectedEnd => tr(lang, "console_crisis.def.formula_end"),
        FormulaError::Unclosed { at } => fill(lang, "console_crisis.def.formula_unclosed", &[("at", at.to_string())]),
    }
}

/// One problem of a definition, in the user's language. (`Invalid` carries its reason in
/// English from the domain; it is shown after a translated lead.)
pub fn definition_problem(lang: Lang, e: &DefinitionError) -> String {
    use DefinitionError as E;
    let w = |what: &str| ("what", what_text(lang, what));
    match e {
        E::Toml(detail) => fill(lang, "console_crisis.def.toml", &[("detail", detail.clone())]),
        E::Missing { what, field } => fill(lang, "console_crisis.def.missing", &[w(what), ("field", field.to_string())]),
        E::BadId { what, id } => fill(lang, "console_crisis.def.bad_id", &[w(what), ("id", id.clone())]),
        E::Duplicate { id } => fill(lang, "console_crisis.def.duplicate", &[("id", id.clone())]),
        E::Reserved { id } => fill(lang, "console_crisis.def.reserved", &[("id", id.clone())]),
        E::Unknown { what, field, value, expected } => {
            fill(lang, "console_crisis.def.unknown", &[w(what), ("field", field.to_string()), ("value", value.clone()), ("expected", expected.clone())])
        }
        E::MissingIndonesian { what, field } => fill(lang, "console_crisis.def.missing_indonesian", &[w(what), ("field", field.to_string())]),
        E::Formula { what, error } => fill(lang, "console_crisis.def.formula", &[w(what), ("detail", formula_problem(lang, error))]),
        E::UnknownReference { what, name } => fill(lang, "console_crisis.def.unknown_reference", &[w(what), ("name", name.clone())]),
        E::Arity { what, kind, want, got } => {
            fill(lang, "console_crisis.def.arity", &[w(what), ("kind", kind.to_string()), ("want", want.to_string()), ("got", got.to_string())])
        }
        E::InputKind { what, input, temporal, kind } => {
            fill(lang, "console_crisis.def.input_kind", &[w(what), ("input", input.clone()), ("temporal", temporal.to_string()), ("kind", kind.to_string())])
        }
        E::NeedsDaily { what, kind } => fill(lang, "console_crisis.def.needs_daily", &[w(what), ("kind", kind.to_string())]),
        E::Invalid { what, message } => fill(lang, "console_crisis.def.invalid", &[w(what), ("detail", message.clone())]),
        E::NoMeasures => tr(lang, "console_crisis.def.no_measures"),
    }
}

/// The line of a TOML syntax error (the domain's message has no position).
fn toml_error_line(text: &str) -> Option<usize> {
    let err = toml::from_str::<toml::Table>(text).err()?;
    let start = err.span()?.start.min(text.len());
    Some(text.as_bytes()[..start].iter().filter(|b| **b == b'\n').count() + 1)
}

/// The message with its first letter in upper case (entries are named in lower case).
fn sentence(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

/// Every problem of a definition, in the user's language (empty when it is valid).
pub fn definition_problems(lang: Lang, text: &str) -> Vec<String> {
    match Definition::parse(text) {
        Ok(_) => vec![],
        Err(errs) => errs
            .0
            .iter()
            .map(|e| {
                let msg = sentence(definition_problem(lang, e));
                match (e, toml_error_line(text)) {
                    (DefinitionError::Toml(_), Some(line)) => fill(lang, "console_crisis.def.at_line", &[("line", line.to_string()), ("message", msg)]),
                    _ => msg,
                }
            })
            .collect(),
    }
}

// ---------------------------------------------------------------- the list

async fn list_page(s: &AppState, ctx: &Ctx, actor: &Actor, created: Option<String>) -> Result<Page, PageError> {
    let lang = ctx.lang;
    let datasets = s.app.crisis_datasets().await.map_err(|e| ctx.err(e))?;
    let mut rows = Vec::new();
    for ds in &datasets {
        let def = Definition::parse(&ds.definition).ok();
        let releases = s.app.crisis_releases(&ds.slug).await.map_err(|e| ctx.err(e))?;
        let latest = releases.first().map(|r| context! { seq => r.seq, at => r.created_at.to_rfc3339(), note => r.note.clone(), rows => r.rows });
        rows.push(context! {
            slug => ds.slug.clone(),
            title => def.as_ref().map(|d| d.title.get(lang).to_string()),
            measures => def.as_ref().map(|d| d.measures.len()),
            releases => releases.len(),
            latest => latest,
            uploadable => slug_shape(&ds.slug) && !RESERVED_SLUGS.contains(&ds.slug.as_str()),
        });
    }
    let created = created.filter(|c| datasets.iter().any(|d| &d.slug == c));
    Ok(render(ctx, "console/crisis/list.html", context! { nav => super::console::console_nav(actor), datasets => rows, created => created }))
}

async fn list(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, Query(q): Query<HashMap<String, String>>) -> Result<Page, PageError> {
    let actor = manager(&ctx)?;
    list_page(&s, &ctx, &actor, q.get("baru").cloned()).await
}

// ---------------------------------------------------------------- upload

/// What the region column holds: codes at the reported level, and which totals may come too.
fn region_explain(def: &Definition, lang: Lang) -> String {
    let level = |l: terbuka_domain::region::RegionLevel| tr(lang, &format!("console_crisis.level.{}", l.as_str()));
    let mut out = fill(lang, "console_crisis.col.region_explain", &[("level", level(def.level))]);
    if !def.totals.is_empty() {
        let levels = def.totals.iter().map(|l| level(*l)).collect::<Vec<_>>().join(", ");
        out.push(' ');
        out.push_str(&fill(lang, "console_crisis.col.region_totals", &[("levels", levels)]));
    }
    out
}

/// The columns of a dataset's upload, explained from its definition.
fn columns(def: &Definition, lang: Lang) -> Vec<Value> {
    let mut out = vec![
        context! { name => "region", alias => "kode_wilayah", label => tr(lang, "console_crisis.col.region"), explain => region_explain(def, lang), required => true },
        context! { name => "date", alias => "tanggal", label => tr(lang, "console_crisis.col.date"), explain => tr(lang, if def.grain == Grain::Week { "console_crisis.col.date_week" } else { "console_crisis.col.date_day" }), required => true },
    ];
    for m in &def.measures {
        let bounds = match (m.min, m.max) {
            (Some(lo), Some(hi)) => fill(lang, "console_crisis.col.between", &[("min", lo.to_string()), ("max", hi.to_string())]),
            (Some(lo), None) => fill(lang, "console_crisis.col.at_least", &[("min", lo.to_string())]),
            (None, Some(hi)) => fill(lang, "console_crisis.col.at_most", &[("max", hi.to_string())]),
            (None, None) => String::new(),
        };
        out.push(context! {
            name => m.id.clone(),
            label => m.label.get(lang).to_string(),
            unit => m.unit.get(lang).to_string(),
            kind => tr(lang, &format!("console_crisis.kind.{}", m.kind.as_str())),
            temporal => tr(lang, &format!("console_crisis.temporal.{}", m.temporal.as_str())),
            bounds => bounds,
            explain => m.explain.get(lang).to_string(),
            measure => true,
        });
    }
    out.push(context! { name => "note", alias => "catatan", label => tr(lang, "console_crisis.col.note"), explain => tr(lang, "console_crisis.col.note_explain"), required => false });
    out
}

/// What the upload page shows besides the form.
#[derive(Default)]
struct UploadResult {
    done: Option<ReleaseSummary>,
    unchanged: bool,
    problems: Vec<RowProblem>,
    errors: BTreeMap<String, String>,
    message: Option<String>,
    note: String,
}

fn upload_page(ctx: &Ctx, actor: &Actor, slug: &str, def: &Definition, r: UploadResult) -> Page {
    let lang = ctx.lang;
    let shown: Vec<Value> = r
        .problems
        .iter()
        .take(MAX_PROBLEMS_SHOWN)
        .map(|p| {
            let label = def.label(&p.column).map(|t| t.get(lang).to_string());
            context! { line => p.line, column => p.column.clone(), label => label, message => tr(lang, p.code) }
        })
        .collect();
    let total = r.problems.len();
    let done = r.done.as_ref().map(|d| {
        context! { seq => d.seq, uploaded => d.uploaded, rows => d.rows, added => d.added, changed => d.changed, removed => d.removed, digest => d.digest.clone() }
    });
    render(
        ctx,
        "console/crisis/upload.html",
        context! {
            nav => super::console::console_nav(actor),
            slug => slug,
            title => def.title.get(lang).to_string(),
            description => def.description.get(lang).to_string(),
            columns => columns(def, lang),
            measure_ids => def.measures.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
            done => done,
            unchanged => r.unchanged,
            problems => shown,
            problem_count => total,
            hidden_problems => total.saturating_sub(MAX_PROBLEMS_SHOWN),
            errors => r.errors,
            message => r.message,
            note => r.note,
        },
    )
}

async fn upload_form(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(slug): PagePath<String>) -> Result<Page, PageError> {
    let actor = manager(&ctx)?;
    let def = dataset(&s, &ctx, &slug).await?;
    Ok(upload_page(&ctx, &actor, &slug, &def, UploadResult::default()))
}

async fn upload(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(slug): PagePath<String>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = manager(&ctx)?;
    let def = dataset(&s, &ctx, &slug).await?;
    let lang = ctx.lang;
    let note = form.get("note").unwrap_or_default();
    let mut r = UploadResult { note: note.clone(), ..Default::default() };
    let Some(file) = form.file("file") else {
        r.errors.insert("file".into(), tr(lang, "err.required"));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, upload_page(&ctx, &actor, &slug, &def, r)).into_response());
    };
    let note = Some(note.as_str()).filter(|n| !n.trim().is_empty());
    let status = match s.app.crisis_ingest(Some(&actor), &slug, &file.filename, &file.data, note, Utc::now(), &mut |_| {}).await {
        Ok(summary) => {
            r.done = Some(summary);
            r.note = String::new();
            StatusCode::OK
        }
        Err(IngestError::Rows(problems)) => {
            r.problems = problems;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(IngestError::App(AppError::Rejected("err.crisis_unchanged"))) => {
            r.unchanged = true;
            StatusCode::OK
        }
        Err(IngestError::App(AppError::Invalid(e))) => {
            for f in &e.0 {
                r.errors.entry(f.field.to_string()).or_insert_with(|| tr(lang, f.code));
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(IngestError::App(AppError::Rejected(code))) => {
            r.message = Some(tr(lang, code));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(IngestError::App(e)) => return Err(ctx.err(e)),
    };
    let (render_status, html) = upload_page(&ctx, &actor, &slug, &def, r);
    Ok((if render_status.is_success() { status } else { render_status }, html).into_response())
}

/// The header a dataset's upload expects: `region`, `date` and its measure ids.
async fn template_csv(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, PagePath(slug): PagePath<String>) -> Result<Response, PageError> {
    manager(&ctx)?;
    let def = dataset(&s, &ctx, &slug).await?;
    let mut headers: Vec<&str> = vec!["region", "date"];
    headers.extend(def.measures.iter().map(|m| m.id.as_str()));
    Ok(attachment("text/csv; charset=utf-8", &format!("templat-{slug}.csv"), terbuka_files::table::write_csv(&headers, &[])))
}

// ---------------------------------------------------------------- new dataset

fn new_page(ctx: &Ctx, actor: &Actor, slug: &str, definition: &str, errors: BTreeMap<String, String>, problems: Vec<String>, message: Option<String>) -> Page {
    render(
        ctx,
        "console/crisis/new.html",
        context! {
            nav => super::console::console_nav(actor),
            slug => slug,
            definition => definition,
            errors => errors,
            problems => problems,
            message => message,
            examples => EXAMPLES.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        },
    )
}

async fn new_form(Extension(ctx): Extension<Ctx>) -> Result<Page, PageError> {
    let actor = manager(&ctx)?;
    Ok(new_page(&ctx, &actor, "", "", BTreeMap::new(), vec![], None))
}

async fn create(State(s): State<AppState>, Extension(ctx): Extension<Ctx>, form: FormData) -> Result<Response, PageError> {
    form.check_csrf(&ctx)?;
    let actor = manager(&ctx)?;
    let lang = ctx.lang;
    let slug = form.get("slug").unwrap_or_default().trim().to_string();
    let mut definition = form.get("definition").unwrap_or_default();
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    let mut problems = Vec::new();

    // A chosen .toml file takes the place of the text box (and fills it, so it can be fixed).
    if let Some(file) = form.file("definition_file") {
        if file.data.len() > MAX_DEFINITION_BYTES {
            errors.insert("definition".into(), tr(lang, "err.file_too_large"));
        } else {
            match String::from_utf8(file.data) {
                Ok(text) => definition = text,
                Err(_) => {
                    errors.insert("definition".into(), tr(lang, "console_crisis.definition_not_utf8"));
                }
            }
        }
    }
    let definition = definition.strip_prefix('\u{feff}').unwrap_or(&definition).to_string();
    if !errors.contains_key("definition") {
        if definition.trim().is_empty() {
            errors.insert("definition".into(), tr(lang, "err.required"));
        } else if definition.len() > MAX_DEFINITION_BYTES {
            errors.insert("definition".into(), tr(lang, "err.too_long"));
        } else if definition.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            errors.insert("definition".into(), tr(lang, "err.control_chars"));
        } else {
            problems = definition_problems(lang, &definition);
            if !problems.is_empty() {
                errors.insert("definition".into(), fill(lang, "console_crisis.definition_problems", &[("n", problems.len().to_string())]));
            }
        }
    }

    if slug.is_empty() {
        errors.insert("slug".into(), tr(lang, "err.required"));
    } else if !slug_shape(&slug) {
        errors.insert("slug".into(), tr(lang, "err.crisis_slug"));
    } else if RESERVED_SLUGS.contains(&slug.as_str()) {
        errors.insert("slug".into(), tr(lang, "console_crisis.slug_reserved"));
    } else if s.app.crisis_datasets().await.map_err(|e| ctx.err(e))?.iter().any(|d| d.slug == slug) {
        errors.insert("slug".into(), tr(lang, "err.crisis_slug_taken"));
    }
    // What was typed comes back (cut to the limit, so a huge paste is not echoed whole).
    let shown: String = if definition.len() > MAX_DEFINITION_BYTES { definition.chars().take(MAX_DEFINITION_BYTES / 4).collect() } else { definition.clone() };
    let shown_slug: String = slug.chars().filter(|c| !c.is_control()).take(80).collect();
    if !errors.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, new_page(&ctx, &actor, &shown_slug, &shown, errors, problems, None)).into_response());
    }
    match s.app.create_crisis_dataset(Some(&actor), &slug, &definition, Utc::now()).await {
        Ok(ds) => Ok(Redirect::to(&format!("/konsol/krisis?baru={}", ds.slug)).into_response()),
        Err(AppError::Invalid(e)) => {
            for f in &e.0 {
                errors.entry(f.field.to_string()).or_insert_with(|| tr(lang, f.code));
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, new_page(&ctx, &actor, &shown_slug, &shown, errors, problems, None)).into_response())
        }
        Err(AppError::Rejected("err.crisis_slug_taken")) => {
            errors.insert("slug".into(), tr(lang, "err.crisis_slug_taken"));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, new_page(&ctx, &actor, &shown_slug, &shown, errors, problems, None)).into_response())
        }
        Err(AppError::Rejected(code)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, new_page(&ctx, &actor, &shown_slug, &shown, errors, problems, Some(tr(lang, code)))).into_response())
        }
        Err(e) => Err(ctx.err(e)),
    }
}

/// The shipped definitions, as examples to start from.
async fn example(Extension(ctx): Extension<Ctx>, PagePath(file): PagePath<String>) -> Result<Response, PageError> {
    manager(&ctx)?;
    let (name, text) = EXAMPLES.iter().find(|(name, _)| *name == file).ok_or_else(|| ctx.err(AppError::NotFound))?;
    Ok(attachment("application/toml; charset=utf-8", name, text.as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_definition_problem_is_translated_and_located() {
        let bad = r#"
id = "Banjir"
title = { en = "Floods" }
level = "desa"
grain = "day"

[[measure]]
id = "date"
kind = "count"
temporal = "cumulative"
aggregate = "sum"
unit = { id = "orang" }
label = { id = "x" }
explain = { id = "x" }

[[derived]]
id = "d"
formula = "a + ("
temporal = "snapshot"
unit = { id = "x" }
label = { id = "x" }
explain = { id = "x" }
"#;
        for lang in [Lang::Id, Lang::En] {
            let problems = definition_problems(lang, bad);
            assert!(problems.len() >= 4, "{problems:?}");
            assert!(problems.iter().all(|p| !p.contains("console_crisis.") && !p.contains('{')), "{problems:?}");
        }
        let id = definition_problems(Lang::Id, bad);
        assert!(id.iter().any(|p| p.contains("`Banjir`")), "{id:?}");
        assert!(id.iter().any(|p| p.contains("`desa`")), "{id:?}");
        let syntax = definition_problems(Lang::Id, "id = \"x\"\nversion = = 2\n");
        assert_eq!(syntax.len(), 1);
        assert!(syntax[0].starts_with("Baris 2: "), "{syntax:?}");
        assert!(id.iter().all(|p| p.starts_with(|c: char| !c.is_lowercase())), "{id:?}");
        assert!(definition_problems(Lang::Id, COVID19_DEFINITION).is_empty());
    }

    #[test]
    fn every_kind_temporal_and_level_has_a_name_in_both_languages() {
        use terbuka_domain::crisis::{MeasureKind, Temporal};
        use terbuka_domain::region::RegionLevel;
        let mut keys: Vec<String> = MeasureKind::ALL.iter().map(|k| format!("console_crisis.kind.{}", k.as_str())).collect();
        keys.extend(Temporal::ALL.iter().map(|t| format!("console_crisis.temporal.{}", t.as_str())));
        keys.extend(RegionLevel::ALL.iter().map(|l| format!("console_crisis.level.{}", l.as_str())));
        let c = crate::http::render::catalogs();
        for k in &keys {
            assert!(c.has(Lang::Id, k) && c.has(Lang::En, k), "{k}");
        }
    }

    #[test]
    fn slugs_match_the_use_case() {
        for ok in ["covid19", "banjir-2027", "a_b", "9"] {
            assert!(slug_shape(ok), "{ok}");
        }
        for bad in ["", "Covid", "-x", "a b", "a/b", "a\0", &"x".repeat(41)] {
            assert!(!slug_shape(bad), "{bad}");
        }
    }
}
