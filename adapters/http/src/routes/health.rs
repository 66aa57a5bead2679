//! Operations: `/healthz` (the process answers), `/readyz` (the store answers), `/metrics`
//! (Prometheus text) and `/api/v1/me` (who the token belongs to); `/api/openapi.json` is
//! served by `crate::openapi`.

use greenlane_engine::case::CaseStatusKind;
use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use greenlane_engine::case::TaskStatus;
use greenlane_engine::supervision::AlertLevel;
use greenlane_runtime::ports::Backend;
use serde::Serialize;
use utoipa::ToSchema;

use super::support::scan;
use crate::auth::Caller;
use crate::metrics::escape;
use crate::problem::ApiError;
use crate::responses::{Internal, Unavailable};
use crate::state::App;
use crate::vocabulary::RoleName;

/// The process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "ok", content_type = "text/plain", body = String)))]
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// The store answers: the server can take requests.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "ready", content_type = "text/plain", body = String), Unavailable))]
pub(crate) async fn readyz<B: Backend>(State(app): State<App<B>>) -> Response {
    match app.runtime().workflows().await {
        Ok(_) => "ready\n".into_response(),
        Err(error) => {
            tracing::warn!(%error, "not ready");
            ApiError::Unavailable(error.to_string()).into_response()
        }
    }
}

/// Prometheus metrics: commands by kind and outcome, latencies, queue depth per
/// department, open alerts by level, open cases.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain", body = String),
        Internal, Unavailable))]
pub(crate) async fn metrics<B: Backend>(State(app): State<App<B>>) -> Result<Response, ApiError> {
    let mut out = String::new();
    app.metrics().render(&mut out);

    let runtime = app.runtime();
    let mut departments = std::collections::BTreeSet::new();
    for (workflow, latest) in runtime.workflows().await? {
        let definition = runtime.definition(&workflow, latest).await?;
        departments.extend(definition.workflow.departments.keys().cloned());
    }
    out.push_str("# HELP greenlane_queue_depth Tasks waiting to be claimed, per department.\n# TYPE greenlane_queue_depth gauge\n");
    for department in &departments {
        let depth = runtime.queue_depth(department).await?;
        let _ = writeln!(
            out,
            "greenlane_queue_depth{{department=\"{}\"}} {depth}",
            escape(department.as_str())
        );
    }

    out.push_str("# HELP greenlane_calendar_working_days_left Working days from today to the end of a calendar's years: official ones, or all covered ones (provisional included).\n# TYPE greenlane_calendar_working_days_left gauge\n");
    let coverages = runtime.calendar_coverage();
    for coverage in &coverages {
        let calendar = escape(coverage.calendar.as_str());
        let _ = writeln!(
            out,
            "greenlane_calendar_working_days_left{{calendar=\"{calendar}\",years=\"official\"}} {}",
            coverage.official_days_left
        );
        let _ = writeln!(
            out,
            "greenlane_calendar_working_days_left{{calendar=\"{calendar}\",years=\"covered\"}} {}",
            coverage.days_left
        );
    }
    out.push_str("# HELP greenlane_calendar_coverage_warning 1 when a calendar's official years end within the warning period.\n# TYPE greenlane_calendar_coverage_warning gauge\n");
    for coverage in &coverages {
        let _ = writeln!(
            out,
            "greenlane_calendar_coverage_warning{{calendar=\"{}\"}} {}",
            escape(coverage.calendar.as_str()),
            u8::from(coverage.warning)
        );
    }

    let mut open_alerts: BTreeMap<AlertLevel, u64> =
        AlertLevel::ALL.iter().map(|l| (*l, 0)).collect();
    let mut open_cases = 0u64;
    scan(&app, Some(CaseStatusKind::Open), None, |_, state| {
        open_cases += 1;
        for task in &state.tasks {
            if matches!(
                task.status,
                TaskStatus::Ready | TaskStatus::Claimed { .. } | TaskStatus::Suspended { .. }
            ) {
                if let Some(level) = task.alerts.iter().max() {
                    *open_alerts.entry(*level).or_default() += 1;
                }
            }
        }
        true
    })
    .await?;
    out.push_str("# HELP greenlane_open_alerts Open tasks by the highest alert level raised on them.\n# TYPE greenlane_open_alerts gauge\n");
    for (level, n) in &open_alerts {
        let _ = writeln!(
            out,
            "greenlane_open_alerts{{level=\"{}\"}} {n}",
            level.as_str()
        );
    }
    out.push_str("# HELP greenlane_open_cases Cases open.\n# TYPE greenlane_open_cases gauge\n");
    let _ = writeln!(out, "greenlane_open_cases {open_cases}");
    let outbox = app.runtime().outbox_counts().await?;
    out.push_str("# HELP greenlane_outbox_deliveries Alert deliveries in the store's outbox: waiting to be sent, or dead letters.\n# TYPE greenlane_outbox_deliveries gauge\n");
    let _ = writeln!(
        out,
        "greenlane_outbox_deliveries{{state=\"pending\"}} {}",
        outbox.pending
    );
    let _ = writeln!(
        out,
        "greenlane_outbox_deliveries{{state=\"dead\"}} {}",
        outbox.dead
    );
    if let Some(stats) = &app.settings().delivery_stats {
        crate::metrics::render_deliveries(&stats.snapshot(), &mut out);
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response())
}

/// Who the token belongs to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct Me {
    /// The principal's id.
    pub(crate) id: String,
    /// Its role.
    pub(crate) role: RoleName,
    /// Its department (officers).
    pub(crate) department: Option<String>,
    /// Its center.
    pub(crate) center: String,
    /// Its center's name, if the principals file gives one.
    pub(crate) center_name: Option<String>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "operations",
    responses((status = 200, body = Me)),
    security(("bearer" = [])))]
pub(crate) async fn me(caller: Caller) -> Json<Me> {
    let p = &caller.principal;
    Json(Me {
        id: p.id.to_string(),
        role: p.role.into(),
        department: p.department.as_ref().map(|d| d.to_string()),
        center: p.center.to_string(),
        center_name: caller.centers().name(&p.center).map(str::to_string),
    })
}
