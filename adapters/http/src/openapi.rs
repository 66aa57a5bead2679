//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations and the
//! views' schemas, with the bearer-token security scheme and the error answers every
//! route of a kind shares (`CommonResponses`), and the handler serving it at
//! `/api/openapi.json`.
//!
//! A route declares its success answers and the errors of its own (403, 404, 409, 422,
//! 429, …, the types of [`crate::responses`]); `CommonResponses` adds to every operation
//! what follows from its shape: 401, 500 and 503 when it is secured, 400, 413, 415 and 422
//! when it takes a JSON body, 400 when it takes a query string or path parameters. Each
//! error is an `application/problem+json` [`Problem`].

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi};

use crate::problem::{Located, Problem};
use crate::responses::problem_response;
use crate::vocabulary::{
    CaseStateName, CaseStatusShape, EventKind, InboxState, ItemKind, Level, ListedDay, Procedure,
    RatingShape, RoleName, SuspensionReason, SuspensionShape, TaskStateName,
};

use crate::routes::{
    access_code, audit, calendars, cases, definitions, events, health, inbox, inquiry,
    notifications, supervision, tasks,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "greenlane — 并联审批 parallel approval API",
        description = "Cases, tasks and inboxes for coordinators and officers; definitions published live by policy staff; supervision for supervisors; inquiry for applicants. Errors are application/problem+json (RFC 9457)."
    ),
    paths(
        cases::launch, cases::list, cases::show, cases::dag, cases::withdraw, cases::issue,
        cases::rate, access_code::reissue_access_code,
        tasks::claim, tasks::release, tasks::approve, tasks::reject, tasks::request_supplement,
        tasks::submit_supplement, tasks::allow_supplement, tasks::start_special_procedure,
        tasks::end_special_procedure, tasks::urge,
        inbox::show, inbox::claim_next,
        inquiry::show, inquiry::withdraw, inquiry::rate,
        definitions::list, definitions::publish, definitions::show, definitions::diff,
        definitions::rollback, definitions::plan,
        calendars::list, calendars::show, calendars::publish,
        supervision::alerts, supervision::kpis, audit::export_trail, audit::public_key,
        notifications::dead_letters, notifications::retry,
        events::stream,
        health::healthz, health::readyz, health::metrics, openapi_json, health::me,
    ),
    components(schemas(
        Problem, Located, cases::Format, audit::ExportFormat, CaseStateName, CaseStatusShape, EventKind, InboxState,
        ItemKind, Level, ListedDay, Procedure, RatingShape, RoleName, SuspensionReason,
        SuspensionShape, TaskStateName,
    )),
    modifiers(&BearerAuth, &CommonResponses),
    tags(
        (name = "cases", description = "案件 Cases: launch, read, withdraw, issue, rate"),
        (name = "tasks", description = "事项 Tasks: inboxes, claims and decisions"),
        (name = "inquiry", description = "查询 Applicant inquiry with an access code"),
        (name = "definitions", description = "流程定义 Workflow definitions and rules"),
        (name = "calendars", description = "工作日历 Calendars: official and provisional years, published live"),
        (name = "supervision", description = "电子监察 Alerts and KPIs"),
        (name = "events", description = "实时事件 Live events (server-sent events)"),
        (name = "operations", description = "运维 Health, readiness, metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Adds to every operation the error answers that follow from its shape (see the module's
/// header), each as `application/problem+json`; what a route declares itself is kept.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let shared = item.parameters.clone().unwrap_or_default();
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let statuses = common_statuses(operation, &shared);
                for status in statuses {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| RefOr::T(problem_response(status)));
                }
            }
        }
    }
}

/// The error statuses `operation` can answer because of its shape.
fn common_statuses(operation: &Operation, shared: &[utoipa::openapi::path::Parameter]) -> Vec<u16> {
    let mut statuses = Vec::new();
    let secured = operation
        .security
        .as_ref()
        .is_some_and(|requirements| !requirements.is_empty());
    if secured {
        statuses.extend([401, 500, 503]);
    }
    if operation.request_body.is_some() {
        statuses.extend([400, 413, 415, 422]);
    }
    let takes_parameters = operation
        .parameters
        .iter()
        .flatten()
        .chain(shared)
        .any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Path));
    if takes_parameters {
        statuses.push(400);
    }
    statuses
}

/// The API's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
pub(crate) async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi().to_json().unwrap_or_default(),
    )
        .into_response()
}
