//! Wrong access codes are throttled in the store: two HTTP apps (two engine nodes) on one
//! SQLite file see the same counts, and a reopened file still has them, so neither a second
//! node nor a restart gives an attacker fresh tries.

mod common;

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use chrono::{TimeZone, Utc};
use greenlane_engine::ids::PrincipalId;
use greenlane_http::{App, Principals, Settings};
use greenlane_runtime::ports::{ManualClock, RecordingNotifier};
use greenlane_runtime::{Runtime, RuntimeConfig};
use greenlane_sqlite::SqliteBackend;
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn app(backend: Arc<SqliteBackend>, clock: Arc<ManualClock>) -> Router {
    let workflows = common::project_workflows();
    let mut config = RuntimeConfig::new("jilin-city", common::calendars());
    config.departments = workflows[0].1.departments.clone();
    let runtime = Arc::new(Runtime::new(
        backend,
        clock,
        Arc::new(RecordingNotifier::default()),
        config,
    ));
    runtime.recover().await.unwrap();
    for (_, source, _) in workflows {
        runtime
            .publish(source, &PrincipalId::new("system"))
            .await
            .unwrap();
    }
    let text = std::fs::read_to_string(common::root().join("examples/principals.yaml")).unwrap();
    let principals = Principals::parse("examples/principals.yaml", &text).unwrap();
    greenlane_http::router(App::new(runtime, principals, Settings::default()))
}

async fn send(router: &Router, request: Request<Body>) -> (u16, Option<String>, serde_json::Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        retry,
        serde_json::from_slice(&body).unwrap_or_default(),
    )
}

async fn inquire(router: &Router, case: &str, code: &str) -> (u16, Option<String>) {
    let request = Request::get(format!("/api/v1/inquiry/{case}?code={code}"))
        .body(Body::empty())
        .unwrap();
    let (status, retry, _) = send(router, request).await;
    (status, retry)
}

fn open(path: &Path) -> Arc<SqliteBackend> {
    Arc::new(SqliteBackend::open(path).unwrap())
}

#[tokio::test]
async fn two_apps_on_one_store_share_the_counts_and_a_reopened_file_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("greenlane.db");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
    ));
    let (case, code) = {
        let backend = open(&path);
        let first = app(backend.clone(), clock.clone()).await;
        let second = app(backend, clock.clone()).await;
        let body = serde_json::json!({
            "workflow": "enterprise-registration",
            "application": common::example("enterprise-registration-limited-company.json"),
        });
        let request = Request::post("/api/v1/cases")
            .header(
                "authorization",
                format!("Bearer {}", common::token("coordinator-city")),
            )
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, _, launched) = send(&first, request).await;
        assert_eq!(status, 201, "{launched}");
        let case = launched["case"].as_str().unwrap().to_string();
        let code = launched["access_code"].as_str().unwrap().to_string();
        let wrong = if code == "000000" { "000001" } else { "000000" };
        // Two wrong codes on each node: four in all, counted in the one store.
        for router in [&first, &second, &first, &second] {
            assert_eq!(inquire(router, &case, wrong).await.0, 404);
        }
        assert_eq!(
            inquire(&first, &case, &code).await,
            (429, Some("2".to_string())),
            "the other node's wrong codes count here too"
        );
        (case, code)
    };
    // The backend is closed; the file reopened by a new app keeps the count.
    let reopened = app(open(&path), clock.clone()).await;
    assert_eq!(inquire(&reopened, &case, &code).await.0, 429);
    clock.advance(chrono::Duration::seconds(2));
    assert_eq!(inquire(&reopened, &case, &code).await.0, 200);
}
