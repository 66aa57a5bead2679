//! The audit chain on Redis. Each event list item carries its chain hashes in front of its
//! JSON: 64 hex digits of the hash of the record before it, 64 of its own, a newline, then
//! the event (`greenlane_engine::audit::chain`). Redis's Lua has no SHA-256, so this
//! process hashes before the script appends; the script's expected-version check makes
//! the hashes right, since a record at a position never changes: the head a case had at
//! version *n* is the hash carried by its *n*-th item, remembered here from this
//! process's own loads and appends and read with `LINDEX` otherwise.

use std::collections::HashMap;
use std::sync::Mutex;

use greenlane_engine::audit::chain::{self, StoredRecord};
use greenlane_engine::audit::{from_hex, hex, Digest};
use greenlane_engine::ids::CaseId;

/// Bytes in front of an item's JSON: two digests in hex and a newline.
const PREFIX: usize = 129;

/// Heads remembered at most; past it the map starts again (a miss costs one `LINDEX`).
const REMEMBERED: usize = 100_000;

/// Each case's chain head at a version, as this process last saw it.
#[derive(Debug, Default)]
pub(crate) struct Heads {
    map: Mutex<HashMap<CaseId, (u64, Digest)>>,
}

impl Heads {
    /// The head of `case` at `version`, if remembered.
    pub(crate) fn at(&self, case: &CaseId, version: u64) -> Option<Digest> {
        if version == 0 {
            return Some(chain::GENESIS);
        }
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(case)
            .filter(|(v, _)| *v == version)
            .map(|(_, head)| *head)
    }

    /// Remembers the head of `case` at `version`.
    pub(crate) fn remember(&self, case: &CaseId, version: u64, head: Digest) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= REMEMBERED && !map.contains_key(case) {
            map.clear();
        }
        map.insert(case.clone(), (version, head));
    }
}

/// `jsons` (events `before + 1 ..` of `case`, after `head`) as list items, and the new head.
pub(crate) fn seal(
    case: &CaseId,
    before: u64,
    head: &Digest,
    jsons: &[Vec<u8>],
) -> (Vec<Vec<u8>>, Digest) {
    let mut prev = *head;
    let mut items = Vec::with_capacity(jsons.len());
    for (offset, json) in jsons.iter().enumerate() {
        let text = String::from_utf8_lossy(json);
        let hash = chain::seal_record(case.as_str(), before + offset as u64 + 1, &prev, &text);
        let mut item = Vec::with_capacity(PREFIX + json.len());
        item.extend_from_slice(hex(&prev).as_bytes());
        item.extend_from_slice(hex(&hash).as_bytes());
        item.push(b'\n');
        item.extend_from_slice(json);
        items.push(item);
        prev = hash;
    }
    (items, prev)
}

/// An item's hashes (`None` when it carries none) and its JSON.
pub(crate) fn split(item: &[u8]) -> (Option<(Digest, Digest)>, &[u8]) {
    if item.len() < PREFIX || item[PREFIX - 1] != b'\n' {
        return (None, item);
    }
    let text = std::str::from_utf8(&item[..PREFIX - 1]).unwrap_or("");
    match (
        from_hex::<32>(&text[..64.min(text.len())]),
        from_hex::<32>(text.get(64..).unwrap_or("")),
    ) {
        (Some(prev), Some(hash)) => (Some((prev, hash)), &item[PREFIX..]),
        _ => (None, item),
    }
}

/// An item as a stored record at `seq`.
pub(crate) fn record(seq: u64, item: &[u8]) -> StoredRecord {
    let (links, json) = split(item);
    let (prev, hash) = links.unwrap_or((chain::GENESIS, chain::GENESIS));
    StoredRecord {
        seq,
        json: String::from_utf8_lossy(json).into_owned(),
        prev,
        hash,
    }
}
