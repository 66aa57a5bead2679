//! greenlane's embedded default backend: every port — events, department queues, deadlines,
//! definitions — in one SQLite file, durable, with no server.
//!
//! # Layout
//! - [`SqliteBackend`] (here): opens the file, loads the in-memory indexes, starts the
//!   writer thread, and hands out the ports.
//! - `schema`: tables, pragmas (WAL, `synchronous=FULL`), migrations by `user_version`.
//! - `writer`: group commit. One thread owns the write connection; port calls send their
//!   writes to it in order and wait for the commit that holds them.
//! - `readers`: a small pool of read connections (WAL lets them read during commits).
//! - `events`, `queue`, `deadlines`, `definitions`: one port each.
//! - `lockfile`: the lock that keeps a file to one open backend.
//! - `options`: what queue and deadline writes wait for.
//! - `codec`: how typed values become column values and back.
//!
//! # Durability
//! `synchronous=FULL` in WAL mode makes each commit wait for the WAL fsync, and every port
//! call that changes something resolves only after the commit holding its write — except
//! [`OutboxCursor::mark_applied`](greenlane_runtime::ports::OutboxCursor::mark_applied), which
//! the port allows to be lost. Writes reach the file in the order the calls made them.
//! [`EffectWrites::Ordered`] (opt-in, [`SqliteBackend::open_with`]) lets queue and deadline
//! writes resolve once queued instead, relying on that order and on recovery.
//!
//! # Memory and the file
//! Case versions, queue entries, deadline entries and the latest definition versions are
//! also kept in memory (loaded at open), so conflicts, claims and due checks are decided
//! without touching the disk; event streams, case rows and definition texts are read from
//! the file.
//!
//! # Limits
//! - One open backend per file: the in-memory indexes assume they see every write. Opening
//!   takes an exclusive lock on `<file>.lock` beside the database, so a second open, in
//!   this process or another, fails at once.
//! - If a commit fails the store is *poisoned*: it refuses every later write (each fails
//!   with `StoreError::Failed`) until it is dropped and reopened, which reloads memory
//!   from the file. Nothing acknowledged is lost, since acknowledgments follow commits.

mod checkpointer;
mod codec;
mod deadlines;
mod definitions;
mod deliveries;
mod error;
mod events;
mod lockfile;
mod options;
mod queue;
mod readers;
mod schema;
mod sync;
mod throttle;
mod writer;
mod writes;

pub use deadlines::SqliteDeadlines;
pub use definitions::SqliteDefinitions;
pub use deliveries::SqliteDeliveries;
pub use events::SqliteEvents;
pub use options::{EffectWrites, SqliteOptions, WalCheckpoints};
pub use queue::SqliteQueue;
pub use throttle::SqliteThrottle;
pub use writer::WriterStats;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use greenlane_runtime::ports::Backend;
use greenlane_runtime::StoreError;

use readers::Readers;
use writer::Writer;

/// Every port over one SQLite file. Dropping it commits what was sent and closes the file.
#[derive(Debug)]
pub struct SqliteBackend {
    path: PathBuf,
    events: SqliteEvents,
    queue: SqliteQueue,
    deadlines: SqliteDeadlines,
    definitions: SqliteDefinitions,
    throttle: SqliteThrottle,
    deliveries: SqliteDeliveries,
    writer: Arc<Writer>,
    thread: Option<JoinHandle<()>>,
    /// The WAL checkpointer, unless SQLite checkpoints inline.
    checkpointer: Option<checkpointer::Checkpointer>,
    /// Declared last, so it is released after every connection has closed.
    _lock: lockfile::FileLock,
}

impl SqliteBackend {
    /// Opens the database at `path`, creating it (and its schema) if missing and
    /// migrating an older schema. Fails, naming the file, when it is already open, cannot
    /// be opened, is not a greenlane database, was written by a newer build, or holds a
    /// record that does not read back.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteBackend, StoreError> {
        SqliteBackend::open_with(path, SqliteOptions::default())
    }

    /// [`SqliteBackend::open`] with `options`.
    pub fn open_with(
        path: impl AsRef<Path>,
        options: SqliteOptions,
    ) -> Result<SqliteBackend, StoreError> {
        Ok(SqliteBackend::open_file(path.as_ref(), &options)?)
    }

    fn open_file(path: &Path, options: &SqliteOptions) -> Result<SqliteBackend, error::Error> {
        let lock = lockfile::acquire(path)?;
        let conn = schema::open_writer(path)?;
        if options.wal_checkpoints == WalCheckpoints::Background {
            conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")
                .map_err(error::sql(
                    path,
                    "handing WAL checkpoints to their own thread",
                ))?;
        }
        let readers = Arc::new(Readers::open(path)?);
        let writer = Writer::new(path, options.effect_writes != EffectWrites::Rebuilt);
        let events = SqliteEvents::load(&conn, writer.clone(), readers.clone())?;
        let queue = SqliteQueue::load(&conn, writer.clone(), &readers, options.effect_writes)?;
        let deadlines =
            SqliteDeadlines::load(&conn, writer.clone(), &readers, options.effect_writes)?;
        let throttle = SqliteThrottle::load(&conn, writer.clone(), &readers)?;
        let deliveries = SqliteDeliveries::load(&conn, writer.clone(), &readers)?;
        let definitions = SqliteDefinitions::load(&conn, writer.clone(), readers)?;
        let thread = writer.spawn(conn)?;
        let checkpointer = match options.wal_checkpoints {
            WalCheckpoints::Background => Some(checkpointer::Checkpointer::start(path)?),
            WalCheckpoints::Inline => None,
        };
        Ok(SqliteBackend {
            path: path.to_path_buf(),
            events,
            queue,
            deadlines,
            definitions,
            throttle,
            deliveries,
            writer,
            thread: Some(thread),
            checkpointer,
            _lock: lock,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the writer thread has done so far (batches, commit times).
    pub fn writer_stats(&self) -> WriterStats {
        self.writer.stats()
    }
}

impl Drop for SqliteBackend {
    fn drop(&mut self) {
        self.writer.close();
        if let Some(thread) = self.thread.take() {
            // The thread commits what is queued and stops; a panic there was already
            // reported to the waiters.
            let _ = thread.join();
        }
        // After the writer's last commit: the last checkpoint copies it too.
        if let Some(mut checkpointer) = self.checkpointer.take() {
            checkpointer.stop();
        }
    }
}

impl Backend for SqliteBackend {
    type Events = SqliteEvents;
    type Queue = SqliteQueue;
    type Deadlines = SqliteDeadlines;
    type Definitions = SqliteDefinitions;
    type Throttle = SqliteThrottle;
    type Deliveries = SqliteDeliveries;

    fn events(&self) -> &SqliteEvents {
        &self.events
    }
    fn throttle(&self) -> &SqliteThrottle {
        &self.throttle
    }
    fn deliveries(&self) -> &SqliteDeliveries {
        &self.deliveries
    }
    fn queue(&self) -> &SqliteQueue {
        &self.queue
    }
    fn deadlines(&self) -> &SqliteDeadlines {
        &self.deadlines
    }
    fn definitions(&self) -> &SqliteDefinitions {
        &self.definitions
    }
}
