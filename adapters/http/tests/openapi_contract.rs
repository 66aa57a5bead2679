//! The OpenAPI document as a contract: every `$ref` resolves, every error answer an
//! operation lists is `application/problem+json` with the `Problem` schema, every secured
//! operation declares 401 and 503, every operation with a JSON body declares the answers the
//! body extractor gives (400, 413, 415, 422), and the enumerated fields are enums with the
//! wire values the server sends.
//!
//! The schemathesis run of `tests/contract/run.sh` checks the same document against a live
//! server; this test keeps the document's shape from drifting between such runs.

use std::collections::BTreeSet;

use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(greenlane_http::openapi()).unwrap()
}

/// Every `$ref` under `value`, with the JSON path it was found at.
fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "$ref" {
                    if let Some(target) = inner.as_str() {
                        out.push((at.to_string(), target.to_string()));
                    }
                } else {
                    refs(inner, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                refs(inner, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Each operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), operation.clone()));
            }
        }
    }
    out
}

/// The schema `value` refers to, or `value` itself.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(target) => doc
            .pointer(target.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{target} does not resolve")),
        None => value,
    }
}

/// The enum values of `schema` (through a `$ref`, a `oneOf` with `null`, or an array's
/// items).
fn enum_values(doc: &Value, schema: &Value) -> BTreeSet<String> {
    let schema = resolve(doc, schema);
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
    }
    if schema["type"] == "array" {
        return enum_values(doc, &schema["items"]);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(items) = schema[key].as_array() {
            let values: BTreeSet<String> = items
                .iter()
                .flat_map(|item| enum_values(doc, item))
                .collect();
            if !values.is_empty() {
                return values;
            }
        }
    }
    BTreeSet::new()
}

fn set(values: &[&str]) -> BTreeSet<String> {
    values.iter().map(|v| v.to_string()).collect()
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, "", &mut found);
    assert!(!found.is_empty(), "the document has references");
    let dangling: Vec<_> = found
        .iter()
        .filter(|(_, target)| {
            !target.starts_with("#/") || doc.pointer(&target[1..]).is_none_or(Value::is_null)
        })
        .collect();
    assert!(dangling.is_empty(), "dangling references: {dangling:?}");
}

#[test]
fn every_error_answer_is_problem_json() {
    let doc = document();
    let mut errors = 0;
    for (method, path, operation) in operations(&doc) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            let code: u16 = status.parse().unwrap();
            let response = resolve(&doc, response);
            if code < 400 {
                continue;
            }
            assert!(
                response["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{method} {path} {status}: no description"
            );
            errors += 1;
            let content = response["content"]
                .as_object()
                .unwrap_or_else(|| panic!("{method} {path} {status}: no content"));
            let types: Vec<&String> = content.keys().collect();
            assert_eq!(
                types,
                ["application/problem+json"],
                "{method} {path} {status}"
            );
            assert_eq!(
                content["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{method} {path} {status}"
            );
            if code == 503 {
                assert!(
                    response["headers"]["Retry-After"].is_object(),
                    "{method} {path}: 503 without Retry-After"
                );
            }
        }
    }
    assert!(errors > 100, "only {errors} error answers declared");
}

#[test]
fn secured_operations_and_bodies_declare_their_common_answers() {
    let doc = document();
    let mut secured = 0;
    for (method, path, operation) in operations(&doc) {
        let statuses: BTreeSet<&str> = operation["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let is_secured = operation["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty());
        if is_secured {
            secured += 1;
            for status in ["401", "503"] {
                assert!(
                    statuses.contains(status),
                    "{method} {path} is secured and does not declare {status}"
                );
            }
        }
        if operation["requestBody"].is_object() {
            for status in ["400", "413", "415", "422"] {
                assert!(
                    statuses.contains(status),
                    "{method} {path} takes a body and does not declare {status}"
                );
            }
        }
        let takes_parameters = operation["parameters"]
            .as_array()
            .is_some_and(|p| !p.is_empty());
        if takes_parameters {
            assert!(statuses.contains("400"), "{method} {path}: no 400");
        }
        // Applicants inquire with an access code; the audit public key is for anyone
        // who verifies an export.
        let public = path.starts_with("/api/v1/inquiry") || path == "/api/v1/audit/public-key";
        if path.starts_with("/api/v1/") && !public {
            assert!(is_secured, "{method} {path} is not declared secured");
        }
    }
    assert!(secured >= 30, "only {secured} secured operations");
}

#[test]
fn enumerated_fields_are_enums_with_the_wire_values() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let levels = set(&["warning", "yellow", "red"]);
    let task_states = set(&[
        "waiting",
        "ready",
        "claimed",
        "suspended",
        "approved",
        "rejected",
        "withdrawn",
    ]);
    let case_states = set(&["open", "completed", "issued", "rejected", "withdrawn"]);
    let fields = [
        ("CaseHeader", "state", case_states.clone()),
        ("CaseHeader", "highest_alert", levels.clone()),
        ("TaskView", "state", task_states),
        (
            "TaskView",
            "kind",
            set(&["instant", "commitment", "referred"]),
        ),
        ("TaskView", "alerts", levels.clone()),
        ("AlertView", "level", levels.clone()),
        (
            "InboxEntry",
            "state",
            set(&["ready", "claimed", "suspended"]),
        ),
        ("InboxEntry", "alerts", levels.clone()),
        ("DayView", "kind", set(&["off", "work"])),
        (
            "ProcedureRequest",
            "procedure",
            set(&[
                "hearing",
                "expert_review",
                "testing",
                "appraisal",
                "public_notice",
            ]),
        ),
        ("YearView", "kind", set(&["official", "provisional"])),
    ];
    for (schema, property, expected) in fields {
        let field = &schemas[schema]["properties"][property];
        assert!(field.is_object(), "{schema}.{property} missing");
        assert_eq!(
            enum_values(&doc, field),
            expected,
            "{schema}.{property} is not the enum of its wire values"
        );
    }
    let roles = enum_values(&doc, &schemas["Me"]["properties"]["role"]);
    for role in ["coordinator", "officer", "policy", "supervisor", "admin"] {
        assert!(roles.contains(role), "Me.role lacks {role}: {roles:?}");
    }
    for schema in ["TimelineEntry", "LiveEvent"] {
        let kinds = enum_values(&doc, &schemas[schema]["properties"]["kind"]);
        for kind in ["launched", "task_approved", "alert_raised", "case_redated"] {
            assert!(
                kinds.contains(kind),
                "{schema}.kind lacks {kind}: {kinds:?}"
            );
        }
    }
    let parameter = |path: &str, method: &str, name: &str| -> BTreeSet<String> {
        let parameters = doc["paths"][path][method]["parameters"].as_array().unwrap();
        let found = parameters
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {path}: no parameter {name}"));
        enum_values(&doc, &found["schema"])
    };
    assert_eq!(parameter("/api/v1/cases", "get", "state"), case_states);
    assert_eq!(parameter("/api/v1/cases", "get", "alert"), levels);
    assert_eq!(
        parameter("/api/v1/supervision/alerts", "get", "level"),
        levels
    );
    let formats = set(&["json", "dot", "mermaid"]);
    assert_eq!(
        parameter("/api/v1/cases/{case}/dag", "get", "format"),
        formats
    );
    assert_eq!(
        parameter("/api/v1/definitions/{workflow}/plan", "post", "format"),
        formats
    );
}
