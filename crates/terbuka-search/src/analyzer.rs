//! tantivy tokenizers built on `terbuka-text`.
//!
//! * `id_stem`: [`terbuka_text::tokenize`], stopwords dropped, words stemmed — the same
//!   output as [`terbuka_text::analyze`] (a test checks this), with a per-thread cache of
//!   stems because a dictionary stemmer is far slower than a hash lookup and a corpus
//!   repeats the same few ten thousand words millions of times.
//! * `id_plain`: [`terbuka_text::tokenize`] only (lower-case, stopwords kept, no stemming);
//!   used for the exact-word boost and for "did you mean".
//! * `id_pairs`: each stemmed token joined with the next one, and the position gap between them
//!   (stopwords in between count), as one term: see [`pair_term`]. A two-word phrase is then
//!   one posting list instead of an intersection with a position check per document.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use tantivy::tokenizer::{RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer};

/// Name of the stemmed analyzer registered on the index.
pub const STEM_ANALYZER: &str = "id_stem";
/// Name of the plain (lower-case, unstemmed) analyzer registered on the index.
pub const PLAIN_ANALYZER: &str = "id_plain";
/// Name of the adjacent-pair analyzer registered on the index.
pub const PAIR_ANALYZER: &str = "id_pairs";
/// Tokens longer than this (bytes) are not indexed (and never queried).
pub const MAX_TOKEN_BYTES: usize = 100;
/// Longest pair term: two tokens, a gap and two separators.
const MAX_PAIR_BYTES: usize = 2 * MAX_TOKEN_BYTES + 16;

/// The term of two consecutive indexed stems `a` then `b`, `gap` positions apart (1 when
/// adjacent; stopwords and over-long words between them add to it). `\u{1}` never occurs in a
/// token, so the form is unambiguous.
pub fn pair_term(a: &str, gap: usize, b: &str) -> String {
    format!("{a}\u{1}{gap}\u{1}{b}")
}

const STEM_CACHE_MAX: usize = 200_000;

thread_local! {
    static STEM_CACHE: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// `terbuka_text::stem`, memoised per thread (bounded: the cache is cleared when full).
pub fn cached_stem(word: &str) -> String {
    STEM_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(s) = cache.get(word) {
            return s.clone();
        }
        let s = terbuka_text::stem(word);
        if cache.len() >= STEM_CACHE_MAX {
            cache.clear();
        }
        cache.insert(word.to_string(), s.clone());
        s
    })
}

const RECENT_MAX: usize = 6;

thread_local! {
    /// The last few texts tokenized on this thread: every title and body is analyzed several
    /// times (stemmed fields, plain field, pairs) by the same indexing thread, and tokenizing is
    /// the most expensive part of indexing.
    static RECENT: RefCell<VecDeque<(String, Rc<Vec<terbuka_text::Token>>)>> = const { RefCell::new(VecDeque::new()) };
}

fn tokenize_recent(text: &str) -> Rc<Vec<terbuka_text::Token>> {
    if text.len() < 16 {
        return Rc::new(terbuka_text::tokenize(text));
    }
    RECENT.with(|r| {
        let mut r = r.borrow_mut();
        if let Some((_, toks)) = r.iter().find(|(t, _)| t.len() == text.len() && t == text) {
            return toks.clone();
        }
        let toks = Rc::new(terbuka_text::tokenize(text));
        if r.len() >= RECENT_MAX {
            r.pop_back();
        }
        r.push_front((text.to_string(), toks.clone()));
        toks
    })
}

/// Tokens the index stores for `text`: stemmed (`stem = true`, same as `terbuka_text::analyze`)
/// or plain lower-case words.
pub fn analyze_tokens(text: &str, stem: bool, out: &mut Vec<Token>) {
    out.clear();
    for t in tokenize_recent(text).iter() {
        let word = if stem {
            if terbuka_text::is_stopword(&t.text) {
                continue;
            }
            cached_stem(&t.text)
        } else {
            t.text.clone()
        };
        if word.is_empty() {
            continue;
        }
        out.push(Token { offset_from: t.from, offset_to: t.to, position: t.position, text: word, position_length: 1 });
    }
}

/// Pair terms of `text` (see [`pair_term`]): the stemmed tokens of at most
/// [`MAX_TOKEN_BYTES`], each joined with the next.
pub fn pair_tokens(text: &str, scratch: &mut Vec<Token>, out: &mut Vec<Token>) {
    out.clear();
    analyze_tokens(text, true, scratch);
    let mut prev: Option<&Token> = None;
    for t in scratch.iter().filter(|t| t.text.len() <= MAX_TOKEN_BYTES) {
        if let Some(p) = prev {
            out.push(Token {
                offset_from: p.offset_from,
                offset_to: t.offset_to,
                position: p.position,
                text: pair_term(&p.text, t.position - p.position, &t.text),
                position_length: 1,
            });
        }
        prev = Some(t);
    }
}

#[derive(Clone, Copy)]
enum Mode {
    Stem,
    Plain,
    Pairs,
}

/// A tantivy [`Tokenizer`] over `terbuka-text`.
#[derive(Clone)]
pub struct IdTokenizer {
    mode: Mode,
    tokens: Vec<Token>,
    scratch: Vec<Token>,
    empty: Token,
}

impl IdTokenizer {
    fn new(mode: Mode) -> Self {
        IdTokenizer { mode, tokens: Vec::new(), scratch: Vec::new(), empty: Token::default() }
    }
    pub fn stemmed() -> Self {
        Self::new(Mode::Stem)
    }
    pub fn plain() -> Self {
        Self::new(Mode::Plain)
    }
    pub fn pairs() -> Self {
        Self::new(Mode::Pairs)
    }
}

pub struct IdTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    empty: &'a mut Token,
    /// index of the current token + 1 (0 = before the first `advance`)
    next: usize,
}

impl Tokenizer for IdTokenizer {
    type TokenStream<'a> = IdTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> IdTokenStream<'a> {
        match self.mode {
            Mode::Stem => analyze_tokens(text, true, &mut self.tokens),
            Mode::Plain => analyze_tokens(text, false, &mut self.tokens),
            Mode::Pairs => pair_tokens(text, &mut self.scratch, &mut self.tokens),
        }
        IdTokenStream { tokens: &mut self.tokens, empty: &mut self.empty, next: 0 }
    }
}

impl TokenStream for IdTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            self.next = self.tokens.len() + 1;
            false
        }
    }
    fn token(&self) -> &Token {
        match self.next.checked_sub(1).and_then(|i| self.tokens.get(i)) {
            Some(t) => t,
            None => self.empty,
        }
    }
    fn token_mut(&mut self) -> &mut Token {
        match self.next.checked_sub(1) {
            Some(i) if i < self.tokens.len() => &mut self.tokens[i],
            _ => self.empty,
        }
    }
}

pub fn stem_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(IdTokenizer::stemmed()).filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES + 1)).build()
}

pub fn pair_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(IdTokenizer::pairs()).filter(RemoveLongFilter::limit(MAX_PAIR_BYTES + 1)).build()
}

pub fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(IdTokenizer::plain()).filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES + 1)).build()
}

/// A fingerprint of the analyzer's behaviour: if `terbuka-text` changes its tokenizer,
/// stopwords or stemmer, the fingerprint changes and an on-disk index is rebuilt.
pub fn fingerprint() -> u64 {
    const PROBE: &str = "Penanganan kasus-kasus pengaduan masyarakat oleh para pejabat di Dinas Pendidikan yang \
        mempertanggungjawabkan anggaran; permohonan informasi publik diberikan tanpa keberatan dan dari \
        perencanaan, pembangunan, pengelolaan, ketersediaan, kebijakan, menyelenggarakan, diumumkan, berkala.";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for t in terbuka_text::analyze(PROBE) {
        eat(t.text.as_bytes());
        eat(&(t.position as u64).to_le_bytes());
        eat(&(t.from as u64).to_le_bytes());
    }
    for t in terbuka_text::tokenize(PROBE) {
        eat(t.text.as_bytes());
    }
    h
}
