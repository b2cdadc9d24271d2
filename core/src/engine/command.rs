//! One command per public operation (SPEC §10), and [`Engine::call`], the one dispatcher.
//!
//! A command has the JSON form of a vector step, `{"op": "...", "input": ...}`. Every front door's
//! vector runner (Rust, C, Python, Node) sends its steps through [`Engine::call`], and the journal of
//! a durable engine (SPEC §11) records the same form, so a new operation is added here, once.
//! The typed methods of [`Engine`] stay the public API; `call` is the generic door beside them.

use crate::base::error::{JourneyError, Result};
use crate::engine::Engine;
use crate::state::agent::{CustomEventRequest, NextEventsRequest, ReleaseRequest};
use crate::state::journey::{JourneyQuery, SessionEventsQuery};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The input of `startAgentSession`: `{"agentId"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentInput {
    /// The agent.
    pub agent_id: String,
}

/// The input of `endAgentSession`: `{"sessionId"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentSessionInput {
    /// The agent session.
    pub session_id: String,
}

/// The input of `subscribe`: `{"pattern", "label", "once"?}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscribeInput {
    /// `mediaType:state`, either half may be `all`.
    pub pattern: String,
    /// Where the deliveries are kept, for `deliveries`.
    pub label: String,
    /// Deliver the first matching event only.
    #[serde(default)]
    pub once: bool,
}

/// The input of `unsubscribe`: `{"subscriptionId"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnsubscribeInput {
    /// The id `subscribe` returned.
    pub subscription_id: u64,
}

/// The input of `deliveries`: `{"label"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveriesInput {
    /// The label given to `subscribe`.
    pub label: String,
}

/// The input of `deleteSegment`, `deleteOutcome` and `deleteActionMap`: `{"id"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DefinitionIdInput {
    /// The definition's id.
    pub id: String,
}

/// One operation with its input: the JSON form `{"op": "...", "input": ...}` of SPEC §10.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "input", rename_all = "camelCase", deny_unknown_fields)]
pub enum Command {
    /// One event (an object), or a string holding the raw JSON text of one.
    Ingest(#[cfg_attr(feature = "schema", schemars(with = "crate::forms::IngestInput"))] Value),
    /// An array of events, or a string of NDJSON.
    IngestBatch(#[cfg_attr(feature = "schema", schemars(with = "crate::forms::IngestBatchInput"))] Value),
    /// Moves a manual clock forward by a duration such as `"46s"`.
    Advance(String),
    /// Sets a manual clock to an RFC 3339 time.
    SetNow(String),
    /// Moves an event clock to at least an RFC 3339 time (a partition's watermark).
    ObserveWatermark(String),
    /// A page of a customer's journey.
    Journey(JourneyQuery),
    /// A page of one session's events.
    SessionEvents(SessionEventsQuery),
    /// The paths sessions take (docs/paths.md).
    Paths(Box<crate::state::paths::PathsRequest>),
    /// The counters.
    Stats,
    /// Logs an agent in.
    StartAgentSession(AgentInput),
    /// Logs an agent session out.
    EndAgentSession(AgentSessionInput),
    /// Sends a custom event to an agent.
    SendCustomEvent(CustomEventRequest),
    /// The long poll.
    NextEvents(NextEventsRequest),
    /// Hands back events a poll returned but its caller never received.
    Release(ReleaseRequest),
    /// Records a web action event.
    RecordActionEvent(#[cfg_attr(feature = "schema", schemars(with = "crate::forms::ActionEventForm"))] Value),
    /// Subscribes a recorder to action events; what it receives is read with `deliveries`.
    Subscribe(SubscribeInput),
    /// Ends a subscription.
    Unsubscribe(UnsubscribeInput),
    /// Records a host's checkpoint value (a consumer's offsets): any JSON.
    Checkpoint(Value),
    /// The last checkpoint's value: `{"checkpoint": value | null}`.
    LastCheckpoint,
    /// Takes customers' state out, for another partition: `{"slice": "<hex>"}`.
    MoveOut(crate::engine::transfer::MoveOutInput),
    /// Puts in a slice another partition's `moveOut` returned.
    MoveIn(crate::engine::transfer::MoveInInput),
    /// The action events a labelled subscription received, in order.
    Deliveries(DeliveriesInput),
    /// Creates or replaces a segment (docs/orchestration.md); returns it as stored.
    PutSegment(#[cfg_attr(feature = "schema", schemars(with = "crate::model::orchestration::Segment"))] Value),
    /// Creates or replaces an outcome; returns it as stored.
    PutOutcome(#[cfg_attr(feature = "schema", schemars(with = "crate::model::orchestration::Outcome"))] Value),
    /// Creates or replaces an action map; returns it as stored.
    PutActionMap(#[cfg_attr(feature = "schema", schemars(with = "crate::model::orchestration::ActionMap"))] Value),
    /// Deletes a segment no action map uses.
    DeleteSegment(DefinitionIdInput),
    /// Deletes an outcome.
    DeleteOutcome(DefinitionIdInput),
    /// Deletes an action map.
    DeleteActionMap(DefinitionIdInput),
    /// The segments, in id order: `{"entities": [...]}`.
    ListSegments,
    /// The segments a customer holds now.
    Segments(crate::engine::assignments::SegmentsQuery),
    /// Why an action map did or did not fire in a session.
    ExplainActionMap(crate::engine::explain::ExplainQuery),
    /// How many stored sessions a draft action map would qualify.
    EstimateActionMap(crate::engine::explain::EstimateQuery),
    /// The outcomes, in id order: `{"entities": [...]}`.
    ListOutcomes,
    /// The action maps, in id order: `{"entities": [...]}`.
    ListActionMaps,
    /// A partition's outbox: the custom events its maps fired, for the host to forward.
    Outbox(crate::state::agent::OutboxQuery),
    /// Removes the outbox's entries the host has forwarded.
    AcknowledgeOutbox(crate::state::agent::AcknowledgeOutboxInput),
    /// Links two identifiers of one person, under the identity rules (docs/identity.md).
    Link(crate::engine::identity::LinkInput),
    /// Removes the link between two identifiers, whatever made it.
    Unlink(crate::engine::identity::UnlinkInput),
    /// Undoes the links one event made.
    UnlinkEvent(crate::engine::identity::UnlinkEventInput),
    /// The profile an identifier belongs to: its id and members.
    Profile(crate::engine::identity::ProfileQuery),
    /// Erases everything held about a customer's whole profile (docs/identity.md, "Erasure").
    Erase(crate::engine::erase::ErasureInput),
}

impl Command {
    /// Reads a command from its JSON form; `INVALID_ARGUMENT` names an unknown op or a bad input.
    pub fn from_value(value: &Value) -> Result<Command> {
        Command::deserialize(value)
            .map_err(|e| JourneyError::invalid_argument(format!("not a command: {}", crate::base::text::bounded(e))))
    }

    /// Reads a command from `op` and its `input` (`null` when the op takes none).
    pub fn new(op: &str, input: Value) -> Result<Command> {
        Command::from_value(&json!({ "op": op, "input": input }))
    }

    /// Reads a command from JSON text; bad text is `INVALID_JSON`.
    pub fn from_json(text: &str) -> Result<Command> {
        Command::from_value(&crate::base::error::parse_input(text)?)
    }
}

fn to_json(value: &impl Serialize) -> Value {
    // Every result type of the engine serializes: its fields are strings, numbers and enums.
    serde_json::to_value(value).unwrap_or_default()
}

impl Engine {
    /// Runs one command and returns its result in the JSON form of SPEC §10, or the error.
    pub fn call(&self, command: &Command) -> Result<Value> {
        match command {
            Command::Ingest(Value::String(raw)) => self.ingest_json(raw.as_bytes()).map(|o| o.to_json()),
            Command::Ingest(event) => self.ingest_value(event).map(|o| o.to_json()),
            Command::IngestBatch(Value::Array(events)) => self.ingest_values(events).map(|b| b.to_json()),
            Command::IngestBatch(Value::String(ndjson)) => self.ingest_ndjson(ndjson.as_bytes()).map(|b| b.to_json()),
            Command::IngestBatch(_) => {
                Err(JourneyError::invalid_argument("ingestBatch takes an array of events or an NDJSON string"))
            }
            Command::Advance(duration) => self.advance_by(duration).map(|()| json!({})),
            Command::SetNow(timestamp) => self.set_now(timestamp).map(|()| json!({})),
            Command::ObserveWatermark(timestamp) => self.observe_watermark(timestamp).map(|()| json!({})),
            Command::Journey(query) => self.journey_query(query).map(|page| to_json(&page)),
            Command::SessionEvents(query) => self.session_events_query(query).map(|page| to_json(&page)),
            Command::Paths(request) => self.paths(&request.query, &request.viewer).map(|r| to_json(&r)),
            Command::Stats => Ok(to_json(&self.stats())),
            Command::StartAgentSession(input) => self.start_agent_session(&input.agent_id).map(|s| to_json(&s)),
            Command::EndAgentSession(input) => self.end_agent_session(&input.session_id).map(|()| json!({})),
            Command::SendCustomEvent(request) => self.send_custom_event(request).map(|r| to_json(&r)),
            Command::NextEvents(request) => {
                self.next_events(&request.session_id, request.timeout_ms, request.max, request.ack).map(|r| to_json(&r))
            }
            Command::Release(request) => self.release(&request.session_id, request.from_sequence).map(|r| to_json(&r)),
            Command::RecordActionEvent(event) => self.record_action_event(event).map(|r| to_json(&r)),
            Command::Subscribe(input) => self
                .subscribe_labelled(&input.pattern, &input.label, input.once)
                .map(|id| json!({ "subscriptionId": id })),
            Command::Unsubscribe(input) => {
                self.off(input.subscription_id);
                Ok(json!({}))
            }
            Command::Deliveries(input) => Ok(json!({ "events": self.deliveries(&input.label) })),
            Command::Checkpoint(value) => self.checkpoint(value).map(|()| json!({})),
            Command::LastCheckpoint => Ok(json!({ "checkpoint": self.last_checkpoint() })),
            Command::MoveOut(input) => self.move_out(&input.customers).map(|slice| json!({ "slice": slice.to_hex() })),
            Command::MoveIn(input) => {
                self.move_in(crate::engine::transfer::Slice::from_hex(&input.slice)?).map(|()| json!({}))
            }
            Command::PutSegment(definition) => self.put_segment(definition),
            Command::PutOutcome(definition) => self.put_outcome(definition),
            Command::PutActionMap(definition) => self.put_action_map(definition),
            Command::DeleteSegment(input) => self.delete_segment(&input.id).map(|()| json!({})),
            Command::DeleteOutcome(input) => self.delete_outcome(&input.id).map(|()| json!({})),
            Command::DeleteActionMap(input) => self.delete_action_map(&input.id).map(|()| json!({})),
            Command::ListSegments => Ok(json!({ "entities": self.list_segments() })),
            Command::Segments(query) => self.segments(&query.customer).map(|s| json!({ "entities": s })),
            Command::ExplainActionMap(query) => self.explain_action_map(query).map(|e| to_json(&e)),
            Command::EstimateActionMap(query) => self.estimate_action_map(query).map(|e| to_json(&e)),
            Command::ListOutcomes => Ok(json!({ "entities": self.list_outcomes() })),
            Command::ListActionMaps => Ok(json!({ "entities": self.list_action_maps() })),
            Command::Outbox(query) => self.outbox(query).map(|entries| json!({ "entries": entries })),
            Command::AcknowledgeOutbox(input) => {
                self.acknowledge_outbox(input.through).map(|n| json!({ "acknowledged": n }))
            }
            Command::Link(input) => self.link(input).map(|r| to_json(&r)),
            Command::Unlink(input) => self.unlink(&input.from, &input.to).map(|()| json!({})),
            Command::UnlinkEvent(input) => self.unlink_event(input.event_id).map(|r| to_json(&r)),
            Command::Profile(query) => self.profile(&query.customer, query.viewer.as_ref()).map(|p| to_json(&p)),
            Command::Erase(input) => self.erase(input).map(|r| to_json(&r)),
        }
    }

    /// [`Engine::call`] with the command as JSON text, `{"op", "input"}`: the C ABI's `journey_call`.
    pub fn call_json(&self, text: &str) -> Result<Value> {
        self.call(&Command::from_json(text)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_read_the_vector_step_form() {
        assert_eq!(Command::new("stats", Value::Null).unwrap(), Command::Stats);
        assert_eq!(Command::from_value(&json!({"op": "stats"})).unwrap(), Command::Stats);
        assert_eq!(Command::new("advance", json!("46s")).unwrap(), Command::Advance("46s".into()));
        let start = Command::new("startAgentSession", json!({"agentId": "a1"})).unwrap();
        assert_eq!(start, Command::StartAgentSession(AgentInput { agent_id: "a1".into() }));
        assert_eq!(
            serde_json::to_value(&start).unwrap(),
            json!({"op": "startAgentSession", "input": {"agentId": "a1"}})
        );
    }

    #[test]
    fn bad_commands_are_named() {
        let unknown = Command::new("explode", json!({})).unwrap_err();
        assert_eq!(unknown.code(), "INVALID_ARGUMENT");
        assert!(unknown.to_string().contains("explode"), "{unknown}");
        let bad_input = Command::new("startAgentSession", json!({"agent": "a1"})).unwrap_err();
        assert!(bad_input.to_string().contains("agent"), "{bad_input}");
        assert_eq!(Command::from_json("{").unwrap_err().code(), "INVALID_JSON");
    }
}
