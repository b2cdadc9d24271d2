//! Ingest (SPEC §2.3): one event, a JSON array, or NDJSON. A rejected event is an outcome with
//! `JOURNEY_OK`, not a failed call.

use crate::error::guard;
use crate::handles::{JourneyEngine, live_engine};
use crate::status::JourneyStatus;
use crate::strings::{bytes, give_json_text, out_string};
use std::ffi::c_char;

/// Ingests one event given as `len` bytes of JSON (need not be NUL-terminated).
///
/// `*outcome` receives the outcome JSON: `{"status":"accepted",…}`, `{"status":"duplicate",…}` or
/// `{"status":"rejected","violations":[…]}`. Free it with `journey_string_free`. Bytes that are not
/// JSON, or not UTF-8, are a rejected outcome (`INVALID_JSON`), not a failed call.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param data The event's bytes (JSON; need not be NUL-terminated).
/// @param len The number of bytes at `data`.
/// @param outcome Receives the outcome as JSON; free it with journey_string_free().
///
/// @return `JOURNEY_OK` (whatever the outcome), `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe: threads ingesting different customers run in parallel.
///
/// # Safety
/// `engine` is a live engine; `data` points to `len` bytes (or is NULL with `len` 0); `outcome` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_ingest_json(
    engine: *const JourneyEngine,
    data: *const c_char,
    len: usize,
    outcome: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(outcome, "outcome")?;
        let engine = live_engine(engine)?;
        give_json_text(slot, engine.ingest_json(bytes(data, len, "data")?)?.to_json_string());
        Ok(())
    })
}

/// Ingests a JSON array of events: one outcome per element, in order, plus totals.
///
/// `*batch` receives `{"outcomes":[…],"accepted":n,"duplicates":n,"rejected":n}`; free it with
/// `journey_string_free`. A bad element is a rejected outcome; only bytes that are not a JSON array
/// fail the call.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param data A JSON array of events (need not be NUL-terminated).
/// @param len The number of bytes at `data`.
/// @param batch Receives `{"accepted","duplicates","rejected","outcomes"}`; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_JSON`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// As for `journey_ingest_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_ingest_batch_json(
    engine: *const JourneyEngine,
    data: *const c_char,
    len: usize,
    batch: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(batch, "batch")?;
        let engine = live_engine(engine)?;
        give_json_text(slot, engine.ingest_batch_json(bytes(data, len, "data")?)?.to_json_string());
        Ok(())
    })
}

/// Ingests NDJSON: one event per line, one outcome per non-blank line, in order, plus totals.
///
/// `*batch` receives the same form as `journey_ingest_batch_json`; free it with
/// `journey_string_free`. A bad line is a rejected outcome and never fails the call.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param data One event per line (need not be NUL-terminated).
/// @param len The number of bytes at `data`.
/// @param batch Receives `{"accepted","duplicates","rejected","outcomes"}`; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// As for `journey_ingest_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_ingest_ndjson(
    engine: *const JourneyEngine,
    data: *const c_char,
    len: usize,
    batch: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(batch, "batch")?;
        let engine = live_engine(engine)?;
        give_json_text(slot, engine.ingest_ndjson(bytes(data, len, "data")?)?.to_json_string());
        Ok(())
    })
}
