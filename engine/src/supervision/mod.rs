//! Electronic supervision (电子监察): alert levels, when they fire, and who is told.
//!
//! The firing rule, stated once and tested in `case::tests`: a card fires at the **end of its
//! due day** — at midnight starting the next calendar day in the center's time zone — if the
//! task is still open (for suspensions see below). So a task approved on its committed due date is on
//! time and gets no yellow card; one still open when that day ends gets the card at 00:00.
//! A task waiting for supplements (补正) is never carded; a special procedure suspends the
//! clock for at most its granted working days, so while it runs the dates below are pushed
//! back by the granted days, and a procedure that overruns them is carded.
//! - `warning`: at the end of the earlier of (a) the working day before the committed due
//!   date — one working day left — and (b) the day on which the share of committed time used
//!   reaches the workflow's threshold (90 % by default). Tasks with 0 committed days get none.
//! - `yellow` (黄牌): at the end of the committed due date.
//! - `red` (红牌): at the end of the statutory due date.

mod alert;
mod escalation;
mod kpi;

pub use alert::{alert_dates, end_of_day, AlertLevel, WarningPolicy};
pub use escalation::{default_recipients, Recipient};
pub use kpi::{
    AlertCounts, CaseCounts, Kpi, KpiBoard, KpiReport, Measure, Row, Scope, ScopeReport, Target,
    TaskCounts, Unit,
};
