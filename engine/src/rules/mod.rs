//! Sandboxed Rhai rules: a workflow's rules script and its `when` / `committed_days`
//! expressions.
//!
//! A script is compiled once per published version and reused for every application. The
//! engine is sandboxed: operation, call-depth, expression-depth and string/array/map size
//! limits; no module imports, no `eval`, no file or network access. The application is a map
//! named `app`.

/// Errors from compiling or evaluating rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A syntax error, at a 1-based line and column of the script or expression.
    #[error("{line}:{column}: Rhai syntax error: {message}")]
    Syntax {
        /// 1-based line within the script or expression text.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Rhai's message.
        message: String,
    },
    /// Evaluation failed (including the operation limit being hit).
    #[error("{0}")]
    Eval(String),
    /// The expression produced a value of the wrong type.
    #[error("expected {expected}, got {got}")]
    Type {
        /// What was expected (`bool`, a non-negative integer).
        expected: &'static str,
        /// What the expression yielded.
        got: String,
    },
}

/// A compiled rules script with its sandboxed engine.
pub struct Rules {}

/// A compiled expression bound to the rules it may call.
#[derive(Clone)]
pub struct Expr {}

/// An application converted once into Rhai's representation (the `app` map).
#[derive(Clone)]
pub struct Application {}
