//! The bad-file corpus: every workflow under `corpus/bad/` must fail to build with exactly
//! the diagnostics in the `.expected` file next to it, and `corpus/good/` must build.
//!
//! Each `corpus/bad/<kind>.yaml` shows one kind of problem (`many-problems.yaml` several at
//! once); `<kind>.expected` lists its diagnostics, one `file:line:column: message` per line,
//! with files named as this test passes them (relative to the `tests` crate). Bad rules
//! scripts live in `corpus/bad/rules/`; a `corpus/bad/departments/<kind>.yaml` replaces the
//! shared departments file for `<kind>.yaml`.
//!
//! Run with `GREENLANE_BLESS=1` to rewrite the `.expected` files from the actual output
//! (then review the diff).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use greenlane_engine::source::SourceText;
use greenlane_engine::supervision::{AlertLevel, Occasion, WarningPolicy};
use greenlane_engine::workflow::{build, FieldKind, Sources};

/// Reads a corpus file, named by its path relative to the `tests` crate.
fn source(path: impl AsRef<Path>) -> SourceText {
    let path = path.as_ref();
    let text = fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    SourceText {
        name: path.to_string_lossy().replace('\\', "/"),
        text,
    }
}

/// The `*.<ext>` files of a corpus folder, sorted.
fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot list {dir}: {error}"))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// Everything the corpus workflows may refer to: the corpus's departments and scripts,
/// and the calendars shipped under `rules/calendars/`.
fn sources() -> Sources {
    let mut rules = BTreeMap::new();
    for dir in ["corpus/rules", "corpus/bad/rules"] {
        for path in files(dir, "rhai") {
            let key = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            rules.insert(key, source(&path));
        }
    }
    Sources {
        departments: Some(source("corpus/departments.yaml")),
        rules,
        calendars: greenlane_fs::Project::new("..")
            .calendars()
            .expect("the shipped calendars load"),
    }
}

#[test]
fn every_bad_file_reports_exactly_its_expected_diagnostics() {
    let bless = std::env::var_os("GREENLANE_BLESS").is_some();
    let base = sources();
    let workflows = files("corpus/bad", "yaml");
    assert!(workflows.len() >= 20, "the corpus went missing");
    let mut failures = Vec::new();
    for path in &workflows {
        let workflow = source(path);
        let mut sources = base.clone();
        let departments = Path::new("corpus/bad/departments").join(path.file_name().unwrap());
        if departments.exists() {
            sources.departments = Some(source(&departments));
        }
        let actual: Vec<String> = match build(&workflow, &sources) {
            Ok(_) => {
                failures.push(format!("{}: built without any diagnostic", workflow.name));
                continue;
            }
            Err(diagnostics) => diagnostics.0.iter().map(ToString::to_string).collect(),
        };
        let expected_path = path.with_extension("expected");
        let expected_text = fs::read_to_string(&expected_path).unwrap_or_default();
        let expected: Vec<String> = expected_text.lines().map(str::to_string).collect();
        if bless {
            let mut text = actual.join("\n");
            text.push('\n');
            fs::write(&expected_path, text).expect("write the expected file");
            continue;
        }
        if actual != expected {
            failures.push(format!(
                "{}: diagnostics differ from {}\n--- expected\n{}\n--- actual\n{}",
                workflow.name,
                expected_path.display(),
                expected.join("\n"),
                actual.join("\n"),
            ));
        }
    }
    // Every expected file belongs to a workflow of the corpus.
    for expected in files("corpus/bad", "expected") {
        if !workflows.contains(&expected.with_extension("yaml")) {
            failures.push(format!(
                "{}: no workflow file beside it",
                expected.display()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n\n"));
}

#[test]
fn the_good_workflow_builds_into_the_expected_model() {
    let sources = sources();
    let workflow = source("corpus/good/small.yaml");
    let compiled = match build(&workflow, &sources) {
        Ok(compiled) => compiled,
        Err(diagnostics) => panic!("{diagnostics}"),
    };
    let model = &compiled.workflow;
    assert_eq!(model.id.as_str(), "small");
    assert_eq!(model.rules.as_deref(), Some("industrial.rhai"));
    assert!(model.departments.contains_key("planning"));
    assert!(model.departments.contains_key("ecology"));
    let tasks: Vec<(&str, u32, String)> = model
        .tasks
        .iter()
        .map(|t| {
            (
                t.id.as_str(),
                t.statutory_days,
                serde_json::to_string(&t.committed_days).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tasks,
        [
            ("filing", 0, "0".to_string()),
            ("land", 20, "5".to_string()),
            ("eia", 60, "\"eia_days(app)\"".to_string()),
            ("permit", 20, "20".to_string()),
        ]
    );
    let needs: Vec<Vec<&str>> = model
        .tasks
        .iter()
        .map(|t| t.needs.iter().map(|n| n.as_str()).collect())
        .collect();
    assert_eq!(
        needs,
        [vec![], vec!["filing"], vec!["filing"], vec!["land", "eia"]]
    );
    let fields: Vec<(&str, FieldKind, bool)> = model
        .application
        .fields
        .iter()
        .map(|f| (f.id.as_str(), f.kind, f.required))
        .collect();
    assert_eq!(
        fields,
        [
            ("investment_wan", FieldKind::Number, true),
            ("hazardous", FieldKind::Boolean, false),
            ("land_supply", FieldKind::Choice, false),
        ]
    );
    assert_eq!(
        compiled.warning,
        WarningPolicy {
            days_left: 2,
            used_percent: 80
        }
    );
    let escalation = compiled.escalation();
    let names = |occasion| -> Vec<String> {
        escalation
            .chain
            .get(occasion)
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(
        names(Occasion::AtRisk),
        ["coordinator", "department_head:planning", "center"]
    );
    assert_eq!(
        names(Occasion::Alert(AlertLevel::Red)),
        ["officer", "department_head", "center", "supervision_office"]
    );
    assert_eq!(escalation.function.as_deref(), Some("escalate"));
}
