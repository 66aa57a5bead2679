//! The HTTP client: `greenlane --server URL --token T <command>` does over the API what each
//! role does at its desk — a coordinator launches and reads cases, an officer reads the
//! inbox, claims and decides, policy staff publish and roll back, a supervisor reads alerts
//! and KPIs. Readable tables by default, the server's JSON with `--json`.
//!
//! - `cases`: launch, cases, case; `tasks`: inbox, claim, approve, reject, supplement;
//!   `definitions`: publish, rollback; `supervision`: alerts, kpis.
//! - Here: the connection (`Client`), the options every command shares, and printing a
//!   problem+json answer as an error.

mod cases;
mod definitions;
mod supervision;
mod tasks;

use std::process::ExitCode;

use anyhow::{bail, Context};
use comfy_table::{presets::UTF8_BORDERS_ONLY, ContentArrangement, Table};
use serde_json::Value;

pub(crate) use cases::{launch, list as cases, show as case, CaseArgs, CasesArgs, LaunchArgs};
pub(crate) use definitions::{
    publish, publish_calendar, rollback, PublishArgs, PublishCalendarArgs, RollbackArgs,
};
pub(crate) use supervision::{alerts, kpis, AlertsArgs, KpisArgs};
pub(crate) use tasks::{
    approve, claim, inbox, reject, supplement, ClaimArgs, DecideArgs, InboxArgs, RejectArgs,
    SupplementArgs,
};

/// Where the server is and who calls it (the global `--server` and `--token`).
#[derive(Debug, Clone)]
pub(crate) struct Remote {
    /// The server's base URL.
    pub(crate) server: Option<String>,
    /// The caller's bearer token.
    pub(crate) token: Option<String>,
}

/// Output options every client command takes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Output {
    /// Print the server's JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// A connection to a greenlane server.
pub(crate) struct Client {
    base: String,
    token: String,
    http: reqwest::Client,
    tokio: tokio::runtime::Runtime,
}

impl Client {
    /// A client for `remote`; both `--server` and `--token` are needed.
    pub(crate) fn new(remote: &Remote) -> anyhow::Result<Client> {
        let Some(server) = &remote.server else {
            bail!("this command talks to a server: give --server URL (or GREENLANE_SERVER)");
        };
        let Some(token) = &remote.token else {
            bail!("this command needs your token: give --token T (or GREENLANE_TOKEN)");
        };
        Ok(Client {
            base: server.trim_end_matches('/').to_string(),
            token: token.clone(),
            http: reqwest::Client::new(),
            tokio: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?,
        })
    }

    /// GET `path` (under `/api/v1`) with `query`.
    pub(crate) fn get(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<Value> {
        let request = self.http.get(self.url(path)).query(query);
        self.send(request)
    }

    /// POST `body` to `path` (under `/api/v1`).
    pub(crate) fn post(&self, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut request = self.http.post(self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let request = request.bearer_auth(&self.token);
        self.tokio.block_on(async {
            let response = request
                .send()
                .await
                .with_context(|| format!("cannot reach {}", self.base))?;
            let status = response.status();
            let text = response.text().await.context("reading the answer")?;
            if status.as_u16() == 204 {
                return Ok(Value::Null);
            }
            let value: Value = serde_json::from_str(&text).with_context(|| {
                format!("the server answered {status} with something other than JSON")
            })?;
            if status.is_success() {
                Ok(value)
            } else {
                bail!(problem_text(status.as_u16(), &value))
            }
        })
    }
}

/// A problem+json answer as lines for people.
fn problem_text(status: u16, problem: &Value) -> String {
    let mut text = format!(
        "{} {}: {}",
        status,
        problem["title"].as_str().unwrap_or(""),
        problem["detail"].as_str().unwrap_or("")
    );
    if let Some(errors) = problem["errors"].as_array() {
        for e in errors {
            let at = match (e["line"].as_u64(), e["column"].as_u64()) {
                (Some(line), Some(column)) if line > 0 => format!(":{line}:{column}"),
                _ => String::new(),
            };
            // A field of the application is named by its path (`application.land_supply`).
            let place = e["field"].as_str().or(e["file"].as_str()).unwrap_or("");
            text.push_str(&format!(
                "\n  {place}{at}: {}",
                e["message"].as_str().unwrap_or("")
            ));
        }
    }
    text
}

/// Prints `value` as JSON when asked, else with `readable`.
pub(crate) fn print(output: &Output, value: &Value, readable: impl FnOnce(&Value)) -> ExitCode {
    if output.json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    } else {
        readable(value);
    }
    ExitCode::SUCCESS
}

/// A table with `headings`.
pub(crate) fn table(headings: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headings.iter().copied());
    table
}

/// A JSON value as a cell: strings bare, null as `—`.
pub(crate) fn cell(value: &Value) -> String {
    match value {
        Value::Null => "—".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Printed after a date that counts on a provisional calendar year.
pub(crate) const PROVISIONAL: &str = "（暂定 provisional）";

/// Printed for a date beyond the calendar's coverage (not known until a year is published).
pub(crate) const BEYOND_CALENDAR: &str = "超出日历 beyond calendar";

/// A date for people: `date` followed by [`PROVISIONAL`] when `provisional`;
/// [`BEYOND_CALENDAR`] for an absent date that is provisional (beyond the calendar); `—`
/// for an absent date otherwise.
pub(crate) fn marked(date: Option<&str>, provisional: bool) -> String {
    match (date, provisional) {
        (Some(date), true) => format!("{date}{PROVISIONAL}"),
        (Some(date), false) => date.to_string(),
        (None, true) => BEYOND_CALENDAR.to_string(),
        (None, false) => "—".to_string(),
    }
}

/// The date `field` of an API object with its `<field>_provisional` flag, as [`marked`].
pub(crate) fn date_cell(object: &Value, field: &str) -> String {
    let provisional = object[format!("{field}_provisional")] == true;
    match &object[field] {
        Value::Null => marked(None, provisional),
        Value::String(date) => marked(Some(date), provisional),
        other => marked(Some(&other.to_string()), provisional),
    }
}

/// The events a command recorded, one line each.
pub(crate) fn print_events(value: &Value) {
    let events = value["events"].as_array().cloned().unwrap_or_default();
    if events.is_empty() {
        println!("无变化 nothing to do");
    }
    for e in events {
        println!(
            "#{} {} {}",
            cell(&e["seq"]),
            cell(&e["kind"]),
            cell(&e["event"]["task"])
        );
    }
}
