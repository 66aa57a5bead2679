//! Wake-ups for workers of this process: when a task becomes claimable in a department's
//! queue (dispatched or released), one waiting worker of that department is woken, so
//! in-process workers need not poll. Workers elsewhere (other nodes, department systems)
//! poll or use their backend's own blocking read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use greenlane_engine::ids::DepartmentId;
use tokio::sync::Notify;

use super::Runtime;
use crate::memory::lock;
use crate::ports::Backend;

/// One `Notify` per department.
#[derive(Debug, Default)]
pub(super) struct WorkSignals(Mutex<HashMap<DepartmentId, Arc<Notify>>>);

impl WorkSignals {
    fn get(&self, department: &DepartmentId) -> Arc<Notify> {
        lock(&self.0).entry(department.clone()).or_default().clone()
    }

    /// Wakes one worker of `department` (or lets the next one through at once).
    pub(super) fn signal(&self, department: &DepartmentId) {
        self.get(department).notify_one();
    }
}

impl<B: Backend> Runtime<B> {
    /// Waits until a task may be claimable in `department`, or `timeout` passes.
    pub async fn wait_for_work(&self, department: &DepartmentId, timeout: Duration) {
        let notify = self.work.get(department);
        let _ = tokio::time::timeout(timeout, notify.notified()).await;
    }
}
