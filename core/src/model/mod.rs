//! What the engine is told (docs/architecture.md): the catalog of session and event types, the
//! validation of events against it, the parsed event, the config and the outcomes. Checked without
//! any state.

pub mod catalog;
pub mod config;
pub mod event;
pub mod identity;
pub mod input;
pub mod kind;
pub mod orchestration;
pub mod outcome;
pub(crate) mod validate;
