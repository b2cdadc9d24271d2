//! The definition ops (docs/orchestration.md, "Ops"): put, delete and list segments, outcomes and
//! action maps.
//!
//! A put reads the definition and checks it, alone and against the catalog, before anything
//! changes; then, inside one change, it stores it through the engine's rules. The journal records
//! the definition *as stored* (`definitionStored`, with its id, version and dates), and replay
//! inserts it without the put's checks, so that a later build with stricter checks still opens a
//! store an older one wrote (docs/orchestration.md, "Decided after review"). A delete is journaled
//! as its command and replays through [`Engine::call`]. Definitions carry no customer: a
//! partitioned host sends these ops to every partition (`partition::command_broadcast`).

use crate::base::error::{JourneyError, Result};
use crate::base::time::Millis;
use crate::engine::Engine;
use crate::engine::change::{Applied, Change};
use crate::engine::command::{Command, DefinitionIdInput};
use crate::model::orchestration::{check_action_map, check_outcome, check_segment, read_definition};
use crate::state::orchestration::{Definitions, Limits};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The time a put dates a definition at under an event clock that has seen no event: such a
/// clock has no time yet, and the wall clock's would differ between the partitions that each
/// store the same put.
const BEFORE_ANY_EVENT: Millis = 0;

/// The three kinds of definition, as a `definitionStored` record names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum DefinitionKind {
    /// A segment.
    Segment,
    /// An outcome.
    Outcome,
    /// An action map.
    ActionMap,
}

impl Engine {
    /// Creates or replaces a segment, given in the JSON form of Genesys' `JourneySegment`, and
    /// returns it as stored, with its `id`, `version`, `createdDate` and `modifiedDate`. A
    /// definition that is wrong in itself or against the catalog, or one past
    /// `orchestration.maxSegments`, is `INVALID_ARGUMENT` naming the field by JSON pointer, and
    /// nothing changes.
    pub fn put_segment(&self, definition: &Value) -> Result<Value> {
        let segment = read_definition(definition)?;
        check_segment(&self.catalog, &segment).map_err(refused)?;
        self.put(DefinitionKind::Segment, |stored, limits, now| stored.put_segment(segment, limits, now))
    }

    /// Creates or replaces an outcome (Genesys' `Outcome` form), as [`Engine::put_segment`] does.
    pub fn put_outcome(&self, definition: &Value) -> Result<Value> {
        let outcome = read_definition(definition)?;
        check_outcome(&self.catalog, &outcome).map_err(refused)?;
        self.put(DefinitionKind::Outcome, |stored, limits, now| stored.put_outcome(outcome, limits, now))
    }

    /// Creates or replaces an action map (Genesys' `ActionMap` form), as [`Engine::put_segment`]
    /// does; every segment it triggers with must exist.
    pub fn put_action_map(&self, definition: &Value) -> Result<Value> {
        let map = read_definition(definition)?;
        check_action_map(&self.catalog, &map).map_err(refused)?;
        self.put(DefinitionKind::ActionMap, |stored, limits, now| stored.put_action_map(map, limits, now))
    }

    /// Deletes a segment: `NOT_FOUND` when there is none, `INVALID_ARGUMENT` naming the action map
    /// that triggers with it.
    pub fn delete_segment(&self, id: &str) -> Result<()> {
        let command = Command::DeleteSegment(DefinitionIdInput { id: id.to_owned() });
        self.delete(command, |stored| stored.delete_segment(id))
    }

    /// Deletes an outcome: `NOT_FOUND` when there is none.
    pub fn delete_outcome(&self, id: &str) -> Result<()> {
        let command = Command::DeleteOutcome(DefinitionIdInput { id: id.to_owned() });
        self.delete(command, |stored| stored.delete_outcome(id))
    }

    /// Deletes an action map: `NOT_FOUND` when there is none.
    pub fn delete_action_map(&self, id: &str) -> Result<()> {
        let command = Command::DeleteActionMap(DefinitionIdInput { id: id.to_owned() });
        self.delete(command, |stored| stored.delete_action_map(id))
    }

    /// The segments as stored, in id order.
    pub fn list_segments(&self) -> Vec<Value> {
        self.list(|stored| stored.segments().map(to_json).collect())
    }

    /// The outcomes as stored, in id order.
    pub fn list_outcomes(&self) -> Vec<Value> {
        self.list(|stored| stored.outcomes().map(to_json).collect())
    }

    /// The action maps as stored, in id order.
    pub fn list_action_maps(&self) -> Vec<Value> {
        self.list(|stored| stored.action_maps().map(to_json).collect())
    }

    /// Stores a checked definition with `put`, in one change recorded as the definition stored.
    fn put<D: Serialize>(
        &self,
        kind: DefinitionKind,
        put: impl FnOnce(&mut Definitions, &Limits, Millis) -> Result<D>,
    ) -> Result<Value> {
        let now = self.clock.now();
        let limits = self.definition_limits();
        let apply = || {
            let stored =
                self.rules.update(&self.catalog, |stored| put(stored, &limits, now.unwrap_or(BEFORE_ANY_EVENT)))?;
            Ok(to_json(&stored))
        };
        let record = |stored: &Value| Some(Change::DefinitionStored { kind, definition: stored.clone() });
        self.change_and_settle(now, apply, record)
    }

    /// Deletes a definition with `delete`, in one change recorded as `command`.
    fn delete(&self, command: Command, delete: impl FnOnce(&mut Definitions) -> Result<()>) -> Result<()> {
        let apply = || self.rules.update(&self.catalog, delete);
        self.change_and_settle(self.clock.now(), apply, |_| Some(Change::Call(command)))
    }

    /// A list of definitions, showing only durable changes as every read does.
    fn list(&self, list: impl Fn(&Definitions) -> Vec<Value>) -> Vec<Value> {
        let read = |engine: &Engine| Ok(list(&engine.rules.current().definitions));
        self.read_durably(read).unwrap_or_else(|_| list(&self.rules.current().definitions))
    }

    /// Replays a `definitionStored` record: the definition goes in as it was stored, without the
    /// checks of a put (an older build's journal must replay under a stricter one).
    pub(crate) fn restore_definition(&self, kind: DefinitionKind, definition: &Value) -> Applied {
        let restore = |stored: &mut Definitions| match kind {
            DefinitionKind::Segment => stored.restore_segment(from_json(definition)?),
            DefinitionKind::Outcome => stored.restore_outcome(from_json(definition)?),
            DefinitionKind::ActionMap => stored.restore_action_map(from_json(definition)?),
        };
        self.rules.update(&self.catalog, restore).map_err(|e| format!("a stored {kind:?} did not read back: {e}"))
    }

    /// The definitions an engine holds back from its snapshot's part (their JSON text).
    pub(crate) fn restore_definitions(&self, text: &str) -> Result<()> {
        let restored = Definitions::from_saved(text)?;
        self.rules.update(&self.catalog, |stored| {
            *stored = restored;
            Ok(())
        })
    }

    /// How many definitions of each kind the config allows.
    fn definition_limits(&self) -> Limits {
        let config = &self.config.orchestration;
        Limits { segments: config.max_segments, outcomes: config.max_outcomes, action_maps: config.max_action_maps }
    }
}

/// A catalog check's fault, `(pointer, message)`, as the error a put returns.
fn refused((pointer, message): (String, String)) -> JourneyError {
    JourneyError::invalid_argument(format!("{pointer}: {message}"))
}

fn to_json(definition: &impl Serialize) -> Value {
    // A definition's fields are strings, numbers, enums and JSON values: it always serializes.
    serde_json::to_value(definition).unwrap_or_default()
}

/// A stored definition read back, in its shape only.
fn from_json<D: serde::de::DeserializeOwned>(definition: &Value) -> Result<D> {
    D::deserialize(definition).map_err(|e| JourneyError::invalid_argument(crate::base::text::bounded(e)))
}
