//! The words the desk shows for the engine's states, levels, roles and events: Chinese
//! first, English beside, one vocabulary across every page (the actions' names are the
//! templates' 认领, 通过, 不予许可, 一次性告知补正, 释放, …).

use greenlane_engine::case::{
    CaseState, CaseStatus, Event, Rating, SpecialProcedure, Suspension, TaskStatus,
};
use greenlane_engine::ids::TaskId;
use greenlane_engine::principal::Role;
use greenlane_engine::supervision::AlertLevel;
use greenlane_engine::workflow::Workflow;

/// The names of the tasks `ids` of `workflow` (the id where the workflow has no such task).
pub(crate) fn task_names(workflow: &Workflow, ids: &[TaskId]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            workflow
                .tasks
                .iter()
                .find(|t| &t.id == id)
                .map_or_else(|| id.to_string(), |t| t.name.clone())
        })
        .collect()
}

/// The applicant's name as the application gives it (`applicant`), or nothing.
pub(crate) fn applicant(case: &CaseState) -> String {
    case.application
        .get("applicant")
        .and_then(|a| a.as_str())
        .unwrap_or_default()
        .to_string()
}

/// A case's state: the label and the CSS class of its badge.
pub(crate) fn case_status(status: &CaseStatus) -> (&'static str, &'static str) {
    match status {
        CaseStatus::Open => ("办理中 open", "open"),
        CaseStatus::Completed { .. } => ("待出件 completed", "completed"),
        CaseStatus::Issued { .. } => ("已办结 issued", "issued"),
        CaseStatus::Rejected { .. } => ("不予许可 rejected", "rejected"),
        CaseStatus::Withdrawn { .. } => ("已撤回 withdrawn", "withdrawn"),
    }
}

/// The label of a case state's name as the API writes it (`open`, `completed`, …).
pub(crate) fn case_state_name(name: &str) -> &'static str {
    match name {
        "open" => "办理中 open",
        "completed" => "待出件 completed",
        "issued" => "已办结 issued",
        "rejected" => "不予许可 rejected",
        "withdrawn" => "已撤回 withdrawn",
        _ => "未知 unknown",
    }
}

/// A task's state: the label and the CSS class.
pub(crate) fn task_status(status: &TaskStatus) -> (&'static str, &'static str) {
    match status {
        TaskStatus::Waiting => ("等待前置 waiting", "waiting"),
        TaskStatus::Ready => ("待认领 ready", "ready"),
        TaskStatus::Claimed { .. } => ("办理中 claimed", "claimed"),
        TaskStatus::Suspended {
            suspension: Suspension::Supplement { .. },
            ..
        } => ("待补正 supplement", "suspended"),
        TaskStatus::Suspended { .. } => ("特别程序 special procedure", "suspended"),
        TaskStatus::Approved { .. } => ("已通过 approved", "approved"),
        TaskStatus::Rejected { .. } => ("不予许可 rejected", "rejected"),
        TaskStatus::Withdrawn { .. } => ("已撤回 withdrawn", "withdrawn"),
    }
}

/// An inbox entry's state (`ready`, `claimed`, `suspended`).
pub(crate) fn inbox_state(name: &str) -> &'static str {
    match name {
        "ready" => "待认领 ready",
        "claimed" => "办理中 claimed",
        "suspended" => "暂停 suspended",
        _ => "未知 unknown",
    }
}

/// An alert level's label.
pub(crate) fn alert(level: AlertLevel) -> &'static str {
    match level {
        AlertLevel::Warning => "预警 warning",
        AlertLevel::Yellow => "黄牌 yellow card",
        AlertLevel::Red => "红牌 red card",
    }
}

/// The label of an alert level's name as the API writes it.
pub(crate) fn alert_name(name: &str) -> &'static str {
    match name {
        "warning" => alert(AlertLevel::Warning),
        "yellow" => alert(AlertLevel::Yellow),
        "red" => alert(AlertLevel::Red),
        _ => "",
    }
}

/// A role's label.
pub(crate) fn role(role: Role) -> &'static str {
    match role {
        Role::Coordinator => "综合受理窗口 coordinator",
        Role::Officer => "部门审批人员 officer",
        Role::Policy => "审改政策人员 policy",
        Role::Supervisor => "电子监察人员 supervisor",
        Role::Admin => "系统管理员 admin",
        Role::Applicant => "申请人 applicant",
        _ => "其他 other",
    }
}

/// A special procedure's label.
pub(crate) fn procedure(procedure: SpecialProcedure) -> &'static str {
    match procedure {
        SpecialProcedure::Hearing => "听证 hearing",
        SpecialProcedure::ExpertReview => "专家评审 expert review",
        SpecialProcedure::Testing => "检验检测 testing",
        SpecialProcedure::Appraisal => "鉴定 appraisal",
        SpecialProcedure::PublicNotice => "公示 public notice",
    }
}

/// Every special procedure with its form value and label.
pub(crate) const PROCEDURES: [(&str, SpecialProcedure); 5] = [
    ("hearing", SpecialProcedure::Hearing),
    ("expert_review", SpecialProcedure::ExpertReview),
    ("testing", SpecialProcedure::Testing),
    ("appraisal", SpecialProcedure::Appraisal),
    ("public_notice", SpecialProcedure::PublicNotice),
];

/// A rating's label.
pub(crate) fn rating(rating: &Rating) -> String {
    match rating {
        Rating::Stars(n) => format!("{n} 星 stars"),
        Rating::Satisfied => "满意 satisfied".to_string(),
        Rating::Unsatisfied => "不满意 unsatisfied".to_string(),
    }
}

/// One line saying what an event did, naming tasks through `name` (task id → name). It
/// never shows the access code's hash or the application (the case page shows those
/// fields where the role may see them).
pub(crate) fn event(event: &Event, name: &dyn Fn(&str) -> String) -> String {
    let list = |items: &[String]| items.join("、");
    match event {
        Event::Launched {
            promised_completion,
            tasks,
            ..
        } => format!(
            "发起并联审批 launched: {} 个事项 items, 承诺办结 promised {promised_completion}",
            tasks.len()
        ),
        Event::TaskReady {
            task,
            committed_due,
            ..
        } => format!(
            "{} 推送至部门 dispatched, 承诺时限 due {}",
            name(task.as_str()),
            committed_due.map_or_else(|| "超出日历 beyond calendar".to_string(), |d| d.to_string())
        ),
        Event::TaskClaimed { task, officer, .. } => {
            format!("{} 认领 claimed by {officer}", name(task.as_str()))
        }
        Event::TaskReleased { task } => format!("{} 释放 released", name(task.as_str())),
        Event::LeaseExpired { task, officer } => {
            format!("{} 认领到期 lease of {officer} expired", name(task.as_str()))
        }
        Event::TaskApproved { task, opinion } => match opinion {
            Some(o) => format!("{} 通过 approved：{o}", name(task.as_str())),
            None => format!("{} 通过 approved", name(task.as_str())),
        },
        Event::TaskRejected { task, reason } => {
            format!("{} 不予许可 rejected：{reason}", name(task.as_str()))
        }
        Event::TaskWithdrawn { task, .. } => format!("{} 撤回 withdrawn", name(task.as_str())),
        Event::SupplementRequested { task, materials } => format!(
            "{} 一次性告知补正 supplement requested：{}",
            name(task.as_str()),
            list(materials)
        ),
        Event::SupplementAllowed { task, reason } => format!(
            "{} 准予再次补正 another supplement allowed：{reason}",
            name(task.as_str())
        ),
        Event::SupplementSubmitted {
            task,
            paused_working_days,
            ..
        } => format!(
            "{} 补正材料已收 supplement received（暂停 {paused_working_days} 个工作日 paused working days）",
            name(task.as_str())
        ),
        Event::SpecialProcedureStarted {
            task,
            procedure: p,
            granted_days,
        } => format!(
            "{} 特别程序开始 special procedure: {}（{granted_days} 个工作日 working days）",
            name(task.as_str()),
            procedure(*p)
        ),
        Event::SpecialProcedureEnded {
            task,
            paused_working_days,
            ..
        } => format!(
            "{} 特别程序结束 special procedure ended（暂停 {paused_working_days} 个工作日）",
            name(task.as_str())
        ),
        Event::AlertRaised {
            task, level, due, ..
        } => format!("{} {}（期限 due {due}）", name(task.as_str()), alert(*level)),
        Event::CaseAtRisk {
            projected_completion,
            promised_completion,
            ..
        } => format!(
            "案件预警 at risk: 预计 projected {projected_completion} 晚于承诺 later than promised {promised_completion}"
        ),
        Event::CaseCompleted => "全部事项通过 every item approved".to_string(),
        Event::CaseRejected { task, reason } => {
            format!("案件不予许可 case rejected（{}）：{reason}", name(task.as_str()))
        }
        Event::CaseWithdrawn { reason } => format!("申请撤回 withdrawn：{reason}"),
        Event::CaseIssued => "一个窗口出件 issued at the window".to_string(),
        Event::CaseRated { rating: r } => format!("申请人评价 rated：{}", rating(r)),
        Event::AccessCodeReissued { .. } => "查询码已重新发放 access code reissued".to_string(),
        Event::TaskUrged { task, note, .. } => {
            format!("{} 督办 urged：{note}", name(task.as_str()))
        }
        Event::CaseRedated {
            calendar,
            calendar_version,
            promised_completion,
            ..
        } => match promised_completion {
            Some(change) => format!(
                "日历 {calendar} v{calendar_version} 发布，日期重算 re-dated: 承诺 promised {} → {}",
                opt(change.from),
                opt(change.to)
            ),
            None => format!("日历 {calendar} v{calendar_version} 发布，日期重算 re-dated"),
        },
    }
}

fn opt(date: Option<chrono::NaiveDate>) -> String {
    date.map_or_else(|| "超出日历 beyond calendar".to_string(), |d| d.to_string())
}
