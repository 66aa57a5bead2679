//! One command's whole write in one script on one server (`lua/append_effects.lua`): when
//! an effect fails inside the script, the events stay appended, the command has happened,
//! and the case lags until recovery completes the effects. Starts its own `redis-server`.

mod support;

use greenlane_engine::case::CaseStatusKind;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::case::{Command, Event, Recorded, TaskStatus};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_redis::RedisBackend;
use greenlane_runtime::ports::{
    Backend, CheckWrite, Effects, EventStream, LogNotifier, ManualClock, OutboxCursor, TaskQueue,
};
use greenlane_runtime::StoreError;
use greenlane_runtime::{ClaimedTask, Runtime, RuntimeConfig};
use greenlane_testkit::workloads::staged_source;
use support::RedisServer;

const CENTER: &str = "city";

#[tokio::test]
async fn an_effect_failing_inside_the_script_keeps_the_events_and_recovery_completes_it() {
    let server = RedisServer::start();
    let backend = Arc::new(server.backend("gl").await);
    let (runtime, case, window, claimed) = intake_claimed(backend.clone()).await;

    // dept-2's stream key now holds a string: XADD into it fails inside the script.
    let mut redis = server.connection().await;
    let stream = "gl:q:{dept-2}:s";
    let _: () = redis::cmd("SET")
        .arg(stream)
        .arg("not a stream")
        .query_async(&mut redis)
        .await
        .unwrap();

    let approve = Command::approve(claimed.task.clone());
    let outcome = runtime.execute(&case, &window, approve).await;
    assert!(
        outcome.is_ok(),
        "the approval is recorded although an effect failed: {outcome:?}"
    );
    let events = backend.events().load(&case).await.unwrap();
    assert_eq!(
        events.len() as u64,
        outcome.unwrap().version,
        "the events are stored and the summary agrees"
    );
    let lagging = backend.events().unapplied(10).await.unwrap();
    assert_eq!(
        lagging.iter().map(|l| &l.case).collect::<Vec<_>>(),
        [&case],
        "the case lags: its cursor stayed before the approval"
    );
    let state = runtime.case(&case).await.unwrap();
    let task = |id: &str| state.task(id).unwrap().status.clone();
    assert!(matches!(task("intake"), TaskStatus::Approved { .. }));
    assert_eq!(task("s1-t2"), TaskStatus::Ready);
    let queue = backend.queue();
    assert_eq!(
        queue.depth(&DepartmentId::new("dept-2")).await.unwrap(),
        0,
        "dept-2 did not get its task"
    );

    // The key is repaired; recovery carries the approval's effects out again.
    let _: () = redis::cmd("DEL")
        .arg(stream)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(runtime.complete_effects().await.unwrap(), 1);
    assert!(backend.events().unapplied(10).await.unwrap().is_empty());
    for department in ["dept-1", "dept-2"] {
        let inbox = queue.inbox(&DepartmentId::new(department)).await.unwrap();
        assert_eq!(
            inbox.iter().map(|e| e.key.task.clone()).collect::<Vec<_>>(),
            [TaskId::new(if department == "dept-1" {
                "s1-t1"
            } else {
                "s1-t2"
            })],
            "{department} has its task exactly once"
        );
    }
    let officer = Principal::officer("officer-2", "dept-2", CENTER);
    let claimed = runtime.claim_next(&officer, None).await.unwrap().unwrap();
    assert_eq!(claimed.task, TaskId::new("s1-t2"));
}

/// Appends of many cases made at once go out together, many cases per call; a case whose
/// own keys are broken fails alone, and a stale expected version is a conflict for its
/// case only.
#[tokio::test]
async fn appends_made_at_once_share_calls_and_fail_one_by_one() {
    let server = RedisServer::start();
    let backend = Arc::new(server.backend("gl").await);
    let mut redis = server.connection().await;
    // case-7's summary is a list: reading it fails inside the script.
    let _: () = redis::cmd("RPUSH")
        .arg("gl:c:{case-7}:m")
        .arg("not a hash")
        .query_async(&mut redis)
        .await
        .unwrap();
    let fcalls =
        |calls: &std::collections::HashMap<String, u64>| calls.get("fcall").copied().unwrap_or(0);
    let before = fcalls(&command_calls(&mut redis).await);

    let appends: Vec<_> = (0..40)
        .map(|i| {
            let backend = backend.clone();
            tokio::spawn(async move {
                let event = Recorded {
                    at: Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
                    by: PrincipalId::new("officer-1"),
                    event: Event::TaskApproved {
                        task: TaskId::new("t"),
                        opinion: None,
                    },
                };
                let effects = Effects {
                    moves: vec![],
                    check: CheckWrite::Keep,
                    settle: true,
                    claim_next: None,
                };
                let expected = if i == 9 { 5 } else { 0 };
                let case = CaseId::new(format!("case-{i}"));
                backend
                    .append_with_effects(&case, expected, &[event], CaseStatusKind::Open, &effects)
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for append in appends {
        results.push(append.await.unwrap());
    }

    let calls = fcalls(&command_calls(&mut redis).await) - before;
    assert!(calls < 10, "40 appends at once took {calls} calls");
    for (i, result) in results.iter().enumerate() {
        match (i, result) {
            (7, Err(StoreError::Backend(error))) => {
                assert!(error.contains("WRONGTYPE"), "{error}")
            }
            (
                9,
                Err(StoreError::Conflict {
                    expected, actual, ..
                }),
            ) => {
                assert_eq!((*expected, *actual), (5, 0))
            }
            (7 | 9, other) => panic!("case-{i}: {other:?}"),
            (_, Ok(appended)) => {
                assert_eq!(appended.version, 1, "case-{i}");
                assert!(appended.effects.is_ok(), "case-{i}");
            }
            (_, Err(error)) => panic!("case-{i}: {error}"),
        }
    }
    let events = backend.events();
    assert_eq!(events.load(&CaseId::new("case-39")).await.unwrap().len(), 1);
    assert!(events
        .load(&CaseId::new("case-9"))
        .await
        .unwrap()
        .is_empty());
}

/// A connection to one server loads the function library when it opens: the first
/// commands of a busy process find it loaded instead of each loading it, and every
/// script runs as a function (`FCALL`), none as `EVALSHA`.
#[tokio::test]
async fn the_function_library_is_loaded_when_the_connection_opens() {
    let server = RedisServer::start();
    let backend = Arc::new(server.backend("gl").await);
    let mut redis = server.connection().await;
    let at_open = command_calls(&mut redis).await;
    assert_eq!(at_open.get("function|load"), Some(&1), "{at_open:?}");
    assert_eq!(at_open.get("script|load"), None, "{at_open:?}");
    let libraries: Vec<redis::Value> = redis::cmd("FUNCTION")
        .arg("LIST")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(libraries.len(), 1, "one library: {libraries:?}");

    intake_approved(backend).await;
    let calls = command_calls(&mut redis).await;
    assert_eq!(calls.get("function|load"), Some(&1), "not loaded again");
    assert!(calls.get("fcall").is_some_and(|n| *n > 0), "{calls:?}");
    assert_eq!(calls.get("evalsha"), None, "{calls:?}");
    assert_eq!(calls.get("eval"), None, "{calls:?}");
}

/// A server that lost the library (restarted without persistence, or flushed) is sent it
/// again by the next call, which then goes through.
#[tokio::test]
async fn a_server_that_lost_the_library_is_sent_it_again() {
    let server = RedisServer::start();
    let backend = Arc::new(server.backend("gl").await);
    let mut redis = server.connection().await;
    let (runtime, case, window, claimed) = intake_claimed(backend).await;
    let _: () = redis::cmd("FUNCTION")
        .arg("FLUSH")
        .query_async(&mut redis)
        .await
        .unwrap();
    runtime
        .execute(&case, &window, Command::approve(claimed.task))
        .await
        .unwrap();
    let state = runtime.case(&case).await.unwrap();
    assert!(
        state
            .tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Ready)
            .count()
            > 1,
        "the approval went through and dispatched the parallel tasks"
    );
    let calls = command_calls(&mut redis).await;
    assert_eq!(
        calls.get("function|load"),
        Some(&2),
        "loaded again: {calls:?}"
    );
}

/// Launches one case over `backend` (as `intake_claimed`) and approves its intake.
async fn intake_approved(backend: Arc<RedisBackend>) {
    let (runtime, case, window, claimed) = intake_claimed(backend).await;
    runtime
        .execute(&case, &window, Command::approve(claimed.task))
        .await
        .unwrap();
}

/// Calls per command so far (`INFO commandstats`), by command name.
async fn command_calls(
    redis: &mut redis::aio::MultiplexedConnection,
) -> std::collections::HashMap<String, u64> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(redis)
        .await
        .unwrap();
    info.lines()
        .filter_map(|line| {
            let (name, rest) = line.strip_prefix("cmdstat_")?.split_once(":calls=")?;
            Some((name.to_owned(), rest.split(',').next()?.parse().ok()?))
        })
        .collect()
}

/// A runtime over `backend` with `joint` published, one case launched and its intake
/// claimed by the window's officer.
async fn intake_claimed(
    backend: Arc<RedisBackend>,
) -> (Runtime<RedisBackend>, CaseId, Principal, ClaimedTask) {
    let runtime = Runtime::new(
        backend,
        Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
        )),
        Arc::new(LogNotifier),
        RuntimeConfig::new(CENTER, cn_calendars()),
    );
    runtime
        .publish(staged_source("joint", &[2]), &PrincipalId::new("policy-1"))
        .await
        .unwrap();
    let coordinator = Principal::new("coordinator-1", Role::Coordinator, CENTER);
    let case = runtime
        .launch(
            &coordinator,
            greenlane_testkit::access::launch_request(
                &WorkflowId::new("joint"),
                serde_json::json!({}),
            ),
        )
        .await
        .unwrap()
        .case;
    let window = Principal::officer("officer-window", "window", CENTER);
    let claimed = runtime.claim_next(&window, None).await.unwrap().unwrap();
    (runtime, case, window, claimed)
}

/// A server that refuses the library (here a user whose ACL denies `FUNCTION`; likewise a
/// server before Redis 7) is sent the scripts instead, and every command still works.
#[tokio::test]
async fn a_server_that_refuses_functions_gets_scripts() {
    let server = RedisServer::start();
    let mut redis = server.connection().await;
    let _: () = redis::cmd("ACL")
        .arg(
            &[
                "SETUSER",
                "nofunctions",
                "on",
                "nopass",
                "~*",
                "&*",
                "+@all",
                "-function",
            ][..],
        )
        .query_async(&mut redis)
        .await
        .unwrap();
    let url = format!("redis://nofunctions:secret@127.0.0.1:{}/", server.port());
    let backend = Arc::new(
        RedisBackend::connect(greenlane_redis::Target::Single(url), "gl")
            .await
            .unwrap(),
    );
    intake_approved(backend).await;
    let calls = command_calls(&mut redis).await;
    assert!(calls.get("evalsha").is_some_and(|n| *n > 0), "{calls:?}");
    assert_eq!(calls.get("fcall"), None, "{calls:?}");
}
