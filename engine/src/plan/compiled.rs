//! A workflow whose rules and expressions are compiled, ready to plan many applications.

use std::collections::HashMap;
use std::sync::Arc;

use crate::calendar::Calendar;
use crate::ids::TaskId;
use crate::rules::{Expr, Rules};
use crate::supervision::{Addressed, Escalation, Notice, WarningPolicy};
use crate::workflow::{ApplicationSchema, Days, Workflow};

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
/// `committed` have one entry per task of `workflow.tasks`, in the same order, and the
/// `needs` relation is acyclic.
#[derive(Debug)]
pub struct CompiledWorkflow {
    /// The validated definition.
    pub workflow: Workflow,
    /// The calendar its working days are counted on.
    pub calendar: Arc<Calendar>,
    /// When warnings fire (`supervision.warning`).
    pub warning: WarningPolicy,
    /// Who is told of alerts (`supervision.escalation` and `supervision.recipients`); its
    /// function, if any, is defined by `rules`.
    pub(crate) escalation: Escalation,
    pub(crate) rules: Rules,
    pub(crate) when: Vec<Option<Expr>>,
    pub(crate) committed: Vec<CompiledDays>,
    /// Task indices such that every task comes after the tasks it needs.
    pub(crate) topological_order: Vec<usize>,
    /// Task id → index in `workflow.tasks`.
    pub(crate) index_of: HashMap<TaskId, usize>,
    /// For each task with a `when` expression, its slot among the distinct `when` texts.
    pub(crate) when_slots: Slots,
    /// For each task with a `committed_days` expression, its slot among the distinct texts.
    pub(crate) committed_slots: Slots,
}

/// Tasks whose expressions have the same text share a slot, so planning evaluates each
/// distinct expression once per application: expressions only read the (read-only)
/// application, so the same text always gives the same result. Committed limits repeat
/// most (`committed(app, 10, 7)` on many tasks).
#[derive(Debug, Default)]
pub(crate) struct Slots {
    /// Task index → slot, `None` for a task without an expression.
    pub(crate) of_task: Vec<Option<usize>>,
    /// Number of distinct slots.
    pub(crate) count: usize,
}

impl Slots {
    /// Numbers the distinct texts of `texts`, one entry per task. A compiled expression
    /// whose text is unknown gets a slot of its own.
    fn new<'a>(texts: impl Iterator<Item = (bool, Option<&'a str>)>) -> Slots {
        let mut first: HashMap<&str, usize> = HashMap::new();
        let mut slots = Slots::default();
        for (compiled, text) in texts {
            let slot = match (compiled, text) {
                (false, _) => None,
                (true, Some(text)) => Some(*first.entry(text).or_insert(slots.count)),
                (true, None) => Some(slots.count),
            };
            if slot == Some(slots.count) {
                slots.count += 1;
            }
            slots.of_task.push(slot);
        }
        slots
    }
}

impl CompiledWorkflow {
    /// Assembles a compiled workflow; `when` and `committed` are indexed like
    /// `workflow.tasks`, whose `needs` must name existing tasks and have no cycle.
    pub(crate) fn new(
        workflow: Workflow,
        calendar: Arc<Calendar>,
        rules: Rules,
        when: Vec<Option<Expr>>,
        committed: Vec<CompiledDays>,
    ) -> CompiledWorkflow {
        assert_eq!(when.len(), workflow.tasks.len());
        assert_eq!(committed.len(), workflow.tasks.len());
        let index_of: HashMap<TaskId, usize> = workflow
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let topological_order = topological_order(&workflow, &index_of);
        let when_slots = Slots::new(
            workflow
                .tasks
                .iter()
                .zip(&when)
                .map(|(t, w)| (w.is_some(), t.when.as_deref())),
        );
        let committed_slots = Slots::new(workflow.tasks.iter().zip(&committed).map(|(t, c)| {
            let text = match &t.committed_days {
                Days::Expr(text) => Some(text.as_str()),
                Days::Fixed(_) => None,
            };
            (matches!(c, CompiledDays::Expr(_)), text)
        }));
        CompiledWorkflow {
            workflow,
            calendar,
            warning: WarningPolicy::default(),
            escalation: Escalation::default(),
            rules,
            when,
            committed,
            topological_order,
            index_of,
            when_slots,
            committed_slots,
        }
    }

    /// Sets the supervision policy; the escalation's function, if any, must be one that
    /// the rules script defines with two parameters.
    pub(crate) fn with_supervision(
        mut self,
        warning: WarningPolicy,
        escalation: Escalation,
    ) -> CompiledWorkflow {
        self.warning = warning;
        self.escalation = escalation;
        self
    }

    /// The fields the workflow declares for its application (empty when it declares
    /// none); the same as `workflow.application`.
    pub fn application(&self) -> &ApplicationSchema {
        &self.workflow.application
    }

    /// The workflow's compiled rules script.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Who is told of alerts.
    pub fn escalation(&self) -> &Escalation {
        &self.escalation
    }

    /// The recipients of `notice` on a case with `application`: from the workflow's
    /// recipients function if it has one and that answers usably, else from its chain
    /// (see [`Escalation::address`]).
    pub fn recipients(&self, notice: &Notice<'_>, application: &serde_json::Value) -> Addressed {
        let departments = &self.workflow.departments;
        self.escalation.address(
            &self.rules,
            &|id| departments.contains_key(id),
            notice,
            application,
        )
    }
}

/// Kahn's algorithm over the `needs` relation, taking ready tasks in file order.
fn topological_order(workflow: &Workflow, index_of: &HashMap<TaskId, usize>) -> Vec<usize> {
    let n = workflow.tasks.len();
    let mut waiting: Vec<usize> = workflow.tasks.iter().map(|t| t.needs.len()).collect();
    let mut dependents = vec![Vec::new(); n];
    for (index, task) in workflow.tasks.iter().enumerate() {
        for need in &task.needs {
            dependents[index_of[need]].push(index);
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(index) = ready.pop_first() {
        order.push(index);
        for &dependent in &dependents[index] {
            waiting[dependent] -= 1;
            if waiting[dependent] == 0 {
                ready.insert(dependent);
            }
        }
    }
    assert_eq!(
        order.len(),
        n,
        "workflow::build rejects cycles before compiling"
    );
    order
}

#[cfg(test)]
impl CompiledWorkflow {
    /// Compiles a hand-built, valid workflow on the shipped `cn` calendar, for unit tests
    /// that do not go through YAML. Expressions must compile.
    pub(crate) fn for_tests(workflow: Workflow, rules: Rules) -> CompiledWorkflow {
        let when = workflow
            .tasks
            .iter()
            .map(|t| t.when.as_deref().map(|w| rules.compile_expr(w).unwrap()))
            .collect();
        let committed = workflow
            .tasks
            .iter()
            .map(|t| match &t.committed_days {
                crate::workflow::Days::Fixed(d) => CompiledDays::Fixed(*d),
                crate::workflow::Days::Expr(e) => {
                    CompiledDays::Expr(rules.compile_expr(e).unwrap())
                }
            })
            .collect();
        CompiledWorkflow::new(
            workflow,
            crate::calendar::testing::cn(),
            rules,
            when,
            committed,
        )
    }
}
