//! The standard benchmark workloads of `bench/WORKLOADS.md` as workflow definitions,
//! generated here so a benchmark needs no project folder; they run on the engine's shipped
//! `cn` calendar (`greenlane_engine::calendar::shipped`).
//!
//! - A: intake → 8 department tasks in parallel (`dept-1` … `dept-8`) → issuance.
//! - B: intake → 4 parallel stage-1 tasks → 6 parallel stage-2 tasks (each needs all of
//!   stage 1) → issuance.

use std::fmt::Write;

use greenlane_runtime::ports::DefinitionSource;

/// Which standard workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Workload {
    /// Intake → 8 in parallel → issuance: 10 tasks.
    A,
    /// Intake → 4 → 6 → issuance: 12 tasks.
    B,
}

impl Workload {
    /// The workflow id.
    pub(crate) fn workflow_id(self) -> &'static str {
        match self {
            Workload::A => "workload-a",
            Workload::B => "workload-b",
        }
    }

    /// Tasks per case.
    #[cfg(test)]
    fn tasks_per_case(self) -> usize {
        match self {
            Workload::A => 10,
            Workload::B => 12,
        }
    }

    /// Every department the workload's tasks go to.
    pub(crate) fn departments(self) -> Vec<String> {
        let parallel = match self {
            Workload::A => 8,
            Workload::B => 10,
        };
        std::iter::once("window".to_string())
            .chain((1..=parallel).map(|i| format!("dept-{i}")))
            .collect()
    }

    /// The workflow definition.
    pub(crate) fn definition(self) -> DefinitionSource {
        let stages: Vec<usize> = match self {
            Workload::A => vec![8],
            Workload::B => vec![4, 6],
        };
        staged_source(self.workflow_id(), &stages)
    }
}

/// [`staged_workflow`] as a definition to publish, from a file named `<id>.yaml`.
fn staged_source(id: &str, stages: &[usize]) -> DefinitionSource {
    DefinitionSource {
        workflow_name: format!("{id}.yaml"),
        workflow: staged_workflow(id, stages),
        rules: None,
        departments: None,
    }
}

/// A workflow: an instant intake, then stages of parallel commitment tasks (each needing
/// every task of the stage before), then an instant issuance needing the last stage.
/// Stage tasks go to `dept-1`, `dept-2`, … in order.
fn staged_workflow(id: &str, stages: &[usize]) -> String {
    let total: usize = stages.iter().sum();
    let mut yaml = format!(
        "id: {id}\nname: 基准流程 {id} / Benchmark workflow {id}\ncalendar: cn\ndepartments:\n  - {{ id: window, name: 综合窗口 / One window }}\n"
    );
    for d in 1..=total {
        let _ = writeln!(
            yaml,
            "  - {{ id: dept-{d}, name: 部门 {d} / Department {d} }}"
        );
    }
    yaml.push_str("tasks:\n");
    yaml.push_str("  - { id: intake, name: 受理 / Intake, department: window, kind: instant, statutory_days: 0, committed_days: 0, needs: [] }\n");
    let mut previous = vec!["intake".to_string()];
    let mut d = 0;
    for (s, &width) in stages.iter().enumerate() {
        let mut stage = Vec::new();
        for _ in 0..width {
            d += 1;
            let task = format!("s{}-t{d}", s + 1);
            let _ = writeln!(
                yaml,
                "  - {{ id: {task}, name: 审批 {d} / Approval {d}, department: dept-{d}, kind: commitment, statutory_days: 20, committed_days: 5, needs: [{}] }}",
                previous.join(", ")
            );
            stage.push(task);
        }
        previous = stage;
    }
    let _ = writeln!(
        yaml,
        "  - {{ id: issue, name: 出件 / Issuance, department: window, kind: instant, statutory_days: 0, committed_days: 0, needs: [{}] }}",
        previous.join(", ")
    );
    yaml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_workloads_validate_with_the_task_counts_of_the_brief() {
        let calendars = greenlane_engine::calendar::shipped::cn_calendars();
        for workload in [Workload::A, Workload::B] {
            let source = workload.definition();
            let sources = greenlane_engine::workflow::Sources {
                calendars: calendars.clone(),
                ..Default::default()
            };
            let file = greenlane_engine::source::SourceText {
                name: source.workflow_name.clone(),
                text: source.workflow.clone(),
            };
            let compiled = greenlane_engine::workflow::build(&file, &sources)
                .unwrap_or_else(|d| panic!("{d}"));
            assert_eq!(compiled.workflow.tasks.len(), workload.tasks_per_case());
            assert_eq!(
                compiled.workflow.departments.len(),
                workload.departments().len()
            );
        }
    }
}
