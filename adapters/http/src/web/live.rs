//! `/live`: the desk's server-sent events, for the logged-in session. Every event the user
//! may see (the same rule as the API's `/api/v1/events`: a center and those below it; an
//! officer only their department's tasks) becomes a message `event: change` whose data
//! names the case, the kind and one line of text for the page's aria-live status; the page
//! then reloads its live region, so what it shows comes from a normal page read with the
//! normal visibility checks. No event data — the application, the access code's hash,
//! recipients — goes over this stream.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use greenlane_runtime::ports::Backend;
use serde::Deserialize;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::{BroadcastStream, WatchStream};
use tokio_stream::{Stream, StreamExt};

use super::labels;
use super::page::{Desk, WebError};
use crate::auth::rights::Right;
use crate::routes::events::visible;
use crate::state::App;

/// Which case, if one.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct LiveQuery {
    case: Option<String>,
}

/// `GET /live`.
pub(crate) async fn stream<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    Query(query): Query<LiveQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, WebError> {
    desk.caller.require(Right::SubscribeEvents)?;
    let caller = Arc::new(desk.caller);
    let case = query.case;
    let events = BroadcastStream::new(app.runtime().subscribe()).filter_map(move |item| {
        match item {
            Ok(event) => {
                let wanted = case.as_deref().is_none_or(|c| c == event.case.as_str());
                (wanted && visible(&caller, &event)).then(|| {
                    let text = format!(
                        "{} {}",
                        event.case,
                        labels::event(&event.recorded.event, &|t| t.to_string())
                    );
                    let data = serde_json::json!({
                        "case": event.case.as_str(),
                        "kind": event.recorded.event.name(),
                        "text": text,
                    });
                    Some(Event::default().event("change").data(data.to_string()))
                })
            }
            // Missed events: the page reloads its region all the same.
            Err(BroadcastStreamRecvError::Lagged(_)) => {
                Some(Some(Event::default().event("change").data(
                    r#"{"kind":"lagged","text":"多项更新 several changes"}"#,
                )))
            }
        }
    });
    let stop = WatchStream::from_changes(app.closing())
        .filter(|closing| *closing)
        .map(|_| None);
    let stream = events
        .merge(stop)
        .take_while(Option::is_some)
        .map(|message| Ok(message.unwrap_or_default()));
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
