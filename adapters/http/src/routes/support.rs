//! What several resources share: finding a case the caller may see, carrying out a command
//! or a claim on it with the visibility checked under the command's own lock (with its
//! metrics), paging through the store's cases, and the answer to a command.

use greenlane_engine::case::CaseStatusKind;
use std::time::Instant;

use chrono::NaiveDate;
use greenlane_engine::case::{local_date, CaseState, Command};
use greenlane_engine::ids::{CaseId, TaskId};
use greenlane_runtime::ports::Backend;
use greenlane_runtime::{Outcome, RuntimeError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::App;
use crate::views::TimelineEntry;

/// What a command did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CommandResult {
    /// The case.
    pub(crate) case: String,
    /// The case's version (number of events) after the command.
    pub(crate) version: u64,
    /// The events the command recorded (empty when there was nothing to do).
    pub(crate) events: Vec<TimelineEntry>,
}

impl CommandResult {
    pub(crate) fn new(case: &CaseId, outcome: &Outcome) -> CommandResult {
        let first = outcome.version - outcome.recorded.len() as u64;
        CommandResult {
            case: case.to_string(),
            version: outcome.version,
            events: outcome
                .recorded
                .iter()
                .enumerate()
                .map(|(i, r)| TimelineEntry::new(first + i as u64 + 1, r))
                .collect(),
        }
    }
}

/// The case `id` if it exists and the caller may see it; otherwise 404 (a case the caller
/// may not see is not said to exist).
pub(crate) async fn visible_case<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    id: &str,
) -> Result<(CaseId, CaseState), ApiError> {
    let state = read_visible(app, caller, id, CaseState::clone).await?;
    Ok((CaseId::new(id), state))
}

/// `read` applied to the case `id` in place (no copy), if it exists and the caller may see
/// it; otherwise 404.
pub(crate) async fn read_visible<B: Backend, T>(
    app: &App<B>,
    caller: &Caller,
    id: &str,
    read: impl FnOnce(&CaseState) -> T,
) -> Result<T, ApiError> {
    let case = CaseId::new(id);
    let hidden = || ApiError::NotFound(format!("no case `{id}`"));
    match app
        .runtime()
        .read_case(&case, |state| caller.sees(state).then(|| read(state)))
        .await
    {
        Ok(Some(value)) => Ok(value),
        Ok(None) | Err(RuntimeError::UnknownCase(_)) => Err(hidden()),
        Err(other) => Err(other.into()),
    }
}

/// Carries out `command` for `by` on `case` if `admit` accepts the case as found under its
/// lock (`Runtime::execute_admitted`), counting it in the metrics.
pub(crate) async fn execute_counted<B: Backend>(
    app: &App<B>,
    by: &greenlane_engine::principal::Principal,
    case: &CaseId,
    command: Command,
    admit: &greenlane_runtime::Admit<'_>,
) -> Result<Outcome, RuntimeError> {
    let name = command.name();
    let started = Instant::now();
    let result = app
        .runtime()
        .execute_admitted(case, by, command, admit)
        .await;
    app.metrics()
        .command(name, outcome(&result), started.elapsed());
    result
}

/// Carries out `command` for the caller on the case `id` if it exists and the caller may
/// see it (checked under the case's lock, in the same read as the command); otherwise 404.
/// Counted in the metrics.
pub(crate) async fn execute_visible<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    id: &str,
    command: Command,
) -> Result<(CaseId, Outcome), ApiError> {
    let case = CaseId::new(id);
    let admit = |state: &CaseState| caller.sees(state);
    match execute_counted(app, &caller.principal, &case, command, &admit).await {
        Ok(outcome) => Ok((case, outcome)),
        Err(RuntimeError::UnknownCase(_)) => Err(ApiError::NotFound(format!("no case `{id}`"))),
        Err(other) => Err(other.into()),
    }
}

/// Claims `task` of the case `id` for the caller if the case exists and the caller may see
/// it (checked under the case's lock, in the same read as the claim); otherwise 404.
/// Counted in the metrics.
pub(crate) async fn claim_visible<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    id: &str,
    task: &str,
    lease: Option<chrono::Duration>,
) -> Result<greenlane_runtime::ClaimedTask, ApiError> {
    let case = CaseId::new(id);
    let started = Instant::now();
    let admit = |state: &CaseState| caller.sees(state);
    let result = app
        .runtime()
        .claim_admitted(
            &caller.principal,
            &case,
            &TaskId::new(task),
            lease,
            Some(&admit),
        )
        .await;
    app.metrics()
        .command("claim", outcome(&result), started.elapsed());
    match result {
        Ok(claimed) => Ok(claimed),
        Err(RuntimeError::UnknownCase(_)) => Err(ApiError::NotFound(format!("no case `{id}`"))),
        Err(other) => Err(other.into()),
    }
}

/// The outcome label of a command's result.
pub(crate) fn outcome<T>(result: &Result<T, RuntimeError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(RuntimeError::Rejected(_)) => "rejected",
        Err(RuntimeError::UnknownCase(_)) => "not_found",
        Err(RuntimeError::Store(greenlane_runtime::StoreError::Conflict { .. })) => "conflict",
        Err(_) => "error",
    }
}

/// Checks that `task` is a task of `case`, so an unknown task is a 404 before any command.
pub(crate) fn task_of(case: &CaseState, task: &str) -> Result<TaskId, ApiError> {
    case.task(task)
        .map(|t| t.plan.id.clone())
        .ok_or_else(|| ApiError::NotFound(format!("the case has no task `{task}`")))
}

/// Cases read from the store per round of a scan.
const PAGE: usize = 256;

/// Visits the cases with `status` (any when `None`) in id order after `after`, as states,
/// until `visit` returns false or the store has no more; returns the last case visited.
///
/// This is a scan of the event store's case list with each state read through the
/// runtime's cache: fine for thousands of cases, to be replaced by an index in the store
/// when lists must stay fast over millions.
pub(crate) async fn scan<B: Backend>(
    app: &App<B>,
    status: Option<CaseStatusKind>,
    after: Option<CaseId>,
    mut visit: impl FnMut(&CaseId, CaseState) -> bool,
) -> Result<Option<CaseId>, ApiError> {
    let mut after = after;
    loop {
        let page = app
            .runtime()
            .case_records(status, after.as_ref(), PAGE)
            .await?;
        for record in &page {
            after = Some(record.case.clone());
            let state = match app.runtime().case(&record.case).await {
                Ok(state) => state,
                Err(RuntimeError::UnknownCase(_)) => continue,
                Err(other) => return Err(other.into()),
            };
            if !visit(&record.case, state) {
                return Ok(after);
            }
        }
        if page.len() < PAGE {
            return Ok(None);
        }
    }
}

/// Today in the runtime's center time zone.
pub(crate) fn today<B: Backend>(app: &App<B>) -> NaiveDate {
    day_of(app, app.runtime().clock().now())
}

/// The date of `at` in the runtime's center time zone.
pub(crate) fn day_of<B: Backend>(app: &App<B>, at: greenlane_engine::case::Timestamp) -> NaiveDate {
    local_date(at, &app.runtime().config().time_zone)
}
