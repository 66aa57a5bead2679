//! Claims: an officer takes the next task of the department's queue (due first), or a named
//! one; the claim is recorded on the case as a lease. Queue entries that no longer match
//! their case (decided meanwhile, or a lease the queue lost) are repaired on the way.
//!
//! A deferred claim (`claim_next_deferred`) is held by the queue alone until the officer
//! decides: `decide_claimed` then records the claim, at the instant it was made, and the
//! decision in one append, as Temporal records an activity's start with its result. One
//! write per task instead of two, for workers that decide what they claim.

use chrono::Duration;
use greenlane_engine::case::{Command, Rejection, TaskStatus, Timestamp};
use greenlane_engine::ids::{CaseId, DepartmentId, TaskId};
use greenlane_engine::principal::Principal;

use super::{Execution, Origin, Runtime, Step};
use crate::ports::{Backend, CaseIndex, Holder, NextClaim, QueueEntry, TaskKey, TaskQueue};
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
    /// When it was claimed.
    pub claimed_at: Timestamp,
    /// Whether the claim is on the case; `false` for a deferred claim, which only the
    /// queue holds until [`Runtime::decide_claimed`] records it with the decision.
    pub recorded: bool,
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
        let department = officer_department(officer)?;
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
            let steps = [Step::now(command)];
            let execution = Execution {
                origin: Origin::QueueClaim,
                ..Execution::new(&steps)
            };
            match owner.run(&entry.key.case, officer, execution).await {
                Ok((outcome, _)) => {
                    let (lease_until, claimed_at) = outcome
                        .recorded
                        .iter()
                        .find_map(|r| match &r.event {
                            greenlane_engine::case::Event::TaskClaimed { lease_until, .. } => {
                                Some((*lease_until, r.at))
                            }
                            _ => None,
                        })
                        .unwrap_or((until, until - lease));
                    return Ok(Some(ClaimedTask {
                        case: entry.key.case,
                        task: entry.key.task,
                        lease_until,
                        claimed_at,
                        recorded: true,
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
        self.claim_admitted(officer, case, task, lease, None).await
    }

    /// [`Runtime::claim`] when `admit` accepts the case as found under its lock (see
    /// [`Runtime::execute_admitted`]); a case it refuses is answered as unknown.
    pub async fn claim_admitted(
        &self,
        officer: &Principal,
        case: &CaseId,
        task: &TaskId,
        lease: Option<Duration>,
        admit: Option<&super::Admit<'_>>,
    ) -> Result<ClaimedTask, RuntimeError> {
        let lease = lease.unwrap_or(self.config.default_lease);
        let steps = [Step::now(Command::Claim {
            task: task.clone(),
            lease,
        })];
        let execution = Execution {
            admit,
            ..Execution::new(&steps)
        };
        let (outcome, _) = self.run(case, officer, execution).await?;
        // The claim's instant and lease are those the command recorded.
        let (claimed_at, lease_until) = outcome
            .recorded
            .iter()
            .find_map(|r| match &r.event {
                greenlane_engine::case::Event::TaskClaimed { lease_until, .. } => {
                    Some((r.at, *lease_until))
                }
                _ => None,
            })
            .unwrap_or_else(|| {
                let now = self.clock.now();
                (now, now + lease)
            });
        Ok(ClaimedTask {
            case: case.clone(),
            task: task.clone(),
            lease_until,
            claimed_at,
            recorded: true,
        })
    }

    /// Takes the next task of `officer`'s department from the queue under a lease, without
    /// recording the claim on the case yet: [`Runtime::decide_claimed`] records it with the
    /// decision. Until then the case shows the task ready, the queue (and the inbox) shows
    /// who holds it, and the lease runs out as any other (the tick offers it again).
    pub async fn claim_next_deferred(
        &self,
        officer: &Principal,
        lease: Option<Duration>,
    ) -> Result<Option<ClaimedTask>, RuntimeError> {
        let department = officer_department(officer)?;
        let lease = self.queue_lease(lease)?;
        let claimed_at = self.clock.now();
        let until = claimed_at + lease;
        let entry = self
            .backend
            .queue()
            .claim_next(&department, &officer.id, until)
            .await?;
        Ok(entry.map(|entry| ClaimedTask {
            case: entry.key.case,
            task: entry.key.task,
            lease_until: until,
            claimed_at,
            recorded: false,
        }))
    }

    /// Gives `command` (approve, reject, request supplement, start a special procedure,
    /// release) on a task `officer` claimed. A deferred claim is recorded first, at the
    /// instant it was made, in the same append: both or neither. A claim the case cannot
    /// take any more (the task was decided, withdrawn or claimed by name by someone else)
    /// is refused, and its queue entry made to match the case.
    pub async fn decide_claimed(
        &self,
        officer: &Principal,
        claimed: &ClaimedTask,
        command: Command,
    ) -> Result<super::Outcome, RuntimeError> {
        let (outcome, _) = self.decide(officer, claimed, command, None).await?;
        Ok(outcome)
    }

    /// [`Runtime::decide_claimed`], then a deferred claim of `officer`'s next task (as
    /// [`Runtime::claim_next_deferred`]) in the same request where the backend can (one
    /// script on one Redis server): an officer working through a queue writes once per
    /// task. `None` when nothing was free once the decision's effects were made.
    pub async fn decide_and_claim_next(
        &self,
        officer: &Principal,
        claimed: &ClaimedTask,
        command: Command,
        lease: Option<Duration>,
    ) -> Result<(super::Outcome, Option<ClaimedTask>), RuntimeError> {
        let department = officer_department(officer)?;
        let lease = self.queue_lease(lease)?;
        let claimed_at = self.clock.now();
        let next = NextClaim {
            department: department.clone(),
            officer: officer.id.clone(),
            until: claimed_at + lease,
        };
        let (outcome, entry) = self.decide(officer, claimed, command, Some(&next)).await?;
        let next = entry.map(|entry| {
            // Taken without a permit: take the one its dispatch gave, if this process did.
            self.work.took(&department);
            ClaimedTask {
                case: entry.key.case,
                task: entry.key.task,
                lease_until: next.until,
                claimed_at,
                recorded: false,
            }
        });
        Ok((outcome, next))
    }

    async fn decide(
        &self,
        officer: &Principal,
        claimed: &ClaimedTask,
        command: Command,
        then_claim: Option<&NextClaim>,
    ) -> Result<(super::Outcome, Option<QueueEntry>), RuntimeError> {
        if command.holder_task() != Some(&claimed.task) {
            return Err(Rejection::Invalid(format!(
                "`{}` is not a decision on the claimed task `{}`",
                command.name(),
                claimed.task
            ))
            .into());
        }
        if claimed.recorded {
            let steps = [Step::now(command)];
            let execution = Execution {
                then_claim,
                ..Execution::new(&steps)
            };
            return self.run(&claimed.case, officer, execution).await;
        }
        let claim = Command::Claim {
            task: claimed.task.clone(),
            lease: claimed.lease_until - claimed.claimed_at,
        };
        let steps = [Step::at(claim, claimed.claimed_at), Step::now(command)];
        let execution = Execution {
            origin: Origin::QueueClaim,
            then_claim,
            ..Execution::new(&steps)
        };
        let result = self.run(&claimed.case, officer, execution).await;
        if let Err(RuntimeError::Rejected(_)) = &result {
            // The decision alone may be wrong (no materials listed): the lease stands.
            // A claim the case refuses leaves an entry that no longer matches it.
            let key = TaskKey::new(&claimed.case, &claimed.task);
            let claimable = self
                .read_case(&claimed.case, |state| {
                    state
                        .task(claimed.task.as_str())
                        .is_some_and(|t| match &t.status {
                            TaskStatus::Ready => true,
                            TaskStatus::Claimed { officer: o, .. } => o == &officer.id,
                            _ => false,
                        })
                })
                .await;
            match claimable {
                Ok(true) => {}
                Ok(false) | Err(RuntimeError::UnknownCase(_)) => {
                    self.repair_entry(&key).await?;
                }
                Err(other) => return Err(other),
            }
        }
        result
    }

    /// The department's inbox: ready, claimed and suspended tasks, due first.
    pub async fn inbox(
        &self,
        department: &greenlane_engine::ids::DepartmentId,
    ) -> Result<Vec<QueueEntry>, RuntimeError> {
        Ok(self.backend.queue().inbox(department).await?)
    }

    /// Makes the queue entry of `key` match its case: removed when the task is no longer
    /// open, otherwise held as the case says. Returns the holder it now has, if queued.
    pub(super) async fn repair_entry(&self, key: &TaskKey) -> Result<Option<Holder>, RuntimeError> {
        let queue = self.backend.queue();
        let state = match self.case(&key.case).await {
            Ok(state) => state,
            Err(RuntimeError::UnknownCase(_)) => {
                queue.ack(std::slice::from_ref(key)).await?;
                return Ok(None);
            }
            Err(other) => return Err(other),
        };
        let Some(entry) = expected_entry(&state, key) else {
            queue.ack(std::slice::from_ref(key)).await?;
            return Ok(None);
        };
        queue.restore(&entry).await?;
        Ok(Some(entry.holder))
    }

    /// Whether the store knows `case` (for callers that must tell 404 from other errors).
    pub async fn exists(&self, case: &CaseId) -> Result<bool, RuntimeError> {
        Ok(self.backend.events().record(case).await?.is_some())
    }
}

impl<B: Backend> Runtime<B> {
    /// The lease of a claim made in the queue alone (the case checks the others).
    fn queue_lease(&self, lease: Option<Duration>) -> Result<Duration, RuntimeError> {
        let lease = lease.unwrap_or(self.config.default_lease);
        if lease <= Duration::zero() {
            return Err(Rejection::Invalid("a lease must be longer than zero".into()).into());
        }
        Ok(lease)
    }
}

/// The department whose queue `officer` claims from.
fn officer_department(officer: &Principal) -> Result<DepartmentId, RuntimeError> {
    officer.department.clone().ok_or_else(|| {
        Rejection::Forbidden {
            command: "claim",
            needed: "officer of the task's department",
            actual: officer.role.as_str(),
        }
        .into()
    })
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
        department: task.plan.department.clone(),
        due: task.committed_due?,
        dispatched_at: task.ready_at?,
        holder,
    })
}
