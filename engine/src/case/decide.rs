//! `decide`: the pure transition function of a case. Given the state, the pinned definition,
//! the principal, the command and `now`, it returns the events to record or a rejection.
//! It performs no I/O; dispatching and indexing deadlines are done by the runtime from the
//! events it returns.

use chrono::NaiveDate;

use super::command::Command;
use super::deadline::pending_alerts;
use super::event::{DateChange, Event, PlannedTaskSnapshot, TaskRedated, Timestamp};
use super::projection::projection;
use super::rejection::Rejection;
use super::state::{CaseState, CaseStatus, Suspension, TaskState, TaskStatus};
use super::{local_date, parse_time_zone};
use crate::ids::TaskId;
use crate::plan::CompiledWorkflow;
use crate::principal::{Principal, Role};
use crate::supervision::{Notice, Occasion, Parties};

/// Decides `command` for `by` on `case` at `now`, using the definition the case is pinned
/// to (for a launch: the definition to launch with).
pub fn decide(
    case: &CaseState,
    definition: &CompiledWorkflow,
    by: &Principal,
    command: &Command,
    now: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let ctx = Ctx {
        case,
        definition,
        by,
        now,
        name: command.name(),
    };
    match command {
        Command::Launch {
            case: id,
            workflow,
            version,
            application,
            time_zone,
            access_code_hash,
        } => {
            ctx.require(&[Role::Coordinator, Role::Admin], "coordinator")?;
            if case.status != CaseStatus::New {
                return Err(Rejection::AlreadyLaunched);
            }
            if workflow != &definition.workflow.id {
                return Err(Rejection::Invalid(format!(
                    "launch of workflow `{workflow}` decided with the definition of `{}`",
                    definition.workflow.id
                )));
            }
            let zone = parse_time_zone(time_zone)?;
            let launched_on = local_date(now, zone.name());
            let plan = definition.plan(application)?;
            let timetable = plan
                .timetable(&definition.calendar, launched_on)
                .map_err(beyond_calendar)?;
            let tasks: Vec<PlannedTaskSnapshot> = plan
                .tasks()
                .zip(&timetable.tasks)
                .map(|(task, row)| PlannedTaskSnapshot {
                    id: task.id.clone(),
                    name: task.name.clone(),
                    department: task.department.clone(),
                    kind: task.kind,
                    statutory_days: task.statutory_days,
                    committed_days: task.committed_days,
                    needs: task.needs.clone(),
                    materials: task.materials.clone(),
                    planned_finish: row.earliest_finish,
                    latest_finish: row.latest_finish,
                })
                .collect();
            let mut events = Vec::with_capacity(tasks.len() + 2);
            for task in tasks.iter().filter(|t| t.needs.is_empty()) {
                events.push(ctx.ready(
                    &task.id,
                    launched_on,
                    task.committed_days,
                    task.statutory_days,
                ));
            }
            let empty = tasks.is_empty();
            events.insert(
                0,
                Event::Launched {
                    case: id.clone(),
                    workflow: definition.workflow.id.clone(),
                    version: *version,
                    center: by.center.clone(),
                    time_zone: zone.name().to_string(),
                    launched_on,
                    application: application.clone(),
                    tasks,
                    skipped: plan.skipped.clone(),
                    duration_working_days: timetable.duration_working_days,
                    promised_completion: timetable.promised_completion,
                    critical_path: timetable.critical_path.clone(),
                    access_code_hash: access_code_hash.clone(),
                },
            );
            if empty {
                events.push(Event::CaseCompleted);
            }
            Ok(events)
        }
        Command::Claim { task, lease } => {
            let (_, t) = ctx.officer_task(task)?;
            if *lease <= chrono::Duration::zero() {
                return Err(Rejection::Invalid(
                    "a lease must be longer than zero".into(),
                ));
            }
            let claimed = Event::TaskClaimed {
                task: task.clone(),
                officer: by.id.clone(),
                lease_until: now + *lease,
            };
            match &t.status {
                TaskStatus::Ready => Ok(vec![claimed]),
                TaskStatus::Claimed { officer, .. } if officer == &by.id => Ok(vec![claimed]),
                TaskStatus::Claimed {
                    officer,
                    lease_until,
                } if *lease_until > now => Err(Rejection::ClaimedByOther {
                    task: task.clone(),
                    holder: officer.clone(),
                    until: *lease_until,
                }),
                TaskStatus::Claimed { officer, .. } => Ok(vec![
                    Event::LeaseExpired {
                        task: task.clone(),
                        officer: officer.clone(),
                    },
                    claimed,
                ]),
                other => Err(ctx.task_state(task, other)),
            }
        }
        Command::Release { task } => {
            ctx.holder_task(task)?;
            Ok(vec![Event::TaskReleased { task: task.clone() }])
        }
        Command::ExpireLease { task } => {
            ctx.require(&[Role::System, Role::Admin], "system")?;
            let (_, t) = ctx.open_task(task)?;
            match &t.status {
                TaskStatus::Claimed {
                    officer,
                    lease_until,
                } if *lease_until <= now => Ok(vec![Event::LeaseExpired {
                    task: task.clone(),
                    officer: officer.clone(),
                }]),
                TaskStatus::Claimed { lease_until, .. } => Err(Rejection::LeaseNotExpired {
                    task: task.clone(),
                    until: *lease_until,
                }),
                other => Err(ctx.task_state(task, other)),
            }
        }
        Command::Approve { task } => {
            let (index, _) = ctx.holder_task(task)?;
            let mut events = vec![Event::TaskApproved { task: task.clone() }];
            let today = ctx.today();
            let approved = |i: usize| {
                i == index || matches!(case.tasks[i].status, TaskStatus::Approved { .. })
            };
            for t in case
                .tasks
                .iter()
                .filter(|t| t.status == TaskStatus::Waiting)
            {
                if t.needs.iter().all(|&n| approved(n)) {
                    events.push(ctx.ready(&t.id, today, t.committed_days, t.statutory_days));
                }
            }
            if (0..case.tasks.len()).all(approved) {
                events.push(Event::CaseCompleted);
            } else if let Some(at_risk) = ctx.at_risk(Some(index))? {
                events.push(at_risk);
            }
            Ok(events)
        }
        Command::Reject { task, reason } => {
            ctx.holder_task(task)?;
            let reason = non_empty(reason, "reason")?;
            let mut events = vec![Event::TaskRejected {
                task: task.clone(),
                reason: reason.clone(),
            }];
            events.extend(
                ctx.withdraw_others(Some(task), &format!("task `{task}` was rejected: {reason}")),
            );
            events.push(Event::CaseRejected {
                task: task.clone(),
                reason,
            });
            Ok(events)
        }
        Command::RequestSupplement { task, materials } => {
            let (_, t) = ctx.holder_task(task)?;
            let materials: Vec<String> = materials
                .iter()
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty())
                .collect();
            if materials.is_empty() {
                return Err(Rejection::NoMaterials);
            }
            if t.supplements_requested >= t.supplements_allowed {
                return Err(Rejection::SupplementAlreadyRequested {
                    task: task.clone(),
                    count: t.supplements_requested,
                });
            }
            Ok(vec![Event::SupplementRequested {
                task: task.clone(),
                materials,
            }])
        }
        Command::AllowSupplement { task, reason } => {
            ctx.require(&[Role::Supervisor, Role::Admin], "supervisor")?;
            let (_, t) = ctx.open_task(task)?;
            if !t.status.is_open() && t.status != TaskStatus::Waiting {
                return Err(ctx.task_state(task, &t.status));
            }
            // An allowance answers a refused second request; granted in advance or twice it
            // would quietly undo one-time notification (一次性告知).
            if t.supplements_requested < t.supplements_allowed {
                return Err(Rejection::SupplementNotUsed {
                    task: task.clone(),
                    requested: t.supplements_requested,
                    allowed: t.supplements_allowed,
                });
            }
            let reason = non_empty(reason, "reason")?;
            Ok(vec![Event::SupplementAllowed {
                task: task.clone(),
                reason,
            }])
        }
        Command::SubmitSupplement { task } => {
            ctx.require(&[Role::Coordinator, Role::Admin], "coordinator")?;
            let (_, t) = ctx.open_task(task)?;
            match &t.status {
                TaskStatus::Suspended {
                    suspension: Suspension::Supplement { .. },
                    since,
                    ..
                } => {
                    let (paused, committed_due, statutory_due) = ctx.resume(t, *since, None);
                    Ok(vec![Event::SupplementSubmitted {
                        task: task.clone(),
                        paused_working_days: paused,
                        committed_due,
                        statutory_due,
                    }])
                }
                other => Err(ctx.task_state(task, other)),
            }
        }
        Command::StartSpecialProcedure {
            task,
            procedure,
            granted_days,
        } => {
            ctx.holder_task(task)?;
            if *granted_days == 0 {
                return Err(Rejection::Invalid(
                    "a special procedure needs at least 1 granted day".into(),
                ));
            }
            Ok(vec![Event::SpecialProcedureStarted {
                task: task.clone(),
                procedure: *procedure,
                granted_days: *granted_days,
            }])
        }
        Command::EndSpecialProcedure { task } => {
            let (_, t) = ctx.officer_task(task)?;
            match &t.status {
                TaskStatus::Suspended {
                    suspension: Suspension::SpecialProcedure { granted_days, .. },
                    since,
                    ..
                } => {
                    let (paused, committed_due, statutory_due) =
                        ctx.resume(t, *since, Some(*granted_days));
                    Ok(vec![Event::SpecialProcedureEnded {
                        task: task.clone(),
                        paused_working_days: paused,
                        committed_due,
                        statutory_due,
                    }])
                }
                other => Err(ctx.task_state(task, other)),
            }
        }
        Command::Withdraw { reason } => {
            ctx.require(
                &[Role::Applicant, Role::Coordinator, Role::Admin],
                "applicant or coordinator",
            )?;
            ctx.launched()?;
            if !matches!(case.status, CaseStatus::Open | CaseStatus::Completed { .. }) {
                return Err(ctx.closed());
            }
            let reason = non_empty(reason, "reason")?;
            let mut events =
                ctx.withdraw_others(None, &format!("the case was withdrawn: {reason}"));
            events.push(Event::CaseWithdrawn { reason });
            Ok(events)
        }
        Command::Issue => {
            ctx.require(&[Role::Coordinator, Role::Admin], "coordinator")?;
            ctx.launched()?;
            match &case.status {
                CaseStatus::Completed { .. } => Ok(vec![Event::CaseIssued]),
                CaseStatus::Open => {
                    let pending: Vec<&TaskState> = case
                        .tasks
                        .iter()
                        .filter(|t| !matches!(t.status, TaskStatus::Approved { .. }))
                        .collect();
                    Err(Rejection::NotCompleted {
                        pending: pending.len(),
                        first: pending[0].id.clone(),
                    })
                }
                _ => Err(ctx.closed()),
            }
        }
        Command::Rate { rating } => {
            ctx.require(
                &[Role::Applicant, Role::Coordinator, Role::Admin],
                "applicant or coordinator",
            )?;
            ctx.launched()?;
            if matches!(case.status, CaseStatus::Open) {
                return Err(Rejection::CaseClosed {
                    command: ctx.name,
                    status: "still open",
                });
            }
            if case.rating.is_some() {
                return Err(Rejection::AlreadyRated);
            }
            if let super::event::Rating::Stars(stars) = rating {
                if !(1..=5).contains(stars) {
                    return Err(Rejection::Invalid(format!(
                        "a rating has 1 to 5 stars, not {stars}"
                    )));
                }
            }
            Ok(vec![Event::CaseRated { rating: *rating }])
        }
        Command::CheckDeadlines => {
            ctx.require(&[Role::System, Role::Admin], "system")?;
            ctx.launched()?;
            if !case.is_open() {
                return Ok(Vec::new());
            }
            let mut events = ctx.due_alerts()?;
            if let Some(at_risk) = ctx.at_risk(None)? {
                events.push(at_risk);
            }
            Ok(events)
        }
        Command::Redate {
            calendar,
            calendar_version,
            published_by,
        } => {
            ctx.require(&[Role::System, Role::Admin], "system")?;
            ctx.launched()?;
            if !case.is_open() || definition.calendar.id() != calendar {
                return Ok(Vec::new());
            }
            Ok(ctx
                .redated(calendar, *calendar_version, published_by)
                .into_iter()
                .collect())
        }
    }
}

/// A launch whose timetable runs past the calendar: the year missing, named.
fn beyond_calendar(error: crate::plan::TimetableError) -> Rejection {
    use chrono::Datelike;
    match error {
        crate::plan::TimetableError::Calendar(crate::calendar::Error::OutOfRange {
            calendar,
            date,
            first,
            last,
        }) => Rejection::BeyondCalendar {
            calendar,
            year: date.year(),
            first,
            last,
        },
        other => Rejection::Timetable(other),
    }
}

/// What every step of a decision needs to see.
struct Ctx<'a> {
    case: &'a CaseState,
    definition: &'a CompiledWorkflow,
    by: &'a Principal,
    now: Timestamp,
    name: &'static str,
}

impl Ctx<'_> {
    fn require(&self, roles: &[Role], needed: &'static str) -> Result<(), Rejection> {
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

    fn launched(&self) -> Result<(), Rejection> {
        if self.case.status == CaseStatus::New {
            Err(Rejection::NotLaunched)
        } else {
            Ok(())
        }
    }

    fn closed(&self) -> Rejection {
        Rejection::CaseClosed {
            command: self.name,
            status: self.case.status.as_str(),
        }
    }

    fn today(&self) -> NaiveDate {
        local_date(self.now, &self.case.time_zone)
    }

    /// A task of an open case.
    fn open_task(&self, task: &TaskId) -> Result<(usize, &TaskState), Rejection> {
        self.launched()?;
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
    fn officer_task(&self, task: &TaskId) -> Result<(usize, &TaskState), Rejection> {
        self.require(&[Role::Officer], "officer of the task's department")?;
        let (index, t) = self.open_task(task)?;
        if self.by.department.as_ref() != Some(&t.department) {
            return Err(Rejection::WrongDepartment {
                task: task.clone(),
                department: t.department.clone(),
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
    fn holder_task(&self, task: &TaskId) -> Result<(usize, &TaskState), Rejection> {
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

    fn task_state(&self, task: &TaskId, status: &TaskStatus) -> Rejection {
        Rejection::TaskState {
            task: task.clone(),
            status: status.as_str(),
            command: self.name,
        }
    }

    /// The event dispatching `task`, ready on `ready_on`, with its due dates (`None` for a
    /// date past the calendar's coverage: the task is dispatched all the same).
    fn ready(&self, task: &TaskId, ready_on: NaiveDate, committed: u32, statutory: u32) -> Event {
        let calendar = &self.definition.calendar;
        Event::TaskReady {
            task: task.clone(),
            committed_due: calendar.add_working_days(ready_on, committed).ok(),
            statutory_due: calendar.add_working_days(ready_on, statutory).ok(),
        }
    }

    /// Working days paused since `since` (at most `limit`) and the extended due dates of
    /// `task`.
    ///
    /// The day the clock stopped still counts for the task; the working days after it, up
    /// to and including the day it runs again, do not. A special procedure pauses the clock
    /// for at most its granted days: time it runs over counts against the department.
    ///
    /// A day past the calendar's coverage has no count: the pause is counted up to the last
    /// covered day and the due dates are `None`, until a [`Command::Redate`] counts them on
    /// a calendar that covers them.
    fn resume(
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
            due(task.committed_days),
            due(task.statutory_days),
        )
    }

    /// The case's dates counted again on the definition's calendar; `None` when none moved.
    ///
    /// What moves: every date that is a count of working days — the open tasks' due dates
    /// (from the day each became ready, its limits and its pauses, each pause counted again)
    /// and the promised completion (the launch date plus the planned working days). What does
    /// not: what happened and when (ready, claimed, paused, decided), and the dates of tasks
    /// already decided, which were judged against the dates they had.
    fn redated(
        &self,
        calendar: &crate::ids::CalendarId,
        calendar_version: u32,
        published_by: &crate::ids::PrincipalId,
    ) -> Option<Event> {
        let cal = &self.definition.calendar;
        let mut tasks = Vec::new();
        for task in self.case.tasks.iter().filter(|t| t.status.is_open()) {
            let Some(ready_on) = task.ready_on else {
                continue;
            };
            let recounted: Option<u32> = task
                .pauses
                .iter()
                .map(|p| paused_days(cal, p.stopped_on, p.resumed_on, p.limit))
                .sum();
            let paused = recounted.unwrap_or(task.paused_days);
            let due = |days: u32| cal.add_working_days(ready_on, days + paused).ok();
            let (committed, statutory) = (due(task.committed_days), due(task.statutory_days));
            if committed != task.committed_due
                || statutory != task.statutory_due
                || paused != task.paused_days
            {
                tasks.push(TaskRedated {
                    task: task.id.clone(),
                    paused_working_days: paused,
                    committed_due: DateChange {
                        from: task.committed_due,
                        to: committed,
                    },
                    statutory_due: DateChange {
                        from: task.statutory_due,
                        to: statutory,
                    },
                });
            }
        }
        let promised = self.case.launched_on.map(|on| {
            cal.add_working_days(on, self.case.duration_working_days)
                .ok()
        });
        let promised_completion = promised
            .filter(|to| *to != self.case.promised_completion)
            .map(|to| DateChange {
                from: self.case.promised_completion,
                to,
            });
        if tasks.is_empty() && promised_completion.is_none() {
            return None;
        }
        Some(Event::CaseRedated {
            calendar: calendar.clone(),
            calendar_version,
            published_by: published_by.clone(),
            promised_completion,
            tasks,
        })
    }

    /// Withdraws every task not yet decided, except `except`.
    fn withdraw_others(&self, except: Option<&TaskId>, reason: &str) -> Vec<Event> {
        self.case
            .tasks
            .iter()
            .filter(|t| Some(&t.id) != except)
            .filter(|t| t.status.is_open() || t.status == TaskStatus::Waiting)
            .map(|t| Event::TaskWithdrawn {
                task: t.id.clone(),
                reason: reason.to_string(),
            })
            .collect()
    }

    /// Alerts whose firing instant has passed and that have not fired yet.
    fn due_alerts(&self) -> Result<Vec<Event>, Rejection> {
        let center = self
            .case
            .center
            .clone()
            .unwrap_or_else(|| self.by.center.clone());
        Ok(pending_alerts(self.case, self.definition)?
            .into_iter()
            .filter(|alert| alert.fires_at <= self.now)
            .map(|alert| {
                let task = &self.case.tasks[alert.task];
                let addressed = self.definition.recipients(
                    &Notice {
                        occasion: Occasion::Alert(alert.level),
                        task: Some(&task.id),
                        parties: Parties {
                            officer: alert.officer,
                            coordinator: self.case.coordinator.as_ref(),
                            departments: std::slice::from_ref(&task.department),
                            center: &center,
                        },
                        causes: &[],
                    },
                    &self.case.application,
                );
                Event::AlertRaised {
                    task: task.id.clone(),
                    level: alert.level,
                    due: alert.due,
                    department: task.department.clone(),
                    officer: alert.officer.cloned(),
                    recipients: addressed.recipients,
                    rule_error: addressed.rule_error,
                }
            })
            .collect())
    }

    /// `CaseAtRisk` when the projection with actual dates is later than the promise and
    /// later than any projection raised before; `just_approved` counts as approved now.
    fn at_risk(&self, just_approved: Option<usize>) -> Result<Option<Event>, Rejection> {
        let (Some(promised), Some(_)) = (self.case.promised_completion, self.case.launched_on)
        else {
            return Ok(None);
        };
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
        let center = self
            .case
            .center
            .clone()
            .unwrap_or_else(|| self.by.center.clone());
        let mut departments = Vec::new();
        for cause in &projected.causes {
            if let Some(task) = self.case.task(cause.as_str()) {
                if !departments.contains(&task.department) {
                    departments.push(task.department.clone());
                }
            }
        }
        let addressed = self.definition.recipients(
            &Notice {
                occasion: Occasion::AtRisk,
                task: None,
                parties: Parties {
                    officer: None,
                    coordinator: self.case.coordinator.as_ref(),
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
fn paused_days(
    calendar: &crate::calendar::Calendar,
    from: NaiveDate,
    to: NaiveDate,
    limit: Option<u32>,
) -> Option<u32> {
    let days = calendar.working_days_between(from, to).ok()?.max(0);
    let days = u32::try_from(days).unwrap_or(u32::MAX);
    Some(limit.map_or(days, |limit| days.min(limit)))
}

fn non_empty(text: &str, field: &'static str) -> Result<String, Rejection> {
    let text = text.trim();
    if text.is_empty() {
        Err(Rejection::Empty(field))
    } else {
        Ok(text.to_string())
    }
}
