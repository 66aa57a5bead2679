//! The conformance suite: what every backend must do, written once. Each function takes
//! fresh ports (or a factory of fresh backends) and panics with a message naming the rule
//! that broke.
//!
//! Backends run it from their own tests: in memory in `runtime/tests/conformance.rs`,
//! SQLite in `adapters/sqlite/tests/conformance.rs`. [`all`] runs everything.

mod ports;
mod runtime;

pub use ports::{deadline_index, definition_store, event_store, task_queue};
pub use runtime::{
    crash_recovery, deadlines_and_alerts, fan_out_and_join, leases, rejections_change_nothing,
    restart_mid_case, supplements_and_rejection, Harness,
};

use std::sync::Arc;

use crate::ports::Backend;

/// Runs every part of the suite; `fresh` makes a new, empty backend each time.
pub async fn all<B: Backend>(fresh: impl Fn() -> Arc<B>) {
    event_store(fresh().events()).await;
    task_queue(fresh().queue()).await;
    deadline_index(fresh().deadlines()).await;
    definition_store(fresh().definitions()).await;
    fan_out_and_join(fresh()).await;
    rejections_change_nothing(fresh()).await;
    leases(fresh()).await;
    deadlines_and_alerts(fresh()).await;
    supplements_and_rejection(fresh()).await;
    restart_mid_case(fresh()).await;
    crash_recovery(fresh).await;
}
