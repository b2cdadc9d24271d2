use super::*;
use crate::model::event::{Customer, IdType};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn id(text: &str) -> Identifier {
    let (kind, value) = text.split_once(':').unwrap();
    Customer::new(value, IdType::parse(kind).unwrap())
}

fn key(x: &str, y: &str) -> LinkKey {
    LinkKey::new(id(x), id(y)).unwrap()
}

fn manual(at: i64) -> Source {
    Source { origin: Origin::Manual, seen_a: at, seen_b: at }
}

fn event(n: u128, at: i64) -> Source {
    Source { origin: Origin::Event(Uuid::from_u128(n)), seen_a: at, seen_b: at }
}

fn members(graph: &Graph, x: &str) -> Vec<String> {
    graph.members_of(&id(x)).iter().map(super::super::canonical).collect()
}

#[test]
fn a_link_to_itself_has_no_key() {
    assert_eq!(LinkKey::new(id("email:a"), id("email:a")), None);
    assert_eq!(key("email:a", "cookie:c"), key("cookie:c", "email:a"));
}

#[test]
fn links_union_and_the_oldest_identifier_names_the_profile() {
    let mut graph = Graph::default();
    assert_eq!(graph.profile_of(&id("cookie:c")), None);
    graph.add(key("cookie:c", "email:e"), manual(20));
    graph.add(key("phone:p", "email:e"), Source { origin: Origin::Manual, seen_a: 5, seen_b: 30 });
    let profile = graph.profile_of(&id("cookie:c")).unwrap();
    assert_eq!(members(&graph, "phone:p"), ["cookie:c", "email:e", "phone:p"]);
    // The email was first seen at 5 by its second link, before the cookie.
    assert_eq!(profile.id, id("email:e"));
    assert_eq!(graph.first_seen(&id("email:e")), Some(5));
}

#[test]
fn ties_go_to_the_canonical_text() {
    let mut graph = Graph::default();
    graph.add(key("phone:p", "email:e"), manual(1));
    assert_eq!(graph.profile_of(&id("phone:p")).unwrap().id, id("email:e"));
}

#[test]
fn removing_a_bridge_splits_and_a_cycle_holds() {
    let mut graph = Graph::default();
    graph.add(key("cookie:a", "email:e"), manual(1));
    graph.add(key("cookie:b", "email:e"), manual(2));
    graph.add(key("cookie:b", "phone:p"), manual(3));
    graph.add(key("phone:p", "email:e"), manual(4));
    assert!(graph.remove(&key("cookie:b", "email:e")));
    assert_eq!(members(&graph, "cookie:a"), ["cookie:a", "cookie:b", "email:e", "phone:p"]);
    assert!(graph.remove(&key("phone:p", "email:e")));
    assert_eq!(members(&graph, "cookie:a"), ["cookie:a", "email:e"]);
    assert_eq!(members(&graph, "phone:p"), ["cookie:b", "phone:p"]);
    assert_eq!(graph.profile_of(&id("phone:p")).unwrap().id, id("cookie:b"));
    assert!(!graph.remove(&key("phone:p", "email:e")));
    assert!(graph.remove(&key("cookie:a", "email:e")));
    assert_eq!(graph.profile_of(&id("cookie:a")), None);
    assert_eq!(graph.first_seen(&id("cookie:a")), None);
    assert_eq!(members(&graph, "email:e"), ["email:e"]);
}

#[test]
fn a_link_stays_while_a_source_is_left() {
    let mut graph = Graph::default();
    graph.add(key("cookie:a", "email:e"), event(1, 10));
    graph.add(key("cookie:a", "email:e"), event(2, 5));
    graph.add(key("cookie:a", "phone:p"), event(1, 10));
    assert_eq!(graph.first_seen(&id("cookie:a")), Some(5));
    assert_eq!(graph.remove_event(&Uuid::from_u128(2)), 1);
    assert_eq!(graph.first_seen(&id("cookie:a")), Some(10));
    assert_eq!(members(&graph, "email:e"), ["cookie:a", "email:e", "phone:p"]);
    assert_eq!(graph.remove_event(&Uuid::from_u128(1)), 2);
    assert_eq!(graph.link_count(), 0);
    assert_eq!(graph.profile_of(&id("email:e")), None);
    assert_eq!(graph.remove_event(&Uuid::from_u128(1)), 0);
}

#[test]
fn a_graph_rebuilt_from_its_links_is_the_same() {
    let mut graph = Graph::default();
    graph.add(key("cookie:a", "email:e"), event(1, 10));
    graph.add(key("phone:p", "email:e"), manual(3));
    let rebuilt = Graph::from_links(graph.links().cloned().collect::<Vec<_>>());
    for x in ["cookie:a", "email:e", "phone:p"] {
        assert_eq!(rebuilt.profile_of(&id(x)), graph.profile_of(&id(x)));
        assert_eq!(rebuilt.first_seen(&id(x)), graph.first_seen(&id(x)));
    }
    let mut rebuilt = rebuilt;
    assert_eq!(rebuilt.remove_event(&Uuid::from_u128(1)), 1, "the event's sources come back");
}

/// The components of `links` found by a fixed point over the pairs, independent of the graph.
fn components(links: &BTreeSet<(u8, u8)>) -> BTreeSet<BTreeSet<u8>> {
    let mut sets: Vec<BTreeSet<u8>> = Vec::new();
    for &(x, y) in links {
        let (joined, rest): (Vec<_>, Vec<_>) = sets.into_iter().partition(|s| s.contains(&x) || s.contains(&y));
        let mut merged: BTreeSet<u8> = joined.into_iter().flatten().collect();
        merged.extend([x, y]);
        sets = rest;
        sets.push(merged);
    }
    sets.into_iter().collect()
}

fn node(n: u8) -> Identifier {
    Customer::new(format!("{n}"), IdType::ALL[n as usize % IdType::ALL.len()])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Profiles are the connected components of the links left, whatever the order of links and
    /// unlinks, and each is named by its oldest member.
    #[test]
    fn profiles_are_the_components_of_the_links(
        ops in proptest::collection::vec((any::<bool>(), 0u8..12, 0u8..12, 0i64..50), 0..60),
    ) {
        let mut graph = Graph::default();
        let mut links: BTreeSet<(u8, u8)> = BTreeSet::new();
        let mut seen: std::collections::BTreeMap<(u8, u8), i64> = Default::default();
        for (add, x, y, at) in ops {
            let Some(link) = LinkKey::new(node(x), node(y)) else { continue };
            let pair = (x.min(y), x.max(y));
            if add {
                graph.add(link, manual(at));
                links.insert(pair);
                let first = seen.entry(pair).or_insert(at);
                *first = (*first).min(at);
            } else {
                prop_assert_eq!(graph.remove(&link), links.remove(&pair));
                seen.remove(&pair);
            }
        }
        let expected = components(&links);
        for component in &expected {
            let want: BTreeSet<Identifier> = component.iter().map(|&n| node(n)).collect();
            let oldest = component
                .iter()
                .map(|&n| {
                    let at = seen.iter().filter(|((x, y), _)| *x == n || *y == n).map(|(_, at)| *at).min().unwrap();
                    (at, super::super::canonical(&node(n)), n)
                })
                .min()
                .unwrap();
            for &n in component {
                let profile = graph.profile_of(&node(n)).unwrap();
                prop_assert_eq!(profile.members.iter().cloned().collect::<BTreeSet<_>>(), want.clone());
                prop_assert_eq!(&profile.id, &node(oldest.2));
            }
        }
        let linked: BTreeSet<u8> = expected.iter().flatten().copied().collect();
        for n in (0..12).filter(|n| !linked.contains(n)) {
            prop_assert_eq!(graph.profile_of(&node(n)), None);
        }
    }
}
