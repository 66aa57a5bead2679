//! Why a command was refused. A rejection changes nothing.

use super::event::Timestamp;
use crate::calendar;
use crate::ids::{DepartmentId, PrincipalId, TaskId};
use crate::plan;
use crate::workflow::FieldError;

/// A command not allowed in the case's current state, with a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The principal's role may not issue this command.
    #[error("`{command}` needs the role {needed}; you are {actual}")]
    Forbidden {
        /// The command.
        command: &'static str,
        /// Roles that may issue it.
        needed: &'static str,
        /// The principal's role.
        actual: &'static str,
    },
    /// The case does not exist yet.
    #[error("the case has not been launched")]
    NotLaunched,
    /// Launch of a case that exists.
    #[error("the case is already launched")]
    AlreadyLaunched,
    /// The case no longer accepts this command.
    #[error("the case is {status}; `{command}` is not possible any more")]
    CaseClosed {
        /// The command.
        command: &'static str,
        /// The case's status.
        status: &'static str,
    },
    /// No such task in the case.
    #[error("the case has no task `{0}`")]
    UnknownTask(TaskId),
    /// An officer acting on another department's task.
    #[error("task `{task}` belongs to department `{department}`; you are an officer of `{yours}`")]
    WrongDepartment {
        /// The task.
        task: TaskId,
        /// Its department.
        department: DepartmentId,
        /// The officer's department.
        yours: String,
    },
    /// The task is not in a state that allows the command.
    #[error("task `{task}` is {status}; `{command}` is not possible")]
    TaskState {
        /// The task.
        task: TaskId,
        /// Its status.
        status: &'static str,
        /// The command.
        command: &'static str,
    },
    /// Someone else holds the claim.
    #[error("task `{task}` is claimed by `{holder}` until {until}")]
    ClaimedByOther {
        /// The task.
        task: TaskId,
        /// Who holds it.
        holder: PrincipalId,
        /// Until when.
        until: Timestamp,
    },
    /// The officer's own lease ran out.
    #[error("your claim on task `{task}` expired at {expired}; claim it again")]
    LeaseExpired {
        /// The task.
        task: TaskId,
        /// When it expired.
        expired: Timestamp,
    },
    /// The lease has not run out yet.
    #[error("the lease on task `{task}` runs until {until}")]
    LeaseNotExpired {
        /// The task.
        task: TaskId,
        /// Until when.
        until: Timestamp,
    },
    /// A second supplement request without a supervisor's allowance.
    #[error(
        "task `{task}` already asked for supplements {count} time(s): one-time notification (一次性告知) lists every missing material at once; a supervisor must allow another request"
    )]
    SupplementAlreadyRequested {
        /// The task.
        task: TaskId,
        /// Requests made.
        count: u32,
    },
    /// A supervisor's allowance for a task that has not used the requests it may make.
    #[error(
        "task `{task}` has used {requested} of its {allowed} supplement request(s); an allowance is only needed once they are used"
    )]
    SupplementNotUsed {
        /// The task.
        task: TaskId,
        /// Requests made.
        requested: u32,
        /// Requests allowed.
        allowed: u32,
    },
    /// A supplement request listing nothing.
    #[error("a supplement request must list every missing material; the list is empty")]
    NoMaterials,
    /// A required text is empty.
    #[error("`{0}` must not be empty")]
    Empty(&'static str),
    /// A value out of range.
    #[error("{0}")]
    Invalid(String),
    /// Issue before every task is approved.
    #[error("the case cannot be issued yet: {pending} task(s) not approved ({first} …)")]
    NotCompleted {
        /// Tasks not approved.
        pending: usize,
        /// The first of them.
        first: TaskId,
    },
    /// The case was already rated.
    #[error("the case was already rated")]
    AlreadyRated,
    /// Planning the application failed.
    #[error("cannot plan the application: {0}")]
    Plan(#[from] plan::Error),
    /// A date fell outside the calendar.
    #[error(transparent)]
    Calendar(#[from] calendar::Error),
    /// Dates of the plan fell outside the calendar.
    #[error(transparent)]
    Timetable(#[from] plan::TimetableError),
    /// The promised date of a launch would lie past the calendar's coverage, so no date can
    /// be promised.
    #[error(
        "calendar `{calendar}` covers {first} to {last}; this application's promised date would \
         lie in {year}, for which no year of `{calendar}` is published, so no date can be \
         promised: publish {year} (official, or provisional: `greenlane calendar provisional \
         --year {year}`) and launch again"
    )]
    BeyondCalendar {
        /// The calendar.
        calendar: crate::ids::CalendarId,
        /// The first year missing.
        year: i32,
        /// First covered day.
        first: chrono::NaiveDate,
        /// Last covered day.
        last: chrono::NaiveDate,
    },
    /// The center's time zone is not a known IANA name.
    #[error("unknown time zone `{0}`; use an IANA name such as Asia/Shanghai")]
    TimeZone(String),
    /// A launch whose application does not match the fields its workflow declares
    /// (`application:`): every problem, in the order of the declared fields.
    #[error(
        "申请内容与流程声明的字段不符 the application does not match the fields the workflow \
         declares: {}",
        field_errors(errors)
    )]
    InvalidApplication {
        /// Every problem, never empty.
        errors: Vec<FieldError>,
    },
}

/// `` `a`: 必填 required; `b`: … `` for a rejection's message.
fn field_errors(errors: &[FieldError]) -> String {
    let problems: Vec<String> = errors
        .iter()
        .map(|error| match error.field.as_str() {
            "" => error.message.clone(),
            field => format!("`{field}`: {}", error.message),
        })
        .collect();
    problems.join("; ")
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::ids::CalendarId;

    /// The messages of `error` and of its sources, as `anyhow`'s `{:#}` prints them.
    fn chain(error: &dyn std::error::Error) -> Vec<String> {
        let mut messages = vec![error.to_string()];
        let mut source = error.source();
        while let Some(s) = source {
            messages.push(s.to_string());
            source = s.source();
        }
        messages
    }

    #[test]
    fn a_date_outside_the_calendar_is_said_once() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let cause = calendar::Error::OutOfRange {
            calendar: CalendarId::new("cn"),
            date: day(2027, 1, 1),
            first: day(2024, 1, 1),
            last: day(2026, 12, 31),
        };
        for rejection in [
            Rejection::from(cause.clone()),
            Rejection::from(plan::TimetableError::from(cause.clone())),
        ] {
            assert_eq!(chain(&rejection), [cause.to_string()]);
        }
    }
}
