//! Sandboxed Rhai rules: a workflow's rules script and its `when` / `committed_days`
//! expressions.
//!
//! A script is compiled once per published version and reused for every application; an
//! expression is compiled once together with the script's functions. The engine is
//! sandboxed (see [`sandboxed_engine`]): operation, call-depth, expression-depth and
//! string/array/map size limits; modules, `eval` and printing are unavailable, and Rhai
//! has no file or network access of its own. The application is a map named `app`.

mod app;
mod helpers;
mod reads;
mod sandbox;

pub use app::AppMap;
pub use helpers::HELPERS;
pub use reads::FieldRead;
pub use sandbox::{sandboxed_engine, MAX_OPERATIONS};

use std::collections::BTreeSet;
use std::sync::OnceLock;

use rhai::{Dynamic, Engine, EvalAltResult, ParseError, Position, Scope, AST};

/// Errors from compiling or evaluating rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A syntax error, at a 1-based line and column of the script or expression text.
    #[error("Rhai syntax error at {line}:{column}: {message}")]
    Syntax {
        /// 1-based line within the script or expression text.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Rhai's message.
        message: String,
    },
    /// Evaluation failed, including the sandbox's limits being hit.
    #[error("{0}")]
    Eval(String),
    /// The expression produced a value of the wrong type.
    #[error("expected {expected}, got {got}")]
    Type {
        /// What was expected (`bool`, a non-negative integer).
        expected: &'static str,
        /// What the expression yielded, with its value.
        got: String,
    },
    /// The application is not a JSON object.
    #[error("the application must be a JSON object, not {0}")]
    Application(String),
}

/// A compiled rules script with its sandboxed engine.
///
/// A workflow without a script still has a `Rules` (with no functions), so expressions
/// always compile and run the same way.
pub struct Rules {
    engine: Engine,
    /// The script's functions only; its top-level statements are never run.
    functions: AST,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules")
            .field("functions", &self.function_names())
            .finish()
    }
}

/// A compiled expression bound to the functions of the rules it was compiled with.
#[derive(Debug, Clone)]
pub struct Expr {
    ast: AST,
}

/// An application converted once into Rhai's representation: a scope holding `app`.
///
/// `app` is an [`AppMap`]: read-only, and shared rather than copied when a script function
/// receives it as an argument.
#[derive(Debug, Clone)]
pub struct Application {
    scope: Scope<'static>,
}

impl Rules {
    /// Compiles a rules script (or none). Syntax errors carry the script's line and column.
    pub fn compile(script: Option<&str>) -> Result<Rules, Error> {
        let engine = sandboxed_engine();
        let functions = match script {
            Some(text) => engine
                .compile(text)
                .map_err(syntax_error)?
                .clone_functions_only(),
            None => AST::empty(),
        };
        Ok(Rules { engine, functions })
    }

    /// Names of the functions the script defines, sorted.
    pub fn function_names(&self) -> Vec<String> {
        let names: BTreeSet<String> = self
            .functions
            .iter_functions()
            .map(|f| f.name.to_string())
            .collect();
        names.into_iter().collect()
    }

    /// Whether the script defines a function `name` taking `arity` arguments.
    pub fn defines(&self, name: &str, arity: usize) -> bool {
        self.functions
            .iter_functions()
            .any(|f| f.name == name && f.params.len() == arity)
    }

    /// Compiles an expression (no statements) that may read `app` and call the script's
    /// functions. Positions in errors are relative to `source`.
    pub fn compile_expr(&self, source: &str) -> Result<Expr, Error> {
        // Declared as a variable, not a constant: the optimizer would otherwise fold the
        // placeholder value into the compiled expression.
        let mut scope = Scope::new();
        scope.push_dynamic("app", Dynamic::UNIT);
        let ast = self
            .engine
            .compile_expression_with_scope(&scope, source)
            .map_err(syntax_error)?;
        Ok(Expr {
            ast: self.functions.merge(&ast),
        })
    }

    /// Functions called by `expr` that neither the rules script, the built-in helpers
    /// ([`HELPERS`]) nor Rhai's standard library define, as `(name, arity)`, in order of
    /// appearance. A helper called with the wrong number of arguments is reported.
    pub fn undefined_functions(&self, expr: &Expr) -> Vec<(String, usize)> {
        let mut missing = Vec::new();
        expr.ast.walk(&mut |path: &[rhai::ASTNode]| {
            // A call standing alone is a statement node; inside an expression it is an
            // expression node.
            let call = match path.last() {
                Some(rhai::ASTNode::Expr(rhai::Expr::FnCall(call, _))) => Some(call),
                Some(rhai::ASTNode::Stmt(rhai::Stmt::FnCall(call, _))) => Some(call),
                _ => None,
            };
            if let Some(call) = call {
                let (name, arity) = (call.name.as_str(), call.args.len());
                let known = call.op_token.is_some()
                    || self.defines(name, arity)
                    || helpers::defines(name, arity)
                    || builtin_function_names().contains(name)
                    || is_keyword_function(name);
                if !known && !missing.iter().any(|(n, a)| n == name && *a == arity) {
                    missing.push((name.to_string(), arity));
                }
            }
            true
        });
        missing
    }

    /// Converts an application (a JSON object) into the `app` map.
    pub fn application(&self, json: &serde_json::Value) -> Result<Application, Error> {
        let Some(object) = json.as_object() else {
            return Err(Error::Application(json_kind(json).to_string()));
        };
        let mut scope = Scope::new();
        scope.push_constant("app", AppMap::from_json(object));
        Ok(Application { scope })
    }

    /// Evaluates `expr` against `app`, expecting a boolean (a `when` condition).
    pub fn eval_bool(&self, expr: &Expr, app: &mut Application) -> Result<bool, Error> {
        let value = self.eval(expr, app)?;
        value
            .as_bool()
            .map_err(|_| type_error("a boolean (true or false)", &value))
    }

    /// Evaluates `expr` against `app`, expecting a whole number of days ≥ 0.
    pub fn eval_days(&self, expr: &Expr, app: &mut Application) -> Result<u32, Error> {
        let value = self.eval(expr, app)?;
        value
            .as_int()
            .ok()
            .and_then(|days| u32::try_from(days).ok())
            .ok_or_else(|| type_error("a whole number of working days ≥ 0", &value))
    }

    /// Calls a function of the script with the given arguments.
    pub fn call(&self, name: &str, args: Vec<Dynamic>) -> Result<Dynamic, Error> {
        let mut scope = Scope::new();
        self.engine
            .call_fn::<Dynamic>(&mut scope, &self.functions, name, args)
            .map_err(|e| eval_error(*e))
    }

    fn eval(&self, expr: &Expr, app: &mut Application) -> Result<Dynamic, Error> {
        self.engine
            .eval_ast_with_scope::<Dynamic>(&mut app.scope, &expr.ast)
            .map_err(|e| eval_error(*e))
    }
}

impl Application {
    /// The `app` map as Rhai sees it.
    pub fn value(&self) -> Dynamic {
        self.scope
            .get_value::<Dynamic>("app")
            .unwrap_or(Dynamic::UNIT)
    }
}

fn syntax_error(error: ParseError) -> Error {
    let position = error.position();
    Error::Syntax {
        line: position.line().unwrap_or(1),
        column: position.position().unwrap_or(1),
        message: error.err_type().to_string(),
    }
}

fn eval_error(error: EvalAltResult) -> Error {
    let message = match &error {
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "the rule exceeded its limit of {MAX_OPERATIONS} operations (does it loop forever?)"
        ),
        EvalAltResult::ErrorStackOverflow(_) => {
            "the rule exceeded its limit on nested function calls (endless recursion?)".to_string()
        }
        _ => {
            let position = error.position();
            let text = error.to_string();
            // Rhai appends " (line L, position C)" to most messages; keep it short.
            let text = match text.find(" (line ") {
                Some(at) if position != Position::NONE => text[..at].to_string(),
                _ => text,
            };
            match (position.line(), position.position()) {
                (Some(line), Some(column)) => format!("{text} (at {line}:{column})"),
                _ => text,
            }
        }
    };
    Error::Eval(message)
}

fn type_error(expected: &'static str, value: &Dynamic) -> Error {
    Error::Type {
        expected,
        got: format!("{} `{}`", value.type_name(), value),
    }
}

fn json_kind(json: &serde_json::Value) -> &'static str {
    match json {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Functions Rhai handles as keywords rather than library functions.
fn is_keyword_function(name: &str) -> bool {
    matches!(
        name,
        "type_of" | "Fn" | "call" | "curry" | "is_shared" | "is_def_fn" | "is_def_var"
    )
}

/// Names of every function in the sandboxed engine's standard library, computed once.
/// The built-in helpers are left out: they are checked with their number of arguments.
fn builtin_function_names() -> &'static BTreeSet<String> {
    static NAMES: OnceLock<BTreeSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        sandboxed_engine()
            .gen_fn_signatures(true)
            .into_iter()
            .filter_map(|signature| {
                let name = signature.split('(').next()?.trim();
                // Signatures look like `[private ]name(params) -> ret`; keep the last word.
                name.rsplit(' ').next().map(str::to_string)
            })
            .filter(|name| !helpers::is_helper(name))
            .collect()
    })
}

#[cfg(test)]
mod tests;
