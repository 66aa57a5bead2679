//! How values are written in the file's columns: timestamps as RFC 3339 text in UTC with
//! exactly as many fraction digits as they need (so they read back equal, to the
//! nanosecond), dates as `YYYY-MM-DD`, counters as SQLite integers, queue holders as a
//! kind column plus officer and lease end. Strings exist only here, at the storage
//! boundary; everything above uses typed values.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use greenlane_engine::case::Timestamp;
use greenlane_engine::ids::PrincipalId;
use greenlane_runtime::ports::Holder;

use crate::error::Fault;

/// A timestamp as stored.
pub(crate) fn timestamp(at: &Timestamp) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A stored timestamp read back; `what` names the record for the error.
pub(crate) fn parse_timestamp(
    text: &str,
    what: impl FnOnce() -> String,
) -> Result<Timestamp, Fault> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| Fault::Corrupt(what(), format!("bad timestamp `{text}`: {e}")))
}

/// A date as stored.
pub(crate) fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// A stored date read back.
pub(crate) fn parse_date(text: &str, what: impl FnOnce() -> String) -> Result<NaiveDate, Fault> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| Fault::Corrupt(what(), format!("bad date `{text}`: {e}")))
}

/// A counter (version, sequence number) as a SQLite integer. Counters never come near
/// `i64::MAX`; one that did would be refused by SQLite's type check rather than wrap.
pub(crate) fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A stored counter read back.
pub(crate) fn parse_count(value: i64, what: impl FnOnce() -> String) -> Result<u64, Fault> {
    u64::try_from(value).map_err(|_| Fault::Corrupt(what(), format!("negative count {value}")))
}

/// A holder as stored: kind, officer, lease end.
pub(crate) fn holder(holder: &Holder) -> (&'static str, Option<&str>, Option<String>) {
    match holder {
        Holder::Free => ("free", None, None),
        Holder::Lease { officer, until } => {
            ("lease", Some(officer.as_str()), Some(timestamp(until)))
        }
        Holder::Held { officer } => ("held", Some(officer.as_str()), None),
    }
}

/// A stored holder read back.
pub(crate) fn parse_holder(
    kind: &str,
    officer: Option<&str>,
    until: Option<&str>,
    what: impl Fn() -> String,
) -> Result<Holder, Fault> {
    let named = |officer: Option<&str>| {
        officer
            .map(PrincipalId::from)
            .ok_or_else(|| Fault::Corrupt(what(), format!("a `{kind}` holder without officer")))
    };
    match (kind, until) {
        ("free", _) => Ok(Holder::Free),
        ("lease", Some(until)) => Ok(Holder::Lease {
            officer: named(officer)?,
            until: parse_timestamp(until, &what)?,
        }),
        ("lease", None) => Err(Fault::Corrupt(
            what(),
            "a lease without its end".to_string(),
        )),
        ("held", _) => Ok(Holder::Held {
            officer: named(officer)?,
        }),
        (other, _) => Err(Fault::Corrupt(
            what(),
            format!("unknown holder kind `{other}`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_read_back_to_the_nanosecond() {
        let whole = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        for at in [
            whole,
            whole + chrono::Duration::milliseconds(250),
            whole + chrono::Duration::nanoseconds(123_456_789),
            whole + chrono::Duration::nanoseconds(1),
        ] {
            let text = timestamp(&at);
            assert_eq!(parse_timestamp(&text, String::new).unwrap(), at, "{text}");
        }
        assert_eq!(timestamp(&whole), "2026-01-05T09:00:00Z");
    }

    #[test]
    fn holders_read_back_equal() {
        let until = Utc.with_ymd_and_hms(2026, 1, 5, 9, 30, 0).unwrap();
        for h in [
            Holder::Free,
            Holder::Lease {
                officer: PrincipalId::from("li"),
                until,
            },
            Holder::Held {
                officer: PrincipalId::from("wang"),
            },
        ] {
            let (kind, officer, until) = holder(&h);
            let back = parse_holder(kind, officer, until.as_deref(), String::new).unwrap();
            assert_eq!(back, h);
        }
        assert!(parse_holder("lease", Some("li"), None, String::new).is_err());
        assert!(parse_holder("gone", None, None, String::new).is_err());
    }

    #[test]
    fn dates_read_back_equal() {
        let day = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert_eq!(date(day), "2026-02-28");
        assert_eq!(parse_date(&date(day), String::new).unwrap(), day);
        assert!(parse_date("28/02/2026", String::new).is_err());
    }
}
