//! The closed sets of names the API sends and accepts (a case's state, a task's state and
//! kind, an alert level, a role, an event's kind, …) as enums with OpenAPI schemas, so the
//! document lists the exact wire values instead of "a string".
//!
//! The engine keeps no schema types (it depends on no HTTP crate), so each enum here mirrors
//! one of the engine's, with an exhaustive conversion from it: a variant added in the engine
//! does not compile here until it is named, and the tests below check each name against the
//! engine's own spelling.

use greenlane_engine::calendar::DayKind;
use greenlane_engine::case::{
    CaseStatus, CaseStatusKind, Event, SpecialProcedure, Suspension, TaskStatus,
};
use greenlane_engine::principal::Role;
use greenlane_engine::supervision::AlertLevel;
use greenlane_engine::workflow::TaskKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a case stands: `open`, `completed`, `issued`, `rejected` or `withdrawn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CaseStateName {
    /// 办理中: tasks are being decided.
    Open,
    /// 待出件: every task approved, waiting to be issued.
    Completed,
    /// 已办结: the result was handed out.
    Issued,
    /// 不予许可: a task was rejected.
    Rejected,
    /// 已撤回: withdrawn.
    Withdrawn,
}

impl From<CaseStatusKind> for CaseStateName {
    fn from(kind: CaseStatusKind) -> CaseStateName {
        match kind {
            CaseStatusKind::Open => CaseStateName::Open,
            CaseStatusKind::Completed => CaseStateName::Completed,
            CaseStatusKind::Issued => CaseStateName::Issued,
            CaseStatusKind::Rejected => CaseStateName::Rejected,
            CaseStatusKind::Withdrawn => CaseStateName::Withdrawn,
        }
    }
}

impl From<&CaseStatus> for CaseStateName {
    fn from(status: &CaseStatus) -> CaseStateName {
        status.kind().into()
    }
}

/// An alert level: `warning` (预警), `yellow` (黄牌) or `red` (红牌).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Level {
    /// 预警: the committed limit is near.
    Warning,
    /// 黄牌: the committed limit has passed.
    Yellow,
    /// 红牌: the statutory limit has passed.
    Red,
}

impl Level {
    /// The wire name (`warning`, `yellow`, `red`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Warning => "warning",
            Level::Yellow => "yellow",
            Level::Red => "red",
        }
    }
}

impl From<AlertLevel> for Level {
    fn from(level: AlertLevel) -> Level {
        match level {
            AlertLevel::Warning => Level::Warning,
            AlertLevel::Yellow => Level::Yellow,
            AlertLevel::Red => Level::Red,
        }
    }
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TaskStateName {
    /// 等待: some prerequisite is not approved yet.
    Waiting,
    /// 待认领: in its department's queue, unclaimed.
    Ready,
    /// 办理中: claimed by an officer under a lease.
    Claimed,
    /// 暂停: its clock is paused (supplements, a special procedure).
    Suspended,
    /// 已批准 approved.
    Approved,
    /// 不予许可 rejected.
    Rejected,
    /// 已撤回: the case ended without it.
    Withdrawn,
}

impl From<&TaskStatus> for TaskStateName {
    fn from(status: &TaskStatus) -> TaskStateName {
        match status {
            TaskStatus::Waiting => TaskStateName::Waiting,
            TaskStatus::Ready => TaskStateName::Ready,
            TaskStatus::Claimed { .. } => TaskStateName::Claimed,
            TaskStatus::Suspended { .. } => TaskStateName::Suspended,
            TaskStatus::Approved { .. } => TaskStateName::Approved,
            TaskStatus::Rejected { .. } => TaskStateName::Rejected,
            TaskStatus::Withdrawn { .. } => TaskStateName::Withdrawn,
        }
    }
}

/// Where a task of an inbox stands: `ready`, `claimed` or `suspended`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum InboxState {
    /// 待认领: nobody holds it.
    Ready,
    /// 办理中: an officer holds it under a lease.
    Claimed,
    /// 暂停: held while its clock is paused.
    Suspended,
}

impl InboxState {
    /// The wire name (`ready`, `claimed`, `suspended`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            InboxState::Ready => "ready",
            InboxState::Claimed => "claimed",
            InboxState::Suspended => "suspended",
        }
    }
}

/// The kind of an approval item: `instant` (即办件), `commitment` (承诺件) or `referred`
/// (上报件).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ItemKind {
    /// 即办件: decided on the spot.
    Instant,
    /// 承诺件: decided within a committed limit.
    Commitment,
    /// 上报件: decided by a higher-level agency.
    Referred,
}

impl From<TaskKind> for ItemKind {
    fn from(kind: TaskKind) -> ItemKind {
        match kind {
            TaskKind::Instant => ItemKind::Instant,
            TaskKind::Commitment => ItemKind::Commitment,
            TaskKind::Referred => ItemKind::Referred,
        }
    }
}

/// A principal's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RoleName {
    /// 窗口 coordinator.
    Coordinator,
    /// 部门审批办 officer.
    Officer,
    /// 法制/审改 policy staff.
    Policy,
    /// 监察 supervisor.
    Supervisor,
    /// Administers the deployment.
    Admin,
    /// The applicant (with an access code).
    Applicant,
    /// The engine itself.
    System,
}

impl From<Role> for RoleName {
    fn from(role: Role) -> RoleName {
        match role {
            Role::Coordinator => RoleName::Coordinator,
            Role::Officer => RoleName::Officer,
            Role::Policy => RoleName::Policy,
            Role::Supervisor => RoleName::Supervisor,
            Role::Admin => RoleName::Admin,
            Role::Applicant => RoleName::Applicant,
            Role::System => RoleName::System,
        }
    }
}

/// A listed day of a calendar year: `off` (放假) or `work` (调休上班).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ListedDay {
    /// 放假: a holiday.
    Off,
    /// 调休上班: a Saturday or Sunday worked.
    Work,
}

impl ListedDay {
    /// The listed kind of `kind`; `None` for an ordinary working day or weekend.
    pub(crate) fn of(kind: DayKind) -> Option<ListedDay> {
        match kind {
            DayKind::Holiday => Some(ListedDay::Off),
            DayKind::AdjustedWorkday => Some(ListedDay::Work),
            DayKind::Workday | DayKind::Weekend => None,
        }
    }
}

/// A special procedure (行政许可法 第四十五条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Procedure {
    /// 听证 hearing.
    Hearing,
    /// 专家评审 expert review.
    ExpertReview,
    /// 检验检测 testing.
    Testing,
    /// 鉴定 appraisal.
    Appraisal,
    /// 公示 public notice.
    PublicNotice,
}

impl From<Procedure> for SpecialProcedure {
    fn from(procedure: Procedure) -> SpecialProcedure {
        match procedure {
            Procedure::Hearing => SpecialProcedure::Hearing,
            Procedure::ExpertReview => SpecialProcedure::ExpertReview,
            Procedure::Testing => SpecialProcedure::Testing,
            Procedure::Appraisal => SpecialProcedure::Appraisal,
            Procedure::PublicNotice => SpecialProcedure::PublicNotice,
        }
    }
}

/// The kind of an event, as recorded (`task_approved`, `alert_raised`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EventKind {
    /// 受理: the case was launched.
    Launched,
    /// A task was dispatched to its department.
    TaskReady,
    /// An officer claimed a task.
    TaskClaimed,
    /// A claimed task was given back.
    TaskReleased,
    /// A claim's lease ran out.
    LeaseExpired,
    /// A task was approved.
    TaskApproved,
    /// A task was rejected.
    TaskRejected,
    /// A task was withdrawn with its case.
    TaskWithdrawn,
    /// 一次性告知: materials were asked for.
    SupplementRequested,
    /// A supervisor allowed one more supplement request.
    SupplementAllowed,
    /// The applicant handed the materials in.
    SupplementSubmitted,
    /// A special procedure started.
    SpecialProcedureStarted,
    /// A special procedure ended.
    SpecialProcedureEnded,
    /// A warning or card was raised.
    AlertRaised,
    /// The projected completion passed the promise.
    CaseAtRisk,
    /// Every task was approved.
    CaseCompleted,
    /// The case was rejected.
    CaseRejected,
    /// The case was withdrawn.
    CaseWithdrawn,
    /// The result was handed out.
    CaseIssued,
    /// The applicant rated the service.
    CaseRated,
    /// The case's dates were counted again on a newly published calendar.
    CaseRedated,
    /// A coordinator issued the applicant a new access code.
    AccessCodeReissued,
    /// A supervisor urged a late or at-risk task (督办).
    TaskUrged,
}

impl From<&Event> for EventKind {
    fn from(event: &Event) -> EventKind {
        match event {
            Event::Launched { .. } => EventKind::Launched,
            Event::TaskReady { .. } => EventKind::TaskReady,
            Event::TaskClaimed { .. } => EventKind::TaskClaimed,
            Event::TaskReleased { .. } => EventKind::TaskReleased,
            Event::LeaseExpired { .. } => EventKind::LeaseExpired,
            Event::TaskApproved { .. } => EventKind::TaskApproved,
            Event::TaskRejected { .. } => EventKind::TaskRejected,
            Event::TaskWithdrawn { .. } => EventKind::TaskWithdrawn,
            Event::SupplementRequested { .. } => EventKind::SupplementRequested,
            Event::SupplementAllowed { .. } => EventKind::SupplementAllowed,
            Event::SupplementSubmitted { .. } => EventKind::SupplementSubmitted,
            Event::SpecialProcedureStarted { .. } => EventKind::SpecialProcedureStarted,
            Event::SpecialProcedureEnded { .. } => EventKind::SpecialProcedureEnded,
            Event::AlertRaised { .. } => EventKind::AlertRaised,
            Event::CaseAtRisk { .. } => EventKind::CaseAtRisk,
            Event::CaseCompleted => EventKind::CaseCompleted,
            Event::CaseRejected { .. } => EventKind::CaseRejected,
            Event::CaseWithdrawn { .. } => EventKind::CaseWithdrawn,
            Event::CaseIssued => EventKind::CaseIssued,
            Event::CaseRated { .. } => EventKind::CaseRated,
            Event::CaseRedated { .. } => EventKind::CaseRedated,
            Event::AccessCodeReissued { .. } => EventKind::AccessCodeReissued,
            Event::TaskUrged { .. } => EventKind::TaskUrged,
        }
    }
}

/// A rating as sent and shown: `{"stars": 1..5}`, `"satisfied"` (满意) or
/// `"unsatisfied"` (不满意). Only its schema is used (the engine's `Rating` is what goes over
/// the wire).
pub(crate) struct RatingShape;

impl utoipa::PartialSchema for RatingShape {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        let stars = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "stars",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(5))
                    .description(Some("1 to 5 stars; 4 and 5 count as satisfied")),
            )
            .required("stars")
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ));
        let word = ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["satisfied", "unsatisfied"]))
            .description(Some("满意 satisfied or 不满意 unsatisfied"));
        OneOfBuilder::new().item(stars).item(word).into()
    }
}

impl ToSchema for RatingShape {}

/// A case's state with its data, as `status` of a case shows it: `open`, or a closed
/// state with when (and for a rejection which task, for a rejection or withdrawal why).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct CaseStatusShape {
    /// The state.
    pub(crate) state: CaseStateName,
    /// When it was reached (every state but `open`).
    #[schema(required = false)]
    pub(crate) at: Option<chrono::DateTime<chrono::Utc>>,
    /// The task rejected (`rejected`).
    #[schema(required = false)]
    pub(crate) task: Option<String>,
    /// Why (`rejected`, `withdrawn`).
    #[schema(required = false)]
    pub(crate) reason: Option<String>,
}

/// Why a task's clock is paused: `supplement` with the materials asked for, or
/// `special_procedure` with the procedure and the working days granted.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct SuspensionShape {
    /// `supplement` or `special_procedure`.
    pub(crate) reason: SuspensionReason,
    /// Every missing material (`supplement`).
    #[schema(required = false)]
    pub(crate) materials: Option<Vec<String>>,
    /// The procedure (`special_procedure`).
    #[schema(required = false)]
    pub(crate) procedure: Option<Procedure>,
    /// Working days granted (`special_procedure`).
    #[schema(required = false)]
    pub(crate) granted_days: Option<u32>,
}

/// Why a task's clock is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SuspensionReason {
    /// 补正: waiting for the applicant's materials.
    Supplement,
    /// 特别程序: a special procedure.
    SpecialProcedure,
}

impl From<&Suspension> for SuspensionReason {
    fn from(suspension: &Suspension) -> SuspensionReason {
        match suspension {
            Suspension::Supplement { .. } => SuspensionReason::Supplement,
            Suspension::SpecialProcedure { .. } => SuspensionReason::SpecialProcedure,
        }
    }
}

#[cfg(test)]
mod tests {
    use greenlane_engine::ids::{PrincipalId, TaskId};

    use super::*;

    fn wire<T: Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn each_mirror_spells_its_names_as_the_engine_does() {
        for kind in CaseStatusKind::ALL {
            assert_eq!(wire(CaseStateName::from(kind)), kind.as_str());
        }
        for level in AlertLevel::ALL {
            assert_eq!(wire(Level::from(level)), level.as_str());
            assert_eq!(wire(Level::from(level)), wire(level));
        }
        let at = chrono::DateTime::UNIX_EPOCH;
        let by = PrincipalId::new("p");
        let statuses = [
            TaskStatus::Waiting,
            TaskStatus::Ready,
            TaskStatus::Claimed {
                officer: by.clone(),
                lease_until: at,
            },
            TaskStatus::Suspended {
                suspension: Suspension::Supplement { materials: vec![] },
                since: at,
                officer: by.clone(),
            },
            TaskStatus::Approved { at, by: by.clone() },
            TaskStatus::Rejected {
                at,
                by,
                reason: "r".into(),
            },
            TaskStatus::Withdrawn { reason: "r".into() },
        ];
        for status in &statuses {
            assert_eq!(wire(TaskStateName::from(status)), status.as_str());
        }
        for kind in [TaskKind::Instant, TaskKind::Commitment, TaskKind::Referred] {
            assert_eq!(wire(ItemKind::from(kind)), kind.as_str());
        }
        for role in [
            Role::Coordinator,
            Role::Officer,
            Role::Policy,
            Role::Supervisor,
            Role::Admin,
            Role::Applicant,
            Role::System,
        ] {
            assert_eq!(wire(RoleName::from(role)), role.as_str());
        }
        for (mirror, engine) in [
            (Procedure::Hearing, SpecialProcedure::Hearing),
            (Procedure::ExpertReview, SpecialProcedure::ExpertReview),
            (Procedure::Testing, SpecialProcedure::Testing),
            (Procedure::Appraisal, SpecialProcedure::Appraisal),
            (Procedure::PublicNotice, SpecialProcedure::PublicNotice),
        ] {
            assert_eq!(wire(mirror), wire(engine));
            assert_eq!(SpecialProcedure::from(mirror), engine);
        }
        let suspensions = [
            Suspension::Supplement { materials: vec![] },
            Suspension::SpecialProcedure {
                procedure: SpecialProcedure::Hearing,
                granted_days: 1,
            },
        ];
        for suspension in &suspensions {
            let value = serde_json::to_value(suspension).unwrap();
            assert_eq!(value["reason"], wire(SuspensionReason::from(suspension)));
        }
    }

    #[test]
    fn event_kinds_are_the_names_events_are_stored_under() {
        let task = TaskId::new("t");
        let events = [
            Event::TaskReleased { task: task.clone() },
            Event::CaseCompleted,
            Event::CaseIssued,
            Event::CaseRated {
                rating: greenlane_engine::case::Rating::Satisfied,
            },
            Event::CaseWithdrawn { reason: "r".into() },
        ];
        for event in &events {
            assert_eq!(wire(EventKind::from(event)), event.name());
            let stored = serde_json::to_value(event).unwrap();
            assert_eq!(stored["type"], event.name());
        }
    }
}
