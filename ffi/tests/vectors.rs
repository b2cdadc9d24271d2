//! Every shared vector (SPEC §10) through the C ABI: `journey_call` with C strings in and JSON
//! strings out, exactly as a C program calls it. (The typed functions have their own C tests.)

use journey::*;
use serde_json::{Value, json};
use std::ffi::{CStr, CString, c_char};
use std::path::Path;

struct CAbi {
    engine: *mut JourneyEngine,
}

impl Drop for CAbi {
    fn drop(&mut self) {
        unsafe { journey_engine_free(self.engine) };
    }
}

fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

/// The error JSON of the last failed call on this thread.
fn last_error(status: JourneyStatus) -> Value {
    let json = journey_last_error_json();
    assert!(!json.is_null(), "{status:?} without a last error");
    let error: Value = serde_json::from_str(unsafe { CStr::from_ptr(json) }.to_str().unwrap()).unwrap();
    let name = unsafe { CStr::from_ptr(journey_status_name(status)) }.to_str().unwrap();
    if name != "VALIDATION_FAILED" {
        assert_eq!(error["code"], name, "the status and the error JSON agree");
    }
    error
}

impl journey_vectors::Target for CAbi {
    fn new(catalog: &Value, config: &Value) -> Result<Self, String> {
        unsafe {
            let mut config_handle = std::ptr::null_mut();
            let config_text = c(&config.to_string());
            let config_ptr = if config.is_null() { std::ptr::null() } else { config_text.as_ptr() };
            if journey_config_new(config_ptr, &mut config_handle) != JourneyStatus::JOURNEY_OK {
                return Err(format!("config: {}", last_error(JourneyStatus::JOURNEY_INVALID_CONFIG)));
            }
            let mut catalog_handle = std::ptr::null_mut();
            let status = journey_catalog_new(c(&catalog.to_string()).as_ptr(), config_handle, &mut catalog_handle);
            if status != JourneyStatus::JOURNEY_OK {
                journey_config_free(config_handle);
                return Err(format!("catalog: {}", last_error(status)));
            }
            let mut engine = std::ptr::null_mut();
            let status = journey_engine_new(catalog_handle, config_handle, &mut engine);
            journey_catalog_free(catalog_handle);
            journey_config_free(config_handle);
            if status != JourneyStatus::JOURNEY_OK {
                return Err(format!("engine: {}", last_error(status)));
            }
            Ok(CAbi { engine })
        }
    }

    fn call(&mut self, op: &str, input: &Value) -> Result<Value, Value> {
        let command = c(&json!({ "op": op, "input": input }).to_string());
        let mut out: *mut c_char = std::ptr::null_mut();
        let status = unsafe { journey_call(self.engine, command.as_ptr(), &mut out) };
        if status != JourneyStatus::JOURNEY_OK {
            assert!(out.is_null(), "out-parameters are NULL when a call fails");
            return Err(last_error(status));
        }
        let value = serde_json::from_str(unsafe { CStr::from_ptr(out) }.to_str().unwrap()).unwrap();
        unsafe { journey_string_free(out) };
        Ok(value)
    }
}

#[test]
fn shared_vectors_through_the_c_abi() {
    journey_vectors::run_all::<CAbi>(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")));
}
