//! The Lua scripts, from their files in `lua/`, built once per process, in two forms:
//!
//! - **On one server, one function library** (`FUNCTION LOAD`, Redis 7): `case.lua` and
//!   `queue.lua`'s helpers are defined once when the library loads, and each script's body
//!   becomes a function called with `FCALL`. As a script, every call would first build
//!   those helpers again (a dozen closures, and their garbage): functions cut Redis's CPU
//!   per task of workload A by about a tenth. The library's name carries a hash of its
//!   code, so processes of different versions sharing one server each call their own.
//!   A connection loads it when it opens (`load_all`), and again when the server answers
//!   that a function is missing (restarted without persistence, or flushed).
//! - **On a cluster, scripts** (`EVALSHA`, by `redis::Script`, which sends `SCRIPT LOAD`
//!   once to a node that does not know one): the cluster routes each call to its keys'
//!   node, and no library has to be kept loaded on every master through failovers.
//!
//! Call sites build a [`Call`] and need not know which form runs.

use std::sync::LazyLock;

use redis::{FromRedisValue, RedisResult, Script, ToRedisArgs};

use crate::conn::Conn;

/// Every script the adapter runs.
pub(crate) struct Scripts {
    pub(crate) append: Lua,
    pub(crate) append_indexed: Lua,
    pub(crate) append_effects: Lua,
    pub(crate) applied_many: Lua,
    pub(crate) mark_applied: Lua,
    pub(crate) index_intent: Lua,
    pub(crate) index_settle: Lua,
    pub(crate) publish: Lua,
    pub(crate) take_due: Lua,
    pub(crate) queue_dispatch: Lua,
    pub(crate) queue_restore: Lua,
    pub(crate) queue_claim_next: Lua,
    pub(crate) queue_move: Lua,
    pub(crate) queue_ack: Lua,
    pub(crate) queue_expired: Lua,
    pub(crate) queue_trim: Lua,
}

/// The append scripts share `case.lua`'s helpers.
const CASE: &str = include_str!("../lua/case.lua");

/// The queue scripts share `queue.lua`'s key names and helpers.
const QUEUE: &str = include_str!("../lua/queue.lua");

/// One script: its name, its body, and the script that runs it with `EVALSHA` (the
/// helpers it uses prepended).
pub(crate) struct Lua {
    name: &'static str,
    body: &'static str,
    script: Script,
    function: std::sync::OnceLock<String>,
}

impl Lua {
    fn new(name: &'static str, body: &'static str, helpers: &[&str]) -> Lua {
        let mut code = helpers.join("\n");
        code.push('\n');
        code.push_str(body);
        Lua {
            name,
            body,
            script: Script::new(&code),
            function: std::sync::OnceLock::new(),
        }
    }

    /// Its function's name in the library.
    fn function(&self) -> &str {
        self.function
            .get_or_init(|| format!("{}_{}", LIBRARY.prefix, self.name))
    }

    /// A call of this script, to be given its keys and arguments.
    pub(crate) fn call(&'static self) -> Call {
        Call {
            lua: self,
            args: Args::default(),
        }
    }
}

/// The scripts, built on first use.
pub(crate) static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    append: Lua::new("append", include_str!("../lua/append.lua"), &[CASE]),
    append_indexed: Lua::new(
        "append_indexed",
        include_str!("../lua/append_indexed.lua"),
        &[CASE],
    ),
    append_effects: Lua::new(
        "append_effects",
        include_str!("../lua/append_effects.lua"),
        &[CASE, QUEUE],
    ),
    applied_many: Lua::new("applied_many", include_str!("../lua/applied_many.lua"), &[]),
    mark_applied: Lua::new("mark_applied", include_str!("../lua/mark_applied.lua"), &[]),
    index_intent: Lua::new("index_intent", include_str!("../lua/index_intent.lua"), &[]),
    index_settle: Lua::new("index_settle", include_str!("../lua/index_settle.lua"), &[]),
    publish: Lua::new("publish", include_str!("../lua/publish.lua"), &[]),
    take_due: Lua::new("take_due", include_str!("../lua/take_due.lua"), &[]),
    queue_dispatch: Lua::new(
        "queue_dispatch",
        include_str!("../lua/queue_dispatch.lua"),
        &[QUEUE],
    ),
    queue_restore: Lua::new(
        "queue_restore",
        include_str!("../lua/queue_restore.lua"),
        &[QUEUE],
    ),
    queue_claim_next: Lua::new(
        "queue_claim_next",
        include_str!("../lua/queue_claim_next.lua"),
        &[QUEUE],
    ),
    queue_move: Lua::new(
        "queue_move",
        include_str!("../lua/queue_move.lua"),
        &[QUEUE],
    ),
    queue_ack: Lua::new("queue_ack", include_str!("../lua/queue_ack.lua"), &[QUEUE]),
    queue_expired: Lua::new(
        "queue_expired",
        include_str!("../lua/queue_expired.lua"),
        &[QUEUE],
    ),
    queue_trim: Lua::new(
        "queue_trim",
        include_str!("../lua/queue_trim.lua"),
        &[QUEUE],
    ),
});

impl Scripts {
    /// Every script, for loading them all at once.
    fn all(&self) -> [&Lua; 16] {
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
            &self.queue_trim,
        ]
    }
}

/// The function library: the helpers once, then every script's body as a function
/// named `gl_<hash>_<script>`, in a library named `greenlane_<hash>`, where the hash is
/// of the code itself.
pub(crate) struct Library {
    code: String,
    prefix: String,
}

/// The library, built on first use.
pub(crate) static LIBRARY: LazyLock<Library> = LazyLock::new(|| {
    let mut functions = String::new();
    for lua in SCRIPTS.all() {
        functions.push_str(&format!(
            "redis.register_function('@_{}', function(KEYS, ARGV)\n{}\nend)\n",
            lua.name, lua.body
        ));
    }
    let unnamed = format!("{CASE}\n{QUEUE}\n{functions}");
    // The same SHA-1 that names scripts, of the code without its names.
    let sha = Script::new(&unnamed).get_hash().to_owned();
    let hash = &sha[..12];
    let prefix = format!("gl_{hash}");
    Library {
        code: format!(
            "#!lua name=greenlane_{hash}\n{}",
            unnamed.replace(
                "redis.register_function('@_",
                &format!("redis.register_function('{prefix}_")
            )
        ),
        prefix,
    }
});

impl Library {
    /// Loads the library into the server behind `conn`, replacing one of the same name
    /// (the same code).
    pub(crate) async fn load<C: redis::aio::ConnectionLike>(
        &self,
        conn: &mut C,
    ) -> RedisResult<()> {
        redis::cmd("FUNCTION")
            .arg("LOAD")
            .arg("REPLACE")
            .arg(&self.code)
            .query_async::<String>(conn)
            .await
            .map(|_| ())
    }
}

/// Makes the library known to the server behind `conn`, a single server, and has the
/// connection call functions from now on. A server that refuses it (without functions,
/// before Redis 7, or a user whose ACL denies `FUNCTION`) is sent every script instead,
/// and the connection goes on with `EVALSHA`.
pub(crate) async fn load_all(conn: &mut Conn) -> RedisResult<()> {
    match LIBRARY.load(conn).await {
        Ok(()) => {
            conn.set_functions(true);
            Ok(())
        }
        // The server refused (before Redis 7, or an ACL without `FUNCTION`): scripts. A
        // server that cannot answer yet (down, or still loading its data) did not refuse.
        Err(error) if !crate::error::unavailable(&error) => {
            tracing::warn!(%error, "the server refused the function library; running scripts with EVALSHA");
            for lua in SCRIPTS.all() {
                lua.script.load_async(conn).await?;
            }
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Arguments packed one after the other in one buffer: no allocation per argument, and
/// the request is built with its exact size.
#[derive(Default)]
struct Packed {
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl Packed {
    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter())
            .map(|(start, &end)| &self.data[start..end])
    }
}

impl redis::RedisWrite for Packed {
    fn write_arg(&mut self, arg: &[u8]) {
        self.data.extend_from_slice(arg);
        self.ends.push(self.data.len());
    }

    fn writer_for_next_arg(&mut self) -> impl std::io::Write + '_ {
        ArgWriter { packed: self }
    }
}

/// Writes one argument into a [`Packed`]; it ends when the writer is dropped.
struct ArgWriter<'a> {
    packed: &'a mut Packed,
}

impl std::io::Write for ArgWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.packed.data.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for ArgWriter<'_> {
    fn drop(&mut self) {
        self.packed.ends.push(self.packed.data.len());
    }
}

/// Keys and arguments: those of a [`Call`], or of one item of a batched call
/// ([`Call::item`]).
#[derive(Default)]
pub(crate) struct Args {
    keys: Packed,
    args: Packed,
}

impl Args {
    /// Adds a key.
    pub(crate) fn key<T: ToRedisArgs>(&mut self, key: T) -> &mut Args {
        key.write_redis_args(&mut self.keys);
        self
    }

    /// Adds an argument.
    pub(crate) fn arg<T: ToRedisArgs>(&mut self, arg: T) -> &mut Args {
        arg.write_redis_args(&mut self.args);
        self
    }
}

/// One call of a script: `FCALL` of its function on a single server that has functions,
/// else `EVALSHA`. Keys and arguments are added through [`Args`].
pub(crate) struct Call {
    lua: &'static Lua,
    args: Args,
}

impl std::ops::Deref for Call {
    type Target = Args;
    fn deref(&self) -> &Args {
        &self.args
    }
}

impl std::ops::DerefMut for Call {
    fn deref_mut(&mut self) -> &mut Args {
        &mut self.args
    }
}

impl Call {
    /// Adds one item of a batch: its keys after the call's keys, and its number of
    /// arguments, then its arguments, after the call's arguments.
    pub(crate) fn item(&mut self, item: &Args) -> &mut Call {
        use redis::RedisWrite;
        for key in item.keys.iter() {
            self.args.keys.write_arg(key);
        }
        item.args.ends.len().write_redis_args(&mut self.args.args);
        for arg in item.args.iter() {
            self.args.args.write_arg(arg);
        }
        self
    }

    /// Runs the call. A server that answers that the function is missing (restarted
    /// without persistence, or flushed) is sent the library, and the call is repeated once.
    pub(crate) async fn invoke<T: FromRedisValue>(&self, conn: &mut Conn) -> RedisResult<T> {
        if !(conn.is_single() && conn.functions()) {
            let mut call = self.lua.script.prepare_invoke();
            for key in self.args.keys.iter() {
                call.key(key);
            }
            for arg in self.args.args.iter() {
                call.arg(arg);
            }
            return call.invoke_async(conn).await;
        }
        let function = self.lua.function();
        let count = self.args.keys.ends.len();
        let mut fcall = redis::Cmd::with_capacity(
            3 + count + self.args.args.ends.len(),
            5 + function.len() + 20 + self.args.keys.data.len() + self.args.args.data.len(),
        );
        fcall.arg("FCALL").arg(function).arg(count);
        for key in self.args.keys.iter() {
            fcall.arg(key);
        }
        for arg in self.args.args.iter() {
            fcall.arg(arg);
        }
        match fcall.query_async(conn).await {
            Err(error) if is_missing_function(&error) => {
                LIBRARY.load(conn).await?;
                fcall.query_async(conn).await
            }
            result => result,
        }
    }
}

fn is_missing_function(error: &redis::RedisError) -> bool {
    error.to_string().contains("Function not found")
}
