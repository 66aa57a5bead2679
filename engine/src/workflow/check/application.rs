//! Cross-checks of the `application` section: field ids are unique, and when the workflow
//! declares fields, every field its rules read by name — in the rules script's functions
//! and in the `when` and `committed_days` expressions — is one of them, so a misspelt
//! field in a rule is found when the workflow is checked rather than by a task silently
//! left out of a case.

use std::collections::HashMap;

use super::checker::{Checker, Functions};
use crate::plan::CompiledDays;
use crate::rules::{Expr, FieldRead, Rules};
use crate::source::Diagnostic;
use crate::workflow::raw::{closest, ExprSource, RawDays, RawTask, RawWorkflow};
use crate::workflow::{ApplicationSchema, FieldDef, Sources};

impl Checker<'_> {
    /// Reports repeated field ids; returns the ids declared (each once), or `None` when the
    /// workflow has no `application` section (its applications are not checked).
    pub(super) fn declared_fields<'r>(&mut self, raw: &'r RawWorkflow) -> Option<Vec<&'r str>> {
        let fields = raw.application.as_ref()?;
        let mut first: HashMap<&str, usize> = HashMap::new();
        let mut declared = Vec::new();
        for field in fields {
            let Some(id) = &field.id else { continue };
            match first.get(id.value.as_str()) {
                Some(line) => self.error(
                    id.at,
                    format!(
                        "{}: duplicate field id `{}`: it is already declared on line {line}",
                        field.label, id.value
                    ),
                ),
                None => {
                    first.insert(&id.value, id.at.line);
                    declared.push(id.value.as_str());
                }
            }
        }
        Some(declared)
    }

    /// Reports each field the rules script's functions read that `declared` lacks, once,
    /// at its first read, naming the functions that read it.
    pub(super) fn script_reads(
        &mut self,
        declared: &[&str],
        rules: &Rules,
        functions: &Functions,
        sources: &Sources,
    ) {
        let Functions::Script(name) = functions else {
            return;
        };
        let Some(script) = sources.rules.get(name) else {
            return;
        };
        for (first, others) in undeclared(declared, rules.field_reads()) {
            let function = first.function.as_deref().unwrap_or("?");
            let mut readers: Vec<&str> = Vec::new();
            for other in &others {
                let reader = other.function.as_deref().unwrap_or("?");
                if reader != function && !readers.contains(&reader) {
                    readers.push(reader);
                }
            }
            let also = match readers.as_slice() {
                [] => String::new(),
                readers => format!(" (also read in `{}`)", readers.join("`, `")),
            };
            let message = format!(
                "function `{function}` reads application field `{}` (with {}), which \
                 `application` in {} does not declare{}{also}",
                first.field,
                via(&first),
                self.file,
                hint(&first.field, declared)
            );
            self.diagnostics.push(Diagnostic::new(
                script.name.as_str(),
                first.line,
                first.column,
                message,
            ));
        }
    }

    /// Reports each field the tasks' compiled `when` and `committed_days` expressions
    /// (indexed like `raw.tasks`; `None` where absent or not compiled) read that
    /// `declared` lacks, once, at its first read.
    pub(super) fn expr_reads(
        &mut self,
        declared: &[&str],
        raw: &RawWorkflow,
        when: &[Option<Option<Expr>>],
        committed: &[Option<Option<CompiledDays>>],
    ) {
        let mut exprs = Vec::new();
        for (task, (when, committed)) in raw.tasks.iter().zip(when.iter().zip(committed)) {
            if let (Some(source), Some(Some(expr))) = (&task.when, when) {
                exprs.push(TaskExpr {
                    task,
                    field: "when",
                    source,
                    expr,
                });
            }
            let days = task.committed_days.as_ref().map(|days| &days.value);
            if let (Some(RawDays::Expr(source)), Some(Some(CompiledDays::Expr(expr)))) =
                (days, committed)
            {
                exprs.push(TaskExpr {
                    task,
                    field: "committed_days",
                    source,
                    expr,
                });
            }
        }
        let reads = exprs.iter().enumerate().flat_map(|(i, expr)| {
            expr.expr.field_reads().into_iter().map(move |mut read| {
                // Which expression it is in, kept where an expression read has no function.
                read.function = Some(i.to_string());
                read
            })
        });
        for (first, others) in undeclared(declared, reads.collect()) {
            let index = first
                .function
                .as_deref()
                .and_then(|i| i.parse::<usize>().ok());
            let Some(expr) = index.and_then(|i| exprs.get(i)) else {
                continue;
            };
            let mut elsewhere: Vec<&str> = others
                .iter()
                .filter_map(|other| other.function.as_deref())
                .filter(|other| Some(*other) != first.function.as_deref())
                .collect();
            elsewhere.dedup();
            let also = match elsewhere.len() {
                0 => String::new(),
                1 => " (read by 1 other expression too)".to_string(),
                n => format!(" (read by {n} other expressions too)"),
            };
            let at = expr.source.locate(self.text, first.line, first.column);
            self.error(
                at,
                format!(
                    "{}: `{}` reads application field `{}` (with {}), which `application` \
                     does not declare{}{also}",
                    expr.task.label,
                    expr.field,
                    first.field,
                    via(&first),
                    hint(&first.field, declared)
                ),
            );
        }
    }
}

/// One compiled `when` or `committed_days` expression of a task.
struct TaskExpr<'a> {
    task: &'a RawTask,
    /// `when` or `committed_days`.
    field: &'static str,
    source: &'a ExprSource,
    expr: &'a Expr,
}

/// The reads of fields `declared` lacks, grouped by field in order of first read: the
/// first read of each and the others.
fn undeclared(declared: &[&str], reads: Vec<FieldRead>) -> Vec<(FieldRead, Vec<FieldRead>)> {
    let mut groups: Vec<(FieldRead, Vec<FieldRead>)> = Vec::new();
    for read in reads {
        if declared.contains(&read.field.as_str()) {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(first, _)| first.field == read.field)
        {
            Some((_, others)) => others.push(read),
            None => groups.push((read, Vec::new())),
        }
    }
    groups
}

/// The declared schema of a workflow that passed every check: its fields in order.
pub(super) fn schema(raw: &RawWorkflow) -> Option<ApplicationSchema> {
    let Some(fields) = &raw.application else {
        return Some(ApplicationSchema::default());
    };
    let fields = fields
        .iter()
        .map(|field| {
            Some(FieldDef {
                id: field.id.as_ref()?.value.clone(),
                kind: field.kind?,
                label: field.name.clone()?,
                required: field.required,
                help: field.help.clone(),
                choices: field.choices.clone(),
            })
        })
        .collect::<Option<Vec<FieldDef>>>()?;
    Some(ApplicationSchema { fields })
}

/// How a read is written, for messages: `` `flag` ``, `` `app.x` ``.
fn via(read: &FieldRead) -> String {
    match read.via.as_str() {
        "app.x" => format!("`app.{}`", read.field),
        "app[…]" => format!("`app[\"{}\"]`", read.field),
        "in" => format!("`\"{}\" in app`", read.field),
        helper => format!("`{helper}`"),
    }
}

/// "; did you mean `x`?" when a declared field is close to `field`.
fn hint(field: &str, declared: &[&str]) -> String {
    match closest(field, declared.iter().copied()) {
        Some(near) => format!("; did you mean `{near}`?"),
        None => "; declare it, or correct the name".to_string(),
    }
}
