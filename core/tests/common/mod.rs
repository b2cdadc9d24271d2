//! The Rust API as a [`journey_vectors::Target`]: every op of SPEC §10 through [`Engine::call`].
#![allow(dead_code)] // each test file uses only part of these helpers

pub mod identity_stream;
pub mod orchestration;
pub mod people;
pub mod tmpfs;

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

/// A durable engine in a directory of its own, driven through the one dispatcher; `reopen` closes
/// it and opens the store again, as a restarted host would.
pub struct DurableApi {
    dir: TempDir,
    catalog: Catalog,
    config: Config,
    engine: Option<Engine>,
}

impl DurableApi {
    /// The engine (open).
    pub fn engine(&self) -> &Engine {
        self.engine.as_ref().expect("the engine is open")
    }
}

impl journey_vectors::Target for DurableApi {
    fn new(catalog: &Value, config: &Value) -> Result<Self, String> {
        let config = Config::from_value(config).map_err(|e| format!("config: {e}"))?;
        let catalog = Catalog::from_value_with_limits(catalog, &config).map_err(|e| format!("catalog: {e}"))?;
        let dir = temp_dir("vector");
        let engine = Engine::open(&dir, catalog.clone(), config.clone()).map_err(|e| format!("open: {e}"))?;
        Ok(DurableApi { dir, catalog, config, engine: Some(engine) })
    }

    fn call(&mut self, op: &str, input: &Value) -> Result<Value, Value> {
        Command::new(op, input.clone()).and_then(|command| self.engine().call(&command)).map_err(|e| e.to_json())
    }

    fn reopen(&mut self) -> Result<(), String> {
        let engine = self.engine.take().expect("the engine is open");
        engine.close().map_err(|e| format!("close: {e}"))?;
        drop(engine);
        let engine = Engine::open(&self.dir, self.catalog.clone(), self.config.clone()).map_err(|e| e.to_string())?;
        self.engine = Some(engine);
        Ok(())
    }
}

impl Drop for DurableApi {
    fn drop(&mut self) {
        // The engine first: its directory goes with `dir`, after this.
        drop(self.engine.take());
    }
}

/// A new, empty directory under the system's temporary directory, removed with everything in it
/// when dropped (a test that fails leaves it behind, to be looked at).
pub fn temp_dir(purpose: &str) -> TempDir {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("journey-{purpose}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    TempDir(dir)
}

/// A directory of [`temp_dir`]'s: a path that removes its directory when dropped, unless the
/// thread is panicking.
#[derive(Debug)]
pub struct TempDir(std::path::PathBuf);

impl std::ops::Deref for TempDir {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for TempDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
