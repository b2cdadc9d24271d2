//! `make bench`: what `paths` costs (issue 16, docs/paths.md). Over the ingest benchmark's
//! 1,000,000 custom events across 100,000 customers (200,000 sessions), one thread, their
//! locations cut to the 97 depots (without the aisle) so that grouping by location stays under the
//! 1,000 values `groupBy` allows:
//! - a query with every step, depth 5; with a filter on an event attribute (which parses each
//!   step's attributes); grouped by a session attribute (97 values); anchored backwards;
//! - the 1st to 10th and the 91st to 100th of 100 queries, to show the cost does not grow.
//!
//! Prints a table; asserts nothing about speed.

mod workload;

use journey_core::paths::PathsQuery;
use journey_core::{Batch, Catalog, Engine, Outcomes, Viewer};
use std::time::Instant;
use workload::{CATALOG, custom_event, events, ndjson};

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`; a debug run would only waste time.
    if !workload::runs() {
        println!("paths benchmark: run it with `make bench`");
        return;
    }
    let engine =
        Engine::new(Catalog::from_json(CATALOG).unwrap(), workload::config(r#", "ingestThreads": 1"#)).unwrap();
    let events = events();
    let batch = ndjson(depot_event, 0..events);
    let summary = engine.ingest_batch(Batch::Ndjson(&batch), Outcomes::None, None).unwrap();
    assert_eq!(engine.stats().events_accepted as usize, events, "{summary:?}");
    let viewer: Viewer = serde_json::from_value(serde_json::json!({"permissions": ["journey:session:view",
        "journey:sessionType:view", "journey:event:view", "journey:eventType:view"], "divisions": ["*"]}))
    .unwrap();
    let queries = [
        ("every step, depth 5", r#"{}"#),
        ("filter: event price >= 1000", r#"{"filters": [{"on": "event", "attribute": "price", "min": 1000}]}"#),
        (
            "groupBy: session location (97 depots), depth 2",
            r#"{"groupBy": {"on": "session", "attribute": "location"}, "depth": 2}"#,
        ),
        ("anchor backward, depth 3", r#"{"anchor": {"event": "in_transit", "direction": "backward"}, "depth": 3}"#),
    ];
    println!(
        "\n`paths` over {events} events, {} customers, {} sessions, one thread (best of 3)\n",
        workload::customers(),
        workload::customers() * 2
    );
    println!("| query | ms | ns per event |");
    println!("|---|---:|---:|");
    for (label, text) in queries {
        let query: PathsQuery = serde_json::from_str(text).unwrap();
        let best = (0..3)
            .map(|_| {
                let start = Instant::now();
                let result = engine.paths(&query, &viewer).unwrap();
                let elapsed = start.elapsed();
                assert!(!result.groups.is_empty());
                elapsed
            })
            .min()
            .unwrap();
        println!("| {label} | {:.0} | {:.0} |", best.as_secs_f64() * 1e3, best.as_nanos() as f64 / events as f64);
    }
    let query: PathsQuery = serde_json::from_str("{}").unwrap();
    let times: Vec<f64> = (0..100)
        .map(|_| {
            let start = Instant::now();
            engine.paths(&query, &viewer).unwrap();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let mean = |slice: &[f64]| slice.iter().sum::<f64>() / slice.len() as f64;
    println!(
        "| 100 queries: mean of the 1st-10th / the 91st-100th | {:.0} / {:.0} | |",
        mean(&times[..10]),
        mean(&times[90..])
    );
}

/// The workload's event `i` with its location cut to the depot (97 values, where depot and aisle
/// make 1,261): a location per depot is what a dashboard groups by.
fn depot_event(i: usize) -> String {
    custom_event(i).replace(&format!(", aisle {}\"", i % 13), "\"")
}
