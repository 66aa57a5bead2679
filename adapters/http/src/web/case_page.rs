//! The case page (`/cases/{case}`): where the case stands, its promised and projected
//! dates (marked 暂定 when provisional), the Gantt chart in working days and the DAG, the
//! tasks with departments, officers, due dates and cards, the application, the timeline;
//! and the window's commands on the whole case: withdraw, issue (一个窗口出), rate, and a
//! new access code for the applicant (shown once on a printable slip).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use greenlane_engine::case::{projection, CaseState, CaseStatus, Command, Rating, TaskStatus};
use greenlane_engine::principal::Role;
use greenlane_runtime::ports::Backend;

use super::labels;
use super::page::{center_name, encode, ok, see, Chrome, Desk, PostForm, WebError};
use super::{dag, gantt};
use crate::auth::rights::Right;
use crate::problem::ApiError;
use crate::routes::cases::pinned;
use crate::routes::support::{day_of, execute_visible, visible_case};
use crate::state::App;
use crate::views::provisional;

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    case: String,
    href: String,
    live: String,
    workflow: String,
    version: u32,
    center: String,
    state: &'static str,
    state_class: &'static str,
    applicant: String,
    coordinator: String,
    launched_on: String,
    promised: String,
    promised_provisional: bool,
    projected: Option<String>,
    projected_provisional: bool,
    late: bool,
    alert: Option<(&'static str, &'static str)>,
    duration: u32,
    critical_path: String,
    gantt: String,
    dag: String,
    tasks: Vec<TaskRow>,
    skipped: Vec<String>,
    application: Vec<(String, String)>,
    timeline: Vec<(String, String, String)>,
    rating: Option<String>,
    can_withdraw: bool,
    can_issue: bool,
    can_rate: bool,
    can_reissue: bool,
    can_submit: bool,
}

/// One task on the case page.
struct TaskRow {
    href: String,
    submit_action: String,
    name: String,
    department: String,
    state: &'static str,
    class: &'static str,
    officer: String,
    committed_due: String,
    committed_provisional: bool,
    statutory_due: String,
    alerts: Vec<(&'static str, &'static str)>,
    paused_days: u32,
    critical: bool,
    awaiting_supplement: Option<String>,
}

/// `GET /cases/{case}`.
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    Path(case): Path<String>,
) -> Result<Response, WebError> {
    let caller = &desk.caller;
    caller.require(Right::ReadCases)?;
    let (id, state) = visible_case(&app, caller, &case).await?;
    let definition = pinned(&app, &state).await?;
    let calendar = &definition.calendar;
    let timeline = app.runtime().timeline(&id).await?;
    let now = app.runtime().clock().now();
    let today = day_of(&app, now);
    let projected = state
        .is_open()
        .then(|| projection(&state, calendar, today, now, None));
    let (projected_date, late) = match &projected {
        Some(Some(p)) => (
            Some(p.completion.to_string()),
            p.completion > state.promised_completion,
        ),
        Some(None) => (Some("超出日历 beyond calendar".to_string()), false),
        None => (None, false),
    };
    let department = |d: &greenlane_engine::ids::DepartmentId| {
        definition
            .workflow
            .departments
            .get(d)
            .map_or_else(|| d.to_string(), |d| d.name.clone())
    };
    let name_of = |task: &str| {
        state
            .task(task)
            .map_or_else(|| task.to_string(), |t| t.plan.name.clone())
    };
    let role = caller.principal.role;
    let tasks = state
        .tasks
        .iter()
        .map(|t| {
            let (label, class) = labels::task_status(&t.status);
            let officer = match &t.status {
                TaskStatus::Claimed { officer, .. }
                | TaskStatus::Suspended { officer, .. }
                | TaskStatus::Approved { by: officer, .. }
                | TaskStatus::Rejected { by: officer, .. } => officer.to_string(),
                _ => String::new(),
            };
            let awaiting_supplement = match &t.status {
                TaskStatus::Suspended {
                    suspension: greenlane_engine::case::Suspension::Supplement { materials },
                    ..
                } => Some(materials.join("、")),
                _ => None,
            };
            TaskRow {
                href: format!(
                    "/cases/{}/tasks/{}",
                    encode(&case),
                    encode(t.plan.id.as_str())
                ),
                submit_action: format!(
                    "/cases/{}/tasks/{}/submit-supplement",
                    encode(&case),
                    encode(t.plan.id.as_str())
                ),
                name: t.plan.name.clone(),
                department: department(&t.plan.department),
                state: label,
                class,
                officer,
                committed_due: t.committed_due.map(|d| d.to_string()).unwrap_or_default(),
                committed_provisional: t.committed_due.is_some()
                    && provisional(calendar, t.ready_on, t.committed_due),
                statutory_due: t.statutory_due.map(|d| d.to_string()).unwrap_or_default(),
                alerts: t
                    .alerts
                    .iter()
                    .map(|l| (l.as_str(), labels::alert(*l)))
                    .collect(),
                paused_days: t.paused_days,
                critical: state.critical_path.contains(&t.plan.id),
                awaiting_supplement,
            }
        })
        .collect();
    let application = application_rows(&state, &definition);
    let timeline = timeline
        .iter()
        .map(|r| {
            (
                r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                r.by.to_string(),
                labels::event(&r.event, &name_of),
            )
        })
        .collect();
    let (state_label, state_class) = labels::case_status(&state.status);
    let window = matches!(role, Role::Coordinator | Role::Admin);
    let page = CasePage {
        chrome: desk.chrome("/cases"),
        href: format!("/cases/{}", encode(&case)),
        live: format!("/live?case={}", encode(&case)),
        case,
        workflow: definition.workflow.name.clone(),
        version: state.workflow_version,
        center: center_name(&app, state.center.as_str()),
        state: state_label,
        state_class,
        applicant: labels::applicant(&state),
        coordinator: state.coordinator.to_string(),
        launched_on: state.launched_on.to_string(),
        promised: state.promised_completion.to_string(),
        promised_provisional: calendar
            .depends_on_provisional(state.launched_on, state.promised_completion),
        projected_provisional: match &projected {
            Some(Some(p)) => calendar.depends_on_provisional(state.launched_on, p.completion),
            Some(None) => true,
            None => false,
        },
        projected: projected_date,
        late,
        alert: crate::views::highest_alert(&state).map(|l| (l.as_str(), labels::alert(l))),
        duration: state.duration_working_days,
        critical_path: state
            .critical_path
            .iter()
            .map(|t| name_of(t.as_str()))
            .collect::<Vec<_>>()
            .join(" → "),
        gantt: gantt::draw(&state, calendar, today),
        dag: dag::draw(&state),
        tasks,
        skipped: labels::task_names(&definition.workflow, &state.skipped),
        application,
        timeline,
        rating: state.rating.as_ref().map(labels::rating),
        can_withdraw: window && state.is_open(),
        can_issue: window && matches!(state.status, CaseStatus::Completed { .. }),
        can_rate: window
            && state.rating.is_none()
            && matches!(
                state.status,
                CaseStatus::Completed { .. } | CaseStatus::Issued { .. }
            ),
        can_reissue: window && state.rating.is_none(),
        can_submit: window && state.is_open(),
    };
    Ok(ok(&page))
}

/// The application's fields with their declared labels, in the schema's order, then any
/// others by key.
pub(crate) fn application_rows(
    state: &CaseState,
    definition: &greenlane_engine::plan::CompiledWorkflow,
) -> Vec<(String, String)> {
    let Some(object) = state.application.as_object() else {
        return Vec::new();
    };
    let schema = &definition.workflow.application;
    let shown = |v: &serde_json::Value, field: Option<&greenlane_engine::workflow::FieldDef>| {
        let choice = |s: &str| {
            field
                .and_then(|f| f.choices.iter().find(|c| c.value == s))
                .map_or_else(|| s.to_string(), |c| c.label.clone())
        };
        match v {
            serde_json::Value::String(s) => choice(s),
            serde_json::Value::Bool(true) => "是 yes".to_string(),
            serde_json::Value::Bool(false) => "否 no".to_string(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), choice))
                .collect::<Vec<_>>()
                .join("、"),
            other => other.to_string(),
        }
    };
    let mut rows: Vec<(String, String)> = schema
        .fields
        .iter()
        .filter_map(|f| {
            object
                .get(&f.id)
                .map(|v| (f.label.clone(), shown(v, Some(f))))
        })
        .collect();
    for (key, value) in object {
        if schema.field(key).is_none() {
            rows.push((key.clone(), shown(value, None)));
        }
    }
    rows
}

/// `POST /cases/{case}/{action}`: `withdraw` (reason), `issue`, `rate`, `access-code` (at
/// the window).
pub(crate) async fn act<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    Path((case, action)): Path<(String, String)>,
    form: PostForm,
) -> Result<Response, WebError> {
    desk.verify(&form)?;
    let caller = &desk.caller;
    caller.require(Right::ActOnCases)?;
    if action == "access-code" {
        return reissued(&app, &desk, &case).await;
    }
    let command = match action.as_str() {
        "withdraw" => Command::Withdraw {
            reason: form
                .text("reason")
                .ok_or_else(|| ApiError::invalid("reason", "请填写撤回理由 a reason is required"))?
                .to_string(),
        },
        "issue" => Command::Issue,
        "rate" => Command::Rate {
            rating: rating(form.get("rating"))?,
        },
        other => return Err(ApiError::NotFound(format!("no action `{other}` on a case")).into()),
    };
    execute_visible(&app, caller, &case, command).await?;
    Ok(see(&format!("/cases/{}", encode(&case))))
}

#[derive(Template)]
#[template(path = "access_code.html")]
struct ReissuedPage {
    chrome: Chrome,
    case: String,
    case_href: String,
    access_code: String,
    workflow: String,
    applicant: String,
    issued_on: String,
    coordinator: String,
}

/// `POST /cases/{case}/access-code`: a new access code, shown once on a printable slip
/// (with the applicant present).
async fn reissued<B: Backend>(app: &App<B>, desk: &Desk, case: &str) -> Result<Response, WebError> {
    let view = crate::routes::access_code::reissue(app, &desk.caller, case).await?;
    let state = app
        .runtime()
        .case(&greenlane_engine::ids::CaseId::new(case))
        .await?;
    let definition = crate::routes::cases::pinned(app, &state).await?;
    let page = ReissuedPage {
        chrome: desk.chrome("/cases"),
        case_href: format!("/cases/{}", encode(case)),
        case: view.case,
        access_code: view.access_code,
        workflow: definition.workflow.name.clone(),
        applicant: state
            .application
            .get("applicant")
            .and_then(|v| v.as_str())
            .unwrap_or("申请人")
            .to_string(),
        issued_on: crate::routes::support::today(app).to_string(),
        coordinator: desk.caller.principal.id.to_string(),
    };
    Ok(ok(&page))
}

/// A rating from a form: `1`–`5` stars, `satisfied` or `unsatisfied`.
pub(crate) fn rating(value: Option<&str>) -> Result<Rating, ApiError> {
    match value.map(str::trim) {
        Some("satisfied") => Ok(Rating::Satisfied),
        Some("unsatisfied") => Ok(Rating::Unsatisfied),
        Some(n) if matches!(n, "1" | "2" | "3" | "4" | "5") => {
            Ok(Rating::Stars(n.parse().unwrap_or(5)))
        }
        _ => Err(ApiError::invalid(
            "rating",
            "请选择评价 choose a rating: 1–5 stars",
        )),
    }
}
