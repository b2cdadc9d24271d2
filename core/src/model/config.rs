//! Engine configuration (SPEC §8), read from JSON. Every field is optional.

use crate::base::duration::Duration;
use crate::base::error::{JourneyError, Result};
use crate::base::text::{clip, clip_json};
use crate::base::time::{Millis, parse_rfc3339};
use crate::model::event::DigestKey;
use serde_json::{Map, Value};

mod identity;

pub(crate) use identity::slot;
pub use identity::{Blocked, IdentityConfig, Limit};

/// How the engine learns what time it is (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// The system clock.
    #[default]
    Wall,
    /// A clock moved only by `advance` and `set_now`; for tests and vectors.
    Manual,
    /// The largest accepted event time so far; for replaying history.
    Event,
}

/// What happens to an attribute the event type does not define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownAttributes {
    /// Reject the event with `UNKNOWN_ATTRIBUTE`.
    #[default]
    Reject,
    /// Accept the event without the attribute, with an `UNKNOWN_ATTRIBUTE` warning.
    Drop,
    /// Accept and store the attribute as sent.
    Keep,
}

/// When a durable engine's journal reaches the disk (SPEC §11, docs/durability.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncMode {
    /// Every change is fsynced before its call returns; concurrent callers share one fsync.
    #[default]
    Always,
    /// As `Always`, except that a batch ingest is fsynced once, before it returns.
    Batch,
    /// A background thread fsyncs every `store.intervalMs`; a crash loses at most that much.
    Interval,
    /// Never fsynced except by snapshots and `close`; a crash loses what was not written.
    Never,
}

/// What a durable engine recovers to when it is opened (docs/scale-out.md, "Kafka").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecoverTo {
    /// Every record the journal holds: nothing acknowledged is lost.
    #[default]
    End,
    /// The last `checkpoint` record: what came after it is dropped, so that the state is exactly
    /// what the checkpoint's value describes (a consumer's offsets, for example). Snapshots are
    /// written only at checkpoints.
    Checkpoint,
}

/// The `store` settings, used only by `Engine::open`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreConfig {
    /// When the journal reaches the disk.
    pub sync: SyncMode,
    /// The fsync period of `SyncMode::Interval`, in milliseconds.
    pub interval_ms: u64,
    /// Journal bytes after which a snapshot is written and the journal before it dropped.
    pub snapshot_every: u64,
    /// What opening the store recovers to.
    pub recover_to: RecoverTo,
    /// The owner's fencing token: an open with a lower one than the store has seen is refused,
    /// and so are this owner's checkpoints and snapshots once a higher one opened the store.
    /// `None`: the store's own.
    pub epoch: Option<u64>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            sync: SyncMode::Always,
            interval_ms: 1000,
            snapshot_every: 256 * 1024 * 1024,
            recover_to: RecoverTo::End,
            epoch: None,
        }
    }
}

/// The `orchestration` settings (docs/orchestration.md): how many definitions an engine holds, and
/// the gap evaluation keeps between two offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrchestrationConfig {
    /// Most segments (`maxSegments`); a put that would create one more is `INVALID_ARGUMENT`.
    pub max_segments: usize,
    /// Most outcomes (`maxOutcomes`).
    pub max_outcomes: usize,
    /// Most action maps (`maxActionMaps`).
    pub max_action_maps: usize,
    /// Least time between two offers of one media type in a session (`minOfferGap`), for the
    /// frequency caps evaluation applies.
    pub min_offer_gap: Duration,
    /// Where a map's custom events go (`customEvents`): this engine's agent queues, or its outbox
    /// for a partitioned host to forward.
    pub custom_events: CustomEventDelivery,
}

/// Where a map's custom events go (docs/orchestration.md, "Partitions").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomEventDelivery {
    /// To this engine's agent queues (`"send"`, one engine).
    #[default]
    Send,
    /// To this engine's outbox, for the host to forward to the agent's partition (`"outbox"`).
    Outbox,
}

impl CustomEventDelivery {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomEventDelivery::Send => "send",
            CustomEventDelivery::Outbox => "outbox",
        }
    }
}

impl Default for OrchestrationConfig {
    fn default() -> Self {
        OrchestrationConfig {
            max_segments: 500,
            max_outcomes: 500,
            max_action_maps: 500,
            min_offer_gap: Duration::from_millis(60_000),
            custom_events: CustomEventDelivery::Send,
        }
    }
}

/// The engine's settings; [`Config::default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Clock mode.
    pub clock: ClockMode,
    /// Start time of a manual clock; the wall time at engine creation when absent.
    pub start: Option<Millis>,
    /// Policy for undefined attributes.
    pub unknown_attributes: UnknownAttributes,
    /// Events older than `now - allowedLateness` are rejected; `None` accepts any age.
    pub allowed_lateness: Option<Duration>,
    /// Events more than this after `now` are rejected (wall and manual clocks).
    pub max_clock_skew: Duration,
    /// Most event types across the catalog (the built-in conversation types do not count).
    pub max_event_types: usize,
    /// Most attributes an event type may define, and an event may carry.
    pub max_attributes_per_event: usize,
    /// Longest string, in characters, where no `maxLength` is given.
    pub max_string_length: usize,
    /// Largest raw event, in bytes.
    pub max_event_bytes: usize,
    /// Most undelivered custom events per agent.
    pub max_pending_per_agent: usize,
    /// Largest custom event `data`, in bytes.
    pub max_custom_event_data: usize,
    /// Most persisted custom events (kept for agents who are not logged in) across every agent.
    pub max_persisted_total: usize,
    /// How long a persisted custom event waits for its agent's login before it is dropped.
    pub persisted_ttl: Duration,
    /// Sessions whose last activity is older than `now - retention` are evicted; `None` keeps them.
    pub retention: Option<Duration>,
    /// Actions in a terminal state are evicted this long after their last change.
    pub action_retention: Duration,
    /// Threads that prepare a batch's events (docs/performance.md): 0 is the machine's available
    /// parallelism, 1 ingests on the caller's thread alone.
    pub ingest_threads: usize,
    /// The secret key of the content digests that tell a resend from a conflicting reuse of an
    /// event id; random when absent. Partitions that move state between them (the online router,
    /// docs/scale-out.md) share one, so that their digests compare.
    pub digest_key: Option<DigestKey>,
    /// Durable store settings (only `Engine::open` reads them).
    pub store: StoreConfig,
    /// Segments, outcomes and action maps.
    pub orchestration: OrchestrationConfig,
    /// The rules that stop bad merges of identifiers (docs/identity.md).
    pub identity: IdentityConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            clock: ClockMode::Wall,
            start: None,
            unknown_attributes: UnknownAttributes::Reject,
            allowed_lateness: Some(Duration::from_millis(3_600_000)),
            max_clock_skew: Duration::from_millis(300_000),
            max_event_types: 20,
            max_attributes_per_event: 50,
            max_string_length: 1024,
            max_event_bytes: 65_536,
            max_pending_per_agent: 1000,
            max_custom_event_data: 65_536,
            max_persisted_total: 100_000,
            persisted_ttl: Duration::from_millis(24 * 3_600_000),
            retention: None,
            action_retention: Duration::from_millis(24 * 3_600_000),
            ingest_threads: 0,
            digest_key: None,
            store: StoreConfig::default(),
            orchestration: OrchestrationConfig::default(),
            identity: IdentityConfig::default(),
        }
    }
}

/// Upper bounds on the numeric settings, so that no config can make memory grow without bound.
const MAX_COUNT: u64 = 1_000_000;
const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Most threads a batch ingest may use.
const MAX_INGEST_THREADS: u64 = 256;
/// Most definitions of one kind: every put recompiles all of them, so this keeps a put cheap.
const MAX_DEFINITIONS: u64 = 10_000;

impl Config {
    /// Parses a JSON object of settings; `INVALID_CONFIG` names the first bad key.
    pub fn from_json(text: &str) -> Result<Config> {
        let value: Value = crate::base::json::parse_value(text.as_bytes())
            .map_err(|e| invalid("", format!("config is not valid JSON: {}", crate::base::text::bounded(e))))?;
        Config::from_value(&value)
    }

    /// Reads settings from an already-parsed JSON value (`null` gives the defaults).
    pub fn from_value(value: &Value) -> Result<Config> {
        let mut config = Config::default();
        let map = match value {
            Value::Null => return Ok(config),
            Value::Object(map) => map,
            _ => return Err(invalid("", "config must be a JSON object")),
        };
        for (key, value) in map {
            config.set(key, value)?;
        }
        config.check_retention()?;
        Ok(config)
    }

    /// `retention` must cover `allowedLateness`, so that an evicted event can never be accepted
    /// again as new: it would be `LATE_EVENT` (SPEC §12).
    fn check_retention(&self) -> Result<()> {
        let Some(retention) = self.retention else { return Ok(()) };
        match self.allowed_lateness {
            None => Err(invalid("retention", "needs allowedLateness: an evicted event must never come back as new")),
            Some(lateness) if retention.as_millis() < lateness.as_millis() => Err(invalid(
                "retention",
                format!(
                    "{retention} is shorter than allowedLateness ({lateness}); an evicted event could come back as new"
                ),
            )),
            Some(_) => Ok(()),
        }
    }

    fn set(&mut self, key: &str, value: &Value) -> Result<()> {
        match key {
            "clock" => {
                self.clock = match string(key, value)? {
                    "wall" => ClockMode::Wall,
                    "manual" => ClockMode::Manual,
                    "event" => ClockMode::Event,
                    other => {
                        return Err(invalid(key, format!("'{}' is not wall, manual or event", clip(other))));
                    }
                }
            }
            "start" => {
                let text = string(key, value)?;
                let millis = parse_rfc3339(text)
                    .ok_or_else(|| invalid(key, format!("'{}' is not an RFC 3339 timestamp", clip(text))))?;
                self.start = Some(millis);
            }
            "unknownAttributes" => {
                self.unknown_attributes = match string(key, value)? {
                    "reject" => UnknownAttributes::Reject,
                    "drop" => UnknownAttributes::Drop,
                    "keep" => UnknownAttributes::Keep,
                    other => {
                        return Err(invalid(key, format!("'{}' is not reject, drop or keep", clip(other))));
                    }
                }
            }
            "allowedLateness" => {
                self.allowed_lateness = match value {
                    Value::Null => None,
                    _ => Some(duration(key, value)?),
                }
            }
            "maxClockSkew" => self.max_clock_skew = duration(key, value)?,
            "maxEventTypes" => self.max_event_types = count(key, value, MAX_COUNT)?,
            "maxAttributesPerEvent" => self.max_attributes_per_event = count(key, value, MAX_COUNT)?,
            "maxStringLength" => self.max_string_length = count(key, value, MAX_BYTES)?,
            "maxEventBytes" => self.max_event_bytes = count(key, value, MAX_BYTES)?,
            "maxPendingPerAgent" => self.max_pending_per_agent = count(key, value, MAX_COUNT)?,
            "maxCustomEventData" => self.max_custom_event_data = count(key, value, MAX_BYTES)?,
            "maxPersistedTotal" => self.max_persisted_total = count(key, value, MAX_COUNT)?,
            "persistedTtl" => self.persisted_ttl = positive_duration(key, value)?,
            "retention" => {
                self.retention = match value {
                    Value::Null => None,
                    _ => Some(positive_duration(key, value)?),
                }
            }
            "actionRetention" => self.action_retention = duration(key, value)?,
            "ingestThreads" => self.ingest_threads = threads(key, value)?,
            "digestKey" => {
                let text = string(key, value)?;
                let key_value = DigestKey::from_hex(text)
                    .ok_or_else(|| invalid(key, "expected 32 hexadecimal digits (a 128-bit secret)"))?;
                self.digest_key = Some(key_value);
            }
            "store" => self.store = store(value)?,
            "orchestration" => self.orchestration = orchestration(value)?,
            "identity" => self.identity = identity::read(value)?,
            _ => return Err(invalid(key, "unknown config key")),
        }
        Ok(())
    }

    /// The config as JSON, in the form [`Config::from_value`] reads.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        let clock = match self.clock {
            ClockMode::Wall => "wall",
            ClockMode::Manual => "manual",
            ClockMode::Event => "event",
        };
        map.insert("clock".into(), clock.into());
        if let Some(start) = self.start {
            map.insert("start".into(), crate::base::time::format_millis(start).into());
        }
        let policy = match self.unknown_attributes {
            UnknownAttributes::Reject => "reject",
            UnknownAttributes::Drop => "drop",
            UnknownAttributes::Keep => "keep",
        };
        map.insert("unknownAttributes".into(), policy.into());
        let lateness = self.allowed_lateness.map(|d| Value::from(d.to_string()));
        map.insert("allowedLateness".into(), lateness.unwrap_or(Value::Null));
        map.insert("maxClockSkew".into(), self.max_clock_skew.to_string().into());
        map.insert("maxEventTypes".into(), self.max_event_types.into());
        map.insert("maxAttributesPerEvent".into(), self.max_attributes_per_event.into());
        map.insert("maxStringLength".into(), self.max_string_length.into());
        map.insert("maxEventBytes".into(), self.max_event_bytes.into());
        map.insert("maxPendingPerAgent".into(), self.max_pending_per_agent.into());
        map.insert("maxCustomEventData".into(), self.max_custom_event_data.into());
        map.insert("maxPersistedTotal".into(), self.max_persisted_total.into());
        map.insert("persistedTtl".into(), self.persisted_ttl.to_string().into());
        map.insert("retention".into(), self.retention.map(|d| Value::from(d.to_string())).unwrap_or(Value::Null));
        map.insert("actionRetention".into(), self.action_retention.to_string().into());
        map.insert("ingestThreads".into(), self.ingest_threads.into());
        if let Some(key) = self.digest_key {
            map.insert("digestKey".into(), key.to_hex().into());
        }
        let sync = match self.store.sync {
            SyncMode::Always => "always",
            SyncMode::Batch => "batch",
            SyncMode::Interval => "interval",
            SyncMode::Never => "never",
        };
        let recover_to = match self.store.recover_to {
            RecoverTo::End => "end",
            RecoverTo::Checkpoint => "checkpoint",
        };
        let mut store = serde_json::json!({"sync": sync, "intervalMs": self.store.interval_ms,
            "snapshotEvery": self.store.snapshot_every, "recoverTo": recover_to});
        if let Some(epoch) = self.store.epoch {
            store["epoch"] = epoch.into();
        }
        map.insert("store".into(), store);
        let orchestration = &self.orchestration;
        let orchestration = serde_json::json!({"maxSegments": orchestration.max_segments,
            "maxOutcomes": orchestration.max_outcomes, "maxActionMaps": orchestration.max_action_maps,
            "minOfferGap": orchestration.min_offer_gap.to_string(),
            "customEvents": orchestration.custom_events.as_str()});
        map.insert("orchestration".into(), orchestration);
        map.insert("identity".into(), self.identity.to_json());
        Value::Object(map)
    }
}

/// `INVALID_CONFIG` for `key`. The key is the caller's text, so it is cut like any echoed input
/// (a 9,000-character unknown key gave a 9,000-character error; found by the `config` fuzz target).
fn invalid(key: &str, message: impl Into<String>) -> JourneyError {
    JourneyError::InvalidConfig { key: clip(key), message: message.into() }
}

fn string<'v>(key: &str, value: &'v Value) -> Result<&'v str> {
    value.as_str().ok_or_else(|| invalid(key, format!("expected a string, got {}", clip_json(value))))
}

fn duration(key: &str, value: &Value) -> Result<Duration> {
    Duration::parse(string(key, value)?).map_err(|message| invalid(key, message))
}

fn positive_duration(key: &str, value: &Value) -> Result<Duration> {
    let duration = duration(key, value)?;
    if duration.as_millis() <= 0 {
        return Err(invalid(key, "must be longer than 0"));
    }
    Ok(duration)
}

/// The largest `store.epoch`: the largest integer a JSON number carries exactly everywhere.
const MAX_EPOCH: u64 = (1 << 53) - 1;

/// Reads `{"sync", "intervalMs", "snapshotEvery", "recoverTo", "epoch"}`, every key optional.
fn store(value: &Value) -> Result<StoreConfig> {
    let mut store = StoreConfig::default();
    let map =
        value.as_object().ok_or_else(|| invalid("store", format!("expected an object, got {}", clip_json(value))))?;
    for (key, value) in map {
        let path = format!("store.{key}");
        match key.as_str() {
            "sync" => {
                store.sync = match string(&path, value)? {
                    "always" => SyncMode::Always,
                    "batch" => SyncMode::Batch,
                    "interval" => SyncMode::Interval,
                    "never" => SyncMode::Never,
                    other => {
                        return Err(invalid(
                            &path,
                            format!("'{}' is not always, batch, interval or never", clip(other)),
                        ));
                    }
                }
            }
            "intervalMs" => store.interval_ms = count(&path, value, 3_600_000)? as u64,
            "snapshotEvery" => store.snapshot_every = count(&path, value, 1 << 40)? as u64,
            "recoverTo" => {
                store.recover_to = match string(&path, value)? {
                    "end" => RecoverTo::End,
                    "checkpoint" => RecoverTo::Checkpoint,
                    other => return Err(invalid(&path, format!("'{}' is not end or checkpoint", clip(other)))),
                }
            }
            "epoch" => {
                store.epoch = Some(count(&path, value, MAX_EPOCH)? as u64);
            }
            _ => return Err(invalid(&path, "unknown store key")),
        }
    }
    if store.epoch.is_some() && store.recover_to != RecoverTo::Checkpoint {
        // A newer owner takes the older one's state at its last checkpoint, the one point both
        // know where the input stands (docs/durability.md, "Fencing a stale owner").
        return Err(invalid("store.epoch", "needs store.recoverTo \"checkpoint\""));
    }
    Ok(store)
}

/// Reads `{"maxSegments", "maxOutcomes", "maxActionMaps", "minOfferGap", "customEvents"}`, every key
/// optional.
fn orchestration(value: &Value) -> Result<OrchestrationConfig> {
    let mut orchestration = OrchestrationConfig::default();
    let map = value
        .as_object()
        .ok_or_else(|| invalid("orchestration", format!("expected an object, got {}", clip_json(value))))?;
    for (key, value) in map {
        let path = format!("orchestration.{key}");
        match key.as_str() {
            "maxSegments" => orchestration.max_segments = definitions(&path, value)?,
            "maxOutcomes" => orchestration.max_outcomes = definitions(&path, value)?,
            "maxActionMaps" => orchestration.max_action_maps = definitions(&path, value)?,
            "minOfferGap" => orchestration.min_offer_gap = duration(&path, value)?,
            "customEvents" => {
                orchestration.custom_events = match string(&path, value)? {
                    "send" => CustomEventDelivery::Send,
                    "outbox" => CustomEventDelivery::Outbox,
                    other => return Err(invalid(&path, format!("'{}' is not send or outbox", clip(other)))),
                }
            }
            _ => return Err(invalid(&path, "unknown orchestration key")),
        }
    }
    Ok(orchestration)
}

/// A limit on definitions: 0 (none of that kind) to [`MAX_DEFINITIONS`].
fn definitions(key: &str, value: &Value) -> Result<usize> {
    match value.as_u64() {
        Some(n) if n <= MAX_DEFINITIONS => Ok(n as usize),
        _ => {
            Err(invalid(key, format!("expected a whole number from 0 to {MAX_DEFINITIONS}, got {}", clip_json(value))))
        }
    }
}

fn count(key: &str, value: &Value, max: u64) -> Result<usize> {
    match value.as_u64() {
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        _ => Err(invalid(key, format!("expected a whole number from 1 to {max}, got {}", clip_json(value)))),
    }
}

/// `ingestThreads`: 0 (as many as the machine has) to [`MAX_INGEST_THREADS`].
fn threads(key: &str, value: &Value) -> Result<usize> {
    match value.as_u64() {
        Some(n) if n <= MAX_INGEST_THREADS => Ok(n as usize),
        _ => Err(invalid(
            key,
            format!("expected a whole number from 0 (every core) to {MAX_INGEST_THREADS}, got {}", clip_json(value)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_spec() {
        let config = Config::from_json("{}").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.allowed_lateness.unwrap().as_millis(), 3_600_000);
        assert_eq!(config.max_pending_per_agent, 1000);
        assert_eq!(config.max_persisted_total, 100_000);
        assert_eq!(config.persisted_ttl.as_millis(), 24 * 3_600_000);
        assert_eq!((config.orchestration.max_segments, config.orchestration.max_action_maps), (500, 500));
        assert_eq!(config.orchestration.min_offer_gap.to_string(), "1m");
    }

    #[test]
    fn reads_every_key_and_round_trips() {
        let text = r#"{"clock":"manual","start":"2026-11-21T10:00:00Z","unknownAttributes":"drop",
            "allowedLateness":null,"maxClockSkew":"1m","maxEventTypes":5,"maxAttributesPerEvent":7,
            "maxStringLength":9,"maxEventBytes":100,"maxPendingPerAgent":3,"maxCustomEventData":10,
            "maxPersistedTotal":7,"persistedTtl":"90m","actionRetention":"2h","store":{"sync":"batch","intervalMs":50,"snapshotEvery":4096},
            "orchestration":{"maxSegments":0,"maxOutcomes":10000,"maxActionMaps":3,"minOfferGap":"90s",
            "customEvents":"outbox"}}"#;
        let config = Config::from_json(text).unwrap();
        assert_eq!(config.clock, ClockMode::Manual);
        assert_eq!(config.allowed_lateness, None);
        assert_eq!(config.max_pending_per_agent, 3);
        assert_eq!((config.max_persisted_total, config.persisted_ttl.as_millis()), (7, 5_400_000));
        assert_eq!(
            config.store,
            StoreConfig {
                sync: SyncMode::Batch,
                interval_ms: 50,
                snapshot_every: 4096,
                recover_to: RecoverTo::End,
                epoch: None
            }
        );
        let orchestration = OrchestrationConfig {
            max_segments: 0,
            max_outcomes: 10_000,
            max_action_maps: 3,
            min_offer_gap: Duration::from_millis(90_000),
            custom_events: CustomEventDelivery::Outbox,
        };
        assert_eq!(config.orchestration, orchestration);
        assert_eq!(Config::from_value(&config.to_json()).unwrap(), config);
        let kept = Config::from_json(r#"{"retention":"2d","allowedLateness":"1h"}"#).unwrap();
        assert_eq!(kept.retention.unwrap().as_millis(), 2 * 86_400_000);
        assert_eq!(Config::from_value(&kept.to_json()).unwrap(), kept);
    }

    #[test]
    fn retention_must_cover_the_allowed_lateness() {
        for text in [r#"{"retention":"30m"}"#, r#"{"retention":"1d","allowedLateness":null}"#, r#"{"retention":"0s"}"#]
        {
            let err = Config::from_json(text).unwrap_err();
            assert!(matches!(&err, JourneyError::InvalidConfig { key, .. } if key == "retention"), "{text}: {err}");
        }
        assert_eq!(Config::from_json(r#"{"retention":"1h"}"#).unwrap().retention.unwrap().as_millis(), 3_600_000);
    }

    #[test]
    fn names_the_bad_key() {
        for (text, key) in [
            (r#"{"clok":"wall"}"#, "clok"),
            (r#"{"clock":"sundial"}"#, "clock"),
            (r#"{"maxEventBytes":-1}"#, "maxEventBytes"),
            (r#"{"maxEventBytes":"big"}"#, "maxEventBytes"),
            (r#"{"maxClockSkew":"5"}"#, "maxClockSkew"),
            (r#"{"start":"noon"}"#, "start"),
            (r#"{"store":{"sync":"sometimes"}}"#, "store.sync"),
            (r#"{"store":{"syncc":"always"}}"#, "store.syncc"),
            (r#"{"store":[]}"#, "store"),
            (r#"{"maxPersistedTotal":0}"#, "maxPersistedTotal"),
            (r#"{"maxPersistedTotal":1.5}"#, "maxPersistedTotal"),
            (r#"{"maxPersistedTotal":2000000}"#, "maxPersistedTotal"),
            (r#"{"persistedTtl":"0s"}"#, "persistedTtl"),
            (r#"{"persistedTtl":"1 day"}"#, "persistedTtl"),
            (r#"{"persistedTtl":86400}"#, "persistedTtl"),
            (r#"{"persistedTtl":null}"#, "persistedTtl"),
            (r#"{"orchestration":1}"#, "orchestration"),
            (r#"{"orchestration":{"maxSegmnts":1}}"#, "orchestration.maxSegmnts"),
            (r#"{"orchestration":{"maxSegments":10001}}"#, "orchestration.maxSegments"),
            (r#"{"orchestration":{"maxOutcomes":-1}}"#, "orchestration.maxOutcomes"),
            (r#"{"orchestration":{"maxActionMaps":"many"}}"#, "orchestration.maxActionMaps"),
            (r#"{"orchestration":{"minOfferGap":60}}"#, "orchestration.minOfferGap"),
            (r#"{"orchestration":{"customEvents":"queue"}}"#, "orchestration.customEvents"),
        ] {
            let err = Config::from_json(text).unwrap_err();
            assert_eq!(err.code(), "INVALID_CONFIG");
            assert!(matches!(&err, JourneyError::InvalidConfig { key: k, .. } if k == key), "{text}: {err}");
        }
    }
}
