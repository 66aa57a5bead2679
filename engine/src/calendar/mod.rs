//! Working-day arithmetic on a business calendar with holidays and adjusted working days.
//!
//! # Counting convention
//!
//! Time limits of administrative licensing are counted in working days, statutory holidays
//! excluded (《中华人民共和国行政许可法》第八十二条: 本法规定的行政机关实施行政许可的期限以
//! 工作日计算，不含法定节假日), and the day a period starts on is not counted (the civil-law
//! period rule, 《中华人民共和国民法典》第二百零一条: 开始的当日不计入，自下一日开始计算). So:
//!
//! - A period of *n* working days that starts on day D (the day of acceptance) ends on the
//!   *n*-th working day **after** D; D itself is not counted, whether or not it is a working
//!   day. A period of 1 day starting on Friday ends on the next Monday.
//! - *n* = 0 ends on D itself, even when D is a day off (an instant item, 即办件, is decided
//!   on the day it is received).
//! - [`Calendar::working_days_between`]`(from, to)` counts the working days in `(from, to]`,
//!   negative when `to` is before `from`, so that `between(D, add(D, n)) == n`.
//! - A working day is Monday to Friday unless the calendar lists it as a day off (放假), or a
//!   Saturday or Sunday that it lists as worked in exchange (调休上班).
//!
//! # Coverage
//!
//! A calendar covers 1 January of its first year file to 31 December of its last, with no
//! year missing in between. A date outside that range — asked about, or one an addition would
//! have to reach — is an [`Error::OutOfRange`], never a guess: the State Council publishes
//! each year's holidays only a few weeks ahead, and an ordinary week assumed for a year not
//! yet published would give wrong deadlines around the Spring Festival.
//!
//! # Cost
//!
//! The arithmetic is O(1), with no day-by-day walk: [`Calendar::from_sources`] precomputes,
//! for each covered day, the number of working days before it, and the list of all working
//! days, so adding *n* working days is one index lookup and counting them is one
//! subtraction. Holiday names and day kinds are a map lookup, O(log n) in the listed days.

mod data;
mod locate;
pub mod provisional;
pub mod shipped;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::ids::CalendarId;
use crate::source::{Diagnostic, SourceText};

use data::{Listed, Section};
pub use data::{YearInfo, YearKind};

/// Errors of calendar arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The date lies outside the years the calendar has data for.
    #[error(
        "calendar `{calendar}` covers {first} to {last} only; {date} is outside it, so its \
         working days are unknown"
    )]
    OutOfRange {
        /// Calendar id.
        calendar: CalendarId,
        /// The date asked about; or, when an addition or subtraction runs past the coverage,
        /// the first uncovered day it would need (the day after the last covered day, or the
        /// day before the first).
        date: NaiveDate,
        /// First covered day.
        first: NaiveDate,
        /// Last covered day.
        last: NaiveDate,
    },
}

/// What kind of day a date is on a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// An ordinary Monday to Friday.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A listed day off (放假): a statutory holiday or a rest day joined to one, which may
    /// fall on any day of the week.
    Holiday,
    /// A listed Saturday or Sunday worked in exchange (调休上班).
    AdjustedWorkday,
}

impl DayKind {
    /// Whether offices work on a day of this kind.
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday)
    }
}

/// A business calendar, e.g. `cn` built from the State Council holiday notices.
#[derive(Clone)]
pub struct Calendar {
    id: CalendarId,
    /// First covered day, 1 January of the first year.
    first: NaiveDate,
    /// Last covered day, 31 December of the last year.
    last: NaiveDate,
    /// `first` as days from the common era, to turn a date into an index by subtraction.
    base: i32,
    /// `before[i]` is the number of working days strictly before covered day `i` (day 0 is
    /// `first`); it has one element more than there are covered days, so that
    /// `before[i + 1] - before[i]` says whether day `i` is a working day.
    before: Vec<u32>,
    /// Every working day in the coverage, in order: `working[k]` is the (k + 1)-th.
    working: Vec<NaiveDate>,
    /// The dates the data lists, for names and kinds.
    listed: BTreeMap<NaiveDate, Listed>,
    /// Every covered year: official or provisional, and its source.
    years: BTreeMap<i32, YearInfo>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("id", &self.id)
            .field("first", &self.first)
            .field("last", &self.last)
            .field("working_days", &self.working.len())
            .field("listed_days", &self.listed.len())
            .finish()
    }
}

impl Calendar {
    /// Builds a calendar from its year files (`rules/calendars/<id>/<year>.yaml`).
    ///
    /// The files are read together, in any order: a date may sit in another year's file as
    /// long as it lies within the coverage. Every problem found is returned at once, each as
    /// a [`Diagnostic`] at `file:line:column`.
    pub fn from_sources(id: CalendarId, years: &[SourceText]) -> Result<Calendar, Vec<Diagnostic>> {
        let listing = data::read(&id, years)?;
        let (first, last) = (listing.first, listing.last);
        let mut before = Vec::new();
        let mut working = Vec::new();
        before.push(0);
        for day in first.iter_days().take_while(|d| *d <= last) {
            let is_working = match listing.days.get(&day) {
                Some(listed) => listed.section == Section::Work,
                None => !is_weekend(day),
            };
            if is_working {
                working.push(day);
            }
            before.push(u32::try_from(working.len()).unwrap_or(u32::MAX));
        }
        Ok(Calendar {
            id,
            first,
            last,
            base: first.num_days_from_ce(),
            before,
            working,
            listed: listing.days,
            years: listing.years,
        })
    }

    /// Every covered year with its kind and source, in order.
    pub fn years(&self) -> &BTreeMap<i32, YearInfo> {
        &self.years
    }

    /// Whether `date` lies in a provisional year (or outside the coverage, where nothing is
    /// firm either).
    pub fn is_provisional(&self, date: NaiveDate) -> bool {
        !self.is_official_year(date.year())
    }

    /// Whether a date computed by counting working days from `from` to `to` (either order)
    /// depends on a provisional year: whether any year from the one of the earlier date to
    /// the one of the later is provisional or not covered.
    pub fn depends_on_provisional(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let (low, high) = if from <= to { (from, to) } else { (to, from) };
        (low.year()..=high.year()).any(|year| !self.is_official_year(year))
    }

    /// Whether `year` is covered by an official year.
    fn is_official_year(&self, year: i32) -> bool {
        matches!(self.years.get(&year), Some(info) if info.kind == YearKind::Official)
    }

    /// The last day of the last official year that follows the first covered year without
    /// a provisional year in between; `None` when the first year is provisional.
    pub fn official_until(&self) -> Option<NaiveDate> {
        let last_official = self
            .years
            .iter()
            .take_while(|(_, info)| info.kind == YearKind::Official)
            .map(|(year, _)| *year)
            .last()?;
        NaiveDate::from_ymd_opt(last_official, 12, 31)
    }

    /// Working days from `today` (not counted) to `until` (counted), clamped to the
    /// coverage; 0 when `today` is at or past `until` or outside the coverage.
    pub fn working_days_left(&self, today: NaiveDate, until: NaiveDate) -> u32 {
        let until = until.min(self.last);
        if today >= until {
            return 0;
        }
        self.working_days_between(today.max(self.first), until)
            .map_or(0, |days| u32::try_from(days.max(0)).unwrap_or(u32::MAX))
    }

    /// The calendar's id.
    pub fn id(&self) -> &CalendarId {
        &self.id
    }

    /// The first and last covered days: 1 January of the first year file and 31 December of
    /// the last.
    pub fn coverage(&self) -> (NaiveDate, NaiveDate) {
        (self.first, self.last)
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, Error> {
        let i = self.index(date)?;
        Ok(self.before[i + 1] > self.before[i])
    }

    /// What kind of day `date` is: ordinary workday or weekend, listed holiday, or adjusted
    /// working day.
    pub fn day_kind(&self, date: NaiveDate) -> Result<DayKind, Error> {
        self.index(date)?;
        Ok(match self.listed.get(&date).map(|l| l.section) {
            Some(Section::Off) => DayKind::Holiday,
            Some(Section::Work) => DayKind::AdjustedWorkday,
            None if is_weekend(date) => DayKind::Weekend,
            None => DayKind::Workday,
        })
    }

    /// The name of the holiday a listed date belongs to — the holiday itself for a day off,
    /// or the holiday it makes up for on an adjusted working day (`春节` for the Saturday
    /// worked before the Spring Festival). `None` for an ordinary day or an uncovered date.
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        self.listed.get(&date).map(|l| &*l.name)
    }

    /// The day a period of `days` working days starting on `start` ends on: the `days`-th
    /// working day after `start`, or `start` itself when `days` is 0.
    pub fn add_working_days(&self, start: NaiveDate, days: u32) -> Result<NaiveDate, Error> {
        self.forward(start, days as usize)
    }

    /// The `days`-th working day before `start` (`start` not counted), or `start` itself when
    /// `days` is 0; e.g. the day a warning fires when 1 working day remains before a due
    /// date. When `start` is a working day, `between(subtract(start, n), start) == n`.
    pub fn subtract_working_days(&self, start: NaiveDate, days: u32) -> Result<NaiveDate, Error> {
        self.backward(start, days as usize)
    }

    /// [`add_working_days`](Self::add_working_days) for `days ≥ 0`,
    /// [`subtract_working_days`](Self::subtract_working_days) of `-days` otherwise.
    pub fn add_signed(&self, start: NaiveDate, days: i64) -> Result<NaiveDate, Error> {
        let magnitude = usize::try_from(days.unsigned_abs()).unwrap_or(usize::MAX);
        if days >= 0 {
            self.forward(start, magnitude)
        } else {
            self.backward(start, magnitude)
        }
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> Result<NaiveDate, Error> {
        self.forward(date, 1)
    }

    /// The last working day strictly before `date`.
    pub fn previous_working_day(&self, date: NaiveDate) -> Result<NaiveDate, Error> {
        self.backward(date, 1)
    }

    /// The number of working days in `(from, to]`; negative when `to` is before `from`.
    /// `between(d, add(d, n)) == n` for every covered `d` and `n`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, Error> {
        let (i, j) = (self.index(from)?, self.index(to)?);
        Ok(i64::from(self.before[j + 1]) - i64::from(self.before[i + 1]))
    }

    /// The index of a covered date (`first` is 0), or the out-of-range error for it.
    #[inline]
    fn index(&self, date: NaiveDate) -> Result<usize, Error> {
        usize::try_from(date.num_days_from_ce() - self.base)
            .ok()
            .filter(|&i| i + 1 < self.before.len())
            .ok_or_else(|| self.out_of_range(date))
    }

    /// The `days`-th working day after `start`, or `start` when `days` is 0.
    #[inline]
    fn forward(&self, start: NaiveDate, days: usize) -> Result<NaiveDate, Error> {
        let i = self.index(start)?;
        if days == 0 {
            return Ok(start);
        }
        // Working days up to and including `start`, plus `days`, is the rank of the result.
        let rank = (self.before[i + 1] as usize).saturating_add(days);
        self.working
            .get(rank - 1)
            .copied()
            .ok_or_else(|| self.out_of_range(self.last.succ_opt().unwrap_or(self.last)))
    }

    /// The `days`-th working day before `start`, or `start` when `days` is 0.
    #[inline]
    fn backward(&self, start: NaiveDate, days: usize) -> Result<NaiveDate, Error> {
        let i = self.index(start)?;
        if days == 0 {
            return Ok(start);
        }
        let earlier = self.before[i] as usize;
        match earlier.checked_sub(days) {
            Some(k) => Ok(self.working[k]),
            None => Err(self.out_of_range(self.first.pred_opt().unwrap_or(self.first))),
        }
    }

    fn out_of_range(&self, date: NaiveDate) -> Error {
        Error::OutOfRange {
            calendar: self.id.clone(),
            date,
            first: self.first,
            last: self.last,
        }
    }
}

/// Whether `date` is a Saturday or Sunday.
fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Test helpers for other modules of this crate.
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::Arc;

    use super::Calendar;

    /// The shipped `cn` calendar.
    pub(crate) fn cn() -> Arc<Calendar> {
        super::shipped::cn()
    }
}
