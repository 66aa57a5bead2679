//! Tests of the case core: `decide` and `apply` for every (state, command) pair, deadlines
//! and alerts on a simulated clock across the 2026 holidays, the at-risk projection, a
//! workflow's own warning threshold and escalation, and a property test driving random
//! workflows with random actions.
//!
//! The workflows are built directly as [`crate::workflow::Workflow`] values and compiled
//! with [`crate::plan::CompiledWorkflow::new`], so these tests do not depend on the YAML
//! loader.

mod at_risk;
mod calendar_years;
mod commands;
mod deadlines;
mod escalation;
mod event_shape;
mod fixture;
mod properties;
mod reissue;
mod table;
mod urge;
