//! The lock-out of the applicant's inquiry: wrong access codes counted per case within a
//! window, so six digits cannot be guessed by trying them all (`routes::inquiry`). Time is
//! the runtime's clock, so the window follows the engine's time (a manual clock in tests,
//! `--clock-start` in demos) like every other deadline.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::Clock;

/// Failed access codes per case within a window.
pub(crate) struct Attempts {
    limit: u32,
    window: Duration,
    clock: Arc<dyn Clock>,
    failures: Mutex<HashMap<CaseId, (Timestamp, u32)>>,
}

impl std::fmt::Debug for Attempts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attempts")
            .field("limit", &self.limit)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl Attempts {
    pub(crate) fn new(limit: u32, window: std::time::Duration, clock: Arc<dyn Clock>) -> Attempts {
        Attempts {
            limit,
            window: Duration::from_std(window).unwrap_or(Duration::MAX),
            clock,
            failures: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CaseId, (Timestamp, u32)>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `case` has used up its wrong codes for now.
    pub(crate) fn blocked(&self, case: &CaseId) -> bool {
        let now = self.clock.now();
        self.lock()
            .get(case)
            .is_some_and(|(since, n)| now - *since < self.window && *n >= self.limit)
    }

    /// Counts one wrong code for `case`.
    pub(crate) fn fail(&self, case: &CaseId) {
        let now = self.clock.now();
        let mut failures = self.lock();
        if failures.len() > 100_000 {
            let window = self.window;
            failures.retain(|_, (since, _)| now - *since < window);
        }
        let entry = failures.entry(case.clone()).or_insert((now, 0));
        if now - entry.0 >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }
}
