//! Commands: what principals ask of a case. [`super::decide`] turns a command into events
//! or a [`super::Rejection`].

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::event::{Rating, SpecialProcedure};
use crate::ids::{CalendarId, CaseId, PrincipalId, TaskId, WorkflowId};

/// Everything a principal can ask of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Launch a joint approval (coordinator).
    Launch {
        /// The new case's id.
        case: CaseId,
        /// The workflow launched; must be the definition `decide` is given.
        workflow: WorkflowId,
        /// Published version of the workflow used.
        version: u32,
        /// The application, a JSON object.
        application: serde_json::Value,
        /// Center time zone (IANA name), e.g. `Asia/Shanghai`.
        time_zone: String,
        /// Salted hash of the applicant's access code.
        access_code_hash: String,
    },
    /// Claim a ready task, or renew one's own claim (officer of the task's department).
    Claim {
        /// The task.
        task: TaskId,
        /// Lease length.
        #[serde(with = "seconds")]
        lease: Duration,
    },
    /// Give a claimed task back to the queue (the officer holding it).
    Release {
        /// The task.
        task: TaskId,
    },
    /// Put a task whose lease ran out back in the queue (system).
    ExpireLease {
        /// The task.
        task: TaskId,
    },
    /// Approve a claimed task (the officer holding it).
    Approve {
        /// The task.
        task: TaskId,
        /// The officer's opinion (审批意见), if any; recorded on the approval.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinion: Option<String>,
    },
    /// Reject a claimed task and with it the case (the officer holding it).
    Reject {
        /// The task.
        task: TaskId,
        /// Why; shown to every department of the case and to the applicant.
        reason: String,
    },
    /// 一次性告知: list every missing material at once (the officer holding the task).
    RequestSupplement {
        /// The task.
        task: TaskId,
        /// Every missing material; never empty.
        materials: Vec<String>,
    },
    /// Allow one more supplement request on a task (supervisor).
    AllowSupplement {
        /// The task.
        task: TaskId,
        /// Why; recorded.
        reason: String,
    },
    /// The applicant handed in the materials (coordinator).
    SubmitSupplement {
        /// The task.
        task: TaskId,
    },
    /// Start a special procedure (the officer holding the task).
    StartSpecialProcedure {
        /// The task.
        task: TaskId,
        /// Which procedure.
        procedure: SpecialProcedure,
        /// Working days granted.
        granted_days: u32,
    },
    /// End a special procedure (an officer of the task's department).
    EndSpecialProcedure {
        /// The task.
        task: TaskId,
    },
    /// Withdraw the application (applicant or coordinator).
    Withdraw {
        /// Why.
        reason: String,
    },
    /// Hand out the result at one window (coordinator; every task approved).
    Issue,
    /// Rate the service (applicant, or coordinator on the applicant's behalf).
    Rate {
        /// The rating.
        rating: Rating,
    },
    /// Give the applicant a new access code, with the applicant present (coordinator): the
    /// old code stops working. The hash is made by the caller; the code is never recorded.
    ReissueAccessCode {
        /// The new code's hash.
        access_code_hash: String,
    },
    /// Urge a late or at-risk task (督办, supervisor): the officer holding it and the head
    /// of its department are told, and the note stays on the task.
    Urge {
        /// The task.
        task: TaskId,
        /// What the supervision office asks; not blank.
        note: String,
    },
    /// Fire the alerts that are due and re-check the projected completion (system).
    CheckDeadlines,
    /// Count the case's dates again on its calendar after a year of it was published
    /// (system): the open tasks' due dates and the promised completion.
    Redate {
        /// The calendar published.
        calendar: CalendarId,
        /// Its version after the publication.
        calendar_version: u32,
        /// Who published it.
        published_by: PrincipalId,
    },
}

impl Command {
    /// Approve `task` without an opinion.
    pub fn approve(task: TaskId) -> Command {
        Command::Approve {
            task,
            opinion: None,
        }
    }

    /// The task of a command that only the officer holding it may give (approve, reject,
    /// request supplement, start a special procedure, release).
    pub fn holder_task(&self) -> Option<&TaskId> {
        match self {
            Command::Release { task }
            | Command::Approve { task, .. }
            | Command::Reject { task, .. }
            | Command::RequestSupplement { task, .. }
            | Command::StartSpecialProcedure { task, .. } => Some(task),
            _ => None,
        }
    }

    /// The command's name, for metrics and messages.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Launch { .. } => "launch",
            Command::Claim { .. } => "claim",
            Command::Release { .. } => "release",
            Command::ExpireLease { .. } => "expire_lease",
            Command::Approve { .. } => "approve",
            Command::Reject { .. } => "reject",
            Command::RequestSupplement { .. } => "request_supplement",
            Command::AllowSupplement { .. } => "allow_supplement",
            Command::SubmitSupplement { .. } => "submit_supplement",
            Command::StartSpecialProcedure { .. } => "start_special_procedure",
            Command::EndSpecialProcedure { .. } => "end_special_procedure",
            Command::Withdraw { .. } => "withdraw",
            Command::Issue => "issue",
            Command::Rate { .. } => "rate",
            Command::ReissueAccessCode { .. } => "reissue_access_code",
            Command::Urge { .. } => "urge",
            Command::CheckDeadlines => "check_deadlines",
            Command::Redate { .. } => "redate",
        }
    }
}

mod seconds {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.num_seconds())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        i64::deserialize(d).map(Duration::seconds)
    }
}
