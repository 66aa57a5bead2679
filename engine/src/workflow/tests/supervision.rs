//! Tests of the `supervision` section: the policy it builds, and every problem in it
//! reported at its position.

use super::*;
use crate::supervision::{AlertLevel, EscalationChain, Occasion, RecipientName, WarningPolicy};

/// Functions a recipients function may be: `notify` is one, `one` takes too few parameters.
const RECIPIENT_FUNCTIONS: &str = "\
fn notify(alert, app) { alert.chain }
fn one(alert) { [\"center\"] }
";

/// `GOOD` with `section` appended (from line 38 on).
fn with(section: &str) -> String {
    format!("{GOOD}{section}")
}

/// Builds `text` with the recipient functions added to `wf.rhai`.
fn build_with_functions(text: &str) -> Result<CompiledWorkflow, Diagnostics> {
    let mut sources = sources();
    let script = sources.rules.get_mut("wf.rhai").unwrap();
    script.text.push_str(RECIPIENT_FUNCTIONS);
    build(
        &SourceText {
            name: "wf.yaml".to_string(),
            text: text.to_string(),
        },
        &sources,
    )
}

/// The diagnostics for `text` with the recipient functions available.
fn errors_with_functions(text: &str) -> Vec<String> {
    match build_with_functions(text) {
        Ok(_) => panic!("expected diagnostics, the workflow built:\n{text}"),
        Err(diagnostics) => diagnostics.0.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn without_a_section_the_defaults_apply() {
    let compiled = build_text(GOOD).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(compiled.warning, WarningPolicy::default());
    assert_eq!(compiled.escalation().chain, EscalationChain::default());
    assert_eq!(compiled.escalation().function, None);
}

#[test]
fn the_section_sets_the_threshold_the_chain_and_the_function() {
    let text = with(
        "\
supervision:
  warning: { days_left: 2, used_percent: 80 }
  escalation:
    warning: [officer, coordinator]
    red: [officer, department_head, department_head:fire, center, supervision_office]
    at_risk:
      - coordinator
      - supervision_office
  recipients: notify
",
    );
    let compiled = build_with_functions(&text).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(
        compiled.warning,
        WarningPolicy {
            days_left: 2,
            used_percent: 80
        }
    );
    let chain = &compiled.escalation().chain;
    use RecipientName::*;
    assert_eq!(
        chain.get(Occasion::Alert(AlertLevel::Warning)),
        [Officer, Coordinator]
    );
    // A level the file leaves out keeps the default.
    assert_eq!(chain.yellow, EscalationChain::default().yellow);
    assert_eq!(
        chain.red,
        [
            Officer,
            DepartmentHead,
            HeadOf("fire".into()),
            Center,
            SupervisionOffice
        ]
    );
    assert_eq!(chain.at_risk, [Coordinator, SupervisionOffice]);
    assert_eq!(compiled.escalation().function.as_deref(), Some("notify"));
}

#[test]
fn either_threshold_may_be_left_out() {
    let compiled = build_text(&with("supervision:\n  warning:\n    used_percent: 100\n"))
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(
        compiled.warning,
        WarningPolicy {
            days_left: 1,
            used_percent: 100
        }
    );
    let compiled = build_text(&with("supervision: { warning: { days_left: 0 } }\n"))
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(compiled.warning.days_left, 0);
    assert_eq!(compiled.warning.used_percent, 90);
}

#[test]
fn wrong_types_and_out_of_range_thresholds_are_reported() {
    assert_eq!(
        errors(&with("supervision: [warning]\n")),
        [
            "wf.yaml:38:14: `supervision` must be a mapping of warning, escalation or \
             recipients, not a list"
        ]
    );
    assert_eq!(
        errors(&with(
            "\
supervision:
  warning: { days_left: two, used_percent: 120 }
  escalation: officer
  recipients: 3
  deadline: 5
"
        )),
        [
            "wf.yaml:39:25: supervision.warning: `days_left` must be a whole number of working \
             days, not the string `two`",
            "wf.yaml:39:44: supervision.warning: `used_percent` must be a whole number of \
             percent from 1 to 100, not 120",
            "wf.yaml:40:15: supervision: `escalation` must be a mapping of warning, yellow, \
             red or at_risk, not the string `officer`",
            "wf.yaml:41:15: supervision: `recipients` must be a string, not the number 3 (put \
             it in quotes to make it one)",
            "wf.yaml:42:3: supervision: unknown field `deadline`; expected one of: warning, \
             escalation, recipients",
        ]
    );
    assert_eq!(
        errors(&with(
            "supervision:\n  warning: { days_left: -1, used_percent: 0, used: 5 }\n"
        )),
        [
            "wf.yaml:39:25: supervision.warning: `days_left` must not be negative (it is -1)",
            "wf.yaml:39:43: supervision.warning: `used_percent` must be a whole number of \
             percent from 1 to 100, not 0",
            "wf.yaml:39:46: supervision.warning: unknown field `used`; expected one of: \
             days_left, used_percent",
        ]
    );
    assert_eq!(
        errors(&with("supervision:\n  warning: { used_percent: 85.5 }\n")),
        [
            "wf.yaml:39:28: supervision.warning: `used_percent` must be a whole number of \
             percent from 1 to 100, not 85.5"
        ]
    );
}

#[test]
fn unknown_levels_and_recipients_are_reported_at_the_name() {
    let text = with(
        "\
supervision:
  escalation:
    orange: [center]
    warning: [Officer, mayor, 3, \"department_head:\"]
    yellow: []
    red: [center, department_head:firee, center]
    at_risk: [officer, coordinator]
",
    );
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:40:5: supervision.escalation: unknown field `orange`; expected one of: \
             warning, yellow, red, at_risk",
            "wf.yaml:41:15: supervision.escalation: `warning[0]` is an unknown recipient \
             `Officer`; did you mean `officer`?",
            "wf.yaml:41:24: supervision.escalation: `warning[1]` is an unknown recipient \
             `mayor`; expected officer, coordinator, department_head, department_head:<department \
             id>, center or supervision_office",
            "wf.yaml:41:31: supervision.escalation: `warning[2]` must be a recipient name (a \
             string), not the number 3",
            "wf.yaml:41:34: supervision.escalation: `warning[3]`: `department_head:` without a \
             department id after the colon",
            "wf.yaml:42:13: supervision.escalation: `yellow` is empty: an alert must reach \
             someone",
            "wf.yaml:43:19: supervision.escalation: `red[1]` names the head of unknown \
             department `firee`; did you mean `department_head:fire`?",
            "wf.yaml:43:42: supervision.escalation: `red` lists `center` twice",
            "wf.yaml:44:15: supervision.escalation: `at_risk[0]`: a case at risk concerns no \
             single task, so it has no `officer` to tell; use `department_head` for the \
             departments causing the slip",
        ]
    );
    // Without a close match, no hint.
    let text = with("supervision:\n  escalation:\n    red: [center, department_head:mayor]\n");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:40:19: supervision.escalation: `red[1]` names the head of unknown department \
          `mayor`"
        ]
    );
}

#[test]
fn a_recipients_function_must_be_defined_by_the_rules_script() {
    assert_eq!(
        errors_with_functions(&with("supervision:\n  recipients: notfy\n")),
        [
            "wf.yaml:39:15: supervision: `recipients` names function `notfy`, which rules \
             script `wf.rhai` does not define as `fn notfy(alert, app)`"
        ]
    );
    assert_eq!(
        errors_with_functions(&with("supervision:\n  recipients: one\n")),
        [
            "wf.yaml:39:15: supervision: `recipients` names function `one`, which rules script \
             `wf.rhai` does not define as `fn one(alert, app)` (its `one` takes a different \
             number of parameters)"
        ]
    );
    // Without a rules script (and so without the expressions that need one).
    let text = with("supervision:\n  recipients: notify\n")
        .replace("rules: wf.rhai\n", "")
        .replace(
            "    committed_days: \"eia_days(app)\"\n",
            "    committed_days: 30\n",
        )
        .replace(
            "    when: \"!is_small(app) || app.hazardous == true\"\n",
            "",
        );
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:37:15: supervision: `recipients` names function `notify`, but the workflow \
             has no rules script (`rules:`) to define it"
        ]
    );
    // A broken script is reported once, in its own name; the function is not checked.
    let text = with("supervision:\n  recipients: notify\n")
        .replace("rules: wf.rhai", "rules: broken.rhai");
    assert!(errors(&text).iter().all(|e| !e.contains("`recipients`")));
}
