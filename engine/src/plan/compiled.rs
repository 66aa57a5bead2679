//! A workflow whose rules and expressions are compiled, ready to plan many applications.

use std::sync::Arc;

use crate::calendar::Calendar;
use crate::rules::{Expr, Rules};
use crate::workflow::Workflow;

/// A committed limit in compiled form.
#[derive(Debug, Clone)]
pub enum CompiledDays {
    /// A fixed number of working days.
    Fixed(u32),
    /// An expression evaluated against each application.
    Expr(Expr),
}

/// A validated workflow with its calendar, rules script and every expression compiled.
///
/// Built only by [`crate::workflow::build`], so it is always consistent: `when` and
/// `committed` have one entry per task of `workflow.tasks`, in the same order.
#[derive(Debug)]
pub struct CompiledWorkflow {
    /// The validated definition.
    pub workflow: Workflow,
    /// The calendar its working days are counted on.
    pub calendar: Arc<Calendar>,
    pub(crate) rules: Rules,
    pub(crate) when: Vec<Option<Expr>>,
    pub(crate) committed: Vec<CompiledDays>,
}

impl CompiledWorkflow {
    /// Assembles a compiled workflow; `when` and `committed` are indexed like
    /// `workflow.tasks`.
    pub(crate) fn new(
        workflow: Workflow,
        calendar: Arc<Calendar>,
        rules: Rules,
        when: Vec<Option<Expr>>,
        committed: Vec<CompiledDays>,
    ) -> CompiledWorkflow {
        debug_assert_eq!(when.len(), workflow.tasks.len());
        debug_assert_eq!(committed.len(), workflow.tasks.len());
        CompiledWorkflow {
            workflow,
            calendar,
            rules,
            when,
            committed,
        }
    }

    /// The workflow's compiled rules script.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }
}
