//! Middleware around every request: a request id (taken from `x-request-id` or made up),
//! a tracing span carrying it, the latency and status in the metrics by route pattern, and
//! the id echoed in the response.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use greenlane_runtime::ports::Backend;
use tracing::Instrument;

use crate::state::App;

/// The header carrying the request id.
const REQUEST_ID: &str = "x-request-id";

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub(super) async fn track<B: Backend>(
    State(app): State<App<B>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_string)
        .unwrap_or_else(|| format!("req-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)));
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let method = request.method().clone();
    // `principal` is filled in by whichever extractor authenticates the caller.
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %method,
        route = %route,
        principal = tracing::field::Empty
    );
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status();
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!(
                status = status.as_u16(),
                micros = elapsed.as_micros() as u64,
                "answered"
            );
        } else {
            tracing::debug!(
                status = status.as_u16(),
                micros = elapsed.as_micros() as u64,
                "answered"
            );
        }
    });
    app.metrics()
        .request(method.as_str(), &route, status.as_u16(), elapsed);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}
