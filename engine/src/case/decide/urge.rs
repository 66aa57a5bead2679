//! `Urge` (督办): the supervision office presses a late or at-risk task. It is for a task
//! still to be decided (ready, claimed or paused) that has an alert raised or belongs to a
//! case at risk; the officer holding it and its department's head are told, and the note
//! stays on the task for the officer to see. It changes no date and no holder.

use super::context::{non_empty, Ctx};
use crate::case::event::Event;
use crate::case::rejection::Rejection;
use crate::case::state::TaskStatus;
use crate::ids::TaskId;
use crate::principal::Role;
use crate::supervision::Recipient;

/// Decides urging `task` with `note`.
pub(super) fn decide(ctx: &Ctx, task: &TaskId, note: &str) -> Result<Vec<Event>, Rejection> {
    ctx.require(&[Role::Supervisor, Role::Admin], "supervisor")?;
    let (_, state) = ctx.open_task(task)?;
    let officer = match &state.status {
        TaskStatus::Ready => None,
        TaskStatus::Claimed { officer, .. } | TaskStatus::Suspended { officer, .. } => {
            Some(officer.clone())
        }
        other => return Err(ctx.task_state(task, other)),
    };
    if state.alerts.is_empty() && ctx.case.at_risk.is_none() {
        return Err(Rejection::Invalid(format!(
            "督办 is for a late or at-risk task: {task} has no alert and the case is on time"
        )));
    }
    let note = non_empty(note, "note")?;
    let department = state.plan.department.clone();
    let mut recipients: Vec<Recipient> = officer.iter().cloned().map(Recipient::Officer).collect();
    recipients.push(Recipient::DepartmentHead(department.clone()));
    Ok(vec![Event::TaskUrged {
        task: task.clone(),
        note,
        department,
        officer,
        recipients,
    }])
}
