//! Orchestration state (docs/orchestration.md): the definitions an engine holds and their compiled
//! form ([`Rules`]). Evaluation and the per-session and per-customer state it keeps come next.

mod definitions;
mod rules;

pub use definitions::{Definitions, Limits};
pub(crate) use rules::{Compiled, Rules};
