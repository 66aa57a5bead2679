//! What each simulated action does through the runtime's commands (launch, claim and
//! decide, supplements, special procedures, withdraw, issue, rate), and how what the runtime
//! records schedules the next actions.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use greenlane_engine::case::{
    Command, Event, Rating, Recorded, Rejection, SpecialProcedure, Timestamp,
};
use greenlane_engine::ids::{DepartmentId, TaskId};
use greenlane_engine::principal::Principal;
use greenlane_runtime::ports::Backend;
use greenlane_runtime::RuntimeError;
use rand::seq::IndexedRandom;
use rand::Rng;

use super::{Sim, SimTask, Status, CENTER};
use crate::demo::behaviour::{self, Pace};

/// Officers per department; the one-stop window has more.
fn officers_of(department: &DepartmentId) -> u32 {
    if department.as_str() == "service-center" {
        3
    } else {
        2
    }
}

/// What an officer does with a task just claimed.
#[derive(Debug)]
enum Decision {
    /// Leaves it until the lease runs out.
    Leave,
    Reject(String),
    /// Missing materials, and the working days until the applicant hands them in.
    Supplement(Vec<String>, u32),
    /// The procedure, its granted days and the working days it actually takes.
    Special(SpecialProcedure, u32, u32),
    Approve,
}

/// Something someone does at an instant.
#[derive(Debug, Clone)]
pub(super) enum Action {
    Launch,
    Work(TaskId),
    SubmitSupplement(TaskId),
    EndSpecialProcedure(TaskId),
    Withdraw,
    Issue,
    Rate(Rating),
}

impl Action {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Action::Launch => "launch",
            Action::Work(_) => "claim and decide",
            Action::SubmitSupplement(_) => "submit supplement",
            Action::EndSpecialProcedure(_) => "end special procedure",
            Action::Withdraw => "withdraw",
            Action::Issue => "issue",
            Action::Rate(_) => "rate",
        }
    }
}

impl<B: Backend> Sim<'_, B> {
    /// Executes a command and follows what it recorded.
    async fn execute(
        &mut self,
        case: usize,
        by: &Principal,
        command: Command,
    ) -> Result<(), RuntimeError> {
        let name = command.name();
        let id = self.cases[case].id().clone();
        let outcome = self.runtime.execute(&id, by, command).await?;
        *self.stats.commands.entry(name).or_default() += 1;
        self.follow(case, &outcome.recorded);
        Ok(())
    }

    pub(super) async fn perform(&mut self, case: usize, action: Action) -> anyhow::Result<()> {
        let status = self.cases[case].status;
        match action {
            Action::Launch => self.launch(case).await?,
            Action::Work(task) if status == Status::Open => self.work(case, task).await?,
            Action::SubmitSupplement(task) if status == Status::Open => {
                let by = self.cases[case].coordinator.clone();
                self.execute(case, &by, Command::SubmitSupplement { task })
                    .await?;
            }
            Action::EndSpecialProcedure(task) if status == Status::Open => {
                let by = self.officer(case, &task);
                self.execute(case, &by, Command::EndSpecialProcedure { task })
                    .await?;
            }
            Action::Withdraw if status == Status::Open => {
                let by = self.cases[case].applicant.clone();
                let reason = behaviour::withdrawal_reason(&mut self.rng);
                self.execute(case, &by, Command::Withdraw { reason })
                    .await?;
            }
            Action::Issue if status == Status::Completed => {
                let by = self.cases[case].coordinator.clone();
                self.execute(case, &by, Command::Issue).await?;
            }
            Action::Rate(rating) => {
                let by = self.cases[case].applicant.clone();
                self.execute(case, &by, Command::Rate { rating }).await?;
            }
            // The case moved on meanwhile (rejected, withdrawn): nothing to do.
            _ => {}
        }
        Ok(())
    }

    async fn launch(&mut self, case: usize) -> anyhow::Result<()> {
        let workflow = &self.definitions.workflows[self.cases[case].workflow];
        let coordinator = self.cases[case].coordinator.clone();
        let application = self.cases[case].application.clone();
        let launched = match self
            .runtime
            .launch(
                &coordinator,
                greenlane_runtime::LaunchRequest::new(
                    &workflow.id,
                    application,
                    self.access_code_hash.clone(),
                ),
            )
            .await
        {
            Ok(launched) => launched,
            Err(RuntimeError::Rejected(e @ (Rejection::Calendar(_) | Rejection::Timetable(_)))) => {
                anyhow::bail!(
                    "{e}\n(a case launched this late would be due after the calendar's last year: \
                 use an earlier --start or fewer --days)"
                )
            }
            Err(other) => return Err(other.into()),
        };
        *self.stats.commands.entry("launch").or_default() += 1;
        let state = self.runtime.case(&launched.case).await?;
        let tasks: BTreeMap<TaskId, SimTask> = state
            .tasks
            .iter()
            .map(|t| {
                let task = SimTask {
                    department: t.plan.department.clone(),
                    committed_days: t.plan.committed_days,
                    materials: t.plan.materials.clone(),
                    supplemented: false,
                    special: false,
                    forgotten: false,
                };
                (t.plan.id.clone(), task)
            })
            .collect();
        let c = &mut self.cases[case];
        c.id = Some(launched.case.clone());
        c.status = Status::Open;
        c.tasks = tasks;
        if self.rng.random_bool(behaviour::REJECT) {
            let decided: Vec<&TaskId> = state
                .tasks
                .iter()
                .filter(|t| t.plan.committed_days > 0)
                .map(|t| &t.plan.id)
                .collect();
            c.reject_at = decided.choose(&mut self.rng).map(|t| (*t).clone());
        }
        if self.rng.random_bool(behaviour::WITHDRAW) {
            let days = behaviour::withdrawal_day(&mut self.rng);
            if let Some(at) = self.on_working_day(days) {
                self.schedule(at, case, Action::Withdraw);
            }
        }
        for task in &launched.dispatched {
            let Some(t) = state.task(task.as_str()) else {
                continue;
            };
            if let (Some(committed), Some(statutory)) = (t.committed_due, t.statutory_due) {
                self.schedule_work(case, task, committed, statutory);
            }
        }
        Ok(())
    }

    /// An officer claims `task` and decides it (or leaves it, once in a while).
    async fn work(&mut self, case: usize, task: TaskId) -> anyhow::Result<()> {
        let officer = self.officer(case, &task);
        let id = self.cases[case].id().clone();
        match self.runtime.claim(&officer, &id, &task, None).await {
            Ok(_) => *self.stats.commands.entry("claim").or_default() += 1,
            Err(RuntimeError::Rejected(Rejection::ClaimedByOther { until, .. })) => {
                // A colleague's forgotten claim still holds it: come back after it runs out.
                let at = self.after(until + Duration::minutes(20));
                self.schedule(at, case, Action::Work(task));
                return Ok(());
            }
            Err(other) => return Err(other.into()),
        }
        let industrial = self.definitions.workflows[self.cases[case].workflow]
            .id
            .as_str()
            .starts_with("industrial");
        let decision = {
            let rng = &mut self.rng;
            let c = &mut self.cases[case];
            let t = c.tasks.get_mut(&task).expect("a planned task");
            if !t.forgotten && behaviour::forgets(rng) {
                t.forgotten = true;
                Decision::Leave
            } else if c.reject_at.as_ref() == Some(&task) {
                Decision::Reject(behaviour::rejection_reason(industrial, rng))
            } else if !t.supplemented && behaviour::asks_supplement(t.committed_days, rng) {
                t.supplemented = true;
                let materials = behaviour::missing_materials(&t.materials, rng);
                Decision::Supplement(materials, behaviour::supplement_days(rng))
            } else if let Some((procedure, granted)) = (!t.special)
                .then(|| {
                    behaviour::special_procedure(industrial, t.committed_days, task.as_str(), rng)
                })
                .flatten()
            {
                t.special = true;
                Decision::Special(procedure, granted, behaviour::special_days(granted, rng))
            } else {
                Decision::Approve
            }
        };
        let command = match decision {
            Decision::Leave => {
                // The lease runs out; a colleague picks the task up later.
                let at = self.now() + Duration::hours(2);
                let at = self.after(at);
                self.schedule(at, case, Action::Work(task));
                return Ok(());
            }
            Decision::Reject(reason) => Command::Reject { task, reason },
            Decision::Supplement(materials, days) => {
                if let Some(at) = self.on_working_day(days) {
                    self.schedule(at, case, Action::SubmitSupplement(task.clone()));
                }
                Command::RequestSupplement { task, materials }
            }
            Decision::Special(procedure, granted_days, days) => {
                if let Some(at) = self.on_working_day(days) {
                    self.schedule(at, case, Action::EndSpecialProcedure(task.clone()));
                }
                Command::StartSpecialProcedure {
                    task,
                    procedure,
                    granted_days,
                }
            }
            Decision::Approve => Command::approve(task),
        };
        self.execute(case, &officer, command).await?;
        Ok(())
    }

    /// Schedules the next actions that what `recorded` implies.
    fn follow(&mut self, case: usize, recorded: &[Recorded]) {
        for r in recorded {
            match &r.event {
                Event::TaskReady {
                    task,
                    committed_due,
                    statutory_due,
                }
                | Event::SupplementSubmitted {
                    task,
                    committed_due,
                    statutory_due,
                    ..
                }
                | Event::SpecialProcedureEnded {
                    task,
                    committed_due,
                    statutory_due,
                    ..
                } => match (committed_due, statutory_due) {
                    (Some(committed), Some(statutory)) => {
                        self.schedule_work(case, task, *committed, *statutory)
                    }
                    _ => self.stats.beyond_calendar += 1,
                },
                Event::CaseCompleted => {
                    self.cases[case].status = Status::Completed;
                    let days = behaviour::issue_days(&mut self.rng);
                    let at = if days == 0 {
                        Some(self.hours.soon(self.now(), 10..=90, &mut self.rng))
                    } else {
                        self.on_working_day(days)
                    };
                    match at {
                        Some(at) => self.schedule(at, case, Action::Issue),
                        None => self.stats.beyond_calendar += 1,
                    }
                }
                Event::CaseIssued => {
                    self.cases[case].status = Status::Issued;
                    self.rate(case, true);
                }
                Event::CaseRejected { .. } => {
                    self.cases[case].status = Status::Rejected;
                    self.rate(case, false);
                }
                Event::CaseWithdrawn { .. } => self.cases[case].status = Status::Withdrawn,
                _ => {}
            }
        }
    }

    fn rate(&mut self, case: usize, issued: bool) {
        if let Some(rating) = behaviour::rating(issued, &mut self.rng) {
            let at = self.hours.soon(self.now(), 2..=30, &mut self.rng);
            self.schedule(at, case, Action::Rate(rating));
        }
    }

    /// Schedules the officer's work on `task`, paced against its due dates.
    fn schedule_work(
        &mut self,
        case: usize,
        task: &TaskId,
        committed_due: NaiveDate,
        statutory_due: NaiveDate,
    ) {
        let now = self.now();
        let today = self.today();
        let c = &self.cases[case];
        let committed_days = c.tasks.get(task).map_or(0, |t| t.committed_days);
        let pace = behaviour::pace(committed_days, c.green, &mut self.rng);
        let day = behaviour::decision_day(
            &self.hours,
            pace,
            today,
            committed_due,
            statutory_due,
            &mut self.rng,
        );
        let Ok(day) = day else {
            self.stats.beyond_calendar += 1;
            return;
        };
        let at = if committed_days == 0 && pace == Pace::OnDueDay && day == today {
            // 即办件: decided on the spot.
            self.hours.soon(now, 5..=45, &mut self.rng)
        } else {
            self.hours.time_on(day, now, &mut self.rng)
        };
        self.schedule(at, case, Action::Work(task.clone()));
    }

    /// A random working-hours instant `days` working days from today, if the calendar
    /// reaches it.
    fn on_working_day(&mut self, days: u32) -> Option<Timestamp> {
        match self.hours.add(self.today(), days) {
            Ok(day) => Some(self.hours.time_on(day, self.now(), &mut self.rng)),
            Err(_) => {
                self.stats.beyond_calendar += 1;
                None
            }
        }
    }

    /// `at` if it falls in working hours of a working day, else a random time of the next
    /// working day.
    fn after(&mut self, at: Timestamp) -> Timestamp {
        let day = self.hours.day(at);
        let minute = (at - self.hours.at(day, 0)).num_minutes();
        let working = self.hours.is_working(day).unwrap_or(false);
        if working && (9 * 60..=17 * 60 + 30).contains(&minute) {
            return at;
        }
        let next = if working && minute < 9 * 60 {
            Ok(day)
        } else {
            self.hours.calendar().next_working_day(day)
        };
        match next {
            Ok(next) => self.hours.time_on(next, at, &mut self.rng),
            Err(_) => at,
        }
    }

    /// An officer of the department deciding `task`, one of several, drawn at random.
    fn officer(&mut self, case: usize, task: &TaskId) -> Principal {
        let department = self.cases[case]
            .tasks
            .get(task)
            .map(|t| t.department.clone())
            .unwrap_or_else(|| DepartmentId::new("service-center"));
        let n = self.rng.random_range(1..=officers_of(&department));
        Principal::officer(
            &format!("officer-{department}-{n}"),
            department.as_str(),
            CENTER,
        )
    }
}
