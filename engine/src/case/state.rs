//! The state of a case: a fold of its events ([`super::apply`]).
//!
//! States are enums that carry their data, so "a claimed task without an officer" cannot be
//! represented.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;

use super::event::{Event, PlannedTaskSnapshot, Rating, Recorded, SpecialProcedure, Timestamp};
use crate::ids::{CaseId, CenterId, PrincipalId, TaskId, WorkflowId};
use crate::supervision::AlertLevel;

/// Where a case stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CaseStatus {
    /// Launched; tasks are being decided.
    Open,
    /// Every task approved; waiting to be issued at one window.
    Completed {
        /// When the last task was approved.
        at: Timestamp,
    },
    /// The result was handed out.
    Issued {
        /// When.
        at: Timestamp,
    },
    /// A task was rejected.
    Rejected {
        /// When.
        at: Timestamp,
        /// Which task.
        task: TaskId,
        /// Why.
        reason: String,
    },
    /// Withdrawn by the applicant or coordinator.
    Withdrawn {
        /// When.
        at: Timestamp,
        /// Why.
        reason: String,
    },
}

impl CaseStatus {
    /// The status without its details.
    pub fn kind(&self) -> CaseStatusKind {
        match self {
            CaseStatus::Open => CaseStatusKind::Open,
            CaseStatus::Completed { .. } => CaseStatusKind::Completed,
            CaseStatus::Issued { .. } => CaseStatusKind::Issued,
            CaseStatus::Rejected { .. } => CaseStatusKind::Rejected,
            CaseStatus::Withdrawn { .. } => CaseStatusKind::Withdrawn,
        }
    }

    /// Machine name of the status.
    pub fn as_str(&self) -> &'static str {
        self.kind().as_str()
    }
}

/// A case's status without its details: what a store keeps beside the events and lists
/// cases by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseStatusKind {
    /// Launched; tasks are being decided.
    Open,
    /// Every task approved; waiting to be issued.
    Completed,
    /// The result was handed out.
    Issued,
    /// A task was rejected.
    Rejected,
    /// Withdrawn.
    Withdrawn,
}

impl CaseStatusKind {
    /// Every kind, in the order a case can reach them.
    pub const ALL: [CaseStatusKind; 5] = [
        CaseStatusKind::Open,
        CaseStatusKind::Completed,
        CaseStatusKind::Issued,
        CaseStatusKind::Rejected,
        CaseStatusKind::Withdrawn,
    ];

    /// Machine name (`open`, `completed`, …), as stores keep it.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatusKind::Open => "open",
            CaseStatusKind::Completed => "completed",
            CaseStatusKind::Issued => "issued",
            CaseStatusKind::Rejected => "rejected",
            CaseStatusKind::Withdrawn => "withdrawn",
        }
    }

    /// The kind named `name`, if it is one.
    pub fn parse(name: &str) -> Option<CaseStatusKind> {
        CaseStatusKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether the case is still being decided.
    pub fn is_open(self) -> bool {
        self == CaseStatusKind::Open
    }
}

impl std::fmt::Display for CaseStatusKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a task's clock is paused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Suspension {
    /// 补正: waiting for the applicant's missing materials.
    Supplement {
        /// Every missing material.
        materials: Vec<String>,
    },
    /// A special procedure (行政许可法 第四十五条).
    SpecialProcedure {
        /// Which procedure.
        procedure: SpecialProcedure,
        /// Working days granted.
        granted_days: u32,
    },
}

/// Where a task stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TaskStatus {
    /// Some prerequisite is not approved yet.
    Waiting,
    /// Dispatched to its department's queue, unclaimed.
    Ready,
    /// Claimed by an officer under a lease.
    Claimed {
        /// The officer.
        officer: PrincipalId,
        /// When the lease ends.
        lease_until: Timestamp,
    },
    /// The clock is paused.
    Suspended {
        /// Why.
        suspension: Suspension,
        /// Since when.
        since: Timestamp,
        /// The officer who suspended it.
        officer: PrincipalId,
    },
    /// Approved.
    Approved {
        /// When.
        at: Timestamp,
        /// By whom.
        by: PrincipalId,
    },
    /// Rejected (and with it the case).
    Rejected {
        /// When.
        at: Timestamp,
        /// By whom.
        by: PrincipalId,
        /// Why.
        reason: String,
    },
    /// Withdrawn because the case ended without it.
    Withdrawn {
        /// Why.
        reason: String,
    },
}

impl TaskStatus {
    /// Machine name of the status.
    pub fn as_str(&self) -> &'static str {
        match self {
            TaskStatus::Waiting => "waiting",
            TaskStatus::Ready => "ready",
            TaskStatus::Claimed { .. } => "claimed",
            TaskStatus::Suspended { .. } => "suspended",
            TaskStatus::Approved { .. } => "approved",
            TaskStatus::Rejected { .. } => "rejected",
            TaskStatus::Withdrawn { .. } => "withdrawn",
        }
    }

    /// Whether the task is dispatched and not decided: ready, claimed or suspended.
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            TaskStatus::Ready | TaskStatus::Claimed { .. } | TaskStatus::Suspended { .. }
        )
    }
}

/// One task of a case: its plan as launched, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskState {
    /// The task as planned at launch (id, department, limits, prerequisites by id, planned
    /// finishes), exactly as the `Launched` event recorded it.
    pub plan: PlannedTaskSnapshot,
    /// Indices (in [`CaseState::tasks`]) of the tasks it needs: `plan.needs` resolved.
    pub needs: Vec<usize>,
    /// Where it stands.
    pub status: TaskStatus,
    /// When it became ready (first dispatch).
    pub ready_at: Option<Timestamp>,
    /// The calendar day it became ready on, in the center's time zone.
    pub ready_on: Option<NaiveDate>,
    /// 承诺时限 due date, extended by paused days.
    pub committed_due: Option<NaiveDate>,
    /// 法定时限 due date, extended by paused days.
    pub statutory_due: Option<NaiveDate>,
    /// Working days the clock was paused so far.
    pub paused_days: u32,
    /// Every pause that ended, so a new calendar can count its working days again.
    pub pauses: Vec<Pause>,
    /// Supplement requests made.
    pub supplements_requested: u32,
    /// Supplement requests allowed (1, plus one per supervisor allowance).
    pub supplements_allowed: u32,
    /// Alert levels already fired.
    pub alerts: BTreeSet<AlertLevel>,
    /// When it was decided (approved or rejected).
    pub finished_at: Option<Timestamp>,
    /// The supervision office's urges (督办), oldest first.
    pub urges: Vec<Urge>,
}

/// One urge of a task by the supervision office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Urge {
    /// When.
    pub at: Timestamp,
    /// The supervisor.
    pub by: PrincipalId,
    /// What was asked.
    pub note: String,
}

/// A pause of a task's clock that ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pause {
    /// The day the clock stopped (still counted for the task).
    pub stopped_on: NaiveDate,
    /// The day it ran again.
    pub resumed_on: NaiveDate,
    /// At most this many working days count as paused (a special procedure's granted days).
    pub limit: Option<u32>,
}

/// A launched case: one joint approval. A case exists from its `Launched` event on
/// ([`CaseState::launched`]); before that there is nothing to hold, and a launch is decided
/// without a state (`decide_launch`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseState {
    /// The case id.
    pub id: CaseId,
    /// Events applied so far; the expected version for the next append.
    pub version: u64,
    /// Where the case stands.
    pub status: CaseStatus,
    /// Workflow id.
    pub workflow: WorkflowId,
    /// Pinned workflow version.
    pub workflow_version: u32,
    /// The receiving center.
    pub center: CenterId,
    /// The center's IANA time zone.
    pub time_zone: String,
    /// The coordinator who launched it (首问负责制).
    pub coordinator: PrincipalId,
    /// When it was launched.
    pub launched_at: Timestamp,
    /// The day of acceptance.
    pub launched_on: NaiveDate,
    /// The application.
    pub application: serde_json::Value,
    /// Tasks in plan order.
    pub tasks: Vec<TaskState>,
    /// Tasks the rules left out.
    pub skipped: Vec<TaskId>,
    /// Planned critical path length.
    pub duration_working_days: u32,
    /// The promised completion date.
    pub promised_completion: NaiveDate,
    /// The planned critical path.
    pub critical_path: Vec<TaskId>,
    /// The latest projected completion raised as at-risk, if any.
    pub at_risk: Option<NaiveDate>,
    /// The applicant's rating.
    pub rating: Option<Rating>,
    /// Salted hash of the access code.
    pub access_code_hash: String,
}

impl CaseState {
    /// The case `recorded` launches, if it is a `Launched` event; its first version.
    pub fn launched(recorded: &Recorded) -> Option<CaseState> {
        let Event::Launched {
            case,
            workflow,
            version,
            center,
            time_zone,
            launched_on,
            application,
            tasks,
            skipped,
            duration_working_days,
            promised_completion,
            critical_path,
            access_code_hash,
        } = &recorded.event
        else {
            return None;
        };
        Some(CaseState {
            id: case.clone(),
            version: 1,
            status: CaseStatus::Open,
            workflow: workflow.clone(),
            workflow_version: *version,
            center: center.clone(),
            time_zone: time_zone.clone(),
            coordinator: recorded.by.clone(),
            launched_at: recorded.at,
            launched_on: *launched_on,
            application: application.clone(),
            tasks: tasks
                .iter()
                .map(|t| TaskState {
                    plan: t.clone(),
                    needs: t
                        .needs
                        .iter()
                        .filter_map(|n| tasks.iter().position(|other| &other.id == n))
                        .collect(),
                    status: TaskStatus::Waiting,
                    ready_at: None,
                    ready_on: None,
                    committed_due: None,
                    statutory_due: None,
                    paused_days: 0,
                    pauses: Vec::new(),
                    supplements_requested: 0,
                    supplements_allowed: 1,
                    alerts: Default::default(),
                    finished_at: None,
                    urges: Vec::new(),
                })
                .collect(),
            skipped: skipped.clone(),
            duration_working_days: *duration_working_days,
            promised_completion: *promised_completion,
            critical_path: critical_path.clone(),
            at_risk: None,
            rating: None,
            access_code_hash: access_code_hash.clone(),
        })
    }

    /// The index of task `id`.
    pub fn task_index(&self, id: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.plan.id.as_str() == id)
    }

    /// The task `id`.
    pub fn task(&self, id: &str) -> Option<&TaskState> {
        self.tasks.iter().find(|t| t.plan.id.as_str() == id)
    }

    /// Whether every task is approved.
    pub fn all_approved(&self) -> bool {
        self.tasks
            .iter()
            .all(|t| matches!(t.status, TaskStatus::Approved { .. }))
    }

    /// Whether the case still accepts task decisions.
    pub fn is_open(&self) -> bool {
        self.status == CaseStatus::Open
    }
}
