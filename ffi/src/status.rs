//! `JourneyStatus`: the return code of every function, one per error code of the core, plus the
//! three that only the C boundary has.

use std::ffi::{CStr, c_char, c_int};

/// The result of a libjourney call. `JOURNEY_OK` is 0; every other value names the failure, and
/// `journey_status_name()` gives its code string, the same string as in the other languages.
#[repr(C)]
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyStatus {
    /// Success.
    JOURNEY_OK = 0,
    /// The catalog is malformed (see `journey_last_error_json()` for every fault).
    JOURNEY_INVALID_CATALOG = 1,
    /// A config key is unknown or has a bad value.
    JOURNEY_INVALID_CONFIG = 2,
    /// The catalog exceeds a configured limit.
    JOURNEY_LIMIT_EXCEEDED = 3,
    /// The viewer lacks a permission.
    JOURNEY_PERMISSION_DENIED = 4,
    /// No such session, or one the viewer may not see.
    JOURNEY_NOT_FOUND = 5,
    /// An argument is malformed or out of range.
    JOURNEY_INVALID_ARGUMENT = 6,
    /// No such agent session.
    JOURNEY_INVALID_SESSION = 7,
    /// The agent's queue is full.
    JOURNEY_QUEUE_FULL = 8,
    /// A web action cannot move between those states.
    JOURNEY_INVALID_TRANSITION = 9,
    /// A web action's first state is neither qualified nor offered.
    JOURNEY_UNKNOWN_ACTION = 10,
    /// An input is not valid JSON.
    JOURNEY_INVALID_JSON = 11,
    /// An event was rejected (only from functions that treat rejection as an error).
    JOURNEY_VALIDATION_FAILED = 12,
    /// A durable engine's file system refused a read, write or fsync, or the store is closed.
    JOURNEY_IO_ERROR = 13,
    /// A store's journal or snapshot is damaged; the error JSON's `"file"` and `"offset"` say where.
    JOURNEY_CORRUPT_STORE = 14,
    /// Another engine has the store open.
    JOURNEY_STORE_LOCKED = 15,
    /// A poll was stopped by `journey_cancel`; it took nothing.
    JOURNEY_CANCELLED = 16,
    /// A required pointer argument is NULL.
    JOURNEY_NULL_ARGUMENT = 100,
    /// A string argument is not valid UTF-8.
    JOURNEY_INVALID_UTF8 = 101,
    /// libjourney panicked; the call had no effect beyond what is in the message, and the engine
    /// can still be used.
    JOURNEY_PANIC = 102,
}

use JourneyStatus::*;

/// Every status with its code string: the one table both directions use.
const NAMES: [(JourneyStatus, &CStr); 20] = [
    (JOURNEY_OK, c"OK"),
    (JOURNEY_INVALID_CATALOG, c"INVALID_CATALOG"),
    (JOURNEY_INVALID_CONFIG, c"INVALID_CONFIG"),
    (JOURNEY_LIMIT_EXCEEDED, c"LIMIT_EXCEEDED"),
    (JOURNEY_PERMISSION_DENIED, c"PERMISSION_DENIED"),
    (JOURNEY_NOT_FOUND, c"NOT_FOUND"),
    (JOURNEY_INVALID_ARGUMENT, c"INVALID_ARGUMENT"),
    (JOURNEY_INVALID_SESSION, c"INVALID_SESSION"),
    (JOURNEY_QUEUE_FULL, c"QUEUE_FULL"),
    (JOURNEY_INVALID_TRANSITION, c"INVALID_TRANSITION"),
    (JOURNEY_UNKNOWN_ACTION, c"UNKNOWN_ACTION"),
    (JOURNEY_INVALID_JSON, c"INVALID_JSON"),
    (JOURNEY_VALIDATION_FAILED, c"VALIDATION_FAILED"),
    (JOURNEY_IO_ERROR, c"IO_ERROR"),
    (JOURNEY_CORRUPT_STORE, c"CORRUPT_STORE"),
    (JOURNEY_STORE_LOCKED, c"STORE_LOCKED"),
    (JOURNEY_CANCELLED, c"CANCELLED"),
    (JOURNEY_NULL_ARGUMENT, c"NULL_ARGUMENT"),
    (JOURNEY_INVALID_UTF8, c"INVALID_UTF8"),
    (JOURNEY_PANIC, c"PANIC"),
];

impl JourneyStatus {
    /// The status for a core error code. A rejected event's violation codes (other than
    /// `INVALID_JSON`) map to `JOURNEY_VALIDATION_FAILED`; the exact code is in the error JSON.
    pub fn from_code(code: &str) -> JourneyStatus {
        NAMES
            .iter()
            .find(|(_, name)| name.to_bytes() == code.as_bytes())
            .map_or(JOURNEY_VALIDATION_FAILED, |(status, _)| *status)
    }
}

/// The code string of a status, for example `"QUEUE_FULL"` for `JOURNEY_QUEUE_FULL`.
///
/// The string is static: do not free it. Any other `int` gives `"UNKNOWN"`. Thread-safe.
///
/// The parameter is an `int`, not `enum JourneyStatus`: C lets a caller pass any integer where an
/// enum is expected, and a Rust enum holding a value outside its variants is undefined behaviour.
///
/// @param status A ::JourneyStatus, or any other int.
/// @return The status's code string, or `"UNKNOWN"`.
#[unsafe(no_mangle)]
pub extern "C" fn journey_status_name(status: c_int) -> *const c_char {
    NAMES.iter().find(|(known, _)| *known as c_int == status).map_or(c"UNKNOWN", |(_, name)| name).as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for (status, name) in NAMES {
            assert_eq!(JourneyStatus::from_code(name.to_str().unwrap()), status); // ok: test code
            // SAFETY: journey_status_name returns a static NUL-terminated string.
            assert_eq!(unsafe { CStr::from_ptr(journey_status_name(status as c_int)) }, name);
        }
        assert_eq!(JourneyStatus::from_code("TOO_LONG"), JOURNEY_VALIDATION_FAILED);
    }

    #[test]
    fn any_int_has_a_name() {
        // SAFETY: journey_status_name returns a static NUL-terminated string for every input.
        let name = |status: c_int| unsafe { CStr::from_ptr(journey_status_name(status)) };
        assert_eq!(name(JOURNEY_QUEUE_FULL as c_int), c"QUEUE_FULL");
        for outside in [-1, 10_000, c_int::MIN, c_int::MAX] {
            assert_eq!(name(outside), c"UNKNOWN");
        }
    }
}
