//! The audit trail for supervisors (审计): an export of the records of a period, center,
//! department or officer, as JSON lines or CSV, with the signed checkpoints that cover
//! them (`greenlane audit verify-export` checks it offline with the public key), and the
//! server's public key.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use greenlane_engine::audit::export;
use greenlane_engine::audit::hex;
use greenlane_engine::ids::{CenterId, DepartmentId, PrincipalId};
use greenlane_runtime::audit::{self, ExportFilter};
use greenlane_runtime::ports::Backend;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::rights::Right;
use crate::auth::Caller;
use crate::json::Query;
use crate::problem::ApiError;
use crate::responses::{Forbidden, NotFound};
use crate::state::App;

/// The export's format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ExportFormat {
    /// One JSON object per line (`application/x-ndjson`).
    #[default]
    Jsonl,
    /// CSV, UTF-8 with a byte-order mark.
    Csv,
}

/// Which records to export.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExportQuery {
    /// Records at or after this instant (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Records before this instant (RFC 3339).
    to: Option<DateTime<Utc>>,
    /// Only cases of this center (one the caller oversees).
    center: Option<String>,
    /// Only records about tasks of this department.
    department: Option<String>,
    /// Only records made by this principal.
    officer: Option<String>,
    /// `jsonl` (default) or `csv`.
    format: Option<ExportFormat>,
}

/// The audit trail of the cases the caller oversees, filtered.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "supervision", params(ExportQuery),
    responses(
        (status = 200, description = "JSON lines (`application/x-ndjson`) or CSV (`text/csv`)", content(
            (String = "application/x-ndjson"), (String = "text/csv"))),
        Forbidden, NotFound),
    security(("bearer" = [])))]
pub(crate) async fn export_trail<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    caller.require(Right::ReadSupervision)?;
    let key = app.settings().audit_key.ok_or_else(|| {
        ApiError::NotFound("this server has no audit key (serve --audit-key)".into())
    })?;
    let center = query.center.map(CenterId::new);
    if let Some(center) = &center {
        if !caller.covers(center) {
            return Err(ApiError::NotFound(format!(
                "no center `{center}` you oversee"
            )));
        }
    }
    let filter = ExportFilter {
        from: query.from,
        to: query.to,
        center,
        department: query.department.map(DepartmentId::new),
        officer: query.officer.map(PrincipalId::new),
    };
    let now = app.runtime().clock().now();
    let lines = audit::export(
        app.runtime().backend().events(),
        &key,
        &filter,
        |center| caller.covers(center),
        now,
    )
    .await
    .map_err(greenlane_runtime::RuntimeError::from)?;
    let stamp = now.format("%Y%m%d%H%M%S");
    let (content_type, body, extension) = match query.format.unwrap_or_default() {
        ExportFormat::Jsonl => {
            let mut body = String::new();
            for line in &lines {
                body.push_str(&serde_json::to_string(line).unwrap_or_default());
                body.push('\n');
            }
            ("application/x-ndjson; charset=utf-8", body, "jsonl")
        }
        ExportFormat::Csv => ("text/csv; charset=utf-8", export::to_csv(&lines), "csv"),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"greenlane-audit-{stamp}.{extension}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// The key the server signs checkpoints with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct PublicKey {
    /// Always `ed25519`.
    algorithm: &'static str,
    /// The public key, 64 hex digits.
    public_key: String,
}

/// The public key that verifies the audit trail's checkpoints (no secret: anyone may read it).
#[utoipa::path(get, path = "/api/v1/audit/public-key", tag = "supervision",
    responses((status = 200, body = PublicKey), NotFound))]
pub(crate) async fn public_key<B: Backend>(
    State(app): State<App<B>>,
) -> Result<Json<PublicKey>, ApiError> {
    let key = app.settings().audit_key.ok_or_else(|| {
        ApiError::NotFound("this server has no audit key (serve --audit-key)".into())
    })?;
    Ok(Json(PublicKey {
        algorithm: "ed25519",
        public_key: hex(key.as_bytes()),
    }))
}
