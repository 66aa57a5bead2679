//! The real server on port 0 over TCP: a coordinator launches and reads a case, an officer
//! approves while the coordinator's event stream is open, and a graceful shutdown ends the
//! stream and returns.

mod common;

use std::time::Duration;

use common::{token, Fixture};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_over_tcp_and_stops_gracefully() {
    let f = Fixture::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(greenlane_http::serve(listener, f.app.clone(), async move {
        let _ = stopped.await;
    }));
    let base = format!("http://{address}");
    let client = reqwest::Client::new();
    let bearer = |who: &str| format!("Bearer {}", token(who));

    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    let mut events = client
        .get(format!("{base}/api/v1/events"))
        .header("authorization", bearer("coordinator-city"))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);

    let launched: Value = client
        .post(format!("{base}/api/v1/cases"))
        .header("authorization", bearer("coordinator-city"))
        .json(&json!({ "workflow": "enterprise-registration", "application": common::example("enterprise-registration-limited-company.json") }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let case = launched["case"].as_str().unwrap().to_string();
    let view: Value = client
        .get(format!("{base}/api/v1/cases/{case}"))
        .header("authorization", bearer("coordinator-city"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["tasks"][0]["state"], "ready");
    for action in ["claim", "approve"] {
        let reply = client
            .post(format!("{base}/api/v1/cases/{case}/tasks/intake/{action}"))
            .header("authorization", bearer("officer-service-center"))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
    }
    let mut seen = String::new();
    while !seen.contains("event: task_approved") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), events.chunk())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .expect("the stream is open");
        seen.push_str(std::str::from_utf8(&chunk).unwrap());
    }

    // Every recorded event is counted by kind in the metrics.
    let counted = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let metrics = client
                .get(format!("{base}/metrics"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if metrics.contains("greenlane_events_total{kind=\"task_approved\"} 1") {
                return metrics;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the approval is counted within 5 s");
    assert!(
        counted.contains("greenlane_events_total{kind=\"launched\"} 1"),
        "{counted}"
    );

    // Stop: the open event stream ends and the server returns.
    stop.send(()).unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = events.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the event stream ends on shutdown");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops within 5 s")
        .unwrap()
        .unwrap();
}
