//! `DefinitionStore`: published versions of workflows with their rules. A case is pinned
//! to the version it was launched with; publishing adds a version and never changes one.

use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::{CalendarId, PrincipalId, WorkflowId};
use serde::{Deserialize, Serialize};

use super::Fut;

/// The text of one workflow version: the YAML, its rules script and the departments file
/// it was checked against. Calendars are shared by every version and not stored here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionSource {
    /// Name of the workflow file, used in diagnostics (`industrial-project.yaml`).
    pub workflow_name: String,
    /// The workflow YAML.
    pub workflow: String,
    /// The rules script's file name and text, if the workflow names one.
    pub rules: Option<(String, String)>,
    /// The shared departments YAML, if used.
    pub departments: Option<String>,
}

/// A stored version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedDefinition {
    /// The workflow.
    pub workflow: WorkflowId,
    /// Its version, from 1.
    pub version: u32,
    /// When it was published.
    pub published_at: Timestamp,
    /// Who published it.
    pub published_by: PrincipalId,
    /// The text.
    pub source: DefinitionSource,
    /// The sample applications this version was tried on, which its next versions are
    /// tried on too unless a publication sends others: stored, so every node and every
    /// restart sees them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<serde_json::Value>,
}

/// One year file of a calendar as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarYearText {
    /// The year.
    pub year: i32,
    /// Its file name, used in diagnostics (`2027.yaml`).
    pub name: String,
    /// The YAML text.
    pub text: String,
}

/// A stored version of a calendar: every year file it is built from, so a version is the
/// whole calendar as it stood after one publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedCalendar {
    /// The calendar.
    pub calendar: CalendarId,
    /// Its version, from 1; every publication of one of its years adds one.
    pub version: u32,
    /// When it was published.
    pub published_at: Timestamp,
    /// Who published it.
    pub published_by: PrincipalId,
    /// The years this version added or changed.
    pub changed: Vec<i32>,
    /// What the publisher said of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Every year file, in year order.
    pub years: Vec<CalendarYearText>,
}

/// Versioned definitions: workflows with their rules, and calendars.
pub trait DefinitionStore: Send + Sync + 'static {
    /// Stores `definition` as the next version of its workflow if its version is exactly
    /// one more than the latest (else [`crate::StoreError::Conflict`]). Durable on return.
    fn publish(&self, definition: &PublishedDefinition) -> impl Fut<()>;

    /// One version.
    fn get(&self, workflow: &WorkflowId, version: u32) -> impl Fut<Option<PublishedDefinition>>;

    /// The latest version number of `workflow` (0 when none).
    fn latest(&self, workflow: &WorkflowId) -> impl Fut<u32>;

    /// Every workflow with its latest version.
    fn workflows(&self) -> impl Fut<Vec<(WorkflowId, u32)>>;

    /// Stores `calendar` as the next version of its calendar if its version is exactly one
    /// more than the latest (else [`crate::StoreError::Conflict`]). Durable on return.
    fn publish_calendar(&self, calendar: &PublishedCalendar) -> impl Fut<()>;

    /// One version of a calendar.
    fn calendar(&self, calendar: &CalendarId, version: u32) -> impl Fut<Option<PublishedCalendar>>;

    /// Every calendar with its latest version.
    fn calendars(&self) -> impl Fut<Vec<(CalendarId, u32)>>;
}
