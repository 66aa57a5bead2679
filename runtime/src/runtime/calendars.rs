//! Published calendars: calendar years are versioned definitions like workflows. A version
//! holds every year file of one calendar; publishing a year validates the calendar with the
//! year in place (every problem located), stores it as the next version, installs it in
//! this process, and re-dates the open cases that run on it. Other processes sharing the
//! store install it at their next [`Runtime::refresh_calendars`] (every tick), without a
//! restart.

use greenlane_engine::case::CaseStatusKind;
use std::collections::BTreeMap;
use std::sync::Arc;

use greenlane_engine::calendar::Calendar;
use greenlane_engine::case::Command;
use greenlane_engine::ids::{CalendarId, CaseId, PrincipalId};
use greenlane_engine::source::{Diagnostic, Diagnostics, SourceText};

use super::Runtime;
use crate::ports::{Backend, CalendarYearText, CaseIndex, DefinitionStore, PublishedCalendar};
use crate::{RuntimeError, StoreError};

/// A calendar as this process uses it.
#[derive(Debug, Clone)]
pub struct InstalledCalendar {
    /// Its version in the store; 0 for a calendar from the configuration that was never
    /// published.
    pub version: u32,
    /// The calendar.
    pub calendar: Arc<Calendar>,
    /// The year files it was built from.
    pub years: Vec<CalendarYearText>,
}

/// What a publication did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarPublished {
    /// The calendar.
    pub calendar: CalendarId,
    /// The version stored.
    pub version: u32,
    /// The years added or changed.
    pub changed: Vec<i32>,
    /// Open cases whose dates moved and were re-dated.
    pub redated: usize,
}

/// How long a calendar covers from today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// The calendar.
    pub calendar: CalendarId,
    /// Its version in use (0: from the configuration, never published).
    pub version: u32,
    /// The last day of its official years (`None` when its first year is provisional).
    pub official_until: Option<chrono::NaiveDate>,
    /// The last day it covers, provisional years included.
    pub covered_until: chrono::NaiveDate,
    /// Working days from today to the end of the official years.
    pub official_days_left: u32,
    /// Working days from today to the end of the coverage.
    pub days_left: u32,
    /// Whether the official years end within the configured warning period
    /// ([`crate::RuntimeConfig::coverage_warning_days`]): time to publish the next notice.
    pub warning: bool,
}

/// Open cases re-dated per page read from the store.
const REDATE_PAGE: usize = 256;

impl<B: Backend> Runtime<B> {
    /// Every calendar this process uses, by id.
    pub fn calendars(&self) -> BTreeMap<CalendarId, InstalledCalendar> {
        self.definitions.installed()
    }

    /// Calendar `id` as this process uses it.
    pub fn calendar(&self, id: &CalendarId) -> Option<InstalledCalendar> {
        self.definitions.installed_one(id)
    }

    /// How long each calendar covers from today, with a warning when its official years
    /// end within the configured number of working days.
    pub fn calendar_coverage(&self) -> Vec<Coverage> {
        let today = self.today();
        self.calendars()
            .into_iter()
            .map(|(id, installed)| {
                let calendar = &installed.calendar;
                let (_, covered_until) = calendar.coverage();
                let official_until = calendar.official_until();
                let official_days_left =
                    official_until.map_or(0, |until| calendar.working_days_left(today, until));
                Coverage {
                    calendar: id,
                    version: installed.version,
                    official_until,
                    covered_until,
                    official_days_left,
                    days_left: calendar.working_days_left(today, covered_until),
                    warning: official_days_left <= self.config.coverage_warning_days,
                }
            })
            .collect()
    }

    /// Logs a warning for every calendar whose official years end soon; at most once per
    /// calendar day (the tick calls it).
    pub fn warn_calendar_coverage(&self) {
        let today = self.today();
        {
            let mut warned = crate::memory::lock(&self.coverage_warned_on);
            if *warned == Some(today) {
                return;
            }
            *warned = Some(today);
        }
        for coverage in self.calendar_coverage().iter().filter(|c| c.warning) {
            tracing::warn!(
                calendar = %coverage.calendar,
                official_until = ?coverage.official_until,
                covered_until = %coverage.covered_until,
                official_working_days_left = coverage.official_days_left,
                working_days_left = coverage.days_left,
                "the calendar's official years end soon: publish the next year from the State \
                 Council's notice (greenlane publish-calendar FILE); until then dates past \
                 them are provisional, and past the coverage none can be promised"
            );
        }
    }

    /// Calendar `id` as it would be with `file` (one year file) in place of the year it
    /// describes, or added; every problem is reported at its line and column.
    pub fn try_calendar_year(
        &self,
        id: &CalendarId,
        file: &SourceText,
    ) -> Result<(i32, Calendar, Vec<CalendarYearText>), RuntimeError> {
        let year = year_of(file)?;
        let mut years = match self.calendar(id) {
            // A calendar from the configuration alone has no year texts to publish beside
            // this one: publishing the year alone would drop every other.
            Some(installed) if installed.version == 0 => {
                return Err(RuntimeError::Invalid(Diagnostics(vec![Diagnostic::new(
                    file.name.clone(),
                    1,
                    1,
                    format!(
                        "calendar `{id}` has no published version yet: publish its year files \
                         first (`serve` publishes those of rules/calendars/{id}/ at start)"
                    ),
                )])))
            }
            Some(installed) => installed.years,
            None => Vec::new(),
        };
        years.retain(|y| y.year != year);
        years.push(CalendarYearText {
            year,
            name: file.name.clone(),
            text: file.text.clone(),
        });
        years.sort_by_key(|y| y.year);
        let calendar = build(id, &years)?;
        Ok((year, calendar, years))
    }

    /// Publishes `file` as a year of calendar `id` (new, or replacing the stored one: a
    /// provisional year replaced by the official one, a correction), and re-dates the open
    /// cases on that calendar. An invalid file changes nothing.
    pub async fn publish_calendar_year(
        &self,
        id: &CalendarId,
        file: SourceText,
        by: &PrincipalId,
        note: Option<String>,
    ) -> Result<CalendarPublished, RuntimeError> {
        self.refresh_calendars().await?;
        let (year, calendar, years) = self.try_calendar_year(id, &file)?;
        self.store_calendar(id, calendar, years, vec![year], by, note)
            .await
    }

    /// Publishes the year files of calendar `id` that its stored version lacks (all of them
    /// when nothing is stored): what `serve` does at start with `rules/calendars/`. A year
    /// already stored is left as stored, since the store is the record of what was
    /// published. `None` when nothing was missing.
    pub async fn publish_missing_calendar_years(
        &self,
        id: &CalendarId,
        files: &[SourceText],
        by: &PrincipalId,
    ) -> Result<Option<CalendarPublished>, RuntimeError> {
        self.refresh_calendars().await?;
        let stored = self
            .calendar(id)
            .filter(|installed| installed.version > 0)
            .map(|installed| installed.years)
            .unwrap_or_default();
        let mut years = stored.clone();
        let mut changed = Vec::new();
        for file in files {
            let year = year_of(file)?;
            if !years.iter().any(|y| y.year == year) {
                years.push(CalendarYearText {
                    year,
                    name: file.name.clone(),
                    text: file.text.clone(),
                });
                changed.push(year);
            }
        }
        if changed.is_empty() {
            return Ok(None);
        }
        years.sort_by_key(|y| y.year);
        changed.sort_unstable();
        let calendar = build(id, &years)?;
        match self
            .store_calendar(id, calendar, years, changed, by, None)
            .await
        {
            Ok(published) => Ok(Some(published)),
            // Another node sharing the store published first: take what it stored.
            Err(RuntimeError::Store(StoreError::Conflict { .. })) => {
                self.refresh_calendars().await?;
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// Installs every calendar version the store has that this process does not use yet;
    /// returns the calendars installed. Cheap when nothing changed (one read of the
    /// latest versions).
    pub async fn refresh_calendars(&self) -> Result<Vec<(CalendarId, u32)>, RuntimeError> {
        let latest = self.backend.definitions().calendars().await?;
        let mut done = Vec::new();
        for (id, version) in latest {
            if self
                .definitions
                .version_of(&id)
                .is_some_and(|v| v >= version)
            {
                continue;
            }
            let Some(published) = self.backend.definitions().calendar(&id, version).await? else {
                continue;
            };
            let calendar = build(&id, &published.years)?;
            if self
                .definitions
                .install(&id, version, Arc::new(calendar), published.years)
            {
                tracing::info!(calendar = %id, version, "calendar version installed");
                done.push((id, version));
            }
        }
        Ok(done)
    }

    /// Re-dates every open case on calendar `id` with the calendar this process uses now;
    /// returns how many cases' dates moved. Idempotent: a case whose dates did not move
    /// records nothing.
    pub async fn redate_open_cases(
        &self,
        id: &CalendarId,
        version: u32,
        by: &PrincipalId,
    ) -> Result<usize, RuntimeError> {
        let system = self.system();
        let mut after: Option<CaseId> = None;
        let mut redated = 0;
        loop {
            let page = self
                .backend
                .events()
                .cases(Some(CaseStatusKind::Open), after.as_ref(), REDATE_PAGE)
                .await?;
            for record in &page {
                let command = Command::Redate {
                    calendar: id.clone(),
                    calendar_version: version,
                    published_by: by.clone(),
                };
                match self.execute(&record.case, &system, command).await {
                    Ok(outcome) if !outcome.recorded.is_empty() => redated += 1,
                    Ok(_) | Err(RuntimeError::Rejected(_)) | Err(RuntimeError::UnknownCase(_)) => {}
                    Err(error) => {
                        tracing::error!(case = %record.case, %error, "re-dating failed");
                        return Err(error);
                    }
                }
            }
            if page.len() < REDATE_PAGE {
                break;
            }
            after = page.last().map(|r| r.case.clone());
        }
        Ok(redated)
    }

    /// Stores a new version of calendar `id`, installs it and re-dates the open cases.
    async fn store_calendar(
        &self,
        id: &CalendarId,
        calendar: Calendar,
        years: Vec<CalendarYearText>,
        changed: Vec<i32>,
        by: &PrincipalId,
        note: Option<String>,
    ) -> Result<CalendarPublished, RuntimeError> {
        let stored = self.backend.definitions().calendars().await?;
        let version = stored.iter().find(|(c, _)| c == id).map_or(0, |(_, v)| *v) + 1;
        let published = PublishedCalendar {
            calendar: id.clone(),
            version,
            published_at: self.clock.now(),
            published_by: by.clone(),
            changed: changed.clone(),
            note,
            years: years.clone(),
        };
        self.backend
            .definitions()
            .publish_calendar(&published)
            .await?;
        self.definitions
            .install(id, version, Arc::new(calendar), years);
        tracing::info!(calendar = %id, version, ?changed, by = %by, "calendar published");
        let redated = self.redate_open_cases(id, version, by).await?;
        Ok(CalendarPublished {
            calendar: id.clone(),
            version,
            changed,
            redated,
        })
    }
}

/// The year a year file describes, checking the file on its own first: every problem of
/// the file alone is reported at its line and column.
fn year_of(file: &SourceText) -> Result<i32, RuntimeError> {
    let alone = Calendar::from_sources("check".into(), std::slice::from_ref(file))
        .map_err(|found| RuntimeError::Invalid(Diagnostics(found)))?;
    alone.years().keys().next().copied().ok_or_else(|| {
        RuntimeError::Invalid(Diagnostics(vec![Diagnostic::new(
            file.name.clone(),
            1,
            1,
            "a calendar year file describes one year (`year: YYYY`)".to_string(),
        )]))
    })
}

/// Builds calendar `id` from its year files.
fn build(id: &CalendarId, years: &[CalendarYearText]) -> Result<Calendar, RuntimeError> {
    let sources: Vec<SourceText> = years
        .iter()
        .map(|y| SourceText {
            name: y.name.clone(),
            text: y.text.clone(),
        })
        .collect();
    Calendar::from_sources(id.clone(), &sources)
        .map_err(|found| RuntimeError::Invalid(Diagnostics(found)))
}
