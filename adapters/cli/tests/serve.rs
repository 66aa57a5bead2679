//! `greenlane serve` and the client commands end to end: the server starts on a free port
//! (in memory, its clock at Monday 2026-03-02 09:00 in Shanghai), a coordinator launches
//! with `greenlane launch`, the window officer reads the inbox, claims and approves, a
//! supervisor reads the KPIs, policy staff roll back; then SIGTERM stops the server cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start() -> Server {
        Server::start_at("2026-03-02T01:00:00Z")
    }

    /// A server whose clock starts at `clock_start`.
    fn start_at(clock_start: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_greenlane"))
            .args([
                "serve",
                "--memory",
                "--listen",
                "127.0.0.1:0",
                "--principals",
                "examples/principals.yaml",
                "--clock-start",
                clock_start,
            ])
            .current_dir(ROOT)
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            let line = lines.next().expect("the server logs its address").unwrap();
            if let Some(at) = line.find("address=") {
                break format!("http://{}", line[at + "address=".len()..].trim());
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, url }
    }

    fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        self.child.wait().unwrap()
    }
}

fn client(server: &Server, who: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args(["--server", &server.url, "--token", &format!("demo-{who}")])
        .args(args)
        .current_dir(ROOT)
        .output()
        .expect("the client runs")
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

#[test]
fn the_client_drives_a_served_center_and_sigterm_stops_it() {
    let server = Server::start();
    let launched = ok(client(
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
    ));
    let launched: serde_json::Value = serde_json::from_str(&launched).unwrap();
    let case = launched["case"].as_str().unwrap();
    assert_eq!(launched["access_code"].as_str().unwrap().len(), 6);

    let cases = ok(client(
        &server,
        "coordinator-city",
        &["cases", "--state", "open"],
    ));
    assert!(
        cases.contains(case) && cases.contains("enterprise-registration v1"),
        "{cases}"
    );
    let inbox = ok(client(
        &server,
        "officer-service-center",
        &["inbox", "service-center"],
    ));
    assert!(inbox.contains("intake"), "{inbox}");
    let claimed = ok(client(
        &server,
        "officer-service-center",
        &["claim", "--next", "service-center"],
    ));
    assert!(
        claimed.contains("已认领 claimed") && claimed.contains(case),
        "{claimed}"
    );
    let approved = ok(client(
        &server,
        "officer-service-center",
        &["approve", case, "intake"],
    ));
    assert!(approved.contains("task_approved"), "{approved}");
    let shown = ok(client(&server, "coordinator-city", &["case", case]));
    assert!(
        shown.contains("name-check") && shown.contains("approved"),
        "{shown}"
    );
    let asked = ok(client(
        &server,
        "officer-market-regulation",
        &["claim", case, "name-check"],
    ));
    assert!(asked.contains("name-check"), "{asked}");
    let supplement = ok(client(
        &server,
        "officer-market-regulation",
        &[
            "supplement",
            case,
            "name-check",
            "--material",
            "章程 articles",
            "--material",
            "住所证明 address",
        ],
    ));
    assert!(supplement.contains("supplement_requested"), "{supplement}");

    let kpis = ok(client(&server, "supervisor-city", &["kpis"]));
    assert!(kpis.contains("即办件比重"), "{kpis}");
    let alerts = ok(client(&server, "supervisor-city", &["alerts", "--open"]));
    assert!(alerts.contains("红牌 red 0"), "{alerts}");
    let rollback = ok(client(
        &server,
        "policy-city",
        &["rollback", "enterprise-registration", "--to", "1"],
    ));
    assert!(
        rollback.contains("v2") && rollback.contains("same as the version before"),
        "{rollback}"
    );

    // Refusals are readable and exit non-zero.
    let refused = client(&server, "coordinator-city", &["kpis"]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("403") && message.contains("supervision:read"),
        "{message}"
    );
    let no_server = Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args(["cases"])
        .env_remove("GREENLANE_SERVER")
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&no_server.stderr).contains("--server URL"));

    let status = server.stop();
    assert!(status.success(), "a clean stop on SIGTERM: {status}");
}

#[test]
fn dates_counted_into_the_provisional_2027_are_marked() {
    // Sunday 2026-12-20: an industrial project's 40+ working days run into 2027, which the
    // shipped calendar holds only provisionally.
    let server = Server::start_at("2026-12-20T01:00:00Z");
    let launched = ok(client(
        &server,
        "coordinator-city",
        &[
            "launch",
            "--workflow",
            "industrial-project",
            "--application",
            "examples/applications/industrial-project-chemical-plant.json",
        ],
    ));
    let promised = launched
        .lines()
        .find(|l| l.starts_with("承诺办结 promised"))
        .unwrap_or_else(|| panic!("{launched}"));
    assert!(
        promised.contains("2027-") && promised.ends_with("（暂定 provisional）"),
        "{launched}"
    );
    let case = launched
        .lines()
        .find_map(|l| l.strip_prefix("案件 case"))
        .unwrap()
        .trim()
        .to_string();
    let cases = ok(client(&server, "coordinator-city", &["cases"]));
    assert!(cases.contains("暂定 provisional"), "{cases}");
    ok(client(
        &server,
        "officer-service-center",
        &["claim", &case, "intake"],
    ));
    ok(client(
        &server,
        "officer-service-center",
        &["approve", &case, "intake"],
    ));
    let shown = ok(client(&server, "coordinator-city", &["case", &case]));
    let header = shown.lines().nth(1).unwrap();
    assert!(
        header.matches("（暂定 provisional）").count() == 2,
        "promised and projected: {shown}"
    );
    let pre_review = shown
        .lines()
        .find(|l| l.contains("land-pre-review"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(pre_review.contains("暂定 provisional"), "{shown}");
    let inbox = ok(client(
        &server,
        "officer-natural-resources",
        &["inbox", "natural-resources"],
    ));
    assert!(inbox.contains("暂定 provisional"), "{inbox}");
    assert!(server.stop().success());
}
