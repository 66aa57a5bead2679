//! Two runtimes over one store, as two processes over one Redis would be: a case cached by
//! one node and changed through the other. A node's tick must not decide on its own cached
//! state, where a task claimed through the other node is not claimed: the lease expiry
//! would be rejected there, the repair would drop the live queue entry, and the task would
//! be lost.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::case::{Command, TaskStatus};
use greenlane_engine::ids::{PrincipalId, TaskId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_runtime::memory::MemoryBackend;
use greenlane_runtime::ports::{LogNotifier, ManualClock};
use greenlane_runtime::{Runtime, RuntimeConfig};
use greenlane_testkit::workloads::staged_source;

const CENTER: &str = "city";

fn node(
    backend: &Arc<MemoryBackend>,
    clock: &Arc<ManualClock>,
    seed: u64,
) -> Runtime<MemoryBackend> {
    let mut config = RuntimeConfig::new(CENTER, cn_calendars());
    config.seed = Some(seed);
    Runtime::new(
        backend.clone(),
        clock.clone(),
        Arc::new(LogNotifier),
        config,
    )
}

#[tokio::test]
async fn a_lease_taken_on_another_node_expires_on_a_node_that_cached_the_case() {
    let backend = Arc::new(MemoryBackend::new());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
    ));
    let engine = node(&backend, &clock, 1);
    let department = node(&backend, &clock, 2);
    let source = staged_source("joint", &[1]);
    engine
        .publish(source, &PrincipalId::new("policy-1"))
        .await
        .unwrap();
    let coordinator = Principal::new("coordinator-1", Role::Coordinator, CENTER);
    let case = engine
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

    // The intake is claimed on the other node; the engine's cached case still has it ready.
    let officer = Principal::officer("officer-w", "window", CENTER);
    let claimed = department
        .claim_next(&officer, Some(Duration::minutes(1)))
        .await
        .unwrap()
        .expect("the intake is queued");
    assert_eq!(claimed.task, TaskId::new("intake"));

    clock.advance(Duration::minutes(5));
    let report = engine.tick().await.unwrap();
    assert_eq!(report.leases_expired, 1, "{report:?}");
    assert!(matches!(
        engine
            .case(&case)
            .await
            .unwrap()
            .task("intake")
            .unwrap()
            .status,
        TaskStatus::Ready
    ));

    // Back in the queue: another officer claims and approves it through the engine.
    let colleague = Principal::officer("officer-w2", "window", CENTER);
    let again = engine
        .claim_next(&colleague, None)
        .await
        .unwrap()
        .expect("the intake is back in the queue");
    engine
        .execute(&case, &colleague, Command::approve(again.task))
        .await
        .unwrap();
}
