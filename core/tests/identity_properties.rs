//! Identity's properties over random streams of events with identifiers and hosts' links
//! (docs/identity.md):
//! - undo is exact: after `unlink` and `unlinkEvent`, in either order, every read (each identifier's profile, and
//!   its journey at every page size from every cursor) equals the reads of an engine that never
//!   saw the undone links: the same stream, with the undone events' identifiers taken off and the
//!   undone pairs never linked;
//! - a profile's journey holds exactly its members' sessions, and its pages, at any size, are the
//!   one listing cut at the cursors.

use journey_core::{Catalog, Command, Config, Engine};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

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

fn pair(x: usize, y: usize) -> (usize, usize) {
    (x.min(y), x.max(y))
}

/// Runs `stream` into `engine`, leaving out the identifiers of the events in `stripped`, and every
/// link (an event's identifier or a host's) of a pair in `cut`. Returns each customer's sessions,
/// from the outcomes.
fn run(
    engine: &Engine,
    stream: &[Step],
    stripped: &BTreeSet<usize>,
    cut: &BTreeSet<(usize, usize)>,
) -> BTreeMap<usize, BTreeSet<String>> {
    let mut sessions: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for (i, step) in stream.iter().enumerate() {
        match step {
            Step::Event { web, customer, identifiers } => {
                let kept: Vec<usize> = match stripped.contains(&i) {
                    true => Vec::new(),
                    false => identifiers.iter().copied().filter(|&n| !cut.contains(&pair(*customer, n))).collect(),
                };
                let outcome = call(engine, "ingest", event(i, *web, *customer, &kept)).unwrap();
                if let Some(session) = outcome["sessionId"].as_str() {
                    sessions.entry(*customer).or_default().insert(session.to_owned());
                }
            }
            Step::Link { from, to } if from != to && !cut.contains(&pair(*from, *to)) => {
                call(engine, "link", json!({"from": identifier(*from), "to": identifier(*to)})).unwrap();
            }
            Step::Link { .. } => {}
        }
    }
    sessions
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

/// Every read that depends on links: each identifier's profile, and its whole journey paged at
/// sizes 1 to 3.
fn reads(engine: &Engine) -> Vec<Value> {
    let mut reads = Vec::new();
    for n in 0..POOL.len() {
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
    fn after_unlink_every_read_equals_an_engine_that_never_saw_the_link(
        stream in proptest::collection::vec(step(), 1..40),
        undo_events in proptest::collection::btree_set(0..40usize, 0..6),
        undo_links in proptest::collection::btree_set((0..POOL.len(), 0..POOL.len()), 0..4),
        unlinks_first in any::<bool>(),
    ) {
        let undone = engine();
        run(&undone, &stream, &BTreeSet::new(), &BTreeSet::new());
        let undo_events: BTreeSet<usize> = undo_events.into_iter().filter(|&i| i < stream.len()).collect();
        let undo_events_now = || {
            for &i in &undo_events {
                call(&undone, "unlinkEvent", json!({"eventId": event_id(i)})).unwrap();
            }
        };
        if !unlinks_first {
            undo_events_now();
        }
        let mut cut = BTreeSet::new();
        for &(from, to) in &undo_links {
            if from == to {
                continue;
            }
            match call(&undone, "unlink", json!({"from": identifier(from), "to": identifier(to)})) {
                Ok(_) => {
                    cut.insert(pair(from, to));
                }
                Err(code) => prop_assert_eq!(code, "NOT_FOUND"),
            }
        }
        // Undone after the unlinks, an event's ask lets refused asks in again: never a pair the
        // host unlinked.
        if unlinks_first {
            undo_events_now();
        }
        // The engine that never saw them: an event undone by `unlinkEvent` made no link, and a
        // pair undone by `unlink` was linked by no one.
        let never = engine();
        run(&never, &stream, &undo_events, &cut);
        let (undone_reads, never_reads) = (reads(&undone), reads(&never));
        prop_assert_eq!(undone_reads.len(), never_reads.len());
        for (a, b) in undone_reads.iter().zip(&never_reads) {
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn a_profiles_journey_pages_its_members_sessions_as_one_listing(
        stream in proptest::collection::vec(step(), 1..40),
    ) {
        let engine = engine();
        let sessions = run(&engine, &stream, &BTreeSet::new(), &BTreeSet::new());
        for n in 0..POOL.len() {
            let profile = call(&engine, "profile", json!({"customer": identifier(n)})).unwrap();
            let members: Vec<usize> = (0..POOL.len())
                .filter(|&m| profile["members"].as_array().unwrap().contains(&identifier(m)))
                .collect();
            prop_assert!(members.contains(&n));
            let expected: BTreeSet<String> =
                members.iter().flat_map(|m| sessions.get(m).cloned().unwrap_or_default()).collect();
            let [whole] = pages(&engine, n, 200).try_into().unwrap();
            let listed: Vec<&Value> = whole["entities"].as_array().unwrap().iter().collect();
            let ids: BTreeSet<String> = listed.iter().map(|card| card["id"].as_str().unwrap().to_owned()).collect();
            prop_assert_eq!(ids.len(), listed.len(), "a session listed twice");
            prop_assert_eq!(&ids, &expected);
            for card in &listed {
                let owner = (0..POOL.len()).find(|&m| identifier(m) == card["customer"]).unwrap();
                prop_assert!(sessions[&owner].contains(card["id"].as_str().unwrap()), "a card names its own customer");
            }
            for size in 1..=3 {
                let paged: Vec<Value> =
                    pages(&engine, n, size).into_iter().flat_map(|p| p["entities"].as_array().unwrap().clone()).collect();
                prop_assert_eq!(paged.iter().collect::<Vec<_>>(), listed.clone(), "pages of {}", size);
            }
        }
    }
}
