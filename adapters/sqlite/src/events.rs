//! The event store over the `events` and `cases` tables.
//!
//! Optimistic concurrency is decided in memory: a map of every case's version, loaded at
//! open, is checked and advanced under one lock together with sending the append to the
//! writer, so two appends to one case can never both pass the check, and the file receives
//! them in the order they passed it. A conflict is answered at once and stores nothing.
//!
//! Events are read back from the file through the read pool: an append resolves only after
//! its commit, so whoever was told it succeeded sees it in `load`. `mark_applied` is sent
//! to the writer without waiting for its commit (the port allows it: effects are
//! idempotent); the reads that report the cursor (`record`, `cases`, `unapplied`) first
//! wait for everything sent before them, so a caller sees its own cursor moves.

use greenlane_engine::case::CaseStatusKind;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use greenlane_engine::audit::chain::StoredRecord;
use greenlane_engine::audit::checkpoint::Checkpoint;
use greenlane_engine::audit::{chain, Digest};
use greenlane_engine::case::Recorded;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::{
    AuditLog, CaseIndex, CaseRecord, EventStream, Fut, OutboxCursor, Unapplied,
};
use greenlane_runtime::StoreError;
use rusqlite::{params, Connection, OptionalExtension};

use crate::codec::parse_count;
use crate::error::{sql, Error, Fault};
use crate::readers::Readers;
use crate::sync::lock;
use crate::writer::{Op, Ticket, Writer};
use crate::writes::events::Write;

/// Event streams and case summaries in the SQLite file.
#[derive(Debug)]
pub struct SqliteEvents {
    /// Every case's version and chain head, including appends sent and not yet committed.
    versions: Mutex<HashMap<CaseId, (u64, Digest)>>,
    writer: Arc<Writer>,
    readers: Arc<Readers>,
}

impl SqliteEvents {
    /// Loads every case's version from the file.
    pub(crate) fn load(
        conn: &Connection,
        writer: Arc<Writer>,
        readers: Arc<Readers>,
    ) -> Result<SqliteEvents, Error> {
        let path = readers.path();
        let doing = "loading case versions";
        let mut versions = HashMap::new();
        let mut stmt = conn
            .prepare("SELECT id, version, head FROM cases")
            .map_err(sql(path, doing))?;
        let mut rows = stmt.query([]).map_err(sql(path, doing))?;
        while let Some(row) = rows.next().map_err(sql(path, doing))? {
            let read = || -> Result<(CaseId, u64, Digest), Fault> {
                let id: String = row.get(0)?;
                let version = parse_count(row.get(1)?, || format!("the version of case {id}"))?;
                let head: Option<Vec<u8>> = row.get(2)?;
                let head = head.and_then(|h| <Digest>::try_from(h.as_slice()).ok());
                Ok((CaseId::from(id), version, head.unwrap_or(chain::GENESIS)))
            };
            let (case, version, head) = read().map_err(|f| f.at(path, doing))?;
            versions.insert(case, (version, head));
        }
        Ok(SqliteEvents {
            versions: Mutex::new(versions),
            writer,
            readers,
        })
    }

    /// Checks the expected version and sends the append, under the version lock.
    fn send_append(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
        status: CaseStatusKind,
    ) -> Result<(Ticket, u64), StoreError> {
        let encoded = events
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Encode {
                path: self.readers.path().to_path_buf(),
                what: format!("an event of case {case}"),
                detail: e.to_string(),
            })?;
        let contents: Vec<Digest> = encoded
            .iter()
            .map(|json| chain::content_digest(&chain::canonical(json)))
            .collect();
        let mut versions = lock(&self.versions);
        let (actual, head) = versions.get(case).copied().unwrap_or((0, chain::GENESIS));
        if actual != expected {
            return Err(StoreError::Conflict {
                what: case.to_string(),
                expected,
                actual,
            });
        }
        let version = expected + events.len() as u64;
        let mut links = Vec::with_capacity(contents.len());
        let mut prev = head;
        for (offset, content) in contents.iter().enumerate() {
            let hash = chain::link(case.as_str(), expected + offset as u64 + 1, &prev, content);
            links.push((prev, hash));
            prev = hash;
        }
        let ticket = self.writer.send(Op::Events(Write::Append {
            case: case.clone(),
            before: expected,
            events: encoded,
            links,
            status,
        }))?;
        versions.insert(case.clone(), (version, prev));
        Ok((ticket, version))
    }
}

impl EventStream for SqliteEvents {
    fn append(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
        status: CaseStatusKind,
    ) -> impl Fut<u64> {
        // Sent before the first await, so consecutive calls share one commit.
        let sent = self.send_append(case, expected, events, status);
        async move {
            let (ticket, version) = sent?;
            ticket.wait().await?;
            Ok(version)
        }
    }

    async fn load(&self, case: &CaseId) -> Result<Vec<Recorded>, StoreError> {
        let events = self.readers.read("loading events", |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT seq, json FROM events WHERE case_id = ?1 ORDER BY seq")?;
            let mut rows = stmt.query([case.as_str()])?;
            let mut events = Vec::new();
            while let Some(row) = rows.next()? {
                let seq: i64 = row.get(0)?;
                let json = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                let event = serde_json::from_str(json).map_err(|e| {
                    Fault::Corrupt(format!("event {seq} of case {case}"), e.to_string())
                })?;
                events.push(event);
            }
            Ok(events)
        })?;
        Ok(events)
    }
}

impl CaseIndex for SqliteEvents {
    async fn record(&self, case: &CaseId) -> Result<Option<CaseRecord>, StoreError> {
        self.writer.barrier().wait().await?;
        let record = self.readers.read("reading a case", |conn| {
            conn.prepare_cached("SELECT id, version, applied, status FROM cases WHERE id = ?1")?
                .query_row([case.as_str()], RawRecord::from_row)
                .optional()?
                .map(RawRecord::into_record)
                .transpose()
        })?;
        Ok(record)
    }

    async fn cases(
        &self,
        status: Option<CaseStatusKind>,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        self.writer.barrier().wait().await?;
        let records = self.readers.read("listing cases", |conn| {
            let sql = match (status.is_some(), after.is_some()) {
                (true, true) => {
                    "SELECT id, version, applied, status FROM cases
                     WHERE status = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
                }
                (true, false) => {
                    "SELECT id, version, applied, status FROM cases
                     WHERE status = ?1 AND ?2 IS NULL ORDER BY id LIMIT ?3"
                }
                (false, true) => {
                    "SELECT id, version, applied, status FROM cases
                     WHERE ?1 IS NULL AND id > ?2 ORDER BY id LIMIT ?3"
                }
                (false, false) => {
                    "SELECT id, version, applied, status FROM cases
                     WHERE ?1 IS NULL AND ?2 IS NULL ORDER BY id LIMIT ?3"
                }
            };
            let mut stmt = conn.prepare_cached(sql)?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = stmt.query_map(
                params![
                    status.map(CaseStatusKind::as_str),
                    after.map(CaseId::as_str),
                    limit
                ],
                RawRecord::from_row,
            )?;
            let mut records = Vec::new();
            for row in rows {
                records.push(row?.into_record()?);
            }
            Ok(records)
        })?;
        Ok(records)
    }
}

impl OutboxCursor for SqliteEvents {
    fn mark_applied(&self, case: &CaseId, from: u64, version: u64) -> impl Fut<()> {
        let sent = self.writer.send(Op::Events(Write::MarkApplied {
            case: case.clone(),
            from,
            version,
        }));
        // Not waited for: a lost cursor move only makes recovery repeat idempotent effects.
        std::future::ready(sent.map(drop).map_err(StoreError::from))
    }

    async fn unapplied(&self, limit: usize) -> Result<Vec<Unapplied>, StoreError> {
        self.writer.barrier().wait().await?;
        let lagging = self.readers.read("listing unapplied cases", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, version, applied, status FROM cases
                 WHERE applied < version ORDER BY id LIMIT ?1",
            )?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = stmt.query_map([limit], RawRecord::from_row)?;
            let mut lagging = Vec::new();
            for row in rows {
                let record = row?.into_record()?;
                lagging.push(Unapplied {
                    case: record.case,
                    applied: record.applied,
                    version: record.version,
                });
            }
            Ok(lagging)
        })?;
        Ok(lagging)
    }
}

impl AuditLog for SqliteEvents {
    async fn chain(&self, case: &CaseId) -> Result<Vec<StoredRecord>, StoreError> {
        self.writer.barrier().wait().await?;
        let records = self.readers.read("reading a case's audit chain", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, CAST(json AS BLOB), prev, hash FROM events WHERE case_id = ?1 ORDER BY seq",
            )?;
            let digest = |bytes: Option<Vec<u8>>| {
                bytes
                    .and_then(|b| <Digest>::try_from(b.as_slice()).ok())
                    .unwrap_or(chain::GENESIS)
            };
            let rows = stmt.query_map([case.as_str()], |row| {
                let seq: i64 = row.get(0)?;
                let json: Vec<u8> = row.get(1)?;
                Ok(StoredRecord {
                    seq: u64::try_from(seq).unwrap_or(0),
                    json: String::from_utf8_lossy(&json).into_owned(),
                    prev: digest(row.get(2)?),
                    hash: digest(row.get(3)?),
                })
            })?;
            let mut records = Vec::new();
            for row in rows {
                records.push(row?);
            }
            Ok(records)
        })?;
        Ok(records)
    }

    async fn add_checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        let statement = &checkpoint.statement;
        let held = self.checkpoints().await?;
        if let Some(found) = held
            .iter()
            .filter(|c| c.statement.center == statement.center)
            .map(|c| c.statement.seq)
            .max()
            .filter(|found| *found >= statement.seq)
        {
            return Err(StoreError::Conflict {
                what: format!(
                    "checkpoint {} of center {}",
                    statement.seq, statement.center
                ),
                expected: statement.seq - 1,
                actual: found,
            });
        }
        let json = serde_json::to_string(checkpoint).map_err(|e| Error::Encode {
            path: self.readers.path().to_path_buf(),
            what: format!(
                "checkpoint {} of center {}",
                statement.seq, statement.center
            ),
            detail: e.to_string(),
        })?;
        let ticket = self.writer.send(Op::Events(Write::Checkpoint {
            center: statement.center.clone(),
            seq: statement.seq,
            json,
        }))?;
        ticket.wait().await?;
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        self.writer.barrier().wait().await?;
        let checkpoints = self.readers.read("reading audit checkpoints", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT center, seq, json FROM audit_checkpoints ORDER BY center, seq",
            )?;
            let mut rows = stmt.query([])?;
            let mut checkpoints = Vec::new();
            while let Some(row) = rows.next()? {
                let (center, seq): (String, i64) = (row.get(0)?, row.get(1)?);
                let json = row.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
                let checkpoint = serde_json::from_str(json).map_err(|e| {
                    Fault::Corrupt(
                        format!("checkpoint {seq} of center {center}"),
                        e.to_string(),
                    )
                })?;
                checkpoints.push(checkpoint);
            }
            Ok(checkpoints)
        })?;
        Ok(checkpoints)
    }
}

/// A `cases` row as read, before its counters are checked.
struct RawRecord {
    id: String,
    version: i64,
    applied: i64,
    status: String,
}

impl RawRecord {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawRecord> {
        Ok(RawRecord {
            id: row.get(0)?,
            version: row.get(1)?,
            applied: row.get(2)?,
            status: row.get(3)?,
        })
    }

    fn into_record(self) -> Result<CaseRecord, Fault> {
        let what = || format!("the row of case {}", self.id);
        Ok(CaseRecord {
            version: parse_count(self.version, what)?,
            applied: parse_count(self.applied, what)?,
            status: CaseStatusKind::parse(&self.status).ok_or_else(|| {
                Fault::Corrupt(what(), format!("unknown case status `{}`", self.status))
            })?,
            case: CaseId::from(self.id),
        })
    }
}
