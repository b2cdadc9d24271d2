//! Identifiers that leave the graph whole: a cookie not seen for `cookieTtl` (docs/identity.md,
//! "Cookies that are not seen").

use super::Graph;
use crate::base::shard::FastHasher;
use crate::state::identity::Identifier;
use crate::state::identity::rules::Rules;
use std::collections::HashSet;

impl Graph {
    /// The cookies the graph holds, with the engine time of the latest ask that named each.
    pub fn cookies_last_asked(&self) -> Vec<(Identifier, i64)> {
        let cookies =
            self.asks_of.iter().filter(|(identifier, _)| identifier.id_type == crate::model::event::IdType::Cookie);
        cookies
            .map(|(cookie, orders)| {
                let last = orders.iter().filter_map(|order| self.asks.get(order)).map(|ask| ask.at).max();
                (cookie.clone(), last.unwrap_or(i64::MIN))
            })
            .collect()
    }

    /// Takes `identifiers` out of every ask (an ask whose customer leaves goes whole), then decides
    /// the asks around them again, as an undo does: the identifiers leave their profiles, and
    /// what a limit refused because of them may link now. Afterwards no ask, link, first-seen time
    /// or profile holds one of them. Cookies past `cookieTtl` and erased people leave this way.
    pub fn forget<'r>(&mut self, forgotten: &[Identifier], rules_at: impl Fn(i64) -> Rules<'r>) {
        if forgotten.is_empty() {
            return;
        }
        let identifiers: HashSet<&Identifier, FastHasher> = forgotten.iter().collect();
        let mut orders: Vec<u64> =
            forgotten.iter().flat_map(|i| self.asks_of.get(i).into_iter().flatten()).copied().collect();
        orders.sort_unstable();
        orders.dedup();
        let mut start: Vec<Identifier> = forgotten.to_vec();
        for order in orders {
            let Some(ask) = self.asks.get_mut(&order) else { continue };
            start.extend(ask.named().cloned());
            if identifiers.contains(&ask.customer) {
                ask.asked.clear();
                ask.linked.clear();
                continue;
            }
            for place in (0..ask.asked.len()).rev() {
                if identifiers.contains(&ask.asked[place]) {
                    ask.asked.remove(place);
                    ask.linked.remove(place);
                }
            }
        }
        self.decide_again(start, rules_at);
    }
}
