//! The catalog (SPEC §1): session types, their event types, and typed attributes.
//!
//! A catalog is validated as a whole when it is loaded, and every fault is reported with the JSON
//! pointer of the offending value. The built-in `conversation` type (§3.3) is always present; it is
//! written in the same JSON form as user types and loaded by the same code.
//!
//! A web session type may be **open** (`"open": true`): an event naming an event type it does not
//! declare creates an open event type of that name (`open.rs`), so a mobile app's new screens
//! need no new catalog. Stored events name their type by index, declared or open; every reader
//! asks [`Catalog::event_type`] or [`Catalog::event_name`], never a session type's `event_types`.

mod data_type;
mod load;
mod open;
mod upgrade;

use crate::base::duration::Duration;
use crate::base::error::{JourneyError, Result};
use crate::base::shard::FastMap;
use crate::model::config::Config;
pub use crate::model::kind::SessionKind;
pub use data_type::DataType;
use load::{Loader, fault};
use open::OpenEventTypes;
use serde_json::Value;
pub(crate) use upgrade::{Remap, plan as plan_upgrade};

/// Name of the built-in conversation session type.
pub const CONVERSATION: &str = "conversation";

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
        values: EnumValues,
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
    /// The event types of this session type, as declared (an open type's open event types are
    /// the catalog's: [`Catalog::event_type`]).
    pub event_types: Vec<EventType>,
    /// Whether events may name event types it does not declare (web types only).
    pub open: bool,
    /// Event type name → index: a catalog may hold up to 1,000,000 event types, and a linear
    /// search cost 1 ms per event with 70,000.
    pub(crate) event_type_by_name: FastMap<String, usize>,
}

impl SessionType {
    /// Index of the event type called `name`.
    pub fn event_type_index(&self, name: &str) -> Option<usize> {
        self.event_type_by_name.get(name).copied()
    }
}

/// The values of an enum attribute: in catalog order, with a sorted index for lookups, so that
/// checking a value costs O(log n) and loading n values O(n log n) (a 100,000-value enum took 36 s
/// to load when each value was compared with every earlier one).
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValues {
    values: Vec<String>,
    /// Positions in `values`, ordered by value.
    sorted: Vec<u32>,
}

impl EnumValues {
    /// Most values a `NOT_IN_ENUM` message lists; a longer enum is described by its size.
    pub const LISTED: usize = 10;

    /// The values, and the positions of the ones listed twice.
    pub(crate) fn new(values: Vec<String>) -> (EnumValues, Vec<usize>) {
        let mut sorted: Vec<u32> = (0..values.len() as u32).collect();
        sorted.sort_by(|a, b| values[*a as usize].cmp(&values[*b as usize]).then(a.cmp(b)));
        let repeated =
            sorted.windows(2).filter(|w| values[w[0] as usize] == values[w[1] as usize]).map(|w| w[1] as usize);
        let mut repeated: Vec<usize> = repeated.collect();
        repeated.sort_unstable();
        sorted.dedup_by(|b, a| values[*a as usize] == values[*b as usize]);
        (EnumValues { values, sorted }, repeated)
    }

    /// Whether `text` is one of the values.
    pub fn contains(&self, text: &str) -> bool {
        self.sorted.binary_search_by(|i| self.values[*i as usize].as_str().cmp(text)).is_ok()
    }

    /// The values, in catalog order.
    pub fn as_slice(&self) -> &[String] {
        &self.values
    }

    /// For a message: the values when there are few, else how many there are.
    pub fn describe(&self) -> String {
        if self.values.len() <= Self::LISTED {
            self.values.join(", ")
        } else {
            format!("the {} values of the enum", self.values.len())
        }
    }
}

/// A validated catalog, and the event types its open session types created since. The engine
/// owns its catalog; a clone copies the open event types and grows apart from the original.
#[derive(Debug, Clone)]
pub struct Catalog {
    session_types: Vec<SessionType>,
    by_name: FastMap<String, usize>,
    /// The JSON it was loaded from (without the built-in type), which a durable store keeps.
    source: Value,
    /// The event types open session types created, at their first accepted events.
    open: OpenEventTypes,
}

impl PartialEq for Catalog {
    /// Two catalogs are equal when they declare the same: the open event types are what events
    /// made of them, not part of the definition a host gives.
    fn eq(&self, other: &Catalog) -> bool {
        self.session_types == other.session_types && self.source == other.source
    }
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
        let value: Value =
            crate::base::json::parse_value(text.as_bytes()).map_err(|e| JourneyError::InvalidCatalog {
                violations: vec![fault("", format!("catalog is not valid JSON: {}", crate::base::text::bounded(e)))],
            })?;
        Catalog::from_value_with_limits(&value, config)
    }

    /// Validates an already-parsed catalog, with the default limits.
    pub fn from_value(value: &Value) -> Result<Catalog> {
        Catalog::from_value_with_limits(value, &Config::default())
    }

    /// Validates an already-parsed catalog against the limits of `config`.
    pub fn from_value_with_limits(value: &Value, config: &Config) -> Result<Catalog> {
        // Counted before anything is read, so a catalog far over the limit fails at once instead
        // of after every one of its event types has been checked.
        if let Some(err) = load::count_event_types_early(value, config) {
            return Err(err);
        }
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
        let open = OpenEventTypes::new(session_types.len());
        Ok(Catalog { session_types, by_name, source: value.clone(), open })
    }

    /// Checks this catalog against another config's limits (the engine does this on creation).
    pub fn check_limits(&self, config: &Config) -> Result<()> {
        let user_types: Vec<SessionType> =
            self.session_types.iter().filter(|t| !t.kind.is_builtin()).cloned().collect();
        let mut loader = Loader::default();
        loader.check_limits(&user_types, config);
        loader.into_error().map_or(Ok(()), Err)
    }

    /// The JSON form the catalog was loaded from.
    pub fn to_json(&self) -> &Value {
        &self.source
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

    /// The event type at `index` of `session_type`: a declared one, or after them an open one.
    /// Stored events and compiled rules hold indexes this catalog gave, so a missing one is a
    /// bug, not bad input.
    pub fn event_type(&self, session_type: usize, index: usize) -> &EventType {
        let declared = &self.session_types[session_type].event_types;
        declared.get(index).unwrap_or_else(|| {
            self.open
                .get(session_type, index - declared.len())
                .expect("stored events and rules name event types their catalog created")
        })
    }

    /// The name of the event type at `index` of `session_type` (see [`Catalog::event_type`]).
    pub fn event_name(&self, session_type: usize, index: usize) -> &str {
        &self.event_type(session_type, index).name
    }

    /// Index of the event type called `name` in `session_type`, declared or open.
    pub fn event_type_index(&self, session_type: usize, name: &str) -> Option<usize> {
        let ty = &self.session_types[session_type];
        ty.event_type_index(name).or_else(|| Some(ty.event_types.len() + self.open.find(session_type, name)?))
    }

    /// How many event types `session_type` has now, declared and open.
    pub fn event_type_count(&self, session_type: usize) -> usize {
        self.session_types[session_type].event_types.len() + self.open.len(session_type)
    }

    /// Every event type of `session_type` now, with its index: the declared ones, then the open
    /// ones in the order they were created.
    pub fn event_types_of(&self, session_type: usize) -> impl Iterator<Item = (usize, &EventType)> {
        (0..self.event_type_count(session_type)).map(move |index| (index, self.event_type(session_type, index)))
    }

    /// The index of the open event type `name` of the open `session_type`, created when it has
    /// none yet (the caller's event is its first accepted one) and the catalog holds fewer than
    /// `maxEventTypes` event types. `UNKNOWN_EVENT_TYPE` naming the limit otherwise. `created`
    /// runs after a creation, before any other event can find the name (the engine recompiles its
    /// rules there, so that no event of the name is evaluated without them).
    pub(crate) fn open_event_type(
        &self,
        session_type: usize,
        name: &str,
        config: &Config,
        created: impl FnOnce(usize),
    ) -> std::result::Result<usize, crate::base::error::Violation> {
        let ty = &self.session_types[session_type];
        let declared = self.declared_event_types();
        let room = |open: usize| ty.open && declared + open < config.max_event_types;
        let created = |place: usize| created(ty.event_types.len() + place);
        match self.open.find_or_add(session_type, name, room, created) {
            Ok((place, _)) => Ok(ty.event_types.len() + place),
            Err(open::Full { held }) => Err(crate::base::error::Violation::new(
                crate::base::error::ViolationCode::UnknownEventType,
                "/eventName",
                format!(
                    "session type '{}' has no event type '{}', and no more can open: the catalog holds {} event \
                     types, at most {} are allowed (maxEventTypes)",
                    ty.name,
                    crate::base::text::clip(name),
                    declared + held,
                    config.max_event_types
                ),
            )),
        }
    }

    /// How many event types the catalog declares (the built-in conversation type's not counted,
    /// as `maxEventTypes` does not count them).
    fn declared_event_types(&self) -> usize {
        self.session_types.iter().filter(|t| !t.kind.is_builtin()).map(|t| t.event_types.len()).sum()
    }

    /// The open event types' names, by session type name, for a snapshot or a state move (only
    /// session types that have some).
    pub(crate) fn open_names(&self) -> Vec<(String, Vec<String>)> {
        let names = |(index, ty): (usize, &SessionType)| {
            let names: Vec<String> = self.open.names(index).map(str::to_owned).collect();
            (!names.is_empty()).then(|| (ty.name.clone(), names))
        };
        self.session_types.iter().enumerate().filter_map(names).collect()
    }

    /// The index `name` has as an open event type of the session type called `session_type`,
    /// created when missing whatever the limit: names restored from a snapshot, a state move or
    /// a catalog upgrade were accepted where they were made. `None` when the catalog has no such
    /// session type, or it is not open, or it declares `name`.
    pub(crate) fn restore_open_name(&self, session_type: &str, name: &str) -> Option<usize> {
        let index = self.session_type_index(session_type)?;
        let ty = &self.session_types[index];
        if !ty.open || ty.event_type_index(name).is_some() {
            return None;
        }
        Some(ty.event_types.len() + self.open.restore(index, name)?)
    }
}

fn conversation_type() -> SessionType {
    let value: Value = serde_json::from_str(CONVERSATION_TYPE).unwrap_or(Value::Null);
    let mut loader = Loader::for_builtin_types();
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
