//! Case events: every state change of a case, as recorded in the event store.
//!
//! Events carry everything [`super::apply`] needs (due dates already computed on the
//! calendar, the plan snapshot at launch), so folding them never needs the calendar, the
//! rules or the workflow: a case replays the same way whatever was published since.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CalendarId, CaseId, CenterId, DepartmentId, PrincipalId, TaskId, WorkflowId};
use crate::supervision::{AlertLevel, Recipient};

/// A point in time; UTC, with the center's time zone used only to find the calendar day.
pub type Timestamp = DateTime<Utc>;

/// An event as stored: what happened, when, and who caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    /// When it happened.
    pub at: Timestamp,
    /// Who caused it (`system` for the engine's own checks).
    pub by: PrincipalId,
    /// What happened.
    pub event: Event,
}

/// One task of the plan as the case was launched with it: the planned task (its fields
/// side by side with these two in the stored event) and where the plan put its finish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedTaskSnapshot {
    /// The task as planned for this application.
    #[serde(flatten)]
    pub task: crate::plan::PlannedTask,
    /// Planned earliest finish, in working days after the launch date.
    pub planned_finish: u32,
    /// Planned latest finish that keeps the promised completion.
    pub latest_finish: u32,
}

impl PlannedTaskSnapshot {
    /// Task `task` of a case's plan, with its planned earliest and latest finish.
    pub fn of(
        task: &crate::plan::PlannedTask,
        planned_finish: u32,
        latest_finish: u32,
    ) -> PlannedTaskSnapshot {
        PlannedTaskSnapshot {
            task: task.clone(),
            planned_finish,
            latest_finish,
        }
    }
}

/// A snapshot reads as the planned task it holds (`snapshot.name`, `snapshot.needs`).
impl std::ops::Deref for PlannedTaskSnapshot {
    type Target = crate::plan::PlannedTask;

    fn deref(&self) -> &crate::plan::PlannedTask {
        &self.task
    }
}

/// Special procedures that suspend a task's clock (行政许可法 第四十五条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialProcedure {
    /// 听证 hearing.
    Hearing,
    /// 专家评审 expert review.
    ExpertReview,
    /// 检验检测 testing.
    Testing,
    /// 鉴定 appraisal.
    Appraisal,
    /// 公示 public notice.
    PublicNotice,
}

/// A satisfaction rating (群众满意度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 1 to 5 stars; 4 and 5 count as satisfied.
    Stars(u8),
    /// 满意 satisfied.
    Satisfied,
    /// 不满意 unsatisfied.
    Unsatisfied,
}

impl Rating {
    /// Whether the rating counts as satisfied for the satisfaction rate.
    pub fn is_satisfied(self) -> bool {
        match self {
            Rating::Stars(stars) => stars >= 4,
            Rating::Satisfied => true,
            Rating::Unsatisfied => false,
        }
    }
}

/// Fields of an event that no view, live stream, export or log shows: the hash of the
/// applicant's access code (with it, the code could be tried offline).
pub const SECRET_FIELDS: &[&str] = &["access_code_hash"];

/// Everything that can happen to a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A coordinator launched the joint approval; the plan is pinned here.
    Launched {
        /// The case.
        case: CaseId,
        /// Workflow id.
        workflow: WorkflowId,
        /// Published version of the workflow and rules the case is pinned to.
        version: u32,
        /// The center that received the application.
        center: CenterId,
        /// The center's time zone (IANA name), which decides calendar days.
        time_zone: String,
        /// The day of acceptance (offset 0; not itself counted).
        launched_on: NaiveDate,
        /// The application as received.
        application: serde_json::Value,
        /// Applicable tasks, in plan order.
        tasks: Vec<PlannedTaskSnapshot>,
        /// Tasks left out by the rules.
        skipped: Vec<TaskId>,
        /// Critical path length in working days.
        duration_working_days: u32,
        /// Launch date plus the duration.
        promised_completion: NaiveDate,
        /// Task ids of the critical path.
        critical_path: Vec<TaskId>,
        /// Salted hash of the applicant's access code for inquiries (查询).
        access_code_hash: String,
    },
    /// A task's prerequisites are all approved: it is dispatched to its department.
    TaskReady {
        /// The task.
        task: TaskId,
        /// 承诺时限 due date; `None` when it lies beyond the calendar's coverage (it is set
        /// by a [`Event::CaseRedated`] once a year covering it is published).
        committed_due: Option<NaiveDate>,
        /// 法定时限 due date; `None` beyond the calendar's coverage.
        statutory_due: Option<NaiveDate>,
    },
    /// An officer claimed the task; the claim is a lease until `lease_until`.
    TaskClaimed {
        /// The task.
        task: TaskId,
        /// The officer.
        officer: PrincipalId,
        /// When the lease ends unless renewed.
        lease_until: Timestamp,
    },
    /// The officer gave the task back to the department's queue.
    TaskReleased {
        /// The task.
        task: TaskId,
    },
    /// The lease ran out; the task is back in the department's queue.
    LeaseExpired {
        /// The task.
        task: TaskId,
        /// Who held it.
        officer: PrincipalId,
    },
    /// The officer approved the task.
    TaskApproved {
        /// The task.
        task: TaskId,
        /// The officer's opinion (审批意见), when they gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinion: Option<String>,
    },
    /// The officer rejected the task, and with it the case.
    TaskRejected {
        /// The task.
        task: TaskId,
        /// Why.
        reason: String,
    },
    /// An open task was withdrawn because the case ended without it.
    TaskWithdrawn {
        /// The task.
        task: TaskId,
        /// Why (the rejection reason or the withdrawal).
        reason: String,
    },
    /// 一次性告知: every missing material, listed at once; the clock pauses.
    SupplementRequested {
        /// The task.
        task: TaskId,
        /// Every missing material.
        materials: Vec<String>,
    },
    /// A supervisor allowed one more supplement request on the task.
    SupplementAllowed {
        /// The task.
        task: TaskId,
        /// Why.
        reason: String,
    },
    /// The applicant handed in the materials; the clock runs again.
    SupplementSubmitted {
        /// The task.
        task: TaskId,
        /// Working days the task was paused.
        paused_working_days: u32,
        /// New 承诺时限 due date; `None` beyond the calendar's coverage.
        committed_due: Option<NaiveDate>,
        /// New 法定时限 due date; `None` beyond the calendar's coverage.
        statutory_due: Option<NaiveDate>,
    },
    /// A special procedure started; the clock pauses.
    SpecialProcedureStarted {
        /// The task.
        task: TaskId,
        /// Which procedure.
        procedure: SpecialProcedure,
        /// Working days granted for it.
        granted_days: u32,
    },
    /// The special procedure ended; the clock runs again.
    SpecialProcedureEnded {
        /// The task.
        task: TaskId,
        /// Working days the task was paused.
        paused_working_days: u32,
        /// New 承诺时限 due date; `None` beyond the calendar's coverage.
        committed_due: Option<NaiveDate>,
        /// New 法定时限 due date; `None` beyond the calendar's coverage.
        statutory_due: Option<NaiveDate>,
    },
    /// A warning or card for one task (电子监察).
    AlertRaised {
        /// The task.
        task: TaskId,
        /// Warning, yellow or red.
        level: AlertLevel,
        /// The due date the alert is about.
        due: NaiveDate,
        /// The department deciding the task.
        department: DepartmentId,
        /// The officer holding the task, if any.
        officer: Option<PrincipalId>,
        /// Who is told.
        recipients: Vec<Recipient>,
        /// Why the workflow's recipients function was not followed (it failed or answered
        /// something unusable), in which case `recipients` come from its escalation chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule_error: Option<String>,
    },
    /// A supervisor urged the task (督办).
    TaskUrged {
        /// The task.
        task: TaskId,
        /// What the supervision office asks.
        note: String,
        /// The department deciding the task.
        department: DepartmentId,
        /// The officer holding the task, if any.
        officer: Option<PrincipalId>,
        /// Who is told: the officer holding it, and the department's head.
        recipients: Vec<Recipient>,
    },
    /// The projected completion slipped past the promised date.
    CaseAtRisk {
        /// Projected completion with actual dates so far.
        projected_completion: NaiveDate,
        /// The promised date.
        promised_completion: NaiveDate,
        /// Tasks that cause the slip.
        causes: Vec<TaskId>,
        /// Who is told.
        recipients: Vec<Recipient>,
        /// Why the workflow's recipients function was not followed (it failed or answered
        /// something unusable), in which case `recipients` come from its escalation chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule_error: Option<String>,
    },
    /// Every task is approved; the case waits for issuance at one window.
    CaseCompleted,
    /// The case was rejected (a task was rejected).
    CaseRejected {
        /// The rejected task.
        task: TaskId,
        /// Why.
        reason: String,
    },
    /// The applicant or coordinator withdrew the case.
    CaseWithdrawn {
        /// Why.
        reason: String,
    },
    /// The result was handed out at one window (一个窗口出).
    CaseIssued,
    /// The applicant rated the service.
    CaseRated {
        /// The rating.
        rating: Rating,
    },
    /// A coordinator gave the applicant a new access code; the old one stopped working.
    AccessCodeReissued {
        /// The new code's hash (never shown: views strip it).
        access_code_hash: String,
    },
    /// A calendar year was published and the case's dates that depend on it moved: the
    /// open tasks' due dates (the law counts working days on the real calendar) and the
    /// promised completion (a promise of so many working days).
    CaseRedated {
        /// The calendar.
        calendar: CalendarId,
        /// The calendar's version after the publication.
        calendar_version: u32,
        /// Who published it.
        published_by: PrincipalId,
        /// The promised completion, when it moved.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        promised_completion: Option<DateChange>,
        /// Every open task whose dates moved.
        tasks: Vec<TaskRedated>,
    },
}

/// A date before and after a change; `None` is beyond the calendar's coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateChange {
    /// Before.
    pub from: Option<NaiveDate>,
    /// After.
    pub to: Option<NaiveDate>,
}

/// One task's dates re-dated on a new calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRedated {
    /// The task.
    pub task: TaskId,
    /// Working days its clock was paused, counted again on the new calendar.
    pub paused_working_days: u32,
    /// 承诺时限 due date.
    pub committed_due: DateChange,
    /// 法定时限 due date.
    pub statutory_due: DateChange,
}

impl Event {
    /// The event's name as stored (`task_approved`, `alert_raised`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Event::Launched { .. } => "launched",
            Event::TaskReady { .. } => "task_ready",
            Event::TaskClaimed { .. } => "task_claimed",
            Event::TaskReleased { .. } => "task_released",
            Event::LeaseExpired { .. } => "lease_expired",
            Event::TaskApproved { .. } => "task_approved",
            Event::TaskRejected { .. } => "task_rejected",
            Event::TaskWithdrawn { .. } => "task_withdrawn",
            Event::SupplementRequested { .. } => "supplement_requested",
            Event::SupplementAllowed { .. } => "supplement_allowed",
            Event::SupplementSubmitted { .. } => "supplement_submitted",
            Event::SpecialProcedureStarted { .. } => "special_procedure_started",
            Event::SpecialProcedureEnded { .. } => "special_procedure_ended",
            Event::AlertRaised { .. } => "alert_raised",
            Event::TaskUrged { .. } => "task_urged",
            Event::CaseAtRisk { .. } => "case_at_risk",
            Event::CaseCompleted => "case_completed",
            Event::CaseRejected { .. } => "case_rejected",
            Event::CaseWithdrawn { .. } => "case_withdrawn",
            Event::CaseIssued => "case_issued",
            Event::CaseRated { .. } => "case_rated",
            Event::AccessCodeReissued { .. } => "access_code_reissued",
            Event::CaseRedated { .. } => "case_redated",
        }
    }

    /// The task the event is about, if it is about one task.
    pub fn task(&self) -> Option<&TaskId> {
        match self {
            Event::TaskReady { task, .. }
            | Event::TaskClaimed { task, .. }
            | Event::TaskReleased { task }
            | Event::LeaseExpired { task, .. }
            | Event::TaskApproved { task, .. }
            | Event::TaskRejected { task, .. }
            | Event::TaskWithdrawn { task, .. }
            | Event::SupplementRequested { task, .. }
            | Event::SupplementAllowed { task, .. }
            | Event::SupplementSubmitted { task, .. }
            | Event::SpecialProcedureStarted { task, .. }
            | Event::SpecialProcedureEnded { task, .. }
            | Event::AlertRaised { task, .. }
            | Event::TaskUrged { task, .. } => Some(task),
            Event::Launched { .. }
            | Event::CaseAtRisk { .. }
            | Event::CaseCompleted
            | Event::CaseRejected { .. }
            | Event::CaseWithdrawn { .. }
            | Event::CaseIssued
            | Event::CaseRated { .. }
            | Event::AccessCodeReissued { .. }
            | Event::CaseRedated { .. } => None,
        }
    }
}
