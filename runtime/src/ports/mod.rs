//! Ports: the traits the runtime drives and adapters implement (in memory here; SQLite and
//! Redis in `adapters/`). Every port method is async and returns a `Send` future, so one
//! runtime serves every backend; the conformance suite (`greenlane-testkit`) pins down
//! what each method must do.

mod audit;
mod clock;
mod deadlines;
mod definitions;
mod deliveries;
mod effects;
mod events;
mod notifier;
mod queue;
mod throttle;

pub use audit::AuditLog;
pub use clock::{Clock, ManualClock, SystemClock};
pub use deadlines::DeadlineIndex;
pub use definitions::{
    CalendarYearText, DefinitionSource, DefinitionStore, PublishedCalendar, PublishedDefinition,
};
pub use deliveries::{DeadLetter, Delivery, DeliveryOutbox, OutboxCounts, Pending};
pub use effects::{
    append_then_carry_out, make_moves, write_check, Appended, CheckWrite, Effects, NextClaim,
    QueueMove,
};
pub use events::{CaseIndex, CaseRecord, EventStore, EventStream, OutboxCursor, Unapplied};
pub use notifier::{
    LogNotifier, Notification, Notifier, NotifyError, NotifyFuture, RecordingNotifier,
};
pub use queue::{Holder, QueueEntry, TaskKey, TaskQueue};
pub use throttle::{AccessThrottle, Failures, ThrottlePolicy, FORGET_AFTER};

use greenlane_engine::case::CaseStatusKind;
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
    /// Wrong access codes.
    type Throttle: AccessThrottle;
    /// Alert deliveries waiting to be sent.
    type Deliveries: DeliveryOutbox;

    /// The event store.
    fn events(&self) -> &Self::Events;
    /// The department queues.
    fn queue(&self) -> &Self::Queue;
    /// The deadline index.
    fn deadlines(&self) -> &Self::Deadlines;
    /// The definition store.
    fn definitions(&self) -> &Self::Definitions;
    /// The access-code throttle.
    fn throttle(&self) -> &Self::Throttle;
    /// The delivery outbox.
    fn deliveries(&self) -> &Self::Deliveries;

    /// Whether other processes may append to the same store (several engine nodes on one
    /// Redis). Then a case cached here may be behind, and the runtime checks the stored
    /// version before it lets a rejection decided on a cached case stand.
    fn shared(&self) -> bool {
        false
    }

    /// Appends `events` to `case` if it has exactly `expected` events (as
    /// [`EventStream::append`]) and carries out their `effects`. A backend that can do both
    /// in one atomic step overrides this; the default appends, then carries out the effects
    /// ([`append_then_carry_out`]). An `Err` means nothing was appended; an `Ok` whose
    /// `effects` failed means the events are durable and recovery completes the rest.
    fn append_with_effects(
        &self,
        case: &greenlane_engine::ids::CaseId,
        expected: u64,
        events: &[greenlane_engine::case::Recorded],
        status: CaseStatusKind,
        effects: &Effects,
    ) -> impl Fut<Appended> {
        append_then_carry_out(self, case, expected, events, status, effects)
    }
}
