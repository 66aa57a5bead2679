//! Event-sourced cases: one joint approval, its tasks, and every change as an event.
//!
//! - [`decide`]: `(state, definition, principal, command, now) → events | rejection`.
//! - [`apply`]: `(state, event) → state`; [`replay`] folds a history.
//!
//! Both are pure: `now` is an argument, and the runtime carries out what the events imply
//! (dispatching ready tasks to department queues, indexing due dates).

mod apply;
mod command;
mod deadline;
mod decide;
mod event;
mod projection;
mod rejection;
mod state;

pub use apply::{apply, replay};
pub use command::Command;
pub use deadline::{next_check, pending_alerts, PendingAlert};
pub use decide::{decide, decide_launch};
pub use event::{
    DateChange, Event, PlannedTaskSnapshot, Rating, Recorded, SpecialProcedure, TaskRedated,
    Timestamp, SECRET_FIELDS,
};
pub use projection::{projection, Projection};
pub use rejection::Rejection;
pub use state::{
    CaseState, CaseStatus, CaseStatusKind, Pause, Suspension, TaskState, TaskStatus, Urge,
};

use chrono::NaiveDate;
use chrono_tz::Tz;

/// The default center time zone.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// The calendar day `at` falls on in the time zone named `zone` (Asia/Shanghai when the
/// name is unknown, which validation at launch prevents).
pub fn local_date(at: Timestamp, zone: &str) -> NaiveDate {
    let zone: Tz = zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    at.with_timezone(&zone).date_naive()
}

/// Parses an IANA time zone name.
pub fn parse_time_zone(zone: &str) -> Result<Tz, Rejection> {
    zone.parse()
        .map_err(|_| Rejection::TimeZone(zone.to_string()))
}

#[cfg(test)]
mod tests;
