//! `Launch`: a coordinator opens a case of the workflow `decide` was given. The application
//! is first checked against the fields the workflow declares, if it declares any (a
//! mismatch is `Rejection::InvalidApplication`, naming every field at fault). The launch plans
//! the application (which tasks apply), lays the plan on the calendar from the launch day
//! (planned and latest finishes, promised completion, critical path) and freezes all of it
//! in `Launched`, so the case never depends on a later version of the definition; the tasks
//! with no prerequisite are dispatched at once, and a plan with no task completes the case.

use super::context::ready;
use crate::case::event::{Event, PlannedTaskSnapshot, Timestamp};
use crate::case::rejection::Rejection;
use crate::case::{local_date, parse_time_zone};
use crate::ids::{CaseId, WorkflowId};
use crate::plan::CompiledWorkflow;
use crate::principal::{Principal, Role};

/// What a launch names.
pub(super) struct LaunchOf<'a> {
    pub(super) id: &'a CaseId,
    pub(super) workflow: &'a WorkflowId,
    pub(super) version: u32,
    pub(super) application: &'a serde_json::Value,
    pub(super) time_zone: &'a str,
    pub(super) access_code_hash: &'a str,
}

/// Decides the launch of case `id` of `workflow` at `version` (no case exists yet).
pub(super) fn decide(
    definition: &CompiledWorkflow,
    by: &Principal,
    now: Timestamp,
    launch: LaunchOf<'_>,
) -> Result<Vec<Event>, Rejection> {
    let LaunchOf {
        id,
        workflow,
        version,
        application,
        time_zone,
        access_code_hash,
    } = launch;
    if !matches!(by.role, Role::Coordinator | Role::Admin) {
        return Err(Rejection::Forbidden {
            command: "launch",
            needed: "coordinator",
            actual: by.role.as_str(),
        });
    }
    if workflow != &definition.workflow.id {
        return Err(Rejection::Invalid(format!(
            "launch of workflow `{workflow}` decided with the definition of `{}`",
            definition.workflow.id
        )));
    }
    // A workflow that declares its application's fields refuses an application that does
    // not match them, rather than planning it with the missing or mistyped fields read as
    // false or 0 by the rules.
    definition
        .workflow
        .application
        .validate(application)
        .map_err(|errors| Rejection::InvalidApplication { errors })?;
    let zone = parse_time_zone(time_zone)?;
    let launched_on = local_date(now, zone.name());
    let plan = definition.plan(application)?;
    let timetable = plan
        .timetable(&definition.calendar, launched_on)
        .map_err(beyond_calendar)?;
    let tasks: Vec<PlannedTaskSnapshot> = plan
        .tasks()
        .zip(&timetable.tasks)
        .map(|(task, row)| PlannedTaskSnapshot::of(task, row.earliest_finish, row.latest_finish))
        .collect();
    let mut events = Vec::with_capacity(tasks.len() + 2);
    for task in tasks.iter().filter(|t| t.needs.is_empty()) {
        events.push(ready(definition, task, launched_on));
    }
    let empty = tasks.is_empty();
    events.insert(
        0,
        Event::Launched {
            case: id.clone(),
            workflow: definition.workflow.id.clone(),
            version,
            center: by.center.clone(),
            time_zone: zone.name().to_string(),
            launched_on,
            application: application.clone(),
            tasks,
            skipped: plan.skipped.clone(),
            duration_working_days: timetable.duration_working_days,
            promised_completion: timetable.promised_completion,
            critical_path: timetable.critical_path.clone(),
            access_code_hash: access_code_hash.to_string(),
        },
    );
    if empty {
        events.push(Event::CaseCompleted);
    }
    Ok(events)
}

/// A launch whose timetable runs past the calendar: the year missing, named.
fn beyond_calendar(error: crate::plan::TimetableError) -> Rejection {
    use chrono::Datelike;
    match error {
        crate::plan::TimetableError::Calendar(crate::calendar::Error::OutOfRange {
            calendar,
            date,
            first,
            last,
        }) => Rejection::BeyondCalendar {
            calendar,
            year: date.year(),
            first,
            last,
        },
        other => Rejection::Timetable(other),
    }
}
