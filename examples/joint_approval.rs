//! One joint approval end to end: publish a workflow, launch a case, let every department
//! claim and approve its tasks (in parallel where the plan allows), issue at one window.
//!
//! Run: `cargo run -p greenlane-runtime --example joint-approval`

use std::sync::Arc;

use chrono::TimeZone;
use greenlane_engine::case::Command;
use greenlane_engine::principal::{Principal, Role};
use greenlane_runtime::memory::MemoryBackend;
use greenlane_runtime::ports::{DefinitionSource, ManualClock, RecordingNotifier};
use greenlane_runtime::{access, LaunchRequest, Runtime, RuntimeConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let read = |path: &str| std::fs::read_to_string(format!("{root}/{path}"));
    // Monday 2026-03-02, 09:00 in Shanghai: the shipped calendar covers 2024–2026.
    let clock = ManualClock::new(chrono::Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap());
    let runtime = Runtime::new(
        Arc::new(MemoryBackend::new()),
        Arc::new(clock),
        Arc::new(RecordingNotifier::default()),
        RuntimeConfig::new(
            "jilin-city",
            greenlane_engine::calendar::shipped::cn_calendars(),
        ),
    );

    // Policy staff publish the workflow with its rules (version 1).
    let source = DefinitionSource {
        workflow_name: "enterprise-registration.yaml".into(),
        workflow: read("workflows/enterprise-registration.yaml")?,
        rules: Some((
            "enterprise-registration.rhai".into(),
            read("rules/enterprise-registration.rhai")?,
        )),
        departments: Some(read("workflows/departments.yaml")?),
    };
    let policy = Principal::new("policy-1", Role::Policy, "jilin-city");
    runtime.publish(source, &policy.id).await?;

    // The coordinator launches the case at the one window.
    let coordinator = Principal::new("window-3", Role::Coordinator, "jilin-city");
    let application: serde_json::Value = serde_json::from_str(&read(
        "examples/applications/enterprise-registration-limited-company.json",
    )?)?;
    let workflow = "enterprise-registration".into();
    // The code is given to the applicant once; only its argon2id hash is recorded.
    let (code, hash) = access::issue(access::HashParams::default()).await?;
    let request = LaunchRequest::new(&workflow, application, hash);
    let launched = runtime.launch(&coordinator, request).await?;
    println!(
        "受理 launched {} · 承诺办结 promised {}",
        launched.case, launched.promised_completion
    );
    println!("查询码 access code {}", code.reveal());

    // Every department works its queue until the case is complete.
    let state = runtime.case(&launched.case).await?;
    let departments: Vec<_> = state
        .tasks
        .iter()
        .map(|t| t.plan.department.clone())
        .collect();
    let mut round = 0;
    while runtime.case(&launched.case).await?.is_open() {
        round += 1;
        for department in &departments {
            let officer = Principal::officer(
                &format!("{department}-1"),
                department.as_str(),
                "jilin-city",
            );
            while let Some(claimed) = runtime.claim_next(&officer, None).await? {
                let approve = Command::approve(claimed.task.clone());
                runtime.execute(&claimed.case, &officer, approve).await?;
                println!(
                    "  round {round}: {department} 批准 approved {}",
                    claimed.task
                );
            }
        }
    }
    runtime
        .execute(&launched.case, &coordinator, Command::Issue)
        .await?;
    let timeline = runtime.timeline(&launched.case).await?;
    println!(
        "出件 issued at one window; {} events recorded",
        timeline.len()
    );
    Ok(())
}
