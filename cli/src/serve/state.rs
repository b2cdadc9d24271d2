//! What every request handler shares: the engine, the tokens and the server's settings.

use super::auth::Tokens;
use journey_core::Engine;
use std::sync::Arc;

/// The server's state.
pub struct State {
    /// The one engine behind every route.
    pub engine: Arc<Engine>,
    /// Who may do what.
    pub tokens: Tokens,
    /// The session type Genesys app events are filed under.
    pub app_session_type: String,
}

/// The state as handlers receive it.
pub type Shared = Arc<State>;
