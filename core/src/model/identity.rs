//! What identity tells a host about an event's links (docs/identity.md): the warnings of links
//! the rules refused. The links and profiles themselves are state (`state/identity/`).

use crate::model::event::Customer;
use serde::{Deserialize, Serialize};

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WarningCode {
    /// The identifier matches a blocked value of its idType: it never links.
    IdentityBlocked,
    /// Linking it would give the profile more identifiers of its idType than the limit allows.
    IdentityLimit,
}

/// A link refused by a rule: the event is still accepted under its `customer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct IdentityWarning {
    /// Which rule refused it.
    pub code: WarningCode,
    /// The identifier left unlinked.
    pub identifier: Customer,
}
