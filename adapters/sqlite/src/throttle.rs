//! The access-code throttle: the runtime's [`ThrottleTable`] in memory answers, and each
//! change is written through to `throttle_cases` / `throttle_clients` in the writer's
//! ordered stream under the same lock, acknowledged after its commit, so the counts
//! survive a restart. A row older than a day (`FORGET_AFTER`) counts nothing; rows are
//! small (one per case or client that sent a wrong code).

use std::sync::{Arc, Mutex};

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::memory::{CaseCount, ClientCount, ThrottleTable};
use greenlane_runtime::ports::{AccessThrottle, Failures, Fut};
use greenlane_runtime::StoreError;
use rusqlite::Connection;

use crate::codec;
use crate::error::{sql, Error, Fault};
use crate::readers::Readers;
use crate::sync::lock;
use crate::writer::{settle, Op, Writer};
use crate::writes::throttle::Write;

/// Wrong access codes per case and per client, in memory and written through to the file.
#[derive(Debug)]
pub struct SqliteThrottle {
    table: Mutex<ThrottleTable>,
    writer: Arc<Writer>,
}

impl SqliteThrottle {
    /// Reads the throttle's tables into memory.
    pub(crate) fn load(
        conn: &Connection,
        writer: Arc<Writer>,
        readers: &Readers,
    ) -> Result<SqliteThrottle, Error> {
        let path = readers.path();
        let doing = "loading the access-code throttle";
        let mut cases = Vec::new();
        let mut stmt = conn
            .prepare("SELECT case_id, failures, last FROM throttle_cases")
            .map_err(sql(path, doing))?;
        let mut rows = stmt.query([]).map_err(sql(path, doing))?;
        while let Some(row) = rows.next().map_err(sql(path, doing))? {
            let read = || -> Result<(CaseId, CaseCount), Fault> {
                let case: String = row.get(0)?;
                let count: u32 = row.get(1)?;
                let last = row.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
                let last = codec::parse_timestamp(last, || {
                    format!("the last wrong access code of case {case}")
                })?;
                Ok((CaseId::from(case), CaseCount { count, last }))
            };
            cases.push(read().map_err(|f| f.at(path, doing))?);
        }
        let mut clients = Vec::new();
        let mut stmt = conn
            .prepare("SELECT client, window, failures FROM throttle_clients")
            .map_err(sql(path, doing))?;
        let mut rows = stmt.query([]).map_err(sql(path, doing))?;
        while let Some(row) = rows.next().map_err(sql(path, doing))? {
            let read = || -> Result<(String, ClientCount), Fault> {
                let client: String = row.get(0)?;
                let window = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                let window = codec::parse_timestamp(window, || {
                    format!("the throttle window of client {client}")
                })?;
                let count: u32 = row.get(2)?;
                Ok((client, ClientCount { window, count }))
            };
            clients.push(read().map_err(|f| f.at(path, doing))?);
        }
        Ok(SqliteThrottle {
            table: Mutex::new(ThrottleTable::from_rows(cases, clients)),
            writer,
        })
    }
}

impl AccessThrottle for SqliteThrottle {
    async fn failures(
        &self,
        case: &CaseId,
        client: &str,
        window: Timestamp,
        now: Timestamp,
    ) -> Result<Failures, StoreError> {
        Ok(lock(&self.table).failures(case, client, window, now))
    }

    fn record_failure(
        &self,
        case: &CaseId,
        client: &str,
        window: Timestamp,
        now: Timestamp,
    ) -> impl Fut<Failures> {
        let sent = (|| -> Result<_, Error> {
            self.writer.usable()?;
            let mut table = lock(&self.table);
            let (case_row, client_row, failures) = table.record_failure(case, client, window, now);
            let ticket = self.writer.send(Op::Throttle(Write::Failure {
                case: case.clone(),
                count: case_row.count,
                last: case_row.last,
                client: client.to_string(),
                window: client_row.window,
                client_count: client_row.count,
            }))?;
            Ok((failures, Some(ticket)))
        })();
        settle(sent.map_err(StoreError::from))
    }

    fn reset(&self, case: &CaseId) -> impl Fut<()> {
        let sent = (|| -> Result<_, Error> {
            self.writer.usable()?;
            let mut table = lock(&self.table);
            table.reset(case);
            let ticket = self.writer.send(Op::Throttle(Write::Reset(case.clone())))?;
            Ok(((), Some(ticket)))
        })();
        settle(sent.map_err(StoreError::from))
    }
}
