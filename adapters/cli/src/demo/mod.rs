//! `greenlane demo`: a simulated service center (模拟政务服务中心).
//!
//! Every workflow of the project folder is published into a [`greenlane_runtime::Runtime`];
//! `--cases` applications (the examples with seeded variations) are launched over `--days`
//! working days on a simulated clock; simulated officers of every department claim and
//! decide, ask for supplements, run special procedures, sometimes late enough for warnings
//! and cards; applicants withdraw, collect their results and rate the service. The report
//! shows a timeline, the alerts by level and the supervision board's KPIs.
//!
//! - `definitions`: workflows, calendars and example applications from the project folder.
//! - `applications`: seeded variations of the examples.
//! - `hours`: working days and hours, ticks.
//! - `behaviour`: the seeded behaviour of officers and applicants.
//! - `simulation`: the run itself, generic over the runtime's backend; `simulation/actions`:
//!   what each simulated action does.
//! - `report`: the summary, as text or JSON; `labels`: events in words.
//!
//! Same seed, same output, byte for byte: the clock is simulated and every draw is seeded —
//! on SQLite (the default), in memory (`--memory`) or on Redis (`--redis URL` or
//! `--redis-cluster URL[,URL…]`, under a new
//! key prefix per run unless `--redis-prefix` names one).

mod applications;
mod behaviour;
pub(crate) mod definitions;
mod hours;
mod labels;
mod report;
mod simulation;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use greenlane_fs::Project;
use greenlane_redis::RedisBackend;
use greenlane_runtime::memory::MemoryBackend;

/// Output formats of `greenlane demo`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    /// A readable report.
    Text,
    /// Counts, alerts and the KPI board as JSON.
    Json,
}

/// Arguments of `greenlane demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Cases to launch.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    cases: u32,
    /// Working days over which the launches are spread.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=250))]
    days: u32,
    /// Seed of every random draw: the same seed gives the same output.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The first day, a working day within the calendar's years (YYYY-MM-DD).
    #[arg(long, default_value = "2026-03-02")]
    start: NaiveDate,
    /// SQLite database file for the run, which must not exist yet (default: a new file in
    /// a temporary folder, removed afterwards).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["memory", "redis", "redis_cluster"])]
    db: Option<PathBuf>,
    /// Run on the in-memory backend instead of SQLite.
    #[arg(long, conflicts_with_all = ["redis", "redis_cluster"])]
    memory: bool,
    /// Run on a Redis server instead of SQLite (`redis://127.0.0.1:6379/`).
    #[arg(long, value_name = "URL", conflicts_with = "redis_cluster")]
    redis: Option<String>,
    /// Run on a Redis Cluster instead, given by one or more of its nodes.
    #[arg(long, value_name = "URL[,URL…]", value_delimiter = ',')]
    redis_cluster: Vec<String>,
    /// Key prefix on Redis (default: a new one per run, so runs never mix: the simulated
    /// clock starts again at `--start` every run).
    #[arg(long, value_name = "PREFIX")]
    redis_prefix: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub(crate) fn run(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    if let Some(db) = &args.db {
        if db.exists() {
            anyhow::bail!(
                "--db {}: the file exists; the demo simulates a new center in a new file",
                db.display()
            );
        }
    }
    let definitions = definitions::load(project)?;
    let setup = simulation::Setup {
        cases: args.cases as usize,
        days: args.days,
        seed: args.seed,
        start: args.start,
    };
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let (run, backend) = if let Some(target) =
        crate::redis_target::target(args.redis.as_ref(), &args.redis_cluster)
    {
        let prefix = match &args.redis_prefix {
            Some(prefix) => prefix.clone(),
            None => fresh_prefix(),
        };
        let run = tokio.block_on(async {
            let at = crate::redis_target::describe(&target);
            let backend = RedisBackend::connect(target, &prefix)
                .await
                .with_context(|| format!("connecting to {at}"))?;
            simulation::simulate(Arc::new(backend), &definitions, &setup).await
        })?;
        (run, "redis")
    } else if args.memory {
        let backend = Arc::new(MemoryBackend::new());
        let run = tokio.block_on(simulation::simulate(backend, &definitions, &setup))?;
        (run, "memory")
    } else {
        let run = tokio.block_on(crate::store::with_sqlite(args.db.as_deref(), |backend| {
            simulation::simulate(backend, &definitions, &setup)
        }))?;
        (run, "sqlite")
    };
    let hours = hours::Hours::new(&definitions.calendar, simulation::TIME_ZONE)?;
    let summary = report::Summary::new(&run, &setup, &definitions, &hours, backend)?;
    match args.format {
        Format::Text => print!("{}", report::text(&summary, &run, hours.zone())),
        Format::Json => print!("{}", report::json(&summary)?),
    }
    Ok(ExitCode::SUCCESS)
}

/// A key prefix no earlier run used: `demo-<process>-<seconds since 1970>`.
fn fresh_prefix() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    format!("demo-{}-{now}", std::process::id())
}
