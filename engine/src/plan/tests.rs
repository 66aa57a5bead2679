//! Tests of planning: `when`, evaluated limits and pass-through of skipped tasks.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::rules::Rules;
use crate::workflow::{Days, Department, TaskDef, Workflow};

/// A task: (id, needs, when, committed_days).
type Spec<'a> = (&'a str, &'a [&'a str], Option<&'a str>, Days);

fn task(spec: &Spec<'_>) -> TaskDef {
    let (id, needs, when, committed) = spec;
    TaskDef {
        id: (*id).into(),
        name: format!("任务 {id} / Task {id}"),
        department: "dept".into(),
        kind: if matches!(committed, Days::Fixed(0)) {
            TaskKind::Instant
        } else {
            TaskKind::Commitment
        },
        statutory_days: if matches!(committed, Days::Fixed(0)) {
            0
        } else {
            20
        },
        committed_days: committed.clone(),
        needs: needs.iter().map(|&n| n.into()).collect(),
        when: when.map(str::to_string),
        materials: vec![],
        basis: None,
    }
}

fn compile(script: Option<&str>, specs: &[Spec<'_>]) -> CompiledWorkflow {
    compile_tasks(script, specs.iter().map(task).collect())
}

fn compile_tasks(script: Option<&str>, tasks: Vec<TaskDef>) -> CompiledWorkflow {
    let rules = Rules::compile(script).unwrap();
    let department = Department {
        id: "dept".into(),
        name: "部门 / Department".into(),
    };
    let workflow = Workflow {
        id: "test".into(),
        name: "测试 / Test".into(),
        description: None,
        calendar: "cn".into(),
        rules: script.map(|_| "test.rhai".into()),
        departments: BTreeMap::from([(department.id.clone(), department)]),
        tasks,
        application: Default::default(),
    };
    CompiledWorkflow::for_tests(workflow, rules)
}

fn needs_of(plan: &CasePlan, id: &str) -> Vec<String> {
    let node = plan.node(id).unwrap();
    plan.graph[node]
        .needs
        .iter()
        .map(|n| n.to_string())
        .collect()
}

#[test]
fn a_skipped_task_passes_its_needs_through_transitively() {
    let specs: Vec<Spec<'_>> = vec![
        ("intake", &[], None, Days::Fixed(0)),
        ("a", &["intake"], None, Days::Fixed(3)),
        ("b", &["a"], Some("app.has_b != true"), Days::Fixed(2)),
        ("c", &["b"], Some("app.has_c != true"), Days::Fixed(2)),
        ("d", &["c", "a"], None, Days::Fixed(4)),
        ("issue", &["d"], None, Days::Fixed(0)),
    ];
    let workflow = compile(None, &specs);
    let plan = workflow
        .plan(&json!({"has_b": true, "has_c": true}))
        .unwrap();
    assert_eq!(plan.skipped, vec![TaskId::new("b"), TaskId::new("c")]);
    assert_eq!(needs_of(&plan, "d"), vec!["a"]);
    assert_eq!(plan.graph.node_count(), 4);
    assert_eq!(plan.graph.edge_count(), 3);

    let full = workflow.plan(&json!({})).unwrap();
    assert!(full.skipped.is_empty());
    assert_eq!(needs_of(&full, "d"), vec!["a", "c"]);
}

#[test]
fn committed_days_expressions_use_the_rules_script() {
    let script = "fn fast(app) { app.green_channel == true }";
    let specs: Vec<Spec<'_>> = vec![(
        "review",
        &[],
        None,
        Days::Expr("if fast(app) { 3 } else { 8 }".into()),
    )];
    let workflow = compile(Some(script), &specs);
    let green = workflow.plan(&json!({"green_channel": true})).unwrap();
    assert_eq!(green.tasks().next().unwrap().committed_days, 3);
    let normal = workflow.plan(&json!({"green_channel": false})).unwrap();
    assert_eq!(normal.tasks().next().unwrap().committed_days, 8);
}

#[test]
fn failures_name_the_task_and_the_field() {
    let specs: Vec<Spec<'_>> = vec![
        ("ok", &[], Some("app.size.len() > 1"), Days::Fixed(1)),
        ("late", &[], None, Days::Expr("app.days".into())),
    ];
    let workflow = compile(None, &specs);
    let err = workflow.plan(&json!({"size": 5, "days": 1})).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("task `ok`, field `when`: "), "{text}");

    let err = workflow
        .plan(&json!({"size": "ab", "days": 25}))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "task `late`, field `committed_days`: evaluated to 25 working days, more than statutory_days 20"
    );
    let err = workflow
        .plan(&json!({"size": "ab", "days": true}))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "task `late`, field `committed_days`: expected a whole number of working days ≥ 0, got bool `true`"
    );
    let err = workflow.plan(&json!("not an object")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "application: the application must be a JSON object, not a string"
    );
}

#[test]
fn tasks_sharing_an_expression_each_get_its_value_and_their_own_checks() {
    let days = || Days::Expr(r#"num(app, "days")"#.into());
    let specs: Vec<Spec<'_>> = vec![
        ("a", &[], None, days()),
        ("b", &["a"], Some(r#"flag(app, "x")"#), days()),
        ("c", &["b"], Some(r#"flag(app, "x")"#), days()),
        ("d", &["c"], Some(r#"!flag(app, "x")"#), days()),
    ];
    let mut tasks: Vec<TaskDef> = specs.iter().map(task).collect();
    tasks[2].statutory_days = 5;
    let workflow = compile_tasks(None, tasks);
    assert_eq!(workflow.when_slots.count, 2);
    assert_eq!(workflow.committed_slots.count, 1);

    let plan = workflow.plan(&json!({"x": true, "days": 4})).unwrap();
    let planned: Vec<(&str, u32)> = plan
        .tasks()
        .map(|t| (t.id.as_str(), t.committed_days))
        .collect();
    assert_eq!(planned, [("a", 4), ("b", 4), ("c", 4)]);
    assert_eq!(plan.skipped, ["d".into()]);

    // The value is shared; the statutory limit is each task's own.
    let err = workflow.plan(&json!({"x": true, "days": 6})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "task `c`, field `committed_days`: evaluated to 6 working days, more than statutory_days 5"
    );
    // A failing expression is reported at the first task that has it.
    let err = workflow.plan(&json!({"x": true, "days": -1})).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("task `a`, field `committed_days`: "));
    let plan = workflow.plan(&json!({"days": 6})).unwrap();
    assert_eq!(plan.skipped, ["b".into(), "c".into()]);
}

/// Tasks reachable backwards from `node` through `needs`, restricted to `kept`.
fn ancestors(needs: &[Vec<usize>], node: usize, kept: &[bool]) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack = needs[node].clone();
    while let Some(n) = stack.pop() {
        if seen.insert(n) {
            stack.extend(needs[n].iter().copied());
        }
    }
    seen.into_iter().filter(|&n| kept[n]).collect()
}

proptest! {
    /// Every applicable prerequisite of an applicable task — directly or through skipped
    /// tasks — stays its prerequisite in the plan, and no other task becomes one.
    #[test]
    fn pass_through_preserves_prerequisites(
        edges in proptest::collection::vec((0usize..12, 0usize..12), 0..40),
        skip in proptest::collection::vec(any::<bool>(), 12),
    ) {
        let ids: Vec<String> = (0..12).map(|i| format!("t{i}")).collect();
        let mut needs = vec![Vec::new(); 12];
        for (a, b) in edges {
            let (lo, hi) = (a.min(b), a.max(b));
            if lo != hi && !needs[hi].contains(&lo) {
                needs[hi].push(lo);
            }
        }
        let need_ids: Vec<Vec<&str>> =
            needs.iter().map(|ns| ns.iter().map(|&n| ids[n].as_str()).collect()).collect();
        let conditions: Vec<String> = (0..12).map(|i| format!("app.skip{i} != true")).collect();
        let specs: Vec<Spec<'_>> = (0..12)
            .map(|i| (ids[i].as_str(), need_ids[i].as_slice(), Some(conditions[i].as_str()), Days::Fixed(1)))
            .collect();
        let workflow = compile(None, &specs);
        let app: serde_json::Map<String, serde_json::Value> =
            (0..12).map(|i| (format!("skip{i}"), json!(skip[i]))).collect();
        let plan = workflow.plan(&serde_json::Value::Object(app)).unwrap();

        let kept: Vec<bool> = skip.iter().map(|s| !s).collect();
        let index = |id: &str| ids.iter().position(|x| x == id).unwrap();
        let mut plan_needs = vec![Vec::new(); 12];
        for task in plan.tasks() {
            plan_needs[index(task.id.as_str())] = task.needs.iter().map(|n| index(n.as_str())).collect();
        }
        for t in (0..12).filter(|&t| kept[t]) {
            prop_assert_eq!(ancestors(&plan_needs, t, &kept), ancestors(&needs, t, &kept));
        }
    }
}
