//! Indonesian text analysis (PLACEHOLDER bodies: being replaced by the real implementation).
//!
//! Public API (stable; other crates build on it):
//! - [`tokenize`]: split text into lower-cased word tokens with byte offsets and positions.
//! - [`is_stopword`]: Indonesian stopword list.
//! - [`stem`]: Sastrawi-compatible stemmer (dictionary based).
//! - [`analyze`]: tokenize + drop stopwords + stem; what the search index stores.

/// One word of a text: `text` is lower-case; `from..to` are byte offsets into the input;
/// `position` counts tokens (stopwords included, so phrase queries keep their gaps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub from: usize,
    pub to: usize,
    pub position: usize,
}

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            let position = out.len();
            out.push(Token { text: text[s..i].to_lowercase(), from: s, to: i, position });
        }
    }
    if let Some(s) = start {
        let position = out.len();
        out.push(Token { text: text[s..].to_lowercase(), from: s, to: text.len(), position });
    }
    out
}

pub fn is_stopword(word: &str) -> bool {
    matches!(word, "dan" | "yang" | "di" | "ke" | "dari")
}

pub fn stem(word: &str) -> String {
    word.to_lowercase()
}

pub fn analyze(text: &str) -> Vec<Token> {
    tokenize(text).into_iter().filter(|t| !is_stopword(&t.text)).map(|t| Token { text: stem(&t.text), ..t }).collect()
}
