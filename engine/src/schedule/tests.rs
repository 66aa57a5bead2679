//! Tests of the critical path method: hand-computed schedules, edge cases, the documented
//! tie-break, cycle reporting, and properties checked on random DAGs against a naive
//! reference.

use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;

use super::{critical_path, Activity, Error, Schedule, Timing};

/// Builds a graph whose node weights are `(duration, not_before)` with the given edges.
fn graph(tasks: &[(u32, u32)], edges: &[(usize, usize)]) -> DiGraph<(u32, u32), ()> {
    let mut graph = DiGraph::new();
    for &task in tasks {
        graph.add_node(task);
    }
    for &(from, to) in edges {
        graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), ());
    }
    graph
}

/// Schedules a graph built by [`graph`].
fn schedule(tasks: &[(u32, u32)], edges: &[(usize, usize)]) -> Result<Schedule, Error> {
    critical_path(&graph(tasks, edges), |_, &(duration, not_before)| {
        Activity::not_before(duration, not_before)
    })
}

/// Tasks with the given durations and no start constraint.
fn plain(durations: &[u32]) -> Vec<(u32, u32)> {
    durations.iter().map(|&duration| (duration, 0)).collect()
}

/// Node indices from plain numbers.
fn nodes(indices: &[usize]) -> Vec<NodeIndex> {
    indices.iter().map(|&index| NodeIndex::new(index)).collect()
}

/// A timing from `(ES, EF, LS, LF)`, with the float and criticality it implies.
fn timing(
    earliest_start: u32,
    earliest_finish: u32,
    latest_start: u32,
    latest_finish: u32,
) -> Timing {
    Timing {
        earliest_start,
        earliest_finish,
        latest_start,
        latest_finish,
        float: latest_start - earliest_start,
        critical: latest_start == earliest_start,
    }
}

#[test]
fn hand_computed_diamond() {
    // A(2) feeds B(4) and C(3); D(1) needs B and C; E(5) needs C; F(2) needs D and E.
    let (a, b, c, d, e, f) = (0, 1, 2, 3, 4, 5);
    let result = schedule(
        &plain(&[2, 4, 3, 1, 5, 2]),
        &[(a, b), (a, c), (b, d), (c, d), (c, e), (d, f), (e, f)],
    )
    .unwrap();
    assert_eq!(result.duration, 12);
    assert_eq!(
        result.timings,
        vec![
            timing(0, 2, 0, 2),
            timing(2, 6, 5, 9),
            timing(2, 5, 2, 5),
            timing(6, 7, 9, 10),
            timing(5, 10, 5, 10),
            timing(10, 12, 10, 12),
        ]
    );
    let floats: Vec<u32> = result.timings.iter().map(|timing| timing.float).collect();
    assert_eq!(floats, vec![0, 3, 0, 3, 0, 0]);
    assert_eq!(result.critical_path, nodes(&[a, c, e, f]));
    assert_eq!(result.timing(NodeIndex::new(b)).latest_start, 5);
}

#[test]
fn empty_graph() {
    let result = schedule(&[], &[]).unwrap();
    assert_eq!(result, Schedule::default());
}

#[test]
fn single_task() {
    let result = schedule(&plain(&[7]), &[]).unwrap();
    assert_eq!(result.duration, 7);
    assert_eq!(result.timings, vec![timing(0, 7, 0, 7)]);
    assert_eq!(result.critical_path, nodes(&[0]));
}

#[test]
fn zero_duration_tasks_sit_on_the_path() {
    // An instant filing, a 3-day review, an instant issuance.
    let result = schedule(&plain(&[0, 3, 0]), &[(0, 1), (1, 2)]).unwrap();
    assert_eq!(result.duration, 3);
    assert_eq!(
        result.timings,
        vec![timing(0, 0, 0, 0), timing(0, 3, 0, 3), timing(3, 3, 3, 3)]
    );
    assert_eq!(result.critical_path, nodes(&[0, 1, 2]));
}

#[test]
fn all_instant_tasks() {
    // Everything takes 0 days, so everything is critical; the path starts at the lowest
    // start task and follows the lowest successors to an end task.
    let result = schedule(&plain(&[0, 0, 0, 0]), &[(2, 3), (0, 1)]).unwrap();
    assert_eq!(result.duration, 0);
    assert!(result.timings.iter().all(|timing| timing.critical));
    assert_eq!(result.critical_path, nodes(&[0, 1]));
}

#[test]
fn instant_end_task_after_the_last_finish() {
    // The zero-day task 2 finishes at the project duration like task 1 does, and the path
    // continues through it to an end task.
    let result = schedule(&plain(&[4, 2, 0]), &[(0, 1), (1, 2)]).unwrap();
    assert_eq!(result.duration, 6);
    assert_eq!(result.critical_path, nodes(&[0, 1, 2]));
}

#[test]
fn disconnected_components() {
    // A lone 2-day task, and a 5-day task followed by a 1-day task.
    let result = schedule(&plain(&[2, 5, 1]), &[(1, 2)]).unwrap();
    assert_eq!(result.duration, 6);
    assert_eq!(result.timing(NodeIndex::new(0)).float, 4);
    assert!(!result.timing(NodeIndex::new(0)).critical);
    assert_eq!(result.critical_path, nodes(&[1, 2]));
}

#[test]
fn tie_between_parallel_chains_takes_the_lowest_successor() {
    // 0 → 2 → 3 and 0 → 1 → 3 take equally long. The edge to 2 was added first, but the
    // rule goes by node index, so the path runs through 1.
    let result = schedule(&plain(&[1, 2, 2, 1]), &[(0, 2), (0, 1), (2, 3), (1, 3)]).unwrap();
    assert_eq!(result.duration, 4);
    assert!(result.timings.iter().all(|timing| timing.critical));
    assert_eq!(result.critical_path, nodes(&[0, 1, 3]));
}

#[test]
fn tie_between_components_takes_the_lowest_start() {
    // Two separate chains of 3 days each: 2 → 3 and 0 → 1 → 4.
    let result = schedule(&plain(&[1, 1, 2, 1, 1]), &[(2, 3), (0, 1), (1, 4)]).unwrap();
    assert_eq!(result.duration, 3);
    assert_eq!(result.critical_path, nodes(&[0, 1, 4]));
}

#[test]
fn tie_between_end_tasks_follows_the_path() {
    // 0 feeds two 3-day end tasks 2 and 1; the lower index wins.
    let result = schedule(&plain(&[1, 3, 3]), &[(0, 2), (0, 1)]).unwrap();
    assert_eq!(result.critical_path, nodes(&[0, 1]));
}

#[test]
fn parallel_edges_are_harmless() {
    let result = schedule(&plain(&[1, 2]), &[(0, 1), (0, 1)]).unwrap();
    assert_eq!(result.duration, 3);
    assert_eq!(result.critical_path, nodes(&[0, 1]));
}

#[test]
fn not_before_delays_a_task_and_starts_the_path() {
    // A(2) → B(3), but B has already started on day 5.
    let result = schedule(&[(2, 0), (3, 5)], &[(0, 1)]).unwrap();
    assert_eq!(result.duration, 8);
    assert_eq!(result.timings, vec![timing(0, 2, 3, 5), timing(5, 8, 5, 8)]);
    // A had room to spare, so the path starts at the pinned task B; B's start plus the
    // path's durations make the duration.
    assert_eq!(result.critical_path, nodes(&[1]));
}

#[test]
fn not_before_earlier_than_the_predecessors_changes_nothing() {
    let result = schedule(&[(4, 0), (3, 2)], &[(0, 1)]).unwrap();
    assert_eq!(result.duration, 7);
    assert_eq!(result.timings, vec![timing(0, 4, 0, 4), timing(4, 7, 4, 7)]);
    assert_eq!(result.critical_path, nodes(&[0, 1]));
}

#[test]
fn not_before_equal_to_the_predecessor_finish_keeps_the_step_tight() {
    let result = schedule(&[(4, 0), (3, 4)], &[(0, 1)]).unwrap();
    assert_eq!(result.critical_path, nodes(&[0, 1]));
}

#[test]
fn not_before_on_a_start_task_shifts_the_project() {
    // Task 0 (4 days) runs in parallel with task 1 (1 day), which cannot start before day
    // 10 and feeds task 2 (2 days).
    let result = schedule(&[(4, 0), (1, 10), (2, 0)], &[(1, 2)]).unwrap();
    assert_eq!(result.duration, 13);
    assert_eq!(result.timing(NodeIndex::new(0)).float, 9);
    assert_eq!(
        result.timings[1..],
        [timing(10, 11, 10, 11), timing(11, 13, 11, 13)]
    );
    assert_eq!(result.critical_path, nodes(&[1, 2]));
}

#[test]
fn cycle_is_reported_in_order() {
    // 0 → 1 → 2 → 3 → 1, with 4 needing the cycle.
    let error = schedule(&plain(&[1; 5]), &[(0, 1), (1, 2), (2, 3), (3, 1), (3, 4)]).unwrap_err();
    assert_eq!(
        error,
        Error::Cycle {
            nodes: nodes(&[1, 2, 3])
        }
    );
    assert_eq!(
        error.to_string(),
        "the dependencies form a cycle: 1 → 2 → 3 → 1"
    );
}

#[test]
fn cycle_is_found_from_a_task_downstream_of_it() {
    // Node 0 needs the cycle 1 → 3 → 2 → 1 but is not on it.
    let error = schedule(&plain(&[1; 4]), &[(1, 3), (3, 2), (2, 1), (2, 0)]).unwrap_err();
    assert_eq!(
        error,
        Error::Cycle {
            nodes: nodes(&[1, 3, 2])
        }
    );
}

#[test]
fn self_loop_is_a_cycle() {
    let error = schedule(&plain(&[1, 1]), &[(0, 1), (1, 1)]).unwrap_err();
    assert_eq!(error, Error::Cycle { nodes: nodes(&[1]) });
}

#[test]
fn overflow_is_an_error() {
    let error = schedule(&plain(&[u32::MAX, 1]), &[(0, 1)]).unwrap_err();
    assert_eq!(
        error,
        Error::Overflow {
            node: NodeIndex::new(1)
        }
    );
}

#[test]
fn deep_chain_does_not_overflow_the_stack() {
    let count = 200_000;
    let edges: Vec<(usize, usize)> = (1..count).map(|node| (node - 1, node)).collect();
    let result = schedule(&vec![(1, 0); count], &edges).unwrap();
    assert_eq!(result.duration, count as u32);
    assert_eq!(result.critical_path.len(), count);

    // The same chain closed into a cycle.
    let mut edges = edges;
    edges.push((count - 1, 0));
    let Err(Error::Cycle { nodes }) = schedule(&vec![(1, 0); count], &edges) else {
        panic!("expected a cycle");
    };
    assert_eq!(nodes.len(), count);
    assert_eq!(nodes[0], NodeIndex::new(0));
    assert_eq!(nodes[1], NodeIndex::new(1));
}

/// A random DAG to schedule.
#[derive(Debug, Clone)]
struct RandomDag {
    /// The tasks as `(duration, not_before)`.
    tasks: Vec<(u32, u32)>,
    /// The edges `a → b`.
    edges: Vec<(usize, usize)>,
    /// The nodes in rank order, which is a topological order.
    by_rank: Vec<usize>,
}

/// Random DAGs of up to `max_nodes` tasks. The edges go from a lower to a higher *rank*,
/// which guarantees acyclicity; ranks are shuffled onto node indices so that index order is
/// not a topological order.
fn random_dag(max_nodes: usize, max_not_before: u32) -> impl Strategy<Value = RandomDag> {
    (1..=max_nodes)
        .prop_flat_map(move |count| {
            (
                prop::collection::vec((0..=30u32, 0..=max_not_before), count),
                prop::collection::vec((0..count, 0..count), 0..=count * 3),
                Just((0..count).collect::<Vec<usize>>()).prop_shuffle(),
            )
        })
        .prop_map(|(tasks, pairs, by_rank)| {
            let edges = pairs
                .into_iter()
                .filter(|(a, b)| a != b)
                .map(|(a, b)| (by_rank[a.min(b)], by_rank[a.max(b)]))
                .collect();
            RandomDag {
                tasks,
                edges,
                by_rank,
            }
        })
}

/// The obvious quadratic schedule, visiting nodes in rank order: `(ES, EF, LS, LF)` per node.
fn reference(
    tasks: &[(u32, u32)],
    edges: &[(usize, usize)],
    by_rank: &[usize],
) -> Vec<(u32, u32, u32, u32)> {
    let count = tasks.len();
    let mut earliest = vec![(0, 0); count];
    for &node in by_rank {
        let start = edges
            .iter()
            .filter(|&&(_, to)| to == node)
            .map(|&(from, _)| earliest[from].1)
            .fold(tasks[node].1, u32::max);
        earliest[node] = (start, start + tasks[node].0);
    }
    let project = earliest
        .iter()
        .map(|&(_, finish)| finish)
        .max()
        .unwrap_or(0);
    let mut latest = vec![(0, 0); count];
    for &node in by_rank.iter().rev() {
        let finish = edges
            .iter()
            .filter(|&&(from, _)| from == node)
            .map(|&(_, to)| latest[to].0)
            .fold(project, u32::min);
        latest[node] = (finish - tasks[node].0, finish);
    }
    (0..count)
        .map(|node| {
            (
                earliest[node].0,
                earliest[node].1,
                latest[node].0,
                latest[node].1,
            )
        })
        .collect()
}

/// Checks every property the module documents on one schedule.
fn check(dag: &RandomDag) -> Result<(), TestCaseError> {
    let RandomDag {
        tasks,
        edges,
        by_rank,
    } = dag;
    let result = schedule(tasks, edges).unwrap();
    let timings = &result.timings;
    prop_assert_eq!(timings.len(), tasks.len());

    let expected = reference(tasks, edges, by_rank);
    for (node, timing) in timings.iter().enumerate() {
        prop_assert_eq!(
            (
                timing.earliest_start,
                timing.earliest_finish,
                timing.latest_start,
                timing.latest_finish
            ),
            expected[node]
        );
        prop_assert!(timing.latest_start >= timing.earliest_start);
        prop_assert_eq!(timing.float, timing.latest_start - timing.earliest_start);
        prop_assert_eq!(timing.critical, timing.float == 0);
        prop_assert!(timing.earliest_start >= tasks[node].1);
        prop_assert!(timing.latest_finish <= result.duration);
    }
    let longest = timings.iter().map(|timing| timing.earliest_finish).max();
    prop_assert_eq!(result.duration, longest.unwrap_or(0));
    for &(from, to) in edges {
        prop_assert!(timings[to].earliest_start >= timings[from].earliest_finish);
        prop_assert!(timings[from].latest_finish <= timings[to].latest_start);
    }

    let path: Vec<usize> = result
        .critical_path
        .iter()
        .map(|node| node.index())
        .collect();
    prop_assert!(!path.is_empty());
    let has_predecessor = |node: usize| edges.iter().any(|&(_, to)| to == node);
    let has_successor = |node: usize| edges.iter().any(|&(from, _)| from == node);
    for &node in &path {
        prop_assert!(timings[node].critical);
    }
    for step in path.windows(2) {
        prop_assert!(edges.contains(&(step[0], step[1])));
        prop_assert_eq!(
            timings[step[1]].earliest_start,
            timings[step[0]].earliest_finish
        );
    }
    let first = path[0];
    let last = path[path.len() - 1];
    prop_assert!(!has_successor(last));
    prop_assert_eq!(timings[last].earliest_finish, result.duration);
    let days: u32 = path.iter().map(|&node| tasks[node].0).sum();
    prop_assert_eq!(timings[first].earliest_start + days, result.duration);
    // The first task's start is explained by no predecessor.
    prop_assert!(edges
        .iter()
        .filter(|&&(_, to)| to == first)
        .all(|&(from, _)| timings[from].earliest_finish < timings[first].earliest_start));
    if tasks.iter().all(|&(_, not_before)| not_before == 0) {
        prop_assert!(!has_predecessor(first));
        prop_assert_eq!(timings[first].earliest_start, 0);
        prop_assert_eq!(days, result.duration);
    }
    Ok(())
}

proptest! {
    #[test]
    fn random_dags_without_constraints(dag in random_dag(40, 0)) {
        check(&dag)?;
    }

    #[test]
    fn random_dags_with_not_before(dag in random_dag(40, 60)) {
        check(&dag)?;
    }

    #[test]
    fn random_cycles_are_reported_in_order(
        dag in random_dag(30, 0),
        back in (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
    ) {
        let RandomDag { tasks, mut edges, by_rank } = dag;
        // Add an edge from a higher rank back to a lower one (a self-loop when they are the
        // same) and a chain of edges forward between them, so that a cycle surely exists.
        let (a, b) = (back.0.index(by_rank.len()), back.1.index(by_rank.len()));
        let (low, high) = (a.min(b), a.max(b));
        edges.push((by_rank[high], by_rank[low]));
        for rank in low..high {
            edges.push((by_rank[rank], by_rank[rank + 1]));
        }
        let Err(Error::Cycle { nodes }) = schedule(&tasks, &edges) else {
            return Err(TestCaseError::fail("expected a cycle"));
        };
        prop_assert!(!nodes.is_empty());
        let indices: Vec<usize> = nodes.iter().map(|node| node.index()).collect();
        prop_assert_eq!(indices[0], *indices.iter().min().unwrap());
        let mut distinct = indices.clone();
        distinct.sort_unstable();
        distinct.dedup();
        prop_assert_eq!(distinct.len(), indices.len());
        for at in 0..indices.len() {
            let next = indices[(at + 1) % indices.len()];
            prop_assert!(edges.contains(&(indices[at], next)));
        }
    }
}
