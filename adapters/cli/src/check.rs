//! `greenlane check [PATH…]`: validates definitions and reports every problem at once.
//!
//! With no path it checks the project's `workflows/` and `rules/`. A path may be a
//! workflow file, a folder of them, a rules script (`.rhai`) or a calendar folder. Exit
//! status 0 with one summary line per workflow when all is valid; 1 with every problem as
//! `file:line:column: message` when not. A workflow that declares no application fields
//! gets a warning on stderr, which does not change the status.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use greenlane_engine::rules::{self, Rules};
use greenlane_engine::source::{Diagnostic, Diagnostics};
use greenlane_engine::workflow;
use greenlane_fs::{files_with_extension, read, Error, Project};

/// Arguments of `greenlane check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Workflow files, rules scripts or folders (default: workflows/ and rules/).
    paths: Vec<PathBuf>,
}

pub(crate) fn run(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    let paths = if args.paths.is_empty() {
        vec![project.workflows_dir(), project.rules_dir()]
    } else {
        args.paths
    };
    let mut workflows = Vec::new();
    let mut scripts = Vec::new();
    for path in &paths {
        collect(path, &mut workflows, &mut scripts)?;
    }

    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut summaries = Vec::new();
    // Not problems: they never change the exit status.
    let mut warnings: Vec<String> = Vec::new();
    // Calendars are checked once, whatever the paths, since every workflow needs one.
    if let Err(error) = project.calendars() {
        absorb(error, &mut problems)?;
    }
    for file in &workflows {
        let source = read(file)?;
        let sources = match project.sources(Some(file)) {
            Ok(sources) => sources,
            Err(error) => {
                absorb(error, &mut problems)?;
                continue;
            }
        };
        match workflow::build(&source, &sources) {
            Ok(compiled) => {
                let w = &compiled.workflow;
                let departments: std::collections::BTreeSet<_> =
                    w.tasks.iter().map(|t| &t.department).collect();
                let rules = match &w.rules {
                    Some(script) => format!(
                        "rules {script} ({} functions)",
                        compiled.rules().function_names().len()
                    ),
                    None => "no rules script".to_string(),
                };
                let fields = match w.application.fields.len() {
                    0 => "no application fields".to_string(),
                    n => format!("{n} application fields"),
                };
                summaries.push(format!(
                    "ok  {}  {}: {} tasks, {} departments, {fields}, calendar {}, {rules}",
                    source.name,
                    w.name,
                    w.tasks.len(),
                    departments.len(),
                    w.calendar
                ));
                if w.application.is_empty() {
                    warnings.push(format!(
                        "warning: {}: the workflow declares no application fields \
                         (`application:`), so launches are not checked and a missing or \
                         mistyped field reads as false or 0 / 未声明申请字段，受理时不校验申请内容",
                        source.name
                    ));
                }
            }
            Err(Diagnostics(found)) => problems.extend(found),
        }
    }
    for script in &scripts {
        let source = read(script)?;
        if let Err(rules::Error::Syntax {
            line,
            column,
            message,
        }) = Rules::compile(Some(&source.text))
        {
            problems.push(Diagnostic::new(
                source.name,
                line,
                column,
                format!("Rhai syntax error: {message}"),
            ));
        }
    }

    greenlane_fs::dedup(&mut problems);
    for warning in &warnings {
        eprintln!("{warning}");
    }
    if problems.is_empty() {
        for line in &summaries {
            println!("{line}");
        }
        if summaries.is_empty() {
            println!(
                "ok  no workflow files found; {} rules scripts compile",
                scripts.len()
            );
        }
        Ok(ExitCode::SUCCESS)
    } else {
        for problem in &problems {
            println!("{problem}");
        }
        eprintln!(
            "{} problem(s) found / 发现 {} 个问题",
            problems.len(),
            problems.len()
        );
        Ok(ExitCode::FAILURE)
    }
}

/// Turns an invalid-definitions error into diagnostics; other errors are fatal.
fn absorb(error: Error, problems: &mut Vec<Diagnostic>) -> anyhow::Result<()> {
    match error {
        Error::Invalid(Diagnostics(found)) => {
            problems.extend(found);
            Ok(())
        }
        other => Err(other.into()),
    }
}

fn collect(
    path: &Path,
    workflows: &mut Vec<PathBuf>,
    scripts: &mut Vec<PathBuf>,
) -> anyhow::Result<()> {
    if path.is_dir() {
        scripts.extend(files_with_extension(path, "rhai")?);
        for file in files_with_extension(path, "yaml")?
            .into_iter()
            .chain(files_with_extension(path, "yml")?)
        {
            if file.file_name().is_none_or(|n| n != "departments.yaml") {
                workflows.push(file);
            }
        }
    } else if path.extension().is_some_and(|e| e == "rhai") {
        scripts.push(path.to_path_buf());
    } else if path.is_file() {
        workflows.push(path.to_path_buf());
    } else {
        anyhow::bail!("{}: no such file or folder", path.display());
    }
    Ok(())
}
