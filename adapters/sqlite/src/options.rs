//! How a backend is opened: what the futures of queue and deadline writes wait for, and
//! who checkpoints the WAL.

/// What a queue or deadline write (dispatch, claim, lease, ack, schedule, take…) makes its
/// caller wait for. Event appends and publishes always wait for their commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EffectWrites {
    /// Until the commit holding the write: every acknowledged write is durable (default).
    #[default]
    Committed,
    /// Only until the write is queued in the writer's ordered stream; it is committed with
    /// the next batch. A crash can lose such writes that no later awaited write followed —
    /// but never one that came before an acknowledged append or publish, since batches
    /// commit in order. The runtime rebuilds queues and deadlines from the event store on
    /// recovery, and its outbox cursor (written after the effects, in the same stream) is
    /// never durable ahead of them, so nothing the event store holds is lost: only repeated.
    /// Each command then waits for one commit (its append) instead of one per effect.
    Ordered,
    /// Never written to the file: the queues and the deadline index live in memory only,
    /// and `Runtime::recover` — which must run after opening — rebuilds them from the
    /// events (every open task's entry and holder, every open case's next check). The
    /// writer then commits events, case rows and definitions only, about 40 % fewer writes
    /// per task; the cost is a restart that replays every open case. Tables written in
    /// another mode are still loaded; recovery corrects them.
    Rebuilt,
}

/// Who copies the WAL back into the database file.
///
/// Measured with `greenlane bench --wal-checkpoints` (workload A at half its maximum rate,
/// see `bench/RESULTS.md`), the inline checkpoint gives the lower tail on a disk whose
/// fsyncs queue behind each other: a checkpoint's fsync of the database file beside the
/// writer's fsyncs of the WAL slows both. The background checkpointer is for disks that
/// take concurrent fsyncs well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WalCheckpoints {
    /// SQLite's automatic checkpoint, run by the commit that takes the WAL past 1,000
    /// pages: that commit, and every write waiting behind it, waits for the checkpoint,
    /// and no other fsync competes with the writer's (default).
    #[default]
    Inline,
    /// A thread with a connection of its own runs PASSIVE checkpoints once a second: no
    /// commit waits for a checkpoint, but its fsyncs run beside the writer's.
    Background,
}

/// Options of [`crate::SqliteBackend::open_with`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SqliteOptions {
    /// What queue and deadline writes wait for.
    pub effect_writes: EffectWrites,
    /// Who checkpoints the WAL.
    pub wal_checkpoints: WalCheckpoints,
}

impl SqliteOptions {
    /// These options with `effect_writes` set.
    pub fn effect_writes(mut self, effect_writes: EffectWrites) -> SqliteOptions {
        self.effect_writes = effect_writes;
        self
    }

    /// These options with `wal_checkpoints` set.
    pub fn wal_checkpoints(mut self, wal_checkpoints: WalCheckpoints) -> SqliteOptions {
        self.wal_checkpoints = wal_checkpoints;
        self
    }
}
