//! The critical path method itself: the forward pass (fused into Kahn's topological sort),
//! the backward pass and the choice of one critical path.
//!
//! Everything runs over flat `u32` arrays indexed by node, built once from the graph's
//! contiguous edge list, because following petgraph's per-node linked edge lists on a large
//! graph costs far more in cache misses than the arithmetic does.

use petgraph::graph::{DiGraph, NodeIndex};

use super::{cycle, Activity, Error, Schedule, Timing};

/// Runs the critical path method on `graph`, where an edge `a → b` means that `b` needs `a`.
///
/// `activity` is called once per node, in [`NodeIndex`] order, to learn its duration and
/// earliest-start bound. The semantics and the choice of [`Schedule::critical_path`] are
/// described in the [module documentation](super).
///
/// # Errors
///
/// [`Error::Cycle`] when the graph has a cycle (a self-loop counts), and [`Error::Overflow`]
/// when an earliest finish exceeds `u32::MAX` working days.
pub fn critical_path<N, E>(
    graph: &DiGraph<N, E>,
    mut activity: impl FnMut(NodeIndex, &N) -> Activity,
) -> Result<Schedule, Error> {
    let count = graph.node_count();
    let mut duration = Vec::with_capacity(count);
    let mut not_before = Vec::with_capacity(count);
    for (index, node) in graph.raw_nodes().iter().enumerate() {
        let Activity {
            duration: days,
            not_before: bound,
        } = activity(NodeIndex::new(index), &node.weight);
        duration.push(days);
        not_before.push(bound);
    }

    let (successors, mut in_degree) = Successors::new(graph);

    // Kahn's algorithm, with the forward pass done as each node leaves the queue: by then
    // every predecessor has pushed its earliest finish into `earliest_start`. `order` is both
    // the queue and, once drained, the topological order.
    let mut order: Vec<u32> = Vec::with_capacity(count);
    order.extend((0..count).filter(|&node| in_degree[node] == 0).map(to_u32));
    let mut earliest_start = vec![0u32; count];
    let mut earliest_finish = vec![0u32; count];
    let mut head = 0;
    while let Some(&node) = order.get(head) {
        head += 1;
        let node = node as usize;
        let start = earliest_start[node].max(not_before[node]);
        let finish = start.checked_add(duration[node]).ok_or(Error::Overflow {
            node: NodeIndex::new(node),
        })?;
        earliest_start[node] = start;
        earliest_finish[node] = finish;
        for &next in successors.of(node) {
            let next = next as usize;
            if earliest_start[next] < finish {
                earliest_start[next] = finish;
            }
            in_degree[next] -= 1;
            if in_degree[next] == 0 {
                order.push(to_u32(next));
            }
        }
    }
    if order.len() < count {
        // The nodes Kahn's algorithm never reached are exactly those with in-degree left.
        return Err(Error::Cycle {
            nodes: cycle::find(graph, &in_degree),
        });
    }

    let project = earliest_finish.iter().copied().max().unwrap_or(0);

    // The backward pass, in reverse topological order. It also records which tasks start
    // exactly when some predecessor finishes (a tight predecessor), which the choice of the
    // path's first task needs. Starting the minimum at `project` is harmless for a task with
    // successors, since no latest start exceeds the project duration.
    let mut latest_start = vec![0u32; count];
    let mut latest_finish = vec![0u32; count];
    let mut has_tight_predecessor = vec![false; count];
    for &node in order.iter().rev() {
        let node = node as usize;
        let mut finish = project;
        for &next in successors.of(node) {
            let next = next as usize;
            finish = finish.min(latest_start[next]);
            if earliest_start[next] == earliest_finish[node] {
                has_tight_predecessor[next] = true;
            }
        }
        latest_finish[node] = finish;
        // `finish >= earliest_finish >= duration`, so this never underflows.
        latest_start[node] = finish - duration[node];
    }

    let critical = |node: usize| latest_start[node] == earliest_start[node];
    let first = (0..count)
        .filter(|&node| critical(node) && !has_tight_predecessor[node])
        .min_by_key(|&node| (earliest_start[node], node));
    let mut path = Vec::new();
    let mut current = first;
    while let Some(node) = current {
        path.push(NodeIndex::new(node));
        let finish = earliest_finish[node];
        current = successors
            .of(node)
            .iter()
            .map(|&next| next as usize)
            .filter(|&next| earliest_start[next] == finish && critical(next))
            .min();
        debug_assert!(
            current.is_some() || successors.of(node).is_empty(),
            "a critical task with successors has a tight critical successor"
        );
    }
    debug_assert!(count == 0 || !path.is_empty());

    let timings = (0..count)
        .map(|node| {
            let float = latest_start[node] - earliest_start[node];
            Timing {
                earliest_start: earliest_start[node],
                earliest_finish: earliest_finish[node],
                latest_start: latest_start[node],
                latest_finish: latest_finish[node],
                float,
                critical: float == 0,
            }
        })
        .collect();

    Ok(Schedule {
        duration: project,
        timings,
        critical_path: path,
    })
}

/// Narrows a node index to `u32`, which never truncates: a `DiGraph` indexes nodes with
/// `u32`.
fn to_u32(node: usize) -> u32 {
    node as u32
}

/// The successors of every node in compressed sparse row form: the successors of node `v`
/// are `targets[offsets[v]..offsets[v + 1]]`, in edge insertion order.
struct Successors {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Successors {
    /// Builds the successor lists of `graph` with a counting sort of its edges by source,
    /// and returns them with the in-degree of every node, counted on the same pass.
    fn new<N, E>(graph: &DiGraph<N, E>) -> (Successors, Vec<u32>) {
        let edges = graph.raw_edges();
        let mut offsets = vec![0u32; graph.node_count() + 1];
        let mut in_degree = vec![0u32; graph.node_count()];
        for edge in edges {
            offsets[edge.source().index() + 1] += 1;
            in_degree[edge.target().index()] += 1;
        }
        for node in 1..offsets.len() {
            offsets[node] += offsets[node - 1];
        }
        let mut cursor = offsets.clone();
        let mut targets = vec![0u32; edges.len()];
        for edge in edges {
            let slot = &mut cursor[edge.source().index()];
            targets[*slot as usize] = to_u32(edge.target().index());
            *slot += 1;
        }
        (Successors { offsets, targets }, in_degree)
    }

    /// The successors of `node`.
    fn of(&self, node: usize) -> &[u32] {
        &self.targets[self.offsets[node] as usize..self.offsets[node + 1] as usize]
    }
}
