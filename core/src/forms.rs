//! The JSON input forms the core reads with its own parsers (config, catalog, event, action
//! event), declared as types so that `tools/types` generates their TypeScript and Python
//! declarations from here, beside the result types (feature `schema` only).
//!
//! Why these are not the parsers' types: the parsers walk the JSON by hand so that they can name
//! *every* violation of an input at its JSON pointer (SPEC §3), where serde stops at the first.
//! So each form is written twice, here and in its parser, and `tools/types`' tests hold the two
//! together: an example of each form, valid against its generated schema, is accepted by the
//! parser; and for every property the form declares, the example with that property given a value
//! of the wrong type is refused by the parser. A property added to a parser and not here, or
//! declared here and not read, fails that test.
//!
//! Inputs the core already reads with serde (the viewer, a page request, the agent requests and
//! the command of SPEC §10) derive their schema where they are defined.

use crate::model::event::Customer;
use crate::state::action::{ActionState, MediaType};
use schemars::JsonSchema;
use std::collections::BTreeMap;

/// A duration: a whole number and a unit, `ms`, `s`, `m`, `h` or `d` (for example `"45s"`).
#[derive(JsonSchema)]
pub struct DurationText(pub String);

/// A time in RFC 3339, for example `"2026-03-01T10:00:00Z"`.
#[derive(JsonSchema)]
pub struct Timestamp(pub String);

/// Engine settings (SPEC §8); every field is optional, with the default it names.
#[derive(JsonSchema)]
#[schemars(rename = "Config", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct ConfigForm {
    /// How the engine learns the time: the system clock, a clock moved only by `advance` and
    /// `setNow`, or the largest accepted event time (default `wall`).
    #[serde(default)]
    #[schemars(with = "ClockName")]
    pub clock: Option<ClockName>,
    /// The start of a manual clock (default: the wall time when the engine is created).
    #[serde(default)]
    #[schemars(with = "Timestamp")]
    pub start: Option<Timestamp>,
    /// What happens to an attribute the event type does not define (default `reject`).
    #[serde(default)]
    #[schemars(with = "UnknownAttributesPolicy")]
    pub unknown_attributes: Option<UnknownAttributesPolicy>,
    /// Events older than `now` minus this are `LATE_EVENT`; `null` accepts any age (default `"1h"`).
    #[serde(default)]
    pub allowed_lateness: Option<DurationText>,
    /// Events more than this after `now` are `FUTURE_EVENT` (default `"5m"`).
    #[serde(default)]
    #[schemars(with = "DurationText")]
    pub max_clock_skew: Option<DurationText>,
    /// Most event types across the catalog (default 20).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_event_types: Option<u32>,
    /// Most attributes an event type may define and an event may carry (default 50).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_attributes_per_event: Option<u32>,
    /// Longest string, in characters, where no `maxLength` is given (default 1024).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_string_length: Option<u32>,
    /// Largest raw event, in bytes (default 65536).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_event_bytes: Option<u32>,
    /// Most undelivered custom events per agent (default 1000).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_pending_per_agent: Option<u32>,
    /// Largest custom event `data`, in bytes (default 65536).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_custom_event_data: Option<u32>,
    /// Most custom events persisted for agents who are not logged in, across every agent; a
    /// persisted send past it is `QUEUE_FULL` (default 100000).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_persisted_total: Option<u32>,
    /// How long a persisted custom event waits for its agent's login before it is dropped and
    /// counted in `customEventsDropped` (default `"24h"`).
    #[serde(default)]
    #[schemars(with = "DurationText")]
    pub persisted_ttl: Option<DurationText>,
    /// Sessions last active longer ago than this are evicted (SPEC §12); `null` keeps them (default).
    #[serde(default)]
    pub retention: Option<DurationText>,
    /// Finished web actions are evicted this long after their last change (default `"24h"`).
    #[serde(default)]
    #[schemars(with = "DurationText")]
    pub action_retention: Option<DurationText>,
    /// Threads that prepare a batch's events: 0 is every core, 1 ingests on the caller's thread
    /// alone (default 0; outcomes are the same either way).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub ingest_threads: Option<u32>,
    /// The 128-bit secret of the content digests, as 32 hexadecimal digits (default: random per
    /// engine or store). Partitions that move state between them share one.
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = "^[0-9a-fA-F]{32}$"))]
    pub digest_key: Option<String>,
    /// Durable store settings, read only when a store is opened (SPEC §11).
    #[serde(default)]
    #[schemars(with = "StoreConfigForm")]
    pub store: Option<StoreConfigForm>,
    /// Segments, outcomes and action maps (docs/orchestration.md).
    #[serde(default)]
    #[schemars(with = "OrchestrationConfigForm")]
    pub orchestration: Option<OrchestrationConfigForm>,
    /// The rules that stop bad merges of identifiers (docs/identity.md).
    #[serde(default)]
    #[schemars(with = "IdentityConfigForm")]
    pub identity: Option<IdentityConfigForm>,
}

/// The identity rules (docs/identity.md, "Rules that stop bad merges").
#[derive(JsonSchema)]
#[schemars(rename = "IdentityConfig", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct IdentityConfigForm {
    /// Per idType, anchored regular expressions (at most 100, each at most 1000 characters) whose
    /// identifiers never link; a type named here loses its defaults (empty, all zeros, `-1`,
    /// `null`, `undefined`, `anonymous` in any case).
    #[serde(default)]
    #[schemars(with = "BlockedValuesForm")]
    pub blocked_values: Option<BlockedValuesForm>,
    /// Per idType, the most identifiers of it one profile holds, optionally counted within a
    /// window; `null` is no limit (default: one `externalContact`, one `externalId`).
    #[serde(default)]
    #[schemars(with = "IdentityLimitsForm")]
    pub limits: Option<IdentityLimitsForm>,
    /// The idTypes, highest priority first; when a link would break a limit the event's
    /// lowest-priority identifier is left out (default `externalId, externalContact, email, phone,
    /// cookie`; those left out follow in that order).
    #[serde(default)]
    #[schemars(with = "Vec<crate::model::event::IdType>")]
    pub priority: Option<Vec<crate::model::event::IdType>>,
    /// A cookie not seen (no event of it, no link asked for it) for this long leaves its profile,
    /// at a retention sweep; `null` keeps it (default `"60d"`).
    #[serde(default)]
    pub cookie_ttl: Option<DurationText>,
}

/// The blocked values of each idType.
#[derive(JsonSchema)]
#[schemars(rename = "BlockedValues", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct BlockedValuesForm {
    /// Cookies that never link.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub cookie: Option<Vec<String>>,
    /// E-mail addresses that never link.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub email: Option<Vec<String>>,
    /// Phone numbers that never link.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub phone: Option<Vec<String>>,
    /// External contact ids that never link.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub external_contact: Option<Vec<String>>,
    /// External ids that never link.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub external_id: Option<Vec<String>>,
}

/// The limit of each idType.
#[derive(JsonSchema)]
#[schemars(rename = "IdentityLimits", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct IdentityLimitsForm {
    /// Most cookies per profile.
    #[serde(default)]
    pub cookie: Option<IdentityLimitForm>,
    /// Most e-mail addresses per profile.
    #[serde(default)]
    pub email: Option<IdentityLimitForm>,
    /// Most phone numbers per profile.
    #[serde(default)]
    pub phone: Option<IdentityLimitForm>,
    /// Most external contact ids per profile.
    #[serde(default)]
    pub external_contact: Option<IdentityLimitForm>,
    /// Most external ids per profile.
    #[serde(default)]
    pub external_id: Option<IdentityLimitForm>,
}

/// A limit: a number, or a number counted over the identifiers first seen within a window.
#[derive(JsonSchema)]
#[schemars(rename = "IdentityLimit")]
#[serde(untagged)]
pub enum IdentityLimitForm {
    /// At most this many, 1 to 1000000.
    Max(u32),
    /// At most `max` first seen within `within` of now.
    Windowed(WindowedLimitForm),
}

/// A limit with a window.
#[derive(JsonSchema)]
#[schemars(rename = "WindowedLimit", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct WindowedLimitForm {
    /// At most this many, 1 to 1000000.
    pub max: u32,
    /// Counts only identifiers first seen this recently.
    #[serde(default)]
    #[schemars(with = "DurationText")]
    pub within: Option<DurationText>,
}

/// How many definitions an engine holds, and the gap between offers (docs/orchestration.md).
#[derive(JsonSchema)]
#[schemars(rename = "OrchestrationConfig", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct OrchestrationConfigForm {
    /// Most segments, 0 to 10000; a put that would create one more is `INVALID_ARGUMENT`
    /// (default 500).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_segments: Option<u32>,
    /// Most outcomes, 0 to 10000 (default 500).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_outcomes: Option<u32>,
    /// Most action maps, 0 to 10000 (default 500).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_action_maps: Option<u32>,
    /// Least time between two offers of one media type in a session (default `"60s"`).
    #[serde(default)]
    #[schemars(with = "DurationText")]
    pub min_offer_gap: Option<DurationText>,
    /// Where a map's custom events go: `"send"` to this engine's agent queues (default), or
    /// `"outbox"`, kept for a partitioned host to forward to the agent's partition.
    #[serde(default)]
    #[schemars(with = "CustomEventDeliveryName")]
    pub custom_events: Option<CustomEventDeliveryName>,
}

/// Where a map's custom events go (docs/orchestration.md, "Partitions").
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CustomEventDeliveryName {
    /// This engine's agent queues.
    Send,
    /// This engine's outbox.
    Outbox,
}

/// The clock modes of SPEC §7.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ClockName {
    /// The system clock.
    Wall,
    /// Moved only by `advance` and `setNow`.
    Manual,
    /// The largest accepted event time.
    Event,
}

/// What happens to an attribute the event type does not define.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum UnknownAttributesPolicy {
    /// The event is rejected with `UNKNOWN_ATTRIBUTE`.
    Reject,
    /// The event is accepted without it, with an `UNKNOWN_ATTRIBUTE` warning.
    Drop,
    /// The attribute is stored as sent.
    Keep,
}

/// When a durable engine's journal reaches the disk, and when it writes snapshots.
#[derive(JsonSchema)]
#[schemars(rename = "StoreConfig", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct StoreConfigForm {
    /// `always` fsyncs every change, `batch` once per batch, `interval` every `intervalMs`,
    /// `never` only at snapshots and close (default `always`).
    #[serde(default)]
    #[schemars(with = "SyncName")]
    pub sync: Option<SyncName>,
    /// The fsync period of `interval`, in milliseconds (default 1000).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub interval_ms: Option<u32>,
    /// Journal bytes after which a snapshot is written (default 268435456).
    #[serde(default)]
    #[schemars(with = "u64")]
    pub snapshot_every: Option<u64>,
    /// `end` recovers every record (default); `checkpoint` recovers to the last `checkpoint`
    /// record and drops what came after it.
    #[serde(default)]
    #[schemars(with = "RecoverToName")]
    pub recover_to: Option<RecoverToName>,
    /// The owner's fencing token, at least 1 (a stream consumer's per-partition epoch): an open
    /// with a lower one than the store has seen is `STORE_LOCKED`, and so are this owner's
    /// checkpoints and snapshots once a higher one has opened the store (default: the store's own).
    #[serde(default)]
    #[schemars(with = "u64")]
    pub epoch: Option<u64>,
}

/// What a durable store recovers to.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum RecoverToName {
    /// Every record in the journal.
    End,
    /// The last checkpoint: records after it are dropped.
    Checkpoint,
}

/// The sync modes of a durable store.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum SyncName {
    /// Every change is fsynced before its call returns.
    Always,
    /// A batch is fsynced once, before it returns.
    Batch,
    /// A background thread fsyncs every `intervalMs`.
    Interval,
    /// Only snapshots and `close` fsync.
    Never,
}

/// A catalog (SPEC §1): the session types, each with its event types.
#[derive(JsonSchema)]
#[schemars(rename = "CatalogDefinition", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct CatalogForm {
    /// The session types; `conversation` is built in and cannot be defined.
    pub session_types: Vec<SessionTypeForm>,
}

/// A session type: its kind, status thresholds, session attributes and event types.
#[derive(JsonSchema)]
#[schemars(rename = "SessionTypeDefinition", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct SessionTypeForm {
    /// An identifier: a letter, then up to 63 letters, digits or underscores.
    pub name: String,
    /// `custom` sessions are keyed by an external id; `web` sessions end after inactivity.
    pub kind: SessionKindName,
    /// The name shown to agents (default: `name`).
    #[serde(default)]
    #[schemars(with = "String")]
    pub display_name: Option<String>,
    /// When a session counts as idle and then inactive.
    #[serde(default)]
    #[schemars(with = "StatusThresholds")]
    pub status: Option<StatusThresholds>,
    /// Names of this type's event types that end a custom session.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ends_on: Option<Vec<String>>,
    /// The gap after which a web session ends (web only; default `"20m"`).
    #[serde(default)]
    #[schemars(with = "DurationText")]
    pub inactivity_gap: Option<DurationText>,
    /// Session attributes, projected from events' attributes of the same name.
    #[serde(default)]
    #[schemars(with = "Vec<AttributeForm>")]
    pub attributes: Option<Vec<AttributeForm>>,
    /// The event types of this session type.
    #[serde(default)]
    #[schemars(with = "Vec<EventTypeForm>")]
    pub event_types: Option<Vec<EventTypeForm>>,
    /// Web only: events may also name event types this type does not declare, each created at its
    /// first accepted event and counted against `maxEventTypes`, its attributes typed by their
    /// JSON type or their `dataType` (default false).
    #[serde(default)]
    #[schemars(with = "bool")]
    pub open: Option<bool>,
}

/// The kinds of session a catalog may define.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum SessionKindName {
    /// Keyed by the event's `session.externalId`.
    Custom,
    /// Split by inactivity.
    Web,
}

/// A session type's status thresholds.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct StatusThresholds {
    /// Idle after this long without an event (default `"45s"`).
    #[serde(default)]
    #[schemars(with = "DurationText")]
    pub idle_after: Option<DurationText>,
    /// Inactive after this long without an event (default `"60s"`).
    #[serde(default)]
    #[schemars(with = "DurationText")]
    pub inactive_after: Option<DurationText>,
}

/// An event type and its attributes.
#[derive(JsonSchema)]
#[schemars(rename = "EventTypeDefinition", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct EventTypeForm {
    /// An identifier, unique within its session type.
    pub name: String,
    /// The attributes its events may carry.
    #[serde(default)]
    #[schemars(with = "Vec<AttributeForm>")]
    pub attributes: Option<Vec<AttributeForm>>,
}

/// A typed attribute (SPEC §1.2).
#[derive(JsonSchema)]
#[schemars(rename = "AttributeDefinition", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct AttributeForm {
    /// An identifier, unique within its event or session type.
    pub name: String,
    /// The value type.
    #[serde(rename = "type")]
    pub value_type: AttributeTypeName,
    /// Whether every event must carry it (default false).
    #[serde(default)]
    #[schemars(with = "bool")]
    pub required: Option<bool>,
    /// Whether the value is a list of the type (default false).
    #[serde(default)]
    #[schemars(with = "bool")]
    pub list: Option<bool>,
    /// `string` only: the longest value, in characters.
    #[serde(default)]
    #[schemars(with = "u32")]
    pub max_length: Option<u32>,
    /// `integer` and `decimal` only: the smallest value.
    #[serde(default)]
    #[schemars(with = "f64")]
    pub min: Option<f64>,
    /// `integer` and `decimal` only: the largest value.
    #[serde(default)]
    #[schemars(with = "f64")]
    pub max: Option<f64>,
    /// `enum` only: the allowed values.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub values: Option<Vec<String>>,
}

/// The attribute types of SPEC §1.2.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AttributeTypeName {
    /// Text, at most `maxLength` characters.
    String,
    /// A whole number within `min` and `max`.
    Integer,
    /// A number within `min` and `max`.
    Decimal,
    /// `true` or `false`.
    Boolean,
    /// One of `values`.
    Enum,
    /// An RFC 3339 time.
    Datetime,
    /// A UUID.
    Uuid,
}

/// An event (SPEC §2.1). Other top-level keys are ignored.
#[derive(JsonSchema)]
#[schemars(rename = "JourneyEvent")]
#[serde(rename_all = "camelCase")]
pub struct EventForm {
    /// The event's id, a UUID; without one, an id is derived from the content (SPEC §2.2).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub id: Option<String>,
    /// An event type of the session type.
    pub event_name: String,
    /// When it happened.
    pub created_date: Timestamp,
    /// Whose journey it belongs to.
    pub customer: Customer,
    /// Which session it belongs to.
    pub session: SessionReference,
    /// The division of the session it opens (SPEC §4).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub division: Option<String>,
    /// Attribute values by name, typed by the catalog.
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, serde_json::Value>>")]
    pub attributes: Option<BTreeMap<String, serde_json::Value>>,
    /// Other identifiers of the customer, linked to it when the event is accepted (at most 100;
    /// docs/identity.md).
    #[serde(default)]
    #[schemars(with = "Option<Vec<Customer>>")]
    pub identifiers: Option<Vec<Customer>>,
}

/// The session an event names: its type and, for a custom session, its external id.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct SessionReference {
    /// A session type of the catalog.
    #[serde(rename = "type")]
    pub session_type: String,
    /// The id that keys a custom session (required for custom sessions).
    #[serde(default)]
    #[schemars(with = "String")]
    pub external_id: Option<String>,
}

/// A web action event to record (SPEC §6).
#[derive(JsonSchema)]
#[schemars(rename = "ActionEvent", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct ActionEventForm {
    /// The action.
    pub action_id: String,
    /// The state it moves to.
    pub action_state: ActionState,
    /// What the action offers.
    pub action_media_type: MediaType,
    /// The action map that triggered it.
    pub action_map_id: String,
    /// The version of that action map.
    pub action_map_version: i64,
    /// The web visitor.
    pub customer_id: String,
    /// Always `cookie`.
    pub customer_id_type: CookieName,
    /// The web session.
    pub session_id: String,
    /// `errored` only: the error's code.
    #[serde(default)]
    #[schemars(with = "i64")]
    pub error_code: Option<i64>,
    /// `errored` only: the error's message.
    #[serde(default)]
    #[schemars(with = "String")]
    pub error_message: Option<String>,
    /// When it happened (default: the engine's `now`).
    #[serde(default)]
    #[schemars(with = "Timestamp")]
    pub created_date: Option<Timestamp>,
}

/// The one customer id type of a web action.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CookieName {
    /// A web tracking cookie.
    Cookie,
}

/// The input of the `ingest` op: one event, or the raw JSON text of one.
#[derive(JsonSchema)]
#[allow(clippy::large_enum_variant, reason = "a form for the schema only, never built")]
#[serde(untagged)]
pub enum IngestInput {
    /// An event.
    Event(EventForm),
    /// The JSON text of an event.
    Text(String),
}

/// The input of the `ingestBatch` op: events, or NDJSON text.
#[derive(JsonSchema)]
#[serde(untagged)]
pub enum IngestBatchInput {
    /// Events.
    Events(Vec<EventForm>),
    /// One event per line.
    Ndjson(String),
}

/// An outbox entry's `request`: `sendCustomEvent`'s input as the engine writes it, every field
/// present (docs/orchestration.md, "Partitions").
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutboxRequest {
    /// The target agent.
    pub agent_id: String,
    /// The event name.
    pub event_name: String,
    /// The payload.
    pub data: String,
    /// Keep the event for an agent who is not logged in.
    pub persist_in_memory: bool,
}
