//! In-memory definition store.

use std::collections::BTreeMap;
use std::sync::Mutex;

use greenlane_engine::ids::{CalendarId, WorkflowId};

use super::lock;
use crate::ports::{DefinitionStore, PublishedCalendar, PublishedDefinition};
use crate::StoreError;

/// Versions by workflow and by calendar, version 1 at index 0.
#[derive(Debug, Default)]
pub struct MemoryDefinitions {
    workflows: Mutex<BTreeMap<WorkflowId, Vec<PublishedDefinition>>>,
    calendars: Mutex<BTreeMap<CalendarId, Vec<PublishedCalendar>>>,
}

impl DefinitionStore for MemoryDefinitions {
    async fn publish(&self, definition: &PublishedDefinition) -> Result<(), StoreError> {
        let mut all = lock(&self.workflows);
        let versions = all.entry(definition.workflow.clone()).or_default();
        let latest = versions.len() as u32;
        if definition.version != latest + 1 {
            return Err(StoreError::Conflict {
                what: definition.workflow.to_string(),
                expected: u64::from(definition.version) - 1,
                actual: u64::from(latest),
            });
        }
        versions.push(definition.clone());
        Ok(())
    }

    async fn get(
        &self,
        workflow: &WorkflowId,
        version: u32,
    ) -> Result<Option<PublishedDefinition>, StoreError> {
        Ok(lock(&self.workflows)
            .get(workflow)
            .and_then(|v| v.get((version as usize).checked_sub(1)?))
            .cloned())
    }

    async fn latest(&self, workflow: &WorkflowId) -> Result<u32, StoreError> {
        Ok(lock(&self.workflows)
            .get(workflow)
            .map_or(0, |v| v.len() as u32))
    }

    async fn workflows(&self) -> Result<Vec<(WorkflowId, u32)>, StoreError> {
        Ok(lock(&self.workflows)
            .iter()
            .map(|(id, v)| (id.clone(), v.len() as u32))
            .collect())
    }

    async fn publish_calendar(&self, calendar: &PublishedCalendar) -> Result<(), StoreError> {
        let mut all = lock(&self.calendars);
        let versions = all.entry(calendar.calendar.clone()).or_default();
        let latest = versions.len() as u32;
        if calendar.version != latest + 1 {
            return Err(StoreError::Conflict {
                what: format!("calendar {}", calendar.calendar),
                expected: u64::from(calendar.version.saturating_sub(1)),
                actual: u64::from(latest),
            });
        }
        versions.push(calendar.clone());
        Ok(())
    }

    async fn calendar(
        &self,
        calendar: &CalendarId,
        version: u32,
    ) -> Result<Option<PublishedCalendar>, StoreError> {
        Ok(lock(&self.calendars)
            .get(calendar)
            .and_then(|v| v.get((version as usize).checked_sub(1)?))
            .cloned())
    }

    async fn calendars(&self) -> Result<Vec<(CalendarId, u32)>, StoreError> {
        Ok(lock(&self.calendars)
            .iter()
            .map(|(id, v)| (id.clone(), v.len() as u32))
            .collect())
    }
}
