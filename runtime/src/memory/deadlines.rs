//! In-memory deadline index: a map from case to instant plus an ordered set of
//! (instant, case), so the due entries are the set's first ones.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;

use super::lock;
use crate::ports::DeadlineIndex;
use crate::StoreError;

/// The ordered index itself, without locking; O(log n) per operation.
#[derive(Debug, Default)]
pub struct DeadlineSet {
    by_case: HashMap<CaseId, Timestamp>,
    by_time: BTreeSet<(Timestamp, CaseId)>,
}

impl DeadlineSet {
    /// Sets the entry of `case`; returns false when it was already exactly `at`.
    pub fn schedule(&mut self, case: &CaseId, at: Timestamp) -> bool {
        match self.by_case.insert(case.clone(), at) {
            Some(old) if old == at => false,
            Some(old) => {
                self.by_time.remove(&(old, case.clone()));
                self.by_time.insert((at, case.clone()));
                true
            }
            None => {
                self.by_time.insert((at, case.clone()));
                true
            }
        }
    }

    /// Removes the entry of `case`; returns whether there was one.
    pub fn cancel(&mut self, case: &CaseId) -> bool {
        match self.by_case.remove(case) {
            Some(at) => {
                self.by_time.remove(&(at, case.clone()));
                true
            }
            None => false,
        }
    }

    /// Removes and returns the entries due at or before `now`, at most `limit`.
    pub fn take_due(&mut self, now: Timestamp, limit: usize) -> Vec<(CaseId, Timestamp)> {
        let mut due = Vec::new();
        while due.len() < limit {
            match self.by_time.first() {
                Some((at, _)) if *at <= now => {
                    let (at, case) = self.by_time.pop_first().expect("first exists");
                    self.by_case.remove(&case);
                    due.push((case, at));
                }
                _ => break,
            }
        }
        due
    }

    /// The entry of `case`.
    pub fn get(&self, case: &CaseId) -> Option<Timestamp> {
        self.by_case.get(case).copied()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.by_case.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.by_case.is_empty()
    }
}

/// The deadline index in memory.
#[derive(Debug, Default)]
pub struct MemoryDeadlines(Mutex<DeadlineSet>);

impl DeadlineIndex for MemoryDeadlines {
    async fn schedule(&self, case: &CaseId, at: Timestamp) -> Result<(), StoreError> {
        lock(&self.0).schedule(case, at);
        Ok(())
    }

    async fn cancel(&self, case: &CaseId) -> Result<(), StoreError> {
        lock(&self.0).cancel(case);
        Ok(())
    }

    async fn take_due(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<(CaseId, Timestamp)>, StoreError> {
        Ok(lock(&self.0).take_due(now, limit))
    }

    async fn get(&self, case: &CaseId) -> Result<Option<Timestamp>, StoreError> {
        Ok(lock(&self.0).get(case))
    }

    async fn len(&self) -> Result<usize, StoreError> {
        Ok(lock(&self.0).len())
    }
}
