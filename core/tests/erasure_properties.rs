//! Erasure is exact (docs/identity.md, "Erasure"): after `erase` of any identifier, every read of
//! every other identifier (its profile, and its journey at every page size from every cursor)
//! equals the reads of an engine that never saw the erased profile (its members' events not sent,
//! the members taken out of everyone else's identifiers, no link to them), under limits that
//! refuse links and a blocked value; and every member's profile is itself alone, its journey
//! empty.

use journey_core::{Catalog, Command, Config, Engine};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "web", "kind": "web", "inactivityGap": "5m", "eventTypes": [{"name": "page_viewed"}]},
  {"name": "delivery", "kind": "custom", "eventTypes": [{"name": "in_transit"}]}]}"#;

/// The identifiers the stream uses: few, so that links join, cycles form and the limits (one
/// email and one phone a profile) refuse links that an undo then lets through; `email:null` is
/// blocked.
const POOL: [(&str, &str); 8] = [
    ("cookie", "c0"),
    ("cookie", "c1"),
    ("cookie", "c2"),
    ("email", "e0"),
    ("email", "e1"),
    ("phone", "p0"),
    ("phone", "p1"),
    ("email", "null"),
];

fn identifier(n: usize) -> Value {
    let (id_type, id) = POOL[n % POOL.len()];
    json!({"id": id, "idType": id_type})
}

/// One step of the stream: an event (web or custom) of a customer carrying some identifiers, or
/// a host's link.
#[derive(Debug, Clone)]
enum Step {
    Event { web: bool, customer: usize, identifiers: Vec<usize> },
    Link { from: usize, to: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (any::<bool>(), 0..POOL.len(), proptest::collection::vec(0..POOL.len(), 0..3))
            .prop_map(|(web, customer, identifiers)| Step::Event { web, customer, identifiers }),
        1 => (0..POOL.len(), 0..POOL.len()).prop_map(|(from, to)| Step::Link { from, to }),
    ]
}

fn engine() -> Engine {
    let config = Config::from_value(&json!({"clock": "manual", "start": "2026-11-21T11:00:00Z",
        "identity": {"limits": {"email": 1, "phone": 1}}}))
    .unwrap();
    Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap()
}

fn call(engine: &Engine, op: &str, input: Value) -> Result<Value, String> {
    engine.call(&Command::new(op, input).unwrap()).map_err(|e| e.code().to_owned())
}

fn event_id(i: usize) -> String {
    format!("6f1c8a52-1b44-4d8e-9a6b-{i:012}")
}

fn event(i: usize, web: bool, customer: usize, identifiers: &[usize]) -> Value {
    let (session, name) = match web {
        true => (json!({"type": "web"}), "page_viewed"),
        false => (json!({"type": "delivery", "externalId": format!("order-{customer}-{}", i % 3)}), "in_transit"),
    };
    let time = format!("2026-11-21T10:{:02}:{:02}Z", (i / 60) % 60, i % 60);
    let identifiers: Vec<Value> = identifiers.iter().map(|&n| identifier(n)).collect();
    json!({"id": event_id(i), "eventName": name, "createdDate": time, "customer": identifier(customer),
        "session": session, "identifiers": identifiers})
}

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

fn viewer() -> Value {
    json!({"permissions": ["journey:session:view", "journey:sessionType:view"], "divisions": ["*"]})
}

/// Every page of `customer`'s journey at `size`, in order.
fn pages(engine: &Engine, customer: usize, size: usize) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = json!({"pageSize": size, "after": after});
        let read = call(engine, "journey", json!({"customer": identifier(customer), "viewer": viewer(), "page": page}));
        let read = read.unwrap();
        after = read["nextCursor"].clone();
        pages.push(read);
        if after.is_null() {
            return pages;
        }
    }
}

/// The reads of every identifier not in `gone`.
fn reads_of_others(engine: &Engine, gone: &BTreeSet<usize>) -> Vec<Value> {
    let mut reads = Vec::new();
    for n in (0..POOL.len()).filter(|n| !gone.contains(n)) {
        reads.push(call(engine, "profile", json!({"customer": identifier(n)})).unwrap());
        for size in 1..=3 {
            reads.extend(pages(engine, n, size));
        }
    }
    reads
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
        let (after, reference) = (reads_of_others(&erasing, &gone), reads_of_others(&never, &gone));
        prop_assert_eq!(after.len(), reference.len());
        for (a, b) in after.iter().zip(&reference) {
            prop_assert_eq!(a, b);
        }
    }
}
