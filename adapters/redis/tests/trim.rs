//! Stream entries of tasks done with are not deleted one by one: `compact` (every tick)
//! trims the whole stream nodes older than every live entry. Against a `redis-server` of
//! the test's own: what is trimmed is only what was done with, and every live entry
//! (free, leased, held) can still be claimed, expire, be released and be acked.

mod support;

use chrono::{Duration, TimeZone, Utc};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId};
use greenlane_runtime::ports::{Backend, Holder, QueueEntry, TaskKey, TaskQueue};
use support::RedisServer;

#[tokio::test]
async fn compacting_trims_only_what_was_done_with() {
    let server = RedisServer::start();
    let backend = server.backend("gl").await;
    let queue = backend.queue();
    let tax = DepartmentId::new("tax");
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let entries: Vec<QueueEntry> = (0..250)
        .map(|i| QueueEntry {
            key: TaskKey::new(&CaseId::new(format!("c{i:03}")), &TaskId::new("t1")),
            department: tax.clone(),
            due: t0.date_naive(),
            dispatched_at: t0,
            holder: Holder::Free,
        })
        .collect();
    for chunk in entries.chunks(50) {
        queue.dispatch(chunk).await.unwrap();
    }
    assert_eq!(queue.compact().await.unwrap(), 0, "nothing done with yet");

    // The oldest entry is held (a supplement asked for): it must not keep the rest.
    let clerk = PrincipalId::new("clerk");
    assert!(queue.hold(&entries[0].key, &clerk).await.unwrap());
    // The next 200 are claimed and decided.
    let officer = PrincipalId::new("officer");
    let until = t0 + Duration::minutes(10);
    for expected in &entries[1..201] {
        let claimed = queue.claim_next(&tax, &officer, until).await.unwrap();
        assert_eq!(claimed.map(|e| e.key), Some(expected.key.clone()));
    }
    let decided: Vec<TaskKey> = entries[1..201].iter().map(|e| e.key.clone()).collect();
    queue.ack(&decided).await.unwrap();
    assert_eq!(
        server.stream_len("tax").await,
        250,
        "an ack deletes no stream entry"
    );
    // One more is leased with a lease already over.
    let late = queue.claim_next(&tax, &officer, t0).await.unwrap().unwrap();
    assert_eq!(late.key, entries[201].key);

    let trimmed = queue.compact().await.unwrap();
    assert!(
        trimmed >= 100,
        "whole nodes of decided entries go: {trimmed}"
    );
    assert!(trimmed <= 200, "nothing live goes: {trimmed}");
    assert_eq!(server.stream_len("tax").await, 250 - trimmed as u64);

    // Every live entry still works.
    let now = t0 + Duration::minutes(1);
    let expired = queue.expired(now, 10).await.unwrap();
    assert_eq!(
        expired.iter().map(|e| &e.key).collect::<Vec<_>>(),
        [&entries[201].key],
        "the lease that ran out is still found"
    );
    assert!(queue.release(&entries[201].key).await.unwrap());
    assert_eq!(
        queue.get(&entries[0].key).await.unwrap().map(|e| e.holder),
        Some(Holder::Held {
            officer: clerk.clone()
        })
    );
    assert!(queue.release(&entries[0].key).await.unwrap());
    let mut claimed = Vec::new();
    while let Some(entry) = queue.claim_next(&tax, &officer, until).await.unwrap() {
        claimed.push(entry.key);
    }
    let mut expected: Vec<TaskKey> = entries[201..].iter().map(|e| e.key.clone()).collect();
    expected.push(entries[0].key.clone());
    claimed.sort_by(|a, b| a.case.as_str().cmp(b.case.as_str()));
    expected.sort_by(|a, b| a.case.as_str().cmp(b.case.as_str()));
    assert_eq!(claimed, expected, "each live entry is claimed once");
    queue.ack(&claimed).await.unwrap();
    assert_eq!(queue.inbox(&tax).await.unwrap(), []);

    queue.compact().await.unwrap();
    assert!(
        server.stream_len("tax").await <= 100,
        "with nothing live, at most the last node stays"
    );
}

/// A free entry due later than the ones claimed around it is still live: nothing older
/// than it goes, whichever due day it is in.
#[tokio::test]
async fn a_free_entry_due_later_keeps_what_follows_it() {
    let server = RedisServer::start();
    let backend = server.backend("gl").await;
    let queue = backend.queue();
    let tax = DepartmentId::new("tax");
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let entry = |case: String, due_in_days: i64| QueueEntry {
        key: TaskKey::new(&CaseId::new(case), &TaskId::new("t1")),
        department: tax.clone(),
        due: t0.date_naive() + Duration::days(due_in_days),
        dispatched_at: t0,
        holder: Holder::Free,
    };
    let later = entry("later".into(), 5);
    queue.dispatch(std::slice::from_ref(&later)).await.unwrap();
    let soon: Vec<QueueEntry> = (0..150).map(|i| entry(format!("c{i:03}"), 0)).collect();
    queue.dispatch(&soon).await.unwrap();
    let officer = PrincipalId::new("officer");
    let until = t0 + Duration::minutes(10);
    let mut decided = Vec::new();
    for _ in 0..150 {
        decided.push(
            queue
                .claim_next(&tax, &officer, until)
                .await
                .unwrap()
                .unwrap()
                .key,
        );
    }
    assert!(!decided.contains(&later.key), "the earlier due go first");
    queue.ack(&decided).await.unwrap();
    assert_eq!(
        queue.compact().await.unwrap(),
        0,
        "the oldest entry is live"
    );
    assert_eq!(server.stream_len("tax").await, 151);

    let last = queue
        .claim_next(&tax, &officer, until)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.key, later.key);
    queue.ack(&[last.key]).await.unwrap();
    assert!(queue.compact().await.unwrap() >= 100);
}
