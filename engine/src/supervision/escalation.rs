//! Who is told about an alert: the escalation chain officer → department head → center →
//! supervision office.

use serde::{Deserialize, Serialize};

use super::AlertLevel;
use crate::ids::{CenterId, DepartmentId, PrincipalId};

/// Someone an alert goes to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "to", content = "id", rename_all = "snake_case")]
pub enum Recipient {
    /// The officer holding the task.
    Officer(PrincipalId),
    /// The coordinator who launched the case (首问负责制).
    Coordinator(PrincipalId),
    /// The head of a department.
    DepartmentHead(DepartmentId),
    /// A service center's management.
    Center(CenterId),
    /// The supervision office (监察室) of a center.
    SupervisionOffice(CenterId),
}

/// The default chain: a warning goes to the officer (or, for an unclaimed task, the
/// department head); a yellow card adds the department head and the center; a red card adds
/// the supervision office.
pub fn default_recipients(
    level: AlertLevel,
    officer: Option<&PrincipalId>,
    department: &DepartmentId,
    center: &CenterId,
) -> Vec<Recipient> {
    let mut to = Vec::new();
    if let Some(officer) = officer {
        to.push(Recipient::Officer(officer.clone()));
    }
    if level >= AlertLevel::Yellow || officer.is_none() {
        to.push(Recipient::DepartmentHead(department.clone()));
    }
    if level >= AlertLevel::Yellow {
        to.push(Recipient::Center(center.clone()));
    }
    if level >= AlertLevel::Red {
        to.push(Recipient::SupervisionOffice(center.clone()));
    }
    to
}
