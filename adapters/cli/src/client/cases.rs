//! `launch`, `cases`, `case`: what a coordinator does with cases.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{json, Value};

use super::{cell, date_cell, print, table, Client, Output};

/// Arguments of `greenlane launch`.
#[derive(Debug, clap::Args)]
pub(crate) struct LaunchArgs {
    /// The workflow id, e.g. `enterprise-registration`.
    #[arg(long)]
    workflow: String,
    /// The application, a JSON file.
    #[arg(long, value_name = "FILE")]
    application: PathBuf,
    #[command(flatten)]
    output: Output,
}

/// 受理 Launches a joint approval.
pub(crate) fn launch(client: &Client, args: LaunchArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.application)
        .with_context(|| format!("{}: cannot read", args.application.display()))?;
    let application: Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not valid JSON", args.application.display()))?;
    let launched = client.post(
        "/cases",
        Some(json!({ "workflow": args.workflow, "application": application })),
    )?;
    Ok(print(&args.output, &launched, |v| {
        println!("案件 case                 {}", cell(&v["case"]));
        println!("查询码 access code         {}", cell(&v["access_code"]));
        println!(
            "版本 workflow version      {} v{}",
            cell(&v["workflow"]),
            cell(&v["workflow_version"])
        );
        println!(
            "承诺办结 promised          {}",
            date_cell(v, "promised_completion")
        );
        println!(
            "关键路径 critical path     {}",
            cell(&v["critical_path"]).replace(", ", " → ")
        );
        println!("已分发 dispatched          {}", cell(&v["dispatched"]));
    }))
}

/// Arguments of `greenlane cases`.
#[derive(Debug, clap::Args)]
pub(crate) struct CasesArgs {
    /// open, completed, issued, rejected or withdrawn.
    #[arg(long)]
    state: Option<String>,
    /// Only this workflow.
    #[arg(long)]
    workflow: Option<String>,
    /// Only cases with a task of this department.
    #[arg(long)]
    department: Option<String>,
    /// Only cases with this alert level raised (warning, yellow, red).
    #[arg(long)]
    alert: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    #[command(flatten)]
    output: Output,
}

/// 案件 Lists cases.
pub(crate) fn list(client: &Client, args: CasesArgs) -> anyhow::Result<ExitCode> {
    let mut query = vec![("limit", args.limit.to_string())];
    for (name, value) in [
        ("state", args.state),
        ("workflow", args.workflow),
        ("department", args.department),
        ("alert", args.alert),
    ] {
        if let Some(value) = value {
            query.push((name, value));
        }
    }
    let page = client.get("/cases", &query)?;
    Ok(print(&args.output, &page, |v| {
        let mut t = table(&[
            "案件 case",
            "流程 workflow",
            "中心 center",
            "状态 state",
            "承诺 promised",
            "预警 alert",
            "进度 approved",
        ]);
        for c in v["cases"].as_array().into_iter().flatten() {
            t.add_row(vec![
                cell(&c["case"]),
                format!("{} v{}", cell(&c["workflow"]), cell(&c["workflow_version"])),
                cell(&c["center"]),
                cell(&c["state"]),
                date_cell(c, "promised_completion"),
                cell(&c["highest_alert"]),
                format!("{}/{}", cell(&c["approved"]), cell(&c["tasks"])),
            ]);
        }
        println!("{t}");
        if let Some(next) = v["next"].as_str() {
            println!("更多 more after {next}");
        }
    }))
}

/// Arguments of `greenlane case`.
#[derive(Debug, clap::Args)]
pub(crate) struct CaseArgs {
    /// The case id.
    case: String,
    #[command(flatten)]
    output: Output,
}

/// 案件详情 Shows one case: tasks, due dates, alerts, projection.
pub(crate) fn show(client: &Client, args: CaseArgs) -> anyhow::Result<ExitCode> {
    let case = client.get(&format!("/cases/{}", args.case), &[])?;
    Ok(print(&args.output, &case, |v| {
        println!(
            "案件 case {} — {} v{}, {}",
            cell(&v["case"]),
            cell(&v["workflow"]),
            cell(&v["workflow_version"]),
            cell(&v["state"])
        );
        println!(
            "受理 accepted {} · 承诺 promised {} · 预计 projected {}",
            cell(&v["launched_on"]),
            date_cell(v, "promised_completion"),
            date_cell(v, "projected_completion")
        );
        let mut t = table(&[
            "事项 task",
            "部门 department",
            "状态 state",
            "经办 officer",
            "承诺到期 due",
            "法定到期 statutory",
            "预警 alerts",
        ]);
        for task in v["tasks"].as_array().into_iter().flatten() {
            let critical = if task["critical"] == true { " ★" } else { "" };
            t.add_row(vec![
                format!("{}{critical}", cell(&task["id"])),
                cell(&task["department"]),
                cell(&task["state"]),
                cell(&task["officer"]),
                date_cell(task, "committed_due"),
                date_cell(task, "statutory_due"),
                cell(&task["alerts"]),
            ]);
        }
        println!("{t}");
        println!(
            "★ 关键路径 critical path; {} events in the timeline",
            v["timeline"].as_array().map_or(0, Vec::len)
        );
    }))
}
