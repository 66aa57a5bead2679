//! `Approve`: the officer holding a task approves it. Every waiting task whose prerequisites
//! are now all approved is dispatched, counted from today; when every task is approved the
//! case completes, and otherwise the approval may have made the projected completion later
//! than the promise (an early task approved late), so the at-risk check runs with this task
//! counted as approved now.

use super::context::Ctx;
use crate::case::event::Event;
use crate::case::rejection::Rejection;
use crate::case::state::TaskStatus;
use crate::ids::TaskId;

/// Decides the approval of `task`, with the officer's opinion when they gave one.
pub(super) fn decide(
    ctx: &Ctx,
    task: &TaskId,
    opinion: Option<&str>,
) -> Result<Vec<Event>, Rejection> {
    let case = ctx.case;
    let (index, _) = ctx.holder_task(task)?;
    let opinion = opinion
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string);
    let mut events = vec![Event::TaskApproved {
        task: task.clone(),
        opinion,
    }];
    let today = ctx.today();
    let approved =
        |i: usize| i == index || matches!(case.tasks[i].status, TaskStatus::Approved { .. });
    for t in case
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Waiting)
    {
        if t.needs.iter().all(|&n| approved(n)) {
            events.push(ctx.ready(&t.plan, today));
        }
    }
    if (0..case.tasks.len()).all(approved) {
        events.push(Event::CaseCompleted);
    } else if let Some(at_risk) = ctx.at_risk(Some(index))? {
        events.push(at_risk);
    }
    Ok(events)
}
