//! Group commit and concurrency: many writers at once, all durable; appends to one case
//! serialize; a claim hands each entry out once; a failed commit poisons the store without
//! losing anything acknowledged; errors name the file.

mod support;

use greenlane_engine::case::CaseStatusKind;
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use greenlane_engine::case::{Event, Recorded, Timestamp};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId};
use greenlane_runtime::ports::{
    Backend, CaseIndex, DeadlineIndex, EventStream, Holder, OutboxCursor, QueueEntry, TaskKey,
    TaskQueue,
};
use greenlane_runtime::StoreError;
use greenlane_sqlite::SqliteBackend;
use support::TempBackend;

fn at(minutes: i64) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn recorded(n: usize) -> Recorded {
    Recorded {
        at: at(n as i64),
        by: PrincipalId::new("officer-1"),
        event: Event::TaskApproved {
            task: TaskId::new(format!("t{n}")),
            opinion: None,
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_are_grouped_and_all_durable() {
    const CASES: usize = 500;
    const EACH: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let store = Arc::new(SqliteBackend::open(&path).unwrap());
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..CASES {
        let store = store.clone();
        tasks.spawn(async move {
            let case = CaseId::new(format!("case-{c:04}"));
            for n in 0..EACH {
                let version = store
                    .events()
                    .append(&case, n as u64, &[recorded(n)], CaseStatusKind::Open)
                    .await
                    .unwrap();
                assert_eq!(version, n as u64 + 1);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let stats = store.writer_stats();
    assert_eq!(stats.writes, (CASES * EACH) as u64);
    assert!(
        stats.batches * 4 < stats.writes,
        "writes share commits: {stats:?}"
    );
    drop(tasks);
    let store = Arc::into_inner(store).expect("every task is done");
    drop(store);

    let store = SqliteBackend::open(&path).unwrap();
    let all = store.events().cases(None, None, CASES + 1).await.unwrap();
    assert_eq!(all.len(), CASES);
    for record in &all {
        assert_eq!(record.version, EACH as u64, "{}", record.case);
        let events = store.events().load(&record.case).await.unwrap();
        assert_eq!(events, (0..EACH).map(recorded).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn calls_made_before_awaiting_share_one_commit() {
    let store = TempBackend::new();
    let events = store.backend.events();
    let cases: Vec<CaseId> = (0..100).map(|i| CaseId::new(format!("c{i}"))).collect();
    let event = [recorded(0)];
    let pending: Vec<_> = cases
        .iter()
        .map(|case| events.append(case, 0, &event, CaseStatusKind::Open))
        .collect();
    for append in pending {
        assert_eq!(append.await.unwrap(), 1);
    }
    let stats = store.backend.writer_stats();
    assert_eq!(stats.writes, 100);
    // The writer may start committing before the last call is made, so the number of
    // batches depends on timing; sharing shows as far fewer commits than writes.
    assert!(stats.batches <= 50, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_to_one_case_serialize() {
    const WRITERS: usize = 16;
    const EACH: usize = 10;
    let store = Arc::new(TempBackend::new());
    let case = CaseId::new("contended");
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..WRITERS {
        let (store, case) = (store.clone(), case.clone());
        tasks.spawn(async move {
            let mut conflicts = 0;
            let mut done = 0;
            while done < EACH {
                let version = store.events().load(&case).await.unwrap().len() as u64;
                let event = recorded(w * 1000 + done);
                match store
                    .events()
                    .append(&case, version, &[event], CaseStatusKind::Open)
                    .await
                {
                    Ok(_) => done += 1,
                    Err(StoreError::Conflict { .. }) => conflicts += 1,
                    Err(other) => panic!("{other}"),
                }
            }
            conflicts
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let events = store.events().load(&case).await.unwrap();
    assert_eq!(events.len(), WRITERS * EACH, "every append once, none lost");
    let distinct: BTreeSet<String> = events.iter().map(|e| format!("{:?}", e.event)).collect();
    assert_eq!(distinct.len(), WRITERS * EACH, "no event stored twice");
    assert_eq!(
        store.events().record(&case).await.unwrap().unwrap().version,
        (WRITERS * EACH) as u64
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_entry_is_claimed_once() {
    const ENTRIES: usize = 200;
    let store = Arc::new(TempBackend::new());
    let tax = DepartmentId::new("tax");
    let entries: Vec<QueueEntry> = (0..ENTRIES)
        .map(|i| QueueEntry {
            key: TaskKey::new(&CaseId::new(format!("c{i:03}")), &TaskId::new("t")),
            department: tax.clone(),
            due: NaiveDate::from_ymd_opt(2026, 3, 1 + (i % 28) as u32).unwrap(),
            dispatched_at: at(i as i64),
            holder: Holder::Free,
        })
        .collect();
    store.queue().dispatch(&entries).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for o in 0..20 {
        let (store, tax) = (store.clone(), tax.clone());
        tasks.spawn(async move {
            let officer = PrincipalId::new(format!("officer-{o}"));
            let mut mine = Vec::new();
            while let Some(entry) = store
                .queue()
                .claim_next(&tax, &officer, at(60))
                .await
                .unwrap()
            {
                mine.push(entry.key);
            }
            mine
        });
    }
    let mut claimed = Vec::new();
    while let Some(mine) = tasks.join_next().await {
        claimed.extend(mine.unwrap());
    }
    let distinct: BTreeSet<_> = claimed.iter().cloned().collect();
    assert_eq!(claimed.len(), ENTRIES, "every entry claimed");
    assert_eq!(distinct.len(), ENTRIES, "none twice");
}

#[tokio::test]
async fn mark_applied_does_not_wait_but_reads_see_it() {
    let store = TempBackend::new();
    let events = store.backend.events();
    let case = CaseId::new("c");
    events
        .append(&case, 0, &[recorded(0)], CaseStatusKind::Open)
        .await
        .unwrap();
    let mark = events.mark_applied(&case, 0, 1);
    // The future is ready at once: polling it once completes it.
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut mark = std::pin::pin!(mark);
    assert!(matches!(
        mark.as_mut().poll(&mut cx),
        std::task::Poll::Ready(Ok(()))
    ));
    assert!(events.unapplied(10).await.unwrap().is_empty());
    assert_eq!(events.record(&case).await.unwrap().unwrap().applied, 1);
}

#[tokio::test]
async fn a_failed_commit_poisons_the_store_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let good = CaseId::new("good");
    let boom = CaseId::new("boom");
    {
        let store = SqliteBackend::open(&path).unwrap();
        store.deadlines().schedule(&good, at(1)).await.unwrap();
        store
            .events()
            .append(&good, 0, &[recorded(0)], CaseStatusKind::Open)
            .await
            .unwrap();
        // Another connection makes the next write of `boom` fail inside the batch.
        let sabotage = rusqlite::Connection::open(&path).unwrap();
        sabotage
            .execute_batch(
                "CREATE TRIGGER fail_boom BEFORE INSERT ON deadlines
                 WHEN NEW.case_id = 'boom' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
            )
            .unwrap();
        drop(sabotage);
        let failed = store.deadlines().schedule(&boom, at(2)).await;
        match failed {
            Err(StoreError::Backend(message)) => {
                assert!(message.contains("injected failure"), "{message}");
                assert!(message.contains("g.db"), "names the file: {message}");
            }
            other => panic!("the failed commit is reported: {other:?}"),
        }
        let refused = store
            .events()
            .append(&good, 1, &[recorded(1)], CaseStatusKind::Open)
            .await;
        match refused {
            Err(StoreError::Failed(error)) => {
                let message = error.to_string();
                assert!(message.contains("refuses writes"), "{message}")
            }
            other => panic!("a poisoned store refuses writes: {other:?}"),
        }
        let refused = store.queue().ack(&[]).await;
        assert!(refused.is_err(), "every port refuses: {refused:?}");
        // Reads still work.
        assert_eq!(store.events().load(&good).await.unwrap().len(), 1);
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER fail_boom").unwrap();
    drop(conn);
    let store = SqliteBackend::open(&path).unwrap();
    assert_eq!(store.deadlines().get(&good).await.unwrap(), Some(at(1)));
    assert_eq!(
        store.deadlines().get(&boom).await.unwrap(),
        None,
        "rolled back"
    );
    assert_eq!(store.events().load(&good).await.unwrap(), [recorded(0)]);
    store
        .events()
        .append(&good, 1, &[recorded(1)], CaseStatusKind::Open)
        .await
        .expect("a reopened store writes again");
}

#[test]
fn a_file_is_open_in_one_backend_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let first = SqliteBackend::open(&path).unwrap();
    match SqliteBackend::open(&path) {
        Err(StoreError::Failed(error)) => {
            let message = error.to_string();
            assert!(message.contains("already open"), "{message}");
            assert!(message.contains("g.db"), "{message}");
        }
        other => panic!("a second open is refused: {other:?}"),
    }
    drop(first);
    SqliteBackend::open(&path).expect("free again once the first is dropped");
}

#[tokio::test]
async fn errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").join("g.db");
    match SqliteBackend::open(&missing) {
        Err(error @ StoreError::Failed(_)) => {
            let message = error.to_string();
            assert!(message.contains("no-such-dir"), "{message}");
            assert!(
                std::error::Error::source(&error).is_some(),
                "the adapter's error is the source: {error:?}"
            );
        }
        other => panic!("{other:?}"),
    }

    let path = dir.path().join("g.db");
    let case = CaseId::new("c");
    {
        let store = SqliteBackend::open(&path).unwrap();
        store
            .events()
            .append(&case, 0, &[recorded(0)], CaseStatusKind::Open)
            .await
            .unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE events SET json = '{\"not\": \"an event\"}'", [])
        .unwrap();
    drop(conn);
    let store = SqliteBackend::open(&path).unwrap();
    match store.events().load(&case).await {
        Err(StoreError::Corrupt { message, .. }) => {
            assert!(message.contains("g.db"), "{message}");
            assert!(message.contains("event 1 of case c"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
