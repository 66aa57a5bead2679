//! `greenlane worker` against a `redis-server` this test starts itself (the Redis
//! adapter's test support). An engine node in the test (a `Runtime` over the same Redis and
//! the default prefix `greenlane`, on a manual clock) publishes a workflow, launches cases
//! and ticks; `greenlane worker` processes are the departments.
//!
//! The workflow: `intake` at `window`, then `s1-t1` at `dept-1` and `s1-t2` at `dept-2` in
//! parallel, then `issue` at `window`.

#[path = "../../redis/tests/support/mod.rs"]
mod support;

use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::case::{replay, CaseState, CaseStatus, Event, Recorded, TaskStatus};
use greenlane_engine::ids::{CaseId, PrincipalId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_redis::RedisBackend;
use greenlane_runtime::ports::{LogNotifier, ManualClock};
use greenlane_runtime::{Runtime, RuntimeConfig};
use greenlane_testkit::workloads::staged_source;
use support::RedisServer;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
/// The worker's default center, so the node and the workers agree without saying so.
const CENTER: &str = "jilin-city";
/// A Monday the shipped calendar covers.
const START: &str = "2026-03-02T01:00:00Z";
/// How long anything may take before the test gives up (never asserted as a timing).
const PATIENCE: StdDuration = StdDuration::from_secs(90);

/// The engine node of the test: a runtime on the default prefix and a manual clock.
struct Node {
    tokio: tokio::runtime::Runtime,
    runtime: Runtime<RedisBackend>,
    clock: Arc<ManualClock>,
}

impl Node {
    fn start(server: &RedisServer) -> Node {
        let tokio = tokio::runtime::Runtime::new().expect("a tokio runtime");
        let clock = Arc::new(ManualClock::new(start()));
        let runtime = tokio.block_on(async {
            let backend = Arc::new(server.backend("greenlane").await);
            let runtime = Runtime::new(
                backend,
                clock.clone(),
                Arc::new(LogNotifier),
                RuntimeConfig::new(CENTER, cn_calendars()),
            );
            let source = staged_source("joint", &[2]);
            runtime
                .publish(source, &PrincipalId::new("policy-1"))
                .await
                .expect("joint publishes");
            runtime
        });
        Node {
            tokio,
            runtime,
            clock,
        }
    }

    fn launch(&self) -> CaseId {
        let coordinator = Principal::new("coordinator-1", Role::Coordinator, CENTER);
        self.tokio
            .block_on(self.runtime.launch(
                &coordinator,
                greenlane_testkit::access::launch_request(
                    &WorkflowId::new("joint"),
                    serde_json::json!({ "applicant": "绿道公司" }),
                ),
            ))
            .expect("launch")
            .case
    }

    /// The case's events as stored (the node's cache may be behind the workers' changes).
    fn events(&self, case: &CaseId) -> Vec<Recorded> {
        self.tokio
            .block_on(self.runtime.timeline(case))
            .expect("the case is stored")
    }

    fn state(&self, case: &CaseId) -> CaseState {
        replay(&self.events(case)).expect("the case is launched")
    }

    fn tick(&self) {
        self.tokio.block_on(self.runtime.tick()).expect("tick");
    }
}

fn start() -> DateTime<Utc> {
    START.parse().unwrap()
}

/// `greenlane worker` for `department` as `officer`, its clock starting at `clock_start`.
fn worker(server: &RedisServer, department: &str, officer: &str, clock_start: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_greenlane"));
    command
        .args(["--root", ROOT, "worker", "--redis", &server.url()])
        .args(["--department", department, "--officer", officer])
        .args(["--clock-start", clock_start])
        .stdin(Stdio::null());
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("greenlane runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Polls `done` (after `step`) until it holds, failing after [`PATIENCE`].
fn eventually(what: &str, mut step: impl FnMut(), mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    loop {
        step();
        if done() {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "gave up waiting: {what}");
        std::thread::sleep(StdDuration::from_millis(50));
    }
}

fn status<'a>(state: &'a CaseState, task: &str) -> &'a TaskStatus {
    &state.task(task).expect("the task is planned").status
}

#[test]
fn a_worker_claims_and_approves_its_department_task_and_another_department_is_refused() {
    let server = RedisServer::start();
    let node = Node::start(&server);
    let case = node.launch();

    let next = run(worker(&server, "window", "officer-w", START).args([
        "--json",
        "next",
        "--lease-secs",
        "600",
    ]));
    assert!(next.status.success(), "{}", text(&next.stderr));
    let claimed: serde_json::Value = serde_json::from_slice(&next.stdout).expect("JSON");
    assert_eq!(claimed["case"], case.as_str(), "{claimed}");
    assert_eq!(claimed["task"], "intake");
    assert_eq!(claimed["department"], "window");
    assert_eq!(claimed["application"]["applicant"], "绿道公司");
    assert!(claimed["committed_due"].is_string() && claimed["lease_until"].is_string());
    assert!(matches!(
        status(&node.state(&case), "intake"),
        TaskStatus::Claimed { officer, .. } if officer.as_str() == "officer-w"
    ));

    let inbox = run(worker(&server, "window", "officer-w", START).arg("inbox"));
    assert!(inbox.status.success(), "{}", text(&inbox.stderr));
    let inbox = text(&inbox.stdout);
    assert!(
        inbox.contains("案件 case") && inbox.contains("intake"),
        "{inbox}"
    );
    assert!(
        inbox.contains("claimed") && inbox.contains("officer-w"),
        "{inbox}"
    );

    // An officer of dept-1 tries to approve the window's task: refused, naming the task.
    let before = node.state(&case).version;
    let refused = run(worker(&server, "dept-1", "officer-1", START).args([
        "approve",
        "--case",
        case.as_str(),
        "--task",
        "intake",
    ]));
    assert!(
        !refused.status.success(),
        "another department's task is refused"
    );
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("task `intake`") && stderr.contains("belongs to department `window`"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let after = node.state(&case);
    assert_eq!(after.version, before, "a refusal changes nothing");
    assert!(matches!(
        status(&after, "intake"),
        TaskStatus::Claimed { .. }
    ));

    let approve = run(worker(&server, "window", "officer-w", START).args([
        "approve",
        "--case",
        case.as_str(),
        "--task",
        "intake",
    ]));
    assert!(approve.status.success(), "{}", text(&approve.stderr));
    assert!(
        text(&approve.stdout).contains("已批准 Approved"),
        "{}",
        text(&approve.stdout)
    );
    let state = node.state(&case);
    assert!(matches!(
        status(&state, "intake"),
        TaskStatus::Approved { by, .. } if by.as_str() == "officer-w"
    ));
    assert!(matches!(status(&state, "s1-t1"), TaskStatus::Ready));
    assert!(matches!(status(&state, "s1-t2"), TaskStatus::Ready));
}

#[test]
fn a_worker_killed_with_a_lease_loses_the_task_to_the_next_worker_and_every_task_is_approved_once()
{
    let server = RedisServer::start();
    let node = Node::start(&server);
    let case = node.launch();

    // The window takes the intake, so both parallel tasks are dispatched.
    let intake = run(worker(&server, "window", "window-1", START).args([
        "--json",
        "run",
        "--max",
        "1",
        "--idle-exit-secs",
        "60",
    ]));
    assert!(intake.status.success(), "{}", text(&intake.stderr));
    assert!(text(&intake.stdout).contains(r#""event":"approved""#));

    // A dept-1 worker claims s1-t1 on a one-second lease and thinks for ten minutes,
    // renewing its lease; it is killed while it holds the task.
    let mut crashing = worker(&server, "dept-1", "crashing", START)
        .args(["run", "--lease-secs", "1", "--think-ms", "600000"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the worker starts");
    eventually(
        "the crashing worker claims s1-t1",
        || {},
        || {
            matches!(
                status(&node.state(&case), "s1-t1"),
                TaskStatus::Claimed { officer, .. } if officer.as_str() == "crashing"
            )
        },
    );
    crashing.kill().expect("SIGKILL");
    crashing.wait().expect("reaped");

    // Ten minutes later the node ticks: the lease has run out, the task is back in dept-1's
    // queue. Later workers start their clocks after that, so the case's times keep order.
    node.clock.set(start() + Duration::minutes(10));
    eventually(
        "the node takes s1-t1 back",
        || node.tick(),
        || matches!(status(&node.state(&case), "s1-t1"), TaskStatus::Ready),
    );
    let later = (start() + Duration::minutes(11)).to_rfc3339();
    let departments = [
        ("dept-1", "steady-1"),
        ("dept-2", "steady-2"),
        ("window", "window-2"),
    ];
    let children: Vec<_> = departments
        .iter()
        .map(|(department, officer)| {
            worker(&server, department, officer, &later)
                .args(["--json", "run", "--max", "1", "--idle-exit-secs", "60"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("a worker starts")
        })
        .collect();
    for ((department, _), child) in departments.iter().zip(children) {
        let output = child.wait_with_output().expect("the worker ends");
        assert!(
            output.status.success(),
            "{department}: {}",
            text(&output.stderr)
        );
        assert!(
            text(&output.stdout).contains(r#""approved":1"#),
            "{department} approved one task: {}",
            text(&output.stdout)
        );
    }

    let events = node.events(&case);
    for task in ["intake", "s1-t1", "s1-t2", "issue"] {
        let approvals = events
            .iter()
            .filter(
                |r| matches!(&r.event, Event::TaskApproved { task: t, .. } if t.as_str() == task),
            )
            .count();
        assert_eq!(approvals, 1, "{task} approved exactly once");
    }
    let expired = events
        .iter()
        .filter(
            |r| matches!(&r.event, Event::LeaseExpired { task, .. } if task.as_str() == "s1-t1"),
        )
        .count();
    assert_eq!(expired, 1, "the crashed worker's lease expired once");
    let state = replay(&events).expect("the case is launched");
    assert!(
        matches!(status(&state, "s1-t1"), TaskStatus::Approved { by, .. } if by.as_str() == "steady-1")
    );
    assert!(
        matches!(state.status, CaseStatus::Completed { .. }),
        "{:?}",
        state.status
    );
}

#[test]
fn a_worker_stopped_by_sigterm_while_it_thinks_gives_its_task_back_at_once() {
    let server = RedisServer::start();
    let node = Node::start(&server);
    let case = node.launch();

    // The window worker claims the intake and thinks for ten minutes; SIGTERM stops it
    // between two commands, and it gives the task back itself (no tick needed).
    let thinking = worker(&server, "window", "thinking", START)
        .args(["--json", "run", "--think-ms", "600000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the worker starts");
    eventually(
        "the worker claims the intake",
        || {},
        || {
            matches!(
                status(&node.state(&case), "intake"),
                TaskStatus::Claimed { officer, .. } if officer.as_str() == "thinking"
            )
        },
    );
    let pid = thinking.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success());
    let output = thinking.wait_with_output().expect("the worker ends");
    let stdout = text(&output.stdout);
    assert!(!output.status.success(), "an interrupted run says so");
    assert!(
        text(&output.stderr).contains("interrupted; 1 task(s) given back"),
        "{}",
        text(&output.stderr)
    );
    assert!(stdout.contains(r#""event":"released""#), "{stdout}");
    assert!(stdout.contains(r#""approved":0"#), "{stdout}");
    assert!(matches!(
        status(&node.state(&case), "intake"),
        TaskStatus::Ready
    ));
}

#[test]
fn a_worker_outside_a_project_folder_says_where_calendars_belong() {
    let empty = tempfile::tempdir().unwrap();
    let output = run(Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .arg("--root")
        .arg(empty.path())
        .args([
            "worker",
            "--redis",
            "redis://127.0.0.1:1/",
            "--department",
            "window",
            "inbox",
        ]));
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("no calendar under") && stderr.contains("--root"),
        "{stderr}"
    );
}

#[test]
fn dates_counted_into_the_provisional_2027_are_marked() {
    // Monday 2026-12-28: intake today, then 5 working days that end in 2027, which the
    // shipped calendar holds only provisionally.
    const LATE: &str = "2026-12-28T01:00:00Z";
    let server = RedisServer::start();
    let node = Node::start(&server);
    node.clock.set(LATE.parse().unwrap());
    let case = node.launch();

    let next = run(worker(&server, "window", "officer-w", LATE).args(["--json", "next"]));
    assert!(next.status.success(), "{}", text(&next.stderr));
    let claimed: serde_json::Value = serde_json::from_slice(&next.stdout).expect("JSON");
    assert_eq!(claimed["task"], "intake", "{claimed}");
    assert_eq!(claimed["committed_due"], "2026-12-28");
    assert_eq!(claimed["committed_due_provisional"], false);
    assert!(claimed["promised_completion"]
        .as_str()
        .is_some_and(|d| d.starts_with("2027-")));
    assert_eq!(claimed["promised_completion_provisional"], true);
    let approve = run(worker(&server, "window", "officer-w", LATE).args([
        "approve",
        "--case",
        case.as_str(),
        "--task",
        "intake",
    ]));
    assert!(approve.status.success(), "{}", text(&approve.stderr));

    let inbox = run(worker(&server, "dept-2", "officer-2", LATE).arg("inbox"));
    assert!(inbox.status.success(), "{}", text(&inbox.stderr));
    let inbox = text(&inbox.stdout);
    assert!(inbox.contains("（暂定 provisional）"), "{inbox}");
    let next = run(worker(&server, "dept-1", "officer-1", LATE).arg("next"));
    assert!(next.status.success(), "{}", text(&next.stderr));
    let shown = text(&next.stdout);
    let due = shown
        .lines()
        .find(|l| l.contains("Committed due"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(
        due.contains("2027-") && due.ends_with("（暂定 provisional）"),
        "{shown}"
    );
    let promised = shown.lines().find(|l| l.contains("Promised")).unwrap();
    assert!(promised.ends_with("（暂定 provisional）"), "{shown}");
}
