//! What an ingest returns (SPEC §2.3): one outcome per event, and totals for a batch.

use crate::base::error::{JourneyError, Violation};
use crate::model::identity::IdentityWarning;
use serde::Serialize;
use uuid::Uuid;

/// The result of ingesting one event. A rejection is an outcome, not an error: batches go on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "status", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Outcome {
    /// The event was stored.
    Accepted {
        /// The event's id (its own, or the natural id).
        event_id: Uuid,
        /// The session it joined.
        session_id: Uuid,
        /// Whether this event created the session.
        session_created: bool,
        /// The session's event count, this event included.
        event_count: usize,
        /// The event's 0-based position in the session's time order, at the time of ingest.
        event_index: usize,
        /// Things dropped from the event (`unknownAttributes: drop`).
        warnings: Vec<Violation>,
        /// The event's `identifiers` that the identity rules left unlinked (docs/identity.md);
        /// absent when none was.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        identity_warnings: Vec<IdentityWarning>,
    },
    /// The same event was already stored; nothing changed.
    Duplicate {
        /// The event's id.
        event_id: Uuid,
        /// The session that holds it.
        session_id: Uuid,
    },
    /// The event was refused; nothing changed.
    Rejected {
        /// The event's id, when one could be read or derived.
        event_id: Option<Uuid>,
        /// Every reason, at once.
        violations: Vec<Violation>,
    },
}

impl Outcome {
    /// Roughly the memory the outcome holds besides itself: its violations' paths and messages.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Outcome::Accepted { warnings, .. } => warnings.iter().map(Violation::heap_bytes).sum(),
            Outcome::Duplicate { .. } => 0,
            Outcome::Rejected { violations, .. } => violations.iter().map(Violation::heap_bytes).sum(),
        }
    }

    /// A rejection of an event whose id is `event_id`.
    pub(crate) fn rejected(event_id: Option<Uuid>, violations: Vec<Violation>) -> Outcome {
        Outcome::Rejected { event_id, violations }
    }

    /// `"accepted"`, `"duplicate"` or `"rejected"`.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Accepted { .. } => "accepted",
            Outcome::Duplicate { .. } => "duplicate",
            Outcome::Rejected { .. } => "rejected",
        }
    }

    /// For callers that prefer errors: a rejection becomes `JourneyError::Validation`.
    pub fn into_result(self) -> Result<Outcome, JourneyError> {
        match self {
            Outcome::Rejected { violations, .. } => Err(JourneyError::Validation { violations }),
            other => Ok(other),
        }
    }

    /// The JSON form of §2.3.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The JSON form of §2.3 as compact text, byte for byte what `serde_json::to_string` gives.
    ///
    /// Bindings return one outcome per event, so the common outcomes are written by hand: it is
    /// about three times faster than going through serde.
    pub fn to_json_string(&self) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(192);
        let mut buffer = uuid::Uuid::encode_buffer();
        match self {
            Outcome::Accepted {
                event_id,
                session_id,
                session_created,
                event_count,
                event_index,
                warnings,
                identity_warnings,
            } if warnings.is_empty() && identity_warnings.is_empty() => {
                out.push_str(r#"{"status":"accepted","eventId":""#);
                out.push_str(event_id.hyphenated().encode_lower(&mut buffer));
                out.push_str(r#"","sessionId":""#);
                out.push_str(session_id.hyphenated().encode_lower(&mut buffer));
                out.push_str(if *session_created {
                    r#"","sessionCreated":true"#
                } else {
                    r#"","sessionCreated":false"#
                });
                // Writing to a String cannot fail.
                let _ = write!(out, r#","eventCount":{event_count},"eventIndex":{event_index},"warnings":[]}}"#);
            }
            Outcome::Duplicate { event_id, session_id } => {
                out.push_str(r#"{"status":"duplicate","eventId":""#);
                out.push_str(event_id.hyphenated().encode_lower(&mut buffer));
                out.push_str(r#"","sessionId":""#);
                out.push_str(session_id.hyphenated().encode_lower(&mut buffer));
                out.push_str(r#""}"#);
            }
            other => return serde_json::to_string(other).unwrap_or_default(),
        }
        out
    }
}

/// The result of a batch: one outcome per input, in input order, and totals.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BatchOutcome {
    /// One outcome per input.
    pub outcomes: Vec<Outcome>,
    /// How many were accepted.
    pub accepted: usize,
    /// How many were duplicates.
    pub duplicates: usize,
    /// How many were rejected.
    pub rejected: usize,
}

impl BatchOutcome {
    /// An empty batch with room for `n` outcomes.
    pub fn with_capacity(n: usize) -> Self {
        BatchOutcome { outcomes: Vec::with_capacity(n), ..Default::default() }
    }

    /// Appends one outcome and counts it.
    pub fn push(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Accepted { .. } => self.accepted += 1,
            Outcome::Duplicate { .. } => self.duplicates += 1,
            Outcome::Rejected { .. } => self.rejected += 1,
        }
        self.outcomes.push(outcome);
    }

    /// The JSON form: `{"outcomes", "accepted", "duplicates", "rejected"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The JSON form as compact text, byte for byte what `serde_json::to_string` gives, with each
    /// outcome written by [`Outcome::to_json_string`] (a batch holds one per event).
    pub fn to_json_string(&self) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(32 + self.outcomes.len() * 180);
        out.push_str(r#"{"outcomes":["#);
        for (i, outcome) in self.outcomes.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&outcome.to_json_string());
        }
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            r#"],"accepted":{},"duplicates":{},"rejected":{}}}"#,
            self.accepted, self.duplicates, self.rejected
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_forms_match_the_spec() {
        let accepted = Outcome::Accepted {
            event_id: Uuid::nil(),
            session_id: Uuid::nil(),
            session_created: true,
            event_count: 1,
            event_index: 0,
            warnings: vec![],
            identity_warnings: vec![],
        };
        let json = accepted.to_json();
        assert_eq!(json["status"], "accepted");
        assert_eq!(json["sessionCreated"], true);
        assert_eq!(json["eventIndex"], 0);
        let rejected = Outcome::rejected(None, vec![]).to_json();
        assert_eq!(rejected, serde_json::json!({"status": "rejected", "eventId": null, "violations": []}));
    }

    #[test]
    fn the_fast_writer_matches_serde_byte_for_byte() {
        let (a, b) = (Uuid::from_u128(0xabc), Uuid::from_u128(u128::MAX));
        let warning =
            Violation::new(crate::base::error::ViolationCode::UnknownAttribute, "/attributes/x", "dropped \"x\"");
        for outcome in [
            Outcome::Accepted {
                event_id: a,
                session_id: b,
                session_created: true,
                event_count: 1,
                event_index: 0,
                warnings: vec![],
                identity_warnings: vec![],
            },
            Outcome::Accepted {
                event_id: b,
                session_id: a,
                session_created: false,
                event_count: 12345,
                event_index: 99,
                warnings: vec![],
                identity_warnings: vec![],
            },
            Outcome::Accepted {
                event_id: a,
                session_id: b,
                session_created: false,
                event_count: 2,
                event_index: 1,
                warnings: vec![warning.clone()],
                identity_warnings: vec![],
            },
            Outcome::Accepted {
                event_id: a,
                session_id: b,
                session_created: false,
                event_count: 2,
                event_index: 1,
                warnings: vec![],
                identity_warnings: vec![IdentityWarning {
                    code: crate::model::identity::WarningCode::IdentityBlocked,
                    identifier: crate::model::event::Customer::new("anonymous", crate::model::event::IdType::Email),
                }],
            },
            Outcome::Duplicate { event_id: a, session_id: b },
            Outcome::rejected(Some(a), vec![warning]),
            Outcome::rejected(None, vec![]),
        ] {
            assert_eq!(outcome.to_json_string(), serde_json::to_string(&outcome).unwrap());
        }
    }

    #[test]
    fn batch_text_matches_serde_byte_for_byte() {
        let mut batch = BatchOutcome::default();
        assert_eq!(batch.to_json_string(), serde_json::to_string(&batch).unwrap());
        batch.push(Outcome::Duplicate { event_id: Uuid::from_u128(1), session_id: Uuid::from_u128(2) });
        batch.push(Outcome::rejected(None, vec![]));
        assert_eq!(batch.to_json_string(), serde_json::to_string(&batch).unwrap());
    }
}
