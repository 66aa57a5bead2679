//! Office hours of the simulated center: which instants are working time, when the clock
//! ticks, and turning "working day D at 10:40" into a UTC timestamp. Days are calendar days
//! in the center's time zone; working days come from the business calendar (holidays and
//! 调休 included).

use anyhow::Context;
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use greenlane_engine::calendar::Calendar;
use greenlane_engine::case::Timestamp;
use rand::Rng;

/// The first minute of the working day (09:00).
const OPEN: u32 = 9 * 60;
/// The last minute officers start work at (17:30).
const CLOSE: u32 = 17 * 60 + 30;
/// Minutes between ticks during working hours.
const TICK_EVERY: u32 = 30;
/// The last tick of a working day (18:00), after which only the midnight tick runs.
const LAST_TICK: u32 = 18 * 60;

/// The center's working days and hours.
#[derive(Debug, Clone)]
pub(crate) struct Hours<'a> {
    calendar: &'a Calendar,
    zone: Tz,
}

impl<'a> Hours<'a> {
    /// Office hours on `calendar` in the time zone named `zone`.
    pub(crate) fn new(calendar: &'a Calendar, zone: &str) -> anyhow::Result<Hours<'a>> {
        let zone: Tz = zone
            .parse()
            .map_err(|_| anyhow::anyhow!("unknown time zone `{zone}`"))?;
        Ok(Hours { calendar, zone })
    }

    /// The time zone.
    pub(crate) fn zone(&self) -> Tz {
        self.zone
    }

    /// The calendar.
    pub(crate) fn calendar(&self) -> &'a Calendar {
        self.calendar
    }

    /// The last day the calendar covers.
    pub(crate) fn last_day(&self) -> NaiveDate {
        self.calendar.coverage().1
    }

    /// Minute `minute` (after midnight) of `date`, local time, as a UTC instant.
    pub(crate) fn at(&self, date: NaiveDate, minute: u32) -> Timestamp {
        let local = date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute));
        self.zone
            .from_local_datetime(&local)
            .earliest()
            .unwrap_or_else(|| self.zone.from_utc_datetime(&local))
            .with_timezone(&chrono::Utc)
    }

    /// The local calendar day of `at`.
    pub(crate) fn day(&self, at: Timestamp) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// Minutes after local midnight of `at`.
    fn minute(&self, at: Timestamp) -> u32 {
        let local = at.with_timezone(&self.zone).time();
        let since = local - NaiveTime::MIN;
        since.num_minutes() as u32
    }

    /// Whether `date` is a working day; outside the calendar's years is an error.
    pub(crate) fn is_working(&self, date: NaiveDate) -> anyhow::Result<bool> {
        self.calendar
            .is_working_day(date)
            .with_context(|| format!("{date}: outside the calendar"))
    }

    /// `days` working days after `date` (0: `date` itself).
    pub(crate) fn add(&self, date: NaiveDate, days: u32) -> anyhow::Result<NaiveDate> {
        Ok(self.calendar.add_working_days(date, days)?)
    }

    /// Working days from `from` to `to` (negative when `to` is earlier).
    pub(crate) fn between(&self, from: NaiveDate, to: NaiveDate) -> anyhow::Result<i64> {
        Ok(self.calendar.working_days_between(from, to)?)
    }

    /// The next tick after `after`: every half hour from 09:00 to 18:00 on working days,
    /// and at midnight every day (so end-of-day cards fire when the day ends).
    pub(crate) fn next_tick(&self, after: Timestamp) -> anyhow::Result<Timestamp> {
        let mut date = self.day(after);
        loop {
            let mut minutes = vec![0];
            // Past the calendar's years only the midnight tick runs; the caller stops there.
            if self.calendar.is_working_day(date).unwrap_or(false) {
                minutes.extend((OPEN..=LAST_TICK).step_by(TICK_EVERY as usize));
            }
            for minute in minutes {
                let tick = self.at(date, minute);
                if tick > after {
                    return Ok(tick);
                }
            }
            date = date.succ_opt().context("date overflow")?;
        }
    }

    /// A random working-hours instant on `date`, strictly after `not_before` (officers may
    /// stay late when the day's hours are used up, but never past the day's end). `date`
    /// must not be earlier than the day of `not_before`.
    pub(crate) fn time_on(
        &self,
        date: NaiveDate,
        not_before: Timestamp,
        rng: &mut impl Rng,
    ) -> Timestamp {
        let earliest = if date == self.day(not_before) {
            self.minute(not_before) + 1
        } else {
            0
        };
        let from = earliest.max(OPEN);
        let minute = if from <= CLOSE {
            rng.random_range(from..=CLOSE)
        } else {
            // After hours on the same day: a little later, before midnight.
            (from + rng.random_range(5..=30)).min(24 * 60 - 1)
        };
        self.at(date, minute)
    }

    /// A random instant `minutes` (a range) after `from`, on the same local day if possible.
    pub(crate) fn soon(
        &self,
        from: Timestamp,
        minutes: std::ops::RangeInclusive<i64>,
        rng: &mut impl Rng,
    ) -> Timestamp {
        let at = from + Duration::minutes(rng.random_range(minutes));
        let day = self.day(from);
        if self.day(at) == day {
            at
        } else {
            self.at(day, 24 * 60 - 1).max(from + Duration::minutes(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    #[test]
    fn ticks_run_every_half_hour_on_working_days_and_at_midnight() {
        let calendars = greenlane_engine::calendar::shipped::cn_calendars();
        let calendar = calendars.values().next().unwrap();
        let hours = Hours::new(calendar, "Asia/Shanghai").unwrap();
        // Friday 2026-03-06 18:00 Shanghai (10:00 UTC): the next tick is midnight, then
        // Saturday has only its midnight tick, Monday opens at 09:00.
        let friday_six = Utc.with_ymd_and_hms(2026, 3, 6, 10, 0, 0).unwrap();
        let midnight = hours.next_tick(friday_six).unwrap();
        assert_eq!(
            midnight,
            Utc.with_ymd_and_hms(2026, 3, 6, 16, 0, 0).unwrap()
        );
        let sunday = hours.next_tick(midnight).unwrap();
        assert_eq!(sunday, Utc.with_ymd_and_hms(2026, 3, 7, 16, 0, 0).unwrap());
        let monday = hours.next_tick(sunday).unwrap();
        assert_eq!(monday, Utc.with_ymd_and_hms(2026, 3, 8, 16, 0, 0).unwrap());
        let open = hours.next_tick(monday).unwrap();
        assert_eq!(open, Utc.with_ymd_and_hms(2026, 3, 9, 1, 0, 0).unwrap());
        let half = hours.next_tick(open).unwrap();
        assert_eq!(half, Utc.with_ymd_and_hms(2026, 3, 9, 1, 30, 0).unwrap());
    }
}
