//! [`FileRoutes`]: the alerts file's routes applied to a notification. Each recipient the
//! engine named (and the applicant, for a case at risk) is matched against every route
//! for its kind (or `any`), center and department; each matching route gives one delivery
//! per channel, or per channel and person when the route names people. Ids are stable —
//! `{notification}/{channel}/{recipient}[/{person}]` — so a notification routed twice
//! (recovery) gives the same deliveries, which the outbox adds once.

use std::collections::BTreeSet;

use greenlane_engine::case::{Event, Timestamp};
use greenlane_engine::supervision::Recipient;
use greenlane_runtime::delivery::Routes;
use greenlane_runtime::ports::{Delivery, Notification};

use crate::payload::payload;
use crate::{AlertsFile, RecipientKind, RouteSpec};

/// One recipient of a notification, as routes see it.
struct Target {
    kind: RecipientKind,
    /// `department_head:natural-resources`, `officer:officer-7`, `applicant`, …
    key: String,
    /// The center it belongs to.
    center: String,
    /// The department it is about: the head's own, or the task's.
    department: Option<String>,
}

/// The routes of an alerts file.
#[derive(Debug, Clone)]
pub struct FileRoutes {
    routes: Vec<RouteSpec>,
}

impl FileRoutes {
    /// The routes of `file`.
    pub fn new(file: &AlertsFile) -> FileRoutes {
        FileRoutes {
            routes: file.routes.clone(),
        }
    }

    fn targets(notification: &Notification) -> Vec<Target> {
        let center = notification.center.as_str().to_string();
        let (recipients, task_department, applicant) = match &notification.event.event {
            Event::AlertRaised {
                recipients,
                department,
                ..
            } => (recipients, Some(department.as_str().to_string()), false),
            Event::TaskUrged {
                recipients,
                department,
                ..
            } => (recipients, Some(department.as_str().to_string()), false),
            Event::CaseAtRisk { recipients, .. } => (recipients, None, true),
            _ => return Vec::new(),
        };
        let mut targets: Vec<Target> = recipients
            .iter()
            .map(|recipient| match recipient {
                Recipient::Officer(officer) => Target {
                    kind: RecipientKind::Officer,
                    key: format!("officer:{officer}"),
                    center: center.clone(),
                    department: task_department.clone(),
                },
                Recipient::Coordinator(coordinator) => Target {
                    kind: RecipientKind::Coordinator,
                    key: format!("coordinator:{coordinator}"),
                    center: center.clone(),
                    department: task_department.clone(),
                },
                Recipient::DepartmentHead(department) => Target {
                    kind: RecipientKind::DepartmentHead,
                    key: format!("department_head:{department}"),
                    center: center.clone(),
                    department: Some(department.as_str().to_string()),
                },
                Recipient::Center(of) => Target {
                    kind: RecipientKind::Center,
                    key: format!("center:{of}"),
                    center: of.as_str().to_string(),
                    department: task_department.clone(),
                },
                Recipient::SupervisionOffice(of) => Target {
                    kind: RecipientKind::SupervisionOffice,
                    key: format!("supervision_office:{of}"),
                    center: of.as_str().to_string(),
                    department: task_department.clone(),
                },
            })
            .collect();
        if applicant {
            targets.push(Target {
                kind: RecipientKind::Applicant,
                key: "applicant".into(),
                center,
                department: None,
            });
        }
        targets
    }

    fn matches(route: &RouteSpec, target: &Target) -> bool {
        let kind = route.to == RecipientKind::Any || route.to == target.kind;
        // `any` never reaches the applicant: only a route written for them does.
        let kind =
            kind && !(route.to == RecipientKind::Any && target.kind == RecipientKind::Applicant);
        let center = route
            .center
            .as_deref()
            .is_none_or(|wanted| wanted == target.center);
        let department = match (&route.department, &target.department) {
            (None, _) => true,
            (Some(wanted), Some(department)) => wanted == department,
            (Some(_), None) => false,
        };
        kind && center && department
    }
}

impl Routes for FileRoutes {
    fn deliveries(&self, notification: &Notification, at: Timestamp) -> Vec<Delivery> {
        let mut seen = BTreeSet::new();
        let mut deliveries = Vec::new();
        for target in FileRoutes::targets(notification) {
            for route in self
                .routes
                .iter()
                .filter(|r| FileRoutes::matches(r, &target))
            {
                for channel in &route.channels {
                    let people: Vec<Option<&crate::Person>> = if route.people.is_empty() {
                        vec![None]
                    } else {
                        route.people.iter().map(Some).collect()
                    };
                    for person in people {
                        let mut id = format!("{}/{channel}/{}", notification.id, target.key);
                        if let Some(person) = person {
                            id.push('/');
                            id.push_str(&person.name);
                        }
                        if !seen.insert(id.clone()) {
                            continue;
                        }
                        let to = person.map_or_else(|| target.key.clone(), |p| p.name.clone());
                        deliveries.push(Delivery {
                            payload: payload(&id, notification, &target.key, person).to_string(),
                            id,
                            notification: notification.id.clone(),
                            channel: channel.clone(),
                            to,
                            created: at,
                        });
                    }
                }
            }
        }
        deliveries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use greenlane_engine::case::Recorded;
    use greenlane_engine::ids::{CaseId, CenterId, DepartmentId, PrincipalId, TaskId};
    use greenlane_engine::supervision::AlertLevel;
    use std::path::Path;

    fn red_card() -> Notification {
        Notification {
            id: "jilin-1#12".into(),
            case: CaseId::new("jilin-1"),
            center: CenterId::new("jilin"),
            event: Recorded {
                at: Utc.with_ymd_and_hms(2026, 3, 20, 16, 0, 0).unwrap(),
                by: PrincipalId::new("system"),
                event: Event::AlertRaised {
                    task: TaskId::new("land-pre-review"),
                    level: AlertLevel::Red,
                    due: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
                    department: DepartmentId::new("natural-resources"),
                    officer: Some(PrincipalId::new("officer-7")),
                    recipients: vec![
                        Recipient::Officer(PrincipalId::new("officer-7")),
                        Recipient::DepartmentHead(DepartmentId::new("natural-resources")),
                        Recipient::SupervisionOffice(CenterId::new("jilin")),
                    ],
                    rule_error: None,
                },
            },
        }
    }

    fn routes(yaml: &str) -> FileRoutes {
        FileRoutes::new(&AlertsFile::parse(Path::new("alerts.yaml"), yaml).unwrap())
    }

    #[test]
    fn each_recipient_reaches_the_channels_and_people_of_its_routes() {
        let routes = routes(concat!(
            "channels:\n",
            "  - { name: log, kind: log }\n",
            "  - { name: hook, kind: webhook, url: 'http://x', secret_env: S }\n",
            "routes:\n",
            "  - { to: any, channels: [log] }\n",
            "  - to: department_head\n",
            "    center: jilin\n",
            "    department: natural-resources\n",
            "    channels: [hook]\n",
            "    people: [{ name: 王主任, address: '13800000001' }, { name: 李科长 }]\n",
            "  - { to: department_head, department: forestry, channels: [hook] }\n",
        ));
        let at = Utc.with_ymd_and_hms(2026, 3, 20, 16, 0, 0).unwrap();
        let deliveries = routes.deliveries(&red_card(), at);
        let ids: Vec<&str> = deliveries.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "jilin-1#12/log/officer:officer-7",
                "jilin-1#12/log/department_head:natural-resources",
                "jilin-1#12/hook/department_head:natural-resources/王主任",
                "jilin-1#12/hook/department_head:natural-resources/李科长",
                "jilin-1#12/log/supervision_office:jilin",
            ]
        );
        assert_eq!(routes.deliveries(&red_card(), at), deliveries, "stable ids");
        let wang: serde_json::Value = serde_json::from_str(&deliveries[2].payload).unwrap();
        assert_eq!(wang["id"], deliveries[2].id);
        assert_eq!(wang["level"], "red");
        assert_eq!(wang["person"]["address"], "13800000001");
        assert_eq!(
            wang["text"],
            "【红牌 red card】案件 jilin-1 的事项 land-pre-review（natural-resources）已超过法定时限（2026-03-20）"
        );
        assert!(deliveries.iter().all(|d| d.created == at));
    }

    #[test]
    fn the_applicant_is_told_only_of_a_case_at_risk_and_only_by_a_route_of_their_own() {
        let routes = routes(concat!(
            "channels:\n",
            "  - { name: log, kind: log }\n",
            "  - { name: sms, kind: webhook, url: 'http://x', secret_env: S }\n",
            "routes:\n",
            "  - { to: any, channels: [log] }\n",
            "  - { to: applicant, channels: [sms] }\n",
        ));
        let at = Utc.with_ymd_and_hms(2026, 3, 20, 16, 0, 0).unwrap();
        assert!(routes
            .deliveries(&red_card(), at)
            .iter()
            .all(|d| d.to != "applicant"));
        let mut at_risk = red_card();
        at_risk.event.event = Event::CaseAtRisk {
            projected_completion: NaiveDate::from_ymd_opt(2026, 5, 6).unwrap(),
            promised_completion: NaiveDate::from_ymd_opt(2026, 4, 30).unwrap(),
            causes: vec![TaskId::new("land-pre-review")],
            recipients: vec![Recipient::Center(CenterId::new("jilin"))],
            rule_error: None,
        };
        let ids: Vec<String> = routes
            .deliveries(&at_risk, at)
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(
            ids,
            ["jilin-1#12/log/center:jilin", "jilin-1#12/sms/applicant"]
        );
    }
}
