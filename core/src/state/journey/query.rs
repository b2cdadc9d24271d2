//! The inputs of `journey` and `session_events` in their JSON form (SPEC §10).

use super::{PageRequest, Viewer};
use crate::base::error::{JourneyError, Result};
use crate::model::event::Customer;
use serde::{Deserialize, Serialize};

/// The input of `journey`: `{"customer", "viewer", "page"?}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyQuery {
    /// Whose journey.
    pub customer: Customer,
    /// Who is looking.
    pub viewer: Viewer,
    /// Which page.
    #[serde(default)]
    pub page: PageRequest,
}

/// The input of `session_events`: `{"sessionId", "viewer", "page"?}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionEventsQuery {
    /// The session, by any of its ids.
    pub session_id: String,
    /// Who is looking.
    pub viewer: Viewer,
    /// Which page.
    #[serde(default)]
    pub page: PageRequest,
}

/// Reads a query from its JSON form; `INVALID_ARGUMENT` names what is wrong.
pub fn query_from_value<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T> {
    T::deserialize(value).map_err(|e| JourneyError::invalid_argument(crate::base::text::bounded(e)))
}
