//! [`DeliveryStats`]: per channel, deliveries delivered, retried and dead, and the time
//! each send took as a histogram (Prometheus style: cumulative buckets in milliseconds),
//! for `/metrics`. Counted in this process since it started.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::memory::lock;

/// Upper bounds of the latency buckets, in milliseconds (a last `+Inf` bucket is implied).
pub const LATENCY_BUCKETS_MS: [u64; 10] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000];

/// What one channel did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelStats {
    /// Deliveries the receiver accepted.
    pub delivered: u64,
    /// Failed attempts followed by a retry.
    pub retried: u64,
    /// Deliveries buried after their last attempt.
    pub dead: u64,
    /// Sends per latency bucket (not cumulative; the last is above every bound).
    pub latency_buckets: [u64; LATENCY_BUCKETS_MS.len() + 1],
    /// The sum of every send's time, in milliseconds.
    pub latency_sum_ms: u64,
}

impl ChannelStats {
    fn observe(&mut self, took: Duration) {
        let ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
        let bucket = LATENCY_BUCKETS_MS
            .iter()
            .position(|bound| ms <= *bound)
            .unwrap_or(LATENCY_BUCKETS_MS.len());
        self.latency_buckets[bucket] += 1;
        self.latency_sum_ms = self.latency_sum_ms.saturating_add(ms);
    }

    /// Sends observed.
    pub fn sends(&self) -> u64 {
        self.latency_buckets.iter().sum()
    }
}

/// Counters per channel name.
#[derive(Debug, Default)]
pub struct DeliveryStats(Mutex<BTreeMap<String, ChannelStats>>);

/// How one send ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ended {
    Delivered,
    Retried,
    Dead,
}

impl DeliveryStats {
    pub(super) fn record(&self, channel: &str, ended: Ended, took: Duration) {
        let mut channels = lock(&self.0);
        let stats = channels.entry(channel.to_string()).or_default();
        stats.observe(took);
        match ended {
            Ended::Delivered => stats.delivered += 1,
            Ended::Retried => stats.retried += 1,
            Ended::Dead => stats.dead += 1,
        }
    }

    /// Every channel's counters, by name.
    pub fn snapshot(&self) -> BTreeMap<String, ChannelStats> {
        lock(&self.0).clone()
    }
}
