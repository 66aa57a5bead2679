//! The JSON document a delivery carries, the same on every channel: ids, who it is for,
//! what happened (the event as stored, plus its fields at the top level for receivers
//! that route on them) and one line of text in Chinese for people.

use greenlane_engine::case::Event;
use greenlane_engine::supervision::AlertLevel;
use greenlane_runtime::ports::Notification;
use serde_json::{json, Value};

use crate::Person;

/// The document of the delivery `id` of `notification` to `recipient` (and `person`).
pub(crate) fn payload(
    id: &str,
    notification: &Notification,
    recipient: &str,
    person: Option<&Person>,
) -> Value {
    let recorded = &notification.event;
    let mut document = json!({
        "id": id,
        "notification": notification.id,
        "case": notification.case.as_str(),
        "center": notification.center.as_str(),
        "recipient": recipient,
        "person": person.map(|p| json!({ "name": p.name, "address": p.address })),
        "kind": recorded.event.name(),
        "at": recorded.at.to_rfc3339(),
        "text": text(notification),
        "event": recorded.event,
    });
    if let Event::AlertRaised {
        task,
        level,
        due,
        department,
        officer,
        ..
    } = &recorded.event
    {
        document["level"] = json!(level.as_str());
        document["task"] = json!(task.as_str());
        document["department"] = json!(department.as_str());
        document["officer"] = json!(officer.as_ref().map(|o| o.as_str()));
        document["due"] = json!(due.to_string());
    }
    document
}

/// One line for people: what, which case and task, which date.
fn text(notification: &Notification) -> String {
    let case = &notification.case;
    match &notification.event.event {
        Event::AlertRaised {
            task,
            level,
            due,
            department,
            ..
        } => {
            let what = match level {
                AlertLevel::Warning => "即将到期",
                AlertLevel::Yellow => "已超过承诺时限",
                AlertLevel::Red => "已超过法定时限",
            };
            format!(
                "【{}】案件 {case} 的事项 {task}（{department}）{what}（{due}）",
                level.label()
            )
        }
        Event::CaseAtRisk {
            projected_completion,
            promised_completion,
            ..
        } => format!(
            "【延期风险 at risk】案件 {case} 预计 {projected_completion} 办结，晚于承诺的 {promised_completion}"
        ),
        Event::TaskUrged {
            task,
            note,
            department,
            ..
        } => format!("【督办 urged】案件 {case} 的事项 {task}（{department}）：{note}"),
        other => format!("案件 {case}：{}", other.name()),
    }
}
