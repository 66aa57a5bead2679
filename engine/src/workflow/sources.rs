//! What a workflow may refer to besides its own file: the shared departments file, the
//! rules scripts and the calendars, read by the caller.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::calendar::Calendar;
use crate::ids::CalendarId;
use crate::source::SourceText;

/// Everything a workflow may refer to, already read from disk by the caller.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Shared departments (`workflows/departments.yaml`), if present.
    pub departments: Option<SourceText>,
    /// Rules scripts by file name as a workflow's `rules:` field names them
    /// (e.g. `industrial-project.rhai`).
    pub rules: BTreeMap<String, SourceText>,
    /// Calendars by id (`cn`).
    pub calendars: BTreeMap<CalendarId, Arc<Calendar>>,
}
