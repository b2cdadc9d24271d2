//! `make bench`: what durability costs (SPEC §11). On the same 1,000,000 custom events across
//! 100,000 customers as the ingest benchmark, it measures:
//! - ingest into an in-memory engine and into a durable one under each `store.sync` mode, in
//!   1,000-event NDJSON batches, and one event per call under `always` with 1 and 4 writers (the
//!   cost of an fsync per call, shared by group commit);
//! - recovery of the 1M events from a snapshot, and from the journal alone;
//! - bytes on disk per event, in the journal and in a snapshot.
//!
//! Stores are written under Cargo's target temporary directory, on the same disk as the build.
//! It prints tables and asserts nothing about speed. Under `cargo test` (no `--bench`) it runs on
//! 20,000 events, so that `make test` keeps it working.

mod workload;

use journey_core::{Catalog, Config, Engine};
use std::path::{Path, PathBuf};
use std::time::Instant;
use workload::{CATALOG, custom_event, ndjson};

/// Events per call in the batch runs.
const BATCH: usize = 1_000;
/// Events ingested one per call under `sync: always`: an fsync each, so fewer.
const SINGLE_EVENTS: usize = 20_000;
/// Each throughput is the best of this many runs, each on a fresh engine: the machine is shared.
const RUNS: usize = 3;

fn store_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("durable-bench-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn catalog() -> Catalog {
    Catalog::from_json(CATALOG).unwrap()
}

/// `store` settings as config keys; the snapshot threshold is out of reach, so runs measure the
/// journal alone.
fn config(sync: &str) -> Config {
    workload::config(&format!(r#", "store": {{"sync": "{sync}", "intervalMs": 1000, "snapshotEvery": 1099511627776}}"#))
}

fn bytes_in(dir: &Path, prefix: &str) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.metadata().unwrap().len())
        .sum()
}

/// Ingests `data` in `BATCH`-line calls; returns events per second.
fn batched(engine: &Engine, data: &[u8]) -> f64 {
    let lines: Vec<&[u8]> = data.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    let start = Instant::now();
    let mut accepted = 0;
    for chunk in lines.chunks(BATCH) {
        accepted += engine.ingest_ndjson(&chunk.join(&b'\n')).unwrap().accepted;
    }
    let rate = accepted as f64 / start.elapsed().as_secs_f64();
    assert_eq!(accepted, lines.len(), "every benchmark event must be accepted");
    rate
}

/// Ingests `count` events one per call from `writers` threads; returns events per second.
fn single_calls(engine: &Engine, writers: usize, count: usize) -> f64 {
    let events: Vec<String> = (0..count).map(custom_event).collect();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for part in events.chunks(count / writers) {
            scope.spawn(move || {
                for event in part {
                    assert_eq!(engine.ingest_json(event.as_bytes()).unwrap().status(), "accepted");
                }
            });
        }
    });
    count as f64 / start.elapsed().as_secs_f64()
}

/// The best rate of `RUNS` runs of `work`, each on a fresh engine: in memory, or durable with
/// `sync` in a new store.
fn best(sync: Option<&str>, work: impl Fn(&Engine) -> f64) -> f64 {
    (0..RUNS)
        .map(|_| {
            let dir = store_dir(sync.unwrap_or("memory"));
            let engine = match sync {
                None => Engine::new(catalog(), config("always")).unwrap(),
                Some(sync) => Engine::open(&dir, catalog(), config(sync)).unwrap(),
            };
            let rate = work(&engine);
            drop(engine);
            let _ = std::fs::remove_dir_all(&dir);
            rate
        })
        .fold(0.0, f64::max)
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test` the same code runs on a small workload.
    let full = std::env::args().any(|a| a == "--bench");
    let (events, single_events) = match (full, workload::smoke()) {
        (true, _) => (workload::events(), SINGLE_EVENTS),
        (false, false) => (20_000, 400),
        (false, true) => (2_000, 50),
    };
    let data = ndjson(custom_event, 0..events);
    println!(
        "\nDurability: {events} custom events ({:.0} bytes each), {BATCH}-event batches\n",
        data.len() as f64 / events as f64
    );

    let in_memory = best(None, |engine| batched(engine, &data));
    println!("| engine, sync | ev/s | vs in-memory |");
    println!("|---|---:|---:|");
    println!("| in memory | {in_memory:.0} | 1.00 |");
    for sync in ["batch", "interval", "never"] {
        let rate = best(Some(sync), |engine| batched(engine, &data));
        println!("| durable, `{sync}` | {rate:.0} | {:.2} |", rate / in_memory);
    }
    let single_memory = best(None, |engine| single_calls(engine, 1, single_events));
    for writers in [1, 4] {
        let rate = best(Some("always"), |engine| single_calls(engine, writers, single_events));
        println!(
            "| durable, `always`, one event per call, {writers} writer{} ({single_events} events) | {rate:.0} | {:.3} (in memory, one per call: {single_memory:.0} ev/s) |",
            if writers == 1 { "" } else { "s" },
            rate / single_memory
        );
    }

    // One store of the 1M events: recovered from its journal alone, then from a snapshot.
    let dir = store_dir("recovery");
    let engine = Engine::open(&dir, catalog(), config("never")).unwrap();
    batched(&engine, &data);
    let expected = engine.stats();
    drop(engine); // no close: the journal holds every event
    let journal_bytes = bytes_in(&dir, "journal-");
    let start = Instant::now();
    let engine = Engine::open(&dir, catalog(), config("never")).unwrap();
    let from_journal = start.elapsed().as_secs_f64();
    assert_eq!(engine.stats(), expected);
    engine.close().unwrap();
    drop(engine);
    let snapshot_bytes = bytes_in(&dir, "snapshot-");
    let start = Instant::now();
    let engine = Engine::open(&dir, catalog(), config("never")).unwrap();
    let from_snapshot = start.elapsed().as_secs_f64();
    assert_eq!(engine.stats(), expected);
    drop(engine);
    std::fs::remove_dir_all(&dir).unwrap();

    println!("\n| recovery of {events} events | seconds | bytes on disk per event |");
    println!("|---|---:|---:|");
    println!("| from the journal alone | {from_journal:.2} | {:.0} (journal) |", journal_bytes as f64 / events as f64);
    println!("| from a snapshot | {from_snapshot:.2} | {:.0} (snapshot) |", snapshot_bytes as f64 / events as f64);
}
