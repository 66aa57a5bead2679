//! Department queues: the in-memory [`QueueIndex`] answers every query and decides every
//! change, and each change is written through to the `queue` table in the writer's ordered
//! stream. Memory is changed and the write sent under one lock, so the file receives
//! changes in the order memory made them; a claim is atomic because it happens under that
//! lock. At open the table is read back, in dispatch order, into a fresh index.

use std::sync::{Arc, Mutex};

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId};
use greenlane_runtime::memory::QueueIndex;
use greenlane_runtime::ports::{Fut, Holder, QueueEntry, TaskKey, TaskQueue};
use greenlane_runtime::StoreError;
use rusqlite::Connection;

use crate::codec;
use crate::error::{sql, Error, Fault};
use crate::options::EffectWrites;
use crate::readers::Readers;
use crate::sync::lock;
use crate::writer::{settle, Op, Ticket, Writer};
use crate::writes::queue::Write;

/// The department queues, indexed in memory and written through to the file.
#[derive(Debug)]
pub struct SqliteQueue {
    state: Mutex<State>,
    writer: Arc<Writer>,
    effect_writes: EffectWrites,
}

#[derive(Debug)]
struct State {
    index: QueueIndex,
    /// The dispatch order number of the next entry added; stored with each row so the
    /// order survives a reopen.
    next_seq: u64,
}

/// What a call leaves to wait for once its change is decided.
enum After {
    /// Nothing was changed and nothing needs to be durable.
    Nothing,
    /// Nothing was changed, but an earlier write making the same change may be in flight.
    Barrier,
    /// This write.
    Write(Write),
}

impl SqliteQueue {
    /// Reads the `queue` table into a fresh index, in dispatch order.
    pub(crate) fn load(
        conn: &Connection,
        writer: Arc<Writer>,
        readers: &Readers,
        effect_writes: EffectWrites,
    ) -> Result<SqliteQueue, Error> {
        let path = readers.path();
        let doing = "loading the queue";
        let mut stmt = conn
            .prepare(
                "SELECT case_id, task_id, department, due, dispatched_at, holder, officer,
                        lease_until, seq
                 FROM queue ORDER BY seq",
            )
            .map_err(sql(path, doing))?;
        let mut rows = stmt.query([]).map_err(sql(path, doing))?;
        let mut index = QueueIndex::default();
        let mut next_seq = 0;
        while let Some(row) = rows.next().map_err(sql(path, doing))? {
            let (entry, seq) = read_row(row).map_err(|f| f.at(path, doing))?;
            index.restore(&entry);
            next_seq = next_seq.max(seq + 1);
        }
        Ok(SqliteQueue {
            state: Mutex::new(State { index, next_seq }),
            writer,
            effect_writes,
        })
    }

    /// Decides a change under the lock and sends its write before releasing it; returns
    /// the answer and what to wait for (nothing with [`EffectWrites::Ordered`]).
    fn change<T>(
        &self,
        decide: impl FnOnce(&mut State) -> (T, After),
    ) -> Result<(T, Option<Ticket>), StoreError> {
        self.writer.usable()?;
        let mut state = lock(&self.state);
        let (answer, after) = decide(&mut state);
        let ticket = match after {
            After::Nothing => None,
            After::Barrier => Some(self.writer.barrier()),
            After::Write(write) => Some(self.writer.send(Op::Queue(write))?),
        };
        drop(state);
        let ticket = ticket.filter(|_| self.effect_writes == EffectWrites::Committed);
        Ok((answer, ticket))
    }

    fn set_holder(&self, key: &TaskKey, holder: Holder) -> impl Fut<bool> {
        settle(self.change(|state| {
            let found = match &holder {
                Holder::Free => state.index.release(key),
                Holder::Lease { officer, until } => state.index.lease(key, officer, *until),
                Holder::Held { officer } => state.index.hold(key, officer),
            };
            if found {
                (true, After::Write(Write::Holder(key.clone(), holder)))
            } else {
                (false, After::Nothing)
            }
        }))
    }
}

impl State {
    fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }
}

impl TaskQueue for SqliteQueue {
    fn dispatch(&self, entries: &[QueueEntry]) -> impl Fut<()> {
        settle(self.change(|state| {
            let mut added = Vec::new();
            for entry in entries {
                if state.index.dispatch(entry) {
                    let seq = state.next_seq();
                    added.push((entry.clone(), seq));
                }
            }
            if added.is_empty() {
                ((), After::Barrier)
            } else {
                ((), After::Write(Write::Put(added)))
            }
        }))
    }

    fn restore(&self, entry: &QueueEntry) -> impl Fut<()> {
        settle(self.change(|state| {
            state.index.restore(entry);
            let seq = state.next_seq();
            ((), After::Write(Write::Put(vec![(entry.clone(), seq)])))
        }))
    }

    fn claim_next(
        &self,
        department: &DepartmentId,
        officer: &PrincipalId,
        until: Timestamp,
    ) -> impl Fut<Option<QueueEntry>> {
        settle(self.change(
            |state| match state.index.claim_next(department, officer, until) {
                Some(entry) => {
                    let write = Write::Holder(entry.key.clone(), entry.holder.clone());
                    (Some(entry), After::Write(write))
                }
                None => (None, After::Nothing),
            },
        ))
    }

    fn lease(&self, key: &TaskKey, officer: &PrincipalId, until: Timestamp) -> impl Fut<bool> {
        let holder = Holder::Lease {
            officer: officer.clone(),
            until,
        };
        self.set_holder(key, holder)
    }

    fn hold(&self, key: &TaskKey, officer: &PrincipalId) -> impl Fut<bool> {
        let holder = Holder::Held {
            officer: officer.clone(),
        };
        self.set_holder(key, holder)
    }

    fn release(&self, key: &TaskKey) -> impl Fut<bool> {
        self.set_holder(key, Holder::Free)
    }

    fn ack(&self, keys: &[TaskKey]) -> impl Fut<()> {
        settle(self.change(|state| {
            let removed: Vec<TaskKey> = keys
                .iter()
                .filter(|key| state.index.ack(key))
                .cloned()
                .collect();
            if removed.is_empty() {
                ((), After::Barrier)
            } else {
                ((), After::Write(Write::Delete(removed)))
            }
        }))
    }

    async fn expired(&self, now: Timestamp, limit: usize) -> Result<Vec<QueueEntry>, StoreError> {
        Ok(lock(&self.state).index.expired(now, limit))
    }

    async fn inbox(&self, department: &DepartmentId) -> Result<Vec<QueueEntry>, StoreError> {
        Ok(lock(&self.state).index.inbox(department))
    }

    async fn get(&self, key: &TaskKey) -> Result<Option<QueueEntry>, StoreError> {
        Ok(lock(&self.state).index.get(key))
    }

    async fn depth(&self, department: &DepartmentId) -> Result<usize, StoreError> {
        Ok(lock(&self.state).index.depth(department))
    }
}

/// One `queue` row read back, with its dispatch order number.
fn read_row(row: &rusqlite::Row<'_>) -> Result<(QueueEntry, u64), Fault> {
    let case: String = row.get(0)?;
    let task: String = row.get(1)?;
    let what = || format!("the queue entry of task {task} of case {case}");
    let department: String = row.get(2)?;
    let due = codec::parse_date(
        row.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?,
        what,
    )?;
    let dispatched_at = codec::parse_timestamp(
        row.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?,
        what,
    )?;
    let kind: String = row.get(5)?;
    let officer: Option<String> = row.get(6)?;
    let until: Option<String> = row.get(7)?;
    let holder = codec::parse_holder(&kind, officer.as_deref(), until.as_deref(), what)?;
    let seq = codec::parse_count(row.get(8)?, what)?;
    let entry = QueueEntry {
        key: TaskKey {
            case: CaseId::from(case),
            task: TaskId::from(task),
        },
        department: DepartmentId::from(department),
        due,
        dispatched_at,
        holder,
    };
    Ok((entry, seq))
}
