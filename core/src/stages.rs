//! The stateless ingest stages one at a time, so that `make bench` can print what each costs per
//! event (docs/performance.md). Behind the `stages` feature: this is a measuring tool, not an API,
//! and it may change with the pipeline.
//!
//! Each function runs the stages up to and including the one it names, on one event's JSON text,
//! exactly as [`Engine::ingest_json`] runs them, and stores nothing. The cost of a stage is the
//! difference between two of them; the store's share is [`Engine::ingest_json`] minus
//! [`validated`].

use crate::base::json::Json;
use crate::engine::Engine;
use crate::engine::ingest::{Input, Prepared};

/// Stage 1a: the parse into the borrowed tree. True when the text is JSON.
pub fn parsed(bytes: &[u8]) -> bool {
    Json::parse(bytes).is_ok()
}

/// Stages 1a and 1b: the size check, the parse, and the identity (the id and the keyed content
/// digest). True when the event could be read.
pub fn identified(engine: &Engine, bytes: &[u8]) -> bool {
    engine.parse(Input::Text(bytes)).is_read()
}

/// Stages 1a to 1c: as [`identified`], then every check against the catalog and the config (all of
/// SPEC §3's checks but the ones against `now`). True when no violation was found.
pub fn validated(engine: &Engine, bytes: &[u8]) -> bool {
    let parsed = engine.parse(Input::Text(bytes));
    match engine.prepare(&parsed, None) {
        Prepared::Refused(_) => false,
        Prepared::Read { inspection, .. } => inspection.passed(),
    }
}
