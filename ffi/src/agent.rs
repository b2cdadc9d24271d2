//! Agent event queues (SPEC §5).

use crate::cancel::JourneyCancel;
use crate::error::guard;
use crate::handles::{JourneyEngine, live_engine};
use crate::status::JourneyStatus;
use crate::strings::{give_json, out_string, text};
use journey_core::CustomEventRequest;
use std::ffi::c_char;

/// Logs an agent in, or returns the agent's active session. `*session` receives `{"sessionId"}`;
/// free it with `journey_string_free`. The queue starts with `AgentSessionStart`, then the events
/// persisted for the agent, in the order they were sent.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param agent_id The agent logging in.
/// @param session Receives `{"sessionId"}`; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT` (empty id), `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `agent_id` is a NUL-terminated string; `session` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_start_agent_session(
    engine: *const JourneyEngine,
    agent_id: *const c_char,
    session: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(session, "session")?;
        give_json(slot, &live_engine(engine)?.start_agent_session(text(agent_id, "agent_id")?)?);
        Ok(())
    })
}

/// Logs an agent session out. Threads blocked in `journey_next_events` on it return
/// `{"status":"sessionEnded"}`. Undelivered events sent with `persist_in_memory` wait for the next
/// login; the others are dropped and counted. Ending an ended session does nothing.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param session_id A session id from journey_start_agent_session().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_SESSION`, `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `session_id` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_end_agent_session(
    engine: *const JourneyEngine,
    session_id: *const c_char,
) -> JourneyStatus {
    guard(|| unsafe { Ok(live_engine(engine)?.end_agent_session(text(session_id, "session_id")?)?) })
}

/// Sends a custom event to an agent (NICE CXone's CustomEvent). `event_name` is case-sensitive; a
/// newer event of the same name replaces an undelivered one. `*result` receives
/// `{"delivery":"queued"|"persisted"|"agentNotConnected","overwritten":bool}`; free it with
/// `journey_string_free`. Never waits for a poller.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param agent_id The receiving agent.
/// @param event_name The event's name (case-sensitive); it replaces an undelivered event of
///            the same name.
/// @param data The payload, an opaque string of at most `maxCustomEventData` bytes.
/// @param persist_in_memory Keep the event for an agent who is not logged in.
/// @param result Receives `{"delivery","overwritten"}`; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_QUEUE_FULL` (nothing already queued is lost),
///         `JOURNEY_INVALID_ARGUMENT` (empty name or id, data over `maxCustomEventData`),
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; the strings are NUL-terminated; `result` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_send_custom_event(
    engine: *const JourneyEngine,
    agent_id: *const c_char,
    event_name: *const c_char,
    data: *const c_char,
    persist_in_memory: bool,
    result: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(result, "result")?;
        let request = CustomEventRequest::new(
            text(agent_id, "agent_id")?,
            text(event_name, "event_name")?,
            text(data, "data")?,
            persist_in_memory,
        );
        give_json(slot, &live_engine(engine)?.send_custom_event(&request)?);
        Ok(())
    })
}

/// The `max` of `journey_next_events` that asks for the default number of events (100).
pub const JOURNEY_DEFAULT_MAX_EVENTS: u32 = u32::MAX;

/// The `ack` of `journey_next_events` that acknowledges what the previous poll returned: the usual
/// loop, where asking again means the last answer arrived (SPEC §5.1).
pub const JOURNEY_IMPLICIT_ACK: u64 = u64::MAX;

/// The long poll (get-next-event). Returns at once when events are waiting; otherwise blocks the
/// calling thread, and only it, until an event is sent, the session ends, or `timeout_ms` (clamped
/// to 0..60000) passes. `max` is the most events to return, or `JOURNEY_DEFAULT_MAX_EVENTS` for the
/// default (100); 0 is `JOURNEY_INVALID_ARGUMENT`, as in every language.
///
/// Delivery is at least once (SPEC §5.1): returned events stay pending until acknowledged. `ack` is
/// the `sequence` of the last event you fully received (events up to it are removed first), or
/// `JOURNEY_IMPLICIT_ACK` to acknowledge everything the previous poll returned. A caller that lost
/// an answer hands its events back with `journey_release`.
///
/// `cancel` (NULL for none) lets another thread stop the wait with `journey_cancel`: the call then
/// returns `JOURNEY_CANCELLED`, having taken nothing, so nothing is lost.
///
/// `*result` receives `{"status":"events","events":[…]}`, `{"status":"timeout"}` or
/// `{"status":"sessionEnded"}`; free it with `journey_string_free`.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param session_id The agent session to poll.
/// @param timeout_ms How long to wait for an event, clamped to 0..60000.
/// @param max The most events to return, 1..1000; JOURNEY_DEFAULT_MAX_EVENTS for the default.
/// @param ack The sequence of the last event fully received, or JOURNEY_IMPLICIT_ACK to
///            acknowledge what the previous poll returned.
/// @param cancel NULL, or a token from journey_cancel_new() that another thread may cancel.
/// @param result Receives `{"status","events"?}`; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_CANCELLED`, `JOURNEY_INVALID_SESSION`, `JOURNEY_INVALID_ARGUMENT` (`max` 0),
///         `JOURNEY_IO_ERROR` (a durable engine could not record what the poll took),
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe: any number of threads may poll, send and end sessions at once.
///
/// # Safety
/// `engine` is a live engine; `session_id` is a NUL-terminated string; `cancel` is NULL or a live
/// token; `result` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_next_events(
    engine: *const JourneyEngine,
    session_id: *const c_char,
    timeout_ms: i64,
    max: u32,
    ack: u64,
    cancel: *const JourneyCancel,
    result: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(result, "result")?;
        let max = (max != JOURNEY_DEFAULT_MAX_EVENTS).then_some(max as usize);
        let ack = (ack != JOURNEY_IMPLICIT_ACK).then_some(ack);
        let session = text(session_id, "session_id")?;
        let engine = live_engine(engine)?;
        let events = match cancel.as_ref() {
            None => engine.next_events(session, timeout_ms, max, ack)?,
            Some(cancel) => crate::cancel::next_events(engine, session, timeout_ms, max, ack, cancel)?,
        };
        give_json(slot, &events);
        Ok(())
    })
}

/// Hands back the events from `from_sequence` on that a poll returned but you never received (the
/// thread that asked was cancelled, the answer was lost): the next poll returns them again, with
/// their sequences, and they are counted in `customEventsRedelivered`.
///
/// `*result` receives `{"released": n}`; free it with `journey_string_free`.
///
/// @param engine A live engine.
/// @param session_id The agent session.
/// @param from_sequence The first sequence you did not receive.
/// @param result Receives the result JSON.
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_SESSION`, `JOURNEY_IO_ERROR`, `JOURNEY_NULL_ARGUMENT`,
///         `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `session_id` is a NUL-terminated string; `result` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_release(
    engine: *const JourneyEngine,
    session_id: *const c_char,
    from_sequence: u64,
    result: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(result, "result")?;
        let session = text(session_id, "session_id")?;
        give_json(slot, &live_engine(engine)?.release(session, from_sequence)?);
        Ok(())
    })
}
