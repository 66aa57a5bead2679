//! `alerts`, `kpis`: what a supervisor reads.

use std::process::ExitCode;

use super::{cell, date_cell, print, table, Client, Output};

/// Arguments of `greenlane alerts`.
#[derive(Debug, clap::Args)]
pub(crate) struct AlertsArgs {
    /// warning, yellow or red.
    #[arg(long)]
    level: Option<String>,
    /// Only this department's tasks.
    #[arg(long)]
    department: Option<String>,
    /// Only this center and below.
    #[arg(long)]
    center: Option<String>,
    /// Only alerts whose task is still open.
    #[arg(long)]
    open: bool,
    #[command(flatten)]
    output: Output,
}

/// 预警 Alerts, newest first.
pub(crate) fn alerts(client: &Client, args: AlertsArgs) -> anyhow::Result<ExitCode> {
    let mut query = Vec::new();
    for (name, value) in [
        ("level", args.level),
        ("department", args.department),
        ("center", args.center),
    ] {
        if let Some(value) = value {
            query.push((name, value));
        }
    }
    if args.open {
        query.push(("open", "true".to_string()));
    }
    let alerts = client.get("/supervision/alerts", &query)?;
    Ok(print(&args.output, &alerts, |v| {
        println!(
            "预警 warning {} · 黄牌 yellow {} · 红牌 red {}",
            cell(&v["counts"]["warning"]),
            cell(&v["counts"]["yellow"]),
            cell(&v["counts"]["red"])
        );
        let mut t = table(&[
            "级别 level",
            "案件 case",
            "事项 task",
            "部门 department",
            "到期 due",
            "时间 at",
            "未结 open",
        ]);
        for a in v["alerts"].as_array().into_iter().flatten() {
            t.add_row(vec![
                cell(&a["label"]),
                cell(&a["case"]),
                cell(&a["task"]),
                cell(&a["department"]),
                date_cell(a, "due"),
                cell(&a["at"]),
                cell(&a["open"]),
            ]);
        }
        println!("{t}");
    }))
}

/// Arguments of `greenlane kpis`.
#[derive(Debug, clap::Args)]
pub(crate) struct KpisArgs {
    /// Only this workflow's cases.
    #[arg(long)]
    workflow: Option<String>,
    /// Only this center and below.
    #[arg(long)]
    center: Option<String>,
    #[command(flatten)]
    output: Output,
}

/// 考核指标 The KPI board against the seed's targets.
pub(crate) fn kpis(client: &Client, args: KpisArgs) -> anyhow::Result<ExitCode> {
    let mut query = Vec::new();
    if let Some(workflow) = args.workflow {
        query.push(("workflow", workflow));
    }
    if let Some(center) = args.center {
        query.push(("center", center));
    }
    let board = client.get("/supervision/kpis", &query)?;
    Ok(print(&args.output, &board, |v| {
        println!("案件 cases on the board: {}", cell(&v["cases"]));
        let mut t = table(&[
            "指标 KPI",
            "范围 scope",
            "数值 value",
            "分子/分母 basis",
            "目标 target",
            "达标 met",
        ]);
        for r in v["rows"].as_array().into_iter().flatten() {
            t.add_row(vec![
                cell(&r["kpi"]),
                cell(&r["scope"]),
                cell(&r["value"]),
                cell(&r["basis"]),
                cell(&r["target"]),
                cell(&r["met"]),
            ]);
        }
        println!("{t}");
    }))
}
