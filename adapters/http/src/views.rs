//! The JSON shapes the API sends back, built from the engine's states and events. They
//! name things with strings (ids, statuses) so clients need no engine types; each one has
//! an OpenAPI schema.
//!
//! **Provisional dates.** Every date counted in working days (a promise, a projection, a
//! due date) comes with a boolean `<field>_provisional` next to it, computed on the
//! calendar of the definition the case is pinned to: `true` when the count from where it
//! starts (the launch date for the promise and the projection, the day the task became
//! ready for its due dates) to the date runs through a provisional calendar year (one
//! computed from the holiday law before the State Council's notice), so the date may still
//! move when the year is published. A date beyond the calendar's coverage is `null` with
//! its flag `true`: it is not known yet, only once a year covering it is published. A
//! `null` date with its flag `false` has no date for another reason (a task not started
//! yet, a closed case's projection).

use chrono::{DateTime, NaiveDate, Utc};
use greenlane_engine::calendar::Calendar;
use greenlane_engine::case::{
    CaseState, CaseStatus, Event, Projection, Recorded, TaskState, TaskStatus,
};
use greenlane_engine::supervision::{AlertLevel, KpiReport, Measure, Unit};
use greenlane_runtime::access::AccessCode;
use greenlane_runtime::Launched;
use serde::Serialize;
use utoipa::ToSchema;

use crate::vocabulary::{EventKind, ItemKind, Level, TaskStateName};

/// A launched case, as the coordinator gets it back (the access code is shown only here).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct LaunchedView {
    /// The new case's id.
    pub(crate) case: String,
    /// The applicant's access code for inquiries (查询); shown once, stored only hashed.
    pub(crate) access_code: String,
    /// The workflow.
    pub(crate) workflow: String,
    /// The workflow version the case is pinned to.
    pub(crate) workflow_version: u32,
    /// The promised completion date (承诺办结日期).
    pub(crate) promised_completion: NaiveDate,
    /// Whether the promised completion counts on a provisional calendar year (暂定), so it
    /// may move when the year is published.
    pub(crate) promised_completion_provisional: bool,
    /// Task ids of the planned critical path.
    pub(crate) critical_path: Vec<String>,
    /// Tasks dispatched to their departments at launch.
    pub(crate) dispatched: Vec<String>,
}

impl LaunchedView {
    /// The answer to a launch on `launched_on`, marked on the pinned definition's
    /// `calendar`.
    pub(crate) fn new(
        workflow: &str,
        launched: Launched,
        code: AccessCode,
        calendar: &Calendar,
        launched_on: NaiveDate,
    ) -> LaunchedView {
        LaunchedView {
            case: launched.case.to_string(),
            access_code: code.reveal().to_string(),
            workflow: workflow.to_string(),
            workflow_version: launched.workflow_version,
            promised_completion: launched.promised_completion,
            promised_completion_provisional: provisional(
                calendar,
                Some(launched_on),
                Some(launched.promised_completion),
            ),
            critical_path: strings(&launched.critical_path),
            dispatched: strings(&launched.dispatched),
        }
    }
}

/// One case in a list: its header and how many tasks it has.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CaseSummary {
    /// The case in short.
    #[serde(flatten)]
    pub(crate) header: CaseHeader,
    /// Tasks of the case.
    pub(crate) tasks: usize,
}

/// What a list and a case's page both show of a case. A case's page lists its tasks under
/// `tasks`, so the count of the list is not part of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CaseHeader {
    /// The case id.
    pub(crate) case: String,
    /// The workflow.
    pub(crate) workflow: String,
    /// The pinned workflow version.
    pub(crate) workflow_version: u32,
    /// The center that received the application.
    pub(crate) center: String,
    /// `open`, `completed`, `issued`, `rejected` or `withdrawn`.
    pub(crate) state: crate::vocabulary::CaseStateName,
    /// When it was launched.
    pub(crate) launched_at: DateTime<Utc>,
    /// The promised completion date; `null` beyond the calendar's coverage.
    pub(crate) promised_completion: NaiveDate,
    /// Whether the promised completion counts on a provisional calendar year or lies
    /// beyond the calendar (暂定).
    pub(crate) promised_completion_provisional: bool,
    /// The projected completion last raised as at risk, if any.
    pub(crate) at_risk: Option<NaiveDate>,
    /// Whether the at-risk date counts on a provisional calendar year (暂定).
    pub(crate) at_risk_provisional: bool,
    /// The highest alert level raised on any task (`warning`, `yellow`, `red`).
    pub(crate) highest_alert: Option<Level>,
    /// Tasks approved.
    pub(crate) approved: usize,
}

impl CaseSummary {
    /// `case` in short, its dates marked on its pinned definition's `calendar`.
    pub(crate) fn new(case: &CaseState, calendar: &Calendar) -> CaseSummary {
        CaseSummary {
            header: CaseHeader::new(case, calendar),
            tasks: case.tasks.len(),
        }
    }
}

impl CaseHeader {
    /// `case`'s header, its dates marked on its pinned definition's `calendar`.
    pub(crate) fn new(case: &CaseState, calendar: &Calendar) -> CaseHeader {
        CaseHeader {
            case: case.id.to_string(),
            workflow: case.workflow.to_string(),
            workflow_version: case.workflow_version,
            center: case.center.to_string(),
            state: (&case.status).into(),
            launched_at: case.launched_at,
            promised_completion: case.promised_completion,
            promised_completion_provisional: calendar
                .depends_on_provisional(case.launched_on, case.promised_completion),
            at_risk: case.at_risk,
            at_risk_provisional: case
                .at_risk
                .is_some_and(|d| calendar.depends_on_provisional(case.launched_on, d)),
            highest_alert: highest_alert(case).map(Level::from),
            approved: case
                .tasks
                .iter()
                .filter(|t| matches!(t.status, TaskStatus::Approved { .. }))
                .count(),
        }
    }
}

/// The highest alert level raised on any task of `case`.
pub(crate) fn highest_alert(case: &CaseState) -> Option<AlertLevel> {
    case.tasks
        .iter()
        .filter_map(|t| t.alerts.iter().max().copied())
        .max()
}

/// A page of cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CasePage {
    /// The cases, by id.
    pub(crate) cases: Vec<CaseSummary>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub(crate) next: Option<String>,
    /// Cases scanned to fill the page.
    pub(crate) scanned: usize,
}

/// One case with its tasks, alerts, projection and timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CaseView {
    /// The case in short.
    #[serde(flatten)]
    pub(crate) summary: CaseHeader,
    /// The state with its data (when, why).
    #[schema(value_type = crate::vocabulary::CaseStatusShape)]
    pub(crate) status: CaseStatus,
    /// The coordinator who launched it (首问负责制).
    pub(crate) coordinator: String,
    /// The day of acceptance (offset 0, not itself counted).
    pub(crate) launched_on: NaiveDate,
    /// Planned critical path length in working days.
    pub(crate) duration_working_days: u32,
    /// The planned critical path.
    pub(crate) critical_path: Vec<String>,
    /// Tasks the rules left out.
    pub(crate) skipped: Vec<String>,
    /// Re-planned with actual dates (open cases): the projected completion date; `null`
    /// for a closed case, and for an open one whose projection lies beyond the calendar.
    pub(crate) projected_completion: Option<NaiveDate>,
    /// Whether the projected completion counts on a provisional calendar year, or (open
    /// case, `null` date) lies beyond the calendar (暂定).
    pub(crate) projected_completion_provisional: bool,
    /// Re-planned with actual dates: the critical path now.
    pub(crate) projected_critical_path: Vec<String>,
    /// Re-planned with actual dates: the tasks that push completion past the promise.
    pub(crate) slip_causes: Vec<String>,
    /// The application as received.
    #[schema(value_type = Object)]
    pub(crate) application: serde_json::Value,
    /// The tasks in plan order.
    pub(crate) tasks: Vec<TaskView>,
    /// Every alert raised, oldest first.
    pub(crate) alerts: Vec<AlertView>,
    /// The applicant's rating.
    #[schema(value_type = Option<crate::vocabulary::RatingShape>)]
    pub(crate) rating: Option<serde_json::Value>,
    /// Every event, oldest first.
    pub(crate) timeline: Vec<TimelineEntry>,
}

impl CaseView {
    /// `case` in full; `projection` is `None` for a closed case, `Some(None)` for an open
    /// one whose projection lies beyond the calendar.
    pub(crate) fn new(
        case: &CaseState,
        calendar: &Calendar,
        projection: Option<Option<Projection>>,
        timeline: &[Recorded],
    ) -> CaseView {
        let critical: Vec<&str> = case.critical_path.iter().map(|t| t.as_str()).collect();
        let projected_completion_provisional = projection.as_ref().is_some_and(|p| {
            provisional(
                calendar,
                Some(case.launched_on),
                p.as_ref().map(|p| p.completion),
            )
        });
        let projection = projection.flatten();
        CaseView {
            summary: CaseHeader::new(case, calendar),
            status: case.status.clone(),
            coordinator: case.coordinator.to_string(),
            launched_on: case.launched_on,
            duration_working_days: case.duration_working_days,
            critical_path: strings(&case.critical_path),
            skipped: strings(&case.skipped),
            projected_completion: projection.as_ref().map(|p| p.completion),
            projected_completion_provisional,
            projected_critical_path: projection
                .as_ref()
                .map(|p| strings(&p.critical_path))
                .unwrap_or_default(),
            slip_causes: projection.map(|p| strings(&p.causes)).unwrap_or_default(),
            application: case.application.clone(),
            tasks: case
                .tasks
                .iter()
                .map(|t| TaskView::new(case, t, calendar, critical.contains(&t.plan.id.as_str())))
                .collect(),
            alerts: alerts(case, calendar, timeline),
            rating: case
                .rating
                .map(|r| serde_json::to_value(r).unwrap_or_default()),
            timeline: timeline
                .iter()
                .enumerate()
                .map(|(i, r)| TimelineEntry::new(i as u64 + 1, r))
                .collect(),
        }
    }
}

/// One task of a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct TaskView {
    /// Task id.
    pub(crate) id: String,
    /// Display name, Chinese first.
    pub(crate) name: String,
    /// Deciding department.
    pub(crate) department: String,
    /// `instant`, `commitment` or `referred`.
    pub(crate) kind: ItemKind,
    /// `waiting`, `ready`, `claimed`, `suspended`, `approved`, `rejected`, `withdrawn`.
    pub(crate) state: TaskStateName,
    /// The officer holding it (claimed or suspended), or who decided it.
    pub(crate) officer: Option<String>,
    /// When the claim's lease ends.
    pub(crate) lease_until: Option<DateTime<Utc>>,
    /// Why its clock is paused, if it is.
    #[schema(value_type = Option<crate::vocabulary::SuspensionShape>)]
    pub(crate) suspension: Option<serde_json::Value>,
    /// Tasks it needs.
    pub(crate) needs: Vec<String>,
    /// Whether it is on the planned critical path.
    pub(crate) critical: bool,
    /// 法定时限 in working days.
    pub(crate) statutory_days: u32,
    /// 承诺时限 in working days.
    pub(crate) committed_days: u32,
    /// When it was dispatched.
    pub(crate) ready_at: Option<DateTime<Utc>>,
    /// 承诺时限 due date; `null` before the task is ready, and beyond the calendar.
    pub(crate) committed_due: Option<NaiveDate>,
    /// Whether the committed due date counts on a provisional calendar year or lies
    /// beyond the calendar (暂定).
    pub(crate) committed_due_provisional: bool,
    /// 法定时限 due date; `null` before the task is ready, and beyond the calendar.
    pub(crate) statutory_due: Option<NaiveDate>,
    /// Whether the statutory due date counts on a provisional calendar year or lies beyond
    /// the calendar (暂定).
    pub(crate) statutory_due_provisional: bool,
    /// Working days its clock was paused.
    pub(crate) paused_days: u32,
    /// Supplement requests made.
    pub(crate) supplements_requested: u32,
    /// Alert levels raised.
    pub(crate) alerts: Vec<Level>,
    /// When it was decided.
    pub(crate) finished_at: Option<DateTime<Utc>>,
    /// Materials the applicant hands in for it.
    pub(crate) materials: Vec<String>,
    /// The supervision office's urges (督办), oldest first.
    pub(crate) urges: Vec<UrgeView>,
}

/// One urge of a task (督办).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct UrgeView {
    /// When.
    pub(crate) at: DateTime<Utc>,
    /// The supervisor.
    pub(crate) by: String,
    /// What was asked.
    pub(crate) note: String,
}

impl TaskView {
    fn new(case: &CaseState, task: &TaskState, calendar: &Calendar, critical: bool) -> TaskView {
        let (officer, lease_until, suspension) = match &task.status {
            TaskStatus::Claimed {
                officer,
                lease_until,
            } => (Some(officer.to_string()), Some(*lease_until), None),
            TaskStatus::Suspended {
                officer,
                suspension,
                ..
            } => (
                Some(officer.to_string()),
                None,
                serde_json::to_value(suspension).ok(),
            ),
            TaskStatus::Approved { by, .. } | TaskStatus::Rejected { by, .. } => {
                (Some(by.to_string()), None, None)
            }
            _ => (None, None, None),
        };
        TaskView {
            id: task.plan.id.to_string(),
            name: task.plan.name.clone(),
            department: task.plan.department.to_string(),
            kind: task.plan.kind.into(),
            state: (&task.status).into(),
            officer,
            lease_until,
            suspension,
            needs: task
                .needs
                .iter()
                .filter_map(|&i| case.tasks.get(i))
                .map(|t| t.plan.id.to_string())
                .collect(),
            critical,
            statutory_days: task.plan.statutory_days,
            committed_days: task.plan.committed_days,
            ready_at: task.ready_at,
            committed_due: task.committed_due,
            committed_due_provisional: provisional(calendar, task.ready_on, task.committed_due),
            statutory_due: task.statutory_due,
            statutory_due_provisional: provisional(calendar, task.ready_on, task.statutory_due),
            paused_days: task.paused_days,
            supplements_requested: task.supplements_requested,
            alerts: task.alerts.iter().map(|&l| Level::from(l)).collect(),
            finished_at: task.finished_at,
            urges: task
                .urges
                .iter()
                .map(|u| UrgeView {
                    at: u.at,
                    by: u.by.to_string(),
                    note: u.note.clone(),
                })
                .collect(),
            materials: task.plan.materials.clone(),
        }
    }
}

/// A warning or card on a task (电子监察).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct AlertView {
    /// The case.
    pub(crate) case: String,
    /// The workflow.
    pub(crate) workflow: String,
    /// The center of the case.
    pub(crate) center: String,
    /// The task.
    pub(crate) task: String,
    /// `warning` (预警), `yellow` (黄牌) or `red` (红牌).
    pub(crate) level: Level,
    /// The level for people, Chinese first.
    pub(crate) label: String,
    /// The department deciding the task.
    pub(crate) department: String,
    /// The officer holding the task, if any.
    pub(crate) officer: Option<String>,
    /// The due date the alert is about.
    pub(crate) due: NaiveDate,
    /// Whether that due date counts on a provisional calendar year (暂定).
    pub(crate) due_provisional: bool,
    /// When it was raised.
    pub(crate) at: DateTime<Utc>,
    /// Who was told.
    #[schema(value_type = Vec<Object>)]
    pub(crate) recipients: Vec<serde_json::Value>,
    /// Whether the task is still open.
    pub(crate) open: bool,
}

/// The alerts of `case`, from its timeline, their due dates marked on `calendar`.
pub(crate) fn alerts(
    case: &CaseState,
    calendar: &Calendar,
    timeline: &[Recorded],
) -> Vec<AlertView> {
    timeline
        .iter()
        .filter_map(|r| match &r.event {
            Event::AlertRaised {
                task,
                level,
                due,
                department,
                officer,
                recipients,
                ..
            } => Some(AlertView {
                case: case.id.to_string(),
                workflow: case.workflow.to_string(),
                center: case.center.to_string(),
                task: task.to_string(),
                level: Level::from(*level),
                label: level.label().to_string(),
                department: department.to_string(),
                officer: officer.as_ref().map(|o| o.to_string()),
                due: *due,
                due_provisional: provisional(
                    calendar,
                    case.task(task.as_str()).and_then(|t| t.ready_on),
                    Some(*due),
                ),
                at: r.at,
                recipients: recipients
                    .iter()
                    .filter_map(|r| serde_json::to_value(r).ok())
                    .collect(),
                open: case.is_open()
                    && case.task(task.as_str()).is_some_and(|t| t.status.is_open()),
            }),
            _ => None,
        })
        .collect()
}

/// One event of a case's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct TimelineEntry {
    /// Position in the case, from 1.
    pub(crate) seq: u64,
    /// When it happened.
    pub(crate) at: DateTime<Utc>,
    /// Who caused it (`system` for the engine's own checks).
    pub(crate) by: String,
    /// The event's name (`task_approved`, …).
    pub(crate) kind: EventKind,
    /// The event with its data, secrets left out ([`public_event`]).
    #[schema(value_type = Object)]
    pub(crate) event: serde_json::Value,
}

/// Fields of an event no view shows: the salted hash of the applicant's access code, which
/// would let anyone who reads the case try every code offline.
const SECRET_FIELDS: &[&str] = &["access_code_hash"];

/// `event` as JSON for a view, a live stream or an export: its data without the fields in
/// [`SECRET_FIELDS`].
pub(crate) fn public_event(event: &Event) -> serde_json::Value {
    let mut value = serde_json::to_value(event).unwrap_or_default();
    if let Some(fields) = value.as_object_mut() {
        for secret in SECRET_FIELDS {
            fields.remove(*secret);
        }
    }
    value
}

impl TimelineEntry {
    pub(crate) fn new(seq: u64, recorded: &Recorded) -> TimelineEntry {
        TimelineEntry {
            seq,
            at: recorded.at,
            by: recorded.by.to_string(),
            kind: EventKind::from(&recorded.event),
            event: public_event(&recorded.event),
        }
    }
}

/// Whether a date counted in working days from `start` is not firm: `date` counts on a
/// provisional year of `calendar` (or one it does not cover), or `date` is absent although
/// the count started (`start` is known), which is a date beyond the calendar.
///
/// Pass `start` as `None` where an absent date means something else (a task not ready).
pub(crate) fn provisional(
    calendar: &Calendar,
    start: Option<NaiveDate>,
    date: Option<NaiveDate>,
) -> bool {
    match (start, date) {
        (start, Some(date)) => calendar.depends_on_provisional(start.unwrap_or(date), date),
        (Some(_), None) => true,
        (None, None) => false,
    }
}

/// Ids as strings.
pub(crate) fn strings<T: std::fmt::Display>(ids: &[T]) -> Vec<String> {
    ids.iter().map(|t| t.to_string()).collect()
}

/// One line of the KPI board as text cells for a table, Chinese first: what
/// `greenlane kpis` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct KpiRow {
    /// The KPI's label.
    pub(crate) kpi: &'static str,
    /// The scope, e.g. `部门 department market-regulation`.
    pub(crate) scope: String,
    /// The value, e.g. `92.3 %` or `无数据 no data`.
    pub(crate) value: String,
    /// Numerator and denominator, e.g. `12 / 13`.
    pub(crate) basis: String,
    /// The target, e.g. `≥ 90 %`, or `—`.
    pub(crate) target: String,
    /// `达标 met`, `未达标 not met`, or `—`.
    pub(crate) met: String,
}

/// One row per KPI per scope: overall, then workflows, then departments.
pub(crate) fn kpi_rows(report: &KpiReport) -> Vec<KpiRow> {
    let mut rows = Vec::new();
    for scope in report.scopes() {
        for m in &scope.measures {
            let numerator = match m.unit {
                Unit::Percent if m.kpi.is_average() => format!("{:.1}", m.numerator),
                _ => format!("{}", m.numerator),
            };
            rows.push(KpiRow {
                kpi: m.label,
                scope: scope.scope.to_string(),
                value: measure_value(m),
                basis: format!("{numerator} / {}", m.denominator),
                target: m.target.map_or_else(|| "—".to_string(), |t| t.to_string()),
                met: match m.met {
                    Some(true) => "达标 met".to_string(),
                    Some(false) => "未达标 not met".to_string(),
                    None => "—".to_string(),
                },
            });
        }
    }
    rows
}

/// A measure's value for people: `92.3 %`, `5.0 工作日 working days`, or `无数据 no data`.
fn measure_value(m: &Measure) -> String {
    match (m.value, m.unit) {
        (None, _) => "无数据 no data".to_string(),
        (Some(v), Unit::Percent) => format!("{v:.1} %"),
        (Some(v), Unit::WorkingDays) => format!("{v:.1} 工作日 working days"),
    }
}

#[cfg(test)]
mod tests {
    use greenlane_engine::supervision::{
        AlertCounts, Kpi, Measure, Scope, ScopeReport, TaskCounts,
    };

    use super::*;

    fn scope(scope: Scope, measures: Vec<Measure>) -> ScopeReport {
        ScopeReport {
            scope,
            measures,
            tasks: TaskCounts::default(),
            cases: None,
            alerts: AlertCounts::default(),
        }
    }

    fn measure(kpi: Kpi, numerator: f64, denominator: u64, value: Option<f64>) -> Measure {
        Measure {
            kpi,
            label: kpi.label(),
            unit: kpi.unit(),
            numerator,
            denominator,
            value,
            target: kpi.target(),
            met: value.map(|v| v >= 90.0),
        }
    }

    #[test]
    fn kpi_rows_name_the_scope_value_basis_target_and_whether_it_is_met() {
        let report = KpiReport {
            overall: scope(
                Scope::Overall,
                vec![
                    measure(Kpi::OnSiteRate, 1.0, 1, Some(100.0)),
                    measure(Kpi::TaskOnTimeRate, 0.0, 0, None),
                ],
            ),
            workflows: vec![],
            departments: vec![scope(
                Scope::Department("dr".into()),
                vec![measure(Kpi::LimitReduction, 150.0, 2, Some(75.0))],
            )],
            ignored_events: 0,
        };
        let rows = kpi_rows(&report);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0],
            KpiRow {
                kpi: "现场办结率 on-site completion rate",
                scope: "全部 overall".to_string(),
                value: "100.0 %".to_string(),
                basis: "1 / 1".to_string(),
                target: "≥ 90 %".to_string(),
                met: "达标 met".to_string(),
            }
        );
        assert_eq!(rows[1].target, "= 100 %");
        assert_eq!(
            (rows[1].value.as_str(), rows[1].met.as_str()),
            ("无数据 no data", "—")
        );
        assert_eq!(
            rows[2].basis, "150.0 / 2",
            "an average's sum keeps one decimal"
        );
        assert!(rows[2].scope.starts_with("部门 department"));
    }
}
