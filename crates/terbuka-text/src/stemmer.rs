//! Port of the PySastrawi 1.2.1 stemmer (Nazief & Adriani, CS, ECS, "Improved ECS").
//!
//! PySastrawi is Copyright (c) 2016 Hanif Amal Robbani, MIT licence (`LICENSES/PySastrawi-MIT.txt`);
//! its dictionary (`data/kata-dasar.txt`) carries the Kateglo caveat in `data/README.md`.
//!
//! The structure mirrors the Python original (`Stemmer`, `Context`, the visitors and the prefix
//! disambiguator rules 1–42) so that the output is identical for every word the original
//! accepts (`[a-z0-9-]`). Regular expressions were translated to hand-written byte matching;
//! the comments quote the original pattern. Words are ASCII here, so byte slicing never splits
//! a character.
//!
//! Faithfulness notes (quirks of the original that are reproduced on purpose):
//! - `DontStemShortWord` only sets the "stopped" flag; stemming continues, but every later
//!   `accept_visitors`/`accept_prefix_visitors` call stops after its first visitor.
//! - A prefix disambiguator group keeps the result of its *last* rule when none of its rules
//!   produced a dictionary word (which may be "no match" even if an earlier rule matched).
//! - A prefix disambiguator records a removal even when its result equals the input
//!   (rules 37a–40a).

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FNV-1a (+ final mix): dictionary keys are short ASCII words; much faster than SipHash and not exposed to
/// attacker-chosen keys (the set is fixed at compile time).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        // murmur3 fmix64: FNV's low bits are weak and hashbrown picks buckets from them.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Dict = HashSet<&'static str, BuildHasherDefault<Fnv>>;

const KATA_DASAR: &str = include_str!("../data/kata-dasar.txt");

/// The bundled Sastrawi root-word dictionary (29,932 entries, as in PySastrawi), built once.
fn dict() -> &'static Dict {
    static DICT: OnceLock<Dict> = OnceLock::new();
    DICT.get_or_init(|| {
        // ArrayDictionary.add: skip empty / whitespace-only lines, store the line as-is.
        KATA_DASAR.split('\n').filter(|w| !w.trim().is_empty()).collect()
    })
}

/// Is `word` one of the bundled root words?
pub fn is_root_word(word: &str) -> bool {
    dict().contains(word)
}

/// Number of entries in the bundled dictionary.
pub fn dictionary_len() -> usize {
    dict().len()
}

/// Sastrawi `Stemmer.stem_word` for one already-normalised word (`[a-z0-9-]*`).
pub(crate) fn stem_word(word: &str) -> String {
    if is_plural(word) {
        stem_plural_word(word)
    } else {
        stem_singular_word(word)
    }
}

const CLITICS: [&str; 7] = ["ku", "mu", "nya", "lah", "kah", "tah", "pun"];

/// `^(.*)-(ku|mu|nya|lah|kah|tah|pun)$` → group 1 (the part before the hyphenated clitic).
fn strip_hyphen_clitic(word: &str) -> Option<&str> {
    for s in CLITICS {
        if let Some(head) = word.strip_suffix(s).and_then(|h| h.strip_suffix('-')) {
            return Some(head);
        }
    }
    None
}

fn is_plural(word: &str) -> bool {
    match strip_hyphen_clitic(word) {
        Some(head) => head.contains('-'),
        None => word.contains('-'),
    }
}

/// Asian (2007) plural / reduplication handling, as in `Stemmer.stem_plural_word`.
fn stem_plural_word(plural: &str) -> String {
    // ^(.*)-(.*)$ (greedy: split at the last hyphen)
    let Some(h) = plural.rfind('-') else { return plural.to_string() };
    let mut w0 = plural[..h].to_string();
    let mut w1 = plural[h + 1..].to_string();

    // malaikat-malaikat-nya -> malaikat malaikat-nya
    if CLITICS.contains(&w1.as_str()) {
        if let Some(h0) = w0.rfind('-') {
            let suffix = std::mem::take(&mut w1);
            w1 = format!("{}-{}", &w0[h0 + 1..], suffix);
            w0.truncate(h0);
        }
    }

    // berbalas-balasan -> balas
    let root1 = stem_singular_word(&w0);
    let mut root2 = stem_singular_word(&w1);

    // meniru-nirukan -> tiru
    if !dict().contains(w1.as_str()) && root2 == w1 {
        root2 = stem_singular_word(&format!("me{w1}"));
    }

    if root1 == root2 {
        root1
    } else {
        plural.to_string()
    }
}

fn stem_singular_word(word: &str) -> String {
    let mut ctx = Context::new(word);
    ctx.execute();
    ctx.current
}

// ---------------------------------------------------------------------------------------------
// Context

/// A suffix removal (affix types P, PP, DS); prefix removals (DP) are only counted.
struct SuffixRemoval {
    subject: String,
    result: String,
    removed_kan: bool,
}

struct Context<'a> {
    dict: &'static Dict,
    original: &'a str,
    current: String,
    stopped: bool,
    /// `len(self.removals)` of the original; only ever compared relatively.
    removal_count: usize,
    /// The P/PP/DS entries of `self.removals`, in order.
    suffix_removals: Vec<SuffixRemoval>,
    /// Cached `dictionary.contains(current)`; refreshed by `set_current`/`refresh`.
    in_dict: bool,
}

impl<'a> Context<'a> {
    fn new(word: &'a str) -> Self {
        let dict = dict();
        let in_dict = dict.contains(word);
        Context { dict, original: word, current: word.to_string(), stopped: false, removal_count: 0, suffix_removals: Vec::new(), in_dict }
    }

    /// `dictionary.contains(current_word)`, cached (every change of `current` goes through
    /// `set_current`, `reset_to_original` or `refresh`).
    fn found(&self) -> bool {
        self.in_dict
    }

    fn refresh(&mut self) {
        self.in_dict = self.dict.contains(self.current.as_str());
    }

    fn set_current(&mut self, word: String) {
        self.current = word;
        self.refresh();
    }

    fn reset_to_original(&mut self) {
        self.current.clear();
        self.current.push_str(self.original);
        self.refresh();
    }

    /// After `execute`, `current` holds the result.
    fn execute(&mut self) {
        self.start_stemming_process();
        if !self.found() {
            self.reset_to_original();
        }
    }

    fn start_stemming_process(&mut self) {
        if self.found() {
            return;
        }
        // visitors = [DontStemShortWord]
        if self.current.len() <= 3 {
            self.stopped = true;
        }
        if self.found() {
            return;
        }

        if precedence_adjustment(self.original) {
            self.remove_prefixes();
            if self.found() {
                return;
            }
            self.remove_suffixes();
            if self.found() {
                return;
            }
            self.reset_to_original();
            self.removal_count = 0;
            self.suffix_removals.clear();
        }

        self.remove_suffixes();
        if self.found() {
            return;
        }
        self.remove_prefixes();
        if self.found() {
            return;
        }
        self.loop_pengembalian_akhiran();
    }

    fn remove_prefixes(&mut self) {
        for _ in 0..3 {
            self.accept_prefix_visitors();
            if self.found() {
                return;
            }
        }
    }

    /// accept_visitors(suffix_visitors): particle, possessive pronoun, derivational suffix.
    fn remove_suffixes(&mut self) {
        for step in 0..3 {
            let keep = match step {
                0 => remove_inflectional_particle(&self.current),
                1 => remove_possessive_pronoun(&self.current),
                _ => remove_derivational_suffix(&self.current),
            };
            if keep < self.current.len() {
                let subject = self.current.clone();
                self.current.truncate(keep);
                self.refresh();
                let removed_kan = step == 2 && &subject[keep..] == "kan";
                self.suffix_removals.push(SuffixRemoval { subject, result: self.current.clone(), removed_kan });
                self.removal_count += 1;
            }
            if self.found() || self.stopped {
                return;
            }
        }
    }

    fn accept_prefix_visitors(&mut self) {
        let before = self.removal_count;
        // visitor 0: RemovePlainPrefix ^(di|ke|se)
        if let Some(rest) = self.current.strip_prefix("di").or_else(|| self.current.strip_prefix("ke")).or_else(|| self.current.strip_prefix("se")) {
            let rest = rest.to_string();
            self.set_current(rest);
            self.removal_count += 1;
        }
        if self.found() || self.stopped || self.removal_count > before {
            return;
        }
        for &(required, group) in PREFIX_RULES {
            if !has(self.current.as_bytes(), 0, required.as_bytes()) {
                continue;
            }
            let mut result = None;
            let mut result_in_dict = false;
            for rule in group {
                result = rule(self.current.as_bytes());
                result_in_dict = result.as_deref().is_some_and(|r| self.dict.contains(r));
                if result_in_dict {
                    break;
                }
            }
            if let Some(r) = result {
                self.current = r;
                self.in_dict = result_in_dict;
                self.removal_count += 1;
            }
            if self.found() || self.stopped || self.removal_count > before {
                return;
            }
        }
    }

    fn loop_pengembalian_akhiran(&mut self) {
        // restore_prefix: the subject of the first removal is always the original word
        // (the current word only changes through removals, and is reset together with them).
        if self.removal_count > 0 {
            self.reset_to_original();
        }
        self.removal_count = self.suffix_removals.len();

        let removals = std::mem::take(&mut self.suffix_removals);
        let saved_current = self.current.clone();
        let saved_in_dict = self.in_dict;
        let saved_count = self.removal_count;
        for removal in removals.iter().rev() {
            if removal.removed_kan {
                self.set_current(format!("{}k", removal.result));
                self.remove_prefixes();
                if self.found() {
                    return;
                }
                self.set_current(format!("{}kan", removal.result));
            } else {
                self.current.clone_from(&removal.subject);
                self.refresh();
            }
            self.remove_prefixes();
            if self.found() {
                return;
            }
            self.removal_count = saved_count;
            self.current.clone_from(&saved_current);
            self.in_dict = saved_in_dict;
        }
    }
}

/// PrecedenceAdjustmentSpecification: `^be(.*)lah$ ^be(.*)an$ ^me(.*)i$ ^di(.*)i$ ^pe(.*)i$ ^ter(.*)i$`.
fn precedence_adjustment(w: &str) -> bool {
    let pi = |p: &str, s: &str| w.len() >= p.len() + s.len() && w.starts_with(p) && w.ends_with(s);
    pi("be", "lah") || pi("be", "an") || pi("me", "i") || pi("di", "i") || pi("pe", "i") || pi("ter", "i")
}

/// Length of `w` after removing the leftmost match of `-*(<suffixes>)$`.
fn strip_suffix_with_hyphens(w: &str, suffixes: &[&str]) -> usize {
    for s in suffixes {
        if let Some(head) = w.strip_suffix(s) {
            return head.trim_end_matches('-').len();
        }
    }
    w.len()
}

/// `-*(lah|kah|tah|pun)$`
fn remove_inflectional_particle(w: &str) -> usize {
    strip_suffix_with_hyphens(w, &["lah", "kah", "tah", "pun"])
}

/// `-*(ku|mu|nya)$`
fn remove_possessive_pronoun(w: &str) -> usize {
    strip_suffix_with_hyphens(w, &["ku", "mu", "nya"])
}

/// `(is|isme|isasi|i|kan|an)$` — leftmost match = longest matching suffix.
fn remove_derivational_suffix(w: &str) -> usize {
    for s in ["isasi", "isme", "kan", "an", "is", "i"] {
        if let Some(head) = w.strip_suffix(s) {
            return head.len();
        }
    }
    w.len()
}

// ---------------------------------------------------------------------------------------------
// Prefix disambiguator rules. Each returns the candidate word (or None when the pattern does
// not match), exactly like `DisambiguatorPrefixRuleN.disambiguate`.

type Rule = fn(&[u8]) -> Option<String>;

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'i' | b'u' | b'e' | b'o')
}

/// `[bcdfghjklmnpqrstvwxyz]`
fn is_cons(c: u8) -> bool {
    c.is_ascii_lowercase() && !is_vowel(c)
}

/// `[bcdfghjkpqstvxz]` (rules 35, 36)
fn is_cons_35(c: u8) -> bool {
    is_cons(c) && !matches!(c, b'l' | b'm' | b'n' | b'r' | b'w' | b'y')
}

fn at(w: &[u8], i: usize, f: fn(u8) -> bool) -> bool {
    w.get(i).is_some_and(|&c| f(c))
}

/// `w[i..]` starts with `lit` (a byte loop: these literals are 2–7 bytes, and a `memcmp` call
/// per check dominated the profile).
fn has(w: &[u8], i: usize, lit: &[u8]) -> bool {
    match w.get(i..) {
        Some(rest) => rest.len() >= lit.len() && lit.iter().zip(rest).all(|(a, b)| a == b),
        None => false,
    }
}

/// `pre` + `w[from..]`
fn cat(pre: &str, w: &[u8], from: usize) -> Option<String> {
    let rest = w.get(from..)?;
    let mut s = String::with_capacity(pre.len() + rest.len());
    s.push_str(pre);
    s.push_str(std::str::from_utf8(rest).ok()?);
    Some(s)
}

/// `w[..1]` + `w[3..]`
fn cat_first(w: &[u8], from: usize) -> Option<String> {
    let first = std::str::from_utf8(w.get(..1)?).ok()?;
    cat(first, w, from)
}

fn when(cond: bool, f: impl FnOnce() -> Option<String>) -> Option<String> {
    if cond {
        f()
    } else {
        None
    }
}

// 1a/1b: ^ber([aiueo].*)$ -> V... | rV...
fn r1a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"ber") && at(w, 3, is_vowel), || cat("", w, 3))
}
fn r1b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"ber") && at(w, 3, is_vowel), || cat("r", w, 3))
}
// 2: ^ber([C])([a-z])(.*) where group 3 does not start with "er"
fn r2(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"ber") && at(w, 3, is_cons) && at(w, 4, |c| c.is_ascii_lowercase()) && !has(w, 5, b"er"), || cat("", w, 3))
}
// 3: ber([C])([a-z])er([aiueo])(.*), C != 'r'
fn r3(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"ber") && at(w, 3, is_cons) && at(w, 4, |c| c.is_ascii_lowercase()) && has(w, 5, b"er") && at(w, 7, is_vowel) && w[3] != b'r', || {
        cat("", w, 3)
    })
}
// 4: belajar -> ajar
fn r4(w: &[u8]) -> Option<String> {
    when(w == b"belajar", || Some("ajar".to_string()))
}
// 5: be([bcdfghjklmnpqstvwxyz])(er[C])(.*)$
fn r5(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"be") && at(w, 2, |c| is_cons(c) && c != b'r') && has(w, 3, b"er") && at(w, 5, is_cons), || cat("", w, 2))
}
// 6a/6b: ^ter([aiueo].*)$
fn r6a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"ter") && at(w, 3, is_vowel), || cat("", w, 3))
}
fn r6b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"ter") && at(w, 3, is_vowel), || cat("r", w, 3))
}
// 7: ^ter([C])er([aiueo].*)$, C != 'r'
fn r7(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"ter") && at(w, 3, is_cons) && has(w, 4, b"er") && at(w, 6, is_vowel) && w[3] != b'r', || cat("", w, 3))
}
// 8: ^ter([C])(.*)$, C != 'r' and rest not starting with "er"
fn r8(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"ter") && at(w, 3, is_cons) && w[3] != b'r' && !has(w, 4, b"er"), || cat("", w, 3))
}
// 9: ^te([C])er([C])(.*)$, C1 != 'r'
fn r9(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"te") && at(w, 2, is_cons) && has(w, 3, b"er") && at(w, 5, is_cons) && w[2] != b'r', || cat("", w, 2))
}
// 10: ^me([lrwy])([aiueo])(.*)$
fn r10(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"me") && at(w, 2, |c| matches!(c, b'l' | b'r' | b'w' | b'y')) && at(w, 3, is_vowel), || cat("", w, 2))
}
// 11: ^mem([bfv])(.*)$
fn r11(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"mem") && at(w, 3, |c| matches!(c, b'b' | b'f' | b'v')), || cat("", w, 3))
}
// 12: ^mempe(.*)$ -> pe...
fn r12(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"mempe"), || cat("", w, 3))
}
// 13a/13b: ^mem([aiueo])(.*)$ -> m... | p...
fn r13a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"mem") && at(w, 3, is_vowel), || cat("m", w, 3))
}
fn r13b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"mem") && at(w, 3, is_vowel), || cat("p", w, 3))
}
// 14: ^men([cdjstz])(.*)$
fn r14(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"men") && at(w, 3, |c| matches!(c, b'c' | b'd' | b'j' | b's' | b't' | b'z')), || cat("", w, 3))
}
// 15a/15b: ^men([aiueo])(.*)$ -> n... | t...
fn r15a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"men") && at(w, 3, is_vowel), || cat("n", w, 3))
}
fn r15b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"men") && at(w, 3, is_vowel), || cat("t", w, 3))
}
// 16: ^meng([ghqk])(.*)$
fn r16(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"meng") && at(w, 4, |c| matches!(c, b'g' | b'h' | b'q' | b'k')), || cat("", w, 4))
}
// 17a/b/d: ^meng([aiueo])(.*)$ -> V... | kV... | ngV... ; 17c: ^menge(.*)$
fn r17a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"meng") && at(w, 4, is_vowel), || cat("", w, 4))
}
fn r17b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"meng") && at(w, 4, is_vowel), || cat("k", w, 4))
}
fn r17c(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"menge"), || cat("", w, 5))
}
fn r17d(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"meng") && at(w, 4, is_vowel), || cat("ng", w, 4))
}
// 18a/18b: ^meny([aiueo])(.*)$ -> nyV... | sV...
fn r18a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"meny") && at(w, 4, is_vowel), || cat("ny", w, 4))
}
fn r18b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"meny") && at(w, 4, is_vowel), || cat("s", w, 4))
}
// 19: ^memp([abcdfghijklmopqrstuvwxyz])(.*)$ -> p...
fn r19(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"memp") && at(w, 4, |c| c.is_ascii_lowercase() && c != b'e' && c != b'n'), || cat("", w, 3))
}
// 20: ^pe([wy])([aiueo])(.*)$
fn r20(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"pe") && at(w, 2, |c| c == b'w' || c == b'y') && at(w, 3, is_vowel), || cat("", w, 2))
}
// 21a: ^per([aiueo])(.*)$ ; 21b: ^pe(r[aiueo])(.*)$
fn r21a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"per") && at(w, 3, is_vowel), || cat("", w, 3))
}
fn r21b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"per") && at(w, 3, is_vowel), || cat("", w, 2))
}
// 23: ^per([C])([a-z])(.*)$, group 3 not starting with "er"
fn r23(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"per") && at(w, 3, is_cons) && at(w, 4, |c| c.is_ascii_lowercase()) && !has(w, 5, b"er"), || cat("", w, 3))
}
// 24: ^per([C])([a-z])er([aiueo])(.*)$, C != 'r'
fn r24(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"per") && at(w, 3, is_cons) && at(w, 4, |c| c.is_ascii_lowercase()) && has(w, 5, b"er") && at(w, 7, is_vowel) && w[3] != b'r', || {
        cat("", w, 3)
    })
}
// 25: ^pem([bfv])(.*)$
fn r25(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"pem") && at(w, 3, |c| matches!(c, b'b' | b'f' | b'v')), || cat("", w, 3))
}
// 26a/26b: ^pem([aiueo])(.*)$ -> m... | p...
fn r26a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"pem") && at(w, 3, is_vowel), || cat("m", w, 3))
}
fn r26b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"pem") && at(w, 3, is_vowel), || cat("p", w, 3))
}
// 27: ^pen([cdjstz])(.*)$
fn r27(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"pen") && at(w, 3, |c| matches!(c, b'c' | b'd' | b'j' | b's' | b't' | b'z')), || cat("", w, 3))
}
// 28a/28b: ^pen([aiueo])(.*)$ -> n... | t...
fn r28a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"pen") && at(w, 3, is_vowel), || cat("n", w, 3))
}
fn r28b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"pen") && at(w, 3, is_vowel), || cat("t", w, 3))
}
// 29: ^peng([C])(.*)$
fn r29(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"peng") && at(w, 4, is_cons), || cat("", w, 4))
}
// 30a/30b: ^peng([aiueo])(.*)$ -> V... | kV... ; 30c: ^penge(.*)$
fn r30a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"peng") && at(w, 4, is_vowel), || cat("", w, 4))
}
fn r30b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"peng") && at(w, 4, is_vowel), || cat("k", w, 4))
}
fn r30c(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"penge"), || cat("", w, 5))
}
// 31a/31b: ^peny([aiueo])(.*)$ -> nyV... | sV...
fn r31a(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"peny") && at(w, 4, is_vowel), || cat("ny", w, 4))
}
fn r31b(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"peny") && at(w, 4, is_vowel), || cat("s", w, 4))
}
// 32: pelajar -> ajar ; ^pe(l[aiueo])(.*)$
fn r32(w: &[u8]) -> Option<String> {
    if w == b"pelajar" {
        return Some("ajar".to_string());
    }
    when(has(w, 0, b"pel") && at(w, 3, is_vowel), || cat("", w, 2))
}
// 34: ^pe([C])(.*)$, rest not starting with "er"
fn r34(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"pe") && at(w, 2, is_cons) && !has(w, 3, b"er"), || cat("", w, 2))
}
// 35: ^ter([bcdfghjkpqstvxz])(er[C])(.*)$
fn r35(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"ter") && at(w, 3, is_cons_35) && has(w, 4, b"er") && at(w, 6, is_cons), || cat("", w, 3))
}
// 36: ^pe([bcdfghjkpqstvxz])(er[C])(.*)$
fn r36(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"pe") && at(w, 2, is_cons_35) && has(w, 3, b"er") && at(w, 5, is_cons), || cat("", w, 2))
}
// 37–40 (infixes -er-, -el-, -em-, -in-): ^([C])(XX[aiueo])(.*)$ -> unchanged (a) | C + V... (b)
fn infix(w: &[u8], inf: &[u8]) -> bool {
    at(w, 0, is_cons) && has(w, 1, inf) && at(w, 3, is_vowel)
}
fn r37a(w: &[u8]) -> Option<String> {
    when(infix(w, b"er"), || cat("", w, 0))
}
fn r37b(w: &[u8]) -> Option<String> {
    when(infix(w, b"er"), || cat_first(w, 3))
}
fn r38a(w: &[u8]) -> Option<String> {
    when(infix(w, b"el"), || cat("", w, 0))
}
fn r38b(w: &[u8]) -> Option<String> {
    when(infix(w, b"el"), || cat_first(w, 3))
}
fn r39a(w: &[u8]) -> Option<String> {
    when(infix(w, b"em"), || cat("", w, 0))
}
fn r39b(w: &[u8]) -> Option<String> {
    when(infix(w, b"em"), || cat_first(w, 3))
}
fn r40a(w: &[u8]) -> Option<String> {
    when(infix(w, b"in"), || cat("", w, 0))
}
fn r40b(w: &[u8]) -> Option<String> {
    when(infix(w, b"in"), || cat_first(w, 3))
}
// 41: ^ku(.*)$ ; 42: ^kau(.*)$
fn r41(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"ku"), || cat("", w, 2))
}
fn r42(w: &[u8]) -> Option<String> {
    when(has(w, 0, b"kau"), || cat("", w, 3))
}

/// The `PrefixDisambiguator` visitors in `VisitorProvider` order (after `RemovePlainPrefix`).
/// The string is a prefix every rule of the group requires; groups whose prefix does not
/// match cannot produce a result and are skipped without calling the rules (a pure
/// speed-up: a group without result changes nothing).
const PREFIX_RULES: &[(&str, &[Rule])] = &[
    ("ber", &[r1a, r1b]),
    ("ber", &[r2]),
    ("ber", &[r3]),
    ("belajar", &[r4]),
    ("be", &[r5]),
    ("ter", &[r6a, r6b]),
    ("ter", &[r7]),
    ("ter", &[r8]),
    ("te", &[r9]),
    ("me", &[r10]),
    ("mem", &[r11]),
    ("mempe", &[r12]),
    ("mem", &[r13a, r13b]),
    ("men", &[r14]),
    ("men", &[r15a, r15b]),
    ("meng", &[r16]),
    ("meng", &[r17a, r17b, r17c, r17d]),
    ("meny", &[r18a, r18b]),
    ("memp", &[r19]),
    ("pe", &[r20]),
    ("per", &[r21a, r21b]),
    ("per", &[r23]),
    ("per", &[r24]),
    ("pem", &[r25]),
    ("pem", &[r26a, r26b]),
    ("pen", &[r27]),
    ("pen", &[r28a, r28b]),
    ("peng", &[r29]),
    ("peng", &[r30a, r30b, r30c]),
    ("peny", &[r31a, r31b]),
    ("pe", &[r32]),
    ("pe", &[r34]),
    ("ter", &[r35]),
    ("pe", &[r36]),
    ("", &[r37a, r37b]),
    ("", &[r38a, r38b]),
    ("", &[r39a, r39b]),
    ("", &[r40a, r40b]),
    ("ku", &[r41]),
    ("kau", &[r42]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_loads() {
        // 29,931 newlines, no newline after the last word: 29,932 entries, same as PySastrawi.
        assert_eq!(dictionary_len(), 29_932);
        assert!(is_root_word("ajar"));
        assert!(!is_root_word(""));
    }

    #[test]
    fn suffix_regex_ports() {
        assert_eq!(remove_derivational_suffix("normalisasi"), "normal".len());
        assert_eq!(remove_derivational_suffix("makan"), "ma".len());
        assert_eq!(remove_derivational_suffix("xyz"), 3);
        assert_eq!(remove_inflectional_particle("apa--lah"), 3);
        assert_eq!(remove_possessive_pronoun("nikmat-ku"), "nikmat".len());
    }

    #[test]
    fn plural_detection() {
        assert!(is_plural("kasus-kasus"));
        assert!(!is_plural("nikmat-ku"));
        assert!(is_plural("malaikat-malaikat-nya"));
        assert!(!is_plural("kasus"));
    }
}
