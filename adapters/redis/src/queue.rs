//! Department queues: one Redis Stream per department with the consumer group
//! `greenlane`, plus the sorted sets that make claims due-first (see `lua/queue.lua` for
//! the layout). Every change of one department's queue is one script on its slot.
//!
//! Port calls name a task by (case, task) only; the department whose slot holds its entry
//! is kept under the case's tag (`c:{case}:t`, written before the entry, never changed:
//! a task's department is fixed by the workflow version the case is pinned to) and cached
//! in process memory. Departments are also listed in one set, so that lease expiry can
//! look at every department's leases.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::future::try_join_all;
use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId};
use greenlane_runtime::ports::{Holder, QueueEntry, TaskKey, TaskQueue};
use greenlane_runtime::StoreError;
use redis::AsyncCommands;

use crate::codec::{
    day_number, decode_entry, due_micros, entry_rest, holder_args, instant_text, now_micros,
    StreamOrder,
};
use crate::keys::task_member;
use crate::scripts::{Call, Lua, SCRIPTS};
use crate::{Error, Store};

/// Task → department entries cached before the cache is emptied (it only saves reads).
const HOMES_CACHED: usize = 200_000;

/// The department queues on Redis.
#[derive(Clone)]
pub struct RedisQueue {
    pub(crate) store: Store,
    /// Departments of tasks this process dispatched or looked up.
    homes: Arc<Mutex<HashMap<TaskKey, DepartmentId>>>,
    /// Departments this process has added to the set of departments.
    known: Arc<Mutex<HashSet<DepartmentId>>>,
}

impl std::fmt::Debug for RedisQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisQueue")
            .field("prefix", &self.store.keys.prefix())
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl RedisQueue {
    pub(crate) fn new(store: Store) -> RedisQueue {
        RedisQueue {
            store,
            homes: Arc::default(),
            known: Arc::default(),
        }
    }

    pub(crate) fn remember(&self, key: &TaskKey, department: &DepartmentId) {
        let mut homes = lock(&self.homes);
        if homes.len() >= HOMES_CACHED {
            homes.clear();
        }
        homes.insert(key.clone(), department.clone());
    }

    /// The department whose queue holds (or held) `key`, if it was ever dispatched.
    async fn department_of(&self, key: &TaskKey) -> Result<Option<DepartmentId>, Error> {
        if let Some(department) = lock(&self.homes).get(key) {
            return Ok(Some(department.clone()));
        }
        let mut conn = self.store.conn.clone();
        let found: Option<String> = conn
            .hget(self.store.keys.case_homes(&key.case), key.task.as_str())
            .await?;
        let found = found.map(DepartmentId::new);
        if let Some(department) = &found {
            self.remember(key, department);
        }
        Ok(found)
    }

    /// Writes where each entry lives (and that its department exists) before the entries
    /// themselves, so every queued entry can be found by key.
    async fn register(&self, entries: &[&QueueEntry]) -> Result<(), Error> {
        let mut by_case: BTreeMap<&CaseId, Vec<(&str, &str)>> = BTreeMap::new();
        {
            let homes = lock(&self.homes);
            for entry in entries {
                if homes.get(&entry.key) != Some(&entry.department) {
                    by_case
                        .entry(&entry.key.case)
                        .or_default()
                        .push((entry.key.task.as_str(), entry.department.as_str()));
                }
            }
        }
        let new_departments: Vec<&DepartmentId> = {
            let known = lock(&self.known);
            let mut seen = HashSet::new();
            entries
                .iter()
                .map(|e| &e.department)
                .filter(|d| !known.contains(*d) && seen.insert(*d))
                .collect()
        };
        let keys = &self.store.keys;
        let homes = by_case.into_iter().map(|(case, fields)| {
            let mut conn = self.store.conn.clone();
            let key = keys.case_homes(case);
            async move { conn.hset_multiple::<_, _, _, ()>(key, &fields).await }
        });
        let departments = async {
            if new_departments.is_empty() {
                return Ok(());
            }
            let mut conn = self.store.conn.clone();
            let names: Vec<&str> = new_departments.iter().map(|d| d.as_str()).collect();
            conn.sadd::<_, _, ()>(keys.departments(), names).await
        };
        let (homes, departments) =
            futures_util::future::join(try_join_all(homes), departments).await;
        homes?;
        departments?;
        lock(&self.known).extend(new_departments.into_iter().cloned());
        for entry in entries {
            self.remember(&entry.key, &entry.department);
        }
        Ok(())
    }

    async fn move_to(&self, key: &TaskKey, holder: &Holder) -> Result<bool, Error> {
        let Some(department) = self.department_of(key).await? else {
            return Ok(false);
        };
        let (kind, officer, until, until_us) = holder_args(holder);
        let mut conn = self.store.conn.clone();
        let mut call = self.queue_call(&SCRIPTS.queue_move, &department);
        call.arg(task_member(key))
            .arg(kind)
            .arg(officer)
            .arg(until)
            .arg(until_us);
        let moved: i64 = call.invoke(&mut conn).await?;
        Ok(moved == 1)
    }

    async fn departments(&self) -> Result<Vec<DepartmentId>, Error> {
        let mut conn = self.store.conn.clone();
        let names: Vec<String> = conn.smembers(self.store.keys.departments()).await?;
        Ok(names.into_iter().map(DepartmentId::new).collect())
    }

    /// A call of a `queue_*.lua` script on `department`'s queue, given its three keys.
    fn queue_call(&self, lua: &'static Lua, department: &DepartmentId) -> Call {
        let mut call = lua.call();
        for key in self.store.keys.queue(department) {
            call.key(key);
        }
        call
    }

    /// `queue_trim.lua` on one department's queue.
    async fn trim(&self, department: DepartmentId) -> Result<usize, Error> {
        let mut conn = self.store.conn.clone();
        let call = self.queue_call(&SCRIPTS.queue_trim, &department);
        Ok(call.invoke(&mut conn).await?)
    }

    async fn expired_in(
        &self,
        department: DepartmentId,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<QueueEntry>, Error> {
        let mut conn = self.store.conn.clone();
        let mut call = self.queue_call(&SCRIPTS.queue_expired, &department);
        call.arg(now_micros(now)).arg(limit);
        let raw: Vec<Vec<u8>> = call.invoke(&mut conn).await?;
        pairs(&department, raw).map(|v| v.into_iter().map(|(e, _)| e).collect())
    }
}

/// Decodes a script's `{member, json, member, json, …}` reply.
fn pairs(
    department: &DepartmentId,
    raw: Vec<Vec<u8>>,
) -> Result<Vec<(QueueEntry, StreamOrder)>, Error> {
    raw.chunks(2)
        .map(|pair| match pair {
            [member, json] => {
                let member = std::str::from_utf8(member)
                    .map_err(|_| Error::corrupt("queue member", "not UTF-8"))?;
                decode_entry(department, member, json)
            }
            _ => Err(Error::corrupt("queue reply", "an odd number of values")),
        })
        .collect()
}

impl TaskQueue for RedisQueue {
    async fn dispatch(&self, entries: &[QueueEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        self.register(&entries.iter().collect::<Vec<_>>()).await?;
        let mut by_department: BTreeMap<&DepartmentId, Vec<&QueueEntry>> = BTreeMap::new();
        for entry in entries {
            by_department
                .entry(&entry.department)
                .or_default()
                .push(entry);
        }
        let calls = by_department.into_iter().map(|(department, entries)| {
            let mut conn = self.store.conn.clone();
            let mut call = self.queue_call(&SCRIPTS.queue_dispatch, department);
            async move {
                for entry in entries {
                    call.arg(task_member(&entry.key))
                        .arg(day_number(entry.due))
                        .arg(entry_rest(entry));
                }
                call.invoke::<i64>(&mut conn).await
            }
        });
        try_join_all(calls).await.map_err(Error::from)?;
        Ok(())
    }

    async fn restore(&self, entry: &QueueEntry) -> Result<(), StoreError> {
        self.register(&[entry]).await?;
        let (kind, officer, until, until_us) = holder_args(&entry.holder);
        let mut conn = self.store.conn.clone();
        let mut call = self.queue_call(&SCRIPTS.queue_restore, &entry.department);
        call.arg(task_member(&entry.key))
            .arg(day_number(entry.due))
            .arg(entry_rest(entry))
            .arg(kind)
            .arg(officer)
            .arg(until)
            .arg(until_us);
        let _: i64 = call.invoke(&mut conn).await.map_err(Error::from)?;
        Ok(())
    }

    async fn claim_next(
        &self,
        department: &DepartmentId,
        officer: &PrincipalId,
        until: Timestamp,
    ) -> Result<Option<QueueEntry>, StoreError> {
        let mut conn = self.store.conn.clone();
        let mut call = self.queue_call(&SCRIPTS.queue_claim_next, department);
        call.arg(officer.as_str())
            .arg(instant_text(until))
            .arg(due_micros(until));
        let claimed: Option<(String, Vec<u8>)> =
            call.invoke(&mut conn).await.map_err(Error::from)?;
        let Some((member, json)) = claimed else {
            return Ok(None);
        };
        let (entry, _) = decode_entry(department, &member, &json)?;
        self.remember(&entry.key, department);
        Ok(Some(entry))
    }

    async fn lease(
        &self,
        key: &TaskKey,
        officer: &PrincipalId,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        let holder = Holder::Lease {
            officer: officer.clone(),
            until,
        };
        Ok(self.move_to(key, &holder).await?)
    }

    async fn hold(&self, key: &TaskKey, officer: &PrincipalId) -> Result<bool, StoreError> {
        let holder = Holder::Held {
            officer: officer.clone(),
        };
        Ok(self.move_to(key, &holder).await?)
    }

    async fn release(&self, key: &TaskKey) -> Result<bool, StoreError> {
        Ok(self.move_to(key, &Holder::Free).await?)
    }

    async fn ack(&self, keys: &[TaskKey]) -> Result<(), StoreError> {
        let mut by_department: BTreeMap<DepartmentId, Vec<String>> = BTreeMap::new();
        for key in keys {
            if let Some(department) = self.department_of(key).await? {
                by_department
                    .entry(department)
                    .or_default()
                    .push(task_member(key));
            }
        }
        let calls = by_department.into_iter().map(|(department, members)| {
            let mut conn = self.store.conn.clone();
            let mut call = self.queue_call(&SCRIPTS.queue_ack, &department);
            async move {
                for member in members {
                    call.arg(member);
                }
                call.invoke::<i64>(&mut conn).await
            }
        });
        try_join_all(calls).await.map_err(Error::from)?;
        Ok(())
    }

    async fn expired(&self, now: Timestamp, limit: usize) -> Result<Vec<QueueEntry>, StoreError> {
        let departments = self.departments().await?;
        let found = try_join_all(
            departments
                .into_iter()
                .map(|department| self.expired_in(department, now, limit)),
        )
        .await?;
        let mut all: Vec<QueueEntry> = found.into_iter().flatten().collect();
        all.sort_by_key(|entry| match &entry.holder {
            Holder::Lease { until, .. } => Some(*until),
            _ => None,
        });
        all.truncate(limit);
        Ok(all)
    }

    async fn inbox(&self, department: &DepartmentId) -> Result<Vec<QueueEntry>, StoreError> {
        let mut conn = self.store.conn.clone();
        let [_, entries, _] = self.store.keys.queue(department);
        let raw: Vec<Vec<u8>> = redis::cmd("HGETALL")
            .arg(entries)
            .query_async(&mut conn)
            .await
            .map_err(Error::from)?;
        let mut all = pairs(department, raw)?;
        all.sort_by(|(a, ao), (b, bo)| (a.due, ao).cmp(&(b.due, bo)));
        Ok(all.into_iter().map(|(entry, _)| entry).collect())
    }

    async fn get(&self, key: &TaskKey) -> Result<Option<QueueEntry>, StoreError> {
        let Some(department) = self.department_of(key).await? else {
            return Ok(None);
        };
        let mut conn = self.store.conn.clone();
        let [_, entries, _] = self.store.keys.queue(&department);
        let member = task_member(key);
        let json: Option<Vec<u8>> = conn.hget(entries, &member).await.map_err(Error::from)?;
        match json {
            Some(json) => Ok(Some(decode_entry(&department, &member, &json)?.0)),
            None => Ok(None),
        }
    }

    async fn compact(&self) -> Result<usize, StoreError> {
        let departments = self.departments().await?;
        let trimmed = try_join_all(departments.into_iter().map(|d| self.trim(d))).await?;
        Ok(trimmed.into_iter().sum())
    }

    async fn depth(&self, department: &DepartmentId) -> Result<usize, StoreError> {
        let mut conn = self.store.conn.clone();
        let [_, _, free] = self.store.keys.queue(department);
        let depth: usize = conn.zcard(free).await.map_err(Error::from)?;
        Ok(depth)
    }
}
