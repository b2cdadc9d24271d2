//! Helpers shared by the integration tests: the shared-vector runner of SPEC §10.

#![allow(dead_code)]

use journey_core::{
    Catalog, Config, CustomEventRequest, Engine, JourneyError, JourneyQuery, NextEventsRequest, SessionEventsQuery,
    query_from_value,
};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Action events received by the subscriptions of one vector, by label.
type Deliveries = Arc<Mutex<HashMap<String, Vec<Value>>>>;

/// Every vector file: `tests/vectors/*.json`, then the files in `$JOURNEY_EXTRA_VECTORS`.
pub fn vector_files() -> Vec<PathBuf> {
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")];
    if let Some(extra) = std::env::var_os("JOURNEY_EXTRA_VECTORS").filter(|v| !v.is_empty()) {
        dirs.push(PathBuf::from(extra));
    }
    let mut files = Vec::new();
    for dir in dirs {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read vector directory {}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// Runs one vector file; `Err` names the step index and the mismatching path.
pub fn run_vector(path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let vector: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let config =
        Config::from_value(vector.get("config").unwrap_or(&Value::Null)).map_err(|e| format!("config: {e}"))?;
    let catalog = Catalog::from_value_with_limits(&vector["catalog"], &config).map_err(|e| format!("catalog: {e}"))?;
    let engine = Engine::new(catalog, config).map_err(|e| format!("engine: {e}"))?;
    let steps = vector["steps"].as_array().ok_or("no steps array")?;
    let mut saved: HashMap<String, Value> = HashMap::new();
    let deliveries = Deliveries::default();
    for (index, step) in steps.iter().enumerate() {
        let op = step["op"].as_str().ok_or_else(|| format!("step {index}: no op"))?;
        let input = substitute(step.get("input").unwrap_or(&Value::Null), &saved);
        let result = dispatch(&engine, op, &input, &deliveries);
        let context = |detail: String| format!("step {index} ({op}): {detail}");
        if let Some(expect) = step.get("expect") {
            let expect = substitute(expect, &saved);
            let actual = match (&result, expect.get("error")) {
                (Ok(value), None) => value.clone(),
                (Err(err), Some(_)) => json!({ "error": err.to_json() }),
                (Ok(value), Some(_)) => {
                    return Err(context(format!("expected an error, got {value}")));
                }
                (Err(err), None) => {
                    return Err(context(format!("unexpected error {}", err.to_json())));
                }
            };
            subset_match(&expect, &actual, "").map_err(|detail| context(format!("{detail}\n  actual: {actual}")))?;
        } else if let Err(err) = &result {
            return Err(context(format!("unexpected error {}", err.to_json())));
        }
        if let (Some(save), Ok(value)) = (step.get("save").and_then(Value::as_object), &result) {
            for (name, pointer) in save {
                let pointer = pointer.as_str().ok_or_else(|| context(format!("save '{name}' needs a pointer")))?;
                let found = value.pointer(pointer).ok_or_else(|| context(format!("nothing at {pointer} to save")))?;
                saved.insert(name.clone(), found.clone());
            }
        }
    }
    Ok(steps.len())
}

/// Runs one op of the §10 table through the Rust API.
fn dispatch(engine: &Engine, op: &str, input: &Value, deliveries: &Deliveries) -> Result<Value, JourneyError> {
    let to_json = |v: &dyn erased::ToJson| v.to_json_value();
    match op {
        "ingest" => Ok(match input {
            Value::String(raw) => engine.ingest_json(raw.as_bytes()).to_json(),
            event => engine.ingest_value(event).to_json(),
        }),
        "ingestBatch" => match input {
            Value::Array(events) => Ok(engine.ingest_values(events).to_json()),
            Value::String(ndjson) => Ok(engine.ingest_ndjson(ndjson.as_bytes()).to_json()),
            _ => Err(JourneyError::InvalidArgument("ingestBatch takes an array or an NDJSON string".into())),
        },
        "advance" => engine.advance_by(input.as_str().unwrap_or_default()).map(|()| json!({})),
        "setNow" => engine.set_now(input.as_str().unwrap_or_default()).map(|()| json!({})),
        "journey" => {
            let query: JourneyQuery = query_from_value(input)?;
            engine.journey_query(&query).map(|page| to_json(&page))
        }
        "sessionEvents" => {
            let query: SessionEventsQuery = query_from_value(input)?;
            engine.session_events_query(&query).map(|page| to_json(&page))
        }
        "stats" => Ok(to_json(&engine.stats())),
        "startAgentSession" => {
            let agent_id = input["agentId"].as_str().unwrap_or_default();
            engine.start_agent_session(agent_id).map(|session| to_json(&session))
        }
        "endAgentSession" => {
            engine.end_agent_session(input["sessionId"].as_str().unwrap_or_default()).map(|()| json!({}))
        }
        "sendCustomEvent" => {
            let request: CustomEventRequest = query_from_value(input)?;
            engine.send_custom_event(&request).map(|result| to_json(&result))
        }
        "nextEvents" => {
            let request: NextEventsRequest = query_from_value(input)?;
            engine.next_events(&request.session_id, request.timeout_ms, request.max).map(|result| to_json(&result))
        }
        "recordActionEvent" => engine.record_action_event(input).map(|record| to_json(&record)),
        "subscribe" => {
            let pattern = input["pattern"].as_str().unwrap_or_default();
            let label = input["label"].as_str().unwrap_or_default().to_owned();
            let once = input["once"].as_bool().unwrap_or(false);
            let sink = deliveries.clone();
            let callback = Arc::new(move |event: &journey_core::ActionEvent| {
                let event = serde_json::to_value(event).map_err(|e| e.to_string())?;
                sink.lock().unwrap().entry(label.clone()).or_default().push(event);
                Ok(())
            });
            engine.subscribe(pattern, once, callback).map(|id| json!({ "subscriptionId": id }))
        }
        "unsubscribe" => {
            let id = input["subscriptionId"]
                .as_u64()
                .ok_or_else(|| JourneyError::InvalidArgument("subscriptionId".into()))?;
            engine.off(id);
            Ok(json!({}))
        }
        "deliveries" => {
            let label = input["label"].as_str().unwrap_or_default();
            let events = deliveries.lock().unwrap().get(label).cloned().unwrap_or_default();
            Ok(json!({ "events": events }))
        }
        other => Err(JourneyError::InvalidArgument(format!("unknown op '{other}'"))),
    }
}

mod erased {
    /// Serializes any result type to a `serde_json::Value`.
    pub trait ToJson {
        fn to_json_value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> ToJson for T {
        fn to_json_value(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("result types serialize")
        }
    }
}

/// Replaces every string `"$name"` with the value saved under `name`.
pub fn substitute(value: &Value, saved: &HashMap<String, Value>) -> Value {
    match value {
        Value::String(s) => match s.strip_prefix('$').and_then(|name| saved.get(name)) {
            Some(found) => found.clone(),
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, saved)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), substitute(v, saved))).collect::<Map<_, _>>())
        }
        other => other.clone(),
    }
}

/// Subset match of SPEC §10: every key given must be present and equal; arrays match element-wise
/// and must have the same length. Numbers compare by value (`1` equals `1.0`).
pub fn subset_match(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let here = format!("{path}/{key}");
                let found = have.get(key).ok_or_else(|| format!("missing {here}"))?;
                subset_match(value, found, &here)?;
            }
            Ok(())
        }
        (Value::Array(want), Value::Array(have)) => {
            if want.len() != have.len() {
                return Err(format!("{path}: expected {} items, got {}", want.len(), have.len()));
            }
            want.iter().zip(have).enumerate().try_for_each(|(i, (w, h))| subset_match(w, h, &format!("{path}/{i}")))
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => Ok(()),
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{}: expected {a}, got {b}", if path.is_empty() { "/" } else { path })),
    }
}
