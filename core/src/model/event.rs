//! The event envelope (SPEC §2.1): customer identity, event ids, and the natural id of an event
//! sent without one.

use crate::base::json::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The namespace of every name-based (v5) UUID libjourney derives: natural event ids and session ids.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x6a6f_7572_6e65_5f79_8c1e_5b0d_4a7e_2f31);

/// The kind of identifier a customer is known by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Customer {
    /// The identifier's value.
    pub id: String,
    /// What kind of identifier it is.
    pub id_type: IdType,
}

impl Customer {
    /// Whether the customer is a browser a web action can be offered to: a cookie whose id is a
    /// UUID (a web action event names it as `customerId`, as Genesys' cookie ids are).
    pub fn is_browser(&self) -> bool {
        self.id_type == IdType::Cookie && Uuid::try_parse(&self.id).is_ok()
    }

    /// A customer known by `id` of type `id_type`.
    pub fn new(id: impl Into<String>, id_type: IdType) -> Self {
        Customer { id: id.into(), id_type }
    }
}

/// A 128-bit keyed digest of an event's canonical JSON: what "the same content" means for a
/// duplicate (SPEC §2.2).
///
/// It is SipHash-1-3 with 128-bit output, keyed by the engine's [`DigestKey`]. Two different
/// contents under one id give the same digest with probability 2^-128 for a sender who does not
/// know the key (SipHash is a keyed pseudo-random function), so neither an unlucky nor a crafted
/// collision can turn a conflicting reuse of an id into a silent `duplicate`. Equal contents always
/// give equal digests, so a true resend is never refused.
pub type Digest = u128;

/// The secret key of [`Digest`]: random for each in-memory engine and each store, and kept in the
/// store's snapshots so that digests stay comparable across restarts.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestKey([u64; 2]);

impl std::fmt::Debug for DigestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DigestKey(..)")
    }
}

impl DigestKey {
    /// A key from the operating system's random source.
    pub fn random() -> DigestKey {
        let (a, b) = Uuid::new_v4().as_u64_pair();
        DigestKey([a, b])
    }

    /// The key written as 32 hexadecimal digits (the config's `digestKey`).
    pub fn to_hex(self) -> String {
        format!("{:016x}{:016x}", self.0[0], self.0[1])
    }

    /// Reads 32 hexadecimal digits.
    pub fn from_hex(text: &str) -> Option<DigestKey> {
        if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(DigestKey([u64::from_str_radix(&text[..16], 16).ok()?, u64::from_str_radix(&text[16..], 16).ok()?]))
    }

    /// A fingerprint of the key that reveals nothing of it: two engines' slices (state moved
    /// between partitions) are comparable when their fingerprints are equal.
    pub(crate) fn fingerprint(&self) -> u64 {
        self.digest_bytes(b"libjourney digest key fingerprint") as u64
    }

    /// The digest of `event`'s canonical form.
    pub(crate) fn digest(&self, event: &Json<'_>) -> Digest {
        // The canonical form is written out first and hashed in one go: SipHash takes whole
        // buffers far faster than the dozens of small pieces the writer produces (they cost 7% of
        // an ingest when fed one by one).
        with_canonical(event, |canonical| self.digest_bytes(canonical))
    }

    /// The keyed digest of an identifier (`idType:id`), which an erasure's journal record keeps
    /// instead of the identifier (docs/identity.md, "Erasure"): replay finds the identifiers
    /// again by their digests, and the journal holds nothing a reader could turn back into them
    /// without the key (which is in the store: it hides the identifier, not whether a guess was
    /// erased).
    pub(crate) fn digest_identifier(&self, customer: &Customer) -> Digest {
        let mut text = b"libjourney erased identifier\0".to_vec();
        text.extend_from_slice(customer.id_type.as_str().as_bytes());
        text.push(b':');
        text.extend_from_slice(customer.id.as_bytes());
        self.digest_bytes(&text)
    }

    /// The digest of canonical bytes already written.
    fn digest_bytes(&self, canonical: &[u8]) -> Digest {
        use siphasher::sip128::Hasher128;
        let mut hasher = siphasher::sip128::SipHasher13::new_with_keys(self.0[0], self.0[1]);
        std::hash::Hasher::write(&mut hasher, canonical);
        hasher.finish128().as_u128()
    }
}

/// Runs `read` on the canonical form of `event`, written into this thread's buffer: one per
/// thread, reused, so that identifying an event allocates nothing.
fn with_canonical<T>(event: &Json<'_>, read: impl FnOnce(&[u8]) -> T) -> T {
    thread_local! {
        static CANONICAL: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    CANONICAL.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut canonical) => {
            canonical.clear();
            event.write_canonical(&mut *canonical);
            let result = read(&canonical);
            // A huge event's buffer is not kept for the rest of the thread's life.
            if canonical.capacity() > 1 << 16 {
                *canonical = Vec::new();
            }
            result
        }
        // Only if `read` identified another event inside this one, which it never does.
        Err(_) => {
            let mut canonical = Vec::new();
            event.write_canonical(&mut canonical);
            read(&canonical)
        }
    })
}

/// How an event is recognised when it comes again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The event's id: its `id` field, or the natural id. `None` when `id` is present but not a UUID.
    pub id: Option<Uuid>,
    /// The digest of the event's canonical JSON, to tell a resend from a conflicting reuse of an id.
    pub digest: Digest,
}

impl Identity {
    /// Reads or derives the identity of an event. `event` need not be valid.
    pub fn of(event: &Json<'_>, key: &DigestKey) -> Identity {
        match event.get("id") {
            // The natural id needs the canonical bytes anyway: digest those, without a second walk.
            None | Some(Json::Null) => with_canonical(event, |canonical| Identity {
                id: Some(Uuid::new_v5(&NAMESPACE, canonical)),
                digest: key.digest_bytes(canonical),
            }),
            Some(Json::String(text)) => Identity { id: Uuid::try_parse(text).ok(), digest: key.digest(event) },
            Some(_) => Identity { id: None, digest: 0 },
        }
    }
}

/// The UUIDv5 of the event's canonical JSON, so that an identical resend has the same id.
pub fn natural_id(event: &Json<'_>) -> Uuid {
    with_canonical(event, |canonical| Uuid::new_v5(&NAMESPACE, canonical))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_id_ignores_formatting_but_not_content() {
        let a = Json::parse(br#"{"eventName":"x","n":1}"#).unwrap();
        let b = Json::parse(br#"{ "n": 1, "eventName": "x" }"#).unwrap();
        let c = Json::parse(br#"{"eventName":"x","n":2}"#).unwrap();
        let key = DigestKey::random();
        assert_eq!(Identity::of(&a, &key), Identity::of(&b, &key));
        assert_ne!(Identity::of(&a, &key).id, Identity::of(&c, &key).id);
        assert_ne!(Identity::of(&a, &key).digest, Identity::of(&c, &key).digest);
        assert_eq!(Identity::of(&a, &key).id.unwrap().get_version_num(), 5);
        assert_eq!(natural_id(&a), Identity::of(&a, &key).id.unwrap());
    }

    #[test]
    fn explicit_ids_are_read_and_bad_ones_give_none() {
        let key = DigestKey::random();
        let good = Json::parse(br#"{"id":"6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11"}"#).unwrap();
        assert_eq!(Identity::of(&good, &key).id.unwrap().to_string(), "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11");
        let bad = Json::parse(br#"{"id":"not-a-uuid"}"#).unwrap();
        assert_eq!(Identity::of(&bad, &key).id, None);
    }

    #[test]
    fn digests_ignore_key_order_only_and_depend_on_the_key() {
        let key = DigestKey::random();
        let digest = |text: &str| key.digest(&Json::parse(text.as_bytes()).unwrap());
        assert_eq!(digest(r#"{"a":1,"b":"x"}"#), digest(r#"{"b":"x","a":1}"#));
        assert_ne!(digest(r#"{"a":1,"b":"x"}"#), digest(r#"{"a":1,"b":"y"}"#));
        assert_ne!(digest(r#"{"a":[1,2]}"#), digest(r#"{"a":[2,1]}"#));
        assert_ne!(digest(r#"{"a":1,"b":2}"#), digest(r#"{"a":2,"b":1}"#));
        assert_ne!(digest(r#"{"a":{"b":1}}"#), digest(r#"{"a":{"b":1},"c":null}"#));
        assert_ne!(digest(r#"{"a":"1"}"#), digest(r#"{"a":1}"#));
        let event = Json::parse(br#"{"a":1}"#).unwrap();
        assert_ne!(key.digest(&event), DigestKey::random().digest(&event));
    }

    #[test]
    fn id_types_round_trip() {
        for t in IdType::ALL {
            assert_eq!(IdType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
    }
}
