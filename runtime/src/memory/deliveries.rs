//! The delivery outbox in memory ([`MemoryDeliveries`]), and the table it keeps
//! ([`DeliveryTable`]), which the SQLite adapter also keeps in memory and writes through:
//! every change answers the row it leaves, or that the row is gone.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use greenlane_engine::case::Timestamp;

use super::lock;
use crate::ports::{DeadLetter, Delivery, DeliveryOutbox, OutboxCounts, Pending};
use crate::StoreError;

/// Where a delivery stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryState {
    /// To be sent at `due` (a lease moves `due` to the lease's end).
    Pending {
        /// Failed attempts so far.
        attempts: u32,
        /// When it is due.
        due: Timestamp,
        /// Why the last attempt failed.
        error: Option<String>,
    },
    /// Sent.
    Delivered {
        /// When.
        at: Timestamp,
    },
    /// Failed its last attempt.
    Dead {
        /// Attempts made.
        attempts: u32,
        /// When the last failed.
        at: Timestamp,
        /// Why.
        error: String,
    },
}

/// One delivery and where it stands: a row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// The delivery.
    pub delivery: Delivery,
    /// Its state.
    pub state: DeliveryState,
}

/// Every delivery by id, with the pending ones ordered by due time and the dead ones by
/// failure time.
#[derive(Debug, Default, Clone)]
pub struct DeliveryTable {
    rows: HashMap<String, DeliveryRow>,
    due: BTreeSet<(Timestamp, String)>,
    dead: BTreeSet<(Timestamp, String)>,
    delivered: BTreeSet<(Timestamp, String)>,
}

impl DeliveryTable {
    /// A table holding `rows` (as read back from a store).
    pub fn from_rows(rows: impl IntoIterator<Item = DeliveryRow>) -> DeliveryTable {
        let mut table = DeliveryTable::default();
        for row in rows {
            table.put(row);
        }
        table
    }

    fn put(&mut self, row: DeliveryRow) {
        self.unindex(&row.delivery.id);
        let id = row.delivery.id.clone();
        match &row.state {
            DeliveryState::Pending { due, .. } => self.due.insert((*due, id.clone())),
            DeliveryState::Delivered { at } => self.delivered.insert((*at, id.clone())),
            DeliveryState::Dead { at, .. } => self.dead.insert((*at, id.clone())),
        };
        self.rows.insert(id, row);
    }

    fn unindex(&mut self, id: &str) {
        if let Some(old) = self.rows.get(id) {
            let key = |at: &Timestamp| (*at, id.to_string());
            match &old.state {
                DeliveryState::Pending { due, .. } => self.due.remove(&key(due)),
                DeliveryState::Delivered { at } => self.delivered.remove(&key(at)),
                DeliveryState::Dead { at, .. } => self.dead.remove(&key(at)),
            };
        }
    }

    /// Adds the deliveries not known yet; answers the rows added.
    pub fn enqueue(&mut self, deliveries: &[Delivery]) -> Vec<DeliveryRow> {
        let mut added = Vec::new();
        for delivery in deliveries {
            if self.rows.contains_key(&delivery.id) {
                continue;
            }
            let row = DeliveryRow {
                delivery: delivery.clone(),
                state: DeliveryState::Pending {
                    attempts: 0,
                    due: delivery.created,
                    error: None,
                },
            };
            self.put(row.clone());
            added.push(row);
        }
        added
    }

    /// Leases up to `limit` due deliveries until `until`; answers them and their new rows.
    pub fn lease(
        &mut self,
        now: Timestamp,
        until: Timestamp,
        limit: usize,
    ) -> (Vec<Pending>, Vec<DeliveryRow>) {
        let ids: Vec<String> = self
            .due
            .iter()
            .take_while(|(due, _)| *due <= now)
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect();
        let mut leased = Vec::with_capacity(ids.len());
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(mut row) = self.rows.get(&id).cloned() else {
                continue;
            };
            if let DeliveryState::Pending {
                attempts, error, ..
            } = row.state.clone()
            {
                leased.push(Pending {
                    delivery: row.delivery.clone(),
                    attempts,
                    last_error: error.clone(),
                });
                row.state = DeliveryState::Pending {
                    attempts,
                    due: until,
                    error,
                };
                self.put(row.clone());
                rows.push(row);
            }
        }
        (leased, rows)
    }

    /// Sets the state of a known delivery; answers its new row, or `None` if `id` is
    /// unknown.
    pub fn set(&mut self, id: &str, state: DeliveryState) -> Option<DeliveryRow> {
        let mut row = self.rows.get(id)?.clone();
        row.state = state;
        self.put(row.clone());
        Some(row)
    }

    /// Makes dead letter `id` pending again at `now`; answers its new row.
    pub fn revive(&mut self, id: &str, now: Timestamp) -> Option<DeliveryRow> {
        match self.rows.get(id)?.state {
            DeliveryState::Dead { .. } => self.set(
                id,
                DeliveryState::Pending {
                    attempts: 0,
                    due: now,
                    error: None,
                },
            ),
            _ => None,
        }
    }

    /// Forgets the deliveries delivered before `before`; answers their ids.
    pub fn forget_delivered(&mut self, before: Timestamp) -> Vec<String> {
        let old: Vec<(Timestamp, String)> = self
            .delivered
            .iter()
            .take_while(|(at, _)| *at < before)
            .cloned()
            .collect();
        for key in &old {
            self.delivered.remove(key);
            self.rows.remove(&key.1);
        }
        old.into_iter().map(|(_, id)| id).collect()
    }

    /// The dead letters, the oldest failure first.
    pub fn dead_letters(&self, limit: usize) -> Vec<DeadLetter> {
        self.dead
            .iter()
            .take(limit)
            .filter_map(|(_, id)| {
                let row = self.rows.get(id)?;
                match &row.state {
                    DeliveryState::Dead {
                        attempts,
                        at,
                        error,
                    } => Some(DeadLetter {
                        delivery: row.delivery.clone(),
                        attempts: *attempts,
                        failed_at: *at,
                        error: error.clone(),
                    }),
                    _ => None,
                }
            })
            .collect()
    }

    /// How many wait and how many are dead.
    pub fn counts(&self) -> OutboxCounts {
        OutboxCounts {
            pending: self.due.len() as u64,
            dead: self.dead.len() as u64,
        }
    }
}

/// The delivery outbox in process memory.
#[derive(Debug, Default)]
pub struct MemoryDeliveries {
    table: Mutex<DeliveryTable>,
}

impl DeliveryOutbox for MemoryDeliveries {
    async fn enqueue(&self, deliveries: &[Delivery]) -> Result<usize, StoreError> {
        Ok(lock(&self.table).enqueue(deliveries).len())
    }

    async fn lease(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: usize,
    ) -> Result<Vec<Pending>, StoreError> {
        Ok(lock(&self.table).lease(now, until, limit).0)
    }

    async fn delivered(&self, id: &str, at: Timestamp) -> Result<(), StoreError> {
        lock(&self.table).set(id, DeliveryState::Delivered { at });
        Ok(())
    }

    async fn retry(
        &self,
        id: &str,
        attempts: u32,
        at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        lock(&self.table).set(
            id,
            DeliveryState::Pending {
                attempts,
                due: at,
                error: Some(error.to_string()),
            },
        );
        Ok(())
    }

    async fn bury(
        &self,
        id: &str,
        attempts: u32,
        at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        lock(&self.table).set(
            id,
            DeliveryState::Dead {
                attempts,
                at,
                error: error.to_string(),
            },
        );
        Ok(())
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        Ok(lock(&self.table).dead_letters(limit))
    }

    async fn revive(&self, id: &str, now: Timestamp) -> Result<bool, StoreError> {
        Ok(lock(&self.table).revive(id, now).is_some())
    }

    async fn forget_delivered(&self, before: Timestamp) -> Result<usize, StoreError> {
        Ok(lock(&self.table).forget_delivered(before).len())
    }

    async fn counts(&self) -> Result<OutboxCounts, StoreError> {
        Ok(lock(&self.table).counts())
    }
}
