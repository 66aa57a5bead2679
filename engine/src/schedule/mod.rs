//! The critical path method (CPM) in working days on a DAG.
//!
//! This module is generic: it schedules any [`petgraph::graph::DiGraph`] whose edge `a → b`
//! means "`b` needs `a`" (`a` must finish before `b` starts). It knows nothing about
//! workflows or calendars; the caller says how long each node takes through an
//! [`Activity`], and turns the resulting offsets into dates with the calendar.
//!
//! # Semantics
//!
//! Every time is an *offset* in whole working days from the launch, which is offset 0.
//! A task that starts at offset `s` and lasts `d` days finishes at offset `s + d`; an instant
//! task (`d = 0`) finishes when it starts.
//!
//! - Forward pass: `ES = max(not_before, max EF of the predecessors)` and `EF = ES + duration`.
//! - The project [`duration`](Schedule::duration) is the largest `EF` (0 for an empty graph).
//! - Backward pass: a task with no successors has `LF = duration`; any other task has
//!   `LF = min LS of its successors`; `LS = LF − duration`.
//! - [`float`](Timing::float) is the total float `LS − ES`, which is never negative, and a task
//!   is [`critical`](Timing::critical) exactly when its float is 0.
//!
//! # The critical path and its tie-break
//!
//! A step `u → v` is *tight* when `v` starts exactly when `u` finishes (`ES(v) = EF(u)`). A
//! critical task either has a tight predecessor, or its start is not explained by any
//! predecessor: it has none, or `not_before` holds it back past all of them. Call the latter
//! the *critical start tasks*.
//!
//! [`Schedule::critical_path`] is built deterministically:
//!
//! 1. It begins at the critical start task with the smallest earliest start; among equals,
//!    the one with the lowest [`NodeIndex`] (the earliest task in workflow file order).
//! 2. From a task that has successors, it steps to the tight, critical successor with the
//!    lowest [`NodeIndex`]. Such a successor always exists: a critical task's latest finish
//!    equals its earliest finish, so the successor that sets that latest finish starts at
//!    that very offset and has no float either.
//! 3. It stops at a task with no successors. That task is critical, so it finishes at the
//!    project duration.
//!
//! Every step is tight, so the path has no gaps: the earliest start of its first task plus
//! the durations of its tasks equals [`Schedule::duration`]. When every `not_before` is 0,
//! the first task has no predecessors and starts at 0, so the durations alone add up to the
//! duration, and the path runs from a start task (no predecessors) to an end task (no
//! successors). When some `not_before` bites, the path may instead begin at the task whose
//! `not_before` delays the finish: that task starts at its `not_before`, which is the wait
//! forced on the whole project, and whatever ran before it had room to spare, so it is not
//! on the path. The path is empty only for an empty graph.
//!
//! # Cost
//!
//! The schedule is computed in O(V + E) time over flat arrays built from the graph's edge
//! list, with Kahn's algorithm for the topological order and no recursion, so a deep graph
//! cannot overflow the stack. A graph with a cycle is rejected with [`Error::Cycle`], which
//! names the tasks of one cycle in order.
//!
//! # Example
//!
//! ```
//! use greenlane_engine::schedule::{critical_path, Activity};
//! use petgraph::graph::DiGraph;
//!
//! // filing (1 day) is needed by two parallel reviews of 5 and 3 days.
//! let mut graph = DiGraph::<u32, ()>::new();
//! let filing = graph.add_node(1);
//! let land = graph.add_node(5);
//! let fire = graph.add_node(3);
//! graph.add_edge(filing, land, ());
//! graph.add_edge(filing, fire, ());
//!
//! let schedule = critical_path(&graph, |_, &days| Activity::new(days)).unwrap();
//! assert_eq!(schedule.duration, 6);
//! assert_eq!(schedule.critical_path, vec![filing, land]);
//! assert_eq!(schedule.timing(fire).float, 2);
//! ```

mod cpm;
mod cycle;
#[cfg(test)]
mod tests;

pub use cpm::critical_path;

use petgraph::graph::NodeIndex;

/// What the schedule needs to know about one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Activity {
    /// How many whole working days the task takes; 0 for an instant task.
    pub duration: u32,
    /// A lower bound on the task's earliest start, as an offset from the launch.
    ///
    /// It is 0 normally. When a case is re-planned with actual dates, a task that has already
    /// started (or finished) is pinned to the offset it really started at.
    pub not_before: u32,
}

impl Activity {
    /// A task of `duration` working days with no start constraint.
    pub fn new(duration: u32) -> Activity {
        Activity {
            duration,
            not_before: 0,
        }
    }

    /// A task of `duration` working days that cannot start before offset `not_before`.
    pub fn not_before(duration: u32, not_before: u32) -> Activity {
        Activity {
            duration,
            not_before,
        }
    }
}

/// The computed times of one task, as offsets in working days from the launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timing {
    /// The earliest offset the task can start at.
    pub earliest_start: u32,
    /// `earliest_start + duration`.
    pub earliest_finish: u32,
    /// The latest offset the task can start at without delaying the project.
    pub latest_start: u32,
    /// The latest offset the task can finish at without delaying the project.
    pub latest_finish: u32,
    /// The total float, `latest_start − earliest_start`: how many days the task may slip
    /// without delaying the project.
    pub float: u32,
    /// Whether the task has no float (`float == 0`).
    pub critical: bool,
}

/// The result of the critical path method on a graph.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schedule {
    /// The project duration: the largest earliest finish, 0 for an empty graph.
    pub duration: u32,
    /// The timing of every node, indexed by [`NodeIndex::index`].
    pub timings: Vec<Timing>,
    /// One critical path, chosen by the rule in the [module documentation](self).
    pub critical_path: Vec<NodeIndex>,
}

impl Schedule {
    /// The timing of `node`.
    ///
    /// # Panics
    ///
    /// If `node` is not a node of the graph the schedule was computed for.
    pub fn timing(&self, node: NodeIndex) -> &Timing {
        &self.timings[node.index()]
    }
}

/// Why a graph cannot be scheduled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The dependencies form a cycle, so no task on it can ever start.
    #[error("the dependencies form a cycle: {}", display_cycle(nodes))]
    Cycle {
        /// The tasks of one cycle in edge order: each needs the one before it, and the first
        /// needs the last. The cycle is rotated to begin at its lowest [`NodeIndex`].
        nodes: Vec<NodeIndex>,
    },
    /// A task's earliest finish lies beyond `u32::MAX` working days.
    #[error("the earliest finish of node {} overflows u32 working days", node.index())]
    Overflow {
        /// The first task (in topological order) whose finish overflowed.
        node: NodeIndex,
    },
}

/// Formats a cycle as `a → b → c → a` with node indices.
fn display_cycle(nodes: &[NodeIndex]) -> String {
    let mut text = String::new();
    for node in nodes.iter().chain(nodes.first()) {
        if !text.is_empty() {
            text.push_str(" → ");
        }
        text.push_str(&node.index().to_string());
    }
    text
}
