//! `greenlane recover --db FILE`: open an embedded store after a crash and bring its
//! queues, deadlines and notifications in line with its events.
//!
//! Like `serve` and `worker`, it reads the calendars of the project folder (`--root`), and
//! serves the center named by `--center`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args as ClapArgs;
use greenlane_fs::Project;
use greenlane_runtime::ports::{Backend, LogNotifier, SystemClock};
use greenlane_runtime::{Runtime, RuntimeConfig};
use serde::Serialize;

/// Arguments of `greenlane recover`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// The SQLite database file.
    #[arg(long)]
    db: PathBuf,
    /// The center this engine serves (the `system` principal's center).
    #[arg(long, default_value = "jilin-city")]
    center: String,
}

/// What recovery did.
#[derive(Debug, Serialize)]
struct Summary {
    /// Cases whose lagging effects were completed.
    effects_completed: usize,
    /// Open cases checked (named for what the store held when recovery began).
    open_cases_before: usize,
    /// Queue entries put back or corrected.
    entries_restored: usize,
}

/// Runs `greenlane recover`.
pub(crate) fn run(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    let calendars = project.calendars()?;
    if calendars.is_empty() {
        anyhow::bail!(
            "no calendar under {}: run in the project folder or give --root",
            greenlane_fs::display(&project.rules_dir().join("calendars"))
        );
    }
    let config = RuntimeConfig::new(&args.center, calendars);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let summary = tokio.block_on(crate::store::with_sqlite(Some(&args.db), |backend| {
        recover(backend, config)
    }))?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(ExitCode::SUCCESS)
}

async fn recover<B: Backend>(backend: Arc<B>, config: RuntimeConfig) -> anyhow::Result<Summary> {
    let runtime = Runtime::new(
        backend,
        Arc::new(SystemClock),
        Arc::new(LogNotifier),
        config,
    );
    let report = runtime.recover().await?;
    Ok(Summary {
        effects_completed: report.effects_completed,
        open_cases_before: report.open_cases,
        entries_restored: report.entries_restored,
    })
}
