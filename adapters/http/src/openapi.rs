//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations and the
//! views' schemas, with the bearer-token security scheme, and the handler serving it at
//! `/api/openapi.json`.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    access_code, calendars, cases, definitions, events, health, inbox, inquiry, supervision, tasks,
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
        tasks::end_special_procedure,
        inbox::show, inbox::claim_next,
        inquiry::show, inquiry::withdraw, inquiry::rate,
        definitions::list, definitions::publish, definitions::show, definitions::diff,
        definitions::rollback, definitions::plan,
        calendars::list, calendars::show, calendars::publish,
        supervision::alerts, supervision::kpis,
        events::stream,
        health::healthz, health::readyz, health::metrics, openapi_json, health::me,
    ),
    modifiers(&BearerAuth),
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

/// The API's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document")))]
pub(crate) async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi().to_json().unwrap_or_default(),
    )
        .into_response()
}
