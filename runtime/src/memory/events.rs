//! In-memory event store.

use greenlane_engine::case::CaseStatusKind;
use std::collections::BTreeMap;
use std::sync::Mutex;

use greenlane_engine::audit::chain::{self, StoredRecord};
use greenlane_engine::audit::checkpoint::Checkpoint;
use greenlane_engine::case::Recorded;
use greenlane_engine::ids::CaseId;

use super::lock;
use crate::ports::{AuditLog, CaseIndex, CaseRecord, EventStream, OutboxCursor, Unapplied};
use crate::StoreError;

#[derive(Debug)]
struct Stream {
    events: Vec<Recorded>,
    applied: u64,
    status: CaseStatusKind,
}

/// Event streams in a map. Nothing outside the process can change them, so their chain
/// is computed when it is read (`AuditLog::chain`) rather than kept.
#[derive(Debug, Default)]
pub struct MemoryEvents {
    streams: Mutex<BTreeMap<CaseId, Stream>>,
    checkpoints: Mutex<Vec<Checkpoint>>,
}

impl EventStream for MemoryEvents {
    async fn append(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
        status: CaseStatusKind,
    ) -> Result<u64, StoreError> {
        let mut streams = lock(&self.streams);
        let actual = streams.get(case).map_or(0, |s| s.events.len() as u64);
        if actual != expected {
            return Err(StoreError::Conflict {
                what: case.to_string(),
                expected,
                actual,
            });
        }
        let stream = streams.entry(case.clone()).or_insert_with(|| Stream {
            events: Vec::new(),
            applied: 0,
            status,
        });
        stream.events.extend_from_slice(events);
        stream.status = status;
        Ok(stream.events.len() as u64)
    }

    async fn load(&self, case: &CaseId) -> Result<Vec<Recorded>, StoreError> {
        Ok(lock(&self.streams)
            .get(case)
            .map(|s| s.events.clone())
            .unwrap_or_default())
    }
}

impl CaseIndex for MemoryEvents {
    async fn record(&self, case: &CaseId) -> Result<Option<CaseRecord>, StoreError> {
        Ok(lock(&self.streams).get(case).map(|s| summary(case, s)))
    }

    async fn cases(
        &self,
        status: Option<CaseStatusKind>,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        let streams = lock(&self.streams);
        let range = match after {
            Some(after) => streams
                .range::<CaseId, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded)),
            None => streams.range::<CaseId, _>(..),
        };
        Ok(range
            .filter(|(_, s)| status.is_none_or(|wanted| s.status == wanted))
            .take(limit)
            .map(|(case, s)| summary(case, s))
            .collect())
    }
}

impl OutboxCursor for MemoryEvents {
    async fn mark_applied(&self, case: &CaseId, from: u64, version: u64) -> Result<(), StoreError> {
        if let Some(stream) = lock(&self.streams).get_mut(case) {
            if stream.applied >= from {
                stream.applied = stream.applied.max(version.min(stream.events.len() as u64));
            }
        }
        Ok(())
    }

    async fn unapplied(&self, limit: usize) -> Result<Vec<Unapplied>, StoreError> {
        Ok(lock(&self.streams)
            .iter()
            .filter(|(_, s)| s.applied < s.events.len() as u64)
            .take(limit)
            .map(|(case, s)| Unapplied {
                case: case.clone(),
                applied: s.applied,
                version: s.events.len() as u64,
            })
            .collect())
    }
}

fn summary(case: &CaseId, stream: &Stream) -> CaseRecord {
    CaseRecord {
        case: case.clone(),
        version: stream.events.len() as u64,
        applied: stream.applied,
        status: stream.status,
    }
}

impl AuditLog for MemoryEvents {
    async fn chain(&self, case: &CaseId) -> Result<Vec<StoredRecord>, StoreError> {
        let events = self.load(case).await?;
        let jsons = events
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::failed)?;
        let links = chain::extend(case.as_str(), 0, &chain::GENESIS, &jsons);
        Ok(jsons
            .into_iter()
            .zip(links)
            .enumerate()
            .map(|(i, (json, (prev, hash)))| StoredRecord {
                seq: i as u64 + 1,
                json,
                prev,
                hash,
            })
            .collect())
    }

    async fn add_checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        let mut checkpoints = lock(&self.checkpoints);
        let statement = &checkpoint.statement;
        if let Some(held) = checkpoints
            .iter()
            .find(|c| c.statement.center == statement.center && c.statement.seq == statement.seq)
        {
            return Err(StoreError::Conflict {
                what: format!(
                    "checkpoint {} of center {}",
                    statement.seq, statement.center
                ),
                expected: statement.seq - 1,
                actual: held.statement.seq,
            });
        }
        checkpoints.push(checkpoint.clone());
        checkpoints.sort_by(|a, b| {
            (&a.statement.center, a.statement.seq).cmp(&(&b.statement.center, b.statement.seq))
        });
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        Ok(lock(&self.checkpoints).clone())
    }
}
