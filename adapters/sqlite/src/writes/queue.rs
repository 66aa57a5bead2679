//! The queue store's writes: its changes to the `queue` table, sent to the writer
//! thread with the SQL that carries each out inside a batch's transaction.

use greenlane_runtime::ports::{Holder, QueueEntry, TaskKey};
use rusqlite::{params, Connection};

use crate::codec;

/// A change to the `queue` table.
#[derive(Debug)]
pub(crate) enum Write {
    /// Entries added or replaced, each with its dispatch order number.
    Put(Vec<(QueueEntry, u64)>),
    /// A new holder for a queued entry.
    Holder(TaskKey, Holder),
    /// Entries removed.
    Delete(Vec<TaskKey>),
}

impl Write {
    pub(crate) fn run(&self, conn: &Connection) -> rusqlite::Result<()> {
        match self {
            Write::Put(entries) => {
                let mut put = conn.prepare_cached(
                    "INSERT OR REPLACE INTO queue (case_id, task_id, department, due,
                         dispatched_at, holder, officer, lease_until, seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?;
                for (entry, seq) in entries {
                    let (kind, officer, until) = codec::holder(&entry.holder);
                    put.execute(params![
                        entry.key.case.as_str(),
                        entry.key.task.as_str(),
                        entry.department.as_str(),
                        codec::date(entry.due),
                        codec::timestamp(&entry.dispatched_at),
                        kind,
                        officer,
                        until,
                        codec::int(*seq),
                    ])?;
                }
            }
            Write::Holder(key, holder) => {
                let (kind, officer, until) = codec::holder(holder);
                conn.prepare_cached(
                    "UPDATE queue SET holder = ?3, officer = ?4, lease_until = ?5
                     WHERE case_id = ?1 AND task_id = ?2",
                )?
                .execute(params![
                    key.case.as_str(),
                    key.task.as_str(),
                    kind,
                    officer,
                    until
                ])?;
            }
            Write::Delete(keys) => {
                let mut delete =
                    conn.prepare_cached("DELETE FROM queue WHERE case_id = ?1 AND task_id = ?2")?;
                for key in keys {
                    delete.execute(params![key.case.as_str(), key.task.as_str()])?;
                }
            }
        }
        Ok(())
    }
}
