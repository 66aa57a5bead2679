//! The periodic work of an engine: put tasks whose lease ran out back in their queues, run
//! the deadline checks that are due (alerts fire exactly once: the check is taken off the
//! index by one node and its events are appended with an expected version), and finish
//! effects that a failure left behind, and let the queues free what removed entries still
//! occupy.

use std::sync::Arc;

use greenlane_engine::case::{Command, Rejection};

use super::Runtime;
use crate::ports::{Backend, DeadlineIndex, Holder, TaskQueue};
use crate::RuntimeError;

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Leases that ran out and were put back.
    pub leases_expired: usize,
    /// Deadline checks run.
    pub checks: usize,
    /// Alerts and at-risk notices raised.
    pub alerts: usize,
    /// Cases whose lagging effects were completed.
    pub repaired: usize,
    /// Records of removed queue entries freed (`TaskQueue::compact`).
    pub compacted: usize,
}

/// Entries handled per round of one tick.
const BATCH: usize = 512;

impl<B: Backend> Runtime<B> {
    /// Runs everything that is due now.
    pub async fn tick(&self) -> Result<TickReport, RuntimeError> {
        let mut report = TickReport::default();
        let system = self.system();
        loop {
            let expired = self
                .backend
                .queue()
                .expired(self.clock.now(), BATCH)
                .await?;
            for entry in &expired {
                // The lease may have been taken or renewed by another process (a department
                // worker), so this process's copy of the case may be behind: on a shared
                // store, `execute` checks a rejection against the stored version and decides
                // again on a fresh copy, so the repair below never follows a stale state.
                let command = Command::ExpireLease {
                    task: entry.key.task.clone(),
                };
                match self.execute(&entry.key.case, &system, command).await {
                    Ok(_) => report.leases_expired += 1,
                    Err(RuntimeError::Rejected(_)) | Err(RuntimeError::UnknownCase(_)) => {
                        // A deferred claim (the case shows the task ready) is put back by
                        // making the entry match the case: free again.
                        if self.repair_entry(&entry.key).await? == Some(Holder::Free) {
                            report.leases_expired += 1;
                        }
                    }
                    Err(other) => return Err(other),
                }
            }
            if expired.len() < BATCH {
                break;
            }
        }
        loop {
            let now = self.clock.now();
            let due = self.backend.deadlines().take_due(now, BATCH).await?;
            for (case, _) in &due {
                report.checks += 1;
                // Taken from the index: the next command must write its next check again.
                self.cases.forget_check(case);
                match self.execute(case, &system, Command::CheckDeadlines).await {
                    Ok(outcome) => report.alerts += outcome.recorded.len(),
                    Err(RuntimeError::Rejected(Rejection::NotLaunched))
                    | Err(RuntimeError::UnknownCase(_)) => {}
                    Err(error) => {
                        // Put the check back so it is not lost, and try again next tick.
                        tracing::error!(%case, %error, "deadline check failed; rescheduled");
                        self.backend.deadlines().schedule(case, now).await?;
                        return Err(error);
                    }
                }
            }
            if due.len() < BATCH {
                break;
            }
        }
        report.repaired = self.complete_effects().await?;
        report.compacted = self.backend.queue().compact().await?;
        Ok(report)
    }

    /// Ticks every `every` until the returned handle is aborted; errors are logged.
    pub fn spawn_ticker(
        self: Arc<Self>,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                if let Err(error) = self.tick().await {
                    tracing::error!(%error, "tick failed");
                }
            }
        })
    }
}
