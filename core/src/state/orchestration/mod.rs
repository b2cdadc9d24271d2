//! Orchestration state (docs/orchestration.md): the definitions an engine holds, compiled into an
//! index ([`Rules`]); what evaluation remembers per customer and per session ([`CustomerState`]);
//! and evaluation itself ([`evaluate()`]), a pure function of the two and one event.

mod activation;
mod counts;
mod customer;
mod definitions;
mod entries;
mod evaluate;
mod matching;
mod rules;
mod sessions;
mod table;
mod verdict;

pub(crate) use activation::fire_due;
pub(crate) use counts::CountKey;
pub(crate) use customer::{Achievement, Assignment, CustomerState, SessionState, Verdict};
pub use definitions::{Definitions, Limits};
pub(crate) use entries::{Counted, EventSide, Owner};
pub(crate) use evaluate::{Decisions, Event, evaluate, may_act, url_conditions_hold};
pub(crate) use matching::{Facts, Scalar};
pub(crate) use rules::{Compiled, Rules};
pub(crate) use verdict::{Firing, Surroundings};

#[cfg(test)]
mod tests;
