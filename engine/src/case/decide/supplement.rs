//! `RequestSupplement`, `AllowSupplement` and `SubmitSupplement`: 补正, the applicant's
//! missing materials. Under one-time notification (一次性告知) the officer holding a task
//! lists every missing material at once, and may ask once; a supervisor may allow one more
//! request, only after a further one was refused. The clock of the task stops while the
//! applicant gathers the materials and runs again when the coordinator hands them in, its
//! due dates moved by the working days paused.

use super::context::{non_empty, Ctx};
use crate::case::event::Event;
use crate::case::rejection::Rejection;
use crate::case::state::{Suspension, TaskStatus};
use crate::ids::TaskId;
use crate::principal::Role;

/// Decides a request for `materials` on `task` (the officer holding it).
pub(super) fn request(
    ctx: &Ctx,
    task: &TaskId,
    materials: &[String],
) -> Result<Vec<Event>, Rejection> {
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

/// Decides allowing one more request on `task`, for `reason` (supervisor).
pub(super) fn allow(ctx: &Ctx, task: &TaskId, reason: &str) -> Result<Vec<Event>, Rejection> {
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

/// Decides the hand-in of the materials `task` waits for (coordinator).
pub(super) fn submit(ctx: &Ctx, task: &TaskId) -> Result<Vec<Event>, Rejection> {
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
