//! Request bodies and query strings, parsed so that an error names the field at fault.
//!
//! [`Body`] accepts only `application/json`, stops at the body limit (413), reports
//! malformed JSON with its line and column (400) and a wrong shape — an unknown field, a
//! wrong type, a missing field — with the path of the field (422). Request types deny
//! unknown fields. [`Query`] does the same for query strings (400), and [`Path`] for path
//! parameters (400, naming the parameter): every refusal is problem+json.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// A JSON body of type `T`.
#[derive(Debug, Clone)]
pub(crate) struct Body<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json")
                    || (v.starts_with("application/") && v.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = crate::state::body_limit_of(&request);
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge(limit)
                } else {
                    ApiError::BadRequest {
                        detail: "the body could not be read".to_string(),
                        field: None,
                    }
                }
            })?;
        parse(&bytes).map(Body)
    }
}

/// Parses `bytes` as JSON of type `T`, naming the field at fault.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    if value.is_ok() {
        deserializer.end().map_err(|e| ApiError::BadRequest {
            detail: format!("malformed JSON: {e}"),
            field: None,
        })?;
    }
    value.map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let field = (path != ".").then(|| path.clone());
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ApiError::BadRequest {
                    detail: format!("malformed JSON: {inner}"),
                    field,
                }
            }
            serde_json::error::Category::Data | serde_json::error::Category::Io => {
                let detail = match &field {
                    Some(field) => format!("field `{field}`: {}", strip_position(&inner)),
                    None => strip_position(&inner),
                };
                ApiError::Unprocessable {
                    detail,
                    field,
                    errors: Vec::new(),
                }
            }
        }
    })
}

/// serde_json's message without its " at line 1 column 42" tail, which says little once
/// the field is named.
fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// A query string of type `T`.
#[derive(Debug, Clone)]
pub(crate) struct Query<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|error| {
                let path = error.path().to_string();
                let field = (path != ".").then_some(path);
                let detail = match &field {
                    Some(field) => format!("query parameter `{field}`: {}", error.inner()),
                    None => format!("query string: {}", error.inner()),
                };
                ApiError::BadRequest { detail, field }
            })
    }
}

/// Path parameters of type `T`.
#[derive(Debug, Clone)]
pub(crate) struct Path<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        let error = match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => return Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(error)) => error,
            Err(other) => return Err(ApiError::Internal(other.body_text())),
        };
        // The parameter's name: given for a struct or map, found by position for a tuple.
        let name_at = |index: usize| {
            parts
                .extensions
                .get::<axum::extract::MatchedPath>()
                .and_then(|matched| {
                    matched
                        .as_str()
                        .split('/')
                        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
                        .nth(index)
                        .map(str::to_string)
                })
        };
        let (field, detail) = match error.kind() {
            ErrorKind::ParseErrorAtKey {
                key,
                value,
                expected_type,
            } => (
                Some(key.clone()),
                format!("path parameter `{key}` is `{value}`; expected {expected_type}"),
            ),
            ErrorKind::ParseErrorAtIndex {
                index,
                value,
                expected_type,
            } => {
                let name = name_at(*index);
                let shown = name.clone().unwrap_or_else(|| format!("#{}", index + 1));
                (
                    name,
                    format!("path parameter `{shown}` is `{value}`; expected {expected_type}"),
                )
            }
            ErrorKind::InvalidUtf8InPathParam { key } => (
                Some(key.clone()),
                format!("path parameter `{key}` is not UTF-8"),
            ),
            _ => (None, format!("path: {}", error.body_text())),
        };
        Err(ApiError::BadRequest { detail, field })
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Inner,
    }

    fn problem_of(result: Result<Outer, ApiError>) -> (u16, String, Option<String>) {
        let problem = result.unwrap_err().problem();
        (problem.status, problem.detail, problem.field)
    }

    #[test]
    fn errors_name_the_field() {
        let (status, detail, field) = problem_of(parse(br#"{"name":"x","inner":{"n":"7"}}"#));
        assert_eq!(status, 422);
        assert_eq!(field.as_deref(), Some("inner.n"));
        assert!(
            detail.contains("inner.n") && detail.contains("invalid type"),
            "{detail}"
        );

        let (status, detail, field) = problem_of(parse(br#"{"name":"x","inner":{"n":7},"x":1}"#));
        assert_eq!((status, field.as_deref()), (422, Some("x")));
        assert!(detail.contains("unknown field `x`"), "{detail}");

        let (status, detail, _) = problem_of(parse(br#"{"name":"x"}"#));
        assert_eq!(status, 422);
        assert!(detail.contains("missing field `inner`"), "{detail}");

        let (status, detail, _) = problem_of(parse(br#"{"name":"x", "#));
        assert_eq!(status, 400);
        assert!(detail.starts_with("malformed JSON"), "{detail}");

        let (status, _, _) = problem_of(parse(br#"{"name":"x","inner":{"n":7}} trailing"#));
        assert_eq!(status, 400);
    }
}
