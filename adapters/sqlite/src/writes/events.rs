//! The events store's writes: its changes to the `events` and `cases` tables, sent to the writer
//! thread with the SQL that carries each out inside a batch's transaction.

use greenlane_engine::case::CaseStatusKind;
use greenlane_engine::ids::CaseId;
use rusqlite::{params, Connection};

use crate::codec::int;

/// A change to the `events` and `cases` tables.
#[derive(Debug)]
pub(crate) enum Write {
    /// Events `before + 1 ..` of `case`, as JSON, and the case's new status.
    Append {
        case: CaseId,
        before: u64,
        events: Vec<String>,
        status: CaseStatusKind,
    },
    /// Moves the outbox cursor of `case` forward to `version` (never past its events) if
    /// it is at `from` or beyond.
    MarkApplied {
        case: CaseId,
        from: u64,
        version: u64,
    },
}

impl Write {
    pub(crate) fn run(&self, conn: &Connection) -> rusqlite::Result<()> {
        match self {
            Write::Append {
                case,
                before,
                events,
                status,
            } => {
                let mut insert = conn.prepare_cached(
                    "INSERT INTO events (case_id, seq, json) VALUES (?1, ?2, ?3)",
                )?;
                for (offset, json) in events.iter().enumerate() {
                    let seq = int(before + offset as u64 + 1);
                    insert.execute(params![case.as_str(), seq, json])?;
                }
                let version = int(before + events.len() as u64);
                conn.prepare_cached(
                    "INSERT INTO cases (id, version, applied, status) VALUES (?1, ?2, 0, ?3)
                     ON CONFLICT (id) DO UPDATE SET version = excluded.version,
                                                    status = excluded.status",
                )?
                .execute(params![case.as_str(), version, status.as_str()])?;
            }
            Write::MarkApplied {
                case,
                from,
                version,
            } => {
                conn.prepare_cached(
                    "UPDATE cases SET applied = MAX(applied, MIN(?2, version))
                     WHERE id = ?1 AND applied >= ?3",
                )?
                .execute(params![case.as_str(), int(*version), int(*from)])?;
            }
        }
        Ok(())
    }
}
