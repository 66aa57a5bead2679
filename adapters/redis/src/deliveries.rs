//! The delivery outbox on Redis, shared by every node on the store. Under one hash tag
//! (`{prefix/deliveries}`): `d` (id → the delivery's JSON, never changed), `s` (id →
//! attempts and last error) and three sorted sets by instant — `due` (pending; a lease
//! moves the score to the lease's end), `dead` (by failure) and `done` (by delivery, until
//! forgotten). Each change is one script (`lua/deliveries_*.lua`), so two nodes never
//! lease the same delivery at once.

use std::sync::LazyLock;

use greenlane_engine::case::Timestamp;
use greenlane_runtime::ports::{DeadLetter, Delivery, DeliveryOutbox, OutboxCounts, Pending};
use greenlane_runtime::StoreError;
use serde::{Deserialize, Serialize};

use crate::{Error, Store};

static ENQUEUE: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("../lua/deliveries_enqueue.lua")));
static LEASE: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("../lua/deliveries_lease.lua")));
static MOVE: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("../lua/deliveries_move.lua")));
static FORGET: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("../lua/deliveries_forget.lua")));

/// Deliveries forgotten per script call.
const FORGET_BATCH: usize = 1000;

/// The delivery outbox on Redis.
#[derive(Clone)]
pub struct RedisDeliveries {
    pub(crate) store: Store,
}

impl std::fmt::Debug for RedisDeliveries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisDeliveries")
            .field("prefix", &self.store.keys.prefix())
            .finish()
    }
}

/// A delivery as stored in `d`.
#[derive(Serialize, Deserialize)]
struct Stored {
    notification: String,
    channel: String,
    to: String,
    payload: String,
    created: i64,
}

fn from_millis(ms: i64) -> Result<Timestamp, Error> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| Error::corrupt("delivery", format!("an instant out of range: {ms}")))
}

fn decode(id: String, json: &str) -> Result<Delivery, Error> {
    let stored: Stored =
        serde_json::from_str(json).map_err(|e| Error::corrupt("delivery", format!("{id}: {e}")))?;
    Ok(Delivery {
        id,
        notification: stored.notification,
        channel: stored.channel,
        to: stored.to,
        payload: stored.payload,
        created: from_millis(stored.created)?,
    })
}

/// `attempts<TAB>error` as `s` holds it.
fn state(attempts: u32, error: &str) -> String {
    // A tab inside the error would split it: errors are one line of text.
    format!("{attempts}\t{}", error.replace('\t', " "))
}

fn parse_state(text: &str) -> (u32, Option<String>) {
    let (attempts, error) = text.split_once('\t').unwrap_or((text, ""));
    let error = (!error.is_empty()).then(|| error.to_string());
    (attempts.parse().unwrap_or(0), error)
}

impl RedisDeliveries {
    fn keys(&self) -> [String; 5] {
        self.store.keys.deliveries()
    }

    async fn moved(
        &self,
        id: &str,
        to: &str,
        at: Timestamp,
        attempts: u32,
        error: &str,
    ) -> Result<bool, StoreError> {
        let [_, states, due, dead, done] = self.keys();
        let mut conn = self.store.conn.clone();
        let moved: i64 = MOVE
            .key(states)
            .key(due)
            .key(dead)
            .key(done)
            .arg(id)
            .arg(to)
            .arg(at.timestamp_millis())
            .arg(state(attempts, error))
            .invoke_async(&mut conn)
            .await
            .map_err(Error::from)?;
        Ok(moved == 1)
    }
}

impl DeliveryOutbox for RedisDeliveries {
    async fn enqueue(&self, deliveries: &[Delivery]) -> Result<usize, StoreError> {
        if deliveries.is_empty() {
            return Ok(0);
        }
        let [all, states, due, _, _] = self.keys();
        let mut invocation = ENQUEUE.key(all);
        invocation.key(states).key(due);
        for delivery in deliveries {
            let json = serde_json::to_string(&Stored {
                notification: delivery.notification.clone(),
                channel: delivery.channel.clone(),
                to: delivery.to.clone(),
                payload: delivery.payload.clone(),
                created: delivery.created.timestamp_millis(),
            })
            .map_err(|e| Error::corrupt("delivery", e.to_string()))?;
            invocation
                .arg(&delivery.id)
                .arg(json)
                .arg(delivery.created.timestamp_millis());
        }
        let mut conn = self.store.conn.clone();
        let added: usize = invocation
            .invoke_async(&mut conn)
            .await
            .map_err(Error::from)?;
        Ok(added)
    }

    async fn lease(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: usize,
    ) -> Result<Vec<Pending>, StoreError> {
        let [all, states, due, _, _] = self.keys();
        let mut conn = self.store.conn.clone();
        let flat: Vec<String> = LEASE
            .key(all)
            .key(states)
            .key(due)
            .arg(now.timestamp_millis())
            .arg(until.timestamp_millis())
            .arg(limit)
            .invoke_async(&mut conn)
            .await
            .map_err(Error::from)?;
        let mut leased = Vec::with_capacity(flat.len() / 3);
        for triple in flat.chunks_exact(3) {
            let (attempts, last_error) = parse_state(&triple[2]);
            leased.push(Pending {
                delivery: decode(triple[0].clone(), &triple[1])?,
                attempts,
                last_error,
            });
        }
        Ok(leased)
    }

    async fn delivered(&self, id: &str, at: Timestamp) -> Result<(), StoreError> {
        self.moved(id, "done", at, 0, "").await.map(drop)
    }

    async fn retry(
        &self,
        id: &str,
        attempts: u32,
        at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        self.moved(id, "pending", at, attempts, error)
            .await
            .map(drop)
    }

    async fn bury(
        &self,
        id: &str,
        attempts: u32,
        at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        self.moved(id, "dead", at, attempts, error).await.map(drop)
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let [all, states, _, dead, _] = self.keys();
        let mut conn = self.store.conn.clone();
        let ids: Vec<(String, i64)> = redis::cmd("ZRANGE")
            .arg(&dead)
            .arg(0)
            .arg(limit - 1)
            .arg("WITHSCORES")
            .query_async(&mut conn)
            .await
            .map_err(Error::from)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<&str> = ids.iter().map(|(id, _)| id.as_str()).collect();
        let jsons: Vec<Option<String>> = redis::cmd("HMGET")
            .arg(&all)
            .arg(&names)
            .query_async(&mut conn)
            .await
            .map_err(Error::from)?;
        let texts: Vec<Option<String>> = redis::cmd("HMGET")
            .arg(&states)
            .arg(&names)
            .query_async(&mut conn)
            .await
            .map_err(Error::from)?;
        let mut letters = Vec::with_capacity(ids.len());
        for (((id, failed), json), text) in ids.into_iter().zip(jsons).zip(texts) {
            let Some(json) = json else { continue };
            let (attempts, error) = parse_state(text.as_deref().unwrap_or("0\t"));
            letters.push(DeadLetter {
                delivery: decode(id, &json)?,
                attempts,
                failed_at: from_millis(failed)?,
                error: error.unwrap_or_default(),
            });
        }
        Ok(letters)
    }

    async fn revive(&self, id: &str, now: Timestamp) -> Result<bool, StoreError> {
        self.moved(id, "revive", now, 0, "").await
    }

    async fn forget_delivered(&self, before: Timestamp) -> Result<usize, StoreError> {
        let [all, states, _, _, done] = self.keys();
        let mut conn = self.store.conn.clone();
        let mut forgotten = 0;
        loop {
            let n: usize = FORGET
                .key(&all)
                .key(&states)
                .key(&done)
                .arg(before.timestamp_millis())
                .arg(FORGET_BATCH)
                .invoke_async(&mut conn)
                .await
                .map_err(Error::from)?;
            forgotten += n;
            if n < FORGET_BATCH {
                return Ok(forgotten);
            }
        }
    }

    async fn counts(&self) -> Result<OutboxCounts, StoreError> {
        let [_, _, due, dead, _] = self.keys();
        let mut conn = self.store.conn.clone();
        let (pending, dead): (u64, u64) = redis::pipe()
            .cmd("ZCARD")
            .arg(&due)
            .cmd("ZCARD")
            .arg(&dead)
            .query_async(&mut conn)
            .await
            .map_err(Error::from)?;
        Ok(OutboxCounts { pending, dead })
    }
}
