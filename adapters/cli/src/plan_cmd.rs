//! `greenlane plan`: plans one application and prints its timetable.
//!
//! Formats: `text` (a readable table), `json` (the [`Timetable`] as documented in the
//! README), `dot` and `mermaid` (the DAG with the critical path highlighted).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use comfy_table::{presets::UTF8_BORDERS_ONLY, ContentArrangement, Table};
use greenlane_engine::plan::{render, Timetable};
use greenlane_fs::Project;

/// Output formats of `greenlane plan`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    /// A readable table.
    Text,
    /// The timetable as JSON.
    Json,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// Arguments of `greenlane plan`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A workflow id (from workflows/) or the path of a workflow YAML file.
    #[arg(long)]
    workflow: String,
    /// The application, a JSON object.
    #[arg(long)]
    application: PathBuf,
    /// The launch date, YYYY-MM-DD (offset 0; not itself counted).
    #[arg(long)]
    start: NaiveDate,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub(crate) fn run(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    let compiled = project.load_workflow(&args.workflow)?;
    let text = std::fs::read_to_string(&args.application).with_context(|| {
        format!(
            "{}: cannot read the application",
            args.application.display()
        )
    })?;
    let application: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not valid JSON", args.application.display()))?;
    // Planned as a launch would be: an application that does not match the fields the
    // workflow declares is refused, every field at fault named.
    if let Err(errors) = compiled.workflow.application.validate(&application) {
        let file = args.application.display();
        for error in &errors {
            match error.field.as_str() {
                "" => eprintln!("{file}: {}", error.message),
                field => eprintln!("{file}: {field}: {}", error.message),
            }
        }
        eprintln!(
            "{} problem(s): the application does not match the fields workflow `{}` declares \
             / 申请内容与流程声明的字段不符",
            errors.len(),
            compiled.workflow.id
        );
        return Ok(ExitCode::FAILURE);
    }
    let plan = compiled.plan(&application).with_context(|| {
        format!(
            "{}: cannot plan this application",
            args.application.display()
        )
    })?;
    let timetable = plan.timetable(&compiled.calendar, args.start)?;
    match args.format {
        Format::Text => print!("{}", text_table(&timetable, &compiled.workflow.name)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&timetable)?),
        Format::Dot => print!("{}", render::to_dot(&timetable)),
        Format::Mermaid => print!("{}", render::to_mermaid(&timetable)),
    }
    Ok(ExitCode::SUCCESS)
}

fn text_table(timetable: &Timetable, workflow_name: &str) -> String {
    let mut table = Table::new();
    // Wrap long names to a readable width whether or not the output is a terminal.
    table
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(140)
        .set_header(vec![
            "",
            "任务 Task",
            "部门 Department",
            "承诺 Committed",
            "最早开始 ES",
            "最迟开始 LS",
            "浮动 Float",
            "到期 Due",
        ]);
    for row in &timetable.tasks {
        table.add_row(vec![
            if row.critical {
                "★".to_string()
            } else {
                String::new()
            },
            format!("{} {}", row.id, short_name(&row.name)),
            row.department.to_string(),
            format!("{} / {}", row.committed_days, row.statutory_days),
            row.earliest_start.to_string(),
            row.latest_start.to_string(),
            row.float.to_string(),
            row.due.to_string(),
        ]);
    }
    let path: Vec<&str> = timetable.critical_path.iter().map(|t| t.as_str()).collect();
    let mut out = format!("{workflow_name}\n受理 Launch: {}\n", timetable.start);
    out.push_str(&format!("{table}\n"));
    out.push_str("★ 关键任务 critical task · 承诺 committed / 法定 statutory working days\n");
    if !timetable.skipped.is_empty() {
        let skipped: Vec<&str> = timetable.skipped.iter().map(|t| t.as_str()).collect();
        out.push_str(&format!("不适用 Not applicable: {}\n", skipped.join(", ")));
    }
    out.push_str(&format!("关键路径 Critical path: {}\n", path.join(" → ")));
    out.push_str(&format!(
        "承诺办结 Promised completion: {} ({} 个工作日 / working days)\n",
        timetable.promised_completion, timetable.duration_working_days
    ));
    out
}

/// The Chinese part of a bilingual name (`综合受理 / One-window intake` → `综合受理`), so the
/// table stays narrow; JSON output keeps the full name.
fn short_name(name: &str) -> &str {
    name.split(" / ").next().unwrap_or(name).trim()
}
