//! A journey pattern: `{criteria[], count, streamType, sessionType?, eventName?}`.

use super::criterion::{Criterion, CriterionKey};
use serde::{Deserialize, Serialize};

/// The most patterns one definition may hold.
pub const MAX_PATTERNS: usize = 20;

/// Which events a pattern or condition looks at (Genesys' `streamType`; its `App` stream has no
/// counterpart here and is refused as an unknown variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum StreamType {
    /// Web sessions' events.
    Web,
    /// Custom sessions' events.
    Custom,
    /// Conversation sessions' events.
    Conversation,
}

impl StreamType {
    /// The session kind whose events the stream is.
    pub fn kind(self) -> crate::model::kind::SessionKind {
        use crate::model::kind::SessionKind;
        match self {
            StreamType::Web => SessionKind::Web,
            StreamType::Custom => SessionKind::Custom,
            StreamType::Conversation => SessionKind::Conversation,
        }
    }
}

/// Matches when at least `count` events of the stream satisfy every criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JourneyPattern {
    /// Every one must hold on an event for it to count.
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// How many events must count (at least 1).
    pub count: u32,
    /// The stream the events come from.
    pub stream_type: StreamType,
    /// Only events of this session type (any of the stream's when absent; Genesys requires it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_type: Option<String>,
    /// Only events of this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
}

/// A definition's patterns, all of which must match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Journey {
    /// The patterns.
    #[serde(default)]
    pub patterns: Vec<JourneyPattern>,
}

impl JourneyPattern {
    fn check(&self, at: &str) -> Result<(), (String, String)> {
        if self.count == 0 {
            return Err((format!("{at}/count"), "at least 1".into()));
        }
        for (i, criterion) in self.criteria.iter().enumerate() {
            let here = format!("{at}/criteria/{i}");
            criterion.check(&here)?;
            check_key_on_stream(&criterion.key, self.stream_type, &format!("{here}/key"))?;
        }
        Ok(())
    }
}

/// A web key (`page.url`) reads a web event's attribute: it means nothing on another stream.
pub(crate) fn check_key_on_stream(key: &CriterionKey, stream: StreamType, at: &str) -> Result<(), (String, String)> {
    match key {
        CriterionKey::Web(name) if stream != StreamType::Web => {
            Err((at.to_owned(), format!("'{name}' is a web key, on a {stream:?} stream")))
        }
        _ => Ok(()),
    }
}

impl Journey {
    /// Checks every pattern, and that there are from 1 to [`MAX_PATTERNS`] (with none, every
    /// session would match).
    pub(crate) fn check(&self, at: &str) -> Result<(), (String, String)> {
        if self.patterns.is_empty() {
            return Err((format!("{at}/patterns"), "at least one pattern is needed".into()));
        }
        if self.patterns.len() > MAX_PATTERNS {
            return Err((
                format!("{at}/patterns"),
                format!("{} patterns; at most {MAX_PATTERNS}", self.patterns.len()),
            ));
        }
        self.patterns.iter().enumerate().try_for_each(|(i, pattern)| pattern.check(&format!("{at}/patterns/{i}")))
    }
}
