//! `Reject`: the officer holding a task rejects it, with a reason, and with it the whole
//! case — a joint approval is granted together or not at all. Every other task not yet
//! decided is withdrawn with the rejection as its reason, so no department keeps working on
//! a case that can no longer be granted.

use super::context::{non_empty, Ctx};
use crate::case::event::Event;
use crate::case::rejection::Rejection;
use crate::ids::TaskId;

/// Decides the rejection of `task` for `reason`.
pub(super) fn decide(ctx: &Ctx, task: &TaskId, reason: &str) -> Result<Vec<Event>, Rejection> {
    ctx.holder_task(task)?;
    let reason = non_empty(reason, "reason")?;
    let mut events = vec![Event::TaskRejected {
        task: task.clone(),
        reason: reason.clone(),
    }];
    events
        .extend(ctx.withdraw_others(Some(task), &format!("task `{task}` was rejected: {reason}")));
    events.push(Event::CaseRejected {
        task: task.clone(),
        reason,
    });
    Ok(events)
}
