//! Erasure on disk (docs/identity.md, "Erasure"): when `erase` returns, no file of the store holds
//! the erased person's identifiers or the attribute values of their events, nor after a reopen;
//! the tombstone survives recovery to a checkpoint; an erasure does not deadlock with a long poll
//! or a snapshot; erased events' ids leave the store when retention would have evicted them.

mod common;

use common::people::{events_of, identifiers, people_on_disk, secret};
use common::temp_dir;
use journey_core::{Catalog, Command, Config, Engine};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "attributes": [{"name": "location", "type": "string"}],
   "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true}]}]}]}"#;

fn catalog() -> Catalog {
    Catalog::from_json(CATALOG).unwrap()
}

fn config(extra: Value) -> Config {
    let mut config = json!({"clock": "manual", "start": "2026-11-21T12:00:00Z", "store": {"sync": "batch"}});
    for (key, value) in extra.as_object().unwrap() {
        config[key] = value.clone();
    }
    Config::from_value(&config).unwrap()
}

fn call(engine: &Engine, op: &str, input: Value) -> Value {
    engine.call(&Command::new(op, input).unwrap()).unwrap_or_else(|e| panic!("{op}: {e}"))
}

/// Ingests `people` people of `events` events each, in batches.
fn populate(engine: &Engine, people: std::ops::Range<usize>, events: usize) {
    let all: Vec<Value> = people.flat_map(|p| events_of(p, events)).collect();
    for batch in all.chunks(2_000) {
        let result = call(engine, "ingestBatch", Value::Array(batch.to_vec()));
        assert_eq!(result["accepted"], batch.len(), "{result}");
    }
}

fn journey_len(engine: &Engine, p: usize) -> usize {
    let viewer = json!({"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view"], "divisions": ["*"]});
    let [email, ..] = identifiers(p);
    let page = call(engine, "journey", json!({"customer": email, "viewer": viewer}));
    page["entities"].as_array().unwrap().len()
}

#[test]
fn no_file_of_the_store_holds_the_erased_person_after_erase_and_after_reopen() {
    let dir = temp_dir("erase-bytes");
    let engine = Engine::open(&dir, catalog(), config(json!({}))).unwrap();
    populate(&engine, 0..20, 5);
    engine.snapshot().unwrap();
    // Some of the person's events only in the journal, after the snapshot.
    populate(&engine, 20..21, 5);
    let marked = json!({"agentId": "a-1", "eventName": "note", "data": secret(7), "persistInMemory": true,
        "customer": identifiers(7)[1]});
    call(&engine, "sendCustomEvent", marked);
    assert_eq!(people_on_disk(&dir, 0..21).len(), 21, "every person is on disk before");

    for p in [7, 20] {
        let erased = call(&engine, "erase", json!({"customer": identifiers(p)[2]}));
        assert_eq!(erased, json!({"customersErased": 3, "eventsErased": 5}), "person {p}");
        let on_disk = people_on_disk(&dir, 0..21);
        assert!(!on_disk.contains(&p), "person {p}'s bytes are still in the store");
        assert_eq!(on_disk.len(), 21 - [7, 20].iter().filter(|e| **e <= p).count(), "the others' stay");
    }
    drop(engine);
    let engine = Engine::open(&dir, catalog(), config(json!({}))).unwrap();
    assert_eq!(engine.recovery().unwrap().erasures_completed, 0, "the rewrite was done before erase returned");
    assert_eq!((journey_len(&engine, 7), journey_len(&engine, 20), journey_len(&engine, 8)), (0, 0, 1));
    let stats = call(&engine, "stats", Value::Null);
    assert_eq!((stats["customersErased"].clone(), stats["eventsErased"].clone()), (json!(6), json!(10)));
    // The ids stay, without the content: a resend of an old export does not bring the person back.
    let resent = call(&engine, "ingestBatch", Value::Array(events_of(7, 5)));
    assert_eq!(resent["duplicates"], 5, "{resent}");
    engine.close().unwrap();
    let on_disk = people_on_disk(&dir, 0..21);
    assert!(!on_disk.contains(&7) && !on_disk.contains(&20), "{on_disk:?}");
}

#[test]
fn a_store_that_recovers_to_checkpoints_erases_right_after_one_and_keeps_it() {
    let dir = temp_dir("erase-checkpoint");
    let settings = json!({"store": {"sync": "batch", "recoverTo": "checkpoint"}});
    let engine = Engine::open(&dir, catalog(), config(settings.clone())).unwrap();
    populate(&engine, 0..3, 2);
    let refused = engine.call(&Command::new("erase", json!({"customer": identifiers(1)[0]})).unwrap()).unwrap_err();
    assert_eq!(refused.code(), "INVALID_ARGUMENT", "{refused}");
    call(&engine, "checkpoint", json!({"offset": 6}));
    assert_eq!(call(&engine, "erase", json!({"customer": identifiers(1)[0]}))["eventsErased"], 2);
    // Dropped at recovery: it follows the last checkpoint. The erasure before it stays.
    populate(&engine, 3..4, 2);
    drop(engine);
    let engine = Engine::open(&dir, catalog(), config(settings)).unwrap();
    assert_eq!((journey_len(&engine, 0), journey_len(&engine, 1), journey_len(&engine, 3)), (1, 0, 0));
    assert!(!people_on_disk(&dir, 0..4).contains(&1));
}

#[test]
fn erase_while_a_long_poll_waits_and_while_snapshots_are_written() {
    let dir = temp_dir("erase-concurrent");
    let engine = std::sync::Arc::new(Engine::open(&dir, catalog(), config(json!({}))).unwrap());
    populate(&engine, 0..50, 4);
    let session = call(&engine, "startAgentSession", json!({"agentId": "a-1"}))["sessionId"].clone();
    call(&engine, "nextEvents", json!({"sessionId": session, "timeoutMs": 0}));
    let (done, finished) = std::sync::mpsc::channel();
    let poller = {
        let (engine, session) = (engine.clone(), session.clone());
        std::thread::spawn(move || call(&engine, "nextEvents", json!({"sessionId": session, "timeoutMs": 3000})))
    };
    let snapshots = {
        let engine = engine.clone();
        std::thread::spawn(move || (0..20).map(|_| engine.snapshot()).collect::<Vec<_>>())
    };
    let eraser = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            let erased: Vec<Value> =
                (0..10).map(|p| call(&engine, "erase", json!({"customer": identifiers(p)[0]}))).collect();
            done.send(()).unwrap();
            erased
        })
    };
    finished.recv_timeout(Duration::from_secs(60)).expect("erase finished (no deadlock with the poll or a snapshot)");
    for erased in eraser.join().unwrap() {
        assert_eq!(erased, json!({"customersErased": 3, "eventsErased": 4}));
    }
    assert!(snapshots.join().unwrap().iter().all(Result::is_ok), "every snapshot succeeded");
    assert_eq!(poller.join().unwrap(), json!({"status": "timeout"}), "the poll answered as polls do");
    assert!(people_on_disk(&dir, 0..10).is_empty());
    assert_eq!(people_on_disk(&dir, 0..50).len(), 40);
}

#[test]
fn erased_ids_leave_the_store_when_retention_would_have_evicted_their_events() {
    let dir = temp_dir("erase-retention");
    let settings = json!({"allowedLateness": "1h", "retention": "2h"});
    let engine = Engine::open(&dir, catalog(), config(settings)).unwrap();
    populate(&engine, 0..2, 1);
    let id = uuid::Uuid::parse_str(events_of(0, 1)[0]["id"].as_str().unwrap()).unwrap();
    call(&engine, "erase", json!({"customer": identifiers(0)[0]}));
    let holds_the_id = |dir: &Path| {
        std::fs::read_dir(dir).unwrap().any(|entry| {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            bytes.windows(16).any(|w| w == id.as_bytes())
        })
    };
    assert!(holds_the_id(&dir), "the erased event's id is kept for dedupe");
    call(&engine, "advance", json!("3h"));
    engine.snapshot().unwrap();
    assert!(!holds_the_id(&dir), "gone once its session would have been evicted");
}

#[test]
fn a_custom_events_mark_survives_a_snapshot_and_a_reopen() {
    let dir = temp_dir("erase-mark");
    let engine = Engine::open(&dir, catalog(), config(json!({}))).unwrap();
    populate(&engine, 0..2, 1);
    for p in 0..2 {
        let marked = json!({"agentId": "a-1", "eventName": format!("note-{p}"), "data": secret(p),
            "persistInMemory": true, "customer": identifiers(p)[1]});
        call(&engine, "sendCustomEvent", marked);
    }
    engine.close().unwrap();
    let engine = Engine::open(&dir, catalog(), config(json!({}))).unwrap();
    call(&engine, "erase", json!({"customer": identifiers(1)[2]}));
    assert_eq!(people_on_disk(&dir, 0..2).into_iter().collect::<Vec<_>>(), [0]);
    let session = call(&engine, "startAgentSession", json!({"agentId": "a-1"}))["sessionId"].clone();
    let events = call(&engine, "nextEvents", json!({"sessionId": session}))["events"].clone();
    let names: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["eventName"].as_str().unwrap()).collect();
    assert_eq!(names, ["AgentSessionStart", "note-0"]);
}
