//! Every agent's queue, and delivery that loses nothing between the queue and the caller (SPEC §5.1).
//!
//! A poll does not remove what it returns: returned events stay pending, marked `returned`, until the
//! caller acknowledges them (`ack: n`, or implicitly by polling again). A caller that never received
//! a poll's answer hands its events back with `release`, and the next poll returns them again with
//! their original sequence numbers, counted as redeliveries.
//!
//! Each agent has one mutex and one condition variable. A sender takes the mutex only to push an
//! event and wake the pollers, so senders never wait for a poller; a poller sleeps on the condition
//! variable and wakes when an event arrives, its session ends or its deadline passes. Waiting and
//! taking are separate steps ([`AgentQueues::wait_ready`], [`AgentQueues::take`]), so that taking,
//! which a durable engine journals, runs as one ordered change while waiting holds no lock of the
//! engine's.

use super::waiting::{Timer, WatchId};
use super::{
    AgentEvent, AgentEventType, AgentSession, CustomEventRequest, Delivery, ENDED_SESSIONS_KEPT, NextEvents,
    SendResult, check_name, invalid_session,
};
use crate::base::error::{JourneyError, Result};
use crate::base::shard::{FastMap, Sharded};
use crate::base::time::{Millis, format_millis};
use crate::model::event::NAMESPACE;
use crate::state::stats::{Counter, Counters};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::Waker;
use std::time::Instant;
use uuid::Uuid;

/// An event waiting for an agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Pending {
    event_type: AgentEventType,
    event_name: String,
    data: String,
    created: Millis,
    persist: bool,
    /// Given when the event enters a session's queue.
    sequence: u64,
    /// Returned by a poll at least once: returning it again counts as a redelivery, and a newer
    /// event of the same name no longer replaces it.
    ever_returned: bool,
}

impl Pending {
    fn new(event_type: AgentEventType, event_name: &str, data: &str, created: Millis, persist: bool) -> Pending {
        Pending {
            event_type,
            event_name: event_name.to_owned(),
            data: data.to_owned(),
            created,
            persist,
            sequence: 0,
            ever_returned: false,
        }
    }

    fn to_event(&self, agent_id: &str) -> AgentEvent {
        AgentEvent {
            event_type: self.event_type,
            event_name: self.event_name.clone(),
            data: self.data.clone(),
            agent_id: agent_id.to_owned(),
            created_date: format_millis(self.created),
            sequence: self.sequence,
        }
    }

    fn is_custom(&self) -> bool {
        self.event_type == AgentEventType::CustomEvent
    }
}

/// An agent's current session: its id and the events not yet acknowledged, in sequence order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SessionQueue {
    id: Uuid,
    events: VecDeque<Pending>,
    /// The highest sequence the latest poll returned, until it is acknowledged: a poll without `ack`
    /// acknowledges through it (asking again means the last answer arrived).
    returned_through: Option<u64>,
}

impl SessionQueue {
    /// Removes the events up to `through` and forgets what the latest poll returned.
    fn acknowledge(&mut self, through: u64) -> bool {
        let before = (self.events.len(), self.returned_through);
        while self.events.front().is_some_and(|e| e.sequence <= through) {
            self.events.pop_front();
        }
        self.returned_through = None;
        before != (self.events.len(), self.returned_through)
    }

    /// What a poll with `ack` acknowledges: `ack`, or what the latest poll returned.
    fn acknowledged_through(&self, ack: Option<u64>) -> u64 {
        ack.or(self.returned_through).unwrap_or(0)
    }

    /// Whether a poll with `ack` would return anything.
    fn has_events_after(&self, through: u64) -> bool {
        self.events.back().is_some_and(|e| e.sequence > through)
    }
}

/// Everything known about one agent, behind the agent's mutex; a snapshot keeps it whole.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct AgentState {
    /// The current session and its queue.
    session: Option<SessionQueue>,
    /// Events kept for the next login (persistInMemory), in send order.
    persisted: VecDeque<Pending>,
    /// Recently ended session ids, oldest first.
    ended: VecDeque<Uuid>,
    logins: u64,
    next_sequence: u64,
}

impl AgentState {
    /// Custom events waiting for the agent, queued (returned or not) or persisted.
    fn pending(&self) -> usize {
        let queued = self.session.as_ref().map_or(0, |s| s.events.iter().filter(|p| p.is_custom()).count());
        queued + self.persisted.len()
    }

    fn sequence(&mut self) -> u64 {
        self.next_sequence += 1;
        self.next_sequence
    }

    /// The queue of session `id`; `Ok(None)` when it has ended, `INVALID_SESSION` otherwise.
    fn queue(&mut self, id: Uuid, session_id: &str) -> Result<Option<&mut SessionQueue>> {
        let ended = self.ended.contains(&id);
        match self.session.as_mut() {
            Some(queue) if queue.id == id => Ok(Some(queue)),
            _ if ended => Ok(None),
            _ => Err(invalid_session(session_id)),
        }
    }

    /// Where an undelivered custom event called `name` is, queued (never returned) or persisted.
    fn same_name(&self, name: &str) -> Option<Slot> {
        let same = |p: &Pending| p.is_custom() && !p.ever_returned && p.event_name == name;
        let queued = self.session.as_ref().and_then(|s| s.events.iter().position(same)).map(Slot::Queued);
        queued.or_else(|| self.persisted.iter().position(same).map(Slot::Persisted))
    }

    /// Removes the event at `slot`.
    fn remove(&mut self, slot: Slot) {
        match slot {
            Slot::Queued(index) => self.session.as_mut().and_then(|s| s.events.remove(index)),
            Slot::Persisted(index) => self.persisted.remove(index),
        };
    }

    /// Drops the persisted events sent before `before` (older than `persistedTtl`); returns how
    /// many.
    fn expire_persisted(&mut self, before: Millis) -> usize {
        let count = self.persisted.len();
        self.persisted.retain(|event| event.created >= before);
        count - self.persisted.len()
    }

    /// Whether nothing is known about the agent but its id: it never logged in and nothing waits
    /// for it. Such an entry is removed, so that ids that never log in do not pile up.
    fn is_forgettable(&self) -> bool {
        self.logins == 0 && self.session.is_none() && self.persisted.is_empty() && self.ended.is_empty()
    }
}

/// Where an undelivered event is: its index in the session's queue, or among the persisted events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Queued(usize),
    Persisted(usize),
}

/// One agent: its state, the condition variable blocking pollers wait on, and the wakers of
/// polls that wait without a thread (`NextEventsFuture`, `engine/polls.rs`).
#[derive(Default)]
struct Agent {
    id: Box<str>,
    state: Mutex<AgentState>,
    ready: Condvar,
    /// Locked only while `state` is, or with `state` not held at all: `state` first.
    watchers: Mutex<Vec<(WatchId, Waker)>>,
}

impl Agent {
    fn lock(&self) -> MutexGuard<'_, AgentState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn watchers(&self) -> MutexGuard<'_, Vec<(WatchId, Waker)>> {
        self.watchers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells every poller that the queue changed. Called with `state` unlocked: a waker may poll
    /// its future on this thread.
    fn wake(&self) {
        self.ready.notify_all();
        let woken = std::mem::take(&mut *self.watchers());
        woken.into_iter().for_each(|(_, waker)| waker.wake());
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

/// What a poll took: its result and the sequence it acknowledged through, which a durable engine
/// records so that replay acknowledges exactly the same.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Taken {
    pub result: NextEvents,
    pub acknowledged_through: u64,
}

/// Limits that apply to agent queues.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueueLimits {
    pub max_pending: usize,
    pub max_data: usize,
    pub max_string: usize,
    /// Most persisted events across every agent (`maxPersistedTotal`).
    pub max_persisted_total: usize,
    /// How long a persisted event waits for a login, in milliseconds (`persistedTtl`).
    pub persisted_ttl: Millis,
}

/// Every agent's queues.
#[derive(Default)]
pub(crate) struct AgentQueues {
    agents: Sharded<FastMap<Box<str>, Arc<Agent>>>,
    /// Agent session id (current or recently ended) → agent.
    sessions: Sharded<FastMap<Uuid, Arc<Agent>>>,
    /// Persisted events across every agent, for `maxPersistedTotal`.
    persisted_total: AtomicUsize,
    timer: Timer,
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

    fn known_agent(&self, agent_id: &str) -> Option<Arc<Agent>> {
        self.agents.lock(agent_id).get(agent_id).cloned()
    }

    fn session(&self, session_id: &str) -> Result<(Uuid, Arc<Agent>)> {
        let id = Uuid::try_parse(session_id).map_err(|_| invalid_session(session_id))?;
        let agent = self.sessions.lock(&id).get(&id).cloned().ok_or_else(|| invalid_session(session_id))?;
        Ok((id, agent))
    }

    /// The agent a session (current or recently ended) belongs to.
    pub fn owner(&self, session_id: &str) -> Result<Box<str>> {
        self.session(session_id).map(|(_, agent)| agent.id.clone())
    }

    /// The agent's active session, if it has one.
    pub fn active(&self, agent_id: &str) -> Option<AgentSession> {
        let agent = self.known_agent(agent_id)?;
        let state = agent.lock();
        state.session.as_ref().map(|queue| AgentSession { session_id: queue.id })
    }

    /// The number of agents known: logged in at least once, or with events waiting.
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
        let current = state.session.as_ref().map(|s| s.id);
        let sessions: Vec<Uuid> = current.into_iter().chain(state.ended.iter().copied()).collect();
        self.persisted_total.fetch_add(state.persisted.len(), Ordering::Relaxed);
        let agent = Arc::new(Agent { id: agent_id.into(), state: Mutex::new(state), ..Agent::default() });
        for id in sessions {
            self.sessions.lock(&id).insert(id, agent.clone());
        }
        self.agents.lock(agent_id).insert(agent_id.into(), agent);
    }

    /// The id stores written before ids were random gave a login: UUIDv5 of
    /// `agent-session:<agentId>:<login number>`. Replaying their `startAgentSession` records must
    /// give the ids their clients hold.
    pub fn legacy_session_id(agent_id: &str, state: &AgentState) -> Uuid {
        Uuid::new_v5(&NAMESPACE, format!("agent-session:{agent_id}:{}", state.logins).as_bytes())
    }

    /// Starts (or returns) the agent's session, queueing `AgentSessionStart` and persisted events.
    /// A new session gets the id `new_id` gives it (called at most once, under the agent's lock).
    /// Persisted events older than `persistedTtl` are dropped and counted first, so a login after a
    /// sweep was due but before it ran never receives a stale event.
    ///
    /// The session is findable by id before the agent's lock is released: a second `start` of the
    /// same agent returns the id only once a poll on it can succeed. (It was registered after the
    /// lock was dropped, and 17 of 16,000 concurrent logins got an id that polled as
    /// `INVALID_SESSION`.) Lock order: agent, then a shard of `sessions`.
    pub fn start(
        &self,
        agent_id: &str,
        now: Millis,
        limits: QueueLimits,
        counters: &Counters,
        new_id: impl FnOnce(&AgentState) -> Uuid,
    ) -> Result<AgentSession> {
        check_name("agentId", agent_id, limits.max_string)?;
        let agent = self.agent(agent_id);
        let mut state = agent.lock();
        if let Some(queue) = &state.session {
            return Ok(AgentSession { session_id: queue.id });
        }
        let expired = state.expire_persisted(now.saturating_sub(limits.persisted_ttl));
        counters.add(Counter::CustomEventsDropped, expired as u64);
        self.persisted_total.fetch_sub(expired + state.persisted.len(), Ordering::Relaxed);
        state.logins += 1;
        let session_id = new_id(&state);
        let mut start = Pending::new(AgentEventType::AgentSessionStart, "AgentSessionStart", "", now, false);
        start.sequence = state.sequence();
        let mut events = VecDeque::with_capacity(state.persisted.len() + 1);
        events.push_back(start);
        while let Some(mut event) = state.persisted.pop_front() {
            event.sequence = state.sequence();
            events.push_back(event);
        }
        state.session = Some(SessionQueue { id: session_id, events, returned_through: None });
        self.sessions.lock(&session_id).insert(session_id, agent.clone());
        drop(state);
        agent.wake();
        Ok(AgentSession { session_id })
    }

    /// Ends a session: wakes its pollers; every event not acknowledged counts as undelivered, so
    /// persisted ones wait for the next login and the others are dropped and counted.
    pub fn end(&self, session_id: &str, counters: &Counters) -> Result<()> {
        let (id, agent) = self.session(session_id)?;
        let mut state = agent.lock();
        let queue = match state.session.take() {
            Some(queue) if queue.id == id => queue,
            other => {
                state.session = other; // an ended session: ending it again changes nothing
                return Ok(());
            }
        };
        let mut dropped = 0;
        for event in queue.events.into_iter().filter(Pending::is_custom) {
            if event.persist {
                state.persisted.push_back(event);
            } else {
                dropped += 1;
            }
        }
        // Events handed back for the next login count toward `maxPersistedTotal` (they may take it
        // past the limit: nothing that was accepted is lost; new sends are refused meanwhile).
        self.persisted_total.fetch_add(state.persisted.len(), Ordering::Relaxed);
        state.ended.push_back(id);
        let forgotten = (state.ended.len() > ENDED_SESSIONS_KEPT).then(|| state.ended.pop_front()).flatten();
        drop(state);
        agent.wake();
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
        // An event that is not kept for an agent never seen is dropped without making an entry
        // for the agent (any caller could otherwise grow memory). Nor does a persisted one that
        // `maxPersistedTotal` refuses.
        let known = self.known_agent(&request.agent_id);
        let agent = match (known, request.persist_in_memory) {
            (Some(agent), _) => agent,
            (None, true) if self.persisted_total.load(Ordering::Relaxed) >= limits.max_persisted_total => {
                return Err(persisted_full(limits));
            }
            (None, true) => self.agent(&request.agent_id),
            (None, false) => {
                counters.add(Counter::CustomEventsDropped, 1);
                return Ok(SendResult { delivery: Delivery::AgentNotConnected, overwritten: false });
            }
        };
        let mut state = agent.lock();
        if state.session.is_none() && !request.persist_in_memory {
            counters.add(Counter::CustomEventsDropped, 1);
            return Ok(SendResult { delivery: Delivery::AgentNotConnected, overwritten: false });
        }
        let replaced = state.same_name(&request.event_name);
        if replaced.is_none() && state.pending() >= limits.max_pending {
            return Err(JourneyError::QueueFull(format!(
                "agent '{}' has {} undelivered events (maxPendingPerAgent)",
                request.agent_id, limits.max_pending
            )));
        }
        // Persisted events live where no session is; replacing one keeps the total as it is.
        let persisting = state.session.is_none();
        if persisting && !matches!(replaced, Some(Slot::Persisted(_))) && !self.reserve_persisted(limits) {
            return Err(persisted_full(limits));
        }
        if let Some(slot) = replaced {
            state.remove(slot);
            if !persisting && matches!(slot, Slot::Persisted(_)) {
                // Not expected (a login takes every persisted event), but the count must stay exact.
                self.persisted_total.fetch_sub(1, Ordering::Relaxed);
            }
        }
        let overwritten = replaced.is_some();
        let mut event = Pending::new(
            AgentEventType::CustomEvent,
            &request.event_name,
            &request.data,
            now,
            request.persist_in_memory,
        );
        let delivery = if state.session.is_some() {
            event.sequence = state.sequence();
            if let Some(queue) = state.session.as_mut() {
                queue.events.push_back(event);
            }
            Delivery::Queued
        } else {
            // A persisted event gets its sequence number at the next login.
            state.persisted.push_back(event);
            Delivery::Persisted
        };
        drop(state);
        agent.wake();
        counters.add(Counter::CustomEventsOverwritten, overwritten as u64);
        counters.add(
            if delivery == Delivery::Queued { Counter::CustomEventsQueued } else { Counter::CustomEventsPersisted },
            1,
        );
        Ok(SendResult { delivery, overwritten })
    }

    /// Counts one more persisted event, unless `maxPersistedTotal` are already waiting.
    fn reserve_persisted(&self, limits: QueueLimits) -> bool {
        let room = |total: usize| (total < limits.max_persisted_total).then_some(total + 1);
        self.persisted_total.fetch_update(Ordering::Relaxed, Ordering::Relaxed, room).is_ok()
    }

    /// Persisted events waiting across every agent.
    #[cfg(test)]
    pub fn persisted_total(&self) -> usize {
        self.persisted_total.load(Ordering::Relaxed)
    }

    /// Drops every persisted event sent before `before` (older than `persistedTtl`) and forgets the
    /// agents left with nothing (never logged in, nothing waiting); returns how many events were
    /// dropped. Run by a retention sweep, with no other change under way.
    pub fn expire_persisted(&self, before: Millis) -> usize {
        let mut expired = 0;
        self.agents.each(|shard| {
            shard.retain(|_, agent| {
                let mut state = agent.lock();
                expired += state.expire_persisted(before);
                !state.is_forgettable()
            })
        });
        self.persisted_total.fetch_sub(expired, Ordering::Relaxed);
        expired
    }

    /// Leaves `waker` with the session's agent, to be woken when its queue changes, unless a poll
    /// with `ack` would return at once (events waiting, or the session ended): then `false`, and
    /// nothing is left. Checking and leaving are one step, so no change can fall between them.
    pub fn watch(&self, session_id: &str, ack: Option<u64>, id: WatchId, waker: &Waker) -> Result<bool> {
        let (session, agent) = self.session(session_id)?;
        let mut state = agent.lock();
        match state.queue(session, session_id)? {
            None => return Ok(false),
            Some(queue) if queue.has_events_after(queue.acknowledged_through(ack)) => return Ok(false),
            Some(_) => {}
        }
        agent.watchers().push((id, waker.clone()));
        drop(state);
        Ok(true)
    }

    /// Takes back a waker left by [`AgentQueues::watch`] (woken or not).
    pub fn unwatch(&self, session_id: &str, id: WatchId) {
        if let Ok((_, agent)) = self.session(session_id) {
            agent.watchers().retain(|(watch, _)| *watch != id);
        }
    }

    /// The timer that wakes waiting polls at their deadlines.
    pub fn timer(&self) -> &Timer {
        &self.timer
    }

    /// Waits until a poll with `ack` would return events, the session ends, or `deadline` passes.
    /// Takes and acknowledges nothing: [`AgentQueues::take`] does, and may find the events gone to
    /// another poller.
    pub fn wait_ready(&self, session_id: &str, deadline: Instant, ack: Option<u64>) -> Result<Ready> {
        let (id, agent) = self.session(session_id)?;
        let mut state = agent.lock();
        loop {
            match state.queue(id, session_id)? {
                None => return Ok(Ready::SessionEnded),
                Some(queue) if queue.has_events_after(queue.acknowledged_through(ack)) => return Ok(Ready::Events),
                Some(_) => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Ready::Timeout);
            }
            state = agent.ready.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// A poll that does not wait: acknowledges (`ack`, or what the previous poll returned), then
    /// returns up to `max` of the events that remain, oldest first, and keeps them pending until
    /// they are acknowledged. `Timeout` when none remain. An event returned before is counted in
    /// `customEventsRedelivered`.
    pub fn take(&self, session_id: &str, max: usize, ack: Option<u64>, counters: &Counters) -> Result<Taken> {
        let (id, agent) = self.session(session_id)?;
        let mut state = agent.lock();
        let Some(queue) = state.queue(id, session_id)? else {
            return Ok(Taken { result: NextEvents::SessionEnded, acknowledged_through: 0 });
        };
        let through = queue.acknowledged_through(ack);
        queue.acknowledge(through);
        let mut events = Vec::with_capacity(max.min(queue.events.len()));
        let mut redelivered = 0;
        for pending in queue.events.iter_mut().take(max) {
            redelivered += pending.ever_returned as u64;
            pending.ever_returned = true;
            events.push(pending.to_event(&agent.id));
        }
        queue.returned_through = events.last().map(|e| e.sequence);
        drop(state);
        counters.add(Counter::CustomEventsRedelivered, redelivered);
        let result = if events.is_empty() { NextEvents::Timeout } else { NextEvents::Events { events } };
        Ok(Taken { result, acknowledged_through: through })
    }

    /// Acknowledges for a poll that returns nothing (its timeout passed): `ack`, or what the
    /// previous poll returned. Returns the sequence acknowledged through when that changed
    /// anything, so that a durable engine records only what matters.
    pub fn acknowledge(&self, session_id: &str, ack: Option<u64>) -> Result<Option<u64>> {
        let (id, agent) = self.session(session_id)?;
        let mut state = agent.lock();
        let Some(queue) = state.queue(id, session_id)? else { return Ok(None) };
        let through = queue.acknowledged_through(ack);
        Ok(queue.acknowledge(through).then_some(through))
    }

    /// Hands back the events from `from_sequence` on that a poll returned but whose caller never
    /// received them: the next poll returns them again, with their sequence numbers. Returns how
    /// many were handed back; an ended session has none.
    pub fn release(&self, session_id: &str, from_sequence: u64) -> Result<usize> {
        let (id, agent) = self.session(session_id)?;
        let mut state = agent.lock();
        let Some(queue) = state.queue(id, session_id)? else { return Ok(0) };
        // What the latest poll returned is what follows the acknowledged events, up to
        // `returned_through`; handing some back moves that mark down.
        let Some(through) = queue.returned_through.filter(|&through| through >= from_sequence) else { return Ok(0) };
        let released = queue.events.iter().filter(|p| (from_sequence..=through).contains(&p.sequence)).count();
        queue.returned_through = from_sequence.checked_sub(1).filter(|&through| through > 0);
        drop(state);
        agent.wake();
        Ok(released)
    }
}

/// `QUEUE_FULL` for a persisted send past `maxPersistedTotal`.
fn persisted_full(limits: QueueLimits) -> JourneyError {
    JourneyError::QueueFull(format!(
        "{} events already wait for agents who are not logged in (maxPersistedTotal)",
        limits.max_persisted_total
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{DEFAULT_MAX_EVENTS, deadline, max_events};
    use super::*;

    const LIMITS: QueueLimits =
        QueueLimits { max_pending: 3, max_data: 10, max_string: 64, max_persisted_total: 5, persisted_ttl: 1_000 };

    fn send(queues: &AgentQueues, name: &str, persist: bool, counters: &Counters) -> Result<SendResult> {
        let request = CustomEventRequest {
            agent_id: "a1".into(),
            event_name: name.into(),
            data: format!("d-{name}"),
            persist_in_memory: persist,
        };
        queues.send(&request, 0, LIMITS, counters)
    }

    fn poll(queues: &AgentQueues, id: &str, ack: Option<u64>) -> Result<NextEvents> {
        let counters = Counters::default();
        match queues.wait_ready(id, deadline(0), ack)? {
            Ready::Events => queues.take(id, DEFAULT_MAX_EVENTS, ack, &counters).map(|t| t.result),
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
        let session = queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap();
        assert_eq!(queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap(), session);
        let id = session.session_id.to_string();
        assert_eq!(names(poll(&queues, &id, None).unwrap()), ["AgentSessionStart", "kept"]);
        assert_eq!(poll(&queues, &id, None).unwrap(), NextEvents::Timeout);
    }

    #[test]
    fn queue_full_loses_nothing_and_overwrite_is_still_allowed() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        let id =
            queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap().session_id.to_string();
        for name in ["a", "b", "c"] {
            send(&queues, name, false, &counters).unwrap();
        }
        assert_eq!(send(&queues, "d", false, &counters).unwrap_err().code(), "QUEUE_FULL");
        assert!(send(&queues, "a", false, &counters).unwrap().overwritten);
        assert_eq!(names(poll(&queues, &id, None).unwrap()), ["AgentSessionStart", "b", "c", "a"]);
    }

    #[test]
    fn returned_events_stay_until_acknowledged_and_released_ones_come_back() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        let id =
            queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap().session_id.to_string();
        send(&queues, "a", false, &counters).unwrap();
        assert_eq!(names(poll(&queues, &id, None).unwrap()), ["AgentSessionStart", "a"]);
        // A returned event is no longer replaced by a newer one of the same name.
        assert!(!send(&queues, "a", false, &counters).unwrap().overwritten);
        // The caller got nothing: it hands the events back, and the next poll returns them again.
        assert_eq!(queues.release(&id, 1).unwrap(), 2);
        let taken = queues.take(&id, 10, None, &counters).unwrap();
        assert_eq!(names(taken.result), ["AgentSessionStart", "a", "a"]);
        assert_eq!(counters.snapshot().custom_events_redelivered, 2);
        // `ack: 2` keeps only the event after 2; a poll without ack acknowledges it.
        assert_eq!(names(poll(&queues, &id, Some(2)).unwrap()), ["a"]);
        assert_eq!(poll(&queues, &id, None).unwrap(), NextEvents::Timeout);
        // A poll that times out acknowledges what the previous one returned (the engine calls this).
        assert_eq!(queues.acknowledge(&id, None).unwrap(), Some(3));
        assert_eq!(queues.acknowledge(&id, None).unwrap(), None, "nothing is left to acknowledge");
    }

    #[test]
    fn ending_a_session_treats_unacknowledged_events_as_undelivered() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        let id =
            queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap().session_id.to_string();
        send(&queues, "kept", true, &counters).unwrap();
        send(&queues, "lost", false, &counters).unwrap();
        assert_eq!(names(poll(&queues, &id, None).unwrap()), ["AgentSessionStart", "kept", "lost"]);
        queues.end(&id, &counters).unwrap();
        assert_eq!(counters.snapshot().custom_events_dropped, 1);
        let next =
            queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap().session_id.to_string();
        assert_eq!(names(poll(&queues, &next, None).unwrap()), ["AgentSessionStart", "kept"]);
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
        assert_eq!(
            queues.start("", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap_err().code(),
            "INVALID_ARGUMENT"
        );
        assert_eq!(poll(&queues, "nope", None).unwrap_err().code(), "INVALID_SESSION");
        assert_eq!(max_events(Some(0)).unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn a_dropped_send_to_an_unknown_agent_leaves_no_entry() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        for n in 0..1000 {
            let request = CustomEventRequest::new(format!("nobody-{n}"), "n", "d", false);
            assert_eq!(queues.send(&request, 0, LIMITS, &counters).unwrap().delivery, Delivery::AgentNotConnected);
        }
        assert_eq!(queues.count(), 0, "309 bytes per unknown agent before");
        assert_eq!(counters.snapshot().custom_events_dropped, 1000);
        // A persisted send does make the entry: the event waits there for the agent's login.
        let request = CustomEventRequest::new("later", "n", "d", true);
        assert_eq!(queues.send(&request, 0, LIMITS, &counters).unwrap().delivery, Delivery::Persisted);
        assert_eq!(queues.count(), 1);
    }

    #[test]
    fn old_ended_sessions_are_forgotten() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        let ids: Vec<String> = (0..=ENDED_SESSIONS_KEPT)
            .map(|_| {
                let id = queues
                    .start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4())
                    .unwrap()
                    .session_id
                    .to_string();
                queues.end(&id, &counters).unwrap();
                id
            })
            .collect();
        assert_eq!(poll(&queues, &ids[0], None).unwrap_err().code(), "INVALID_SESSION");
        assert_eq!(poll(&queues, &ids[ENDED_SESSIONS_KEPT], None).unwrap(), NextEvents::SessionEnded);
    }

    fn send_to(queues: &AgentQueues, agent: &str, name: &str, now: Millis, counters: &Counters) -> Result<SendResult> {
        queues.send(&CustomEventRequest::new(agent, name, "d", true), now, LIMITS, counters)
    }

    #[test]
    fn a_persisted_event_older_than_the_ttl_is_not_delivered_at_login() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        send_to(&queues, "a1", "stale", 0, &counters).unwrap();
        send_to(&queues, "a1", "fresh", 600, &counters).unwrap();
        // At 1,500 the first is 1,500 ms old (ttl 1,000), the second 900 ms.
        let id = queues.start("a1", 1_500, LIMITS, &counters, |_| Uuid::new_v4()).unwrap().session_id.to_string();
        assert_eq!(names(poll(&queues, &id, None).unwrap()), ["AgentSessionStart", "fresh"]);
        assert_eq!(counters.snapshot().custom_events_dropped, 1);
        assert_eq!(queues.persisted_total(), 0);
    }

    #[test]
    fn past_the_global_cap_a_persisted_send_is_queue_full_until_room_is_made() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        for n in 0..5 {
            send_to(&queues, &format!("agent-{n}"), "n", 0, &counters).unwrap();
        }
        let refused = send_to(&queues, "agent-new", "n", 0, &counters).unwrap_err();
        assert_eq!(refused.code(), "QUEUE_FULL");
        assert!(refused.to_string().contains("maxPersistedTotal"), "{refused}");
        assert_eq!(send_to(&queues, "agent-0", "other", 0, &counters).unwrap_err().code(), "QUEUE_FULL");
        assert_eq!(queues.count(), 5, "a refused send to an unknown agent makes no entry");
        // Replacing a waiting event of the same name is still allowed.
        assert!(send_to(&queues, "agent-0", "n", 0, &counters).unwrap().overwritten);
        // A login takes its events: room for one more.
        let id = queues.start("agent-0", 0, LIMITS, &counters, |_| Uuid::new_v4()).unwrap().session_id.to_string();
        assert_eq!(queues.persisted_total(), 4);
        assert_eq!(send_to(&queues, "agent-new", "n", 0, &counters).unwrap().delivery, Delivery::Persisted);
        assert_eq!(send_to(&queues, "agent-newer", "n", 0, &counters).unwrap_err().code(), "QUEUE_FULL");
        // Expiry makes room too, and forgets the agents left with nothing.
        assert_eq!(queues.expire_persisted(1), 5);
        assert_eq!(queues.persisted_total(), 0);
        assert_eq!(queues.count(), 1, "only the agent who logged in is kept");
        assert_eq!(send_to(&queues, "agent-newer", "n", 0, &counters).unwrap().delivery, Delivery::Persisted);
        // Ending a session hands its unacknowledged persisted events back to the count.
        queues.end(&id, &counters).unwrap();
        assert_eq!(queues.persisted_total(), 2);
    }

    #[test]
    fn expiry_drops_only_events_sent_before_the_cutoff() {
        let (queues, counters) = (AgentQueues::default(), Counters::default());
        send_to(&queues, "a1", "old", 10, &counters).unwrap();
        send_to(&queues, "a1", "new", 20, &counters).unwrap();
        send_to(&queues, "a2", "new", 20, &counters).unwrap();
        assert_eq!(queues.expire_persisted(20), 1);
        assert_eq!((queues.count(), queues.persisted_total()), (2, 2));
        assert_eq!(queues.expire_persisted(21), 2);
        assert_eq!((queues.count(), queues.persisted_total()), (0, 0), "no entry lingers for ids never seen");
    }
}
