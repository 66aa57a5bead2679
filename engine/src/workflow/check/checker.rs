//! The state the workflow checks share: the file being checked, where its problems are
//! reported, and where its expressions may find functions.

use crate::source::Diagnostic;
use crate::workflow::position::Pos;

/// Where the workflow's expressions may find functions.
pub(super) enum Functions {
    /// The named rules script compiled; calls to anything else are reported.
    Script(String),
    /// The workflow names no rules script; every call to a non-builtin is reported.
    NoScript,
    /// The script is missing or broken (already reported); calls are not checked.
    Unknown,
}

/// Runs the cross-checks over one workflow file.
pub(super) struct Checker<'a> {
    /// The file's name, as diagnostics give it.
    pub(super) file: &'a str,
    /// The file's text.
    pub(super) text: &'a str,
    /// Where problems go.
    pub(super) diagnostics: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Reports a problem at `at` of the file being checked.
    pub(super) fn error(&mut self, at: Pos, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(self.file, at.line, at.column, message));
    }
}
