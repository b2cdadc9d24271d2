//! The web action lifecycle (SPEC §6, seed 003): media types, states, and the allowed moves.

use crate::base::error::{JourneyError, Result};
use crate::model::orchestration::ActionMediaType;
use serde::{Deserialize, Serialize};

/// The kind of web action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    /// A web chat offer.
    Webchat,
    /// A web messaging offer.
    Webmessaging,
    /// A content offer.
    Contentoffer,
}

impl MediaType {
    /// Every media type.
    pub const ALL: [MediaType; 3] = [Self::Webchat, Self::Webmessaging, Self::Contentoffer];

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webchat => "webchat",
            Self::Webmessaging => "webmessaging",
            Self::Contentoffer => "contentoffer",
        }
    }

    /// Reads the JSON spelling, or one of the Genesys Platform API spellings `webMessagingOffer`
    /// and `contentOffer` (in any case), which name the same media types.
    pub fn parse(text: &str) -> Option<MediaType> {
        Self::ALL.into_iter().find(|m| m.as_str() == text).or_else(|| match text.to_ascii_lowercase().as_str() {
            "webmessagingoffer" => Some(Self::Webmessaging),
            "contentoffer" => Some(Self::Contentoffer),
            _ => None,
        })
    }

    /// The web action an action map's media type records, if it is one.
    pub fn of_map(media: ActionMediaType) -> Option<MediaType> {
        match media {
            ActionMediaType::Webchat => Some(Self::Webchat),
            ActionMediaType::WebMessagingOffer => Some(Self::Webmessaging),
            ActionMediaType::ContentOffer => Some(Self::Contentoffer),
            ActionMediaType::CustomEvent
            | ActionMediaType::Callback
            | ActionMediaType::IntegrationAction
            | ActionMediaType::ArchitectFlow
            | ActionMediaType::OpenAction => None,
        }
    }
}

/// A state of a web action's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub enum ActionState {
    Qualified,
    QualifiedOutsideSchedule,
    FrequencyCapReached,
    Offered,
    OfferedOutsideSchedule,
    Accepted,
    Rejected,
    Ignored,
    Timedout,
    Errored,
    Started,
    Engaged,
    Completed,
    Abandoned,
}

impl ActionState {
    /// Every state.
    pub const ALL: [ActionState; 14] = [
        Self::Qualified,
        Self::QualifiedOutsideSchedule,
        Self::FrequencyCapReached,
        Self::Offered,
        Self::OfferedOutsideSchedule,
        Self::Accepted,
        Self::Rejected,
        Self::Ignored,
        Self::Timedout,
        Self::Errored,
        Self::Started,
        Self::Engaged,
        Self::Completed,
        Self::Abandoned,
    ];

    /// The JSON spelling, for example `qualifiedOutsideSchedule`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Qualified => "qualified",
            Self::QualifiedOutsideSchedule => "qualifiedOutsideSchedule",
            Self::FrequencyCapReached => "frequencyCapReached",
            Self::Offered => "offered",
            Self::OfferedOutsideSchedule => "offeredOutsideSchedule",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Ignored => "ignored",
            Self::Timedout => "timedout",
            Self::Errored => "errored",
            Self::Started => "started",
            Self::Engaged => "engaged",
            Self::Completed => "completed",
            Self::Abandoned => "abandoned",
        }
    }

    /// Reads the JSON spelling.
    pub fn parse(text: &str) -> Option<ActionState> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The states an action of `media` may move to from `from`.
pub fn next_states(media: MediaType, from: ActionState) -> &'static [ActionState] {
    use ActionState::*;
    match from {
        Qualified => &[Offered, QualifiedOutsideSchedule, FrequencyCapReached, Errored],
        QualifiedOutsideSchedule => &[OfferedOutsideSchedule, Errored],
        Offered | OfferedOutsideSchedule => &[Accepted, Rejected, Ignored, Timedout, Errored],
        // A content offer is done once accepted: there is no conversation to start.
        Accepted if media == MediaType::Contentoffer => &[],
        // `rejected` after `accepted`: the visitor cancels or closes the chat form (Genesys web chat).
        Accepted => &[Started, Abandoned, Rejected, Errored],
        Started => &[Engaged, Completed, Abandoned, Errored],
        Engaged => &[Completed, Abandoned, Errored],
        Rejected | Ignored | Timedout | Errored | Abandoned | Completed | FrequencyCapReached => &[],
    }
}

/// What recording `to` does to an action currently in `from` (`None`: never seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The state changes; subscribers are told.
    Changed,
    /// The action is already in that state: nothing happens.
    Repeated,
}

/// Checks one move of the lifecycle.
pub fn check_move(media: MediaType, from: Option<ActionState>, to: ActionState) -> Result<Move> {
    match from {
        None if matches!(to, ActionState::Qualified | ActionState::Offered) => Ok(Move::Changed),
        None => Err(JourneyError::UnknownAction(format!(
            "an action's first state must be qualified or offered, not {}",
            to.as_str()
        ))),
        Some(from) if from == to => Ok(Move::Repeated),
        Some(from) if next_states(media, from).contains(&to) => Ok(Move::Changed),
        Some(from) => {
            Err(JourneyError::InvalidTransition { from: from.as_str().to_owned(), to: to.as_str().to_owned() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionState::*;

    #[test]
    fn spellings_round_trip() {
        for state in ActionState::ALL {
            assert_eq!(ActionState::parse(state.as_str()), Some(state));
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        for media in MediaType::ALL {
            assert_eq!(MediaType::parse(media.as_str()), Some(media));
        }
        assert_eq!(MediaType::parse("webMessagingOffer"), Some(MediaType::Webmessaging));
        assert_eq!(MediaType::parse("CONTENTOFFER"), Some(MediaType::Contentoffer));
        assert_eq!(MediaType::parse("contentOffer"), Some(MediaType::Contentoffer));
        assert_eq!(MediaType::parse("webMessaging"), None);
    }

    #[test]
    fn the_lifecycle_table() {
        assert_eq!(check_move(MediaType::Webchat, None, Offered), Ok(Move::Changed));
        assert_eq!(check_move(MediaType::Webchat, None, Accepted).unwrap_err().code(), "UNKNOWN_ACTION");
        assert_eq!(check_move(MediaType::Webchat, Some(Accepted), Started), Ok(Move::Changed));
        assert_eq!(check_move(MediaType::Webmessaging, Some(Accepted), Rejected), Ok(Move::Changed));
        assert_eq!(
            check_move(MediaType::Contentoffer, Some(Accepted), Rejected).unwrap_err().code(),
            "INVALID_TRANSITION"
        );
        assert_eq!(
            check_move(MediaType::Contentoffer, Some(Accepted), Started).unwrap_err().code(),
            "INVALID_TRANSITION"
        );
        assert_eq!(check_move(MediaType::Webchat, Some(Completed), Completed), Ok(Move::Repeated));
        let err = check_move(MediaType::Webchat, Some(Qualified), Completed).unwrap_err();
        assert_eq!(err.to_string(), "invalid transition from 'qualified' to 'completed'");
    }
}
