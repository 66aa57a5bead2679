//! The application schema: the fields a workflow declares for its application (its
//! `application:` section), and the check of an application against them.
//!
//! Rules read the application through lenient helpers (`flag`, `num`, …) that take a
//! missing or mistyped field for false / 0 / "", so a typo at the window silently drops a
//! task. A workflow that declares its fields gets every launch checked first: a required
//! field left out, a value of the wrong type, a choice that is not one of the choices and a
//! field it does not declare are each reported, in field order, and the launch is refused.
//! A workflow that declares none keeps the lenient behaviour. The schema is also what a
//! launch form is generated from, so it is serialisable as is (`type` is the kind's key).
//!
//! A field counts as *not given* when it is absent, `null` or the empty string `""` (what
//! a form sends for a field left blank); a required field not given is an error, an
//! optional one is not checked further.

use serde::{Deserialize, Serialize};

/// The fields of a workflow's application, in the order the form shows them; empty when
/// the workflow declares none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSchema {
    /// The declared fields, ids unique.
    pub fields: Vec<FieldDef>,
}

/// One declared field of the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// The JSON key, `[a-z][a-z0-9_]*`, unique within the workflow.
    pub id: String,
    /// What values it takes.
    #[serde(rename = "type")]
    pub kind: FieldKind,
    /// The label shown on the form (zh-CN).
    pub label: String,
    /// Whether a launch must give it.
    pub required: bool,
    /// A longer explanation for the form, if any.
    pub help: Option<String>,
    /// The values it may take: for `choice` (at least one) and optionally for `list`
    /// (then each item must be one of them); empty for the other kinds.
    pub choices: Vec<Choice>,
}

/// One value a `choice` or `list` field may take. In YAML either a plain string (its own
/// label) or `{ value, label }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The value the application holds.
    pub value: String,
    /// What the form shows for it.
    pub label: String,
}

/// The kind of value a field holds (`type:` in YAML).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A JSON string.
    Text,
    /// A JSON number.
    Number,
    /// JSON `true` or `false`.
    Boolean,
    /// A string among the field's `choices`.
    Choice,
    /// A string `YYYY-MM-DD` naming a real date.
    Date,
    /// A JSON array of strings, each among the `choices` when the field has any (a
    /// multi-select).
    List,
}

/// One problem of an application against its schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's id (the JSON key); empty when the application itself is at fault (not
    /// a JSON object).
    pub field: String,
    /// What is wrong, Chinese first with English beside (`必填 required`).
    pub message: String,
}

impl FieldKind {
    /// Every kind, in the order messages list them.
    pub const ALL: [FieldKind; 6] = [
        FieldKind::Text,
        FieldKind::Number,
        FieldKind::Boolean,
        FieldKind::Choice,
        FieldKind::Date,
        FieldKind::List,
    ];

    /// The YAML and JSON spelling of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Boolean => "boolean",
            FieldKind::Choice => "choice",
            FieldKind::Date => "date",
            FieldKind::List => "list",
        }
    }

    /// The kind spelled `text`, if any.
    pub fn parse(text: &str) -> Option<FieldKind> {
        FieldKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    /// Whether a field of this kind may list `choices`.
    pub fn takes_choices(self) -> bool {
        matches!(self, FieldKind::Choice | FieldKind::List)
    }

    /// "must be …" for a value of the wrong JSON type, Chinese first.
    fn expected(self) -> &'static str {
        match self {
            FieldKind::Text => "应为文本 must be text (a string)",
            FieldKind::Number => "应为数字 must be a number",
            FieldKind::Boolean => "应为是或否 must be true or false",
            FieldKind::Choice => "应为可选值之一 must be one of the choices (a string)",
            FieldKind::Date => "应为日期 must be a date YYYY-MM-DD (a string)",
            FieldKind::List => "应为文本列表 must be a list of strings",
        }
    }
}

impl ApplicationSchema {
    /// Whether the workflow declares no fields (then applications are not checked).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The declared field `id`, if any.
    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|field| field.id == id)
    }

    /// Checks `application` against the declared fields: every problem, the declared
    /// fields' in declaration order, then the fields it does not declare by key. An empty
    /// schema accepts anything.
    pub fn validate(&self, application: &serde_json::Value) -> Result<(), Vec<FieldError>> {
        if self.is_empty() {
            return Ok(());
        }
        let Some(object) = application.as_object() else {
            return Err(vec![FieldError {
                field: String::new(),
                message: "申请应为 JSON 对象 the application must be a JSON object".to_string(),
            }]);
        };
        let mut errors = Vec::new();
        for field in &self.fields {
            if let Some(message) = field.problem(object.get(&field.id)) {
                errors.push(FieldError {
                    field: field.id.clone(),
                    message,
                });
            }
        }
        for key in object.keys() {
            if self.field(key).is_none() {
                errors.push(FieldError {
                    field: key.clone(),
                    message: "未声明的字段 undeclared field".to_string(),
                });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl FieldDef {
    /// What is wrong with `value` for this field, if anything.
    fn problem(&self, value: Option<&serde_json::Value>) -> Option<String> {
        use serde_json::Value;
        let value = match value {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.is_empty() => None,
            Some(value) => Some(value),
        };
        let Some(value) = value else {
            return self.required.then(|| "必填 required".to_string());
        };
        let wrong = || Some(format!("{}, not {}", self.kind.expected(), describe(value)));
        match (self.kind, value) {
            (FieldKind::Text, Value::String(_))
            | (FieldKind::Number, Value::Number(_))
            | (FieldKind::Boolean, Value::Bool(_)) => None,
            (FieldKind::Choice, Value::String(text)) => {
                (!self.allows(text)).then(|| self.not_a_choice(text))
            }
            (FieldKind::Date, Value::String(text)) => (!is_date(text))
                .then(|| format!("应为日期 YYYY-MM-DD must be a date YYYY-MM-DD, not `{text}`")),
            (FieldKind::List, Value::Array(items)) => {
                let problems: Vec<String> = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| match item {
                        Value::String(text) if self.choices.is_empty() || self.allows(text) => None,
                        Value::String(text) => Some(format!("[{i}]: {}", self.not_a_choice(text))),
                        other => Some(format!(
                            "[{i}]: 应为文本 must be a string, not {}",
                            describe(other)
                        )),
                    })
                    .collect();
                (!problems.is_empty()).then(|| problems.join("; "))
            }
            _ => wrong(),
        }
    }

    /// Whether `value` is one of the choices.
    fn allows(&self, value: &str) -> bool {
        self.choices.iter().any(|choice| choice.value == value)
    }

    fn not_a_choice(&self, value: &str) -> String {
        let choices: Vec<String> = self
            .choices
            .iter()
            .map(|choice| {
                if choice.label == choice.value {
                    format!("`{}`", choice.value)
                } else {
                    format!("`{}` ({})", choice.value, choice.label)
                }
            })
            .collect();
        format!("`{value}` 不是可选值 is not one of: {}", choices.join(", "))
    }
}

/// Whether `text` is a real date written `YYYY-MM-DD`.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    shaped && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// A short description of a JSON value, for "must be X, not Y".
fn describe(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(text) => {
            let mut short: String = text.chars().take(40).collect();
            if short.len() < text.len() {
                short.push('…');
            }
            format!("the string `{short}`")
        }
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}
