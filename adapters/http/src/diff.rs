//! What changed between two versions of a workflow: tasks added and removed, and for each
//! task kept, its limits (kind, statutory and committed days), its `needs`, and the rest
//! (name, department, `when`, materials); plus whether the rules script, the departments
//! or the calendar changed. Pure: two validated workflows and their texts in, a diff out.

use std::collections::BTreeSet;

use greenlane_engine::workflow::{TaskDef, Workflow};
use greenlane_runtime::ports::DefinitionSource;
use serde::Serialize;
use utoipa::ToSchema;

/// The differences between two versions.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct DefinitionDiff {
    /// The workflow.
    pub(crate) workflow: String,
    /// The older version.
    pub(crate) from: u32,
    /// The newer version.
    pub(crate) to: u32,
    /// Tasks only in `to`.
    pub(crate) tasks_added: Vec<String>,
    /// Tasks only in `from`.
    pub(crate) tasks_removed: Vec<String>,
    /// Tasks whose kind, statutory or committed days changed.
    pub(crate) limits_changed: Vec<String>,
    /// Tasks whose `needs` changed.
    pub(crate) needs_changed: Vec<String>,
    /// Every changed field of every task in both versions.
    pub(crate) changes: Vec<FieldChange>,
    /// Whether the rules script's text changed.
    pub(crate) rules_changed: bool,
    /// Whether the departments changed (the shared file or inline ones).
    pub(crate) departments_changed: bool,
    /// Whether the calendar changed.
    pub(crate) calendar_changed: bool,
    /// Whether the two versions are the same in every respect compared.
    pub(crate) identical: bool,
}

/// One field of one task that differs.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct FieldChange {
    /// The task.
    pub(crate) task: String,
    /// The field (`committed_days`, `needs`, …).
    pub(crate) field: String,
    /// Its value in `from`.
    #[schema(value_type = Object)]
    pub(crate) before: serde_json::Value,
    /// Its value in `to`.
    #[schema(value_type = Object)]
    pub(crate) after: serde_json::Value,
}

/// The fields that count as limits.
const LIMITS: [&str; 3] = ["kind", "statutory_days", "committed_days"];

/// Compares version `from` (`old`, `old_source`) with version `to`.
pub(crate) fn diff(
    (from, old, old_source): (u32, &Workflow, &DefinitionSource),
    (to, new, new_source): (u32, &Workflow, &DefinitionSource),
) -> DefinitionDiff {
    let ids =
        |w: &Workflow| -> BTreeSet<String> { w.tasks.iter().map(|t| t.id.to_string()).collect() };
    let (before, after) = (ids(old), ids(new));
    let mut changes = Vec::new();
    for task in &new.tasks {
        if let Some(previous) = old.tasks.iter().find(|t| t.id == task.id) {
            compare(previous, task, &mut changes);
        }
    }
    let touched = |fields: &[&str]| -> Vec<String> {
        let set: BTreeSet<String> = changes
            .iter()
            .filter(|c: &&FieldChange| fields.contains(&c.field.as_str()))
            .map(|c| c.task.clone())
            .collect();
        set.into_iter().collect()
    };
    let limits_changed = touched(&LIMITS);
    let needs_changed = touched(&["needs"]);
    let rules_changed =
        old_source.rules.as_ref().map(|r| &r.1) != new_source.rules.as_ref().map(|r| &r.1);
    let departments_changed =
        serde_json::to_value(&old.departments).ok() != serde_json::to_value(&new.departments).ok();
    let calendar_changed = old.calendar != new.calendar;
    let tasks_added: Vec<String> = after.difference(&before).cloned().collect();
    let tasks_removed: Vec<String> = before.difference(&after).cloned().collect();
    let identical = tasks_added.is_empty()
        && tasks_removed.is_empty()
        && changes.is_empty()
        && !rules_changed
        && !departments_changed
        && !calendar_changed;
    DefinitionDiff {
        workflow: new.id.to_string(),
        from,
        to,
        tasks_added,
        tasks_removed,
        limits_changed,
        needs_changed,
        changes,
        rules_changed,
        departments_changed,
        calendar_changed,
        identical,
    }
}

fn compare(old: &TaskDef, new: &TaskDef, out: &mut Vec<FieldChange>) {
    let old_value = serde_json::to_value(old).unwrap_or_default();
    let new_value = serde_json::to_value(new).unwrap_or_default();
    let (Some(old_fields), Some(new_fields)) = (old_value.as_object(), new_value.as_object())
    else {
        return;
    };
    let names: BTreeSet<&String> = old_fields.keys().chain(new_fields.keys()).collect();
    for name in names {
        let before = old_fields.get(name).cloned().unwrap_or_default();
        let after = new_fields.get(name).cloned().unwrap_or_default();
        let same = if name == "needs" {
            as_set(&before) == as_set(&after)
        } else {
            before == after
        };
        if !same {
            out.push(FieldChange {
                task: new.id.to_string(),
                field: name.clone(),
                before,
                after,
            });
        }
    }
}

/// `needs` compared as sets: their order means nothing.
fn as_set(value: &serde_json::Value) -> BTreeSet<String> {
    value
        .as_array()
        .map(|a| a.iter().map(|v| v.to_string()).collect())
        .unwrap_or_default()
}
