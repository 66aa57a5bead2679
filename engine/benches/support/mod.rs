//! Shipped definitions for benchmarks, read from the repository at compile time so a
//! benchmark measures the engine, not the disk.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::sync::Arc;

use greenlane_engine::calendar::Calendar;
use greenlane_engine::plan::CompiledWorkflow;
use greenlane_engine::source::SourceText;
use greenlane_engine::workflow::{build, Sources};

fn file(name: &str, text: &str) -> SourceText {
    SourceText {
        name: name.to_owned(),
        text: text.to_owned(),
    }
}

/// The shipped `cn` calendar.
pub fn cn() -> Calendar {
    (*greenlane_engine::calendar::shipped::cn()).clone()
}

/// The shipped industrial-project workflow, compiled.
pub fn industrial_project() -> CompiledWorkflow {
    let sources = Sources {
        departments: Some(file(
            "workflows/departments.yaml",
            include_str!("../../../workflows/departments.yaml"),
        )),
        rules: BTreeMap::from([(
            "industrial-project.rhai".to_string(),
            file(
                "rules/industrial-project.rhai",
                include_str!("../../../rules/industrial-project.rhai"),
            ),
        )]),
        calendars: BTreeMap::from([("cn".into(), Arc::new(cn()))]),
    };
    let workflow = file(
        "workflows/industrial-project.yaml",
        include_str!("../../../workflows/industrial-project.yaml"),
    );
    match build(&workflow, &sources) {
        Ok(compiled) => compiled,
        Err(diagnostics) => panic!("shipped workflow is invalid:\n{diagnostics}"),
    }
}

/// The chemical-plant example application.
pub fn chemical_plant() -> serde_json::Value {
    serde_json::from_str(include_str!(
        "../../../examples/applications/industrial-project-chemical-plant.json"
    ))
    .expect("example application is JSON")
}
