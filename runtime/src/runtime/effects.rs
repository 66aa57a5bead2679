//! What recorded events imply, in event order: queue moves, escalations and the case's
//! next deadline check. `plan` works them out (no I/O); the backend carries out the store
//! parts with the append (`Backend::append_with_effects`), and `after_append` does the
//! rest. Every effect is idempotent, so recovery may repeat any of them.

use greenlane_engine::case::{next_check, CaseState, Event, Recorded, Timestamp};
use greenlane_engine::ids::{CaseId, DepartmentId};
use greenlane_engine::plan::CompiledWorkflow;

use super::{Origin, Runtime};
use crate::ports::{
    make_moves, write_check, Backend, CheckWrite, Effects, Holder, Notification, OutboxCursor,
    QueueEntry, QueueMove, TaskKey,
};
use crate::{RuntimeError, StoreError};

/// The queue order of a task whose committed due date lies past the calendar's coverage:
/// after every task with a date (the last day of year 9999, which every store keeps as it
/// keeps any other date).
const BEYOND_CALENDAR: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(date) => date,
    None => panic!("9999-12-31 is a date"),
};

/// The effects of some recorded events.
pub(super) struct Planned {
    /// What the stores must do.
    pub(super) effects: Effects,
    /// The events of the case before these.
    before: u64,
    /// The next check the case needs (what `effects.check` writes, or keeps).
    next: Option<Timestamp>,
    /// Escalations to deliver.
    notifications: Vec<Notification>,
    /// Departments whose queues got a claimable entry.
    freed: Vec<DepartmentId>,
    /// Whether recovery carries these effects out (a notification not handed over is
    /// then an error).
    recovering: bool,
}

impl<B: Backend> Runtime<B> {
    /// Works out the effects of `recorded`, which follow the first `before` events of
    /// `case`; `state` is the case after them.
    pub(super) fn plan_effects(
        &self,
        case: &CaseId,
        state: &CaseState,
        before: u64,
        recorded: &[Recorded],
        definition: &CompiledWorkflow,
        origin: Origin,
    ) -> Planned {
        let mut moves = Vec::new();
        let mut notifications = Vec::new();
        let mut freed = Vec::new();
        let department = |task: &greenlane_engine::ids::TaskId| {
            state.task(task.as_str()).map(|t| t.plan.department.clone())
        };
        for (offset, r) in recorded.iter().enumerate() {
            let key = |task: &greenlane_engine::ids::TaskId| TaskKey::new(case, task);
            let mut hold = |task, holder| {
                if let Some(department) = department(task) {
                    if holder == Holder::Free {
                        freed.push(department.clone());
                    }
                    moves.push(QueueMove::Move {
                        key: key(task),
                        department,
                        holder,
                    });
                }
            };
            match &r.event {
                Event::TaskReady {
                    task,
                    committed_due,
                    ..
                } => {
                    let Some(department) = department(task) else {
                        continue;
                    };
                    freed.push(department.clone());
                    moves.push(QueueMove::Dispatch(QueueEntry {
                        key: key(task),
                        department,
                        due: committed_due.unwrap_or(BEYOND_CALENDAR),
                        dispatched_at: r.at,
                        holder: Holder::Free,
                    }));
                }
                Event::TaskClaimed { .. } if origin == Origin::QueueClaim => {}
                Event::TaskClaimed {
                    task,
                    officer,
                    lease_until,
                } => hold(
                    task,
                    Holder::Lease {
                        officer: officer.clone(),
                        until: *lease_until,
                    },
                ),
                Event::SupplementRequested { task, .. }
                | Event::SpecialProcedureStarted { task, .. } => hold(
                    task,
                    Holder::Held {
                        officer: r.by.clone(),
                    },
                ),
                Event::TaskReleased { task }
                | Event::LeaseExpired { task, .. }
                | Event::SupplementSubmitted { task, .. }
                | Event::SpecialProcedureEnded { task, .. } => hold(task, Holder::Free),
                Event::TaskApproved { task, .. }
                | Event::TaskRejected { task, .. }
                | Event::TaskWithdrawn { task, .. } => {
                    if let Some(department) = department(task) {
                        moves.push(QueueMove::Ack {
                            key: key(task),
                            department,
                        });
                    }
                }
                Event::AlertRaised { .. } | Event::CaseAtRisk { .. } | Event::TaskUrged { .. } => {
                    notifications.push(Notification {
                        id: format!("{case}#{}", before + offset as u64 + 1),
                        case: case.clone(),
                        center: state.center.clone(),
                        event: r.clone(),
                    })
                }
                _ => {}
            }
        }
        // The next deadline check is written only when it moved since this process last
        // wrote it (recovery always writes: another process may have changed it).
        let next = next_check(state, definition);
        let check = if origin != Origin::Recovery && self.cases.check_written(case, before, next) {
            CheckWrite::Keep
        } else {
            self.cases.forget_check(case);
            next.map_or(CheckWrite::Cancel, CheckWrite::Schedule)
        };
        Planned {
            effects: Effects {
                moves,
                check,
                settle: notifications.is_empty(),
                claim_next: None,
            },
            before,
            next,
            notifications,
            freed,
            recovering: origin == Origin::Recovery,
        }
    }

    /// What is left once the backend made the store effects of `planned` (at `version`):
    /// wakes the departments' workers, delivers the escalations and, when the backend
    /// could not, advances the outbox cursor.
    pub(super) async fn after_append(
        &self,
        case: &CaseId,
        version: u64,
        planned: Planned,
    ) -> Result<(), RuntimeError> {
        self.cases.remember_check(case, version, planned.next);
        for department in &planned.freed {
            self.work.signal(department);
        }
        // The events are durable: a notification not handed over (the outbox could not
        // be reached) fails no command. The cursor stays behind the events, and the next
        // tick's `complete_effects` hands it over again; recovery itself fails instead,
        // so its caller leaves the cursor where it is.
        for notification in &planned.notifications {
            if let Err(error) = self.notifier.notify(notification).await {
                if planned.recovering {
                    return Err(StoreError::failed(error).into());
                }
                tracing::warn!(%case, %error, "notification not handed over; the next tick retries");
                return Ok(());
            }
        }
        // Only from where these events start: if effects before them lag (a failure
        // here or in another process), the cursor stays behind them for recovery.
        if !planned.effects.settle {
            let events = self.backend.events();
            if let Err(error) = events.mark_applied(case, planned.before, version).await {
                tracing::warn!(%case, %error, "outbox cursor not advanced");
            }
        }
        Ok(())
    }

    /// Carries out the effects of events already appended (recovery): `recorded` follow
    /// the first `before` events of `case`, and `state` is the case after them. The
    /// caller advances the outbox cursor.
    pub(super) async fn carry_out(
        &self,
        case: &CaseId,
        state: &CaseState,
        before: u64,
        recorded: &[Recorded],
        definition: &CompiledWorkflow,
    ) -> Result<(), RuntimeError> {
        let mut planned =
            self.plan_effects(case, state, before, recorded, definition, Origin::Recovery);
        let backend = &self.backend;
        let (moved, checked) = tokio::join!(
            make_moves(backend.queue(), &planned.effects.moves),
            write_check(backend.deadlines(), case, planned.effects.check)
        );
        moved?;
        checked?;
        // The caller advances the outbox cursor once this returns.
        planned.effects.settle = true;
        self.after_append(case, state.version, planned).await
    }

    /// Indexes when `case` needs its next deadline check, or removes it when none.
    pub(super) async fn schedule_next_check(
        &self,
        case: &CaseId,
        state: &CaseState,
        definition: &CompiledWorkflow,
    ) -> Result<(), RuntimeError> {
        let next = next_check(state, definition);
        self.cases.forget_check(case);
        let check = next.map_or(CheckWrite::Cancel, CheckWrite::Schedule);
        write_check(self.backend.deadlines(), case, check).await?;
        self.cases.remember_check(case, state.version, next);
        Ok(())
    }
}
