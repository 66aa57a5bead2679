//! The supervision board's report: every KPI of a scope ([`Measure`]) with its numerator,
//! denominator, value and target, the task, case and alert counts, and the whole board
//! ([`KpiReport`]) overall, per workflow and per department.

use std::fmt;

use serde::Serialize;

use super::definition::{Kpi, Target, Unit};
use crate::ids::{DepartmentId, WorkflowId};
use crate::supervision::AlertLevel;

/// One KPI in one scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// Which KPI.
    pub kpi: Kpi,
    /// Its label, Chinese first.
    pub label: &'static str,
    /// What the value is measured in.
    pub unit: Unit,
    /// The count meeting the condition for a share, or the sum of per-item values (percent
    /// or working days) for an average.
    pub numerator: f64,
    /// The number of tasks, cases or ratings the KPI is about.
    pub denominator: u64,
    /// `100 × numerator / denominator` for a share, `numerator / denominator` for an
    /// average; `None` ("no data") when the denominator is 0.
    pub value: Option<f64>,
    /// The seed's target, if any.
    pub target: Option<Target>,
    /// Whether the target is met; `None` without a target or without data.
    pub met: Option<bool>,
}

impl Measure {
    /// A measure from its numerator and denominator.
    pub(super) fn new(kpi: Kpi, numerator: f64, denominator: u64) -> Measure {
        let value = (denominator > 0).then(|| {
            let ratio = numerator / denominator as f64;
            if kpi.is_average() {
                ratio
            } else {
                100.0 * ratio
            }
        });
        let target = kpi.target();
        let met = match (value, target) {
            // Shares are compared on the integer counts, so 100 % means every one of them.
            (Some(_), Some(t)) if !kpi.is_average() => {
                Some(numerator * 100.0 >= f64::from(t.at_least) * denominator as f64)
            }
            (Some(v), Some(t)) => Some(v >= f64::from(t.at_least) - 1e-9),
            _ => None,
        };
        Measure {
            kpi,
            label: kpi.label(),
            unit: kpi.unit(),
            numerator,
            denominator,
            value,
            target,
            met,
        }
    }
}

/// What a part of the report is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// Every case fed to the board.
    Overall,
    /// The cases of one workflow.
    Workflow(WorkflowId),
    /// The tasks of one department.
    Department(DepartmentId),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Overall => f.write_str("全部 overall"),
            Scope::Workflow(id) => write!(f, "流程 workflow {id}"),
            Scope::Department(id) => write!(f, "部门 department {id}"),
        }
    }
}

/// Task counts in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TaskCounts {
    /// Tasks in the plans of launched cases.
    pub planned: u64,
    /// Tasks dispatched to their department (made ready at least once).
    pub dispatched: u64,
    /// Tasks approved.
    pub approved: u64,
    /// Tasks rejected.
    pub rejected: u64,
    /// Tasks withdrawn because their case ended without them.
    pub withdrawn: u64,
}

/// Case counts in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CaseCounts {
    /// Cases launched.
    pub launched: u64,
    /// Cases whose every task was approved.
    pub completed: u64,
    /// Cases whose result was handed out.
    pub issued: u64,
    /// Cases rejected.
    pub rejected: u64,
    /// Cases withdrawn.
    pub withdrawn: u64,
    /// Cases raised as at risk of missing the promised completion at least once.
    pub at_risk: u64,
    /// Cases rated by the applicant.
    pub rated: u64,
    /// Completed cases left out of the elapsed working days because a date lies outside the
    /// calendar's coverage.
    pub elapsed_unknown: u64,
}

/// Alert counts by level in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AlertCounts {
    /// 预警 warnings.
    pub warning: u64,
    /// 黄牌 yellow cards.
    pub yellow: u64,
    /// 红牌 red cards.
    pub red: u64,
}

impl AlertCounts {
    /// The count for one level.
    pub fn get(&self, level: AlertLevel) -> u64 {
        match level {
            AlertLevel::Warning => self.warning,
            AlertLevel::Yellow => self.yellow,
            AlertLevel::Red => self.red,
        }
    }

    /// Counts one more alert of `level`.
    pub(super) fn add(&mut self, level: AlertLevel) {
        match level {
            AlertLevel::Warning => self.warning += 1,
            AlertLevel::Yellow => self.yellow += 1,
            AlertLevel::Red => self.red += 1,
        }
    }
}

/// Every KPI and count of one scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeReport {
    /// What the figures are about.
    pub scope: Scope,
    /// The KPIs, in [`Kpi::ALL`] order; task-level ones only for a department.
    pub measures: Vec<Measure>,
    /// Task counts.
    pub tasks: TaskCounts,
    /// Case counts; `None` for a department.
    pub cases: Option<CaseCounts>,
    /// Alerts raised, by level.
    pub alerts: AlertCounts,
}

impl ScopeReport {
    /// The measure of `kpi`, if the scope reports it.
    pub fn measure(&self, kpi: Kpi) -> Option<&Measure> {
        self.measures.iter().find(|m| m.kpi == kpi)
    }
}

/// The supervision board: every KPI overall, per workflow and per department.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiReport {
    /// Every case fed to the board.
    pub overall: ScopeReport,
    /// One per workflow, by workflow id.
    pub workflows: Vec<ScopeReport>,
    /// One per department, by department id.
    pub departments: Vec<ScopeReport>,
    /// Events the board could not place: for a case not launched (yet), a task not in the
    /// case's plan, or a second launch of a case.
    pub ignored_events: u64,
}

impl KpiReport {
    /// Every scope: overall, then workflows, then departments.
    pub fn scopes(&self) -> impl Iterator<Item = &ScopeReport> {
        std::iter::once(&self.overall)
            .chain(&self.workflows)
            .chain(&self.departments)
    }
}
