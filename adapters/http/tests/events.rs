//! Live events over server-sent events, through the router: a subscribed coordinator gets
//! an approval; an officer of another department does not (its first message is the next
//! task of its own department, sent after the approval); a sibling center's coordinator
//! sees only its own center's cases.

mod common;

use std::time::Duration;

use axum::body::Body;
use common::{request, Fixture};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// An open event stream.
struct Subscription(Body);

impl Subscription {
    async fn open(f: &Fixture, who: &str, query: &str) -> Subscription {
        let response = f
            .router()
            .oneshot(request(
                "GET",
                &format!("/api/v1/events{query}"),
                Some(who),
                None,
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Subscription(response.into_body())
    }

    /// The next message (`event:`, `id:` and `data:` lines); fails after 5 s.
    async fn next(&mut self) -> String {
        let mut text = String::new();
        while !text.contains("\n\n") {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.0.frame())
                .await
                .expect("a message within 5 s")
                .expect("the stream is open")
                .unwrap();
            if let Ok(data) = frame.into_data() {
                text.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
        text
    }

    /// Messages until one of `kind`, which is returned.
    async fn until(&mut self, kind: &str) -> String {
        loop {
            let message = self.next().await;
            if message.contains(&format!("event: {kind}\n")) {
                return message;
            }
        }
    }
}

#[tokio::test]
async fn an_approval_reaches_the_coordinator_and_not_another_departments_officer() {
    let f = Fixture::new().await;
    let mut coordinator = Subscription::open(&f, "coordinator-city", "").await;
    let mut market = Subscription::open(&f, "officer-market-regulation", "").await;
    let mut sibling = Subscription::open(&f, "coordinator-chuanying", "").await;

    let case = f.launch_company().await;
    let intake = format!("/api/v1/cases/{case}/tasks/intake");
    let officer = Some("officer-service-center");
    assert_eq!(
        f.call("POST", &format!("{intake}/claim"), officer, None)
            .await
            .status,
        200
    );
    assert_eq!(
        f.call("POST", &format!("{intake}/approve"), officer, None)
            .await
            .status,
        200
    );

    let launched = coordinator.next().await;
    assert!(launched.starts_with("event: launched\n"), "{launched}");
    assert!(launched.contains(&format!("id: {case}#1\n")), "{launched}");
    let approval = coordinator.until("task_approved").await;
    assert!(approval.contains("\"task\":\"intake\""), "{approval}");
    assert!(
        approval.contains("\"by\":\"officer-service-center\""),
        "{approval}"
    );
    assert!(
        approval.contains("\"department\":\"service-center\""),
        "{approval}"
    );

    // The market officer's first message is its own department's next task: the window's
    // claim and approval before it were not sent to it.
    let first = market.next().await;
    assert!(first.starts_with("event: task_ready\n"), "{first}");
    assert!(first.contains("\"task\":\"name-check\""), "{first}");
    assert!(
        first.contains("\"department\":\"market-regulation\""),
        "{first}"
    );

    // The sibling center sees its own case, and nothing of the city's before it.
    let own = f
        .launch(
            "coordinator-chuanying",
            "enterprise-registration",
            "enterprise-registration-limited-company.json",
        )
        .await;
    let message = sibling.next().await;
    assert!(message.starts_with("event: launched\n"), "{message}");
    assert!(message.contains(own["case"].as_str().unwrap()), "{message}");
}

#[tokio::test]
async fn a_subscription_can_follow_one_case_and_ends_when_the_server_stops() {
    let f = Fixture::new().await;
    let first = f.launch_company().await;
    let mut follow = Subscription::open(&f, "supervisor-city", &format!("?case={first}")).await;
    let _other = f.launch_company().await;
    let window = Some("officer-service-center");
    f.call(
        "POST",
        &format!("/api/v1/cases/{first}/tasks/intake/claim"),
        window,
        None,
    )
    .await;
    let message = follow.next().await;
    assert!(message.starts_with("event: task_claimed\n"), "{message}");
    assert!(message.contains(&first), "{message}");

    f.app.close();
    let end = tokio::time::timeout(Duration::from_secs(5), follow.0.frame())
        .await
        .expect("the stream ends when the server stops");
    assert!(end.is_none(), "no more messages");
}

#[tokio::test]
async fn no_view_or_stream_carries_the_access_code_or_its_hash() {
    let f = Fixture::new().await;
    let mut stream = Subscription::open(&f, "coordinator-city", "").await;
    let launched = f
        .launch(
            "coordinator-city",
            "enterprise-registration",
            "enterprise-registration-limited-company.json",
        )
        .await;
    let case = launched["case"].as_str().unwrap().to_string();
    let code = launched["access_code"].as_str().unwrap().to_string();
    let hash = f
        .app
        .runtime()
        .case(&greenlane_engine::ids::CaseId::new(case.as_str()))
        .await
        .unwrap()
        .access_code_hash;
    assert!(!hash.is_empty());
    let message = stream.until("launched").await;
    let mut seen = vec![message];
    for who in [
        "coordinator-city",
        "officer-service-center",
        "supervisor-city",
        "admin",
    ] {
        let reply = f.get(&format!("/api/v1/cases/{case}"), who).await;
        assert_eq!(reply.status, 200, "{who}: {}", reply.text());
        seen.push(reply.text());
    }
    for text in &seen {
        assert!(!text.contains(&hash), "the hash is shown: {text}");
        assert!(!text.contains("access_code_hash"), "{text}");
        assert!(
            !text.contains(&format!("\"{code}\"")),
            "the code is shown: {text}"
        );
    }
    // The launch itself is still there, with its data.
    assert!(seen[0].contains("\"promised_completion\""), "{}", seen[0]);
}
