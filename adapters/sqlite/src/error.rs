//! The adapter's errors. Each names the database file and what was being done; at the port
//! boundary they become [`StoreError`]s (a corrupt record stays `Corrupt`, everything else
//! is `Failed`), with the adapter's error as their source.

use std::path::PathBuf;
use std::sync::Arc;

use greenlane_runtime::StoreError;

/// Something went wrong with the database file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum Error {
    /// SQLite refused or failed an operation.
    #[error("{}: {doing}: {source}", path.display())]
    Sql {
        /// The database file.
        path: PathBuf,
        /// What the adapter was doing (`loading the queue`).
        doing: &'static str,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The file stays in a journal mode other than WAL (for example on a file system
    /// without shared memory).
    #[error("{}: the database cannot use WAL mode (it stays `{mode}`)", path.display())]
    NotWal {
        /// The database file.
        path: PathBuf,
        /// The journal mode SQLite kept.
        mode: String,
    },
    /// The file was written by a newer greenlane.
    #[error(
        "{}: schema version {found} is newer than this build supports ({supported})",
        path.display()
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The file's `user_version`.
        found: i64,
        /// The newest schema this build knows.
        supported: i64,
    },
    /// A stored record could not be read back.
    #[error("{}: {what}: {detail}", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// Which record (`event 3 of case c-1`).
        what: String,
        /// Why it could not be read.
        detail: String,
    },
    /// A value could not be encoded for storage; nothing was stored.
    #[error("{}: {what} cannot be encoded: {detail}", path.display())]
    Encode {
        /// The database file.
        path: PathBuf,
        /// Which value.
        what: String,
        /// Why.
        detail: String,
    },
    /// A commit failed earlier, so the store refuses every write until it is reopened.
    #[error(
        "{}: the store refuses writes since a commit failed; reopen it ({cause})",
        path.display()
    )]
    Poisoned {
        /// The database file.
        path: PathBuf,
        /// The failure that poisoned it.
        cause: Arc<str>,
    },
    /// The backend is closing.
    #[error("{}: the store is closed", path.display())]
    Closed {
        /// The database file.
        path: PathBuf,
    },
    /// The database is open elsewhere, or its lock file cannot be used.
    #[error("{}: {detail}", path.display())]
    Lock {
        /// The database file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The writer thread could not be started.
    #[error("{}: cannot start the writer thread: {source}", path.display())]
    Thread {
        /// The database file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl From<Error> for StoreError {
    fn from(error: Error) -> StoreError {
        match error {
            Error::Corrupt { .. } => StoreError::corrupt_from(error),
            _ => StoreError::failed(error),
        }
    }
}

/// Why a read failed, before the file name and the operation are added.
#[derive(Debug)]
pub(crate) enum Fault {
    /// SQLite failed.
    Sql(rusqlite::Error),
    /// A record did not decode: which one, and why.
    Corrupt(String, String),
}

impl From<rusqlite::Error> for Fault {
    fn from(error: rusqlite::Error) -> Fault {
        Fault::Sql(error)
    }
}

impl Fault {
    /// The error, naming `path` and what was being done.
    pub(crate) fn at(self, path: &std::path::Path, doing: &'static str) -> Error {
        match self {
            Fault::Sql(source) => Error::Sql {
                path: path.to_path_buf(),
                doing,
                source,
            },
            Fault::Corrupt(what, detail) => Error::Corrupt {
                path: path.to_path_buf(),
                what,
                detail,
            },
        }
    }
}

/// Adds the file and the operation to a SQLite error.
pub(crate) fn sql<'a>(
    path: &'a std::path::Path,
    doing: &'static str,
) -> impl FnOnce(rusqlite::Error) -> Error + 'a {
    move |source| Error::Sql {
        path: path.to_path_buf(),
        doing,
        source,
    }
}
