//! Wake-ups for workers of this process: every task made claimable in a department's queue
//! here (dispatched or released) adds one permit to that department's count, and a worker
//! waiting for work takes one. A worker that takes a permit before each claim thus finds a
//! task nearly every time, instead of asking an empty queue after each approval. Workers
//! elsewhere (other nodes, department systems) see no permits: they poll, or use their
//! backend's own blocking read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use greenlane_engine::ids::DepartmentId;
use tokio::sync::Semaphore;

use super::Runtime;
use crate::memory::lock;
use crate::ports::Backend;

/// Permits kept at most per department: a process whose tasks are claimed elsewhere (an
/// HTTP node without workers) must not count forever.
const MAX_PERMITS: usize = 1 << 20;

/// One permit count per department.
#[derive(Debug, Default)]
pub(super) struct WorkSignals(Mutex<HashMap<DepartmentId, Arc<Semaphore>>>);

impl WorkSignals {
    fn get(&self, department: &DepartmentId) -> Arc<Semaphore> {
        lock(&self.0)
            .entry(department.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(0)))
            .clone()
    }

    /// One more task of `department` may be claimable: one waiting worker goes (or the
    /// next one to wait goes at once).
    pub(super) fn signal(&self, department: &DepartmentId) {
        let permits = self.get(department);
        if permits.available_permits() < MAX_PERMITS {
            permits.add_permits(1);
        }
    }

    /// A task of `department` was claimed without waiting (claimed with a decision): the
    /// permit its dispatch gave, if any is left, is used up.
    pub(super) fn took(&self, department: &DepartmentId) {
        if let Ok(permit) = self.get(department).try_acquire() {
            permit.forget();
        }
    }
}

impl<B: Backend> Runtime<B> {
    /// Waits until a task may be claimable in `department` (a permit is taken), or
    /// `timeout` passes; returns whether a permit was taken. Claim after it either way:
    /// a timeout only means no task was made claimable by this process.
    pub async fn wait_for_work(&self, department: &DepartmentId, timeout: Duration) -> bool {
        let permits = self.work.get(department);
        let taken = match tokio::time::timeout(timeout, permits.acquire()).await {
            Ok(Ok(permit)) => {
                permit.forget();
                true
            }
            _ => false,
        };
        taken
    }
}
