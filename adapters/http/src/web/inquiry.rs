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
use crate::auth::client::Client;
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
    error: Option<String>,
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

/// What a refused inquiry says: the same for an unknown case and a wrong code; when
/// throttled, when to try again.
fn refused(error: &ApiError) -> Option<(StatusCode, String)> {
    match error {
        ApiError::NotFound(_) => Some((
            StatusCode::NOT_FOUND,
            "案件编号或查询码不正确。The case id or the access code is wrong.".to_string(),
        )),
        ApiError::TooManyAttempts { retry_after } => Some((
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "查询码错误次数过多，请在 {} 后再试。Too many wrong codes; try again in {retry_after} s.",
                wait_label(*retry_after)
            ),
        )),
        _ => None,
    }
}

/// A wait in Chinese: seconds under two minutes, minutes after.
fn wait_label(seconds: u64) -> String {
    if seconds < 120 {
        format!("{seconds} 秒")
    } else {
        format!("{} 分钟", seconds.div_ceil(60))
    }
}

/// The form again with what refused it (and `Retry-After` when throttled).
fn refusal<B: Backend>(app: &App<B>, case: String, error: &ApiError) -> Option<Response> {
    let (status, message) = refused(error)?;
    let mut response = html(
        status,
        &InquiryPage {
            chrome: chrome(app),
            case,
            code: String::new(),
            error: Some(message),
            view: None,
            thanks: false,
        },
    );
    if let ApiError::TooManyAttempts { retry_after } = error {
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, (*retry_after).into());
    }
    Some(response)
}

async fn answer<B: Backend>(
    app: &App<B>,
    case: String,
    client: &Client,
    code: String,
    thanks: bool,
) -> Result<Response, WebError> {
    match inquiry_view(app, case.clone(), client, &code).await {
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
        Err(error) => refusal(app, case, &error).ok_or_else(|| error.into()),
    }
}

/// `POST /inquiry`: the case's progress.
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    client: Client,
    form: PostForm,
) -> Result<Response, WebError> {
    let case = form.text("case").unwrap_or_default().to_string();
    let code = form.text("code").unwrap_or_default().to_string();
    answer(&app, case, &client, code, false).await
}

/// `POST /inquiry/rate`: the applicant rates the service.
pub(crate) async fn rate<B: Backend>(
    State(app): State<App<B>>,
    client: Client,
    form: PostForm,
) -> Result<Response, WebError> {
    let case = form.text("case").unwrap_or_default().to_string();
    let code = form.text("code").unwrap_or_default().to_string();
    let command = Command::Rate {
        rating: rating(form.get("rating"))?,
    };
    if let Err(error) = execute_verified(&app, &case, &client, &code, command).await {
        return refusal(&app, case, &error).ok_or_else(|| error.into());
    }
    answer(&app, case, &client, code, true).await
}
