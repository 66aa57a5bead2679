//! Folding events into state. `apply` never fails and never needs the calendar: events
//! carry every computed value.

use super::event::{Event, Recorded};
use super::state::{CaseState, CaseStatus, Pause, Suspension, TaskState, TaskStatus, Urge};

/// Applies one recorded event to the state.
pub fn apply(state: &mut CaseState, recorded: &Recorded) {
    state.version += 1;
    let at = recorded.at;
    match &recorded.event {
        // A case exists from its launch on (`CaseState::launched`): a second one is never
        // decided, and only counts.
        Event::Launched { .. } => {}
        Event::TaskReady {
            task,
            committed_due,
            statutory_due,
        } => {
            let time_zone = state.time_zone.clone();
            if let Some(t) = task_mut(state, task.as_str()) {
                t.status = TaskStatus::Ready;
                t.ready_at = Some(at);
                t.ready_on = Some(super::local_date(at, &time_zone));
                t.committed_due = *committed_due;
                t.statutory_due = *statutory_due;
            }
        }
        Event::TaskClaimed {
            task,
            officer,
            lease_until,
        } => {
            if let Some(t) = task_mut(state, task.as_str()) {
                t.status = TaskStatus::Claimed {
                    officer: officer.clone(),
                    lease_until: *lease_until,
                };
            }
        }
        Event::TaskReleased { task } | Event::LeaseExpired { task, .. } => {
            if let Some(t) = task_mut(state, task.as_str()) {
                t.status = TaskStatus::Ready;
            }
        }
        Event::TaskApproved { task, .. } => {
            if let Some(t) = task_mut(state, task.as_str()) {
                t.status = TaskStatus::Approved {
                    at,
                    by: recorded.by.clone(),
                };
                t.finished_at = Some(at);
            }
        }
        Event::TaskRejected { task, reason } => {
            if let Some(t) = task_mut(state, task.as_str()) {
                t.status = TaskStatus::Rejected {
                    at,
                    by: recorded.by.clone(),
                    reason: reason.clone(),
                };
                t.finished_at = Some(at);
            }
        }
        Event::TaskWithdrawn { task, reason } => {
            if let Some(t) = task_mut(state, task.as_str()) {
                t.status = TaskStatus::Withdrawn {
                    reason: reason.clone(),
                };
            }
        }
        Event::SupplementRequested { task, materials } => {
            let by = recorded.by.clone();
            if let Some(t) = task_mut(state, task.as_str()) {
                t.supplements_requested += 1;
                t.status = TaskStatus::Suspended {
                    suspension: Suspension::Supplement {
                        materials: materials.clone(),
                    },
                    since: at,
                    officer: by,
                };
            }
        }
        Event::SupplementAllowed { task, .. } => {
            if let Some(t) = task_mut(state, task.as_str()) {
                t.supplements_allowed += 1;
            }
        }
        Event::SpecialProcedureStarted {
            task,
            procedure,
            granted_days,
        } => {
            let by = recorded.by.clone();
            if let Some(t) = task_mut(state, task.as_str()) {
                t.status = TaskStatus::Suspended {
                    suspension: Suspension::SpecialProcedure {
                        procedure: *procedure,
                        granted_days: *granted_days,
                    },
                    since: at,
                    officer: by,
                };
            }
        }
        Event::SupplementSubmitted {
            task,
            paused_working_days,
            committed_due,
            statutory_due,
        }
        | Event::SpecialProcedureEnded {
            task,
            paused_working_days,
            committed_due,
            statutory_due,
        } => {
            let time_zone = state.time_zone.clone();
            if let Some(t) = task_mut(state, task.as_str()) {
                if let TaskStatus::Suspended {
                    since, suspension, ..
                } = &t.status
                {
                    t.pauses.push(Pause {
                        stopped_on: super::local_date(*since, &time_zone),
                        resumed_on: super::local_date(at, &time_zone),
                        limit: match suspension {
                            Suspension::SpecialProcedure { granted_days, .. } => {
                                Some(*granted_days)
                            }
                            Suspension::Supplement { .. } => None,
                        },
                    });
                }
                t.status = TaskStatus::Ready;
                t.paused_days += paused_working_days;
                t.committed_due = *committed_due;
                t.statutory_due = *statutory_due;
            }
        }
        Event::AlertRaised { task, level, .. } => {
            if let Some(t) = task_mut(state, task.as_str()) {
                t.alerts.insert(*level);
            }
        }
        Event::TaskUrged { task, note, .. } => {
            if let Some(t) = task_mut(state, task.as_str()) {
                t.urges.push(Urge {
                    at,
                    by: recorded.by.clone(),
                    note: note.clone(),
                });
            }
        }
        Event::CaseAtRisk {
            projected_completion,
            ..
        } => {
            state.at_risk = Some(*projected_completion);
        }
        Event::CaseCompleted => state.status = CaseStatus::Completed { at },
        Event::CaseRejected { task, reason } => {
            state.status = CaseStatus::Rejected {
                at,
                task: task.clone(),
                reason: reason.clone(),
            };
        }
        Event::CaseWithdrawn { reason } => {
            state.status = CaseStatus::Withdrawn {
                at,
                reason: reason.clone(),
            };
        }
        Event::CaseIssued => state.status = CaseStatus::Issued { at },
        Event::CaseRedated {
            promised_completion,
            tasks,
            ..
        } => {
            if let Some(to) = promised_completion.as_ref().and_then(|change| change.to) {
                state.promised_completion = to;
            }
            for redated in tasks {
                if let Some(t) = task_mut(state, redated.task.as_str()) {
                    t.paused_days = redated.paused_working_days;
                    t.committed_due = redated.committed_due.to;
                    t.statutory_due = redated.statutory_due.to;
                }
            }
        }
        Event::CaseRated { rating } => state.rating = Some(*rating),
        Event::AccessCodeReissued { access_code_hash } => {
            state.access_code_hash = access_code_hash.clone()
        }
    }
}

/// Folds a whole history into the case it launched; `None` when it does not begin with a
/// launch (no events: no case).
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Recorded>) -> Option<CaseState> {
    let mut events = events.into_iter();
    let mut state = CaseState::launched(events.next()?)?;
    for recorded in events {
        apply(&mut state, recorded);
    }
    Some(state)
}

fn task_mut<'a>(state: &'a mut CaseState, id: &str) -> Option<&'a mut TaskState> {
    state.tasks.iter_mut().find(|t| t.plan.id.as_str() == id)
}
