//! What every page shares: the logged-in desk (the [`Desk`] extractor), the page frame
//! ([`Chrome`]: who is logged in, the navigation, the CSRF token), form posts
//! ([`PostForm`]), rendering with the desk's security headers, and errors as pages.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use greenlane_engine::principal::Role;
use greenlane_runtime::ports::Backend;

use super::labels;
use super::session::{cookie, over_tls, same, same_origin, SESSION_COOKIE};
use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::{body_limit_of, App};

/// A logged-in user of the desk.
#[derive(Debug, Clone)]
pub(crate) struct Desk {
    /// Who, with the centers they see through.
    pub(crate) caller: Caller,
    /// The session's CSRF token, put in every form.
    pub(crate) csrf: String,
    /// The center's name, for the page frame.
    center_name: String,
    demo: bool,
}

impl Desk {
    /// The page frame with `current` (a path) marked in the navigation.
    pub(crate) fn chrome(&self, current: &str) -> Chrome {
        let principal = &self.caller.principal;
        let mut nav = Vec::new();
        match principal.role {
            Role::Officer => {
                nav.push(("/inbox", "待办事项 inbox"));
                nav.push(("/cases", "案件 cases"));
            }
            Role::Coordinator => {
                nav.push(("/cases", "案件看板 case board"));
                nav.push(("/launch", "发起并联审批 launch"));
            }
            _ => nav.push(("/cases", "案件看板 case board")),
        }
        Chrome {
            who: Some(format!(
                "{} · {} · {}",
                principal.id,
                labels::role(principal.role),
                self.center_name
            )),
            nav: nav
                .into_iter()
                .map(|(href, label)| NavItem {
                    href,
                    label,
                    current: current == href || current.starts_with(&format!("{href}/")),
                })
                .collect(),
            csrf: self.csrf.clone(),
            demo: self.demo,
        }
    }

    /// Ok when `form` carries the CSRF token of the user's browser session.
    pub(crate) fn verify(&self, form: &PostForm) -> Result<(), WebError> {
        if same(form.get("csrf").unwrap_or_default(), &self.csrf) {
            Ok(())
        } else {
            Err(WebError::Forged)
        }
    }
}

impl<B: Backend> FromRequestParts<App<B>> for Desk {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &App<B>) -> Result<Self, Self::Rejection> {
        let login = || WebError::Login {
            next: parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string(),
        };
        let id = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(login)?;
        let session = app.sessions().get(id).ok_or_else(login)?;
        let principals = app.principals();
        let principal = principals
            .get(&session.principal)
            .cloned()
            .ok_or_else(login)?;
        tracing::Span::current().record("principal", principal.id.as_str());
        let center_name = principals
            .centers()
            .name(&principal.center)
            .unwrap_or(principal.center.as_str())
            .to_string();
        Ok(Desk {
            caller: Caller::new(principal, principals.clone()),
            csrf: session.csrf,
            center_name,
            demo: principals.uses_demo_tokens(),
        })
    }
}

/// The page frame's data.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chrome {
    /// Who is logged in (`None` on public pages).
    pub(crate) who: Option<String>,
    /// The navigation.
    pub(crate) nav: Vec<NavItem>,
    /// The CSRF token of the log-out form.
    pub(crate) csrf: String,
    /// Whether the server runs with demo tokens.
    pub(crate) demo: bool,
}

/// One navigation link.
#[derive(Debug, Clone)]
pub(crate) struct NavItem {
    pub(crate) href: &'static str,
    pub(crate) label: &'static str,
    pub(crate) current: bool,
}

/// A form post: `application/x-www-form-urlencoded` pairs, in order, from this site.
#[derive(Debug, Clone, Default)]
pub(crate) struct PostForm {
    pairs: Vec<(String, String)>,
}

impl PostForm {
    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed, when not empty.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Every value of `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl<B: Backend> FromRequest<App<B>> for PostForm {
    type Rejection = WebError;

    async fn from_request(request: Request, app: &App<B>) -> Result<Self, Self::Rejection> {
        if !same_origin(request.headers()) {
            return Err(WebError::Forged);
        }
        let limit = body_limit_of(&request);
        let bytes = Bytes::from_request(request, app)
            .await
            .map_err(|_| WebError::Api(ApiError::TooLarge(limit)))?;
        let pairs = form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Ok(PostForm { pairs })
    }
}

/// Why a page could not be shown.
#[derive(Debug)]
pub(crate) enum WebError {
    /// No session: log in first, then come back to `next`.
    Login {
        /// The page asked for.
        next: String,
    },
    /// A form post without the browser session's CSRF token, or from another site.
    Forged,
    /// What the API would have answered.
    Api(ApiError),
}

impl From<ApiError> for WebError {
    fn from(error: ApiError) -> WebError {
        WebError::Api(error)
    }
}

impl From<greenlane_runtime::RuntimeError> for WebError {
    fn from(error: greenlane_runtime::RuntimeError) -> WebError {
        WebError::Api(error.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    title: String,
    detail: String,
    status: u16,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, detail) = match self {
            WebError::Login { next } => {
                let to = format!("/login?next={}", encode(&next));
                return Redirect::to(&to).into_response();
            }
            WebError::Forged => (
                StatusCode::FORBIDDEN,
                "请求无效 Request refused".to_string(),
                "表单已过期或来自其他网站，请返回并重新提交。The form is stale or came from another site; go back, reload and send it again.".to_string(),
            ),
            WebError::Api(error) => {
                let problem = error.problem();
                let mut detail = problem.detail;
                for located in &problem.errors {
                    detail.push_str(&format!("\n{}", located.message));
                }
                (error.status(), problem.title, detail)
            }
        };
        let page = ErrorPage {
            chrome: Chrome::default(),
            title,
            detail,
            status: status.as_u16(),
        };
        html(status, &page)
    }
}

/// `text` percent-encoded for a query string.
pub(crate) fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The headers every page of the desk is sent with: no caching (pages show access codes
/// and personal data), a content security policy that allows only this site's own scripts
/// and styles, no framing, no sniffing.
pub(crate) fn security_headers(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CACHE_CONTROL, "no-store");
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
}

/// `page` rendered as an HTML answer with `status`.
pub(crate) fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => {
            let mut response = (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body,
            )
                .into_response();
            security_headers(response.headers_mut());
            response
        }
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "page failed to render").into_response()
        }
    }
}

/// A page answer (200).
pub(crate) fn ok<T: Template>(page: &T) -> Response {
    html(StatusCode::OK, page)
}

/// After a form post: see `to` (303, so a reload does not post again).
pub(crate) fn see(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Whether the server is reached over TLS for these headers, with the app's settings.
pub(crate) fn secure<B: Backend>(app: &App<B>, headers: &HeaderMap) -> bool {
    over_tls(headers, app.settings().secure_cookies)
}

/// Whether the principals file uses the public demo tokens.
pub(crate) fn demo<B: Backend>(app: &App<B>) -> bool {
    app.principals().uses_demo_tokens()
}

/// The centers' tree, for labels.
pub(crate) fn center_name<B: Backend>(app: &App<B>, center: &str) -> String {
    app.principals()
        .centers()
        .name(&greenlane_engine::ids::CenterId::new(center))
        .unwrap_or(center)
        .to_string()
}
