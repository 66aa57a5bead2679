//! Cases in memory, one async lock each, so commands on one case run one at a time while
//! commands on different cases run side by side. A slot holds `None` until the case is
//! loaded from the event store; closed cases are evicted and reloaded on demand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use greenlane_engine::case::CaseState;
use greenlane_engine::ids::CaseId;

use crate::memory::lock;

/// One case's slot.
pub(super) type Slot = Arc<tokio::sync::Mutex<Option<CaseState>>>;

/// The cached cases.
#[derive(Debug, Default)]
pub(super) struct CaseCache {
    slots: Mutex<HashMap<CaseId, Slot>>,
}

impl CaseCache {
    /// The slot of `case`, created empty if there is none.
    pub(super) fn slot(&self, case: &CaseId) -> Slot {
        lock(&self.slots).entry(case.clone()).or_default().clone()
    }

    /// Forgets `case`; the next command reloads it from the event store.
    pub(super) fn evict(&self, case: &CaseId) {
        lock(&self.slots).remove(case);
    }

    /// Cached cases.
    pub(super) fn len(&self) -> usize {
        lock(&self.slots).len()
    }
}
