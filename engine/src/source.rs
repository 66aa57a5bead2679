//! Source texts and the problems found in them: a named [`SourceText`] as read by an
//! adapter, and a located [`Diagnostic`], printed as `file:line:column: message`.
//!
//! Validation (of workflows, departments, rules and calendars) collects every diagnostic it
//! finds instead of stopping at the first, so policy staff fix a file in one round. This
//! module depends on nothing else in the crate, so every part that reads source text uses
//! it without depending on another.

use std::fmt;

use serde::Serialize;

/// A named source text: what a file held and the name to report it under.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// The name diagnostics use, normally the path as the user gave it.
    pub name: String,
    /// The file's contents.
    pub text: String,
}

/// One problem found in a workflow, departments, rules or calendar file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    /// The file as the user named it (relative paths stay relative).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, in one sentence that names the field or task.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at `file:line:column`.
    pub fn new(
        file: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Every problem found while building a definition; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
