//! The case's Gantt chart in working days, drawn on the server as SVG.
//!
//! One row per task: the planned bar (from the plan recorded at launch: its earliest start
//! and finish in working days from the launch date), the actual bar (from the day it was
//! dispatched to the day it was decided, or today while open), its pauses (supplements and
//! special procedures, hatched), the committed due date as a tick, and a red outline when
//! the task is on the critical path. Days off (weekends and holidays, from the case's
//! calendar) are shaded; a line marks today and one the promised completion. Every bar
//! has a `<title>`, and the page has the same facts as a table for screen readers.

use std::fmt::Write;

use chrono::{Datelike, Duration, NaiveDate};
use greenlane_engine::calendar::Calendar;
use greenlane_engine::case::{local_date, CaseState, TaskStatus};

use super::labels;

/// Days drawn at most (a case running longer is cut at this width).
const MAX_DAYS: i64 = 366;
const LABEL: i64 = 230;
const ROW: i64 = 30;
const HEAD: i64 = 40;

/// `text` escaped for SVG/XML.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The chart of `case` on `calendar`, `today` in the case's time zone, as SVG markup.
pub(crate) fn draw(case: &CaseState, calendar: &Calendar, today: NaiveDate) -> String {
    let launched = case.launched_on;
    let zone = case.time_zone.as_str();
    let day_of = |ts| local_date(ts, zone);
    let planned = |working: u32| calendar.add_working_days(launched, working).ok();
    // The last day any bar or line needs.
    let mut last = today.max(launched).max(case.promised_completion);
    for t in &case.tasks {
        for d in [
            planned(t.plan.planned_finish),
            t.committed_due,
            t.finished_at.map(day_of),
        ]
        .into_iter()
        .flatten()
        {
            last = last.max(d);
        }
    }
    let first = launched;
    let days = ((last - first).num_days() + 2).clamp(7, MAX_DAYS);
    let day_w = (900 / days).clamp(12, 28);
    let width = LABEL + days * day_w + 10;
    let height = HEAD + ROW * case.tasks.len() as i64 + 10;
    let x = |d: NaiveDate| LABEL + (d - first).num_days().clamp(0, days) * day_w;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="gantt-title"><title id="gantt-title">甘特图（工作日）Gantt chart in working days</title>"#
    );
    // Days: shading for days off, a number per day, the month at its first day.
    for i in 0..days {
        let d = first + Duration::days(i);
        let x0 = x(d);
        let off = !calendar.is_working_day(d).unwrap_or(true);
        if off {
            let name = calendar.holiday_name(d).unwrap_or("休息日 day off");
            let _ = write!(
                svg,
                r#"<rect class="g-off" x="{x0}" y="{HEAD}" width="{day_w}" height="{}"><title>{d} {}</title></rect>"#,
                height - HEAD,
                esc(name)
            );
        }
        if i == 0 || d.day() == 1 {
            let _ = write!(
                svg,
                r#"<text class="g-month" x="{}" y="14">{}年{}月</text>"#,
                x0 + 2,
                d.year(),
                d.month()
            );
        }
        if day_w >= 16 || d.day().is_multiple_of(5) || i == 0 {
            let _ = write!(
                svg,
                r#"<text class="g-day{}" x="{}" y="32">{}</text>"#,
                if off { " g-day-off" } else { "" },
                x0 + day_w / 2,
                d.day()
            );
        }
    }
    let critical: Vec<&str> = case.critical_path.iter().map(|t| t.as_str()).collect();
    for (row, task) in case.tasks.iter().enumerate() {
        let y = HEAD + row as i64 * ROW;
        let is_critical = critical.contains(&task.plan.id.as_str());
        let (state, class) = labels::task_status(&task.status);
        let _ = write!(
            svg,
            r#"<text class="g-label" x="4" y="{}">{}{}</text>"#,
            y + 19,
            if is_critical { "★ " } else { "" },
            esc(&shorten(&task.plan.name, 15))
        );
        // Planned.
        let start = task
            .plan
            .planned_finish
            .saturating_sub(task.plan.committed_days);
        if let (Some(from), Some(to)) = (planned(start), planned(task.plan.planned_finish)) {
            let _ = write!(
                svg,
                r#"<rect class="g-planned{}" x="{}" y="{}" width="{}" height="9"><title>{} 计划 planned {from} → {to}</title></rect>"#,
                if is_critical { " g-critical" } else { "" },
                x(from),
                y + 5,
                (x(to) + day_w - x(from)).max(2),
                esc(&task.plan.name)
            );
        }
        // Actual.
        if let Some(ready) = task.ready_on {
            let end = task.finished_at.map(day_of).unwrap_or(today).max(ready);
            let _ = write!(
                svg,
                r#"<rect class="g-actual g-{class}" x="{}" y="{}" width="{}" height="11"><title>{} 实际 actual {ready} → {end}（{state}）</title></rect>"#,
                x(ready),
                y + 15,
                (x(end) + day_w - x(ready)).max(2),
                esc(&task.plan.name)
            );
            let mut pauses: Vec<(NaiveDate, NaiveDate)> = task
                .pauses
                .iter()
                .map(|p| (p.stopped_on, p.resumed_on))
                .collect();
            if let TaskStatus::Suspended { since, .. } = &task.status {
                pauses.push((day_of(*since), today));
            }
            for (from, to) in pauses {
                let _ = write!(
                    svg,
                    r#"<rect class="g-pause" x="{}" y="{}" width="{}" height="11"><title>暂停 paused {from} → {to}</title></rect>"#,
                    x(from),
                    y + 15,
                    (x(to) + day_w - x(from)).max(2)
                );
            }
        }
        if let Some(due) = task.committed_due {
            let _ = write!(
                svg,
                r#"<rect class="g-due" x="{}" y="{}" width="3" height="22"><title>承诺期限 due {due}</title></rect>"#,
                x(due) + day_w - 2,
                y + 4
            );
        }
    }
    let line = |svg: &mut String, d: NaiveDate, class: &str, label: &str| {
        let lx = x(d) + day_w / 2;
        let _ = write!(
            svg,
            r#"<line class="{class}" x1="{lx}" y1="{}" x2="{lx}" y2="{height}"/><text class="{class}-label" x="{}" y="{}">{label}</text>"#,
            HEAD - 4,
            lx + 3,
            height - 2
        );
    };
    line(
        &mut svg,
        case.promised_completion,
        "g-promised",
        "承诺 promised",
    );
    line(&mut svg, today, "g-today", "今天 today");
    svg.push_str("</svg>");
    svg
}

/// `text` cut to `n` characters with an ellipsis.
pub(crate) fn shorten(text: &str, n: usize) -> String {
    let first = text.split(" / ").next().unwrap_or(text);
    if first.chars().count() <= n {
        first.to_string()
    } else {
        first.chars().take(n - 1).chain(['…']).collect()
    }
}
