//! The calendars shipped in `rules/calendars/`, embedded at compile time: the one copy of
//! that data in the binary, for the places that need a calendar without a project folder
//! (tests, benchmarks, the conformance suite). The product itself reads and publishes the
//! project's own files.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use super::Calendar;
use crate::ids::CalendarId;
use crate::source::SourceText;

/// The `cn` year files as shipped: (path in the repository, text).
pub const CN_YEARS: &[(&str, &str)] = &[
    (
        "rules/calendars/cn/2024.yaml",
        include_str!("../../../rules/calendars/cn/2024.yaml"),
    ),
    (
        "rules/calendars/cn/2025.yaml",
        include_str!("../../../rules/calendars/cn/2025.yaml"),
    ),
    (
        "rules/calendars/cn/2026.yaml",
        include_str!("../../../rules/calendars/cn/2026.yaml"),
    ),
    (
        "rules/calendars/cn/2027.yaml",
        include_str!("../../../rules/calendars/cn/2027.yaml"),
    ),
];

/// The shipped `cn` year files as source texts.
pub fn cn_sources() -> Vec<SourceText> {
    CN_YEARS
        .iter()
        .map(|(name, text)| SourceText {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

/// The shipped `cn` calendar, built once per process.
pub fn cn() -> Arc<Calendar> {
    static CN: OnceLock<Arc<Calendar>> = OnceLock::new();
    CN.get_or_init(
        || match Calendar::from_sources("cn".into(), &cn_sources()) {
            Ok(calendar) => Arc::new(calendar),
            Err(diagnostics) => panic!("the shipped cn calendar is invalid: {diagnostics:?}"),
        },
    )
    .clone()
}

/// The shipped `cn` calendar keyed by its id, as a runtime's configuration takes it.
pub fn cn_calendars() -> BTreeMap<CalendarId, Arc<Calendar>> {
    BTreeMap::from([(CalendarId::new("cn"), cn())])
}
