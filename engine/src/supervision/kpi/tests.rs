//! Tests of the supervision KPIs on case histories built by hand.

use chrono::{Duration, NaiveDate, TimeZone, Utc};

use super::*;
use crate::calendar::testing::cn;
use crate::case::{Event, PlannedTaskSnapshot, Rating, Recorded, Timestamp};
use crate::ids::{CaseId, PrincipalId};
use crate::plan::PlannedTask;
use crate::supervision::AlertLevel;
use crate::workflow::TaskKind;

/// A calendar day.
fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `hour` o'clock on `date` in Asia/Shanghai (UTC+8), as a UTC timestamp.
fn cst(date: NaiveDate, hour: u32) -> Timestamp {
    Utc.from_utc_datetime(&date.and_hms_opt(hour, 0, 0).unwrap()) - Duration::hours(8)
}

/// A recorded event.
fn rec(at: Timestamp, event: Event) -> Recorded {
    Recorded {
        at,
        by: PrincipalId::from("officer-1"),
        event,
    }
}

/// A planned task.
fn item(
    id: &str,
    department: &str,
    kind: TaskKind,
    statutory_days: u32,
    committed_days: u32,
) -> PlannedTaskSnapshot {
    PlannedTaskSnapshot {
        task: PlannedTask {
            id: id.into(),
            name: id.to_string(),
            department: department.into(),
            kind,
            statutory_days,
            committed_days,
            needs: Vec::new(),
            materials: Vec::new(),
        },
        planned_finish: committed_days,
        latest_finish: committed_days,
    }
}

/// A commitment task of department `dr` with 20 statutory and 5 committed days.
fn commitment(id: &str) -> PlannedTaskSnapshot {
    item(id, "dr", TaskKind::Commitment, 20, 5)
}

/// The launch of case `case` of `workflow` on `on` at 09:00, promised for `promised`.
fn launch(
    case: &str,
    workflow: &str,
    on: NaiveDate,
    promised: NaiveDate,
    tasks: Vec<PlannedTaskSnapshot>,
) -> Recorded {
    rec(
        cst(on, 9),
        Event::Launched {
            case: case.into(),
            workflow: workflow.into(),
            version: 1,
            center: "jilin-city".into(),
            time_zone: "Asia/Shanghai".to_string(),
            launched_on: on,
            application: serde_json::json!({}),
            tasks,
            skipped: Vec::new(),
            duration_working_days: 0,
            promised_completion: promised,
            critical_path: Vec::new(),
            access_code_hash: String::new(),
        },
    )
}

/// Task `task` dispatched at `at` with committed due date `due`.
fn ready(at: Timestamp, task: &str, due: NaiveDate) -> Recorded {
    rec(
        at,
        Event::TaskReady {
            task: task.into(),
            committed_due: Some(due),
            statutory_due: Some(due + Duration::days(30)),
        },
    )
}

/// Task `task` approved at `at`.
fn approved(at: Timestamp, task: &str) -> Recorded {
    rec(
        at,
        Event::TaskApproved {
            task: task.into(),
            opinion: None,
        },
    )
}

/// Task `task` rejected at `at`.
fn rejected(at: Timestamp, task: &str) -> Recorded {
    rec(
        at,
        Event::TaskRejected {
            task: task.into(),
            reason: "不符合条件".to_string(),
        },
    )
}

/// Case `case` rated `rating`.
fn rated(case: &str, rating: Rating) -> Vec<Recorded> {
    let on = day(2026, 3, 2);
    vec![
        launch(case, "enterprise", on, on, vec![commitment("a")]),
        rec(cst(on, 17), Event::CaseRated { rating }),
    ]
}

/// The report of a board fed `histories`.
fn report_of(histories: &[Vec<Recorded>]) -> KpiReport {
    let mut board = KpiBoard::new();
    for history in histories {
        board.add_history(history);
    }
    board.report(&cn())
}

/// The `(value, numerator, denominator, met)` of `kpi` in `scope`.
fn figures(scope: &ScopeReport, kpi: Kpi) -> (Option<f64>, f64, u64, Option<bool>) {
    let m = scope
        .measure(kpi)
        .unwrap_or_else(|| panic!("{kpi:?} missing in {}", scope.scope));
    (m.value, m.numerator, m.denominator, m.met)
}

/// Asserts that `value` is `expected` up to rounding.
fn assert_close(value: Option<f64>, expected: f64) {
    let value = value.expect("a value");
    assert!((value - expected).abs() < 1e-9, "{value} ≠ {expected}");
}

#[test]
fn approval_on_the_due_date_is_on_time_but_not_early_and_after_it_is_late() {
    let (mon, due) = (day(2026, 3, 2), day(2026, 3, 9));
    let history = vec![
        launch(
            "C1",
            "enterprise",
            mon,
            due,
            ["early", "on-due", "late", "extended"]
                .map(commitment)
                .to_vec(),
        ),
        ready(cst(mon, 10), "early", due),
        ready(cst(mon, 10), "on-due", due),
        ready(cst(mon, 10), "late", due),
        ready(cst(mon, 10), "extended", due),
        // Three days before the due date: early.
        approved(cst(day(2026, 3, 6), 15), "early"),
        // 23:00 in Shanghai on the due date (15:00 UTC): on time, not early.
        approved(cst(due, 23), "on-due"),
        // 16:30 UTC on the due date is 00:30 the next day in Shanghai: late.
        approved(Utc.with_ymd_and_hms(2026, 3, 9, 16, 30, 0).unwrap(), "late"),
        // A supplement moved the due date to 12 March, so 11 March is early.
        rec(
            cst(day(2026, 3, 10), 9),
            Event::SupplementSubmitted {
                task: "extended".into(),
                paused_working_days: 3,
                committed_due: Some(day(2026, 3, 12)),
                statutory_due: Some(day(2026, 4, 10)),
            },
        ),
        approved(cst(day(2026, 3, 11), 10), "extended"),
    ];
    let report = report_of(&[history]);
    let overall = &report.overall;
    let (value, numerator, denominator, met) = figures(overall, Kpi::TaskOnTimeRate);
    assert_close(value, 75.0);
    assert_eq!((numerator, denominator, met), (3.0, 4, Some(false)));
    let (value, numerator, denominator, met) = figures(overall, Kpi::TaskEarlyRate);
    assert_close(value, 50.0);
    assert_eq!((numerator, denominator, met), (2.0, 4, Some(false)));
    assert_eq!(overall.tasks.approved, 4);
    assert_eq!(overall.tasks.dispatched, 4);
}

#[test]
fn every_task_on_time_meets_the_hundred_percent_target() {
    let (mon, due) = (day(2026, 3, 2), day(2026, 3, 9));
    let history = vec![
        launch("C1", "enterprise", mon, due, vec![commitment("a")]),
        ready(cst(mon, 10), "a", due),
        approved(cst(due, 11), "a"),
    ];
    let report = report_of(&[history]);
    let (value, _, _, met) = figures(&report.overall, Kpi::TaskOnTimeRate);
    assert_close(value, 100.0);
    assert_eq!(met, Some(true));
    assert_eq!(
        figures(&report.overall, Kpi::TaskEarlyRate).3,
        Some(false),
        "on the due date is not early"
    );
}

#[test]
fn a_referred_item_lowers_the_on_site_rate() {
    let mon = day(2026, 3, 2);
    let due = day(2026, 3, 9);
    let tasks = vec![
        commitment("approved"),
        item("referred", "province", TaskKind::Referred, 20, 10),
        item("instant", "market", TaskKind::Instant, 0, 0),
        commitment("rejected"),
        commitment("withdrawn"),
        commitment("open"),
    ];
    let mut history = vec![launch("C1", "project", mon, due, tasks)];
    for task in [
        "approved",
        "referred",
        "instant",
        "rejected",
        "withdrawn",
        "open",
    ] {
        history.push(ready(cst(mon, 10), task, due));
    }
    history.extend([
        approved(cst(mon, 11), "approved"),
        approved(cst(mon, 12), "referred"),
        approved(cst(mon, 13), "instant"),
        rejected(cst(mon, 14), "rejected"),
        rec(
            cst(mon, 14),
            Event::TaskWithdrawn {
                task: "withdrawn".into(),
                reason: "case rejected".to_string(),
            },
        ),
    ]);
    let report = report_of(&[history]);
    // Decided: approved, referred, instant and rejected; withdrawn and open tasks are not.
    let (value, numerator, denominator, met) = figures(&report.overall, Kpi::OnSiteRate);
    assert_close(value, 75.0);
    assert_eq!((numerator, denominator, met), (3.0, 4, Some(false)));
    assert_eq!(report.overall.tasks.rejected, 1);
    assert_eq!(report.overall.tasks.withdrawn, 1);

    // Nine on site and one referred is exactly the 90 % target.
    let mut tasks: Vec<_> = (0..9).map(|i| commitment(&format!("t{i}"))).collect();
    tasks.push(item("referred", "province", TaskKind::Referred, 20, 10));
    let ids: Vec<String> = tasks.iter().map(|t| t.id.to_string()).collect();
    let mut history = vec![launch("C2", "project", mon, due, tasks)];
    for id in &ids {
        history.push(ready(cst(mon, 10), id, due));
        history.push(approved(cst(mon, 11), id));
    }
    let report = report_of(&[history]);
    let (value, numerator, denominator, met) = figures(&report.overall, Kpi::OnSiteRate);
    assert_close(value, 90.0);
    assert_eq!((numerator, denominator, met), (9.0, 10, Some(true)));
}

#[test]
fn instant_share_counts_planned_tasks_of_kind_instant() {
    let on = day(2026, 3, 2);
    let mut tasks: Vec<_> = (0..7)
        .map(|i| item(&format!("i{i}"), "market", TaskKind::Instant, 0, 0))
        .collect();
    tasks.extend((0..3).map(|i| commitment(&format!("c{i}"))));
    // Nothing dispatched yet: the share is about the plan.
    let report = report_of(&[vec![launch("C1", "enterprise", on, on, tasks)]]);
    let (value, numerator, denominator, met) = figures(&report.overall, Kpi::InstantShare);
    assert_close(value, 70.0);
    assert_eq!((numerator, denominator, met), (7.0, 10, Some(true)));

    let tasks = vec![
        item("i0", "market", TaskKind::Instant, 0, 0),
        item("i1", "market", TaskKind::Instant, 0, 0),
        commitment("c0"),
    ];
    let report = report_of(&[vec![launch("C1", "enterprise", on, on, tasks)]]);
    let (value, _, _, met) = figures(&report.overall, Kpi::InstantShare);
    assert_close(value, 200.0 / 3.0);
    assert_eq!(met, Some(false));
}

#[test]
fn time_limit_reduction_is_per_item_and_leaves_out_instant_items() {
    let on = day(2026, 3, 2);
    let tasks = vec![
        item("half", "dr", TaskKind::Commitment, 20, 10),
        item("quarter", "dr", TaskKind::Commitment, 20, 15),
        item("instant", "market", TaskKind::Instant, 0, 0),
        item("sixty", "land", TaskKind::Commitment, 10, 4),
    ];
    let report = report_of(&[vec![launch("C1", "project", on, on, tasks)]]);
    // Reductions 50 %, 25 % and 60 %: average 45 %, below the 50 % target.
    let (value, numerator, denominator, met) = figures(&report.overall, Kpi::LimitReduction);
    assert_close(value, 45.0);
    assert!((numerator - 135.0).abs() < 1e-9);
    assert_eq!((denominator, met), (3, Some(false)));
    // Two of the three items meet committed ≤ 50 % of statutory (exactly half counts).
    let (value, numerator, denominator, met) = figures(&report.overall, Kpi::LimitReductionMet);
    assert_close(value, 200.0 / 3.0);
    assert_eq!((numerator, denominator, met), (2.0, 3, Some(false)));
    // Per department: `land` alone meets both.
    let land = report
        .departments
        .iter()
        .find(|s| s.scope == Scope::Department("land".into()))
        .unwrap();
    assert_close(figures(land, Kpi::LimitReduction).0, 60.0);
    assert_eq!(figures(land, Kpi::LimitReduction).3, Some(true));
    assert_eq!(figures(land, Kpi::LimitReductionMet).3, Some(true));
    // A department with instant items only has no data.
    let market = report
        .departments
        .iter()
        .find(|s| s.scope == Scope::Department("market".into()))
        .unwrap();
    assert_eq!(figures(market, Kpi::LimitReduction), (None, 0.0, 0, None));
}

#[test]
fn satisfaction_counts_four_and_five_stars_and_satisfied() {
    let histories = [
        rated("R1", Rating::Stars(5)),
        rated("R2", Rating::Stars(4)),
        rated("R3", Rating::Stars(3)),
        rated("R4", Rating::Satisfied),
        rated("R5", Rating::Unsatisfied),
        // Not rated: not in the denominator.
        vec![launch(
            "R6",
            "enterprise",
            day(2026, 3, 2),
            day(2026, 3, 2),
            vec![commitment("a")],
        )],
    ];
    let report = report_of(&histories);
    let (value, numerator, denominator, met) = figures(&report.overall, Kpi::SatisfactionRate);
    assert_close(value, 60.0);
    assert_eq!((numerator, denominator, met), (3.0, 5, Some(false)));
    assert_eq!(report.overall.cases.unwrap().rated, 5);

    // 19 of 20 satisfied is exactly the 95 % target.
    let mut histories: Vec<_> = (0..19)
        .map(|i| rated(&format!("S{i}"), Rating::Stars(4)))
        .collect();
    histories.push(rated("U", Rating::Stars(2)));
    let report = report_of(&histories);
    let (value, _, _, met) = figures(&report.overall, Kpi::SatisfactionRate);
    assert_close(value, 95.0);
    assert_eq!(met, Some(true));
}

#[test]
fn a_zero_denominator_is_no_data_not_zero_or_hundred_percent() {
    let report = KpiBoard::new().report(&cn());
    for kpi in Kpi::ALL {
        assert_eq!(
            figures(&report.overall, kpi),
            (None, 0.0, 0, None),
            "{kpi:?} on an empty board"
        );
    }
    assert!(report.workflows.is_empty() && report.departments.is_empty());

    // A launched case with nothing decided: the plan KPIs have data, the others do not.
    let on = day(2026, 3, 2);
    let report = report_of(&[vec![launch(
        "C1",
        "enterprise",
        on,
        on,
        vec![item("i", "market", TaskKind::Instant, 0, 0)],
    )]]);
    let overall = &report.overall;
    assert_close(figures(overall, Kpi::InstantShare).0, 100.0);
    for kpi in [
        Kpi::OnSiteRate,
        Kpi::TaskOnTimeRate,
        Kpi::TaskEarlyRate,
        Kpi::CaseOnTimeRate,
        Kpi::CaseEarlyRate,
        Kpi::LimitReduction,
        Kpi::LimitReductionMet,
        Kpi::SatisfactionRate,
        Kpi::ElapsedWorkingDays,
    ] {
        assert_eq!(figures(overall, kpi).0, None, "{kpi:?}");
    }
}

#[test]
fn kpis_split_per_workflow_and_per_department() {
    let on = day(2026, 3, 2);
    let due = day(2026, 3, 9);
    let enterprise = vec![
        launch(
            "E1",
            "enterprise",
            on,
            due,
            vec![
                item("licence", "market", TaskKind::Instant, 0, 0),
                item("tax", "tax", TaskKind::Commitment, 10, 5),
            ],
        ),
        ready(cst(on, 9), "licence", on),
        ready(cst(on, 9), "tax", due),
        approved(cst(on, 10), "licence"),
        rec(
            cst(day(2026, 3, 10), 0),
            Event::AlertRaised {
                task: "tax".into(),
                level: AlertLevel::Yellow,
                due,
                department: "tax".into(),
                officer: None,
                recipients: Vec::new(),
                rule_error: None,
            },
        ),
        approved(cst(day(2026, 3, 10), 10), "tax"),
    ];
    let project = vec![
        launch(
            "P1",
            "project",
            on,
            due,
            vec![
                item("site", "market", TaskKind::Commitment, 20, 5),
                item("filing", "dr", TaskKind::Referred, 20, 10),
            ],
        ),
        ready(cst(on, 9), "site", due),
        ready(cst(on, 9), "filing", due),
        approved(cst(day(2026, 3, 5), 10), "site"),
        approved(cst(due, 10), "filing"),
    ];
    let report = report_of(&[enterprise, project]);

    let scopes: Vec<_> = report.scopes().map(|s| s.scope.to_string()).collect();
    assert_eq!(
        scopes,
        [
            "全部 overall",
            "流程 workflow enterprise",
            "流程 workflow project",
            "部门 department dr",
            "部门 department market",
            "部门 department tax",
        ]
    );
    let [enterprise, project] = &report.workflows[..] else {
        panic!("two workflows");
    };
    let [dr, market, tax] = &report.departments[..] else {
        panic!("three departments");
    };

    assert_eq!(figures(&report.overall, Kpi::TaskOnTimeRate).1, 3.0);
    assert_eq!(figures(&report.overall, Kpi::TaskOnTimeRate).2, 4);
    assert_eq!(figures(enterprise, Kpi::TaskOnTimeRate).1, 1.0);
    assert_eq!(figures(enterprise, Kpi::TaskOnTimeRate).2, 2);
    assert_eq!(figures(project, Kpi::TaskOnTimeRate).3, Some(true));
    assert_eq!(figures(project, Kpi::TaskEarlyRate).1, 1.0);
    assert_close(figures(project, Kpi::OnSiteRate).0, 50.0);
    assert_close(figures(enterprise, Kpi::OnSiteRate).0, 100.0);

    assert_close(figures(market, Kpi::TaskOnTimeRate).0, 100.0);
    assert_close(figures(market, Kpi::InstantShare).0, 50.0);
    assert_close(figures(tax, Kpi::TaskOnTimeRate).0, 0.0);
    assert_eq!(figures(tax, Kpi::TaskOnTimeRate).3, Some(false));
    assert_close(figures(dr, Kpi::OnSiteRate).0, 0.0);
    assert_eq!(market.tasks.planned, 2);

    // Departments get the task-level KPIs and no case figures.
    for department in &report.departments {
        assert!(department.cases.is_none());
        assert!(department.measure(Kpi::SatisfactionRate).is_none());
        assert!(department.measure(Kpi::CaseOnTimeRate).is_none());
        assert_eq!(department.measures.len(), 6);
    }
    assert_eq!(report.overall.measures.len(), Kpi::ALL.len());
    assert_eq!(enterprise.cases.unwrap().launched, 1);

    // The yellow card counts for its department, its workflow and overall only.
    assert_eq!(tax.alerts.get(AlertLevel::Yellow), 1);
    assert_eq!(enterprise.alerts.yellow, 1);
    assert_eq!(report.overall.alerts.yellow, 1);
    assert_eq!(project.alerts, AlertCounts::default());
    assert_eq!(market.alerts, AlertCounts::default());
}

#[test]
fn elapsed_working_days_skip_the_2026_spring_festival() {
    // Launched Thursday 12 February 2026; Friday 13th and the adjusted Saturday 14th are
    // working days, 15–23 February are off, then 24, 25 and 26 February: 5 working days in
    // 14 calendar days.
    let festival = vec![
        launch(
            "F1",
            "enterprise",
            day(2026, 2, 12),
            day(2026, 2, 26),
            vec![commitment("a")],
        ),
        ready(cst(day(2026, 2, 12), 9), "a", day(2026, 2, 26)),
        approved(cst(day(2026, 2, 26), 15), "a"),
        rec(cst(day(2026, 2, 26), 15), Event::CaseCompleted),
        rec(cst(day(2026, 2, 27), 9), Event::CaseIssued),
    ];
    // Launched Monday 2 March, promised 9 March, completed Thursday 5 March: 3 working days.
    let march = vec![
        launch(
            "M1",
            "enterprise",
            day(2026, 3, 2),
            day(2026, 3, 9),
            vec![commitment("a")],
        ),
        ready(cst(day(2026, 3, 2), 9), "a", day(2026, 3, 9)),
        approved(cst(day(2026, 3, 5), 15), "a"),
        rec(cst(day(2026, 3, 5), 15), Event::CaseCompleted),
    ];
    let report = report_of(std::slice::from_ref(&festival));
    let (value, numerator, denominator, met) = figures(&report.overall, Kpi::ElapsedWorkingDays);
    assert_close(value, 5.0);
    assert_eq!((numerator, denominator, met), (5.0, 1, None));
    assert_eq!(figures(&report.overall, Kpi::ElapsedWorkingDays).3, None);

    let report = report_of(&[festival, march]);
    assert_close(figures(&report.overall, Kpi::ElapsedWorkingDays).0, 4.0);
    // Both cases completed by the promised date; only the March one before it.
    let (value, numerator, denominator, met) = figures(&report.overall, Kpi::CaseOnTimeRate);
    assert_close(value, 100.0);
    assert_eq!((numerator, denominator, met), (2.0, 2, Some(true)));
    let (value, numerator, _, met) = figures(&report.overall, Kpi::CaseEarlyRate);
    assert_close(value, 50.0);
    assert_eq!((numerator, met), (1.0, Some(false)));
    let cases = report.overall.cases.unwrap();
    assert_eq!(
        (cases.completed, cases.issued, cases.elapsed_unknown),
        (2, 1, 0)
    );
}

#[test]
fn a_completion_outside_the_calendar_is_counted_apart() {
    let on = day(2027, 12, 30);
    let history = vec![
        launch(
            "Y1",
            "enterprise",
            on,
            day(2028, 1, 5),
            vec![commitment("a")],
        ),
        rec(cst(day(2028, 1, 4), 10), Event::CaseCompleted),
    ];
    let report = report_of(&[history]);
    let cases = report.overall.cases.unwrap();
    assert_eq!((cases.completed, cases.elapsed_unknown), (1, 1));
    assert_eq!(figures(&report.overall, Kpi::ElapsedWorkingDays).0, None);
    assert_eq!(figures(&report.overall, Kpi::CaseOnTimeRate).1, 1.0);
}

#[test]
fn counts_cases_tasks_and_alerts() {
    let on = day(2026, 3, 2);
    let due = day(2026, 3, 9);
    let alert = |task: &str, level| {
        rec(
            cst(day(2026, 3, 10), 0),
            Event::AlertRaised {
                task: task.into(),
                level,
                due,
                department: "dr".into(),
                officer: None,
                recipients: Vec::new(),
                rule_error: None,
            },
        )
    };
    let rejected_case = vec![
        launch(
            "C1",
            "project",
            on,
            due,
            vec![commitment("a"), commitment("b")],
        ),
        ready(cst(on, 9), "a", due),
        ready(cst(on, 9), "b", due),
        alert("a", AlertLevel::Warning),
        alert("a", AlertLevel::Red),
        rejected(cst(day(2026, 3, 10), 10), "a"),
        rec(
            cst(day(2026, 3, 10), 10),
            Event::TaskWithdrawn {
                task: "b".into(),
                reason: "case rejected".to_string(),
            },
        ),
        rec(
            cst(day(2026, 3, 10), 10),
            Event::CaseRejected {
                task: "a".into(),
                reason: "不符合条件".to_string(),
            },
        ),
    ];
    let withdrawn_case = vec![
        launch("C2", "project", on, due, vec![commitment("a")]),
        rec(
            cst(on, 11),
            Event::CaseAtRisk {
                projected_completion: day(2026, 3, 12),
                promised_completion: due,
                causes: vec!["a".into()],
                recipients: Vec::new(),
                rule_error: None,
            },
        ),
        rec(
            cst(on, 12),
            Event::CaseWithdrawn {
                reason: "applicant withdrew".to_string(),
            },
        ),
    ];
    let report = report_of(&[rejected_case, withdrawn_case]);
    let cases = report.overall.cases.unwrap();
    assert_eq!(
        (cases.launched, cases.completed, cases.issued),
        (2, 0, 0),
        "{cases:?}"
    );
    assert_eq!((cases.rejected, cases.withdrawn, cases.at_risk), (1, 1, 1));
    assert_eq!(
        report.overall.tasks,
        TaskCounts {
            planned: 3,
            dispatched: 2,
            approved: 0,
            rejected: 1,
            withdrawn: 1,
        }
    );
    assert_eq!(
        report.overall.alerts,
        AlertCounts {
            warning: 1,
            yellow: 0,
            red: 1,
        }
    );
    assert_eq!(report.ignored_events, 0);
}

#[test]
fn events_the_board_cannot_place_are_counted_as_ignored() {
    let on = day(2026, 3, 2);
    let mut board = KpiBoard::new();
    let case = CaseId::from("C1");
    // Before the launch.
    board.record(&case, &approved(cst(on, 8), "a"));
    board.record(
        &case,
        &launch("C1", "enterprise", on, on, vec![commitment("a")]),
    );
    // A task not in the plan, and a second launch.
    board.record(&case, &approved(cst(on, 10), "nope"));
    board.record(
        &case,
        &launch("C1", "enterprise", on, on, vec![commitment("b")]),
    );
    // A history without a launch.
    board.add_history(&[approved(cst(on, 10), "a"), approved(cst(on, 11), "b")]);
    // Claims and other events that do not move a KPI are not ignored.
    board.record(
        &case,
        &rec(
            cst(on, 10),
            Event::TaskClaimed {
                task: "a".into(),
                officer: "officer-1".into(),
                lease_until: cst(on, 12),
            },
        ),
    );
    assert_eq!(board.cases(), 1);
    let report = board.report(&cn());
    assert_eq!(report.ignored_events, 5);
    assert_eq!(report.overall.tasks.planned, 1);
    assert_eq!(report.overall.tasks.approved, 0);
}

#[test]
fn the_report_serialises_to_json() {
    let on = day(2026, 3, 2);
    let history = vec![
        launch("C1", "enterprise", on, on, vec![commitment("a")]),
        ready(cst(on, 9), "a", day(2026, 3, 9)),
        approved(cst(on, 15), "a"),
    ];
    let report = report_of(&[history]);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["overall"]["scope"],
        serde_json::json!({ "kind": "overall" })
    );
    assert_eq!(
        json["departments"][0]["scope"],
        serde_json::json!({ "kind": "department", "id": "dr" })
    );
    assert_eq!(json["departments"][0]["cases"], serde_json::Value::Null);
    let on_site = &json["overall"]["measures"][0];
    assert_eq!(on_site["kpi"], "on_site_rate");
    assert_eq!(on_site["label"], "现场办结率 on-site completion rate");
    assert_eq!(on_site["value"], 100.0);
    assert_eq!(on_site["target"]["at_least"], 90);
    assert_eq!(on_site["met"], true);
    let satisfaction = &json["overall"]["measures"][8];
    assert_eq!(satisfaction["kpi"], "satisfaction_rate");
    assert_eq!(satisfaction["value"], serde_json::Value::Null);
    assert_eq!(satisfaction["met"], serde_json::Value::Null);
}
