//! The `greenlane` command: the command-line edge of greenlane.
//!
//! Subcommands, one module each:
//! - `check`: validate workflows, rules scripts and calendars (for policy staff).
//! - `plan`: plan an application and print its critical path and promised date.
//! - `calendar`: working-day arithmetic on a business calendar.
//! - `bench`: the standard benchmark workloads through the real path.
//! - `recover`: bring an embedded store in line after a crash.
//! - `demo`: a simulated service center running both workflows on the runtime.
//! - `serve`: the HTTP API on the runtime (`greenlane-http`).
//! - `worker`: a department's side on a shared Redis (`--redis URL --department ID`) with
//!   next, inbox, renew, approve, reject, supplement, release and run (a claim-and-approve
//!   loop) — what a department system does through `greenlane_runtime::DepartmentClient`.
//! - `client`: `--server URL --token T` with launch, cases, case, inbox, claim, approve,
//!   reject, supplement, publish, rollback, alerts, kpis — the API from the command line.
//!
//! This is the only place `anyhow` is used: below it, every crate has typed errors.

mod audit_cmd;
mod audit_key;
mod bench;
mod calendar_cmd;
mod check;
mod client;
mod clock;
mod demo;
mod plan_cmd;
mod recover_cmd;
mod redis_target;
mod serve_cmd;
mod store;
mod worker_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: the engine allocates and frees many small
/// values per command (events, ids, requests), and glibc's malloc spent a quarter of the
/// engine's CPU on them under load (measured with `perf` on the Redis bench).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// greenlane — 并联审批 parallel approval orchestrator.
#[derive(Debug, Parser)]
#[command(name = "greenlane", version, about)]
struct Cli {
    /// Project folder holding workflows/ and rules/.
    #[arg(long, global = true, env = "GREENLANE_ROOT", default_value = ".")]
    root: PathBuf,
    /// The greenlane server the client commands talk to.
    #[arg(long, global = true, env = "GREENLANE_SERVER", value_name = "URL")]
    server: Option<String>,
    /// Your bearer token for the client commands.
    #[arg(long, global = true, env = "GREENLANE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 校验 Check workflows, rules scripts and calendars; every problem as file:line:column.
    Check(check::Args),
    /// 规划 Plan an application: applicable tasks, critical path, promised completion date.
    Plan(plan_cmd::Args),
    /// 工作日 Working-day arithmetic on a business calendar.
    #[command(subcommand)]
    Calendar(calendar_cmd::Command),
    /// 压测 Run a standard benchmark workload (bench/WORKLOADS.md).
    Bench(bench::Args),
    /// 审计 Check, checkpoint and export the tamper-evident audit trail.
    Audit(audit_cmd::Args),
    /// 恢复 Recover an embedded store after a crash: complete the effects its events imply.
    Recover(recover_cmd::Args),
    /// 模拟 Simulate a service center: cases, officers, alerts and the KPI board.
    Demo(demo::Args),
    /// 服务 Serve the HTTP API: cases, inboxes, definitions, supervision, live events.
    Serve(serve_cmd::Args),
    /// 部门值守 (Redis) A department's officer taking and deciding its tasks from a shared Redis.
    Worker(worker_cmd::Args),
    /// 受理 (client) Launch a joint approval on the server.
    Launch(client::LaunchArgs),
    /// 案件 (client) List the cases you may see.
    Cases(client::CasesArgs),
    /// 案件详情 (client) One case: tasks, due dates, alerts, projected completion.
    Case(client::CaseArgs),
    /// 待办 (client) A department's inbox, oldest due first.
    Inbox(client::InboxArgs),
    /// 认领 (client) Claim a task (CASE TASK) or the next one (--next DEPARTMENT).
    Claim(client::ClaimArgs),
    /// 批准 (client) Approve a task you hold.
    Approve(client::DecideArgs),
    /// 不予许可 (client) Reject a task you hold, and with it the case.
    Reject(client::RejectArgs),
    /// 补正 (client) Ask for every missing material at once, or record they were handed in.
    Supplement(client::SupplementArgs),
    /// 发布 (client) Publish a new version of a workflow with its rules.
    Publish(client::PublishArgs),
    /// 发布日历 (client) Publish a calendar year (the State Council's notice, a provisional
    /// year, a correction); the open cases whose dates change are re-dated.
    PublishCalendar(client::PublishCalendarArgs),
    /// 回滚 (client) Publish an old version of a workflow as the newest.
    Rollback(client::RollbackArgs),
    /// 预警 (client) Warnings, yellow and red cards.
    Alerts(client::AlertsArgs),
    /// 考核指标 (client) The KPI board against the seed's targets.
    Kpis(client::KpisArgs),
}

/// Runs one of the client commands against `--server` with `--token`.
fn run_client(
    server: &Option<String>,
    token: &Option<String>,
    command: Command,
) -> anyhow::Result<ExitCode> {
    let remote = client::Remote {
        server: server.clone(),
        token: token.clone(),
    };
    let c = client::Client::new(&remote)?;
    match command {
        Command::Launch(args) => client::launch(&c, args),
        Command::Cases(args) => client::cases(&c, args),
        Command::Case(args) => client::case(&c, args),
        Command::Inbox(args) => client::inbox(&c, args),
        Command::Claim(args) => client::claim(&c, args),
        Command::Approve(args) => client::approve(&c, args),
        Command::Reject(args) => client::reject(&c, args),
        Command::Supplement(args) => client::supplement(&c, args),
        Command::Publish(args) => client::publish(&c, args),
        Command::PublishCalendar(args) => client::publish_calendar(&c, args),
        Command::Rollback(args) => client::rollback(&c, args),
        Command::Alerts(args) => client::alerts(&c, args),
        Command::Kpis(args) => client::kpis(&c, args),
        _ => unreachable!("local commands are run by main"),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let project = greenlane_fs::Project::new(&cli.root);
    let result = match cli.command {
        Command::Check(args) => check::run(&project, args),
        Command::Plan(args) => plan_cmd::run(&project, args),
        Command::Calendar(command) => calendar_cmd::run(&project, command),
        Command::Bench(mut args) => {
            args.root = cli.root.clone();
            bench::run(args)
        }
        Command::Recover(args) => recover_cmd::run(&project, args),
        Command::Audit(args) => audit_cmd::run(args),
        Command::Demo(args) => demo::run(&project, args),
        Command::Serve(args) => serve_cmd::run(&project, args),
        Command::Worker(args) => worker_cmd::run(&project, args),
        client_command => run_client(&cli.server, &cli.token, client_command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("错误 / error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
