//! `greenlane bench --backend redis --redis URL`: the same workload over a Redis server,
//! with Redis's own counters read before and after (INFO commandstats and cpu), so the run
//! reports commands, requests and Redis CPU per task, and the server's AOF settings as
//! its durability. `--nodes K` connects K backends (K connections) under the same prefix,
//! one per engine node; the counters cover them all. After the run (outside its counters)
//! it times how long a published definition takes to reach another node.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::ids::{PrincipalId, WorkflowId};
use greenlane_redis::{RedisBackend, Target};
use greenlane_runtime::ports::{Backend, DefinitionStore, LogNotifier, SystemClock};
use greenlane_runtime::{Runtime, RuntimeConfig};

use super::report::{percentile, BenchReport, PublishReach, RedisFigures};
use super::run::{drive, CENTER};
use super::spec::Spec;
use super::Args;

/// Commands listed in the report's top commands.
const TOP: usize = 8;

pub(super) async fn run(args: &Args) -> anyhow::Result<BenchReport> {
    let target = crate::redis_target::target(args.redis.as_ref(), &args.redis_cluster).context(
        "--backend redis needs --redis URL (redis://127.0.0.1:6379/) or --redis-cluster URL[,URL…]",
    )?;
    let at = crate::redis_target::describe(&target);
    let prefix = match &args.redis_prefix {
        Some(prefix) => prefix.clone(),
        None => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            // Unique per run, and short: every key carries it, and Redis hashes and
            // compares whole key names.
            format!(
                "b{:x}",
                (now << 16) | u64::from(std::process::id() & 0xffff)
            )
        }
    };
    let mut nodes = Vec::new();
    for _ in 0..args.nodes.max(1) {
        nodes.push(Arc::new(
            RedisBackend::connect(target.clone(), &prefix)
                .await
                .with_context(|| format!("connecting to {at}"))?,
        ));
    }
    let backend = nodes[0].clone();
    let requests_sent = || nodes.iter().map(|n| n.requests_sent()).sum::<u64>();
    let durability = backend.durability().await?;
    let before = backend.server_stats().await?;
    let requests_before = requests_sent();
    let report = drive(nodes.clone(), args).await?;
    let requests = requests_sent() - requests_before;
    let used = backend.server_stats().await?.since(&before);
    let reach = publish_reach(args, &target, &prefix, backend.clone()).await?;
    let tasks = report.tasks.max(1) as f64;
    let mut top: Vec<(String, f64)> = used
        .calls
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "info" | "config|get"))
        .map(|(name, n)| (name.clone(), *n as f64 / tasks))
        .collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    top.truncate(TOP);
    Ok(BenchReport {
        backend: "redis",
        durability: format!("redis {durability}"),
        redis: Some(RedisFigures {
            commands_per_task: used.total_calls() as f64 / tasks,
            requests_per_task: requests as f64 / tasks,
            cpu_us_per_task: used.cpu_s * 1e6 / tasks,
            top_commands: top,
            prefix,
            publish_reach: Some(reach),
        }),
        ..report
    })
}

/// New versions published to time.
const ROUNDS: usize = 20;

/// How long a published definition takes to reach another node: new versions of the
/// workload's workflow are published through a runtime on `publisher`, each timed from
/// the call until another connection under the same prefix (another node) is told over
/// pub/sub, and checked to be what that node's reads return.
async fn publish_reach(
    args: &super::Args,
    target: &Target,
    prefix: &str,
    publisher: Arc<RedisBackend>,
) -> anyhow::Result<PublishReach> {
    let spec = Spec::of(args)?;
    let workflow = WorkflowId::new(spec.workflow.as_str());
    let runtime = Runtime::new(
        publisher,
        Arc::new(SystemClock),
        Arc::new(LogNotifier),
        RuntimeConfig::new(CENTER, cn_calendars()),
    );
    let other = RedisBackend::connect(target.clone(), prefix).await?;
    let mut announcements = other.announcements().await?;
    let mut told = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let version = runtime
            .publish(spec.source.clone(), &PrincipalId::new("bench"))
            .await?;
        loop {
            let announcement = tokio::time::timeout(Duration::from_secs(5), announcements.next())
                .await
                .context("no announcement of a published version within 5 s")?
                .context("the announcements' connection closed")?;
            if announcement.workflow == workflow && announcement.version == version {
                break;
            }
        }
        told.push(start.elapsed().as_secs_f64() * 1e3);
        let seen = other.definitions().latest(&workflow).await?;
        anyhow::ensure!(
            seen == version,
            "another node reads version {seen} after version {version} was announced"
        );
    }
    told.sort_by(f64::total_cmp);
    Ok(PublishReach {
        p50_ms: percentile(&told, 0.5),
        max_ms: told.last().copied().unwrap_or_default(),
    })
}
