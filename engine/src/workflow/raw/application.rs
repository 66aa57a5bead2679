//! Reading a workflow's optional `application` section: the fields its application has,
//! each with its type, zh-CN label and, for a choice or a list, the values it may take.
//!
//! ```yaml
//! application:
//!   - id: land_supply
//!     type: choice                 # text | number | boolean | choice | date | list
//!     label: 供地方式
//!     required: true               # optional, default false
//!     help: 出让：招拍挂取得；划拨：列入划拨用地目录的项目   # optional
//!     choices:                     # choice (required) and list (optional) only
//!       - { value: transfer, label: 出让 }
//!       - allocation               # a plain string is its own label
//! ```
//!
//! Everything about one field is checked here: unknown keys, a missing id, type or label,
//! an unknown type, `choices` on a field that takes none or missing on a choice, and a
//! choice value listed twice. Duplicate field ids and rules reading undeclared fields are
//! checked in `check`, across the section and the rules.

use serde_yaml::Value;

use super::{closest, describe, join_index, join_key, label, Fields, Reader, Spanned};
use crate::workflow::{Choice, FieldKind};

/// One entry of `application` as read; a field is `None` when missing or invalid (and
/// reported).
#[derive(Debug, Clone)]
pub(in crate::workflow) struct RawField {
    /// How messages name the entry: `application[2] (id `x`)`.
    pub(in crate::workflow) label: String,
    pub(in crate::workflow) id: Option<Spanned<String>>,
    pub(in crate::workflow) kind: Option<FieldKind>,
    /// The form label (`label:`).
    pub(in crate::workflow) name: Option<String>,
    pub(in crate::workflow) required: bool,
    pub(in crate::workflow) help: Option<String>,
    /// Valid choices in order, each value once.
    pub(in crate::workflow) choices: Vec<Choice>,
}

/// The fields an entry of `application` may have.
const FIELD_FIELDS: &[&str] = &["id", "type", "label", "required", "help", "choices"];

/// The fields a choice written as a mapping may have.
const CHOICE_FIELDS: &[&str] = &["value", "label"];

impl Reader<'_> {
    /// Reads the `application` field of the workflow's root mapping: `None` when absent
    /// (the workflow declares no fields), else its entries that are mappings.
    pub(super) fn application(&mut self, root: &Fields<'_>) -> Option<Vec<RawField>> {
        let (path, items) = self.list(root, "application", false)?;
        if items.is_empty() {
            let at = self.index.value(&path);
            self.error(
                at,
                "`application` is empty: declare the application's fields, or leave the \
                 section out to launch applications unchecked",
            );
        }
        Some(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| self.application_field(&path, i, item))
                .collect(),
        )
    }

    /// Reads entry `i` of the list at `list`.
    fn application_field(&mut self, list: &str, i: usize, item: &Value) -> Option<RawField> {
        let path = join_index(list, i);
        let label = label(list, i, item);
        let fields = self.item_mapping(&path, &label, item, "id, type and label")?;
        self.check_fields(&fields, FIELD_FIELDS);
        let id = self.string(&fields, "id", true);
        if let Some(id) = &id {
            if !is_field_id(&id.value) {
                self.error(
                    id.at,
                    format!(
                        "{label}: field id `{}` is not a valid id: use lowercase letters, \
                         digits and `_`, starting with a letter (it is the application's \
                         JSON key and what rules read as `app.{}`)",
                        id.value,
                        id.value.replace('-', "_")
                    ),
                );
            }
        }
        let kind = self.field_kind(&fields);
        let name = self.string(&fields, "label", true).map(|s| s.value);
        let required = self.boolean(&fields, "required").unwrap_or(false);
        let help = self.string(&fields, "help", false).map(|s| s.value);
        let choices = self.choices(&fields, kind);
        Some(RawField {
            label,
            id,
            kind,
            name,
            required,
            help,
            choices,
        })
    }

    fn field_kind(&mut self, fields: &Fields<'_>) -> Option<FieldKind> {
        let text = self.string(fields, "type", true)?;
        let kind = FieldKind::parse(&text.value);
        if kind.is_none() {
            let names = FieldKind::ALL.map(FieldKind::as_str);
            let hint = match closest(&text.value, names.iter().copied()) {
                Some(near) => format!("; did you mean `{near}`?"),
                None => String::new(),
            };
            self.error(
                text.at,
                format!(
                    "{}`type` must be one of {}, not `{}`{hint}",
                    fields.prefix,
                    names.join(", "),
                    text.value
                ),
            );
        }
        kind
    }

    fn boolean(&mut self, fields: &Fields<'_>, field: &str) -> Option<bool> {
        match self.get(fields, field, false)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(fields, field, "`true` or `false`", other);
                None
            }
        }
    }

    /// The `choices` of a field of `kind`: required for a choice, allowed for a list,
    /// reported on any other kind (when the kind is unknown, only read).
    fn choices(&mut self, fields: &Fields<'_>, kind: Option<FieldKind>) -> Vec<Choice> {
        let prefix = fields.prefix.clone();
        let key_path = join_key(&fields.path, "choices");
        match kind {
            Some(kind) if !kind.takes_choices() && fields.map.contains_key("choices") => {
                let at = self.index.key(&key_path);
                self.error(
                    at,
                    format!(
                        "{prefix}a `{}` field takes no `choices`: only `choice` and `list` \
                         fields do",
                        kind.as_str()
                    ),
                );
                return Vec::new();
            }
            _ => {}
        }
        let required = kind == Some(FieldKind::Choice);
        let Some((path, items)) = self.list(fields, "choices", required) else {
            return Vec::new();
        };
        if items.is_empty() {
            let at = self.index.value(&path);
            let message = if required {
                format!("{prefix}`choices` is empty: a `choice` field needs at least one")
            } else {
                format!("{prefix}`choices` is empty: leave it out for a list of any strings")
            };
            self.error(at, message);
        }
        let mut choices: Vec<(Choice, usize)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = join_index(&path, i);
            let Some(choice) = self.choice(&prefix, &item_path, i, item) else {
                continue;
            };
            let at = choice.value.at;
            if let Some((_, first)) = choices.iter().find(|(c, _)| c.value == choice.value.value) {
                self.error(
                    at,
                    format!(
                        "{prefix}`choices` lists `{}` twice: it is already on line {first}",
                        choice.value.value
                    ),
                );
                continue;
            }
            choices.push((
                Choice {
                    value: choice.value.value,
                    label: choice.label,
                },
                at.line,
            ));
        }
        choices.into_iter().map(|(choice, _)| choice).collect()
    }

    /// One entry of `choices`: a plain string, or `{ value, label }`.
    fn choice(&mut self, prefix: &str, path: &str, i: usize, item: &Value) -> Option<ReadChoice> {
        let at = self.index.value(path);
        match item {
            Value::String(text) if !text.is_empty() => Some(ReadChoice {
                value: Spanned {
                    value: text.clone(),
                    at,
                },
                label: text.clone(),
            }),
            Value::Mapping(map) => {
                let fields = Fields {
                    path: path.to_string(),
                    prefix: format!("{prefix}`choices[{i}]`: "),
                    map,
                };
                self.check_fields(&fields, CHOICE_FIELDS);
                let value = self.string(&fields, "value", true);
                let label = self.string(&fields, "label", true);
                let value = value?;
                if value.value.is_empty() {
                    self.error(value.at, format!("{}`value` is empty", fields.prefix));
                    return None;
                }
                Some(ReadChoice {
                    label: label.map_or_else(|| value.value.clone(), |l| l.value),
                    value,
                })
            }
            other => {
                let quote = if matches!(other, Value::Number(_) | Value::Bool(_)) {
                    " (put it in quotes to make it one)"
                } else {
                    ""
                };
                self.error(
                    at,
                    format!(
                        "{prefix}`choices[{i}]` must be a non-empty string or a mapping with \
                         value and label, not {}{quote}",
                        describe(other)
                    ),
                );
                None
            }
        }
    }
}

/// A choice as read, with where its value is.
struct ReadChoice {
    value: Spanned<String>,
    label: String,
}

/// Whether `id` is a field id: `[a-z][a-z0-9_]*`, so that rules can read it as `app.id`.
fn is_field_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
