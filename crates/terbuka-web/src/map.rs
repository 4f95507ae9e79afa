//! A server-rendered SVG map of the kelurahan (no JavaScript, no tiles): the shipped GeoJSON is
//! projected once (equirectangular, scaled by the cosine of the latitude), rounded to whole
//! pixels with repeated points dropped, and kept in memory; each request only chooses every
//! shape's class and tooltip. The Kepulauan Seribu islands lie 60 km north of the mainland and
//! are drawn in an inset in the bottom-left corner (outside the province on the mainland map).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

const GEOJSON: &str = include_str!("../data/jakarta-kelurahan.geojson");
/// Width of the map in SVG units.
const WIDTH: f64 = 640.0;
const INSET: f64 = 120.0;
const INSET_HEIGHT: f64 = 150.0;
/// The kabupaten drawn in the inset.
const ISLANDS: &str = "31.01";

pub struct Shape {
    pub code: String,
    pub name: String,
    /// SVG path data in map units.
    pub d: String,
}

pub struct Map {
    pub width: f64,
    pub height: f64,
    pub shapes: Vec<Shape>,
}

type Ring = Vec<(f64, f64)>;

fn rings_of(geometry: &serde_json::Value) -> Vec<Ring> {
    let to_ring =
        |r: &serde_json::Value| -> Ring { r.as_array().into_iter().flatten().filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?))).collect() };
    let coords = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => coords.as_array().into_iter().flatten().map(to_ring).collect(),
        Some("MultiPolygon") => {
            coords.as_array().into_iter().flatten().flat_map(|p| p.as_array().into_iter().flatten().map(to_ring).collect::<Vec<_>>()).collect()
        }
        _ => Vec::new(),
    }
}

struct Frame {
    min_x: f64,
    max_y: f64,
    k: f64,
    cos: f64,
    dx: f64,
    dy: f64,
}

impl Frame {
    /// A frame fitting `rings` into a box at most `w` wide and `h_max` high at offset (dx, dy);
    /// returns it and the height used.
    fn fit(rings: &[&Ring], w: f64, h_max: f64, dx: f64, dy: f64) -> (Frame, f64) {
        let pts = rings.iter().flat_map(|r| r.iter());
        let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (x, y) in pts {
            min_x = min_x.min(*x);
            max_x = max_x.max(*x);
            min_y = min_y.min(*y);
            max_y = max_y.max(*y);
        }
        let cos = ((min_y + max_y) / 2.0).to_radians().cos();
        let k = (w / ((max_x - min_x) * cos).max(1e-9)).min(h_max / (max_y - min_y).max(1e-9));
        let h = (max_y - min_y) * k;
        (Frame { min_x, max_y, k, cos, dx, dy }, h)
    }
    fn project(&self, (x, y): (f64, f64)) -> (i64, i64) {
        (((x - self.min_x) * self.cos * self.k + self.dx).round() as i64, ((self.max_y - y) * self.k + self.dy).round() as i64)
    }
}

/// Path data of `rings`. Points closer than `min_step` units to the last kept one add bytes, not
/// shape, and are dropped; with `min_size` a ring too small to see becomes a small square, so a
/// tiny island still shows (and can be tapped).
fn path(frame: &Frame, rings: &[Ring], min_step: i64, min_size: Option<i64>) -> String {
    let mut d = String::new();
    for r in rings {
        let mut kept: Vec<(i64, i64)> = Vec::new();
        for p in r {
            let q = frame.project(*p);
            if kept.last().is_some_and(|l| (l.0 - q.0).abs() + (l.1 - q.1).abs() < min_step.max(1)) {
                continue;
            }
            kept.push(q);
        }
        if kept.len() < 3 {
            if let (Some(size), Some(&(x, y))) = (min_size, kept.first()) {
                let _ = write!(d, "M{},{}h{size}v{size}h-{size}Z", x - size / 2, y - size / 2);
            }
            continue;
        }
        for (i, (x, y)) in kept.iter().enumerate() {
            let _ = write!(d, "{}{x},{y}", if i == 0 { "M" } else { "L" });
        }
        d.push('Z');
    }
    d
}

/// The kelurahan map, built on first use.
pub fn kelurahan() -> &'static Map {
    static MAP: OnceLock<Map> = OnceLock::new();
    MAP.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(GEOJSON).expect("the bundled GeoJSON parses");
        let features: Vec<(String, String, Vec<Ring>)> = v["features"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| Some((f["properties"]["code"].as_str()?.to_string(), f["properties"]["name"].as_str()?.to_string(), rings_of(&f["geometry"]))))
            .collect();
        let is_island = |code: &str| code == ISLANDS || code.starts_with(&format!("{ISLANDS}."));
        let main: Vec<&Ring> = features.iter().filter(|f| !is_island(&f.0)).flat_map(|f| f.2.iter()).collect();
        let isles: Vec<&Ring> = features.iter().filter(|f| is_island(&f.0)).flat_map(|f| f.2.iter()).collect();
        let (main_frame, h) = Frame::fit(&main, WIDTH, f64::MAX, 0.0, 0.0);
        // The inset sits in the bottom-left corner, which is outside the province (Tangerang).
        let (isle_frame, _) = Frame::fit(&isles, INSET - 12.0, INSET_HEIGHT - 12.0, 10.0, h - INSET_HEIGHT + 6.0);
        let shapes = features
            .into_iter()
            .map(|(code, name, rings)| {
                let d = if is_island(&code) { path(&isle_frame, &rings, 1, Some(3)) } else { path(&main_frame, &rings, 2, None) };
                Shape { d, code, name }
            })
            .filter(|s| !s.d.is_empty())
            .collect();
        Map { width: WIDTH, height: h.ceil(), shapes }
    })
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One kelurahan's value on the map: the class (`m0`…`m3`) and the tooltip.
pub struct Fill {
    pub class: &'static str,
    pub title: String,
}

/// The SVG, each shape a link to `href_prefix` + its code, coloured by `fills` (others `m0`).
pub fn svg(map: &Map, fills: &HashMap<String, Fill>, label: &str, href_prefix: &str) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<svg class="map" viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}"><rect class="inset" x="4" y="{}" width="{}" height="{}"/>"#,
        map.width,
        map.height,
        xml(label),
        map.height - INSET_HEIGHT,
        INSET,
        INSET_HEIGHT - 2.0
    );
    for s in &map.shapes {
        let (class, title) = match fills.get(&s.code) {
            Some(f) => (f.class, format!("{}: {}", s.name, f.title)),
            None => ("m0", s.name.clone()),
        };
        let _ = write!(out, r#"<a href="{}{}"><path class="{}" d="{}"><title>{}</title></path></a>"#, xml(href_prefix), xml(&s.code), class, s.d, xml(&title));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kelurahan_has_a_shape_and_the_map_is_small() {
        let m = kelurahan();
        assert_eq!(m.shapes.len(), 267);
        assert!(m.height > 300.0 && m.height < 1000.0, "height {}", m.height);
        let svg = svg(m, &HashMap::new(), "Peta", "/x?w=");
        assert!(svg.len() < 110_000, "the map is {} bytes", svg.len());
        assert!(svg.contains("Pulau Panggang"), "the islands are in the inset");
        // The invalid Kepulauan Seribu shapes are drawn, not dropped.
        assert!(m.shapes.iter().any(|s| s.code.starts_with("31.01.")));
    }

    #[test]
    fn fills_and_escaping() {
        let m = kelurahan();
        let mut fills = HashMap::new();
        fills.insert("31.71.01.1002".to_string(), Fill { class: "m3", title: "5 <terbuka>".into() });
        let svg = svg(m, &fills, "Peta \"kebutuhan\"", "/kolaborasi?wilayah=");
        assert!(svg.contains(r#"class="m3""#));
        assert!(svg.contains("Cideng: 5 &lt;terbuka&gt;"));
        assert!(svg.contains("aria-label=\"Peta &quot;kebutuhan&quot;\""));
        assert!(svg.contains("/kolaborasi?wilayah=31.71.01.1002"));
    }
}
