//! One connection handle for both deployments: a [`ConnectionManager`] to a single Redis
//! (it reconnects by itself) or a cluster connection that routes each command and script
//! by the slot of its keys. Both are multiplexed, so clones share one socket per node and
//! concurrent calls are pipelined on it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

use crate::Error;

/// Where the backend's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One Redis server (`redis://127.0.0.1:6379/0`).
    Single(String),
    /// A Redis Cluster, given by one or more of its nodes.
    Cluster(Vec<String>),
}

impl Target {
    /// A URL to reach some node directly (pub/sub, diagnostics).
    pub fn any_node(&self) -> Option<&str> {
        match self {
            Target::Single(url) => Some(url),
            Target::Cluster(nodes) => nodes.first().map(String::as_str),
        }
    }
}

/// A connection to a single server or to a cluster, counting the requests it sends.
#[derive(Clone)]
pub(crate) struct Conn {
    kind: Kind,
    requests: Arc<AtomicU64>,
    /// Whether scripts run as the loaded function library (see `scripts`).
    functions: Arc<AtomicBool>,
}

#[derive(Clone)]
enum Kind {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

/// How long one reply may take before the call fails (a script over a big batch, or a
/// server busy rewriting its AOF, stays well under this).
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl Conn {
    pub(crate) async fn connect(target: &Target) -> Result<Conn, Error> {
        let kind = Conn::connect_kind(target).await?;
        Ok(Conn {
            kind,
            requests: Arc::default(),
            functions: Arc::default(),
        })
    }

    /// Whether this is one server (scripts may touch keys of several slots) rather than a
    /// cluster.
    pub(crate) fn is_single(&self) -> bool {
        matches!(self.kind, Kind::Single(_))
    }

    /// Whether scripts are called as functions of the loaded library.
    pub(crate) fn functions(&self) -> bool {
        self.functions.load(Ordering::Relaxed)
    }

    pub(crate) fn set_functions(&self, on: bool) {
        self.functions.store(on, Ordering::Relaxed);
    }

    /// Requests (commands and script calls) sent through this connection and its clones.
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    async fn connect_kind(target: &Target) -> Result<Kind, Error> {
        match target {
            Target::Single(url) => {
                let client = redis::Client::open(url.as_str())?;
                let config = ConnectionManagerConfig::new()
                    .set_response_timeout(Some(RESPONSE_TIMEOUT))
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_number_of_retries(6)
                    .set_max_delay(Duration::from_secs(2));
                Ok(Kind::Single(
                    ConnectionManager::new_with_config(client, config).await?,
                ))
            }
            Target::Cluster(nodes) => {
                if nodes.is_empty() {
                    return Err(Error::Config("a cluster needs at least one node".into()));
                }
                let client = ClusterClientBuilder::new(nodes.iter().map(String::as_str))
                    .connection_timeout(CONNECT_TIMEOUT)
                    .response_timeout(RESPONSE_TIMEOUT)
                    .retries(6)
                    .build()?;
                Ok(Kind::Cluster(client.get_async_connection().await?))
            }
        }
    }
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        match &mut self.kind {
            Kind::Single(c) => c.req_packed_command(cmd),
            Kind::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        self.requests.fetch_add(count as u64, Ordering::Relaxed);
        match &mut self.kind {
            Kind::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Kind::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match &self.kind {
            Kind::Single(c) => c.get_db(),
            Kind::Cluster(c) => c.get_db(),
        }
    }
}
