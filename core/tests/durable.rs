//! A durable engine's store (SPEC §11): torn writes, corruption, the lock, catalog upgrades,
//! snapshot rotation and concurrent writers.

mod common;

use common::temp_dir;
use journey_core::{Catalog, Config, Customer, Engine, IdType, JourneyError, PageRequest, Viewer};
use std::path::{Path, PathBuf};

const CATALOG: &str = r#"{"sessionTypes": [{"name": "delivery", "kind": "custom",
    "attributes": [{"name": "location", "type": "string"}],
    "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true}]}]}]}"#;

fn catalog() -> Catalog {
    Catalog::from_json(CATALOG).unwrap()
}

fn config(extra: &str) -> Config {
    Config::from_json(&format!(r#"{{"clock": "manual", "start": "2026-11-21T10:00:00Z"{extra}}}"#)).unwrap()
}

/// One event as one line of JSON (so that it can be an NDJSON line).
fn event(customer: usize, order: usize, n: usize) -> String {
    format!(
        r#"{{"eventName": "in_transit", "createdDate": "2026-11-21T09:{:02}:00Z", "customer": {{"id": "c{customer}", "idType": "email"}},
        "session": {{"type": "delivery", "externalId": "o{order}"}}, "attributes": {{"location": "stop {n}"}}}}"#,
        n % 60
    )
    .replace('\n', " ")
}

fn accepted(engine: &Engine) -> u64 {
    engine.stats().events_accepted
}

/// The store's files by name.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn journal(dir: &Path) -> PathBuf {
    let name = files(dir).into_iter().find(|n| n.starts_with("journal-")).expect("a journal");
    dir.join(name)
}

fn copy_store(from: &Path) -> common::TempDir {
    let to = temp_dir("copy");
    for name in files(from).into_iter().filter(|n| n != "LOCK") {
        std::fs::copy(from.join(&name), to.join(&name)).unwrap();
    }
    to
}

/// Byte offsets where each journal record starts (`magic | length | crc | payload`).
fn record_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut at = 0;
    while at + 12 <= bytes.len() {
        starts.push(at);
        at += 12 + u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
    }
    starts
}

/// A store holding three accepted events in its journal, left as a crash leaves it (no close).
fn store_with_three_events() -> common::TempDir {
    let dir = temp_dir("torn");
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    for n in 0..3 {
        assert_eq!(engine.ingest_json(event(1, n, n).as_bytes()).unwrap().status(), "accepted");
    }
    drop(engine);
    dir
}

#[test]
fn a_torn_last_record_is_cut_at_every_byte_offset() {
    let dir = store_with_three_events();
    let bytes = std::fs::read(journal(&dir)).unwrap();
    let starts = record_starts(&bytes);
    assert_eq!(starts.len(), 3, "one record per accepted event");
    let last = starts[2];
    for cut in last..=bytes.len() {
        let copy = copy_store(&dir);
        let file = std::fs::File::options().write(true).open(journal(&copy)).unwrap();
        file.set_len(cut as u64).unwrap();
        drop(file);
        let engine = Engine::open(&copy, catalog(), config("")).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        let whole = cut == bytes.len();
        assert_eq!(accepted(&engine), if whole { 3 } else { 2 }, "cut at {cut}");
        let dropped = if whole || cut == last { 0 } else { (cut - last) as u64 };
        assert_eq!(engine.recovery().unwrap().torn_bytes_dropped, dropped, "cut at {cut}");
        // The store goes on after the cut: a new event is recorded after the good records.
        assert_eq!(engine.ingest_json(event(1, 9, 9).as_bytes()).unwrap().status(), "accepted");
        drop(engine);
        let engine = Engine::open(&copy, catalog(), config("")).unwrap();
        assert_eq!(accepted(&engine), if whole { 4 } else { 3 }, "reopened after cut at {cut}");
        drop(engine);
        std::fs::remove_dir_all(&copy).unwrap();
    }
}

fn corrupt_at(path: &Path, offset: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset] ^= 0x5a;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_damaged_record_in_the_middle_is_corrupt_store_with_its_offset() {
    let dir = store_with_three_events();
    let journal = journal(&dir);
    let starts = record_starts(&std::fs::read(&journal).unwrap());
    corrupt_at(&journal, starts[1] + 40);
    let err = Engine::open(&dir, catalog(), config("")).unwrap_err();
    assert_eq!(err.code(), "CORRUPT_STORE");
    match &err {
        JourneyError::CorruptStore { file, offset, .. } => {
            assert!(file.ends_with(journal.file_name().unwrap().to_str().unwrap()), "{file}");
            assert_eq!(*offset, starts[1] as u64);
        }
        other => panic!("{other}"),
    }
    assert_eq!(err.to_json()["offset"], starts[1]);
}

#[test]
fn a_damaged_snapshot_is_corrupt_store() {
    let dir = store_with_three_events();
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    engine.close().unwrap();
    drop(engine);
    let snapshot = files(&dir).into_iter().find(|n| n.starts_with("snapshot-")).unwrap();
    let path = dir.join(&snapshot);
    let middle = std::fs::metadata(&path).unwrap().len() as usize / 2;
    corrupt_at(&path, middle);
    let err = Engine::open(&dir, catalog(), config("")).unwrap_err();
    assert_eq!(err.code(), "CORRUPT_STORE");
    assert!(err.to_string().contains(&snapshot), "{err}");
}

#[test]
fn a_second_open_is_store_locked_until_the_first_closes() {
    let dir = temp_dir("locked");
    let first = Engine::open(&dir, catalog(), config("")).unwrap();
    assert_eq!(Engine::open(&dir, catalog(), config("")).unwrap_err().code(), "STORE_LOCKED");
    first.close().unwrap();
    // Reads go on after close; changes are refused.
    assert_eq!(first.stats().events_accepted, 0);
    assert_eq!(first.ingest_json(event(1, 1, 1).as_bytes()).unwrap_err().code(), "IO_ERROR");
    let second = Engine::open(&dir, catalog(), config("")).unwrap();
    assert_eq!(second.ingest_json(event(1, 1, 1).as_bytes()).unwrap().status(), "accepted");
}

#[test]
fn a_catalog_that_adds_upgrades_the_store_and_any_other_change_is_refused() {
    let dir = store_with_three_events();
    let removed = Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap();
    let err = Engine::open(&dir, removed, config("")).unwrap_err();
    assert_eq!(err.code(), "INVALID_CATALOG");
    assert_eq!(err.violations()[0].path, "/sessionTypes/delivery");
    let added = Catalog::from_json(
        r#"{"sessionTypes": [{"name": "browsing", "kind": "web", "eventTypes": [{"name": "page_viewed"}]},
        {"name": "delivery", "kind": "custom", "attributes": [{"name": "eta", "type": "string"}, {"name": "location", "type": "string"}],
         "eventTypes": [{"name": "picked_up"}, {"name": "in_transit", "attributes": [
            {"name": "location", "type": "string", "required": true}, {"name": "eta", "type": "string"}]}]}]}"#,
    )
    .unwrap();
    let engine = Engine::open(&dir, added.clone(), config("")).unwrap();
    assert!(engine.recovery().unwrap().catalog_upgraded);
    let late = event(1, 0, 30).replace(r#""location": "stop 30""#, r#""location": "stop 30", "eta": "noon""#);
    assert_eq!(engine.ingest_json(late.as_bytes()).unwrap().status(), "accepted");
    drop(engine);
    let engine = Engine::open(&dir, added, config("")).unwrap();
    let viewer = Viewer::new(["journey:session:view", "journey:sessionType:view"], ["*"]);
    let page = engine.journey(&Customer::new("c1", IdType::Email), &viewer, &PageRequest::default()).unwrap();
    let order = page.entities.iter().find(|card| card.external_id.as_deref() == Some("o0")).unwrap();
    assert_eq!(order.event_count, 2);
    assert_eq!(order.attributes["location"], "stop 30");
    assert_eq!(order.attributes["eta"], "noon");
}

#[test]
fn snapshots_rotate_the_journal_and_recovery_is_exact() {
    let dir = temp_dir("rotate");
    let engine = Engine::open(&dir, catalog(), config(r#", "store": {"snapshotEvery": 4096}"#)).unwrap();
    for n in 0..200 {
        engine.ingest_json(event(n % 7, n % 23, n).as_bytes()).unwrap();
    }
    let before = engine.stats();
    drop(engine);
    let names = files(&dir);
    assert_eq!(names.iter().filter(|n| n.starts_with("snapshot-")).count(), 1, "{names:?}");
    assert_eq!(names.iter().filter(|n| n.starts_with("journal-")).count(), 1, "{names:?}");
    let engine = Engine::open(&dir, catalog(), config(r#", "store": {"snapshotEvery": 4096}"#)).unwrap();
    assert!(engine.recovery().unwrap().snapshot_seq > 0, "{:?}", engine.recovery());
    assert_eq!(engine.stats(), before);
}

#[test]
fn concurrent_writers_lose_nothing_acknowledged() {
    let dir = temp_dir("writers");
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    std::thread::scope(|scope| {
        for thread in 0..4 {
            let engine = &engine;
            scope.spawn(move || {
                for n in 0..100 {
                    let outcome = engine.ingest_json(event(thread, thread * 1000 + n, n).as_bytes()).unwrap();
                    assert_eq!(outcome.status(), "accepted");
                }
            });
        }
    });
    let before = engine.stats();
    drop(engine);
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    assert_eq!(engine.stats(), before);
    assert_eq!(accepted(&engine), 400);
}

#[test]
fn every_sync_mode_recovers_what_close_wrote() {
    for sync in ["always", "batch", "interval", "never"] {
        let dir = temp_dir("sync");
        let config = config(&format!(r#", "store": {{"sync": "{sync}", "intervalMs": 5}}"#));
        let engine = Engine::open(&dir, catalog(), config.clone()).unwrap();
        let batch: String = (0..50).map(|n| event(n % 3, n, n) + "\n").collect();
        assert_eq!(engine.ingest_ndjson(batch.as_bytes()).unwrap().accepted, 50, "{sync}");
        engine.close().unwrap();
        drop(engine);
        let engine = Engine::open(&dir, catalog(), config).unwrap();
        assert_eq!(accepted(&engine), 50, "{sync}");
    }
}

#[test]
fn a_journal_without_its_snapshot_is_corrupt_store_not_a_new_store() {
    let dir = store_with_three_events();
    for name in files(&dir).into_iter().filter(|n| n.starts_with("snapshot-")) {
        std::fs::remove_file(dir.join(name)).unwrap();
    }
    let journal_before = std::fs::read(journal(&dir)).unwrap();
    let err = Engine::open(&dir, catalog(), config("")).unwrap_err();
    assert_eq!(err.code(), "CORRUPT_STORE");
    assert_eq!(std::fs::read(journal(&dir)).unwrap(), journal_before, "the journal is left as it was");
}

#[test]
fn a_snapshot_left_half_written_by_a_crash_is_removed_and_the_last_one_used() {
    let dir = store_with_three_events();
    std::fs::write(dir.join("snapshot-00000000000000000099.tmp"), b"JRNYSNAP half").unwrap();
    std::fs::write(dir.join("notes.tmp"), b"not the store's").unwrap();
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    assert_eq!(accepted(&engine), 3);
    let names = files(&dir);
    assert!(!names.iter().any(|n| n.starts_with("snapshot-") && n.ends_with(".tmp")), "{names:?}");
    assert!(names.contains(&"notes.tmp".to_owned()), "{names:?}");
}

/// A store that recovers to checkpoints: a consumer's offsets beside the state they describe.
fn checkpointed(extra: &str) -> Config {
    config(&format!(r#", "store": {{"recoverTo": "checkpoint"{extra}}}"#))
}

#[test]
fn recovering_to_the_last_checkpoint_drops_what_came_after_it() {
    let dir = temp_dir("checkpoint");
    let engine = Engine::open(&dir, catalog(), checkpointed("")).unwrap();
    for n in 0..5 {
        engine.ingest_json(event(1, n, n).as_bytes()).unwrap();
    }
    engine.checkpoint(&serde_json::json!({"offsets": {"0": 5}})).unwrap();
    let at_checkpoint = engine.stats();
    engine.ingest_json(event(1, 5, 5).as_bytes()).unwrap();
    engine.ingest_json(b"not json").unwrap();
    assert_eq!(engine.last_checkpoint(), Some(serde_json::json!({"offsets": {"0": 5}})));
    drop(engine); // a crash: no close

    let engine = Engine::open(&dir, catalog(), checkpointed("")).unwrap();
    let recovery = engine.recovery().unwrap();
    assert_eq!(recovery.records_after_checkpoint_dropped, 2, "{recovery:?}"); // the event and the tally
    assert_eq!(engine.stats(), at_checkpoint);
    assert_eq!(engine.last_checkpoint(), Some(serde_json::json!({"offsets": {"0": 5}})));
    // The consumer resumes at offset 5: the event it sends again is new to the engine.
    assert_eq!(engine.ingest_json(event(1, 5, 5).as_bytes()).unwrap().status(), "accepted");
    drop(engine);

    // The same crash with the default `recoverTo: "end"` keeps every record.
    let dir = temp_dir("checkpoint-end");
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    engine.checkpoint(&serde_json::json!(1)).unwrap();
    engine.ingest_json(event(1, 0, 0).as_bytes()).unwrap();
    drop(engine);
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    assert_eq!(accepted(&engine), 1);
    assert_eq!(engine.recovery().unwrap().records_after_checkpoint_dropped, 0);
    assert_eq!(engine.last_checkpoint(), Some(serde_json::json!(1)));
}

#[test]
fn a_checkpointed_store_snapshots_only_at_checkpoints() {
    let dir = temp_dir("checkpoint-snapshots");
    let small = checkpointed(r#", "snapshotEvery": 4096"#);
    let engine = Engine::open(&dir, catalog(), small.clone()).unwrap();
    for n in 0..100 {
        engine.ingest_json(event(n % 7, n % 23, n).as_bytes()).unwrap();
    }
    // Far past snapshotEvery, but no checkpoint yet: no snapshot may hold these events.
    let first_snapshot = |dir: &Path| files(dir).into_iter().find(|n| n.starts_with("snapshot-")).unwrap();
    assert_eq!(first_snapshot(&dir), format!("snapshot-{:020}.snap", 0));
    let refused = engine.snapshot().unwrap_err();
    assert_eq!(refused.code(), "INVALID_ARGUMENT", "{refused}");
    engine.checkpoint(&serde_json::json!({"offset": 100})).unwrap();
    assert_ne!(first_snapshot(&dir), format!("snapshot-{:020}.snap", 0), "the checkpoint wrote the snapshot");
    let at_checkpoint = engine.stats();
    engine.ingest_json(event(1, 1000, 0).as_bytes()).unwrap();
    engine.close().unwrap(); // not at a checkpoint: closes without a snapshot
    drop(engine);

    let engine = Engine::open(&dir, catalog(), small).unwrap();
    assert_eq!(engine.stats(), at_checkpoint);
    assert_eq!(engine.last_checkpoint(), Some(serde_json::json!({"offset": 100})));
    assert_eq!(engine.recovery().unwrap().records_after_checkpoint_dropped, 1);
    engine.close().unwrap(); // at the checkpoint recovered: a snapshot, with the value in it
    drop(engine);
    let engine = Engine::open(&dir, catalog(), checkpointed("")).unwrap();
    assert_eq!(engine.recovery().unwrap().records_replayed, 0);
    assert_eq!(engine.last_checkpoint(), Some(serde_json::json!({"offset": 100})));
}

#[test]
fn a_checkpoint_is_bounded_and_travels_through_call() {
    let engine = Engine::new(catalog(), config("")).unwrap();
    let huge = serde_json::json!("x".repeat(journey_core::checkpoint::MAX_CHECKPOINT_BYTES));
    assert_eq!(engine.checkpoint(&huge).unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(engine.last_checkpoint(), None);
    let call = |text: &str| engine.call_json(text).unwrap();
    assert_eq!(call(r#"{"op": "lastCheckpoint"}"#), serde_json::json!({"checkpoint": null}));
    call(r#"{"op": "checkpoint", "input": {"topic": "events", "offsets": [3, 9]}}"#);
    assert_eq!(
        call(r#"{"op": "lastCheckpoint"}"#),
        serde_json::json!({"checkpoint": {"topic": "events", "offsets": [3, 9]}})
    );
    let bad = Config::from_json(r#"{"store": {"recoverTo": "start"}}"#).unwrap_err();
    assert_eq!(bad.code(), "INVALID_CONFIG");
    assert!(bad.to_string().contains("store.recoverTo"), "{bad}");
}

/// A segment of the delivery catalog, by id, with `location` as its criterion's value.
fn segment(id: &str, location: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "displayName": format!("At {location}"),
        "journey": {"patterns": [{"count": 1, "streamType": "Custom", "eventName": "in_transit",
            "criteria": [{"key": "attributes.location.value", "values": [location]}]}]}})
}

const S1: &str = "4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e";
const S2: &str = "5e3c9f30-2d6b-4c9f-8e8f-4a2b3c4d5e6f";
const M1: &str = "7e1c2d3a-9b8f-4c6d-8e5f-0a1b2c3d4e5f";

/// Every definition the engine holds, as its three lists.
fn definitions(engine: &Engine) -> serde_json::Value {
    serde_json::json!([engine.list_segments(), engine.list_outcomes(), engine.list_action_maps()])
}

/// Puts, replaces and deletes definitions, with the clock moving between them.
fn store_definitions(engine: &Engine) {
    engine.put_segment(&segment(S1, "Depot 7")).unwrap();
    engine.advance_by("1m").unwrap();
    engine.put_segment(&segment(S2, "Main St")).unwrap();
    let outcome = serde_json::json!({"displayName": "Delivered", "journey": {"patterns": [
        {"count": 2, "streamType": "Custom", "sessionType": "delivery"}]}});
    engine.put_outcome(&outcome).unwrap();
    let map = serde_json::json!({"id": M1, "displayName": "Call back", "triggerWithSegments": [S1],
        "action": {"mediaType": "callback"}});
    engine.put_action_map(&map).unwrap();
    engine.advance_by("1m").unwrap();
    let mut replace = segment(S1, "Depot 8");
    replace["version"] = 1.into();
    assert_eq!(engine.put_segment(&replace).unwrap()["version"], 2);
    assert_eq!(engine.put_segment(&replace).unwrap_err().code(), "INVALID_ARGUMENT", "version 1 is stale");
    engine.delete_segment(S2).unwrap();
    assert_eq!(engine.delete_segment(S1).unwrap_err().code(), "INVALID_ARGUMENT", "the map uses it");
}

#[test]
fn definitions_come_back_from_the_journal_and_from_a_snapshot() {
    let dir = temp_dir("definitions");
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    store_definitions(&engine);
    let before = definitions(&engine);
    assert_eq!(before[0].as_array().unwrap().len(), 1);
    assert_eq!(before[0][0]["modifiedDate"], "2026-11-21T10:02:00.000Z");
    drop(engine); // a crash: the journal holds everything
    let journal_text = String::from_utf8_lossy(&std::fs::read(journal(&dir)).unwrap()).into_owned();
    assert!(journal_text.contains(r#"{"op":"definitionStored","input":{"kind":"segment","definition":{"#));
    assert!(journal_text.contains(r#""modifiedDate":"2026-11-21T10:02:00.000Z""#), "as stored, with its dates");
    assert!(journal_text.contains(&format!(r#"{{"op":"deleteSegment","input":{{"id":"{S2}"}}}}"#)));
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    assert_eq!(
        engine.recovery().unwrap().records_replayed,
        8,
        "4 puts, a replace, 2 clock moves, a delete; refusals are not recorded"
    );
    assert_eq!(definitions(&engine), before);
    engine.close().unwrap(); // a snapshot, and an empty journal
    drop(engine);
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    assert_eq!(engine.recovery().unwrap().records_replayed, 0);
    assert_eq!(definitions(&engine), before);
    // Versions and dates go on from what was stored.
    engine.advance_by("1m").unwrap();
    let mut replace = segment(S1, "Depot 9");
    replace["version"] = 2.into();
    let stored = engine.put_segment(&replace).unwrap();
    assert_eq!(
        (stored["version"].clone(), stored["createdDate"].clone()),
        (3.into(), before[0][0]["createdDate"].clone())
    );
}

/// The sequences and event names an outbox holds.
fn outbox(engine: &Engine) -> Vec<(u64, String)> {
    let entries = engine.outbox(&Default::default()).unwrap();
    entries.into_iter().map(|entry| (entry.sequence, entry.request.event_name)).collect()
}

#[test]
fn an_outbox_and_its_acknowledgements_come_back_from_the_journal_and_from_a_snapshot() {
    let dir = temp_dir("outbox");
    let config = || config(r#", "orchestration": {"customEvents": "outbox"}"#);
    let engine = Engine::open(&dir, catalog(), config()).unwrap();
    engine.put_segment(&segment(S1, "Depot 7")).unwrap();
    let map = serde_json::json!({"id": M1, "displayName": "Tell the courier", "triggerWithSegments": [S1],
        "action": {"mediaType": "customEvent", "agentId": "courier", "eventName": "atDepot"}});
    engine.put_action_map(&map).unwrap();
    let at_depot = |c: usize| event(c, c, 0).replace("stop 0", "Depot 7");
    for c in 0..3 {
        engine.ingest_json(at_depot(c).as_bytes()).unwrap();
    }
    assert_eq!(outbox(&engine).iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(engine.stats().custom_events_queued + engine.stats().custom_events_persisted, 0, "nothing was sent");
    assert_eq!(engine.acknowledge_outbox(2).unwrap(), 2);
    assert_eq!(engine.acknowledge_outbox(2).unwrap(), 0);
    drop(engine); // a crash: the journal holds the firings and the acknowledgement
    let engine = Engine::open(&dir, catalog(), config()).unwrap();
    assert_eq!(outbox(&engine), [(3, "atDepot".to_owned())]);
    engine.close().unwrap(); // a snapshot, and an empty journal
    drop(engine);
    let engine = Engine::open(&dir, catalog(), config()).unwrap();
    assert_eq!(engine.recovery().unwrap().records_replayed, 0);
    assert_eq!(outbox(&engine), [(3, "atDepot".to_owned())]);
    engine.ingest_json(at_depot(3).as_bytes()).unwrap();
    assert_eq!(outbox(&engine).last().unwrap().0, 4, "numbering goes on from the snapshot");
    let through =
        engine.call(&journey_core::Command::new("acknowledgeOutbox", serde_json::json!({"through": 4})).unwrap());
    assert_eq!(through.unwrap(), serde_json::json!({"acknowledged": 2}));
    let bad = journey_core::Command::new("outbox", serde_json::json!({"max": 0})).unwrap();
    assert_eq!(engine.call(&bad).unwrap_err().code(), "INVALID_ARGUMENT");
}

/// Appends a record to a store's journal as the engine frames one (docs/durability.md).
fn append_record(dir: &Path, seq: u64, now: i64, change: &str) {
    let mut payload = seq.to_le_bytes().to_vec();
    payload.extend_from_slice(&now.to_le_bytes());
    payload.extend_from_slice(change.as_bytes());
    let length = (payload.len() as u32).to_le_bytes();
    let crc = crc32c::crc32c_append(crc32c::crc32c(&length), &payload);
    let mut record = b"JRN1".to_vec();
    record.extend_from_slice(&length);
    record.extend_from_slice(&crc.to_le_bytes());
    record.extend_from_slice(&payload);
    let mut file = std::fs::OpenOptions::new().append(true).open(journal(dir)).unwrap();
    std::io::Write::write_all(&mut file, &record).unwrap();
}

#[test]
fn a_stored_definition_replays_without_the_checks_of_a_put() {
    let dir = temp_dir("restore");
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    engine.put_segment(&segment(S1, "Depot 7")).unwrap();
    drop(engine);
    // What an older build may have stored and this one's put refuses: an event the catalog does
    // not have, a version and dates no put gives.
    let stored = serde_json::json!({"id": S2, "version": 7, "displayName": "Legacy", "isActive": true,
        "scope": "Session", "createdDate": "2001-01-01T00:00:00.000Z", "modifiedDate": "2002-01-01T00:00:00.000Z",
        "journey": {"patterns": [{"count": 1, "streamType": "Custom", "eventName": "gone", "criteria": []}]}});
    let engine = Engine::new(catalog(), config("")).unwrap();
    let refused = engine.put_segment(&stored).unwrap_err();
    assert!(refused.to_string().contains("/journey/patterns/0/eventName"), "{refused}");
    append_record(
        &dir,
        2,
        0,
        &format!(r#"{{"op":"definitionStored","input":{{"kind":"segment","definition":{stored}}}}}"#),
    );
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    assert_eq!(engine.recovery().unwrap().records_replayed, 2);
    let segments = engine.list_segments();
    assert_eq!(segments.len(), 2);
    assert_eq!(segments[1], stored, "taken as it was stored");
}

/// Rewrites a snapshot written with no definitions, no orchestration state, no outbox, no open
/// event types and no asks as format version 2 wrote it: the same body without its last parts
/// (the definitions' `None`, then orchestration's five zero counters and no customer states, then
/// the outbox's `None`, then the open event types' empty list, then identity's three zero counters,
/// no asks and the next ask's order 0, then erasure's two zero counters and no erased ids).
fn as_version_2(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[8..12], &7u32.to_le_bytes(), "this build writes version 7");
    let body = &bytes[12..bytes.len() - 20];
    let (body, last) = body.split_at(body.len() - 17);
    assert_eq!(last, [0; 17], "no definitions, orchestration, outbox, open event types, asks or erased ids");
    let mut old = b"JRNYSNAP".to_vec();
    old.extend_from_slice(&2u32.to_le_bytes());
    old.extend_from_slice(body);
    old.extend_from_slice(&(body.len() as u64).to_le_bytes());
    old.extend_from_slice(&crc32c::crc32c(body).to_le_bytes());
    old.extend_from_slice(b"JRNYSEND");
    std::fs::write(path, old).unwrap();
}

#[test]
fn a_version_2_snapshot_still_reads_and_takes_definitions_after() {
    let dir = store_with_three_events();
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    engine.close().unwrap();
    drop(engine);
    let snapshot = files(&dir).into_iter().find(|n| n.starts_with("snapshot-")).unwrap();
    as_version_2(&dir.join(&snapshot));
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    assert_eq!((accepted(&engine), engine.recovery().unwrap().records_replayed), (3, 0));
    assert_eq!(definitions(&engine), serde_json::json!([[], [], []]));
    engine.put_segment(&segment(S1, "Depot 7")).unwrap();
    engine.close().unwrap();
    drop(engine);
    let engine = Engine::open(&dir, catalog(), config("")).unwrap();
    assert_eq!((accepted(&engine), engine.list_segments().len()), (3, 1));
}

/// A store written before identity (tests/fixtures/store-before-identity: a format-5 snapshot and
/// three journal records after it whose `identifiers` that engine ignored) opens, and its records
/// replay as they were made: accepted, linking nothing. Events from then on link.
#[test]
fn a_store_from_before_identity_opens_and_replays_its_identifiers_as_ignored() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-before-identity");
    let dir = copy_store(&fixture);
    for name in ["catalog.json", "events.ndjson", "README.md"] {
        std::fs::remove_file(dir.join(name)).unwrap();
    }
    let catalog = Catalog::from_json(&std::fs::read_to_string(fixture.join("catalog.json")).unwrap()).unwrap();
    let config = || Config::from_json(r#"{"clock": "event"}"#).unwrap();
    let cookie = Customer::new("c1", IdType::Cookie);
    let email = Customer::new("e@x.com", IdType::Email);
    let engine = Engine::open(&dir, catalog.clone(), config()).unwrap();
    assert_eq!(engine.stats().events_accepted, 3, "every old record replays as accepted");
    assert_eq!(
        engine.profile(&cookie, None).unwrap().members,
        std::slice::from_ref(&cookie),
        "the old records linked nothing"
    );
    let login = r#"{"id": "6f1c8a52-1b44-4d8e-9a6b-000000000004", "eventName": "in_transit",
        "createdDate": "2026-11-21T10:03:00Z", "customer": {"id": "c1", "idType": "cookie"},
        "session": {"type": "delivery", "externalId": "order-1"},
        "identifiers": [{"id": "e@x.com", "idType": "email"}]}"#;
    assert_eq!(engine.ingest_json(login.as_bytes()).unwrap().status(), "accepted");
    assert_eq!(engine.profile(&cookie, None).unwrap().members, [cookie.clone(), email.clone()]);
    // Dropped without close: the reopen replays the new record after the snapshot the first open
    // wrote in the current format, reading its identifiers.
    drop(engine);
    let engine = Engine::open(&dir, catalog, config()).unwrap();
    assert_eq!(engine.recovery().unwrap().records_replayed, 1);
    assert_eq!(engine.profile(&email, None).unwrap().members, [cookie, email]);
}

fn owner(epoch: u64) -> Config {
    checkpointed(&format!(r#", "epoch": {epoch}"#))
}

/// A stream consumer cut off from its broker goes on writing while the broker gives its partition
/// to another: on storage whose locks do not span hosts, the new owner does not see the old one's
/// lock (here its lock file is deleted, as it would be out of sight there).
#[test]
fn a_stale_owner_is_fenced_and_nothing_it_writes_after_the_fence_is_read() {
    let dir = temp_dir("fence");
    let old = Engine::open(&dir, catalog(), owner(1)).unwrap();
    for n in 0..5 {
        assert_eq!(old.ingest_json(event(1, n, n).as_bytes()).unwrap().status(), "accepted");
    }
    old.checkpoint(&serde_json::json!({"offset": 5})).unwrap();
    old.ingest_json(event(1, 5, 5).as_bytes()).unwrap(); // after the checkpoint: done again by the next owner

    std::fs::remove_file(dir.join("LOCK")).unwrap();
    let new = Engine::open(&dir, catalog(), owner(2)).unwrap();
    assert_eq!(new.last_checkpoint(), Some(serde_json::json!({"offset": 5})));
    assert_eq!(accepted(&new), 5);
    assert_eq!(new.recovery().unwrap().records_after_checkpoint_dropped, 1);

    // The old owner goes on: what it applies lands in its own journal, and its checkpoints fail.
    for n in 6..9 {
        old.ingest_json(event(2, n, n).as_bytes()).unwrap();
    }
    let fenced = old.checkpoint(&serde_json::json!({"offset": 9})).unwrap_err();
    assert_eq!(fenced.code(), "STORE_LOCKED", "{fenced}");
    assert!(fenced.to_string().contains("fenced"), "{fenced}");
    assert_eq!(old.last_checkpoint(), Some(serde_json::json!({"offset": 5})), "a refused checkpoint changes nothing");

    // The new owner applies the input from its checkpoint, the old one's writes interleaved.
    for n in 5..8 {
        assert_eq!(new.ingest_json(event(1, n, n).as_bytes()).unwrap().status(), "accepted");
        old.ingest_json(event(3, n, n).as_bytes()).unwrap();
    }
    new.checkpoint(&serde_json::json!({"offset": 8})).unwrap();
    let at_checkpoint = new.stats();
    old.close().unwrap(); // not at a checkpoint: flushes its journal
    drop(old);
    drop(new);

    // An owner below the newest epoch is refused; the next one recovers the new owner's state.
    assert_eq!(Engine::open(&dir, catalog(), owner(1)).unwrap_err().code(), "STORE_LOCKED");
    let next = Engine::open(&dir, catalog(), owner(3)).unwrap();
    assert_eq!(next.stats(), at_checkpoint);
    assert_eq!(next.last_checkpoint(), Some(serde_json::json!({"offset": 8})));
    let epoch_1 = format!("-{:020}-", 1);
    assert!(files(&dir).iter().all(|name| !name.contains(&epoch_1)), "{:?}", files(&dir));
}

#[test]
fn a_store_without_epochs_takes_one_and_keeps_it() {
    let dir = temp_dir("fence-upgrade");
    let engine = Engine::open(&dir, catalog(), checkpointed("")).unwrap();
    engine.ingest_json(event(1, 0, 0).as_bytes()).unwrap();
    engine.checkpoint(&serde_json::json!(1)).unwrap();
    drop(engine);
    let engine = Engine::open(&dir, catalog(), owner(4)).unwrap();
    assert_eq!(accepted(&engine), 1);
    drop(engine);
    let names = files(&dir);
    assert!(names.contains(&format!("EPOCH-{:020}", 4)), "{names:?}");
    assert!(names.contains(&format!("snapshot-{:020}-{:020}.snap", 4, 2)), "{names:?}");
    assert!(!names.iter().any(|name| name == &format!("journal-{:020}.log", 0)), "{names:?}");
    // Opened without an epoch, the store's own is used: no fence, and the files keep it.
    let engine = Engine::open(&dir, catalog(), checkpointed("")).unwrap();
    assert_eq!(accepted(&engine), 1);
    engine.checkpoint(&serde_json::json!(2)).unwrap();
    let refused = Config::from_json(r#"{"store": {"epoch": 0, "recoverTo": "checkpoint"}}"#).unwrap_err();
    assert!(refused.to_string().contains("store.epoch"), "{refused}");
    // A newer owner takes the older one's state at its last checkpoint: fencing needs checkpoints.
    let refused = Config::from_json(r#"{"store": {"epoch": 2}}"#).unwrap_err();
    assert!(refused.to_string().contains("recoverTo"), "{refused}");
}

#[test]
fn a_stale_owner_at_a_checkpoint_closes_without_a_snapshot() {
    let dir = temp_dir("fence-close");
    let old = Engine::open(&dir, catalog(), owner(1)).unwrap();
    old.ingest_json(event(1, 0, 0).as_bytes()).unwrap();
    old.checkpoint(&serde_json::json!(1)).unwrap();
    std::fs::remove_file(dir.join("LOCK")).unwrap();
    let new = Engine::open(&dir, catalog(), owner(2)).unwrap();
    let before = files(&dir);
    old.close().unwrap(); // at a checkpoint, but fenced: lets go, writes nothing
    assert_eq!(files(&dir), before);
    new.ingest_json(event(1, 1, 1).as_bytes()).unwrap();
    new.checkpoint(&serde_json::json!(2)).unwrap();
    drop(new);
    let next = Engine::open(&dir, catalog(), owner(3)).unwrap();
    assert_eq!(accepted(&next), 2);
}
