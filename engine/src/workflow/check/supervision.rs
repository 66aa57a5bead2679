//! Cross-checks of the `supervision` section: a `department_head:<id>` in the escalation
//! chain must name a department, and a `recipients` function must be defined by the rules
//! script with two parameters (`alert`, `app`). Builds the warning policy and escalation
//! the compiled workflow carries.

use std::collections::BTreeMap;

use super::checker::{Checker, Functions};
use crate::ids::DepartmentId;
use crate::rules::Rules;
use crate::supervision::{Escalation, RecipientName, WarningPolicy};
use crate::workflow::raw::{closest, RawRecipient, RawWorkflow};
use crate::workflow::Department;

/// The parameters a recipients function takes: `alert` and `app`.
const RECIPIENTS_ARITY: usize = 2;

impl Checker<'_> {
    /// Checks the section and returns the policy it sets (defaults where it is silent).
    pub(super) fn supervision(
        &mut self,
        raw: &RawWorkflow,
        departments: &BTreeMap<DepartmentId, Department>,
        rules: &Rules,
        functions: &Functions,
    ) -> (WarningPolicy, Escalation) {
        let mut warning = WarningPolicy::default();
        let mut escalation = Escalation::default();
        let Some(section) = &raw.supervision else {
            return (warning, escalation);
        };
        if let Some(days) = &section.days_left {
            warning.days_left = days.value;
        }
        if let Some(percent) = &section.used_percent {
            warning.used_percent = percent.value;
        }
        for (occasion, names) in &section.escalation {
            for RawRecipient { index, name } in names {
                let RecipientName::HeadOf(department) = &name.value else {
                    continue;
                };
                if departments.contains_key(department) {
                    continue;
                }
                let hint = match closest(
                    department.as_str(),
                    departments.keys().map(DepartmentId::as_str),
                ) {
                    Some(near) => format!("; did you mean `department_head:{near}`?"),
                    None => String::new(),
                };
                self.error(
                    name.at,
                    format!(
                        "supervision.escalation: `{}[{index}]` names the head of unknown \
                         department `{department}`{hint}",
                        occasion.as_str()
                    ),
                );
            }
            escalation.chain.set(
                *occasion,
                names.iter().map(|raw| raw.name.value.clone()).collect(),
            );
        }
        if let Some(function) = &section.recipients {
            let name = &function.value;
            let problem = match functions {
                Functions::Unknown => None,
                Functions::NoScript => Some(format!(
                    "supervision: `recipients` names function `{name}`, but the workflow has no \
                     rules script (`rules:`) to define it"
                )),
                Functions::Script(_) if rules.defines(name, RECIPIENTS_ARITY) => None,
                Functions::Script(script) => {
                    let other_arity = if rules.function_names().contains(name) {
                        format!(" (its `{name}` takes a different number of parameters)")
                    } else {
                        String::new()
                    };
                    Some(format!(
                        "supervision: `recipients` names function `{name}`, which rules script \
                         `{script}` does not define as `fn {name}(alert, app)`{other_arity}"
                    ))
                }
            };
            match problem {
                Some(message) => self.error(function.at, message),
                None => escalation.function = Some(name.clone()),
            }
        }
        (warning, escalation)
    }
}
