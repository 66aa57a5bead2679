//! The officer's inbox (待办事项): the department's ready, claimed and suspended tasks in
//! the cases of the officer's center and below, due first, with alert colours and counts;
//! 认领 one, or the next one due. Supervisors and admins may open any department's inbox.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use greenlane_engine::principal::Role;
use greenlane_runtime::ports::Backend;
use serde::Deserialize;

use super::labels;
use super::page::{center_name, encode, ok, see, Chrome, Desk, PostForm, WebError};
use crate::auth::rights::Right;
use crate::problem::ApiError;
use crate::routes::inbox::{check_department, claim_next_entry, entries};
use crate::state::App;

/// Which department.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Which {
    department: Option<String>,
    /// A message after claim-next found nothing.
    empty: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    department: String,
    department_name: String,
    rows: Vec<Row>,
    ready: usize,
    claimed: usize,
    suspended: usize,
    alerted: usize,
    nothing_to_claim: bool,
    can_claim: bool,
    live: String,
    here: String,
}

struct Row {
    href: String,
    claim: String,
    case: String,
    name: String,
    center: String,
    state: &'static str,
    class: String,
    officer: String,
    mine: bool,
    due: String,
    due_provisional: bool,
    statutory_due: String,
    alerts: Vec<(&'static str, &'static str)>,
}

/// The department the page is about: the officer's own, or the one asked for.
fn department(desk: &Desk, asked: Option<&str>) -> Result<String, ApiError> {
    let principal = &desk.caller.principal;
    match (principal.role, &principal.department, asked) {
        (Role::Officer, Some(own), _) => Ok(own.to_string()),
        (_, _, Some(d)) if !d.trim().is_empty() => Ok(d.trim().to_string()),
        _ => Err(ApiError::bad(
            "department",
            "请指定部门 name the department: /inbox?department=<id>",
        )),
    }
}

/// `GET /inbox`.
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    Query(which): Query<Which>,
) -> Result<Response, WebError> {
    let department = department(&desk, which.department.as_deref())?;
    check_department(&desk.caller, &department)?;
    let lines = entries(&app, &desk.caller, &department).await?;
    let me = desk.caller.principal.id.as_str();
    let mut department_name = department.clone();
    for (id, version) in app.runtime().workflows().await? {
        let definition = app.runtime().definition(&id, version).await?;
        if let Some(d) =
            definition
                .workflow
                .departments
                .get(&greenlane_engine::ids::DepartmentId::new(
                    department.as_str(),
                ))
        {
            department_name = d.name.clone();
            break;
        }
    }
    let count = |state: &str| {
        lines
            .iter()
            .filter(|(_, v)| v.state.as_str() == state)
            .count()
    };
    let rows = lines
        .iter()
        .map(|(_, v)| Row {
            href: format!("/cases/{}/tasks/{}", encode(&v.case), encode(&v.task)),
            claim: format!("/cases/{}/tasks/{}/claim", encode(&v.case), encode(&v.task)),
            case: v.case.clone(),
            name: v.name.clone(),
            center: center_name(&app, &v.center),
            state: labels::inbox_state(v.state.as_str()),
            class: v.state.as_str().to_string(),
            officer: v.officer.clone().unwrap_or_default(),
            mine: v.officer.as_deref() == Some(me),
            due: v
                .due
                .map_or_else(|| "超出日历 beyond calendar".to_string(), |d| d.to_string()),
            due_provisional: v.due_provisional,
            statutory_due: v.statutory_due.map(|d| d.to_string()).unwrap_or_default(),
            alerts: v
                .alerts
                .iter()
                .map(|a| (level_class(a.as_str()), labels::alert_name(a.as_str())))
                .collect(),
        })
        .collect();
    let page = InboxPage {
        chrome: desk.chrome("/inbox"),
        ready: count("ready"),
        claimed: count("claimed"),
        suspended: count("suspended"),
        alerted: lines.iter().filter(|(_, v)| !v.alerts.is_empty()).count(),
        live: "/live".to_string(),
        here: format!("/inbox?department={}", encode(&department)),
        department_name,
        department,
        rows,
        nothing_to_claim: which.empty.is_some(),
        can_claim: Right::DecideTasks.held_by(desk.caller.principal.role),
    };
    Ok(ok(&page))
}

fn level_class(name: &str) -> &'static str {
    match name {
        "warning" => "warning",
        "yellow" => "yellow",
        _ => "red",
    }
}

/// `POST /inbox/claim-next`: 认领 the free task due first, then its page.
pub(crate) async fn claim_next<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    form: PostForm,
) -> Result<Response, WebError> {
    desk.verify(&form)?;
    let department = department(&desk, form.get("department"))?;
    match claim_next_entry(&app, &desk.caller, &department, None).await? {
        Some(claimed) => Ok(see(&format!(
            "/cases/{}/tasks/{}",
            encode(claimed.case.as_str()),
            encode(claimed.task.as_str())
        ))),
        None => Ok(see(&format!(
            "/inbox?department={}&empty=1",
            encode(&department)
        ))),
    }
}
