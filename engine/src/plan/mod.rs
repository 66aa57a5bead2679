//! Planning: application + compiled workflow → the case DAG.
//!
//! Only tasks whose `when` holds are kept. A task left out passes its dependencies through:
//! whatever needed it now needs its prerequisites instead, transitively.

use crate::workflow::Workflow;

/// A workflow with its rules and expressions compiled, ready to plan many applications.
pub struct CompiledWorkflow {
    /// The validated definition.
    pub workflow: Workflow,
}
