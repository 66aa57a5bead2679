//! `Urge` (督办): a supervisor presses a late or at-risk task; the officer holding it and the
//! department's head are told and the note stays on the task. Refused for other roles, for a
//! task on time in a case on time, for a decided task, with a blank note.

use super::fixture::*;
use crate::case::command::Command;
use crate::case::event::Event;
use crate::case::rejection::Rejection;
use crate::ids::{DepartmentId, PrincipalId, TaskId};
use crate::supervision::Recipient;

fn urge(task: &str, note: &str) -> Command {
    Command::Urge {
        task: TaskId::new(task),
        note: note.into(),
    }
}

#[test]
fn a_supervisor_urges_a_late_task_and_its_officer_and_head_are_told() {
    let mut case = Case::standard("2026-02-13 09:00");
    assert!(
        matches!(
            case.err(&supervisor(), urge("a", "请加快办理"), at("2026-02-16 10:00")),
            Rejection::Invalid(ref why) if why.contains("no alert")
        ),
        "a task on time in a case on time is not urged"
    );
    assert_eq!(case.check(at("2026-02-25 00:00")), "warning:a");
    let m1 = officer("m1", "market");
    case.ok(&m1, claim("a", 8), at("2026-02-25 09:00"));
    assert_eq!(
        case.ok(
            &supervisor(),
            urge("a", "请今日办结"),
            at("2026-02-25 10:00")
        ),
        vec![Event::TaskUrged {
            task: TaskId::new("a"),
            note: "请今日办结".into(),
            department: DepartmentId::new("market"),
            officer: Some(PrincipalId::new("m1")),
            recipients: vec![
                Recipient::Officer(PrincipalId::new("m1")),
                Recipient::DepartmentHead(DepartmentId::new("market")),
            ],
        }]
    );
    let task = case.state().task("a").unwrap();
    assert_eq!(task.urges.len(), 1);
    assert_eq!(task.urges[0].note, "请今日办结");
    assert_eq!(task.urges[0].by, supervisor().id);
    assert!(matches!(
        case.err(&m1, urge("a", "自己催自己"), at("2026-02-25 10:05")),
        Rejection::Forbidden { .. }
    ));
    assert!(matches!(
        case.err(
            &coordinator(),
            urge("a", "窗口催办"),
            at("2026-02-25 10:05")
        ),
        Rejection::Forbidden { .. }
    ));
    assert_eq!(
        case.err(&supervisor(), urge("a", "  "), at("2026-02-25 10:05")),
        Rejection::Empty("note")
    );
    case.ok(&m1, approve("a"), at("2026-02-25 11:00"));
    assert!(matches!(
        case.err(&supervisor(), urge("a", "已办结"), at("2026-02-25 12:00")),
        Rejection::TaskState { .. }
    ));
}
