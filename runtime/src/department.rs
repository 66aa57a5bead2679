//! The department side: [`DepartmentClient`], what a department's own approval system
//! embeds to take its parallel tasks from the shared store and decide them.
//!
//! A client is one officer of one department acting through a `Runtime` over any backend
//! the engine nodes share (on Redis, `greenlane_redis::department_client` connects one): it
//! claims the department's next task (earliest due first), keeps the
//! lease alive while the officer works ([`DepartmentClient::renew`]), and approves, rejects,
//! asks for supplements or gives the task back. Every decision goes through
//! `Runtime::execute`, so the engine's rules hold for a department system as for any other
//! caller; a refusal comes back as [`DepartmentError::Rejected`] naming the command, the case
//! and the task, and changes nothing.
//!
//! Other nodes change the cases this client acts on, so the client never decides on a
//! cached state: every call first forgets the cases it may touch (`Runtime::forget`) and
//! reads them from the store. A department system acts on few cases at a time; the reload is
//! cheap next to an officer's work, and without it a refusal decided on a state another
//! node has moved past would stand (the runtime retries only lost appends).
//!
//! A client does not tick: lease expiry and deadline checks are the engine nodes' work
//! (`greenlane serve`). A client whose process dies while holding a lease loses the
//! task when the lease runs out and a node ticks; the task goes back to its department's
//! queue for another officer.

use std::sync::Arc;

use crate::ports::{Backend, Holder, QueueEntry, TaskKey};
use crate::{ClaimedTask, Outcome, Runtime, RuntimeError};
use chrono::{Duration, NaiveDate};
use greenlane_engine::calendar::Calendar;
use greenlane_engine::case::{CaseState, Command, Rejection, TaskStatus, Timestamp};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_engine::workflow::TaskKind;
use serde::Serialize;

/// Why a department client could not do what it was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DepartmentError {
    /// The principal is not an officer of a department, so it has no queue to work from.
    #[error("principal `{principal}` is {role}, not an officer of a department")]
    NotAnOfficer {
        /// The principal.
        principal: PrincipalId,
        /// Its role, or "an officer without a department".
        role: &'static str,
    },
    /// Connecting to the shared store failed.
    #[error("cannot connect to the shared store")]
    Connect(#[source] crate::Cause),
    /// The engine refused the command; nothing changed.
    #[error("`{command}` of task `{task}` in case `{case}` was refused")]
    Rejected {
        /// The command.
        command: &'static str,
        /// The case.
        case: CaseId,
        /// The task.
        task: TaskId,
        /// Why.
        #[source]
        rejection: Rejection,
    },
    /// A renewal of a task this officer does not hold (never claimed, or the lease ran out
    /// and was taken back).
    #[error("task `{task}` in case `{case}` is {status}, not held by `{officer}`; claim it again")]
    NotHeld {
        /// The case.
        case: CaseId,
        /// The task.
        task: TaskId,
        /// The task's status now.
        status: &'static str,
        /// This client's officer.
        officer: PrincipalId,
    },
    /// No case with this id in the store.
    #[error("no case `{0}`")]
    UnknownCase(CaseId),
    /// The case has no such task.
    #[error("case `{case}` has no task `{task}`")]
    UnknownTask {
        /// The case.
        case: CaseId,
        /// The task.
        task: TaskId,
    },
    /// The store or the runtime failed.
    #[error(transparent)]
    Runtime(RuntimeError),
}

/// A task this officer now holds, with what the officer needs to decide it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    /// The case.
    pub case: CaseId,
    /// The task.
    pub task: TaskId,
    /// The task's display name.
    pub name: String,
    /// The deciding department.
    pub department: DepartmentId,
    /// 即办件 / 承诺件 / 上报件.
    pub kind: TaskKind,
    /// 承诺时限 due date (extended by paused days); `None` beyond the calendar's coverage.
    pub committed_due: Option<NaiveDate>,
    /// Whether the committed due date counts on a provisional calendar year, or lies
    /// beyond the calendar (暂定): it may move when the year is published.
    pub committed_due_provisional: bool,
    /// 法定时限 due date (extended by paused days); `None` beyond the calendar's coverage.
    pub statutory_due: Option<NaiveDate>,
    /// Whether the statutory due date counts on a provisional calendar year, or lies
    /// beyond the calendar (暂定).
    pub statutory_due_provisional: bool,
    /// When the lease ends unless renewed.
    pub lease_until: Timestamp,
    /// The case's workflow.
    pub workflow: WorkflowId,
    /// The workflow version the case is pinned to.
    pub workflow_version: u32,
    /// The case's promised completion date; `None` beyond the calendar's coverage.
    pub promised_completion: NaiveDate,
    /// Whether the promised completion counts on a provisional calendar year, or lies
    /// beyond the calendar (暂定).
    pub promised_completion_provisional: bool,
    /// Materials the applicant hands in for this task.
    pub materials: Vec<String>,
    /// The application the case was launched with.
    pub application: serde_json::Value,
}

/// An inbox entry with its due date as the case records it, marked.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkedEntry {
    /// The queue entry.
    pub entry: QueueEntry,
    /// 承诺时限 due date; `None` beyond the calendar's coverage.
    pub due: Option<NaiveDate>,
    /// Whether it counts on a provisional calendar year, or lies beyond the calendar (暂定).
    pub due_provisional: bool,
}

/// One officer of one department taking and deciding tasks from the shared store.
pub struct DepartmentClient<B: Backend> {
    runtime: Arc<Runtime<B>>,
    officer: Principal,
    department: DepartmentId,
}

impl<B: Backend> std::fmt::Debug for DepartmentClient<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DepartmentClient")
            .field("officer", &self.officer.id)
            .field("department", &self.department)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> DepartmentClient<B> {
    /// A client acting as `officer` through a runtime the caller already has.
    pub fn new(
        runtime: Arc<Runtime<B>>,
        officer: Principal,
    ) -> Result<DepartmentClient<B>, DepartmentError> {
        let department = department_of(&officer)?;
        Ok(DepartmentClient {
            runtime,
            officer,
            department,
        })
    }

    /// Installs the calendar versions published since the last call, so a decision counts
    /// on the calendar the engine nodes use; a store that cannot say keeps the calendars in
    /// use (the decision itself then meets the same store).
    async fn refresh_calendars(&self) {
        if let Err(error) = self.runtime.refresh_calendars().await {
            tracing::warn!(%error, "could not read the published calendars");
        }
    }

    /// The officer this client acts as.
    pub fn officer(&self) -> &Principal {
        &self.officer
    }

    /// The officer's department.
    pub fn department(&self) -> &DepartmentId {
        &self.department
    }

    /// The runtime underneath.
    pub fn runtime(&self) -> &Arc<Runtime<B>> {
        &self.runtime
    }

    /// Claims the department's next task (earliest due first) for `lease` (the runtime's
    /// default when `None`); `None` when the queue has nothing free.
    pub async fn next(
        &self,
        lease: Option<Duration>,
    ) -> Result<Option<Assignment>, DepartmentError> {
        // The queue picks the case: forget them all.
        self.refresh_calendars().await;
        self.runtime.forget_all();
        let claimed = self
            .runtime
            .claim_next(&self.officer, lease)
            .await
            .map_err(|e| self.refused("claim", None, e))?;
        match claimed {
            Some(claimed) => self.assignment(&claimed).await.map(Some),
            None => Ok(None),
        }
    }

    /// Claims the named task of this department.
    pub async fn claim(
        &self,
        case: &CaseId,
        task: &TaskId,
        lease: Option<Duration>,
    ) -> Result<Assignment, DepartmentError> {
        self.refresh_calendars().await;
        self.runtime.forget(case);
        let claimed = self
            .runtime
            .claim(&self.officer, case, task, lease)
            .await
            .map_err(|e| self.refused("claim", Some((case, task)), e))?;
        self.assignment(&claimed).await
    }

    /// The heartbeat: extends the lease on a task this officer holds to `lease` from now.
    /// A task no longer held (the lease ran out and a node took it back) is
    /// [`DepartmentError::NotHeld`]: the officer must claim it again. (A renewal that races
    /// the node taking the task back may claim it afresh, which leaves the officer holding
    /// it all the same.)
    pub async fn renew(
        &self,
        case: &CaseId,
        task: &TaskId,
        lease: Option<Duration>,
    ) -> Result<Timestamp, DepartmentError> {
        self.refresh_calendars().await;
        self.runtime.forget(case);
        let status = self
            .runtime
            .read_case(case, |state| {
                state.task(task.as_str()).map(|t| match &t.status {
                    TaskStatus::Claimed { officer, .. } if *officer == self.officer.id => None,
                    other => Some(other.as_str()),
                })
            })
            .await
            .map_err(|e| self.refused("claim", Some((case, task)), e))?;
        match status {
            None => {
                return Err(DepartmentError::UnknownTask {
                    case: case.clone(),
                    task: task.clone(),
                })
            }
            Some(Some(status)) => {
                return Err(DepartmentError::NotHeld {
                    case: case.clone(),
                    task: task.clone(),
                    status,
                    officer: self.officer.id.clone(),
                })
            }
            Some(None) => {}
        }
        let claimed = self
            .runtime
            .claim(&self.officer, case, task, lease)
            .await
            .map_err(|e| self.refused("claim", Some((case, task)), e))?;
        Ok(claimed.lease_until)
    }

    /// 批准: approves a task this officer holds.
    pub async fn approve(&self, case: &CaseId, task: &TaskId) -> Result<Outcome, DepartmentError> {
        self.decide(case, Command::approve(task.clone())).await
    }

    /// 不予许可: rejects a task this officer holds, and with it the case.
    pub async fn reject(
        &self,
        case: &CaseId,
        task: &TaskId,
        reason: &str,
    ) -> Result<Outcome, DepartmentError> {
        let command = Command::Reject {
            task: task.clone(),
            reason: reason.to_string(),
        };
        self.decide(case, command).await
    }

    /// 补正 (一次性告知): asks the applicant for every missing material at once; the
    /// task's clock pauses and the officer keeps the task until the materials come in.
    pub async fn request_supplement(
        &self,
        case: &CaseId,
        task: &TaskId,
        materials: Vec<String>,
    ) -> Result<Outcome, DepartmentError> {
        let command = Command::RequestSupplement {
            task: task.clone(),
            materials,
        };
        self.decide(case, command).await
    }

    /// Gives a claimed task back to the department's queue.
    pub async fn release(&self, case: &CaseId, task: &TaskId) -> Result<Outcome, DepartmentError> {
        self.decide(case, Command::Release { task: task.clone() })
            .await
    }

    /// Gives back every task this officer holds under a lease (a department system shutting
    /// down); the tasks released, in inbox order.
    pub async fn release_all(&self) -> Result<Vec<TaskKey>, DepartmentError> {
        let mut released = Vec::new();
        for entry in self.inbox().await? {
            let Holder::Lease { officer, .. } = &entry.holder else {
                continue;
            };
            if *officer != self.officer.id {
                continue;
            }
            self.release(&entry.key.case, &entry.key.task).await?;
            released.push(entry.key);
        }
        Ok(released)
    }

    /// The department's inbox: ready, claimed and suspended tasks, due first.
    pub async fn inbox(&self) -> Result<Vec<QueueEntry>, DepartmentError> {
        self.runtime
            .inbox(&self.department)
            .await
            .map_err(DepartmentError::Runtime)
    }

    /// The department's inbox as [`DepartmentClient::inbox`], each entry with its task's
    /// committed due date as the case records it (`None` beyond the calendar's coverage,
    /// where the queue sorts it under a placeholder day) and whether that date is
    /// provisional (暂定), on the calendar of the definition the case is pinned to.
    pub async fn marked_inbox(&self) -> Result<Vec<MarkedEntry>, DepartmentError> {
        self.refresh_calendars().await;
        self.runtime.forget_all();
        let mut out = Vec::new();
        for entry in self.inbox().await? {
            let read = self
                .runtime
                .read_case(&entry.key.case, |state| {
                    let task = state.task(entry.key.task.as_str())?;
                    let pinned = (state.workflow.clone(), state.workflow_version);
                    Some((task.committed_due, task.ready_on, pinned))
                })
                .await;
            let (due, ready_on, pinned) = match read {
                Ok(Some(read)) => read,
                Ok(None) | Err(RuntimeError::UnknownCase(_)) => continue,
                Err(other) => return Err(DepartmentError::Runtime(other)),
            };
            let (workflow, version) = pinned;
            let definition = self
                .runtime
                .definition(&workflow, version)
                .await
                .map_err(DepartmentError::Runtime)?;
            let due_provisional = provisional(&definition.calendar, ready_on, due);
            out.push(MarkedEntry {
                entry,
                due,
                due_provisional,
            });
        }
        Ok(out)
    }

    /// The current state of `case`, read from the store (not from this client's cache,
    /// which other nodes' changes may have left behind).
    pub async fn case(&self, case: &CaseId) -> Result<CaseState, DepartmentError> {
        match self.runtime.timeline(case).await {
            Ok(events) => greenlane_engine::case::replay(&events)
                .ok_or_else(|| DepartmentError::UnknownCase(case.clone())),
            Err(RuntimeError::UnknownCase(case)) => Err(DepartmentError::UnknownCase(case)),
            Err(other) => Err(DepartmentError::Runtime(other)),
        }
    }

    async fn decide(&self, case: &CaseId, command: Command) -> Result<Outcome, DepartmentError> {
        let name = command.name();
        let task = command_task(&command);
        self.refresh_calendars().await;
        self.runtime.forget(case);
        self.runtime
            .execute(case, &self.officer, command)
            .await
            .map_err(|e| match &task {
                Some(task) => self.refused(name, Some((case, task)), e),
                None => DepartmentError::Runtime(e),
            })
    }

    /// What the officer needs to see of a task just claimed.
    async fn assignment(&self, claimed: &ClaimedTask) -> Result<Assignment, DepartmentError> {
        let ClaimedTask {
            case,
            task,
            lease_until,
            ..
        } = claimed;
        let read = self
            .runtime
            .read_case(case, |state| {
                let t = state.task(task.as_str())?;
                let assignment = Assignment {
                    case: case.clone(),
                    task: task.clone(),
                    name: t.plan.name.clone(),
                    department: t.plan.department.clone(),
                    kind: t.plan.kind,
                    committed_due: t.committed_due,
                    committed_due_provisional: false,
                    statutory_due: t.statutory_due,
                    statutory_due_provisional: false,
                    lease_until: *lease_until,
                    workflow: state.workflow.clone(),
                    workflow_version: state.workflow_version,
                    promised_completion: state.promised_completion,
                    promised_completion_provisional: false,
                    materials: t.plan.materials.clone(),
                    application: state.application.clone(),
                };
                Some((assignment, t.ready_on, state.launched_on))
            })
            .await
            .map_err(|e| self.refused("claim", Some((case, task)), e))?;
        let (mut assignment, ready_on, launched_on) =
            read.ok_or_else(|| DepartmentError::UnknownTask {
                case: case.clone(),
                task: task.clone(),
            })?;
        // The dates are marked on the calendar of the definition the case is pinned to.
        let definition = self
            .runtime
            .definition(&assignment.workflow, assignment.workflow_version)
            .await
            .map_err(DepartmentError::Runtime)?;
        let calendar = &definition.calendar;
        assignment.committed_due_provisional =
            provisional(calendar, ready_on, assignment.committed_due);
        assignment.statutory_due_provisional =
            provisional(calendar, ready_on, assignment.statutory_due);
        assignment.promised_completion_provisional =
            calendar.depends_on_provisional(launched_on, assignment.promised_completion);
        Ok(assignment)
    }

    /// Turns a runtime error into this module's: a rejection names the command, the case
    /// and the task.
    fn refused(
        &self,
        command: &'static str,
        target: Option<(&CaseId, &TaskId)>,
        error: RuntimeError,
    ) -> DepartmentError {
        match (error, target) {
            (RuntimeError::Rejected(rejection), Some((case, task))) => DepartmentError::Rejected {
                command,
                case: case.clone(),
                task: task.clone(),
                rejection,
            },
            (RuntimeError::UnknownCase(case), _) => DepartmentError::UnknownCase(case),
            (other, _) => DepartmentError::Runtime(other),
        }
    }
}

/// Whether a date counted in working days from `start` is not firm: it counts on a
/// provisional year of `calendar` (or one it does not cover), or it is absent although the
/// count started, which is a date beyond the calendar.
fn provisional(calendar: &Calendar, start: Option<NaiveDate>, date: Option<NaiveDate>) -> bool {
    match (start, date) {
        (start, Some(date)) => calendar.depends_on_provisional(start.unwrap_or(date), date),
        (Some(_), None) => true,
        (None, None) => false,
    }
}

/// The department of an officer; anyone else has no queue.
fn department_of(principal: &Principal) -> Result<DepartmentId, DepartmentError> {
    match (&principal.role, &principal.department) {
        (Role::Officer, Some(department)) => Ok(department.clone()),
        (Role::Officer, None) => Err(DepartmentError::NotAnOfficer {
            principal: principal.id.clone(),
            role: "an officer without a department",
        }),
        (role, _) => Err(DepartmentError::NotAnOfficer {
            principal: principal.id.clone(),
            role: role.as_str(),
        }),
    }
}

/// The task a command acts on, for error messages.
fn command_task(command: &Command) -> Option<TaskId> {
    match command {
        Command::Approve { task, .. }
        | Command::Reject { task, .. }
        | Command::RequestSupplement { task, .. }
        | Command::Release { task }
        | Command::Claim { task, .. } => Some(task.clone()),
        _ => None,
    }
}
