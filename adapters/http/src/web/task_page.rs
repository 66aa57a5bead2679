//! A task's page (`/cases/{case}/tasks/{task}`): the application and the materials, the due
//! dates, the claim's lease with a renew, and the decisions of the officer holding it —
//! 通过 with an opinion, 不予许可 with a reason, 一次性告知补正 (the task's materials as a
//! checklist plus free text, in one request), a special procedure's start and end, 释放 —
//! and, for the window, 补正材料已收 when the applicant has brought what was asked for.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use greenlane_engine::case::{Command, Suspension, TaskStatus};
use greenlane_engine::ids::TaskId;
use greenlane_engine::principal::Role;
use greenlane_runtime::ports::Backend;

use super::case_page::application_rows;
use super::labels;
use super::page::{encode, ok, see, Chrome, Desk, PostForm, WebError};
use crate::auth::rights::Right;
use crate::problem::ApiError;
use crate::routes::cases::pinned;
use crate::routes::support::{claim_visible, execute_visible, task_of, visible_case};
use crate::state::App;

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    chrome: Chrome,
    case: String,
    case_href: String,
    action: String,
    workflow: String,
    applicant: String,
    name: String,
    department: String,
    state: &'static str,
    class: &'static str,
    officer: String,
    lease_until: String,
    committed_due: String,
    statutory_due: String,
    committed_days: u32,
    statutory_days: u32,
    alerts: Vec<(&'static str, &'static str)>,
    materials: Vec<(String, String)>,
    requested: Vec<String>,
    procedure: String,
    /// The supervision office's urges (督办): when, who, what.
    urges: Vec<(String, String, String)>,
    application: Vec<(String, String)>,
    procedures: Vec<(&'static str, &'static str)>,
    live: String,
    here: String,
    can_claim: bool,
    holding: bool,
    can_end_procedure: bool,
    can_submit: bool,
}

/// `GET /cases/{case}/tasks/{task}`.
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    Path((case, task)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let caller = &desk.caller;
    caller.require(Right::ReadCases)?;
    let (_, state) = visible_case(&app, caller, &case).await?;
    let task_id = task_of(&state, &task)?;
    let definition = pinned(&app, &state).await?;
    let t = state
        .task(task_id.as_str())
        .ok_or_else(|| ApiError::NotFound(format!("the case has no task `{task}`")))?;
    let me = &caller.principal;
    let officer_of_task =
        me.role == Role::Officer && me.department.as_ref() == Some(&t.plan.department);
    let (state_label, class) = labels::task_status(&t.status);
    let (officer, lease_until, holding) = match &t.status {
        TaskStatus::Claimed {
            officer,
            lease_until,
        } => (
            officer.to_string(),
            local_time(*lease_until, &state.time_zone),
            officer == &me.id,
        ),
        TaskStatus::Suspended { officer, .. }
        | TaskStatus::Approved { by: officer, .. }
        | TaskStatus::Rejected { by: officer, .. } => (officer.to_string(), String::new(), false),
        _ => (String::new(), String::new(), false),
    };
    let (requested, procedure, suspended_by_me) = match &t.status {
        TaskStatus::Suspended {
            suspension: Suspension::Supplement { materials },
            ..
        } => (materials.clone(), String::new(), false),
        TaskStatus::Suspended {
            suspension:
                Suspension::SpecialProcedure {
                    procedure,
                    granted_days,
                },
            officer,
            ..
        } => (
            Vec::new(),
            format!(
                "{}（{granted_days} 个工作日）",
                labels::procedure(*procedure)
            ),
            officer == &me.id,
        ),
        _ => (Vec::new(), String::new(), false),
    };
    let window = matches!(me.role, Role::Coordinator | Role::Admin);
    let href = format!(
        "/cases/{}/tasks/{}",
        encode(&case),
        encode(task_id.as_str())
    );
    let page = TaskPage {
        chrome: desk.chrome(if me.role == Role::Officer {
            "/inbox"
        } else {
            "/cases"
        }),
        case_href: format!("/cases/{}", encode(&case)),
        live: format!("/live?case={}", encode(&case)),
        here: href.clone(),
        action: href,
        case: case.clone(),
        workflow: definition.workflow.name.clone(),
        applicant: labels::applicant(&state),
        name: t.plan.name.clone(),
        department: definition
            .workflow
            .departments
            .get(&t.plan.department)
            .map_or_else(|| t.plan.department.to_string(), |d| d.name.clone()),
        state: state_label,
        class,
        officer,
        lease_until,
        committed_due: t.committed_due.map(|d| d.to_string()).unwrap_or_default(),
        statutory_due: t.statutory_due.map(|d| d.to_string()).unwrap_or_default(),
        committed_days: t.plan.committed_days,
        statutory_days: t.plan.statutory_days,
        alerts: t
            .alerts
            .iter()
            .map(|l| (l.as_str(), labels::alert(*l)))
            .collect(),
        materials: t
            .plan
            .materials
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("material-{i}"), m.clone()))
            .collect(),
        requested,
        procedure,
        urges: t
            .urges
            .iter()
            .map(|u| {
                (
                    local_time(u.at, &state.time_zone),
                    u.by.to_string(),
                    u.note.clone(),
                )
            })
            .collect(),
        application: application_rows(&state, &definition),
        procedures: labels::PROCEDURES
            .iter()
            .map(|(value, p)| (*value, labels::procedure(*p)))
            .collect(),
        can_claim: officer_of_task && t.status == TaskStatus::Ready,
        holding,
        can_end_procedure: suspended_by_me,
        can_submit: window
            && state.is_open()
            && matches!(
                t.status,
                TaskStatus::Suspended {
                    suspension: Suspension::Supplement { .. },
                    ..
                }
            ),
    };
    Ok(ok(&page))
}

/// `POST /cases/{case}/tasks/{task}/{action}`.
pub(crate) async fn act<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    Path((case, task, action)): Path<(String, String, String)>,
    form: PostForm,
) -> Result<Response, WebError> {
    desk.verify(&form)?;
    let caller = &desk.caller;
    let task = TaskId::new(task.as_str());
    let back = format!("/cases/{}/tasks/{}", encode(&case), encode(task.as_str()));
    let required = |name: &'static str, what: &str| {
        form.text(name)
            .map(str::to_string)
            .ok_or_else(|| ApiError::invalid(name, what.to_string()))
    };
    let command = match action.as_str() {
        "claim" => {
            caller.require(Right::DecideTasks)?;
            claim_visible(&app, caller, &case, task.as_str(), None).await?;
            return Ok(see(&back));
        }
        "release" => Command::Release { task },
        "approve" => Command::Approve {
            task,
            opinion: form.text("opinion").map(str::to_string),
        },
        "reject" => Command::Reject {
            task,
            reason: required("reason", "不予许可须说明理由 a reason is required")?,
        },
        "request-supplement" => {
            let mut materials: Vec<String> = form
                .all("materials")
                .iter()
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty())
                .collect();
            if let Some(other) = form.text("other") {
                materials.extend(
                    other
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_string),
                );
            }
            Command::RequestSupplement { task, materials }
        }
        "special-procedure-start" => {
            let procedure = labels::PROCEDURES
                .iter()
                .find(|(value, _)| Some(*value) == form.get("procedure"))
                .map(|(_, p)| *p)
                .ok_or_else(|| {
                    ApiError::invalid("procedure", "请选择特别程序 choose the procedure")
                })?;
            let granted_days = form
                .text("granted_days")
                .and_then(|d| d.parse::<u32>().ok())
                .filter(|d| (1..=365).contains(d))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "granted_days",
                        "请填写 1–365 个工作日 give 1 to 365 working days",
                    )
                })?;
            Command::StartSpecialProcedure {
                task,
                procedure,
                granted_days,
            }
        }
        "special-procedure-end" => Command::EndSpecialProcedure { task },
        "submit-supplement" => {
            caller.require(Right::ActOnCases)?;
            execute_visible(&app, caller, &case, Command::SubmitSupplement { task }).await?;
            return Ok(see(&format!("/cases/{}", encode(&case))));
        }
        other => return Err(ApiError::NotFound(format!("no action `{other}` on a task")).into()),
    };
    caller.require(Right::DecideTasks)?;
    execute_visible(&app, caller, &case, command).await?;
    Ok(see(&back))
}

/// `at` in the case's time zone, to the minute.
pub(crate) fn local_time(at: chrono::DateTime<chrono::Utc>, zone: &str) -> String {
    let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}
