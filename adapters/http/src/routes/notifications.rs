//! Dead letters of alert delivery (supervisors): the deliveries that failed their last
//! attempt, of the centers the caller oversees, and sending one again (it is due at once,
//! its attempts counted anew).

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use greenlane_engine::ids::CenterId;
use greenlane_runtime::ports::{Backend, DeadLetter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::rights::Right;
use crate::auth::Caller;
use crate::json::{Body, Query};
use crate::problem::ApiError;
use crate::responses::{Forbidden, NotFound};
use crate::state::App;

/// Dead letters read from the store at most.
const MAX_LETTERS: usize = 1000;

/// Which dead letters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DeadLetterQuery {
    /// At most this many, the oldest failure first (100 by default, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

/// A delivery that failed its last attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct DeadLetterView {
    /// The delivery's id (`case#seq/channel/recipient[/person]`): send it to retry.
    id: String,
    /// The notification (`case#seq`).
    notification: String,
    /// The channel.
    channel: String,
    /// Who it was for.
    to: String,
    /// Attempts made.
    attempts: u32,
    /// When it was enqueued.
    created: DateTime<Utc>,
    /// When the last attempt failed.
    failed_at: DateTime<Utc>,
    /// Why.
    error: String,
    /// The document it carries.
    #[schema(value_type = Object)]
    payload: serde_json::Value,
}

/// Dead letters.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct DeadLetterList {
    /// The letters, the oldest failure first.
    letters: Vec<DeadLetterView>,
}

/// Which dead letter to send again.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetryRequest {
    /// The delivery's id, as the list gives it.
    #[schema(min_length = 1)]
    id: String,
}

/// A dead letter made pending again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct Retried {
    /// The delivery's id.
    id: String,
    /// Always true: it is due now.
    pending: bool,
}

/// The letter's center, from the document it carries.
fn center_of(letter: &DeadLetter) -> (Option<CenterId>, serde_json::Value) {
    let payload: serde_json::Value =
        serde_json::from_str(&letter.delivery.payload).unwrap_or(serde_json::Value::Null);
    let center = payload["center"].as_str().map(CenterId::new);
    (center, payload)
}

async fn visible<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    limit: usize,
) -> Result<Vec<(DeadLetter, serde_json::Value)>, ApiError> {
    let letters = app.runtime().dead_letters(MAX_LETTERS).await?;
    Ok(letters
        .into_iter()
        .filter_map(|letter| {
            let (center, payload) = center_of(&letter);
            center
                .is_some_and(|c| caller.covers(&c))
                .then_some((letter, payload))
        })
        .take(limit)
        .collect())
}

/// The dead letters of alert delivery in the caller's centers.
#[utoipa::path(get, path = "/api/v1/notifications/dead-letters", tag = "supervision",
    params(DeadLetterQuery),
    responses((status = 200, body = DeadLetterList), Forbidden),
    security(("bearer" = [])))]
pub(crate) async fn dead_letters<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Query(query): Query<DeadLetterQuery>,
) -> Result<Json<DeadLetterList>, ApiError> {
    caller.require(Right::ReadSupervision)?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_LETTERS).contains(&limit) {
        return Err(ApiError::BadRequest {
            detail: format!("limit: {limit} is not between 1 and {MAX_LETTERS}"),
            field: Some("limit".into()),
        });
    }
    let letters = visible(&app, &caller, limit)
        .await?
        .into_iter()
        .map(|(letter, payload)| DeadLetterView {
            id: letter.delivery.id,
            notification: letter.delivery.notification,
            channel: letter.delivery.channel,
            to: letter.delivery.to,
            attempts: letter.attempts,
            created: letter.delivery.created,
            failed_at: letter.failed_at,
            error: letter.error,
            payload,
        })
        .collect();
    Ok(Json(DeadLetterList { letters }))
}

/// Sends a dead letter again: it is due at once, with its attempts counted anew.
#[utoipa::path(post, path = "/api/v1/notifications/dead-letters/retry", tag = "supervision",
    request_body = RetryRequest,
    responses((status = 200, body = Retried), Forbidden, NotFound),
    security(("bearer" = [])))]
pub(crate) async fn retry<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Body(request): Body<RetryRequest>,
) -> Result<Json<Retried>, ApiError> {
    caller.require(Right::RetryNotifications)?;
    let not_found = || ApiError::NotFound(format!("no dead letter `{}` you oversee", request.id));
    let letters = visible(&app, &caller, MAX_LETTERS).await?;
    if !letters.iter().any(|(l, _)| l.delivery.id == request.id) {
        return Err(not_found());
    }
    if !app.runtime().resend_dead_letter(&request.id).await? {
        return Err(not_found());
    }
    tracing::info!(id = %request.id, by = %caller.principal.id, "dead letter sent again");
    Ok(Json(Retried {
        id: request.id,
        pending: true,
    }))
}
