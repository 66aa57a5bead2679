//! Who is told about an alert: the escalation chain officer → department head → center →
//! supervision office, as a workflow sets it per occasion.
//!
//! A workflow names recipients by role ([`RecipientName`]: `officer`, `department_head`,
//! `center`, …); when an alert fires they are resolved against the case into concrete
//! [`Recipient`]s. Without a `supervision.escalation` section every workflow uses
//! [`EscalationChain::default`], which is what [`default_recipients`] gives.

use std::fmt;
use std::str::FromStr;

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

/// What someone is told about: one of the three alert levels of a task, or a case at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Occasion {
    /// A warning, yellow or red card on one task.
    Alert(AlertLevel),
    /// The case's projected completion slipped past its promise.
    AtRisk,
}

impl Occasion {
    /// Every occasion, in the order a workflow file lists them.
    pub const ALL: [Occasion; 4] = [
        Occasion::Alert(AlertLevel::Warning),
        Occasion::Alert(AlertLevel::Yellow),
        Occasion::Alert(AlertLevel::Red),
        Occasion::AtRisk,
    ];

    /// Machine name, as written under `supervision.escalation` and given to a recipients
    /// function: `warning`, `yellow`, `red` or `at_risk`.
    pub fn as_str(self) -> &'static str {
        match self {
            Occasion::Alert(level) => level.as_str(),
            Occasion::AtRisk => "at_risk",
        }
    }

    /// Whether an officer can be told: a case at risk concerns no single task, so it has
    /// no officer.
    pub fn has_officer(self) -> bool {
        matches!(self, Occasion::Alert(_))
    }
}

/// A recipient as a workflow names it, relative to the alert.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecipientName {
    /// `officer`: the officer holding the task; when nobody holds it, the head of the
    /// task's department instead.
    Officer,
    /// `coordinator`: the coordinator who launched the case.
    Coordinator,
    /// `department_head`: the head of the task's department; for a case at risk, of the
    /// department of every task causing the slip.
    DepartmentHead,
    /// `department_head:<id>`: the head of the named department.
    HeadOf(DepartmentId),
    /// `center`: the service center's management.
    Center,
    /// `supervision_office`: the center's supervision office (监察室).
    SupervisionOffice,
}

impl RecipientName {
    /// The plain names (every name but `department_head:<id>`), for hints.
    pub const PLAIN: [&'static str; 5] = [
        "officer",
        "coordinator",
        "department_head",
        "center",
        "supervision_office",
    ];

    /// The prefix naming another department's head.
    pub const HEAD_OF_PREFIX: &'static str = "department_head:";
}

/// Why a text is not a recipient name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecipientNameError {
    /// Not one of the names.
    #[error(
        "unknown recipient `{0}`; expected officer, coordinator, department_head, \
         department_head:<department id>, center or supervision_office"
    )]
    Unknown(String),
    /// `department_head:` with nothing after it.
    #[error("`department_head:` without a department id after the colon")]
    NoDepartment,
}

impl FromStr for RecipientName {
    type Err = RecipientNameError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "officer" => RecipientName::Officer,
            "coordinator" => RecipientName::Coordinator,
            "department_head" => RecipientName::DepartmentHead,
            "center" => RecipientName::Center,
            "supervision_office" => RecipientName::SupervisionOffice,
            _ => match text.strip_prefix(Self::HEAD_OF_PREFIX) {
                Some("") => return Err(RecipientNameError::NoDepartment),
                Some(id) => RecipientName::HeadOf(DepartmentId::new(id)),
                None => return Err(RecipientNameError::Unknown(text.to_string())),
            },
        })
    }
}

impl fmt::Display for RecipientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecipientName::Officer => f.write_str("officer"),
            RecipientName::Coordinator => f.write_str("coordinator"),
            RecipientName::DepartmentHead => f.write_str("department_head"),
            RecipientName::HeadOf(id) => write!(f, "{}{id}", Self::HEAD_OF_PREFIX),
            RecipientName::Center => f.write_str("center"),
            RecipientName::SupervisionOffice => f.write_str("supervision_office"),
        }
    }
}

/// Who is told on each occasion, as recipient names.
///
/// The default is the chain every workflow had before it could set one: a warning to the
/// officer, a yellow card also to the department head and the center, a red card also to
/// the supervision office, and a case at risk to the coordinator, the heads of the
/// departments causing the slip and the center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationChain {
    /// 预警.
    pub warning: Vec<RecipientName>,
    /// 黄牌.
    pub yellow: Vec<RecipientName>,
    /// 红牌.
    pub red: Vec<RecipientName>,
    /// A case at risk.
    pub at_risk: Vec<RecipientName>,
}

impl Default for EscalationChain {
    fn default() -> Self {
        use RecipientName::*;
        EscalationChain {
            warning: vec![Officer],
            yellow: vec![Officer, DepartmentHead, Center],
            red: vec![Officer, DepartmentHead, Center, SupervisionOffice],
            at_risk: vec![Coordinator, DepartmentHead, Center],
        }
    }
}

impl EscalationChain {
    /// The names told on `occasion`.
    pub fn get(&self, occasion: Occasion) -> &[RecipientName] {
        match occasion {
            Occasion::Alert(AlertLevel::Warning) => &self.warning,
            Occasion::Alert(AlertLevel::Yellow) => &self.yellow,
            Occasion::Alert(AlertLevel::Red) => &self.red,
            Occasion::AtRisk => &self.at_risk,
        }
    }

    /// Replaces the names told on `occasion`.
    pub fn set(&mut self, occasion: Occasion, names: Vec<RecipientName>) {
        match occasion {
            Occasion::Alert(AlertLevel::Warning) => self.warning = names,
            Occasion::Alert(AlertLevel::Yellow) => self.yellow = names,
            Occasion::Alert(AlertLevel::Red) => self.red = names,
            Occasion::AtRisk => self.at_risk = names,
        }
    }
}

/// The people of one case an alert can reach, to resolve names against.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    /// The officer holding the task, if any (never for a case at risk).
    pub officer: Option<&'a PrincipalId>,
    /// The coordinator who launched the case.
    pub coordinator: Option<&'a PrincipalId>,
    /// The task's department; for a case at risk, the departments of the tasks causing
    /// the slip.
    pub departments: &'a [DepartmentId],
    /// The center of the case.
    pub center: &'a CenterId,
}

/// Resolves names into recipients, in order and without repeats.
///
/// `officer` with no officer holding the task becomes the head of the task's department
/// (an unclaimed task's warning goes to whoever hands out the department's work);
/// `coordinator` without a coordinator is left out.
pub fn resolve(names: &[RecipientName], parties: &Parties<'_>) -> Vec<Recipient> {
    let mut to: Vec<Recipient> = Vec::new();
    let mut add = |recipient: Recipient| {
        if !to.contains(&recipient) {
            to.push(recipient);
        }
    };
    let heads = || {
        parties
            .departments
            .iter()
            .map(|d| Recipient::DepartmentHead(d.clone()))
    };
    for name in names {
        match name {
            RecipientName::Officer => match parties.officer {
                Some(officer) => add(Recipient::Officer(officer.clone())),
                None => heads().for_each(&mut add),
            },
            RecipientName::Coordinator => {
                if let Some(coordinator) = parties.coordinator {
                    add(Recipient::Coordinator(coordinator.clone()));
                }
            }
            RecipientName::DepartmentHead => heads().for_each(&mut add),
            RecipientName::HeadOf(department) => add(Recipient::DepartmentHead(department.clone())),
            RecipientName::Center => add(Recipient::Center(parties.center.clone())),
            RecipientName::SupervisionOffice => {
                add(Recipient::SupervisionOffice(parties.center.clone()))
            }
        }
    }
    to
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
    let chain = EscalationChain::default();
    resolve(
        chain.get(Occasion::Alert(level)),
        &Parties {
            officer,
            coordinator: None,
            departments: std::slice::from_ref(department),
            center,
        },
    )
}

#[cfg(test)]
mod tests {
    //! The names, their resolution and the default chain.

    use super::*;

    fn names(texts: &[&str]) -> Vec<RecipientName> {
        texts.iter().map(|t| t.parse().unwrap()).collect()
    }

    #[test]
    fn names_parse_and_print_back() {
        for text in RecipientName::PLAIN
            .into_iter()
            .chain(["department_head:emergency-management"])
        {
            let name: RecipientName = text.parse().unwrap();
            assert_eq!(name.to_string(), text);
        }
        assert_eq!(
            "department_head:fire".parse::<RecipientName>(),
            Ok(RecipientName::HeadOf("fire".into()))
        );
        assert_eq!(
            "mayor".parse::<RecipientName>(),
            Err(RecipientNameError::Unknown("mayor".into()))
        );
        assert_eq!(
            "department_head:".parse::<RecipientName>(),
            Err(RecipientNameError::NoDepartment)
        );
        assert_eq!(
            "Officer".parse::<RecipientName>(),
            Err(RecipientNameError::Unknown("Officer".into()))
        );
    }

    #[test]
    fn the_default_chain_escalates_level_by_level() {
        let (officer, department, center) = (
            PrincipalId::new("m1"),
            DepartmentId::new("market"),
            CenterId::new("jilin"),
        );
        let officer_to = Recipient::Officer(officer.clone());
        let head = Recipient::DepartmentHead(department.clone());
        let center_to = Recipient::Center(center.clone());
        let office = Recipient::SupervisionOffice(center.clone());
        let to = |level, officer| default_recipients(level, officer, &department, &center);
        assert_eq!(
            to(AlertLevel::Warning, Some(&officer)),
            vec![officer_to.clone()]
        );
        assert_eq!(to(AlertLevel::Warning, None), vec![head.clone()]);
        assert_eq!(
            to(AlertLevel::Yellow, Some(&officer)),
            [officer_to.clone(), head.clone(), center_to.clone()]
        );
        assert_eq!(
            to(AlertLevel::Yellow, None),
            [head.clone(), center_to.clone()]
        );
        assert_eq!(
            to(AlertLevel::Red, Some(&officer)),
            [officer_to, head.clone(), center_to.clone(), office.clone()]
        );
        assert_eq!(to(AlertLevel::Red, None), [head, center_to, office]);
    }

    #[test]
    fn resolution_keeps_order_drops_repeats_and_names_other_heads() {
        let center = CenterId::new("jilin");
        let departments = [DepartmentId::new("market"), DepartmentId::new("fire")];
        let coordinator = PrincipalId::new("coord");
        let parties = Parties {
            officer: None,
            coordinator: Some(&coordinator),
            departments: &departments,
            center: &center,
        };
        let to = resolve(
            &names(&[
                "supervision_office",
                "department_head:emergency-management",
                "officer",
                "department_head",
                "department_head:fire",
                "coordinator",
                "supervision_office",
            ]),
            &parties,
        );
        assert_eq!(
            to,
            [
                Recipient::SupervisionOffice(center.clone()),
                Recipient::DepartmentHead("emergency-management".into()),
                Recipient::DepartmentHead("market".into()),
                Recipient::DepartmentHead("fire".into()),
                Recipient::Coordinator(coordinator.clone()),
            ]
        );
        let nobody = Parties {
            coordinator: None,
            ..parties
        };
        assert_eq!(resolve(&names(&["coordinator"]), &nobody), []);
    }

    #[test]
    fn occasions_have_machine_names_and_a_chain_entry_each() {
        let mut chain = EscalationChain::default();
        let names: Vec<&str> = Occasion::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(names, ["warning", "yellow", "red", "at_risk"]);
        for occasion in Occasion::ALL {
            chain.set(occasion, vec![RecipientName::Center]);
            assert_eq!(chain.get(occasion), [RecipientName::Center]);
        }
        assert!(!Occasion::AtRisk.has_officer());
        assert!(Occasion::Alert(AlertLevel::Warning).has_officer());
    }
}
