//! The supervision board's KPIs (电子监察考核指标), computed from case events.
//!
//! A [`KpiBoard`] is fed case histories — a whole history with [`KpiBoard::add_history`], or
//! event by event with [`KpiBoard::record`] — and keeps a small summary of each case. Its
//! [`KpiBoard::report`] folds the summaries into a [`KpiReport`]: every KPI overall, per
//! workflow and per department, with its numerator and denominator, the seed's target beside
//! it and whether the target is met. The calendar is a parameter of `report` (it is needed
//! only for elapsed working days), so the board does no I/O and stores no calendar.
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

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::case::{local_date, Event, Rating, Recorded};
use crate::ids::{CaseId, DepartmentId, TaskId, WorkflowId};
use crate::supervision::AlertLevel;
use crate::workflow::TaskKind;

/// One KPI of the supervision board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kpi {
    /// 现场办结率: share of decided tasks decided inside the center (kind not `referred`).
    OnSiteRate,
    /// 按时办结率 for tasks: share of approved tasks approved by their committed due date.
    TaskOnTimeRate,
    /// 提前办结率 for tasks: share of approved tasks approved before their committed due date.
    TaskEarlyRate,
    /// 按时办结率 for cases: share of completed cases completed by the promised date.
    CaseOnTimeRate,
    /// 提前办结率 for cases: share of completed cases completed before the promised date.
    CaseEarlyRate,
    /// 承诺时限 vs 法定时限: average of 1 − committed/statutory over items with a statutory limit.
    LimitReduction,
    /// Share of items with a statutory limit whose committed limit is at most half of it.
    LimitReductionMet,
    /// 即办件比重: share of tasks of kind `instant`.
    InstantShare,
    /// 群众满意率: share of satisfied ratings.
    SatisfactionRate,
    /// Average working days from launch to completion of a completed case.
    ElapsedWorkingDays,
}

impl Kpi {
    /// Every KPI, in board order.
    pub const ALL: [Kpi; 10] = [
        Kpi::OnSiteRate,
        Kpi::TaskOnTimeRate,
        Kpi::TaskEarlyRate,
        Kpi::CaseOnTimeRate,
        Kpi::CaseEarlyRate,
        Kpi::LimitReduction,
        Kpi::LimitReductionMet,
        Kpi::InstantShare,
        Kpi::SatisfactionRate,
        Kpi::ElapsedWorkingDays,
    ];

    /// Label for people, Chinese first with English beside.
    pub fn label(self) -> &'static str {
        match self {
            Kpi::OnSiteRate => "现场办结率 on-site completion rate",
            Kpi::TaskOnTimeRate => "按时办结率（事项） on-time rate, tasks",
            Kpi::TaskEarlyRate => "提前办结率（事项） early rate, tasks",
            Kpi::CaseOnTimeRate => "按时办结率（案件） on-time rate, cases",
            Kpi::CaseEarlyRate => "提前办结率（案件） early rate, cases",
            Kpi::LimitReduction => "承诺时限压缩率 committed vs statutory, average reduction",
            Kpi::LimitReductionMet => "承诺时限压缩达标率 items with committed ≤ 50 % of statutory",
            Kpi::InstantShare => "即办件比重 instant-item share",
            Kpi::SatisfactionRate => "群众满意率 satisfaction rate",
            Kpi::ElapsedWorkingDays => "平均办结用时 average elapsed working days",
        }
    }

    /// Machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kpi::OnSiteRate => "on_site_rate",
            Kpi::TaskOnTimeRate => "task_on_time_rate",
            Kpi::TaskEarlyRate => "task_early_rate",
            Kpi::CaseOnTimeRate => "case_on_time_rate",
            Kpi::CaseEarlyRate => "case_early_rate",
            Kpi::LimitReduction => "limit_reduction",
            Kpi::LimitReductionMet => "limit_reduction_met",
            Kpi::InstantShare => "instant_share",
            Kpi::SatisfactionRate => "satisfaction_rate",
            Kpi::ElapsedWorkingDays => "elapsed_working_days",
        }
    }

    /// The seed's target, if it sets one.
    pub fn target(self) -> Option<Target> {
        let at_least = |percent| Some(Target { at_least: percent });
        match self {
            Kpi::OnSiteRate | Kpi::TaskEarlyRate | Kpi::CaseEarlyRate => at_least(90),
            Kpi::TaskOnTimeRate | Kpi::CaseOnTimeRate | Kpi::LimitReductionMet => at_least(100),
            Kpi::LimitReduction => at_least(50),
            Kpi::InstantShare => at_least(70),
            Kpi::SatisfactionRate => at_least(95),
            Kpi::ElapsedWorkingDays => None,
        }
    }

    /// What the value measures.
    pub fn unit(self) -> Unit {
        match self {
            Kpi::ElapsedWorkingDays => Unit::WorkingDays,
            _ => Unit::Percent,
        }
    }

    /// Whether the KPI is about tasks, and so is reported per department too.
    pub fn is_task_level(self) -> bool {
        matches!(
            self,
            Kpi::OnSiteRate
                | Kpi::TaskOnTimeRate
                | Kpi::TaskEarlyRate
                | Kpi::LimitReduction
                | Kpi::LimitReductionMet
                | Kpi::InstantShare
        )
    }

    /// Whether the value is an average of per-item values rather than a share of a count.
    fn is_average(self) -> bool {
        matches!(self, Kpi::LimitReduction | Kpi::ElapsedWorkingDays)
    }
}

/// What a KPI's value is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Percent, 0 to 100.
    Percent,
    /// Working days.
    WorkingDays,
}

/// A target from the seed: the value must be at least `at_least` percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The lowest value, in percent, that meets the target.
    pub at_least: u32,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at_least >= 100 {
            write!(f, "= {} %", self.at_least)
        } else {
            write!(f, "≥ {} %", self.at_least)
        }
    }
}

/// One KPI in one scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// Which KPI.
    pub kpi: Kpi,
    /// Its label, Chinese first.
    pub label: &'static str,
    /// What the value is measured in.
    pub unit: Unit,
    /// The count meeting the condition for a share, or the sum of per-item values (percent
    /// or working days) for an average.
    pub numerator: f64,
    /// The number of tasks, cases or ratings the KPI is about.
    pub denominator: u64,
    /// `100 × numerator / denominator` for a share, `numerator / denominator` for an
    /// average; `None` ("no data") when the denominator is 0.
    pub value: Option<f64>,
    /// The seed's target, if any.
    pub target: Option<Target>,
    /// Whether the target is met; `None` without a target or without data.
    pub met: Option<bool>,
}

impl Measure {
    /// A measure from its numerator and denominator.
    fn new(kpi: Kpi, numerator: f64, denominator: u64) -> Measure {
        let value = (denominator > 0).then(|| {
            let ratio = numerator / denominator as f64;
            if kpi.is_average() {
                ratio
            } else {
                100.0 * ratio
            }
        });
        let target = kpi.target();
        let met = match (value, target) {
            // Shares are compared on the integer counts, so 100 % means every one of them.
            (Some(_), Some(t)) if !kpi.is_average() => {
                Some(numerator * 100.0 >= f64::from(t.at_least) * denominator as f64)
            }
            (Some(v), Some(t)) => Some(v >= f64::from(t.at_least) - 1e-9),
            _ => None,
        };
        Measure {
            kpi,
            label: kpi.label(),
            unit: kpi.unit(),
            numerator,
            denominator,
            value,
            target,
            met,
        }
    }

    /// The value for people: `92.3 %`, `5.0 working days`, or `no data`.
    pub fn value_text(&self) -> String {
        match (self.value, self.unit) {
            (None, _) => "无数据 no data".to_string(),
            (Some(v), Unit::Percent) => format!("{v:.1} %"),
            (Some(v), Unit::WorkingDays) => format!("{v:.1} 工作日 working days"),
        }
    }
}

/// What a part of the report is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// Every case fed to the board.
    Overall,
    /// The cases of one workflow.
    Workflow(WorkflowId),
    /// The tasks of one department.
    Department(DepartmentId),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Overall => f.write_str("全部 overall"),
            Scope::Workflow(id) => write!(f, "流程 workflow {id}"),
            Scope::Department(id) => write!(f, "部门 department {id}"),
        }
    }
}

/// Task counts in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TaskCounts {
    /// Tasks in the plans of launched cases.
    pub planned: u64,
    /// Tasks dispatched to their department (made ready at least once).
    pub dispatched: u64,
    /// Tasks approved.
    pub approved: u64,
    /// Tasks rejected.
    pub rejected: u64,
    /// Tasks withdrawn because their case ended without them.
    pub withdrawn: u64,
}

/// Case counts in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CaseCounts {
    /// Cases launched.
    pub launched: u64,
    /// Cases whose every task was approved.
    pub completed: u64,
    /// Cases whose result was handed out.
    pub issued: u64,
    /// Cases rejected.
    pub rejected: u64,
    /// Cases withdrawn.
    pub withdrawn: u64,
    /// Cases raised as at risk of missing the promised completion at least once.
    pub at_risk: u64,
    /// Cases rated by the applicant.
    pub rated: u64,
    /// Completed cases left out of the elapsed working days because a date lies outside the
    /// calendar's coverage.
    pub elapsed_unknown: u64,
}

/// Alert counts by level in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AlertCounts {
    /// 预警 warnings.
    pub warning: u64,
    /// 黄牌 yellow cards.
    pub yellow: u64,
    /// 红牌 red cards.
    pub red: u64,
}

impl AlertCounts {
    /// The count for one level.
    pub fn get(&self, level: AlertLevel) -> u64 {
        match level {
            AlertLevel::Warning => self.warning,
            AlertLevel::Yellow => self.yellow,
            AlertLevel::Red => self.red,
        }
    }

    /// Counts one more alert of `level`.
    fn add(&mut self, level: AlertLevel) {
        match level {
            AlertLevel::Warning => self.warning += 1,
            AlertLevel::Yellow => self.yellow += 1,
            AlertLevel::Red => self.red += 1,
        }
    }
}

/// Every KPI and count of one scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeReport {
    /// What the figures are about.
    pub scope: Scope,
    /// The KPIs, in [`Kpi::ALL`] order; task-level ones only for a department.
    pub measures: Vec<Measure>,
    /// Task counts.
    pub tasks: TaskCounts,
    /// Case counts; `None` for a department.
    pub cases: Option<CaseCounts>,
    /// Alerts raised, by level.
    pub alerts: AlertCounts,
}

impl ScopeReport {
    /// The measure of `kpi`, if the scope reports it.
    pub fn measure(&self, kpi: Kpi) -> Option<&Measure> {
        self.measures.iter().find(|m| m.kpi == kpi)
    }
}

/// One line of the board, as text cells for a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The KPI's label.
    pub kpi: &'static str,
    /// The scope, e.g. `部门 department market-regulation`.
    pub scope: String,
    /// The value, e.g. `92.3 %` or `无数据 no data`.
    pub value: String,
    /// Numerator and denominator, e.g. `12 / 13`.
    pub basis: String,
    /// The target, e.g. `≥ 90 %`, or `—`.
    pub target: String,
    /// `达标 met`, `未达标 not met`, or `—`.
    pub met: String,
}

impl Row {
    /// Column headings matching [`Row::cells`].
    pub const HEADINGS: [&'static str; 6] = [
        "指标 KPI",
        "范围 scope",
        "数值 value",
        "分子/分母 basis",
        "目标 target",
        "达标 met",
    ];

    /// The cells in [`Row::HEADINGS`] order.
    pub fn cells(&self) -> [&str; 6] {
        [
            self.kpi,
            &self.scope,
            &self.value,
            &self.basis,
            &self.target,
            &self.met,
        ]
    }
}

/// The supervision board: every KPI overall, per workflow and per department.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiReport {
    /// Every case fed to the board.
    pub overall: ScopeReport,
    /// One per workflow, by workflow id.
    pub workflows: Vec<ScopeReport>,
    /// One per department, by department id.
    pub departments: Vec<ScopeReport>,
    /// Events the board could not place: for a case not launched (yet), a task not in the
    /// case's plan, or a second launch of a case.
    pub ignored_events: u64,
}

impl KpiReport {
    /// Every scope: overall, then workflows, then departments.
    pub fn scopes(&self) -> impl Iterator<Item = &ScopeReport> {
        std::iter::once(&self.overall)
            .chain(&self.workflows)
            .chain(&self.departments)
    }

    /// One row per KPI per scope, for a table.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for scope in self.scopes() {
            for m in &scope.measures {
                let numerator = match m.unit {
                    Unit::Percent if m.kpi.is_average() => format!("{:.1}", m.numerator),
                    _ => format!("{}", m.numerator),
                };
                rows.push(Row {
                    kpi: m.label,
                    scope: scope.scope.to_string(),
                    value: m.value_text(),
                    basis: format!("{numerator} / {}", m.denominator),
                    target: m.target.map_or_else(|| "—".to_string(), |t| t.to_string()),
                    met: match m.met {
                        Some(true) => "达标 met".to_string(),
                        Some(false) => "未达标 not met".to_string(),
                        None => "—".to_string(),
                    },
                });
            }
        }
        rows
    }
}

impl fmt::Display for KpiReport {
    /// A plain-text table of [`KpiReport::rows`], then the counts of each scope.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self.rows();
        let mut widths = Row::HEADINGS.map(display_width);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row.cells()) {
                *width = (*width).max(display_width(cell));
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, cells: [&str; 6]| -> fmt::Result {
            let mut text = String::new();
            for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
                if i > 0 {
                    text.push_str("  ");
                }
                text.push_str(cell);
                let pad = width.saturating_sub(display_width(cell));
                text.push_str(&" ".repeat(pad));
            }
            writeln!(f, "{}", text.trim_end())
        };
        line(f, Row::HEADINGS)?;
        for row in &rows {
            line(f, row.cells())?;
        }
        for scope in self.scopes() {
            let t = &scope.tasks;
            write!(
                f,
                "\n{}: 事项 tasks planned {}, dispatched {}, approved {}, rejected {}, \
                 withdrawn {}; 预警 {} 黄牌 {} 红牌 {}",
                scope.scope,
                t.planned,
                t.dispatched,
                t.approved,
                t.rejected,
                t.withdrawn,
                scope.alerts.warning,
                scope.alerts.yellow,
                scope.alerts.red,
            )?;
            if let Some(c) = &scope.cases {
                write!(
                    f,
                    "; 案件 cases launched {}, completed {}, issued {}, rejected {}, \
                     withdrawn {}, at risk {}, rated {}",
                    c.launched, c.completed, c.issued, c.rejected, c.withdrawn, c.at_risk, c.rated,
                )?;
            }
        }
        if self.ignored_events > 0 {
            write!(f, "\n忽略 ignored events: {}", self.ignored_events)?;
        }
        writeln!(f)
    }
}

/// The columns a string takes in a terminal: 2 for East Asian wide characters, 1 otherwise.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\u{1100}'..='\u{115F}'
            | '\u{2E80}'..='\u{A4CF}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FE30}'..='\u{FE4F}'
            | '\u{FF00}'..='\u{FF60}'
            | '\u{FFE0}'..='\u{FFE6}' => 2,
            _ => 1,
        })
        .sum()
}

/// How a task ended, as far as the KPIs care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Approved on `on` (a calendar day in the case's time zone), with the committed due
    /// date in force then.
    Approved {
        on: NaiveDate,
        due: Option<NaiveDate>,
    },
    /// Rejected.
    Rejected,
    /// Withdrawn because the case ended without it.
    Withdrawn,
}

/// What the board keeps of one task.
#[derive(Debug, Clone)]
struct TaskTrack {
    id: TaskId,
    department: DepartmentId,
    kind: TaskKind,
    statutory_days: u32,
    committed_days: u32,
    dispatched: bool,
    committed_due: Option<NaiveDate>,
    outcome: Option<Outcome>,
}

/// What the board keeps of one case.
#[derive(Debug, Clone)]
struct CaseTrack {
    workflow: WorkflowId,
    time_zone: String,
    launched_on: NaiveDate,
    promised: NaiveDate,
    tasks: Vec<TaskTrack>,
    completed_on: Option<NaiveDate>,
    issued: bool,
    rejected: bool,
    withdrawn: bool,
    at_risk: bool,
    rating: Option<Rating>,
    alerts: Vec<(DepartmentId, AlertLevel)>,
}

impl CaseTrack {
    fn task_mut(&mut self, id: &TaskId) -> Option<&mut TaskTrack> {
        self.tasks.iter_mut().find(|t| &t.id == id)
    }
}

/// Accumulates case histories for the supervision board; see the [module](self) docs.
#[derive(Debug, Clone, Default)]
pub struct KpiBoard {
    cases: BTreeMap<CaseId, CaseTrack>,
    ignored: u64,
}

impl KpiBoard {
    /// An empty board.
    pub fn new() -> KpiBoard {
        KpiBoard::default()
    }

    /// Feeds one case's history, in order; the case id is taken from its `Launched` event.
    /// A history without one is ignored.
    pub fn add_history(&mut self, history: &[Recorded]) {
        let case = history.iter().find_map(|r| match &r.event {
            Event::Launched { case, .. } => Some(case.clone()),
            _ => None,
        });
        match case {
            Some(case) => {
                for recorded in history {
                    self.record(&case, recorded);
                }
            }
            None => self.ignored += history.len() as u64,
        }
    }

    /// Feeds one event of case `case`. Events of a case arrive in order, each once; events
    /// before the case's `Launched` are ignored (and counted in
    /// [`KpiReport::ignored_events`]).
    pub fn record(&mut self, case: &CaseId, recorded: &Recorded) {
        if let Event::Launched {
            workflow,
            time_zone,
            launched_on,
            tasks,
            promised_completion,
            ..
        } = &recorded.event
        {
            if self.cases.contains_key(case) {
                self.ignored += 1;
                return;
            }
            let tasks = tasks
                .iter()
                .map(|t| TaskTrack {
                    id: t.id.clone(),
                    department: t.department.clone(),
                    kind: t.kind,
                    statutory_days: t.statutory_days,
                    committed_days: t.committed_days,
                    dispatched: false,
                    committed_due: None,
                    outcome: None,
                })
                .collect();
            self.cases.insert(
                case.clone(),
                CaseTrack {
                    workflow: workflow.clone(),
                    time_zone: time_zone.clone(),
                    launched_on: *launched_on,
                    promised: *promised_completion,
                    tasks,
                    completed_on: None,
                    issued: false,
                    rejected: false,
                    withdrawn: false,
                    at_risk: false,
                    rating: None,
                    alerts: Vec::new(),
                },
            );
            return;
        }
        let Some(track) = self.cases.get_mut(case) else {
            self.ignored += 1;
            return;
        };
        let placed = match &recorded.event {
            Event::TaskReady {
                task,
                committed_due,
                ..
            } => track.task_mut(task).map(|t| {
                t.dispatched = true;
                t.committed_due = *committed_due;
            }),
            Event::SupplementSubmitted {
                task,
                committed_due,
                ..
            }
            | Event::SpecialProcedureEnded {
                task,
                committed_due,
                ..
            } => track.task_mut(task).map(|t| {
                t.committed_due = *committed_due;
            }),
            Event::CaseRedated {
                promised_completion,
                tasks,
                ..
            } => {
                if let Some(to) = promised_completion.and_then(|change| change.to) {
                    track.promised = to;
                }
                for redated in tasks {
                    if let Some(t) = track.task_mut(&redated.task) {
                        t.committed_due = redated.committed_due.to;
                    }
                }
                Some(())
            }
            Event::TaskApproved { task } => {
                let on = local_date(recorded.at, &track.time_zone);
                track.task_mut(task).map(|t| {
                    t.outcome = Some(Outcome::Approved {
                        on,
                        due: t.committed_due,
                    });
                })
            }
            Event::TaskRejected { task, .. } => track.task_mut(task).map(|t| {
                t.outcome = Some(Outcome::Rejected);
            }),
            Event::TaskWithdrawn { task, .. } => track.task_mut(task).map(|t| {
                t.outcome = Some(Outcome::Withdrawn);
            }),
            Event::AlertRaised {
                task,
                level,
                department,
                ..
            } => track.task_mut(task).is_some().then(|| {
                track.alerts.push((department.clone(), *level));
            }),
            Event::CaseAtRisk { .. } => {
                track.at_risk = true;
                Some(())
            }
            Event::CaseCompleted => {
                track.completed_on = Some(local_date(recorded.at, &track.time_zone));
                Some(())
            }
            Event::CaseRejected { .. } => {
                track.rejected = true;
                Some(())
            }
            Event::CaseWithdrawn { .. } => {
                track.withdrawn = true;
                Some(())
            }
            Event::CaseIssued => {
                track.issued = true;
                Some(())
            }
            Event::CaseRated { rating } => {
                track.rating = Some(*rating);
                Some(())
            }
            Event::Launched { .. }
            | Event::TaskClaimed { .. }
            | Event::TaskReleased { .. }
            | Event::LeaseExpired { .. }
            | Event::SupplementRequested { .. }
            | Event::SupplementAllowed { .. }
            | Event::SpecialProcedureStarted { .. } => Some(()),
        };
        if placed.is_none() {
            self.ignored += 1;
        }
    }

    /// The number of cases launched so far.
    pub fn cases(&self) -> usize {
        self.cases.len()
    }

    /// The board: every KPI overall, per workflow and per department. `calendar` counts the
    /// elapsed working days of completed cases.
    pub fn report(&self, calendar: &Calendar) -> KpiReport {
        let mut overall = Tally::default();
        let mut workflows: BTreeMap<WorkflowId, Tally> = BTreeMap::new();
        let mut departments: BTreeMap<DepartmentId, Tally> = BTreeMap::new();
        for track in self.cases.values() {
            let workflow = workflows.entry(track.workflow.clone()).or_default();
            for tally in [&mut overall, &mut *workflow] {
                tally.add_case(track, calendar);
            }
            for task in &track.tasks {
                let department = departments.entry(task.department.clone()).or_default();
                for tally in [&mut overall, &mut *workflow, department] {
                    tally.add_task(task);
                }
            }
            for (department, level) in &track.alerts {
                let department = departments.entry(department.clone()).or_default();
                for tally in [&mut overall, &mut *workflow, department] {
                    tally.alerts.add(*level);
                }
            }
        }
        KpiReport {
            overall: overall.report(Scope::Overall),
            workflows: workflows
                .into_iter()
                .map(|(id, tally)| tally.report(Scope::Workflow(id)))
                .collect(),
            departments: departments
                .into_iter()
                .map(|(id, tally)| tally.report(Scope::Department(id)))
                .collect(),
            ignored_events: self.ignored,
        }
    }
}

/// Running sums for one scope.
#[derive(Debug, Default)]
struct Tally {
    tasks: TaskCounts,
    cases: CaseCounts,
    alerts: AlertCounts,
    instant: u64,
    decided: u64,
    decided_on_site: u64,
    approved_with_due: u64,
    approved_on_time: u64,
    approved_early: u64,
    limited: u64,
    reduction_percent_sum: f64,
    reduction_met: u64,
    cases_on_time: u64,
    cases_early: u64,
    satisfied: u64,
    elapsed_sum: i64,
    elapsed_cases: u64,
}

impl Tally {
    /// Adds one task's figures.
    fn add_task(&mut self, task: &TaskTrack) {
        self.tasks.planned += 1;
        if task.kind == TaskKind::Instant {
            self.instant += 1;
        }
        if task.statutory_days > 0 {
            self.limited += 1;
            let (committed, statutory) = (
                f64::from(task.committed_days),
                f64::from(task.statutory_days),
            );
            self.reduction_percent_sum += 100.0 * (1.0 - committed / statutory);
            // 1 − c/s ≥ 1/2 ⇔ 2c ≤ s, compared exactly on integers.
            if u64::from(task.committed_days) * 2 <= u64::from(task.statutory_days) {
                self.reduction_met += 1;
            }
        }
        if task.dispatched {
            self.tasks.dispatched += 1;
        }
        let on_site = task.kind != TaskKind::Referred;
        match task.outcome {
            Some(Outcome::Approved { on, due }) => {
                self.tasks.approved += 1;
                self.decided += 1;
                self.decided_on_site += u64::from(on_site);
                if let Some(due) = due {
                    self.approved_with_due += 1;
                    self.approved_on_time += u64::from(on <= due);
                    self.approved_early += u64::from(on < due);
                }
            }
            Some(Outcome::Rejected) => {
                self.tasks.rejected += 1;
                self.decided += 1;
                self.decided_on_site += u64::from(on_site);
            }
            Some(Outcome::Withdrawn) => self.tasks.withdrawn += 1,
            None => {}
        }
    }

    /// Adds one case's case-level figures.
    fn add_case(&mut self, track: &CaseTrack, calendar: &Calendar) {
        let c = &mut self.cases;
        c.launched += 1;
        c.issued += u64::from(track.issued);
        c.rejected += u64::from(track.rejected);
        c.withdrawn += u64::from(track.withdrawn);
        c.at_risk += u64::from(track.at_risk);
        if let Some(rating) = track.rating {
            c.rated += 1;
            self.satisfied += u64::from(rating.is_satisfied());
        }
        if let Some(done) = track.completed_on {
            c.completed += 1;
            self.cases_on_time += u64::from(done <= track.promised);
            self.cases_early += u64::from(done < track.promised);
            match calendar.working_days_between(track.launched_on, done) {
                Ok(days) => {
                    self.elapsed_sum += days;
                    self.elapsed_cases += 1;
                }
                Err(_) => c.elapsed_unknown += 1,
            }
        }
    }

    /// The report of the scope.
    fn report(self, scope: Scope) -> ScopeReport {
        let is_department = matches!(scope, Scope::Department(_));
        let measures = Kpi::ALL
            .into_iter()
            .filter(|kpi| !is_department || kpi.is_task_level())
            .map(|kpi| {
                let (numerator, denominator) = match kpi {
                    Kpi::OnSiteRate => (self.decided_on_site as f64, self.decided),
                    Kpi::TaskOnTimeRate => (self.approved_on_time as f64, self.approved_with_due),
                    Kpi::TaskEarlyRate => (self.approved_early as f64, self.approved_with_due),
                    Kpi::CaseOnTimeRate => (self.cases_on_time as f64, self.cases.completed),
                    Kpi::CaseEarlyRate => (self.cases_early as f64, self.cases.completed),
                    Kpi::LimitReduction => (self.reduction_percent_sum, self.limited),
                    Kpi::LimitReductionMet => (self.reduction_met as f64, self.limited),
                    Kpi::InstantShare => (self.instant as f64, self.tasks.planned),
                    Kpi::SatisfactionRate => (self.satisfied as f64, self.cases.rated),
                    Kpi::ElapsedWorkingDays => (self.elapsed_sum as f64, self.elapsed_cases),
                };
                Measure::new(kpi, numerator, denominator)
            })
            .collect();
        ScopeReport {
            scope,
            measures,
            tasks: self.tasks,
            cases: (!is_department).then_some(self.cases),
            alerts: self.alerts,
        }
    }
}

#[cfg(test)]
mod tests;
