//! `EffectWrites::Rebuilt` across a real reopen: the file holds no queue or deadline rows,
//! and `Runtime::recover` after opening puts every open task back in its queue, with its
//! holder, and every open case back in the deadline index.

mod support;

use std::sync::Arc;

use greenlane_engine::case::{CaseStatus, Command};
use greenlane_engine::ids::{DepartmentId, TaskId};
use greenlane_runtime::ports::{Backend, DeadlineIndex, Holder, TaskKey, TaskQueue};
use greenlane_sqlite::{EffectWrites, SqliteBackend, SqliteOptions};
use greenlane_testkit::conformance::Harness;

fn open(path: &std::path::Path) -> Arc<SqliteBackend> {
    let options = SqliteOptions::default().effect_writes(EffectWrites::Rebuilt);
    Arc::new(SqliteBackend::open_with(path, options).expect("opens"))
}

#[tokio::test]
async fn recovery_rebuilds_queues_and_deadlines_after_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rebuilt.db");
    let (case, held) = {
        let h = Harness::new(open(&path)).await;
        let case = h.launch().await;
        h.claim_and_approve("window").await.unwrap();
        h.claim_and_approve("dept-1").await.unwrap();
        let held = h
            .runtime
            .claim_next(&h.officer("dept-2"), None)
            .await
            .unwrap()
            .unwrap();
        (case, held)
    };

    let mut h = Harness::new(open(&path)).await;
    assert_eq!(
        h.depth("dept-3").await,
        0,
        "nothing is queued before recovery"
    );
    h.restart(h.notifier.clone()).await;
    assert_eq!(h.depth("dept-3").await, 1, "the open task is back");
    let entry = h
        .backend
        .queue()
        .get(&TaskKey::new(&case, &held.task))
        .await
        .unwrap()
        .expect("the claimed task is back");
    assert!(
        matches!(&entry.holder, Holder::Lease { officer, until } if officer.as_str() == "officer-dept-2" && *until == held.lease_until),
        "with its lease: {entry:?}"
    );
    assert!(
        h.backend.deadlines().get(&case).await.unwrap().is_some(),
        "and its next check"
    );
    let inbox = h.runtime.inbox(&DepartmentId::new("dept-1")).await.unwrap();
    assert!(inbox.is_empty(), "decided tasks are not put back");

    let approve = Command::approve(TaskId::new(held.task.as_str()));
    h.runtime
        .execute(&case, &h.officer("dept-2"), approve)
        .await
        .unwrap();
    h.drain().await;
    let state = h.runtime.case(&case).await.unwrap();
    assert!(
        matches!(state.status, CaseStatus::Completed { .. }),
        "{:?}",
        state.status
    );
}
