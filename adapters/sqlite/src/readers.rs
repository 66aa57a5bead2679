//! Read connections. WAL lets them read the last committed state while the writer thread
//! commits, so reads never wait for writes. A small pool keeps connections (and their
//! cached statements) between calls; a call finding the pool empty opens another.
//!
//! Reads run on the calling thread: they are point lookups and short index range scans of
//! a few microseconds, cheaper than a hop to a blocking thread pool.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;

use crate::error::{Error, Fault};
use crate::schema;

/// Idle connections kept; more may be open at once, and are closed after use.
const MAX_IDLE: usize = 8;

/// The pool of read connections to one file.
#[derive(Debug)]
pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    /// A pool for `path`, with one connection opened now so a bad file fails at open.
    pub(crate) fn open(path: &Path) -> Result<Readers, Error> {
        let first = schema::open_reader(path)?;
        Ok(Readers {
            path: path.to_path_buf(),
            idle: Mutex::new(vec![first]),
        })
    }

    /// The database file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `read` on a pooled connection; `doing` names it in errors.
    pub(crate) fn read<T>(
        &self,
        doing: &'static str,
        read: impl FnOnce(&Connection) -> Result<T, Fault>,
    ) -> Result<T, Error> {
        let pooled = self.lock().pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => schema::open_reader(&self.path)?,
        };
        let result = read(&conn).map_err(|fault| fault.at(&self.path, doing));
        let mut idle = self.lock();
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}
