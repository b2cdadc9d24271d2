//! libjourney's own explanation route (docs/http.md, "Estimates and explanations"), which Genesys
//! has no counterpart of: `GET /api/v2/journey/actionmaps/{actionMapId}/explanations/{sessionId}`
//! answers the core's `explainActionMap` (docs/orchestration.md, "Explain and estimate"): each
//! trigger segment and event condition recounted over the session's stored events beside what
//! evaluation counted live, the dates, the schedule, and what stopped the map.
//!
//! An explanation reads a session's events, so it needs a viewer who may read them as well as an
//! `orchestration` grant: a session the viewer may not see is 404, as in the session reads, and the
//! attribute values an explanation quotes are left out for a viewer who may not see attributes.

use super::auth::Caller;
use super::error::ApiError;
use super::orchestration::canonical;
use super::params::{Segments, clip};
use super::state::{Shared, blocking};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use journey_core::journey::permission;
use journey_core::{ExplainQuery, JourneyError};
use uuid::Uuid;

/// The explanation route.
pub fn routes() -> Router<Shared> {
    Router::new().route("/api/v2/journey/actionmaps/{map}/explanations/{session}", get(explanation))
}

/// `GET /api/v2/journey/actionmaps/{actionMapId}/explanations/{sessionId}` → the core's
/// `MapExplanation`; 404 for an unknown map, or a session that does not exist or that the viewer
/// may not see; 400 for a session id that is not a UUID.
async fn explanation(
    State(state): State<Shared>,
    caller: Caller,
    Segments((map, session)): Segments<(String, String)>,
) -> Result<Response, ApiError> {
    caller.require_definitions_read()?;
    let viewer = caller.viewer()?.clone();
    if !viewer.has(permission::EVENT_VIEW) {
        return Err(ApiError::forbidden(format!(
            "explaining a map reads the session's events: it needs {}",
            permission::EVENT_VIEW
        )));
    }
    let explained = blocking(&state, move |engine| {
        // The card read is the session reads' visibility check: NOT_FOUND for a session the viewer
        // may not see, worded as for one that never existed.
        engine.session(&session, &viewer)?;
        let session_id = Uuid::try_parse(&session)
            .map_err(|_| JourneyError::InvalidArgument(format!("'{}' is not a session id (a UUID)", clip(&session))))?;
        let query = ExplainQuery { action_map_id: canonical(&map), session_id };
        Ok((engine.explain_action_map(&query)?, viewer.has(permission::EVENT_TYPE_VIEW)))
    })
    .await;
    let (mut explanation, attributes_shown) = explained?;
    if !attributes_shown {
        for condition in &mut explanation.conditions {
            condition.seen.clear();
        }
    }
    Ok(axum::Json(explanation).into_response())
}
