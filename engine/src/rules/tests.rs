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

/// The script helpers every rules script defined before the engine provided them natively.
/// A script's own functions win over the engine's, so compiling these gives the old
/// behaviour to compare with.
const SCRIPT_HELPERS: &str = r#"
fn field(app, name) {
    if name in app { app[name] } else { () }
}
fn flag(app, name) {
    let v = field(app, name);
    type_of(v) == "bool" && v
}
fn flag_or(app, name, otherwise) {
    let v = field(app, name);
    if type_of(v) == "bool" { v } else { otherwise }
}
fn num(app, name) {
    let v = field(app, name);
    if type_of(v) == "i64" { v } else if type_of(v) == "f64" { v.to_int() } else { 0 }
}
fn text(app, name) {
    let v = field(app, name);
    if type_of(v) == "string" { v } else { "" }
}
fn list(app, name) {
    let v = field(app, name);
    if type_of(v) == "array" { v } else { [] }
}
fn not_held(app, id) {
    !(id in list(app, "held"))
}
fn holds_none(app, ids) {
    for id in ids {
        if !not_held(app, id) {
            return false;
        }
    }
    true
}
"#;

#[test]
fn built_in_helpers_behave_like_the_script_helpers_they_replace() {
    let script = Rules::compile(Some(SCRIPT_HELPERS)).unwrap();
    let native = Rules::compile(None).unwrap();
    let values = [
        json!(null),
        json!(true),
        json!(false),
        json!(0),
        json!(-3),
        json!(9_000_000_000_000_000_000_u64),
        json!(2.7),
        json!(-2.7),
        json!(1e30),
        json!(""),
        json!("text"),
        json!("a"),
        json!([]),
        json!(["a", "b"]),
        json!([1, "a", null, [2], {"k": 1}]),
        json!([1.0, true]),
        json!({"a": 1}),
    ];
    let expressions = [
        r#"field(app, "x")"#,
        r#"flag(app, "x")"#,
        r#"flag_or(app, "x", 7)"#,
        r#"num(app, "x")"#,
        r#"text(app, "x")"#,
        r#"list(app, "x")"#,
        r#"not_held(app, "a")"#,
        r#"not_held(app, 1)"#,
        r#"not_held(app, 1.0)"#,
        r#"not_held(app, ())"#,
        r#"holds_none(app, ["z", "a"])"#,
        r#"holds_none(app, [1, "z"])"#,
        r#"holds_none(app, [])"#,
        r#"flag(#{x: true}, "x")"#,
        r#"num(#{x: 2.5}, "x")"#,
        r#"not_held(#{held: ["a"]}, "a")"#,
    ];
    let mut applications = vec![json!({})];
    for value in &values {
        applications.push(json!({ "x": value, "held": value }));
    }
    for application in &applications {
        let mut old_app = script.application(application).unwrap();
        let mut new_app = native.application(application).unwrap();
        for source in expressions {
            let old = script.eval(&script.compile_expr(source).unwrap(), &mut old_app);
            let new = native.eval(&native.compile_expr(source).unwrap(), &mut new_app);
            match (old, new) {
                (Ok(old), Ok(new)) => assert_eq!(
                    (old.type_name(), format!("{old:?}")),
                    (new.type_name(), format!("{new:?}")),
                    "{source} on {application}"
                ),
                (Err(_), Err(_)) => {}
                (old, new) => panic!("{source} on {application}: {old:?} before, {new:?} now"),
            }
        }
    }
}

#[test]
fn helpers_need_no_script_and_work_as_methods() {
    let rules = Rules::compile(None).unwrap();
    let mut app = rules
        .application(&json!({"green_channel": true, "area": 12.9, "held": ["land"]}))
        .unwrap();
    for source in [
        r#"flag(app, "green_channel") && app.flag("green_channel")"#,
        r#"num(app, "area") == 12 && app.num("area") == 12"#,
        r#"held(app, "land") && !not_held(app, "land") && app.not_held("eia")"#,
        r#"!holds_none(app, ["eia", "land"]) && holds_none(app, ["eia"])"#,
        r#"text(app, "missing") == "" && list(app, "missing").len() == 0"#,
    ] {
        let expr = rules.compile_expr(source).unwrap();
        assert!(rules.eval_bool(&expr, &mut app).unwrap(), "{source}");
        assert!(rules.undefined_functions(&expr).is_empty(), "{source}");
    }
    let wrong_arity = rules
        .compile_expr(r#"flag(app) || num(app, "a", 1) > 0"#)
        .unwrap();
    assert_eq!(
        rules.undefined_functions(&wrong_arity),
        vec![("flag".to_string(), 1), ("num".to_string(), 3)]
    );
}

#[test]
fn the_application_converts_as_rhai_serde_would() {
    let json = json!({
        "null": null, "yes": true, "int": -42, "big": 18_000_000_000_000_000_000_u64,
        "max": i64::MAX, "dec": 0.1, "text": "化工 chemical", "list": [1, "a", [null], {}],
        "nested": {"a": {"b": [1.5, false]}}
    });
    let rules = Rules::compile(None).unwrap();
    let mut app = rules.application(&json).unwrap();
    let ours = app.value().cast::<AppMap>();
    let theirs = rhai::serde::to_dynamic(&json).unwrap().cast::<rhai::Map>();
    for (name, value) in &theirs {
        let mine = ours.get(name);
        assert_eq!(
            (mine.type_name(), format!("{mine:?}")),
            (value.type_name(), format!("{value:?}")),
            "{name}"
        );
    }
    let len = rules.compile_expr("app.len()").unwrap();
    assert_eq!(
        rules.eval_days(&len, &mut app).unwrap() as usize,
        theirs.len()
    );
}

// ---- Fields read by name ----------------------------------------------------------------

/// `(field, via, function, line, column)` of every read.
fn reads_of(reads: Vec<FieldRead>) -> Vec<(String, String, Option<String>, usize, usize)> {
    reads
        .into_iter()
        .map(|r| (r.field, r.via, r.function, r.line, r.column))
        .collect()
}

#[test]
fn field_reads_are_found_in_every_form_and_given_to_their_function() {
    let script = r#"
fn a(app) { flag(app, "f") || num(app, "n") > 0 || app.flag_or("o", true) }
fn b(app) {
    let x = app.prop + app["key"];
    if "there" in app { text(app, "t") } else { app.nested.inner }
}
fn c(app, alert) { not_held(app, "task") && alert.level == "red" && flag(alert, "x") }
fn d(app, name) { flag(app, name) || holds_none(app, ["a"]) || app.held("b") }
"#;
    let rules = Rules::compile(Some(script)).unwrap();
    let reads = reads_of(rules.field_reads());
    let f = |field: &str, via: &str, function: &str, line, column| {
        (
            field.to_string(),
            via.to_string(),
            Some(function.to_string()),
            line,
            column,
        )
    };
    assert_eq!(
        reads,
        [
            f("f", "flag", "a", 2, 23),
            f("n", "num", "a", 2, 40),
            f("o", "flag_or", "a", 2, 64),
            f("prop", "app.x", "b", 4, 17),
            f("key", "app[…]", "b", 4, 28),
            f("there", "in", "b", 5, 8),
            f("t", "text", "b", 5, 35),
            f("nested", "app.x", "b", 5, 53),
            f("held", "not_held", "c", 7, 20),
            f("held", "holds_none", "d", 8, 38),
            f("held", "held", "d", 8, 68),
        ]
    );
}

#[test]
fn an_expression_reports_its_own_reads_not_those_of_the_functions_it_calls() {
    let rules = Rules::compile(Some("fn g(app) { flag(app, \"inside\") }")).unwrap();
    let expr = rules
        .compile_expr("g(app) && app.outside == 1 && list(app, \"items\").len() > 0")
        .unwrap();
    assert_eq!(
        reads_of(expr.field_reads()),
        [
            ("outside".to_string(), "app.x".to_string(), None, 1, 15),
            ("items".to_string(), "list".to_string(), None, 1, 41),
        ]
    );
}
