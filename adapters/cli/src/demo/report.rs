//! What the demo prints: a [`Summary`] of the run (counts, alerts by level with an example
//! each, the supervision board's KPIs against the seed's targets), as text for people or as
//! JSON. Text labels are Chinese first with English beside; times are the center's local
//! time. Everything is ordered (launch order, event order, ids), never hash order, so a
//! seed always prints the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::NaiveDate;
use chrono_tz::Tz;
use comfy_table::{presets::UTF8_BORDERS_ONLY, ContentArrangement, Table};
use greenlane_engine::case::{Event, Recorded, Timestamp};
use greenlane_engine::ids::{CaseId, WorkflowId};
use greenlane_engine::supervision::{
    AlertLevel, Kpi, KpiBoard, KpiReport, Measure, Scope, ScopeReport, Unit,
};
use serde::Serialize;

use super::definitions::Definitions;
use super::hours::Hours;
use super::labels::{describe, recipients};
use super::simulation::{Run, Setup, Stats};

/// Events shown per case in the text timeline.
const TIMELINE_EVENTS: usize = 14;

/// A span of days.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Period {
    /// The first day.
    pub(crate) from: NaiveDate,
    /// The last day.
    pub(crate) to: NaiveDate,
    /// Working days from `from` to `to`, both counted.
    pub(crate) working_days: i64,
}

/// One published workflow and its share of the cases.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WorkflowSummary {
    /// The workflow id.
    pub(crate) id: WorkflowId,
    /// Its name.
    pub(crate) name: String,
    /// The version published.
    pub(crate) version: u32,
    /// Cases launched.
    pub(crate) cases: u64,
}

/// Case counts.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CaseSummary {
    /// Launched.
    pub(crate) launched: u64,
    /// Every task approved (issued ones included).
    pub(crate) completed: u64,
    /// Result handed out at one window.
    pub(crate) issued: u64,
    /// Rejected.
    pub(crate) rejected: u64,
    /// Withdrawn by the applicant.
    pub(crate) withdrawn: u64,
    /// Still open when the simulation stopped.
    pub(crate) open: u64,
    /// Raised at risk at least once.
    pub(crate) at_risk: u64,
    /// Rated by the applicant.
    pub(crate) rated: u64,
}

/// Task counts.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TaskSummary {
    /// In the plans of launched cases.
    pub(crate) planned: u64,
    /// Dispatched to their department.
    pub(crate) dispatched: u64,
    /// Approved.
    pub(crate) approved: u64,
    /// Rejected.
    pub(crate) rejected: u64,
    /// Withdrawn with their case.
    pub(crate) withdrawn: u64,
    /// Supplement requests (一次性告知).
    pub(crate) supplements_requested: u64,
    /// Special procedures started.
    pub(crate) special_procedures: u64,
    /// Leases that ran out.
    pub(crate) leases_expired: u64,
}

/// Escalations delivered, by level.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct AlertSummary {
    /// 预警.
    pub(crate) warning: u64,
    /// 黄牌.
    pub(crate) yellow: u64,
    /// 红牌.
    pub(crate) red: u64,
    /// 可能逾期 at-risk notices.
    pub(crate) at_risk: u64,
}

/// The first escalation of one level.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AlertExample {
    /// `warning`, `yellow`, `red` or `at_risk`.
    pub(crate) level: &'static str,
    /// The case.
    pub(crate) case: CaseId,
    /// The event as recorded.
    pub(crate) event: Recorded,
}

/// Everything the demo reports.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    /// The seed.
    pub(crate) seed: u64,
    /// The backend the runtime ran on.
    pub(crate) backend: &'static str,
    /// The simulated center and its time zone.
    pub(crate) center: &'static str,
    /// See `center`.
    pub(crate) time_zone: &'static str,
    /// The days cases were launched on.
    pub(crate) launch_period: Period,
    /// The days simulated, until every case closed (or the calendar ended).
    pub(crate) simulated: Period,
    /// Published workflows.
    pub(crate) workflows: Vec<WorkflowSummary>,
    /// Case counts.
    pub(crate) cases: CaseSummary,
    /// Task counts.
    pub(crate) tasks: TaskSummary,
    /// Escalations by level.
    pub(crate) alerts: AlertSummary,
    /// The first escalation of each level.
    pub(crate) alert_examples: Vec<AlertExample>,
    /// Simulation counters (commands by name, ticks).
    pub(crate) simulation: Stats,
    /// The supervision board: every KPI overall, per workflow and per department.
    pub(crate) kpis: KpiReport,
}

impl Summary {
    /// Sums up `run`.
    pub(crate) fn new(
        run: &Run,
        setup: &Setup,
        definitions: &Definitions,
        hours: &Hours<'_>,
        backend: &'static str,
    ) -> anyhow::Result<Summary> {
        let mut board = KpiBoard::new();
        let mut per_workflow: BTreeMap<&WorkflowId, u64> = BTreeMap::new();
        for case in &run.cases {
            board.add_history(&case.history);
            *per_workflow.entry(&case.workflow).or_default() += 1;
        }
        let kpis = board.report(&definitions.calendar);
        let overall = &kpis.overall;
        let c = overall.cases.unwrap_or_default();
        let t = overall.tasks;
        let command = |name: &str| run.stats.commands.get(name).copied().unwrap_or(0);

        let mut alerts = AlertSummary::default();
        let mut examples: BTreeMap<u8, AlertExample> = BTreeMap::new();
        for n in &run.notifications {
            let (rank, level) = match &n.event.event {
                Event::AlertRaised { level, .. } => {
                    match level {
                        AlertLevel::Warning => alerts.warning += 1,
                        AlertLevel::Yellow => alerts.yellow += 1,
                        AlertLevel::Red => alerts.red += 1,
                    }
                    let rank = match level {
                        AlertLevel::Warning => 0,
                        AlertLevel::Yellow => 1,
                        AlertLevel::Red => 2,
                    };
                    (rank, level.as_str())
                }
                Event::CaseAtRisk { .. } => {
                    alerts.at_risk += 1;
                    (3, "at_risk")
                }
                _ => continue,
            };
            examples.entry(rank).or_insert_with(|| AlertExample {
                level,
                case: n.case.clone(),
                event: n.event.clone(),
            });
        }

        let launch_to = hours.add(setup.start, setup.days.saturating_sub(1))?;
        let ended = hours.day(run.ended);
        let workflows = run
            .published
            .iter()
            .map(|(id, version)| WorkflowSummary {
                id: id.clone(),
                name: definitions
                    .workflows
                    .iter()
                    .find(|w| &w.id == id)
                    .map_or_else(String::new, |w| w.name.clone()),
                version: *version,
                cases: per_workflow.get(id).copied().unwrap_or(0),
            })
            .collect();
        Ok(Summary {
            seed: setup.seed,
            backend,
            center: super::simulation::CENTER,
            time_zone: super::simulation::TIME_ZONE,
            launch_period: Period {
                from: setup.start,
                to: launch_to,
                working_days: hours.between(setup.start, launch_to)? + 1,
            },
            simulated: Period {
                from: setup.start,
                to: ended,
                working_days: hours.between(setup.start, ended)? + 1,
            },
            workflows,
            cases: CaseSummary {
                launched: c.launched,
                completed: c.completed,
                issued: c.issued,
                rejected: c.rejected,
                withdrawn: c.withdrawn,
                open: run.open,
                at_risk: c.at_risk,
                rated: c.rated,
            },
            tasks: TaskSummary {
                planned: t.planned,
                dispatched: t.dispatched,
                approved: t.approved,
                rejected: t.rejected,
                withdrawn: t.withdrawn,
                supplements_requested: command("request_supplement"),
                special_procedures: command("start_special_procedure"),
                leases_expired: run.stats.leases_expired,
            },
            alerts,
            alert_examples: examples.into_values().collect(),
            simulation: run.stats.clone(),
            kpis,
        })
    }
}

/// The summary as pretty JSON.
pub(crate) fn json(summary: &Summary) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(summary)? + "\n")
}

/// The summary for people.
pub(crate) fn text(summary: &Summary, run: &Run, zone: Tz) -> String {
    let mut out = String::new();
    let s = summary;
    let _ = writeln!(out, "greenlane 模拟政务服务中心 simulated service center");
    let _ = writeln!(
        out,
        "种子 seed {} · 后端 backend {} · 中心 center {} ({})",
        s.seed, s.backend, s.center, s.time_zone
    );
    let _ = writeln!(
        out,
        "受理 launches {} 件 cases over {} – {} · 模拟至 simulated until {} ({} 个工作日 working days)",
        s.cases.launched,
        s.launch_period.from,
        s.launch_period.to,
        s.simulated.to,
        s.simulated.working_days
    );
    for w in &s.workflows {
        let _ = writeln!(
            out,
            "  流程 workflow {} v{}: {} 件 cases — {}",
            w.id, w.version, w.cases, w.name
        );
    }

    let c = &s.cases;
    let t = &s.tasks;
    let _ = writeln!(out, "\n案件 Cases");
    let _ = writeln!(
        out,
        "  受理 launched {} = 办结 completed {} (出件 issued {}) + 不予许可 rejected {} + 撤回 withdrawn {} + 在办 still open {}",
        c.launched, c.completed, c.issued, c.rejected, c.withdrawn, c.open
    );
    let _ = writeln!(
        out,
        "  可能逾期 at risk {} · 评价 rated {}",
        c.at_risk, c.rated
    );
    let _ = writeln!(out, "事项 Tasks");
    let _ = writeln!(
        out,
        "  派发 dispatched {} · 通过 approved {} · 不予许可 rejected {} · 随案撤销 withdrawn {}",
        t.dispatched, t.approved, t.rejected, t.withdrawn
    );
    let _ = writeln!(
        out,
        "  补正告知 supplement requests {} · 特别程序 special procedures {} · 认领超时 leases expired {}",
        t.supplements_requested, t.special_procedures, t.leases_expired
    );

    let _ = writeln!(out, "\n时间线 Timeline");
    let mut shown: Vec<&WorkflowId> = Vec::new();
    for case in &run.cases {
        if shown.contains(&&case.workflow) {
            continue;
        }
        shown.push(&case.workflow);
        let _ = writeln!(
            out,
            "  案件 case {} · {} · {}",
            case.id, case.workflow, case.applicant
        );
        for r in case.history.iter().take(TIMELINE_EVENTS) {
            let _ = writeln!(
                out,
                "    {}  {} · {}",
                local(r.at, zone),
                describe(&r.event),
                r.by
            );
        }
        if case.history.len() > TIMELINE_EVENTS {
            let _ = writeln!(
                out,
                "    … 另有 {} 条事件 more events",
                case.history.len() - TIMELINE_EVENTS
            );
        }
    }

    let _ = writeln!(out, "\n电子监察 Electronic supervision: alerts by level");
    let a = &s.alerts;
    for (label, count, level) in [
        (AlertLevel::Warning.label(), a.warning, "warning"),
        (AlertLevel::Yellow.label(), a.yellow, "yellow"),
        (AlertLevel::Red.label(), a.red, "red"),
        ("可能逾期 at risk (notices)", a.at_risk, "at_risk"),
    ] {
        let _ = writeln!(out, "  {label:<26} {count:>5}");
        if let Some(example) = s.alert_examples.iter().find(|e| e.level == level) {
            let _ = writeln!(
                out,
                "      例 e.g. {} 案件 case {}: {}",
                local(example.event.at, zone),
                example.case,
                describe(&example.event.event)
            );
            if let Some(to) = recipients(&example.event.event) {
                let _ = writeln!(out, "           通知 told: {to}");
            }
        }
    }

    let _ = writeln!(out, "\n绩效考核 KPIs against the seed's targets");
    out.push_str(&kpi_table(&s.kpis));
    let _ = writeln!(out, "\n部门 Departments");
    out.push_str(&department_table(&s.kpis));
    let _ = writeln!(
        out,
        "\n每个部门的全部指标 every KPI per department: greenlane demo --format json"
    );
    out
}

/// The board's KPIs, one row each: the target, then the value overall and per workflow
/// (with numerator / denominator), and whether the overall value meets the target.
fn kpi_table(kpis: &KpiReport) -> String {
    let scopes: Vec<&ScopeReport> = std::iter::once(&kpis.overall)
        .chain(&kpis.workflows)
        .collect();
    let mut header = vec!["指标 KPI".to_string(), "目标 target".to_string()];
    for scope in &scopes {
        header.push(match &scope.scope {
            Scope::Workflow(id) => id.to_string(),
            other => other.to_string(),
        });
    }
    header.push("达标 met".to_string());
    let mut table = Table::new();
    table
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for kpi in Kpi::ALL {
        let mut row = vec![
            kpi.label().to_string(),
            kpi.target()
                .map_or_else(|| "—".to_string(), |t| t.to_string()),
        ];
        for scope in &scopes {
            row.push(scope.measure(kpi).map_or_else(String::new, |m| {
                let basis = if m.kpi.unit() == Unit::Percent && m.denominator > 0 {
                    if matches!(kpi, Kpi::LimitReduction) {
                        format!(" ({} 项 items)", m.denominator)
                    } else {
                        format!(" ({}/{})", m.numerator, m.denominator)
                    }
                } else {
                    String::new()
                };
                format!("{}{basis}", value_text(m))
            }));
        }
        row.push(match kpis.overall.measure(kpi).and_then(|m| m.met) {
            Some(true) => "达标 met".to_string(),
            Some(false) => "未达标 not met".to_string(),
            None => "—".to_string(),
        });
        table.add_row(row);
    }
    format!("{table}\n")
}

/// One line per department: tasks, on-time and early rates, alerts.
fn department_table(kpis: &KpiReport) -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec![
            "部门 department",
            "派发 dispatched",
            "通过 approved",
            "按时 on time",
            "提前 early",
            "预警 W",
            "黄牌 Y",
            "红牌 R",
        ]);
    for d in &kpis.departments {
        let Scope::Department(id) = &d.scope else {
            continue;
        };
        let value = |kpi| d.measure(kpi).map_or_else(String::new, value_text);
        table.add_row(vec![
            id.to_string(),
            d.tasks.dispatched.to_string(),
            d.tasks.approved.to_string(),
            value(Kpi::TaskOnTimeRate),
            value(Kpi::TaskEarlyRate),
            d.alerts.warning.to_string(),
            d.alerts.yellow.to_string(),
            d.alerts.red.to_string(),
        ]);
    }
    format!("{table}\n")
}

/// A measure's value for people: `92.3 %`, `5.0 工作日 working days`, or `无数据 no data`.
fn value_text(m: &Measure) -> String {
    match (m.value, m.unit) {
        (None, _) => "无数据 no data".to_string(),
        (Some(v), Unit::Percent) => format!("{v:.1} %"),
        (Some(v), Unit::WorkingDays) => format!("{v:.1} 工作日 working days"),
    }
}

/// `2026-03-02 09:14`, local time.
fn local(at: Timestamp, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}
