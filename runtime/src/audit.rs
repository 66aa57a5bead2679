//! The audit trail carried out over a backend's event store: signing checkpoints of the
//! chain heads per center (`checkpoint`), checking every chain and checkpoint of a store
//! (`verify`), and exporting part of the trail for an offline verifier (`export`). The
//! hashing, the Merkle tree and the formats are the engine's (`greenlane_engine::audit`);
//! the signing key is the caller's (the server's key file).

use std::collections::{BTreeMap, HashMap};

use greenlane_engine::audit::chain::{self, BreakKind, ChainBreak, StoredRecord};
use greenlane_engine::audit::checkpoint::{Checkpoint, Leaf};
use greenlane_engine::audit::export::{self, CaseTrail, Line};
use greenlane_engine::audit::{SigningKey, VerifyingKey};
use greenlane_engine::case::{Event, Recorded, Timestamp};
use greenlane_engine::ids::{CaseId, CenterId, DepartmentId, PrincipalId};

use crate::ports::EventStore;
use crate::StoreError;

/// Cases read per round when scanning the case index.
const PAGE: usize = 500;

/// Every case of the store with its version.
async fn every_case<E: EventStore>(events: &E) -> Result<Vec<(CaseId, u64)>, StoreError> {
    let mut all = Vec::new();
    let mut after: Option<CaseId> = None;
    loop {
        let page = events.cases(None, after.as_ref(), PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.case.clone());
        let full = page.len() == PAGE;
        all.extend(page.into_iter().map(|r| (r.case, r.version)));
        if !full {
            break;
        }
    }
    Ok(all)
}

/// The center a case's chain says it belongs to (its launch), if its first record reads.
fn center_of(records: &[StoredRecord]) -> Option<CenterId> {
    let first: Recorded = serde_json::from_str(&records.first()?.json).ok()?;
    match first.event {
        Event::Launched { center, .. } => Some(center),
        _ => None,
    }
}

/// Signs, per center, a checkpoint of the cases whose chains grew since the center's last
/// one, at `now`; returns the checkpoints made (none when nothing grew). A case whose
/// chain is broken is left out (`verify` names it).
pub async fn checkpoint<E: EventStore>(
    events: &E,
    key: &SigningKey,
    now: Timestamp,
) -> Result<Vec<Checkpoint>, StoreError> {
    let held = events.checkpoints().await?;
    let mut sealed: HashMap<String, u64> = HashMap::new();
    let mut last: HashMap<String, (greenlane_engine::audit::Digest, u64)> = HashMap::new();
    for checkpoint in &held {
        for leaf in &checkpoint.leaves {
            let version = sealed.entry(leaf.case.clone()).or_default();
            *version = (*version).max(leaf.version);
        }
        let statement = &checkpoint.statement;
        last.insert(
            statement.center.clone(),
            (statement.digest(), statement.seq),
        );
    }
    let mut leaves: BTreeMap<String, Vec<Leaf>> = BTreeMap::new();
    for (case, version) in every_case(events).await? {
        if sealed.get(case.as_str()).copied().unwrap_or(0) >= version {
            continue;
        }
        let records = events.chain(&case).await?;
        let Ok(_) = chain::verify(case.as_str(), &records) else {
            continue;
        };
        let (Some(center), Some(head)) = (
            center_of(&records),
            records.get(version as usize - 1).map(|r| r.hash),
        ) else {
            continue;
        };
        leaves.entry(center.to_string()).or_default().push(Leaf {
            case: case.to_string(),
            version,
            head,
        });
    }
    let mut made = Vec::new();
    for (center, leaves) in leaves {
        let previous = last.get(&center).map(|(digest, seq)| (digest, *seq));
        let checkpoint = Checkpoint::sign(&center, previous, now, leaves, key);
        events.add_checkpoint(&checkpoint).await?;
        made.push(checkpoint);
    }
    Ok(made)
}

/// One problem `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A case's chain is broken.
    Chain(ChainBreak),
    /// A checkpoint is not what was signed, or does not follow the one before it.
    Checkpoint {
        /// Its center.
        center: String,
        /// Its number.
        seq: u64,
        /// What is wrong.
        what: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Chain(broken) => broken.fmt(f),
            Problem::Checkpoint { center, seq, what } => {
                write!(f, "checkpoint {seq} of center {center}: {what}")
            }
        }
    }
}

/// What `verify` checked and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    /// Cases checked.
    pub cases: u64,
    /// Records checked.
    pub records: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// The first problem of each broken case, then of each bad checkpoint.
    pub problems: Vec<Problem>,
}

/// Checks every case's chain against its recorded version, and every checkpoint: its
/// signature (with `key`, when given), its root over its leaves, that it follows the
/// center's previous one, and that each case it covers still has the head it signed.
pub async fn verify<E: EventStore>(
    events: &E,
    key: Option<&VerifyingKey>,
) -> Result<Verified, StoreError> {
    let mut verified = Verified::default();
    let mut chains: HashMap<String, Vec<StoredRecord>> = HashMap::new();
    let mut broken: HashMap<String, ChainBreak> = HashMap::new();
    for (case, version) in every_case(events).await? {
        let records = events.chain(&case).await?;
        verified.cases += 1;
        verified.records += records.len() as u64;
        let found = match chain::verify(case.as_str(), &records) {
            Err(problem) => Some(problem),
            Ok(_) if (records.len() as u64) < version => Some(ChainBreak {
                case: case.to_string(),
                position: records.len() as u64 + 1,
                kind: BreakKind::Truncated {
                    stored: records.len() as u64,
                    expected: version,
                },
            }),
            Ok(_) => None,
        };
        if let Some(problem) = found {
            broken.insert(case.to_string(), problem.clone());
            verified.problems.push(Problem::Chain(problem));
        }
        chains.insert(case.to_string(), records);
    }
    let mut previous: HashMap<String, (greenlane_engine::audit::Digest, u64)> = HashMap::new();
    for checkpoint in events.checkpoints().await? {
        verified.checkpoints += 1;
        let statement = &checkpoint.statement;
        let bad = |what: String| Problem::Checkpoint {
            center: statement.center.clone(),
            seq: statement.seq,
            what,
        };
        if let Some(key) = key {
            if !statement.signed_by(key) {
                verified
                    .problems
                    .push(bad("its signature is not this server's key's".into()));
                continue;
            }
        }
        if !checkpoint.leaves_match() {
            verified
                .problems
                .push(bad("its cases are not the ones it signed".into()));
            continue;
        }
        let expected = previous
            .get(&statement.center)
            .map_or(([0; 32], 0), |(digest, seq)| (*digest, *seq));
        if (statement.previous, statement.seq) != (expected.0, expected.1 + 1) {
            verified.problems.push(bad(format!(
                "does not follow checkpoint {} (one was deleted or replaced)",
                expected.1
            )));
        }
        previous.insert(
            statement.center.clone(),
            (statement.digest(), statement.seq),
        );
        for leaf in &checkpoint.leaves {
            if broken.contains_key(&leaf.case) {
                continue;
            }
            let records = chains.get(&leaf.case).map_or(&[][..], Vec::as_slice);
            let at = records.get(leaf.version as usize - 1).map(|r| r.hash);
            if at != Some(leaf.head) {
                let problem = ChainBreak {
                    case: leaf.case.clone(),
                    position: (records.len() as u64 + 1).min(leaf.version),
                    kind: BreakKind::Truncated {
                        stored: records.len() as u64,
                        expected: leaf.version,
                    },
                };
                let problem = if (records.len() as u64) < leaf.version {
                    problem
                } else {
                    ChainBreak {
                        position: leaf.version,
                        kind: BreakKind::Content,
                        ..problem
                    }
                };
                broken.insert(leaf.case.clone(), problem.clone());
                verified.problems.push(Problem::Chain(problem));
            }
        }
    }
    Ok(verified)
}

/// Which records an export takes. `None` takes any.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ExportFilter {
    /// Records at or after this instant.
    pub from: Option<Timestamp>,
    /// Records before this instant.
    pub to: Option<Timestamp>,
    /// Cases of this center.
    pub center: Option<CenterId>,
    /// Records about a task of this department.
    pub department: Option<DepartmentId>,
    /// Records made by this officer (or any principal).
    pub officer: Option<PrincipalId>,
}

/// The export of the records `filter` takes from the cases whose center `visible` lets the
/// caller see, covered by the store's checkpoints, at `now`.
pub async fn export<E: EventStore>(
    events: &E,
    public_key: &VerifyingKey,
    filter: &ExportFilter,
    visible: impl Fn(&CenterId) -> bool,
    now: Timestamp,
) -> Result<Vec<Line>, StoreError> {
    let mut trails = Vec::new();
    for (case, _) in every_case(events).await? {
        let records = events.chain(&case).await?;
        let Some(first) = records
            .first()
            .and_then(|r| serde_json::from_str::<Recorded>(&r.json).ok())
        else {
            continue;
        };
        let Event::Launched { center, tasks, .. } = &first.event else {
            continue;
        };
        if !visible(center) || filter.center.as_ref().is_some_and(|c| c != center) {
            continue;
        }
        let department_of: HashMap<&str, &DepartmentId> = tasks
            .iter()
            .map(|t| (t.id.as_str(), &t.department))
            .collect();
        let wanted = records
            .iter()
            .map(|record| {
                let Ok(recorded) = serde_json::from_str::<Recorded>(&record.json) else {
                    return false;
                };
                filter.from.is_none_or(|from| recorded.at >= from)
                    && filter.to.is_none_or(|to| recorded.at < to)
                    && filter.officer.as_ref().is_none_or(|o| *o == recorded.by)
                    && filter.department.as_ref().is_none_or(|d| {
                        recorded
                            .event
                            .task()
                            .and_then(|t| department_of.get(t.as_str()))
                            .is_some_and(|found| *found == d)
                    })
            })
            .collect();
        trails.push(CaseTrail {
            case: case.to_string(),
            center: center.to_string(),
            records,
            wanted,
        });
    }
    let checkpoints = events.checkpoints().await?;
    let filter_json = serde_json::to_value(filter).unwrap_or_default();
    Ok(export::build(
        now,
        public_key,
        filter_json,
        &trails,
        &checkpoints,
    ))
}
