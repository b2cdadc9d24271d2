//! The three session kinds and every rule that differs between them (docs/architecture.md).
//!
//! A rule that depends on the kind is a method here, with a `match` that names every kind, so a new
//! kind cannot be added without deciding each rule, and a reader finds them all in one place. The
//! sessionizing itself lives with the state: `state/session/keyed.rs` (custom and conversation
//! sessions, found by external id), `state/session/web.rs` (web sessions, found by inactivity) and
//! `state/session/conversation.rs` (a conversation's media and channel).

/// How sessions of a type are keyed and when they end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum SessionKind {
    /// Keyed by `session.externalId`; ended by an `endsOn` event.
    Custom,
    /// Keyed by customer and inactivity: a gap longer than `inactivityGap` starts a new session.
    Web,
    /// The built-in conversation type: keyed by the conversation id, with media and channel.
    Conversation,
}

/// Which map of external ids a keyed session lives in: custom and conversation sessions may share
/// an external id without being the same session.
pub(crate) type KeySpace = usize;

/// How many [`KeySpace`]s there are.
pub(crate) const KEY_SPACES: usize = 2;

impl SessionKind {
    /// The kind as it appears in JSON: `custom`, `web` or `conversation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Custom => "custom",
            Self::Web => "web",
            Self::Conversation => "conversation",
        }
    }

    /// Every kind.
    pub const ALL: [SessionKind; 3] = [Self::Custom, Self::Web, Self::Conversation];

    /// The kind named `name` (as [`SessionKind::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<SessionKind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Whether a catalog may define types of this kind (`conversation` is built in).
    pub fn is_builtin(self) -> bool {
        match self {
            Self::Custom | Self::Web => false,
            Self::Conversation => true,
        }
    }

    /// The map of external ids its sessions are found in; `None` for web sessions, which are found
    /// by inactivity (an `externalId` sent with a web event is ignored).
    pub(crate) fn key_space(self) -> Option<KeySpace> {
        match self {
            Self::Custom => Some(0),
            Self::Conversation => Some(1),
            Self::Web => None,
        }
    }

    /// Whether its events must carry `session.externalId`.
    pub fn requires_external_id(self) -> bool {
        match self {
            Self::Custom | Self::Conversation => true,
            Self::Web => false,
        }
    }

    /// Whether its sessions end after `inactivityGap` without events (and may set one).
    pub fn ends_by_inactivity(self) -> bool {
        match self {
            Self::Web => true,
            Self::Custom | Self::Conversation => false,
        }
    }

    /// Whether its sessions may end by event (`endsOn` in the catalog; a conversation ends when
    /// its call disconnects).
    pub fn ends_by_event(self) -> bool {
        match self {
            Self::Custom | Self::Conversation => true,
            Self::Web => false,
        }
    }

    /// The prefix of the name its session ids are derived from (UUIDv5 of `<prefix><externalId>`);
    /// `None` for web sessions, whose ids are random.
    pub(crate) fn session_id_prefix(self) -> Option<&'static str> {
        match self {
            Self::Custom => Some("custom:"),
            Self::Conversation => Some("conversation:"),
            Self::Web => None,
        }
    }

    /// Whether its sessions carry a conversation's state (media, channel, the events that may
    /// come after it ended, such as a wrap-up).
    pub fn is_conversation(self) -> bool {
        match self {
            Self::Conversation => true,
            Self::Custom | Self::Web => false,
        }
    }

    /// Whether an agent sees its sessions without `journey:sessionType:view` (conversations are
    /// the agent's own interactions; custom and web types are the catalog's).
    pub(crate) fn listed_without_type_permission(self) -> bool {
        match self {
            Self::Conversation => true,
            Self::Custom | Self::Web => false,
        }
    }

    /// Whether a catalog may open its types to event types it does not declare (`"open": true`,
    /// docs/decisions.md): app sessions are web visits, split by inactivity, and a mobile app's
    /// events have no end event to declare. Custom and conversation sessions end by events the
    /// catalog names, so their event types stay declared.
    pub fn may_be_open(self) -> bool {
        match self {
            Self::Web => true,
            Self::Custom | Self::Conversation => false,
        }
    }

    /// Whether its sessions are the customer's web visits: the journey view follows their latest
    /// activity (a visit revives the customer's status).
    pub fn is_web_visit(self) -> bool {
        match self {
            Self::Web => true,
            Self::Custom | Self::Conversation => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_key_spaces_are_distinct() {
        for kind in SessionKind::ALL {
            assert_eq!(SessionKind::from_name(kind.as_str()), Some(kind));
            assert_eq!(kind.requires_external_id(), kind.key_space().is_some());
            assert!(kind.key_space().is_none_or(|space| space < KEY_SPACES));
            assert_eq!(kind.session_id_prefix().is_some(), kind.key_space().is_some());
            assert_ne!(kind.ends_by_event(), kind.ends_by_inactivity());
        }
        assert_ne!(SessionKind::Custom.key_space(), SessionKind::Conversation.key_space());
        assert_eq!(SessionKind::from_name("Web"), None);
    }
}
