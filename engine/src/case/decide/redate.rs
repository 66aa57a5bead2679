//! `Redate`: a calendar version was published (a year made official, a holiday moved), and
//! an open case pinned to that calendar counts its dates again on it. What moves is every
//! date that is a count of working days — the open tasks' due dates (from the day each
//! became ready, its limits and its pauses, each pause counted again) and the promised
//! completion (the launch date plus the planned working days). What does not: what happened
//! and when (ready, claimed, paused, decided), and the dates of tasks already decided, which
//! were judged against the dates they had. Nothing moved, or another calendar, or a closed
//! case: no event.

use super::context::{paused_days, Ctx};
use crate::case::event::{DateChange, Event, TaskRedated};
use crate::case::rejection::Rejection;
use crate::ids::{CalendarId, PrincipalId};
use crate::principal::Role;

/// Decides re-dating the case on version `calendar_version` of `calendar`, published by
/// `published_by` (system).
pub(super) fn decide(
    ctx: &Ctx,
    calendar: &CalendarId,
    calendar_version: u32,
    published_by: &PrincipalId,
) -> Result<Vec<Event>, Rejection> {
    ctx.require(&[Role::System, Role::Admin], "system")?;
    if !ctx.case.is_open() || ctx.definition.calendar.id() != calendar {
        return Ok(Vec::new());
    }
    Ok(redated(ctx, calendar, calendar_version, published_by)
        .into_iter()
        .collect())
}

/// The case's dates counted again on the definition's calendar; `None` when none moved.
fn redated(
    ctx: &Ctx,
    calendar: &CalendarId,
    calendar_version: u32,
    published_by: &PrincipalId,
) -> Option<Event> {
    let cal = &ctx.definition.calendar;
    let mut tasks = Vec::new();
    for task in ctx.case.tasks.iter().filter(|t| t.status.is_open()) {
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
        let (committed, statutory) = (due(task.plan.committed_days), due(task.plan.statutory_days));
        if committed != task.committed_due
            || statutory != task.statutory_due
            || paused != task.paused_days
        {
            tasks.push(TaskRedated {
                task: task.plan.id.clone(),
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
    // A promise the calendar cannot re-date (past its coverage) stays as it was.
    let promised = cal
        .add_working_days(ctx.case.launched_on, ctx.case.duration_working_days)
        .ok();
    let promised_completion = promised
        .filter(|to| *to != ctx.case.promised_completion)
        .map(|to| DateChange {
            from: Some(ctx.case.promised_completion),
            to: Some(to),
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
