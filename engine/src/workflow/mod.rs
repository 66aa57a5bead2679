//! Workflow definitions: YAML schema, parsing and validation.
//!
//! Input is handled in two stages, as ripgrep does with its flags: the YAML text is parsed
//! into raw structs (with the position of every node kept), then [`build`] validates them
//! into a [`Workflow`] and compiles its rules into a [`CompiledWorkflow`], reporting *every*
//! problem at once as a [`Diagnostic`](crate::source::Diagnostic) located at `file:line:column`.
//!
//! This module reads no files: the caller (an adapter) passes the source texts in a
//! [`Sources`].
//!
//! Where diagnostics point (lines and columns are 1-based, columns count characters):
//! - a value that is wrong (type, unknown reference, out of range) at the value's first
//!   character — its opening quote if it is quoted;
//! - an unknown field at its key; a missing field at the start of the mapping that lacks
//!   it (its first key, or its `{`); an empty one (`department:`) at its key;
//! - a duplicate id at the second occurrence, naming the line of the first;
//! - a cycle in `needs` at the `needs` entry of the cycle's first task in file order that
//!   names the next task on the cycle, written `a → b → c → a` where `a → b` means `a`
//!   needs `b`; each group of interlocking cycles is reported once;
//! - a Rhai error in an expression inside the expression (exactly for single-line plain or
//!   quoted scalars without escapes and for `|` blocks, else at the scalar), and one in the
//!   rules script at the script's own line and column, under the script's name;
//! - a YAML syntax error where serde_yaml found it; nothing else is checked then.
//!
//! A workflow in a file named `x.yaml` must have the id `x`, since workflows are looked up
//! by file name.

mod application;
mod check;
mod model;
mod position;
mod raw;
mod sources;

pub use application::{ApplicationSchema, Choice, FieldDef, FieldError, FieldKind};
pub use model::{Days, Department, TaskDef, TaskKind, Workflow};
pub use sources::Sources;

use crate::plan::CompiledWorkflow;
use crate::source::{Diagnostic, Diagnostics, SourceText};

/// Parses, validates and compiles one workflow file.
///
/// Returns every problem at once: YAML syntax, missing fields, unknown departments, unknown
/// tasks in `needs`, duplicate ids, cycles (naming the tasks in order), limits out of range,
/// Rhai syntax errors (at the script's own line and column) and expressions calling
/// functions the rules script does not define.
///
/// Diagnostics come sorted: the workflow file's first, by line and column, then those of the
/// shared departments file and the rules script.
pub fn build(workflow: &SourceText, sources: &Sources) -> Result<CompiledWorkflow, Diagnostics> {
    check::build(workflow, sources).map_err(|mut diagnostics| {
        diagnostics.sort_by(|a, b| {
            let rank = |d: &Diagnostic| (d.file != workflow.name, d.file.clone(), d.line, d.column);
            rank(a).cmp(&rank(b))
        });
        Diagnostics(diagnostics)
    })
}

#[cfg(test)]
mod tests;
