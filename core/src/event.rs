//! The event envelope (SPEC §2.1): customer identity, event ids, and the natural id of an event
//! sent without one.

use crate::json::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The namespace of every name-based (v5) UUID libjourney derives: natural event ids and session ids.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x6a6f_7572_6e65_5f79_8c1e_5b0d_4a7e_2f31);

/// The kind of identifier a customer is known by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IdType {
    /// A web tracking cookie.
    Cookie,
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// An external contact id of the contact center.
    ExternalContact,
    /// An id from another system.
    ExternalId,
}

impl IdType {
    /// Every id type, in the order of the spec.
    pub const ALL: [IdType; 5] = [Self::Cookie, Self::Email, Self::Phone, Self::ExternalContact, Self::ExternalId];

    /// The JSON spelling, for example `externalContact`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cookie => "cookie",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::ExternalContact => "externalContact",
            Self::ExternalId => "externalId",
        }
    }

    /// Reads the JSON spelling.
    pub fn parse(text: &str) -> Option<IdType> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// Who a journey belongs to: `{"id", "idType"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Customer {
    /// The identifier's value.
    pub id: String,
    /// What kind of identifier it is.
    pub id_type: IdType,
}

impl Customer {
    /// A customer known by `id` of type `id_type`.
    pub fn new(id: impl Into<String>, id_type: IdType) -> Self {
        Customer { id: id.into(), id_type }
    }
}

/// How an event is recognised when it comes again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The event's id: its `id` field, or the natural id. `None` when `id` is present but not a UUID.
    pub id: Option<Uuid>,
    /// A 64-bit hash of the event's canonical JSON, to tell a resend from a conflicting reuse of an id.
    pub content_hash: u64,
}

impl Identity {
    /// Reads or derives the identity of an event. `event` need not be valid.
    pub fn of(event: &Json<'_>) -> Identity {
        let content_hash = event.content_hash();
        let id = match event.get("id") {
            None | Some(Json::Null) => Some(natural_id(event)),
            Some(Json::String(text)) => Uuid::try_parse(text).ok(),
            Some(_) => None,
        };
        Identity { id, content_hash }
    }
}

/// The UUIDv5 of the event's canonical JSON, so that an identical resend has the same id.
pub fn natural_id(event: &Json<'_>) -> Uuid {
    let mut canonical = Vec::with_capacity(512);
    event.write_canonical(&mut canonical);
    Uuid::new_v5(&NAMESPACE, &canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_id_ignores_formatting_but_not_content() {
        let a = Json::parse(br#"{"eventName":"x","n":1}"#).unwrap();
        let b = Json::parse(br#"{ "n": 1, "eventName": "x" }"#).unwrap();
        let c = Json::parse(br#"{"eventName":"x","n":2}"#).unwrap();
        assert_eq!(Identity::of(&a), Identity::of(&b));
        assert_ne!(Identity::of(&a).id, Identity::of(&c).id);
        assert_eq!(Identity::of(&a).id.unwrap().get_version_num(), 5);
    }

    #[test]
    fn explicit_ids_are_read_and_bad_ones_give_none() {
        let good = Json::parse(br#"{"id":"6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11"}"#).unwrap();
        assert_eq!(Identity::of(&good).id.unwrap().to_string(), "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11");
        let bad = Json::parse(br#"{"id":"not-a-uuid"}"#).unwrap();
        assert_eq!(Identity::of(&bad).id, None);
    }

    #[test]
    fn id_types_round_trip() {
        for t in IdType::ALL {
            assert_eq!(IdType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
    }
}
