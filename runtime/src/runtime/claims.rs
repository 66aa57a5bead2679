//! Claims: an officer takes the next task of the department's queue (due first), or a named
//! one; the claim is recorded on the case as a lease. Queue entries that no longer match
//! their case (decided meanwhile, or a lease the queue lost) are repaired on the way.

use chrono::Duration;
use greenlane_engine::case::{Command, Rejection, TaskStatus, Timestamp};
use greenlane_engine::ids::{CaseId, TaskId};
use greenlane_engine::principal::Principal;

use super::{Origin, Runtime};
use crate::ports::{Backend, EventStore, Holder, QueueEntry, TaskKey, TaskQueue};
use crate::RuntimeError;

/// A task an officer now holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedTask {
    /// The case.
    pub case: CaseId,
    /// The task.
    pub task: TaskId,
    /// When the lease ends unless renewed.
    pub lease_until: Timestamp,
}

/// Stale entries skipped per claim before giving up for this call.
const MAX_SKIPS: usize = 64;

impl<B: Backend> Runtime<B> {
    /// Claims the next task of `officer`'s department; `None` when the queue is empty.
    pub async fn claim_next(
        &self,
        officer: &Principal,
        lease: Option<Duration>,
    ) -> Result<Option<ClaimedTask>, RuntimeError> {
        self.claim_next_via(officer, lease, |_| self).await
    }

    /// [`Runtime::claim_next`] where the claim is recorded by the node that `owner` names
    /// for the entry's case (several nodes on one shared store, each case's commands routed
    /// to one node so that its cached copy is never behind): this node takes the entry from
    /// the shared queue, the owner decides and appends the claim.
    pub async fn claim_next_via<'a>(
        &'a self,
        officer: &Principal,
        lease: Option<Duration>,
        owner: impl Fn(&CaseId) -> &'a Runtime<B>,
    ) -> Result<Option<ClaimedTask>, RuntimeError> {
        let Some(department) = officer.department.clone() else {
            return Err(Rejection::Forbidden {
                command: "claim",
                needed: "officer of the task's department",
                actual: officer.role.as_str(),
            }
            .into());
        };
        let lease = lease.unwrap_or(self.config.default_lease);
        for _ in 0..MAX_SKIPS {
            let until = self.clock.now() + lease;
            let queue = self.backend.queue();
            let Some(entry) = queue.claim_next(&department, &officer.id, until).await? else {
                return Ok(None);
            };
            let command = Command::Claim {
                task: entry.key.task.clone(),
                lease,
            };
            let owner = owner(&entry.key.case);
            match owner
                .execute_from(&entry.key.case, officer, command, Origin::QueueClaim)
                .await
            {
                Ok(outcome) => {
                    let lease_until = outcome
                        .recorded
                        .iter()
                        .find_map(|r| match &r.event {
                            greenlane_engine::case::Event::TaskClaimed { lease_until, .. } => {
                                Some(*lease_until)
                            }
                            _ => None,
                        })
                        .unwrap_or(until);
                    return Ok(Some(ClaimedTask {
                        case: entry.key.case,
                        task: entry.key.task,
                        lease_until,
                    }));
                }
                Err(RuntimeError::Rejected(_)) | Err(RuntimeError::UnknownCase(_)) => {
                    owner.repair_entry(&entry.key).await?;
                }
                Err(other) => {
                    queue.release(&entry.key).await?;
                    return Err(other);
                }
            }
        }
        Ok(None)
    }

    /// Claims the named task (or renews one's own claim).
    pub async fn claim(
        &self,
        officer: &Principal,
        case: &CaseId,
        task: &TaskId,
        lease: Option<Duration>,
    ) -> Result<ClaimedTask, RuntimeError> {
        let lease = lease.unwrap_or(self.config.default_lease);
        let command = Command::Claim {
            task: task.clone(),
            lease,
        };
        let outcome = self.execute(case, officer, command).await?;
        let lease_until = outcome
            .recorded
            .iter()
            .find_map(|r| match &r.event {
                greenlane_engine::case::Event::TaskClaimed { lease_until, .. } => {
                    Some(*lease_until)
                }
                _ => None,
            })
            .unwrap_or_else(|| self.clock.now() + lease);
        Ok(ClaimedTask {
            case: case.clone(),
            task: task.clone(),
            lease_until,
        })
    }

    /// The department's inbox: ready, claimed and suspended tasks, due first.
    pub async fn inbox(
        &self,
        department: &greenlane_engine::ids::DepartmentId,
    ) -> Result<Vec<QueueEntry>, RuntimeError> {
        Ok(self.backend.queue().inbox(department).await?)
    }

    /// Makes the queue entry of `key` match its case: removed when the task is no longer
    /// open, otherwise held as the case says.
    pub(super) async fn repair_entry(&self, key: &TaskKey) -> Result<(), RuntimeError> {
        let queue = self.backend.queue();
        let state = match self.case(&key.case).await {
            Ok(state) => state,
            Err(RuntimeError::UnknownCase(_)) => {
                queue.ack(std::slice::from_ref(key)).await?;
                return Ok(());
            }
            Err(other) => return Err(other),
        };
        let Some(entry) = expected_entry(&state, key) else {
            queue.ack(std::slice::from_ref(key)).await?;
            return Ok(());
        };
        queue.restore(&entry).await?;
        Ok(())
    }

    /// Whether the store knows `case` (for callers that must tell 404 from other errors).
    pub async fn exists(&self, case: &CaseId) -> Result<bool, RuntimeError> {
        Ok(self.backend.events().record(case).await?.is_some())
    }
}

/// The queue entry a case implies for `key`, if the task is open.
pub(super) fn expected_entry(
    state: &greenlane_engine::case::CaseState,
    key: &TaskKey,
) -> Option<QueueEntry> {
    if !state.is_open() {
        return None;
    }
    let task = state.task(key.task.as_str())?;
    let holder = match &task.status {
        TaskStatus::Ready => Holder::Free,
        TaskStatus::Claimed {
            officer,
            lease_until,
        } => Holder::Lease {
            officer: officer.clone(),
            until: *lease_until,
        },
        TaskStatus::Suspended { officer, .. } => Holder::Held {
            officer: officer.clone(),
        },
        _ => return None,
    };
    Some(QueueEntry {
        key: key.clone(),
        department: task.department.clone(),
        due: task.committed_due?,
        dispatched_at: task.ready_at?,
        holder,
    })
}
