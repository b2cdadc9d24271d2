//! `make soak`: memory and disk stay flat with retention set (SPEC §12).
//!
//! A durable engine with an event clock takes 5,250,000 events spread over three simulated weeks
//! (250,000 a day, `store.sync = "batch"`, 1,000-event batches). Every day brings 20,000 new
//! customers, who are active that day only, so with `retention: 2d` about two days of customers
//! are kept and the rest are evicted. After each simulated day it prints the live sessions, the
//! process's resident memory and the store's size on disk: all three must level off after the
//! first days instead of growing with the events ingested.
//!
//! `JOURNEY_SOAK_DAYS` shortens the run. It asserts nothing about speed. Under `cargo test` (no
//! `--bench`) it runs 4 days of 20,000 events, so that `make test` keeps it working.

use journey_core::{Catalog, Config, Engine};
use std::path::Path;
use std::time::Instant;

/// Events and new customers per simulated day.
struct Load {
    events: usize,
    customers: usize,
}
const BATCH: usize = 1_000;
const DAY_MS: i64 = 86_400_000;
// 2025-11-13: event clocks refuse events past the wall clock + maxClockSkew, so the three simulated
// weeks lie in the past.
const START_MS: i64 = 1_763_000_000_000;

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "attributes": [{"name": "location", "type": "string"}],
   "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true}]}]},
  {"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "page", "type": "string"}]}]}]}"#;

fn config() -> Config {
    Config::from_json(
        r#"{"clock": "event", "allowedLateness": "1h", "retention": "2d", "actionRetention": "1d",
        "store": {"sync": "batch", "snapshotEvery": 67108864}}"#,
    )
    .unwrap()
}

/// Event `n` of day `day`: a customer of that day, a page view or a delivery scan, in time order.
fn event(load: &Load, day: usize, n: usize) -> String {
    let customer = day * load.customers + n % load.customers;
    let millis = START_MS + day as i64 * DAY_MS + (n as i64 * DAY_MS) / load.events as i64;
    let at =
        chrono::DateTime::from_timestamp_millis(millis).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    if n.is_multiple_of(3) {
        format!(
            r#"{{"eventName":"page_viewed","createdDate":"{at}","customer":{{"id":"c{customer}","idType":"cookie"}},"session":{{"type":"web"}},"attributes":{{"page":"/p/{}"}}}}"#,
            n % 500
        )
    } else {
        format!(
            r#"{{"eventName":"in_transit","createdDate":"{at}","customer":{{"id":"c{customer}","idType":"cookie"}},"session":{{"type":"delivery","externalId":"o{customer}"}},"attributes":{{"location":"stop {}"}}}}"#,
            n % 97
        )
    }
}

/// Resident memory of this process, in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn store_mib(dir: &Path) -> f64 {
    let bytes: u64 = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test` the same code runs on a small workload.
    // `make bench-smoke` (JOURNEY_BENCH_SMOKE=1) runs it tinier still: 3 days, the least that evicts.
    let full = std::env::args().any(|a| a == "--bench");
    let smoke = std::env::var_os("JOURNEY_BENCH_SMOKE").is_some_and(|v| v == "1");
    let (load, default_days) = match (full, smoke) {
        (true, _) => (Load { events: 250_000, customers: 20_000 }, 21),
        (false, false) => (Load { events: 20_000, customers: 2_000 }, 4),
        (false, true) => (Load { events: 2_000, customers: 200 }, 3),
    };
    let days = std::env::var("JOURNEY_SOAK_DAYS").ok().and_then(|d| d.parse().ok()).unwrap_or(default_days);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("retention-soak");
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Engine::open(&dir, Catalog::from_json(CATALOG).unwrap(), config()).unwrap();
    let started = Instant::now();
    println!("\nRetention soak: {} events over {days} simulated days, retention 2d, event clock\n", days * load.events);
    println!("| day | events ingested | live sessions | evicted sessions | RSS (MiB) | store (MiB) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for day in 0..days {
        let mut batch = Vec::with_capacity(BATCH * 200);
        for n in 0..load.events {
            batch.extend_from_slice(event(&load, day, n).as_bytes());
            batch.push(b'\n');
            if (n + 1) % BATCH == 0 {
                let outcome = engine.ingest_ndjson(&batch).unwrap();
                assert_eq!(outcome.accepted, BATCH, "every soak event must be accepted");
                batch.clear();
            }
        }
        let stats = engine.stats();
        println!(
            "| {} | {} | {} | {} | {:.0} | {:.0} |",
            day + 1,
            stats.events_accepted,
            stats.sessions_created - stats.sessions_evicted,
            stats.sessions_evicted,
            rss_mib(),
            store_mib(&dir)
        );
    }
    println!("\n{:.0} s in all", started.elapsed().as_secs_f64());
    engine.close().unwrap();
    drop(engine);
    std::fs::remove_dir_all(&dir).unwrap();
}
