//! Agent event queues (SPEC §5): custom events sent to an agent and collected with a long poll,
//! after NICE CXone's CustomEvent action and get-next-event API.
//!
//! Each agent has one mutex and one condition variable. A sender takes the mutex only to push an
//! event and wake the pollers, so senders never wait for a poller; a poller sleeps on the condition
//! variable (no sleeping loop, no busy wait) and wakes when an event arrives, its session ends or its
//! deadline passes.
//!
//! Choices where the spec is silent (docs/decisions.md):
//! - Agent session ids are UUIDv5 of `agent-session:<agentId>:<login number>`, so they are the same
//!   in every run and every language.
//! - `sequence` is given when an event enters a session's queue, so it increases in queue order;
//!   persisted events get theirs at the next login, after `AgentSessionStart`.
//! - `maxPendingPerAgent` counts custom events waiting for the agent (queued or persisted), not the
//!   `AgentSessionStart` marker. A same-name overwrite does not add one, so it is allowed when full.
//! - A send that is dropped (`agentNotConnected`) replaces nothing.
//! - The ids of an agent's last [`ENDED_SESSIONS_KEPT`] ended sessions still answer `sessionEnded`;
//!   older ones are forgotten (`INVALID_SESSION`), so memory does not grow with every login.

use crate::error::{JourneyError, Result};
use crate::event::NAMESPACE;
use crate::shard::{FastMap, Sharded};
use crate::stats::{Counter, Counters};
use crate::time::{Millis, format_millis};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration as StdDuration, Instant};
use uuid::Uuid;

/// Longest long poll, in milliseconds; longer timeouts are clamped to it.
pub const MAX_TIMEOUT_MS: i64 = 60_000;
/// Events returned by one `next_events` when `max` is not given.
pub const DEFAULT_MAX_EVENTS: usize = 100;
/// How many ended sessions per agent still answer `sessionEnded`.
pub const ENDED_SESSIONS_KEPT: usize = 8;

/// What kind of event an agent receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgentEventType {
    /// The first event of every agent session.
    AgentSessionStart,
    /// An event sent with `send_custom_event`.
    CustomEvent,
}

/// One event delivered to an agent: `{"type","eventName","data","agentId","createdDate","sequence"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// The input of `send_custom_event`: `{"agentId","eventName","data","persistInMemory"}`.
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
}

impl CustomEventRequest {
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
        }
    }
}

/// Where a custom event went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[serde(rename_all = "camelCase")]
pub struct SendResult {
    /// Where the event went.
    pub delivery: Delivery,
    /// Whether it replaced an undelivered event of the same name.
    pub overwritten: bool,
}

/// The result of `start_agent_session`: `{"sessionId"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSession {
    /// The agent session's id.
    pub session_id: Uuid,
}

/// The input of `next_events`: `{"sessionId","timeoutMs","max"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NextEventsRequest {
    /// The agent session to poll.
    pub session_id: String,
    /// How long to wait when nothing is queued; clamped to 0..60000.
    #[serde(default)]
    pub timeout_ms: i64,
    /// Most events to return (default 100).
    pub max: Option<usize>,
}

/// The result of `next_events` (CXone's 200, 304 and 409).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// An event waiting for an agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    event_type: AgentEventType,
    event_name: String,
    data: String,
    created: Millis,
    persist: bool,
    /// Given when the event enters a session's queue.
    sequence: u64,
}

impl Pending {
    fn into_event(self, agent_id: &str) -> AgentEvent {
        AgentEvent {
            event_type: self.event_type,
            event_name: self.event_name,
            data: self.data,
            agent_id: agent_id.to_owned(),
            created_date: format_millis(self.created),
            sequence: self.sequence,
        }
    }
}

/// Everything known about one agent, behind the agent's mutex; a snapshot keeps it whole.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct AgentState {
    /// The current session and its queue.
    session: Option<(Uuid, VecDeque<Pending>)>,
    /// Events kept for the next login (persistInMemory), in send order.
    persisted: VecDeque<Pending>,
    /// Recently ended session ids, oldest first.
    ended: VecDeque<Uuid>,
    logins: u64,
    next_sequence: u64,
}

impl AgentState {
    /// Custom events waiting for the agent, queued or persisted.
    fn pending(&self) -> usize {
        let queued = self
            .session
            .as_ref()
            .map_or(0, |(_, queue)| queue.iter().filter(|p| p.event_type == AgentEventType::CustomEvent).count());
        queued + self.persisted.len()
    }

    fn sequence(&mut self) -> u64 {
        self.next_sequence += 1;
        self.next_sequence
    }
}

/// One agent: its state and the condition variable its pollers wait on.
#[derive(Debug, Default)]
struct Agent {
    id: Box<str>,
    state: Mutex<AgentState>,
    ready: Condvar,
}

impl Agent {
    fn lock(&self) -> MutexGuard<'_, AgentState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Every agent's queues.
#[derive(Default)]
pub(crate) struct AgentQueues {
    agents: Sharded<FastMap<Box<str>, Arc<Agent>>>,
    /// Agent session id (current or recently ended) → agent.
    sessions: Sharded<FastMap<Uuid, Arc<Agent>>>,
}

/// Limits that apply to agent queues.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueueLimits {
    pub max_pending: usize,
    pub max_data: usize,
    pub max_string: usize,
}

impl AgentQueues {
    fn agent(&self, agent_id: &str) -> Arc<Agent> {
        let mut agents = self.agents.lock(agent_id);
        if let Some(agent) = agents.get(agent_id) {
            return agent.clone();
        }
        let agent = Arc::new(Agent { id: agent_id.into(), ..Agent::default() });
        agents.insert(agent_id.into(), agent.clone());
        agent
    }

    fn session(&self, session_id: &str) -> Result<(Uuid, Arc<Agent>)> {
        let id = Uuid::try_parse(session_id).map_err(|_| invalid_session(session_id))?;
        let agent = self.sessions.lock(&id).get(&id).cloned().ok_or_else(|| invalid_session(session_id))?;
        Ok((id, agent))
    }

    /// The number of agents ever seen.
    pub fn count(&self) -> usize {
        let mut count = 0;
        self.agents.each(|shard| count += shard.len());
        count
    }

    /// Calls `visit` on every agent's id and state.
    pub fn each(&self, mut visit: impl FnMut(&str, &AgentState)) {
        self.agents.each(|shard| shard.values().for_each(|agent| visit(&agent.id, &agent.lock())));
    }

    /// Puts back an agent read from a snapshot, with its current and recently ended session ids.
    pub fn restore(&self, agent_id: &str, state: AgentState) {
        let sessions: Vec<Uuid> = state.session.iter().map(|(id, _)| *id).chain(state.ended.iter().copied()).collect();
        let agent = Arc::new(Agent { id: agent_id.into(), state: Mutex::new(state), ready: Condvar::new() });
        for id in sessions {
            self.sessions.lock(&id).insert(id, agent.clone());
        }
        self.agents.lock(agent_id).insert(agent_id.into(), agent);
    }

    /// Starts (or returns) the agent's session, queueing `AgentSessionStart` and persisted events.
    pub fn start(&self, agent_id: &str, now: Millis, limits: QueueLimits) -> Result<AgentSession> {
        check_name("agentId", agent_id, limits.max_string)?;
        let agent = self.agent(agent_id);
        let mut state = agent.lock();
        if let Some((session_id, _)) = state.session {
            return Ok(AgentSession { session_id });
        }
        state.logins += 1;
        let session_id = Uuid::new_v5(&NAMESPACE, format!("agent-session:{agent_id}:{}", state.logins).as_bytes());
        let start = Pending {
            event_type: AgentEventType::AgentSessionStart,
            event_name: "AgentSessionStart".to_owned(),
            data: String::new(),
            created: now,
            persist: false,
            sequence: state.sequence(),
        };
        let mut queue = VecDeque::with_capacity(state.persisted.len() + 1);
        queue.push_back(start);
        while let Some(mut event) = state.persisted.pop_front() {
            event.sequence = state.sequence();
            queue.push_back(event);
        }
        state.session = Some((session_id, queue));
        drop(state);
        self.sessions.lock(&session_id).insert(session_id, agent.clone());
        agent.ready.notify_all();
        Ok(AgentSession { session_id })
    }

    /// Ends a session: wakes its pollers, keeps persisted events, drops and counts the others.
    pub fn end(&self, session_id: &str, counters: &Counters) -> Result<()> {
        let (id, agent) = self.session(session_id)?;
        let mut state = agent.lock();
        let queue = match state.session.take() {
            Some((current, queue)) if current == id => queue,
            other => {
                state.session = other; // an ended session: ending it again changes nothing
                return Ok(());
            }
        };
        let mut dropped = 0;
        for event in queue.into_iter().filter(|e| e.event_type == AgentEventType::CustomEvent) {
            if event.persist {
                state.persisted.push_back(event);
            } else {
                dropped += 1;
            }
        }
        state.ended.push_back(id);
        let forgotten = (state.ended.len() > ENDED_SESSIONS_KEPT).then(|| state.ended.pop_front()).flatten();
        drop(state);
        agent.ready.notify_all();
        counters.add(Counter::CustomEventsDropped, dropped);
        if let Some(old) = forgotten {
            self.sessions.lock(&old).remove(&old);
        }
        Ok(())
    }

    /// Sends a custom event to an agent (SPEC §5).
    pub fn send(
        &self,
        request: &CustomEventRequest,
        now: Millis,
        limits: QueueLimits,
        counters: &Counters,
    ) -> Result<SendResult> {
        check_name("agentId", &request.agent_id, limits.max_string)?;
        check_name("eventName", &request.event_name, limits.max_string)?;
        if request.data.len() > limits.max_data {
            return Err(JourneyError::invalid_argument(format!(
                "data is {} bytes; at most {} are allowed (maxCustomEventData)",
                request.data.len(),
                limits.max_data
            )));
        }
        let agent = self.agent(&request.agent_id);
        let mut state = agent.lock();
        if state.session.is_none() && !request.persist_in_memory {
            counters.add(Counter::CustomEventsDropped, 1);
            return Ok(SendResult { delivery: Delivery::AgentNotConnected, overwritten: false });
        }
        let overwritten = remove_same_name(&mut state, &request.event_name);
        if !overwritten && state.pending() >= limits.max_pending {
            return Err(JourneyError::QueueFull(format!(
                "agent '{}' has {} undelivered events (maxPendingPerAgent)",
                request.agent_id, limits.max_pending
            )));
        }
        let mut event = Pending {
            event_type: AgentEventType::CustomEvent,
            event_name: request.event_name.clone(),
            data: request.data.clone(),
            created: now,
            persist: request.persist_in_memory,
            sequence: 0,
        };
        let delivery = if state.session.is_some() {
            event.sequence = state.sequence();
            if let Some((_, queue)) = state.session.as_mut() {
                queue.push_back(event);
            }
            Delivery::Queued
        } else {
            // A persisted event gets its sequence number at the next login.
            state.persisted.push_back(event);
            Delivery::Persisted
        };
        drop(state);
        agent.ready.notify_all();
        counters.add(Counter::CustomEventsOverwritten, overwritten as u64);
        counters.add(
            if delivery == Delivery::Queued { Counter::CustomEventsQueued } else { Counter::CustomEventsPersisted },
            1,
        );
        Ok(SendResult { delivery, overwritten })
    }

    /// Waits until the session has events, ends, or `deadline` passes. Takes nothing: the caller
    /// takes with [`AgentQueues::take`], which may find the events gone to another poller.
    pub fn wait_ready(&self, session_id: &str, deadline: Instant) -> Result<Ready> {
        let (id, agent) = self.session(session_id)?;
        let mut state = agent.lock();
        loop {
            let ended = state.ended.contains(&id);
            match state.session.as_ref() {
                Some((current, queue)) if *current == id && !queue.is_empty() => return Ok(Ready::Events),
                Some((current, _)) if *current == id => {}
                _ if ended => return Ok(Ready::SessionEnded),
                _ => return Err(invalid_session(session_id)),
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Ready::Timeout);
            }
            state = agent.ready.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// Takes up to `max` waiting events without waiting: `Timeout` when there are none.
    pub fn take(&self, session_id: &str, max: usize) -> Result<NextEvents> {
        let (id, agent) = self.session(session_id)?;
        let mut state = agent.lock();
        let ended = state.ended.contains(&id);
        match state.session.as_mut() {
            Some((current, queue)) if *current == id => {
                if queue.is_empty() {
                    return Ok(NextEvents::Timeout);
                }
                let taken: Vec<Pending> = queue.drain(..max.min(queue.len())).collect();
                Ok(NextEvents::Events { events: taken.into_iter().map(|p| p.into_event(&agent.id)).collect() })
            }
            _ if ended => Ok(NextEvents::SessionEnded),
            _ => Err(invalid_session(session_id)),
        }
    }
}

/// What a waiting poller found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ready {
    /// Events are waiting.
    Events,
    /// The deadline passed with none.
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

/// Removes an undelivered custom event called `name`, queued or persisted; true if there was one.
fn remove_same_name(state: &mut AgentState, name: &str) -> bool {
    let same = |p: &Pending| p.event_type == AgentEventType::CustomEvent && p.event_name == name;
    let queue = state.session.as_mut().map(|(_, queue)| queue);
    for list in queue.into_iter().chain(std::iter::once(&mut state.persisted)) {
        if let Some(index) = list.iter().position(same) {
            list.remove(index);
            return true;
        }
    }
    false
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
    JourneyError::InvalidSession(format!("no agent session '{session_id}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: QueueLimits = QueueLimits { max_pending: 3, max_data: 10, max_string: 64 };

    fn send(queues: &AgentQueues, name: &str, persist: bool, counters: &Counters) -> Result<SendResult> {
        let request = CustomEventRequest {
            agent_id: "a1".into(),
            event_name: name.into(),
            data: format!("d-{name}"),
            persist_in_memory: persist,
        };
        queues.send(&request, 0, LIMITS, counters)
    }

    fn poll(queues: &AgentQueues, id: &str) -> Result<NextEvents> {
        match queues.wait_ready(id, deadline(0))? {
            Ready::Events => queues.take(id, DEFAULT_MAX_EVENTS),
            Ready::Timeout => Ok(NextEvents::Timeout),
            Ready::SessionEnded => Ok(NextEvents::SessionEnded),
        }
    }

    fn names(result: NextEvents) -> Vec<String> {
        match result {
            NextEvents::Events { events } => events.into_iter().map(|e| e.event_name).collect(),
            other => panic!("expected events, got {other:?}"),
        }
    }

    #[test]
    fn start_is_idempotent_and_queues_the_start_marker_first() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        send(&queues, "kept", true, &counters).unwrap();
        let session = queues.start("a1", 0, LIMITS).unwrap();
        assert_eq!(queues.start("a1", 0, LIMITS).unwrap(), session);
        let id = session.session_id.to_string();
        assert_eq!(names(poll(&queues, &id).unwrap()), ["AgentSessionStart", "kept"]);
        assert_eq!(poll(&queues, &id).unwrap(), NextEvents::Timeout);
    }

    #[test]
    fn queue_full_loses_nothing_and_overwrite_is_still_allowed() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        let id = queues.start("a1", 0, LIMITS).unwrap().session_id.to_string();
        for name in ["a", "b", "c"] {
            send(&queues, name, false, &counters).unwrap();
        }
        assert_eq!(send(&queues, "d", false, &counters).unwrap_err().code(), "QUEUE_FULL");
        assert!(send(&queues, "a", false, &counters).unwrap().overwritten);
        assert_eq!(names(poll(&queues, &id).unwrap()), ["AgentSessionStart", "b", "c", "a"]);
    }

    #[test]
    fn bad_arguments_are_refused() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        let too_big = CustomEventRequest {
            agent_id: "a1".into(),
            event_name: "n".into(),
            data: "x".repeat(11),
            persist_in_memory: false,
        };
        assert_eq!(queues.send(&too_big, 0, LIMITS, &counters).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(queues.start("", 0, LIMITS).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(poll(&queues, "nope").unwrap_err().code(), "INVALID_SESSION");
        assert_eq!(max_events(Some(0)).unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn old_ended_sessions_are_forgotten() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        let ids: Vec<String> = (0..=ENDED_SESSIONS_KEPT)
            .map(|_| {
                let id = queues.start("a1", 0, LIMITS).unwrap().session_id.to_string();
                queues.end(&id, &counters).unwrap();
                id
            })
            .collect();
        assert_eq!(poll(&queues, &ids[0]).unwrap_err().code(), "INVALID_SESSION");
        assert_eq!(poll(&queues, &ids[ENDED_SESSIONS_KEPT]).unwrap(), NextEvents::SessionEnded);
    }
}
