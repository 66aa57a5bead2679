//! greenlane's pure decision core.
//!
//! Everything in this crate is a function of its arguments: it reads no file, opens no
//! socket and never looks at the clock (`now` and every source text are passed in). That is
//! what lets a deadline bug be reproduced in a unit test with no database and no real time.
//!
//! Layout:
//! - [`ids`]: newtype identifiers (`WorkflowId`, `TaskId`, `DepartmentId`).
//! - [`source`]: named source texts and located diagnostics (`file:line:column`).
//! - [`calendar`]: working-day arithmetic over holidays and adjusted working days (调休).
//! - [`workflow`]: the workflow YAML schema, parsing and validation with `file:line:column`
//!   diagnostics, and the validated [`workflow::Workflow`] model.
//! - [`rules`]: sandboxed Rhai — the workflow's rules script and its `when` /
//!   `committed_days` expressions, compiled once and evaluated against an application.
//! - [`plan`]: application + compiled workflow → the case DAG (petgraph), with skipped tasks
//!   passing their dependencies through.
//! - [`schedule`]: the critical path method in working days on a DAG.
//! - [`case`]: event-sourced cases — `decide(state, command, now)` and `apply`.
//! - [`supervision`]: alert levels, when they fire, who is told, and KPIs.
//! - [`principal`]: who acts (roles, departments, centers).
//! - [`audit`]: the hash chain of every case's events, signed checkpoints, verifiable exports.

pub mod audit;
pub mod calendar;
pub mod case;
pub mod ids;
pub mod plan;
pub mod principal;
pub mod rules;
pub mod schedule;
pub mod source;
pub mod supervision;
pub mod workflow;
