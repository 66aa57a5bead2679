//! Tests of the Rhai sandbox, compilation and evaluation.

use std::time::{Duration, Instant};

use serde_json::json;

use super::*;

const SCRIPT: &str = r#"
fn green(app) { app.green_channel == true }
fn eia_days(app) {
    if app.investment_wan < 5000 { 10 } else { 30 }
}
fn forever(n) { loop { n += 1; } }
fn recurse(n) { recurse(n + 1) }
"#;

fn rules() -> Rules {
    Rules::compile(Some(SCRIPT)).expect("script compiles")
}

#[test]
fn when_and_days_evaluate_against_the_application() {
    let rules = rules();
    let mut app = rules
        .application(&json!({"investment_wan": 1200, "green_channel": true, "scope": ["food"]}))
        .unwrap();
    let when = rules
        .compile_expr("app.investment_wan > 0 && green(app)")
        .unwrap();
    assert!(rules.eval_bool(&when, &mut app).unwrap());
    let days = rules
        .compile_expr("if green(app) { 3 } else { eia_days(app) }")
        .unwrap();
    assert_eq!(rules.eval_days(&days, &mut app).unwrap(), 3);
    let contains = rules.compile_expr(r#""food" in app.scope"#).unwrap();
    assert!(rules.eval_bool(&contains, &mut app).unwrap());
}

#[test]
fn a_missing_field_reads_as_unit() {
    let rules = rules();
    let mut app = rules.application(&json!({})).unwrap();
    let expr = rules.compile_expr("app.hazardous == true").unwrap();
    assert!(!rules.eval_bool(&expr, &mut app).unwrap());
}

#[test]
fn wrong_result_types_are_named() {
    let rules = rules();
    let mut app = rules.application(&json!({"n": -2})).unwrap();
    let expr = rules.compile_expr("app.n").unwrap();
    let err = rules.eval_days(&expr, &mut app).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected a whole number of working days ≥ 0, got i64 `-2`"
    );
    let err = rules.eval_bool(&expr, &mut app).unwrap_err();
    assert!(err.to_string().starts_with("expected a boolean"), "{err}");
}

#[test]
fn an_endless_loop_stops_well_under_a_second() {
    let rules = rules();
    let mut app = rules.application(&json!({})).unwrap();
    let expr = rules.compile_expr("forever(1) > 0").unwrap();
    let started = Instant::now();
    let err = rules.eval_bool(&expr, &mut app).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        err.to_string()
            .contains("operations (does it loop forever?)"),
        "{err}"
    );
}

#[test]
fn endless_recursion_is_stopped() {
    let rules = rules();
    let mut app = rules.application(&json!({})).unwrap();
    let expr = rules.compile_expr("recurse(0) > 0").unwrap();
    let err = rules.eval_bool(&expr, &mut app).unwrap_err();
    assert!(err.to_string().contains("nested function calls"), "{err}");
}

#[test]
fn huge_strings_are_refused() {
    let rules = Rules::compile(Some("fn big() { let s = \"x\"; loop { s += s; } }")).unwrap();
    let mut app = rules.application(&json!({})).unwrap();
    let expr = rules.compile_expr("big() == 1").unwrap();
    let err = rules.eval_bool(&expr, &mut app).unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("length of string"),
        "{err}"
    );
}

#[test]
fn modules_and_eval_are_not_available() {
    let err = Rules::compile(Some("import \"os\" as os;")).unwrap_err();
    assert!(matches!(err, Error::Syntax { line: 1, .. }), "{err:?}");
    let rules = rules();
    let err = rules.compile_expr(r#"eval("1")"#).unwrap_err();
    assert!(matches!(err, Error::Syntax { .. }), "{err:?}");
}

#[test]
fn syntax_errors_carry_the_scripts_line_and_column() {
    let err = Rules::compile(Some("fn ok() { 1 }\nfn bad( { 2 }\n")).unwrap_err();
    match err {
        Error::Syntax { line, column, .. } => assert_eq!((line, column), (2, 9)),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn unknown_variables_are_compile_errors() {
    let err = rules().compile_expr("ap.investment > 0").unwrap_err();
    assert!(err.to_string().contains("ap"), "{err}");
}

#[test]
fn calls_to_undefined_functions_are_found() {
    let rules = rules();
    let expr = rules
        .compile_expr("green(app) && is_small(app) && app.name.len() > 2 && abs(-1) == 1")
        .unwrap();
    assert_eq!(
        rules.undefined_functions(&expr),
        vec![("is_small".to_string(), 1)]
    );
    let wrong_arity = rules.compile_expr("green(app, 1)").unwrap();
    assert_eq!(
        rules.undefined_functions(&wrong_arity),
        vec![("green".to_string(), 2)]
    );
}

#[test]
fn the_application_must_be_an_object() {
    let err = rules().application(&json!([1, 2])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the application must be a JSON object, not an array"
    );
}

#[test]
fn an_expression_cannot_change_the_application() {
    let rules = rules();
    let mut app = rules.application(&json!({"n": 1})).unwrap();
    let expr = rules.compile_expr("{ app.n = 2; true }");
    // Either it does not compile as an expression, or assigning to a constant fails.
    if let Ok(expr) = expr {
        assert!(rules.eval_bool(&expr, &mut app).is_err());
    }
    let read = rules.compile_expr("app.n == 1").unwrap();
    assert!(rules.eval_bool(&read, &mut app).unwrap());
}

#[test]
fn script_functions_can_be_called_directly() {
    let rules = rules();
    let app = rules.application(&json!({"investment_wan": 9000})).unwrap();
    let days = rules.call("eia_days", vec![app.value()]).unwrap();
    assert_eq!(days.as_int().unwrap(), 30);
    assert_eq!(
        rules.function_names(),
        vec!["eia_days", "forever", "green", "recurse"]
    );
}
