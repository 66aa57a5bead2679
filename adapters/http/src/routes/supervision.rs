//! Electronic supervision (电子监察): alerts by level, center, department and date, and the
//! KPI board against the seed's targets, over the cases the caller may see.
//!
//! Both scan the cases (see `support::scan`) and read each timeline from the event store;
//! right for a center's thousands of cases, to be fed from an index when that is not.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use greenlane_engine::case::local_date;
use greenlane_engine::ids::{CaseId, CenterId};
use greenlane_engine::supervision::{AlertLevel, KpiBoard, KpiReport};
use greenlane_runtime::ports::Backend;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::support::scan;
use crate::auth::rights::Right;
use crate::auth::Caller;
use crate::json::Query;
use crate::problem::ApiError;
use crate::responses::Forbidden;
use crate::state::App;
use crate::views::{alerts as alerts_of, kpi_rows, AlertView, KpiRow};
use crate::vocabulary::Level;

/// Which alerts.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct AlertQuery {
    /// `warning`, `yellow` or `red`.
    #[param(value_type = Option<Level>)]
    level: Option<AlertLevel>,
    /// Only cases of this center or below it.
    center: Option<String>,
    /// Only tasks of this department.
    department: Option<String>,
    /// Raised on or after this day (center time zone).
    from: Option<NaiveDate>,
    /// Raised on or before this day.
    to: Option<NaiveDate>,
    /// Only alerts whose task is still open.
    open: Option<bool>,
}

/// Alerts, newest first, with counts by level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct AlertList {
    /// How many of each level.
    pub(crate) counts: LevelCounts,
    /// The alerts, newest first.
    pub(crate) alerts: Vec<AlertView>,
}

/// How many alerts of each level.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub(crate) struct LevelCounts {
    /// 预警 warnings.
    pub(crate) warning: usize,
    /// 黄牌 yellow cards.
    pub(crate) yellow: usize,
    /// 红牌 red cards.
    pub(crate) red: usize,
}

/// The case ids the caller may see within `center`, as states.
async fn visible_cases<B: Backend>(
    app: &App<B>,
    caller: &Caller,
    center: Option<&str>,
    mut keep: impl FnMut(&greenlane_engine::case::CaseState) -> bool,
) -> Result<Vec<(CaseId, greenlane_engine::case::CaseState)>, ApiError> {
    let center = center.map(CenterId::new);
    let mut cases = Vec::new();
    scan(app, None, None, |id, state| {
        let within = center
            .as_ref()
            .is_none_or(|c| caller.centers().covers(c, &state.center));
        if caller.sees(&state) && within && keep(&state) {
            cases.push((id.clone(), state));
        }
        true
    })
    .await?;
    Ok(cases)
}

/// Alerts by level, center, department and date.
#[utoipa::path(get, path = "/api/v1/supervision/alerts", tag = "supervision", params(AlertQuery),
    responses((status = 200, body = AlertList), Forbidden),
    security(("bearer" = [])))]
pub(crate) async fn alerts<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Query(query): Query<AlertQuery>,
) -> Result<Json<AlertList>, ApiError> {
    caller.require(Right::ReadSupervision)?;
    let cases = visible_cases(&app, &caller, query.center.as_deref(), |state| {
        state.tasks.iter().any(|t| !t.alerts.is_empty())
    })
    .await?;
    let mut out = Vec::new();
    for (id, state) in cases {
        let timeline = app.runtime().timeline(&id).await?;
        let definition = super::cases::pinned(&app, &state).await?;
        for alert in alerts_of(&state, &definition.calendar, &timeline) {
            let day = local_date(alert.at, &state.time_zone);
            let keep = query.level.is_none_or(|l| Level::from(l) == alert.level)
                && query
                    .department
                    .as_ref()
                    .is_none_or(|d| *d == alert.department)
                && query.from.is_none_or(|from| day >= from)
                && query.to.is_none_or(|to| day <= to)
                && query.open.is_none_or(|open| open == alert.open);
            if keep {
                out.push(alert);
            }
        }
    }
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.case.cmp(&b.case)));
    let mut counts = LevelCounts::default();
    for alert in &out {
        match alert.level {
            Level::Warning => counts.warning += 1,
            Level::Yellow => counts.yellow += 1,
            Level::Red => counts.red += 1,
        }
    }
    Ok(Json(AlertList {
        counts,
        alerts: out,
    }))
}

/// Which cases the KPI board covers.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct KpiQuery {
    /// Only cases of this center or below it.
    center: Option<String>,
    /// Only cases of this workflow.
    workflow: Option<String>,
    /// Only cases launched on or after this day.
    launched_from: Option<NaiveDate>,
    /// Only cases launched on or before this day.
    launched_to: Option<NaiveDate>,
}

/// The KPI board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct KpiView {
    /// Cases on the board.
    pub(crate) cases: usize,
    /// Every KPI overall, per workflow and per department, with targets.
    #[schema(value_type = Object)]
    pub(crate) report: KpiReport,
    /// The board as table rows (KPI, scope, value, basis, target, met), Chinese first.
    #[schema(value_type = Vec<Object>)]
    pub(crate) rows: Vec<KpiRow>,
}

/// The KPI table against the seed's targets (现场办结率, 按时办结率, 提前办结率, …).
#[utoipa::path(get, path = "/api/v1/supervision/kpis", tag = "supervision", params(KpiQuery),
    responses((status = 200, body = KpiView), Forbidden),
    security(("bearer" = [])))]
pub(crate) async fn kpis<B: Backend>(
    State(app): State<App<B>>,
    caller: Caller,
    Query(query): Query<KpiQuery>,
) -> Result<Json<KpiView>, ApiError> {
    caller.require(Right::ReadSupervision)?;
    let cases = visible_cases(&app, &caller, query.center.as_deref(), |state| {
        let on = state.launched_on;
        query
            .workflow
            .as_ref()
            .is_none_or(|w| state.workflow.as_str() == w.as_str())
            && query.launched_from.is_none_or(|f| on >= f)
            && query.launched_to.is_none_or(|t| on <= t)
    })
    .await?;
    let mut board = KpiBoard::new();
    let mut calendar = None;
    for (id, state) in &cases {
        board.add_history(&app.runtime().timeline(id).await?);
        if calendar.is_none() {
            calendar = Some(super::cases::pinned(&app, state).await?.calendar.clone());
        }
    }
    let calendar = match calendar {
        Some(c) => c,
        None => app
            .runtime()
            .config()
            .calendars
            .values()
            .next()
            .cloned()
            .ok_or_else(|| ApiError::Internal("the runtime has no calendar".into()))?,
    };
    let report = board.report(&calendar);
    Ok(Json(KpiView {
        cases: board.cases(),
        rows: kpi_rows(&report),
        report,
    }))
}
