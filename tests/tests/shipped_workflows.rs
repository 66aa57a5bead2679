//! The shipped workflows declare their application's fields and every shipped example
//! application matches them and plans, the rules change the DAG
//! the way the workflows document, and the industrial workflow's supervision settings reach
//! the alerts of a case.

use std::path::Path;

use greenlane_engine::case::{decide, decide_launch, replay, Command, Event, Recorded};
use greenlane_engine::plan::Timetable;
use greenlane_engine::principal::{Principal, Role};
use greenlane_engine::supervision::{AlertLevel, Recipient, WarningPolicy};
use greenlane_engine::workflow::FieldKind;
use greenlane_fs::Project;

fn plan(workflow: &str, application: &str) -> Timetable {
    let project = Project::new("..");
    let compiled = project
        .load_workflow(workflow)
        .expect("the shipped workflow builds");
    let path = Path::new("../examples/applications").join(application);
    let application: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // Every example matches the fields its workflow declares, as a launch requires.
    if let Err(errors) = compiled.workflow.application.validate(&application) {
        panic!("{}: {errors:?}", path.display());
    }
    let plan = compiled
        .plan(&application)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    plan.timetable(&compiled.calendar, chrono_date(2026, 3, 2))
        .expect("dates in the calendar")
}

fn chrono_date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn ids(timetable: &Timetable) -> Vec<&str> {
    timetable.tasks.iter().map(|t| t.id.as_str()).collect()
}

#[test]
fn every_example_application_plans() {
    let mut planned = 0;
    for entry in std::fs::read_dir("../examples/applications").unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let workflow = if name.starts_with("industrial-project") {
            "industrial-project"
        } else {
            "enterprise-registration"
        };
        let timetable = plan(workflow, &name);
        assert!(timetable.duration_working_days > 0, "{name}");
        assert_eq!(
            timetable.critical_path.first().map(|t| t.as_str()),
            Some("intake"),
            "{name}"
        );
        assert_eq!(
            timetable.critical_path.last().map(|t| t.as_str()),
            Some("issuance"),
            "{name}"
        );
        planned += 1;
    }
    assert!(planned >= 6);
}

#[test]
fn the_shipped_workflows_declare_their_fields_and_held_lists_their_tasks() {
    let project = Project::new("..");
    for workflow in ["industrial-project", "enterprise-registration"] {
        let compiled = project.load_workflow(workflow).unwrap();
        let schema = &compiled.workflow.application;
        assert!(schema.fields.len() > 10, "{workflow}");
        assert!(
            schema.fields.iter().all(|f| !f.label.is_empty()),
            "{workflow}"
        );
        let held = schema.field("held").expect("`held` is declared");
        assert_eq!(held.kind, FieldKind::List);
        let tasks: Vec<&str> = compiled
            .workflow
            .tasks
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        for choice in &held.choices {
            assert!(
                tasks.contains(&choice.value.as_str()),
                "{workflow}: {choice:?}"
            );
        }
        // Every task an applicant may already hold can be chosen.
        for task in &compiled.workflow.tasks {
            let holdable = task
                .when
                .as_deref()
                .is_some_and(|when| when.contains(&format!("not_held(app, \"{}\")", task.id)));
            if holdable {
                assert!(
                    held.choices.iter().any(|c| c.value == task.id.as_str()),
                    "{workflow}: {}",
                    task.id
                );
            }
        }
    }
}

#[test]
fn the_industrial_workflow_is_large_enough() {
    let compiled = Project::new("..")
        .load_workflow("industrial-project")
        .unwrap();
    let departments: std::collections::BTreeSet<_> = compiled
        .workflow
        .tasks
        .iter()
        .map(|t| &t.department)
        .collect();
    assert!(compiled.workflow.tasks.len() >= 15);
    assert!(departments.len() >= 10);
}

#[test]
fn rules_change_the_dag_by_application() {
    let chemical = plan(
        "industrial-project",
        "industrial-project-chemical-plant.json",
    );
    let small = plan(
        "industrial-project",
        "industrial-project-small-assembly.json",
    );
    assert!(ids(&chemical).contains(&"safety-conditions-review"));
    assert!(ids(&chemical).contains(&"eia-report"));
    assert!(!ids(&small).contains(&"safety-conditions-review"));
    assert!(ids(&small).contains(&"eia-form"));

    let green = plan(
        "industrial-project",
        "industrial-project-green-channel-held-land.json",
    );
    assert!(green
        .skipped
        .iter()
        .any(|t| t.as_str() == "land-pre-review"));
    assert!(green.duration_working_days < chemical.duration_working_days);

    let company = plan(
        "enterprise-registration",
        "enterprise-registration-limited-company.json",
    );
    let food = plan(
        "enterprise-registration",
        "enterprise-registration-food-shop-green-channel.json",
    );
    assert!(!ids(&company).contains(&"food-licence"));
    assert!(ids(&food).contains(&"food-licence"));
}

/// The alerts a deadline check at `check_at` raises on a case of the industrial workflow
/// launched with `application` at 09:00 Shanghai time on Monday 2026-03-02, nobody acting.
fn alerts_of_an_idle_case(application: &str, check_at: &str) -> Vec<Event> {
    let compiled = Project::new("..")
        .load_workflow("industrial-project")
        .unwrap();
    let path = Path::new("../examples/applications").join(application);
    let application: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let instant = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let coordinator = Principal::new("coord", Role::Coordinator, "jilin");
    let launch = Command::Launch {
        case: "case-1".into(),
        workflow: "industrial-project".into(),
        version: 1,
        application,
        time_zone: "Asia/Shanghai".into(),
        access_code_hash: "hash".into(),
    };
    let launched_at = instant("2026-03-02T09:00:00+08:00");
    let history: Vec<Recorded> = decide_launch(&compiled, &coordinator, &launch, launched_at)
        .unwrap()
        .into_iter()
        .map(|event| Recorded {
            at: launched_at,
            by: coordinator.id.clone(),
            event,
        })
        .collect();
    let state = replay(&history).expect("a launch begins the case");
    let system = Principal::system("jilin".into());
    decide(
        &state,
        &compiled,
        &system,
        &Command::CheckDeadlines,
        instant(check_at),
    )
    .unwrap()
}

/// The recipients of the red card on the intake, which is due on the day of launch.
fn red_card_recipients(application: &str) -> (Vec<Recipient>, Option<String>) {
    alerts_of_an_idle_case(application, "2026-03-03T00:00:00+08:00")
        .into_iter()
        .find_map(|event| match event {
            Event::AlertRaised {
                level: AlertLevel::Red,
                recipients,
                rule_error,
                ..
            } => Some((recipients, rule_error)),
            _ => None,
        })
        .expect("the intake is carded red at the end of its day")
}

#[test]
fn the_industrial_workflow_sets_its_own_supervision() {
    let compiled = Project::new("..")
        .load_workflow("industrial-project")
        .unwrap();
    assert_eq!(
        compiled.warning,
        WarningPolicy {
            days_left: 2,
            used_percent: 90
        }
    );
    assert_eq!(
        compiled.escalation().function.as_deref(),
        Some("escalation_recipients")
    );
    // A red card on a hazardous chemicals project also reaches the emergency management
    // department's head; other projects' red cards go along the chain.
    let chain = vec![
        Recipient::DepartmentHead("service-center".into()),
        Recipient::Center("jilin".into()),
        Recipient::SupervisionOffice("jilin".into()),
    ];
    let mut hazardous = chain.clone();
    hazardous.push(Recipient::DepartmentHead("emergency-management".into()));
    assert_eq!(
        red_card_recipients("industrial-project-chemical-plant.json"),
        (hazardous, None)
    );
    assert_eq!(
        red_card_recipients("industrial-project-small-assembly.json"),
        (chain, None)
    );
}
