//! 发起并联审批 at the window: choose a workflow → fill the application form, generated
//! from the workflow's `application:` schema → preview (which items apply, at which
//! departments, the critical path and the promised date, as a dry run) → confirm → the
//! printable 受理通知书 with the access code, shown this once.
//!
//! The form's values become the application JSON by the declared types (a number field a
//! number, a boolean `true`/`false`, a list an array); whatever does not fit is left as
//! text, so the schema's validation — the same as the API's — names the field.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use greenlane_engine::ids::WorkflowId;
use greenlane_engine::plan::CompiledWorkflow;
use greenlane_engine::workflow::{FieldDef, FieldError, FieldKind};
use greenlane_runtime::ports::Backend;
use serde_json::{Map, Value};

use super::labels;
use super::page::{encode, html, ok, Chrome, Desk, PostForm, WebError};
use crate::auth::rights::Right;
use crate::problem::ApiError;
use crate::routes::cases::launch_case;
use crate::routes::support::{read_visible, today};
use crate::state::App;

#[derive(Template)]
#[template(path = "launch_choose.html")]
struct ChoosePage {
    chrome: Chrome,
    workflows: Vec<WorkflowChoice>,
}

struct WorkflowChoice {
    href: String,
    name: String,
    description: String,
    version: u32,
}

/// `GET /launch`: the workflows a coordinator may launch.
pub(crate) async fn choose<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
) -> Result<Response, WebError> {
    desk.caller.require(Right::LaunchCases)?;
    let mut workflows = Vec::new();
    for (id, version) in app.runtime().workflows().await? {
        let definition = app.runtime().definition(&id, version).await?;
        workflows.push(WorkflowChoice {
            href: format!("/launch/{}", encode(id.as_str())),
            name: definition.workflow.name.clone(),
            description: definition.workflow.description.clone().unwrap_or_default(),
            version,
        });
    }
    Ok(ok(&ChoosePage {
        chrome: desk.chrome("/launch"),
        workflows,
    }))
}

#[derive(Template)]
#[template(path = "launch_form.html")]
struct FormPage {
    chrome: Chrome,
    name: String,
    action: String,
    fields: Vec<FormField>,
    errors: Vec<String>,
}

/// One field of the form, with what the user entered and what is wrong with it.
struct FormField {
    id: String,
    input: String,
    kind: &'static str,
    label: String,
    required: bool,
    help: String,
    value: String,
    options: Vec<FormOption>,
    error: Option<String>,
}

struct FormOption {
    value: String,
    label: String,
    checked: bool,
    input: String,
}

/// The latest version of `workflow`, compiled.
async fn latest<B: Backend>(
    app: &App<B>,
    workflow: &str,
) -> Result<(u32, Arc<CompiledWorkflow>), WebError> {
    let id = WorkflowId::new(workflow);
    let version = app.runtime().latest_version(&id).await?;
    Ok((version, app.runtime().definition(&id, version).await?))
}

fn form_fields(
    definition: &CompiledWorkflow,
    form: &PostForm,
    errors: &[FieldError],
) -> Vec<FormField> {
    definition
        .workflow
        .application
        .fields
        .iter()
        .map(|field| {
            let input = format!("f-{}", field.id);
            let entered = form.all(&field.id);
            let error = errors
                .iter()
                .filter(|e| e.field == field.id)
                .map(|e| e.message.clone())
                .reduce(|a, b| format!("{a}；{b}"));
            let options = match field.kind {
                FieldKind::Boolean => [("true", "是 yes"), ("false", "否 no")]
                    .into_iter()
                    .map(|(value, label)| FormOption {
                        input: format!("{input}-{value}"),
                        checked: entered.contains(&value),
                        value: value.to_string(),
                        label: label.to_string(),
                    })
                    .collect(),
                _ => field
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(i, c)| FormOption {
                        input: format!("{input}-{i}"),
                        checked: entered.contains(&c.value.as_str()),
                        value: c.value.clone(),
                        label: c.label.clone(),
                    })
                    .collect(),
            };
            FormField {
                kind: match (field.kind, field.choices.is_empty()) {
                    (FieldKind::Text, _) => "text",
                    (FieldKind::Number, _) => "number",
                    (FieldKind::Boolean, _) => "boolean",
                    (FieldKind::Choice, _) => "choice",
                    (FieldKind::Date, _) => "date",
                    (FieldKind::List, true) => "lines",
                    (FieldKind::List, false) => "checks",
                },
                id: field.id.clone(),
                label: field.label.clone(),
                required: field.required,
                help: field.help.clone().unwrap_or_default(),
                value: entered.join("\n"),
                options,
                error,
                input,
            }
        })
        .collect()
}

/// `GET /launch/{workflow}`: the application form.
pub(crate) async fn form<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    Path(workflow): Path<String>,
) -> Result<Response, WebError> {
    desk.caller.require(Right::LaunchCases)?;
    let (_, definition) = latest(&app, &workflow).await?;
    Ok(form_page(
        &desk,
        &workflow,
        &definition,
        &PostForm::default(),
        &[],
        StatusCode::OK,
    ))
}

fn form_page(
    desk: &Desk,
    workflow: &str,
    definition: &CompiledWorkflow,
    form: &PostForm,
    errors: &[FieldError],
    status: StatusCode,
) -> Response {
    let page = FormPage {
        chrome: desk.chrome("/launch"),
        name: definition.workflow.name.clone(),
        action: format!("/launch/{}/preview", encode(workflow)),
        fields: form_fields(definition, form, errors),
        errors: errors
            .iter()
            .map(|e| match definition.workflow.application.field(&e.field) {
                Some(f) => format!("{}：{}", f.label, e.message),
                None if e.field.is_empty() => e.message.clone(),
                None => format!("{}：{}", e.field, e.message),
            })
            .collect(),
    };
    html(status, &page)
}

/// The application the form describes, typed by the schema.
fn application(fields: &[FieldDef], form: &PostForm) -> Value {
    let mut out = Map::new();
    for field in fields {
        let values: Vec<&str> = form
            .all(&field.id)
            .into_iter()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        let value = match field.kind {
            FieldKind::List => {
                let items: Vec<Value> = values
                    .iter()
                    .flat_map(|v| v.lines())
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| Value::String(v.to_string()))
                    .collect();
                if items.is_empty() {
                    continue;
                }
                Value::Array(items)
            }
            _ => {
                let Some(text) = values.first() else { continue };
                match field.kind {
                    FieldKind::Number => number(text),
                    FieldKind::Boolean => match *text {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        other => Value::String(other.to_string()),
                    },
                    _ => Value::String(text.to_string()),
                }
            }
        };
        out.insert(field.id.clone(), value);
    }
    Value::Object(out)
}

/// `text` as a JSON number when it is one, else the text (which validation then names).
fn number(text: &str) -> Value {
    if let Ok(n) = text.parse::<i64>() {
        return Value::from(n);
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(text.to_string()), Value::Number)
}

#[derive(Template)]
#[template(path = "launch_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    name: String,
    action: String,
    back: String,
    application: String,
    version: u32,
    start: String,
    promised: String,
    promised_provisional: bool,
    duration: u32,
    rows: Vec<PreviewRow>,
    skipped: Vec<String>,
    critical_path: String,
}

struct PreviewRow {
    name: String,
    department: String,
    committed_days: u32,
    statutory_days: u32,
    start_day: u32,
    finish_day: u32,
    due: String,
    critical: bool,
    needs: String,
}

/// `POST /launch/{workflow}/preview`: the dry run of the filled form, or the form again
/// with every field at fault marked (422).
pub(crate) async fn preview<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    Path(workflow): Path<String>,
    form: PostForm,
) -> Result<Response, WebError> {
    desk.verify(&form)?;
    desk.caller.require(Right::LaunchCases)?;
    let (version, definition) = latest(&app, &workflow).await?;
    let application = application(&definition.workflow.application.fields, &form);
    if let Err(errors) = definition.workflow.application.validate(&application) {
        return Ok(form_page(
            &desk,
            &workflow,
            &definition,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let plan = definition
        .plan(&application)
        .map_err(|e| ApiError::invalid("application", e.to_string()))?;
    let start = today(&app);
    let timetable = plan
        .timetable(&definition.calendar, start)
        .map_err(|e| ApiError::invalid("application", e.to_string()))?;
    let department = |id: &greenlane_engine::ids::DepartmentId| {
        definition
            .workflow
            .departments
            .get(id)
            .map_or_else(|| id.to_string(), |d| d.name.clone())
    };
    let name_of = |id: &greenlane_engine::ids::TaskId| {
        timetable
            .tasks
            .iter()
            .find(|t| &t.id == id)
            .map_or_else(|| id.to_string(), |t| t.name.clone())
    };
    let rows = timetable
        .tasks
        .iter()
        .map(|t| PreviewRow {
            name: t.name.clone(),
            department: department(&t.department),
            committed_days: t.committed_days,
            statutory_days: t.statutory_days,
            start_day: t.earliest_start,
            finish_day: t.earliest_finish,
            due: t.due.to_string(),
            critical: t.critical,
            needs: t.needs.iter().map(name_of).collect::<Vec<_>>().join("、"),
        })
        .collect();
    let skipped = labels::task_names(&definition.workflow, &timetable.skipped);
    let page = PreviewPage {
        chrome: desk.chrome("/launch"),
        name: definition.workflow.name.clone(),
        action: format!("/launch/{}", encode(&workflow)),
        back: format!("/launch/{}", encode(&workflow)),
        application: serde_json::to_string(&application).unwrap_or_default(),
        version,
        start: start.to_string(),
        promised: timetable.promised_completion.to_string(),
        promised_provisional: definition
            .calendar
            .depends_on_provisional(timetable.start, timetable.promised_completion),
        duration: timetable.duration_working_days,
        rows,
        skipped,
        critical_path: timetable
            .critical_path
            .iter()
            .map(name_of)
            .collect::<Vec<_>>()
            .join(" → "),
    };
    Ok(ok(&page))
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    chrome: Chrome,
    case: String,
    case_href: String,
    access_code: String,
    workflow: String,
    applicant: String,
    accepted_on: String,
    promised: String,
    promised_provisional: bool,
    coordinator: String,
    items: Vec<NoticeItem>,
}

struct NoticeItem {
    name: String,
    department: String,
    committed_days: u32,
    materials: String,
}

/// `POST /launch/{workflow}`: launches the previewed application and shows the 受理通知书.
pub(crate) async fn confirm<B: Backend>(
    State(app): State<App<B>>,
    desk: Desk,
    Path(workflow): Path<String>,
    form: PostForm,
) -> Result<Response, WebError> {
    desk.verify(&form)?;
    let application: Value = serde_json::from_str(form.get("application").unwrap_or("{}"))
        .map_err(|e| {
            ApiError::invalid(
                "application",
                format!("申请内容无效 the application is not JSON: {e}"),
            )
        })?;
    // Checked here too, so a form changed between preview and confirm comes back as a
    // form; the launch checks it again against the version it pins.
    let (_, latest_definition) = latest(&app, &workflow).await?;
    if let Err(errors) = latest_definition
        .workflow
        .application
        .validate(&application)
    {
        return Ok(form_page(
            &desk,
            &workflow,
            &latest_definition,
            &PostForm::default(),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let launched = launch_case(&app, &desk.caller, &workflow, application).await?;
    let definition = app
        .runtime()
        .definition(
            &WorkflowId::new(workflow.as_str()),
            launched.workflow_version,
        )
        .await?;
    let (accepted_on, applicant, items) =
        read_visible(&app, &desk.caller, &launched.case, |state| {
            let items = state
                .tasks
                .iter()
                .map(|t| NoticeItem {
                    name: t.plan.name.clone(),
                    department: definition
                        .workflow
                        .departments
                        .get(&t.plan.department)
                        .map_or_else(|| t.plan.department.to_string(), |d| d.name.clone()),
                    committed_days: t.plan.committed_days,
                    materials: t.plan.materials.join("、"),
                })
                .collect::<Vec<_>>();
            (
                state.launched_on.to_string(),
                labels::applicant(state),
                items,
            )
        })
        .await?;
    let page = NoticePage {
        chrome: desk.chrome("/launch"),
        case_href: format!("/cases/{}", encode(&launched.case)),
        case: launched.case,
        access_code: launched.access_code,
        workflow: definition.workflow.name.clone(),
        applicant,
        accepted_on,
        promised: launched.promised_completion.to_string(),
        promised_provisional: launched.promised_completion_provisional,
        coordinator: desk.caller.principal.id.to_string(),
        items,
    };
    Ok(html(StatusCode::CREATED, &page))
}
