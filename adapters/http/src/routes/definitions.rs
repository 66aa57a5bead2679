//! Workflow definitions, published while the center is open: list, publish (validated with
//! every problem located, then tried on sample applications; refused → nothing changes),
//! show a version (with the fields of its application, for launch forms), diff two
//! versions, roll back (publish an old version as the newest), and plan any application as
//! a dry run (checked against the declared fields as a launch is). Cases already launched keep their version.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use greenlane_engine::case::Rejection;
use greenlane_engine::ids::{PrincipalId, WorkflowId};
use greenlane_runtime::ports::{Backend, PublishedDefinition};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cases::{drawn, FormatQuery};
use super::support::today;
use crate::auth::rights::Right;
use crate::auth::Caller;
use crate::diff::{diff as compare, DefinitionDiff};
use crate::json::{Body, Path, Query};
use crate::problem::ApiError;
use crate::responses::{Forbidden, NotFound, Unprocessable};
use crate::state::App;

/// One published version, in short.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct VersionInfo {
    /// The version, from 1.
    pub(crate) version: u32,
    /// When it was published.
    pub(crate) published_at: DateTime<Utc>,
    /// Who published it.
    pub(crate) published_by: String,
}

impl From<&PublishedDefinition> for VersionInfo {
    fn from(p: &PublishedDefinition) -> VersionInfo {
        VersionInfo {
            version: p.version,
            published_at: p.published_at,
            published_by: p.published_by.to_string(),
        }
    }
}

/// A workflow and its versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct WorkflowVersions {
    /// The workflow id.
    pub(crate) workflow: String,
    /// The latest version's display name.
    pub(crate) name: String,
    /// The latest version: the one new cases are launched with.
    pub(crate) latest: u32,
    /// Every version, oldest first.
    pub(crate) versions: Vec<VersionInfo>,
}

/// Lists every workflow with its versions.
#[utoipa::path(get, path = "/api/v1/definitions", tag = "definitions",
    responses((status = 200, body = Vec<WorkflowVersions>), Forbidden), security(("bearer" = [])))]
pub(crate) async fn list<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
) -> Result<Json<Vec<WorkflowVersions>>, ApiError> {
    caller.require(Right::ReadDefinitions)?;
    let runtime = app.runtime();
    let mut out = Vec::new();
    for (workflow, latest) in runtime.workflows().await? {
        let mut versions = Vec::new();
        for version in 1..=latest {
            if let Some(p) = runtime.stored_definition(&workflow, version).await? {
                versions.push(VersionInfo::from(&p));
            }
        }
        let name = app
            .runtime()
            .definition(&workflow, latest)
            .await?
            .workflow
            .name
            .clone();
        out.push(WorkflowVersions {
            workflow: workflow.to_string(),
            name,
            latest,
            versions,
        });
    }
    Ok(Json(out))
}

/// A new version: the workflow YAML and its rules script together, and sample
/// applications to try it on.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublishRequest {
    /// The workflow YAML.
    pub(crate) workflow: String,
    /// The file name used in diagnostics (`<id>.yaml` when absent).
    pub(crate) workflow_name: Option<String>,
    /// The rules script the workflow names (`rules:`); the previous version's script of the
    /// same name is kept when absent.
    pub(crate) rules: Option<String>,
    /// The departments YAML; the previous version's (or the server's) when absent.
    pub(crate) departments: Option<String>,
    /// Sample applications to try the version on; they replace the ones kept for the
    /// workflow. When absent, the kept samples (the project's examples) are used.
    #[schema(value_type = Option<Vec<Object>>)]
    pub(crate) samples: Option<Vec<serde_json::Value>>,
}

/// A published version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct PublishedView {
    /// The workflow.
    pub(crate) workflow: String,
    /// The new version: the next launch uses it.
    pub(crate) version: u32,
    /// Sample applications it was planned with.
    pub(crate) samples_tried: usize,
    /// What changed from the version before, if there was one.
    pub(crate) changes: Option<DefinitionDiff>,
}

/// Publishes a new version: validated (every problem located), tried on the samples,
/// stored as the next version; refused with nothing changed when either fails.
#[utoipa::path(post, path = "/api/v1/definitions", tag = "definitions", request_body = PublishRequest,
    responses((status = 201, body = PublishedView,
        headers(("Location" = String, description = "The new version's URL"))),
        Forbidden, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn publish<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Body(request): Body<PublishRequest>,
) -> Result<Response, ApiError> {
    caller.require(Right::PublishDefinitions)?;
    let view = publish_with_changes(
        &app,
        &caller,
        greenlane_runtime::PublishRequest {
            workflow: request.workflow,
            workflow_name: request.workflow_name,
            rules: request.rules,
            departments: request.departments,
            samples: request.samples,
        },
    )
    .await?;
    Ok(created(view))
}

/// Publishes `request` by the runtime's publishing policy (`Runtime::publish_request`)
/// and says what changed from the version before.
async fn publish_with_changes<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    request: greenlane_runtime::PublishRequest,
) -> Result<PublishedView, ApiError> {
    let by = PrincipalId::new(caller.principal.id.as_str());
    let published = app.runtime().publish_request(request, &by).await?;
    let workflow = published.workflow.clone();
    let changes = match &published.previous {
        Some(previous) => {
            let old = app
                .runtime()
                .definition(&workflow, previous.version)
                .await?;
            Some(compare(
                (previous.version, &old.workflow, &previous.source),
                (
                    published.version,
                    &published.compiled.workflow,
                    &published.source,
                ),
            ))
        }
        None => None,
    };
    Ok(PublishedView {
        workflow: workflow.to_string(),
        version: published.version,
        samples_tried: published.samples_tried,
        changes,
    })
}

fn created(view: PublishedView) -> Response {
    let location = format!(
        "/api/v1/definitions/{}/versions/{}",
        view.workflow, view.version
    );
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response()
}

/// One version in full: the validated model and the texts it was published from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct VersionView {
    /// When and by whom.
    #[serde(flatten)]
    pub(crate) info: VersionInfo,
    /// The workflow id.
    pub(crate) workflow: String,
    /// The validated workflow: name, calendar, departments, tasks, application.
    #[schema(value_type = Object)]
    pub(crate) definition: serde_json::Value,
    /// The fields of the workflow's application, what a launch form is made from (also
    /// `definition.application`): `{"fields": [{"id", "type" (text, number, boolean,
    /// choice, date or list), "label", "required", "help" (or null), "choices": [{"value",
    /// "label"}]}]}`, in form order; `fields` is empty when the workflow declares none
    /// (then launches are not checked against it).
    #[schema(value_type = Object)]
    pub(crate) application: serde_json::Value,
    /// The texts it was published from.
    #[schema(value_type = Object)]
    pub(crate) source: serde_json::Value,
}

async fn version_of<B: Backend>(
    app: &App<B>,
    workflow: &WorkflowId,
    version: &str,
) -> Result<PublishedDefinition, ApiError> {
    let found = if version == "latest" {
        app.runtime().latest_definition(workflow).await?
    } else {
        let number = version.parse::<u32>().map_err(|_| {
            ApiError::bad(
                "version",
                format!("`version` is `{version}`; use a number or `latest`"),
            )
        })?;
        app.runtime().stored_definition(workflow, number).await?
    };
    found.ok_or_else(|| {
        ApiError::NotFound(format!("workflow `{workflow}` has no version `{version}`"))
    })
}

/// Shows one version (a number or `latest`).
#[utoipa::path(get, path = "/api/v1/definitions/{workflow}/versions/{version}", tag = "definitions",
    params(("workflow" = String, Path), ("version" = String, Path, pattern = "^(latest|[0-9]{1,9})$",
        description = "A version number or `latest`")),
    responses((status = 200, body = VersionView), Forbidden, NotFound),
    security(("bearer" = [])))]
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path((workflow, version)): Path<(String, String)>,
) -> Result<Json<VersionView>, ApiError> {
    caller.require(Right::ReadDefinitions)?;
    let workflow = WorkflowId::new(workflow.as_str());
    let published = version_of(&app, &workflow, &version).await?;
    let compiled = app
        .runtime()
        .definition(&workflow, published.version)
        .await?;
    Ok(Json(VersionView {
        info: VersionInfo::from(&published),
        workflow: workflow.to_string(),
        definition: serde_json::to_value(&compiled.workflow).unwrap_or_default(),
        application: serde_json::to_value(&compiled.workflow.application).unwrap_or_default(),
        source: serde_json::to_value(&published.source).unwrap_or_default(),
    }))
}

/// Which versions to compare.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DiffQuery {
    /// The older version (the one before `to` when absent).
    from: Option<u32>,
    /// The newer version (the latest when absent).
    to: Option<u32>,
}

/// What changed between two versions: tasks added and removed, limits, needs.
#[utoipa::path(get, path = "/api/v1/definitions/{workflow}/diff", tag = "definitions",
    params(("workflow" = String, Path), DiffQuery),
    responses((status = 200, body = DefinitionDiff), Forbidden, NotFound),
    security(("bearer" = [])))]
pub(crate) async fn diff<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(workflow): Path<String>,
    Query(query): Query<DiffQuery>,
) -> Result<Json<DefinitionDiff>, ApiError> {
    caller.require(Right::ReadDefinitions)?;
    let workflow = WorkflowId::new(workflow.as_str());
    let to = match query.to {
        Some(to) => to,
        None => app.runtime().latest_version(&workflow).await?,
    };
    let from = query.from.unwrap_or(to.saturating_sub(1).max(1));
    let old = version_of(&app, &workflow, &from.to_string()).await?;
    let new = version_of(&app, &workflow, &to.to_string()).await?;
    let old_compiled = app.runtime().definition(&workflow, from).await?;
    let new_compiled = app.runtime().definition(&workflow, to).await?;
    Ok(Json(compare(
        (from, &old_compiled.workflow, &old.source),
        (to, &new_compiled.workflow, &new.source),
    )))
}

/// A rollback.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RollbackRequest {
    /// The version to publish again as the newest.
    pub(crate) to_version: u32,
}

/// Rolls back: publishes an old version's texts as the newest version (checked like any
/// publication). Cases launched meanwhile keep their version.
#[utoipa::path(post, path = "/api/v1/definitions/{workflow}/rollback", tag = "definitions",
    params(("workflow" = String, Path)), request_body = RollbackRequest,
    responses((status = 201, body = PublishedView,
        headers(("Location" = String, description = "The new version's URL"))),
        Forbidden, NotFound, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn rollback<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(workflow): Path<String>,
    Body(request): Body<RollbackRequest>,
) -> Result<Response, ApiError> {
    caller.require(Right::PublishDefinitions)?;
    let workflow = WorkflowId::new(workflow.as_str());
    let old = version_of(&app, &workflow, &request.to_version.to_string()).await?;
    let view = publish_with_changes(&app, &caller, old.source.into()).await?;
    Ok(created(view))
}

/// A dry-run plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanRequest {
    /// The application, a JSON object.
    #[schema(value_type = Object)]
    pub(crate) application: serde_json::Value,
    /// The launch date (today when absent).
    pub(crate) start: Option<NaiveDate>,
    /// The version (the latest when absent).
    pub(crate) version: Option<u32>,
}

/// Plans an application as a dry run: applicable tasks, critical path, promised date (in
/// the JSON form with `promised_completion_provisional`, true when it counts on a
/// provisional calendar year).
#[utoipa::path(post, path = "/api/v1/definitions/{workflow}/plan", tag = "definitions",
    params(("workflow" = String, Path), FormatQuery), request_body = PlanRequest,
    responses((status = 200, description = "The timetable as JSON, DOT or Mermaid", content(
        (Object = "application/json"), (String = "text/vnd.graphviz"), (String = "text/plain"))),
        Forbidden, NotFound, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn plan<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(workflow): Path<String>,
    Query(query): Query<FormatQuery>,
    Body(request): Body<PlanRequest>,
) -> Result<Response, ApiError> {
    caller.require(Right::ReadDefinitions)?;
    if !request.application.is_object() {
        return Err(ApiError::invalid(
            "application",
            "`application` must be a JSON object",
        ));
    }
    let workflow = WorkflowId::new(workflow.as_str());
    let version = match request.version {
        Some(v) => v,
        None => app.runtime().latest_version(&workflow).await?,
    };
    let compiled = app.runtime().definition(&workflow, version).await?;
    // A dry run answers what a launch would: an application that does not match the
    // declared fields is refused the same way.
    compiled
        .workflow
        .application
        .validate(&request.application)
        .map_err(|errors| Rejection::InvalidApplication { errors })?;
    let plan = compiled
        .plan(&request.application)
        .map_err(|e| ApiError::invalid("application", e.to_string()))?;
    let start = request.start.unwrap_or_else(|| today(&app));
    let timetable = plan
        .timetable(&compiled.calendar, start)
        .map_err(|e| ApiError::invalid("start", e.to_string()))?;
    let extra = serde_json::json!({
        "version": version,
        "promised_completion_provisional": compiled
            .calendar
            .depends_on_provisional(timetable.start, timetable.promised_completion),
    });
    Ok(drawn(
        &timetable,
        query.format.unwrap_or_default(),
        Some(extra),
    ))
}
