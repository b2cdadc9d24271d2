//! The Rust API as a [`journey_vectors::Target`]: every op of SPEC §10 through [`Engine::call`].

use journey_core::{Catalog, Command, Config, Engine};
use serde_json::Value;
use std::path::Path;

/// The repository root, where `tests/vectors/` is.
pub fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// An in-memory engine, driven through the one dispatcher.
pub struct RustApi {
    engine: Engine,
}

impl journey_vectors::Target for RustApi {
    fn new(catalog: &Value, config: &Value) -> Result<Self, String> {
        let config = Config::from_value(config).map_err(|e| format!("config: {e}"))?;
        let catalog = Catalog::from_value_with_limits(catalog, &config).map_err(|e| format!("catalog: {e}"))?;
        let engine = Engine::new(catalog, config).map_err(|e| format!("engine: {e}"))?;
        Ok(RustApi { engine })
    }

    fn call(&mut self, op: &str, input: &Value) -> Result<Value, Value> {
        Command::new(op, input.clone()).and_then(|command| self.engine.call(&command)).map_err(|e| e.to_json())
    }
}
