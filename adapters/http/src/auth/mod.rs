//! Who is calling: a bearer token looked up in the principals file, then rights and
//! visibility.
//!
//! - `config`: the principals file; `centers`: the tree of centers; `rights`: role → rights;
//!   `client`: the address a request came from, for the per-client limit of wrong access
//!   codes (the throttle itself is in the store).
//! - [`Caller`]: the extractor every protected handler takes. No or an unknown token is
//!   401; [`Caller::require`] turns a missing right into a 403 that names it.

pub(crate) mod centers;
pub(crate) mod client;
pub(crate) mod config;
pub(crate) mod rights;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use greenlane_engine::case::CaseState;
use greenlane_engine::ids::CenterId;
use greenlane_engine::principal::{Principal, Role};
use greenlane_runtime::ports::Backend;

use crate::problem::ApiError;
use crate::state::App;
use centers::Centers;
use rights::Right;

/// An authenticated principal and the centers' tree it is seen through.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who.
    pub principal: Principal,
    principals: Arc<config::Principals>,
}

impl Caller {
    /// `principal`, seen through the centers of `principals`.
    pub(crate) fn new(principal: Principal, principals: Arc<config::Principals>) -> Caller {
        Caller {
            principal,
            principals,
        }
    }

    /// Ok when the caller's role holds `right`; otherwise a 403 naming it.
    pub fn require(&self, right: Right) -> Result<(), ApiError> {
        if right.held_by(self.principal.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                right,
                role: self.principal.role,
            })
        }
    }

    /// The centers' tree.
    pub fn centers(&self) -> &Centers {
        self.principals.centers()
    }

    /// Whether the caller's center is `center` or above it.
    pub fn covers(&self, center: &CenterId) -> bool {
        self.centers().covers(&self.principal.center, center)
    }

    /// Whether the caller may see `case`: its center is covered, and for an officer the
    /// case has a task of the officer's department.
    pub fn sees(&self, case: &CaseState) -> bool {
        if !self.covers(&case.center) {
            return false;
        }
        match (&self.principal.role, &self.principal.department) {
            (Role::Officer, Some(department)) => {
                case.tasks.iter().any(|t| &t.plan.department == department)
            }
            (Role::Officer, None) => false,
            _ => true,
        }
    }
}

impl<B: Backend> FromRequestParts<App<B>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App<B>) -> Result<Self, Self::Rejection> {
        let header =
            parts
                .headers
                .get(axum::http::header::AUTHORIZATION)
                .ok_or(ApiError::Unauthorized(
                    "no `Authorization: Bearer <token>` header",
                ))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthorized(
                "the `Authorization` header must be `Bearer <token>`",
            ))?;
        let principals = app.principals();
        let principal = principals
            .authenticate(token)
            .cloned()
            .ok_or(ApiError::Unauthorized("the token is not known"))?;
        tracing::Span::current().record("principal", principal.id.as_str());
        Ok(Caller {
            principal,
            principals: principals.clone(),
        })
    }
}
