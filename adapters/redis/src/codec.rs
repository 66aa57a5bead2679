//! How values are written to Redis: events and definitions as JSON, instants as RFC 3339
//! text (exact to the nanosecond) and, where Redis must order them, as microseconds in a
//! sorted-set score (exact in a double until the year 2255). A due instant is rounded up
//! and `now` down, so nothing is ever taken early; it may be taken up to 1 µs late.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat};
use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::{DepartmentId, PrincipalId};
use greenlane_runtime::ports::{Holder, QueueEntry};
use serde::Deserialize;

use crate::keys::parse_task_member;
use crate::Error;

/// `at` in microseconds, rounded up: the score of something due at `at`.
pub(crate) fn due_micros(at: Timestamp) -> i64 {
    let micros = at.timestamp_micros();
    if at.timestamp_subsec_nanos().is_multiple_of(1_000) {
        micros
    } else {
        micros + 1
    }
}

/// `now` in microseconds, rounded down: the bound of what is due.
pub(crate) fn now_micros(now: Timestamp) -> i64 {
    now.timestamp_micros()
}

/// The instant of a score.
pub(crate) fn from_micros(micros: i64) -> Result<Timestamp, Error> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| Error::corrupt("instant", format!("{micros} µs is out of range")))
}

/// A score as Redis returns it (a double printed as text).
pub(crate) fn parse_score(text: &str) -> Result<i64, Error> {
    text.parse::<f64>()
        .map(|f| f as i64)
        .map_err(|_| Error::corrupt("score", format!("{text:?} is not a number")))
}

pub(crate) fn instant_text(at: Timestamp) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(crate) fn parse_instant(text: &str) -> Result<Timestamp, Error> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|e| Error::corrupt("instant", format!("{text:?}: {e}")))
}

/// The day number a due date is ordered by.
pub(crate) fn day_number(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    text: &[u8],
) -> Result<T, Error> {
    serde_json::from_slice(text).map_err(|source| Error::Decode { what, source })
}

/// A queue entry as `queue.lua` keeps it.
#[derive(Debug, Deserialize)]
struct StoredEntry {
    id: String,
    due: String,
    at: String,
    h: String,
    #[serde(default)]
    o: Option<String>,
    #[serde(default)]
    u: Option<String>,
}

/// Where an entry stands in its queue: its stream id, which orders dispatches.
pub(crate) type StreamOrder = (u64, u64);

/// The queue entry of `member` in `department`'s queue, from its stored JSON, with its
/// stream id.
pub(crate) fn decode_entry(
    department: &DepartmentId,
    member: &str,
    json: &[u8],
) -> Result<(QueueEntry, StreamOrder), Error> {
    let stored: StoredEntry = decode_json("queue entry", json)?;
    let due = NaiveDate::parse_from_str(&stored.due, "%Y-%m-%d")
        .map_err(|e| Error::corrupt("queue entry", format!("due {:?}: {e}", stored.due)))?;
    let officer = || {
        stored
            .o
            .as_deref()
            .map(PrincipalId::new)
            .ok_or_else(|| Error::corrupt("queue entry", "a holder without an officer"))
    };
    let holder = match stored.h.as_str() {
        "f" => Holder::Free,
        "l" => Holder::Lease {
            officer: officer()?,
            until: parse_instant(
                stored
                    .u
                    .as_deref()
                    .ok_or_else(|| Error::corrupt("queue entry", "a lease without its end"))?,
            )?,
        },
        "h" => Holder::Held {
            officer: officer()?,
        },
        other => {
            return Err(Error::corrupt(
                "queue entry",
                format!("unknown holder {other:?}"),
            ))
        }
    };
    let order = stored
        .id
        .split_once('-')
        .and_then(|(ms, seq)| Some((ms.parse().ok()?, seq.parse().ok()?)))
        .ok_or_else(|| Error::corrupt("queue entry", format!("stream id {:?}", stored.id)))?;
    let entry = QueueEntry {
        key: parse_task_member(member)?,
        department: department.clone(),
        due,
        dispatched_at: parse_instant(&stored.at)?,
        holder,
    };
    Ok((entry, order))
}

/// A holder as the queue scripts take it: kind, officer, until, until in µs.
pub(crate) fn holder_args(holder: &Holder) -> (&'static str, String, String, i64) {
    match holder {
        Holder::Free => ("f", String::new(), String::new(), 0),
        Holder::Lease { officer, until } => (
            "l",
            officer.to_string(),
            instant_text(*until),
            due_micros(*until),
        ),
        Holder::Held { officer } => ("h", officer.to_string(), String::new(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn instants_round_trip_exactly() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(parse_instant(&instant_text(at)).unwrap(), at);
    }

    #[test]
    fn due_is_never_early() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
            + chrono::Duration::nanoseconds(1_500);
        assert!(due_micros(at) > now_micros(at), "due rounds up, now down");
        let whole = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        assert_eq!(due_micros(whole), now_micros(whole));
        assert_eq!(from_micros(due_micros(whole)).unwrap(), whole);
    }
}
