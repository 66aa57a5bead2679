//! `greenlane recover --db FILE [--drain]`: open an embedded store after a crash, bring its
//! queues, deadlines and notifications in line with its events, and optionally let
//! in-process workers approve every open task until no case is open (the crash test uses
//! this to finish a run that was killed).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args as ClapArgs;
use greenlane_engine::case::Command;
use greenlane_engine::ids::DepartmentId;
use greenlane_engine::principal::Principal;
use greenlane_runtime::ports::{Backend, DefinitionStore, EventStore, LogNotifier, SystemClock};
use greenlane_runtime::workloads::cn_calendars;
use greenlane_runtime::{Runtime, RuntimeConfig};
use serde::Serialize;

/// Arguments of `greenlane recover`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// The SQLite database file.
    #[arg(long)]
    db: PathBuf,
    /// Then approve every open task until no case is open.
    #[arg(long)]
    drain: bool,
    /// The center the engine serves.
    #[arg(long, default_value = "bench")]
    center: String,
}

/// What recovery (and draining) did.
#[derive(Debug, Serialize)]
struct Summary {
    effects_completed: usize,
    open_cases_before: usize,
    entries_restored: usize,
    approved_while_draining: usize,
    open_cases_after: usize,
}

/// Runs `greenlane recover`.
pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let summary = tokio.block_on(crate::store::with_sqlite(Some(&args.db), |backend| {
        recover(backend, &args)
    }))?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(ExitCode::SUCCESS)
}

async fn recover<B: Backend>(backend: Arc<B>, args: &Args) -> anyhow::Result<Summary> {
    let config = RuntimeConfig::new(&args.center, cn_calendars());
    let runtime = Runtime::new(
        backend,
        Arc::new(SystemClock),
        Arc::new(LogNotifier),
        config,
    );
    let report = runtime.recover().await?;
    let mut approved = 0;
    if args.drain {
        let departments = departments(&runtime).await?;
        while open_cases(&runtime).await? > 0 {
            let mut progress = false;
            for department in &departments {
                let officer = Principal::officer(
                    &format!("recovery-{department}"),
                    department.as_str(),
                    &args.center,
                );
                while let Some(claimed) = runtime.claim_next(&officer, None).await? {
                    let approve = Command::Approve { task: claimed.task };
                    runtime.execute(&claimed.case, &officer, approve).await?;
                    approved += 1;
                    progress = true;
                }
            }
            if !progress {
                // Tasks still leased by workers of the killed process come back when their
                // leases run out.
                runtime.tick().await?;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    Ok(Summary {
        effects_completed: report.effects_completed,
        open_cases_before: report.open_cases,
        entries_restored: report.entries_restored,
        approved_while_draining: approved,
        open_cases_after: open_cases(&runtime).await?,
    })
}

/// Every department of every published version.
async fn departments<B: Backend>(runtime: &Runtime<B>) -> anyhow::Result<BTreeSet<DepartmentId>> {
    let mut departments = BTreeSet::new();
    for (workflow, latest) in runtime.backend().definitions().workflows().await? {
        for version in 1..=latest {
            let definition = runtime.definition(&workflow, version).await?;
            departments.extend(definition.workflow.departments.keys().cloned());
        }
    }
    Ok(departments)
}

async fn open_cases<B: Backend>(runtime: &Runtime<B>) -> anyhow::Result<usize> {
    Ok(runtime
        .backend()
        .events()
        .cases(Some("open"), None, usize::MAX)
        .await?
        .len())
}
