//! An erasure whose rewrite fails on a full disk (docs/identity.md, "Erasure"), on a small tmpfs
//! mounted for the test (it needs root; without it the test says so and passes without checking):
//! `erase` answers `IO_ERROR` (the person's bytes are still in the files), the person is gone from
//! every read already, and the rewrite is done once there is room, by the next `erase` (which
//! erases nothing more) or by the next open.

mod common;

use common::tmpfs::Tmpfs;
use journey_core::{Catalog, Command, Config, Engine};
use serde_json::{Value, json};
use std::path::Path;

const CATALOG: &str = r#"{"sessionTypes": [{"name": "delivery", "kind": "custom",
    "eventTypes": [{"name": "in_transit", "attributes": [{"name": "note", "type": "string"}]}]}]}"#;
const SECRET: &str = "ada-secret-note";

fn open(dir: &Path) -> Engine {
    let config = r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "store": {"sync": "batch",
        "snapshotEvery": 1099511627776}}"#;
    Engine::open(dir, Catalog::from_json(CATALOG).unwrap(), Config::from_json(config).unwrap()).unwrap()
}

fn event(n: usize, customer: &str, note: String) -> Value {
    json!({"eventName": "in_transit", "createdDate": "2026-11-21T09:59:00Z",
        "customer": {"id": customer, "idType": "email"}, "session": {"type": "delivery", "externalId": format!("order-{n}")},
        "attributes": {"note": note}})
}

fn erase(engine: &Engine) -> journey_core::Result<Value> {
    engine.call(&Command::new("erase", json!({"customer": {"id": "ada", "idType": "email"}})).unwrap())
}

fn secret_on_disk(store: &Path) -> bool {
    std::fs::read_dir(store).unwrap().any(|entry| {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes())
    })
}

/// A store on a 2 MiB disk whose journal holds 1.2 MB: a snapshot of the state does not fit.
fn full_store(disk: &Tmpfs) -> Engine {
    let engine = open(&disk.store());
    engine.ingest_value(&event(0, "ada", SECRET.into())).unwrap();
    let filler: Vec<Value> = (1..=1_200).map(|n| event(n, "bob", "x".repeat(1_000))).collect();
    let batch = engine.ingest_values(&filler).unwrap();
    assert_eq!(batch.accepted, 1_200);
    engine
}

#[test]
fn an_erasure_whose_rewrite_fails_answers_io_error_and_completes_once_there_is_room() {
    for complete_by_reopening in [false, true] {
        let Some(disk) = Tmpfs::mount("2M", "erase-full-disk") else { return };
        let engine = full_store(&disk);
        let failed = erase(&engine).unwrap_err();
        assert_eq!(failed.code(), "IO_ERROR", "{failed}");
        assert!(failed.to_string().contains("No space left on device"), "{failed}");
        assert!(secret_on_disk(&disk.store()), "the rewrite failed, so the bytes are still there");
        assert!(engine.recovery().unwrap().snapshots_failed > 0);
        let viewer = journey_core::Viewer::unrestricted();
        let ada = journey_core::Customer::new("ada", journey_core::IdType::Email);
        let listed = engine.journey(&ada, &viewer, &journey_core::PageRequest::first(10)).unwrap();
        assert!(listed.entities.is_empty(), "erased in memory: the erasure was applied and journaled");
        disk.grow("8M");
        if complete_by_reopening {
            drop(engine);
            let engine = open(&disk.store());
            assert_eq!(engine.recovery().unwrap().erasures_completed, 1);
            assert_eq!(engine.stats().customers_erased, 1);
        } else {
            assert_eq!(erase(&engine).unwrap(), json!({"customersErased": 0, "eventsErased": 0}));
        }
        assert!(!secret_on_disk(&disk.store()), "the rewrite was done (reopening: {complete_by_reopening})");
    }
}
