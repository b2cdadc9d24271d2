//! Polling an agent session, with delivery that loses nothing between the queue and the caller.
//!
//! A poll does not remove what it returns: returned events stay pending, marked `returned`, until the
//! caller acknowledges them (`ack: n`, or implicitly by polling again). A caller that never received
//! a poll's answer hands its events back with `release`, and the next poll returns them again with
//! their original sequence numbers, counted as redeliveries.
//!
//! Waiting and taking are separate steps ([`AgentQueues::wait_ready`], [`AgentQueues::take`]), so
//! that taking, which a durable engine journals, runs as one ordered change while waiting holds no
//! lock of the engine's. A poll that waits without a thread leaves a waker instead
//! ([`AgentQueues::watch`]).

use super::NextEvents;
use super::queue::AgentQueues;
use super::waiting::{Timer, WatchId};
use crate::base::error::Result;
use crate::state::stats::{Counter, Counters};
use std::sync::PoisonError;
use std::task::Waker;
use std::time::Instant;

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
    /// What the poll answers.
    pub result: NextEvents,
    /// The sequence the poll acknowledged events through (0 for none).
    pub acknowledged_through: u64,
}

impl AgentQueues {
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
