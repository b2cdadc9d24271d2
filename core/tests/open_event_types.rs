//! Open session types (docs/decisions.md, "Open session types for app events"): the event types an
//! app session's events create keep their indexes through a journal replay, a snapshot, a catalog
//! upgrade and a state move, and definitions may name one before any event has created it.

mod common;

use common::temp_dir;
use journey_core::partition::Slice;
use journey_core::{Catalog, Config, Customer, Engine, IdType, PageRequest, Viewer};
use serde_json::{Value, json};

const COOKIE: &str = "0f8fad5b-d9cb-469f-a165-708677289501";

fn catalog(app: Value) -> Catalog {
    let delivery = json!({"name": "delivery", "kind": "custom", "eventTypes": [{"name": "in_transit"}]});
    Catalog::from_value(&json!({"sessionTypes": [delivery, app]})).unwrap()
}

/// An open app session type declaring `opened` (and `more` declared event types after it).
fn app_catalog(more: &[&str]) -> Catalog {
    let mut event_types = vec![json!({"name": "opened"})];
    event_types.extend(more.iter().map(|name| json!({"name": name})));
    catalog(json!({"name": "app", "kind": "web", "open": true, "eventTypes": event_types}))
}

fn config(extra: &str) -> Config {
    Config::from_json(&format!(r#"{{"clock": "manual", "start": "2026-11-21T11:00:00Z"{extra}}}"#)).unwrap()
}

/// An app event at minute `minute` past ten, with an id when given.
fn app_event(name: &str, minute: u32, id: Option<&str>, attributes: Value) -> Value {
    // `opened` is declared, with no attributes: it stays as strict as any declared type.
    let attributes = if name == "opened" { json!({}) } else { attributes };
    let mut event = json!({"eventName": name, "createdDate": format!("2026-11-21T10:{minute:02}:00Z"),
        "customer": {"id": COOKIE, "idType": "cookie"}, "session": {"type": "app"}, "attributes": attributes});
    if let Some(id) = id {
        event["id"] = json!(id);
    }
    event
}

fn status(engine: &Engine, event: &Value) -> String {
    engine.ingest_value(event).unwrap().status().to_owned()
}

fn viewer() -> Viewer {
    Viewer::new(["journey:session:view", "journey:sessionType:view", "journey:event:view"], ["*"])
}

/// The names of the app session's events, in order, and the index each open name has.
fn names_and_indexes(engine: &Engine) -> (Vec<String>, Vec<Option<usize>>) {
    let customer = Customer::new(COOKIE, IdType::Cookie);
    let page = engine.journey(&customer, &viewer(), &PageRequest::default()).unwrap();
    let session = page.entities[0].id.to_string();
    let events = engine.session_events(&session, &viewer(), &PageRequest::default()).unwrap();
    let app = engine.catalog().session_type_index("app").unwrap();
    let indexes = ["b", "a", "c", "z"].iter().map(|name| engine.catalog().event_type_index(app, name)).collect();
    (events.entities.into_iter().map(|event| event.event_name).collect(), indexes)
}

#[test]
fn open_event_types_keep_their_indexes_from_the_journal_a_snapshot_and_an_upgrade() {
    let dir = temp_dir("open-types");
    let engine = Engine::open(&dir, app_catalog(&[]), config("")).unwrap();
    let first = "6f1c8a52-1b44-4d8e-9a6b-000000000001";
    assert_eq!(status(&engine, &app_event("b", 0, Some(first), json!({}))), "accepted");
    // Another event under an accepted id is refused, and the name it brought is not created.
    assert_eq!(status(&engine, &app_event("z", 1, Some(first), json!({}))), "rejected");
    // Nor is one whose attributes fail (stage 1 refuses it).
    let wrong = json!({"n": {"dataType": "integer", "value": "x"}});
    assert_eq!(status(&engine, &app_event("z", 1, None, wrong)), "rejected");
    for (minute, name) in [(2, "a"), (3, "opened"), (4, "c"), (5, "b")] {
        assert_eq!(status(&engine, &app_event(name, minute, None, json!({"n": minute}))), "accepted");
    }
    let expected = (
        ["b", "a", "opened", "c", "b"].map(String::from).to_vec(),
        vec![Some(1), Some(2), Some(3), None], // after the declared `opened`, in the order they came
    );
    assert_eq!(names_and_indexes(&engine), expected);
    drop(engine); // a crash: the journal holds everything
    let engine = Engine::open(&dir, app_catalog(&[]), config("")).unwrap();
    assert!(engine.recovery().unwrap().records_replayed > 0);
    assert_eq!(names_and_indexes(&engine), expected, "replayed from the journal");
    engine.close().unwrap(); // a snapshot, and an empty journal
    drop(engine);
    let engine = Engine::open(&dir, app_catalog(&[]), config("")).unwrap();
    assert_eq!(engine.recovery().unwrap().records_replayed, 0);
    assert_eq!(names_and_indexes(&engine), expected, "read from the snapshot");
    engine.close().unwrap();
    drop(engine);

    // A catalog that declares one more event type moves the open ones after it.
    let engine = Engine::open(&dir, app_catalog(&["closed"]), config("")).unwrap();
    assert!(engine.recovery().unwrap().catalog_upgraded);
    let upgraded = (expected.0.clone(), vec![Some(2), Some(3), Some(4), None]);
    assert_eq!(names_and_indexes(&engine), upgraded);
    assert_eq!(status(&engine, &app_event("d", 6, None, json!({}))), "accepted");
    assert_eq!(engine.catalog().event_type_index(engine.catalog().session_type_index("app").unwrap(), "d"), Some(5));
    engine.close().unwrap();
    drop(engine);

    // A catalog may not declare an open event type the store holds, nor close the type.
    let declares = Engine::open(&dir, app_catalog(&["closed", "b"]), config("")).unwrap_err();
    assert_eq!(declares.code(), "INVALID_CATALOG");
    assert_eq!(declares.violations()[0].path, "/sessionTypes/app/eventTypes/b");
    let closed = catalog(json!({"name": "app", "kind": "web", "eventTypes": [{"name": "opened"}, {"name": "closed"}]}));
    let closes = Engine::open(&dir, closed, config("")).unwrap_err();
    assert_eq!(closes.violations()[0].path, "/sessionTypes/app/open");
    let engine = Engine::open(&dir, app_catalog(&["closed"]), config("")).unwrap();
    assert_eq!(names_and_indexes(&engine).1, vec![Some(2), Some(3), Some(4), None], "refusals changed nothing");
}

#[test]
fn only_a_web_session_type_may_be_open() {
    let custom = json!({"sessionTypes": [{"name": "delivery", "kind": "custom", "open": true}]});
    let error = Catalog::from_value(&custom).unwrap_err();
    assert_eq!((error.code(), error.violations()[0].path.as_str()), ("INVALID_CATALOG", "/sessionTypes/0/open"));
    let not_a_flag = json!({"sessionTypes": [{"name": "app", "kind": "web", "open": "yes"}]});
    assert_eq!(Catalog::from_value(&not_a_flag).unwrap_err().violations()[0].path, "/sessionTypes/0/open");
}

const SEGMENT: &str = "4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e";
const MAP: &str = "7e1c2d3a-9b8f-4c6d-8e5f-0a1b2c3d4e5f";

#[test]
fn definitions_name_an_open_event_type_before_it_is_seen_and_fire_once_it_is() {
    let config = config(r#", "orchestration": {"customEvents": "outbox"}, "ingestThreads": 2"#);
    let engine = Engine::new(app_catalog(&[]), config).unwrap();
    let pattern = json!({"count": 1, "streamType": "Web", "sessionType": "app", "eventName": "promo_opened",
        "criteria": [{"key": "attributes.plan", "values": ["gold"], "operator": "equal"}]});
    engine
        .put_segment(&json!({"id": SEGMENT, "displayName": "Gold promo", "journey": {"patterns": [pattern]}}))
        .unwrap();
    let condition = json!({"key": "eventName", "values": ["promo_opened"], "streamType": "Web", "sessionType": "app"});
    let map = json!({"id": MAP, "displayName": "Tell the agent", "triggerWithEventConditions": [condition],
        "action": {"mediaType": "customEvent", "agentId": "agent-1", "eventName": "promoSeen"}});
    engine.put_action_map(&map).unwrap();
    // An attribute of open event types is untyped: it has no order to compare by.
    let ordered = json!({"id": "5e3c9f30-2d6b-4c9f-8e8f-4a2b3c4d5e6f", "displayName": "x", "journey": {"patterns": [
        {"count": 1, "streamType": "Web", "sessionType": "app",
         "criteria": [{"key": "attributes.plan", "values": ["1"], "operator": "greaterThan"}]}]}});
    assert_eq!(engine.put_segment(&ordered).unwrap_err().code(), "INVALID_ARGUMENT");
    // A name no event could carry would never match: refused, naming the field.
    let unnamable = json!({"id": "5e3c9f30-2d6b-4c9f-8e8f-4a2b3c4d5e6f", "displayName": "x", "journey": {"patterns": [
        {"count": 1, "streamType": "Web", "sessionType": "app", "eventName": "promo opened!"}]}});
    let refused = engine.put_segment(&unnamable).unwrap_err();
    assert!(refused.code() == "INVALID_ARGUMENT" && refused.to_string().contains("eventName"), "{refused}");
    let query: journey_core::paths::PathsQuery =
        serde_json::from_value(json!({"steps": ["app:promo opened!"]})).unwrap();
    assert_eq!(engine.paths(&query, &viewer()).unwrap_err().code(), "INVALID_ARGUMENT");

    let customer = Customer::new(COOKIE, IdType::Cookie);
    let sent = |engine: &Engine| {
        let entries = engine.outbox(&Default::default()).unwrap();
        entries.into_iter().map(|entry| entry.request.event_name).collect::<Vec<_>>()
    };
    assert_eq!(status(&engine, &app_event("cart_viewed", 0, None, json!({"plan": "gold"}))), "accepted");
    assert!(sent(&engine).is_empty() && engine.segments(&customer).unwrap().is_empty(), "another name fires nothing");
    let gold = json!({"plan": {"dataType": "string", "value": "gold"}});
    assert_eq!(status(&engine, &app_event("promo_opened", 1, None, gold)), "accepted");
    assert_eq!(sent(&engine), ["promoSeen"], "the map fires on the first event of the name");
    let segments = engine.segments(&customer).unwrap();
    assert_eq!(segments.iter().map(|s| s.segment_id.as_str()).collect::<Vec<_>>(), [SEGMENT]);
    // A batch large enough for the engine's threads matches its events' own attributes there,
    // before their turn; an event of an open event type is numbered in its turn, and matches then.
    let visitors: Vec<Value> = (0..80)
        .map(|n| {
            let mut event = app_event("promo_opened", 2, None, json!({"plan": "gold"}));
            event["customer"]["id"] = json!(format!("0f8fad5b-d9cb-469f-a165-{n:012}"));
            event
        })
        .collect();
    assert_eq!(engine.ingest_values(&visitors).unwrap().accepted, 80);
    assert_eq!(sent(&engine).len(), 81, "the map fires for each of the batch's events");
}

#[test]
fn a_state_move_renumbers_open_event_types_for_the_partition_that_takes_it() {
    let config = || config(r#", "digestKey": "0123456789abcdef0123456789abcdef""#);
    let (source, target) =
        (Engine::new(app_catalog(&[]), config()).unwrap(), Engine::new(app_catalog(&[]), config()).unwrap());
    for (minute, name) in [(0, "a"), (1, "b"), (2, "opened")] {
        assert_eq!(status(&source, &app_event(name, minute, None, json!({"n": minute}))), "accepted");
    }
    // The target numbers `b` first: its own order, not the source's.
    let other = json!({"eventName": "b", "createdDate": "2026-11-21T10:00:00Z",
        "customer": {"id": "someone-else", "idType": "email"}, "session": {"type": "app"}});
    assert_eq!(status(&target, &other), "accepted");
    let slice = source.move_out(&[Customer::new(COOKIE, IdType::Cookie)]).unwrap();
    target.move_in(Slice::from_bytes(&slice.to_bytes()).unwrap()).unwrap();
    let (names, _) = names_and_indexes(&target);
    assert_eq!(names, ["a", "b", "opened"], "each event keeps its name");
    let app = target.catalog().session_type_index("app").unwrap();
    assert_eq!(
        (target.catalog().event_type_index(app, "b"), target.catalog().event_type_index(app, "a")),
        (Some(1), Some(2))
    );
    assert_eq!(status(&target, &app_event("a", 3, None, json!({}))), "accepted", "the moved name is the target's now");
}

/// An app event of customer `email` (not the module's cookie), with an id when given.
fn customers_event(email: &str, name: &str, id: Option<&str>) -> Value {
    let mut event = app_event(name, 1, id, json!({}));
    event["customer"] = json!({"id": email, "idType": "email"});
    event
}

#[test]
fn only_an_event_that_is_stored_creates_its_open_event_type() {
    // Two calls race with one id: one names a new open event type, the other the declared
    // `opened`. When the new name loses, it must not exist (it would take a place under
    // maxEventTypes that no stored event holds). Definitions make each creation recompile the
    // rules, which widened the window this test found.
    let engine = Engine::new(app_catalog(&[]), config(r#", "maxEventTypes": 100000"#)).unwrap();
    for s in 0..30 {
        let segment = json!({"id": format!("4d2b8e2f-1c5a-4b8e-9d7e-{s:012}"), "displayName": "any",
            "journey": {"patterns": [{"count": 1, "streamType": "Web", "sessionType": "app",
            "criteria": [{"key": "attributes.flag", "values": [format!("v{s}")], "operator": "equal"}]}]}});
        engine.put_segment(&segment).unwrap();
    }
    let app = engine.catalog().session_type_index("app").unwrap();
    let barrier = std::sync::Barrier::new(2);
    let mut orphans = Vec::new();
    for round in 0..1000u32 {
        let id = format!("6f1c8a52-1b44-4d8e-9a6b-{round:012}");
        let name = format!("r{round}");
        let open = std::thread::scope(|scope| {
            let open = scope.spawn(|| {
                barrier.wait();
                status(&engine, &customers_event("x@example.com", &name, Some(&id)))
            });
            scope.spawn(|| {
                barrier.wait();
                status(&engine, &customers_event("x@example.com", "opened", Some(&id)))
            });
            open.join().unwrap()
        });
        if open == "rejected" && engine.catalog().event_type_index(app, &name).is_some() {
            orphans.push(name);
        }
    }
    assert!(orphans.is_empty(), "names created by events that were rejected: {orphans:?}");
}
