//! Who is looking (SPEC §4): a viewer's permissions and divisions.

use serde::{Deserialize, Serialize};

/// The permission names libjourney checks.
pub mod permission {
    /// Lists a customer's sessions.
    pub const SESSION_VIEW: &str = "journey:session:view";
    /// Lists a customer's sessions (the admin's equivalent of [`SESSION_VIEW`]).
    pub const EXTERNAL_CONTACTS_SESSION_VIEW: &str = "externalContacts:session:view";
    /// Shows custom and web sessions; without it only conversations are listed.
    pub const SESSION_TYPE_VIEW: &str = "journey:sessionType:view";
    /// Reads a session's events.
    pub const EVENT_VIEW: &str = "journey:event:view";
    /// Shows event attributes.
    pub const EVENT_TYPE_VIEW: &str = "journey:eventType:view";
    /// Shows a conversation's wrap-up code.
    pub const WRAPUP_CODE_VIEW: &str = "routing:wrapupCode:view";
    /// Shows a conversation's last queue.
    pub const QUEUE_SEARCH: &str = "routing:queue:search";

    /// Every permission above.
    pub const ALL: [&str; 7] = [
        SESSION_VIEW,
        EXTERNAL_CONTACTS_SESSION_VIEW,
        SESSION_TYPE_VIEW,
        EVENT_VIEW,
        EVENT_TYPE_VIEW,
        WRAPUP_CODE_VIEW,
        QUEUE_SEARCH,
    ];
}

/// `{"permissions": [...], "divisions": [...]}`; `"*"` in divisions means every division.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Viewer {
    /// Permission names, for example `journey:session:view`.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Division names the viewer may see, or `"*"`.
    #[serde(default)]
    pub divisions: Vec<String>,
}

impl Viewer {
    /// A viewer with these permissions and divisions.
    pub fn new<P: Into<String>, D: Into<String>>(
        permissions: impl IntoIterator<Item = P>,
        divisions: impl IntoIterator<Item = D>,
    ) -> Self {
        Viewer {
            permissions: permissions.into_iter().map(Into::into).collect(),
            divisions: divisions.into_iter().map(Into::into).collect(),
        }
    }

    /// A viewer with every permission in every division: the engine's own view, for tools run by
    /// whoever owns the data.
    pub fn unrestricted() -> Viewer {
        Viewer::new(permission::ALL, ["*"])
    }

    /// Whether the viewer holds `permission`.
    pub fn has(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }

    /// Whether every division is visible (`"*"`).
    pub fn sees_every_division(&self) -> bool {
        self.divisions.iter().any(|d| d == "*")
    }

    /// Whether a session in `division` is visible. A session with no division is visible to all.
    pub fn sees_division(&self, division: Option<&str>) -> bool {
        division.is_none_or(|d| self.divisions.iter().any(|v| v == "*" || v == d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisions_and_wildcard() {
        let viewer = Viewer::new(["journey:session:view"], ["east"]);
        assert!(viewer.sees_division(None));
        assert!(viewer.sees_division(Some("east")));
        assert!(!viewer.sees_division(Some("west")));
        assert!(Viewer::new(Vec::<String>::new(), ["*"]).sees_division(Some("west")));
        assert!(viewer.has(permission::SESSION_VIEW) && !viewer.has(permission::EVENT_VIEW));
    }
}
