//! The supervision board's KPIs (电子监察考核指标), computed from case events.
//!
//! A [`KpiBoard`] (`board`) is fed case histories — a whole history with
//! [`KpiBoard::add_history`], or event by event with [`KpiBoard::record`] — and keeps a small
//! summary of each case. Its [`KpiBoard::report`] folds the summaries into a [`KpiReport`]
//! (`report`): every KPI overall, per workflow and per department, with its numerator and
//! denominator, the seed's target beside it and whether the target is met. The calendar is
//! a parameter of `report` (it is needed only for elapsed working days), so the board does
//! no I/O and stores no calendar.
//!
//! # Definitions
//!
//! | KPI | target | numerator / denominator |
//! |---|---|---|
//! | 现场办结率 on-site completion rate | ≥ 90 % | decided tasks (approved or rejected) whose kind is not `referred` / decided tasks |
//! | 按时办结率 on-time rate, tasks | 100 % | approved tasks approved on or before their committed due date / approved tasks with a due date |
//! | 提前办结率 early rate, tasks | ≥ 90 % | approved tasks approved strictly before it / the same |
//! | 按时办结率 on-time rate, cases | 100 % | cases completed on or before the promised completion / completed cases |
//! | 提前办结率 early rate, cases | ≥ 90 % | cases completed strictly before it / completed cases |
//! | 承诺时限压缩 average reduction | ≥ 50 % | sum over planned tasks of 1 − committed/statutory (in %) / planned tasks with statutory days > 0 |
//! | 承诺时限压缩达标率 | 100 % | those tasks with committed ≤ 50 % of statutory / the same tasks |
//! | 即办件比重 instant-item share | ≥ 70 % | planned tasks of kind `instant` / planned tasks |
//! | 群众满意率 satisfaction rate | ≥ 95 % | satisfied ratings / ratings |
//! | 平均办结用时 elapsed working days | — | working days from launch date to completion date, summed / completed cases |
//!
//! - The committed due date of a task is the latest one carried by `TaskReady`,
//!   `SupplementSubmitted` or `SpecialProcedureEnded` before the approval, so suspended time
//!   (补正, special procedures) is not held against the department. The approval date is the
//!   calendar day of the `TaskApproved` event in the case's time zone: a task approved on its
//!   due date is on time, not early.
//! - "Items" are counted per task of each launched case (one task per approval item per case),
//!   so an item weighs as often as it is applied for. Instant items (statutory 0) are left out
//!   of both time-limit reduction KPIs.
//! - A KPI with a zero denominator has no value (`None`, "no data"), never 0 % or 100 %, and
//!   `met` is `None` too.
//! - Task-level KPIs appear in every scope; case-level KPIs (case on-time and early rates,
//!   satisfaction, elapsed days) and case counts appear overall and per workflow only, since a
//!   case is not one department's.
//!
//! The KPIs themselves, with their labels, units and targets, are in `definition`. Turning a
//! report into text for people is the adapters' business: the HTTP API's table rows
//! (`greenlane_http`'s views) and the CLI's demo report.

mod board;
mod definition;
mod report;

pub use board::KpiBoard;
pub use definition::{Kpi, Target, Unit};
pub use report::{AlertCounts, CaseCounts, KpiReport, Measure, Scope, ScopeReport, TaskCounts};

#[cfg(test)]
mod tests;
