//! Alert delivery, outside the commands. A command's notifications are handed to the
//! store's [`DeliveryOutbox`](crate::ports::DeliveryOutbox) by [`OutboxNotifier`], one
//! delivery per channel and recipient as the [`Routes`] say; a [`Deliverer`] leases what
//! is due, sends it through its [`Channels`], retries a failure after an exponential,
//! jittered back-off ([`RetryPolicy`]) and buries it as a dead letter after the last
//! attempt; [`DeliveryStats`] counts what each channel did. Every node may run a
//! deliverer on a shared store: a lease keeps two from sending one delivery at once, and
//! receivers drop repeats by the delivery's id (delivery is at least once).

mod backoff;
mod deliverer;
mod notifier;
mod stats;

use std::future::Future;
use std::pin::Pin;

use greenlane_engine::case::Timestamp;

use crate::ports::{Delivery, Notification};

pub use backoff::RetryPolicy;
pub use deliverer::{Deliverer, RoundReport};
pub use notifier::OutboxNotifier;
pub use stats::{ChannelStats, DeliveryStats, LATENCY_BUCKETS_MS};

/// Who is told what, through which channel: the alerts file, compiled.
pub trait Routes: Send + Sync + 'static {
    /// The deliveries of `notification`, due from `at` (its event's instant): one per
    /// channel and recipient (or named person), each with a stable id.
    fn deliveries(&self, notification: &Notification, at: Timestamp) -> Vec<Delivery>;
}

/// Why one send failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

/// A boxed `Send` future of one send.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// The channels deliveries go through, by name.
pub trait Channels: Send + Sync + 'static {
    /// Sends `delivery` through its channel; `Ok` once the receiver accepted it.
    fn send<'a>(&'a self, delivery: &'a Delivery) -> SendFuture<'a>;
}
