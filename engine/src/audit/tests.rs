//! The chain, the Merkle tree, checkpoints and exports: what each detects.

use chrono::{TimeZone, Utc};
use ed25519_dalek::SigningKey;

use super::chain::{self, BreakKind, StoredRecord, GENESIS};
use super::checkpoint::{Checkpoint, Leaf};
use super::export::{self, CaseTrail, Line};
use super::merkle;
use super::sha256;

fn records(case: &str, jsons: &[&str]) -> Vec<StoredRecord> {
    let owned: Vec<String> = jsons.iter().map(|j| j.to_string()).collect();
    chain::extend(case, 0, &GENESIS, &owned)
        .into_iter()
        .zip(owned)
        .enumerate()
        .map(|(i, ((prev, hash), json))| StoredRecord {
            seq: i as u64 + 1,
            json,
            prev,
            hash,
        })
        .collect()
}

const EVENTS: [&str; 4] = [
    r#"{"at":"2026-03-02T01:00:00Z","by":"c","event":{"type":"launched","access_code_hash":"$argon2id$secret"}}"#,
    r#"{"at":"2026-03-02T01:01:00Z","by":"o","event":{"type":"task_claimed","task":"a"}}"#,
    r#"{"at":"2026-03-02T01:02:00Z","by":"o","event":{"type":"task_approved","task":"a"}}"#,
    r#"{"at":"2026-03-02T01:03:00Z","by":"c","event":{"type":"issued"}}"#,
];

#[test]
fn an_intact_chain_verifies_to_its_head() {
    let chain = records("c1", &EVENTS);
    assert_eq!(chain::verify("c1", &chain), Ok(chain[3].hash));
    assert_eq!(chain::verify("c1", &[]), Ok(GENESIS));
}

#[test]
fn a_changed_record_is_named_by_its_position() {
    let mut chain = records("c1", &EVENTS);
    chain[2].json = chain[2].json.replace("approved", "rejected");
    let broken = chain::verify("c1", &chain).unwrap_err();
    assert_eq!((broken.position, broken.kind), (3, BreakKind::Content));
}

#[test]
fn a_deleted_record_breaks_the_chain_where_it_was() {
    let mut chain = records("c1", &EVENTS);
    chain.remove(1);
    let broken = chain::verify("c1", &chain).unwrap_err();
    assert_eq!(
        (broken.position, broken.kind),
        (2, BreakKind::Position { found: 3 })
    );
    // Renumbered to hide the gap, the record still carries the deleted one's hash.
    chain[1].seq = 2;
    chain[2].seq = 3;
    let broken = chain::verify("c1", &chain).unwrap_err();
    assert_eq!((broken.position, broken.kind), (2, BreakKind::Link));
}

#[test]
fn two_swapped_records_break_the_chain() {
    let mut chain = records("c1", &EVENTS);
    let (one, two) = (chain[1].json.clone(), chain[2].json.clone());
    chain[1].json = two;
    chain[2].json = one;
    let broken = chain::verify("c1", &chain).unwrap_err();
    assert_eq!((broken.position, broken.kind), (2, BreakKind::Content));
}

#[test]
fn a_record_moved_to_another_case_does_not_verify_there() {
    let chain = records("c1", &EVENTS);
    assert_eq!(chain::verify("c2", &chain).unwrap_err().position, 1);
}

#[test]
fn the_canonical_encoding_seals_secrets_and_keeps_everything_else() {
    let canonical = chain::canonical(EVENTS[0]);
    assert!(!canonical.contains("$argon2id$secret"), "{canonical}");
    assert!(canonical.contains("sealed:sha256:"));
    assert!(canonical.contains("launched"));
    assert_eq!(chain::canonical(EVENTS[1]), EVENTS[1]);
    // Sealing is stable: the sealed text is its own canonical encoding.
    assert_eq!(chain::canonical(&canonical), canonical);
}

#[test]
fn inclusion_proofs_verify_for_every_leaf_of_every_size_and_nothing_else() {
    for size in 1..=17usize {
        let leaves: Vec<_> = (0..size).map(|i| merkle::leaf_hash(&[i as u8])).collect();
        let root = merkle::root(&leaves);
        for index in 0..size {
            let path = merkle::inclusion_proof(index, &leaves);
            assert!(merkle::verify_inclusion(
                index,
                size,
                &leaves[index],
                &path,
                &root
            ));
            let other = merkle::leaf_hash(b"other");
            assert!(!merkle::verify_inclusion(index, size, &other, &path, &root));
            if size > 1 {
                assert!(!merkle::verify_inclusion(
                    (index + 1) % size,
                    size,
                    &leaves[index],
                    &path,
                    &root
                ));
            }
        }
    }
    assert_eq!(merkle::root(&[]), sha256(&[]));
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn checkpoint(chains: &[(&str, &[StoredRecord])], signer: &SigningKey) -> Checkpoint {
    let leaves = chains
        .iter()
        .map(|(case, records)| Leaf {
            case: case.to_string(),
            version: records.len() as u64,
            head: records.last().map_or(GENESIS, |r| r.hash),
        })
        .collect();
    let at = Utc.with_ymd_and_hms(2026, 3, 3, 0, 0, 0).unwrap();
    Checkpoint::sign("city", None, at, leaves, signer)
}

#[test]
fn a_checkpoint_is_signed_over_its_leaves() {
    let one = records("c1", &EVENTS);
    let two = records("c2", &EVENTS[..2]);
    let signer = key(1);
    let checkpoint = checkpoint(&[("c2", &two), ("c1", &one)], &signer);
    assert!(checkpoint.leaves_match());
    assert_eq!(checkpoint.leaves[0].case, "c1", "sorted");
    assert!(checkpoint.statement.signed_by(&signer.verifying_key()));
    assert!(!checkpoint.statement.signed_by(&key(2).verifying_key()));
    let mut forged = checkpoint.clone();
    forged.statement.size += 1;
    assert!(!forged.statement.signed_by(&signer.verifying_key()));
    let mut changed = checkpoint;
    changed.leaves[0].version -= 1;
    assert!(!changed.leaves_match());
}

fn trail(case: &str, records: &[StoredRecord], wanted: &[bool]) -> CaseTrail {
    CaseTrail {
        case: case.to_string(),
        center: "city".to_string(),
        records: records.to_vec(),
        wanted: wanted.to_vec(),
    }
}

#[test]
fn an_export_verifies_offline_and_carries_no_secret() {
    let one = records("c1", &EVENTS);
    let two = records("c2", &EVENTS[..2]);
    let signer = key(1);
    let cp = checkpoint(&[("c1", &one), ("c2", &two)], &signer);
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 0, 0, 0).unwrap();
    let trails = [
        trail("c1", &one, &[true, false, true, false]),
        trail("c2", &two, &[true, false]),
    ];
    let lines = export::build(
        at,
        &signer.verifying_key(),
        serde_json::json!({}),
        &trails,
        &[cp],
    );
    let text: String = lines
        .iter()
        .map(|l| serde_json::to_string(l).unwrap())
        .collect();
    assert!(!text.contains("$argon2id$secret"));
    assert!(
        !text.contains("task_claimed"),
        "records outside the filter are hashes only"
    );
    let report = export::verify(&lines, &signer.verifying_key()).unwrap();
    assert_eq!((report.cases, report.events, report.checkpoints), (2, 3, 1));
    assert_eq!(report.uncovered, 0);
    assert!(export::verify(&lines, &key(2).verifying_key()).is_err());

    // A changed record, in the export, is found.
    let mut changed = lines.clone();
    for line in &mut changed {
        if let Line::Event { canonical, .. } = line {
            *canonical = canonical.replace("approved", "rejected");
        }
    }
    let broken = export::verify(&changed, &signer.verifying_key()).unwrap_err();
    assert!(broken.message.contains("record 3"), "{broken}");
}

#[test]
fn records_after_the_last_checkpoint_are_counted_as_not_yet_signed() {
    let one = records("c1", &EVENTS);
    let signer = key(1);
    let cp = checkpoint(&[("c1", &one[..2])], &signer);
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 0, 0, 0).unwrap();
    let trails = [trail("c1", &one, &[true, true, true, true])];
    let lines = export::build(
        at,
        &signer.verifying_key(),
        serde_json::json!({}),
        &trails,
        &[cp],
    );
    let report = export::verify(&lines, &signer.verifying_key()).unwrap();
    assert_eq!((report.events, report.covered, report.uncovered), (4, 0, 4));
}

#[test]
fn an_export_reads_back_from_its_csv_and_its_json_lines() {
    let one = records("c1", &EVENTS);
    let signer = key(1);
    let cp = checkpoint(&[("c1", &one)], &signer);
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 0, 0, 0).unwrap();
    let trails = [trail("c1", &one, &[true, false, true, true])];
    let lines = export::build(
        at,
        &signer.verifying_key(),
        serde_json::json!({"officer": "o"}),
        &trails,
        &[cp],
    );
    let csv = export::to_csv(&lines);
    assert!(
        csv.starts_with('\u{feff}'),
        "a byte-order mark for spreadsheets"
    );
    assert!(csv.contains("案件编号 case"));
    assert_eq!(export::parse(&csv).unwrap(), lines);
    let jsonl: String = lines
        .iter()
        .map(|l| serde_json::to_string(l).unwrap() + "\n")
        .collect();
    assert_eq!(export::parse(&jsonl).unwrap(), lines);
    assert!(export::verify(&export::parse(&csv).unwrap(), &signer.verifying_key()).is_ok());
}
