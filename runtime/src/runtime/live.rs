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
    pub workflow: WorkflowId,
    /// The center that received the application.
    pub center: CenterId,
    /// The coordinator who launched the case.
    pub coordinator: PrincipalId,
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
                .map(|t| t.plan.department.clone());
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
