//! A durable engine on a full disk (docs/durability.md, "When the disk fails"), on a small tmpfs
//! mounted for the test (it needs root; without it each test says so and passes without checking).
//!
//! - A call whose journal write fails answers `IO_ERROR` and is never visible: not in `journey`,
//!   not in `stats`, not after reopening. Every call that succeeded is there after reopening.
//! - After that the engine refuses changes with `IO_ERROR` and still answers reads.
//! - A snapshot that fails after its call's record was durable does not fail the call; it is
//!   reported in `recovery()`, leaves no temporary file, and is written later once there is room.

mod common;

use common::tmpfs::Tmpfs;
use journey_core::{Catalog, Config, Customer, Engine, IdType, PageRequest, Viewer};
use std::path::{Path, PathBuf};

const CATALOG: &str = r#"{"sessionTypes": [{"name": "delivery", "kind": "custom",
    "attributes": [{"name": "note", "type": "string"}],
    "eventTypes": [{"name": "in_transit", "attributes": [{"name": "note", "type": "string"}]}]}]}"#;

fn open(dir: &Path, snapshot_every: u64) -> journey_core::Result<Engine> {
    let config = format!(
        r#"{{"clock": "manual", "start": "2026-11-21T10:00:00Z", "store": {{"sync": "always", "snapshotEvery": {snapshot_every}}}}}"#
    );
    Engine::open(dir, Catalog::from_json(CATALOG).unwrap(), Config::from_json(&config).unwrap())
}

/// An event of its own session, `note_bytes` long.
fn event(n: usize, note_bytes: usize) -> serde_json::Value {
    serde_json::json!({"eventName": "in_transit", "createdDate": "2026-11-21T09:59:00Z",
        "customer": {"id": "dana", "idType": "email"}, "session": {"type": "delivery", "externalId": format!("order-{n}")},
        "attributes": {"note": "x".repeat(note_bytes)}})
}

/// The external ids of dana's sessions, as everyone may see them.
fn orders(engine: &Engine) -> Vec<String> {
    let viewer = Viewer::new(["journey:session:view", "journey:sessionType:view"], ["*"]);
    let customer = Customer::new("dana", IdType::Email);
    let mut orders = Vec::new();
    let mut page = PageRequest::first(200);
    loop {
        let listed = engine.journey(&customer, &viewer, &page).unwrap();
        orders.extend(listed.entities.iter().filter_map(|card| card.external_id.clone()));
        match listed.next_cursor {
            Some(cursor) => page = PageRequest::after(200, cursor),
            None => break,
        }
    }
    orders.sort();
    orders
}

/// The store's files whose names start with `prefix` (or end with it, for `.tmp`), with their sizes.
fn files_named(store: &Path, prefix: &str) -> Vec<(String, u64)> {
    std::fs::read_dir(store)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().unwrap().len()))
        .filter(|(name, _)| name.starts_with(prefix) || name.ends_with(prefix))
        .collect()
}

/// Leaves about `free` bytes free on the file system of `dir`, in a file `ballast`.
fn fill_leaving(dir: &Path, free: u64) -> PathBuf {
    let ballast = dir.join("ballast");
    let stat = free_bytes(dir);
    let size = stat.saturating_sub(free);
    std::fs::write(&ballast, vec![0u8; size as usize]).unwrap();
    ballast
}

/// Free bytes on the file system of `dir` (from `df`, to need no libc binding).
fn free_bytes(dir: &Path) -> u64 {
    let output = std::process::Command::new("df").args(["-B1", "--output=avail"]).arg(dir).output().unwrap();
    String::from_utf8_lossy(&output.stdout).lines().nth(1).unwrap().trim().parse().unwrap()
}

#[test]
fn a_failed_journal_write_is_never_visible_and_an_acknowledged_one_always_is() {
    let Some(disk) = Tmpfs::mount("1m", "full-disk") else { return };
    let engine = open(&disk.store(), 1 << 30).unwrap();
    let mut acknowledged = Vec::new();
    let failed = loop {
        let n = acknowledged.len();
        match engine.ingest_value(&event(n, 1000)) {
            Ok(outcome) => {
                assert_eq!(outcome.status(), "accepted", "{}", serde_json::to_string(&outcome).unwrap());
                acknowledged.push(format!("order-{n}"));
            }
            Err(error) => {
                assert_eq!(error.code(), "IO_ERROR", "{error}");
                assert!(error.to_string().contains("No space left on device"), "{error}");
                assert!(error.to_string().contains("journal-"), "names the file: {error}");
                break format!("order-{n}");
            }
        }
        assert!(n < 5000, "a 1 MiB disk never filled");
    };
    acknowledged.sort();
    assert!(acknowledged.len() > 10, "{} events fit", acknowledged.len());
    // The failed call is not visible to any reader, and not counted.
    let visible = orders(&engine);
    assert!(!visible.contains(&failed), "the failed call's session is visible");
    assert!(visible == acknowledged, "{} sessions visible, {} acknowledged", visible.len(), acknowledged.len());
    assert_eq!(engine.stats().events_accepted, acknowledged.len() as u64);
    assert!(engine.recovery().unwrap().journal_error.unwrap().contains("No space left on device"));
    // Changes are refused, with room on the disk or not; reads go on.
    let refused = engine.ingest_value(&event(10_000, 10)).unwrap_err();
    assert_eq!(refused.code(), "IO_ERROR");
    assert!(refused.to_string().contains("reopen"), "{refused}");
    assert_eq!(engine.start_agent_session("agent-1").unwrap_err().code(), "IO_ERROR");
    assert!(orders(&engine) == acknowledged);
    drop(engine);
    // After reopening: exactly the acknowledged calls.
    let reopened = open(&disk.store(), 1 << 30).unwrap();
    assert!(orders(&reopened) == acknowledged, "the reopened store differs from the acknowledged calls");
    assert!(!orders(&reopened).contains(&failed));
    assert_eq!(reopened.stats().events_accepted, acknowledged.len() as u64);
    // The reopened engine takes changes again once there is room.
    reopened.ingest_value(&event(20_000, 10)).unwrap();
}

#[test]
fn a_failed_snapshot_fails_no_call_leaves_no_temporary_file_and_is_retried() {
    let Some(disk) = Tmpfs::mount("4m", "full-disk") else { return };
    let store = disk.store();
    let engine = open(&store, 48 << 10).unwrap();
    // Enough state that a snapshot is far larger than a journal record.
    for n in 0..200 {
        engine.ingest_value(&event(n, 1000)).unwrap();
    }
    let snapshots_before = engine.recovery().unwrap();
    assert_eq!(snapshots_before.snapshots_failed, 0);
    // Room for the journal to pass `snapshotEvery` again, not for a snapshot of 200 KB.
    let ballast = fill_leaving(disk.root(), 120 << 10);
    let mut calls = 0;
    while engine.recovery().unwrap().snapshots_failed == 0 {
        engine
            .send_custom_event(&journey_core::CustomEventRequest::with_defaults("agent-1", "hello", None, Some(true)))
            .expect("a call whose record is durable succeeds, whatever its snapshot does");
        calls += 1;
        assert!(calls < 5000, "no snapshot was tried");
    }
    let recovery = engine.recovery().unwrap();
    let why = recovery.last_snapshot_error.unwrap();
    assert!(why.contains("No space left on device") && why.contains("snapshot-"), "{why}");
    assert!(recovery.journal_error.is_none(), "the journal still works");
    assert_eq!(files_named(&store, ".tmp"), []);
    // Nor a journal for the snapshot that is not there: the records go on in the current one.
    assert_eq!(files_named(&store, "journal-").len(), 1);
    // With room again, a later call writes the snapshot (at most a second later).
    std::fs::remove_file(ballast).unwrap();
    let journal_bytes = || files_named(&store, "journal-").iter().map(|(_, size)| size).sum::<u64>();
    let before = journal_bytes();
    let mut tries = 0;
    while journal_bytes() >= before {
        std::thread::sleep(std::time::Duration::from_millis(100));
        engine
            .send_custom_event(&journey_core::CustomEventRequest::with_defaults("agent-1", "again", None, Some(true)))
            .unwrap();
        tries += 1;
        assert!(tries < 100, "the snapshot was never written again");
    }
    assert_eq!(files_named(&store, "snapshot-").len(), 1, "the new snapshot replaced the old one");
    let stats = engine.stats();
    assert_eq!(stats.custom_events_persisted, (calls + tries) as u64);
    drop(engine);
    let reopened = open(&store, 48 << 10).unwrap();
    assert_eq!(reopened.stats(), stats);
}
