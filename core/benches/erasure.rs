//! `make bench`: what `erase` costs (docs/identity.md, "Erasure"). On a durable store of the
//! workload's 1,000,000 custom events across 100,000 customers, it erases one customer and
//! measures:
//! - the time `erase` takes (the journal record, the removal, and the snapshot and deletion of the
//!   older files that take the person's bytes off the disk);
//! - the bytes it rewrote (the new snapshot and journal);
//! - how long a reader running `journey` in a loop on another thread was stopped: its longest read
//!   during the erasure, against its longest read in as long a time before it.
//!
//! Under each `store.sync` a reader waits for differently: `always` (the default) and `batch`
//! make a read wait for the records it saw to be durable, which takes the order lock the erasure's
//! snapshot holds; `never` reads do not wait. It prints a table and asserts nothing about speed;
//! `make bench-smoke` runs it on 2,000 events.

mod workload;

use journey_core::erase::ErasureInput;
use journey_core::{Catalog, Customer, Engine, IdType, PageRequest, Viewer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use workload::{CATALOG, custom_event, ndjson};

fn store_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("erasure-bench");
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn config(sync: &str) -> journey_core::Config {
    workload::config(&format!(r#", "store": {{"sync": "{sync}", "snapshotEvery": 1099511627776}}"#))
}

fn customer(n: usize) -> Customer {
    Customer::new(format!("customer-{n:07}@example.com"), IdType::Email)
}

fn bytes_in(dir: &Path) -> u64 {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum()
}

/// Reads `reader`'s journey in a loop until `stop`; returns the longest read and how many there were.
fn read_until(engine: &Engine, reader: &Customer, stop: &AtomicBool) -> (Duration, u64) {
    let viewer = Viewer::unrestricted();
    let (mut longest, mut reads) = (Duration::ZERO, 0);
    while !stop.load(Ordering::Relaxed) {
        let start = Instant::now();
        engine.journey(reader, &viewer, &PageRequest::first(25)).unwrap();
        longest = longest.max(start.elapsed());
        reads += 1;
    }
    (longest, reads)
}

/// The longest read of a reader running alone for `window`.
fn longest_read_alone(engine: &Arc<Engine>, reader: &Customer, window: Duration) -> Duration {
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reading = scope.spawn(|| read_until(engine, reader, &stop));
        std::thread::sleep(window);
        stop.store(true, Ordering::Relaxed);
        reading.join().unwrap().0
    })
}

/// Erases customer `erased` while a reader reads `reader`: the erasure's time, the reader's
/// longest read and its reads meanwhile.
fn erase_while_reading(engine: &Arc<Engine>, erased: usize, reader: &Customer) -> (Duration, Duration, u64) {
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reading = scope.spawn(|| read_until(engine, reader, &stop));
        std::thread::sleep(Duration::from_millis(50));
        let start = Instant::now();
        let result = engine.erase(&ErasureInput { customer: customer(erased), erase_forget: false }).unwrap();
        let took = start.elapsed();
        assert!(result.events_erased > 0, "the erased customer had events");
        stop.store(true, Ordering::Relaxed);
        let (longest, reads) = reading.join().unwrap();
        (took, longest, reads)
    })
}

fn main() {
    if !workload::runs() {
        return;
    }
    let events = workload::events();
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let dir = store_dir();
    let engine = Engine::open(&dir, catalog.clone(), config("never")).unwrap();
    let data = ndjson(custom_event, 0..events);
    let lines: Vec<&[u8]> = data.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    for chunk in lines.chunks(1_000) {
        engine.ingest_ndjson(&chunk.join(&b'\n')).unwrap();
    }
    engine.close().unwrap();
    drop(engine);
    println!("\nErasure: one customer's events from a store of {events} events ({} bytes on disk)\n", bytes_in(&dir));
    println!(
        "| sync | erase (s) | bytes rewritten | reader's longest read alone (ms) | during erase (ms) | reads during |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let reader = customer(3);
    for (run, sync) in ["always", "never"].into_iter().enumerate() {
        let engine = Arc::new(Engine::open(&dir, catalog.clone(), config(sync)).unwrap());
        let (took, longest, reads) = erase_while_reading(&engine, 7 + run, &reader);
        let alone = longest_read_alone(&engine, &reader, took.max(Duration::from_millis(50)));
        let rewritten = bytes_in(&dir);
        println!(
            "| `{sync}` | {:.3} | {rewritten} | {:.1} | {:.1} | {reads} |",
            took.as_secs_f64(),
            alone.as_secs_f64() * 1e3,
            longest.as_secs_f64() * 1e3
        );
        engine.close().unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
