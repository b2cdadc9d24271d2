//! Bearer tokens and what each may do (docs/http.md, "Auth"). The token file is the only source of
//! a caller's viewer and agent: nothing the client sends besides the token is trusted.

use super::error::ApiError;
use super::state::Shared;
use anyhow::{Context, Result, bail};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use journey_core::Viewer;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// What one token may do; anything absent is not granted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Grant {
    /// The journey reads, as this viewer.
    pub viewer: Option<Viewer>,
    /// The agent-session routes, for this agent's sessions.
    pub agent_id: Option<String>,
    /// Custom events to any agent.
    #[serde(default)]
    pub send_custom_events: bool,
    /// The ingest routes.
    #[serde(default)]
    pub ingest: bool,
}

/// The token file: `{"tokens": {"<token>": Grant}}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tokens {
    tokens: HashMap<String, Grant>,
}

impl Tokens {
    /// Reads the token file; a malformed one stops the server from starting.
    pub fn load(path: &Path) -> Result<Tokens> {
        let text = crate::open::read(path)?;
        let tokens: Tokens =
            serde_json::from_str(&text).with_context(|| format!("{}: not a token file", path.display()))?;
        if tokens.tokens.keys().any(|token| token.trim().is_empty()) {
            bail!("{}: a token may not be empty", path.display());
        }
        Ok(tokens)
    }

    /// The grant of `token`. Every known token is compared in full, in time that does not depend
    /// on where a guess first differs from one.
    fn grant(&self, token: &str) -> Option<&Grant> {
        let mut found = None;
        for (known, grant) in &self.tokens {
            if constant_time_eq(known.as_bytes(), token.as_bytes()) {
                found = Some(grant);
            }
        }
        found
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

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
        let header = parts
            .headers
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
