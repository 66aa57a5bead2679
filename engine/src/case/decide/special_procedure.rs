//! `StartSpecialProcedure` and `EndSpecialProcedure`: a special procedure (hearing,
//! inspection, expert review… 行政许可法 第四十五条) pauses a task's clock for the working
//! days granted. The officer holding the task starts it with at least one granted day; an
//! officer of the department ends it, and the task's due dates move by the days paused, at
//! most the days granted — time the procedure runs over counts against the department.

use super::context::Ctx;
use crate::case::event::{Event, SpecialProcedure};
use crate::case::rejection::Rejection;
use crate::case::state::{Suspension, TaskStatus};
use crate::ids::TaskId;

/// Decides the start of `procedure` on `task` for `granted_days` (the officer holding it).
pub(super) fn start(
    ctx: &Ctx,
    task: &TaskId,
    procedure: SpecialProcedure,
    granted_days: u32,
) -> Result<Vec<Event>, Rejection> {
    ctx.holder_task(task)?;
    if granted_days == 0 {
        return Err(Rejection::Invalid(
            "a special procedure needs at least 1 granted day".into(),
        ));
    }
    Ok(vec![Event::SpecialProcedureStarted {
        task: task.clone(),
        procedure,
        granted_days,
    }])
}

/// Decides the end of the special procedure `task` is suspended for (officer of its
/// department).
pub(super) fn end(ctx: &Ctx, task: &TaskId) -> Result<Vec<Event>, Rejection> {
    let (_, t) = ctx.officer_task(task)?;
    match &t.status {
        TaskStatus::Suspended {
            suspension: Suspension::SpecialProcedure { granted_days, .. },
            since,
            ..
        } => {
            let (paused, committed_due, statutory_due) = ctx.resume(t, *since, Some(*granted_days));
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
