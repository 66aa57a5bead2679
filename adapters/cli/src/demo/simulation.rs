//! The simulated service center, driving a [`Runtime`] over any [`Backend`].
//!
//! A discrete-event simulation on a [`ManualClock`]: an agenda of seeded actions (launch a
//! case, claim and decide a task, hand in supplements, end a special procedure, withdraw,
//! issue, rate), ordered by instant, interleaved with the runtime's ticks (every half hour
//! of working time and at every midnight, so lease expiries and end-of-day cards fire as
//! the clock passes them). Every action goes through the runtime's public commands, and
//! what the runtime records (tasks becoming ready, due dates moved by suspensions, cases
//! completing) schedules the next actions. Nothing reads the wall clock and every random
//! draw comes from one seeded generator, so a seed always gives the same run. What each
//! action does is in `actions`.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use greenlane_engine::case::{Recorded, Timestamp};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId, WorkflowId};
use greenlane_engine::principal::{Principal, Role};
use greenlane_runtime::ports::{Backend, ManualClock, Notification, RecordingNotifier};
use greenlane_runtime::{Runtime, RuntimeConfig};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use super::applications;
use super::definitions::Definitions;
use super::hours::Hours;

mod actions;

use actions::Action;

/// The center the simulation runs (case ids start with it).
pub(crate) const CENTER: &str = "jilin";

/// The center's time zone.
pub(crate) const TIME_ZONE: &str = "Asia/Shanghai";

/// Window coordinators (综合受理窗口) taking turns at launching cases.
const COORDINATORS: usize = 3;

/// What to simulate.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    /// Cases to launch.
    pub(crate) cases: usize,
    /// Working days over which the launches are spread.
    pub(crate) days: u32,
    /// The seed of every random draw (and of the runtime's case ids).
    pub(crate) seed: u64,
    /// The first working day.
    pub(crate) start: NaiveDate,
}

/// What the simulation did, besides what the runtime recorded.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Stats {
    /// Commands executed, by command name.
    pub(crate) commands: BTreeMap<&'static str, u64>,
    /// Ticks run.
    pub(crate) ticks: u64,
    /// Leases that ran out and were put back by a tick.
    pub(crate) leases_expired: u64,
    /// Deadline checks the ticks ran.
    pub(crate) deadline_checks: u64,
    /// Actions not scheduled because they fell after the calendar's last day.
    pub(crate) beyond_calendar: u64,
}

/// One launched case, as the simulation saw it.
#[derive(Debug, Clone)]
pub(crate) struct CaseRun {
    /// The case.
    pub(crate) id: CaseId,
    /// Its workflow.
    pub(crate) workflow: WorkflowId,
    /// The applicant's name (enterprise or project unit), for the timeline.
    pub(crate) applicant: String,
    /// Its whole history.
    pub(crate) history: Vec<Recorded>,
}

/// The result of a simulation.
#[derive(Debug)]
pub(crate) struct Run {
    /// Launched cases, in launch order.
    pub(crate) cases: Vec<CaseRun>,
    /// Every escalation delivered, earliest first.
    pub(crate) notifications: Vec<Notification>,
    /// Workflows and the version published.
    pub(crate) published: Vec<(WorkflowId, u32)>,
    /// Cases still open when the simulation stopped.
    pub(crate) open: u64,
    /// When the simulation stopped.
    pub(crate) ended: Timestamp,
    /// Counters.
    pub(crate) stats: Stats,
}

/// Where a simulated case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Open,
    Completed,
    Issued,
    Rejected,
    Withdrawn,
}

/// What the simulation knows of one task.
#[derive(Debug, Clone)]
struct SimTask {
    department: DepartmentId,
    committed_days: u32,
    materials: Vec<String>,
    supplemented: bool,
    special: bool,
    forgotten: bool,
}

/// One case of the simulation.
#[derive(Debug)]
struct SimCase {
    serial: usize,
    workflow: usize,
    application: serde_json::Value,
    coordinator: Principal,
    applicant: Principal,
    green: bool,
    id: Option<CaseId>,
    status: Status,
    reject_at: Option<TaskId>,
    tasks: BTreeMap<TaskId, SimTask>,
}

impl SimCase {
    fn id(&self) -> &CaseId {
        self.id.as_ref().expect("the case is launched")
    }
}

/// Runs the simulated center over `backend`: publishes every workflow of `definitions`,
/// launches `setup.cases` cases and runs until every case is closed (or the calendar ends).
pub(crate) async fn simulate<B: Backend>(
    backend: Arc<B>,
    definitions: &Definitions,
    setup: &Setup,
) -> anyhow::Result<Run> {
    let hours = Hours::new(&definitions.calendar, TIME_ZONE)?;
    if !hours.is_working(setup.start)? {
        anyhow::bail!(
            "--start {}: not a working day on calendar `{}`",
            setup.start,
            definitions.calendar.id()
        );
    }
    let last_launch_day = hours
        .add(setup.start, setup.days.saturating_sub(1))
        .with_context(|| {
            format!(
                "{} working days from {} run past the calendar (it ends {})",
                setup.days,
                setup.start,
                hours.last_day()
            )
        })?;
    let began = hours.at(setup.start, 8 * 60 + 30);
    let clock = Arc::new(ManualClock::new(began));
    let notifier = Arc::new(RecordingNotifier::default());
    let mut config = RuntimeConfig::new(CENTER, definitions.calendars.clone());
    config.time_zone = TIME_ZONE.to_string();
    config.seed = Some(setup.seed);
    let runtime = Runtime::new(backend, clock.clone(), notifier.clone(), config);
    let policy = PrincipalId::new("policy-1");
    let mut published = Vec::new();
    for workflow in &definitions.workflows {
        let version = runtime
            .publish(workflow.source.clone(), &policy)
            .await
            .with_context(|| format!("publishing {}", workflow.source.workflow_name))?;
        published.push((workflow.id.clone(), version));
    }

    // The simulation's own generator, apart from the runtime's (which makes the case ids).
    let mut rng = StdRng::seed_from_u64(setup.seed ^ 0x5eed_dead_beef);
    // Simulated applicants never inquire: one access code is hashed once per run and its
    // hash recorded by every simulated case. Code and salt come from the seed, so a seed
    // reproduces every history byte for byte.
    let code = greenlane_runtime::access::AccessCode::generate_with(&mut rng);
    let salt: [u8; 16] = rng.random();
    let access_code_hash = tokio::task::spawn_blocking(move || {
        greenlane_runtime::access::HashParams::default().hash_with_salt(&code, salt)
    })
    .await??;
    let mut sim = Sim {
        runtime: &runtime,
        access_code_hash,
        clock: &clock,
        hours,
        definitions,
        agenda: BTreeMap::new(),
        sequence: 0,
        cases: Vec::with_capacity(setup.cases),
        stats: Stats::default(),
        rng: StdRng::seed_from_u64(rng.random()),
    };
    for serial in 0..setup.cases {
        let day_index = (serial as u64 * u64::from(setup.days) / setup.cases as u64) as u32;
        let day = sim.hours.add(setup.start, day_index)?.min(last_launch_day);
        let at = sim.hours.time_on(day, began, &mut rng);
        let workflow = rng.random_range(0..definitions.workflows.len());
        let demo = &definitions.workflows[workflow];
        let example = demo
            .examples
            .choose(&mut rng)
            .expect("a demo workflow has examples");
        let application = applications::vary(demo.id.as_str(), example, serial + 1, &mut rng);
        let green = application
            .get("green_channel")
            .and_then(serde_json::Value::as_bool)
            == Some(true);
        let coordinator = format!("coordinator-{}", rng.random_range(1..=COORDINATORS));
        sim.cases.push(SimCase {
            serial: serial + 1,
            workflow,
            application,
            coordinator: Principal::new(&coordinator, Role::Coordinator, CENTER),
            applicant: Principal::new(
                &format!("applicant-{:04}", serial + 1),
                Role::Applicant,
                CENTER,
            ),
            green,
            id: None,
            status: Status::Pending,
            reject_at: None,
            tasks: BTreeMap::new(),
        });
        sim.schedule(at, serial, Action::Launch);
    }
    let ended = sim.run().await?;

    let mut cases = Vec::new();
    let mut open = 0;
    for case in &sim.cases {
        let Some(id) = &case.id else { continue };
        open += u64::from(case.status == Status::Open);
        cases.push(CaseRun {
            id: id.clone(),
            workflow: definitions.workflows[case.workflow].id.clone(),
            applicant: applicant_name(&case.application),
            history: runtime.timeline(id).await?,
        });
    }
    let mut notifications = notifier.delivered();
    notifications.sort_by(|a, b| (a.event.at, &a.id).cmp(&(b.event.at, &b.id)));
    Ok(Run {
        cases,
        notifications,
        published,
        open,
        ended,
        stats: sim.stats,
    })
}

/// The name the application gives for the enterprise or the project.
fn applicant_name(application: &serde_json::Value) -> String {
    ["enterprise_name", "project_name"]
        .iter()
        .find_map(|field| application.get(*field).and_then(serde_json::Value::as_str))
        .unwrap_or("—")
        .to_string()
}

/// The simulation's state.
struct Sim<'a, B: Backend> {
    runtime: &'a Runtime<B>,
    /// The hash every simulated case records.
    access_code_hash: greenlane_runtime::access::AccessCodeHash,
    clock: &'a ManualClock,
    hours: Hours<'a>,
    definitions: &'a Definitions,
    /// Actions by (instant, sequence): the sequence keeps equal instants in the order they
    /// were scheduled.
    agenda: BTreeMap<(Timestamp, u64), (usize, Action)>,
    sequence: u64,
    cases: Vec<SimCase>,
    stats: Stats,
    rng: StdRng,
}

impl<B: Backend> Sim<'_, B> {
    fn schedule(&mut self, at: Timestamp, case: usize, action: Action) {
        self.sequence += 1;
        self.agenda.insert((at, self.sequence), (case, action));
    }

    fn now(&self) -> Timestamp {
        use greenlane_runtime::ports::Clock;
        self.clock.now()
    }

    fn today(&self) -> NaiveDate {
        self.hours.day(self.now())
    }

    /// Runs the agenda and the ticks until nothing is left to do or the calendar ends;
    /// returns the instant it stopped.
    async fn run(&mut self) -> anyhow::Result<Timestamp> {
        let last_day = self.hours.last_day();
        loop {
            let now = self.now();
            let Some(&(next_action, _)) = self.agenda.keys().next() else {
                return Ok(now);
            };
            let tick = self.hours.next_tick(now)?;
            if self.hours.day(tick.min(next_action)) > last_day {
                return Ok(now);
            }
            if tick <= next_action {
                self.clock.set(tick);
                let report = self.runtime.tick().await.context("tick")?;
                self.stats.ticks += 1;
                self.stats.leases_expired += report.leases_expired as u64;
                self.stats.deadline_checks += report.checks as u64;
                continue;
            }
            let Some(((at, _), (case, action))) = self.agenda.pop_first() else {
                return Ok(now);
            };
            self.clock.set(at);
            let name = action.name();
            self.perform(case, action).await.with_context(|| {
                let local = at.with_timezone(&self.hours.zone());
                format!(
                    "simulated {name} of case #{} at {}",
                    self.cases[case].serial,
                    local.format("%Y-%m-%d %H:%M")
                )
            })?;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use greenlane_engine::case::Event;
    use greenlane_engine::supervision::{end_of_day, AlertLevel};
    use greenlane_fs::Project;
    use greenlane_runtime::memory::MemoryBackend;

    use super::*;

    fn definitions() -> Definitions {
        let project = Project::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        super::super::definitions::load(&project).expect("the shipped project loads")
    }

    fn setup(cases: usize, seed: u64) -> Setup {
        Setup {
            cases,
            days: 5,
            seed,
            start: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        }
    }

    /// The whole center, seen from the records: every case closes, every alert is delivered
    /// exactly once, and a card only ever fires on a task still open when its day ended.
    #[tokio::test]
    async fn a_simulated_center_keeps_the_runtime_promises() {
        let definitions = definitions();
        assert_eq!(definitions.workflows.len(), 2, "both shipped workflows");
        let run = simulate(Arc::new(MemoryBackend::new()), &definitions, &setup(40, 7))
            .await
            .unwrap();
        assert_eq!(run.cases.len(), 40);
        assert_eq!(run.open, 0, "every case closes");
        let workflows: BTreeSet<&str> = run.cases.iter().map(|c| c.workflow.as_str()).collect();
        assert_eq!(workflows.len(), 2, "cases of both workflows: {workflows:?}");
        let zone: chrono_tz::Tz = TIME_ZONE.parse().unwrap();
        let mut raised = 0;
        for case in &run.cases {
            let mut decided: BTreeMap<&TaskId, Timestamp> = BTreeMap::new();
            for r in &case.history {
                if let Event::TaskApproved { task, .. } | Event::TaskRejected { task, .. } =
                    &r.event
                {
                    decided.insert(task, r.at);
                }
            }
            let mut fired = BTreeSet::new();
            for r in &case.history {
                match &r.event {
                    Event::AlertRaised {
                        task, level, due, ..
                    } => {
                        raised += 1;
                        assert!(fired.insert((task, *level)), "{task} {level:?} fired twice");
                        if *level != AlertLevel::Warning {
                            assert!(r.at >= end_of_day(*due, zone), "{task}: early card");
                        }
                        if let Some(done) = decided.get(task) {
                            assert!(*done > r.at, "{task}: carded after it was decided");
                        }
                    }
                    Event::CaseAtRisk { .. } => raised += 1,
                    _ => {}
                }
            }
            let closed = case.history.iter().any(|r| {
                matches!(
                    r.event,
                    Event::CaseIssued | Event::CaseRejected { .. } | Event::CaseWithdrawn { .. }
                )
            });
            assert!(closed, "{} closed", case.id);
        }
        assert!(raised > 0, "the simulation raises alerts");
        assert_eq!(run.notifications.len(), raised, "each delivered once");
    }

    #[tokio::test]
    async fn the_seed_decides_everything() {
        let definitions = definitions();
        let histories =
            |run: Run| -> Vec<Vec<Recorded>> { run.cases.into_iter().map(|c| c.history).collect() };
        let backend = || Arc::new(MemoryBackend::new());
        let one = simulate(backend(), &definitions, &setup(8, 1))
            .await
            .unwrap();
        let again = simulate(backend(), &definitions, &setup(8, 1))
            .await
            .unwrap();
        let other = simulate(backend(), &definitions, &setup(8, 2))
            .await
            .unwrap();
        let one = histories(one);
        assert_eq!(one, histories(again));
        assert_ne!(one, histories(other));
    }
}
