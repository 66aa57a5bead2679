//! Alert levels and the instants at which they fire.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;

/// How serious an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    /// 预警: the committed limit is near.
    Warning,
    /// 黄牌: the committed limit has passed.
    Yellow,
    /// 红牌: the statutory limit has passed.
    Red,
}

impl AlertLevel {
    /// Every level, mildest first.
    pub const ALL: [AlertLevel; 3] = [AlertLevel::Warning, AlertLevel::Yellow, AlertLevel::Red];

    /// Label for people, Chinese first.
    pub fn label(self) -> &'static str {
        match self {
            AlertLevel::Warning => "预警 warning",
            AlertLevel::Yellow => "黄牌 yellow card",
            AlertLevel::Red => "红牌 red card",
        }
    }

    /// Machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertLevel::Warning => "warning",
            AlertLevel::Yellow => "yellow",
            AlertLevel::Red => "red",
        }
    }
}

/// When a warning fires, set per workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningPolicy {
    /// Warn when this many working days (or fewer) are left before the committed due date.
    pub days_left: u32,
    /// Warn when this share (percent) of the committed time is used.
    pub used_percent: u32,
}

impl Default for WarningPolicy {
    fn default() -> Self {
        WarningPolicy {
            days_left: 1,
            used_percent: 90,
        }
    }
}

/// The dates at the end of which each level fires for a task that became ready on
/// `ready_on` with these limits and paused days: the warning's, the committed due date and
/// the statutory due date. `None` when the level never fires (a warning for a task with no
/// committed time) or when its date lies past the calendar's coverage.
pub fn alert_dates(
    calendar: &Calendar,
    policy: WarningPolicy,
    ready_on: NaiveDate,
    committed_days: u32,
    paused_days: u32,
    statutory_days: u32,
) -> [(AlertLevel, Option<NaiveDate>); 3] {
    // Paused working days push every date of the task back by as many working days.
    let after = |days: u32| calendar.add_working_days(ready_on, days + paused_days).ok();
    let warning = if committed_days == 0 {
        None
    } else {
        let left = committed_days.saturating_sub(policy.days_left);
        let used = (committed_days * policy.used_percent).div_ceil(100);
        after(left.min(used))
    };
    [
        (AlertLevel::Warning, warning),
        (AlertLevel::Yellow, after(committed_days)),
        (AlertLevel::Red, after(statutory_days)),
    ]
}

/// The instant a day ends in `zone`: midnight starting the next calendar day.
pub fn end_of_day(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let next = date
        .succ_opt()
        .unwrap_or(date)
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists");
    zone.from_local_datetime(&next)
        .earliest()
        .unwrap_or_else(|| zone.from_utc_datetime(&next))
        .with_timezone(&chrono::Utc)
}
