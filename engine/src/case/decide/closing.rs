//! `Withdraw`, `Issue` and `Rate`: the end of a case, at the window. The applicant (or the
//! coordinator for them) may withdraw an open or completed case, which withdraws every task
//! not yet decided; the coordinator issues the result once every task is approved, and not
//! before; a case no longer open may be rated once, with 1 to 5 stars or as satisfied or not;
//! and until the case is rated (the last thing the applicant's code is for) the coordinator
//! may give the applicant a new access code, the old one then failing.

use super::context::{non_empty, Ctx};
use crate::case::event::{Event, Rating};
use crate::case::rejection::Rejection;
use crate::case::state::{CaseStatus, TaskState, TaskStatus};
use crate::principal::Role;

/// Decides the withdrawal of the case for `reason`.
pub(super) fn withdraw(ctx: &Ctx, reason: &str) -> Result<Vec<Event>, Rejection> {
    ctx.require(
        &[Role::Applicant, Role::Coordinator, Role::Admin],
        "applicant or coordinator",
    )?;
    if !matches!(
        ctx.case.status,
        CaseStatus::Open | CaseStatus::Completed { .. }
    ) {
        return Err(ctx.closed());
    }
    let reason = non_empty(reason, "reason")?;
    let mut events = ctx.withdraw_others(None, &format!("the case was withdrawn: {reason}"));
    events.push(Event::CaseWithdrawn { reason });
    Ok(events)
}

/// Decides handing out the result of a completed case (coordinator).
pub(super) fn issue(ctx: &Ctx) -> Result<Vec<Event>, Rejection> {
    ctx.require(&[Role::Coordinator, Role::Admin], "coordinator")?;
    match &ctx.case.status {
        CaseStatus::Completed { .. } => Ok(vec![Event::CaseIssued]),
        CaseStatus::Open => {
            let pending: Vec<&TaskState> = ctx
                .case
                .tasks
                .iter()
                .filter(|t| !matches!(t.status, TaskStatus::Approved { .. }))
                .collect();
            Err(Rejection::NotCompleted {
                pending: pending.len(),
                first: pending[0].plan.id.clone(),
            })
        }
        _ => Err(ctx.closed()),
    }
}

/// Decides rating the service with `rating`.
pub(super) fn rate(ctx: &Ctx, rating: &Rating) -> Result<Vec<Event>, Rejection> {
    ctx.require(
        &[Role::Applicant, Role::Coordinator, Role::Admin],
        "applicant or coordinator",
    )?;
    if matches!(ctx.case.status, CaseStatus::Open) {
        return Err(Rejection::CaseClosed {
            command: ctx.name,
            status: "still open",
        });
    }
    if ctx.case.rating.is_some() {
        return Err(Rejection::AlreadyRated);
    }
    if let Rating::Stars(stars) = rating {
        if !(1..=5).contains(stars) {
            return Err(Rejection::Invalid(format!(
                "a rating has 1 to 5 stars, not {stars}"
            )));
        }
    }
    Ok(vec![Event::CaseRated { rating: *rating }])
}

/// Decides giving the applicant a new access code hashed as `access_code_hash`
/// (coordinator, with the applicant present): until the case is rated, whatever its status,
/// since the code serves the inquiry, the withdrawal and the rating.
pub(super) fn reissue_access_code(
    ctx: &Ctx,
    access_code_hash: &str,
) -> Result<Vec<Event>, Rejection> {
    ctx.require(&[Role::Coordinator, Role::Admin], "coordinator")?;
    if ctx.case.rating.is_some() {
        return Err(Rejection::CaseClosed {
            command: ctx.name,
            status: "rated",
        });
    }
    let access_code_hash = non_empty(access_code_hash, "access_code_hash")?;
    Ok(vec![Event::AccessCodeReissued { access_code_hash }])
}
