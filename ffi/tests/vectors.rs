//! Every shared vector (SPEC §10) through the C ABI: `journey_call` with C strings in and JSON
//! strings out, exactly as a C program calls it. (The typed functions have their own C tests.)

use journey::*;
use serde_json::{Value, json};
use std::ffi::{CStr, CString, c_char};
use std::path::Path;

struct CAbi {
    engine: *mut JourneyEngine,
    /// For a durable engine: its directory, and the catalog and config to reopen it with.
    store: Option<Store>,
}

struct Store {
    dir: std::path::PathBuf,
    catalog: *mut JourneyCatalog,
    config: *mut JourneyConfig,
}

impl Drop for Store {
    fn drop(&mut self) {
        unsafe {
            journey_catalog_free(self.catalog);
            journey_config_free(self.config);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for CAbi {
    fn drop(&mut self) {
        unsafe { journey_engine_free(self.engine) };
    }
}

/// The handles a vector's catalog and config make; the caller frees them.
unsafe fn handles(catalog: &Value, config: &Value) -> Result<(*mut JourneyCatalog, *mut JourneyConfig), String> {
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
        Ok((catalog_handle, config_handle))
    }
}

/// A durable engine through `journey_engine_open`; `reopen` is `journey_engine_close`,
/// `journey_engine_free` and `journey_engine_open` again.
struct DurableCAbi(CAbi);

impl DurableCAbi {
    fn open(store: &Store) -> Result<*mut JourneyEngine, String> {
        let path = c(store.dir.to_str().unwrap());
        let mut engine = std::ptr::null_mut();
        let status = unsafe { journey_engine_open(path.as_ptr(), store.catalog, store.config, &mut engine) };
        if status != JourneyStatus::JOURNEY_OK {
            return Err(format!("open: {}", last_error(status)));
        }
        Ok(engine)
    }
}

impl journey_vectors::Target for DurableCAbi {
    fn new(catalog: &Value, config: &Value) -> Result<Self, String> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("journey-ffi-vector-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (catalog, config) = unsafe { handles(catalog, config)? };
        let store = Store { dir, catalog, config };
        let engine = DurableCAbi::open(&store)?;
        Ok(DurableCAbi(CAbi { engine, store: Some(store) }))
    }

    fn call(&mut self, op: &str, input: &Value) -> Result<Value, Value> {
        self.0.call(op, input)
    }

    fn reopen(&mut self) -> Result<(), String> {
        unsafe {
            let status = journey_engine_close(self.0.engine);
            if status != JourneyStatus::JOURNEY_OK {
                return Err(format!("close: {}", last_error(status)));
            }
            journey_engine_free(self.0.engine);
        }
        self.0.engine = std::ptr::null_mut();
        self.0.engine = DurableCAbi::open(self.0.store.as_ref().unwrap())?;
        Ok(())
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
    let name = unsafe { CStr::from_ptr(journey_status_name(status as std::ffi::c_int)) }.to_str().unwrap();
    if name != "VALIDATION_FAILED" {
        assert_eq!(error["code"], name, "the status and the error JSON agree");
    }
    error
}

impl journey_vectors::Target for CAbi {
    fn new(catalog: &Value, config: &Value) -> Result<Self, String> {
        unsafe {
            let (catalog_handle, config_handle) = handles(catalog, config)?;
            let mut engine = std::ptr::null_mut();
            let status = journey_engine_new(catalog_handle, config_handle, &mut engine);
            journey_catalog_free(catalog_handle);
            journey_config_free(config_handle);
            if status != JourneyStatus::JOURNEY_OK {
                return Err(format!("engine: {}", last_error(status)));
            }
            Ok(CAbi { engine, store: None })
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

#[test]
fn shared_vectors_through_a_durable_engine_of_the_c_abi() {
    journey_vectors::run_all::<DurableCAbi>(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")));
}
