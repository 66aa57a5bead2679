//! The deadline index: the in-memory [`DeadlineSet`] answers and decides, and each change
//! is written through to the `deadlines` table in the writer's ordered stream, under the
//! same lock (as the queue does). Taking due entries is atomic under that lock, so a due
//! check is handed out once.

use std::sync::{Arc, Mutex};

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::memory::DeadlineSet;
use greenlane_runtime::ports::{DeadlineIndex, Fut};
use greenlane_runtime::StoreError;
use rusqlite::Connection;

use crate::codec;
use crate::error::{sql, Error, Fault};
use crate::options::EffectWrites;
use crate::readers::Readers;
use crate::sync::lock;
use crate::writer::{settle, Op, Ticket, Writer};
use crate::writes::deadlines::Write;

/// Due instants of cases, indexed in memory and written through to the file.
#[derive(Debug)]
pub struct SqliteDeadlines {
    set: Mutex<DeadlineSet>,
    writer: Arc<Writer>,
    effect_writes: EffectWrites,
}

impl SqliteDeadlines {
    /// Reads the `deadlines` table into a fresh set.
    pub(crate) fn load(
        conn: &Connection,
        writer: Arc<Writer>,
        readers: &Readers,
        effect_writes: EffectWrites,
    ) -> Result<SqliteDeadlines, Error> {
        let path = readers.path();
        let doing = "loading the deadlines";
        let mut stmt = conn
            .prepare("SELECT case_id, at FROM deadlines")
            .map_err(sql(path, doing))?;
        let mut rows = stmt.query([]).map_err(sql(path, doing))?;
        let mut set = DeadlineSet::default();
        while let Some(row) = rows.next().map_err(sql(path, doing))? {
            let read = || -> Result<(CaseId, Timestamp), Fault> {
                let case: String = row.get(0)?;
                let at = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                let at = codec::parse_timestamp(at, || format!("the deadline of case {case}"))?;
                Ok((CaseId::from(case), at))
            };
            let (case, at) = read().map_err(|f| f.at(path, doing))?;
            set.schedule(&case, at);
        }
        Ok(SqliteDeadlines {
            set: Mutex::new(set),
            writer,
            effect_writes,
        })
    }

    /// The ticket to wait for: none with [`EffectWrites::Ordered`].
    fn keep(&self, ticket: Ticket) -> Option<Ticket> {
        (self.effect_writes == EffectWrites::Committed).then_some(ticket)
    }
}

impl DeadlineIndex for SqliteDeadlines {
    fn schedule(&self, case: &CaseId, at: Timestamp) -> impl Fut<()> {
        let sent = (|| -> Result<_, Error> {
            self.writer.usable()?;
            let mut set = lock(&self.set);
            let ticket = if set.schedule(case, at) {
                self.writer
                    .send(Op::Deadlines(Write::Put(case.clone(), at)))?
            } else {
                // Already so; the write that made it so may still be in flight.
                self.writer.barrier()
            };
            Ok(((), self.keep(ticket)))
        })();
        settle(sent.map_err(StoreError::from))
    }

    fn cancel(&self, case: &CaseId) -> impl Fut<()> {
        let sent = (|| -> Result<_, Error> {
            self.writer.usable()?;
            let mut set = lock(&self.set);
            let ticket = if set.cancel(case) {
                self.writer
                    .send(Op::Deadlines(Write::Delete(vec![case.clone()])))?
            } else {
                self.writer.barrier()
            };
            Ok(((), self.keep(ticket)))
        })();
        settle(sent.map_err(StoreError::from))
    }

    fn take_due(&self, now: Timestamp, limit: usize) -> impl Fut<Vec<(CaseId, Timestamp)>> {
        let sent = (|| -> Result<_, Error> {
            self.writer.usable()?;
            let mut set = lock(&self.set);
            let due = set.take_due(now, limit);
            if due.is_empty() {
                return Ok((due, None));
            }
            let cases = due.iter().map(|(case, _)| case.clone()).collect();
            let ticket = self.writer.send(Op::Deadlines(Write::Delete(cases)))?;
            Ok((due, self.keep(ticket)))
        })();
        settle(sent.map_err(StoreError::from))
    }

    async fn get(&self, case: &CaseId) -> Result<Option<Timestamp>, StoreError> {
        Ok(lock(&self.set).get(case))
    }

    async fn len(&self) -> Result<usize, StoreError> {
        Ok(lock(&self.set).len())
    }
}
