//! `greenlane bench --backend redis` against a `redis-server` this test starts itself
//! (the Redis adapter's test support), on a small run: every case completes and the run
//! reports Redis's commands, requests and CPU per task and the server's AOF settings.

#[path = "../../redis/tests/support/mod.rs"]
mod support;

use std::process::Command;

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
    assert!(
        redis["requests_per_task"].as_f64().unwrap() > 1.0,
        "{redis}"
    );
}
