//! Identity's properties over random streams of events with identifiers and hosts' links
//! (docs/identity.md):
//! - undo is exact: after `unlink` and `unlinkEvent`, in either order, every read (each identifier's profile, and
//!   its journey at every page size from every cursor) equals the reads of an engine that never
//!   saw the undone links: the same stream, with the undone events' identifiers taken off and the
//!   undone pairs never linked;
//! - a profile's journey holds exactly its members' sessions, and its pages, at any size, are the
//!   one listing cut at the cursors.

mod common;

use common::identity_stream::*;
use journey_core::Engine;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

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
        let (undone_reads, never_reads) = (reads(&undone, |_| true), reads(&never, |_| true));
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
