//! A workflow's own supervision policy in `decide`: its warning threshold, its escalation
//! chain, and a recipients function of its rules script — including one that loops forever
//! or answers nonsense, where the alert still fires, goes to the chain, and says why.
//!
//! Dates as in `deadlines`: launched Friday 2026-02-13, a (3 days) is due 02-25 and b
//! (5 days) 02-27, counted over the adjusted Saturday 02-14 and the Spring Festival.

use serde_json::json;

use super::fixture::*;
use crate::case::{Command, Event};
use crate::ids::CenterId;
use crate::supervision::{
    AlertLevel, Escalation, EscalationChain, Recipient, RecipientName, WarningPolicy,
};

/// The rules of the recipients-function tests.
const SCRIPT: &str = r#"
fn escalate(alert, app) {
    if app.stuck == true {
        loop { }
    }
    let to = alert.chain;
    if app.bogus == true && alert.level == "yellow" {
        to += ["mayor"];
    }
    if alert.level == "red" {
        to += ["department_head:fire"];
    }
    to
}
"#;

/// The deadline check at `now`, returning the events.
fn check_events(case: &mut Case, now: &str) -> Vec<Event> {
    case.ok(&system(), Command::CheckDeadlines, at(now))
}

/// The alert of `level` on `task` among `events`, as (recipients, rule error).
fn alert(events: &[Event], task: &str, level: AlertLevel) -> (Vec<Recipient>, Option<String>) {
    events
        .iter()
        .find_map(|event| match event {
            Event::AlertRaised {
                task: t,
                level: l,
                recipients,
                rule_error,
                ..
            } if t.as_str() == task && *l == level => {
                Some((recipients.clone(), rule_error.clone()))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {level:?} for {task} in {}", summary(events)))
}

fn center() -> CenterId {
    CenterId::new(CENTER)
}

#[test]
fn a_workflow_with_two_days_left_warns_a_day_earlier() {
    let mut definition = standard();
    definition.warning = WarningPolicy {
        days_left: 2,
        used_percent: 90,
    };
    let mut case = Case::launched(definition, application(), "2026-02-13 09:00");
    // a: 3 − 2 = 1 working day after 02-13 is the adjusted Saturday 02-14 (by default the
    // warning comes at the end of 02-24).
    assert_eq!(case.check(at("2026-02-14 23:59:59")), "");
    assert_eq!(case.check(at("2026-02-15 00:00")), "warning:a");
    // b: 5 − 2 = 3 working days: 02-25 (by default 02-26); a's yellow card is unchanged.
    assert_eq!(case.check(at("2026-02-25 23:59:59")), "");
    assert_eq!(case.check(at("2026-02-26 00:00")), "yellow:a warning:b");
}

#[test]
fn a_workflow_with_a_low_percentage_warns_when_that_share_is_used() {
    let mut definition = standard();
    definition.warning = WarningPolicy {
        days_left: 1,
        used_percent: 20,
    };
    let mut case = Case::launched(definition, application(), "2026-02-13 09:00");
    // 20 % of 3 and of 5 working days, rounded up, is 1 day: the end of 02-14 for both.
    assert_eq!(case.check(at("2026-02-14 23:59:59")), "");
    assert_eq!(case.check(at("2026-02-15 00:00")), "warning:a warning:b");
    assert_eq!(case.check(at("2026-02-25 00:00")), "");
}

#[test]
fn the_workflows_chain_decides_who_is_told_at_each_level() {
    let mut definition = standard();
    definition.escalation = Escalation {
        chain: EscalationChain {
            warning: vec![RecipientName::Officer, RecipientName::Coordinator],
            yellow: vec![RecipientName::HeadOf("fire".into()), RecipientName::Center],
            at_risk: vec![RecipientName::SupervisionOffice],
            ..EscalationChain::default()
        },
        function: None,
    };
    let mut case = Case::launched(definition, application(), "2026-02-13 09:00");
    // Nobody holds a: its warning goes to market's head instead of an officer.
    let events = check_events(&mut case, "2026-02-25 00:00");
    assert_eq!(summary(&events), "warning:a");
    assert_eq!(
        alert(&events, "a", AlertLevel::Warning),
        (
            vec![
                Recipient::DepartmentHead("market".into()),
                Recipient::Coordinator("coord".into()),
            ],
            None
        )
    );
    let m1 = officer("m1", "market");
    case.ok(&m1, claim("a", 8), at("2026-02-25 09:00"));
    let events = check_events(&mut case, "2026-02-26 00:00");
    assert_eq!(
        alert(&events, "a", AlertLevel::Yellow).0,
        [
            Recipient::DepartmentHead("fire".into()),
            Recipient::Center(center())
        ]
    );
    // The red level was not set: the default chain.
    let events = check_events(&mut case, "2026-03-06 00:00");
    assert_eq!(
        alert(&events, "a", AlertLevel::Red).0,
        [
            Recipient::Officer("m1".into()),
            Recipient::DepartmentHead("market".into()),
            Recipient::Center(center()),
            Recipient::SupervisionOffice(center()),
        ]
    );
    let at_risk = events
        .iter()
        .find_map(|event| match event {
            Event::CaseAtRisk { recipients, .. } => Some(recipients.clone()),
            _ => None,
        })
        .expect("the case is at risk by 03-06");
    assert_eq!(at_risk, [Recipient::SupervisionOffice(center())]);
}

#[test]
fn a_recipients_function_adds_to_the_chain() {
    let mut definition = standard_with_rules(Some(SCRIPT));
    definition.escalation.function = Some("escalate".into());
    let mut case = Case::launched(definition, application(), "2026-02-13 09:00");
    // Every level of a at once, and b's first two: the function keeps the chain except
    // for red cards, which also go to the fire department's head.
    let events = check_events(&mut case, "2026-03-06 00:00");
    assert_eq!(
        alert(&events, "a", AlertLevel::Warning),
        (vec![Recipient::DepartmentHead("market".into())], None)
    );
    assert_eq!(
        alert(&events, "a", AlertLevel::Red),
        (
            vec![
                Recipient::DepartmentHead("market".into()),
                Recipient::Center(center()),
                Recipient::SupervisionOffice(center()),
                Recipient::DepartmentHead("fire".into()),
            ],
            None
        )
    );
    assert!(events.iter().all(|event| !matches!(
        event,
        Event::AlertRaised {
            rule_error: Some(_),
            ..
        } | Event::CaseAtRisk {
            rule_error: Some(_),
            ..
        }
    )));
}

#[test]
fn a_recipients_function_that_loops_forever_is_stopped_and_the_chain_is_told() {
    let mut definition = standard_with_rules(Some(SCRIPT));
    definition.escalation.function = Some("escalate".into());
    let application = json!({"env": false, "stuck": true});
    let mut case = Case::launched(definition, application, "2026-02-13 09:00");
    let events = check_events(&mut case, "2026-02-25 00:00");
    assert_eq!(summary(&events), "warning:a");
    let (recipients, error) = alert(&events, "a", AlertLevel::Warning);
    assert_eq!(recipients, [Recipient::DepartmentHead("market".into())]);
    assert_eq!(
        error.as_deref(),
        Some(
            "`escalate` failed: the rule exceeded its limit of 200000 operations (does it \
             loop forever?)"
        )
    );
    // The alert is recorded like any other and fires once.
    assert!(case
        .state()
        .task("a")
        .unwrap()
        .alerts
        .contains(&AlertLevel::Warning));
    assert_eq!(case.check(at("2026-02-25 12:00")), "");
    // A case at risk falls back the same way.
    let events = check_events(&mut case, "2026-03-02 00:00");
    let Some(Event::CaseAtRisk {
        recipients,
        rule_error,
        ..
    }) = events
        .iter()
        .find(|event| matches!(event, Event::CaseAtRisk { .. }))
    else {
        panic!("no at-risk in {}", summary(&events));
    };
    assert_eq!(recipients[0], Recipient::Coordinator("coord".into()));
    assert_eq!(recipients.last(), Some(&Recipient::Center(center())));
    assert!(rule_error
        .as_deref()
        .is_some_and(|e| e.contains("operations")));
}

#[test]
fn an_unknown_recipient_from_the_function_falls_back_to_the_chain_and_says_so() {
    let mut definition = standard_with_rules(Some(SCRIPT));
    definition.escalation.function = Some("escalate".into());
    let application = json!({"env": false, "bogus": true});
    let mut case = Case::launched(definition, application, "2026-02-13 09:00");
    let events = check_events(&mut case, "2026-02-26 00:00");
    assert_eq!(summary(&events), "warning:a yellow:a");
    // The warning was answered usably; the yellow card was not.
    assert_eq!(alert(&events, "a", AlertLevel::Warning).1, None);
    assert_eq!(
        alert(&events, "a", AlertLevel::Yellow),
        (
            vec![
                Recipient::DepartmentHead("market".into()),
                Recipient::Center(center()),
            ],
            Some(
                "`escalate` returned unknown recipient `mayor`; expected officer, coordinator, \
                 department_head, department_head:<department id>, center or \
                 supervision_office"
                    .to_string()
            )
        )
    );
}

#[test]
fn the_rule_error_is_stored_only_when_there_is_one() {
    let stored = r#"{"type":"alert_raised","task":"a","level":"red","due":"2026-03-05",
        "department":"market","officer":null,"recipients":[{"to":"center","id":"jilin"}]}"#;
    let event: Event = serde_json::from_str(stored).unwrap();
    let Event::AlertRaised { rule_error, .. } = &event else {
        panic!("{event:?}");
    };
    assert_eq!(rule_error, &None);
    assert!(!serde_json::to_string(&event)
        .unwrap()
        .contains("rule_error"));
    let failed = Event::CaseAtRisk {
        projected_completion: day("2026-03-12"),
        promised_completion: day("2026-03-10"),
        causes: vec!["a".into()],
        recipients: vec![Recipient::Center(center())],
        rule_error: Some("`escalate` returned no recipients".into()),
    };
    let json = serde_json::to_string(&failed).unwrap();
    assert!(json.contains(r#""rule_error":"`escalate` returned no recipients""#));
    assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), failed);
}
