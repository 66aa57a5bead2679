//! The case-level projection: after every approval (and every deadline check) the critical
//! path is re-run with actual dates; a completion later than promised raises `CaseAtRisk`
//! naming the tasks that caused the slip, once per new projected date.

use super::fixture::*;
use crate::case::{Event, Rejection};
use crate::supervision::Recipient;

/// intake → a (market, 3) → d (land, 3) → issue, and b (fire, 5) beside a → d: the plan
/// takes 6 working days, with a and d critical and b 1 day of float.
fn chain() -> Case {
    let definition = compile(&[
        spec("intake", "center", &[], 0, 0),
        spec("a", "market", &["intake"], 3, 10),
        spec("d", "land", &["a"], 3, 10),
        spec("b", "fire", &["intake"], 5, 20),
        spec("issue", "center", &["d", "b"], 0, 0),
    ]);
    let mut case = Case::new(definition);
    // Monday 2026-03-02; offsets: 03-03 = 1, … 03-06 = 4, 03-09 = 5, 03-10 = 6, 03-13 = 9.
    case.ok(
        &coordinator(),
        launch(application()),
        at("2026-03-02 09:00"),
    );
    let window = officer("window", "center");
    case.ok(&window, claim("intake", 1), at("2026-03-02 09:10"));
    case.ok(&window, approve("intake"), at("2026-03-02 09:20"));
    assert_eq!(case.state().promised_completion, day("2026-03-10"));
    case
}

fn decide_now(case: &mut Case, who: &str, department: &str, task: &str, when: &str) -> String {
    let by = officer(who, department);
    case.ok(&by, claim(task, 8), at(when));
    summary(&case.ok(&by, approve(task), at(when)))
}

#[test]
fn a_late_approval_raises_at_risk_naming_it_once() {
    let mut case = chain();
    // a was due 03-05 (offset 3) and is approved 03-09 (offset 5): d cannot finish before
    // offset 8, two days after the promise.
    let by = officer("m1", "market");
    case.ok(&by, claim("a", 8), at("2026-03-09 10:00"));
    let events = case.ok(&by, approve("a"), at("2026-03-09 10:00"));
    assert_eq!(summary(&events), "approved:a ready:d at_risk:a");
    assert_eq!(
        events[2],
        Event::CaseAtRisk {
            projected_completion: day("2026-03-12"),
            promised_completion: day("2026-03-10"),
            causes: vec!["a".into()],
            recipients: vec![
                Recipient::Coordinator("coord".into()),
                Recipient::DepartmentHead("market".into()),
                Recipient::Center(CENTER.into()),
            ],
            rule_error: None,
        }
    );
    assert_eq!(case.state().at_risk, Some(day("2026-03-12")));

    // b on its due date: the projection does not move, nothing is raised again.
    assert_eq!(
        decide_now(&mut case, "f1", "fire", "b", "2026-03-09 11:00"),
        "approved:b"
    );
    assert_eq!(case.check(at("2026-03-10 00:00")), "");

    // d is late too (due 03-12, approved 03-13): later still, and both are named.
    let events = {
        let by = officer("l1", "land");
        case.ok(&by, claim("d", 8), at("2026-03-13 10:00"));
        case.ok(&by, approve("d"), at("2026-03-13 10:00"))
    };
    assert_eq!(summary(&events), "approved:d ready:issue at_risk:a+d");
    let Event::CaseAtRisk {
        projected_completion,
        recipients,
        ..
    } = &events[2]
    else {
        unreachable!()
    };
    assert_eq!(*projected_completion, day("2026-03-13"));
    assert_eq!(
        recipients,
        &vec![
            Recipient::Coordinator("coord".into()),
            Recipient::DepartmentHead("market".into()),
            Recipient::DepartmentHead("land".into()),
            Recipient::Center(CENTER.into()),
        ]
    );

    // Completing the case raises nothing more.
    assert_eq!(
        decide_now(&mut case, "window", "center", "issue", "2026-03-13 11:00"),
        "approved:issue completed"
    );
}

#[test]
fn a_late_task_with_float_left_raises_nothing() {
    let mut case = chain();
    assert_eq!(
        decide_now(&mut case, "m1", "market", "a", "2026-03-05 10:00"),
        "approved:a ready:d"
    );
    // b was due 03-09 (offset 5) and is approved 03-10 (offset 6): its float absorbs it.
    assert_eq!(
        decide_now(&mut case, "f1", "fire", "b", "2026-03-10 10:00"),
        "approved:b"
    );
    assert_eq!(
        decide_now(&mut case, "l1", "land", "d", "2026-03-10 11:00"),
        "approved:d ready:issue"
    );
    assert_eq!(case.state().at_risk, None);
}

#[test]
fn an_open_task_past_its_due_date_puts_the_case_at_risk_each_day_it_slips() {
    let mut case = chain();
    assert_eq!(
        decide_now(&mut case, "m1", "market", "a", "2026-03-05 10:00"),
        "approved:a ready:d"
    );
    // d is due 03-10 and b 03-09; b's lateness is absorbed by its float until d's due
    // date has passed too.
    assert_eq!(
        case.check(at("2026-03-10 23:59:59")),
        "warning:d warning:b yellow:b"
    );
    // Still open when 03-10 ends, both cannot finish before 03-11: both are named.
    assert_eq!(case.check(at("2026-03-11 00:00")), "yellow:d at_risk:d+b");
    assert_eq!(case.check(at("2026-03-11 18:00")), "");
    assert_eq!(case.check(at("2026-03-12 00:00")), "at_risk:d+b");
    assert_eq!(case.state().at_risk, Some(day("2026-03-12")));
}

#[test]
fn a_rejection_ends_the_projection() {
    let mut case = chain();
    let by = officer("m1", "market");
    case.ok(&by, claim("a", 8), at("2026-03-20 10:00"));
    let reject = crate::case::Command::Reject {
        task: "a".into(),
        reason: "不符合产业政策 / against industrial policy".into(),
    };
    assert_eq!(
        summary(&case.ok(&by, reject, at("2026-03-20 10:00"))),
        "rejected:a withdrawn:d withdrawn:b withdrawn:issue case_rejected"
    );
    assert_eq!(case.check(at("2026-04-30 00:00")), "");
    assert!(matches!(
        case.err(&by, approve("d"), at("2026-04-30 00:00")),
        Rejection::CaseClosed {
            status: "rejected",
            ..
        }
    ));
}

#[test]
fn the_projection_names_the_critical_path_with_actual_dates() {
    let mut case = chain();
    let calendar = case.definition.calendar.clone();
    let now = at("2026-03-02 10:00");
    let on_plan =
        crate::case::projection(case.state(), &calendar, day("2026-03-02"), now, None).unwrap();
    let ids = |p: &crate::case::Projection| -> Vec<String> {
        p.critical_path.iter().map(|t| t.to_string()).collect()
    };
    assert_eq!(ids(&on_plan), ["intake", "a", "d", "issue"]);
    // a and d finish at once; b (1 day of float) is still open on offset 6, past its due
    // date: b now decides the completion.
    decide_now(&mut case, "m1", "market", "a", "2026-03-02 11:00");
    decide_now(&mut case, "l1", "land", "d", "2026-03-02 11:30");
    let late =
        crate::case::projection(case.state(), &calendar, day("2026-03-10"), now, None).unwrap();
    assert_eq!(ids(&late), ["intake", "b", "issue"]);
}
