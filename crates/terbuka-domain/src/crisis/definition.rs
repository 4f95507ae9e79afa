//! Dataset definitions: what a crisis dataset measures, read from a TOML file.
//!
//! ```toml
//! id = "covid19"
//! version = 1
//! level = "kelurahan"            # the level rows are reported at, aggregated upwards
//! totals = ["province"]          # higher levels also reported directly, reconciled
//! grain = "day"                  # or "week" (dates are then Mondays)
//! title = { id = "…", en = "…" }
//!
//! [[measure]]                    # a column of the upload
//! id = "confirmed"
//! kind = "count"                 # count | quantity | ordinal
//! temporal = "cumulative"        # cumulative | new | snapshot | rate
//! aggregate = "sum"              # sum | max | min | mean_pop | none
//! unit = { id = "orang", en = "people" }
//! label = { id = "…", en = "…" }
//! explain = { id = "…", en = "…" }
//!
//! [[derived]]                    # computed per region and date, at every level
//! id = "active"
//! formula = "confirmed - recovered - deaths"
//! temporal = "snapshot"
//! …
//!
//! [[indicator]]                  # computed over time, see `indicators`
//! id = "confirmed_new"
//! kind = "daily_new"
//! inputs = ["confirmed"]
//! label = { id = "…", en = "…" }
//! ```
//!
//! [`Definition::parse`] refuses a definition with every problem it has, each naming the entry
//! and the field. The English text of a label or explanation may be left out (pages then show the
//! Indonesian one); the Indonesian text may not.

use super::formula::{Formula, FormulaError};
use super::indicators::IndicatorKind;
use super::Series;
use crate::model::{coded_enum, Lang};
use crate::region::RegionLevel;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

coded_enum! {
    /// What kind of number a measure holds.
    MeasureKind {
        /// A whole number of people, tests, doses, RW, sites… never negative.
        Count = "count",
        /// A real number in a unit (water level in cm); bounds optional.
        Quantity = "quantity",
        /// A whole number on a scale with both ends given (Siaga 1–4).
        Ordinal = "ordinal",
    }
}

coded_enum! {
    /// How a measure relates to time.
    Temporal {
        /// A running total since the start: it should never go down (a correction may).
        Cumulative = "cumulative",
        /// New in the period (the day, or the week for weekly datasets).
        New = "new",
        /// A state at the time of the report (people in treatment, evacuees, water level).
        Snapshot = "snapshot",
        /// A ratio, percentage or duration; not summable.
        Rate = "rate",
    }
}

coded_enum! {
    /// How a measure of the kelurahan (or the reported level) becomes the measure of the
    /// kecamatan, kota and province that contain them.
    Aggregate {
        Sum = "sum",
        Max = "max",
        Min = "min",
        /// The mean of the parts weighted by their population.
        MeanPop = "mean_pop",
        /// Not aggregated: meaningful only where it is reported.
        #[serde(rename = "none")]
        NotAggregated = "none",
    }
}

coded_enum! {
    /// The period one row covers.
    Grain {
        Day = "day",
        /// An ISO week, dated by its Monday.
        Week = "week",
    }
}

impl Grain {
    /// Days from one period to the next.
    pub fn step_days(self) -> i64 {
        match self {
            Grain::Day => 1,
            Grain::Week => 7,
        }
    }
}

/// A text in Indonesian and English.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Text {
    pub id: String,
    /// May be empty: [`Text::get`] then falls back to Indonesian.
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.en.is_empty() => &self.en,
            _ => &self.id,
        }
    }
}

/// A measure: one column of the upload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    pub id: String,
    pub kind: MeasureKind,
    pub temporal: Temporal,
    pub aggregate: Aggregate,
    pub unit: Text,
    pub label: Text,
    pub explain: Text,
    /// Smallest accepted value (counts: 0).
    pub min: Option<f64>,
    /// Largest accepted value.
    pub max: Option<f64>,
}

/// A measure computed from others of the same region and date by a formula.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derived {
    pub id: String,
    pub formula: Formula,
    pub temporal: Temporal,
    pub unit: Text,
    pub label: Text,
    pub explain: Text,
}

/// An indicator computed over time from measures, derived measures or earlier indicators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub id: String,
    pub kind: IndicatorKind,
    pub inputs: Vec<String>,
    /// What the result is (from the kind and its first input).
    pub temporal: Temporal,
    pub unit: Text,
    pub label: Text,
    /// Extra explanation; the formula itself comes from [`IndicatorKind::formula`].
    pub explain: Text,
}

/// A parsed, checked dataset definition. It serialises as-is for the open-data API (formulas as
/// their text).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Definition {
    pub id: String,
    pub version: u32,
    pub title: Text,
    pub description: Text,
    /// The level rows are reported at, aggregated up the hierarchy.
    pub level: RegionLevel,
    /// Higher levels that may also be reported directly (reconciled with the aggregate), nearest
    /// to `level` first.
    pub totals: Vec<RegionLevel>,
    pub grain: Grain,
    pub measures: Vec<Measure>,
    pub derived: Vec<Derived>,
    pub indicators: Vec<Indicator>,
}

/// Column names of the upload that no measure may take.
pub const RESERVED_IDS: &[&str] = &["region", "date", "note", "kode_wilayah", "tanggal", "catatan"];

/// One thing wrong with a definition.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DefinitionError {
    #[error("the definition is not valid TOML: {0}")]
    Toml(String),
    #[error("{what}: `{field}` is missing")]
    Missing { what: String, field: &'static str },
    #[error("{what}: the id `{id}` must be lower-case letters, digits and `_`, starting with a letter")]
    BadId { what: String, id: String },
    #[error("`{id}` is defined more than once")]
    Duplicate { id: String },
    #[error("`{id}` is a column name of the upload and cannot be a measure id")]
    Reserved { id: String },
    #[error("{what}: unknown {field} `{value}` (expected one of: {expected})")]
    Unknown { what: String, field: &'static str, value: String, expected: String },
    #[error("{what}: `{field}` has no Indonesian text (`id`)")]
    MissingIndonesian { what: String, field: &'static str },
    #[error("{what}: formula: {error}")]
    Formula { what: String, error: FormulaError },
    #[error("{what}: `{name}` is not a measure defined before it")]
    UnknownReference { what: String, name: String },
    #[error("{what}: `{kind}` takes {want} input(s), not {got}")]
    Arity { what: String, kind: IndicatorKind, want: usize, got: usize },
    #[error("{what}: input `{input}` is `{temporal}`, which `{kind}` does not accept")]
    InputKind { what: String, input: String, temporal: Temporal, kind: IndicatorKind },
    #[error("{what}: `{kind}` is defined in days and needs `grain = \"day\"`")]
    NeedsDaily { what: String, kind: IndicatorKind },
    #[error("{what}: {message}")]
    Invalid { what: String, message: String },
    #[error("the definition has no measure")]
    NoMeasures,
}

/// Every problem of a refused definition.
#[derive(Debug, Clone, PartialEq)]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

impl fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| e.to_string()).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for DefinitionErrors {}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawText {
    id: Option<String>,
    en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    id: Option<String>,
    version: Option<u32>,
    title: Option<RawText>,
    description: Option<RawText>,
    level: Option<String>,
    #[serde(default)]
    totals: Vec<String>,
    grain: Option<String>,
    #[serde(default)]
    measure: Vec<RawMeasure>,
    #[serde(default)]
    derived: Vec<RawDerived>,
    #[serde(default)]
    indicator: Vec<RawIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    id: Option<String>,
    kind: Option<String>,
    temporal: Option<String>,
    aggregate: Option<String>,
    unit: Option<RawText>,
    label: Option<RawText>,
    explain: Option<RawText>,
    min: Option<f64>,
    max: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDerived {
    id: Option<String>,
    formula: Option<String>,
    temporal: Option<String>,
    unit: Option<RawText>,
    label: Option<RawText>,
    explain: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    inputs: Vec<String>,
    unit: Option<RawText>,
    label: Option<RawText>,
    explain: Option<RawText>,
}

fn valid_id(id: &str) -> bool {
    id.len() <= 64 && id.starts_with(|c: char| c.is_ascii_lowercase()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Collects problems while a definition is checked.
struct Check {
    errors: Vec<DefinitionError>,
}

impl Check {
    fn required<'a>(&mut self, what: &str, field: &'static str, value: &'a Option<String>) -> Option<&'a str> {
        match value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(v) => Some(v),
            None => {
                self.errors.push(DefinitionError::Missing { what: what.to_string(), field });
                None
            }
        }
    }

    fn id(&mut self, what: &str, raw: &Option<String>) -> Option<String> {
        let id = self.required(what, "id", raw)?.to_string();
        if !valid_id(&id) {
            self.errors.push(DefinitionError::BadId { what: what.to_string(), id });
            return None;
        }
        Some(id)
    }

    fn coded<T: Copy>(
        &mut self,
        what: &str,
        field: &'static str,
        raw: &Option<String>,
        parse: fn(&str) -> Option<T>,
        all: &[T],
        code: fn(T) -> &'static str,
    ) -> Option<T> {
        let value = self.required(what, field, raw)?;
        let parsed = parse(value);
        if parsed.is_none() {
            let expected = all.iter().map(|t| code(*t)).collect::<Vec<_>>().join(", ");
            self.errors.push(DefinitionError::Unknown { what: what.to_string(), field, value: value.to_string(), expected });
        }
        parsed
    }

    /// A text whose Indonesian part is required (when the text itself is).
    fn text(&mut self, what: &str, field: &'static str, raw: &Option<RawText>, required: bool) -> Text {
        let clean = |s: &Option<String>| s.as_deref().map(str::trim).unwrap_or_default().to_string();
        match raw {
            None if !required => Text::default(),
            None => {
                self.errors.push(DefinitionError::Missing { what: what.to_string(), field });
                Text::default()
            }
            Some(t) => {
                let text = Text { id: clean(&t.id), en: clean(&t.en) };
                if text.id.is_empty() && (required || !text.en.is_empty()) {
                    self.errors.push(DefinitionError::MissingIndonesian { what: what.to_string(), field });
                }
                text
            }
        }
    }

    fn invalid(&mut self, what: &str, message: impl Into<String>) {
        self.errors.push(DefinitionError::Invalid { what: what.to_string(), message: message.into() });
    }
}

impl Definition {
    /// Parses and checks a definition, reporting every problem found.
    pub fn parse(text: &str) -> Result<Definition, DefinitionErrors> {
        let raw: RawDefinition = toml::from_str(text).map_err(|e| DefinitionErrors(vec![DefinitionError::Toml(e.message().to_string())]))?;
        let mut c = Check { errors: Vec::new() };
        let what = "definition";
        let id = c.id(what, &raw.id);
        let version = raw.version.unwrap_or(1);
        let title = c.text(what, "title", &raw.title, true);
        let description = c.text(what, "description", &raw.description, false);
        let level = c.coded(what, "level", &raw.level, RegionLevel::parse, RegionLevel::ALL, RegionLevel::as_str);
        let grain = c.coded(what, "grain", &raw.grain, Grain::parse, Grain::ALL, Grain::as_str);
        let mut totals = Vec::new();
        for t in &raw.totals {
            match RegionLevel::parse(t.trim()) {
                Some(l) if level.is_some_and(|base| (l as u8) < (base as u8)) => {
                    if !totals.contains(&l) {
                        totals.push(l);
                    }
                }
                Some(l) => c.invalid(what, format!("totals level `{l}` is not above the reported level")),
                None => c.errors.push(DefinitionError::Unknown {
                    what: what.to_string(),
                    field: "totals",
                    value: t.clone(),
                    expected: RegionLevel::ALL.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", "),
                }),
            }
        }
        if raw.measure.is_empty() {
            c.errors.push(DefinitionError::NoMeasures);
        }

        // Every id defined so far, with what it is (for references, which must point backwards).
        // An entry whose own fields are wrong is still known by its id, so one mistake is not
        // reported again at every place that entry is used.
        let mut known: BTreeMap<String, Option<Temporal>> = BTreeMap::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut claim = |c: &mut Check, id: &Option<String>, what: &str| -> Option<String> {
            let id = c.id(what, id)?;
            if RESERVED_IDS.contains(&id.as_str()) {
                c.errors.push(DefinitionError::Reserved { id });
                return None;
            }
            if !seen.insert(id.clone()) {
                c.errors.push(DefinitionError::Duplicate { id });
                return None;
            }
            Some(id)
        };

        let mut measures = Vec::new();
        for (i, m) in raw.measure.iter().enumerate() {
            let what = format!("measure `{}`", m.id.as_deref().unwrap_or(&format!("#{}", i + 1)));
            let id = claim(&mut c, &m.id, &what);
            let kind = c.coded(&what, "kind", &m.kind, MeasureKind::parse, MeasureKind::ALL, MeasureKind::as_str);
            let temporal = c.coded(&what, "temporal", &m.temporal, Temporal::parse, Temporal::ALL, Temporal::as_str);
            let aggregate = c.coded(&what, "aggregate", &m.aggregate, Aggregate::parse, Aggregate::ALL, Aggregate::as_str);
            let unit = c.text(&what, "unit", &m.unit, true);
            let label = c.text(&what, "label", &m.label, true);
            let explain = c.text(&what, "explain", &m.explain, true);
            let (mut min, max) = (m.min, m.max);
            if let Some(kind) = kind {
                let whole = |v: Option<f64>| v.is_none_or(|v| v.fract() == 0.0);
                match kind {
                    MeasureKind::Count => {
                        if min.is_some_and(|v| v < 0.0) {
                            c.invalid(&what, "a count cannot have a negative `min`");
                        }
                        min = Some(min.unwrap_or(0.0).max(0.0));
                    }
                    MeasureKind::Ordinal => {
                        if min.is_none() || max.is_none() {
                            c.invalid(&what, "an ordinal measure needs both `min` and `max`");
                        }
                        if !whole(min) || !whole(max) {
                            c.invalid(&what, "an ordinal scale has whole-number ends");
                        }
                    }
                    MeasureKind::Quantity => {}
                }
                if kind == MeasureKind::Ordinal && matches!(temporal, Some(Temporal::Cumulative | Temporal::New)) {
                    c.invalid(&what, "an ordinal measure is a snapshot or a rate, it cannot be counted up");
                }
                if kind == MeasureKind::Ordinal && matches!(aggregate, Some(Aggregate::Sum | Aggregate::MeanPop)) {
                    c.invalid(&what, "an ordinal measure aggregates by `max`, `min` or `none`");
                }
            }
            if let (Some(lo), Some(hi)) = (min, max) {
                if lo > hi {
                    c.invalid(&what, format!("`min` ({lo}) is above `max` ({hi})"));
                }
            }
            if temporal == Some(Temporal::Rate) && aggregate == Some(Aggregate::Sum) {
                c.invalid(&what, "a rate cannot be summed; use `mean_pop`, `max`, `min` or `none`");
            }
            if let Some(id) = &id {
                known.insert(id.clone(), temporal);
            }
            if let (Some(id), Some(kind), Some(temporal), Some(aggregate)) = (id, kind, temporal, aggregate) {
                measures.push(Measure { id, kind, temporal, aggregate, unit, label, explain, min, max });
            }
        }

        let mut derived = Vec::new();
        for (i, d) in raw.derived.iter().enumerate() {
            let what = format!("derived `{}`", d.id.as_deref().unwrap_or(&format!("#{}", i + 1)));
            let id = claim(&mut c, &d.id, &what);
            let temporal = c.coded(&what, "temporal", &d.temporal, Temporal::parse, Temporal::ALL, Temporal::as_str);
            let unit = c.text(&what, "unit", &d.unit, true);
            let label = c.text(&what, "label", &d.label, true);
            let explain = c.text(&what, "explain", &d.explain, true);
            let formula = c.required(&what, "formula", &d.formula).and_then(|f| match Formula::parse(f) {
                Ok(f) => Some(f),
                Err(error) => {
                    c.errors.push(DefinitionError::Formula { what: what.clone(), error });
                    None
                }
            });
            let mut refs_ok = true;
            if let Some(f) = &formula {
                for v in f.variables() {
                    if !known.contains_key(v) {
                        c.errors.push(DefinitionError::UnknownReference { what: what.clone(), name: v.to_string() });
                        refs_ok = false;
                    }
                }
            }
            if let Some(id) = &id {
                known.insert(id.clone(), temporal);
            }
            if let (Some(id), Some(formula), Some(temporal), true) = (id, formula, temporal, refs_ok) {
                derived.push(Derived { id, formula, temporal, unit, label, explain });
            }
        }

        let mut indicators = Vec::new();
        for (i, ind) in raw.indicator.iter().enumerate() {
            let what = format!("indicator `{}`", ind.id.as_deref().unwrap_or(&format!("#{}", i + 1)));
            let id = claim(&mut c, &ind.id, &what);
            let kind = c.coded(&what, "kind", &ind.kind, IndicatorKind::parse, IndicatorKind::ALL, IndicatorKind::as_str);
            let label = c.text(&what, "label", &ind.label, true);
            let explain = c.text(&what, "explain", &ind.explain, false);
            let unit_given = ind.unit.is_some();
            let mut unit = c.text(&what, "unit", &ind.unit, false);
            let Some(kind) = kind else {
                if let Some(id) = id {
                    known.insert(id, None);
                }
                continue;
            };
            if kind.needs_daily() && grain == Some(Grain::Week) {
                c.errors.push(DefinitionError::NeedsDaily { what: what.clone(), kind });
            }
            if ind.inputs.len() != kind.arity() {
                c.errors.push(DefinitionError::Arity { what: what.clone(), kind, want: kind.arity(), got: ind.inputs.len() });
                if let Some(id) = id {
                    known.insert(id, None);
                }
                continue;
            }
            let mut ok = true;
            let mut first = None;
            for (pos, input) in ind.inputs.iter().enumerate() {
                match known.get(input.as_str()) {
                    None => {
                        c.errors.push(DefinitionError::UnknownReference { what: what.clone(), name: input.clone() });
                        ok = false;
                    }
                    Some(None) => ok = false,
                    Some(&Some(t)) if !kind.accepts(pos, t) => {
                        c.errors.push(DefinitionError::InputKind { what: what.clone(), input: input.clone(), temporal: t, kind });
                        ok = false;
                    }
                    Some(&Some(t)) => {
                        first.get_or_insert(t);
                    }
                }
            }
            if !unit_given {
                unit = kind.fixed_unit().or_else(|| ind.inputs.first().and_then(|i| unit_of(&measures, &derived, &indicators, i))).unwrap_or_default();
            }
            if let Some(id) = &id {
                known.insert(id.clone(), first.filter(|_| ok).map(|t| kind.output(t)));
            }
            if let (Some(id), Some(first), true) = (id, first, ok) {
                let temporal = kind.output(first);
                indicators.push(Indicator { id, kind, inputs: ind.inputs.clone(), temporal, unit, label, explain });
            }
        }

        match (id, level, grain) {
            (Some(id), Some(level), Some(grain)) if c.errors.is_empty() => {
                totals.sort_by(|a, b| b.cmp(a)); // nearest to the reported level first
                Ok(Definition { id, version, title, description, level, totals, grain, measures, derived, indicators })
            }
            _ => Err(DefinitionErrors(c.errors)),
        }
    }

    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    pub fn derived(&self, id: &str) -> Option<&Derived> {
        self.derived.iter().find(|d| d.id == id)
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// Whether rows may be reported at `level` (the base level or a totals level).
    pub fn accepts_level(&self, level: RegionLevel) -> bool {
        level == self.level || self.totals.contains(&level)
    }

    /// The label of any measure, derived measure or indicator.
    pub fn label(&self, id: &str) -> Option<&Text> {
        self.measure(id).map(|m| &m.label).or_else(|| self.derived(id).map(|d| &d.label)).or_else(|| self.indicator(id).map(|i| &i.label))
    }

    /// The unit of any measure, derived measure or indicator.
    pub fn unit(&self, id: &str) -> Option<&Text> {
        self.measure(id).map(|m| &m.unit).or_else(|| self.derived(id).map(|d| &d.unit)).or_else(|| self.indicator(id).map(|i| &i.unit))
    }

    /// The formula of a derived measure or an indicator, for its page. Measures have none.
    pub fn formula(&self, id: &str) -> Option<Text> {
        if let Some(d) = self.derived(id) {
            return Some(Text { id: d.formula.text().to_string(), en: d.formula.text().to_string() });
        }
        self.indicator(id).map(|i| {
            let f = i.kind.formula();
            let inputs = i.inputs.join(", ");
            Text { id: format!("{} [{inputs}]", f.id), en: format!("{} [{inputs}]", f.en) }
        })
    }

    /// Computes the derived measures and indicators of one region from its measures' series
    /// (keyed by measure id). The result holds the measures given plus everything computed, in
    /// definition order; a derived value exists only on dates where every measure its formula
    /// names is present. `population` is the region's, for per-100 000 indicators.
    pub fn evaluate(&self, measures: &BTreeMap<String, Series>, population: Option<f64>) -> BTreeMap<String, Series> {
        let mut out: BTreeMap<String, Series> = measures.iter().filter(|(k, _)| self.measure(k).is_some()).map(|(k, v)| (k.clone(), v.clone())).collect();
        for d in &self.derived {
            let vars = d.formula.variables();
            let dates: BTreeSet<_> = vars.iter().filter_map(|v| out.get(*v)).flat_map(|s| s.keys().copied()).collect();
            let series: Series =
                dates.into_iter().filter_map(|date| d.formula.eval(&|v: &str| out.get(v).and_then(|s| s.get(&date)).copied()).map(|v| (date, v))).collect();
            out.insert(d.id.clone(), series);
        }
        let empty = Series::new();
        for ind in &self.indicators {
            let inputs: Vec<&Series> = ind.inputs.iter().map(|i| out.get(i).unwrap_or(&empty)).collect();
            let series = ind.kind.apply(&inputs, self.grain, population);
            out.insert(ind.id.clone(), series);
        }
        out
    }
}

fn unit_of(measures: &[Measure], derived: &[Derived], indicators: &[Indicator], id: &str) -> Option<Text> {
    measures
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.unit.clone())
        .or_else(|| derived.iter().find(|d| d.id == id).map(|d| d.unit.clone()))
        .or_else(|| indicators.iter().find(|i| i.id == id).map(|i| i.unit.clone()))
}

#[cfg(test)]
mod tests;
