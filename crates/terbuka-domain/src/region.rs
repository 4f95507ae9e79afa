//! Administrative regions (province → kota/kabupaten → kecamatan → kelurahan/desa) with their
//! Kemendagri codes, read from a CSV of the shape of `jakarta-regions.csv`.
//!
//! Codes are Kemendagri's dotted codes (`31.71.01.1001`). The BPS code is kept for display only:
//! BPS numbers the kota differently, so the two are never joined.

use crate::model::coded_enum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

coded_enum! {
    RegionLevel {
        Province = "province",
        KotaKab = "kota_kab",
        Kecamatan = "kecamatan",
        Kelurahan = "kelurahan",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Kemendagri code, dotted.
    pub code: String,
    pub level: RegionLevel,
    /// Official name ("Kota Administrasi Jakarta Pusat").
    pub name: String,
    /// Name without the administrative prefix ("Jakarta Pusat").
    pub short_name: String,
    pub parent: Option<String>,
    pub code_bps: String,
    pub postal_code: Option<String>,
}

/// The hierarchy, indexed by code. Built once at start-up.
#[derive(Debug, Clone, Default)]
pub struct Regions {
    by_code: BTreeMap<String, Region>,
    children: BTreeMap<String, Vec<String>>,
}

/// Splits one CSV line, honouring double quotes.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

impl Regions {
    /// Parses `code,code_compact,code_bps,level,type,name,short_name,name_bps,parent_code,postal_code`
    /// (columns found by header name, any order). Errors name the line.
    pub fn parse_csv(text: &str) -> Result<Regions, String> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or("empty regions file")?;
        let header: Vec<String> = split_csv_line(header.trim_start_matches('\u{feff}')).into_iter().map(|h| h.trim().to_lowercase()).collect();
        let col = |name: &str| header.iter().position(|h| h == name);
        let need = |name: &str| col(name).ok_or(format!("regions file has no `{name}` column"));
        let (c_code, c_level, c_name, c_parent) = (need("code")?, need("level")?, need("name")?, need("parent_code")?);
        let (c_short, c_bps, c_postal) = (col("short_name"), col("code_bps"), col("postal_code"));
        let mut regions = Regions::default();
        for (i, line) in lines {
            let f = split_csv_line(line);
            let get = |c: usize| f.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
            let opt = |c: Option<usize>| c.map(get).filter(|s| !s.is_empty());
            let code = get(c_code);
            if code.is_empty() || !code.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
                return Err(format!("line {}: invalid code `{code}`", i + 1));
            }
            let level = RegionLevel::parse(&get(c_level)).ok_or(format!("line {}: unknown level", i + 1))?;
            let name = get(c_name);
            if name.is_empty() {
                return Err(format!("line {}: empty name", i + 1));
            }
            let parent = Some(get(c_parent)).filter(|p| !p.is_empty());
            let region = Region {
                short_name: opt(c_short).unwrap_or_else(|| name.clone()),
                code_bps: opt(c_bps).unwrap_or_default(),
                postal_code: opt(c_postal),
                code: code.clone(),
                level,
                name,
                parent,
            };
            if regions.by_code.insert(code.clone(), region).is_some() {
                return Err(format!("line {}: duplicate code {code}", i + 1));
            }
        }
        for r in regions.by_code.values() {
            if let Some(p) = &r.parent {
                let parent = regions.by_code.get(p).ok_or(format!("{}: parent {p} is not in the file", r.code))?;
                if parent.level as u8 + 1 != r.level as u8 {
                    return Err(format!("{}: parent {p} is not one level up", r.code));
                }
                regions.children.entry(p.clone()).or_default().push(r.code.clone());
            } else if r.level != RegionLevel::Province {
                return Err(format!("{}: only a province may have no parent", r.code));
            }
        }
        Ok(regions)
    }

    pub fn get(&self, code: &str) -> Option<&Region> {
        self.by_code.get(code.trim())
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Every region of a level, ordered by code.
    pub fn at_level(&self, level: RegionLevel) -> impl Iterator<Item = &Region> {
        self.by_code.values().filter(move |r| r.level == level)
    }

    pub fn children(&self, code: &str) -> impl Iterator<Item = &Region> {
        self.children.get(code).into_iter().flatten().filter_map(|c| self.by_code.get(c))
    }

    /// The region and every ancestor, from the region itself up to the province.
    pub fn lineage(&self, code: &str) -> Vec<&Region> {
        let mut out = Vec::new();
        let mut cur = self.by_code.get(code);
        while let Some(r) = cur {
            out.push(r);
            cur = r.parent.as_deref().and_then(|p| self.by_code.get(p));
        }
        out
    }

    /// The ancestor of `code` at `level` (itself if it is at that level).
    pub fn ancestor_at(&self, code: &str, level: RegionLevel) -> Option<&Region> {
        self.lineage(code).into_iter().find(|r| r.level == level)
    }

    /// Whether `code` is `ancestor` or lies inside it.
    pub fn within(&self, code: &str, ancestor: &str) -> bool {
        self.lineage(code).iter().any(|r| r.code == ancestor)
    }

    /// Kelurahan whose name contains `query` (case and spaces ignored), best matches first:
    /// exact name, then prefix, then substring. For "check my area".
    pub fn find_kelurahan(&self, query: &str, limit: usize) -> Vec<&Region> {
        let norm = |s: &str| s.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect::<String>();
        let q = norm(query);
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, &Region)> = self
            .at_level(RegionLevel::Kelurahan)
            .filter_map(|r| {
                let n = norm(&r.name);
                if n == q || r.postal_code.as_deref() == Some(query.trim()) {
                    Some((0, r))
                } else if n.starts_with(&q) {
                    Some((1, r))
                } else if n.contains(&q) {
                    Some((2, r))
                } else {
                    None
                }
            })
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        hits.into_iter().take(limit).map(|(_, r)| r).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "code,code_compact,code_bps,level,type,name,short_name,name_bps,parent_code,postal_code
31,31,31,province,Provinsi,Daerah Khusus Ibukota Jakarta,DKI Jakarta,DKI JAKARTA,,
31.71,3171,3173,kota_kab,Kota Administrasi,Kota Administrasi Jakarta Pusat,Jakarta Pusat,KOTA JAKARTA PUSAT,31,
31.71.01,317101,3173030,kecamatan,Kecamatan,Gambir,Gambir,GAMBIR,31.71,
31.71.01.1001,3171011001,3173030001,kelurahan,Kelurahan,Gambir,Gambir,GAMBIR,31.71.01,10110
31.71.01.1002,3171011002,3173030002,kelurahan,Kelurahan,Cideng,Cideng,CIDENG,31.71.01,10150
";

    #[test]
    fn parses_the_hierarchy() {
        let r = Regions::parse_csv(SAMPLE).unwrap();
        assert_eq!(r.len(), 5);
        let lineage: Vec<&str> = r.lineage("31.71.01.1002").iter().map(|r| r.code.as_str()).collect();
        assert_eq!(lineage, ["31.71.01.1002", "31.71.01", "31.71", "31"]);
        assert_eq!(r.ancestor_at("31.71.01.1002", RegionLevel::KotaKab).unwrap().short_name, "Jakarta Pusat");
        assert!(r.within("31.71.01.1001", "31.71"));
        assert!(!r.within("31.71", "31.71.01"));
        assert_eq!(r.children("31.71.01").count(), 2);
        assert_eq!(r.get("31.71.01.1001").unwrap().postal_code.as_deref(), Some("10110"));
    }

    #[test]
    fn finds_kelurahan_by_name_or_postal_code() {
        let r = Regions::parse_csv(SAMPLE).unwrap();
        assert_eq!(r.find_kelurahan("cid", 5)[0].name, "Cideng");
        assert_eq!(r.find_kelurahan("GAMBIR", 5).len(), 1, "only kelurahan are returned");
        assert_eq!(r.find_kelurahan("10150", 5)[0].name, "Cideng");
        assert!(r.find_kelurahan("  ", 5).is_empty());
    }

    #[test]
    fn rejects_broken_files() {
        assert!(Regions::parse_csv("").is_err());
        assert!(Regions::parse_csv("code,level,name\n31,province,X\n").unwrap_err().contains("parent_code"));
        let orphan = "code,level,name,parent_code\n31.71,kota_kab,X,31\n";
        assert!(Regions::parse_csv(orphan).unwrap_err().contains("not in the file"));
        let dup = "code,level,name,parent_code\n31,province,X,\n31,province,Y,\n";
        assert!(Regions::parse_csv(dup).unwrap_err().contains("duplicate"));
        let skip = "code,level,name,parent_code\n31,province,X,\n31.71.01,kecamatan,Y,31\n";
        assert!(Regions::parse_csv(skip).unwrap_err().contains("one level up"));
        let bad = "code,level,name,parent_code\n3x,province,X,\n";
        assert!(Regions::parse_csv(bad).unwrap_err().contains("invalid code"));
    }

    #[test]
    fn quoted_fields() {
        assert_eq!(split_csv_line(r#"a,"b, c","d ""e""""#), vec!["a", "b, c", r#"d "e""#]);
    }
}
