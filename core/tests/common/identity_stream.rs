//! The random streams identity's property tests share (`identity_properties.rs`,
//! `erasure_properties.rs`): a few identifiers, events that carry some of them and hosts' links,
//! and every read that depends on links.

use journey_core::{Catalog, Command, Config, Engine};
use proptest::prelude::*;
use serde_json::{Value, json};

pub const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "web", "kind": "web", "inactivityGap": "5m", "eventTypes": [{"name": "page_viewed"}]},
  {"name": "delivery", "kind": "custom", "eventTypes": [{"name": "in_transit"}]}]}"#;

/// The identifiers the stream uses: few, so that links join, cycles form and the limits (one
/// email and one phone a profile) refuse links that an undo then lets through; `email:null` is
/// blocked.
pub const POOL: [(&str, &str); 8] = [
    ("cookie", "c0"),
    ("cookie", "c1"),
    ("cookie", "c2"),
    ("email", "e0"),
    ("email", "e1"),
    ("phone", "p0"),
    ("phone", "p1"),
    ("email", "null"),
];

/// The `n`th identifier of the pool (wrapping), as JSON.
pub fn identifier(n: usize) -> Value {
    let (id_type, id) = POOL[n % POOL.len()];
    json!({"id": id, "idType": id_type})
}

/// One step of the stream: an event (web or custom) of a customer carrying some identifiers, or
/// a host's link.
#[derive(Debug, Clone)]
pub enum Step {
    Event { web: bool, customer: usize, identifiers: Vec<usize> },
    Link { from: usize, to: usize },
}

pub fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (any::<bool>(), 0..POOL.len(), proptest::collection::vec(0..POOL.len(), 0..3))
            .prop_map(|(web, customer, identifiers)| Step::Event { web, customer, identifiers }),
        1 => (0..POOL.len(), 0..POOL.len()).prop_map(|(from, to)| Step::Link { from, to }),
    ]
}

pub fn engine() -> Engine {
    let config = Config::from_value(&json!({"clock": "manual", "start": "2026-11-21T11:00:00Z",
        "identity": {"limits": {"email": 1, "phone": 1}}}))
    .unwrap();
    Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap()
}

pub fn call(engine: &Engine, op: &str, input: Value) -> Result<Value, String> {
    engine.call(&Command::new(op, input).unwrap()).map_err(|e| e.code().to_owned())
}

pub fn event_id(i: usize) -> String {
    format!("6f1c8a52-1b44-4d8e-9a6b-{i:012}")
}

pub fn event(i: usize, web: bool, customer: usize, identifiers: &[usize]) -> Value {
    let (session, name) = match web {
        true => (json!({"type": "web"}), "page_viewed"),
        false => (json!({"type": "delivery", "externalId": format!("order-{customer}-{}", i % 3)}), "in_transit"),
    };
    let time = format!("2026-11-21T10:{:02}:{:02}Z", (i / 60) % 60, i % 60);
    let identifiers: Vec<Value> = identifiers.iter().map(|&n| identifier(n)).collect();
    json!({"id": event_id(i), "eventName": name, "createdDate": time, "customer": identifier(customer),
        "session": session, "identifiers": identifiers})
}

/// A viewer of every session in every division.
pub fn viewer() -> Value {
    json!({"permissions": ["journey:session:view", "journey:sessionType:view"], "divisions": ["*"]})
}

/// Every page of `customer`'s journey at `size`, in order.
pub fn pages(engine: &Engine, customer: usize, size: usize) -> Vec<Value> {
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

/// Every read that depends on links of each identifier `of` accepts: its profile, and its whole
/// journey paged at sizes 1 to 3.
pub fn reads(engine: &Engine, of: impl Fn(usize) -> bool) -> Vec<Value> {
    let mut reads = Vec::new();
    for n in (0..POOL.len()).filter(|&n| of(n)) {
        reads.push(call(engine, "profile", json!({"customer": identifier(n)})).unwrap());
        for size in 1..=3 {
            reads.extend(pages(engine, n, size));
        }
    }
    reads
}
