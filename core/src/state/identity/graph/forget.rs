//! Identifiers that leave the graph whole: a cookie not seen for `cookieTtl` (docs/identity.md,
//! "Cookies that are not seen").

use super::Graph;
use crate::base::shard::FastHasher;
use crate::model::event::IdType;
use crate::state::identity::Identifier;
use crate::state::identity::names::Id;
use crate::state::identity::rules::Rules;
use std::collections::HashSet;

impl Graph {
    /// The cookies the graph holds, with the engine time of the latest ask that named each.
    pub fn cookies_last_asked(&self) -> Vec<(Identifier, i64)> {
        let cookies = self.names.iter().filter(|(_, identifier)| identifier.id_type == IdType::Cookie);
        cookies
            .map(|(id, cookie)| {
                let orders = &self.nodes[id.index()].asks;
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
        let ids: HashSet<Id, FastHasher> = forgotten.iter().filter_map(|i| self.names.get(i)).collect();
        let mut orders: Vec<u64> = ids.iter().flat_map(|id| &self.nodes[id.index()].asks).copied().collect();
        orders.sort_unstable();
        orders.dedup();
        let mut start: Vec<Id> = ids.iter().copied().collect();
        for order in orders {
            let Some(held) = self.asks.get_mut(&order) else { continue };
            start.extend(held.named());
            if ids.contains(&held.customer) {
                held.asked.clear();
            } else {
                held.asked.retain(|(id, _)| !ids.contains(id));
            }
        }
        self.decide_again(start, rules_at);
    }
}
