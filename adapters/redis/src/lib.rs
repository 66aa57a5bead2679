//! greenlane's distributed backend on Redis or Redis Cluster: every port of
//! `greenlane_runtime` over one Redis, so several engine nodes share the work and
//! department systems claim their tasks from Redis.
//!
//! # Layout
//! - [`RedisBackend`]: connects ([`Target`]: one server or a cluster) and hands out the
//!   four ports, all under one key prefix.
//! - `events` ([`RedisEvents`]): case event lists appended with the expected version
//!   checked in the script. On one server `lua/append_indexed.lua` also updates the global
//!   case index; on a cluster the index lives in another slot and is kept a superset of
//!   the truth (`lua/index_intent.lua`, `lua/append.lua`, `lua/index_settle.lua`).
//! - `marks`: outbox cursor moves coalesced and sent many to a request.
//! - `queue` ([`RedisQueue`]): one Stream per department with the consumer group
//!   `greenlane`; leased and held entries are pending entries owned by their officer;
//!   claims take the earliest due first from a sorted set of free entries (`lua/queue*.lua`).
//! - `deadlines` ([`RedisDeadlines`]): a sorted set; `lua/take_due.lua` takes due entries.
//! - `department` ([`DepartmentClient`]): the department side — one officer's system
//!   claiming its department's tasks from Redis, renewing the lease while it works, and
//!   approving, rejecting, asking for supplements or releasing (errors: [`DepartmentError`]).
//! - `definitions` ([`RedisDefinitions`]): versions per workflow, announced on pub/sub
//!   (`lua/publish.lua`); `announce` ([`Announcements`]) listens.
//! - `keys`: key names and their hash tags (which script touches which slot);
//!   `scripts`: the Lua files, hashed once; `codec`: JSON and instants; `conn`: one
//!   handle for a single server or a cluster; `error`: [`Error`]; `stats`
//!   ([`ServerStats`]): a server's command counters, CPU and persistence settings.
//!
//! Durability is Redis's: run it with `appendonly yes` and `appendfsync always` for
//! "durable when acknowledged" (see `README.md` beside this crate).

mod announce;
mod batch;
mod chain;
mod codec;
mod conn;
mod deadlines;
mod definitions;
mod deliveries;
mod department;
mod error;
mod events;
mod fused;
mod keys;
mod marks;
mod queue;
mod scripts;
mod stats;
mod throttle;

pub use announce::{Announcement, Announcements};
pub use conn::Target;
pub use deadlines::RedisDeadlines;
pub use definitions::RedisDefinitions;
pub use deliveries::RedisDeliveries;
pub use department::department_client;
pub use error::Error;
pub use events::RedisEvents;
pub use queue::RedisQueue;
pub use stats::ServerStats;
pub use throttle::RedisThrottle;

use greenlane_engine::case::CaseStatusKind;
use greenlane_engine::case::Recorded;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::{append_then_carry_out, Appended, Backend, Effects};
use greenlane_runtime::StoreError;

use conn::Conn;
use keys::Keys;

/// What every port shares: the connection and the key names.
#[derive(Clone)]
pub(crate) struct Store {
    pub(crate) conn: Conn,
    pub(crate) keys: Keys,
}

/// Every port on one Redis (or Redis Cluster), under one key prefix.
pub struct RedisBackend {
    target: Target,
    store: Store,
    /// Gathers concurrent appends into one call (one server only).
    batcher: batch::Batcher,
    events: RedisEvents,
    queue: RedisQueue,
    deadlines: RedisDeadlines,
    definitions: RedisDefinitions,
    throttle: RedisThrottle,
    deliveries: RedisDeliveries,
}

impl std::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBackend")
            .field("target", &self.target)
            .field("prefix", &self.store.keys.prefix())
            .finish_non_exhaustive()
    }
}

impl RedisBackend {
    /// Connects to `target` and keeps every key under `prefix` (which must not contain
    /// `{` or `}`). Several backends with the same target and prefix, in one process or
    /// many, share the same data.
    pub async fn connect(target: Target, prefix: &str) -> Result<RedisBackend, Error> {
        let keys = Keys::new(prefix)?;
        let mut conn = Conn::connect(&target).await?;
        if conn.is_single() {
            scripts::load_all(&mut conn).await?;
        }
        Ok(RedisBackend::from_parts(target, Store { conn, keys }))
    }

    /// [`RedisBackend::connect`], waiting for a server that cannot be reached yet (down,
    /// or still loading its data): each failure is logged and the connection tried again
    /// after a delay that doubles up to five seconds. Any other failure (a bad address, a
    /// refused login) is returned at once.
    pub async fn connect_patiently(target: Target, prefix: &str) -> Result<RedisBackend, Error> {
        let mut wait = std::time::Duration::from_millis(100);
        let mut attempt = 1u32;
        loop {
            match RedisBackend::connect(target.clone(), prefix).await {
                Err(error) if error.is_unavailable() => {
                    tracing::warn!(
                        attempt,
                        retry_in_ms = wait.as_millis() as u64,
                        %error,
                        "Redis cannot be reached yet; waiting for it"
                    );
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(std::time::Duration::from_secs(5));
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// The same connection under another prefix: another, independent store (tests give
    /// each backend a fresh prefix).
    pub fn with_prefix(&self, prefix: &str) -> Result<RedisBackend, Error> {
        let store = Store {
            conn: self.store.conn.clone(),
            keys: Keys::new(prefix)?,
        };
        Ok(RedisBackend::from_parts(self.target.clone(), store))
    }

    fn from_parts(target: Target, store: Store) -> RedisBackend {
        RedisBackend {
            target,
            batcher: batch::Batcher::new(store.conn.clone(), store.keys.prefix()),
            events: RedisEvents::new(store.clone()),
            queue: RedisQueue::new(store.clone()),
            deadlines: RedisDeadlines {
                store: store.clone(),
            },
            definitions: RedisDefinitions {
                store: store.clone(),
            },
            throttle: RedisThrottle {
                store: store.clone(),
            },
            deliveries: RedisDeliveries {
                store: store.clone(),
            },
            store,
        }
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        self.store.keys.prefix()
    }

    /// Where the data lives.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Subscribes to announcements of newly published definition versions.
    pub async fn announcements(&self) -> Result<Announcements, Error> {
        let url = self
            .target
            .any_node()
            .ok_or_else(|| Error::Config("no node to subscribe on".into()))?;
        Announcements::subscribe(url, &self.store.keys.definitions_channel()).await
    }
}

impl Backend for RedisBackend {
    type Events = RedisEvents;
    type Queue = RedisQueue;
    type Deadlines = RedisDeadlines;
    type Definitions = RedisDefinitions;
    type Throttle = RedisThrottle;
    type Deliveries = RedisDeliveries;

    fn events(&self) -> &RedisEvents {
        &self.events
    }
    fn throttle(&self) -> &RedisThrottle {
        &self.throttle
    }
    fn deliveries(&self) -> &RedisDeliveries {
        &self.deliveries
    }
    fn queue(&self) -> &RedisQueue {
        &self.queue
    }
    fn deadlines(&self) -> &RedisDeadlines {
        &self.deadlines
    }
    fn definitions(&self) -> &RedisDefinitions {
        &self.definitions
    }
    fn shared(&self) -> bool {
        true
    }

    /// One server: one script (`fused`). A cluster: the append, then the effects.
    async fn append_with_effects(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
        status: CaseStatusKind,
        effects: &Effects,
    ) -> Result<Appended, StoreError> {
        if self.store.conn.is_single() {
            self.append_fused(case, expected, events, status, effects)
                .await
        } else {
            append_then_carry_out(self, case, expected, events, status, effects).await
        }
    }
}
