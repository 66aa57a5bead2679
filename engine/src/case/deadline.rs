//! When each open task's alerts fire: the dates of [`crate::supervision::alert_dates`]
//! turned into instants (the end of the day in the center's time zone), for the alerts not
//! fired yet. `decide` fires those whose instant has passed; the runtime indexes the
//! earliest of the rest ([`next_check`]) so it knows when to check the case again.

use chrono::NaiveDate;

use super::event::Timestamp;
use super::parse_time_zone;
use super::rejection::Rejection;
use super::state::{CaseState, Suspension, TaskStatus};
use crate::ids::PrincipalId;
use crate::plan::CompiledWorkflow;
use crate::supervision::{alert_dates, end_of_day, AlertLevel};

/// An alert of one task that has not fired yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAlert<'a> {
    /// Index of the task in [`CaseState::tasks`].
    pub task: usize,
    /// The level.
    pub level: AlertLevel,
    /// The due date it is about (statutory for red, committed otherwise).
    pub due: NaiveDate,
    /// When it fires.
    pub fires_at: Timestamp,
    /// The officer holding the task, if any.
    pub officer: Option<&'a PrincipalId>,
}

/// Every alert of an open case's open tasks that has not fired yet.
///
/// A task waiting for supplements is not carded: the applicant holds the clock. A special
/// procedure stops it for at most its granted days, so the dates move back by those days
/// and a procedure that overruns them is carded.
///
/// An alert whose date lies past the calendar's coverage is left out (parked): its instant
/// is unknown until a year covering it is published, and publishing one re-dates the case
/// and writes its next check again.
pub fn pending_alerts<'a>(
    case: &'a CaseState,
    definition: &CompiledWorkflow,
) -> Result<Vec<PendingAlert<'a>>, Rejection> {
    let mut pending = Vec::new();
    if !case.is_open() {
        return Ok(pending);
    }
    let zone = parse_time_zone(&case.time_zone)?;
    let calendar = &definition.calendar;
    for (index, task) in case.tasks.iter().enumerate() {
        let (officer, granted): (Option<&PrincipalId>, u32) = match &task.status {
            TaskStatus::Ready => (None, 0),
            TaskStatus::Claimed { officer, .. } => (Some(officer), 0),
            TaskStatus::Suspended {
                suspension: Suspension::SpecialProcedure { granted_days, .. },
                officer,
                ..
            } => (Some(officer), *granted_days),
            _ => continue,
        };
        let Some(ready_on) = task.ready_on else {
            continue;
        };
        let paused = task.paused_days + granted;
        let committed_due = calendar
            .add_working_days(ready_on, task.plan.committed_days + paused)
            .ok();
        let statutory_due = calendar
            .add_working_days(ready_on, task.plan.statutory_days + paused)
            .ok();
        let dates = alert_dates(
            calendar,
            definition.warning,
            ready_on,
            task.plan.committed_days,
            paused,
            task.plan.statutory_days,
        );
        for (level, date) in dates {
            let Some(date) = date else { continue };
            let due = if level == AlertLevel::Red {
                statutory_due
            } else {
                committed_due
            };
            let Some(due) = due else { continue };
            if task.alerts.contains(&level) {
                continue;
            }
            pending.push(PendingAlert {
                task: index,
                level,
                due,
                fires_at: end_of_day(date, zone),
                officer,
            });
        }
    }
    Ok(pending)
}

/// The earliest instant at which a deadline check of `case` can raise something: its first
/// pending alert. `None` when nothing is pending (a closed case, or every alert fired).
pub fn next_check(case: &CaseState, definition: &CompiledWorkflow) -> Option<Timestamp> {
    pending_alerts(case, definition)
        .ok()?
        .into_iter()
        .map(|alert| alert.fires_at)
        .min()
}
