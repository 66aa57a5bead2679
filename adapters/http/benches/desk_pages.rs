//! Server time of the desk's two heaviest pages, through the router (no socket) on the
//! embedded SQLite store, as a logged-in browser session asks for them:
//!
//! - the case page of a case with 20 tasks and about 100 events (Gantt, DAG, task table,
//!   timeline), as the coordinator;
//! - the inbox of a department holding 500 ready tasks, as its officer.
//!
//! Criterion measures the mean; a plain loop after each prints the p50 and p99 of single
//! requests, the figures the desk is held to (case page p99 ≤ 20 ms, inbox p99 ≤ 50 ms).
//! Run: `cargo bench -p greenlane-http --bench desk_pages`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::{TimeZone, Utc};
use criterion::{criterion_main, Criterion};
use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::ids::PrincipalId;
use greenlane_http::{App, Principals, Settings};
use greenlane_runtime::ports::{LogNotifier, ManualClock};
use greenlane_runtime::{Runtime, RuntimeConfig};
use greenlane_sqlite::SqliteBackend;
use greenlane_testkit::workloads::staged_source;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

/// Stage widths of the workflow: intake, 9 + 9 departments, issuance = 20 tasks.
const STAGES: [usize; 2] = [9, 9];
/// Ready tasks in the inbox.
const INBOX: usize = 500;
/// Single requests timed for the percentiles.
const SAMPLES: usize = 1000;

fn principals() -> Principals {
    let mut yaml =
        String::from("centers:\n  - { id: jilin-city, name: 吉林市政务服务中心 }\nprincipals:\n");
    let mut add = |id: &str, role: &str, department: Option<&str>| {
        let hash = hex(&Sha256::digest(format!("bench-{id}").as_bytes()));
        yaml.push_str(&format!(
            "  - {{ id: {id}, role: {role}, center: jilin-city{}, token_sha256: {hash} }}\n",
            department.map_or(String::new(), |d| format!(", department: {d}"))
        ));
    };
    add("coordinator", "coordinator", None);
    add("officer-window", "officer", Some("window"));
    for d in 1..=STAGES.iter().sum::<usize>() {
        add(
            &format!("officer-dept-{d}"),
            "officer",
            Some(&format!("dept-{d}")),
        );
    }
    Principals::parse("bench-principals.yaml", &yaml).expect("the bench's principals")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The router and the SQLite file's folder (removed when dropped).
async fn desk() -> (Router, tempfile::TempDir) {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let backend = Arc::new(SqliteBackend::open(folder.path().join("desk.db")).expect("SQLite"));
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
    ));
    let runtime = Arc::new(Runtime::new(
        backend,
        clock,
        Arc::new(LogNotifier),
        RuntimeConfig::new("jilin-city", cn_calendars()),
    ));
    runtime
        .publish(staged_source("desk", &STAGES), &PrincipalId::new("system"))
        .await
        .expect("publishing the bench workflow");
    let app = App::new(runtime, principals(), Settings::default());
    (greenlane_http::router(app), folder)
}

async fn send(
    router: &Router,
    request: Request<Body>,
) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    let response = router.clone().oneshot(request).await.expect("an answer");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    (status, body.to_vec(), headers)
}

/// A JSON API call as `who`.
async fn api(
    router: &Router,
    method: &str,
    path: &str,
    who: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer bench-{who}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, body, _) = send(router, request).await;
    assert!(
        status.is_success(),
        "{method} {path}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null)
}

/// The session cookie of `who`, logged in through the log-in form.
async fn log_in(router: &Router, who: &str) -> String {
    let request = Request::builder()
        .uri("/login")
        .body(Body::empty())
        .unwrap();
    let (_, body, headers) = send(router, request).await;
    let page = String::from_utf8(body).unwrap();
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = &page[start..start + page[start..].find('"').unwrap()];
    let login_cookie = cookie(&headers);
    let request = Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, login_cookie)
        .body(Body::from(format!(
            "csrf={csrf}&next=%2F&token=bench-{who}"
        )))
        .unwrap();
    let (status, _, headers) = send(router, request).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    cookie(&headers)
}

fn cookie(headers: &axum::http::HeaderMap) -> String {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .filter(|pair| !pair.ends_with('='))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A case with 20 tasks and about 100 events: every stage-1 task claimed, sent back for a
/// supplement that arrives, claimed again and approved; stage 2 claimed, released and
/// claimed again.
async fn busy_case(router: &Router) -> (String, usize) {
    let launched = api(
        router,
        "POST",
        "/api/v1/cases",
        "coordinator",
        serde_json::json!({"workflow": "desk", "application": {}}),
    )
    .await;
    let case = launched["case"].as_str().unwrap().to_string();
    let task = |t: &str, action: &str| format!("/api/v1/cases/{case}/tasks/{t}/{action}");
    let none = serde_json::Value::Null;
    api(
        router,
        "POST",
        &task("intake", "claim"),
        "officer-window",
        none.clone(),
    )
    .await;
    api(
        router,
        "POST",
        &task("intake", "approve"),
        "officer-window",
        none.clone(),
    )
    .await;
    for d in 1..=STAGES[0] {
        let (t, who) = (format!("s1-t{d}"), format!("officer-dept-{d}"));
        api(router, "POST", &task(&t, "claim"), &who, none.clone()).await;
        let materials = serde_json::json!({"materials": ["补正材料 A", "补正材料 B"]});
        api(
            router,
            "POST",
            &task(&t, "request-supplement"),
            &who,
            materials,
        )
        .await;
        api(
            router,
            "POST",
            &task(&t, "submit-supplement"),
            "coordinator",
            none.clone(),
        )
        .await;
        api(router, "POST", &task(&t, "claim"), &who, none.clone()).await;
        api(
            router,
            "POST",
            &task(&t, "approve"),
            &who,
            serde_json::json!({"opinion": "同意"}),
        )
        .await;
    }
    for d in STAGES[0] + 1..=STAGES.iter().sum() {
        let (t, who) = (format!("s2-t{d}"), format!("officer-dept-{d}"));
        let rounds = if d <= STAGES[0] + 3 { 3 } else { 2 };
        for round in 0..rounds {
            if round > 0 {
                api(router, "POST", &task(&t, "release"), &who, none.clone()).await;
            }
            api(router, "POST", &task(&t, "claim"), &who, none.clone()).await;
        }
    }
    let view = api(
        router,
        "GET",
        &format!("/api/v1/cases/{case}"),
        "coordinator",
        none,
    )
    .await;
    (case, view["timeline"].as_array().map_or(0, Vec::len))
}

fn page(path: &str, session: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .header(header::COOKIE, session)
        .body(Body::empty())
        .unwrap()
}

/// p50 and p99 of `SAMPLES` single requests for `path`.
fn percentiles(
    rt: &tokio::runtime::Runtime,
    router: &Router,
    path: &str,
    session: &str,
) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let started = Instant::now();
            let (status, _, _) = rt.block_on(send(router, page(path, session)));
            let took = started.elapsed();
            assert_eq!(status, StatusCode::OK);
            took
        })
        .collect();
    times.sort();
    (times[SAMPLES / 2], times[SAMPLES * 99 / 100])
}

fn bench() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let (router, _folder) = rt.block_on(desk());
    let (case, events) = rt.block_on(busy_case(&router));
    for _ in 0..INBOX {
        rt.block_on(api(
            &router,
            "POST",
            "/api/v1/cases",
            "coordinator",
            serde_json::json!({"workflow": "desk", "application": {}}),
        ));
    }
    let coordinator = rt.block_on(log_in(&router, "coordinator"));
    let officer = rt.block_on(log_in(&router, "officer-window"));
    let case_path = format!("/cases/{case}");
    let (_, inbox_body, _) = rt.block_on(send(&router, page("/inbox", &officer)));
    let rows = String::from_utf8_lossy(&inbox_body).matches("<tr>").count() - 1;
    println!("case page: 20 tasks, {events} timeline events; inbox: {rows} rows");

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("desk");
    group.sample_size(50);
    group.bench_function("case_page_20_tasks", |b| {
        b.iter(|| rt.block_on(send(&router, page(&case_path, &coordinator))))
    });
    group.bench_function("inbox_500_tasks", |b| {
        b.iter(|| rt.block_on(send(&router, page("/inbox", &officer))))
    });
    group.finish();

    for (name, path, session, target) in [
        ("case page", case_path.as_str(), &coordinator, 20),
        ("inbox (500)", "/inbox", &officer, 50),
    ] {
        let (p50, p99) = percentiles(&rt, &router, path, session);
        println!(
            "{name}: p50 {:.2} ms, p99 {:.2} ms (target p99 ≤ {target} ms) over {SAMPLES} requests",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
}

criterion_main!(bench);
