//! # libjourney's C ABI
//!
//! The whole engine behind a stable C ABI (`libjourney.so`, `libjourney.a`, `include/journey.h`).
//! It only converts: strings in, JSON strings out, core errors to [`JourneyStatus`]. All behaviour
//! is in `journey-core`.
//!
//! Conventions, the same for every function:
//! - Every function returns a [`JourneyStatus`]; results come through out-parameters, which are set
//!   to NULL first, so they are NULL whenever a call fails.
//! - Strings given through an out-parameter are yours: free them with [`journey_string_free`].
//!   Strings returned as `const char *` belong to libjourney.
//! - A NULL required pointer is `JOURNEY_NULL_ARGUMENT`; a string that is not UTF-8 is
//!   `JOURNEY_INVALID_UTF8`; a panic is caught and becomes `JOURNEY_PANIC`.
//! - `journey_last_error_message()` and `journey_last_error_json()` describe the calling thread's
//!   last failure.
//! - An engine may be used from many threads at once; only `journey_engine_free` needs every other
//!   call on that engine to have returned.

#![warn(missing_docs)]

mod action;
mod agent;
mod call;
mod cancel;
mod checkpoint;
mod error;
mod handles;
mod ingest;
mod partition;
mod status;
mod strings;
mod view;

pub use action::{JourneyActionCallback, journey_off, journey_on, journey_once, journey_record_action_event};
pub use agent::{
    JOURNEY_DEFAULT_MAX_EVENTS, JOURNEY_IMPLICIT_ACK, journey_end_agent_session, journey_next_events, journey_release,
    journey_send_custom_event, journey_start_agent_session,
};
pub use call::journey_call;
pub use cancel::{JourneyCancel, journey_cancel, journey_cancel_free, journey_cancel_new};
pub use checkpoint::{journey_checkpoint, journey_last_checkpoint};
pub use error::{journey_last_error_json, journey_last_error_message};
pub use handles::{
    JourneyCatalog, JourneyConfig, JourneyEngine, journey_catalog_free, journey_catalog_new, journey_config_free,
    journey_config_new, journey_engine_close, journey_engine_free, journey_engine_new, journey_engine_open,
    journey_engine_snapshot,
};
pub use ingest::{journey_ingest_batch_json, journey_ingest_json, journey_ingest_ndjson};
pub use partition::{
    JourneyFrontier, JourneyOnlineRouter, journey_command_key, journey_command_needs_watermark, journey_frontier_free,
    journey_frontier_new, journey_frontier_passed, journey_frontier_record, journey_frontier_watermark_before,
    journey_merge_outbox, journey_merge_stats, journey_online_router_free, journey_online_router_new,
    journey_online_router_route, journey_partition_for, journey_route, journey_watermark_needed,
};
pub use status::{JourneyStatus, journey_status_name};
pub use strings::journey_string_free;
pub use view::{
    journey_advance, journey_journey, journey_observe_watermark, journey_paths, journey_session_events,
    journey_set_now, journey_stats,
};

use std::ffi::c_char;

/// Major version of this header and library.
pub const JOURNEY_VERSION_MAJOR: u32 = 0;
/// Minor version of this header and library.
pub const JOURNEY_VERSION_MINOR: u32 = 1;
/// Patch version of this header and library.
pub const JOURNEY_VERSION_PATCH: u32 = 0;

/// The library's version, `"MAJOR.MINOR.PATCH"`. Static: do not free. Thread-safe.
///
/// @return The version string.
#[unsafe(no_mangle)]
pub extern "C" fn journey_version() -> *const c_char {
    const VERSION: &std::ffi::CStr = c"0.1.0";
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_macros_match_the_crate() {
        let version = format!(
            "{}.{}.{}",
            super::JOURNEY_VERSION_MAJOR,
            super::JOURNEY_VERSION_MINOR,
            super::JOURNEY_VERSION_PATCH
        );
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
        let from_c = unsafe { std::ffi::CStr::from_ptr(super::journey_version()) };
        assert_eq!(from_c.to_str().unwrap(), env!("CARGO_PKG_VERSION")); // ok: test code
    }
}
