//! What callers read through the runtime instead of reaching into its backend: the
//! workflows and their stored versions, calendar versions, a department's queue depth, and
//! pages of the case index. Reads only; every change goes through the commands.

use greenlane_engine::case::CaseStatusKind;
use greenlane_engine::ids::{CalendarId, CaseId, DepartmentId, WorkflowId};

use super::Runtime;
use crate::ports::{
    Backend, CaseIndex, CaseRecord, DefinitionStore, PublishedCalendar, PublishedDefinition,
    TaskQueue,
};
use crate::RuntimeError;

impl<B: Backend> Runtime<B> {
    /// Every workflow with its latest version.
    pub async fn workflows(&self) -> Result<Vec<(WorkflowId, u32)>, RuntimeError> {
        Ok(self.backend.definitions().workflows().await?)
    }

    /// Version `version` of `workflow` as stored (its text, who published it and when).
    pub async fn stored_definition(
        &self,
        workflow: &WorkflowId,
        version: u32,
    ) -> Result<Option<PublishedDefinition>, RuntimeError> {
        Ok(self.backend.definitions().get(workflow, version).await?)
    }

    /// Version `version` of calendar `id` as stored.
    pub async fn stored_calendar(
        &self,
        id: &CalendarId,
        version: u32,
    ) -> Result<Option<PublishedCalendar>, RuntimeError> {
        Ok(self.backend.definitions().calendar(id, version).await?)
    }

    /// Free entries in `department`'s queue.
    pub async fn queue_depth(&self, department: &DepartmentId) -> Result<usize, RuntimeError> {
        Ok(self.backend.queue().depth(department).await?)
    }

    /// A page of the case index: cases with `status` (or any), ordered by id, after
    /// `after`, at most `limit`.
    pub async fn case_records(
        &self,
        status: Option<CaseStatusKind>,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseRecord>, RuntimeError> {
        Ok(self.backend.events().cases(status, after, limit).await?)
    }
}
