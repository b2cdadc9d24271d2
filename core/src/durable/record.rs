//! What a journal record says, and how replay applies it.
//!
//! A record's command has the JSON form of a vector step, `{"op", "input"}`. Replay sends the public
//! ops back through [`Engine::call`], the one dispatcher, with the clock pinned to the record's
//! `now`; the two journal-only ops, `tally` and `evict`, are applied here.

use super::journal::{JournalRead, RecordRead};
use crate::base::error::{JourneyError, Result};
use crate::engine::Engine;
use crate::engine::command::Command;
use crate::engine::ingest::Source;
use crate::engine::retention::Cutoffs;
use crate::model::outcome::Outcome;
use crate::state::agent::{AgentQueues, NextEventsRequest};
use crate::state::stats::Tally;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::path::Path;
use uuid::Uuid;

/// A change to journal, borrowed from the call that made it.
pub(crate) enum Record<'a> {
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
}

impl Record<'_> {
    /// The record of a poll that acknowledged through `through`, then took `count` events:
    /// replay acknowledges and takes the same ones.
    pub fn taken(session_id: &str, through: u64, count: usize) -> Record<'static> {
        let request = NextEventsRequest {
            session_id: session_id.to_owned(),
            timeout_ms: 0,
            max: Some(count),
            ack: Some(through),
        };
        Record::Call(Command::NextEvents(request))
    }

    /// The record of a `start_agent_session` that answered `session_id`.
    pub fn agent_session_started(agent_id: &str, session_id: Uuid) -> Record<'_> {
        Record::AgentSessionStarted { agent_id, session_id }
    }

    /// The record of a poll that took nothing but acknowledged through `through`.
    pub fn acknowledged(session_id: &str, through: u64) -> Record<'_> {
        Record::Acknowledged { session_id, through }
    }

    /// Writes `{"op", "input"}`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        // Writing JSON into a Vec cannot fail.
        let mut op = |name: &str, input: &dyn erased::Input| {
            out.extend_from_slice(br#"{"op":""#);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(br#"","input":"#);
            input.write(out);
            out.push(b'}');
        };
        match self {
            // INGEST_PREFIX, the event, `}`: replay reads the event from between them.
            Record::Ingest(Source::Text(bytes)) => op("ingest", bytes),
            Record::Ingest(Source::Value(value)) => op("ingest", *value),
            Record::ActionEvent(value) => op("recordActionEvent", *value),
            Record::Tally(tally) => op("tally", &tally.to_json()),
            Record::Evict(cutoffs) => op("evict", &cutoffs.to_json()),
            Record::Acknowledged { session_id, through } => {
                op("acknowledge", &serde_json::json!({"sessionId": session_id, "through": through}))
            }
            Record::AgentSessionStarted { agent_id, session_id } => {
                op("agentSessionStarted", &serde_json::json!({"agentId": agent_id, "sessionId": session_id}))
            }
            Record::Call(command) => {
                let _ = serde_json::to_writer(&mut *out, command);
            }
        }
    }
}

/// Inputs written into a record: JSON text as it is, or a value serialized.
mod erased {
    use serde_json::Value;

    pub trait Input {
        fn write(&self, out: &mut Vec<u8>);
    }

    impl Input for &[u8] {
        fn write(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(self);
        }
    }

    impl Input for Value {
        fn write(&self, out: &mut Vec<u8>) {
            let _ = serde_json::to_writer(&mut *out, self);
        }
    }
}

/// How [`Record::write_json`] frames an accepted event.
const INGEST_PREFIX: &[u8] = br#"{"op":"ingest","input":"#;

/// A record's command, with its input left as text until the op is known.
#[derive(Deserialize)]
struct Recorded<'a> {
    op: &'a str,
    #[serde(borrow)]
    input: Option<&'a RawValue>,
}

/// Whether a record's command is a `checkpoint` (the form `Record::write_json` writes).
pub(crate) fn is_checkpoint(command: &[u8]) -> bool {
    command.starts_with(br#"{"op":"checkpoint""#)
}

/// Applies one record to an engine that is being recovered (its clock already pinned to the
/// record's `now`). A record that does not apply as it did when it was made is `CORRUPT_STORE`:
/// replay must give the state the journal describes, or say that it cannot.
pub(crate) fn replay(engine: &Engine, file: &Path, journal: &JournalRead, record: &RecordRead) -> Result<()> {
    let corrupt = |message: String| JourneyError::corrupt(file, record.offset, message);
    let command = journal.command(record);
    let accepted = |outcome: Outcome| match outcome {
        Outcome::Accepted { .. } => Ok(()),
        other => Err(corrupt(format!("record {}: a recorded event replayed as {}", record.seq, other.status()))),
    };
    // Nearly every record is an accepted event: take its text from the framing that
    // `Record::write_json` wrote, instead of reading the JSON twice.
    if let Some(event) = command.strip_prefix(INGEST_PREFIX).and_then(|rest| rest.strip_suffix(b"}")) {
        return accepted(engine.ingest_json(event)?);
    }
    let recorded: Recorded<'_> =
        serde_json::from_slice(command).map_err(|e| corrupt(format!("record {} is not a command: {e}", record.seq)))?;
    let input = recorded.input.map_or("null", RawValue::get);
    match recorded.op {
        "ingest" => accepted(engine.ingest_json(input.as_bytes())?),
        "tally" => {
            let value: Value = serde_json::from_str(input).map_err(|e| corrupt(e.to_string()))?;
            let tally =
                Tally::from_json(&value).ok_or_else(|| corrupt(format!("record {}: a bad tally", record.seq)))?;
            engine.counters.add_tally(&tally);
            Ok(())
        }
        "evict" => {
            let value: Value = serde_json::from_str(input).map_err(|e| corrupt(e.to_string()))?;
            let cutoffs =
                Cutoffs::from_json(&value).ok_or_else(|| corrupt(format!("record {}: a bad evict", record.seq)))?;
            engine.evict(cutoffs);
            Ok(())
        }
        "acknowledge" => {
            let value: Value = serde_json::from_str(input).map_err(|e| corrupt(e.to_string()))?;
            let session = value.get("sessionId").and_then(Value::as_str);
            let through = value.get("through").and_then(Value::as_u64);
            let (Some(session), Some(through)) = (session, through) else {
                return Err(corrupt(format!("record {}: a bad acknowledge", record.seq)));
            };
            match engine.agents.acknowledge(session, Some(through)) {
                Ok(Some(_)) => Ok(()),
                other => Err(corrupt(format!("record {}: an acknowledgement replayed as {other:?}", record.seq))),
            }
        }
        "agentSessionStarted" => {
            let value: Value = serde_json::from_str(input).map_err(|e| corrupt(e.to_string()))?;
            let agent = value.get("agentId").and_then(Value::as_str);
            let session = value.get("sessionId").and_then(Value::as_str).and_then(|s| Uuid::try_parse(s).ok());
            let (Some(agent), Some(session)) = (agent, session) else {
                return Err(corrupt(format!("record {}: a bad agentSessionStarted", record.seq)));
            };
            match engine.start_agent_session_as(agent, |_| session) {
                Ok(started) if started.session_id == session => Ok(()),
                other => Err(corrupt(format!("record {}: a login replayed as {other:?}", record.seq))),
            }
        }
        // Stores written before agent session ids were random recorded the op itself.
        "startAgentSession" => {
            let value: Value = serde_json::from_str(input).map_err(|e| corrupt(e.to_string()))?;
            let agent = value.get("agentId").and_then(Value::as_str);
            let agent = agent.ok_or_else(|| corrupt(format!("record {}: a bad startAgentSession", record.seq)))?;
            engine
                .start_agent_session_as(agent, |state| AgentQueues::legacy_session_id(agent, state))
                .map(|_| ())
                .map_err(|e| corrupt(format!("record {}: a login failed on replay: {e}", record.seq)))
        }
        op => {
            let value: Value = serde_json::from_str(input).map_err(|e| corrupt(e.to_string()))?;
            let command = Command::new(op, value).map_err(|e| corrupt(format!("record {}: {e}", record.seq)))?;
            let result = engine
                .call(&command)
                .map_err(|e| corrupt(format!("record {} ({op}) failed on replay: {e}", record.seq)))?;
            // A poll is recorded with the number of events it took: replay must take as many.
            if let Command::NextEvents(request) = &command {
                let taken = result.get("events").and_then(Value::as_array).map_or(0, Vec::len);
                if Some(taken) != request.max {
                    return Err(corrupt(format!(
                        "record {}: a poll that took {:?} events took {taken}",
                        record.seq, request.max
                    )));
                }
            }
            Ok(())
        }
    }
}
