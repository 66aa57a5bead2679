//! The drain: officers of every department of every published workflow claim and approve
//! every open task until no case is open. Crash tests use it to finish a run that was
//! killed, after `greenlane recover` (or `Runtime::recover`) brought the store in line.

use greenlane_engine::case::CaseStatusKind;
use std::collections::BTreeSet;
use std::time::Duration;

use greenlane_engine::case::Command;
use greenlane_engine::ids::DepartmentId;
use greenlane_engine::principal::Principal;
use greenlane_runtime::ports::{Backend, CaseIndex, DefinitionStore};
use greenlane_runtime::{Runtime, RuntimeError};

/// Approves every open task as officers of `center` until no case is open, and returns
/// how many approvals it made. Tasks still leased by workers of a killed process come back
/// when their leases run out: while nothing is claimable the drain ticks and waits.
pub async fn drain<B: Backend>(runtime: &Runtime<B>, center: &str) -> Result<usize, RuntimeError> {
    let departments = departments(runtime).await?;
    let mut approved = 0;
    while open_cases(runtime).await? > 0 {
        let mut progress = false;
        for department in &departments {
            let officer =
                Principal::officer(&format!("drain-{department}"), department.as_str(), center);
            while let Some(claimed) = runtime.claim_next(&officer, None).await? {
                let approve = Command::approve(claimed.task);
                runtime.execute(&claimed.case, &officer, approve).await?;
                approved += 1;
                progress = true;
            }
        }
        if !progress {
            runtime.tick().await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    Ok(approved)
}

/// Every department of every published version.
async fn departments<B: Backend>(
    runtime: &Runtime<B>,
) -> Result<BTreeSet<DepartmentId>, RuntimeError> {
    let mut departments = BTreeSet::new();
    for (workflow, latest) in runtime.backend().definitions().workflows().await? {
        for version in 1..=latest {
            let definition = runtime.definition(&workflow, version).await?;
            departments.extend(definition.workflow.departments.keys().cloned());
        }
    }
    Ok(departments)
}

/// Cases still open in the store.
pub async fn open_cases<B: Backend>(runtime: &Runtime<B>) -> Result<usize, RuntimeError> {
    Ok(runtime
        .backend()
        .events()
        .cases(Some(CaseStatusKind::Open), None, usize::MAX)
        .await?
        .len())
}
