//! The applicant's inquiry (查询): no account, the case id and the access code given at
//! launch. It shows only what an applicant may see — where each item stands, the promised
//! and projected dates, the materials asked for — never officers, the application, alert
//! recipients or the timeline.
//!
//! With the same code the applicant may withdraw the application and rate the service.
//!
//! An unknown case and a wrong code get the same 404, so neither reveals that a case
//! exists; wrong codes are throttled in the store (`Runtime::check_access_code`): after
//! three for one case each further one makes it wait twice as long (2 s, 4 s, … at most an
//! hour), and a client gets 30 in 10 minutes across all cases; a throttled request is 429
//! with `Retry-After`, before any code is checked.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use greenlane_engine::case::{
    projection, CaseState, CaseStatus, Command, Event, Suspension, TaskStatus,
};
use greenlane_engine::ids::{CaseId, PrincipalId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_runtime::access;
use greenlane_runtime::ports::Backend;
use greenlane_runtime::{AccessCheck, Outcome, RuntimeError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cases::{pinned, RateRequest, WithdrawRequest};
use super::support::{execute_counted, today, CommandResult};
use crate::auth::client::Client;
use crate::json::{Body, Path, Query};
use crate::problem::ApiError;
use crate::responses::{Conflict, Internal, NotFound, TooManyAttempts, Unavailable, Unprocessable};
use crate::state::App;
use crate::views::provisional;

/// The access code.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct CodeQuery {
    /// The access code given at launch.
    code: String,
}

/// What an applicant sees of a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct InquiryView {
    /// The case.
    pub(crate) case: String,
    /// The workflow's name, Chinese first.
    pub(crate) workflow: String,
    /// Where the case stands, Chinese first.
    pub(crate) state: String,
    /// The day the application was accepted.
    pub(crate) accepted_on: Option<NaiveDate>,
    /// The promised completion date; `null` beyond the calendar's coverage.
    pub(crate) promised_completion: Option<NaiveDate>,
    /// Whether the promised completion is provisional (暂定): it counts on a calendar year
    /// whose holidays are not yet published, or lies beyond the calendar.
    pub(crate) promised_completion_provisional: bool,
    /// The projected completion date, while the case is open; `null` when closed, and
    /// beyond the calendar's coverage.
    pub(crate) projected_completion: Option<NaiveDate>,
    /// Whether the projected completion is provisional (暂定), or (open case, `null` date)
    /// beyond the calendar.
    pub(crate) projected_completion_provisional: bool,
    /// Each approval item.
    pub(crate) items: Vec<InquiryItem>,
    /// Whether the applicant rated the service.
    pub(crate) rated: bool,
    /// Whether the applicant may rate now: the case is completed or issued and not rated.
    pub(crate) can_rate: bool,
    /// Every time the case's dates were counted again because a calendar year was
    /// published (a provisional year replaced by the State Council's notice, say), oldest
    /// first.
    pub(crate) date_changes: Vec<InquiryDateChange>,
}

/// One re-dating of the case, as the applicant sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct InquiryDateChange {
    /// When.
    pub(crate) at: DateTime<Utc>,
    /// The calendar and its new version.
    pub(crate) calendar: String,
    /// The calendar's version after the publication.
    pub(crate) calendar_version: u32,
    /// The promised completion before, when it moved.
    pub(crate) promised_from: Option<NaiveDate>,
    /// The promised completion after, when it moved.
    pub(crate) promised_to: Option<NaiveDate>,
    /// Each item whose due date moved: its name, the date before and after.
    pub(crate) items: Vec<InquiryItemChange>,
}

/// An item's due date before and after a re-dating.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct InquiryItemChange {
    /// The item's name, Chinese first.
    pub(crate) name: String,
    /// The committed due date before.
    pub(crate) from: Option<NaiveDate>,
    /// The committed due date after.
    pub(crate) to: Option<NaiveDate>,
}

/// One approval item as the applicant sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct InquiryItem {
    /// The item's name, Chinese first.
    pub(crate) name: String,
    /// The deciding department's id.
    pub(crate) department: String,
    /// Where it stands, Chinese first.
    pub(crate) state: String,
    /// Its committed due date, once it started; `null` before, and beyond the calendar's
    /// coverage.
    pub(crate) due: Option<NaiveDate>,
    /// Whether the due date is provisional (暂定), or lies beyond the calendar.
    pub(crate) due_provisional: bool,
    /// Materials the applicant must still hand in (一次性告知), if any are asked for.
    pub(crate) materials_requested: Vec<String>,
}

/// The applicant's inquiry with the case id and access code (no account).
#[utoipa::path(get, path = "/api/v1/inquiry/{case}", tag = "inquiry",
    params(("case" = String, Path, description = "The case id"), CodeQuery),
    responses((status = 200, body = InquiryView), NotFound, TooManyAttempts, Internal, Unavailable))]
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    Path(case): Path<String>,
    client: Client,
    Query(query): Query<CodeQuery>,
) -> Result<Json<InquiryView>, ApiError> {
    Ok(Json(inquiry_view(&app, case, &client, &query.code).await?))
}

/// What the applicant of `case` sees with access code `code` (throttled as [`verified`]
/// says); what the API and the web applicant page share.
pub(crate) async fn inquiry_view<B: Backend>(
    app: &App<B>,
    case: String,
    client: &Client,
    code: &str,
) -> Result<InquiryView, ApiError> {
    let (id, state) = verified(app, &case, client, code).await?;
    let definition = pinned(app, &state).await?;
    let calendar = &definition.calendar;
    let (projected, projected_provisional) = if state.is_open() {
        let now = app.runtime().clock().now();
        let projected = projection(&state, calendar, today(app), now, None).map(|p| p.completion);
        (
            projected,
            provisional(calendar, Some(state.launched_on), projected),
        )
    } else {
        (None, false)
    };
    let items = state
        .tasks
        .iter()
        .map(|t| InquiryItem {
            name: t.plan.name.clone(),
            department: t.plan.department.to_string(),
            state: task_label(&t.status).to_string(),
            due: t.committed_due,
            due_provisional: provisional(calendar, t.ready_on, t.committed_due),
            materials_requested: match &t.status {
                TaskStatus::Suspended {
                    suspension: Suspension::Supplement { materials },
                    ..
                } => materials.clone(),
                _ => Vec::new(),
            },
        })
        .collect();
    let date_changes = app
        .runtime()
        .timeline(&id)
        .await?
        .into_iter()
        .filter_map(|recorded| match recorded.event {
            Event::CaseRedated {
                calendar,
                calendar_version,
                promised_completion,
                tasks,
                ..
            } => Some(InquiryDateChange {
                at: recorded.at,
                calendar: calendar.to_string(),
                calendar_version,
                promised_from: promised_completion.and_then(|c| c.from),
                promised_to: promised_completion.and_then(|c| c.to),
                items: tasks
                    .iter()
                    .filter(|t| t.committed_due.from != t.committed_due.to)
                    .map(|t| InquiryItemChange {
                        name: state
                            .task(t.task.as_str())
                            .map_or_else(|| t.task.to_string(), |task| task.plan.name.clone()),
                        from: t.committed_due.from,
                        to: t.committed_due.to,
                    })
                    .collect(),
            }),
            _ => None,
        })
        .collect();
    Ok(InquiryView {
        case,
        workflow: definition.workflow.name.clone(),
        state: case_label(&state.status).to_string(),
        accepted_on: Some(state.launched_on),
        promised_completion: Some(state.promised_completion),
        promised_completion_provisional: provisional(
            calendar,
            Some(state.launched_on),
            Some(state.promised_completion),
        ),
        projected_completion: projected,
        projected_completion_provisional: projected_provisional,
        items,
        rated: state.rating.is_some(),
        can_rate: state.rating.is_none()
            && matches!(
                state.status,
                CaseStatus::Completed { .. } | CaseStatus::Issued { .. }
            ),
        date_changes,
    })
}

/// Checks `code` for `case` from `client` in the store's throttle: the stored hash it
/// matched, the same 404 for an unknown case and a wrong code, and 429 with the seconds to
/// wait while the case or the client is throttled.
async fn check<B: Backend>(
    app: &App<B>,
    id: &CaseId,
    client: &Client,
    code: &str,
) -> Result<String, ApiError> {
    match app
        .runtime()
        .check_access_code(id, &client.0, code.trim())
        .await?
    {
        AccessCheck::Admitted { hash } => Ok(hash),
        AccessCheck::Wrong => Err(ApiError::NotFound(format!(
            "no case `{id}` with this access code"
        ))),
        AccessCheck::Throttled { retry_at } => {
            let wait = retry_at - app.runtime().clock().now();
            Err(ApiError::TooManyAttempts {
                retry_after: u64::try_from(wait.num_seconds()).unwrap_or(0).max(1),
            })
        }
    }
}

/// The case `case` if `code` is its access code (checked as [`check`] says).
pub(crate) async fn verified<B: Backend>(
    app: &App<B>,
    case: &str,
    client: &Client,
    code: &str,
) -> Result<(CaseId, CaseState), ApiError> {
    let id = CaseId::new(case);
    let hash = check(app, &id, client, code).await?;
    let state = app.runtime().case(&id).await?;
    if !access::same_stored(&state.access_code_hash, &hash) {
        // A new code was issued meanwhile.
        return Err(ApiError::NotFound(format!(
            "no case `{case}` with this access code"
        )));
    }
    Ok((id, state))
}

/// Carries out the applicant's `command` on the case `case` if `code` is its access code
/// (checked as [`check`] says, and again under the case's lock: the case must still have
/// the hash the code matched).
pub(crate) async fn execute_verified<B: Backend>(
    app: &App<B>,
    case: &str,
    client: &Client,
    code: &str,
    command: Command,
) -> Result<(CaseId, Outcome), ApiError> {
    let id = CaseId::new(case);
    let hash = check(app, &id, client, code).await?;
    let admit = |state: &CaseState| access::same_stored(&state.access_code_hash, &hash);
    let by = Principal {
        id: PrincipalId::new("applicant"),
        role: Role::Applicant,
        department: None,
        center: app.runtime().config().center.clone(),
    };
    match execute_counted(app, &by, &id, command, &admit).await {
        Ok(outcome) => Ok((id, outcome)),
        Err(RuntimeError::UnknownCase(_)) => Err(ApiError::NotFound(format!(
            "no case `{case}` with this access code"
        ))),
        Err(other) => Err(other.into()),
    }
}

/// The applicant withdraws the application with the access code (no account).
#[utoipa::path(post, path = "/api/v1/inquiry/{case}/withdraw", tag = "inquiry",
    params(("case" = String, Path, description = "The case id"), CodeQuery), request_body = WithdrawRequest,
    responses((status = 200, body = CommandResult), NotFound, Conflict, Unprocessable, TooManyAttempts,
        Internal, Unavailable))]
pub(crate) async fn withdraw<B: Backend>(
    State(app): State<App<B>>,
    Path(case): Path<String>,
    client: Client,
    Query(query): Query<CodeQuery>,
    Body(request): Body<WithdrawRequest>,
) -> Result<Json<CommandResult>, ApiError> {
    let command = Command::Withdraw {
        reason: request.reason,
    };
    let (id, outcome) = execute_verified(&app, &case, &client, &query.code, command).await?;
    Ok(Json(CommandResult::new(&id, &outcome)))
}

/// The applicant rates the service (群众满意度) with the access code (no account).
#[utoipa::path(post, path = "/api/v1/inquiry/{case}/rate", tag = "inquiry",
    params(("case" = String, Path, description = "The case id"), CodeQuery), request_body = RateRequest,
    responses((status = 200, body = CommandResult), NotFound, Conflict, Unprocessable, TooManyAttempts,
        Internal, Unavailable))]
pub(crate) async fn rate<B: Backend>(
    State(app): State<App<B>>,
    Path(case): Path<String>,
    client: Client,
    Query(query): Query<CodeQuery>,
    Body(request): Body<RateRequest>,
) -> Result<Json<CommandResult>, ApiError> {
    let command = Command::Rate {
        rating: request.rating,
    };
    let (id, outcome) = execute_verified(&app, &case, &client, &query.code, command).await?;
    Ok(Json(CommandResult::new(&id, &outcome)))
}

fn case_label(status: &CaseStatus) -> &'static str {
    match status {
        CaseStatus::Open => "办理中 in progress",
        CaseStatus::Completed { .. } => "待出件 ready to collect",
        CaseStatus::Issued { .. } => "已办结 issued",
        CaseStatus::Rejected { .. } => "不予许可 rejected",
        CaseStatus::Withdrawn { .. } => "已撤回 withdrawn",
    }
}

fn task_label(status: &TaskStatus) -> &'static str {
    match status {
        TaskStatus::Waiting => "等待前置事项 waiting for earlier items",
        TaskStatus::Ready | TaskStatus::Claimed { .. } => "审批中 under review",
        TaskStatus::Suspended {
            suspension: Suspension::Supplement { .. },
            ..
        } => "待补正 waiting for your materials",
        TaskStatus::Suspended { .. } => "特别程序 special procedure",
        TaskStatus::Approved { .. } => "已批准 approved",
        TaskStatus::Rejected { .. } => "不予许可 rejected",
        TaskStatus::Withdrawn { .. } => "已撤回 withdrawn",
    }
}
