//! How values are written to Redis: events and definitions as JSON, queue entries as
//! space-separated text (see `lua/queue.lua`), instants as RFC 3339
//! text (exact to the nanosecond) and, where Redis must order them, as microseconds in a
//! sorted-set score (exact in a double until the year 2255). A due instant is rounded up
//! and `now` down, so nothing is ever taken early; it may be taken up to 1 µs late.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat};
use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::{DepartmentId, PrincipalId};
use greenlane_runtime::ports::{Holder, QueueEntry};

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

/// A queue entry's fields as stored, borrowed from its value.
struct StoredEntry<'a> {
    id: &'a str,
    due: &'a str,
    at: &'a str,
    h: &'a str,
    officer: Option<&'a str>,
    until: Option<&'a str>,
}

impl<'a> StoredEntry<'a> {
    /// `<id> <day> <due> <at> <h>[ <till> <officer>]`, as `queue.lua` writes it.
    fn parse(value: &'a str) -> Result<StoredEntry<'a>, Error> {
        let mut fields = value.splitn(7, ' ');
        let mut next = |what: &str| {
            fields
                .next()
                .filter(|f| !f.is_empty())
                .ok_or_else(|| Error::corrupt("queue entry", format!("no {what} in {value:?}")))
        };
        let id = next("stream id")?;
        next("due day")?;
        let due = next("due date")?;
        let at = next("dispatch instant")?;
        let h = next("holder")?;
        let (until, officer) = match h {
            "f" => (None, None),
            _ => {
                let until = next("lease end")?;
                (Some(until).filter(|u| *u != "-"), Some(next("officer")?))
            }
        };
        Ok(StoredEntry {
            id,
            due,
            at,
            h,
            officer,
            until,
        })
    }
}

/// Where an entry stands in its queue: its stream id, which orders dispatches.
pub(crate) type StreamOrder = (u64, u64);

/// The queue entry of `member` in `department`'s queue, from its stored value, with its
/// stream id.
pub(crate) fn decode_entry(
    department: &DepartmentId,
    member: &str,
    value: &[u8],
) -> Result<(QueueEntry, StreamOrder), Error> {
    let text =
        std::str::from_utf8(value).map_err(|_| Error::corrupt("queue entry", "not UTF-8"))?;
    let stored = StoredEntry::parse(text)?;
    let due = NaiveDate::parse_from_str(stored.due, "%Y-%m-%d")
        .map_err(|e| Error::corrupt("queue entry", format!("due {:?}: {e}", stored.due)))?;
    let officer = || {
        stored
            .officer
            .map(PrincipalId::new)
            .ok_or_else(|| Error::corrupt("queue entry", "a holder without an officer"))
    };
    let holder = match stored.h {
        "f" => Holder::Free,
        "l" => Holder::Lease {
            officer: officer()?,
            until: parse_instant(
                stored
                    .until
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
        dispatched_at: parse_instant(stored.at)?,
        holder,
    };
    Ok((entry, order))
}

/// What follows the stream id in a new entry as `queue.lua` keeps it: due day number, due
/// date and dispatch instant.
pub(crate) fn entry_rest(entry: &QueueEntry) -> String {
    format!(
        "{} {} {}",
        day_number(entry.due),
        entry.due.format("%Y-%m-%d"),
        instant_text(entry.dispatched_at)
    )
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
    fn entries_decode_from_their_text() {
        let department = DepartmentId::new("tax");
        let member = &crate::keys::task_member(&greenlane_runtime::ports::TaskKey::new(
            &"c1".into(),
            &"t1".into(),
        ));
        let (free, order) = decode_entry(
            &department,
            member,
            b"1772413200000-7 739677 2026-03-09 2026-03-02T01:00:00Z f",
        )
        .unwrap();
        assert_eq!(order, (1772413200000, 7));
        assert_eq!(free.holder, Holder::Free);
        assert_eq!(free.due, NaiveDate::from_ymd_opt(2026, 3, 9).unwrap());
        let (leased, _) = decode_entry(
            &department,
            member,
            b"1-0 739677 2026-03-09 2026-03-02T01:00:00Z l 2026-03-02T01:10:00.5Z officer 1",
        )
        .unwrap();
        assert_eq!(
            leased.holder,
            Holder::Lease {
                officer: PrincipalId::new("officer 1"),
                until: parse_instant("2026-03-02T01:10:00.5Z").unwrap(),
            },
            "the officer is the rest of the value"
        );
        let (held, _) = decode_entry(
            &department,
            member,
            b"1-0 739677 2026-03-09 2026-03-02T01:00:00Z h - officer-2",
        )
        .unwrap();
        assert_eq!(
            held.holder,
            Holder::Held {
                officer: PrincipalId::new("officer-2")
            }
        );
        for corrupt in [
            &b"1-0 739677 2026-03-09"[..],
            b"1-0 739677 2026-03-09 at l",
            b"",
            br#"{"id":"1-0","due":"2026-03-09","at":"2026-03-02T01:00:00Z","h":"f"}"#,
        ] {
            assert!(decode_entry(&department, member, corrupt).is_err());
        }
    }

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
