//! The thread's last error (errno style) and the guard every entry point runs under.
//!
//! Each call clears the calling thread's last error; a failing call sets it. A panic anywhere in
//! libjourney is caught at the boundary and becomes `JOURNEY_PANIC`, never an unwind into C.

use crate::status::JourneyStatus;
use journey_core::JourneyError;
use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Why a call failed.
pub(crate) enum Failure {
    /// An error of the core, with its code.
    Core(JourneyError),
    /// A NULL pointer where one is required; names the argument.
    Null(&'static str),
    /// A string argument that is not UTF-8; names the argument.
    Utf8(&'static str),
    /// A call stopped by its caller (`journey_cancel`, or a progress callback); says what it kept.
    Cancelled(&'static str),
}

impl From<JourneyError> for Failure {
    fn from(error: JourneyError) -> Self {
        Failure::Core(error)
    }
}

impl Failure {
    fn status(&self) -> JourneyStatus {
        match self {
            Failure::Core(error) => JourneyStatus::from_code(error.code()),
            Failure::Null(_) => JourneyStatus::JOURNEY_NULL_ARGUMENT,
            Failure::Utf8(_) => JourneyStatus::JOURNEY_INVALID_UTF8,
            Failure::Cancelled(_) => JourneyStatus::JOURNEY_CANCELLED,
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Failure::Core(error) => error.to_json(),
            Failure::Null(name) => {
                serde_json::json!({"code": "NULL_ARGUMENT", "message": format!("argument '{name}' is NULL")})
            }
            Failure::Utf8(name) => {
                serde_json::json!({"code": "INVALID_UTF8", "message": format!("argument '{name}' is not valid UTF-8")})
            }
            Failure::Cancelled(message) => serde_json::json!({"code": "CANCELLED", "message": message}),
        }
    }
}

struct LastError {
    message: CString,
    json: CString,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

fn set_last_error(json: serde_json::Value) {
    let message = json["message"].as_str().unwrap_or_default().replace('\0', " ");
    let text = json.to_string(); // JSON escapes NUL, so this has none
    let error =
        LastError { message: CString::new(message).unwrap_or_default(), json: CString::new(text).unwrap_or_default() };
    LAST_ERROR.with(|slot| *slot.borrow_mut() = Some(error));
}

/// Runs one entry point: clears the last error, catches panics, and turns failures into a status.
pub(crate) fn guard(call: impl FnOnce() -> Result<(), Failure>) -> JourneyStatus {
    LAST_ERROR.with(|slot| *slot.borrow_mut() = None);
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(())) => JourneyStatus::JOURNEY_OK,
        Ok(Err(failure)) => {
            set_last_error(failure.json());
            failure.status()
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            set_last_error(serde_json::json!({"code": "PANIC", "message": format!("libjourney panicked: {what}")}));
            JourneyStatus::JOURNEY_PANIC
        }
    }
}

/// The message of the last failed call on this thread, or NULL when the last call succeeded.
///
/// The string belongs to libjourney: do not free it. It stays valid until the next libjourney call
/// on the same thread. Each thread has its own last error.
///
/// @return The message, or NULL when the last call on this thread succeeded.
#[unsafe(no_mangle)]
pub extern "C" fn journey_last_error_message() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ref().map_or(std::ptr::null(), |e| e.message.as_ptr()))
}

/// The last failed call's error on this thread as JSON: `{"code", "message", "violations"?}`, or
/// NULL when the last call succeeded.
///
/// The string belongs to libjourney: do not free it. It stays valid until the next libjourney call
/// on the same thread.
///
/// @return The error as JSON, or NULL when the last call on this thread succeeded.
#[unsafe(no_mangle)]
pub extern "C" fn journey_last_error_json() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ref().map_or(std::ptr::null(), |e| e.json.as_ptr()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn last_message() -> Option<String> {
        let ptr = journey_last_error_message();
        (!ptr.is_null()).then(|| unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned())
    }

    #[test]
    fn a_panic_becomes_journey_panic_with_its_message() {
        let status = guard(|| panic!("boom at the boundary"));
        assert_eq!(status, JourneyStatus::JOURNEY_PANIC);
        assert!(last_message().unwrap().contains("boom at the boundary")); // ok: test code
        let json = unsafe { CStr::from_ptr(journey_last_error_json()) }.to_str().unwrap(); // ok: test code
        assert!(json.contains("\"code\":\"PANIC\""), "{json}");
        // The next call starts clean.
        assert_eq!(guard(|| Ok(())), JourneyStatus::JOURNEY_OK);
        assert_eq!(last_message(), None);
    }

    #[test]
    fn errors_are_per_thread() {
        assert_eq!(guard(|| Err(Failure::Null("here"))), JourneyStatus::JOURNEY_NULL_ARGUMENT);
        std::thread::spawn(|| assert_eq!(last_message(), None)).join().unwrap(); // ok: test code
        assert!(last_message().unwrap().contains("here")); // ok: test code
    }
}
