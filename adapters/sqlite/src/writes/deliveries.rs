//! The delivery outbox's writes: its rows in `deliveries`, sent to the writer thread with
//! the SQL that carries each out inside a batch's transaction.

use greenlane_runtime::memory::{DeliveryRow, DeliveryState};
use rusqlite::{params, Connection};

use crate::codec;

/// A change to the `deliveries` table.
#[derive(Debug)]
pub(crate) enum Write {
    /// Rows as they now stand.
    Put(Vec<DeliveryRow>),
    /// Rows forgotten.
    Forget(Vec<String>),
}

impl Write {
    pub(crate) fn run(&self, conn: &Connection) -> rusqlite::Result<()> {
        match self {
            Write::Put(rows) => {
                let mut stmt = conn.prepare_cached(
                    "INSERT OR REPLACE INTO deliveries \
                     (id, notification, channel, recipient, payload, created, state, attempts, at, error) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                for row in rows {
                    let d = &row.delivery;
                    let (state, attempts, at, error) = match &row.state {
                        DeliveryState::Pending {
                            attempts,
                            due,
                            error,
                        } => ("pending", *attempts, due, error.as_deref()),
                        DeliveryState::Delivered { at } => ("delivered", 0, at, None),
                        DeliveryState::Dead {
                            attempts,
                            at,
                            error,
                        } => ("dead", *attempts, at, Some(error.as_str())),
                    };
                    stmt.execute(params![
                        d.id,
                        d.notification,
                        d.channel,
                        d.to,
                        d.payload,
                        codec::timestamp(&d.created),
                        state,
                        attempts,
                        codec::timestamp(at),
                        error
                    ])?;
                }
            }
            Write::Forget(ids) => {
                let mut stmt = conn.prepare_cached("DELETE FROM deliveries WHERE id = ?1")?;
                for id in ids {
                    stmt.execute([id])?;
                }
            }
        }
        Ok(())
    }
}
