//! The audit trail on every backend: each case's stored chain verifies and matches its
//! events, checkpoints are signed per center, follow each other and cover what grew, a
//! checkpoint number is taken once, and an export of the store verifies offline.

use std::sync::Arc;

use greenlane_engine::audit::export;
use greenlane_engine::audit::SigningKey;
use greenlane_engine::case::Recorded;
use greenlane_runtime::audit::{self, ExportFilter};
use greenlane_runtime::ports::{AuditLog, Backend, Clock, EventStream};
use greenlane_runtime::StoreError;

use super::runtime::Harness;

/// Chains, checkpoints and exports over a case run on the backend.
pub async fn audit_trail<B: Backend>(backend: Arc<B>) {
    let h = Harness::new(backend).await;
    let events = h.backend.events();
    let key = SigningKey::from_bytes(&[7; 32]);
    let case = h.launch().await;
    h.claim_and_approve("window").await.expect("intake");

    let chain = events.chain(&case).await.unwrap();
    let stored = events.load(&case).await.unwrap();
    assert_eq!(chain.len(), stored.len(), "one chain record per event");
    for (record, event) in chain.iter().zip(&stored) {
        let decoded: Recorded = serde_json::from_str(&record.json).expect("chain JSON decodes");
        assert_eq!(&decoded, event, "the chain holds the events as loaded");
    }
    let verified = audit::verify(events, Some(&key.verifying_key()))
        .await
        .unwrap();
    assert!(verified.problems.is_empty(), "{:?}", verified.problems);
    assert_eq!(verified.records, stored.len() as u64);

    let now = h.clock.now();
    let made = audit::checkpoint(events, &key, now).await.unwrap();
    assert_eq!(made.len(), 1, "one checkpoint for the one center");
    assert_eq!(made[0].statement.seq, 1);
    assert_eq!(made[0].leaves.len(), 1);
    assert_eq!(made[0].leaves[0].version, stored.len() as u64);
    assert!(
        audit::checkpoint(events, &key, now)
            .await
            .unwrap()
            .is_empty(),
        "nothing grew: no checkpoint"
    );
    match events.add_checkpoint(&made[0]).await {
        Err(StoreError::Conflict { .. }) => {}
        other => panic!("a checkpoint number is taken once: {other:?}"),
    }

    // The case grows: the next checkpoint covers it again and follows the first.
    h.claim_and_approve("dept-1").await.expect("dept-1");
    let next = audit::checkpoint(events, &key, now).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].statement.seq, 2);
    assert_eq!(next[0].statement.previous, made[0].statement.digest());
    let held = events.checkpoints().await.unwrap();
    assert_eq!(held.len(), 2, "both checkpoints are kept, in order");
    assert_eq!(held[0].statement.seq, 1);

    let verified = audit::verify(events, Some(&key.verifying_key()))
        .await
        .unwrap();
    assert!(verified.problems.is_empty(), "{:?}", verified.problems);
    assert_eq!(verified.checkpoints, 2);
    let other = SigningKey::from_bytes(&[8; 32]);
    let verified = audit::verify(events, Some(&other.verifying_key()))
        .await
        .unwrap();
    assert_eq!(verified.problems.len(), 2, "another key signed neither");

    let lines = audit::export(
        events,
        &key.verifying_key(),
        &ExportFilter::default(),
        |_| true,
        now,
    )
    .await
    .unwrap();
    let report = export::verify(&lines, &key.verifying_key()).expect("the export verifies");
    assert_eq!(report.cases, 1);
    assert_eq!(
        report.events,
        events.load(&case).await.unwrap().len() as u64
    );
    assert_eq!(report.uncovered, 0, "everything is checkpointed");
}
