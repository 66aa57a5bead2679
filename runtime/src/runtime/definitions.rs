//! Published definitions, compiled once per (workflow, version) and shared by every case
//! pinned to that version.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use greenlane_engine::calendar::Calendar;
use greenlane_engine::case::CaseState;
use greenlane_engine::ids::{CalendarId, PrincipalId, WorkflowId};
use greenlane_engine::plan::CompiledWorkflow;
use greenlane_engine::source::SourceText;
use greenlane_engine::workflow::{self, Sources};

use super::calendars::InstalledCalendar;
use super::Runtime;
use crate::memory::lock;
use crate::ports::{
    Backend, CalendarYearText, DefinitionSource, DefinitionStore, PublishedDefinition,
};
use crate::RuntimeError;

/// Compiled definitions by (workflow, version), and the calendars they are compiled with.
pub(super) struct DefinitionCache {
    calendars: RwLock<BTreeMap<CalendarId, InstalledCalendar>>,
    compiled: Mutex<HashMap<(WorkflowId, u32), Arc<CompiledWorkflow>>>,
}

impl DefinitionCache {
    pub(super) fn new(calendars: BTreeMap<CalendarId, Arc<Calendar>>) -> DefinitionCache {
        let calendars = calendars
            .into_iter()
            .map(|(id, calendar)| {
                let installed = InstalledCalendar {
                    version: 0,
                    calendar,
                    years: Vec::new(),
                };
                (id, installed)
            })
            .collect();
        DefinitionCache {
            calendars: RwLock::new(calendars),
            compiled: Mutex::default(),
        }
    }

    /// The calendars in use.
    pub(super) fn installed(&self) -> BTreeMap<CalendarId, InstalledCalendar> {
        read(&self.calendars).clone()
    }

    /// Calendar `id` in use.
    pub(super) fn installed_one(&self, id: &CalendarId) -> Option<InstalledCalendar> {
        read(&self.calendars).get(id).cloned()
    }

    /// The version in use of calendar `id` (0 for one from the configuration), without
    /// copying its year files: what every tick compares with the store.
    pub(super) fn version_of(&self, id: &CalendarId) -> Option<u32> {
        read(&self.calendars)
            .get(id)
            .map(|installed| installed.version)
    }

    /// Uses `calendar` as version `version` of `id` from now on, unless a later version is
    /// in use already; definitions compiled with the one it replaces are compiled again
    /// when next asked for. Returns whether it was installed.
    pub(super) fn install(
        &self,
        id: &CalendarId,
        version: u32,
        calendar: Arc<Calendar>,
        years: Vec<CalendarYearText>,
    ) -> bool {
        let mut calendars = write(&self.calendars);
        if calendars
            .get(id)
            .is_some_and(|current| current.version >= version && current.version > 0)
        {
            return false;
        }
        calendars.insert(
            id.clone(),
            InstalledCalendar {
                version,
                calendar,
                years,
            },
        );
        drop(calendars);
        lock(&self.compiled).clear();
        true
    }

    /// The calendars by id, as a workflow is compiled with them.
    fn calendar_map(&self) -> BTreeMap<CalendarId, Arc<Calendar>> {
        read(&self.calendars)
            .iter()
            .map(|(id, installed)| (id.clone(), installed.calendar.clone()))
            .collect()
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
            calendars: self.calendar_map(),
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
        self.publish_with_samples(source, Vec::new(), by).await
    }

    /// [`Runtime::publish`], storing `samples` with the version (what it was tried on).
    pub(super) async fn publish_with_samples(
        &self,
        source: DefinitionSource,
        samples: Vec<serde_json::Value>,
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
            samples,
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
        self.definition(&state.workflow, state.workflow_version)
            .await
    }
}

/// Reads `lock`, also after a panic elsewhere (the map is replaced whole, never left half
/// written).
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes `lock`, also after a panic elsewhere.
fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
