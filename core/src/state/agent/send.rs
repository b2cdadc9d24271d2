//! Sending a custom event to an agent: checked, then queued on the agent's session, kept for its
//! next login (`persistInMemory`), or dropped when the agent is not logged in.

use super::agent_state::{Agent, AgentState, Pending, Slot};
use super::persisted::persisted_full;
use super::queue::{AgentQueues, QueueLimits};
use super::{AgentEventType, CustomEventRequest, Delivery, SendResult, check_name};
use crate::base::error::{JourneyError, Result};
use crate::base::time::Millis;
use crate::state::stats::{Counter, Counters};
use std::sync::Arc;
use std::sync::atomic::Ordering;

impl AgentQueues {
    /// Sends a custom event to an agent: onto its session's queue, or kept for its next login, or
    /// dropped (`agentNotConnected`) when it is not logged in and the event is not to be kept. A
    /// newer event replaces an undelivered one of the same name.
    pub fn send(
        &self,
        request: &CustomEventRequest,
        now: Millis,
        limits: QueueLimits,
        counters: &Counters,
    ) -> Result<SendResult> {
        check_request(request, limits)?;
        let Some(agent) = self.recipient(request, limits)? else { return Ok(not_connected(counters)) };
        let mut state = agent.lock();
        if state.session.is_none() && !request.persist_in_memory {
            return Ok(not_connected(counters));
        }
        let overwritten = self.make_room(&mut state, request, limits)?;
        let mut event = Pending::new(
            AgentEventType::CustomEvent,
            &request.event_name,
            &request.data,
            now,
            request.persist_in_memory,
        );
        event.customer = request.customer.clone();
        let delivery = state.push(event);
        drop(state);
        agent.wake();
        count_sent(counters, delivery, overwritten);
        Ok(SendResult { delivery, overwritten })
    }

    /// The agent the event goes to, or `None` when it is dropped at once.
    fn recipient(&self, request: &CustomEventRequest, limits: QueueLimits) -> Result<Option<Arc<Agent>>> {
        // An event that is not kept for an agent never seen is dropped without making an entry
        // for the agent (any caller could otherwise grow memory). Nor does a persisted one that
        // `maxPersistedTotal` refuses.
        match (self.known_agent(&request.agent_id), request.persist_in_memory) {
            (Some(agent), _) => Ok(Some(agent)),
            (None, true) if self.persisted_total.load(Ordering::Relaxed) >= limits.max_persisted_total => {
                Err(persisted_full(limits))
            }
            (None, true) => Ok(Some(self.agent(&request.agent_id))),
            (None, false) => Ok(None),
        }
    }

    /// Makes room in `state` for the event `request` sends: removes the undelivered event of the
    /// same name it replaces, or refuses it past `maxPendingPerAgent`; an event to be persisted
    /// also takes its place under `maxPersistedTotal`. Returns whether an event was replaced.
    fn make_room(&self, state: &mut AgentState, request: &CustomEventRequest, limits: QueueLimits) -> Result<bool> {
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
        Ok(replaced.is_some())
    }
}

/// `INVALID_ARGUMENT` for an empty or too long agent id or event name, or data past
/// `maxCustomEventData`.
fn check_request(request: &CustomEventRequest, limits: QueueLimits) -> Result<()> {
    check_name("agentId", &request.agent_id, limits.max_string)?;
    check_name("eventName", &request.event_name, limits.max_string)?;
    if request.data.len() > limits.max_data {
        return Err(JourneyError::invalid_argument(format!(
            "data is {} bytes; at most {} are allowed (maxCustomEventData)",
            request.data.len(),
            limits.max_data
        )));
    }
    Ok(())
}

/// The answer for an event dropped because its agent is not logged in, counted as dropped.
fn not_connected(counters: &Counters) -> SendResult {
    counters.add(Counter::CustomEventsDropped, 1);
    SendResult { delivery: Delivery::AgentNotConnected, overwritten: false }
}

/// Counts a sent event: where it went, and whether it replaced one.
fn count_sent(counters: &Counters, delivery: Delivery, overwritten: bool) {
    counters.add(Counter::CustomEventsOverwritten, overwritten as u64);
    counters.add(
        if delivery == Delivery::Queued { Counter::CustomEventsQueued } else { Counter::CustomEventsPersisted },
        1,
    );
}
