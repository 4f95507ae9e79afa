//! Templates (minijinja, compiled into the binary) and the translation lookup they use.
//!
//! Every template gets `lang`, `csrf`, `officer` (when signed in), `path` and the `t(key)`
//! function; `t` reads `lang` from the template's context, so no string is ever hard-coded.

use crate::http::ctx::Ctx;
use axum::response::Html;
use minijinja::value::Value;
use minijinja::{Environment, State};
use std::sync::OnceLock;
use terbuka_app::i18n::Catalogs;
use terbuka_domain::Lang;

/// A list of `(name, source)` for templates under `templates/` (also used by the register pages,
/// which keep their own lists next to their handlers).
#[macro_export]
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates!(
    "base.html",
    "macros.html",
    "error.html",
    "home.html",
    "request_form.html",
    "request_ack.html",
    "track_start.html",
    "track.html",
    "register.html",
    "register_detail.html",
    "stats.html",
    "audit.html",
    "privacy.html",
    "login.html",
    "console/inbox.html",
    "console/request.html",
    "console/new_request.html",
    "console/objections.html",
    "console/officers.html",
    "console/calendar.html",
);

pub fn catalogs() -> &'static Catalogs {
    static C: OnceLock<Catalogs> = OnceLock::new();
    C.get_or_init(Catalogs::load)
}

/// A message in `lang` (the key itself if a catalog lacks it; tests forbid that for used keys).
pub fn tr(lang: Lang, key: &str) -> String {
    catalogs().t(lang, key).to_string()
}

fn lang_of_state(state: &State) -> Lang {
    state.lookup("lang").and_then(|v| v.as_str().and_then(Lang::parse)).unwrap_or_default()
}

pub fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        let lists = [
            TEMPLATES,
            crate::pages::register::TEMPLATES,
            crate::pages::console_register::TEMPLATES,
            crate::pages::kolaborasi::TEMPLATES,
            crate::pages::console_kolaborasi::TEMPLATES,
            crate::pages::crisis::TEMPLATES,
            crate::pages::console_crisis::TEMPLATES,
        ];
        for (name, src) in lists.into_iter().flatten() {
            env.add_template(name, src).expect("template compiles");
        }
        env.add_function("t", |state: &State, key: &str| -> String { catalogs().t(lang_of_state(state), key).to_string() });
        // `tf(key, name=value...)`: a message with `{name}` placeholders filled.
        env.add_function("tf", |state: &State, key: &str, kwargs: minijinja::value::Kwargs| -> Result<String, minijinja::Error> {
            let mut s = catalogs().t(lang_of_state(state), key).to_string();
            for k in kwargs.args() {
                let v: Value = kwargs.get(k)?;
                s = s.replace(&format!("{{{k}}}"), &v.to_string());
            }
            Ok(s)
        });
        env.add_filter("date", |v: Value| -> String {
            let s = v.to_string();
            match chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(""), "%Y-%m-%d") {
                Ok(d) => d.format("%d-%m-%Y").to_string(),
                Err(_) => s,
            }
        });
        env.add_filter("datetime", |v: Value| -> String {
            let s = v.to_string();
            match chrono::DateTime::parse_from_rfc3339(&s) {
                Ok(d) => d.with_timezone(&terbuka_domain::calendar::wib()).format("%d-%m-%Y %H:%M WIB").to_string(),
                Err(_) => s,
            }
        });
        env
    })
}

/// A rendered page and its status: 200, or 500 when the template itself failed.
pub type Page = (axum::http::StatusCode, Html<String>);

/// Renders a page with the common context merged into `page`.
pub fn render(ctx: &Ctx, name: &str, page: Value) -> Page {
    let officer = ctx.signed_in.as_ref().map(|s| {
        minijinja::context! {
            id => s.officer.id,
            username => s.officer.username.clone(),
            display_name => s.officer.display_name.clone(),
            role => s.officer.role.as_str(),
            unit => s.officer.unit,
        }
    });
    let base = minijinja::context! {
        lang => ctx.lang.as_str(),
        other_lang => if ctx.lang == Lang::Id { "en" } else { "id" },
        csrf => ctx.csrf.clone(),
        officer => officer,
        path => ctx.path.clone(),
    };
    let merged = minijinja::context! { ..page, ..base };
    match env().get_template(name).and_then(|t| t.render(merged)) {
        Ok(html) => (axum::http::StatusCode::OK, Html(html)),
        Err(e) => {
            // Only the kind and place of the failure: the error's Display can quote the context,
            // which may hold personal data.
            tracing::error!(template = name, kind = ?e.kind(), line = ?e.line(), "template failed to render");
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, Html(render_error(ctx.lang, 500, &tr(ctx.lang, "err.internal"), &[])))
        }
    }
}

/// The error page, which must render even when nothing else works.
pub fn render_error(lang: Lang, status: u16, message: &str, fields: &[(String, String)]) -> String {
    let fields: Vec<Value> = fields.iter().map(|(f, m)| minijinja::context! { field => f, message => m }).collect();
    let ctx = minijinja::context! { lang => lang.as_str(), other_lang => if lang == Lang::Id { "en" } else { "id" }, status => status, message => message, fields => fields, path => "/" };
    env()
        .get_template("error.html")
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|_| format!("<!doctype html><title>{status}</title><p>{}</p>", html_escape(message)))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
