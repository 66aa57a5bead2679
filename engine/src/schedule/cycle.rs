//! Finding one cycle among the nodes Kahn's algorithm could not order, so that the
//! [`Error::Cycle`](super::Error::Cycle) can name the tasks that wait on each other.
//!
//! This only runs on the error path; it walks predecessors iteratively, so a long cycle
//! cannot overflow the stack.

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

/// Returns the nodes of one cycle in edge order, rotated to begin at the lowest index.
///
/// `in_degree` is what Kahn's algorithm left: a node with in-degree left was never ordered,
/// and the in-degree it kept counts its predecessors that were never ordered either. So
/// every such node has an unordered predecessor, and walking from unordered node to
/// unordered predecessor must eventually revisit a node: the revisited stretch of the walk
/// is a cycle. The walk is deterministic: it starts at the lowest unordered node and always
/// steps to the lowest unordered predecessor.
///
/// # Panics
///
/// If no node has in-degree left, which the caller rules out.
pub(super) fn find<N, E>(graph: &DiGraph<N, E>, in_degree: &[u32]) -> Vec<NodeIndex> {
    let unordered = |node: usize| in_degree[node] > 0;
    let mut node = (0..in_degree.len())
        .find(|&node| unordered(node))
        .expect("a graph Kahn's algorithm could not order has an unordered node");
    let mut position = vec![usize::MAX; in_degree.len()];
    let mut walk = Vec::new();
    while position[node] == usize::MAX {
        position[node] = walk.len();
        walk.push(node);
        node = graph
            .neighbors_directed(NodeIndex::new(node), Direction::Incoming)
            .map(|predecessor| predecessor.index())
            .filter(|&predecessor| unordered(predecessor))
            .min()
            .expect("an unordered node has an unordered predecessor");
    }
    // The walk went against the edges, so the cycle reads backwards.
    let mut cycle: Vec<NodeIndex> = walk[position[node]..]
        .iter()
        .rev()
        .map(|&node| NodeIndex::new(node))
        .collect();
    let lowest = cycle
        .iter()
        .enumerate()
        .min_by_key(|&(_, node)| *node)
        .map_or(0, |(at, _)| at);
    cycle.rotate_left(lowest);
    cycle
}
