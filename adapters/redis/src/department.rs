//! A department's client on Redis: [`department_client`] connects a
//! [`greenlane_runtime::DepartmentClient`] (one officer of one department, see there) to the
//! Redis the engine nodes share, with the calendars as published in the store.

use std::sync::Arc;

use greenlane_engine::principal::Principal;
use greenlane_runtime::ports::{Clock, LogNotifier};
use greenlane_runtime::{DepartmentClient, DepartmentError, Runtime, RuntimeConfig};

use crate::{RedisBackend, Target};

/// Connects to `target` under `prefix` (the engine nodes' prefix, so they share the data)
/// as `officer`. `config` gives the calendars to start from (those published in the store
/// are installed at once); `clock` is the time decisions are taken at, which should agree
/// with the engine nodes' clocks. A server that cannot be reached yet is waited for
/// ([`RedisBackend::connect_patiently`]).
pub async fn department_client(
    target: Target,
    prefix: &str,
    officer: Principal,
    config: RuntimeConfig,
    clock: Arc<dyn Clock>,
) -> Result<DepartmentClient<RedisBackend>, DepartmentError> {
    let backend = RedisBackend::connect_patiently(target, prefix)
        .await
        .map_err(|e| DepartmentError::Connect(Arc::new(e)))?;
    let runtime = Runtime::new(Arc::new(backend), clock, Arc::new(LogNotifier), config);
    runtime
        .refresh_calendars()
        .await
        .map_err(DepartmentError::Runtime)?;
    DepartmentClient::new(Arc::new(runtime), officer)
}
