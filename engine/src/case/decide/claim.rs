//! `Claim`, `Release` and `ExpireLease`: who holds a task, and until when. An officer of the
//! task's department claims a ready task under a lease (or renews their own); a claim whose
//! lease ran out may be taken over, recording the expiry first. The holder may give the task
//! back, and the system puts a task back in the queue once its lease has run out — never
//! before, so a late expiry check cannot take a task from an officer who renewed it.

use chrono::Duration;

use super::context::Ctx;
use crate::case::event::Event;
use crate::case::rejection::Rejection;
use crate::case::state::TaskStatus;
use crate::ids::TaskId;
use crate::principal::Role;

/// Decides a claim of `task` for `lease`, or its renewal by the officer holding it.
pub(super) fn claim(ctx: &Ctx, task: &TaskId, lease: Duration) -> Result<Vec<Event>, Rejection> {
    let (_, t) = ctx.officer_task(task)?;
    if lease <= Duration::zero() {
        return Err(Rejection::Invalid(
            "a lease must be longer than zero".into(),
        ));
    }
    let claimed = Event::TaskClaimed {
        task: task.clone(),
        officer: ctx.by.id.clone(),
        lease_until: ctx.now + lease,
    };
    match &t.status {
        TaskStatus::Ready => Ok(vec![claimed]),
        TaskStatus::Claimed { officer, .. } if officer == &ctx.by.id => Ok(vec![claimed]),
        TaskStatus::Claimed {
            officer,
            lease_until,
        } if *lease_until > ctx.now => Err(Rejection::ClaimedByOther {
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

/// Decides giving `task` back to the queue (the officer holding it).
pub(super) fn release(ctx: &Ctx, task: &TaskId) -> Result<Vec<Event>, Rejection> {
    ctx.holder_task(task)?;
    Ok(vec![Event::TaskReleased { task: task.clone() }])
}

/// Decides putting `task`, whose lease ran out, back in the queue (system).
pub(super) fn expire_lease(ctx: &Ctx, task: &TaskId) -> Result<Vec<Event>, Rejection> {
    ctx.require(&[Role::System, Role::Admin], "system")?;
    let (_, t) = ctx.open_task(task)?;
    match &t.status {
        TaskStatus::Claimed {
            officer,
            lease_until,
        } if *lease_until <= ctx.now => Ok(vec![Event::LeaseExpired {
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
