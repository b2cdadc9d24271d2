//! The token file and its lookup (docs/http.md, "Auth"): each bearer token and the grant it
//! carries. The server state holds the loaded [`Tokens`]; the `auth` module turns a request's
//! `Authorization` header into a caller through them.

use anyhow::{Context, Result, bail};
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
    /// The orchestration definition routes (segments, outcomes, action maps): `read` lists and
    /// reads them, `write` also creates, patches and deletes them.
    pub orchestration: Option<Access>,
    /// Erasure of a contact's whole profile (`DELETE /api/v2/externalcontacts/contacts/{id}`).
    #[serde(default)]
    pub erase: bool,
}

/// How far a grant reaches into something a token may read or change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Reading only.
    Read,
    /// Reading and changing.
    Write,
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
    pub fn grant(&self, token: &str) -> Option<&Grant> {
        let mut found = None;
        for (known, grant) in &self.tokens {
            if constant_time_eq(known.as_bytes(), token.as_bytes()) {
                found = Some(grant);
            }
        }
        found
    }
}

/// Whether `a` and `b` are equal, looking at every byte whatever the first difference, so that the
/// time taken does not tell a guesser how much of a token they got right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
