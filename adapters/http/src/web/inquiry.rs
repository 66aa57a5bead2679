//! 查询进度: the applicant's public page (no login; fits a phone). The case id and the access
//! code (查询码) from the acceptance notice show which departments are done, what is still
//! missing, the promised and projected dates (暂定 when provisional), and, once the case is
//! done, the rating form. The code travels in the form's body, never in the address, and
//! wrong codes are throttled exactly as the API's inquiry is.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use greenlane_engine::case::Command;
use greenlane_runtime::ports::Backend;
use serde::Deserialize;

use super::case_page::rating;
use super::page::{demo, html, Chrome, PostForm, WebError};
use crate::problem::ApiError;
use crate::routes::inquiry::{execute_verified, inquiry_view, InquiryView};
use crate::state::App;

/// A case id to fill in.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Prefill {
    case: Option<String>,
}

#[derive(Template)]
#[template(path = "inquiry.html")]
struct InquiryPage {
    chrome: Chrome,
    case: String,
    code: String,
    error: Option<&'static str>,
    view: Option<InquiryView>,
    thanks: bool,
}

fn chrome<B: Backend>(app: &App<B>) -> Chrome {
    Chrome {
        demo: demo(app),
        ..Chrome::default()
    }
}

/// `GET /inquiry`: the form.
pub(crate) async fn form<B: Backend>(
    State(app): State<App<B>>,
    Query(prefill): Query<Prefill>,
) -> Response {
    html(
        StatusCode::OK,
        &InquiryPage {
            chrome: chrome(&app),
            case: prefill.case.unwrap_or_default(),
            code: String::new(),
            error: None,
            view: None,
            thanks: false,
        },
    )
}

/// What a refused inquiry says: the same for an unknown case and a wrong code.
fn refused(error: &ApiError) -> Option<(StatusCode, &'static str)> {
    match error {
        ApiError::NotFound(_) => Some((
            StatusCode::NOT_FOUND,
            "案件编号或查询码不正确。The case id or the access code is wrong.",
        )),
        ApiError::TooManyAttempts => Some((
            StatusCode::TOO_MANY_REQUESTS,
            "查询码错误次数过多，请稍后再试。Too many wrong codes; try again later.",
        )),
        _ => None,
    }
}

async fn answer<B: Backend>(
    app: &App<B>,
    case: String,
    code: String,
    thanks: bool,
) -> Result<Response, WebError> {
    match inquiry_view(app, case.clone(), &code).await {
        Ok(view) => Ok(html(
            StatusCode::OK,
            &InquiryPage {
                chrome: chrome(app),
                case,
                code,
                error: None,
                view: Some(view),
                thanks,
            },
        )),
        Err(error) => match refused(&error) {
            Some((status, message)) => Ok(html(
                status,
                &InquiryPage {
                    chrome: chrome(app),
                    case,
                    code: String::new(),
                    error: Some(message),
                    view: None,
                    thanks: false,
                },
            )),
            None => Err(error.into()),
        },
    }
}

/// `POST /inquiry`: the case's progress.
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    form: PostForm,
) -> Result<Response, WebError> {
    let case = form.text("case").unwrap_or_default().to_string();
    let code = form.text("code").unwrap_or_default().to_string();
    answer(&app, case, code, false).await
}

/// `POST /inquiry/rate`: the applicant rates the service.
pub(crate) async fn rate<B: Backend>(
    State(app): State<App<B>>,
    form: PostForm,
) -> Result<Response, WebError> {
    let case = form.text("case").unwrap_or_default().to_string();
    let code = form.text("code").unwrap_or_default().to_string();
    let command = Command::Rate {
        rating: rating(form.get("rating"))?,
    };
    if let Err(error) = execute_verified(&app, &case, &code, command).await {
        return match refused(&error) {
            Some(_) => answer(&app, case, code, false).await,
            None => Err(error.into()),
        };
    }
    answer(&app, case, code, true).await
}
