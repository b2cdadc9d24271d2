//! The shared vectors through a durable engine (SPEC §11): every `reopen` step closes the engine
//! and opens its store again, and after the last step the store is reopened once more and every
//! read of the vector (journey, sessionEvents, stats, and the definition lists) must give exactly
//! what the in-memory engine gives.

mod common;

use common::{DurableApi, RustApi};
use journey_vectors::{Target, load, run_steps, substitute, target_for, vector_files};
use serde_json::Value;

#[test]
fn shared_vectors_through_a_durable_engine() {
    journey_vectors::run_all::<DurableApi>(common::repo_root());
}

#[test]
fn a_reopened_store_reads_exactly_like_the_in_memory_engine() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for file in vector_files(common::repo_root()) {
        let vector = load(&file).unwrap();
        let mut memory: RustApi = target_for(&vector).unwrap();
        let mut durable: DurableApi = target_for(&vector).unwrap();
        let saved = run_steps(&vector, &mut memory).unwrap();
        run_steps(&vector, &mut durable).unwrap();
        durable.reopen().unwrap();
        for (index, step) in vector["steps"].as_array().unwrap().iter().enumerate() {
            let op = step["op"].as_str().unwrap();
            let reads = ["journey", "sessionEvents", "stats", "listSegments", "listOutcomes", "listActionMaps"];
            if !reads.contains(&op) {
                continue;
            }
            let input = substitute(step.get("input").unwrap_or(&Value::Null), &saved);
            let (expected, actual) = (memory.call(op, &input), durable.call(op, &input));
            compared += 1;
            if expected != actual {
                failures.push(format!(
                    "{}: step {index} ({op}):\n  memory:  {expected:?}\n  durable: {actual:?}",
                    file.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared > 50, "only {compared} reads compared");
}
