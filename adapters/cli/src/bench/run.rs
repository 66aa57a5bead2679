//! Running one benchmark: launchers, in-process workers per department, and the clock —
//! over one engine node or several (`--nodes`, on Redis), each a `Runtime` of its own.
//!
//! With several nodes, launches go round-robin over them and each department's workers are
//! split between them (at least one per node), so the total concurrency is that of one
//! node. A node's idle workers are woken by its own dispatches only
//! (`Runtime::wait_for_work`); since every node has workers in every department, a task a
//! node dispatches wakes one of its own workers (or the next of them to finish its task),
//! and the other nodes' workers, which poll every [`IDLE_POLL`], only pick up what is left.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::case::{Command, Event, Rejection};
use greenlane_engine::ids::{CaseId, PrincipalId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_runtime::access::HashParams;
use greenlane_runtime::memory::MemoryBackend;
use greenlane_runtime::ports::{Backend, Clock, LogNotifier};
use greenlane_runtime::service::Shutdown;
use greenlane_runtime::{
    ClaimedTask, LaunchRequest, Outcome, Runtime, RuntimeConfig, RuntimeError, StoreError,
    TickerOptions,
};

use super::report::{peak_rss_mib, percentile, BenchReport};
use super::{Args, Backend as BackendArg, Claims};

pub(super) const CENTER: &str = "bench";

/// Runs the benchmark described by `args` on a fresh tokio runtime.
pub(super) fn run(args: &Args) -> anyhow::Result<BenchReport> {
    let mut tokio = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = args.engine_threads {
        tokio.worker_threads(threads.max(1));
    }
    let tokio = tokio
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    anyhow::ensure!(
        args.nodes <= 1 || args.backend == BackendArg::Redis,
        "--nodes needs --backend redis: the other backends belong to one process"
    );
    tokio.block_on(async {
        match args.backend {
            BackendArg::Memory => {
                let report = drive(vec![Arc::new(MemoryBackend::new())], args).await?;
                Ok(BenchReport {
                    backend: "memory",
                    durability: "none (memory)".into(),
                    ..report
                })
            }
            BackendArg::Redis => super::redis::run(args).await,
            BackendArg::Sqlite => {
                let checkpoints = args.wal_checkpoints.into();
                crate::store::with_sqlite_checkpointed(args.db.as_deref(), checkpoints, |backend| async move {
                    let report = drive(vec![backend.clone()], args).await?;
                    let stats = backend.writer_stats();
                    eprintln!(
                        "sqlite writer: batches={} writes={} mean_batch={:.1} largest_batch={} mean_commit_ms={:.2} slowest_commit_ms={:.1} statements_s={:.2} commits_s={:.2}",
                        stats.batches,
                        stats.writes,
                        stats.mean_batch(),
                        stats.largest_batch,
                        stats.mean_commit().as_secs_f64() * 1000.0,
                        stats.slowest_commit.as_secs_f64() * 1000.0,
                        stats.statement_time.as_secs_f64(),
                        stats.commit_time.as_secs_f64(),
                    );
                    Ok(BenchReport {
                        backend: "sqlite",
                        durability: format!(
                            "fsync per group commit (WAL, synchronous=FULL, checkpoints {})",
                            match checkpoints {
                                greenlane_sqlite::WalCheckpoints::Inline => "inline",
                                _ => "background",
                            }
                        ),
                        ..report
                    })
                })
                .await
            }
        }
    })
}

/// Real time, counted from Monday 2026-03-02 09:00 in Shanghai: leases run out as they
/// would, while every date stays inside the shipped calendar's years whatever today is.
struct BenchClock {
    base: greenlane_engine::case::Timestamp,
    started: Instant,
}

impl BenchClock {
    fn new() -> BenchClock {
        use chrono::TimeZone;
        BenchClock {
            base: chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
            started: Instant::now(),
        }
    }
}

impl Clock for BenchClock {
    fn now(&self) -> greenlane_engine::case::Timestamp {
        let elapsed = chrono::Duration::from_std(self.started.elapsed()).unwrap_or_default();
        self.base + elapsed
    }
}

/// Completion times and counters shared by every task of the run.
#[derive(Default)]
struct Tally {
    launched: Mutex<HashMap<CaseId, Instant>>,
    /// The node that launched each case, which runs its commands when routing by case.
    owners: Mutex<HashMap<CaseId, usize>>,
    completed: Mutex<HashMap<CaseId, Instant>>,
    launch_latencies: Mutex<Vec<f64>>,
    approved: AtomicUsize,
    done: tokio::sync::Notify,
}

/// How often each node ticks (lease expiry, deadline checks, lagging effects) on Redis,
/// as `greenlane serve` does: a lease held by a node that fails comes back this way.
const TICK: Duration = Duration::from_secs(1);

/// Runs the workload over one engine node per backend handle in `nodes` (all on the same
/// store); the first node publishes the workflow. Nodes tick only when there are several.
pub(super) async fn drive<B: Backend>(
    nodes: Vec<Arc<B>>,
    args: &Args,
) -> anyhow::Result<BenchReport> {
    anyhow::ensure!(!nodes.is_empty(), "at least one node");
    let spec = super::spec::Spec::of(args)?;
    let mut config = RuntimeConfig::new(CENTER, cn_calendars());
    config.default_lease = chrono::Duration::seconds(args.lease_secs.max(1));
    let clock: Arc<dyn Clock> = Arc::new(BenchClock::new());
    let runtimes: Vec<Arc<Runtime<B>>> = nodes
        .into_iter()
        .map(|backend| {
            Arc::new(Runtime::new(
                backend,
                clock.clone(),
                Arc::new(LogNotifier),
                config.clone(),
            ))
        })
        .collect();
    let runtime = runtimes[0].clone();
    runtime.recover().await?;
    let workflow = WorkflowId::new(spec.workflow.as_str());
    if runtime.latest_version(&workflow).await.is_err() {
        runtime
            .publish(spec.source.clone(), &PrincipalId::new("bench"))
            .await?;
    }
    let tally = Arc::new(Tally::default());
    let cases = args.cases;
    // Every node ticks, as a server does: a lease that ran out before its approval got
    // through (the run saturates the store on purpose) goes back to its queue.
    let (stop_tickers, shutdown) = Shutdown::new();
    let tickers: Vec<_> = runtimes
        .iter()
        .map(|node| {
            tokio::spawn(
                node.clone()
                    .run_ticker(TickerOptions::every(TICK), shutdown.clone()),
            )
        })
        .collect();

    let mut workers = Vec::new();
    let nodes = Arc::new(runtimes.clone());
    let routed = runtimes.len() > 1 && !args.unrouted;
    for department in &spec.departments {
        for i in 0..args.workers.max(runtimes.len()) {
            let officer =
                Principal::officer(&format!("bench-{department}-{i}"), department, CENTER);
            let worker = Worker {
                nodes: nodes.clone(),
                node: i % runtimes.len(),
                routed,
                claims: args.claims,
                officer,
                tally: tally.clone(),
                cases,
                trace: args.trace_acks,
            };
            let worker = worker.work();
            workers.push(tokio::spawn(async move {
                let result = worker.await;
                if let Err(error) = &result {
                    // The run would wait for this worker's cases forever: say why.
                    eprintln!("worker failed: {error:#}");
                }
                result
            }));
        }
    }

    // The benchmark measures orchestration: one access code is hashed once per run and
    // its hash recorded by every case.
    let (_, access_code_hash) = greenlane_runtime::access::issue(HashParams::default()).await?;
    let request = LaunchRequest::new(&workflow, spec.application.clone(), access_code_hash);
    let started = Instant::now();
    let coordinator = Principal::new("bench-coordinator", Role::Coordinator, CENTER);
    let next = Arc::new(AtomicUsize::new(0));
    let mut launchers = Vec::new();
    match args.rate {
        Some(rate) => {
            let period = Duration::from_secs_f64(1.0 / rate.max(0.001));
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for n in 0..cases {
                interval.tick().await;
                launchers.push(tokio::spawn(launch_one(
                    runtimes.clone(),
                    n % runtimes.len(),
                    coordinator.clone(),
                    request.clone(),
                    tally.clone(),
                )));
            }
        }
        None => {
            for _ in 0..args.launchers.max(1) {
                let (runtimes, coordinator, request, tally, next) = (
                    runtimes.clone(),
                    coordinator.clone(),
                    request.clone(),
                    tally.clone(),
                    next.clone(),
                );
                launchers.push(tokio::spawn(async move {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= cases {
                            break;
                        }
                        launch_one(
                            runtimes.clone(),
                            n % runtimes.len(),
                            coordinator.clone(),
                            request.clone(),
                            tally.clone(),
                        )
                        .await?;
                    }
                    anyhow::Ok(())
                }));
            }
        }
    }
    for launcher in launchers {
        launcher.await??;
    }
    while lock(&tally.completed).len() < cases {
        tally.done.notified().await;
    }
    let wall = started.elapsed().as_secs_f64();
    // Every case is complete: each worker stops at its next look at the tally (within
    // IDLE_POLL), each ticker after its tick in progress. Nothing is aborted mid-command.
    for worker in workers {
        // A worker that failed said why already.
        let _ = worker.await;
    }
    stop_tickers.trigger();
    for ticker in tickers {
        ticker.await?;
    }

    let launched = lock(&tally.launched);
    let completed = lock(&tally.completed);
    let mut latencies: Vec<f64> = completed
        .iter()
        .filter_map(|(case, end)| {
            let start = launched.get(case)?;
            Some(end.saturating_duration_since(*start).as_secs_f64() * 1000.0)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let mut launch_latencies = lock(&tally.launch_latencies).clone();
    launch_latencies.sort_by(f64::total_cmp);
    let tasks = tally.approved.load(Ordering::Relaxed);
    Ok(BenchReport {
        backend: "",
        workload: spec.label,
        cases,
        tasks,
        wall_s: wall,
        cases_per_s: cases as f64 / wall,
        tasks_per_s: tasks as f64 / wall,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        launch_p99_ms: percentile(&launch_latencies, 0.99),
        rate: args.rate,
        workers: args.workers.max(runtimes.len()),
        nodes: runtimes.len(),
        routed,
        claims: args.claims.as_str(),
        peak_rss_mib: peak_rss_mib(),
        durability: String::new(),
        redis: None,
    })
}

async fn launch_one<B: Backend>(
    runtimes: Vec<Arc<Runtime<B>>>,
    node: usize,
    coordinator: Principal,
    request: LaunchRequest,
    tally: Arc<Tally>,
) -> anyhow::Result<()> {
    let start = Instant::now();
    let launched = runtimes[node].launch(&coordinator, request).await?;
    lock(&tally.owners).insert(launched.case.clone(), node);
    lock(&tally.launch_latencies).push(start.elapsed().as_secs_f64() * 1000.0);
    lock(&tally.launched).insert(launched.case, start);
    Ok(())
}

/// How long a worker waits for a permit before asking its queue anyway. Dispatches and
/// releases in this process hand out permits at once, so this only bounds how late a worker
/// sees work that arrived some other way; short polls by 128 workers per department cost
/// more store calls than the tasks themselves (on Redis, five empty claims per task at
/// 50 ms).
const IDLE_POLL: Duration = Duration::from_secs(1);

/// One in-process worker of one department, on one node.
struct Worker<B: Backend> {
    nodes: Arc<Vec<Arc<Runtime<B>>>>,
    /// The node it is on: where it waits for work and takes entries from the queue.
    node: usize,
    /// Whether each case's commands go to the node that launched it.
    routed: bool,
    claims: Claims,
    officer: Principal,
    tally: Arc<Tally>,
    cases: usize,
    trace: bool,
}

impl<B: Backend> Worker<B> {
    /// The node that runs commands on `case`.
    fn owner(&self, case: &CaseId) -> &Runtime<B> {
        let node = match self.routed {
            true => lock(&self.tally.owners)
                .get(case)
                .copied()
                .unwrap_or(self.node),
            false => self.node,
        };
        &self.nodes[node]
    }

    /// Claim the department's next task, approve it at once, repeat. With several nodes
    /// and no routing, a command may lose an optimistic race against another node a few
    /// times in a row (`Runtime::execute` retries three times); the worker then tries
    /// again, as an officer would: a lost claim leaves the task in the queue, a lost
    /// approval leaves it claimed.
    async fn work(self) -> anyhow::Result<()> {
        let officer = &self.officer;
        let department = officer.department.clone().expect("an officer");
        let runtime = &self.nodes[self.node];
        loop {
            if lock(&self.tally.completed).len() >= self.cases {
                return Ok(());
            }
            // A permit per task this process made claimable: claims rarely find the queue
            // empty. Without one before IDLE_POLL, claim anyway (work from elsewhere).
            runtime.wait_for_work(&department, IDLE_POLL).await;
            let claimed = match self.claims {
                Claims::Deferred => runtime.claim_next_deferred(officer, None).await,
                Claims::Recorded => {
                    runtime
                        .claim_next_via(officer, None, |case| self.owner(case))
                        .await
                }
            };
            let claimed = match claimed {
                Ok(claimed) => claimed,
                Err(error) if is_conflict(&error) => continue,
                Err(error) => return Err(error.into()),
            };
            let mut next = claimed;
            // Approve, and with deferred claims take the next task in the same request,
            // until the queue has nothing free.
            while let Some(claimed) = next.take() {
                let owner = self.owner(&claimed.case);
                let outcome = loop {
                    let approve = Command::approve(claimed.task.clone());
                    let decided = match self.claims {
                        Claims::Deferred => {
                            owner
                                .decide_and_claim_next(officer, &claimed, approve, None)
                                .await
                        }
                        Claims::Recorded => owner
                            .decide_claimed(officer, &claimed, approve)
                            .await
                            .map(|outcome| (outcome, None)),
                    };
                    match decided {
                        Ok(decided) => break Some(decided),
                        Err(error) if is_conflict(&error) => continue,
                        // The lease ran out while the approval queued: the tick puts the
                        // task back and some worker claims it again, as an officer would.
                        Err(error) if is_lost_claim(&error) => break None,
                        Err(error) => return Err(error.into()),
                    }
                };
                let Some((outcome, following)) = outcome else {
                    continue;
                };
                next = following;
                self.approved(&claimed, &outcome);
            }
        }
    }

    /// Counts an acknowledged approval, and the case when it completed it.
    fn approved(&self, claimed: &ClaimedTask, outcome: &Outcome) {
        if self.trace {
            println!("approved {} {}", claimed.case, claimed.task);
        }
        self.tally.approved.fetch_add(1, Ordering::Relaxed);
        if outcome
            .recorded
            .iter()
            .any(|r| matches!(r.event, Event::CaseCompleted))
        {
            let mut completed = lock(&self.tally.completed);
            completed.insert(claimed.case.clone(), Instant::now());
            if completed.len() >= self.cases {
                self.tally.done.notify_one();
            }
        }
    }
}

/// Whether `error` is a lost optimistic race (another node appended first).
fn is_conflict(error: &RuntimeError) -> bool {
    matches!(error, RuntimeError::Store(StoreError::Conflict { .. }))
}

/// Whether `error` says the worker's lease ran out and the task went on without it
/// (another worker claimed it, or already approved it).
fn is_lost_claim(error: &RuntimeError) -> bool {
    matches!(
        error,
        RuntimeError::Rejected(
            Rejection::LeaseExpired { .. }
                | Rejection::ClaimedByOther { .. }
                | Rejection::TaskState { .. }
        )
    )
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
