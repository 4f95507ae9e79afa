//! Citizen query syntax, parsed with our own tokenizer (never tantivy's `QueryParser`):
//!
//! * free words — all must match (AND), each word in any of title / body / attachments;
//! * `"double quoted phrases"` (also “smart quotes”) — phrase on stemmed positions; an
//!   unbalanced quote runs to the end of the input;
//! * `-word` / `-"a phrase"` — excluded;
//! * everything else (`:`, `*`, `(`, emoji, …) is just a separator for the tokenizer.
//!
//! The input is cut to [`MAX_QUERY_BYTES`] and to [`MAX_TERMS`] terms.

use std::ops::Range;

use crate::analyzer::{cached_stem, MAX_TOKEN_BYTES};

pub const MAX_QUERY_BYTES: usize = 1024;
pub const MAX_TERMS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// lower-case word as typed (after tokenization)
    pub plain: String,
    pub stem: String,
    /// byte range in [`Parsed::text`]
    pub span: Range<usize>,
}

/// One phrase: stems with their position offset (stopword gaps kept).
pub type Phrase = Vec<(usize, String)>;

#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// the (truncated) input the spans refer to
    pub text: String,
    pub words: Vec<Word>,
    pub phrases: Vec<Phrase>,
    /// words of the phrases, for "did you mean" and for nothing else
    pub phrase_words: Vec<Word>,
    pub excluded: Vec<String>,
    pub excluded_phrases: Vec<Phrase>,
    /// the input had positive tokens, but all of them were stopwords (or too long)
    pub only_stopwords: bool,
}

impl Parsed {
    pub fn has_positive(&self) -> bool {
        !self.words.is_empty() || !self.phrases.is_empty()
    }
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201E}')
}
fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}')
}

struct Builder {
    out: Parsed,
    terms: usize,
    positive_tokens: usize,
}

impl Builder {
    fn full(&self) -> bool {
        self.terms >= MAX_TERMS
    }

    fn words(&mut self, chunk: &str, base: usize, negative: bool) {
        for t in terbuka_text::tokenize(chunk) {
            if self.full() {
                return;
            }
            if !negative {
                self.positive_tokens += 1;
            }
            if terbuka_text::is_stopword(&t.text) || t.text.len() > MAX_TOKEN_BYTES || t.text.is_empty() {
                continue;
            }
            let stem = cached_stem(&t.text);
            if stem.is_empty() {
                continue;
            }
            if negative {
                if !self.out.excluded.contains(&stem) {
                    self.out.excluded.push(stem);
                    self.terms += 1;
                }
            } else if !self.out.words.iter().any(|w| w.stem == stem) {
                self.out.words.push(Word { plain: t.text, stem, span: base + t.from..base + t.to });
                self.terms += 1;
            }
        }
    }

    fn phrase(&mut self, chunk: &str, base: usize, negative: bool) {
        let mut items: Vec<(usize, Word)> = Vec::new();
        for t in terbuka_text::tokenize(chunk) {
            if !negative {
                self.positive_tokens += 1;
            }
            if terbuka_text::is_stopword(&t.text) || t.text.len() > MAX_TOKEN_BYTES || t.text.is_empty() {
                continue;
            }
            if self.terms + items.len() >= MAX_TERMS {
                break;
            }
            let stem = cached_stem(&t.text);
            if stem.is_empty() {
                continue;
            }
            items.push((t.position, Word { plain: t.text, stem, span: base + t.from..base + t.to }));
        }
        match items.len() {
            0 => {}
            1 => {
                let (_, w) = items.pop().expect("one item");
                if negative {
                    if !self.out.excluded.contains(&w.stem) {
                        self.out.excluded.push(w.stem);
                        self.terms += 1;
                    }
                } else if !self.out.words.iter().any(|x| x.stem == w.stem) {
                    self.out.words.push(w);
                    self.terms += 1;
                }
            }
            n => {
                self.terms += n;
                let first = items[0].0;
                let phrase: Phrase = items.iter().map(|(p, w)| (p - first, w.stem.clone())).collect();
                if negative {
                    self.out.excluded_phrases.push(phrase);
                } else {
                    self.out.phrase_words.extend(items.into_iter().map(|(_, w)| w));
                    self.out.phrases.push(phrase);
                }
            }
        }
    }
}

/// Parses any input; never fails.
pub fn parse(input: &str) -> Parsed {
    let text = truncate(input, MAX_QUERY_BYTES);
    let mut b = Builder { out: Parsed { text: text.to_string(), ..Parsed::default() }, terms: 0, positive_tokens: 0 };
    let mut i = 0;
    while i < text.len() && !b.full() {
        let Some(c) = text[i..].chars().next() else { break };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let mut negative = false;
        let mut start = i;
        if c == '-' {
            let next = text[i + 1..].chars().next();
            match next {
                Some(n) if !n.is_whitespace() && n != '-' => {
                    negative = true;
                    start = i + 1;
                }
                _ => {
                    i += 1;
                    continue;
                }
            }
        }
        let Some(c) = text[start..].chars().next() else { break };
        if is_open_quote(c) {
            let content_start = start + c.len_utf8();
            let rel_end = text[content_start..].char_indices().find(|(_, ch)| is_close_quote(*ch)).map(|(j, _)| j);
            let (content_end, next_i) = match rel_end {
                Some(j) => {
                    let close_len = text[content_start + j..].chars().next().map(char::len_utf8).unwrap_or(1);
                    (content_start + j, content_start + j + close_len)
                }
                None => (text.len(), text.len()),
            };
            b.phrase(&text[content_start..content_end], content_start, negative);
            i = next_i;
        } else {
            let end = text[start..].char_indices().find(|(_, ch)| ch.is_whitespace() || is_open_quote(*ch)).map(|(j, _)| start + j).unwrap_or(text.len());
            b.words(&text[start..end], start, negative);
            i = end.max(start + c.len_utf8());
        }
    }
    let mut out = b.out;
    out.only_stopwords = b.positive_tokens > 0 && !out.has_positive();
    out
}

/// Levenshtein distance with adjacent transpositions counting 1 (optimal string alignment),
/// over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// Typo budget for a word: 0 below 4 chars, 1 from 4, 2 from 8.
pub fn typo_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_phrases_exclusions() {
        let p = parse(r#"anggaran "laporan keuangan" -rahasia -"dana hibah""#);
        assert_eq!(p.words.len(), 1);
        assert_eq!(p.phrases.len(), 1);
        assert_eq!(p.phrases[0].len(), 2);
        assert_eq!(p.excluded.len(), 1);
        assert_eq!(p.excluded_phrases.len(), 1);
        assert_eq!(&p.text[p.words[0].span.clone()], "anggaran");
    }

    #[test]
    fn unbalanced_quote_runs_to_end() {
        let p = parse(r#"dana "bantuan sosial"#);
        assert_eq!(p.words.len(), 1);
        assert_eq!(p.phrases.len(), 1);
    }

    #[test]
    fn caps_terms_and_bytes() {
        let long: String = (0..5000).map(|i| format!("kata{i} ")).collect();
        let p = parse(&long);
        assert!(p.words.len() <= MAX_TERMS);
        assert!(p.text.len() <= MAX_QUERY_BYTES);
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("anggaran", "anggaran"), 0);
        assert_eq!(edit_distance("angaran", "anggaran"), 1);
        assert_eq!(edit_distance("nagaran", "anggaran"), 2);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }
}
