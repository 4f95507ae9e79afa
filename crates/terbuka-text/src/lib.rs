//! Indonesian text analysis for Terbuka's search index.
//!
//! Public API (stable; other crates build on it):
//! - [`tokenize`]: split text into lower-cased word tokens with byte offsets and positions.
//! - [`is_stopword`]: moderate Indonesian stopword list (function words only).
//! - [`stem`]: Sastrawi-compatible stemmer (a faithful port of PySastrawi 1.2.1 with its
//!   bundled root-word dictionary).
//! - [`analyze`]: tokenize + drop stopwords + stem; what the search index stores.
//! - [`stem_lines`]: stem a word list (one word per line), used by `terbuka text stem`.
//!
//! # Tokenizer rules
//!
//! - A word is a run of Unicode letters/digits (`char::is_alphanumeric`); everything else
//!   separates words. Token text is lower-cased (Unicode `to_lowercase`).
//! - `from..to` are byte offsets into the *original* string, so `&text[t.from..t.to]` is the
//!   source of the token (for highlighting). `position` counts every token, stopwords included.
//! - Apostrophes (`'`, `’`, `ʼ`) *between* two word characters are kept inside the word but
//!   dropped from the token text: `Jum'at` → `jumat`, `Qur'an` → `quran` (the spans still cover
//!   the apostrophe). Elsewhere an apostrophe is a separator.
//! - Hyphens (`-`, U+2010, U+2011) between two word characters join *parts*:
//!   - Reduplication stays ONE token with the parts joined by `-` (the stemmer resolves it):
//!     identical parts (`kasus-kasus`), one part containing the other at the edge
//!     (`sehari-hari`, `berhari-hari`, `warna-warnanya`), affixed reduplication that Sastrawi
//!     reduces to one root (`tolong-menolong`, `berbalas-balasan`), and rhyming/vowel-change
//!     reduplication: same length, differing in at most one letter (at most two for parts of
//!     five or more letters): `sayur-mayur`, `lauk-pauk`, `bolak-balik`, `gotong-royong`.
//!     Parts must be purely alphabetic. A hyphenated clitic (`nikmat-ku`, `siapa-pun`) and
//!     reduplication followed by one (`malaikat-malaikat-nya`) also stay one token.
//!   - Every other hyphenated compound is split into its parts, emitted as separate tokens at
//!     consecutive positions with their own offsets: `covid-19` → `covid`, `19`;
//!     `e-mail` → `e`, `mail`; `anti-korupsi` → `anti`, `korupsi`; `pasca-banjir` →
//!     `pasca`, `banjir`. A phrase query for the compound still matches.
//!   - Leading, trailing or doubled hyphens are plain separators.
//! - Numbers are ordinary tokens (`2024`, `19`). Dots, slashes, commas etc. always separate,
//!   so codes and abbreviations are split into their pieces: `31.71.01` → `31`, `71`, `01`;
//!   `No. 14/2008` → `no`, `14`, `2008`; `1.000.000` → `1`, `000`, `000`. Consecutive
//!   positions keep them findable as phrases.
//!
//! # Stemmer
//!
//! [`stem`] lower-cases its input; words made only of `[a-z0-9-]` go through the Sastrawi
//! algorithm (see `stemmer.rs`), anything else (non-ASCII letters, apostrophes, spaces) is
//! returned lower-cased but otherwise unchanged. It never panics.

mod stemmer;

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::sync::OnceLock;

pub use stemmer::{dictionary_len, is_root_word};

/// One word of a text: `text` is lower-case; `from..to` are byte offsets into the input;
/// `position` counts tokens (stopwords included, so phrase queries keep their gaps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub from: usize,
    pub to: usize,
    pub position: usize,
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// One hyphen-free piece of a word.
struct Part {
    text: String,
    from: usize,
    to: usize,
    alphabetic: bool,
}

const CLITICS: [&str; 7] = ["ku", "mu", "nya", "lah", "kah", "tah", "pun"];

/// Reads a part starting at `chars[i]` (a word character). Returns the part and the index of
/// the first character after it.
fn read_part(text: &str, chars: &[(usize, char)], mut i: usize) -> (Part, usize) {
    let from = chars[i].0;
    let mut s = String::new();
    let mut alphabetic = true;
    loop {
        while let Some(&(_, c)) = chars.get(i).filter(|(_, c)| is_word_char(*c)) {
            alphabetic &= c.is_alphabetic();
            s.extend(c.to_lowercase());
            i += 1;
        }
        let apostrophe_inside = chars.get(i).is_some_and(|&(_, c)| is_apostrophe(c)) && chars.get(i + 1).is_some_and(|&(_, c)| is_word_char(c));
        if !apostrophe_inside {
            break;
        }
        i += 1;
    }
    let to = chars.get(i).map_or(text.len(), |&(b, _)| b);
    (Part { text: s, from, to, alphabetic }, i)
}

/// Number of positions where two equal-length strings differ (None when lengths differ).
fn char_differences(a: &str, b: &str) -> Option<usize> {
    let (mut ia, mut ib) = (a.chars(), b.chars());
    let mut diff = 0;
    loop {
        match (ia.next(), ib.next()) {
            (Some(x), Some(y)) => diff += usize::from(x != y),
            (None, None) => return Some(diff),
            _ => return None,
        }
    }
}

/// Do the two hyphen-joined parts form a reduplication (see the module documentation)?
fn is_reduplication(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.min(lb) >= 2 && (b.starts_with(a) || a.ends_with(b)) {
        return true;
    }
    if let Some(d) = char_differences(a, b) {
        if la >= 3 && (d <= 1 || (la >= 5 && d <= 2)) {
            return true;
        }
    }
    // Affixed reduplication that Sastrawi resolves to a single root (tolong-menolong).
    let joined = format!("{a}-{b}");
    joined.bytes().all(|c| c.is_ascii_lowercase() || c == b'-') && !stemmer::stem_word(&joined).contains('-')
}

fn push_token(out: &mut Vec<Token>, text: String, from: usize, to: usize) {
    let position = out.len();
    out.push(Token { text, from, to, position });
}

fn emit_group(out: &mut Vec<Token>, parts: Vec<Part>) {
    let all_alpha = parts.iter().all(|p| p.alphabetic);
    let joined = all_alpha
        && match parts.as_slice() {
            [_] => true,
            [a, b] => CLITICS.contains(&b.text.as_str()) || is_reduplication(&a.text, &b.text),
            [a, b, c] => CLITICS.contains(&c.text.as_str()) && is_reduplication(&a.text, &b.text),
            _ => false,
        };
    if joined || parts.len() == 1 {
        let from = parts[0].from;
        let to = parts[parts.len() - 1].to;
        let text = parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("-");
        push_token(out, text, from, to);
    } else {
        for p in parts {
            push_token(out, p.text, p.from, p.to);
        }
    }
}

/// Splits `text` into lower-cased tokens; see the module documentation for the rules.
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_word_char(chars[i].1) {
            i += 1;
            continue;
        }
        let mut parts = Vec::new();
        loop {
            let (part, next) = read_part(text, &chars, i);
            parts.push(part);
            i = next;
            let hyphen_inside = chars.get(i).is_some_and(|&(_, c)| is_hyphen(c)) && chars.get(i + 1).is_some_and(|&(_, c)| is_word_char(c));
            if !hyphen_inside {
                break;
            }
            i += 1;
        }
        emit_group(&mut out, parts);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Stopwords

const STOPWORDS: &str = include_str!("../data/stopwords.txt");

fn stopwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOPWORDS.lines().map(str::trim).filter(|w| !w.is_empty() && !w.starts_with('#')).collect())
}

/// Is `word` (any case) an Indonesian function word? The list (`data/stopwords.txt`) is a
/// moderate subset of Sastrawi's stopword list: pronouns, conjunctions, prepositions,
/// particles and a few auxiliaries; content words (`informasi`, `data`, `laporan`) are kept.
pub fn is_stopword(word: &str) -> bool {
    if word.chars().any(char::is_uppercase) {
        stopwords().contains(word.to_lowercase().as_str())
    } else {
        stopwords().contains(word)
    }
}

// ---------------------------------------------------------------------------------------------
// Stemmer

/// Stems one word like PySastrawi 1.2.1 (`StemmerFactory().create_stemmer().stem(word)`).
///
/// The word is lower-cased first. Words consisting only of `[a-z0-9-]` are stemmed
/// (`membacakan` → `baca`, `kasus-kasus` → `kasus`); other input is returned lower-cased and
/// otherwise unchanged. Never panics.
pub fn stem(word: &str) -> String {
    let lowered;
    let w = if word.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
        lowered = word.to_lowercase();
        lowered.as_str()
    } else {
        word
    };
    if w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        stemmer::stem_word(w)
    } else {
        w.to_string()
    }
}

/// Tokenize, drop stopwords, stem. Offsets and positions are those of [`tokenize`], so the
/// positions of dropped stopwords stay as gaps.
pub fn analyze(text: &str) -> Vec<Token> {
    tokenize(text).into_iter().filter(|t| !is_stopword(&t.text)).map(|t| Token { text: stem(&t.text), ..t }).collect()
}

/// Reads words one per line and writes their stems one per line (blank or whitespace-only
/// line in → blank line out). Surrounding whitespace and `\r` are ignored; invalid UTF-8 is
/// replaced (U+FFFD) rather than rejected.
pub fn stem_lines(mut input: impl BufRead, output: impl Write) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(output);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        let word = line.trim();
        if !word.is_empty() {
            out.write_all(stem(word).as_bytes())?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}

#[cfg(test)]
mod tests;
