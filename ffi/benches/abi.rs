//! `make bench`, part 3: the cost of the C ABI. The same events are ingested one call at a time
//! through `Engine::ingest_json` in Rust and through `journey_ingest_json` (outcome JSON included,
//! and freed with `journey_string_free`, as a C caller must). Prints a table; asserts nothing on speed.

use journey::{JourneyStatus, journey_catalog_new, journey_config_new, journey_engine_free, journey_engine_new};
use journey::{journey_catalog_free, journey_config_free, journey_ingest_json, journey_string_free};
use journey_core::{Catalog, Config, Engine};
use std::ffi::c_char;
use std::time::Instant;

/// Events ingested per run, customers they are spread over, and runs: the benchmark's sizes, or
/// tiny ones when `make bench-smoke` sets `JOURNEY_BENCH_SMOKE=1` (the code runs, nothing is timed
/// that matters).
fn sizes() -> (usize, usize, usize) {
    match std::env::var_os("JOURNEY_BENCH_SMOKE").is_some_and(|v| v == "1") {
        true => (2_000, 200, 1),
        false => (300_000, 30_000, 7),
    }
}
const CONFIG: &str = r#"{"clock": "manual", "start": "2026-12-01T00:00:00Z", "allowedLateness": null}"#;
const CATALOG: &str = r#"{"sessionTypes": [{"name": "delivery", "kind": "custom",
  "attributes": [{"name": "location", "type": "string"}, {"name": "orderId", "type": "string"}],
  "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true},
                   {"name": "orderId", "type": "string"}, {"name": "price", "type": "decimal", "min": 0}]}]}]}"#;

fn events() -> Vec<String> {
    let (events, customers, _) = sizes();
    (0..events)
        .map(|i| {
            let customer = i % customers;
            let millis = 1_763_700_000_000i64 + (i / customers) as i64 * 600_000 + customer as i64;
            let time = journey_core::time::format_millis(millis);
            format!(
                r#"{{"id":"{}","eventName":"in_transit","createdDate":"{time}","customer":{{"id":"customer-{customer:07}@example.com","idType":"email"}},"session":{{"type":"delivery","externalId":"order-{customer:08}"}},"attributes":{{"location":"Depot {}, aisle {}","orderId":"order-{customer:08}","price":{}.5}}}}"#,
                uuid_like(i),
                i % 97,
                i % 13,
                100 + i % 2000
            )
        })
        .collect()
}

fn uuid_like(i: usize) -> String {
    format!("abcd0000-0000-4000-8000-{:012x}", i)
}

/// One timed run: a fresh engine from `setup`, `run` timed, the engine dropped after timing.
fn rate<E>(setup: &impl Fn() -> E, run: &impl Fn(&E), teardown: &impl Fn(E)) -> f64 {
    let engine = setup();
    let start = Instant::now();
    run(&engine);
    let rate = sizes().0 as f64 / start.elapsed().as_secs_f64();
    teardown(engine);
    rate
}

fn main() {
    let smoke = std::env::var_os("JOURNEY_BENCH_SMOKE").is_some_and(|v| v == "1");
    if !smoke && !std::env::args().any(|a| a == "--bench") {
        println!("ABI benchmark: run it with `make bench`");
        return;
    }
    let (event_count, customers, runs) = sizes();
    let events = events();
    let rust_setup = || Engine::new(Catalog::from_json(CATALOG).unwrap(), Config::from_json(CONFIG).unwrap()).unwrap();
    let rust_run = |engine: &Engine| {
        for event in &events {
            assert_eq!(engine.ingest_json(event.as_bytes()).unwrap().status(), "accepted");
        }
    };
    let abi_setup = || unsafe {
        let (mut config, mut catalog, mut engine) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
        let config_text = std::ffi::CString::new(CONFIG).unwrap();
        let catalog_text = std::ffi::CString::new(CATALOG).unwrap();
        assert_eq!(journey_config_new(config_text.as_ptr(), &mut config), JourneyStatus::JOURNEY_OK);
        assert_eq!(journey_catalog_new(catalog_text.as_ptr(), config, &mut catalog), JourneyStatus::JOURNEY_OK);
        assert_eq!(journey_engine_new(catalog, config, &mut engine), JourneyStatus::JOURNEY_OK);
        journey_catalog_free(catalog);
        journey_config_free(config);
        engine
    };
    let abi_run = |engine: &*mut journey::JourneyEngine| unsafe {
        for event in &events {
            let mut outcome: *mut c_char = std::ptr::null_mut();
            let status = journey_ingest_json(*engine, event.as_ptr().cast(), event.len(), &mut outcome);
            assert!(status == JourneyStatus::JOURNEY_OK && !outcome.is_null());
            journey_string_free(outcome);
        }
    };
    let abi_free = |engine: *mut journey::JourneyEngine| unsafe { journey_engine_free(engine) };
    // Interleaved, so that drift on a shared machine does not land on one side only.
    let (mut rust, mut abi) = (0.0f64, 0.0f64);
    for _ in 0..runs {
        rust = rust.max(rate(&rust_setup, &rust_run, &drop));
        abi = abi.max(rate(&abi_setup, &abi_run, &abi_free));
    }
    println!(
        "libjourney C ABI: {event_count} single-event ingests across {customers} customers, best of {runs} interleaved runs each\n"
    );
    println!("| call                                        |       ev/s | ns/event |");
    println!("|---------------------------------------------|-----------:|---------:|");
    println!("| Engine::ingest_json (Rust)                  | {rust:>10.0} | {:>8.0} |", 1e9 / rust);
    println!("| journey_ingest_json + journey_string_free   | {abi:>10.0} | {:>8.0} |", 1e9 / abi);
    println!("\nABI overhead: {:+.1}% per event (target: under 10%)", (rust / abi - 1.0) * 100.0);
}
