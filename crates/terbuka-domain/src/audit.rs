//! The hash chain of the append-only audit log.
//!
//! Each entry commits to the previous entry's hash: `hash = SHA-256(prev_hash ‖ seq ‖ at ‖ actor ‖
//! action ‖ subject ‖ detail)`, every field length-prefixed so no two different entries encode
//! the same. The first entry's `prev_hash` is [`GENESIS`]. [`verify`] finds the first entry that
//! was edited, deleted, inserted or reordered. Details never carry personal data.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What is appended (the store adds `seq`, `prev_hash` and `hash` inside its transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    /// `officer:<id>`, `requester`, `system`.
    pub actor: String,
    /// e.g. `request.answer`.
    pub action: String,
    /// e.g. `request:PMH-2026-00042`.
    pub subject: String,
    /// Non-personal JSON detail.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 UTC timestamp.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Computes an entry's hash from its content and the previous hash.
pub fn entry_hash(prev_hash: &str, seq: i64, at: &str, e: &NewAuditEntry) -> String {
    let mut h = Sha256::new();
    for field in [prev_hash, &seq.to_string(), at, &e.actor, &e.action, &e.subject, &e.detail] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

impl AuditEntry {
    pub fn content(&self) -> NewAuditEntry {
        NewAuditEntry { actor: self.actor.clone(), action: self.action.clone(), subject: self.subject.clone(), detail: self.detail.clone() }
    }
}

/// What is wrong with a chain, at which position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("entry at position {position} has sequence {found}, expected {expected}: an entry was deleted, inserted or reordered")]
    Sequence { position: usize, expected: i64, found: i64 },
    #[error("entry {seq} does not point to the previous entry's hash: an entry was deleted, inserted or reordered")]
    Link { seq: i64 },
    #[error("entry {seq} does not match its hash: it was edited")]
    Content { seq: i64 },
    #[error("the chain ends at entry {last} with hash {last_hash} but the recorded head is entry {head} with hash {head_hash}: entries were removed from the end or the head was altered")]
    Head { last: i64, last_hash: String, head: i64, head_hash: String },
}

/// The verified head: how many entries and the last hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainHead {
    pub count: i64,
    pub hash: String,
}

/// Verifies entries in storage order against the recorded head.
pub fn verify(entries: &[AuditEntry], head: &ChainHead) -> Result<ChainHead, ChainError> {
    let mut prev = GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.seq != expected {
            return Err(ChainError::Sequence { position: i, expected, found: e.seq });
        }
        if e.prev_hash != prev {
            return Err(ChainError::Link { seq: e.seq });
        }
        if entry_hash(&e.prev_hash, e.seq, &e.at, &e.content()) != e.hash {
            return Err(ChainError::Content { seq: e.seq });
        }
        prev = e.hash.clone();
    }
    let last = entries.len() as i64;
    if last != head.count || prev != head.hash {
        return Err(ChainError::Head { last, last_hash: prev, head: head.count, head_hash: head.hash.clone() });
    }
    Ok(ChainHead { count: last, hash: prev })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> (Vec<AuditEntry>, ChainHead) {
        let mut out: Vec<AuditEntry> = Vec::new();
        let mut prev = GENESIS.to_string();
        for i in 0..n {
            let e = NewAuditEntry { actor: "system".into(), action: "test".into(), subject: format!("s{i}"), detail: "{}".into() };
            let at = format!("2026-11-26T00:00:0{i}Z");
            let seq = i as i64 + 1;
            let hash = entry_hash(&prev, seq, &at, &e);
            out.push(AuditEntry { seq, at, actor: e.actor, action: e.action, subject: e.subject, detail: e.detail, prev_hash: prev, hash: hash.clone() });
            prev = hash;
        }
        (out, ChainHead { count: n as i64, hash: prev })
    }

    #[test]
    fn intact_chain_verifies() {
        let (c, head) = chain(5);
        assert_eq!(verify(&c, &head).unwrap(), head);
        assert!(verify(&[], &ChainHead { count: 0, hash: GENESIS.into() }).is_ok());
    }

    #[test]
    fn edits_deletions_insertions_and_reorders_are_caught() {
        let (c, head) = chain(5);
        let mut edited = c.clone();
        edited[2].detail = "{\"x\":1}".into();
        assert_eq!(verify(&edited, &head), Err(ChainError::Content { seq: 3 }));

        let mut deleted = c.clone();
        deleted.remove(1);
        assert!(matches!(verify(&deleted, &head), Err(ChainError::Sequence { position: 1, .. })));

        // Deleting and renumbering is still caught by the links.
        let mut renumbered = deleted.clone();
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert!(matches!(verify(&renumbered, &head), Err(ChainError::Link { seq: 2 })));

        let mut reordered = c.clone();
        reordered.swap(1, 2);
        assert!(verify(&reordered, &head).is_err());

        let mut inserted = c.clone();
        let mut extra = c[1].clone();
        extra.subject = "forged".into();
        inserted.insert(2, extra);
        assert!(verify(&inserted, &head).is_err());

        let truncated = &c[..4];
        assert!(matches!(verify(truncated, &head), Err(ChainError::Head { .. })));
    }
}
