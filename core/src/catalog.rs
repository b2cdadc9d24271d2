//! The catalog (SPEC §1): session types, their event types, and typed attributes.
//!
//! A catalog is validated as a whole when it is loaded, and every fault is reported with the JSON
//! pointer of the offending value. The built-in `conversation` type (§3.3) is always present; it is
//! written in the same JSON form as user types and loaded by the same code.

use crate::config::Config;
use crate::duration::Duration;
use crate::error::{JourneyError, Result, Violation, ViolationCode};
use crate::shard::FastMap;
use serde_json::{Map, Value};

/// Name of the built-in conversation session type.
pub const CONVERSATION: &str = "conversation";

/// How sessions of a type are keyed and when they end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionKind {
    /// Keyed by `session.externalId` (§3.1).
    Custom,
    /// Keyed by customer and inactivity (§3.2).
    Web,
    /// The built-in conversation type (§3.3).
    Conversation,
}

impl SessionKind {
    /// The kind as it appears in JSON: `custom`, `web` or `conversation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Custom => "custom",
            Self::Web => "web",
            Self::Conversation => "conversation",
        }
    }
}

/// The value type of an attribute, with its constraints.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeType {
    /// A string of at most `max_length` characters (default `config.maxStringLength`).
    String {
        /// Character limit set in the catalog.
        max_length: Option<usize>,
    },
    /// A whole JSON number within the optional bounds.
    Integer {
        /// Smallest allowed value.
        min: Option<i64>,
        /// Largest allowed value.
        max: Option<i64>,
    },
    /// Any finite JSON number within the optional bounds.
    Decimal {
        /// Smallest allowed value.
        min: Option<f64>,
        /// Largest allowed value.
        max: Option<f64>,
    },
    /// `true` or `false`.
    Boolean,
    /// One of a fixed set of strings.
    Enum {
        /// The allowed strings (non-empty, unique).
        values: Vec<String>,
    },
    /// An RFC 3339 timestamp string.
    Datetime,
    /// A UUID string.
    Uuid,
}

impl AttributeType {
    /// The type's name as written in the catalog.
    pub fn name(&self) -> &'static str {
        match self {
            Self::String { .. } => "string",
            Self::Integer { .. } => "integer",
            Self::Decimal { .. } => "decimal",
            Self::Boolean => "boolean",
            Self::Enum { .. } => "enum",
            Self::Datetime => "datetime",
            Self::Uuid => "uuid",
        }
    }
}

/// One typed attribute of an event type or session type.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeDef {
    /// The attribute's name (an identifier).
    pub name: String,
    /// Its value type.
    pub ty: AttributeType,
    /// Whether every event must carry it.
    pub required: bool,
    /// Whether the value is a JSON array of `ty`.
    pub list: bool,
}

/// One event type of a session type.
#[derive(Debug, Clone, PartialEq)]
pub struct EventType {
    /// The event name (an identifier, unique within its session type).
    pub name: String,
    /// The attributes an event of this type may carry.
    pub attributes: Vec<AttributeDef>,
    /// Whether this event ends its session (`endsOn`).
    pub ends_session: bool,
    /// For each attribute, the index of the session attribute of the same name, if any.
    pub(crate) projections: Vec<Option<usize>>,
}

impl EventType {
    /// Index of the attribute called `name`.
    pub fn attribute_index(&self, name: &str) -> Option<usize> {
        self.attributes.iter().position(|a| a.name == name)
    }
}

/// One session type: a template for sessions, with its event types.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionType {
    /// The type's name (an identifier).
    pub name: String,
    /// How its sessions are keyed.
    pub kind: SessionKind,
    /// The name shown on agents' cards (the name itself when not given).
    pub display_name: String,
    /// Sessions turn idle after this long without activity.
    pub idle_after: Duration,
    /// Sessions turn inactive after this long without activity.
    pub inactive_after: Duration,
    /// Web only: the gap that separates two web sessions.
    pub inactivity_gap: Duration,
    /// Session attributes shown on the card, projected from event attributes of the same name.
    pub attributes: Vec<AttributeDef>,
    /// The event types of this session type.
    pub event_types: Vec<EventType>,
}

impl SessionType {
    /// Index of the event type called `name`.
    pub fn event_type_index(&self, name: &str) -> Option<usize> {
        self.event_types.iter().position(|e| e.name == name)
    }
}

/// A validated catalog. Cheap to share: the engine keeps it behind an `Arc`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    session_types: Vec<SessionType>,
    by_name: FastMap<String, usize>,
}

/// The built-in conversation type, in catalog form.
const CONVERSATION_TYPE: &str = r#"{
  "name": "conversation", "kind": "custom", "displayName": "Conversation",
  "endsOn": ["wrapup", "conversation_ended"],
  "eventTypes": [
    { "name": "conversation_started", "attributes": [
        { "name": "channel", "type": "enum", "required": true, "values": ["voice", "webMessaging", "webChat",
          "email", "sms", "whatsapp", "line", "twitter", "facebook", "instagram", "cobrowse", "callback",
          "campaign", "knowledge"] },
        { "name": "direction", "type": "enum", "values": ["inbound", "outbound"] },
        { "name": "messageType", "type": "string" } ] },
    { "name": "queue_joined", "attributes": [
        { "name": "queueId", "type": "string", "required": true }, { "name": "queueName", "type": "string" } ] },
    { "name": "agent_connected", "attributes": [
        { "name": "agentId", "type": "string", "required": true }, { "name": "agentName", "type": "string" },
        { "name": "queueId", "type": "string" } ] },
    { "name": "transferred", "attributes": [
        { "name": "toQueueId", "type": "string" }, { "name": "toAgentId", "type": "string" } ] },
    { "name": "agent_disconnected", "attributes": [ { "name": "agentId", "type": "string", "required": true } ] },
    { "name": "wrapup", "attributes": [
        { "name": "code", "type": "string", "required": true }, { "name": "notes", "type": "string" } ] },
    { "name": "conversation_ended", "attributes": [ { "name": "disconnectType", "type": "string" } ] }
  ]
}"#;

impl Catalog {
    /// Loads and validates a catalog from JSON text, with the default limits.
    pub fn from_json(text: &str) -> Result<Catalog> {
        Catalog::from_json_with_limits(text, &Config::default())
    }

    /// Loads and validates a catalog from JSON text, with the limits of `config`.
    pub fn from_json_with_limits(text: &str, config: &Config) -> Result<Catalog> {
        let value: Value = serde_json::from_str(text).map_err(|e| JourneyError::InvalidCatalog {
            violations: vec![fault("", format!("catalog is not valid JSON: {e}"))],
        })?;
        Catalog::from_value_with_limits(&value, config)
    }

    /// Validates an already-parsed catalog, with the default limits.
    pub fn from_value(value: &Value) -> Result<Catalog> {
        Catalog::from_value_with_limits(value, &Config::default())
    }

    /// Validates an already-parsed catalog against the limits of `config`.
    pub fn from_value_with_limits(value: &Value, config: &Config) -> Result<Catalog> {
        let mut loader = Loader::default();
        let mut session_types = loader.catalog(value);
        if loader.faults.is_empty() {
            loader.check_limits(&session_types, config);
        }
        if let Some(err) = loader.into_error() {
            return Err(err);
        }
        session_types.push(conversation_type());
        let by_name = session_types.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
        Ok(Catalog { session_types, by_name })
    }

    /// Checks this catalog against another config's limits (the engine does this on creation).
    pub fn check_limits(&self, config: &Config) -> Result<()> {
        let user_types: Vec<SessionType> =
            self.session_types.iter().filter(|t| t.kind != SessionKind::Conversation).cloned().collect();
        let mut loader = Loader::default();
        loader.check_limits(&user_types, config);
        loader.into_error().map_or(Ok(()), Err)
    }

    /// Every session type, the built-in conversation type last.
    pub fn session_types(&self) -> &[SessionType] {
        &self.session_types
    }

    /// Index of the session type called `name`.
    pub fn session_type_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The session type at `index`.
    pub fn session_type(&self, index: usize) -> &SessionType {
        &self.session_types[index]
    }
}

fn conversation_type() -> SessionType {
    let value: Value = serde_json::from_str(CONVERSATION_TYPE).unwrap_or(Value::Null);
    let mut loader = Loader { builtin: true, ..Loader::default() };
    let mut ty = loader.session_type(&value, "/builtin/conversation");
    debug_assert!(loader.faults.is_empty(), "built-in conversation type: {:?}", loader.faults);
    ty.kind = SessionKind::Conversation;
    ty
}

/// True when `name` matches `^[A-Za-z][A-Za-z0-9_]{0,63}$`.
pub fn is_identifier(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && bytes[0].is_ascii_alphabetic()
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

fn fault(path: impl Into<String>, message: impl Into<String>) -> Violation {
    Violation::new(ViolationCode::InvalidCatalog, path, message)
}

/// Walks the catalog JSON, collecting every fault instead of stopping at the first.
#[derive(Default)]
struct Loader {
    faults: Vec<Violation>,
    limits: Vec<Violation>,
    builtin: bool,
}

impl Loader {
    fn into_error(self) -> Option<JourneyError> {
        if !self.faults.is_empty() {
            let mut violations = self.faults;
            violations.extend(self.limits);
            Some(JourneyError::InvalidCatalog { violations })
        } else if !self.limits.is_empty() {
            Some(JourneyError::LimitExceeded { violations: self.limits })
        } else {
            None
        }
    }

    fn fault(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.faults.push(fault(path, message));
    }

    /// The object at `path`, with every key outside `allowed` reported.
    fn object<'v>(&mut self, value: &'v Value, path: &str, allowed: &[&str]) -> Option<&'v Map<String, Value>> {
        let Some(map) = value.as_object() else {
            self.fault(path, "expected a JSON object");
            return None;
        };
        for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
            self.fault(format!("{path}/{}", escape(key)), format!("unknown key '{key}'"));
        }
        Some(map)
    }

    /// The array under `key`, or an empty slice when absent (`required` reports that as a fault).
    fn array<'v>(&mut self, map: &'v Map<String, Value>, key: &str, path: &str, required: bool) -> &'v [Value] {
        match map.get(key) {
            Some(Value::Array(items)) => items,
            None if !required => &[],
            None => {
                self.fault(format!("{path}/{key}"), format!("'{key}' is required"));
                &[]
            }
            Some(_) => {
                self.fault(format!("{path}/{key}"), "expected an array");
                &[]
            }
        }
    }

    fn name(&mut self, map: &Map<String, Value>, path: &str) -> String {
        match map.get("name") {
            Some(Value::String(name)) if is_identifier(name) => name.clone(),
            Some(Value::String(name)) => {
                self.fault(
                    format!("{path}/name"),
                    format!("'{name}' is not an identifier (^[A-Za-z][A-Za-z0-9_]{{0,63}}$)"),
                );
                name.clone()
            }
            Some(_) => {
                self.fault(format!("{path}/name"), "expected a string");
                String::new()
            }
            None => {
                self.fault(format!("{path}/name"), "'name' is required");
                String::new()
            }
        }
    }

    fn duration(&mut self, map: &Map<String, Value>, key: &str, path: &str, default: i64) -> Duration {
        match map.get(key) {
            None => Duration::from_millis(default),
            Some(Value::String(text)) => Duration::parse(text).unwrap_or_else(|message| {
                self.fault(format!("{path}/{key}"), message);
                Duration::from_millis(default)
            }),
            Some(_) => {
                self.fault(format!("{path}/{key}"), "expected a duration string such as '45s'");
                Duration::from_millis(default)
            }
        }
    }

    fn catalog(&mut self, value: &Value) -> Vec<SessionType> {
        let Some(map) = self.object(value, "", &["sessionTypes"]) else {
            return Vec::new();
        };
        let items = self.array(map, "sessionTypes", "", true);
        let types: Vec<SessionType> =
            items.iter().enumerate().map(|(i, item)| self.session_type(item, &format!("/sessionTypes/{i}"))).collect();
        let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        for (i, path) in duplicates(&names) {
            self.fault(format!("/sessionTypes/{i}/name"), format!("session type '{path}' is defined twice"));
        }
        types
    }

    fn session_type(&mut self, value: &Value, path: &str) -> SessionType {
        const KEYS: &[&str] =
            &["name", "kind", "displayName", "status", "endsOn", "inactivityGap", "attributes", "eventTypes"];
        let empty = Map::new();
        let map = self.object(value, path, KEYS).unwrap_or(&empty);
        let name = self.name(map, path);
        if name == CONVERSATION && !self.builtin {
            self.fault(format!("{path}/name"), "'conversation' is built in and cannot be redefined");
        }
        let kind = match map.get("kind").and_then(Value::as_str) {
            Some("custom") => SessionKind::Custom,
            Some("web") => SessionKind::Web,
            _ => {
                self.fault(format!("{path}/kind"), "'kind' must be \"custom\" or \"web\"");
                SessionKind::Custom
            }
        };
        let display_name = match map.get("displayName") {
            None => name.clone(),
            Some(Value::String(text)) => text.clone(),
            Some(_) => {
                self.fault(format!("{path}/displayName"), "expected a string");
                name.clone()
            }
        };
        let (idle_after, inactive_after) = self.status(map.get("status"), &format!("{path}/status"));
        let inactivity_gap = self.duration(map, "inactivityGap", path, 20 * 60_000);
        if kind != SessionKind::Web && map.contains_key("inactivityGap") {
            self.fault(format!("{path}/inactivityGap"), "only web session types have an inactivity gap");
        }
        if inactivity_gap.as_millis() == 0 {
            self.fault(format!("{path}/inactivityGap"), "the inactivity gap must be longer than 0");
        }
        let attributes = self.attributes(map, path);
        let mut event_types: Vec<EventType> = self
            .array(map, "eventTypes", path, false)
            .iter()
            .enumerate()
            .map(|(i, item)| self.event_type(item, &format!("{path}/eventTypes/{i}")))
            .collect();
        let names: Vec<&str> = event_types.iter().map(|e| e.name.as_str()).collect();
        for (i, name) in duplicates(&names) {
            self.fault(format!("{path}/eventTypes/{i}/name"), format!("event type '{name}' is defined twice"));
        }
        self.ends_on(map, path, kind, &mut event_types);
        for event_type in &mut event_types {
            event_type.projections = event_type
                .attributes
                .iter()
                .map(|a| attributes.iter().position(|s: &AttributeDef| s.name == a.name))
                .collect();
        }
        SessionType { name, kind, display_name, idle_after, inactive_after, inactivity_gap, attributes, event_types }
    }

    fn status(&mut self, value: Option<&Value>, path: &str) -> (Duration, Duration) {
        let empty = Map::new();
        let map = match value {
            None => &empty,
            Some(v) => self.object(v, path, &["idleAfter", "inactiveAfter"]).unwrap_or(&empty),
        };
        let idle = self.duration(map, "idleAfter", path, 45_000);
        let inactive = self.duration(map, "inactiveAfter", path, 60_000);
        if idle > inactive {
            self.fault(format!("{path}/inactiveAfter"), "inactiveAfter must not be shorter than idleAfter");
        }
        (idle, inactive)
    }

    fn ends_on(&mut self, map: &Map<String, Value>, path: &str, kind: SessionKind, events: &mut [EventType]) {
        let names = self.array(map, "endsOn", path, false);
        if kind == SessionKind::Web && !names.is_empty() {
            self.fault(format!("{path}/endsOn"), "web sessions end by inactivity, not by event");
        }
        for (i, name) in names.iter().enumerate() {
            let target = name.as_str().and_then(|n| events.iter_mut().find(|e| e.name == n));
            match target {
                Some(event_type) => event_type.ends_session = true,
                None => self
                    .fault(format!("{path}/endsOn/{i}"), format!("{name} is not an event type of this session type")),
            }
        }
    }

    fn event_type(&mut self, value: &Value, path: &str) -> EventType {
        let empty = Map::new();
        let map = self.object(value, path, &["name", "attributes"]).unwrap_or(&empty);
        let name = self.name(map, path);
        let attributes = self.attributes(map, path);
        EventType { name, attributes, ends_session: false, projections: Vec::new() }
    }

    fn attributes(&mut self, map: &Map<String, Value>, path: &str) -> Vec<AttributeDef> {
        let attributes: Vec<AttributeDef> = self
            .array(map, "attributes", path, false)
            .iter()
            .enumerate()
            .map(|(i, item)| self.attribute(item, &format!("{path}/attributes/{i}")))
            .collect();
        let names: Vec<&str> = attributes.iter().map(|a| a.name.as_str()).collect();
        for (i, name) in duplicates(&names) {
            self.fault(format!("{path}/attributes/{i}/name"), format!("attribute '{name}' is defined twice"));
        }
        attributes
    }

    fn attribute(&mut self, value: &Value, path: &str) -> AttributeDef {
        const KEYS: &[&str] = &["name", "type", "required", "list", "maxLength", "min", "max", "values"];
        let empty = Map::new();
        let map = self.object(value, path, KEYS).unwrap_or(&empty);
        let name = self.name(map, path);
        let ty = self.attribute_type(map, path);
        let allowed: &[&str] = match ty {
            AttributeType::String { .. } => &["maxLength"],
            AttributeType::Integer { .. } | AttributeType::Decimal { .. } => &["min", "max"],
            AttributeType::Enum { .. } => &["values"],
            _ => &[],
        };
        for key in ["maxLength", "min", "max", "values"] {
            if map.contains_key(key) && !allowed.contains(&key) {
                self.fault(format!("{path}/{key}"), format!("'{key}' does not apply to type {}", ty.name()));
            }
        }
        let required = self.flag(map, "required", path);
        let list = self.flag(map, "list", path);
        AttributeDef { name, ty, required, list }
    }

    fn flag(&mut self, map: &Map<String, Value>, key: &str, path: &str) -> bool {
        match map.get(key) {
            None => false,
            Some(Value::Bool(flag)) => *flag,
            Some(_) => {
                self.fault(format!("{path}/{key}"), "expected true or false");
                false
            }
        }
    }

    fn attribute_type(&mut self, map: &Map<String, Value>, path: &str) -> AttributeType {
        match map.get("type").and_then(Value::as_str) {
            Some("string") => AttributeType::String { max_length: self.max_length(map, path) },
            Some("integer") => {
                let min = self.bound(map, "min", path, true).map(|n| n as i64);
                let max = self.bound(map, "max", path, true).map(|n| n as i64);
                self.check_order(min.zip(max).is_some_and(|(lo, hi)| lo > hi), path);
                AttributeType::Integer { min, max }
            }
            Some("decimal") => {
                let min = self.bound(map, "min", path, false);
                let max = self.bound(map, "max", path, false);
                self.check_order(min.zip(max).is_some_and(|(lo, hi)| lo > hi), path);
                AttributeType::Decimal { min, max }
            }
            Some("boolean") => AttributeType::Boolean,
            Some("enum") => AttributeType::Enum { values: self.enum_values(map, path) },
            Some("datetime") => AttributeType::Datetime,
            Some("uuid") => AttributeType::Uuid,
            _ => {
                self.fault(
                    format!("{path}/type"),
                    "'type' must be one of string, integer, decimal, boolean, enum, datetime, uuid",
                );
                AttributeType::String { max_length: None }
            }
        }
    }

    fn max_length(&mut self, map: &Map<String, Value>, path: &str) -> Option<usize> {
        let value = map.get("maxLength")?;
        match value.as_u64() {
            Some(n) if n >= 1 => Some(n as usize),
            _ => {
                self.fault(format!("{path}/maxLength"), "expected a whole number of at least 1");
                None
            }
        }
    }

    fn bound(&mut self, map: &Map<String, Value>, key: &str, path: &str, whole: bool) -> Option<f64> {
        let value = map.get(key)?;
        let ok = if whole { value.is_i64() } else { value.is_number() };
        if !ok {
            let kind = if whole { "a whole number" } else { "a number" };
            self.fault(format!("{path}/{key}"), format!("expected {kind}"));
            return None;
        }
        value.as_f64()
    }

    fn check_order(&mut self, reversed: bool, path: &str) {
        if reversed {
            self.fault(format!("{path}/max"), "max is smaller than min");
        }
    }

    fn enum_values(&mut self, map: &Map<String, Value>, path: &str) -> Vec<String> {
        let items = self.array(map, "values", path, true);
        if items.is_empty() && map.contains_key("values") {
            self.fault(format!("{path}/values"), "an enum needs at least one value");
        }
        let mut values = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(text) if values.iter().any(|v| v == text) => {
                    self.fault(format!("{path}/values/{i}"), format!("'{text}' is listed twice"))
                }
                Some(text) => values.push(text.to_owned()),
                None => self.fault(format!("{path}/values/{i}"), "enum values must be strings"),
            }
        }
        values
    }

    fn check_limits(&mut self, types: &[SessionType], config: &Config) {
        let total: usize = types.iter().map(|t| t.event_types.len()).sum();
        if total > config.max_event_types {
            self.limits.push(Violation::new(
                ViolationCode::LimitExceeded,
                "/sessionTypes",
                format!("{total} event types; at most {} are allowed (maxEventTypes)", config.max_event_types),
            ));
        }
        for (i, ty) in types.iter().enumerate() {
            for (j, event_type) in ty.event_types.iter().enumerate() {
                if event_type.attributes.len() > config.max_attributes_per_event {
                    self.limits.push(Violation::new(
                        ViolationCode::LimitExceeded,
                        format!("/sessionTypes/{i}/eventTypes/{j}/attributes"),
                        format!(
                            "{} attributes; at most {} are allowed (maxAttributesPerEvent)",
                            event_type.attributes.len(),
                            config.max_attributes_per_event
                        ),
                    ));
                }
            }
        }
    }
}

/// `(index, name)` of every name that appeared earlier in `names` (empty names are skipped).
fn duplicates<'a>(names: &[&'a str]) -> Vec<(usize, &'a str)> {
    let mut seen = std::collections::HashSet::new();
    names.iter().enumerate().filter(|(_, n)| !n.is_empty() && !seen.insert(**n)).map(|(i, n)| (i, *n)).collect()
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub(crate) fn escape(key: &str) -> String {
    if key.contains(['~', '/']) { key.replace('~', "~0").replace('/', "~1") } else { key.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELIVERY: &str = r#"{"sessionTypes":[{"name":"delivery","kind":"custom","endsOn":["item_delivered"],
        "attributes":[{"name":"location","type":"string"}],
        "eventTypes":[{"name":"in_transit","attributes":[{"name":"location","type":"string","required":true}]},
                      {"name":"item_delivered","attributes":[{"name":"location","type":"string"}]}]}]}"#;

    fn fault_paths(text: &str) -> Vec<String> {
        Catalog::from_json(text).unwrap_err().violations().iter().map(|v| v.path.clone()).collect()
    }

    #[test]
    fn loads_a_catalog_and_adds_conversation() {
        let catalog = Catalog::from_json(DELIVERY).unwrap();
        let delivery = catalog.session_type(catalog.session_type_index("delivery").unwrap());
        assert_eq!(delivery.idle_after.as_millis(), 45_000);
        assert!(delivery.event_types[1].ends_session);
        assert_eq!(delivery.event_types[0].projections, vec![Some(0)]);
        let conversation = catalog.session_type(catalog.session_type_index(CONVERSATION).unwrap());
        assert_eq!(conversation.kind, SessionKind::Conversation);
        assert_eq!(conversation.event_types.len(), 7);
    }

    #[test]
    fn reports_every_fault_with_its_pointer() {
        let text = r#"{"sessionTypes":[
            {"name":"a","kind":"custom","eventTypes":[
                {"name":"e","attributes":[{"name":"x","type":"enum","values":[]},{"name":"x","type":"strin"}]},
                {"name":"e"}]},
            {"name":"a","kind":"web","endsOn":["e"]},
            {"name":"9bad","kind":"custom"},
            {"name":"conversation","kind":"custom"}]}"#;
        let paths = fault_paths(text);
        for expected in [
            "/sessionTypes/0/eventTypes/0/attributes/0/values",
            "/sessionTypes/0/eventTypes/0/attributes/1/type",
            "/sessionTypes/0/eventTypes/0/attributes/1/name",
            "/sessionTypes/0/eventTypes/1/name",
            "/sessionTypes/1/name",
            "/sessionTypes/1/endsOn",
            "/sessionTypes/2/name",
            "/sessionTypes/3/name",
        ] {
            assert!(paths.iter().any(|p| p == expected), "missing {expected} in {paths:?}");
        }
    }

    #[test]
    fn rejects_bad_attribute_definitions() {
        let text = r#"{"sessionTypes":[{"name":"a","kind":"custom","eventTypes":[{"name":"e","attributes":[
            {"name":"n","type":"integer","min":5,"max":1},
            {"name":"d","type":"decimal","min":"0"},
            {"name":"s","type":"string","maxLength":0,"values":["x"]},
            {"name":"b","type":"boolean","required":"yes","colour":1}]}]}]}"#;
        let paths = fault_paths(text);
        let base = "/sessionTypes/0/eventTypes/0/attributes";
        for expected in ["/0/max", "/1/min", "/2/maxLength", "/2/values", "/3/required", "/3/colour"] {
            assert!(paths.contains(&format!("{base}{expected}")), "missing {expected} in {paths:?}");
        }
    }

    #[test]
    fn enforces_the_limits() {
        let many: Vec<String> = (0..21).map(|i| format!(r#"{{"name":"e{i}"}}"#)).collect();
        let text = format!(r#"{{"sessionTypes":[{{"name":"a","kind":"custom","eventTypes":[{}]}}]}}"#, many.join(","));
        let err = Catalog::from_json(&text).unwrap_err();
        assert_eq!(err.code(), "LIMIT_EXCEEDED");
        let config = Config { max_event_types: 30, ..Config::default() };
        assert!(Catalog::from_json_with_limits(&text, &config).is_ok());
    }

    #[test]
    fn identifiers_follow_the_rule() {
        assert!(is_identifier("a"));
        assert!(is_identifier(&"a".repeat(64)));
        assert!(!is_identifier(&"a".repeat(65)));
        for bad in ["", "_a", "1a", "a-b", "a b", "é"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
