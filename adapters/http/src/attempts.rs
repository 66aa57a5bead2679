//! The lock-out of the applicant's inquiry: wrong access codes counted per case within a
//! window, so six digits cannot be guessed by trying them all (`routes::inquiry`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use greenlane_engine::ids::CaseId;

/// Failed access codes per case within a window.
#[derive(Debug)]
pub(crate) struct Attempts {
    limit: u32,
    window: Duration,
    failures: Mutex<HashMap<CaseId, (Instant, u32)>>,
}

impl Attempts {
    pub(crate) fn new(limit: u32, window: Duration) -> Attempts {
        Attempts {
            limit,
            window,
            failures: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CaseId, (Instant, u32)>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `case` has used up its wrong codes for now.
    pub(crate) fn blocked(&self, case: &CaseId) -> bool {
        self.lock()
            .get(case)
            .is_some_and(|(since, n)| since.elapsed() < self.window && *n >= self.limit)
    }

    /// Counts one wrong code for `case`.
    pub(crate) fn fail(&self, case: &CaseId) {
        let mut failures = self.lock();
        if failures.len() > 100_000 {
            let window = self.window;
            failures.retain(|_, (since, _)| since.elapsed() < window);
        }
        let entry = failures.entry(case.clone()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }
}
