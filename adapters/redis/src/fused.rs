//! A command's whole write in one request on one server: `lua/append_effects.lua` appends
//! the events (expected version checked, case index updated), makes the queue moves they
//! imply in every department's queue, writes the case's next deadline check and advances
//! the outbox cursor, atomically. Nothing is then left lagging for recovery, and a command
//! costs one request instead of four or five. A Redis script is not rolled back when a
//! command inside it fails, so the script appends first and catches a failing effect
//! (`pcall`): the events stay, the cursor stays behind them, and the failure comes back as
//! `Appended::effects`, for recovery to complete (`tests/fused.rs`). Appends of other
//! cases waiting at the same time go in the same call (`batch`).
//!
//! A cluster cannot run it (the keys live in different slots); there the backend appends
//! and then carries out the effects through the ports, as every other backend does.

use greenlane_engine::case::CaseStatusKind;
use greenlane_engine::case::Recorded;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::{Appended, CheckWrite, Effects, QueueMove};
use greenlane_runtime::StoreError;

use crate::codec::{day_number, decode_entry, due_micros, entry_rest, holder_args, instant_text};
use crate::keys::task_member;
use crate::marks::Mark;
use crate::scripts::Args;
use crate::RedisBackend;

impl RedisBackend {
    /// `append_effects.lua`: the append and all of `effects` in one script run, with the
    /// appends of other cases waiting at the same time (`batch`).
    pub(crate) async fn append_fused(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
        status: CaseStatusKind,
        effects: &Effects,
    ) -> Result<Appended, StoreError> {
        // This process's own cursor move for the case, not sent yet: the script counts it.
        let (sealed, head) = self.events.seal(case, expected, events).await?;
        let pending = self.events.marks.take_case(case);
        let result = match self.fused_item(case, expected, &sealed, status, effects, pending) {
            Ok(item) => self.batcher.append(item).await.map_err(|error| {
                if error.is_unavailable() {
                    StoreError::Unavailable(error)
                } else {
                    StoreError::Failed(error)
                }
            }),
            Err(error) => Err(error),
        };
        let error = match result {
            Ok((1, version, _, failure, claimed_key, claimed_json)) => {
                self.events.heads.remember(case, version, head);
                for m in &effects.moves {
                    if let QueueMove::Dispatch(entry) = m {
                        self.queue.remember(&entry.key, &entry.department);
                    }
                }
                // The events are appended either way; a failed effect is left to recovery.
                let claimed = match (&effects.claim_next, claimed_key.is_empty()) {
                    (Some(next), false) => {
                        let (entry, _) =
                            decode_entry(&next.department, &claimed_key, &claimed_json)?;
                        self.queue.remember(&entry.key, &next.department);
                        Some(entry)
                    }
                    _ => None,
                };
                let effects = match failure.is_empty() {
                    true => Ok(()),
                    false => Err(StoreError::Backend(format!(
                        "effects of case {case} left to recovery: {failure}"
                    ))),
                };
                return Ok(Appended {
                    version,
                    effects,
                    claimed,
                });
            }
            Ok((0, actual, _, _, _, _)) => StoreError::Conflict {
                what: case.to_string(),
                expected,
                actual,
            },
            Ok((_, _, _, failure, _, _)) => StoreError::Backend(format!("redis: {failure}")),
            Err(error) => error,
        };
        // Nothing was written: the cursor move taken above still waits to be sent.
        if let Some(mark) = pending {
            self.events.marks.add(case, mark);
        }
        Err(error)
    }

    /// One case's keys and arguments for `append_effects.lua`.
    fn fused_item(
        &self,
        case: &CaseId,
        expected: u64,
        sealed: &[Vec<u8>],
        status: CaseStatusKind,
        effects: &Effects,
        pending: Option<Mark>,
    ) -> Result<Args, StoreError> {
        let keys = &self.store.keys;
        let mut item = Args::default();
        item.key(keys.case_events(case))
            .key(keys.case_meta(case))
            .key(keys.case_homes(case));
        item.arg(expected)
            .arg(status.as_str())
            .arg(case.as_str())
            .arg(if effects.settle { "1" } else { "0" })
            .arg(pending.map_or(0, |m| m.from))
            .arg(pending.map_or(0, |m| m.to));
        match effects.check {
            CheckWrite::Keep => item.arg(""),
            CheckWrite::Cancel => item.arg("-"),
            CheckWrite::Schedule(at) => item.arg(due_micros(at)),
        };
        match &effects.claim_next {
            Some(next) => item
                .arg(next.department.as_str())
                .arg(next.officer.as_str())
                .arg(instant_text(next.until))
                .arg(due_micros(next.until)),
            None => item.arg("").arg("").arg("").arg(0),
        };
        item.arg(sealed.len());
        for event in sealed {
            item.arg(event.as_slice());
        }
        for m in &effects.moves {
            match m {
                QueueMove::Dispatch(entry) => {
                    item.arg("d")
                        .arg(task_member(&entry.key))
                        .arg(entry.department.as_str())
                        .arg(entry.key.task.as_str())
                        .arg(day_number(entry.due))
                        .arg(entry_rest(entry));
                }
                QueueMove::Move {
                    key,
                    department,
                    holder,
                } => {
                    let (kind, officer, until, until_us) = holder_args(holder);
                    item.arg("m")
                        .arg(task_member(key))
                        .arg(department.as_str())
                        .arg(kind)
                        .arg(officer)
                        .arg(until)
                        .arg(until_us);
                }
                QueueMove::Ack { key, department } => {
                    item.arg("a").arg(task_member(key)).arg(department.as_str());
                }
            }
        }
        Ok(item)
    }
}
