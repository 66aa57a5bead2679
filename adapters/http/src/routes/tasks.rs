//! Commands on one task of a case: an officer claims, releases, approves, rejects, asks
//! for supplements (一次性告知), starts and ends special procedures; a coordinator hands in
//! the supplements; a supervisor allows one more supplement request. The engine checks the
//! officer's department and the task's state; this layer checks rights and visibility.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Duration, Utc};

use greenlane_engine::case::Command;
use greenlane_runtime::ports::Backend;
use greenlane_runtime::ClaimedTask;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::support::{claim_visible, execute_visible, CommandResult};
use crate::auth::rights::Right;
use crate::auth::Caller;
use crate::json::{Body, Path, Query};
use crate::problem::ApiError;
use crate::responses::{Conflict, Forbidden, NotFound, Unprocessable};
use crate::state::App;
use crate::vocabulary::Procedure;

/// Carries out the command `make(task)` on a task the caller may see.
async fn on_task<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    right: Right,
    (case, task): (String, String),
    make: impl FnOnce(greenlane_engine::ids::TaskId) -> Command,
) -> Result<CommandResult, ApiError> {
    caller.require(right)?;
    let command = make(greenlane_engine::ids::TaskId::new(task));
    let (id, outcome) = execute_visible(app, caller, &case, command).await?;
    Ok(CommandResult::new(&id, &outcome))
}

/// The lease of a claim.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct LeaseQuery {
    /// Lease length in seconds (the server's default when absent; 60 to 86400).
    #[param(minimum = 60, maximum = 86400)]
    pub(crate) lease_seconds: Option<i64>,
}

impl LeaseQuery {
    pub(crate) fn lease(&self) -> Result<Option<Duration>, ApiError> {
        match self.lease_seconds {
            None => Ok(None),
            Some(s) if (60..=86_400).contains(&s) => Ok(Some(Duration::seconds(s))),
            Some(s) => Err(ApiError::bad(
                "lease_seconds",
                format!("`lease_seconds` is {s}; use 60 to 86400"),
            )),
        }
    }
}

/// A claimed task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ClaimedView {
    /// The case.
    pub(crate) case: String,
    /// The task.
    pub(crate) task: String,
    /// When the lease ends unless renewed by claiming again.
    pub(crate) lease_until: DateTime<Utc>,
}

/// Claims a task, or renews one's own claim (officer of the task's department).
#[utoipa::path(post, path = "/api/v1/cases/{case}/tasks/{task}/claim", tag = "tasks",
    params(("case" = String, Path), ("task" = String, Path), LeaseQuery),
    responses((status = 200, body = ClaimedView), Forbidden, NotFound, Conflict),
    security(("bearer" = [])))]
pub(crate) async fn claim<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path((case, task)): Path<(String, String)>,
    Query(query): Query<LeaseQuery>,
) -> Result<Json<ClaimedView>, ApiError> {
    caller.require(Right::DecideTasks)?;
    let lease = query.lease()?;
    let claimed = claim_visible(&app, &caller, &case, &task, lease).await?;
    Ok(Json(ClaimedView::from(claimed)))
}

impl From<ClaimedTask> for ClaimedView {
    fn from(claimed: ClaimedTask) -> ClaimedView {
        ClaimedView {
            case: claimed.case.to_string(),
            task: claimed.task.to_string(),
            lease_until: claimed.lease_until,
        }
    }
}

/// Gives a claimed task back to the department's queue (the officer holding it).
#[utoipa::path(post, path = "/api/v1/cases/{case}/tasks/{task}/release", tag = "tasks",
    params(("case" = String, Path), ("task" = String, Path)),
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn release<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(path): Path<(String, String)>,
) -> Result<Json<CommandResult>, ApiError> {
    let result = on_task(&app, &caller, Right::DecideTasks, path, |task| {
        Command::Release { task }
    })
    .await?;
    Ok(Json(result))
}

/// Approves a claimed task (the officer holding it).
#[utoipa::path(post, path = "/api/v1/cases/{case}/tasks/{task}/approve", tag = "tasks",
    params(("case" = String, Path), ("task" = String, Path)),
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn approve<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(path): Path<(String, String)>,
) -> Result<Json<CommandResult>, ApiError> {
    let result = on_task(&app, &caller, Right::DecideTasks, path, |task| {
        Command::approve(task)
    })
    .await?;
    Ok(Json(result))
}

/// A rejection.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReasonRequest {
    /// Why; recorded and shown; not blank.
    #[schema(pattern = r"\S")]
    pub(crate) reason: String,
}

/// Rejects a claimed task, and with it the case (the officer holding it).
#[utoipa::path(post, path = "/api/v1/cases/{case}/tasks/{task}/reject", tag = "tasks",
    params(("case" = String, Path), ("task" = String, Path)), request_body = ReasonRequest,
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn reject<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(path): Path<(String, String)>,
    Body(request): Body<ReasonRequest>,
) -> Result<Json<CommandResult>, ApiError> {
    let result = on_task(&app, &caller, Right::DecideTasks, path, |task| {
        Command::Reject {
            task,
            reason: request.reason,
        }
    })
    .await?;
    Ok(Json(result))
}

/// A supplement request: every missing material at once (一次性告知).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SupplementRequest {
    /// Every missing material; at least one, none blank.
    #[schema(schema_with = materials_schema)]
    pub(crate) materials: Vec<String>,
}

/// A non-empty array of strings that are not blank.
fn materials_schema() -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"\S")),
        )
        .min_items(Some(1))
        .build()
}

/// Asks the applicant for every missing material at once; the task's clock pauses (the
/// officer holding it).
#[utoipa::path(post, path = "/api/v1/cases/{case}/tasks/{task}/request-supplement", tag = "tasks",
    params(("case" = String, Path), ("task" = String, Path)), request_body = SupplementRequest,
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn request_supplement<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(path): Path<(String, String)>,
    Body(request): Body<SupplementRequest>,
) -> Result<Json<CommandResult>, ApiError> {
    if let Some(blank) = request.materials.iter().position(|m| m.trim().is_empty()) {
        return Err(ApiError::invalid(
            &format!("materials[{blank}]"),
            format!("`materials[{blank}]` is blank; name each missing material"),
        ));
    }
    let result = on_task(&app, &caller, Right::DecideTasks, path, |task| {
        Command::RequestSupplement {
            task,
            materials: request.materials,
        }
    })
    .await?;
    Ok(Json(result))
}

/// Records that the applicant handed in the materials; the clock runs again (coordinator).
#[utoipa::path(post, path = "/api/v1/cases/{case}/tasks/{task}/submit-supplement", tag = "tasks",
    params(("case" = String, Path), ("task" = String, Path)),
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn submit_supplement<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(path): Path<(String, String)>,
) -> Result<Json<CommandResult>, ApiError> {
    let result = on_task(&app, &caller, Right::ActOnCases, path, |task| {
        Command::SubmitSupplement { task }
    })
    .await?;
    Ok(Json(result))
}

/// Allows one more supplement request on a task (supervisor).
#[utoipa::path(post, path = "/api/v1/cases/{case}/tasks/{task}/allow-supplement", tag = "tasks",
    params(("case" = String, Path), ("task" = String, Path)), request_body = ReasonRequest,
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn allow_supplement<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(path): Path<(String, String)>,
    Body(request): Body<ReasonRequest>,
) -> Result<Json<CommandResult>, ApiError> {
    let result = on_task(&app, &caller, Right::AllowSupplements, path, |task| {
        Command::AllowSupplement {
            task,
            reason: request.reason,
        }
    })
    .await?;
    Ok(Json(result))
}

/// A special procedure (行政许可法 第四十五条).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProcedureRequest {
    /// `hearing`, `expert_review`, `testing`, `appraisal` or `public_notice`.
    pub(crate) procedure: Procedure,
    /// Working days granted for it, at least 1.
    #[schema(minimum = 1)]
    pub(crate) granted_days: u32,
}

/// Starts a special procedure; the task's clock pauses (the officer holding it).
#[utoipa::path(post, path = "/api/v1/cases/{case}/tasks/{task}/special-procedure/start", tag = "tasks",
    params(("case" = String, Path), ("task" = String, Path)), request_body = ProcedureRequest,
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn start_special_procedure<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(path): Path<(String, String)>,
    Body(request): Body<ProcedureRequest>,
) -> Result<Json<CommandResult>, ApiError> {
    let result = on_task(&app, &caller, Right::DecideTasks, path, |task| {
        Command::StartSpecialProcedure {
            task,
            procedure: request.procedure.into(),
            granted_days: request.granted_days,
        }
    })
    .await?;
    Ok(Json(result))
}

/// Ends a special procedure; the clock runs again (an officer of the task's department).
#[utoipa::path(post, path = "/api/v1/cases/{case}/tasks/{task}/special-procedure/end", tag = "tasks",
    params(("case" = String, Path), ("task" = String, Path)),
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn end_special_procedure<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(path): Path<(String, String)>,
) -> Result<Json<CommandResult>, ApiError> {
    let result = on_task(&app, &caller, Right::DecideTasks, path, |task| {
        Command::EndSpecialProcedure { task }
    })
    .await?;
    Ok(Json(result))
}

/// An urge (督办): what the supervision office asks of the task's officer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UrgeRequest {
    /// The note the officer sees on the task; not blank.
    #[schema(pattern = r"\S")]
    pub(crate) note: String,
}

/// Urges a late or at-risk task (督办, supervisor): the officer holding it and the head of
/// its department are told, and the note shows on the task.
#[utoipa::path(post, path = "/api/v1/cases/{case}/tasks/{task}/urge", tag = "tasks",
    params(("case" = String, Path), ("task" = String, Path)), request_body = UrgeRequest,
    responses((status = 200, body = CommandResult), Forbidden, NotFound, Conflict, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn urge<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(path): Path<(String, String)>,
    Body(request): Body<UrgeRequest>,
) -> Result<Json<CommandResult>, ApiError> {
    let result = on_task(&app, &caller, Right::UrgeTasks, path, |task| {
        Command::Urge {
            task,
            note: request.note,
        }
    })
    .await?;
    Ok(Json(result))
}
