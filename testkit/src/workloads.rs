//! Staged test workflows, generated as YAML so a test or a conformance run needs no
//! project folder: an instant intake, stages of parallel commitment tasks, an instant
//! issuance, on the engine's shipped `cn` calendar
//! (`greenlane_engine::calendar::shipped::cn_calendars`).

use std::fmt::Write;

use greenlane_runtime::ports::DefinitionSource;

/// [`staged_workflow`] as a definition to publish, from a file named `<id>.yaml`.
pub fn staged_source(id: &str, stages: &[usize]) -> DefinitionSource {
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
pub fn staged_workflow(id: &str, stages: &[usize]) -> String {
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
    fn a_staged_workflow_validates_with_one_task_per_stage_member_plus_two() {
        let sources = greenlane_engine::workflow::Sources {
            calendars: greenlane_engine::calendar::shipped::cn_calendars(),
            ..Default::default()
        };
        let source = staged_source("joint", &[3, 2]);
        let file = greenlane_engine::source::SourceText {
            name: source.workflow_name.clone(),
            text: source.workflow.clone(),
        };
        let compiled =
            greenlane_engine::workflow::build(&file, &sources).unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(compiled.workflow.tasks.len(), 7);
        assert_eq!(compiled.workflow.departments.len(), 6);
    }
}
