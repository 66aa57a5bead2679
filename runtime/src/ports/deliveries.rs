//! `DeliveryOutbox`: the durable outbox of alert deliveries. A command records its events;
//! its notifications become deliveries here (one per channel and recipient), and a
//! [`Deliverer`](crate::delivery::Deliverer) sends them later, outside the command, so a
//! channel that is down never fails a command. A delivery is leased while it is being
//! sent (no other node sends it before the lease ends), retried with back-off when the
//! channel fails, and buried as a dead letter after its last attempt, where supervisors
//! see it and can send it again.

use greenlane_engine::case::Timestamp;

use super::Fut;

/// One notification to send through one channel to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Stable id: `{notification}/{channel}/{to}`. Receivers get it as the idempotency key.
    pub id: String,
    /// The notification's id (`case#seq`).
    pub notification: String,
    /// The channel's name in the alerts file.
    pub channel: String,
    /// Who it is for: a recipient (`department_head:natural-resources`) or a named person.
    pub to: String,
    /// The JSON document the channel sends.
    pub payload: String,
    /// When it was enqueued (first due then).
    pub created: Timestamp,
}

/// A delivery to be sent, with its attempts so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The delivery.
    pub delivery: Delivery,
    /// Attempts that failed so far.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// A delivery that failed its last attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The delivery.
    pub delivery: Delivery,
    /// Attempts made.
    pub attempts: u32,
    /// When the last one failed.
    pub failed_at: Timestamp,
    /// Why.
    pub error: String,
}

/// How many deliveries wait and how many are dead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    /// Waiting to be sent (leased ones included).
    pub pending: u64,
    /// Dead letters.
    pub dead: u64,
}

/// The outbox of deliveries.
pub trait DeliveryOutbox: Send + Sync + 'static {
    /// Adds the deliveries whose ids it does not know yet (pending, delivered or dead), each
    /// due at its `created` instant; answers how many were new. Adding an id again changes
    /// nothing, so recovery may hand the same notifications over twice.
    fn enqueue(&self, deliveries: &[Delivery]) -> impl Fut<usize>;

    /// Up to `limit` pending deliveries due at `now`, the earliest first, each leased until
    /// `until`: none of them is answered again, to any caller, before `until`.
    fn lease(&self, now: Timestamp, until: Timestamp, limit: usize) -> impl Fut<Vec<Pending>>;

    /// Marks `id` delivered at `at`: never leased again; its id stays known until
    /// [`DeliveryOutbox::forget_delivered`].
    fn delivered(&self, id: &str, at: Timestamp) -> impl Fut<()>;

    /// Records a failed attempt of `id` (its `attempts`-th) and makes it due again at `at`.
    fn retry(&self, id: &str, attempts: u32, at: Timestamp, error: &str) -> impl Fut<()>;

    /// Makes `id` a dead letter after its `attempts`-th attempt failed at `at`.
    fn bury(&self, id: &str, attempts: u32, at: Timestamp, error: &str) -> impl Fut<()>;

    /// The dead letters, the oldest failure first, at most `limit`.
    fn dead_letters(&self, limit: usize) -> impl Fut<Vec<DeadLetter>>;

    /// Makes dead letter `id` pending again, due at `now`, its attempts counted from zero;
    /// answers whether `id` was a dead letter.
    fn revive(&self, id: &str, now: Timestamp) -> impl Fut<bool>;

    /// Forgets the ids of deliveries delivered before `before`; answers how many.
    fn forget_delivered(&self, before: Timestamp) -> impl Fut<usize>;

    /// How many wait and how many are dead.
    fn counts(&self) -> impl Fut<OutboxCounts>;
}
