//! In-memory adapters: every port held in process memory. Used by unit tests and the
//! conformance suite; the index structures ([`QueueIndex`], [`DeadlineSet`]) are also the
//! in-memory halves of the SQLite adapter, which writes them through to its file.

mod deadlines;
mod definitions;
mod deliveries;
mod events;
mod queue;
mod throttle;

pub use deadlines::{DeadlineSet, MemoryDeadlines};
pub use definitions::MemoryDefinitions;
pub use deliveries::{DeliveryRow, DeliveryState, DeliveryTable, MemoryDeliveries};
pub use events::MemoryEvents;
pub use queue::{MemoryQueue, QueueIndex};
pub use throttle::{CaseCount, ClientCount, MemoryThrottle, ThrottleTable};

use crate::ports::Backend;

/// Every port in memory. Nothing survives the process; a "restart" in tests is a new
/// runtime over the same backend.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    events: MemoryEvents,
    queue: MemoryQueue,
    deadlines: MemoryDeadlines,
    definitions: MemoryDefinitions,
    throttle: MemoryThrottle,
    deliveries: MemoryDeliveries,
}

impl MemoryBackend {
    /// An empty backend.
    pub fn new() -> MemoryBackend {
        MemoryBackend::default()
    }
}

impl Backend for MemoryBackend {
    type Events = MemoryEvents;
    type Queue = MemoryQueue;
    type Deadlines = MemoryDeadlines;
    type Definitions = MemoryDefinitions;
    type Throttle = MemoryThrottle;
    type Deliveries = MemoryDeliveries;

    fn events(&self) -> &MemoryEvents {
        &self.events
    }
    fn queue(&self) -> &MemoryQueue {
        &self.queue
    }
    fn deadlines(&self) -> &MemoryDeadlines {
        &self.deadlines
    }
    fn definitions(&self) -> &MemoryDefinitions {
        &self.definitions
    }
    fn throttle(&self) -> &MemoryThrottle {
        &self.throttle
    }
    fn deliveries(&self) -> &MemoryDeliveries {
        &self.deliveries
    }
    /// One memory backend may serve several runtimes of one process (tests of several
    /// nodes do), so cached cases may be behind.
    fn shared(&self) -> bool {
        true
    }
}

/// Locks a mutex, ignoring poisoning: every critical section here leaves its data valid.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
