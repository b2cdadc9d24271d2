//! Reading a catalog from JSON: every fault is collected, each with its JSON pointer.

use super::{
    AttributeDef, AttributeType, CONVERSATION, EnumValues, EventType, SessionKind, SessionType, escape, is_identifier,
};
use crate::base::duration::Duration;
use crate::base::error::{JourneyError, Violation, ViolationCode};
use crate::base::text::{clip, clip_json};
use crate::model::config::Config;
use serde_json::{Map, Value};
use std::collections::HashMap;

pub(super) fn fault(path: impl Into<String>, message: impl Into<String>) -> Violation {
    Violation::new(ViolationCode::InvalidCatalog, path, message)
}

/// Walks the catalog JSON, collecting every fault instead of stopping at the first.
#[derive(Default)]
pub(super) struct Loader {
    pub(super) faults: Vec<Violation>,
    limits: Vec<Violation>,
    builtin: bool,
}

impl Loader {
    /// A loader that accepts the reserved name `conversation`, for the built-in type.
    pub(super) fn for_builtin_types() -> Self {
        Loader { builtin: true, ..Loader::default() }
    }

    pub(super) fn into_error(self) -> Option<JourneyError> {
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
            self.fault(format!("{path}/{}", escape(&clip(key))), format!("unknown key '{}'", clip(key)));
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
                    format!("'{}' is not an identifier (^[A-Za-z][A-Za-z0-9_]{{0,63}}$)", clip(name)),
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

    pub(super) fn catalog(&mut self, value: &Value) -> Vec<SessionType> {
        let Some(map) = self.object(value, "", &["sessionTypes"]) else {
            return Vec::new();
        };
        let items = self.array(map, "sessionTypes", "", true);
        let types: Vec<SessionType> =
            items.iter().enumerate().map(|(i, item)| self.session_type(item, &format!("/sessionTypes/{i}"))).collect();
        let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        for (i, path) in duplicates(&names) {
            self.fault(format!("/sessionTypes/{i}/name"), format!("session type '{}' is defined twice", clip(path)));
        }
        types
    }

    pub(super) fn session_type(&mut self, value: &Value, path: &str) -> SessionType {
        const KEYS: &[&str] =
            &["name", "kind", "displayName", "status", "endsOn", "inactivityGap", "attributes", "eventTypes", "open"];
        let empty = Map::new();
        let map = self.object(value, path, KEYS).unwrap_or(&empty);
        let name = self.name(map, path);
        if name == CONVERSATION && !self.builtin {
            self.fault(format!("{path}/name"), "'conversation' is built in and cannot be redefined");
        }
        let kind = match map.get("kind").and_then(Value::as_str).and_then(SessionKind::from_name) {
            Some(kind) if !kind.is_builtin() => kind,
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
        if !kind.ends_by_inactivity() && map.contains_key("inactivityGap") {
            self.fault(format!("{path}/inactivityGap"), "only web session types have an inactivity gap");
        }
        if inactivity_gap.as_millis() == 0 {
            self.fault(format!("{path}/inactivityGap"), "the inactivity gap must be longer than 0");
        }
        let open = self.flag(map, "open", path);
        if open && !kind.may_be_open() {
            let message = "only web session types may be open: a custom session ends by an event its type declares";
            self.fault(format!("{path}/open"), message);
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
            self.fault(format!("{path}/eventTypes/{i}/name"), format!("event type '{}' is defined twice", clip(name)));
        }
        self.ends_on(map, path, kind, &mut event_types);
        let session_attribute: HashMap<&str, usize> =
            attributes.iter().enumerate().map(|(i, a)| (a.name.as_str(), i)).collect();
        for event_type in &mut event_types {
            event_type.projections =
                event_type.attributes.iter().map(|a| session_attribute.get(a.name.as_str()).copied()).collect();
        }
        let event_type_by_name = event_types.iter().enumerate().map(|(i, e)| (e.name.clone(), i)).collect();
        SessionType {
            name,
            kind,
            display_name,
            idle_after,
            inactive_after,
            inactivity_gap,
            attributes,
            event_types,
            open,
            event_type_by_name,
        }
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
        if !kind.ends_by_event() && !names.is_empty() {
            self.fault(format!("{path}/endsOn"), "web sessions end by inactivity, not by event");
        }
        let by_name: HashMap<String, usize> = events.iter().enumerate().map(|(i, e)| (e.name.clone(), i)).collect();
        for (i, name) in names.iter().enumerate() {
            match name.as_str().and_then(|n| by_name.get(n)) {
                Some(index) => events[*index].ends_session = true,
                None => self.fault(
                    format!("{path}/endsOn/{i}"),
                    format!("{} is not an event type of this session type", clip_json(name)),
                ),
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
            self.fault(format!("{path}/attributes/{i}/name"), format!("attribute '{}' is defined twice", clip(name)));
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

    fn enum_values(&mut self, map: &Map<String, Value>, path: &str) -> EnumValues {
        let items = self.array(map, "values", path, true);
        if items.is_empty() && map.contains_key("values") {
            self.fault(format!("{path}/values"), "an enum needs at least one value");
        }
        let mut values = Vec::with_capacity(items.len());
        let mut positions = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(text) => {
                    values.push(text.to_owned());
                    positions.push(i);
                }
                None => self.fault(format!("{path}/values/{i}"), "enum values must be strings"),
            }
        }
        let (values, repeated) = EnumValues::new(values);
        for at in repeated {
            let text = clip(&values.as_slice()[at]);
            self.fault(format!("{path}/values/{}", positions[at]), format!("'{text}' is listed twice"));
        }
        values
    }

    pub(super) fn check_limits(&mut self, types: &[SessionType], config: &Config) {
        let total = types.iter().map(|t| t.event_types.len()).sum();
        self.limits.extend(too_many_event_types(total, config));
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

/// `LIMIT_EXCEEDED` when the raw catalog lists more event types than `maxEventTypes`; `None` when
/// it does not (or is too malformed to count, which the loader then reports).
pub(super) fn count_event_types_early(value: &Value, config: &Config) -> Option<JourneyError> {
    let session_types = value.get("sessionTypes")?.as_array()?;
    let event_types = |ty: &Value| ty.get("eventTypes").and_then(Value::as_array).map_or(0, Vec::len);
    let total = session_types.iter().map(event_types).sum();
    too_many_event_types(total, config).map(|violation| JourneyError::LimitExceeded { violations: vec![violation] })
}

/// The `LIMIT_EXCEEDED` violation of `total` event types, if it is over `maxEventTypes`.
fn too_many_event_types(total: usize, config: &Config) -> Option<Violation> {
    (total > config.max_event_types).then(|| {
        Violation::new(
            ViolationCode::LimitExceeded,
            "/sessionTypes",
            format!("{total} event types; at most {} are allowed (maxEventTypes)", config.max_event_types),
        )
    })
}

/// `(index, name)` of every name that appeared earlier in `names` (empty names are skipped).
fn duplicates<'a>(names: &[&'a str]) -> Vec<(usize, &'a str)> {
    let mut seen = std::collections::HashSet::new();
    names.iter().enumerate().filter(|(_, n)| !n.is_empty() && !seen.insert(**n)).map(|(i, n)| (i, *n)).collect()
}
