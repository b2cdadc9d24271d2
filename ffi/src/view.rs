//! The agent's view, stats, and the clock: a manual clock's moves and an event clock's watermark.

use crate::error::guard;
use crate::handles::{JourneyEngine, live_engine};
use crate::status::JourneyStatus;
use crate::strings::{give_json, out_string, text};
use journey_core::paths::PathsRequest;
use journey_core::{JourneyQuery, SessionEventsQuery, parse_input, query_from_value};
use std::ffi::c_char;

/// A page of a customer's journey: `query_json` is `{"customer":{"id","idType"},"viewer":{…},"page"?:{…}}`.
///
/// `*page` receives `{"entities":[session cards],"nextCursor":…}`; free it with `journey_string_free`.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param query_json `{"customer","viewer","page"?}` as NUL-terminated JSON.
/// @param page Receives `{"entities","nextCursor"}`; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_PERMISSION_DENIED`, `JOURNEY_INVALID_ARGUMENT` (a bad query,
///         page size or cursor), `JOURNEY_INVALID_JSON`, `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `query_json` is a NUL-terminated string; `page` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_journey(
    engine: *const JourneyEngine,
    query_json: *const c_char,
    page: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(page, "page")?;
        let engine = live_engine(engine)?;
        let query: JourneyQuery = query_from_value(&parse_input(text(query_json, "query_json")?)?)?;
        give_json(slot, &engine.journey_query(&query)?);
        Ok(())
    })
}

/// A page of one session's events in time order: `query_json` is `{"sessionId","viewer","page"?}`.
///
/// `*page` receives `{"entities":[events],"nextCursor":…}`; free it with `journey_string_free`.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param query_json `{"sessionId","viewer","page"?}` as NUL-terminated JSON.
/// @param page Receives `{"entities","nextCursor"}`; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_NOT_FOUND` (unknown, or in a division the viewer lacks),
///         `JOURNEY_PERMISSION_DENIED`, `JOURNEY_INVALID_ARGUMENT`, `JOURNEY_INVALID_JSON`,
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// As for `journey_journey`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_session_events(
    engine: *const JourneyEngine,
    query_json: *const c_char,
    page: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(page, "page")?;
        let engine = live_engine(engine)?;
        let query: SessionEventsQuery = query_from_value(&parse_input(text(query_json, "query_json")?)?)?;
        give_json(slot, &engine.session_events_query(&query)?);
        Ok(())
    })
}

/// The engine's counters (SPEC §7) as JSON in `*stats`; free it with `journey_string_free`.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param stats Receives the counters as JSON; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `stats` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_stats(engine: *const JourneyEngine, stats: *mut *mut c_char) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(stats, "stats")?;
        give_json(slot, &live_engine(engine)?.stats());
        Ok(())
    })
}

/// Moves a manual clock forward by a duration such as `"46s"` or `"10m"`.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param duration A duration such as `"46s"` or `"10m"`.
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT` (not a manual clock, or a bad duration),
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `duration` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_advance(engine: *const JourneyEngine, duration: *const c_char) -> JourneyStatus {
    guard(|| unsafe { Ok(live_engine(engine)?.advance_by(text(duration, "duration")?)?) })
}

/// Sets a manual clock to an RFC 3339 time such as `"2026-11-21T10:00:00Z"`.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param timestamp An RFC 3339 time such as `"2026-11-21T10:00:00Z"`.
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT` (not a manual clock, or a bad time),
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `timestamp` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_set_now(engine: *const JourneyEngine, timestamp: *const c_char) -> JourneyStatus {
    guard(|| unsafe { Ok(live_engine(engine)?.set_now(text(timestamp, "timestamp")?)?) })
}

/// Moves an event clock to at least an RFC 3339 time: a partition's watermark, the largest event
/// time any partition accepted before its next event (docs/scale-out.md, "Order and the clock").
/// A time at or before the clock's does nothing. Journaled, so a durable partition recovers it.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param timestamp An RFC 3339 time such as `"2026-11-21T10:00:00Z"`.
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT` (not an event clock, or a bad time),
///         `JOURNEY_IO_ERROR` (a durable engine's store failed or is closed),
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `timestamp` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_observe_watermark(
    engine: *const JourneyEngine,
    timestamp: *const c_char,
) -> JourneyStatus {
    guard(|| unsafe { Ok(live_engine(engine)?.observe_watermark(text(timestamp, "timestamp")?)?) })
}

/// The paths sessions take (docs/paths.md): `request_json` is `{"query": {…}, "viewer": {…}}`.
///
/// `*result` receives `{"groups":[{"group","sessions","customers","steps":[…],"hidden"}]}`; free it
/// with `journey_string_free`.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param request_json `{"query","viewer"}` as NUL-terminated JSON.
/// @param result Receives the paths; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_PERMISSION_DENIED`, `JOURNEY_INVALID_ARGUMENT` (a query that does
///         not fit the catalog), `JOURNEY_INVALID_JSON`, `JOURNEY_NULL_ARGUMENT`,
///         `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// As for `journey_journey`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_paths(
    engine: *const JourneyEngine,
    request_json: *const c_char,
    result: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(result, "result")?;
        let engine = live_engine(engine)?;
        let request: PathsRequest = query_from_value(&parse_input(text(request_json, "request_json")?)?)?;
        give_json(slot, &engine.paths(&request.query, &request.viewer)?);
        Ok(())
    })
}
