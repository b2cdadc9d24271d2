//! What a subscriber is told: a web action's state change, or an action map's `callback` firing
//! (docs/orchestration.md, "Firing"). One subscription list and one callback type carry both, so
//! every binding hands either to its host the same way, as JSON.

use super::event::ActionEvent;
use crate::model::event::Customer;
use serde::Serialize;
use uuid::Uuid;

/// One delivery to a subscriber; its JSON form is the inner value's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Notification {
    /// A web action moved to a new state (patterns `mediaType:state`).
    Action(ActionEvent),
    /// An action map with a `callback` action fired (patterns `trigger:<mapId>`, `trigger:all`).
    Trigger(Trigger),
}

/// An action map's `callback` firing, as its subscribers receive it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "TriggerDelivered"))]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    /// The map that fired.
    pub action_map_id: Uuid,
    /// Its version.
    pub version: u64,
    /// The session it qualified in.
    pub session_id: Uuid,
    /// The session's customer.
    pub customer: Customer,
    /// The event it qualified on.
    pub event_id: Uuid,
    /// When it fired (the engine's time).
    pub fired_date: String,
}

impl Notification {
    /// The web action event, when it is one.
    pub fn as_action(&self) -> Option<&ActionEvent> {
        match self {
            Notification::Action(event) => Some(event),
            Notification::Trigger(_) => None,
        }
    }

    /// The map firing, when it is one.
    pub fn as_trigger(&self) -> Option<&Trigger> {
        match self {
            Notification::Trigger(trigger) => Some(trigger),
            Notification::Action(_) => None,
        }
    }
}
