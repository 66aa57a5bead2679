//! `Notifier`: where warnings, cards and at-risk notices go (a log, a webhook, a Redis
//! stream). Delivery is at least once: a notification lost in a crash is sent again on
//! recovery with the same id, so receivers drop repeats by id.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use greenlane_engine::case::Recorded;
use greenlane_engine::ids::{CaseId, CenterId};

/// One escalation to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Stable id: `case#seq`, the event's position in its case.
    pub id: String,
    /// The case.
    pub case: CaseId,
    /// The case's center (routes of the alerts file are per center).
    pub center: CenterId,
    /// The alert or at-risk event.
    pub event: Recorded,
}

/// A delivery failure; the runtime retries on recovery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("notification {id} not delivered: {message}")]
pub struct NotifyError {
    /// The notification.
    pub id: String,
    /// Why.
    pub message: String,
}

/// A boxed `Send` future, so notifiers can be trait objects.
pub type NotifyFuture<'a> = Pin<Box<dyn Future<Output = Result<(), NotifyError>> + Send + 'a>>;

/// Delivers escalations.
pub trait Notifier: Send + Sync + 'static {
    /// Delivers one notification.
    fn notify<'a>(&'a self, notification: &'a Notification) -> NotifyFuture<'a>;
}

/// Writes each notification to the log (tracing, target `greenlane::alert`).
#[derive(Debug, Default, Clone, Copy)]
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn notify<'a>(&'a self, notification: &'a Notification) -> NotifyFuture<'a> {
        tracing::info!(
            target: "greenlane::alert",
            id = %notification.id,
            case = %notification.case,
            event = ?notification.event.event,
            "escalation"
        );
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Keeps every delivery, by id, counting repeats: tests and the demo read it back.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    delivered: Mutex<BTreeMap<String, (Notification, u32)>>,
}

impl RecordingNotifier {
    /// Distinct notifications delivered, by id.
    pub fn delivered(&self) -> Vec<Notification> {
        self.lock().values().map(|(n, _)| n.clone()).collect()
    }

    /// How many deliveries repeated an id already delivered.
    pub fn repeats(&self) -> u32 {
        self.lock().values().map(|(_, times)| times - 1).sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, (Notification, u32)>> {
        self.delivered.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Notifier for RecordingNotifier {
    fn notify<'a>(&'a self, notification: &'a Notification) -> NotifyFuture<'a> {
        self.lock()
            .entry(notification.id.clone())
            .and_modify(|(_, times)| *times += 1)
            .or_insert_with(|| (notification.clone(), 1));
        Box::pin(std::future::ready(Ok(())))
    }
}
