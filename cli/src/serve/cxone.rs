//! The NICE CXone Agent API (docs/http.md): agent sessions, custom events, and get-next-event with
//! the rotating `sessionId` as SPEC §5.1's acknowledgement cursor.
//!
//! Routes are written here without CXone's `/incontactapi/services/v{N}.0` prefix; the server
//! strips it (any `N`, any case) before routing.

use super::auth::Caller;
use super::error::ApiError;
use super::params::{Params, Segments, clip};
use super::state::{Shared, blocking};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use journey_core::agent::AgentEventType;
use journey_core::{AgentEvent, CustomEventRequest, NextEvents};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// The CXone routes, under `/cxone`.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/cxone/agent-sessions", post(start_session))
        .route("/cxone/agent-sessions/join", post(join_session))
        .route("/cxone/agent-sessions/{session}", delete(end_session))
        .route("/cxone/agent-sessions/{session}/get-next-event", get(next_event))
        .route("/cxone/agents/{agent}/custom-event", put(custom_event))
}

/// The `sessionId` a CXone client holds: the agent session and, after the first poll, the
/// sequence of the last event it received (`<uuid>.<sequence>`).
struct Cursor {
    session: Uuid,
    ack: Option<u64>,
}

impl Cursor {
    fn parse(text: &str) -> Result<Cursor, ApiError> {
        let invalid =
            || ApiError::new(StatusCode::NOT_FOUND, "INVALID_SESSION", format!("no agent session '{}'", clip(text)));
        let (session, ack) = match text.rsplit_once('.') {
            Some((session, ack)) => (session, Some(ack.parse().map_err(|_| invalid())?)),
            None => (text, None),
        };
        Ok(Cursor { session: Uuid::try_parse(session).map_err(|_| invalid())?, ack })
    }

    fn text(session: Uuid, ack: u64) -> String {
        format!("{session}.{ack}")
    }
}

/// `POST /agent-sessions`: the token's agent logs in (or gets its active session).
async fn start_session(State(state): State<Shared>, caller: Caller, body: Bytes) -> Result<Response, ApiError> {
    let agent = caller.agent_id()?.to_owned();
    check_start_body(&body)?;
    let started = blocking(&state, move |engine| engine.start_agent_session(&agent)).await?;
    Ok(accepted(json!({"sessionId": Cursor::text(started.session_id, 0)})))
}

/// The start body is optional; when given, its fields must have CXone's types.
fn check_start_body(body: &[u8]) -> Result<(), ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON", e.to_string()))?;
    let Value::Object(fields) = value else { return Err(ApiError::bad_argument("the body must be a JSON object")) };
    type Check = fn(&Value) -> bool;
    let string_or_number: Check = |v| v.is_string() || v.is_number();
    let checks: [(&str, Check, &str); 4] = [
        ("stationId", string_or_number, "a string or a number"),
        ("stationPhoneNumber", string_or_number, "a string or a number"),
        ("inactivityTimeout", Value::is_number, "a number of seconds"),
        ("inactivityForceLogout", Value::is_boolean, "a boolean"),
    ];
    for (name, ok, what) in checks {
        if fields.get(name).is_some_and(|v| !v.is_null() && !ok(v)) {
            return Err(ApiError::bad_argument(format!("{name} must be {what}")));
        }
    }
    Ok(())
}

/// `POST /agent-sessions/join` with `{"asAgentId"}`: that agent's active session.
async fn join_session(State(state): State<Shared>, caller: Caller, body: Bytes) -> Result<Response, ApiError> {
    let agent = caller.agent_id()?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON", e.to_string()))?;
    let joined = match value.get("asAgentId") {
        Some(Value::String(id)) => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => return Err(ApiError::bad_argument("asAgentId (a string or a number) is required")),
    };
    if joined != agent {
        return Err(ApiError::forbidden("an agent token may join only its own agent's session"));
    }
    match state.engine.active_agent_session(agent) {
        Some(session) => Ok(accepted(json!({"sessionId": Cursor::text(session.session_id, 0)}))),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "INVALID_SESSION",
            format!("agent '{}' has no active session", clip(agent)),
        )),
    }
}

/// `DELETE /agent-sessions/{sessionId}`: the agent logs out.
async fn end_session(
    State(state): State<Shared>,
    caller: Caller,
    Segments(session): Segments<String>,
) -> Result<Response, ApiError> {
    let cursor = own_session(&state, &caller, &session)?;
    blocking(&state, move |engine| engine.end_agent_session(&cursor.session.to_string())).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// `PUT /agents/{agentId}/custom-event?eventName=&persistInMemory=&data=` (seed 001's curl).
async fn custom_event(
    State(state): State<Shared>,
    caller: Caller,
    Segments(agent_id): Segments<String>,
    params: Params,
) -> Result<Response, ApiError> {
    caller.require_send()?;
    let event_name =
        params.text("eventName").ok_or_else(|| ApiError::bad_argument("eventName is required"))?.to_owned();
    let request = CustomEventRequest {
        agent_id,
        event_name,
        data: params.text("data").unwrap_or_default().to_owned(),
        persist_in_memory: params.boolean("persistInMemory")?.unwrap_or(false),
    };
    let sent = blocking(&state, move |engine| engine.send_custom_event(&request)).await?;
    Ok(accepted(serde_json::to_value(sent).unwrap_or_default()))
}

/// `GET /agent-sessions/{sessionId}/get-next-event?timeout=S`: the long poll. It holds no thread
/// while it waits, and a client that goes away before the answer cancels it: the poll took
/// nothing (`NextEventsFuture`). Events that were answered but never arrived come again when the
/// client repeats the old `sessionId`.
async fn next_event(
    State(state): State<Shared>,
    caller: Caller,
    Segments(session): Segments<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let cursor = own_session(&state, &caller, &session)?;
    let timeout: i64 = params.parsed("timeout", "a whole number of seconds from 0 to 60")?.unwrap_or(10);
    if !(0..=60).contains(&timeout) {
        return Err(ApiError::bad_argument(format!("timeout must be 0 to 60 seconds, got {timeout}")));
    }
    let poll = state.engine.next_events_future(&cursor.session.to_string(), timeout * 1000, None, cursor.ack)?;
    match poll.await? {
        NextEvents::Events { events } => {
            let last = events.last().map_or(cursor.ack.unwrap_or(0), |e| e.sequence);
            let events: Vec<Value> = events.iter().map(|e| cxone_event(e, cursor.session)).collect();
            Ok((StatusCode::OK, axum::Json(json!({"sessionId": Cursor::text(cursor.session, last), "events": events})))
                .into_response())
        }
        NextEvents::Timeout => Ok(StatusCode::NOT_MODIFIED.into_response()),
        NextEvents::SessionEnded => {
            Err(ApiError::new(StatusCode::CONFLICT, "SESSION_ENDED", "the agent session has ended"))
        }
    }
}

/// The cursor of a session that belongs to the caller's agent (403 for another agent's).
fn own_session(state: &Shared, caller: &Caller, text: &str) -> Result<Cursor, ApiError> {
    let agent = caller.agent_id()?;
    let cursor = Cursor::parse(text)?;
    let owner = state.engine.agent_session_owner(&cursor.session.to_string())?;
    if owner != agent {
        return Err(ApiError::forbidden("this agent session belongs to another agent"));
    }
    Ok(cursor)
}

/// An agent event in CXone's form: `Type` and the Pascal-case envelope CXone's events use, with a
/// custom event's `eventName` and `data` as the CXone agent SDK reads them.
fn cxone_event(event: &AgentEvent, session: Uuid) -> Value {
    let mut fields = Map::new();
    match event.event_type {
        AgentEventType::AgentSessionStart => {
            fields.insert("Type".into(), json!("AgentSessionStart"));
            fields.insert("AgentId".into(), json!(event.agent_id));
            fields.insert("SessionId".into(), json!(session));
        }
        AgentEventType::CustomEvent => {
            fields.insert("Type".into(), json!("CustomEvent"));
            fields.insert("AgentId".into(), json!(event.agent_id));
            fields.insert("eventName".into(), json!(event.event_name));
            fields.insert("data".into(), json!(event.data));
        }
    }
    fields.insert("CreatedDate".into(), json!(event.created_date));
    fields.insert("Sequence".into(), json!(event.sequence));
    Value::Object(fields)
}

/// 202 with a JSON body, as CXone answers session and custom-event calls.
fn accepted(body: Value) -> Response {
    (StatusCode::ACCEPTED, axum::Json(body)).into_response()
}
