//! Benchmarks of planning with rules already compiled: one industrial-project application
//! through rules, pass-through, the DAG, CPM and dates (target ≤ 100 µs), and one typical
//! `when` expression (target ≥ 200,000 evaluations per second on one core, i.e. ≤ 5 µs).

use std::hint::black_box;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{criterion_main, Criterion};
use greenlane_engine::rules::Rules;

mod support;

/// Plans the chemical-plant example.
fn plan(criterion: &mut Criterion) {
    let workflow = support::industrial_project();
    let application = support::chemical_plant();
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
    criterion.bench_function("plan industrial-project (rules + DAG + CPM + dates)", |b| {
        b.iter(|| {
            let plan = workflow.plan(black_box(&application)).expect("plans");
            plan.timetable(&workflow.calendar, start).expect("dates")
        })
    });
}

/// Evaluates a typical `when` condition.
fn when_expression(criterion: &mut Criterion) {
    let rules = Rules::compile(Some(include_str!("../../rules/industrial-project.rhai")))
        .expect("compiles");
    let expression = rules
        .compile_expr("app.investment_wan >= 5000 && app.hazardous_chemicals == true")
        .expect("compiles");
    let mut application = rules
        .application(&support::chemical_plant())
        .expect("an object");
    criterion.bench_function("when expression", |b| {
        b.iter(|| {
            rules
                .eval_bool(black_box(&expression), &mut application)
                .expect("evaluates")
        })
    });
}

/// Runs both benchmarks with short runs (written out instead of `criterion_group!`, whose
/// function has no doc).
fn benches() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    plan(&mut criterion);
    when_expression(&mut criterion);
    criterion.final_summary();
}

criterion_main!(benches);
