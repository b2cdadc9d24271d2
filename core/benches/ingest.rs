//! `make bench`: NDJSON ingest throughput against the parse-only bound, thread scaling, and memory.
//!
//! For 1,000,000 events across 100,000 customers (custom events of about 300 bytes, then web events)
//! it measures:
//! - parse only, into `serde_json::Value` and into a typed struct: the physical bound, since ingest
//!   must at least read every byte;
//! - `Engine::ingest_ndjson` on one thread (`ingestThreads: 1`), and as a fraction of the typed parse;
//! - the same batch prepared on two threads (`ingestThreads: 2`, docs/performance.md), with
//!   exactly the same outcomes;
//! - two caller threads ingesting disjoint halves of the customers into one engine;
//! - resident memory per stored event;
//! - where one event's time goes on one thread: the stages timed cumulatively through
//!   `journey_core::stages` (parse; + identity; + validation; the whole ingest), each stage's cost
//!   the difference of two.
//!
//! It prints a table and asserts nothing about speed.

mod workload;

use journey_core::{Catalog, Engine, stages};
use serde::Deserialize;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;
use workload::{CATALOG, custom_event, customers, events, ndjson, web_event};

const RUNS: usize = 3;

/// The typed struct a hand-written ingester would parse into (owned strings, known attributes).
#[derive(Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct TypedEvent {
    id: Option<String>,
    event_name: String,
    created_date: String,
    customer: TypedCustomer,
    session: TypedSession,
    division: Option<String>,
    attributes: TypedAttributes,
}

#[derive(Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct TypedCustomer {
    id: String,
    id_type: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct TypedSession {
    #[serde(rename = "type")]
    session_type: String,
    external_id: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct TypedAttributes {
    location: Option<String>,
    order_id: Option<String>,
    price: Option<f64>,
    page: Option<String>,
    url: Option<String>,
}

/// The events of every other customer (`parity` 0 or 1), as NDJSON.
fn split(make: fn(usize) -> String, parity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(events() / 2 * 320);
    for i in (0..events()).filter(|i| (i % customers()) % 2 == parity) {
        out.extend_from_slice(make(i).as_bytes());
        out.push(b'\n');
    }
    out
}

/// An engine whose batches use `threads` threads.
fn engine(threads: usize) -> Engine {
    let config = workload::config(&format!(r#", "ingestThreads": {threads}"#));
    Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap()
}

/// Best events/s of `RUNS` runs of `work`, which returns how many events it handled and what it
/// built; that is dropped after the clock stops, so freeing a million events is not timed.
fn rate<T>(mut work: impl FnMut() -> (usize, T)) -> f64 {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let (events, built) = work();
            let rate = events as f64 / start.elapsed().as_secs_f64();
            drop(built);
            rate
        })
        .fold(0.0, f64::max)
}

/// Counts live heap bytes and their peak, so memory per event is measured, not guessed from RSS.
struct CountingAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static FREES: AtomicUsize = AtomicUsize::new(0);
/// Counting is on only while memory is measured: shared counters would slow the timed runs.
static COUNTING: AtomicBool = AtomicBool::new(false);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            FREES.fetch_add(1, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !COUNTING.load(Ordering::Relaxed) {
        } else if new_size > layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

struct Row {
    name: &'static str,
    bytes_per_event: f64,
    value_parse: f64,
    typed_parse: f64,
    one_thread: f64,
    parallel_batch: f64,
    two_threads: f64,
    memory_per_event: f64,
    allocations_per_event: f64,
    /// Blocks still allocated after the ingest, per event: what storing an event costs.
    live_blocks_per_event: f64,
    /// Events/s through the parse alone, then with the identity, then with validation.
    stages: [f64; 3],
}

fn measure(name: &'static str, make: fn(usize) -> String) -> Row {
    let all = ndjson(make, 0..events());
    // Halves split by customer, so the two threads never touch the same customer.
    let halves = [split(make, 0), split(make, 1)];
    let lines = || all.split(|b| *b == b'\n').filter(|l| !l.is_empty());

    let value_parse =
        rate(|| (lines().map(|l| serde_json::from_slice::<serde_json::Value>(l).is_ok() as usize).sum(), ()));
    let typed_parse = rate(|| (lines().map(|l| serde_json::from_slice::<TypedEvent>(l).is_ok() as usize).sum(), ()));
    let ingest = |threads: usize| {
        rate(|| {
            let engine = engine(threads);
            let batch = engine.ingest_ndjson(&all).expect("an in-memory engine does no I/O");
            assert_eq!(batch.accepted, events(), "every benchmark event must be accepted");
            (batch.accepted, (engine, batch))
        })
    };
    let one_thread = ingest(1);
    let stages = [
        rate(|| (lines().filter(|l| stages::parsed(l)).count(), ())),
        rate(|| {
            let engine = engine(1);
            (lines().filter(|l| stages::identified(&engine, l)).count(), engine)
        }),
        rate(|| {
            let engine = engine(1);
            (lines().filter(|l| stages::validated(&engine, l)).count(), engine)
        }),
    ];
    let parallel_batch = ingest(2);
    let two_threads = rate(|| {
        let engine = engine(1);
        let accepted = std::thread::scope(|scope| {
            let workers: Vec<_> =
                halves.iter().map(|half| scope.spawn(|| engine.ingest_ndjson(half).unwrap().accepted)).collect();
            workers.into_iter().map(|w| w.join().unwrap()).sum()
        });
        (accepted, engine)
    });
    // Memory: the engine's peak heap over an ingest, per stored event (outcomes are counted, not kept).
    // Blocks freed while counting may have been allocated before; LIVE can dip below its start, so
    // it starts high enough never to wrap.
    let baseline = 1 << 40;
    LIVE.store(baseline, Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let allocations_before = ALLOCATIONS.load(Ordering::Relaxed);
    let frees_before = FREES.load(Ordering::Relaxed);
    let engine = engine(1);
    let accepted = lines().filter(|l| engine.ingest_json(l).unwrap().status() == "accepted").count();
    let memory_per_event = (PEAK.load(Ordering::Relaxed) - baseline) as f64 / accepted as f64;
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations_before;
    let allocations_per_event = allocations as f64 / accepted as f64;
    let frees = FREES.load(Ordering::Relaxed) - frees_before;
    let live_blocks_per_event = allocations.saturating_sub(frees) as f64 / accepted as f64;
    COUNTING.store(false, Ordering::Relaxed);
    drop(engine);
    Row {
        name,
        bytes_per_event: all.len() as f64 / events() as f64,
        value_parse,
        typed_parse,
        one_thread,
        parallel_batch,
        two_threads,
        memory_per_event,
        allocations_per_event,
        live_blocks_per_event,
        stages,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it, and
    // a debug-mode benchmark would only waste minutes of the test run.
    if !workload::runs() {
        println!("ingest benchmark: run it with `make bench`");
        return;
    }
    if std::env::var_os("JOURNEY_BENCH_PROFILE").is_some() {
        // `JOURNEY_BENCH_PROFILE=1 target/release/deps/ingest-* --bench` under `perf record`.
        // Ingest only, for `perf record`.
        // `JOURNEY_BENCH_THREADS` sets `ingestThreads` (1 unless given).
        let threads = std::env::var("JOURNEY_BENCH_THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(1);
        let all = ndjson(custom_event, 0..events());
        for _ in 0..RUNS {
            assert_eq!(engine(threads).ingest_ndjson(&all).unwrap().accepted, events());
        }
        return;
    }
    println!("libjourney ingest: {} events across {} customers, NDJSON, best of {RUNS} runs", events(), customers());
    let rows = [measure("custom events", custom_event), measure("web events", web_event)];
    println!();
    println!(
        "| data set      | bytes/event | Value parse ev/s | typed parse ev/s | ingest 1 thread ev/s | of typed parse | batch on 2 threads ev/s | speed-up | 2 callers ev/s | speed-up | memory/event | allocs/event | kept/event |"
    );
    println!(
        "|---------------|------------:|-----------------:|-----------------:|---------------------:|---------------:|------------------------:|---------:|---------------:|---------:|-------------:|-------------:|-----------:|"
    );
    for r in &rows {
        println!(
            "| {:<13} | {:>11.0} | {:>16} | {:>16} | {:>20} | {:>13.0}% | {:>23} | {:>7.2}x | {:>14} | {:>7.2}x | {:>10.0} B | {:>12.1} | {:>10.1} |",
            r.name,
            r.bytes_per_event,
            thousands(r.value_parse),
            thousands(r.typed_parse),
            thousands(r.one_thread),
            100.0 * r.one_thread / r.typed_parse,
            thousands(r.parallel_batch),
            r.parallel_batch / r.one_thread,
            thousands(r.two_threads),
            r.two_threads / r.one_thread,
            r.memory_per_event,
            r.allocations_per_event,
            r.live_blocks_per_event
        );
    }
    print_breakdown(&rows);
    println!(
        "\nGoals (issue 13): custom ingest >= 700,000 ev/s and >= 60% of the typed parse on one thread; >= 1.8x for one batch on two threads; <= 200 B and <= 3 allocations per stored event.\nallocs/event counts every allocation an ingest makes, transient ones included; kept/event the blocks still held afterwards."
    );
}

/// Where one event's time goes on one thread: each stage is the difference between two cumulative
/// timings (docs/performance.md has the profile behind it).
fn print_breakdown(rows: &[Row]) {
    println!("\nPer-event cost on one thread, ns (share of the whole ingest):\n");
    println!("| data set      | parse        | identity     | validation   | store and the rest | whole ingest |");
    println!("|---------------|-------------:|-------------:|-------------:|-------------------:|-------------:|");
    for r in rows {
        let cumulative = [r.stages[0], r.stages[1], r.stages[2], r.one_thread].map(|rate| 1e9 / rate);
        let total = cumulative[3];
        let part = |i: usize| {
            let ns = if i == 0 { cumulative[0] } else { (cumulative[i] - cumulative[i - 1]).max(0.0) };
            format!("{ns:>5.0} ({:>3.0}%)", 100.0 * ns / total)
        };
        println!(
            "| {:<13} | {:>12} | {:>12} | {:>12} | {:>18} | {:>9.0} ns |",
            r.name,
            part(0),
            part(1),
            part(2),
            part(3),
            total
        );
    }
}

fn thousands(rate: f64) -> String {
    let digits = format!("{:.0}", rate);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
