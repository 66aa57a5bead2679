//! `CheckDeadlines`: the system's periodic look at an open case's clocks. It raises every
//! alert whose firing instant has passed and that has not fired yet (each addressed by the
//! definition's rules), and `CaseAtRisk` when the projected completion, on actual dates, is
//! later than the promise and than any projection raised before. A closed case has nothing
//! to check: the command is accepted and decides nothing, so a stale scheduled check is
//! harmless.

use super::context::Ctx;
use crate::case::deadline::pending_alerts;
use crate::case::event::Event;
use crate::case::rejection::Rejection;
use crate::principal::Role;
use crate::supervision::{Notice, Occasion, Parties};

/// Decides a deadline check.
pub(super) fn decide(ctx: &Ctx) -> Result<Vec<Event>, Rejection> {
    ctx.require(&[Role::System, Role::Admin], "system")?;
    if !ctx.case.is_open() {
        return Ok(Vec::new());
    }
    let mut events = due_alerts(ctx)?;
    if let Some(at_risk) = ctx.at_risk(None)? {
        events.push(at_risk);
    }
    Ok(events)
}

/// Alerts whose firing instant has passed and that have not fired yet.
fn due_alerts(ctx: &Ctx) -> Result<Vec<Event>, Rejection> {
    let center = ctx.center();
    Ok(pending_alerts(ctx.case, ctx.definition)?
        .into_iter()
        .filter(|alert| alert.fires_at <= ctx.now)
        .map(|alert| {
            let task = &ctx.case.tasks[alert.task];
            let addressed = ctx.definition.recipients(
                &Notice {
                    occasion: Occasion::Alert(alert.level),
                    task: Some(&task.plan.id),
                    parties: Parties {
                        officer: alert.officer,
                        coordinator: Some(&ctx.case.coordinator),
                        departments: std::slice::from_ref(&task.plan.department),
                        center: &center,
                    },
                    causes: &[],
                },
                &ctx.case.application,
            );
            Event::AlertRaised {
                task: task.plan.id.clone(),
                level: alert.level,
                due: alert.due,
                department: task.plan.department.clone(),
                officer: alert.officer.cloned(),
                recipients: addressed.recipients,
                rule_error: addressed.rule_error,
            }
        })
        .collect())
}
