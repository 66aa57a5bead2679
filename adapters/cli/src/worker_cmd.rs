//! `greenlane worker`: a department's side on a shared Redis — one officer of one
//! department taking its tasks from the queues the engine nodes (`greenlane serve --redis`)
//! fill, through `greenlane_runtime::DepartmentClient` on Redis.
//!
//! Actions: `next` (claim the next task and show it), `inbox`, `renew` (the heartbeat),
//! `approve`, `reject`, `supplement`, `release`, and `run` — a loop that claims, shows,
//! keeps the lease alive while it "thinks" (`--think-ms`) and approves, for demos and tests;
//! it stops on Ctrl-C or SIGTERM after the approval in flight, giving back the task held.
//! Text output has zh-CN labels with English beside; `--json` prints JSON (one object per
//! line for `run`).
//!
//! The worker starts from the calendars of the project folder (`--root`), as `serve` does, and
//! uses the calendar versions published in the store from its first call on.
//! It does not tick: expiring leases is the engine nodes' work, so a worker that dies with a
//! task loses it to the next officer once its lease runs out.

use std::process::ExitCode;
use std::time::{Duration as StdDuration, Instant};

use anyhow::{bail, Context};
use chrono::Duration;
use clap::{Args as ClapArgs, Subcommand};
use greenlane_engine::ids::{CaseId, TaskId};
use greenlane_engine::principal::Principal;
use greenlane_fs::Project;
use greenlane_redis::RedisBackend;
use greenlane_runtime::{Assignment, DepartmentError, MarkedEntry};

/// A department client on Redis.
type DepartmentClient = greenlane_runtime::DepartmentClient<RedisBackend>;
use greenlane_runtime::ports::Holder;
use greenlane_runtime::service::Shutdown;
use greenlane_runtime::{Outcome, RuntimeConfig};
use serde_json::{json, Value};

use crate::client::{cell, table};

/// Arguments of `greenlane worker`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// The shared Redis the engine nodes run on.
    #[arg(
        long,
        value_name = "URL",
        env = "GREENLANE_REDIS",
        required_unless_present = "redis_cluster",
        conflicts_with = "redis_cluster"
    )]
    redis: Option<String>,
    /// The Redis Cluster the engine nodes run on, by one or more of its nodes.
    #[arg(
        long,
        value_name = "URL[,URL…]",
        value_delimiter = ',',
        env = "GREENLANE_REDIS_CLUSTER"
    )]
    redis_cluster: Vec<String>,
    /// Key prefix on Redis (the same as `serve --redis-prefix`).
    #[arg(long, default_value = "greenlane")]
    redis_prefix: String,
    /// The department whose tasks this worker takes.
    #[arg(long, value_name = "ID")]
    department: String,
    /// The officer recorded in the events; `worker-<department>` by default.
    #[arg(long, value_name = "ID")]
    officer: Option<String>,
    /// The center the officer belongs to.
    #[arg(long, default_value = "jilin-city")]
    center: String,
    /// Start the clock at this instant (RFC 3339) and let it run at real speed, as
    /// `serve --clock-start` does; give both the same instant.
    #[arg(long, value_name = "INSTANT")]
    clock_start: Option<chrono::DateTime<chrono::Utc>>,
    /// The alerts file the engine nodes use (`serve --alerts`): the at-risk notices this
    /// worker's decisions raise are routed by it into the store's outbox. Without it they
    /// are routed to the log channel.
    #[arg(long, value_name = "FILE", env = "GREENLANE_ALERTS")]
    alerts: Option<std::path::PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    action: Action,
}

/// What the worker does.
#[derive(Debug, Subcommand)]
enum Action {
    /// 认领 Claim the department's next task (earliest due first) and show it.
    Next(LeaseArgs),
    /// 待办 The department's inbox: ready, claimed and suspended tasks, due first.
    Inbox,
    /// 续租 Extend the lease on a task you hold (the heartbeat).
    Renew {
        #[command(flatten)]
        task: TaskArgs,
        #[command(flatten)]
        lease: LeaseArgs,
    },
    /// 批准 Approve a task you hold.
    Approve(TaskArgs),
    /// 不予许可 Reject a task you hold, and with it the case.
    Reject {
        #[command(flatten)]
        task: TaskArgs,
        /// Why; shown to every department and the applicant.
        #[arg(long)]
        reason: String,
    },
    /// 补正 Ask for every missing material at once (一次性告知).
    Supplement {
        #[command(flatten)]
        task: TaskArgs,
        /// A missing material; repeat for each.
        #[arg(long = "material", required = true)]
        materials: Vec<String>,
    },
    /// 退回 Give a task back to the queue; without --case/--task, every task you hold.
    Release {
        /// The case.
        #[arg(long, requires = "task")]
        case: Option<String>,
        /// The task.
        #[arg(long, requires = "case")]
        task: Option<String>,
    },
    /// 值守 Loop: claim, show, approve; for demos and tests.
    Run(RunArgs),
}

/// One task of one case.
#[derive(Debug, ClapArgs)]
struct TaskArgs {
    /// The case.
    #[arg(long)]
    case: String,
    /// The task.
    #[arg(long)]
    task: String,
}

/// The lease a claim asks for.
#[derive(Debug, ClapArgs)]
struct LeaseArgs {
    /// Lease length in seconds; the engine's default (30 minutes) otherwise.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    lease_secs: Option<u64>,
}

impl LeaseArgs {
    fn lease(&self) -> Option<Duration> {
        self.lease_secs.map(|s| Duration::seconds(s as i64))
    }
}

/// Arguments of `greenlane worker run`.
#[derive(Debug, ClapArgs)]
struct RunArgs {
    #[command(flatten)]
    lease: LeaseArgs,
    /// Milliseconds to "think" before each approval; the lease is renewed meanwhile.
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
    /// Stop after approving this many tasks.
    #[arg(long)]
    max: Option<u64>,
    /// Stop after this many seconds without a task to claim; never by default.
    #[arg(long)]
    idle_exit_secs: Option<u64>,
    /// Milliseconds between claims while the queue is empty.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(10..))]
    poll_ms: u64,
}

/// Runs `greenlane worker`.
pub(crate) fn run(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    init_logs();
    let calendars = project.calendars()?;
    if calendars.is_empty() {
        bail!(
            "no calendar under {}: run in the project folder or give --root",
            greenlane_fs::display(&project.rules_dir().join("calendars"))
        );
    }
    let officer_id = args
        .officer
        .clone()
        .unwrap_or_else(|| format!("worker-{}", args.department));
    let officer = Principal::officer(&officer_id, &args.department, &args.center);
    let config = RuntimeConfig::new(&args.center, calendars);
    let alerts = match &args.alerts {
        Some(path) => greenlane_alerts::AlertsFile::load(path)?,
        None => greenlane_alerts::AlertsFile::log_only(),
    };
    let routes: std::sync::Arc<dyn greenlane_runtime::delivery::Routes> =
        std::sync::Arc::new(greenlane_alerts::FileRoutes::new(&alerts));
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    tokio.block_on(async {
        let target = crate::redis_target::target(args.redis.as_ref(), &args.redis_cluster)
            .context("--redis URL or --redis-cluster URL[,URL…] names the engine nodes' Redis")?;
        let at = crate::redis_target::describe(&target);
        let client = greenlane_redis::department_client(
            target,
            &args.redis_prefix,
            officer,
            config,
            crate::clock::engine_clock(args.clock_start),
            Some(routes),
        )
        .await
        .with_context(|| format!("connecting to {at}"))?;
        act(&client, args.action, args.json).await
    })
}

async fn act(client: &DepartmentClient, action: Action, json: bool) -> anyhow::Result<ExitCode> {
    match action {
        Action::Next(lease) => {
            let assignment = client.next(lease.lease()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&assignment)?);
            } else {
                match &assignment {
                    Some(a) => print_assignment(a),
                    None => println!("无待办 Nothing to claim in {}", client.department()),
                }
            }
        }
        Action::Inbox => {
            let inbox = client.marked_inbox().await?;
            print_inbox(&inbox, json)?;
        }
        Action::Renew { task, lease } => {
            let (case, task) = task.ids();
            let until = client.renew(&case, &task, lease.lease()).await?;
            if json {
                println!(
                    "{}",
                    json!({ "case": case, "task": task, "lease_until": until })
                );
            } else {
                println!(
                    "已续租 Renewed {case} {task}: 租约至 lease until {}",
                    instant(until)
                );
            }
        }
        Action::Approve(task) => {
            let (case, task) = task.ids();
            let outcome = client.approve(&case, &task).await?;
            print_outcome("已批准 Approved", &case, &task, &outcome, json)?;
        }
        Action::Reject { task, reason } => {
            let (case, task) = task.ids();
            let outcome = client.reject(&case, &task, &reason).await?;
            print_outcome("已不予许可 Rejected", &case, &task, &outcome, json)?;
        }
        Action::Supplement { task, materials } => {
            let (case, task) = task.ids();
            let outcome = client.request_supplement(&case, &task, materials).await?;
            print_outcome(
                "已告知补正 Supplement requested",
                &case,
                &task,
                &outcome,
                json,
            )?;
        }
        Action::Release {
            case: Some(case),
            task: Some(task),
        } => {
            let (case, task) = (CaseId::new(case), TaskId::new(task));
            let outcome = client.release(&case, &task).await?;
            print_outcome("已退回 Released", &case, &task, &outcome, json)?;
        }
        Action::Release { .. } => {
            let released = client.release_all().await?;
            if json {
                let keys: Vec<Value> = released
                    .iter()
                    .map(|k| json!({ "case": k.case, "task": k.task }))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({ "released": keys }))?
                );
            } else if released.is_empty() {
                println!("无在办 You hold no task");
            } else {
                for key in released {
                    println!("已退回 Released {} {}", key.case, key.task);
                }
            }
        }
        Action::Run(run) => return run_loop(client, run, json).await,
    }
    Ok(ExitCode::SUCCESS)
}

impl TaskArgs {
    fn ids(&self) -> (CaseId, TaskId) {
        (
            CaseId::new(self.case.as_str()),
            TaskId::new(self.task.as_str()),
        )
    }
}

/// `worker run`: claims and approves until `--max` tasks are approved, the queue stays
/// empty for `--idle-exit-secs`, or Ctrl-C/SIGTERM, which stops the loop after the approval
/// in flight and gives back the task held (one still being thought about).
async fn run_loop(
    client: &DepartmentClient,
    args: RunArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let shutdown = Shutdown::on(greenlane_http::shutdown_signal());
    let approved = approve_loop(client, &args, json, &shutdown).await?;
    if shutdown.is_requested() {
        let released = client.release_all().await?;
        for key in &released {
            report(
                json,
                json!({ "event": "released", "case": key.case, "task": key.task }),
                || format!("已退回 Released {} {}", key.case, key.task),
            );
        }
        report(
            json,
            json!({ "event": "stopped", "approved": approved }),
            || format!("共批准 Approved in all: {approved}"),
        );
        bail!("interrupted; {} task(s) given back", released.len());
    }
    report(
        json,
        json!({ "event": "stopped", "approved": approved }),
        || format!("共批准 Approved in all: {approved}"),
    );
    Ok(ExitCode::SUCCESS)
}

/// The loop of `worker run`, in the shape of every long-running part
/// (`greenlane_runtime::service`): its options are [`RunArgs`]; it runs until the options
/// say stop or `shutdown` is requested, and a shutdown never cuts a command (a claim, a
/// renewal, an approval): it is looked at before each claim, while the queue is empty and
/// while thinking, which it ends with the task still held (the caller gives it back). The
/// number of tasks approved.
async fn approve_loop(
    client: &DepartmentClient,
    args: &RunArgs,
    json: bool,
    shutdown: &Shutdown,
) -> anyhow::Result<u64> {
    let lease = args.lease.lease();
    let heartbeat = heartbeat_interval(lease.unwrap_or(client.runtime().config().default_lease));
    let idle_exit = args.idle_exit_secs.map(StdDuration::from_secs);
    let mut approved = 0;
    let mut idle_since = Instant::now();
    while args.max.is_none_or(|max| approved < max) && !shutdown.is_requested() {
        let Some(assignment) = client.next(lease).await? else {
            if idle_exit.is_some_and(|limit| idle_since.elapsed() >= limit) {
                break;
            }
            tokio::select! {
                () = shutdown.requested() => break,
                () = tokio::time::sleep(StdDuration::from_millis(args.poll_ms)) => {}
            }
            continue;
        };
        let (case, task) = (assignment.case.clone(), assignment.task.clone());
        report(
            json,
            json!({ "event": "claimed", "assignment": assignment }),
            || {
                format!(
                    "已认领 Claimed {case} {task} {} (承诺到期 due {}, 租约至 lease until {})",
                    assignment.name,
                    date(
                        assignment.committed_due,
                        assignment.committed_due_provisional
                    ),
                    instant(assignment.lease_until)
                )
            },
        );
        let thought = Thought {
            lease,
            think_ms: args.think_ms,
            heartbeat,
            json,
        };
        match think(client, &case, &task, &thought, shutdown).await? {
            Thinking::Done => {
                if decide(client, &case, &task, json).await? {
                    approved += 1;
                }
            }
            Thinking::Lost => {}
            Thinking::Stopped => break,
        }
        idle_since = Instant::now();
    }
    Ok(approved)
}

/// Renew the lease this often: three times per lease, so one late renewal does not lose it.
fn heartbeat_interval(lease: Duration) -> StdDuration {
    let lease = lease.to_std().unwrap_or(StdDuration::from_secs(1));
    (lease / 3).max(StdDuration::from_millis(100))
}

/// How the worker thinks about a task.
struct Thought {
    lease: Option<Duration>,
    think_ms: u64,
    heartbeat: StdDuration,
    json: bool,
}

/// How thinking about a task ended.
enum Thinking {
    /// Time to decide.
    Done,
    /// The lease was lost (and said so).
    Lost,
    /// A shutdown was requested; the task is still held.
    Stopped,
}

/// Waits `think_ms`, renewing the lease every `heartbeat`, unless `shutdown` comes first.
async fn think(
    client: &DepartmentClient,
    case: &CaseId,
    task: &TaskId,
    thought: &Thought,
    shutdown: &Shutdown,
) -> anyhow::Result<Thinking> {
    let until = Instant::now() + StdDuration::from_millis(thought.think_ms);
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Thinking::Done);
        }
        tokio::select! {
            () = shutdown.requested() => return Ok(Thinking::Stopped),
            () = tokio::time::sleep(left.min(thought.heartbeat)) => {}
        }
        if Instant::now() >= until {
            return Ok(Thinking::Done);
        }
        // Not raced against the shutdown: a renewal is one command, done whole.
        match client.renew(case, task, thought.lease).await {
            Ok(_) => {}
            Err(error @ (DepartmentError::NotHeld { .. } | DepartmentError::Rejected { .. })) => {
                lost(case, task, &error, thought.json);
                return Ok(Thinking::Lost);
            }
            Err(other) => return Err(other.into()),
        }
    }
}

/// Approves; false (and says why) when the engine refused because the task was lost.
async fn decide(
    client: &DepartmentClient,
    case: &CaseId,
    task: &TaskId,
    json: bool,
) -> anyhow::Result<bool> {
    match client.approve(case, task).await {
        Ok(outcome) => {
            report(
                json,
                json!({ "event": "approved", "case": case, "task": task, "version": outcome.version }),
                || format!("已批准 Approved {case} {task}"),
            );
            Ok(true)
        }
        Err(error @ DepartmentError::Rejected { .. }) => {
            lost(case, task, &error, json);
            Ok(false)
        }
        Err(other) => Err(other.into()),
    }
}

fn lost(case: &CaseId, task: &TaskId, error: &DepartmentError, json: bool) {
    let why = error_chain(error);
    report(
        json,
        json!({ "event": "lost", "case": case, "task": task, "error": why }),
        || format!("已失去 Lost {case} {task}: {why}"),
    );
}

/// An error and its sources on one line, as `anyhow`'s `{:#}` prints them.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// One line of `worker run`: JSON, or the readable text.
fn report(json: bool, value: Value, text: impl FnOnce() -> String) {
    if json {
        println!("{value}");
    } else {
        println!("{}", text());
    }
}

/// An instant to the second, for people.
fn instant(at: greenlane_engine::case::Timestamp) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A date for people, marked `（暂定 provisional）` when it counts on a provisional
/// calendar year, `超出日历 beyond calendar` when it is not known yet.
fn date(day: Option<chrono::NaiveDate>, provisional: bool) -> String {
    crate::client::marked(day.map(|d| d.to_string()).as_deref(), provisional)
}

fn print_assignment(a: &Assignment) {
    let workflow = format!("{} v{}", a.workflow, a.workflow_version);
    let materials = if a.materials.is_empty() {
        "—".to_string()
    } else {
        a.materials.join("、")
    };
    println!("已认领 Claimed");
    println!("  案件 Case:            {}", a.case);
    println!("  事项 Task:            {} {}", a.task, a.name);
    println!("  部门 Department:      {}", a.department);
    println!("  流程 Workflow:        {workflow}");
    println!(
        "  承诺到期 Committed due: {}",
        date(a.committed_due, a.committed_due_provisional)
    );
    println!(
        "  法定到期 Statutory due: {}",
        date(a.statutory_due, a.statutory_due_provisional)
    );
    println!(
        "  承诺办结 Promised:     {}",
        date(
            Some(a.promised_completion),
            a.promised_completion_provisional
        )
    );
    println!("  租约至 Lease until:   {}", instant(a.lease_until));
    println!("  材料 Materials:       {materials}");
    println!("  申请 Application:     {}", a.application);
}

fn print_inbox(inbox: &[MarkedEntry], json: bool) -> anyhow::Result<()> {
    let rows: Vec<Value> = inbox
        .iter()
        .map(|m| {
            let e = &m.entry;
            let (state, officer, until) = match &e.holder {
                Holder::Free => ("ready", None, None),
                Holder::Lease { officer, until } => ("claimed", Some(officer), Some(until)),
                Holder::Held { officer } => ("suspended", Some(officer), None),
            };
            json!({
                "case": e.key.case,
                "task": e.key.task,
                "state": state,
                "officer": officer,
                "lease_until": until,
                "due": m.due,
                "due_provisional": m.due_provisional,
                "dispatched_at": e.dispatched_at,
            })
        })
        .collect();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "tasks": rows }))?
        );
        return Ok(());
    }
    if rows.is_empty() {
        println!("无待办 The inbox is empty");
        return Ok(());
    }
    let mut t = table(&[
        "案件 case",
        "事项 task",
        "状态 state",
        "经办 officer",
        "租约至 lease until",
        "承诺到期 due",
    ]);
    for r in &rows {
        t.add_row(vec![
            cell(&r["case"]),
            cell(&r["task"]),
            cell(&r["state"]),
            cell(&r["officer"]),
            cell(&r["lease_until"]),
            crate::client::date_cell(r, "due"),
        ]);
    }
    println!("{t}");
    Ok(())
}

fn print_outcome(
    label: &str,
    case: &CaseId,
    task: &TaskId,
    outcome: &Outcome,
    json: bool,
) -> anyhow::Result<()> {
    if json {
        let value = json!({
            "case": case,
            "task": task,
            "version": outcome.version,
            "events": outcome.recorded,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    println!("{label} {case} {task} (版本 version {})", outcome.version);
    for r in &outcome.recorded {
        println!("  事件 event: {}", r.event.name());
    }
    Ok(())
}

/// Logs go to stderr, warnings and worse unless `RUST_LOG` says otherwise, so the
/// output stays readable.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
