//! Conformance of the runtime over a backend: whole cases, from launch to issuance, with
//! leases, deadlines, supplements, rejections, restarts and injected failures.

use greenlane_engine::case::CaseStatusKind;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::case::{CaseStatus, Command, Event, Recorded, Rejection, TaskStatus};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_engine::supervision::AlertLevel;
use greenlane_runtime::ports::{
    Backend, CaseIndex, Clock, DeadlineIndex, DefinitionSource, Holder, ManualClock, Notifier,
    OutboxCursor, RecordingNotifier, TaskKey, TaskQueue,
};
use greenlane_runtime::{Runtime, RuntimeConfig, RuntimeError};

use crate::faults::{Faults, FaultyBackend, FaultyNotifier, Op};
use crate::workloads::staged_source;

const CENTER: &str = "city";

/// A runtime over a backend with a manual clock and a recording notifier, and the people
/// of the test workflow `joint`: intake (window) → `s1-t1`, `s1-t2`, `s1-t3` (`dept-1` …
/// `dept-3`) in parallel → issue (window).
pub struct Harness<B: Backend> {
    /// The backend, kept across restarts.
    pub backend: Arc<B>,
    /// The clock, at Monday 2026-03-02 09:00 in Shanghai to begin with.
    pub clock: Arc<ManualClock>,
    /// Every escalation delivered.
    pub notifier: Arc<RecordingNotifier>,
    /// The current runtime.
    pub runtime: Runtime<B>,
    /// The coordinator.
    pub coordinator: Principal,
}

impl<B: Backend> Harness<B> {
    /// A harness over `backend` with `joint` published.
    pub async fn new(backend: Arc<B>) -> Harness<B> {
        let notifier = Arc::new(RecordingNotifier::default());
        Harness::with_notifier(backend, notifier.clone(), notifier).await
    }

    /// A harness whose runtime delivers through `notify`, recording into `notifier`.
    pub async fn with_notifier(
        backend: Arc<B>,
        notifier: Arc<RecordingNotifier>,
        notify: Arc<dyn Notifier>,
    ) -> Harness<B> {
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
        ));
        let runtime = runtime(&backend, &clock, notify);
        let harness = Harness {
            backend,
            clock,
            notifier,
            runtime,
            coordinator: Principal::new("coordinator-1", Role::Coordinator, CENTER),
        };
        if harness.runtime.latest_version(&workflow()).await.is_err() {
            harness
                .runtime
                .publish(joint(), &PrincipalId::new("policy-1"))
                .await
                .expect("joint publishes");
        }
        harness
    }

    /// A new runtime over the same backend, as after a crash, recovered.
    pub async fn restart(&mut self, notify: Arc<dyn Notifier>) {
        self.runtime = runtime(&self.backend, &self.clock, notify);
        self.runtime.recover().await.expect("recovery");
    }

    /// An officer of `department`.
    pub fn officer(&self, department: &str) -> Principal {
        Principal::officer(&format!("officer-{department}"), department, CENTER)
    }

    /// Launches a `joint` case.
    pub async fn launch(&self) -> CaseId {
        let launched = self
            .runtime
            .launch(
                &self.coordinator,
                crate::access::launch_request(&workflow(), serde_json::json!({})),
            )
            .await
            .expect("launch");
        assert_eq!(
            launched.dispatched,
            [TaskId::new("intake")],
            "only intake at launch"
        );
        launched.case
    }

    /// The officer of `department` claims the next task and approves it.
    pub async fn claim_and_approve(&self, department: &str) -> Option<(CaseId, TaskId)> {
        let officer = self.officer(department);
        let claimed = self
            .runtime
            .claim_next(&officer, None)
            .await
            .expect("claim")?;
        let approve = Command::approve(claimed.task.clone());
        self.runtime
            .execute(&claimed.case, &officer, approve)
            .await
            .expect("approve");
        Some((claimed.case, claimed.task))
    }

    /// Claims and approves until every queue of the workflow is empty.
    pub async fn drain(&self) -> Vec<(CaseId, TaskId)> {
        let mut approved = Vec::new();
        loop {
            let mut progress = false;
            for department in ["window", "dept-1", "dept-2", "dept-3"] {
                while let Some(done) = self.claim_and_approve(department).await {
                    approved.push(done);
                    progress = true;
                }
            }
            if !progress {
                return approved;
            }
        }
    }

    /// Free entries in `department`'s queue.
    pub async fn depth(&self, department: &str) -> usize {
        self.backend
            .queue()
            .depth(&DepartmentId::new(department))
            .await
            .unwrap()
    }

    /// The timeline of `case`.
    pub async fn timeline(&self, case: &CaseId) -> Vec<Recorded> {
        self.runtime.timeline(case).await.unwrap()
    }
}

fn runtime<B: Backend>(
    backend: &Arc<B>,
    clock: &Arc<ManualClock>,
    notify: Arc<dyn Notifier>,
) -> Runtime<B> {
    let mut config = RuntimeConfig::new(CENTER, cn_calendars());
    config.seed = Some(42);
    Runtime::new(backend.clone(), clock.clone(), notify, config)
}

fn workflow() -> WorkflowId {
    WorkflowId::new("joint")
}

fn joint() -> DefinitionSource {
    staged_source("joint", &[3])
}

fn count(timeline: &[Recorded], pick: impl Fn(&Event) -> bool) -> usize {
    timeline.iter().filter(|r| pick(&r.event)).count()
}

/// Every task of `joint` is approved exactly once in `timeline`.
fn assert_each_approved_once(timeline: &[Recorded], step: &str) {
    for task in ["intake", "s1-t1", "s1-t2", "s1-t3", "issue"] {
        let approvals = count(
            timeline,
            |e| matches!(e, Event::TaskApproved { task: t, .. } if t.as_str() == task),
        );
        assert_eq!(approvals, 1, "{step}: {task} approved exactly once");
    }
}

/// Launch dispatches the tasks with no needs at once; approvals fan out to every ready task
/// at once and join before issuance; every task is approved exactly once.
pub async fn fan_out_and_join<B: Backend>(backend: Arc<B>) {
    let h = Harness::new(backend).await;
    let case = h.launch().await;
    assert_eq!(h.depth("window").await, 1);
    assert_eq!(
        h.depth("dept-1").await,
        0,
        "nothing else before intake is approved"
    );

    let (_, intake) = h.claim_and_approve("window").await.unwrap();
    assert_eq!(intake.as_str(), "intake");
    let timeline = h.timeline(&case).await;
    let last = &timeline[timeline.len() - 3..];
    assert!(
        last.iter()
            .all(|r| matches!(r.event, Event::TaskReady { .. })),
        "the three parallel tasks become ready in the same command: {last:?}"
    );
    for department in ["dept-1", "dept-2", "dept-3"] {
        assert_eq!(
            h.depth(department).await,
            1,
            "{department} got its task at once"
        );
    }
    h.claim_and_approve("dept-1").await.unwrap();
    h.claim_and_approve("dept-2").await.unwrap();
    assert_eq!(
        h.depth("window").await,
        0,
        "issuance waits for every parallel task"
    );
    h.claim_and_approve("dept-3").await.unwrap();
    assert_eq!(h.depth("window").await, 1, "the join dispatches issuance");
    h.claim_and_approve("window").await.unwrap();

    let state = h.runtime.case(&case).await.unwrap();
    assert!(
        matches!(state.status, CaseStatus::Completed { .. }),
        "{:?}",
        state.status
    );
    h.runtime
        .execute(&case, &h.coordinator, Command::Issue)
        .await
        .expect("issue");
    let timeline = h.timeline(&case).await;
    assert_each_approved_once(&timeline, "fan-out and join");
    assert_eq!(count(&timeline, |e| matches!(e, Event::CaseCompleted)), 1);
    assert_eq!(count(&timeline, |e| matches!(e, Event::CaseIssued)), 1);
    for department in ["window", "dept-1", "dept-2", "dept-3"] {
        let inbox = h
            .runtime
            .inbox(&DepartmentId::new(department))
            .await
            .unwrap();
        assert!(
            inbox.is_empty(),
            "{department}'s inbox is empty after completion"
        );
    }
    assert_eq!(
        h.backend.deadlines().get(&case).await.unwrap(),
        None,
        "a closed case has no deadline check"
    );
    let record = h.backend.events().record(&case).await.unwrap().unwrap();
    assert_eq!(record.status, CaseStatusKind::Issued);
}

/// Commands that are not allowed are rejected with a reason and change nothing.
pub async fn rejections_change_nothing<B: Backend>(backend: Arc<B>) {
    let h = Harness::new(backend).await;
    let case = h.launch().await;
    h.claim_and_approve("window").await.unwrap();
    let before = h.timeline(&case).await.len();

    let wrong = h
        .runtime
        .claim(&h.officer("dept-2"), &case, &TaskId::new("s1-t1"), None)
        .await;
    assert!(
        matches!(
            wrong,
            Err(RuntimeError::Rejected(Rejection::WrongDepartment { .. }))
        ),
        "{wrong:?}"
    );
    let unclaimed = h
        .runtime
        .execute(
            &case,
            &h.officer("dept-1"),
            Command::approve(TaskId::new("s1-t1")),
        )
        .await;
    assert!(
        matches!(unclaimed, Err(RuntimeError::Rejected(_))),
        "{unclaimed:?}"
    );
    let unfinished = h
        .runtime
        .execute(&case, &h.coordinator, Command::Issue)
        .await;
    assert!(
        matches!(unfinished, Err(RuntimeError::Rejected(_))),
        "{unfinished:?}"
    );
    let officer_launch = h
        .runtime
        .launch(
            &h.officer("dept-1"),
            crate::access::launch_request(&workflow(), serde_json::json!({})),
        )
        .await;
    assert!(
        matches!(
            officer_launch,
            Err(RuntimeError::Rejected(Rejection::Forbidden { .. }))
        ),
        "{officer_launch:?}"
    );
    assert_eq!(
        h.timeline(&case).await.len(),
        before,
        "nothing was recorded"
    );
    assert_eq!(h.depth("dept-1").await, 1, "the queue is untouched");

    // A launch under an id that exists, by a node that does not hold the case in memory.
    h.runtime.forget(&case);
    let again = h
        .runtime
        .execute(
            &case,
            &h.coordinator,
            Command::Launch {
                case: case.clone(),
                workflow: workflow(),
                version: 1,
                application: serde_json::json!({}),
                time_zone: "Asia/Shanghai".into(),
                access_code_hash: String::new(),
            },
        )
        .await;
    assert!(
        matches!(
            again,
            Err(RuntimeError::Rejected(Rejection::AlreadyLaunched))
        ),
        "{again:?}"
    );
    assert_eq!(
        h.timeline(&case).await.len(),
        before,
        "nothing was recorded"
    );
    assert_eq!(h.depth("dept-1").await, 1, "the queue is untouched");

    let nobody = CaseId::new("no-such-case");
    let unknown = h
        .runtime
        .execute(&nobody, &h.coordinator, Command::Issue)
        .await;
    assert!(
        matches!(unknown, Err(RuntimeError::UnknownCase(_))),
        "{unknown:?}"
    );
    let missing = h
        .runtime
        .launch(
            &h.coordinator,
            crate::access::launch_request(&WorkflowId::new("nope"), serde_json::json!({})),
        )
        .await;
    assert!(
        matches!(missing, Err(RuntimeError::UnknownWorkflow(_))),
        "{missing:?}"
    );

    let mut broken = joint();
    broken.workflow = broken
        .workflow
        .replace("department: dept-2", "department: dept-99");
    let refused = h
        .runtime
        .publish(broken, &PrincipalId::new("policy-1"))
        .await;
    let Err(RuntimeError::Invalid(diagnostics)) = refused else {
        panic!("an unknown department is refused: {refused:?}");
    };
    assert!(
        diagnostics.to_string().contains("joint.yaml:"),
        "{diagnostics}"
    );
    assert!(diagnostics.to_string().contains("dept-99"), "{diagnostics}");
    assert_eq!(
        h.runtime.latest_version(&workflow()).await.unwrap(),
        1,
        "nothing published"
    );
}

/// A lease that runs out puts the task back for another officer.
pub async fn leases<B: Backend>(backend: Arc<B>) {
    let h = Harness::new(backend).await;
    let case = h.launch().await;
    h.claim_and_approve("window").await.unwrap();
    let first = h.officer("dept-1");
    let claimed = h
        .runtime
        .claim_next(&first, Some(Duration::minutes(10)))
        .await
        .unwrap()
        .unwrap();
    let key = TaskKey::new(&case, &claimed.task);
    assert!(matches!(
        h.backend.queue().get(&key).await.unwrap().unwrap().holder,
        Holder::Lease { .. }
    ));
    h.clock.advance(Duration::minutes(5));
    assert_eq!(h.runtime.tick().await.unwrap().leases_expired, 0, "not yet");
    h.clock.advance(Duration::minutes(6));
    assert_eq!(h.runtime.tick().await.unwrap().leases_expired, 1);
    let state = h.runtime.case(&case).await.unwrap();
    assert_eq!(state.task("s1-t1").unwrap().status, TaskStatus::Ready);
    assert_eq!(h.depth("dept-1").await, 1, "back in the queue");
    let late = h
        .runtime
        .execute(&case, &first, Command::approve(claimed.task.clone()))
        .await;
    assert!(
        matches!(late, Err(RuntimeError::Rejected(_))),
        "an expired lease cannot approve"
    );

    let second = Principal::officer("officer-2", "dept-1", CENTER);
    let again = h.runtime.claim_next(&second, None).await.unwrap().unwrap();
    assert_eq!(again.task, claimed.task, "another officer gets it");
    let timeline = h.timeline(&case).await;
    assert_eq!(
        count(&timeline, |e| matches!(e, Event::LeaseExpired { .. })),
        1
    );
}

/// A deferred claim: the queue holds the lease and the case records it with the decision,
/// in one append, at the instant it was made. A decision the case refuses leaves the lease
/// standing; the lease runs out as any other; a claim by name takes the task from its
/// holder, whose decision is then refused.
pub async fn deferred_claims<B: Backend>(backend: Arc<B>) {
    let h = Harness::new(backend).await;
    let case = h.launch().await;
    h.claim_and_approve("window").await.unwrap();
    let before = h.runtime.case(&case).await.unwrap().version;
    let officer = h.officer("dept-1");
    let claimed = h
        .runtime
        .claim_next_deferred(&officer, Some(Duration::minutes(10)))
        .await
        .unwrap()
        .expect("dept-1 has a task");
    assert!(!claimed.recorded);
    assert_eq!(claimed.task, TaskId::new("s1-t1"));
    assert_eq!(
        claimed.lease_until,
        claimed.claimed_at + Duration::minutes(10)
    );
    let key = TaskKey::new(&case, &claimed.task);
    let entry = h.backend.queue().get(&key).await.unwrap().unwrap();
    assert_eq!(
        entry.holder,
        Holder::Lease {
            officer: officer.id.clone(),
            until: claimed.lease_until,
        },
        "the queue holds the lease"
    );
    assert_eq!(h.depth("dept-1").await, 0, "nobody else gets it");
    let state = h.runtime.case(&case).await.unwrap();
    assert_eq!(state.version, before, "nothing recorded on the case yet");
    assert_eq!(state.task("s1-t1").unwrap().status, TaskStatus::Ready);

    let other_task = Command::approve(TaskId::new("s1-t2"));
    let wrong = h
        .runtime
        .decide_claimed(&officer, &claimed, other_task)
        .await;
    assert!(
        matches!(&wrong, Err(RuntimeError::Rejected(Rejection::Invalid(m))) if m.contains("s1-t1")),
        "only the claimed task: {wrong:?}"
    );
    let no_materials = Command::RequestSupplement {
        task: claimed.task.clone(),
        materials: vec![" ".into()],
    };
    let refused = h
        .runtime
        .decide_claimed(&officer, &claimed, no_materials)
        .await;
    assert!(
        matches!(refused, Err(RuntimeError::Rejected(Rejection::NoMaterials))),
        "{refused:?}"
    );
    assert_eq!(h.runtime.case(&case).await.unwrap().version, before);
    assert_eq!(
        h.backend.queue().get(&key).await.unwrap().unwrap().holder,
        entry.holder,
        "a refused decision leaves the lease"
    );

    h.clock.advance(Duration::minutes(3));
    let approve = Command::approve(claimed.task.clone());
    let outcome = h
        .runtime
        .decide_claimed(&officer, &claimed, approve)
        .await
        .unwrap();
    assert_eq!(outcome.version, before + outcome.recorded.len() as u64);
    assert!(
        matches!(
            &outcome.recorded[0],
            Recorded { at, event: Event::TaskClaimed { officer: o, lease_until, .. }, .. }
                if *at == claimed.claimed_at && o == &officer.id && *lease_until == claimed.lease_until
        ),
        "the claim, at the instant it was made: {:?}",
        outcome.recorded[0]
    );
    assert!(matches!(
        &outcome.recorded[1],
        Recorded { at, event: Event::TaskApproved { .. }, .. } if *at == h.clock.now()
    ));
    assert!(
        h.backend.queue().get(&key).await.unwrap().is_none(),
        "acknowledged"
    );
    let timeline = h.timeline(&case).await;
    assert_eq!(
        timeline.len() as u64,
        outcome.version,
        "stored in one append"
    );

    // A deferred lease runs out: the tick offers the task again, and the late decision is
    // refused.
    let second = h.officer("dept-2");
    let late_claim = h
        .runtime
        .claim_next_deferred(&second, Some(Duration::minutes(10)))
        .await
        .unwrap()
        .unwrap();
    h.clock.advance(Duration::minutes(11));
    assert_eq!(h.runtime.tick().await.unwrap().leases_expired, 1);
    assert_eq!(h.depth("dept-2").await, 1, "back in the queue");
    let late = h
        .runtime
        .decide_claimed(
            &second,
            &late_claim,
            Command::approve(late_claim.task.clone()),
        )
        .await;
    assert!(
        matches!(
            late,
            Err(RuntimeError::Rejected(Rejection::LeaseExpired { .. }))
        ),
        "an expired lease cannot approve: {late:?}"
    );

    // Two officers: one holds a deferred claim, the other claims the task by name. The
    // claim by name is recorded; the deferred holder's decision is refused, once.
    let colleague = Principal::officer("officer-2b", "dept-2", CENTER);
    let deferred = h
        .runtime
        .claim_next_deferred(&colleague, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deferred.task, late_claim.task);
    h.runtime
        .claim(&second, &case, &deferred.task, None)
        .await
        .unwrap();
    let lost = h
        .runtime
        .decide_claimed(
            &colleague,
            &deferred,
            Command::approve(deferred.task.clone()),
        )
        .await;
    assert!(
        matches!(&lost, Err(RuntimeError::Rejected(Rejection::ClaimedByOther { holder, .. })) if holder == &second.id),
        "{lost:?}"
    );
    let key = TaskKey::new(&case, &deferred.task);
    assert!(
        matches!(
            h.backend.queue().get(&key).await.unwrap().unwrap().holder,
            Holder::Lease { officer, .. } if officer == second.id
        ),
        "the queue follows the recorded claim"
    );
    h.runtime
        .execute(&case, &second, Command::approve(deferred.task.clone()))
        .await
        .unwrap();
    let timeline = h.timeline(&case).await;
    assert_eq!(
        count(
            &timeline,
            |e| matches!(e, Event::TaskApproved { task, .. } if task.as_str() == "s1-t2")
        ),
        1,
        "approved once"
    );

    // An officer working through a queue: each decision takes the next task with it.
    let (first, second_case) = (h.launch().await, h.launch().await);
    let window = h.officer("window");
    let claimed = h
        .runtime
        .claim_next_deferred(&window, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.case, first, "dispatched first, claimed first");
    h.clock.advance(Duration::minutes(1));
    let approve = |c: &greenlane_runtime::ClaimedTask| Command::approve(c.task.clone());
    let (outcome, next) = h
        .runtime
        .decide_and_claim_next(&window, &claimed, approve(&claimed), None)
        .await
        .unwrap();
    assert!(matches!(
        outcome.recorded[1].event,
        Event::TaskApproved { .. }
    ));
    let next = next.expect("the second intake comes with the decision");
    assert_eq!((&next.case, next.recorded), (&second_case, false));
    assert_eq!(next.claimed_at, h.clock.now());
    assert!(matches!(
        h.backend.queue().get(&TaskKey::new(&second_case, &next.task)).await.unwrap().unwrap().holder,
        Holder::Lease { officer, .. } if officer == window.id
    ));
    let (_, none) = h
        .runtime
        .decide_and_claim_next(&window, &next, approve(&next), None)
        .await
        .unwrap();
    assert!(none.is_none(), "nothing left for the window");
    for case in [&first, &second_case] {
        let state = h.runtime.case(case).await.unwrap();
        assert!(
            matches!(
                state.task("intake").unwrap().status,
                TaskStatus::Approved { .. }
            ),
            "{case}"
        );
    }
    assert_eq!(h.depth("dept-1").await, 2, "both cases went on");
}

/// Warnings and cards fire once each, at the end of the day in Shanghai, and are delivered
/// once; closed cases leave the deadline index.
pub async fn deadlines_and_alerts<B: Backend>(backend: Arc<B>) {
    let h = Harness::new(backend).await;
    let case = h.launch().await;
    h.claim_and_approve("window").await.unwrap();
    // Ready Monday 2026-03-02 with 5 committed days: due Monday 03-09; the warning (1 day
    // left) fires at the end of Friday 03-06 in Shanghai, 16:00 UTC.
    let warning_at = Utc.with_ymd_and_hms(2026, 3, 6, 16, 0, 0).unwrap();
    assert_eq!(
        h.backend.deadlines().get(&case).await.unwrap(),
        Some(warning_at)
    );
    h.clock.set(warning_at - Duration::seconds(1));
    assert_eq!(
        h.runtime.tick().await.unwrap().alerts,
        0,
        "not before the end of the day"
    );
    h.clock.set(warning_at);
    let tick = h.runtime.tick().await.unwrap();
    assert_eq!(tick.alerts, 3, "one warning per open task: {tick:?}");
    assert_eq!(h.runtime.tick().await.unwrap().alerts, 0, "fired once");

    h.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).unwrap());
    let tick = h.runtime.tick().await.unwrap();
    let timeline = h.timeline(&case).await;
    let yellow = count(&timeline, |e| {
        matches!(
            e,
            Event::AlertRaised {
                level: AlertLevel::Yellow,
                ..
            }
        )
    });
    assert_eq!(
        yellow, 3,
        "a yellow card per task past its committed limit: {tick:?}"
    );
    assert!(
        count(&timeline, |e| matches!(e, Event::CaseAtRisk { .. })) >= 1,
        "the projected completion slipped"
    );
    h.runtime.tick().await.unwrap();
    let delivered = h.notifier.delivered();
    let raised = count(&h.timeline(&case).await, |e| {
        matches!(e, Event::AlertRaised { .. } | Event::CaseAtRisk { .. })
    });
    assert_eq!(delivered.len(), raised, "every alert delivered");
    assert_eq!(h.notifier.repeats(), 0, "and only once");

    h.drain().await;
    assert_eq!(h.backend.deadlines().get(&case).await.unwrap(), None);
}

/// A supplement holds the task and its clock; a rejection closes the case and withdraws the
/// other tasks from their queues.
pub async fn supplements_and_rejection<B: Backend>(backend: Arc<B>) {
    let h = Harness::new(backend).await;
    let case = h.launch().await;
    h.claim_and_approve("window").await.unwrap();
    let officer = h.officer("dept-1");
    let claimed = h.runtime.claim_next(&officer, None).await.unwrap().unwrap();
    let key = TaskKey::new(&case, &claimed.task);
    let request = Command::RequestSupplement {
        task: claimed.task.clone(),
        materials: vec!["营业执照副本 / business licence copy".into()],
    };
    h.runtime.execute(&case, &officer, request).await.unwrap();
    assert!(matches!(
        h.backend.queue().get(&key).await.unwrap().unwrap().holder,
        Holder::Held { .. }
    ));
    h.clock.advance(Duration::hours(2));
    h.runtime.tick().await.unwrap();
    assert!(
        matches!(
            h.backend.queue().get(&key).await.unwrap().unwrap().holder,
            Holder::Held { .. }
        ),
        "a held task never expires"
    );
    let submit = Command::SubmitSupplement {
        task: claimed.task.clone(),
    };
    h.runtime
        .execute(&case, &h.coordinator, submit)
        .await
        .unwrap();
    assert_eq!(
        h.backend.queue().get(&key).await.unwrap().unwrap().holder,
        Holder::Free
    );

    let claimed = h.runtime.claim_next(&officer, None).await.unwrap().unwrap();
    let reject = Command::Reject {
        task: claimed.task,
        reason: "不符合产业政策 / against industrial policy".into(),
    };
    h.runtime.execute(&case, &officer, reject).await.unwrap();
    for department in ["dept-1", "dept-2", "dept-3"] {
        let inbox = h
            .runtime
            .inbox(&DepartmentId::new(department))
            .await
            .unwrap();
        assert!(
            inbox.is_empty(),
            "{department}: withdrawn tasks leave the queue"
        );
    }
    let timeline = h.timeline(&case).await;
    assert_eq!(
        count(&timeline, |e| matches!(e, Event::TaskWithdrawn { .. })),
        3
    );
    assert_eq!(h.backend.deadlines().get(&case).await.unwrap(), None);
}

/// A new runtime over the same backend carries on where the old one stopped.
pub async fn restart_mid_case<B: Backend>(backend: Arc<B>) {
    let mut h = Harness::new(backend).await;
    let case = h.launch().await;
    h.claim_and_approve("window").await.unwrap();
    h.claim_and_approve("dept-1").await.unwrap();
    let held = h
        .runtime
        .claim_next(&h.officer("dept-2"), None)
        .await
        .unwrap()
        .unwrap();
    h.restart(h.notifier.clone()).await;
    let officer = h.officer("dept-2");
    h.runtime
        .execute(&case, &officer, Command::approve(held.task))
        .await
        .expect("the claim survived the restart");
    h.drain().await;
    let state = h.runtime.case(&case).await.unwrap();
    assert!(
        matches!(state.status, CaseStatus::Completed { .. }),
        "{:?}",
        state.status
    );
}

/// A failure between any two steps (as a crash there would leave it) is completed by
/// recovery: nothing lost, nothing done twice.
pub async fn crash_recovery<B: Backend>(fresh: impl Fn() -> Arc<B>) {
    for (op, nth, step) in [
        (
            Op::Dispatch,
            1,
            "dispatch after the intake approval was recorded",
        ),
        (Op::Ack, 1, "ack after an approval was recorded"),
        (Op::Lease, 1, "lease after a claim was recorded"),
        (Op::Schedule, 1, "deadline index after a claim"),
        (Op::MarkApplied, 1, "outbox cursor after the effects"),
        (Op::Append, 2, "append of the intake approval"),
    ] {
        crash_at(fresh(), op, nth, step).await;
    }
    crash_between_alert_and_notification(fresh()).await;
    failed_effects_stay_behind_a_later_command(fresh()).await;
}

/// The dispatches after the intake approval fail; a later command on the case succeeds
/// before any recovery. Its cursor move must not pass the failed effects.
async fn failed_effects_stay_behind_a_later_command<B: Backend>(inner: Arc<B>) {
    let faults = Arc::new(Faults::default());
    let backend = Arc::new(FaultyBackend::new(inner, faults.clone()));
    let h = Harness::new(backend).await;
    let case = h.launch().await;
    faults.arm(Op::Dispatch, 1);
    h.claim_and_approve("window")
        .await
        .expect("the approval is recorded although its dispatches fail");
    assert_eq!(faults.fired(), [Op::Dispatch]);
    assert_eq!(h.depth("dept-1").await, 0, "nothing was dispatched");
    faults.clear();
    h.runtime
        .claim(&h.officer("dept-1"), &case, &TaskId::new("s1-t1"), None)
        .await
        .expect("a claim by name needs no queue entry");
    let lagging = h.backend.events().unapplied(10).await.unwrap();
    assert_eq!(
        lagging.iter().map(|l| &l.case).collect::<Vec<_>>(),
        [&case],
        "the case still lags behind the failed dispatches"
    );
    assert_eq!(h.runtime.complete_effects().await.unwrap(), 1);
    assert_eq!(h.depth("dept-2").await, 1, "recovery dispatched s1-t2");
    assert!(h.backend.events().unapplied(10).await.unwrap().is_empty());
}

async fn crash_at<B: Backend>(inner: Arc<B>, op: Op, nth: usize, step: &str) {
    let faults = Arc::new(Faults::default());
    let backend = Arc::new(FaultyBackend::new(inner, faults.clone()));
    let mut h = Harness::new(backend).await;
    let case = h.launch().await;
    faults.arm(op, nth);
    let officer = h.officer("window");
    let claimed = if op == Op::Lease {
        // A claim by name writes the lease; one taken from the queue leased it already.
        let intake = TaskId::new("intake");
        h.runtime
            .claim(&officer, &case, &intake, None)
            .await
            .map(Some)
    } else {
        h.runtime.claim_next(&officer, None).await
    };
    let approved = match claimed {
        Ok(Some(claimed)) => {
            h.runtime
                .execute(&case, &officer, Command::approve(claimed.task))
                .await
        }
        Ok(None) => panic!("{step}: intake was dispatched"),
        Err(error) => Err(error),
    };
    assert_eq!(faults.fired(), [op], "{step}: the fault fired");
    if op == Op::Append {
        assert!(
            approved.is_err(),
            "{step}: a failed append fails the command"
        );
        let state = h.runtime.case(&case).await.unwrap();
        assert!(
            !matches!(
                state.task("intake").unwrap().status,
                TaskStatus::Approved { .. }
            ),
            "{step}: nothing recorded"
        );
    }
    faults.clear();
    h.restart(h.notifier.clone()).await;
    if op == Op::Append {
        // The officer was told the approval failed, still holds the claim, and retries.
        let retry = Command::approve(TaskId::new("intake"));
        h.runtime
            .execute(&case, &officer, retry)
            .await
            .expect("retry");
    }
    let approved = h.drain().await;
    let state = h.runtime.case(&case).await.unwrap();
    assert!(
        matches!(state.status, CaseStatus::Completed { .. }),
        "{step}: the case completes after recovery: {:?} (approved {approved:?})",
        state.status
    );
    let timeline = h.timeline(&case).await;
    assert_each_approved_once(&timeline, step);
    for department in ["window", "dept-1", "dept-2", "dept-3"] {
        assert_eq!(h.depth(department).await, 0, "{step}: {department} drained");
    }
}

async fn crash_between_alert_and_notification<B: Backend>(backend: Arc<B>) {
    let faults = Arc::new(Faults::default());
    let recording = Arc::new(RecordingNotifier::default());
    let failing = Arc::new(FaultyNotifier::new(recording.clone(), faults.clone()));
    let mut h = Harness::with_notifier(backend, recording.clone(), failing).await;
    let case = h.launch().await;
    h.claim_and_approve("window").await.unwrap();
    faults.arm(Op::Notify, 1);
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 7, 0, 0, 0).unwrap());
    h.runtime.tick().await.unwrap();
    assert_eq!(faults.fired(), [Op::Notify]);
    let raised = count(&h.timeline(&case).await, |e| {
        matches!(e, Event::AlertRaised { .. })
    });
    assert_eq!(raised, 3, "the alerts are recorded");
    // The tick itself completes lagging effects after its checks; a restart finds nothing
    // left to deliver.
    assert_eq!(
        recording.delivered().len(),
        raised,
        "the failed delivery was completed"
    );
    h.restart(recording.clone()).await;
    assert_eq!(recording.delivered().len(), raised);
    assert_eq!(recording.repeats(), 0, "nothing delivered twice");
}
