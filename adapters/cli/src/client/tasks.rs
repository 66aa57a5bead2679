//! `inbox`, `claim`, `approve`, `reject`, `supplement`: what an officer does with tasks
//! (and a coordinator, handing in supplements).

use std::process::ExitCode;

use anyhow::bail;
use serde_json::json;

use super::{cell, date_cell, print, print_events, table, Client, Output};

/// Arguments of `greenlane inbox`.
#[derive(Debug, clap::Args)]
pub(crate) struct InboxArgs {
    /// The department id.
    department: String,
    #[command(flatten)]
    output: Output,
}

/// 待办 A department's inbox, oldest due first.
pub(crate) fn inbox(client: &Client, args: InboxArgs) -> anyhow::Result<ExitCode> {
    let inbox = client.get(&format!("/departments/{}/inbox", args.department), &[])?;
    Ok(print(&args.output, &inbox, |v| {
        let mut t = table(&[
            "案件 case",
            "事项 task",
            "状态 state",
            "经办 officer",
            "承诺到期 due",
            "预警 alerts",
        ]);
        for e in v["tasks"].as_array().into_iter().flatten() {
            t.add_row(vec![
                cell(&e["case"]),
                format!("{} {}", cell(&e["task"]), cell(&e["name"])),
                cell(&e["state"]),
                cell(&e["officer"]),
                date_cell(e, "due"),
                cell(&e["alerts"]),
            ]);
        }
        println!("{t}");
    }))
}

/// Arguments of `greenlane claim`.
#[derive(Debug, clap::Args)]
pub(crate) struct ClaimArgs {
    /// The case (with TASK), or the department with `--next`.
    target: String,
    /// The task.
    task: Option<String>,
    /// Claim the next ready task of the department TARGET.
    #[arg(long)]
    next: bool,
    #[command(flatten)]
    output: Output,
}

/// Arguments of `greenlane approve` (and other commands on one task).
#[derive(Debug, clap::Args)]
pub(crate) struct DecideArgs {
    /// The case.
    case: String,
    /// The task.
    task: String,
    #[command(flatten)]
    output: Output,
}

/// 认领 Claims a task, or the next one of a department.
pub(crate) fn claim(client: &Client, args: ClaimArgs) -> anyhow::Result<ExitCode> {
    let claimed = match (args.next, &args.task) {
        (true, None) => client.post(&format!("/departments/{}/claim-next", args.target), None)?,
        (false, Some(task)) => {
            client.post(&format!("/cases/{}/tasks/{task}/claim", args.target), None)?
        }
        _ => bail!("give CASE TASK, or --next DEPARTMENT"),
    };
    Ok(print(&args.output, &claimed, |v| {
        if v.is_null() {
            println!("无待办 nothing to claim");
        } else {
            println!(
                "已认领 claimed {} {} until {}",
                cell(&v["case"]),
                cell(&v["task"]),
                cell(&v["lease_until"])
            );
        }
    }))
}

/// 批准 Approves a claimed task.
pub(crate) fn approve(client: &Client, args: DecideArgs) -> anyhow::Result<ExitCode> {
    let result = client.post(
        &format!("/cases/{}/tasks/{}/approve", args.case, args.task),
        None,
    )?;
    Ok(print(&args.output, &result, print_events))
}

/// Arguments of `greenlane reject`.
#[derive(Debug, clap::Args)]
pub(crate) struct RejectArgs {
    #[command(flatten)]
    task: DecideArgs,
    /// Why; shown to every department and the applicant.
    #[arg(long)]
    reason: String,
}

/// 不予许可 Rejects a claimed task, and with it the case.
pub(crate) fn reject(client: &Client, args: RejectArgs) -> anyhow::Result<ExitCode> {
    let path = format!("/cases/{}/tasks/{}/reject", args.task.case, args.task.task);
    let result = client.post(&path, Some(json!({ "reason": args.reason })))?;
    Ok(print(&args.task.output, &result, print_events))
}

/// Arguments of `greenlane supplement`.
#[derive(Debug, clap::Args)]
pub(crate) struct SupplementArgs {
    #[command(flatten)]
    task: DecideArgs,
    /// 一次性告知: every missing material, one `--material` each (officer).
    #[arg(long = "material", conflicts_with = "submitted")]
    materials: Vec<String>,
    /// The applicant handed the materials in (coordinator).
    #[arg(long)]
    submitted: bool,
}

/// 补正 Asks for every missing material at once, or records that they were handed in.
pub(crate) fn supplement(client: &Client, args: SupplementArgs) -> anyhow::Result<ExitCode> {
    let base = format!("/cases/{}/tasks/{}", args.task.case, args.task.task);
    let result = if args.submitted {
        client.post(&format!("{base}/submit-supplement"), None)?
    } else if args.materials.is_empty() {
        bail!("list every missing material with --material, or give --submitted");
    } else {
        client.post(
            &format!("{base}/request-supplement"),
            Some(json!({ "materials": args.materials })),
        )?
    };
    Ok(print(&args.task.output, &result, print_events))
}
