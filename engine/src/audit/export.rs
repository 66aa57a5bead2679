//! An export of part of the audit trail (a period, a center, a department, an officer) as
//! JSON lines an offline verifier checks with the server's public key alone.
//!
//! For each case in it: the records that match the filter in full ([`Line::Event`], with
//! their canonical text), the records between them and up to the covering checkpoint as
//! hashes only ([`Line::Link`], so other departments' data stays out), the inclusion proof
//! of the case's head in that checkpoint ([`Line::Proof`]) and the signed checkpoint
//! statements ([`Line::Checkpoint`]). Records after the case's last checkpoint are still
//! chained but not yet signed for: the verifier counts them apart.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use super::chain::{self, StoredRecord};
use super::checkpoint::{Checkpoint, Statement};
use super::{merkle, Digest};
use crate::case::Timestamp;

/// The format's name, in the header line.
pub const FORMAT: &str = "greenlane-audit-export/1";

/// One line of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    /// What the export is: first line.
    Header {
        /// [`FORMAT`].
        format: String,
        /// When it was made.
        generated_at: Timestamp,
        /// The public key its checkpoints are signed with (hex).
        public_key: String,
        /// The filter it was made with.
        filter: serde_json::Value,
    },
    /// A signed checkpoint statement that a proof refers to.
    Checkpoint(Statement),
    /// A record in the filter, in full.
    Event {
        /// The case.
        case: String,
        /// Its position.
        seq: u64,
        /// The hash of the record before it.
        #[serde(with = "super::hex_digest")]
        prev: Digest,
        /// Its hash.
        #[serde(with = "super::hex_digest")]
        hash: Digest,
        /// Its canonical encoding (the stored event, secrets sealed).
        canonical: String,
    },
    /// A record outside the filter: its hashes only.
    Link {
        /// The case.
        case: String,
        /// Its position.
        seq: u64,
        /// The hash of the record before it.
        #[serde(with = "super::hex_digest")]
        prev: Digest,
        /// Its hash.
        #[serde(with = "super::hex_digest")]
        hash: Digest,
        /// The digest of its canonical encoding.
        #[serde(with = "super::hex_digest")]
        content: Digest,
    },
    /// That a case's chain up to `version` is in a checkpoint.
    Proof {
        /// The case.
        case: String,
        /// The checkpoint's center.
        center: String,
        /// The checkpoint's number.
        checkpoint: u64,
        /// The case's records at the checkpoint.
        version: u64,
        /// The hash of its record at `version`.
        #[serde(with = "super::hex_digest")]
        head: Digest,
        /// The leaf's index.
        index: u64,
        /// The audit path.
        #[serde(with = "super::hex_digests")]
        path: Vec<Digest>,
    },
}

/// One case's trail to export: its chain as stored and which records the filter takes.
#[derive(Debug, Clone)]
pub struct CaseTrail {
    /// The case.
    pub case: String,
    /// Its center (whose checkpoints cover it).
    pub center: String,
    /// Its records as stored, oldest first.
    pub records: Vec<StoredRecord>,
    /// For each record, whether the filter takes it.
    pub wanted: Vec<bool>,
}

/// The lines of an export of `trails`, covered by `checkpoints` (any centers, any order).
pub fn build(
    generated_at: Timestamp,
    public_key: &VerifyingKey,
    filter: serde_json::Value,
    trails: &[CaseTrail],
    checkpoints: &[Checkpoint],
) -> Vec<Line> {
    let mut lines = vec![Line::Header {
        format: FORMAT.to_string(),
        generated_at,
        public_key: super::hex(public_key.as_bytes()),
        filter,
    }];
    let mut by_center: HashMap<&str, Vec<&Checkpoint>> = HashMap::new();
    for checkpoint in checkpoints {
        by_center
            .entry(checkpoint.statement.center.as_str())
            .or_default()
            .push(checkpoint);
    }
    for list in by_center.values_mut() {
        list.sort_by_key(|c| c.statement.seq);
    }
    let mut cited: BTreeMap<(String, u64), Statement> = BTreeMap::new();
    let mut body = Vec::new();
    for trail in trails {
        let Some(first) = trail.wanted.iter().position(|w| *w) else {
            continue;
        };
        let last = trail.wanted.iter().rposition(|w| *w).unwrap_or(first) as u64 + 1;
        // The first checkpoint that covers the last wanted record.
        let cover = by_center.get(trail.center.as_str()).and_then(|list| {
            list.iter().find_map(|c| {
                let leaf = c.leaves.iter().find(|l| l.case == trail.case)?;
                (leaf.version >= last).then_some((*c, leaf))
            })
        });
        let end = cover.map_or(last, |(_, leaf)| leaf.version);
        for (i, record) in trail.records.iter().enumerate() {
            let seq = i as u64 + 1;
            if seq < first as u64 + 1 || seq > end {
                continue;
            }
            if trail.wanted.get(i).copied().unwrap_or(false) {
                body.push(Line::Event {
                    case: trail.case.clone(),
                    seq: record.seq,
                    prev: record.prev,
                    hash: record.hash,
                    canonical: chain::canonical(&record.json).into_owned(),
                });
            } else {
                body.push(Line::Link {
                    case: trail.case.clone(),
                    seq: record.seq,
                    prev: record.prev,
                    hash: record.hash,
                    content: chain::content_digest(&chain::canonical(&record.json)),
                });
            }
        }
        if let Some((checkpoint, leaf)) = cover {
            if let Some((index, path)) = checkpoint.proof(&trail.case) {
                let statement = &checkpoint.statement;
                cited.insert((statement.center.clone(), statement.seq), statement.clone());
                body.push(Line::Proof {
                    case: trail.case.clone(),
                    center: statement.center.clone(),
                    checkpoint: statement.seq,
                    version: leaf.version,
                    head: leaf.head,
                    index: index as u64,
                    path,
                });
            }
        }
    }
    lines.extend(cited.into_values().map(Line::Checkpoint));
    lines.extend(body);
    lines
}

/// What an export proved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Cases in it.
    pub cases: u64,
    /// Records in full.
    pub events: u64,
    /// Records (in full or as hashes) covered by a signed checkpoint.
    pub covered: u64,
    /// Records chained but after the case's last checkpoint.
    pub uncovered: u64,
    /// Checkpoint statements whose signatures were checked.
    pub checkpoints: u64,
}

/// Why an export does not verify: the line (1-based) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Checks an export's lines against `key`.
pub fn verify(lines: &[Line], key: &VerifyingKey) -> Result<Report, Broken> {
    let broken = |line: usize, message: String| Broken { line, message };
    let mut report = Report::default();
    let mut statements: HashMap<(String, u64), Statement> = HashMap::new();
    // Per case: the last record seen (seq, hash) and records since the last proof.
    let mut cases: HashMap<String, (u64, Digest, u64)> = HashMap::new();
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        match line {
            Line::Header { format, .. } => {
                if format != FORMAT {
                    return Err(broken(n, format!("unknown format `{format}`")));
                }
            }
            Line::Checkpoint(statement) => {
                if !statement.signed_by(key) {
                    return Err(broken(
                        n,
                        format!(
                            "checkpoint {} of center {}: not signed by this key",
                            statement.seq, statement.center
                        ),
                    ));
                }
                report.checkpoints += 1;
                statements.insert((statement.center.clone(), statement.seq), statement.clone());
            }
            Line::Event {
                case,
                seq,
                prev,
                hash,
                canonical,
            } => {
                let content = chain::content_digest(canonical);
                follow(&mut cases, case, *seq, prev, hash, &content).map_err(|m| broken(n, m))?;
                report.events += 1;
            }
            Line::Link {
                case,
                seq,
                prev,
                hash,
                content,
            } => {
                follow(&mut cases, case, *seq, prev, hash, content).map_err(|m| broken(n, m))?;
            }
            Line::Proof {
                case,
                center,
                checkpoint,
                version,
                head,
                index,
                path,
            } => {
                let Some(statement) = statements.get(&(center.clone(), *checkpoint)) else {
                    return Err(broken(
                        n,
                        format!(
                            "case {case}: checkpoint {checkpoint} of {center} is not in the export"
                        ),
                    ));
                };
                let Some((last, last_hash, pending)) = cases.get_mut(case) else {
                    return Err(broken(n, format!("case {case}: a proof with no records")));
                };
                if *last != *version || last_hash != head {
                    return Err(broken(
                        n,
                        format!(
                            "case {case}: record {version} is not the head the checkpoint signed"
                        ),
                    ));
                }
                let leaf = super::checkpoint::Leaf {
                    case: case.clone(),
                    version: *version,
                    head: *head,
                };
                let (Ok(index), Ok(size)) =
                    (usize::try_from(*index), usize::try_from(statement.size))
                else {
                    return Err(broken(n, format!("case {case}: proof out of range")));
                };
                if !merkle::verify_inclusion(index, size, &leaf.hash(), path, &statement.root) {
                    return Err(broken(
                        n,
                        format!("case {case}: not in checkpoint {checkpoint} of {center} (the proof fails)"),
                    ));
                }
                report.covered += *pending;
                *pending = 0;
            }
        }
    }
    report.cases = cases.len() as u64;
    report.uncovered = cases.values().map(|(_, _, pending)| pending).sum();
    Ok(report)
}

/// Checks that a record follows the case's previous one in the export and hashes right.
fn follow(
    cases: &mut HashMap<String, (u64, Digest, u64)>,
    case: &str,
    seq: u64,
    prev: &Digest,
    hash: &Digest,
    content: &Digest,
) -> Result<(), String> {
    if chain::link(case, seq, prev, content) != *hash {
        return Err(format!(
            "case {case}, record {seq}: its content does not match its hash (changed)"
        ));
    }
    match cases.get_mut(case) {
        Some((last, last_hash, pending)) => {
            if seq != *last + 1 || prev != last_hash {
                return Err(format!(
                    "case {case}, record {seq}: does not follow record {last} (deleted, inserted or reordered)"
                ));
            }
            *last = seq;
            *last_hash = *hash;
            *pending += 1;
        }
        None => {
            cases.insert(case.to_string(), (seq, *hash, 1));
        }
    }
    Ok(())
}

/// The CSV columns: readable ones for a spreadsheet, then the line itself as JSON, which
/// is what `from_csv` reads back for verification.
const CSV_HEADER: &str =
    "类型 kind,案件编号 case,序号 seq,时间 at,操作人 by,事件 event,哈希 hash,记录 line";

/// An export as CSV: UTF-8 with a byte-order mark (so spreadsheet programs read Chinese
/// right), one row per line.
pub fn to_csv(lines: &[Line]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    for line in lines {
        let json = serde_json::to_string(line).unwrap_or_default();
        let (kind, case, seq, at, by, event, hash) = match line {
            Line::Header { generated_at, .. } => (
                "header",
                String::new(),
                String::new(),
                generated_at.to_rfc3339(),
                String::new(),
                String::new(),
                String::new(),
            ),
            Line::Checkpoint(s) => (
                "checkpoint",
                s.center.clone(),
                s.seq.to_string(),
                s.at.to_rfc3339(),
                String::new(),
                String::new(),
                super::hex(&s.root),
            ),
            Line::Event {
                case,
                seq,
                hash,
                canonical,
                ..
            } => {
                let recorded: serde_json::Value =
                    serde_json::from_str(canonical).unwrap_or_default();
                let text = |field: &str| {
                    recorded
                        .get(field)
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string()
                };
                let event = recorded
                    .get("event")
                    .and_then(|e| e.get("type"))
                    .and_then(|t| t.as_str())
                    .unwrap_or("")
                    .to_string();
                (
                    "event",
                    case.clone(),
                    seq.to_string(),
                    text("at"),
                    text("by"),
                    event,
                    super::hex(hash),
                )
            }
            Line::Link {
                case, seq, hash, ..
            } => (
                "link",
                case.clone(),
                seq.to_string(),
                String::new(),
                String::new(),
                String::new(),
                super::hex(hash),
            ),
            Line::Proof {
                case,
                checkpoint,
                version,
                head,
                ..
            } => (
                "proof",
                case.clone(),
                version.to_string(),
                String::new(),
                String::new(),
                format!("checkpoint {checkpoint}"),
                super::hex(head),
            ),
        };
        let fields = [kind.to_string(), case, seq, at, by, event, hash, json];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A CSV field, quoted when it has to be (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The lines of an export read from its JSON lines or its CSV (as `to_csv` writes it).
pub fn parse(text: &str) -> Result<Vec<Line>, Broken> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(rows) = text.strip_prefix(CSV_HEADER) {
        return csv_rows(rows)
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let json = row.last().map(String::as_str).unwrap_or("");
                serde_json::from_str(json).map_err(|e| Broken {
                    line: i + 2,
                    message: format!("not an export row: {e}"),
                })
            })
            .collect();
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| Broken {
                line: i + 1,
                message: format!("not an export line: {e}"),
            })
        })
        .collect()
}

/// The rows of CSV text after its header line.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                if row.iter().any(|f| !f.is_empty()) {
                    rows.push(std::mem::take(&mut row));
                } else {
                    row.clear();
                }
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}
