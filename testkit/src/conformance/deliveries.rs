//! The delivery outbox (`DeliveryOutbox`) and alert delivery over it: enqueueing that
//! ignores known ids, leases that hide a delivery from other deliverers until they end,
//! retries, dead letters and reviving them, forgetting old delivered ids; then a runtime
//! whose alerts go through `OutboxNotifier` and a `Deliverer` over channels that fail:
//! every alert reaches every channel that works, once, and a channel that never works
//! leaves dead letters a supervisor can send again.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{Duration, TimeZone, Utc};
use greenlane_engine::case::{Event, Timestamp};
use greenlane_runtime::delivery::{
    Channels, Deliverer, OutboxNotifier, RetryPolicy, Routes, SendError, SendFuture,
};
use greenlane_runtime::ports::{
    Backend, Clock, Delivery, DeliveryOutbox, Notification, OutboxCounts,
};

use super::Harness;

fn delivery(id: &str, created: Timestamp) -> Delivery {
    Delivery {
        id: id.to_string(),
        notification: format!("case-1#{id}"),
        channel: "hook".into(),
        to: "department_head:dept-1".into(),
        payload: format!(r#"{{"id":"{id}","text":"红牌 {id}"}}"#),
        created,
    }
}

/// The port alone.
pub async fn delivery_outbox<O: DeliveryOutbox>(outbox: &O) {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let second = |n: i64| t0 + Duration::seconds(n);
    let (a, b, c) = (
        delivery("a", second(0)),
        delivery("b", second(1)),
        delivery("c", second(5)),
    );
    assert_eq!(
        outbox
            .enqueue(&[a.clone(), b.clone(), c.clone()])
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        outbox.enqueue(&[a.clone(), b.clone()]).await.unwrap(),
        0,
        "known ids are not added again"
    );
    assert_eq!(
        outbox.counts().await.unwrap(),
        OutboxCounts {
            pending: 3,
            dead: 0
        }
    );
    // Due by creation time; `c` is not due at t0+2.
    let leased = outbox.lease(second(2), second(62), 10).await.unwrap();
    let ids: Vec<&str> = leased.iter().map(|p| p.delivery.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"], "the due ones, earliest first");
    assert_eq!(leased[0].delivery, a, "the delivery reads back as enqueued");
    assert_eq!(
        (leased[0].attempts, leased[0].last_error.as_deref()),
        (0, None)
    );
    assert!(
        outbox
            .lease(second(10), second(1_000), 10)
            .await
            .unwrap()
            .iter()
            .all(|p| p.delivery.id == "c"),
        "a leased delivery is not answered again before its lease ends"
    );
    // The lease of `a` and `b` ends at t0+62: both are due again (as after a crash).
    let again = outbox.lease(second(62), second(122), 1).await.unwrap();
    assert_eq!(again.len(), 1, "at most the limit");
    assert_eq!(again[0].delivery.id, "a");

    outbox.delivered("a", second(63)).await.unwrap();
    outbox
        .retry("b", 1, second(200), "HTTP 503 服务不可用")
        .await
        .unwrap();
    assert!(
        outbox
            .lease(second(199), second(300), 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing is due: a delivered, b later, c leased"
    );
    let b_due = outbox.lease(second(200), second(300), 10).await.unwrap();
    let b_due: Vec<_> = b_due.iter().filter(|p| p.delivery.id == "b").collect();
    assert_eq!(b_due.len(), 1);
    assert_eq!(b_due[0].attempts, 1, "attempts are kept");
    assert_eq!(b_due[0].last_error.as_deref(), Some("HTTP 503 服务不可用"));
    assert_eq!(
        outbox.enqueue(std::slice::from_ref(&a)).await.unwrap(),
        0,
        "a delivered id is not added again"
    );

    outbox.bury("b", 8, second(210), "timed out").await.unwrap();
    let dead = outbox.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (
            dead[0].delivery.id.as_str(),
            dead[0].attempts,
            dead[0].failed_at
        ),
        ("b", 8, second(210))
    );
    assert_eq!(dead[0].error, "timed out");
    assert!(
        outbox
            .lease(second(10_000), second(10_060), 10)
            .await
            .unwrap()
            .iter()
            .all(|p| p.delivery.id != "b"),
        "a dead letter is never leased"
    );
    assert_eq!(
        outbox.counts().await.unwrap(),
        OutboxCounts {
            pending: 1,
            dead: 1
        },
        "c waits, b is dead"
    );
    assert!(
        !outbox.revive("c", second(300)).await.unwrap(),
        "c is not dead"
    );
    assert!(!outbox.revive("nobody", second(300)).await.unwrap());
    assert!(outbox.revive("b", second(300)).await.unwrap());
    assert!(outbox.dead_letters(10).await.unwrap().is_empty());
    let revived = outbox.lease(second(300), second(360), 10).await.unwrap();
    let revived: Vec<_> = revived.iter().filter(|p| p.delivery.id == "b").collect();
    assert_eq!(revived.len(), 1, "a revived letter is due at once");
    assert_eq!(revived[0].attempts, 0, "with its attempts counted anew");

    assert_eq!(
        outbox.forget_delivered(second(63)).await.unwrap(),
        0,
        "not before"
    );
    assert_eq!(outbox.forget_delivered(second(64)).await.unwrap(), 1);
    assert_eq!(
        outbox.enqueue(std::slice::from_ref(&a)).await.unwrap(),
        1,
        "a forgotten id is new again"
    );
}

/// Every notification to two channels, `good` and `bad`, addressed to its first
/// recipient.
struct TwoChannels;

impl Routes for TwoChannels {
    fn deliveries(&self, notification: &Notification, now: Timestamp) -> Vec<Delivery> {
        ["good", "bad"]
            .into_iter()
            .map(|channel| Delivery {
                id: format!("{}/{channel}/head", notification.id),
                notification: notification.id.clone(),
                channel: channel.into(),
                to: "head".into(),
                payload: serde_json::json!({ "case": notification.case.as_str() }).to_string(),
                created: now,
            })
            .collect()
    }
}

/// `good` refuses each delivery's first two attempts, `bad` refuses every attempt; both
/// count what they were sent by delivery id.
#[derive(Default)]
struct Flaky {
    attempts: Mutex<BTreeMap<String, u32>>,
}

impl Channels for Flaky {
    fn send<'a>(&'a self, delivery: &'a Delivery) -> SendFuture<'a> {
        let mut attempts = self.attempts.lock().unwrap();
        let n = attempts.entry(delivery.id.clone()).or_default();
        *n += 1;
        let answer = match delivery.channel.as_str() {
            "good" if *n > 2 => Ok(()),
            _ => Err(SendError(format!("refused attempt {n}"))),
        };
        Box::pin(std::future::ready(answer))
    }
}

/// Alerts of a runtime through the outbox and a deliverer with failing channels.
pub async fn alerts_delivered<B: Backend>(backend: Arc<B>) {
    let notify = Arc::new(OutboxNotifier::new(backend.clone(), Arc::new(TwoChannels)));
    let h = Harness::with_notifier(backend.clone(), Arc::default(), notify).await;
    let clock = h.clock.clone();
    let case = h.launch().await;
    h.claim_and_approve("window").await.unwrap();
    // Past every committed limit: warnings and yellow cards, and the case at risk.
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).unwrap());
    h.runtime.tick().await.unwrap();
    let alerts = h
        .timeline(&case)
        .await
        .iter()
        .filter(|r| {
            matches!(
                r.event,
                Event::AlertRaised { .. } | Event::CaseAtRisk { .. }
            )
        })
        .count();
    assert!(alerts >= 4, "alerts were raised: {alerts}");
    let outbox = backend.deliveries();
    assert_eq!(
        outbox.counts().await.unwrap().pending,
        2 * alerts as u64,
        "one delivery per alert and channel, none sent by the commands"
    );

    let channels = Arc::new(Flaky::default());
    let policy = RetryPolicy {
        max_attempts: 4,
        ..RetryPolicy::default()
    };
    let deliverer = Deliverer::new(
        backend.clone(),
        channels.clone(),
        clock.clone() as Arc<dyn Clock>,
        policy,
    );
    for _ in 0..6 {
        deliverer.round().await.unwrap();
        // Past any back-off of the policy (the longest before the fourth attempt is 8 s).
        h.clock.advance(Duration::seconds(30));
    }
    let attempts = channels.attempts.lock().unwrap().clone();
    let good: Vec<_> = attempts
        .iter()
        .filter(|(id, _)| id.contains("/good/"))
        .collect();
    assert_eq!(
        good.len(),
        alerts,
        "every alert reached the working channel"
    );
    assert!(
        good.iter().all(|(_, n)| **n == 3),
        "each delivered on its third attempt and never again: {good:?}"
    );
    let dead = outbox.dead_letters(100).await.unwrap();
    assert_eq!(
        dead.len(),
        alerts,
        "the failing channel's deliveries are dead letters"
    );
    assert!(dead
        .iter()
        .all(|d| d.attempts == 4 && d.delivery.channel == "bad"));
    assert_eq!(dead[0].error, "refused attempt 4");
    let stats = deliverer.stats().snapshot();
    assert_eq!(
        (
            stats["good"].delivered,
            stats["good"].retried,
            stats["good"].dead
        ),
        (alerts as u64, 2 * alerts as u64, 0)
    );
    assert_eq!(
        (
            stats["bad"].delivered,
            stats["bad"].retried,
            stats["bad"].dead
        ),
        (0, 3 * alerts as u64, alerts as u64)
    );
    assert_eq!(stats["good"].sends(), 3 * alerts as u64);

    // A supervisor sends one again: it is due at once and gets its attempts anew.
    assert!(outbox
        .revive(&dead[0].delivery.id, h.clock.now())
        .await
        .unwrap());
    let report = deliverer.round().await.unwrap();
    assert_eq!((report.leased, report.retried), (1, 1));
}
