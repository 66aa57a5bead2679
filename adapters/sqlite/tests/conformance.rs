//! The conformance suite against SQLite: every suite function, each on a fresh database
//! file in its own temporary directory; and the whole suite again with queue and deadline
//! writes that do not wait for their commit (`EffectWrites::Ordered`), and with queues and
//! deadlines kept in memory only (`EffectWrites::Rebuilt`).

mod support;

use greenlane_testkit::conformance;
use support::{fresh, fresh_ordered, fresh_rebuilt};

greenlane_testkit::conformance_tests!(fresh);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_on_a_multi_threaded_runtime() {
    conformance::all(fresh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_with_ordered_effect_writes() {
    conformance::all(fresh_ordered).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_with_queues_and_deadlines_rebuilt_from_events() {
    conformance::all(fresh_rebuilt).await;
}
