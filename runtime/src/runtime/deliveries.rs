//! The alert outbox as callers see it through the runtime: the dead letters, sending one
//! again (due at once, on the runtime's clock), and how many deliveries wait.

use super::Runtime;
use crate::ports::{Backend, DeadLetter, DeliveryOutbox, OutboxCounts};
use crate::RuntimeError;

impl<B: Backend> Runtime<B> {
    /// The dead letters of alert delivery, the oldest failure first, at most `limit`.
    pub async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, RuntimeError> {
        Ok(self.backend.deliveries().dead_letters(limit).await?)
    }

    /// Makes dead letter `id` pending again, due now; whether it was a dead letter.
    pub async fn resend_dead_letter(&self, id: &str) -> Result<bool, RuntimeError> {
        let now = self.clock.now();
        Ok(self.backend.deliveries().revive(id, now).await?)
    }

    /// Deliveries waiting and dead letters.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts, RuntimeError> {
        Ok(self.backend.deliveries().counts().await?)
    }
}
