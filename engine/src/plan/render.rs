//! Drawings of a timetable's DAG: Graphviz DOT and Mermaid, with the critical path
//! highlighted. Pure string building, shared by the CLI and the HTTP API.

use std::fmt::Write;

use super::Timetable;

/// The DAG in Graphviz DOT; critical tasks and the edges between them are drawn in red.
pub fn to_dot(timetable: &Timetable) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "digraph \"{}\" {{",
        escape(timetable.workflow.as_str())
    );
    let _ = writeln!(out, "  rankdir=LR;");
    let _ = writeln!(
        out,
        "  node [shape=box, style=rounded, fontname=\"sans-serif\"];"
    );
    for row in &timetable.tasks {
        let label = format!(
            "{}\\n{} · {} 工作日 / working days\\n{}",
            escape(&row.name),
            escape(row.department.as_str()),
            row.committed_days,
            row.due
        );
        let style = if row.critical {
            ", color=red, penwidth=2"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{label}\"{style}];",
            escape(row.id.as_str())
        );
    }
    for row in &timetable.tasks {
        for need in &row.needs {
            let critical =
                row.critical && is_critical_edge(timetable, need.as_str(), row.id.as_str());
            let style = if critical {
                " [color=red, penwidth=2]"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\"{style};",
                escape(need.as_str()),
                escape(row.id.as_str())
            );
        }
    }
    out.push_str("}\n");
    out
}

/// The DAG as a Mermaid flowchart; the critical path is styled with the `critical` class.
pub fn to_mermaid(timetable: &Timetable) -> String {
    let mut out = String::from("flowchart LR\n");
    let node = |id: &str| id.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
    for row in &timetable.tasks {
        let label = format!(
            "{}<br/>{} · {}d · {}",
            row.name, row.department, row.committed_days, row.due
        )
        .replace('"', "'");
        let _ = writeln!(out, "  {}[\"{label}\"]", node(row.id.as_str()));
    }
    let mut edge_index = 0usize;
    let mut critical_edges = Vec::new();
    for row in &timetable.tasks {
        for need in &row.needs {
            let _ = writeln!(
                out,
                "  {} --> {}",
                node(need.as_str()),
                node(row.id.as_str())
            );
            if row.critical && is_critical_edge(timetable, need.as_str(), row.id.as_str()) {
                critical_edges.push(edge_index.to_string());
            }
            edge_index += 1;
        }
    }
    out.push_str("  classDef critical stroke:#d00,stroke-width:3px;\n");
    let critical: Vec<String> = timetable
        .tasks
        .iter()
        .filter(|r| r.critical)
        .map(|r| node(r.id.as_str()))
        .collect();
    if !critical.is_empty() {
        let _ = writeln!(out, "  class {} critical;", critical.join(","));
    }
    if !critical_edges.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#d00,stroke-width:3px;",
            critical_edges.join(",")
        );
    }
    out
}

/// Whether `from → to` is a step of the timetable's critical path.
fn is_critical_edge(timetable: &Timetable, from: &str, to: &str) -> bool {
    timetable
        .critical_path
        .windows(2)
        .any(|w| w[0].as_str() == from && w[1].as_str() == to)
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
