//! Live case events (`Runtime::subscribe`): what subscribers receive, and that a refused
//! command sends nothing.

use std::sync::Arc;

use greenlane_engine::case::{Command, Event};
use greenlane_engine::ids::TaskId;
use greenlane_runtime::memory::MemoryBackend;
use greenlane_testkit::conformance::Harness;

#[tokio::test]
async fn subscribers_get_every_event_in_case_order_with_its_department() {
    let h = Harness::new(Arc::new(MemoryBackend::new())).await;
    let mut live = h.runtime.subscribe();
    let case = h.launch().await;
    let (_, task) = h
        .claim_and_approve("window")
        .await
        .expect("intake is queued");
    assert_eq!(task, TaskId::new("intake"));

    let timeline = h.timeline(&case).await;
    let mut received = Vec::new();
    while let Ok(event) = live.try_recv() {
        received.push(event);
    }
    assert_eq!(received.len(), timeline.len(), "one message per event");
    for (i, (sent, stored)) in received.iter().zip(&timeline).enumerate() {
        assert_eq!(sent.case, case);
        assert_eq!(sent.seq, i as u64 + 1);
        assert_eq!(&sent.recorded, stored);
        assert_eq!(sent.center.as_str(), "city");
    }
    let approval = received
        .iter()
        .find(|e| matches!(e.recorded.event, Event::TaskApproved { .. }))
        .expect("the approval is sent");
    assert_eq!(
        approval.department.as_ref().map(|d| d.as_str()),
        Some("window")
    );
    let launched = &received[0];
    assert_eq!(launched.department, None, "a case event has no department");
}

#[tokio::test]
async fn a_rejected_command_sends_nothing() {
    let h = Harness::new(Arc::new(MemoryBackend::new())).await;
    let case = h.launch().await;
    let mut live = h.runtime.subscribe();
    let outsider = h.officer("dept-1");
    let approve = Command::approve(TaskId::new("intake"));
    assert!(h.runtime.execute(&case, &outsider, approve).await.is_err());
    assert!(live.try_recv().is_err());
}
