//! Opening the embedded store: a SQLite file given by the user, or a new one in a
//! temporary folder that is removed afterwards.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use greenlane_runtime::memory::MemoryBackend;

/// Runs `body` with the SQLite backend at `db` (or a temporary file).
pub(crate) async fn with_sqlite<T, F, Fut>(db: Option<&Path>, body: F) -> anyhow::Result<T>
where
    F: FnOnce(Arc<MemoryBackend>) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    // Placeholder until adapters/sqlite lands: refuse rather than pretend.
    let _ = (db, body);
    anyhow::bail!("the SQLite backend is not built yet; use --backend memory")
}
