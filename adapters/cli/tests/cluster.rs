//! The binary on a Redis Cluster: three masters the test starts itself (the Redis
//! adapter's test support), `greenlane serve --redis-cluster` taking a case from launch to
//! issuance with `greenlane worker --redis-cluster` deciding every task, then `demo` and
//! `bench` on the same cluster under prefixes of their own.

#[path = "../../redis/tests/support/mod.rs"]
mod support;

mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{ok, serve_command, Server, ROOT};
use support::RedisCluster;
const START: &str = "2026-03-02T01:00:00Z";

fn greenlane(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args(["--root", ROOT])
        .args(args)
        .current_dir(ROOT)
        .stdin(Stdio::null())
        .output()
        .expect("greenlane runs")
}

fn serve(nodes: &str) -> Server {
    let mut command = serve_command();
    command
        .args(["--redis-cluster", nodes, "--redis-prefix", "glc"])
        .args(["--clock-start", START]);
    Server::spawn(command)
}

#[test]
fn serve_worker_demo_and_bench_run_on_a_three_master_cluster() {
    let cluster = RedisCluster::start(3);
    let nodes = cluster.urls().join(",");
    let server = serve(&nodes);
    let launched = server.client(
        "coordinator-city",
        &[
            "launch",
            "--workflow",
            "enterprise-registration",
            "--application",
            "examples/applications/enterprise-registration-limited-company.json",
            "--json",
        ],
    );
    let launched: serde_json::Value = serde_json::from_str(&launched).unwrap();
    let case = launched["case"].as_str().unwrap().to_string();

    // Each ready task is taken and approved by a worker of its department on the cluster.
    let started = Instant::now();
    let mut approved = 0;
    loop {
        let shown = server.client("coordinator-city", &["case", &case, "--json"]);
        let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
        if shown["status"]["state"] == "completed" {
            break;
        }
        assert_eq!(shown["status"]["state"], "open", "{shown}");
        let ready: Vec<String> = shown["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["state"] == "ready")
            .map(|t| t["department"].as_str().unwrap().to_string())
            .collect();
        for department in ready {
            let officer = format!("officer-{department}");
            let output = greenlane(&[
                "worker",
                "--redis-cluster",
                &nodes,
                "--redis-prefix",
                "glc",
                "--department",
                &department,
                "--officer",
                &officer,
                "--clock-start",
                START,
                "--json",
                "run",
                "--max",
                "1",
                "--idle-exit-secs",
                "10",
            ]);
            let log = String::from_utf8_lossy(&output.stderr).into_owned();
            let ran = ok(output);
            assert!(
                ran.contains(r#""event":"approved""#),
                "{department} after {approved} approvals: {ran}{log}"
            );
            approved += 1;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the case completes"
        );
    }
    assert!(approved >= 3, "{approved} tasks approved by workers");
    let issued = server
        .http(
            "POST",
            &format!("/api/v1/cases/{case}/issue"),
            Some("coordinator-city"),
        )
        .unwrap();
    assert!(
        issued.starts_with("HTTP/1.1 200") || issued.starts_with("HTTP/1.0 200"),
        "{issued}"
    );
    let shown = server.client("coordinator-city", &["case", &case, "--json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["status"]["state"], "issued");
    drop(server);

    let demo = ok(greenlane(&[
        "demo",
        "--redis-cluster",
        &nodes,
        "--cases",
        "4",
        "--days",
        "3",
        "--format",
        "json",
    ]));
    let demo: serde_json::Value = serde_json::from_str(&demo).unwrap();
    assert_eq!(demo["backend"], "redis", "{demo}");

    let bench = ok(greenlane(&[
        "bench",
        "--backend",
        "redis",
        "--redis-cluster",
        &nodes,
        "--workload",
        "A",
        "--cases",
        "200",
        "--json",
    ]));
    let bench: serde_json::Value = serde_json::from_str(&bench).unwrap();
    assert!(
        bench["redis"]["commands_per_task"].as_f64().unwrap() > 1.0,
        "Redis's counters are summed over the masters: {bench}"
    );
}
