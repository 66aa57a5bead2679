//! A case plan scheduled on the calendar: the critical path and the dates it promises.
//!
//! Offsets are working days from the launch date (offset 0); a task's `due` date is
//! `earliest_finish` working days after the launch date, and the promised completion date
//! is the launch date plus the critical path's duration, both counted by the calendar's
//! convention (the launch day itself is not counted).

use chrono::NaiveDate;
use serde::Serialize;

use super::CasePlan;
use crate::calendar::{self, Calendar};
use crate::ids::{DepartmentId, TaskId, WorkflowId};
use crate::schedule::{self, Activity};
use crate::workflow::TaskKind;

/// Errors of scheduling a plan on the calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A date fell outside the calendar.
    #[error(transparent)]
    Calendar(#[from] calendar::Error),
    /// The plan's graph has a cycle (impossible for a validated workflow).
    #[error(transparent)]
    Schedule(#[from] schedule::Error),
}

/// A planned case with its schedule and dates.
#[derive(Debug, Clone, Serialize)]
pub struct Timetable {
    /// The workflow planned.
    pub workflow: WorkflowId,
    /// The launch date (offset 0).
    pub start: NaiveDate,
    /// Length of the critical path in working days.
    pub duration_working_days: u32,
    /// The launch date plus the duration in working days.
    pub promised_completion: NaiveDate,
    /// Task ids of the critical path, first to last.
    pub critical_path: Vec<TaskId>,
    /// Every applicable task, in workflow file order.
    pub tasks: Vec<TimetableRow>,
    /// Tasks left out because their `when` was false.
    pub skipped: Vec<TaskId>,
}

/// One task of a [`Timetable`].
#[derive(Debug, Clone, Serialize)]
pub struct TimetableRow {
    /// Task id.
    pub id: TaskId,
    /// Display name.
    pub name: String,
    /// Deciding department.
    pub department: DepartmentId,
    /// Instant, commitment or referred.
    pub kind: TaskKind,
    /// 承诺时限 in working days.
    pub committed_days: u32,
    /// 法定时限 in working days.
    pub statutory_days: u32,
    /// Direct prerequisites after pass-through.
    pub needs: Vec<TaskId>,
    /// Earliest start offset.
    pub earliest_start: u32,
    /// Earliest finish offset.
    pub earliest_finish: u32,
    /// Latest start offset that keeps the promised completion.
    pub latest_start: u32,
    /// Latest finish offset that keeps the promised completion.
    pub latest_finish: u32,
    /// Total float in working days.
    pub float: u32,
    /// Whether the task is critical (float 0).
    pub critical: bool,
    /// The date `earliest_finish` working days after the launch date.
    pub due: NaiveDate,
}

impl CasePlan {
    /// Runs the critical path method on the plan and dates it from `start`.
    pub fn timetable(&self, calendar: &Calendar, start: NaiveDate) -> Result<Timetable, Error> {
        let schedule = schedule::critical_path(&self.graph, |_, task| Activity {
            duration: task.planned_days(),
            not_before: 0,
        })?;
        let mut tasks = Vec::with_capacity(self.graph.node_count());
        for node in self.graph.node_indices() {
            let task = &self.graph[node];
            let timing = &schedule.timings[node.index()];
            tasks.push(TimetableRow {
                id: task.id.clone(),
                name: task.name.clone(),
                department: task.department.clone(),
                kind: task.kind,
                committed_days: task.committed_days,
                statutory_days: task.statutory_days,
                needs: task.needs.clone(),
                earliest_start: timing.earliest_start,
                earliest_finish: timing.earliest_finish,
                latest_start: timing.latest_start,
                latest_finish: timing.latest_finish,
                float: timing.float,
                critical: timing.critical,
                due: calendar.add_working_days(start, timing.earliest_finish)?,
            });
        }
        Ok(Timetable {
            workflow: self.workflow.clone(),
            start,
            duration_working_days: schedule.duration,
            promised_completion: calendar.add_working_days(start, schedule.duration)?,
            critical_path: schedule
                .critical_path
                .iter()
                .map(|&n| self.graph[n].id.clone())
                .collect(),
            tasks,
            skipped: self.skipped.clone(),
        })
    }
}
