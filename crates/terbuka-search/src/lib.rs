//! Full-text search for Terbuka: public information (DIP) items and the public request register.
//!
//! A tantivy index whose text fields go through the Indonesian analyzer of `terbuka-text`
//! (`id_stem`: tokenize, drop stopwords, Sastrawi stem; `id_plain`: lower-case words).
//!
//! # Ranking and matching
//! * Matching uses one combined stemmed field `all` (title + body + attachments, positions):
//!   each free word is ONE term on `all`, so a conjunction is a plain posting-list intersection.
//! * Phrases match on `pairs`, where each stemmed token is indexed joined with the next one and
//!   the position gap between them ([`pair_term`]): a two-word phrase is ONE term, so it costs
//!   what a rare word costs instead of an intersection of two common words with a position
//!   check per document. A phrase of three or more words is the conjunction of its pairs plus a
//!   position check on `all` (unscored), made only on the documents that hold every pair.
//!   Words between two phrase words may only be stopwords (as many as typed, any of them).
//! * Ranking: BM25 on `all` (and `pairs` for phrases), plus ranking-only boosts: the stem in
//!   `title` (+2) and the exact typed word in `plain` (title + body, unstemmed, +1) so that the
//!   exact word ranks above other forms of the same stem; a phrase found in the title gets the
//!   title boost too. The top hits are the best `page + 40` (see `RERANK_POOL`) by that BM25,
//!   re-scored with the boosts.
//! * Execution: the scored clauses (words and pairs; for a lone typo'd word each of its forms,
//!   the word scoring as its best form) go through tantivy's block-max WAND, which skips whole blocks of postings that cannot reach
//!   the current top; facet filters, exclusions and long-phrase checks are then checked on each
//!   candidate, and the candidate pool grows until enough pass. When the filters are estimated
//!   to keep under 5 % of the matches (`MIN_PASS_RATE`), every match is scored instead
//!   (tantivy then drives the intersection by its rarest clause, which is then cheap). Both
//!   paths give the same top hits (a test compares them).
//! * Every free word must match (AND) in at least one of the fields; `-word` excludes. See
//!   [`query`].
//! * Fallbacks, in order, each only when the previous stage found nothing:
//!   1. exact AND;
//!   2. typo tolerant AND (`fuzzy = true`): each word of ≥ 4 chars may also be any indexed word
//!      within edit distance 1 (2 from 8 chars) — the 8 most frequent of them, BM25 scored with a
//!      lower boost;
//!   3. relaxed (`fuzzy = true`, `relaxed = true`), only for ≥ 2 free words: at least half of the
//!      (fuzzy) words must match. Phrases, exclusions and filters still apply.
//! * Empty input (or only `-exclusions`) lists the documents matching the filters, newest
//!   first, with an exact total; input made only of stopwords returns nothing.
//! * `total` is exact for a single word or a single two-word phrase (the term's document
//!   frequency). Any other query is counted up to [`COUNT_CAP`] and `total_is_lower_bound` is
//!   set when more match (shown as "10000+", as large search engines do: nobody pages through
//!   ten thousand results, and an exact count would cost a scan of every match).
//! * Facet counts are for the final, filtered result set (every filter applied, including the
//!   dimension's own), computed over the first [`COUNT_CAP`] matches (index order);
//!   `facets_partial` tells when more matched (the page says so).
//! * Pages past [`MAX_OFFSET`] return no hits (total is still computed as above).
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
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EnableScoring, FuzzyTermQuery, Occur, PhraseQuery, Query, Scorer, TermQuery,
    Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DocAddress, DocId, DocSet, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument, Term, COLLECT_BLOCK_BUFFER_LEN};

pub use analyzer::{pair_term, IdTokenizer, PAIR_ANALYZER, PLAIN_ANALYZER, STEM_ANALYZER};
use facets::{FacetCollector, FacetFruit, FACET_FIELDS};
use query::{Parsed, Phrase, Word};

/// Bump when the schema or the way documents are indexed changes; an on-disk index with
/// another version (or built with another analyzer, see `analyzer::fingerprint`) is wiped.
pub const SCHEMA_VERSION: u32 = 3;
/// Deepest result offset served.
pub const MAX_OFFSET: usize = 10_000;
/// Attachments are indexed in full but only this many bytes are stored for snippets.
pub const ATTACHMENT_PREVIEW_BYTES: usize = 32 * 1024;

const VERSION_FILE: &str = "terbuka-search.version";
const SNIPPET_CHARS: usize = 200;
/// Matches are counted exactly up to this many for every query but a single term (then `total`
/// is this cap and `total_is_lower_bound` is set); facets are computed over at most this many
/// matches (then `facets_partial` is set).
pub const COUNT_CAP: u64 = 10_000;
/// Extra weight of a word found in the title (on top of its BM25 in `all`, which includes the title).
const TITLE_BOOST: f32 = 2.0;
const PLAIN_BOOST: f32 = 1.0;
/// Candidates taken from the block-max WAND pass (beyond the requested page) for re-ranking.
const RERANK_POOL: usize = 40;
const FUZZY_BOOST: f32 = 0.7;
/// Below this estimated share of pruned-pass candidates passing the filters and exclusions,
/// the top hits come from an exhaustive pass instead (driven by the rarest clause).
const MIN_PASS_RATE: f64 = 0.05;
/// Largest candidate pool of the pruned pass before falling back to the exhaustive pass.
const PRUNED_POOL_MAX: usize = 40_000;
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
    /// `total` is [`COUNT_CAP`] and more documents match (shown as e.g. "10 000+")
    pub total_is_lower_bound: bool,
    /// the facet counts were computed over the first [`COUNT_CAP`] matches (in index order) only
    pub facets_partial: bool,
}

/// Top hits and total only (no facets, no snippets, no stored-document reads).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeanResults {
    pub total: u64,
    /// (key, score)
    pub hits: Vec<(String, f32)>,
    pub fuzzy: bool,
    /// `total` is [`COUNT_CAP`] and more documents match
    pub total_is_lower_bound: bool,
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
    all: Field,
    pairs: Field,
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
    let stemmed_terms_only =
        TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(STEM_ANALYZER).set_index_option(IndexRecordOption::Basic));
    let plain =
        TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(PLAIN_ANALYZER).set_index_option(IndexRecordOption::WithFreqs));
    let pairs =
        TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(PAIR_ANALYZER).set_index_option(IndexRecordOption::WithFreqs));
    let facet = STRING | STORED | FAST;
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED | FAST),
        kind: b.add_text_field("kind", facet.clone()),
        title: b.add_text_field("title", stemmed.clone().set_stored()),
        body: b.add_text_field("body", stemmed_terms_only.clone().set_stored()),
        attachments: b.add_text_field("attachments", stemmed_terms_only),
        attachments_preview: b.add_text_field("attachments_preview", STORED),
        plain: b.add_text_field("plain", plain),
        all: b.add_text_field("all", stemmed),
        pairs: b.add_text_field("pairs", pairs),
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

/// One form a query word may match (the word itself, or a typo expansion).
struct Form {
    stem: String,
    plain: String,
    boost: f32,
}

/// A clause of the match that the pruned top-k pass does not include; it is checked on each
/// candidate instead.
struct Post {
    query: Box<dyn Query>,
    /// true: the document must match; false: it must not
    must: bool,
    /// estimated share of documents that pass this clause
    pass: f64,
}

struct Plan {
    /// what must match (terms, pairs and phrases, exclusions, filters); scores BM25 only
    core: Box<dyn Query>,
    /// the ranking-only clauses (word in the title, exact typed word, phrase in the title): each
    /// one's score is added to a candidate's `core` score when the candidate matches it
    boosts: Vec<Box<dyn Query>>,
    /// the query terms on title / body / attachments, for the snippets
    highlight: Box<dyn Query>,
    browse: bool,
    stage: Stage,
    /// the scored part of `core` when tantivy can prune it with block-max WAND: one term or a
    /// conjunction of terms, or the forms of one fuzzy word (a document scores as its best
    /// form, so the top of their union is the top of the forms' own tops merged); None otherwise
    pruned: Option<Vec<(Box<dyn Query>, f32)>>,
    /// the clauses of `core` outside `pruned` (filters, exclusions, long-phrase checks)
    post: Vec<Post>,
    /// `core` is a single term: exact total from the document frequency
    single_term: bool,
}

struct Run {
    top: Vec<(f32, DocAddress)>,
    total: u64,
    lower_bound: bool,
    facets: Option<FacetFruit>,
}

/// The pair terms of a phrase, and the position check of a phrase of three or more words.
type PhraseMatch = (Vec<Box<dyn Query>>, Option<Box<dyn Query>>);

/// Typo expansions computed during one search, by word (the typo stage and "did you mean" ask
/// for the same words).
type Expansions = HashMap<String, Vec<(String, u64)>>;

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
        index.tokenizers().register(PAIR_ANALYZER, analyzer::pair_analyzer());
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
        for field in [f.all, f.pairs] {
            doc.add_text(field, &d.title);
            doc.add_text(field, &d.body);
            if !d.attachments_text.is_empty() {
                doc.add_text(field, &d.attachments_text);
            }
        }
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
        // tantivy's merge policy may still be merging some of these segments in the background
        // after the last commit; then our merge fails once that one lands, and is retried with
        // the segments as they are now
        let mut attempts = 0;
        loop {
            let ids = self.inner.index.searchable_segment_ids()?;
            if ids.len() <= 1 {
                break;
            }
            match writer.merge(&ids).wait() {
                Ok(_) => break,
                Err(tantivy::TantivyError::InvalidArgument(_)) if attempts < 20 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(500));
                }
                Err(e) => return Err(e.into()),
            }
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

    /// Matching clause of one word: its forms (the word, then typo expansions) as term queries
    /// on the combined `all` field. A single form is a bare `TermQuery`, so a conjunction of
    /// words is a plain posting-list intersection (block-max WAND for the top hits). Several
    /// forms score as the best of them (dis-max), not their sum: a document holding two
    /// spellings is not a better answer to one typed word.
    fn word_match(&self, forms: &[Form]) -> Box<dyn Query> {
        let all = self.inner.f.all;
        if let [one] = forms {
            return self.term_q(all, &one.stem, one.boost);
        }
        Box::new(DisjunctionMaxQuery::new(forms.iter().map(|x| self.term_q(all, &x.stem, x.boost)).collect()))
    }

    /// Each form of a word alone, with its boost: a bare `TermQuery` (tantivy prunes it with
    /// block-max WAND; a `BoostQuery` or a one-clause union of it would be scored exhaustively),
    /// its scores multiplied by the boost afterwards.
    fn form_alternatives(&self, forms: &[Form]) -> Vec<(Box<dyn Query>, f32)> {
        let all = self.inner.f.all;
        forms.iter().map(|x| (self.term_q(all, &x.stem, 1.0), x.boost)).collect()
    }

    /// Ranking-only clauses of one word: the stem in `title` and the exact word in `plain`.
    fn word_boosts(&self, forms: &[Form], out: &mut Vec<Box<dyn Query>>) {
        let f = &self.inner.f;
        for x in forms {
            out.push(self.term_q(f.title, &x.stem, TITLE_BOOST * x.boost));
            out.push(self.term_q(f.plain, &x.plain, PLAIN_BOOST * x.boost));
        }
    }

    fn phrase_on(&self, field: Field, phrase: &Phrase) -> Box<dyn Query> {
        let terms = phrase.iter().map(|(p, s)| (*p, Term::from_field_text(field, s))).collect();
        Box::new(PhraseQuery::new_with_offset(terms))
    }

    /// The facet filters of `q`: each filter's term, and its unscored query.
    fn filter_clauses(&self, q: &SearchQuery) -> Vec<(Term, Box<dyn Query>)> {
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
                let t = Term::from_field_text(field, v);
                let tq: Box<dyn Query> = Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic));
                (t, Box::new(ConstScoreQuery::new(tq, 0.0)) as Box<dyn Query>)
            })
            .collect()
    }

    /// Indexed plain words within the typo budget of `word`, with their document frequency,
    /// most frequent first (the word itself excluded). Memoised in `memo` for one search.
    fn expansions(&self, searcher: &Searcher, word: &str, memo: &mut Expansions) -> Vec<(String, u64)> {
        if let Some(v) = memo.get(word) {
            return v.clone();
        }
        let d = query::typo_distance(word);
        let mut v: Vec<(String, u64)> = Vec::new();
        if d > 0 {
            let fq = FuzzyTermQuery::new(Term::from_field_text(self.inner.f.plain, word), d, true);
            let mut freq: HashMap<String, u64> = HashMap::new();
            if let Ok(automaton) = fq.automaton() {
                for seg in searcher.segment_readers() {
                    let Ok(inv) = seg.inverted_index(self.inner.f.plain) else { continue };
                    let Ok(mut stream) = inv.terms().search(&automaton).into_stream() else { continue };
                    while stream.advance() {
                        if let Ok(k) = std::str::from_utf8(stream.key()) {
                            if k != word {
                                *freq.entry(k.to_string()).or_insert(0) += u64::from(stream.value().doc_freq);
                            }
                        }
                    }
                }
            }
            v = freq.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
        memo.insert(word.to_string(), v.clone());
        v
    }

    /// The forms a word may match: itself, plus (typo stage) the most frequent expansions with a
    /// lower boost. The flag tells whether any expansion exists.
    fn forms(&self, searcher: &Searcher, w: &Word, fuzzy: bool, memo: &mut Expansions) -> (Vec<Form>, bool) {
        let mut forms = vec![Form { stem: w.stem.clone(), plain: w.plain.clone(), boost: 1.0 }];
        if !fuzzy {
            return (forms, false);
        }
        let exp = self.expansions(searcher, &w.plain, memo);
        let expanded = !exp.is_empty();
        for (cand, _) in exp.into_iter().take(FUZZY_EXPANSIONS) {
            let stem = analyzer::cached_stem(&cand);
            if forms.iter().any(|x| x.stem == stem) {
                // another spelling of a stem already searched: only its exact-word boost differs
                continue;
            }
            forms.push(Form { stem, plain: cand, boost: FUZZY_BOOST });
        }
        (forms, expanded)
    }

    /// The clauses that match a phrase: one pair term per consecutive pair of its words (on
    /// `pairs`), and for three or more words a position check on `all` (pairs alone could come
    /// from different places in the document).
    fn phrase_match(&self, phrase: &Phrase) -> PhraseMatch {
        let f = &self.inner.f;
        let pairs = phrase
            .windows(2)
            .map(|w| {
                let t = Term::from_field_text(f.pairs, &pair_term(&w[0].1, w[1].0 - w[0].0, &w[1].1));
                Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Box<dyn Query>
            })
            .collect();
        // unscored: the pair terms already score the phrase
        let check =
            (phrase.len() > 2).then(|| Box::new(ConstScoreQuery::new(Box::new(safe::SafeSeekQuery(self.phrase_on(f.all, phrase))), 0.0)) as Box<dyn Query>);
        (pairs, check)
    }

    /// Share of all documents that hold `term` (0..=1).
    fn share(searcher: &Searcher, term: &Term) -> f64 {
        let n = searcher.num_docs().max(1) as f64;
        (searcher.doc_freq(term).unwrap_or(0) as f64 / n).min(1.0)
    }

    /// Builds the queries of a stage; None when the stage would not differ from the previous one.
    fn plan(&self, searcher: &Searcher, p: &Parsed, q: &SearchQuery, stage: Stage, memo: &mut Expansions) -> Option<Plan> {
        let f = self.inner.f;
        // scored clauses that must all match, and whether each one is a plain term (or a union of
        // term forms) tantivy can prune
        let mut positive: Vec<(Box<dyn Query>, bool)> = Vec::new();
        let mut post: Vec<Post> = Vec::new();
        let mut boosts: Vec<Box<dyn Query>> = Vec::new();
        let mut hl_stems: Vec<String> = Vec::new();
        // the forms of a lone fuzzy word, each pruned on its own
        let mut alternatives: Option<Vec<(Box<dyn Query>, f32)>> = None;
        let browse = !p.has_positive();
        if browse && stage != Stage::Exact {
            return None;
        }
        match stage {
            Stage::Exact => {
                for w in &p.words {
                    let (forms, _) = self.forms(searcher, w, false, memo);
                    positive.push((self.word_match(&forms), true));
                    self.word_boosts(&forms, &mut boosts);
                    hl_stems.extend(forms.into_iter().map(|x| x.stem));
                }
            }
            Stage::Fuzzy | Stage::Relaxed => {
                if stage == Stage::Relaxed && p.words.len() < 2 {
                    return None;
                }
                let mut any = false;
                let mut words = Vec::new();
                for w in &p.words {
                    let (forms, expanded) = self.forms(searcher, w, true, memo);
                    any |= expanded;
                    words.push((self.word_match(&forms), forms.len() == 1));
                    if p.words.len() == 1 && p.phrases.is_empty() && forms.len() > 1 {
                        alternatives = Some(self.form_alternatives(&forms));
                    }
                    self.word_boosts(&forms, &mut boosts);
                    hl_stems.extend(forms.into_iter().map(|x| x.stem));
                }
                if stage == Stage::Fuzzy && !any {
                    return None;
                }
                if stage == Stage::Fuzzy {
                    positive.extend(words);
                } else {
                    let words: Vec<Box<dyn Query>> = words.into_iter().map(|(c, _)| c).collect();
                    let min = words.len().div_ceil(2).max(1);
                    let union = BooleanQuery::with_minimum_required_clauses(words.into_iter().map(|c| (Occur::Should, c)).collect(), min);
                    positive.push((Box::new(union), false));
                }
            }
        }
        for ph in &p.phrases {
            let (pairs, check) = self.phrase_match(ph);
            positive.extend(pairs.into_iter().map(|c| (c, true)));
            if let Some(check) = check {
                post.push(Post { query: check, must: true, pass: 0.5 });
            }
            boosts.push(Box::new(BoostQuery::new(Box::new(safe::SafeSeekQuery(self.phrase_on(f.title, ph))), TITLE_BOOST)));
            hl_stems.extend(ph.iter().map(|(_, s)| s.clone()));
        }
        for e in &p.excluded {
            let t = Term::from_field_text(f.all, e);
            let pass = 1.0 - Self::share(searcher, &t);
            post.push(Post { query: Box::new(TermQuery::new(t, IndexRecordOption::Basic)), must: false, pass });
        }
        for ph in &p.excluded_phrases {
            let (pairs, check) = self.phrase_match(ph);
            let query: Box<dyn Query> = match check {
                None => pairs.into_iter().next()?,
                Some(check) => check,
            };
            post.push(Post { query, must: false, pass: 0.9 });
        }
        for (t, query) in self.filter_clauses(q) {
            let pass = Self::share(searcher, &t);
            post.push(Post { query, must: true, pass });
        }

        // a plain term or a conjunction of plain terms (or, below, the forms of one fuzzy word)
        let prunable = !positive.is_empty() && positive.iter().all(|(_, plain)| *plain);
        let single_term = stage == Stage::Exact && positive.len() == 1 && prunable && post.is_empty();
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if browse {
            must.push((Occur::Must, Box::new(AllQuery)));
        }
        must.extend(positive.iter().map(|(c, _)| (Occur::Must, c.box_clone())));
        must.extend(post.iter().map(|x| (if x.must { Occur::Must } else { Occur::MustNot }, x.query.box_clone())));
        let core: Box<dyn Query> =
            if must.len() == 1 && must[0].0 == Occur::Must { must.pop().map(|(_, c)| c).expect("one clause") } else { Box::new(BooleanQuery::new(must)) };
        let pruned: Option<Vec<(Box<dyn Query>, f32)>> = if browse {
            None
        } else if let (Some(alts), 1) = (alternatives, positive.len()) {
            Some(alts)
        } else if !prunable {
            None
        } else if positive.len() == 1 {
            positive.pop().map(|(c, _)| vec![(c, 1.0)])
        } else {
            Some(vec![(Box::new(BooleanQuery::new(positive.into_iter().map(|(c, _)| (Occur::Must, c)).collect())) as Box<dyn Query>, 1.0)])
        };
        let highlight: Box<dyn Query> = Box::new(BooleanQuery::new(
            hl_stems
                .iter()
                .flat_map(|s| {
                    [f.title, f.body, f.attachments]
                        .map(|field| (Occur::Should, Box::new(TermQuery::new(Term::from_field_text(field, s), IndexRecordOption::Basic)) as Box<dyn Query>))
                })
                .collect(),
        ));
        Some(Plan { core, boosts, highlight, browse, stage, pruned, post, single_term })
    }

    fn paging(q: &SearchQuery) -> (usize, usize) {
        let per_page = q.per_page.clamp(1, 100) as usize;
        let page = q.page.max(1) as usize;
        let offset = (page - 1).saturating_mul(per_page);
        (per_page, offset)
    }

    // ---------------------------------------------------------------- execution

    /// Walks the candidates `addrs` (sorted by address) segment by segment with one scorer per
    /// weight, each seeked forward to the candidate: `visit(k, w, scorer)` is called for
    /// candidate `k` and every weight `w` whose scorer is on that document.
    fn on_candidates(
        searcher: &Searcher,
        addrs: &[DocAddress],
        weights: &[Box<dyn Weight>],
        mut visit: impl FnMut(usize, usize, &mut dyn Scorer),
    ) -> Result<(), SearchError> {
        let mut k = 0;
        while k < addrs.len() {
            let seg_ord = addrs[k].segment_ord;
            let seg = searcher.segment_reader(seg_ord);
            let mut scorers = weights.iter().map(|w| w.scorer(seg, 1.0)).collect::<Result<Vec<_>, _>>()?;
            while k < addrs.len() && addrs[k].segment_ord == seg_ord {
                let d = addrs[k].doc_id;
                for (w, scorer) in scorers.iter_mut().enumerate() {
                    if scorer.doc() < d {
                        scorer.seek(d);
                    }
                    if scorer.doc() == d {
                        visit(k, w, scorer.as_mut());
                    }
                }
                k += 1;
            }
        }
        Ok(())
    }

    /// Keeps the candidates (in their order) that pass every `post` clause.
    fn passing(searcher: &Searcher, cands: Vec<(f32, DocAddress)>, weights: &[Box<dyn Weight>], must: &[bool]) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        if weights.is_empty() {
            return Ok(cands);
        }
        let mut order: Vec<usize> = (0..cands.len()).collect();
        order.sort_by_key(|&i| cands[i].1);
        let addrs: Vec<DocAddress> = order.iter().map(|&i| cands[i].1).collect();
        let musts = must.iter().filter(|m| **m).count();
        // per candidate (in `order`): how many must-clauses matched, and whether a must-not did
        let mut matched = vec![(0usize, false); addrs.len()];
        Self::on_candidates(searcher, &addrs, weights, |k, w, _| {
            if must[w] {
                matched[k].0 += 1;
            } else {
                matched[k].1 = true;
            }
        })?;
        let mut keep = vec![false; cands.len()];
        for (k, &i) in order.iter().enumerate() {
            keep[i] = matched[k].0 == musts && !matched[k].1;
        }
        Ok(cands.into_iter().zip(keep).filter_map(|(c, k)| k.then_some(c)).collect())
    }

    /// The best `k` documents of the alternatives, each document scored by its best
    /// alternative times that one's boost (ties: lower address first, as `TopDocs`), and
    /// whether that is every match.
    fn best_of(searcher: &Searcher, alternatives: &[(Box<dyn Query>, f32)], k: usize) -> Result<(Vec<(f32, DocAddress)>, bool), SearchError> {
        if let [(one, boost)] = alternatives {
            let mut top = searcher.search(one.as_ref(), &TopDocs::with_limit(k).order_by_score())?;
            let all = top.len() < k;
            if *boost != 1.0 {
                top.iter_mut().for_each(|t| t.0 *= boost);
            }
            return Ok((top, all));
        }
        let mut best: HashMap<DocAddress, f32> = HashMap::new();
        let mut all = true;
        for (q, boost) in alternatives {
            let top = searcher.search(q.as_ref(), &TopDocs::with_limit(k).order_by_score())?;
            all &= top.len() < k;
            for (score, addr) in top {
                let score = score * boost;
                let e = best.entry(addr).or_insert(score);
                if score > *e {
                    *e = score;
                }
            }
        }
        let mut v: Vec<(f32, DocAddress)> = best.into_iter().map(|(a, s)| (s, a)).collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        v.truncate(k);
        Ok((v, all))
    }

    /// The best `need` matches of the plan by `core` score, from the pruned (block-max WAND)
    /// pass over `pruned` whose candidates are checked against `post`. The pool is sized from
    /// the estimated pass rate and grown until enough candidates pass. None when the clauses
    /// are too selective for that (then an exhaustive pass driven by the rarest clause is
    /// cheaper).
    fn pruned_top(&self, searcher: &Searcher, plan: &Plan, need: usize) -> Result<Option<Vec<(f32, DocAddress)>>, SearchError> {
        let Some(pruned) = plan.pruned.as_deref() else { return Ok(None) };
        if plan.post.is_empty() {
            return Ok(Some(Self::best_of(searcher, pruned, need)?.0));
        }
        let pass: f64 = plan.post.iter().map(|x| x.pass).product();
        if pass < MIN_PASS_RATE {
            return Ok(None);
        }
        let weights: Vec<Box<dyn Weight>> =
            plan.post.iter().map(|x| x.query.weight(EnableScoring::disabled_from_searcher(searcher))).collect::<Result<_, _>>()?;
        let must: Vec<bool> = plan.post.iter().map(|x| x.must).collect();
        let mut pool = ((need as f64 / pass) * 1.5).ceil() as usize + 16;
        while pool <= PRUNED_POOL_MAX {
            let (cands, exhausted) = Self::best_of(searcher, pruned, pool)?;
            let mut kept = Self::passing(searcher, cands, &weights, &must)?;
            if kept.len() >= need || exhausted {
                kept.truncate(need);
                return Ok(Some(kept));
            }
            pool *= 4;
        }
        Ok(None)
    }

    /// Top page of a plan: the best candidates by `core` score (pruned pass when possible,
    /// otherwise every match scored), re-scored with the ranking-only boosts. Each boost clause
    /// gets its own scorer, seeked forward through the candidates (a union of them would refill
    /// a window of thousands of documents at every seek).
    fn top_hits(&self, searcher: &Searcher, plan: &Plan, per_page: usize, offset: usize) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        let want = offset + per_page;
        let pool = (want * 2).max(want + RERANK_POOL);
        let mut cands = match self.pruned_top(searcher, plan, pool)? {
            Some(c) => c,
            None => searcher.search(plan.core.as_ref(), &TopDocs::with_limit(pool).order_by_score())?,
        };
        if !plan.boosts.is_empty() && !cands.is_empty() {
            cands.sort_by_key(|c| c.1);
            let weights: Vec<Box<dyn Weight>> =
                plan.boosts.iter().map(|q| q.weight(EnableScoring::enabled_from_searcher(searcher))).collect::<Result<_, _>>()?;
            let addrs: Vec<DocAddress> = cands.iter().map(|c| c.1).collect();
            Self::on_candidates(searcher, &addrs, &weights, |k, _, scorer| cands[k].0 += scorer.score())?;
        }
        cands.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        Ok(cands.into_iter().skip(offset).take(per_page).collect())
    }

    /// Counts the matches of `query` up to `cap` (stops scanning once more than `cap` matched),
    /// feeding the first `cap` matches of each segment to the facet counts when `facets`.
    /// Returns (count, count was capped, facet fruit).
    fn capped_scan(&self, searcher: &Searcher, query: &dyn Query, cap: u64, facets: bool) -> Result<(u64, bool, FacetFruit), SearchError> {
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let fc = FacetCollector { cap: if facets { cap } else { 0 } };
        let mut fruits = Vec::new();
        let mut total = 0u64;
        let mut buf = [0 as DocId; COLLECT_BLOCK_BUFFER_LEN];
        let mut alive_buf: Vec<DocId> = Vec::with_capacity(COLLECT_BLOCK_BUFFER_LEN);
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let mut seg_coll = fc.for_segment(ord as u32, seg)?;
            let mut scorer = weight.scorer(seg, 1.0)?;
            let alive = seg.alive_bitset();
            loop {
                let n = scorer.fill_buffer(&mut buf);
                if n == 0 {
                    break;
                }
                let docs: &[DocId] = match alive {
                    Some(a) => {
                        alive_buf.clear();
                        alive_buf.extend(buf[..n].iter().copied().filter(|d| a.is_alive(*d)));
                        &alive_buf
                    }
                    None => &buf[..n],
                };
                seg_coll.collect_block(docs);
                total += docs.len() as u64;
                if total > cap || n < COLLECT_BLOCK_BUFFER_LEN {
                    break;
                }
            }
            fruits.push(seg_coll.harvest());
            if total > cap {
                break;
            }
        }
        let mut fruit = fc.merge_fruits(fruits)?;
        let capped = total > cap;
        fruit.sampled |= capped;
        Ok((total.min(cap), capped, fruit))
    }

    /// Top page, total and (when `facets`) facet counts of a plan.
    fn run(&self, searcher: &Searcher, plan: &Plan, per_page: usize, offset: usize, facets: bool) -> Result<Run, SearchError> {
        let deep = offset > MAX_OFFSET;
        if plan.browse {
            // browsing (no words): newest first, exact total, facets over the first COUNT_CAP
            let fc = FacetCollector { cap: if facets { COUNT_CAP } else { 0 } };
            let (top, fruit) = if deep {
                (Vec::new(), searcher.search(plan.core.as_ref(), &fc)?)
            } else {
                let top = TopDocs::with_limit(per_page).and_offset(offset).order_by_fast_field::<i64>("updated", Order::Desc);
                let (docs, fruit) = searcher.search(plan.core.as_ref(), &(top, fc))?;
                (docs.into_iter().map(|(_, a)| (0.0, a)).collect(), fruit)
            };
            return Ok(Run { top, total: fruit.total, lower_bound: false, facets: Some(fruit) });
        }
        let top = if deep { Vec::new() } else { self.top_hits(searcher, plan, per_page, offset)? };
        if top.is_empty() && offset == 0 {
            return Ok(Run { top, total: 0, lower_bound: false, facets: None });
        }
        let exact = if plan.single_term {
            // a single term: its document frequency (no scan) when the segment has no deletes
            let weight = plan.core.weight(EnableScoring::disabled_from_searcher(searcher))?;
            let mut n = 0u64;
            for seg in searcher.segment_readers() {
                n += u64::from(weight.count(seg)?);
            }
            Some(n)
        } else {
            None
        };
        let (scanned, capped, fruit) = if facets || exact.is_none() {
            let (n, c, f) = self.capped_scan(searcher, plan.core.as_ref(), COUNT_CAP, facets)?;
            (n, c, Some(f))
        } else {
            (0, false, None)
        };
        let (total, lower_bound) = match exact {
            Some(n) => (n, false),
            None => (scanned, capped),
        };
        Ok(Run { top, total, lower_bound, facets: fruit })
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
        let mut memo = Expansions::new();
        let mut chosen = None;
        for stage in [Stage::Exact, Stage::Fuzzy, Stage::Relaxed] {
            let Some(plan) = self.plan(&searcher, &parsed, q, stage, &mut memo) else { continue };
            let run = self.run(&searcher, &plan, per_page, offset, true)?;
            let found = run.total > 0;
            chosen = Some((plan, run));
            if found {
                break;
            }
        }
        let Some((plan, run)) = chosen else { return Ok(SearchResults::default()) };
        let fruit = run.facets.unwrap_or_default();
        let facets_partial = fruit.sampled;
        let mut dims = fruit.dims.into_iter();
        let mut next = |key_desc| sort_facet(dims.next().unwrap_or_default(), key_desc);
        let facets = Facets { kind: next(false), category: next(false), unit: next(false), year: next(true), format: next(false) };
        debug_assert_eq!(FACET_FIELDS.len(), 5);
        let total = run.total;
        let fuzzy = total > 0 && plan.stage != Stage::Exact;
        let relaxed = total > 0 && plan.stage == Stage::Relaxed;
        let hits = if run.top.is_empty() { Vec::new() } else { self.hits(&searcher, &plan, run.top)? };
        let suggestion = if total == 0 || fuzzy { self.suggest(&searcher, &parsed, &mut memo) } else { None };
        Ok(SearchResults { total, hits, facets, suggestion, fuzzy, relaxed, total_is_lower_bound: run.lower_bound, facets_partial })
    }

    fn hits(&self, searcher: &Searcher, plan: &Plan, top: Vec<(f32, DocAddress)>) -> Result<Vec<Hit>, SearchError> {
        let f = &self.inner.f;
        let gens = if plan.browse {
            None
        } else {
            let mut title = SnippetGenerator::create(searcher, plan.highlight.as_ref(), f.title)?;
            title.set_max_num_chars(2000);
            let mut body = SnippetGenerator::create(searcher, plan.highlight.as_ref(), f.body)?;
            body.set_max_num_chars(SNIPPET_CHARS);
            let mut att = SnippetGenerator::create(searcher, plan.highlight.as_ref(), f.attachments)?;
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
    fn suggest(&self, searcher: &Searcher, p: &Parsed, memo: &mut Expansions) -> Option<String> {
        let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        for w in p.words.iter().chain(p.phrase_words.iter()) {
            let df = searcher.doc_freq(&Term::from_field_text(self.inner.f.plain, &w.plain)).unwrap_or(0);
            if df > 0 {
                continue;
            }
            let best = self
                .expansions(searcher, &w.plain, memo)
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
        let mut memo = Expansions::new();
        for stage in [Stage::Exact, Stage::Fuzzy, Stage::Relaxed] {
            let Some(plan) = self.plan(&searcher, &parsed, q, stage, &mut memo) else { continue };
            let run = self.run(&searcher, &plan, per_page, offset, false)?;
            if run.total == 0 {
                continue;
            }
            let (top, total, total_is_lower_bound) = (run.top, run.total, run.lower_bound);
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
            return Ok(LeanResults { total, hits, fuzzy: plan.stage != Stage::Exact, total_is_lower_bound });
        }
        Ok(LeanResults::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_doc(i: usize, title: &str, body: &str, unit: &str) -> SearchDoc {
        SearchDoc {
            key: format!("info:{i}"),
            kind: DocKind::Info,
            title: title.to_string(),
            body: body.to_string(),
            attachments_text: String::new(),
            unit_code: unit.to_string(),
            category: "berkala".to_string(),
            year: 2020 + (i % 5) as i32,
            format: "PDF".to_string(),
            url: format!("/x/{i}"),
            updated_unix: i as i64,
        }
    }

    /// A corpus where the pruned pass has real work: thousands of matches, scores spread by
    /// term frequency and length, and an excluded word that sits mostly in the best-scoring
    /// documents (so the estimated pass rate is far too optimistic and the pool must grow).
    fn pruning_corpus() -> SearchIndex {
        let vocab = ["anggaran", "sekolah", "jalan", "banjir", "pasar", "taman", "rumah", "sakit", "dana", "hibah", "gedung", "kantor"];
        let mut seed: u64 = 7;
        let mut next = move |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let mut docs = Vec::new();
        for i in 0..6000 {
            let len = 5 + next(40);
            let mut words: Vec<&str> = (0..len).map(|_| vocab[next(vocab.len())]).collect();
            // the 300 documents with "anggaran" repeated most score best; almost all of them
            // also hold "rahasia"
            if i % 20 == 0 {
                words.extend(["anggaran"; 6]);
                if i % 200 != 0 {
                    words.push("rahasia");
                }
            }
            let unit = ["DISDIK", "DINKES", "BPBD", "DISHUB"][next(4)];
            docs.push(test_doc(i, "Dokumen", &words.join(" "), unit));
        }
        let idx = SearchIndex::in_memory().expect("index");
        idx.apply(docs, vec![], 1).expect("apply");
        idx
    }

    /// The pruned pass (block-max WAND over the scored part, then the filters and exclusions
    /// per candidate) must return exactly the top of the exhaustive pass over the whole match.
    #[test]
    fn pruned_top_equals_exhaustive_top() {
        let idx = pruning_corpus();
        let searcher = idx.inner.reader.searcher();
        let cases: Vec<SearchQuery> = vec![
            SearchQuery::text("anggaran"),
            SearchQuery::text("anggaran sekolah"),
            SearchQuery::text("anggaran -rahasia"),
            SearchQuery::text("anggaran -sekolah -jalan"),
            SearchQuery::text("\"anggaran sekolah\""),
            SearchQuery::text("\"anggaran sekolah jalan\" -banjir"),
            SearchQuery::text("dana -\"anggaran anggaran\""),
            SearchQuery { unit: Some("DINKES".into()), ..SearchQuery::text("anggaran") },
            SearchQuery { unit: Some("BPBD".into()), year: Some(2020), ..SearchQuery::text("anggaran rahasia") },
            SearchQuery { unit: Some("DISHUB".into()), ..SearchQuery::text("anggaran -rahasia") },
        ];
        let mut pruned_runs = 0;
        for q in &cases {
            let parsed = query::parse(&q.text);
            let plan = idx.plan(&searcher, &parsed, q, Stage::Exact, &mut Expansions::new()).expect("plan");
            for need in [10, 110, 1000] {
                let exhaustive = searcher.search(plan.core.as_ref(), &TopDocs::with_limit(need).order_by_score()).unwrap();
                assert!(!exhaustive.is_empty(), "{:?} matches nothing", q.text);
                if let Some(pruned) = idx.pruned_top(&searcher, &plan, need).unwrap() {
                    pruned_runs += 1;
                    let key = |v: &[(f32, DocAddress)]| v.iter().map(|(s, a)| (s.to_bits(), *a)).collect::<Vec<_>>();
                    assert_eq!(key(&pruned), key(&exhaustive), "{:?} need {need}", q.text);
                }
            }
        }
        // every case but the selective two-filter one goes through the pruned pass
        assert!(pruned_runs >= 27, "pruned pass used {pruned_runs} times");
    }

    /// The same for the typo stage: the union of a word's forms is pruned as a whole.
    #[test]
    fn pruned_typo_union_equals_exhaustive() {
        let idx = pruning_corpus();
        let searcher = idx.inner.reader.searcher();
        for text in ["anggaan", "sekolha", "angaran -rahasia"] {
            let q = SearchQuery::text(text);
            let parsed = query::parse(text);
            let plan = idx.plan(&searcher, &parsed, &q, Stage::Fuzzy, &mut Expansions::new()).expect("typo plan");
            assert!(plan.pruned.is_some(), "{text}");
            let exhaustive = searcher.search(plan.core.as_ref(), &TopDocs::with_limit(110).order_by_score()).unwrap();
            let pruned = idx.pruned_top(&searcher, &plan, 110).unwrap().expect("pruned");
            assert!(!exhaustive.is_empty(), "{text}");
            // the boost is applied after the pruned pass, inside the exhaustive one: the same
            // documents in the same order, scores equal up to rounding
            assert_eq!(pruned.iter().map(|x| x.1).collect::<Vec<_>>(), exhaustive.iter().map(|x| x.1).collect::<Vec<_>>(), "{text}");
            for (p, e) in pruned.iter().zip(&exhaustive) {
                assert!((p.0 - e.0).abs() <= 1e-5 * e.0.abs(), "{text}: {} vs {}", p.0, e.0);
            }
        }
    }

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
