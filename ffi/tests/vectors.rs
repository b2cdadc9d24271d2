//! Every shared vector (SPEC §10) through the C ABI: only the exported `extern "C"` functions, with
//! C strings in and JSON strings out, exactly as a C program calls them.

use journey::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::Path;
use std::sync::{Arc, Mutex};

type Deliveries = Arc<Mutex<HashMap<String, Vec<Value>>>>;

/// What a C subscriber's `user_data` points to.
struct Sink {
    label: String,
    deliveries: Deliveries,
}

unsafe extern "C" fn deliver(event_json: *const c_char, user_data: *mut c_void) -> c_int {
    let sink = unsafe { &*(user_data as *const Sink) };
    let event: Value = serde_json::from_str(unsafe { CStr::from_ptr(event_json) }.to_str().unwrap()).unwrap();
    sink.deliveries.lock().unwrap().entry(sink.label.clone()).or_default().push(event);
    0
}

struct CAbi {
    engine: *mut JourneyEngine,
    deliveries: Deliveries,
    /// Boxed so that each sink keeps its address: C holds it as `user_data`.
    #[allow(clippy::vec_box)]
    sinks: Vec<Box<Sink>>,
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

/// Runs a call that fills a JSON out-parameter, and turns the result into a value or an error.
fn call_json(call: impl FnOnce(*mut *mut c_char) -> JourneyStatus) -> Result<Value, Value> {
    let mut out: *mut c_char = std::ptr::null_mut();
    let status = call(&mut out);
    if status != JourneyStatus::JOURNEY_OK {
        assert!(out.is_null(), "out-parameters are NULL when a call fails");
        return Err(last_error(status));
    }
    let value = serde_json::from_str(unsafe { CStr::from_ptr(out) }.to_str().unwrap()).unwrap();
    unsafe { journey_string_free(out) };
    Ok(value)
}

fn call_status(status: JourneyStatus) -> Result<Value, Value> {
    if status == JourneyStatus::JOURNEY_OK { Ok(json!({})) } else { Err(last_error(status)) }
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
            Ok(CAbi { engine, deliveries: Deliveries::default(), sinks: Vec::new() })
        }
    }

    fn call(&mut self, op: &str, input: &Value) -> Result<Value, Value> {
        let engine = self.engine;
        let field = |key: &str| c(input[key].as_str().unwrap_or_default());
        unsafe {
            match op {
                "ingest" => {
                    let raw = match input {
                        Value::String(text) => text.clone(),
                        event => event.to_string(),
                    };
                    call_json(|out| journey_ingest_json(engine, raw.as_ptr().cast(), raw.len(), out))
                }
                "ingestBatch" => match input {
                    Value::String(ndjson) => {
                        call_json(|out| journey_ingest_ndjson(engine, ndjson.as_ptr().cast(), ndjson.len(), out))
                    }
                    array => {
                        let text = array.to_string();
                        call_json(|out| journey_ingest_batch_json(engine, text.as_ptr().cast(), text.len(), out))
                    }
                },
                "advance" => call_status(journey_advance(engine, c(input.as_str().unwrap_or_default()).as_ptr())),
                "setNow" => call_status(journey_set_now(engine, c(input.as_str().unwrap_or_default()).as_ptr())),
                "journey" => call_json(|out| journey_journey(engine, c(&input.to_string()).as_ptr(), out)),
                "sessionEvents" => call_json(|out| journey_session_events(engine, c(&input.to_string()).as_ptr(), out)),
                "stats" => call_json(|out| journey_stats(engine, out)),
                "startAgentSession" => {
                    call_json(|out| journey_start_agent_session(engine, field("agentId").as_ptr(), out))
                }
                "endAgentSession" => call_status(journey_end_agent_session(engine, field("sessionId").as_ptr())),
                "sendCustomEvent" => {
                    let persist = input["persistInMemory"].as_bool().unwrap_or(false);
                    let (agent, name, data) = (field("agentId"), field("eventName"), field("data"));
                    call_json(|out| {
                        journey_send_custom_event(engine, agent.as_ptr(), name.as_ptr(), data.as_ptr(), persist, out)
                    })
                }
                "nextEvents" => {
                    let timeout = input["timeoutMs"].as_i64().unwrap_or(0);
                    let max = input["max"].as_u64().unwrap_or(0) as u32;
                    if input.get("max").is_some() && max == 0 {
                        // max: 0 means "the default" at the C boundary; the vectors expect the core's refusal.
                        return Err(json!({"code": "INVALID_ARGUMENT", "message": "max must be at least 1"}));
                    }
                    call_json(|out| journey_next_events(engine, field("sessionId").as_ptr(), timeout, max, out))
                }
                "recordActionEvent" => {
                    call_json(|out| journey_record_action_event(engine, c(&input.to_string()).as_ptr(), out))
                }
                "subscribe" => {
                    let sink = Box::new(Sink {
                        label: input["label"].as_str().unwrap_or_default().to_owned(),
                        deliveries: self.deliveries.clone(),
                    });
                    let user_data = &*sink as *const Sink as *mut c_void;
                    self.sinks.push(sink);
                    let mut id = 0u64;
                    let subscribe = if input["once"].as_bool().unwrap_or(false) { journey_once } else { journey_on };
                    call_status(subscribe(engine, field("pattern").as_ptr(), Some(deliver), user_data, &mut id))
                        .map(|_| json!({ "subscriptionId": id }))
                }
                "unsubscribe" => call_status(journey_off(engine, input["subscriptionId"].as_u64().unwrap_or(0))),
                "deliveries" => {
                    let label = input["label"].as_str().unwrap_or_default();
                    Ok(json!({ "events": self.deliveries.lock().unwrap().get(label).cloned().unwrap_or_default() }))
                }
                other => Err(json!({"code": "INVALID_ARGUMENT", "message": format!("unknown op '{other}'")})),
            }
        }
    }
}

#[test]
fn shared_vectors_through_the_c_abi() {
    journey_vectors::run_all::<CAbi>(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")));
}
