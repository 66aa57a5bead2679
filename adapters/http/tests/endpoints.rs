//! Every endpoint through the router (`oneshot`, no socket): a case from launch to rating
//! with supplements and a special procedure on the way, rejection and withdrawal, the
//! applicant's inquiry, supervision after the clock runs past due dates, and operations.

mod common;

use chrono::Duration;
use common::{Fixture, Reply};
use serde_json::{json, Value};

fn events_of(reply: &Reply) -> Vec<String> {
    reply.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_case_from_launch_to_rating_through_every_case_and_task_endpoint() {
    let f = Fixture::new().await;
    let launched = f
        .launch(
            "coordinator-city",
            "enterprise-registration",
            "enterprise-registration-limited-company.json",
        )
        .await;
    let case = launched["case"].as_str().unwrap().to_string();
    let code = launched["access_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    assert_eq!(launched["workflow_version"], 1);
    assert_eq!(launched["dispatched"], json!(["intake"]));
    assert!(launched["critical_path"].as_array().unwrap().len() >= 3);
    let promised = launched["promised_completion"].clone();

    // The list, one case, its DAG in three formats.
    let list = f
        .get("/api/v1/cases?state=open", "coordinator-city")
        .await
        .json();
    assert_eq!(list["cases"][0]["case"], case.as_str());
    let view = f
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    assert_eq!(view["projected_completion"], promised);
    assert_eq!(view["projected_critical_path"], launched["critical_path"]);
    assert_eq!(view["tasks"][0]["id"], "intake");
    assert_eq!(view["tasks"][0]["state"], "ready");
    assert_eq!(view["timeline"][0]["kind"], "launched");
    let dag = f
        .get(&format!("/api/v1/cases/{case}/dag"), "coordinator-city")
        .await
        .json();
    assert_eq!(dag["promised_completion"], promised);
    assert_eq!(dag["task_states"]["intake"], "ready");
    let dot = f
        .get(
            &format!("/api/v1/cases/{case}/dag?format=dot"),
            "coordinator-city",
        )
        .await;
    assert!(dot.text().starts_with("digraph"), "{}", dot.text());
    let mermaid = f
        .get(
            &format!("/api/v1/cases/{case}/dag?format=mermaid"),
            "coordinator-city",
        )
        .await;
    assert!(mermaid.text().contains("intake"), "{}", mermaid.text());

    // The window's inbox; claim, release, claim the next one, approve.
    let officer = "officer-service-center";
    let inbox = f
        .get("/api/v1/departments/service-center/inbox", officer)
        .await
        .json();
    assert_eq!(inbox["tasks"][0]["task"], "intake");
    let intake = format!("/api/v1/cases/{case}/tasks/intake");
    let claim = f
        .call(
            "POST",
            &format!("{intake}/claim?lease_seconds=600"),
            Some(officer),
            None,
        )
        .await;
    assert_eq!(claim.status, 200, "{}", claim.text());
    assert_eq!(claim.json()["lease_until"], "2026-03-02T01:10:00Z");
    let release = f
        .call("POST", &format!("{intake}/release"), Some(officer), None)
        .await;
    assert_eq!(events_of(&release), ["task_released"]);
    let next = f
        .call(
            "POST",
            "/api/v1/departments/service-center/claim-next",
            Some(officer),
            None,
        )
        .await;
    assert_eq!(next.json()["task"], "intake", "{}", next.text());
    let empty = f
        .call(
            "POST",
            "/api/v1/departments/service-center/claim-next",
            Some(officer),
            None,
        )
        .await;
    assert_eq!(empty.status, 204);
    let approve = f
        .call("POST", &format!("{intake}/approve"), Some(officer), None)
        .await;
    assert_eq!(events_of(&approve), ["task_approved", "task_ready"]);

    // Name check: every missing material at once, handed in by the coordinator.
    let market = "officer-market-regulation";
    let name_check = format!("/api/v1/cases/{case}/tasks/name-check");
    f.call("POST", &format!("{name_check}/claim"), Some(market), None)
        .await;
    let asked = f
        .post(&format!("{name_check}/request-supplement"), market, json!({ "materials": ["股东会决议 shareholders' resolution", "住所证明 proof of address"] }))
        .await;
    assert_eq!(events_of(&asked), ["supplement_requested"]);
    let again = f
        .post(
            &format!("{name_check}/allow-supplement"),
            "supervisor-city",
            json!({ "reason": "新政策 new rule" }),
        )
        .await;
    assert_eq!(events_of(&again), ["supplement_allowed"]);
    let inquiry = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code={code}"),
            None,
            None,
        )
        .await
        .json();
    let item = inquiry["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["state"].as_str().unwrap().starts_with("待补正"))
        .unwrap()
        .clone();
    assert_eq!(item["materials_requested"].as_array().unwrap().len(), 2);
    let handed = f
        .call(
            "POST",
            &format!("{name_check}/submit-supplement"),
            Some("coordinator-city"),
            None,
        )
        .await;
    assert_eq!(events_of(&handed), ["supplement_submitted"]);

    // Business licence: an expert review suspends its clock.
    f.call("POST", &format!("{name_check}/claim"), Some(market), None)
        .await;
    f.call("POST", &format!("{name_check}/approve"), Some(market), None)
        .await;
    let licence = format!("/api/v1/cases/{case}/tasks/business-licence");
    f.call("POST", &format!("{licence}/claim"), Some(market), None)
        .await;
    let started = f
        .post(
            &format!("{licence}/special-procedure/start"),
            market,
            json!({ "procedure": "expert_review", "granted_days": 3 }),
        )
        .await;
    assert_eq!(events_of(&started), ["special_procedure_started"]);
    let ended = f
        .call(
            "POST",
            &format!("{licence}/special-procedure/end"),
            Some(market),
            None,
        )
        .await;
    assert_eq!(events_of(&ended), ["special_procedure_ended"]);

    // Everything else, then issue at one window and rate.
    assert!(f.approve_all(&case).await >= 6);
    let view = f
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    assert_eq!(view["state"], "completed", "{view}");
    let issued = f
        .call(
            "POST",
            &format!("/api/v1/cases/{case}/issue"),
            Some("coordinator-city"),
            None,
        )
        .await;
    assert_eq!(events_of(&issued), ["case_issued"]);
    // The applicant rates with the access code; the case takes one rating.
    let rated = f
        .call(
            "POST",
            &format!("/api/v1/inquiry/{case}/rate?code={code}"),
            None,
            Some(json!({ "rating": { "stars": 5 } })),
        )
        .await;
    assert_eq!(events_of(&rated), ["case_rated"], "{}", rated.text());
    let again = f
        .post(
            &format!("/api/v1/cases/{case}/rate"),
            "coordinator-city",
            json!({ "rating": "satisfied" }),
        )
        .await;
    assert!(again.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("already rated"));

    // The applicant sees progress and dates, never officers or the application.
    let inquiry = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code={code}"),
            None,
            None,
        )
        .await;
    assert_eq!(inquiry.status, 200);
    let seen = inquiry.json();
    assert_eq!(seen["state"], "已办结 issued");
    assert_eq!(seen["promised_completion"], promised);
    assert_eq!(seen["rated"], true);
    let text = inquiry.text();
    for secret in [
        "officer-",
        "coordinator-city",
        "legal_representative",
        "recipients",
    ] {
        assert!(
            !text.contains(secret),
            "the inquiry shows `{secret}`: {text}"
        );
    }
    let wrong = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code=000000x"),
            None,
            None,
        )
        .await;
    let unknown = f
        .call("GET", "/api/v1/inquiry/nope?code=123456", None, None)
        .await;
    assert!(wrong.problem(404)["detail"]
        .as_str()
        .unwrap()
        .contains("access code"));
    assert_eq!(unknown.status, 404);

    // The whole story is in the timeline, each event with its principal.
    let view = f
        .get(&format!("/api/v1/cases/{case}"), "supervisor-city")
        .await
        .json();
    let timeline = view["timeline"].as_array().unwrap();
    assert_eq!(timeline.last().unwrap()["kind"], "case_rated");
    assert!(timeline
        .iter()
        .any(|e| e["by"] == market && e["kind"] == "supplement_requested"));
    assert!(timeline
        .iter()
        .any(|e| e["by"] == "supervisor-city" && e["kind"] == "supplement_allowed"));
    assert_eq!(timeline.last().unwrap()["by"], "applicant");
}

#[tokio::test]
async fn rejection_and_withdrawal_close_cases() {
    let f = Fixture::new().await;
    let rejected = f.launch_company().await;
    let withdrawn = f.launch_company().await;
    let window = "officer-service-center";
    let intake = format!("/api/v1/cases/{rejected}/tasks/intake");
    f.call("POST", &format!("{intake}/claim"), Some(window), None)
        .await;
    let reply = f
        .post(
            &format!("{intake}/reject"),
            window,
            json!({ "reason": "申请材料虚假 false documents" }),
        )
        .await;
    assert!(
        events_of(&reply).contains(&"case_rejected".to_string()),
        "{}",
        reply.text()
    );
    let reply = f
        .post(
            &format!("/api/v1/cases/{withdrawn}/withdraw"),
            "coordinator-city",
            json!({ "reason": "申请人撤回 applicant withdrew" }),
        )
        .await;
    assert!(
        events_of(&reply).contains(&"case_withdrawn".to_string()),
        "{}",
        reply.text()
    );

    let rejected_list = f
        .get("/api/v1/cases?state=rejected", "coordinator-city")
        .await
        .json();
    assert_eq!(rejected_list["cases"].as_array().unwrap().len(), 1);
    assert_eq!(rejected_list["cases"][0]["case"], rejected.as_str());
    let open = f
        .get("/api/v1/cases?state=open", "coordinator-city")
        .await
        .json();
    assert!(open["cases"].as_array().unwrap().is_empty());
    // A closed case refuses further commands with the engine's message.
    let again = f
        .post(
            &format!("/api/v1/cases/{withdrawn}/withdraw"),
            "coordinator-city",
            json!({ "reason": "again" }),
        )
        .await;
    assert!(again.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("withdrawn"));
}

#[tokio::test]
async fn list_filters_by_workflow_department_alert_and_launch_date() {
    let f = Fixture::new().await;
    let company = f.launch_company().await;
    f.clock.advance(Duration::days(1));
    let shop = f
        .launch(
            "coordinator-city",
            "enterprise-registration",
            "enterprise-registration-food-shop-green-channel.json",
        )
        .await["case"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = |reply: Reply| -> Vec<String> {
        reply.json()["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["case"].as_str().unwrap().to_string())
            .collect()
    };
    let all = cases(f.get("/api/v1/cases", "coordinator-city").await);
    assert_eq!(all.len(), 2);
    let food = cases(
        f.get(
            "/api/v1/cases?department=health-commission",
            "coordinator-city",
        )
        .await,
    );
    let with_food_licence: Vec<String> = cases(
        f.get(
            "/api/v1/cases?department=market-regulation",
            "coordinator-city",
        )
        .await,
    );
    assert_eq!(with_food_licence.len(), 2);
    assert!(food.iter().all(|c| c == &shop));
    let second_day = cases(
        f.get("/api/v1/cases?launched_from=2026-03-03", "coordinator-city")
            .await,
    );
    assert_eq!(second_day, [shop]);
    let first_day = cases(
        f.get(
            "/api/v1/cases?launched_to=2026-03-02&workflow=enterprise-registration",
            "coordinator-city",
        )
        .await,
    );
    assert_eq!(first_day, [company]);
    assert!(cases(
        f.get(
            "/api/v1/cases?workflow=industrial-project",
            "coordinator-city"
        )
        .await
    )
    .is_empty());
    assert!(cases(
        f.get("/api/v1/cases?alert=yellow", "coordinator-city")
            .await
    )
    .is_empty());
    // Paging: one at a time, following `next`.
    let page = f
        .get("/api/v1/cases?limit=1", "coordinator-city")
        .await
        .json();
    assert_eq!(page["cases"].as_array().unwrap().len(), 1);
    let next = page["next"].as_str().unwrap();
    let rest = f
        .get(
            &format!("/api/v1/cases?limit=1&after={next}"),
            "coordinator-city",
        )
        .await
        .json();
    assert_eq!(rest["cases"].as_array().unwrap().len(), 1);
    assert_ne!(rest["cases"][0]["case"], page["cases"][0]["case"]);
}

#[tokio::test]
async fn supervision_sees_cards_and_kpis_after_the_clock_runs_past_due_dates() {
    let f = Fixture::new().await;
    let case = f.launch_company().await;
    // Nobody decides the intake (an instant item due today) for two weeks.
    f.clock.advance(Duration::days(14));
    f.app.runtime().tick().await.unwrap();
    let alerts = f
        .get("/api/v1/supervision/alerts", "supervisor-city")
        .await
        .json();
    assert!(
        alerts["counts"]["yellow"].as_u64().unwrap() >= 1,
        "{alerts}"
    );
    let first = &alerts["alerts"][0];
    assert_eq!(first["case"], case.as_str());
    assert_eq!(first["department"], "service-center");
    assert_eq!(first["open"], true);
    let red = f.get("/api/v1/supervision/alerts?level=red&department=service-center&from=2026-03-01&to=2026-03-31&open=true", "supervisor-city").await.json();
    assert_eq!(
        red["alerts"].as_array().unwrap().len(),
        red["counts"]["red"].as_u64().unwrap() as usize
    );
    let other = f
        .get(
            "/api/v1/supervision/alerts?department=taxation",
            "supervisor-city",
        )
        .await
        .json();
    assert!(other["alerts"].as_array().unwrap().is_empty());
    let listed = f
        .get("/api/v1/cases?alert=yellow", "supervisor-city")
        .await
        .json();
    assert!(listed["cases"][0]["highest_alert"].as_str().is_some());

    let kpis = f
        .get("/api/v1/supervision/kpis", "supervisor-city")
        .await
        .json();
    assert_eq!(kpis["cases"], 1);
    assert!(kpis["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["kpi"].as_str().unwrap().starts_with("即办件比重")));
    let none = f
        .get(
            "/api/v1/supervision/kpis?workflow=industrial-project",
            "supervisor-city",
        )
        .await
        .json();
    assert_eq!(none["cases"], 0);

    let metrics = f.call("GET", "/metrics", None, None).await.text();
    assert!(
        metrics.contains("greenlane_open_alerts{level=\"red\"}")
            || metrics.contains("greenlane_open_alerts{level=\"yellow\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("greenlane_queue_depth{department=\"service-center\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("greenlane_commands_total{command=\"launch\",outcome=\"ok\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("greenlane_http_requests_total{method=\"POST\",route=\"/api/v1/cases\",status=\"201\"} 1"), "{metrics}");
    assert!(metrics.contains("greenlane_open_cases 1"), "{metrics}");
}

#[tokio::test]
async fn operations_endpoints_answer() {
    let f = Fixture::new().await;
    assert_eq!(f.call("GET", "/healthz", None, None).await.status, 200);
    assert_eq!(f.call("GET", "/readyz", None, None).await.status, 200);
    let me = f.get("/api/v1/me", "officer-taxation").await.json();
    assert_eq!(
        me,
        json!({ "id": "officer-taxation", "role": "officer", "department": "taxation", "center": "jilin-city", "center_name": "吉林市政务服务中心 / Jilin City Government Service Center" })
    );
    let reply = f.call("GET", "/api/v1/me", None, None).await;
    reply.problem(401);
    assert!(reply.headers.get("www-authenticate").is_some());
    let reply = f.get("/healthz", "admin").await;
    assert!(reply.headers.get("x-request-id").is_some());
    let openapi: Value = f.call("GET", "/api/openapi.json", None, None).await.json();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3."));
}

#[tokio::test]
async fn a_failing_store_is_a_500_that_leaks_nothing() {
    let f = Fixture::new().await;
    f.faults.arm(greenlane_testkit::faults::Op::Append, 1);
    let reply = f
        .post("/api/v1/cases", "coordinator-city", json!({ "workflow": "enterprise-registration", "application": common::example("enterprise-registration-limited-company.json") }))
        .await;
    let problem = reply.problem(500);
    let text = reply.text();
    assert!(
        !text.contains("injected") && !text.contains("Append"),
        "{text}"
    );
    assert_eq!(
        problem["detail"],
        "the server failed to handle the request; it was logged"
    );
}
