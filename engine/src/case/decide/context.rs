//! What every decision shares: the [`Ctx`] a command is decided in (the case, its pinned
//! definition, the principal, `now` and the command's name) and the checks and steps more
//! than one command takes — who may act on which task (an officer of its department, the
//! holder of a live lease), dispatching a task with its due dates, resuming a paused clock,
//! withdrawing the tasks left when a case ends early, and the at-risk check.

use chrono::NaiveDate;

use crate::case::event::{Event, PlannedTaskSnapshot, Timestamp};
use crate::case::local_date;
use crate::case::projection::projection;
use crate::case::rejection::Rejection;
use crate::case::state::{CaseState, TaskState, TaskStatus};
use crate::ids::{CenterId, TaskId};
use crate::plan::CompiledWorkflow;
use crate::principal::{Principal, Role};
use crate::supervision::{Notice, Occasion, Parties};

/// What every step of a decision needs to see.
pub(super) struct Ctx<'a> {
    pub(super) case: &'a CaseState,
    pub(super) definition: &'a CompiledWorkflow,
    pub(super) by: &'a Principal,
    pub(super) now: Timestamp,
    pub(super) name: &'static str,
}

impl Ctx<'_> {
    pub(super) fn require(&self, roles: &[Role], needed: &'static str) -> Result<(), Rejection> {
        if roles.contains(&self.by.role) {
            Ok(())
        } else {
            Err(Rejection::Forbidden {
                command: self.name,
                needed,
                actual: self.by.role.as_str(),
            })
        }
    }

    pub(super) fn closed(&self) -> Rejection {
        Rejection::CaseClosed {
            command: self.name,
            status: self.case.status.as_str(),
        }
    }

    pub(super) fn today(&self) -> NaiveDate {
        local_date(self.now, &self.case.time_zone)
    }

    /// A task of an open case.
    pub(super) fn open_task(&self, task: &TaskId) -> Result<(usize, &TaskState), Rejection> {
        if !self.case.is_open() {
            return Err(self.closed());
        }
        let index = self
            .case
            .task_index(task.as_str())
            .ok_or_else(|| Rejection::UnknownTask(task.clone()))?;
        Ok((index, &self.case.tasks[index]))
    }

    /// A task of an open case that the principal, an officer, may act on.
    pub(super) fn officer_task(&self, task: &TaskId) -> Result<(usize, &TaskState), Rejection> {
        self.require(&[Role::Officer], "officer of the task's department")?;
        let (index, t) = self.open_task(task)?;
        if self.by.department.as_ref() != Some(&t.plan.department) {
            return Err(Rejection::WrongDepartment {
                task: task.clone(),
                department: t.plan.department.clone(),
                yours: self
                    .by
                    .department
                    .as_ref()
                    .map_or("no department".into(), |d| d.to_string()),
            });
        }
        Ok((index, t))
    }

    /// A task the principal holds under a live lease.
    pub(super) fn holder_task(&self, task: &TaskId) -> Result<(usize, &TaskState), Rejection> {
        let (index, t) = self.officer_task(task)?;
        match &t.status {
            TaskStatus::Claimed {
                officer,
                lease_until,
            } if officer == &self.by.id => {
                if *lease_until <= self.now {
                    Err(Rejection::LeaseExpired {
                        task: task.clone(),
                        expired: *lease_until,
                    })
                } else {
                    Ok((index, t))
                }
            }
            TaskStatus::Claimed {
                officer,
                lease_until,
            } if *lease_until > self.now => Err(Rejection::ClaimedByOther {
                task: task.clone(),
                holder: officer.clone(),
                until: *lease_until,
            }),
            other => Err(self.task_state(task, other)),
        }
    }

    pub(super) fn task_state(&self, task: &TaskId, status: &TaskStatus) -> Rejection {
        Rejection::TaskState {
            task: task.clone(),
            status: status.as_str(),
            command: self.name,
        }
    }

    /// The event dispatching `task`, ready on `ready_on`, with its due dates (`None` for a
    /// date past the calendar's coverage: the task is dispatched all the same).
    pub(super) fn ready(&self, task: &PlannedTaskSnapshot, ready_on: NaiveDate) -> Event {
        ready(self.definition, task, ready_on)
    }

    /// Working days paused since `since` (at most `limit`) and the extended due dates of
    /// `task`.
    ///
    /// The day the clock stopped still counts for the task; the working days after it, up
    /// to and including the day it runs again, do not. A special procedure pauses the clock
    /// for at most its granted days: time it runs over counts against the department.
    ///
    /// A day past the calendar's coverage has no count: the pause is counted up to the last
    /// covered day and the due dates are `None`, until a
    /// [`Command::Redate`](crate::case::Command::Redate) counts them on a calendar that
    /// covers them.
    pub(super) fn resume(
        &self,
        task: &TaskState,
        since: Timestamp,
        limit: Option<u32>,
    ) -> (u32, Option<NaiveDate>, Option<NaiveDate>) {
        let calendar = &self.definition.calendar;
        let stopped_on = local_date(since, &self.case.time_zone);
        let paused = paused_days(calendar, stopped_on, self.today(), limit);
        let ready_on = task.ready_on.unwrap_or(stopped_on);
        let total = task.paused_days + paused.unwrap_or(0);
        let due =
            |days: u32| paused.and_then(|_| calendar.add_working_days(ready_on, days + total).ok());
        (
            paused.unwrap_or_else(|| {
                let last = calendar.coverage().1;
                paused_days(calendar, stopped_on, last.min(self.today()), limit).unwrap_or(0)
            }),
            due(task.plan.committed_days),
            due(task.plan.statutory_days),
        )
    }

    /// The case's center.
    pub(super) fn center(&self) -> CenterId {
        self.case.center.clone()
    }

    /// Withdraws every task not yet decided, except `except`.
    pub(super) fn withdraw_others(&self, except: Option<&TaskId>, reason: &str) -> Vec<Event> {
        self.case
            .tasks
            .iter()
            .filter(|t| Some(&t.plan.id) != except)
            .filter(|t| t.status.is_open() || t.status == TaskStatus::Waiting)
            .map(|t| Event::TaskWithdrawn {
                task: t.plan.id.clone(),
                reason: reason.to_string(),
            })
            .collect()
    }

    /// `CaseAtRisk` when the projection with actual dates is later than the promise and
    /// later than any projection raised before; `just_approved` counts as approved now.
    pub(super) fn at_risk(&self, just_approved: Option<usize>) -> Result<Option<Event>, Rejection> {
        let promised = self.case.promised_completion;
        // A projection past the calendar's coverage has no date: nothing to compare.
        let Some(projected) = projection(
            self.case,
            &self.definition.calendar,
            self.today(),
            self.now,
            just_approved,
        ) else {
            return Ok(None);
        };
        let already = self
            .case
            .at_risk
            .is_some_and(|raised| projected.completion <= raised);
        if projected.completion <= promised || already {
            return Ok(None);
        }
        let center = self.center();
        let mut departments = Vec::new();
        for cause in &projected.causes {
            if let Some(task) = self.case.task(cause.as_str()) {
                if !departments.contains(&task.plan.department) {
                    departments.push(task.plan.department.clone());
                }
            }
        }
        let addressed = self.definition.recipients(
            &Notice {
                occasion: Occasion::AtRisk,
                task: None,
                parties: Parties {
                    officer: None,
                    coordinator: Some(&self.case.coordinator),
                    departments: &departments,
                    center: &center,
                },
                causes: &projected.causes,
            },
            &self.case.application,
        );
        Ok(Some(Event::CaseAtRisk {
            projected_completion: projected.completion,
            promised_completion: promised,
            causes: projected.causes,
            recipients: addressed.recipients,
            rule_error: addressed.rule_error,
        }))
    }
}

/// Working days from `from` (not counted) to `to` (counted), at least 0 and at most `limit`;
/// `None` when either day lies outside the calendar's coverage.
pub(super) fn paused_days(
    calendar: &crate::calendar::Calendar,
    from: NaiveDate,
    to: NaiveDate,
    limit: Option<u32>,
) -> Option<u32> {
    let days = calendar.working_days_between(from, to).ok()?.max(0);
    let days = u32::try_from(days).unwrap_or(u32::MAX);
    Some(limit.map_or(days, |limit| days.min(limit)))
}

pub(super) fn non_empty(text: &str, field: &'static str) -> Result<String, Rejection> {
    let text = text.trim();
    if text.is_empty() {
        Err(Rejection::Empty(field))
    } else {
        Ok(text.to_string())
    }
}

/// The event dispatching `task` of a case on `definition`, ready on `ready_on`, with its
/// due dates (`None` for a date past the calendar's coverage: the task is dispatched all
/// the same).
pub(super) fn ready(
    definition: &CompiledWorkflow,
    task: &PlannedTaskSnapshot,
    ready_on: NaiveDate,
) -> Event {
    let calendar = &definition.calendar;
    Event::TaskReady {
        task: task.id.clone(),
        committed_due: calendar
            .add_working_days(ready_on, task.committed_days)
            .ok(),
        statutory_due: calendar
            .add_working_days(ready_on, task.statutory_days)
            .ok(),
    }
}
