//! Who acts: every command is decided for a principal and every event records one.

use serde::{Deserialize, Serialize};

use crate::ids::{CenterId, DepartmentId, PrincipalId};

/// What a principal may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 窗口/综合受理: launches, withdraws, issues; submits supplements for the applicant.
    Coordinator,
    /// 部门审批办: claims and decides the tasks of one department.
    Officer,
    /// 法制/审改: edits and publishes workflows and rules.
    Policy,
    /// 监察: watches alerts and KPIs; may allow a second supplement request.
    Supervisor,
    /// Administers the deployment.
    Admin,
    /// The applicant (企业/项目单位): withdraws, rates.
    Applicant,
    /// The engine itself: lease expiry and deadline checks.
    System,
}

impl Role {
    /// The role's name as configuration and the API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Officer => "officer",
            Role::Policy => "policy",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Applicant => "applicant",
            Role::System => "system",
        }
    }
}

/// An authenticated actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// Stable id, recorded in every event the principal causes.
    pub id: PrincipalId,
    /// What the principal may do.
    pub role: Role,
    /// The department of an officer.
    pub department: Option<DepartmentId>,
    /// The center the principal belongs to.
    pub center: CenterId,
}

impl Principal {
    /// The engine acting on its own (lease expiry, deadline checks) in `center`.
    pub fn system(center: CenterId) -> Principal {
        Principal {
            id: PrincipalId::new("system"),
            role: Role::System,
            department: None,
            center,
        }
    }

    /// A principal with no department.
    pub fn new(id: &str, role: Role, center: &str) -> Principal {
        Principal {
            id: PrincipalId::new(id),
            role,
            department: None,
            center: CenterId::new(center),
        }
    }

    /// An officer of `department`.
    pub fn officer(id: &str, department: &str, center: &str) -> Principal {
        Principal {
            id: PrincipalId::new(id),
            role: Role::Officer,
            department: Some(DepartmentId::new(department)),
            center: CenterId::new(center),
        }
    }
}
