//! The keys an event's outcome depends on (SPEC §13, docs/scale-out.md "The three keys").

use crate::base::json::Json;
use crate::engine::command::Command;
use crate::model::catalog::{Catalog, SessionKind};
use crate::model::event::{IdType, natural_id};
use uuid::Uuid;

/// One key under which engine state decides an event's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// A customer's sessions.
    Customer(IdType, String),
    /// The event accepted with this explicit id.
    EventId(Uuid),
    /// The owner and end of a custom session or a conversation.
    External(SessionKind, String),
}

impl Key {
    /// The key as text, the same in every language: `c:<idType>:<id>`, `e:<uuid>`,
    /// `k:<custom|conversation>:<externalId>`. A component's partition is a hash of its smallest
    /// key's text.
    pub fn canonical(&self) -> String {
        self.with_canonical(|pieces| pieces.iter().map(|piece| String::from_utf8_lossy(piece)).collect())
    }

    /// Compares the keys' canonical texts, byte by byte, without building them: a component's
    /// representative is its smallest key in this order.
    pub fn canonical_cmp(&self, other: &Key) -> std::cmp::Ordering {
        self.with_canonical(|mine| {
            other.with_canonical(|theirs| {
                mine.iter().flat_map(|piece| piece.iter()).cmp(theirs.iter().flat_map(|piece| piece.iter()))
            })
        })
    }

    /// Calls `f` with the canonical text in pieces (a UUID is written into a buffer on the stack).
    fn with_canonical<R>(&self, f: impl FnOnce(&[&[u8]]) -> R) -> R {
        match self {
            Key::Customer(id_type, id) => f(&[b"c:", id_type.as_str().as_bytes(), b":", id.as_bytes()]),
            Key::EventId(id) => {
                let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
                f(&[b"e:", id.hyphenated().encode_lower(&mut text).as_bytes()])
            }
            Key::External(kind, id) => f(&[b"k:", kind.as_str().as_bytes(), b":", id.as_bytes()]),
        }
    }
}

/// The keys of one event given as JSON text (none when it is not JSON).
pub fn keys(catalog: &Catalog, event: &[u8]) -> Vec<Key> {
    Json::parse(event).map(|json| keys_of(catalog, &json)).unwrap_or_default()
}

/// The keys of one already-parsed event.
pub fn keys_of_value(catalog: &Catalog, event: &serde_json::Value) -> Vec<Key> {
    keys_of(catalog, &Json::from_value(event))
}

/// Reads the keys leniently: what cannot be read is not a key, and reading never fails. A key
/// read from an event the engine will reject only links more: never wrong, at most less even.
fn keys_of(catalog: &Catalog, event: &Json<'_>) -> Vec<Key> {
    let mut keys = Vec::with_capacity(3);
    let customer = event.get("customer");
    let id_type = customer.and_then(|c| c.get("idType")).and_then(Json::as_str).and_then(IdType::parse);
    let customer_id = customer.and_then(|c| c.get("id")).and_then(Json::as_str).filter(|id| !id.is_empty());
    // Only an event whose customer is read gets a natural id (below): one without is rejected
    // whatever its id.
    let has_customer = id_type.is_some() && customer_id.is_some();
    if let (Some(id_type), Some(id)) = (id_type, customer_id) {
        keys.push(Key::Customer(id_type, id.to_owned()));
    }
    // The identifiers an event links are keys of its component, as a shared external id is: the
    // profile's events then meet in one partition (docs/identity.md, "Scale-out").
    // More than an event may carry is rejected, and links nothing.
    let identifiers = match event.get("identifiers") {
        Some(Json::Array(list)) if list.len() <= crate::model::validate::MAX_IDENTIFIERS_PER_EVENT => Some(list),
        _ => None,
    };
    if let Some(identifiers) = identifiers {
        for identifier in identifiers {
            let id_type = identifier.get("idType").and_then(Json::as_str).and_then(IdType::parse);
            let id = identifier.get("id").and_then(Json::as_str).filter(|id| !id.is_empty());
            if let (Some(id_type), Some(id)) = (id_type, id) {
                keys.push(Key::Customer(id_type, id.to_owned()));
            }
        }
    }
    // The event's id, explicit or natural: an event without one is known by the UUIDv5 of its
    // content, and an explicit id may equal it (a host reusing another customer's natural id),
    // which one engine answers `DUPLICATE_ID_CONFLICT`; so both are the same key.
    match event.get("id") {
        None | Some(Json::Null) if has_customer => keys.push(Key::EventId(natural_id(event))),
        None | Some(Json::Null) => {}
        Some(Json::String(id)) => keys.extend(Uuid::try_parse(id).ok().map(Key::EventId)),
        Some(_) => {}
    }
    let session = event.get("session");
    let kind = session
        .and_then(|s| s.get("type"))
        .and_then(Json::as_str)
        .and_then(|name| catalog.session_type_index(name))
        .map(|index| catalog.session_type(index).kind)
        .filter(|kind| kind.requires_external_id());
    if let (Some(kind), Some(external_id)) = (kind, session.and_then(|s| s.get("externalId")).and_then(Json::as_str)) {
        keys.push(Key::External(kind, external_id.to_owned()));
    }
    keys
}

/// The key an operation other than ingest routes by (docs/scale-out.md, "Agents and web actions"):
/// `a:<agentId>` for an agent's login and the custom events sent to it, whose partition is
/// [`super::partition_for`] of the key; `c:cookie:<customerId>` for a web action event, which goes
/// to its customer's partition, the one the router put the customer's events in (there the map
/// that made the action keeps the caps its later states feed: docs/orchestration.md,
/// "Partitions"). `None` for every other op: the arms below say why, group by group.
pub fn command_key(command: &Command) -> Option<String> {
    // Every variant is named, with no `_` arm, so that a new op does not compile until someone
    // decides here whether it routes by a key of its own.
    match command {
        Command::StartAgentSession(input) => Some(format!("a:{}", input.agent_id)),
        Command::SendCustomEvent(request) => Some(format!("a:{}", request.agent_id)),
        Command::RecordActionEvent(event) => event
            .get("customerId")
            .and_then(serde_json::Value::as_str)
            .filter(|id| !id.is_empty())
            .map(|id| Key::Customer(IdType::Cookie, id.to_owned()).canonical()),
        // Events are routed by the routers, by their customer, event id and external id keys.
        Command::Ingest(_) | Command::IngestBatch(_) => None,
        // Reads go where the data they read is.
        Command::Journey(_) | Command::SessionEvents(_) | Command::Paths(_) | Command::Stats => None,
        // Subscriptions stay in the host.
        Command::Subscribe(_) | Command::Unsubscribe(_) | Command::Deliveries(_) => None,
        // These name an agent session: they go to the partition it was started on, which the host
        // knows from `startAgentSession`'s answer.
        Command::EndAgentSession(_) | Command::NextEvents(_) | Command::Release(_) => None,
        // Clock moves go to every partition at their position in the input (docs/scale-out.md,
        // "Order and the clock"); checkpoints and state moves are each partition's own, sent to it
        // by the host that owns it.
        Command::Advance(_) | Command::SetNow(_) | Command::ObserveWatermark(_) => None,
        Command::Checkpoint(_) | Command::LastCheckpoint | Command::MoveOut(_) | Command::MoveIn(_) => None,
        // A partition's outbox is its own: the host reads and acknowledges each partition's.
        Command::Outbox(_) | Command::AcknowledgeOutbox(_) => None,
        // Definitions carry no customer and every partition evaluates them: the ops that change
        // them go to every partition at their position in the input, as clock moves do
        // (`command_broadcast`); a list reads any partition's, as they are all the same.
        Command::PutSegment(_) | Command::PutOutcome(_) | Command::PutActionMap(_) => None,
        Command::DeleteSegment(_) | Command::DeleteOutcome(_) | Command::DeleteActionMap(_) => None,
        Command::ListSegments | Command::ListOutcomes | Command::ListActionMaps => None,
        // A customer's segments are read where the customer's events went: the routers' key. An
        // explanation reads the partition holding the session; an estimate sums every partition's.
        Command::Segments(_) | Command::ExplainActionMap(_) | Command::EstimateActionMap(_) => None,
        // A host routes a link as an event of both identifiers, `{"customer": from,
        // "identifiers": [to]}`, so that it joins their components (docs/identity.md,
        // "Scale-out"); after that, `from`'s key names the partition, as it does for an unlink.
        Command::Link(input) => Some(Key::Customer(input.from.id_type, input.from.id.clone()).canonical()),
        Command::Unlink(input) => Some(Key::Customer(input.from.id_type, input.from.id.clone()).canonical()),
        // An event's links are undone where the event went; a profile is read where its events
        // went, which the host knows as it knows a journey's.
        Command::UnlinkEvent(_) | Command::Profile(_) => None,
        // An erasure goes where the customer's events went, as a host's link does: the profile's
        // partition. (Custom events marked with the customer but sent to an agent on another
        // partition stay there: docs/identity.md, "What erasure does not reach"; the erased events'
        // ids follow the component when it moves: `Engine::move_out`.)
        Command::Erase(input) => Some(Key::Customer(input.customer.id_type, input.customer.id.clone()).canonical()),
    }
}

/// Whether every partition applies `command`, at its position in the input, rather than the one
/// partition its key (`command_key`) or the host picks: the manual clock's moves (docs/scale-out.md,
/// "Order and the clock") and the ops that change definitions, which carry no customer and which
/// every partition evaluates (docs/orchestration.md, "Partitions").
pub fn command_broadcast(command: &Command) -> bool {
    // Every variant is named, as in `command_key`, so a new op is placed here too.
    match command {
        Command::Advance(_) | Command::SetNow(_) => true,
        Command::PutSegment(_) | Command::PutOutcome(_) | Command::PutActionMap(_) => true,
        Command::DeleteSegment(_) | Command::DeleteOutcome(_) | Command::DeleteActionMap(_) => true,
        // Each partition takes its own watermark; the rest go to one partition or stay in the host.
        Command::ObserveWatermark(_) | Command::Checkpoint(_) | Command::LastCheckpoint => false,
        Command::MoveOut(_) | Command::MoveIn(_) | Command::Outbox(_) | Command::AcknowledgeOutbox(_) => false,
        Command::Ingest(_) | Command::IngestBatch(_) => false,
        Command::Journey(_) | Command::SessionEvents(_) | Command::Paths(_) | Command::Stats => false,
        Command::ListSegments | Command::ListOutcomes | Command::ListActionMaps => false,
        Command::Segments(_) | Command::ExplainActionMap(_) | Command::EstimateActionMap(_) => false,
        Command::StartAgentSession(_) | Command::SendCustomEvent(_) | Command::RecordActionEvent(_) => false,
        Command::EndAgentSession(_) | Command::NextEvents(_) | Command::Release(_) => false,
        Command::Subscribe(_) | Command::Unsubscribe(_) | Command::Deliveries(_) => false,
        Command::Link(_) | Command::Unlink(_) | Command::UnlinkEvent(_) | Command::Profile(_) => false,
        Command::Erase(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_keys_leniently() {
        let catalog = Catalog::from_json(
            r#"{"sessionTypes": [{"name": "delivery", "kind": "custom", "eventTypes": [{"name": "x"}]},
                {"name": "web", "kind": "web", "eventTypes": [{"name": "y"}]}]}"#,
        )
        .unwrap();
        let id = "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11";
        let full = format!(
            r#"{{"id":"{id}","customer":{{"id":"a@x","idType":"email"}},"session":{{"type":"delivery","externalId":"o-1"}}}}"#
        );
        assert_eq!(
            keys(&catalog, full.as_bytes()),
            vec![
                Key::Customer(IdType::Email, "a@x".into()),
                Key::EventId(Uuid::parse_str(id).unwrap()),
                Key::External(SessionKind::Custom, "o-1".into())
            ]
        );
        let call = br#"{"customer":{"id":"a","idType":"fax"},"session":{"type":"conversation","externalId":"call-1"}}"#;
        assert_eq!(keys(&catalog, call), vec![Key::External(SessionKind::Conversation, "call-1".into())]);
        // Without an id, an event of a customer is known by its natural id.
        let natural = br#"{"customer":{"id":"a@x","idType":"email"},"eventName":"x"}"#;
        let natural_key = Key::EventId(natural_id(&Json::parse(natural).unwrap()));
        assert_eq!(keys(&catalog, natural), vec![Key::Customer(IdType::Email, "a@x".into()), natural_key]);
        let web =
            br#"{"id":"nope","customer":{"id":"w","idType":"cookie"},"session":{"type":"web","externalId":"ignored"}}"#;
        assert_eq!(keys(&catalog, web), vec![Key::Customer(IdType::Cookie, "w".into())]);
        assert!(keys(&catalog, b"{not json").is_empty());
        assert_eq!(Key::External(SessionKind::Conversation, "c".into()).canonical(), "k:conversation:c");
        assert_eq!(Key::Customer(IdType::Email, "a@x".into()).canonical(), "c:email:a@x");
    }

    #[test]
    fn agent_and_action_operations_route_by_their_own_key() {
        let command = |text: &str| Command::from_json(text).unwrap();
        assert_eq!(
            command_key(&command(r#"{"op":"startAgentSession","input":{"agentId":"a1"}}"#)),
            Some("a:a1".into())
        );
        let send = r#"{"op":"sendCustomEvent","input":{"agentId":"a1","eventName":"x"}}"#;
        assert_eq!(command_key(&command(send)), Some("a:a1".into()));
        let action = r#"{"op":"recordActionEvent","input":{"actionId":"6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11",
            "customerId":"0F1C8A52-1B44-4D8E-9A6B-3F1F0C2A9E11"}}"#;
        // The customer's key as its events' keys spell it: the id as given.
        assert_eq!(command_key(&command(action)), Some("c:cookie:0F1C8A52-1B44-4D8E-9A6B-3F1F0C2A9E11".into()));
        assert_eq!(command_key(&command(r#"{"op":"recordActionEvent","input":{"customerId":7}}"#)), None);
        assert_eq!(command_key(&command(r#"{"op":"outbox","input":{}}"#)), None);
        assert_eq!(command_key(&command(r#"{"op":"ingest","input":{}}"#)), None);
        assert_eq!(command_key(&command(r#"{"op":"stats"}"#)), None);
        // An erasure goes where the customer's events went: the same key as an event's customer.
        let erase = r#"{"op":"erase","input":{"customer":{"id":"a@x","idType":"email"},"eraseForget":true}}"#;
        assert_eq!(command_key(&command(erase)), Some(Key::Customer(IdType::Email, "a@x".into()).canonical()));
        assert!(!command_broadcast(&command(erase)));
    }

    #[test]
    fn clock_moves_and_definition_changes_go_to_every_partition() {
        let command = |text: &str| Command::from_json(text).unwrap();
        for broadcast in [
            r#"{"op":"advance","input":"1m"}"#,
            r#"{"op":"setNow","input":"2026-11-21T10:00:00Z"}"#,
            r#"{"op":"putSegment","input":{"displayName":"x"}}"#,
            r#"{"op":"putOutcome","input":{}}"#,
            r#"{"op":"putActionMap","input":{}}"#,
            r#"{"op":"deleteSegment","input":{"id":"x"}}"#,
            r#"{"op":"deleteOutcome","input":{"id":"x"}}"#,
            r#"{"op":"deleteActionMap","input":{"id":"x"}}"#,
        ] {
            assert!(command_broadcast(&command(broadcast)), "{broadcast}");
            assert_eq!(command_key(&command(broadcast)), None, "{broadcast}");
        }
        for one in [
            r#"{"op":"listSegments"}"#,
            r#"{"op":"stats"}"#,
            r#"{"op":"observeWatermark","input":"2026-11-21T10:00:00Z"}"#,
            r#"{"op":"startAgentSession","input":{"agentId":"a1"}}"#,
            r#"{"op":"ingest","input":{}}"#,
        ] {
            assert!(!command_broadcast(&command(one)), "{one}");
        }
    }

    #[test]
    fn keys_compare_as_their_canonical_texts() {
        let id = |n: u128| Key::EventId(Uuid::from_u128(n));
        let keys = vec![
            Key::Customer(IdType::Email, "b".into()),
            Key::Customer(IdType::Email, "ab".into()),
            Key::Customer(IdType::ExternalId, "a".into()),
            Key::Customer(IdType::ExternalContact, "z".into()),
            Key::Customer(IdType::Cookie, "".into()),
            Key::Customer(IdType::Phone, "é".into()),
            id(0xff << 120),
            id(0xa),
            id(0x9 << 64),
            Key::External(SessionKind::Custom, "o-1".into()),
            Key::External(SessionKind::Conversation, "zz".into()),
            Key::External(SessionKind::Custom, "o-10".into()),
        ];
        for a in &keys {
            for b in &keys {
                assert_eq!(a.canonical_cmp(b), a.canonical().cmp(&b.canonical()), "{a:?} and {b:?}");
            }
        }
    }
}
