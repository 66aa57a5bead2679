//! [`Deliverer`]: leases due deliveries from the outbox, sends them, and records how each
//! ended — delivered, due again after a back-off, or a dead letter. A round sends its
//! batch concurrently; a channel that hangs costs its own timeout, never the others'.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::stats::Ended;
use super::{Channels, DeliveryStats, RetryPolicy};
use crate::memory::lock;
use crate::ports::{Backend, Clock, DeliveryOutbox, Pending};
use crate::service::Shutdown;
use crate::StoreError;

/// Deliveries leased per round.
const BATCH: usize = 64;

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Deliveries leased.
    pub leased: usize,
    /// Accepted by their receivers.
    pub delivered: usize,
    /// Failed, due again later.
    pub retried: usize,
    /// Failed their last attempt.
    pub dead: usize,
}

/// Sends what the outbox holds.
pub struct Deliverer<B: Backend> {
    backend: Arc<B>,
    channels: Arc<dyn Channels>,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
    stats: Arc<DeliveryStats>,
    rng: Mutex<StdRng>,
}

impl<B: Backend> std::fmt::Debug for Deliverer<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliverer")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<B: Backend> Deliverer<B> {
    /// A deliverer of `backend`'s outbox through `channels`, on `clock`'s time.
    pub fn new(
        backend: Arc<B>,
        channels: Arc<dyn Channels>,
        clock: Arc<dyn Clock>,
        policy: RetryPolicy,
    ) -> Deliverer<B> {
        Deliverer {
            backend,
            channels,
            clock,
            policy,
            stats: Arc::default(),
            rng: Mutex::new(StdRng::from_os_rng()),
        }
    }

    /// The counters per channel.
    pub fn stats(&self) -> &Arc<DeliveryStats> {
        &self.stats
    }

    /// Leases what is due now and sends it; answers what happened. A store error stops the
    /// round: what was leased and not yet recorded is due again when its lease ends.
    pub async fn round(&self) -> Result<RoundReport, StoreError> {
        let outbox = self.backend.deliveries();
        let now = self.clock.now();
        let leased = outbox.lease(now, now + self.policy.lease, BATCH).await?;
        let mut report = RoundReport {
            leased: leased.len(),
            ..RoundReport::default()
        };
        let ended = join_all(leased.iter().map(|pending| self.deliver(pending))).await;
        for ended in ended {
            match ended? {
                Ended::Delivered => report.delivered += 1,
                Ended::Retried => report.retried += 1,
                Ended::Dead => report.dead += 1,
            }
        }
        Ok(report)
    }

    async fn deliver(&self, pending: &Pending) -> Result<Ended, StoreError> {
        let outbox = self.backend.deliveries();
        let delivery = &pending.delivery;
        let started = Instant::now();
        let sent = self.channels.send(delivery).await;
        let took = started.elapsed();
        let now = self.clock.now();
        let ended = match sent {
            Ok(()) => {
                outbox.delivered(&delivery.id, now).await?;
                Ended::Delivered
            }
            Err(error) => {
                let failed = pending.attempts.saturating_add(1);
                if self.policy.exhausted(failed) {
                    tracing::error!(
                        id = %delivery.id, channel = %delivery.channel, attempts = failed,
                        %error, "delivery failed its last attempt: a dead letter"
                    );
                    outbox.bury(&delivery.id, failed, now, &error.0).await?;
                    Ended::Dead
                } else {
                    let wait = self.policy.delay(failed, &mut *lock(&self.rng));
                    tracing::warn!(
                        id = %delivery.id, channel = %delivery.channel, attempt = failed,
                        retry_in_ms = wait.num_milliseconds(), %error, "delivery failed; retried later"
                    );
                    outbox
                        .retry(&delivery.id, failed, now + wait, &error.0)
                        .await?;
                    Ended::Retried
                }
            }
        };
        self.stats.record(&delivery.channel, ended, took);
        Ok(ended)
    }

    /// Rounds until `shutdown`: at once again while a round found a full batch, otherwise
    /// after `every`. Delivered ids older than the policy's memory are forgotten once an
    /// hour. A failing store is logged and tried again at the next interval.
    pub async fn run(self: Arc<Self>, every: Duration, shutdown: Shutdown) {
        let mut last_forget: Option<Instant> = None;
        while !shutdown.is_requested() {
            let full = match self.round().await {
                Ok(report) => report.leased == BATCH,
                Err(error) => {
                    tracing::error!(%error, "delivery round failed");
                    false
                }
            };
            let forget_due = match last_forget {
                Some(at) => at.elapsed() >= Duration::from_secs(3600),
                None => true,
            };
            if forget_due {
                let before = self.clock.now() - self.policy.remember_delivered;
                match self.backend.deliveries().forget_delivered(before).await {
                    Ok(_) => last_forget = Some(Instant::now()),
                    Err(error) => tracing::warn!(%error, "old delivered ids not forgotten"),
                }
            }
            if full {
                continue;
            }
            tokio::select! {
                biased;
                () = shutdown.requested() => break,
                () = tokio::time::sleep(every) => {}
            }
        }
    }
}
