//! A command's whole write in one request on one server: `lua/append_effects.lua` appends
//! the events (expected version checked, case index updated), makes the queue moves they
//! imply in every department's queue, writes the case's next deadline check and advances
//! the outbox cursor, atomically. Nothing is then left lagging for recovery, and a command
//! costs one request instead of four or five. A Redis script is not rolled back when a
//! command inside it fails, so the script appends first and catches a failing effect
//! (`pcall`): the events stay, the cursor stays behind them, and the failure comes back as
//! `Appended::effects`, for recovery to complete (`tests/fused.rs`).
//!
//! A cluster cannot run it (the keys live in different slots); there the backend appends
//! and then carries out the effects through the ports, as every other backend does.

use greenlane_engine::case::Recorded;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::{Appended, CheckWrite, Effects, QueueMove};
use greenlane_runtime::StoreError;

use crate::codec::{day_number, decode_entry, due_micros, entry_rest, holder_args, instant_text};
use crate::keys::task_member;
use crate::scripts::SCRIPTS;
use crate::{Error, RedisBackend};

impl RedisBackend {
    /// `append_effects.lua`: the append and all of `effects` in one script.
    pub(crate) async fn append_fused(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
        status: &'static str,
        effects: &Effects,
    ) -> Result<Appended, StoreError> {
        let keys = &self.store.keys;
        let mut call = SCRIPTS.append_effects.call();
        // The keys every case shares are named in the script from the prefix
        // (`shared_keys` in lua/case.lua): one argument instead of six.
        call.key(keys.case_events(case))
            .key(keys.case_meta(case))
            .key(keys.case_homes(case));
        // This process's own cursor move for the case, not sent yet: the script counts it.
        let pending = self.events.marks.take_case(case);
        call.arg(expected)
            .arg(status)
            .arg(case.as_str())
            .arg(keys.prefix())
            .arg(if effects.settle { "1" } else { "0" })
            .arg(pending.map_or(0, |m| m.from))
            .arg(pending.map_or(0, |m| m.to));
        match effects.check {
            CheckWrite::Keep => call.arg(""),
            CheckWrite::Cancel => call.arg("-"),
            CheckWrite::Schedule(at) => call.arg(due_micros(at)),
        };
        match &effects.claim_next {
            Some(next) => call
                .arg(next.department.as_str())
                .arg(next.officer.as_str())
                .arg(instant_text(next.until))
                .arg(due_micros(next.until)),
            None => call.arg("").arg("").arg("").arg(0),
        };
        call.arg(events.len());
        for event in events {
            call.arg_json(event)
                .map_err(|e| StoreError::Corrupt(format!("event does not encode: {e}")))?;
        }
        for m in &effects.moves {
            match m {
                QueueMove::Dispatch(entry) => {
                    call.arg("d")
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
                    call.arg("m")
                        .arg(task_member(key))
                        .arg(department.as_str())
                        .arg(kind)
                        .arg(officer)
                        .arg(until)
                        .arg(until_us);
                }
                QueueMove::Ack { key, department } => {
                    call.arg("a").arg(task_member(key)).arg(department.as_str());
                }
            }
        }
        let mut conn = self.store.conn.clone();
        type Reply = (i64, u64, String, String, String, Vec<u8>);
        let result: Result<Reply, Error> = call.invoke(&mut conn).await.map_err(Error::from);
        let error = match result {
            Ok((1, version, _, failure, claimed_key, claimed_json)) => {
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
            Ok((_, actual, _, _, _, _)) => StoreError::Conflict {
                what: case.to_string(),
                expected,
                actual,
            },
            Err(error) => error.into(),
        };
        // Nothing was written: the cursor move taken above still waits to be sent.
        if let Some(mark) = pending {
            self.events.marks.add(case, mark);
        }
        Err(error)
    }
}
