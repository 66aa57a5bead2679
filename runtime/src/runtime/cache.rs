//! Cases in memory, one async lock each, so commands on one case run one at a time while
//! commands on different cases run side by side. A slot holds `None` until the case is
//! loaded from the event store; closed cases are evicted and reloaded on demand.
//!
//! Beside each case, the next deadline check this process last wrote for it and the case
//! version it was written at: a command that leaves the next check where it was (most
//! claims and approvals) then skips writing it again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use greenlane_engine::case::{CaseState, Timestamp};
use greenlane_engine::ids::CaseId;

use super::Runtime;
use crate::memory::lock;
use crate::ports::Backend;

/// One case's slot.
pub(super) type Slot = Arc<tokio::sync::Mutex<Option<CaseState>>>;

/// The cached cases.
#[derive(Debug, Default)]
pub(super) struct CaseCache {
    slots: Mutex<HashMap<CaseId, Slot>>,
    /// Per case: the version and the next check last written to the deadline index.
    checks: Mutex<HashMap<CaseId, (u64, Option<Timestamp>)>>,
}

impl CaseCache {
    /// The slot of `case`, created empty if there is none.
    pub(super) fn slot(&self, case: &CaseId) -> Slot {
        lock(&self.slots).entry(case.clone()).or_default().clone()
    }

    /// Forgets `case`; the next command reloads it from the event store.
    pub(super) fn evict(&self, case: &CaseId) {
        lock(&self.slots).remove(case);
        self.forget_check(case);
    }

    /// Whether this process wrote `next` as the next check of `case` when the case was at
    /// `version`: then, if nothing was appended since, the deadline index already holds it.
    pub(super) fn check_written(
        &self,
        case: &CaseId,
        version: u64,
        next: Option<Timestamp>,
    ) -> bool {
        lock(&self.checks).get(case) == Some(&(version, next))
    }

    /// Remembers that the deadline index holds `next` for `case` at `version`.
    pub(super) fn remember_check(&self, case: &CaseId, version: u64, next: Option<Timestamp>) {
        lock(&self.checks).insert(case.clone(), (version, next));
    }

    /// Forgets what was written for `case` (its entry was taken, or may have changed).
    pub(super) fn forget_check(&self, case: &CaseId) {
        lock(&self.checks).remove(case);
    }

    /// Cached cases.
    pub(super) fn len(&self) -> usize {
        lock(&self.slots).len()
    }
}

impl<B: Backend> Runtime<B> {
    /// Forgets the cached state of `case`: the next command or read loads it from the
    /// event store. For processes that share the store with other nodes and should not
    /// act on a state those nodes have moved past (a department client): a command decided
    /// on a cached state that is behind is retried only when its append loses the race, so
    /// a rejection decided on such a state would stand.
    pub fn forget(&self, case: &CaseId) {
        self.cases.evict(case);
    }

    /// Forgets every cached case (see [`Runtime::forget`]).
    pub fn forget_all(&self) {
        let cases: Vec<CaseId> = lock(&self.cases.slots).keys().cloned().collect();
        for case in &cases {
            self.cases.evict(case);
        }
    }
}
