//! Reading a workflow's optional `supervision` section (电子监察): the warning threshold, the
//! escalation chain per level and the name of a recipients function.
//!
//! ```yaml
//! supervision:
//!   warning: { days_left: 2, used_percent: 80 }
//!   escalation:
//!     red: [officer, department_head, center, supervision_office]
//!   recipients: escalation_recipients
//! ```
//!
//! Types, ranges and recipient names are checked here; whether a `department_head:<id>`
//! names a department and whether the rules script defines the function is checked in
//! `check`, once departments and rules are known.

use serde_yaml::Value;

use super::{closest, describe, join_index, join_key, Fields, Reader, Spanned};
use crate::supervision::{Occasion, RecipientName, RecipientNameError};

/// The `supervision` section as read; a field is `None` (or a level missing) when it is
/// absent or invalid (and was reported).
#[derive(Debug, Clone, Default)]
pub(in crate::workflow) struct RawSupervision {
    /// `warning.days_left`.
    pub(in crate::workflow) days_left: Option<Spanned<u32>>,
    /// `warning.used_percent`, within 1 ..= 100.
    pub(in crate::workflow) used_percent: Option<Spanned<u32>>,
    /// The levels `escalation` sets, each with its valid recipient names in order.
    pub(in crate::workflow) escalation: Vec<(Occasion, Vec<RawRecipient>)>,
    /// `recipients`: the name of a rules-script function.
    pub(in crate::workflow) recipients: Option<Spanned<String>>,
}

/// A valid recipient name of an escalation level.
#[derive(Debug, Clone)]
pub(in crate::workflow) struct RawRecipient {
    /// Its index in the level's list, for messages.
    pub(in crate::workflow) index: usize,
    /// The name and where it is.
    pub(in crate::workflow) name: Spanned<RecipientName>,
}

/// The fields of `supervision`.
const SUPERVISION_FIELDS: &[&str] = &["warning", "escalation", "recipients"];

/// The fields of `supervision.warning`.
const WARNING_FIELDS: &[&str] = &["days_left", "used_percent"];

/// The fields of `supervision.escalation`: one per occasion.
const ESCALATION_FIELDS: &[&str] = &["warning", "yellow", "red", "at_risk"];

impl Reader<'_> {
    /// Reads the `supervision` field of the workflow's root mapping, if present.
    pub(super) fn supervision(&mut self, root: &Fields<'_>) -> Option<RawSupervision> {
        let section = self.section(root, "supervision", "warning, escalation or recipients")?;
        self.check_fields(&section, SUPERVISION_FIELDS);
        let mut raw = RawSupervision::default();
        if let Some(warning) = self.section(&section, "warning", "days_left and used_percent") {
            self.check_fields(&warning, WARNING_FIELDS);
            raw.days_left = self.days(&warning, "days_left", false);
            raw.used_percent = self.percent(&warning, "used_percent");
        }
        if let Some(escalation) =
            self.section(&section, "escalation", "warning, yellow, red or at_risk")
        {
            self.check_fields(&escalation, ESCALATION_FIELDS);
            for occasion in Occasion::ALL {
                if let Some(names) = self.recipient_names(&escalation, occasion) {
                    raw.escalation.push((occasion, names));
                }
            }
        }
        raw.recipients = self.string(&section, "recipients", false);
        Some(raw)
    }

    /// The mapping under `field`, if present; messages about its entries name its path.
    fn section<'v>(
        &mut self,
        fields: &Fields<'v>,
        field: &str,
        expected: &str,
    ) -> Option<Fields<'v>> {
        match self.get(fields, field, false)? {
            Value::Mapping(map) => {
                let path = join_key(&fields.path, field);
                Some(Fields {
                    prefix: format!("{path}: "),
                    path,
                    map,
                })
            }
            other => {
                self.wrong_type(fields, field, &format!("a mapping of {expected}"), other);
                None
            }
        }
    }

    /// A whole percentage from 1 to 100.
    fn percent(&mut self, fields: &Fields<'_>, field: &str) -> Option<Spanned<u32>> {
        const EXPECTED: &str = "a whole number of percent from 1 to 100";
        let value = self.get(fields, field, false)?;
        let at = self.index.value(&join_key(&fields.path, field));
        let problem = match value {
            Value::Number(number) => match number.as_i64() {
                Some(percent @ 1..=100) => {
                    return Some(Spanned {
                        value: percent as u32,
                        at,
                    })
                }
                _ => format!("must be {EXPECTED}, not {number}"),
            },
            other => format!("must be {EXPECTED}, not {}", describe(other)),
        };
        self.error(at, format!("{}`{field}` {problem}", fields.prefix));
        None
    }

    /// The recipient names listed for `occasion`, if the level is listed as a non-empty
    /// list; names that are not valid (reported) are left out, so that the others can still
    /// be checked against the departments.
    fn recipient_names(
        &mut self,
        fields: &Fields<'_>,
        occasion: Occasion,
    ) -> Option<Vec<RawRecipient>> {
        let level = occasion.as_str();
        let (path, items) = self.list(fields, level, false)?;
        let prefix = fields.prefix.clone();
        if items.is_empty() {
            let at = self.index.value(&path);
            self.error(
                at,
                format!("{prefix}`{level}` is empty: an alert must reach someone"),
            );
            return None;
        }
        let mut names: Vec<RawRecipient> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = self.index.value(&join_index(&path, i));
            let Value::String(text) = item else {
                self.error(
                    at,
                    format!(
                        "{prefix}`{level}[{i}]` must be a recipient name (a string), not {}",
                        describe(item)
                    ),
                );
                continue;
            };
            let name = match text.parse::<RecipientName>() {
                Ok(name) => name,
                Err(RecipientNameError::Unknown(_)) => {
                    let hint = match closest(text, RecipientName::PLAIN.into_iter()) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => "expected officer, coordinator, department_head, \
                                 department_head:<department id>, center or supervision_office"
                            .to_string(),
                    };
                    self.error(
                        at,
                        format!("{prefix}`{level}[{i}]` is an unknown recipient `{text}`; {hint}"),
                    );
                    continue;
                }
                Err(error @ RecipientNameError::NoDepartment) => {
                    self.error(at, format!("{prefix}`{level}[{i}]`: {error}"));
                    continue;
                }
            };
            if name == RecipientName::Officer && !occasion.has_officer() {
                self.error(
                    at,
                    format!(
                        "{prefix}`{level}[{i}]`: a case at risk concerns no single task, so it \
                         has no `officer` to tell; use `department_head` for the departments \
                         causing the slip"
                    ),
                );
                continue;
            }
            if names.iter().any(|seen| seen.name.value == name) {
                self.error(at, format!("{prefix}`{level}` lists `{text}` twice"));
                continue;
            }
            names.push(RawRecipient {
                index: i,
                name: Spanned { value: name, at },
            });
        }
        Some(names)
    }
}
