//! The shipped workflows plan every shipped example application, and the rules change the
//! DAG the way the workflows document.

use std::path::Path;

use greenlane_engine::plan::Timetable;
use greenlane_fs::Project;

fn plan(workflow: &str, application: &str) -> Timetable {
    let project = Project::new("..");
    let compiled = project
        .load_workflow(workflow)
        .expect("the shipped workflow builds");
    let path = Path::new("../examples/applications").join(application);
    let application: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
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
