//! The state every handler shares: the runtime, the principals file, the metrics, and the
//! sample applications kept per workflow (tried on every new version before it is
//! published). Cloning an [`App`] is a reference-count bump.

use std::sync::Arc;

use axum::extract::Request;
use greenlane_runtime::ports::Backend;
use greenlane_runtime::Runtime;

use crate::auth::config::Principals;
use crate::metrics::Metrics;

/// How the API behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest request body accepted, in bytes (1 MiB by default).
    pub body_limit: usize,
    /// Believe the last address of `X-Forwarded-For` as the client's (set it when the
    /// server is reached only through a proxy that adds it); otherwise the connection's
    /// peer address is the client, for the per-client limit of wrong access codes.
    pub trust_forwarded_for: bool,
    /// The argon2id parameters new access codes are hashed with (OWASP's m = 19456 KiB,
    /// t = 2, p = 1 by default).
    pub access_code_hashing: greenlane_runtime::access::HashParams,
    /// Marks the web desk's cookies `Secure` whatever the request says (set it when the
    /// server is reached over TLS through a proxy that does not send
    /// `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// The public key of the server's audit signing key: exports name it, and
    /// `/api/v1/audit/public-key` serves it. Without it there is no export.
    pub audit_key: Option<greenlane_engine::audit::VerifyingKey>,
    /// The counters of this process's alert deliverer, for `/metrics` (none when it
    /// runs no deliverer).
    pub delivery_stats: Option<std::sync::Arc<greenlane_runtime::delivery::DeliveryStats>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            body_limit: 1024 * 1024,
            trust_forwarded_for: false,
            access_code_hashing: Default::default(),
            secure_cookies: false,
            audit_key: None,
            delivery_stats: None,
        }
    }
}

/// The shared state of the router over backend `B`.
pub struct App<B: Backend> {
    inner: Arc<Inner<B>>,
}

struct Inner<B: Backend> {
    runtime: Arc<Runtime<B>>,
    principals: Arc<Principals>,
    settings: Settings,
    metrics: Metrics,
    sessions: crate::web::session::Sessions,
    /// Set when the server stops: open event streams end, so shutdown is not held up by
    /// subscribers that never hang up.
    closing: tokio::sync::watch::Sender<bool>,
}

impl<B: Backend> Clone for App<B> {
    fn clone(&self) -> Self {
        App {
            inner: self.inner.clone(),
        }
    }
}

impl<B: Backend> std::fmt::Debug for App<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("runtime", &self.inner.runtime)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> App<B> {
    /// The state for `runtime`, authenticating against `principals`.
    pub fn new(runtime: Arc<Runtime<B>>, principals: Principals, settings: Settings) -> App<B> {
        App {
            inner: Arc::new(Inner {
                runtime,
                principals: Arc::new(principals),
                metrics: Metrics::default(),
                sessions: Default::default(),
                settings,
                closing: tokio::sync::watch::channel(false).0,
            }),
        }
    }

    /// The runtime.
    pub fn runtime(&self) -> &Arc<Runtime<B>> {
        &self.inner.runtime
    }

    /// The principals file.
    pub(crate) fn principals(&self) -> &Arc<Principals> {
        &self.inner.principals
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The metrics.
    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Ends every open event stream; the server is stopping.
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Changes to "the server is stopping".
    pub(crate) fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    /// The web desk's open sessions.
    pub(crate) fn sessions(&self) -> &crate::web::session::Sessions {
        &self.inner.sessions
    }
}

/// The body limit in force for `request` (set by the router as an extension).
pub(crate) fn body_limit_of(request: &Request) -> usize {
    request
        .extensions()
        .get::<BodyLimit>()
        .map_or(Settings::default().body_limit, |l| l.0)
}

/// The body limit, as a request extension.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit(pub(crate) usize);
