//! Identity (docs/identity.md): links between a person's identifiers, and the profiles they make.
//!
//! A customer is one identifier, `(idType, id)`. Links join identifiers; a profile is a connected
//! component of the links, and its id is its oldest identifier. Only links are stored: profiles are
//! derived from them, so undoing a link leaves exactly the state an engine that never saw it has.

mod graph;
mod link;
mod rules;

pub(crate) use graph::Graph;
pub(crate) use link::{Link, LinkKey};
pub use link::{Origin, Source};
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
