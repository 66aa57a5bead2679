//! The `greenlane` binary end to end: check, plan in every format, calendar arithmetic.

use std::process::{Command, Output};

fn greenlane(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn check_passes_on_the_shipped_definitions_with_one_line_per_workflow() {
    let output = greenlane(&["check"]);
    assert!(output.status.success(), "{}", stdout(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("ok  workflows/industrial-project.yaml"),
        "{text}"
    );
    assert!(
        text.contains("ok  workflows/enterprise-registration.yaml"),
        "{text}"
    );
}

#[test]
fn check_reports_every_problem_and_exits_1() {
    let output = greenlane(&["check", "tests/corpus/bad/many-problems.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.lines().count() >= 5, "{text}");
    for line in text.lines() {
        let mut parts = line.splitn(4, ':');
        assert_eq!(
            parts.next(),
            Some("tests/corpus/bad/many-problems.yaml"),
            "{line}"
        );
        assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{line}");
        assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{line}");
    }
}

#[test]
fn plan_json_has_the_documented_fields() {
    let output = greenlane(&[
        "plan",
        "--workflow",
        "industrial-project",
        "--application",
        "examples/applications/industrial-project-chemical-plant.json",
        "--start",
        "2026-03-02",
        "--format",
        "json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    for field in [
        "workflow",
        "start",
        "duration_working_days",
        "promised_completion",
        "critical_path",
        "tasks",
    ] {
        assert!(plan.get(field).is_some(), "missing {field}");
    }
    let task = &plan["tasks"][0];
    for field in [
        "id",
        "department",
        "kind",
        "committed_days",
        "statutory_days",
        "needs",
        "earliest_start",
        "earliest_finish",
        "latest_start",
        "latest_finish",
        "float",
        "critical",
        "due",
    ] {
        assert!(task.get(field).is_some(), "task misses {field}");
    }
    // The hazardous chemicals rule adds the safety review.
    let ids: Vec<&str> = plan["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"safety-conditions-review"));
}

#[test]
fn plan_draws_dot_and_mermaid_with_the_critical_path() {
    for (format, marker) in [("dot", "color=red"), ("mermaid", "class ")] {
        let output = greenlane(&[
            "plan",
            "--workflow",
            "workflows/enterprise-registration.yaml",
            "--application",
            "examples/applications/enterprise-registration-limited-company.json",
            "--start",
            "2026-02-13",
            "--format",
            format,
        ]);
        assert!(output.status.success(), "{format}");
        assert!(
            stdout(&output).contains(marker),
            "{format}: {}",
            stdout(&output)
        );
    }
}

#[test]
fn calendar_add_and_between_follow_the_convention() {
    let add = greenlane(&[
        "calendar",
        "add",
        "--calendar",
        "cn",
        "--date",
        "2026-09-30",
        "--days",
        "1",
    ]);
    assert_eq!(stdout(&add).trim(), "2026-10-08");
    let between = greenlane(&[
        "calendar",
        "between",
        "--calendar",
        "cn",
        "--from",
        "2026-02-13",
        "--to",
        "2026-02-24",
    ]);
    assert_eq!(stdout(&between).trim(), "2");
    // Into 2027, which the cn calendar holds provisionally: an answer, marked on stderr.
    let provisional = greenlane(&["calendar", "add", "--date", "2026-12-28", "--days", "10"]);
    assert!(provisional.status.success());
    assert!(stdout(&provisional).trim().starts_with("2027-01-"));
    assert!(String::from_utf8_lossy(&provisional.stderr).contains("暂定 provisional"));
    let outside = greenlane(&["calendar", "add", "--date", "2027-12-28", "--days", "10"]);
    assert!(!outside.status.success());
    assert!(String::from_utf8_lossy(&outside.stderr).contains("2028-01-01 is outside it"));
}

#[test]
fn an_unknown_workflow_is_a_clear_error() {
    let output = greenlane(&[
        "plan",
        "--workflow",
        "no-such-workflow",
        "--application",
        "examples/applications/industrial-project-chemical-plant.json",
        "--start",
        "2026-03-02",
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no workflow `no-such-workflow`"));
}
