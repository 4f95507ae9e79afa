//! Facet counting straight from the STRING fast fields' term ordinals: one pass over the
//! matching documents (no scoring), a `Vec<u64>` of counts per segment and dimension, and the
//! ordinals turned into strings only once per non-zero bucket.
//!
//! Facets are bounded: each segment feeds at most `cap` matching documents (in doc-id order) to
//! the facet counts; `total` still counts every document the collector sees, and `sampled`
//! tells that the counts are over the first `cap` matches only.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The facet dimensions, in the order of [`FacetFruit::dims`].
pub const FACET_FIELDS: [&str; 5] = ["kind", "category", "unit", "year", "format"];

#[derive(Debug, Default)]
pub struct FacetFruit {
    pub total: u64,
    pub dims: Vec<HashMap<String, u64>>,
    /// the facet counts cover only the first `cap` matches of a segment
    pub sampled: bool,
}

pub struct FacetCollector {
    pub cap: u64,
}

pub struct FacetSegmentCollector {
    cols: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
    total: u64,
    counted: u64,
    cap: u64,
    buf: Vec<Option<u64>>,
}

impl Collector for FacetCollector {
    type Fruit = FacetFruit;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, _segment_local_id: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<FacetSegmentCollector> {
        let ff = segment.fast_fields();
        let mut cols = Vec::with_capacity(FACET_FIELDS.len());
        let mut counts = Vec::with_capacity(FACET_FIELDS.len());
        for name in FACET_FIELDS {
            let col = ff.str(name)?;
            counts.push(vec![0u64; col.as_ref().map(|c| c.num_terms()).unwrap_or(0)]);
            cols.push(col);
        }
        Ok(FacetSegmentCollector { cols, counts, total: 0, counted: 0, cap: self.cap, buf: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segment_fruits: Vec<FacetFruit>) -> tantivy::Result<FacetFruit> {
        let mut out = FacetFruit { total: 0, dims: vec![HashMap::new(); FACET_FIELDS.len()], sampled: false };
        for f in segment_fruits {
            out.total += f.total;
            out.sampled |= f.sampled;
            for (dst, src) in out.dims.iter_mut().zip(f.dims) {
                for (k, v) in src {
                    *dst.entry(k).or_insert(0) += v;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = FacetFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        if self.counted >= self.cap {
            return;
        }
        self.counted += 1;
        for (col, counts) in self.cols.iter().zip(self.counts.iter_mut()) {
            if let Some(col) = col {
                if let Some(ord) = col.ords().first(doc) {
                    if let Some(c) = counts.get_mut(ord as usize) {
                        *c += 1;
                    }
                }
            }
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len() as u64;
        let room = self.cap.saturating_sub(self.counted).min(docs.len() as u64) as usize;
        if room == 0 {
            return;
        }
        self.counted += room as u64;
        let docs = &docs[..room];
        self.buf.resize(docs.len(), None);
        for (col, counts) in self.cols.iter().zip(self.counts.iter_mut()) {
            if let Some(col) = col {
                col.ords().first_vals(docs, &mut self.buf[..docs.len()]);
                for ord in self.buf[..docs.len()].iter().flatten() {
                    if let Some(c) = counts.get_mut(*ord as usize) {
                        *c += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> FacetFruit {
        let mut dims = Vec::with_capacity(FACET_FIELDS.len());
        let mut s = String::new();
        for (col, counts) in self.cols.iter().zip(self.counts.iter()) {
            let mut m = HashMap::new();
            if let Some(col) = col {
                for (ord, &n) in counts.iter().enumerate() {
                    if n > 0 {
                        s.clear();
                        if col.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                            m.insert(s.clone(), n);
                        }
                    }
                }
            }
            dims.push(m);
        }
        FacetFruit { total: self.total, dims, sampled: self.total > self.counted }
    }
}
