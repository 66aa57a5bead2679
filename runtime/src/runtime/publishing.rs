//! The publishing policy of workflow versions, one call ([`Runtime::publish_request`]) for
//! every way in (`serve`'s first start, the HTTP API, and through it the CLI, and a
//! rollback): what a request that leaves something out carries over from the version
//! before (the rules script of the same name, the departments file), validation with every
//! problem located, a try of the new version on sample applications (those sent with it,
//! else those stored with the latest version, else those this process keeps for the
//! workflow — a project's example applications; each checked against the fields the
//! version declares, planned and dated from today; one failure refuses the publication),
//! then the store, with the samples tried stored beside the new version, so the next
//! publication on any node or after a restart tries them again. Refused, nothing changes.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use greenlane_engine::case::Rejection;
use greenlane_engine::ids::{PrincipalId, WorkflowId};
use greenlane_engine::plan::{CompiledWorkflow, TimetableError};

use super::Runtime;
use crate::ports::{Backend, DefinitionSource, DefinitionStore, PublishedDefinition};
use crate::RuntimeError;

/// A new version as a policy officer sends it; what is left out is carried over.
#[derive(Debug, Clone, Default)]
pub struct PublishRequest {
    /// The workflow YAML.
    pub workflow: String,
    /// The file name used in diagnostics (`<id>.yaml` when absent).
    pub workflow_name: Option<String>,
    /// The rules script the workflow names (`rules:`); the previous version's script of
    /// the same name when absent.
    pub rules: Option<String>,
    /// The departments YAML; the previous version's, else the server's, when absent.
    pub departments: Option<String>,
    /// Sample applications to try the new version on, kept for the next publications;
    /// those kept for the workflow when absent.
    pub samples: Option<Vec<serde_json::Value>>,
}

impl From<DefinitionSource> for PublishRequest {
    /// A request that publishes `source` as it is (a rollback, a project's files).
    fn from(source: DefinitionSource) -> PublishRequest {
        PublishRequest {
            workflow: source.workflow,
            workflow_name: Some(source.workflow_name),
            rules: source.rules.map(|(_, text)| text),
            departments: source.departments,
            samples: None,
        }
    }
}

/// The sample applications this process keeps per workflow (a project's examples), for a
/// workflow whose latest stored version carries none.
#[derive(Debug, Default)]
pub(super) struct Samples(RwLock<HashMap<WorkflowId, Arc<Vec<serde_json::Value>>>>);

/// A sample application the new version failed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFailure {
    /// Its position among the samples, from 0.
    pub index: usize,
    /// What went wrong (planning or dating it).
    pub message: String,
}

/// What a publication did.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The workflow.
    pub workflow: WorkflowId,
    /// The new version: the next launch uses it.
    pub version: u32,
    /// Sample applications it was tried on.
    pub samples_tried: usize,
    /// The version before, if there was one.
    pub previous: Option<PublishedDefinition>,
    /// The source stored.
    pub source: DefinitionSource,
    /// The new version, compiled.
    pub compiled: Arc<CompiledWorkflow>,
}

impl<B: Backend> Runtime<B> {
    /// Publishes what `request` asks for, by the policy above; refused with nothing
    /// changed when the source does not validate or a sample fails.
    pub async fn publish_request(
        &self,
        request: PublishRequest,
        by: &PrincipalId,
    ) -> Result<Publication, RuntimeError> {
        let sent = request.samples.clone();
        let source = self.publication_source(request).await?;
        let compiled = self.validate(&source)?;
        let workflow = compiled.workflow.id.clone();
        let previous = self.latest_definition(&workflow).await?;
        let samples = match (&sent, &previous) {
            (Some(samples), _) => Arc::new(samples.clone()),
            (None, Some(stored)) if !stored.samples.is_empty() => Arc::new(stored.samples.clone()),
            (None, _) => self.samples(&workflow),
        };
        let failures = self.try_samples(&compiled, &samples);
        if !failures.is_empty() {
            return Err(RuntimeError::SamplesFailed {
                failures,
                tried: samples.len(),
            });
        }
        let version = self
            .publish_with_samples(source.clone(), samples.to_vec(), by)
            .await?;
        tracing::info!(%workflow, version, by = %by, "definition published");
        if let Some(sent) = sent {
            self.keep_samples(workflow.clone(), sent);
        }
        Ok(Publication {
            workflow,
            version,
            samples_tried: samples.len(),
            previous,
            source,
            compiled,
        })
    }

    /// Keeps `samples` as the sample applications of `workflow`'s next versions,
    /// replacing earlier ones.
    pub fn keep_samples(&self, workflow: WorkflowId, samples: Vec<serde_json::Value>) {
        let mut kept = self.samples.0.write().unwrap_or_else(|e| e.into_inner());
        kept.insert(workflow, Arc::new(samples));
    }

    /// The sample applications kept for `workflow` (none when nothing was kept).
    pub fn samples(&self, workflow: &WorkflowId) -> Arc<Vec<serde_json::Value>> {
        let kept = self.samples.0.read().unwrap_or_else(|e| e.into_inner());
        kept.get(workflow).cloned().unwrap_or_default()
    }

    /// The source `request` publishes: the rules script and departments file it left out
    /// carried over from the latest version (or the configured departments file). A script
    /// sent for a workflow that names none is refused.
    async fn publication_source(
        &self,
        request: PublishRequest,
    ) -> Result<DefinitionSource, RuntimeError> {
        let parsed = peek(&request.workflow);
        let (id, rules_name) = parsed.clone().unwrap_or_default();
        let previous = match &id {
            Some(id) => {
                self.latest_definition(&WorkflowId::new(id.as_str()))
                    .await?
            }
            None => None,
        };
        let rules = match (request.rules, &rules_name) {
            (Some(text), Some(name)) => Some((name.clone(), text)),
            (Some(_), None) if parsed.is_some() => return Err(RuntimeError::RulesNotNamed),
            // The YAML does not parse: validation says where, located, with the script beside.
            (Some(text), None) => Some(("rules.rhai".to_string(), text)),
            (None, Some(name)) => previous
                .as_ref()
                .and_then(|p| p.source.rules.clone())
                .filter(|(previous_name, _)| previous_name == name),
            (None, None) => None,
        };
        let departments = request
            .departments
            .or_else(|| previous.as_ref().and_then(|p| p.source.departments.clone()))
            .or_else(|| self.config.departments.clone());
        Ok(DefinitionSource {
            workflow_name: request
                .workflow_name
                .unwrap_or_else(|| format!("{}.yaml", id.as_deref().unwrap_or("workflow"))),
            workflow: request.workflow,
            rules,
            departments,
        })
    }

    /// Checks every sample against the fields the version declares, plans and dates it
    /// from today; the failures, by sample. A sample whose
    /// dates run past the calendar's coverage is not a failure: a publication is never
    /// refused because next year's calendar is not published yet.
    pub fn try_samples(
        &self,
        compiled: &CompiledWorkflow,
        samples: &[serde_json::Value],
    ) -> Vec<SampleFailure> {
        let start = self.today();
        samples
            .iter()
            .enumerate()
            .filter_map(|(index, sample)| {
                let result = if sample.is_object() {
                    compiled
                        .workflow
                        .application
                        .validate(sample)
                        .map_err(|errors| Rejection::InvalidApplication { errors }.to_string())
                        .and_then(|()| compiled.plan(sample).map_err(|e| e.to_string()))
                        .and_then(|plan| match plan.timetable(&compiled.calendar, start) {
                            // A promise past the calendar's coverage is the calendar's gap,
                            // not the version's fault: it does not refuse a publication.
                            Ok(_) | Err(TimetableError::Calendar(_)) => Ok(()),
                            Err(other) => Err(other.to_string()),
                        })
                } else {
                    Err("a sample application must be a JSON object".to_string())
                };
                result.err().map(|message| SampleFailure { index, message })
            })
            .collect()
    }

    /// The latest stored version of `workflow`, if any.
    pub async fn latest_definition(
        &self,
        workflow: &WorkflowId,
    ) -> Result<Option<PublishedDefinition>, RuntimeError> {
        let store = self.backend.definitions();
        let version = store.latest(workflow).await?;
        if version == 0 {
            return Ok(None);
        }
        Ok(store.get(workflow, version).await?)
    }
}

/// The `id` and `rules` fields of a workflow YAML, read leniently (validation reports what
/// is wrong with it later, located); `None` when the text is not YAML at all.
fn peek(yaml: &str) -> Option<(Option<String>, Option<String>)> {
    let value = serde_yaml::from_str::<serde_yaml::Value>(yaml).ok()?;
    let field = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_string);
    Some((field("id"), field("rules")))
}
