//! The access-code throttle in memory ([`MemoryThrottle`]), and the table it keeps
//! ([`ThrottleTable`]), which the SQLite adapter also keeps in memory and writes through.

use std::collections::HashMap;
use std::sync::Mutex;

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;

use super::lock;
use crate::ports::{AccessThrottle, Failures, FORGET_AFTER};
use crate::StoreError;

/// A case's wrong codes: how many, and when the last was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseCount {
    /// Wrong codes.
    pub count: u32,
    /// The last one.
    pub last: Timestamp,
}

/// A client's wrong codes in one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientCount {
    /// The window's start.
    pub window: Timestamp,
    /// Wrong codes in it.
    pub count: u32,
}

/// The counts per case and per client, with the rules of [`AccessThrottle`]: a case's
/// count is forgotten [`FORGET_AFTER`] after its last wrong code, a client's count belongs
/// to one window.
#[derive(Debug, Default, Clone)]
pub struct ThrottleTable {
    cases: HashMap<CaseId, CaseCount>,
    clients: HashMap<String, ClientCount>,
}

impl ThrottleTable {
    /// A table holding `cases` and `clients` (as read back from a store).
    pub fn from_rows(
        cases: impl IntoIterator<Item = (CaseId, CaseCount)>,
        clients: impl IntoIterator<Item = (String, ClientCount)>,
    ) -> ThrottleTable {
        ThrottleTable {
            cases: cases.into_iter().collect(),
            clients: clients.into_iter().collect(),
        }
    }

    /// The counts, as [`AccessThrottle::failures`] says.
    pub fn failures(
        &self,
        case: &CaseId,
        client: &str,
        window: Timestamp,
        now: Timestamp,
    ) -> Failures {
        let case = self.cases.get(case).filter(|c| now - c.last < FORGET_AFTER);
        Failures {
            case: case.map_or(0, |c| c.count),
            case_last: case.map(|c| c.last),
            client: self
                .clients
                .get(client)
                .filter(|c| c.window == window)
                .map_or(0, |c| c.count),
        }
    }

    /// Records one wrong code and answers the rows written and the counts after it.
    pub fn record_failure(
        &mut self,
        case: &CaseId,
        client: &str,
        window: Timestamp,
        now: Timestamp,
    ) -> (CaseCount, ClientCount, Failures) {
        if self.cases.len() + self.clients.len() > 100_000 {
            self.cases.retain(|_, c| now - c.last < FORGET_AFTER);
            self.clients.retain(|_, c| c.window >= window);
        }
        let before = self.failures(case, client, window, now);
        let case_row = CaseCount {
            count: before.case.saturating_add(1),
            last: now,
        };
        let client_row = ClientCount {
            window,
            count: before.client.saturating_add(1),
        };
        self.cases.insert(case.clone(), case_row);
        self.clients.insert(client.to_string(), client_row);
        (
            case_row,
            client_row,
            Failures {
                case: case_row.count,
                case_last: Some(now),
                client: client_row.count,
            },
        )
    }

    /// Forgets the wrong codes of `case`.
    pub fn reset(&mut self, case: &CaseId) {
        self.cases.remove(case);
    }
}

/// The throttle in process memory.
#[derive(Debug, Default)]
pub struct MemoryThrottle {
    table: Mutex<ThrottleTable>,
}

impl AccessThrottle for MemoryThrottle {
    async fn failures(
        &self,
        case: &CaseId,
        client: &str,
        window: Timestamp,
        now: Timestamp,
    ) -> Result<Failures, StoreError> {
        Ok(lock(&self.table).failures(case, client, window, now))
    }

    async fn record_failure(
        &self,
        case: &CaseId,
        client: &str,
        window: Timestamp,
        now: Timestamp,
    ) -> Result<Failures, StoreError> {
        Ok(lock(&self.table)
            .record_failure(case, client, window, now)
            .2)
    }

    async fn reset(&self, case: &CaseId) -> Result<(), StoreError> {
        lock(&self.table).reset(case);
        Ok(())
    }
}
