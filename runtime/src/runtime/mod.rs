//! The runtime: one value that handles every command for one backend.
//!
//! - [`Runtime::publish`], [`Runtime::launch`], [`Runtime::execute`] (mod.rs)
//! - cases in memory, one lock each (`cache`); compiled definitions (`definitions`)
//! - carrying out the events' effects (`effects`)
//! - claims and inboxes (`claims`), lease expiry and deadline checks (`tick`)
//! - recovery after a crash (`recovery`)
//! - live events for subscribers in this process (`live`)

pub mod access;
mod cache;
mod calendars;
mod claims;
mod definitions;
mod deliveries;
mod effects;
mod live;
mod publishing;
mod reads;
mod recovery;
mod throttle;
mod tick;
mod work;

pub use calendars::{CalendarPublished, Coverage, InstalledCalendar};
pub use claims::ClaimedTask;
pub use live::{CaseEvent, LIVE_CAPACITY};
pub use publishing::{Publication, PublishRequest, SampleFailure};
pub use recovery::RecoveryReport;
pub use throttle::AccessCheck;
pub use tick::{TickReport, TickerOptions};

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDate};
use greenlane_engine::calendar::Calendar;
use greenlane_engine::case::{
    apply, decide, decide_launch, replay, CaseState, Command, Recorded, Rejection,
    DEFAULT_TIME_ZONE,
};
use greenlane_engine::ids::{CalendarId, CaseId, CenterId, TaskId, WorkflowId};
use greenlane_engine::principal::Principal;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ports::{Backend, CaseIndex, Clock, EventStream, NextClaim, Notifier, QueueEntry};
use crate::{RuntimeError, StoreError};
use cache::CaseCache;
use definitions::DefinitionCache;
use live::Live;
use work::WorkSignals;

/// How a runtime is set up.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The center this engine serves (the `system` principal's center).
    pub center: CenterId,
    /// The center's IANA time zone, which decides calendar days.
    pub time_zone: String,
    /// Lease given to a claim when the officer asks for none.
    pub default_lease: Duration,
    /// Seed for case ids; `None` draws one from the operating system.
    pub seed: Option<u64>,
    /// Calendars by id, shared by every workflow version, until the store has published
    /// versions of them.
    pub calendars: BTreeMap<CalendarId, Arc<Calendar>>,
    /// Warn when a calendar's official years end within this many working days.
    pub coverage_warning_days: u32,
    /// The departments file a publication gets when it sends none and no earlier version
    /// of its workflow had one (the project's `workflows/departments.yaml`).
    pub departments: Option<String>,
    /// What wrong access codes cost ([`ThrottlePolicy::default`]: three free per case, then
    /// doubling waits up to an hour; 30 per client in 10 minutes).
    pub throttle: crate::ports::ThrottlePolicy,
}

impl RuntimeConfig {
    /// A configuration for `center` with the given calendars and the defaults: Asia/Shanghai,
    /// 30-minute leases, random ids.
    pub fn new(center: &str, calendars: BTreeMap<CalendarId, Arc<Calendar>>) -> RuntimeConfig {
        RuntimeConfig {
            center: CenterId::new(center),
            time_zone: DEFAULT_TIME_ZONE.to_string(),
            default_lease: Duration::minutes(30),
            seed: None,
            calendars,
            coverage_warning_days: 60,
            departments: None,
            throttle: Default::default(),
        }
    }
}

/// What a command did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The case's version after the command.
    pub version: u64,
    /// The events recorded (empty when there was nothing to do).
    pub recorded: Vec<Recorded>,
}

/// What a coordinator launches: the workflow, the application and the hash of the
/// applicant's access code, made by the caller ([`access::issue`]) so the command path does
/// no hashing.
#[derive(Debug, Clone)]
pub struct LaunchRequest {
    /// The workflow; its latest version is launched.
    pub workflow: WorkflowId,
    /// The application.
    pub application: serde_json::Value,
    /// The access code's hash, recorded in the `Launched` event.
    pub access_code_hash: access::AccessCodeHash,
}

impl LaunchRequest {
    /// A launch of `workflow` for `application`, with the access code hashed as
    /// `access_code_hash`.
    pub fn new(
        workflow: &WorkflowId,
        application: serde_json::Value,
        access_code_hash: access::AccessCodeHash,
    ) -> LaunchRequest {
        LaunchRequest {
            workflow: workflow.clone(),
            application,
            access_code_hash,
        }
    }
}

/// A launched case.
#[derive(Debug, Clone, PartialEq)]
pub struct Launched {
    /// The new case's id.
    pub case: CaseId,
    /// The workflow version the case is pinned to.
    pub workflow_version: u32,
    /// The promised completion date.
    pub promised_completion: NaiveDate,
    /// The planned critical path.
    pub critical_path: Vec<TaskId>,
    /// Tasks dispatched at launch.
    pub dispatched: Vec<TaskId>,
}

/// The runtime over backend `B`.
pub struct Runtime<B: Backend> {
    backend: Arc<B>,
    clock: Arc<dyn Clock>,
    notifier: Arc<dyn Notifier>,
    config: RuntimeConfig,
    cases: CaseCache,
    definitions: DefinitionCache,
    rng: Mutex<StdRng>,
    work: WorkSignals,
    live: Live,
    check_failures: tick::CheckFailures,
    /// The calendar day the coverage warning was last logged on.
    coverage_warned_on: Mutex<Option<NaiveDate>>,
    /// Sample applications each workflow's new versions are tried on.
    samples: publishing::Samples,
}

impl<B: Backend> std::fmt::Debug for Runtime<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("center", &self.config.center)
            .field("cached_cases", &self.cases.len())
            .finish_non_exhaustive()
    }
}

/// Where a command came from, when that changes which effects it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// Anyone: every effect of its events is carried out.
    Caller,
    /// A claim of an entry the queue already leased in `claim_next`: the lease need not be
    /// written again.
    QueueClaim,
    /// Recovery repeating effects: everything again.
    Recovery,
}

/// A check of a case before a command on it, under the case's lock.
pub type Admit<'a> = dyn Fn(&CaseState) -> bool + Send + Sync + 'a;

/// What one command execution does: its steps, where they came from, a check of the case
/// before them, and a claim to make after them.
#[derive(Clone, Copy)]
pub(super) struct Execution<'a> {
    pub(super) steps: &'a [Step],
    pub(super) origin: Origin,
    pub(super) then_claim: Option<&'a NextClaim>,
    pub(super) admit: Option<&'a Admit<'a>>,
}

impl<'a> Execution<'a> {
    /// `steps` from a caller, nothing checked first, no claim after.
    pub(super) fn new(steps: &'a [Step]) -> Execution<'a> {
        Execution {
            steps,
            origin: Origin::Caller,
            then_claim: None,
            admit: None,
        }
    }
}

/// How often a command is retried after losing an optimistic-concurrency race.
const CONFLICT_RETRIES: usize = 3;

/// One command of those decided one after the other and appended together.
#[derive(Debug, Clone)]
pub(super) struct Step {
    command: Command,
    /// When it was given, if not now (a claim taken from the queue earlier and recorded
    /// with the decision: `decide_claimed`).
    at: Option<greenlane_engine::case::Timestamp>,
}

impl Step {
    /// `command`, given now.
    pub(super) fn now(command: Command) -> Step {
        Step { command, at: None }
    }

    /// `command`, given at `at`.
    pub(super) fn at(command: Command, at: greenlane_engine::case::Timestamp) -> Step {
        Step {
            command,
            at: Some(at),
        }
    }
}

impl<B: Backend> Runtime<B> {
    /// A runtime over `backend`. Call [`Runtime::recover`] before serving after a restart.
    pub fn new(
        backend: Arc<B>,
        clock: Arc<dyn Clock>,
        notifier: Arc<dyn Notifier>,
        config: RuntimeConfig,
    ) -> Runtime<B> {
        let rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        Runtime {
            backend,
            clock,
            notifier,
            definitions: DefinitionCache::new(config.calendars.clone()),
            config,
            cases: CaseCache::default(),
            rng: Mutex::new(rng),
            work: WorkSignals::default(),
            live: Live::default(),
            check_failures: tick::CheckFailures::default(),
            coverage_warned_on: Mutex::new(None),
            samples: publishing::Samples::default(),
        }
    }

    /// The backend.
    pub fn backend(&self) -> &Arc<B> {
        &self.backend
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Today in the center's time zone, on the runtime's clock.
    pub(super) fn today(&self) -> NaiveDate {
        greenlane_engine::case::local_date(self.clock.now(), &self.config.time_zone)
    }

    /// The configuration.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// The engine acting on its own in this center.
    pub fn system(&self) -> Principal {
        Principal::system(self.config.center.clone())
    }

    /// Launches a joint approval of the latest version of the request's workflow
    /// (coordinator).
    pub async fn launch(
        &self,
        by: &Principal,
        request: LaunchRequest,
    ) -> Result<Launched, RuntimeError> {
        let LaunchRequest {
            workflow,
            application,
            access_code_hash,
        } = request;
        let access_code_hash = access_code_hash.into_stored();
        let version = self.latest_version(&workflow).await?;
        let mut attempt = 0;
        let (case, outcome) = loop {
            attempt += 1;
            let case = self.new_case_id();
            let command = Command::Launch {
                case: case.clone(),
                workflow: workflow.clone(),
                version,
                application: application.clone(),
                time_zone: self.config.time_zone.clone(),
                access_code_hash: access_code_hash.clone(),
            };
            match self.execute(&case, by, command).await {
                // Two launches drew the same id in the same millisecond: draw again.
                Err(RuntimeError::Rejected(Rejection::AlreadyLaunched)) if attempt < 3 => {}
                Err(error) => return Err(error),
                Ok(outcome) => break (case, outcome),
            }
        };
        let Some(greenlane_engine::case::Event::Launched {
            promised_completion,
            critical_path,
            ..
        }) = outcome.recorded.first().map(|r| &r.event)
        else {
            unreachable!("a launch records Launched first");
        };
        Ok(Launched {
            case,
            workflow_version: version,
            promised_completion: *promised_completion,
            critical_path: critical_path.clone(),
            dispatched: outcome
                .recorded
                .iter()
                .filter_map(|r| match &r.event {
                    greenlane_engine::case::Event::TaskReady { task, .. } => Some(task.clone()),
                    _ => None,
                })
                .collect(),
        })
    }

    /// A new case id — the center, the launch instant to the millisecond (so cases launched
    /// together sit together in ordered stores) and 32 random bits.
    fn new_case_id(&self) -> CaseId {
        let mut rng = crate::memory::lock(&self.rng);
        CaseId::new(format!(
            "{}-{}-{:08x}",
            self.config.center,
            self.clock.now().format("%Y%m%d%H%M%S%3f"),
            rng.random::<u32>()
        ))
    }

    /// Decides `command` for `by` on `case` and carries it out: events durable first, then
    /// their effects. A rejection changes nothing.
    pub async fn execute(
        &self,
        case: &CaseId,
        by: &Principal,
        command: Command,
    ) -> Result<Outcome, RuntimeError> {
        let steps = [Step::now(command)];
        let (outcome, _) = self.run(case, by, Execution::new(&steps)).await?;
        Ok(outcome)
    }

    /// [`Runtime::execute`] when `admit` accepts the case as it is found under the case's
    /// lock (one read for the check and the command); a case `admit` refuses is answered
    /// as unknown, so a caller who may not see a case is not told it exists.
    pub async fn execute_admitted(
        &self,
        case: &CaseId,
        by: &Principal,
        command: Command,
        admit: &Admit<'_>,
    ) -> Result<Outcome, RuntimeError> {
        let steps = [Step::now(command)];
        let execution = Execution {
            admit: Some(admit),
            ..Execution::new(&steps)
        };
        let (outcome, _) = self.run(case, by, execution).await?;
        Ok(outcome)
    }

    /// The one path of every command: attempts `execution` and, when another writer moved
    /// the case on in between (an optimistic-concurrency conflict), reloads the case and
    /// attempts it again, a few times at most.
    pub(super) async fn run(
        &self,
        case: &CaseId,
        by: &Principal,
        execution: Execution<'_>,
    ) -> Result<(Outcome, Option<QueueEntry>), RuntimeError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(case, by, &execution, attempt == 1).await {
                Err(RuntimeError::Store(StoreError::Conflict { .. }))
                    if attempt < CONFLICT_RETRIES =>
                {
                    tracing::debug!(%case, attempt, "conflict; reloading the case");
                }
                other => return other,
            }
        }
    }

    /// Load, decide, record: the case under its lock (cached or replayed), each step
    /// decided on the case as the ones before it left it, then all their events in one
    /// append with their effects (and, where the backend can, the claim of the next free
    /// entry in the same request). The first rejection refuses every step.
    async fn attempt(
        &self,
        case: &CaseId,
        by: &Principal,
        execution: &Execution<'_>,
        first_attempt: bool,
    ) -> Result<(Outcome, Option<QueueEntry>), RuntimeError> {
        let Execution {
            steps,
            origin,
            then_claim,
            admit,
        } = *execution;
        let Some(first) = steps.first() else {
            return Err(Rejection::Invalid("no command given".into()).into());
        };
        let command = &first.command;
        let slot = self.cases.slot(case);
        let mut guard = slot.lock().await;
        let cached = guard.is_some();
        let launch = matches!(command, Command::Launch { .. });
        if guard.is_none() {
            // A launch's new id (drawn at random) has nothing to load. Should it exist
            // after all, the append conflicts, and the retry loads the case and refuses it.
            let events = if launch && first_attempt {
                Vec::new()
            } else {
                self.backend.events().load(case).await?
            };
            match replayed(case, &events)? {
                Some(state) => *guard = Some(state),
                None if !launch => return Err(RuntimeError::UnknownCase(case.clone())),
                None => {}
            }
        }
        let now = self.clock.now();
        let (definition, expected, recorded) = match guard.as_mut() {
            None => {
                // No case yet: the launch is decided on nothing, and the case it records
                // is the one cached.
                let Command::Launch {
                    workflow, version, ..
                } = command
                else {
                    unreachable!("only a launch reaches here without a case");
                };
                let definition = self.definition(workflow, *version).await?;
                let recorded: Vec<Recorded> = decide_launch(&definition, by, command, now)?
                    .into_iter()
                    .map(|event| Recorded {
                        at: now,
                        by: by.id.clone(),
                        event,
                    })
                    .collect();
                let mut state = recorded
                    .first()
                    .and_then(CaseState::launched)
                    .ok_or_else(|| Rejection::Invalid("a launch records its case first".into()))?;
                for r in &recorded[1..] {
                    apply(&mut state, r);
                }
                *guard = Some(state);
                (definition, 0, recorded)
            }
            Some(state) => {
                if admit.is_some_and(|admit| !admit(state)) {
                    return Err(RuntimeError::UnknownCase(case.clone()));
                }
                let definition = self.case_definition(state).await?;
                let expected = state.version;
                let mut recorded: Vec<Recorded> = Vec::new();
                for step in steps {
                    let at = step.at.unwrap_or(now);
                    let events = match decide(state, &definition, by, &step.command, at) {
                        Ok(events) => events,
                        Err(rejection) => {
                            // The steps before this one changed the cached copy: drop it.
                            let changed = !recorded.is_empty();
                            if changed {
                                *guard = None;
                            }
                            // Another node may have moved the case on: a rejection decided
                            // on a stale copy must not stand (a claim's repair would drop a
                            // live entry).
                            if cached && self.backend.shared() {
                                let stored = self.backend.events().record(case).await?;
                                let version = stored.map_or(0, |r| r.version);
                                if version != expected {
                                    *guard = None;
                                    drop(guard);
                                    self.cases.evict(case);
                                    return Err(StoreError::Conflict {
                                        what: case.to_string(),
                                        expected,
                                        actual: version,
                                    }
                                    .into());
                                }
                            }
                            if changed {
                                drop(guard);
                                self.cases.evict(case);
                            }
                            return Err(rejection.into());
                        }
                    };
                    for event in events {
                        let r = Recorded {
                            at,
                            by: by.id.clone(),
                            event,
                        };
                        apply(state, &r);
                        recorded.push(r);
                    }
                }
                (definition, expected, recorded)
            }
        };
        let state = guard.as_mut().expect("a case is cached above");
        if recorded.is_empty() {
            if matches!(command, Command::CheckDeadlines) {
                self.schedule_next_check(case, state, &definition).await?;
            }
            return Ok((
                Outcome {
                    version: state.version,
                    recorded: Vec::new(),
                },
                None,
            ));
        }
        let mut planned = self.plan_effects(case, state, expected, &recorded, &definition, origin);
        planned.effects.claim_next = then_claim.cloned();
        let appended = self
            .backend
            .append_with_effects(
                case,
                expected,
                &recorded,
                state.status.kind(),
                &planned.effects,
            )
            .await;
        let appended = match appended {
            Ok(appended) => appended,
            Err(error) => {
                *guard = None;
                drop(guard);
                self.cases.evict(case);
                return Err(error.into());
            }
        };
        let version = state.version;
        debug_assert_eq!(appended.version, version);
        // The events are durable: the command has happened. A failing effect is logged and
        // completed by recovery, which finds this case's outbox cursor behind.
        let finished = match appended.effects {
            Ok(()) => self.after_append(case, version, planned).await,
            Err(error) => Err(error.into()),
        };
        if let Err(error) = finished {
            self.cases.forget_check(case);
            tracing::error!(%case, %error, "effects left to recovery");
        }
        self.live.send(case, state, expected, &recorded);
        if !state.is_open() {
            *guard = None;
            drop(guard);
            self.cases.evict(case);
        }
        Ok((Outcome { version, recorded }, appended.claimed))
    }

    /// The current state of `case`.
    pub async fn case(&self, case: &CaseId) -> Result<CaseState, RuntimeError> {
        self.read_case(case, CaseState::clone).await
    }

    /// Reads `case` with `read`: the cached state when the case is cached (open cases),
    /// without copying it, else the state replayed from the event store. On a shared store
    /// the cached copy is used only while it stands at the stored version: a case another
    /// node or a department worker moved on is read again. Commands on the case wait while
    /// `read` runs, so it should be short.
    pub async fn read_case<T>(
        &self,
        case: &CaseId,
        read: impl FnOnce(&CaseState) -> T,
    ) -> Result<T, RuntimeError> {
        let slot = self.cases.slot(case);
        let mut guard = slot.lock().await;
        if let Some(state) = guard.as_ref() {
            if !self.backend.shared() {
                return Ok(read(state));
            }
            let stored = self.backend.events().record(case).await?;
            if stored.is_some_and(|r| r.version == state.version) {
                return Ok(read(state));
            }
            *guard = None;
        }
        drop(guard);
        let events = self.backend.events().load(case).await?;
        let Some(state) = replayed(case, &events)? else {
            self.cases.evict(case);
            return Err(RuntimeError::UnknownCase(case.clone()));
        };
        Ok(read(&state))
    }

    /// The full timeline of `case`.
    pub async fn timeline(&self, case: &CaseId) -> Result<Vec<Recorded>, RuntimeError> {
        let events = self.backend.events().load(case).await?;
        if events.is_empty() {
            return Err(RuntimeError::UnknownCase(case.clone()));
        }
        Ok(events)
    }
}

/// The case `events` (the whole stored history of `case`) launched; `None` for no history.
/// A history that does not begin with a launch is corrupt.
pub(super) fn replayed(
    case: &CaseId,
    events: &[Recorded],
) -> Result<Option<CaseState>, StoreError> {
    match replay(events) {
        Some(state) => Ok(Some(state)),
        None if events.is_empty() => Ok(None),
        None => Err(StoreError::corrupt(format!(
            "the history of case {case} does not begin with its launch"
        ))),
    }
}
