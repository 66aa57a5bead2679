//! The deadlines store's writes: its changes to the `deadlines` table, sent to the writer
//! thread with the SQL that carries each out inside a batch's transaction.

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;
use rusqlite::{params, Connection};

use crate::codec;

/// A change to the `deadlines` table.
#[derive(Debug)]
pub(crate) enum Write {
    /// Sets the entry of a case.
    Put(CaseId, Timestamp),
    /// Removes the entries of cases.
    Delete(Vec<CaseId>),
}

impl Write {
    pub(crate) fn run(&self, conn: &Connection) -> rusqlite::Result<()> {
        match self {
            Write::Put(case, at) => {
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO deadlines (case_id, at) VALUES (?1, ?2)",
                )?
                .execute(params![case.as_str(), codec::timestamp(at)])?;
            }
            Write::Delete(cases) => {
                let mut delete = conn.prepare_cached("DELETE FROM deadlines WHERE case_id = ?1")?;
                for case in cases {
                    delete.execute([case.as_str()])?;
                }
            }
        }
        Ok(())
    }
}
