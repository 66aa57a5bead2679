//! The applicant's access code checked against a case, throttled in the store
//! (`ports::AccessThrottle`, on the runtime's clock, by `RuntimeConfig::throttle`): a
//! throttled case or client is answered with when to try again before any code is checked,
//! an unknown case counts as a wrong code (so neither reveals that a case exists), and the
//! argon2id verification runs on tokio's blocking pool.

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;

use super::{access, Runtime};
use crate::ports::{AccessThrottle, Backend};
use crate::RuntimeError;

/// What a code check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessCheck {
    /// The code is the case's. `hash` is the stored hash it matched: a command admitted on
    /// it checks, under the case's lock, that the case still has it.
    Admitted {
        /// The stored hash the code matched.
        hash: String,
    },
    /// No such case, or not its code (one answer for both).
    Wrong,
    /// Too many wrong codes for the case or from the client: no code is checked before
    /// `retry_at`.
    Throttled {
        /// When to try again.
        retry_at: Timestamp,
    },
}

impl<B: Backend> Runtime<B> {
    /// Checks `code` for `case` from `client` (its remote address), counting a wrong code
    /// in the store and forgetting the case's count on a right one.
    pub async fn check_access_code(
        &self,
        case: &CaseId,
        client: &str,
        code: &str,
    ) -> Result<AccessCheck, RuntimeError> {
        let policy = self.config.throttle;
        let throttle = self.backend.throttle();
        let now = self.clock.now();
        let window = policy.window_start(now);
        let failures = throttle.failures(case, client, window, now).await?;
        if let Some(retry_at) = policy.retry_at(&failures, now) {
            return Ok(AccessCheck::Throttled { retry_at });
        }
        let stored = match self
            .read_case(case, |state| state.access_code_hash.clone())
            .await
        {
            Ok(stored) => Some(stored),
            Err(RuntimeError::UnknownCase(_)) => None,
            Err(other) => return Err(other),
        };
        let matched = match &stored {
            Some(stored) => access::verify_blocking(code.to_string(), stored.clone()).await,
            None => false,
        };
        match stored {
            Some(hash) if matched => {
                throttle.reset(case).await?;
                Ok(AccessCheck::Admitted { hash })
            }
            _ => {
                throttle.record_failure(case, client, window, now).await?;
                Ok(AccessCheck::Wrong)
            }
        }
    }

    /// Forgets the wrong codes counted for `case` (a new code was issued).
    pub async fn forget_wrong_codes(&self, case: &CaseId) -> Result<(), RuntimeError> {
        Ok(self.backend.throttle().reset(case).await?)
    }
}
