//! The fixture every HTTP test uses: the router over a runtime on an in-memory backend
//! (wrapped so a test can make a port fail), a manual clock at Monday 2026-03-02 09:00 in
//! Shanghai, the project's workflows published, and the example principals file
//! (`examples/principals.yaml`, token of `<id>` is `demo-<id>`).

#![allow(dead_code)] // each test binary uses a different part of the fixture

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use chrono::{TimeZone, Utc};
use greenlane_engine::ids::{PrincipalId, WorkflowId};
use greenlane_http::{App, Principals, Settings};
use greenlane_runtime::memory::MemoryBackend;
use greenlane_runtime::ports::{DefinitionSource, ManualClock, RecordingNotifier};
use greenlane_runtime::{Runtime, RuntimeConfig};
use greenlane_testkit::faults::{Faults, FaultyBackend};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// The backend of the tests.
pub(crate) type TestBackend = FaultyBackend<MemoryBackend>;

/// The repository root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An example application, by file name under `examples/applications/`.
pub(crate) fn example(name: &str) -> Value {
    let path = root().join("examples/applications").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The bearer token of principal `id` in the example principals file.
pub(crate) fn token(id: &str) -> String {
    format!("demo-{id}")
}

/// Every workflow of the project, as the server publishes it, with its examples.
pub(crate) fn project_workflows() -> Vec<(WorkflowId, DefinitionSource, Vec<Value>)> {
    static READ: std::sync::OnceLock<Vec<(WorkflowId, DefinitionSource, Vec<Value>)>> =
        std::sync::OnceLock::new();
    READ.get_or_init(read_project_workflows).clone()
}

/// The calendars of the project, read once.
pub(crate) fn calendars() -> std::collections::BTreeMap<
    greenlane_engine::ids::CalendarId,
    Arc<greenlane_engine::calendar::Calendar>,
> {
    static READ: std::sync::OnceLock<
        std::collections::BTreeMap<
            greenlane_engine::ids::CalendarId,
            Arc<greenlane_engine::calendar::Calendar>,
        >,
    > = std::sync::OnceLock::new();
    READ.get_or_init(|| greenlane_fs::Project::new(root()).calendars().unwrap())
        .clone()
}

fn read_project_workflows() -> Vec<(WorkflowId, DefinitionSource, Vec<Value>)> {
    let project = greenlane_fs::Project::new(root());
    let mut out = Vec::new();
    for file in project.workflow_files().unwrap() {
        let path = file.to_string_lossy().into_owned();
        let compiled = project.load_workflow(&path).unwrap();
        let source = project.workflow_source(&path).unwrap();
        let sources = project.sources(Some(Path::new(&source.name))).unwrap();
        let rules = compiled.workflow.rules.as_ref().map(|name| {
            let script = &sources.rules[name];
            (name.clone(), script.text.clone())
        });
        let id = compiled.workflow.id.clone();
        let prefix = format!("{id}-");
        let mut examples = Vec::new();
        let mut names: Vec<_> = std::fs::read_dir(root().join("examples/applications"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&prefix) && n.ends_with(".json"))
            .collect();
        names.sort();
        for name in names {
            examples.push(example(&name));
        }
        out.push((
            id,
            DefinitionSource {
                workflow_name: format!("{}.yaml", compiled.workflow.id),
                workflow: source.text,
                rules,
                departments: sources.departments.map(|d| d.text),
            },
            examples,
        ));
    }
    out
}

/// An answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// The status.
    pub(crate) status: u16,
    /// The `Content-Type`.
    pub(crate) content_type: String,
    /// The body.
    pub(crate) body: Vec<u8>,
    /// Every header.
    pub(crate) headers: axum::http::HeaderMap,
}

impl Reply {
    /// The body as JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The body as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts a problem+json answer with `status`; returns it.
    pub(crate) fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.content_type,
            "application/problem+json",
            "{}",
            self.text()
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert!(problem["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:greenlane:problem:"));
        assert!(!problem["title"].as_str().unwrap().is_empty());
        problem
    }
}

/// The app, its clock and its faults.
pub(crate) struct Fixture {
    /// The shared state.
    pub(crate) app: App<TestBackend>,
    /// The runtime's clock.
    pub(crate) clock: Arc<ManualClock>,
    /// Faults to arm on the backend.
    pub(crate) faults: Arc<Faults>,
    /// Every notification the runtime handed over.
    pub(crate) notifier: Arc<RecordingNotifier>,
    router: Router,
}

impl Fixture {
    /// A fixture with the project's workflows published and their examples kept.
    pub(crate) async fn new() -> Fixture {
        Fixture::with_settings(Settings::default()).await
    }

    /// A fixture with `settings`.
    pub(crate) async fn with_settings(settings: Settings) -> Fixture {
        let workflows = project_workflows();
        let faults = Arc::new(Faults::default());
        let backend = Arc::new(FaultyBackend::new(
            Arc::new(MemoryBackend::new()),
            faults.clone(),
        ));
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
        ));
        let mut config = RuntimeConfig::new("jilin-city", calendars());
        config.seed = Some(7);
        config.departments = workflows[0].1.departments.clone();
        let notifier = Arc::new(RecordingNotifier::default());
        let runtime = Arc::new(Runtime::new(
            backend,
            clock.clone(),
            notifier.clone(),
            config,
        ));
        let text = std::fs::read_to_string(root().join("examples/principals.yaml")).unwrap();
        let principals = Principals::parse("examples/principals.yaml", &text).unwrap();

        let app = App::new(runtime.clone(), principals, settings);
        for (id, source, examples) in workflows {
            runtime
                .publish(source, &PrincipalId::new("system"))
                .await
                .unwrap();
            runtime.keep_samples(id, examples);
        }
        Fixture {
            router: greenlane_http::router(app.clone()),
            app,
            clock,
            faults,
            notifier,
        }
    }

    /// The router (a clone).
    pub(crate) fn router(&self) -> Router {
        self.router.clone()
    }

    /// Sends `request`.
    pub(crate) async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        // A stream of server-sent events never ends: its body is left unread here.
        let body = if content_type.starts_with("text/event-stream") {
            Vec::new()
        } else {
            response
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec()
        };
        Reply {
            status,
            content_type,
            body,
            headers,
        }
    }

    /// `method path` as principal `who` (no token when `None`), with a JSON body if given.
    pub(crate) async fn call(
        &self,
        method: &str,
        path: &str,
        who: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.send(request(method, path, who, body)).await
    }

    /// GET as `who`.
    pub(crate) async fn get(&self, path: &str, who: &str) -> Reply {
        self.call("GET", path, Some(who), None).await
    }

    /// POST as `who` with a JSON body.
    pub(crate) async fn post(&self, path: &str, who: &str, body: Value) -> Reply {
        self.call("POST", path, Some(who), Some(body)).await
    }

    /// Launches the example `file` of `workflow` as `who`; the launch's answer.
    pub(crate) async fn launch(&self, who: &str, workflow: &str, file: &str) -> Value {
        let reply = self
            .post(
                "/api/v1/cases",
                who,
                serde_json::json!({ "workflow": workflow, "application": example(file) }),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text());
        reply.json()
    }

    /// Claims and approves every ready task of `case` until none is left, each by the officer
    /// of its department; returns how many were approved.
    pub(crate) async fn approve_all(&self, case: &str) -> usize {
        let f = self;
        let mut approved = 0;
        loop {
            let view = f
                .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
                .await
                .json();
            let ready: Vec<(String, String)> = view["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["state"] == "ready")
                .map(|t| {
                    (
                        t["id"].as_str().unwrap().to_string(),
                        t["department"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            if ready.is_empty() {
                return approved;
            }
            for (task, department) in ready {
                let officer = format!("officer-{department}");
                let base = format!("/api/v1/cases/{case}/tasks/{task}");
                let claim = f
                    .call("POST", &format!("{base}/claim"), Some(&officer), None)
                    .await;
                assert_eq!(claim.status, 200, "{}", claim.text());
                let approve = f
                    .call("POST", &format!("{base}/approve"), Some(&officer), None)
                    .await;
                assert_eq!(approve.status, 200, "{}", approve.text());
                approved += 1;
            }
        }
    }

    /// Launches the limited-company enterprise registration as the city coordinator.
    pub(crate) async fn launch_company(&self) -> String {
        let launched = self
            .launch(
                "coordinator-city",
                "enterprise-registration",
                "enterprise-registration-limited-company.json",
            )
            .await;
        launched["case"].as_str().unwrap().to_string()
    }
}

/// A request for `method path` as principal `who`, with a JSON body if given.
pub(crate) fn request(
    method: &str,
    path: &str,
    who: Option<&str>,
    body: Option<Value>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(who) = who {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {}", token(who)));
    }
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(&body).unwrap()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}
