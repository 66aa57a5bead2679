//! The WAL checkpointer of `WalCheckpoints::Background`: a thread with a connection of its
//! own that copies the WAL back into the database file, so that no commit of the writer
//! runs a checkpoint (the writer's connection has `wal_autocheckpoint = 0`). It runs
//! PASSIVE checkpoints, which never wait for and never block the writer or the readers,
//! every [`EVERY`] (more often measured slower: each one fsyncs the database file beside
//! the writer's fsyncs). Stopped with the backend, it runs a last checkpoint first.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{sql, Error};
use crate::sync::lock;

/// Time between checkpoints.
const EVERY: Duration = Duration::from_secs(1);

/// The running checkpointer.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Opens a connection to `path` (already in WAL mode) and starts checkpointing.
    pub(crate) fn start(path: &Path) -> Result<Checkpointer, Error> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(sql(path, "opening the checkpointer's connection"))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(sql(path, "setting the busy timeout"))?;
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")
            .map_err(sql(path, "setting the checkpointer's pragmas"))?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = stop.clone();
        let shown = path.display().to_string();
        let thread = std::thread::Builder::new()
            .name("greenlane-sqlite-checkpointer".to_string())
            .spawn(move || run(&conn, &signal, &shown))
            .map_err(|source| Error::Thread {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the thread after a last checkpoint.
    pub(crate) fn stop(&mut self) {
        *lock(&self.stop.0) = true;
        self.stop.1.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One PASSIVE checkpoint.
fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

fn run(conn: &Connection, stop: &(Mutex<bool>, Condvar), path: &str) {
    loop {
        if let Err(error) = checkpoint(conn) {
            tracing::warn!(file = %path, %error, "WAL checkpoint failed; trying again");
        }
        let stopped = lock(&stop.0);
        let (stopped, _) = stop
            .1
            .wait_timeout_while(stopped, EVERY, |stopped| !*stopped)
            .unwrap_or_else(|e| e.into_inner());
        if *stopped {
            drop(stopped);
            let _ = checkpoint(conn);
            return;
        }
    }
}
