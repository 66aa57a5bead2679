//! A workflow's escalation policy: its chain, and optionally a function of its rules script
//! that picks who is told of each alert, so policy staff change recipients without a
//! release.
//!
//! The function is called as `name(alert, app)`, in the same sandbox as every rule.
//! `alert` is a map:
//!
//! | field | value |
//! |---|---|
//! | `level` | `"warning"`, `"yellow"`, `"red"` or `"at_risk"` |
//! | `task` | the task id; `()` for `at_risk` |
//! | `department` | the task's department id; `()` for `at_risk` |
//! | `officer` | the officer holding the task, or `()` |
//! | `coordinator` | the coordinator who launched the case, or `()` |
//! | `center` | the center id |
//! | `causes` | for `at_risk`, the ids of the tasks causing the slip; else `[]` |
//! | `chain` | the recipient names the workflow's chain gives for this level |
//!
//! It returns an array of recipient names ([`RecipientName`], e.g. `"officer"`,
//! `"department_head:emergency-management"`), most simply `alert.chain` plus or minus a
//! few. An alert must reach someone whatever the function does: if it fails (an error, a
//! sandbox limit such as an endless loop) or answers something unusable (not an array, a
//! name that is not a recipient or a department of the workflow, `officer` for `at_risk`,
//! nobody at all), the alert goes to the chain instead and the event records why
//! ([`Addressed::rule_error`]).

use rhai::Dynamic;

use super::escalation::{resolve, EscalationChain, Occasion, Parties, Recipient};
use super::{RecipientName, RecipientNameError};
use crate::ids::{DepartmentId, TaskId};
use crate::rules::{self, Rules};

/// Who is told on each occasion: a chain, and optionally a rules function that decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Escalation {
    /// The recipients by occasion, and the fallback when the function fails.
    pub chain: EscalationChain,
    /// The rules-script function `name(alert, app)` that picks recipients, if any.
    pub function: Option<String>,
}

/// One alert to address.
#[derive(Debug, Clone, Copy)]
pub struct Notice<'a> {
    /// Which level, or a case at risk.
    pub occasion: Occasion,
    /// The task alerted on; `None` for a case at risk.
    pub task: Option<&'a TaskId>,
    /// The people of the case.
    pub parties: Parties<'a>,
    /// For a case at risk, the tasks causing the slip.
    pub causes: &'a [TaskId],
}

/// The recipients of one alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressed {
    /// Who is told.
    pub recipients: Vec<Recipient>,
    /// Why the workflow's recipients function was not followed, when it was not; the
    /// recipients then come from the chain.
    pub rule_error: Option<String>,
}

/// Why the answer of a recipients function was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecipientsError {
    /// The call failed: a Rhai error, a sandbox limit, or an application Rhai cannot hold.
    #[error("`{function}` failed: {error}")]
    Rule {
        /// The function.
        function: String,
        /// What went wrong.
        error: rules::Error,
    },
    /// The function returned something other than an array.
    #[error("`{function}` returned {got}, not an array of recipient names")]
    NotAnArray {
        /// The function.
        function: String,
        /// The value's type and value.
        got: String,
    },
    /// An element of the array is not a string.
    #[error("`{function}` returned {got} among its recipients, not a recipient name (a string)")]
    NotAString {
        /// The function.
        function: String,
        /// The element's type and value.
        got: String,
    },
    /// A string that is not a recipient name.
    #[error("`{function}` returned {error}")]
    Name {
        /// The function.
        function: String,
        /// Why the name is not one.
        error: RecipientNameError,
    },
    /// `department_head:<id>` naming a department the workflow does not have.
    #[error(
        "`{function}` returned `department_head:{department}`, but the workflow has no \
         department `{department}`"
    )]
    UnknownDepartment {
        /// The function.
        function: String,
        /// The department named.
        department: DepartmentId,
    },
    /// `officer` for a case at risk, which has no officer.
    #[error("`{function}` returned `officer` for at_risk, which concerns no single task")]
    OfficerAtRisk {
        /// The function.
        function: String,
    },
    /// An empty array: the alert would reach nobody.
    #[error("`{function}` returned no recipients")]
    Nobody {
        /// The function.
        function: String,
    },
}

impl Escalation {
    /// The recipients of `notice`: from the function when the workflow names one and it
    /// answers usably, else from the chain. `is_department` tells whether an id names a
    /// department of the workflow; `application` is the case's application.
    pub fn address(
        &self,
        rules: &Rules,
        is_department: &dyn Fn(&DepartmentId) -> bool,
        notice: &Notice<'_>,
        application: &serde_json::Value,
    ) -> Addressed {
        let chain = self.chain.get(notice.occasion);
        let answer = self
            .function
            .as_deref()
            .map(|function| ask(function, rules, is_department, notice, chain, application));
        match answer {
            Some(Ok(names)) => Addressed {
                recipients: resolve(&names, &notice.parties),
                rule_error: None,
            },
            Some(Err(error)) => Addressed {
                recipients: resolve(chain, &notice.parties),
                rule_error: Some(error.to_string()),
            },
            None => Addressed {
                recipients: resolve(chain, &notice.parties),
                rule_error: None,
            },
        }
    }
}

/// Calls `function` and checks its answer.
fn ask(
    function: &str,
    rules: &Rules,
    is_department: &dyn Fn(&DepartmentId) -> bool,
    notice: &Notice<'_>,
    chain: &[RecipientName],
    application: &serde_json::Value,
) -> Result<Vec<RecipientName>, RecipientsError> {
    let failed = |error| RecipientsError::Rule {
        function: function.to_string(),
        error,
    };
    let app = rules.application(application).map_err(failed)?;
    let answer = rules
        .call(function, vec![alert_map(notice, chain), app.value()])
        .map_err(failed)?;
    let items = answer
        .clone()
        .into_array()
        .map_err(|_| RecipientsError::NotAnArray {
            function: function.to_string(),
            got: describe(&answer),
        })?;
    if items.is_empty() {
        return Err(RecipientsError::Nobody {
            function: function.to_string(),
        });
    }
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        let text =
            item.clone()
                .into_immutable_string()
                .map_err(|_| RecipientsError::NotAString {
                    function: function.to_string(),
                    got: describe(&item),
                })?;
        let name: RecipientName = text.parse().map_err(|error| RecipientsError::Name {
            function: function.to_string(),
            error,
        })?;
        match &name {
            RecipientName::HeadOf(department) if !is_department(department) => {
                return Err(RecipientsError::UnknownDepartment {
                    function: function.to_string(),
                    department: department.clone(),
                })
            }
            RecipientName::Officer if !notice.occasion.has_officer() => {
                return Err(RecipientsError::OfficerAtRisk {
                    function: function.to_string(),
                })
            }
            _ => names.push(name),
        }
    }
    Ok(names)
}

/// The `alert` map a recipients function receives.
fn alert_map(notice: &Notice<'_>, chain: &[RecipientName]) -> Dynamic {
    fn text(value: impl ToString) -> Dynamic {
        Dynamic::from(value.to_string())
    }
    fn optional(value: Option<impl ToString>) -> Dynamic {
        value.map_or(Dynamic::UNIT, text)
    }
    let department = notice.task.and_then(|_| notice.parties.departments.first());
    let mut map = rhai::Map::new();
    map.insert("level".into(), text(notice.occasion.as_str()));
    map.insert("task".into(), optional(notice.task));
    map.insert("department".into(), optional(department));
    map.insert("officer".into(), optional(notice.parties.officer));
    map.insert("coordinator".into(), optional(notice.parties.coordinator));
    map.insert("center".into(), text(notice.parties.center));
    map.insert(
        "causes".into(),
        Dynamic::from_array(notice.causes.iter().map(text).collect()),
    );
    map.insert(
        "chain".into(),
        Dynamic::from_array(chain.iter().map(text).collect()),
    );
    Dynamic::from_map(map)
}

/// A value's type and value, for messages.
fn describe(value: &Dynamic) -> String {
    format!("{} `{value}`", value.type_name())
}

#[cfg(test)]
mod tests;
