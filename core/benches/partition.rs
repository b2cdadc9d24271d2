//! `make bench`: what exact partitioning costs (issue 15, docs/scale-out.md). On the ingest
//! benchmark's 1,000,000 custom events across 100,000 customers:
//! - the router (keys, union-find, assignment) per event, beside one-thread ingest of the same batch;
//! - the largest component, without sharing and with 1% of events naming another customer's order;
//! - how evenly 4 partitions share the events;
//! - the merge of 1,000,000 outcomes from 4 partitions.
//!
//! Prints a table; asserts nothing about speed.

mod workload;

use journey_core::partition::{Router, merge_outcomes};
use journey_core::{Batch, Catalog, Engine};
use std::time::Instant;
use workload::{CATALOG, custom_event, customers, events, ndjson};

const RUNS: usize = 3;

/// Event `i`, but about one in a hundred names the order of another customer, as a stream with
/// some shared external ids would. (By 101, not 100: a customer's events are 100,000 apart, so
/// `i % 100` would pick whole customers.)
fn shared_event(i: usize) -> String {
    let event = custom_event(i);
    if !i.is_multiple_of(101) {
        return event;
    }
    let other = (i / 101 * 7919) % customers();
    let own =
        event.split("\"externalId\":\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned();
    event.replacen(&format!("\"externalId\":\"{own}\""), &format!("\"externalId\":\"order-{:08}\"", other * 2), 1)
}

/// Best nanoseconds per event of `RUNS` runs of `work`.
fn ns_per_event<T>(events: usize, mut work: impl FnMut() -> T) -> f64 {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let built = work();
            let ns = start.elapsed().as_nanos() as f64 / events as f64;
            drop(built);
            ns
        })
        .fold(f64::MAX, f64::min)
}

/// `ndjson` with each line's leading `"id"` member taken out.
fn without_ids(ndjson: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(ndjson).unwrap();
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let rest = line.strip_prefix(r#"{"id":""#).and_then(|rest| rest.split_once(r#"","#)).map(|(_, rest)| rest);
        out.push_str(&format!("{{{}\n", rest.expect("every line begins with its id")));
    }
    out.into_bytes()
}

/// The number of events in the largest component (cap 1 quarantines every component of more).
fn largest_component(catalog: &Catalog, batch: &[u8]) -> usize {
    let routing = Router::new(4, Some(1)).unwrap().route_batch(catalog, Batch::Ndjson(batch)).unwrap();
    routing.quarantined.first().map_or(1, |q| q.events)
}

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`; a debug run would only waste time.
    if !workload::runs() {
        println!("partition benchmark: run it with `make bench`");
        return;
    }
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let events = events();
    let plain = ndjson(custom_event, 0..events);
    let shared = ndjson(shared_event, 0..events);
    let router = Router::new(4, None).unwrap();
    let route = ns_per_event(events, || router.route_batch(&catalog, Batch::Ndjson(&plain)).unwrap());
    // The same events sent without ids: each is known by its natural id, which the router
    // computes as the engine does (docs/scale-out.md, "The three keys").
    let idless = without_ids(&plain);
    let route_idless = ns_per_event(events, || router.route_batch(&catalog, Batch::Ndjson(&idless)).unwrap());
    let ingest = ns_per_event(events, || {
        let engine =
            Engine::new(Catalog::from_json(CATALOG).unwrap(), workload::config(r#", "ingestThreads": 1"#)).unwrap();
        let batch = engine.ingest_ndjson(&plain).unwrap();
        (engine, batch)
    });
    let routing = router.route_batch(&catalog, Batch::Ndjson(&plain)).unwrap();
    let mut sizes = [0usize; 4];
    for partition in routing.partitions.iter().flatten() {
        sizes[*partition] += 1;
    }
    let balance = *sizes.iter().max().unwrap() as f64 / (events as f64 / 4.0);
    // The outcomes of one engine, split by partition with their positions, merged back.
    let engine = Engine::new(Catalog::from_json(CATALOG).unwrap(), workload::config("")).unwrap();
    let outcomes = engine.ingest_ndjson(&plain).unwrap().outcomes;
    let merge = ns_per_event(events, || {
        let mut parts = vec![Vec::new(); 4];
        for (position, (outcome, partition)) in outcomes.iter().zip(&routing.partitions).enumerate() {
            parts[partition.unwrap()].push((position as u64, outcome.clone()));
        }
        merge_outcomes(parts)
    });

    println!(
        "libjourney exact partitioning: {events} custom events across {} customers, best of {RUNS} runs\n",
        customers()
    );
    println!("| measure | value |");
    println!("|---|---:|");
    println!(
        "| router: keys, union-find and assignment | {route:.0} ns/event ({:.0}% of one-thread ingest, {ingest:.0} ns/event) |",
        100.0 * route / ingest
    );
    println!("| router, the same events sent without an id (natural ids as keys) | {route_idless:.0} ns/event |");
    println!("| largest component, no shared ids | {} events |", largest_component(&catalog, &plain));
    println!(
        "| largest component, 1% of events naming another customer's order | {} events |",
        largest_component(&catalog, &shared)
    );
    println!("| 4 partitions: largest / mean events | {balance:.3} |");
    println!("| merge of 4 partitions' outcomes (split and sort included) | {merge:.0} ns/event |");
}
