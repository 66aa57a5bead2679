//! `greenlane bench`: the standard workloads of `bench/WORKLOADS.md` through the real
//! path — launch, dispatch to department queues, claim with a lease, approve, durable
//! completion before successors are dispatched — with in-process workers that approve at
//! once. Prints the one-line result that document describes. On Redis, `--nodes K` runs K
//! engine nodes in this process over one server and prefix.

mod redis;
mod report;
mod run;
mod spec;
mod workloads;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, ValueEnum};

/// Arguments of `greenlane bench`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// Backend to run on.
    #[arg(long, value_enum, default_value_t = Backend::Sqlite)]
    pub backend: Backend,
    /// Workload A (intake → 8 parallel → issuance) or B (intake → 4 → 6 → issuance).
    #[arg(long, value_enum, default_value_t = WorkloadArg::A)]
    pub workload: WorkloadArg,
    /// Cases to launch.
    #[arg(long, default_value_t = 2_000)]
    pub cases: usize,
    /// Fixed launch rate in cases per second; without it, launch as fast as accepted.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Concurrent workers per department, in all (split across `--nodes`).
    #[arg(long, default_value_t = 128)]
    pub workers: usize,
    /// Engine nodes sharing the Redis server and prefix (`--backend redis` only): each its
    /// own runtime, connection and ticker; launches go round-robin over them and each
    /// department's workers are split between them.
    #[arg(long, default_value_t = 1)]
    pub nodes: usize,
    /// With several nodes, run each command on whichever node the worker is on, instead of
    /// the node that launched the case (what a router that keeps each case on one node
    /// does; the default): nodes then decide on cached copies another node moved past.
    #[arg(long)]
    pub unrouted: bool,
    /// How workers claim: `deferred` (the default) takes the task from the queue under a
    /// lease and records the claim on the case with the approval, in one write; `recorded`
    /// records the claim on the case at once, then the approval (two writes per task).
    #[arg(long, value_enum, default_value_t = Claims::Deferred)]
    pub claims: Claims,
    /// Threads of the engine process's async runtime (default: one per core). With Redis
    /// on the same machine, one thread leaves the other core to Redis.
    #[arg(long)]
    pub engine_threads: Option<usize>,
    /// Concurrent launchers when no rate is set.
    #[arg(long, default_value_t = 256)]
    pub launchers: usize,
    /// SQLite database file (default: a new file in a temporary folder, removed after).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Who checkpoints SQLite's WAL: the commit that fills it (`inline`, SQLite's own and
    /// what `serve` does) or a thread of its own (`background`), to compare tails.
    #[arg(long, value_enum, default_value = "inline")]
    pub wal_checkpoints: WalCheckpointsArg,
    /// Redis server for `--backend redis` (`redis://127.0.0.1:6379/`).
    #[arg(long, env = "GREENLANE_REDIS", conflicts_with = "redis_cluster")]
    pub redis: Option<String>,
    /// A Redis Cluster for `--backend redis` instead, by one or more of its nodes; Redis's
    /// counters are summed over its masters.
    #[arg(long, value_name = "URL[,URL…]", value_delimiter = ',')]
    pub redis_cluster: Vec<String>,
    /// Key prefix on Redis (default: a new one per run, so runs never mix).
    #[arg(long)]
    pub redis_prefix: Option<String>,
    /// Print the result as JSON instead of the one-line form.
    #[arg(long)]
    pub json: bool,
    /// Lease of each claim, seconds; workers approve at once, so a short lease only matters
    /// when the process dies holding claims (they come back this long after).
    #[arg(long, default_value_t = 10)]
    pub lease_secs: i64,
    /// The project folder (set from the global `--root`).
    #[arg(skip)]
    pub root: std::path::PathBuf,
    /// Print `approved <case> <task>` as each approval is acknowledged (crash tests check
    /// that every acknowledged approval survives a `kill -9`).
    #[arg(long)]
    pub trace_acks: bool,
}

/// How the bench's workers claim their tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Claims {
    /// `Runtime::claim_next_deferred`, then `Runtime::decide_claimed`.
    Deferred,
    /// `Runtime::claim_next`, then the approval.
    Recorded,
}

impl Claims {
    /// The name in the result line.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Claims::Deferred => "deferred",
            Claims::Recorded => "recorded",
        }
    }
}

/// Backends `bench` can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Backend {
    /// Embedded SQLite file, durable (fsync per group commit).
    Sqlite,
    /// In process memory, not durable: the runtime's own cost.
    Memory,
    /// A Redis server (`--redis URL`), as durable as its AOF settings.
    Redis,
}

/// The standard workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum WorkloadArg {
    /// Intake → 8 in parallel → issuance.
    #[value(name = "A", alias = "a")]
    A,
    /// Intake → 4 → 6 → issuance.
    #[value(name = "B", alias = "b")]
    B,
    /// The shipped industrial-project workflow (rules, 17 tasks for the chemical plant).
    Industrial,
}

/// Runs the benchmark and prints its line.
pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Warnings and errors of the engine (a failed effect, a cursor not advanced) go to
    // stderr beside the writer statistics; RUST_LOG can ask for more.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let report = run::run(&args)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", report.line());
        if let Some(redis) = &report.redis {
            let top: Vec<String> = redis
                .top_commands
                .iter()
                .map(|(name, per_task)| format!("{name}={per_task:.1}"))
                .collect();
            println!(
                "redis commands per task: {} (prefix {})",
                top.join(" "),
                redis.prefix
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--wal-checkpoints`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum WalCheckpointsArg {
    /// A checkpointing thread with its own connection (PASSIVE, paced by the WAL).
    Background,
    /// SQLite's automatic checkpoint inside the commit that fills the WAL.
    Inline,
}

impl From<WalCheckpointsArg> for greenlane_sqlite::WalCheckpoints {
    fn from(arg: WalCheckpointsArg) -> Self {
        match arg {
            WalCheckpointsArg::Background => greenlane_sqlite::WalCheckpoints::Background,
            WalCheckpointsArg::Inline => greenlane_sqlite::WalCheckpoints::Inline,
        }
    }
}
