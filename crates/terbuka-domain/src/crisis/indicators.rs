//! Indicators computed over time series, each with the formula shown on its page.
//!
//! Every function takes [`Series`] (date → value) and returns one. A date whose inputs are not
//! all there gives no value: a gap in the data stays a gap, it is never filled with zero, and a
//! 7-day window with a gap in it gives nothing. Definitions name the indicators they use
//! (`[[indicator]]` with a `kind` from [`IndicatorKind`]); [`IndicatorKind::apply`] runs one.

use super::definition::{Grain, Temporal, Text};
use super::Series;
use crate::model::{coded_enum, Lang};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// The indicators Terbuka knows how to compute.
    IndicatorKind {
        /// New in the period from a cumulative series: `C(t) − C(t−1)`.
        DailyNew = "daily_new",
        /// Cumulative from a series of new values (running sum from the first date).
        Cumulative = "cumulative",
        /// Trailing 7-day average, only when all 7 days are present.
        Avg7 = "avg7",
        /// Per 100,000 people of the region.
        #[serde(rename = "per_100k")]
        Per100k = "per_100k",
        /// Test positivity: new confirmed / new people tested, in %.
        Positivity = "positivity",
        /// Case fatality ratio: deaths / confirmed (both cumulative), in %.
        Cfr = "cfr",
        /// Doubling time in days from the growth of a cumulative series over 7 days.
        DoublingTime = "doubling_time",
        /// A simple reproduction-number estimate: ratio of 7-day sums 5 days apart.
        Rt = "rt",
    }
}

/// The serial interval used by [`rt_ratio`], in days.
pub const SERIAL_INTERVAL_DAYS: i64 = 5;

/// The fewest new cases the earlier 7-day window of [`rt_ratio`] must hold; below it the ratio of
/// two small counts (1 case, then 3) says nothing and no value is given.
pub const RT_MIN_CASES: f64 = 10.0;

impl IndicatorKind {
    /// The formula, in words and symbols, for the indicator's page.
    pub fn formula(self) -> Text {
        let t = |id: &str, en: &str| Text { id: id.to_string(), en: en.to_string() };
        match self {
            IndicatorKind::DailyNew => t(
                "baru(t) = K(t) − K(t−1): selisih nilai kumulatif dengan periode sebelumnya; kosong jika salah satu tidak dilaporkan",
                "new(t) = C(t) − C(t−1): the cumulative value minus the previous period's; missing if either was not reported",
            ),
            IndicatorKind::Cumulative => t(
                "K(t) = baru(t₀) + … + baru(t): jumlah berjalan sejak tanggal pertama; kosong sejak periode pertama yang tidak dilaporkan",
                "C(t) = new(t₀) + … + new(t): running total from the first date; missing from the first unreported period on",
            ),
            IndicatorKind::Avg7 => t(
                "rata-rata 7 hari(t) = (x(t−6) + … + x(t)) / 7; hanya jika ketujuh hari dilaporkan",
                "7-day average(t) = (x(t−6) + … + x(t)) / 7; only when all seven days were reported",
            ),
            IndicatorKind::Per100k => {
                t("per 100.000 penduduk = x × 100.000 / jumlah penduduk wilayah", "per 100,000 people = x × 100,000 / the region's population")
            }
            IndicatorKind::Positivity => t(
                "positivity rate(t) = 100 × kasus terkonfirmasi baru(t) / orang dites baru(t) (%)",
                "test positivity(t) = 100 × new confirmed cases(t) / new people tested(t) (%)",
            ),
            IndicatorKind::Cfr => t(
                "CFR(t) = 100 × meninggal kumulatif(t) / terkonfirmasi kumulatif(t) (%)",
                "CFR(t) = 100 × cumulative deaths(t) / cumulative confirmed(t) (%)",
            ),
            IndicatorKind::DoublingTime => t(
                "waktu penggandaan(t) = 7 × ln 2 / ln(K(t) / K(t−7)) hari; kosong jika tidak ada pertumbuhan",
                "doubling time(t) = 7 × ln 2 / ln(C(t) / C(t−7)) days; missing when there is no growth",
            ),
            IndicatorKind::Rt => t(
                "Rt(t) ≈ (baru(t−6) + … + baru(t)) / (baru(t−11) + … + baru(t−5)): jumlah 7 hari dibagi jumlah 7 hari yang berakhir 5 hari (interval serial) sebelumnya",
                "Rt(t) ≈ (new(t−6) + … + new(t)) / (new(t−11) + … + new(t−5)): a 7-day sum over the 7-day sum ending 5 days (the serial interval) earlier",
            ),
        }
    }

    /// The formula text in one language.
    pub fn formula_in(self, lang: Lang) -> String {
        self.formula().get(lang).to_string()
    }

    /// How many input series the indicator takes.
    pub fn arity(self) -> usize {
        match self {
            IndicatorKind::Positivity | IndicatorKind::Cfr => 2,
            _ => 1,
        }
    }

    /// Which kinds of series each input may be.
    pub fn accepts(self, input: usize, temporal: Temporal) -> bool {
        use Temporal::*;
        match (self, input) {
            (IndicatorKind::DailyNew | IndicatorKind::DoublingTime, 0) => temporal == Cumulative,
            (IndicatorKind::Cumulative | IndicatorKind::Rt, 0) => temporal == New,
            (IndicatorKind::Avg7, 0) => matches!(temporal, New | Snapshot | Rate),
            (IndicatorKind::Per100k, 0) => matches!(temporal, Cumulative | New | Snapshot),
            (IndicatorKind::Positivity, 0 | 1) => temporal == New,
            (IndicatorKind::Cfr, 0 | 1) => temporal == Cumulative,
            _ => false,
        }
    }

    /// What the result is, given what the first input is.
    pub fn output(self, input: Temporal) -> Temporal {
        match self {
            IndicatorKind::DailyNew => Temporal::New,
            IndicatorKind::Cumulative => Temporal::Cumulative,
            IndicatorKind::Avg7 | IndicatorKind::Per100k => input,
            IndicatorKind::Positivity | IndicatorKind::Cfr | IndicatorKind::DoublingTime | IndicatorKind::Rt => Temporal::Rate,
        }
    }

    /// Whether the indicator is defined in days and so needs a daily dataset.
    pub fn needs_daily(self) -> bool {
        matches!(self, IndicatorKind::Avg7 | IndicatorKind::DoublingTime | IndicatorKind::Rt)
    }

    /// The unit of the result when it does not follow the input's.
    pub fn fixed_unit(self) -> Option<Text> {
        let t = |id: &str, en: &str| Some(Text { id: id.to_string(), en: en.to_string() });
        match self {
            IndicatorKind::Positivity | IndicatorKind::Cfr => t("%", "%"),
            IndicatorKind::DoublingTime => t("hari", "days"),
            IndicatorKind::Rt => t("rasio", "ratio"),
            IndicatorKind::Per100k => t("per 100.000 penduduk", "per 100,000 people"),
            _ => None,
        }
    }

    /// Runs the indicator. `inputs` has [`Self::arity`] series; `population` is only used by
    /// [`IndicatorKind::Per100k`] (no population, no values).
    pub fn apply(self, inputs: &[&Series], grain: Grain, population: Option<f64>) -> Series {
        let empty = Series::new();
        let a = inputs.first().copied().unwrap_or(&empty);
        let b = inputs.get(1).copied().unwrap_or(&empty);
        match self {
            IndicatorKind::DailyNew => new_from_cumulative(a, grain),
            IndicatorKind::Cumulative => cumulative_from_new(a, grain),
            IndicatorKind::Avg7 => trailing_avg7(a),
            IndicatorKind::Per100k => population.map(|p| per_100k(a, p)).unwrap_or_default(),
            IndicatorKind::Positivity => positivity(a, b),
            IndicatorKind::Cfr => case_fatality_ratio(a, b),
            IndicatorKind::DoublingTime => doubling_time(a),
            IndicatorKind::Rt => rt_ratio(a),
        }
    }
}

fn back(date: NaiveDate, days: i64) -> NaiveDate {
    date - Duration::days(days)
}

/// The sum of `s` over the `n` days ending on `end`, if every one of them is present.
fn window_sum(s: &Series, end: NaiveDate, n: i64) -> Option<f64> {
    (0..n).map(|k| s.get(&back(end, k)).copied()).sum()
}

/// New in the period from a cumulative series: `new(t) = C(t) − C(t − one period)`. The first
/// date and every date after a gap have no value. A cumulative series that was corrected down
/// gives a negative value, shown as it is: hiding it would hide the correction.
pub fn new_from_cumulative(cumulative: &Series, grain: Grain) -> Series {
    cumulative.iter().filter_map(|(&t, &c)| cumulative.get(&back(t, grain.step_days())).map(|prev| (t, c - prev))).collect()
}

/// Cumulative from new values: the running sum from the series' first date. A period that was
/// not reported makes every later total unknown, so the result stops before the first gap.
pub fn cumulative_from_new(new: &Series, grain: Grain) -> Series {
    let mut out = Series::new();
    let mut total = 0.0;
    let mut expected: Option<NaiveDate> = None;
    for (&t, &v) in new {
        if expected.is_some_and(|e| e != t) {
            break;
        }
        total += v;
        out.insert(t, total);
        expected = Some(t + Duration::days(grain.step_days()));
    }
    out
}

/// The trailing 7-day average `(x(t−6) + … + x(t)) / 7`, only on dates whose 7 days are all
/// present.
pub fn trailing_avg7(s: &Series) -> Series {
    s.keys().filter_map(|&t| window_sum(s, t, 7).map(|sum| (t, sum / 7.0))).collect()
}

/// `x × 100 000 / population`. A population that is not positive gives nothing.
pub fn per_100k(s: &Series, population: f64) -> Series {
    if population.is_nan() || population <= 0.0 {
        return Series::new();
    }
    s.iter().map(|(&t, &v)| (t, v * 100_000.0 / population)).collect()
}

/// Test positivity in %: `100 × confirmed_new(t) / tested_new(t)`, on dates where both are
/// present and some people were tested. Not capped at 100: cases confirmed by tests counted
/// elsewhere can push it over, and that is worth seeing.
pub fn positivity(confirmed_new: &Series, tested_new: &Series) -> Series {
    confirmed_new.iter().filter_map(|(t, &c)| tested_new.get(t).filter(|&&n| n > 0.0).map(|&n| (*t, 100.0 * c / n))).collect()
}

/// Case fatality ratio in %: `100 × deaths(t) / confirmed(t)`, both cumulative, on dates where
/// both are present and confirmed is positive.
pub fn case_fatality_ratio(deaths: &Series, confirmed: &Series) -> Series {
    deaths.iter().filter_map(|(t, &dd)| confirmed.get(t).filter(|&&c| c > 0.0).map(|&c| (*t, 100.0 * dd / c))).collect()
}

/// Doubling time in days, `7 × ln 2 / ln(C(t) / C(t−7))`, from a cumulative series. Missing
/// when either day is missing, when `C(t−7)` is zero (growth from nothing has no doubling
/// time) or when there is no growth (`C(t) ≤ C(t−7)`).
pub fn doubling_time(cumulative: &Series) -> Series {
    cumulative
        .iter()
        .filter_map(|(&t, &c)| {
            let prev = *cumulative.get(&back(t, 7))?;
            (prev > 0.0 && c > prev).then(|| (t, 7.0 * std::f64::consts::LN_2 / (c / prev).ln()))
        })
        .collect()
}

/// A simple estimate of the effective reproduction number Rt from new cases:
///
/// `Rt(t) ≈ Σ new(t−6 … t) / Σ new(t−11 … t−5)`
///
/// that is, this week's cases over the cases of the 7 days ending one serial interval
/// ([`SERIAL_INTERVAL_DAYS`] = 5) earlier. If incidence grows as `e^{rt}` and every infection
/// happens exactly one serial interval τ after the one that caused it, then
/// `R = e^{rτ}`, which is what the ratio measures; it is the simplification of the Cori et al.
/// method with a generation interval concentrated on 5 days and a 7-day window (the window
/// also cancels the weekday pattern of reporting).
///
/// Limits, stated on the page: it follows *reported* cases by report date, so changes in testing
/// or reporting delays move it as much as transmission does; the true serial interval of
/// Covid-19 is a distribution (≈ 4–7 days), not a constant; it lags infections by about a week;
/// there is no confidence interval. It is given only when all 12 days are present and the
/// earlier window holds at least [`RT_MIN_CASES`] cases.
pub fn rt_ratio(new: &Series) -> Series {
    new.keys()
        .filter_map(|&t| {
            let recent = window_sum(new, t, 7)?;
            let earlier = window_sum(new, back(t, SERIAL_INTERVAL_DAYS), 7)?;
            (earlier >= RT_MIN_CASES).then(|| (t, recent / earlier))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn daily_new_from_cumulative() {
        // C: 1 Jul 100, 2 Jul 110, 3 Jul 125, (4 Jul missing), 5 Jul 140, 6 Jul 138 (corrected down)
        let c = days("2021-07-01", &[Some(100.0), Some(110.0), Some(125.0), None, Some(140.0), Some(138.0)]);
        let n = new_from_cumulative(&c, Grain::Day);
        // 2 Jul: 110 − 100 = 10; 3 Jul: 125 − 110 = 15; 4 Jul: no C; 5 Jul: C(4 Jul) missing → none;
        // 6 Jul: 138 − 140 = −2 (the correction is shown).
        assert_eq!(n, series(&[("2021-07-02", 10.0), ("2021-07-03", 15.0), ("2021-07-06", -2.0)]));
    }

    #[test]
    fn weekly_new_uses_the_previous_week() {
        // Mondays 5, 12, 19 Jul: 50, 80, 95 → 12 Jul: 30, 19 Jul: 15
        let c = series(&[("2021-07-05", 50.0), ("2021-07-12", 80.0), ("2021-07-19", 95.0)]);
        assert_eq!(new_from_cumulative(&c, Grain::Week), series(&[("2021-07-12", 30.0), ("2021-07-19", 15.0)]));
        // Daily differencing of a weekly series finds no neighbours at all.
        assert!(new_from_cumulative(&c, Grain::Day).is_empty());
    }

    #[test]
    fn cumulative_from_daily_stops_at_a_gap() {
        // new: 5, 3, 0, (gap), 4 → 5, 5+3 = 8, 8+0 = 8, then unknown
        let n = days("2021-07-01", &[Some(5.0), Some(3.0), Some(0.0), None, Some(4.0)]);
        assert_eq!(cumulative_from_new(&n, Grain::Day), series(&[("2021-07-01", 5.0), ("2021-07-02", 8.0), ("2021-07-03", 8.0)]));
        // Weekly: 12 and 19 Jul are one step apart → 7, 7+2 = 9
        let w = series(&[("2021-07-12", 7.0), ("2021-07-19", 2.0)]);
        assert_eq!(cumulative_from_new(&w, Grain::Week), series(&[("2021-07-12", 7.0), ("2021-07-19", 9.0)]));
        // Round trip: new of the cumulative gives back every value but the first.
        let c = cumulative_from_new(&days("2021-07-01", &[Some(5.0), Some(3.0), Some(6.0)]), Grain::Day);
        assert_eq!(new_from_cumulative(&c, Grain::Day), series(&[("2021-07-02", 3.0), ("2021-07-03", 6.0)]));
    }

    #[test]
    fn trailing_seven_day_average() {
        // 1..=8 Jul: 10, 20, 30, 40, 50, 60, 70, 80
        let s = days("2021-07-01", &[10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0].map(Some));
        // 7 Jul: (10+20+30+40+50+60+70)/7 = 280/7 = 40; 8 Jul: (20+…+80)/7 = 350/7 = 50
        assert_eq!(trailing_avg7(&s), series(&[("2021-07-07", 40.0), ("2021-07-08", 50.0)]));
        // A gap on 3 Jul removes every window that covers it (3..=9 Jul); 10 Jul covers 4..=10.
        let g = days("2021-07-01", &[Some(7.0), Some(7.0), None, Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(5.0), Some(6.0), Some(7.0)]);
        // 10 Jul: (1+2+3+4+5+6+7)/7 = 28/7 = 4
        assert_eq!(trailing_avg7(&g), series(&[("2021-07-10", 4.0)]));
        // A reported zero counts: six zeros and a 14 average 2.
        let z = days("2021-07-01", &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 14.0].map(Some));
        assert_eq!(trailing_avg7(&z), series(&[("2021-07-07", 2.0)]));
    }

    #[test]
    fn per_hundred_thousand() {
        // 45 cases in 30 000 people: 45 × 100 000 / 30 000 = 150
        let s = series(&[("2021-07-01", 45.0), ("2021-07-02", 3.0)]);
        let p = per_100k(&s, 30_000.0);
        assert_close(p[&d("2021-07-01")], 150.0);
        // 3 × 100 000 / 30 000 = 10
        assert_close(p[&d("2021-07-02")], 10.0);
        assert!(per_100k(&s, 0.0).is_empty());
        assert!(per_100k(&s, -5.0).is_empty());
        assert!(IndicatorKind::Per100k.apply(&[&s], Grain::Day, None).is_empty(), "no population, no values");
    }

    #[test]
    fn test_positivity() {
        let c = series(&[("2021-07-01", 12.0), ("2021-07-02", 30.0), ("2021-07-03", 5.0), ("2021-07-04", 1.0)]);
        let t = series(&[("2021-07-01", 150.0), ("2021-07-02", 200.0), ("2021-07-03", 0.0)]);
        let p = positivity(&c, &t);
        // 100 × 12 / 150 = 8 %; 100 × 30 / 200 = 15 %; 3 Jul nobody tested; 4 Jul tests missing
        assert_eq!(p.len(), 2);
        assert_close(p[&d("2021-07-01")], 8.0);
        assert_close(p[&d("2021-07-02")], 15.0);
    }

    #[test]
    fn case_fatality() {
        let deaths = series(&[("2021-07-01", 3.0), ("2021-07-02", 4.0), ("2021-07-03", 0.0)]);
        let confirmed = series(&[("2021-07-01", 200.0), ("2021-07-02", 250.0), ("2021-07-03", 0.0)]);
        let cfr = case_fatality_ratio(&deaths, &confirmed);
        // 100 × 3 / 200 = 1.5 %; 100 × 4 / 250 = 1.6 %; 3 Jul no cases → none
        assert_eq!(cfr.len(), 2);
        assert_close(cfr[&d("2021-07-01")], 1.5);
        assert_close(cfr[&d("2021-07-02")], 1.6);
    }

    #[test]
    fn doubling_time_from_weekly_growth() {
        // C(1 Jul) = 100, C(8 Jul) = 200: 7 × ln2 / ln(200/100) = 7 × ln2 / ln2 = 7 days.
        // C(2 Jul) = 100, C(9 Jul) = 400: 7 × ln2 / ln 4 = 7 × ln2 / (2 ln2) = 3.5 days.
        // C(3 Jul) = 100, C(10 Jul) = 100: no growth → none.
        // C(4 Jul) = 0,   C(11 Jul) = 50: growth from nothing → none.
        // C(5 Jul) = 80,  C(12 Jul) = 70 (corrected down) → none.
        // C(13 Jul) = 150 but 6 Jul is missing → none.
        let c = series(&[
            ("2021-07-01", 100.0),
            ("2021-07-02", 100.0),
            ("2021-07-03", 100.0),
            ("2021-07-04", 0.0),
            ("2021-07-05", 80.0),
            ("2021-07-08", 200.0),
            ("2021-07-09", 400.0),
            ("2021-07-10", 100.0),
            ("2021-07-11", 50.0),
            ("2021-07-12", 70.0),
            ("2021-07-13", 150.0),
        ]);
        let dt = doubling_time(&c);
        assert_eq!(dt.keys().copied().collect::<Vec<_>>(), [d("2021-07-08"), d("2021-07-09")]);
        assert_close(dt[&d("2021-07-08")], 7.0);
        assert_close(dt[&d("2021-07-09")], 3.5);
        // C(t−7) = 1000, C(t) = 1500: 7 × ln 2 / ln 1.5 = 7 × 0.693147… / 0.405465… = 4.852030… / 0.405465… = 11.9666…
        let c = series(&[("2021-07-01", 1000.0), ("2021-07-08", 1500.0)]);
        let want = 7.0 * std::f64::consts::LN_2 / 1.5f64.ln();
        assert_close(doubling_time(&c)[&d("2021-07-08")], want);
        assert!((want - 11.966_6).abs() < 1e-3);
    }

    #[test]
    fn rt_from_seven_day_sums_five_days_apart() {
        // new cases 1..=12 Jul: 2, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4
        let n = days("2021-07-01", &[2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0].map(Some));
        let rt = rt_ratio(&n);
        // Only 12 Jul has 12 days behind it (1..=12 Jul).
        // recent  = new(6..=12 Jul) = 2 + 2 + 4 + 4 + 4 + 4 + 4 = 24
        // earlier = new(1..=7 Jul)  = 7 × 2 = 14
        // Rt = 24 / 14 = 1.714285…
        assert_eq!(rt.len(), 1);
        assert_close(rt[&d("2021-07-12")], 24.0 / 14.0);

        // Flat incidence gives exactly 1: 13 days of 5 → 12 Jul and 13 Jul, 35 / 35.
        let flat = days("2021-07-01", &[Some(5.0); 13]);
        assert_eq!(rt_ratio(&flat), series(&[("2021-07-12", 1.0), ("2021-07-13", 1.0)]));

        // Too few cases in the earlier window: 12 days of 1 → 7 / 7 but 7 < RT_MIN_CASES.
        assert!(rt_ratio(&days("2021-07-01", &[Some(1.0); 12])).is_empty());
        // Exactly RT_MIN_CASES (10) in the earlier window is enough: earlier 1..=7 Jul = 4 + 6×1 = 10,
        // recent 6..=12 Jul = 1 + 1 + 5×3 = 17 → 1.7
        let edge = days("2021-07-01", &[4.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 3.0, 3.0, 3.0, 3.0].map(Some));
        assert_close(rt_ratio(&edge)[&d("2021-07-12")], 1.7);

        // A gap anywhere in the 12 days removes the value.
        let mut gap = flat.clone();
        gap.remove(&d("2021-07-02"));
        // 12 Jul needs 1..=12 Jul (2 Jul missing → none); 13 Jul needs 2..=13 Jul (missing → none).
        assert!(rt_ratio(&gap).is_empty());
    }

    #[test]
    fn apply_dispatches_and_describes() {
        let c = days("2021-07-01", &[Some(100.0), Some(110.0)]);
        assert_eq!(IndicatorKind::DailyNew.apply(&[&c], Grain::Day, None), series(&[("2021-07-02", 10.0)]));
        assert_eq!(IndicatorKind::Cfr.apply(&[&c, &c], Grain::Day, None), series(&[("2021-07-01", 100.0), ("2021-07-02", 100.0)]));
        for k in IndicatorKind::ALL {
            let f = k.formula();
            assert!(!f.id.is_empty() && !f.en.is_empty(), "{k}");
            assert!(k.arity() == 1 || k.arity() == 2);
            // Every input position up to the arity accepts something, and nothing beyond it.
            for i in 0..k.arity() {
                assert!(Temporal::ALL.iter().any(|t| k.accepts(i, *t)), "{k} input {i}");
            }
            assert!(!Temporal::ALL.iter().any(|t| k.accepts(k.arity(), *t)), "{k}");
        }
        assert!(IndicatorKind::Rt.formula_in(Lang::En).contains("serial interval"));
        assert!(IndicatorKind::DoublingTime.formula_in(Lang::Id).contains("7 × ln 2"));
    }
}
