//! Dead letters of alert delivery through the API: supervisors list those of the centers
//! they oversee (a sub-center's supervisor sees its own, not the city's), send one again
//! (it is pending at once, counted in `/metrics`), and an id they do not oversee, or that
//! is not dead, is a 404 that changes nothing.

mod common;

use chrono::Duration;
use common::Fixture;
use greenlane_runtime::ports::{Backend, Clock, Delivery, DeliveryOutbox};
use serde_json::json;

async fn bury(f: &Fixture, case: &str, center: &str) -> String {
    let outbox = f.app.runtime().backend().deliveries();
    let now = f.clock.now();
    let id = format!("{case}#9/hook/center:{center}");
    let delivery = Delivery {
        id: id.clone(),
        notification: format!("{case}#9"),
        channel: "hook".into(),
        to: format!("center:{center}"),
        payload: json!({ "id": id, "center": center, "text": "【红牌 red card】" }).to_string(),
        created: now - Duration::minutes(30),
    };
    outbox.enqueue(&[delivery]).await.unwrap();
    outbox
        .bury(&id, 8, now, "POST http://10.0.0.5/hook: HTTP 503")
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn supervisors_see_and_resend_the_dead_letters_of_their_centers() {
    let f = Fixture::new().await;
    let city = bury(&f, "jilin-city-1", "jilin-city").await;
    let fengman = bury(&f, "jilin-city-fengman-2", "jilin-city/fengman").await;

    let listed = f
        .get("/api/v1/notifications/dead-letters", "supervisor-city")
        .await
        .json();
    let ids: Vec<&str> = listed["letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "the city oversees its sub-centers: {listed}");
    let letter = &listed["letters"][0];
    assert_eq!(letter["attempts"], 8);
    assert_eq!(letter["error"], "POST http://10.0.0.5/hook: HTTP 503");
    assert_eq!(letter["payload"]["text"], "【红牌 red card】");

    let own = f
        .get("/api/v1/notifications/dead-letters", "supervisor-fengman")
        .await
        .json();
    assert_eq!(own["letters"].as_array().unwrap().len(), 1);
    assert_eq!(own["letters"][0]["id"], fengman.as_str());

    let refused = f
        .post(
            "/api/v1/notifications/dead-letters/retry",
            "supervisor-fengman",
            json!({ "id": city }),
        )
        .await;
    assert!(refused.problem(404)["detail"]
        .as_str()
        .unwrap()
        .contains(&city));
    let outbox = f.app.runtime().backend().deliveries();
    assert_eq!(
        outbox.counts().await.unwrap().dead,
        2,
        "a refusal changes nothing"
    );

    let retried = f
        .post(
            "/api/v1/notifications/dead-letters/retry",
            "supervisor-city",
            json!({ "id": city }),
        )
        .await
        .json();
    assert_eq!(retried, json!({ "id": city, "pending": true }));
    let counts = outbox.counts().await.unwrap();
    assert_eq!((counts.pending, counts.dead), (1, 1));
    let again = f
        .post(
            "/api/v1/notifications/dead-letters/retry",
            "supervisor-city",
            json!({ "id": city }),
        )
        .await;
    again.problem(404);

    let metrics = f.get("/metrics", "supervisor-city").await.text();
    assert!(
        metrics.contains("greenlane_outbox_deliveries{state=\"pending\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("greenlane_outbox_deliveries{state=\"dead\"} 1"));

    let bad = f
        .get(
            "/api/v1/notifications/dead-letters?limit=0",
            "supervisor-city",
        )
        .await;
    assert_eq!(
        bad.problem(400)["detail"],
        "limit: 0 is not between 1 and 1000"
    );
}
