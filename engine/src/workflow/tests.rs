//! Tests of workflow parsing and validation: the position index, every diagnostic kind
//! with its exact text and position, and the model a valid file builds.

use std::collections::BTreeMap;

use super::position::{NodeInfo, Pos, PositionIndex};
use super::*;
use crate::ids::{CalendarId, DepartmentId, TaskId};
use crate::plan::CompiledDays;

const DEPARTMENTS: &str = "\
departments:
  - { id: development-reform, name: 发展和改革委员会 / Development and Reform }
  - { id: natural-resources, name: 自然资源局 / Natural Resources }
  - id: housing
    name: 住房和城乡建设局 / Housing and Construction
";

const SCRIPT: &str = "\
fn is_small(app) { app.investment_wan < 5000 }
fn eia_days(app) { if is_small(app) { 10 } else { 30 } }
";

/// A valid workflow; tests edit it to introduce one problem at a time.
const GOOD: &str = "\
id: wf
name: 工业项目 / Industrial project
description: For tests.
calendar: cn
rules: wf.rhai
departments:
  - { id: fire, name: 消防救援支队 / Fire and Rescue }
tasks:
  - id: filing
    name: 项目备案 / Project filing
    department: development-reform
    kind: instant
  - id: land
    name: 用地预审 / Land pre-review
    department: natural-resources
    kind: commitment
    statutory_days: 20
    committed_days: 5
    needs: [filing]
    materials: [用地申请表, 红线图]
    basis: 土地管理法
  - id: eia
    name: 环评审批 / Environmental impact
    department: housing
    kind: referred
    statutory_days: 60
    committed_days: \"eia_days(app)\"
    needs:
      - filing
    when: \"!is_small(app) || app.hazardous == true\"
  - id: fire-design
    name: 消防设计审查 / Fire design review
    department: fire
    kind: commitment
    statutory_days: 15
    committed_days: 0
    needs: [land, eia]
";

fn sources() -> Sources {
    let mut rules = BTreeMap::new();
    rules.insert(
        "wf.rhai".to_string(),
        SourceText {
            name: "rules/wf.rhai".to_string(),
            text: SCRIPT.to_string(),
        },
    );
    rules.insert(
        "broken.rhai".to_string(),
        SourceText {
            name: "rules/broken.rhai".to_string(),
            text: "fn ok(app) { true }\n\nfn broken(app) {\n    let x = ;\n}\n".to_string(),
        },
    );
    let mut calendars = BTreeMap::new();
    calendars.insert(CalendarId::new("cn"), crate::calendar::testing::cn());
    Sources {
        departments: Some(SourceText {
            name: "workflows/departments.yaml".to_string(),
            text: DEPARTMENTS.to_string(),
        }),
        rules,
        calendars,
    }
}

fn build_text(text: &str) -> Result<CompiledWorkflow, Diagnostics> {
    build(
        &SourceText {
            name: "wf.yaml".to_string(),
            text: text.to_string(),
        },
        &sources(),
    )
}

/// The diagnostics for `text` (named `wf.yaml`), one string each.
fn errors(text: &str) -> Vec<String> {
    match build_text(text) {
        Ok(_) => panic!("expected diagnostics, the workflow built:\n{text}"),
        Err(diagnostics) => diagnostics.0.iter().map(ToString::to_string).collect(),
    }
}

/// `GOOD` with `from` replaced by `to` (which must occur exactly once).
fn edit(from: &str, to: &str) -> String {
    assert_eq!(GOOD.matches(from).count(), 1, "`{from}` must occur once");
    GOOD.replace(from, to)
}

fn at(line: usize, column: usize) -> Pos {
    Pos { line, column }
}

// ---- The position index -------------------------------------------------------------

#[test]
fn the_index_knows_values_and_keys_of_block_and_flow_nodes() {
    let text = "\
id: x
tasks:
  - id: a
    needs: [b, \"c\"]
  - { id: b, name: 名字 }
  -
    id: c
";
    let index = PositionIndex::parse(text).unwrap();
    let value = |path: &str| index.node(path).map(|node| node.value);
    assert_eq!(value(""), Some(at(1, 1)));
    assert_eq!(value("id"), Some(at(1, 5)));
    assert_eq!(index.key("id"), at(1, 1));
    assert_eq!(value("tasks"), Some(at(3, 3)));
    // A block mapping starts at its first key, not at the `:` yaml-rust2 marks.
    assert_eq!(value("tasks[0]"), Some(at(3, 5)));
    assert_eq!(value("tasks[0].needs"), Some(at(4, 12)));
    assert_eq!(value("tasks[0].needs[1]"), Some(at(4, 16)));
    // A flow mapping starts at its brace; columns count characters, not bytes.
    assert_eq!(value("tasks[1]"), Some(at(5, 5)));
    assert_eq!(value("tasks[1].name"), Some(at(5, 20)));
    assert_eq!(value("tasks[2]"), Some(at(7, 5)));
    assert_eq!(value("tasks[2].id"), Some(at(7, 9)));
    // An unknown path falls back to its nearest known ancestor.
    assert_eq!(index.value("tasks[1].nothing[3]"), at(5, 5));
    assert_eq!(index.value("nothing"), at(1, 1));
}

#[test]
fn the_index_records_scalar_styles_and_block_scalars_at_their_content() {
    let text = "a: 'x'\nb: \"y\"\nc: |\n  line one\n  line two\n";
    let index = PositionIndex::parse(text).unwrap();
    let node = |path: &str| index.node(path).copied().unwrap();
    assert_eq!(
        node("a").style,
        Some(yaml_rust2::scanner::TScalarStyle::SingleQuoted)
    );
    assert_eq!(
        node("c"),
        NodeInfo {
            value: at(4, 3),
            key: Some(at(3, 1)),
            style: Some(yaml_rust2::scanner::TScalarStyle::Literal),
        }
    );
}

#[test]
fn the_index_reports_duplicate_keys_and_a_second_document() {
    let index = PositionIndex::parse("a: 1\nb: {x: 1, x: 2}\na: 3\n---\nc: 1\n").unwrap();
    let duplicates: Vec<_> = index
        .duplicate_keys
        .iter()
        .map(|d| (d.key.as_str(), d.at, d.first))
        .collect();
    assert_eq!(
        duplicates,
        [("x", at(2, 11), at(2, 5)), ("a", at(3, 1), at(1, 1))]
    );
    assert_eq!(index.second_document, Some(at(4, 1)));
}

#[test]
fn a_collection_used_as_a_key_does_not_derail_the_index() {
    let index = PositionIndex::parse("? [a, b]\n: 1\nc: 2\n").unwrap();
    assert_eq!(index.node("c").map(|n| n.value), Some(at(3, 4)));
}

// ---- A valid workflow ---------------------------------------------------------------

#[test]
fn a_valid_workflow_builds_into_the_expected_model() {
    let compiled = build_text(GOOD).unwrap_or_else(|d| panic!("{d}"));
    let workflow = &compiled.workflow;
    assert_eq!(workflow.id.as_str(), "wf");
    assert_eq!(workflow.name, "工业项目 / Industrial project");
    assert_eq!(workflow.description.as_deref(), Some("For tests."));
    assert_eq!(workflow.calendar.as_str(), "cn");
    assert_eq!(workflow.rules.as_deref(), Some("wf.rhai"));
    assert_eq!(compiled.calendar.id().as_str(), "cn");
    // Shared and inline departments are merged.
    let departments: Vec<&str> = workflow.departments.keys().map(|d| d.as_str()).collect();
    assert_eq!(
        departments,
        ["development-reform", "fire", "housing", "natural-resources"]
    );
    let ids: Vec<&str> = workflow.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["filing", "land", "eia", "fire-design"]);

    let filing = &workflow.tasks[0];
    assert_eq!(filing.kind, TaskKind::Instant);
    assert_eq!(
        (filing.statutory_days, &filing.committed_days),
        (0, &Days::Fixed(0))
    );
    assert!(filing.needs.is_empty() && filing.materials.is_empty());
    assert_eq!((&filing.when, &filing.basis), (&None, &None));

    let land = &workflow.tasks[1];
    assert_eq!(land.name, "用地预审 / Land pre-review");
    assert_eq!(land.department, DepartmentId::new("natural-resources"));
    assert_eq!(land.kind, TaskKind::Commitment);
    assert_eq!(
        (land.statutory_days, &land.committed_days),
        (20, &Days::Fixed(5))
    );
    assert_eq!(land.needs, [TaskId::new("filing")]);
    assert_eq!(land.materials, ["用地申请表", "红线图"]);
    assert_eq!(land.basis.as_deref(), Some("土地管理法"));

    let eia = &workflow.tasks[2];
    assert_eq!(eia.kind, TaskKind::Referred);
    assert_eq!(eia.committed_days, Days::Expr("eia_days(app)".to_string()));
    assert_eq!(
        eia.when.as_deref(),
        Some("!is_small(app) || app.hazardous == true")
    );
    assert_eq!(
        workflow.tasks[3].needs,
        [TaskId::new("land"), TaskId::new("eia")]
    );

    // The compiled expressions evaluate against an application.
    let rules = compiled.rules();
    let mut app = rules
        .application(&serde_json::json!({"investment_wan": 1200}))
        .unwrap();
    assert!(compiled.when[0].is_none());
    let when = compiled.when[2].as_ref().unwrap();
    assert!(!rules.eval_bool(when, &mut app).unwrap());
    match &compiled.committed[2] {
        CompiledDays::Expr(expr) => assert_eq!(rules.eval_days(expr, &mut app).unwrap(), 10),
        other => panic!("expected an expression, got {other:?}"),
    }
    assert!(matches!(compiled.committed[0], CompiledDays::Fixed(0)));
    assert!(matches!(compiled.committed[1], CompiledDays::Fixed(5)));
}

#[test]
fn an_inline_department_overrides_the_shared_one() {
    let text = edit(
        "  - { id: fire, name: 消防救援支队 / Fire and Rescue }\n",
        "  - { id: fire, name: 消防救援支队 / Fire and Rescue }\n  - { id: housing, name: 住建 }\n",
    );
    let compiled = build_text(&text).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(compiled.workflow.departments["housing"].name, "住建");
}

#[test]
fn a_workflow_without_rules_or_shared_departments_builds() {
    let text = "\
id: wf
name: Minimal
calendar: cn
departments: [{ id: office, name: 办公室 }]
tasks:
  - { id: only, name: Only, department: office, kind: commitment, statutory_days: 3, committed_days: \"1 + 1\" }
";
    let mut sources = sources();
    sources.departments = None;
    let source = SourceText {
        name: "wf.yaml".to_string(),
        text: text.to_string(),
    };
    let compiled = build(&source, &sources).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(compiled.workflow.rules, None);
    assert_eq!(
        compiled.workflow.tasks[0].committed_days,
        Days::Expr("1 + 1".into())
    );
}

// ---- Syntax -------------------------------------------------------------------------

#[test]
fn a_yaml_syntax_error_is_reported_alone() {
    let text = edit("    department: housing\n", "   department: housing\n");
    assert_eq!(
        errors(&text),
        ["wf.yaml:24:4: YAML syntax error: did not find expected '-' indicator, while parsing a \
          block collection at line 9 column 3"]
    );
}

#[test]
fn duplicate_keys_and_extra_documents_are_syntax_errors() {
    let text = edit(
        "    kind: referred\n",
        "    kind: referred\n    kind: instant\n",
    );
    assert_eq!(
        errors(&text),
        ["wf.yaml:26:5: duplicate key `kind`: it already appears on line 25"]
    );
    let text = format!("{GOOD}---\nid: other\n");
    assert_eq!(
        errors(&text),
        ["wf.yaml:38:1: a second YAML document (`---`); the file must hold exactly one"]
    );
}

#[test]
fn an_empty_or_scalar_file_is_reported() {
    assert_eq!(
        errors(""),
        ["wf.yaml:1:1: the file is empty; expected a workflow with id, name, calendar and tasks"]
    );
    assert_eq!(
        errors("- a\n"),
        [
            "wf.yaml:1:1: the file must be a mapping (a workflow with id, name, calendar and \
          tasks), not a list"
        ]
    );
}

// ---- Fields -------------------------------------------------------------------------

#[test]
fn missing_unknown_and_mistyped_fields_are_all_reported() {
    let text = GOOD
        .replace("    department: housing\n", "")
        .replace("calendar: cn\n", "calendar: cn\ncalender: cn\n")
        .replace(
            "    kind: commitment\n    statutory_days: 20\n",
            "    kind: commitment\n    statutory_days: five\n    depends: [x]\n",
        )
        .replace("name: 工业项目 / Industrial project\n", "name: 2024\n");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:2:7: `name` must be a string, not the number 2024 (put it in quotes to \
             make it one)",
            "wf.yaml:5:1: unknown field `calender`; did you mean `calendar`?",
            "wf.yaml:18:21: tasks[1] (id `land`): `statutory_days` must be a whole number of \
             working days, not the string `five`",
            "wf.yaml:19:5: tasks[1] (id `land`): unknown field `depends`; expected one of: id, \
             name, department, kind, statutory_days, committed_days, needs, when, materials, \
             basis",
            "wf.yaml:24:5: tasks[2] (id `eia`): missing field `department`",
        ]
    );
}

#[test]
fn an_empty_required_field_is_reported_at_its_key() {
    let text = edit("    department: housing\n", "    department:\n");
    assert_eq!(
        errors(&text),
        ["wf.yaml:24:5: tasks[2] (id `eia`): field `department` is empty"]
    );
}

#[test]
fn a_task_that_is_not_a_mapping_and_a_bad_kind_are_reported() {
    let text =
        edit("tasks:\n", "tasks:\n  - just a string\n").replace("kind: referred", "kind: urgent");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:9:5: tasks[0] must be a mapping with id, name, department, kind, ..., not \
             the string `just a string`",
            "wf.yaml:26:11: tasks[3] (id `eia`): `kind` must be one of instant (即办件), \
             commitment (承诺件) or referred (上报件), not `urgent`",
        ]
    );
}

#[test]
fn an_empty_task_list_and_bad_ids_are_reported() {
    let text = "id: Wf\nname: x\ncalendar: cn\ntasks: []\n";
    assert_eq!(
        errors(text),
        [
            "wf.yaml:1:5: workflow id `Wf` does not match the file name `wf.yaml`: a workflow \
             is found by its file name, so name the file `Wf.yaml` or change the id",
            "wf.yaml:4:8: `tasks` is empty: a workflow needs at least one task",
        ]
    );
    let text =
        edit("  - id: land\n", "  - id: Land Use\n").replace("[land, eia]", "[Land Use, eia]");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:13:9: task id `Land Use` is not a valid id: use lowercase letters, digits, \
          `-` and `_`, starting with a letter or digit"
        ]
    );
}

// ---- References ---------------------------------------------------------------------

#[test]
fn unknown_departments_and_needs_are_reported_at_the_reference() {
    let text = edit("department: housing", "department: housingg")
        .replace("needs: [land, eia]", "needs: [land, permit, land]");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:24:17: tasks[2] (id `eia`): unknown department `housingg`; did you mean \
             `housing`?",
            "wf.yaml:37:19: tasks[3] (id `fire-design`): `needs` names unknown task `permit`",
            "wf.yaml:37:27: tasks[3] (id `fire-design`): `needs` lists `land` twice",
        ]
    );
    let text = edit("department: housing", "department: planning");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:24:17: tasks[2] (id `eia`): unknown department `planning`; known \
          departments: development-reform, fire, housing, natural-resources"
        ]
    );
}

#[test]
fn duplicate_ids_are_reported_at_the_second_naming_the_first_line() {
    let text = edit("  - id: eia\n", "  - id: land\n")
        .replace("[land, eia]", "[land]")
        .replace(
            "  - { id: fire, name: 消防救援支队 / Fire and Rescue }\n",
            "  - { id: fire, name: 消防救援支队 / Fire and Rescue }\n  - { id: fire, name: 又一个 }\n",
        );
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:8:11: duplicate department id `fire`: it is already declared on line 7",
            "wf.yaml:23:9: duplicate task id `land`: it is already used on line 14",
        ]
    );
}

#[test]
fn unknown_calendar_and_rules_are_reported_at_the_field() {
    let text = edit("calendar: cn", "calendar: mars").replace("rules: wf.rhai", "rules: wf.rhia");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:4:11: unknown calendar `mars` (known calendars: cn)",
            "wf.yaml:5:8: unknown rules script `wf.rhia`; did you mean `wf.rhai`?",
        ]
    );
}

// ---- Cycles -------------------------------------------------------------------------

#[test]
fn a_cycle_is_named_in_order_at_its_first_task() {
    let text = edit(
        "    kind: instant\n",
        "    kind: instant\n    needs: [fire-design]\n",
    );
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:13:13: tasks[0] (id `filing`): cycle in needs: filing → fire-design → land \
          → filing (each task needs the next)"
        ]
    );
}

#[test]
fn each_cycle_is_reported_once_and_self_needs_too() {
    let text = "\
id: wf
name: cycles
calendar: cn
departments: [{ id: d, name: D }]
tasks:
  - { id: a, name: A, department: d, kind: instant, needs: [b] }
  - { id: b, name: B, department: d, kind: instant, needs: [c, a] }
  - { id: c, name: C, department: d, kind: instant, needs: [a] }
  - { id: x, name: X, department: d, kind: instant, needs: [y] }
  - { id: y, name: Y, department: d, kind: instant, needs: [x, y] }
";
    assert_eq!(
        errors(text),
        [
            "wf.yaml:6:61: tasks[0] (id `a`): cycle in needs: a → b → a (each task needs the \
             next)",
            "wf.yaml:9:61: tasks[3] (id `x`): cycle in needs: x → y → x (each task needs the \
             next)",
            "wf.yaml:10:64: tasks[4] (id `y`): a task cannot need itself",
        ]
    );
}

// ---- Limits -------------------------------------------------------------------------

#[test]
fn limits_out_of_range_are_reported() {
    let text = edit(
        "    kind: instant\n",
        "    kind: instant\n    statutory_days: 1\n    committed_days: \"1\"\n",
    )
    .replace(
        "statutory_days: 20\n    committed_days: 5",
        "statutory_days: 20\n    committed_days: 25",
    )
    .replace("statutory_days: 60", "statutory_days: -1")
    .replace("committed_days: 0", "committed_days: -3");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:13:21: tasks[0] (id `filing`): an instant task (即办件) is decided on the \
             spot, so `statutory_days` must be 0, not 1",
            "wf.yaml:14:21: tasks[0] (id `filing`): an instant task (即办件) is decided on the \
             spot, so `committed_days` must be 0, not an expression",
            "wf.yaml:20:21: tasks[1] (id `land`): `committed_days` (25) exceeds \
             `statutory_days` (20): the committed limit (承诺时限) may not be longer than the \
             statutory one (法定时限)",
            "wf.yaml:28:21: tasks[2] (id `eia`): `statutory_days` must not be negative (it is \
             -1)",
            "wf.yaml:38:21: tasks[3] (id `fire-design`): `committed_days` must not be negative \
             (it is -3)",
        ]
    );
}

// ---- Rhai ---------------------------------------------------------------------------

#[test]
fn a_broken_rules_script_is_reported_at_its_own_line_and_column() {
    let text = edit("rules: wf.rhai", "rules: broken.rhai");
    // The script's functions are unknown, so calls to them are not reported.
    assert_eq!(
        errors(&text),
        ["rules/broken.rhai:4:13: Rhai syntax error: Unexpected ';'"]
    );
}

#[test]
fn expression_syntax_errors_point_into_the_expression() {
    // Double-quoted: the column is shifted past the quote.
    let text = edit(
        "\"!is_small(app) || app.hazardous == true\"",
        "\"app.x > \"",
    );
    assert_eq!(
        errors(&text),
        ["wf.yaml:30:20: tasks[2] (id `eia`): Rhai syntax error in `when`: Script is incomplete"]
    );
    // Plain.
    let text = edit("\"!is_small(app) || app.hazardous == true\"", "app.x >= (1");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:30:22: tasks[2] (id `eia`): Rhai syntax error in `when`: Expecting ')' for a \
          matching ( in this expression"
        ]
    );
    // Literal block: the line and column within the block.
    let text = edit(
        "\"!is_small(app) || app.hazardous == true\"",
        "|\n      app.x > 1 &&\n        app.y < ",
    );
    assert_eq!(
        errors(&text),
        ["wf.yaml:32:17: tasks[2] (id `eia`): Rhai syntax error in `when`: Script is incomplete"]
    );
    // Escapes make the mapping unsure: the scalar's own position is used.
    let text = edit(
        "\"!is_small(app) || app.hazardous == true\"",
        "\"\\u0061pp.x > \"",
    );
    assert_eq!(
        errors(&text),
        ["wf.yaml:30:11: tasks[2] (id `eia`): Rhai syntax error in `when`: Script is incomplete"]
    );
}

#[test]
fn calls_to_undefined_functions_are_reported_at_the_call() {
    let text = edit("\"eia_days(app)\"", "'eia_days(app) + big(app, 1)'")
        .replace("!is_small(app)", "!is_small(app, 2)");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:27:38: tasks[2] (id `eia`): `committed_days` calls `big` with 2 arguments, \
             which rules script `wf.rhai` does not define",
            "wf.yaml:30:13: tasks[2] (id `eia`): `when` calls `is_small` with 2 arguments, \
             which rules script `wf.rhai` does not define (its `is_small` takes a different \
             number of arguments)",
        ]
    );
    // A built-in helper is known with its own number of arguments, with or without a script.
    let text = edit("\"eia_days(app)\"", "'eia_days(app) + num(app, \"extra\")'")
        .replace("!is_small(app)", "!is_small(app) && flag(app)");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:30:30: tasks[2] (id `eia`): `when` calls `flag` with 1 argument, but the \
          built-in `flag` takes 2 arguments"
        ]
    );
    let text = edit("rules: wf.rhai\n", "")
        .replace("\"eia_days(app)\"", "'num(app, \"days\")'")
        .replace(
            "\"!is_small(app) || app.hazardous == true\"",
            "'not_held(app, \"eia\") && !flag(app, \"small\")'",
        );
    assert!(build_text(&text).is_ok(), "{:?}", build_text(&text).err());
    let text = edit("rules: wf.rhai\n", "");
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:26:22: tasks[2] (id `eia`): `committed_days` calls `eia_days` with 1 \
             argument, but the workflow has no rules script (`rules:`) to define it",
            "wf.yaml:29:13: tasks[2] (id `eia`): `when` calls `is_small` with 1 argument, but \
             the workflow has no rules script (`rules:`) to define it",
        ]
    );
}

// ---- The shared departments file ----------------------------------------------------

#[test]
fn problems_in_the_shared_departments_file_are_reported_in_its_name() {
    let mut sources = sources();
    sources.departments = Some(SourceText {
        name: "workflows/departments.yaml".to_string(),
        text: "departments:\n  - { id: housing, name: A }\n  - { id: housing, name: B }\n  - { id: x, title: Y }\nextra: 1\n".to_string(),
    });
    let text = edit("department: natural-resources", "department: housing");
    let source = SourceText {
        name: "wf.yaml".to_string(),
        text,
    };
    let errors: Vec<String> = build(&source, &sources)
        .unwrap_err()
        .0
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errors,
        [
            "wf.yaml:11:17: tasks[0] (id `filing`): unknown department `development-reform`; \
             known departments: fire, housing, x",
            "workflows/departments.yaml:3:11: duplicate department id `housing`: it is already \
             declared on line 2",
            "workflows/departments.yaml:4:5: departments[2] (id `x`): missing field `name`",
            "workflows/departments.yaml:4:14: departments[2] (id `x`): unknown field `title`; \
             expected one of: id, name",
            "workflows/departments.yaml:5:1: unknown field `extra`; expected one of: departments",
        ]
    );
}

mod application;
mod supervision;
