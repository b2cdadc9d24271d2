//! Erasure is exact (docs/identity.md, "Erasure"): after `erase` of any identifier, every read of
//! every other identifier (its profile, and its journey at every page size from every cursor)
//! equals the reads of an engine that never saw the erased profile (its members' events not sent,
//! the members taken out of everyone else's identifiers, no link to them), under limits that
//! refuse links and a blocked value; and every member's profile is itself alone, its journey
//! empty.

mod common;

use common::identity_stream::*;
use journey_core::Engine;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Runs `stream` into `engine` as an engine that never saw the identifiers in `gone`: their
/// events are not sent, they are taken out of other events' identifiers, and links to them are
/// not made.
fn run(engine: &Engine, stream: &[Step], gone: &BTreeSet<usize>) {
    for (i, step) in stream.iter().enumerate() {
        match step {
            Step::Event { customer, .. } if gone.contains(customer) => {}
            Step::Event { web, customer, identifiers } => {
                let kept: Vec<usize> = identifiers.iter().copied().filter(|n| !gone.contains(n)).collect();
                call(engine, "ingest", event(i, *web, *customer, &kept)).unwrap();
            }
            Step::Link { from, to } if from != to && !gone.contains(from) && !gone.contains(to) => {
                call(engine, "link", json!({"from": identifier(*from), "to": identifier(*to)})).unwrap();
            }
            Step::Link { .. } => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn after_erase_every_other_read_equals_an_engine_that_never_saw_the_person(
        stream in proptest::collection::vec(step(), 1..40),
        erased in 0..POOL.len(),
    ) {
        let erasing = engine();
        run(&erasing, &stream, &BTreeSet::new());
        let profile = call(&erasing, "profile", json!({"customer": identifier(erased)})).unwrap();
        let members: Vec<Value> = profile["members"].as_array().unwrap().clone();
        let gone: BTreeSet<usize> = (0..POOL.len()).filter(|n| members.contains(&identifier(*n))).collect();
        call(&erasing, "erase", json!({"customer": identifier(erased)})).unwrap();
        for &n in &gone {
            let alone = call(&erasing, "profile", json!({"customer": identifier(n)})).unwrap();
            prop_assert_eq!(&alone["members"], &json!([identifier(n)]));
            let [page] = pages(&erasing, n, 3).try_into().unwrap();
            prop_assert_eq!(&page["entities"], &json!([]));
        }
        let never = engine();
        run(&never, &stream, &gone);
        let (after, reference) = (reads(&erasing, |n| !gone.contains(&n)), reads(&never, |n| !gone.contains(&n)));
        prop_assert_eq!(after.len(), reference.len());
        for (a, b) in after.iter().zip(&reference) {
            prop_assert_eq!(a, b);
        }
    }
}
