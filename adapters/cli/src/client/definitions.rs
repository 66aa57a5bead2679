//! `publish`, `rollback`, `publish-calendar`: what policy staff do with workflow definitions
//! and calendar years.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{json, Value};

use super::{cell, print, Client, Output};

/// Arguments of `greenlane publish`.
#[derive(Debug, clap::Args)]
pub(crate) struct PublishArgs {
    /// The workflow YAML file.
    workflow: PathBuf,
    /// Its rules script (the previous version's is kept when absent).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// The departments YAML (the previous version's is kept when absent).
    #[arg(long, value_name = "FILE")]
    departments: Option<PathBuf>,
    /// Sample applications to try the version on (JSON files); the server's kept samples
    /// when none.
    #[arg(long = "sample", value_name = "FILE")]
    samples: Vec<PathBuf>,
    #[command(flatten)]
    output: Output,
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))
}

/// 发布 Publishes a new version: validated, tried on samples, or refused with every problem.
pub(crate) fn publish(client: &Client, args: PublishArgs) -> anyhow::Result<ExitCode> {
    let mut body = json!({
        "workflow": read(&args.workflow)?,
        "workflow_name": args.workflow.file_name().map(|n| n.to_string_lossy().into_owned()),
    });
    if let Some(rules) = &args.rules {
        body["rules"] = read(rules)?.into();
    }
    if let Some(departments) = &args.departments {
        body["departments"] = read(departments)?.into();
    }
    if !args.samples.is_empty() {
        let mut samples = Vec::new();
        for file in &args.samples {
            let sample: Value = serde_json::from_str(&read(file)?)
                .with_context(|| format!("{}: not valid JSON", file.display()))?;
            samples.push(sample);
        }
        body["samples"] = samples.into();
    }
    let published = client.post("/definitions", Some(body))?;
    Ok(print(&args.output, &published, print_published))
}

fn print_published(v: &Value) {
    println!(
        "已发布 published {} v{} (tried on {} sample application(s))",
        cell(&v["workflow"]),
        cell(&v["version"]),
        cell(&v["samples_tried"])
    );
    let changes = &v["changes"];
    if changes.is_object() {
        for (label, key) in [
            ("新增事项 tasks added", "tasks_added"),
            ("删除事项 tasks removed", "tasks_removed"),
            ("时限变更 limits changed", "limits_changed"),
            ("前置变更 needs changed", "needs_changed"),
        ] {
            if changes[key].as_array().is_some_and(|a| !a.is_empty()) {
                println!("  {label}: {}", cell(&changes[key]));
            }
        }
        if changes["rules_changed"] == true {
            println!("  规则脚本已变更 rules script changed");
        }
        if changes["identical"] == true {
            println!("  与上一版本相同 same as the version before");
        }
    }
}

/// Arguments of `greenlane rollback`.
#[derive(Debug, clap::Args)]
pub(crate) struct RollbackArgs {
    /// The workflow id.
    workflow: String,
    /// The version to publish again as the newest.
    #[arg(long)]
    to: u32,
    #[command(flatten)]
    output: Output,
}

/// 回滚 Publishes an old version as the newest.
pub(crate) fn rollback(client: &Client, args: RollbackArgs) -> anyhow::Result<ExitCode> {
    let published = client.post(
        &format!("/definitions/{}/rollback", args.workflow),
        Some(json!({ "to_version": args.to })),
    )?;
    Ok(print(&args.output, &published, print_published))
}

/// Arguments of `greenlane publish-calendar`.
#[derive(Debug, clap::Args)]
pub(crate) struct PublishCalendarArgs {
    /// The year file (`rules/calendars/<calendar>/<year>.yaml`): the State Council's notice
    /// for the year (`kind: official`, `source:` its URL), or a provisional year.
    file: PathBuf,
    /// The calendar (the file's folder name when absent).
    #[arg(long)]
    calendar: Option<String>,
    /// What this publication is: the notice's title, a correction's reason.
    #[arg(long)]
    note: Option<String>,
    #[command(flatten)]
    output: Output,
}

/// 发布日历 Publishes a calendar year: validated, or refused with every problem located;
/// the open cases whose dates change are re-dated.
pub(crate) fn publish_calendar(
    client: &Client,
    args: PublishCalendarArgs,
) -> anyhow::Result<ExitCode> {
    let calendar = match &args.calendar {
        Some(calendar) => calendar.clone(),
        None => args
            .file
            .parent()
            .and_then(|dir| dir.file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .filter(|name| !name.is_empty() && name != ".")
            .context(
                "say which calendar with --calendar (the file is not in a calendar's folder)",
            )?,
    };
    let body = json!({
        "text": read(&args.file)?,
        "name": args.file.display().to_string(),
        "note": args.note,
    });
    let published = client.post(&format!("/calendars/{calendar}"), Some(body))?;
    Ok(print(&args.output, &published, |v| {
        println!(
            "已发布日历 published calendar {} v{}: {} 年 year(s) {}; 重新计算期限 re-dated {} open case(s)",
            cell(&v["calendar"]),
            cell(&v["version"]),
            v["changed"].as_array().map_or(0, Vec::len),
            cell(&v["changed"]),
            cell(&v["redated"])
        );
    }))
}
