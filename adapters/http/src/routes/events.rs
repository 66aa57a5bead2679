//! Live events as server-sent events, filtered to what the caller may see: a coordinator,
//! supervisor or admin gets every event of the cases of its center and below; an officer
//! only the events about its department's tasks there.
//!
//! Each message is `event: <kind>` (`task_approved`, …), `id: <case>#<seq>` and a JSON
//! `data` line. A subscriber too slow to keep up gets a `lagged` message saying how many
//! events it missed; it reads the case for the truth. Events come from this process's
//! runtime ([`greenlane_runtime::Runtime::subscribe`]).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use greenlane_engine::principal::Role;
use greenlane_runtime::ports::Backend;
use greenlane_runtime::CaseEvent;
use serde::{Deserialize, Serialize};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::{BroadcastStream, WatchStream};
use tokio_stream::{Stream, StreamExt};
use utoipa::{IntoParams, ToSchema};

use crate::auth::rights::Right;
use crate::auth::Caller;
use crate::json::Query;
use crate::problem::ApiError;
use crate::responses::Forbidden;
use crate::state::App;
use crate::vocabulary::EventKind;

/// Which events.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct EventQuery {
    /// Only the events of this case.
    case: Option<String>,
}

/// The `data` of one message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct LiveEvent {
    /// The case.
    pub(crate) case: String,
    /// The event's position in the case, from 1.
    pub(crate) seq: u64,
    /// The event's name.
    pub(crate) kind: EventKind,
    /// When it happened.
    pub(crate) at: chrono::DateTime<chrono::Utc>,
    /// Who caused it.
    pub(crate) by: String,
    /// The department of the task it is about, if any.
    pub(crate) department: Option<String>,
    /// The event with its data.
    #[schema(value_type = Object)]
    pub(crate) event: serde_json::Value,
}

/// Whether `caller` may see `event`.
pub(crate) fn visible(caller: &Caller, event: &CaseEvent) -> bool {
    if !caller.covers(&event.center) {
        return false;
    }
    match caller.principal.role {
        Role::Officer => {
            event.department.is_some() && event.department == caller.principal.department
        }
        _ => true,
    }
}

fn message(event: &CaseEvent) -> Event {
    let data = LiveEvent {
        case: event.case.to_string(),
        seq: event.seq,
        kind: EventKind::from(&event.recorded.event),
        at: event.recorded.at,
        by: event.recorded.by.to_string(),
        department: event.department.as_ref().map(|d| d.to_string()),
        event: crate::views::public_event(&event.recorded.event),
    };
    Event::default()
        .event(event.recorded.event.name())
        .id(format!("{}#{}", event.case, event.seq))
        .json_data(data)
        .unwrap_or_default()
}

/// Live events the caller may see, as server-sent events.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventQuery),
    responses((status = 200, description = "text/event-stream of LiveEvent messages", content_type = "text/event-stream", body = LiveEvent), Forbidden),
    security(("bearer" = [])))]
pub(crate) async fn stream<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Query(query): Query<EventQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    caller.require(Right::SubscribeEvents)?;
    let receiver = app.runtime().subscribe();
    let caller = Arc::new(caller);
    let case = query.case;
    let events = BroadcastStream::new(receiver).filter_map(move |item| match item {
        Ok(event) => {
            let wanted = case.as_deref().is_none_or(|c| c == event.case.as_str());
            (wanted && visible(&caller, &event)).then(|| Some(message(&event)))
        }
        Err(BroadcastStreamRecvError::Lagged(missed)) => Some(Some(
            Event::default()
                .event("lagged")
                .data(format!("{{\"missed\":{missed}}}")),
        )),
    });
    // `None` marks the server stopping; the stream ends there.
    let stop = WatchStream::from_changes(app.closing())
        .filter(|closing| *closing)
        .map(|_| None);
    let stream = events
        .merge(stop)
        .take_while(Option::is_some)
        .map(|message| Ok(message.unwrap_or_default()));
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
