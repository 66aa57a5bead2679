//! The router: every route, its middleware (request id, tracing span, metrics, body limit)
//! and the problem+json answers for unknown routes and methods.
//!
//! One module per resource; `support` holds what several share (finding a case the caller
//! may see, carrying out a command with metrics).

pub(crate) mod access_code;
pub(crate) mod audit;
pub(crate) mod calendars;
pub(crate) mod cases;
pub(crate) mod definitions;
pub(crate) mod events;
pub(crate) mod health;
pub(crate) mod inbox;
pub(crate) mod inquiry;
pub(crate) mod notifications;
pub(crate) mod supervision;
pub(crate) mod support;
pub(crate) mod tasks;
mod track;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{middleware, Extension, Router};
use greenlane_runtime::ports::Backend;

use crate::problem::ApiError;
use crate::state::{App, BodyLimit};

/// Every route of the API over `app`.
pub fn router<B: Backend>(app: App<B>) -> Router {
    use crate::routes::{
        calendars as k, cases as c, definitions as d, events as e, health as h, inbox as i,
        inquiry as q, supervision as s, tasks as t,
    };
    let task = "/cases/{case}/tasks/{task}";
    let api = Router::new()
        .route("/me", get(h::me))
        .route("/cases", get(c::list::<B>).post(c::launch::<B>))
        .route("/cases/{case}", get(c::show::<B>))
        .route("/cases/{case}/dag", get(c::dag::<B>))
        .route("/cases/{case}/withdraw", post(c::withdraw::<B>))
        .route("/cases/{case}/issue", post(c::issue::<B>))
        .route("/cases/{case}/rate", post(c::rate::<B>))
        .route(
            "/cases/{case}/access-code",
            post(access_code::reissue_access_code::<B>),
        )
        .route(&format!("{task}/claim"), post(t::claim::<B>))
        .route(&format!("{task}/release"), post(t::release::<B>))
        .route(&format!("{task}/approve"), post(t::approve::<B>))
        .route(&format!("{task}/reject"), post(t::reject::<B>))
        .route(&format!("{task}/urge"), post(t::urge::<B>))
        .route(
            &format!("{task}/request-supplement"),
            post(t::request_supplement::<B>),
        )
        .route(
            &format!("{task}/submit-supplement"),
            post(t::submit_supplement::<B>),
        )
        .route(
            &format!("{task}/allow-supplement"),
            post(t::allow_supplement::<B>),
        )
        .route(
            &format!("{task}/special-procedure/start"),
            post(t::start_special_procedure::<B>),
        )
        .route(
            &format!("{task}/special-procedure/end"),
            post(t::end_special_procedure::<B>),
        )
        .route("/departments/{department}/inbox", get(i::show::<B>))
        .route(
            "/departments/{department}/claim-next",
            post(i::claim_next::<B>),
        )
        .route("/inquiry/{case}", get(q::show::<B>))
        .route("/inquiry/{case}/withdraw", post(q::withdraw::<B>))
        .route("/inquiry/{case}/rate", post(q::rate::<B>))
        .route("/definitions", get(d::list::<B>).post(d::publish::<B>))
        .route(
            "/definitions/{workflow}/versions/{version}",
            get(d::show::<B>),
        )
        .route("/definitions/{workflow}/diff", get(d::diff::<B>))
        .route("/definitions/{workflow}/rollback", post(d::rollback::<B>))
        .route("/definitions/{workflow}/plan", post(d::plan::<B>))
        .route("/calendars", get(k::list::<B>))
        .route("/calendars/{calendar}", post(k::publish::<B>))
        .route("/calendars/{calendar}/{year}", get(k::show::<B>))
        .route("/supervision/alerts", get(s::alerts::<B>))
        .route("/supervision/kpis", get(s::kpis::<B>))
        .route("/audit/export", get(audit::export_trail::<B>))
        .route("/audit/public-key", get(audit::public_key::<B>))
        .route(
            "/notifications/dead-letters",
            get(notifications::dead_letters::<B>),
        )
        .route(
            "/notifications/dead-letters/retry",
            post(notifications::retry::<B>),
        )
        .route("/events", get(e::stream::<B>));
    let limit = app.settings().body_limit;
    Router::new()
        .nest("/api/v1", api)
        .merge(crate::web::routes::<B>())
        .route("/healthz", get(h::healthz))
        .route("/readyz", get(h::readyz::<B>))
        .route("/metrics", get(h::metrics::<B>))
        .route("/api/openapi.json", get(crate::openapi::openapi_json))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(
            app.clone(),
            track::track::<B>,
        ))
        .layer(Extension(BodyLimit(limit)))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app)
}

async fn unknown_route(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no route `{}`", uri.path()))
}

async fn wrong_method(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let problem = crate::problem::Problem {
        kind: "urn:greenlane:problem:method-not-allowed".to_string(),
        title: "方法不允许 Method not allowed".to_string(),
        status: 405,
        detail: format!("`{method}` is not allowed on `{}`", uri.path()),
        field: None,
        errors: Vec::new(),
    };
    (
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
        serde_json::to_vec(&problem).unwrap_or_default(),
    )
        .into_response()
}
