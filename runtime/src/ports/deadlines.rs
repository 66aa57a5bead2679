//! `DeadlineIndex`: the next instant each open case needs a deadline check, in time order.
//! Finding what is due costs O(log n) plus the number due, never a scan, and taking an
//! entry removes it, so each due check runs once even with several engine nodes.

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;

use super::Fut;

/// Due instants of cases.
#[allow(clippy::len_without_is_empty)] // an async `is_empty` would add nothing
pub trait DeadlineIndex: Send + Sync + 'static {
    /// Sets the next check of `case` to `at`, replacing an earlier entry.
    fn schedule(&self, case: &CaseId, at: Timestamp) -> impl Fut<()>;

    /// Removes the entry of `case`, if any.
    fn cancel(&self, case: &CaseId) -> impl Fut<()>;

    /// Removes and returns the entries due at or before `now`, earliest first, at most
    /// `limit`.
    fn take_due(&self, now: Timestamp, limit: usize) -> impl Fut<Vec<(CaseId, Timestamp)>>;

    /// The entry of `case`, if any.
    fn get(&self, case: &CaseId) -> impl Fut<Option<Timestamp>>;

    /// How many entries there are.
    fn len(&self) -> impl Fut<usize>;
}
