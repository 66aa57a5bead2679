//! Errors of the Redis adapter, and how they map onto the ports' [`StoreError`].

use greenlane_runtime::StoreError;

/// What went wrong talking to Redis or reading what it stores.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server or the connection failed (refused, reset, timed out, a script error).
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// A stored value does not decode.
    #[error("stored {what} does not decode: {source}")]
    Decode {
        /// What was being read (`event`, `queue entry`, …).
        what: &'static str,
        /// The decoder's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A stored value or a script's reply has the wrong shape.
    #[error("stored {what} is corrupt: {detail}")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The configuration cannot work (for example a key prefix with a hash tag in it).
    #[error("invalid Redis configuration: {0}")]
    Config(String),
}

impl Error {
    pub(crate) fn corrupt(what: &'static str, detail: impl Into<String>) -> Error {
        Error::Corrupt {
            what,
            detail: detail.into(),
        }
    }
}

impl Error {
    /// Whether the server cannot be reached for now (refused, dropped or timed-out
    /// connections, a server still loading its data or failing over): the same request
    /// may succeed later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Error::Redis(error) if unavailable(error))
    }
}

/// Whether `error` says the server cannot be reached for now rather than that it refused
/// the request: a connection refused, dropped or timed out, or a server loading its data
/// (`LOADING`), failing over or asking to try again.
pub(crate) fn unavailable(error: &redis::RedisError) -> bool {
    error.is_io_error()
        || error.is_connection_refusal()
        || error.is_connection_dropped()
        || error.is_timeout()
        || matches!(
            error.retry_method(),
            redis::RetryMethod::Reconnect
                | redis::RetryMethod::ReconnectFromInitialConnections
                | redis::RetryMethod::WaitAndRetry
        )
}

impl From<Error> for StoreError {
    fn from(error: Error) -> StoreError {
        match error {
            Error::Redis(_) if error.is_unavailable() => StoreError::unavailable(error),
            Error::Redis(_) | Error::Config(_) => StoreError::failed(error),
            Error::Decode { .. } | Error::Corrupt { .. } => StoreError::corrupt_from(error),
        }
    }
}
