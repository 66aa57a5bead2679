//! Carrying out what recorded events imply, in event order: queue moves, escalations and
//! the case's next deadline check. Every effect is idempotent, so recovery may repeat any
//! of them.

use greenlane_engine::case::{next_check, CaseState, Event, Recorded};
use greenlane_engine::ids::CaseId;
use greenlane_engine::plan::CompiledWorkflow;

use super::{Origin, Runtime};
use crate::ports::{Backend, DeadlineIndex, Holder, Notification, QueueEntry, TaskKey, TaskQueue};
use crate::{RuntimeError, StoreError};

/// One queue move.
enum Move {
    Dispatch(QueueEntry),
    Lease(TaskKey, Holder),
    Release(TaskKey),
    Ack(TaskKey),
}

impl<B: Backend> Runtime<B> {
    /// Carries out the effects of `recorded`, which follow the first `before` events of
    /// `case`; `state` is the case after them.
    pub(super) async fn carry_out(
        &self,
        case: &CaseId,
        state: &CaseState,
        before: u64,
        recorded: &[Recorded],
        definition: &CompiledWorkflow,
        origin: Origin,
    ) -> Result<(), RuntimeError> {
        let mut moves = Vec::new();
        let mut notifications = Vec::new();
        let mut freed = Vec::new();
        for (offset, r) in recorded.iter().enumerate() {
            let key = |task: &greenlane_engine::ids::TaskId| TaskKey::new(case, task);
            match &r.event {
                Event::TaskReady {
                    task,
                    committed_due,
                    ..
                } => {
                    let Some(t) = state.task(task.as_str()) else {
                        continue;
                    };
                    freed.push(t.department.clone());
                    moves.push(Move::Dispatch(QueueEntry {
                        key: key(task),
                        department: t.department.clone(),
                        due: *committed_due,
                        dispatched_at: r.at,
                        holder: Holder::Free,
                    }));
                }
                Event::TaskClaimed { .. } if origin == Origin::QueueClaim => {}
                Event::TaskClaimed {
                    task,
                    officer,
                    lease_until,
                } => moves.push(Move::Lease(
                    key(task),
                    Holder::Lease {
                        officer: officer.clone(),
                        until: *lease_until,
                    },
                )),
                Event::SupplementRequested { task, .. }
                | Event::SpecialProcedureStarted { task, .. } => moves.push(Move::Lease(
                    key(task),
                    Holder::Held {
                        officer: r.by.clone(),
                    },
                )),
                Event::TaskReleased { task }
                | Event::LeaseExpired { task, .. }
                | Event::SupplementSubmitted { task, .. }
                | Event::SpecialProcedureEnded { task, .. } => moves.push(Move::Release(key(task))),
                Event::TaskApproved { task }
                | Event::TaskRejected { task, .. }
                | Event::TaskWithdrawn { task, .. } => moves.push(Move::Ack(key(task))),
                Event::AlertRaised { .. } | Event::CaseAtRisk { .. } => {
                    notifications.push(Notification {
                        id: format!("{case}#{}", before + offset as u64 + 1),
                        case: case.clone(),
                        event: r.clone(),
                    })
                }
                _ => {}
            }
        }
        for m in &moves {
            if let Move::Release(key) = m {
                if let Some(t) = state.task(key.task.as_str()) {
                    freed.push(t.department.clone());
                }
            }
        }
        // The next deadline check is written only when it moved since this process last
        // wrote it (recovery always writes: another process may have changed it).
        let next = next_check(state, definition);
        let unchanged = origin != Origin::Recovery && self.cases.check_written(case, before, next);
        let check = async {
            if unchanged {
                self.cases.remember_check(case, state.version, next);
                Ok(())
            } else {
                self.write_check(case, state.version, next).await
            }
        };
        // Queue moves and the next deadline check touch different keys: run them together.
        let (moved, scheduled) = tokio::join!(self.make_moves(moves), check);
        moved?;
        scheduled?;
        for department in &freed {
            self.work.signal(department);
        }
        for notification in &notifications {
            self.notifier
                .notify(notification)
                .await
                .map_err(|e| StoreError::Backend(e.to_string()))?;
        }
        Ok(())
    }

    /// Indexes when `case` needs its next deadline check, or removes it when none.
    pub(super) async fn schedule_next_check(
        &self,
        case: &CaseId,
        state: &CaseState,
        definition: &CompiledWorkflow,
    ) -> Result<(), RuntimeError> {
        self.write_check(case, state.version, next_check(state, definition))
            .await
    }

    /// Writes `next` as the next check of `case` (at `version`) and remembers it.
    async fn write_check(
        &self,
        case: &CaseId,
        version: u64,
        next: Option<greenlane_engine::case::Timestamp>,
    ) -> Result<(), RuntimeError> {
        self.cases.forget_check(case);
        let deadlines = self.backend.deadlines();
        match next {
            Some(at) => deadlines.schedule(case, at).await?,
            None => deadlines.cancel(case).await?,
        }
        self.cases.remember_check(case, version, next);
        Ok(())
    }

    /// Queue moves in order; consecutive dispatches and acks go as one call each.
    async fn make_moves(&self, moves: Vec<Move>) -> Result<(), StoreError> {
        let queue = self.backend.queue();
        let mut moves = moves.into_iter().peekable();
        while let Some(first) = moves.next() {
            match first {
                Move::Dispatch(entry) => {
                    let mut batch = vec![entry];
                    while let Some(Move::Dispatch(_)) = moves.peek() {
                        if let Some(Move::Dispatch(entry)) = moves.next() {
                            batch.push(entry);
                        }
                    }
                    queue.dispatch(&batch).await?;
                }
                Move::Ack(key) => {
                    let mut batch = vec![key];
                    while let Some(Move::Ack(_)) = moves.peek() {
                        if let Some(Move::Ack(key)) = moves.next() {
                            batch.push(key);
                        }
                    }
                    queue.ack(&batch).await?;
                }
                Move::Lease(key, Holder::Lease { officer, until }) => {
                    queue.lease(&key, &officer, until).await?;
                }
                Move::Lease(key, Holder::Held { officer }) => {
                    queue.hold(&key, &officer).await?;
                }
                Move::Lease(key, Holder::Free) | Move::Release(key) => {
                    queue.release(&key).await?;
                }
            }
        }
        Ok(())
    }
}
