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

use greenlane_engine::case::Recorded;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::{CaseIndex, CaseRecord, EventStream, Fut, OutboxCursor, Unapplied};
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
    /// Every case's version, including appends sent and not yet committed.
    versions: Mutex<HashMap<CaseId, u64>>,
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
            .prepare("SELECT id, version FROM cases")
            .map_err(sql(path, doing))?;
        let mut rows = stmt.query([]).map_err(sql(path, doing))?;
        while let Some(row) = rows.next().map_err(sql(path, doing))? {
            let read = || -> Result<(CaseId, u64), Fault> {
                let id: String = row.get(0)?;
                let version = parse_count(row.get(1)?, || format!("the version of case {id}"))?;
                Ok((CaseId::from(id), version))
            };
            let (case, version) = read().map_err(|f| f.at(path, doing))?;
            versions.insert(case, version);
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
        let mut versions = lock(&self.versions);
        let actual = versions.get(case).copied().unwrap_or(0);
        if actual != expected {
            return Err(StoreError::Conflict {
                what: case.to_string(),
                expected,
                actual,
            });
        }
        let version = expected + events.len() as u64;
        let ticket = self.writer.send(Op::Events(Write::Append {
            case: case.clone(),
            before: expected,
            events: encoded,
            status,
        }))?;
        versions.insert(case.clone(), version);
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
