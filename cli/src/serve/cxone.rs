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
        .route("/cxone/agents/{agent}/agent-settings", get(agent_settings))
}

/// `GET /agents/{agentId}/agent-settings`, the token's own agent's (403 for another's). NICE's
/// agent SDK reads them after a session starts and starts polling only once they came; of the
/// fields it reads, only `EnableUIQueue` changes what it does (true switches it from polling to a
/// WebSocket queue libjourney does not serve), and the others configure a softphone, monitoring
/// and analytics libjourney has none of, so they are not sent rather than made up.
async fn agent_settings(caller: Caller, Segments(agent_id): Segments<String>) -> Result<Response, ApiError> {
    if agent_id != caller.agent_id()? {
        return Err(ApiError::forbidden("an agent token may read only its own agent's settings"));
    }
    Ok(axum::Json(json!({"agentId": agent_id, "EnableUIQueue": false})).into_response())
}

/// The `sessionId` a CXone client holds: the agent session and, after the first poll, the
/// sequence of the last event it received.
///
/// It is written in letters only, each hexadecimal digit of the session's UUID and of the sequence
/// as one of `a`–`p` (`<32 letters>.<letters>`), because NICE's agent SDK retries a failed poll at
/// `url.replace('60', '1')`, meant for `timeout=60`: JavaScript replaces the *first* "60" of the
/// URL, which in a UUID or a sequence number (about one id in ten, and sequences 60, 160, 600, …)
/// is in the `sessionId`, so the retry polled a session that does not exist (docs/http.md). The
/// older form `<uuid>.<sequence>` is still read.
struct Cursor {
    session: Uuid,
    ack: Option<u64>,
}

impl Cursor {
    fn parse(text: &str) -> Result<Cursor, ApiError> {
        let invalid =
            || ApiError::new(StatusCode::NOT_FOUND, "INVALID_SESSION", format!("no agent session '{}'", clip(text)));
        let (session, ack) = match text.split_once('.') {
            Some((session, ack)) => (session, Some(ack)),
            None => (text, None),
        };
        let session = match from_letters(session).filter(|_| session.len() == 32) {
            Some(bits) => Uuid::from_u128(bits),
            None => Uuid::try_parse(session).map_err(|_| invalid())?,
        };
        let ack = match ack {
            None => None,
            Some(ack) => Some(match from_letters(ack) {
                Some(sequence) => u64::try_from(sequence).map_err(|_| invalid())?,
                None => ack.parse().map_err(|_| invalid())?,
            }),
        };
        Ok(Cursor { session, ack })
    }

    /// The cursor of `session` after the event of sequence `ack`.
    fn text(session: Uuid, ack: u64) -> String {
        format!("{}.{}", to_letters(session.as_u128(), 32), to_letters(u128::from(ack), 1))
    }

    /// The session alone, as events name it.
    fn session_text(session: Uuid) -> String {
        to_letters(session.as_u128(), 32)
    }
}

/// `value` in hexadecimal written with the letters `a`–`p` for 0–15, at least `width` of them.
fn to_letters(value: u128, width: usize) -> String {
    let digits = format!("{value:0width$x}");
    digits.bytes().map(|digit| char::from(b'a' + (digit as char).to_digit(16).unwrap_or(0) as u8)).collect()
}

/// Reads [`to_letters`]' form (any case); `None` for anything else or more than 32 letters.
fn from_letters(text: &str) -> Option<u128> {
    if text.is_empty() || text.len() > 32 {
        return None;
    }
    text.bytes().try_fold(0u128, |value, letter| match letter.to_ascii_lowercase() {
        digit @ b'a'..=b'p' => Some(value << 4 | u128::from(digit - b'a')),
        _ => None,
    })
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

/// `POST /agent-sessions/join` with `{"asAgentId"}`: that agent's active session. An empty
/// `asAgentId` is the token's own agent: NICE's agent SDK sends `""` when its host names none.
async fn join_session(State(state): State<Shared>, caller: Caller, body: Bytes) -> Result<Response, ApiError> {
    let agent = caller.agent_id()?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON", e.to_string()))?;
    let joined = match value.get("asAgentId") {
        Some(Value::String(id)) if id.is_empty() => agent.to_owned(),
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
        customer: None,
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
            fields.insert("SessionId".into(), json!(Cursor::session_text(session)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_letters_that_never_hold_60_and_read_back() {
        // UUIDs and sequences whose decimal or hexadecimal forms hold "60".
        let sessions = [Uuid::parse_str("0158e11f-5d25-403b-aebc-f03f36685964").unwrap(), Uuid::from_u128(0x6060_6060)];
        for session in sessions {
            for ack in [0, 60, 96, 160, 600, 0x60, u64::MAX] {
                let text = Cursor::text(session, ack);
                assert!(
                    !text.contains("60") && text.bytes().all(|b| b == b'.' || (b'a'..=b'p').contains(&b)),
                    "{text}"
                );
                let read = Cursor::parse(&text).unwrap();
                assert_eq!((read.session, read.ack), (session, Some(ack)));
                assert_eq!(Cursor::parse(&text.to_ascii_uppercase()).unwrap().ack, Some(ack), "any case");
            }
            let bare = Cursor::parse(&Cursor::session_text(session)).unwrap();
            assert_eq!((bare.session, bare.ack), (session, None));
            // The older `<uuid>.<sequence>` form still reads.
            let old = Cursor::parse(&format!("{session}.7")).unwrap();
            assert_eq!((old.session, old.ack), (session, Some(7)));
        }
        for bad in ["", "abc", "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.z", "x.1"] {
            assert!(Cursor::parse(bad).is_err(), "{bad}");
        }
        let too_big = format!("{}.{}", Cursor::session_text(Uuid::nil()), "p".repeat(17));
        assert!(Cursor::parse(&too_big).is_err(), "a sequence over 64 bits");
    }
}
