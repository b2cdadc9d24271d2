//! The one error type of libjourney, its stable codes, and the violation form of §2.2.
//!
//! Every failure that crosses a public API is a [`JourneyError`]. Its [`code`](JourneyError::code) is
//! the SCREAMING_SNAKE string that every binding exposes unchanged, and [`to_json`](JourneyError::to_json)
//! gives the JSON form of SPEC §9: `{"code", "message", "violations"?}`.

use serde::Serialize;
use std::fmt;

/// Why an event (or a catalog entry) was refused; one code per distinct rule of SPEC §2.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ViolationCode {
    /// The bytes are not one JSON value.
    InvalidJson,
    /// The raw event is larger than `config.maxEventBytes`.
    EventTooLarge,
    /// `createdDate` is absent.
    MissingDate,
    /// `customer` or `customer.id` is absent.
    MissingCustomer,
    /// A required envelope field is absent.
    MissingField,
    /// `createdDate` is not an RFC 3339 timestamp.
    InvalidDate,
    /// `id` is not a UUID.
    InvalidId,
    /// A name is not an identifier (`^[A-Za-z][A-Za-z0-9_]{0,63}$`).
    InvalidName,
    /// `session.type` names no session type of the catalog.
    UnknownSessionType,
    /// `eventName` names no event type of the session type.
    UnknownEventType,
    /// An attribute the event type does not define (policy `reject`, or a warning with `drop`).
    UnknownAttribute,
    /// A required attribute is absent.
    MissingAttribute,
    /// A value has the wrong JSON type, or is a malformed `datetime` or `uuid` string.
    TypeMismatch,
    /// A value is outside its enumeration.
    NotInEnum,
    /// A number is below `min` or above `max`.
    OutOfRange,
    /// A string is longer than its limit.
    TooLong,
    /// The event carries more attributes than `config.maxAttributesPerEvent`.
    TooManyAttributes,
    /// The event carries more than 100 `identifiers` (docs/identity.md).
    TooManyIdentifiers,
    /// The event names another session type than the one its session was created with.
    SessionTypeMismatch,
    /// The event's customer is not the customer its session belongs to.
    CustomerMismatch,
    /// The event is later than the end of its session.
    SessionEnded,
    /// The event is older than `now - config.allowedLateness`.
    LateEvent,
    /// The event is more than `config.maxClockSkew` after `now`.
    FutureEvent,
    /// The event's id was already accepted with different content.
    DuplicateIdConflict,
    /// A catalog fault (only in catalog errors).
    InvalidCatalog,
    /// A catalog exceeds a configured limit (only in catalog errors).
    LimitExceeded,
    /// The last entry of a list cut at `MAX_VIOLATIONS_PER_EVENT` (100); its message says how many
    /// more were found.
    TooManyViolations,
}

impl ViolationCode {
    /// Every code, in declaration order; used to index per-code counters.
    pub const ALL: [ViolationCode; 27] = [
        Self::InvalidJson,
        Self::EventTooLarge,
        Self::MissingDate,
        Self::MissingCustomer,
        Self::MissingField,
        Self::InvalidDate,
        Self::InvalidId,
        Self::InvalidName,
        Self::UnknownSessionType,
        Self::UnknownEventType,
        Self::UnknownAttribute,
        Self::MissingAttribute,
        Self::TypeMismatch,
        Self::NotInEnum,
        Self::OutOfRange,
        Self::TooLong,
        Self::TooManyAttributes,
        Self::TooManyIdentifiers,
        Self::SessionTypeMismatch,
        Self::CustomerMismatch,
        Self::SessionEnded,
        Self::LateEvent,
        Self::FutureEvent,
        Self::DuplicateIdConflict,
        Self::InvalidCatalog,
        Self::LimitExceeded,
        Self::TooManyViolations,
    ];

    /// The stable code string, for example `"TYPE_MISMATCH"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "INVALID_JSON",
            Self::EventTooLarge => "EVENT_TOO_LARGE",
            Self::MissingDate => "MISSING_DATE",
            Self::MissingCustomer => "MISSING_CUSTOMER",
            Self::MissingField => "MISSING_FIELD",
            Self::InvalidDate => "INVALID_DATE",
            Self::InvalidId => "INVALID_ID",
            Self::InvalidName => "INVALID_NAME",
            Self::UnknownSessionType => "UNKNOWN_SESSION_TYPE",
            Self::UnknownEventType => "UNKNOWN_EVENT_TYPE",
            Self::UnknownAttribute => "UNKNOWN_ATTRIBUTE",
            Self::MissingAttribute => "MISSING_ATTRIBUTE",
            Self::TypeMismatch => "TYPE_MISMATCH",
            Self::NotInEnum => "NOT_IN_ENUM",
            Self::OutOfRange => "OUT_OF_RANGE",
            Self::TooLong => "TOO_LONG",
            Self::TooManyAttributes => "TOO_MANY_ATTRIBUTES",
            Self::TooManyIdentifiers => "TOO_MANY_IDENTIFIERS",
            Self::SessionTypeMismatch => "SESSION_TYPE_MISMATCH",
            Self::CustomerMismatch => "CUSTOMER_MISMATCH",
            Self::SessionEnded => "SESSION_ENDED",
            Self::LateEvent => "LATE_EVENT",
            Self::FutureEvent => "FUTURE_EVENT",
            Self::DuplicateIdConflict => "DUPLICATE_ID_CONFLICT",
            Self::InvalidCatalog => "INVALID_CATALOG",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::TooManyViolations => "TOO_MANY_VIOLATIONS",
        }
    }

    /// Position in [`ViolationCode::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ViolationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason an input was refused: `{code, path, message}`, where `path` is a JSON pointer into the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Violation {
    /// Which rule was broken.
    pub code: ViolationCode,
    /// JSON pointer (RFC 6901) to the offending value; `""` is the whole input.
    pub path: String,
    /// A sentence for a human.
    pub message: String,
}

impl Violation {
    /// Roughly the memory the violation holds besides itself.
    pub(crate) fn heap_bytes(&self) -> usize {
        std::mem::size_of::<Violation>() + self.path.len() + self.message.len()
    }

    /// Builds a violation.
    pub fn new(code: ViolationCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        Violation { code, path: path.into(), message: message.into() }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at '{}': {}", self.code, self.path, self.message)
    }
}

/// Every error libjourney returns. Rejected events are *outcomes*, not errors; see [`crate::Outcome`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JourneyError {
    /// The catalog is malformed; every fault is listed with its JSON pointer.
    #[error("invalid catalog: {}", first_message(.violations))]
    InvalidCatalog {
        /// Each fault, with code `INVALID_CATALOG` or `LIMIT_EXCEEDED`.
        violations: Vec<Violation>,
    },
    /// The catalog is well formed but exceeds a configured limit.
    #[error("limit exceeded: {}", first_message(.violations))]
    LimitExceeded {
        /// Each limit exceeded, with its JSON pointer.
        violations: Vec<Violation>,
    },
    /// A config key is unknown or has a bad value.
    #[error("invalid config key '{key}': {message}")]
    InvalidConfig {
        /// The offending key, for example `maxClockSkew`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// A single event was rejected (used by callers that want rejection as an error; see
    /// [`crate::Outcome::into_result`]). The code is the first violation's.
    #[error("event rejected: {}", first_message(.violations))]
    Validation {
        /// Every violation found, at once.
        violations: Vec<Violation>,
    },
    /// An input given as JSON text (a query, a batch, an action event) is not valid JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// The viewer lacks a permission the operation needs.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// The thing does not exist, or the viewer may not know that it does (divisions).
    #[error("not found: {0}")]
    NotFound(String),
    /// An argument is malformed or out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// An agent session id is unknown.
    #[error("invalid session: {0}")]
    InvalidSession(String),
    /// An agent's queue holds `maxPendingPerAgent` undelivered events, or `maxPersistedTotal`
    /// persisted events wait across every agent.
    #[error("queue full: {0}")]
    QueueFull(String),
    /// A web action cannot move between the two named states.
    #[error("invalid transition from '{from}' to '{to}'")]
    InvalidTransition {
        /// The action's current state.
        from: String,
        /// The state that was asked for.
        to: String,
    },
    /// A web action's first recorded state is neither `qualified` nor `offered`.
    #[error("unknown action: {0}")]
    UnknownAction(String),
    /// A durable engine's file system refused a read, write, fsync or rename (SPEC §11). After a
    /// failed journal write the engine refuses further changes; reopening recovers what was durable.
    #[error("I/O error: {0}")]
    Io(String),
    /// A store's journal or snapshot fails its checksum or does not decode, other than a torn tail.
    #[error("corrupt store: {file} at byte {offset}: {message}")]
    CorruptStore {
        /// The file, as a path.
        file: String,
        /// The byte offset of the bad record or of the bad snapshot part.
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// Another engine has the store open.
    #[error("store locked: {0}")]
    StoreLocked(String),
    /// A long call was stopped by its [`crate::Interrupt`] (a binding's Ctrl-C); what it had done
    /// stays done. Bindings raise their own interruption instead (Python's `KeyboardInterrupt`).
    #[error("interrupted: {0}")]
    Interrupted(String),
}

fn first_message(violations: &[Violation]) -> String {
    match violations {
        [] => "no details".to_owned(),
        [only] => only.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

impl JourneyError {
    /// The stable code, the same string in every language.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidCatalog { .. } => "INVALID_CATALOG",
            Self::LimitExceeded { .. } => "LIMIT_EXCEEDED",
            Self::InvalidConfig { .. } => "INVALID_CONFIG",
            Self::Validation { violations } => violations.first().map_or("INVALID_JSON", |v| v.code.as_str()),
            Self::InvalidJson(_) => "INVALID_JSON",
            Self::PermissionDenied(_) => "PERMISSION_DENIED",
            Self::NotFound(_) => "NOT_FOUND",
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::InvalidSession(_) => "INVALID_SESSION",
            Self::QueueFull(_) => "QUEUE_FULL",
            Self::InvalidTransition { .. } => "INVALID_TRANSITION",
            Self::UnknownAction(_) => "UNKNOWN_ACTION",
            Self::Io(_) => "IO_ERROR",
            Self::CorruptStore { .. } => "CORRUPT_STORE",
            Self::StoreLocked(_) => "STORE_LOCKED",
            Self::Interrupted(_) => "INTERRUPTED",
        }
    }

    /// The violations carried by catalog and validation errors; empty for the others.
    pub fn violations(&self) -> &[Violation] {
        match self {
            Self::InvalidCatalog { violations }
            | Self::LimitExceeded { violations }
            | Self::Validation { violations } => violations,
            _ => &[],
        }
    }

    /// The JSON form of SPEC §9: `{"code", "message"}`, plus `"violations"` when there are any.
    pub fn to_json(&self) -> serde_json::Value {
        let mut json = serde_json::json!({ "code": self.code(), "message": self.to_string() });
        if !self.violations().is_empty() {
            json["violations"] = serde_json::to_value(self.violations()).unwrap_or_default();
        }
        if let Self::InvalidConfig { key, .. } = self {
            json["key"] = serde_json::Value::String(key.clone());
        }
        if let Self::CorruptStore { file, offset, .. } = self {
            json["file"] = serde_json::Value::String(file.clone());
            json["offset"] = (*offset).into();
        }
        json
    }

    /// Shorthand for an `INVALID_ARGUMENT` error.
    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::InvalidArgument(message.into())
    }
}

impl Serialize for JourneyError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl JourneyError {
    /// An `IO_ERROR` saying what was being done to which path.
    pub(crate) fn io(doing: &str, path: &std::path::Path, error: std::io::Error) -> Self {
        Self::Io(format!("{doing} {}: {error}", path.display()))
    }

    /// A `CORRUPT_STORE` at `offset` of `file`.
    pub(crate) fn corrupt(file: &std::path::Path, offset: u64, message: impl Into<String>) -> Self {
        Self::CorruptStore { file: file.display().to_string(), offset, message: message.into() }
    }
}

/// Reads an input given as JSON text; malformed text is `INVALID_JSON`. Every front door (C,
/// Python, Node) reads its JSON inputs through this, so they all report bad text the same way.
pub fn parse_input(text: &str) -> Result<serde_json::Value> {
    crate::base::json::parse_value(text.as_bytes())
        .map_err(|e| JourneyError::InvalidJson(crate::base::text::bounded(e)))
}

/// Result alias used throughout the crate.
pub type Result<T, E = JourneyError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_indexed_in_order() {
        let mut seen = std::collections::HashSet::new();
        for (i, code) in ViolationCode::ALL.iter().enumerate() {
            assert_eq!(code.index(), i);
            assert!(seen.insert(code.as_str()));
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn validation_error_takes_the_first_violation_code() {
        let err = JourneyError::Validation { violations: vec![Violation::new(ViolationCode::TooLong, "/a", "x")] };
        assert_eq!(err.code(), "TOO_LONG");
        assert_eq!(err.to_json()["violations"][0]["path"], "/a");
    }
}
