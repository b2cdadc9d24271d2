//! The rules that stop bad merges (docs/identity.md): which of the links an event or a host asks
//! for are made, and a warning for each one refused.

use super::Identifier;
use super::components::Component;
use super::names::Id;
use crate::model::config::IdentityConfig;
use crate::model::event::IdType;
use crate::model::identity::{IdentityWarning, WarningCode};

/// What the rules decided for one request to link identifiers to a customer.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Decision {
    /// The identifiers the limits decided on (none the customer, repeated or blocked), in the
    /// order asked, each with whether it is linked.
    pub asked: Vec<(Id, bool)>,
    /// The ones refused, with why, in the order they were refused.
    pub warnings: Vec<IdentityWarning>,
}

impl Decision {
    /// The identifiers to link to the customer, in the order asked.
    pub fn link(&self) -> impl Iterator<Item = Id> + '_ {
        self.asked.iter().filter(|(_, linked)| *linked).map(|(identifier, _)| *identifier)
    }

    /// Whether `identifier` is linked.
    pub fn linked(&self, identifier: Id) -> bool {
        self.asked.iter().any(|(asked, linked)| *linked && *asked == identifier)
    }
}

/// The identifiers of a request the limits are to decide on: what is left once links to the
/// customer itself, repeats and blocked values are taken out, with a warning for each blocked one.
#[derive(Debug, Default)]
pub(crate) struct Screened<'i> {
    /// What is left, in the order asked.
    pub candidates: Vec<&'i Identifier>,
    /// `IDENTITY_BLOCKED` for each blocked identifier (or the blocked customer).
    pub warnings: Vec<IdentityWarning>,
}

/// What the rules read of the graph: each identifier's profile, first-seen time and text (the
/// graph implements it; the rules never see the rest of it).
pub(crate) trait Profiles {
    /// `identifier`'s profile: itself alone when it has no link.
    fn component(&self, identifier: Id) -> Component<'_>;
    /// When the links first saw `identifier`, or `None` when it has no link.
    fn first_seen(&self, identifier: Id) -> Option<i64>;
    /// The identifier numbered `identifier`.
    fn identifier(&self, identifier: Id) -> &Identifier;
}

/// The rules of one engine at one time, applied to its graph.
pub(crate) struct Rules<'r> {
    /// The settings.
    pub config: &'r IdentityConfig,
    /// The engine's time of the ask: when its new identifiers are first seen, and where limits'
    /// windows end.
    pub now: i64,
}

impl Rules<'_> {
    /// The identifiers of a request to link `identifiers` to `customer` that the limits decide
    /// on: a link to itself and a repeat are dropped silently; a blocked identifier (or a blocked
    /// customer, which links nothing) is `IDENTITY_BLOCKED`.
    pub fn screen<'i>(&self, customer: &Identifier, identifiers: &'i [Identifier]) -> Screened<'i> {
        let mut screened = Screened::default();
        if self.blocked(customer) {
            if identifiers.iter().any(|i| i != customer) {
                screened.warnings.push(warning(WarningCode::IdentityBlocked, customer));
            }
            return screened;
        }
        for identifier in identifiers {
            if identifier == customer || screened.candidates.contains(&identifier) {
                continue;
            }
            if self.blocked(identifier) {
                screened.warnings.push(warning(WarningCode::IdentityBlocked, identifier));
            } else {
                screened.candidates.push(identifier);
            }
        }
        screened
    }

    /// Decides an ask the graph keeps again (an undo): as [`Self::screen`] then [`Self::limit`]
    /// would, with identifiers already distinct and never the customer. Settings may have changed
    /// since (an engine opened with others), so blocked values are read again.
    pub fn decide(&self, graph: &impl Profiles, customer: Id, asked: &[Id]) -> Decision {
        if self.blocked(graph.identifier(customer)) {
            return Decision { asked: asked.iter().map(|&id| (id, false)).collect(), warnings: Vec::new() };
        }
        let open: Vec<Id> = asked.iter().copied().filter(|&id| !self.blocked(graph.identifier(id))).collect();
        let mut decision = self.limit(graph, customer, &open, Vec::new());
        for &id in asked {
            if !open.contains(&id) {
                decision.asked.push((id, false));
            }
        }
        decision
    }

    /// Which of `asked` (screened) may be linked to `customer`: while linking the rest would break
    /// a limit, the lowest-priority one (the last of equals) is left out with `IDENTITY_LIMIT`
    /// and the rest tried again. `warnings` are the screen's, which come first.
    pub fn limit(&self, graph: &impl Profiles, customer: Id, asked: &[Id], warnings: Vec<IdentityWarning>) -> Decision {
        let mut decision = Decision { asked: asked.iter().map(|&id| (id, true)).collect(), warnings };
        let mut left: Vec<usize> = (0..decision.asked.len()).collect();
        while !left.is_empty() && self.breaks_a_limit(graph, customer, left.iter().map(|&i| decision.asked[i].0)) {
            let out = left.remove(self.lowest_priority(graph, &decision.asked, &left));
            decision.asked[out].1 = false;
            decision.warnings.push(warning(WarningCode::IdentityLimit, graph.identifier(decision.asked[out].0)));
        }
        decision
    }

    fn blocked(&self, identifier: &Identifier) -> bool {
        self.config.blocked(identifier.id_type).matches(&identifier.id)
    }

    /// Where in `left` the identifier to leave out first is: the lowest priority, the last of equals.
    fn lowest_priority(&self, graph: &impl Profiles, asked: &[(Id, bool)], left: &[usize]) -> usize {
        let rank = |place: usize| self.config.rank(graph.identifier(asked[left[place]].0).id_type);
        (0..left.len()).rev().max_by_key(|&place| (rank(place), place)).unwrap_or(0)
    }

    /// Whether the profile that linking `asked` to `customer` makes holds more identifiers of an
    /// idType than its limit, and more than any of the profiles it joins holds already (a limit
    /// lowered since does not freeze a profile that breaks it, whichever side asks). Each distinct
    /// profile is counted once, from the graph's own member lists.
    fn breaks_a_limit<G: Profiles>(&self, graph: &G, customer: Id, asked: impl Iterator<Item = Id>) -> bool {
        let mut joined: Vec<Component<'_>> = Vec::new();
        for identifier in std::iter::once(customer).chain(asked) {
            let component = graph.component(identifier);
            if !joined.iter().any(|seen| seen.key == component.key) {
                joined.push(component);
            }
        }
        IdType::ALL.into_iter().enumerate().any(|(slot, id_type)| {
            let Some(limit) = self.config.limit(id_type) else { return false };
            // Without a window a limit reads the profile's count; with one, it scans the members.
            let counted = |component: &Component<'_>| match limit.within {
                None => component.counts[slot],
                Some(_) => component
                    .members
                    .iter()
                    .filter(|&&m| graph.identifier(m).id_type == id_type && self.within(graph, m, limit.within))
                    .count(),
            };
            let (total, largest) = joined.iter().map(counted).fold((0, 0), |(sum, max), n| (sum + n, max.max(n)));
            total > limit.max && total > largest
        })
    }

    /// Whether `member` counts against a limit with this window: first seen within it (a new
    /// identifier is seen now).
    fn within(&self, graph: &impl Profiles, member: Id, window: Option<crate::base::duration::Duration>) -> bool {
        let Some(window) = window else { return true };
        let seen = graph.first_seen(member).unwrap_or(self.now);
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
    use crate::state::identity::Graph;
    use crate::state::identity::{AskInput, Origin};

    fn id(text: &str) -> Identifier {
        let (kind, value) = text.split_once(':').unwrap();
        Identifier::new(value, IdType::parse(kind).unwrap())
    }

    fn ids(texts: &[&str]) -> Vec<Identifier> {
        texts.iter().map(|t| id(t)).collect()
    }

    fn linked(pairs: &[(&str, &str, i64)]) -> Graph {
        let mut graph = Graph::default();
        let open = IdentityConfig::default();
        for &(a, b, at) in pairs {
            let rules = Rules { config: &open, now: at };
            let to = [id(b)];
            graph.ask(&rules, AskInput { origin: Origin::Manual, customer: &id(a), identifiers: &to, division: None });
        }
        graph
    }

    fn config(identity: &str) -> IdentityConfig {
        Config::from_json(&format!(r#"{{"identity":{identity}}}"#)).unwrap().identity
    }

    /// What the rules decide for linking `identifiers` to `customer` in `graph`, read on a copy
    /// (asking keeps the ask): the identifiers linked, and whether any was decided on.
    struct Trial {
        links: Vec<Identifier>,
        warnings: Vec<IdentityWarning>,
        asked: bool,
    }

    impl Rules<'_> {
        fn decide_on(&self, graph: &Graph, customer: &Identifier, identifiers: &[Identifier]) -> Trial {
            let mut copy = graph.clone();
            let input = AskInput { origin: Origin::Manual, customer, identifiers, division: None };
            let decision = copy.ask(self, input);
            let links = decision.link().map(|id| copy.identifier(id).clone()).collect();
            Trial { links, warnings: decision.warnings, asked: !decision.asked.is_empty() }
        }
    }

    fn codes(trial: &Trial) -> Vec<(WarningCode, String)> {
        trial.warnings.iter().map(|w| (w.code, crate::state::identity::canonical(&w.identifier))).collect()
    }

    fn links(trial: &Trial) -> Vec<Identifier> {
        trial.links.clone()
    }

    #[test]
    fn blocked_values_never_link_and_self_links_are_dropped() {
        let rules = Rules { config: &IdentityConfig::default(), now: 0 };
        let decision =
            rules.decide_on(&Graph::default(), &id("cookie:c"), &ids(&["cookie:c", "email:anonymous", "email:a"]));
        assert_eq!(links(&decision), ids(&["email:a"]));
        assert_eq!(codes(&decision), [(WarningCode::IdentityBlocked, "email:anonymous".into())]);
        let blocked = rules.decide_on(&Graph::default(), &id("cookie:null"), &ids(&["email:a"]));
        assert!(!blocked.asked);
        assert_eq!(codes(&blocked), [(WarningCode::IdentityBlocked, "cookie:null".into())]);
    }

    #[test]
    fn a_limit_leaves_out_the_lowest_priority_and_tries_again() {
        let identity = config(r#"{"limits":{"email":1}}"#);
        let rules = Rules { config: &identity, now: 0 };
        let graph = linked(&[("cookie:c", "email:a", 0)]);
        let decision = rules.decide_on(&graph, &id("cookie:c"), &ids(&["email:b", "externalId:x"]));
        assert_eq!(links(&decision), ids(&["externalId:x"]));
        assert_eq!(codes(&decision), [(WarningCode::IdentityLimit, "email:b".into())]);
        // Segment's rule: the lowest priority goes first, even when it is not the one that breaks
        // the limit.
        let decision = rules.decide_on(&graph, &id("cookie:c"), &ids(&["email:b", "phone:p"]));
        assert!(links(&decision).is_empty());
        let refused = [(WarningCode::IdentityLimit, "phone:p".into()), (WarningCode::IdentityLimit, "email:b".into())];
        assert_eq!(codes(&decision), refused);
        // Another cookie already holding a second email: the cookie itself is left out.
        let graph = linked(&[("cookie:c", "email:a", 0), ("cookie:d", "email:b", 0)]);
        let decision = rules.decide_on(&graph, &id("phone:p"), &ids(&["cookie:c", "cookie:d"]));
        assert_eq!(links(&decision), ids(&["cookie:c"]));
        assert_eq!(codes(&decision), [(WarningCode::IdentityLimit, "cookie:d".into())]);
    }

    #[test]
    fn a_profile_over_a_lowered_limit_is_judged_the_same_from_either_side() {
        let identity = config(r#"{"limits":{"email":1}}"#);
        let rules = Rules { config: &identity, now: 0 };
        // Two emails linked before the limit; a new cookie joins from either side.
        let graph = linked(&[("cookie:c", "email:a", 0), ("cookie:c", "email:b", 0)]);
        let from_small = rules.decide_on(&graph, &id("cookie:new"), &ids(&["cookie:c"]));
        let from_big = rules.decide_on(&graph, &id("cookie:c"), &ids(&["cookie:new"]));
        assert_eq!(links(&from_small), ids(&["cookie:c"]));
        assert_eq!(links(&from_big), ids(&["cookie:new"]));
    }

    #[test]
    fn external_ids_are_unique_by_default_and_windows_forget_old_identifiers() {
        let defaults = IdentityConfig::default();
        let rules = Rules { config: &defaults, now: 0 };
        let graph = linked(&[("cookie:c", "externalId:x", 0)]);
        let decision = rules.decide_on(&graph, &id("cookie:c"), &ids(&["externalId:y"]));
        assert_eq!(codes(&decision), [(WarningCode::IdentityLimit, "externalId:y".into())]);
        let identity = config(r#"{"limits":{"cookie":{"max":1,"within":"1d"}}}"#);
        let graph = linked(&[("cookie:old", "email:e", 0)]);
        let day = 86_400_000;
        let late = Rules { config: &identity, now: 2 * day };
        assert_eq!(links(&late.decide_on(&graph, &id("email:e"), &ids(&["cookie:new"]))), ids(&["cookie:new"]));
        let soon = Rules { config: &identity, now: day / 2 };
        assert!(links(&soon.decide_on(&graph, &id("email:e"), &ids(&["cookie:new"]))).is_empty());
    }
}
