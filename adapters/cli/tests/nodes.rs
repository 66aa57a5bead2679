//! Two engine nodes on one Redis, as real processes: two `greenlane serve --redis` share a
//! `redis-server` of the test's own (the Redis adapter's test support) and a key prefix.
//! Cases are launched through both nodes over HTTP; officers claim and approve alternating
//! nodes; node 1 is killed (SIGKILL) while officers hold leases taken through it and just
//! after it acknowledged approvals; everything then goes on through node 2 until every case
//! completes — the leases taken through node 1 run out and node 2's ticker puts their tasks
//! back. Every task is approved exactly once and no acknowledged approval is lost.
//!
//! A second test cuts a node off between appending a launch and carrying out its effects
//! (the dispatch fails, as if the node died there) and checks that a running node's tick
//! completes them: the task reaches its queue.
//!
//! HTTP calls go through `curl` (as an operator would); leases are the shortest the API
//! allows (60 s), so the test waits about a minute for them, polling with generous deadlines.

#[path = "../../redis/tests/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const PREFIX: &str = "nodes-test";
const LEASE: &str = "lease_seconds=60";
/// Far beyond the minute the leases take to run out.
const DEADLINE: Duration = Duration::from_secs(240);

/// One `greenlane serve --redis` process.
struct Node {
    child: Child,
    url: String,
}

impl Node {
    fn start(redis: &str) -> Node {
        let mut child = Command::new(env!("CARGO_BIN_EXE_greenlane"))
            .args(["serve", "--redis", redis, "--redis-prefix", PREFIX])
            .args(["--listen", "127.0.0.1:0", "--tick-seconds", "1"])
            .args(["--principals", "examples/principals.yaml"])
            .args(["--clock-start", "2026-03-02T01:00:00Z"])
            .current_dir(ROOT)
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .expect("the node starts");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            let line = lines.next().expect("the node logs its address").unwrap();
            if let Some(at) = line.find("address=") {
                break format!("http://{}", line[at + "address=".len()..].trim());
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Node { child, url }
    }

    /// SIGKILL, as a crash.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `curl` with `who`'s demo token: the status and the body as JSON (null when empty).
fn call(
    node: &Node,
    who: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut command = Command::new("curl");
    command
        .args(["-s", "-w", "\n%{http_code}", "-X", method])
        .args(["-H", &format!("Authorization: Bearer demo-{who}")])
        .arg(format!("{}{path}", node.url));
    if let Some(body) = body {
        command
            .args(["-H", "Content-Type: application/json"])
            .args(["--data-binary", body]);
    }
    let output = command.output().expect("curl runs");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    let status: u16 = status.trim().parse().unwrap_or(0);
    let json = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    (status, json)
}

fn case_view(node: &Node, case: &str) -> serde_json::Value {
    let (status, view) = call(
        node,
        "coordinator-city",
        "GET",
        &format!("/api/v1/cases/{case}"),
        None,
    );
    assert_eq!(status, 200, "{view}");
    view
}

/// Claims `task` through `claim_on` and approves it through `approve_on`; the approval
/// when it was acknowledged.
fn claim_and_approve(
    claim_on: &Node,
    approve_on: &Node,
    case: &str,
    task: &serde_json::Value,
) -> bool {
    let officer = format!("officer-{}", task["department"].as_str().unwrap());
    let id = task["id"].as_str().unwrap();
    let base = format!("/api/v1/cases/{case}/tasks/{id}");
    let (claimed, _) = call(
        claim_on,
        &officer,
        "POST",
        &format!("{base}/claim?{LEASE}"),
        None,
    );
    if claimed != 200 {
        return false;
    }
    let (approved, _) = call(
        approve_on,
        &officer,
        "POST",
        &format!("{base}/approve"),
        None,
    );
    approved == 200
}

#[test]
fn a_node_killed_mid_run_loses_nothing_and_the_other_finishes_every_case() {
    let server = support::RedisServer::start();
    let mut one = Node::start(&server.url());
    let two = Node::start(&server.url());
    let application = std::fs::read_to_string(format!(
        "{ROOT}/examples/applications/enterprise-registration-limited-company.json"
    ))
    .unwrap();
    let launch =
        format!("{{\"workflow\": \"enterprise-registration\", \"application\": {application}}}");
    let mut cases = Vec::new();
    for i in 0..6 {
        let node = if i % 2 == 0 { &one } else { &two };
        let (status, launched) = call(
            node,
            "coordinator-city",
            "POST",
            "/api/v1/cases",
            Some(&launch),
        );
        assert_eq!(status, 201, "{launched}");
        cases.push(launched["case"].as_str().unwrap().to_string());
    }

    // Before the crash: a round of approvals, claims on one node and approvals on the other.
    let mut acknowledged: BTreeSet<(String, String)> = BTreeSet::new();
    let mut turn = 0;
    for _ in 0..2 {
        for case in &cases {
            let view = case_view(&two, case);
            for task in view["tasks"].as_array().unwrap() {
                if task["state"] != "ready" {
                    continue;
                }
                turn += 1;
                let (a, b) = if turn % 2 == 0 {
                    (&one, &two)
                } else {
                    (&two, &one)
                };
                if claim_and_approve(a, b, case, task) {
                    acknowledged.insert((case.clone(), task["id"].as_str().unwrap().into()));
                }
            }
        }
    }
    // Leases taken through node 1 and never approved; then one more approval acknowledged
    // by node 1 just before it dies.
    let mut held = 0;
    for case in &cases {
        let view = case_view(&one, case);
        for task in view["tasks"].as_array().unwrap() {
            if task["state"] != "ready" {
                continue;
            }
            let officer = format!("officer-{}", task["department"].as_str().unwrap());
            let path = format!(
                "/api/v1/cases/{case}/tasks/{}/claim?{LEASE}",
                task["id"].as_str().unwrap()
            );
            if call(&one, &officer, "POST", &path, None).0 == 200 {
                held += 1;
                break;
            }
        }
    }
    assert!(held > 0, "some leases are held through node 1 when it dies");
    'last: for case in &cases {
        let view = case_view(&one, case);
        for task in view["tasks"].as_array().unwrap() {
            if task["state"] == "ready" && claim_and_approve(&one, &one, case, task) {
                acknowledged.insert((case.clone(), task["id"].as_str().unwrap().into()));
                break 'last;
            }
        }
    }
    one.kill();

    // After the crash: only node 2, only tasks that are ready (claimed ones wait for their
    // lease to run out and node 2's ticker to put them back).
    let started = Instant::now();
    loop {
        let mut open = 0;
        for case in &cases {
            let view = case_view(&two, case);
            if view["state"] == "completed" {
                continue;
            }
            open += 1;
            for task in view["tasks"].as_array().unwrap() {
                if task["state"] == "ready" && claim_and_approve(&two, &two, case, task) {
                    acknowledged.insert((case.clone(), task["id"].as_str().unwrap().into()));
                }
            }
        }
        if open == 0 {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{open} cases still open after {DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }

    // Every task approved exactly once, every acknowledged approval recorded, and the leases
    // held through node 1 came back by expiry on node 2.
    let mut expired = 0;
    for case in &cases {
        let view = case_view(&two, case);
        let mut approvals: BTreeMap<String, usize> = BTreeMap::new();
        for entry in view["timeline"].as_array().unwrap() {
            match entry["kind"].as_str().unwrap() {
                "task_approved" => {
                    *approvals
                        .entry(entry["event"]["task"].as_str().unwrap().into())
                        .or_default() += 1
                }
                "lease_expired" => expired += 1,
                _ => {}
            }
        }
        for task in view["tasks"].as_array().unwrap() {
            let id = task["id"].as_str().unwrap();
            assert_eq!(task["state"], "approved", "{case} {id}");
            assert_eq!(approvals.get(id), Some(&1), "{case} {id} approved once");
        }
        for (acked_case, task) in &acknowledged {
            if acked_case == case {
                assert_eq!(
                    approvals.get(task),
                    Some(&1),
                    "acknowledged {case} {task} kept"
                );
            }
        }
    }
    assert!(
        expired >= held,
        "{expired} expiries for {held} leases held through node 1"
    );
}

#[test]
fn effects_a_dead_node_left_half_done_are_completed_by_another_nodes_tick() {
    use greenlane_engine::calendar::shipped::cn_calendars;
    use greenlane_engine::ids::WorkflowId;
    use greenlane_engine::principal::{Principal, Role};
    use greenlane_runtime::ports::{LogNotifier, ManualClock};
    use greenlane_runtime::{Runtime, RuntimeConfig};
    use greenlane_testkit::faults::{Faults, FaultyBackend, Op};
    use std::sync::Arc;

    let server = support::RedisServer::start();
    let node = Node::start(&server.url());
    let application: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{ROOT}/examples/applications/enterprise-registration-limited-company.json"
        ))
        .unwrap(),
    )
    .unwrap();
    // The other node, in this process: its launch is appended, then its dispatch fails and
    // it is gone before anything repairs it.
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let case = tokio.block_on(async {
        let faults = Arc::new(Faults::default());
        let backend = Arc::new(FaultyBackend::new(
            Arc::new(server.backend(PREFIX).await),
            faults.clone(),
        ));
        let start = "2026-03-02T01:00:00Z".parse().unwrap();
        let runtime = Runtime::new(
            backend,
            Arc::new(ManualClock::new(start)),
            Arc::new(LogNotifier),
            RuntimeConfig::new("jilin-city", cn_calendars()),
        );
        faults.arm(Op::Dispatch, 1);
        let coordinator = Principal::new("coordinator-city", Role::Coordinator, "jilin-city");
        let workflow = WorkflowId::new("enterprise-registration");
        let launched = runtime
            .launch(
                &coordinator,
                greenlane_testkit::access::launch_request(&workflow, application),
            )
            .await
            .expect("the launch is recorded");
        assert_eq!(
            faults.fired(),
            vec![Op::Dispatch],
            "the dispatch was cut off"
        );
        launched.case.to_string()
    });
    drop(tokio);

    let started = Instant::now();
    loop {
        let (status, inbox) = call(
            &node,
            "officer-service-center",
            "GET",
            "/api/v1/departments/service-center/inbox",
            None,
        );
        assert_eq!(status, 200, "{inbox}");
        if inbox.to_string().contains(&case) {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "the running node's tick never dispatched {case}: {inbox}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
