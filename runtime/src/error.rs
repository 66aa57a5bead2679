//! Errors of the ports and of the runtime.

use std::sync::Arc;

use greenlane_engine::case::Rejection;
use greenlane_engine::ids::{CaseId, WorkflowId};
use greenlane_engine::source::Diagnostics;

/// The error underneath a [`StoreError`] (SQLite's, Redis's, a notifier's), shared so the
/// store error stays `Clone`.
pub type Cause = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// A port failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Someone else appended first (optimistic concurrency); nothing was stored.
    #[error("conflict on {what}: expected version {expected}, found {actual}")]
    Conflict {
        /// The stream (a case id or a workflow id).
        what: String,
        /// The version the caller expected.
        expected: u64,
        /// The version found.
        actual: u64,
    },
    /// The backend failed and says why in words, with no error of its own underneath (a
    /// script's failure reply, a writer that stopped, an injected fault).
    #[error("storage failed: {0}")]
    Backend(String),
    /// The backend failed with an error of its own (I/O, a full disk, a script error):
    /// that error is the source, so a caller can walk the chain down to it.
    #[error("storage failed: {0}")]
    Failed(#[source] Cause),
    /// The store cannot be reached for now (connection refused or lost, a server still
    /// loading its data): nothing was done, and the same request may succeed later.
    #[error("storage unavailable: {0}")]
    Unavailable(#[source] Cause),
    /// A stored record could not be read back (or a value could not be encoded for
    /// storage).
    #[error("stored data is corrupt: {message}")]
    Corrupt {
        /// Which record and what is wrong with it.
        message: String,
        /// The decoder's or the adapter's error, when there is one.
        #[source]
        source: Option<Cause>,
    },
}

impl StoreError {
    /// A backend failure caused by `error`, kept as the source.
    pub fn failed(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Failed(Arc::new(error))
    }

    /// A store that cannot be reached now, because of `error`, kept as the source.
    pub fn unavailable(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Unavailable(Arc::new(error))
    }

    /// A corrupt record, described by `message` alone.
    pub fn corrupt(message: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            message: message.into(),
            source: None,
        }
    }

    /// A corrupt record (or a value that does not encode) described by `message` and
    /// caused by `error`.
    pub fn corrupt_with(
        message: impl Into<String>,
        error: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError::Corrupt {
            message: message.into(),
            source: Some(Arc::new(error)),
        }
    }

    /// A corrupt record that `error` (a decoder's, an adapter's) describes and causes.
    pub fn corrupt_from(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Corrupt {
            message: error.to_string(),
            source: Some(Arc::new(error)),
        }
    }
}

/// Two store errors are equal when they say the same: the same conflict, or the same kind
/// of failure with the same message (a source is compared by its text).
impl PartialEq for StoreError {
    fn eq(&self, other: &StoreError) -> bool {
        match (self, other) {
            (
                StoreError::Conflict {
                    what,
                    expected,
                    actual,
                },
                StoreError::Conflict {
                    what: what_2,
                    expected: expected_2,
                    actual: actual_2,
                },
            ) => (what, expected, actual) == (what_2, expected_2, actual_2),
            (StoreError::Backend(a), StoreError::Backend(b)) => a == b,
            (StoreError::Failed(a), StoreError::Failed(b)) => a.to_string() == b.to_string(),
            (StoreError::Corrupt { message: a, .. }, StoreError::Corrupt { message: b, .. }) => {
                a == b
            }
            _ => false,
        }
    }
}

impl Eq for StoreError {}

/// Why the runtime could not carry out a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The core refused the command; nothing changed.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// No case with this id.
    #[error("no case `{0}`")]
    UnknownCase(CaseId),
    /// No published version of this workflow.
    #[error("workflow `{0}` has no published version")]
    UnknownWorkflow(WorkflowId),
    /// No such version.
    #[error("workflow `{workflow}` has no version {version}")]
    UnknownVersion {
        /// The workflow.
        workflow: WorkflowId,
        /// The version asked for.
        version: u32,
    },
    /// A definition does not validate; every problem is listed.
    #[error("the definition does not validate:\n{0}")]
    Invalid(Diagnostics),
    /// The definition's workflow id is not the one it is published as.
    #[error("the definition is workflow `{found}`, not `{expected}`")]
    WrongWorkflow {
        /// The id published under.
        expected: WorkflowId,
        /// The id in the YAML.
        found: WorkflowId,
    },
    /// A rules script was sent with a workflow that names none (`rules:` in its YAML).
    #[error("a rules script was sent but the workflow names none (`rules:` in its YAML)")]
    RulesNotNamed,
    /// The new version fails on sample applications; nothing was published.
    #[error(
        "the version fails on {} of {tried} sample application(s); nothing was published",
        failures.len()
    )]
    SamplesFailed {
        /// Each failure.
        failures: Vec<crate::runtime::SampleFailure>,
        /// Samples tried.
        tried: usize,
    },
    /// A port failed; for an append, nothing was stored.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RuntimeError {
    /// The rejection, if the core refused the command.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            RuntimeError::Rejected(rejection) => Some(rejection),
            _ => None,
        }
    }
}
