//! The events store's writes: its changes to the `events` and `cases` tables, sent to the writer
//! thread with the SQL that carries each out inside a batch's transaction.

use greenlane_engine::audit::Digest;
use greenlane_engine::case::CaseStatusKind;
use greenlane_engine::ids::CaseId;
use rusqlite::{params, Connection};

use crate::codec::int;

/// A change to the `events` and `cases` tables.
#[derive(Debug)]
pub(crate) enum Write {
    /// Events `before + 1 ..` of `case`, as JSON, each with its chain hashes (of the
    /// record before it, of itself), and the case's new status.
    Append {
        case: CaseId,
        before: u64,
        events: Vec<String>,
        links: Vec<(Digest, Digest)>,
        status: CaseStatusKind,
    },
    /// Stores a signed checkpoint (`json`) of `center` numbered `seq`; one already stored
    /// under that number stays (the store checks before it sends this).
    Checkpoint {
        center: String,
        seq: u64,
        json: String,
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
                links,
                status,
            } => {
                let mut insert = conn.prepare_cached(
                    "INSERT INTO events (case_id, seq, json, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for (offset, (json, (prev, hash))) in events.iter().zip(links).enumerate() {
                    let seq = int(before + offset as u64 + 1);
                    insert.execute(params![case.as_str(), seq, json, &prev[..], &hash[..]])?;
                }
                let version = int(before + events.len() as u64);
                let head = links.last().map(|(_, hash)| &hash[..]);
                conn.prepare_cached(
                    "INSERT INTO cases (id, version, applied, status, head) VALUES (?1, ?2, 0, ?3, ?4)
                     ON CONFLICT (id) DO UPDATE SET version = excluded.version,
                                                    status = excluded.status,
                                                    head = excluded.head",
                )?
                .execute(params![case.as_str(), version, status.as_str(), head])?;
            }
            Write::Checkpoint { center, seq, json } => {
                conn.prepare_cached(
                    "INSERT OR IGNORE INTO audit_checkpoints (center, seq, json) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![center, int(*seq), json])?;
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
