//! Opening the embedded store: a SQLite file given by the user, or a new one in a
//! temporary folder that is removed afterwards.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use greenlane_sqlite::{EffectWrites, SqliteBackend, SqliteOptions, WalCheckpoints};

/// Runs `body` with the SQLite backend at `db` (or a temporary file). The file is closed
/// once `body` and everything it spawned have let go of the backend.
pub(crate) async fn with_sqlite<T, F, Fut>(db: Option<&Path>, body: F) -> anyhow::Result<T>
where
    F: FnOnce(Arc<SqliteBackend>) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    with_sqlite_checkpointed(db, WalCheckpoints::default(), body).await
}

/// [`with_sqlite`], with the WAL checkpointed as `checkpoints` says (the benchmark compares
/// the two).
pub(crate) async fn with_sqlite_checkpointed<T, F, Fut>(
    db: Option<&Path>,
    checkpoints: WalCheckpoints,
    body: F,
) -> anyhow::Result<T>
where
    F: FnOnce(Arc<SqliteBackend>) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let temporary;
    let path = match db {
        Some(db) => db.to_path_buf(),
        None => {
            temporary = tempfile::tempdir().context("creating a temporary folder")?;
            temporary.path().join("greenlane.db")
        }
    };
    // Queues and deadlines derive from the events: they stay in memory and every command
    // of the CLI runs `Runtime::recover` after opening, which rebuilds them. Event appends
    // resolve only after their commit.
    let options = SqliteOptions::default()
        .effect_writes(EffectWrites::Rebuilt)
        .wal_checkpoints(checkpoints);
    let backend = SqliteBackend::open_with(&path, options)?;
    body(Arc::new(backend)).await
}
