//! Publishing while the center is open: a new version is used by the next launch while a
//! running case stays pinned to its own; a version that fails validation or a sample
//! application (or whose declared fields a sample does not match) is refused and changes
//! nothing; diff, show (with the application's fields), rollback and the dry-run plan.

mod common;

use std::sync::Arc;

use common::Fixture;
use greenlane_engine::ids::{PrincipalId, WorkflowId};
use greenlane_runtime::ports::RecordingNotifier;
use greenlane_runtime::{PublishRequest, Runtime, RuntimeConfig, RuntimeError};
use serde_json::{json, Value};

const WORKFLOW: &str = "enterprise-registration";

/// The shipped enterprise-registration YAML with the name check's committed limit changed
/// from its value to `days`.
fn with_name_check_days(days: u32) -> String {
    let (_, source, _) = common::project_workflows()
        .into_iter()
        .find(|(id, _, _)| id.as_str() == WORKFLOW)
        .unwrap();
    let yaml = source.workflow;
    let at = yaml.find("  - id: name-check").unwrap();
    let line_start = at + yaml[at..].find("committed_days:").unwrap();
    let line_end = line_start + yaml[line_start..].find('\n').unwrap();
    format!(
        "{}committed_days: {days}{}",
        &yaml[..line_start],
        &yaml[line_end..]
    )
}

async fn version_of_case(f: &Fixture, case: &str) -> Value {
    f.get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json()["workflow_version"]
        .clone()
}

#[tokio::test]
async fn a_running_case_stays_on_its_version_and_the_next_launch_takes_the_new_one() {
    let f = Fixture::new().await;
    let old_case = f.launch_company().await;
    let reply = f
        .post(
            "/api/v1/definitions",
            "policy-city",
            json!({ "workflow": with_name_check_days(1) }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let published = reply.json();
    assert_eq!(published["version"], 2);
    assert_eq!(published["samples_tried"], 3, "the kept examples are tried");
    assert_eq!(
        published["changes"]["limits_changed"],
        json!(["name-check"])
    );
    assert_eq!(published["changes"]["rules_changed"], false);
    assert!(reply.headers["location"]
        .to_str()
        .unwrap()
        .ends_with("/definitions/enterprise-registration/versions/2"));

    let new_case = f.launch_company().await;
    assert_eq!(version_of_case(&f, &old_case).await, 1);
    assert_eq!(version_of_case(&f, &new_case).await, 2);
    let old = f
        .get(&format!("/api/v1/cases/{old_case}"), "coordinator-city")
        .await
        .json();
    let new = f
        .get(&format!("/api/v1/cases/{new_case}"), "coordinator-city")
        .await
        .json();
    let days = |view: &Value| {
        view["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == "name-check")
            .unwrap()["committed_days"]
            .clone()
    };
    assert_ne!(days(&old), json!(1));
    assert_eq!(days(&new), json!(1));

    // The old case still runs on version 1: its DAG is version 1's plan.
    let dag = f
        .get(&format!("/api/v1/cases/{old_case}/dag"), "coordinator-city")
        .await
        .json();
    let row = dag["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "name-check")
        .unwrap()
        .clone();
    assert_eq!(row["committed_days"], days(&old));

    // Listing, showing and diffing versions.
    let list = f
        .get("/api/v1/definitions", "coordinator-city")
        .await
        .json();
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["workflow"] == WORKFLOW)
        .unwrap()
        .clone();
    assert_eq!(entry["latest"], 2);
    assert_eq!(entry["versions"][1]["published_by"], "policy-city");
    let shown = f
        .get(
            "/api/v1/definitions/enterprise-registration/versions/latest",
            "policy-city",
        )
        .await
        .json();
    assert_eq!(shown["version"], 2);
    assert!(shown["source"]["workflow"]
        .as_str()
        .unwrap()
        .contains("committed_days: 1"));
    let first = f
        .get(
            "/api/v1/definitions/enterprise-registration/versions/1",
            "policy-city",
        )
        .await
        .json();
    assert_eq!(first["published_by"], "system");
    // The fields of the application, in form order: what a launch form is made from.
    let fields = first["application"]["fields"].as_array().unwrap();
    assert_eq!(fields[0]["id"], "applicant");
    assert_eq!(fields[0]["type"], "text");
    assert_eq!(fields[0]["required"], true);
    let kind = fields
        .iter()
        .find(|field| field["id"] == "enterprise_type")
        .unwrap();
    assert_eq!(kind["type"], "choice");
    assert_eq!(kind["label"], "企业类型");
    assert!(kind["choices"]
        .as_array()
        .unwrap()
        .contains(&json!({ "value": "individual_business", "label": "个体工商户" })));
    assert_eq!(first["definition"]["application"], first["application"]);
    let diff = f
        .get(
            "/api/v1/definitions/enterprise-registration/diff?from=1&to=2",
            "policy-city",
        )
        .await
        .json();
    assert_eq!(diff["limits_changed"], json!(["name-check"]));
    assert_eq!(diff["changes"][0]["field"], "committed_days");
    assert_eq!(diff["changes"][0]["after"], 1);
    assert_eq!(diff["identical"], false);
}

#[tokio::test]
async fn rollback_publishes_an_old_version_as_the_newest() {
    let f = Fixture::new().await;
    let reply = f
        .post(
            "/api/v1/definitions",
            "policy-city",
            json!({ "workflow": with_name_check_days(1) }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let reply = f
        .post(
            "/api/v1/definitions/enterprise-registration/rollback",
            "admin",
            json!({ "to_version": 1 }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let rolled = reply.json();
    assert_eq!(rolled["version"], 3);
    assert_eq!(rolled["changes"]["limits_changed"], json!(["name-check"]));
    let diff = f
        .get(
            "/api/v1/definitions/enterprise-registration/diff?from=1&to=3",
            "policy-city",
        )
        .await
        .json();
    assert_eq!(diff["identical"], true, "{diff}");
    let case = f.launch_company().await;
    assert_eq!(version_of_case(&f, &case).await, 3);
    let missing = f
        .post(
            "/api/v1/definitions/enterprise-registration/rollback",
            "admin",
            json!({ "to_version": 9 }),
        )
        .await;
    missing.problem(404);
}

#[tokio::test]
async fn an_invalid_version_is_refused_with_every_problem_located_and_nothing_changes() {
    let f = Fixture::new().await;
    let broken = with_name_check_days(1)
        .replace("needs: [intake]", "needs: [intake, nowhere]")
        .replace("department: taxation", "department: no-such-department");
    let reply = f
        .post(
            "/api/v1/definitions",
            "policy-city",
            json!({ "workflow": broken }),
        )
        .await;
    let problem = reply.problem(422);
    let errors = problem["errors"].as_array().unwrap();
    assert!(errors.len() >= 2, "{problem}");
    for error in errors {
        assert_eq!(error["file"], "enterprise-registration.yaml");
        assert!(error["line"].as_u64().unwrap() > 0 && error["column"].as_u64().unwrap() > 0);
    }
    let text = reply.text();
    assert!(
        text.contains("nowhere") && text.contains("no-such-department"),
        "{text}"
    );
    assert_eq!(
        f.get(
            "/api/v1/definitions/enterprise-registration/versions/latest",
            "policy-city"
        )
        .await
        .json()["version"],
        1
    );
}

/// A version whose rules throw on applications with no employees: its YAML and script.
fn strict_version() -> (String, String) {
    let (_, source, _) = common::project_workflows()
        .into_iter()
        .find(|(id, _, _)| id.as_str() == WORKFLOW)
        .unwrap();
    let (_, script) = source.rules.clone().unwrap();
    let script = format!(
        "{script}\nfn strict_days(app) {{ if num(app, \"employees\") == 0 {{ throw \"员工人数缺失 employees missing\"; }} 2 }}\n"
    );
    let yaml = source.workflow.replacen(
        "committed_days: \"committed(app, 2, 1)\"",
        "committed_days: \"strict_days(app)\"",
        1,
    );
    assert_ne!(yaml, source.workflow);
    (yaml, script)
}

/// The example company with `n` employees (it matches the declared fields).
fn with_employees(n: u32) -> Value {
    let mut sample = common::example("enterprise-registration-limited-company.json");
    sample["employees"] = json!(n);
    sample
}

#[tokio::test]
async fn a_version_that_fails_a_sample_is_refused_and_nothing_changes() {
    let f = Fixture::new().await;
    let (yaml, script) = strict_version();
    let samples = json!([with_employees(3), with_employees(0)]);
    let reply = f
        .post(
            "/api/v1/definitions",
            "policy-city",
            json!({ "workflow": yaml, "rules": script, "samples": samples }),
        )
        .await;
    let problem = reply.problem(422);
    assert_eq!(problem["field"], "samples");
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{problem}");
    assert_eq!(errors[0]["file"], "samples[1]");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("employees missing"),
        "{problem}"
    );
    assert_eq!(
        f.get(
            "/api/v1/definitions/enterprise-registration/versions/latest",
            "policy-city"
        )
        .await
        .json()["version"],
        1,
        "the refused version changed nothing"
    );
    // Sent samples that pass replace the kept ones.
    let reply = f
        .post(
            "/api/v1/definitions",
            "policy-city",
            json!({ "workflow": yaml, "rules": script, "samples": [with_employees(3)] }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.json()["samples_tried"], 1);
    assert_eq!(reply.json()["changes"]["rules_changed"], true);
    let reply = f
        .post(
            "/api/v1/definitions/enterprise-registration/rollback",
            "policy-city",
            json!({ "to_version": 1 }),
        )
        .await;
    assert_eq!(reply.json()["samples_tried"], 1, "{}", reply.text());
}

#[tokio::test]
async fn the_samples_of_a_publication_are_stored_for_every_node_and_restart() {
    let f = Fixture::new().await;
    let (_, source, _) = common::project_workflows()
        .into_iter()
        .find(|(id, _, _)| id.as_str() == WORKFLOW)
        .unwrap();
    let reply = f
        .post(
            "/api/v1/definitions",
            "policy-city",
            json!({ "workflow": source.workflow, "samples": [with_employees(0), with_employees(2)] }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    // Another node on the same store (or this one restarted) keeps no samples in memory.
    let mut config = RuntimeConfig::new("jilin-city", common::calendars());
    config.departments = source.departments.clone();
    let other = Runtime::new(
        f.app.runtime().backend().clone(),
        f.clock.clone(),
        Arc::new(RecordingNotifier::default()),
        config,
    );
    let (yaml, script) = strict_version();
    let refused = other
        .publish_request(
            PublishRequest {
                workflow: yaml,
                rules: Some(script),
                ..PublishRequest::default()
            },
            &PrincipalId::new("policy-city"),
        )
        .await;
    match refused {
        Err(RuntimeError::SamplesFailed { failures, tried }) => {
            assert_eq!(tried, 2, "the stored samples were tried");
            assert_eq!(failures.len(), 1);
            assert_eq!(failures[0].index, 0, "the sample with no employees");
        }
        other => panic!("{other:?}"),
    }
    let stored = other
        .stored_definition(&WorkflowId::new(WORKFLOW), 2)
        .await
        .unwrap()
        .expect("version 2");
    assert_eq!(stored.samples, [with_employees(0), with_employees(2)]);
}

#[tokio::test]
async fn a_dry_run_plans_any_application_in_three_formats() {
    let f = Fixture::new().await;
    let application = common::example("industrial-project-chemical-plant.json");
    let reply = f
        .post(
            "/api/v1/definitions/industrial-project/plan",
            "policy-city",
            json!({ "application": application, "start": "2026-03-02" }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let plan = reply.json();
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["start"], "2026-03-02");
    assert!(plan["critical_path"].as_array().unwrap().len() > 2);
    let dot = f
        .post(
            "/api/v1/definitions/industrial-project/plan?format=dot",
            "coordinator-city",
            json!({ "application": application, "start": "2026-03-02" }),
        )
        .await;
    assert!(dot.text().starts_with("digraph"));
    assert_eq!(plan["promised_completion_provisional"], false);
    // The cn calendar covers 2027 provisionally: a plan into it is marked, one past its
    // end is refused.
    let provisional = f
        .post(
            "/api/v1/definitions/industrial-project/plan",
            "policy-city",
            json!({ "application": application, "start": "2026-12-20" }),
        )
        .await;
    assert_eq!(provisional.status, 200, "{}", provisional.text());
    assert_eq!(provisional.json()["promised_completion_provisional"], true);
    let late = f
        .post(
            "/api/v1/definitions/industrial-project/plan",
            "policy-city",
            json!({ "application": application, "start": "2027-12-20" }),
        )
        .await;
    assert_eq!(late.problem(422)["field"], "start");
    let unknown = f
        .post(
            "/api/v1/definitions/no-such-workflow/plan",
            "policy-city",
            json!({ "application": {} }),
        )
        .await;
    unknown.problem(404);
}

#[tokio::test]
async fn a_version_whose_declared_fields_the_samples_do_not_match_is_refused() {
    let f = Fixture::new().await;
    let (_, source, _) = common::project_workflows()
        .into_iter()
        .find(|(id, _, _)| id.as_str() == WORKFLOW)
        .unwrap();
    let yaml = source.workflow.replacen(
        "\napplication:\n",
        "\napplication:\n  - id: founded_on\n    type: date\n    label: 成立日期\n    required: true\n",
        1,
    );
    assert_ne!(yaml, source.workflow);
    let reply = f
        .post(
            "/api/v1/definitions",
            "policy-city",
            json!({ "workflow": yaml }),
        )
        .await;
    let problem = reply.problem(422);
    assert_eq!(problem["field"], "samples", "{problem}");
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "every kept example fails: {problem}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("`founded_on`: 必填 required"),
        "{problem}"
    );
}
