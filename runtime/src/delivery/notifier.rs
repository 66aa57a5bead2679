//! [`OutboxNotifier`]: the runtime's [`Notifier`] that enqueues deliveries instead of
//! sending anything, so a command never waits for, or fails because of, a channel.

use std::sync::Arc;

use super::Routes;
use crate::ports::{Backend, DeliveryOutbox, Notification, Notifier, NotifyError, NotifyFuture};

/// Turns each notification into deliveries ([`Routes`]) and adds them to the backend's
/// outbox; a [`Deliverer`](super::Deliverer) sends them.
pub struct OutboxNotifier<B: Backend> {
    backend: Arc<B>,
    routes: Arc<dyn Routes>,
}

impl<B: Backend> OutboxNotifier<B> {
    /// Enqueues into `backend`'s outbox what `routes` make of each notification, due from
    /// the instant of its event.
    pub fn new(backend: Arc<B>, routes: Arc<dyn Routes>) -> Self {
        OutboxNotifier { backend, routes }
    }
}

impl<B: Backend> Notifier for OutboxNotifier<B> {
    fn notify<'a>(&'a self, notification: &'a Notification) -> NotifyFuture<'a> {
        Box::pin(async move {
            let deliveries = self.routes.deliveries(notification, notification.event.at);
            if deliveries.is_empty() {
                tracing::debug!(id = %notification.id, "no route for this notification");
                return Ok(());
            }
            self.backend
                .deliveries()
                .enqueue(&deliveries)
                .await
                .map(drop)
                .map_err(|error| NotifyError {
                    id: notification.id.clone(),
                    message: error.to_string(),
                })
        })
    }
}
