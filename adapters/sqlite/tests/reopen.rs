//! What survives closing and reopening the file: event streams and case rows, queue
//! entries with their holders and dispatch order, deadline entries, definitions — exactly.

use greenlane_engine::case::CaseStatusKind;
use std::path::Path;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use greenlane_engine::case::{Event, Recorded, Timestamp};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId, WorkflowId};
use greenlane_runtime::ports::{
    Backend, CaseIndex, DeadlineIndex, DefinitionSource, DefinitionStore, EventStream, Holder,
    OutboxCursor, PublishedDefinition, QueueEntry, TaskKey, TaskQueue,
};
use greenlane_runtime::StoreError;
use greenlane_sqlite::SqliteBackend;

fn at(minutes: i64) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn recorded(minutes: i64, task: &str) -> Recorded {
    Recorded {
        // A fraction of a second, so timestamps must come back to the nanosecond.
        at: at(minutes) + Duration::nanoseconds(123_456_789),
        by: PrincipalId::new("officer-1"),
        event: Event::TaskApproved {
            task: TaskId::new(task),
            opinion: None,
        },
    }
}

fn entry(case: &str, task: &str, department: &str, due_day: u32, minute: i64) -> QueueEntry {
    QueueEntry {
        key: TaskKey::new(&CaseId::new(case), &TaskId::new(task)),
        department: DepartmentId::new(department),
        due: NaiveDate::from_ymd_opt(2026, 3, due_day).unwrap(),
        dispatched_at: at(minute) + Duration::microseconds(7),
        holder: Holder::Free,
    }
}

fn open(path: &Path) -> SqliteBackend {
    SqliteBackend::open(path).expect("open")
}

#[tokio::test]
async fn events_and_case_rows_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let a = CaseId::new("case-a");
    let b = CaseId::new("case-b");
    let first = vec![recorded(0, "t1"), recorded(1, "t2")];
    {
        let store = open(&path);
        let events = store.events();
        events
            .append(&a, 0, &first, CaseStatusKind::Open)
            .await
            .unwrap();
        events
            .append(&a, 2, &[recorded(2, "t3")], CaseStatusKind::Completed)
            .await
            .unwrap();
        events
            .append(&b, 0, &[recorded(3, "x")], CaseStatusKind::Open)
            .await
            .unwrap();
        events.mark_applied(&a, 0, 2).await.unwrap();
    }
    let store = open(&path);
    let events = store.events();
    let loaded = events.load(&a).await.unwrap();
    assert_eq!(loaded[..2], first[..]);
    assert_eq!(loaded[2], recorded(2, "t3"));
    let record = events.record(&a).await.unwrap().unwrap();
    assert_eq!(
        (record.version, record.applied, record.status.as_str()),
        (3, 2, "completed"),
        "the cursor was committed when the store closed"
    );
    assert!(
        matches!(
            events
                .append(&a, 0, &[recorded(9, "t9")], CaseStatusKind::Open)
                .await,
            Err(StoreError::Conflict {
                expected: 0,
                actual: 3,
                ..
            })
        ),
        "versions are known again after a reopen"
    );
    assert_eq!(
        events
            .append(&a, 3, &[recorded(9, "t9")], CaseStatusKind::Open)
            .await
            .unwrap(),
        4
    );
    let lagging = events.unapplied(10).await.unwrap();
    assert_eq!(
        lagging
            .iter()
            .map(|u| (u.case.as_str(), u.applied, u.version))
            .collect::<Vec<_>>(),
        [("case-a", 2, 4), ("case-b", 0, 1)]
    );
}

#[tokio::test]
async fn queue_entries_survive_a_reopen_with_holders_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let tax = DepartmentId::new("tax");
    let officer = PrincipalId::new("officer-1");
    let late = entry("c1", "t1", "tax", 20, 0);
    let early = entry("c2", "t1", "tax", 10, 1);
    let same_due = entry("c3", "t1", "tax", 10, 2);
    let same_due_too = entry("c4", "t1", "tax", 10, 3);
    let leased = entry("c5", "t1", "tax", 12, 4);
    let held = entry("c6", "t1", "tax", 11, 5);
    let elsewhere = entry("c1", "t2", "police", 5, 0);
    let (before_inbox, before_police, before_expired) = {
        let store = open(&path);
        let queue = store.queue();
        queue
            .dispatch(&[
                late.clone(),
                early.clone(),
                same_due.clone(),
                same_due_too.clone(),
                leased.clone(),
                held.clone(),
                elsewhere.clone(),
            ])
            .await
            .unwrap();
        assert!(queue.lease(&leased.key, &officer, at(30)).await.unwrap());
        assert!(queue.hold(&held.key, &officer).await.unwrap());
        // A restore moves an entry behind everything dispatched before it.
        queue.restore(&early).await.unwrap();
        // Gone before the reopen: must stay gone.
        queue
            .ack(std::slice::from_ref(&same_due_too.key))
            .await
            .unwrap();
        (
            queue.inbox(&tax).await.unwrap(),
            queue.inbox(&DepartmentId::new("police")).await.unwrap(),
            queue.expired(at(1000), 10).await.unwrap(),
        )
    };
    let store = open(&path);
    let queue = store.queue();
    assert_eq!(
        queue.inbox(&tax).await.unwrap(),
        before_inbox,
        "every entry, exactly"
    );
    assert_eq!(
        queue.inbox(&DepartmentId::new("police")).await.unwrap(),
        before_police
    );
    assert_eq!(queue.expired(at(1000), 10).await.unwrap(), before_expired);
    assert_eq!(
        queue.get(&leased.key).await.unwrap().unwrap().holder,
        Holder::Lease {
            officer: officer.clone(),
            until: at(30)
        }
    );
    assert_eq!(
        queue.get(&held.key).await.unwrap().unwrap().holder,
        Holder::Held {
            officer: officer.clone()
        }
    );
    assert_eq!(queue.get(&same_due_too.key).await.unwrap(), None);
    assert_eq!(
        queue.depth(&tax).await.unwrap(),
        3,
        "late, early, same_due are free"
    );
    // Claims follow due date, then dispatch order as it was before the reopen: `early`
    // was restored after `same_due` was dispatched, so `same_due` goes first.
    let mut claimed = Vec::new();
    while let Some(entry) = queue.claim_next(&tax, &officer, at(60)).await.unwrap() {
        claimed.push(entry.key.case.to_string());
    }
    assert_eq!(claimed, ["c3", "c2", "c1"]);
    drop(store);
    // And the claims themselves were written through.
    let store = open(&path);
    assert_eq!(store.queue().depth(&tax).await.unwrap(), 0);
    assert_eq!(store.queue().expired(at(60), 10).await.unwrap().len(), 4);
}

#[tokio::test]
async fn deadline_entries_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let cases: Vec<CaseId> = (0..20)
        .map(|i| CaseId::new(format!("case-{i:02}")))
        .collect();
    {
        let store = open(&path);
        let index = store.deadlines();
        for (i, case) in cases.iter().enumerate() {
            // Out of order, with sub-second parts.
            let minute = ((i * 7) % 20) as i64;
            index
                .schedule(case, at(minute) + Duration::milliseconds(i as i64))
                .await
                .unwrap();
        }
        index.schedule(&cases[0], at(100)).await.unwrap();
        index.cancel(&cases[1]).await.unwrap();
        let taken = index.take_due(at(2), 100).await.unwrap();
        assert!(!taken.is_empty());
    }
    let expected = {
        // What the same operations give in memory.
        let index = greenlane_runtime::memory::MemoryDeadlines::default();
        for (i, case) in cases.iter().enumerate() {
            let minute = ((i * 7) % 20) as i64;
            index
                .schedule(case, at(minute) + Duration::milliseconds(i as i64))
                .await
                .unwrap();
        }
        index.schedule(&cases[0], at(100)).await.unwrap();
        index.cancel(&cases[1]).await.unwrap();
        index.take_due(at(2), 100).await.unwrap();
        index.take_due(at(1000), 100).await.unwrap()
    };
    let store = open(&path);
    let index = store.deadlines();
    assert_eq!(index.len().await.unwrap(), expected.len());
    assert_eq!(index.get(&cases[0]).await.unwrap(), Some(at(100)));
    assert_eq!(index.get(&cases[1]).await.unwrap(), None);
    assert_eq!(
        index.take_due(at(1000), 100).await.unwrap(),
        expected,
        "the same entries, due in the same order"
    );
    drop(store);
    let store = open(&path);
    assert_eq!(
        store.deadlines().len().await.unwrap(),
        0,
        "taken entries stay taken"
    );
}

#[tokio::test]
async fn definitions_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let definition = |workflow: &str, version: u32| PublishedDefinition {
        workflow: WorkflowId::new(workflow),
        version,
        published_at: at(version as i64),
        published_by: PrincipalId::new("policy-1"),
        source: DefinitionSource {
            workflow_name: format!("{workflow}.yaml"),
            workflow: format!("id: {workflow}\n# version {version}\n"),
            rules: Some((format!("{workflow}.rhai"), "fn f() { 1 }".into())),
            departments: Some("departments: []".into()),
        },
        samples: Vec::new(),
    };
    {
        let store = open(&path);
        let definitions = store.definitions();
        for version in 1..=3 {
            definitions
                .publish(&definition("b", version))
                .await
                .unwrap();
        }
        definitions.publish(&definition("a", 1)).await.unwrap();
    }
    let store = open(&path);
    let definitions = store.definitions();
    assert_eq!(
        definitions.workflows().await.unwrap(),
        [(WorkflowId::new("a"), 1), (WorkflowId::new("b"), 3)]
    );
    assert_eq!(
        definitions.get(&WorkflowId::new("b"), 2).await.unwrap(),
        Some(definition("b", 2))
    );
    assert!(matches!(
        definitions.publish(&definition("b", 3)).await,
        Err(StoreError::Conflict { .. })
    ));
    definitions.publish(&definition("b", 4)).await.unwrap();
    assert_eq!(definitions.latest(&WorkflowId::new("b")).await.unwrap(), 4);
}
