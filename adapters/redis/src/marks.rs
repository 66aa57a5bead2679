//! Outbox cursor moves waiting to be sent together. `mark_applied` is the one write the
//! event store port lets go missing (recovery then repeats idempotent effects), so moves
//! are coalesced per case and sent many to a request: at once when [`MARK_BATCH`] cases
//! wait, else by a background flusher a moment later. Reads that show cursors
//! (`record`, `cases`, `unapplied`) send what waits first.
//!
//! In the shape of greenlane's long-running parts (`greenlane_runtime::service`): the
//! flusher has no options beyond [`MARK_BATCH`] and its delays, and no handle ([`Marks`],
//! owned by the event store, is how moves reach it). Its `run` is started on demand by
//! [`Marks::start_flusher`] and ends by itself after [`FLUSHER_IDLE`] without a move, so it
//! needs no shutdown and is never aborted; a batch it took is sent whole (a tokio runtime
//! dropped mid-send loses at most cursor moves, which the port allows: recovery repeats
//! those idempotent effects).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use greenlane_engine::ids::CaseId;
use tokio::sync::Notify;

use crate::events::RedisEvents;

/// Cases whose moves are sent at once by the call that adds the last of them.
pub(crate) const MARK_BATCH: usize = 64;

/// How long a move waits for others before the flusher sends it.
const MARK_DELAY: Duration = Duration::from_millis(2);

/// How long the flusher waits for a move before it stops (a later move restarts it).
const FLUSHER_IDLE: Duration = Duration::from_secs(1);

/// One waiting move: the cursor goes to `to` if it is at `from` or beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    pub(crate) from: u64,
    pub(crate) to: u64,
}

/// The waiting moves: per case, one move (consecutive moves of a case merged).
#[derive(Debug, Default)]
pub(crate) struct Marks {
    state: Mutex<State>,
    wake: Notify,
    /// Held while a batch is taken and sent, so a read that sends what waits also waits
    /// for a batch already on its way.
    pub(crate) sending: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct State {
    pending: HashMap<CaseId, Mark>,
    flusher: bool,
}

impl Marks {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a move; true when the batch is full and the caller should send it now. A move
    /// that continues the waiting one of its case (it starts at or before where that one
    /// ends) merges with it; one that leaves a gap is dropped, as the port allows: the
    /// cursor then stays behind and recovery repeats those effects.
    pub(crate) fn add(&self, case: &CaseId, mark: Mark) -> bool {
        let mut state = self.lock();
        state
            .pending
            .entry(case.clone())
            .and_modify(|waiting| {
                if mark.from <= waiting.to {
                    *waiting = Mark {
                        from: waiting.from.min(mark.from),
                        to: waiting.to.max(mark.to),
                    };
                }
            })
            .or_insert(mark);
        state.pending.len() >= MARK_BATCH
    }

    /// Takes the waiting move of `case`, if any.
    pub(crate) fn take_case(&self, case: &CaseId) -> Option<Mark> {
        self.lock().pending.remove(case)
    }

    /// Takes every waiting move.
    pub(crate) fn take(&self) -> Vec<(CaseId, Mark)> {
        self.lock().pending.drain().collect()
    }

    /// Makes sure a flusher will send what waits soon: wakes the running one, or starts
    /// one on the current tokio runtime.
    pub(crate) fn start_flusher(self: &Arc<Self>, events: RedisEvents) {
        let start = {
            let mut state = self.lock();
            !std::mem::replace(&mut state.flusher, true)
        };
        if start {
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    let marks = self.clone();
                    handle.spawn(async move { marks.flush_until_idle(events).await });
                }
                Err(_) => self.lock().flusher = false,
            }
        }
        self.wake.notify_one();
    }

    async fn flush_until_idle(self: Arc<Self>, events: RedisEvents) {
        // Clears the flag however the task ends (idle, or its runtime shutting down).
        struct Running(Arc<Marks>);
        impl Drop for Running {
            fn drop(&mut self) {
                self.0.lock().flusher = false;
            }
        }
        let _running = Running(self.clone());
        while tokio::time::timeout(FLUSHER_IDLE, self.wake.notified())
            .await
            .is_ok()
        {
            tokio::time::sleep(MARK_DELAY).await;
            if let Err(error) = events.flush_marks().await {
                tracing::warn!(%error, "outbox cursors not advanced; recovery repeats their effects");
            }
        }
    }
}
