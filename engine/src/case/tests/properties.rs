//! A property test: random workflows (2–8 tasks, edges from lower to higher index, three
//! departments) driven by random actions — claims by the right or the wrong officer,
//! approvals, releases, lease expiry after time jumps, supplement requests and submissions,
//! special procedures and deadline checks — then a phase that finishes everything.
//!
//! Invariants checked after every step: a rejection changes nothing and `decide` is
//! deterministic; a task becomes ready only when all its needs are approved and no task is
//! left waiting once they are; no task is approved, dispatched or carded twice; due dates
//! are the ready date plus the limit plus the paused working days; `CaseCompleted` comes
//! exactly once, in the batch of the last approval; and the history replays to the state.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use proptest::prelude::*;

use super::fixture::*;
use crate::case::{
    replay, CaseStatus, Command, Event, Recorded, Suspension, TaskStatus, Timestamp,
};
use crate::principal::Principal;

/// Which officer acts on a task.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// The first officer of the task's department.
    First,
    /// The second officer of the task's department.
    Second,
    /// An officer of another department.
    Wrong,
}

#[derive(Debug, Clone)]
enum Action {
    Claim(usize, Who, i64),
    Approve(usize, Who),
    Release(usize, Who),
    Expire(usize),
    Request(usize, Who),
    Allow(usize),
    Submit(usize),
    StartSpecial(usize, Who),
    EndSpecial(usize, Who),
    Wait(i64),
    Check,
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![6 => Just(Who::First), 2 => Just(Who::Second), 1 => Just(Who::Wrong)]
}

fn action() -> impl Strategy<Value = Action> {
    let task = 0usize..8;
    prop_oneof![
        4 => (task.clone(), who(), 1i64..48).prop_map(|(t, w, h)| Action::Claim(t, w, h)),
        3 => (task.clone(), who()).prop_map(|(t, w)| Action::Approve(t, w)),
        2 => (task.clone(), who()).prop_map(|(t, w)| Action::Release(t, w)),
        1 => task.clone().prop_map(Action::Expire),
        3 => (task.clone(), who()).prop_map(|(t, w)| Action::Request(t, w)),
        1 => task.clone().prop_map(Action::Allow),
        2 => task.clone().prop_map(Action::Submit),
        2 => (task.clone(), who()).prop_map(|(t, w)| Action::StartSpecial(t, w)),
        2 => (task, who()).prop_map(|(t, w)| Action::EndSpecial(t, w)),
        2 => (1i64..96).prop_map(Action::Wait),
        2 => Just(Action::Check),
    ]
}

/// The workflow: `n` tasks `t0 …`, with departments `d0 … d2` and limits 0–3 days.
#[derive(Debug, Clone)]
struct Shape {
    needs: Vec<Vec<usize>>,
    departments: Vec<usize>,
    committed: Vec<u32>,
}

fn shape() -> impl Strategy<Value = Shape> {
    (2usize..=8)
        .prop_flat_map(|n| {
            (
                Just(n),
                proptest::collection::vec((0..n, 0..n), 0..2 * n),
                proptest::collection::vec(0usize..3, n),
                proptest::collection::vec(0u32..4, n),
            )
        })
        .prop_map(|(n, edges, departments, committed)| {
            let mut needs = vec![Vec::new(); n];
            for (x, y) in edges {
                let (lo, hi) = (x.min(y), x.max(y));
                if lo != hi && !needs[hi].contains(&lo) {
                    needs[hi].push(lo);
                }
            }
            Shape {
                needs,
                departments,
                committed,
            }
        })
}

struct Driver {
    case: Case,
    shape: Shape,
    now: Timestamp,
    ready_events: BTreeSet<String>,
    approvals: BTreeMap<String, usize>,
    alerts: BTreeSet<(String, crate::supervision::AlertLevel)>,
    completed: usize,
}

impl Driver {
    fn new(shape: Shape) -> Driver {
        let specs: Vec<Spec> = (0..shape.needs.len())
            .map(|i| {
                let needs: Vec<String> = shape.needs[i].iter().map(|n| format!("t{n}")).collect();
                let needs: Vec<&str> = needs.iter().map(String::as_str).collect();
                spec(
                    &format!("t{i}"),
                    &format!("d{}", shape.departments[i]),
                    &needs,
                    shape.committed[i],
                    shape.committed[i] * 3,
                )
            })
            .collect();
        let mut driver = Driver {
            case: Case::new(compile(&specs)),
            shape,
            // Monday 2025-03-03.
            now: at("2025-03-03 09:00"),
            ready_events: BTreeSet::new(),
            approvals: BTreeMap::new(),
            alerts: BTreeSet::new(),
            completed: 0,
        };
        driver.step(&coordinator(), launch(application()));
        driver
    }

    fn n(&self) -> usize {
        self.shape.needs.len()
    }

    fn officer(&self, task: usize, who: Who) -> Principal {
        let department = self.shape.departments[task];
        match who {
            Who::First => officer(&format!("o{department}a"), &format!("d{department}")),
            Who::Second => officer(&format!("o{department}b"), &format!("d{department}")),
            Who::Wrong => {
                let other = (department + 1) % 3;
                officer(&format!("o{other}a"), &format!("d{other}"))
            }
        }
    }

    fn act(&mut self, action: &Action) {
        let n = self.n();
        let id = |t: usize| format!("t{}", t % n);
        let (by, command) = match *action {
            Action::Claim(t, w, hours) => (self.officer(t % n, w), claim(&id(t), hours)),
            Action::Approve(t, w) => (self.officer(t % n, w), approve(&id(t))),
            Action::Release(t, w) => (
                self.officer(t % n, w),
                Command::Release { task: id(t).into() },
            ),
            Action::Expire(t) => (system(), Command::ExpireLease { task: id(t).into() }),
            Action::Request(t, w) => (
                self.officer(t % n, w),
                request(&id(t), &["材料 / material"]),
            ),
            Action::Allow(t) => (
                supervisor(),
                Command::AllowSupplement {
                    task: id(t).into(),
                    reason: "allowed".into(),
                },
            ),
            Action::Submit(t) => (coordinator(), submit(&id(t))),
            Action::StartSpecial(t, w) => (self.officer(t % n, w), start_special(&id(t), 3)),
            Action::EndSpecial(t, w) => (self.officer(t % n, w), end_special(&id(t))),
            Action::Wait(hours) => {
                self.now += Duration::hours(hours);
                return;
            }
            Action::Check => (system(), Command::CheckDeadlines),
        };
        let wrong = matches!(
            by.department.as_ref(),
            Some(d) if self.shape.departments[command_task(&command) % n]
                != department_number(d.as_str())
        );
        if wrong && self.case.state().is_open() {
            // The wrong officer is always refused.
            let rejection = self.case.decide(&by, &command, self.now).unwrap_err();
            assert_eq!(super::fixture::variant(&rejection), "WrongDepartment");
        }
        self.step(&by, command);
        self.now += Duration::minutes(7);
    }

    /// Decides and applies one command, checking every invariant.
    fn step(&mut self, by: &Principal, command: Command) -> bool {
        let before = self.case.if_launched().cloned();
        let decided = self.case.decide(by, &command, self.now);
        assert_eq!(
            decided,
            self.case.decide(by, &command, self.now),
            "decide is deterministic"
        );
        let events = match decided {
            Ok(events) => events,
            Err(rejection) => {
                assert_eq!(self.case.if_launched(), before.as_ref());
                assert!(!rejection.to_string().is_empty());
                return false;
            }
        };
        for (position, event) in events.iter().enumerate() {
            if let Event::Launched { .. } = event {
                assert_eq!(position, 0, "a launch comes first");
                self.case.record(Recorded {
                    at: self.now,
                    by: by.id.clone(),
                    event: event.clone(),
                });
                continue;
            }
            let state = self.case.state();
            match event {
                Event::TaskReady { task, .. } => {
                    let t = state.task(task.as_str()).unwrap();
                    assert_eq!(t.status, TaskStatus::Waiting, "{task} dispatched twice");
                    assert!(
                        t.needs
                            .iter()
                            .all(|&i| matches!(state.tasks[i].status, TaskStatus::Approved { .. })),
                        "{task} ready before its needs were approved"
                    );
                    assert!(self.ready_events.insert(task.to_string()));
                }
                Event::TaskApproved { task, .. } => {
                    *self.approvals.entry(task.to_string()).or_default() += 1;
                    assert_eq!(self.approvals[task.as_str()], 1, "{task} approved twice");
                }
                Event::AlertRaised { task, level, .. } => {
                    assert!(
                        self.alerts.insert((task.to_string(), *level)),
                        "{level:?} for {task} fired twice"
                    );
                    // Never while waiting for the applicant's supplements.
                    assert!(matches!(
                        state.task(task.as_str()).unwrap().status,
                        TaskStatus::Ready
                            | TaskStatus::Claimed { .. }
                            | TaskStatus::Suspended {
                                suspension: Suspension::SpecialProcedure { .. },
                                ..
                            }
                    ));
                }
                Event::CaseAtRisk {
                    projected_completion,
                    promised_completion,
                    causes,
                    ..
                } => {
                    assert!(projected_completion > promised_completion);
                    assert!(!causes.is_empty(), "at risk without a cause");
                    assert!(state
                        .at_risk
                        .is_none_or(|raised| *projected_completion > raised));
                }
                Event::CaseCompleted => {
                    self.completed += 1;
                    assert_eq!(position, events.len() - 1, "completion comes last");
                    assert!(matches!(
                        events[0],
                        Event::TaskApproved { .. } | Event::Launched { .. }
                    ));
                }
                _ => {}
            }
            let recorded = Recorded {
                at: self.now,
                by: by.id.clone(),
                event: event.clone(),
            };
            self.case.record(recorded);
        }
        self.invariants();
        true
    }

    fn invariants(&self) {
        let state = self.case.state();
        let calendar = &self.case.definition.calendar;
        let approved = |i: usize| matches!(state.tasks[i].status, TaskStatus::Approved { .. });
        for task in &state.tasks {
            let needs_approved = task.needs.iter().all(|&i| approved(i));
            if task.status == TaskStatus::Waiting {
                assert!(!needs_approved, "{} stuck waiting", task.plan.id);
            } else {
                assert!(needs_approved, "{} open before its needs", task.plan.id);
            }
            if let Some(ready_on) = task.ready_on {
                assert_eq!(
                    task.committed_due,
                    Some(
                        calendar
                            .add_working_days(ready_on, task.plan.committed_days + task.paused_days)
                            .unwrap()
                    )
                );
                assert_eq!(
                    task.statutory_due,
                    Some(
                        calendar
                            .add_working_days(ready_on, task.plan.statutory_days + task.paused_days)
                            .unwrap()
                    )
                );
            }
        }
        assert_eq!(self.completed, usize::from(state.all_approved()));
        assert_eq!(
            matches!(
                state.status,
                CaseStatus::Completed { .. } | CaseStatus::Issued { .. }
            ),
            state.all_approved()
        );
    }

    /// Finishes every open task with the officers holding them.
    fn finish(&mut self) {
        for _ in 0..self.n() * 6 {
            self.now += Duration::minutes(5);
            let Some(index) = self
                .case
                .state()
                .tasks
                .iter()
                .position(|t| t.status.is_open())
            else {
                break;
            };
            let task = self.case.state().tasks[index].clone();
            let id = task.plan.id.as_str();
            let department = task.plan.department.as_str();
            let done = match &task.status {
                TaskStatus::Suspended {
                    suspension: Suspension::Supplement { .. },
                    ..
                } => self.step(&coordinator(), submit(id)),
                TaskStatus::Suspended { .. } => {
                    self.step(&self.officer(index, Who::First), end_special(id))
                }
                TaskStatus::Claimed {
                    officer: holder, ..
                } => {
                    let by = officer(holder.as_str(), department);
                    self.step(&by, claim(id, 1)) && self.step(&by, approve(id))
                }
                _ => {
                    let by = self.officer(index, Who::First);
                    self.step(&by, claim(id, 1)) && self.step(&by, approve(id))
                }
            };
            assert!(done, "finishing {id} was refused");
        }
    }
}

fn command_task(command: &Command) -> usize {
    let task = match command {
        Command::Claim { task, .. }
        | Command::Release { task }
        | Command::Approve { task, .. }
        | Command::RequestSupplement { task, .. }
        | Command::StartSpecialProcedure { task, .. }
        | Command::EndSpecialProcedure { task } => task,
        _ => return usize::MAX,
    };
    task.as_str()[1..].parse().unwrap()
}

fn department_number(department: &str) -> usize {
    department[1..].parse().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_actions_keep_the_case_consistent_and_it_always_completes(
        shape in shape(),
        actions in proptest::collection::vec(action(), 0..60),
    ) {
        let mut driver = Driver::new(shape);
        for action in &actions {
            driver.act(action);
        }
        driver.finish();

        let state = driver.case.state();
        let is_completed = matches!(state.status, CaseStatus::Completed { .. });
        prop_assert!(is_completed, "{:?}", state.status);
        prop_assert_eq!(driver.completed, 1);
        for task in &state.tasks {
            prop_assert_eq!(driver.approvals.get(task.plan.id.as_str()), Some(&1));
        }
        // Every approval comes after the approvals of the task's needs.
        let order: Vec<String> = driver
            .case
            .history
            .iter()
            .filter_map(|r| match &r.event {
                Event::TaskApproved { task, .. } => Some(task.to_string()),
                _ => None,
            })
            .collect();
        for (index, task) in state.tasks.iter().enumerate() {
            let position = order.iter().position(|t| t == task.plan.id.as_str()).unwrap();
            for &need in &driver.shape.needs[index] {
                let before = order.iter().position(|t| *t == format!("t{need}")).unwrap();
                prop_assert!(before < position);
            }
        }
        prop_assert_eq!(replay(&driver.case.history), Some((*state).clone()));

        let issued = driver.step(&coordinator(), Command::Issue);
        prop_assert!(issued);
        let is_issued = matches!(driver.case.state().status, CaseStatus::Issued { .. });
        prop_assert!(is_issued);
    }
}
