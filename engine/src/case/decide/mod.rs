//! `decide`: the pure transition function of a case. Given the state, the pinned definition,
//! the principal, the command and `now`, it returns the events to record or a rejection.
//! It performs no I/O; dispatching and indexing deadlines are done by the runtime from the
//! events it returns.
//!
//! This module only dispatches: each command's decision is its own function, in a file per
//! command or per small family, and what they share (who may act on which task, dispatching,
//! resuming a paused clock, the at-risk check) is [`context::Ctx`].

mod approve;
mod check_deadlines;
mod claim;
mod closing;
mod context;
mod launch;
mod redate;
mod reject;
mod special_procedure;
mod supplement;
mod urge;

use super::command::Command;
use super::event::{Event, Timestamp};
use super::rejection::Rejection;
use super::state::CaseState;
use crate::plan::CompiledWorkflow;
use crate::principal::{Principal, Role};
use context::Ctx;

/// Decides a launch (`Command::Launch`) for `by` at `now` with `definition`, the version
/// to launch: no case exists before it. Any other command is `Rejection::NotLaunched`.
pub fn decide_launch(
    definition: &CompiledWorkflow,
    by: &Principal,
    command: &Command,
    now: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let Command::Launch {
        case,
        workflow,
        version,
        application,
        time_zone,
        access_code_hash,
    } = command
    else {
        return Err(Rejection::NotLaunched);
    };
    launch::decide(
        definition,
        by,
        now,
        launch::LaunchOf {
            id: case,
            workflow,
            version: *version,
            application,
            time_zone,
            access_code_hash,
        },
    )
}

/// Decides `command` for `by` on the launched `case` at `now`, using the definition the
/// case is pinned to. A launch of a launched case is `Rejection::AlreadyLaunched`.
pub fn decide(
    case: &CaseState,
    definition: &CompiledWorkflow,
    by: &Principal,
    command: &Command,
    now: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let ctx = Ctx {
        case,
        definition,
        by,
        now,
        name: command.name(),
    };
    match command {
        Command::Launch { .. } => {
            ctx.require(&[Role::Coordinator, Role::Admin], "coordinator")?;
            Err(Rejection::AlreadyLaunched)
        }
        Command::Claim { task, lease } => claim::claim(&ctx, task, *lease),
        Command::Release { task } => claim::release(&ctx, task),
        Command::ExpireLease { task } => claim::expire_lease(&ctx, task),
        Command::Approve { task, opinion } => approve::decide(&ctx, task, opinion.as_deref()),
        Command::Reject { task, reason } => reject::decide(&ctx, task, reason),
        Command::RequestSupplement { task, materials } => {
            supplement::request(&ctx, task, materials)
        }
        Command::AllowSupplement { task, reason } => supplement::allow(&ctx, task, reason),
        Command::SubmitSupplement { task } => supplement::submit(&ctx, task),
        Command::StartSpecialProcedure {
            task,
            procedure,
            granted_days,
        } => special_procedure::start(&ctx, task, *procedure, *granted_days),
        Command::EndSpecialProcedure { task } => special_procedure::end(&ctx, task),
        Command::Withdraw { reason } => closing::withdraw(&ctx, reason),
        Command::Issue => closing::issue(&ctx),
        Command::Rate { rating } => closing::rate(&ctx, rating),
        Command::ReissueAccessCode { access_code_hash } => {
            closing::reissue_access_code(&ctx, access_code_hash)
        }
        Command::Urge { task, note } => urge::decide(&ctx, task, note),
        Command::CheckDeadlines => check_deadlines::decide(&ctx),
        Command::Redate {
            calendar,
            calendar_version,
            published_by,
        } => redate::decide(&ctx, calendar, *calendar_version, published_by),
    }
}
