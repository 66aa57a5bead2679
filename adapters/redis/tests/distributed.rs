//! Several engine nodes over one Redis: leases that run out on one node are put back by
//! another and redelivered through the department's stream; two officers racing for one
//! task through two nodes (exactly one wins); due deadline checks taken by exactly one
//! node; a definition published on one node announced to the others; and a Redis crash
//! and restart with AOF in the middle of a run, after which no acknowledged command is
//! missing. Each test starts its own `redis-server`.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::case::{Command, Event, Rejection};
use greenlane_engine::ids::{CaseId, PrincipalId, TaskId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_redis::RedisBackend;
use greenlane_runtime::ports::{
    Backend, DeadlineIndex, DefinitionSource, Holder, ManualClock, Notifier, RecordingNotifier,
};
use greenlane_runtime::{Runtime, RuntimeConfig, RuntimeError};
use greenlane_testkit::workloads::staged_source;
use support::RedisServer;

const CENTER: &str = "city";

fn joint() -> DefinitionSource {
    staged_source("joint", &[3])
}

fn workflow() -> WorkflowId {
    WorkflowId::new("joint")
}

/// One engine node: its own connection to Redis (same prefix) and its own runtime.
async fn node(
    server: &RedisServer,
    clock: &Arc<ManualClock>,
    notifier: Arc<dyn Notifier>,
) -> Runtime<RedisBackend> {
    let backend = Arc::new(server.backend("gl").await);
    let mut config = RuntimeConfig::new(CENTER, cn_calendars());
    config.seed = Some(rand_seed());
    Runtime::new(backend, clock.clone(), notifier, config)
}

/// Distinct seeds per node, so two nodes never draw the same case id.
fn rand_seed() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
    ))
}

fn coordinator() -> Principal {
    Principal::new("coordinator-1", Role::Coordinator, CENTER)
}

async fn publish(runtime: &Runtime<RedisBackend>) {
    runtime
        .publish(joint(), &PrincipalId::new("policy-1"))
        .await
        .expect("joint publishes");
}

/// Launches a case and approves its intake, so `s1-t1` … `s1-t3` are dispatched.
async fn launch_past_intake(runtime: &Runtime<RedisBackend>) -> CaseId {
    let launched = runtime
        .launch(
            &coordinator(),
            greenlane_testkit::access::launch_request(&workflow(), serde_json::json!({})),
        )
        .await
        .expect("launch");
    let window = Principal::officer("officer-window", "window", CENTER);
    let claimed = runtime
        .claim_next(&window, None)
        .await
        .expect("claim")
        .expect("intake is queued");
    runtime
        .execute(&launched.case, &window, Command::approve(claimed.task))
        .await
        .expect("approve intake");
    launched.case
}

fn count(events: &[greenlane_engine::case::Recorded], pick: impl Fn(&Event) -> bool) -> usize {
    events.iter().filter(|r| pick(&r.event)).count()
}

/// XPENDING summary of a department's stream: (pending count, [(officer, count)]).
async fn pending(server: &RedisServer, department: &str) -> (u64, Vec<(String, u64)>) {
    let mut conn = server.connection().await;
    let reply: redis::Value = redis::cmd("XPENDING")
        .arg(format!("gl:q:{{{department}}}:s"))
        .arg("greenlane")
        .query_async(&mut conn)
        .await
        .unwrap();
    let redis::Value::Array(parts) = reply else {
        panic!("XPENDING answers an array: {reply:?}");
    };
    let total: u64 = redis::from_redis_value(parts[0].clone()).unwrap();
    let owners: Vec<(String, u64)> = match &parts[3] {
        redis::Value::Nil => Vec::new(),
        other => {
            let pairs: Vec<(String, String)> = redis::from_redis_value(other.clone()).unwrap();
            pairs
                .into_iter()
                .map(|(officer, n)| (officer, n.parse().unwrap()))
                .collect()
        }
    };
    (total, owners)
}

/// A lease taken on node 1 runs out; node 2's tick puts the task back and another officer
/// claims it on node 2. The stream's pending list follows the holder, and the approved
/// task leaves the stream.
#[tokio::test]
async fn lease_expiry_and_redelivery_across_nodes() {
    let server = RedisServer::start();
    let clock = clock();
    let notifier = Arc::new(RecordingNotifier::default());
    let one = node(&server, &clock, notifier.clone()).await;
    let two = node(&server, &clock, notifier.clone()).await;
    publish(&one).await;
    let case = launch_past_intake(&one).await;

    let first = Principal::officer("officer-a", "dept-1", CENTER);
    let claimed = one
        .claim_next(&first, Some(Duration::minutes(10)))
        .await
        .unwrap()
        .expect("s1-t1 is queued");
    assert_eq!(claimed.task.as_str(), "s1-t1");
    assert_eq!(
        pending(&server, "dept-1").await,
        (1, vec![("officer-a".to_string(), 1)]),
        "the lease is a pending entry owned by the officer"
    );

    clock.advance(Duration::minutes(9));
    assert_eq!(two.tick().await.unwrap().leases_expired, 0, "not yet");
    clock.advance(Duration::minutes(2));
    assert_eq!(
        two.tick().await.unwrap().leases_expired,
        1,
        "node 2 puts back a lease taken on node 1"
    );
    assert_eq!(one.tick().await.unwrap().leases_expired, 0, "and only once");
    assert_eq!(pending(&server, "dept-1").await.0, 0, "released: acked");

    let late = one
        .execute(&case, &first, Command::approve(claimed.task.clone()))
        .await;
    assert!(
        matches!(late, Err(RuntimeError::Rejected(_))),
        "the expired lease cannot approve: {late:?}"
    );

    let second = Principal::officer("officer-b", "dept-1", CENTER);
    let again = two
        .claim_next(&second, None)
        .await
        .unwrap()
        .expect("redelivered");
    assert_eq!(
        (again.case.clone(), again.task.clone()),
        (case.clone(), claimed.task.clone())
    );
    assert_eq!(
        pending(&server, "dept-1").await,
        (1, vec![("officer-b".to_string(), 1)])
    );
    two.execute(&case, &second, Command::approve(again.task))
        .await
        .expect("approve");
    assert_eq!(pending(&server, "dept-1").await.0, 0);
    let report = one.tick().await.unwrap();
    assert_eq!(report.compacted, 1, "{report:?}");
    assert_eq!(
        server.stream_len("dept-1").await,
        0,
        "entries done with leave the stream at the next tick"
    );
    let timeline = one.timeline(&case).await.unwrap();
    assert_eq!(
        count(&timeline, |e| matches!(e, Event::LeaseExpired { .. })),
        1
    );
    assert_eq!(
        count(
            &timeline,
            |e| matches!(e, Event::TaskApproved { task, .. } if task.as_str() == "s1-t1")
        ),
        1
    );
}

/// Two officers claim the same task at the same moment through two nodes: exactly one
/// gets it, the other is told who holds it. Then the winner's approval is submitted
/// through both nodes at once (a double submit): exactly one approval is recorded and
/// the other submission is refused because the task is already approved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_officers_race_for_one_task_through_two_nodes() {
    let server = RedisServer::start();
    let clock = clock();
    let notifier = Arc::new(RecordingNotifier::default());
    let one = Arc::new(node(&server, &clock, notifier.clone()).await);
    let two = Arc::new(node(&server, &clock, notifier.clone()).await);
    publish(&one).await;
    let task = TaskId::new("s1-t1");
    for round in 0..10 {
        let case = launch_past_intake(&one).await;
        // Both nodes know the case before the race, as busy nodes would.
        one.case(&case).await.unwrap();
        two.case(&case).await.unwrap();
        let a = Principal::officer("officer-a", "dept-1", CENTER);
        let b = Principal::officer("officer-b", "dept-1", CENTER);
        let (ra, rb) = tokio::join!(
            {
                let (one, case, task, a) = (one.clone(), case.clone(), task.clone(), a.clone());
                tokio::spawn(async move { one.claim(&a, &case, &task, None).await })
            },
            {
                let (two, case, task, b) = (two.clone(), case.clone(), task.clone(), b.clone());
                tokio::spawn(async move { two.claim(&b, &case, &task, None).await })
            }
        );
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        let winner = match (&ra, &rb) {
            (Ok(_), Err(RuntimeError::Rejected(Rejection::ClaimedByOther { holder, .. }))) => {
                assert_eq!(holder.as_str(), "officer-a", "round {round}");
                a.clone()
            }
            (Err(RuntimeError::Rejected(Rejection::ClaimedByOther { holder, .. })), Ok(_)) => {
                assert_eq!(holder.as_str(), "officer-b", "round {round}");
                b.clone()
            }
            other => panic!("round {round}: exactly one claim wins: {other:?}"),
        };

        let (r1, r2) = tokio::join!(
            {
                let (one, case, task, w) =
                    (one.clone(), case.clone(), task.clone(), winner.clone());
                tokio::spawn(async move { one.execute(&case, &w, Command::approve(task)).await })
            },
            {
                let (two, case, task, w) =
                    (two.clone(), case.clone(), task.clone(), winner.clone());
                tokio::spawn(async move { two.execute(&case, &w, Command::approve(task)).await })
            }
        );
        let results = [r1.unwrap(), r2.unwrap()];
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "round {round}: exactly one approval: {results:?}");
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(
            matches!(refused, RuntimeError::Rejected(Rejection::TaskState { .. })),
            "round {round}: the other is told the task is already decided: {refused:?}"
        );
        let timeline = one.timeline(&case).await.unwrap();
        assert_eq!(
            count(
                &timeline,
                |e| matches!(e, Event::TaskApproved { task: t, .. } if *t == task)
            ),
            1,
            "round {round}"
        );
        assert_eq!(
            count(
                &timeline,
                |e| matches!(e, Event::TaskClaimed { task: t, .. } if *t == task)
            ),
            1,
            "round {round}"
        );
    }
}

/// Due checks taken by several nodes at once: each entry goes to exactly one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_due_check_is_taken_by_exactly_one_node() {
    let server = RedisServer::start();
    let nodes: Vec<Arc<RedisBackend>> = vec![
        Arc::new(server.backend("gl").await),
        Arc::new(server.backend("gl").await),
        Arc::new(server.backend("gl").await),
    ];
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    for i in 0..3_000 {
        nodes[0]
            .deadlines()
            .schedule(
                &CaseId::new(format!("case-{i:05}")),
                at + Duration::seconds(i % 97),
            )
            .await
            .unwrap();
    }
    let takers = nodes.iter().map(|backend| {
        let backend = backend.clone();
        tokio::spawn(async move {
            let mut taken = Vec::new();
            loop {
                let due = backend
                    .deadlines()
                    .take_due(at + Duration::hours(1), 37)
                    .await
                    .unwrap();
                if due.is_empty() {
                    return taken;
                }
                taken.extend(due.into_iter().map(|(case, _)| case));
            }
        })
    });
    let mut all = Vec::new();
    for taker in takers {
        all.extend(taker.await.unwrap());
    }
    let distinct: BTreeSet<_> = all.iter().cloned().collect();
    assert_eq!(all.len(), 3_000, "every entry taken");
    assert_eq!(distinct.len(), 3_000, "none taken twice");
    assert_eq!(nodes[1].deadlines().len().await.unwrap(), 0);
}

/// A version published on one node is announced to another within a second, which
/// launches on it at once; a case launched before stays on its version.
#[tokio::test]
async fn a_published_version_reaches_every_node_and_pins_old_cases() {
    let server = RedisServer::start();
    let clock = clock();
    let notifier = Arc::new(RecordingNotifier::default());
    let one = node(&server, &clock, notifier.clone()).await;
    let two = node(&server, &clock, notifier.clone()).await;
    let mut announcements = two.backend().announcements().await.unwrap();
    publish(&one).await;
    // A liveness bound, not a speed claim (the 1 s figure is measured, not tested).
    let first = tokio::time::timeout(StdDuration::from_secs(10), announcements.next())
        .await
        .expect("announced")
        .expect("a message");
    assert_eq!((first.workflow.clone(), first.version), (workflow(), 1));
    let old = launch_past_intake(&two).await;

    let second = staged_source("joint", &[2]);
    one.publish(second, &PrincipalId::new("policy-1"))
        .await
        .unwrap();
    let next = tokio::time::timeout(StdDuration::from_secs(10), announcements.next())
        .await
        .expect("announced")
        .expect("a message");
    assert_eq!(next.version, 2);
    assert_eq!(two.latest_version(&workflow()).await.unwrap(), 2);
    let new = launch_past_intake(&two).await;
    assert_eq!(two.case(&new).await.unwrap().workflow_version, 2);
    assert_eq!(
        two.case(&new).await.unwrap().tasks.len(),
        4,
        "intake, two, issue"
    );
    let old_state = two.case(&old).await.unwrap();
    assert_eq!(old_state.workflow_version, 1, "pinned to its version");
    assert_eq!(old_state.tasks.len(), 5);
}

/// Redis is killed (SIGKILL) and restarted from its AOF while officers work; every
/// command that was acknowledged before the crash is still there afterwards, and the run
/// completes with every task approved exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restart_with_aof_loses_no_acknowledged_command() {
    let mut server = RedisServer::start();
    let clock = clock();
    let notifier = Arc::new(RecordingNotifier::default());
    let runtime = Arc::new(node(&server, &clock, notifier.clone()).await);
    publish(&runtime).await;
    const CASES: usize = 30;
    let mut cases = Vec::new();
    for _ in 0..CASES {
        let launched = runtime
            .launch(
                &coordinator(),
                greenlane_testkit::access::launch_request(&workflow(), serde_json::json!({})),
            )
            .await
            .expect("launch");
        cases.push(launched.case);
    }

    let acked = Arc::new(std::sync::Mutex::new(Vec::<(CaseId, TaskId)>::new()));
    let failures = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for department in ["window", "dept-1", "dept-2", "dept-3"] {
        let (runtime, acked, stop, failures) = (
            runtime.clone(),
            acked.clone(),
            stop.clone(),
            failures.clone(),
        );
        workers.push(tokio::spawn(async move {
            let officer = Principal::officer(&format!("officer-{department}"), department, CENTER);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let claimed = match runtime.claim_next(&officer, None).await {
                    Ok(Some(claimed)) => (claimed.case, claimed.task),
                    Ok(None) => {
                        // A claim whose answer the crash cut off is still the officer's:
                        // it shows in the inbox as held by them, and they carry on.
                        let inbox = runtime
                            .inbox(&greenlane_engine::ids::DepartmentId::new(department))
                            .await
                            .unwrap_or_default();
                        let mine = inbox.into_iter().find(|e| {
                            matches!(&e.holder, Holder::Lease { officer: o, .. } if *o == officer.id)
                        });
                        match mine {
                            Some(entry) => (entry.key.case, entry.key.task),
                            None => {
                                tokio::time::sleep(StdDuration::from_millis(5)).await;
                                continue;
                            }
                        }
                    }
                    Err(_) => {
                        failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        tokio::time::sleep(StdDuration::from_millis(5)).await;
                        continue;
                    }
                };
                // Retry an approval whose answer was lost until it is acknowledged or
                // refused (a refusal means an earlier try did land).
                loop {
                    let approve = Command::approve(claimed.1.clone());
                    match runtime.execute(&claimed.0, &officer, approve).await {
                        Ok(_) => {
                            acked
                                .lock()
                                .unwrap()
                                .push((claimed.0.clone(), claimed.1.clone()));
                            break;
                        }
                        Err(RuntimeError::Rejected(_)) => break,
                        Err(_) => {
                            failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            tokio::time::sleep(StdDuration::from_millis(20)).await
                        }
                    }
                }
            }
        }));
    }

    // Let some work be acknowledged, then crash Redis in the middle of it.
    while acked.lock().unwrap().len() < 40 {
        tokio::time::sleep(StdDuration::from_millis(2)).await;
    }
    server.kill();
    let before_crash: Vec<(CaseId, TaskId)> = acked.lock().unwrap().clone();
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    server.restart();

    // Every approval acknowledged before the crash survived it.
    let check = server.backend("gl").await;
    let reader = Runtime::new(
        Arc::new(check),
        clock.clone(),
        notifier.clone(),
        RuntimeConfig::new(CENTER, cn_calendars()),
    );
    for (case, task) in &before_crash {
        let timeline = loop {
            match reader.timeline(case).await {
                Ok(timeline) => break timeline,
                Err(_) => tokio::time::sleep(StdDuration::from_millis(20)).await,
            }
        };
        assert!(
            timeline
                .iter()
                .any(|r| matches!(&r.event, Event::TaskApproved { task: t, .. } if t == task)),
            "acknowledged approval of {task} in {case} survived the restart"
        );
    }

    // Effects cut off by the crash are completed by recovery; the run then finishes.
    let deadline = std::time::Instant::now() + StdDuration::from_secs(30);
    loop {
        if runtime.recover().await.is_ok() {
            let mut open = 0;
            for case in &cases {
                let state = runtime.case(case).await.unwrap();
                if state.is_open() {
                    open += 1;
                }
            }
            if open == 0 {
                break;
            }
        }
        if std::time::Instant::now() > deadline {
            for case in &cases {
                let state = runtime.case(case).await.unwrap();
                if state.is_open() {
                    let tasks: Vec<_> = state
                        .tasks
                        .iter()
                        .map(|t| (t.plan.id.clone(), t.status.clone()))
                        .collect();
                    eprintln!("open {case}: {tasks:?}");
                    for t in &state.tasks {
                        let key = greenlane_runtime::ports::TaskKey::new(case, &t.plan.id);
                        eprintln!(
                            "  queue {}: {:?}",
                            t.plan.id,
                            greenlane_runtime::ports::TaskQueue::get(
                                runtime.backend().queue(),
                                &key
                            )
                            .await
                        );
                    }
                }
            }
            eprintln!("recover: {:?}", runtime.recover().await);
            panic!("the run completes after the restart");
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    for case in &cases {
        let timeline = runtime.timeline(case).await.unwrap();
        for task in ["intake", "s1-t1", "s1-t2", "s1-t3", "issue"] {
            assert_eq!(
                count(
                    &timeline,
                    |e| matches!(e, Event::TaskApproved { task: t, .. } if t.as_str() == task)
                ),
                1,
                "{case}: {task} approved exactly once"
            );
        }
    }
    // Calls made while Redis was down either failed (counted) or waited for the
    // connection manager to reconnect.
    eprintln!(
        "calls failed while Redis was down: {}",
        failures.load(std::sync::atomic::Ordering::Relaxed)
    );
    // An approval whose answer the crash cut off is refused on retry, not counted twice.
    assert!(acked.lock().unwrap().len() <= CASES * 5);
}

/// A node whose cached copy of a case is behind (the intake was approved through the other
/// node) still claims the tasks the other node dispatched: the rejection it decides on its
/// stale copy ("not ready") is checked against the stored version, and the case reloaded,
/// instead of standing and dropping the live queue entry.
#[tokio::test]
async fn a_node_with_a_stale_copy_claims_what_another_node_dispatched() {
    let server = RedisServer::start();
    let clock = clock();
    let a = node(&server, &clock, Arc::new(RecordingNotifier::default())).await;
    let b = node(&server, &clock, Arc::new(RecordingNotifier::default())).await;
    publish(&a).await;
    let launched = a
        .launch(
            &coordinator(),
            greenlane_testkit::access::launch_request(&workflow(), serde_json::json!({})),
        )
        .await
        .expect("launch on a");
    let window = Principal::officer("officer-window", "window", CENTER);
    let intake = b
        .claim_next(&window, None)
        .await
        .expect("claim on b")
        .expect("intake is queued");
    b.execute(&launched.case, &window, Command::approve(intake.task))
        .await
        .expect("approve on b");

    let officer = Principal::officer("officer-1", "dept-1", CENTER);
    let claimed = a
        .claim_next(&officer, None)
        .await
        .expect("claim on a")
        .expect("s1-t1 is claimable through a, whose copy was behind");
    assert_eq!(claimed.task, TaskId::new("s1-t1"));
    a.execute(&launched.case, &officer, Command::approve(claimed.task))
        .await
        .expect("approve on a");
}
