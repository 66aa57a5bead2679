//! The role × endpoint matrix: each role calls each endpoint on the same scenario (a case
//! launched by the city coordinator, its intake claimed by the window officer) and gets the
//! expected status. A 403 names the missing right; no token is 401 everywhere but the
//! public routes. Then the centers: a sibling center sees nothing, a parent sees below.

mod common;

use common::Fixture;
use serde_json::{json, Value};

/// The callers of each column, in order; `None` is a request without a token.
const CALLERS: [Option<&str>; 6] = [
    Some("coordinator-city"),
    Some("officer-service-center"),
    Some("policy-city"),
    Some("supervisor-city"),
    Some("admin"),
    None,
];

struct Cell {
    method: &'static str,
    path: &'static str,
    body: Option<Value>,
    /// coordinator, officer, policy, supervisor, admin, no token.
    expected: [u16; 6],
}

fn cell(method: &'static str, path: &'static str, body: Option<Value>, expected: [u16; 6]) -> Cell {
    Cell {
        method,
        path,
        body,
        expected,
    }
}

/// Every endpoint with its expected status per caller.
fn matrix() -> Vec<Cell> {
    let company = common::example("enterprise-registration-limited-company.json");
    let launch = json!({ "workflow": "enterprise-registration", "application": company.clone() });
    vec![
        cell("GET", "/api/v1/me", None, [200, 200, 200, 200, 200, 401]),
        cell(
            "POST",
            "/api/v1/cases",
            Some(launch),
            [201, 403, 403, 403, 403, 401],
        ),
        cell("GET", "/api/v1/cases", None, [200, 200, 403, 200, 200, 401]),
        cell(
            "GET",
            "/api/v1/cases/{case}",
            None,
            [200, 200, 403, 200, 200, 401],
        ),
        cell(
            "GET",
            "/api/v1/cases/{case}/dag",
            None,
            [200, 200, 403, 200, 200, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/withdraw",
            Some(json!({ "reason": "撤回 withdrawn" })),
            [200, 403, 403, 403, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/issue",
            None,
            [409, 403, 403, 403, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/rate",
            Some(json!({ "rating": "satisfied" })),
            [409, 403, 403, 403, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/tasks/intake/claim",
            None,
            [403, 200, 403, 403, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/tasks/intake/release",
            None,
            [403, 200, 403, 403, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/tasks/intake/approve",
            None,
            [403, 200, 403, 403, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/tasks/intake/reject",
            Some(json!({ "reason": "不符合条件 not eligible" })),
            [403, 200, 403, 403, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/tasks/intake/request-supplement",
            Some(json!({ "materials": ["营业执照 licence"] })),
            [403, 200, 403, 403, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/tasks/intake/submit-supplement",
            None,
            [409, 403, 403, 403, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/tasks/intake/allow-supplement",
            Some(json!({ "reason": "再次补正 again" })),
            [403, 403, 403, 409, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/tasks/intake/special-procedure/start",
            Some(json!({ "procedure": "hearing", "granted_days": 5 })),
            [403, 200, 403, 403, 403, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/tasks/intake/special-procedure/end",
            None,
            [403, 409, 403, 403, 403, 401],
        ),
        cell(
            "GET",
            "/api/v1/departments/service-center/inbox",
            None,
            [403, 200, 403, 200, 200, 401],
        ),
        cell(
            "POST",
            "/api/v1/departments/service-center/claim-next",
            None,
            [403, 204, 403, 403, 403, 401],
        ),
        cell(
            "GET",
            "/api/v1/inquiry/{case}?code={code}",
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        cell(
            "GET",
            "/api/v1/definitions",
            None,
            [200, 200, 200, 200, 200, 401],
        ),
        cell(
            "POST",
            "/api/v1/definitions",
            Some(json!({ "workflow": "{yaml}" })),
            [403, 403, 201, 403, 201, 401],
        ),
        cell(
            "GET",
            "/api/v1/definitions/enterprise-registration/versions/1",
            None,
            [200, 200, 200, 200, 200, 401],
        ),
        cell(
            "GET",
            "/api/v1/definitions/enterprise-registration/diff",
            None,
            [200, 200, 200, 200, 200, 401],
        ),
        cell(
            "POST",
            "/api/v1/definitions/enterprise-registration/rollback",
            Some(json!({ "to_version": 1 })),
            [403, 403, 201, 403, 201, 401],
        ),
        cell(
            "POST",
            "/api/v1/definitions/enterprise-registration/plan",
            Some(json!({ "application": company, "start": "2026-03-02" })),
            [200, 200, 200, 200, 200, 401],
        ),
        cell(
            "GET",
            "/api/v1/supervision/alerts",
            None,
            [403, 403, 403, 200, 200, 401],
        ),
        cell(
            "GET",
            "/api/v1/supervision/kpis",
            None,
            [403, 403, 403, 200, 200, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/tasks/intake/urge",
            Some(json!({ "note": "请加快办理" })),
            [403, 403, 403, 422, 422, 401],
        ),
        cell(
            "GET",
            "/api/v1/notifications/dead-letters",
            None,
            [403, 403, 403, 200, 200, 401],
        ),
        cell(
            "POST",
            "/api/v1/notifications/dead-letters/retry",
            Some(json!({ "id": "none#1/log/center:jilin-city" })),
            [403, 403, 403, 404, 404, 401],
        ),
        cell(
            "POST",
            "/api/v1/cases/{case}/access-code",
            None,
            [200, 403, 403, 403, 403, 401],
        ),
        cell(
            "GET",
            "/api/v1/events",
            None,
            [200, 200, 403, 200, 200, 401],
        ),
        cell("GET", "/healthz", None, [200, 200, 200, 200, 200, 200]),
        cell("GET", "/readyz", None, [200, 200, 200, 200, 200, 200]),
        cell("GET", "/metrics", None, [200, 200, 200, 200, 200, 200]),
        cell(
            "GET",
            "/api/openapi.json",
            None,
            [200, 200, 200, 200, 200, 200],
        ),
    ]
}

#[tokio::test]
async fn each_role_gets_the_expected_status_from_each_endpoint() {
    let yaml = common::project_workflows()
        .into_iter()
        .find(|(id, _, _)| id.as_str() == "enterprise-registration")
        .unwrap()
        .1
        .workflow;
    let mut failures = Vec::new();
    for cell in matrix() {
        // A fresh center for every endpoint and a fresh case for every caller, so no call
        // depends on another.
        let f = Fixture::new().await;
        for (column, caller) in CALLERS.iter().enumerate() {
            let launched = f
                .launch(
                    "coordinator-city",
                    "enterprise-registration",
                    "enterprise-registration-limited-company.json",
                )
                .await;
            let case = launched["case"].as_str().unwrap();
            let code = launched["access_code"].as_str().unwrap();
            let claim = f
                .call(
                    "POST",
                    &format!("/api/v1/cases/{case}/tasks/intake/claim"),
                    Some("officer-service-center"),
                    None,
                )
                .await;
            assert_eq!(claim.status, 200);
            let path = cell.path.replace("{case}", case).replace("{code}", code);
            let body = cell.body.clone().map(|b| {
                serde_json::from_str(
                    &b.to_string()
                        .replace("\"{yaml}\"", &serde_json::to_string(&yaml).unwrap()),
                )
                .unwrap()
            });
            let reply = f.call(cell.method, &path, *caller, body).await;
            let expected = cell.expected[column];
            if reply.status != expected {
                failures.push(format!(
                    "{} {} as {}: expected {expected}, got {} {}",
                    cell.method,
                    cell.path,
                    caller.unwrap_or("nobody"),
                    reply.status,
                    reply.text()
                ));
                continue;
            }
            if expected == 403
                && reply.json()["detail"]
                    .as_str()
                    .unwrap()
                    .starts_with("this needs the right")
            {
                let detail = reply.json()["detail"].as_str().unwrap().to_string();
                assert!(
                    detail.contains('`') && detail.contains("you are"),
                    "{detail}"
                );
            }
            if expected == 401 {
                reply.problem(401);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cell(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_forbidden_answer_names_the_missing_right() {
    let f = Fixture::new().await;
    let reply = f.get("/api/v1/supervision/kpis", "coordinator-city").await;
    let detail = reply.problem(403)["detail"].as_str().unwrap().to_string();
    assert_eq!(
        detail,
        "this needs the right `supervision:read` (held by: supervisor, admin); you are coordinator"
    );
    let reply = f
        .get(
            "/api/v1/departments/taxation/inbox",
            "officer-service-center",
        )
        .await;
    let detail = reply.problem(403)["detail"].as_str().unwrap().to_string();
    assert!(
        detail.contains("`taxation`") && detail.contains("`service-center`"),
        "{detail}"
    );
    let case = f.launch_company().await;
    let reply = f
        .call(
            "POST",
            &format!("/api/v1/cases/{case}/tasks/intake/claim"),
            Some("officer-taxation"),
            None,
        )
        .await;
    // The taxation officer sees the case (it has taxation tasks) but the intake is not theirs.
    let detail = reply.problem(403)["detail"].as_str().unwrap().to_string();
    assert!(detail.contains("service-center"), "{detail}");
}

#[tokio::test]
async fn a_center_sees_its_own_cases_and_those_below_never_a_siblings() {
    let f = Fixture::new().await;
    let fengman = f
        .launch(
            "coordinator-fengman",
            "enterprise-registration",
            "enterprise-registration-limited-company.json",
        )
        .await["case"]
        .as_str()
        .unwrap()
        .to_string();
    let city = f.launch_company().await;
    let path = |case: &str| format!("/api/v1/cases/{case}");
    assert_eq!(
        f.get(&path(&fengman), "coordinator-fengman").await.status,
        200
    );
    assert_eq!(
        f.get(&path(&fengman), "coordinator-city").await.status,
        200,
        "a parent sees below"
    );
    assert_eq!(f.get(&path(&fengman), "supervisor-city").await.status, 200);
    f.get(&path(&fengman), "coordinator-chuanying")
        .await
        .problem(404);
    f.get(&path(&city), "coordinator-fengman")
        .await
        .problem(404);
    f.get(&path(&city), "supervisor-fengman").await.problem(404);
    assert_eq!(
        f.get(&path(&fengman), "supervisor-fengman").await.status,
        200
    );
    // A sibling cannot act on it either, and lists show only what the caller may see.
    let withdraw = f
        .post(
            &format!("{}/withdraw", path(&fengman)),
            "coordinator-chuanying",
            json!({ "reason": "x" }),
        )
        .await;
    withdraw.problem(404);
    let listed = |reply: common::Reply| reply.json()["cases"].as_array().unwrap().len();
    assert_eq!(listed(f.get("/api/v1/cases", "coordinator-city").await), 2);
    assert_eq!(
        listed(f.get("/api/v1/cases", "coordinator-fengman").await),
        1
    );
    assert_eq!(
        listed(f.get("/api/v1/cases", "coordinator-chuanying").await),
        0
    );
    assert_eq!(
        listed(
            f.get(
                "/api/v1/cases?center=jilin-city/fengman",
                "coordinator-city"
            )
            .await
        ),
        1
    );
    // The window officer of the city sees Fengman's intake in its inbox; Fengman's market
    // officer sees no city task.
    let inbox = f
        .get(
            "/api/v1/departments/service-center/inbox",
            "officer-service-center",
        )
        .await
        .json();
    assert_eq!(inbox["tasks"].as_array().unwrap().len(), 2);
    let officer = "officer-fengman-market-regulation";
    assert_eq!(f.get(&path(&city), officer).await.status, 404);
    assert_eq!(f.get(&path(&fengman), officer).await.status, 200);
    // An officer sees only cases with a task of its department.
    let industrial_only = f.get(&path(&city), "officer-development-reform").await;
    industrial_only.problem(404);
}
