//! The ticker in the shape of every long-running part (`greenlane_runtime::service`): it
//! ticks at its interval while running, and a shutdown stops it without aborting anything;
//! the future returns by itself.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::case::TaskStatus;
use greenlane_engine::ids::{PrincipalId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_runtime::memory::MemoryBackend;
use greenlane_runtime::ports::{LogNotifier, ManualClock};
use greenlane_runtime::service::Shutdown;
use greenlane_runtime::{Runtime, RuntimeConfig, TickerOptions};
use greenlane_testkit::workloads::staged_source;

const CENTER: &str = "city";

#[tokio::test]
async fn the_running_ticker_expires_a_lease_and_returns_by_itself_once_shutdown_is_requested() {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
    ));
    let runtime = Arc::new(Runtime::new(
        Arc::new(MemoryBackend::new()),
        clock.clone(),
        Arc::new(LogNotifier),
        RuntimeConfig::new(CENTER, cn_calendars()),
    ));
    runtime
        .publish(staged_source("joint", &[1]), &PrincipalId::new("policy-1"))
        .await
        .unwrap();
    let coordinator = Principal::new("coordinator-1", Role::Coordinator, CENTER);
    let case = runtime
        .launch(
            &coordinator,
            greenlane_testkit::access::launch_request(
                &WorkflowId::new("joint"),
                serde_json::json!({}),
            ),
        )
        .await
        .unwrap()
        .case;
    let officer = Principal::officer("officer-w", "window", CENTER);
    runtime
        .claim_next(&officer, Some(Duration::minutes(1)))
        .await
        .unwrap()
        .expect("the intake is queued");
    clock.advance(Duration::minutes(5));

    let (trigger, shutdown) = Shutdown::new();
    let ticker = tokio::spawn(
        runtime
            .clone()
            .run_ticker(TickerOptions::every(StdDuration::from_millis(10)), shutdown),
    );
    let expired = async {
        loop {
            let status = runtime
                .case(&case)
                .await
                .unwrap()
                .task("intake")
                .unwrap()
                .status
                .clone();
            if matches!(status, TaskStatus::Ready) {
                return;
            }
            tokio::time::sleep(StdDuration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(StdDuration::from_secs(5), expired)
        .await
        .expect("a tick put the intake back");

    trigger.trigger();
    tokio::time::timeout(StdDuration::from_secs(5), ticker)
        .await
        .expect("the ticker stops after its tick in progress")
        .expect("the ticker did not panic");
}
