//! The `identity` settings (docs/identity.md, "Rules that stop bad merges"): which identifiers
//! never link, how many of a type a profile may hold, which identifier goes first when a link
//! would break a limit, and how long an unseen cookie stays in its profile.

use super::{invalid, string};
use crate::base::duration::Duration;
use crate::base::error::Result;
use crate::base::text::{clip, clip_json};
use crate::model::event::IdType;
use regex::{Regex, RegexBuilder};
use serde_json::{Map, Value};

/// Most patterns of one idType's `blockedValues`.
const MAX_PATTERNS: usize = 100;
/// Longest pattern, in characters.
const MAX_PATTERN_CHARS: usize = 1000;
/// Most compiled size of one idType's patterns, so that no config makes matching slow or large.
const MAX_COMPILED_BYTES: usize = 1 << 20;
/// Largest `max` of a limit.
const MAX_LIMIT: u64 = 1_000_000;
/// How long a cookie not seen stays in its profile by default: Genesys' ephemeral contacts last
/// as long.
const DEFAULT_COOKIE_TTL_MS: i64 = 60 * 86_400_000;

/// The values that never link by default, for every idType: placeholders that many people share.
pub const DEFAULT_BLOCKED: [&str; 6] = ["", "0+", "-1", "(?i:null)", "(?i:undefined)", "(?i:anonymous)"];

/// At most `max` identifiers of one idType per profile, counting those first seen within `within`
/// of now when it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// How many.
    pub max: usize,
    /// Counts only identifiers first seen this recently; `None` counts all.
    pub within: Option<Duration>,
}

/// One idType's blocked values: its patterns as written, and compiled into one anchored regex.
#[derive(Debug, Clone)]
pub struct Blocked {
    patterns: Vec<String>,
    regex: Option<Regex>,
}

impl PartialEq for Blocked {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
    }
}

impl Blocked {
    /// Compiles `patterns`, each anchored at both ends; the message names what is wrong.
    fn new(patterns: Vec<String>) -> std::result::Result<Blocked, String> {
        if patterns.is_empty() {
            return Ok(Blocked { patterns, regex: None });
        }
        let alternatives: Vec<String> = patterns.iter().map(|p| format!("(?:{p})")).collect();
        let regex = RegexBuilder::new(&format!("^(?:{})$", alternatives.join("|")))
            .size_limit(MAX_COMPILED_BYTES)
            .build()
            .map_err(|e| format!("is not a valid regular expression: {}", clip(&e.to_string())))?;
        Ok(Blocked { patterns, regex: Some(regex) })
    }

    /// Whether `id` matches one of the patterns, whole.
    pub fn matches(&self, id: &str) -> bool {
        self.regex.as_ref().is_some_and(|r| r.is_match(id))
    }

    /// The patterns as written.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

impl Default for Blocked {
    fn default() -> Self {
        let patterns = DEFAULT_BLOCKED.iter().map(|p| p.to_string()).collect();
        Blocked::new(patterns).expect("the default patterns compile")
    }
}

/// The identity rules.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityConfig {
    /// Per idType (in [`IdType::ALL`]'s order), the values that never link.
    pub blocked_values: [Blocked; 5],
    /// Per idType, the most identifiers of it a profile holds; `None` is no limit.
    pub limits: [Option<Limit>; 5],
    /// Every idType, highest priority first: the lowest goes first when a link breaks a limit.
    pub priority: [IdType; 5],
    /// A cookie not seen for this long leaves its profile (at a retention sweep); `None` keeps
    /// cookies linked for as long as their links last.
    pub cookie_ttl: Option<Duration>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        let unique = Some(Limit { max: 1, within: None });
        IdentityConfig {
            blocked_values: Default::default(),
            limits: [None, None, None, unique, unique],
            priority: [IdType::ExternalId, IdType::ExternalContact, IdType::Email, IdType::Phone, IdType::Cookie],
            cookie_ttl: Some(Duration::from_millis(DEFAULT_COOKIE_TTL_MS)),
        }
    }
}

/// Where `id_type`'s setting is in the per-idType arrays.
pub fn slot(id_type: IdType) -> usize {
    IdType::ALL.iter().position(|t| *t == id_type).unwrap_or(0)
}

impl IdentityConfig {
    /// The blocked values of `id_type`.
    pub fn blocked(&self, id_type: IdType) -> &Blocked {
        &self.blocked_values[slot(id_type)]
    }

    /// The limit of `id_type`, if any.
    pub fn limit(&self, id_type: IdType) -> Option<Limit> {
        self.limits[slot(id_type)]
    }

    /// The rank of `id_type` in `priority`: 0 is the highest.
    pub fn rank(&self, id_type: IdType) -> usize {
        self.priority.iter().position(|t| *t == id_type).unwrap_or(self.priority.len())
    }

    /// The settings as JSON, in the form the config reader reads (`identity` in a config).
    pub fn to_json(&self) -> Value {
        let mut blocked = Map::new();
        let mut limits = Map::new();
        for id_type in IdType::ALL {
            blocked.insert(id_type.as_str().into(), self.blocked(id_type).patterns().into());
            let limit = match self.limit(id_type) {
                None => Value::Null,
                Some(Limit { max, within: None }) => max.into(),
                Some(Limit { max, within: Some(within) }) => {
                    serde_json::json!({"max": max, "within": within.to_string()})
                }
            };
            limits.insert(id_type.as_str().into(), limit);
        }
        let priority: Vec<&str> = self.priority.iter().map(|t| t.as_str()).collect();
        let cookie_ttl = self.cookie_ttl.map(|ttl| ttl.to_string());
        serde_json::json!({"blockedValues": blocked, "limits": limits, "priority": priority, "cookieTtl": cookie_ttl})
    }
}

/// Reads `{"blockedValues", "limits", "priority", "cookieTtl"}`, every key optional.
pub(super) fn read(value: &Value) -> Result<IdentityConfig> {
    let mut identity = IdentityConfig::default();
    let map = object("identity", value)?;
    for (key, value) in map {
        let path = format!("identity.{key}");
        match key.as_str() {
            "blockedValues" => {
                for (name, patterns) in object(&path, value)? {
                    let path = format!("{path}.{name}");
                    identity.blocked_values[slot(id_type(&path, name)?)] = blocked(&path, patterns)?;
                }
            }
            "limits" => {
                for (name, limit_value) in object(&path, value)? {
                    let path = format!("{path}.{name}");
                    identity.limits[slot(id_type(&path, name)?)] = limit(&path, limit_value)?;
                }
            }
            "priority" => identity.priority = priority(&path, value)?,
            "cookieTtl" => identity.cookie_ttl = cookie_ttl(&path, value)?,
            _ => return Err(invalid(&path, "unknown identity key")),
        }
    }
    Ok(identity)
}

fn object<'v>(key: &str, value: &'v Value) -> Result<&'v Map<String, Value>> {
    value.as_object().ok_or_else(|| invalid(key, format!("expected an object, got {}", clip_json(value))))
}

fn id_type(key: &str, name: &str) -> Result<IdType> {
    IdType::parse(name).ok_or_else(|| {
        invalid(key, format!("'{}' is not cookie, email, phone, externalContact or externalId", clip(name)))
    })
}

/// An idType's patterns: a list of at most [`MAX_PATTERNS`] strings; `[]` blocks nothing.
fn blocked(key: &str, value: &Value) -> Result<Blocked> {
    let list = value
        .as_array()
        .ok_or_else(|| invalid(key, format!("expected a list of patterns, got {}", clip_json(value))))?;
    if list.len() > MAX_PATTERNS {
        return Err(invalid(key, format!("has {} patterns; at most {MAX_PATTERNS}", list.len())));
    }
    let mut patterns = Vec::with_capacity(list.len());
    for (i, pattern) in list.iter().enumerate() {
        let path = format!("{key}[{i}]");
        let pattern = string(&path, pattern)?;
        if pattern.chars().count() > MAX_PATTERN_CHARS {
            return Err(invalid(&path, format!("is longer than {MAX_PATTERN_CHARS} characters")));
        }
        Blocked::new(vec![pattern.to_string()]).map_err(|message| invalid(&path, message))?;
        patterns.push(pattern.to_string());
    }
    Blocked::new(patterns).map_err(|message| invalid(key, message))
}

/// A limit: `null` (none), a whole number, or `{"max", "within"?}`.
fn limit(key: &str, value: &Value) -> Result<Option<Limit>> {
    let max = |value: &Value| match value.as_u64() {
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n as usize),
        _ => Err(invalid(key, format!("expected a whole number from 1 to {MAX_LIMIT}, got {}", clip_json(value)))),
    };
    match value {
        Value::Null => Ok(None),
        Value::Number(_) => Ok(Some(Limit { max: max(value)?, within: None })),
        Value::Object(map) => {
            let mut limit = Limit { max: 0, within: None };
            for (name, field) in map {
                match name.as_str() {
                    "max" => limit.max = max(field)?,
                    "within" => {
                        let within = Duration::parse(string(key, field)?).map_err(|m| invalid(key, m))?;
                        if within.as_millis() <= 0 {
                            return Err(invalid(key, "within must be longer than 0"));
                        }
                        limit.within = Some(within);
                    }
                    _ => return Err(invalid(&format!("{key}.{name}"), "unknown limit key: max or within")),
                }
            }
            if limit.max == 0 {
                return Err(invalid(key, "needs max"));
            }
            Ok(Some(limit))
        }
        _ => Err(invalid(key, format!("expected a number, an object or null, got {}", clip_json(value)))),
    }
}

/// `cookieTtl`: a duration longer than 0, or `null` (cookies never expire from their profiles).
fn cookie_ttl(key: &str, value: &Value) -> Result<Option<Duration>> {
    if value.is_null() {
        return Ok(None);
    }
    let ttl = Duration::parse(string(key, value)?).map_err(|m| invalid(key, m))?;
    if ttl.as_millis() <= 0 {
        return Err(invalid(key, "must be longer than 0"));
    }
    Ok(Some(ttl))
}

/// A list of distinct idTypes, highest first; those it leaves out follow in the default order.
fn priority(key: &str, value: &Value) -> Result<[IdType; 5]> {
    let list = value
        .as_array()
        .ok_or_else(|| invalid(key, format!("expected a list of idTypes, got {}", clip_json(value))))?;
    let mut order: Vec<IdType> = Vec::with_capacity(5);
    for (i, name) in list.iter().enumerate() {
        let path = format!("{key}[{i}]");
        let id_type = id_type(&path, string(&path, name)?)?;
        if order.contains(&id_type) {
            return Err(invalid(&path, format!("{} is listed twice", id_type.as_str())));
        }
        order.push(id_type);
    }
    for id_type in IdentityConfig::default().priority {
        if !order.contains(&id_type) {
            order.push(id_type);
        }
    }
    Ok([order[0], order[1], order[2], order[3], order[4]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Config;

    fn identity(text: &str) -> Result<IdentityConfig> {
        Config::from_json(&format!(r#"{{"identity":{text}}}"#)).map(|c| c.identity)
    }

    #[test]
    fn defaults_block_placeholders_and_make_external_ids_unique() {
        let rules = IdentityConfig::default();
        for id in ["", "0", "0000", "-1", "null", "NULL", "undefined", "Anonymous", "ANONYMOUS"] {
            assert!(rules.blocked(IdType::Email).matches(id), "{id}");
        }
        for id in ["a@b.c", "10", "anonymous1", "nullx"] {
            assert!(!rules.blocked(IdType::Cookie).matches(id), "{id}");
        }
        assert_eq!(rules.limit(IdType::ExternalId), Some(Limit { max: 1, within: None }));
        assert_eq!(rules.limit(IdType::Email), None);
        assert_eq!(rules.rank(IdType::ExternalId), 0);
        assert_eq!(rules.rank(IdType::Cookie), 4);
    }

    #[test]
    fn reads_every_key_and_round_trips() {
        let text = r#"{"blockedValues":{"email":["test@example\\.com", ".*@invalid"]},
            "limits":{"email":1,"cookie":{"max":50,"within":"30d"},"externalId":null},
            "priority":["email","cookie"],"cookieTtl":"7d"}"#;
        let rules = identity(text).unwrap();
        assert!(rules.blocked(IdType::Email).matches("test@example.com"));
        assert!(rules.blocked(IdType::Email).matches("x@invalid"));
        assert!(!rules.blocked(IdType::Email).matches("anonymous"), "a list replaces the defaults");
        assert!(rules.blocked(IdType::Phone).matches("anonymous"));
        assert_eq!(
            rules.limit(IdType::Cookie),
            Some(Limit { max: 50, within: Some(Duration::from_millis(30 * 86_400_000)) })
        );
        assert_eq!(rules.limit(IdType::ExternalId), None);
        assert_eq!(rules.limit(IdType::ExternalContact), Some(Limit { max: 1, within: None }));
        assert_eq!(
            rules.priority,
            [IdType::Email, IdType::Cookie, IdType::ExternalId, IdType::ExternalContact, IdType::Phone]
        );
        assert_eq!(rules.cookie_ttl, Some(Duration::from_millis(7 * 86_400_000)));
        assert_eq!(identity(&rules.to_json().to_string()).unwrap(), rules);
        assert_eq!(identity(r#"{"cookieTtl":null}"#).unwrap().cookie_ttl, None);
        assert_eq!(IdentityConfig::default().cookie_ttl, Some(Duration::from_millis(DEFAULT_COOKIE_TTL_MS)));
    }

    #[test]
    fn bad_settings_name_their_key() {
        let cases = [
            (r#"{"blockedValues":{"email":["("]}}"#, "identity.blockedValues.email[0]"),
            (r#"{"blockedValues":{"fax":[]}}"#, "identity.blockedValues.fax"),
            (r#"{"blockedValues":{"email":"x"}}"#, "identity.blockedValues.email"),
            (r#"{"limits":{"email":0}}"#, "identity.limits.email"),
            (r#"{"limits":{"email":{"within":"1d"}}}"#, "identity.limits.email"),
            (r#"{"limits":{"email":{"max":2,"within":"0s"}}}"#, "identity.limits.email"),
            (r#"{"limits":{"email":{"max":2,"per":"1d"}}}"#, "identity.limits.email.per"),
            (r#"{"priority":["email","email"]}"#, "identity.priority[1]"),
            (r#"{"priority":"email"}"#, "identity.priority"),
            (r#"{"cookieTtl":"0s"}"#, "identity.cookieTtl"),
            (r#"{"cookieTtl":60}"#, "identity.cookieTtl"),
            (r#"{"cookieTtl":"soon"}"#, "identity.cookieTtl"),
        ];
        for (text, key) in cases {
            let error = identity(text).unwrap_err();
            assert!(error.to_string().contains(key), "{text}: {error}");
        }
        let many = format!(r#"{{"blockedValues":{{"email":{}}}}}"#, serde_json::json!(vec!["a"; 101]));
        assert!(identity(&many).unwrap_err().to_string().contains("at most 100"));
        let long = format!(r#"{{"blockedValues":{{"email":["{}"]}}}}"#, "a".repeat(1001));
        assert!(identity(&long).unwrap_err().to_string().contains("longer than 1000"));
    }
}
