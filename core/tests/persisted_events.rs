//! Custom events persisted for agents who are not logged in (docs/durability.md, "Retention"):
//! they expire after `persistedTtl`, at most `maxPersistedTotal` wait across every agent, and a
//! durable engine never brings an expired one back.

mod common;

use common::temp_dir;
use journey_core::{Catalog, Config, CustomEventRequest, Delivery, Engine, NextEvents};

fn config(extra: &str) -> Config {
    Config::from_json(&format!(r#"{{"clock": "manual", "start": "2026-11-21T10:00:00Z"{extra}}}"#)).unwrap()
}

fn catalog() -> Catalog {
    Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap()
}

fn persist(engine: &Engine, agent: &str, name: &str) -> journey_core::Result<Delivery> {
    engine.send_custom_event(&CustomEventRequest::new(agent, name, "payload", true)).map(|sent| sent.delivery)
}

/// The names of what the agent receives at its next login.
fn received_at_login(engine: &Engine, agent: &str) -> Vec<String> {
    let session = engine.start_agent_session(agent).unwrap().session_id.to_string();
    match engine.next_events(&session, 0, None, None).unwrap() {
        NextEvents::Events { events } => events.into_iter().map(|e| e.event_name).collect(),
        other => panic!("a login always has AgentSessionStart, got {other:?}"),
    }
}

#[test]
fn a_persisted_event_older_than_persisted_ttl_is_dropped_and_counted() {
    let engine = Engine::new(catalog(), config(r#", "persistedTtl": "1h""#)).unwrap();
    assert_eq!(persist(&engine, "ghost", "stale").unwrap(), Delivery::Persisted);
    engine.advance_by("30m").unwrap();
    persist(&engine, "ghost", "fresh").unwrap();
    engine.advance_by("31m").unwrap();
    assert_eq!(engine.stats().custom_events_dropped, 1, "the sweep drops the event sent 61 minutes ago");
    assert_eq!(received_at_login(&engine, "ghost"), ["AgentSessionStart", "fresh"]);
}

#[test]
fn a_late_login_never_receives_a_stale_event_even_before_a_sweep() {
    // A wall clock: no sweep runs between the send and the login, which must drop it itself.
    let config = Config::from_json(r#"{"persistedTtl": "1ms"}"#).unwrap();
    let engine = Engine::new(catalog(), config).unwrap();
    persist(&engine, "late", "stale").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(received_at_login(&engine, "late"), ["AgentSessionStart"]);
    assert_eq!(engine.stats().custom_events_dropped, 1);
}

#[test]
fn past_max_persisted_total_a_send_is_queue_full_until_events_are_delivered_or_expire() {
    let engine = Engine::new(catalog(), config(r#", "maxPersistedTotal": 2, "persistedTtl": "1h""#)).unwrap();
    persist(&engine, "a", "n").unwrap();
    persist(&engine, "b", "n").unwrap();
    let refused = persist(&engine, "c", "n").unwrap_err();
    assert_eq!(refused.code(), "QUEUE_FULL", "{refused}");
    // Delivered: a's login takes its event, and there is room for one more.
    assert_eq!(received_at_login(&engine, "a"), ["AgentSessionStart", "n"]);
    persist(&engine, "c", "n").unwrap();
    assert_eq!(persist(&engine, "d", "n").unwrap_err().code(), "QUEUE_FULL");
    // Expired: room for both again.
    engine.advance_by("61m").unwrap();
    assert_eq!(engine.stats().custom_events_dropped, 2);
    persist(&engine, "d", "n").unwrap();
    persist(&engine, "e", "n").unwrap();
}

#[test]
fn a_durable_engine_does_not_bring_an_expired_event_back() {
    let config = || config(r#", "persistedTtl": "1h""#);
    let dir = temp_dir("persisted-ttl");
    let engine = Engine::open(&dir, catalog(), config()).unwrap();
    persist(&engine, "ghost", "stale").unwrap();
    engine.advance_by("30m").unwrap();
    persist(&engine, "later", "fresh").unwrap();
    engine.advance_by("31m").unwrap();
    let stats = engine.stats();
    assert_eq!(stats.custom_events_dropped, 1);
    // A copy taken now recovers from the journal alone (a crash); the original, closed, from its
    // snapshot. Neither may deliver the expired event.
    let crashed = temp_dir("persisted-ttl-crash");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "LOCK" {
            std::fs::copy(entry.path(), crashed.join(entry.file_name())).unwrap();
        }
    }
    engine.close().unwrap();
    drop(engine);
    for store in [&crashed, &dir] {
        let engine = Engine::open(store, catalog(), config()).unwrap();
        assert_eq!(engine.stats(), stats, "{store:?}");
        assert_eq!(received_at_login(&engine, "ghost"), ["AgentSessionStart"], "{store:?}");
        assert_eq!(received_at_login(&engine, "later"), ["AgentSessionStart", "fresh"], "{store:?}");
        engine.close().unwrap();
    }
}
