//! Errors of the ports and of the runtime.

use greenlane_engine::case::Rejection;
use greenlane_engine::ids::{CaseId, WorkflowId};
use greenlane_engine::source::Diagnostics;

/// A port failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// The backend failed (I/O, a lost connection, a full disk).
    #[error("storage failed: {0}")]
    Backend(String),
    /// A stored record could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Why the runtime could not carry out a request.
#[derive(Debug, thiserror::Error)]
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
