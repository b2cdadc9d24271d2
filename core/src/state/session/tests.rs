//! Tests of a customer's sessions: the index from an event to its session, through merges and
//! evictions.

use crate::{Catalog, Config, Customer, Engine, IdType};
use serde_json::json;

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "eventTypes": [{"name": "in_transit"}]},
  {"name": "web", "kind": "web", "inactivityGap": "30s", "eventTypes": [{"name": "page_viewed"}]}]}"#;

/// 2026-11-20T00:00:00Z
const START: i64 = 1_795_132_800_000;

fn event(session: serde_json::Value, name: &str, seconds: i64) -> String {
    json!({"eventName": name, "createdDate": crate::base::time::format_millis(START + seconds * 1000),
        "customer": {"id": "dana", "idType": "email"}, "session": session})
    .to_string()
}

fn custom(order: usize, seconds: i64) -> String {
    event(json!({"type": "delivery", "externalId": format!("order-{order}")}), "in_transit", seconds)
}

fn web(seconds: i64) -> String {
    event(json!({"type": "web"}), "page_viewed", seconds)
}

/// Every stored event's session, found through the index, is the one a look through every
/// session finds; returns each event's id and session.
fn check_index(sessions: &super::CustomerSessions) -> Vec<(uuid::Uuid, uuid::Uuid)> {
    assert!(sessions.sessions.len() > super::activity::INDEXED_FROM, "enough sessions to be indexed");
    let events: Vec<(i64, uuid::Uuid)> =
        sessions.iter().flat_map(|s| s.events.iter().map(|e| (e.time, e.id))).collect();
    events
        .into_iter()
        .map(|(time, id)| {
            let scanned = sessions.iter().find(|s| s.event(time, id).is_some()).unwrap().id;
            assert_eq!(sessions.session_of_event(time, id).map(|s| s.id), Some(scanned));
            (id, scanned)
        })
        .collect()
}

/// [`check_index`], and a resend of each event sent is a `duplicate` naming its session.
fn check(engine: &Engine, sent: &[String]) {
    let customer = Customer::new("dana", IdType::Email);
    let expected = {
        let shard = engine.store_for_tests().customer_shard(customer.id_type, &customer.id);
        check_index(shard.get(customer.id_type, &customer.id).unwrap())
    };
    assert_eq!(expected.len(), sent.len());
    for text in sent {
        let outcome = engine.ingest_json(text.as_bytes()).unwrap();
        let crate::Outcome::Duplicate { event_id, session_id } = outcome else {
            panic!("a resend is a duplicate, got {outcome:?}")
        };
        assert_eq!(Some(&(event_id, session_id)), expected.iter().find(|(id, _)| *id == event_id));
    }
}

#[test]
fn the_event_index_finds_the_session_a_scan_finds_through_merges_and_evictions() {
    let config = Config::from_json(
        r#"{"clock": "manual", "start": "2026-11-21T00:00:00Z", "allowedLateness": "2d", "retention": "2d"}"#,
    )
    .unwrap();
    let engine = Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap();
    // 100 custom sessions, and web sessions a minute apart (each its own: the gap is 30 s).
    let mut sent: Vec<String> = (0..100).map(|n| custom(n, n as i64 * 10)).collect();
    sent.extend((0..20).map(|n| web(2_000 + n * 60)));
    for text in &sent {
        assert_eq!(engine.ingest_json(text.as_bytes()).unwrap().status(), "accepted");
    }
    check(&engine, &sent);
    // After the index is built: new sessions, events in old ones, and web events that bridge
    // the gaps, merging web sessions into one.
    let later: Vec<String> = (0..30)
        .map(|n| custom(n * 5, 5_000 + n as i64))
        .chain((0..19).map(|n| web(2_000 + n * 60 + 25)))
        .chain((0..19).map(|n| web(2_000 + n * 60 + 50)))
        .collect();
    for text in &later {
        assert_eq!(engine.ingest_json(text.as_bytes()).unwrap().status(), "accepted");
    }
    sent.extend(later);
    check(&engine, &sent);
    // Evict the custom sessions last active before 500 s: their events leave the index.
    let customer = Customer::new("dana", IdType::Email);
    let mut shard = engine.store_for_tests().customer_shard(customer.id_type, &customer.id);
    let sessions = shard.get_mut(customer.id_type, &customer.id).unwrap();
    let evicted = sessions.evict_before(START + 500_000);
    assert_eq!(evicted.sessions, 40, "orders 0 to 49 but the ten that had a later event");
    let index = sessions.event_sessions.get().expect("the index outlives an eviction");
    assert!(evicted.event_ids.iter().all(|id| !index.contains_key(id)));
    assert_eq!(index.len(), check_index(sessions).len());
}
