//! Errors as `application/problem+json` (RFC 9457): a `type`, a `title` (Chinese first, with
//! English beside), the `status`, a `detail` that names the field or task, and sometimes
//! `field` or `errors` as extension members. Internal failures are logged with the request's
//! span and answered with a generic 500: storage messages never reach a client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use greenlane_engine::case::Rejection;
use greenlane_engine::principal::Role;
use greenlane_engine::source::Diagnostic;
use greenlane_engine::workflow::FieldError;
use greenlane_runtime::{RuntimeError, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::rights::Right;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:greenlane:problem:<kind>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind, Chinese first.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong in this request.
    pub detail: String,
    /// The field of the request at fault, as a path (`application.capital`), if one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every located problem of a definition, a sample application or an application
    /// that does not match its workflow's fields, if there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Located>,
}

/// One located problem: a diagnostic of a definition file, a sample that failed, or a
/// field of an application that does not match its workflow's declared fields.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Located {
    /// The file (for a definition), `samples[i]` (for a sample application) or
    /// `application` (for a field of the application launched).
    pub file: String,
    /// 1-based line, 0 when not applicable.
    pub line: usize,
    /// 1-based column, 0 when not applicable.
    pub column: usize,
    /// The field of the request at fault, as a path (`application.land_supply`), for a
    /// field of an application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl From<&Diagnostic> for Located {
    fn from(d: &Diagnostic) -> Located {
        Located {
            file: d.file.clone(),
            line: d.line,
            column: d.column,
            field: None,
            message: d.message.clone(),
        }
    }
}

impl From<&FieldError> for Located {
    fn from(error: &FieldError) -> Located {
        Located {
            file: "application".to_string(),
            line: 0,
            column: 0,
            field: Some(application_path(error)),
            message: error.message.clone(),
        }
    }
}

/// `application.<id>`, or `application` when the application itself is at fault.
fn application_path(error: &FieldError) -> String {
    match error.field.as_str() {
        "" => "application".to_string(),
        field => format!("application.{field}"),
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No or an unknown token.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The caller's role lacks a right.
    #[error("this needs the right `{}` (held by: {}); you are {}", right.as_str(), right.roles_text(), role.as_str())]
    Forbidden {
        /// The missing right.
        right: Right,
        /// The caller's role.
        role: Role,
    },
    /// The caller may not act on this particular thing (another department's inbox).
    #[error("{0}")]
    NotYours(String),
    /// Nothing with this id that the caller may see.
    #[error("{0}")]
    NotFound(String),
    /// The body or query is malformed.
    #[error("{detail}")]
    BadRequest {
        /// What is wrong.
        detail: String,
        /// The field at fault.
        field: Option<String>,
    },
    /// The body is well-formed but its content is refused.
    #[error("{detail}")]
    Unprocessable {
        /// What is wrong.
        detail: String,
        /// The field at fault.
        field: Option<String>,
        /// Every located problem.
        errors: Vec<Located>,
    },
    /// The body is larger than the limit.
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    /// The body is not JSON.
    #[error("the body must be JSON (`Content-Type: application/json`)")]
    UnsupportedMediaType,
    /// The case or task is not in a state that allows the command.
    #[error("{0}")]
    Conflict(String),
    /// Too many wrong access codes for the case or from the client: no code is checked
    /// before `retry_after` seconds have passed.
    #[error("too many wrong access codes; try again in {retry_after} s")]
    TooManyAttempts {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// The store cannot be reached now; the request may be sent again after `Retry-After`.
    #[error("the store cannot be reached now; retry in a moment")]
    Unavailable(String),
    /// Something failed inside; logged, never sent.
    #[error("internal: {0}")]
    Internal(String),
}

/// Seconds a client is told to wait when the store cannot be reached.
pub(crate) const RETRY_AFTER_SECONDS: u32 = 2;

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } | ApiError::NotYours(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A 422 about one field.
    pub fn invalid(field: &str, detail: impl Into<String>) -> ApiError {
        ApiError::Unprocessable {
            detail: detail.into(),
            field: Some(field.to_string()),
            errors: Vec::new(),
        }
    }

    /// A 400 about one field.
    pub fn bad(field: &str, detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            detail: detail.into(),
            field: Some(field.to_string()),
        }
    }

    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::Unauthorized(_) => ("unauthorized", "未认证 Unauthorized"),
            ApiError::Forbidden { .. } => ("forbidden", "无权限 Forbidden"),
            ApiError::NotYours(_) => ("forbidden", "无权限 Forbidden"),
            ApiError::NotFound(_) => ("not-found", "不存在 Not found"),
            ApiError::BadRequest { .. } => ("bad-request", "请求格式错误 Bad request"),
            ApiError::Unprocessable { .. } => ("unprocessable", "内容无效 Unprocessable content"),
            ApiError::TooLarge(_) => ("too-large", "请求过大 Content too large"),
            ApiError::UnsupportedMediaType => (
                "unsupported-media-type",
                "格式不支持 Unsupported media type",
            ),
            ApiError::Conflict(_) => ("conflict", "状态冲突 Conflict"),
            ApiError::TooManyAttempts { .. } => ("too-many-attempts", "尝试过多 Too many attempts"),
            ApiError::Unavailable(_) => ("unavailable", "暂时无法服务 Service unavailable"),
            ApiError::Internal(_) => ("internal", "内部错误 Internal error"),
        }
    }

    /// The problem document sent for this error.
    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind_and_title();
        let detail = match self {
            ApiError::Internal(_) => {
                "the server failed to handle the request; it was logged".to_string()
            }
            other => other.to_string(),
        };
        let (field, errors) = match self {
            ApiError::BadRequest { field, .. } => (field.clone(), Vec::new()),
            ApiError::Unprocessable { field, errors, .. } => (field.clone(), errors.clone()),
            _ => (None, Vec::new()),
        };
        Problem {
            kind: format!("urn:greenlane:problem:{kind}"),
            title: title.to_string(),
            status: self.status().as_u16(),
            detail,
            field,
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(message) => {
                tracing::error!(%message, "request failed inside the server")
            }
            ApiError::Unavailable(message) => {
                tracing::warn!(%message, "the store cannot be reached; answered 503")
            }
            _ => {}
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        if let ApiError::TooManyAttempts { retry_after } = &self {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"greenlane\""),
            );
        }
        response
    }
}

impl From<Rejection> for ApiError {
    fn from(rejection: Rejection) -> ApiError {
        let detail = rejection.to_string();
        match rejection {
            Rejection::Forbidden { .. } | Rejection::WrongDepartment { .. } => {
                ApiError::NotYours(detail)
            }
            Rejection::UnknownTask(_) | Rejection::NotLaunched => ApiError::NotFound(detail),
            Rejection::AlreadyLaunched
            | Rejection::CaseClosed { .. }
            | Rejection::TaskState { .. }
            | Rejection::ClaimedByOther { .. }
            | Rejection::LeaseExpired { .. }
            | Rejection::LeaseNotExpired { .. }
            | Rejection::SupplementAlreadyRequested { .. }
            | Rejection::SupplementNotUsed { .. }
            | Rejection::NotCompleted { .. }
            | Rejection::AlreadyRated => ApiError::Conflict(detail),
            Rejection::NoMaterials => ApiError::invalid("materials", detail),
            Rejection::Empty(field) => ApiError::invalid(field, detail),
            Rejection::InvalidApplication { errors } => ApiError::Unprocessable {
                detail,
                field: Some(
                    errors
                        .first()
                        .map_or_else(|| "application".to_string(), application_path),
                ),
                errors: errors.iter().map(Located::from).collect(),
            },
            _ => ApiError::Unprocessable {
                detail,
                field: None,
                errors: Vec::new(),
            },
        }
    }
}

impl From<RuntimeError> for ApiError {
    fn from(error: RuntimeError) -> ApiError {
        match error {
            RuntimeError::Rejected(rejection) => rejection.into(),
            RuntimeError::UnknownCase(case) => ApiError::NotFound(format!("no case `{case}`")),
            RuntimeError::UnknownWorkflow(_) | RuntimeError::UnknownVersion { .. } => {
                ApiError::NotFound(error.to_string())
            }
            RuntimeError::Invalid(diagnostics) => ApiError::Unprocessable {
                detail: format!(
                    "the definition does not validate: {} problem(s), each located in `errors`",
                    diagnostics.0.len()
                ),
                field: Some("workflow".to_string()),
                errors: diagnostics.0.iter().map(Located::from).collect(),
            },
            RuntimeError::WrongWorkflow { .. } => ApiError::invalid("workflow", error.to_string()),
            RuntimeError::RulesNotNamed => ApiError::invalid("rules", error.to_string()),
            RuntimeError::SamplesFailed { failures, tried } => ApiError::Unprocessable {
                detail: format!(
                    "the version fails on {} of {tried} sample application(s), each located in \
                     `errors`; nothing was published",
                    failures.len()
                ),
                field: Some("samples".to_string()),
                errors: failures
                    .iter()
                    .map(|f| Located {
                        file: format!("samples[{}]", f.index),
                        line: 0,
                        column: 0,
                        field: None,
                        message: f.message.clone(),
                    })
                    .collect(),
            },
            RuntimeError::Store(StoreError::Conflict { .. }) => ApiError::Conflict(
                "someone else changed this at the same moment; read it again and retry".to_string(),
            ),
            RuntimeError::Store(StoreError::Unavailable(cause)) => {
                ApiError::Unavailable(cause.to_string())
            }
            RuntimeError::Store(other) => ApiError::Internal(other.to_string()),
            _ => ApiError::Internal(error.to_string()),
        }
    }
}
