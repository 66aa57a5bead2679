//! The stored JSON of events is a contract with every event store: a `Launched` event
//! serializes to exactly the shape stores hold, field for field and in order, and reads
//! back to the same value.

use chrono::NaiveDate;

use crate::case::{Event, PlannedTaskSnapshot};
use crate::plan::PlannedTask;
use crate::workflow::TaskKind;

fn launched() -> Event {
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    Event::Launched {
        case: "c-1".into(),
        workflow: "restaurant".into(),
        version: 3,
        center: "center-1".into(),
        time_zone: "Asia/Shanghai".into(),
        launched_on: day(2),
        application: serde_json::json!({"area": 120}),
        tasks: vec![
            PlannedTaskSnapshot {
                task: PlannedTask {
                    id: "intake".into(),
                    name: "Intake".into(),
                    department: "center".into(),
                    kind: TaskKind::Instant,
                    statutory_days: 0,
                    committed_days: 0,
                    needs: vec![],
                    materials: vec![],
                },
                planned_finish: 0,
                latest_finish: 0,
            },
            PlannedTaskSnapshot {
                task: PlannedTask {
                    id: "license".into(),
                    name: "Business licence".into(),
                    department: "market".into(),
                    kind: TaskKind::Commitment,
                    statutory_days: 20,
                    committed_days: 5,
                    needs: vec!["intake".into()],
                    materials: vec!["章程".into(), "lease".into()],
                },
                planned_finish: 5,
                latest_finish: 7,
            },
        ],
        skipped: vec!["fire".into()],
        duration_working_days: 5,
        promised_completion: day(9),
        critical_path: vec!["intake".into(), "license".into()],
        access_code_hash: "salted".into(),
    }
}

const LAUNCHED_JSON: &str = concat!(
    r#"{"type":"launched","case":"c-1","workflow":"restaurant","version":3,"#,
    r#""center":"center-1","time_zone":"Asia/Shanghai","launched_on":"2026-03-02","#,
    r#""application":{"area":120},"tasks":["#,
    r#"{"id":"intake","name":"Intake","department":"center","kind":"instant","#,
    r#""statutory_days":0,"committed_days":0,"needs":[],"materials":[],"#,
    r#""planned_finish":0,"latest_finish":0},"#,
    r#"{"id":"license","name":"Business licence","department":"market","#,
    r#""kind":"commitment","statutory_days":20,"committed_days":5,"needs":["intake"],"#,
    r#""materials":["章程","lease"],"planned_finish":5,"latest_finish":7}],"#,
    r#""skipped":["fire"],"duration_working_days":5,"promised_completion":"2026-03-09","#,
    r#""critical_path":["intake","license"],"access_code_hash":"salted"}"#,
);

#[test]
fn a_launched_event_keeps_its_stored_json_shape() {
    let event = launched();
    assert_eq!(serde_json::to_string(&event).unwrap(), LAUNCHED_JSON);
    let back: Event = serde_json::from_str(LAUNCHED_JSON).unwrap();
    assert_eq!(back, event);
}
