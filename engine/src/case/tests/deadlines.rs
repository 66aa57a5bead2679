//! Due dates and alerts on a simulated clock across the 2026 holidays.
//!
//! Every expected date below is counted by hand on the 2026 notice: Spring Festival
//! 02-15 … 02-23 off with Saturdays 02-14 and 02-28 worked; National Day 10-01 … 10-07 off
//! with Sunday 09-20 and Saturday 10-10 worked (09-30 and 10-08 are ordinary working days).
//! The firing rule of `supervision`: a level fires at the end of its day in the center's
//! time zone, i.e. at 00:00 of the next calendar day.

use chrono::{TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use super::fixture::*;
use crate::case::{Command, Event};
use crate::supervision::{alert_dates, end_of_day, AlertLevel, Recipient, WarningPolicy};

/// Only the alert words of a summary.
fn alerts(summary: &str) -> String {
    summary
        .split(' ')
        .filter(|word| {
            word.starts_with("warning:") || word.starts_with("yellow:") || word.starts_with("red:")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn ready_event(events: &[Event], task: &str) -> Event {
    events
        .iter()
        .find(|e| matches!(e, Event::TaskReady { task: t, .. } if t.as_str() == task))
        .cloned()
        .unwrap_or_else(|| panic!("no TaskReady for {task} in {events:?}"))
}

#[test]
fn the_day_ends_at_midnight_in_the_centers_time_zone() {
    assert_eq!(
        end_of_day(day("2026-02-25"), Shanghai),
        Utc.with_ymd_and_hms(2026, 2, 25, 16, 0, 0).unwrap()
    );
    assert_eq!(
        end_of_day(day("2026-02-25"), Shanghai),
        at("2026-02-26 00:00")
    );
    assert_eq!(
        end_of_day(day("2026-12-31"), chrono_tz::Asia::Urumqi),
        Utc.with_ymd_and_hms(2026, 12, 31, 18, 0, 0).unwrap()
    );
}

#[test]
fn warnings_fire_at_one_day_left_or_ninety_percent_used() {
    let calendar = crate::calendar::testing::cn();
    let policy = WarningPolicy::default();
    let monday = day("2026-03-02");
    let warning = |committed: u32, paused: u32| {
        alert_dates(&calendar, policy, monday, committed, paused, committed)[0].1
    };
    assert_eq!(warning(0, 0), None);
    // One day: warn at the end of the day it became ready, one working day left.
    assert_eq!(warning(1, 0), Some(monday));
    assert_eq!(warning(2, 0), Some(day("2026-03-03")));
    // Ten days: one left and 90 % used agree on the 9th working day.
    assert_eq!(warning(10, 0), Some(day("2026-03-13")));
    // Twenty days: 90 % used (18th day) comes before one day left (19th).
    assert_eq!(warning(20, 0), Some(day("2026-03-26")));
    // Paused working days push the warning back as far.
    assert_eq!(warning(2, 2), Some(day("2026-03-05")));
}

#[test]
fn cards_across_the_spring_festival_fire_once_at_the_end_of_their_day() {
    // Friday 2026-02-13, the last working day but one before the Spring Festival.
    let mut case = Case::standard("2026-02-13 09:00");
    let dispatch = &case.history[case.history.len() - 2..];
    let dispatch: Vec<Event> = dispatch.iter().map(|r| r.event.clone()).collect();
    // a: 3 committed days = 02-14 (adjusted Saturday), 02-24, 02-25; 10 statutory = 03-05.
    assert_eq!(
        ready_event(&dispatch, "a"),
        Event::TaskReady {
            task: "a".into(),
            committed_due: Some(day("2026-02-25")),
            statutory_due: Some(day("2026-03-05"))
        }
    );
    // b: 5 committed days end on 02-27; 20 statutory on 03-19.
    assert_eq!(
        ready_event(&dispatch, "b"),
        Event::TaskReady {
            task: "b".into(),
            committed_due: Some(day("2026-02-27")),
            statutory_due: Some(day("2026-03-19"))
        }
    );

    // a warns at the end of 02-24 (one working day left); nothing fires over the holiday.
    assert_eq!(case.check(at("2026-02-14 23:59:59")), "");
    assert_eq!(case.check(at("2026-02-20 12:00")), "");
    assert_eq!(case.check(at("2026-02-24 23:59:59")), "");
    let events = case.ok(&system(), Command::CheckDeadlines, at("2026-02-25 00:00"));
    assert_eq!(
        events,
        vec![Event::AlertRaised {
            task: "a".into(),
            level: AlertLevel::Warning,
            due: day("2026-02-25"),
            department: "market".into(),
            officer: None,
            recipients: vec![Recipient::DepartmentHead("market".into())],
            rule_error: None,
        }]
    );
    assert_eq!(case.check(at("2026-02-25 00:00")), "", "fires once");
    assert_eq!(case.check(at("2026-02-25 12:00")), "");

    // The yellow card at the end of the committed due date names the officer holding it.
    let m1 = officer("m1", "market");
    case.ok(&m1, claim("a", 8), at("2026-02-25 09:00"));
    assert_eq!(case.check(at("2026-02-25 23:59:59")), "");
    let events = case.ok(&system(), Command::CheckDeadlines, at("2026-02-26 00:00"));
    assert_eq!(
        events,
        vec![Event::AlertRaised {
            task: "a".into(),
            level: AlertLevel::Yellow,
            due: day("2026-02-25"),
            department: "market".into(),
            officer: Some("m1".into()),
            recipients: vec![
                Recipient::Officer("m1".into()),
                Recipient::DepartmentHead("market".into()),
                Recipient::Center(CENTER.into()),
            ],
            rule_error: None,
        }]
    );
    assert_eq!(case.check(at("2026-02-26 00:00")), "");

    // b warns at the end of 02-26 and is approved on its due date: no yellow card.
    assert_eq!(case.check(at("2026-02-26 23:59:59")), "");
    assert_eq!(case.check(at("2026-02-27 00:00")), "warning:b");
    let f1 = officer("f1", "fire");
    case.ok(&f1, claim("b", 16), at("2026-02-27 09:00"));
    assert_eq!(
        summary(&case.ok(&f1, approve("b"), at("2026-02-27 23:59:59"))),
        "approved:b"
    );
    // The promise (02-27) is now missed because of a alone.
    assert_eq!(case.check(at("2026-02-28 00:00")), "at_risk:a");
    assert_eq!(case.check(at("2026-03-01 00:00")), "", "Sunday: no later");

    // The red card at the end of the statutory due date adds the supervision office.
    assert_eq!(alerts(&case.check(at("2026-03-05 23:59:59"))), "");
    let events = case.ok(&system(), Command::CheckDeadlines, at("2026-03-06 00:00"));
    assert_eq!(summary(&events), "red:a at_risk:a");
    let Event::AlertRaised {
        due, recipients, ..
    } = &events[0]
    else {
        unreachable!()
    };
    assert_eq!(*due, day("2026-03-05"));
    assert_eq!(
        recipients.last(),
        Some(&Recipient::SupervisionOffice(CENTER.into()))
    );
    assert_eq!(case.check(at("2026-03-06 00:00")), "");
    assert_eq!(
        case.state().task("a").unwrap().alerts,
        AlertLevel::ALL.into_iter().collect()
    );

    // The instant issuance task is due the day it becomes ready.
    case.ok(&m1, claim("a", 8), at("2026-03-06 09:00"));
    assert_eq!(
        summary(&case.ok(&m1, approve("a"), at("2026-03-06 09:30"))),
        "approved:a ready:issue"
    );
    assert_eq!(case.check(at("2026-03-06 23:59:59")), "");
    assert_eq!(case.check(at("2026-03-07 00:00")), "yellow:issue red:issue");
}

#[test]
fn an_approval_on_the_due_date_gets_no_yellow_card() {
    let mut case = Case::standard("2026-02-13 09:00");
    let m1 = officer("m1", "market");
    assert_eq!(case.check(at("2026-02-25 00:00")), "warning:a");
    case.ok(&m1, claim("a", 8), at("2026-02-25 22:00"));
    case.ok(&m1, approve("a"), at("2026-02-25 23:59:59"));
    assert_eq!(alerts(&case.check(at("2026-02-26 00:00"))), "");
    assert_eq!(
        alerts(&case.check(at("2026-03-31 00:00"))),
        "warning:b yellow:b red:b"
    );
}

#[test]
fn a_supplement_pause_across_national_day_extends_both_due_dates() {
    // Monday 2026-09-28.
    let mut case = Case::standard("2026-09-28 09:00");
    let dispatch: Vec<Event> = case.history.iter().map(|r| r.event.clone()).collect();
    // 09-29, 09-30, 10-08: the holiday 10-01 … 10-07 is skipped.
    assert_eq!(
        ready_event(&dispatch, "a"),
        Event::TaskReady {
            task: "a".into(),
            committed_due: Some(day("2026-10-08")),
            statutory_due: Some(day("2026-10-16"))
        }
    );
    let m1 = officer("m1", "market");
    case.ok(&m1, claim("a", 8), at("2026-09-29 10:00"));
    case.ok(
        &m1,
        request("a", &["章程 / articles"]),
        at("2026-09-29 11:00"),
    );

    // Suspended: neither a's warning (end of 09-30) nor its yellow card (end of 10-08).
    assert_eq!(case.check(at("2026-10-01 00:00")), "");
    assert_eq!(case.check(at("2026-10-09 00:00")), "");

    // Paused: the working days in (09-29, 10-09] = 09-30, 10-08, 10-09 = 3. New dues are
    // 3 + 3 = 6 working days after 09-28 (… 10-09, 10-10 Sat, 10-12) and 10 + 3 = 13
    // (… 10-16, 10-19, 10-20, 10-21).
    let events = case.ok(&coordinator(), submit("a"), at("2026-10-09 10:00"));
    assert_eq!(
        events,
        vec![Event::SupplementSubmitted {
            task: "a".into(),
            paused_working_days: 3,
            committed_due: Some(day("2026-10-12")),
            statutory_due: Some(day("2026-10-21"))
        }]
    );
    assert_eq!(case.state().task("a").unwrap().paused_days, 3);

    // The pause makes a miss the promise (10-10); b (5 days: due Saturday 10-10) warns at
    // the end of 10-09.
    assert_eq!(case.check(at("2026-10-09 23:59:59")), "at_risk:a");
    assert_eq!(case.check(at("2026-10-10 00:00")), "warning:b");
    // a's warning moved from the end of 09-30 to the end of 10-10 (2 + 3 working days).
    assert_eq!(case.check(at("2026-10-10 23:59:59")), "");
    assert_eq!(case.check(at("2026-10-11 00:00")), "warning:a yellow:b");
    assert_eq!(alerts(&case.check(at("2026-10-12 23:59:59"))), "");
    assert_eq!(alerts(&case.check(at("2026-10-13 00:00"))), "yellow:a");
    assert_eq!(alerts(&case.check(at("2026-10-21 23:59:59"))), "");
    assert_eq!(alerts(&case.check(at("2026-10-22 00:00"))), "red:a");
}

#[test]
fn a_special_procedure_pauses_the_clock_and_lands_the_due_date_on_an_adjusted_saturday() {
    let mut case = Case::standard("2026-02-13 09:00");
    let (m1, m2) = (officer("m1", "market"), officer("m2", "market"));
    case.ok(&m1, claim("a", 8), at("2026-02-13 10:00"));
    case.ok(&m1, start_special("a", 5), at("2026-02-13 10:30"));

    // a's warning would fire at the end of 02-24: it is suspended.
    assert_eq!(case.check(at("2026-02-25 00:00")), "");
    // Paused: (02-13, 02-25] = 02-14, 02-24, 02-25 = 3 working days. Committed: 3 + 3 = 6
    // working days after 02-13 = 02-28, the adjusted Saturday; statutory 13 = 03-10.
    let events = case.ok(&m2, end_special("a"), at("2026-02-25 10:00"));
    assert_eq!(
        events,
        vec![Event::SpecialProcedureEnded {
            task: "a".into(),
            paused_working_days: 3,
            committed_due: Some(day("2026-02-28")),
            statutory_due: Some(day("2026-03-10"))
        }]
    );
    assert_eq!(
        case.state().task("a").unwrap().status,
        crate::case::TaskStatus::Ready
    );
    // b is approved on time, but a's pause now makes the case miss its promise (02-27).
    let f1 = officer("f1", "fire");
    case.ok(&f1, claim("b", 8), at("2026-02-26 10:00"));
    assert_eq!(
        summary(&case.ok(&f1, approve("b"), at("2026-02-26 10:30"))),
        "approved:b at_risk:a"
    );

    // Warning at the end of 02-27 (2 + 3 working days); yellow at the end of Saturday 02-28.
    assert_eq!(case.check(at("2026-02-27 23:59:59")), "");
    assert_eq!(case.check(at("2026-02-28 00:00")), "warning:a");
    assert_eq!(case.check(at("2026-02-28 23:59:59")), "");
    assert_eq!(case.check(at("2026-03-01 00:00")), "yellow:a");
    assert_eq!(alerts(&case.check(at("2026-03-10 23:59:59"))), "");
    assert_eq!(alerts(&case.check(at("2026-03-11 00:00"))), "red:a");
}

#[test]
fn pauses_add_up_and_alerts_stay_silent_while_suspended() {
    let mut case = Case::standard("2026-03-02 09:00");
    let m1 = officer("m1", "market");
    // First pause: (03-02, 03-04] = 2 working days.
    case.ok(&m1, claim("a", 8), at("2026-03-02 10:00"));
    case.ok(&m1, start_special("a", 2), at("2026-03-02 10:30"));
    let events = case.ok(&m1, end_special("a"), at("2026-03-04 09:00"));
    assert_eq!(
        events,
        vec![Event::SpecialProcedureEnded {
            task: "a".into(),
            paused_working_days: 2,
            committed_due: Some(day("2026-03-09")),
            statutory_due: Some(day("2026-03-18"))
        }]
    );
    // Second pause over a weekend: (03-06, 03-10] = 03-09, 03-10 = 2 more.
    case.ok(&m1, claim("a", 8), at("2026-03-06 09:00"));
    case.ok(&m1, request("a", &["x"]), at("2026-03-06 10:00"));
    // Suspended past the old committed due date 03-09: no card for a (b gets its own).
    assert_eq!(
        alerts(&case.check(at("2026-03-10 00:00"))),
        "warning:b yellow:b"
    );
    let events = case.ok(&coordinator(), submit("a"), at("2026-03-10 15:00"));
    assert_eq!(
        events,
        vec![Event::SupplementSubmitted {
            task: "a".into(),
            paused_working_days: 2,
            committed_due: Some(day("2026-03-11")),
            statutory_due: Some(day("2026-03-20"))
        }]
    );
    assert_eq!(case.state().task("a").unwrap().paused_days, 4);
    // Resumed on the same day it stopped: nothing paused.
    case.ok(&m1, claim("a", 8), at("2026-03-10 16:00"));
    case.ok(&m1, start_special("a", 1), at("2026-03-10 16:10"));
    let events = case.ok(&m1, end_special("a"), at("2026-03-10 17:00"));
    assert!(matches!(
        events[0],
        Event::SpecialProcedureEnded {
            paused_working_days: 0,
            ..
        }
    ));
}

#[test]
fn the_clock_follows_the_centers_time_zone() {
    let mut case = Case::new(standard());
    let mut command = launch(application());
    if let Command::Launch { time_zone, .. } = &mut command {
        *time_zone = "Asia/Urumqi".into();
    }
    // 09:00 in Shanghai is 07:00 in Urumqi (UTC+6), same day.
    case.ok(&coordinator(), command, at("2026-02-13 09:00"));
    let window = officer("window", "center");
    case.ok(&window, claim("intake", 1), at("2026-02-13 09:10"));
    case.ok(&window, approve("intake"), at("2026-02-13 09:20"));
    // a's warning fires at the end of 02-24 in Urumqi: 02:00 on 02-25 in Shanghai.
    assert_eq!(case.check(at("2026-02-25 01:59:59")), "");
    assert_eq!(case.check(at("2026-02-25 02:00")), "warning:a");
}

#[test]
fn a_special_procedure_pauses_the_clock_for_at_most_its_granted_days() {
    let mut case = Case::standard("2026-02-13 09:00");
    let m1 = officer("m1", "market");
    case.ok(&m1, claim("a", 8), at("2026-02-13 10:00"));
    // One working day granted: while the hearing runs, a's dates move back by one working
    // day: warning at the end of 02-25, committed due 02-26, statutory due 03-06.
    case.ok(&m1, start_special("a", 1), at("2026-02-13 10:30"));
    assert_eq!(case.check(at("2026-02-25 23:59:59")), "");
    let events = case.ok(&system(), Command::CheckDeadlines, at("2026-02-26 00:00"));
    assert_eq!(
        events,
        vec![Event::AlertRaised {
            task: "a".into(),
            level: AlertLevel::Warning,
            due: day("2026-02-26"),
            department: "market".into(),
            officer: Some("m1".into()),
            recipients: vec![Recipient::Officer("m1".into())],
            rule_error: None,
        }]
    );
    // The hearing overruns its grant: the yellow card comes while it still runs.
    assert_eq!(alerts(&case.check(at("2026-02-26 23:59:59"))), "");
    assert_eq!(
        alerts(&case.check(at("2026-02-27 00:00"))),
        "yellow:a warning:b"
    );
    // (02-13, 02-27] holds 4 working days, of which only the granted 1 is not counted.
    let events = case.ok(&m1, end_special("a"), at("2026-02-27 10:00"));
    assert_eq!(
        events,
        vec![Event::SpecialProcedureEnded {
            task: "a".into(),
            paused_working_days: 1,
            committed_due: Some(day("2026-02-26")),
            statutory_due: Some(day("2026-03-06"))
        }]
    );
    assert_eq!(
        alerts(&case.check(at("2026-03-07 00:00"))),
        "red:a yellow:b"
    );
}
