//! The access-code throttle on Redis, shared by every node on the store: a hash per case
//! (`c:{case}:th`: count and last wrong code, under the case's hash tag) and per client
//! (`th:{client}`: window and count), each changed by one small script
//! (`lua/throttle_case.lua`, `lua/throttle_client.lua`) so concurrent wrong codes on
//! several nodes are all counted. Each script touches one key; keys expire a day
//! (`FORGET_AFTER`) after their last wrong code.

use std::sync::LazyLock;

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::{AccessThrottle, Failures, FORGET_AFTER};
use greenlane_runtime::StoreError;
use redis::AsyncCommands;

use crate::{Error, Store};

static CASE: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("../lua/throttle_case.lua")));
static CLIENT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("../lua/throttle_client.lua")));

/// Wrong access codes per case and per client on Redis.
#[derive(Clone)]
pub struct RedisThrottle {
    pub(crate) store: Store,
}

impl std::fmt::Debug for RedisThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisThrottle")
            .field("prefix", &self.store.keys.prefix())
            .finish()
    }
}

fn millis(at: Timestamp) -> i64 {
    at.timestamp_millis()
}

fn from_millis(ms: i64) -> Result<Timestamp, Error> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| Error::corrupt("throttle", format!("an instant out of range: {ms}")))
}

impl AccessThrottle for RedisThrottle {
    async fn failures(
        &self,
        case: &CaseId,
        client: &str,
        window: Timestamp,
        now: Timestamp,
    ) -> Result<Failures, StoreError> {
        let mut conn = self.store.conn.clone();
        let (count, last): (Option<u32>, Option<i64>) = conn
            .hmget(self.store.keys.throttle_case(case), &["n", "last"])
            .await
            .map_err(Error::from)?;
        let (client_window, client_count): (Option<i64>, Option<u32>) = conn
            .hmget(self.store.keys.throttle_client(client), &["w", "n"])
            .await
            .map_err(Error::from)?;
        let last = last.map(from_millis).transpose()?;
        let last = last.filter(|last| now - *last < FORGET_AFTER);
        Ok(Failures {
            case: last.and(count).unwrap_or(0),
            case_last: last,
            client: if client_window == Some(millis(window)) {
                client_count.unwrap_or(0)
            } else {
                0
            },
        })
    }

    async fn record_failure(
        &self,
        case: &CaseId,
        client: &str,
        window: Timestamp,
        now: Timestamp,
    ) -> Result<Failures, StoreError> {
        let mut conn = self.store.conn.clone();
        let forget = FORGET_AFTER.num_milliseconds();
        let count: u32 = CASE
            .key(self.store.keys.throttle_case(case))
            .arg(millis(now))
            .arg(forget)
            .invoke_async(&mut conn)
            .await
            .map_err(Error::from)?;
        let client_count: u32 = CLIENT
            .key(self.store.keys.throttle_client(client))
            .arg(millis(window))
            .arg(forget)
            .invoke_async(&mut conn)
            .await
            .map_err(Error::from)?;
        Ok(Failures {
            case: count,
            case_last: Some(now),
            client: client_count,
        })
    }

    async fn reset(&self, case: &CaseId) -> Result<(), StoreError> {
        let mut conn = self.store.conn.clone();
        conn.del::<_, ()>(self.store.keys.throttle_case(case))
            .await
            .map_err(Error::from)?;
        Ok(())
    }
}
