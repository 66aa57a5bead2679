//! The deadline index: one sorted set, member the case, score its next check in
//! microseconds. `take_due.lua` reads and removes the due entries in one script, so when
//! several engine nodes tick at once each entry goes to exactly one of them.

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::DeadlineIndex;
use greenlane_runtime::StoreError;
use redis::AsyncCommands;

use crate::codec::{due_micros, from_micros, now_micros, parse_score};
use crate::scripts::SCRIPTS;
use crate::{Error, Store};

/// The deadline index on Redis.
#[derive(Clone)]
pub struct RedisDeadlines {
    pub(crate) store: Store,
}

impl std::fmt::Debug for RedisDeadlines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisDeadlines")
            .field("prefix", &self.store.keys.prefix())
            .finish()
    }
}

impl DeadlineIndex for RedisDeadlines {
    async fn schedule(&self, case: &CaseId, at: Timestamp) -> Result<(), StoreError> {
        let mut conn = self.store.conn.clone();
        conn.zadd::<_, _, _, ()>(self.store.keys.deadlines(), case.as_str(), due_micros(at))
            .await
            .map_err(Error::from)?;
        Ok(())
    }

    async fn cancel(&self, case: &CaseId) -> Result<(), StoreError> {
        let mut conn = self.store.conn.clone();
        conn.zrem::<_, _, ()>(self.store.keys.deadlines(), case.as_str())
            .await
            .map_err(Error::from)?;
        Ok(())
    }

    async fn take_due(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<(CaseId, Timestamp)>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut conn = self.store.conn.clone();
        let mut call = SCRIPTS.take_due.call();
        call.key(self.store.keys.deadlines())
            .arg(now_micros(now))
            .arg(limit);
        let raw: Vec<String> = call.invoke(&mut conn).await.map_err(Error::from)?;
        raw.chunks(2)
            .map(|pair| match pair {
                [case, score] => Ok((
                    CaseId::new(case.as_str()),
                    from_micros(parse_score(score)?)?,
                )),
                _ => Err(Error::corrupt("deadline reply", "an odd number of values").into()),
            })
            .collect()
    }

    async fn get(&self, case: &CaseId) -> Result<Option<Timestamp>, StoreError> {
        let mut conn = self.store.conn.clone();
        let score: Option<f64> = conn
            .zscore(self.store.keys.deadlines(), case.as_str())
            .await
            .map_err(Error::from)?;
        Ok(score.map(|s| from_micros(s as i64)).transpose()?)
    }

    async fn len(&self) -> Result<usize, StoreError> {
        let mut conn = self.store.conn.clone();
        let len: usize = conn
            .zcard(self.store.keys.deadlines())
            .await
            .map_err(Error::from)?;
        Ok(len)
    }
}
