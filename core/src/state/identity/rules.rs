//! The rules that stop bad merges (docs/identity.md): which of the links an event or a host asks
//! for are made, and a warning for each one refused.

use super::{Graph, Identifier};
use crate::model::config::IdentityConfig;
use crate::model::event::IdType;
use crate::model::identity::{IdentityWarning, WarningCode};
use std::collections::HashSet;

/// What the rules decided for one request to link identifiers to a customer.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Decision {
    /// The identifiers to link to the customer, in the order asked.
    pub link: Vec<Identifier>,
    /// The ones refused, with why, in the order they were refused.
    pub warnings: Vec<IdentityWarning>,
}

/// The rules of one engine, applied to its graph.
pub(crate) struct Rules<'r> {
    /// The settings.
    pub config: &'r IdentityConfig,
    /// The time that limits' windows end at.
    pub now: i64,
    /// When the links asked for see identifiers the graph does not hold yet.
    pub seen: i64,
}

impl Rules<'_> {
    /// Which of `identifiers` may be linked to `customer`. A link to itself is dropped silently; a
    /// blocked identifier (or a blocked customer, which links nothing) is `IDENTITY_BLOCKED`; then,
    /// while linking the rest would break a limit, the lowest-priority one (the last of equals)
    /// is left out with `IDENTITY_LIMIT` and the rest tried again.
    pub fn decide(&self, graph: &Graph, customer: &Identifier, identifiers: &[Identifier]) -> Decision {
        let mut decision = Decision::default();
        if self.blocked(customer) {
            if identifiers.iter().any(|i| i != customer) {
                decision.warnings.push(warning(WarningCode::IdentityBlocked, customer));
            }
            return decision;
        }
        let mut asked: Vec<Identifier> = Vec::with_capacity(identifiers.len());
        for identifier in identifiers {
            if identifier == customer || asked.contains(identifier) {
                continue;
            }
            if self.blocked(identifier) {
                decision.warnings.push(warning(WarningCode::IdentityBlocked, identifier));
            } else {
                asked.push(identifier.clone());
            }
        }
        while !asked.is_empty() && self.breaks_a_limit(graph, customer, &asked) {
            let last = self.lowest_priority(&asked);
            decision.warnings.push(warning(WarningCode::IdentityLimit, &asked.remove(last)));
        }
        decision.link = asked;
        decision
    }

    fn blocked(&self, identifier: &Identifier) -> bool {
        self.config.blocked(identifier.id_type).matches(&identifier.id)
    }

    /// Where in `asked` the identifier to leave out first is: the lowest priority, the last of equals.
    fn lowest_priority(&self, asked: &[Identifier]) -> usize {
        let rank = |i: usize| self.config.rank(asked[i].id_type);
        (0..asked.len()).rev().max_by_key(|&i| (rank(i), i)).unwrap_or(0)
    }

    /// Whether the profile that linking `asked` to `customer` makes holds more identifiers of an
    /// idType than its limit, and more than the customer's profile holds already (a limit lowered
    /// since does not freeze a profile that breaks it).
    fn breaks_a_limit(&self, graph: &Graph, customer: &Identifier, asked: &[Identifier]) -> bool {
        let before = graph.members_of(customer);
        let mut after: HashSet<Identifier> = before.iter().cloned().collect();
        for identifier in asked {
            after.extend(graph.members_of(identifier));
        }
        IdType::ALL.into_iter().any(|id_type| {
            let Some(limit) = self.config.limit(id_type) else { return false };
            let counted = |members: &mut dyn Iterator<Item = &Identifier>| {
                members.filter(|m| m.id_type == id_type && self.within(graph, m, limit.within)).count()
            };
            let now = counted(&mut after.iter());
            now > limit.max && now > counted(&mut before.iter())
        })
    }

    /// Whether `member` counts against a limit with this window: first seen within it.
    fn within(&self, graph: &Graph, member: &Identifier, window: Option<crate::base::duration::Duration>) -> bool {
        let Some(window) = window else { return true };
        let seen = graph.first_seen(member).unwrap_or(self.seen);
        seen >= self.now.saturating_sub(window.as_millis())
    }
}

fn warning(code: WarningCode, identifier: &Identifier) -> IdentityWarning {
    IdentityWarning { code, identifier: identifier.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Config;
    use crate::state::identity::{LinkKey, Origin, Source};

    fn id(text: &str) -> Identifier {
        let (kind, value) = text.split_once(':').unwrap();
        Identifier::new(value, IdType::parse(kind).unwrap())
    }

    fn ids(texts: &[&str]) -> Vec<Identifier> {
        texts.iter().map(|t| id(t)).collect()
    }

    fn linked(pairs: &[(&str, &str, i64)]) -> Graph {
        let mut graph = Graph::default();
        for &(a, b, at) in pairs {
            graph.add(LinkKey::new(id(a), id(b)).unwrap(), Source { origin: Origin::Manual, seen_a: at, seen_b: at });
        }
        graph
    }

    fn config(identity: &str) -> IdentityConfig {
        Config::from_json(&format!(r#"{{"identity":{identity}}}"#)).unwrap().identity
    }

    fn codes(decision: &Decision) -> Vec<(WarningCode, String)> {
        decision.warnings.iter().map(|w| (w.code, crate::state::identity::canonical(&w.identifier))).collect()
    }

    #[test]
    fn blocked_values_never_link_and_self_links_are_dropped() {
        let rules = Rules { config: &IdentityConfig::default(), now: 0, seen: 0 };
        let decision =
            rules.decide(&Graph::default(), &id("cookie:c"), &ids(&["cookie:c", "email:anonymous", "email:a"]));
        assert_eq!(decision.link, ids(&["email:a"]));
        assert_eq!(codes(&decision), [(WarningCode::IdentityBlocked, "email:anonymous".into())]);
        let blocked = rules.decide(&Graph::default(), &id("cookie:null"), &ids(&["email:a"]));
        assert!(blocked.link.is_empty());
        assert_eq!(codes(&blocked), [(WarningCode::IdentityBlocked, "cookie:null".into())]);
    }

    #[test]
    fn a_limit_leaves_out_the_lowest_priority_and_tries_again() {
        let identity = config(r#"{"limits":{"email":1}}"#);
        let rules = Rules { config: &identity, now: 0, seen: 0 };
        let graph = linked(&[("cookie:c", "email:a", 0)]);
        let decision = rules.decide(&graph, &id("cookie:c"), &ids(&["email:b", "externalId:x"]));
        assert_eq!(decision.link, ids(&["externalId:x"]));
        assert_eq!(codes(&decision), [(WarningCode::IdentityLimit, "email:b".into())]);
        // Segment's rule: the lowest priority goes first, even when it is not the one that breaks
        // the limit.
        let decision = rules.decide(&graph, &id("cookie:c"), &ids(&["email:b", "phone:p"]));
        assert!(decision.link.is_empty());
        let refused = [(WarningCode::IdentityLimit, "phone:p".into()), (WarningCode::IdentityLimit, "email:b".into())];
        assert_eq!(codes(&decision), refused);
        // Another cookie already holding a second email: the cookie itself is left out.
        let graph = linked(&[("cookie:c", "email:a", 0), ("cookie:d", "email:b", 0)]);
        let decision = rules.decide(&graph, &id("phone:p"), &ids(&["cookie:c", "cookie:d"]));
        assert_eq!(decision.link, ids(&["cookie:c"]));
        assert_eq!(codes(&decision), [(WarningCode::IdentityLimit, "cookie:d".into())]);
    }

    #[test]
    fn external_ids_are_unique_by_default_and_windows_forget_old_identifiers() {
        let defaults = IdentityConfig::default();
        let rules = Rules { config: &defaults, now: 0, seen: 0 };
        let graph = linked(&[("cookie:c", "externalId:x", 0)]);
        let decision = rules.decide(&graph, &id("cookie:c"), &ids(&["externalId:y"]));
        assert_eq!(codes(&decision), [(WarningCode::IdentityLimit, "externalId:y".into())]);
        let identity = config(r#"{"limits":{"cookie":{"max":1,"within":"1d"}}}"#);
        let graph = linked(&[("cookie:old", "email:e", 0)]);
        let day = 86_400_000;
        let late = Rules { config: &identity, now: 2 * day, seen: 2 * day };
        assert_eq!(late.decide(&graph, &id("email:e"), &ids(&["cookie:new"])).link, ids(&["cookie:new"]));
        let soon = Rules { config: &identity, now: day / 2, seen: day / 2 };
        assert!(soon.decide(&graph, &id("email:e"), &ids(&["cookie:new"])).link.is_empty());
    }
}
