//! Translation catalogs: every user-facing string, Indonesian first, English second.
//!
//! Catalogs are TOML files in `crates/terbuka-app/locales/`, compiled into the binary. Nested
//! tables flatten to dotted keys (`[err] required = ...` is `err.required`). A missing English
//! string falls back to Indonesian; a test keeps both catalogs in step.

use std::collections::HashMap;
use terbuka_domain::Lang;

pub struct Catalogs {
    id: HashMap<String, String>,
    en: HashMap<String, String>,
}

/// One file per area, so each part of the product owns its strings.
const ID: &[&str] = &[
    include_str!("../locales/id/common.toml"),
    include_str!("../locales/id/errors.toml"),
    include_str!("../locales/id/mail.toml"),
    include_str!("../locales/id/public.toml"),
    include_str!("../locales/id/console.toml"),
    include_str!("../locales/id/register.toml"),
    include_str!("../locales/id/console_register.toml"),
    include_str!("../locales/id/kolaborasi.toml"),
    include_str!("../locales/id/crisis.toml"),
    include_str!("../locales/id/crisis_pages.toml"),
    include_str!("../locales/id/console_crisis.toml"),
];
const EN: &[&str] = &[
    include_str!("../locales/en/common.toml"),
    include_str!("../locales/en/errors.toml"),
    include_str!("../locales/en/mail.toml"),
    include_str!("../locales/en/public.toml"),
    include_str!("../locales/en/console.toml"),
    include_str!("../locales/en/register.toml"),
    include_str!("../locales/en/console_register.toml"),
    include_str!("../locales/en/kolaborasi.toml"),
    include_str!("../locales/en/crisis.toml"),
    include_str!("../locales/en/crisis_pages.toml"),
    include_str!("../locales/en/console_crisis.toml"),
];

fn flatten(prefix: &str, value: &toml::Value, out: &mut HashMap<String, String>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

fn parse(files: &[&str]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for text in files {
        let value: toml::Value = toml::from_str(text).expect("translation catalog is valid TOML");
        flatten("", &value, &mut out);
    }
    out
}

impl Catalogs {
    pub fn load() -> Self {
        Catalogs { id: parse(ID), en: parse(EN) }
    }

    /// The message for `key`, in `lang`, falling back to Indonesian, then to the key itself
    /// (which a test forbids for every key the code uses).
    pub fn t<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        let primary = match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        };
        primary.get(key).or_else(|| self.id.get(key)).map(String::as_str).unwrap_or(key)
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        match lang {
            Lang::Id => self.id.contains_key(key),
            Lang::En => self.en.contains_key(key),
        }
    }

    pub fn keys(&self, lang: Lang) -> Vec<&str> {
        let m = match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        };
        let mut k: Vec<&str> = m.keys().map(String::as_str).collect();
        k.sort();
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let c = Catalogs::load();
        let id = c.keys(Lang::Id);
        let en = c.keys(Lang::En);
        let missing_en: Vec<_> = id.iter().filter(|k| !c.has(Lang::En, k)).collect();
        let missing_id: Vec<_> = en.iter().filter(|k| !c.has(Lang::Id, k)).collect();
        assert!(missing_en.is_empty(), "missing in en.toml: {missing_en:?}");
        assert!(missing_id.is_empty(), "missing in id.toml: {missing_id:?}");
    }

    #[test]
    fn every_domain_code_has_a_message() {
        use terbuka_domain::objection::ObjectionState;
        use terbuka_domain::request::RequestState;
        use terbuka_domain::*;
        let c = Catalogs::load();
        let mut keys: Vec<String> = vec![];
        keys.extend(RequestState::ALL.iter().map(|s| format!("enum.request_state.{s}")));
        keys.extend(ObjectionState::ALL.iter().map(|s| format!("enum.objection_state.{s}")));
        keys.extend(Outcome::ALL.iter().map(|s| format!("enum.outcome.{s}")));
        keys.extend(Role::ALL.iter().map(|s| format!("enum.role.{s}")));
        keys.extend(RequesterKind::ALL.iter().map(|s| format!("enum.requester_kind.{s}")));
        keys.extend(ObtainMethod::ALL.iter().map(|s| format!("enum.obtain.{s}")));
        keys.extend(DeliveryMethod::ALL.iter().map(|s| format!("enum.delivery.{s}")));
        keys.extend(ObjectionGround::ALL.iter().map(|s| format!("enum.objection_ground.{s}")));
        keys.extend(ExemptionGround::ALL.iter().map(|s| format!("enum.exemption_ground.{s}")));
        keys.extend(Channel::ALL.iter().map(|s| format!("enum.channel.{s}")));
        {
            use terbuka_domain::kolaborasi::*;
            keys.extend(OrgKind::ALL.iter().map(|s| format!("enum.org_kind.{s}")));
            keys.extend(OrgState::ALL.iter().map(|s| format!("enum.org_state.{s}")));
            keys.extend(NeedState::ALL.iter().map(|s| format!("enum.need_state.{s}")));
            keys.extend(PledgeState::ALL.iter().map(|s| format!("enum.pledge_state.{s}")));
            keys.extend(DeliveryState::ALL.iter().map(|s| format!("enum.delivery_state.{s}")));
            keys.extend(ReportReason::ALL.iter().map(|s| format!("enum.report_reason.{s}")));
        }
        // Every err.* code that appears in the domain and app sources.
        for src in [
            include_str!("../../terbuka-domain/src/validate.rs"),
            include_str!("../../terbuka-domain/src/request.rs"),
            include_str!("../../terbuka-domain/src/objection.rs"),
            include_str!("error.rs"),
            include_str!("service.rs"),
            include_str!("../../terbuka-domain/src/kolaborasi.rs"),
            include_str!("kolaborasi.rs"),
        ] {
            for part in src.split('"').skip(1).step_by(2) {
                if part.starts_with("err.") && part.len() > 4 && part.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.') {
                    keys.push(part.to_string());
                }
            }
        }
        let missing: Vec<_> = keys.iter().filter(|k| !c.has(Lang::Id, k) || !c.has(Lang::En, k)).collect();
        assert!(missing.is_empty(), "catalog keys missing: {missing:?}");
    }
}
