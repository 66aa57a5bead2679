//! `/api/v1/audit/export` and `/api/v1/audit/public-key`: a supervisor exports the trail
//! of the cases their center oversees as JSON lines or CSV (BOM, Chinese headers), the
//! export verifies with the served public key and carries no access code or its hash, a
//! supervisor below sees none of the city's cases, and other roles are refused.

mod common;

use common::Fixture;
use greenlane_engine::audit::checkpoint::parse_public_key;
use greenlane_engine::audit::{export, SigningKey};
use greenlane_http::Settings;

async fn fixture() -> Fixture {
    let key = SigningKey::from_bytes(&[3; 32]);
    Fixture::with_settings(Settings {
        audit_key: Some(key.verifying_key()),
        ..Settings::default()
    })
    .await
}

#[tokio::test]
async fn a_supervisor_exports_the_trail_and_it_verifies_with_the_public_key() {
    let f = fixture().await;
    let launched = f
        .launch(
            "coordinator-city",
            "enterprise-registration",
            "enterprise-registration-limited-company.json",
        )
        .await;
    let case = launched["case"].as_str().unwrap().to_string();
    let code = launched["access_code"].as_str().unwrap().to_string();
    f.approve_all(&case).await;

    let key = f.call("GET", "/api/v1/audit/public-key", None, None).await;
    assert_eq!(key.status, 200, "{}", key.text());
    let public = parse_public_key(key.json()["public_key"].as_str().unwrap()).unwrap();

    let jsonl = f.get("/api/v1/audit/export", "supervisor-city").await;
    assert_eq!(jsonl.status, 200, "{}", jsonl.text());
    assert!(jsonl.content_type.starts_with("application/x-ndjson"));
    let text = jsonl.text();
    assert!(!text.contains(&code), "no access code in an export");
    assert!(
        !text.contains("$argon2") && !text.contains("sha256$"),
        "no code hash in an export"
    );
    let lines = export::parse(&text).unwrap();
    let report = export::verify(&lines, &public).expect("the export verifies");
    assert_eq!(report.cases, 1);
    assert!(report.events > 10, "{report:?}");

    let csv = f
        .get(
            "/api/v1/audit/export?format=csv&officer=coordinator-city",
            "supervisor-city",
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    let text = csv.text();
    assert!(text.starts_with('\u{feff}'), "UTF-8 with a BOM");
    assert!(text.contains("案件编号 case"));
    let lines = export::parse(&text).unwrap();
    let report = export::verify(&lines, &public).unwrap();
    assert!(
        report.events >= 1 && report.events < 10,
        "only the coordinator's records: {report:?}"
    );

    let below = f.get("/api/v1/audit/export", "supervisor-fengman").await;
    assert_eq!(below.status, 200);
    assert_eq!(
        export::verify(&export::parse(&below.text()).unwrap(), &public)
            .unwrap()
            .cases,
        0
    );
    f.get(
        "/api/v1/audit/export?center=jilin-city",
        "supervisor-fengman",
    )
    .await
    .problem(404);
    f.get("/api/v1/audit/export", "coordinator-city")
        .await
        .problem(403);
    f.get("/api/v1/audit/export", "officer-service-center")
        .await
        .problem(403);
    f.get("/api/v1/audit/export?format=xml", "supervisor-city")
        .await
        .problem(400);
}
