//! Robustness of agent queues and web actions: random sequences of operations, including calls in
//! the wrong order, never panic, and the custom-event counters always reconcile with SPEC §5.1:
//! `queued + persisted = acknowledged + overwritten + dropped + still pending`.

use journey_core::{Catalog, Config, CustomEventRequest, Delivery, Engine, NextEvents};
use proptest::prelude::*;
use serde_json::json;
use std::collections::HashMap;

/// What the test knows a caller has received, by the §5.1 rules: a poll acknowledges what the
/// previous poll on its session returned; ending a session acknowledges nothing.
#[derive(Default)]
struct Receiver {
    /// Custom events acknowledged so far.
    acknowledged: u64,
    /// Custom events the latest poll of each session returned, not yet acknowledged.
    returned: HashMap<String, u64>,
}

impl Receiver {
    fn polled(&mut self, session: &str, result: &NextEvents) {
        let custom = |events: &[journey_core::AgentEvent]| {
            events.iter().filter(|e| e.event_name != "AgentSessionStart").count() as u64
        };
        match result {
            NextEvents::SessionEnded => {}
            NextEvents::Timeout => self.acknowledged += self.returned.remove(session).unwrap_or(0),
            NextEvents::Events { events } => {
                self.acknowledged += self.returned.insert(session.to_owned(), custom(events)).unwrap_or(0);
            }
        }
    }

    fn ended(&mut self, session: &str) {
        self.returned.remove(session);
    }
}

#[derive(Debug, Clone)]
enum Op {
    Start(usize),
    End(usize),
    EndUnknown,
    Send { agent: usize, name: usize, persist: bool, big: bool },
    Poll { session: usize, max: usize },
    PollUnknown,
    Action { action: u8, state: usize, media: usize },
    Subscribe(usize),
    Off(u64),
}

const STATES: [&str; 6] = ["qualified", "offered", "accepted", "started", "completed", "errored"];
const MEDIA: [&str; 3] = ["webchat", "contentoffer", "video"];
const PATTERNS: [&str; 4] = ["all:all", "webchat:offered", "bad", "contentoffer:all"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..4usize).prop_map(Op::Start),
        (0..8usize).prop_map(Op::End),
        Just(Op::EndUnknown),
        (0..4usize, 0..3usize, any::<bool>(), prop::bool::weighted(0.05))
            .prop_map(|(agent, name, persist, big)| Op::Send { agent, name, persist, big }),
        (0..8usize, 0..4usize).prop_map(|(session, max)| Op::Poll { session, max }),
        Just(Op::PollUnknown),
        (0..4u8, 0..STATES.len(), 0..MEDIA.len()).prop_map(|(action, state, media)| Op::Action {
            action,
            state,
            media
        }),
        (0..PATTERNS.len()).prop_map(Op::Subscribe),
        (0..6u64).prop_map(Op::Off),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_the_counters_consistent(ops in prop::collection::vec(op(), 1..80)) {
        let catalog = Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap();
        let config = Config::from_json(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "maxPendingPerAgent": 4, "maxCustomEventData": 8}"#).unwrap();
        let engine = Engine::new(catalog, config).unwrap();
        let mut sessions: Vec<String> = Vec::new();
        let mut receiver = Receiver::default();
        let mut not_connected = 0u64;
        for op in ops {
            match op {
                Op::Start(agent) => sessions.push(engine.start_agent_session(&format!("a{agent}")).unwrap().session_id.to_string()),
                Op::End(i) => if let Some(s) = sessions.get(i) {
                    engine.end_agent_session(s).unwrap();
                    receiver.ended(s);
                },
                Op::EndUnknown => prop_assert_eq!(engine.end_agent_session("nope").unwrap_err().code(), "INVALID_SESSION"),
                Op::Send { agent, name, persist, big } => {
                    let data = if big { "x".repeat(9) } else { "d".to_owned() };
                    match engine.send_custom_event(&CustomEventRequest::new(format!("a{agent}"), format!("n{name}"), data, persist)) {
                        Ok(result) => not_connected += (result.delivery == Delivery::AgentNotConnected) as u64,
                        Err(err) => prop_assert!(matches!(err.code(), "QUEUE_FULL" | "INVALID_ARGUMENT")),
                    }
                }
                Op::Poll { session, max } => if let Some(s) = sessions.get(session) {
                    match engine.next_events(s, 0, Some(max), None) {
                        Ok(result) => receiver.polled(s, &result),
                        Err(err) => prop_assert_eq!(err.code(), "INVALID_ARGUMENT"),
                    }
                },
                Op::PollUnknown => prop_assert_eq!(engine.next_events("00000000-0000-4000-8000-000000000000", 0, None, None).unwrap_err().code(), "INVALID_SESSION"),
                Op::Action { action, state, media } => {
                    let event = json!({"actionId": uuid::Uuid::from_u128(action as u128 + 1).to_string(), "actionState": STATES[state],
                        "actionMediaType": MEDIA[media], "actionMapId": uuid::Uuid::from_u128(9).to_string(), "actionMapVersion": 1,
                        "customerId": uuid::Uuid::from_u128(10).to_string(), "customerIdType": "cookie", "sessionId": uuid::Uuid::from_u128(11).to_string()});
                    if let Err(err) = engine.record_action_event(&event) {
                        prop_assert!(matches!(err.code(), "INVALID_TRANSITION" | "UNKNOWN_ACTION" | "INVALID_ARGUMENT"));
                    }
                }
                Op::Subscribe(p) => {
                    let result = engine.on(PATTERNS[p], |e| if e.as_action().is_some_and(|e| e.action_state.as_str() == "errored") { Err("boom".into()) } else { Ok(()) });
                    prop_assert_eq!(result.is_ok(), PATTERNS[p] != "bad");
                }
                Op::Off(id) => engine.off(id),
            }
        }
        // Log every agent in and drain: poll everything, then poll once more to acknowledge it.
        for agent in 0..4 {
            let session = engine.start_agent_session(&format!("a{agent}")).unwrap().session_id.to_string();
            for _ in 0..2 {
                let result = engine.next_events(&session, 0, Some(1000), None).unwrap();
                receiver.polled(&session, &result);
            }
            prop_assert!(!receiver.returned.contains_key(&session));
        }
        let stats = engine.stats();
        // Nothing is pending now: every accepted event was acknowledged, overwritten or dropped.
        let accepted = stats.custom_events_queued + stats.custom_events_persisted;
        let dropped_at_logout = stats.custom_events_dropped - not_connected;
        prop_assert_eq!(accepted, receiver.acknowledged + stats.custom_events_overwritten + dropped_at_logout);
    }
}
