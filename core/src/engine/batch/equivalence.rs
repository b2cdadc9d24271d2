//! The parallel path gives byte for byte what the sequential one gives: generated batches, full of
//! conflicts, through an engine that ingests one event at a time (`ingestThreads: 1`) and through
//! engines whose windows are 1, 2, 3 and 7 events long on two threads, so that every conflict
//! (`DUPLICATE_ID_CONFLICT`, `CUSTOMER_MISMATCH`, `SESSION_ENDED`, a late event after the event
//! clock moved) straddles a window boundary. Outcomes, journeys, session events and stats must be
//! the same JSON.

use super::BatchShape;
use crate::{Catalog, Command, Config, Engine};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "endsOn": ["delivered"],
   "attributes": [{"name": "location", "type": "string"}],
   "eventTypes": [
     {"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true},
                                           {"name": "codes", "type": "integer", "list": true, "max": 9}]},
     {"name": "delivered", "attributes": [{"name": "location", "type": "string"}]}]},
  {"name": "website", "kind": "web", "inactivityGap": "10m", "eventTypes": [{"name": "pageview"}]}
]}"#;

/// A few ids, so that events reuse them, with the same content or not.
const IDS: [&str; 3] = [
    "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11",
    "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e12",
    "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e13",
];

/// One generated event, from a small domain so that events collide.
#[derive(Debug, Clone)]
struct Spec {
    customer: u8,
    order: u8,
    kind: u8,
    id: Option<usize>,
    /// Minutes after the start; some far in the past or the future.
    minute: i64,
    /// 0: valid; 1: a missing required attribute; 2: 150 bad list items (more than 100 violations);
    /// 3: not JSON; 4: a wrong type.
    flaw: u8,
}

fn spec() -> impl Strategy<Value = Spec> {
    (0..3u8, 0..3u8, 0..3u8, prop::option::weighted(0.3, 0..IDS.len()), minute(), flaw())
        .prop_map(|(customer, order, kind, id, minute, flaw)| Spec { customer, order, kind, id, minute, flaw })
}

fn minute() -> impl Strategy<Value = i64> {
    prop_oneof![8 => -30..60i64, 1 => Just(-600i64), 1 => Just(100_000i64)]
}

fn flaw() -> impl Strategy<Value = u8> {
    prop_oneof![12 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8), 1 => Just(4u8)]
}

/// The event's JSON text.
fn text(spec: &Spec) -> String {
    if spec.flaw == 3 {
        return format!("{{\"eventName\": \"in_transit\", \"customer\": {}", spec.customer);
    }
    let time = 1_795_000_000_000i64 + spec.minute * 60_000;
    let mut event = json!({
        "createdDate": crate::base::time::format_millis(time),
        "customer": {"id": format!("c{}", spec.customer), "idType": "email"},
    });
    match spec.kind {
        0 | 1 => {
            event["eventName"] = json!(if spec.kind == 0 { "in_transit" } else { "delivered" });
            event["session"] = json!({"type": "delivery", "externalId": format!("order-{}", spec.order)});
            event["attributes"] = json!({"location": format!("stop {}", spec.minute)});
        }
        _ => {
            event["eventName"] = json!("pageview");
            event["session"] = json!({"type": "website"});
        }
    }
    match spec.flaw {
        1 if spec.kind == 0 => event["attributes"] = json!({}),
        2 => event["attributes"]["codes"] = json!(vec!["x"; 150]),
        4 => event["customer"]["id"] = json!(7),
        _ => {}
    }
    if let Some(id) = spec.id {
        event["id"] = json!(IDS[id]);
    }
    event.to_string()
}

fn engine(clock: &str, threads: usize, window_events: usize) -> Engine {
    let config = Config::from_value(&json!({
        "clock": clock, "start": "2026-11-18T08:00:00Z", "allowedLateness": "2h", "ingestThreads": threads,
    }))
    .unwrap();
    let mut engine = Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap();
    engine.batch_shape = BatchShape { window_events, part_events: window_events.div_ceil(2), parallel_min: 0 };
    for (op, definition) in definitions() {
        engine.call(&Command::new(op, definition).unwrap()).unwrap();
    }
    engine
}

/// Definitions whose tests read the event, the session, or both, so that the event's half of
/// matching (on the pool) and the session's half (in the event's turn) each decide some entries:
/// a segment keyed by an event attribute that also tests the session, an outcome keyed by a
/// session attribute, and a map whose condition reads the event alone.
fn definitions() -> Vec<(&'static str, Value)> {
    let pattern = |event: &str, criteria: Value, count: u32| json!({"criteria": criteria, "count": count, "streamType": "Custom", "sessionType": "delivery", "eventName": event});
    let segment = json!({"displayName": "Went past stop 1x twice", "journey": {"patterns": [pattern(
        "in_transit",
        json!([{"key": "attributes.location", "operator": "startsWith", "values": ["stop 1"]},
               {"key": "session.attributes.location", "operator": "containsAny", "values": ["stop"]}]),
        2,
    )]}});
    let outcome = json!({"displayName": "Delivered at a stop", "journey": {"patterns": [pattern(
        "delivered",
        json!([{"key": "session.attributes.location", "operator": "startsWith", "values": ["stop"]}]),
        1,
    )]}});
    let map = json!({"displayName": "Tell the host about stop 3", "action": {"mediaType": "callback"},
        "triggerWithEventConditions": [{"key": "attributes.location", "values": ["stop 3"], "streamType": "Custom",
            "sessionType": "delivery", "eventName": "in_transit"}]});
    vec![("putSegment", segment), ("putOutcome", outcome), ("putActionMap", map)]
}

/// Everything a caller can read back: every customer's journey and every session's events, and
/// the stats.
fn state(engine: &Engine, outcomes: &Value) -> Value {
    let viewer = json!({"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
                                        "journey:eventType:view"], "divisions": ["*"]});
    let read = |op: &str, input: Value| engine.call(&Command::new(op, input).unwrap()).unwrap();
    let journeys: Vec<Value> = (0..3)
        .map(|c| {
            let customer = json!({"id": format!("c{c}"), "idType": "email"});
            read("journey", json!({"customer": customer, "viewer": viewer, "page": {"pageSize": 200}}))
        })
        .collect();
    let sessions: BTreeSet<String> = outcomes["outcomes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["sessionId"].as_str().map(str::to_owned))
        .collect();
    let events: Vec<Value> = sessions
        .iter()
        .map(|id| read("sessionEvents", json!({"sessionId": id, "viewer": viewer, "page": {"pageSize": 200}})))
        .collect();
    json!({"journeys": journeys, "events": events, "stats": engine.stats()})
}

/// The batch through one engine: its outcomes (as NDJSON text, as values, or streamed) and state.
fn run(engine: &Engine, texts: &[String], how: u8) -> (Value, Value) {
    let outcomes = match how {
        0 => engine.ingest_ndjson(texts.join("\n").as_bytes()).unwrap().to_json(),
        1 => {
            // Values: the unparseable ones go as strings, which are refused as not objects.
            let values: Vec<Value> =
                texts.iter().map(|t| serde_json::from_str(t).unwrap_or_else(|_| json!(t))).collect();
            engine.ingest_values(&values).unwrap().to_json()
        }
        _ => {
            let summary = engine.ingest_ndjson_reader(texts.join("\r\n\n").as_bytes(), 1000).unwrap();
            serde_json::to_value(&summary).unwrap()
        }
    };
    let state = state(engine, &outcomes);
    (without_wall_time(outcomes), state)
}

/// An event clock's `FUTURE_EVENT` names the wall time of its check, which differs between two
/// runs by the microseconds between them; everything else must be equal.
fn without_wall_time(mut value: Value) -> Value {
    match &mut value {
        Value::String(text) if text.contains("after the wall clock (") => {
            text.truncate(text.find(" (").unwrap_or(text.len()));
        }
        Value::Array(items) => items.iter_mut().for_each(|item| *item = without_wall_time(item.take())),
        Value::Object(map) => map.values_mut().for_each(|item| *item = without_wall_time(item.take())),
        _ => {}
    }
    value
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn parallel_batches_equal_sequential_ones(
        specs in prop::collection::vec(spec(), 1..60),
        event_clock in any::<bool>(),
        how in 0..3u8,
    ) {
        let clock = if event_clock { "event" } else { "manual" };
        let texts: Vec<String> = specs.iter().map(text).collect();
        let expected = run(&engine(clock, 1, 2048), &texts, how);
        for window in [1, 2, 3, 7] {
            let parallel = run(&engine(clock, 2, window), &texts, how);
            prop_assert_eq!(&parallel.0, &expected.0, "outcomes, windows of {}", window);
            prop_assert_eq!(&parallel.1, &expected.1, "state, windows of {}", window);
        }
    }
}

#[test]
fn a_large_batch_uses_the_pool_and_gives_the_same_outcomes() {
    // The default shape, on two threads, with a batch of several windows.
    let texts: Vec<String> = (0..10_000)
        .map(|n| {
            let spec = Spec {
                customer: (n % 3) as u8,
                order: (n % 3) as u8,
                kind: (n % 3) as u8,
                id: None,
                minute: (n % 90) as i64 - 30,
                flaw: (n % 17 == 0) as u8 * 2,
            };
            text(&spec)
        })
        .collect();
    let sequential = engine("event", 1, 2048);
    let mut parallel = engine("event", 2, 2048);
    parallel.batch_shape = BatchShape::default();
    parallel.ingest_ndjson(texts[..10].join("\n").as_bytes()).unwrap();
    assert!(parallel.ingest_pool.get().is_none(), "a small batch does not start the pool");
    sequential.ingest_ndjson(texts[..10].join("\n").as_bytes()).unwrap();
    let expected = run(&sequential, &texts, 0);
    assert_eq!(run(&parallel, &texts, 0), expected);
    let stats = &expected.1["stats"];
    for counter in ["segmentsAssigned", "outcomesAchieved", "actionMapsFired"] {
        assert!(stats[counter].as_u64() > Some(0), "the definitions were put to work: {counter} in {stats}");
    }
    assert!(parallel.ingest_pool().is_some(), "two threads were asked for");
    assert!(sequential.ingest_pool().is_none(), "one thread is the caller's");
}

#[test]
fn an_event_prepared_under_older_rules_matches_again_in_its_turn() {
    use crate::engine::ingest::Input;
    let config = Config::from_value(&json!({"clock": "manual", "start": "2026-11-18T11:30:00Z"})).unwrap();
    let engine = Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap();
    let spec = Spec { customer: 0, order: 0, kind: 0, id: None, minute: 3, flaw: 0 };
    let text = text(&spec);
    let older = engine.rules.current();
    let outcome = engine
        .ingest_call(None, |call| {
            // Stage 1 under rules with no definitions: the event's half finds nothing.
            let parsed = engine.parse(Input::Text(text.as_bytes()));
            let prepared = engine.prepare(&parsed, Some(&older));
            // A map is put before the event's turn: it must be evaluated under the map.
            for (op, definition) in definitions() {
                engine.call(&Command::new(op, definition).unwrap()).unwrap();
            }
            call.apply(prepared, Some(&older))
        })
        .unwrap();
    assert_eq!(outcome.status(), "accepted", "{}", outcome.to_json());
    assert_eq!(engine.stats().action_maps_fired, 1, "the map put before the event's turn fired");
}
