//! Web sessions (SPEC §3.2): a customer's events of one web session type and one division, chained
//! by steps shorter than the type's inactivity gap.
//!
//! Each division (and "no division") keeps its own timeline: an event joins or bridges only web
//! sessions of its own division, so a merge never moves one division's events into a session
//! another division's viewers can see (docs/decisions.md, "Divisions and web sessions").
//!
//! Sessions of one type never overlap and are separated by at least the gap, so a new event can
//! touch at most two of them: the last one starting at or before it and the first one starting
//! after it. Touching both means it bridges them, and they merge. Grouping therefore depends only
//! on the set of events, not on the order they arrive in.

use super::{Applied, CustomerSessions, Session};
use crate::model::catalog::Catalog;
use crate::model::event::NAMESPACE;
use crate::model::validate::CheckedEvent;
use uuid::Uuid;

/// The web sessions of one web session type in one division, ordered by start time. The division
/// is that of its sessions (every one has the same); a timeline left empty by eviction is removed.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct Timeline {
    session_type: usize,
    slots: Vec<usize>,
}

impl Timeline {
    /// Whether this timeline holds the web sessions of `session_type` in `division`.
    fn holds(&self, sessions: &[Option<Session>], session_type: usize, division: Option<&str>) -> bool {
        self.session_type == session_type
            && self.slots.first().is_some_and(|slot| {
                sessions[*slot].as_ref().is_some_and(|session| session.division.as_deref() == division)
            })
    }

    /// Moves the timeline's session type to the upgraded catalog's position.
    pub(super) fn remap(&mut self, remap: &crate::model::catalog::Remap) {
        self.session_type = remap.session_types[self.session_type];
    }

    /// Drops evicted slots (`None`) and renumbers the others.
    pub(super) fn renumber(&mut self, renumbered: &[Option<usize>]) {
        self.slots = self.slots.iter().filter_map(|slot| renumbered[*slot]).collect();
    }

    /// Whether eviction left no session (the timeline no longer names a division).
    pub(super) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

impl CustomerSessions {
    pub(super) fn apply_web(&mut self, catalog: &Catalog, event_id: Uuid, event: &CheckedEvent<'_, '_>) -> Applied {
        let gap = catalog.session_type(event.session_type).inactivity_gap.as_millis();
        let time = event.time;
        self.latest_web_event = Some(self.latest_web_event.map_or(time, |t| t.max(time)));
        let line = self.timeline(event.session_type, event.division);
        let slots = &self.web[line].slots;
        let session = |slot: usize| self.sessions[slot].as_ref().expect("timelines hold live sessions only");
        let position = slots.partition_point(|&slot| session(slot).first_time() <= time);
        let before = position.checked_sub(1).filter(|&i| time - session(slots[i]).last_time() < gap);
        let after = Some(position).filter(|&i| i < slots.len() && session(slots[i]).first_time() - time < gap);
        let (slot, created, merged) = match (before, after) {
            (None, None) => (self.new_web_session(catalog, event_id, event, line, position), true, 0),
            (Some(i), None) | (None, Some(i)) => (self.web[line].slots[i], false, 0),
            (Some(i), Some(j)) => (self.merge_web_sessions(line, i, j), false, 1),
        };
        let session = self.sessions[slot].as_mut().expect("slot holds a live session");
        let event_index = session.insert(catalog, event, event_id);
        Applied {
            session_id: session.id,
            slot,
            session_created: created,
            event_count: session.events.len(),
            event_index,
            session_ended: false,
            sessions_merged: merged,
        }
    }

    fn timeline(&mut self, session_type: usize, division: Option<&str>) -> usize {
        match self.web.iter().position(|t| t.holds(&self.sessions, session_type, division)) {
            Some(index) => index,
            None => {
                self.web.push(Timeline { session_type, slots: Vec::new() });
                self.web.len() - 1
            }
        }
    }

    fn new_web_session(
        &mut self,
        catalog: &Catalog,
        event_id: Uuid,
        event: &CheckedEvent<'_, '_>,
        line: usize,
        position: usize,
    ) -> usize {
        let name = format!("web:{}:{}:{}", self.customer.id_type.as_str(), self.customer.id, event_id);
        let session = Session::new(Uuid::new_v5(&NAMESPACE, name.as_bytes()), catalog, event);
        let slot = self.add_session(session);
        self.web[line].slots.insert(position, slot);
        slot
    }

    /// Merges the session at timeline position `later` into the one at `earlier`, which keeps its id.
    fn merge_web_sessions(&mut self, line: usize, earlier: usize, later: usize) -> usize {
        let survivor_slot = self.web[line].slots[earlier];
        let absorbed_slot = self.web[line].slots.remove(later);
        let absorbed = self.sessions[absorbed_slot].take().expect("timelines hold live sessions only");
        for id in std::iter::once(&absorbed.id).chain(&absorbed.merged_ids) {
            self.by_id.insert(*id, survivor_slot);
        }
        let survivor = self.sessions[survivor_slot].as_mut().expect("timelines hold live sessions only");
        survivor.merged_ids.push(absorbed.id);
        survivor.merged_ids.extend(absorbed.merged_ids);
        for (slot, other) in survivor.attributes.iter_mut().zip(absorbed.attributes) {
            slot.merge(other);
        }
        survivor.events.absorb(absorbed.events);
        let survivor_id = survivor.id;
        if let Some(state) = self.orchestration.as_deref_mut() {
            state.merge_sessions(survivor_id, absorbed.id);
        }
        survivor_slot
    }
}
