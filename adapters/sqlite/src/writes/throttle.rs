//! The access-code throttle's writes: its rows in `throttle_cases` and `throttle_clients`,
//! sent to the writer thread with the SQL that carries each out inside a batch's
//! transaction.

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;
use rusqlite::{params, Connection};

use crate::codec;

/// A change to the throttle's tables.
#[derive(Debug)]
pub(crate) enum Write {
    /// Sets a case's count and a client's count after one wrong code.
    Failure {
        /// The case.
        case: CaseId,
        /// Its wrong codes.
        count: u32,
        /// The last one.
        last: Timestamp,
        /// The client.
        client: String,
        /// The client's window.
        window: Timestamp,
        /// Its wrong codes in the window.
        client_count: u32,
    },
    /// Forgets a case's count.
    Reset(CaseId),
}

impl Write {
    pub(crate) fn run(&self, conn: &Connection) -> rusqlite::Result<()> {
        match self {
            Write::Failure {
                case,
                count,
                last,
                client,
                window,
                client_count,
            } => {
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO throttle_cases (case_id, failures, last) \
                     VALUES (?1, ?2, ?3)",
                )?
                .execute(params![case.as_str(), count, codec::timestamp(last)])?;
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO throttle_clients (client, window, failures) \
                     VALUES (?1, ?2, ?3)",
                )?
                .execute(params![
                    client,
                    codec::timestamp(window),
                    client_count
                ])?;
            }
            Write::Reset(case) => {
                conn.prepare_cached("DELETE FROM throttle_cases WHERE case_id = ?1")?
                    .execute([case.as_str()])?;
            }
        }
        Ok(())
    }
}
