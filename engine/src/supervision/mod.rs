//! Electronic supervision (电子监察): alert levels, when they fire, and who is told.
//!
//! The firing rule, stated once and tested in `case::tests`: a card fires at the **end of its
//! due day** — at midnight starting the next calendar day in the center's time zone — if the
//! task is still open (for suspensions see below). So a task approved on its committed due date is on
//! time and gets no yellow card; one still open when that day ends gets the card at 00:00.
//! A task waiting for supplements (补正) is never carded; a special procedure suspends the
//! clock for at most its granted working days, so while it runs the dates below are pushed
//! back by the granted days, and a procedure that overruns them is carded.
//! - `warning`: at the end of the earlier of (a) the day on which only the workflow's
//!   `days_left` working days are left before the committed due date (1 by default: the
//!   working day before it) and (b) the day on which the share of committed time used
//!   reaches the workflow's `used_percent` (90 % by default). Tasks with 0 committed days
//!   get none.
//! - `yellow` (黄牌): at the end of the committed due date.
//! - `red` (红牌): at the end of the statutory due date.
//!
//! Who is told is the workflow's escalation chain (`escalation`), or a function of its rules
//! script that falls back on the chain (`recipients`).

mod alert;
mod escalation;
mod kpi;
mod recipients;

pub use alert::{alert_dates, end_of_day, AlertLevel, WarningPolicy};
pub use escalation::{
    default_recipients, resolve, EscalationChain, Occasion, Parties, Recipient, RecipientName,
    RecipientNameError,
};
pub use kpi::{
    AlertCounts, CaseCounts, Kpi, KpiBoard, KpiReport, Measure, Scope, ScopeReport, Target,
    TaskCounts, Unit,
};
pub use recipients::{Addressed, Escalation, Notice, RecipientsError};
