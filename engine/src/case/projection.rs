//! Re-planning a running case with actual dates: the critical path method again, where
//! decided tasks take the days they actually took and open tasks finish no earlier than
//! their due date or today, whichever is later. The result is the projected completion date
//! and the tasks that push it past the promise.

use chrono::NaiveDate;
use petgraph::graph::DiGraph;

use super::event::Timestamp;
use super::local_date;
use super::state::{CaseState, TaskState, TaskStatus};
use crate::calendar::Calendar;
use crate::ids::TaskId;
use crate::schedule::{self, Activity};

/// A projection of a running case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    /// The projected completion date.
    pub completion: NaiveDate,
    /// The re-planned critical path (task ids, first to last) with actual dates so far.
    pub critical_path: Vec<TaskId>,
    /// Projected critical tasks that took longer than planned once they could start on
    /// schedule, in plan order: the tasks that push the completion past the promise, not
    /// those merely waiting behind them.
    pub causes: Vec<TaskId>,
}

/// Projects `case` as of `today`; the task at `just_approved` counts as approved at `now`.
///
/// `None` when the projection lies beyond the calendar's coverage ("beyond calendar"):
/// today, a date of the case or the projected completion has no working-day count yet.
pub fn projection(
    case: &CaseState,
    calendar: &Calendar,
    today: NaiveDate,
    now: Timestamp,
    just_approved: Option<usize>,
) -> Option<Projection> {
    let launched_on = case.launched_on;
    let offset = |date: NaiveDate| -> Option<u32> {
        let days = calendar.working_days_between(launched_on, date).ok()?;
        Some(u32::try_from(days.max(0)).unwrap_or(u32::MAX))
    };
    let today_offset = offset(today)?;

    let mut graph: DiGraph<usize, ()> =
        DiGraph::with_capacity(case.tasks.len(), case.tasks.len() * 2);
    let nodes: Vec<_> = (0..case.tasks.len()).map(|i| graph.add_node(i)).collect();
    for (index, task) in case.tasks.iter().enumerate() {
        for &need in &task.needs {
            graph.add_edge(nodes[need], nodes[index], ());
        }
    }
    let mut activities = Vec::with_capacity(case.tasks.len());
    for (index, task) in case.tasks.iter().enumerate() {
        let planned = planned_days(task);
        let Some(ready_on) = task.ready_on else {
            activities.push(Activity::new(planned));
            continue;
        };
        let start = offset(ready_on)?;
        let finish = if just_approved == Some(index) {
            offset(local_date(now, &case.time_zone))?
        } else {
            match &task.status {
                TaskStatus::Approved { at, .. } | TaskStatus::Rejected { at, .. } => {
                    offset(local_date(*at, &case.time_zone))?
                }
                _ => {
                    let due = match task.committed_due {
                        Some(due) => offset(due)?,
                        None => start + planned,
                    };
                    due.max(today_offset)
                }
            }
        };
        activities.push(Activity::not_before(finish.saturating_sub(start), start));
    }
    let projected = schedule::critical_path(&graph, |_, &index| activities[index])
        .expect("a launched case's plan is acyclic");
    // A task causes the slip when it is critical in the projection and runs past its planned
    // duration counted from the later of its projected start and its planned latest start.
    // Lateness merely inherited from prerequisites does not count, so a task that has not
    // started yet (or the instant issuance waiting for the others) is never blamed, and
    // every critical path is searched, not just one of them.
    let causes = case
        .tasks
        .iter()
        .enumerate()
        .filter(|&(index, task)| {
            let timing = &projected.timings[index];
            let planned = planned_days(task);
            let latest_start = task.plan.latest_finish.saturating_sub(planned);
            timing.critical
                && timing.earliest_finish > timing.earliest_start.max(latest_start) + planned
        })
        .map(|(_, task)| task.plan.id.clone())
        .collect();
    Some(Projection {
        completion: calendar
            .add_working_days(launched_on, projected.duration)
            .ok()?,
        critical_path: projected
            .critical_path
            .iter()
            .map(|&node| case.tasks[graph[node]].plan.id.clone())
            .collect(),
        causes,
    })
}

/// Working days a task takes in the plan: its committed limit, 0 for an instant task.
fn planned_days(task: &TaskState) -> u32 {
    if task.plan.kind == crate::workflow::TaskKind::Instant {
        0
    } else {
        task.plan.committed_days
    }
}
