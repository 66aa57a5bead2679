//! 登录 and 退出: a principal's token (the same as the API's) opens a session; the home
//! address sends each role to its desk.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use greenlane_engine::principal::Role;
use greenlane_runtime::ports::Backend;
use serde::Deserialize;

use super::page::{demo, html, secure, see, Chrome, Desk, PostForm, WebError};
use super::session::{cookie, random_token, same, set_cookie, LOGIN_COOKIE, SESSION_COOKIE};
use crate::state::App;

/// Where to go after logging in.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Next {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    error: Option<&'static str>,
    demo_tokens: bool,
}

/// `next` when it is a path of this site, else the home page.
fn local(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

fn login_page<B: Backend>(
    app: &App<B>,
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    error: Option<&'static str>,
) -> Response {
    let csrf = random_token();
    let page = LoginPage {
        chrome: Chrome {
            demo: demo(app),
            ..Chrome::default()
        },
        csrf: csrf.clone(),
        next,
        error,
        demo_tokens: demo(app),
    };
    let mut response = html(status, &page);
    let value = set_cookie(LOGIN_COOKIE, &csrf, Some(3600), secure(app, headers));
    if let Ok(value) = value.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The log-in page.
pub(crate) async fn show<B: Backend>(
    State(app): State<App<B>>,
    headers: HeaderMap,
    Query(next): Query<Next>,
) -> Response {
    login_page(
        &app,
        &headers,
        StatusCode::OK,
        local(next.next.as_deref()),
        None,
    )
}

/// Logs in with a token.
pub(crate) async fn submit<B: Backend>(
    State(app): State<App<B>>,
    headers: HeaderMap,
    form: PostForm,
) -> Result<Response, WebError> {
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(form.get("csrf").unwrap_or_default(), expected) {
        return Err(WebError::Forged);
    }
    let next = local(form.get("next"));
    let token = form.text("token").unwrap_or_default();
    let Some(principal) = app.principals().authenticate(token).cloned() else {
        return Ok(login_page(
            &app,
            &headers,
            StatusCode::UNAUTHORIZED,
            next,
            Some("令牌无效，请检查后重试。The token is not known; check it and try again."),
        ));
    };
    tracing::info!(principal = %principal.id, "logged in to the web desk");
    let session = app.sessions().open(principal.id.clone());
    let secure = secure(&app, &headers);
    let mut response = see(&next);
    for value in [
        set_cookie(SESSION_COOKIE, &session, None, secure),
        set_cookie(LOGIN_COOKIE, "", Some(0), secure),
    ] {
        if let Ok(value) = value.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// Logs out: the session ends here and its cookie is deleted.
pub(crate) async fn logout<B: Backend>(
    State(app): State<App<B>>,
    headers: HeaderMap,
    desk: Desk,
    form: PostForm,
) -> Result<Response, WebError> {
    desk.verify(&form)?;
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        app.sessions().close(id);
    }
    let mut response = see("/login");
    let value = set_cookie(SESSION_COOKIE, "", Some(0), secure(&app, &headers));
    if let Ok(value) = value.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The home address: each role's desk, or the log-in page.
pub(crate) async fn home(desk: Result<Desk, WebError>) -> Response {
    match desk {
        Ok(desk) => match desk.caller.principal.role {
            Role::Officer => see("/inbox"),
            _ => see("/cases"),
        },
        Err(_) => see("/login"),
    }
    .into_response()
}
