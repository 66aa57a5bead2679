//! `greenlane bench --backend redis` against a `redis-server` this test starts itself
//! (the Redis adapter's test support), on a small run: every case completes and the run
//! reports Redis's commands, requests and CPU per task, the server's AOF settings and how
//! long a published version took to reach another node; with
//! `--nodes 2`, two engine nodes share the server and prefix and every task is done once.

#[path = "../../redis/tests/support/mod.rs"]
mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the two-node run may take before the test calls it stuck.
const DEADLINE: Duration = Duration::from_secs(120);

#[test]
fn bench_on_redis_completes_and_reports_redis_figures() {
    let server = support::RedisServer::start();
    let output = Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args(["bench", "--backend", "redis", "--redis", &server.url()])
        .args([
            "--workload",
            "A",
            "--cases",
            "20",
            "--workers",
            "2",
            "--json",
        ])
        .output()
        .expect("greenlane runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["backend"], "redis");
    assert_eq!(report["tasks"], 200, "20 cases of 10 tasks: {report}");
    assert!(report["durability"]
        .as_str()
        .unwrap()
        .contains("appendfsync=\"always\""));
    let redis = &report["redis"];
    assert!(
        redis["commands_per_task"].as_f64().unwrap() > 1.0,
        "{redis}"
    );
    // Can be below one (the appends of cases waiting together share a request), but every
    // request runs at least one command, and each script several.
    let requests = redis["requests_per_task"].as_f64().unwrap();
    assert!(
        requests > 0.0 && requests < redis["commands_per_task"].as_f64().unwrap(),
        "{redis}"
    );
    assert!(
        redis["publish_reach"]["max_ms"].as_f64().unwrap() > 0.0,
        "a published version timed until another node saw it: {redis}"
    );
}

#[test]
fn two_nodes_on_one_redis_complete_every_task() {
    let server = support::RedisServer::start();
    let mut child = Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args(["bench", "--backend", "redis", "--redis", &server.url()])
        .args(["--workload", "A", "--cases", "30", "--workers", "4"])
        .args(["--nodes", "2", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("greenlane runs");
    // A task lost between the nodes would keep the run waiting for ever: give up (and say
    // so) after a deadline far beyond the second or so the run takes.
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("two nodes did not finish 30 cases in {DEADLINE:?}: a task was lost");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("output");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["nodes"], 2, "{report}");
    assert_eq!(report["cases"], 30, "{report}");
    assert_eq!(
        report["tasks"], 300,
        "30 cases of 10 tasks, each approved once: {report}"
    );
}
