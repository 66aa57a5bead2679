//! What one benchmark case is: the workflow to publish, the departments whose workers run,
//! and the application launched — workloads A and B of `bench/WORKLOADS.md`, or the
//! shipped industrial-project workflow with its chemical-plant example (to measure the launch
//! of a real, rules-driven plan).

use super::workloads::Workload;
use super::{Args, WorkloadArg};
use greenlane_fs::Project;
use greenlane_runtime::ports::DefinitionSource;

/// One benchmark case.
pub(crate) struct Spec {
    /// `A`, `B` or `industrial`.
    pub(crate) label: &'static str,
    /// The workflow launched.
    pub(crate) workflow: String,
    /// Its definition, published if the store has none.
    pub(crate) source: DefinitionSource,
    /// Departments that get workers.
    pub(crate) departments: Vec<String>,
    /// The application of every case.
    pub(crate) application: serde_json::Value,
}

/// The example application the industrial workload launches.
const INDUSTRIAL_EXAMPLE: &str = "industrial-project-chemical-plant";

impl Spec {
    /// The spec `args` ask for.
    pub(crate) fn of(args: &Args) -> anyhow::Result<Spec> {
        let standard = |workload: Workload, label| Spec {
            label,
            workflow: workload.workflow_id().to_string(),
            source: workload.definition(),
            departments: workload.departments(),
            application: serde_json::json!({}),
        };
        match args.workload {
            WorkloadArg::A => Ok(standard(Workload::A, "A")),
            WorkloadArg::B => Ok(standard(Workload::B, "B")),
            WorkloadArg::Industrial => {
                let project = Project::new(&args.root);
                let definitions = crate::demo::definitions::load(&project)?;
                let workflow = definitions
                    .workflows
                    .iter()
                    .find(|w| w.id.as_str() == "industrial-project")
                    .ok_or_else(|| {
                        anyhow::anyhow!("workflows/industrial-project.yaml is missing")
                    })?;
                let path = args
                    .root
                    .join("examples/applications")
                    .join(format!("{INDUSTRIAL_EXAMPLE}.json"));
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                let compiled = project.load_workflow("industrial-project")?;
                Ok(Spec {
                    label: "industrial",
                    workflow: workflow.id.to_string(),
                    departments: compiled
                        .workflow
                        .departments
                        .keys()
                        .map(|d| d.to_string())
                        .collect(),
                    source: workflow.source.clone(),
                    application: serde_json::from_str(&text)?,
                })
            }
        }
    }
}
