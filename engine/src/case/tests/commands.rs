//! The exact rejections and their messages: role checks, departments, leases, one-time
//! notification, issuance, ratings and input validation; and what a launch records.

use chrono::Duration;
use serde_json::json;

use super::fixture::*;
use crate::case::{
    replay, CaseStatus, Command, Event, Rating, Recorded, Rejection, Suspension, TaskStatus,
};
use crate::ids::TaskId;
use crate::principal::Role;

const NOW: &str = "2026-03-02 10:00";

fn ready() -> Case {
    Case::standard("2026-03-02 09:00")
}

#[test]
fn forbidden_names_the_role_needed_and_the_role_held() {
    let now = at(NOW);
    let m1 = officer("m1", "market");
    let cases: Vec<(crate::principal::Principal, Command, &str, &str, &str)> = vec![
        (
            m1.clone(),
            launch(application()),
            "launch",
            "coordinator",
            "officer",
        ),
        (
            coordinator(),
            claim("a", 1),
            "claim",
            "officer of the task's department",
            "coordinator",
        ),
        (
            supervisor(),
            approve("a"),
            "approve",
            "officer of the task's department",
            "supervisor",
        ),
        (
            m1.clone(),
            Command::ExpireLease { task: "a".into() },
            "expire_lease",
            "system",
            "officer",
        ),
        (
            m1.clone(),
            Command::AllowSupplement {
                task: "a".into(),
                reason: "x".into(),
            },
            "allow_supplement",
            "supervisor",
            "officer",
        ),
        (
            m1.clone(),
            submit("a"),
            "submit_supplement",
            "coordinator",
            "officer",
        ),
        (
            m1.clone(),
            Command::Withdraw { reason: "x".into() },
            "withdraw",
            "applicant or coordinator",
            "officer",
        ),
        (
            applicant(),
            Command::Issue,
            "issue",
            "coordinator",
            "applicant",
        ),
        (
            system(),
            rate(Rating::Satisfied),
            "rate",
            "applicant or coordinator",
            "system",
        ),
        (
            coordinator(),
            Command::CheckDeadlines,
            "check_deadlines",
            "system",
            "coordinator",
        ),
    ];
    for (by, command, name, needed, actual) in cases {
        let mut case = ready();
        let rejection = case.err(&by, command, now);
        assert_eq!(
            rejection,
            Rejection::Forbidden {
                command: name,
                needed,
                actual
            }
        );
        assert_eq!(
            rejection.to_string(),
            format!("`{name}` needs the role {needed}; you are {actual}")
        );
    }
}

#[test]
fn an_officer_acts_only_on_the_tasks_of_their_department() {
    let mut case = ready();
    let now = at(NOW);
    let rejection = case.err(&officer("f1", "fire"), claim("a", 1), now);
    assert_eq!(
        rejection,
        Rejection::WrongDepartment {
            task: "a".into(),
            department: "market".into(),
            yours: "fire".into()
        }
    );
    assert_eq!(
        rejection.to_string(),
        "task `a` belongs to department `market`; you are an officer of `fire`"
    );
    // An officer without a department is told so.
    let mut nobody = officer("x", "market");
    nobody.department = None;
    assert!(matches!(
        case.err(&nobody, claim("a", 1), now),
        Rejection::WrongDepartment { yours, .. } if yours == "no department"
    ));
    // The same holds for every task command, even on a claimed task.
    case.ok(&officer("m1", "market"), claim("a", 1), now);
    for command in [
        approve("a"),
        Command::Release { task: "a".into() },
        request("a", &["x"]),
        start_special("a", 2),
        end_special("a"),
    ] {
        assert_eq!(
            variant(&case.err(&officer("f1", "fire"), command, now)),
            "WrongDepartment"
        );
    }
}

#[test]
fn leases_claims_and_expiry() {
    let mut case = ready();
    let (m1, m2) = (officer("m1", "market"), officer("m2", "market"));
    let claimed_at = at("2026-03-02 10:00");
    case.ok(&m1, claim("a", 1), claimed_at);
    let until = claimed_at + Duration::hours(1);

    let rejection = case.err(&m2, claim("a", 1), claimed_at + Duration::minutes(59));
    assert_eq!(
        rejection,
        Rejection::ClaimedByOther {
            task: "a".into(),
            holder: "m1".into(),
            until
        }
    );
    assert!(rejection.to_string().contains("claimed by `m1` until"));
    assert_eq!(
        case.err(&m2, approve("a"), claimed_at),
        Rejection::ClaimedByOther {
            task: "a".into(),
            holder: "m1".into(),
            until
        }
    );

    // At the instant the lease ends it is expired: the holder cannot act any more.
    assert_eq!(
        case.err(&m1, approve("a"), until),
        Rejection::LeaseExpired {
            task: "a".into(),
            expired: until
        }
    );
    assert_eq!(
        case.err(
            &system(),
            Command::ExpireLease { task: "a".into() },
            until - Duration::seconds(1)
        ),
        Rejection::LeaseNotExpired {
            task: "a".into(),
            until
        }
    );
    let events = case.ok(&system(), Command::ExpireLease { task: "a".into() }, until);
    assert_eq!(
        events,
        vec![Event::LeaseExpired {
            task: "a".into(),
            officer: "m1".into()
        }]
    );
    assert_eq!(case.state().task("a").unwrap().status, TaskStatus::Ready);

    // Another officer takes it; renewing extends the lease.
    case.ok(&m2, claim("a", 1), until);
    let renewed = until + Duration::minutes(30);
    case.ok(&m2, claim("a", 2), renewed);
    assert_eq!(
        case.state().task("a").unwrap().status,
        TaskStatus::Claimed {
            officer: "m2".into(),
            lease_until: renewed + Duration::hours(2)
        }
    );
    // A lease must be positive.
    assert!(matches!(
        case.err(
            &m2,
            Command::Claim {
                task: "a".into(),
                lease: Duration::zero()
            },
            renewed
        ),
        Rejection::Invalid(_)
    ));
    // Releasing puts it back in the queue.
    case.ok(&m2, Command::Release { task: "a".into() }, renewed);
    assert_eq!(case.state().task("a").unwrap().status, TaskStatus::Ready);
    assert_eq!(
        case.err(&m1, approve("a"), renewed),
        Rejection::TaskState {
            task: "a".into(),
            status: "ready",
            command: "approve"
        }
    );
    assert_eq!(
        case.err(&m1, approve("a"), renewed).to_string(),
        "task `a` is ready; `approve` is not possible"
    );
}

#[test]
fn a_waiting_task_cannot_be_claimed_and_unknown_tasks_are_named() {
    let mut case = Case::new(standard());
    let start = at("2026-03-02 09:00");
    case.ok(&coordinator(), launch(application()), start);
    let rejection = case.err(&officer("m1", "market"), claim("a", 1), start);
    assert_eq!(
        rejection,
        Rejection::TaskState {
            task: "a".into(),
            status: "waiting",
            command: "claim"
        }
    );
    // `c` was left out by its `when`, `zzz` never existed.
    for task in ["c", "zzz"] {
        assert_eq!(
            case.err(&officer("e1", "env"), claim(task, 1), start),
            Rejection::UnknownTask(task.into())
        );
    }
}

#[test]
fn one_time_notification_needs_a_supervisor_for_a_second_request() {
    let mut case = ready();
    let m1 = officer("m1", "market");
    let mut now = at(NOW);
    let mut step = || {
        now += Duration::minutes(10);
        now
    };
    case.ok(&m1, claim("a", 8), step());
    let allow = |reason: &str| Command::AllowSupplement {
        task: "a".into(),
        reason: reason.into(),
    };
    // No allowance in advance: the one request a task has is not used yet.
    assert_eq!(
        case.err(&supervisor(), allow("just in case"), step()),
        Rejection::SupplementNotUsed {
            task: "a".into(),
            requested: 0,
            allowed: 1
        }
    );
    // Nothing listed is not a request.
    assert_eq!(
        case.err(&m1, request("a", &[" ", ""]), step()),
        Rejection::NoMaterials
    );
    let events = case.ok(&m1, request("a", &[" 章程 ", "", "股东会决议"]), step());
    assert_eq!(
        events,
        vec![Event::SupplementRequested {
            task: "a".into(),
            materials: vec!["章程".into(), "股东会决议".into()]
        }]
    );
    assert!(matches!(
        &case.state().task("a").unwrap().status,
        TaskStatus::Suspended { suspension: Suspension::Supplement { materials }, officer, .. }
            if materials.len() == 2 && officer == &m1.id
    ));
    case.ok(&coordinator(), submit("a"), step());
    assert_eq!(case.state().task("a").unwrap().status, TaskStatus::Ready);
    case.ok(&m1, claim("a", 8), step());

    let rejection = case.err(&m1, request("a", &["法人身份证"]), step());
    assert_eq!(
        rejection,
        Rejection::SupplementAlreadyRequested {
            task: "a".into(),
            count: 1
        }
    );
    assert!(rejection.to_string().contains("一次性告知"), "{rejection}");
    assert!(rejection.to_string().contains("a supervisor must allow"));

    // The allowance is a command of its own, by a supervisor, with a reason.
    assert_eq!(variant(&case.err(&m1, allow("x"), step())), "Forbidden");
    assert_eq!(
        case.err(&supervisor(), allow("  "), step()),
        Rejection::Empty("reason")
    );
    let events = case.ok(&supervisor(), allow("新规定要求 / new requirement"), step());
    assert_eq!(summary(&events), "supplement_allowed:a");
    assert_eq!(case.state().task("a").unwrap().supplements_allowed, 2);
    // Allowances do not pile up.
    assert_eq!(
        variant(&case.err(&supervisor(), allow("again"), step())),
        "SupplementNotUsed"
    );
    case.ok(&m1, request("a", &["法人身份证"]), step());
    assert_eq!(case.state().task("a").unwrap().supplements_requested, 2);
    case.ok(&coordinator(), submit("a"), step());
    case.ok(&m1, claim("a", 8), step());
    // One allowance allows one more request, not more.
    assert_eq!(
        case.err(&m1, request("a", &["x"]), step()),
        Rejection::SupplementAlreadyRequested {
            task: "a".into(),
            count: 2
        }
    );
    // The supplement pauses did not stop the task from being approved.
    assert_eq!(summary(&case.ok(&m1, approve("a"), step())), "approved:a");
}

#[test]
fn special_procedures_need_granted_days_and_end_by_any_officer_of_the_department() {
    let mut case = ready();
    let (m1, m2) = (officer("m1", "market"), officer("m2", "market"));
    let now = at(NOW);
    case.ok(&m1, claim("a", 8), now);
    assert!(matches!(
        case.err(&m1, start_special("a", 0), now),
        Rejection::Invalid(message) if message.contains("at least 1 granted day")
    ));
    case.ok(&m1, start_special("a", 10), now);
    assert_eq!(
        case.err(&m1, request("a", &["x"]), now),
        Rejection::TaskState {
            task: "a".into(),
            status: "suspended",
            command: "request_supplement"
        }
    );
    assert_eq!(
        summary(&case.ok(&m2, end_special("a"), now)),
        "special_ended:a"
    );
}

#[test]
fn issue_needs_every_task_approved() {
    let mut case = ready();
    let rejection = case.err(&coordinator(), Command::Issue, at(NOW));
    assert_eq!(
        rejection,
        Rejection::NotCompleted {
            pending: 3,
            first: "a".into()
        }
    );
    assert_eq!(
        rejection.to_string(),
        "the case cannot be issued yet: 3 task(s) not approved (a …)"
    );
}

#[test]
fn ratings_are_one_to_five_stars_or_satisfied_and_only_once() {
    let complete = || {
        let mut case = ready();
        let now = at(NOW);
        for (who, dept, task) in [
            ("m1", "market", "a"),
            ("f1", "fire", "b"),
            ("window", "center", "issue"),
        ] {
            case.ok(&officer(who, dept), claim(task, 1), now);
            case.ok(&officer(who, dept), approve(task), now);
        }
        assert!(matches!(case.state().status, CaseStatus::Completed { .. }));
        case
    };
    let now = at(NOW);
    for stars in [0, 6, 255] {
        let mut case = complete();
        assert_eq!(
            case.err(&applicant(), rate(Rating::Stars(stars)), now),
            Rejection::Invalid(format!("a rating has 1 to 5 stars, not {stars}"))
        );
    }
    for rating in [
        Rating::Stars(1),
        Rating::Stars(5),
        Rating::Satisfied,
        Rating::Unsatisfied,
    ] {
        let mut case = complete();
        case.ok(&applicant(), rate(rating), now);
        assert_eq!(case.state().rating, Some(rating));
        assert_eq!(
            case.err(&coordinator(), rate(Rating::Satisfied), now),
            Rejection::AlreadyRated
        );
    }
    assert!(Rating::Stars(4).is_satisfied());
    assert!(!Rating::Stars(3).is_satisfied());
    assert!(!Rating::Unsatisfied.is_satisfied());
}

#[test]
fn texts_must_not_be_empty() {
    let mut case = ready();
    let now = at(NOW);
    let m1 = officer("m1", "market");
    case.ok(&m1, claim("a", 1), now);
    assert_eq!(
        case.err(
            &m1,
            Command::Reject {
                task: "a".into(),
                reason: " ".into()
            },
            now
        ),
        Rejection::Empty("reason")
    );
    assert_eq!(
        case.err(
            &applicant(),
            Command::Withdraw {
                reason: String::new()
            },
            now
        ),
        Rejection::Empty("reason")
    );
}

#[test]
fn a_launch_pins_the_plan_and_dispatches_every_task_without_needs() {
    let mut case = Case::new(standard());
    // 2026-02-13 is the Friday before the Spring Festival.
    let launched = at("2026-02-13 09:00");
    let events = case.ok(&coordinator(), launch(application()), launched);
    assert_eq!(summary(&events), "launched ready:intake");
    let Event::Launched {
        version,
        center,
        time_zone,
        launched_on,
        tasks,
        skipped,
        duration_working_days,
        promised_completion,
        critical_path,
        ..
    } = &events[0]
    else {
        panic!("not a launch: {events:?}");
    };
    assert_eq!(*version, 3);
    assert_eq!(center.as_str(), CENTER);
    assert_eq!(time_zone, "Asia/Shanghai");
    assert_eq!(*launched_on, day("2026-02-13"));
    assert_eq!(skipped, &vec![TaskId::from("c")]);
    let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["intake", "a", "b", "issue"]);
    // The skipped c passes its own need (intake) through to issue.
    let needs: Vec<&str> = tasks[3].needs.iter().map(|t| t.as_str()).collect();
    assert_eq!(needs, ["intake", "a", "b"]);
    assert_eq!(*duration_working_days, 5);
    // 02-14 (adjusted Saturday), then 02-24 … 02-27 after the holiday.
    assert_eq!(*promised_completion, day("2026-02-27"));
    let path: Vec<&str> = critical_path.iter().map(|t| t.as_str()).collect();
    assert_eq!(path, ["intake", "b", "issue"]);
    assert_eq!((tasks[1].planned_finish, tasks[1].latest_finish), (3, 5));
    assert_eq!(
        events[1],
        Event::TaskReady {
            task: "intake".into(),
            committed_due: Some(day("2026-02-13")),
            statutory_due: Some(day("2026-02-13"))
        }
    );
    assert_eq!(case.state().coordinator, "coord".into());
    assert_eq!(case.state().status, CaseStatus::Open);
    assert_eq!(case.state().launched_on, day("2026-02-13"));
}

#[test]
fn every_task_without_needs_is_dispatched_at_once() {
    let definition = compile(&[
        spec("land", "land", &[], 4, 20),
        spec("fire", "fire", &[], 3, 20),
        spec("env", "env", &["land"], 2, 20).when("app.env == true"),
        spec("issue", "center", &["land", "fire", "env"], 0, 0),
    ]);
    let mut case = Case::new(definition);
    let events = case.ok(
        &coordinator(),
        launch(json!({"env": true})),
        at("2026-03-02 09:00"),
    );
    assert_eq!(summary(&events), "launched ready:land ready:fire");
    let now = at("2026-03-03 09:00");
    case.ok(&officer("l1", "land"), claim("land", 1), now);
    assert_eq!(
        summary(&case.ok(&officer("l1", "land"), approve("land"), now)),
        "approved:land ready:env"
    );
    case.ok(&officer("e1", "env"), claim("env", 1), now);
    // `issue` still needs `fire`.
    assert_eq!(
        summary(&case.ok(&officer("e1", "env"), approve("env"), now)),
        "approved:env"
    );
    case.ok(&officer("f1", "fire"), claim("fire", 1), now);
    assert_eq!(
        summary(&case.ok(&officer("f1", "fire"), approve("fire"), now)),
        "approved:fire ready:issue"
    );
    case.ok(&officer("w", "center"), claim("issue", 1), now);
    assert_eq!(
        summary(&case.ok(&officer("w", "center"), approve("issue"), now)),
        "approved:issue completed"
    );
}

#[test]
fn launch_rejects_bad_input_and_an_empty_plan_completes_at_once() {
    let mut case = Case::new(standard());
    let now = at(NOW);
    let mut bad_zone = launch(application());
    if let Command::Launch { time_zone, .. } = &mut bad_zone {
        *time_zone = "Mars/Olympus".into();
    }
    assert_eq!(
        case.err(&coordinator(), bad_zone, now),
        Rejection::TimeZone("Mars/Olympus".into())
    );
    assert_eq!(
        variant(&case.err(&coordinator(), launch(json!("not an object")), now)),
        "Plan"
    );
    // A date outside the calendar (2024–2027) cannot be promised: the year is named.
    let beyond = case.err(
        &coordinator(),
        launch(application()),
        at("2028-06-01 09:00"),
    );
    assert_eq!(variant(&beyond), "BeyondCalendar");
    assert!(
        beyond.to_string().contains("no year of `cn` is published"),
        "{beyond}"
    );
    assert!(beyond.to_string().contains("lie in 2028"), "{beyond}");

    let only_optional = compile(&[spec("x", "x", &[], 1, 2).when("app.env == true")]);
    let mut case = Case::new(only_optional);
    let events = case.ok(&coordinator(), launch(json!({"env": false})), now);
    assert_eq!(summary(&events), "launched completed");
    assert!(matches!(case.state().status, CaseStatus::Completed { .. }));
    assert_eq!(
        summary(&case.ok(&coordinator(), Command::Issue, now)),
        "issued"
    );
}

#[test]
fn the_role_admin_may_act_for_the_coordinator_system_and_supervisor() {
    let mut case = Case::new(standard());
    let admin = crate::principal::Principal::new("root", Role::Admin, CENTER);
    let now = at(NOW);
    case.ok(&admin, launch(application()), now);
    case.ok(&admin, Command::CheckDeadlines, now);
    // An admin is not an officer of any department.
    assert_eq!(
        variant(&case.err(&admin, claim("intake", 1), now)),
        "Forbidden"
    );
}

#[test]
fn the_history_replays_to_the_same_state_and_survives_serialisation() {
    let mut case = ready();
    let m1 = officer("m1", "market");
    let now = at(NOW);
    case.ok(&m1, claim("a", 1), now);
    case.ok(&m1, request("a", &["章程"]), now);
    case.ok(&coordinator(), submit("a"), at("2026-03-04 10:00"));
    case.ok(&m1, claim("a", 2), at("2026-03-04 10:00"));
    case.ok(&m1, approve("a"), at("2026-03-04 11:00"));
    case.check(at("2026-03-10 00:00"));
    assert_eq!(replay(&case.history).as_ref(), Some(case.state()));
    let json = serde_json::to_string(&case.history).unwrap();
    let back: Vec<Recorded> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, case.history);
    assert_eq!(replay(&back).as_ref(), Some(case.state()));
}
