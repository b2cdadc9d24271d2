//! A criterion: `{key, values[], operator?, shouldIgnoreCase?}`, one test on an event or its session.

use serde::{Deserialize, Serialize};

/// The most values one criterion may list.
pub const MAX_CRITERION_VALUES: usize = 100;

/// The longest value, in characters. Values are plain text, never patterns, so no value can make
/// evaluation slow; this bounds the memory a definition holds.
pub const MAX_VALUE_LENGTH: usize = 1_000;

/// The web event attributes a criterion may name with a `page.` key, and `searchQuery`.
const WEB_KEYS: &[&str] = &[
    "page.url",
    "page.title",
    "page.hostname",
    "page.pathname",
    "page.domain",
    "page.fragment",
    "page.keywords",
    "page.queryString",
    "searchQuery",
];

/// One test on an event (or its session's attributes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Criterion {
    /// What is tested.
    pub key: CriterionKey,
    /// The values it is compared with.
    pub values: Vec<String>,
    /// How (default `equal`, as in Genesys' request models).
    #[serde(default)]
    pub operator: Operator,
    /// Whether text compares without case (default `false`).
    #[serde(default)]
    pub should_ignore_case: bool,
}

/// What a criterion tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub enum CriterionKey {
    /// `eventName`.
    EventName,
    /// `attributes.<name>`, or Genesys' `attributes.<name>.value`: an event attribute.
    EventAttribute(String),
    /// `session.attributes.<name>`: the session's current value of one of its attributes.
    SessionAttribute(String),
    /// A web key (`page.url`, `searchQuery`): the web event's attribute named after the `page.`
    /// prefix (`page.url` reads `url`).
    Web(String),
}

impl TryFrom<String> for CriterionKey {
    type Error = String;

    fn try_from(key: String) -> Result<CriterionKey, String> {
        if key == "eventName" {
            return Ok(CriterionKey::EventName);
        }
        if WEB_KEYS.contains(&key.as_str()) {
            return Ok(CriterionKey::Web(key));
        }
        if let Some(name) = key.strip_prefix("session.attributes.").filter(|n| !n.is_empty()) {
            return Ok(CriterionKey::SessionAttribute(name.to_owned()));
        }
        let attribute = key.strip_prefix("attributes.").map(|n| n.strip_suffix(".value").unwrap_or(n));
        match attribute.filter(|n| !n.is_empty()) {
            Some(name) => Ok(CriterionKey::EventAttribute(name.to_owned())),
            None => Err(format!(
                "unknown key '{}': expected eventName, attributes.<name>, session.attributes.<name>, or one of {}",
                crate::base::text::clip(&key),
                WEB_KEYS.join(", ")
            )),
        }
    }
}

impl From<CriterionKey> for String {
    fn from(key: CriterionKey) -> String {
        match key {
            CriterionKey::EventName => "eventName".into(),
            CriterionKey::EventAttribute(name) => format!("attributes.{name}"),
            CriterionKey::SessionAttribute(name) => format!("session.attributes.{name}"),
            CriterionKey::Web(key) => key,
        }
    }
}

/// How a criterion compares (the Genesys operators).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "CriterionOperator"))]
#[serde(rename_all = "camelCase")]
pub enum Operator {
    /// Equals any of the values.
    #[default]
    Equal,
    /// Equals none of the values.
    NotEqual,
    /// The text contains every value.
    ContainsAll,
    /// The text contains at least one value.
    ContainsAny,
    /// The text does not contain every value.
    NotContainsAll,
    /// The text contains none of the values.
    NotContainsAny,
    /// Greater than the value (numbers and datetimes).
    GreaterThan,
    /// Greater than or equal to the value.
    GreaterThanOrEqual,
    /// Less than the value.
    LessThan,
    /// Less than or equal to the value.
    LessThanOrEqual,
    /// The text starts with a value.
    StartsWith,
    /// The text ends with a value.
    EndsWith,
}

impl Operator {
    /// Whether it orders values, so it needs a number or a datetime and exactly one value.
    pub fn is_ordering(self) -> bool {
        matches!(self, Self::GreaterThan | Self::GreaterThanOrEqual | Self::LessThan | Self::LessThanOrEqual)
    }
}

impl Criterion {
    /// Checks the values: at least one, at most [`MAX_CRITERION_VALUES`], each at most
    /// [`MAX_VALUE_LENGTH`] characters, and exactly one for an ordering operator.
    pub(crate) fn check(&self, at: &str) -> Result<(), (String, String)> {
        let values = format!("{at}/values");
        if self.values.is_empty() {
            return Err((values, "at least one value is needed".into()));
        }
        if self.values.len() > MAX_CRITERION_VALUES {
            return Err((values, format!("{} values; at most {MAX_CRITERION_VALUES}", self.values.len())));
        }
        if let Some(i) = self.values.iter().position(|v| v.chars().count() > MAX_VALUE_LENGTH) {
            return Err((format!("{values}/{i}"), format!("longer than {MAX_VALUE_LENGTH} characters")));
        }
        if self.operator.is_ordering() && self.values.len() != 1 {
            return Err((values, "an ordering operator compares with exactly one value".into()));
        }
        Ok(())
    }
}
