//! Who is calling (docs/http.md, "Auth"): a request's `Authorization: Bearer` token, looked up in
//! the token file, gives its [`Caller`]. The token file is the only source of a caller's viewer and
//! agent: nothing the client sends besides the token is trusted.

use super::error::ApiError;
use super::state::Shared;
use super::tokens::{Access, Grant};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use journey_core::Viewer;

/// The caller of a request, from its `Authorization: Bearer` token (401 without a known one).
pub struct Caller(pub Grant);

impl Caller {
    /// The caller's viewer, or 403.
    pub fn viewer(&self) -> Result<&Viewer, ApiError> {
        self.0.viewer.as_ref().ok_or_else(|| ApiError::forbidden("this token may not read journeys"))
    }

    /// The caller's agent id, or 403.
    pub fn agent_id(&self) -> Result<&str, ApiError> {
        self.0.agent_id.as_deref().ok_or_else(|| ApiError::forbidden("this token is not an agent's"))
    }

    /// 403 unless the caller may ingest.
    pub fn require_ingest(&self) -> Result<(), ApiError> {
        match self.0.ingest {
            true => Ok(()),
            false => Err(ApiError::forbidden("this token may not ingest events")),
        }
    }

    /// 403 unless the caller may read the orchestration definitions (`orchestration`: `read` or
    /// `write`).
    pub fn require_definitions_read(&self) -> Result<(), ApiError> {
        match self.0.orchestration {
            Some(_) => Ok(()),
            None => Err(ApiError::forbidden("this token may not read orchestration definitions")),
        }
    }

    /// 403 unless the caller may change the orchestration definitions (`orchestration`: `write`).
    pub fn require_definitions_write(&self) -> Result<(), ApiError> {
        match self.0.orchestration {
            Some(Access::Write) => Ok(()),
            _ => Err(ApiError::forbidden("this token may not change orchestration definitions")),
        }
    }

    /// 403 unless the caller may erase contacts (`erase`).
    pub fn require_erase(&self) -> Result<(), ApiError> {
        match self.0.erase {
            true => Ok(()),
            false => Err(ApiError::forbidden("this token may not erase contacts")),
        }
    }

    /// 403 unless the caller may send custom events.
    pub fn require_send(&self) -> Result<(), ApiError> {
        match self.0.send_custom_events {
            true => Ok(()),
            false => Err(ApiError::forbidden("this token may not send custom events")),
        }
    }
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Caller, ApiError> {
        Caller::of(&parts.headers, state)
    }
}

impl Caller {
    /// The caller a request's headers name (401 without a known token).
    pub fn of(headers: &axum::http::HeaderMap, state: &Shared) -> Result<Caller, ApiError> {
        let header = headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("an Authorization: Bearer token is required"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
        let grant = state.tokens.grant(token).ok_or_else(|| ApiError::unauthorized("unknown token"))?;
        Ok(Caller(grant.clone()))
    }
}
