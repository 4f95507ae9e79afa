//! Full-text search for Terbuka: public information (DIP) items and the public request register.
//!
//! A tantivy index whose text fields go through the Indonesian analyzer of `terbuka-text`
//! (`id_stem`: tokenize, drop stopwords, Sastrawi stem; `id_plain`: lower-case words).
//!
//! # Ranking and matching
//! * BM25 over `title` (boost 3), `body` (1) and `attachments_text` (0.5), all stemmed with
//!   positions, plus `plain` (title + body, unstemmed, boost 1) so that the exact word typed
//!   ranks above other forms of the same stem.
//! * Every free word must match (AND) in at least one of the fields; `"phrases"` match
//!   consecutive stemmed positions (stopword gaps kept); `-word` excludes. See [`query`].
//! * Fallbacks, in order, each only when the previous stage found nothing:
//!   1. exact AND;
//!   2. typo tolerant AND (`fuzzy = true`): each word of ≥ 4 chars may also be any indexed word
//!      within edit distance 1 (2 from 8 chars) — the 8 most frequent of them, BM25 scored with a
//!      lower boost;
//!   3. relaxed (`fuzzy = true`, `relaxed = true`), only for ≥ 2 free words: at least half of the
//!      (fuzzy) words must match. Phrases, exclusions and filters still apply.
//! * Empty input (or only `-exclusions`) lists the documents matching the filters, newest
//!   first; input made only of stopwords returns nothing.
//! * Facet counts are for the final, filtered result set (every filter applied, including the
//!   dimension's own).
//! * Pages past [`MAX_OFFSET`] return no hits (total is still exact).
//!
//! The index is a pure function of what [`SearchIndex::apply`] / [`SearchIndex::rebuild`]
//! received: nothing else ever enters it.

mod analyzer;
mod facets;
mod query;
mod safe;

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument, Term};

pub use analyzer::{IdTokenizer, PLAIN_ANALYZER, STEM_ANALYZER};
use facets::{FacetCollector, FACET_FIELDS};
use query::{Parsed, Phrase, Word};

/// Bump when the schema or the way documents are indexed changes; an on-disk index with
/// another version (or built with another analyzer, see `analyzer::fingerprint`) is wiped.
pub const SCHEMA_VERSION: u32 = 1;
/// Deepest result offset served.
pub const MAX_OFFSET: usize = 10_000;
/// Attachments are indexed in full but only this many bytes are stored for snippets.
pub const ATTACHMENT_PREVIEW_BYTES: usize = 32 * 1024;

const VERSION_FILE: &str = "terbuka-search.version";
const SNIPPET_CHARS: usize = 200;
const TITLE_BOOST: f32 = 3.0;
const BODY_BOOST: f32 = 1.0;
const ATTACHMENT_BOOST: f32 = 0.5;
const PLAIN_BOOST: f32 = 1.0;
const FUZZY_BOOST: f32 = 0.7;
const FUZZY_EXPANSIONS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index i/o: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Info,
    Request,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Info => "info",
            DocKind::Request => "request",
        }
    }
    pub fn parse(s: &str) -> Option<DocKind> {
        match s {
            "info" => Some(DocKind::Info),
            "request" => Some(DocKind::Request),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub key: String,
    pub kind: DocKind,
    pub title: String,
    pub body: String,
    pub attachments_text: String,
    pub unit_code: String,
    pub category: String,
    pub year: i32,
    pub format: String,
    pub url: String,
    pub updated_unix: i64,
}

/// Empty strings in the filters mean "no filter".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub text: String,
    pub kind: Option<DocKind>,
    pub category: Option<String>,
    pub unit: Option<String>,
    pub year: Option<i32>,
    pub format: Option<String>,
    /// 1-based; 0 is treated as 1
    pub page: u32,
    /// clamped to 1..=100
    pub per_page: u32,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery { text: String::new(), kind: None, category: None, unit: None, year: None, format: None, page: 1, per_page: 10 }
    }
}

impl SearchQuery {
    pub fn text(text: impl Into<String>) -> Self {
        SearchQuery { text: text.into(), ..SearchQuery::default() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub key: String,
    pub kind: DocKind,
    /// HTML-escaped title, matches in `<mark>`
    pub title_html: String,
    /// HTML-escaped ~200 char excerpt of the body (or of the attachments when only they
    /// match), matches in `<mark>`
    pub snippet_html: String,
    pub url: String,
    pub score: f32,
    pub unit_code: String,
    pub category: String,
    pub year: i32,
    pub format: String,
}

/// Counts for the final result set; each list sorted by count (desc) then value, except
/// `year`, sorted newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub kind: Vec<(String, u64)>,
    pub category: Vec<(String, u64)>,
    pub unit: Vec<(String, u64)>,
    pub year: Vec<(String, u64)>,
    pub format: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    pub suggestion: Option<String>,
    /// results came from typo-tolerant matching
    pub fuzzy: bool,
    /// results came from the relaxed stage: not every word matched (implies `fuzzy`)
    pub relaxed: bool,
}

/// Top hits and total only (no facets, no snippets, no stored-document reads).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeanResults {
    pub total: u64,
    /// (key, score)
    pub hits: Vec<(String, f32)>,
    pub fuzzy: bool,
}

/// Writer tuning.
#[derive(Debug, Clone, Copy)]
pub struct IndexOptions {
    /// total indexing memory budget (split between threads; tantivy needs ≥ 15 MB per thread)
    pub writer_memory_bytes: usize,
    pub writer_threads: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
        IndexOptions { writer_memory_bytes: 128 * 1024 * 1024, writer_threads: threads }
    }
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    title: Field,
    body: Field,
    attachments: Field,
    attachments_preview: Field,
    plain: Field,
    category: Field,
    unit: Field,
    year: Field,
    format: Field,
    url: Field,
    updated: Field,
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let stemmed = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(STEM_ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions));
    let plain =
        TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(PLAIN_ANALYZER).set_index_option(IndexRecordOption::WithFreqs));
    let facet = STRING | STORED | FAST;
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED | FAST),
        kind: b.add_text_field("kind", facet.clone()),
        title: b.add_text_field("title", stemmed.clone().set_stored()),
        body: b.add_text_field("body", stemmed.clone().set_stored()),
        attachments: b.add_text_field("attachments", stemmed),
        attachments_preview: b.add_text_field("attachments_preview", STORED),
        plain: b.add_text_field("plain", plain),
        category: b.add_text_field("category", facet.clone()),
        unit: b.add_text_field("unit", facet.clone()),
        year: b.add_text_field("year", facet.clone()),
        format: b.add_text_field("format", facet),
        url: b.add_text_field("url", STORED),
        updated: b.add_i64_field("updated", STORED | FAST),
    };
    (b.build(), fields)
}

fn version_string() -> String {
    format!("terbuka-search schema={SCHEMA_VERSION} analyzer={:016x}\n", analyzer::fingerprint())
}

fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn escape_html(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
}

fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_html(s, &mut out);
    out
}

/// First ~`max` chars of `s`, cut at a word boundary, escaped, with an ellipsis when cut.
fn excerpt(s: &str, max: usize) -> String {
    let s = s.trim();
    let cut = truncate_bytes(s, max);
    if cut.len() == s.len() {
        return escaped(s);
    }
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut,
    };
    let mut out = escaped(cut.trim_end());
    out.push('…');
    out
}

fn snippet_html(snippet: &mut Snippet, text: &str, whole: bool) -> String {
    snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
    let range = snippet.fragment_range();
    let mut out = String::new();
    if whole {
        escape_html(&text[..range.start], &mut out);
        out.push_str(&snippet.to_html());
        escape_html(&text[range.end..], &mut out);
    } else {
        if range.start > 0 {
            out.push('…');
        }
        out.push_str(snippet.to_html().trim());
        if range.end < text.trim_end().len() {
            out.push('…');
        }
    }
    out
}

fn sort_facet(m: HashMap<String, u64>, by_key_desc: bool) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    if by_key_desc {
        v.sort_by(|a, b| b.0.cmp(&a.0));
    } else {
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    v
}

struct Inner {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
    cursor: AtomicI64,
    was_reset: bool,
}

/// The search index. Cheap to clone; all clones share one writer and one reader.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stage {
    Exact,
    Fuzzy,
    Relaxed,
}

struct Plan {
    query: Box<dyn Query>,
    browse: bool,
    stage: Stage,
}

impl SearchIndex {
    /// Opens the index in `dir` (created if missing). The directory belongs to the index: if it
    /// holds an index of another schema version or analyzer, its content is deleted and a new
    /// empty index is created ([`SearchIndex::was_reset`] is then true and the caller must
    /// reindex). A non-empty directory that holds no index is refused (error), never wiped.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        Self::open_with_options(dir, IndexOptions::default())
    }

    pub fn open_with_options(dir: &Path, opts: IndexOptions) -> Result<SearchIndex, SearchError> {
        fs::create_dir_all(dir)?;
        let version = version_string();
        let version_path = dir.join(VERSION_FILE);
        let (schema, f) = build_schema();
        let has_index = dir.join("meta.json").exists();
        let same_version = fs::read_to_string(&version_path).map(|v| v == version).unwrap_or(false);
        let mut was_reset = false;
        let mut index = None;
        if has_index && same_version {
            let idx = Index::open_in_dir(dir)?;
            if idx.schema() == schema {
                index = Some(idx);
            }
        }
        let index = match index {
            Some(i) => i,
            None => {
                let owned = has_index || version_path.exists();
                if !owned && fs::read_dir(dir)?.next().is_some() {
                    return Err(SearchError::Io(std::io::Error::other(format!(
                        "{} is not empty and holds no search index; refusing to wipe it",
                        dir.display()
                    ))));
                }
                was_reset = has_index;
                for entry in fs::read_dir(dir)? {
                    let path = entry?.path();
                    if path.is_dir() {
                        fs::remove_dir_all(&path)?;
                    } else {
                        fs::remove_file(&path)?;
                    }
                }
                let idx = Index::create(MmapDirectory::open(dir)?, schema, tantivy::IndexSettings::default())?;
                fs::write(&version_path, &version)?;
                idx
            }
        };
        Self::finish(index, f, was_reset, opts)
    }

    /// A RAM-only index (tests, previews).
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, f) = build_schema();
        let index = Index::create_in_ram(schema);
        Self::finish(index, f, false, IndexOptions { writer_memory_bytes: 32 * 1024 * 1024, writer_threads: 1 })
    }

    fn finish(index: Index, f: Fields, was_reset: bool, opts: IndexOptions) -> Result<SearchIndex, SearchError> {
        index.tokenizers().register(STEM_ANALYZER, analyzer::stem_analyzer());
        index.tokenizers().register(PLAIN_ANALYZER, analyzer::plain_analyzer());
        let threads = opts.writer_threads.max(1);
        let budget = opts.writer_memory_bytes.max(threads * 16 * 1024 * 1024);
        let writer: IndexWriter = index.writer_with_num_threads(threads, budget)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).doc_store_cache_num_blocks(64).try_into()?;
        let cursor = index.load_metas()?.payload.as_deref().and_then(|p| p.trim().parse::<i64>().ok()).unwrap_or(0);
        Ok(SearchIndex { inner: Arc::new(Inner { index, reader, writer: Mutex::new(writer), f, cursor: AtomicI64::new(cursor), was_reset }) })
    }

    /// True when [`SearchIndex::open`] found an incompatible index and replaced it by an empty one.
    pub fn was_reset(&self) -> bool {
        self.inner.was_reset
    }

    /// Payload of the last commit (0 for a new index).
    pub fn cursor(&self) -> i64 {
        self.inner.cursor.load(Ordering::SeqCst)
    }

    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    fn writer(&self) -> MutexGuard<'_, IndexWriter> {
        self.inner.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn to_document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = &self.inner.f;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, &d.key);
        doc.add_text(f.kind, d.kind.as_str());
        doc.add_text(f.title, &d.title);
        doc.add_text(f.body, &d.body);
        if !d.attachments_text.is_empty() {
            doc.add_text(f.attachments, &d.attachments_text);
            doc.add_text(f.attachments_preview, truncate_bytes(&d.attachments_text, ATTACHMENT_PREVIEW_BYTES));
        }
        doc.add_text(f.plain, &d.title);
        doc.add_text(f.plain, &d.body);
        for (field, value) in [(f.category, &d.category), (f.unit, &d.unit_code), (f.format, &d.format)] {
            if !value.is_empty() {
                doc.add_text(field, value);
            }
        }
        doc.add_text(f.year, d.year.to_string());
        doc.add_text(f.url, &d.url);
        doc.add_i64(f.updated, d.updated_unix);
        doc
    }

    fn commit(&self, writer: &mut IndexWriter, cursor: i64) -> Result<(), SearchError> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&cursor.to_string());
        prepared.commit()?;
        self.inner.cursor.store(cursor, Ordering::SeqCst);
        self.inner.reader.reload()?;
        Ok(())
    }

    /// Deletes `deletes` and every key of `upserts`, adds `upserts` (the last one wins when a key
    /// repeats), and commits once with `cursor` as payload. The next search sees the change.
    pub fn apply(&self, upserts: Vec<SearchDoc>, deletes: Vec<String>, cursor: i64) -> Result<(), SearchError> {
        let mut writer = self.writer();
        let res = (|| {
            for key in &deletes {
                writer.delete_term(Term::from_field_text(self.inner.f.key, key));
            }
            for d in &upserts {
                writer.delete_term(Term::from_field_text(self.inner.f.key, &d.key));
                writer.add_document(self.to_document(d))?;
            }
            self.commit(&mut writer, cursor)
        })();
        if res.is_err() {
            let _ = writer.rollback();
        }
        res
    }

    /// Replaces the whole content by `docs` in one commit (searches keep seeing the old content
    /// until it is done). `progress` gets the number of documents added so far, every 10,000
    /// and at the end. Returns the number of documents added.
    pub fn rebuild(&self, docs: impl Iterator<Item = SearchDoc>, cursor: i64, progress: &mut dyn FnMut(u64)) -> Result<u64, SearchError> {
        let mut writer = self.writer();
        let res = (|| {
            writer.delete_all_documents()?;
            let mut n = 0u64;
            let mut since = 0u32;
            for d in docs {
                writer.add_document(self.to_document(&d))?;
                n += 1;
                since += 1;
                if since == 10_000 {
                    since = 0;
                    progress(n);
                }
            }
            self.commit(&mut writer, cursor)?;
            progress(n);
            Ok(n)
        })();
        if res.is_err() {
            let _ = writer.rollback();
        }
        res
    }

    /// Merges all segments into one and waits for it (optional; useful after a rebuild of a
    /// large index, since fewer segments make searches faster).
    pub fn optimize(&self) -> Result<(), SearchError> {
        let mut writer = self.writer();
        let ids = self.inner.index.searchable_segment_ids()?;
        if ids.len() > 1 {
            writer.merge(&ids).wait()?;
        }
        let _ = writer.garbage_collect_files().wait();
        self.inner.reader.reload()?;
        Ok(())
    }

    /// Number of segments currently searched (diagnostics).
    pub fn num_segments(&self) -> usize {
        self.inner.reader.searcher().segment_readers().len()
    }

    // ---------------------------------------------------------------- query building

    fn term_q(&self, field: Field, text: &str, boost: f32) -> Box<dyn Query> {
        let q: Box<dyn Query> = Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs));
        if boost == 1.0 {
            q
        } else {
            Box::new(BoostQuery::new(q, boost))
        }
    }

    /// One word in any field: title / body / attachments (stem) + plain (exact word).
    fn word_clause(&self, stem: &str, plain: &str) -> BooleanQuery {
        let f = &self.inner.f;
        BooleanQuery::new(vec![
            (Occur::Should, self.term_q(f.title, stem, TITLE_BOOST)),
            (Occur::Should, self.term_q(f.body, stem, BODY_BOOST)),
            (Occur::Should, self.term_q(f.attachments, stem, ATTACHMENT_BOOST)),
            (Occur::Should, self.term_q(f.plain, plain, PLAIN_BOOST)),
        ])
    }

    fn phrase_clause(&self, phrase: &Phrase) -> Box<dyn Query> {
        let f = &self.inner.f;
        let mk = |field: Field, boost: f32| -> (Occur, Box<dyn Query>) {
            let terms = phrase.iter().map(|(p, s)| (*p, Term::from_field_text(field, s))).collect();
            let q: Box<dyn Query> = Box::new(PhraseQuery::new_with_offset(terms));
            (Occur::Should, if boost == 1.0 { q } else { Box::new(BoostQuery::new(q, boost)) })
        };
        Box::new(BooleanQuery::new(vec![mk(f.title, TITLE_BOOST), mk(f.body, BODY_BOOST), mk(f.attachments, ATTACHMENT_BOOST)]))
    }

    fn exclude_clause(&self, stem: &str) -> Box<dyn Query> {
        let f = &self.inner.f;
        let t = |field| -> (Occur, Box<dyn Query>) { (Occur::Should, Box::new(TermQuery::new(Term::from_field_text(field, stem), IndexRecordOption::Basic))) };
        Box::new(BooleanQuery::new(vec![t(f.title), t(f.body), t(f.attachments)]))
    }

    fn filter_clauses(&self, q: &SearchQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.inner.f;
        let year = q.year.map(|y| y.to_string());
        let wanted: [(Field, Option<&str>); 5] = [
            (f.kind, q.kind.map(DocKind::as_str)),
            (f.category, q.category.as_deref()),
            (f.unit, q.unit.as_deref()),
            (f.year, year.as_deref()),
            (f.format, q.format.as_deref()),
        ];
        wanted
            .into_iter()
            .filter_map(|(field, v)| v.filter(|v| !v.is_empty()).map(|v| (field, v)))
            .map(|(field, v)| {
                let tq: Box<dyn Query> = Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic));
                (Occur::Must, Box::new(ConstScoreQuery::new(tq, 0.0)) as Box<dyn Query>)
            })
            .collect()
    }

    /// Indexed plain words within the typo budget of `word`, with their document frequency,
    /// most frequent first (the word itself excluded).
    fn expansions(&self, searcher: &Searcher, word: &str) -> Vec<(String, u64)> {
        let d = query::typo_distance(word);
        if d == 0 {
            return Vec::new();
        }
        let fq = FuzzyTermQuery::new(Term::from_field_text(self.inner.f.plain, word), d, true);
        let mut freq: HashMap<String, u64> = HashMap::new();
        for seg in searcher.segment_readers() {
            let Ok(automaton) = fq.automaton() else { return Vec::new() };
            let Ok(inv) = seg.inverted_index(self.inner.f.plain) else { continue };
            let Ok(mut stream) = inv.terms().search(automaton).into_stream() else { continue };
            while stream.advance() {
                if let Ok(k) = std::str::from_utf8(stream.key()) {
                    if k != word {
                        *freq.entry(k.to_string()).or_insert(0) += u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        let mut v: Vec<(String, u64)> = freq.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    fn fuzzy_word_clause(&self, searcher: &Searcher, w: &Word) -> (Box<dyn Query>, bool) {
        let exp = self.expansions(searcher, &w.plain);
        if exp.is_empty() {
            return (Box::new(self.word_clause(&w.stem, &w.plain)), false);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, Box::new(self.word_clause(&w.stem, &w.plain)))];
        for (cand, _) in exp.into_iter().take(FUZZY_EXPANSIONS) {
            let stem = analyzer::cached_stem(&cand);
            clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(self.word_clause(&stem, &cand)), FUZZY_BOOST))));
        }
        (Box::new(BooleanQuery::new(clauses)), true)
    }

    /// Builds the query of a stage; None when the stage would not differ from the previous one.
    fn plan(&self, searcher: &Searcher, p: &Parsed, q: &SearchQuery, stage: Stage) -> Option<Plan> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let browse = !p.has_positive();
        if browse {
            if stage != Stage::Exact {
                return None;
            }
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        match stage {
            Stage::Exact => {
                for w in &p.words {
                    clauses.push((Occur::Must, Box::new(self.word_clause(&w.stem, &w.plain))));
                }
            }
            Stage::Fuzzy | Stage::Relaxed => {
                if stage == Stage::Relaxed && p.words.len() < 2 {
                    return None;
                }
                let mut any = false;
                let mut words = Vec::new();
                for w in &p.words {
                    let (c, expanded) = self.fuzzy_word_clause(searcher, w);
                    any |= expanded;
                    words.push(c);
                }
                if stage == Stage::Fuzzy && !any {
                    return None;
                }
                if stage == Stage::Fuzzy {
                    clauses.extend(words.into_iter().map(|c| (Occur::Must, c)));
                } else {
                    let min = words.len().div_ceil(2).max(1);
                    let union = BooleanQuery::with_minimum_required_clauses(words.into_iter().map(|c| (Occur::Should, c)).collect(), min);
                    clauses.push((Occur::Must, Box::new(union)));
                }
            }
        }
        for ph in &p.phrases {
            clauses.push((Occur::Must, self.phrase_clause(ph)));
        }
        for e in &p.excluded {
            clauses.push((Occur::MustNot, self.exclude_clause(e)));
        }
        for ph in &p.excluded_phrases {
            clauses.push((Occur::MustNot, Box::new(safe::SafeSeekQuery(self.phrase_clause(ph)))));
        }
        clauses.extend(self.filter_clauses(q));
        let query: Box<dyn Query> = if clauses.len() == 1 && clauses[0].0 == Occur::Must {
            clauses.pop().map(|(_, c)| c).expect("one clause")
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        Some(Plan { query, browse, stage })
    }

    fn paging(q: &SearchQuery) -> (usize, usize) {
        let per_page = q.per_page.clamp(1, 100) as usize;
        let page = q.page.max(1) as usize;
        let offset = (page - 1).saturating_mul(per_page);
        (per_page, offset)
    }

    fn top(&self, searcher: &Searcher, plan: &Plan, per_page: usize, offset: usize) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        if offset > MAX_OFFSET {
            return Ok(Vec::new());
        }
        if plan.browse {
            let top = TopDocs::with_limit(per_page).and_offset(offset).order_by_fast_field::<i64>("updated", Order::Desc);
            let docs = searcher.search(plan.query.as_ref(), &top)?;
            Ok(docs.into_iter().map(|(_, a)| (0.0, a)).collect())
        } else {
            Ok(searcher.search(plan.query.as_ref(), &TopDocs::with_limit(per_page).and_offset(offset).order_by_score())?)
        }
    }

    // ---------------------------------------------------------------- search

    /// Full search: ranked page of hits with highlighted title and snippet, total, facet counts,
    /// typo fallback and "did you mean". Never fails because of the query text.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let searcher = self.inner.reader.searcher();
        let parsed = query::parse(&q.text);
        if parsed.only_stopwords {
            return Ok(SearchResults::default());
        }
        let (per_page, offset) = Self::paging(q);
        let mut chosen = None;
        for stage in [Stage::Exact, Stage::Fuzzy, Stage::Relaxed] {
            let Some(plan) = self.plan(&searcher, &parsed, q, stage) else { continue };
            let fruit = searcher.search(plan.query.as_ref(), &FacetCollector)?;
            let found = fruit.total > 0;
            chosen = Some((plan, fruit));
            if found {
                break;
            }
        }
        let Some((plan, fruit)) = chosen else { return Ok(SearchResults::default()) };
        let mut dims = fruit.dims.into_iter();
        let mut next = |key_desc| sort_facet(dims.next().unwrap_or_default(), key_desc);
        let facets = Facets { kind: next(false), category: next(false), unit: next(false), year: next(true), format: next(false) };
        debug_assert_eq!(FACET_FIELDS.len(), 5);
        let total = fruit.total;
        let fuzzy = total > 0 && plan.stage != Stage::Exact;
        let relaxed = total > 0 && plan.stage == Stage::Relaxed;
        let hits = if total > 0 { self.hits(&searcher, &plan, per_page, offset)? } else { Vec::new() };
        let suggestion = if total == 0 || fuzzy { self.suggest(&searcher, &parsed) } else { None };
        Ok(SearchResults { total, hits, facets, suggestion, fuzzy, relaxed })
    }

    fn hits(&self, searcher: &Searcher, plan: &Plan, per_page: usize, offset: usize) -> Result<Vec<Hit>, SearchError> {
        let top = self.top(searcher, plan, per_page, offset)?;
        if top.is_empty() {
            return Ok(Vec::new());
        }
        let f = &self.inner.f;
        let gens = if plan.browse {
            None
        } else {
            let mut title = SnippetGenerator::create(searcher, plan.query.as_ref(), f.title)?;
            title.set_max_num_chars(2000);
            let mut body = SnippetGenerator::create(searcher, plan.query.as_ref(), f.body)?;
            body.set_max_num_chars(SNIPPET_CHARS);
            let mut att = SnippetGenerator::create(searcher, plan.query.as_ref(), f.attachments)?;
            att.set_max_num_chars(SNIPPET_CHARS);
            Some((title, body, att))
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let s = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let title = s(f.title);
            let body = s(f.body);
            let (title_html, snippet_html) = match &gens {
                None => (escaped(&title), excerpt(&body, SNIPPET_CHARS)),
                Some((tg, bg, ag)) => {
                    let title_trunc = truncate_bytes(&title, 2000);
                    let mut ts = tg.snippet(title_trunc);
                    let title_html = if ts.is_empty() { escaped(&title) } else { snippet_html(&mut ts, title_trunc, true) };
                    let mut bs = bg.snippet(&body);
                    let snippet = if !bs.is_empty() {
                        snippet_html(&mut bs, &body, false)
                    } else {
                        let att = s(f.attachments_preview);
                        let mut as_ = ag.snippet(&att);
                        if !as_.is_empty() {
                            snippet_html(&mut as_, &att, false)
                        } else {
                            excerpt(&body, SNIPPET_CHARS)
                        }
                    };
                    (title_html, snippet)
                }
            };
            hits.push(Hit {
                key: s(f.key),
                kind: DocKind::parse(&s(f.kind)).unwrap_or(DocKind::Info),
                title_html,
                snippet_html,
                url: s(f.url),
                score,
                unit_code: s(f.unit),
                category: s(f.category),
                year: s(f.year).parse().unwrap_or(0),
                format: s(f.format),
            });
        }
        Ok(hits)
    }

    /// The query text with each unknown word replaced by the closest (then most frequent)
    /// indexed word; None when no word is unknown or no replacement exists.
    fn suggest(&self, searcher: &Searcher, p: &Parsed) -> Option<String> {
        let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        for w in p.words.iter().chain(p.phrase_words.iter()) {
            let df = searcher.doc_freq(&Term::from_field_text(self.inner.f.plain, &w.plain)).unwrap_or(0);
            if df > 0 {
                continue;
            }
            let best = self
                .expansions(searcher, &w.plain)
                .into_iter()
                .map(|(cand, df)| (query::edit_distance(&w.plain, &cand), df, cand))
                .min_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)).then_with(|| a.2.cmp(&b.2)));
            if let Some((_, _, cand)) = best {
                replacements.push((w.span.clone(), cand));
            }
        }
        if replacements.is_empty() {
            return None;
        }
        replacements.sort_by_key(|r| std::cmp::Reverse(r.0.start));
        let mut text = p.text.clone();
        for (span, cand) in replacements {
            if span.end <= text.len() && text.is_char_boundary(span.start) && text.is_char_boundary(span.end) {
                text.replace_range(span, &cand);
            }
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text == p.text.split_whitespace().collect::<Vec<_>>().join(" ") {
            None
        } else {
            Some(text)
        }
    }

    /// Lean search: top page (key + score) and total, with the same matching and fallbacks as
    /// [`SearchIndex::search`] but no facets, snippets or stored-document reads.
    pub fn search_lean(&self, q: &SearchQuery) -> Result<LeanResults, SearchError> {
        let searcher = self.inner.reader.searcher();
        let parsed = query::parse(&q.text);
        if parsed.only_stopwords {
            return Ok(LeanResults::default());
        }
        let (per_page, offset) = Self::paging(q);
        for stage in [Stage::Exact, Stage::Fuzzy, Stage::Relaxed] {
            let Some(plan) = self.plan(&searcher, &parsed, q, stage) else { continue };
            let top = self.top(&searcher, &plan, per_page, offset)?;
            let total = if top.is_empty() && offset == 0 { 0 } else { searcher.search(plan.query.as_ref(), &Count)? as u64 };
            if total == 0 {
                continue;
            }
            let mut hits = Vec::with_capacity(top.len());
            let mut key = String::new();
            for (score, addr) in top {
                let seg = searcher.segment_reader(addr.segment_ord);
                key.clear();
                if let Some(col) = seg.fast_fields().str("key")? {
                    if let Some(ord) = col.ords().first(addr.doc_id) {
                        col.ord_to_str(ord, &mut key)?;
                    }
                }
                hits.push((key.clone(), score));
            }
            return Ok(LeanResults { total, hits, fuzzy: plan.stage != Stage::Exact });
        }
        Ok(LeanResults::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyzer_matches_terbuka_text_analyze() {
        let texts = [
            "Penanganan kasus-kasus pengaduan masyarakat di Dinas Pendidikan yang dipertanggungjawabkan.",
            "Laporan Realisasi Anggaran (LRA) Tahun 2025: belanja modal & belanja pegawai!",
            "Keputusan Gubernur Nomor 12 Tahun 2024 tentang Penetapan Lokasi Pembangunan — ✓ emoji 🙂 ok",
        ];
        for t in texts {
            let mut ours = Vec::new();
            analyzer::analyze_tokens(t, true, &mut ours);
            let theirs = terbuka_text::analyze(t);
            let a: Vec<(String, usize, usize, usize)> = ours.into_iter().map(|x| (x.text, x.offset_from, x.offset_to, x.position)).collect();
            let b: Vec<(String, usize, usize, usize)> = theirs.into_iter().map(|x| (x.text, x.from, x.to, x.position)).collect();
            assert_eq!(a, b, "analyzer differs from terbuka_text::analyze on {t:?}");
        }
    }

    #[test]
    fn excerpt_escapes_and_cuts() {
        let e = excerpt("<script>alert(1)</script> kata kata kata", 200);
        assert!(e.starts_with("&lt;script&gt;"));
        let long = "kata ".repeat(100);
        let e = excerpt(&long, 50);
        assert!(e.ends_with('…') && e.len() < 60);
    }
}
