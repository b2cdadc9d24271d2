//! The engine's effects as values (docs/architecture.md, "The `Change` seam").
//!
//! Every state change the engine makes passes the gate (`gate.rs`) with the [`Change`] that
//! describes it; a durable engine's [`Journal`](super::journal::Journal) stores the change's JSON
//! form, `{"op", "input"}` (the form of a vector step), and replay reads it back as a
//! [`Replayed`] change and applies it with [`Engine::apply_change`], through the same code as the
//! live call. The journal itself only frames these bytes (docs/durability.md).

use crate::base::error::Result;
use crate::base::time::Millis;
use crate::engine::Engine;
use crate::engine::command::Command;
use crate::engine::erase::Tombstone;
use crate::engine::ingest::Source;
use crate::engine::orchestration::DefinitionKind;
use crate::engine::retention::Cutoffs;
use crate::model::outcome::Outcome;
use crate::state::agent::{AgentQueues, NextEventsRequest};
use crate::state::stats::Tally;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use uuid::Uuid;

/// One effect to record, borrowed from the call that made it.
pub(crate) enum Change<'a> {
    /// An accepted event, as it was sent.
    Ingest(Source<'a>),
    /// A public op, as a command.
    Call(Command),
    /// A web action event that changed a state.
    ActionEvent(&'a Value),
    /// The duplicates and rejections of one ingest call.
    Tally(&'a Tally),
    /// A retention sweep.
    Evict(Cutoffs),
    /// A poll that took nothing acknowledged events up to a sequence.
    Acknowledged { session_id: &'a str, through: u64 },
    /// `start_agent_session`, with the id it gave (ids are random, so replay must be told).
    AgentSessionStarted { agent_id: &'a str, session_id: Uuid },
    /// Delayed activations fired because the clock passed their due time.
    OrchestrationDue { through: Millis },
    /// A put's definition as stored (id, version and dates set), which replay takes without the
    /// put's checks (docs/orchestration.md, "Decided after review").
    DefinitionStored { kind: DefinitionKind, definition: Value },
    /// An erasure's tombstone: the keyed digests of the identifiers it erased (docs/identity.md).
    Erased(Tombstone),
}

impl Change<'_> {
    /// The change of a poll that acknowledged through `through`, then took `count` events:
    /// replay acknowledges and takes the same ones.
    pub fn taken(session_id: &str, through: u64, count: usize) -> Change<'static> {
        let request = NextEventsRequest {
            session_id: session_id.to_owned(),
            timeout_ms: 0,
            max: Some(count),
            ack: Some(through),
        };
        Change::Call(Command::NextEvents(request))
    }

    /// Writes the change's JSON form, `{"op", "input"}`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            // INGEST_PREFIX, the event, `}`: replay reads the event from between them.
            Change::Ingest(Source::Text(bytes)) => framed(out, "ingest", |out| out.extend_from_slice(bytes)),
            Change::Ingest(Source::Value(value)) => framed(out, "ingest", |out| json_into(out, value)),
            Change::ActionEvent(value) => framed(out, "recordActionEvent", |out| json_into(out, value)),
            Change::Tally(tally) => framed(out, "tally", |out| json_into(out, tally)),
            Change::Evict(cutoffs) => framed(out, "evict", |out| json_into(out, cutoffs)),
            Change::Acknowledged { session_id, through } => framed(out, "acknowledge", |out| {
                json_into(out, &serde_json::json!({"sessionId": session_id, "through": through}))
            }),
            Change::AgentSessionStarted { agent_id, session_id } => framed(out, "agentSessionStarted", |out| {
                json_into(out, &serde_json::json!({"agentId": agent_id, "sessionId": session_id}))
            }),
            Change::OrchestrationDue { through } => {
                framed(out, "orchestrationDue", |out| json_into(out, &DueInput { through: *through }))
            }
            Change::DefinitionStored { kind, definition } => {
                framed(out, "definitionStored", |out| json_into(out, &DefinitionStoredRef { kind: *kind, definition }))
            }
            Change::Erased(tombstone) => framed(out, "erased", |out| json_into(out, tombstone)),
            Change::Call(command) => json_into(out, command),
        }
    }
}

/// The input of a `definitionStored` change, as written: `{"kind", "definition"}`.
#[derive(serde::Serialize)]
struct DefinitionStoredRef<'a> {
    kind: DefinitionKind,
    definition: &'a Value,
}

/// Writes `{"op":"<op>","input":<what write_input writes>}`.
fn framed(out: &mut Vec<u8>, op: &str, write_input: impl FnOnce(&mut Vec<u8>)) {
    out.extend_from_slice(br#"{"op":""#);
    out.extend_from_slice(op.as_bytes());
    out.extend_from_slice(br#"","input":"#);
    write_input(out);
    out.push(b'}');
}

/// Writes a value's JSON; into a Vec, serializing the engine's types cannot fail.
fn json_into(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    let _ = serde_json::to_writer(&mut *out, value);
}

/// How [`Change::write_json`] begins an accepted event.
const INGEST_PREFIX: &[u8] = br#"{"op":"ingest","input":"#;

/// Whether a change's JSON form is a `checkpoint` (as [`Change::write_json`] writes it).
pub(crate) fn is_checkpoint(json: &[u8]) -> bool {
    json.starts_with(br#"{"op":"checkpoint""#)
}

/// Whether a change's JSON form is an erasure's tombstone: recovery to a checkpoint keeps it
/// whatever follows, so that what it erased never comes back.
pub(crate) fn is_erasure(json: &[u8]) -> bool {
    json.starts_with(br#"{"op":"erased""#)
}

/// A change read back from its JSON form, typed.
#[derive(Debug)]
pub(crate) enum Replayed<'a> {
    /// An accepted event's JSON text.
    Ingest(&'a [u8]),
    /// A public op.
    Call(Command),
    /// The duplicates and rejections of one ingest call.
    Tally(Tally),
    /// A retention sweep.
    Evict(Cutoffs),
    /// A poll that took nothing acknowledged events up to `through`.
    Acknowledged(AcknowledgedInput),
    /// A login, with the session id it gave.
    AgentSessionStarted(AgentSessionStartedInput),
    /// A login recorded by stores written before agent session ids were random: the id is
    /// derived from the agent's login count.
    LegacyAgentSessionStart(LegacyLoginInput),
    /// Delayed activations fired at `through`.
    OrchestrationDue(DueInput),
    /// A definition as a put stored it.
    DefinitionStored(DefinitionStoredInput),
    /// An erasure's tombstone.
    Erased(Tombstone),
}

/// The input of an `orchestrationDue` change: the time the activations were due at.
#[derive(Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DueInput {
    #[serde(with = "crate::base::time::rfc3339")]
    through: Millis,
}

/// Whether a replayed change applied as it did when it was made; `Err` says how it did not.
pub(crate) type Applied = std::result::Result<(), String>;

/// The input of an `acknowledge` change.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AcknowledgedInput {
    session_id: String,
    through: u64,
}

/// The input of an `agentSessionStarted` change.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AgentSessionStartedInput {
    agent_id: String,
    session_id: Uuid,
}

/// The input of a `definitionStored` change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DefinitionStoredInput {
    kind: DefinitionKind,
    definition: Value,
}

/// The input of a legacy `startAgentSession` change.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LegacyLoginInput {
    agent_id: String,
}

/// A change's JSON form, its input left as text until the op is known.
#[derive(Deserialize)]
struct Framed<'a> {
    op: &'a str,
    #[serde(borrow)]
    input: Option<&'a RawValue>,
}

impl<'a> Replayed<'a> {
    /// Reads a change from its JSON form; the message says what is wrong with one that is not.
    pub fn parse(json: &'a [u8]) -> std::result::Result<Replayed<'a>, String> {
        // Nearly every change is an accepted event: take its text from the framing that
        // `Change::write_json` wrote, instead of reading the JSON twice.
        if let Some(event) = json.strip_prefix(INGEST_PREFIX).and_then(|rest| rest.strip_suffix(b"}")) {
            return Ok(Replayed::Ingest(event));
        }
        let framed: Framed<'a> = serde_json::from_slice(json).map_err(|e| format!("not a change: {e}"))?;
        let input = framed.input.map_or("null", RawValue::get);
        let typed = |what: &str, e: serde_json::Error| format!("a bad {what}: {e}");
        Ok(match framed.op {
            "ingest" => Replayed::Ingest(input.as_bytes()),
            "tally" => Replayed::Tally(serde_json::from_str(input).map_err(|e| typed("tally", e))?),
            "evict" => Replayed::Evict(serde_json::from_str(input).map_err(|e| typed("evict", e))?),
            "acknowledge" => Replayed::Acknowledged(serde_json::from_str(input).map_err(|e| typed("acknowledge", e))?),
            "agentSessionStarted" => {
                Replayed::AgentSessionStarted(serde_json::from_str(input).map_err(|e| typed("agentSessionStarted", e))?)
            }
            "orchestrationDue" => {
                Replayed::OrchestrationDue(serde_json::from_str(input).map_err(|e| typed("orchestrationDue", e))?)
            }
            "definitionStored" => {
                Replayed::DefinitionStored(serde_json::from_str(input).map_err(|e| typed("definitionStored", e))?)
            }
            "erased" => Replayed::Erased(serde_json::from_str(input).map_err(|e| typed("erased", e))?),
            "startAgentSession" => Replayed::LegacyAgentSessionStart(
                serde_json::from_str(input).map_err(|e| typed("startAgentSession", e))?,
            ),
            op => {
                let value: Value = serde_json::from_str(input).map_err(|e| typed(op, e))?;
                Replayed::Call(Command::new(op, value).map_err(|e| e.to_string())?)
            }
        })
    }
}

impl Engine {
    /// Applies a change read back from a journal, with the clock pinned to `now`, the time it was
    /// made. The inner `Err` says how it did not apply as it did when it was made (replay must give
    /// the state the journal describes, or say that it cannot); the outer `Err` is an ingest's own
    /// error, passed on as it is.
    pub(crate) fn apply_change(&self, now: Option<Millis>, change: &Replayed<'_>) -> Result<Applied> {
        self.clock.pin(now);
        let applied = self.apply_pinned(change);
        self.clock.unpin();
        applied
    }

    fn apply_pinned(&self, change: &Replayed<'_>) -> Result<Applied> {
        let applied = match change {
            Replayed::Ingest(event) => match self.ingest_json(event)? {
                Outcome::Accepted { .. } => Ok(()),
                other => Err(format!("a recorded event replayed as {}", other.status())),
            },
            Replayed::Tally(tally) => {
                self.counters.add_tally(tally);
                Ok(())
            }
            Replayed::Evict(cutoffs) => {
                self.evict(*cutoffs);
                Ok(())
            }
            Replayed::Acknowledged(input) => match self.agents.acknowledge(&input.session_id, Some(input.through)) {
                Ok(Some(_)) => Ok(()),
                other => Err(format!("an acknowledgement replayed as {other:?}")),
            },
            Replayed::AgentSessionStarted(input) => {
                match self.start_agent_session_as(&input.agent_id, |_| input.session_id) {
                    Ok(started) if started.session_id == input.session_id => Ok(()),
                    other => Err(format!("a login replayed as {other:?}")),
                }
            }
            Replayed::LegacyAgentSessionStart(input) => self
                .start_agent_session_as(&input.agent_id, |state| AgentQueues::legacy_session_id(&input.agent_id, state))
                .map(|_| ())
                .map_err(|e| format!("a login failed on replay: {e}")),
            Replayed::OrchestrationDue(input) => match self.fire_due_through(input.through) {
                (_, 0) => Err("delayed activations were recorded as due, and none were".into()),
                _ => Ok(()),
            },
            Replayed::DefinitionStored(input) => self.restore_definition(input.kind, &input.definition),
            Replayed::Erased(tombstone) => self.replay_erasure(tombstone),
            Replayed::Call(command) => self.replay_call(command),
        };
        Ok(applied)
    }

    /// Replays a public op through [`Engine::call`], the one dispatcher.
    fn replay_call(&self, command: &Command) -> Applied {
        let result: Result<Value> = self.call(command);
        let op = || serde_json::to_value(command).ok().and_then(|c| c["op"].as_str().map(str::to_owned));
        let result = result.map_err(|e| format!("{} failed on replay: {e}", op().unwrap_or_default()))?;
        // A poll is recorded with the number of events it took: replay must take as many.
        if let Command::NextEvents(request) = command {
            let taken = result.get("events").and_then(Value::as_array).map_or(0, Vec::len);
            if Some(taken) != request.max {
                return Err(format!("a poll that took {:?} events took {taken}", request.max));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::error::{Violation, ViolationCode};
    use serde_json::json;

    fn written(change: &Change<'_>) -> String {
        let mut out = Vec::new();
        change.write_json(&mut out);
        String::from_utf8(out).unwrap()
    }

    /// The JSON of each change is what the journal has always held (stores written before must
    /// replay), and it reads back as the same change.
    #[test]
    fn every_change_is_written_as_before_and_reads_back() {
        let event = json!({"a": 1});
        assert_eq!(written(&Change::Ingest(Source::Text(br#"{"a":1}"#))), r#"{"op":"ingest","input":{"a":1}}"#);
        let text = written(&Change::Ingest(Source::Value(&event)));
        assert_eq!(text, r#"{"op":"ingest","input":{"a":1}}"#);
        assert!(matches!(Replayed::parse(text.as_bytes()), Ok(Replayed::Ingest(b"{\"a\":1}"))));

        let action = json!({"actionId": "x"});
        let text = written(&Change::ActionEvent(&action));
        assert_eq!(text, r#"{"op":"recordActionEvent","input":{"actionId":"x"}}"#);
        assert!(
            matches!(Replayed::parse(text.as_bytes()), Ok(Replayed::Call(Command::RecordActionEvent(a))) if a == action)
        );

        let mut tally = Tally::default();
        tally.duplicate();
        tally.reject(&[Violation::new(ViolationCode::TooLong, "/a", "x")]);
        let text = written(&Change::Tally(&tally));
        assert_eq!(
            text,
            r#"{"op":"tally","input":{"eventsDuplicate":1,"eventsRejected":1,"rejectedByCode":{"TOO_LONG":1}}}"#
        );
        assert!(matches!(Replayed::parse(text.as_bytes()), Ok(Replayed::Tally(t)) if t == tally));

        let cutoffs =
            Cutoffs { actions_before: 0, persisted_before: Some(1_000), sessions_before: None, cookies_before: None };
        let text = written(&Change::Evict(cutoffs));
        assert_eq!(
            text,
            r#"{"op":"evict","input":{"actionsBefore":"1970-01-01T00:00:00.000Z","persistedBefore":"1970-01-01T00:00:01.000Z","sessionsBefore":null}}"#
        );
        assert!(matches!(Replayed::parse(text.as_bytes()), Ok(Replayed::Evict(c)) if c == cutoffs));

        let text = written(&Change::Acknowledged { session_id: "s-1", through: 3 });
        assert_eq!(text, r#"{"op":"acknowledge","input":{"sessionId":"s-1","through":3}}"#);
        assert!(matches!(Replayed::parse(text.as_bytes()),
            Ok(Replayed::Acknowledged(AcknowledgedInput { session_id, through: 3 })) if session_id == "s-1"));

        let text = written(&Change::AgentSessionStarted { agent_id: "a-1", session_id: Uuid::nil() });
        assert_eq!(
            text,
            r#"{"op":"agentSessionStarted","input":{"agentId":"a-1","sessionId":"00000000-0000-0000-0000-000000000000"}}"#
        );
        assert!(matches!(Replayed::parse(text.as_bytes()),
            Ok(Replayed::AgentSessionStarted(AgentSessionStartedInput { agent_id, session_id })) if agent_id == "a-1" && session_id.is_nil()));

        let text = written(&Change::OrchestrationDue { through: 1_000 });
        assert_eq!(text, r#"{"op":"orchestrationDue","input":{"through":"1970-01-01T00:00:01.000Z"}}"#);
        assert!(matches!(
            Replayed::parse(text.as_bytes()),
            Ok(Replayed::OrchestrationDue(DueInput { through: 1_000 }))
        ));

        let text = written(&Change::Call(Command::Advance("46s".into())));
        assert_eq!(text, r#"{"op":"advance","input":"46s"}"#);
        assert!(matches!(Replayed::parse(text.as_bytes()), Ok(Replayed::Call(Command::Advance(by))) if by == "46s"));

        let segment = json!({"id": "4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e", "version": 2, "displayName": "Delayed"});
        let text = written(&Change::DefinitionStored { kind: DefinitionKind::Segment, definition: segment.clone() });
        assert_eq!(
            text,
            r#"{"op":"definitionStored","input":{"kind":"segment","definition":{"displayName":"Delayed","id":"4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e","version":2}}}"#
        );
        assert!(matches!(Replayed::parse(text.as_bytes()),
            Ok(Replayed::DefinitionStored(DefinitionStoredInput { kind: DefinitionKind::Segment, definition })) if definition == segment));
        let text = written(&Change::DefinitionStored { kind: DefinitionKind::ActionMap, definition: json!({}) });
        assert_eq!(text, r#"{"op":"definitionStored","input":{"kind":"actionMap","definition":{}}}"#);

        let delete = Command::DeleteSegment(crate::engine::command::DefinitionIdInput { id: "s-1".into() });
        let text = written(&Change::Call(delete.clone()));
        assert_eq!(text, r#"{"op":"deleteSegment","input":{"id":"s-1"}}"#);
        assert!(matches!(Replayed::parse(text.as_bytes()), Ok(Replayed::Call(command)) if command == delete));

        let tombstone = Tombstone::new(&[0xab, u128::MAX], true);
        let text = written(&Change::Erased(tombstone.clone()));
        assert_eq!(
            text,
            r#"{"op":"erased","input":{"digests":["000000000000000000000000000000ab","ffffffffffffffffffffffffffffffff"],"forget":true}}"#
        );
        assert!(is_erasure(text.as_bytes()) && !is_checkpoint(text.as_bytes()));
        assert!(matches!(Replayed::parse(text.as_bytes()), Ok(Replayed::Erased(t)) if t == tombstone));

        let text = written(&Change::taken("s-1", 2, 5));
        assert_eq!(text, r#"{"op":"nextEvents","input":{"sessionId":"s-1","timeoutMs":0,"max":5,"ack":2}}"#);
        assert!(matches!(Replayed::parse(text.as_bytes()), Ok(Replayed::Call(Command::NextEvents(_)))));
    }

    #[test]
    fn old_and_bad_changes_read_as_such() {
        let legacy = br#"{"op":"startAgentSession","input":{"agentId":"a-1"}}"#;
        assert!(
            matches!(Replayed::parse(legacy), Ok(Replayed::LegacyAgentSessionStart(LegacyLoginInput { agent_id })) if agent_id == "a-1")
        );
        assert!(is_checkpoint(br#"{"op":"checkpoint","input":{"offset":1}}"#));
        for bad in [
            &b"{"[..],
            br#"{"op":"tally","input":{}}"#,
            br#"{"op":"evict","input":{"actionsBefore":"x"}}"#,
            br#"{"op":"explode"}"#,
            br#"{"op":"definitionStored","input":{"kind":"widget","definition":{}}}"#,
            br#"{"op":"definitionStored","input":{"definition":{}}}"#,
            br#"{"op":"erased","input":{"digests":["xyz"],"forget":false,"customer":"a"}}"#,
            br#"{"op":"erased","input":{"forget":false}}"#,
        ] {
            assert!(Replayed::parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
