//! The C ABI with arbitrary bytes: the first byte picks an entry point, the rest is its text
//! argument (NUL-terminated, so any interior NUL cuts it, as C would). NULL arguments are mixed
//! in. Every call returns a status; every string it gives is freed; the engine still works.
#![no_main]

use journey::*;
use libfuzzer_sys::fuzz_target;
use std::ffi::{CString, c_char};
use std::ptr;

/// Frees a string the library gave, if any.
fn free(s: *mut c_char) {
    // SAFETY: every non-NULL string here came from the library and is freed once.
    unsafe { journey_string_free(s) };
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let text = CString::new(rest.split(|b| *b == 0).next().unwrap_or_default()).unwrap();
    let arg = if choice & 0x80 == 0 { text.as_ptr() } else { ptr::null() };
    let catalog_json = CString::new(journey_fuzz::CATALOG).unwrap();
    // SAFETY: every pointer is NULL or a live NUL-terminated string or out slot; each handle
    // the library gives is freed once, after its last use.
    unsafe {
        let (mut config, mut catalog, mut engine) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        let mut out: *mut c_char = ptr::null_mut();
        match choice % 12 {
            0 => {
                let _ = journey_config_new(arg, &mut config);
            }
            1 => {
                let _ = journey_catalog_new(arg, ptr::null(), &mut catalog);
            }
            _ => {}
        }
        journey_catalog_free(catalog);
        journey_config_free(config);
        let (mut catalog, mut engine_config) = (ptr::null_mut(), ptr::null_mut());
        let start = CString::new(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#).unwrap();
        assert_eq!(journey_config_new(start.as_ptr(), &mut engine_config), JourneyStatus::JOURNEY_OK);
        assert_eq!(journey_catalog_new(catalog_json.as_ptr(), engine_config, &mut catalog), JourneyStatus::JOURNEY_OK);
        assert_eq!(journey_engine_new(catalog, engine_config, &mut engine), JourneyStatus::JOURNEY_OK);
        let status = match choice % 12 {
            2 => journey_ingest_json(engine, arg, if arg.is_null() { 0 } else { text.as_bytes().len() }, &mut out),
            3 => journey_ingest_ndjson(engine, arg, if arg.is_null() { 0 } else { text.as_bytes().len() }, &mut out),
            4 => {
                journey_ingest_batch_json(engine, arg, if arg.is_null() { 0 } else { text.as_bytes().len() }, &mut out)
            }
            5 => journey_journey(engine, arg, &mut out),
            6 => journey_session_events(engine, arg, &mut out),
            7 => journey_call(engine, arg, &mut out),
            8 => journey_record_action_event(engine, arg, &mut out),
            9 => journey_advance(engine, arg),
            10 => journey_set_now(engine, arg),
            _ => journey_next_events(engine, arg, 0, 1, 0, ptr::null(), &mut out),
        };
        assert_ne!(status, JourneyStatus::JOURNEY_PANIC, "a panic was caught at the boundary");
        if status != JourneyStatus::JOURNEY_OK {
            assert!(out.is_null(), "a failed call gives no result");
            // The thread's last error is set (and owned by the library).
            assert!(!journey_last_error_json().is_null());
        }
        free(out);
        // The engine still answers.
        let mut stats = ptr::null_mut();
        assert_eq!(journey_stats(engine, &mut stats), JourneyStatus::JOURNEY_OK);
        free(stats);
        journey_engine_free(engine);
        journey_catalog_free(catalog);
        journey_config_free(engine_config);
    }
});
