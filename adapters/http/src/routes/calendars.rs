//! Calendars (工作日历), published while the center is open: every principal reads the
//! calendars in use with their years (official or provisional), versions and coverage, and
//! one year's days; policy staff publish a year (the State Council's notice for the next
//! year, a provisional year, a correction), validated with every problem located, which
//! re-dates the open cases whose dates change.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use greenlane_engine::ids::CalendarId;
use greenlane_engine::source::SourceText;
use greenlane_runtime::ports::Backend;
use greenlane_runtime::RuntimeError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::rights::Right;
use crate::auth::Caller;
use crate::json::{Body, Path};
use crate::problem::{ApiError, Located};
use crate::responses::{Forbidden, NotFound, Unprocessable};
use crate::state::App;
use crate::vocabulary::ListedDay;

/// Official or provisional.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum YearKindView {
    /// From the State Council's notice for the year.
    Official,
    /// From the holiday rules alone, before the notice: dates that depend on it are marked
    /// provisional.
    Provisional,
}

impl From<greenlane_engine::calendar::YearKind> for YearKindView {
    fn from(kind: greenlane_engine::calendar::YearKind) -> YearKindView {
        match kind {
            greenlane_engine::calendar::YearKind::Provisional => YearKindView::Provisional,
            _ => YearKindView::Official,
        }
    }
}

/// One year of a calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct YearView {
    /// The year.
    pub(crate) year: i32,
    /// Official or provisional.
    pub(crate) kind: YearKindView,
    /// The notice's URL, or the legal basis of a provisional year.
    pub(crate) source: Option<String>,
}

/// One published version of a calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CalendarVersionView {
    /// The version, from 1.
    pub(crate) version: u32,
    /// When it was published.
    pub(crate) published_at: DateTime<Utc>,
    /// Who published it.
    pub(crate) published_by: String,
    /// The years it added or changed.
    pub(crate) changed: Vec<i32>,
    /// What the publisher said of it.
    pub(crate) note: Option<String>,
}

/// A calendar in use, with its coverage from today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CalendarView {
    /// The calendar id (`cn`).
    pub(crate) calendar: String,
    /// The version in use; 0 when it was never published (from the server's files).
    pub(crate) version: u32,
    /// The first covered day.
    pub(crate) first: NaiveDate,
    /// The last covered day, provisional years included.
    pub(crate) covered_until: NaiveDate,
    /// The last day of its official years.
    pub(crate) official_until: Option<NaiveDate>,
    /// Working days from today to the end of the official years.
    pub(crate) official_working_days_left: u32,
    /// Working days from today to the end of the coverage.
    pub(crate) working_days_left: u32,
    /// Whether the official years end within the server's warning period: time to publish
    /// the next year from the State Council's notice.
    pub(crate) warning: bool,
    /// Every covered year.
    pub(crate) years: Vec<YearView>,
    /// Every published version, oldest first.
    pub(crate) versions: Vec<CalendarVersionView>,
}

/// Every calendar in use.
#[utoipa::path(get, path = "/api/v1/calendars", tag = "calendars",
    responses((status = 200, body = Vec<CalendarView>)),
    security(("bearer" = [])))]
pub(crate) async fn list<B: Backend>(
    State(app): State<App<B>>,
    _caller: Caller,
) -> Result<Json<Vec<CalendarView>>, ApiError> {
    let runtime = app.runtime();
    let installed = runtime.calendars();
    let mut out = Vec::new();
    for coverage in runtime.calendar_coverage() {
        let Some(calendar) = installed.get(&coverage.calendar) else {
            continue;
        };
        let mut versions = Vec::new();
        for version in 1..=coverage.version {
            if let Some(p) = runtime.stored_calendar(&coverage.calendar, version).await? {
                versions.push(CalendarVersionView {
                    version,
                    published_at: p.published_at,
                    published_by: p.published_by.to_string(),
                    changed: p.changed,
                    note: p.note,
                });
            }
        }
        out.push(CalendarView {
            calendar: coverage.calendar.to_string(),
            version: coverage.version,
            first: calendar.calendar.coverage().0,
            covered_until: coverage.covered_until,
            official_until: coverage.official_until,
            official_working_days_left: coverage.official_days_left,
            working_days_left: coverage.days_left,
            warning: coverage.warning,
            years: years(&calendar.calendar),
            versions,
        });
    }
    Ok(Json(out))
}

fn years(calendar: &greenlane_engine::calendar::Calendar) -> Vec<YearView> {
    calendar
        .years()
        .iter()
        .map(|(year, info)| YearView {
            year: *year,
            kind: info.kind.into(),
            source: info.source.clone(),
        })
        .collect()
}

/// A listed day of a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct DayView {
    /// The date.
    pub(crate) date: NaiveDate,
    /// `off` (放假) or `work` (调休上班, a Saturday or Sunday worked).
    pub(crate) kind: ListedDay,
    /// The holiday it belongs to.
    pub(crate) name: String,
}

/// One year of a calendar: its kind, source, listed days and file text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct YearDetail {
    /// The calendar id.
    pub(crate) calendar: String,
    /// The calendar's version in use.
    pub(crate) version: u32,
    /// The year, its kind and source.
    #[serde(flatten)]
    pub(crate) year: YearView,
    /// Working days in the year.
    pub(crate) working_days: u32,
    /// Every day off and adjusted working day, in date order.
    pub(crate) days: Vec<DayView>,
    /// The year file's text as published (absent for a calendar never published).
    pub(crate) text: Option<String>,
}

/// One year of a calendar.
#[utoipa::path(get, path = "/api/v1/calendars/{calendar}/{year}", tag = "calendars",
    params(("calendar" = String, Path, description = "Calendar id"), ("year" = i32, Path, description = "Year")),
    responses((status = 200, body = YearDetail), NotFound),
    security(("bearer" = [])))]
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    _caller: Caller,
    Path((calendar, year)): Path<(String, i32)>,
) -> Result<Json<YearDetail>, ApiError> {
    let id = CalendarId::new(calendar.as_str());
    let installed = app
        .runtime()
        .calendar(&id)
        .ok_or_else(|| ApiError::NotFound(format!("no calendar `{calendar}`")))?;
    let cal = &installed.calendar;
    let view = years(cal)
        .into_iter()
        .find(|y| y.year == year)
        .ok_or_else(|| {
            let (first, last) = cal.coverage();
            ApiError::NotFound(format!(
                "calendar `{calendar}` has no year {year}; it covers {first} to {last}"
            ))
        })?;
    let first = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| ApiError::NotFound(format!("no year {year}")))?;
    let mut days = Vec::new();
    let mut working_days = 0;
    for day in first.iter_days().take_while(|d| d.year() == year) {
        let kind = cal
            .day_kind(day)
            .map_err(|e| ApiError::NotFound(e.to_string()))?;
        if kind.is_working() {
            working_days += 1;
        }
        let Some(kind) = ListedDay::of(kind) else {
            continue;
        };
        days.push(DayView {
            date: day,
            kind,
            name: cal.holiday_name(day).unwrap_or_default().to_string(),
        });
    }
    Ok(Json(YearDetail {
        calendar,
        version: installed.version,
        year: view,
        working_days,
        days,
        text: installed
            .years
            .iter()
            .find(|y| y.year == year)
            .map(|y| y.text.clone()),
    }))
}

/// A calendar year to publish.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublishYearRequest {
    /// The year file's YAML (`year`, `kind`, `source`, `off`, `work`).
    pub(crate) text: String,
    /// The file name used in diagnostics (`<year>.yaml` when absent).
    pub(crate) name: Option<String>,
    /// What this publication is (the notice's title, a correction's reason).
    pub(crate) note: Option<String>,
}

/// A published calendar year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct PublishedYearView {
    /// The calendar.
    pub(crate) calendar: String,
    /// Its new version: every node uses it from its next tick.
    pub(crate) version: u32,
    /// The years added or changed.
    pub(crate) changed: Vec<i32>,
    /// Open cases whose dates moved and were re-dated.
    pub(crate) redated: usize,
}

/// Publishes a calendar year: validated with every problem located (and refused with
/// nothing changed when it fails), stored as the calendar's next version, used by every
/// node from its next tick, and the open cases whose dates change re-dated.
#[utoipa::path(post, path = "/api/v1/calendars/{calendar}", tag = "calendars",
    params(("calendar" = String, Path, description = "Calendar id")),
    request_body = PublishYearRequest,
    responses((status = 201, body = PublishedYearView), Forbidden, NotFound, Unprocessable),
    security(("bearer" = [])))]
pub(crate) async fn publish<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Path(calendar): Path<String>,
    Body(request): Body<PublishYearRequest>,
) -> Result<Response, ApiError> {
    caller.require(Right::PublishDefinitions)?;
    let id = CalendarId::new(calendar.as_str());
    if app.runtime().calendar(&id).is_none() {
        return Err(ApiError::NotFound(format!(
            "no calendar `{calendar}`; the server knows {}",
            app.runtime()
                .calendars()
                .keys()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let name = request.name.unwrap_or_else(|| {
        let year = request
            .text
            .lines()
            .find_map(|line| line.strip_prefix("year:"))
            .map(|rest| {
                rest.split('#')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            })
            .filter(|year| !year.is_empty())
            .unwrap_or_else(|| "year".to_string());
        format!("{year}.yaml")
    });
    let file = SourceText {
        name,
        text: request.text,
    };
    let published = app
        .runtime()
        .publish_calendar_year(&id, file, &caller.principal.id, request.note)
        .await
        .map_err(|error| match error {
            RuntimeError::Invalid(diagnostics) => ApiError::Unprocessable {
                detail: format!(
                    "the calendar year does not validate: {} problem(s), each located in `errors`",
                    diagnostics.0.len()
                ),
                field: Some("text".to_string()),
                errors: diagnostics.0.iter().map(Located::from).collect(),
            },
            other => ApiError::from(other),
        })?;
    let view = PublishedYearView {
        calendar,
        version: published.version,
        changed: published.changed,
        redated: published.redated,
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}
