//! greenlane's HTTP API (axum): what coordinators, officers, policy staff, supervisors and
//! applicants reach over HTTP, on one [`greenlane_runtime::Runtime`] over any [`Backend`].
//!
//! # Layout
//! - [`router`]: every route under `/api/v1`, plus `/healthz`, `/readyz`, `/metrics` and
//!   `/api/openapi.json`; [`serve`] runs it on a listener until a shutdown future resolves,
//!   finishing requests in flight.
//! - [`App`] (`state`): the shared state — the runtime, the principals, metrics, the sample
//!   applications kept per workflow.
//! - `auth`: principals and their tokens from a YAML file (`auth::config`), the centers'
//!   tree (`auth::centers`), the rights of each role (`auth::rights`), the [`Caller`]
//!   extractor that authenticates a request.
//! - `problem`: every error as `application/problem+json` (RFC 9457); internals are logged,
//!   never sent. `json`: the body and query extractors that name the offending field.
//! - `routes/`: one module per resource — `cases`, `tasks`, `inbox`, `inquiry`,
//!   `definitions`, `supervision`, `events` (server-sent events), `health` (health, metrics,
//!   OpenAPI).
//! - `views`: the JSON shapes sent back, their closed sets of names as enums in
//!   `vocabulary`; `responses`: the error answers as the OpenAPI document declares them; `diff`: what changed between two workflow versions;
//!   `metrics`: Prometheus counters and histograms; `openapi`: the document, generated from
//!   the handlers' annotations (utoipa).
//!
//! **Architecture Invariant:** this crate decides nothing about cases. Every change goes
//! through [`greenlane_runtime::Runtime::execute`] (or `launch`, `publish`), so the engine's rules hold for
//! HTTP callers exactly as for any other; the HTTP layer only authenticates, checks rights
//! and visibility, and translates.

mod auth;
mod diff;
mod json;
mod metrics;
mod openapi;
mod problem;
mod responses;
mod routes;
mod state;
mod views;
mod vocabulary;
mod web;

pub use auth::centers::Centers;
pub use auth::config::{hash_token, ConfigError, Principals};
pub use auth::rights::Right;
pub use auth::Caller;
pub use openapi::openapi;
pub use problem::{ApiError, Problem};
pub use routes::router;
pub use state::{App, Settings};

use std::future::Future;

use greenlane_runtime::ports::Backend;

/// Serves `app` on `listener` until `shutdown` resolves; requests in flight are finished
/// and open event streams ended before this returns.
pub async fn serve<B: Backend>(
    listener: tokio::net::TcpListener,
    app: App<B>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router(app.clone());
    let counter = tokio::spawn(count_events(app.clone()));
    let app_closing = app.clone();
    let shutdown = async move {
        shutdown.await;
        tracing::info!("stopping: finishing requests in flight");
        app.close();
    };
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    // The counter stops by itself once the app is closed (also when serving failed), after
    // counting what it was sent.
    app_closing.close();
    let _ = counter.await;
    served
}

/// Counts every event the runtime records, by kind, into the metrics.
async fn count_events<B: Backend>(app: App<B>) {
    use tokio::sync::broadcast::error::{RecvError, TryRecvError};
    let mut events = app.runtime().subscribe();
    let mut closing = app.closing();
    let count = |event: Result<std::sync::Arc<greenlane_runtime::CaseEvent>, u64>| match event {
        Ok(event) => app.metrics().events(event.recorded.event.name(), 1),
        Err(missed) => app.metrics().events("lagged", missed),
    };
    loop {
        if *closing.borrow() {
            // Closed: count what is already buffered, then stop.
            loop {
                match events.try_recv() {
                    Ok(event) => count(Ok(event)),
                    Err(TryRecvError::Lagged(missed)) => count(Err(missed)),
                    Err(_) => return,
                }
            }
        }
        tokio::select! {
            received = events.recv() => match received {
                Ok(event) => count(Ok(event)),
                Err(RecvError::Lagged(missed)) => count(Err(missed)),
                Err(RecvError::Closed) => return,
            },
            changed = closing.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
