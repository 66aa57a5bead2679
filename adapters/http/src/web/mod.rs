//! The web desk: server-rendered pages for every role, served by the same router as the
//! API (`greenlane serve`, at `/`).
//!
//! Pages are askama templates (`templates/`, compiled into the binary and checked at build
//! time) filled from the same reads and commands as the API, so a page shows exactly what
//! the API would answer the same principal. Forms are plain HTML posts answered with a
//! redirect (they work without JavaScript); htmx, with its SSE extension, refreshes the
//! regions of a page when `/live` says something the user may see changed.
//!
//! - `session`: sessions, cookies, CSRF; `page`: the logged-in [`page::Desk`], the page
//!   frame, form posts, errors as pages; `labels`: the one vocabulary of states and events.
//! - `login`, `board` (the case board), `launch` (form from the workflow's application
//!   schema → preview → 受理通知书), `case_page`, `inbox`, `task_page` (an officer's
//!   decisions), `inquiry` (the applicant's public page), `live` (server-sent events).
//! - `gantt` and `dag`: the case's Gantt chart in working days and its DAG, as SVG drawn on
//!   the server. `assets`: the embedded CSS and scripts.

pub(crate) mod assets;
mod board;
mod case_page;
mod dag;
mod gantt;
mod inbox;
mod inquiry;
mod labels;
mod launch;
mod live;
mod login;
pub(crate) mod page;
pub(crate) mod session;
mod task_page;

use axum::routing::{get, post};
use axum::Router;
use greenlane_runtime::ports::Backend;

use crate::state::App;

/// The desk's routes.
pub(crate) fn routes<B: Backend>() -> Router<App<B>> {
    let task = "/cases/{case}/tasks/{task}";
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::show::<B>).post(login::submit::<B>))
        .route("/logout", post(login::logout::<B>))
        .route("/assets/{*path}", get(assets::serve))
        .route("/cases", get(board::show::<B>))
        .route("/launch", get(launch::choose::<B>))
        .route(
            "/launch/{workflow}",
            get(launch::form::<B>).post(launch::confirm::<B>),
        )
        .route("/launch/{workflow}/preview", post(launch::preview::<B>))
        .route("/cases/{case}", get(case_page::show::<B>))
        .route("/cases/{case}/{action}", post(case_page::act::<B>))
        .route(task, get(task_page::show::<B>))
        .route(&format!("{task}/{{action}}"), post(task_page::act::<B>))
        .route("/inbox", get(inbox::show::<B>))
        .route("/inbox/claim-next", post(inbox::claim_next::<B>))
        .route("/inquiry", get(inquiry::form::<B>).post(inquiry::show::<B>))
        .route("/inquiry/rate", post(inquiry::rate::<B>))
        .route("/live", get(live::stream::<B>))
}
