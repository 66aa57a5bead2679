//! `POST /api/v1/cases/{case}/access-code`: a coordinator of the case's center issues a new
//! code, answered once; the old code stops working, the new one works, the timeline shows
//! the reissue (who, when) without the hash; an officer is refused and a coordinator of a
//! center below sees no such case.

mod common;

use common::Fixture;

#[tokio::test]
async fn a_coordinator_reissues_the_code_and_the_old_one_stops_working() {
    let f = Fixture::new().await;
    let launched = f
        .launch(
            "coordinator-city",
            "enterprise-registration",
            "enterprise-registration-limited-company.json",
        )
        .await;
    let case = launched["case"].as_str().unwrap();
    let old = launched["access_code"].as_str().unwrap();
    let path = format!("/api/v1/cases/{case}/access-code");

    f.post(&path, "officer-market-regulation", serde_json::json!({}))
        .await
        .problem(403);
    f.post(&path, "coordinator-fengman", serde_json::json!({}))
        .await
        .problem(404);

    let reply = f
        .post(&path, "coordinator-city", serde_json::json!({}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let new = reply.json()["access_code"].as_str().unwrap().to_string();
    assert_eq!(new.len(), 6);

    if new != old {
        f.call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code={old}"),
            None,
            None,
        )
        .await
        .problem(404);
    }
    let reply = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code={new}"),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    let shown = f
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await;
    let text = shown.text();
    let timeline = shown.json()["timeline"].clone();
    let reissued: Vec<_> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.to_string().contains("access_code_reissued"))
        .collect();
    assert_eq!(reissued.len(), 1, "{timeline}");
    assert!(
        reissued[0].to_string().contains("coordinator-city"),
        "{}",
        reissued[0]
    );
    assert!(!text.contains("argon2"), "{text}");
    assert!(!text.contains("access_code_hash"), "{text}");
    assert!(!text.contains(&new), "the new code is answered once only");
}
