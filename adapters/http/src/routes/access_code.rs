//! `POST /api/v1/cases/{case}/access-code`: a coordinator of the case's center gives the
//! applicant a new access code with the applicant present (lost notice, a code seen by
//! someone else). The code is made and hashed here (argon2id, off the executor), recorded
//! only as its hash in an `AccessCodeReissued` event with who did it, and answered once;
//! the old code stops working and the case's wrong-code count starts again. A case of
//! another center is a 404, as everywhere.

use axum::extract::{Path, State};
use axum::Json;
use greenlane_engine::case::Command;
use greenlane_runtime::access;
use greenlane_runtime::ports::Backend;
use serde::Serialize;
use utoipa::ToSchema;

use super::support::execute_visible;
use crate::auth::rights::Right;
use crate::auth::Caller;
use crate::problem::ApiError;
use crate::responses::{Conflict, Forbidden, NotFound};
use crate::state::App;

/// A new access code, shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ReissuedView {
    /// The case.
    pub(crate) case: String,
    /// The applicant's new access code (查询码); shown only here, stored only hashed.
    pub(crate) access_code: String,
    /// The case's version after the reissue.
    pub(crate) version: u64,
}

/// Issues a new access code for `case` (what the API and the web desk's case page share).
pub(crate) async fn reissue<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    case: &str,
) -> Result<ReissuedView, ApiError> {
    caller.require(Right::ActOnCases)?;
    let (code, hash) = access::issue(app.settings().access_code_hashing)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let command = Command::ReissueAccessCode {
        access_code_hash: hash.into_stored(),
    };
    let (id, outcome) = execute_visible(app, caller, case, command).await?;
    app.runtime().forget_wrong_codes(&id).await?;
    Ok(ReissuedView {
        case: id.to_string(),
        access_code: code.reveal().to_string(),
        version: outcome.version,
    })
}

/// Issues the applicant a new access code, with the applicant present (coordinator of the
/// case's center); the old code stops working. The new code is in this answer only.
#[utoipa::path(post, path = "/api/v1/cases/{case}/access-code", tag = "cases",
    params(("case" = String, Path, description = "The case id")),
    responses((status = 200, body = ReissuedView), Forbidden, NotFound, Conflict),
    security(("bearer" = [])))]
pub(crate) async fn reissue_access_code<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(case): Path<String>,
) -> Result<Json<ReissuedView>, ApiError> {
    Ok(Json(reissue(&app, &caller, &case).await?))
}
