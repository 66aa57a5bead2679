//! The supervision board: [`KpiBoard`] folds case events into a small summary per case,
//! and [`KpiBoard::report`] folds the summaries into a [`KpiReport`] on a calendar.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::definition::Kpi;
use super::report::{AlertCounts, CaseCounts, KpiReport, Measure, Scope, ScopeReport, TaskCounts};
use crate::calendar::Calendar;
use crate::case::{local_date, Event, PlannedTaskSnapshot, Rating, Recorded};
use crate::ids::{CaseId, DepartmentId, TaskId, WorkflowId};
use crate::supervision::AlertLevel;
use crate::workflow::TaskKind;

/// How a task ended, as far as the KPIs care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Approved on `on` (a calendar day in the case's time zone), with the committed due
    /// date in force then.
    Approved {
        on: NaiveDate,
        due: Option<NaiveDate>,
    },
    /// Rejected.
    Rejected,
    /// Withdrawn because the case ended without it.
    Withdrawn,
}

/// What the board keeps of one task.
#[derive(Debug, Clone)]
struct TaskTrack {
    /// The task as planned at launch.
    plan: PlannedTaskSnapshot,
    dispatched: bool,
    committed_due: Option<NaiveDate>,
    outcome: Option<Outcome>,
}

/// What the board keeps of one case.
#[derive(Debug, Clone)]
struct CaseTrack {
    workflow: WorkflowId,
    time_zone: String,
    launched_on: NaiveDate,
    promised: NaiveDate,
    tasks: Vec<TaskTrack>,
    completed_on: Option<NaiveDate>,
    issued: bool,
    rejected: bool,
    withdrawn: bool,
    at_risk: bool,
    rating: Option<Rating>,
    alerts: Vec<(DepartmentId, AlertLevel)>,
}

impl CaseTrack {
    fn task_mut(&mut self, id: &TaskId) -> Option<&mut TaskTrack> {
        self.tasks.iter_mut().find(|t| &t.plan.id == id)
    }
}

/// Accumulates case histories for the supervision board; see the [module](super) docs.
#[derive(Debug, Clone, Default)]
pub struct KpiBoard {
    cases: BTreeMap<CaseId, CaseTrack>,
    ignored: u64,
}

impl KpiBoard {
    /// An empty board.
    pub fn new() -> KpiBoard {
        KpiBoard::default()
    }

    /// Feeds one case's history, in order; the case id is taken from its `Launched` event.
    /// A history without one is ignored.
    pub fn add_history(&mut self, history: &[Recorded]) {
        let case = history.iter().find_map(|r| match &r.event {
            Event::Launched { case, .. } => Some(case.clone()),
            _ => None,
        });
        match case {
            Some(case) => {
                for recorded in history {
                    self.record(&case, recorded);
                }
            }
            None => self.ignored += history.len() as u64,
        }
    }

    /// Feeds one event of case `case`. Events of a case arrive in order, each once; events
    /// before the case's `Launched` are ignored (and counted in
    /// [`KpiReport::ignored_events`]).
    pub fn record(&mut self, case: &CaseId, recorded: &Recorded) {
        if let Event::Launched {
            workflow,
            time_zone,
            launched_on,
            tasks,
            promised_completion,
            ..
        } = &recorded.event
        {
            if self.cases.contains_key(case) {
                self.ignored += 1;
                return;
            }
            let tasks = tasks
                .iter()
                .map(|t| TaskTrack {
                    plan: t.clone(),
                    dispatched: false,
                    committed_due: None,
                    outcome: None,
                })
                .collect();
            self.cases.insert(
                case.clone(),
                CaseTrack {
                    workflow: workflow.clone(),
                    time_zone: time_zone.clone(),
                    launched_on: *launched_on,
                    promised: *promised_completion,
                    tasks,
                    completed_on: None,
                    issued: false,
                    rejected: false,
                    withdrawn: false,
                    at_risk: false,
                    rating: None,
                    alerts: Vec::new(),
                },
            );
            return;
        }
        let Some(track) = self.cases.get_mut(case) else {
            self.ignored += 1;
            return;
        };
        let placed = match &recorded.event {
            Event::TaskReady {
                task,
                committed_due,
                ..
            } => track.task_mut(task).map(|t| {
                t.dispatched = true;
                t.committed_due = *committed_due;
            }),
            Event::SupplementSubmitted {
                task,
                committed_due,
                ..
            }
            | Event::SpecialProcedureEnded {
                task,
                committed_due,
                ..
            } => track.task_mut(task).map(|t| {
                t.committed_due = *committed_due;
            }),
            Event::CaseRedated {
                promised_completion,
                tasks,
                ..
            } => {
                if let Some(to) = promised_completion.and_then(|change| change.to) {
                    track.promised = to;
                }
                for redated in tasks {
                    if let Some(t) = track.task_mut(&redated.task) {
                        t.committed_due = redated.committed_due.to;
                    }
                }
                Some(())
            }
            Event::TaskApproved { task, .. } => {
                let on = local_date(recorded.at, &track.time_zone);
                track.task_mut(task).map(|t| {
                    t.outcome = Some(Outcome::Approved {
                        on,
                        due: t.committed_due,
                    });
                })
            }
            Event::TaskRejected { task, .. } => track.task_mut(task).map(|t| {
                t.outcome = Some(Outcome::Rejected);
            }),
            Event::TaskWithdrawn { task, .. } => track.task_mut(task).map(|t| {
                t.outcome = Some(Outcome::Withdrawn);
            }),
            Event::AlertRaised {
                task,
                level,
                department,
                ..
            } => track.task_mut(task).is_some().then(|| {
                track.alerts.push((department.clone(), *level));
            }),
            Event::CaseAtRisk { .. } => {
                track.at_risk = true;
                Some(())
            }
            Event::CaseCompleted => {
                track.completed_on = Some(local_date(recorded.at, &track.time_zone));
                Some(())
            }
            Event::CaseRejected { .. } => {
                track.rejected = true;
                Some(())
            }
            Event::CaseWithdrawn { .. } => {
                track.withdrawn = true;
                Some(())
            }
            Event::CaseIssued => {
                track.issued = true;
                Some(())
            }
            Event::CaseRated { rating } => {
                track.rating = Some(*rating);
                Some(())
            }
            Event::Launched { .. }
            | Event::TaskClaimed { .. }
            | Event::TaskReleased { .. }
            | Event::LeaseExpired { .. }
            | Event::SupplementRequested { .. }
            | Event::SupplementAllowed { .. }
            | Event::SpecialProcedureStarted { .. }
            | Event::AccessCodeReissued { .. }
            | Event::TaskUrged { .. } => Some(()),
        };
        if placed.is_none() {
            self.ignored += 1;
        }
    }

    /// The number of cases launched so far.
    pub fn cases(&self) -> usize {
        self.cases.len()
    }

    /// The board: every KPI overall, per workflow and per department. `calendar` counts the
    /// elapsed working days of completed cases.
    pub fn report(&self, calendar: &Calendar) -> KpiReport {
        let mut overall = Tally::default();
        let mut workflows: BTreeMap<WorkflowId, Tally> = BTreeMap::new();
        let mut departments: BTreeMap<DepartmentId, Tally> = BTreeMap::new();
        for track in self.cases.values() {
            let workflow = workflows.entry(track.workflow.clone()).or_default();
            for tally in [&mut overall, &mut *workflow] {
                tally.add_case(track, calendar);
            }
            for task in &track.tasks {
                let department = departments.entry(task.plan.department.clone()).or_default();
                for tally in [&mut overall, &mut *workflow, department] {
                    tally.add_task(task);
                }
            }
            for (department, level) in &track.alerts {
                let department = departments.entry(department.clone()).or_default();
                for tally in [&mut overall, &mut *workflow, department] {
                    tally.alerts.add(*level);
                }
            }
        }
        KpiReport {
            overall: overall.report(Scope::Overall),
            workflows: workflows
                .into_iter()
                .map(|(id, tally)| tally.report(Scope::Workflow(id)))
                .collect(),
            departments: departments
                .into_iter()
                .map(|(id, tally)| tally.report(Scope::Department(id)))
                .collect(),
            ignored_events: self.ignored,
        }
    }
}

/// Running sums for one scope.
#[derive(Debug, Default)]
struct Tally {
    tasks: TaskCounts,
    cases: CaseCounts,
    alerts: AlertCounts,
    instant: u64,
    decided: u64,
    decided_on_site: u64,
    approved_with_due: u64,
    approved_on_time: u64,
    approved_early: u64,
    limited: u64,
    reduction_percent_sum: f64,
    reduction_met: u64,
    cases_on_time: u64,
    cases_early: u64,
    satisfied: u64,
    elapsed_sum: i64,
    elapsed_cases: u64,
}

impl Tally {
    /// Adds one task's figures.
    fn add_task(&mut self, task: &TaskTrack) {
        self.tasks.planned += 1;
        if task.plan.kind == TaskKind::Instant {
            self.instant += 1;
        }
        if task.plan.statutory_days > 0 {
            self.limited += 1;
            let (committed, statutory) = (
                f64::from(task.plan.committed_days),
                f64::from(task.plan.statutory_days),
            );
            self.reduction_percent_sum += 100.0 * (1.0 - committed / statutory);
            // 1 − c/s ≥ 1/2 ⇔ 2c ≤ s, compared exactly on integers.
            if u64::from(task.plan.committed_days) * 2 <= u64::from(task.plan.statutory_days) {
                self.reduction_met += 1;
            }
        }
        if task.dispatched {
            self.tasks.dispatched += 1;
        }
        let on_site = task.plan.kind != TaskKind::Referred;
        match task.outcome {
            Some(Outcome::Approved { on, due }) => {
                self.tasks.approved += 1;
                self.decided += 1;
                self.decided_on_site += u64::from(on_site);
                if let Some(due) = due {
                    self.approved_with_due += 1;
                    self.approved_on_time += u64::from(on <= due);
                    self.approved_early += u64::from(on < due);
                }
            }
            Some(Outcome::Rejected) => {
                self.tasks.rejected += 1;
                self.decided += 1;
                self.decided_on_site += u64::from(on_site);
            }
            Some(Outcome::Withdrawn) => self.tasks.withdrawn += 1,
            None => {}
        }
    }

    /// Adds one case's case-level figures.
    fn add_case(&mut self, track: &CaseTrack, calendar: &Calendar) {
        let c = &mut self.cases;
        c.launched += 1;
        c.issued += u64::from(track.issued);
        c.rejected += u64::from(track.rejected);
        c.withdrawn += u64::from(track.withdrawn);
        c.at_risk += u64::from(track.at_risk);
        if let Some(rating) = track.rating {
            c.rated += 1;
            self.satisfied += u64::from(rating.is_satisfied());
        }
        if let Some(done) = track.completed_on {
            c.completed += 1;
            self.cases_on_time += u64::from(done <= track.promised);
            self.cases_early += u64::from(done < track.promised);
            match calendar.working_days_between(track.launched_on, done) {
                Ok(days) => {
                    self.elapsed_sum += days;
                    self.elapsed_cases += 1;
                }
                Err(_) => c.elapsed_unknown += 1,
            }
        }
    }

    /// The report of the scope.
    fn report(self, scope: Scope) -> ScopeReport {
        let is_department = matches!(scope, Scope::Department(_));
        let measures = Kpi::ALL
            .into_iter()
            .filter(|kpi| !is_department || kpi.is_task_level())
            .map(|kpi| {
                let (numerator, denominator) = match kpi {
                    Kpi::OnSiteRate => (self.decided_on_site as f64, self.decided),
                    Kpi::TaskOnTimeRate => (self.approved_on_time as f64, self.approved_with_due),
                    Kpi::TaskEarlyRate => (self.approved_early as f64, self.approved_with_due),
                    Kpi::CaseOnTimeRate => (self.cases_on_time as f64, self.cases.completed),
                    Kpi::CaseEarlyRate => (self.cases_early as f64, self.cases.completed),
                    Kpi::LimitReduction => (self.reduction_percent_sum, self.limited),
                    Kpi::LimitReductionMet => (self.reduction_met as f64, self.limited),
                    Kpi::InstantShare => (self.instant as f64, self.tasks.planned),
                    Kpi::SatisfactionRate => (self.satisfied as f64, self.cases.rated),
                    Kpi::ElapsedWorkingDays => (self.elapsed_sum as f64, self.elapsed_cases),
                };
                Measure::new(kpi, numerator, denominator)
            })
            .collect();
        ScopeReport {
            scope,
            measures,
            tasks: self.tasks,
            cases: (!is_department).then_some(self.cases),
            alerts: self.alerts,
        }
    }
}
