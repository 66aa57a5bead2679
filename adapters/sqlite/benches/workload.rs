//! Workload A (or B) of `shared/bench/WORKLOADS.md` end to end over SQLite: launch N cases as fast
//! as they are accepted, in-process workers claim and approve every task at once, until
//! every case is complete. Every append waits for its group commit (`synchronous=FULL`).
//! Prints the report line of WORKLOADS.md and the writer's batch figures.
//!
//! `cargo bench -p greenlane-sqlite --bench workload -- [cases] [launchers] [workers] [B]`
//! (defaults: 2,000 cases, 256 launching tasks, 64 workers per department, workload A).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use greenlane_engine::case::Command;
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_runtime::ports::{LogNotifier, SystemClock};
use greenlane_runtime::workloads::{cn_calendars, Workload};
use greenlane_runtime::{Runtime, RuntimeConfig};
use greenlane_sqlite::SqliteBackend;

fn main() {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<usize> = words.iter().filter_map(|a| a.parse().ok()).collect();
    let cases = args.first().copied().unwrap_or(2_000);
    let launchers = args.get(1).copied().unwrap_or(256);
    let workers = args.get(2).copied().unwrap_or(64);
    let workload = if words.iter().any(|w| w == "B") {
        Workload::B
    } else {
        Workload::A
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(run(workload, cases, launchers, workers));
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

async fn run(workload: Workload, cases: usize, launchers: usize, workers: usize) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let backend = Arc::new(SqliteBackend::open(dir.path().join("bench.db")).expect("open"));
    let mut config = RuntimeConfig::new("city", cn_calendars());
    config.seed = Some(7);
    let runtime = Arc::new(Runtime::new(
        backend.clone(),
        Arc::new(SystemClock),
        Arc::new(LogNotifier),
        config,
    ));
    runtime
        .publish(workload.definition(), &PrincipalId::new("policy-1"))
        .await
        .expect("publish");
    let workflow = WorkflowId::new(workload.workflow_id());
    let total_tasks = cases * workload.tasks_per_case();
    let approved = Arc::new(AtomicUsize::new(0));
    let launched_at: Arc<Mutex<HashMap<CaseId, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let before = backend.writer_stats();
    let started = Instant::now();

    let mut tasks = tokio::task::JoinSet::new();
    for department in workload.departments() {
        for w in 0..workers {
            let (runtime, approved) = (runtime.clone(), approved.clone());
            let (launched_at, latencies) = (launched_at.clone(), latencies.clone());
            let officer =
                Principal::officer(&format!("officer-{department}-{w}"), &department, "city");
            let department = DepartmentId::new(department.as_str());
            tasks.spawn(async move {
                while approved.load(Ordering::Relaxed) < total_tasks {
                    match runtime.claim_next(&officer, None).await.expect("claim") {
                        Some(claimed) => {
                            let last = claimed.task.as_str() == "issue";
                            let approve = Command::Approve { task: claimed.task };
                            runtime
                                .execute(&claimed.case, &officer, approve)
                                .await
                                .expect("approve");
                            approved.fetch_add(1, Ordering::Relaxed);
                            if last {
                                let launched = lock(&launched_at).remove(&claimed.case);
                                if let Some(launched) = launched {
                                    lock(&latencies).push(launched.elapsed());
                                }
                            }
                        }
                        None => {
                            runtime
                                .wait_for_work(&department, Duration::from_millis(20))
                                .await
                        }
                    }
                }
            });
        }
    }
    let next = Arc::new(AtomicUsize::new(0));
    for l in 0..launchers {
        let (runtime, workflow, next) = (runtime.clone(), workflow.clone(), next.clone());
        let launched_at = launched_at.clone();
        let coordinator = Principal::new(&format!("coordinator-{l}"), Role::Coordinator, "city");
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < cases {
                let started = Instant::now();
                let launched = runtime
                    .launch(&coordinator, &workflow, serde_json::json!({}))
                    .await
                    .expect("launch");
                lock(&launched_at).insert(launched.case, started);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a worker");
    }
    let wall = started.elapsed().as_secs_f64();
    let after = backend.writer_stats();
    let batches = after.batches - before.batches;
    let writes = after.writes - before.writes;
    let mut latencies = lock(&latencies).clone();
    latencies.sort();
    let percentile = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len().max(1));
        latencies
            .get(i - 1)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "backend=sqlite(fsync per group commit) workload={workload:?} cases={cases} wall_s={wall:.2} \
         cases_per_s={:.0} tasks_per_s={:.0} p50_ms={:.0} p99_ms={:.0} \
         (launchers={launchers}, workers={workers} per department, 2 tokio threads)",
        cases as f64 / wall,
        total_tasks as f64 / wall,
        percentile(0.50),
        percentile(0.99),
    );
    println!(
        "writer: {writes} writes in {batches} commits ({:.1} per commit), mean COMMIT {:?}, \
         statements {:?} per commit, writer busy {:.0}% of the wall time",
        writes as f64 / batches.max(1) as f64,
        (after.commit_time - before.commit_time) / batches.max(1) as u32,
        (after.statement_time - before.statement_time) / batches.max(1) as u32,
        100.0
            * (after.commit_time - before.commit_time + after.statement_time
                - before.statement_time)
                .as_secs_f64()
            / wall,
    );
}
