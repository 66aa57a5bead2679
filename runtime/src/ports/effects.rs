//! What an append implies for the other stores — queue moves, the case's next deadline
//! check, the outbox cursor — handed to the backend together with the events
//! ([`crate::ports::Backend::append_with_effects`]).
//!
//! A backend that can change all of its stores in one atomic step (one Lua script on one
//! Redis server) does so: one request per command, and nothing lags behind the append.
//! Every other backend uses [`append_then_carry_out`]: the append, then the effects, each
//! idempotent, with the outbox cursor advanced only when all of them succeeded.

use greenlane_engine::case::CaseStatusKind;
use greenlane_engine::case::{Recorded, Timestamp};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId};

use super::{
    Backend, DeadlineIndex, EventStream, Holder, OutboxCursor, QueueEntry, TaskKey, TaskQueue,
};
use crate::StoreError;

/// One queue move. Each names the department whose queue holds the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueMove {
    /// A new free entry; an entry already queued under its key is left as it is.
    Dispatch(QueueEntry),
    /// A new holder for a queued entry (lease, hold or free); nothing if it is not queued.
    Move {
        /// The entry.
        key: TaskKey,
        /// The department whose queue holds it.
        department: DepartmentId,
        /// Its new holder.
        holder: Holder,
    },
    /// The entry is done with (decided or withdrawn); nothing if it is not queued.
    Ack {
        /// The entry.
        key: TaskKey,
        /// The department whose queue holds it.
        department: DepartmentId,
    },
}

/// What becomes of the case's entry in the deadline index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckWrite {
    /// The index already holds the right instant (this process wrote it).
    Keep,
    /// The next check is at this instant.
    Schedule(Timestamp),
    /// The case needs no more checks.
    Cancel,
}

/// The effects of one append, in event order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effects {
    /// Queue moves, in order.
    pub moves: Vec<QueueMove>,
    /// The next deadline check.
    pub check: CheckWrite,
    /// Whether the outbox cursor may move past the new events once the moves and the
    /// check are made: false when something else (a notification) is still to be done,
    /// and the runtime then advances it itself.
    pub settle: bool,
    /// Once the effects are made, a claim of the next free entry of a department's queue
    /// (the officer who decided goes on to their next task in the same request).
    pub claim_next: Option<NextClaim>,
}

/// A claim of the free entry of `department` due first (then dispatched first), leased to
/// `officer` until `until`, as [`TaskQueue::claim_next`] makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextClaim {
    /// The department whose queue it is taken from.
    pub department: DepartmentId,
    /// Who gets the lease.
    pub officer: PrincipalId,
    /// When the lease ends.
    pub until: Timestamp,
}

/// What [`crate::ports::Backend::append_with_effects`] did.
#[derive(Debug)]
pub struct Appended {
    /// The case's version after the append: the events are durable.
    pub version: u64,
    /// Whether every effect was carried out. An error here leaves the outbox cursor
    /// behind, so recovery carries the effects out again; the command has happened.
    pub effects: Result<(), StoreError>,
    /// The entry `Effects::claim_next` leased, if one was free (none when an effect
    /// failed, or when the claim itself failed: the officer then claims on their own).
    pub claimed: Option<QueueEntry>,
}

/// The append, then its effects through the backend's ports: queue moves in order
/// (consecutive dispatches and acks as one call each) beside the deadline write, then the
/// outbox cursor when `effects.settle`. The default of `append_with_effects`.
pub async fn append_then_carry_out<B: Backend + ?Sized>(
    backend: &B,
    case: &CaseId,
    expected: u64,
    events: &[Recorded],
    status: CaseStatusKind,
    to_do: &Effects,
) -> Result<Appended, StoreError> {
    let version = backend
        .events()
        .append(case, expected, events, status)
        .await?;
    let carried = async {
        let (moved, checked) = tokio::join!(
            make_moves(backend.queue(), &to_do.moves),
            write_check(backend.deadlines(), case, to_do.check)
        );
        moved?;
        checked?;
        if to_do.settle {
            backend
                .events()
                .mark_applied(case, expected, version)
                .await?;
        }
        Ok(())
    };
    let effects = carried.await;
    let claimed = match (&effects, &to_do.claim_next) {
        (Ok(()), Some(next)) => {
            match backend
                .queue()
                .claim_next(&next.department, &next.officer, next.until)
                .await
            {
                Ok(entry) => entry,
                Err(error) => {
                    tracing::warn!(%error, department = %next.department, "claim after a decision failed");
                    None
                }
            }
        }
        _ => None,
    };
    Ok(Appended {
        version,
        effects,
        claimed,
    })
}

/// Writes `check` for `case`.
pub async fn write_check<D: DeadlineIndex + ?Sized>(
    deadlines: &D,
    case: &CaseId,
    check: CheckWrite,
) -> Result<(), StoreError> {
    match check {
        CheckWrite::Keep => Ok(()),
        CheckWrite::Schedule(at) => deadlines.schedule(case, at).await,
        CheckWrite::Cancel => deadlines.cancel(case).await,
    }
}

/// Queue moves in order; consecutive dispatches and acks go as one call each.
pub async fn make_moves<Q: TaskQueue + ?Sized>(
    queue: &Q,
    moves: &[QueueMove],
) -> Result<(), StoreError> {
    let mut i = 0;
    while i < moves.len() {
        match &moves[i] {
            QueueMove::Dispatch(_) => {
                let mut batch = Vec::new();
                while let Some(QueueMove::Dispatch(entry)) = moves.get(i) {
                    batch.push(entry.clone());
                    i += 1;
                }
                queue.dispatch(&batch).await?;
            }
            QueueMove::Ack { .. } => {
                let mut batch = Vec::new();
                while let Some(QueueMove::Ack { key, .. }) = moves.get(i) {
                    batch.push(key.clone());
                    i += 1;
                }
                queue.ack(&batch).await?;
            }
            QueueMove::Move { key, holder, .. } => {
                match holder {
                    Holder::Lease { officer, until } => queue.lease(key, officer, *until).await?,
                    Holder::Held { officer } => queue.hold(key, officer).await?,
                    Holder::Free => queue.release(key).await?,
                };
                i += 1;
            }
        }
    }
    Ok(())
}
