//! The definitions an engine holds, with their compiled form, swapped whole on each change.
//!
//! Ingest reads the rules on every accepted event, and a put is rare: so readers take an `Arc` of
//! the current rules (one read lock, held for a pointer copy) and a put builds new rules beside
//! them and swaps them in. A reader never waits for a put to compile.
//!
//! Compiling turns every active pattern and event condition into entries of an index keyed by the
//! event types it can count (its stream's, narrowed by session type and event name), each entry
//! holding its criteria compiled for that event type ([`matching`](super::matching)). An event
//! whose type no entry lists costs one hash lookup; the entries of a listed type are found by a
//! lookup per attribute rather than tested one by one ([`entries`](super::entries)).
//!
//! An open session type's event types (docs/decisions.md, "Open session types for app events")
//! are indexed as the catalog has them when the rules compile. A definition may name one that no
//! event has created yet, and one without `eventName` counts every event type of its stream: so
//! the engine recompiles the rules when an event creates an open event type (rare: the catalog's
//! `maxEventTypes` bounds how many ever are), before that event is evaluated.

use super::entries::{Counted, Entries, EventSide, Owner};
use super::matching::{self, Facts};
use super::table::Table;
use crate::base::error::Result;
use crate::base::shard::FastMap;
use crate::base::time::{Millis, parse_rfc3339};
use crate::model::catalog::{Catalog, EventType, SessionType};
use crate::model::orchestration::{ActionMap, Criterion, JourneyPattern, Scope, StreamType, ValueType};
use crate::state::orchestration::Definitions;
use std::sync::{Arc, PoisonError, RwLock};

/// A segment, as evaluation uses it.
#[derive(Debug, Clone)]
pub(crate) struct SegmentRule {
    pub id: Box<str>,
    pub version: u64,
    pub scope: Scope,
    /// How many events each pattern needs.
    pub counts: Box<[u32]>,
    /// How long a customer assignment lasts.
    pub lasts: Option<Millis>,
}

/// An outcome, as evaluation uses it.
#[derive(Debug, Clone)]
pub(crate) struct OutcomeRule {
    pub id: Box<str>,
    pub version: u64,
    pub counts: Box<[u32]>,
    /// The event attribute its value is read from, and how.
    pub value: Option<(Box<str>, ValueType)>,
}

/// An action map, as evaluation uses it.
#[derive(Debug, Clone)]
pub(crate) struct MapRule {
    pub id: Box<str>,
    pub version: u64,
    /// How many event conditions it has (each needs one event).
    pub conditions: usize,
    pub starts: Option<Millis>,
    pub ends: Option<Millis>,
    /// The map as stored (its action, activation, weight, caps and schedule).
    pub map: Arc<ActionMap>,
}

impl MapRule {
    /// Whether `now` is within the map's `startDate` and `endDate`.
    pub fn within_dates(&self, now: Millis) -> bool {
        self.starts.is_none_or(|start| now >= start) && self.ends.is_none_or(|end| now <= end)
    }
}

/// The definitions, and what evaluation needs of them.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    /// The definitions, as stored.
    pub definitions: Definitions,
    /// The active segments, outcomes and maps, in id order.
    pub segments: Vec<SegmentRule>,
    pub outcomes: Vec<OutcomeRule>,
    pub maps: Vec<MapRule>,
    /// For each segment, the maps it triggers.
    pub maps_by_segment: Vec<Vec<usize>>,
    /// Whether some map is triggered by segments (asked on every event).
    segment_maps: bool,
    /// (session type, event type) → what an event of that type may count. Shared with the rules
    /// compiled after an open event type was created, so that the lookups already built stay.
    index: Table,
    /// Each active segment's place in `segments`, by id (asked for every assignment held, on
    /// every event of its customer).
    segment_places: FastMap<Box<str>, usize>,
}

impl Compiled {
    /// Compiles `definitions` against the catalog whose indices evaluation uses. Inactive
    /// definitions are kept but not compiled: nothing evaluates them.
    pub fn new(definitions: Definitions, catalog: &Catalog) -> Compiled {
        let (mut compiled, index) = Compiled::compile(definitions, catalog, None);
        compiled.index = Table::new(index.into_iter().map(|(key, entries)| (key, Arc::new(Entries::new(entries)))));
        compiled
    }

    /// These rules, with the entries of one event type the catalog has just created (an open
    /// event type, `(session type, event type)`) added: the definitions are read again, but only
    /// that event type's criteria are compiled, and every other event type keeps its entries and
    /// the lookups they built.
    pub fn with_event_type(&self, catalog: &Catalog, created: (usize, usize)) -> Compiled {
        let (mut compiled, index) = Compiled::compile(self.definitions.clone(), catalog, Some(created));
        let kept = self.index.iter().filter(|(key, _)| !index.contains_key(key));
        let kept: Vec<_> = kept.map(|(key, entries)| (key, entries.clone())).collect();
        let created = index.into_iter().map(|(key, entries)| (key, Arc::new(Entries::new(entries))));
        compiled.index = Table::new(kept.into_iter().chain(created));
        compiled
    }

    /// Everything but the index from `definitions`, and the index's entries: of every event type,
    /// or only of `only`.
    fn compile(
        definitions: Definitions,
        catalog: &Catalog,
        only: Option<(usize, usize)>,
    ) -> (Compiled, FastMap<(usize, usize), Vec<Counted>>) {
        let mut compiled = Compiled { definitions, ..Compiled::default() };
        let mut index: FastMap<(usize, usize), Vec<Counted>> = FastMap::default();
        let segments: Vec<_> = compiled.definitions.segments().filter(|s| s.is_active).cloned().collect();
        for segment in &segments {
            let owner = Owner::Segment(compiled.segments.len());
            index_patterns(&mut index, catalog, only, owner, &segment.journey.patterns);
            compiled.segments.push(SegmentRule {
                id: segment.id.as_deref().unwrap_or_default().into(),
                version: segment.version.unwrap_or(1),
                scope: segment.scope,
                counts: segment.journey.patterns.iter().map(|p| p.count).collect(),
                lasts: segment.assignment_expiration_days.map(|days| i64::from(days) * 86_400_000),
            });
        }
        let outcomes: Vec<_> = compiled.definitions.outcomes().filter(|o| o.is_active).cloned().collect();
        for outcome in &outcomes {
            let owner = Owner::Outcome(compiled.outcomes.len());
            index_patterns(&mut index, catalog, only, owner, &outcome.journey.patterns);
            let value = outcome.associated_value_field.as_ref().map(|field| {
                let name = String::from(field.name.clone());
                let name = name.strip_prefix("attributes.").unwrap_or(&name).to_owned();
                (name.into_boxed_str(), field.data_type)
            });
            compiled.outcomes.push(OutcomeRule {
                id: outcome.id.as_deref().unwrap_or_default().into(),
                version: outcome.version.unwrap_or(1),
                counts: outcome.journey.patterns.iter().map(|p| p.count).collect(),
                value,
            });
        }
        compiled.maps_by_segment = vec![Vec::new(); compiled.segments.len()];
        let maps: Vec<_> = compiled.definitions.action_maps().filter(|m| m.is_active).cloned().collect();
        for map in maps {
            let place = compiled.maps.len();
            for (i, condition) in map.trigger_with_event_conditions.iter().enumerate() {
                let criterion = condition.criterion();
                let found = event_types(catalog, condition.stream_type, condition.session_type.as_deref());
                let (owner, name) = (Owner::Map(place), condition.event_name.as_deref());
                index_criteria(&mut index, catalog, only, owner, i, found, name, &[criterion]);
            }
            for id in &map.trigger_with_segments {
                if let Some(s) = compiled.segments.iter().position(|s| *s.id == **id) {
                    compiled.maps_by_segment[s].push(place);
                }
            }
            compiled.maps.push(MapRule {
                id: map.id.as_deref().unwrap_or_default().into(),
                version: map.version.unwrap_or(1),
                conditions: map.trigger_with_event_conditions.len(),
                starts: map.start_date.as_deref().and_then(parse_rfc3339),
                ends: map.end_date.as_deref().and_then(parse_rfc3339),
                map: Arc::new(map),
            });
        }
        compiled.segment_places = compiled.segments.iter().enumerate().map(|(s, rule)| (rule.id.clone(), s)).collect();
        compiled.segment_maps = compiled.maps_by_segment.iter().any(|maps| !maps.is_empty());
        (compiled, index)
    }

    /// What an event of this type may count (empty for most events).
    pub fn counted(&self, session_type: usize, event_type: usize) -> &[Counted] {
        if self.index.is_empty() {
            return &[];
        }
        self.index.get(session_type, event_type).map_or(&[], |entries| &entries.all)
    }

    /// What the event `facts` describes counts: the entries of its type whose tests all hold, in
    /// index order. `event_side`, when given, is [`Compiled::event_side`] of these rules on the
    /// same event, computed earlier; only the session's half is left to run.
    pub fn matching(
        &self,
        session_type: usize,
        event_type: usize,
        facts: &dyn Facts,
        event_side: Option<&[u32]>,
    ) -> Vec<&Counted> {
        if self.index.is_empty() {
            return Vec::new();
        }
        let Some(entries) = self.index.get(session_type, event_type) else { return Vec::new() };
        match event_side {
            Some(event_side) => entries.finish(event_side, facts),
            None => entries.matching(facts),
        }
    }

    /// The event's half of [`Compiled::matching`]: what can be decided from the event alone, on
    /// any thread, before its turn (a batch's stage 1). `facts` is never asked for a session
    /// attribute.
    pub fn event_side(&self, session_type: usize, event_type: usize, facts: &dyn Facts) -> EventSide {
        if self.index.is_empty() {
            return EventSide::new();
        }
        self.index.get(session_type, event_type).map_or_else(EventSide::new, |entries| entries.event_side(facts))
    }

    /// The place in [`Compiled::segments`] of the active segment `id`.
    pub fn segment_place(&self, id: &str) -> Option<usize> {
        self.segment_places.get(id).copied()
    }

    /// Whether some map is triggered by segments: then any event of a session that holds one may
    /// qualify it.
    pub fn has_segment_maps(&self) -> bool {
        self.segment_maps
    }
}

/// The session types of a stream, narrowed to one when named.
fn event_types<'c>(
    catalog: &'c Catalog,
    stream: StreamType,
    session_type: Option<&str>,
) -> impl Iterator<Item = (usize, &'c SessionType)> + 'c {
    let named = session_type.map(str::to_owned);
    catalog
        .session_types()
        .iter()
        .enumerate()
        .filter(move |(_, ty)| ty.kind == stream.kind() && named.as_deref().is_none_or(|name| ty.name == name))
}

fn index_patterns(
    index: &mut FastMap<(usize, usize), Vec<Counted>>,
    catalog: &Catalog,
    only: Option<(usize, usize)>,
    owner: Owner,
    patterns: &[JourneyPattern],
) {
    for (i, pattern) in patterns.iter().enumerate() {
        let found = event_types(catalog, pattern.stream_type, pattern.session_type.as_deref());
        index_criteria(index, catalog, only, owner, i, found, pattern.event_name.as_deref(), &pattern.criteria);
    }
}

/// Adds an entry for every event type of `session_types` (named `event_name` when given), declared
/// or open, on which the criteria can hold, with the criteria compiled for it; only for `only`'s
/// event type when given.
#[allow(clippy::too_many_arguments, reason = "the one indexing step, called from two places")]
fn index_criteria<'c>(
    index: &mut FastMap<(usize, usize), Vec<Counted>>,
    catalog: &'c Catalog,
    only: Option<(usize, usize)>,
    owner: Owner,
    pattern: usize,
    session_types: impl Iterator<Item = (usize, &'c SessionType)>,
    event_name: Option<&str>,
    criteria: &[Criterion],
) {
    for (s, session_type) in session_types {
        let event_types: Box<dyn Iterator<Item = (usize, &EventType)>> = match only {
            Some((only_s, only_e)) if only_s == s => Box::new(std::iter::once((only_e, catalog.event_type(s, only_e)))),
            Some(_) => continue,
            None => Box::new(catalog.event_types_of(s)),
        };
        for (e, event_type) in event_types {
            if event_name.is_some_and(|name| event_type.name != name) {
                continue;
            }
            if let Some(tests) = compile_all(criteria, session_type, event_type) {
                index.entry((s, e)).or_default().push(Counted { owner, pattern, tests, key: None });
            }
        }
    }
}

/// The criteria's tests for one event type; `None` when one can never hold on it.
fn compile_all(
    criteria: &[Criterion],
    session_type: &SessionType,
    event_type: &EventType,
) -> Option<Box<[matching::Test]>> {
    let mut tests = Vec::new();
    for criterion in criteria {
        match matching::compile(criterion, session_type, event_type) {
            matching::Compiled::Always => {}
            matching::Compiled::Never => return None,
            matching::Compiled::Test(test) => tests.push(test),
        }
    }
    Some(tests.into_boxed_slice())
}

/// The current rules of one engine.
#[derive(Debug, Default)]
pub(crate) struct Rules {
    current: RwLock<Arc<Compiled>>,
}

impl Rules {
    /// The rules now: a put after this call does not change what the caller holds.
    pub fn current(&self) -> Arc<Compiled> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Changes the definitions with `change` and compiles the result; when `change` fails,
    /// nothing changes. Callers serialise updates (they run inside the engine's change, and a
    /// durable engine's changes are ordered); two concurrent updates of an in-memory engine both
    /// apply, one after the other.
    pub fn update<T>(&self, catalog: &Catalog, change: impl FnOnce(&mut Definitions) -> Result<T>) -> Result<T> {
        let mut slot = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let mut definitions = slot.definitions.clone();
        let value = change(&mut definitions)?;
        *slot = Arc::new(Compiled::new(definitions, catalog));
        Ok(value)
    }

    /// Recompiles the current definitions against an upgraded catalog, whose indices may differ.
    pub fn recompile(&self, catalog: &Catalog) {
        let mut slot = self.current.write().unwrap_or_else(PoisonError::into_inner);
        *slot = Arc::new(Compiled::new(slot.definitions.clone(), catalog));
    }

    /// Adds to the current rules, when there are definitions, the entries of event types a catalog
    /// has just created (open ones, `(session type, event type)`), compiling only theirs. Decided
    /// under the write lock: a put compiling meanwhile either compiled after the types were
    /// created, or is added to here after it.
    pub fn recompile_if_any(&self, catalog: &Catalog, created: &[(usize, usize)]) {
        let mut slot = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if slot.definitions.is_empty() {
            return;
        }
        for event_type in created {
            *slot = Arc::new(slot.with_event_type(catalog, *event_type));
        }
    }
}
