//! Erasure in memory (docs/identity.md, "Erasure"): `erase` of any identifier of a person removes
//! everything the engine holds about the whole profile (sessions and events, links, web actions,
//! orchestration state, marked custom events, outbox entries, recorded deliveries) and nothing
//! of anyone else's; resends are duplicates unless `eraseForget`.

mod common;

use common::orchestration::{self as fixtures, cookie_id, event_id, page, status};
use journey_core::{Command, Config, Engine};
use serde_json::{Value, json};

/// The person's e-mail and phone, linked to visitor 1's cookie.
const EMAIL: &str = "ada.lovelace@example.com";
const PHONE: &str = "+44 7700 900123";
/// A page only the person viewed: an attribute value no one else's event carries.
const SECRET_URL: &str = "/returns/ada-7f3k";
/// The data of the host's custom event about the person.
const NOTE: &str = "ada-parcel-note";

fn engine_with(config: Value) -> Engine {
    let mut base = json!({"clock": "manual", "start": "2026-11-21T10:30:00Z"});
    for (key, value) in config.as_object().unwrap() {
        base[key] = value.clone();
    }
    let engine = Engine::new(fixtures::catalog(), Config::from_value(&base).unwrap()).unwrap();
    fixtures::put_all(&engine, &fixtures::definitions());
    engine
}

fn call(engine: &Engine, op: &str, input: Value) -> Value {
    engine.call(&Command::new(op, input).unwrap()).unwrap_or_else(|e| panic!("{op}: {e}"))
}

fn accepted(engine: &Engine, event: Value) {
    let outcome = call(engine, "ingest", event);
    assert_eq!(outcome["status"], "accepted", "{outcome}");
}

fn cookie(c: usize) -> Value {
    json!({"idType": "cookie", "id": cookie_id(c)})
}

fn email() -> Value {
    json!({"idType": "email", "id": EMAIL})
}

fn phone() -> Value {
    json!({"idType": "phone", "id": PHONE})
}

/// The person's events (visitor 1, who logs in with the e-mail; the host links the phone): the
/// returns page twice (a session segment, a content offer and a chat), a delayed delivery naming
/// agent-7 (a customer segment and a map's custom event, persisted for agent-7), and a host's
/// custom event to agent-8 marked with the phone. Returns the events' count.
fn the_person(engine: &Engine) -> u64 {
    let mut login = page(1, 1, "/returns", "2026-11-21T10:00:00Z");
    login["identifiers"] = json!([email()]);
    accepted(engine, login);
    accepted(engine, page(2, 1, SECRET_URL, "2026-11-21T10:01:00Z"));
    accepted(engine, status(3, 1, 1, "delayed", Some("agent-7"), "2026-11-21T10:02:00Z"));
    call(engine, "link", json!({"from": email(), "to": phone()}));
    let marked = json!({"agentId": "agent-8", "eventName": "note", "data": NOTE, "persistInMemory": true,
        "customer": phone()});
    assert_eq!(call(engine, "sendCustomEvent", marked)["delivery"], "persisted");
    3
}

/// Someone else (visitor 2): the same pages and a delayed delivery naming agent-8, and the host's
/// unmarked custom event to agent-8.
fn someone_else(engine: &Engine) {
    accepted(engine, page(11, 2, "/returns", "2026-11-21T10:00:30Z"));
    accepted(engine, page(12, 2, "/returns", "2026-11-21T10:01:30Z"));
    accepted(engine, status(13, 2, 1, "delayed", Some("agent-8"), "2026-11-21T10:02:30Z"));
    let unmarked = json!({"agentId": "agent-8", "eventName": "hello", "data": "hi", "persistInMemory": true});
    call(engine, "sendCustomEvent", unmarked);
}

fn journey(engine: &Engine, customer: Value) -> Value {
    let viewer = json!({"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view"], "divisions": ["*"]});
    call(engine, "journey", json!({"customer": customer, "viewer": viewer, "page": {"pageSize": 100}}))
}

/// The names of the custom events waiting for `agent` (its login's first poll).
fn waiting_for(engine: &Engine, agent: &str) -> Vec<String> {
    let session = call(engine, "startAgentSession", json!({"agentId": agent}))["sessionId"].clone();
    let polled = call(engine, "nextEvents", json!({"sessionId": session, "timeoutMs": 0}));
    let events = polled["events"].as_array().cloned().unwrap_or_default();
    events.iter().map(|e| e["eventName"].as_str().unwrap().to_owned()).filter(|n| n != "AgentSessionStart").collect()
}

/// Whether any recorded delivery names visitor 1's cookie.
fn deliveries_name_the_person(engine: &Engine) -> bool {
    call(engine, "deliveries", json!({"label": "all"}))["events"].to_string().contains(&cookie_id(1))
}

#[test]
fn erase_removes_the_whole_profile_and_nothing_of_anyone_else() {
    let engine = engine_with(json!({}));
    for (label, pattern) in [("all", "all:all"), ("all", "trigger:all")] {
        call(&engine, "subscribe", json!({"pattern": pattern, "label": label}));
    }
    let events = the_person(&engine);
    someone_else(&engine);
    assert!(deliveries_name_the_person(&engine), "the person's web actions were delivered");
    assert_eq!(call(&engine, "profile", json!({"customer": phone()}))["members"].as_array().unwrap().len(), 3);
    let others_before = (journey(&engine, cookie(2)), call(&engine, "segments", json!({"customer": cookie(2)})));
    assert_eq!(journey(&engine, email())["entities"].as_array().unwrap().len(), 2, "the person's two sessions");
    assert_eq!(others_before.0["entities"].as_array().unwrap().len(), 2, "{}", others_before.0);
    assert_eq!(others_before.1["entities"].as_array().unwrap().len(), 2, "{}", others_before.1);
    assert_eq!(call(&engine, "segments", json!({"customer": cookie(1)}))["entities"].as_array().unwrap().len(), 2);

    let erased = call(&engine, "erase", json!({"customer": phone()}));
    assert_eq!(erased, json!({"customersErased": 3, "eventsErased": events}));

    for member in [cookie(1), email(), phone()] {
        assert_eq!(journey(&engine, member.clone())["entities"], json!([]), "{member}");
        let profile = call(&engine, "profile", json!({"customer": member.clone()}));
        assert_eq!(profile["members"], json!([member.clone()]), "no link is left");
        assert_eq!(call(&engine, "segments", json!({"customer": member}))["entities"], json!([]));
    }
    assert!(!deliveries_name_the_person(&engine), "the recorded deliveries naming the person are gone");
    assert!(waiting_for(&engine, "agent-7").is_empty(), "the map's custom event about the person is gone");
    let mut left = waiting_for(&engine, "agent-8");
    left.sort();
    assert_eq!(left, ["deliveryDelayed", "hello"], "the marked event is gone, the others' stay");
    let others_after = (journey(&engine, cookie(2)), call(&engine, "segments", json!({"customer": cookie(2)})));
    assert_eq!(others_after, others_before);
    let stats = call(&engine, "stats", Value::Null);
    assert_eq!((stats["customersErased"].clone(), stats["eventsErased"].clone()), (json!(3), json!(events)));
}

#[test]
fn the_persons_web_actions_are_gone() {
    let engine = engine_with(json!({}));
    let action = json!({"actionId": "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11", "actionState": "offered",
        "actionMediaType": "webchat", "actionMapId": fixtures::CHAT, "actionMapVersion": 1,
        "customerId": cookie_id(1), "customerIdType": "cookie", "sessionId": "00000000-0000-4000-8000-000000000001"});
    call(&engine, "recordActionEvent", action);
    let later = json!({"actionId": "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11", "actionState": "accepted"});
    assert_eq!(call(&engine, "erase", json!({"customer": cookie(1)}))["customersErased"], 1, "it owned an action");
    let error = engine.call(&Command::new("recordActionEvent", later).unwrap()).unwrap_err();
    assert_eq!(error.code(), "UNKNOWN_ACTION");
}

#[test]
fn resends_are_duplicates_unless_the_ids_are_forgotten() {
    let engine = engine_with(json!({}));
    the_person(&engine);
    call(&engine, "erase", json!({"customer": email()}));
    let again = call(&engine, "ingest", page(2, 1, SECRET_URL, "2026-11-21T10:01:00Z"));
    assert_eq!(again, json!({"status": "duplicate", "eventId": event_id(2), "sessionId": uuid::Uuid::nil()}));
    let reused = call(&engine, "ingest", page(2, 1, "/other", "2026-11-21T10:01:00Z"));
    assert_eq!(reused["violations"][0]["code"], "DUPLICATE_ID_CONFLICT", "{reused}");
    assert_eq!(journey(&engine, cookie(1))["entities"], json!([]), "nothing came back");

    let forgetting = engine_with(json!({}));
    the_person(&forgetting);
    call(&forgetting, "erase", json!({"customer": email(), "eraseForget": true}));
    let again = call(&forgetting, "ingest", page(2, 1, SECRET_URL, "2026-11-21T10:01:00Z"));
    assert_eq!(again["status"], "accepted", "{again}");
}

#[test]
fn unknown_customers_erase_nothing_and_bad_inputs_are_typed() {
    let engine = engine_with(json!({}));
    someone_else(&engine);
    let stats = call(&engine, "stats", Value::Null);
    for customer in [email(), json!({"idType": "cookie", "id": cookie_id(9)})] {
        assert_eq!(
            call(&engine, "erase", json!({"customer": customer})),
            json!({"customersErased": 0, "eventsErased": 0})
        );
    }
    assert_eq!(call(&engine, "stats", Value::Null), stats, "nothing changed");
    let bad = [
        json!({"customer": {"idType": "email", "id": ""}}),
        json!({"customer": {"idType": "email", "id": "x".repeat(100_000)}}),
        json!({"customer": {"idType": "fax", "id": "x"}}),
        json!({"customer": {"idType": "email"}}),
        json!({"customer": {"idType": "email", "id": "x"}, "eraseForget": "yes"}),
        json!({"customer": {"idType": "email", "id": "x"}, "erase": true}),
        json!({}),
        json!(null),
    ];
    for input in bad {
        let error = Command::new("erase", input.clone()).and_then(|command| engine.call(&command)).unwrap_err();
        assert_eq!(error.code(), "INVALID_ARGUMENT", "{input}: {error}");
    }
}

#[test]
fn a_partitions_outbox_entries_about_the_person_are_gone() {
    let engine = engine_with(json!({"orchestration": {"customEvents": "outbox"}}));
    the_person(&engine);
    someone_else(&engine);
    let outbox = |engine: &Engine| call(engine, "outbox", json!({}))["entries"].clone();
    assert_eq!(outbox(&engine).as_array().unwrap().len(), 2, "{}", outbox(&engine));
    call(&engine, "erase", json!({"customer": cookie(1)}));
    let left = outbox(&engine);
    assert_eq!(left.as_array().unwrap().len(), 1, "{left}");
    assert_eq!(left[0]["customer"], cookie(2));
}
