//! [`RetryPolicy`]: how many attempts a delivery gets and how long it waits between them.
//! The n-th retry waits a random time between half and all of `base · 2^(n−1)`, at most
//! `cap` ("equal jitter"): the wait grows, and deliveries that failed together (a channel
//! that was down) do not all come back in the same second.

use chrono::Duration;
use rand::Rng;

/// Attempts, waits and leases of deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before a delivery is a dead letter (8).
    pub max_attempts: u32,
    /// The first retry's wait, before jitter (2 s).
    pub base: Duration,
    /// The longest wait (10 minutes).
    pub cap: Duration,
    /// How long a leased delivery is kept from other deliverers (1 minute): longer than
    /// any channel's timeout.
    pub lease: Duration,
    /// How long a delivered id is remembered, so recovery enqueuing it again changes
    /// nothing (7 days).
    pub remember_delivered: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base: Duration::seconds(2),
            cap: Duration::minutes(10),
            lease: Duration::minutes(1),
            remember_delivered: Duration::days(7),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failed`-th failed attempt (1 for the first).
    pub fn delay(&self, failed: u32, rng: &mut impl Rng) -> Duration {
        let base = self.base.num_milliseconds().max(1);
        let cap = self.cap.num_milliseconds().max(base);
        let doubled = base.saturating_mul(1_i64 << failed.saturating_sub(1).min(40));
        let ceiling = doubled.min(cap);
        Duration::milliseconds(rng.random_range(ceiling / 2..=ceiling))
    }

    /// Whether a delivery that failed `failed` times is dead.
    pub fn exhausted(&self, failed: u32) -> bool {
        failed >= self.max_attempts.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn waits_grow_between_half_and_all_of_the_doubled_base_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(7);
        for failed in 1..=12 {
            let ceiling = (2_000_i64 << (failed - 1)).min(600_000);
            for _ in 0..50 {
                let wait = policy.delay(failed, &mut rng).num_milliseconds();
                assert!(
                    (ceiling / 2..=ceiling).contains(&wait),
                    "{failed}: {wait} ms"
                );
            }
        }
        assert!(policy.delay(u32::MAX, &mut rng) <= policy.cap);
    }

    #[test]
    fn a_delivery_is_dead_after_its_last_attempt() {
        let policy = RetryPolicy::default();
        assert!(!policy.exhausted(7));
        assert!(policy.exhausted(8));
        let once = RetryPolicy {
            max_attempts: 0,
            ..policy
        };
        assert!(once.exhausted(1));
    }
}
