//! Orchestration definitions (docs/orchestration.md): segments, outcomes and action maps in the
//! JSON forms of the Genesys journey API, read and checked. Nothing here evaluates them: this is
//! what a host hands the engine, checked before anything changes.
//!
//! Every field of a definition is in one of three classes (docs/orchestration.md, "Loading
//! Genesys JSON"): evaluated, kept (descriptive or presentation fields, stored and returned as
//! given), or refused unless empty (a field that would change whether a rule fires and that
//! libjourney does not evaluate). Any other key is refused. Every refusal is `INVALID_ARGUMENT`
//! naming the field by JSON pointer.

mod action_map;
mod against_catalog;
mod criterion;
mod pattern;
mod read;
mod segment;

pub use action_map::{ActionMap, ActionMediaType, ActivationType};
pub use against_catalog::{check_action_map, check_outcome, check_segment};
pub use criterion::{Criterion, CriterionKey, Operator};
pub use pattern::{JourneyPattern, StreamType};
pub use read::read_definition;
pub use segment::{Outcome, Scope, Segment, ValueType};

#[cfg(test)]
mod tests;
