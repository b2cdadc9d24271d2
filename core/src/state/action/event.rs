//! A web action event (SPEC §6): its fields and their checks.

use super::lifecycle::{ActionState, MediaType};
use crate::base::error::{JourneyError, Result};
use crate::base::text::clip_json;
use crate::base::time::{Millis, format_millis, parse_rfc3339};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// A checked web action event, as delivered to subscribers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ActionEventDelivered"))]
#[serde(rename_all = "camelCase")]
pub struct ActionEvent {
    /// The action.
    pub action_id: Uuid,
    /// The state it moved to.
    pub action_state: ActionState,
    /// The kind of action.
    pub action_media_type: MediaType,
    /// The action map that triggered it.
    pub action_map_id: Uuid,
    /// The action map's version (≥ 1).
    pub action_map_version: u64,
    /// The customer (a cookie id).
    pub customer_id: Uuid,
    /// Always `cookie`.
    pub customer_id_type: String,
    /// The customer's web session.
    pub session_id: Uuid,
    /// With `errored` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    /// With `errored` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// When it happened (the engine's `now` when not given).
    pub created_date: String,
}

const FIELDS: [&str; 11] = [
    "actionId",
    "actionState",
    "actionMediaType",
    "actionMapId",
    "actionMapVersion",
    "customerId",
    "customerIdType",
    "sessionId",
    "errorCode",
    "errorMessage",
    "createdDate",
];

impl ActionEvent {
    /// Reads and checks an action event; `INVALID_ARGUMENT` names the first bad field.
    pub fn from_value(value: &Value, now: Millis) -> Result<ActionEvent> {
        let map = value.as_object().ok_or_else(|| invalid("", "an action event must be a JSON object"))?;
        if let Some(key) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(invalid(key, "is not a field of an action event"));
        }
        let action_state = parse_state(map)?;
        let error_code = optional(map, "errorCode", |v| v.as_i64(), "an integer")?;
        let error_message = optional(map, "errorMessage", |v| v.as_str().map(str::to_owned), "a string")?;
        if action_state != ActionState::Errored && (error_code.is_some() || error_message.is_some()) {
            let field = if error_code.is_some() { "errorCode" } else { "errorMessage" };
            return Err(invalid(field, "is allowed only with actionState errored"));
        }
        let created = optional(map, "createdDate", |v| v.as_str().and_then(parse_rfc3339), "an RFC 3339 timestamp")?;
        Ok(ActionEvent {
            action_id: uuid(map, "actionId")?,
            action_state,
            action_media_type: required(
                map,
                "actionMediaType",
                |v| v.as_str().and_then(MediaType::parse),
                "webchat, webmessaging or contentoffer",
            )?,
            action_map_id: uuid(map, "actionMapId")?,
            action_map_version: required(
                map,
                "actionMapVersion",
                |v| v.as_u64().filter(|n| *n >= 1),
                "an integer of at least 1",
            )?,
            customer_id: uuid(map, "customerId")?,
            customer_id_type: required(
                map,
                "customerIdType",
                |v| v.as_str().filter(|t| *t == "cookie").map(str::to_owned),
                "\"cookie\"",
            )?,
            session_id: uuid(map, "sessionId")?,
            error_code,
            error_message,
            created_date: format_millis(created.unwrap_or(now)),
        })
    }
}

fn parse_state(map: &Map<String, Value>) -> Result<ActionState> {
    required(map, "actionState", |v| v.as_str().and_then(ActionState::parse), "a lifecycle state")
}

fn invalid(field: &str, message: &str) -> JourneyError {
    JourneyError::invalid_argument(if field.is_empty() { message.to_owned() } else { format!("{field} {message}") })
}

fn required<T>(map: &Map<String, Value>, field: &str, read: impl Fn(&Value) -> Option<T>, expected: &str) -> Result<T> {
    let value = map.get(field).ok_or_else(|| invalid(field, "is required"))?;
    // The value is the caller's: cut, like every echoed input (a 1 MB state gave a 1 MB error).
    read(value).ok_or_else(|| invalid(field, &format!("must be {expected}, got {}", clip_json(value))))
}

fn optional<T>(
    map: &Map<String, Value>,
    field: &str,
    read: impl Fn(&Value) -> Option<T>,
    expected: &str,
) -> Result<Option<T>> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => required(map, field, read, expected).map(Some),
    }
}

fn uuid(map: &Map<String, Value>, field: &str) -> Result<Uuid> {
    required(map, field, |v| v.as_str().and_then(|s| Uuid::try_parse(s).ok()), "a UUID string")
}
