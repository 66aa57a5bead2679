//! The periodic work of an engine: put tasks whose lease ran out back in their queues, run
//! the deadline checks that are due (alerts fire exactly once: the check is taken off the
//! index by one node and its events are appended with an expected version), and finish
//! effects that a failure left behind, and let the queues free what removed entries still
//! occupy. Each tick first installs the calendar versions other processes published.
//!
//! [`Runtime::run_ticker`] ticks at an interval, in the shape of every long-running part
//! ([`crate::service`]): [`TickerOptions`], a future that runs until its
//! [`Shutdown`] is requested and then finishes the tick in progress; no handle (nobody
//! talks to a ticker).

use std::sync::Arc;
use std::time::Duration;

use greenlane_engine::case::{Command, Rejection};
use greenlane_engine::ids::CaseId;

use super::Runtime;
use crate::ports::{Backend, DeadlineIndex, Holder, TaskQueue};
use crate::service::Shutdown;
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
    /// Deadline checks that failed and were put back for later, with back-off.
    pub failed_checks: usize,
    /// Calendar versions published elsewhere and installed in this process.
    pub calendars_installed: usize,
}

/// Entries handled per round of one tick.
const BATCH: usize = 512;

impl<B: Backend> Runtime<B> {
    /// Runs everything that is due now.
    pub async fn tick(&self) -> Result<TickReport, RuntimeError> {
        let mut report = TickReport::default();
        let system = self.system();
        // A calendar year published through another process is used from this tick on.
        report.calendars_installed = self.refresh_calendars().await?.len();
        self.warn_calendar_coverage();
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
                    Ok(outcome) => {
                        report.alerts += outcome.recorded.len();
                        self.check_failures.succeeded(case);
                    }
                    Err(RuntimeError::Rejected(Rejection::NotLaunched))
                    | Err(RuntimeError::UnknownCase(_)) => self.check_failures.succeeded(case),
                    Err(error) => {
                        // Put the check back so it is not lost, later each time it fails, and
                        // go on with the rest of the batch: one case never stops the others.
                        report.failed_checks += 1;
                        let (attempt, delay) = self.check_failures.failed(case);
                        tracing::error!(
                            %case, %error, attempt, retry_in_s = delay.num_seconds(),
                            "deadline check failed; put back with back-off"
                        );
                        self.backend.deadlines().schedule(case, now + delay).await?;
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

    /// Ticks every `options.every` until `shutdown` is requested, then returns after the
    /// tick in progress, if any, completed: a tick is never cut between two commands.
    /// Spawn it (`tokio::spawn(runtime.clone().run_ticker(options, shutdown))`) and await
    /// its task after triggering the shutdown.
    ///
    /// A tick that fails (the store cannot be reached, say) is logged once per failure and
    /// tried again at the next interval; nothing it took is dropped (a deadline check taken
    /// from the index is put back when it fails).
    pub async fn run_ticker(self: Arc<Self>, options: TickerOptions, shutdown: Shutdown) {
        let mut interval = tokio::time::interval(options.every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !shutdown.is_requested() {
            tokio::select! {
                biased;
                () = shutdown.requested() => break,
                _ = interval.tick() => {}
            }
            // Not raced against the shutdown: the whole tick runs.
            if let Err(error) = self.tick().await {
                tracing::error!(%error, "tick failed");
            }
        }
    }
}

/// The options of [`Runtime::run_ticker`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TickerOptions {
    /// Time between the starts of two ticks (a tick longer than that delays the next).
    pub every: Duration,
}

impl TickerOptions {
    /// A tick every `every`.
    pub fn every(every: Duration) -> TickerOptions {
        TickerOptions { every }
    }
}

/// Deadline checks that failed, per case, for back-off: the n-th failure in a row puts the
/// check back 2^n seconds later (at most an hour), so a case that keeps failing is retried
/// without filling the log every second.
#[derive(Debug, Default)]
pub(super) struct CheckFailures(std::sync::Mutex<std::collections::HashMap<CaseId, u32>>);

/// The longest back-off of a failing deadline check.
const MAX_CHECK_BACKOFF_S: i64 = 3600;

impl CheckFailures {
    /// Records a failure of `case`'s check: its number in a row and the delay before the next
    /// try.
    fn failed(&self, case: &CaseId) -> (u32, chrono::Duration) {
        let mut failures = crate::memory::lock(&self.0);
        let count = failures.entry(case.clone()).or_default();
        *count = count.saturating_add(1);
        let seconds = 1_i64
            .checked_shl(count.saturating_sub(1).min(12))
            .unwrap_or(MAX_CHECK_BACKOFF_S)
            .min(MAX_CHECK_BACKOFF_S);
        (*count, chrono::Duration::seconds(seconds.max(1)))
    }

    /// Forgets the failures of `case` after a check that ran.
    fn succeeded(&self, case: &CaseId) {
        let mut failures = crate::memory::lock(&self.0);
        if !failures.is_empty() {
            failures.remove(case);
        }
    }
}
