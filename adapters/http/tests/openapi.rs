//! The OpenAPI document: it parses, lists every route of the router with its method, and
//! every route it lists is served (a request to it is not "no route" nor "wrong method").

mod common;

use std::collections::BTreeSet;

use common::Fixture;
use serde_json::Value;

/// Every route of the router.
const ROUTES: [(&str, &str); 44] = [
    ("get", "/api/v1/me"),
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases"),
    ("get", "/api/v1/cases/{case}"),
    ("get", "/api/v1/cases/{case}/dag"),
    ("post", "/api/v1/cases/{case}/withdraw"),
    ("post", "/api/v1/cases/{case}/issue"),
    ("post", "/api/v1/cases/{case}/rate"),
    ("post", "/api/v1/cases/{case}/access-code"),
    ("post", "/api/v1/cases/{case}/tasks/{task}/claim"),
    ("post", "/api/v1/cases/{case}/tasks/{task}/release"),
    ("post", "/api/v1/cases/{case}/tasks/{task}/approve"),
    ("post", "/api/v1/cases/{case}/tasks/{task}/reject"),
    (
        "post",
        "/api/v1/cases/{case}/tasks/{task}/request-supplement",
    ),
    (
        "post",
        "/api/v1/cases/{case}/tasks/{task}/submit-supplement",
    ),
    ("post", "/api/v1/cases/{case}/tasks/{task}/allow-supplement"),
    (
        "post",
        "/api/v1/cases/{case}/tasks/{task}/special-procedure/start",
    ),
    (
        "post",
        "/api/v1/cases/{case}/tasks/{task}/special-procedure/end",
    ),
    ("get", "/api/v1/departments/{department}/inbox"),
    ("post", "/api/v1/departments/{department}/claim-next"),
    ("get", "/api/v1/inquiry/{case}"),
    ("post", "/api/v1/inquiry/{case}/withdraw"),
    ("post", "/api/v1/inquiry/{case}/rate"),
    ("get", "/api/v1/definitions"),
    ("post", "/api/v1/definitions"),
    ("get", "/api/v1/definitions/{workflow}/versions/{version}"),
    ("get", "/api/v1/definitions/{workflow}/diff"),
    ("post", "/api/v1/definitions/{workflow}/rollback"),
    ("post", "/api/v1/definitions/{workflow}/plan"),
    ("get", "/api/v1/calendars"),
    ("post", "/api/v1/calendars/{calendar}"),
    ("get", "/api/v1/calendars/{calendar}/{year}"),
    ("get", "/api/v1/supervision/alerts"),
    ("get", "/api/v1/supervision/kpis"),
    ("get", "/api/v1/audit/export"),
    ("get", "/api/v1/audit/public-key"),
    ("get", "/api/v1/notifications/dead-letters"),
    ("post", "/api/v1/notifications/dead-letters/retry"),
    ("post", "/api/v1/cases/{case}/tasks/{task}/urge"),
    ("get", "/api/v1/events"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/openapi.json"),
];

async fn document(f: &Fixture) -> Value {
    let reply = f.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "application/json");
    reply.json()
}

#[tokio::test]
async fn the_document_parses_and_lists_every_route() {
    let f = Fixture::new().await;
    let doc = document(&f).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["info"]["title"].as_str().unwrap().contains("greenlane"));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let routes: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, routes);
    // Schemas are referenced and present; the bearer scheme is declared.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "CaseView",
        "LaunchedView",
        "Problem",
        "InboxEntry",
        "PublishRequest",
        "DefinitionDiff",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let launch = &doc["paths"]["/api/v1/cases"]["post"];
    assert!(launch["responses"]["201"].is_object());
    assert!(launch["requestBody"].is_object());
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let f = Fixture::new().await;
    let doc = document(&f).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{case}", "c")
            .replace("{task}", "t")
            .replace("{department}", "d")
            .replace("{workflow}", "w")
            .replace("{version}", "1");
        for method in item.as_object().unwrap().keys() {
            let body = (method == "post").then(|| serde_json::json!({}));
            let reply = f
                .call(&method.to_uppercase(), &concrete, Some("admin"), body)
                .await;
            let routed =
                reply.status != 405 && !(reply.status == 404 && reply.text().contains("no route"));
            assert!(routed, "{method} {path}: {} {}", reply.status, reply.text());
        }
    }
}
