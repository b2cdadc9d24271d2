//! Agent event queues (SPEC §5): custom events sent to an agent and collected with a long poll,
//! after NICE CXone's CustomEvent action and get-next-event API.
//!
//! This module has the JSON forms. `queue` is the registry of agents and their sessions (login,
//! logout), `agent_state` one agent's queues, `send` a custom event's way in, `delivery` the long
//! poll's way out with at-least-once delivery, and `persisted` the events kept for agents who are
//! not logged in; `waiting` is what a poll leaves behind while it waits. `outbox` holds the custom
//! events a partition's action maps fired for agents in other partitions, until the host forwards
//! them.
//!
//! Choices where the spec is silent (docs/decisions.md):
//! - Agent session ids are random (UUIDv4) and recorded in the journal, so no id is ever given out
//!   twice, even across restarts.
//! - `sequence` is given when an event enters a session's queue, so it increases in queue order;
//!   persisted events get theirs at the next login, after `AgentSessionStart`.
//! - `maxPendingPerAgent` counts custom events waiting for the agent (queued or persisted), not the
//!   `AgentSessionStart` marker. A same-name overwrite does not add one, so it is allowed when full.
//! - A send that is dropped (`agentNotConnected`) replaces nothing.
//! - The ids of an agent's last [`ENDED_SESSIONS_KEPT`] ended sessions still answer `sessionEnded`;
//!   older ones are forgotten (`INVALID_SESSION`), so memory does not grow with every login.

mod agent_state;
mod delivery;
mod erase;
mod outbox;
mod persisted;
mod queue;
mod saved_v6;
mod send;
#[cfg(test)]
mod tests;
pub(crate) mod waiting;

pub(crate) use agent_state::AgentState;
pub(crate) use delivery::{Ready, Taken};
pub(crate) use outbox::Outbox;
pub use outbox::{AcknowledgeOutboxInput, OUTBOX_LIMIT, OUTBOX_PAGE, OutboxEntry, OutboxQuery};
pub(crate) use queue::{AgentQueues, QueueLimits};
pub(crate) use saved_v6::SavedWithoutMarks;

use crate::base::error::{JourneyError, Result};
use serde::{Deserialize, Serialize};
use std::time::{Duration as StdDuration, Instant};
use uuid::Uuid;

/// One agent as a snapshot saves it: its id and everything known about it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Saved {
    pub id: Box<str>,
    pub state: AgentState,
}

/// Longest long poll, in milliseconds; longer timeouts are clamped to it.
pub const MAX_TIMEOUT_MS: i64 = 60_000;
/// Events returned by one `next_events` when `max` is not given.
pub const DEFAULT_MAX_EVENTS: usize = 100;
/// How long a poll waits for an event when its caller does not say: not at all (SPEC §5). A long
/// poll is an explicit choice. Bindings take this rather than writing their own 0.
pub const DEFAULT_TIMEOUT_MS: i64 = 0;
/// How many ended sessions per agent still answer `sessionEnded`.
pub const ENDED_SESSIONS_KEPT: usize = 8;

/// What kind of event an agent receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum AgentEventType {
    /// The first event of every agent session.
    AgentSessionStart,
    /// An event sent with `send_custom_event`.
    CustomEvent,
}

/// One event delivered to an agent: `{"type","eventName","data","agentId","createdDate","sequence"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentEvent {
    /// `CustomEvent` or `AgentSessionStart`.
    #[serde(rename = "type")]
    pub event_type: AgentEventType,
    /// The custom event's name (case-sensitive), or `AgentSessionStart`.
    pub event_name: String,
    /// The payload, as sent (empty for `AgentSessionStart`).
    pub data: String,
    /// The receiving agent.
    pub agent_id: String,
    /// The engine's `now` when the event was sent.
    pub created_date: String,
    /// Increases per agent, in delivery order.
    pub sequence: u64,
}

/// The input of `send_custom_event`: `{"agentId","eventName","data","persistInMemory","customer"?}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomEventRequest {
    /// The target agent.
    pub agent_id: String,
    /// The event name; case-sensitive; a newer event of the same name replaces an undelivered one.
    pub event_name: String,
    /// The payload.
    #[serde(default)]
    pub data: String,
    /// Keep the event for an agent who is not logged in.
    #[serde(default)]
    pub persist_in_memory: bool,
    /// The customer the event is about, when the host marks it: `erase` of that customer's
    /// profile removes the event from the agent's queue (docs/identity.md, "Erasure").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<crate::model::event::Customer>,
}

impl CustomEventRequest {
    /// A request where a binding's caller may leave out `data` (empty) and `persistInMemory`
    /// (false): the defaults are the request type's, the same as in its JSON form.
    pub fn with_defaults(
        agent_id: impl Into<String>,
        event_name: impl Into<String>,
        data: Option<String>,
        persist_in_memory: Option<bool>,
    ) -> Self {
        CustomEventRequest::new(agent_id, event_name, data.unwrap_or_default(), persist_in_memory.unwrap_or_default())
    }

    /// A request to send `event_name` with `data` to `agent_id`.
    pub fn new(
        agent_id: impl Into<String>,
        event_name: impl Into<String>,
        data: impl Into<String>,
        persist_in_memory: bool,
    ) -> Self {
        CustomEventRequest {
            agent_id: agent_id.into(),
            event_name: event_name.into(),
            data: data.into(),
            persist_in_memory,
            customer: None,
        }
    }
}

/// Where a custom event went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Delivery {
    /// Put on the agent's current session queue.
    Queued,
    /// Kept for the agent's next login.
    Persisted,
    /// Dropped: the agent is not logged in and the event was not to be persisted.
    AgentNotConnected,
}

/// The result of `send_custom_event`: `{"delivery","overwritten"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SendResult {
    /// Where the event went.
    pub delivery: Delivery,
    /// Whether it replaced an undelivered event of the same name.
    pub overwritten: bool,
}

/// The result of `start_agent_session`: `{"sessionId"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentSession {
    /// The agent session's id.
    pub session_id: Uuid,
}

/// The input of `next_events`: `{"sessionId","timeoutMs","max"?,"ack"?}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NextEventsRequest {
    /// The agent session to poll.
    pub session_id: String,
    /// How long to wait when nothing is queued, in milliseconds; clamped to 0..60000 (default 0,
    /// [`DEFAULT_TIMEOUT_MS`]: answer at once).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: i64,
    /// Most events to return (default 100).
    pub max: Option<usize>,
    /// The sequence of the last event the caller has fully received (SPEC §5.1): events up to it
    /// are acknowledged and removed. Without it, the poll acknowledges what the previous poll
    /// on the session returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<u64>,
}

fn default_timeout_ms() -> i64 {
    DEFAULT_TIMEOUT_MS
}

/// The input of `release`: `{"sessionId","fromSequence"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseRequest {
    /// The agent session whose poll's answer was lost.
    pub session_id: String,
    /// The first sequence the caller did not receive.
    pub from_sequence: u64,
}

/// The result of `release`: `{"released"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Released {
    /// How many events were handed back.
    pub released: usize,
}

/// The result of `next_events` (CXone's 200, 304 and 409).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "NextEventsResult"))]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum NextEvents {
    /// Events, in send order.
    Events {
        /// The events taken from the queue.
        events: Vec<AgentEvent>,
    },
    /// Nothing arrived before the timeout.
    Timeout,
    /// The session ended.
    SessionEnded,
}

/// The number of events one poll may return: `max`, or [`DEFAULT_MAX_EVENTS`].
pub(crate) fn max_events(max: Option<usize>) -> Result<usize> {
    match max {
        None => Ok(DEFAULT_MAX_EVENTS),
        Some(0) => Err(JourneyError::invalid_argument("max must be at least 1")),
        Some(n) => Ok(n),
    }
}

/// When a poll of `timeout_ms` (clamped to 0..60000) gives up.
pub(crate) fn deadline(timeout_ms: i64) -> Instant {
    Instant::now() + StdDuration::from_millis(timeout_ms.clamp(0, MAX_TIMEOUT_MS) as u64)
}

fn check_name(field: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() {
        return Err(JourneyError::invalid_argument(format!("{field} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(JourneyError::invalid_argument(format!("{field} is longer than {max} characters")));
    }
    Ok(())
}

fn invalid_session(session_id: &str) -> JourneyError {
    JourneyError::InvalidSession(format!("no agent session '{}'", crate::base::text::clip(session_id)))
}
