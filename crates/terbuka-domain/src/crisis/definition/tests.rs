use super::*;
use crate::crisis::test_support::*;
use crate::crisis::{COVID19_DEFINITION, FLOODS_DEFINITION};

/// A small valid definition; the tests below break it one way at a time.
const MINIMAL: &str = r#"
id = "mini"
level = "kelurahan"
totals = ["province"]
grain = "day"
title = { id = "Mini", en = "Mini" }

[[measure]]
id = "confirmed"
kind = "count"
temporal = "cumulative"
aggregate = "sum"
unit = { id = "orang", en = "people" }
label = { id = "Terkonfirmasi", en = "Confirmed" }
explain = { id = "Positif.", en = "Positive." }

[[measure]]
id = "deaths"
kind = "count"
temporal = "cumulative"
aggregate = "sum"
unit = { id = "orang", en = "people" }
label = { id = "Meninggal", en = "Deaths" }
explain = { id = "Meninggal.", en = "Died." }

[[derived]]
id = "survivors"
formula = "confirmed - deaths"
temporal = "cumulative"
unit = { id = "orang", en = "people" }
label = { id = "Bertahan", en = "Survivors" }
explain = { id = "Terkonfirmasi dikurangi meninggal.", en = "Confirmed minus deaths." }

[[indicator]]
id = "confirmed_new"
kind = "daily_new"
inputs = ["confirmed"]
label = { id = "Kasus baru", en = "New cases" }
"#;

fn errors(text: &str) -> Vec<DefinitionError> {
    match Definition::parse(text) {
        Ok(_) => panic!("the definition was accepted"),
        Err(DefinitionErrors(e)) => e,
    }
}

#[test]
fn minimal_definition_parses() {
    let def = Definition::parse(MINIMAL).unwrap();
    assert_eq!(def.id, "mini");
    assert_eq!(def.version, 1, "version defaults to 1");
    assert_eq!(def.level, RegionLevel::Kelurahan);
    assert_eq!(def.totals, [RegionLevel::Province]);
    assert_eq!(def.grain, Grain::Day);
    assert_eq!(def.measure("confirmed").unwrap().min, Some(0.0), "counts are never negative");
    assert_eq!(def.derived("survivors").unwrap().formula.text(), "confirmed - deaths");
    let ind = def.indicator("confirmed_new").unwrap();
    assert_eq!(ind.temporal, Temporal::New);
    assert_eq!(ind.unit, Text { id: "orang".into(), en: "people".into() }, "the unit follows the input");
    assert!(def.accepts_level(RegionLevel::Kelurahan) && def.accepts_level(RegionLevel::Province));
    assert!(!def.accepts_level(RegionLevel::Kecamatan));
    assert_eq!(def.label("survivors").unwrap().get(Lang::En), "Survivors");
    assert_eq!(def.formula("survivors").unwrap().id, "confirmed - deaths");
    assert!(def.formula("confirmed").is_none(), "measures are reported, not computed");
    assert!(def.formula("confirmed_new").unwrap().en.ends_with("[confirmed]"));
}

#[test]
fn covid19_definition() {
    let def = Definition::parse(COVID19_DEFINITION).unwrap();
    let ids: Vec<&str> = def.measures.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "confirmed",
            "recovered",
            "deaths",
            "in_treatment",
            "self_isolation",
            "suspect",
            "probable",
            "pcr_tests",
            "antigen_tests",
            "people_tested",
            "vaccine_dose1",
            "vaccine_dose2",
            "vaccine_dose3"
        ]
    );
    assert_eq!((def.level, def.grain), (RegionLevel::Kelurahan, Grain::Day));
    assert_eq!(def.totals, [RegionLevel::KotaKab, RegionLevel::Province]);
    assert!(def.measures.iter().all(|m| m.kind == MeasureKind::Count && m.aggregate == Aggregate::Sum));
    assert_eq!(def.measure("in_treatment").unwrap().temporal, Temporal::Snapshot);
    assert_eq!(def.measure("vaccine_dose3").unwrap().temporal, Temporal::Cumulative);
    assert_eq!(def.derived("active").unwrap().formula.text(), "confirmed - recovered - deaths");
    let kinds: Vec<(&str, IndicatorKind, Temporal)> = def.indicators.iter().map(|i| (i.id.as_str(), i.kind, i.temporal)).collect();
    assert_eq!(
        kinds,
        [
            ("confirmed_new", IndicatorKind::DailyNew, Temporal::New),
            ("deaths_new", IndicatorKind::DailyNew, Temporal::New),
            ("people_tested_new", IndicatorKind::DailyNew, Temporal::New),
            ("confirmed_new_avg7", IndicatorKind::Avg7, Temporal::New),
            ("confirmed_per_100k", IndicatorKind::Per100k, Temporal::Cumulative),
            ("active_per_100k", IndicatorKind::Per100k, Temporal::Snapshot),
            ("vaccine_dose1_per_100k", IndicatorKind::Per100k, Temporal::Cumulative),
            ("positivity", IndicatorKind::Positivity, Temporal::Rate),
            ("cfr", IndicatorKind::Cfr, Temporal::Rate),
            ("doubling_time", IndicatorKind::DoublingTime, Temporal::Rate),
            ("rt", IndicatorKind::Rt, Temporal::Rate),
        ]
    );
    assert_eq!(def.indicator("positivity").unwrap().unit.id, "%");
    assert_eq!(def.indicator("doubling_time").unwrap().unit.en, "days");
    assert_eq!(def.indicator("confirmed_per_100k").unwrap().unit.id, "per 100.000 penduduk");
    every_text_is_bilingual(&def);
}

#[test]
fn floods_definition() {
    let def = Definition::parse(FLOODS_DEFINITION).unwrap();
    let ids: Vec<&str> = def.measures.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["flooded_rw", "flood_depth_max_cm", "evacuees", "evacuation_sites", "water_gate_level_cm", "water_gate_alert"]);
    let level = def.measure("water_gate_level_cm").unwrap();
    assert_eq!((level.kind, level.aggregate, level.min, level.max), (MeasureKind::Quantity, Aggregate::NotAggregated, Some(0.0), Some(2000.0)));
    let alert = def.measure("water_gate_alert").unwrap();
    assert_eq!((alert.kind, alert.aggregate, alert.min, alert.max), (MeasureKind::Ordinal, Aggregate::Min, Some(1.0), Some(4.0)));
    assert_eq!(def.measure("flood_depth_max_cm").unwrap().aggregate, Aggregate::Max);
    assert_eq!(def.derived("evacuees_per_site").unwrap().temporal, Temporal::Rate);
    assert_eq!(def.indicator("evacuees_per_100k").unwrap().temporal, Temporal::Snapshot);
    every_text_is_bilingual(&def);
}

fn every_text_is_bilingual(def: &Definition) {
    let mut texts: Vec<(&str, &Text)> = vec![("title", &def.title), ("description", &def.description)];
    for m in &def.measures {
        texts.extend([(m.id.as_str(), &m.unit), (m.id.as_str(), &m.label), (m.id.as_str(), &m.explain)]);
    }
    for d in &def.derived {
        texts.extend([(d.id.as_str(), &d.unit), (d.id.as_str(), &d.label), (d.id.as_str(), &d.explain)]);
    }
    for i in &def.indicators {
        texts.extend([(i.id.as_str(), &i.unit), (i.id.as_str(), &i.label)]);
    }
    for (id, t) in texts {
        assert!(!t.id.is_empty() && !t.en.is_empty(), "{}: {id} lacks a language: {t:?}", def.id);
    }
}

#[test]
fn evaluates_derived_measures_and_indicators() {
    let def = Definition::parse(COVID19_DEFINITION).unwrap();
    let mut m: BTreeMap<String, Series> = BTreeMap::new();
    // Cumulative confirmed 1..=3 Jul: 100, 120, 150; recovered 50, 60, 70; deaths 2, 3 (3 Jul missing).
    m.insert("confirmed".into(), days("2021-07-01", &[Some(100.0), Some(120.0), Some(150.0)]));
    m.insert("recovered".into(), days("2021-07-01", &[Some(50.0), Some(60.0), Some(70.0)]));
    m.insert("deaths".into(), days("2021-07-01", &[Some(2.0), Some(3.0), None]));
    m.insert("people_tested".into(), days("2021-07-01", &[Some(1000.0), Some(1200.0), Some(1500.0)]));
    m.insert("not_a_measure".into(), days("2021-07-01", &[Some(1.0)]));
    let out = def.evaluate(&m, Some(20_000.0));
    assert!(!out.contains_key("not_a_measure"), "unknown series are dropped");
    // active = confirmed − recovered − deaths: 100 − 50 − 2 = 48; 120 − 60 − 3 = 57; 3 Jul deaths missing → none
    assert_eq!(out["active"], series(&[("2021-07-01", 48.0), ("2021-07-02", 57.0)]));
    // confirmed_new: 120 − 100 = 20; 150 − 120 = 30
    assert_eq!(out["confirmed_new"], series(&[("2021-07-02", 20.0), ("2021-07-03", 30.0)]));
    // people_tested_new: 200, 300 → positivity 100 × 20 / 200 = 10 %, 100 × 30 / 300 = 10 %
    assert_eq!(out["positivity"], series(&[("2021-07-02", 10.0), ("2021-07-03", 10.0)]));
    // cfr: 100 × 2 / 100 = 2 %; 100 × 3 / 120 = 2.5 %
    assert_eq!(out["cfr"], series(&[("2021-07-01", 2.0), ("2021-07-02", 2.5)]));
    // active per 100 000 with 20 000 people: 48 × 5 = 240; 57 × 5 = 285
    assert_eq!(out["active_per_100k"], series(&[("2021-07-01", 240.0), ("2021-07-02", 285.0)]));
    // Three days are too few for a 7-day average, a doubling time or Rt.
    assert!(out["confirmed_new_avg7"].is_empty() && out["doubling_time"].is_empty() && out["rt"].is_empty());
    assert!(out["vaccine_dose1_per_100k"].is_empty(), "no vaccination data");
    // Without a population the per-100 000 indicators are empty, the rest unchanged.
    let out = def.evaluate(&m, None);
    assert!(out["confirmed_per_100k"].is_empty());
    assert_eq!(out["cfr"].len(), 2);
}

#[test]
fn refuses_an_unknown_aggregate() {
    let e = errors(&MINIMAL.replacen(r#"aggregate = "sum""#, r#"aggregate = "average""#, 1));
    assert_eq!(
        e,
        [DefinitionError::Unknown {
            what: "measure `confirmed`".into(),
            field: "aggregate",
            value: "average".into(),
            expected: "sum, max, min, mean_pop, none".into()
        }]
    );
    assert_eq!(e[0].to_string(), "measure `confirmed`: unknown aggregate `average` (expected one of: sum, max, min, mean_pop, none)");
}

#[test]
fn refuses_a_formula_naming_an_unknown_measure() {
    let e = errors(&MINIMAL.replace("confirmed - deaths\"", "confirmed - deths\""));
    assert_eq!(e, [DefinitionError::UnknownReference { what: "derived `survivors`".into(), name: "deths".into() }]);
    assert_eq!(e[0].to_string(), "derived `survivors`: `deths` is not a measure defined before it");
    // A formula may not use an indicator (time series) nor a derived measure defined after it.
    let later = MINIMAL.replace("confirmed - deaths\"", "confirmed - later\"")
        + r#"
[[derived]]
id = "later"
formula = "deaths * 2"
temporal = "cumulative"
unit = { id = "orang" }
label = { id = "Nanti" }
explain = { id = "Nanti." }
"#;
    assert_eq!(errors(&later), [DefinitionError::UnknownReference { what: "derived `survivors`".into(), name: "later".into() }]);
    let e = errors(&MINIMAL.replace("confirmed - deaths\"", "confirmed -\""));
    assert_eq!(e, [DefinitionError::Formula { what: "derived `survivors`".into(), error: FormulaError::UnexpectedEnd }]);
}

#[test]
fn refuses_duplicate_ids() {
    let e = errors(&MINIMAL.replacen(r#"id = "deaths""#, r#"id = "confirmed""#, 1).replace("confirmed - deaths", "confirmed"));
    assert_eq!(e, [DefinitionError::Duplicate { id: "confirmed".into() }]);
    assert_eq!(e[0].to_string(), "`confirmed` is defined more than once");
    // Measures, derived measures and indicators share one namespace.
    let e = errors(&MINIMAL.replace(r#"id = "confirmed_new""#, r#"id = "survivors""#));
    assert_eq!(e, [DefinitionError::Duplicate { id: "survivors".into() }]);
}

#[test]
fn refuses_missing_indonesian_text() {
    let e = errors(&MINIMAL.replace(r#"label = { id = "Meninggal", en = "Deaths" }"#, r#"label = { en = "Deaths" }"#));
    assert_eq!(e, [DefinitionError::MissingIndonesian { what: "measure `deaths`".into(), field: "label" }]);
    assert_eq!(e[0].to_string(), "measure `deaths`: `label` has no Indonesian text (`id`)");
    // Blank counts as missing; English may be left out.
    let e = errors(&MINIMAL.replace(r#"explain = { id = "Positif.", en = "Positive." }"#, r#"explain = { id = "  ", en = "Positive." }"#));
    assert_eq!(e, [DefinitionError::MissingIndonesian { what: "measure `confirmed`".into(), field: "explain" }]);
    let def = Definition::parse(&MINIMAL.replace(r#"label = { id = "Meninggal", en = "Deaths" }"#, r#"label = { id = "Meninggal" }"#)).unwrap();
    assert_eq!(def.label("deaths").unwrap().get(Lang::En), "Meninggal", "English falls back to Indonesian");
    // A missing text is reported as missing.
    let e = errors(&MINIMAL.replace(r#"title = { id = "Mini", en = "Mini" }"#, ""));
    assert_eq!(e, [DefinitionError::Missing { what: "definition".into(), field: "title" }]);
}

#[test]
fn refuses_bad_indicators() {
    let with = |ind: &str| format!("{MINIMAL}\n[[indicator]]\nid = \"x\"\nlabel = {{ id = \"X\" }}\n{ind}\n");
    assert_eq!(
        errors(&with("kind = \"rt\"\ninputs = [\"confirmed_new\", \"confirmed\"]")),
        [DefinitionError::Arity { what: "indicator `x`".into(), kind: IndicatorKind::Rt, want: 1, got: 2 }]
    );
    let e = errors(&with("kind = \"rt\"\ninputs = [\"confirmed\"]"));
    assert_eq!(
        e,
        [DefinitionError::InputKind { what: "indicator `x`".into(), input: "confirmed".into(), temporal: Temporal::Cumulative, kind: IndicatorKind::Rt }]
    );
    assert_eq!(e[0].to_string(), "indicator `x`: input `confirmed` is `cumulative`, which `rt` does not accept");
    assert_eq!(
        errors(&with("kind = \"cfr\"\ninputs = [\"deaths\", \"confirmd\"]")),
        [DefinitionError::UnknownReference { what: "indicator `x`".into(), name: "confirmd".into() }]
    );
    let e = errors(&with("kind = \"ewma\"\ninputs = [\"confirmed\"]"));
    assert!(matches!(&e[..], [DefinitionError::Unknown { field: "kind", value, .. }] if value == "ewma"));
    // Day-based indicators need a daily dataset.
    let weekly = with("kind = \"doubling_time\"\ninputs = [\"confirmed\"]").replace(r#"grain = "day""#, r#"grain = "week""#);
    assert_eq!(errors(&weekly), [DefinitionError::NeedsDaily { what: "indicator `x`".into(), kind: IndicatorKind::DoublingTime }]);
    // An indicator may use an earlier indicator.
    let chained = with("kind = \"avg7\"\ninputs = [\"confirmed_new\"]");
    assert_eq!(Definition::parse(&chained).unwrap().indicator("x").unwrap().temporal, Temporal::New);
}

#[test]
fn refuses_bad_measures_and_levels() {
    // Not TOML at all.
    assert!(matches!(&errors("id = ")[..], [DefinitionError::Toml(_)]));
    // An unknown field (a typo) is refused by the TOML reader, naming it.
    let e = errors(&MINIMAL.replacen("temporal = ", "temporl = ", 1));
    assert!(matches!(&e[..], [DefinitionError::Toml(m)] if m.contains("temporl")), "{e:?}");
    // Ids.
    let e = errors(&MINIMAL.replacen(r#"id = "deaths""#, r#"id = "Deaths""#, 1).replace("confirmed - deaths", "confirmed"));
    assert_eq!(e, [DefinitionError::BadId { what: "measure `Deaths`".into(), id: "Deaths".into() }]);
    let e = errors(&MINIMAL.replacen(r#"id = "deaths""#, r#"id = "date""#, 1).replace("confirmed - deaths", "confirmed"));
    assert_eq!(e, [DefinitionError::Reserved { id: "date".into() }]);
    // Levels and grain.
    let e = errors(&MINIMAL.replace(r#"totals = ["province"]"#, r#"totals = ["kelurahan", "desa"]"#));
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].to_string(), "definition: totals level `kelurahan` is not above the reported level");
    assert!(matches!(&e[1], DefinitionError::Unknown { field: "totals", value, .. } if value == "desa"));
    let e = errors(&MINIMAL.replace(r#"grain = "day""#, r#"grain = "month""#));
    assert!(matches!(&e[..], [DefinitionError::Unknown { field: "grain", .. }]));
    // Ordinal scales need both ends and cannot be summed or counted up.
    let ordinal = MINIMAL.replacen(r#"kind = "count""#, r#"kind = "ordinal""#, 1);
    let e: Vec<String> = errors(&ordinal).iter().map(|e| e.to_string()).collect();
    assert_eq!(
        e,
        [
            "measure `confirmed`: an ordinal measure needs both `min` and `max`",
            "measure `confirmed`: an ordinal measure is a snapshot or a rate, it cannot be counted up",
            "measure `confirmed`: an ordinal measure aggregates by `max`, `min` or `none`",
        ]
    );
    let e = errors(&MINIMAL.replacen(r#"aggregate = "sum""#, "aggregate = \"sum\"\nmin = -1", 1));
    assert_eq!(e[0].to_string(), "measure `confirmed`: a count cannot have a negative `min`");
    let e = errors(&MINIMAL.replacen(r#"temporal = "cumulative""#, r#"temporal = "rate""#, 1).replace("confirmed - deaths", "deaths"));
    assert_eq!(e.len(), 2, "a summed rate, and daily_new of a rate: {e:?}");
    assert_eq!(e[0].to_string(), "measure `confirmed`: a rate cannot be summed; use `mean_pop`, `max`, `min` or `none`");
    assert!(matches!(errors("id = \"x\"\nlevel = \"kelurahan\"\ngrain = \"day\"\ntitle = { id = \"X\" }\n")[..], [DefinitionError::NoMeasures]));
}

#[test]
fn reports_every_problem_at_once() {
    let broken = MINIMAL
        .replacen(r#"aggregate = "sum""#, r#"aggregate = "avg""#, 1)
        .replace(r#"label = { id = "Meninggal", en = "Deaths" }"#, r#"label = { en = "Deaths" }"#)
        .replace("confirmed - deaths\"", "confirmed - recovered\"");
    let e = Definition::parse(&broken).unwrap_err();
    assert_eq!(e.0.len(), 3, "{e}");
    let text = e.to_string();
    assert!(text.contains("unknown aggregate `avg`") && text.contains("no Indonesian text") && text.contains("`recovered`"), "{text}");
}

#[test]
fn serde_codes_are_the_stable_codes() {
    fn code<T: Serialize>(v: T) -> String {
        toml::Value::try_from(v).unwrap().as_str().unwrap().to_string()
    }
    for a in Aggregate::ALL {
        assert_eq!(code(a), a.as_str());
    }
    for k in IndicatorKind::ALL {
        assert_eq!(code(k), k.as_str());
    }
    for t in Temporal::ALL {
        assert_eq!(code(t), t.as_str());
    }
    for k in MeasureKind::ALL {
        assert_eq!(code(k), k.as_str());
    }
    for g in Grain::ALL {
        assert_eq!(code(g), g.as_str());
    }
}

#[test]
fn a_definition_serialises_for_the_api() {
    let def = Definition::parse(COVID19_DEFINITION).unwrap();
    let out = toml::to_string(&def).unwrap();
    assert!(out.contains(r#"formula = "confirmed - recovered - deaths""#), "formulas are published as text");
    assert!(out.contains(r#"aggregate = "sum""#) && out.contains(r#"kind = "per_100k""#) && out.contains(r#"level = "kelurahan""#));
}
