//! Opaque handles: config, catalog and engine. Made by `_new`, released by `_free`; `_free(NULL)`
//! does nothing.

use crate::error::{Failure, guard};
use crate::status::JourneyStatus;
use crate::strings::{optional_text, text};
use journey_core::{Catalog, Config, Engine};
use std::ffi::c_char;
use std::sync::Arc;

/// Engine settings (SPEC §8). Opaque.
pub struct JourneyConfig(pub(crate) Config);

/// A validated catalog of session and event types (SPEC §1). Opaque.
pub struct JourneyCatalog(pub(crate) Catalog);

/// An engine. Opaque. Safe to use from many threads at once.
pub struct JourneyEngine(pub(crate) Arc<Engine>);

/// Borrows the engine behind a handle.
///
/// # Safety
/// `engine` is NULL or a live handle from `journey_engine_new`.
pub(crate) unsafe fn live_engine<'a>(engine: *const JourneyEngine) -> Result<&'a Arc<Engine>, Failure> {
    // SAFETY: the caller promises a live handle or NULL.
    unsafe { engine.as_ref() }.map(|e| &e.0).ok_or(Failure::Null("engine"))
}

/// Stores a new handle in `out`.
///
/// # Safety
/// `out` is NULL or writable.
pub(crate) unsafe fn give<T>(out: *mut *mut T, value: T) -> Result<(), Failure> {
    // SAFETY: the caller promises `out` is NULL or writable.
    let slot = unsafe { out.as_mut() }.ok_or(Failure::Null("out"))?;
    *slot = Box::into_raw(Box::new(value));
    Ok(())
}

/// Sets `*out` to NULL when `out` is not NULL, so that it is NULL whenever the call fails.
///
/// # Safety
/// `out` is NULL or writable.
pub(crate) unsafe fn clear<T>(out: *mut *mut T) {
    // SAFETY: the caller promises `out` is NULL or writable.
    if let Some(slot) = unsafe { out.as_mut() } {
        *slot = std::ptr::null_mut();
    }
}

/// Reads a config from JSON (SPEC §8); `config_json` may be NULL for the defaults.
///
/// On success `*out` is a new config: free it with `journey_config_free`.
///
/// @param config_json Settings as a NUL-terminated JSON object, or NULL for the defaults.
/// @param out Receives the config; free it with journey_config_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_CONFIG` (the bad key is in the error JSON's `"key"`),
///         `JOURNEY_NULL_ARGUMENT` (`out`), `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `config_json` is NULL or a NUL-terminated string; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_config_new(config_json: *const c_char, out: *mut *mut JourneyConfig) -> JourneyStatus {
    guard(|| unsafe {
        clear(out);
        let config = match optional_text(config_json, "config_json")? {
            Some(json) => Config::from_json(json)?,
            None => Config::default(),
        };
        give(out, JourneyConfig(config))
    })
}

/// Frees a config. NULL does nothing.
///
/// @param config A config from journey_config_new(), or NULL.
///
/// # Safety
/// `config` is NULL or a config from `journey_config_new` that is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_config_free(config: *mut JourneyConfig) {
    if !config.is_null() {
        // SAFETY: made by Box::into_raw in `give`, freed once.
        drop(unsafe { Box::from_raw(config) });
    }
}

/// Reads and validates a catalog (SPEC §1) against the limits of `config` (NULL: the defaults).
///
/// On success `*out` is a new catalog: free it with `journey_catalog_free`. The config is only
/// read; it stays yours.
///
/// @param catalog_json The catalog as NUL-terminated JSON.
/// @param config The config whose limits apply, or NULL for the defaults.
/// @param out Receives the catalog; free it with journey_catalog_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_CATALOG` or `JOURNEY_LIMIT_EXCEEDED` (every fault, with
///         its JSON pointer, is in the error JSON's `"violations"`), `JOURNEY_NULL_ARGUMENT`,
///         `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `catalog_json` is a NUL-terminated string; `config` is NULL or a live config; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_catalog_new(
    catalog_json: *const c_char,
    config: *const JourneyConfig,
    out: *mut *mut JourneyCatalog,
) -> JourneyStatus {
    guard(|| unsafe {
        clear(out);
        let json = text(catalog_json, "catalog_json")?;
        let default = Config::default();
        let limits = config.as_ref().map_or(&default, |c| &c.0);
        give(out, JourneyCatalog(Catalog::from_json_with_limits(json, limits)?))
    })
}

/// Frees a catalog. NULL does nothing.
///
/// @param catalog A catalog from journey_catalog_new(), or NULL.
///
/// # Safety
/// `catalog` is NULL or a catalog from `journey_catalog_new` that is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_catalog_free(catalog: *mut JourneyCatalog) {
    if !catalog.is_null() {
        // SAFETY: made by Box::into_raw in `give`, freed once.
        drop(unsafe { Box::from_raw(catalog) });
    }
}

/// Makes an engine over a copy of `catalog`, with `config` (NULL: the defaults).
///
/// On success `*out` is a new engine: free it with `journey_engine_free`. The catalog and config
/// are copied; they stay yours and may be freed at once.
///
/// @param catalog The catalog; the engine keeps its own copy.
/// @param config The settings, or NULL for the defaults; the engine keeps its own copy.
/// @param out Receives the engine; free it with journey_engine_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_LIMIT_EXCEEDED` (the catalog exceeds this config's limits),
///         `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// `catalog` is a live catalog; `config` is NULL or a live config; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_engine_new(
    catalog: *const JourneyCatalog,
    config: *const JourneyConfig,
    out: *mut *mut JourneyEngine,
) -> JourneyStatus {
    guard(|| unsafe {
        clear(out);
        let (catalog, config) = engine_settings(catalog, config)?;
        give(out, JourneyEngine(Arc::new(Engine::new(catalog, config)?)))
    })
}

/// Copies of the catalog and config (the defaults for NULL) an engine is made with.
///
/// # Safety
/// `catalog` is NULL or a live catalog; `config` is NULL or a live config.
unsafe fn engine_settings(
    catalog: *const JourneyCatalog,
    config: *const JourneyConfig,
) -> Result<(Catalog, Config), Failure> {
    // SAFETY: the caller promises live handles or NULL.
    let catalog = unsafe { catalog.as_ref() }.ok_or(Failure::Null("catalog"))?;
    let config = unsafe { config.as_ref() }.map_or_else(Config::default, |c| c.0.clone());
    Ok((catalog.0.clone(), config))
}

/// Opens the durable store in the directory `path`, creating it when it is empty or missing, or
/// recovering the state it holds (SPEC §11): the same engine as `journey_engine_new`, with every
/// change recorded in a journal. `config`'s `"store"` settings choose when the journal is fsynced.
///
/// On success `*out` is a new engine: close it with `journey_engine_close` (which writes a
/// snapshot), then free it with `journey_engine_free`. Freeing without closing loses nothing that
/// was acknowledged: the next open replays the journal.
///
/// @param path The store directory (UTF-8).
/// @param catalog The catalog: the stored one, or one that only adds to it.
/// @param config Settings, or NULL for the defaults.
/// @param out Receives the engine.
/// @return `JOURNEY_OK`, `JOURNEY_STORE_LOCKED` (another engine has it open),
///         `JOURNEY_CORRUPT_STORE` (the error JSON's `"file"` and `"offset"` say where),
///         `JOURNEY_INVALID_CATALOG` (the catalog differs from the stored one other than by
///         additions), `JOURNEY_IO_ERROR`, `JOURNEY_LIMIT_EXCEEDED`, `JOURNEY_NULL_ARGUMENT`,
///         `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `path` is a NUL-terminated string; `catalog` is a live catalog; `config` is NULL or a live
/// config; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_engine_open(
    path: *const c_char,
    catalog: *const JourneyCatalog,
    config: *const JourneyConfig,
    out: *mut *mut JourneyEngine,
) -> JourneyStatus {
    guard(|| unsafe {
        clear(out);
        let path = text(path, "path")?;
        let (catalog, config) = engine_settings(catalog, config)?;
        give(out, JourneyEngine(Arc::new(Engine::open(path, catalog, config)?)))
    })
}

/// Writes a snapshot and releases a durable engine's store, so that another engine may open it.
/// Reads still work afterwards; changes fail with `JOURNEY_IO_ERROR`. Closing twice, or closing an
/// in-memory engine, does nothing. The engine still needs `journey_engine_free`.
///
/// @param engine A live engine.
/// @return `JOURNEY_OK`, `JOURNEY_IO_ERROR`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe; waits for calls that are changing state.
///
/// # Safety
/// `engine` is NULL or a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_engine_close(engine: *const JourneyEngine) -> JourneyStatus {
    guard(|| unsafe {
        live_engine(engine)?.close()?;
        Ok(())
    })
}

/// Writes a snapshot of a durable engine now and drops the journal before it (the engine also
/// does this by itself every `store.snapshotEvery` journal bytes). Does nothing in memory.
///
/// @param engine A live engine.
/// @return `JOURNEY_OK`, `JOURNEY_IO_ERROR`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe; changes wait while the snapshot is written.
///
/// # Safety
/// `engine` is NULL or a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_engine_snapshot(engine: *const JourneyEngine) -> JourneyStatus {
    guard(|| unsafe {
        live_engine(engine)?.snapshot()?;
        Ok(())
    })
}

/// Frees an engine and everything in it. NULL does nothing.
///
/// Every other call on this engine, including a blocked `journey_next_events`, must have returned:
/// end the agent sessions first to wake their pollers.
///
/// @param engine An engine, or NULL.
///
/// # Safety
/// `engine` is NULL or an engine from `journey_engine_new` that no thread uses any more.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_engine_free(engine: *mut JourneyEngine) {
    if !engine.is_null() {
        // SAFETY: made by Box::into_raw in `give`, freed once, no longer in use.
        drop(unsafe { Box::from_raw(engine) });
    }
}
