//! A department's inbox: its ready, claimed and suspended tasks, oldest due first, limited
//! to the cases of the caller's center and below; and "claim the next one" for an officer.
//!
//! The queue is per department across centers, so claiming the next task goes through the
//! inbox (filtered by center) and claims by name, rather than taking the queue's head,
//! which may belong to a case of another center.

use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use greenlane_engine::case::{CaseState, Rejection};
use greenlane_engine::ids::DepartmentId;
use greenlane_engine::principal::Role;
use greenlane_runtime::ports::{Backend, Holder, QueueEntry};
use greenlane_runtime::RuntimeError;
use serde::Serialize;
use utoipa::ToSchema;

use super::support::outcome;
use super::tasks::{ClaimedView, LeaseQuery};
use crate::auth::rights::Right;
use crate::auth::Caller;
use crate::json::{Path, Query};
use crate::problem::ApiError;
use crate::responses::{Forbidden, NotFound};
use crate::state::App;
use crate::views::provisional;
use crate::vocabulary::{InboxState, Level};

/// One task in an inbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct InboxEntry {
    /// The case.
    pub(crate) case: String,
    /// The task.
    pub(crate) task: String,
    /// The task's name, Chinese first.
    pub(crate) name: String,
    /// The case's workflow.
    pub(crate) workflow: String,
    /// The case's center.
    pub(crate) center: String,
    /// `ready`, `claimed` or `suspended`.
    pub(crate) state: InboxState,
    /// Who holds it, if anyone.
    pub(crate) officer: Option<String>,
    /// When the holder's lease ends.
    pub(crate) lease_until: Option<DateTime<Utc>>,
    /// 承诺时限 due date; `null` beyond the calendar's coverage.
    pub(crate) due: Option<NaiveDate>,
    /// Whether the committed due date counts on a provisional calendar year or lies beyond
    /// the calendar (暂定).
    pub(crate) due_provisional: bool,
    /// 法定时限 due date; `null` beyond the calendar's coverage.
    pub(crate) statutory_due: Option<NaiveDate>,
    /// Whether the statutory due date counts on a provisional calendar year or lies beyond
    /// the calendar (暂定).
    pub(crate) statutory_due_provisional: bool,
    /// When it was dispatched.
    pub(crate) dispatched_at: DateTime<Utc>,
    /// Alert levels raised on it.
    pub(crate) alerts: Vec<Level>,
}

/// A department's inbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct Inbox {
    /// The department.
    pub(crate) department: String,
    /// Its tasks, oldest due first.
    pub(crate) tasks: Vec<InboxEntry>,
}

/// Whether the caller may read `department`'s inbox: an officer only its own.
pub(crate) fn check_department(caller: &Caller, department: &str) -> Result<(), ApiError> {
    caller.require(Right::ReadInbox)?;
    if caller.principal.role == Role::Officer
        && caller.principal.department.as_ref().map(|d| d.as_str()) != Some(department)
    {
        return Err(ApiError::NotYours(format!(
            "the inbox of department `{department}` is its officers'; you are an officer of `{}`",
            caller
                .principal
                .department
                .as_ref()
                .map_or("no department", |d| d.as_str())
        )));
    }
    Ok(())
}

/// The entries of `department` the caller may see, with their cases.
pub(crate) async fn entries<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    department: &str,
) -> Result<Vec<(QueueEntry, InboxEntry)>, ApiError> {
    let queue = app.runtime().inbox(&DepartmentId::new(department)).await?;
    let mut out = Vec::with_capacity(queue.len());
    for entry in queue {
        // Read in place: an inbox touches every case it lists, so no state is copied.
        let view = app
            .runtime()
            .read_case(&entry.key.case, |state| {
                let pinned = (state.workflow.clone(), state.workflow_version);
                inbox_entry(caller, &entry, state).map(|view| (view, pinned))
            })
            .await;
        match view {
            Ok(Some((mut view, pinned))) => {
                // The dates are marked on the pinned definition's calendar (a lookup: the
                // runtime keeps compiled definitions).
                {
                    let (workflow, version) = pinned;
                    let definition = app.runtime().definition(&workflow, version).await?;
                    let calendar = &definition.calendar;
                    view.1.due_provisional = provisional(calendar, view.0, view.1.due);
                    view.1.statutory_due_provisional =
                        provisional(calendar, view.0, view.1.statutory_due);
                }
                out.push((entry, view.1));
            }
            Ok(None) | Err(RuntimeError::UnknownCase(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(out)
}

/// The inbox line of `entry`, if the caller may see its case, with the day its task became
/// ready; its dates are not marked yet.
fn inbox_entry(
    caller: &Caller,
    entry: &QueueEntry,
    state: &CaseState,
) -> Option<(Option<NaiveDate>, InboxEntry)> {
    if !caller.covers(&state.center) {
        return None;
    }
    let task = state.task(entry.key.task.as_str())?;
    let (status, officer, lease_until) = match &entry.holder {
        Holder::Free => (InboxState::Ready, None, None),
        Holder::Lease { officer, until } => {
            (InboxState::Claimed, Some(officer.to_string()), Some(*until))
        }
        Holder::Held { officer } => (InboxState::Suspended, Some(officer.to_string()), None),
    };
    Some((
        task.ready_on,
        InboxEntry {
            case: entry.key.case.to_string(),
            task: entry.key.task.to_string(),
            name: task.plan.name.clone(),
            workflow: state.workflow.to_string(),
            center: state.center.to_string(),
            state: status,
            officer,
            lease_until,
            // The case's date, not the queue's: the queue sorts a date beyond the calendar
            // last under a placeholder day.
            due: task.committed_due,
            due_provisional: false,
            statutory_due: task.statutory_due,
            statutory_due_provisional: false,
            dispatched_at: entry.dispatched_at,
            alerts: task.alerts.iter().map(|&l| Level::from(l)).collect(),
        },
    ))
}

/// A department's inbox: ready, claimed and suspended tasks, oldest due first.
#[utoipa::path(get, path = "/api/v1/departments/{department}/inbox", tag = "tasks",
    params(("department" = String, Path, description = "The department id")),
    responses((status = 200, body = Inbox), Forbidden),
    security(("bearer" = [])))]
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(department): Path<String>,
) -> Result<Json<Inbox>, ApiError> {
    check_department(&caller, &department)?;
    let tasks = entries(&app, &caller, &department)
        .await?
        .into_iter()
        .map(|(_, view)| view)
        .collect();
    Ok(Json(Inbox { department, tasks }))
}

/// Claims the ready task of the department due first, among the cases the caller may see
/// (officer of the department); 204 when there is none.
#[utoipa::path(post, path = "/api/v1/departments/{department}/claim-next", tag = "tasks",
    params(("department" = String, Path, description = "The department id"), LeaseQuery),
    responses((status = 200, body = ClaimedView), (status = 204, description = "Nothing to claim"), Forbidden, NotFound),
    security(("bearer" = [])))]
pub(crate) async fn claim_next<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(department): Path<String>,
    Query(query): Query<LeaseQuery>,
) -> Result<Response, ApiError> {
    caller.require(Right::DecideTasks)?;
    check_department(&caller, &department)?;
    let lease = query.lease()?;
    Ok(
        match claim_next_entry(&app, &caller, &department, lease).await? {
            Some(claimed) => Json(ClaimedView::from(claimed)).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

/// Claims the free task of `department` due first among the cases `caller` may see;
/// `None` when there is none. What the API and the web inbox share.
pub(crate) async fn claim_next_entry<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    department: &str,
    lease: Option<chrono::Duration>,
) -> Result<Option<greenlane_runtime::ClaimedTask>, ApiError> {
    caller.require(Right::DecideTasks)?;
    check_department(caller, department)?;
    for (entry, _) in entries(app, caller, department).await? {
        if entry.holder != Holder::Free {
            continue;
        }
        let started = Instant::now();
        let result = app
            .runtime()
            .claim(&caller.principal, &entry.key.case, &entry.key.task, lease)
            .await;
        app.metrics()
            .command("claim", outcome(&result), started.elapsed());
        match result {
            Ok(claimed) => return Ok(Some(claimed)),
            // Someone claimed it first, or it was decided meanwhile: try the next one.
            Err(RuntimeError::Rejected(
                Rejection::ClaimedByOther { .. }
                | Rejection::TaskState { .. }
                | Rejection::CaseClosed { .. },
            )) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Ok(None)
}
