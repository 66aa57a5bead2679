//! Planning: application + compiled workflow → the case DAG.
//!
//! Only tasks whose `when` holds are kept. A task left out passes its dependencies through:
//! whatever needed it now needs its prerequisites instead, transitively, so leaving out an
//! item the applicant already holds never lets a later item start too early.

mod compiled;

pub use compiled::{CompiledDays, CompiledWorkflow};
