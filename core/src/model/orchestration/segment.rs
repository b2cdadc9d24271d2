//! Segments and outcomes: named sets of patterns, assigned or achieved when all match.

use super::criterion::CriterionKey;
use super::pattern::Journey;
use super::read::{Checked, refused_unless_empty};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a segment is assigned to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "SegmentScope"))]
pub enum Scope {
    /// The session that matched; the assignment ends with it (the default, as Genesys' create
    /// request no longer carries a scope).
    #[default]
    Session,
    /// The customer, for `assignmentExpirationDays`.
    Customer,
}

/// A segment, in the form of Genesys' `JourneySegment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "JourneySegment"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Segment {
    /// The id (given by the host, or derived when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The stored version (1 when created, +1 on each replace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// The name people see.
    pub display_name: String,
    /// Whether it is evaluated (default `true`).
    #[serde(default = "yes")]
    pub is_active: bool,
    /// What it is assigned to.
    #[serde(default)]
    pub scope: Scope,
    /// The patterns that assign it.
    #[serde(default)]
    pub journey: Journey,
    /// How long a customer assignment lasts, in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_expiration_days: Option<u32>,
    /// A display colour (`#rrggbb`), kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Whether agents see it (Genesys' flag, kept; libjourney's views show every assignment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub should_display_to_agent: Option<bool>,
    /// A description, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Genesys' link to the definition, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
    /// When it was created, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    /// When it was last changed, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<String>,
    /// Visitor-attribute patterns: refused unless empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// A segment assigned by another system: refused unless empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_segment: Option<Value>,
}

fn yes() -> bool {
    true
}

impl Checked for Segment {
    fn check(&self) -> Result<(), (String, String)> {
        check_display_name(&self.display_name)?;
        refused_unless_empty(&self.context, "/context", "visitor-attribute context patterns are not tracked")?;
        refused_unless_empty(&self.external_segment, "/externalSegment", "segments assigned by another system")?;
        if self.assignment_expiration_days == Some(0) {
            return Err(("/assignmentExpirationDays".into(), "at least 1 day".into()));
        }
        if self.scope == Scope::Session && self.assignment_expiration_days.is_some() {
            return Err((
                "/assignmentExpirationDays".into(),
                "a session segment ends with its session; only a Customer segment expires after days".into(),
            ));
        }
        self.journey.check("/journey")
    }
}

/// An outcome, in the form of Genesys' `Outcome`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "JourneyOutcome"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Outcome {
    /// The id (given by the host, or derived when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The stored version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// The name people see.
    pub display_name: String,
    /// Whether it is evaluated (default `true`).
    #[serde(default = "yes")]
    pub is_active: bool,
    /// Whether achieving it is good news (default `true`); shown, not evaluated.
    #[serde(default = "yes")]
    pub is_positive: bool,
    /// The patterns that achieve it.
    #[serde(default)]
    pub journey: Journey,
    /// Where the achievement's value is read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_value_field: Option<AssociatedValueField>,
    /// A description, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Genesys' link to the definition, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
    /// When it was created, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    /// When it was last changed, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<String>,
    /// Visitor-attribute patterns: refused unless empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// The event attribute an outcome's value is read from, and its type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssociatedValueField {
    /// `attributes.<name>` (or `attributes.<name>.value`).
    pub name: CriterionKey,
    /// How the value is read.
    pub data_type: ValueType,
}

/// The type of an outcome's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ValueDataType"))]
pub enum ValueType {
    /// Any number.
    Number,
    /// A whole number.
    Integer,
}

impl Checked for Outcome {
    fn check(&self) -> Result<(), (String, String)> {
        check_display_name(&self.display_name)?;
        refused_unless_empty(&self.context, "/context", "visitor-attribute context patterns are not tracked")?;
        if let Some(field) = &self.associated_value_field
            && !matches!(field.name, CriterionKey::EventAttribute(_))
        {
            return Err((
                "/associatedValueField/name".into(),
                "the value is read from an event attribute: attributes.<name>".into(),
            ));
        }
        self.journey.check("/journey")
    }
}

/// A display name: present, and at most 255 characters.
pub(crate) fn check_display_name(name: &str) -> Result<(), (String, String)> {
    match name.chars().count() {
        0 => Err(("/displayName".into(), "must not be empty".into())),
        n if n > 255 => Err(("/displayName".into(), "longer than 255 characters".into())),
        _ => Ok(()),
    }
}
