//! Server-rendered SVG charts (readable without JavaScript): daily bars with an optional line
//! (e.g. new cases and their 7-day average), or lines alone (cumulative series). Axes use "nice"
//! ticks (1, 2, 2.5, 5 × 10ⁿ) and month labels; a missing day is a gap, never a zero. Each chart
//! has a `<title>`, an `aria-label` and a class per series so CSS colours it; the page shows the
//! same numbers in a data table and offers them as CSV/JSON.
//!
//! Used by the crisis channel (issue 4); pure presentation, no I/O.

use chrono::{Datelike, NaiveDate};
use std::fmt::Write;

/// One series: a value per date (`None` = not reported that day).
pub struct Series<'a> {
    /// CSS class (`s0`, `s1`, … or a meaningful name).
    pub class: &'a str,
    pub label: &'a str,
    pub points: &'a [(NaiveDate, Option<f64>)],
    pub style: Style,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Bars,
    Line,
}

pub struct Chart<'a> {
    pub title: &'a str,
    pub series: Vec<Series<'a>>,
    /// Month names for the x axis (index 0 = January), in the page's language.
    pub months: [&'a str; 12],
}

const W: f64 = 640.0;
const H: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// Ticks from 0 to at least `max`: about `n` steps of 1, 2, 2.5 or 5 × 10ⁿ.
pub fn nice_ticks(max: f64, n: usize) -> Vec<f64> {
    if !max.is_finite() || max <= 0.0 {
        return vec![0.0, 1.0];
    }
    let raw = max / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let count = (max / step).ceil() as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// A number for an axis label: thousands with a thin grouping, no needless decimals.
pub fn label(v: f64) -> String {
    if v.abs() >= 1_000_000.0 {
        format!("{}jt", trim(v / 1_000_000.0))
    } else if v.abs() >= 10_000.0 {
        format!("{}rb", trim(v / 1_000.0))
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Renders the chart. An empty chart (no values at all) still renders its frame and title.
pub fn svg(c: &Chart) -> String {
    let dates: Vec<NaiveDate> = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).collect();
    let (Some(first), Some(last)) = (dates.iter().min().copied(), dates.iter().max().copied()) else {
        return format!(
            r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title></svg>"#,
            t = xml(c.title)
        );
    };
    let days = (last - first).num_days().max(1) as f64;
    let max = c.series.iter().flat_map(|s| s.points.iter().filter_map(|p| p.1)).fold(0.0f64, f64::max);
    let min = c.series.iter().flat_map(|s| s.points.iter().filter_map(|p| p.1)).fold(0.0f64, f64::min);
    let ticks = nice_ticks(max.max(-min), 4);
    let top = *ticks.last().unwrap_or(&1.0);
    let bottom = if min < 0.0 { -nice_ticks(-min, 2).last().copied().unwrap_or(0.0) } else { 0.0 };
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / (days + 1.0);
    let x = |d: NaiveDate| LEFT + ((d - first).num_days() as f64 + 0.5) * slot;
    let y = |v: f64| TOP + (top - v) / (top - bottom).max(f64::EPSILON) * plot_h;
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = xml(c.title)
    );
    // Grid and y labels.
    for t in ticks.iter().chain(if bottom < 0.0 { Some(&bottom) } else { None }) {
        let yy = y(*t);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}"/><text class="ylabel" x="{}" y="{:.1}">{}</text>"#,
            W - RIGHT,
            LEFT - 4.0,
            yy + 4.0,
            label(*t)
        );
    }
    // Month labels: the first of each month (every other month on long ranges).
    let mut d = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).unwrap_or(first);
    let every = if days > 400.0 {
        3
    } else if days > 200.0 {
        2
    } else {
        1
    };
    let mut i = 0;
    while d <= last {
        if d >= first && i % every == 0 {
            let xx = x(d);
            let name = c.months[d.month0() as usize];
            let text = if d.month() == 1 || i == 0 { format!("{name} {}", d.year()) } else { name.to_string() };
            let _ = write!(
                out,
                r#"<line class="tick" x1="{xx:.1}" x2="{xx:.1}" y1="{}" y2="{}"/><text class="xlabel" x="{xx:.1}" y="{}">{}</text>"#,
                H - BOTTOM,
                H - BOTTOM + 4.0,
                H - 8.0,
                xml(&text)
            );
        }
        if d >= first {
            i += 1;
        }
        d = d.checked_add_months(chrono::Months::new(1)).unwrap_or(last + chrono::Duration::days(1));
    }
    for s in &c.series {
        match s.style {
            Style::Bars => {
                let bw = (slot * 0.8).max(0.6);
                let _ = write!(out, r#"<g class="bars {}"><title>{}</title>"#, xml(s.class), xml(s.label));
                for (d, v) in s.points {
                    if let Some(v) = v {
                        let (y0, y1) = (y(0.0), y(*v));
                        let _ = write!(out, r#"<rect x="{:.1}" y="{:.1}" width="{bw:.2}" height="{:.1}"/>"#, x(*d) - bw / 2.0, y0.min(y1), (y0 - y1).abs());
                    }
                }
                out.push_str("</g>");
            }
            Style::Line => {
                let mut path = String::new();
                let mut pen_down = false;
                for (d, v) in s.points {
                    match v {
                        Some(v) => {
                            let _ = write!(path, "{}{:.1},{:.1}", if pen_down { "L" } else { "M" }, x(*d), y(*v));
                            pen_down = true;
                        }
                        None => pen_down = false,
                    }
                }
                let _ = write!(out, r#"<path class="line {}" d="{path}"><title>{}</title></path>"#, xml(s.class), xml(s.label));
            }
        }
    }
    let _ = write!(out, r#"<line class="axis" x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}"/></svg>"#, W - RIGHT, y(0.0), y(0.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn nice_ticks_cover_the_maximum() {
        assert_eq!(nice_ticks(95.0, 4), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(nice_ticks(7.0, 4), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(12_345.0, 4), vec![0.0, 5_000.0, 10_000.0, 15_000.0]);
        assert_eq!(nice_ticks(0.0, 4), vec![0.0, 1.0]);
        assert_eq!(nice_ticks(f64::NAN, 4), vec![0.0, 1.0]);
        assert_eq!(label(12_500.0), "12.5rb");
        assert_eq!(label(2_000_000.0), "2jt");
        assert_eq!(label(2.5), "2.5");
    }

    #[test]
    fn gaps_break_the_line_and_bars_skip_missing_days() {
        let pts = [(d("2026-03-01"), Some(10.0)), (d("2026-03-02"), Some(20.0)), (d("2026-03-03"), None), (d("2026-03-04"), Some(5.0))];
        let chart = Chart {
            title: "Kasus baru <harian>",
            series: vec![
                Series { class: "s0", label: "baru", points: &pts, style: Style::Bars },
                Series { class: "s1", label: "rata-rata 7 hari", points: &pts, style: Style::Line },
            ],
            months: MONTHS,
        };
        let s = svg(&chart);
        assert!(s.contains("Kasus baru &lt;harian&gt;"), "titles are escaped");
        assert_eq!(s.matches("<rect").count(), 3, "no bar for the missing day");
        let path = s.split(r#"class="line s1" d=""#).nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(path.matches('M').count(), 2, "the line restarts after the gap: {path}");
        assert_eq!(path.matches('L').count(), 1);
        assert!(s.contains("Mar 2026"), "month label");
    }

    #[test]
    fn negative_corrections_and_empty_charts_render() {
        let pts = [(d("2026-01-01"), Some(4.0)), (d("2026-01-02"), Some(-3.0))];
        let s = svg(&Chart { title: "x", series: vec![Series { class: "s0", label: "x", points: &pts, style: Style::Bars }], months: MONTHS });
        assert!(s.contains("<rect") && s.contains("ylabel"), "{s}");
        let e = svg(&Chart { title: "kosong", series: vec![], months: MONTHS });
        assert!(e.starts_with("<svg") && e.contains("<title>kosong</title>"));
    }
}
