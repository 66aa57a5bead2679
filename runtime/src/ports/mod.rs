//! Ports: the traits the runtime drives and adapters implement (in memory here; SQLite and
//! Redis in `adapters/`). Every port method is async and returns a `Send` future, so one
//! runtime serves every backend; the conformance suite ([`crate::conformance`]) pins down
//! what each method must do.

mod clock;
mod deadlines;
mod definitions;
mod events;
mod notifier;
mod queue;

pub use clock::{Clock, ManualClock, SystemClock};
pub use deadlines::DeadlineIndex;
pub use definitions::{DefinitionSource, DefinitionStore, PublishedDefinition};
pub use events::{CaseRecord, EventStore, Unapplied};
pub use notifier::{
    LogNotifier, Notification, Notifier, NotifyError, NotifyFuture, RecordingNotifier,
};
pub use queue::{Holder, QueueEntry, TaskKey, TaskQueue};

use std::future::Future;

/// A port call's result: a `Send` future, so the runtime can run it on any tokio worker.
pub trait Fut<T>: Future<Output = Result<T, crate::StoreError>> + Send {}
impl<T, F: Future<Output = Result<T, crate::StoreError>> + Send> Fut<T> for F {}

/// Everything a runtime needs from one backend.
pub trait Backend: Send + Sync + 'static {
    /// The record of truth.
    type Events: EventStore;
    /// Department queues.
    type Queue: TaskQueue;
    /// Due times.
    type Deadlines: DeadlineIndex;
    /// Published workflow versions.
    type Definitions: DefinitionStore;

    /// The event store.
    fn events(&self) -> &Self::Events;
    /// The department queues.
    fn queue(&self) -> &Self::Queue;
    /// The deadline index.
    fn deadlines(&self) -> &Self::Deadlines;
    /// The definition store.
    fn definitions(&self) -> &Self::Definitions;

    /// Whether other processes may append to the same store (several engine nodes on one
    /// Redis). Then a case cached here may be behind, and the runtime checks the stored
    /// version before it lets a rejection decided on a cached case stand.
    fn shared(&self) -> bool {
        false
    }
}
