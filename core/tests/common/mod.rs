//! The Rust API as a [`journey_vectors::Target`]: every op of SPEC §10 through `Engine`'s methods.

use journey_core::{
    ActionEvent, Catalog, Config, CustomEventRequest, Engine, JourneyError, JourneyQuery, NextEventsRequest,
    SessionEventsQuery, query_from_value,
};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The repository root, where `tests/vectors/` is.
pub fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// An engine and the action events its subscriptions received, by label.
pub struct RustApi {
    engine: Engine,
    deliveries: Arc<Mutex<HashMap<String, Vec<Value>>>>,
}

fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("result types serialize")
}

impl journey_vectors::Target for RustApi {
    fn new(catalog: &Value, config: &Value) -> Result<Self, String> {
        let config = Config::from_value(config).map_err(|e| format!("config: {e}"))?;
        let catalog = Catalog::from_value_with_limits(catalog, &config).map_err(|e| format!("catalog: {e}"))?;
        let engine = Engine::new(catalog, config).map_err(|e| format!("engine: {e}"))?;
        Ok(RustApi { engine, deliveries: Default::default() })
    }

    fn call(&mut self, op: &str, input: &Value) -> Result<Value, Value> {
        self.dispatch(op, input).map_err(|e| e.to_json())
    }
}

impl RustApi {
    fn dispatch(&mut self, op: &str, input: &Value) -> Result<Value, JourneyError> {
        let engine = &self.engine;
        let text = |key: &str| input[key].as_str().unwrap_or_default().to_owned();
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
            "journey" => engine.journey_query(&query_from_value::<JourneyQuery>(input)?).map(|page| to_json(&page)),
            "sessionEvents" => {
                engine.session_events_query(&query_from_value::<SessionEventsQuery>(input)?).map(|page| to_json(&page))
            }
            "stats" => Ok(to_json(&engine.stats())),
            "startAgentSession" => engine.start_agent_session(&text("agentId")).map(|s| to_json(&s)),
            "endAgentSession" => engine.end_agent_session(&text("sessionId")).map(|()| json!({})),
            "sendCustomEvent" => {
                engine.send_custom_event(&query_from_value::<CustomEventRequest>(input)?).map(|r| to_json(&r))
            }
            "nextEvents" => {
                let request: NextEventsRequest = query_from_value(input)?;
                engine.next_events(&request.session_id, request.timeout_ms, request.max).map(|r| to_json(&r))
            }
            "recordActionEvent" => engine.record_action_event(input).map(|record| to_json(&record)),
            "subscribe" => {
                let (label, sink) = (text("label"), self.deliveries.clone());
                let callback = Arc::new(move |event: &ActionEvent| {
                    sink.lock().unwrap().entry(label.clone()).or_default().push(to_json(event));
                    Ok(())
                });
                let once = input["once"].as_bool().unwrap_or(false);
                engine.subscribe(&text("pattern"), once, callback).map(|id| json!({ "subscriptionId": id }))
            }
            "unsubscribe" => {
                let id = input["subscriptionId"]
                    .as_u64()
                    .ok_or_else(|| JourneyError::InvalidArgument("subscriptionId".into()))?;
                engine.off(id);
                Ok(json!({}))
            }
            "deliveries" => {
                let events = self.deliveries.lock().unwrap().get(&text("label")).cloned().unwrap_or_default();
                Ok(json!({ "events": events }))
            }
            other => Err(JourneyError::InvalidArgument(format!("unknown op '{other}'"))),
        }
    }
}
