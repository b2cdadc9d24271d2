//! Ingest (SPEC §2.3): one event, a JSON array, or NDJSON. A rejected event is an outcome with
//! `JOURNEY_OK`, not a failed call.

use crate::cancel::JourneyCancel;
use crate::error::{Failure, guard};
use crate::handles::{JourneyEngine, live_engine};
use crate::status::JourneyStatus;
use crate::strings::{bytes, give_json, give_json_text, optional_text, out_string, text};
use journey_core::{Batch, IngestFileOptions, Interrupt, Outcomes, Progress, parse_input, query_from_value};
use std::ffi::{CString, c_char, c_int, c_void};

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

/// Ingests NDJSON as `journey_ingest_ndjson` does, without building an outcome per event: for
/// bulk loads, where only the totals and the rejections matter.
///
/// `*summary` receives `{"lines","accepted","duplicates","rejected","rejections":[{"line",
/// "outcome"}],"rejectionsTruncated"}`, the form of `journey_ingest_file`, where `lines` counts the
/// non-blank lines and each `line` is a line number (blank lines counted). Free it with
/// `journey_string_free`.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param data One event per line (need not be NUL-terminated).
/// @param len The number of bytes at `data`.
/// @param keep_rejections true to list every rejection; false for the totals alone.
/// @param summary Receives the summary as JSON; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// As for `journey_ingest_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_ingest_ndjson_summary(
    engine: *const JourneyEngine,
    data: *const c_char,
    len: usize,
    keep_rejections: bool,
    summary: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(summary, "summary")?;
        let engine = live_engine(engine)?;
        let outcomes = if keep_rejections { Outcomes::Rejected } else { Outcomes::None };
        let result = engine.ingest_batch(Batch::Ndjson(bytes(data, len, "data")?), outcomes, None)?;
        give_json_text(slot, result.to_json_string());
        Ok(())
    })
}

/// A progress callback for `journey_ingest_file`: called with the progress as JSON
/// (`{"bytesRead","totalBytes","lines","accepted","duplicates","rejected"}`, valid only during the
/// call) and your `user_data`, on the ingesting thread, at most every 100 ms and once at the end.
/// Return 0 to go on; any other value stops the ingest (`JOURNEY_CANCELLED`).
pub type JourneyProgressCallback =
    Option<unsafe extern "C" fn(progress_json: *const c_char, user_data: *mut c_void) -> c_int>;

/// Ingests an NDJSON file, streaming it with memory bounded by `maxEventBytes`; a gzip file
/// (recognised by its first bytes) is decompressed as it is read. The whole file is one ingest
/// call: under `store.sync = "batch"` it is fsynced once, at the end.
///
/// `*summary` receives `{"lines","accepted","duplicates","rejected","rejections":[{"line",
/// "outcome"}],"rejectionsTruncated"}` (the first `keptRejections` rejections); free it with
/// `journey_string_free`. A stopped or failed ingest keeps every line before the stop.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param path The file's path, NUL-terminated.
/// @param options_json `{"keptRejections": n}` (default 1000), or NULL for the defaults.
/// @param progress Told how far the ingest has got, or NULL; a non-zero return stops it.
/// @param user_data Passed back to `progress` untouched.
/// @param cancel NULL, or a token from journey_cancel_new() that another thread may cancel; the
///               ingest stops before the next line.
/// @param summary Receives the summary as JSON; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_CANCELLED` (by `cancel` or `progress`), `JOURNEY_IO_ERROR`
///         (the file cannot be opened or read; the message names it), `JOURNEY_INVALID_ARGUMENT`
///         (bad options), `JOURNEY_INVALID_JSON`, `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `path` is NUL-terminated; `options_json` is NULL or NUL-terminated;
/// `progress` is NULL or a valid function; `cancel` is NULL or a live token; `summary` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_ingest_file(
    engine: *const JourneyEngine,
    path: *const c_char,
    options_json: *const c_char,
    progress: JourneyProgressCallback,
    user_data: *mut c_void,
    cancel: *const JourneyCancel,
    summary: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(summary, "summary")?;
        let engine = live_engine(engine)?;
        let path = std::path::Path::new(text(path, "path")?);
        let options: IngestFileOptions = match optional_text(options_json, "options_json")? {
            Some(json) => query_from_value(&parse_input(json)?)?,
            None => IngestFileOptions::default(),
        };
        let cancel = cancel.as_ref();
        let interrupt = cancel.map(|cancel| Interrupt::each_time(move || cancel.is_cancelled()));
        let mut report = |p: &Progress| tell(progress, user_data, p);
        let report: Option<&mut journey_core::ProgressFn<'_>> = match progress {
            Some(_) => Some(&mut report),
            None => None,
        };
        let result = engine.ingest_file(path, &options, report, interrupt);
        match result {
            Err(error) if error.code() == "INTERRUPTED" => {
                Err(Failure::Cancelled("the ingest was stopped; the lines before the stop are ingested"))
            }
            other => {
                give_json(slot, &other?);
                Ok(())
            }
        }
    })
}

/// Calls a C progress callback: `true` to go on.
fn tell(progress: JourneyProgressCallback, user_data: *mut c_void, p: &Progress) -> bool {
    let Some(callback) = progress else { return true };
    let json = CString::new(serde_json::to_string(p).unwrap_or_default()).unwrap_or_default();
    // SAFETY: a valid NUL-terminated string that outlives the call, and the caller's pointers.
    unsafe { callback(json.as_ptr(), user_data) == 0 }
}
