//! `DepartmentClient` against a `redis-server` of the test's own: an engine node launches
//! cases, department clients (each with a runtime of its own, as a department system in
//! another process would have) claim, renew, approve, reject, ask for supplements and
//! release; refusals come back as typed errors naming the task and change nothing.

mod support;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::case::{CaseStatus, Rejection, TaskStatus};
use greenlane_engine::ids::{CaseId, PrincipalId, TaskId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_redis::{department_client, RedisBackend, Target};
use greenlane_runtime::DepartmentError;

type DepartmentClient = greenlane_runtime::DepartmentClient<RedisBackend>;
use greenlane_runtime::ports::{Clock, Holder, LogNotifier, ManualClock};
use greenlane_runtime::{Runtime, RuntimeConfig};
use greenlane_testkit::workloads::staged_source;
use support::RedisServer;

const CENTER: &str = "city";
const PREFIX: &str = "dept";

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
    ))
}

/// The engine node: publishes `joint` (intake at `window`, then `s1-t1` at `dept-1` and
/// `s1-t2` at `dept-2`, then issue at `window`).
async fn node(
    server: &RedisServer,
    clock: &Arc<ManualClock>,
) -> Runtime<greenlane_redis::RedisBackend> {
    let backend = Arc::new(server.backend(PREFIX).await);
    let mut config = RuntimeConfig::new(CENTER, cn_calendars());
    config.seed = Some(7);
    let runtime = Runtime::new(backend, clock.clone(), Arc::new(LogNotifier), config);
    let source = staged_source("joint", &[2]);
    runtime
        .publish(source, &PrincipalId::new("policy-1"))
        .await
        .expect("joint publishes");
    runtime
}

async fn launch(node: &Runtime<greenlane_redis::RedisBackend>) -> CaseId {
    let coordinator = Principal::new("coordinator-1", Role::Coordinator, CENTER);
    node.launch(
        &coordinator,
        greenlane_testkit::access::launch_request(
            &WorkflowId::new("joint"),
            serde_json::json!({ "applicant": "绿道公司" }),
        ),
    )
    .await
    .expect("launch")
    .case
}

async fn client(
    server: &RedisServer,
    clock: &Arc<ManualClock>,
    officer: &str,
    department: &str,
) -> DepartmentClient {
    department_client(
        Target::Single(server.url()),
        PREFIX,
        Principal::officer(officer, department, CENTER),
        RuntimeConfig::new(CENTER, cn_calendars()),
        clock.clone(),
        None,
    )
    .await
    .expect("the client connects")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_claims_sees_and_approves_its_task_and_another_department_cannot() {
    let server = RedisServer::start();
    let clock = clock();
    let node = node(&server, &clock).await;
    let case = launch(&node).await;
    let window = client(&server, &clock, "officer-w", "window").await;
    let other = client(&server, &clock, "officer-1", "dept-1").await;

    assert!(
        other.next(None).await.expect("claim").is_none(),
        "dept-1 has nothing yet"
    );
    let assignment = window
        .next(Some(Duration::minutes(10)))
        .await
        .expect("claim")
        .expect("the intake is queued");
    assert_eq!(assignment.case, case);
    assert_eq!(assignment.task.as_str(), "intake");
    assert_eq!(assignment.department.as_str(), "window");
    assert!(assignment.name.contains("Intake"), "{}", assignment.name);
    assert_eq!(assignment.lease_until, clock.now() + Duration::minutes(10));
    assert!(assignment.committed_due.is_some() && assignment.statutory_due.is_some());
    assert_eq!(assignment.application["applicant"], "绿道公司");
    assert_eq!(assignment.workflow.as_str(), "joint");

    let before = window.case(&case).await.expect("case").version;
    let refused = other
        .approve(&case, &TaskId::new("intake"))
        .await
        .expect_err("another department's task");
    match &refused {
        DepartmentError::Rejected {
            command,
            task,
            rejection: Rejection::WrongDepartment { .. },
            ..
        } => {
            assert_eq!(*command, "approve");
            assert_eq!(task.as_str(), "intake");
        }
        other => panic!("expected a wrong-department rejection, got {other:?}"),
    }
    assert!(refused.to_string().contains("`intake`"), "{refused}");
    assert_eq!(
        window.case(&case).await.unwrap().version,
        before,
        "nothing changed"
    );

    let inbox = window.inbox().await.expect("inbox");
    assert_eq!(inbox.len(), 1);
    assert!(
        matches!(&inbox[0].holder, Holder::Lease { officer, .. } if officer.as_str() == "officer-w")
    );

    window
        .approve(&case, &TaskId::new("intake"))
        .await
        .expect("the holder approves");
    let state = window.case(&case).await.unwrap();
    assert!(matches!(
        state.task("intake").unwrap().status,
        TaskStatus::Approved { ref by, .. } if by.as_str() == "officer-w"
    ));
    // The approval dispatched dept-1's task: its client now finds it.
    let next = other.next(None).await.unwrap().expect("s1-t1 is queued");
    assert_eq!(next.task.as_str(), "s1-t1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renew_extends_a_held_lease_and_refuses_a_task_not_held() {
    let server = RedisServer::start();
    let clock = clock();
    let node = node(&server, &clock).await;
    let case = launch(&node).await;
    let window = client(&server, &clock, "officer-w", "window").await;
    let colleague = client(&server, &clock, "officer-w2", "window").await;
    let intake = TaskId::new("intake");

    let claimed = window
        .next(Some(Duration::minutes(1)))
        .await
        .unwrap()
        .unwrap();
    clock.advance(Duration::seconds(30));
    let renewed = window
        .renew(&case, &intake, Some(Duration::minutes(1)))
        .await
        .expect("renew one's own claim");
    assert!(
        renewed > claimed.lease_until,
        "{renewed} > {}",
        claimed.lease_until
    );

    let refused = colleague
        .renew(&case, &intake, None)
        .await
        .expect_err("a colleague does not hold it");
    assert!(
        matches!(
            &refused,
            DepartmentError::NotHeld {
                status: "claimed",
                ..
            }
        ),
        "{refused:?}"
    );

    // The lease runs out and the node takes the task back: the holder has lost it.
    clock.advance(Duration::minutes(5));
    node.tick().await.expect("tick");
    let lost = window
        .renew(&case, &intake, None)
        .await
        .expect_err("the lease ran out");
    assert!(
        matches!(
            &lost,
            DepartmentError::NotHeld {
                status: "ready",
                ..
            }
        ),
        "{lost:?}"
    );
    let approve = window.approve(&case, &intake).await.expect_err("not held");
    assert!(
        matches!(approve, DepartmentError::Rejected { .. }),
        "{approve:?}"
    );
    // The colleague claims it from the queue.
    let again = colleague
        .next(None)
        .await
        .unwrap()
        .expect("back in the queue");
    assert_eq!(again.task, intake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_supplement_and_reject_go_through_the_engine() {
    let server = RedisServer::start();
    let clock = clock();
    let node = node(&server, &clock).await;
    let first = launch(&node).await;
    let second = launch(&node).await;
    let window = client(&server, &clock, "officer-w", "window").await;
    let intake = TaskId::new("intake");

    // Release everything held: both intakes back in the queue.
    window.next(None).await.unwrap().unwrap();
    window.next(None).await.unwrap().unwrap();
    let released = window.release_all().await.expect("release all");
    assert_eq!(released.len(), 2);
    assert!(window
        .inbox()
        .await
        .unwrap()
        .iter()
        .all(|e| e.holder == Holder::Free));

    window
        .claim(&first, &intake, None)
        .await
        .expect("claim by name");
    let refused = window
        .request_supplement(&first, &intake, Vec::new())
        .await
        .expect_err("no materials");
    assert!(matches!(
        refused,
        DepartmentError::Rejected {
            rejection: Rejection::NoMaterials,
            ..
        }
    ));
    window
        .request_supplement(&first, &intake, vec!["营业执照 business licence".into()])
        .await
        .expect("supplement");
    assert!(matches!(
        window
            .case(&first)
            .await
            .unwrap()
            .task("intake")
            .unwrap()
            .status,
        TaskStatus::Suspended { .. }
    ));

    window.claim(&second, &intake, None).await.unwrap();
    window
        .reject(&second, &intake, "不符合条件 not eligible")
        .await
        .expect("reject");
    assert!(matches!(
        window.case(&second).await.unwrap().status,
        CaseStatus::Rejected { .. }
    ));

    let unknown = window
        .approve(&CaseId::new("no-such-case"), &intake)
        .await
        .expect_err("unknown case");
    assert!(
        matches!(unknown, DepartmentError::UnknownCase(_)),
        "{unknown:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_officer_of_a_department_gets_a_client() {
    let server = RedisServer::start();
    let clock = clock();
    let node = Arc::new(node(&server, &clock).await);
    let coordinator = Principal::new("c-1", Role::Coordinator, CENTER);
    let error = DepartmentClient::new(node.clone(), coordinator).expect_err("coordinator");
    assert!(matches!(
        error,
        DepartmentError::NotAnOfficer {
            role: "coordinator",
            ..
        }
    ));
    let mut officer = Principal::officer("o-1", "window", CENTER);
    officer.department = None;
    assert!(DepartmentClient::new(node.clone(), officer).is_err());
    let client = DepartmentClient::new(node, Principal::officer("o-1", "window", CENTER))
        .expect("an officer of a department");
    assert_eq!(client.department().as_str(), "window");
}
