//! Conformance of each port on its own.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use greenlane_engine::case::CaseStatusKind;
use greenlane_engine::case::{Event, Recorded, Timestamp};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId, WorkflowId};

use greenlane_runtime::ports::{
    Backend, CaseIndex, CheckWrite, DeadlineIndex, DefinitionSource, DefinitionStore, Effects,
    EventStream, Holder, NextClaim, OutboxCursor, PublishedDefinition, QueueEntry, QueueMove,
    TaskKey, TaskQueue,
};
use greenlane_runtime::StoreError;

fn at(minutes: i64) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn recorded(minutes: i64, task: &str) -> Recorded {
    Recorded {
        at: at(minutes),
        by: PrincipalId::new("officer-1"),
        event: Event::TaskApproved {
            task: TaskId::new(task),
            opinion: None,
        },
    }
}

/// Append with expected version, load, summaries, the outbox cursor.
pub async fn event_store<E: greenlane_runtime::ports::EventStore>(store: &E) {
    let a = CaseId::new("case-a");
    let b = CaseId::new("case-b");
    assert_eq!(
        store.load(&a).await.unwrap(),
        vec![],
        "an unknown case has no events"
    );
    assert_eq!(
        store.record(&a).await.unwrap(),
        None,
        "an unknown case has no record"
    );

    let first = [recorded(0, "t1"), recorded(1, "t2")];
    assert_eq!(
        store
            .append(&a, 0, &first, CaseStatusKind::Open)
            .await
            .unwrap(),
        2
    );
    let conflict = store
        .append(&a, 0, &[recorded(2, "t3")], CaseStatusKind::Open)
        .await;
    assert!(
        matches!(
            conflict,
            Err(StoreError::Conflict {
                expected: 0,
                actual: 2,
                ..
            })
        ),
        "a stale expected version is a conflict: {conflict:?}"
    );
    assert_eq!(
        store.load(&a).await.unwrap(),
        first,
        "a conflict stores nothing"
    );
    assert!(matches!(
        store
            .append(&a, 3, &[recorded(2, "t3")], CaseStatusKind::Open)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        store
            .append(&a, 2, &[recorded(2, "t3")], CaseStatusKind::Completed)
            .await
            .unwrap(),
        3
    );
    let events = store.load(&a).await.unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(
        events[2],
        recorded(2, "t3"),
        "events come back exactly, oldest first"
    );

    store
        .append(&b, 0, &[recorded(0, "x")], CaseStatusKind::Open)
        .await
        .unwrap();
    let record = store.record(&a).await.unwrap().unwrap();
    assert_eq!(
        (record.version, record.applied, record.status.as_str()),
        (3, 0, "completed")
    );

    let open = store
        .cases(Some(CaseStatusKind::Open), None, 10)
        .await
        .unwrap();
    assert_eq!(
        open.iter().map(|r| r.case.as_str()).collect::<Vec<_>>(),
        ["case-b"]
    );
    let all = store.cases(None, None, 10).await.unwrap();
    assert_eq!(all.len(), 2, "every case without a status filter");
    let page = store.cases(None, Some(&a), 10).await.unwrap();
    assert_eq!(
        page.iter().map(|r| r.case.as_str()).collect::<Vec<_>>(),
        ["case-b"],
        "paging by id"
    );
    assert_eq!(store.cases(None, None, 1).await.unwrap().len(), 1, "limit");

    let mut lagging = store.unapplied(10).await.unwrap();
    lagging.sort_by(|x, y| x.case.cmp(&y.case));
    assert_eq!(lagging.len(), 2, "nothing applied yet: both lag");
    assert_eq!((lagging[0].applied, lagging[0].version), (0, 3));
    store.mark_applied(&a, 0, 3).await.unwrap();
    store.mark_applied(&a, 0, 1).await.unwrap();
    // The effects of b's first event were never carried out: a move from 1 must not pass
    // them.
    store.mark_applied(&b, 1, 1).await.unwrap();
    // The cursor need not be durable when the call returns, but it is visible to reads
    // through the same store once the next durable write has landed.
    store
        .append(&b, 1, &[recorded(3, "y")], CaseStatusKind::Open)
        .await
        .unwrap();
    assert_eq!(
        store.record(&a).await.unwrap().unwrap().applied,
        3,
        "the cursor never moves back"
    );
    assert_eq!(
        store.record(&b).await.unwrap().unwrap().applied,
        0,
        "a cursor behind `from` stays"
    );
    let lagging = store.unapplied(10).await.unwrap();
    assert_eq!(
        lagging.iter().map(|u| u.case.as_str()).collect::<Vec<_>>(),
        ["case-b"]
    );
}

fn entry(case: &str, task: &str, department: &str, due_day: u32, minute: i64) -> QueueEntry {
    QueueEntry {
        key: TaskKey::new(&CaseId::new(case), &TaskId::new(task)),
        department: DepartmentId::new(department),
        due: NaiveDate::from_ymd_opt(2026, 3, due_day).unwrap(),
        dispatched_at: at(minute),
        holder: Holder::Free,
    }
}

/// Dispatch, claims in due order, leases, holds, expiry, acks, inbox.
pub async fn task_queue<Q: TaskQueue>(queue: &Q) {
    let tax = DepartmentId::new("tax");
    let officer = PrincipalId::new("officer-1");
    let other = PrincipalId::new("officer-2");
    let late = entry("c1", "t1", "tax", 20, 0);
    let early = entry("c2", "t1", "tax", 10, 1);
    let same_due_later = entry("c3", "t1", "tax", 10, 2);
    let elsewhere = entry("c1", "t2", "police", 5, 0);
    queue
        .dispatch(&[
            late.clone(),
            early.clone(),
            same_due_later.clone(),
            elsewhere.clone(),
        ])
        .await
        .unwrap();
    queue.dispatch(std::slice::from_ref(&early)).await.unwrap();
    assert_eq!(
        queue.depth(&tax).await.unwrap(),
        3,
        "dispatch is idempotent by key"
    );

    let inbox = queue.inbox(&tax).await.unwrap();
    assert_eq!(
        inbox
            .iter()
            .map(|e| e.key.case.as_str())
            .collect::<Vec<_>>(),
        ["c2", "c3", "c1"],
        "the inbox is due first, then dispatch order"
    );

    let claimed = queue
        .claim_next(&tax, &officer, at(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.key, early.key, "the earliest due is claimed first");
    assert_eq!(
        claimed.holder,
        Holder::Lease {
            officer: officer.clone(),
            until: at(30)
        }
    );
    assert_eq!(
        queue.depth(&tax).await.unwrap(),
        2,
        "a leased entry is not free"
    );
    let second = queue
        .claim_next(&tax, &other, at(40))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        second.key, same_due_later.key,
        "then the one dispatched earlier"
    );
    assert_eq!(
        queue.inbox(&tax).await.unwrap().len(),
        3,
        "the inbox shows leased entries"
    );

    assert!(
        queue.expired(at(29), 10).await.unwrap().is_empty(),
        "no lease ended yet"
    );
    let expired = queue.expired(at(35), 10).await.unwrap();
    assert_eq!(
        expired.iter().map(|e| &e.key).collect::<Vec<_>>(),
        [&early.key]
    );
    assert!(
        queue.lease(&early.key, &officer, at(60)).await.unwrap(),
        "renewal"
    );
    assert!(
        queue.expired(at(35), 10).await.unwrap().is_empty(),
        "a renewed lease is not expired"
    );
    assert_eq!(
        queue.expired(at(45), 10).await.unwrap().len(),
        1,
        "the other one ended"
    );

    assert!(queue.hold(&early.key, &officer).await.unwrap());
    assert!(
        queue
            .expired(at(1000), 10)
            .await
            .unwrap()
            .iter()
            .all(|e| e.key != early.key),
        "a held entry never expires"
    );
    assert!(queue.release(&early.key).await.unwrap());
    assert_eq!(
        queue.get(&early.key).await.unwrap().unwrap().holder,
        Holder::Free
    );
    assert_eq!(
        queue.depth(&tax).await.unwrap(),
        2,
        "released entries are free again"
    );

    queue
        .ack(&[early.key.clone(), early.key.clone()])
        .await
        .unwrap();
    assert_eq!(
        queue.get(&early.key).await.unwrap(),
        None,
        "acked entries are gone"
    );
    assert!(
        !queue.release(&early.key).await.unwrap(),
        "moving a gone entry reports false"
    );
    assert!(!queue.lease(&early.key, &officer, at(1)).await.unwrap());
    queue.ack(std::slice::from_ref(&early.key)).await.unwrap();

    let restored = QueueEntry {
        holder: Holder::Held {
            officer: other.clone(),
        },
        ..early.clone()
    };
    queue.restore(&restored).await.unwrap();
    assert_eq!(
        queue.get(&early.key).await.unwrap(),
        Some(restored),
        "restore puts it exactly"
    );
    let next = queue
        .claim_next(&tax, &officer, at(90))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.key, late.key, "held and leased entries are skipped");
    assert_eq!(
        queue.claim_next(&tax, &officer, at(90)).await.unwrap(),
        None,
        "nothing free"
    );
    assert_eq!(
        queue.depth(&DepartmentId::new("police")).await.unwrap(),
        1,
        "queues are per department"
    );
    assert_eq!(queue.depth(&DepartmentId::new("nobody")).await.unwrap(), 0);
}

/// Due checks in time order, taken once.
pub async fn deadline_index<D: DeadlineIndex>(index: &D) {
    let (a, b, c) = (CaseId::new("a"), CaseId::new("b"), CaseId::new("c"));
    index.schedule(&a, at(30)).await.unwrap();
    index.schedule(&b, at(10)).await.unwrap();
    index.schedule(&c, at(20)).await.unwrap();
    index.schedule(&a, at(5)).await.unwrap();
    assert_eq!(index.len().await.unwrap(), 3, "one entry per case");
    assert_eq!(
        index.get(&a).await.unwrap(),
        Some(at(5)),
        "a schedule replaces the entry"
    );
    index.cancel(&c).await.unwrap();
    index.cancel(&c).await.unwrap();
    assert!(
        index.take_due(at(4), 10).await.unwrap().is_empty(),
        "nothing due yet"
    );
    let due = index.take_due(at(10), 1).await.unwrap();
    assert_eq!(due, vec![(a.clone(), at(5))], "earliest first, limited");
    let due = index.take_due(at(100), 10).await.unwrap();
    assert_eq!(
        due,
        vec![(b.clone(), at(10))],
        "cancelled entries never come due"
    );
    assert!(
        index.take_due(at(100), 10).await.unwrap().is_empty(),
        "taken entries are gone"
    );
    assert_eq!(index.len().await.unwrap(), 0);
}

/// Versions from 1, never overwritten.
pub async fn definition_store<S: DefinitionStore>(store: &S) {
    let workflow = WorkflowId::new("wf");
    let definition = |version: u32, text: &str| PublishedDefinition {
        workflow: workflow.clone(),
        version,
        published_at: at(version as i64),
        published_by: PrincipalId::new("policy-1"),
        source: DefinitionSource {
            workflow_name: "wf.yaml".into(),
            workflow: text.into(),
            rules: Some(("wf.rhai".into(), "fn f() { 1 }".into())),
            departments: None,
        },
        samples: vec![serde_json::json!({ "applicant": "吉林化工", "version": version })],
    };
    assert_eq!(store.latest(&workflow).await.unwrap(), 0);
    assert!(
        matches!(
            store.publish(&definition(2, "v2")).await,
            Err(StoreError::Conflict { .. })
        ),
        "versions start at 1"
    );
    store.publish(&definition(1, "v1")).await.unwrap();
    store.publish(&definition(2, "v2")).await.unwrap();
    assert!(
        matches!(
            store.publish(&definition(2, "other")).await,
            Err(StoreError::Conflict { .. })
        ),
        "a version is never overwritten"
    );
    assert_eq!(store.latest(&workflow).await.unwrap(), 2);
    assert_eq!(
        store.get(&workflow, 1).await.unwrap(),
        Some(definition(1, "v1"))
    );
    assert_eq!(store.get(&workflow, 3).await.unwrap(), None);
    assert_eq!(store.get(&workflow, 0).await.unwrap(), None);
    assert_eq!(
        store.workflows().await.unwrap(),
        vec![(workflow.clone(), 2)]
    );
}

/// The append with its effects (`Backend::append_with_effects`): the effects are made,
/// the cursor passes the events only when `settle` says so, and a conflict changes nothing.
pub async fn append_with_effects<B: Backend>(backend: &B) {
    let case = CaseId::new("case-fx");
    let t1 = entry("case-fx", "t1", "dept-a", 9, 0);
    let t2 = entry("case-fx", "t2", "dept-b", 10, 0);
    let dispatch = Effects {
        moves: vec![
            QueueMove::Dispatch(t1.clone()),
            QueueMove::Dispatch(t2.clone()),
        ],
        check: CheckWrite::Schedule(at(60)),
        settle: true,
        claim_next: Some(NextClaim {
            department: t2.department.clone(),
            officer: PrincipalId::new("officer-b"),
            until: at(40),
        }),
    };
    let first = [recorded(0, "a"), recorded(0, "b")];
    let appended = backend
        .append_with_effects(&case, 0, &first, CaseStatusKind::Open, &dispatch)
        .await
        .unwrap();
    assert_eq!(appended.version, 2);
    assert!(appended.effects.is_ok(), "{:?}", appended.effects);
    let t2_leased = QueueEntry {
        holder: Holder::Lease {
            officer: PrincipalId::new("officer-b"),
            until: at(40),
        },
        ..t2.clone()
    };
    assert_eq!(
        appended.claimed.as_ref(),
        Some(&t2_leased),
        "the claim after the effects takes what they dispatched"
    );
    let queue = backend.queue();
    assert_eq!(
        queue.get(&t1.key).await.unwrap(),
        Some(t1.clone()),
        "dispatched"
    );
    assert_eq!(
        queue.get(&t2.key).await.unwrap(),
        Some(t2_leased),
        "dispatched, then leased"
    );
    assert_eq!(
        backend.deadlines().get(&case).await.unwrap(),
        Some(at(60)),
        "the next check is written"
    );

    let undo = Effects {
        moves: vec![QueueMove::Ack {
            key: t1.key.clone(),
            department: t1.department.clone(),
        }],
        check: CheckWrite::Cancel,
        settle: true,
        claim_next: Some(NextClaim {
            department: t1.department.clone(),
            officer: PrincipalId::new("officer-a"),
            until: at(40),
        }),
    };
    let conflict = backend
        .append_with_effects(&case, 1, &[recorded(1, "c")], CaseStatusKind::Open, &undo)
        .await;
    assert!(
        matches!(conflict, Err(StoreError::Conflict { actual: 2, .. })),
        "a stale expected version is a conflict: {conflict:?}"
    );
    assert_eq!(backend.events().load(&case).await.unwrap(), first);
    assert_eq!(
        queue.get(&t1.key).await.unwrap(),
        Some(t1.clone()),
        "a conflict makes no queue move and claims nothing"
    );
    assert_eq!(
        backend.deadlines().get(&case).await.unwrap(),
        Some(at(60)),
        "a conflict writes no check"
    );

    let lease = Holder::Lease {
        officer: PrincipalId::new("officer-1"),
        until: at(30),
    };
    let moves = Effects {
        moves: vec![
            QueueMove::Move {
                key: t1.key.clone(),
                department: t1.department.clone(),
                holder: lease.clone(),
            },
            QueueMove::Ack {
                key: t2.key.clone(),
                department: t2.department.clone(),
            },
        ],
        check: CheckWrite::Keep,
        settle: false,
        claim_next: None,
    };
    let appended = backend
        .append_with_effects(&case, 2, &[recorded(2, "c")], CaseStatusKind::Open, &moves)
        .await
        .unwrap();
    assert_eq!(appended.version, 3);
    assert!(appended.effects.is_ok(), "{:?}", appended.effects);
    assert_eq!(queue.get(&t1.key).await.unwrap().unwrap().holder, lease);
    assert_eq!(queue.get(&t2.key).await.unwrap(), None, "acked");
    assert_eq!(
        backend.deadlines().get(&case).await.unwrap(),
        Some(at(60)),
        "a kept check stays"
    );
    let record = backend.events().record(&case).await.unwrap().unwrap();
    assert_eq!(
        (record.version, record.applied),
        (3, 2),
        "an unsettled append leaves the cursor before its events"
    );
    assert_eq!(
        backend
            .events()
            .unapplied(10)
            .await
            .unwrap()
            .iter()
            .map(|u| u.case.as_str())
            .collect::<Vec<_>>(),
        ["case-fx"],
        "and the case lags"
    );

    backend.events().mark_applied(&case, 2, 3).await.unwrap();
    let finish = Effects {
        moves: vec![QueueMove::Ack {
            key: t1.key.clone(),
            department: t1.department.clone(),
        }],
        check: CheckWrite::Cancel,
        settle: true,
        claim_next: None,
    };
    backend
        .append_with_effects(
            &case,
            3,
            &[recorded(3, "d")],
            CaseStatusKind::Completed,
            &finish,
        )
        .await
        .unwrap();
    // Make sure any cursor move still on its way has landed (see `event_store`).
    backend
        .events()
        .append(
            &CaseId::new("case-fy"),
            0,
            &[recorded(4, "x")],
            CaseStatusKind::Open,
        )
        .await
        .unwrap();
    assert_eq!(queue.get(&t1.key).await.unwrap(), None);
    assert_eq!(
        backend.deadlines().get(&case).await.unwrap(),
        None,
        "cancelled"
    );
    let record = backend.events().record(&case).await.unwrap().unwrap();
    assert_eq!(
        (record.version, record.applied, record.status.as_str()),
        (4, 4, "completed"),
        "a settled append moves the cursor past its events"
    );
}
