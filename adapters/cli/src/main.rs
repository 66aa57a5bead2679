//! The `greenlane` command: the command-line edge of greenlane.
//!
//! Subcommands, one module each:
//! - `check`: validate workflows, rules scripts and calendars (for policy staff).
//! - `plan`: plan an application and print its critical path and promised date.
//! - `calendar`: working-day arithmetic on a business calendar.
//! - `bench`: the standard benchmark workloads through the real path.
//! - `recover`: bring an embedded store in line after a crash, optionally finish its cases.
//! - `demo`: a simulated service center running both workflows on the runtime.
//! - `serve`: the HTTP API on the runtime (`greenlane-http`).
//!
//! This is the only place `anyhow` is used: below it, every crate has typed errors.

mod bench;
mod calendar_cmd;
mod check;
mod demo;
mod plan_cmd;
mod recover_cmd;
mod serve_cmd;
mod store;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// greenlane — 并联审批 parallel approval orchestrator.
#[derive(Debug, Parser)]
#[command(name = "greenlane", version, about)]
struct Cli {
    /// Project folder holding workflows/ and rules/.
    #[arg(long, global = true, env = "GREENLANE_ROOT", default_value = ".")]
    root: PathBuf,
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
    /// 压测 Run a standard benchmark workload (shared/bench/WORKLOADS.md).
    Bench(bench::Args),
    /// 恢复 Recover an embedded store after a crash; `--drain` then finishes every open case.
    Recover(recover_cmd::Args),
    /// 模拟 Simulate a service center: cases, officers, alerts and the KPI board.
    Demo(demo::Args),
    /// 服务 Serve the HTTP API: cases, inboxes, definitions, supervision, live events.
    Serve(serve_cmd::Args),
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
        Command::Recover(args) => recover_cmd::run(args),
        Command::Demo(args) => demo::run(&project, args),
        Command::Serve(args) => serve_cmd::run(&project, args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("错误 / error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
