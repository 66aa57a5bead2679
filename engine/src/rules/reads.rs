//! Which application fields a rules script or an expression reads by name, found in
//! Rhai's syntax tree (not by searching the text), so a workflow that declares its
//! application's fields can be checked to declare every field its rules read.
//!
//! A read is a use of the variable `app` (the application, as every rule names it) with a
//! field name written as a string literal or a property:
//! - a built-in helper, `flag(app, "x")` or `app.flag("x")` (also `num`, `text`, `list`,
//!   `field`, `flag_or`); `held`, `not_held` and `holds_none` read the field `held`;
//! - `app.x`, `app["x"]`, `"x" in app` (and `app.contains("x")`).
//!
//! A name computed at run time (`flag(app, name)`) cannot be known and is not a read; nor
//! is anything read from another variable, such as the `alert` map of a recipients function.

use rhai::{ASTNode, Expr as RhaiExpr, FnCallExpr, Position, Stmt, AST};

use super::{Expr, Rules};

/// The variable the application is known by in expressions and script functions.
const APP: &str = "app";

/// Helpers whose second argument names the field they read.
const NAMED_READERS: &[&str] = &[
    "flag", "flag_or", "num", "text", "list", "field", "contains",
];

/// Helpers that read the field `held` (the task ids the applicant already holds).
const HELD_READERS: &[&str] = &["held", "not_held", "holds_none"];

/// One read of an application field by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRead {
    /// The field read.
    pub field: String,
    /// How it is read: a helper's name (`flag`, `not_held`, …), `app.x`, `app[…]` or `in`.
    pub via: String,
    /// The script function it is read in; `None` in an expression.
    pub function: Option<String>,
    /// 1-based line within the script or expression text.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Rules {
    /// Every field the script's functions read by name, in order of appearance in the
    /// script.
    pub fn field_reads(&self) -> Vec<FieldRead> {
        // Rhai walks every function body but does not say whose body a node is in; each
        // read is given to the function whose body (`{` to `}`) spans it.
        let bodies: Vec<Body> = self
            .functions
            .iter_fn_def()
            .map(|function| {
                let (start, end) = (function.body.start_position(), function.body.end_position());
                Body {
                    function: function.name.to_string(),
                    start: (start.line().unwrap_or(0), start.position().unwrap_or(0)),
                    end: (
                        end.line().unwrap_or(usize::MAX),
                        end.position().unwrap_or(usize::MAX),
                    ),
                }
            })
            .collect();
        let mut found = Vec::new();
        self.functions.walk(&mut |path: &[ASTNode]| {
            collect(path, &mut found);
            true
        });
        for read in &mut found {
            let at = (read.line, read.column);
            read.function = bodies
                .iter()
                .find(|body| body.start <= at && at <= body.end)
                .map(|body| body.function.clone());
        }
        found.sort_by_key(|read| (read.line, read.column));
        found
    }
}

/// Where a script function's body lies, as `(line, column)` from `{` to `}`.
struct Body {
    function: String,
    start: (usize, usize),
    end: (usize, usize),
}

impl Expr {
    /// Every field the expression itself reads by name (not the functions it calls), in
    /// order of appearance.
    pub fn field_reads(&self) -> Vec<FieldRead> {
        statement_reads(&self.ast)
    }
}

/// The reads of `ast`'s top-level statements, without its functions.
fn statement_reads(ast: &AST) -> Vec<FieldRead> {
    let mut found = Vec::new();
    let mut path = Vec::new();
    for statement in ast.statements() {
        statement.walk(&mut path, &mut |path: &[ASTNode]| {
            collect(path, &mut found);
            true
        });
        path.clear();
    }
    found
}

/// Records the read the last node of `path` is, if it is one.
fn collect(path: &[ASTNode], found: &mut Vec<FieldRead>) {
    let read = match path.last() {
        Some(ASTNode::Expr(RhaiExpr::FnCall(call, pos))) => call_read(call, *pos),
        Some(ASTNode::Stmt(Stmt::FnCall(call, pos))) => call_read(call, *pos),
        Some(ASTNode::Expr(RhaiExpr::Dot(binary, _, _))) if is_app(&binary.lhs) => {
            member_read(&binary.rhs)
        }
        Some(ASTNode::Expr(RhaiExpr::Index(binary, _, _))) if is_app(&binary.lhs) => {
            match chain_head(&binary.rhs) {
                RhaiExpr::StringConstant(name, pos) => read(name, "app[…]", *pos),
                _ => None,
            }
        }
        _ => None,
    };
    found.extend(read);
}

/// A function-style call of a helper on `app`: `flag(app, "x")`, `"x" in app`,
/// `not_held(app, id)`.
fn call_read(call: &FnCallExpr, pos: Position) -> Option<FieldRead> {
    let name = call.name.as_str();
    if !call.args.first().is_some_and(is_app) {
        return None;
    }
    if HELD_READERS.contains(&name) && call.args.len() == 2 {
        return read("held", name, pos);
    }
    if NAMED_READERS.contains(&name) && call.args.len() >= 2 {
        return match &call.args[1] {
            RhaiExpr::StringConstant(field, at) => {
                // `"x" in app` is parsed as `contains(app, "x")` placed at `in`, after
                // the name it reads.
                let via = if name == "contains" && *at < pos {
                    "in"
                } else {
                    name
                };
                read(field, via, *at)
            }
            _ => None,
        };
    }
    None
}

/// What `app.<rhs>` reads: a property, or a helper called as a method.
fn member_read(rhs: &RhaiExpr) -> Option<FieldRead> {
    match chain_head(rhs) {
        RhaiExpr::Property(property, pos) => read(&property.2, "app.x", *pos),
        RhaiExpr::MethodCall(call, pos) => {
            let name = call.name.as_str();
            if HELD_READERS.contains(&name) && call.args.len() == 1 {
                return read("held", name, *pos);
            }
            if NAMED_READERS.contains(&name) && !call.args.is_empty() {
                return match &call.args[0] {
                    RhaiExpr::StringConstant(field, at) => read(field, name, *at),
                    _ => None,
                };
            }
            None
        }
        _ => None,
    }
}

/// The first link of a chain: `x` of `x.y` or `x[y]`, else the expression itself.
fn chain_head(expr: &RhaiExpr) -> &RhaiExpr {
    match expr {
        RhaiExpr::Dot(binary, _, _) | RhaiExpr::Index(binary, _, _) => chain_head(&binary.lhs),
        other => other,
    }
}

/// Whether `expr` is the variable `app`.
fn is_app(expr: &RhaiExpr) -> bool {
    matches!(expr, RhaiExpr::Variable(variable, _, _) if variable.1.as_str() == APP)
}

fn read(field: &str, via: &str, pos: Position) -> Option<FieldRead> {
    Some(FieldRead {
        field: field.to_string(),
        via: via.to_string(),
        function: None,
        line: pos.line().unwrap_or(1),
        column: pos.position().unwrap_or(1),
    })
}
