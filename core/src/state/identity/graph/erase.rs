//! What erasure (docs/identity.md, "Erasure") reads of the graph. Taking a person out is
//! [`Graph::forget`] (`forget.rs`), as for a cookie past `cookieTtl`: the person's identifiers
//! leave every ask (the asks they made go whole), and the rest of the part of the graph those asks
//! touched is decided again, as an undo does, so that what remains is what an engine would hold
//! that never saw the person, and whose other events had not named them.

use super::Graph;
use crate::state::identity::Identifier;

impl Graph {
    /// Whether any ask names `identifier`.
    pub fn names(&self, identifier: &Identifier) -> bool {
        let Some(id) = self.names.get(identifier) else { return false };
        self.nodes[id.index()].asks.iter().any(|order| self.asks.contains_key(order))
    }

    /// Every identifier an ask names, each once, in no particular order.
    pub fn identifiers(&self) -> impl Iterator<Item = &Identifier> {
        self.names.iter().map(|(_, identifier)| identifier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Config;
    use crate::model::event::{Customer, IdType};
    use crate::state::identity::{Ask, AskInput, Origin, Rules};
    use uuid::Uuid;

    fn id(text: &str) -> Identifier {
        let (kind, value) = text.split_once(':').unwrap();
        Customer::new(value, IdType::parse(kind).unwrap())
    }

    /// The person {email:a, cookie:k, phone:z}; email:b, whose event also carried the person's
    /// cookie (refused by the e-mail limit) and its own phone:q.
    #[test]
    fn a_person_leaves_every_ask_and_the_others_keep_their_links() {
        let config = Config::from_json(r#"{"identity":{"limits":{"email":1}}}"#).unwrap().identity;
        let mut graph = Graph::default();
        let mut ask = |n: u128, customer: &str, asked: &[&str], at: i64| {
            let identifiers: Vec<Identifier> = asked.iter().map(|a| id(a)).collect();
            let input = AskInput {
                origin: Origin::Event(Uuid::from_u128(n)),
                customer: &id(customer),
                identifiers: &identifiers,
                division: None,
            };
            graph.ask(&Rules { config: &config, now: at }, input).warnings.len()
        };
        assert_eq!(ask(1, "email:a", &["cookie:k"], 10), 0);
        assert_eq!(ask(2, "email:b", &["cookie:k", "phone:q"], 20), 1, "the cookie would join two e-mails");
        assert_eq!(ask(3, "phone:z", &["email:a"], 30), 0);
        let person = graph.profile_of(&id("cookie:k")).unwrap().members;
        assert_eq!(person, [id("cookie:k"), id("email:a"), id("phone:z")]);
        graph.forget(&person, |at| Rules { config: &config, now: at });
        for member in &person {
            assert!(!graph.names(member) && graph.profile_of(member).is_none(), "{member:?} is still held");
        }
        assert!(graph.identifiers().all(|identifier| !person.contains(identifier)));
        assert_eq!(graph.profile_of(&id("phone:q")).unwrap().members, [id("email:b"), id("phone:q")]);
        let asks: Vec<Ask> = graph.asks().collect();
        assert_eq!(asks.len(), 1, "the person's own asks are gone");
        assert_eq!((asks[0].asked.as_slice(), asks[0].linked.as_slice()), (&[id("phone:q")][..], &[true][..]));
        assert_eq!(graph.unlink_event(&Uuid::from_u128(2), |at| Rules { config: &config, now: at }), Some(1));
        assert_eq!(graph.unlink_event(&Uuid::from_u128(1), |at| Rules { config: &config, now: at }), None);
    }
}
