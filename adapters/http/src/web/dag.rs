//! The case's DAG as SVG: tasks in columns by depth (a task sits one column right of the
//! deepest task it needs), each box coloured by its state, the arrows of the critical path
//! drawn heavier and red. The layout is computed here, O(V + E); no browser library.

use std::fmt::Write;

use greenlane_engine::case::CaseState;

use super::gantt::{esc, shorten};
use super::labels;

const W: i64 = 180;
const H: i64 = 46;
const GAP_X: i64 = 50;
const GAP_Y: i64 = 14;

/// The DAG of `case` as SVG markup.
pub(crate) fn draw(case: &CaseState) -> String {
    let n = case.tasks.len();
    if n == 0 {
        return String::new();
    }
    // Depth: tasks are stored in an order where needs come first (the plan's topological
    // order), but a second pass keeps this right whatever the order.
    let mut depth = vec![0usize; n];
    for _ in 0..2 {
        for (i, t) in case.tasks.iter().enumerate() {
            depth[i] = t.needs.iter().map(|&d| depth[d] + 1).max().unwrap_or(0);
        }
    }
    let columns = depth.iter().max().copied().unwrap_or(0) + 1;
    let mut row_in_column = vec![0usize; columns];
    let mut at = vec![(0i64, 0i64); n];
    for i in 0..n {
        let c = depth[i];
        at[i] = (
            10 + c as i64 * (W + GAP_X),
            10 + row_in_column[c] as i64 * (H + GAP_Y),
        );
        row_in_column[c] += 1;
    }
    let rows = row_in_column.iter().max().copied().unwrap_or(1) as i64;
    let width = 20 + columns as i64 * (W + GAP_X) - GAP_X;
    let height = 20 + rows * (H + GAP_Y) - GAP_Y;
    let critical = |i: usize| case.critical_path.contains(&case.tasks[i].plan.id);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="dag" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="dag-title"><title id="dag-title">事项关系图 Task graph</title><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="d-arrow"/></marker></defs>"#
    );
    for (i, t) in case.tasks.iter().enumerate() {
        for &d in &t.needs {
            let (x1, y1) = (at[d].0 + W, at[d].1 + H / 2);
            let (x2, y2) = (at[i].0, at[i].1 + H / 2);
            let mid = (x1 + x2) / 2;
            let _ = write!(
                svg,
                r#"<path class="d-edge{}" d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" marker-end="url(#arrow)"/>"#,
                if critical(d) && critical(i) {
                    " d-critical"
                } else {
                    ""
                }
            );
        }
    }
    for (i, t) in case.tasks.iter().enumerate() {
        let (x, y) = at[i];
        let (state, class) = labels::task_status(&t.status);
        let _ = write!(
            svg,
            r#"<g class="d-node d-{class}{}"><title>{}：{state}</title><rect x="{x}" y="{y}" width="{W}" height="{H}" rx="5"/><text x="{}" y="{}">{}</text><text class="d-state" x="{}" y="{}">{state}</text></g>"#,
            if critical(i) { " d-critical" } else { "" },
            esc(&t.plan.name),
            x + 8,
            y + 19,
            esc(&shorten(&t.plan.name, 12)),
            x + 8,
            y + 37
        );
    }
    svg.push_str("</svg>");
    svg
}
