//! The conformance suite against SQLite: every suite function, each on a fresh database
//! file in its own temporary directory; and the whole suite again with queue and deadline
//! writes that do not wait for their commit (`EffectWrites::Ordered`), and with queues and
//! deadlines kept in memory only (`EffectWrites::Rebuilt`).

mod support;

use greenlane_runtime::conformance;
use greenlane_runtime::ports::Backend;
use support::{fresh, fresh_ordered, fresh_rebuilt};

#[tokio::test]
async fn event_store() {
    conformance::event_store(fresh().events()).await;
}

#[tokio::test]
async fn task_queue() {
    conformance::task_queue(fresh().queue()).await;
}

#[tokio::test]
async fn deadline_index() {
    conformance::deadline_index(fresh().deadlines()).await;
}

#[tokio::test]
async fn definition_store() {
    conformance::definition_store(fresh().definitions()).await;
}

#[tokio::test]
async fn fan_out_and_join() {
    conformance::fan_out_and_join(fresh()).await;
}

#[tokio::test]
async fn rejections_change_nothing() {
    conformance::rejections_change_nothing(fresh()).await;
}

#[tokio::test]
async fn leases() {
    conformance::leases(fresh()).await;
}

#[tokio::test]
async fn deadlines_and_alerts() {
    conformance::deadlines_and_alerts(fresh()).await;
}

#[tokio::test]
async fn supplements_and_rejection() {
    conformance::supplements_and_rejection(fresh()).await;
}

#[tokio::test]
async fn restart_mid_case() {
    conformance::restart_mid_case(fresh()).await;
}

#[tokio::test]
async fn crash_recovery() {
    conformance::crash_recovery(fresh).await;
}

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
