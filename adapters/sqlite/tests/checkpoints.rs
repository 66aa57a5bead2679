//! Who checkpoints the WAL. With the background checkpointer the database file takes in
//! what was committed within moments, though the WAL holds far fewer than the 1,000 pages
//! that make SQLite's own commit checkpoint; inline (the default), the same writes stay in
//! the WAL. Either way everything reads back after a reopen.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use greenlane_engine::ids::{PrincipalId, WorkflowId};
use greenlane_runtime::ports::{Backend, DefinitionSource, DefinitionStore, PublishedDefinition};
use greenlane_sqlite::{SqliteBackend, SqliteOptions, WalCheckpoints};

/// Publishes 12 versions of about 100 KB each (some 300 pages).
async fn write(backend: &SqliteBackend) {
    for version in 1..=12u32 {
        let text = format!("id: big\n# {}\n", "大".repeat(33_000));
        backend
            .definitions()
            .publish(&PublishedDefinition {
                workflow: WorkflowId::new("big"),
                version,
                published_at: Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
                published_by: PrincipalId::new("policy-1"),
                source: DefinitionSource {
                    workflow_name: "big.yaml".into(),
                    workflow: text,
                    rules: None,
                    departments: None,
                },
                samples: Vec::new(),
            })
            .await
            .unwrap();
    }
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

async fn main_file_after_writes(checkpoints: WalCheckpoints) -> (u64, u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let backend =
        SqliteBackend::open_with(&path, SqliteOptions::default().wal_checkpoints(checkpoints))
            .unwrap();
    let before = size(&path);
    write(&backend).await;
    let started = Instant::now();
    while size(&path) < before + 1_000_000 && started.elapsed() < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = size(&path);
    drop(backend);
    let reopened = SqliteBackend::open(&path).unwrap();
    assert_eq!(
        reopened
            .definitions()
            .latest(&WorkflowId::new("big"))
            .await
            .unwrap(),
        12,
        "every version reads back"
    );
    (before, after)
}

#[tokio::test]
async fn the_background_checkpointer_copies_the_wal_into_the_file_and_inline_waits() {
    let (before, after) = main_file_after_writes(WalCheckpoints::Background).await;
    assert!(
        after >= before + 1_000_000,
        "the file took in the WAL: {before} → {after} bytes"
    );
    let (before, after) = main_file_after_writes(WalCheckpoints::Inline).await;
    assert!(
        after < before + 1_000_000,
        "inline, fewer than 1,000 pages stay in the WAL: {before} → {after} bytes"
    );
}
