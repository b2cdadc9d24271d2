//! The segments, outcomes and action maps an engine holds: put (create or replace, with versions),
//! delete and list, each refusing what would leave the definitions inconsistent; and restore, which
//! takes back definitions as a journal or snapshot stored them.

use crate::base::error::{JourneyError, Result};
use crate::base::text::{bounded, clip};
use crate::base::time::{Millis, format_millis};
use crate::model::event::NAMESPACE;
use crate::model::orchestration::{ActionMap, Outcome, Segment};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// How many definitions of each kind an engine holds at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Segments.
    pub segments: usize,
    /// Outcomes.
    pub outcomes: usize,
    /// Action maps.
    pub action_maps: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { segments: 500, outcomes: 500, action_maps: 500 }
    }
}

/// Every definition, by id (listed in id order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Definitions {
    segments: BTreeMap<String, Segment>,
    outcomes: BTreeMap<String, Outcome>,
    action_maps: BTreeMap<String, ActionMap>,
    /// The last version of each deleted definition (`<kind>:<id>`) not created again since: a
    /// definition created again under its id goes on from there, so that no state evaluation
    /// keeps by id and version (counts, qualifications, web action ids) is taken for the new one.
    retired: BTreeMap<String, u64>,
}

/// What the three kinds share, for put: the id, the version and the dates.
trait Definition: Clone {
    /// The kind's name in ids and messages.
    const KIND: &'static str;
    /// The config key that limits how many there are.
    const LIMIT: &'static str;
    fn display_name(&self) -> &str;
    fn stored_version(&self) -> Option<u64>;
    fn created(&self) -> Option<String>;
    fn identity(&mut self) -> (&mut Option<String>, &mut Option<u64>);
    fn dates(&mut self) -> (&mut Option<String>, &mut Option<String>);
}

macro_rules! definition {
    ($type:ty, $kind:literal, $limit:literal) => {
        impl Definition for $type {
            const KIND: &'static str = $kind;
            const LIMIT: &'static str = $limit;
            fn display_name(&self) -> &str {
                &self.display_name
            }
            fn stored_version(&self) -> Option<u64> {
                self.version
            }
            fn created(&self) -> Option<String> {
                self.created_date.clone()
            }
            fn identity(&mut self) -> (&mut Option<String>, &mut Option<u64>) {
                (&mut self.id, &mut self.version)
            }
            fn dates(&mut self) -> (&mut Option<String>, &mut Option<String>) {
                (&mut self.created_date, &mut self.modified_date)
            }
        }
    };
}

definition!(Segment, "segment", "maxSegments");
definition!(Outcome, "outcome", "maxOutcomes");
definition!(ActionMap, "actionMap", "maxActionMaps");

impl Definitions {
    /// Creates or replaces a segment; returns it as stored.
    pub fn put_segment(&mut self, segment: Segment, limits: &Limits, now: Millis) -> Result<Segment> {
        put(&mut self.segments, &mut self.retired, segment, limits.segments, now)
    }

    /// Creates or replaces an outcome; returns it as stored.
    pub fn put_outcome(&mut self, outcome: Outcome, limits: &Limits, now: Millis) -> Result<Outcome> {
        put(&mut self.outcomes, &mut self.retired, outcome, limits.outcomes, now)
    }

    /// Creates or replaces an action map; every segment it triggers with must exist.
    pub fn put_action_map(&mut self, map: ActionMap, limits: &Limits, now: Millis) -> Result<ActionMap> {
        if let Some((i, missing)) =
            map.trigger_with_segments.iter().enumerate().find(|(_, id)| !self.segments.contains_key(*id))
        {
            return Err(JourneyError::invalid_argument(format!(
                "/triggerWithSegments/{i}: no segment '{}'",
                clip(missing)
            )));
        }
        put(&mut self.action_maps, &mut self.retired, map, limits.action_maps, now)
    }

    /// Deletes a segment: `NOT_FOUND` when there is none, `INVALID_ARGUMENT` while a map uses it.
    pub fn delete_segment(&mut self, id: &str) -> Result<()> {
        if let Some(map) = self.action_maps.values().find(|map| map.trigger_with_segments.iter().any(|s| s == id)) {
            let message = format!(
                "segment '{}' triggers action map '{}': delete or change the map first",
                clip(id),
                clip(map.id.as_deref().unwrap_or_default())
            );
            return Err(JourneyError::invalid_argument(message));
        }
        remove(&mut self.segments, &mut self.retired, id, "segment")
    }

    /// Deletes an outcome: `NOT_FOUND` when there is none.
    pub fn delete_outcome(&mut self, id: &str) -> Result<()> {
        remove(&mut self.outcomes, &mut self.retired, id, "outcome")
    }

    /// Deletes an action map: `NOT_FOUND` when there is none.
    pub fn delete_action_map(&mut self, id: &str) -> Result<()> {
        remove(&mut self.action_maps, &mut self.retired, id, "action map")
    }

    /// The segments, in id order.
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.segments.values()
    }

    /// The outcomes, in id order.
    pub fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.values()
    }

    /// The action maps, in id order.
    pub fn action_maps(&self) -> impl Iterator<Item = &ActionMap> {
        self.action_maps.values()
    }

    /// The action map and the segments it triggers with, all taken as active: what explaining
    /// or estimating one map evaluates, whatever the map's and segments' `isActive` say.
    pub fn focused_on(&self, map: &ActionMap) -> Definitions {
        let mut focused = Definitions::default();
        for id in &map.trigger_with_segments {
            if let Some(segment) = self.segments.get(id) {
                focused.segments.insert(id.clone(), Segment { is_active: true, ..segment.clone() });
            }
        }
        let id = map.id.clone().unwrap_or_default();
        focused.action_maps.insert(id, ActionMap { is_active: true, ..map.clone() });
        focused
    }

    /// The action map with this id.
    pub fn action_map(&self, id: &str) -> Option<&ActionMap> {
        self.action_maps.get(id)
    }

    /// Whether there are no definitions at all, and none was ever deleted.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty() && self.outcomes.is_empty() && self.action_maps.is_empty() && self.retired.is_empty()
    }

    /// Inserts a segment as it was stored, with none of a put's checks: it passed them when it was
    /// put, and a build with stricter checks must still read what an older one stored. Only its
    /// id is needed.
    pub fn restore_segment(&mut self, segment: Segment) -> Result<()> {
        restore(&mut self.segments, &mut self.retired, segment)
    }

    /// Inserts an outcome as it was stored (see [`Definitions::restore_segment`]).
    pub fn restore_outcome(&mut self, outcome: Outcome) -> Result<()> {
        restore(&mut self.outcomes, &mut self.retired, outcome)
    }

    /// Inserts an action map as it was stored (see [`Definitions::restore_segment`]).
    pub fn restore_action_map(&mut self, map: ActionMap) -> Result<()> {
        restore(&mut self.action_maps, &mut self.retired, map)
    }

    /// The saved form, for a snapshot: `{"segments": [...], "outcomes": [...], "actionMaps": [...]}`
    /// as JSON text, each list as stored, in id order. JSON rather than postcard: the definitions
    /// hold JSON values and optional fields, which postcard cannot carry.
    pub fn saved(&self) -> String {
        let saved = SavedRef {
            segments: self.segments.values().collect(),
            outcomes: self.outcomes.values().collect(),
            action_maps: self.action_maps.values().collect(),
            retired: &self.retired,
        };
        // Every field of a definition serializes (strings, numbers, enums, JSON values).
        serde_json::to_string(&saved).unwrap_or_default()
    }

    /// The definitions [`Definitions::saved`] wrote, restored as stored.
    pub fn from_saved(text: &str) -> Result<Definitions> {
        let saved: Saved = serde_json::from_str(text)
            .map_err(|e| JourneyError::invalid_argument(format!("saved definitions: {}", bounded(e))))?;
        let mut definitions = Definitions::default();
        saved.segments.into_iter().try_for_each(|segment| definitions.restore_segment(segment))?;
        saved.outcomes.into_iter().try_for_each(|outcome| definitions.restore_outcome(outcome))?;
        saved.action_maps.into_iter().try_for_each(|map| definitions.restore_action_map(map))?;
        definitions.retired.extend(saved.retired);
        Ok(definitions)
    }
}

/// The saved form of [`Definitions`], as written.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SavedRef<'a> {
    segments: Vec<&'a Segment>,
    outcomes: Vec<&'a Outcome>,
    action_maps: Vec<&'a ActionMap>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    retired: &'a BTreeMap<String, u64>,
}

/// The saved form of [`Definitions`], as read back.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Saved {
    #[serde(default)]
    segments: Vec<Segment>,
    #[serde(default)]
    outcomes: Vec<Outcome>,
    #[serde(default)]
    action_maps: Vec<ActionMap>,
    #[serde(default)]
    retired: BTreeMap<String, u64>,
}

/// Inserts `definition` under its stored id.
fn restore<D: Definition>(
    stored: &mut BTreeMap<String, D>,
    retired: &mut BTreeMap<String, u64>,
    mut definition: D,
) -> Result<()> {
    let Some(id) = definition.identity().0.clone() else {
        return Err(JourneyError::invalid_argument(format!("a stored {} has no id", D::KIND)));
    };
    retired.remove(&retired_key::<D>(&id));
    stored.insert(id, definition);
    Ok(())
}

/// Creates or replaces `definition` in `stored`. Its id is the UUID given (replacing the
/// definition with that id, if any), or, when none is given, a UUIDv5 of its kind and display name
/// (so a replay or another partition derives the same), which creates: a definition of that name
/// made without an id already is `INVALID_ARGUMENT`, never silently replaced. A replace that
/// carries a version must carry the stored one; the stored version is 1 when created and +1 on
/// each replace. The dates are the engine's: `createdDate` when created, `modifiedDate` now.
fn put<D: Definition>(
    stored: &mut BTreeMap<String, D>,
    retired: &mut BTreeMap<String, u64>,
    mut definition: D,
    limit: usize,
    now: Millis,
) -> Result<D> {
    let id = definition_id(&definition, stored)?;
    let existing = stored.get(&id);
    let version = match (existing, definition.stored_version()) {
        (None, _) if stored.len() >= limit => {
            return Err(JourneyError::invalid_argument(format!(
                "{} {}s, the most config orchestration.{} allows: delete one first",
                stored.len(),
                D::KIND,
                D::LIMIT
            )));
        }
        (None, _) => retired.get(&retired_key::<D>(&id)).map_or(1, |last| last + 1),
        (Some(old), Some(given)) if Some(given) != old.stored_version() => {
            let current = old.stored_version().unwrap_or(1);
            return Err(JourneyError::invalid_argument(format!(
                "/version: {given}, but the stored {} '{id}' is at version {current}",
                D::KIND
            )));
        }
        (Some(old), _) => old.stored_version().unwrap_or(1) + 1,
    };
    let created = existing.and_then(Definition::created).unwrap_or_else(|| format_millis(now));
    let (id_slot, version_slot) = definition.identity();
    *id_slot = Some(id.clone());
    *version_slot = Some(version);
    let (created_slot, modified_slot) = definition.dates();
    *created_slot = Some(created);
    *modified_slot = Some(format_millis(now));
    retired.remove(&retired_key::<D>(&id));
    stored.insert(id, definition.clone());
    Ok(definition)
}

/// Where [`Definitions::retired`] keeps a deleted definition's last version.
fn retired_key<D: Definition>(id: &str) -> String {
    format!("{}:{id}", D::KIND)
}

/// The id a put stores under: the given one as a canonical UUID, or one derived from the name.
fn definition_id<D: Definition>(definition: &D, stored: &BTreeMap<String, D>) -> Result<String> {
    let given = definition.clone().identity().0.clone();
    if let Some(given) = given {
        return Uuid::try_parse(&given)
            .map(|id| id.to_string())
            .map_err(|_| JourneyError::invalid_argument(format!("/id: '{}' is not a UUID", clip(&given))));
    }
    let derived = Uuid::new_v5(&NAMESPACE, format!("{}:{}", D::KIND, definition.display_name()).as_bytes()).to_string();
    if stored.contains_key(&derived) {
        return Err(JourneyError::invalid_argument(format!(
            "/id: a {} named '{}' exists ({derived}): put it with its id and version to replace it",
            D::KIND,
            clip(definition.display_name())
        )));
    }
    Ok(derived)
}

fn remove<D: Definition>(
    stored: &mut BTreeMap<String, D>,
    retired: &mut BTreeMap<String, u64>,
    id: &str,
    kind: &str,
) -> Result<()> {
    match stored.remove(id) {
        Some(removed) => {
            retired.insert(retired_key::<D>(id), removed.stored_version().unwrap_or(1));
            Ok(())
        }
        None => Err(JourneyError::NotFound(format!("no {kind} '{}'", clip(id)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::orchestration::read_definition;
    use serde_json::json;

    const S1: &str = "4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e";
    const M1: &str = "7e1c2d3a-9b8f-4c6d-8e5f-0a1b2c3d4e5f";

    fn segment(value: serde_json::Value) -> Segment {
        read_definition(&value).unwrap()
    }

    fn named(name: &str, id: Option<&str>) -> Segment {
        let pattern = json!({"patterns": [{"count": 1, "streamType": "Custom"}]});
        match id {
            Some(id) => segment(json!({"id": id, "displayName": name, "journey": pattern})),
            None => segment(json!({"displayName": name, "journey": pattern})),
        }
    }

    #[test]
    fn puts_version_and_derive_ids() {
        let mut definitions = Definitions::default();
        let limits = Limits::default();
        let first = definitions.put_segment(named("Delayed", None), &limits, 1_000).unwrap();
        assert_eq!(first.version, Some(1));
        assert_eq!(first.created_date.as_deref(), Some("1970-01-01T00:00:01.000Z"));
        let id = first.id.clone().unwrap();
        assert_eq!(Uuid::parse_str(&id).unwrap().get_version_num(), 5);
        // No id again: the same name is refused, never silently replaced.
        let error = definitions.put_segment(named("Delayed", None), &limits, 2_000).unwrap_err();
        assert!(error.to_string().contains("put it with its id and version"), "{error}");
        let again = definitions.put_segment(named("Delayed", Some(&id.to_uppercase())), &limits, 2_000).unwrap();
        assert_eq!((again.id.as_deref(), again.version), (Some(id.as_str()), Some(2)));
        assert_eq!(again.created_date, first.created_date, "a replace keeps the creation date");
        assert_eq!(again.modified_date.as_deref(), Some("1970-01-01T00:00:02.000Z"));
        let mut stale = named("Delayed", Some(&id));
        stale.version = Some(1);
        let error = definitions.put_segment(stale, &limits, 3_000).unwrap_err();
        assert!(error.to_string().contains("/version: 1, but the stored segment"), "{error}");
        let mut current = named("Delayed", Some(&id));
        current.version = Some(2);
        current.modified_date = Some("2001-01-01T00:00:00Z".into());
        let stored = definitions.put_segment(current, &limits, 3_000).unwrap();
        assert_eq!(stored.version, Some(3));
        assert_eq!(stored.modified_date.as_deref(), Some("1970-01-01T00:00:03.000Z"), "the dates are the engine's");
        assert_eq!(definitions.segments().count(), 1);
        let error = definitions.put_segment(named("x", Some("s-1")), &limits, 0).unwrap_err();
        assert!(error.to_string().contains("/id: 's-1' is not a UUID"), "{error}");
    }

    #[test]
    fn maps_need_their_segments_and_hold_them() {
        let mut definitions = Definitions::default();
        let limits = Limits::default();
        let map = |segment_id: &str| -> ActionMap {
            read_definition(&json!({"id": M1, "displayName": "chat", "triggerWithSegments": [segment_id],
                "action": {"mediaType": "callback"}}))
            .unwrap()
        };
        let error = definitions.put_action_map(map(S1), &limits, 0).unwrap_err();
        assert!(error.to_string().contains(&format!("/triggerWithSegments/0: no segment '{S1}'")), "{error}");
        definitions.put_segment(named("Delayed", Some(S1)), &limits, 0).unwrap();
        definitions.put_action_map(map(S1), &limits, 0).unwrap();
        let held = definitions.delete_segment(S1).unwrap_err();
        assert!(held.to_string().contains(&format!("triggers action map '{M1}'")), "{held}");
        definitions.delete_action_map(M1).unwrap();
        definitions.delete_segment(S1).unwrap();
        assert_eq!(definitions.delete_segment(S1).unwrap_err().code(), "NOT_FOUND");
        assert_eq!(definitions.delete_outcome(S1).unwrap_err().code(), "NOT_FOUND");
    }

    #[test]
    fn restores_what_was_stored_without_the_put_checks() {
        let mut definitions = Definitions::default();
        let limits = Limits::default();
        definitions.put_segment(named("Delayed", Some(S1)), &limits, 1_000).unwrap();
        let map: ActionMap = read_definition(&json!({"id": M1, "displayName": "chat", "triggerWithSegments": [S1],
            "action": {"mediaType": "callback"}}))
        .unwrap();
        definitions.put_action_map(map, &limits, 2_000).unwrap();
        let restored = Definitions::from_saved(&definitions.saved()).unwrap();
        assert_eq!(restored, definitions);
        // A stored map whose segment is not there: restore takes it as it is.
        let mut bare = Definitions::default();
        let stored = definitions.action_maps().next().unwrap().clone();
        bare.restore_action_map(stored.clone()).unwrap();
        assert_eq!(bare.action_maps().collect::<Vec<_>>(), [&stored]);
        let mut no_id = stored;
        no_id.id = None;
        assert!(bare.restore_action_map(no_id).unwrap_err().to_string().contains("a stored actionMap has no id"));
        assert!(Definitions::from_saved(r#"{"segments": [{"displayName": 1}]}"#).is_err());
        assert!(Definitions::from_saved("{}").unwrap().is_empty());
        assert!(!restored.is_empty());
    }

    #[test]
    fn a_definition_created_again_after_a_delete_goes_on_from_its_last_version() {
        let mut definitions = Definitions::default();
        let limits = Limits::default();
        definitions.put_segment(named("Delayed", Some(S1)), &limits, 0).unwrap();
        definitions.put_segment(named("Delayed", Some(S1)), &limits, 0).unwrap();
        definitions.delete_segment(S1).unwrap();
        let again = definitions.put_segment(named("Delayed again", Some(S1)), &limits, 0).unwrap();
        assert_eq!(again.version, Some(3), "version 1 and 2 were the deleted segment's");
        definitions.delete_segment(S1).unwrap();
        let restored = Definitions::from_saved(&definitions.saved()).unwrap();
        assert!(!restored.is_empty(), "a snapshot keeps the deleted versions");
        let mut restored = restored;
        assert_eq!(restored.put_segment(named("x", Some(S1)), &limits, 0).unwrap().version, Some(4));
    }

    #[test]
    fn limits_count_creations_not_replaces() {
        let mut definitions = Definitions::default();
        let limits = Limits { segments: 2, ..Limits::default() };
        let a = definitions.put_segment(named("a", None), &limits, 0).unwrap().id.unwrap();
        definitions.put_segment(named("b", None), &limits, 0).unwrap();
        let error = definitions.put_segment(named("c", None), &limits, 0).unwrap_err();
        assert_eq!(error.code(), "INVALID_ARGUMENT");
        assert!(error.to_string().contains("2 segments, the most config orchestration.maxSegments allows"), "{error}");
        definitions.put_segment(named("a again", Some(&a)), &limits, 0).unwrap();
        let mut names: Vec<&str> = definitions.segments().map(|s| s.display_name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["a again", "b"]);
    }
}
