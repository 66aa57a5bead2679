//! A store outage as a real process sees it: `greenlane serve --redis` started while its
//! `redis-server` is down waits for it (logging each try) instead of exiting, and serves
//! once it is up; when the server is killed (SIGKILL) under a running node, every request
//! that needs the store answers 503 with `Retry-After` as problem+json, never 500, and
//! `/readyz` is 503; once the server is back (it reloads its AOF, `appendfsync always`) the
//! node answers again and the case it acknowledged before the outage is all there.
//!
//! HTTP calls go through `curl`, as an operator's would.

#[path = "../../redis/tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// A `greenlane serve --redis` process and the lines it logs.
struct Node {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Node {
    fn spawn(redis: &str) -> Node {
        let mut child = Command::new(env!("CARGO_BIN_EXE_greenlane"))
            .args(["serve", "--redis", redis, "--redis-prefix", "outage-test"])
            .args(["--listen", "127.0.0.1:0"])
            .args(["--principals", "examples/principals.yaml"])
            .current_dir(ROOT)
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .expect("the node starts");
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        Node { child, lines }
    }

    /// Whether the process is still running.
    fn child_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The first logged line containing `text`, within `wait`.
    fn logged(&self, text: &str, wait: Duration) -> Option<String> {
        let until = Instant::now() + wait;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: status, headers (lower-case names) and body.
struct Answer {
    status: u16,
    headers: String,
    body: serde_json::Value,
}

fn call(base: &str, who: &str, method: &str, path: &str, body: Option<&str>) -> Answer {
    let mut command = Command::new("curl");
    command
        .args(["-s", "-D", "-", "-X", method, "--max-time", "20"])
        .args(["-H", &format!("Authorization: Bearer demo-{who}")])
        .arg(format!("{base}{path}"));
    if let Some(body) = body {
        command
            .args(["-H", "Content-Type: application/json"])
            .args(["--data-binary", body]);
    }
    let output = command.output().expect("curl runs");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        headers: head.to_ascii_lowercase(),
        body: serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    }
}

fn launch_body() -> String {
    let application = std::fs::read_to_string(format!(
        "{ROOT}/examples/applications/enterprise-registration-limited-company.json"
    ))
    .unwrap();
    format!(r#"{{"workflow":"enterprise-registration","application":{application}}}"#)
}

#[test]
fn a_node_waits_for_redis_and_answers_503_while_it_is_down() {
    let mut redis = support::RedisServer::start();
    redis.kill();

    // Started with Redis down, the node waits and says so; it does not exit.
    let mut node = Node::spawn(&redis.url());
    assert!(
        node.logged("Redis cannot be reached yet", Duration::from_secs(20))
            .is_some(),
        "the node logs that it waits for Redis"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        node.child_alive(),
        "the node waits for Redis instead of exiting"
    );
    redis.restart();
    let line = node
        .logged("address=", Duration::from_secs(60))
        .expect("the node serves once Redis is up");
    let base = format!(
        "http://{}",
        line[line.find("address=").unwrap() + "address=".len()..].trim()
    );
    let launched = call(
        &base,
        "coordinator-city",
        "POST",
        "/api/v1/cases",
        Some(&launch_body()),
    );
    assert_eq!(launched.status, 201, "{}", launched.body);
    let case = launched.body["case"].as_str().unwrap().to_string();

    // Redis dies: what needs the store is 503 with Retry-After, never 500.
    redis.kill();
    let requests: [(&str, String, Option<String>); 4] = [
        ("GET", format!("/api/v1/cases/{case}"), None),
        ("POST", "/api/v1/cases".to_string(), Some(launch_body())),
        ("GET", "/api/v1/cases".to_string(), None),
        ("GET", "/readyz".to_string(), None),
    ];
    for round in 0..3 {
        for (method, path, body) in &requests {
            let answer = call(&base, "coordinator-city", method, path, body.as_deref());
            assert_eq!(
                answer.status, 503,
                "round {round}: {method} {path} answered {}: {}",
                answer.status, answer.body
            );
            assert!(
                answer.headers.contains("retry-after:"),
                "{method} {path}: {}",
                answer.headers
            );
            assert!(answer
                .headers
                .contains("content-type: application/problem+json"));
            assert_eq!(answer.body["type"], "urn:greenlane:problem:unavailable");
        }
    }
    // The process itself still answers.
    assert_eq!(
        call(&base, "coordinator-city", "GET", "/healthz", None).status,
        200
    );

    // Redis is back with its AOF: the node answers again and the case is all there.
    redis.restart();
    let started = Instant::now();
    let view = loop {
        let answer = call(
            &base,
            "coordinator-city",
            "GET",
            &format!("/api/v1/cases/{case}"),
            None,
        );
        if answer.status == 200 {
            break answer.body;
        }
        assert_eq!(answer.status, 503, "{}", answer.body);
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the node did not recover"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(view["case"], case.as_str());
    assert!(view["tasks"].as_array().unwrap().len() >= 6, "{view}");
    assert_eq!(
        call(&base, "coordinator-city", "GET", "/readyz", None).status,
        200
    );
}
