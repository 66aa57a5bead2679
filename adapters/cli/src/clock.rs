//! The engine's clock for commands that run a runtime on real time (`serve`, `worker`):
//! the system clock, or with `--clock-start` the system clock shifted so that it reads the
//! given instant when the command starts and then runs at real speed. Demos and tests use
//! it to work on dates the business calendar covers.
//!
//! Several processes given the same `--clock-start` agree up to the gap between their
//! start times, which is small next to working days but not next to short leases.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use greenlane_runtime::ports::{Clock, SystemClock};

/// The system clock, or the system clock shifted to read `start` now.
pub(crate) fn engine_clock(start: Option<DateTime<Utc>>) -> Arc<dyn Clock> {
    match start {
        Some(start) => Arc::new(ShiftedClock(start - SystemClock.now())),
        None => Arc::new(SystemClock),
    }
}

/// The system clock shifted by a fixed offset.
#[derive(Debug)]
struct ShiftedClock(chrono::Duration);

impl Clock for ShiftedClock {
    fn now(&self) -> greenlane_engine::case::Timestamp {
        SystemClock.now() + self.0
    }
}
