//! The `greenlane` binary end to end: check (and its warning), plan in every format (and
//! its refusal of an application that does not match the declared fields), calendar
//! arithmetic.

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
fn check_warns_of_a_workflow_that_declares_no_application_fields() {
    let shipped = greenlane(&["check"]);
    let stderr = String::from_utf8_lossy(&shipped.stderr);
    assert!(
        !stderr.contains("warning"),
        "the shipped workflows declare theirs: {stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain.yaml");
    std::fs::write(
        &file,
        "id: plain\nname: 无申请字段 / No application fields\ncalendar: cn\n\
         departments:\n  - { id: office, name: 办公室 / Office }\n\
         tasks:\n  - { id: only, name: 唯一事项 / Only, department: office, kind: instant }\n",
    )
    .unwrap();
    let output = greenlane(&["check", file.to_str().unwrap()]);
    assert!(output.status.success(), "a warning is not a problem");
    assert!(stdout(&output).contains("no application fields"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("plain.yaml: the workflow declares no application fields"),
        "{stderr}"
    );
}

#[test]
fn plan_refuses_an_application_that_does_not_match_the_declared_fields() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("application.json");
    std::fs::write(&file, r#"{"investment_wan": "a lot", "colour": "green"}"#).unwrap();
    let output = greenlane(&[
        "plan",
        "--workflow",
        "industrial-project",
        "--application",
        file.to_str().unwrap(),
        "--start",
        "2026-03-02",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "application.json: applicant: 必填 required",
        "application.json: investment_wan: 应为数字 must be a number",
        "application.json: colour: 未声明的字段 undeclared field",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
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
    // Into 2027, a provisional year: answered, and said so.
    let provisional = greenlane(&["calendar", "add", "--date", "2026-12-30", "--days", "5"]);
    assert_eq!(stdout(&provisional).trim(), "2027-01-07");
    assert!(String::from_utf8_lossy(&provisional.stderr).contains("暂定 provisional"));
    let firm = greenlane(&["calendar", "add", "--date", "2026-12-01", "--days", "5"]);
    assert!(!String::from_utf8_lossy(&firm.stderr).contains("provisional"));
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

#[test]
fn recover_reads_the_project_and_has_no_drain() {
    let help = greenlane(&["recover", "--help"]);
    assert!(help.status.success());
    let text = stdout(&help);
    assert!(text.contains("--center"), "{text}");
    assert!(!text.contains("drain"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("greenlane.db");
    let db = db.to_str().unwrap();
    let elsewhere = greenlane(&["--root", "tests", "recover", "--db", db]);
    assert_eq!(elsewhere.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&elsewhere.stderr);
    assert!(stderr.contains("no calendar under"), "{stderr}");
}
