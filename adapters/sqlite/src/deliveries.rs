//! The delivery outbox: the runtime's [`DeliveryTable`] in memory answers, and each change
//! is written through to `deliveries` in the writer's ordered stream under the same lock,
//! acknowledged after its commit, so a delivery enqueued is never lost to a restart. A
//! lease is written too: a restart before it ends sends the delivery again (at least once).

use std::sync::{Arc, Mutex};

use greenlane_engine::case::Timestamp;
use greenlane_runtime::memory::{DeliveryRow, DeliveryState, DeliveryTable};
use greenlane_runtime::ports::{DeadLetter, Delivery, DeliveryOutbox, Fut, OutboxCounts, Pending};
use greenlane_runtime::StoreError;
use rusqlite::Connection;

use crate::codec;
use crate::error::{sql, Error, Fault};
use crate::readers::Readers;
use crate::sync::lock;
use crate::writer::{settle, Op, Ticket, Writer};
use crate::writes::deliveries::Write;

/// The delivery outbox, in memory and written through to the file.
#[derive(Debug)]
pub struct SqliteDeliveries {
    table: Mutex<DeliveryTable>,
    writer: Arc<Writer>,
}

impl SqliteDeliveries {
    /// Reads the outbox's rows into memory.
    pub(crate) fn load(
        conn: &Connection,
        writer: Arc<Writer>,
        readers: &Readers,
    ) -> Result<SqliteDeliveries, Error> {
        let path = readers.path();
        let doing = "loading the delivery outbox";
        let mut stmt = conn
            .prepare(
                "SELECT id, notification, channel, recipient, payload, created, state, \
                 attempts, at, error FROM deliveries",
            )
            .map_err(sql(path, doing))?;
        let mut rows = stmt.query([]).map_err(sql(path, doing))?;
        let mut read_rows = Vec::new();
        while let Some(row) = rows.next().map_err(sql(path, doing))? {
            let read = || -> Result<DeliveryRow, Fault> {
                let id: String = row.get(0)?;
                let time = |index: usize, what: &str| -> Result<Timestamp, Fault> {
                    let text = row
                        .get_ref(index)?
                        .as_str()
                        .map_err(rusqlite::Error::from)?;
                    codec::parse_timestamp(text, || format!("the {what} of delivery {id}"))
                };
                let created = time(5, "creation time")?;
                let at = time(8, "time")?;
                let state: String = row.get(6)?;
                let attempts: u32 = row.get(7)?;
                let error: Option<String> = row.get(9)?;
                let state = match state.as_str() {
                    "pending" => DeliveryState::Pending {
                        attempts,
                        due: at,
                        error,
                    },
                    "delivered" => DeliveryState::Delivered { at },
                    _ => DeliveryState::Dead {
                        attempts,
                        at,
                        error: error.unwrap_or_default(),
                    },
                };
                Ok(DeliveryRow {
                    delivery: Delivery {
                        notification: row.get(1)?,
                        channel: row.get(2)?,
                        to: row.get(3)?,
                        payload: row.get(4)?,
                        created,
                        id: id.clone(),
                    },
                    state,
                })
            };
            read_rows.push(read().map_err(|f| f.at(path, doing))?);
        }
        Ok(SqliteDeliveries {
            table: Mutex::new(DeliveryTable::from_rows(read_rows)),
            writer,
        })
    }

    /// Changes the table under its lock and sends the rows the change left to the writer.
    fn change<T>(
        &self,
        change: impl FnOnce(&mut DeliveryTable) -> (T, Write),
    ) -> Result<(T, Option<Ticket>), StoreError> {
        (|| -> Result<_, Error> {
            self.writer.usable()?;
            let mut table = lock(&self.table);
            let (answer, write) = change(&mut table);
            let empty = match &write {
                Write::Put(rows) => rows.is_empty(),
                Write::Forget(ids) => ids.is_empty(),
            };
            let ticket = if empty {
                None
            } else {
                Some(self.writer.send(Op::Deliveries(write))?)
            };
            Ok((answer, ticket))
        })()
        .map_err(StoreError::from)
    }

    fn set(&self, id: &str, state: DeliveryState) -> Result<((), Option<Ticket>), StoreError> {
        self.change(|table| ((), Write::Put(table.set(id, state).into_iter().collect())))
    }
}

impl DeliveryOutbox for SqliteDeliveries {
    fn enqueue(&self, deliveries: &[Delivery]) -> impl Fut<usize> {
        settle(self.change(|table| {
            let added = table.enqueue(deliveries);
            (added.len(), Write::Put(added))
        }))
    }

    fn lease(&self, now: Timestamp, until: Timestamp, limit: usize) -> impl Fut<Vec<Pending>> {
        settle(self.change(|table| {
            let (leased, rows) = table.lease(now, until, limit);
            (leased, Write::Put(rows))
        }))
    }

    fn delivered(&self, id: &str, at: Timestamp) -> impl Fut<()> {
        settle(self.set(id, DeliveryState::Delivered { at }))
    }

    fn retry(&self, id: &str, attempts: u32, at: Timestamp, error: &str) -> impl Fut<()> {
        settle(self.set(
            id,
            DeliveryState::Pending {
                attempts,
                due: at,
                error: Some(error.to_string()),
            },
        ))
    }

    fn bury(&self, id: &str, attempts: u32, at: Timestamp, error: &str) -> impl Fut<()> {
        settle(self.set(
            id,
            DeliveryState::Dead {
                attempts,
                at,
                error: error.to_string(),
            },
        ))
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        Ok(lock(&self.table).dead_letters(limit))
    }

    fn revive(&self, id: &str, now: Timestamp) -> impl Fut<bool> {
        settle(self.change(|table| {
            let row = table.revive(id, now);
            (row.is_some(), Write::Put(row.into_iter().collect()))
        }))
    }

    fn forget_delivered(&self, before: Timestamp) -> impl Fut<usize> {
        settle(self.change(|table| {
            let ids = table.forget_delivered(before);
            (ids.len(), Write::Forget(ids))
        }))
    }

    async fn counts(&self) -> Result<OutboxCounts, StoreError> {
        Ok(lock(&self.table).counts())
    }
}
