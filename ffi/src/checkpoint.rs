//! Checkpoints: a host's own value (a stream consumer's offsets) recorded in order with the
//! engine's changes, and read back after a restart (docs/durability.md, "Recovering to a
//! checkpoint").

use crate::error::guard;
use crate::handles::{JourneyEngine, live_engine};
use crate::status::JourneyStatus;
use crate::strings::{give_json, out_string, text};
use journey_core::parse_input;
use serde_json::Value;
use std::ffi::c_char;

/// Records `value_json` (any JSON, at most 64 KiB: a consumer's offsets) as the engine's
/// checkpoint, covering everything done before this call. A durable engine journals it; a store
/// opened with `"store":{"recoverTo":"checkpoint"}` recovers to the last one and drops what came
/// after it.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param value_json The value as NUL-terminated JSON, for example `{"offset":41}`.
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT` (over 64 KiB), `JOURNEY_INVALID_JSON`,
///         `JOURNEY_IO_ERROR` (the store failed or is closed), `JOURNEY_NULL_ARGUMENT`,
///         `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `value_json` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_checkpoint(engine: *const JourneyEngine, value_json: *const c_char) -> JourneyStatus {
    guard(|| unsafe {
        let engine = live_engine(engine)?;
        Ok(engine.checkpoint(&parse_input(text(value_json, "value_json")?)?)?)
    })
}

/// The value of the last `journey_checkpoint` as JSON in `*checkpoint` (`null` when there was
/// none); free it with `journey_string_free`. A reopened store gives the value it recovered.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param checkpoint Receives the value as JSON, or `null`; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `checkpoint` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_last_checkpoint(
    engine: *const JourneyEngine,
    checkpoint: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(checkpoint, "checkpoint")?;
        give_json(slot, &live_engine(engine)?.last_checkpoint().unwrap_or(Value::Null));
        Ok(())
    })
}
