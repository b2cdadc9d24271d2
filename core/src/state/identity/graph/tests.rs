use super::*;
use crate::model::config::{Config, IdentityConfig};
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

/// Settings with no limit at all, so that every ask links.
fn unlimited() -> IdentityConfig {
    Config::from_json(r#"{"identity":{"limits":{"externalId":null,"externalContact":null}}}"#).unwrap().identity
}

fn settings(identity: &str) -> IdentityConfig {
    Config::from_json(&format!(r#"{{"identity":{identity}}}"#)).unwrap().identity
}

/// Asks to link `to` to `from` at `at`, made by `origin`, in `division`.
fn ask(graph: &mut Graph, config: &IdentityConfig, origin: Origin, from: &str, to: &[&str], at: i64) -> Decision {
    ask_in(graph, config, origin, from, to, at, None)
}

fn ask_in(
    graph: &mut Graph,
    config: &IdentityConfig,
    origin: Origin,
    from: &str,
    to: &[&str],
    at: i64,
    division: Option<&str>,
) -> Decision {
    let identifiers: Vec<Identifier> = to.iter().map(|t| id(t)).collect();
    let input = AskInput { origin, customer: &id(from), identifiers: &identifiers, division };
    graph.ask(&Rules { config, now: at }, input)
}

fn link(graph: &mut Graph, from: &str, to: &str, at: i64) {
    ask(graph, &unlimited(), Origin::Manual, from, &[to], at);
}

fn event(n: u128) -> Origin {
    Origin::Event(Uuid::from_u128(n))
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
    link(&mut graph, "cookie:c", "email:e", 20);
    link(&mut graph, "phone:p", "email:e", 30);
    let profile = graph.profile_of(&id("cookie:c")).unwrap();
    assert_eq!(members(&graph, "phone:p"), ["cookie:c", "email:e", "phone:p"]);
    // The cookie and the email were first seen together; the canonical text breaks the tie.
    assert_eq!(profile.id, id("cookie:c"));
    assert_eq!(graph.first_seen(&id("phone:p")), Some(30));
    // Two profiles joined: the older one's id survives, whichever side is larger.
    link(&mut graph, "externalId:z", "phone:q", 10);
    link(&mut graph, "phone:q", "phone:p", 40);
    assert_eq!(graph.profile_of(&id("email:e")).unwrap().id, id("externalId:z"));
}

#[test]
fn removing_a_bridge_splits_and_a_cycle_holds() {
    let config = unlimited();
    let rules = |at| Rules { config: &config, now: at };
    let mut graph = Graph::default();
    link(&mut graph, "cookie:a", "email:e", 1);
    link(&mut graph, "cookie:b", "email:e", 2);
    link(&mut graph, "cookie:b", "phone:p", 3);
    link(&mut graph, "phone:p", "email:e", 4);
    assert!(graph.unlink(&key("cookie:b", "email:e"), rules));
    assert_eq!(members(&graph, "cookie:a"), ["cookie:a", "cookie:b", "email:e", "phone:p"]);
    assert!(graph.unlink(&key("phone:p", "email:e"), rules));
    assert_eq!(members(&graph, "cookie:a"), ["cookie:a", "email:e"]);
    assert_eq!(members(&graph, "phone:p"), ["cookie:b", "phone:p"]);
    assert_eq!(graph.profile_of(&id("phone:p")).unwrap().id, id("cookie:b"));
    assert!(!graph.unlink(&key("phone:p", "email:e"), rules));
    assert!(graph.unlink(&key("cookie:a", "email:e"), rules));
    assert_eq!(graph.profile_of(&id("cookie:a")), None);
    assert_eq!(graph.first_seen(&id("cookie:a")), None);
    assert_eq!(members(&graph, "email:e"), ["email:e"]);
}

#[test]
fn a_link_stays_while_an_ask_is_left() {
    let config = unlimited();
    let rules = |at| Rules { config: &config, now: at };
    let mut graph = Graph::default();
    ask(&mut graph, &config, event(1), "cookie:a", &["email:e", "phone:p"], 10);
    ask(&mut graph, &config, event(2), "cookie:a", &["email:e"], 20);
    assert_eq!(graph.unlink_event(&Uuid::from_u128(1), rules), Some(2));
    assert_eq!(members(&graph, "email:e"), ["cookie:a", "email:e"]);
    assert_eq!(graph.first_seen(&id("cookie:a")), Some(20), "the first-seen time its ask gave goes with it");
    assert_eq!(graph.unlink_event(&Uuid::from_u128(2), rules), Some(1));
    assert_eq!(graph.profile_of(&id("email:e")), None);
    assert_eq!(graph.unlink_event(&Uuid::from_u128(1), rules), None);
}

#[test]
fn an_undo_links_what_a_limit_refused_because_of_it() {
    let config = settings(r#"{"limits":{"email":1}}"#);
    let rules = |at| Rules { config: &config, now: at };
    let mut graph = Graph::default();
    ask(&mut graph, &config, event(1), "cookie:c", &["email:a"], 1);
    let refused = ask(&mut graph, &config, event(2), "cookie:c", &["email:b"], 2);
    assert_eq!(refused.link().count(), 0);
    // A third ask links another cookie to email:b; after the undo it joins the cookie's profile.
    ask(&mut graph, &config, event(3), "cookie:d", &["email:b"], 3);
    assert_eq!(graph.unlink_event(&Uuid::from_u128(1), rules), Some(1));
    assert_eq!(members(&graph, "cookie:c"), ["cookie:c", "cookie:d", "email:b"]);
    // The same by unlink: email:b's link to cookie:c came from event 2 alone.
    assert!(graph.unlink(&key("cookie:c", "email:b"), rules));
    assert_eq!(members(&graph, "cookie:c"), ["cookie:c"]);
    assert_eq!(members(&graph, "cookie:d"), ["cookie:d", "email:b"]);
}

#[test]
fn a_viewer_follows_only_links_in_divisions_it_sees() {
    let config = unlimited();
    let mut graph = Graph::default();
    ask_in(&mut graph, &config, event(1), "cookie:c", &["email:e"], 1, Some("west"));
    ask_in(&mut graph, &config, event(2), "email:e", &["phone:p"], 2, Some("east"));
    ask_in(&mut graph, &config, Origin::Manual, "cookie:c", &["externalId:x"], 3, None);
    let east = |division: Option<&str>| division.is_none_or(|d| d == "east");
    let seen = graph.visible_profile(&id("cookie:c"), east);
    assert_eq!(seen.members, [id("cookie:c"), id("externalId:x")]);
    let seen = graph.visible_profile(&id("email:e"), east);
    assert_eq!(seen.members, [id("email:e"), id("phone:p")]);
    assert_eq!(seen.id, id("email:e"));
    assert_eq!(graph.visible_profile(&id("email:e"), |_| true).members.len(), 4);
}

#[test]
fn a_graph_rebuilt_from_its_asks_is_the_same() {
    let config = settings(r#"{"limits":{"email":1}}"#);
    let rules = |at| Rules { config: &config, now: at };
    let mut graph = Graph::default();
    ask(&mut graph, &config, event(1), "cookie:a", &["email:e"], 10);
    ask(&mut graph, &config, event(2), "cookie:a", &["email:f"], 11);
    link(&mut graph, "phone:p", "email:e", 3);
    let mut rebuilt = Graph::from_asks(graph.asks().collect::<Vec<_>>(), graph.next_order());
    for x in ["cookie:a", "email:e", "phone:p", "email:f"] {
        assert_eq!(rebuilt.profile_of(&id(x)), graph.profile_of(&id(x)));
        assert_eq!(rebuilt.first_seen(&id(x)), graph.first_seen(&id(x)));
    }
    assert_eq!(rebuilt.next_order(), graph.next_order());
    assert_eq!(rebuilt.unlink_event(&Uuid::from_u128(1), rules), Some(1), "the event's ask comes back");
    assert_eq!(members(&rebuilt, "cookie:a"), ["cookie:a", "email:f"], "and the refused one with it");
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
    Customer::new(format!("n{n}"), IdType::ALL[n as usize % IdType::ALL.len()])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Profiles are the connected components of the links left, whatever the order of links and
    /// unlinks, and each is named by its oldest member.
    #[test]
    fn profiles_are_the_components_of_the_links(
        ops in proptest::collection::vec((any::<bool>(), 0u8..12, 0u8..12), 0..60),
    ) {
        let config = unlimited();
        let rules = |at| Rules { config: &config, now: at };
        let mut graph = Graph::default();
        let mut links: BTreeSet<(u8, u8)> = BTreeSet::new();
        let mut seen: std::collections::BTreeMap<(u8, u8), i64> = Default::default();
        for (at, (add, x, y)) in ops.into_iter().enumerate() {
            let at = at as i64;
            let Some(link) = LinkKey::new(node(x), node(y)) else { continue };
            let pair = (x.min(y), x.max(y));
            if add {
                let to = [node(y)];
                graph.ask(&rules(at), AskInput { origin: Origin::Manual, customer: &node(x), identifiers: &to, division: None });
                links.insert(pair);
                seen.entry(pair).or_insert(at);
            } else {
                prop_assert_eq!(graph.unlink(&link, rules), links.remove(&pair));
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
