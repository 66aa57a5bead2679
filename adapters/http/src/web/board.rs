//! 案件看板: the cases the user may see, filtered (state, workflow, alert level,
//! department, launched between, center), searched (case id, the applicant's name, the
//! 统一社会信用代码 or any other text of the application), a page at a time, with counts by
//! state and by alert level over every case the other filters keep.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use greenlane_engine::case::CaseState;
use greenlane_engine::ids::{CaseId, CenterId};
use greenlane_runtime::ports::Backend;

use super::labels;
use super::page::{center_name, encode, ok, Chrome, Desk, WebError};
use crate::auth::rights::Right;
use crate::problem::ApiError;
use crate::routes::cases::{matches, pinned, status_name, ListQuery};
use crate::routes::support::scan;
use crate::state::App;
use crate::views::{highest_alert, CaseSummary};

/// Cases per page.
const PAGE: usize = 50;

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    query: Echo,
    workflows: Vec<Choice>,
    departments: Vec<Choice>,
    states: Vec<Choice>,
    alerts: Vec<Choice>,
    state_counts: Vec<Count>,
    alert_counts: Vec<Count>,
    rows: Vec<Row>,
    matching: usize,
    next: Option<String>,
    first: Option<String>,
    here: String,
}

/// The filters as the user gave them, to fill the form again.
#[derive(Debug, Default)]
struct Echo {
    q: String,
    state: String,
    workflow: String,
    department: String,
    alert: String,
    launched_from: String,
    launched_to: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct Count {
    label: &'static str,
    n: usize,
    href: String,
    class: &'static str,
}

struct Row {
    case: String,
    href: String,
    workflow: String,
    center: String,
    applicant: String,
    state: &'static str,
    state_class: &'static str,
    launched_on: String,
    promised: String,
    promised_provisional: bool,
    alert: Option<(&'static str, &'static str)>,
    progress: String,
}

/// The query string without empty values (a form sends `state=` for "any").
fn non_empty(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

fn get<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// `GET /cases`.
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let caller = &desk.caller;
    caller.require(Right::ReadCases)?;
    let pairs = non_empty(raw.as_deref());
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(k, _)| k != "after"))
        .finish();
    let query: ListQuery =
        serde_urlencoded::from_str(&encoded).map_err(|e| ApiError::BadRequest {
            detail: format!("筛选条件无效 invalid filter: {e}"),
            field: None,
        })?;
    let status = query.state.as_deref().map(status_name).transpose()?;
    let center = query.center.as_deref().map(CenterId::new);
    // Counts over every case the filters other than state and alert keep.
    let facets = ListQuery {
        state: None,
        alert: None,
        ..query.clone()
    };
    let after = pairs
        .iter()
        .find(|(k, _)| k == "after")
        .map(|(_, v)| CaseId::new(v.as_str()));
    let mut by_state: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_alert: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut states: Vec<CaseState> = Vec::new();
    let mut matching = 0;
    let mut next = None;
    scan(&app, None, None, |id, state| {
        if !caller.sees(&state) || !matches(&facets, center.as_ref(), caller, &state) {
            return true;
        }
        *by_state.entry(state.status.as_str()).or_default() += 1;
        if let Some(level) = highest_alert(&state) {
            *by_alert.entry(level.as_str()).or_default() += 1;
        }
        let wanted = status.is_none_or(|s| s == state.status.kind())
            && query
                .alert
                .is_none_or(|l| state.tasks.iter().any(|t| t.alerts.contains(&l)));
        if wanted {
            matching += 1;
            let after_cursor = after.as_ref().is_none_or(|a| id > a);
            if after_cursor {
                if states.len() < PAGE {
                    states.push(state);
                } else if next.is_none() {
                    next = states.last().map(|s| s.id.clone());
                }
            }
        }
        true
    })
    .await?;
    let mut rows = Vec::with_capacity(states.len());
    for state in &states {
        let definition = pinned(&app, state).await?;
        let summary = CaseSummary::new(state, &definition.calendar);
        let (label, class) = labels::case_status(&state.status);
        rows.push(Row {
            href: format!("/cases/{}", encode(&summary.header.case)),
            case: summary.header.case,
            workflow: definition.workflow.name.clone(),
            center: center_name(&app, &summary.header.center),
            applicant: labels::applicant(state),
            state: label,
            state_class: class,
            launched_on: state.launched_on.to_string(),
            promised: summary.header.promised_completion.to_string(),
            promised_provisional: summary.header.promised_completion_provisional,
            alert: highest_alert(state).map(|l| (l.as_str(), labels::alert(l))),
            progress: format!("{}/{}", summary.header.approved, summary.tasks),
        });
    }
    let link = |extra: &[(&str, &str)], drop: &[&str]| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            if k != "after" && !drop.contains(&k.as_str()) {
                s.append_pair(k, v);
            }
        }
        for (k, v) in extra {
            s.append_pair(k, v);
        }
        format!("/cases?{}", s.finish())
    };
    let state_counts = ["open", "completed", "issued", "rejected", "withdrawn"]
        .into_iter()
        .map(|name| Count {
            label: labels::case_state_name(name),
            n: by_state.get(name).copied().unwrap_or(0),
            href: link(&[("state", name)], &["state", "alert"]),
            class: name,
        })
        .collect();
    let alert_counts = ["warning", "yellow", "red"]
        .into_iter()
        .map(|name| Count {
            label: labels::alert_name(name),
            n: by_alert.get(name).copied().unwrap_or(0),
            href: link(&[("alert", name)], &["state", "alert"]),
            class: name,
        })
        .collect();
    let echo = Echo {
        q: get(&pairs, "q").to_string(),
        state: get(&pairs, "state").to_string(),
        workflow: get(&pairs, "workflow").to_string(),
        department: get(&pairs, "department").to_string(),
        alert: get(&pairs, "alert").to_string(),
        launched_from: get(&pairs, "launched_from").to_string(),
        launched_to: get(&pairs, "launched_to").to_string(),
    };
    let (workflows, departments) = definitions(&app, &echo).await?;
    let choices = |names: &[&'static str], label: fn(&str) -> &'static str, chosen: &str| {
        names
            .iter()
            .map(|n| Choice {
                value: n.to_string(),
                label: label(n).to_string(),
                selected: *n == chosen,
            })
            .collect()
    };
    let page = BoardPage {
        chrome: desk.chrome("/cases"),
        states: choices(
            &["open", "completed", "issued", "rejected", "withdrawn"],
            labels::case_state_name,
            &echo.state,
        ),
        alerts: choices(
            &["warning", "yellow", "red"],
            labels::alert_name,
            &echo.alert,
        ),
        query: echo,
        workflows,
        departments,
        state_counts,
        alert_counts,
        rows,
        matching,
        next: next.map(|n| link(&[("after", n.as_str())], &[])),
        first: after.map(|_| link(&[], &[])),
        here: match raw.as_deref() {
            Some(q) if !q.is_empty() => format!("/cases?{q}"),
            _ => "/cases".to_string(),
        },
    };
    Ok(ok(&page))
}

/// The workflows and the departments of their latest versions, for the filters.
async fn definitions<B: Backend>(
    app: &App<B>,
    echo: &Echo,
) -> Result<(Vec<Choice>, Vec<Choice>), WebError> {
    let mut workflows = Vec::new();
    let mut departments = BTreeMap::new();
    for (id, version) in app.runtime().workflows().await? {
        let definition = app.runtime().definition(&id, version).await?;
        workflows.push(Choice {
            value: id.to_string(),
            label: definition.workflow.name.clone(),
            selected: echo.workflow == id.as_str(),
        });
        for task in definition.workflow.tasks.iter() {
            if let Some(d) = definition.workflow.departments.get(&task.department) {
                departments.insert(d.id.to_string(), d.name.clone());
            }
        }
    }
    let departments = departments
        .into_iter()
        .map(|(value, label)| Choice {
            selected: echo.department == value,
            value,
            label,
        })
        .collect();
    Ok((workflows, departments))
}
