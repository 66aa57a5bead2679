//! The Redis stream channel: each delivery is an entry `XADD <stream> MAXLEN ~ <n> *`
//! with fields `id` (the delivery's id: consumers drop repeats by it), `notification`,
//! `to` and `payload` (the JSON document). A department system reads the stream with its
//! own consumer group; the stream is trimmed to about `max_len` entries.

use greenlane_runtime::delivery::SendError;
use greenlane_runtime::ports::Delivery;

/// Entries a stream keeps when the file does not say.
pub const DEFAULT_MAX_LEN: usize = 100_000;

/// One Redis stream channel.
#[derive(Clone)]
pub(crate) struct RedisStream {
    stream: String,
    max_len: usize,
    conn: redis::aio::ConnectionManager,
}

impl std::fmt::Debug for RedisStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStream")
            .field("stream", &self.stream)
            .field("max_len", &self.max_len)
            .finish_non_exhaustive()
    }
}

impl RedisStream {
    /// A channel writing to `stream` on the server at `url`. Connects lazily and again
    /// after a failure, so a Redis that is down at start fails deliveries, never the start.
    pub(crate) fn open(url: &str, stream: String, max_len: usize) -> Result<RedisStream, String> {
        let client = redis::Client::open(url).map_err(|e| format!("{url}: {e}"))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_number_of_retries(1)
            .set_connection_timeout(Some(std::time::Duration::from_secs(5)));
        let conn = redis::aio::ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| format!("{url}: {e}"))?;
        Ok(RedisStream {
            stream,
            max_len,
            conn,
        })
    }

    pub(crate) async fn send(&self, delivery: &Delivery) -> Result<(), SendError> {
        let mut conn = self.conn.clone();
        redis::cmd("XADD")
            .arg(&self.stream)
            .arg("MAXLEN")
            .arg("~")
            .arg(self.max_len)
            .arg("*")
            .arg("id")
            .arg(&delivery.id)
            .arg("notification")
            .arg(&delivery.notification)
            .arg("to")
            .arg(&delivery.to)
            .arg("payload")
            .arg(&delivery.payload)
            .query_async::<String>(&mut conn)
            .await
            .map(drop)
            .map_err(|e| SendError(format!("XADD {}: {e}", self.stream)))
    }
}
