//! The error answers as the OpenAPI document declares them: one type per status, each an
//! `IntoResponses` that gives the status with a [`Problem`](crate::problem::Problem) body
//! as `application/problem+json` (and the headers the server sends with it: `Retry-After`
//! on 503, `WWW-Authenticate` on 401).
//!
//! A route names the errors of its own in its `#[utoipa::path]`
//! (`responses((status = 200, body = X), Forbidden, NotFound, Conflict)`); what every route
//! of a kind can answer (401/500/503 for a secured route, 400/413/415/422 for a JSON body,
//! 400 for a query string or path parameters) is added to every operation by
//! [`crate::openapi`]'s `CommonResponses` with [`problem_response`].

use std::collections::BTreeMap;

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::{
    ContentBuilder, Ref, RefOr, Response, ResponseBuilder, Schema, SchemaFormat, Type,
};

/// The media type of every error body.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// What a status means here, Chinese first.
fn description(status: u16) -> &'static str {
    match status {
        400 => "请求格式错误 Bad request: malformed JSON, a query string or path parameter of the wrong form; `field` names it",
        401 => "未认证 Unauthorized: no `Authorization: Bearer <token>` header, or an unknown token",
        403 => "无权限 Forbidden: the caller's role lacks the right (named in `detail`), or the thing is another department's",
        404 => "不存在 Not found: nothing with this id that the caller may see",
        409 => "状态冲突 Conflict: the case or task is not in a state that allows this, or changed at the same moment",
        413 => "请求过大 Content too large: the body is larger than the server's limit",
        415 => "格式不支持 Unsupported media type: the body must be `application/json`",
        422 => "内容无效 Unprocessable content: the body's shape or content is refused; `field` and `errors` locate it",
        429 => "尝试过多 Too many attempts: too many wrong access codes for this case; try again later",
        500 => "内部错误 Internal error: logged on the server; no detail is sent",
        503 => "暂时无法服务 Service unavailable: the store cannot be reached now; retry after `Retry-After` seconds",
        _ => "错误 Error",
    }
}

/// The declared answer `status` with a problem+json body.
pub(crate) fn problem_response(status: u16) -> Response {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build();
    let mut response = ResponseBuilder::new()
        .description(description(status))
        .content(PROBLEM_JSON, content);
    match status {
        401 => {
            response = response.header(
                "WWW-Authenticate",
                HeaderBuilder::new()
                    .schema(Schema::Object(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(Type::String)
                            .build(),
                    ))
                    .description(Some("`Bearer realm=\"greenlane\"`"))
                    .build(),
            )
        }
        503 => {
            response = response.header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(Schema::Object(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .format(Some(SchemaFormat::KnownFormat(
                                utoipa::openapi::KnownFormat::Int32,
                            )))
                            .minimum(Some(0))
                            .build(),
                    ))
                    .description(Some("Seconds to wait before sending the request again"))
                    .build(),
            )
        }
        _ => {}
    }
    response.build()
}

macro_rules! problem_responses {
    ($($(#[$doc:meta])* $name:ident = $status:literal;)*) => {
        $(
            $(#[$doc])*
            pub(crate) struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    BTreeMap::from([($status.to_string(), RefOr::T(problem_response($status)))])
                }
            }
        )*
    };
}

problem_responses! {
    /// 403: the caller's role lacks the right, or the thing is not the caller's.
    Forbidden = 403;
    /// 404: nothing with this id that the caller may see.
    NotFound = 404;
    /// 409: the state does not allow the command.
    Conflict = 409;
    /// 422: the body's content is refused.
    Unprocessable = 422;
    /// 429: too many wrong access codes for the case.
    TooManyAttempts = 429;
    /// 500: a failure inside, logged.
    Internal = 500;
    /// 503: the store cannot be reached now.
    Unavailable = 503;
}
