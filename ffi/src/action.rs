//! Web action events and subscriptions (SPEC §6), with C function pointers as callbacks.

use crate::error::{Failure, guard};
use crate::handles::{JourneyEngine, live_engine};
use crate::status::JourneyStatus;
use crate::strings::{give_json, out_string, text};
use journey_core::{Notification, parse_input};
use std::ffi::{CString, c_char, c_int, c_void};
use std::sync::Arc;

/// A subscriber: called with the action event (or, for a `trigger:` pattern, the action map's
/// firing: `{"actionMapId","version","sessionId","customer","eventId","firedDate"}`) as JSON, valid
/// only during the call, and your `user_data`. Return 0 for success; any other value counts as a
/// callback failure in the stats.
///
/// It runs on the thread that recorded the event (or ingested the event that fired the map),
/// after the change is stored, with no lock held: it may call back into libjourney (record,
/// subscribe, unsubscribe) on the same engine.
pub type JourneyActionCallback =
    Option<unsafe extern "C" fn(event_json: *const c_char, user_data: *mut c_void) -> c_int>;

/// A C callback and its `user_data`.
struct CSubscriber {
    callback: unsafe extern "C" fn(*const c_char, *mut c_void) -> c_int,
    user_data: *mut c_void,
}

// SAFETY: the header tells the caller that the callback may run on any thread that records an
// event, with its user_data; making that safe is the caller's side of the contract.
unsafe impl Send for CSubscriber {}
unsafe impl Sync for CSubscriber {}

impl CSubscriber {
    fn call(&self, event: &Notification) -> Result<(), String> {
        let json = serde_json::to_string(event).map_err(|e| e.to_string())?;
        let json = CString::new(json).map_err(|e| e.to_string())?;
        // SAFETY: a valid NUL-terminated string that outlives the call, and the caller's pointers.
        match unsafe { (self.callback)(json.as_ptr(), self.user_data) } {
            0 => Ok(()),
            code => Err(format!("callback returned {code}")),
        }
    }
}

/// Records a web action event (`event_json`, SPEC §6) and, when its state changed, calls the
/// matching subscribers before returning. `*record` receives
/// `{"actionId","actionState","previousState","duplicate"}`; free it with `journey_string_free`.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param event_json The action event as NUL-terminated JSON.
/// @param record Receives the record as JSON; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT` (a bad field, named in the message),
///         `JOURNEY_INVALID_TRANSITION`, `JOURNEY_UNKNOWN_ACTION`, `JOURNEY_INVALID_JSON`,
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `engine` is a live engine; `event_json` is a NUL-terminated string; `record` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_record_action_event(
    engine: *const JourneyEngine,
    event_json: *const c_char,
    record: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(record, "record")?;
        let event = parse_input(text(event_json, "event_json")?)?;
        give_json(slot, &live_engine(engine)?.record_action_event(&event)?);
        Ok(())
    })
}

/// Shared body of `journey_on` and `journey_once`.
///
/// # Safety
/// As for `journey_on`.
unsafe fn subscribe(
    engine: *const JourneyEngine,
    pattern: *const c_char,
    callback: JourneyActionCallback,
    user_data: *mut c_void,
    once: bool,
    subscription: *mut u64,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = subscription.as_mut().ok_or(Failure::Null("subscription"))?;
        *slot = 0;
        let engine = live_engine(engine)?;
        let subscriber = CSubscriber { callback: callback.ok_or(Failure::Null("callback"))?, user_data };
        let pattern = text(pattern, "pattern")?;
        *slot = engine.subscribe(pattern, once, Arc::new(move |event: &Notification| subscriber.call(event)))?;
        Ok(())
    })
}

/// Calls `callback(event_json, user_data)` for every action event matching `pattern`
/// (`"webchat:offered"`, `"webchat:all"`, `"all:errored"`, `"all:all"`), or every firing of an
/// action map whose action is `callback` (`"trigger:<actionMapId>"`, `"trigger:all"`;
/// docs/orchestration.md). `*subscription` receives an id for `journey_off`.
///
/// `user_data` is passed back untouched; it must stay valid, and be usable from any thread that
/// records events, until `journey_off` or `journey_engine_free`.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param pattern `mediaType:state`, either half may be `all`; or `trigger:<actionMapId>` or
///        `trigger:all`.
/// @param callback Called for each matching event.
/// @param user_data Passed back to `callback` untouched.
/// @param subscription Receives the subscription's id, for journey_off().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT` (unknown media type or state, or a trigger
///         that is not `all` or a UUID),
///         `JOURNEY_NULL_ARGUMENT` (engine, pattern, callback or subscription), `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe; may be called from inside a callback.
///
/// # Safety
/// `engine` is a live engine; `pattern` is NUL-terminated; `callback` is a valid function for the
/// life of the subscription; `subscription` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_on(
    engine: *const JourneyEngine,
    pattern: *const c_char,
    callback: JourneyActionCallback,
    user_data: *mut c_void,
    subscription: *mut u64,
) -> JourneyStatus {
    unsafe { subscribe(engine, pattern, callback, user_data, false, subscription) }
}

/// Like `journey_on`, for the first matching event only.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param pattern `mediaType:state`, either half may be `all`.
/// @param callback Called for the first matching event only.
/// @param user_data Passed back to `callback` untouched.
/// @param subscription Receives the subscription's id, for journey_off().
///
/// @return as `journey_on`. Thread-safe; may be called from inside a callback.
///
/// # Safety
/// As for `journey_on`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_once(
    engine: *const JourneyEngine,
    pattern: *const c_char,
    callback: JourneyActionCallback,
    user_data: *mut c_void,
    subscription: *mut u64,
) -> JourneyStatus {
    unsafe { subscribe(engine, pattern, callback, user_data, true, subscription) }
}

/// Ends a subscription. An id that is gone (or a `once` that fired) does nothing.
///
/// @param engine An engine from journey_engine_new() or journey_engine_open().
/// @param subscription An id from journey_on() or journey_once(); an unknown id does nothing.
///
/// @return `JOURNEY_OK`, `JOURNEY_NULL_ARGUMENT`. Thread-safe; may be called from inside a callback.
///
/// # Safety
/// `engine` is a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_off(engine: *const JourneyEngine, subscription: u64) -> JourneyStatus {
    guard(|| unsafe {
        live_engine(engine)?.off(subscription);
        Ok(())
    })
}
