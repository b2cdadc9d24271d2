//! Identity (docs/identity.md): links between a person's identifiers, and the profiles they make.
//!
//! A customer is one identifier, `(idType, id)`. Events and hosts *ask* for links; the rules decide
//! which are made. A profile is a connected component of the links, and its id is its oldest
//! identifier. Asks are what is kept: links and profiles are derived from them, and an undo decides
//! the asks around the undone one again, so that the state equals an engine's that never saw it.

mod ask;
mod components;
mod graph;
mod link;
mod names;
mod rules;

pub use ask::Ask;
pub(crate) use graph::{AskInput, Graph};
pub(crate) use link::LinkKey;
pub use link::Origin;
pub(crate) use rules::Rules;

use crate::model::event::Customer;
use std::cmp::Ordering;

/// An identifier of a person: a customer, `(idType, id)`.
pub type Identifier = Customer;

/// The canonical text of an identifier, `idType:id`: how ties between identifiers are broken.
pub fn canonical(identifier: &Identifier) -> String {
    format!("{}:{}", identifier.id_type.as_str(), identifier.id)
}

/// Orders identifiers by their canonical text without writing it out.
pub(crate) fn canonical_cmp(a: &Identifier, b: &Identifier) -> Ordering {
    a.id_type.as_str().cmp(b.id_type.as_str()).then_with(|| a.id.cmp(&b.id))
}
