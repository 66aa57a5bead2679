//! `AccessThrottle`: wrong access codes counted in the store, per case and per client, so
//! every engine node sees the same counts and a restart forgets none. Six digits are a
//! million codes: without a throttle they are all tried in minutes.
//!
//! The counts are facts; what they mean is [`ThrottlePolicy`], a pure function of the counts
//! and `now` (the runtime's clock): per case, the first three wrong codes are free, then
//! each further one makes the case wait 2^(n−3) seconds, at most an hour, before the next
//! code is even checked, and a right code starts the count again (delays, never a lock the
//! real applicant cannot get past); per client, at most 30 wrong codes in each 10-minute
//! window across all cases. A case's count is forgotten a day after its last wrong code.

use chrono::{DateTime, Duration, Utc};
use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;

use super::Fut;

/// A case's count is forgotten this long after its last wrong code.
pub const FORGET_AFTER: Duration = Duration::hours(24);

/// The wrong codes recorded for one case and one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// Wrong codes for the case since its last right code (or since it was forgotten).
    pub case: u32,
    /// When the case's last wrong code was recorded.
    pub case_last: Option<Timestamp>,
    /// Wrong codes from the client in the current window.
    pub client: u32,
}

/// Wrong access codes, counted per case and per client (a remote address).
pub trait AccessThrottle: Send + Sync + 'static {
    /// The counts for `case` and for `client` in the window that starts at `window`. A
    /// case whose last wrong code is [`FORGET_AFTER`] or more before `now` counts none; a
    /// client's count of another window counts none.
    fn failures(
        &self,
        case: &CaseId,
        client: &str,
        window: Timestamp,
        now: Timestamp,
    ) -> impl Fut<Failures>;

    /// Records one wrong code for `case` and for `client` at `now` (in the window that
    /// starts at `window`), atomically for each of the two, and answers the counts after it.
    fn record_failure(
        &self,
        case: &CaseId,
        client: &str,
        window: Timestamp,
        now: Timestamp,
    ) -> impl Fut<Failures>;

    /// Forgets the wrong codes of `case` (a right code, or a new code issued); clients'
    /// counts stay.
    fn reset(&self, case: &CaseId) -> impl Fut<()>;
}

/// What the counts mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Wrong codes per case that cost no wait (3).
    pub free_failures: u32,
    /// The longest wait of a case (1 hour).
    pub max_delay: Duration,
    /// Wrong codes per client in one window (30).
    pub client_limit: u32,
    /// The client's window (10 minutes), aligned on the Unix epoch.
    pub client_window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            free_failures: 3,
            max_delay: Duration::hours(1),
            client_limit: 30,
            client_window: Duration::minutes(10),
        }
    }
}

impl ThrottlePolicy {
    /// How long a case with `failures` wrong codes waits after the last one: nothing for
    /// the free ones, then 2^(n − free) seconds, at most [`ThrottlePolicy::max_delay`].
    pub fn case_delay(&self, failures: u32) -> Duration {
        if failures <= self.free_failures {
            return Duration::zero();
        }
        let exponent = failures - self.free_failures;
        let seconds = if exponent >= 62 {
            i64::MAX
        } else {
            1i64 << exponent
        };
        Duration::seconds(seconds.min(self.max_delay.num_seconds()))
    }

    /// The start of the client window `now` falls in.
    pub fn window_start(&self, now: Timestamp) -> Timestamp {
        let width = self.client_window.num_milliseconds().max(1);
        let start = now.timestamp_millis().div_euclid(width) * width;
        DateTime::<Utc>::from_timestamp_millis(start).unwrap_or(now)
    }

    /// When the next code may be checked, if not now: the later of the case's wait and the
    /// end of the client's window once its limit is reached.
    pub fn retry_at(&self, failures: &Failures, now: Timestamp) -> Option<Timestamp> {
        let case = failures
            .case_last
            .map(|last| last + self.case_delay(failures.case))
            .filter(|until| *until > now);
        let client = (failures.client >= self.client_limit)
            .then(|| self.window_start(now) + self.client_window);
        case.max(client)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::seconds(seconds)
    }

    #[test]
    fn three_wrong_codes_are_free_then_the_wait_doubles_up_to_an_hour() {
        let policy = ThrottlePolicy::default();
        let delays: Vec<i64> = (0..=16)
            .map(|n| policy.case_delay(n).num_seconds())
            .collect();
        assert_eq!(
            delays,
            [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600]
        );
        assert_eq!(policy.case_delay(u32::MAX), Duration::hours(1));
    }

    #[test]
    fn a_case_waits_after_its_last_wrong_code() {
        let policy = ThrottlePolicy::default();
        let failures = Failures {
            case: 5,
            case_last: Some(at(0)),
            client: 0,
        };
        assert_eq!(policy.retry_at(&failures, at(1)), Some(at(4)));
        assert_eq!(policy.retry_at(&failures, at(4)), None);
        let free = Failures {
            case: 3,
            ..failures
        };
        assert_eq!(policy.retry_at(&free, at(0)), None);
    }

    #[test]
    fn a_client_at_its_limit_waits_for_the_next_window() {
        let policy = ThrottlePolicy::default();
        let now = at(7 * 60 + 5);
        let failures = Failures {
            case: 0,
            case_last: None,
            client: 30,
        };
        assert_eq!(policy.window_start(now), at(0));
        assert_eq!(policy.retry_at(&failures, now), Some(at(600)));
        let under = Failures {
            client: 29,
            ..failures
        };
        assert_eq!(policy.retry_at(&under, now), None);
    }

    #[test]
    fn the_later_of_the_two_waits_counts() {
        let policy = ThrottlePolicy::default();
        let failures = Failures {
            case: 15,
            case_last: Some(at(0)),
            client: 30,
        };
        assert_eq!(policy.retry_at(&failures, at(10)), Some(at(3600)));
    }
}
