//! The validated workflow model: what a workflow YAML file means once every check passed.
//!
//! These types are built only by [`super::build`] (parse, then validate); a value of
//! [`Workflow`] is therefore always consistent: every `needs` names a task of the same
//! workflow, every department exists, the `needs` relation has no cycle, and limits are in
//! range. Expressions are kept as source text here; their compiled form lives in
//! [`crate::plan::CompiledWorkflow`].

use std::collections::BTreeMap;

use serde::Serialize;

use super::ApplicationSchema;
use crate::ids::{CalendarId, DepartmentId, TaskId, WorkflowId};

/// One workflow definition (a kind of joint approval, e.g. an industrial project).
#[derive(Debug, Clone, Serialize)]
pub struct Workflow {
    /// Stable id used by `--workflow` and in cases.
    pub id: WorkflowId,
    /// Display name, Chinese first with English beside it.
    pub name: String,
    /// Optional public description (八公开: conditions, procedure).
    pub description: Option<String>,
    /// The business calendar that working days are counted on.
    pub calendar: CalendarId,
    /// File name of the rules script under `rules/`, if the workflow has one.
    pub rules: Option<String>,
    /// Departments that tasks may refer to (inline ones and the shared list merged).
    pub departments: BTreeMap<DepartmentId, Department>,
    /// Tasks in file order.
    pub tasks: Vec<TaskDef>,
    /// The fields of its application (`application:`); empty when it declares none, and
    /// then applications are not checked.
    pub application: ApplicationSchema,
}

/// A department approval office (部门审批办).
#[derive(Debug, Clone, Serialize)]
pub struct Department {
    /// Department id.
    pub id: DepartmentId,
    /// Display name, Chinese first with English beside it.
    pub name: String,
}

/// The kind of an approval item (即办件 / 承诺件 / 上报件).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    /// 即办件: decided on the spot, same day; takes 0 working days.
    Instant,
    /// 承诺件: decided within a written committed limit.
    Commitment,
    /// 上报件: decided by a higher-level agency.
    Referred,
}

impl TaskKind {
    /// The YAML spelling of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Instant => "instant",
            TaskKind::Commitment => "commitment",
            TaskKind::Referred => "referred",
        }
    }
}

/// A committed limit: a fixed number of working days or a Rhai expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Days {
    /// A fixed number of working days.
    Fixed(u32),
    /// A Rhai expression evaluated against the application; must yield an integer.
    Expr(String),
}

/// One approval item of a workflow; a case has one task per applicable item.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDef {
    /// Task id, unique within the workflow.
    pub id: TaskId,
    /// Display name, Chinese first with English beside it.
    pub name: String,
    /// The department that decides this task.
    pub department: DepartmentId,
    /// Instant, commitment or referred.
    pub kind: TaskKind,
    /// 法定时限 in working days.
    pub statutory_days: u32,
    /// 承诺时限 in working days (or an expression giving it).
    pub committed_days: Days,
    /// Tasks that must be approved before this one starts.
    pub needs: Vec<TaskId>,
    /// Optional Rhai expression; the task applies only when it evaluates to `true`.
    pub when: Option<String>,
    /// Materials the applicant must hand in for this item.
    pub materials: Vec<String>,
    /// Optional legal basis of the item, shown publicly (八公开).
    pub basis: Option<String>,
}
