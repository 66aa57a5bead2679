//! The event store: each case's events in a list and its summary (version, outbox cursor,
//! status) in a hash, both under the case's hash tag, appended by `append.lua` with the
//! expected version checked in the same script.
//!
//! Listing cases by status and finding cases whose effects lag need a global index, which
//! lives in another slot than the case. On one server `append_indexed.lua` updates it in
//! the same script as the append. On a cluster an append runs in three steps:
//! `index_intent.lua` announces it (the case joins its new status set and `lag`, with the
//! expected version), `append.lua` appends, then the case leaves its old status set.
//! A crash between the steps leaves extra index members, never missing ones; readers
//! check each member against the case's own summary and drop stale ones with
//! `index_settle.lua`, which keeps a member while an append that could make it true again
//! is announced.
//!
//! Outbox cursor moves (`mark_applied`) are coalesced by `marks` and sent in batches.

use greenlane_engine::case::CaseStatusKind;
use std::sync::Arc;

use futures_util::future::join_all;
use greenlane_engine::audit::chain::{StoredRecord, GENESIS};
use greenlane_engine::audit::checkpoint::Checkpoint;
use greenlane_engine::audit::Digest;
use greenlane_engine::case::Recorded;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::{
    AuditLog, CaseIndex, CaseRecord, EventStream, OutboxCursor, Unapplied,
};
use greenlane_runtime::StoreError;
use redis::AsyncCommands;

use crate::chain::{self, Heads};
use crate::codec::decode_json;
use crate::marks::{Mark, Marks};
use crate::scripts::SCRIPTS;
use crate::{Error, Store};

/// Members read per round when scanning the case index.
const SCAN: usize = 256;

/// The event store on Redis.
#[derive(Clone)]
pub struct RedisEvents {
    pub(crate) store: Store,
    /// Outbox cursor moves not yet sent.
    pub(crate) marks: Arc<Marks>,
    /// Chain heads seen here (`chain`).
    pub(crate) heads: Arc<Heads>,
}

impl std::fmt::Debug for RedisEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisEvents")
            .field("prefix", &self.store.keys.prefix())
            .finish()
    }
}

/// A case's summary hash as read.
struct Meta {
    version: u64,
    applied: u64,
    status: String,
}

impl RedisEvents {
    pub(crate) fn new(store: Store) -> RedisEvents {
        RedisEvents {
            store,
            marks: Arc::default(),
            heads: Arc::default(),
        }
    }

    /// The chain head of `case` at `version`: remembered, or the hash its `version`-th
    /// item carries (zeros when there is no such item, or it carries none: the append that
    /// asks then fails on its version, or chains on from records stored before the audit
    /// trail).
    pub(crate) async fn head_at(&self, case: &CaseId, version: u64) -> Result<Digest, Error> {
        if let Some(head) = self.heads.at(case, version) {
            return Ok(head);
        }
        let mut conn = self.store.conn.clone();
        let index = isize::try_from(version).unwrap_or(isize::MAX) - 1;
        let item: Option<Vec<u8>> = conn
            .lindex(self.store.keys.case_events(case), index)
            .await?;
        Ok(item
            .and_then(|item| chain::split(&item).0)
            .map_or(GENESIS, |(_, hash)| hash))
    }

    /// Events encoded and sealed as list items, after the head at `expected`.
    pub(crate) async fn seal(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
    ) -> Result<(Vec<Vec<u8>>, Digest), StoreError> {
        let mut encoded = Vec::with_capacity(events.len());
        for event in events {
            encoded.push(
                serde_json::to_vec(event).map_err(|e| {
                    StoreError::corrupt_with(format!("event does not encode: {e}"), e)
                })?,
            );
        }
        let head = self.head_at(case, expected).await?;
        Ok(chain::seal(case, expected, &head, &encoded))
    }

    async fn meta(&self, case: &CaseId) -> Result<Option<Meta>, Error> {
        let mut conn = self.store.conn.clone();
        let (version, applied, status): (Option<u64>, Option<u64>, Option<String>) =
            redis::cmd("HMGET")
                .arg(self.store.keys.case_meta(case))
                .arg(&["v", "a", "s"])
                .query_async(&mut conn)
                .await?;
        Ok(version.map(|version| Meta {
            version,
            applied: applied.unwrap_or(0),
            status: status.unwrap_or_default(),
        }))
    }

    /// Drops `case` from `set` unless an append at `observed` or later is announced.
    async fn settle(&self, set: String, case: &CaseId, observed: u64) -> Result<(), Error> {
        self.settle_many(set, &[(case.clone(), observed)]).await
    }

    /// [`RedisEvents::settle`] for several cases in one script call.
    async fn settle_many(&self, set: String, cases: &[(CaseId, u64)]) -> Result<(), Error> {
        if cases.is_empty() {
            return Ok(());
        }
        let mut conn = self.store.conn.clone();
        let mut call = SCRIPTS.index_settle.call();
        call.key(set).key(self.store.keys.index_lag());
        for (case, observed) in cases {
            call.arg(case.as_str()).arg(*observed);
        }
        let _: i64 = call.invoke(&mut conn).await?;
        Ok(())
    }

    async fn try_append(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
        status: CaseStatusKind,
    ) -> Result<u64, StoreError> {
        let (encoded, head) = self.seal(case, expected, events).await?;
        let (stored, version, previous) = if self.store.conn.is_single() {
            self.append_indexed(case, expected, &encoded, status)
                .await?
        } else {
            self.append_in_steps(case, expected, &encoded, status)
                .await?
        };
        if stored != 1 {
            return Err(StoreError::Conflict {
                what: case.to_string(),
                expected,
                actual: version,
            });
        }
        self.heads.remember(case, version, head);
        if !previous.is_empty() && previous != status.as_str() && !self.store.conn.is_single() {
            // Only tidies the index; readers filter stale members anyway.
            let keys = &self.store.keys;
            if let Err(error) = self
                .settle(keys.index_status(&previous), case, version)
                .await
            {
                tracing::warn!(%case, %error, "old status left in the case index");
            }
        }
        Ok(version)
    }

    /// One server: the append and its index updates in one script (`append_indexed.lua`).
    async fn append_indexed(
        &self,
        case: &CaseId,
        expected: u64,
        encoded: &[Vec<u8>],
        status: CaseStatusKind,
    ) -> Result<(i64, u64, String), Error> {
        let keys = &self.store.keys;
        let mut conn = self.store.conn.clone();
        let mut append = SCRIPTS.append_indexed.call();
        append
            .key(keys.case_events(case))
            .key(keys.case_meta(case))
            .key(keys.index_cases())
            .key(keys.index_lag())
            .arg(expected)
            .arg(status.as_str())
            .arg(case.as_str())
            .arg(keys.index_status_prefix());
        for event in encoded {
            append.arg(event.as_slice());
        }
        Ok(append.invoke(&mut conn).await?)
    }

    /// A cluster: announce in the case index's slot, then append in the case's slot.
    async fn append_in_steps(
        &self,
        case: &CaseId,
        expected: u64,
        encoded: &[Vec<u8>],
        status: CaseStatusKind,
    ) -> Result<(i64, u64, String), Error> {
        let keys = &self.store.keys;
        let mut conn = self.store.conn.clone();
        let mut intent = SCRIPTS.index_intent.call();
        intent
            .key(keys.index_cases())
            .key(keys.index_status(status.as_str()))
            .key(keys.index_lag())
            .arg(case.as_str())
            .arg(expected)
            .arg(if expected == 0 { "1" } else { "0" });
        let _: i64 = intent.invoke(&mut conn).await?;

        let mut append = SCRIPTS.append.call();
        append
            .key(keys.case_events(case))
            .key(keys.case_meta(case))
            .arg(expected)
            .arg(status.as_str());
        for event in encoded {
            append.arg(event.as_slice());
        }
        Ok(append.invoke(&mut conn).await?)
    }

    /// Sends the outbox cursor moves waiting in `marks`, if any.
    pub(crate) async fn flush_marks(&self) -> Result<(), Error> {
        let _sending = self.marks.sending.lock().await;
        let batch = self.marks.take();
        if batch.is_empty() {
            return Ok(());
        }
        if self.store.conn.is_single() {
            let keys = &self.store.keys;
            let mut conn = self.store.conn.clone();
            let mut call = SCRIPTS.applied_many.call();
            call.key(keys.index_lag());
            for (case, mark) in &batch {
                call.key(keys.case_meta(case))
                    .arg(case.as_str())
                    .arg(mark.from)
                    .arg(mark.to);
            }
            let _: i64 = call.invoke(&mut conn).await?;
            return Ok(());
        }
        let marks = batch.iter().map(|(case, mark)| self.mark_one(case, *mark));
        let mut settled = Vec::new();
        for mark in join_all(marks).await {
            if let Some(done) = mark? {
                settled.push(done);
            }
        }
        self.settle_many(self.store.keys.index_lag(), &settled)
            .await
    }

    /// A cluster: advances one case's cursor; the case and version when all is applied.
    async fn mark_one(&self, case: &CaseId, mark: Mark) -> Result<Option<(CaseId, u64)>, Error> {
        let mut conn = self.store.conn.clone();
        let mut call = SCRIPTS.mark_applied.call();
        call.key(self.store.keys.case_meta(case))
            .arg(mark.to)
            .arg(mark.from);
        let (applied, stored): (i64, i64) = call.invoke(&mut conn).await?;
        Ok((stored >= 0 && applied >= stored).then(|| (case.clone(), stored as u64)))
    }

    /// Reads the summaries of `cases` side by side.
    async fn metas(&self, cases: &[String]) -> Result<Vec<(CaseId, Option<Meta>)>, Error> {
        let reads = cases.iter().map(|case| {
            let case = CaseId::new(case.as_str());
            async move {
                let meta = self.meta(&case).await?;
                Ok::<_, Error>((case, meta))
            }
        });
        join_all(reads).await.into_iter().collect()
    }
}

fn record(case: CaseId, meta: Meta) -> Result<CaseRecord, Error> {
    let status = CaseStatusKind::parse(&meta.status).ok_or_else(|| {
        Error::corrupt(
            "case status",
            format!("case {case} has status `{}`", meta.status),
        )
    })?;
    Ok(CaseRecord {
        case,
        version: meta.version,
        applied: meta.applied,
        status,
    })
}

impl EventStream for RedisEvents {
    async fn append(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
        status: CaseStatusKind,
    ) -> Result<u64, StoreError> {
        self.try_append(case, expected, events, status).await
    }

    async fn load(&self, case: &CaseId) -> Result<Vec<Recorded>, StoreError> {
        let mut conn = self.store.conn.clone();
        let raw: Vec<Vec<u8>> = conn
            .lrange(self.store.keys.case_events(case), 0, -1)
            .await
            .map_err(Error::from)?;
        if let Some((_, hash)) = raw.last().and_then(|item| chain::split(item).0) {
            self.heads.remember(case, raw.len() as u64, hash);
        }
        raw.iter()
            .map(|item| decode_json("event", chain::split(item).1).map_err(StoreError::from))
            .collect()
    }
}

impl CaseIndex for RedisEvents {
    async fn record(&self, case: &CaseId) -> Result<Option<CaseRecord>, StoreError> {
        self.flush_marks().await?;
        Ok(self
            .meta(case)
            .await?
            .map(|meta| record(case.clone(), meta))
            .transpose()?)
    }

    async fn cases(
        &self,
        status: Option<CaseStatusKind>,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        self.flush_marks().await?;
        let keys = &self.store.keys;
        let set = match status {
            Some(status) => keys.index_status(status.as_str()),
            None => keys.index_cases(),
        };
        let mut found = Vec::new();
        let mut from = match after {
            Some(after) => format!("({after}"),
            None => "-".to_string(),
        };
        while found.len() < limit {
            let wanted = SCAN.min(limit - found.len());
            let mut conn = self.store.conn.clone();
            let page: Vec<String> = redis::cmd("ZRANGEBYLEX")
                .arg(&set)
                .arg(&from)
                .arg("+")
                .arg("LIMIT")
                .arg(0)
                .arg(wanted)
                .query_async(&mut conn)
                .await
                .map_err(Error::from)?;
            let Some(last) = page.last() else {
                break;
            };
            from = format!("({last}");
            let exhausted = page.len() < wanted;
            for (case, meta) in self.metas(&page).await? {
                match (meta, status) {
                    (Some(meta), Some(wanted)) if meta.status != wanted.as_str() => {
                        let observed = meta.version;
                        if let Err(error) = self.settle(set.clone(), &case, observed).await {
                            tracing::debug!(%case, %error, "stale index member kept");
                        }
                    }
                    (Some(meta), _) => found.push(record(case, meta)?),
                    // Announced but never appended (or not yet): not a case.
                    (None, _) => {}
                }
            }
            if exhausted {
                break;
            }
        }
        found.truncate(limit);
        Ok(found)
    }
}

impl OutboxCursor for RedisEvents {
    async fn mark_applied(&self, case: &CaseId, from: u64, version: u64) -> Result<(), StoreError> {
        // Coalesced: the port allows a cursor move to be lost (recovery then repeats
        // idempotent effects), so moves wait a moment and go many to a request.
        if self.marks.add(case, Mark { from, to: version }) {
            self.flush_marks().await?;
        } else {
            self.marks.start_flusher(self.clone());
        }
        Ok(())
    }

    async fn unapplied(&self, limit: usize) -> Result<Vec<Unapplied>, StoreError> {
        self.flush_marks().await?;
        let mut conn = self.store.conn.clone();
        let members: Vec<String> = conn
            .zrange(self.store.keys.index_lag(), 0, -1)
            .await
            .map_err(Error::from)?;
        let mut lagging = Vec::new();
        for chunk in members.chunks(SCAN) {
            for (case, meta) in self.metas(chunk).await? {
                let Some(meta) = meta else { continue };
                if meta.applied < meta.version {
                    if lagging.len() < limit {
                        lagging.push(Unapplied {
                            case,
                            applied: meta.applied,
                            version: meta.version,
                        });
                    }
                } else if let Err(error) = self
                    .settle(self.store.keys.index_lag(), &case, meta.version)
                    .await
                {
                    tracing::debug!(%case, %error, "settled case left in the lag index");
                }
            }
            if lagging.len() >= limit {
                break;
            }
        }
        lagging.sort_by(|a, b| a.case.cmp(&b.case));
        Ok(lagging)
    }
}

impl AuditLog for RedisEvents {
    async fn chain(&self, case: &CaseId) -> Result<Vec<StoredRecord>, StoreError> {
        let mut conn = self.store.conn.clone();
        let raw: Vec<Vec<u8>> = conn
            .lrange(self.store.keys.case_events(case), 0, -1)
            .await
            .map_err(Error::from)?;
        Ok(raw
            .iter()
            .enumerate()
            .map(|(i, item)| chain::record(i as u64 + 1, item))
            .collect())
    }

    async fn add_checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        let statement = &checkpoint.statement;
        let json = serde_json::to_string(checkpoint)
            .map_err(|e| StoreError::corrupt_with(format!("checkpoint does not encode: {e}"), e))?;
        let mut conn = self.store.conn.clone();
        let field = format!("{}\u{1f}{:020}", statement.center, statement.seq);
        let added: bool = conn
            .hset_nx(self.store.keys.audit_checkpoints(), field, json)
            .await
            .map_err(Error::from)?;
        if !added {
            return Err(StoreError::Conflict {
                what: format!(
                    "checkpoint {} of center {}",
                    statement.seq, statement.center
                ),
                expected: statement.seq - 1,
                actual: statement.seq,
            });
        }
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let mut conn = self.store.conn.clone();
        let all: std::collections::BTreeMap<String, Vec<u8>> = conn
            .hgetall(self.store.keys.audit_checkpoints())
            .await
            .map_err(Error::from)?;
        all.values()
            .map(|json| decode_json("checkpoint", json).map_err(StoreError::from))
            .collect()
    }
}
