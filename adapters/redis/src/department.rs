//! A department's client on Redis: [`department_client`] connects a
//! [`greenlane_runtime::DepartmentClient`] (one officer of one department, see there) to the
//! Redis the engine nodes share, with the calendars as published in the store.

use std::sync::Arc;

use greenlane_engine::principal::Principal;
use greenlane_runtime::delivery::{OutboxNotifier, Routes};
use greenlane_runtime::ports::{Clock, LogNotifier, Notifier};
use greenlane_runtime::{DepartmentClient, DepartmentError, Runtime, RuntimeConfig};

use crate::{RedisBackend, Target};

/// Connects to `target` under `prefix` (the engine nodes' prefix, so they share the data)
/// as `officer`. `config` gives the calendars to start from (those published in the store
/// are installed at once); `clock` is the time decisions are taken at, which should agree
/// with the engine nodes' clocks. A server that cannot be reached yet is waited for
/// ([`RedisBackend::connect_patiently`]). With `routes`, the notifications its decisions
/// raise (a case at risk) go to the store's delivery outbox, which the engine nodes'
/// deliverers send; without, to this process's log only.
pub async fn department_client(
    target: Target,
    prefix: &str,
    officer: Principal,
    config: RuntimeConfig,
    clock: Arc<dyn Clock>,
    routes: Option<Arc<dyn Routes>>,
) -> Result<DepartmentClient<RedisBackend>, DepartmentError> {
    let backend = Arc::new(
        RedisBackend::connect_patiently(target, prefix)
            .await
            .map_err(|e| DepartmentError::Connect(Arc::new(e)))?,
    );
    let notifier: Arc<dyn Notifier> = match routes {
        Some(routes) => Arc::new(OutboxNotifier::new(backend.clone(), routes)),
        None => Arc::new(LogNotifier),
    };
    let runtime = Runtime::new(backend, clock, notifier, config);
    runtime
        .refresh_calendars()
        .await
        .map_err(DepartmentError::Runtime)?;
    DepartmentClient::new(Arc::new(runtime), officer)
}
