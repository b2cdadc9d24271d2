//! Every agent's queues ([`AgentQueues`]): the agents by id, their sessions by id, and logging in
//! and out. The rest of what the queues do adds to `AgentQueues` from sibling modules: `send`
//! sends a custom event, `delivery` polls a session and acknowledges what the caller received,
//! `persisted` caps and expires the events kept for agents who are not logged in. One agent's
//! state, and the lock around it, are in `agent_state`.

use super::agent_state::{Agent, AgentState, Pending, SessionQueue};
use super::waiting::Timer;
use super::{AgentEventType, AgentSession, ENDED_SESSIONS_KEPT, check_name, invalid_session};
use crate::base::error::Result;
use crate::base::shard::{FastMap, Sharded};
use crate::base::time::Millis;
use crate::model::event::NAMESPACE;
use crate::state::stats::{Counter, Counters};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use uuid::Uuid;

/// Limits that apply to agent queues.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueueLimits {
    /// Most custom events waiting for one agent (`maxPendingPerAgent`).
    pub max_pending: usize,
    /// Most bytes of a custom event's data (`maxCustomEventData`).
    pub max_data: usize,
    /// Most characters of an agent id or event name (`maxStringLength`).
    pub max_string: usize,
    /// Most persisted events across every agent (`maxPersistedTotal`).
    pub max_persisted_total: usize,
    /// How long a persisted event waits for a login, in milliseconds (`persistedTtl`).
    pub persisted_ttl: Millis,
}

/// Every agent's queues.
#[derive(Default)]
pub(crate) struct AgentQueues {
    /// Agent id → agent.
    pub(super) agents: Sharded<FastMap<Box<str>, Arc<Agent>>>,
    /// Agent session id (current or recently ended) → agent.
    pub(super) sessions: Sharded<FastMap<Uuid, Arc<Agent>>>,
    /// Persisted events across every agent, for `maxPersistedTotal`.
    pub(super) persisted_total: AtomicUsize,
    /// Wakes polls that wait without a thread at their deadlines.
    pub(super) timer: Timer,
}

impl AgentQueues {
    /// The agent `agent_id`, made on first use.
    pub(super) fn agent(&self, agent_id: &str) -> Arc<Agent> {
        let mut agents = self.agents.lock(agent_id);
        if let Some(agent) = agents.get(agent_id) {
            return agent.clone();
        }
        let agent = Arc::new(Agent::new(agent_id, AgentState::default()));
        agents.insert(agent_id.into(), agent.clone());
        agent
    }

    /// The agent `agent_id`, if it is known.
    pub(super) fn known_agent(&self, agent_id: &str) -> Option<Arc<Agent>> {
        self.agents.lock(agent_id).get(agent_id).cloned()
    }

    /// Session `session_id`'s id and agent (current or recently ended), or `INVALID_SESSION`.
    pub(super) fn session(&self, session_id: &str) -> Result<(Uuid, Arc<Agent>)> {
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
        let agent = Arc::new(Agent::new(agent_id, state));
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
}
