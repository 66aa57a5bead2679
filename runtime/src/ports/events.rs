//! The record of truth, by capability: [`EventStream`] (each case a stream of [`Recorded`]
//! events appended with an expected version, optimistic concurrency), [`CaseIndex`] (each
//! case's status and version, to list open cases) and [`OutboxCursor`] (how far each case's
//! side effects were carried out, where recovery resumes). [`EventStore`] is all three and
//! the audit trail ([`super::AuditLog`]).

use greenlane_engine::case::{CaseStatusKind, Recorded};
use greenlane_engine::ids::CaseId;

use super::Fut;

/// A case's stored summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    /// The case.
    pub case: CaseId,
    /// Events stored (the stream's version).
    pub version: u64,
    /// Events whose side effects (dispatch, deadlines, notifications) were carried out.
    pub applied: u64,
    /// The case's status after the last append (`open`, `completed`, …).
    pub status: CaseStatusKind,
}

/// A case whose side effects lag behind its events: recovery carries them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unapplied {
    /// The case.
    pub case: CaseId,
    /// Events whose effects were carried out.
    pub applied: u64,
    /// Events stored.
    pub version: u64,
}

/// Append-only event streams, one per case: what a command reads and writes.
pub trait EventStream: Send + Sync + 'static {
    /// Appends `events` to `case` if it has exactly `expected` events, and sets its status
    /// in the case index. Returns the new version. Durable when the future resolves. A
    /// mismatch is [`crate::StoreError::Conflict`] and stores nothing.
    fn append(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
        status: CaseStatusKind,
    ) -> impl Fut<u64>;

    /// Every event of `case`, oldest first (empty when there is no such case).
    fn load(&self, case: &CaseId) -> impl Fut<Vec<Recorded>>;
}

/// The list of cases with their status and versions: what lists and scans read.
pub trait CaseIndex: Send + Sync + 'static {
    /// The summary of `case`, if it exists.
    fn record(&self, case: &CaseId) -> impl Fut<Option<CaseRecord>>;

    /// Cases with `status` (or any status), ordered by id, after `after`, at most `limit`.
    fn cases(
        &self,
        status: Option<CaseStatusKind>,
        after: Option<&CaseId>,
        limit: usize,
    ) -> impl Fut<Vec<CaseRecord>>;
}

/// How far each case's side effects were carried out: what the runtime moves after a
/// command and recovery resumes from.
pub trait OutboxCursor: Send + Sync + 'static {
    /// Records that the effects of the events of `case` after the first `from`, up to its
    /// `version`-th, were carried out: the cursor moves to `version` if it is at `from` or
    /// beyond. A cursor behind `from` stays where it is, since the effects of events before
    /// `from` still lag (another process failed half-way) and recovery must repeat them.
    /// Never moves the cursor back or past the events. Need not be durable when it
    /// resolves: effects are idempotent, so a lost cursor only makes recovery repeat them.
    fn mark_applied(&self, case: &CaseId, from: u64, version: u64) -> impl Fut<()>;

    /// Cases whose effects lag behind their events, at most `limit`.
    fn unapplied(&self, limit: usize) -> impl Fut<Vec<Unapplied>>;
}

/// The capabilities of a backend's event store together (with its audit trail,
/// [`super::AuditLog`]); code bounds itself by the one it uses.
pub trait EventStore: EventStream + CaseIndex + OutboxCursor + super::AuditLog {}

impl<T: EventStream + CaseIndex + OutboxCursor + super::AuditLog> EventStore for T {}
