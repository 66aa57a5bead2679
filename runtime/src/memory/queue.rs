//! In-memory department queues: every entry by key, and ordered sets for what each query
//! needs — a department's free entries (due first, then dispatch order) for claims, all of
//! a department's entries for its inbox, and leases by expiry for [`QueueIndex::expired`].

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use chrono::NaiveDate;
use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::{DepartmentId, PrincipalId};

use super::lock;
use crate::ports::{Holder, QueueEntry, TaskKey, TaskQueue};
use crate::StoreError;

type Order = (NaiveDate, u64, TaskKey);

/// The queue index itself, without locking; O(log n) per operation.
#[derive(Debug, Default)]
pub struct QueueIndex {
    entries: HashMap<TaskKey, (QueueEntry, u64)>,
    free: HashMap<DepartmentId, BTreeSet<Order>>,
    all: HashMap<DepartmentId, BTreeSet<Order>>,
    leases: BTreeSet<(Timestamp, u64, TaskKey)>,
    next_seq: u64,
}

impl QueueIndex {
    /// Adds `entry` if its key is not queued; returns whether it was added.
    pub fn dispatch(&mut self, entry: &QueueEntry) -> bool {
        if self.entries.contains_key(&entry.key) {
            return false;
        }
        self.insert(entry.clone());
        true
    }

    /// Puts `entry` exactly as given, replacing any entry of its key.
    pub fn restore(&mut self, entry: &QueueEntry) {
        self.remove(&entry.key);
        self.insert(entry.clone());
    }

    /// Leases the free entry of `department` due first to `officer`.
    pub fn claim_next(
        &mut self,
        department: &DepartmentId,
        officer: &PrincipalId,
        until: Timestamp,
    ) -> Option<QueueEntry> {
        let (_, _, key) = self.free.get(department)?.first()?.clone();
        self.set_holder(
            &key,
            Holder::Lease {
                officer: officer.clone(),
                until,
            },
        )
    }

    /// Leases the entry of `key` to `officer` until `until`.
    pub fn lease(&mut self, key: &TaskKey, officer: &PrincipalId, until: Timestamp) -> bool {
        let holder = Holder::Lease {
            officer: officer.clone(),
            until,
        };
        self.set_holder(key, holder).is_some()
    }

    /// Holds the entry of `key` for `officer` with no expiry.
    pub fn hold(&mut self, key: &TaskKey, officer: &PrincipalId) -> bool {
        let holder = Holder::Held {
            officer: officer.clone(),
        };
        self.set_holder(key, holder).is_some()
    }

    /// Frees the entry of `key`.
    pub fn release(&mut self, key: &TaskKey) -> bool {
        self.set_holder(key, Holder::Free).is_some()
    }

    /// Removes the entry of `key`; returns whether there was one.
    pub fn ack(&mut self, key: &TaskKey) -> bool {
        self.remove(key).is_some()
    }

    /// Leased entries whose lease ended at or before `now`.
    pub fn expired(&self, now: Timestamp, limit: usize) -> Vec<QueueEntry> {
        self.leases
            .iter()
            .take_while(|(until, _, _)| *until <= now)
            .take(limit)
            .filter_map(|(_, _, key)| self.entries.get(key).map(|(e, _)| e.clone()))
            .collect()
    }

    /// Every entry of `department`, due first.
    pub fn inbox(&self, department: &DepartmentId) -> Vec<QueueEntry> {
        self.all
            .get(department)
            .into_iter()
            .flatten()
            .filter_map(|(_, _, key)| self.entries.get(key).map(|(e, _)| e.clone()))
            .collect()
    }

    /// The entry of `key`.
    pub fn get(&self, key: &TaskKey) -> Option<QueueEntry> {
        self.entries.get(key).map(|(e, _)| e.clone())
    }

    /// Free entries of `department`.
    pub fn depth(&self, department: &DepartmentId) -> usize {
        self.free.get(department).map_or(0, BTreeSet::len)
    }

    /// Number of entries in every queue.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether every queue is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn insert(&mut self, entry: QueueEntry) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let order = (entry.due, seq, entry.key.clone());
        self.all
            .entry(entry.department.clone())
            .or_default()
            .insert(order.clone());
        self.index_holder(&entry, seq);
        self.entries.insert(entry.key.clone(), (entry, seq));
    }

    fn remove(&mut self, key: &TaskKey) -> Option<QueueEntry> {
        let (entry, seq) = self.entries.remove(key)?;
        let order = (entry.due, seq, key.clone());
        if let Some(all) = self.all.get_mut(&entry.department) {
            all.remove(&order);
        }
        self.unindex_holder(&entry, seq);
        Some(entry)
    }

    /// Changes the holder of `key`, keeping its place in the order; returns the entry.
    fn set_holder(&mut self, key: &TaskKey, holder: Holder) -> Option<QueueEntry> {
        let (entry, seq) = self.entries.get(key)?.clone();
        self.unindex_holder(&entry, seq);
        let entry = QueueEntry { holder, ..entry };
        self.index_holder(&entry, seq);
        self.entries.insert(key.clone(), (entry.clone(), seq));
        Some(entry)
    }

    fn index_holder(&mut self, entry: &QueueEntry, seq: u64) {
        match &entry.holder {
            Holder::Free => {
                self.free
                    .entry(entry.department.clone())
                    .or_default()
                    .insert((entry.due, seq, entry.key.clone()));
            }
            Holder::Lease { until, .. } => {
                self.leases.insert((*until, seq, entry.key.clone()));
            }
            Holder::Held { .. } => {}
        }
    }

    fn unindex_holder(&mut self, entry: &QueueEntry, seq: u64) {
        match &entry.holder {
            Holder::Free => {
                if let Some(free) = self.free.get_mut(&entry.department) {
                    free.remove(&(entry.due, seq, entry.key.clone()));
                }
            }
            Holder::Lease { until, .. } => {
                self.leases.remove(&(*until, seq, entry.key.clone()));
            }
            Holder::Held { .. } => {}
        }
    }
}

/// The queues in memory.
#[derive(Debug, Default)]
pub struct MemoryQueue(Mutex<QueueIndex>);

impl TaskQueue for MemoryQueue {
    async fn dispatch(&self, entries: &[QueueEntry]) -> Result<(), StoreError> {
        let mut index = lock(&self.0);
        for entry in entries {
            index.dispatch(entry);
        }
        Ok(())
    }

    async fn restore(&self, entry: &QueueEntry) -> Result<(), StoreError> {
        lock(&self.0).restore(entry);
        Ok(())
    }

    async fn claim_next(
        &self,
        department: &DepartmentId,
        officer: &PrincipalId,
        until: Timestamp,
    ) -> Result<Option<QueueEntry>, StoreError> {
        Ok(lock(&self.0).claim_next(department, officer, until))
    }

    async fn lease(
        &self,
        key: &TaskKey,
        officer: &PrincipalId,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(lock(&self.0).lease(key, officer, until))
    }

    async fn hold(&self, key: &TaskKey, officer: &PrincipalId) -> Result<bool, StoreError> {
        Ok(lock(&self.0).hold(key, officer))
    }

    async fn release(&self, key: &TaskKey) -> Result<bool, StoreError> {
        Ok(lock(&self.0).release(key))
    }

    async fn ack(&self, keys: &[TaskKey]) -> Result<(), StoreError> {
        let mut index = lock(&self.0);
        for key in keys {
            index.ack(key);
        }
        Ok(())
    }

    async fn expired(&self, now: Timestamp, limit: usize) -> Result<Vec<QueueEntry>, StoreError> {
        Ok(lock(&self.0).expired(now, limit))
    }

    async fn inbox(&self, department: &DepartmentId) -> Result<Vec<QueueEntry>, StoreError> {
        Ok(lock(&self.0).inbox(department))
    }

    async fn get(&self, key: &TaskKey) -> Result<Option<QueueEntry>, StoreError> {
        Ok(lock(&self.0).get(key))
    }

    async fn depth(&self, department: &DepartmentId) -> Result<usize, StoreError> {
        Ok(lock(&self.0).depth(department))
    }
}
