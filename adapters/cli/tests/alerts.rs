//! Alerts that reach people, across a crash. A webhook receiver of the test's own checks
//! each call's HMAC signature, refuses 30 % of calls (503) and holds 10 % past the
//! channel's timeout (after processing them, as a slow receiver would), and processes each
//! delivery id once. `greenlane serve` on a SQLite file launches cases on 2 March; a
//! second start three months later raises warnings, yellow and red cards and at-risk
//! notices at its first tick and is killed with SIGKILL once deliveries have begun; a third
//! start finishes them. Every alert recorded in the file reaches the receiver, each
//! delivery is processed once, nothing is left pending or dead.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use common::{serve_command, Server};

const SECRET: &str = "a-test-webhook-secret-of-32-bytes";

/// What the receiver saw.
#[derive(Default)]
struct Receiver {
    calls: AtomicUsize,
    refused: AtomicUsize,
    held: AtomicUsize,
    repeats: AtomicUsize,
    bad: AtomicUsize,
    /// Delivery ids processed, each once.
    processed: Mutex<BTreeSet<String>>,
    /// The receiver's own generator (xorshift), so the test's failures are the same on
    /// every run.
    rng: AtomicU64,
}

impl Receiver {
    fn roll(&self) -> u64 {
        let mut x = self.rng.load(Ordering::SeqCst);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.store(x, Ordering::SeqCst);
        x % 100
    }
}

async fn hook(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    receiver.calls.fetch_add(1, Ordering::SeqCst);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let signed = greenlane_alerts::webhook::verify(
        SECRET.as_bytes(),
        &header("X-Greenlane-Timestamp"),
        &header("X-Greenlane-Signature"),
        &body,
        now,
        300,
    );
    let id = header("Idempotency-Key");
    let document: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if !signed || id.is_empty() || document["id"] != id.as_str() {
        receiver.bad.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    }
    let roll = receiver.roll();
    if roll < 30 {
        receiver.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    if !receiver.processed.lock().unwrap().insert(id) {
        receiver.repeats.fetch_add(1, Ordering::SeqCst);
    }
    if roll < 40 {
        // Processed, then answered after the sender gave up: it sends the id again.
        receiver.held.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    StatusCode::OK
}

/// Starts the receiver on a free port of its own thread; answers the port.
fn start_receiver(receiver: Arc<Receiver>) -> u16 {
    let (sender, port) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender.send(listener.local_addr().unwrap().port()).unwrap();
            let app = axum::Router::new()
                .route("/hook", axum::routing::post(hook))
                .with_state(receiver);
            axum::serve(listener, app).await.unwrap();
        });
    });
    port.recv().unwrap()
}

fn start(db: &Path, alerts: &Path, clock_start: &str) -> Server {
    let mut command = serve_command();
    command
        .arg("--db")
        .arg(db)
        .arg("--alerts")
        .arg(alerts)
        .args(["--clock-start", clock_start])
        .env("GREENLANE_TEST_WEBHOOK_SECRET", SECRET);
    Server::spawn(command)
}

/// The outbox's pending deliveries, as `/metrics` says.
fn pending(server: &Server) -> Option<u64> {
    let answer = server.http("GET", "/metrics", None).ok()?;
    answer
        .lines()
        .find_map(|l| l.strip_prefix("greenlane_outbox_deliveries{state=\"pending\"} "))
        .and_then(|n| n.trim().parse().ok())
}

fn sqlite(db: &Path, sql: &str) -> Vec<String> {
    let output = Command::new("sqlite3").arg(db).arg(sql).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn every_alert_reaches_a_flaky_webhook_once_across_a_kill_9() {
    let receiver = Arc::new(Receiver {
        rng: AtomicU64::new(0x9e37_79b9_7f4a_7c15),
        ..Receiver::default()
    });
    let port = start_receiver(receiver.clone());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let alerts = dir.path().join("alerts.yaml");
    std::fs::write(
        &alerts,
        format!(
            concat!(
                "channels:\n",
                "  - name: hook\n",
                "    kind: webhook\n",
                "    url: http://127.0.0.1:{port}/hook\n",
                "    secret_env: GREENLANE_TEST_WEBHOOK_SECRET\n",
                "    timeout_seconds: 1\n",
                "routes:\n",
                "  - {{ to: any, channels: [hook] }}\n",
                "retry: {{ max_attempts: 25, base_seconds: 1, cap_seconds: 2, lease_seconds: 3 }}\n",
            ),
            port = port
        ),
    )
    .unwrap();

    // Monday 2 March 2026, 09:00 in Shanghai: ten cases, their intake approved.
    let server = start(&db, &alerts, "2026-03-02T01:00:00Z");
    for _ in 0..10 {
        server.client(
            "coordinator-city",
            &[
                "launch",
                "--workflow",
                "enterprise-registration",
                "--application",
                "examples/applications/enterprise-registration-limited-company.json",
            ],
        );
        let claimed = server.client(
            "officer-service-center",
            &["claim", "--next", "service-center", "--json"],
        );
        let claimed: serde_json::Value = serde_json::from_str(&claimed).unwrap();
        let case = claimed["case"].as_str().unwrap().to_string();
        server.client("officer-service-center", &["approve", &case, "intake"]);
    }
    server.stop();

    // Three months on: every open task is past its limits at the first tick. Killed once
    // deliveries have begun, most of them still in the outbox.
    let server = start(&db, &alerts, "2026-06-01T01:00:00Z");
    wait_until("the first deliveries", Duration::from_secs(60), || {
        receiver.calls.load(Ordering::SeqCst) >= 3
    });
    server.kill_9();

    let server = start(&db, &alerts, "2026-06-01T01:05:00Z");
    wait_until("the outbox emptied", Duration::from_secs(180), || {
        pending(&server) == Some(0)
    });
    server.stop();

    let alerted: BTreeSet<String> = sqlite(
        &db,
        "SELECT case_id || '#' || seq FROM events \
         WHERE json LIKE '%\"alert_raised\"%' OR json LIKE '%\"case_at_risk\"%'",
    )
    .into_iter()
    .collect();
    assert!(alerted.len() >= 30, "alerts were raised: {}", alerted.len());
    let stored: BTreeSet<String> =
        sqlite(&db, "SELECT id FROM deliveries WHERE state = 'delivered'")
            .into_iter()
            .collect();
    assert_eq!(
        sqlite(
            &db,
            "SELECT count(*) FROM deliveries WHERE state <> 'delivered'"
        ),
        ["0"],
        "nothing pending, nothing dead"
    );
    let processed = receiver.processed.lock().unwrap().clone();
    assert_eq!(
        processed, stored,
        "the receiver processed every delivery the store sent"
    );
    let reached: BTreeSet<String> = processed
        .iter()
        .map(|id| id.split('/').next().unwrap().to_string())
        .collect();
    assert_eq!(
        reached, alerted,
        "every alert recorded reached the receiver"
    );
    assert_eq!(
        receiver.bad.load(Ordering::SeqCst),
        0,
        "every call was signed"
    );
    let (calls, refused, held, repeats) = (
        receiver.calls.load(Ordering::SeqCst),
        receiver.refused.load(Ordering::SeqCst),
        receiver.held.load(Ordering::SeqCst),
        receiver.repeats.load(Ordering::SeqCst),
    );
    assert!(
        refused > 0 && held > 0,
        "the receiver misbehaved: {refused} refused, {held} held"
    );
    assert!(
        repeats >= held,
        "held calls were sent again and dropped as repeats: {repeats} of {held}"
    );
    assert!(
        calls > processed.len(),
        "{calls} calls for {} deliveries",
        processed.len()
    );
    eprintln!(
        "{} alerts, {} deliveries, {calls} calls: {refused} refused, {held} held past the timeout, {repeats} repeats dropped",
        alerted.len(),
        processed.len()
    );
}
