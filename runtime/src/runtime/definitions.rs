//! Published definitions, compiled once per (workflow, version) and shared by every case
//! pinned to that version.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use greenlane_engine::calendar::Calendar;
use greenlane_engine::case::CaseState;
use greenlane_engine::ids::{CalendarId, PrincipalId, WorkflowId};
use greenlane_engine::plan::CompiledWorkflow;
use greenlane_engine::source::SourceText;
use greenlane_engine::workflow::{self, Sources};

use super::Runtime;
use crate::memory::lock;
use crate::ports::{Backend, DefinitionSource, DefinitionStore, PublishedDefinition};
use crate::RuntimeError;

/// Compiled definitions by (workflow, version).
pub(super) struct DefinitionCache {
    calendars: BTreeMap<CalendarId, Arc<Calendar>>,
    compiled: Mutex<HashMap<(WorkflowId, u32), Arc<CompiledWorkflow>>>,
}

impl DefinitionCache {
    pub(super) fn new(calendars: BTreeMap<CalendarId, Arc<Calendar>>) -> DefinitionCache {
        DefinitionCache {
            calendars,
            compiled: Mutex::default(),
        }
    }

    /// Validates and compiles `source`; every problem is reported.
    pub(super) fn compile(
        &self,
        source: &DefinitionSource,
    ) -> Result<CompiledWorkflow, RuntimeError> {
        let sources = Sources {
            departments: source.departments.as_ref().map(|text| SourceText {
                name: "departments.yaml".to_string(),
                text: text.clone(),
            }),
            rules: source
                .rules
                .iter()
                .map(|(name, text)| {
                    let file = SourceText {
                        name: name.clone(),
                        text: text.clone(),
                    };
                    (name.clone(), file)
                })
                .collect(),
            calendars: self.calendars.clone(),
        };
        let file = SourceText {
            name: source.workflow_name.clone(),
            text: source.workflow.clone(),
        };
        workflow::build(&file, &sources).map_err(RuntimeError::Invalid)
    }
}

impl<B: Backend> Runtime<B> {
    /// Validates `source` and stores it as the next version of its workflow; returns the
    /// version. An invalid definition is refused with every problem located and changes
    /// nothing; cases already launched stay on their version.
    pub async fn publish(
        &self,
        source: DefinitionSource,
        by: &PrincipalId,
    ) -> Result<u32, RuntimeError> {
        let compiled = self.definitions.compile(&source)?;
        let workflow = compiled.workflow.id.clone();
        let version = self.backend.definitions().latest(&workflow).await? + 1;
        let published = PublishedDefinition {
            workflow: workflow.clone(),
            version,
            published_at: self.clock.now(),
            published_by: by.clone(),
            source,
        };
        self.backend.definitions().publish(&published).await?;
        lock(&self.definitions.compiled).insert((workflow, version), Arc::new(compiled));
        Ok(version)
    }

    /// Validates `source` without publishing it.
    pub fn validate(
        &self,
        source: &DefinitionSource,
    ) -> Result<Arc<CompiledWorkflow>, RuntimeError> {
        self.definitions.compile(source).map(Arc::new)
    }

    /// The latest published version of `workflow`.
    pub async fn latest_version(&self, workflow: &WorkflowId) -> Result<u32, RuntimeError> {
        match self.backend.definitions().latest(workflow).await? {
            0 => Err(RuntimeError::UnknownWorkflow(workflow.clone())),
            version => Ok(version),
        }
    }

    /// Version `version` of `workflow`, compiled (once).
    pub async fn definition(
        &self,
        workflow: &WorkflowId,
        version: u32,
    ) -> Result<Arc<CompiledWorkflow>, RuntimeError> {
        let key = (workflow.clone(), version);
        if let Some(compiled) = lock(&self.definitions.compiled).get(&key) {
            return Ok(compiled.clone());
        }
        let published = self
            .backend
            .definitions()
            .get(workflow, version)
            .await?
            .ok_or_else(|| RuntimeError::UnknownVersion {
                workflow: workflow.clone(),
                version,
            })?;
        let compiled = Arc::new(self.definitions.compile(&published.source)?);
        lock(&self.definitions.compiled).insert(key, compiled.clone());
        Ok(compiled)
    }

    /// The definition `state` is pinned to.
    pub(super) async fn case_definition(
        &self,
        state: &CaseState,
    ) -> Result<Arc<CompiledWorkflow>, RuntimeError> {
        let workflow = state
            .workflow
            .clone()
            .expect("a launched case names its workflow");
        self.definition(&workflow, state.workflow_version).await
    }
}
