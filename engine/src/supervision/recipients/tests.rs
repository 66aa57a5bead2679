//! Tests of asking a rules function who is told: what it is given, what it may answer, and
//! every way an answer is refused in favour of the chain.

use serde_json::json;

use super::*;
use crate::ids::{CenterId, PrincipalId};
use crate::supervision::AlertLevel;

const SCRIPT: &str = r#"
// Tells the supervision office when every field of `alert` and `app` is as the test gave
// them, else the center.
fn inspect(alert, app) {
    let task = alert.level == "yellow" && alert.task == "eia" && alert.department == "ecology"
        && alert.officer == "o1" && alert.coordinator == "coord" && alert.center == "jilin"
        && alert.causes.len() == 0 && alert.chain.len() == 2 && alert.chain[0] == "officer"
        && alert.chain[1] == "center" && app.applicant == "某某公司";
    let at_risk = alert.level == "at_risk" && alert.task == () && alert.department == ()
        && alert.officer == () && alert.causes.len() == 2 && alert.causes[1] == "land";
    if task || at_risk { ["supervision_office"] } else { ["center"] }
}
fn hazardous(alert, app) {
    let to = alert.chain;
    if alert.level == "red" && app.hazardous_chemicals == true {
        to += ["supervision_office", "department_head:emergency-management"];
    }
    to
}
fn forever(alert, app) { let n = 0; loop { n += 1; } }
fn throws(alert, app) { throw "nobody is in today"; }
fn text(alert, app) { "center" }
fn number(alert, app) { ["center", 3] }
fn nobody(alert, app) { [] }
fn mayor(alert, app) { ["officer", "mayor"] }
fn no_department(alert, app) { ["department_head:"] }
fn elsewhere(alert, app) { ["department_head:nowhere"] }
fn officer(alert, app) { ["officer"] }
"#;

/// The ids a notice refers to.
struct Ids {
    officer: PrincipalId,
    coordinator: PrincipalId,
    departments: Vec<DepartmentId>,
    center: CenterId,
    task: TaskId,
    causes: Vec<TaskId>,
}

fn ids() -> Ids {
    Ids {
        officer: "o1".into(),
        coordinator: "coord".into(),
        departments: vec!["ecology".into()],
        center: "jilin".into(),
        task: "eia".into(),
        causes: vec!["eia".into(), "land".into()],
    }
}

/// An alert of `level` on the task `eia`, held by `o1`.
fn alert(ids: &Ids, level: AlertLevel) -> Notice<'_> {
    Notice {
        occasion: Occasion::Alert(level),
        task: Some(&ids.task),
        parties: Parties {
            officer: Some(&ids.officer),
            coordinator: Some(&ids.coordinator),
            departments: &ids.departments,
            center: &ids.center,
        },
        causes: &[],
    }
}

/// The case at risk because of `eia` and `land`.
fn at_risk(ids: &Ids) -> Notice<'_> {
    Notice {
        occasion: Occasion::AtRisk,
        task: None,
        parties: Parties {
            officer: None,
            ..alert(ids, AlertLevel::Red).parties
        },
        causes: &ids.causes,
    }
}

/// Addresses `notice` with `function` over a chain of officer + center at every level.
fn address(function: &str, notice: &Notice<'_>, app: serde_json::Value) -> Addressed {
    let rules = Rules::compile(Some(SCRIPT)).unwrap();
    let names = vec![RecipientName::Officer, RecipientName::Center];
    let escalation = Escalation {
        chain: EscalationChain {
            warning: names.clone(),
            yellow: names.clone(),
            red: names,
            at_risk: vec![RecipientName::Coordinator, RecipientName::DepartmentHead],
        },
        function: Some(function.to_string()),
    };
    let known = |id: &DepartmentId| ["ecology", "emergency-management"].contains(&id.as_str());
    escalation.address(&rules, &known, notice, &app)
}

/// The chain's answer to an alert of `eia`.
fn chain() -> Vec<Recipient> {
    vec![
        Recipient::Officer("o1".into()),
        Recipient::Center("jilin".into()),
    ]
}

#[test]
fn the_function_sees_the_alert_and_the_application() {
    let ids = ids();
    let app = json!({"applicant": "某某公司"});
    let office = vec![Recipient::SupervisionOffice("jilin".into())];
    let addressed = address("inspect", &alert(&ids, AlertLevel::Yellow), app.clone());
    assert_eq!(
        (addressed.recipients, addressed.rule_error),
        (office.clone(), None)
    );
    let addressed = address("inspect", &at_risk(&ids), app.clone());
    assert_eq!((addressed.recipients, addressed.rule_error), (office, None));
    // Anything else: the center.
    let addressed = address("inspect", &alert(&ids, AlertLevel::Red), app);
    assert_eq!(addressed.recipients, [Recipient::Center("jilin".into())]);
}

#[test]
fn a_red_card_on_a_hazardous_project_also_reaches_emergency_management() {
    let ids = ids();
    let hazardous = json!({"hazardous_chemicals": true});
    let addressed = address(
        "hazardous",
        &alert(&ids, AlertLevel::Red),
        hazardous.clone(),
    );
    assert_eq!(
        addressed,
        Addressed {
            recipients: vec![
                Recipient::Officer("o1".into()),
                Recipient::Center("jilin".into()),
                Recipient::SupervisionOffice("jilin".into()),
                Recipient::DepartmentHead("emergency-management".into()),
            ],
            rule_error: None,
        }
    );
    let yellow = address("hazardous", &alert(&ids, AlertLevel::Yellow), hazardous);
    assert_eq!(yellow.recipients, chain());
    let other = address("hazardous", &alert(&ids, AlertLevel::Red), json!({}));
    assert_eq!(other.recipients, chain());
}

#[test]
fn without_a_function_the_chain_is_told() {
    let ids = ids();
    let escalation = Escalation::default();
    let rules = Rules::compile(None).unwrap();
    let addressed = escalation.address(
        &rules,
        &|_| true,
        &alert(&ids, AlertLevel::Warning),
        &json!({}),
    );
    assert_eq!(
        addressed,
        Addressed {
            recipients: vec![Recipient::Officer("o1".into())],
            rule_error: None,
        }
    );
}

#[test]
fn every_unusable_answer_falls_back_to_the_chain_and_says_why() {
    let ids = ids();
    let cases = [
        (
            "forever",
            "`forever` failed: the rule exceeded its limit of 200000 operations (does it loop \
             forever?)",
        ),
        (
            "throws",
            "`throws` failed: Runtime error: nobody is in today (at 21:25)",
        ),
        (
            "text",
            "`text` returned string `center`, not an array of recipient names",
        ),
        (
            "number",
            "`number` returned i64 `3` among its recipients, not a recipient name (a string)",
        ),
        ("nobody", "`nobody` returned no recipients"),
        (
            "mayor",
            "`mayor` returned unknown recipient `mayor`; expected officer, coordinator, \
             department_head, department_head:<department id>, center or supervision_office",
        ),
        (
            "no_department",
            "`no_department` returned `department_head:` without a department id after the \
             colon",
        ),
        (
            "elsewhere",
            "`elsewhere` returned `department_head:nowhere`, but the workflow has no \
             department `nowhere`",
        ),
        ("missing", "`missing` failed: Function not found: missing"),
    ];
    for (function, why) in cases {
        let addressed = address(function, &alert(&ids, AlertLevel::Yellow), json!({}));
        assert_eq!(addressed.recipients, chain(), "{function}");
        assert_eq!(addressed.rule_error.as_deref(), Some(why), "{function}");
    }
}

#[test]
fn officer_is_refused_for_a_case_at_risk() {
    let ids = ids();
    let addressed = address("officer", &at_risk(&ids), json!({}));
    assert_eq!(
        addressed,
        Addressed {
            recipients: vec![
                Recipient::Coordinator("coord".into()),
                Recipient::DepartmentHead("ecology".into()),
            ],
            rule_error: Some(
                "`officer` returned `officer` for at_risk, which concerns no single task".into()
            ),
        }
    );
    // For a task it is the officer holding it.
    let addressed = address("officer", &alert(&ids, AlertLevel::Warning), json!({}));
    assert_eq!(addressed.recipients, [Recipient::Officer("o1".into())]);
}
