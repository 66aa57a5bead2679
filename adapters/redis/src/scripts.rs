//! The Lua scripts, from their files in `lua/`, hashed once per process. A connection to
//! one server loads them all when it opens (`load_all`), so the first commands of a busy
//! process do not each send `SCRIPT LOAD`. `EVALSHA` is sent first; a server that does
//! not know a script (restarted since, or a cluster node) gets `SCRIPT LOAD` once and the
//! call is repeated, by `redis::Script`.

use std::sync::LazyLock;

use redis::Script;

/// Every script the adapter runs.
pub(crate) struct Scripts {
    pub(crate) append: Script,
    pub(crate) append_indexed: Script,
    pub(crate) append_effects: Script,
    pub(crate) applied_many: Script,
    pub(crate) mark_applied: Script,
    pub(crate) index_intent: Script,
    pub(crate) index_settle: Script,
    pub(crate) publish: Script,
    pub(crate) take_due: Script,
    pub(crate) queue_dispatch: Script,
    pub(crate) queue_restore: Script,
    pub(crate) queue_claim_next: Script,
    pub(crate) queue_move: Script,
    pub(crate) queue_ack: Script,
    pub(crate) queue_expired: Script,
}

/// The append scripts share `case.lua`'s helpers.
const CASE: &str = include_str!("../lua/case.lua");

/// The queue scripts share `queue.lua`'s key names and helpers.
const QUEUE: &str = include_str!("../lua/queue.lua");

fn case_script(body: &str) -> Script {
    Script::new(&format!("{CASE}\n{body}"))
}

fn queue_script(body: &str) -> Script {
    Script::new(&format!("{QUEUE}\n{body}"))
}

/// The scripts, built on first use.
pub(crate) static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    append: case_script(include_str!("../lua/append.lua")),
    append_indexed: case_script(include_str!("../lua/append_indexed.lua")),
    append_effects: Script::new(&format!(
        "{CASE}\n{QUEUE}\n{}",
        include_str!("../lua/append_effects.lua")
    )),
    applied_many: Script::new(include_str!("../lua/applied_many.lua")),
    mark_applied: Script::new(include_str!("../lua/mark_applied.lua")),
    index_intent: Script::new(include_str!("../lua/index_intent.lua")),
    index_settle: Script::new(include_str!("../lua/index_settle.lua")),
    publish: Script::new(include_str!("../lua/publish.lua")),
    take_due: Script::new(include_str!("../lua/take_due.lua")),
    queue_dispatch: queue_script(include_str!("../lua/queue_dispatch.lua")),
    queue_restore: queue_script(include_str!("../lua/queue_restore.lua")),
    queue_claim_next: queue_script(include_str!("../lua/queue_claim_next.lua")),
    queue_move: queue_script(include_str!("../lua/queue_move.lua")),
    queue_ack: queue_script(include_str!("../lua/queue_ack.lua")),
    queue_expired: queue_script(include_str!("../lua/queue_expired.lua")),
});

impl Scripts {
    /// Every script, for loading them all at once.
    fn all(&self) -> [&Script; 15] {
        [
            &self.append,
            &self.append_indexed,
            &self.append_effects,
            &self.applied_many,
            &self.mark_applied,
            &self.index_intent,
            &self.index_settle,
            &self.publish,
            &self.take_due,
            &self.queue_dispatch,
            &self.queue_restore,
            &self.queue_claim_next,
            &self.queue_move,
            &self.queue_ack,
            &self.queue_expired,
        ]
    }
}

/// Loads every script into the server behind `conn` (`SCRIPT LOAD`).
pub(crate) async fn load_all<C: redis::aio::ConnectionLike>(
    conn: &mut C,
) -> redis::RedisResult<()> {
    for script in SCRIPTS.all() {
        script.load_async(conn).await?;
    }
    Ok(())
}
