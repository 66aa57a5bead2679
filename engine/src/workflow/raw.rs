//! The first stage of building a workflow: YAML text → raw structs whose values keep their
//! positions.
//!
//! A file is parsed twice: by serde_yaml into a [`serde_yaml::Value`] (which decides what
//! is a number, a string or a list) and by yaml-rust2 into a [`PositionIndex`] (which knows
//! where every node is). The value tree is then read field by field rather than through a
//! derived `Deserialize`, so that a missing field in one task and a wrong type in another
//! are both reported, each at its own position. Cross-references (departments, `needs`,
//! rules functions) are checked later, in `check`.

use serde_yaml::{Mapping, Value};
use yaml_rust2::scanner::TScalarStyle;

use super::position::{join_index, join_key, DuplicateKey, Pos, PositionIndex};
use super::TaskKind;
use crate::source::{Diagnostic, SourceText};

mod application;
mod supervision;

pub(super) use application::RawField;
pub(super) use supervision::{RawRecipient, RawSupervision};

/// A value together with where it starts in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Spanned<T> {
    pub(super) value: T,
    pub(super) at: Pos,
}

/// A Rhai expression as written in the YAML file, with what is needed to map a position in
/// the expression back onto the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ExprSource {
    /// The expression text (the scalar's value).
    pub(super) text: String,
    /// Where the scalar starts.
    pub(super) at: Pos,
    /// The scalar's style, if the index knows it.
    pub(super) style: Option<TScalarStyle>,
}

/// `committed_days` as written: a number or an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RawDays {
    Fixed(u32),
    Expr(ExprSource),
}

/// A department entry, inline or from the shared file.
#[derive(Debug, Clone)]
pub(super) struct RawDepartment {
    pub(super) id: Option<Spanned<String>>,
    pub(super) name: Option<String>,
}

/// A task entry; a field is `None` when it is missing or invalid (and was reported).
#[derive(Debug, Clone)]
pub(super) struct RawTask {
    /// How messages name the task: `tasks[2] (id `x`)`.
    pub(super) label: String,
    pub(super) id: Option<Spanned<String>>,
    pub(super) name: Option<String>,
    pub(super) department: Option<Spanned<String>>,
    pub(super) kind: Option<TaskKind>,
    pub(super) statutory_days: Option<Spanned<u32>>,
    pub(super) committed_days: Option<Spanned<RawDays>>,
    pub(super) needs: Vec<Spanned<String>>,
    pub(super) when: Option<ExprSource>,
    pub(super) materials: Vec<String>,
    pub(super) basis: Option<String>,
}

/// A workflow file as read; a field is `None` when it is missing or invalid.
#[derive(Debug, Clone, Default)]
pub(super) struct RawWorkflow {
    pub(super) id: Option<Spanned<String>>,
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    pub(super) calendar: Option<Spanned<String>>,
    pub(super) rules: Option<Spanned<String>>,
    pub(super) departments: Vec<RawDepartment>,
    pub(super) tasks: Vec<RawTask>,
    /// The `supervision` section; `None` when absent or not a mapping (reported).
    pub(super) supervision: Option<RawSupervision>,
    /// The `application` section's entries; `None` when absent or not a list (reported).
    pub(super) application: Option<Vec<RawField>>,
}

/// The fields a workflow file may have.
const WORKFLOW_FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "calendar",
    "rules",
    "departments",
    "tasks",
    "supervision",
    "application",
];

/// The fields a task may have.
const TASK_FIELDS: &[&str] = &[
    "id",
    "name",
    "department",
    "kind",
    "statutory_days",
    "committed_days",
    "needs",
    "when",
    "materials",
    "basis",
];

/// The fields a department may have.
const DEPARTMENT_FIELDS: &[&str] = &["id", "name"];

/// The fields the shared departments file may have.
const DEPARTMENTS_FILE_FIELDS: &[&str] = &["departments"];

/// Parses a YAML text into a value and its position index, or reports why it cannot be.
///
/// Only syntax is checked here; when it fails nothing else about the file can be.
pub(super) fn parse(source: &SourceText) -> Result<(Value, PositionIndex), Vec<Diagnostic>> {
    let at = |pos: Pos, message: String| {
        Diagnostic::new(source.name.as_str(), pos.line, pos.column, message)
    };
    let index = PositionIndex::parse(&source.text);
    let value = serde_yaml::from_str::<Value>(&source.text);
    match (value, index) {
        (Ok(value), Ok(index)) => Ok((value, index)),
        (Err(_), Ok(index)) if !index.duplicate_keys.is_empty() => Err(index
            .duplicate_keys
            .iter()
            .map(
                |DuplicateKey {
                     key,
                     at: pos,
                     first,
                 }| {
                    at(
                        *pos,
                        format!(
                            "duplicate key `{key}`: it already appears on line {}",
                            first.line
                        ),
                    )
                },
            )
            .collect()),
        (
            Err(_),
            Ok(PositionIndex {
                second_document: Some(pos),
                ..
            }),
        ) => Err(vec![at(
            pos,
            "a second YAML document (`---`); the file must hold exactly one".to_string(),
        )]),
        (Err(error), _) => {
            let pos = error.location().map_or(Pos::START, |location| Pos {
                line: location.line(),
                column: location.column(),
            });
            // serde_yaml repeats the position in its message; the diagnostic already has it.
            let message = error.to_string().replacen(
                &format!(" at line {} column {}", pos.line, pos.column),
                "",
                1,
            );
            Err(vec![at(pos, format!("YAML syntax error: {message}"))])
        }
        (Ok(_), Err((pos, message))) => Err(vec![at(pos, format!("YAML syntax error: {message}"))]),
    }
}

/// Reads values out of one parsed file, reporting problems at their positions.
pub(super) struct Reader<'a> {
    pub(super) file: &'a str,
    pub(super) index: &'a PositionIndex,
    pub(super) diagnostics: &'a mut Vec<Diagnostic>,
}

/// A mapping being read: its path in the document, how messages name it, and its entries.
struct Fields<'v> {
    path: String,
    /// Message prefix naming the mapping (`tasks[2] (id `x`): `), empty for the root.
    prefix: String,
    map: &'v Mapping,
}

impl Reader<'_> {
    /// Reports a problem at `at`.
    pub(super) fn error(&mut self, at: Pos, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(self.file, at.line, at.column, message));
    }

    /// Reads a workflow file's root value.
    pub(super) fn workflow(&mut self, root: &Value) -> RawWorkflow {
        let mut raw = RawWorkflow::default();
        let Some(fields) = self.root_mapping(root, "a workflow with id, name, calendar and tasks")
        else {
            return raw;
        };
        self.check_fields(&fields, WORKFLOW_FIELDS);
        raw.id = self.string(&fields, "id", true);
        raw.name = self.string(&fields, "name", true).map(|s| s.value);
        raw.description = self.string(&fields, "description", false).map(|s| s.value);
        raw.calendar = self.string(&fields, "calendar", true);
        raw.rules = self.string(&fields, "rules", false);
        if let Some((path, items)) = self.list(&fields, "departments", false) {
            raw.departments = self.departments(&path, items);
        }
        if let Some((path, items)) = self.list(&fields, "tasks", true) {
            if items.is_empty() {
                let at = self.index.value(&path);
                self.error(at, "`tasks` is empty: a workflow needs at least one task");
            }
            raw.tasks = items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| self.task(&path, i, item))
                .collect();
        }
        raw.supervision = self.supervision(&fields);
        raw.application = self.application(&fields);
        raw
    }

    /// Reads the shared departments file's root value.
    pub(super) fn departments_file(&mut self, root: &Value) -> Vec<RawDepartment> {
        let Some(fields) = self.root_mapping(root, "`departments:` with a list of departments")
        else {
            return Vec::new();
        };
        self.check_fields(&fields, DEPARTMENTS_FILE_FIELDS);
        match self.list(&fields, "departments", true) {
            Some((path, items)) => self.departments(&path, items),
            None => Vec::new(),
        }
    }

    fn root_mapping<'v>(&mut self, root: &'v Value, expected: &str) -> Option<Fields<'v>> {
        match root {
            Value::Mapping(map) => Some(Fields {
                path: String::new(),
                prefix: String::new(),
                map,
            }),
            Value::Null => {
                self.error(
                    Pos::START,
                    format!("the file is empty; expected {expected}"),
                );
                None
            }
            other => {
                let at = self.index.value("");
                self.error(
                    at,
                    format!(
                        "the file must be a mapping ({expected}), not {}",
                        describe(other)
                    ),
                );
                None
            }
        }
    }

    fn departments(&mut self, path: &str, items: &[Value]) -> Vec<RawDepartment> {
        let mut departments = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = join_index(path, i);
            let label = label(path, i, item);
            let Some(fields) = self.item_mapping(&item_path, &label, item, "id and name") else {
                continue;
            };
            self.check_fields(&fields, DEPARTMENT_FIELDS);
            let id = self.string(&fields, "id", true);
            if let Some(id) = &id {
                self.check_id(id, "department id");
            }
            let name = self.string(&fields, "name", true).map(|s| s.value);
            departments.push(RawDepartment { id, name });
        }
        departments
    }

    /// Reads item `i` of the task list at `list`.
    fn task(&mut self, list: &str, i: usize, item: &Value) -> Option<RawTask> {
        let path = join_index(list, i);
        let label = label(list, i, item);
        let fields = self.item_mapping(&path, &label, item, "id, name, department, kind, ...")?;
        self.check_fields(&fields, TASK_FIELDS);
        let id = self.string(&fields, "id", true);
        if let Some(id) = &id {
            self.check_id(id, "task id");
        }
        let name = self.string(&fields, "name", true).map(|s| s.value);
        let department = self.string(&fields, "department", true);
        let kind = self.kind(&fields);
        // An instant task takes 0 days, so its limits may be left out.
        let days_required = kind != Some(TaskKind::Instant);
        let statutory_days = self.days(&fields, "statutory_days", days_required);
        let committed_days = self.committed_days(&fields, days_required);
        let needs = self.string_list(&fields, "needs");
        let when = self
            .string(&fields, "when", false)
            .map(|s| self.expr_source(&join_key(&path, "when"), s));
        let materials = self
            .string_list(&fields, "materials")
            .into_iter()
            .map(|s| s.value)
            .collect();
        let basis = self.string(&fields, "basis", false).map(|s| s.value);
        Some(RawTask {
            label,
            id,
            name,
            department,
            kind,
            statutory_days,
            committed_days,
            needs,
            when,
            materials,
            basis,
        })
    }

    fn item_mapping<'v>(
        &mut self,
        path: &str,
        label: &str,
        item: &'v Value,
        expected: &str,
    ) -> Option<Fields<'v>> {
        match item {
            Value::Mapping(map) => Some(Fields {
                path: path.to_string(),
                prefix: format!("{label}: "),
                map,
            }),
            other => {
                let at = self.index.value(path);
                self.error(
                    at,
                    format!(
                        "{label} must be a mapping with {expected}, not {}",
                        describe(other)
                    ),
                );
                None
            }
        }
    }

    /// Reports every key of `fields` that is not in `allowed`, at the key.
    fn check_fields(&mut self, fields: &Fields<'_>, allowed: &[&str]) {
        for key in fields.map.keys() {
            let name = key_text(key);
            if allowed.contains(&name.as_str()) {
                continue;
            }
            let at = self.index.key(&join_key(&fields.path, &name));
            let hint = match closest(&name, allowed.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("expected one of: {}", allowed.join(", ")),
            };
            self.error(
                at,
                format!("{}unknown field `{name}`; {hint}", fields.prefix),
            );
        }
    }

    /// The value of `field`, or `None` when it is absent or empty (`field:` with no value).
    /// A required field that is absent is reported at the mapping's start.
    fn get<'v>(&mut self, fields: &Fields<'v>, field: &str, required: bool) -> Option<&'v Value> {
        match fields.map.get(field) {
            Some(Value::Null) | None => {
                if required {
                    let path = join_key(&fields.path, field);
                    let (at, message) = match self.index.node(&path) {
                        Some(node) => (
                            node.key.unwrap_or(node.value),
                            format!("{}field `{field}` is empty", fields.prefix),
                        ),
                        None => (
                            self.index.value(&fields.path),
                            format!("{}missing field `{field}`", fields.prefix),
                        ),
                    };
                    self.error(at, message);
                }
                None
            }
            Some(value) => Some(value),
        }
    }

    fn wrong_type(&mut self, fields: &Fields<'_>, field: &str, expected: &str, value: &Value) {
        let at = self.index.value(&join_key(&fields.path, field));
        let quote = if matches!(value, Value::Number(_) | Value::Bool(_)) && expected == "a string"
        {
            " (put it in quotes to make it one)"
        } else {
            ""
        };
        self.error(
            at,
            format!(
                "{}`{field}` must be {expected}, not {}{quote}",
                fields.prefix,
                describe(value)
            ),
        );
    }

    fn string(
        &mut self,
        fields: &Fields<'_>,
        field: &str,
        required: bool,
    ) -> Option<Spanned<String>> {
        match self.get(fields, field, required)? {
            Value::String(text) => Some(Spanned {
                value: text.clone(),
                at: self.index.value(&join_key(&fields.path, field)),
            }),
            other => {
                self.wrong_type(fields, field, "a string", other);
                None
            }
        }
    }

    fn string_list(&mut self, fields: &Fields<'_>, field: &str) -> Vec<Spanned<String>> {
        let Some((path, items)) = self.list(fields, field, false) else {
            return Vec::new();
        };
        let mut strings = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = join_index(&path, i);
            let at = self.index.value(&item_path);
            match item {
                Value::String(text) => strings.push(Spanned {
                    value: text.clone(),
                    at,
                }),
                other => self.error(
                    at,
                    format!(
                        "{}`{field}[{i}]` must be a string, not {}",
                        fields.prefix,
                        describe(other)
                    ),
                ),
            }
        }
        strings
    }

    fn list<'v>(
        &mut self,
        fields: &Fields<'v>,
        field: &str,
        required: bool,
    ) -> Option<(String, &'v [Value])> {
        match self.get(fields, field, required)? {
            Value::Sequence(items) => Some((join_key(&fields.path, field), items.as_slice())),
            other => {
                self.wrong_type(fields, field, "a list", other);
                None
            }
        }
    }

    fn kind(&mut self, fields: &Fields<'_>) -> Option<TaskKind> {
        let kinds = [TaskKind::Instant, TaskKind::Commitment, TaskKind::Referred];
        let text = self.string(fields, "kind", true)?;
        let kind = kinds.into_iter().find(|kind| kind.as_str() == text.value);
        if kind.is_none() {
            self.error(
                text.at,
                format!(
                    "{}`kind` must be one of instant (即办件), commitment (承诺件) or referred \
                     (上报件), not `{}`",
                    fields.prefix, text.value
                ),
            );
        }
        kind
    }

    fn days(&mut self, fields: &Fields<'_>, field: &str, required: bool) -> Option<Spanned<u32>> {
        let value = self.get(fields, field, required)?;
        let at = self.index.value(&join_key(&fields.path, field));
        match value {
            Value::Number(number) => self.day_count(fields, field, number, at),
            other => {
                self.wrong_type(fields, field, "a whole number of working days", other);
                None
            }
        }
    }

    fn committed_days(&mut self, fields: &Fields<'_>, required: bool) -> Option<Spanned<RawDays>> {
        const FIELD: &str = "committed_days";
        let value = self.get(fields, FIELD, required)?;
        let path = join_key(&fields.path, FIELD);
        let at = self.index.value(&path);
        match value {
            Value::Number(number) => {
                self.day_count(fields, FIELD, number, at)
                    .map(|days| Spanned {
                        value: RawDays::Fixed(days.value),
                        at,
                    })
            }
            Value::String(text) => Some(Spanned {
                value: RawDays::Expr(self.expr_source(
                    &path,
                    Spanned {
                        value: text.clone(),
                        at,
                    },
                )),
                at,
            }),
            other => {
                self.wrong_type(
                    fields,
                    FIELD,
                    "a whole number of working days or a Rhai expression in a string",
                    other,
                );
                None
            }
        }
    }

    fn day_count(
        &mut self,
        fields: &Fields<'_>,
        field: &str,
        number: &serde_yaml::Number,
        at: Pos,
    ) -> Option<Spanned<u32>> {
        let problem = match number.as_i64() {
            Some(days) if days < 0 => format!("must not be negative (it is {days})"),
            Some(days) => match u32::try_from(days) {
                Ok(days) => return Some(Spanned { value: days, at }),
                Err(_) => format!("is too large ({days})"),
            },
            None if number.is_u64() => format!("is too large ({number})"),
            None => format!("must be a whole number of working days, not {number}"),
        };
        self.error(at, format!("{}`{field}` {problem}", fields.prefix));
        None
    }

    fn expr_source(&self, path: &str, text: Spanned<String>) -> ExprSource {
        ExprSource {
            text: text.value,
            at: text.at,
            style: self.index.node(path).and_then(|node| node.style),
        }
    }

    /// Reports an id that is not lowercase letters, digits, `-` and `_`.
    pub(super) fn check_id(&mut self, id: &Spanned<String>, what: &str) {
        if !is_identifier(&id.value) {
            self.error(
                id.at,
                format!(
                    "{what} `{}` is not a valid id: use lowercase letters, digits, `-` and `_`, \
                     starting with a letter or digit",
                    id.value
                ),
            );
        }
    }
}

/// Whether `id` is a sensible identifier: `[a-z0-9][a-z0-9_-]*`.
pub(super) fn is_identifier(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// How messages name item `i` of the list at `path`: `tasks[2] (id `x`)`.
fn label(path: &str, i: usize, item: &Value) -> String {
    match item.get("id") {
        Some(Value::String(id)) => format!("{path}[{i}] (id `{id}`)"),
        _ => format!("{path}[{i}]"),
    }
}

/// A mapping key as text, the way the position index spells it.
fn key_text(key: &Value) -> String {
    match key {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "~".to_string(),
        _ => "?".to_string(),
    }
}

/// A short description of a value, for "must be X, not Y" messages.
pub(super) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "an empty value".to_string(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(number) => format!("the number {number}"),
        Value::String(text) => {
            let mut short: String = text.chars().take(40).collect();
            if short.len() < text.len() {
                short.push('…');
            }
            format!("the string `{short}`")
        }
        Value::Sequence(_) => "a list".to_string(),
        Value::Mapping(_) => "a mapping".to_string(),
        Value::Tagged(tagged) => format!("a value tagged `{}`", tagged.tag),
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo.
pub(super) fn closest<'c>(
    word: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

impl ExprSource {
    /// Maps a 1-based line and column within the expression onto the file.
    ///
    /// Exact for single-line plain and quoted scalars without escapes and for literal
    /// (`|`) block scalars; otherwise (folded scalars, escapes, multi-line flow scalars) the
    /// position of the scalar itself. Each mapping is checked against the file's text, so a
    /// wrong guess degrades to the scalar's position rather than pointing elsewhere.
    pub(super) fn locate(&self, file_text: &str, line: usize, column: usize) -> Pos {
        // Rhai reports "incomplete" at the end of the text; after a block scalar's final
        // newline that is a line of its own, outside the scalar: use the end of the last
        // line instead.
        let lines: Vec<&str> = self.text.trim_end_matches('\n').split('\n').collect();
        let (line, column) = match lines.last() {
            Some(last) if line > lines.len() => (lines.len(), last.chars().count() + 1),
            _ => (line, column),
        };
        let start = match self.style {
            Some(TScalarStyle::Plain) if line == 1 => Some(self.at),
            Some(TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted) if line == 1 => {
                Some(Pos {
                    line: self.at.line,
                    column: self.at.column + 1,
                })
            }
            // yaml-rust2 places a block scalar at its first content character; every line of
            // a literal scalar is indented by the same amount.
            Some(TScalarStyle::Literal) if line >= 1 => Some(Pos {
                line: self.at.line + line - 1,
                column: self.at.column,
            }),
            _ => None,
        };
        let expr_line = self.text.split('\n').nth(line.saturating_sub(1));
        let verified = start.filter(|start| {
            let (Some(expr_line), Some(file_line)) =
                (expr_line, file_text.lines().nth(start.line - 1))
            else {
                return false;
            };
            let rest: String = file_line.chars().skip(start.column - 1).collect();
            rest.starts_with(expr_line)
        });
        match verified {
            Some(start) => Pos {
                line: start.line,
                column: start.column + column.max(1) - 1,
            },
            None => self.at,
        }
    }

    /// The 1-based line and column within the expression of the first call of `name`.
    pub(super) fn find_call(&self, name: &str) -> Option<(usize, usize)> {
        let is_ident = |c: char| c.is_alphanumeric() || c == '_';
        for (line_index, line) in self.text.split('\n').enumerate() {
            for (byte, _) in line.match_indices(name) {
                let before = line[..byte].chars().next_back();
                let after = line[byte + name.len()..].trim_start().chars().next();
                if !before.is_some_and(|c| is_ident(c) || c == '.') && after == Some('(') {
                    let column = line[..byte].chars().count() + 1;
                    return Some((line_index + 1, column));
                }
            }
        }
        None
    }
}
