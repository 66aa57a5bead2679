//! Cases: launch, list with filters, one case in full, its DAG (JSON, DOT, Mermaid), and the
//! coordinator's commands on a whole case (withdraw, issue, rate).

use greenlane_engine::case::CaseStatusKind;
use std::time::Instant;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use greenlane_engine::case::{projection, CaseState, Command, Rating};
use greenlane_engine::ids::{CaseId, WorkflowId};
use greenlane_engine::plan::render::{to_dot, to_mermaid};
use greenlane_engine::supervision::AlertLevel;
use greenlane_runtime::access;
use greenlane_runtime::ports::Backend;
use greenlane_runtime::RuntimeError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::support::{
    day_of, execute_visible, outcome, read_visible, scan, visible_case, CommandResult,
};
use crate::auth::rights::Right;
use crate::auth::Caller;
use crate::json::{Body, Path, Query};
use crate::problem::ApiError;
use crate::responses::{Conflict, Forbidden, NotFound, Unprocessable};
use crate::state::App;
use crate::views::{CasePage, CaseSummary, CaseView, LaunchedView};
use crate::vocabulary::{CaseStateName, Level, RatingShape};

/// A launch: which workflow, and the application (a JSON object).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LaunchRequest {
    /// The workflow id, e.g. `industrial-project`; its latest version is used.
    pub(crate) workflow: String,
    /// The application as received at the window.
    #[schema(value_type = Object)]
    pub(crate) application: serde_json::Value,
}

/// Launches a joint approval (coordinator).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = LaunchRequest,
    responses((status = 201, body = LaunchedView,
        headers(("Location" = String, description = "The new case's URL"))),
        Forbidden, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn launch<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Body(request): Body<LaunchRequest>,
) -> Result<Response, ApiError> {
    let view = launch_case(&app, &caller, &request.workflow, request.application).await?;
    let location = format!("/api/v1/cases/{}", view.case);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}

/// Launches `application` on the latest version of `workflow` for `caller` (the launch
/// right is checked here), counting it in the metrics; what the API and the web desk's
/// launch form share.
pub(crate) async fn launch_case<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    workflow: &str,
    application: serde_json::Value,
) -> Result<LaunchedView, ApiError> {
    caller.require(Right::LaunchCases)?;
    if workflow.trim().is_empty() {
        return Err(ApiError::invalid(
            "workflow",
            "`workflow` must name a workflow",
        ));
    }
    if !application.is_object() {
        return Err(ApiError::invalid(
            "application",
            "`application` must be a JSON object",
        ));
    }
    let workflow_id = WorkflowId::new(workflow);
    let (code, access_code_hash) = access::issue(app.settings().access_code_hashing)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let started = Instant::now();
    let result = app
        .runtime()
        .launch(
            &caller.principal,
            greenlane_runtime::LaunchRequest::new(&workflow_id, application, access_code_hash),
        )
        .await;
    app.metrics()
        .command("launch", outcome(&result), started.elapsed());
    let launched = result.map_err(|error| match error {
        RuntimeError::UnknownWorkflow(_) => ApiError::invalid("workflow", error.to_string()),
        other => other.into(),
    })?;
    // The promise is marked on the pinned definition's calendar, counted from the case's
    // launch date as recorded.
    let definition = app
        .runtime()
        .definition(&workflow_id, launched.workflow_version)
        .await?;
    let launched_on = app
        .runtime()
        .read_case(&launched.case, |state| state.launched_on)
        .await?;
    Ok(LaunchedView::new(
        workflow_id.as_str(),
        launched,
        code,
        &definition.calendar,
        launched_on,
    ))
}

/// Filters of the case list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// `open`, `completed`, `issued`, `rejected` or `withdrawn`.
    #[param(value_type = Option<CaseStateName>)]
    pub(crate) state: Option<String>,
    /// Only cases of this workflow.
    pub(crate) workflow: Option<String>,
    /// Only cases with a task of this department.
    pub(crate) department: Option<String>,
    /// Only cases with a task that raised this alert level (`warning`, `yellow`, `red`).
    #[param(value_type = Option<Level>)]
    pub(crate) alert: Option<AlertLevel>,
    /// Only cases launched on or after this day.
    pub(crate) launched_from: Option<NaiveDate>,
    /// Only cases launched on or before this day.
    pub(crate) launched_to: Option<NaiveDate>,
    /// Only cases of this center or below it (within what the caller may see).
    pub(crate) center: Option<String>,
    /// At most this many cases: 1 to 1000 (default 100; 0 counts as 1).
    #[param(minimum = 0, maximum = 1000)]
    pub(crate) limit: Option<usize>,
    /// The `next` of the previous page.
    pub(crate) after: Option<String>,
    /// Search: cases whose id, or any text of whose application (the applicant's name,
    /// the 统一社会信用代码, the project's name, …), contains this text.
    pub(crate) q: Option<String>,
}

pub(crate) fn status_name(state: &str) -> Result<CaseStatusKind, ApiError> {
    match CaseStatusKind::parse(state) {
        Some(kind) => Ok(kind),
        None => Err(ApiError::bad(
            "state",
            format!("`state` is `{state}`; use open, completed, issued, rejected or withdrawn"),
        )),
    }
}

/// Lists the cases the caller may see, filtered, by id, a page at a time.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListQuery),
    responses((status = 200, body = CasePage), Forbidden),
    security(("bearer" = [])))]
pub(crate) async fn list<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Json<CasePage>, ApiError> {
    caller.require(Right::ReadCases)?;
    let status = query.state.as_deref().map(status_name).transpose()?;
    let limit = match query.limit {
        None => 100,
        Some(limit) if limit <= 1000 => limit.max(1),
        Some(limit) => {
            return Err(ApiError::bad(
                "limit",
                format!("`limit` is {limit}; use 1 to 1000"),
            ))
        }
    };
    let center = query
        .center
        .as_deref()
        .map(greenlane_engine::ids::CenterId::new);
    let mut states = Vec::new();
    let mut scanned = 0;
    let last = scan(
        &app,
        status,
        query.after.as_deref().map(CaseId::new),
        |_, state| {
            scanned += 1;
            if caller.sees(&state) && matches(&query, center.as_ref(), &caller, &state) {
                states.push(state);
            }
            states.len() < limit
        },
    )
    .await?;
    // Each case's dates are marked on its pinned definition's calendar (the runtime keeps
    // compiled definitions, so this is a lookup per case).
    let mut cases = Vec::with_capacity(states.len());
    for state in &states {
        let definition = pinned(&app, state).await?;
        cases.push(CaseSummary::new(state, &definition.calendar));
    }
    Ok(Json(CasePage {
        cases,
        next: last.map(|c| c.to_string()),
        scanned,
    }))
}

pub(crate) fn matches(
    query: &ListQuery,
    center: Option<&greenlane_engine::ids::CenterId>,
    caller: &Caller,
    case: &CaseState,
) -> bool {
    if let Some(workflow) = &query.workflow {
        if case.workflow.as_str() != workflow.as_str() {
            return false;
        }
    }
    if let Some(department) = &query.department {
        if !case
            .tasks
            .iter()
            .any(|t| t.plan.department.as_str() == department)
        {
            return false;
        }
    }
    if let Some(level) = query.alert {
        if !case.tasks.iter().any(|t| t.alerts.contains(&level)) {
            return false;
        }
    }
    let launched_on = case.launched_on;
    if query.launched_from.is_some_and(|from| launched_on < from)
        || query.launched_to.is_some_and(|to| launched_on > to)
    {
        return false;
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let in_id = case.id.as_str().contains(q);
        if !in_id && !mentions(&case.application, q) {
            return false;
        }
    }
    if let Some(center) = center {
        let within = caller.centers().covers(center, &case.center);
        if !within {
            return false;
        }
    }
    true
}

/// Whether some text in `value` (a string, or one within a list or object) contains `q`.
fn mentions(value: &serde_json::Value, q: &str) -> bool {
    match value {
        serde_json::Value::String(text) => text.contains(q),
        serde_json::Value::Array(items) => items.iter().any(|v| mentions(v, q)),
        serde_json::Value::Object(map) => map.values().any(|v| mentions(v, q)),
        _ => false,
    }
}

/// One case: tasks, due dates, alerts, the projected completion and the full timeline.
#[utoipa::path(get, path = "/api/v1/cases/{case}", tag = "cases",
    params(("case" = String, Path, description = "The case id")),
    responses((status = 200, body = CaseView), Forbidden, NotFound),
    security(("bearer" = [])))]
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(case): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    caller.require(Right::ReadCases)?;
    // Two short reads of the cached state instead of a copy: the first finds what the
    // projection needs, the second builds the view.
    let (workflow, version) = read_visible(&app, &caller, &case, |state| {
        (state.workflow.clone(), state.workflow_version)
    })
    .await?;
    let id = CaseId::new(case.as_str());
    let timeline = app.runtime().timeline(&id).await?;
    // The pinned definition: its calendar projects an open case and marks every date.
    let definition = app.runtime().definition(&workflow, version).await?;
    let now = app.runtime().clock().now();
    let today = day_of(&app, now);
    let view = read_visible(&app, &caller, &case, |state| {
        let projection = state
            .is_open()
            .then(|| projection(state, &definition.calendar, today, now, None));
        CaseView::new(state, &definition.calendar, projection, &timeline)
    })
    .await?;
    Ok(Json(view))
}

/// The definition `state` is pinned to.
pub(crate) async fn pinned<B: Backend>(
    app: &App<B>,
    state: &CaseState,
) -> Result<std::sync::Arc<greenlane_engine::plan::CompiledWorkflow>, ApiError> {
    Ok(app
        .runtime()
        .definition(&state.workflow, state.workflow_version)
        .await?)
}

/// How a DAG is drawn.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Format {
    /// The timetable as JSON.
    #[default]
    Json,
    /// Graphviz DOT.
    Dot,
    /// Mermaid.
    Mermaid,
}

/// How to draw a DAG.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormatQuery {
    /// `json` (default), `dot` or `mermaid`.
    pub(crate) format: Option<Format>,
}

/// A timetable drawn in `format`.
pub(crate) fn drawn(
    timetable: &greenlane_engine::plan::Timetable,
    format: Format,
    extra: Option<serde_json::Value>,
) -> Response {
    match format {
        Format::Json => {
            let mut value = serde_json::to_value(timetable).unwrap_or_default();
            if let (Some(object), Some(serde_json::Value::Object(extra))) =
                (value.as_object_mut(), extra)
            {
                object.extend(extra);
            }
            Json(value).into_response()
        }
        Format::Dot => (
            [(header::CONTENT_TYPE, "text/vnd.graphviz; charset=utf-8")],
            to_dot(timetable),
        )
            .into_response(),
        Format::Mermaid => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            to_mermaid(timetable),
        )
            .into_response(),
    }
}

/// The case's DAG as planned at launch (its pinned version), with each task's state and
/// `promised_completion_provisional` (true when the promise counts on a provisional
/// calendar year) in the JSON form.
#[utoipa::path(get, path = "/api/v1/cases/{case}/dag", tag = "cases",
    params(("case" = String, Path, description = "The case id"), FormatQuery),
    responses((status = 200, description = "The timetable as JSON, DOT or Mermaid", content(
        (Object = "application/json"), (String = "text/vnd.graphviz"), (String = "text/plain"))),
        Forbidden, NotFound),
    security(("bearer" = [])))]
pub(crate) async fn dag<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(case): Path<String>,
    Query(query): Query<FormatQuery>,
) -> Result<Response, ApiError> {
    caller.require(Right::ReadCases)?;
    let (_, state) = visible_case(&app, &caller, &case).await?;
    let definition = pinned(&app, &state).await?;
    let launched_on = state.launched_on;
    let timetable = definition
        .plan(&state.application)
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .timetable(&definition.calendar, launched_on)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let states: serde_json::Map<String, serde_json::Value> = state
        .tasks
        .iter()
        .map(|t| (t.plan.id.to_string(), t.status.as_str().into()))
        .collect();
    let extra = serde_json::json!({
        "case": case,
        "task_states": states,
        "promised_completion_provisional": definition
            .calendar
            .depends_on_provisional(timetable.start, timetable.promised_completion),
    });
    Ok(drawn(
        &timetable,
        query.format.unwrap_or_default(),
        Some(extra),
    ))
}

/// A withdrawal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WithdrawRequest {
    /// Why the applicant withdraws; not blank.
    #[schema(pattern = r"\S")]
    pub(crate) reason: String,
}

/// Withdraws the application (coordinator, for the applicant).
#[utoipa::path(post, path = "/api/v1/cases/{case}/withdraw", tag = "cases",
    params(("case" = String, Path, description = "The case id")), request_body = WithdrawRequest,
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn withdraw<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(case): Path<String>,
    Body(request): Body<WithdrawRequest>,
) -> Result<Json<CommandResult>, ApiError> {
    caller.require(Right::ActOnCases)?;
    let command = Command::Withdraw {
        reason: request.reason,
    };
    let (id, outcome) = execute_visible(&app, &caller, &case, command).await?;
    Ok(Json(CommandResult::new(&id, &outcome)))
}

/// Hands out the result at one window (coordinator; every task approved).
#[utoipa::path(post, path = "/api/v1/cases/{case}/issue", tag = "cases",
    params(("case" = String, Path, description = "The case id")),
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn issue<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(case): Path<String>,
) -> Result<Json<CommandResult>, ApiError> {
    caller.require(Right::ActOnCases)?;
    let (id, outcome) = execute_visible(&app, &caller, &case, Command::Issue).await?;
    Ok(Json(CommandResult::new(&id, &outcome)))
}

/// A rating: `{"stars": 1..5}`, `"satisfied"` or `"unsatisfied"`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RateRequest {
    /// `{"stars": 5}`, `"satisfied"` or `"unsatisfied"`.
    #[schema(value_type = RatingShape)]
    pub(crate) rating: Rating,
}

/// Records the applicant's rating (coordinator, on the applicant's behalf).
#[utoipa::path(post, path = "/api/v1/cases/{case}/rate", tag = "cases",
    params(("case" = String, Path, description = "The case id")), request_body = RateRequest,
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn rate<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(case): Path<String>,
    Body(request): Body<RateRequest>,
) -> Result<Json<CommandResult>, ApiError> {
    caller.require(Right::ActOnCases)?;
    let command = Command::Rate {
        rating: request.rating,
    };
    let (id, outcome) = execute_visible(&app, &caller, &case, command).await?;
    Ok(Json(CommandResult::new(&id, &outcome)))
}
