//! The binary on a Redis Cluster: three masters the test starts itself (the Redis
//! adapter's test support), `greenlane serve --redis-cluster` taking a case from launch to
//! issuance with `greenlane worker --redis-cluster` deciding every task, then `demo` and
//! `bench` on the same cluster under prefixes of their own.

#[path = "../../redis/tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::RedisCluster;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
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

fn ok(output: Output) -> String {
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(nodes: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args(["serve", "--redis-cluster", nodes, "--redis-prefix", "glc"])
        .args([
            "--listen",
            "127.0.0.1:0",
            "--principals",
            "examples/principals.yaml",
        ])
        .args(["--clock-start", START])
        .current_dir(ROOT)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the server logs its address").unwrap();
        if let Some(at) = line.find("address=") {
            break format!("http://{}", line[at + "address=".len()..].trim());
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, url }
}

fn client(server: &Server, who: &str, args: &[&str]) -> String {
    let token = format!("demo-{who}");
    let mut all = vec!["--server", &server.url, "--token", &token];
    all.extend_from_slice(args);
    ok(greenlane(&all))
}

/// POSTs an empty body to `path` as `who` (the CLI has no command for issuance).
fn post(server: &Server, path: &str, who: &str) -> String {
    use std::io::{Read, Write};
    let address = server.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.0\r\nHost: {address}\r\nAuthorization: Bearer demo-{who}\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn serve_worker_demo_and_bench_run_on_a_three_master_cluster() {
    let cluster = RedisCluster::start(3);
    let nodes = cluster.urls().join(",");
    let server = serve(&nodes);
    let launched = client(
        &server,
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
        let shown = client(&server, "coordinator-city", &["case", &case, "--json"]);
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
    let issued = post(
        &server,
        &format!("/api/v1/cases/{case}/issue"),
        "coordinator-city",
    );
    assert!(
        issued.starts_with("HTTP/1.1 200") || issued.starts_with("HTTP/1.0 200"),
        "{issued}"
    );
    let shown = client(&server, "coordinator-city", &["case", &case, "--json"]);
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
