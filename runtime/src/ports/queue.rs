//! `TaskQueue`: one queue per department. A dispatched task waits until an officer of the
//! department claims it under a lease; an expired lease is found by
//! [`TaskQueue::expired`] and the runtime puts the task back. Operations are idempotent by
//! (case, task), so recovery may repeat them.

use chrono::NaiveDate;
use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId};

use super::Fut;

/// A task of a case: the queue's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskKey {
    /// The case.
    pub case: CaseId,
    /// The task.
    pub task: TaskId,
}

impl TaskKey {
    /// The key of `task` in `case`.
    pub fn new(case: &CaseId, task: &TaskId) -> TaskKey {
        TaskKey {
            case: case.clone(),
            task: task.clone(),
        }
    }
}

/// Who holds a queued task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// Nobody: it can be claimed.
    Free,
    /// An officer, under a lease.
    Lease {
        /// The officer.
        officer: PrincipalId,
        /// When the lease ends unless renewed.
        until: Timestamp,
    },
    /// An officer, with the clock paused (supplement or special procedure): no expiry.
    Held {
        /// The officer.
        officer: PrincipalId,
    },
}

/// A dispatched task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// Case and task.
    pub key: TaskKey,
    /// The deciding department (the queue it is in).
    pub department: DepartmentId,
    /// 承诺时限 due date: claims take the earliest due first.
    pub due: NaiveDate,
    /// When it was dispatched.
    pub dispatched_at: Timestamp,
    /// Who holds it.
    pub holder: Holder,
}

/// Department queues with leases.
pub trait TaskQueue: Send + Sync + 'static {
    /// Adds free entries; an entry already queued is left as it is.
    fn dispatch(&self, entries: &[QueueEntry]) -> impl Fut<()>;

    /// Puts `entry` in the queue exactly as given (recovery), replacing any entry of its key.
    fn restore(&self, entry: &QueueEntry) -> impl Fut<()>;

    /// Takes the free entry of `department` due first (then dispatched first) and leases it
    /// to `officer` until `until`; `None` when nothing is free.
    fn claim_next(
        &self,
        department: &DepartmentId,
        officer: &PrincipalId,
        until: Timestamp,
    ) -> impl Fut<Option<QueueEntry>>;

    /// Leases a named entry to `officer` until `until` (a claim by name or a renewal).
    /// Returns false when the key is not queued.
    fn lease(&self, key: &TaskKey, officer: &PrincipalId, until: Timestamp) -> impl Fut<bool>;

    /// Marks an entry held by `officer` with no expiry (its clock is paused).
    fn hold(&self, key: &TaskKey, officer: &PrincipalId) -> impl Fut<bool>;

    /// Makes an entry free again (released, lease expired, clock running again).
    fn release(&self, key: &TaskKey) -> impl Fut<bool>;

    /// Removes entries (decided or withdrawn); a missing key is not an error.
    fn ack(&self, keys: &[TaskKey]) -> impl Fut<()>;

    /// Leased entries whose lease ended at or before `now`, earliest first, at most `limit`.
    /// They stay leased until the runtime releases them.
    fn expired(&self, now: Timestamp, limit: usize) -> impl Fut<Vec<QueueEntry>>;

    /// Every entry of `department` (free, leased and held), due first: its inbox.
    fn inbox(&self, department: &DepartmentId) -> impl Fut<Vec<QueueEntry>>;

    /// The entry of `key`, if queued.
    fn get(&self, key: &TaskKey) -> impl Fut<Option<QueueEntry>>;

    /// Free entries of `department`.
    fn depth(&self, department: &DepartmentId) -> impl Fut<usize>;

    /// Frees what entries removed earlier still occupy, for a backend that defers it from
    /// `ack` (Redis trims its streams here); returns how many stored records it freed.
    /// Every tick calls it. The default frees nothing: most backends free at `ack`.
    fn compact(&self) -> impl Fut<usize> {
        std::future::ready(Ok(0))
    }
}
