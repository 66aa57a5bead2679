//! Tests of the `application` section: the schema it builds, every problem in it reported
//! at its position, rules reading fields it does not declare, and applications checked
//! against it (at launch too).

use serde_json::json;

use super::*;
use crate::case::{decide_launch, Command, Rejection};
use crate::principal::{Principal, Role};

/// `GOOD` with `section` appended (from line 38 on).
fn with(section: &str) -> String {
    format!("{GOOD}{section}")
}

/// The fields `GOOD`'s rules read (`app.investment_wan` in the script, `app.hazardous` in
/// a `when`), with a choice, a date and a multi-select besides.
const SECTION: &str = "\
application:
  - id: applicant
    type: text
    label: 项目单位
    required: true
    help: 全称
  - id: investment_wan
    type: number
    label: 总投资（万元）
    required: true
  - id: hazardous
    type: boolean
    label: 涉及危险化学品
  - id: land_supply
    type: choice
    label: 供地方式
    choices:
      - { value: transfer, label: 出让 }
      - allocation
  - id: start_on
    type: date
    label: 计划开工日期
  - id: held
    type: list
    label: 已取得的批文
    choices: [filing, land]
  - id: scope
    type: list
    label: 经营范围
";

fn schema() -> ApplicationSchema {
    let compiled = build_text(&with(SECTION)).unwrap_or_else(|d| panic!("{d}"));
    compiled.workflow.application.clone()
}

fn field_errors(application: serde_json::Value) -> Vec<(String, String)> {
    match schema().validate(&application) {
        Ok(()) => panic!("expected problems with {application}"),
        Err(errors) => errors
            .into_iter()
            .map(|error| (error.field, error.message))
            .collect(),
    }
}

// ---- The schema --------------------------------------------------------------------

#[test]
fn the_section_builds_the_schema_in_order() {
    let compiled = build_text(&with(SECTION)).unwrap_or_else(|d| panic!("{d}"));
    let schema = compiled.application();
    let ids: Vec<&str> = schema.fields.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "applicant",
            "investment_wan",
            "hazardous",
            "land_supply",
            "start_on",
            "held",
            "scope"
        ]
    );
    let applicant = schema.field("applicant").unwrap();
    assert_eq!(applicant.kind, FieldKind::Text);
    assert_eq!(applicant.label, "项目单位");
    assert!(applicant.required);
    assert_eq!(applicant.help.as_deref(), Some("全称"));
    let hazardous = schema.field("hazardous").unwrap();
    assert!(!hazardous.required, "required defaults to false");
    assert_eq!(hazardous.help, None);
    assert_eq!(
        schema.field("land_supply").unwrap().choices,
        [
            Choice {
                value: "transfer".into(),
                label: "出让".into()
            },
            Choice {
                value: "allocation".into(),
                label: "allocation".into()
            },
        ],
        "a plain string is its own label"
    );
    assert!(schema.field("scope").unwrap().choices.is_empty());
    assert!(schema.field("nothing").is_none());
    assert!(!schema.is_empty());
}

#[test]
fn the_schema_serialises_with_type_as_the_kind() {
    let json = serde_json::to_value(schema()).unwrap();
    assert_eq!(
        json["fields"][3],
        json!({
            "id": "land_supply",
            "type": "choice",
            "label": "供地方式",
            "required": false,
            "help": null,
            "choices": [
                { "value": "transfer", "label": "出让" },
                { "value": "allocation", "label": "allocation" }
            ]
        })
    );
    let back: ApplicationSchema = serde_json::from_value(json).unwrap();
    assert_eq!(back, schema());
}

#[test]
fn a_workflow_without_the_section_declares_nothing_and_checks_nothing() {
    let compiled = build_text(GOOD).unwrap_or_else(|d| panic!("{d}"));
    assert!(compiled.workflow.application.is_empty());
    assert_eq!(
        compiled
            .workflow
            .application
            .validate(&json!({"anything": [1, 2], "investment_wan": "many"})),
        Ok(())
    );
}

#[test]
fn every_problem_of_the_section_is_located() {
    let text = with(
        "\
application:
  - id: investment_wan
    type: number
    label: 总投资
    choices: [a]
  - id: hazardous
    type: bool
    label: 危险化学品
  - id: investment_wan
    type: text
    label: 重复
  - id: kind
    type: choice
    label: 类型
  - id: Scope
    type: list
    label: 范围
    choices: [a, { value: b, label: 乙 }, a, 7, { value: c }]
  - id: note
    type: text
    lable: 备注
    required: yes
",
    );
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:42:5: application[0] (id `investment_wan`): a `number` field takes no \
             `choices`: only `choice` and `list` fields do",
            "wf.yaml:44:11: application[1] (id `hazardous`): `type` must be one of text, \
             number, boolean, choice, date, list, not `bool`",
            "wf.yaml:46:9: application[2] (id `investment_wan`): duplicate field id \
             `investment_wan`: it is already declared on line 39",
            "wf.yaml:49:5: application[3] (id `kind`): missing field `choices`",
            "wf.yaml:52:9: application[4] (id `Scope`): field id `Scope` is not a valid id: \
             use lowercase letters, digits and `_`, starting with a letter (it is the \
             application's JSON key and what rules read as `app.Scope`)",
            "wf.yaml:55:42: application[4] (id `Scope`): `choices` lists `a` twice: it is \
             already on line 55",
            "wf.yaml:55:45: application[4] (id `Scope`): `choices[3]` must be a non-empty \
             string or a mapping with value and label, not the number 7 (put it in quotes to \
             make it one)",
            "wf.yaml:55:48: application[4] (id `Scope`): `choices[4]`: missing field `label`",
            "wf.yaml:56:5: application[5] (id `note`): missing field `label`",
            "wf.yaml:58:5: application[5] (id `note`): unknown field `lable`; expected one \
             of: id, type, label, required, help, choices",
            "wf.yaml:59:15: application[5] (id `note`): `required` must be `true` or \
             `false`, not the string `yes`",
        ]
    );
}

#[test]
fn an_empty_section_is_reported() {
    assert_eq!(
        errors(&with("application: []\n")),
        [
            "wf.yaml:38:14: `application` is empty: declare the application's fields, or leave \
          the section out to launch applications unchecked"
        ]
    );
}

// ---- Rules reading fields the section does not declare -----------------------------

#[test]
fn rules_reading_undeclared_fields_are_located_in_the_script_and_the_yaml() {
    let text = with(
        "\
application:
  - id: investment
    type: number
    label: 总投资
",
    );
    assert_eq!(
        errors(&text),
        [
            // `when: \"!is_small(app) || app.hazardous == true\"` on line 30.
            "wf.yaml:30:34: tasks[2] (id `eia`): `when` reads application field `hazardous` \
             (with `app.hazardous`), which `application` does not declare; declare it, or \
             correct the name",
            "rules/wf.rhai:1:24: function `is_small` reads application field \
             `investment_wan` (with `app.investment_wan`), which `application` in wf.yaml \
             does not declare; did you mean `investment`?",
        ]
    );
}

#[test]
fn an_undeclared_field_is_reported_once_naming_its_other_readers() {
    let text = edit(
        "    when: \"!is_small(app) || app.hazardous == true\"\n",
        "    when: 'not_held(app, \"eia\") && flag(app, \"hazardous\")'\n",
    )
    .replace(
        "    committed_days: 0\n    needs: [land, eia]\n",
        "    committed_days: 0\n    needs: [land, eia]\n    when: 'held(app, \"land\")'\n",
    );
    let text = format!(
        "{text}application:\n  - id: investment_wan\n    type: number\n    label: 总投资\n"
    );
    assert_eq!(
        errors(&text),
        [
            "wf.yaml:30:12: tasks[2] (id `eia`): `when` reads application field `held` (with \
             `not_held`), which `application` does not declare; declare it, or correct the \
             name (read by 1 other expression too)",
            "wf.yaml:30:46: tasks[2] (id `eia`): `when` reads application field `hazardous` \
             (with `flag`), which `application` does not declare; declare it, or correct the \
             name",
        ]
    );
}

#[test]
fn a_script_function_names_where_each_undeclared_field_is_read() {
    let mut sources = sources();
    sources.rules.get_mut("wf.rhai").unwrap().text.push_str(
        "\
fn scope(app) { list(app, \"scope\").len() + app.scope.len() }
fn also_scope(app) { \"scope\" in app }
",
    );
    let text = with(
        SECTION
            .replace("  - id: scope\n", "  - id: scopes\n")
            .as_str(),
    );
    let Err(diagnostics) = build(
        &SourceText {
            name: "wf.yaml".to_string(),
            text,
        },
        &sources,
    ) else {
        panic!("expected diagnostics");
    };
    let errors: Vec<String> = diagnostics.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [
            "rules/wf.rhai:3:27: function `scope` reads application field `scope` (with `list`), \
          which `application` in wf.yaml does not declare; did you mean `scopes`? (also read \
          in `also_scope`)"
        ]
    );
}

// ---- Applications checked against the schema ----------------------------------------

#[test]
fn a_matching_application_passes() {
    let application = json!({
        "applicant": "吉林市某某有限公司",
        "investment_wan": 1200.5,
        "hazardous": false,
        "land_supply": "allocation",
        "start_on": "2026-02-28",
        "held": ["filing"],
        "scope": ["anything", "at all"]
    });
    assert_eq!(schema().validate(&application), Ok(()));
    // Optional fields may be absent, null or "" (what a form sends for a blank field).
    let short = json!({
        "applicant": "某某",
        "investment_wan": 0,
        "land_supply": "",
        "start_on": null
    });
    assert_eq!(schema().validate(&short), Ok(()));
}

#[test]
fn every_problem_is_reported_in_field_order() {
    let problems = field_errors(json!({
        "zeta": 1,
        "applicant": "",
        "investment_wan": "1200",
        "hazardous": "yes",
        "land_supply": "lease",
        "start_on": "2026-02-30",
        "held": ["filing", "eia", 3],
        "scope": "food",
        "alpha": true
    }));
    assert_eq!(
        problems,
        [
            ("applicant".to_string(), "必填 required".to_string()),
            (
                "investment_wan".to_string(),
                "应为数字 must be a number, not the string `1200`".to_string()
            ),
            (
                "hazardous".to_string(),
                "应为是或否 must be true or false, not the string `yes`".to_string()
            ),
            (
                "land_supply".to_string(),
                "`lease` 不是可选值 is not one of: `transfer` (出让), `allocation`".to_string()
            ),
            (
                "start_on".to_string(),
                "应为日期 YYYY-MM-DD must be a date YYYY-MM-DD, not `2026-02-30`".to_string()
            ),
            (
                "held".to_string(),
                "[1]: `eia` 不是可选值 is not one of: `filing`, `land`; [2]: 应为文本 must be a \
                 string, not the number 3"
                    .to_string()
            ),
            (
                "scope".to_string(),
                "应为文本列表 must be a list of strings, not the string `food`".to_string()
            ),
            (
                "alpha".to_string(),
                "未声明的字段 undeclared field".to_string()
            ),
            (
                "zeta".to_string(),
                "未声明的字段 undeclared field".to_string()
            ),
        ]
    );
}

#[test]
fn missing_and_null_required_fields_and_odd_shapes_are_named() {
    let problems = field_errors(json!({ "investment_wan": null, "start_on": "2026-3-2" }));
    assert_eq!(
        problems,
        [
            ("applicant".to_string(), "必填 required".to_string()),
            ("investment_wan".to_string(), "必填 required".to_string()),
            (
                "start_on".to_string(),
                "应为日期 YYYY-MM-DD must be a date YYYY-MM-DD, not `2026-3-2`".to_string()
            ),
        ]
    );
    let problems = field_errors(json!({
        "applicant": ["a"],
        "investment_wan": true,
        "land_supply": { "value": "transfer" },
        "start_on": 20260302
    }));
    let fields: Vec<&str> = problems.iter().map(|(field, _)| field.as_str()).collect();
    assert_eq!(
        fields,
        ["applicant", "investment_wan", "land_supply", "start_on"]
    );
    assert_eq!(
        field_errors(json!([1])),
        [(
            String::new(),
            "申请应为 JSON 对象 the application must be a JSON object".to_string()
        )]
    );
}

#[test]
fn a_launch_of_a_mismatching_application_is_refused_naming_every_field() {
    let compiled = build_text(&with(SECTION)).unwrap_or_else(|d| panic!("{d}"));
    let launch = |application: serde_json::Value| Command::Launch {
        case: "case-1".into(),
        workflow: "wf".into(),
        version: 1,
        application,
        time_zone: "Asia/Shanghai".into(),
        access_code_hash: "hash".into(),
    };
    let coordinator = Principal::new("coord", Role::Coordinator, "jilin-city");
    let now = "2026-03-02T01:00:00Z".parse().unwrap();
    let refused = decide_launch(
        &compiled,
        &coordinator,
        &launch(json!({ "investment_wan": "big", "hazardous": false })),
        now,
    );
    let Err(Rejection::InvalidApplication { errors }) = refused else {
        panic!("expected an invalid application, got {refused:?}");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["applicant", "investment_wan"]);
    assert_eq!(
        Rejection::InvalidApplication { errors }.to_string(),
        "申请内容与流程声明的字段不符 the application does not match the fields the workflow \
         declares: `applicant`: 必填 required; `investment_wan`: 应为数字 must be a number, not \
         the string `big`"
    );
    let launched = decide_launch(
        &compiled,
        &coordinator,
        &launch(json!({ "applicant": "某某", "investment_wan": 6000 })),
        now,
    )
    .unwrap_or_else(|r| panic!("{r}"));
    assert!(matches!(launched[0], crate::case::Event::Launched { .. }));
}
