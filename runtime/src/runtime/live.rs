//! Live case events for subscribers in this process (the HTTP API's server-sent events).
//!
//! After a command's events are durable and their effects carried out, each event is sent
//! once on a `tokio::sync::broadcast` channel, in case order (the case's lock is still held).
//! It is a notification, not a record: a subscriber that falls behind loses the oldest
//! events (it is told how many) and reads the event store for the truth. Nothing is sent
//! when nobody listens, and sending never waits. Events appended by other engine nodes are
//! not seen here.

use std::sync::Arc;

use greenlane_engine::case::{CaseState, Recorded};
use greenlane_engine::ids::{CaseId, CenterId, DepartmentId, PrincipalId, WorkflowId};
use tokio::sync::broadcast;

use super::Runtime;
use crate::ports::Backend;

/// Events a subscriber may fall behind by before it loses the oldest.
pub const LIVE_CAPACITY: usize = 4096;

/// One recorded event of a case, with what a subscriber needs to decide who may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    /// The case.
    pub case: CaseId,
    /// The event's position in the case, from 1.
    pub seq: u64,
    /// The case's workflow.
    pub workflow: Option<WorkflowId>,
    /// The center that received the application.
    pub center: Option<CenterId>,
    /// The coordinator who launched the case.
    pub coordinator: Option<PrincipalId>,
    /// The department of the task the event is about, if it is about one task.
    pub department: Option<DepartmentId>,
    /// The event.
    pub recorded: Recorded,
}

/// The sending half, kept by the runtime.
#[derive(Debug)]
pub(super) struct Live(broadcast::Sender<Arc<CaseEvent>>);

impl Default for Live {
    fn default() -> Self {
        Live(broadcast::channel(LIVE_CAPACITY).0)
    }
}

impl Live {
    /// Sends `recorded`, which follow the first `before` events of `case`; `state` is the
    /// case after them.
    pub(super) fn send(
        &self,
        case: &CaseId,
        state: &CaseState,
        before: u64,
        recorded: &[Recorded],
    ) {
        if self.0.receiver_count() == 0 {
            return;
        }
        for (offset, r) in recorded.iter().enumerate() {
            let department = r
                .event
                .task()
                .and_then(|task| state.task(task.as_str()))
                .map(|t| t.department.clone());
            let event = CaseEvent {
                case: case.clone(),
                seq: before + offset as u64 + 1,
                workflow: state.workflow.clone(),
                center: state.center.clone(),
                coordinator: state.coordinator.clone(),
                department,
                recorded: r.clone(),
            };
            // An error only means every receiver was dropped meanwhile.
            let _ = self.0.send(Arc::new(event));
        }
    }
}

impl<B: Backend> Runtime<B> {
    /// Subscribes to the events recorded by this runtime from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<CaseEvent>> {
        self.live.0.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use greenlane_engine::case::{Command, Event};
    use greenlane_engine::ids::TaskId;

    use crate::conformance::Harness;
    use crate::memory::MemoryBackend;

    use super::*;

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
            assert_eq!(sent.center.as_ref().map(|c| c.as_str()), Some("city"));
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
        let approve = Command::Approve {
            task: TaskId::new("intake"),
        };
        assert!(h.runtime.execute(&case, &outsider, approve).await.is_err());
        assert!(live.try_recv().is_err());
    }
}
