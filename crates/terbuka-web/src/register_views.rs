//! What of a register item leaves the server (public pages, API, feeds, downloads): the privacy
//! boundary of the register, like `views` is for requests.
//!
//! Every public shape is built here from a `StoredItem`, and each builder checks the item's
//! [`Visibility`] itself, so a caller cannot turn an exempt item into a full one by mistake:
//!
//! - [`PublicItem`] (only for `Visibility::Full`) has the DIP columns and nothing else; it has
//!   no field that can hold an exemption record (withheld text, consequence test, public
//!   interest, approval reference), and files and history only come with a full item;
//! - [`ExemptListing`] (only for `Visibility::ListedExempt`) has the DIK columns: title, unit,
//!   legal ground, legal basis, decision date and end of the period — never the summary;
//! - [`WithdrawnNotice`] (only for `Visibility::WithdrawnNotice`): title, date and reason.
//!
//! Search hits come from the index, which only ever receives fully public documents
//! (`App::search_doc`).

use crate::views::{unit_ref, UnitRef};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use terbuka_domain::dip::{self, RetentionKind, Visibility};
use terbuka_domain::Lang;
use terbuka_store::{InfoFile, ItemVersion, StoredItem, Unit};

/// A fully public DIP item (the register columns of kip-rules §2.5 plus category and cadence).
#[derive(Debug, Clone, Serialize)]
pub struct PublicItem {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub unit: Option<UnitRef>,
    pub official: String,
    pub produced_on: NaiveDate,
    pub produced_place: String,
    pub period: String,
    pub softcopy: bool,
    pub hardcopy: bool,
    /// `years` or `permanent`.
    pub retention: &'static str,
    pub retention_years: Option<u32>,
    pub how_to_obtain: String,
    /// `berkala`, `serta_merta` or `setiap_saat`.
    pub category: &'static str,
    pub cadence_months: Option<u32>,
    /// For periodic items: the date by which the content must be refreshed.
    pub next_update_due: Option<NaiveDate>,
    /// A periodic item past its refresh date.
    pub stale: bool,
    /// Format labels of the current files (`PDF`, `XLSX`, ...).
    pub file_formats: Vec<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub content_updated_on: NaiveDate,
    /// Path of the item page (`/informasi/{id}`).
    pub url: String,
}

/// The item if the public may see all of it, else `None`.
pub fn public_item(it: &StoredItem, units: &[Unit], today: NaiveDate, lang: Lang) -> Option<PublicItem> {
    if dip::visibility(it.state, it.fields.category) != Visibility::Full {
        return None;
    }
    let f = &it.fields;
    Some(PublicItem {
        id: it.id,
        title: f.title.clone(),
        summary: f.summary.clone(),
        unit: unit_ref(units, Some(f.unit), lang),
        official: f.official.clone(),
        produced_on: f.produced_on,
        produced_place: f.produced_place.clone(),
        period: f.period.clone(),
        softcopy: f.softcopy,
        hardcopy: f.hardcopy,
        retention: f.retention.as_str(),
        retention_years: if f.retention == RetentionKind::Years { f.retention_years } else { None },
        how_to_obtain: f.how_to_obtain.clone(),
        category: f.category.as_str(),
        cadence_months: if f.category == dip::Category::Berkala { Some(f.cadence_months.unwrap_or(dip::MAX_CADENCE_MONTHS)) } else { None },
        next_update_due: dip::next_update_due(f, it.content_updated_on),
        stale: dip::is_stale(f, it.state, it.content_updated_on, today),
        file_formats: it.formats.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect(),
        published_at: it.published_at,
        updated_at: it.updated_at,
        content_updated_on: it.content_updated_on,
        url: format!("/informasi/{}", it.id),
    })
}

/// An entry of the list of exempt information (DIK): what UU KIP lets the public know about it.
#[derive(Debug, Clone, Serialize)]
pub struct ExemptListing {
    pub id: i64,
    pub title: String,
    pub unit: Option<UnitRef>,
    /// UU KIP Pasal 17 letter (`a`–`j`).
    pub ground: &'static str,
    /// The catalog text of the ground, in the caller's language.
    pub ground_text: String,
    pub legal_basis: String,
    pub decided_on: NaiveDate,
    /// Last day of the exemption; `None` when the ground has no fixed end.
    pub until: Option<NaiveDate>,
    pub url: String,
}

/// The DIK entry of a published exempt item, else `None`.
pub fn exempt_listing(it: &StoredItem, units: &[Unit], lang: Lang) -> Option<ExemptListing> {
    if dip::visibility(it.state, it.fields.category) != Visibility::ListedExempt {
        return None;
    }
    let ex = it.fields.exemption.as_ref()?;
    let ground = ex.ground.as_str();
    Some(ExemptListing {
        id: it.id,
        title: it.fields.title.clone(),
        unit: unit_ref(units, Some(it.fields.unit), lang),
        ground,
        ground_text: crate::http::render::tr(lang, &format!("enum.exemption_ground.{ground}")),
        legal_basis: ex.legal_basis.clone(),
        decided_on: ex.decided_on,
        until: ex.until,
        url: format!("/informasi/{}", it.id),
    })
}

/// What stays public of a withdrawn item.
#[derive(Debug, Clone, Serialize)]
pub struct WithdrawnNotice {
    pub id: i64,
    pub title: String,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

pub fn withdrawn_notice(it: &StoredItem) -> Option<WithdrawnNotice> {
    if dip::visibility(it.state, it.fields.category) != Visibility::WithdrawnNotice {
        return None;
    }
    Some(WithdrawnNotice { id: it.id, title: it.fields.title.clone(), withdrawn_at: it.withdrawn_at, reason: it.withdrawn_reason.clone() })
}

/// A downloadable file revision of a public item.
#[derive(Debug, Clone, Serialize)]
pub struct PublicFile {
    pub id: i64,
    pub slot: i64,
    pub revision: i64,
    pub filename: String,
    pub content_type: String,
    pub format: &'static str,
    pub size: i64,
    pub sha256: String,
    pub added_at: DateTime<Utc>,
    /// When a later revision replaced it (older versions only).
    pub replaced_at: Option<DateTime<Utc>>,
    /// Path of the download (`/informasi/berkas/{id}`).
    pub url: String,
}

/// A file taken off the item: named, with its date, but no longer served.
#[derive(Debug, Clone, Serialize)]
pub struct RemovedFile {
    pub slot: i64,
    pub filename: String,
    pub removed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PublicFiles {
    pub current: Vec<PublicFile>,
    /// Older revisions of replaced files ("versi sebelumnya"), still downloadable.
    pub previous: Vec<PublicFile>,
    pub removed: Vec<RemovedFile>,
}

fn public_file(f: &InfoFile) -> PublicFile {
    PublicFile {
        id: f.id,
        slot: f.slot,
        revision: f.revision,
        filename: f.filename.clone(),
        content_type: f.content_type.clone(),
        format: terbuka_files::extract::format_label(&f.content_type),
        size: f.size,
        sha256: f.sha256.clone(),
        added_at: f.created_at,
        replaced_at: f.superseded_at,
        url: format!("/informasi/berkas/{}", f.id),
    }
}

/// The files of an item, sorted: current by slot, previous by slot then newest revision first.
/// Empty unless the item is fully public.
pub fn public_files(it: &StoredItem, files: &[InfoFile]) -> PublicFiles {
    let mut out = PublicFiles::default();
    if dip::visibility(it.state, it.fields.category) != Visibility::Full {
        return out;
    }
    for f in files.iter().filter(|f| f.item == it.id) {
        if f.removed {
            out.removed.push(RemovedFile { slot: f.slot, filename: f.filename.clone(), removed_at: f.superseded_at });
        } else if f.is_current() {
            out.current.push(public_file(f));
        } else {
            out.previous.push(public_file(f));
        }
    }
    out.current.sort_by_key(|f| (f.slot, f.revision));
    out.previous.sort_by_key(|f| (f.slot, -f.revision));
    out.removed.sort_by_key(|f| f.slot);
    out
}

/// One entry of an item's public history: what happened and which fields changed — never the
/// old values (an earlier version may have been exempt).
#[derive(Debug, Clone, Serialize)]
pub struct PublicEvent {
    pub at: DateTime<Utc>,
    pub action: String,
    pub note: Option<String>,
    pub changed_fields: Vec<&'static str>,
}

/// The public history, newest first. Empty unless the item is fully public. Versions from before
/// the item was first published (drafts) are summarised by their actions only.
pub fn public_history(it: &StoredItem, versions: &[ItemVersion]) -> Vec<PublicEvent> {
    if dip::visibility(it.state, it.fields.category) != Visibility::Full {
        return vec![];
    }
    let mut sorted: Vec<&ItemVersion> = versions.iter().filter(|v| v.item == it.id).collect();
    sorted.sort_by_key(|v| v.version);
    let mut out = Vec::with_capacity(sorted.len());
    for (i, v) in sorted.iter().enumerate() {
        let changed = if i == 0 { vec![] } else { dip::changed_fields(&sorted[i - 1].fields, &v.fields) };
        // Notes of withdrawals are public (the withdrawal notice), of edits and files too; notes
        // written while the item was exempt are not.
        let was_exempt = v.fields.category.is_exempt() || (i > 0 && sorted[i - 1].fields.category.is_exempt());
        out.push(PublicEvent { at: v.at, action: v.action.clone(), note: if was_exempt { None } else { v.note.clone() }, changed_fields: changed });
    }
    out.reverse();
    out
}

/// The full public page of an item.
#[derive(Debug, Clone, Serialize)]
pub struct PublicItemDetail {
    #[serde(flatten)]
    pub item: PublicItem,
    pub files: PublicFiles,
    pub history: Vec<PublicEvent>,
}

/// An item as the public may see it, tagged by `visibility`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "visibility", rename_all = "snake_case")]
pub enum PublicItemPage {
    Full(Box<PublicItemDetail>),
    ListedExempt(ExemptListing),
    WithdrawnNotice(WithdrawnNotice),
}

/// Builds the public page of an item from what `App::public_item` returned (`None` when the
/// public may not know it exists).
pub fn item_page(d: &terbuka_app::register::ItemDetail, units: &[Unit], today: NaiveDate, lang: Lang) -> Option<PublicItemPage> {
    match d.visibility {
        Visibility::Full => {
            let item = public_item(&d.item, units, today, lang)?;
            Some(PublicItemPage::Full(Box::new(PublicItemDetail {
                item,
                files: public_files(&d.item, &d.files),
                history: public_history(&d.item, &d.versions),
            })))
        }
        Visibility::ListedExempt => exempt_listing(&d.item, units, lang).map(PublicItemPage::ListedExempt),
        Visibility::WithdrawnNotice => withdrawn_notice(&d.item).map(PublicItemPage::WithdrawnNotice),
        Visibility::Hidden => None,
    }
}

// ------------------------------------------------------------------------------------ search

/// A search facet value with its count and a display label.
#[derive(Debug, Clone, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchFacets {
    pub kind: Vec<FacetValue>,
    pub category: Vec<FacetValue>,
    pub unit: Vec<FacetValue>,
    pub year: Vec<FacetValue>,
    pub format: Vec<FacetValue>,
}

/// One search result. `title_html` and `snippet_html` are HTML-escaped by the search index, with
/// the matches in `<mark>`.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHitView {
    /// `info` (a DIP item) or `request` (an entry of the request register).
    pub kind: &'static str,
    pub title_html: String,
    pub snippet_html: String,
    pub url: String,
    pub unit: Option<UnitRef>,
    pub category: String,
    pub category_label: String,
    pub year: i32,
    pub format: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchView {
    pub q: String,
    pub total: u64,
    /// More documents matched than were counted (`total` is a lower bound, shown as "10 000+").
    pub total_is_lower_bound: bool,
    /// The facet counts cover only the first [`terbuka_search::COUNT_CAP`] matches.
    pub facets_partial: bool,
    pub page: u32,
    pub per_page: u32,
    pub pages: u64,
    pub hits: Vec<SearchHitView>,
    pub facets: SearchFacets,
    /// A corrected query to offer ("Mungkin maksud Anda").
    pub suggestion: Option<String>,
    /// The results came from typo-tolerant matching.
    pub fuzzy: bool,
    /// Not every word matched.
    pub relaxed: bool,
}

/// The label of a `category` search value: a DIP category for items, a request state for
/// requests (both facets share the field).
pub fn category_label(code: &str, lang: Lang) -> String {
    use crate::http::render::{catalogs, tr};
    if dip::Category::parse(code).is_some() {
        return tr(lang, &format!("dip.category.{code}"));
    }
    let key = format!("enum.request_state.{code}");
    if catalogs().has(Lang::Id, &key) {
        tr(lang, &key)
    } else {
        code.to_string()
    }
}

pub fn kind_label(code: &str, lang: Lang) -> String {
    crate::http::render::tr(lang, if code == "request" { "dip.search.kind_request" } else { "dip.search.kind_info" })
}

pub fn unit_by_code<'a>(units: &'a [Unit], code: &str) -> Option<&'a Unit> {
    units.iter().find(|u| u.code == code)
}

pub fn unit_label(units: &[Unit], code: &str, lang: Lang) -> String {
    unit_by_code(units, code).map(|u| if lang == Lang::En { u.name_en.clone() } else { u.name.clone() }).unwrap_or_else(|| code.to_string())
}

// ------------------------------------------------------------------------------------- feeds

/// Text safe for XML 1.0 content and attribute values (the Atom feed): markup characters
/// escaped, characters XML 1.0 forbids dropped.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(xml_escape("a<b&\"c\" 'd'\u{1}\n"), "a&lt;b&amp;&quot;c&quot; &apos;d&apos;\n");
    }
}
