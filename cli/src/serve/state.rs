//! What every request handler shares: the engine, the tokens and the server's settings.

use super::error::ApiError;
use super::estimates::EstimateJobs;
use super::tokens::Tokens;
use axum::http::StatusCode;
use journey_core::Engine;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The server's state.
pub struct State {
    /// The one engine behind every route.
    pub engine: Arc<Engine>,
    /// Who may do what.
    pub tokens: Tokens,
    /// The session type Genesys app events are filed under.
    pub app_session_type: String,
    /// The deployments whose app events need no token (`--app-deployment`).
    pub deployments: super::deployments::Deployments,
    /// The rate of those app events per client address.
    pub app_rate: super::deployments::RateLimit,
    /// The external events configurations (`--external-events`).
    pub external_events: super::external::Configurations,
    /// Held by every change to the orchestration definitions, from the read that checks it to
    /// the put or delete: a create never replaces what another request made meanwhile, and a
    /// PATCH merges into the very version whose number it checked.
    pub definition_writes: Mutex<()>,
    /// The finished action map estimate jobs (the last 100), for their status and results routes.
    pub estimate_jobs: Mutex<EstimateJobs>,
}

impl State {
    /// Whether `session_type` is one app events are filed under: `--app-session-type`, or a
    /// deployment's `type`.
    pub fn is_app_session_type(&self, session_type: &str) -> bool {
        session_type == self.app_session_type || self.deployments.files_under(session_type)
    }

    /// Takes [`State::definition_writes`]. A request that panicked while holding it left the
    /// definitions as the core keeps them (a put or delete is whole or absent), so its poison is
    /// ignored.
    pub fn lock_definitions(&self) -> MutexGuard<'_, ()> {
        self.definition_writes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes [`State::estimate_jobs`]. Every change to them is one push (and one pop) that cannot
    /// panic half-way, so a poisoned lock still guards whole jobs and its poison is ignored.
    pub fn lock_estimate_jobs(&self) -> MutexGuard<'_, EstimateJobs> {
        self.estimate_jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The state as handlers receive it.
pub type Shared = Arc<State>;

/// Runs an engine call that may block (a durable engine's fsync, a large batch) on tokio's
/// blocking pool, so that it never stalls the event loop; its error is answered as the core's.
pub async fn blocking<T: Send + 'static>(
    state: &Shared,
    call: impl FnOnce(&Engine) -> journey_core::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let engine = state.engine.clone();
    match tokio::task::spawn_blocking(move || call(&engine)).await {
        Ok(result) => Ok(result?),
        // The call panicked: a bug, answered as one.
        Err(error) => {
            Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "PANIC", format!("the engine call failed: {error}")))
        }
    }
}
