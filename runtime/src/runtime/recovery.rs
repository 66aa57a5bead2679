//! Recovery after a crash or a failed port call. The event store is the truth; the queues,
//! the deadline index and the notifications derive from it.
//!
//! - [`Runtime::complete_effects`]: cases whose outbox cursor is behind their events get
//!   the effects of the events after the cursor carried out again (idempotently).
//! - [`Runtime::recover`]: that, then every open case's queue entries and next deadline
//!   check are made to match its state, whatever the queue lost or kept.

use greenlane_engine::case::CaseStatusKind;

use super::claims::expected_entry;
use super::Runtime;
use crate::ports::{Backend, CaseIndex, EventStream, OutboxCursor, TaskKey, TaskQueue};
use crate::RuntimeError;

/// What recovery did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Cases whose lagging effects were completed.
    pub effects_completed: usize,
    /// Open cases checked.
    pub open_cases: usize,
    /// Queue entries put back or corrected.
    pub entries_restored: usize,
}

/// Cases read per page.
const PAGE: usize = 512;

impl<B: Backend> Runtime<B> {
    /// Brings queues, deadlines and notifications in line with the event store. Run it on
    /// start, before serving.
    pub async fn recover(&self) -> Result<RecoveryReport, RuntimeError> {
        let mut report = RecoveryReport {
            effects_completed: self.complete_effects().await?,
            ..RecoveryReport::default()
        };
        let mut after = None;
        loop {
            let page = self
                .backend
                .events()
                .cases(Some(CaseStatusKind::Open), after.as_ref(), PAGE)
                .await?;
            for record in &page {
                report.open_cases += 1;
                let state = self.case(&record.case).await?;
                for task in &state.tasks {
                    let key = TaskKey::new(&record.case, &task.plan.id);
                    let Some(expected) = expected_entry(&state, &key) else {
                        continue;
                    };
                    let queue = self.backend.queue();
                    let found = queue.get(&key).await?;
                    if found.as_ref().map(|e| (&e.holder, &e.department, e.due))
                        != Some((&expected.holder, &expected.department, expected.due))
                    {
                        queue.restore(&expected).await?;
                        report.entries_restored += 1;
                    }
                }
                let definition = self.case_definition(&state).await?;
                self.schedule_next_check(&record.case, &state, &definition)
                    .await?;
            }
            match page.last() {
                Some(last) if page.len() == PAGE => after = Some(last.case.clone()),
                _ => break,
            }
        }
        Ok(report)
    }

    /// Carries out again the effects of events after each lagging case's outbox cursor;
    /// returns how many cases were completed.
    pub async fn complete_effects(&self) -> Result<usize, RuntimeError> {
        let mut completed = 0;
        loop {
            let lagging = self.backend.events().unapplied(PAGE).await?;
            for lag in &lagging {
                let slot = self.cases.slot(&lag.case);
                let _guard = slot.lock().await;
                // Read the cursor again under the case's lock: a command that held it may
                // have carried out its effects and moved the cursor since `unapplied`.
                let Some(record) = self.backend.events().record(&lag.case).await? else {
                    continue;
                };
                if record.applied >= record.version {
                    continue;
                }
                let events = self.backend.events().load(&lag.case).await?;
                let Some(state) = super::replayed(&lag.case, &events)? else {
                    continue;
                };
                let definition = self.case_definition(&state).await?;
                let from = (record.applied as usize).min(events.len());
                self.carry_out(&lag.case, &state, from as u64, &events[from..], &definition)
                    .await?;
                self.backend
                    .events()
                    .mark_applied(&lag.case, from as u64, events.len() as u64)
                    .await?;
                completed += 1;
            }
            if lagging.len() < PAGE {
                return Ok(completed);
            }
        }
    }
}
