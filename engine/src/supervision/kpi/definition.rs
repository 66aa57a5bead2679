//! What the supervision board measures: each KPI ([`Kpi`]) with its label, unit and the
//! seed's target ([`Target`]). The definitions table is in the [parent module](super).

use std::fmt;

use serde::Serialize;

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
    pub fn is_average(self) -> bool {
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
