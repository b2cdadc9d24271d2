//! Engine configuration (SPEC §8), read from JSON. Every field is optional.

use crate::duration::Duration;
use crate::error::{JourneyError, Result};
use crate::time::{Millis, parse_rfc3339};
use serde_json::{Map, Value};

/// How the engine learns what time it is (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// The system clock.
    #[default]
    Wall,
    /// A clock moved only by `advance` and `set_now`; for tests and vectors.
    Manual,
    /// The largest accepted event time so far; for replaying history.
    Event,
}

/// What happens to an attribute the event type does not define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownAttributes {
    /// Reject the event with `UNKNOWN_ATTRIBUTE`.
    #[default]
    Reject,
    /// Accept the event without the attribute, with an `UNKNOWN_ATTRIBUTE` warning.
    Drop,
    /// Accept and store the attribute as sent.
    Keep,
}

/// The engine's settings; [`Config::default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Clock mode.
    pub clock: ClockMode,
    /// Start time of a manual clock; the wall time at engine creation when absent.
    pub start: Option<Millis>,
    /// Policy for undefined attributes.
    pub unknown_attributes: UnknownAttributes,
    /// Events older than `now - allowedLateness` are rejected; `None` accepts any age.
    pub allowed_lateness: Option<Duration>,
    /// Events more than this after `now` are rejected (wall and manual clocks).
    pub max_clock_skew: Duration,
    /// Most event types across the catalog (the built-in conversation types do not count).
    pub max_event_types: usize,
    /// Most attributes an event type may define, and an event may carry.
    pub max_attributes_per_event: usize,
    /// Longest string, in characters, where no `maxLength` is given.
    pub max_string_length: usize,
    /// Largest raw event, in bytes.
    pub max_event_bytes: usize,
    /// Most undelivered custom events per agent.
    pub max_pending_per_agent: usize,
    /// Largest custom event `data`, in bytes.
    pub max_custom_event_data: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            clock: ClockMode::Wall,
            start: None,
            unknown_attributes: UnknownAttributes::Reject,
            allowed_lateness: Some(Duration::from_millis(3_600_000)),
            max_clock_skew: Duration::from_millis(300_000),
            max_event_types: 20,
            max_attributes_per_event: 50,
            max_string_length: 1024,
            max_event_bytes: 65_536,
            max_pending_per_agent: 1000,
            max_custom_event_data: 65_536,
        }
    }
}

/// Upper bounds on the numeric settings, so that no config can make memory grow without bound.
const MAX_COUNT: u64 = 1_000_000;
const MAX_BYTES: u64 = 64 * 1024 * 1024;

impl Config {
    /// Parses a JSON object of settings; `INVALID_CONFIG` names the first bad key.
    pub fn from_json(text: &str) -> Result<Config> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| invalid("", format!("config is not valid JSON: {e}")))?;
        Config::from_value(&value)
    }

    /// Reads settings from an already-parsed JSON value (`null` gives the defaults).
    pub fn from_value(value: &Value) -> Result<Config> {
        let mut config = Config::default();
        let map = match value {
            Value::Null => return Ok(config),
            Value::Object(map) => map,
            _ => return Err(invalid("", "config must be a JSON object")),
        };
        for (key, value) in map {
            config.set(key, value)?;
        }
        Ok(config)
    }

    fn set(&mut self, key: &str, value: &Value) -> Result<()> {
        match key {
            "clock" => {
                self.clock = match string(key, value)? {
                    "wall" => ClockMode::Wall,
                    "manual" => ClockMode::Manual,
                    "event" => ClockMode::Event,
                    other => {
                        return Err(invalid(key, format!("'{other}' is not wall, manual or event")));
                    }
                }
            }
            "start" => {
                let text = string(key, value)?;
                let millis = parse_rfc3339(text)
                    .ok_or_else(|| invalid(key, format!("'{text}' is not an RFC 3339 timestamp")))?;
                self.start = Some(millis);
            }
            "unknownAttributes" => {
                self.unknown_attributes = match string(key, value)? {
                    "reject" => UnknownAttributes::Reject,
                    "drop" => UnknownAttributes::Drop,
                    "keep" => UnknownAttributes::Keep,
                    other => {
                        return Err(invalid(key, format!("'{other}' is not reject, drop or keep")));
                    }
                }
            }
            "allowedLateness" => {
                self.allowed_lateness = match value {
                    Value::Null => None,
                    _ => Some(duration(key, value)?),
                }
            }
            "maxClockSkew" => self.max_clock_skew = duration(key, value)?,
            "maxEventTypes" => self.max_event_types = count(key, value, MAX_COUNT)?,
            "maxAttributesPerEvent" => self.max_attributes_per_event = count(key, value, MAX_COUNT)?,
            "maxStringLength" => self.max_string_length = count(key, value, MAX_BYTES)?,
            "maxEventBytes" => self.max_event_bytes = count(key, value, MAX_BYTES)?,
            "maxPendingPerAgent" => self.max_pending_per_agent = count(key, value, MAX_COUNT)?,
            "maxCustomEventData" => self.max_custom_event_data = count(key, value, MAX_BYTES)?,
            _ => return Err(invalid(key, "unknown config key")),
        }
        Ok(())
    }

    /// The config as JSON, in the form [`Config::from_value`] reads.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        let clock = match self.clock {
            ClockMode::Wall => "wall",
            ClockMode::Manual => "manual",
            ClockMode::Event => "event",
        };
        map.insert("clock".into(), clock.into());
        if let Some(start) = self.start {
            map.insert("start".into(), crate::time::format_millis(start).into());
        }
        let policy = match self.unknown_attributes {
            UnknownAttributes::Reject => "reject",
            UnknownAttributes::Drop => "drop",
            UnknownAttributes::Keep => "keep",
        };
        map.insert("unknownAttributes".into(), policy.into());
        let lateness = self.allowed_lateness.map(|d| Value::from(d.to_string()));
        map.insert("allowedLateness".into(), lateness.unwrap_or(Value::Null));
        map.insert("maxClockSkew".into(), self.max_clock_skew.to_string().into());
        map.insert("maxEventTypes".into(), self.max_event_types.into());
        map.insert("maxAttributesPerEvent".into(), self.max_attributes_per_event.into());
        map.insert("maxStringLength".into(), self.max_string_length.into());
        map.insert("maxEventBytes".into(), self.max_event_bytes.into());
        map.insert("maxPendingPerAgent".into(), self.max_pending_per_agent.into());
        map.insert("maxCustomEventData".into(), self.max_custom_event_data.into());
        Value::Object(map)
    }
}

fn invalid(key: &str, message: impl Into<String>) -> JourneyError {
    JourneyError::InvalidConfig { key: key.to_owned(), message: message.into() }
}

fn string<'v>(key: &str, value: &'v Value) -> Result<&'v str> {
    value.as_str().ok_or_else(|| invalid(key, format!("expected a string, got {value}")))
}

fn duration(key: &str, value: &Value) -> Result<Duration> {
    Duration::parse(string(key, value)?).map_err(|message| invalid(key, message))
}

fn count(key: &str, value: &Value, max: u64) -> Result<usize> {
    match value.as_u64() {
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        _ => Err(invalid(key, format!("expected a whole number from 1 to {max}, got {value}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_spec() {
        let config = Config::from_json("{}").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.allowed_lateness.unwrap().as_millis(), 3_600_000);
        assert_eq!(config.max_pending_per_agent, 1000);
    }

    #[test]
    fn reads_every_key_and_round_trips() {
        let text = r#"{"clock":"manual","start":"2026-11-21T10:00:00Z","unknownAttributes":"drop",
            "allowedLateness":null,"maxClockSkew":"1m","maxEventTypes":5,"maxAttributesPerEvent":7,
            "maxStringLength":9,"maxEventBytes":100,"maxPendingPerAgent":3,"maxCustomEventData":10}"#;
        let config = Config::from_json(text).unwrap();
        assert_eq!(config.clock, ClockMode::Manual);
        assert_eq!(config.allowed_lateness, None);
        assert_eq!(config.max_pending_per_agent, 3);
        assert_eq!(Config::from_value(&config.to_json()).unwrap(), config);
    }

    #[test]
    fn names_the_bad_key() {
        for (text, key) in [
            (r#"{"clok":"wall"}"#, "clok"),
            (r#"{"clock":"sundial"}"#, "clock"),
            (r#"{"maxEventBytes":-1}"#, "maxEventBytes"),
            (r#"{"maxEventBytes":"big"}"#, "maxEventBytes"),
            (r#"{"maxClockSkew":"5"}"#, "maxClockSkew"),
            (r#"{"start":"noon"}"#, "start"),
        ] {
            let err = Config::from_json(text).unwrap_err();
            assert_eq!(err.code(), "INVALID_CONFIG");
            assert!(matches!(&err, JourneyError::InvalidConfig { key: k, .. } if k == key), "{text}: {err}");
        }
    }
}
