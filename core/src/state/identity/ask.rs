//! An ask: one request to link identifiers to a customer, as an event or a host made it, with
//! what the rules decided.
//!
//! Asks, not links, are what identity keeps: a link exists while an ask that linked it is left,
//! and an undo decides the asks around it again, in their order, as if the undone one had never
//! been made (docs/identity.md, "Undo").

use super::Identifier;
use super::link::Origin;
use serde::{Deserialize, Serialize};

/// One request to link `asked` to `customer`, and which of them the rules linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ask {
    /// Its place among every ask the engine took: the order asks are decided again in.
    pub order: u64,
    /// What made it.
    pub origin: Origin,
    /// The identifier the others are linked to (an event's `customer`, `link`'s `from`).
    pub customer: Identifier,
    /// The identifiers asked for, without the customer, repeats and blocked values.
    pub asked: Vec<Identifier>,
    /// For each of `asked`, whether the rules linked it (false: a limit refused it).
    pub linked: Vec<bool>,
    /// The engine's time when it was asked (ms since the epoch): when its identifiers were seen,
    /// and where limits' windows end when it is decided again.
    pub at: i64,
    /// The division of the event that asked (`None` for a host's link without one, or an event
    /// without one): a viewer follows the link only when it may see one of its asks' divisions.
    pub division: Option<String>,
}

impl Ask {
    /// Whether it is one this engine could have made: a decision for each identifier asked, none
    /// of them the customer, none twice. Asks read from a snapshot or a slice are checked, so that a
    /// damaged one is refused where it is read rather than met by an undo.
    pub fn is_well_formed(&self) -> bool {
        let distinct = self.asked.iter().enumerate().all(|(i, a)| !self.asked[..i].contains(a));
        self.asked.len() == self.linked.len()
            && !self.asked.is_empty()
            && !self.asked.contains(&self.customer)
            && distinct
    }

    /// Every identifier it names: the customer and each asked identifier.
    pub fn named(&self) -> impl Iterator<Item = &Identifier> {
        std::iter::once(&self.customer).chain(&self.asked)
    }
}
