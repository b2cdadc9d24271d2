//! Orchestration state (docs/orchestration.md): the definitions an engine holds. Evaluation and the
//! per-session and per-customer state it keeps come next.

mod definitions;

pub use definitions::{Definitions, Limits};
