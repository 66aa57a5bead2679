//! The conformance suite: what every backend must do, written once. Each function takes
//! fresh ports (or a factory of fresh backends) and panics with a message naming the rule
//! that broke.
//!
//! Backends run it from their own tests: in memory in `runtime/tests/conformance.rs`,
//! SQLite in `adapters/sqlite/tests/conformance.rs`. [`all`] runs everything.

mod audit;
mod calendars;
mod deliveries;
mod ports;
mod runtime;
mod throttle;

pub use audit::audit_trail;
pub use calendars::{calendar_years, failing_check_backs_off, official_2027};
pub use deliveries::{alerts_delivered, delivery_outbox};
pub use ports::{append_with_effects, deadline_index, definition_store, event_store, task_queue};
pub use runtime::{
    crash_recovery, deadlines_and_alerts, deferred_claims, fan_out_and_join, leases,
    rejections_change_nothing, restart_mid_case, supplements_and_rejection, Harness,
};
pub use throttle::{access_codes_throttled, access_throttle};

use std::sync::Arc;

use greenlane_runtime::ports::Backend;

/// Runs every part of the suite; `fresh` makes a new, empty backend each time.
pub async fn all<B: Backend>(fresh: impl Fn() -> Arc<B>) {
    event_store(fresh().events()).await;
    task_queue(fresh().queue()).await;
    deadline_index(fresh().deadlines()).await;
    definition_store(fresh().definitions()).await;
    append_with_effects(&*fresh()).await;
    fan_out_and_join(fresh()).await;
    rejections_change_nothing(fresh()).await;
    leases(fresh()).await;
    deferred_claims(fresh()).await;
    deadlines_and_alerts(fresh()).await;
    supplements_and_rejection(fresh()).await;
    restart_mid_case(fresh()).await;
    calendar_years(fresh()).await;
    failing_check_backs_off(fresh()).await;
    audit_trail(fresh()).await;
    access_throttle(fresh().throttle()).await;
    access_codes_throttled(fresh()).await;
    delivery_outbox(fresh().deliveries()).await;
    alerts_delivered(fresh()).await;
    crash_recovery(fresh).await;
}

/// One `#[tokio::test]` per part of the suite, each on a new backend from `$fresh` (a
/// function returning `Arc<B>` for some `B: Backend`). Use it at the top level of a test
/// file: `greenlane_testkit::conformance_tests!(fresh);`.
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        #[tokio::test]
        async fn event_store() {
            $crate::conformance::event_store($crate::__macro::Backend::events(&*$fresh())).await;
        }
        #[tokio::test]
        async fn task_queue() {
            $crate::conformance::task_queue($crate::__macro::Backend::queue(&*$fresh())).await;
        }
        #[tokio::test]
        async fn deadline_index() {
            $crate::conformance::deadline_index($crate::__macro::Backend::deadlines(&*$fresh()))
                .await;
        }
        #[tokio::test]
        async fn definition_store() {
            $crate::conformance::definition_store(
                $crate::__macro::Backend::definitions(&*$fresh()),
            )
            .await;
        }
        #[tokio::test]
        async fn append_with_effects() {
            $crate::conformance::append_with_effects(&*$fresh()).await;
        }
        #[tokio::test]
        async fn audit_trail() {
            $crate::conformance::audit_trail($fresh()).await;
        }
        #[tokio::test]
        async fn fan_out_and_join() {
            $crate::conformance::fan_out_and_join($fresh()).await;
        }
        #[tokio::test]
        async fn rejections_change_nothing() {
            $crate::conformance::rejections_change_nothing($fresh()).await;
        }
        #[tokio::test]
        async fn leases() {
            $crate::conformance::leases($fresh()).await;
        }
        #[tokio::test]
        async fn deferred_claims() {
            $crate::conformance::deferred_claims($fresh()).await;
        }
        #[tokio::test]
        async fn deadlines_and_alerts() {
            $crate::conformance::deadlines_and_alerts($fresh()).await;
        }
        #[tokio::test]
        async fn supplements_and_rejection() {
            $crate::conformance::supplements_and_rejection($fresh()).await;
        }
        #[tokio::test]
        async fn restart_mid_case() {
            $crate::conformance::restart_mid_case($fresh()).await;
        }
        #[tokio::test]
        async fn calendar_years() {
            $crate::conformance::calendar_years($fresh()).await;
        }
        #[tokio::test]
        async fn failing_check_backs_off() {
            $crate::conformance::failing_check_backs_off($fresh()).await;
        }
        #[tokio::test]
        async fn access_throttle() {
            $crate::conformance::access_throttle($crate::__macro::Backend::throttle(&*$fresh()))
                .await;
        }
        #[tokio::test]
        async fn access_codes_throttled() {
            $crate::conformance::access_codes_throttled($fresh()).await;
        }
        #[tokio::test]
        async fn delivery_outbox() {
            $crate::conformance::delivery_outbox($crate::__macro::Backend::deliveries(&*$fresh()))
                .await;
        }
        #[tokio::test]
        async fn alerts_delivered() {
            $crate::conformance::alerts_delivered($fresh()).await;
        }
        #[tokio::test]
        async fn crash_recovery() {
            $crate::conformance::crash_recovery($fresh).await;
        }
    };
}
