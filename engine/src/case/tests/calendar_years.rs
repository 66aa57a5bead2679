//! Cases across calendar years: a case launched in December whose dates lie in a
//! provisional year, dates past the calendar's coverage that make nothing fail, and the
//! re-dating of open cases when an official year replaces a provisional one.

use std::sync::Arc;

use chrono::Duration;

use super::fixture::*;
use crate::calendar::{shipped, Calendar};
use crate::case::{next_check, pending_alerts, Command, Event, TaskStatus};
use crate::source::SourceText;

/// The shipped cn calendar with 2027 replaced by an "official" year whose Spring Festival
/// differs from the provisional one: 11 and 12 February off as well, Saturday 20 February
/// worked.
fn official_2027() -> Arc<Calendar> {
    let mut years = shipped::cn_sources();
    let y2027 = years
        .iter_mut()
        .find(|s| s.name.ends_with("2027.yaml"))
        .expect("2027 is shipped");
    y2027.text = y2027
        .text
        .replace(
            "kind: provisional",
            "kind: official\nsource: https://www.gov.cn/zhengce/content/2027-notice.htm",
        )
        .replace(
            "  - { date: 2027-02-10, name: 春节 }   # 补假 make-up day\n",
            "  - { date: 2027-02-10, name: 春节 }\n  - { date: 2027-02-11, name: 春节 }\n  - { date: 2027-02-12, name: 春节 }\n",
        )
        .replace(
            "work: []   # 调休上班: only the notice sets them",
            "work:\n  - { date: 2027-02-20, name: 春节 }",
        );
    let sources: Vec<SourceText> = years;
    Arc::new(Calendar::from_sources("cn".into(), &sources).expect("valid official 2027"))
}

fn redate() -> Command {
    Command::Redate {
        calendar: "cn".into(),
        calendar_version: 5,
        published_by: "policy-1".into(),
    }
}

#[test]
fn a_december_launch_promises_a_provisional_date_and_runs_across_the_year() {
    let mut case = Case::launched(
        compile(&[
            spec("intake", "center", &[], 0, 0),
            spec("permit", "build", &["intake"], 15, 30),
            spec("issue", "center", &["permit"], 0, 0),
        ]),
        application(),
        "2026-12-21 09:00",
    );
    let promised = case.state().promised_completion;
    assert!(promised > day("2027-01-01"));
    assert!(case
        .definition
        .calendar
        .depends_on_provisional(day("2026-12-21"), promised));
    // Ticks across New Year's Day fire on the provisional year's dates.
    assert_eq!(case.check(at("2027-01-04 08:00")), "");
    let permit = case.state().task("permit").unwrap();
    assert_eq!(permit.committed_due, Some(day("2027-01-12")));
    let yellow_at = at("2027-01-13 00:00");
    assert_eq!(
        case.check(yellow_at),
        "warning:permit yellow:permit at_risk:permit"
    );
    let officer = officer("li", "build");
    case.ok(&officer, claim("permit", 2), at("2027-01-14 09:00"));
    case.ok(
        &officer,
        request("permit", &["施工图"]),
        at("2027-01-14 09:10"),
    );
    case.ok(&coordinator(), submit("permit"), at("2027-01-18 10:00"));
    case.ok(&officer, claim("permit", 2), at("2027-01-18 11:00"));
    let events = case.ok(&officer, approve("permit"), at("2027-01-18 11:30"));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::TaskReady {
            committed_due: Some(_),
            ..
        }
    )));
}

#[test]
fn dates_past_the_coverage_are_none_and_nothing_fails() {
    // Launched on 1 December 2027 (promised within 2027), but b becomes ready late, on 27
    // December, with 5 and 20 days: both its due dates lie in 2028, which the shipped
    // calendar does not cover.
    let mut case = Case::launched(
        compile(&[
            spec("intake", "center", &[], 0, 0),
            spec("a", "market", &["intake"], 1, 2),
            spec("b", "fire", &["a"], 5, 20),
        ]),
        application(),
        "2027-12-01 09:00",
    );
    let market = officer("wang", "market");
    case.ok(&market, claim("a", 2), at("2027-12-27 09:00"));
    case.ok(&market, approve("a"), at("2027-12-27 10:00"));
    let b = case.state().task("b").unwrap();
    assert_eq!(b.status, TaskStatus::Ready);
    assert_eq!((b.committed_due, b.statutory_due), (None, None));
    // Its alerts are parked: no instant is known, so no check is indexed for them.
    assert!(pending_alerts(case.state(), &case.definition)
        .unwrap()
        .is_empty());
    assert_eq!(next_check(case.state(), &case.definition), None);
    // A check in 2028 fails on nothing; a supplement in 2028 has no due date yet.
    assert_eq!(case.check(at("2028-01-10 09:00")), "");
    let fire = officer("zhao", "fire");
    case.ok(&fire, claim("b", 2), at("2028-01-10 09:00"));
    case.ok(&fire, request("b", &["消防图纸"]), at("2028-01-10 09:30"));
    let events = case.ok(&coordinator(), submit("b"), at("2028-01-12 09:00"));
    assert!(matches!(
        events[0],
        Event::SupplementSubmitted {
            committed_due: None,
            statutory_due: None,
            ..
        }
    ));
    // Once 2028 is published, re-dating gives the dates and the alerts run again.
    let mut years = shipped::cn_sources();
    years.push(SourceText {
        name: "2028.yaml".into(),
        text: crate::calendar::provisional::cn_year_file(2028).unwrap(),
    });
    case.definition.calendar = Arc::new(Calendar::from_sources("cn".into(), &years).unwrap());
    let events = case.ok(&system(), redate(), at("2028-01-12 10:00"));
    assert_eq!(summary(&events), "redated:b");
    let b = case.state().task("b").unwrap();
    assert!(b.committed_due.is_some() && b.statutory_due.is_some());
    assert!(next_check(case.state(), &case.definition).is_some());
}

#[test]
fn an_official_year_re_dates_open_tasks_and_the_promise() {
    let mut case = Case::launched(standard(), application(), "2027-01-29 09:00");
    let before = case.state().clone();
    let a_due = before.task("a").unwrap().committed_due;
    let b_due = before.task("b").unwrap().statutory_due;
    // Nothing changes on the same calendar.
    assert_eq!(case.ok(&system(), redate(), at("2027-01-29 12:00")), vec![]);

    let official = official_2027();
    case.definition.calendar = official.clone();
    let events = case.ok(&system(), redate(), at("2027-01-29 12:00"));
    let [Event::CaseRedated {
        calendar,
        calendar_version,
        published_by,
        promised_completion,
        tasks,
    }] = events.as_slice()
    else {
        panic!("one re-dating: {events:?}")
    };
    assert_eq!(
        (calendar.as_str(), *calendar_version, published_by.as_str()),
        ("cn", 5, "policy-1")
    );
    let ready_on = day("2027-01-29");
    for redated in tasks {
        let task = before.task(redated.task.as_str()).unwrap();
        assert_eq!(redated.committed_due.from, task.committed_due);
        assert_eq!(
            redated.committed_due.to,
            official
                .add_working_days(ready_on, task.plan.committed_days)
                .ok()
        );
        assert_eq!(
            redated.statutory_due.to,
            official
                .add_working_days(ready_on, task.plan.statutory_days)
                .ok()
        );
    }
    // b's 20 statutory days cross the Spring Festival: 11 and 12 February off, 20 February
    // worked.
    assert!(tasks.iter().any(|t| t.task.as_str() == "b"));
    assert_ne!(case.state().task("b").unwrap().statutory_due, b_due);
    // a's 3 committed days end before the festival and stay; its 10 statutory days move.
    let a = tasks.iter().find(|t| t.task.as_str() == "a").unwrap();
    assert_eq!(a.committed_due.from, a.committed_due.to);
    assert_ne!(a.statutory_due.from, a.statutory_due.to);
    assert_eq!(case.state().task("a").unwrap().committed_due, a_due);
    if let Some(change) = promised_completion {
        assert_eq!(change.from, Some(before.promised_completion));
        assert_eq!(Some(case.state().promised_completion), change.to);
    }
    // Re-dating again on the same calendar is a no-op.
    assert_eq!(case.ok(&system(), redate(), at("2027-01-29 13:00")), vec![]);
    // Only the system re-dates.
    assert_eq!(
        variant(&case.err(&coordinator(), redate(), at("2027-01-29 13:00"))),
        "Forbidden"
    );
}

#[test]
fn a_pause_is_counted_again_on_the_new_calendar() {
    let mut case = Case::launched(standard(), application(), "2027-02-01 09:00");
    let fire = officer("zhao", "fire");
    case.ok(&fire, claim("b", 2), at("2027-02-03 09:00"));
    case.ok(&fire, request("b", &["消防图纸"]), at("2027-02-03 09:10"));
    // Paused 3 Feb to 16 Feb: on the provisional year 4 Feb, 11, 12, 15, 16 are counted.
    case.ok(
        &coordinator(),
        submit("b"),
        at("2027-02-16 09:00") + Duration::minutes(0),
    );
    let provisional_paused = case.state().task("b").unwrap().paused_days;
    assert_eq!(provisional_paused, 5);
    case.definition.calendar = official_2027();
    let events = case.ok(&system(), redate(), at("2027-02-16 10:00"));
    let Event::CaseRedated { tasks, .. } = &events[0] else {
        panic!("{events:?}")
    };
    let b = tasks.iter().find(|t| t.task.as_str() == "b").unwrap();
    // 11 and 12 February are off on the official year.
    assert_eq!(b.paused_working_days, 3);
    assert_eq!(case.state().task("b").unwrap().paused_days, 3);
}
