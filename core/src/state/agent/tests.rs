//! The agent queues end to end: sending, logging in and out, polling and acknowledging, through
//! `AgentQueues` as the engine calls it.

use super::{
    AgentQueues, CustomEventRequest, DEFAULT_MAX_EVENTS, Delivery, ENDED_SESSIONS_KEPT, NextEvents, QueueLimits, Ready,
    SendResult, deadline, max_events,
};
use crate::base::error::Result;
use crate::base::time::Millis;
use crate::state::stats::Counters;
use uuid::Uuid;

const LIMITS: QueueLimits =
    QueueLimits { max_pending: 3, max_data: 10, max_string: 64, max_persisted_total: 5, persisted_ttl: 1_000 };

fn send(queues: &AgentQueues, name: &str, persist: bool, counters: &Counters) -> Result<SendResult> {
    let request = CustomEventRequest {
        agent_id: "a1".into(),
        event_name: name.into(),
        data: format!("d-{name}"),
        persist_in_memory: persist,
        customer: None,
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
    let id = queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap().session_id.to_string();
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
    let id = queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap().session_id.to_string();
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
    let id = queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap().session_id.to_string();
    send(&queues, "kept", true, &counters).unwrap();
    send(&queues, "lost", false, &counters).unwrap();
    assert_eq!(names(poll(&queues, &id, None).unwrap()), ["AgentSessionStart", "kept", "lost"]);
    queues.end(&id, &counters).unwrap();
    assert_eq!(counters.snapshot().custom_events_dropped, 1);
    let next = queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap().session_id.to_string();
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
        customer: None,
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
            let id =
                queues.start("a1", 0, LIMITS, &Counters::default(), |_| Uuid::new_v4()).unwrap().session_id.to_string();
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
