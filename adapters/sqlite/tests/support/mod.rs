//! Test support: a SQLite backend in a temporary directory of its own, removed after the
//! backend has closed the file.

use std::path::PathBuf;
use std::sync::Arc;

use greenlane_runtime::ports::Backend;
use greenlane_sqlite::{
    SqliteBackend, SqliteDeadlines, SqliteDefinitions, SqliteEvents, SqliteOptions, SqliteQueue,
};
use tempfile::TempDir;

/// A backend and the directory holding its file. Fields drop in order: the backend closes
/// the file before the directory is removed.
#[derive(Debug)]
pub(crate) struct TempBackend {
    /// The backend.
    pub(crate) backend: SqliteBackend,
    /// Its directory.
    _dir: TempDir,
}

impl TempBackend {
    /// A new, empty database in a new directory.
    pub(crate) fn new() -> TempBackend {
        TempBackend::with(SqliteOptions::default())
    }

    /// A new, empty database opened with `options`.
    pub(crate) fn with(options: SqliteOptions) -> TempBackend {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("greenlane.db");
        let backend = SqliteBackend::open_with(path, options).expect("open");
        TempBackend { backend, _dir: dir }
    }

    /// The database file.
    #[allow(dead_code)]
    pub(crate) fn path(&self) -> PathBuf {
        self.backend.path().to_path_buf()
    }
}

/// A fresh backend, shared as the conformance suite wants it.
#[allow(dead_code)]
pub(crate) fn fresh() -> Arc<TempBackend> {
    Arc::new(TempBackend::new())
}

/// A fresh backend whose queue and deadline writes do not wait for their commit.
#[allow(dead_code)]
pub(crate) fn fresh_ordered() -> Arc<TempBackend> {
    let options = SqliteOptions::default().effect_writes(greenlane_sqlite::EffectWrites::Ordered);
    Arc::new(TempBackend::with(options))
}

/// A fresh backend whose queues and deadlines live in memory only.
#[allow(dead_code)]
pub(crate) fn fresh_rebuilt() -> Arc<TempBackend> {
    let options = SqliteOptions::default().effect_writes(greenlane_sqlite::EffectWrites::Rebuilt);
    Arc::new(TempBackend::with(options))
}

impl Backend for TempBackend {
    type Events = SqliteEvents;
    type Queue = SqliteQueue;
    type Deadlines = SqliteDeadlines;
    type Definitions = SqliteDefinitions;
    type Throttle = greenlane_sqlite::SqliteThrottle;
    type Deliveries = greenlane_sqlite::SqliteDeliveries;

    fn throttle(&self) -> &greenlane_sqlite::SqliteThrottle {
        self.backend.throttle()
    }
    fn deliveries(&self) -> &greenlane_sqlite::SqliteDeliveries {
        self.backend.deliveries()
    }
    fn events(&self) -> &SqliteEvents {
        self.backend.events()
    }
    fn queue(&self) -> &SqliteQueue {
        self.backend.queue()
    }
    fn deadlines(&self) -> &SqliteDeadlines {
        self.backend.deadlines()
    }
    fn definitions(&self) -> &SqliteDefinitions {
        self.backend.definitions()
    }
}
