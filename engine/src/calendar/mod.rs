//! Working-day arithmetic on a business calendar with holidays and adjusted working days.
//!
//! Convention (行政许可法 art. 82 and the civil-law period rule): a period of *n* working
//! days that starts on day D ends on the *n*-th working day after D — D itself is not
//! counted — and *n* = 0 ends on D. A date outside the years a calendar covers is an
//! [`Error::OutOfRange`], never a guess.
//!
//! Every operation is O(1) or O(log n): the calendar precomputes, for each day it covers,
//! the number of working days before it.

mod placeholder;

use chrono::NaiveDate;

use crate::ids::CalendarId;
use crate::workflow::{Diagnostic, SourceText};

/// Errors of calendar arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The date lies outside the years the calendar has data for.
    #[error("calendar `{calendar}` covers {first} to {last}; {date} is outside it")]
    OutOfRange {
        /// Calendar id.
        calendar: CalendarId,
        /// The date asked about (or the date an addition would reach).
        date: NaiveDate,
        /// First covered day.
        first: NaiveDate,
        /// Last covered day.
        last: NaiveDate,
    },
}

/// A business calendar, e.g. `cn` built from the State Council holiday notices.
#[derive(Debug, Clone)]
pub struct Calendar {
    id: CalendarId,
}

impl Calendar {
    /// Builds a calendar from its year files (`rules/calendars/<id>/<year>.yaml`).
    pub fn from_sources(id: CalendarId, years: &[SourceText]) -> Result<Calendar, Vec<Diagnostic>> {
        let _ = years;
        let _ = Calendar { id };
        todo!("calendar::from_sources")
    }

    /// The calendar's id.
    pub fn id(&self) -> &CalendarId {
        &self.id
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, Error> {
        let _ = date;
        todo!()
    }

    /// The day a period of `days` working days starting on `start` ends on.
    pub fn add_working_days(&self, start: NaiveDate, days: u32) -> Result<NaiveDate, Error> {
        let _ = (start, days);
        todo!()
    }

    /// The number of working days in `(from, to]`; negative when `to` is before `from`.
    /// `between(d, add(d, n)) == n` for every covered `d` and `n`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, Error> {
        let _ = (from, to);
        todo!()
    }
}
