//! A server-rendered SVG map of the kelurahan (no JavaScript, no tiles): the shipped GeoJSON is
//! projected once (equirectangular, scaled by the cosine of the latitude), rounded to whole
//! pixels with repeated points dropped, and kept in memory; each request only chooses every
//! shape's class and tooltip. The Kepulauan Seribu islands lie 60 km north of the mainland and
//! are drawn in an inset in the bottom-left corner (outside the province on the mainland map).
//!
//! Where no boundaries cover the regions (another province's regions file, or a level without
//! shapes), [`grid`] draws a grid map instead: one square per region, grouped by kota/kabupaten
//! and labelled, so the page still has a map that colours and links every region.

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

#[derive(Clone)]
pub struct Shape {
    pub code: String,
    pub name: String,
    /// SVG path data in map units.
    pub d: String,
}

#[derive(Clone)]
pub struct Map {
    pub width: f64,
    pub height: f64,
    pub shapes: Vec<Shape>,
    /// Whether the islands' inset frame is drawn (the kelurahan map).
    pub inset: bool,
    /// Group labels (x, y, text) of a grid map.
    pub labels: Vec<(f64, f64, String)>,
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
        Map { width: WIDTH, height: h.ceil(), shapes, inset: true, labels: Vec::new() }
    })
}

/// Side of a grid map's square, and the gaps between squares and between groups.
const CELL: f64 = 16.0;
const GAP: f64 = 2.0;
const GROUP_GAP: f64 = 14.0;
const LABEL: f64 = 14.0;

/// A grid map of the regions at `level`: a block of squares per kota/kabupaten (per province
/// when `level` is the kota level), blocks placed left to right and wrapped at the map's width.
pub fn grid(regions: &terbuka_domain::region::Regions, level: terbuka_domain::region::RegionLevel) -> Map {
    use terbuka_domain::region::RegionLevel;
    let group_level = if level == RegionLevel::KotaKab || level == RegionLevel::Province { RegionLevel::Province } else { RegionLevel::KotaKab };
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut members: Vec<_> = regions.at_level(level).collect();
    members.sort_by(|a, b| a.code.cmp(&b.code));
    for r in members {
        let group = regions.ancestor_at(&r.code, group_level).map(|g| g.short_name.clone()).unwrap_or_default();
        match groups.last_mut() {
            Some((g, list)) if *g == group => list.push((r.code.clone(), r.short_name.clone())),
            _ => groups.push((group, vec![(r.code.clone(), r.short_name.clone())])),
        }
    }
    let (mut x, mut y, mut row_h) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut shapes = Vec::new();
    let mut labels = Vec::new();
    for (name, list) in groups {
        let cols = ((list.len() as f64).sqrt().ceil() as usize).clamp(1, ((WIDTH + GAP) / (CELL + GAP)) as usize);
        let rows = list.len().div_ceil(cols);
        let w = cols as f64 * (CELL + GAP) - GAP;
        let h = LABEL + rows as f64 * (CELL + GAP) - GAP;
        if x > 0.0 && x + w > WIDTH {
            x = 0.0;
            y += row_h + GROUP_GAP;
            row_h = 0.0;
        }
        labels.push((x, y + LABEL - 4.0, name));
        for (i, (code, short)) in list.into_iter().enumerate() {
            let cx = x + (i % cols) as f64 * (CELL + GAP);
            let cy = y + LABEL + (i / cols) as f64 * (CELL + GAP);
            shapes.push(Shape { code, name: short, d: format!("M{cx},{cy}h{CELL}v{CELL}h-{CELL}Z") });
        }
        x += w + GROUP_GAP;
        row_h = row_h.max(h);
    }
    Map { width: WIDTH, height: (y + row_h).ceil().max(CELL), shapes, inset: false, labels }
}

/// The map for the regions at `level`: the shipped kelurahan boundaries when they cover (nearly)
/// every one of them, a [`grid`] otherwise.
pub fn for_regions(regions: &terbuka_domain::region::Regions, level: terbuka_domain::region::RegionLevel) -> std::borrow::Cow<'static, Map> {
    let wanted: Vec<&str> = regions.at_level(level).map(|r| r.code.as_str()).collect();
    if level == terbuka_domain::region::RegionLevel::Kelurahan && !wanted.is_empty() {
        let shapes = kelurahan();
        let have: std::collections::HashSet<&str> = shapes.shapes.iter().map(|s| s.code.as_str()).collect();
        let covered = wanted.iter().filter(|c| have.contains(**c)).count();
        if covered * 100 >= wanted.len() * 95 {
            return std::borrow::Cow::Borrowed(shapes);
        }
    }
    std::borrow::Cow::Owned(grid(regions, level))
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
        r#"<svg class="map" viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}">"#,
        map.width,
        map.height,
        xml(label),
    );
    if map.inset {
        let _ = write!(out, r#"<rect class="inset" x="4" y="{}" width="{}" height="{}"/>"#, map.height - INSET_HEIGHT, INSET, INSET_HEIGHT - 2.0);
    }
    for (x, y, text) in &map.labels {
        let _ = write!(out, r#"<text class="map-label" x="{x}" y="{y}">{}</text>"#, xml(text));
    }
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
    fn a_grid_map_when_no_boundaries_cover_the_regions() {
        use terbuka_domain::region::{RegionLevel, Regions};
        let jakarta = Regions::parse_csv(include_str!("../../terbuka-app/data/jakarta-regions.csv")).unwrap();
        // Jakarta's kelurahan have boundaries; its kecamatan have none: a grid of 44 squares.
        assert!(matches!(for_regions(&jakarta, RegionLevel::Kelurahan), std::borrow::Cow::Borrowed(_)));
        let g = for_regions(&jakarta, RegionLevel::Kecamatan);
        assert_eq!(g.shapes.len(), 44);
        assert_eq!(g.labels.len(), 6, "one block per kota/kabupaten");
        assert!(g.labels.iter().any(|l| l.2 == "Jakarta Selatan"));
        // Another province's file: every kelurahan gets a square, inside the map, none overlapping.
        let other = Regions::parse_csv(
            "code,code_compact,code_bps,level,type,name,short_name,name_bps,parent_code,postal_code\n\
             32,32,32,province,Provinsi,Jawa Barat,Jawa Barat,JAWA BARAT,,\n\
             32.73,3273,3273,kota_kab,Kota,Kota Bandung,Bandung,KOTA BANDUNG,32,\n\
             32.73.01,327301,3273010,kecamatan,Kecamatan,Sukasari,Sukasari,SUKASARI,32.73,\n\
             32.73.01.1001,3273011001,3273010001,kelurahan,Kelurahan,Sarijadi,Sarijadi,SARIJADI,32.73.01,40151\n\
             32.73.01.1002,3273011002,3273010002,kelurahan,Kelurahan,Sukarasa,Sukarasa,SUKARASA,32.73.01,40152\n",
        )
        .unwrap();
        let g = for_regions(&other, RegionLevel::Kelurahan);
        assert_eq!(g.shapes.len(), 2);
        assert!(!g.inset);
        let mut fills = HashMap::new();
        fills.insert("32.73.01.1002".to_string(), Fill { class: "m2", title: "7".into() });
        let out = svg(&g, &fills, "Peta", "/krisis/x/wilayah/");
        assert!(out.contains(r#"class="m2""#) && out.contains("Sukarasa: 7") && out.contains(">Bandung</text>"));
        assert!(!out.contains("class=\"inset\""));
        assert_ne!(g.shapes[0].d, g.shapes[1].d);
        let jak = svg(kelurahan(), &HashMap::new(), "Peta", "/x/");
        assert!(jak.contains("class=\"inset\""), "the kelurahan map keeps its islands' inset");
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
