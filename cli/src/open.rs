//! How every subcommand gets its engine: `--catalog`, `--config` and `--store`.

use anyhow::{Context, Result};
use journey_core::{Catalog, Config, Engine, IngestFileOptions};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The arguments that make an engine, shared by every subcommand.
#[derive(clap::Args)]
pub struct EngineArgs {
    /// The catalog of session and event types (JSON, SPEC §1).
    #[arg(long, value_name = "FILE")]
    pub catalog: PathBuf,
    /// The engine's config (JSON, SPEC §8); the documented defaults when absent.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A durable store (SPEC §11): opened when it exists, created when it does not. Without it the
    /// engine lives in memory and is gone when the command ends.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

impl EngineArgs {
    /// The engine these arguments describe: durable when `--store` is given.
    pub fn open(&self) -> Result<Engine> {
        self.open_with(|_, _| {})
    }

    /// The engine these arguments describe, after `defaults` adjusted its config. `defaults` gets
    /// the config and the keys the `--config` file set (an empty map without one), so that a
    /// command's own defaults (`journey replay`'s event clock) never override what the user chose.
    pub fn open_with(&self, defaults: impl FnOnce(&mut Config, &Map<String, Value>)) -> Result<Engine> {
        let catalog = Catalog::from_json(&read(&self.catalog)?)
            .with_context(|| format!("{}: not a valid catalog", self.catalog.display()))?;
        let (mut config, chosen) = match &self.config {
            Some(path) => {
                let text = read(path)?;
                let config =
                    Config::from_json(&text).with_context(|| format!("{}: not a valid config", path.display()))?;
                // A valid config is a JSON object, so this parse succeeds; its keys are what was chosen.
                let chosen = match serde_json::from_str(&text) {
                    Ok(Value::Object(map)) => map,
                    _ => Map::new(),
                };
                (config, chosen)
            }
            None => (Config::default(), Map::new()),
        };
        defaults(&mut config, &chosen);
        match &self.store {
            Some(dir) => {
                Engine::open(dir, catalog, config).with_context(|| format!("{}: cannot open the store", dir.display()))
            }
            None => Ok(Engine::new(catalog, config)?),
        }
    }
}

/// The text of a small input file (a catalog, a config, a viewer), naming it when it cannot be read.
pub fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Ingests a file, saying on standard error how many lines were rejected (`journey replay` says why).
pub fn ingest_quietly(engine: &Engine, path: &std::path::Path) -> Result<()> {
    let summary = engine.ingest_file(path, &IngestFileOptions::default(), None, None)?;
    if summary.rejected > 0 {
        eprintln!(
            "{}: {} of {} lines rejected (journey replay lists why)",
            path.display(),
            summary.rejected,
            summary.lines
        );
    }
    Ok(())
}

/// The viewer in `path` (`{"permissions": [...], "divisions": [...]}`, SPEC §4), or, without one,
/// every permission in every division: whoever runs the tool on the data owns it.
pub fn viewer(path: Option<&Path>) -> Result<journey_core::Viewer> {
    match path {
        Some(path) => serde_json::from_str(&read(path)?).with_context(|| {
            format!("{}: not a viewer ({{\"permissions\": [...], \"divisions\": [...]}})", path.display())
        }),
        None => Ok(journey_core::Viewer::unrestricted()),
    }
}

/// `email:dana@example.com` as a customer (`--customer`).
pub fn parse_customer(text: &str) -> Result<journey_core::Customer> {
    let Some((id_type, id)) = text.split_once(':') else {
        anyhow::bail!("--customer {text:?}: expected idType:id, for example email:dana@example.com");
    };
    let Some(id_type) = journey_core::IdType::parse(id_type) else {
        anyhow::bail!("--customer {text:?}: unknown id type {id_type:?}");
    };
    Ok(journey_core::Customer::new(id, id_type))
}
