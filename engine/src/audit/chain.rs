//! Each case's events as a hash chain. A record's hash covers the case, its position, the
//! hash of the record before it and the digest of its canonical encoding, so changing,
//! deleting, inserting or reordering a stored record breaks the chain at that record.
//!
//! The canonical encoding is the event's stored JSON text, except that the values of the
//! secret fields (`SECRET_FIELDS`: the access code's hash) are replaced by their own
//! SHA-256, so an export can carry the canonical text, and an offline verifier can check
//! it, without revealing a secret.

use std::borrow::Cow;
use std::fmt;

use super::{hex, sha256, Digest};
use crate::case::SECRET_FIELDS;

/// The hash before a case's first record.
pub const GENESIS: Digest = [0; 32];

/// What the hashes are domain-separated with.
const DOMAIN: &[u8] = b"greenlane/audit/record/v1\n";

/// The canonical encoding of a stored event's JSON: the text itself, or, when the event
/// has a secret field, the text with each secret value replaced by `sealed:sha256:<hex>`.
pub fn canonical(json: &str) -> Cow<'_, str> {
    if !SECRET_FIELDS.iter().any(|field| json.contains(field)) {
        return Cow::Borrowed(json);
    }
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(json) else {
        return Cow::Borrowed(json);
    };
    let mut sealed = false;
    if let Some(event) = value.get_mut("event").and_then(|e| e.as_object_mut()) {
        for field in SECRET_FIELDS {
            if let Some(secret) = event.get_mut(*field) {
                if let Some(text) = secret.as_str() {
                    if !text.starts_with("sealed:") {
                        *secret = serde_json::Value::String(seal(text));
                        sealed = true;
                    }
                }
            }
        }
    }
    if !sealed {
        return Cow::Borrowed(json);
    }
    Cow::Owned(value.to_string())
}

/// What a secret value becomes in the canonical encoding.
fn seal(secret: &str) -> String {
    format!("sealed:sha256:{}", hex(&sha256(&[secret.as_bytes()])))
}

/// The digest of a canonical encoding.
pub fn content_digest(canonical: &str) -> Digest {
    sha256(&[b"greenlane/audit/content/v1\n", canonical.as_bytes()])
}

/// The hash of the record at 1-based `seq` of `case`, after the record hashed `prev`,
/// whose canonical encoding has digest `content`.
pub fn link(case: &str, seq: u64, prev: &Digest, content: &Digest) -> Digest {
    sha256(&[
        DOMAIN,
        &(case.len() as u64).to_be_bytes(),
        case.as_bytes(),
        &seq.to_be_bytes(),
        prev,
        content,
    ])
}

/// The hash of the record at `seq` of `case` stored as `json` after `prev`.
pub fn seal_record(case: &str, seq: u64, prev: &Digest, json: &str) -> Digest {
    link(case, seq, prev, &content_digest(&canonical(json)))
}

/// Hashes events appended after `head` (the hash of the record at `before`): each
/// event's `(prev, hash)`, in order.
pub fn extend(case: &str, before: u64, head: &Digest, jsons: &[String]) -> Vec<(Digest, Digest)> {
    let mut prev = *head;
    let mut links = Vec::with_capacity(jsons.len());
    for (offset, json) in jsons.iter().enumerate() {
        let hash = seal_record(case, before + offset as u64 + 1, &prev, json);
        links.push((prev, hash));
        prev = hash;
    }
    links
}

/// One record as a store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// Its position as stored (1-based).
    pub seq: u64,
    /// The event's JSON as stored.
    pub json: String,
    /// The hash it carries of the record before it.
    pub prev: Digest,
    /// The hash it carries of itself.
    pub hash: Digest,
}

/// What is wrong at the first broken record of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakKind {
    /// The record stored at this position carries another position.
    Position {
        /// What it carries.
        found: u64,
    },
    /// The record does not carry the hash of the record before it: one was deleted,
    /// inserted or moved.
    Link,
    /// The record's content is not what was hashed: it was changed.
    Content,
    /// The chain is shorter than the case's recorded version or a checkpoint.
    Truncated {
        /// Records stored.
        stored: u64,
        /// Records expected.
        expected: u64,
    },
    /// The record carries no hash at all (written around the store).
    Unsealed,
}

/// The first broken record of a case's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The case.
    pub case: String,
    /// The 1-based position of the broken record.
    pub position: u64,
    /// What is wrong.
    pub kind: BreakKind,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (case, at) = (&self.case, self.position);
        match &self.kind {
            BreakKind::Position { found } => write!(
                f,
                "case {case}, record {at}: the record stored there is numbered {found} (a record was deleted or moved)"
            ),
            BreakKind::Link => write!(
                f,
                "case {case}, record {at}: does not follow the record before it (a record before it was deleted, inserted or reordered)"
            ),
            BreakKind::Content => write!(
                f,
                "case {case}, record {at}: its content does not match its hash (the record was changed)"
            ),
            BreakKind::Truncated { stored, expected } => write!(
                f,
                "case {case}, record {at}: missing: {expected} records were recorded, {stored} are stored (records were deleted at the end)"
            ),
            BreakKind::Unsealed => write!(
                f,
                "case {case}, record {at}: carries no hash (written around greenlane)"
            ),
        }
    }
}

/// Checks a case's stored chain, oldest first, and returns its head (the last record's
/// hash, [`GENESIS`] for none), or the first broken record.
pub fn verify(case: &str, records: &[StoredRecord]) -> Result<Digest, ChainBreak> {
    let broken = |position, kind| ChainBreak {
        case: case.to_string(),
        position,
        kind,
    };
    let mut prev = GENESIS;
    for (i, record) in records.iter().enumerate() {
        let position = i as u64 + 1;
        if record.hash == GENESIS {
            return Err(broken(position, BreakKind::Unsealed));
        }
        if record.seq != position {
            return Err(broken(position, BreakKind::Position { found: record.seq }));
        }
        if record.prev != prev {
            return Err(broken(position, BreakKind::Link));
        }
        if record.hash != seal_record(case, position, &prev, &record.json) {
            return Err(broken(position, BreakKind::Content));
        }
        prev = record.hash;
    }
    Ok(prev)
}
