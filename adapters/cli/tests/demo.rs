//! `greenlane demo` end to end: the simulated service center runs, reports the KPI board,
//! its counts add up, and the seed alone decides the output — on SQLite, in memory and on
//! a Redis server the test starts itself (the Redis adapter's test support).

#[path = "../../redis/tests/support/mod.rs"]
mod support;

use std::process::{Command, Output};

fn greenlane(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// A small center: 24 cases over 4 working days.
fn demo(extra: &[&str]) -> String {
    let mut args = vec!["demo", "--cases", "24", "--days", "4"];
    args.extend_from_slice(extra);
    stdout(&greenlane(&args))
}

#[test]
fn demo_text_shows_the_timeline_the_alerts_and_the_kpi_board() {
    let text = demo(&[]);
    for needle in [
        "时间线 Timeline",
        "受理 launched",
        "enterprise-registration",
        "industrial-project",
        "预警 warning",
        "黄牌 yellow card",
        "红牌 red card",
        "可能逾期 at risk",
        "指标 KPI",
        "目标 target",
        "按时办结率（事项） on-time rate, tasks",
        "群众满意率 satisfaction rate",
        "≥ 90 %",
        "部门 Departments",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn demo_json_counts_add_up() {
    let json: serde_json::Value = serde_json::from_str(&demo(&["--format", "json"])).unwrap();
    let count = |path: &str| -> u64 {
        json.pointer(path)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or_else(|| panic!("no count at {path}"))
    };
    let launched = count("/cases/launched");
    assert_eq!(launched, 24);
    assert_eq!(
        launched,
        count("/cases/completed")
            + count("/cases/rejected")
            + count("/cases/withdrawn")
            + count("/cases/open"),
        "every case is completed, rejected, withdrawn or still open"
    );
    assert!(count("/cases/issued") <= count("/cases/completed"));
    assert!(count("/tasks/approved") <= count("/tasks/dispatched"));
    assert!(count("/tasks/dispatched") <= count("/tasks/planned"));
    for level in ["warning", "yellow", "red"] {
        assert_eq!(
            count(&format!("/alerts/{level}")),
            count(&format!("/kpis/overall/alerts/{level}")),
            "{level}: delivered = recorded"
        );
    }
    assert_eq!(count("/kpis/overall/cases/launched"), launched);
    let workflows = json["workflows"].as_array().unwrap();
    assert_eq!(workflows.len(), 2, "both shipped workflows are published");
    let per_workflow: u64 = workflows.iter().map(|w| w["cases"].as_u64().unwrap()).sum();
    assert_eq!(per_workflow, launched);
    let measures = json["kpis"]["overall"]["measures"].as_array().unwrap();
    assert!(measures.iter().any(|m| m["kpi"] == "case_on_time_rate"));
}

#[test]
fn the_same_seed_prints_the_same_bytes_and_another_seed_does_not() {
    for format in ["text", "json"] {
        let first = demo(&["--seed", "7", "--format", format]);
        let again = demo(&["--seed", "7", "--format", format]);
        assert_eq!(first, again, "{format}: same seed, same output");
        let other = demo(&["--seed", "8", "--format", format]);
        assert_ne!(first, other, "{format}: another seed, another run");
    }
}

#[test]
fn demo_refuses_what_it_cannot_do() {
    let holiday = greenlane(&["demo", "--start", "2026-10-01", "--cases", "2"]);
    assert_eq!(holiday.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&holiday.stderr).contains("not a working day"));
    let existing = greenlane(&["demo", "--db", "Cargo.toml", "--cases", "2"]);
    assert_eq!(existing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&existing.stderr).contains("the file exists"));
}

#[test]
fn sqlite_and_memory_runs_tell_the_same_story_and_the_file_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let on_file = demo(&["--seed", "3", "--db", db]);
    let in_memory = demo(&["--seed", "3", "--memory"]);
    assert!(on_file.contains("backend sqlite"), "{on_file}");
    assert_eq!(
        on_file.replace("backend sqlite", "backend memory"),
        in_memory,
        "the backend changes nothing the center sees"
    );
    let recovered = greenlane(&["recover", "--db", db]);
    assert!(recovered.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&recovered.stdout).unwrap();
    assert_eq!(summary["effects_completed"], 0, "{summary}");
    assert_eq!(summary["open_cases_before"], 0, "{summary}");
}

#[test]
fn a_redis_run_tells_the_same_story_and_each_run_gets_its_own_prefix() {
    let server = support::RedisServer::start();
    let url = server.url();
    let on_redis = demo(&["--seed", "3", "--redis", &url]);
    let in_memory = demo(&["--seed", "3", "--memory"]);
    assert!(on_redis.contains("backend redis"), "{on_redis}");
    assert_eq!(
        on_redis.replace("backend redis", "backend memory"),
        in_memory,
        "the backend changes nothing the center sees"
    );
    // A second run on the same server starts a new center under a new prefix: same story.
    let again = demo(&["--seed", "3", "--redis", &url]);
    assert_eq!(again, on_redis, "a second run on the same server");
    let named = demo(&["--seed", "3", "--redis", &url, "--redis-prefix", "center-a"]);
    assert_eq!(named, on_redis, "a named prefix");
}
