//! What the demo takes from the project folder: every workflow under `workflows/` as a
//! [`DefinitionSource`] the runtime can publish (the YAML, its rules script and the shared
//! departments file), the calendars, and the example applications of each workflow
//! (`examples/applications/<workflow-id>-*.json`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use greenlane_engine::calendar::Calendar;
use greenlane_engine::ids::{CalendarId, WorkflowId};
use greenlane_fs::Project;
use greenlane_runtime::ports::DefinitionSource;

/// One workflow as the demo publishes and uses it.
#[derive(Debug, Clone)]
pub(crate) struct DemoWorkflow {
    /// The workflow id.
    pub(crate) id: WorkflowId,
    /// Its display name, Chinese first.
    pub(crate) name: String,
    /// The texts to publish.
    pub(crate) source: DefinitionSource,
    /// Its example applications, in file-name order.
    pub(crate) examples: Vec<serde_json::Value>,
}

/// Everything the demo reads from the project folder.
#[derive(Debug)]
pub(crate) struct Definitions {
    /// Workflows that have at least one example application, by id.
    pub(crate) workflows: Vec<DemoWorkflow>,
    /// Every calendar of the project.
    pub(crate) calendars: BTreeMap<CalendarId, Arc<Calendar>>,
    /// The year files of every calendar of the project, for publishing.
    pub(crate) calendar_sources: BTreeMap<CalendarId, Vec<greenlane_engine::source::SourceText>>,
    /// The calendar the center's working days follow (the first workflow's).
    pub(crate) calendar: Arc<Calendar>,
}

/// Reads and validates every workflow of `project` and its example applications. A
/// workflow without examples is left out of the simulation; none at all is an error.
pub(crate) fn load(project: &Project) -> anyhow::Result<Definitions> {
    let mut definitions = load_all(project)?;
    definitions.workflows.retain(|w| !w.examples.is_empty());
    if definitions.workflows.is_empty() {
        bail!(
            "no workflow under {} has example applications in {} (named <workflow-id>-*.json)",
            greenlane_fs::display(&project.workflows_dir()),
            greenlane_fs::display(&project.root().join("examples").join("applications"))
        );
    }
    Ok(definitions)
}

/// Reads and validates every workflow of `project` with its example applications (possibly
/// none); no workflow at all is an error.
pub(crate) fn load_all(project: &Project) -> anyhow::Result<Definitions> {
    let calendars = project.calendars()?;
    let calendar_sources = project.calendar_sources()?;
    let examples_dir = project.root().join("examples").join("applications");
    let example_files = greenlane_fs::files_with_extension(&examples_dir, "json")?;
    let mut workflows = Vec::new();
    let mut calendar = None;
    let mut fallback = None;
    for file in project.workflow_files()? {
        let path = greenlane_fs::display(&file);
        let compiled = project.load_workflow(&path)?;
        let id = compiled.workflow.id.clone();
        let examples = examples_of(&id, &example_files)?;
        let source = project.workflow_source(&path)?;
        let sources = project.sources(Some(Path::new(&source.name)))?;
        let rules = match &compiled.workflow.rules {
            Some(name) => {
                let script = sources
                    .rules
                    .get(name)
                    .with_context(|| format!("{path}: rules script `{name}` not found"))?;
                Some((name.clone(), script.text.clone()))
            }
            None => None,
        };
        if !examples.is_empty() {
            calendar.get_or_insert_with(|| compiled.calendar.clone());
        }
        workflows.push(DemoWorkflow {
            id,
            name: compiled.workflow.name.clone(),
            source: DefinitionSource {
                workflow_name: source.name,
                workflow: source.text,
                rules,
                departments: sources.departments.map(|d| d.text),
            },
            examples,
        });
        fallback.get_or_insert_with(|| compiled.calendar.clone());
    }
    // The first workflow with examples decides the center's calendar (the demo's rule);
    // the first workflow at all when none has examples.
    let Some(calendar) = calendar.or(fallback) else {
        bail!(
            "no workflow under {}",
            greenlane_fs::display(&project.workflows_dir())
        );
    };
    Ok(Definitions {
        workflows,
        calendars,
        calendar_sources,
        calendar,
    })
}

/// The example applications of `workflow`: files named `<workflow-id>-*.json`.
fn examples_of(
    workflow: &WorkflowId,
    files: &[std::path::PathBuf],
) -> anyhow::Result<Vec<serde_json::Value>> {
    let prefix = format!("{workflow}-");
    let mut examples = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.starts_with(&prefix) {
            continue;
        }
        let path = greenlane_fs::display(file);
        let text = std::fs::read_to_string(file).with_context(|| format!("{path}: cannot read"))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{path}: not valid JSON"))?;
        if !value.is_object() {
            bail!("{path}: an application is a JSON object");
        }
        examples.push(value);
    }
    Ok(examples)
}
