//! The second stage of building a workflow: cross-checks over the raw structs, compiling
//! the rules, and assembling the validated model.
//!
//! Every check runs even after another failed, so one pass reports every problem: unknown
//! calendar or rules file, duplicate ids, unknown departments and `needs`, cycles, limits
//! out of range, Rhai syntax errors, calls to functions the rules script lacks, and the
//! `supervision` section (`supervision`), and the `application` section with the fields the
//! rules read (`application`). The model is assembled only when no diagnostic was produced.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};

use super::position::Pos;
use super::raw::{self, closest, ExprSource, RawDays, RawDepartment, RawTask, RawWorkflow, Reader};
use super::{Days, Department, Sources, TaskDef, TaskKind, Workflow};
use crate::calendar::Calendar;
use crate::ids::{CalendarId, DepartmentId, TaskId, WorkflowId};
use crate::plan::{CompiledDays, CompiledWorkflow};
use crate::rules::{self, Expr, Rules};
use crate::source::{Diagnostic, SourceText};

mod application;
mod checker;
mod supervision;

use checker::{Checker, Functions};

/// Builds the compiled workflow, or returns every diagnostic (unsorted).
pub(super) fn build(
    workflow: &SourceText,
    sources: &Sources,
) -> Result<CompiledWorkflow, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let shared = sources
        .departments
        .as_ref()
        .map(|file| shared_departments(file, &mut diagnostics));
    let (value, index) = match raw::parse(workflow) {
        Ok(parsed) => parsed,
        Err(errors) => {
            diagnostics.extend(errors);
            return Err(diagnostics);
        }
    };
    let raw = Reader {
        file: &workflow.name,
        index: &index,
        diagnostics: &mut diagnostics,
    }
    .workflow(&value);
    let mut checker = Checker {
        file: &workflow.name,
        text: &workflow.text,
        diagnostics: &mut diagnostics,
    };
    let compiled = checker.check(&raw, shared, sources);
    match compiled {
        Some(compiled) if diagnostics.is_empty() => Ok(compiled),
        _ => Err(diagnostics),
    }
}

/// The shared departments file, read and checked for duplicates.
struct Shared {
    departments: Vec<(DepartmentId, String)>,
}

/// Reads the shared departments file, reporting its problems in its own name.
fn shared_departments(file: &SourceText, diagnostics: &mut Vec<Diagnostic>) -> Shared {
    let mut shared = Shared {
        departments: Vec::new(),
    };
    let (value, index) = match raw::parse(file) {
        Ok(parsed) => parsed,
        Err(errors) => {
            diagnostics.extend(errors);
            return shared;
        }
    };
    let raw = Reader {
        file: &file.name,
        index: &index,
        diagnostics,
    }
    .departments_file(&value);
    let mut first: HashMap<String, Pos> = HashMap::new();
    for RawDepartment { id, name } in raw {
        let Some(id) = id else { continue };
        if let Some(first) = first.get(&id.value) {
            diagnostics.push(Diagnostic::new(
                file.name.as_str(),
                id.at.line,
                id.at.column,
                format!(
                    "duplicate department id `{}`: it is already declared on line {}",
                    id.value, first.line
                ),
            ));
            continue;
        }
        first.insert(id.value.clone(), id.at);
        // A department missing its name (reported) still counts as declared, so that tasks
        // naming it are not reported too.
        shared.departments.push((
            DepartmentId::new(id.value.as_str()),
            name.unwrap_or_default(),
        ));
    }
    shared
}

impl Checker<'_> {
    /// Runs every check; returns the compiled workflow if the raw one was complete (the
    /// caller still discards it if any diagnostic was reported).
    fn check(
        &mut self,
        raw: &RawWorkflow,
        shared: Option<Shared>,
        sources: &Sources,
    ) -> Option<CompiledWorkflow> {
        self.check_file_name(raw);
        let calendar = self.calendar(raw, sources);
        let (rules, functions) = self.rules(raw, sources);
        let departments = self.departments(raw, shared);
        let tasks = self.task_ids(raw);
        for (i, task) in raw.tasks.iter().enumerate() {
            self.department_of(task, &departments);
            self.needs_of(i, task, &tasks);
            self.limits_of(task);
        }
        self.cycles(raw, &tasks);
        let (warning, escalation) = self.supervision(raw, &departments, &rules, &functions);
        let declared = self.declared_fields(raw);
        if let Some(declared) = declared.as_deref().filter(|declared| !declared.is_empty()) {
            self.script_reads(declared, &rules, &functions, sources);
        }
        let mut when = Vec::new();
        let mut committed = Vec::new();
        for task in &raw.tasks {
            when.push(
                task.when
                    .as_ref()
                    .map(|source| self.expr(task, "when", source, &rules, &functions)),
            );
            committed.push(task.committed_days.as_ref().map(|days| {
                match &days.value {
                    RawDays::Fixed(days) => Some(CompiledDays::Fixed(*days)),
                    RawDays::Expr(source) => self
                        .expr(task, "committed_days", source, &rules, &functions)
                        .map(CompiledDays::Expr),
                }
            }));
        }
        if let Some(declared) = declared.as_deref().filter(|declared| !declared.is_empty()) {
            self.expr_reads(declared, raw, &when, &committed);
        }
        if !self.diagnostics.is_empty() {
            return None;
        }
        let workflow = assemble(raw, departments)?;
        let when = when
            .into_iter()
            .map(|expr| match expr {
                None => Some(None),
                Some(compiled) => compiled.map(Some),
            })
            .collect::<Option<Vec<Option<Expr>>>>()?;
        let committed = committed
            .into_iter()
            .map(|days| match days {
                // An instant task may leave its committed limit out: 0 days.
                None => Some(CompiledDays::Fixed(0)),
                Some(compiled) => compiled,
            })
            .collect::<Option<Vec<CompiledDays>>>()?;
        Some(
            CompiledWorkflow::new(workflow, calendar?, rules, when, committed)
                .with_supervision(warning, escalation),
        )
    }

    /// A workflow in `x.yaml` must have the id `x`, since workflows are found by file name.
    fn check_file_name(&mut self, raw: &RawWorkflow) {
        let Some(id) = &raw.id else { return };
        let base = self.file.rsplit(['/', '\\']).next().unwrap_or(self.file);
        let stem = base
            .strip_suffix(".yaml")
            .or_else(|| base.strip_suffix(".yml"));
        if let Some(stem) = stem {
            if stem != id.value {
                self.error(
                    id.at,
                    format!(
                        "workflow id `{}` does not match the file name `{base}`: a workflow \
                         is found by its file name, so name the file `{}.yaml` or change the id",
                        id.value, id.value
                    ),
                );
            }
        }
    }

    fn calendar(&mut self, raw: &RawWorkflow, sources: &Sources) -> Option<Arc<Calendar>> {
        let id = raw.calendar.as_ref()?;
        if let Some(calendar) = sources.calendars.get(id.value.as_str()) {
            return Some(Arc::clone(calendar));
        }
        let known: Vec<&str> = sources.calendars.keys().map(CalendarId::as_str).collect();
        let hint = if known.is_empty() {
            "no calendars are loaded".to_string()
        } else {
            format!("known calendars: {}", known.join(", "))
        };
        self.error(id.at, format!("unknown calendar `{}` ({hint})", id.value));
        None
    }

    fn rules(&mut self, raw: &RawWorkflow, sources: &Sources) -> (Rules, Functions) {
        let Some(name) = &raw.rules else {
            return (empty_rules(), Functions::NoScript);
        };
        let Some(script) = sources.rules.get(&name.value) else {
            let known: Vec<&str> = sources.rules.keys().map(String::as_str).collect();
            let hint = match closest(&name.value, known.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None if known.is_empty() => "no rules scripts are loaded".to_string(),
                None => format!("known scripts: {}", known.join(", ")),
            };
            self.error(
                name.at,
                format!("unknown rules script `{}`; {hint}", name.value),
            );
            return (empty_rules(), Functions::Unknown);
        };
        match Rules::compile(Some(&script.text)) {
            Ok(rules) => (rules, Functions::Script(name.value.clone())),
            Err(error) => {
                let (line, column, message) = match error {
                    rules::Error::Syntax {
                        line,
                        column,
                        message,
                    } => (line, column, format!("Rhai syntax error: {message}")),
                    other => (
                        1,
                        1,
                        format!("the rules script cannot be compiled: {other}"),
                    ),
                };
                self.diagnostics
                    .push(Diagnostic::new(script.name.as_str(), line, column, message));
                (empty_rules(), Functions::Unknown)
            }
        }
    }

    /// Merges the shared and inline departments; an inline one overrides a shared one.
    fn departments(
        &mut self,
        raw: &RawWorkflow,
        shared: Option<Shared>,
    ) -> BTreeMap<DepartmentId, Department> {
        let mut merged = BTreeMap::new();
        if let Some(shared) = shared {
            for (id, name) in shared.departments {
                merged.insert(id.clone(), Department { id, name });
            }
        }
        let mut first: HashMap<&str, Pos> = HashMap::new();
        for RawDepartment { id, name } in &raw.departments {
            let Some(id) = id else { continue };
            if let Some(first) = first.get(id.value.as_str()) {
                self.error(
                    id.at,
                    format!(
                        "duplicate department id `{}`: it is already declared on line {}",
                        id.value, first.line
                    ),
                );
                continue;
            }
            first.insert(&id.value, id.at);
            let id = DepartmentId::new(id.value.as_str());
            let name = name.clone().unwrap_or_default();
            merged.insert(id.clone(), Department { id, name });
        }
        merged
    }

    /// Maps each task id to the index of its first task, reporting repeated ids.
    fn task_ids<'r>(&mut self, raw: &'r RawWorkflow) -> HashMap<&'r str, usize> {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        for (i, task) in raw.tasks.iter().enumerate() {
            let Some(id) = &task.id else { continue };
            match ids.get(id.value.as_str()) {
                Some(&first) => {
                    let first_line = raw.tasks[first].id.as_ref().map_or(0, |id| id.at.line);
                    self.error(
                        id.at,
                        format!(
                            "duplicate task id `{}`: it is already used on line {first_line}",
                            id.value
                        ),
                    );
                }
                None => {
                    ids.insert(&id.value, i);
                }
            }
        }
        ids
    }

    fn department_of(&mut self, task: &RawTask, departments: &BTreeMap<DepartmentId, Department>) {
        let Some(department) = &task.department else {
            return;
        };
        if departments.contains_key(department.value.as_str()) {
            return;
        }
        let known = departments.keys().map(DepartmentId::as_str);
        let hint = match closest(&department.value, known.clone()) {
            Some(near) => format!("did you mean `{near}`?"),
            None if departments.is_empty() => "no departments are declared".to_string(),
            None => {
                let mut list: Vec<&str> = known.take(11).collect();
                if list.len() > 10 {
                    list[10] = "…";
                }
                format!("known departments: {}", list.join(", "))
            }
        };
        self.error(
            department.at,
            format!(
                "{}: unknown department `{}`; {hint}",
                task.label, department.value
            ),
        );
    }

    fn needs_of(&mut self, i: usize, task: &RawTask, tasks: &HashMap<&str, usize>) {
        let mut seen: Vec<&str> = Vec::new();
        for need in &task.needs {
            let name = need.value.as_str();
            if seen.contains(&name) {
                self.error(
                    need.at,
                    format!("{}: `needs` lists `{name}` twice", task.label),
                );
                continue;
            }
            seen.push(name);
            match tasks.get(name) {
                Some(&j) if j == i => {
                    self.error(
                        need.at,
                        format!("{}: a task cannot need itself", task.label),
                    );
                }
                Some(_) => {}
                None => {
                    let hint = match closest(name, tasks.keys().copied()) {
                        Some(near) => format!("; did you mean `{near}`?"),
                        None => String::new(),
                    };
                    self.error(
                        need.at,
                        format!("{}: `needs` names unknown task `{name}`{hint}", task.label),
                    );
                }
            }
        }
    }

    /// Checks day limits: committed ≤ statutory, and an instant task takes 0 days.
    /// (Negative and non-integer values were reported while reading.)
    fn limits_of(&mut self, task: &RawTask) {
        let label = &task.label;
        if task.kind == Some(TaskKind::Instant) {
            if let Some(days) = task.statutory_days.as_ref().filter(|d| d.value > 0) {
                self.error(
                    days.at,
                    format!(
                        "{label}: an instant task (即办件) is decided on the spot, so \
                         `statutory_days` must be 0, not {}",
                        days.value
                    ),
                );
            }
            if let Some(days) = task.committed_days.as_ref() {
                match &days.value {
                    RawDays::Fixed(0) => {}
                    RawDays::Fixed(n) => self.error(
                        days.at,
                        format!(
                            "{label}: an instant task (即办件) is decided on the spot, so \
                             `committed_days` must be 0, not {n}"
                        ),
                    ),
                    RawDays::Expr(_) => self.error(
                        days.at,
                        format!(
                            "{label}: an instant task (即办件) is decided on the spot, so \
                             `committed_days` must be 0, not an expression"
                        ),
                    ),
                }
            }
            return;
        }
        if let (Some(statutory), Some(committed)) = (&task.statutory_days, &task.committed_days) {
            if let RawDays::Fixed(days) = committed.value {
                if days > statutory.value {
                    self.error(
                        committed.at,
                        format!(
                            "{label}: `committed_days` ({days}) exceeds `statutory_days` ({}): \
                             the committed limit (承诺时限) may not be longer than the \
                             statutory one (法定时限)",
                            statutory.value
                        ),
                    );
                }
            }
        }
    }

    /// Reports each cycle of the `needs` relation once.
    ///
    /// Each strongly connected component with more than one task holds at least one cycle;
    /// the shortest cycle through the component's first task (in file order) is reported,
    /// written in `needs` direction (`a → b` means `a` needs `b`) and located at the `needs`
    /// entry of that first task which names the second.
    fn cycles(&mut self, raw: &RawWorkflow, tasks: &HashMap<&str, usize>) {
        let mut graph: DiGraph<usize, Pos> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..raw.tasks.len()).map(|i| graph.add_node(i)).collect();
        for (i, task) in raw.tasks.iter().enumerate() {
            // A task with a repeated id is not the one its id resolves to; leave it out.
            let resolves_here = task
                .id
                .as_ref()
                .is_some_and(|id| tasks.get(id.value.as_str()) == Some(&i));
            if !resolves_here {
                continue;
            }
            for need in &task.needs {
                if let Some(&j) = tasks.get(need.value.as_str()) {
                    let already = graph.find_edge(nodes[i], nodes[j]).is_some();
                    if j != i && !already {
                        graph.add_edge(nodes[i], nodes[j], need.at);
                    }
                }
            }
        }
        for component in petgraph::algo::tarjan_scc(&graph) {
            if component.len() < 2 {
                continue;
            }
            let Some(&start) = component.iter().min() else {
                continue;
            };
            let Some(cycle) = shortest_cycle(&graph, start, &component) else {
                continue;
            };
            let names: Vec<&str> = cycle
                .iter()
                .chain(std::iter::once(&start))
                .map(|node| {
                    raw.tasks[graph[*node]]
                        .id
                        .as_ref()
                        .map_or("?", |id| id.value.as_str())
                })
                .collect();
            let at = graph
                .find_edge(cycle[0], cycle[1])
                .map_or(Pos::START, |edge| graph[edge]);
            let task = &raw.tasks[graph[start]];
            self.error(
                at,
                format!(
                    "{}: cycle in needs: {} (each task needs the next)",
                    task.label,
                    names.join(" → ")
                ),
            );
        }
    }

    /// Compiles one expression, reporting syntax errors and calls to undefined functions.
    fn expr(
        &mut self,
        task: &RawTask,
        field: &str,
        source: &ExprSource,
        rules: &Rules,
        functions: &Functions,
    ) -> Option<Expr> {
        let expr = match rules.compile_expr(&source.text) {
            Ok(expr) => expr,
            Err(rules::Error::Syntax {
                line,
                column,
                message,
            }) => {
                let at = source.locate(self.text, line, column);
                self.error(
                    at,
                    format!("{}: Rhai syntax error in `{field}`: {message}", task.label),
                );
                return None;
            }
            Err(other) => {
                self.error(
                    source.at,
                    format!("{}: `{field}` cannot be compiled: {other}", task.label),
                );
                return None;
            }
        };
        let mut ok = true;
        for (name, arity) in rules.undefined_functions(&expr) {
            let arguments = match arity {
                1 => "1 argument".to_string(),
                n => format!("{n} arguments"),
            };
            let helper = rules::HELPERS.iter().find(|(helper, _)| *helper == name);
            let message = match (functions, helper) {
                (Functions::Unknown, _) => continue,
                // Only reported when the script does not define `name` with this arity.
                (_, Some((_, takes))) => format!(
                    "{}: `{field}` calls `{name}` with {arguments}, but the built-in `{name}` \
                     takes {takes} arguments",
                    task.label
                ),
                (Functions::Script(script), None) => {
                    let other_arity = if rules.function_names().contains(&name) {
                        format!(" (its `{name}` takes a different number of arguments)")
                    } else {
                        String::new()
                    };
                    format!(
                        "{}: `{field}` calls `{name}` with {arguments}, which rules script \
                         `{script}` does not define{other_arity}",
                        task.label
                    )
                }
                (Functions::NoScript, None) => format!(
                    "{}: `{field}` calls `{name}` with {arguments}, but the workflow has no \
                     rules script (`rules:`) to define it",
                    task.label
                ),
            };
            let at = match source.find_call(&name) {
                Some((line, column)) => source.locate(self.text, line, column),
                None => source.at,
            };
            self.error(at, message);
            ok = false;
        }
        ok.then_some(expr)
    }
}

/// The shortest cycle through `start` within `component`, as the nodes from `start` on.
fn shortest_cycle(
    graph: &DiGraph<usize, Pos>,
    start: NodeIndex,
    component: &[NodeIndex],
) -> Option<Vec<NodeIndex>> {
    let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        // Edges in the order the `needs` entries were written (petgraph lists them newest
        // first).
        let mut next: Vec<_> = graph.edges(node).collect();
        next.reverse();
        for edge in next {
            use petgraph::visit::EdgeRef;
            let target = edge.target();
            if target == start {
                let mut cycle = vec![node];
                let mut at = node;
                while at != start {
                    at = parent[&at];
                    cycle.push(at);
                }
                cycle.reverse();
                return Some(cycle);
            }
            if component.contains(&target) && !parent.contains_key(&target) {
                parent.insert(target, node);
                queue.push_back(target);
            }
        }
    }
    None
}

/// A rules value with no functions, used when the workflow's script is missing or broken.
fn empty_rules() -> Rules {
    // Compiling no script cannot fail.
    Rules::compile(None).unwrap_or_else(|_| unreachable!("an empty script compiles"))
}

/// Builds the validated model from a raw workflow that passed every check.
fn assemble(
    raw: &RawWorkflow,
    departments: BTreeMap<DepartmentId, Department>,
) -> Option<Workflow> {
    let tasks = raw
        .tasks
        .iter()
        .map(|task| {
            Some(TaskDef {
                id: TaskId::new(task.id.as_ref()?.value.as_str()),
                name: task.name.clone()?,
                department: DepartmentId::new(task.department.as_ref()?.value.as_str()),
                kind: task.kind?,
                statutory_days: task.statutory_days.as_ref().map_or(0, |days| days.value),
                committed_days: match task.committed_days.as_ref().map(|days| &days.value) {
                    None => Days::Fixed(0),
                    Some(RawDays::Fixed(days)) => Days::Fixed(*days),
                    Some(RawDays::Expr(source)) => Days::Expr(source.text.clone()),
                },
                needs: task
                    .needs
                    .iter()
                    .map(|need| TaskId::new(need.value.as_str()))
                    .collect(),
                when: task.when.as_ref().map(|source| source.text.clone()),
                materials: task.materials.clone(),
                basis: task.basis.clone(),
            })
        })
        .collect::<Option<Vec<TaskDef>>>()?;
    Some(Workflow {
        id: WorkflowId::new(raw.id.as_ref()?.value.as_str()),
        name: raw.name.clone()?,
        description: raw.description.clone(),
        calendar: CalendarId::new(raw.calendar.as_ref()?.value.as_str()),
        rules: raw.rules.as_ref().map(|rules| rules.value.clone()),
        departments,
        tasks,
        application: application::schema(raw)?,
    })
}
