//! Planning: application + compiled workflow → the case DAG.
//!
//! Only tasks whose `when` holds are kept. A task left out passes its dependencies through:
//! whatever needed it now needs its prerequisites instead, transitively, so leaving out an
//! item the applicant already holds never lets a later item start too early.
//!
//! The DAG's nodes are the applicable tasks in workflow file order; an edge `a → b` means
//! "b needs a".

mod compiled;
pub mod render;
mod timetable;

pub use compiled::{CompiledDays, CompiledWorkflow};
pub use timetable::{Error as TimetableError, Timetable, TimetableRow};

use std::fmt;

use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

use crate::ids::{DepartmentId, TaskId, WorkflowId};
use crate::rules;
use crate::workflow::TaskKind;

/// Errors of planning one application.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The application could not be turned into the `app` map.
    #[error("application: {0}")]
    Application(#[source] rules::Error),
    /// A task's `when` or `committed_days` expression failed.
    #[error("task `{task}`, field `{field}`: {source}")]
    Rule {
        /// The task whose expression failed.
        task: TaskId,
        /// Which field held the expression.
        field: Field,
        /// Rhai's error.
        #[source]
        source: rules::Error,
    },
    /// A computed committed limit is longer than the statutory limit.
    #[error(
        "task `{task}`, field `committed_days`: evaluated to {committed} working days, more than statutory_days {statutory}"
    )]
    CommittedExceedsStatutory {
        /// The task.
        task: TaskId,
        /// What the expression gave.
        committed: u32,
        /// The statutory limit.
        statutory: u32,
    },
    /// A computed committed limit is above 0 for an instant task.
    #[error("task `{task}`, field `committed_days`: an instant task takes 0 days, the expression gave {committed}")]
    InstantWithDays {
        /// The task.
        task: TaskId,
        /// What the expression gave.
        committed: u32,
    },
}

/// The field of a task that an expression came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The `when` condition.
    When,
    /// The `committed_days` expression.
    CommittedDays,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::When => "when",
            Field::CommittedDays => "committed_days",
        })
    }
}

/// One applicable task of a case, with its limits evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PlannedTask {
    /// Task id.
    pub id: TaskId,
    /// Display name.
    pub name: String,
    /// Deciding department.
    pub department: DepartmentId,
    /// Instant, commitment or referred.
    pub kind: TaskKind,
    /// 法定时限 in working days.
    pub statutory_days: u32,
    /// 承诺时限 in working days, evaluated for this application.
    pub committed_days: u32,
    /// Direct prerequisites after pass-through, in workflow file order.
    pub needs: Vec<TaskId>,
    /// Materials the applicant hands in.
    pub materials: Vec<String>,
}

impl PlannedTask {
    /// Working days the task takes in the plan: its committed limit (0 for instant tasks).
    pub fn planned_days(&self) -> u32 {
        match self.kind {
            TaskKind::Instant => 0,
            TaskKind::Commitment | TaskKind::Referred => self.committed_days,
        }
    }
}

/// The plan of one case: the DAG of its applicable tasks.
#[derive(Debug, Clone)]
pub struct CasePlan {
    /// The workflow planned.
    pub workflow: WorkflowId,
    /// Applicable tasks in workflow file order; an edge `a → b` means "b needs a".
    pub graph: DiGraph<PlannedTask, ()>,
    /// Tasks left out because their `when` was false, in workflow file order.
    pub skipped: Vec<TaskId>,
}

impl CasePlan {
    /// The node of task `id`, if it applies.
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.graph
            .node_indices()
            .find(|&n| self.graph[n].id.as_str() == id)
    }

    /// The applicable tasks in workflow file order.
    pub fn tasks(&self) -> impl Iterator<Item = &PlannedTask> {
        self.graph.node_weights()
    }
}

impl CompiledWorkflow {
    /// Plans one application: evaluates every `when` and `committed_days`, leaves out the
    /// tasks that do not apply and passes their dependencies through.
    pub fn plan(&self, application: &serde_json::Value) -> Result<CasePlan, Error> {
        let mut app = self
            .rules
            .application(application)
            .map_err(Error::Application)?;
        let tasks = &self.workflow.tasks;

        let mut applies = Vec::with_capacity(tasks.len());
        let mut when_values = vec![None; self.when_slots.count];
        for (index, (def, when)) in tasks.iter().zip(&self.when).enumerate() {
            let keep = match when {
                Some(expr) => {
                    let slot = self.when_slots.of_task[index];
                    match slot.and_then(|slot| when_values[slot]) {
                        Some(keep) => keep,
                        None => {
                            let keep = self.rules.eval_bool(expr, &mut app).map_err(|source| {
                                Error::Rule {
                                    task: def.id.clone(),
                                    field: Field::When,
                                    source,
                                }
                            })?;
                            if let Some(slot) = slot {
                                when_values[slot] = Some(keep);
                            }
                            keep
                        }
                    }
                }
                None => true,
            };
            applies.push(keep);
        }

        let needs = self.passed_through_needs(&applies);

        let mut graph = DiGraph::with_capacity(tasks.len(), tasks.len() * 2);
        let mut node_of = vec![None; tasks.len()];
        let mut skipped = Vec::new();
        let mut committed_values = vec![None; self.committed_slots.count];
        for (index, def) in tasks.iter().enumerate() {
            if !applies[index] {
                skipped.push(def.id.clone());
                continue;
            }
            let committed_days = self.committed_days(index, &mut app, &mut committed_values)?;
            let node = graph.add_node(PlannedTask {
                id: def.id.clone(),
                name: def.name.clone(),
                department: def.department.clone(),
                kind: def.kind,
                statutory_days: def.statutory_days,
                committed_days,
                needs: needs[index].iter().map(|&n| tasks[n].id.clone()).collect(),
                materials: def.materials.clone(),
            });
            node_of[index] = Some(node);
        }
        for (index, prerequisites) in needs.iter().enumerate() {
            let Some(to) = node_of[index] else { continue };
            for &from in prerequisites {
                let from = node_of[from].expect("pass-through keeps only applicable tasks");
                graph.add_edge(from, to, ());
            }
        }
        Ok(CasePlan {
            workflow: self.workflow.id.clone(),
            graph,
            skipped,
        })
    }

    /// The committed limit of task `index`, checked against its kind and statutory limit.
    /// `values` holds the limits already computed by slot (see `Slots`).
    fn committed_days(
        &self,
        index: usize,
        app: &mut rules::Application,
        values: &mut [Option<u32>],
    ) -> Result<u32, Error> {
        let def = &self.workflow.tasks[index];
        let days = match &self.committed[index] {
            CompiledDays::Fixed(days) => *days,
            CompiledDays::Expr(expr) => {
                let slot = self.committed_slots.of_task[index];
                match slot.and_then(|slot| values[slot]) {
                    Some(days) => days,
                    None => {
                        let days =
                            self.rules
                                .eval_days(expr, app)
                                .map_err(|source| Error::Rule {
                                    task: def.id.clone(),
                                    field: Field::CommittedDays,
                                    source,
                                })?;
                        if let Some(slot) = slot {
                            values[slot] = Some(days);
                        }
                        days
                    }
                }
            }
        };
        if def.kind == TaskKind::Instant && days > 0 {
            return Err(Error::InstantWithDays {
                task: def.id.clone(),
                committed: days,
            });
        }
        if days > def.statutory_days {
            return Err(Error::CommittedExceedsStatutory {
                task: def.id.clone(),
                committed: days,
                statutory: def.statutory_days,
            });
        }
        Ok(days)
    }

    /// For every task, the indices of the applicable tasks it needs once skipped tasks pass
    /// their own needs through; sorted, without duplicates. Entries of skipped tasks hold
    /// what they pass on.
    fn passed_through_needs(&self, applies: &[bool]) -> Vec<Vec<usize>> {
        let tasks = &self.workflow.tasks;
        let mut resolved: Vec<Option<Vec<usize>>> = vec![None; tasks.len()];
        for &index in &self.topological_order {
            let mut needs = Vec::new();
            for need in &tasks[index].needs {
                let n = self.index_of[need];
                if applies[n] {
                    needs.push(n);
                } else {
                    needs.extend(
                        resolved[n]
                            .as_ref()
                            .expect("topological order")
                            .iter()
                            .copied(),
                    );
                }
            }
            needs.sort_unstable();
            needs.dedup();
            resolved[index] = Some(needs);
        }
        resolved
            .into_iter()
            .map(|needs| needs.unwrap_or_default())
            .collect()
    }
}

#[cfg(test)]
mod tests;
