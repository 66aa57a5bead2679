//! One open backend per database file. The in-memory indexes assume they see every write,
//! so a second backend on the same file (in this process or another) would hand out the
//! same queue entry twice. Opening takes an exclusive lock on a file beside the database
//! (`<name>.lock`; SQLite's own locks on the database are left alone) and holds it until
//! the backend is dropped; a second open fails at once, naming the file.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub(crate) struct FileLock {
    _file: File,
}

/// The lock file of the database at `path`.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// Takes the lock of the database at `path`, or fails if someone holds it.
pub(crate) fn acquire(path: &Path) -> Result<FileLock, Error> {
    let lock_path = lock_path(path);
    let io = |source: std::io::Error| Error::Lock {
        path: path.to_path_buf(),
        detail: format!(
            "cannot open the lock file {}: {source}",
            lock_path.display()
        ),
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(FileLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(Error::Lock {
            path: path.to_path_buf(),
            detail: "the database is already open (another greenlane holds its lock)".to_string(),
        }),
        Err(TryLockError::Error(source)) => Err(io(source)),
    }
}
