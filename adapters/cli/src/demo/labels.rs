//! How events read for people: one line per event, Chinese first with English beside,
//! and who an alert was sent to.

use greenlane_engine::case::{Event, Rating, SpecialProcedure};

/// Who an alert was sent to.
pub(crate) fn recipients(event: &Event) -> Option<String> {
    let list = match event {
        Event::AlertRaised { recipients, .. } | Event::CaseAtRisk { recipients, .. } => recipients,
        _ => return None,
    };
    let names: Vec<String> = list
        .iter()
        .map(|r| {
            use greenlane_engine::supervision::Recipient as R;
            match r {
                R::Officer(id) => format!("经办人 officer {id}"),
                R::Coordinator(id) => format!("首问责任人 coordinator {id}"),
                R::DepartmentHead(id) => format!("部门负责人 head of {id}"),
                R::Center(id) => format!("中心 center {id}"),
                R::SupervisionOffice(id) => format!("监察室 supervision office {id}"),
            }
        })
        .collect();
    Some(names.join(", "))
}

/// One event for people, Chinese first.
pub(crate) fn describe(event: &Event) -> String {
    match event {
        Event::Launched {
            tasks,
            skipped,
            promised_completion,
            duration_working_days,
            ..
        } => format!(
            "受理 launched: {} 项事项 tasks ({} 项不适用 not applicable), 承诺办结 promised {} ({} 个工作日 working days)",
            tasks.len(),
            skipped.len(),
            promised_completion,
            duration_working_days
        ),
        Event::TaskReady {
            task,
            committed_due,
            statutory_due,
        } => format!(
            "派发 dispatched {task}, 承诺到期 due {} (法定 statutory {})",
            due(*committed_due),
            due(*statutory_due)
        ),
        Event::TaskClaimed { task, .. } => format!("认领 claimed {task}"),
        Event::TaskReleased { task } => format!("放回 released {task}"),
        Event::LeaseExpired { task, officer } => {
            format!("认领超时 lease expired {task} ({officer})")
        }
        Event::TaskApproved { task, .. } => format!("通过 approved {task}"),
        Event::TaskRejected { task, reason } => format!("不予许可 rejected {task}: {reason}"),
        Event::TaskWithdrawn { task, .. } => format!("随案撤销 withdrawn {task}"),
        Event::SupplementRequested { task, materials } => format!(
            "一次性告知补正 supplement requested on {task}: {}",
            materials.join("；")
        ),
        Event::SupplementAllowed { task, .. } => format!("准予再次补正 supplement allowed on {task}"),
        Event::SupplementSubmitted {
            task,
            paused_working_days,
            committed_due,
            ..
        } => format!(
            "补正材料已交 supplement submitted on {task}, 暂停 paused {paused_working_days} 个工作日 working days, 新到期 now due {}",
            due(*committed_due)
        ),
        Event::SpecialProcedureStarted {
            task,
            procedure,
            granted_days,
        } => format!(
            "特别程序 special procedure {} on {task}, 给予 granted {granted_days} 个工作日 working days",
            procedure_label(*procedure)
        ),
        Event::SpecialProcedureEnded {
            task,
            paused_working_days,
            committed_due,
            ..
        } => format!(
            "特别程序结束 special procedure ended on {task}, 暂停 paused {paused_working_days} 个工作日 working days, 新到期 now due {}",
            due(*committed_due)
        ),
        Event::AlertRaised {
            task,
            level,
            due,
            department,
            officer,
            ..
        } => format!(
            "{} {task} ({department}{}), 到期 due {due}",
            level.label(),
            officer
                .as_ref()
                .map_or_else(String::new, |o| format!(", {o}"))
        ),
        Event::CaseAtRisk {
            projected_completion,
            promised_completion,
            causes,
            ..
        } => format!(
            "可能逾期 at risk: 预计 projected {projected_completion} > 承诺 promised {promised_completion} ({})",
            causes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Event::CaseCompleted => "全部办结 every task approved".to_string(),
        Event::CaseRejected { task, .. } => format!("案件不予许可 case rejected at {task}"),
        Event::CaseWithdrawn { reason } => format!("申请撤回 withdrawn: {reason}"),
        Event::CaseIssued => "统一出件 result issued at one window".to_string(),
        Event::CaseRated { rating } => format!("评价 rated {}", rating_label(*rating)),
        Event::AccessCodeReissued { .. } => "查询码已重新发放 access code reissued".to_string(),
        Event::TaskUrged { task, note, .. } => format!("督办 urged {task}: {note}"),
        Event::CaseRedated {
            calendar,
            calendar_version,
            promised_completion,
            tasks,
            ..
        } => {
            let mut text = format!(
                "重新计算期限 re-dated on calendar {calendar} v{calendar_version}: {} 项事项 tasks",
                tasks.len()
            );
            if let Some(change) = promised_completion {
                text.push_str(&format!(
                    ", 承诺办结 promised {} → {}",
                    due(change.from),
                    due(change.to)
                ));
            }
            text
        }
    }
}

fn procedure_label(procedure: SpecialProcedure) -> &'static str {
    match procedure {
        SpecialProcedure::Hearing => "听证 hearing",
        SpecialProcedure::ExpertReview => "专家评审 expert review",
        SpecialProcedure::Testing => "检验检测 testing",
        SpecialProcedure::Appraisal => "鉴定 appraisal",
        SpecialProcedure::PublicNotice => "公示 public notice",
    }
}

fn rating_label(rating: Rating) -> String {
    match rating {
        Rating::Stars(n) => {
            let n = usize::from(n.min(5));
            format!("{}{} ({n}/5)", "★".repeat(n), "☆".repeat(5 - n))
        }
        Rating::Satisfied => "满意 satisfied".to_string(),
        Rating::Unsatisfied => "不满意 unsatisfied".to_string(),
    }
}

/// A due date, or the words for one past the calendar's coverage.
fn due(date: Option<chrono::NaiveDate>) -> String {
    date.map_or_else(|| "超出日历 beyond calendar".to_string(), |d| d.to_string())
}
