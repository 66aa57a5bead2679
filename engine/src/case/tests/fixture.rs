//! Shared fixtures: a small workflow compiled without the YAML loader, principals,
//! wall-clock instants in Asia/Shanghai, a harness that decides and applies, and a compact
//! text summary of events for exact assertions.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde_json::json;

use crate::case::{
    apply, decide, decide_launch, CaseState, Command, Event, Rating, Recorded, Rejection,
    SpecialProcedure, Timestamp,
};
use crate::plan::CompiledWorkflow;
use crate::principal::{Principal, Role};
use crate::rules::Rules;
use crate::workflow::{Days, Department, TaskDef, TaskKind, Workflow};

/// The center every principal of the tests belongs to.
pub(super) const CENTER: &str = "jilin";

/// One task of a test workflow.
#[derive(Debug, Clone)]
pub(super) struct Spec {
    pub(super) id: String,
    pub(super) department: String,
    pub(super) needs: Vec<String>,
    pub(super) when: Option<String>,
    pub(super) committed: u32,
    pub(super) statutory: u32,
}

/// A task of `department` needing `needs`; instant when `committed` is 0.
pub(super) fn spec(
    id: &str,
    department: &str,
    needs: &[&str],
    committed: u32,
    statutory: u32,
) -> Spec {
    Spec {
        id: id.to_string(),
        department: department.to_string(),
        needs: needs.iter().map(|n| n.to_string()).collect(),
        when: None,
        committed,
        statutory,
    }
}

impl Spec {
    /// The same task, applicable only when `condition` holds.
    pub(super) fn when(mut self, condition: &str) -> Spec {
        self.when = Some(condition.to_string());
        self
    }
}

/// Compiles `specs` into a workflow on the real cn calendar with no rules script.
pub(super) fn compile(specs: &[Spec]) -> CompiledWorkflow {
    compile_with_rules(specs, None)
}

/// Compiles `specs` into a workflow on the real cn calendar with the rules `script`.
pub(super) fn compile_with_rules(specs: &[Spec], script: Option<&str>) -> CompiledWorkflow {
    let rules = Rules::compile(script).unwrap();
    let tasks: Vec<TaskDef> = specs
        .iter()
        .map(|s| TaskDef {
            id: s.id.as_str().into(),
            name: format!("事项 {0} / Item {0}", s.id),
            department: s.department.as_str().into(),
            kind: if s.committed == 0 {
                TaskKind::Instant
            } else {
                TaskKind::Commitment
            },
            statutory_days: s.statutory,
            committed_days: Days::Fixed(s.committed),
            needs: s.needs.iter().map(|n| n.as_str().into()).collect(),
            when: s.when.clone(),
            materials: vec![format!("{} 申请表 / application form", s.id)],
            basis: None,
        })
        .collect();
    let departments = specs
        .iter()
        .map(|s| {
            let department = Department {
                id: s.department.as_str().into(),
                name: format!("部门 {0} / Department {0}", s.department),
            };
            (department.id.clone(), department)
        })
        .collect::<BTreeMap<_, _>>();
    let workflow = Workflow {
        id: "joint".into(),
        name: "并联审批 / Joint approval".into(),
        description: None,
        calendar: "cn".into(),
        rules: script.map(|_| "joint.rhai".to_string()),
        departments,
        tasks,
        application: Default::default(),
    };
    CompiledWorkflow::for_tests(workflow, rules)
}

/// intake (instant, the center) → a (market, 3/10) and b (fire, 5/20) in parallel, and c
/// (environment, 2/10) only when `app.env` is true → issue (instant, the center).
pub(super) fn standard() -> CompiledWorkflow {
    standard_with_rules(None)
}

/// [`standard`] with the rules `script`.
pub(super) fn standard_with_rules(script: Option<&str>) -> CompiledWorkflow {
    compile_with_rules(
        &[
            spec("intake", "center", &[], 0, 0),
            spec("a", "market", &["intake"], 3, 10),
            spec("b", "fire", &["intake"], 5, 20),
            spec("c", "env", &["intake"], 2, 10).when("app.env == true"),
            spec("issue", "center", &["a", "b", "c"], 0, 0),
        ],
        script,
    )
}

/// The coordinator who launches the cases.
pub(super) fn coordinator() -> Principal {
    Principal::new("coord", Role::Coordinator, CENTER)
}

/// An officer of `department`.
pub(super) fn officer(id: &str, department: &str) -> Principal {
    Principal::officer(id, department, CENTER)
}

/// The supervision office.
pub(super) fn supervisor() -> Principal {
    Principal::new("super", Role::Supervisor, CENTER)
}

/// The applicant.
pub(super) fn applicant() -> Principal {
    Principal::new("applicant", Role::Applicant, CENTER)
}

/// The engine itself.
pub(super) fn system() -> Principal {
    Principal::system(CENTER.into())
}

/// An instant given as Shanghai wall-clock time, `YYYY-MM-DD HH:MM[:SS]`.
pub(super) fn at(local: &str) -> Timestamp {
    let text = if local.len() == 16 {
        format!("{local}:00")
    } else {
        local.to_string()
    };
    let naive = NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S").unwrap();
    Shanghai
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// A calendar day, `YYYY-MM-DD`.
pub(super) fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

/// Launch with `application` in Asia/Shanghai.
pub(super) fn launch(application: serde_json::Value) -> Command {
    Command::Launch {
        case: "case-1".into(),
        workflow: "joint".into(),
        version: 3,
        application,
        time_zone: "Asia/Shanghai".into(),
        access_code_hash: "salted-hash".into(),
    }
}

/// The application of the standard workflow, without the environment task.
pub(super) fn application() -> serde_json::Value {
    json!({"applicant": "吉林市某某有限公司", "env": false})
}

/// Claim `task` for `hours`.
pub(super) fn claim(task: &str, hours: i64) -> Command {
    Command::Claim {
        task: task.into(),
        lease: Duration::hours(hours),
    }
}

/// Approve `task`.
pub(super) fn approve(task: &str) -> Command {
    Command::approve(task.into())
}

/// Ask for supplements on `task`.
pub(super) fn request(task: &str, materials: &[&str]) -> Command {
    Command::RequestSupplement {
        task: task.into(),
        materials: materials.iter().map(|m| m.to_string()).collect(),
    }
}

/// The coordinator hands in the supplements for `task`.
pub(super) fn submit(task: &str) -> Command {
    Command::SubmitSupplement { task: task.into() }
}

/// Start a hearing of `granted` days on `task`.
pub(super) fn start_special(task: &str, granted: u32) -> Command {
    Command::StartSpecialProcedure {
        task: task.into(),
        procedure: SpecialProcedure::Hearing,
        granted_days: granted,
    }
}

/// End the special procedure of `task`.
pub(super) fn end_special(task: &str) -> Command {
    Command::EndSpecialProcedure { task: task.into() }
}

/// A rating.
pub(super) fn rate(rating: Rating) -> Command {
    Command::Rate { rating }
}

/// A case on a definition, with its recorded history.
pub(super) struct Case {
    pub(super) definition: CompiledWorkflow,
    launched: Option<CaseState>,
    pub(super) history: Vec<Recorded>,
}

impl Case {
    /// A case not launched yet.
    pub(super) fn new(definition: CompiledWorkflow) -> Case {
        Case {
            definition,
            launched: None,
            history: Vec::new(),
        }
    }

    /// The case, once launched.
    pub(super) fn state(&self) -> &CaseState {
        self.launched.as_ref().expect("the case is launched")
    }

    /// Applies `recorded` (the first one launches the case) and keeps it in the history.
    pub(super) fn record(&mut self, recorded: Recorded) {
        match &mut self.launched {
            Some(state) => apply(state, &recorded),
            None => self.launched = CaseState::launched(&recorded),
        }
        self.history.push(recorded);
    }

    /// The case if it is launched.
    pub(super) fn if_launched(&self) -> Option<&CaseState> {
        self.launched.as_ref()
    }

    /// The standard workflow launched by the coordinator at `launched` (Shanghai), with the
    /// intake approved 30 minutes later by the window officer.
    pub(super) fn standard(launched: &str) -> Case {
        Case::launched(standard(), application(), launched)
    }

    /// A workflow shaped like the standard one, launched with `application` by the
    /// coordinator at `launched` (Shanghai), with the intake approved 30 minutes later.
    pub(super) fn launched(
        definition: CompiledWorkflow,
        application: serde_json::Value,
        launched: &str,
    ) -> Case {
        let mut case = Case::new(definition);
        let start = at(launched);
        case.ok(&coordinator(), launch(application), start);
        let window = officer("window", "center");
        case.ok(&window, claim("intake", 1), start + Duration::minutes(10));
        case.ok(&window, approve("intake"), start + Duration::minutes(30));
        case
    }

    /// Decides without applying.
    pub(super) fn decide(
        &self,
        by: &Principal,
        command: &Command,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        match &self.launched {
            Some(state) => decide(state, &self.definition, by, command, now),
            None => decide_launch(&self.definition, by, command, now),
        }
    }

    /// Decides and, on success, applies and records the events. A rejection must leave the
    /// state exactly as it was.
    pub(super) fn run(
        &mut self,
        by: &Principal,
        command: Command,
        now: Timestamp,
    ) -> Result<Vec<Event>, Rejection> {
        let before = self.launched.clone();
        match self.decide(by, &command, now) {
            Ok(events) => {
                for event in &events {
                    let recorded = Recorded {
                        at: now,
                        by: by.id.clone(),
                        event: event.clone(),
                    };
                    self.record(recorded);
                }
                let version_before = before.as_ref().map_or(0, |s| s.version);
                assert_eq!(self.state().version, version_before + events.len() as u64);
                Ok(events)
            }
            Err(rejection) => {
                assert_eq!(self.launched, before, "a rejection changed the state");
                assert!(!rejection.to_string().is_empty());
                Err(rejection)
            }
        }
    }

    /// [`Case::run`], expecting success.
    pub(super) fn ok(&mut self, by: &Principal, command: Command, now: Timestamp) -> Vec<Event> {
        let name = format!("{command:?} by {}", by.id);
        self.run(by, command, now)
            .unwrap_or_else(|rejection| panic!("{name} was rejected: {rejection}"))
    }

    /// [`Case::run`], expecting a rejection.
    pub(super) fn err(&mut self, by: &Principal, command: Command, now: Timestamp) -> Rejection {
        let name = format!("{command:?} by {}", by.id);
        match self.run(by, command, now) {
            Ok(events) => panic!("{name} was accepted: {}", summary(&events)),
            Err(rejection) => rejection,
        }
    }

    /// The system's deadline check at `now`, summarised.
    pub(super) fn check(&mut self, now: Timestamp) -> String {
        summary(&self.ok(&system(), Command::CheckDeadlines, now))
    }
}

/// A compact, exact summary of events: `kind:task` for task events, alert levels as
/// `warning:a`, at-risk as `at_risk:a+b`, joined by spaces.
pub(super) fn summary(events: &[Event]) -> String {
    events.iter().map(describe).collect::<Vec<_>>().join(" ")
}

fn describe(event: &Event) -> String {
    match event {
        Event::Launched { .. } => "launched".into(),
        Event::TaskReady { task, .. } => format!("ready:{task}"),
        Event::TaskClaimed { task, .. } => format!("claimed:{task}"),
        Event::TaskReleased { task } => format!("released:{task}"),
        Event::LeaseExpired { task, .. } => format!("lease_expired:{task}"),
        Event::TaskApproved { task, .. } => format!("approved:{task}"),
        Event::TaskRejected { task, .. } => format!("rejected:{task}"),
        Event::TaskWithdrawn { task, .. } => format!("withdrawn:{task}"),
        Event::SupplementRequested { task, .. } => format!("supplement_requested:{task}"),
        Event::SupplementAllowed { task, .. } => format!("supplement_allowed:{task}"),
        Event::SupplementSubmitted { task, .. } => format!("supplement_submitted:{task}"),
        Event::SpecialProcedureStarted { task, .. } => format!("special_started:{task}"),
        Event::SpecialProcedureEnded { task, .. } => format!("special_ended:{task}"),
        Event::AlertRaised { task, level, .. } => format!("{}:{task}", level.as_str()),
        Event::TaskUrged { task, .. } => format!("urged:{task}"),
        Event::CaseAtRisk { causes, .. } => format!(
            "at_risk:{}",
            causes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join("+")
        ),
        Event::CaseCompleted => "completed".into(),
        Event::CaseRejected { .. } => "case_rejected".into(),
        Event::CaseWithdrawn { .. } => "case_withdrawn".into(),
        Event::CaseIssued => "issued".into(),
        Event::CaseRated { .. } => "rated".into(),
        Event::AccessCodeReissued { .. } => "access_code_reissued".into(),
        Event::CaseRedated { tasks, .. } => format!(
            "redated:{}",
            tasks
                .iter()
                .map(|t| t.task.as_str())
                .collect::<Vec<_>>()
                .join("+")
        ),
    }
}

/// The variant name of a rejection, e.g. `NotLaunched` or `TaskState`.
pub(super) fn variant(rejection: &Rejection) -> String {
    format!("{rejection:?}")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}
