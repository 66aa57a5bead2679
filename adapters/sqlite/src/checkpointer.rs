//! The WAL checkpointer: a thread with a connection of its own that copies the WAL back
//! into the database file, so that no commit of the writer runs a checkpoint (the writer's
//! connection has `wal_autocheckpoint = 0`). It runs PASSIVE checkpoints, which never wait
//! for and never block the writer or the readers, paced by how much the WAL grew: right
//! after a checkpoint that found at least [`BUSY_FRAMES`] new frames, else after
//! [`IDLE`]. A checkpoint's own fsync of the database file then delays no acknowledgement.
//! Stopped with the backend, it runs a last checkpoint first.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{sql, Error};
use crate::sync::lock;

/// New WAL frames since the last checkpoint that make the next one come at once.
const BUSY_FRAMES: i64 = 1000;
/// Time between checkpoints while the WAL grows slowly.
const IDLE: Duration = Duration::from_millis(200);
/// Time between checkpoints while it grows fast.
const BUSY: Duration = Duration::from_millis(20);

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

/// One PASSIVE checkpoint: the frames the WAL holds and how many are now in the file.
fn checkpoint(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
    })
}

fn run(conn: &Connection, stop: &(Mutex<bool>, Condvar), path: &str) {
    let mut done_before = 0;
    loop {
        let wait = match checkpoint(conn) {
            Ok((frames, done)) => {
                // The WAL restarts from its beginning once fully copied: counts fall.
                let new = if done >= done_before {
                    done - done_before
                } else {
                    done
                };
                done_before = done;
                if frames < 0 {
                    IDLE
                } else if new >= BUSY_FRAMES {
                    BUSY
                } else {
                    IDLE
                }
            }
            Err(error) => {
                tracing::warn!(file = %path, %error, "WAL checkpoint failed; trying again");
                IDLE
            }
        };
        let stopped = lock(&stop.0);
        let (stopped, _) = stop
            .1
            .wait_timeout_while(stopped, wait, |stopped| !*stopped)
            .unwrap_or_else(|e| e.into_inner());
        if *stopped {
            drop(stopped);
            let _ = checkpoint(conn);
            return;
        }
    }
}
