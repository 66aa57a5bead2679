//! A stand-in [`Calendar`] for unit tests of modules that only need one to exist.
//!
//! The workflow module's tests build workflows before the calendar module can load real
//! calendars; this file is test-only and can be dropped or adapted when the real
//! `Calendar::from_sources` lands.

#![cfg(test)]

use super::Calendar;
use crate::ids::CalendarId;

impl Calendar {
    /// A calendar with the given id and no data; only for tests that never count days.
    pub(crate) fn placeholder(id: CalendarId) -> Calendar {
        Calendar { id }
    }
}
