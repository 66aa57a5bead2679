//! Dates that count on a provisional calendar year are marked wherever they are shown.
//!
//! The shipped `cn` calendar has official years up to 2026 and a provisional 2027 (computed
//! from the holiday law before the State Council's notice). An industrial project launched
//! on 2026-12-20 runs 40+ working days into 2027: its promise, its projection and the due
//! dates of the tasks that reach 2027 carry `…_provisional: true` in the launch answer, the
//! case view and list, the inbox, the inquiry and the alerts list. An enterprise
//! registration launched in March 2026 ends in 2026 and is marked nowhere.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::Fixture;
use serde_json::Value;

/// A fixture whose clock reads Sunday 2026-12-20 09:00 in Shanghai.
async fn in_late_december() -> Fixture {
    let f = Fixture::new().await;
    f.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 20, 1, 0, 0).unwrap());
    f
}

/// Whether `date` (a JSON date string) lies in 2027 or later.
fn in_2027(date: &Value) -> bool {
    date.as_str().is_some_and(|d| d >= "2027-01-01")
}

/// Claims and approves `task` of `case` as the officer of `department`.
async fn approve(f: &Fixture, case: &str, task: &str, department: &str) {
    let officer = format!("officer-{department}");
    let base = format!("/api/v1/cases/{case}/tasks/{task}");
    for step in ["claim", "approve"] {
        let reply = f
            .call("POST", &format!("{base}/{step}"), Some(&officer), None)
            .await;
        assert_eq!(reply.status, 200, "{step}: {}", reply.text());
    }
}

/// Every date of a task view agrees with its flag: marked exactly when it is in 2027.
fn assert_task_marks(task: &Value) {
    for field in ["committed_due", "statutory_due"] {
        let flag = &task[format!("{field}_provisional")];
        assert_eq!(
            flag.as_bool(),
            Some(in_2027(&task[field])),
            "{field} of {}: {task}",
            task["id"]
        );
    }
}

#[tokio::test]
async fn an_industrial_project_into_2027_is_marked_provisional_everywhere() {
    let f = in_late_december().await;
    let launched = f
        .launch(
            "coordinator-city",
            "industrial-project",
            "industrial-project-chemical-plant.json",
        )
        .await;
    let case = launched["case"].as_str().unwrap().to_string();
    let code = launched["access_code"].as_str().unwrap().to_string();
    assert!(in_2027(&launched["promised_completion"]), "{launched}");
    assert_eq!(launched["promised_completion_provisional"], true);

    // The intake is instant: due on the launch day, in the official 2026, not marked.
    let view = f
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    assert_eq!(view["launched_on"], "2026-12-20");
    assert_eq!(view["promised_completion"], launched["promised_completion"]);
    assert_eq!(view["promised_completion_provisional"], true);
    assert!(in_2027(&view["projected_completion"]), "{view}");
    assert_eq!(view["projected_completion_provisional"], true);
    let intake = &view["tasks"][0];
    assert_eq!(intake["id"], "intake");
    assert_eq!(intake["committed_due"], "2026-12-20");
    assert_eq!(intake["committed_due_provisional"], false);
    assert_eq!(intake["statutory_due_provisional"], false);
    // A task not ready yet has no dates, and nothing to mark.
    let waiting = view["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["state"] == "waiting")
        .unwrap();
    assert!(waiting["committed_due"].is_null());
    assert_eq!(waiting["committed_due_provisional"], false);

    // Once the intake is approved, the land pre-review (10 working days) is due in 2027.
    approve(&f, &case, "intake", "service-center").await;
    let view = f
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    let tasks = view["tasks"].as_array().unwrap();
    for task in tasks {
        assert_task_marks(task);
    }
    let pre_review = tasks.iter().find(|t| t["id"] == "land-pre-review").unwrap();
    assert_eq!(pre_review["state"], "ready");
    assert!(in_2027(&pre_review["committed_due"]), "{pre_review}");
    assert_eq!(pre_review["committed_due_provisional"], true);
    assert_eq!(pre_review["statutory_due_provisional"], true);

    // The case list, the DAG.
    let list = f.get("/api/v1/cases", "coordinator-city").await.json();
    assert_eq!(list["cases"][0]["case"], case.as_str());
    assert_eq!(list["cases"][0]["promised_completion_provisional"], true);
    assert_eq!(list["cases"][0]["at_risk_provisional"], false);
    let dag = f
        .get(&format!("/api/v1/cases/{case}/dag"), "coordinator-city")
        .await
        .json();
    assert_eq!(dag["promised_completion_provisional"], true);

    // The department's inbox.
    let inbox = f
        .get(
            "/api/v1/departments/natural-resources/inbox",
            "officer-natural-resources",
        )
        .await
        .json();
    let entry = inbox["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["task"] == "land-pre-review")
        .unwrap_or_else(|| panic!("{inbox}"));
    assert_eq!(entry["due"], pre_review["committed_due"]);
    assert_eq!(entry["due_provisional"], true);
    assert_eq!(entry["statutory_due_provisional"], true);

    // The applicant's inquiry.
    let inquiry = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code={code}"),
            None,
            None,
        )
        .await;
    assert_eq!(inquiry.status, 200, "{}", inquiry.text());
    let inquiry = inquiry.json();
    assert_eq!(inquiry["promised_completion_provisional"], true);
    assert_eq!(inquiry["projected_completion_provisional"], true);
    for item in inquiry["items"].as_array().unwrap() {
        assert_eq!(
            item["due_provisional"].as_bool(),
            Some(in_2027(&item["due"])),
            "{item}"
        );
    }
    assert!(inquiry["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["due_provisional"] == true));

    // Nobody decides for a month: the alerts are about due dates, marked the same way.
    f.clock.advance(Duration::days(31));
    f.app.runtime().tick().await.unwrap();
    let alerts = f
        .get("/api/v1/supervision/alerts", "supervisor-city")
        .await
        .json();
    let alerts = alerts["alerts"].as_array().unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a["task"] == "land-pre-review" && a["due_provisional"] == true),
        "{alerts:?}"
    );
    for alert in alerts {
        assert_eq!(
            alert["due_provisional"].as_bool(),
            Some(in_2027(&alert["due"])),
            "{alert}"
        );
    }
    let view = f
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    assert_eq!(view["alerts"].as_array().unwrap().len(), alerts.len());
}

#[tokio::test]
async fn an_enterprise_registration_in_2026_is_not_marked() {
    let f = Fixture::new().await;
    let launched = f
        .launch(
            "coordinator-city",
            "enterprise-registration",
            "enterprise-registration-limited-company.json",
        )
        .await;
    assert_eq!(launched["promised_completion_provisional"], false);
    let case = launched["case"].as_str().unwrap().to_string();
    let code = launched["access_code"].as_str().unwrap().to_string();
    approve(&f, &case, "intake", "service-center").await;
    let view = f
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    assert_eq!(view["launched_on"], "2026-03-02");
    assert_eq!(view["promised_completion_provisional"], false);
    assert_eq!(view["projected_completion_provisional"], false);
    for task in view["tasks"].as_array().unwrap() {
        assert_eq!(task["committed_due_provisional"], false, "{task}");
        assert_eq!(task["statutory_due_provisional"], false, "{task}");
    }
    let inquiry = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code={code}"),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(inquiry["promised_completion_provisional"], false);
    assert_eq!(inquiry["projected_completion_provisional"], false);
    assert!(inquiry["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["due_provisional"] == false));
    let ready = view["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["state"] == "ready")
        .unwrap();
    let department = ready["department"].as_str().unwrap();
    let inbox = f
        .get(
            &format!("/api/v1/departments/{department}/inbox"),
            &format!("officer-{department}"),
        )
        .await
        .json();
    let entries = inbox["tasks"].as_array().unwrap();
    assert!(!entries.is_empty(), "{inbox}");
    assert!(entries
        .iter()
        .all(|e| e["due_provisional"] == false && e["statutory_due_provisional"] == false));
}
