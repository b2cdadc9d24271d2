//! A reference model of agent queues, written from SPEC §5 and §5.1 rather than from the engine's
//! code, so that the `sequence` target checks every poll's answer exactly and the §5.1 balance
//! `queued + persisted = acknowledged + overwritten + dropped at logout + still pending`.
//!
//! The model does not predict `QUEUE_FULL`'s limit on its own account of time; it checks that a
//! refusal comes exactly when the agent already holds `max_pending` undelivered events and the send
//! replaces none.

use journey_core::agent::AgentEventType;
use journey_core::{AgentEvent, Delivery, NextEvents, SendResult};
use std::collections::{HashMap, VecDeque};

/// One event the model knows is waiting for an agent.
#[derive(Debug, Clone)]
struct Waiting {
    /// `None` until the event enters a session's queue (persisted events get theirs at login).
    sequence: Option<u64>,
    name: String,
    persist: bool,
    custom: bool,
    /// Returned by some poll: a newer event of the same name no longer replaces it.
    returned: bool,
}

/// An agent's current session in the model.
#[derive(Debug)]
struct Session {
    id: String,
    events: VecDeque<Waiting>,
    /// The last sequence the latest poll returned, until acknowledged.
    returned_through: Option<u64>,
}

/// One agent in the model.
#[derive(Debug, Default)]
struct Agent {
    session: Option<Session>,
    persisted: VecDeque<Waiting>,
    next_sequence: u64,
}

impl Agent {
    fn sequence(&mut self) -> u64 {
        self.next_sequence += 1;
        self.next_sequence
    }

    /// Custom events not yet acknowledged, queued or persisted.
    fn pending(&self) -> usize {
        let queued = self.session.as_ref().map_or(0, |s| s.events.iter().filter(|e| e.custom).count());
        queued + self.persisted.len()
    }

    /// Removes the undelivered event called `name` that a send replaces: the session's first,
    /// then the persisted list's.
    fn replace(&mut self, name: &str) -> bool {
        let same = |e: &Waiting| e.custom && !e.returned && e.name == name;
        let queue = self.session.as_mut().map(|s| &mut s.events);
        for list in queue.into_iter().chain(std::iter::once(&mut self.persisted)) {
            if let Some(index) = list.iter().position(same) {
                list.remove(index);
                return true;
            }
        }
        false
    }
}

/// Every agent of a fuzz run, and what the §5.1 balance needs besides the engine's counters.
#[derive(Debug)]
pub struct AgentModel {
    agents: HashMap<String, Agent>,
    max_pending: usize,
    /// Custom events acknowledged by a poll (`ack: n`, or implicitly).
    pub acknowledged: u64,
    /// Custom events dropped because a session ended before they were acknowledged.
    pub dropped_at_logout: u64,
    /// Sends dropped as `agentNotConnected`, never queued.
    pub not_connected: u64,
}

impl AgentModel {
    /// An empty model for an engine whose `maxPendingPerAgent` is `max_pending`.
    pub fn new(max_pending: usize) -> AgentModel {
        AgentModel { agents: HashMap::new(), max_pending, acknowledged: 0, dropped_at_logout: 0, not_connected: 0 }
    }

    fn session_owner(&mut self, session_id: &str) -> Option<&mut Agent> {
        self.agents.values_mut().find(|a| a.session.as_ref().is_some_and(|s| s.id == session_id))
    }

    /// The engine started (or returned) `session_id` for `agent_id`.
    pub fn started(&mut self, agent_id: &str, session_id: &str) {
        let agent = self.agents.entry(agent_id.to_owned()).or_default();
        if let Some(session) = &agent.session {
            assert_eq!(session.id, session_id, "a second login of an active agent must return its session");
            return;
        }
        let mut events = VecDeque::new();
        let start = agent.sequence();
        events.push_back(Waiting {
            sequence: Some(start),
            name: "AgentSessionStart".into(),
            persist: false,
            custom: false,
            returned: false,
        });
        while let Some(mut event) = agent.persisted.pop_front() {
            event.sequence = Some(agent.sequence());
            events.push_back(event);
        }
        agent.session = Some(Session { id: session_id.to_owned(), events, returned_through: None });
    }

    /// The engine ended `session_id`: unacknowledged persisted events wait for the next login, the
    /// other custom events are dropped.
    pub fn ended(&mut self, session_id: &str) {
        let Some(agent) = self.session_owner(session_id) else { return };
        let session = agent.session.take().expect("the owner has the session");
        let mut dropped = 0;
        for event in session.events.into_iter().filter(|e| e.custom) {
            if event.persist { agent.persisted.push_back(event) } else { dropped += 1 }
        }
        self.dropped_at_logout += dropped;
    }

    /// The engine answered a send with `result`; checks it against the model and applies it.
    pub fn sent(&mut self, agent_id: &str, name: &str, persist: bool, result: &SendResult) {
        let Some(agent) = self.agents.get_mut(agent_id) else {
            assert_eq!(result.delivery, if persist { Delivery::Persisted } else { Delivery::AgentNotConnected });
            if persist {
                let mut agent = Agent::default();
                agent.persisted.push_back(Waiting {
                    sequence: None,
                    name: name.into(),
                    persist,
                    custom: true,
                    returned: false,
                });
                self.agents.insert(agent_id.to_owned(), agent);
            } else {
                self.not_connected += 1;
            }
            assert!(!result.overwritten);
            return;
        };
        if agent.session.is_none() && !persist {
            assert_eq!(result.delivery, Delivery::AgentNotConnected, "no session and not persisted");
            assert!(!result.overwritten);
            self.not_connected += 1;
            return;
        }
        let before = agent.pending();
        let replaced = agent.replace(name);
        assert_eq!(result.overwritten, replaced, "overwritten must say whether '{name}' replaced an undelivered event");
        assert!(replaced || before < self.max_pending, "a send accepted past maxPendingPerAgent");
        let mut event = Waiting { sequence: None, name: name.into(), persist, custom: true, returned: false };
        match &mut agent.session {
            Some(_) => {
                assert_eq!(result.delivery, Delivery::Queued);
                event.sequence = Some(agent.sequence());
                agent.session.as_mut().unwrap().events.push_back(event);
            }
            None => {
                assert_eq!(result.delivery, Delivery::Persisted);
                agent.persisted.push_back(event);
            }
        }
    }

    /// The engine refused a send with `QUEUE_FULL`: the model agrees it is full and would replace
    /// nothing.
    pub fn refused_full(&self, agent_id: &str, name: &str) {
        let agent = self.agents.get(agent_id).expect("QUEUE_FULL for an agent with nothing waiting");
        assert!(agent.pending() >= self.max_pending, "QUEUE_FULL below maxPendingPerAgent");
        let replaceable = agent
            .session
            .iter()
            .flat_map(|s| s.events.iter())
            .chain(agent.persisted.iter())
            .any(|e| e.custom && !e.returned && e.name == name);
        assert!(!replaceable, "QUEUE_FULL for a send that replaces '{name}'");
    }

    /// The engine answered a poll of `session_id` (`max`, `ack`) with `result`: the model
    /// acknowledges, takes, and checks the events and their order exactly.
    pub fn polled(&mut self, session_id: &str, max: usize, ack: Option<u64>, result: &NextEvents) {
        let Some(agent) = self.session_owner(session_id) else {
            assert_eq!(*result, NextEvents::SessionEnded, "a poll of an ended session");
            return;
        };
        let session = agent.session.as_mut().unwrap();
        let through = ack.or(session.returned_through).unwrap_or(0);
        let mut acknowledged = 0;
        while session.events.front().is_some_and(|e| e.sequence.unwrap() <= through) {
            acknowledged += session.events.pop_front().unwrap().custom as u64;
        }
        let mut expected = Vec::new();
        for event in session.events.iter_mut().take(max) {
            event.returned = true;
            expected.push((event.sequence.unwrap(), event.name.clone(), event.custom));
        }
        session.returned_through = expected.last().map(|(sequence, _, _)| *sequence);
        self.acknowledged += acknowledged;
        let got: Vec<(u64, String, bool)> = match result {
            NextEvents::Events { events } => events.iter().map(describe).collect(),
            NextEvents::Timeout => Vec::new(),
            NextEvents::SessionEnded => panic!("SessionEnded for an active session"),
        };
        assert_eq!(got, expected, "a poll with max {max} and ack {ack:?} returned other events");
    }

    /// The engine handed back `released` events of `session_id` from `from` on.
    pub fn released(&mut self, session_id: &str, from: u64, released: usize) {
        let Some(agent) = self.session_owner(session_id) else {
            assert_eq!(released, 0, "an ended session has nothing to release");
            return;
        };
        let session = agent.session.as_mut().unwrap();
        let expected = match session.returned_through.filter(|&through| through >= from) {
            Some(through) => {
                session.returned_through = from.checked_sub(1).filter(|&t| t > 0);
                session.events.iter().filter(|e| (from..=through).contains(&e.sequence.unwrap())).count()
            }
            None => 0,
        };
        assert_eq!(released, expected, "release from {from} handed back a different number of events");
    }

    /// Custom events waiting in every agent's session or persisted list.
    pub fn pending(&self) -> u64 {
        self.agents.values().map(|a| a.pending() as u64).sum()
    }
}

/// A returned event as the model knows it: sequence, name, and whether it is a custom event.
fn describe(event: &AgentEvent) -> (u64, String, bool) {
    (event.sequence, event.event_name.clone(), event.event_type == AgentEventType::CustomEvent)
}

#[cfg(test)]
mod tests {
    use super::AgentModel;
    use journey_core::{CustomEventRequest, Engine};

    /// Drives an engine and the model through logins, overwrites, acks, releases and a logout,
    /// checking every answer (the fuzz target does the same with arbitrary steps).
    #[test]
    fn the_model_agrees_with_the_engine_on_a_scripted_run() {
        let engine = Engine::new(crate::catalog(), crate::config()).unwrap();
        let mut model = AgentModel::new(8);
        let send = |model: &mut AgentModel, name: &str, persist: bool| {
            let sent = engine.send_custom_event(&CustomEventRequest::new("a", name, "d", persist)).unwrap();
            model.sent("a", name, persist, &sent);
        };
        send(&mut model, "kept", true);
        let session = engine.start_agent_session("a").unwrap().session_id.to_string();
        model.started("a", &session);
        send(&mut model, "n1", false);
        send(&mut model, "n1", false);
        for (max, ack) in [(2, None), (1, Some(1)), (4, None)] {
            let result = engine.next_events(&session, 0, Some(max), ack).unwrap();
            model.polled(&session, max, ack, &result);
        }
        let released = engine.release(&session, 2).unwrap().released;
        model.released(&session, 2, released);
        let result = engine.next_events(&session, 0, Some(1), None).unwrap();
        model.polled(&session, 1, None, &result);
        send(&mut model, "n2", false);
        engine.end_agent_session(&session).unwrap();
        model.ended(&session);
        let stats = engine.stats();
        assert_eq!(model.acknowledged, 1, "{model:?}");
        assert_eq!(model.dropped_at_logout, 2);
        assert_eq!(model.pending(), 0, "\"kept\" was acknowledged before the logout");
        assert_eq!(
            stats.custom_events_queued + stats.custom_events_persisted,
            model.acknowledged + stats.custom_events_overwritten + model.dropped_at_logout + model.pending()
        );
    }
}
